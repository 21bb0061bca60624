/*
 * The summaries that merge (sketch.h): HyperLogLog registers, weighted
 * Space-Saving counters and fixed-bucket histograms.  Everything here may
 * be fed figures read from another machine's records, so no input makes
 * it misbehave: sums saturate instead of wrapping, indexes come from
 * arithmetic that cannot leave their arrays, and a register or a count
 * out of range only spoils the figure it is in.  What a merge gives
 * depends on its inputs' contents alone (never on where a hash put
 * them), so the same inputs merged in the same order give the same bytes
 * on every machine and in every run.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nm.h"
#include "siphash.h"
#include "sketch.h"

static uint64_t
sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* --- HyperLogLog --- */

#define HLL_RMAX (64 - HLL_P + 1)

void
hll_clear(struct hll *h)
{
	memset(h->reg, 0, sizeof(h->reg));
}

/*
 * A fixed 64-bit hash, the same on every machine so that sketches merge:
 * each 8-byte little-endian word (the last zero-padded) mixed in with
 * multiply and rotate steps, then a final avalanche, with MurmurHash3's
 * 64-bit constants (Appleby, public domain).  Not keyed: anyone can
 * craft addresses to move an estimate, whatever the hash, since the one
 * every sensor uses must be known; HyperLogLog's figures are estimates
 * of honest traffic, and say so.  A keyed SipHash cost nm-stats a tenth
 * of its time for nothing more.
 */
#define MIX_C1 0x87c37b91114253d5ULL
#define MIX_C2 0x4cf5ad432745937fULL

static uint64_t
rotl64(uint64_t x, int r)
{
	return x << r | x >> (64 - r);
}

static uint64_t
fmix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

uint64_t
hll_hash(const void *key, size_t len)
{
	const uint8_t *p = key;
	uint64_t h = (uint64_t)len * MIX_C2, w;
	size_t i, n;

	for (i = 0; i < len; i += 8) {
		n = len - i < 8 ? len - i : 8;
		w = 0;
		memcpy(&w, p + i, n); /* little-endian hosts: see sketch.h */
		w = rotl64(w * MIX_C1, 31) * MIX_C2;
		h = rotl64(h ^ w, 27) * 5 + 0x52dce729;
	}
	return fmix64(h);
}

/*
 * The top HLL_P bits pick the register; the rank is where the first one
 * bit of the other 64 - HLL_P is (1 for the first), HLL_RMAX when they
 * are all zero.
 */
void
hll_add_hash(struct hll *sk, uint64_t h)
{
	size_t i = (size_t)(h >> (64 - HLL_P));
	uint64_t rest = h << HLL_P;
	uint8_t r;

	r = rest == 0 ? HLL_RMAX : (uint8_t)(__builtin_clzll(rest) + 1);
	if (sk->reg[i] < r)
		sk->reg[i] = r;
}

void
hll_add(struct hll *h, const void *key, size_t len)
{
	hll_add_hash(h, hll_hash(key, len));
}

void
hll_merge(struct hll *dst, const struct hll *src)
{
	size_t i;

	for (i = 0; i < HLL_M; i++)
		if (dst->reg[i] < src->reg[i])
			dst->reg[i] = src->reg[i];
}

/*
 * Flajolet, Fusy, Gandouet and Meunier (2007): the raw estimate
 * alpha_m m^2 / sum 2^-reg, and below 5m/2, while some register is still
 * zero, linear counting on the zero registers, which is the better
 * estimate there.  With a 64-bit hash no correction is needed at the top.
 * A register out of range (a sketch not checked with hll_valid) counts
 * as the largest power ldexp gives, never as a shift past 63.
 */
double
hll_count(const struct hll *h)
{
	const double m = HLL_M;
	double sum = 0, e;
	size_t i, zeros = 0;

	for (i = 0; i < HLL_M; i++) {
		sum += ldexp(1.0, -(int)h->reg[i]);
		zeros += h->reg[i] == 0;
	}
	e = 0.7213 / (1 + 1.079 / m) * m * m / sum;
	if (e <= 2.5 * m && zeros > 0)
		e = m * log(m / (double)zeros);
	return e;
}

