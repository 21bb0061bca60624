/*
 * What the unit tests of nm-decode share: the PASS/FAIL check, and frames
 * written as hex ("0800 4500 ..."; spaces ignored) into a buffer.
 */
#ifndef DECODE_TEST_H
#define DECODE_TEST_H

#include <stdio.h>

#include "pkt.h"

static int fails;
static struct pkt pk;

#define CHECK(name, cond)                                                      \
	do {                                                                   \
		if (cond)                                                      \
			printf("PASS: %s\n", name);                            \
		else {                                                         \
			printf("FAIL: %s: %s (line %d)\n", name, #cond,        \
			    __LINE__);                                         \
			fails++;                                               \
		}                                                              \
	} while (0)

struct buf {
	uint8_t b[66000]; /* an IPv4 datagram of 64 KiB */
	size_t n;
};

static void
put(struct buf *b, const char *hex)
{
	unsigned v;

	while (hex[0] && hex[1]) {
		if (hex[0] == ' ') {
			hex++;
			continue;
		}
		sscanf(hex, "%2x", &v);
		b->b[b->n++] = (uint8_t)v;
		hex += 2;
	}
}

#endif
