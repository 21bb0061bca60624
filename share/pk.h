/*
 * The msgpack packer every nm program writes its records with.
 *
 * It appends straight into one growing buffer with inline code: a record
 * is some fifty small pieces (keys, integers, short strings), and packing
 * each through a callback, as msgpack-c's packer does, cost nm-decode a
 * third of its time.  Every value takes its shortest msgpack form, as the
 * msgpack specification recommends (and as msgpack-c writes them).
 */
#ifndef PK_H
#define PK_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <msgpack.h>

/*
 * Always inline: a key is nearly always a literal, and inlined, its
 * strlen and copy fold into a few stores.
 */
#define PK_INLINE static inline __attribute__((always_inline))

struct pk {
	char	*p;
	size_t	 len, cap;
};

void pk_init(struct pk *b, size_t cap);
void pk_free(struct pk *b);
/* Makes room for n more bytes (the slow path of pk_room). */
void pk_grow(struct pk *b, size_t n);
/* Any msgpack_object, as msgpack-c's msgpack_pack_object would write it. */
void pk_obj(struct pk *b, const msgpack_object *o);

PK_INLINE uint8_t *
pk_room(struct pk *b, size_t n)
{
	if (b->cap - b->len < n)
		pk_grow(b, n);
	return (uint8_t *)b->p + b->len;
}

PK_INLINE void
pk_put1(struct pk *b, uint8_t c)
{
	*pk_room(b, 1) = c;
	b->len += 1;
}

/* A type byte followed by an n-byte big-endian value (n: 1, 2, 4, 8). */
PK_INLINE void
pk_putn(struct pk *b, uint8_t c, uint64_t v, int n)
{
	uint8_t *q = pk_room(b, 9);
	int i;

	q[0] = c;
	for (i = 0; i < n; i++)
		q[1 + i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	b->len += 1 + (size_t)n;
}

PK_INLINE void
pk_raw(struct pk *b, const void *p, size_t n)
{
	memcpy(pk_room(b, n), p, n);
	b->len += n;
}

/* Container and string headers: fix form, then 8, 16 or 32 bits. */
PK_INLINE void
pk_head(struct pk *b, size_t n, uint8_t fix, size_t fixmax, uint8_t c8,
    uint8_t c16)
{
	if (n <= fixmax)
		pk_put1(b, (uint8_t)(fix | n));
	else if (c8 != 0 && n <= 0xff)
		pk_putn(b, c8, n, 1);
	else if (n <= 0xffff)
		pk_putn(b, c16, n, 2);
	else
		pk_putn(b, (uint8_t)(c16 + 1), n, 4);
}

PK_INLINE void
pk_map(struct pk *b, size_t n)
{
	pk_head(b, n, 0x80, 15, 0, 0xde);
}

PK_INLINE void
pk_array(struct pk *b, size_t n)
{
	pk_head(b, n, 0x90, 15, 0, 0xdc);
}

PK_INLINE void
pk_str(struct pk *b, const char *s, size_t n)
{
	pk_head(b, n, 0xa0, 31, 0xd9, 0xda);
	pk_raw(b, s, n);
}

PK_INLINE void
pk_cstr(struct pk *b, const char *s)
{
	pk_str(b, s, strlen(s));
}

PK_INLINE void
pk_bin(struct pk *b, const void *p, size_t n)
{
	if (n <= 0xff)
		pk_putn(b, 0xc4, n, 1);
	else if (n <= 0xffff)
		pk_putn(b, 0xc5, n, 2);
	else
		pk_putn(b, 0xc6, n, 4);
	pk_raw(b, p, n);
}

PK_INLINE void
pk_uint(struct pk *b, uint64_t v)
{
	if (v <= 0x7f)
		pk_put1(b, (uint8_t)v);
	else if (v <= 0xff)
		pk_putn(b, 0xcc, v, 1);
	else if (v <= 0xffff)
		pk_putn(b, 0xcd, v, 2);
	else if (v <= 0xffffffffu)
		pk_putn(b, 0xce, v, 4);
	else
		pk_putn(b, 0xcf, v, 8);
}

PK_INLINE void
pk_int(struct pk *b, int64_t v)
{
	if (v >= 0)
		pk_uint(b, (uint64_t)v);
	else if (v >= -32)
		pk_put1(b, (uint8_t)v);
	else if (v >= INT8_MIN)
		pk_putn(b, 0xd0, (uint64_t)v, 1);
	else if (v >= INT16_MIN)
		pk_putn(b, 0xd1, (uint64_t)v, 2);
	else if (v >= INT32_MIN)
		pk_putn(b, 0xd2, (uint64_t)v, 4);
	else
		pk_putn(b, 0xd3, (uint64_t)v, 8);
}

PK_INLINE void
pk_bool(struct pk *b, int v)
{
	pk_put1(b, v ? 0xc3 : 0xc2);
}

PK_INLINE void
pk_nil(struct pk *b)
{
	pk_put1(b, 0xc0);
}

PK_INLINE void
pk_double(struct pk *b, double d)
{
	uint64_t v;

	memcpy(&v, &d, sizeof(v));
	pk_putn(b, 0xcb, v, 8);
}

/* A key (a C string) and its value. */
PK_INLINE void
pk_kstr(struct pk *b, const char *k, const char *v)
{
	pk_cstr(b, k);
	pk_cstr(b, v);
}

PK_INLINE void
pk_ku(struct pk *b, const char *k, uint64_t v)
{
	pk_cstr(b, k);
	pk_uint(b, v);
}

PK_INLINE void
pk_kbool(struct pk *b, const char *k, int v)
{
	pk_cstr(b, k);
	pk_bool(b, v);
}

PK_INLINE void
pk_kbin(struct pk *b, const char *k, const void *p, size_t n)
{
	pk_cstr(b, k);
	pk_bin(b, p, n);
}

#endif
