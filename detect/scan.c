/*
 * Scans and sweeps, after Zeek's scan model: what counts is a scanner's
 * distinct *failed or unanswered* attempts, never its successful ones, so
 * a client that talks to many servers is no scanner, and one that knocks
 * on many closed or silent doors is.  An attempt is
 *   - a TCP SYN: failed when the target answers RST, or nothing within
 *     scan-attempt-timeout; a SYN-ACK makes it a success.  Its style is
 *     "connect" when the SYN carries what an operating system's connect()
 *     offers (SACK-permitted, timestamps, window scaling) and "SYN" (a
 *     raw, half-open scanner's probe, nmap -sS) otherwise;
 *   - a TCP probe no connection sends: FIN alone, no flags (NULL), or
 *     FIN+PSH+URG (Xmas), counted at once (an open port stays silent, a
 *     closed one resets: both are the scan); a bare ACK ("ACK", nmap -sA)
 *     only when the target answers RST (a bare ACK of a connection begun
 *     before the capture stays unanswered, and is no scan);
 *   - a UDP datagram to a port: failed without a datagram back from that
 *     port within the timeout (an ICMP port unreachable is such a
 *     failure).  A datagram from a service port (below 1024) to a higher
 *     one is taken for an answer, never an attempt, and one to
 *     traceroute's ports (33434 to 33534) for a path being traced;
 *   - an ICMP or ICMPv6 echo request: failed without its reply;
 *   - an ARP request for an address: failed without its reply (neither
 *     a gratuitous ARP nor an RFC 5227 probe from 0.0.0.0 counts).
 * Failures fill three kinds of sets, each over its own window, which
 * starts at its first failure: a scanner's ports of one target
 * (port_scan, vertical: scan-ports in scan-window, Zeek's 15 in 5 min),
 * the targets of one port or by ARP or ICMP (host_sweep, horizontal:
 * sweep-hosts in sweep-window, Zeek's 25 in 5 min), and a scanner's
 * ports and targets together (port_scan, block: both thresholds, with no
 * one target or port reaching its own).  A full set raises its alert and
 * starts again; suppression (alert.c) turns a long scan into one alert an
 * interval with a repeat count.  Every table is capped; a full one lets
 * go of its oldest entries, counted as evictions.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "detect.h"
#include "siphash.h"

#define PROTO_ARP 0 /* the attempts' protocol field: ARP, not IP */
/*
 * traceroute(8)'s UDP probes go to ports from 33434 up, one a probe
 * (its -p default; 3 probes a hop for 30 hops reach 33523), and only
 * the last hop, if any, answers, with ICMP: unanswered UDP to those
 * ports is a path being traced, not a scan.
 */
#define TRACEROUTE_PORT_FIRST 33434
#define TRACEROUTE_PORT_LAST  33534
#define SAMPLE_MAX	      ALERT_TARGETS

enum style {
	ST_SYN,
	ST_CONNECT,
	ST_FIN,
	ST_NULL,
	ST_XMAS,
	ST_ACK,
	ST_UDP,
	ST_ICMP,
	ST_ARP,
	ST_N
};

static const char *const style_name[ST_N] = { "SYN", "connect", "FIN", "NULL",
	"Xmas", "ACK", "UDP", "ICMP", "ARP" };

static struct param scan_params[] = {
	{ .name = "scan-ports",
	    .unit = PU_COUNT,
	    .def = 15,
	    .min = 2,
	    .max = 4096,
	    .help = "port_scan: failed ports of one target (Zeek: 15)" },
	{ .name = "scan-window",
	    .unit = PU_SECS,
	    .def = 300,
	    .min = 1,
	    .max = 86400,
	    .help = "port_scan: in this span (Zeek: 5 min)" },
	{ .name = "sweep-hosts",
	    .unit = PU_COUNT,
	    .def = 25,
	    .min = 2,
	    .max = 4096,
	    .help = "host_sweep: failed targets of one port, or by ARP or "
		    "ICMP (Zeek: 25)" },
	{ .name = "sweep-window",
	    .unit = PU_SECS,
	    .def = 300,
	    .min = 1,
	    .max = 86400,
	    .help = "host_sweep: in this span (Zeek: 5 min)" },
	{ .name = "scan-attempt-timeout",
	    .unit = PU_SECS,
	    .def = 5,
	    .min = 1,
	    .max = 600,
	    .help = "an attempt unanswered this long has failed" },
	{ .name = "scan-attempts",
	    .unit = PU_COUNT,
	    .def = 131072,
	    .min = 64,
	    .max = 16777216,
	    .help = "attempts awaiting an answer, at most" },
	{ .name = "scan-sets",
	    .unit = PU_COUNT,
	    .def = 65536,
	    .min = 64,
	    .max = 16777216,
	    .help = "scanners' sets of each kind (per target, per port, "
		    "per scanner), at most" },
	{ .name = NULL },
};

