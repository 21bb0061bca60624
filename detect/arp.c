/*
 * ARP spoofing and floods, after arpwatch's events ("changed ethernet
 * address", "flip flop", "ethernet mismatch") and Snort's arpspoof
 * preprocessor ("Ethernet/ARP Mismatch", "ARP cache overwrite").  An
 * address's MAC is learnt from ARP senders alone (the sender's protocol
 * and hardware addresses of requests and replies, never the Ethernet
 * source of an IP packet, which is a router's for every address behind
 * it; never from an RFC 5227 probe, whose sender is 0.0.0.0), in a
 * bounded table.  Then, at most one arp_spoof alert a packet, the first
 * that applies of:
 *   - flip_flop: the address is claimed by the MAC it had before the
 *     current one;
 *   - mac_change: by another MAC than the one learnt;
 *   - eth_mismatch: the frame's Ethernet source is not the ARP sender
 *     hardware address (a mac_change or flip_flop names it too);
 *   - unsolicited_reply: arp-unsolicited replies claiming one address,
 *     none of them asked for (no request from the reply's target for
 *     that address in the last arp-reply-window), in
 *     arp-unsolicited-window: what a poisoner (arpspoof, every 2 s) does
 *     to keep a victim's cache wrong, seen also when it began before the
 *     capture did.  One such reply alone says little (its request may
 *     have been lost, or unicast and not seen), and none is judged in the
 *     stream's first arp-reply-window (its request may be older than the
 *     capture) or just after the request table let one go.  Gratuitous
 *     ARP (sender and target address the same) and replies to nobody in
 *     particular (target 0.0.0.0 or broadcast) are announcements, not
 *     unsolicited replies: they count towards a flood only.  The replies
 *     of a MAC an alert has just named as the new owner keep its claim
 *     fresh and raise nothing more, nor do frames of that address whose
 *     Ethernet source is one of the change's two MACs (arpspoof's
 *     clean-up re-ARPs the owner's MAC from its own).
 * A claim by a router failover virtual MAC (VRRP, HSRP) or one the
 * allow-list names is benign: never a mac_change or flip_flop (a claim
 * over a virtual MAC by another one is, since that is how a gateway's
 * address is spoofed), nor an eth_mismatch.  arp_flood: gratuitous ARP
 * and unsolicited replies from one sender MAC over arp-flood-rate per
 * second in arp-flood-window.  Suppression (alert.c) keys each alert by
 * kind and the address in question, and a change by its two MACs either
 * way round (pair_target), so one spoofing session, the owner and the
 * spoofer taking the address in turn, is one alert an interval.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "detect.h"
#include "nm.h"

#define ALLOW_MAX    256
#define FLOOD_SAMPLE 3 /* packets of a flood kept as evidence */

static void allow_add(const char *spec, const char *where);

static struct param arp_params[] = {
	{ .name = "arp-hosts",
	    .unit = PU_COUNT,
	    .def = 65536,
	    .min = 16,
	    .max = 16777216,
	    .help = "arp_spoof: addresses whose MAC is learnt, at most" },
	{ .name = "arp-reply-window",
	    .unit = PU_SECS,
	    .def = 5,
	    .min = 1,
	    .max = 600,
	    .help = "a reply this soon after its target's request answers "
		    "it (Linux asks each second, 3 times)" },
	{ .name = "arp-unsolicited",
	    .unit = PU_COUNT,
	    .def = 3,
	    .min = 1,
	    .max = 100000,
	    .help = "unsolicited_reply: replies nobody asked for, claiming "
		    "one address" },
	{ .name = "arp-unsolicited-window",
	    .unit = PU_SECS,
	    .def = 60,
	    .min = 1,
	    .max = 86400,
	    .help = "unsolicited_reply: in this span (arpspoof: one every "
		    "2 s, Ettercap: every 10 s)" },
	{ .name = "arp-flood-rate",
	    .unit = PU_RATE,
	    .def = 2,
	    .min = 1,
	    .max = 1000000,
	    .help = "arp_flood: gratuitous ARPs and unsolicited replies a "
		    "second from one MAC (reasoned: nm-detect(1))" },
	{ .name = "arp-flood-window",
	    .unit = PU_SECS,
	    .def = 10,
	    .min = 1,
	    .max = 3600,
	    .help = "arp_flood: over this span (RFC 5227's DEFEND_INTERVAL)" },
	{ .name = "arp-requests",
	    .unit = PU_COUNT,
	    .def = 65536,
	    .min = 16,
	    .max = 16777216,
	    .help = "ARP requests awaiting their reply, at most" },
	{ .name = "arp-senders",
	    .unit = PU_COUNT,
	    .def = 16384,
	    .min = 16,
	    .max = 16777216,
	    .help = "MACs whose gratuitous ARPs are counted, at most" },
	{ .name = "arp-allow",
	    .unit = PU_LIST,
	    .help = "MAC or IP=MAC: an ARP claim never alerted on",
	    .add = allow_add },
	{ .name = NULL },
};