uint64_t
hll_count_u64(const struct hll *h)
{
	double e = hll_count(h) + 0.5;

	if (!(e >= 1))
		return 0;
	return e >= 18446744073709551616.0 ? UINT64_MAX : (uint64_t)e;
}

double
hll_error(void)
{
	return 1.04 / 64; /* 1.04 / sqrt(2^12) */
}

int
hll_empty(const struct hll *h)
{
	size_t i;

	for (i = 0; i < HLL_M; i++)
		if (h->reg[i] != 0)
			return 0;
	return 1;
}

int
hll_valid(const struct hll *h)
{
	size_t i;

	for (i = 0; i < HLL_M; i++)
		if (h->reg[i] > HLL_RMAX)
			return 0;
	return 1;
}

/* --- Space-Saving --- */

/*
 * The entries are a binary min-heap on count, so the one a new key
 * replaces is e[0].  They are found through an open-addressing table:
 * s->slot holds nslot entry indexes (EMPTY where free; a power of two at
 * least 2k, so it is at most half full and probing stays short), linear
 * probing, and backward-shift deletion, so no tombstones pile up as keys
 * come and go.  The same allocation holds, after the nslot slots, the
 * slot of each entry (so moving an entry in the heap moves its index in
 * the table without a lookup) and, nslot / 2 (at least k) further on,
 * each entry's hash (so shifting a slot back knows where it belongs
 * without hashing again): where they are does not depend on k, which a
 * merge may lower.  The hash is SipHash-2-4 under the run key
 * (sip_run_key, as tab.c): records from the wire cannot be made to pile
 * up in one probe run.  Nothing in the
 * table decides which entries are kept or in what order they are
 * written: that is the heap's, whose moves depend on counts alone.
 */
#define EMPTY	UINT32_MAX
#define SS_KMAX (1u << 24)

static uint32_t *
eslot(const struct ss *s)
{
	return s->slot + s->nslot;
}

static uint32_t *
ehash(const struct ss *s)
{
	return s->slot + s->nslot + s->nslot / 2;
}

static uint32_t
ss_hash(const struct ss *s, const void *key)
{
	return (uint32_t)siphash24(sip_run_key(), key, s->keylen);
}

void
ss_init(struct ss *s, size_t k, size_t keylen)
{
	size_t nslot = 2;

	if (k == 0 || k > SS_KMAX || keylen == 0 || keylen > SS_KEYMAX)
		nm_die(NM_EXIT_FAIL,
		    "internal error: a Space-Saving sketch of %zu keys of "
		    "%zu bytes",
		    k, keylen);
	while (nslot < 2 * k)
		nslot *= 2;
	memset(s, 0, sizeof(*s));
	s->k = k;
	s->keylen = keylen;
	s->nslot = nslot;
	s->e = ecalloc(k, sizeof(*s->e));
	s->slot = ecalloc(2 * nslot, sizeof(*s->slot));
	memset(s->slot, 0xff, nslot * sizeof(*s->slot));
	(void)sip_run_key(); /* drawn now, before any sandbox */
}

void
ss_free(struct ss *s)
{
	free(s->e);
	free(s->slot);
	memset(s, 0, sizeof(*s));
}

void
ss_clear(struct ss *s)
{
	memset(s->e, 0, s->k * sizeof(*s->e));
	memset(s->slot, 0xff, s->nslot * sizeof(*s->slot));
	s->n = 0;
	s->total = s->total_other = 0;
}

/* The slot holding key, or the free slot where it would go. */
static size_t
ss_probe(const struct ss *s, const void *key, uint32_t h)
{
	size_t mask = s->nslot - 1, i = h & mask;

	while (s->slot[i] != EMPTY &&
	    memcmp(s->e[s->slot[i]].key, key, s->keylen) != 0)
		i = (i + 1) & mask;
	return i;
}

static struct ss_entry *
ss_find(const struct ss *s, const void *key)
{
	size_t i = ss_probe(s, key, ss_hash(s, key));

	return s->slot[i] == EMPTY ? NULL : &s->e[s->slot[i]];
}

