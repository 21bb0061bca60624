/*
 * The packer's slow paths: growing its buffer, and packing a whole
 * msgpack_object (a record passed on, or a key copied from upstream).
 */
#include <stdint.h>
#include <stdlib.h>

#include "nm.h"
#include "pk.h"

void
pk_init(struct pk *b, size_t cap)
{
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

	while (cap - b->len < n) {
		if (cap > SIZE_MAX / 2)
			nm_die(NM_EXIT_FAIL, "out of memory");
		cap *= 2;
	}
	b->p = erealloc(b->p, cap);
	b->cap = cap;
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

void
pk_obj(struct pk *b, const msgpack_object *o)
{
	uint32_t i, f32;
	float f;

	switch (o->type) {
	case MSGPACK_OBJECT_NIL:
		pk_nil(b);
		break;
	case MSGPACK_OBJECT_BOOLEAN:
		pk_bool(b, o->via.boolean);
		break;
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		pk_uint(b, o->via.u64);
		break;
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		pk_int(b, o->via.i64);
		break;
	case MSGPACK_OBJECT_FLOAT32:
		f = (float)o->via.f64;
		memcpy(&f32, &f, sizeof(f32));
		pk_putn(b, 0xca, f32, 4);
		break;
	case MSGPACK_OBJECT_FLOAT64:
		pk_double(b, o->via.f64);
		break;
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
		pk_array(b, o->via.array.size);
		for (i = 0; i < o->via.array.size; i++)
			pk_obj(b, &o->via.array.ptr[i]);
		break;
	case MSGPACK_OBJECT_MAP:
		pk_map(b, o->via.map.size);
		for (i = 0; i < o->via.map.size; i++) {
			pk_obj(b, &o->via.map.ptr[i].key);
			pk_obj(b, &o->via.map.ptr[i].val);
		}
		break;
	}
}