/* An address and what it was learnt to be. */
struct ipkey {
	uint8_t ip[4];
	uint8_t pad[4];
};

struct host {
	struct ipkey k;
	uint64_t seen;	   /* its latest claim: stream time */
	uint64_t since;	   /* when mac first claimed it */
	uint64_t alerted;  /* when an alert named mac the new owner */
	uint64_t unsol_ts; /* the first unsolicited reply counted */
	uint32_t changes;  /* MAC changes seen */
	uint32_t unsol;	   /* unsolicited replies counted */
	uint8_t mac[6], prev[6];
	uint8_t has_prev, op; /* op, tpa: of its latest claim */
	uint8_t tpa[4], unsol_tpa[4];
};

/* A request: who asked (0.0.0.0 for a probe) for which address. */
struct rkey {
	uint8_t asker[4], asked[4];
};

struct request {
	struct rkey k;
	uint64_t ts;	 /* the latest */
	uint32_t n, pad; /* asked this many times, not yet answered */
};

struct macs {
	uint8_t mac[6];
	uint8_t pad[2];
};

struct fsample {
	uint64_t ts;
	uint8_t spa[4], tpa[4];
	uint8_t op, pad[7];
};

/* A sender MAC's gratuitous ARPs and unsolicited replies. */
struct sender {
	struct macs k;
	uint64_t first, last; /* of this window's counted packets */
	uint32_t n, ngrat;
	uint32_t nsample;
	uint8_t ip[4]; /* the first address it claimed: the alert's src */
	struct fsample sample[FLOOD_SAMPLE];
};

struct allow {
	int has_ip;
	uint8_t ip[4], mac[6];
};

static struct allow allow[ALLOW_MAX];
static int nallow;

static struct tab hosts, requests, senders;
static size_t cap_hosts, cap_requests, cap_senders;
static uint64_t reply_window, unsol_n, unsol_window, flood_window, flood_limit,
    suppress;
