/*
 * The figures a stats record reports, updated once per frame or packet:
 * totals and the current interval, the protocol distribution (by the
 * packet's own "proto" name), IP endpoints (sent and received, like
 * tshark's endpoint table), ports on the service side of each connection,
 * the connections themselves (flow.c), and the capture sources' drop
 * counters; with several sources, each source's share of them too (an
 * array indexed by the frame's "if": two additions and the protocol's
 * slot, found once for both).  A packet record is first reduced to a struct
 * pview in one pass over its keys, so nothing is looked up twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nm.h"
#include "stats.h"

#define HOST_SAMPLE 8 /* hosts looked at to choose one to push out */
#define HOST_SEED   0x2545f4914f6cdd1dULL /* the sampling's xorshift start */

static int
key_is(const msgpack_object *k, const char *s, size_t n)
{
	return k->via.str.size == n && memcmp(k->via.str.ptr, s, n) == 0;
}

static void
read_ip(const msgpack_object *m, struct pview *pv, int v6)
{
	const msgpack_object_kv *kv;
	size_t n = v6 ? 16 : 4;
	uint64_t u, nxt = 0;
	int src = 0, dst = 0, proto = 0, hasnxt = 0;
	uint32_t i;

	for (i = 0; i < m->via.map.size; i++) {
		kv = &m->via.map.ptr[i];
		if (kv->key.type != MSGPACK_OBJECT_STR)
			continue;
		if (key_is(&kv->key, "src", 3))
			src = rec_obj_addr(&kv->val, pv->src, n);
		else if (key_is(&kv->key, "dst", 3))
			dst = rec_obj_addr(&kv->val, pv->dst, n);
		else if (key_is(&kv->key, "proto", 5) &&
		    rec_obj_u64(&kv->val, &u))
			pv->ipproto = (unsigned)u, proto = 1;
		else if (key_is(&kv->key, "nxt", 3) &&
		    rec_obj_u64(&kv->val, &nxt))
			hasnxt = 1;
	}
	if (!proto && hasnxt)
		pv->ipproto = (unsigned)nxt;
	pv->af = src && dst ? (v6 ? 6 : 4) : 0;
}

/* tcp, udp, icmp and icmpv6 maps: the fields the figures use. */
static void
read_l4(const msgpack_object *m, struct pview *pv, int kind)
{
	const msgpack_object_kv *kv;
	uint64_t u;
	int sp = 0, dp = 0;
	uint32_t i;

	for (i = 0; i < m->via.map.size; i++) {
		kv = &m->via.map.ptr[i];
		if (kv->key.type != MSGPACK_OBJECT_STR ||
		    !rec_obj_u64(&kv->val, &u))
			continue;
		if (kind == 'i') {
			if (key_is(&kv->key, "type", 4))
				pv->itype = (unsigned)u, pv->has_itype = 1;
			else if (key_is(&kv->key, "code", 4))
				pv->icode = (unsigned)u;
			else if (key_is(&kv->key, "id", 2))
				pv->iid = (unsigned)u, pv->has_iid = 1;
			continue;
		}
		if (key_is(&kv->key, "sport", 5))
			pv->sport = (unsigned)(u & 0xffff), sp = 1;
		else if (key_is(&kv->key, "dport", 5))
			pv->dport = (unsigned)(u & 0xffff), dp = 1;
		else if (kind == 't' && key_is(&kv->key, "flags", 5))
			pv->tcpflags = (unsigned)u;
		else if (kind == 't' && key_is(&kv->key, "len", 3))
			pv->tcplen = u;
		else if (kind == 't' && key_is(&kv->key, "seq", 3))
			pv->tcpseq = (uint32_t)u, pv->has_seq = 1;
	}
	pv->ports = sp && dp;
}

const char *const pview_keys[] = { "if", "ts", "len", "proto", "svcport",
	"ip.src", "ip.dst", "ip.proto", "ipv6.src", "ipv6.dst", "ipv6.proto",
	"ipv6.nxt", "tcp.sport", "tcp.dport", "tcp.flags", "tcp.len", "tcp.seq",
	"udp.sport", "udp.dport", "icmp.type", "icmp.code", "icmp.id",
	"icmpv6.type", "icmpv6.code", "icmpv6.id", "tls.type", "tls.sni",
	"http.method", "http.host", NULL };

/*
 * The length of the name in a Host (or server_name) without its ":port";
 * 0 when it names no server: empty, or an address literal ("10.0.0.2",
 * "[fd00::2]"), which says nothing the address column does not.
 */
