/*
 * Alert records: one per (kind, source, target) per suppression interval
 * (default an hour, as Zeek's notice suppression), the ignore list
 * applied to the source first.  An alert raised again inside the interval
 * is not written but counted, and the next one written for the same key
 * says how many were held back (repeat).  The keys held are bounded: a
 * full table first lets go of keys whose interval is over, then of the
 * oldest of a few looked at (counted as evictions: that key may alert
 * again early).
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "communityid.h"
#include "detect.h"
#include "names.h"
#include "nm.h"
#include "siphash.h"
#include "stage.h"

struct supp {
	uint64_t key; /* SipHash of kind, source and target */
	uint64_t emitted;
	uint64_t held; /* raised and not written since */
};

static struct stage *st;
static uint64_t suppress_ns;
static size_t max_keys;
static struct tab supp;
static struct alert_counts counts;

void
alert_init(struct stage *s, uint64_t suppress, size_t maxk)
{
	st = s;
	suppress_ns = suppress;
	max_keys = maxk;
	tab_init(&supp, sizeof(struct supp), sizeof(uint64_t), maxk);
}

const struct alert_counts *
alert_counts(void)
{
	return &counts;
}

void
alert_evicted(uint64_t n)
{
	counts.evicted += n;
}

/* As the JSON writer and nm-render show the same bytes (share/addr.c). */
const char *
dt_addr(int af, const uint8_t *a, char *buf, size_t len)
{
	addr_text(buf, len, a, af == 4 ? 4 : af == 6 ? 16 : 6);
	return buf;
}

void
alert_begin(
    struct alert *a, const char *kind, const char *severity, uint64_t ts)
{
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	a->severity = severity;
	a->ts = ts;
}

void
alert_add_evidence(struct alert *a, const struct evidence *e)
{
	if (a->nev < ALERT_EVIDENCE)
		a->ev[a->nev++] = *e;
}

void
alert_add_target(
    struct alert *a, int af, const uint8_t *addr, int has_port, unsigned port)
{
	struct target *t;

	if (a->ntg == ALERT_TARGETS)
		return;
	t = &a->tg[a->ntg++];
	memset(t, 0, sizeof(*t));
	t->af = af;
	if (af != 0)
		memcpy(t->addr, addr, af == 4 ? 4 : 16);
	t->has_port = has_port;
	t->port = port;
}

void
evidence_of(struct evidence *e, const struct dpkt *p, const char *proto)
{
	memset(e, 0, sizeof(*e));
	e->ts = p->ts;
	e->proto = proto;
	e->af = p->af;
	memcpy(e->src, p->src, 16);
	memcpy(e->dst, p->dst, 16);
	e->ipproto = p->ipproto;
	e->ports = p->ports;
	e->sport = p->sport;
	e->dport = p->dport;
	if (p->tcp)
		e->has_flags = 1, e->flags = p->tcpflags;
	if (p->icmp)
		e->has_icmp = 1, e->icmp_type = p->itype;
}

static size_t
alen(int af)
{
	return af == 4 ? 4 : af == 6 ? 16 : 6;
}

/* The Community ID of the first evidence packet's flow, or "" . */
static void
community_id(const struct alert *a, char out[COMMUNITYID_LEN + 1])
{
	const struct evidence *e = &a->ev[0];
	uint16_t sp = 0, dp = 0;

	out[0] = '\0';
	if (a->nev == 0 || (e->af != 4 && e->af != 6))
		return;
	if (e->ports)
		sp = (uint16_t)e->sport, dp = (uint16_t)e->dport;
	else if (e->has_icmp)
		sp = (uint16_t)e->icmp_type, dp = 0;
	else
		return;
	if (communityid_v1(0, e->src, e->dst, alen(e->af), (uint8_t)e->ipproto,
		sp, dp, out) < 0)
		out[0] = '\0';
}

static void
pack_evidence(struct pk *pk, const struct evidence *e)
{
	pk_map_open(pk);
	pk_ku(pk, "ts", e->ts);
	if (e->proto != NULL)
		pk_kstr(pk, "proto", e->proto);
	if (e->af != 0) {
		pk_kbin(pk, "src", e->src, alen(e->af));
		pk_kbin(pk, "dst", e->dst, alen(e->af));
	}
	if (e->ports) {
		pk_ku(pk, "sport", e->sport);
		pk_ku(pk, "dport", e->dport);
	}
	if (e->has_flags)
		pk_ku(pk, "flags", e->flags);
	if (e->has_icmp)
		pk_ku(pk, "icmp_type", e->icmp_type);
	if (e->has_arp)
		pk_ku(pk, "arp_op", e->arp_op);
	if (e->has_mac)
		pk_kbin(pk, "mac", e->mac, 6);
	if (e->has_rcode)
		pk_ku(pk, "rcode", e->rcode);
	if (e->name[0] != '\0')
		pk_kstr(pk, "name", e->name);
	if (e->len != 0)
		pk_ku(pk, "len", e->len);
	pk_close(pk);
}

