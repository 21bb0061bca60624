/*
 * Records into the aggregate, on the clock of their capture timestamps:
 * each packet or frame first closes every interval that ended before it
 * (expiring idle flows and writing that interval's stats record), then is
 * counted.  nm-stats' main loop and the fuzz target both feed through
 * here, so what is fuzzed is what runs.
 */
#include "rec.h"
#include "stats.h"

void
feed_close(struct agg *a, struct out *o)
{
	/* A sweep visits every flow: on a large table, not every interval. */
	if (a->flows.t.count <= 65536 ||
	    a->flows.since_sweep >= a->flows.t.count / 8)
		flow_sweep(&a->flows, a->end, out_flow, o);
	out_stats(o, a, a->end, 0);
	a->ipkts = a->ibytes = 0;
	a->start = a->end;
	a->end += a->interval;
}

/* Closes every interval that ends at or before capture time ts. */
static void
feed_tick(struct agg *a, struct out *o, uint64_t ts)
{
	int n = 0;

	if (!a->started) {
		a->started = 1;
		a->first_ts = a->start = a->last_ts = ts;
		a->end = ts + a->interval;
		return;
	}
	while (ts >= a->end) {
		if (n++ == ST_GAPMAX) {		/* skip the rest of a silence */
			a->start += (ts - a->start) / a->interval * a->interval;
			a->end = a->start + a->interval;
			break;
		}
		feed_close(a, o);
	}
}

void
feed_record(struct agg *a, struct out *o, const struct rec *rec)
{
	struct pview pv;
	uint64_t ts = 0, len = 0;

	if (rec->type == REC_PACKET) {
		a->packets++;
		pview_read(&rec->obj, &pv);
		ts = pv.ts;
		len = pv.len;
	} else {
		a->frames++;
		rec_get_u64(&rec->obj, "ts", &ts);
		rec_get_u64(&rec->obj, "len", &len);
	}
	if (ts == 0)
		ts = a->last_ts;	/* no time: it belongs to now */
	feed_tick(a, o, ts);
	pv.ts = ts;
	agg_count(a, ts, len, rec->type == REC_PACKET ? &pv : NULL,
	    out_flow, o);
}
