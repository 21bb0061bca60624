/*
 * Unit tests of the summaries that merge (share/sketch.c), on fixed keys
 * and a fixed pseudo-random stream so every run sees the same figures.
 * HyperLogLog: estimates within three standard errors from 0 to a
 * million distinct keys, and the merge of two halves' sketches the same
 * bytes as the whole's, either way round.  Space-Saving: exact while the
 * keys fit; on skewed streams of more keys than counters, every bound the
 * header states checked against the true counts, for a sketch and for the
 * merge of its halves; the merge's bytes independent of how its inputs
 * were laid out; the merged top 10 the true top 10.  Histograms: the
 * buckets cover every 64-bit value without gap or overlap, within the
 * stated width; quantiles exact on small values; merges add exactly.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "sketch.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

/* xorshift64*: a fixed stream, nothing more is asked of it. */
static uint64_t
rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static void
mkkey(uint8_t *k, size_t len, uint64_t i)
{
	size_t j;

	memset(k, 0, len);
	for (j = 0; j < len; j++)
		k[j] = (uint8_t)(j < 8 ? i >> (8 * j) : 0xa0 + j);
}

/* --- HyperLogLog --- */

static void
hll_range(struct hll *h, uint64_t from, uint64_t to)
{
	uint64_t i;

	for (i = from; i < to; i++)
		hll_add(h, &i, sizeof(i));
}

static void
test_hll(void)
{
	static const uint64_t ns[] = { 0, 1, 100, 10000, 1000000 };
	static struct hll a, b, whole, ab, ba;
	char name[96];
	double e;
	size_t t;

	CHECK("hll: the error is 1.04 / sqrt(4096)",
	    fabs(hll_error() - 1.04 / 64) < 1e-12);
	for (t = 0; t < sizeof(ns) / sizeof(ns[0]); t++) {
		uint64_t n = ns[t];

		hll_clear(&a);
		hll_clear(&b);
		hll_clear(&whole);
		hll_range(&a, 0, n / 2);
		hll_range(&b, n / 2, n);
		hll_range(&whole, 0, n);
		e = hll_count(&whole);
		snprintf(name, sizeof(name),
		    "hll: %llu distinct keys estimated %.1f, within 3 "
		    "standard errors",
		    (unsigned long long)n, e);
		CHECK(name,
		    n == 0 ? e == 0
			   : fabs(e - (double)n) <= 3 * hll_error() * n);
		ab = a;
		hll_merge(&ab, &b);
		ba = b;
		hll_merge(&ba, &a);
		snprintf(name, sizeof(name),
		    "hll: %llu keys: the halves' merge is the whole's sketch",
		    (unsigned long long)n);
		CHECK(name, memcmp(&ab, &whole, sizeof(ab)) == 0);
		snprintf(name, sizeof(name),
		    "hll: %llu keys: the merge is commutative",
		    (unsigned long long)n);
		CHECK(name, memcmp(&ab, &ba, sizeof(ab)) == 0);
		CHECK(n == 0 ? "hll: empty when nothing was added"
			     : "hll: not empty once something was",
		    hll_empty(&whole) == (n == 0));
		CHECK("hll: registers in range", hll_valid(&whole));
	}
	hll_clear(&a);
	hll_add_hash(&a, 0);
	hll_add_hash(&a, UINT64_MAX);
	hll_add_hash(&a, (uint64_t)1 << 51); /* register 0, rank 1 + 0 */
	CHECK("hll: index from the top bits, rank of the rest",
	    a.reg[0] == 64 - HLL_P + 1 && a.reg[HLL_M - 1] == 1);
	hll_clear(&a);
	hll_add_hash(&a, (uint64_t)5 << 52 | (uint64_t)1 << 40);
	CHECK("hll: rank is leading zeros + 1", a.reg[5] == 12);
	a.reg[7] = 64 - HLL_P + 1;
	CHECK("hll: register of 53 valid", hll_valid(&a));
	a.reg[7] = 64 - HLL_P + 2;
	CHECK("hll: register of 54 refused", !hll_valid(&a));
	a.reg[7] = 255;
	e = hll_count(&a);
	CHECK("hll: out of range registers still give a number", e == e);
	memset(a.reg, 255, sizeof(a.reg));
	CHECK("hll_count_u64: loaded registers past the top give UINT64_MAX",
	    hll_count_u64(&a) == UINT64_MAX);
	memset(a.reg, 64 - HLL_P + 1, sizeof(a.reg));
	CHECK("hll_count_u64: every register at the top is UINT64_MAX",
	    hll_valid(&a) && hll_count(&a) > 1e19 &&
		hll_count_u64(&a) == UINT64_MAX);
	hll_clear(&a);
	CHECK("hll_count_u64: 0 of nothing", hll_count_u64(&a) == 0);
	hll_range(&a, 0, 100);
	CHECK("hll_count_u64: the estimate rounded",
	    hll_count_u64(&a) == (uint64_t)(hll_count(&a) + 0.5));
	CHECK("hll: the hash is SipHash under the fixed key",
	    hll_hash("", 0) == hll_hash("", 0) &&
		hll_hash("a", 1) != hll_hash("b", 1));
}

