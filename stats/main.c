/*
 * nm-stats: the stage that aggregates.  It reads the record stream on
 * stdin, passes every record on (only the frames and packets are held
 * back with -q), counts frames and packets into intervals of capture
 * time, and writes a stats record at each interval boundary and a final
 * one at the end, and a flow record for each connection that ends.
 * Intervals follow the stream's own time (packet timestamps, and a live
 * capture's start and once-a-second clock), never this machine's clock,
 * so a saved stream replayed at any speed gives the records of the live
 * run, quiet spells included.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect.h"
#include "nm.h"
#include "rec.h"
#include "services.h"
#include "stats.h"
#include "filter.h"
#include "geo.h"
#include "names.h"
#include "sandbox.h"
#include "stage.h"

struct opts {
	unsigned interval; /* seconds */
	unsigned ntop;
	int quiet;
	enum top_by by;
	size_t max_flows, max_hosts;
	const char *services;
	int force;		   /* records even to a terminal */
	int realtime;		   /* --realtime: at the recorded pace */
	const char *filter;	   /* -Y: the packets counted, or NULL */
	int src_top;		   /* --per-source-top */
	int no_detect;		   /* --no-detect */
	const char *detect_config; /* --detect-config */
	int show_detect;	   /* --show-detect-config */
	int no_names;		   /* -N: no passive names */
	unsigned summary_every;	   /* --summary-interval, seconds; 0: none */
	unsigned summary_k;	   /* --summary-top */
	int no_summary;		   /* --no-summary */
	const char *geo;	   /* --geo FILE|auto|off (NULL: auto) */
	int version;		   /* --version */
};

struct ctx {
	struct stage st;
	struct agg agg;
	struct out out;
	int quiet;
	struct filter *filter; /* -Y, or NULL */
	int detect;	       /* the detectors run here */
	int sources;	       /* the stream has several sources */
	struct names *names;   /* the passive names, or NULL (-N) */
	struct sumgrid *sg;    /* the summaries, or NULL (--no-summary) */
	struct geo *geo;       /* --geo's database, or NULL */
};

static const char usage_text[] =
    "usage: nm-stats [-qN] [-I seconds] [-n count] [-s packets|bytes] "
    "[-F flows] [-H hosts]\n"
    "                [--per-source-top] [--services file] [--realtime] "
    "[--force]\n"
    "                [--no-detect] [--detect-config file] "
    "[--show-detect-config]\n"
    "                [--summary-interval seconds] [--summary-top k] "
    "[--no-summary]\n"
    "                [--geo file|auto|off] [--ignore CIDR[#port]] "
    "[--SETTING value]...\n"
    "       nm-stats --merge [-n count] [--bucket seconds] "
    "[--summary-top k] file...\n"
    "(the detectors' settings: nm-detect -h)\n";

static void __attribute__((noreturn)) usage(void)
{
	nm_usage(usage_text, NM_EXIT_USAGE);
}

