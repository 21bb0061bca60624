/*
 * The DNS queries still waiting for their response, so that a response
 * carries the time since its query (tshark's dns.time) and the query's
 * frame number (dns.response_to).  A query is known by its client and
 * server address and port, its transport and its DNS id; a response looks
 * up the same key with the ends swapped.  A retransmitted query keeps the
 * first one's time, as tshark does; a query after an answered one on the
 * same key starts a new exchange.
 *
 * The table is bounded in entries and in age: DNSQ_BUCKETS buckets of
 * DNSQ_WAYS entries, allocated once; a query older than DNSQ_MAXAGE (by
 * packet time) no longer matches and its entry is free.  A query that
 * finds its bucket full of live unanswered queries pushes out the oldest,
 * which is counted (dnsq_evicted).  The bucket comes from a keyed hash
 * (share/siphash.c, its key drawn per run): someone on the wire cannot aim
 * queries at one bucket to push out others' queries.
 */
#include <stdlib.h>
#include <string.h>

#include "nm.h"
#include "pkt.h"
#include "siphash.h"

#define DNSQ_KEY 40 /* family, proto, id, ports, two 16-byte addresses */

struct dnsq_ent {
	uint8_t key[DNSQ_KEY];
	uint64_t ts;	/* the first query's, nanoseconds */
	uint64_t frame; /* its frame number */
	uint8_t used, answered;
};

static struct dnsq_ent *tab;
static uint64_t evicted;

uint64_t
dnsq_evicted(void)
{
	return evicted;
}

/* This run's hash key, drawn now: getrandom is refused in the sandbox. */
void
dnsq_seed(void)
{
	(void)sip_run_key();
}

static uint64_t
key_hash(const uint8_t *p, size_t n)
{
	return siphash24(sip_run_key(), p, n);
}

/*
 * The exchange's key, the client's end first: 0 when the packet has no
 * DNS header with flags, or no addresses and ports to tell it by.
 */
static int
make_key(const struct pkt *pk, uint8_t *key, int *response)
{
	const uint8_t *src, *dst, *t;
	unsigned sport, dport, alen, tp;
	int r;

	if (!(pk->have & PK_DNS) || pk->dns.got < 4)
		return 0;
	if (pk->have & PK_IP && pk->ip.src && pk->ip.dst)
		src = pk->ip.src, dst = pk->ip.dst, alen = 4;
	else if (pk->have & PK_IPV6 && pk->ipv6.src && pk->ipv6.dst)
		src = pk->ipv6.src, dst = pk->ipv6.dst, alen = 16;
	else
		return 0;
	if (pk->have & PK_UDP && pk->udp.got >= 4)
		sport = pk->udp.sport, dport = pk->udp.dport;
	else if (pk->have & PK_TCP && pk->tcp.got >= 4)
		sport = pk->tcp.sport, dport = pk->tcp.dport;
	else
		return 0;
	r = pk->dns.flags >> 15;
	memset(key, 0, DNSQ_KEY);
	key[0] = (uint8_t)alen;
	key[1] = pk->have & PK_UDP ? 17 : 6;
	key[2] = (uint8_t)(pk->dns.id >> 8);
	key[3] = (uint8_t)pk->dns.id;
	if (r) { /* the client is where a response goes */
		t = src, src = dst, dst = t;
		tp = sport, sport = dport, dport = tp;
	}
	key[4] = (uint8_t)(sport >> 8);
	key[5] = (uint8_t)sport;
	key[6] = (uint8_t)(dport >> 8);
	key[7] = (uint8_t)dport;
	memcpy(key + 8, src, alen);
	memcpy(key + 24, dst, alen);
	*response = r;
	return 1;
}

static int
live(const struct dnsq_ent *e, uint64_t ts)
{
	/* a timestamp that went back counts as live: nothing to expire by */
	return e->used && (ts < e->ts || ts - e->ts <= DNSQ_MAXAGE);
}

void
dnsq_note(struct pkt *pk, uint64_t ts, uint64_t frame)
{
	uint8_t key[DNSQ_KEY];
	struct dnsq_ent *b, *e, *old;
	int response, i;

	pk->dns.has_time = 0;
	if (!make_key(pk, key, &response))
		return;
	if (tab == NULL)
		tab = ecalloc((size_t)DNSQ_BUCKETS * DNSQ_WAYS, sizeof(*tab));
	b = tab + (key_hash(key, DNSQ_KEY) & (DNSQ_BUCKETS - 1)) * DNSQ_WAYS;
	for (i = 0, e = NULL; i < DNSQ_WAYS && e == NULL; i++)
		if (live(&b[i], ts) && memcmp(b[i].key, key, DNSQ_KEY) == 0)
			e = &b[i];
	if (response) {
		/* a response before its query, or with time going back,
		 * has no time from it */
		if (e == NULL || ts < e->ts)
			return;
		e->answered = 1;
		pk->dns.has_time = 1;
		pk->dns.time = ts - e->ts;
		pk->dns.qframe = e->frame;
		return;
	}
	if (e != NULL && !e->answered)
		return; /* a retransmission: the first query's time holds */
	if (e == NULL) {
		/* a free entry, else an answered one, else the oldest */
		old = NULL;
		for (i = 0; i < DNSQ_WAYS && e == NULL; i++)
			if (!live(&b[i], ts))
				e = &b[i];
		for (i = 0; i < DNSQ_WAYS && e == NULL; i++)
			if (b[i].answered)
				e = &b[i];
		for (i = 0; i < DNSQ_WAYS && e == NULL; i++)
			if (old == NULL || b[i].ts < old->ts)
				old = &b[i];
		if (e == NULL) {
			e = old;
			evicted++;
		}
	}
	memcpy(e->key, key, DNSQ_KEY);
	e->ts = ts;
	e->frame = frame;
	e->used = 1;
	e->answered = 0;
}
