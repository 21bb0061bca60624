/*
 * The records nm-stats adds to the stream: "stats" (one interval's
 * figures and the totals so far, with the top lists and how much of the
 * traffic they cover, and with several sources each one's share) and "flow"
 * (one connection's summary when it ends). Their keys are declared in
 * share/rec.h and described in nm-stats(1); keep the three in step.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "communityid.h"
#include "geo.h"
#include "names.h"
#include "nm.h"
#include "proto.h"
#include "services.h"
#include "stats.h"

void
out_init(struct out *o, struct rec_writer *w, unsigned ntop, enum top_by by)
{
	memset(o, 0, sizeof(*o));
	o->w = w;
	o->ntop = ntop;
	o->by = by;
	o->hosts = ecalloc(ntop + 1, sizeof(*o->hosts));
	o->flows = ecalloc(ntop + 1, sizeof(*o->flows));
	o->ports = ecalloc(ntop + 1, sizeof(*o->ports));
	keep_init(&o->ended, ntop, by);
}

void
out_free(struct out *o)
{
	free(o->hosts);
	free(o->flows);
	free(o->ports);
	keep_free(&o->ended);
}

static void
done(struct out *o)
{
	if (rec_writer_end(o->w) < 0)
		nm_write_failed();
}

static void
pk_knum(struct pk *pk, const char *key, double v)
{
	pk_cstr(pk, key);
	pk_double(pk, v);
}

/* A key and the map it opens; pk_close() ends the map. */
static void
pk_kmap(struct pk *pk, const char *key)
{
	pk_cstr(pk, key);
	pk_map_open(pk);
}

const char *
out_service(unsigned port, unsigned proto)
{
	const char *s;

	if (port == 0)
		return NULL;
	if ((s = svc_name(port, proto)) == NULL)
		s = svc_sysname(port, proto);
	return s;
}

/*
 * The flow's Community ID (seed 0), from the originator to the
 * responder: the same both ways for every protocol but ICMP's messages
 * without a counterpart, whose direction counts.  ICMP is hashed on
 * the first message's type and code as its sender sent them, so when
 * the responder sent it (an echo reply whose request was missed), from
 * the responder.  A flow whose first packet had no ports (a later
 * fragment) or no ICMP type (a header cut short) is hashed on its
 * addresses and protocol alone, as the spec says.  Computed as the
 * record is written, once per flow record (and per top_flows entry):
 * nothing is kept or hashed per packet.
 */
static void
pack_community_id(struct pk *pk, const struct flow *f)
{
	char id[COMMUNITYID_LEN + 1];
	const uint8_t *src, *dst, *t;
	unsigned sport, dport;
	size_t n = flow_addrlen(f);
	int r;

	flow_ends(f, &src, &dst, &sport, &dport);
	if ((f->k.proto == 1 || f->k.proto == 58) && f->first_resp) {
		t = src;
		src = dst;
		dst = t;
	}
	if (f->noports)
		r = communityid_v1_noports(0, src, dst, n, f->k.proto, id);
	else
		r = communityid_v1(0, src, dst, n, f->k.proto, (uint16_t)sport,
		    (uint16_t)dport, id);
	if (r == 0)
		pk_kstr(pk, "community_id", id);
}

/* key and the name the DNS answers gave addr, when one is known at ts. */
static void
pack_name(const struct out *o, struct pk *pk, const char *key,
    const uint8_t *addr, size_t len, uint64_t ts)
{
	const char *name = names_find(o->names, addr, len, ts);

	if (name != NULL)
		pk_kstr(pk, key, name);
}

/* key and where addr is, when the database knows (public addresses only) */
static void
pack_geo(const struct out *o, struct pk *pk, const char *key,
    const uint8_t *addr, size_t len)
{
	const struct geo_info *gi = geo_find(o->geo, addr, len);

	if (gi != NULL)
		geo_pack(pk, key, gi);
}

/*
 * The server names asked for, best first: only when some were (a stream
 * without TLS or HTTP requests keeps the record it always had).
 */
static void
pack_servers(const struct out *o, struct pk *pk, const struct agg *a)
{
	struct srv_top *top;
	size_t i, n = srv_top(&a->servers, &a->flows, o->by, &top, o->ntop);

	if (n > 0) {
		pk_cstr(pk, "top_servers");
		pk_array_open(pk);
		for (i = 0; i < n; i++) {
			pk_map_open(pk);
			pk_kstr(pk, "name", top[i].name);
			pk_ku(pk, "flows", top[i].flows);
			pk_ku(pk, "packets", top[i].packets);
			pk_ku(pk, "bytes", top[i].bytes);
			pk_close(pk);
		}
		pk_close(pk);
	}
	free(top);
}

