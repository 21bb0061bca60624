/*
 * The one table behind nm-stats' connections and hosts and nm-detect's
 * state: fixed-size entries kept dense in chunks of CHUNK entries (so
 * growing never copies them and a scan touches only live ones), found through
 * an open-addressing index of 64-bit slots, linear probing, at most half full,
 * with backward-shift deletion so no tombstones pile up.  The hash is
 * SipHash-2-4 under a key drawn once per run (share/siphash.c): a keyed PRF, so
 * traffic cannot be shaped to collide without knowing the key.  (The multiply-
 * and-mix hash it replaced had collisions that held under every seed.)
 * Nothing is allocated per packet; the index doubles, and a chunk is
 * added, only as the table grows towards its cap.
 */
#include <stdlib.h>
#include <string.h>

#include "nm.h"
#include "tab.h"

#define CHUNK_SHIFT 14
#define CHUNK	    (1u << CHUNK_SHIFT)
#define MIN_SLOTS   1024

uint32_t
tab_hash(const struct tab *t, const void *key)
{
	return (uint32_t)siphash24(&t->key, key, t->keysize);
}

/* Keys are whole words: compared as such, without a call. */
static int
key_eq(const struct tab *t, const void *a, const void *b)
{
	const unsigned char *p = a, *q = b;
	uint64_t x, y, d = 0;
	size_t i;

	for (i = 0; i < t->keysize; i += 8) {
		memcpy(&x, p + i, 8);
		memcpy(&y, q + i, 8);
		d |= x ^ y;
	}
	return d == 0;
}

void
tab_init(struct tab *t, size_t esize, size_t keysize, size_t cap)
{
	memset(t, 0, sizeof(*t));
	t->esize = esize;
	t->keysize = keysize;
	t->cap = cap;
	t->nchunk = (cap + CHUNK - 1) / CHUNK;
	t->chunk = ecalloc(t->nchunk ? t->nchunk : 1, sizeof(*t->chunk));
	t->mask = MIN_SLOTS - 1;
	t->slot = ecalloc(MIN_SLOTS, sizeof(*t->slot));
	t->key = *sip_run_key();
}

void
tab_free(struct tab *t)
{
	size_t i;

	for (i = 0; i < t->nchunk; i++)
		free(t->chunk[i]);
	free(t->chunk);
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

void *
tab_at(const struct tab *t, size_t i)
{
	return t->chunk[i >> CHUNK_SHIFT] + (i & (CHUNK - 1)) * t->esize;
}

size_t
tab_bytes(const struct tab *t)
{
	size_t i, n = (t->mask + 1) * sizeof(*t->slot);

	for (i = 0; i < t->nchunk; i++)
		if (t->chunk[i] != NULL)
			n += (size_t)CHUNK * t->esize;
	return n;
}

/* The slot holding entry index i, whose key hashes to h. */
static size_t
slot_of(const struct tab *t, uint32_t h, size_t i)
{
	size_t s = h & t->mask;

	while ((t->slot[s] & 0xffffffffu) != i + 1)
		s = (s + 1) & t->mask;
	return s;
}

void *
tab_find_h(const struct tab *t, const void *key, uint32_t h, size_t *index)
{
	size_t s = h & t->mask;
	uint64_t v;
	void *e;

	while ((v = t->slot[s]) != 0) {
		if ((uint32_t)(v >> 32) == h) {
			e = tab_at(t, (size_t)(v & 0xffffffffu) - 1);
			if (key_eq(t, e, key)) {
				if (index != NULL)
					*index = (size_t)(v & 0xffffffffu) - 1;
				return e;
			}
		}
		s = (s + 1) & t->mask;
	}
	return NULL;
}

void *
tab_find_at(const struct tab *t, const void *key, size_t *index)
{
	return tab_find_h(t, key, tab_hash(t, key), index);
}

void *
tab_find(const struct tab *t, const void *key)
{
	return tab_find_h(t, key, tab_hash(t, key), NULL);
}

static void
put(struct tab *t, uint64_t v)
{
	size_t s = (v >> 32) & t->mask;

	while (t->slot[s] != 0)
		s = (s + 1) & t->mask;
	t->slot[s] = v;
}

static void
grow_index(struct tab *t)
{
	uint64_t *old = t->slot;
	size_t i, n = t->mask + 1;

	t->slot = ecalloc(n * 2, sizeof(*t->slot));
	t->mask = n * 2 - 1;
	for (i = 0; i < n; i++)
		if (old[i] != 0)
			put(t, old[i]);
	free(old);
}

void *
tab_insert(struct tab *t, const void *key)
{
	return tab_insert_h(t, key, tab_hash(t, key));
}

void *
tab_insert_h(struct tab *t, const void *key, uint32_t h)
{
	size_t i = t->count;
	unsigned char *e;

	if (t->count >= t->cap)
		nm_die(NM_EXIT_FAIL, "table over its cap"); /* a bug */
	if ((t->count + 1) * 2 > t->mask + 1)
		grow_index(t);
	if (t->chunk[i >> CHUNK_SHIFT] == NULL)
		t->chunk[i >> CHUNK_SHIFT] = emalloc((size_t)CHUNK * t->esize);
	e = tab_at(t, i);
	memset(e, 0, t->esize);
	memcpy(e, key, t->keysize);
	put(t, (uint64_t)h << 32 | (i + 1));
	t->count++;
	return e;
}

/*
 * Backward-shift deletion: after emptying a slot, pull later slots of the
 * same probe run back so every entry stays reachable from its home slot.
 */
static void
unslot(struct tab *t, size_t s)
{
	size_t j = s, home;

	t->slot[s] = 0;
	for (;;) {
		j = (j + 1) & t->mask;
		if (t->slot[j] == 0)
			return;
		home = (t->slot[j] >> 32) & t->mask;
		/* j may move to s when home is not cyclically in (s, j] */
		if (((j - home) & t->mask) >= ((j - s) & t->mask)) {
			t->slot[s] = t->slot[j];
			t->slot[j] = 0;
			s = j;
		}
	}
}

void
tab_remove(struct tab *t, size_t i)
{
	tab_remove_h(t, i, tab_hash(t, tab_at(t, i)));
}

void
tab_remove_h(struct tab *t, size_t i, uint32_t h0)
{
	size_t last = t->count - 1, s;
	unsigned char *e = tab_at(t, i);

	unslot(t, slot_of(t, h0, i));
	if (i != last) {
		unsigned char *l = tab_at(t, last);
		uint32_t h = tab_hash(t, l);

		s = slot_of(t, h, last);
		t->slot[s] = (uint64_t)h << 32 | (i + 1);
		memcpy(e, l, t->esize);
	}
	t->count--;
}

#define EVICT_LOOK 8

void
tab_evict(struct tab *t, size_t ts_off)
{
	static uint64_t pick = 0x2545f4914f6cdd1dULL;
	size_t i, n, victim = 0;
	uint64_t oldest = UINT64_MAX, ts;

	for (n = 0; n < EVICT_LOOK; n++) {
		pick ^= pick << 13;
		pick ^= pick >> 7;
		pick ^= pick << 17;
		i = (size_t)(pick % t->count);
		memcpy(&ts, (unsigned char *)tab_at(t, i) + ts_off, 8);
		if (ts < oldest)
			oldest = ts, victim = i;
	}
	tab_remove(t, victim);
}