/* Entry j takes a free table slot i, its key's hash being h. */
static void
ss_link(struct ss *s, size_t i, size_t j, uint32_t h)
{
	s->slot[i] = (uint32_t)j;
	eslot(s)[j] = (uint32_t)i;
	ehash(s)[j] = h;
}

/*
 * Frees slot i, moving back every later slot of its run that may sit
 * there (one whose home is not cyclically in (i, j]), so that every key
 * stays reachable from its home without a gap.
 */
static void
ss_unlink(struct ss *s, size_t i)
{
	size_t mask = s->nslot - 1, j = i, home;
	uint32_t x;

	for (;;) {
		s->slot[i] = EMPTY;
		for (;;) {
			j = (j + 1) & mask;
			if ((x = s->slot[j]) == EMPTY)
				return;
			home = ehash(s)[x] & mask;
			if (i <= j ? (home <= i || home > j)
				   : (home <= i && home > j))
				break;
		}
		s->slot[i] = x;
		eslot(s)[x] = (uint32_t)i;
		i = j;
	}
}

/*
 * The heap moves an entry by leaving a hole where it was and sliding the
 * others into it, its table slot, slot index and hash going with it.
 */
static inline void
ss_place(
    struct ss *s, size_t to, const struct ss_entry *e, uint32_t sl, uint32_t h)
{
	s->e[to] = *e;
	s->slot[sl] = (uint32_t)to;
	eslot(s)[to] = sl;
	ehash(s)[to] = h;
}

static void
ss_down(struct ss *s, size_t i)
{
	struct ss_entry t = s->e[i];
	uint32_t sl = eslot(s)[i], h = ehash(s)[i];
	size_t c;

	while ((c = 2 * i + 1) < s->n) {
		if (c + 1 < s->n && s->e[c + 1].count < s->e[c].count)
			c++;
		if (t.count <= s->e[c].count)
			break;
		ss_place(s, i, &s->e[c], eslot(s)[c], ehash(s)[c]);
		i = c;
	}
	ss_place(s, i, &t, sl, h);
}

static void
ss_up(struct ss *s, size_t i)
{
	struct ss_entry t = s->e[i];
	uint32_t sl = eslot(s)[i], h = ehash(s)[i];
	size_t p;

	while (i > 0 && s->e[p = (i - 1) / 2].count > t.count) {
		ss_place(s, i, &s->e[p], eslot(s)[p], ehash(s)[p]);
		i = p;
	}
	ss_place(s, i, &t, sl, h);
}

/* A new entry at the heap's end, linked at its free slot i. */
static struct ss_entry *
ss_append(struct ss *s, const void *key, size_t i, uint32_t h)
{
	struct ss_entry *e = &s->e[s->n];

	memset(e, 0, sizeof(*e));
	memcpy(e->key, key, s->keylen);
	ss_link(s, i, s->n, h);
	s->n++;
	return e;
}

void
ss_add(struct ss *s, const void *key, uint64_t w, uint64_t w2)
{
	uint32_t h = ss_hash(s, key);
	size_t i = ss_probe(s, key, h);
	struct ss_entry *e;
	uint32_t j;

	s->total = sat_add(s->total, w);
	s->total_other = sat_add(s->total_other, w2);
	if ((j = s->slot[i]) != EMPTY) {
		e = &s->e[j];
		e->count = sat_add(e->count, w);
		e->other = sat_add(e->other, w2);
		ss_down(s, j);
		return;
	}
	if (s->n < s->k) {
		e = ss_append(s, key, i, h);
		e->count = w;
		e->other = w2;
		ss_up(s, s->n - 1);
		return;
	}
	/*
	 * The smallest count goes; the new key inherits it as its error,
	 * since all of it may have been the old key's.  Unlinking may move
	 * slots, so the new key's free slot is looked for again after.
	 */
	e = &s->e[0];
	ss_unlink(s, eslot(s)[0]);
	e->err = e->count;
	e->count = sat_add(e->count, w);
	e->other = w2;
	memset(e->key, 0, sizeof(e->key));
	memcpy(e->key, key, s->keylen);
	ss_link(s, ss_probe(s, key, h), 0, h);
	ss_down(s, 0);
}