static uint64_t start;	     /* the stream's first packet */
static uint64_t req_evicted; /* when a request was last let go early */

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* --- the allow-list and the virtual MACs --- */

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Six hex pairs split by ':' or '-'; 0 when it is none. */
static int
parse_mac(const char *s, uint8_t mac[6])
{
	int i, hi, lo;

	for (i = 0; i < 6; i++) {
		if ((hi = hexval(s[0])) < 0 || (lo = hexval(s[1])) < 0)
			return 0;
		mac[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (i < 5 && *s != ':' && *s != '-')
			return 0;
		if (i < 5)
			s++;
	}
	return *s == '\0';
}

static void
allow_add(const char *spec, const char *where)
{
	char buf[64], *eq;
	struct allow a;

	memset(&a, 0, sizeof(a));
	if (strlen(spec) >= sizeof(buf))
		nm_die(NM_EXIT_USAGE, "%s: arp-allow %.40s...: too long", where,
		    spec);
	strcpy(buf, spec);
	if ((eq = strchr(buf, '=')) != NULL) {
		*eq++ = '\0';
		if (inet_pton(AF_INET, buf, a.ip) != 1)
			nm_die(NM_EXIT_USAGE,
			    "%s: arp-allow %s: %s is not an IPv4 address "
			    "(MAC or IP=MAC)",
			    where, spec, buf);
		a.has_ip = 1;
	} else
		eq = buf;
	if (!parse_mac(eq, a.mac))
		nm_die(NM_EXIT_USAGE,
		    "%s: arp-allow %s: %s is not a MAC (MAC or IP=MAC)", where,
		    spec, eq);
	if (nallow == ALLOW_MAX)
		nm_die(NM_EXIT_USAGE, "%s: more than %d arp-allow entries",
		    where, ALLOW_MAX);
	allow[nallow++] = a;
}

/*
 * Router failover's virtual MACs, which move between routers by design:
 * VRRP's for IPv4 and IPv6 (RFC 5798 §7.3: 00-00-5E-00-01-{VRID} and
 * 00-00-5E-00-02-{VRID}), HSRP version 1's (0000.0c07.acXX) and version
 * 2's (0000.0c9f.f000 to 0000.0c9f.ffff).
 */
static int
virtual_mac(const uint8_t *m)
{
	if (m[0] == 0x00 && m[1] == 0x00 && m[2] == 0x5e && m[3] == 0x00 &&
	    (m[4] == 0x01 || m[4] == 0x02))
		return 1;
	if (m[0] == 0x00 && m[1] == 0x00 && m[2] == 0x0c)
		return (m[3] == 0x07 && m[4] == 0xac) ||
		    (m[3] == 0x9f && (m[4] & 0xf0) == 0xf0);
	return 0;
}

/* A claim of ip by mac the user or the protocol says is benign. */
static int
benign(const uint8_t *ip, const uint8_t *mac)
{
	int i;

	if (virtual_mac(mac))
		return 1;
	for (i = 0; i < nallow; i++)
		if (memcmp(allow[i].mac, mac, 6) == 0 &&
		    (!allow[i].has_ip || memcmp(allow[i].ip, ip, 4) == 0))
			return 1;
	return 0;
}

/* --- the tables --- */

static void
arp_init(void)
{
	cap_hosts = (size_t)param("arp-hosts");
	cap_requests = (size_t)param("arp-requests");
	cap_senders = (size_t)param("arp-senders");
	reply_window = param("arp-reply-window");
	unsol_n = param("arp-unsolicited");
	unsol_window = param("arp-unsolicited-window");
	flood_window = param("arp-flood-window");
	flood_limit = param("arp-flood-rate") * (flood_window / DT_NS);
	if (flood_limit == 0)
		flood_limit = 1;
	suppress = param("suppress");
	tab_init(&hosts, sizeof(struct host), sizeof(struct ipkey), cap_hosts);
	tab_init(&requests, sizeof(struct request), sizeof(struct rkey),
	    cap_requests);
	tab_init(
	    &senders, sizeof(struct sender), sizeof(struct macs), cap_senders);
}

static void
note_request(const uint8_t *asker, const uint8_t *asked, uint64_t ts)
{
	struct request *r;
	struct rkey k;

	memcpy(k.asker, asker, 4);
	memcpy(k.asked, asked, 4);
	if ((r = tab_find(&requests, &k)) == NULL) {
		if (requests.count >= cap_requests) {
			dt_evict(&requests, offsetof(struct request, ts));
			req_evicted = ts;
		}
		r = tab_insert(&requests, &k);
	}
	if (r->ts > ts || ts - r->ts > reply_window)
		r->n = 0; /* the ones before went unanswered */
	r->ts = ts;
	if (r->n < 16)
		r->n++;
}

/*
 * Whether asker asked for asked within the reply window before ts.  Each
 * reply answers one request (a host asks again when an answer is slow,
 * and may get one for each): one more, with every request answered, was
 * not asked for.
 */
static int
asked_for(const uint8_t *asker, const uint8_t *asked, uint64_t ts)
{
	struct request *r;
	struct rkey k;
	size_t i;
	int yes;

	memcpy(k.asker, asker, 4);
	memcpy(k.asked, asked, 4);
	if ((r = tab_find_at(&requests, &k, &i)) == NULL)
		return 0;
	yes = r->ts > ts || ts - r->ts <= reply_window;
	if (!yes || --r->n == 0)
		tab_remove(&requests, i);
	return yes;
}

/* --- the alerts --- */

static void
arp_evidence(struct evidence *e, uint64_t ts, unsigned op, const uint8_t *spa,
    const uint8_t *tpa, const uint8_t *mac)
{
	memset(e, 0, sizeof(*e));
	e->ts = ts;
	e->proto = "ARP";
	e->af = 4;
	memcpy(e->src, spa, 4);
	memcpy(e->dst, tpa, 4);
	e->has_arp = 1;
	e->arp_op = op;
	e->has_mac = 1;
	memcpy(e->mac, mac, 6);
}

static void
packet_evidence(struct alert *a, const struct dpkt *p)
{
	struct evidence e;

	arp_evidence(&e, p->ts, p->arp_op, p->spa, p->tpa, p->sha);
	alert_add_evidence(a, &e);
}

/* A reply aimed at one host: its target is neither nobody nor everyone. */
static int
directed(const struct dpkt *p)
{
	return p->arp_op == 2 && memcmp(p->spa, p->tpa, 4) != 0 &&
	    !dpkt_addr_group(4, p->tpa) && memcmp(p->tha, bcast, 6) != 0;
}

static void
spoof_begin(
    struct alert *a, const char *style, const char *sev, const struct dpkt *p)
{
	alert_begin(a, "arp_spoof", sev, p->ts);
	a->style = style;
	a->proto = "ARP";
	a->af = 4;
	memcpy(a->src, p->spa, 4);
	if (directed(p)) {
		memcpy(a->dst, p->tpa, 4);
		a->has_dst = 1;
	}
	a->has_mac = 1;
	memcpy(a->mac, p->sha, 6);
	if (p->has_eth && memcmp(p->esrc, p->sha, 6) != 0) {
		a->has_eth_src = 1;
		memcpy(a->eth_src, p->esrc, 6);
	}
	a->first = a->last = p->ts;
	a->count = a->threshold = 1;
	snprintf(a->target, sizeof(a->target), "%s", style);
}

/*
 * A change's suppression target: the two MACs, in byte order, so that a
 * spoofer and the owner taking an address in turn are one alert an
 * interval (the flips counted in its repeat), and a third MAC another.
 */
static void
pair_target(struct alert *a)
{
	const uint8_t *lo = a->mac, *hi = a->old_mac;
	char lb[32], hb[32];

	if (memcmp(lo, hi, 6) > 0)
		lo = a->old_mac, hi = a->mac;
	snprintf(a->target, sizeof(a->target), "%s %s",
	    dt_addr(0, lo, lb, sizeof(lb)), dt_addr(0, hi, hb, sizeof(hb)));
}

/* The clauses a change's message adds: how the claim came. */
static void
how(char *buf, size_t len, const struct dpkt *p, int unsolicited)
{
	char tb[64], eb[64];
	int n = 0;

	buf[0] = '\0';
	if (directed(p))
		n = snprintf(buf, len, "; in a%s reply to %s",
		    unsolicited ? "n unsolicited" : "",
		    dt_addr(4, p->tpa, tb, sizeof(tb)));
	else if (memcmp(p->spa, p->tpa, 4) == 0)
		n = snprintf(buf, len, "; in a gratuitous %s",
		    p->arp_op == 1 ? "request" : "reply");
	if (n >= 0 && (size_t)n < len && p->has_eth &&
	    memcmp(p->esrc, p->sha, 6) != 0)
		snprintf(buf + n, len - (size_t)n, "; from Ethernet source %s",
		    dt_addr(0, p->esrc, eb, sizeof(eb)));
}

static void
raise_change(struct host *h, const struct dpkt *p, const uint8_t *old,
    uint64_t old_since, int flip, int unsolicited)
{
	char ib[64], ob[64], nb[64], hb[160];
	struct evidence e;
	struct alert a;

	spoof_begin(&a, flip ? "flip_flop" : "mac_change", "high", p);
	a.has_old_mac = 1;
	memcpy(a.old_mac, old, 6);
	pair_target(&a);
	a.count = h->changes;
	a.first = old_since;
	dt_addr(4, p->spa, ib, sizeof(ib));
	dt_addr(0, old, ob, sizeof(ob));
	dt_addr(0, p->sha, nb, sizeof(nb));
	how(hb, sizeof(hb), p, unsolicited);
	snprintf(a.msg, sizeof(a.msg),
	    flip ? "%s is-at %s again, was %s%s" : "%s is-at %s, was %s%s", ib,
	    nb, ob, hb);
	/* the old owner's latest claim, then the new one */
	arp_evidence(&e, h->seen, h->op, p->spa, h->tpa, old);
	alert_add_evidence(&a, &e);
	packet_evidence(&a, p);
	alert_raise(&a);
}

static void
raise_mismatch(const struct dpkt *p)
{
	char ib[64], nb[64], eb[64];
	struct alert a;

	spoof_begin(&a, "eth_mismatch", "medium", p);
	snprintf(a.target, sizeof(a.target), "eth_mismatch %s",
	    dt_addr(0, p->esrc, eb, sizeof(eb)));
	snprintf(a.msg, sizeof(a.msg),
	    "ARP %s says %s is-at %s from Ethernet source %s",
	    p->arp_op == 1 ? "request" : "reply",
	    dt_addr(4, p->spa, ib, sizeof(ib)),
	    dt_addr(0, p->sha, nb, sizeof(nb)),
	    dt_addr(0, p->esrc, eb, sizeof(eb)));
	packet_evidence(&a, p);
	alert_raise(&a);
}

static void
raise_unsolicited(const struct host *h, const struct dpkt *p)
{
	char ib[64], nb[64], tb[64];
	struct evidence e;
	struct alert a;

	spoof_begin(&a, "unsolicited_reply", "medium", p);
	snprintf(a.target, sizeof(a.target), "unsolicited_reply %s",
	    dt_addr(0, p->sha, nb, sizeof(nb)));
	a.count = h->unsol;
	a.threshold = unsol_n;
	a.window = unsol_window;
	a.first = h->unsol_ts;
	snprintf(a.msg, sizeof(a.msg),
	    "%u ARP replies nobody asked for say %s is-at %s (the latest to "
	    "%s) in %.1f s",
	    h->unsol, dt_addr(4, p->spa, ib, sizeof(ib)),
	    dt_addr(0, p->sha, nb, sizeof(nb)),
	    dt_addr(4, p->tpa, tb, sizeof(tb)),
	    (double)(p->ts - h->unsol_ts) / DT_NS);
	if (h->unsol > 1) {
		arp_evidence(&e, h->unsol_ts, 2, p->spa, h->unsol_tpa, p->sha);
		alert_add_evidence(&a, &e);
	}
	packet_evidence(&a, p);
	alert_raise(&a);
}

static void
raise_flood(const struct sender *s, uint64_t ts)
{
	char ib[64], mb[64];
	double span = (double)(s->last - s->first) / DT_NS;
	struct evidence e;
	struct alert a;
	uint32_t i;

	alert_begin(&a, "arp_flood", "medium", ts);
	a.style = s->ngrat * 2 >= s->n ? "gratuitous" : "reply";
	a.proto = "ARP";
	a.af = 4;
	memcpy(a.src, s->ip, 4);
	a.has_mac = 1;
	memcpy(a.mac, s->k.mac, 6);
	a.count = s->n;
	a.threshold = flood_limit;
	a.window = flood_window;
	a.first = s->first;
	a.last = s->last;
	if (span > 0)
		a.pps = s->n / span;
	dt_addr(4, s->ip, ib, sizeof(ib));
	dt_addr(0, s->k.mac, mb, sizeof(mb));
	snprintf(a.target, sizeof(a.target), "%s", mb);
	snprintf(a.msg, sizeof(a.msg),
	    "%s (%s) sent %u %s in %.1f s (limit %llu in %.0f s)", mb, ib, s->n,
	    s->ngrat * 2 >= s->n ? "gratuitous ARPs"
				 : "unsolicited ARP replies",
	    span, (unsigned long long)flood_limit,
	    (double)flood_window / DT_NS);
	for (i = 0; i < s->nsample; i++) {
		arp_evidence(&e, s->sample[i].ts, s->sample[i].op,
		    s->sample[i].spa, s->sample[i].tpa, s->k.mac);
		alert_add_evidence(&a, &e);
	}
	alert_raise(&a);
}

/* --- the detectors --- */

/* A gratuitous ARP or an unsolicited reply, counted for its sender MAC. */
static void
count_flood(const struct dpkt *p, int grat)
{
	struct sender *s;
	struct macs k;

	memset(&k, 0, sizeof(k));
	memcpy(k.mac, p->sha, 6);
	if ((s = tab_find(&senders, &k)) == NULL) {
		if (senders.count >= cap_senders)
			dt_evict(&senders, offsetof(struct sender, last));
		s = tab_insert(&senders, &k);
		memcpy(s->ip, p->spa, 4);
	}
	if (s->n == 0 || p->ts < s->first || p->ts - s->first > flood_window)
		s->n = s->ngrat = s->nsample = 0, s->first = p->ts;
	s->last = p->ts;
	s->n++;
	s->ngrat += grat;
	if (s->nsample < FLOOD_SAMPLE) {
		struct fsample *sm = &s->sample[s->nsample++];

		memset(sm, 0, sizeof(*sm));
		sm->ts = p->ts;
		memcpy(sm->spa, p->spa, 4);
		memcpy(sm->tpa, p->tpa, 4);
		sm->op = (uint8_t)p->arp_op;
	}
	if (s->n >= flood_limit) {
		raise_flood(s, p->ts);
		s->n = s->ngrat = s->nsample = 0;
	}
}

/* An alert named the current owner a suppression interval ago or less. */
static int
alerted(const struct host *h, uint64_t ts)
{
	return h->alerted != 0 && ts >= h->alerted &&
	    ts - h->alerted < suppress;
}

/* One more unsolicited reply claiming h's address. */
static void
count_unsolicited(struct host *h, const struct dpkt *p)
{
	if (alerted(h, p->ts))
		return; /* the new owner an alert named, keeping its claim */
	if (h->unsol == 0 || p->ts < h->unsol_ts ||
	    p->ts - h->unsol_ts > unsol_window) {
		h->unsol = 0;
		h->unsol_ts = p->ts;
		memcpy(h->unsol_tpa, p->tpa, 4);
	}
	if (++h->unsol >= unsol_n) {
		raise_unsolicited(h, p);
		h->unsol = 0;
	}
}

static struct host *
new_host(const struct dpkt *p)
{
	struct host *h;
	struct ipkey k;

	memset(&k, 0, sizeof(k));
	memcpy(k.ip, p->spa, 4);
	if (hosts.count >= cap_hosts)
		dt_evict(&hosts, offsetof(struct host, seen));
	h = tab_insert(&hosts, &k);
	memcpy(h->mac, p->sha, 6);
	h->since = p->ts;
	return h;
}

/* The sender's claim, against what was learnt of its address. */
static void
claim(const struct dpkt *p, int mismatch, int unsolicited)
{
	uint8_t old[6];
	uint64_t old_since;
	struct host *h;
	struct ipkey k;
	int flip;

	memset(&k, 0, sizeof(k));
	memcpy(k.ip, p->spa, 4);
	if ((h = tab_find(&hosts, &k)) == NULL)
		h = new_host(p);
	else if (memcmp(h->mac, p->sha, 6) != 0) {
		memcpy(old, h->mac, 6);
		old_since = h->since;
		flip = h->has_prev && memcmp(h->prev, p->sha, 6) == 0;
		h->changes++;
		h->unsol = 0;
		h->alerted = 0;
		if (!benign(p->spa, p->sha)) {
			raise_change(h, p, old, old_since, flip, unsolicited);
			h->alerted = p->ts;
		}
		memcpy(h->prev, old, 6);
		h->has_prev = 1;
		memcpy(h->mac, p->sha, 6);
		h->since = p->ts;
		mismatch = unsolicited = 0; /* said, or benign */
	}
	h->seen = p->ts;
	h->op = (uint8_t)p->arp_op;
	memcpy(h->tpa, p->tpa, 4);
	if (mismatch &&
	    !(alerted(h, p->ts) && h->has_prev &&
		(memcmp(p->esrc, h->mac, 6) == 0 ||
		    memcmp(p->esrc, h->prev, 6) == 0)))
		raise_mismatch(p); /* not from one of the session's MACs */
	else if (unsolicited && !mismatch)
		count_unsolicited(h, p);
}

static void
arp_packet(const struct dpkt *p)
{
	int grat, mismatch, unsolicited;

	if (start == 0)
		start = p->ts;
	if (!p->arp || (p->arp_op != 1 && p->arp_op != 2))
		return;
	if (p->arp_op == 1 && memcmp(p->spa, p->tpa, 4) != 0)
		note_request(p->spa, p->tpa, p->ts); /* a probe's: 0.0.0.0 */
	if (dpkt_addr_group(4, p->spa))
		return; /* a probe, or a bogus sender: nobody's claim */
	grat = memcmp(p->spa, p->tpa, 4) == 0;
	unsolicited = directed(p) && p->ts >= start &&
	    p->ts - start >= reply_window &&
	    (req_evicted == 0 || p->ts - req_evicted >= reply_window) &&
	    !asked_for(p->tpa, p->spa, p->ts);
	mismatch = p->has_eth && memcmp(p->esrc, p->sha, 6) != 0 &&
	    !benign(p->spa, p->sha) && !benign(p->spa, p->esrc);
	if ((grat || unsolicited) && !benign(p->spa, p->sha))
		count_flood(p, grat);
	claim(p, mismatch, unsolicited);
}

/* Requests past the reply window, and senders past the flood window. */
static void
arp_tick(uint64_t ts)
{
	struct request *r;
	struct sender *s;
	size_t i;

	for (i = 0; i < requests.count;) {
		r = tab_at(&requests, i);
		if (r->ts <= ts && ts - r->ts > reply_window)
			tab_remove(&requests, i);
		else
			i++;
	}
	for (i = 0; i < senders.count;) {
		s = tab_at(&senders, i);
		if (s->last <= ts && ts - s->last > flood_window)
			tab_remove(&senders, i);
		else
			i++;
	}
}

const struct det_module arp_module = {
	.name = "arp",
	.params = arp_params,
	.init = arp_init,
	.packet = arp_packet,
	.tick = arp_tick,
};
