/*
 * Connection tracking: every IP packet belongs to one bidirectional flow,
 * keyed on its protocol and its two endpoints in a fixed order (so both
 * directions find the same entry).  A flow remembers which side opened it,
 * packets and bytes each way, first and last sight, and for TCP the
 * events of each side, from which its state is named in Zeek's
 * conn_state vocabulary and its history written in Zeek's letters.  A new
 * SYN after a TCP connection closed starts another on the same entry.  The
 * table is capped: flows idle past their timeout are ended by a sweep, and
 * when the table is still full the smallest of a few sampled flows is
 * pushed out, so a flood of new flows costs constant memory and time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nm.h"
#include "proto.h"
#include "services.h"
#include "stats.h"

#define EVICT_SAMPLE 8 /* flows looked at to choose one to push out */

static const char hist_letter[] = "SHADFR"; /* in EV_ bit order */

void
flow_init(struct flow_tab *ft, size_t cap)
{
	memset(ft, 0, sizeof(*ft));
	tab_init(&ft->t, sizeof(struct flow), sizeof(struct flow_key), cap);
	ft->rng = 0x9e3779b97f4a7c15ULL; /* fixed: replays evict alike */
}

static uint64_t
next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int
is_echo(const struct pview *pv)
{
	if (pv->ipproto == 1)
		return pv->itype == 8 || pv->itype == 0 || pv->itype == 13 ||
		    pv->itype == 14;
	return pv->itype == 128 || pv->itype == 129;
}

static int
is_reply(const struct pview *pv)
{
	return pv->ipproto == 1 ? pv->itype == 0 || pv->itype == 14
				: pv->itype == 129;
}

/*
 * The key, and whether the sender is endpoint b.  ICMP has no ports: an
 * echo exchange is keyed on its identifier, other messages on type and
 * code, the same on both sides so both directions meet.
 */
static int
make_key(const struct pview *pv, struct flow_key *k)
{
	unsigned sp = 0, dp = 0;
	size_t n = pv->af == 6 ? 16 : 4;
	int c;

	memset(k, 0, sizeof(*k));
	k->af = (uint8_t)pv->af;
	k->proto = (uint8_t)pv->ipproto;
	if (pv->ports) {
		sp = pv->sport;
		dp = pv->dport;
	} else if (pv->icmp) {
		sp = dp = is_echo(pv) ? (pv->has_iid ? pv->iid : 0)
				      : (pv->itype << 8 | pv->icode);
	}
	c = memcmp(pv->src, pv->dst, n);
	if (c < 0 || (c == 0 && sp <= dp)) {
		memcpy(k->a, pv->src, n);
		memcpy(k->b, pv->dst, n);
		k->pa = (uint16_t)sp;
		k->pb = (uint16_t)dp;
		return 0;
	}
	memcpy(k->a, pv->dst, n);
	memcpy(k->b, pv->src, n);
	k->pa = (uint16_t)dp;
	k->pb = (uint16_t)sp;
	return 1;
}

/*
 * The service side of a connection: the decoder's choice or the service
 * table's, else the port a SYN was sent to, else the lower port (clients
 * take theirs from the high, ephemeral range).
 */
static unsigned
service_port(const struct pview *pv)
{
	unsigned port;

	if (!pv->ports)
		return 0;
	if (pv->svcport != 0 &&
	    (pv->svcport == pv->sport || pv->svcport == pv->dport))
		return pv->svcport;
	if (svc_pick(pv->sport, pv->dport, pv->ipproto, &port) != NULL)
		return port;
	if (pv->tcp && (pv->tcpflags & (TCP_SYN | TCP_ACK)) == TCP_SYN)
		return pv->dport;
	if (pv->tcp &&
	    (pv->tcpflags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK))
		return pv->sport;
	return pv->sport < pv->dport ? pv->sport : pv->dport;
}

/*
 * Who opened the flow, from its first packet: the sender, unless that
 * packet is an answer (a SYN-ACK, an echo reply, or anything but a SYN
 * sent from the service port), in which case the start was missed and
 * the receiver is the originator.
 */
static int
sender_is_orig(const struct pview *pv, unsigned svc)
{
	unsigned syn = pv->tcpflags & (TCP_SYN | TCP_ACK);

	if (pv->tcp && syn == TCP_SYN)
		return 1;
	if (pv->tcp && syn == (TCP_SYN | TCP_ACK))
		return 0;
	if (pv->icmp)
		return !is_reply(pv);
	return !(svc != 0 && pv->sport == svc && pv->dport != svc);
}

