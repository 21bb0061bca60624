/*
 * Records into the aggregate, on the clock of the stream: each packet or
 * frame first closes every interval that ended before its timestamp
 * (expiring idle flows and writing that interval's stats record), then is
 * counted.  A live capture's clock records (capstats with a ts) close
 * intervals the same way with nothing to count, so a quiet spell ends its
 * intervals on time, and its header's start puts the grid at the capture's
 * start: every figure comes from the stream, none from the clock of the
 * machine reading it, and a saved stream gives what the live run gave.  A
 * clock that jumps far ahead or back restarts the grid rather than
 * writing (or waiting for) every interval in between.  nm-stats' main
 * loop and the fuzz target both feed through here, so what is fuzzed is
 * what runs.
 */
#include "rec.h"
#include "stats.h"

void
feed_close(struct agg *a, struct out *o)
{
	size_t i;

	/* A sweep visits every flow: on a large table, not every interval. */
	if (a->flows.t.count <= 65536 ||
	    a->flows.since_sweep >= a->flows.t.count / 8)
		flow_sweep(&a->flows, a->end, out_flow, o);
	out_stats(o, a, a->end, 0);
	a->ipkts = a->ibytes = 0;
	for (i = 0; a->sf != NULL && i < a->nsf; i++)
		a->sf[i].ipkts = a->sf[i].ibytes = 0;
	a->jumped = 0;
	a->start = a->end;
	a->end = st_add(a->end, a->interval);
}

/* A new grid from capture time ts: the first packet's, or a jump's. */
static void
grid_at(struct agg *a, uint64_t ts)
{
	a->grid_ts = a->start = a->last_ts = ts;
	a->end = st_add(ts, a->interval);
}

/*
 * Whether ts is a jump of the capture clock rather than a silence or a
 * late packet: more than ST_GAPMAX intervals past the current interval's
 * end, or as far before its start.
 */
static int
is_jump(const struct agg *a, uint64_t ts)
{
	if (ts >= a->end)
		return a->end != ST_TMAX &&
		    (ts - a->end) / a->interval > ST_GAPMAX;
	if (ts < a->start)
		return (a->start - ts) / a->interval > ST_GAPMAX;
	return 0;
}

/*
 * Closes every interval that ends at or before capture time ts: at most
 * ST_GAPMAX + 1 for a silence.  A jump, ahead or back, closes only the
 * current interval and starts the grid again at ts; the next stats
 * record says so (interval.jump).  Nothing here can wrap, whatever the
 * timestamps: each closed interval moves the grid by one interval, up
 * to the end of the clock, where it stays.
 */
static void
feed_tick(struct agg *a, struct out *o, uint64_t ts)
{
	sumout_tick(a, o, ts);
	if (!a->started) {
		a->started = 1;
		grid_at(a, ts);
		return;
	}
	if (is_jump(a, ts)) {
		feed_close(a, o);
		/* the grid that ended counts up to its last interval's end */
		a->run_before = st_add(a->run_before, a->start - a->grid_ts);
		grid_at(a, ts);
		a->jumped = 1;
		return;
	}
	while (ts >= a->end && a->end != ST_TMAX)
		feed_close(a, o);
}

/*
 * A header naming when a live capture began: the grid starts there, so the
 * first interval and the run's duration count from the capture's start,
 * not from its first packet.  The earliest of the sources' starts.  A
 * header of several sources sets up their figures (agg_sources).
 */
void
feed_header(struct agg *a, const struct rec *rec)
{
	uint64_t start;

	agg_sources(a, &rec->obj);
	if (a->started || (start = rec_capture_start(&rec->obj)) == 0)
		return;
	a->started = 1;
	grid_at(a, start);
}

void
feed_capstats(struct agg *a, struct out *o, const struct rec *rec)
{
	uint64_t ts = 0;

	agg_capstats(a, &rec->obj);
	if (!rec_get_u64(&rec->obj, "ts", &ts) || ts == 0)
		return; /* a file's: its time is its packets' */
	feed_tick(a, o, ts);
	if (ts > a->last_ts)
		a->last_ts = ts;
}

void
feed_record(struct agg *a, struct out *o, const struct rec *rec)
{
	struct pview pv;
	uint64_t ts = 0, len = 0, ifx = 0;

	if (rec->type == REC_PACKET) {
		a->packets++;
		pview_read(&rec->obj, &pv);
		ts = pv.ts;
		len = pv.len;
		ifx = pv.ifx;
	} else {
		a->frames++;
		rec_get_u64(&rec->obj, "ts", &ts);
		rec_get_u64(&rec->obj, "len", &len);
		if (a->sf != NULL)
			rec_get_u64(&rec->obj, "if", &ifx);
	}
	if (ts == 0)
		ts = a->last_ts; /* no time: it belongs to now */
	feed_tick(a, o, ts);
	pv.ts = ts;
	agg_count(
	    a, ts, len, ifx, rec->type == REC_PACKET ? &pv : NULL, out_flow, o);
}
