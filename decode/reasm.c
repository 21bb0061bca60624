/*
 * The bounded reassembly of nm-decode: the starts of the streams whose
 * first message is still being gathered (a TCP direction's first TLS
 * flight or HTTP head, a QUIC connection's CRYPTO stream), so that a
 * parser can read a message that came in several pieces.  A stream is
 * known by opaque key bytes its caller makes; it holds the bytes from
 * offset 0 as far as they are contiguous, and up to REASM_MAXGAPS runs
 * of bytes that came early, beyond a hole.
 *
 * Everything is bounded.  The table has REASM_MAXSTREAMS slots (about
 * 0.8 MiB, allocated at the first stream); a stream's buffer is
 * allocated when bytes first come, grown as they reach further, never
 * past REASM_MAXBYTES, and freed with the stream: at worst 4096 × 16389
 * bytes, 64 MiB, when every slot holds a whole-size message; the few
 * kilobytes of a ClientHello are the usual case.  A stream idle for
 * REASM_MAXAGE of packet time is let go; a new stream in a full table
 * pushes out the least recently used one (counted: reasm_counts); bytes
 * past REASM_MAXBYTES are dropped, counted once per stream.
 *
 * Bytes the stream already has are kept: a retransmission or an
 * overlapping piece adds only the bytes it alone brings (the first copy
 * wins, as the BSD and Linux stacks do with overlapping segments), so a
 * later piece cannot rewrite what a parser may already have read.  A
 * piece that would make more than REASM_MAXGAPS runs beyond the holes is
 * dropped: a sender resends what went missing, and the holes before it
 * fill in order.
 *
 * The slot of a key comes from a keyed hash (share/siphash.c, keyed once
 * per run): someone on the wire cannot build keys that share one chain.
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "nm.h"
#include "siphash.h"

#define REASM_MAXGAPS 8			     /* runs beyond holes kept */
#define REASM_BUCKETS (2 * REASM_MAXSTREAMS) /* a power of two */
#define REASM_MINCAP  2048		     /* a buffer's first size */

struct run {
	uint32_t start, end; /* [start, end) of the stream */
};

struct reasm {
	uint8_t key[REASM_MAXKEY];
	uint8_t keylen;
	uint8_t used;
	uint8_t overflowed; /* counted already */
	uint8_t nruns;
	uint32_t len;	 /* the contiguous start: bytes [0, len) */
	uint32_t cap;	 /* buf's size */
	uint32_t pieces; /* adds that brought new bytes */
	uint32_t bucket;
	uint64_t ts;   /* the last packet's time */
	uint64_t base; /* the caller's */
	uint8_t *buf;
	struct run runs[REASM_MAXGAPS]; /* sorted, apart, all past len */
	/* the hash chain, and the list by last use (most recent first);
	 * indexes into tab, -1 at the ends */
	int32_t hnext, prev, next;
};

static struct reasm *tab;
static int32_t *heads;	      /* REASM_BUCKETS chains */
static int32_t freelist = -1; /* through hnext */
static int32_t lru_head = -1, lru_tail = -1;
static unsigned nused;
static uint64_t n_evicted, n_overflowed;

void
reasm_seed(void)
{
	(void)sip_run_key();
}

int
reasm_active(void)
{
	return nused != 0;
}

void
reasm_counts(uint64_t *evicted, uint64_t *overflowed)
{
	*evicted = n_evicted;
	*overflowed = n_overflowed;
}

static void
setup(void)
{
	int32_t i;

	tab = ecalloc(REASM_MAXSTREAMS, sizeof(*tab));
	heads = emalloc(REASM_BUCKETS * sizeof(*heads));
	for (i = 0; i < REASM_BUCKETS; i++)
		heads[i] = -1;
	for (i = REASM_MAXSTREAMS - 1; i >= 0; i--) {
		tab[i].hnext = freelist;
		freelist = i;
	}
}

static void
lru_unlink(struct reasm *r)
{
	if (r->prev >= 0)
		tab[r->prev].next = r->next;
	else
		lru_head = r->next;
	if (r->next >= 0)
		tab[r->next].prev = r->prev;
	else
		lru_tail = r->prev;
}