int
ss_put(
    struct ss *s, const void *key, uint64_t count, uint64_t err, uint64_t other)
{
	uint32_t h = ss_hash(s, key);
	size_t i = ss_probe(s, key, h);
	struct ss_entry *e;

	if (s->n >= s->k || s->slot[i] != EMPTY || err > count)
		return 0;
	e = ss_append(s, key, i, h);
	e->count = count;
	e->err = err;
	e->other = other;
	ss_up(s, s->n - 1);
	return 1;
}

uint64_t
ss_floor(const struct ss *s)
{
	return s->n == s->k && s->n > 0 ? s->e[0].count : 0;
}

/* Largest count first, then key order: the one order sketches are in. */
static int
ss_cmp(const struct ss_entry *a, const struct ss_entry *b)
{
	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return memcmp(a->key, b->key, sizeof(a->key));
}

static int
ss_cmp_ptr(const void *a, const void *b)
{
	return ss_cmp(*(const struct ss_entry *const *)a,
	    *(const struct ss_entry *const *)b);
}

static int
ss_cmp_entry(const void *a, const void *b)
{
	return ss_cmp(a, b);
}

const struct ss_entry **
ss_sorted(const struct ss *s, size_t *n)
{
	const struct ss_entry **v = emalloc((s->n ? s->n : 1) * sizeof(*v));
	size_t i;

	for (i = 0; i < s->n; i++)
		v[i] = &s->e[i];
	qsort(v, s->n, sizeof(*v), ss_cmp_ptr);
	*n = s->n;
	return v;
}

/* What key would have in a sketch of the other side: its entry, or the floor.
 */
static void
ss_combine(struct ss_entry *c, const struct ss_entry *mine,
    const struct ss *other, uint64_t other_floor)
{
	const struct ss_entry *o = ss_find(other, mine->key);

	*c = *mine;
	if (o == NULL) {
		c->count = sat_add(c->count, other_floor);
		c->err = sat_add(c->err, other_floor);
		return;
	}
	c->count = sat_add(c->count, o->count);
	c->err = sat_add(c->err, o->err);
	c->other = sat_add(c->other, o->other);
}

/*
 * Agarwal, Cormode, Huang, Phillips, Wei and Yi, "Mergeable summaries"
 * (2012): every key of either side gets the sum of its counts, a side
 * that lacks it adding its floor (all the key may have had there) to the
 * count and to the error; the k largest stay.  Each bound holds after:
 * a kept key's true count is the sum of its true counts on each side, so
 * within [count - err, count]; a key dropped or absent from both has at
 * most the sum of the floors, and every candidate's count is at least
 * that, so at most the new floor; and as each side's err and floor are
 * at most its total / k, the merged err is at most the merged total / k.
 * That last needs both sides to be of the same k: a sketch merged with
 * one of a smaller k takes that k (its bounds are no better).  The
 * result is rebuilt from the candidates sorted (count, then key), so it
 * depends on what the two sides hold, not on how their heaps or tables
 * are laid out: the heap is the kept entries in increasing order.
 */
void
ss_merge(struct ss *dst, const struct ss *src)
{
	uint64_t fd = ss_floor(dst), fs = ss_floor(src);
	struct ss_entry *c;
	size_t i, nc = 0, keep;

	if (src->keylen != dst->keylen)
		nm_die(NM_EXIT_FAIL,
		    "internal error: merging keys of %zu bytes into %zu",
		    src->keylen, dst->keylen);
	c = emalloc((dst->n + src->n + 1) * sizeof(*c));
	for (i = 0; i < dst->n; i++)
		ss_combine(&c[nc++], &dst->e[i], src, fs);
	for (i = 0; i < src->n; i++)
		if (ss_find(dst, src->e[i].key) == NULL)
			ss_combine(&c[nc++], &src->e[i], dst, fd);
	qsort(c, nc, sizeof(*c), ss_cmp_entry);
	if (src->k < dst->k)
		dst->k = src->k;
	keep = nc < dst->k ? nc : dst->k;
	memset(dst->slot, 0xff, dst->nslot * sizeof(*dst->slot));
	for (dst->n = 0; dst->n < keep; dst->n++) {
		const struct ss_entry *e = &c[keep - 1 - dst->n];
		uint32_t h = ss_hash(dst, e->key);

		dst->e[dst->n] = *e;
		ss_link(dst, ss_probe(dst, e->key, h), dst->n, h);
	}
	dst->total = sat_add(dst->total, src->total);
	dst->total_other = sat_add(dst->total_other, src->total_other);
	free(c);
}

