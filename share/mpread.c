/*
 * The bounds-checked msgpack parser (mpread.h says what it promises): the
 * one parser of hostile msgpack bytes in nm.  Every length is checked
 * against the bytes left and the record limits before anything is read
 * or allocated; values point into the input, containers are allocated in
 * the caller's zone.
 */
#include <endian.h>
#include <string.h>

#include "cur.h"
#include "mpread.h"
#include "rec.h"

/* Reads an n-byte big-endian length, or reports a shortage. */
static int
mp_len(struct cur *c, int n, uint64_t *v)
{
	if (cur_left(c) < (size_t)n)
		return P_MORE;
	switch (n) {
	case 1: *v = cur_u8(c); break;
	case 2: *v = cur_be16(c); break;
	case 4: *v = cur_be32(c); break;
	default: *v = cur_be64(c); break;
	}
	return P_OK;
}

static int
mp_bytes(struct cur *c, struct mp_ctx *x, uint64_t n, const char **p)
{
	if (n > REC_MAX_SIZE) {
		x->why = "string or bytes length beyond the record size limit";
		return P_BAD;
	}
	if (cur_left(c) < n)
		return P_MORE;
	*p = (const char *)cur_ptr(c, (size_t)n);
	return P_OK;
}

/* Claims of more entries than bytes left are lies once all bytes are in. */
static int
mp_count(struct cur *c, struct mp_ctx *x, uint64_t n, size_t per)
{
	if (n > REC_MAX_SIZE / per) {
		x->why = "array or map claims more entries than a record can hold";
		return P_BAD;
	}
	if (cur_left(c) < n * per)
		return P_MORE;
	return P_OK;
}

/* id: the known key the array is under, when its elements are maps. */
static int
mp_array(struct cur *c, struct mp_ctx *x, msgpack_object *o, uint64_t n,
    int depth, int id)
{
	uint64_t i;
	int r;

	if ((r = mp_count(c, x, n, 1)) != P_OK)
		return r;
	o->type = MSGPACK_OBJECT_ARRAY;
	o->via.array.size = (uint32_t)n;
	o->via.array.ptr = n ? msgpack_zone_malloc(x->zone,
	    sizeof(msgpack_object) * n) : NULL;
	if (n && o->via.array.ptr == NULL) {
		x->why = "out of memory";
		return P_BAD;
	}
	for (i = 0; i < n; i++)
		if ((r = mp_parse(c, x, &o->via.array.ptr[i], depth + 1,
		    id)) != P_OK)
			return r;
	return P_OK;
}

/*
 * rec_key_word() in one load, for rec_key_find_word: the reader's buffer
 * has eight readable bytes past its end for this.
 */
static inline uint64_t
key_word(const char *p, size_t n)
{
	uint64_t w;

	memcpy(&w, p, sizeof(w));
	w = le64toh(w);
	return n >= 8 ? w : w & ((UINT64_C(1) << (8 * n)) - 1);
}

/*
 * What a key found at place i of a map under parent was the last time:
 * records of a stream repeat their keys in the same places, so most keys
 * are recognised by one compare instead of a schema lookup.
 */
static int
mp_key(struct mp_ctx *x, int parent, uint32_t i, const msgpack_object *k,
    struct key_memo *out)
{
	const char *name = k->via.str.ptr;
	size_t n = k->via.str.size;
	enum key_type t, elem;
	struct key_memo *m;
	uint64_t w;
	int id;

	w = key_word(name, n);
	m = n > 8 ? &x->memo[MEMO] :
	    &x->memo[((unsigned)parent * 32 + i) & (MEMO - 1)];
	if (n > 8 || m->word != w || m->len != n || m->parent != parent) {
		id = rec_key_find_word(parent, w, name, n, &t, &elem);
		m->word = w;
		m->len = (uint8_t)n;
		m->parent = (int16_t)parent;
		m->id = (int16_t)id;
		m->type = (uint8_t)t;
		/* the maps in or under its value are known maps too */
		m->inner = (int16_t)(id != 0 && (t == KT_MAP ||
		    (t == KT_ARRAY && elem == KT_MAP)) ? id : -1);
	}
	*out = *m;	/* a copy: the value's own keys may take the place */
	return m->id != 0;
}

/* Notes whether the value of known key id has the schema's type. */
static void
mp_check(struct mp_ctx *x, int id, const msgpack_object *v)
{
	if (!x->schema_bad &&
	    rec_check_key(id, v, x->schema_why, x->schema_whylen) == -1)
		x->schema_bad = 1;
}

/*
 * The values most of a record is made of (small integers, short strings
 * and bytes, booleans), read inline.  0 for any other value, or when its
 * bytes are not all in: mp_parse then reads it the general way.
 */
