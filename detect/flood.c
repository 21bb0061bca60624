/*
 * SYN floods: half-open SYNs per victim and per source, after ntopng's
 * rule (a host receiving or sending 256 SYN/s, sustained over a minute).
 * A SYN is half-open until its sender's first ACK completes the
 * handshake; the SYNs awaiting that are held in a bounded table (a flood
 * fills it, and an entry let go only means a SYN that stays counted, as
 * a flood's should).  Each host's SYNs are counted in FL_BUCKETS buckets
 * spanning syn-window; a host floods when every bucket of the window
 * held at least syn-rate per second, not one burst.  The victim's alert
 * names its rate, the number of sources (estimated by linear counting
 * over FL_BITMAP bits: spoofed floods come from thousands) and the source
 * that sent the most of them (a majority vote, so no per-source table is
 * needed); a source's own alert is for one that floods many victims, and
 * is not written when its SYNs went mostly to a victim already alerted
 * on.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "detect.h"
#include "siphash.h"

#define FL_BUCKETS 10
#define FL_BITMAP  1024 /* bits of the sources' linear counting */

static struct param flood_params[] = {
	{ .name = "syn-rate",
	    .unit = PU_RATE,
	    .def = 256,
	    .min = 1,
	    .max = 100000000,
	    .help = "syn_flood: half-open SYNs per second to or from one "
		    "host (ntopng: 256)" },
	{ .name = "syn-window",
	    .unit = PU_SECS,
	    .def = 60,
	    .min = 1,
	    .max = 3600,
	    .help = "syn_flood: sustained this long (ntopng: a minute)" },
	{ .name = "syn-hosts",
	    .unit = PU_COUNT,
	    .def = 65536,
	    .min = 64,
	    .max = 16777216,
	    .help = "hosts whose SYNs are counted, at most" },
	{ .name = "syn-pending",
	    .unit = PU_COUNT,
	    .def = 262144,
	    .min = 64,
	    .max = 16777216,
	    .help = "SYNs awaiting their handshake's ACK, at most" },
	{ .name = NULL },
};

/* a SYN awaiting the ACK that completes its handshake */
struct pkey {
	uint8_t client[16], server[16];
	uint16_t cport, sport;
	uint8_t af, pad[3];
};

struct pending {
	struct pkey k;
	uint64_t ts;
	uint64_t bucket; /* the bucket number its SYN was counted in */
};

struct hkey {
	uint8_t addr[16];
	uint8_t af, dir; /* 0: SYNs received (victim), 1: sent (source) */
	uint8_t pad[6];
};

struct host {
	struct hkey k;
	uint64_t last;		/* latest SYN, stream time */
	uint64_t first;		/* first SYN of this run of buckets */
	uint64_t cur;		/* the current bucket's number */
	uint32_t n[FL_BUCKETS]; /* half-open SYNs, by bucket mod FL_BUCKETS */
	uint8_t peer[16];	/* majority vote: the other side most seen */
	uint32_t votes;
	uint64_t alerted;	       /* when it last alerted; 0: never */
	uint64_t bits[FL_BITMAP / 64]; /* the other sides, linear counting */
	struct evidence ev;	       /* its first SYN */
};

static struct tab hosts, pend;
/*
 * Pending SYNs by their client's port: a client's ACK is looked up only
 * when a SYN from its port awaits one (an evicted SYN is not taken off:
 * a count may be too high, never too low).
 */
static uint32_t pending_port[65536];
static size_t cap_hosts, cap_pend;
static uint64_t rate, window, blen; /* blen: a bucket's span, ns */

static void
flood_init(void)
{
	rate = param("syn-rate");
	window = param("syn-window");
	blen = window / FL_BUCKETS;
	if (blen == 0)
		blen = 1;
	cap_hosts = (size_t)param("syn-hosts");
	cap_pend = (size_t)param("syn-pending");
	tab_init(&hosts, sizeof(struct host), sizeof(struct hkey), cap_hosts);
	tab_init(&pend, sizeof(struct pending), sizeof(struct pkey), cap_pend);
}

static size_t
alen(int af)
{
	return af == 4 ? 4 : 16;
}

/* Moves a host's buckets on to bucket b, emptying those passed over. */
static void
advance(struct host *h, uint64_t b)
{
	uint64_t i;

	if (b <= h->cur)
		return;
	if (b - h->cur >= FL_BUCKETS) {
		memset(h->n, 0, sizeof(h->n));
		h->first = b * blen;
	} else
		for (i = h->cur + 1; i <= b; i++)
			h->n[i % FL_BUCKETS] = 0;
	h->cur = b;
}

