/*
 * Top-N lists: one pass over a table keeping the N best in a min-heap
 * (O(entries log N), no allocation but the caller's arrays), then sorted
 * best first.  Ties are broken by the other measure, then by the key
 * (and for connections on the same addresses and ports, the earlier
 * first), so the lists do not depend on the order entries happen to sit
 * in a table, and a replay gives the same lists as the live run.
 *
 * Connections that have ended compete too: each one that leaves the table
 * is offered to a keep (struct top_keep), a heap of copies of the N best
 * ended so far, and the list is drawn from the keep and the table
 * together.  An ended connection never changes again, so the N best of
 * all connections are among the N best ended and those still tracked:
 * exact, in N copies of memory, whatever the number of connections.
 */
#include <stdlib.h>
#include <string.h>

#include "nm.h"
#include "stats.h"

struct cand {
	uint64_t v, v2; /* ranking measure, then the other */
	uint64_t v3;	/* after the key, the lower first */
	const void *key;
	size_t keylen;
	const void *item;
};

/* > 0 when a ranks above b. */
static int
better(const struct cand *a, const struct cand *b)
{
	int c;

	if (a->v != b->v)
		return a->v > b->v ? 1 : -1;
	if (a->v2 != b->v2)
		return a->v2 > b->v2 ? 1 : -1;
	c = memcmp(a->key, b->key, a->keylen);
	if (c != 0)
		return c < 0 ? 1 : -1;
	return a->v3 < b->v3 ? 1 : a->v3 > b->v3 ? -1 : 0;
}

struct heap {
	struct cand *c;
	size_t n, max;
};

static void
swap(struct cand *a, struct cand *b)
{
	struct cand t = *a;

	*a = *b;
	*b = t;
}

static void
heap_push(struct heap *h, const struct cand *x)
{
	size_t i = h->n++;

	h->c[i] = *x;
	while (i > 0 && better(&h->c[(i - 1) / 2], &h->c[i]) > 0) {
		swap(&h->c[(i - 1) / 2], &h->c[i]);
		i = (i - 1) / 2;
	}
}

/* The root is the worst kept: x takes its place and sinks to its own. */
static void
heap_replace_root(struct heap *h, const struct cand *x)
{
	size_t i, l, m;

	h->c[0] = *x;
	for (i = 0;;) {
		l = 2 * i + 1;
		m = i;
		if (l < h->n && better(&h->c[m], &h->c[l]) > 0)
			m = l;
		if (l + 1 < h->n && better(&h->c[m], &h->c[l + 1]) > 0)
			m = l + 1;
		if (m == i)
			break;
		swap(&h->c[i], &h->c[m]);
		i = m;
	}
}

/* A newcomer only has to beat the root. */
static void
heap_offer(struct heap *h, const struct cand *x)
{
	if (h->max == 0 || x->v == 0)
		return;
	if (h->n < h->max)
		heap_push(h, x);
	else if (better(x, &h->c[0]) > 0)
		heap_replace_root(h, x);
}

static int
cmp_desc(const void *x, const void *y)
{
	return -better(x, y);
}

static void
heap_sort(struct heap *h)
{
	qsort(h->c, h->n, sizeof(*h->c), cmp_desc);
}

static void
rank(struct cand *c, enum top_by by, uint64_t p, uint64_t b)
{
	c->v = by == TOP_BYTES ? b : p;
	c->v2 = by == TOP_BYTES ? p : b;
	c->v3 = 0;
}

static void
flow_cand(struct cand *c, enum top_by by, const struct flow *f)
{
	rank(c, by, f->pkts[0] + f->pkts[1], f->bytes[0] + f->bytes[1]);
	c->v3 = f->first;
	c->key = &f->k;
	c->keylen = sizeof(f->k);
	c->item = f;
}