static inline __attribute__((always_inline)) int
mp_fast(struct cur *c, msgpack_object *o)
{
	const uint8_t *q = cur_view(c, 2);
	size_t head = 1, n = 0;
	unsigned b;
	int i;

	if (q == NULL)
		return 0;
	b = q[0];
	if (b <= 0x7f) {
		o->type = MSGPACK_OBJECT_POSITIVE_INTEGER;
		o->via.u64 = b;
	} else if (b >= 0xa0 && b <= 0xbf) {
		o->type = MSGPACK_OBJECT_STR;
		n = b & 0x1f;
	} else if (b == 0xd9 || b == 0xc4) {
		o->type = b == 0xc4 ? MSGPACK_OBJECT_BIN : MSGPACK_OBJECT_STR;
		head = 2;
		n = q[1];
	} else if (b == 0xc2 || b == 0xc3) {
		o->type = MSGPACK_OBJECT_BOOLEAN;
		o->via.boolean = b == 0xc3;
	} else if (b >= 0xcc && b <= 0xcf) {
		head = 1 + (1u << (b - 0xcc));
		if ((q = cur_view(c, head)) == NULL)
			return 0;
		o->type = MSGPACK_OBJECT_POSITIVE_INTEGER;
		o->via.u64 = 0;
		for (i = 1; i < (int)head; i++)
			o->via.u64 = o->via.u64 << 8 | q[i];
	} else
		return 0;
	if (cur_view(c, head + n) == NULL)
		return 0;	/* not all in yet: mp_parse waits for it */
	q = cur_ptr(c, head + n);
	if (o->type == MSGPACK_OBJECT_STR) {
		o->via.str.ptr = (const char *)q + head;
		o->via.str.size = (uint32_t)n;
	} else if (o->type == MSGPACK_OBJECT_BIN) {
		o->via.bin.ptr = (const char *)q + head;
		o->via.bin.size = (uint32_t)n;
	}
	return 1;
}

/*
 * parent: the id of the known key this map is (0: the record itself), or
 * -1 when it is not a known map and its keys are not looked up.
 */
static int
mp_map(struct cur *c, struct mp_ctx *x, msgpack_object *o, uint64_t n,
    int depth, int parent)
{
	struct key_memo m;
	msgpack_object_kv *kv;
	const uint8_t *at;
	uint64_t i;
	int r, known, fast = depth < REC_MAX_DEPTH;

	if ((r = mp_count(c, x, n, 2)) != P_OK)
		return r;
	o->type = MSGPACK_OBJECT_MAP;
	o->via.map.size = (uint32_t)n;
	o->via.map.ptr = n ? msgpack_zone_malloc(x->zone,
	    sizeof(msgpack_object_kv) * n) : NULL;
	if (n && o->via.map.ptr == NULL) {
		x->why = "out of memory";
		return P_BAD;
	}
	for (i = 0; i < n; i++) {
		at = c->p;
		kv = &o->via.map.ptr[i];
		if (!(fast && mp_fast(c, &kv->key)) &&
		    (r = mp_parse(c, x, &kv->key, depth + 1, -1)) != P_OK)
			return r;
		/* Fields are named, as in JSON: a nil key would become "null". */
		if (kv->key.type != MSGPACK_OBJECT_STR) {
			x->where = at;
			x->why = "map key is not a string";
			return P_BAD;
		}
		known = parent >= 0 &&
		    mp_key(x, parent, (uint32_t)i, &kv->key, &m);
		if (!(fast && mp_fast(c, &kv->val)) &&
		    (r = mp_parse(c, x, &kv->val, depth + 1,
		    known ? m.inner : -1)) != P_OK)
			return r;
		if (known && (m.type == KT_ARRAY ||
		    !rec_type_ok((enum key_type)m.type, &kv->val)))
			mp_check(x, m.id, &kv->val);
	}
	return P_OK;
}

static int
mp_ext(struct cur *c, struct mp_ctx *x, msgpack_object *o, uint64_t n)
{
	const char *p;
	int r;

	if (cur_left(c) < 1)
		return P_MORE;
	o->type = MSGPACK_OBJECT_EXT;
	o->via.ext.type = (int8_t)cur_u8(c);
	if ((r = mp_bytes(c, x, n, &p)) != P_OK)
		return r;
	o->via.ext.size = (uint32_t)n;
	o->via.ext.ptr = p;
	return P_OK;
}

