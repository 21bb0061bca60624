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
		x->why =
		    "array or map claims more entries than a record can hold";
		return P_BAD;
	}
	if (cur_left(c) < n * per)
		return P_MORE;
	return P_OK;
}

/*
 * id: the known key the array is under, when its elements are maps.  The
 * elements get slots even when the array is skipped (mode MP_SKIP, their
 * own containers left hollow): a known array's element types are checked
 * on them.
 */
static int
mp_array(struct cur *c, struct mp_ctx *x, msgpack_object *o, uint64_t n,
    int depth, int id, int mode)
{
	uint64_t i;
	int r;

	if ((r = mp_count(c, x, n, 1)) != P_OK)
		return r;
	o->type = MSGPACK_OBJECT_ARRAY;
	o->via.array.size = (uint32_t)n;
	o->via.array.ptr =
	    n ? msgpack_zone_malloc(x->zone, sizeof(msgpack_object) * n) : NULL;
	if (n && o->via.array.ptr == NULL) {
		x->nomem = 1;
		return P_BAD;
	}
	for (i = 0; i < n; i++)
		if ((r = mp_parse(c, x, &o->via.array.ptr[i], depth + 1, id,
			 mode)) != P_OK)
			return r;
	return P_OK;
}

/* Whether memo slot m holds the key of word w, length n, under parent. */
#define MEMO_IS(m, w, n, parent)                                               \
	((m)->word == (w) && (m)->len == (n) && (m)->parent == (parent))

/*
 * A key neither slot of its pair holds: the schema says what it is.  The
 * pair keeps the two keys met last (a new one in the first slot, the
 * first moved to the second); pair 0: a long key, in the one slot past.
 */
static __attribute__((noinline)) struct key_memo *
mp_learn(struct key_memo *m, int pair, int parent, uint64_t w, const char *name,
    size_t n)
{
	enum key_type t, elem;
	int id;

	if (pair)
		m[1] = m[0];
	id = rec_key_find_word(parent, w, name, n, &t, &elem);
	m->word = w;
	m->len = (uint8_t)n;
	m->parent = (int16_t)parent;
	m->id = (int16_t)id;
	m->type = (uint8_t)t;
	/* the maps in or under its value are known maps too */
	m->inner = (int16_t)(id != 0 &&
		    (t == KT_MAP || (t == KT_ARRAY && elem == KT_MAP))
		? id
		: -1);
	return m;
}

/*
 * Notes the record types whose schema the value of known key id breaks
 * (check_contract says what is wrong, when the record is of one of them).
 * Out of line: mp_map's loop runs for every key, this for few.
 */
static __attribute__((noinline)) void
mp_check(struct mp_ctx *x, int id, const msgpack_object *v)
{
	unsigned in = rec_key(id)->in;

	if ((x->schema_bad & in) != in && rec_check_key(id, v, NULL, 0) == -1)
		x->schema_bad |= in;
}

/*
 * The msgpack types a key type takes, as bits, where no more is to check
 * than the type (rec_type_ok() in one load): arrays (their elements) and
 * addresses (their length) are checked the long way.
 */
#define T(o) (1u << MSGPACK_OBJECT_##o)
static const uint16_t type_fast[KT_ARRAY + 1] = {
	[KT_STR] = T(STR),
	[KT_UINT] = T(POSITIVE_INTEGER),
	[KT_INT] = T(POSITIVE_INTEGER) | T(NEGATIVE_INTEGER),
	[KT_NUM] =
	    T(POSITIVE_INTEGER) | T(NEGATIVE_INTEGER) | T(FLOAT32) | T(FLOAT64),
	[KT_BOOL] = T(BOOLEAN),
	[KT_BIN] = T(BIN),
	[KT_MAP] = T(MAP),
};
#undef T

/* The first n bytes of a little-endian word (rec_key_word()). */
static const uint64_t name_mask[9] = { 0, 0xff, 0xffff, 0xffffff, 0xffffffff,
	0xffffffffff, 0xffffffffffff, 0xffffffffffffff, UINT64_MAX };

/* The n-byte big-endian number at q, n of 1, 2, 4 or 8, in one load. */
static inline uint64_t
mp_be(const uint8_t *q, unsigned n)
{
	uint64_t v;

	memcpy(&v, q, sizeof(v));
	return be64toh(v) >> (64 - 8 * n);
}

/*
 * The values most of a record is made of (small integers, short strings
 * and bytes, booleans), read inline.  The caller has checked that nine
 * bytes (the longest head) are in [*pp, end); a string's body is checked
 * here.  0 for any other value, or a body not all in: mp_parse then reads
 * it the general way.
 */