/* --- Space-Saving --- */

#define NKEYS 20000

static uint64_t truth[NKEYS];

struct item {
	uint32_t key;
	uint32_t w;
};

/* A Zipf-like stream of n items over nk keys, exponent s. */
static struct item *
zipf(size_t n, size_t nk, double s, int weighted)
{
	struct item *v = malloc(n * sizeof(*v));
	double *cdf = malloc(nk * sizeof(*cdf)), sum = 0;
	size_t i, lo, hi, mid;

	for (i = 0; i < nk; i++)
		cdf[i] = (sum += pow((double)(i + 1), -s));
	for (i = 0; i < n; i++) {
		double u = (double)(rnd() >> 11) / 9007199254740992.0 * sum;

		for (lo = 0, hi = nk - 1; lo < hi;) {
			mid = (lo + hi) / 2;
			if (cdf[mid] < u)
				lo = mid + 1;
			else
				hi = mid;
		}
		/* scatter the ranks over the key space */
		v[i].key = (uint32_t)((lo * 7919) % nk);
		v[i].w = weighted ? 1 + (uint32_t)(rnd() % 1500) : 1;
	}
	free(cdf);
	return v;
}

static void
feed(struct ss *s, const struct item *v, size_t from, size_t to)
{
	uint8_t k[SS_KEYMAX];
	size_t i;

	for (i = from; i < to; i++) {
		mkkey(k, s->keylen, v[i].key);
		ss_add(s, k, v[i].w, 1);
	}
}

static void
count_truth(const struct item *v, size_t n)
{
	size_t i;

	memset(truth, 0, sizeof(truth));
	for (i = 0; i < n; i++)
		truth[v[i].key] += v[i].w;
}

static uint64_t
key_of(const struct ss_entry *e)
{
	uint64_t i = 0;
	size_t j;

	for (j = 0; j < 8; j++)
		i |= (uint64_t)e->key[j] << (8 * j);
	return i;
}

/*
 * Every bound of sketch.h against truth[] over nk keys: a kept key's
 * true count in [count - err, count], err <= total / k, a key not kept
 * at most the floor; and the total right.
 */
static void
check_bounds(const char *what, const struct ss *s, size_t nk, int merged)
{
	static uint8_t kept[NKEYS];
	uint64_t total = 0, sum = 0, fl = ss_floor(s);
	int in = 1, err = 1, absent = 1;
	char name[128];
	size_t i;

	memset(kept, 0, sizeof(kept));
	for (i = 0; i < nk; i++)
		total += truth[i];
	for (i = 0; i < s->n; i++) {
		const struct ss_entry *e = &s->e[i];
		uint64_t t = truth[key_of(e)];

		kept[key_of(e)] = 1;
		sum += e->count;
		if (t > e->count || e->count - e->err > t)
			in = 0;
		if (e->err > e->count || e->err * s->k > total)
			err = 0;
	}
	for (i = 0; i < nk; i++)
		if (!kept[i] && truth[i] > fl)
			absent = 0;
	snprintf(name, sizeof(name), "ss: %s: total", what);
	CHECK(name, s->total == total);
	snprintf(name, sizeof(name),
	    "ss: %s: every kept key's true count in [count - err, count]",
	    what);
	CHECK(name, in);
	snprintf(name, sizeof(name), "ss: %s: every err <= total / k", what);
	CHECK(name, err);
	snprintf(name, sizeof(name),
	    "ss: %s: every key not kept at most the floor (%llu)", what,
	    (unsigned long long)fl);
	CHECK(name, absent);
	snprintf(name, sizeof(name), "ss: %s: full, floor <= total / k", what);
	CHECK(name, s->n == s->k && fl * s->k <= total);
	snprintf(name, sizeof(name), "ss: %s: the counts add up to %s", what,
	    merged ? "at most the total" : "the total");
	CHECK(name, merged ? sum <= total : sum == total);
}

