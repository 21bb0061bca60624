/*
 * nm-stats: the stage that aggregates.  It reads the record stream on
 * stdin, passes every record on (only the frames and packets are held
 * back with -q), counts frames and packets into intervals of capture
 * time, and writes a stats record at each interval boundary and a final
 * one at the end, and a flow record for each connection that ends.
 * Intervals follow the packets' timestamps, so a saved stream gives the
 * figures of the live run; only when live input goes quiet does the wall
 * clock close an interval, from the stage driver's tick.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nm.h"
#include "rec.h"
#include "services.h"
#include "stats.h"
#include "sandbox.h"
#include "stage.h"

/* Live input quiet this long past a boundary closes the interval. */
#define ST_GRACE ST_NS

struct opts {
	unsigned interval; /* seconds */
	unsigned ntop;
	int quiet;
	enum top_by by;
	size_t max_flows, max_hosts;
	const char *services;
	int force; /* records even to a terminal */
};

struct ctx {
	struct stage st;
	struct agg agg;
	struct out out;
	int quiet;
	uint64_t mono_last;    /* wall clock when the last packet came */
	uint64_t seen_at_tick; /* frames and packets at the last tick */
};

static const char usage_text[] =
    "usage: nm-stats [-q] [-I seconds] [-n count] [-s packets|bytes] "
    "[-F flows] [-H hosts]\n"
    "                [--services file] [--force]\n";

static void __attribute__((noreturn)) usage(void)
{
	nm_usage(usage_text, NM_EXIT_USAGE);
}

static void
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "interval", required_argument, NULL, 'I' },
		{ "top", required_argument, NULL, 'n' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "sort", required_argument, NULL, 's' },
		{ "max-flows", required_argument, NULL, 'F' },
		{ "max-hosts", required_argument, NULL, 'H' },
		{ "services", required_argument, NULL, 'S' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	memset(o, 0, sizeof(*o));
	o->interval = NM_STATS_INTERVAL_DEFAULT;
	o->ntop = NM_STATS_TOP_DEFAULT;
	o->max_flows = 1000000;
	o->max_hosts = 1000000;
	o->services = getenv("NM_SERVICES");
	while ((ch = getopt_long(argc, argv, "I:n:qs:F:H:h", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'I':
			o->interval = (unsigned)estrtonum(optarg,
			    NM_STATS_INTERVAL_MIN, NM_STATS_INTERVAL_MAX, "-I");
			break;
		case 'n':
			o->ntop = (unsigned)estrtonum(
			    optarg, 0, NM_STATS_TOP_MAX, "-n");
			break;
		case 'q': o->quiet = 1; break;
		case 's':
			if (strcmp(optarg, "packets") == 0)
				o->by = TOP_PACKETS;
			else if (strcmp(optarg, "bytes") == 0)
				o->by = TOP_BYTES;
			else
				nm_bad_usage(
				    "-s %s: sort by packets or bytes", optarg);
			break;
		case 'F':
			o->max_flows =
			    (size_t)estrtonum(optarg, 1, 100000000, "-F");
			break;
		case 'H':
			o->max_hosts =
			    (size_t)estrtonum(optarg, 2, 100000000, "-H");
			break;
		case 'S': o->services = optarg; break;
		case 'f': o->force = 1; break;
		case 'h': nm_usage(usage_text, NM_EXIT_OK);
		case 'V': nm_version("nm-stats");
		default: usage();
		}
	}
	if (optind != argc)
		nm_bad_usage("unexpected argument: %s", argv[optind]);
}

/*
 * Capture time at monotonic time now, projected from the last packet by
 * the wall clock.
 */
static uint64_t
projected(const struct ctx *cx, uint64_t now)
{
	return st_add(cx->agg.last_ts, now - cx->mono_last);
}

/* The final report: the last stats, every flow still open. */
static void
on_finish(struct stage *st, enum stage_end why)
{
	struct ctx *cx = st->arg;
	struct agg *a = &cx->agg;
	struct flow **v;
	uint64_t end = a->last_ts, p;
	size_t i, n;

	if (a->started && a->last_ts < a->start) { /* closed while idle */
		p = projected(cx, stage_now());
		end = p < a->start ? a->start : p > a->end ? a->end : p;
	}
	out_stats(&cx->out, a, end, 1);
	v = flow_sorted(&a->flows, &n);
	for (i = 0; i < n; i++)
		out_flow(&cx->out, v[i], "end");
	free(v);
	st->frames = a->frames;
	st->packets = a->packets;
}

/*
 * Live input gone quiet still closes its intervals on time: an interval
 * is closed once the capture time projected from the last packet by the
 * wall clock is ST_GRACE past its end.  Returns when that is due, in the
 * driver's clock; computed as a distance, so no timestamp can wrap it.
 */
static uint64_t
on_tick(struct stage *st, uint64_t now)
{
	struct ctx *cx = st->arg;
	struct agg *a = &cx->agg;
	uint64_t due;

	if (a->packets + a->frames != cx->seen_at_tick) {
		cx->seen_at_tick = a->packets + a->frames;
		cx->mono_last = now;
	}
	if (!a->started || a->end == ST_TMAX) /* no interval can close */
		return 0;
	due = st_add(st_add(cx->mono_last, a->end - a->last_ts), ST_GRACE);
	if (now < due)
		return due;
	feed_close(a, &cx->out);
	return a->end == ST_TMAX ? 0 : st_add(due, a->interval);
}

static void
on_record(struct stage *st, const struct rec *rec)
{
	struct ctx *cx = st->arg;

	switch (rec->type) {
	case REC_FRAME:
	case REC_PACKET:
		feed_record(&cx->agg, &cx->out, rec);
		if (!cx->quiet)
			stage_pass(st, rec);
		break;
	case REC_CAPSTATS:
		agg_capstats(&cx->agg, &rec->obj);
		stage_pass(st, rec);
		break;
	default: stage_pass(st, rec); break;
	}
}

static const struct stage_ops stats_ops = {
	.name = "nm-stats",
	.records_out = 1,
	.record = on_record,
	.tick = on_tick,
	.finish = on_finish,
};

int
main(int argc, char **argv)
{
	static struct ctx cx;
	struct opts o;

	nm_init(argv[0]);
	parse_opts(argc, argv, &o);
	esvc_setup(o.services);
	cx.quiet = o.quiet;
	agg_init(
	    &cx.agg, (uint64_t)o.interval * ST_NS, o.max_flows, o.max_hosts);
	stage_open(&cx.st, &stats_ops, &cx, o.force ? STAGE_FORCE : 0);
	(void)rec_reader_want(cx.st.r, REC_PACKET, pview_keys);
	out_init(&cx.out, cx.st.w, o.ntop, o.by);
	esandbox(NM_SANDBOX_STAGE);

	/* state: sandboxed, stdin, stdout and the signal pipe only */
	return stage_run(&cx.st);
}