static size_t
host_name_len(const char *p, size_t n)
{
	size_t i, colon = n;
	int digits_dots = 1;

	if (n == 0 || p[0] == '[')
		return 0;
	for (i = n; i > 0; i--)
		if (p[i - 1] == ':') {
			colon = i - 1;
			break;
		} else if (p[i - 1] < '0' || p[i - 1] > '9')
			break;
	if (colon < n && memchr(p, ':', colon) != NULL)
		return 0; /* a bare IPv6 address: not a name */
	for (i = 0; i < colon; i++)
		if ((p[i] < '0' || p[i] > '9') && p[i] != '.')
			digits_dots = 0;
	return digits_dots ? 0 : colon;
}

/*
 * The name a client asked for: a ClientHello's server_name (type 1), a
 * request's Host (a head with a method).  m is the tls or http map.
 */
static void
read_server(const msgpack_object *m, struct pview *pv, int tls)
{
	const msgpack_object *v;
	uint64_t type = 0;

	if (tls ? !rec_get_u64(m, "type", &type) || type != 1
		: rec_get(m, "method") == NULL)
		return;
	v = rec_get(m, tls ? "sni" : "host");
	if (v == NULL || v->type != MSGPACK_OBJECT_STR)
		return;
	pv->serverlen = host_name_len(v->via.str.ptr, v->via.str.size);
	pv->server = pv->serverlen > 0 ? v->via.str.ptr : NULL;
}

int
pview_read(const msgpack_object *m, struct pview *pv)
{
	const msgpack_object_kv *kv;
	const msgpack_object *ip = NULL, *l4 = NULL;
	int kind = 0, v6 = 0;
	uint64_t u;
	uint32_t i;

	memset(pv, 0, sizeof(*pv));
	for (i = 0; i < m->via.map.size; i++) {
		kv = &m->via.map.ptr[i];
		if (kv->key.type != MSGPACK_OBJECT_STR)
			continue;
		if (key_is(&kv->key, "ts", 2))
			rec_obj_u64(&kv->val, &pv->ts);
		else if (key_is(&kv->key, "len", 3))
			rec_obj_u64(&kv->val, &pv->len);
		else if (key_is(&kv->key, "proto", 5) &&
		    kv->val.type == MSGPACK_OBJECT_STR) {
			pv->proto = kv->val.via.str.ptr;
			pv->protolen = kv->val.via.str.size;
		} else if (key_is(&kv->key, "svcport", 7) &&
		    rec_obj_u64(&kv->val, &u))
			pv->svcport = (unsigned)(u & 0xffff);
		else if (kv->val.type != MSGPACK_OBJECT_MAP) {
			/* read with several sources only: looked for last */
			if (key_is(&kv->key, "if", 2))
				rec_obj_u64(&kv->val, &pv->ifx);
			continue;
		} else if (ip == NULL && key_is(&kv->key, "ip", 2))
			ip = &kv->val, v6 = 0;
		else if (ip == NULL && key_is(&kv->key, "ipv6", 4))
			ip = &kv->val, v6 = 1;
		else if (key_is(&kv->key, "tcp", 3))
			l4 = &kv->val, kind = 't';
		else if (key_is(&kv->key, "udp", 3))
			l4 = &kv->val, kind = 'u';
		else if (key_is(&kv->key, "icmp", 4) ||
		    key_is(&kv->key, "icmpv6", 6))
			l4 = &kv->val, kind = 'i';
		else if (key_is(&kv->key, "tls", 3))
			read_server(&kv->val, pv, 1);
		else if (key_is(&kv->key, "http", 4))
			read_server(&kv->val, pv, 0);
	}
	if (ip == NULL)
		return 0;
	read_ip(ip, pv, v6);
	if (pv->af == 0 || l4 == NULL)
		return 0;
	read_l4(l4, pv, kind);
	pv->tcp = kind == 't';
	pv->icmp = kind == 'i';
	if (kind == 't' && pv->ipproto == 0)
		pv->ipproto = 6;
	if (kind == 'u' && pv->ipproto == 0)
		pv->ipproto = 17;
	return 0;
}

void
agg_init(struct agg *a, uint64_t interval, size_t max_flows, size_t max_hosts)
{
	memset(a, 0, sizeof(*a));
	a->interval = interval;
	a->max_hosts = max_hosts;
	a->tcp_ports = ecalloc(65536, sizeof(*a->tcp_ports));
	a->udp_ports = ecalloc(65536, sizeof(*a->udp_ports));
	tab_init(
	    &a->hosts, sizeof(struct host), sizeof(struct host_key), max_hosts);
	flow_init(&a->flows, max_flows);
	srv_init(&a->servers, SRV_MAX);
	a->rng = HOST_SEED;
}

static uint64_t
next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * Forgets the host of t with the fewest packets of a few sampled, drawn
 * by rng: each table its own, so that a source's evictions never change
 * which host the totals' table forgets.
 */