/* A flow's keys; a flow record adds its type, svcport and reason. */
static void
pack_flow(const struct out *o, struct pk *pk, const struct flow *f,
    const char *reason)
{
	const char *svc = out_service(f->svcport, f->k.proto), *name;
	const uint8_t *src, *dst;
	unsigned sport, dport;

	flow_ends(f, &src, &dst, &sport, &dport);
	pk_map_open(pk);
	if (reason)
		pk_kstr(pk, "type", "flow");
	pk_kstr(pk, "proto", flow_proto(f));
	pk_kbin(pk, "src", src, flow_addrlen(f));
	pk_kbin(pk, "dst", dst, flow_addrlen(f));
	pack_name(o, pk, "src_name", src, flow_addrlen(f), f->last);
	pack_name(o, pk, "dst_name", dst, flow_addrlen(f), f->last);
	pack_geo(o, pk, "src_geo", src, flow_addrlen(f));
	pack_geo(o, pk, "dst_geo", dst, flow_addrlen(f));
	if ((name = srv_name(o->servers, f->srv)) != NULL)
		pk_kstr(pk, "server", name);
	pk_ku(pk, "sport", sport);
	pk_ku(pk, "dport", dport);
	pack_community_id(pk, f);
	if (svc != NULL) {
		pk_kstr(pk, "service", svc);
		if (reason)
			pk_ku(pk, "svcport", f->svcport);
	}
	pk_kmap(pk, "orig");
	pk_ku(pk, "packets", f->pkts[0]);
	pk_ku(pk, "bytes", f->bytes[0]);
	pk_close(pk);
	pk_kmap(pk, "resp");
	pk_ku(pk, "packets", f->pkts[1]);
	pk_ku(pk, "bytes", f->bytes[1]);
	pk_close(pk);
	pk_ku(pk, "first", f->first);
	pk_ku(pk, "last", f->last);
	pk_kstr(pk, "state", flow_state(f));
	pk_kstr(pk, "history", f->hist);
	if (reason)
		pk_kstr(pk, "reason", reason);
	pk_close(pk);
}

void
out_flow(void *arg, const struct flow *f, const char *reason)
{
	struct out *o = arg;

	/* one still open at the end is in the table when the list is drawn */
	if (strcmp(reason, "end") != 0)
		keep_offer(&o->ended, f);
	if (o->summ != NULL)
		summ_flow(o->summ, f);
	srv_flow_end(o->servers, f);
	pack_flow(o, rec_writer_pk(o->w), f, reason);
	done(o);
}

static double
per_sec(double n, uint64_t ns)
{
	return ns == 0 ? 0.0 : n * 1e9 / (double)ns;
}

static double
pct(uint64_t part, uint64_t whole)
{
	return whole == 0 ? 0.0 : 100.0 * (double)part / (double)whole;
}

static int
proto_desc(const void *x, const void *y)
{
	const struct proto_count *a = x, *b = y;

	if (a->packets != b->packets)
		return a->packets > b->packets ? -1 : 1;
	if (a->bytes != b->bytes)
		return a->bytes > b->bytes ? -1 : 1;
	return strcmp(a->name, b->name);
}

/*
 * The protocols, most packets first, their shares of tpkts and tbytes.
 * Sorts p in place: the caller's copy.
 */
void
pack_protos(struct pk *pk, struct proto_count *p, size_t n, uint64_t tpkts,
    uint64_t tbytes)
{
	size_t i;

	qsort(p, n, sizeof(p[0]), proto_desc);
	pk_cstr(pk, "protos");
	pk_array_open(pk);
	for (i = 0; i < n; i++) {
		pk_map_open(pk);
		pk_kstr(pk, "name", p[i].name);
		pk_ku(pk, "packets", p[i].packets);
		pk_ku(pk, "bytes", p[i].bytes);
		pk_knum(pk, "pkt_pct", pct(p[i].packets, tpkts));
		pk_knum(pk, "byte_pct", pct(p[i].bytes, tbytes));
		pk_close(pk);
	}
	pk_close(pk);
}