/* An attempt awaiting its answer. */
struct akey {
	uint8_t scanner[16], target[16];
	uint16_t port;
	uint8_t af, proto;
	uint8_t pad[4];
};

struct attempt {
	struct akey k;
	uint64_t ts;
	uint16_t sport;
	uint8_t style, flags;
	uint8_t pad[4];
};

/* One probe kept as a sample: the target, the ports, the flags. */
struct sample {
	uint64_t ts;
	uint8_t target[16];
	uint16_t sport, port;
	uint8_t flags, pad[3];
};

enum set_kind { SK_VERTICAL, SK_HORIZONTAL, SK_BLOCK, SK_N };

/* A set's key: the scanner and what the kind groups by. */
struct skey {
	uint8_t scanner[16], target[16]; /* target: vertical only */
	uint16_t port;			 /* horizontal only */
	uint8_t af, proto, style;
	uint8_t pad[3];
};

/*
 * A set of distinct failures: items are ports (vertical), targets'
 * hashes (horizontal), or both (block: ports first, then targets).
 */
struct sset {
	struct skey k;
	uint64_t first, last;
	uint32_t n, n2; /* items; block: targets too */
	uint32_t nsample;
	uint32_t pad;
	struct sample sample[SAMPLE_MAX];
	uint64_t item[];
};

static struct tab attempts;
static struct tab sets[SK_N];
/*
 * Attempts awaiting an answer, by protocol and attempted port: an answer
 * is looked for only where one may be, so the packets of ordinary
 * connections (their answers never awaited) cost no hashing.  An evicted
 * attempt is not taken off: a count may be too high (a lookup in vain),
 * never too low.
 */
static uint32_t waiting_tcp[65536], waiting_udp[65536], waiting_other;
static size_t cap_attempts, cap_sets, nports, nhosts;
static uint64_t attempt_tmo, port_window, host_window;

static void
scan_init(void)
{
	nports = (size_t)param("scan-ports");
	nhosts = (size_t)param("sweep-hosts");
	port_window = param("scan-window");
	host_window = param("sweep-window");
	attempt_tmo = param("scan-attempt-timeout");
	cap_attempts = (size_t)param("scan-attempts");
	cap_sets = (size_t)param("scan-sets");
	tab_init(&attempts, sizeof(struct attempt), sizeof(struct akey),
	    cap_attempts);
	tab_init(&sets[SK_VERTICAL], sizeof(struct sset) + nports * 8,
	    sizeof(struct skey), cap_sets);
	tab_init(&sets[SK_HORIZONTAL], sizeof(struct sset) + nhosts * 8,
	    sizeof(struct skey), cap_sets);
	tab_init(&sets[SK_BLOCK], sizeof(struct sset) + (nports + nhosts) * 8,
	    sizeof(struct skey), cap_sets);
}

static size_t
alen(int af)
{
	return af == 4 ? 4 : 16;
}

static const char *
proto_name(unsigned proto)
{
	switch (proto) {
	case 6: return "TCP";
	case 17: return "UDP";
	case 1: return "ICMP";
	case 58: return "ICMPv6";
	case PROTO_ARP: return "ARP";
	default: return "IP";
	}
}

/* --- the alerts --- */