/*
 * A host let go takes its packets since the summary's span began into
 * the span (sg, for the totals' table), so the span's lists lose none.
 */
static void
evict_host(struct tab *t, uint64_t *rng, uint64_t *evicted, struct sumgrid *sg)
{
	size_t i, pick = 0, n = t->count;
	const struct host *h, *v = NULL;
	uint64_t hp, vp = 0;
	int k;

	for (k = 0; k < HOST_SAMPLE; k++) {
		i = (size_t)(next_rand(rng) % n);
		h = tab_at(t, i);
		hp = h->txp + h->rxp;
		if (v == NULL || hp < vp || (hp == vp && h->last < v->last)) {
			v = h;
			vp = hp;
			pick = i;
		}
	}
	if (sg != NULL)
		summ_host(&sg->cur, tab_at(t, pick));
	tab_remove(t, pick);
	(*evicted)++;
}

static struct host *
host_get(struct tab *t, uint64_t *rng, uint64_t *evicted, struct sumgrid *sg,
    const uint8_t *addr, int af)
{
	struct host_key k;
	struct host *h;

	memset(&k, 0, sizeof(k));
	memcpy(k.addr, addr, af == 6 ? 16 : 4);
	k.af = (uint8_t)af;
	if ((h = tab_find(t, &k)) != NULL)
		return h;
	if (t->count >= t->cap)
		evict_host(t, rng, evicted, sg);
	return tab_insert(t, &k);
}

/*
 * A packet from src to dst, sent by one and received by the other.
 * Inline: every IP packet comes this way.
 */
static inline __attribute__((always_inline)) void
count_hosts(struct tab *t, uint64_t *rng, uint64_t *evicted, struct sumgrid *sg,
    const struct pview *pv, uint64_t ts, uint64_t len)
{
	struct host *h;

	h = host_get(t, rng, evicted, sg, pv->src, pv->af);
	h->txp++;
	h->txb += len;
	h->last = ts;
	h = host_get(t, rng, evicted, sg, pv->dst, pv->af);
	h->rxp++;
	h->rxb += len;
	h->last = ts;
}

/* Counts the packet under its protocol; returns the protocol's slot. */
static size_t
count_proto(struct agg *a, const struct pview *pv)
{
	const char *name = pv->proto ? pv->proto : "unknown";
	size_t i, n = pv->proto ? pv->protolen : 7;
	struct proto_count *p;

	if (n >= ST_PROTOLEN)
		n = ST_PROTOLEN - 1;
	for (i = 0; i < a->nproto; i++) {
		p = &a->proto[i];
		if (strncmp(p->name, name, n) == 0 && p->name[n] == '\0')
			goto found;
	}
	if (a->nproto == ST_NPROTO) {
		name = "other";
		n = 5;
		for (i = 0; i < a->nproto; i++)
			if (strcmp(a->proto[i].name, "other") == 0)
				break;
		if (i == a->nproto)
			i = a->nproto - 1; /* the last name gives way */
	} else
		i = a->nproto++;
	p = &a->proto[i];
	if (strncmp(p->name, name, n) != 0 || p->name[n] != '\0') {
		memcpy(p->name, name, n);
		p->name[n] = '\0';
	}
found:
	p->packets++;
	p->bytes += pv->len;
	return i;
}

void
agg_count(struct agg *a, uint64_t ts, uint64_t len, uint64_t ifx,
    const struct pview *pv, flow_emit_fn emit, void *arg)
{
	struct src_fig *sf = NULL;
	struct flow *f;
	struct port_count *pc;
	size_t slot;

	a->ipkts++;
	a->ibytes += len;
	a->tpkts++;
	a->tbytes += len;
	if (ts > a->last_ts)
		a->last_ts = ts;
	if (a->sf != NULL) {
		/* past the slots, or not in the header: "other", the last */
		sf = &a->sf[ifx < a->nsf - 1 ? ifx : a->nsf - 1];
		sf->ipkts++;
		sf->ibytes += len;
		sf->tpkts++;
		sf->tbytes += len;
	}
	if (a->sg != NULL)
		summ_count(
		    &a->sg->cur, len, sf != NULL ? (size_t)(sf - a->sf) : 0);
	if (pv == NULL)
		return;
	slot = count_proto(a, pv);
	if (sf != NULL) {
		sf->proto[slot].packets++;
		sf->proto[slot].bytes += len;
	}
	if (a->sg != NULL) {
		summ_proto(&a->sg->cur, slot, a->proto[slot].name, len);
		/* the packet's own service port, for the distinct count */
		if (pv->ports && pv->svcport != 0 &&
		    (pv->ipproto == 6 || pv->ipproto == 17))
			a->sg->pseen[pv->ipproto == 17][pv->svcport >> 3] |=
			    (uint8_t)(1u << (pv->svcport & 7));
	}
	if (pv->af == 0)
		return;
	count_hosts(&a->hosts, &a->rng, &a->hosts_evicted, a->sg, pv, ts, len);
	if (sf != NULL && a->src_top)
		count_hosts(&sf->hosts, &sf->rng, &sf->hosts_evicted, NULL, pv,
		    ts, len);
	f = flow_packet(&a->flows, pv, emit, arg);
	if (pv->server != NULL && f->srv == 0)
		f->srv = srv_note(&a->servers, pv->server, pv->serverlen);
	if (f->svcport == 0 || !pv->ports)
		return;
	if (pv->ipproto == 6)
		pc = &a->tcp_ports[f->svcport];
	else if (pv->ipproto == 17)
		pc = &a->udp_ports[f->svcport];
	else
		return;
	pc->packets++;
	pc->bytes += len;
}

