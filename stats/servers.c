/*
 * The server names clients asked for: a TLS ClientHello's server_name
 * (over TCP or QUIC) or an HTTP request's Host, as nm-decode read them,
 * ranked by the connections that asked and by what those connections
 * carried (the stats record's top_servers, the flow record's server).
 *
 * A connection is named by the first name seen on it (a keep-alive
 * connection asking for another Host keeps its first) and keeps the
 * name's 64-bit id, a keyed hash of it, not the name: 8 bytes per
 * connection, and nothing looked up per packet.  A connection's packets
 * and bytes go to its name when it ends; the ones still open are added
 * when a stats record is drawn, so the list covers both.
 *
 * The table holds SRV_MAX names.  When it is full, the name with the
 * fewest connections of SRV_SAMPLE drawn at random is let go, counted in
 * evicted: the connections that named it count for no name from then on.
 */
#include <stdlib.h>
#include <string.h>

#include "nm.h"
#include "stats.h"

#define SRV_SAMPLE 8
#define SRV_SEED   0x9e3779b97f4a7c15ULL

struct srv_key {
	uint64_t id;
};

struct server {
	struct srv_key k;
	char name[SRV_NAMELEN];
	uint64_t flows;		 /* connections that asked */
	uint64_t packets, bytes; /* of those that ended */
};

void
srv_init(struct srv_tab *s, size_t cap)
{
	memset(s, 0, sizeof(*s));
	s->cap = cap;
	tab_init(&s->t, sizeof(struct server), sizeof(struct srv_key), cap);
	s->rng = SRV_SEED;
}

void
srv_free(struct srv_tab *s)
{
	tab_free(&s->t);
}

static uint64_t
next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void
evict_one(struct srv_tab *s)
{
	size_t i, pick = 0, n = s->t.count;
	const struct server *e, *v = NULL;
	int k;

	for (k = 0; k < SRV_SAMPLE; k++) {
		i = (size_t)(next_rand(&s->rng) % n);
		e = tab_at(&s->t, i);
		if (v == NULL || e->flows < v->flows) {
			v = e;
			pick = i;
		}
	}
	tab_remove(&s->t, pick);
	s->evicted++;
}

uint64_t
srv_note(struct srv_tab *s, const char *name, size_t len)
{
	struct srv_key k;
	struct server *e;

	if (len == 0)
		return 0;
	if (len >= SRV_NAMELEN)
		len = SRV_NAMELEN - 1;
	k.id = siphash24(sip_run_key(), name, len) | 1; /* 0: no name */
	if ((e = tab_find(&s->t, &k)) == NULL) {
		if (s->cap == 0)
			return 0;
		if (s->t.count >= s->cap)
			evict_one(s);
		e = tab_insert(&s->t, &k);
		memcpy(e->name, name, len);
		e->name[len] = '\0';
	}
	e->flows++;
	return k.id;
}

const char *
srv_name(const struct srv_tab *s, uint64_t id)
{
	struct srv_key k = { id };
	const struct server *e;

	if (s == NULL || id == 0 || (e = tab_find(&s->t, &k)) == NULL)
		return NULL;
	return e->name;
}

void
srv_flow_end(struct srv_tab *s, const struct flow *f)
{
	struct srv_key k = { f->srv };
	struct server *e;

	if (s == NULL || f->srv == 0 || (e = tab_find(&s->t, &k)) == NULL)
		return;
	e->packets += f->pkts[0] + f->pkts[1];
	e->bytes += f->bytes[0] + f->bytes[1];
}

static int
top_desc(const void *x, const void *y)
{
	const struct srv_top *a = x, *b = y;

	if (a->key != b->key)
		return a->key > b->key ? -1 : 1;
	if (a->flows != b->flows)
		return a->flows > b->flows ? -1 : 1;
	return strcmp(a->name, b->name);
}

size_t
srv_top(const struct srv_tab *s, const struct flow_tab *ft, enum top_by by,
    struct srv_top **out, size_t n)
{
	struct srv_top *all;
	const struct server *e;
	const struct flow *f;
	struct srv_key k;
	size_t i, m = s->t.count, at;

	*out = NULL;
	if (m == 0 || n == 0)
		return 0;
	all = ecalloc(m, sizeof(*all));
	for (i = 0; i < m; i++) {
		e = tab_at(&s->t, i);
		all[i].name = e->name;
		all[i].flows = e->flows;
		all[i].packets = e->packets;
		all[i].bytes = e->bytes;
	}
	/* the connections still open add what they carried so far */
	for (i = 0; i < ft->t.count; i++) {
		f = tab_at(&ft->t, i);
		if (f->srv == 0)
			continue;
		k.id = f->srv;
		if (tab_find_at(&s->t, &k, &at) == NULL)
			continue;
		all[at].packets += f->pkts[0] + f->pkts[1];
		all[at].bytes += f->bytes[0] + f->bytes[1];
	}
	for (i = 0; i < m; i++)
		all[i].key = by == TOP_BYTES ? all[i].bytes : all[i].packets;
	qsort(all, m, sizeof(*all), top_desc);
	*out = all;
	return m < n ? m : n;
}