static void
fill_evidence(struct alert *a, const struct sset *s, int kind)
{
	struct evidence e;
	uint32_t i;

	for (i = 0; i < s->nsample; i++) {
		const struct sample *sm = &s->sample[i];

		memset(&e, 0, sizeof(e));
		e.ts = sm->ts;
		e.proto = proto_name(s->k.proto);
		if (s->k.proto == PROTO_ARP) {
			e.proto = "ARP";
			e.has_arp = 1;
			e.arp_op = 1;
		}
		e.af = s->k.af;
		memcpy(e.src, s->k.scanner, 16);
		memcpy(e.dst, sm->target, 16);
		e.ipproto = s->k.proto;
		if (s->k.proto == 6 || s->k.proto == 17) {
			e.ports = 1;
			e.sport = sm->sport;
			e.dport = sm->port;
		} else if (s->k.proto == 1 || s->k.proto == 58)
			e.has_icmp = 1, e.icmp_type = s->k.proto == 1 ? 8 : 128;
		if (s->k.proto == 6)
			e.has_flags = 1, e.flags = sm->flags;
		if (i < ALERT_EVIDENCE)
			alert_add_evidence(a, &e);
		if (kind == SK_VERTICAL)
			alert_add_target(a, s->k.af, sm->target, 1, sm->port);
		else if (kind == SK_HORIZONTAL)
			alert_add_target(a, s->k.af, sm->target,
			    s->k.proto == 6 || s->k.proto == 17, sm->port);
		else
			alert_add_target(a, s->k.af, sm->target,
			    s->k.proto == 6 || s->k.proto == 17, sm->port);
	}
}

static void
raise_set(const struct sset *s, int kind, uint64_t ts)
{
	char sb[64], tb[64];
	const char *style = style_name[s->k.style];
	double span = (double)(s->last - s->first) / DT_NS;
	struct alert a;

	alert_begin(&a, kind == SK_HORIZONTAL ? "host_sweep" : "port_scan",
	    "medium", ts);
	a.style = style;
	a.proto = proto_name(s->k.proto);
	a.af = s->k.af;
	memcpy(a.src, s->k.scanner, 16);
	a.first = s->first;
	a.last = s->last;
	dt_addr(a.af, a.src, sb, sizeof(sb));
	switch (kind) {
	case SK_VERTICAL:
		a.scan = "vertical";
		a.has_dst = 1;
		memcpy(a.dst, s->k.target, 16);
		a.count = a.ports = s->n;
		a.hosts = 1;
		a.threshold = nports;
		a.window = port_window;
		dt_addr(a.af, a.dst, tb, sizeof(tb));
		snprintf(a.target, sizeof(a.target), "%s %s", tb, style);
		snprintf(a.msg, sizeof(a.msg),
		    "%s scanned %u %s ports of %s (%s scan) in %.3g s", sb,
		    s->n, a.proto, tb, style, span);
		break;
	case SK_HORIZONTAL:
		a.scan = "horizontal";
		a.count = a.hosts = s->n;
		a.threshold = nhosts;
		a.window = host_window;
		if (s->k.proto == 6 || s->k.proto == 17) {
			a.has_port = 1;
			a.port = s->k.port;
			a.ports = 1;
			snprintf(a.target, sizeof(a.target), "%u/%s %s",
			    s->k.port, a.proto, style);
			snprintf(a.msg, sizeof(a.msg),
			    "%s swept %u hosts on %u/%s (%s) in %.3g s", sb,
			    s->n, s->k.port, a.proto, style, span);
		} else {
			snprintf(a.target, sizeof(a.target), "%s", style);
			snprintf(a.msg, sizeof(a.msg),
			    "%s swept %u hosts by %s in %.3g s", sb, s->n,
			    style, span);
		}
		break;
	default:
		a.scan = "block";
		a.count = a.ports = s->n;
		a.hosts = s->n2;
		a.threshold = nports;
		a.window =
		    port_window > host_window ? port_window : host_window;
		snprintf(a.target, sizeof(a.target), "block %s", style);
		snprintf(a.msg, sizeof(a.msg),
		    "%s scanned %u %s ports across %u hosts (%s scan) in "
		    "%.3g s",
		    sb, s->n, a.proto, s->n2, style, span);
		break;
	}
	fill_evidence(&a, s, kind);
	alert_raise(&a);
}