static void
pack_hosts(struct out *o, struct pk *pk, const struct tab *t, const char *key,
    int which, uint64_t ts, int geo)
{
	const struct host *h;
	size_t i, n;

	n = top_hosts(t, o->by, which, o->hosts, o->ntop);
	pk_cstr(pk, key);
	pk_array_open(pk);
	for (i = 0; i < n; i++) {
		h = o->hosts[i];
		pk_map_open(pk);
		pk_kbin(pk, "addr", h->k.addr, h->k.af == 6 ? 16 : 4);
		pack_name(o, pk, "name", h->k.addr, h->k.af == 6 ? 16 : 4, ts);
		/* the whole run's top_hosts alone: what the views show */
		if (geo)
			pack_geo(
			    o, pk, "geo", h->k.addr, h->k.af == 6 ? 16 : 4);
		if (which == TOP_TX) {
			pk_ku(pk, "packets", h->txp);
			pk_ku(pk, "bytes", h->txb);
		} else if (which == TOP_RX) {
			pk_ku(pk, "packets", h->rxp);
			pk_ku(pk, "bytes", h->rxb);
		} else {
			pk_ku(pk, "packets", h->txp + h->rxp);
			pk_ku(pk, "bytes", h->txb + h->rxb);
			pk_ku(pk, "tx_packets", h->txp);
			pk_ku(pk, "tx_bytes", h->txb);
			pk_ku(pk, "rx_packets", h->rxp);
			pk_ku(pk, "rx_bytes", h->rxb);
		}
		pk_close(pk);
	}
	pk_close(pk);
}

static void
pack_ports(struct out *o, struct pk *pk, const struct agg *a)
{
	const struct top_port *p;
	const char *svc;
	size_t i, n;

	n = top_ports(a, o->by, o->ports, o->ntop);
	pk_cstr(pk, "top_ports");
	pk_array_open(pk);
	for (i = 0; i < n; i++) {
		p = &o->ports[i];
		svc = out_service(p->port, p->proto);
		pk_map_open(pk);
		pk_ku(pk, "port", p->port);
		pk_kstr(pk, "proto", proto_ip_name(p->proto));
		if (svc != NULL)
			pk_kstr(pk, "service", svc);
		pk_ku(pk, "packets", p->packets);
		pk_ku(pk, "bytes", p->bytes);
		pk_close(pk);
	}
	pk_close(pk);
}

/* The capture map; late only in a source's own (late: NULL). */
void
pack_capture(struct pk *pk, uint64_t recv, uint64_t drop, uint64_t ifdrop,
    const uint64_t *late)
{
	uint64_t seen = recv > drop ? recv - drop : 0;

	pk_kmap(pk, "capture");
	pk_ku(pk, "recv", recv);
	pk_ku(pk, "drop", drop);
	pk_ku(pk, "ifdrop", ifdrop);
	if (late != NULL)
		pk_ku(pk, "late", *late);
	pk_knum(pk, "coverage",
	    recv + ifdrop == 0 ? 100.0 : pct(seen, recv + ifdrop));
	pk_close(pk);
}

/* Packets and bytes of the interval, of the run, and their rates. */
void
pack_counts(struct pk *pk, uint64_t ipkts, uint64_t ibytes, uint64_t tpkts,
    uint64_t tbytes, uint64_t span, uint64_t run)
{
	pk_kmap(pk, "interval");
	pk_ku(pk, "packets", ipkts);
	pk_ku(pk, "bytes", ibytes);
	pk_close(pk);
	pk_kmap(pk, "total");
	pk_ku(pk, "packets", tpkts);
	pk_ku(pk, "bytes", tbytes);
	pk_close(pk);
	pk_kmap(pk, "rate");
	pk_knum(pk, "pps", per_sec((double)ipkts, span));
	pk_knum(pk, "bps", per_sec((double)ibytes * 8, span));
	pk_knum(pk, "avg_pps", per_sec((double)tpkts, run));
	pk_knum(pk, "avg_bps", per_sec((double)tbytes * 8, run));
	pk_close(pk);
}

/*
 * per_source: a map per source, indexed as the header's sources, then
 * "other" when anything was counted there.  The protocols are those of
 * the totals' table that this source saw.
 */
