/*
 * When nm-stats writes its summary records.  With --summary-interval S,
 * one per span of S seconds of capture time, the spans aligned on
 * multiples of S since the epoch (so that every nm-stats, on any machine
 * or worker, cuts its spans at the same instants, and minutes roll up into
 * hours without a span crossing a boundary); a span with nothing counted
 * is not written (its capture counters go into the next one that is).  Always,
 * at the end, the final summary of the whole stream.  With intervals the final
 * one is the sum of the spans written, so it is what nm-stats --merge would
 * make of them.
 */
#include <stdlib.h>
#include <string.h>

#include "nm.h"
#include "stats.h"

void
sumout_init(struct sumgrid *g, uint64_t every, size_t k, enum top_by by)
{
	memset(g, 0, sizeof(*g));
	g->every = every;
	summ_init_counting(&g->cur, k, SUMM_COUNTERS(k), by);
	summ_init(&g->tot, k, by);
	snprintf(g->srcname, sizeof(g->srcname), "-");
	g->pbase = ecalloc(2 * 65536, sizeof(*g->pbase));
}

void
sumout_free(struct sumgrid *g)
{
	summ_free(&g->cur);
	summ_free(&g->tot);
	free(g->pbase);
	g->pbase = NULL;
}

void
sumout_header(struct sumgrid *g, const msgpack_object *hdr)
{
	const msgpack_object *srcs;

	if (rec_sources(hdr, &srcs) >= 1 && strcmp(g->srcname, "-") == 0)
		rec_source_name(&srcs[0], g->srcname, sizeof(g->srcname));
}

/*
 * What only the aggregate knows, put in the span at its end: each
 * source's name and capture counters since the span began, and the
 * connections begun in it.
 */
/*
 * What the tables counted in the span: each host's and open connection's
 * packets since it began (a connection that ended gave its own then),
 * each service port's, and the service ports the packets named.
 */
static void
span_tables(struct agg *a, struct sumgrid *g, int flows_ended)
{
	struct summ *s = &g->cur;
	struct port_count *pc, *pb;
	size_t i;
	unsigned port;

	for (i = 0; i < a->hosts.count; i++)
		summ_host(s, tab_at(&a->hosts, i));
	for (i = 0; !flows_ended && i < a->flows.t.count; i++)
		summ_flow_part(s, tab_at(&a->flows.t, i));
	for (i = 0; i < 2 * 65536; i++) {
		pc = i < 65536 ? &a->tcp_ports[i] : &a->udp_ports[i - 65536];
		pb = &g->pbase[i];
		if (pc->packets == pb->packets)
			continue;
		summ_port(s, i < 65536 ? 6 : 17, (unsigned)(i & 0xffff),
		    pc->packets - pb->packets, pc->bytes - pb->bytes);
		*pb = *pc;
	}
	for (i = 0; i < 2; i++)
		for (port = 0; port < 65536; port++)
			if (g->pseen[i][port >> 3] & (1u << (port & 7)))
				summ_port_seen(s, i ? 17 : 6, port);
	memset(g->pseen, 0, sizeof(g->pseen));
}

static void
span_close(struct agg *a, struct sumgrid *g, int flows_ended)
{
	struct summ *s = &g->cur;
	size_t i, n = a->sf != NULL ? a->nsf : 1;
	const struct src_stats *c, *b;

	span_tables(a, g, flows_ended);
	if (s->nsrc < n && (s->nsrc > 0 || a->sf == NULL))
		s->nsrc = n;
	for (i = 0; i < s->nsrc; i++)
		snprintf(s->src[i].name, sizeof(s->src[i].name), "%s",
		    a->sf != NULL ? a->sf[i].name : g->srcname);
	for (i = 0; i < ST_NSOURCES && i < s->nsrc; i++) {
		c = &a->src[i];
		b = &g->base[i];
		if (!c->seen)
			continue;
		s->src[i].capture = 1;
		s->src[i].recv = c->recv >= b->recv ? c->recv - b->recv : 0;
		s->src[i].drop = c->drop >= b->drop ? c->drop - b->drop : 0;
		s->src[i].ifdrop =
		    c->ifdrop >= b->ifdrop ? c->ifdrop - b->ifdrop : 0;
	}
	memcpy(g->base, a->src, sizeof(g->base));
	s->nflows = a->flows.seen - g->flows_base;
	g->flows_base = a->flows.seen;
}

static void
span_write(struct out *o, const struct summ *s)
{
	summ_write(rec_writer_pk(o->w), s);
	if (rec_writer_end(o->w) < 0)
		nm_write_failed();
}

void
sumout_tick(struct agg *a, struct out *o, uint64_t ts)
{
	struct sumgrid *g = a->sg;

	if (g == NULL)
		return;
	if (!g->started) {
		g->started = 1;
		g->first = g->last = ts;
		if (g->every != 0) {
			g->cur.start = ts - ts % g->every;
			g->cur.end = st_add(g->cur.start, g->every);
		}
		return;
	}
	if (ts > g->last)
		g->last = ts;
	if (g->every == 0 || ts < g->cur.end || g->cur.end == ST_TMAX)
		return;
	/*
	 * A silent span is not written; its capture counters are not lost
	 * but carried into the next span written.
	 */
	if (g->cur.packets > 0) {
		span_close(a, g, 0);
		span_write(o, &g->cur);
		summ_merge(&g->tot, &g->cur);
	}
	summ_clear(&g->cur);
	g->cur.start = ts - ts % g->every;
	g->cur.end = st_add(g->cur.start, g->every);
}

void
sumout_finish(struct agg *a, struct out *o)
{
	struct sumgrid *g = a->sg;
	struct summ *fin = &g->cur;

	if (g->every == 0 && g->started) {
		g->cur.start = g->first;
		g->cur.end = st_add(g->last, 1);
	}
	/* every connection has ended: nm-stats wrote its record */
	span_close(a, g, 1);
	if (g->every != 0) {
		if (g->cur.packets > 0) {
			span_write(o, &g->cur);
			summ_merge(&g->tot, &g->cur);
		}
		fin = &g->tot;
		/* the sum of nothing: no span was written */
		if (fin->merged == 0) {
			fin->start = g->first;
			fin->end = g->started ? st_add(g->last, 1) : 0;
			fin->nsrc = g->cur.nsrc;
			memcpy(fin->src, g->cur.src, sizeof(fin->src));
		}
	}
	fin->final = 1;
	span_write(o, fin);
}