/* --- the sets --- */

/* Adds v to the n items at it; 1 when it was not there. */
static int
add_item(uint64_t *it, uint32_t *n, size_t cap, uint64_t v)
{
	uint32_t i;

	for (i = 0; i < *n; i++)
		if (it[i] == v)
			return 0;
	if (*n < cap)
		it[(*n)++] = v;
	return 1;
}

static struct sset *
get_set(int kind, const struct skey *k, uint64_t ts, uint64_t window)
{
	struct tab *t = &sets[kind];
	struct sset *s = tab_find(t, k);

	if (s != NULL && ts - s->first > window && ts >= s->first) {
		/* its window is over: a new one starts here */
		s->n = s->n2 = s->nsample = 0;
		s->first = ts;
	}
	if (s == NULL) {
		if (t->count >= cap_sets)
			dt_evict(t, offsetof(struct sset, last));
		s = tab_insert(t, k);
		s->first = s->last = ts;
	}
	/* a timed-out attempt fails at its own time, maybe before others */
	if (ts < s->first)
		s->first = ts;
	if (ts > s->last)
		s->last = ts;
	return s;
}

static void
add_sample(struct sset *s, const struct attempt *at, uint64_t ts)
{
	struct sample *sm;

	if (s->nsample == SAMPLE_MAX)
		return;
	sm = &s->sample[s->nsample++];
	memset(sm, 0, sizeof(*sm));
	sm->ts = ts;
	memcpy(sm->target, at->k.target, 16);
	sm->sport = at->sport;
	sm->port = at->k.port;
	sm->flags = at->flags;
}

static uint64_t
target_hash(const struct akey *k)
{
	return siphash24(&attempts.key, k->target, 16);
}

/* One failed attempt, at stream time ts, into every set it belongs to. */
static void
failed(const struct attempt *at, uint64_t ts)
{
	const struct akey *k = &at->k;
	int ported = k->proto == 6 || k->proto == 17;
	struct skey sk;
	struct sset *s;

	if (ignored(k->af, k->scanner, at->sport, k->port))
		return;
	memset(&sk, 0, sizeof(sk));
	memcpy(sk.scanner, k->scanner, 16);
	sk.af = k->af;
	sk.proto = k->proto;
	sk.style = at->style;
	if (ported) {
		/* vertical: this target's ports */
		memcpy(sk.target, k->target, 16);
		s = get_set(SK_VERTICAL, &sk, ts, port_window);
		if (add_item(s->item, &s->n, nports, k->port)) {
			add_sample(s, at, ts);
			if (s->n >= nports) {
				raise_set(s, SK_VERTICAL, ts);
				s->n = s->nsample = 0, s->first = ts;
			}
		}
		memset(sk.target, 0, 16);
	}
	/* horizontal: the targets of this port (or of ARP, of ICMP) */
	sk.port = ported ? k->port : 0;
	s = get_set(SK_HORIZONTAL, &sk, ts, host_window);
	if (add_item(s->item, &s->n, nhosts, target_hash(k))) {
		add_sample(s, at, ts);
		if (s->n >= nhosts) {
			raise_set(s, SK_HORIZONTAL, ts);
			s->n = s->nsample = 0, s->first = ts;
		}
	}
	if (!ported)
		return;
	/* block: ports and targets together, one scanner */
	sk.port = 0;
	s = get_set(SK_BLOCK, &sk, ts,
	    port_window > host_window ? port_window : host_window);
	{
		int newp = add_item(s->item, &s->n, nports, k->port);
		int newh =
		    add_item(s->item + nports, &s->n2, nhosts, target_hash(k));

		if ((newp || newh) && s->n2 >= 2)
			add_sample(s, at, ts);
		if ((newp || newh) && s->n >= nports && s->n2 >= nhosts) {
			raise_set(s, SK_BLOCK, ts);
			s->n = s->n2 = s->nsample = 0, s->first = ts;
		}
	}
}

/* --- attempts and their answers --- */