/* --- histograms --- */

#define HIST_SUB (1u << HIST_SUB_BITS)

void
hist_clear(struct hist *h)
{
	memset(h, 0, sizeof(*h));
}

/*
 * Below HIST_EXACT a value is its bucket.  Above, for v in [2^p, 2^p+1)
 * (p > HIST_SUB_BITS), the HIST_SUB_BITS bits after the leading one are
 * the sub-bucket.
 */
size_t
hist_bucket(uint64_t v)
{
	unsigned p, shift;

	if (v < HIST_EXACT)
		return (size_t)v;
	p = 63 - (unsigned)__builtin_clzll(v);
	shift = p - HIST_SUB_BITS;
	return HIST_EXACT + (size_t)(p - HIST_SUB_BITS - 1) * HIST_SUB +
	    (size_t)((v >> shift) & (HIST_SUB - 1));
}

static void
hist_range(size_t i, uint64_t *lo, uint64_t *hi)
{
	unsigned p, shift;
	uint64_t sub;

	if (i >= HIST_NB)
		nm_die(NM_EXIT_FAIL, "internal error: histogram bucket %zu", i);
	if (i < HIST_EXACT) {
		*lo = *hi = i;
		return;
	}
	p = (unsigned)((i - HIST_EXACT) / HIST_SUB) + HIST_SUB_BITS + 1;
	sub = (i - HIST_EXACT) % HIST_SUB;
	shift = p - HIST_SUB_BITS;
	*lo = (HIST_SUB + sub) << shift;
	*hi = *lo + ((uint64_t)1 << shift) - 1;
}

uint64_t
hist_lo(size_t i)
{
	uint64_t lo, hi;

	hist_range(i, &lo, &hi);
	return lo;
}

uint64_t
hist_hi(size_t i)
{
	uint64_t lo, hi;

	hist_range(i, &lo, &hi);
	return hi;
}

void
hist_add(struct hist *h, uint64_t v)
{
	if (h->n == 0 || v < h->min)
		h->min = v;
	if (h->n == 0 || v > h->max)
		h->max = v;
	h->n = sat_add(h->n, 1);
	h->sum = sat_add(h->sum, v);
	h->b[hist_bucket(v)] = sat_add(h->b[hist_bucket(v)], 1);
}

void
hist_merge(struct hist *dst, const struct hist *src)
{
	size_t i;

	if (src->n == 0)
		return;
	if (dst->n == 0 || src->min < dst->min)
		dst->min = src->min;
	if (dst->n == 0 || src->max > dst->max)
		dst->max = src->max;
	dst->n = sat_add(dst->n, src->n);
	dst->sum = sat_add(dst->sum, src->sum);
	for (i = 0; i < HIST_NB; i++)
		dst->b[i] = sat_add(dst->b[i], src->b[i]);
}

/*
 * The rank wanted is ceil(q n), at least 1; the answer is the upper edge
 * of the bucket where the counts reach it, but never above max (nor, for
 * q = 0, other than min).  Counts that do not add up to n (a loaded
 * histogram) give max.
 */
uint64_t
hist_quantile(const struct hist *h, double q)
{
	uint64_t want, cum = 0;
	double t;
	size_t i;

	if (h->n == 0)
		return 0;
	if (!(q > 0))
		return h->min;
	t = q * (double)h->n;
	if (q >= 1 || t >= (double)h->n)
		want = h->n;
	else {
		want = (uint64_t)t;
		if ((double)want < t)
			want++;
		if (want == 0)
			want = 1;
	}
	for (i = 0; i < HIST_NB; i++) {
		cum = sat_add(cum, h->b[i]);
		if (cum >= want) {
			uint64_t hi = hist_hi(i);

			return hi < h->max ? hi : h->max;
		}
	}
	return h->max;
}
