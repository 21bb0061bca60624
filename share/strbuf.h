/*
 * The growing string buffer nm builds its text in: nm-render's lines and
 * the JSON writer's records.  Appends are inline and check room with one
 * compare; only growing is a call.  The bytes are not NUL-terminated as
 * they are appended (a store per append is measurable in nm-render):
 * sb_str() ends them with a NUL when a C string is wanted.  Growing
 * exits through erealloc() when memory runs out, like the e-functions of
 * nm.h.
 */
#ifndef STRBUF_H
#define STRBUF_H

#include <stddef.h>
#include <string.h>

/* Zero-initialised is empty; free(p) when done. */
struct strbuf {
	char *p;
	size_t len, cap;
};

/* Makes room for n more bytes (the slow path of sb_need); may exit. */
void sb_grow(struct strbuf *b, size_t n);

/* Makes room for n more bytes, to be stored at b->p + b->len. */
static inline void
sb_need(struct strbuf *b, size_t n)
{
	if (b->cap - b->len < n)
		sb_grow(b, n);
}

static inline void
sb_addc(struct strbuf *b, char c)
{
	sb_need(b, 1);
	b->p[b->len++] = c;
}

static inline void
sb_add(struct strbuf *b, const void *p, size_t n)
{
	sb_need(b, n);
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static inline void
sb_adds(struct strbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

static inline void
sb_spaces(struct strbuf *b, size_t n)
{
	sb_need(b, n);
	memset(b->p + b->len, ' ', n);
	b->len += n;
}

/* Ends the bytes with a NUL (not counted in len) and returns them. */
static inline char *
sb_str(struct strbuf *b)
{
	sb_need(b, 1);
	b->p[b->len] = '\0';
	return b->p;
}

#endif