/* Whether every kept key is found: adding 0 to each must change nothing. */
static int
lookups_hold(struct ss *s)
{
	const struct ss_entry **v;
	struct ss_entry *before;
	size_t n, m, i;
	int ok = 1;

	v = ss_sorted(s, &n);
	before = malloc((n + 1) * sizeof(*before));
	for (i = 0; i < n; i++)
		before[i] = *v[i];
	free(v);
	for (i = 0; i < n; i++)
		ss_add(s, before[i].key, 0, 0);
	v = ss_sorted(s, &m);
	if (m != n)
		ok = 0;
	for (i = 0; ok && i < n; i++)
		if (memcmp(v[i], &before[i], sizeof(before[i])) != 0)
			ok = 0;
	free(v);
	free(before);
	return ok;
}

static int
same_bytes(const struct ss *a, const struct ss *b)
{
	return a->n == b->n && a->k == b->k && a->total == b->total &&
	    a->total_other == b->total_other &&
	    memcmp(a->e, b->e, a->n * sizeof(*a->e)) == 0;
}

/* The same entries and totals, however laid out. */
static int
same_contents(const struct ss *a, const struct ss *b)
{
	const struct ss_entry **va, **vb;
	size_t na, nb, i;
	int ok;

	va = ss_sorted(a, &na);
	vb = ss_sorted(b, &nb);
	ok = na == nb && a->total == b->total &&
	    a->total_other == b->total_other;
	for (i = 0; ok && i < na; i++)
		ok = memcmp(va[i], vb[i], sizeof(*va[i])) == 0;
	free(va);
	free(vb);
	return ok;
}

static void
test_ss_exact(void)
{
	uint8_t k[SS_KEYMAX];
	uint64_t w[64] = { 0 };
	struct ss s;
	size_t i, nk;
	int ok;

	for (nk = 50; nk <= 64; nk += 14) {
		ss_init(&s, 64, 16);
		memset(w, 0, sizeof(w));
		for (i = 0; i < 5000; i++) {
			uint64_t key = rnd() % nk, x = 1 + rnd() % 100;

			w[key] += x;
			mkkey(k, 16, key);
			ss_add(&s, k, x, 2 * x);
		}
		ok = s.n == nk;
		for (i = 0; i < s.n; i++)
			if (s.e[i].count != w[key_of(&s.e[i])] ||
			    s.e[i].other != 2 * s.e[i].count || s.e[i].err != 0)
				ok = 0;
		CHECK(nk < 64 ? "ss: exact with fewer keys than counters"
			      : "ss: exact with as many keys as counters",
		    ok);
		CHECK(nk < 64 ? "ss: floor 0 while not full"
			      : "ss: floor the least count when full",
		    ss_floor(&s) == (nk < 64 ? 0 : s.e[0].count));
		ss_free(&s);
	}
}