size_t
top_hosts(const struct tab *t, enum top_by by, int which,
    const struct host **out, size_t n)
{
	struct heap h = { ecalloc(n ? n : 1, sizeof(struct cand)), 0, n };
	const struct host *e;
	struct cand c;
	size_t i;

	for (i = 0; i < t->count; i++) {
		e = tab_at(t, i);
		if (which == TOP_TX)
			rank(&c, by, e->txp, e->txb);
		else if (which == TOP_RX)
			rank(&c, by, e->rxp, e->rxb);
		else
			rank(&c, by, e->txp + e->rxp, e->txb + e->rxb);
		c.key = &e->k;
		c.keylen = sizeof(e->k);
		c.item = e;
		heap_offer(&h, &c);
	}
	heap_sort(&h);
	for (i = 0; i < h.n; i++)
		out[i] = h.c[i].item;
	free(h.c);
	return h.n;
}

void
keep_init(struct top_keep *k, size_t max, enum top_by by)
{
	memset(k, 0, sizeof(*k));
	k->f = ecalloc(max ? max : 1, sizeof(*k->f));
	k->heap = ecalloc(max ? max : 1, sizeof(*k->heap));
	k->max = max;
	k->by = by;
}

void
keep_free(struct top_keep *k)
{
	free(k->f);
	free(k->heap);
	memset(k, 0, sizeof(*k));
}

/*
 * A copy of f when it ranks among the best kept: into a free slot, or
 * over the worst kept, whose heap entry it then takes.
 */
void
keep_offer(struct top_keep *k, const struct flow *f)
{
	struct heap h = { k->heap, k->n, k->max };
	struct cand x;
	size_t i;

	flow_cand(&x, k->by, f);
	if (k->max == 0 || x.v == 0)
		return;
	if (k->n < k->max) {
		k->f[k->n] = *f;
		flow_cand(&x, k->by, &k->f[k->n]);
		heap_push(&h, &x);
	} else if (better(&x, &h.c[0]) > 0) {
		i = (size_t)((const struct flow *)h.c[0].item - k->f);
		k->f[i] = *f;
		flow_cand(&x, k->by, &k->f[i]);
		heap_replace_root(&h, &x);
	}
	k->n = h.n;
}

size_t
top_flows(const struct tab *t, const struct top_keep *keep, enum top_by by,
    const struct flow **out, size_t n)
{
	struct heap h = { ecalloc(n ? n : 1, sizeof(struct cand)), 0, n };
	struct cand c;
	size_t i;

	for (i = 0; keep != NULL && i < keep->n; i++) {
		flow_cand(&c, by, &keep->f[i]);
		heap_offer(&h, &c);
	}
	for (i = 0; i < t->count; i++) {
		flow_cand(&c, by, tab_at(t, i));
		heap_offer(&h, &c);
	}
	heap_sort(&h);
	for (i = 0; i < h.n; i++)
		out[i] = h.c[i].item;
	free(h.c);
	return h.n;
}

size_t
top_ports(const struct agg *a, enum top_by by, struct top_port *out, size_t n)
{
	struct heap h = { ecalloc(n ? n : 1, sizeof(struct cand)), 0, n };
	uint32_t *keys = emalloc(2 * 65536 * sizeof(*keys));
	const struct port_count *pc;
	struct cand c;
	size_t i;

	for (i = 0; i < 2 * 65536; i++) {
		pc = i < 65536 ? &a->tcp_ports[i] : &a->udp_ports[i - 65536];
		if (pc->packets == 0)
			continue;
		/* big-endian bytes, so memcmp orders by protocol, then port */
		keys[i] = (uint32_t)(i >> 24 & 0xff) |
		    (uint32_t)(i >> 8 & 0xff00) |
		    (uint32_t)(i << 8 & 0xff0000) | (uint32_t)(i << 24);
		rank(&c, by, pc->packets, pc->bytes);
		c.key = &keys[i];
		c.keylen = sizeof(keys[i]);
		c.item = (const void *)(uintptr_t)(i + 1);
		heap_offer(&h, &c);
	}
	heap_sort(&h);
	for (i = 0; i < h.n; i++) {
		size_t k = (size_t)(uintptr_t)h.c[i].item - 1;

		pc = k < 65536 ? &a->tcp_ports[k] : &a->udp_ports[k - 65536];
		out[i].port = (unsigned)(k & 0xffff);
		out[i].proto = k < 65536 ? 6 : 17;
		out[i].packets = pc->packets;
		out[i].bytes = pc->bytes;
	}
	free(keys);
	free(h.c);
	return h.n;
}