static const struct names *names;

void
alert_names(const struct names *n)
{
	names = n;
}

static void
pack_name(struct pk *pk, const char *key, const uint8_t *addr, size_t len,
    uint64_t ts)
{
	const char *name = names_find(names, addr, len, ts);

	if (name != NULL)
		pk_kstr(pk, key, name);
}

static void
write_alert(const struct alert *a, const char *key, uint64_t repeat)
{
	char cid[COMMUNITYID_LEN + 1];
	struct pk *pk = stage_pk(st);
	int i;

	pk_map_open(pk);
	pk_kstr(pk, "type", "alert");
	pk_ku(pk, "ts", a->ts);
	pk_kstr(pk, "kind", a->kind);
	if (a->style != NULL)
		pk_kstr(pk, "style", a->style);
	if (a->scan != NULL)
		pk_kstr(pk, "scan", a->scan);
	pk_kstr(pk, "severity", a->severity);
	if (a->proto != NULL)
		pk_kstr(pk, "proto", a->proto);
	pk_kbin(pk, "src", a->src, alen(a->af));
	pack_name(pk, "src_name", a->src, alen(a->af), a->ts);
	if (a->has_dst) {
		pk_kbin(pk, "dst", a->dst, alen(a->af));
		pack_name(pk, "dst_name", a->dst, alen(a->af), a->ts);
	}
	if (a->has_port)
		pk_ku(pk, "port", a->port);
	pk_ku(pk, "count", a->count);
	pk_ku(pk, "threshold", a->threshold);
	pk_ku(pk, "window", a->window);
	pk_ku(pk, "first", a->first);
	pk_ku(pk, "last", a->last);
	if (a->ports)
		pk_ku(pk, "ports", a->ports);
	if (a->hosts)
		pk_ku(pk, "hosts", a->hosts);
	if (a->senders)
		pk_ku(pk, "senders", a->senders);
	if (a->pps > 0)
		pk_cstr(pk, "pps"), pk_double(pk, a->pps);
	if (a->has_mac)
		pk_kbin(pk, "mac", a->mac, 6);
	if (a->has_old_mac)
		pk_kbin(pk, "old_mac", a->old_mac, 6);
	if (a->has_eth_src)
		pk_kbin(pk, "eth_src", a->eth_src, 6);
	if (a->domain[0] != '\0')
		pk_kstr(pk, "domain", a->domain);
	pk_kstr(pk, "key", key);
	pk_ku(pk, "repeat", repeat);
	pk_kstr(pk, "msg", a->msg);
	if (a->ntg > 0) {
		pk_cstr(pk, "targets");
		pk_array_open(pk);
		for (i = 0; i < a->ntg; i++) {
			pk_map_open(pk);
			if (a->tg[i].af != 0)
				pk_kbin(pk, "addr", a->tg[i].addr,
				    alen(a->tg[i].af));
			if (a->tg[i].has_port)
				pk_ku(pk, "port", a->tg[i].port);
			pk_close(pk);
		}
		pk_close(pk);
	}
	if (a->nev > 0) {
		pk_cstr(pk, "evidence");
		pk_array_open(pk);
		for (i = 0; i < a->nev; i++)
			pack_evidence(pk, &a->ev[i]);
		pk_close(pk);
	}
	community_id(a, cid);
	if (cid[0] != '\0')
		pk_kstr(pk, "community_id", cid);
	pk_close(pk);
	stage_end_record(st);
}

/* Room for one more key: expired ones first, else the oldest. */
static void
make_room(uint64_t now)
{
	struct supp *s;
	size_t i;

	for (i = 0; i < supp.count;) {
		s = tab_at(&supp, i);
		if (now >= s->emitted && now - s->emitted >= suppress_ns)
			tab_remove(&supp, i);
		else
			i++;
	}
	if (supp.count >= max_keys)
		dt_evict(&supp, offsetof(struct supp, emitted));
}

void
alert_raise(struct alert *a)
{
	char key[sizeof(a->target) + ADDR_TEXT_MAX + 64], sbuf[ADDR_TEXT_MAX];
	uint64_t h, repeat = 0;
	struct supp *s;

	if (ignored(a->af, a->src, 0, a->has_port ? a->port : 0))
		return;
	snprintf(key, sizeof(key), "%s %s%s%s", a->kind,
	    dt_addr(a->af, a->src, sbuf, sizeof(sbuf)),
	    a->target[0] != '\0' ? " " : "", a->target);
	h = siphash24(&supp.key, key, strlen(key));
	if ((s = tab_find(&supp, &h)) != NULL) {
		if (a->ts < s->emitted || a->ts - s->emitted < suppress_ns) {
			s->held++;
			counts.suppressed++;
			return;
		}
		repeat = s->held;
	} else {
		if (supp.count >= max_keys)
			make_room(a->ts);
		s = tab_insert(&supp, &h);
	}
	s->emitted = a->ts;
	s->held = 0;
	counts.alerts++;
	write_alert(a, key, repeat);
}