static void
test_ss_put(void)
{
	uint8_t k[SS_KEYMAX];
	struct ss s, t;
	size_t n;
	const struct ss_entry **v;

	ss_init(&s, 2, 38);
	mkkey(k, 38, 1);
	CHECK("ss_put: a new key", ss_put(&s, k, 10, 2, 5) == 1);
	CHECK("ss_put: a key twice refused", ss_put(&s, k, 10, 2, 5) == 0);
	mkkey(k, 38, 2);
	CHECK("ss_put: err > count refused", ss_put(&s, k, 1, 2, 5) == 0);
	CHECK("ss_put: a second key", ss_put(&s, k, 3, 0, 5) == 1);
	mkkey(k, 38, 3);
	CHECK("ss_put: refused when full", ss_put(&s, k, 30, 0, 5) == 0);
	v = ss_sorted(&s, &n);
	CHECK("ss_sorted: largest first",
	    n == 2 && v[0]->count == 10 && v[1]->count == 3);
	free(v);
	CHECK("ss_put: min-heap kept", s.e[0].count == 3 && ss_floor(&s) == 3);
	/* a new key replaces the least, inheriting its count as err */
	ss_add(&s, k, 1, 7);
	v = ss_sorted(&s, &n);
	CHECK("ss_add: replacing the least",
	    n == 2 && key_of(v[1]) == 3 && v[1]->count == 4 && v[1]->err == 3 &&
		v[1]->other == 7);
	free(v);
	/* hostile figures saturate and do not wrap */
	ss_init(&t, 2, 38);
	mkkey(k, 38, 9);
	ss_put(&t, k, UINT64_MAX - 1, UINT64_MAX - 1, UINT64_MAX);
	t.total = UINT64_MAX;
	ss_add(&t, k, 10, 10);
	CHECK("ss_add: counts saturate",
	    t.e[0].count == UINT64_MAX && t.e[0].other == UINT64_MAX &&
		t.total == UINT64_MAX);
	ss_merge(&t, &t);
	ss_merge(&s, &t);
	CHECK("ss_merge: saturates on hostile figures",
	    s.n == 2 && s.total == UINT64_MAX);
	ss_free(&s);
	ss_free(&t);
	/* sorted output of an empty sketch */
	ss_init(&s, 4, 16);
	v = ss_sorted(&s, &n);
	CHECK("ss_sorted: empty", v != NULL && n == 0);
	free(v);
	ss_clear(&s);
	ss_free(&s);
}

/* Whether f(arg) ends the program with status 1 (a programming error). */
static int
dies(void (*f)(size_t), size_t arg)
{
	pid_t pid;
	int st;

	fflush(stdout);
	if ((pid = fork()) < 0)
		return 0;
	if (pid == 0) {
		if (freopen("/dev/null", "w", stderr) == NULL)
			_exit(9);
		f(arg);
		_exit(0);
	}
	return waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 1;
}

static void
init_keylen(size_t keylen)
{
	struct ss s;

	ss_init(&s, 4, keylen);
	ss_free(&s);
}

static void
init_k(size_t k)
{
	struct ss s;

	ss_init(&s, k, 16);
	ss_free(&s);
}

static void
merge_keylen(size_t keylen)
{
	static struct ss a, b; /* reachable still when the program ends */

	ss_init(&a, 4, 16);
	ss_init(&b, 4, keylen);
	ss_merge(&a, &b);
	ss_free(&a);
	ss_free(&b);
}

static void
bucket_edge(size_t i)
{
	(void)hist_lo(i);
}

static void
test_misuse(void)
{
	CHECK("ss_init: a key past SS_KEYMAX ends the program",
	    dies(init_keylen, SS_KEYMAX + 1) && !dies(init_keylen, SS_KEYMAX));
	CHECK(
	    "ss_init: a key of 0 bytes ends the program", dies(init_keylen, 0));
	CHECK("ss_init: k of 0 ends the program",
	    dies(init_k, 0) && !dies(init_k, 1));
	CHECK("ss_merge: keys of another length end the program",
	    dies(merge_keylen, 38) && !dies(merge_keylen, 16));
	CHECK("hist_lo: past the last bucket ends the program",
	    dies(bucket_edge, HIST_NB) && !dies(bucket_edge, HIST_NB - 1));
}

/* Heavy churn through tiny tables: deletion must keep every key found. */
static void
test_ss_churn(void)
{
	static const size_t ks[] = { 1, 2, 3, 5, 16, 100 };
	uint8_t k[SS_KEYMAX];
	struct ss s;
	size_t t, i;
	int ok = 1;

	for (t = 0; t < sizeof(ks) / sizeof(ks[0]); t++) {
		ss_init(&s, ks[t], 16);
		for (i = 0; i < 20000; i++) {
			mkkey(k, 16, rnd() % (3 * ks[t] + 1));
			ss_add(&s, k, 1 + rnd() % 3, 1);
			if (i % 1000 == 999 && !lookups_hold(&s))
				ok = 0;
		}
		ss_free(&s);
	}
	CHECK("ss: every kept key found after heavy churn", ok);
}