static void
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option fixed[] = {
		{ "interval", required_argument, NULL, 'I' },
		{ "top", required_argument, NULL, 'n' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "sort", required_argument, NULL, 's' },
		{ "max-flows", required_argument, NULL, 'F' },
		{ "max-hosts", required_argument, NULL, 'H' },
		{ "services", required_argument, NULL, 'S' },
		{ "force", no_argument, NULL, 'f' },
		{ "realtime", no_argument, NULL, 'R' },
		{ "display-filter", required_argument, NULL, 'Y' },
		{ "per-source-top", no_argument, NULL, 'P' },
		{ "no-detect", no_argument, NULL, 'D' },
		{ "no-names", no_argument, NULL, 'N' },
		{ "detect-config", required_argument, NULL, 'C' },
		{ "show-detect-config", no_argument, NULL, 'W' },
		{ "summary-interval", required_argument, NULL, 'M' },
		{ "summary-top", required_argument, NULL, 'K' },
		{ "no-summary", no_argument, NULL, 'O' },
		{ "geo", required_argument, NULL, 'G' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
	};
	struct option *longopts;
	int ch;

	memset(o, 0, sizeof(*o));
	o->interval = NM_STATS_INTERVAL_DEFAULT;
	o->ntop = NM_STATS_TOP_DEFAULT;
	o->max_flows = 1000000;
	o->max_hosts = 1000000;
	o->summary_k = SUMM_K;
	o->services = getenv("NM_SERVICES");
	longopts = det_options(fixed, sizeof(fixed) / sizeof(fixed[0]), argc);
	while ((ch = getopt_long(
		    argc, argv, "I:n:qs:F:H:hY:N", longopts, NULL)) != -1) {
		if (det_option(ch, optarg))
			continue;
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
		case 'R': o->realtime = 1; break;
		case 'Y': o->filter = optarg; break;
		case 'P': o->src_top = 1; break;
		case 'D': o->no_detect = 1; break;
		case 'N': o->no_names = 1; break;
		case 'C': o->detect_config = optarg; break;
		case 'W': o->show_detect = 1; break;
		case 'M':
			o->summary_every = (unsigned)estrtonum(optarg, 1,
			    NM_STATS_INTERVAL_MAX, "--summary-interval");
			break;
		case 'K':
			o->summary_k = (unsigned)estrtonum(
			    optarg, 16, SUMM_KMAX, "--summary-top");
			break;
		case 'O': o->no_summary = 1; break;
		case 'G': o->geo = optarg; break;
		case 'h': nm_usage(usage_text, NM_EXIT_OK);
		case 'V': o->version = 1; break;
		default: usage();
		}
	}
	if (optind != argc)
		nm_bad_usage("unexpected argument: %s", argv[optind]);
	free(longopts);
	if (o->version) {
		/* the database in use, and the terms its licence asks for */
		geo_version("nm-stats", o->geo);
		nm_exit_stdout();
	}
}

/* The final report: the last stats, every flow still open. */
static void
on_finish(struct stage *st, enum stage_end why)
{
	struct ctx *cx = st->arg;
	struct agg *a = &cx->agg;
	struct flow **v;
	size_t i, n;

	(void)why;
	if (cx->detect)
		det_finish(); /* alerts of what still waits come first */
	/* The end is the stream's latest time: a packet's or the clock's. */
	out_stats(
	    &cx->out, a, a->last_ts < a->start ? a->start : a->last_ts, 1);
	v = flow_sorted(&a->flows, &n);
	for (i = 0; i < n; i++)
		out_flow(&cx->out, v[i], "end");
	free(v);
	if (cx->sg != NULL)
		sumout_finish(a, &cx->out);
	st->frames = a->frames;
	st->packets = a->packets;
}

/*
 * What is read of a packet: what the figures use (its source too when
 * there are several), what the detectors use, and what -Y names.
 */
static void
want_keys(struct ctx *cx)
{
	const char *base[64], **want;
	const char *const *k;
	size_t n = 0, i;

	for (k = pview_keys + !cx->sources; *k != NULL; k++)
		base[n++] = *k;
	/* the DNS replies the passive names learn from */
	if (cx->names != NULL)
		base[n++] = "dns";
	for (k = dpkt_keys; cx->detect && *k != NULL; k++) {
		for (i = 0; i < n && strcmp(base[i], *k) != 0; i++)
			;
		if (i < n)
			continue;
		if (n == sizeof(base) / sizeof(base[0]) - 1)
			nm_die(NM_EXIT_FAIL,
			    "internal: more than %zu packet keys", n);
		base[n++] = *k;
	}
	base[n] = NULL;
	want = filter_keys_with(cx->filter, base);
	(void)rec_reader_want(cx->st.r, REC_PACKET, want);
	free(want);
}

static void
on_header(struct stage *st, const struct rec *rec)
{
	struct ctx *cx = st->arg;
	int had = cx->agg.sf != NULL;

	feed_header(&cx->agg, rec);
	if (cx->sg != NULL)
		sumout_header(cx->sg, &rec->obj);
	if (cx->filter != NULL)
		filter_header(cx->filter, &rec->obj);
	if (cx->detect && det_upstream(&rec->obj)) {
		cx->detect = 0; /* nm-detect judged this stream already */
		want_keys(cx);
	}
	if (!had && cx->agg.sf != NULL) {
		cx->sources = 1;
		want_keys(cx);
	}
}