static inline __attribute__((always_inline)) int
mp_fast(const uint8_t **pp, const uint8_t *end, msgpack_object *o)
{
	const uint8_t *q = *pp;
	size_t head, n;
	unsigned b = q[0];

	if (b <= 0x7f) {
		o->type = MSGPACK_OBJECT_POSITIVE_INTEGER;
		o->via.u64 = b;
		*pp = q + 1;
		return 1;
	}
	if (b >= 0xcc && b <= 0xcf) {
		n = 1u << (b - 0xcc);
		o->type = MSGPACK_OBJECT_POSITIVE_INTEGER;
		o->via.u64 = mp_be(q + 1, (unsigned)n);
		*pp = q + 1 + n;
		return 1;
	}
	if ((b & 0xe0) == 0xa0) {
		o->type = MSGPACK_OBJECT_STR;
		head = 1;
		n = b & 0x1f;
	} else if (b == 0xd9 || b == 0xc4) {
		o->type = b == 0xc4 ? MSGPACK_OBJECT_BIN : MSGPACK_OBJECT_STR;
		head = 2;
		n = q[1];
	} else if (b == 0xc2 || b == 0xc3) {
		o->type = MSGPACK_OBJECT_BOOLEAN;
		o->via.boolean = b == 0xc3;
		*pp = q + 1;
		return 1;
	} else
		return 0;
	if ((size_t)(end - q) < head + n)
		return 0;
	/* str and bin are laid out alike in msgpack_object */
	o->via.str.ptr = (const char *)q + head;
	o->via.str.size = (uint32_t)n;
	*pp = q + head + n;
	return 1;
}

/* The want tables of a map built whole (and of a record's "type") or skipped.
 */
static const uint8_t keep_all[MP_NKEYS + 1] = { [0 ... MP_NKEYS] = MP_ALL };
static const uint8_t keep_none[MP_NKEYS + 1];

/*
 * At the top of a record (mode MP_PICK), once its first key is read: how
 * much of the rest to build.  Only a record whose first key is its "type"
 * can be pruned; any other is built whole.
 */
static int
mp_pick(struct mp_ctx *x, const msgpack_object_kv *kv)
{
	enum rec_type t;

	if (x->want == NULL || !REC_KEY_IS(&kv->key, "type") ||
	    kv->val.type != MSGPACK_OBJECT_STR)
		return MP_ALL;
	t = rec_type_of(kv->val.via.str.ptr, kv->val.via.str.size);
	if ((x->table = x->want[t]) == NULL)
		return MP_ALL;
	return MP_SOME;
}

/*
 * parent: the id of the known key this map is (0: the record itself), or
 * -1 when it is not a known map and its keys are not looked up.  mode:
 * what to build (mpread.h); a skipped map is left hollow (no entries),
 * a pruned one keeps only the entries the want table names, but every
 * entry is parsed and every known key's type checked the same.
 *
 * This loop is where a stage's time goes, so the common case is read
 * here, from plain pointers into the cursor's bytes, every read after a
 * check of what is left: a key of up to eight bytes whose name is one
 * eight-byte load, recognised by one compare with the memo slot its name
 * and parent hash to (a stream uses a few hundred keys at most, so the
 * slot nearly always holds it already), then a scalar value.
 * Anything else goes to mp_parse with the cursor handed back.
 */