static void
key_of(struct akey *k, int af, const uint8_t *scanner, const uint8_t *target,
    unsigned port, unsigned proto)
{
	memset(k, 0, sizeof(*k));
	k->af = (uint8_t)af;
	memcpy(k->scanner, scanner, alen(af));
	memcpy(k->target, target, alen(af));
	k->port = (uint16_t)port;
	k->proto = (uint8_t)proto;
}

static uint32_t *
waiting(const struct akey *k)
{
	if (k->proto == 6)
		return &waiting_tcp[k->port];
	if (k->proto == 17)
		return &waiting_udp[k->port];
	return &waiting_other;
}

/* Whether an answer from that port (or of that protocol) may be awaited. */
static int
awaited(unsigned proto, unsigned port)
{
	if (proto == 6)
		return waiting_tcp[port & 0xffff] != 0;
	if (proto == 17)
		return waiting_udp[port & 0xffff] != 0;
	return waiting_other != 0;
}

/* Removes attempt i, whose key hashes to h. */
static void
forget(size_t i, uint32_t h)
{
	uint32_t *w = waiting(tab_at(&attempts, i));

	if (*w > 0)
		(*w)--;
	tab_remove_h(&attempts, i, h);
}

static void
attempt(const struct akey *k, uint64_t ts, unsigned sport, int style,
    unsigned flags)
{
	uint32_t h = tab_hash(&attempts, k);
	struct attempt *at;

	if (tab_find_h(&attempts, k, h, NULL) != NULL)
		return; /* a retry: the first one's time stands */
	if (attempts.count >= cap_attempts)
		dt_evict(&attempts, offsetof(struct attempt, ts));
	at = tab_insert_h(&attempts, k, h);
	(*waiting(k))++;
	at->ts = ts;
	at->sport = (uint16_t)sport;
	at->style = (uint8_t)style;
	at->flags = (uint8_t)flags;
}

/*
 * The answer to an attempt: a failure (RST, no datagram) or a success.
 * 1 when there was such an attempt.
 */
static int
answer(const struct akey *k, int fail, uint64_t ts)
{
	struct attempt copy, *at;
	uint32_t h;
	size_t i;

	if (!awaited(k->proto, k->port))
		return 0;
	h = tab_hash(&attempts, k);
	if ((at = tab_find_h(&attempts, k, h, &i)) == NULL)
		return 0;
	copy = *at;
	forget(i, h);
	if (fail)
		failed(&copy, ts);
	return 1;
}

/* A bare ACK is answered only by RST: it fails then, or is forgotten. */
static int
style_of_tcp(const struct dpkt *p)
{
	unsigned f =
	    p->tcpflags & (TF_FIN | TF_SYN | TF_RST | TF_PSH | TF_ACK | TF_URG);

	if (f == TF_SYN)
		return p->tcpopts_os ? ST_CONNECT : ST_SYN;
	if (f == 0)
		return ST_NULL;
	if (f == TF_FIN)
		return ST_FIN;
	if (f == (TF_FIN | TF_PSH | TF_URG))
		return ST_XMAS;
	if (f == TF_ACK && p->tcplen == 0)
		return ST_ACK;
	return -1;
}

static void
tcp_packet(const struct dpkt *p)
{
	unsigned f = p->tcpflags;
	struct akey k;
	int style;

	if (f & TF_RST) {
		/* the target refuses: a SYN's or a bare ACK's failure */
		key_of(&k, p->af, p->dst, p->src, p->sport, 6);
		answer(&k, 1, p->ts);
		return;
	}
	if ((f & (TF_SYN | TF_ACK)) == (TF_SYN | TF_ACK)) {
		key_of(&k, p->af, p->dst, p->src, p->sport, 6);
		answer(&k, 0, p->ts);
		return;
	}
	if ((style = style_of_tcp(p)) < 0 || dpkt_addr_group(p->af, p->dst))
		return;
	key_of(&k, p->af, p->src, p->dst, p->dport, 6);
	if (style == ST_FIN || style == ST_NULL || style == ST_XMAS) {
		struct attempt at;

		memset(&at, 0, sizeof(at));
		at.k = k;
		at.ts = p->ts;
		at.sport = (uint16_t)p->sport;
		at.style = (uint8_t)style;
		at.flags = (uint8_t)f;
		failed(&at, p->ts);
		return;
	}
	attempt(&k, p->ts, p->sport, style, f);
}

