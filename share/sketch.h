/*
 * Summaries that merge: what nm-stats puts in a "summary" record so that
 * the figures of many streams (workers, sensors, days) can be added up
 * afterwards, exactly where that is possible and within a stated bound
 * where it is not.
 *
 *  - hll: distinct counts (HyperLogLog, dense registers, fixed precision
 *    and hash).  Two sketches of the same parameters merge by taking each
 *    register's maximum: the merge of the halves' sketches is the whole's
 *    sketch, bit for bit.  Relative standard error 1.04 / sqrt(2^p).
 *  - ss: heavy hitters (Space-Saving, weighted).  k counters; each kept key
 *    has a count that may exceed its true count by at most its err
 *    (count - err <= true <= count), and every key not kept has a true
 *    count of at most ss_floor().  Every err, and the floor, is at most
 *    total / k.  Merging adds counts (a key one side lacks gets that
 *    side's floor added to count and err) and keeps the k largest, and
 *    every one of these bounds still holds of the merge, against the
 *    true counts of everything merged.  With no more than k distinct
 *    keys a sketch is exact.
 *  - hist: fixed-bucket histograms of small integers (sizes).  Values below
 *    2^(HIST_SUB_BITS + 1) have a bucket each; above, each power of two is
 *    split in 2^HIST_SUB_BITS equal buckets, so a bucket's width is at most
 *    1/2^HIST_SUB_BITS of its lower edge.  Buckets add exactly; a quantile
 *    is exact to its bucket.
 *
 * Figures read from a record may be anything: no value makes these
 * functions misbehave (sums saturate at UINT64_MAX); a sketch not checked
 * (hll_valid, ss_put's refusals) only gives wrong figures.
 */
#ifndef SKETCH_H
#define SKETCH_H

#include <stddef.h>
#include <stdint.h>

/* --- HyperLogLog --- */

#define HLL_P 12 /* precision: 2^12 registers, 1.6% standard error */
#define HLL_M (1u << HLL_P)
/*
 * The hash every nm-stats uses, so that sketches from anywhere merge: a
 * fixed 64-bit mix of the key's bytes (sketch.c), the same on every
 * machine.  Written in the record as its name; a record with another
 * name is refused.  (A big-endian host would read the words in another
 * order: its sketches would carry another name.)
 */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HLL_HASH_NAME "mix64le:nm-hll-1"
#else
#define HLL_HASH_NAME "mix64be:nm-hll-1"
#endif

struct hll {
	uint8_t reg[HLL_M]; /* leading zeros + 1 of the hash's rest, max */
};

void hll_clear(struct hll *);
void hll_add(struct hll *, const void *key, size_t len);
void hll_add_hash(struct hll *, uint64_t h);
uint64_t hll_hash(const void *key, size_t len);
void hll_merge(struct hll *dst, const struct hll *src);
/*
 * The estimate (small counts by linear counting, as HLL's paper says).
 * Its error is at its worst where the two meet, around 2.5 * HLL_M =
 * 10240 distinct keys: measured there (100 random sets of 10000), a
 * bias of +1.5% and a standard deviation of 2.6%; elsewhere within
 * hll_error().
 */
double hll_count(const struct hll *);
/*
 * hll_count() rounded, as an integer: at most UINT64_MAX (registers near
 * their top, or loaded ones, give estimates past 2^64, which a plain
 * conversion of the double would not survive).
 */
uint64_t hll_count_u64(const struct hll *);
/* Relative standard error of hll_count(): 1.04 / sqrt(HLL_M). */
double hll_error(void);
int hll_empty(const struct hll *);
/* A register value out of range (> 64 - HLL_P + 1) in loaded bytes: 0. */
int hll_valid(const struct hll *);

/* --- Space-Saving --- */

#define SS_KEYMAX 40 /* bytes of a key: a connection's is 38 */

struct ss_entry {
	uint8_t key[SS_KEYMAX]; /* keylen bytes used, the rest zero */
	uint64_t count;		/* the ranked weight, over-estimated */
	uint64_t err;		/* count - err <= true count <= count */
	uint64_t other;		/* the second weight (bytes when count is
				   packets, and the other way round): what
				   was added while the key was kept */
};

struct ss {
	size_t k, keylen;
	size_t n;	    /* entries used */
	struct ss_entry *e; /* k of them, a min-heap on count */
	uint32_t *slot;	    /* hash table of entry indexes (nslot, a
			       power of two >= 2k), then sketch.c's own */
	size_t nslot;
	uint64_t total; /* the ranked weight of everything added */
	uint64_t total_other;
};

/*
 * k from 1 to 2^24, keylen from 1 to SS_KEYMAX: anything else is a
 * programming error (the program ends).  The index's hash is keyed with
 * sip_run_key(), drawn here: the first ss_init (or tab_init) of a
 * program comes before its sandbox.
 */
void ss_init(struct ss *, size_t k, size_t keylen);
void ss_free(struct ss *);
void ss_clear(struct ss *);
/*
 * Adds w (ranked) and w2 (other) to key (keylen bytes).  A key not kept,
 * when the sketch is full, takes the place of the least count, which
 * becomes its err (all of it may have been the old key's).
 */
void ss_add(struct ss *, const void *key, uint64_t w, uint64_t w2);
/*
 * Adds a kept entry as read from a record (count, err and other as
 * written): for loading a sketch (total and total_other are the
 * caller's to set); 0 when it is full, the key is there already, or
 * err > count.
 */
int ss_put(
    struct ss *, const void *key, uint64_t count, uint64_t err, uint64_t other);
/*
 * dst += src: both of the same keylen (else a programming error); dst
 * keeps its k, but for a src of a smaller k, whose k it takes (the
 * bounds are only as good as the coarser side's).  What dst holds after
 * depends on what the two held, not on how they were laid out: the same
 * inputs merged in the same order give the same bytes (e in increasing
 * (count, then decreasing key) order, which is a min-heap).
 */
void ss_merge(struct ss *dst, const struct ss *src);
/* The bound on what a key not kept may have: 0 unless the sketch is full. */
uint64_t ss_floor(const struct ss *);
/*
 * The kept entries, largest count first (ties: key bytes in increasing
 * order); n of them; an array the caller frees (never NULL), pointing
 * into s->e, valid until s changes.
 */
const struct ss_entry **ss_sorted(const struct ss *, size_t *n);

/* --- histograms --- */

#define HIST_SUB_BITS 5
#define HIST_EXACT    (1u << (HIST_SUB_BITS + 1)) /* 64 exact buckets */
#define HIST_NB	      (HIST_EXACT + (64 - HIST_SUB_BITS - 1) * (1u << HIST_SUB_BITS))

struct hist {
	uint64_t n, sum, min, max; /* sum saturates at UINT64_MAX */
	uint64_t b[HIST_NB];
};

void hist_clear(struct hist *);
void hist_add(struct hist *, uint64_t v);
void hist_merge(struct hist *dst, const struct hist *src);
size_t hist_bucket(uint64_t v);
/* The values bucket i (< HIST_NB) holds: [lo, hi], both included. */
uint64_t hist_lo(size_t i);
uint64_t hist_hi(size_t i);
/*
 * The smallest bucket's upper edge at or below which at least q (0 to 1)
 * of the values are (at least ceil(q n) of them), capped by max: exact
 * for values below HIST_EXACT, else above the true quantile by less than
 * 1/2^HIST_SUB_BITS of it.  q = 0 (or NaN) gives min, q >= 1 max, 0 when
 * empty.
 */
uint64_t hist_quantile(const struct hist *, double q);

#endif