static uint8_t
events(const struct pview *pv)
{
	unsigned f = pv->tcpflags;
	uint8_t ev = 0;

	if (!pv->tcp)
		return EV_DATA;
	if ((f & (TCP_SYN | TCP_ACK)) == TCP_SYN)
		ev |= EV_SYN;
	if ((f & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK))
		ev |= EV_SYNACK;
	if (f & TCP_FIN)
		ev |= EV_FIN;
	if (f & TCP_RST)
		ev |= EV_RST;
	if (pv->tcplen > 0)
		ev |= EV_DATA;
	if ((f & (TCP_ACK | TCP_SYN | TCP_FIN | TCP_RST)) == TCP_ACK &&
	    pv->tcplen == 0)
		ev |= EV_ACK;
	return ev;
}

static void
note_events(struct flow *f, int dir, uint8_t ev)
{
	uint8_t fresh = ev & (uint8_t)~f->ev[dir];
	size_t n = strlen(f->hist);
	int i;

	if ((fresh & EV_RST) && f->rst_first == 0)
		f->rst_first = (uint8_t)(dir + 1);
	f->ev[dir] |= ev;
	for (i = 0; fresh != 0 && i < 6; i++) {
		if (!(fresh & (1u << i)) || n + 1 >= sizeof(f->hist))
			continue;
		f->hist[n++] = dir == 0 ? hist_letter[i]
					: (char)(hist_letter[i] - 'A' + 'a');
	}
	f->hist[n] = '\0';
}

/* FIN both ways, or a RST: nothing more can follow but a new SYN. */
static int
flow_closed(const struct flow *f)
{
	return f->k.proto == 6 &&
	    (((f->ev[0] | f->ev[1]) & EV_RST) ||
		((f->ev[0] & EV_FIN) && (f->ev[1] & EV_FIN)));
}

uint64_t
flow_timeout(const struct flow *f)
{
	if (f->k.proto != 6)
		return FLOW_TMO_OTHER;
	if (flow_closed(f))
		return FLOW_TMO_CLOSED;
	if (f->pkts[1] == 0)
		return FLOW_TMO_OTHER; /* an attempt nobody answered */
	return FLOW_TMO_TCP;
}

/* Pushes out the smallest of a few flows chosen at random. */
static void
evict_one(struct flow_tab *ft, flow_emit_fn emit, void *arg)
{
	size_t i, pick = 0, n = ft->t.count;
	const struct flow *f, *v = NULL;
	uint64_t fp, vp = 0;
	int k;

	for (k = 0; k < EVICT_SAMPLE; k++) {
		i = (size_t)(next_rand(&ft->rng) % n);
		f = tab_at(&ft->t, i);
		fp = f->pkts[0] + f->pkts[1];
		if (v == NULL || fp < vp || (fp == vp && f->last < v->last)) {
			v = f;
			vp = fp;
			pick = i;
		}
	}
	emit(arg, v, "evicted");
	tab_remove(&ft->t, pick);
	ft->evicted++;
}

void
flow_sweep(struct flow_tab *ft, uint64_t now, flow_emit_fn emit, void *arg)
{
	const struct flow *f;
	size_t i = 0;

	while (i < ft->t.count) {
		f = tab_at(&ft->t, i);
		if (now > f->last && now - f->last >= flow_timeout(f)) {
			emit(arg, f, "idle");
			tab_remove(&ft->t, i); /* the last moves into i */
		} else
			i++;
	}
	ft->since_sweep = 0;
}

/* A connection's first packet: everything but its key anew. */
static void
flow_start(
    struct flow_tab *ft, struct flow *f, const struct pview *pv, int sender_b)
{
	unsigned svc = service_port(pv);

	memset((unsigned char *)f + sizeof(f->k), 0, sizeof(*f) - sizeof(f->k));
	ft->seen++;
	f->svcport = (uint16_t)svc;
	f->orig_b = (uint8_t)(sender_is_orig(pv, svc) ? sender_b : !sender_b);
	f->first_resp = f->orig_b != sender_b;
	f->noports = (uint8_t)(pv->icmp ? !pv->has_itype : !pv->ports);
	f->first = f->last = pv->ts;
	if (pv->icmp) {
		f->itype = (uint8_t)pv->itype;
		f->icode = (uint8_t)pv->icode;
	}
}

/* A SYN without ACK. */
static int
is_syn(const struct pview *pv)
{
	return pv->tcp && (pv->tcpflags & (TCP_SYN | TCP_ACK)) == TCP_SYN;
}

/*
 * Whether a SYN on a connection's addresses and ports starts a new one:
 * when the old one has closed, or (tshark's rule) when the originator's
 * SYN comes with another sequence number than its first SYN's, so is no
 * retransmission of it.
 */
static int
syn_starts_anew(const struct flow *f, const struct pview *pv, int dir)
{
	if (!is_syn(pv))
		return 0;
	return flow_closed(f) ||
	    (dir == 0 && f->has_syn_seq && pv->has_seq &&
		pv->tcpseq != f->syn_seq);
}