static void
udp_packet(const struct dpkt *p)
{
	struct akey k;

	/* an answer: a datagram back from the attempted port */
	key_of(&k, p->af, p->dst, p->src, p->sport, 17);
	if (answer(&k, 0, p->ts))
		return;
	if (p->sport < 1024 && p->dport >= 1024)
		return; /* a service answering: no attempt */
	if (p->dport >= TRACEROUTE_PORT_FIRST &&
	    p->dport <= TRACEROUTE_PORT_LAST)
		return; /* traceroute's probes: no port is meant to answer */
	if (dpkt_addr_group(p->af, p->dst))
		return;
	key_of(&k, p->af, p->src, p->dst, p->dport, 17);
	attempt(&k, p->ts, p->sport, ST_UDP, 0);
}

static void
icmp_packet(const struct dpkt *p)
{
	unsigned req = p->af == 4 ? 8 : 128, rep = p->af == 4 ? 0 : 129;
	unsigned proto = p->af == 4 ? 1 : 58;
	struct akey k;

	if (p->itype == rep) {
		key_of(&k, p->af, p->dst, p->src, 0, proto);
		answer(&k, 0, p->ts);
	} else if (p->itype == req && !dpkt_addr_group(p->af, p->dst)) {
		key_of(&k, p->af, p->src, p->dst, 0, proto);
		attempt(&k, p->ts, 0, ST_ICMP, 0);
	}
}

static void
arp_packet(const struct dpkt *p)
{
	static const uint8_t zero[4];
	struct akey k;

	if (p->arp_op == 2) {
		key_of(&k, 4, p->tpa, p->spa, 0, PROTO_ARP);
		answer(&k, 0, p->ts);
	} else if (p->arp_op == 1 && memcmp(p->spa, p->tpa, 4) != 0 &&
	    memcmp(p->spa, zero, 4) != 0) {
		key_of(&k, 4, p->spa, p->tpa, 0, PROTO_ARP);
		attempt(&k, p->ts, 0, ST_ARP, 0);
	}
}

static void
scan_packet(const struct dpkt *p)
{
	if (p->arp)
		arp_packet(p);
	else if (p->tcp)
		tcp_packet(p);
	else if (p->udp)
		udp_packet(p);
	else if (p->icmp &&
	    ((p->af == 4 && p->ipproto == 1) ||
		(p->af == 6 && p->ipproto == 58)))
		icmp_packet(p);
}

/*
 * Attempts unanswered past the timeout have failed (all of them at the
 * end of the input, as Zeek counts a connection still unanswered at
 * termination); a bare ACK's silence is no failure.  Sets whose window
 * is over are let go.
 */
static void
expire(uint64_t ts, int all)
{
	struct attempt copy, *at;
	struct sset *s;
	size_t i;
	int kind;

	for (i = 0; i < attempts.count;) {
		at = tab_at(&attempts, i);
		if (!all && (at->ts > ts || ts - at->ts < attempt_tmo)) {
			i++;
			continue;
		}
		copy = *at;
		forget(i, tab_hash(&attempts, at));
		if (copy.style != ST_ACK)
			failed(&copy, all ? ts : copy.ts + attempt_tmo);
	}
	if (all)
		return;
	for (kind = 0; kind < SK_N; kind++)
		for (i = 0; i < sets[kind].count;) {
			s = tab_at(&sets[kind], i);
			if (s->last <= ts &&
			    ts - s->last > (kind == SK_HORIZONTAL
						   ? host_window
						   : port_window))
				tab_remove(&sets[kind], i);
			else
				i++;
		}
}

static void
scan_tick(uint64_t ts)
{
	expire(ts, 0);
}

static void
scan_finish(uint64_t ts)
{
	expire(ts, 1);
}

const struct det_module scan_module = {
	.name = "scan",
	.params = scan_params,
	.init = scan_init,
	.packet = scan_packet,
	.tick = scan_tick,
	.finish = scan_finish,
};