static void
lru_front(struct reasm *r)
{
	int32_t i = (int32_t)(r - tab);

	r->prev = -1;
	r->next = lru_head;
	if (lru_head >= 0)
		tab[lru_head].prev = i;
	else
		lru_tail = i;
	lru_head = i;
}

/*
 * A filter before the table: a count per slot of a plain (unkeyed, cheap)
 * hash of the key, of the streams held.  A segment of no stream being
 * gathered, nearly every segment, finds its count 0 and is not hashed
 * with SipHash at all.  A key crafted to share a slot costs only the
 * table's lookup, which the keyed hash guards.
 */
#define FILTER_SLOTS 65536
static uint16_t filter[FILTER_SLOTS]; /* at most REASM_MAXSTREAMS each */

static uint32_t
filter_slot(const uint8_t *key, size_t keylen)
{
	uint32_t h = 2166136261u; /* FNV-1a's offset basis and prime */
	size_t i;

	for (i = 0; i < keylen; i++)
		h = (h ^ key[i]) * 16777619u;
	return (h ^ h >> 16) & (FILTER_SLOTS - 1);
}

void
reasm_free(struct reasm *r)
{
	int32_t i, *pp;

	if (r == NULL || !r->used)
		return;
	filter[filter_slot(r->key, r->keylen)]--;
	i = (int32_t)(r - tab);
	for (pp = &heads[r->bucket]; *pp != i; pp = &tab[*pp].hnext)
		;
	*pp = r->hnext;
	lru_unlink(r);
	free(r->buf);
	memset(r, 0, sizeof(*r));
	r->hnext = freelist;
	freelist = i;
	nused--;
}

/* Idle past REASM_MAXAGE; a time that went back counts as recent. */
static int
aged(const struct reasm *r, uint64_t ts)
{
	return ts > r->ts && ts - r->ts > REASM_MAXAGE;
}

/* Lets go of the idle streams, oldest first: those at the list's end. */
static void
expire(uint64_t ts)
{
	while (lru_tail >= 0 && aged(&tab[lru_tail], ts))
		reasm_free(&tab[lru_tail]);
}

static uint32_t
bucket_of(const uint8_t *key, size_t keylen)
{
	return (uint32_t)(siphash24(sip_run_key(), key, keylen) &
	    (REASM_BUCKETS - 1));
}

static void
touch(struct reasm *r, uint64_t ts)
{
	if (ts > r->ts)
		r->ts = ts;
	lru_unlink(r);
	lru_front(r);
}

struct reasm *
reasm_find(const uint8_t *key, size_t keylen, uint64_t ts)
{
	struct reasm *r;
	int32_t i;

	/* no hashing while nothing is being gathered: the common case */
	if (nused == 0 || keylen > REASM_MAXKEY)
		return NULL;
	expire(ts);
	if (nused == 0 || filter[filter_slot(key, keylen)] == 0)
		return NULL;
	for (i = heads[bucket_of(key, keylen)]; i >= 0; i = tab[i].hnext) {
		r = &tab[i];
		if (r->keylen == keylen && memcmp(r->key, key, keylen) == 0) {
			touch(r, ts);
			return r;
		}
	}
	return NULL;
}

struct reasm *
reasm_new(const uint8_t *key, size_t keylen, uint64_t ts)
{
	struct reasm *r;
	int32_t i;

	if (keylen > REASM_MAXKEY)
		return NULL;
	if (tab == NULL)
		setup();
	if ((r = reasm_find(key, keylen, ts)) != NULL)
		reasm_free(r); /* a new start of the same stream */
	if (freelist < 0) {
		reasm_free(&tab[lru_tail]);
		n_evicted++;
	}
	i = freelist;
	r = &tab[i];
	freelist = r->hnext;
	memcpy(r->key, key, keylen);
	r->keylen = (uint8_t)keylen;
	r->used = 1;
	r->ts = ts;
	r->bucket = bucket_of(key, keylen);
	filter[filter_slot(key, keylen)]++;
	r->hnext = heads[r->bucket];
	heads[r->bucket] = i;
	lru_front(r);
	nused++;
	return r;
}