static void
copy_by_put(struct ss *dst, const struct ss *src)
{
	const struct ss_entry **v;
	size_t n, i;

	/* the entries in reverse order: another heap, another table */
	ss_init(dst, src->k, src->keylen);
	v = ss_sorted(src, &n);
	for (i = n; i-- > 0;)
		ss_put(dst, v[i]->key, v[i]->count, v[i]->err, v[i]->other);
	free(v);
	dst->total = src->total;
	dst->total_other = src->total_other;
}

static void
test_ss_stream(size_t keylen, int weighted)
{
	const size_t n = 200000, nk = 5000, k = 64;
	struct item *v = zipf(n, nk, 1.0, weighted);
	struct ss whole, a, b, m, a2;
	char what[64];

	ss_init(&whole, k, keylen);
	ss_init(&a, k, keylen);
	ss_init(&b, k, keylen);
	feed(&whole, v, 0, n);
	feed(&a, v, 0, n / 2);
	feed(&b, v, n / 2, n);
	count_truth(v, n);
	snprintf(what, sizeof(what), "%s stream, keys of %zu bytes",
	    weighted ? "weighted" : "unit", keylen);
	check_bounds(what, &whole, nk, 0);
	CHECK("ss: every kept key found", lookups_hold(&whole));

	ss_init(&m, k, keylen);
	ss_merge(&m, &a);
	CHECK(
	    "ss_merge: into an empty sketch is a copy", same_contents(&m, &a));
	ss_merge(&m, &b);
	snprintf(
	    what, sizeof(what), "merged halves, keys of %zu bytes", keylen);
	check_bounds(what, &m, nk, 1);
	CHECK("ss_merge: every kept key found", lookups_hold(&m));

	/* the same contents laid out otherwise merge to the same bytes */
	copy_by_put(&a2, &a);
	ss_merge(&a2, &b);
	ss_merge(&a, &b);
	CHECK("ss_merge: the bytes depend on the contents alone",
	    same_bytes(&a, &m) && same_bytes(&a2, &m));
	ss_free(&whole);
	ss_free(&a);
	ss_free(&b);
	ss_free(&m);
	ss_free(&a2);
	free(v);
}

static int
cmp_truth(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	if (truth[a] != truth[b])
		return truth[a] > truth[b] ? -1 : 1;
	return a < b ? -1 : a > b;
}

static void
test_ss_top10(void)
{
	const size_t n = 400000, nk = NKEYS, k = 512;
	struct item *v = zipf(n, nk, 1.2, 0);
	static uint32_t order[NKEYS];
	const struct ss_entry **top;
	struct ss a, b, ab, ba;
	size_t i, nt;
	int ok;

	ss_init(&a, k, 38);
	ss_init(&b, k, 38);
	feed(&a, v, 0, n / 2);
	feed(&b, v, n / 2, n);
	count_truth(v, n);
	for (i = 0; i < nk; i++)
		order[i] = (uint32_t)i;
	qsort(order, nk, sizeof(order[0]), cmp_truth);
	ss_init(&ab, k, 38);
	ss_merge(&ab, &a);
	ss_merge(&ab, &b);
	ss_init(&ba, k, 38);
	ss_merge(&ba, &b);
	ss_merge(&ba, &a);
	check_bounds("skewed stream, merged halves", &ab, nk, 1);
	CHECK("ss_merge: commutative, to the byte", same_bytes(&ab, &ba));
	top = ss_sorted(&ab, &nt);
	ok = nt >= 10 && truth[order[9]] > truth[order[10]];
	for (i = 0; ok && i < 10; i++)
		if (key_of(top[i]) != order[i])
			ok = 0;
	CHECK("ss_merge: the halves' top 10 is the true top 10", ok);
	free(top);
	ss_free(&a);
	ss_free(&b);
	ss_free(&ab);
	ss_free(&ba);
	free(v);
}

static void
test_ss_smaller_k(void)
{
	const size_t n = 50000, nk = 2000;
	struct item *v = zipf(n, nk, 1.0, 1);
	struct ss big, small;

	ss_init(&big, 128, 16);
	ss_init(&small, 32, 16);
	feed(&big, v, 0, n / 2);
	feed(&small, v, n / 2, n);
	count_truth(v, n);
	ss_merge(&big, &small);
	CHECK("ss_merge: takes the smaller k", big.k == 32);
	check_bounds("merged with a smaller k", &big, nk, 1);
	ss_free(&big);
	ss_free(&small);
	free(v);
}

/* --- histograms --- */