static struct host *
host_of(int af, const uint8_t *addr, int dir, uint64_t ts, uint64_t b)
{
	struct hkey k;
	struct host *h;

	memset(&k, 0, sizeof(k));
	memcpy(k.addr, addr, alen(af));
	k.af = (uint8_t)af;
	k.dir = (uint8_t)dir;
	if ((h = tab_find(&hosts, &k)) == NULL) {
		if (hosts.count >= cap_hosts)
			dt_evict(&hosts, offsetof(struct host, last));
		h = tab_insert(&hosts, &k);
		h->cur = b;
		h->first = ts;
	}
	advance(h, b);
	h->last = ts;
	return h;
}

/* The distinct other sides, by linear counting (Whang et al., 1990). */
static uint64_t
senders(const struct host *h)
{
	unsigned zero = 0, i;

	for (i = 0; i < FL_BITMAP / 64; i++)
		zero += 64 - (unsigned)__builtin_popcountll(h->bits[i]);
	if (zero == 0)
		return FL_BITMAP * 8; /* beyond what the bitmap tells */
	return (
	    uint64_t)(-(double)FL_BITMAP * log((double)zero / FL_BITMAP) + 0.5);
}

/* Every bucket of the window at the rate: the host floods or is flooded. */
static int
sustained(const struct host *h, uint64_t ts, uint64_t *total)
{
	uint64_t need = rate * blen / DT_NS, sum = 0;
	unsigned i;

	if (need == 0)
		need = 1;
	if (ts - h->first < window)
		return 0; /* not a whole window yet */
	for (i = 0; i < FL_BUCKETS; i++) {
		/* the current bucket is still filling: judged by the rest */
		if (i == h->cur % FL_BUCKETS)
			continue;
		if (h->n[i] < need)
			return 0;
		sum += h->n[i];
	}
	*total = sum;
	return 1;
}

static void
raise_flood(struct host *h, uint64_t ts, uint64_t total)
{
	char ab[64], pb[64];
	struct alert a;
	double pps = (double)total * DT_NS / (double)(blen * (FL_BUCKETS - 1));
	uint64_t n = senders(h);

	alert_begin(&a, "syn_flood", "high", ts);
	a.proto = "TCP";
	a.style = h->k.dir == 0 ? "victim" : "source";
	a.af = h->k.af;
	a.count = total;
	a.threshold = rate;
	a.window = window;
	a.first = h->first;
	a.last = h->last;
	a.pps = pps;
	dt_addr(a.af, h->k.addr, ab, sizeof(ab));
	dt_addr(a.af, h->peer, pb, sizeof(pb));
	if (h->k.dir == 0) {
		/* src: the source most seen; dst: the victim */
		memcpy(a.src, h->peer, 16);
		memcpy(a.dst, h->k.addr, 16);
		a.has_dst = 1;
		a.senders = n;
		snprintf(a.target, sizeof(a.target), "%s", ab);
		snprintf(a.msg, sizeof(a.msg),
		    "%s receives %.0f half-open SYN/s from %s%llu sources "
		    "(most from %s) over %.0f s",
		    ab, pps, n >= FL_BITMAP * 8 ? "over " : "about ",
		    (unsigned long long)n, pb, (double)window / DT_NS);
	} else {
		memcpy(a.src, h->k.addr, 16);
		a.hosts = n;
		snprintf(a.target, sizeof(a.target), "from");
		snprintf(a.msg, sizeof(a.msg),
		    "%s sends %.0f half-open SYN/s to about %llu hosts over "
		    "%.0f s",
		    ab, pps, (unsigned long long)n, (double)window / DT_NS);
	}
	alert_add_evidence(&a, &h->ev);
	h->alerted = ts;
	alert_raise(&a);
}

/* Whether the victim a source mostly hit has just alerted on it. */
static int
victim_alerted(const struct host *src, uint64_t ts)
{
	struct hkey k;
	const struct host *v;

	memset(&k, 0, sizeof(k));
	memcpy(k.addr, src->peer, 16);
	k.af = src->k.af;
	k.dir = 0;
	v = tab_find(&hosts, &k);
	return v != NULL && v->alerted != 0 && ts - v->alerted <= window;
}