/*
 * A packet finds its connection, or starts one.  A SYN (without ACK) on
 * the addresses and ports of a connection that has closed, or one that
 * is no retransmission of its first SYN, starts a new connection there,
 * as Zeek and tshark (tcp.stream) see it: the old one ends with reason
 * "reused", and the entry is used again in place.
 */
struct flow *
flow_packet(
    struct flow_tab *ft, const struct pview *pv, flow_emit_fn emit, void *arg)
{
	struct flow_key k;
	struct flow *f;
	int sender_b, dir;

	sender_b = make_key(pv, &k);
	ft->since_sweep++;
	if ((f = tab_find(&ft->t, &k)) == NULL) {
		if (ft->t.count >= ft->t.cap) {
			/* a sweep first, when it has been a while */
			if (ft->since_sweep >= ft->t.cap / 8)
				flow_sweep(ft, pv->ts, emit, arg);
			if (ft->t.count >= ft->t.cap)
				evict_one(ft, emit, arg);
		}
		f = tab_insert(&ft->t, &k);
		flow_start(ft, f, pv, sender_b);
	} else if (syn_starts_anew(f, pv, sender_b == f->orig_b ? 0 : 1)) {
		emit(arg, f, "reused");
		ft->reused++;
		flow_start(ft, f, pv, sender_b);
	}
	dir = sender_b == f->orig_b ? 0 : 1;
	if (dir == 0 && is_syn(pv) && pv->has_seq && !f->has_syn_seq) {
		f->has_syn_seq = 1;
		f->syn_seq = pv->tcpseq;
	}
	f->pkts[dir]++;
	f->bytes[dir] += pv->len;
	if (pv->ts > f->last)
		f->last = pv->ts;
	if (pv->ts < f->first)
		f->first = pv->ts;
	note_events(f, dir, events(pv));
	return f;
}

/*
 * Zeek's conn_state names, from what each side was seen to send.  A flow
 * other than TCP is S0 when only its originator spoke, SF otherwise.
 */
const char *
flow_state(const struct flow *f)
{
	uint8_t o = f->ev[0], r = f->ev[1];

	if (f->k.proto != 6)
		return f->pkts[1] ? "SF" : "S0";
	if (!(o & EV_SYN) && !(r & EV_SYNACK))
		return "OTH"; /* the start was not seen */
	if ((o & EV_SYN) && !(r & EV_SYNACK)) {
		if (o & EV_RST)
			return "RSTOS0";
		if (r & EV_RST)
			return "REJ";
		if (o & EV_FIN)
			return "SH";
		return f->pkts[1] ? "OTH" : "S0";
	}
	if (!(o & EV_SYN)) { /* a SYN-ACK, its SYN missed */
		if (r & EV_RST)
			return "RSTRH";
		if (r & EV_FIN)
			return "SHR";
		return "OTH";
	}
	if (f->rst_first == 1)
		return "RSTO";
	if (f->rst_first == 2)
		return "RSTR";
	if ((o & EV_FIN) && (r & EV_FIN))
		return "SF";
	if (o & EV_FIN)
		return "S2";
	if (r & EV_FIN)
		return "S3";
	return "S1";
}

const char *
flow_proto(const struct flow *f)
{
	static char other[16];
	const char *name = proto_ip_name(f->k.proto);

	if (name != NULL)
		return name;
	snprintf(other, sizeof(other), "IP-%u", f->k.proto);
	return other;
}

size_t
flow_addrlen(const struct flow *f)
{
	return f->k.af == 6 ? 16 : 4;
}

/* ICMP flows show the first message's type and code as their ports. */
void
flow_ends(const struct flow *f, const uint8_t **src, const uint8_t **dst,
    unsigned *sport, unsigned *dport)
{
	if (f->orig_b) {
		*src = f->k.b;
		*dst = f->k.a;
		*sport = f->k.pb;
		*dport = f->k.pa;
	} else {
		*src = f->k.a;
		*dst = f->k.b;
		*sport = f->k.pa;
		*dport = f->k.pb;
	}
	if (f->k.proto == 1 || f->k.proto == 58) {
		*sport = f->itype;
		*dport = f->icode;
	}
}

static int
by_first(const void *x, const void *y)
{
	const struct flow *a = *(const struct flow *const *)x;
	const struct flow *b = *(const struct flow *const *)y;

	if (a->first != b->first)
		return a->first < b->first ? -1 : 1;
	return memcmp(&a->k, &b->k, sizeof(a->k));
}

struct flow **
flow_sorted(const struct flow_tab *ft, size_t *n)
{
	struct flow **v;
	size_t i;

	*n = ft->t.count;
	v = emalloc((*n ? *n : 1) * sizeof(*v));
	for (i = 0; i < *n; i++)
		v[i] = tab_at(&ft->t, i);
	qsort(v, *n, sizeof(*v), by_first);
	return v;
}
