/*
 * The one bounds-checked reader for untrusted bytes: a cursor over
 * [p, end).  Every getter checks the remaining length first and, on
 * shortage, marks the cursor failed and returns 0, so a decoder can read a
 * whole header and test cur_ok() once.  cur_take() carves a sub-cursor of a
 * declared length so a header's options cannot read past the header.
 * Multi-byte getters assemble values byte by byte: no casts, no unaligned
 * loads.
 */
#ifndef CUR_H
#define CUR_H

#include <stddef.h>
#include <stdint.h>

struct cur {
	const uint8_t *p;
	const uint8_t *end;
	int bad; /* set once any read ran short */
};

static inline struct cur
cur_make(const void *p, size_t n)
{
	struct cur c = { (const uint8_t *)p, (const uint8_t *)p + n, 0 };

	return c;
}

static inline size_t
cur_left(const struct cur *c)
{
	return (size_t)(c->end - c->p);
}

static inline int
cur_ok(const struct cur *c)
{
	return !c->bad;
}

/* Marks the cursor failed unless n bytes remain; returns 1 when they do. */
static inline int
cur_need(struct cur *c, size_t n)
{
	if (c->bad || cur_left(c) < n) {
		c->bad = 1;
		return 0;
	}
	return 1;
}

static inline uint8_t
cur_u8(struct cur *c)
{
	if (!cur_need(c, 1))
		return 0;
	return *c->p++;
}

static inline uint16_t
cur_be16(struct cur *c)
{
	uint16_t v;

	if (!cur_need(c, 2))
		return 0;
	v = (uint16_t)(c->p[0] << 8 | c->p[1]);
	c->p += 2;
	return v;
}

static inline uint16_t
cur_le16(struct cur *c)
{
	uint16_t v;

	if (!cur_need(c, 2))
		return 0;
	v = (uint16_t)(c->p[1] << 8 | c->p[0]);
	c->p += 2;
	return v;
}

static inline uint32_t
cur_be32(struct cur *c)
{
	uint32_t v;

	if (!cur_need(c, 4))
		return 0;
	v = (uint32_t)c->p[0] << 24 | (uint32_t)c->p[1] << 16 |
	    (uint32_t)c->p[2] << 8 | c->p[3];
	c->p += 4;
	return v;
}

static inline uint32_t
cur_le32(struct cur *c)
{
	uint32_t v;

	if (!cur_need(c, 4))
		return 0;
	v = (uint32_t)c->p[3] << 24 | (uint32_t)c->p[2] << 16 |
	    (uint32_t)c->p[1] << 8 | c->p[0];
	c->p += 4;
	return v;
}

static inline uint64_t
cur_be64(struct cur *c)
{
	uint64_t hi = cur_be32(c);

	return hi << 32 | cur_be32(c);
}

/* Copies n bytes into dst (zero-filled on shortage). */
static inline int
cur_bytes(struct cur *c, void *dst, size_t n)
{
	size_t i;

	if (!cur_need(c, n)) {
		for (i = 0; i < n; i++)
			((uint8_t *)dst)[i] = 0;
		return 0;
	}
	for (i = 0; i < n; i++)
		((uint8_t *)dst)[i] = c->p[i];
	c->p += n;
	return 1;
}

/* Returns a pointer to the next n bytes without stepping, or NULL. */
static inline const uint8_t *
cur_view(const struct cur *c, size_t n)
{
	if (c->bad || cur_left(c) < n)
		return NULL;
	return c->p;
}

/* Returns a pointer to n bytes in place and steps over them, or NULL. */
static inline const uint8_t *
cur_ptr(struct cur *c, size_t n)
{
	const uint8_t *p = c->p;

	if (!cur_need(c, n))
		return NULL;
	c->p += n;
	return p;
}

static inline int
cur_skip(struct cur *c, size_t n)
{
	return cur_ptr(c, n) != NULL;
}

/*
 * Carves the next n bytes into *sub and steps over them.  When fewer remain
 * the sub-cursor gets what there is and the parent is marked failed, so a
 * caller can still decode a truncated header as far as it goes.
 */
static inline int
cur_take(struct cur *c, size_t n, struct cur *sub)
{
	size_t have = cur_left(c);

	if (c->bad) {
		*sub = cur_make(c->p, 0);
		sub->bad = 1;
		return 0;
	}
	if (have < n) {
		*sub = cur_make(c->p, have);
		c->p = c->end;
		c->bad = 1;
		return 0;
	}
	*sub = cur_make(c->p, n);
	c->p += n;
	return 1;
}

/* Peeks at byte off ahead without consuming; returns -1 past the end. */
static inline int
cur_peek(const struct cur *c, size_t off)
{
	if (c->bad || cur_left(c) <= off)
		return -1;
	return c->p[off];
}

#endif