/* Room for the bytes up to end (at most REASM_MAXBYTES). */
static void
grow(struct reasm *r, uint32_t end)
{
	uint32_t cap = r->cap ? r->cap : REASM_MINCAP;

	while (cap < end)
		cap *= 2;
	if (cap > REASM_MAXBYTES)
		cap = REASM_MAXBYTES;
	if (cap > r->cap) {
		r->buf = erealloc(r->buf, cap);
		r->cap = cap;
	}
}

/* Copies the bytes of [a, b) that no run holds yet; returns how many. */
static size_t
copy_new(
    struct reasm *r, uint32_t a, uint32_t b, const uint8_t *p, uint64_t off)
{
	uint32_t pos = a, s, e;
	size_t n = 0;
	unsigned i;

	for (i = 0; i < r->nruns && pos < b; i++) {
		s = r->runs[i].start, e = r->runs[i].end;
		if (e <= pos)
			continue;
		if (s >= b)
			break;
		if (s > pos) {
			memcpy(r->buf + pos, p + (pos - off), s - pos);
			n += s - pos;
		}
		pos = e;
	}
	if (pos < b) {
		memcpy(r->buf + pos, p + (pos - off), b - pos);
		n += b - pos;
	}
	return n;
}

/*
 * Puts [a, b) among the runs, merged with those it overlaps or touches;
 * a run that now begins at the contiguous start joins it.
 */
static void
merge_run(struct reasm *r, uint32_t a, uint32_t b)
{
	struct run out[REASM_MAXGAPS + 1], u = { a, b };
	unsigned i, k = 0, placed = 0;

	for (i = 0; i < r->nruns; i++) {
		if (r->runs[i].end < a) {
			out[k++] = r->runs[i];
		} else if (r->runs[i].start > b) {
			if (!placed)
				out[k++] = u, placed = 1;
			out[k++] = r->runs[i];
		} else {
			if (r->runs[i].start < a)
				a = u.start = r->runs[i].start;
			if (r->runs[i].end > b)
				b = u.end = r->runs[i].end;
		}
	}
	if (!placed)
		out[k++] = u;
	i = 0;
	if (out[0].start <= r->len) {
		r->len = out[0].end;
		i = 1;
	}
	r->nruns = (uint8_t)(k - i);
	memcpy(r->runs, out + i, (k - i) * sizeof(out[0]));
}

size_t
reasm_add(struct reasm *r, uint64_t off, const uint8_t *p, size_t n)
{
	uint32_t a, b;
	unsigned i, touching = 0;

	if (off >= REASM_MAXBYTES || n > REASM_MAXBYTES - off) {
		if (!r->overflowed) {
			r->overflowed = 1;
			n_overflowed++;
		}
		n = off >= REASM_MAXBYTES ? 0 : REASM_MAXBYTES - (size_t)off;
	}
	if (n == 0)
		return r->len;
	b = (uint32_t)(off + n);
	a = off > r->len ? (uint32_t)off : r->len;
	if (a >= b)
		return r->len; /* nothing the stream lacks */
	for (i = 0; i < r->nruns; i++)
		if (r->runs[i].end >= a && r->runs[i].start <= b)
			touching++;
	if (a > r->len && r->nruns - touching + 1 > REASM_MAXGAPS)
		return r->len; /* too many holes: let it be resent */
	grow(r, b);
	if (copy_new(r, a, b, p, off) > 0)
		r->pieces++;
	merge_run(r, a, b);
	return r->len;
}

const uint8_t *
reasm_data(const struct reasm *r, size_t *len, uint32_t *pieces)
{
	*len = r->len;
	if (pieces != NULL)
		*pieces = r->pieces;
	return r->buf != NULL ? r->buf : (const uint8_t *)"";
}

uint64_t *
reasm_base(struct reasm *r)
{
	return &r->base;
}
