/*
 * The packer's slow paths: growing its buffer, and packing a whole
 * msgpack_object (a record passed on, or a key copied from upstream).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nm.h"
#include "pk.h"

void
pk_init(struct pk *b, size_t cap)
{
	memset(b, 0, sizeof(*b));
	b->count = &b->items[0];
	b->p = emalloc(cap ? cap : 1);
	b->len = 0;
	b->cap = cap ? cap : 1;
}

void
pk_free(struct pk *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

void
pk_grow(struct pk *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 64;

	while (cap - b->len < n)
		cap =
		    cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2; /* erealloc says */
	b->p = erealloc(b->p, cap);
	b->cap = cap;
}

/* A program packing deeper than any record may is a bug: say where. */
void
pk_open_deep(struct pk *b)
{
	(void)b;
	nm_die(NM_EXIT_FAIL,
	    "internal error: more than %d containers open "
	    "in one record",
	    PK_DEPTH);
}

/*
 * Closes a container of more than 15 entries: its contents move up to
 * make room for a 16- or 32-bit count.  A map with a key and no value is
 * a bug that would garble every later record: it ends the program.
 */
void
pk_close_long(struct pk *b, size_t n, int map)
{
	size_t at = b->head[b->depth], extra = n <= 0xffff ? 2 : 4;
	uint8_t *q;
	int i;

	if (map && (b->items[b->depth] & 1))
		nm_die(NM_EXIT_FAIL, "internal error: a map key with no value");
	b->count = &b->items[--b->depth];
	if (n <= 15) {
		b->p[at] = (char)((map ? 0x80 : 0x90) | n);
		return;
	}
	pk_room(b, extra);
	memmove(b->p + at + 1 + extra, b->p + at + 1, b->len - at - 1);
	b->len += extra;
	q = (uint8_t *)b->p + at;
	q[0] = (uint8_t)((map ? 0xde : 0xdc) + (extra == 4));
	for (i = 0; i < (int)extra; i++)
		q[1 + i] = (uint8_t)(n >> (8 * ((int)extra - 1 - i)));
}

/* Heads with a count known in advance: for copying whole objects. */
static void
pk_map_head(struct pk *b, size_t n)
{
	pk_head(b, n, 0x80, 15, 0, 0xde);
}

static void
pk_array_head(struct pk *b, size_t n)
{
	pk_head(b, n, 0x90, 15, 0, 0xdc);
}

/* Extension values: fixext for 1, 2, 4, 8 and 16 bytes, else ext 8/16/32. */
static void
pk_ext(struct pk *b, int8_t type, const char *p, uint32_t n)
{
	switch (n) {
	case 1: pk_put1(b, 0xd4); break;
	case 2: pk_put1(b, 0xd5); break;
	case 4: pk_put1(b, 0xd6); break;
	case 8: pk_put1(b, 0xd7); break;
	case 16: pk_put1(b, 0xd8); break;
	default:
		if (n <= 0xff)
			pk_putn(b, 0xc7, n, 1);
		else if (n <= 0xffff)
			pk_putn(b, 0xc8, n, 2);
		else
			pk_putn(b, 0xc9, n, 4);
		break;
	}
	pk_put1(b, (uint8_t)type);
	pk_raw(b, p, n);
}

/* pk_obj without counting: its values are one value to the packer. */
static void
pk_obj_body(struct pk *b, const msgpack_object *o)
{
	uint32_t i, f32;
	float f;

	switch (o->type) {
	case MSGPACK_OBJECT_NIL: pk_nil(b); break;
	case MSGPACK_OBJECT_BOOLEAN: pk_bool(b, o->via.boolean); break;
	case MSGPACK_OBJECT_POSITIVE_INTEGER: pk_uint(b, o->via.u64); break;
	case MSGPACK_OBJECT_NEGATIVE_INTEGER: pk_int(b, o->via.i64); break;
	case MSGPACK_OBJECT_FLOAT32:
		f = (float)o->via.f64;
		memcpy(&f32, &f, sizeof(f32));
		pk_putn(b, 0xca, f32, 4);
		break;
	case MSGPACK_OBJECT_FLOAT64: pk_double(b, o->via.f64); break;
	case MSGPACK_OBJECT_STR:
		pk_str(b, o->via.str.ptr, o->via.str.size);
		break;
	case MSGPACK_OBJECT_BIN:
		pk_bin(b, o->via.bin.ptr, o->via.bin.size);
		break;
	case MSGPACK_OBJECT_EXT:
		pk_ext(b, o->via.ext.type, o->via.ext.ptr, o->via.ext.size);
		break;
	case MSGPACK_OBJECT_ARRAY:
		pk_array_head(b, o->via.array.size);
		for (i = 0; i < o->via.array.size; i++)
			pk_obj_body(b, &o->via.array.ptr[i]);
		break;
	case MSGPACK_OBJECT_MAP:
		pk_map_head(b, o->via.map.size);
		for (i = 0; i < o->via.map.size; i++) {
			pk_obj_body(b, &o->via.map.ptr[i].key);
			pk_obj_body(b, &o->via.map.ptr[i].val);
		}
		break;
	}
}

void
pk_obj(struct pk *b, const msgpack_object *o)
{
	uint32_t n = *b->count;

	pk_obj_body(b, o);
	*b->count = n + 1;
}