static int
mp_map(struct cur *c, struct mp_ctx *x, msgpack_object *o, uint64_t n,
    int depth, int parent, int mode)
{
	msgpack_object_kv *kv, *base, skipped;
	const uint8_t *table;
	struct key_memo *slot;
	const uint8_t *p, *end, *at;
	uint64_t w;
	uint32_t i, kn, kept = 0;
	int r, id, type, inner, vmode;

	if ((r = mp_count(c, x, n, 2)) != P_OK)
		return r;
	o->type = MSGPACK_OBJECT_MAP;
	o->via.map.size = 0;
	o->via.map.ptr = NULL;
	if (n && mode != MP_SKIP &&
	    (o->via.map.ptr = msgpack_zone_malloc(
		 x->zone, sizeof(msgpack_object_kv) * n)) == NULL) {
		x->nomem = 1;
		return P_BAD;
	}
	base = mode == MP_SKIP ? &skipped : o->via.map.ptr;
	/* what to do with each key, by id (0: not a known key) */
	table = mode == MP_SOME ? x->table
	    : mode == MP_SKIP	? keep_none
				: keep_all;
	p = c->p;
	end = c->end;
	for (i = 0; i < (uint32_t)n; i++) {
		at = p;
		kv = &base[kept]; /* kept stays 0 when skipping */
		/* 18: the key, its eight-byte load and the longest value head
		 */
		if ((size_t)(end - p) >= 18 && (kn = p[0] - 0xa0u) <= 8) {
			/* a fixstr (0xa0 + length) of at most 8 bytes */
			memcpy(&w, p + 1, sizeof(w));
			w = le64toh(w) & name_mask[kn];
			kv->key.type = MSGPACK_OBJECT_STR;
			kv->key.via.str.ptr = (const char *)p + 1;
			kv->key.via.str.size = kn;
			p += 1 + kn;
		} else {
			c->p = p;
			r = mp_parse(c, x, &kv->key, depth + 1, -1, MP_SKIP);
			p = c->p;
			if (r != P_OK)
				return r;
			/* Fields are named, as in JSON: no nil key ("null"). */
			if (kv->key.type != MSGPACK_OBJECT_STR) {
				x->where = at;
				x->why = "map key is not a string";
				return P_BAD;
			}
			kn = kv->key.via.str.size;
			w = rec_key_word(kv->key.via.str.ptr, kn);
		}
		id = 0;
		type = KT_NONE;
		inner = -1;
		if (parent >= 0) {
			slot = kn > 8
			    ? &x->memo[MEMO]
			    : &x->memo[2 *
				  ((w ^ (uint64_t)parent << 52) *
					  UINT64_C(0x9e3779b97f4a7c15) >>
				      (65 - MEMO_BITS))];
			if (kn > 8 || !MEMO_IS(slot, w, kn, parent)) {
				if (kn <= 8 && MEMO_IS(slot + 1, w, kn, parent))
					slot++;
				else
					slot = mp_learn(slot, kn <= 8, parent,
					    w, kv->key.via.str.ptr, kn);
			}
			/* copied: the value's own keys may take the slot */
			id = slot->id;
			type = slot->type;
			inner = slot->inner;
		}
		vmode = table[id];
		if ((size_t)(end - p) < 9 || !mp_fast(&p, end, &kv->val)) {
			c->p = p;
			r = mp_parse(c, x, &kv->val, depth + 1, inner, vmode);
			p = c->p;
			if (r != P_OK)
				return r;
		}
		if (id != 0 && !(type_fast[type] >> kv->val.type & 1) &&
		    (type == KT_ARRAY ||
			!rec_type_ok((enum key_type)type, &kv->val)))
			mp_check(x, id, &kv->val);
		if (mode == MP_PICK) {
			mode = mp_pick(x, kv);
			table = mode == MP_SOME ? x->table : keep_all;
		}
		if (vmode != MP_SKIP)
			kept++;
	}
	c->p = p;
	o->via.map.size = kept;
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
mp_parse(struct cur *c, struct mp_ctx *x, msgpack_object *o, int depth, int id,
    int mode)
{
	uint64_t n;
	uint32_t f32;
	float f;
	int b, r;

	if (cur_left(c) < 1)
		return P_MORE;
	x->where = c->p;
	b = cur_u8(c);
	/* levels are containers: a scalar in the deepest one is no level */
	if (((b >= 0x80 && b <= 0x9f) || (b >= 0xdc && b <= 0xdf)) &&
	    depth > REC_MAX_DEPTH) {
		x->why = "nesting deeper than the limit";
		return P_BAD;
	}
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
		return mp_map(c, x, o, b & 0x0f, depth, id, mode);
	if (b >= 0x90 && b <= 0x9f)
		return mp_array(c, x, o, b & 0x0f, depth, id, mode);
	if (b >= 0xa0 && b <= 0xbf) {
		o->type = MSGPACK_OBJECT_STR;
		o->via.str.size = b & 0x1f;
		return mp_bytes(c, x, b & 0x1f, &o->via.str.ptr);
	}
	switch (b) {
	case 0xc0: o->type = MSGPACK_OBJECT_NIL; return P_OK;
	case 0xc2:
	case 0xc3:
		o->type = MSGPACK_OBJECT_BOOLEAN;
		o->via.boolean = b == 0xc3;
		return P_OK;
	case 0xc4:
	case 0xc5:
	case 0xc6:
		if ((r = mp_len(c, 1 << (b - 0xc4), &n)) != P_OK)
			return r;
		o->type = MSGPACK_OBJECT_BIN;
		o->via.bin.size = (uint32_t)n;
		return mp_bytes(c, x, n, &o->via.bin.ptr);
	case 0xc7:
	case 0xc8:
	case 0xc9:
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
	case 0xcc:
	case 0xcd:
	case 0xce:
	case 0xcf:
		if (mp_len(c, 1 << (b - 0xcc), &n) != P_OK)
			return P_MORE;
		o->type = MSGPACK_OBJECT_POSITIVE_INTEGER;
		o->via.u64 = n;
		return P_OK;
	case 0xd0:
	case 0xd1:
	case 0xd2:
	case 0xd3: return mp_int(c, o, 1 << (b - 0xd0));
	case 0xd4:
	case 0xd5:
	case 0xd6:
	case 0xd7:
	case 0xd8: return mp_ext(c, x, o, 1u << (b - 0xd4));
	case 0xd9:
	case 0xda:
	case 0xdb:
		if ((r = mp_len(c, 1 << (b - 0xd9), &n)) != P_OK)
			return r;
		o->type = MSGPACK_OBJECT_STR;
		o->via.str.size = (uint32_t)n;
		return mp_bytes(c, x, n, &o->via.str.ptr);
	case 0xdc:
	case 0xdd:
		if ((r = mp_len(c, b == 0xdc ? 2 : 4, &n)) != P_OK)
			return r;
		return mp_array(c, x, o, n, depth, id, mode);
	case 0xde:
	case 0xdf:
		if ((r = mp_len(c, b == 0xde ? 2 : 4, &n)) != P_OK)
			return r;
		return mp_map(c, x, o, n, depth, id, mode);
	default: /* 0xc1 is never used */
		x->why = "byte 0xc1 is not msgpack";
		return P_BAD;
	}
}