static void
on_record(struct stage *st, const struct rec *rec)
{
	struct ctx *cx = st->arg;
	uint64_t ts = 0;

	switch (rec->type) {
	case REC_FRAME:
	case REC_PACKET:
		/* names first: the interval this packet closes may name */
		if (cx->names != NULL && rec->type == REC_PACKET)
			names_learn_packet(cx->names, &rec->obj);
		if (cx->filter == NULL || filter_match(cx->filter, &rec->obj))
			feed_record(&cx->agg, &cx->out, rec);
		if (!cx->quiet)
			stage_pass(st, rec);
		/* every packet, whatever -Y counts: an alert follows it */
		if (cx->detect && rec->type == REC_PACKET)
			det_packet(&rec->obj);
		break;
	case REC_CAPSTATS:
		feed_capstats(&cx->agg, &cx->out, rec);
		stage_pass(st, rec);
		if (cx->detect && rec_get_u64(&rec->obj, "ts", &ts) && ts != 0)
			det_clock(ts);
		break;
	default: stage_pass(st, rec); break;
	}
}

static void
end_keys(struct pk *pk, void *arg)
{
	struct stage *st = arg;
	struct ctx *cx = st->arg;

	if (cx->detect)
		det_end_keys(pk);
	if (cx->geo != NULL) {
		/* lookups: in the database; hits: answered by the cache */
		pk_cstr(pk, "geo");
		pk_map_open(pk);
		pk_ku(pk, "hits", geo_hits(cx->geo));
		pk_ku(pk, "lookups", geo_misses(cx->geo));
		pk_close(pk);
	}
}

static const struct stage_ops stats_ops = {
	.name = "nm-stats",
	.records_out = 1,
	.header = on_header,
	.record = on_record,
	.finish = on_finish,
	.end_keys = end_keys,
};

int
main(int argc, char **argv)
{
	static struct ctx cx;
	static struct sumgrid sg;
	struct opts o;

	nm_init(argv[0]);
	if (merge_wanted(argc, argv))
		return merge_main(argc, argv);
	det_register();
	parse_opts(argc, argv, &o);
	esvc_setup(o.services);
	cx.quiet = o.quiet;
	cx.detect = !o.no_detect;
	if (cx.detect || o.show_detect)
		det_settings(o.detect_config, o.show_detect);
	if (o.filter != NULL) {
		cx.filter = filter_compile_opt(o.filter);
		filter_packets_only(cx.filter);
	}
	agg_init(
	    &cx.agg, (uint64_t)o.interval * ST_NS, o.max_flows, o.max_hosts);
	cx.agg.src_top = o.src_top;
	if (!o.no_names)
		cx.names = names_new(0);
	/* the stage that shows geolocation (nm-render) gives the hint */
	cx.geo = geo_open(o.geo, 0);
	if (!o.no_summary) {
		sumout_init(
		    &sg, (uint64_t)o.summary_every * ST_NS, o.summary_k, o.by);
		cx.sg = cx.agg.sg = &sg;
	}
	stage_open(&cx.st, &stats_ops, &cx,
	    (o.force ? STAGE_FORCE : 0) | (o.realtime ? STAGE_REALTIME : 0));
	want_keys(&cx);
	out_init(&cx.out, cx.st.w, o.ntop, o.by);
	cx.out.names = cx.names;
	cx.out.geo = cx.geo;
	cx.out.servers = &cx.agg.servers;
	if (cx.sg != NULL)
		cx.out.summ = &cx.sg->cur;
	if (cx.detect) {
		det_start(&cx.st);
		alert_names(cx.names);
	}
	esandbox(NM_SANDBOX_STAGE);

	/* state: sandboxed, stdin, stdout and the signal pipe only */
	return stage_run(&cx.st);
}
