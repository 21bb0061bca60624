/*
 * Unit tests of nm-decode's bounded reassembly (decode/reasm.c): bytes in
 * order and out of it, overlaps and duplicates (the first copy wins),
 * holes, the byte bound counted once per stream, the stream bound with
 * its least recently used eviction counted, and ageing by packet time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "nm.h"

#include "check.h"

#define SEC 1000000000ULL

/* Stream id's key: its four bytes, then zeros. */
static const uint8_t *
key_of(unsigned id)
{
	static uint8_t key[8];

	key[0] = (uint8_t)(id >> 24), key[1] = (uint8_t)(id >> 16);
	key[2] = (uint8_t)(id >> 8), key[3] = (uint8_t)id;
	return key;
}

static struct reasm *
stream(unsigned id, uint64_t ts)
{
	return reasm_new(key_of(id), 8, ts);
}

static struct reasm *
lookup(unsigned id, uint64_t ts)
{
	return reasm_find(key_of(id), 8, ts);
}

static size_t
add(struct reasm *r, uint64_t off, const char *s)
{
	return reasm_add(r, off, (const uint8_t *)s, strlen(s));
}

/* The contiguous start is s, in pieces pieces. */
static int
holds(const struct reasm *r, const char *s, uint32_t pieces)
{
	const uint8_t *p;
	uint32_t np;
	size_t n;

	p = reasm_data(r, &n, &np);
	return n == strlen(s) && memcmp(p, s, n) == 0 && np == pieces;
}

static void
test_order(void)
{
	struct reasm *r;

	r = stream(1, SEC);
	CHECK("in order: none yet", holds(r, "", 0));
	CHECK("in order: first", add(r, 0, "abc") == 3);
	CHECK("in order: second", add(r, 3, "def") == 6);
	CHECK("in order: bytes", holds(r, "abcdef", 2));
	reasm_free(r);

	r = stream(1, SEC);
	CHECK("out of order: after a hole", add(r, 3, "def") == 0);
	CHECK("out of order: nothing contiguous", holds(r, "", 1));
	CHECK("out of order: the hole filled", add(r, 0, "abc") == 6);
	CHECK("out of order: bytes", holds(r, "abcdef", 2));
	reasm_free(r);

	r = stream(1, SEC);
	add(r, 6, "gh");
	add(r, 3, "def");
	add(r, 9, "jk"); /* a run apart from 6..8 */
	CHECK("out of order: three runs", add(r, 0, "abc") == 8);
	add(r, 8, "i");
	CHECK("out of order: runs joined", holds(r, "abcdefghijk", 5));
	reasm_free(r);
}

static void
test_overlap(void)
{
	struct reasm *r;

	r = stream(2, SEC);
	add(r, 0, "abcd");
	CHECK("overlap: the new part only", add(r, 2, "XXef") == 6);
	CHECK("overlap: first copy wins", holds(r, "abcdef", 2));
	reasm_free(r);

	r = stream(2, SEC);
	add(r, 4, "efgh");
	add(r, 2, "XXYYZZij"); /* over the run's start and past its end */
	CHECK("overlap of a run: still a hole", add(r, 0, "ab") == 10);
	CHECK("overlap of a run: first copy wins", holds(r, "abXXefghij", 3));
	reasm_free(r);

	r = stream(2, SEC);
	add(r, 0, "abc");
	CHECK("duplicate: same length", add(r, 0, "abc") == 3);
	CHECK("duplicate: not a piece", holds(r, "abc", 1));
	CHECK("duplicate: inside", add(r, 1, "Z") == 3 && holds(r, "abc", 1));
	CHECK("empty piece", reasm_add(r, 3, NULL, 0) == 3);
	reasm_free(r);
}

static void
test_gaps(void)
{
	struct reasm *r;
	char s[4];
	unsigned i;

	r = stream(3, SEC);
	add(r, 0, "ab");
	add(r, 5, "fg");
	CHECK("gap: stops at the hole", holds(r, "ab", 2));
	reasm_free(r);

	/* runs at 10, 20, ... 80 are kept; a ninth apart is refused */
	r = stream(3, SEC);
	for (i = 1; i <= 8; i++) {
		snprintf(s, sizeof(s), "%u", i);
		add(r, 10 * i, s);
	}
	add(r, 95, "x");
	CHECK("gaps: eight runs", holds(r, "", 8));
	add(r, 0, "0123456789");
	CHECK("gaps: first joins", holds(r, "01234567891", 9));
	add(r, 95, "x"); /* room again */
	CHECK("gaps: room again", holds(r, "01234567891", 10));
	reasm_free(r);
}

