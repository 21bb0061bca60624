/*
 * The JSON writer (json.h): a record as one line of JSON, for nm-render
 * -o json.  Known keys (REC_KEYS) say where bytes are an address, shown as
 * text, and where they are plain bytes, shown as hex; bytes under unknown
 * keys are hex too.  Strings are text: valid UTF-8 is copied, any other
 * byte becomes the character U+00XX of the same value, so the output is
 * valid UTF-8 whatever the record held.  Numbers are written without
 * printf where they can be (a record is mostly numbers), floats so they
 * read back as floats.  A line is never longer than the JSON reader takes
 * (REC_MAX_SIZE): a record that would make one is refused.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "json.h"
#include "rec.h"

/*
 * The length of the UTF-8 sequence at p, a byte from 0x80 up, when it is
 * valid (RFC 3629: no overlong form, no surrogate, nothing past U+10FFFF),
 * else 0.
 */
static size_t
utf8_seq(const unsigned char *p, size_t n)
{
	unsigned lo = 0x80, hi = 0xbf;
	size_t need, k;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		need = 1;
	else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		need = 2;
		if (p[0] == 0xe0)
			lo = 0xa0; /* below: overlong */
		else if (p[0] == 0xed)
			hi = 0x9f; /* above: surrogates */
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		need = 3;
		if (p[0] == 0xf0)
			lo = 0x90; /* below: overlong */
		else if (p[0] == 0xf4)
			hi = 0x8f; /* above: past U+10FFFF */
	} else
		return 0;
	if (n <= need || p[1] < lo || p[1] > hi)
		return 0;
	for (k = 2; k <= need; k++)
		if ((p[k] & 0xc0) != 0x80)
			return 0;
	return need + 1;
}

void
json_str(struct strbuf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i, run = 0, k;
	unsigned c;

	sb_addc(b, '"');
	for (i = 0; i < n; i++) {
		c = p[i];
		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80)
			continue;
		if (c >= 0x80 && (k = utf8_seq(p + i, n - i)) != 0) {
			i += k - 1; /* valid UTF-8 is copied as it is */
			continue;
		}
		sb_add(b, s + run, i - run);
		run = i + 1;
		if (c == '"' || c == '\\') {
			sb_addc(b, '\\');
			sb_addc(b, (char)c);
		} else if (c == '\n')
			sb_adds(b, "\\n");
		else if (c == '\t')
			sb_adds(b, "\\t");
		else {
			/*
			 * A control character, or a byte that is not part of
			 * valid UTF-8: the latter becomes the character
			 * U+00XX, so the JSON is valid UTF-8 whatever the
			 * string held (nm-records(5)).
			 */
			sb_adds(b, "\\u00");
			sb_addc(b, hex[c >> 4]);
			sb_addc(b, hex[c & 15]);
		}
	}
	sb_add(b, s + run, n - run);
	sb_addc(b, '"');
}

static void
put_hex(struct strbuf *b, const uint8_t *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;
	char *o;

	/* A frame's bytes are most of a record: room once, then fill. */
	sb_need(b, 2 * n + 2);
	o = b->p + b->len;
	*o++ = '"';
	for (i = 0; i < n; i++) {
		*o++ = hex[p[i] >> 4];
		*o++ = hex[p[i] & 15];
	}
	*o = '"';
	b->len += 2 * n + 2;
}

