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

/*
 * Maps and arrays are opened and closed (pk_map_open ... pk_close), and
 * the packer counts what is written inside them and fills the count in
 * on close, in its shortest form: no count is written by hand, so none
 * can disagree with the entries that follow (one slip there would garble
 * every later record).  PK_DEPTH bounds the containers open at once;
 * records nest far less (REC_MAX_DEPTH).
 */
#define PK_DEPTH 32

struct pk {
	char *p;
	size_t len, cap;
	uint32_t *count;	      /* &items[depth] */
	unsigned depth;		      /* containers open */
	uint32_t items[PK_DEPTH + 1]; /* values written, per depth */
	size_t head[PK_DEPTH + 1];    /* where each one's head is */
	uint8_t map[PK_DEPTH + 1];    /* it is a map (else array) */
};

/*
 * The packer allocates through erealloc(): it never fails, it ends the
 * program when memory runs out.
 */
void pk_init(struct pk *b, size_t cap);
void pk_free(struct pk *b);
/* Makes room for n more bytes (the slow path of pk_room). */
void pk_grow(struct pk *b, size_t n);
/* Any msgpack_object, as msgpack-c's msgpack_pack_object would write it. */
void pk_obj(struct pk *b, const msgpack_object *o);
/* The slow paths of opening and closing containers. */
void pk_open_deep(struct pk *b);
void pk_close_long(struct pk *b, size_t n, int map);

/* One more value at the current depth (a map's key counts as one). */
#define PK_COUNT(b) ((*(b)->count)++)

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

/* Bytes already packed, not counted: see pk_raw_items(). */
PK_INLINE void
pk_raw(struct pk *b, const void *p, size_t n)
{
	memcpy(pk_room(b, n), p, n);
	b->len += n;
}

/* Bytes already packed that hold this many values (a key is one). */
PK_INLINE void
pk_raw_items(struct pk *b, const void *p, size_t n, uint32_t items)
{
	pk_raw(b, p, n);
	*b->count += items;
}

/* Container and string headers: fix form, then 8, 16 or 32 bits. */
PK_INLINE void
pk_head(
    struct pk *b, size_t n, uint8_t fix, size_t fixmax, uint8_t c8, uint8_t c16)
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

/*
 * Opens a container: one byte is kept for its head, the fix form; a
 * longer count makes pk_close() move the contents up (rare: records have
 * few keys, and a long array is worth the copy).
 */
PK_INLINE void
pk_open(struct pk *b, int map)
{
	PK_COUNT(b);
	if (b->depth == PK_DEPTH)
		pk_open_deep(b);
	b->depth++;
	b->count = &b->items[b->depth];
	*b->count = 0;
	b->head[b->depth] = b->len;
	b->map[b->depth] = (uint8_t)map;
	pk_put1(b, 0);
}

PK_INLINE void
pk_map_open(struct pk *b)
{
	pk_open(b, 1);
}

PK_INLINE void
pk_array_open(struct pk *b)
{
	pk_open(b, 0);
}

/* Closes the innermost container, writing its count. */
PK_INLINE void
pk_close(struct pk *b)
{
	unsigned d = b->depth;
	size_t n = b->map[d] ? b->items[d] / 2 : b->items[d];

	if (n <= 15 && !(b->map[d] && (b->items[d] & 1))) {
		b->p[b->head[d]] = (char)((b->map[d] ? 0x80 : 0x90) | n);
		b->count = &b->items[--b->depth];
	} else
		pk_close_long(b, n, b->map[d]);
}

PK_INLINE void
pk_str(struct pk *b, const char *s, size_t n)
{
	PK_COUNT(b);
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
	PK_COUNT(b);
	if (n <= 0xff)
		pk_putn(b, 0xc4, n, 1);
	else if (n <= 0xffff)
		pk_putn(b, 0xc5, n, 2);
	else
		pk_putn(b, 0xc6, n, 4);
	pk_raw(b, p, n);
}

/* An unsigned integer at q (9 bytes of room); the bytes it took. */
PK_INLINE size_t
pk_uint_at(uint8_t *q, uint64_t v)
{
	int n, i;

	if (v <= 0x7f) {
		q[0] = (uint8_t)v;
		return 1;
	}
	if (v <= 0xff)
		q[0] = 0xcc, n = 1;
	else if (v <= 0xffff)
		q[0] = 0xcd, n = 2;
	else if (v <= 0xffffffffu)
		q[0] = 0xce, n = 4;
	else
		q[0] = 0xcf, n = 8;
	for (i = 0; i < n; i++)
		q[1 + i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	return 1 + (size_t)n;
}

PK_INLINE void
pk_uint(struct pk *b, uint64_t v)
{
	uint8_t *q = pk_room(b, 9);

	b->len += pk_uint_at(q, v);
	PK_COUNT(b);
}

PK_INLINE void
pk_int(struct pk *b, int64_t v)
{
	if (v >= 0) {
		pk_uint(b, (uint64_t)v);
		return;
	}
	PK_COUNT(b);
	if (v >= -32)
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
	PK_COUNT(b);
	pk_put1(b, v ? 0xc3 : 0xc2);
}

PK_INLINE void
pk_nil(struct pk *b)
{
	PK_COUNT(b);
	pk_put1(b, 0xc0);
}

PK_INLINE void
pk_double(struct pk *b, double d)
{
	uint64_t v;

	memcpy(&v, &d, sizeof(v));
	PK_COUNT(b);
	pk_putn(b, 0xcb, v, 8);
}

/*
 * A key (a C string, nearly always a literal) and room for more bytes
 * after it, in one check; where the value goes.  The pair is counted by
 * the pk_k* helpers below, at once.
 */
PK_INLINE uint8_t *
pk_key(struct pk *b, const char *k, size_t more)
{
	size_t n = strlen(k);
	uint8_t *q;

	if (n > 31) {
		pk_head(b, n, 0xa0, 31, 0xd9, 0xda);
		pk_raw(b, k, n);
		return pk_room(b, more);
	}
	q = pk_room(b, 1 + n + more);
	q[0] = (uint8_t)(0xa0 | n);
	memcpy(q + 1, k, n);
	b->len += 1 + n;
	return q + 1 + n;
}

PK_INLINE void
pk_kstr(struct pk *b, const char *k, const char *v)
{
	size_t n = strlen(v);

	(void)pk_key(b, k, 0);
	pk_head(b, n, 0xa0, 31, 0xd9, 0xda);
	pk_raw(b, v, n);
	*b->count += 2;
}

PK_INLINE void
pk_ku(struct pk *b, const char *k, uint64_t v)
{
	uint8_t *q = pk_key(b, k, 9);

	b->len += pk_uint_at(q, v);
	*b->count += 2;
}

PK_INLINE void
pk_kbool(struct pk *b, const char *k, int v)
{
	uint8_t *q = pk_key(b, k, 1);

	*q = v ? 0xc3 : 0xc2;
	b->len += 1;
	*b->count += 2;
}

PK_INLINE void
pk_kbin(struct pk *b, const char *k, const void *p, size_t n)
{
	(void)pk_key(b, k, 0);
	PK_COUNT(b);
	pk_bin(b, p, n);
}

#endif