static int
mp_int(struct cur *c, msgpack_object *o, int n)
{
	uint64_t u;
	int64_t v;

	if (mp_len(c, n, &u) != P_OK)
		return P_MORE;
	switch (n) {
	case 1: v = (int8_t)u; break;
	case 2: v = (int16_t)u; break;
	case 4: v = (int32_t)u; break;
	default: v = (int64_t)u; break;
	}
	if (v >= 0) {
		o->type = MSGPACK_OBJECT_POSITIVE_INTEGER;
		o->via.u64 = (uint64_t)v;
	} else {
		o->type = MSGPACK_OBJECT_NEGATIVE_INTEGER;
		o->via.i64 = v;
	}
	return P_OK;
}

/* id: as mp_map's parent, for the maps in or under this value. */
int
mp_parse(struct cur *c, struct mp_ctx *x, msgpack_object *o, int depth,
    int id)
{
	uint64_t n;
	uint32_t f32;
	float f;
	int b, r;

	if (depth > REC_MAX_DEPTH) {
		x->where = c->p;
		x->why = "nesting deeper than the limit";
		return P_BAD;
	}
	if (cur_left(c) < 1)
		return P_MORE;
	x->where = c->p;
	b = cur_u8(c);
	if (b <= 0x7f || b >= 0xe0) {
		if (b <= 0x7f) {
			o->type = MSGPACK_OBJECT_POSITIVE_INTEGER;
			o->via.u64 = (uint64_t)b;
		} else {
			o->type = MSGPACK_OBJECT_NEGATIVE_INTEGER;
			o->via.i64 = (int8_t)b;
		}
		return P_OK;
	}
	if (b >= 0x80 && b <= 0x8f)
		return mp_map(c, x, o, b & 0x0f, depth, id);
	if (b >= 0x90 && b <= 0x9f)
		return mp_array(c, x, o, b & 0x0f, depth, id);
	if (b >= 0xa0 && b <= 0xbf) {
		o->type = MSGPACK_OBJECT_STR;
		o->via.str.size = b & 0x1f;
		return mp_bytes(c, x, b & 0x1f, &o->via.str.ptr);
	}
	switch (b) {
	case 0xc0:
		o->type = MSGPACK_OBJECT_NIL;
		return P_OK;
	case 0xc2:
	case 0xc3:
		o->type = MSGPACK_OBJECT_BOOLEAN;
		o->via.boolean = b == 0xc3;
		return P_OK;
	case 0xc4: case 0xc5: case 0xc6:
		if ((r = mp_len(c, 1 << (b - 0xc4), &n)) != P_OK)
			return r;
		o->type = MSGPACK_OBJECT_BIN;
		o->via.bin.size = (uint32_t)n;
		return mp_bytes(c, x, n, &o->via.bin.ptr);
	case 0xc7: case 0xc8: case 0xc9:
		if ((r = mp_len(c, 1 << (b - 0xc7), &n)) != P_OK)
			return r;
		return mp_ext(c, x, o, n);
	case 0xca:
		if (mp_len(c, 4, &n) != P_OK)
			return P_MORE;
		f32 = (uint32_t)n;
		memcpy(&f, &f32, sizeof(f));
		o->type = MSGPACK_OBJECT_FLOAT32;
		o->via.f64 = f;
		return P_OK;
	case 0xcb:
		if (mp_len(c, 8, &n) != P_OK)
			return P_MORE;
		o->type = MSGPACK_OBJECT_FLOAT64;
		memcpy(&o->via.f64, &n, sizeof(o->via.f64));
		return P_OK;
	case 0xcc: case 0xcd: case 0xce: case 0xcf:
		if (mp_len(c, 1 << (b - 0xcc), &n) != P_OK)
			return P_MORE;
		o->type = MSGPACK_OBJECT_POSITIVE_INTEGER;
		o->via.u64 = n;
		return P_OK;
	case 0xd0: case 0xd1: case 0xd2: case 0xd3:
		return mp_int(c, o, 1 << (b - 0xd0));
	case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8:
		return mp_ext(c, x, o, 1u << (b - 0xd4));
	case 0xd9: case 0xda: case 0xdb:
		if ((r = mp_len(c, 1 << (b - 0xd9), &n)) != P_OK)
			return r;
		o->type = MSGPACK_OBJECT_STR;
		o->via.str.size = (uint32_t)n;
		return mp_bytes(c, x, n, &o->via.str.ptr);
	case 0xdc: case 0xdd:
		if ((r = mp_len(c, b == 0xdc ? 2 : 4, &n)) != P_OK)
			return r;
		return mp_array(c, x, o, n, depth, id);
	case 0xde: case 0xdf:
		if ((r = mp_len(c, b == 0xde ? 2 : 4, &n)) != P_OK)
			return r;
		return mp_map(c, x, o, n, depth, id);
	default:	/* 0xc1 is never used */
		x->why = "byte 0xc1 is not msgpack";
		return P_BAD;
	}
}