static void
pack_per_source(struct out *o, struct pk *pk, const struct agg *a,
    uint64_t span, uint64_t run, uint64_t end)
{
	struct proto_count p[ST_NPROTO];
	const struct src_fig *sf;
	struct src_stats cs;
	size_t i, j, n;
	int other;

	pk_cstr(pk, "per_source");
	pk_array_open(pk);
	for (i = 0; i < a->nsf; i++) {
		sf = &a->sf[i];
		other = i == a->nsf - 1;
		if (other && sf->tpkts == 0 && !agg_src_capture(a, i, &cs))
			break;
		pk_map_open(pk);
		if (other)
			pk_kbool(pk, "other", 1);
		else
			pk_ku(pk, "if", i);
		pk_kstr(pk, "name", sf->name);
		pack_counts(pk, sf->ipkts, sf->ibytes, sf->tpkts, sf->tbytes,
		    span, run);
		for (j = n = 0; j < a->nproto; j++) {
			if (sf->proto[j].packets == 0)
				continue;
			p[n] = a->proto[j];
			p[n].packets = sf->proto[j].packets;
			p[n++].bytes = sf->proto[j].bytes;
		}
		pack_protos(pk, p, n, sf->tpkts, sf->tbytes);
		if (agg_src_capture(a, i, &cs))
			pack_capture(pk, cs.recv, cs.drop, cs.ifdrop, &cs.late);
		if (a->src_top)
			pack_hosts(
			    o, pk, &sf->hosts, "top_hosts", TOP_BOTH, end, 0);
		pk_close(pk);
	}
	pk_close(pk);
}

void
out_stats(struct out *o, const struct agg *a, uint64_t end, int final)
{
	struct pk *pk = rec_writer_pk(o->w);
	uint64_t span = end > a->start ? end - a->start : 0;
	uint64_t run = !a->started ? 0
	    : end > a->grid_ts	   ? st_add(a->run_before, end - a->grid_ts)
				   : a->run_before;
	struct proto_count p[ST_NPROTO];
	uint64_t u[3];
	size_t i, n;

	pk_map_open(pk);
	pk_kstr(pk, "type", "stats");
	pk_kbool(pk, "final", final);
	pk_kmap(pk, "interval");
	pk_ku(pk, "start", a->start);
	pk_ku(pk, "end", end);
	pk_ku(pk, "packets", a->ipkts);
	pk_ku(pk, "bytes", a->ibytes);
	if (a->jumped)
		pk_kbool(pk, "jump", 1);
	pk_close(pk);
	pk_kmap(pk, "total");
	pk_ku(pk, "packets", a->tpkts);
	pk_ku(pk, "bytes", a->tbytes);
	pk_ku(pk, "flows", a->flows.seen);
	pk_close(pk);
	pk_kmap(pk, "rate");
	/* in double: a byte count times 8 could wrap */
	pk_knum(pk, "pps", per_sec((double)a->ipkts, span));
	pk_knum(pk, "bps", per_sec((double)a->ibytes * 8, span));
	pk_knum(pk, "avg_pps", per_sec((double)a->tpkts, run));
	pk_knum(pk, "avg_bps", per_sec((double)a->tbytes * 8, run));
	pk_close(pk);
	pk_ku(pk, "runtime", run);
	memcpy(p, a->proto, a->nproto * sizeof(p[0]));
	pack_protos(pk, p, a->nproto, a->tpkts, a->tbytes);
	pack_hosts(o, pk, &a->hosts, "top_hosts", TOP_BOTH, end, 1);
	pack_hosts(o, pk, &a->hosts, "top_src", TOP_TX, end, 0);
	pack_hosts(o, pk, &a->hosts, "top_dst", TOP_RX, end, 0);
	pack_ports(o, pk, a);
	n = top_flows(&a->flows.t, &o->ended, o->by, o->flows, o->ntop);
	pk_cstr(pk, "top_flows");
	pk_array_open(pk);
	for (i = 0; i < n; i++)
		pack_flow(o, pk, o->flows[i], NULL);
	pk_close(pk);
	pack_servers(o, pk, a);
	pk_kmap(pk, "tracked");
	pk_ku(pk, "flows", a->flows.t.count);
	pk_ku(pk, "hosts", a->hosts.count);
	if (o->names != NULL)
		pk_ku(pk, "names", names_count(o->names));
	if (a->servers.t.count > 0)
		pk_ku(pk, "servers", a->servers.t.count);
	pk_close(pk);
	pk_kmap(pk, "evicted");
	pk_ku(pk, "flows", a->flows.evicted);
	pk_ku(pk, "hosts", a->hosts_evicted);
	if (o->names != NULL)
		pk_ku(pk, "names", names_evicted(o->names));
	if (a->servers.evicted > 0)
		pk_ku(pk, "servers", a->servers.evicted);
	pk_close(pk);
	if (agg_capture(a, &u[0], &u[1], &u[2]))
		pack_capture(pk, u[0], u[1], u[2], NULL);
	if (a->sf != NULL)
		pack_per_source(o, pk, a, span, run, end);
	pk_close(pk);
	done(o);
}