static void
test_bytes(void)
{
	static uint8_t big[REASM_MAXBYTES + 100];
	uint64_t ev, ov0, ov;
	struct reasm *r;
	size_t n;

	memset(big, 'a', sizeof(big));
	reasm_counts(&ev, &ov0);
	r = stream(4, SEC);
	CHECK("bound: up to it",
	    reasm_add(r, 0, big, REASM_MAXBYTES) == REASM_MAXBYTES);
	reasm_counts(&ev, &ov);
	CHECK("bound: not yet counted", ov == ov0);
	CHECK("bound: past it dropped",
	    reasm_add(r, REASM_MAXBYTES, big, 10) == REASM_MAXBYTES);
	reasm_counts(&ev, &ov);
	CHECK("bound: counted", ov == ov0 + 1);
	reasm_add(r, REASM_MAXBYTES - 5, big, 100);
	reasm_add(r, (uint64_t)1 << 40, big, 1);
	reasm_counts(&ev, &ov);
	CHECK("bound: once per stream", ov == ov0 + 1);
	reasm_data(r, &n, NULL);
	CHECK("bound: length", n == REASM_MAXBYTES);
	reasm_free(r);

	r = stream(4, SEC);
	CHECK("bound: one piece past it",
	    reasm_add(r, 0, big, sizeof(big)) == REASM_MAXBYTES);
	reasm_counts(&ev, &ov);
	CHECK("bound: another stream counted", ov == ov0 + 2);
	reasm_free(r);
}

static void
test_streams(void)
{
	uint64_t ev0, ev, ov;
	unsigned i, ok;
	struct reasm *r;

	reasm_counts(&ev0, &ov);
	for (i = 0; i < REASM_MAXSTREAMS; i++) {
		r = stream(100 + i, 10 * SEC);
		*reasm_base(r) = i;
		add(r, 0, "x");
	}
	reasm_counts(&ev, &ov);
	CHECK("streams: a full table", ev == ev0);
	/* the first is used again: the second is the least recent */
	CHECK("streams: found",
	    (r = lookup(100, 10 * SEC)) != NULL && *reasm_base(r) == 0);
	stream(99, 10 * SEC);
	reasm_counts(&ev, &ov);
	CHECK("streams: one evicted", ev == ev0 + 1);
	CHECK("streams: the least recent went", lookup(101, 10 * SEC) == NULL);
	CHECK("streams: the recent one stays", lookup(100, 10 * SEC) != NULL);
	CHECK("streams: the new one", lookup(99, 10 * SEC) != NULL);
	for (i = 0; i < 5; i++)
		stream(90 - i, 10 * SEC);
	reasm_counts(&ev, &ov);
	CHECK("streams: five more evicted", ev == ev0 + 6);
	for (i = 2, ok = 1; i < 7; i++)
		ok &= lookup(100 + i, 10 * SEC) == NULL;
	CHECK("streams: in order of use", ok);
	CHECK("streams: the next stays",
	    (r = lookup(107, 10 * SEC)) != NULL && *reasm_base(r) == 7);

	/* all idle past the age: they go without counting */
	r = stream(5000, 10 * SEC + REASM_MAXAGE + 1);
	reasm_counts(&ev, &ov);
	CHECK("ageing: not evicted", ev == ev0 + 6);
	CHECK("ageing: the old ones gone",
	    lookup(107, 10 * SEC + REASM_MAXAGE + 1) == NULL);
	CHECK("ageing: the new one", lookup(5000, 11 * SEC) == r);
	reasm_free(r);
}

static void
test_age(void)
{
	struct reasm *r;

	r = stream(6, 100 * SEC);
	CHECK("age: within", lookup(6, 100 * SEC + REASM_MAXAGE) == r);
	CHECK("age: time going back", lookup(6, 50 * SEC) == r);
	/* a find keeps it alive from then on */
	CHECK("age: kept by use",
	    lookup(6, 100 * SEC + REASM_MAXAGE + REASM_MAXAGE) == r);
	CHECK("age: idle too long",
	    lookup(6, 100 * SEC + 3 * REASM_MAXAGE + 1) == NULL);
	r = stream(6, 500 * SEC);
	CHECK("age: a new start", r != NULL && lookup(6, 500 * SEC) == r);
	CHECK("age: a new start is empty", holds(r, "", 0));
	r = stream(6, 500 * SEC);
	CHECK("age: new replaces", lookup(6, 500 * SEC) == r);
	reasm_free(r);
	CHECK("age: freed", lookup(6, 500 * SEC) == NULL);
	reasm_free(NULL);
}

int
main(void)
{
	reasm_seed();
	test_order();
	test_overlap();
	test_gaps();
	test_bytes();
	test_streams();
	test_age();
	return failures != 0;
}