static void
count_syn(struct host *h, const struct dpkt *p, const uint8_t *peer, uint64_t b)
{
	uint64_t hv;

	h->n[b % FL_BUCKETS]++;
	if (h->votes == 0)
		memcpy(h->peer, peer, 16), h->votes = 1;
	else if (memcmp(h->peer, peer, 16) == 0)
		h->votes++;
	else
		h->votes--;
	hv = siphash24(&hosts.key, peer, 16) % FL_BITMAP;
	h->bits[hv / 64] |= 1ULL << (hv % 64);
	if (h->ev.ts == 0)
		evidence_of(&h->ev, p, "TCP");
}

static void
syn(const struct dpkt *p)
{
	uint8_t src[16] = { 0 }, dst[16] = { 0 };
	uint64_t b = p->ts / blen, total;
	struct host *v, *s;
	struct pending *pe;
	struct pkey k;

	memcpy(src, p->src, alen(p->af));
	memcpy(dst, p->dst, alen(p->af));
	memset(&k, 0, sizeof(k));
	memcpy(k.client, src, 16);
	memcpy(k.server, dst, 16);
	k.cport = (uint16_t)p->sport;
	k.sport = (uint16_t)p->dport;
	k.af = (uint8_t)p->af;
	if (tab_find(&pend, &k) != NULL)
		return; /* a retransmission */
	if (pend.count >= cap_pend)
		dt_evict(&pend, offsetof(struct pending, ts));
	pe = tab_insert(&pend, &k);
	pending_port[k.cport]++;
	pe->ts = p->ts;
	pe->bucket = b;
	v = host_of(p->af, dst, 0, p->ts, b);
	count_syn(v, p, src, b);
	if (sustained(v, p->ts, &total) &&
	    (v->alerted == 0 || p->ts - v->alerted > window))
		raise_flood(v, p->ts, total);
	s = host_of(p->af, src, 1, p->ts, b);
	count_syn(s, p, dst, b);
	if (sustained(s, p->ts, &total) &&
	    (s->alerted == 0 || p->ts - s->alerted > window) &&
	    !victim_alerted(s, p->ts))
		raise_flood(s, p->ts, total);
}

/* The client's ACK completes a handshake: its SYN was not half-open. */
static void
uncount(int af, const uint8_t *addr, int dir, uint64_t b)
{
	struct hkey k;
	struct host *h;

	memset(&k, 0, sizeof(k));
	memcpy(k.addr, addr, 16);
	k.af = (uint8_t)af;
	k.dir = (uint8_t)dir;
	h = tab_find(&hosts, &k);
	if (h != NULL && b <= h->cur && h->cur - b < FL_BUCKETS &&
	    h->n[b % FL_BUCKETS] > 0)
		h->n[b % FL_BUCKETS]--;
}

static void
ack(const struct dpkt *p)
{
	struct pending *pe;
	struct pkey k;
	size_t i;

	memset(&k, 0, sizeof(k));
	memcpy(k.client, p->src, alen(p->af));
	memcpy(k.server, p->dst, alen(p->af));
	k.cport = (uint16_t)p->sport;
	k.sport = (uint16_t)p->dport;
	k.af = (uint8_t)p->af;
	if ((pe = tab_find_at(&pend, &k, &i)) == NULL)
		return;
	uncount(p->af, k.server, 0, pe->bucket);
	uncount(p->af, k.client, 1, pe->bucket);
	if (pending_port[k.cport] > 0)
		pending_port[k.cport]--;
	tab_remove(&pend, i);
}

static void
flood_packet(const struct dpkt *p)
{
	unsigned f = p->tcpflags & (TF_SYN | TF_ACK | TF_RST | TF_FIN);

	if (!p->tcp || ignored(p->af, p->src, p->sport, p->dport))
		return;
	if (f == TF_SYN && !dpkt_addr_group(p->af, p->dst))
		syn(p);
	else if (f == TF_ACK && pending_port[p->sport & 0xffff] != 0)
		ack(p);
}

/* Pending SYNs older than the window stay half-open: let them go. */
static void
flood_tick(uint64_t ts)
{
	struct pending *pe;
	struct host *h;
	size_t i;

	for (i = 0; i < pend.count;) {
		pe = tab_at(&pend, i);
		if (pe->ts <= ts && ts - pe->ts > window) {
			if (pending_port[pe->k.cport] > 0)
				pending_port[pe->k.cport]--;
			tab_remove(&pend, i);
		} else
			i++;
	}
	for (i = 0; i < hosts.count;) {
		h = tab_at(&hosts, i);
		if (h->last <= ts && ts - h->last > window)
			tab_remove(&hosts, i);
		else
			i++;
	}
}

const struct det_module flood_module = {
	.name = "flood",
	.params = flood_params,
	.init = flood_init,
	.packet = flood_packet,
	.tick = flood_tick,
};
