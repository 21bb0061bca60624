/*
 * The string buffer's one slow path: growing (strbuf.h has the appends).
 * The capacity doubles, so a buffer reused for every line of a stream
 * stops growing once it holds the longest, and a long line costs a
 * logarithmic number of copies.
 */
#include <stdint.h>

#include "nm.h"
#include "strbuf.h"

void
sb_grow(struct strbuf *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 256;

	while (cap - b->len < n) {
		if (cap > SIZE_MAX / 2)
			nm_die(NM_EXIT_FAIL, "out of memory");
		cap *= 2;
	}
	b->p = erealloc(b->p, cap);
	b->cap = cap;
}