void
agg_capstats(struct agg *a, const msgpack_object *m)
{
	uint64_t ifx = 0, v;
	struct src_stats *s;

	rec_get_u64(m, "if", &ifx);
	if (ifx >= ST_NSOURCES)
		return;
	s = &a->src[ifx];
	s->seen = 1;
	if (rec_get_u64(m, "recv", &v))
		s->recv = v;
	if (rec_get_u64(m, "drop", &v))
		s->drop = v;
	if (rec_get_u64(m, "ifdrop", &v))
		s->ifdrop = v;
	if (rec_get_u64(m, "late", &v))
		s->late = v;
}

int
agg_capture(
    const struct agg *a, uint64_t *recv, uint64_t *drop, uint64_t *ifdrop)
{
	int i, seen = 0;

	*recv = *drop = *ifdrop = 0;
	for (i = 0; i < ST_NSOURCES; i++) {
		if (!a->src[i].seen)
			continue;
		seen = 1;
		*recv += a->src[i].recv;
		*drop += a->src[i].drop;
		*ifdrop += a->src[i].ifdrop;
	}
	return seen;
}

/*
 * The first header that names more than one source sets up a slot per
 * source (up to ST_NSOURCES) and the "other" slot after them; a stream of
 * one source keeps none, and its records stay as they were.
 */
void
agg_sources(struct agg *a, const msgpack_object *hdr)
{
	const msgpack_object *srcs;
	uint32_t n = rec_sources(hdr, &srcs);
	char name[256];
	size_t i;

	if (a->sf != NULL || n < 2)
		return;
	a->nsrc = n;
	a->nsf = (n < ST_NSOURCES ? n : ST_NSOURCES) + 1;
	a->sf = ecalloc(a->nsf, sizeof(*a->sf));
	for (i = 0; i < a->nsf; i++) {
		if (i < a->nsf - 1)
			rec_source_name(&srcs[i], name, sizeof(name));
		else
			snprintf(name, sizeof(name), "other");
		a->sf[i].name = estrdup(name);
		a->sf[i].rng = HOST_SEED + i;
		tab_init(&a->sf[i].hosts, sizeof(struct host),
		    sizeof(struct host_key), a->src_top ? a->max_hosts : 1);
	}
}

/*
 * Slot i's capture counters: its source's, or for "other" the sum of
 * those with an index the header does not name (below ST_NSOURCES: the
 * counters of sources past it are not kept, as in the totals).
 */
int
agg_src_capture(const struct agg *a, size_t slot, struct src_stats *out)
{
	const struct src_stats *s;
	size_t i, from = slot, to = slot + 1;

	memset(out, 0, sizeof(*out));
	if (slot == a->nsf - 1) {
		from = a->nsf - 1 < a->nsrc ? ST_NSOURCES : a->nsrc;
		to = ST_NSOURCES;
	}
	for (i = from; i < to && i < ST_NSOURCES; i++) {
		s = &a->src[i];
		if (!s->seen)
			continue;
		out->seen = 1;
		out->recv += s->recv;
		out->drop += s->drop;
		out->ifdrop += s->ifdrop;
		out->late += s->late;
	}
	return out->seen;
}

void
agg_free(struct agg *a)
{
	size_t i;

	free(a->tcp_ports);
	free(a->udp_ports);
	tab_free(&a->hosts);
	tab_free(&a->flows.t);
	srv_free(&a->servers);
	for (i = 0; a->sf != NULL && i < a->nsf; i++) {
		free(a->sf[i].name);
		tab_free(&a->sf[i].hosts);
	}
	free(a->sf);
	memset(a, 0, sizeof(*a));
}