/* Decimal digits without printf: every record is mostly numbers. */
static void
put_u64(struct strbuf *b, uint64_t v)
{
	char tmp[24], *e = tmp + sizeof(tmp), *q = e;

	do {
		*--q = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	sb_add(b, q, (size_t)(e - q));
}

static void
put_i64(struct strbuf *b, int64_t v)
{
	if (v < 0) {
		sb_addc(b, '-');
		put_u64(b, (uint64_t)0 - (uint64_t)v);
	} else
		put_u64(b, (uint64_t)v);
}

static void put_value(
    struct strbuf *, const msgpack_object *, int, enum key_type);

/*
 * The record type of a record, as an IN_ bit: a known key of another
 * type's is a user's key in it, written as any unknown key is.
 */
static unsigned
record_in(const msgpack_object *o)
{
	const msgpack_object_kv *kv = o->via.map.ptr;
	const msgpack_object *t;

	/* nm writes it first */
	if (o->via.map.size > 0 && kv->key.type == MSGPACK_OBJECT_STR &&
	    REC_KEY_IS(&kv->key, "type"))
		t = &kv->val;
	else
		t = rec_get(o, "type");
	if (t == NULL || t->type != MSGPACK_OBJECT_STR)
		return REC_IN(REC_UNKNOWN);
	return REC_IN(rec_type_of(t->via.str.ptr, t->via.str.size));
}

/* parent is the schema id of this map (0: the record, -1: unknown). */
static void
put_map(struct strbuf *b, const msgpack_object *o, int parent)
{
	const msgpack_object_kv *kv;
	enum key_type t, elem;
	unsigned in = parent == 0 ? record_in(o) : IN_ALL;
	uint32_t i;
	int id;

	sb_addc(b, '{');
	for (i = 0; i < o->via.map.size; i++) {
		kv = &o->via.map.ptr[i];
		if (i)
			sb_addc(b, ',');
		t = KT_NONE;
		id = -1;
		if (kv->key.type == MSGPACK_OBJECT_STR) {
			json_str(b, kv->key.via.str.ptr, kv->key.via.str.size);
			/* only bytes, maps, arrays are written by key type */
			if (parent >= 0 &&
			    (kv->val.type == MSGPACK_OBJECT_BIN ||
				kv->val.type == MSGPACK_OBJECT_MAP ||
				kv->val.type == MSGPACK_OBJECT_ARRAY))
				id = rec_key_find_in(parent, in,
				    kv->key.via.str.ptr, kv->key.via.str.size,
				    &t, &elem);
			if (id == 0)
				id = -1;
			if (t == KT_ARRAY)
				t = elem;
		} else {
			/* JSON keys are strings: show other keys as text. */
			struct strbuf k = { 0 };

			put_value(&k, &kv->key, -1, KT_NONE);
			if (k.len && k.p[0] == '"')
				sb_add(b, k.p, k.len);
			else
				json_str(b, k.p, k.len);
			free(k.p);
		}
		sb_addc(b, ':');
		put_value(b, &kv->val, id, t);
	}
	sb_addc(b, '}');
}

/* t is the known type at this path (for an array, its elements' type). */
static void
put_value(struct strbuf *b, const msgpack_object *o, int id, enum key_type t)
{
	char tmp[ADDR_TEXT_MAX];
	size_t n;
	uint32_t i;

	switch (o->type) {
	case MSGPACK_OBJECT_NIL: sb_adds(b, "null"); break;
	case MSGPACK_OBJECT_BOOLEAN:
		sb_adds(b, o->via.boolean ? "true" : "false");
		break;
	case MSGPACK_OBJECT_POSITIVE_INTEGER: put_u64(b, o->via.u64); break;
	case MSGPACK_OBJECT_NEGATIVE_INTEGER: put_i64(b, o->via.i64); break;
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64:
		if (isfinite(o->via.f64)) {
			snprintf(tmp, sizeof(tmp), "%.17g", o->via.f64);
			/* keep it a float when read back */
			if (strpbrk(tmp, ".eE") == NULL)
				strcat(tmp, ".0");
			sb_adds(b, tmp);
		} else
			sb_adds(b, "null");
		break;
	case MSGPACK_OBJECT_STR:
		json_str(b, o->via.str.ptr, o->via.str.size);
		break;
	case MSGPACK_OBJECT_BIN:
		if (t == KT_ADDR && o->via.bin.size <= ADDR_MAX) {
			n = addr_text(tmp, sizeof(tmp),
			    (const uint8_t *)o->via.bin.ptr, o->via.bin.size);
			json_str(b, tmp, n);
		} else
			put_hex(b, (const uint8_t *)o->via.bin.ptr,
			    o->via.bin.size);
		break;
	case MSGPACK_OBJECT_EXT:
		put_hex(b, (const uint8_t *)o->via.ext.ptr, o->via.ext.size);
		break;
	case MSGPACK_OBJECT_ARRAY:
		sb_addc(b, '[');
		for (i = 0; i < o->via.array.size; i++) {
			if (i)
				sb_addc(b, ',');
			put_value(b, &o->via.array.ptr[i], id, t);
		}
		sb_addc(b, ']');
		break;
	case MSGPACK_OBJECT_MAP: put_map(b, o, id); break;
	}
}

int
json_write(struct strbuf *b, const msgpack_object *obj)
{
	size_t start = b->len;

	put_value(b, obj, 0, KT_NONE);
	sb_addc(b, '\n');
	/* what the reader takes is what is written (nm-records(5)) */
	if (b->len - start > REC_MAX_SIZE) {
		b->len = start;
		sb_str(b);
		errno = EMSGSIZE;
		return -1;
	}
	sb_str(b);
	return 0;
}