static void
test_hist(void)
{
	static struct hist h, a, b, whole;
	int cover = 1, width = 1;
	uint64_t v;
	size_t i;

	CHECK("hist: 1920 buckets", HIST_NB == 1920);
	for (i = 0; i < HIST_NB; i++) {
		uint64_t lo = hist_lo(i), hi = hist_hi(i);

		if (hist_bucket(lo) != i || hist_bucket(hi) != i || lo > hi ||
		    (i + 1 < HIST_NB && hi + 1 != hist_lo(i + 1)))
			cover = 0;
		if (i < HIST_EXACT ? hi != lo
				   : (hi - lo + 1) << HIST_SUB_BITS > lo)
			width = 0;
	}
	CHECK("hist: buckets contiguous from 0 to 2^64 - 1",
	    cover && hist_lo(0) == 0 && hist_hi(HIST_NB - 1) == UINT64_MAX);
	CHECK("hist: a bucket's width at most 1/32 of its lower edge", width);
	for (i = 0; i < 100000; i++) {
		v = rnd() >> (rnd() % 64);
		if (hist_lo(hist_bucket(v)) > v || hist_hi(hist_bucket(v)) < v)
			cover = 0;
	}
	CHECK("hist: random values in their buckets", cover);

	hist_clear(&h);
	CHECK("hist: quantile of nothing is 0", hist_quantile(&h, 0.5) == 0);
	for (v = 1; v <= 50; v++)
		hist_add(&h, v);
	CHECK("hist: q = 0 is min", hist_quantile(&h, 0) == 1);
	CHECK("hist: median of 1..50 is 25", hist_quantile(&h, 0.5) == 25);
	CHECK("hist: q = 0.02 of 1..50 is 1", hist_quantile(&h, 0.02) == 1);
	CHECK("hist: q = 0.021 of 1..50 is 2", hist_quantile(&h, 0.021) == 2);
	CHECK("hist: q = 0.99 of 1..50 is 50", hist_quantile(&h, 0.99) == 50);
	CHECK("hist: q = 1 is max", hist_quantile(&h, 1) == 50);
	CHECK("hist: n, sum, min, max",
	    h.n == 50 && h.sum == 1275 && h.min == 1 && h.max == 50);
	hist_add(&h, 1000);
	CHECK("hist: a quantile is capped by max",
	    hist_quantile(&h, 1) == 1000 && hist_hi(hist_bucket(1000)) > 1000);
	CHECK("hist: odd q give a value",
	    hist_quantile(&h, NAN) == 1 && hist_quantile(&h, -1) == 1 &&
		hist_quantile(&h, 7) == 1000);

	hist_clear(&a);
	hist_clear(&b);
	hist_clear(&whole);
	for (i = 0; i < 100000; i++) {
		v = rnd() % 1600 + (i % 100 == 0 ? rnd() >> (rnd() % 64) : 0);
		hist_add(i % 3 ? &a : &b, v);
		hist_add(&whole, v);
	}
	h = a;
	hist_merge(&h, &b);
	CHECK("hist: the merge of the parts is the whole",
	    memcmp(&h, &whole, sizeof(h)) == 0);
	h = b;
	hist_merge(&h, &a);
	CHECK("hist: the merge is commutative",
	    memcmp(&h, &whole, sizeof(h)) == 0);
	hist_clear(&b);
	h = a;
	hist_merge(&h, &b);
	CHECK("hist: merging an empty one changes nothing",
	    memcmp(&h, &a, sizeof(h)) == 0);
	hist_merge(&b, &a);
	CHECK("hist: merging into an empty one copies",
	    memcmp(&b, &a, sizeof(b)) == 0);

	hist_clear(&h);
	hist_add(&h, UINT64_MAX);
	hist_add(&h, UINT64_MAX);
	CHECK("hist: the sum saturates",
	    h.sum == UINT64_MAX && h.n == 2 && h.b[HIST_NB - 1] == 2 &&
		hist_quantile(&h, 0.5) == UINT64_MAX);
}

int
main(void)
{
	test_hll();
	test_ss_exact();
	test_ss_put();
	test_misuse();
	test_ss_churn();
	test_ss_stream(16, 0);
	test_ss_stream(38, 1);
	test_ss_top10();
	test_ss_smaller_k();
	test_hist();
	return failures != 0;
}
