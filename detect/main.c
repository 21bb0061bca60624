/*
 * nm-detect: the stage that watches for attacks.  It reads the decoded
 * record stream on stdin, passes every record on (with -q only the
 * frames and packets are held back), hands each packet to the detector
 * modules (scans and sweeps, SYN floods, ARP spoofing and floods, DNS
 * abuse) and writes an alert record after the packet that completed one.
 * Its state is driven by the stream's own clock (packet timestamps and a
 * live capture's clock records), so a saved stream gives the alerts of
 * the live run, at any speed.
 *
 * Why a stage of its own and not part of nm-stats: the detectors keep
 * state of another shape than nm-stats' flow table (failed attempts per
 * scanner, half-open SYNs per victim per second, an IP-to-MAC table, DNS
 * names per client) and need it sooner than a flow's end; their tables
 * are under an attacker's control, so they are bounded and counted on
 * their own; and a stage can be left out, or run on a saved stream, or
 * after a bus, without touching the figures.  The cost is one more
 * reading of each record (its bytes are passed on as they came).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect.h"
#include "nm.h"
#include "rec.h"
#include "sandbox.h"
#include "stage.h"

/* Modules run in this order on each packet. */
static const struct det_module *const modules[] = { &scan_module, &flood_module,
	&arp_module, &dns_module };
#define NMODULES (sizeof(modules) / sizeof(modules[0]))

/* The stage's own parameters (every module adds its own). */
static struct param stage_params[] = {
	{ .name = "suppress",
	    .unit = PU_SECS,
	    .def = 3600,
	    .min = 0,
	    .max = 31 * 86400,
	    .help = "one alert per kind, source and target in this span "
		    "(Zeek's notice suppression: 1 h)" },
	{ .name = "alert-keys",
	    .unit = PU_COUNT,
	    .def = 65536,
	    .min = 16,
	    .max = 16777216,
	    .help = "suppression keys held at most" },
	{ .name = "ignore",
	    .unit = PU_LIST,
	    .help = "CIDR[#port]: an actor never alerted on",
	    .add = ignore_add },
	{ .name = NULL },
};

#define OPT_PARAM 1000 /* getopt values of parameter options start here */

struct opts {
	const char *config;
	int quiet, force, realtime, show;
	int nset;
	const char **names;
	char **values;
};

struct ctx {
	struct stage st;
	int quiet;
	uint64_t now;	    /* the stream's latest time */
	uint64_t next_tick; /* the modules' next tick, stream time */
};

static const char usage_text[] =
    "usage: nm-detect [-q] [-c config] [--ignore CIDR[#port]] "
    "[--SETTING value]...\n"
    "                 [--show-config] [--realtime] [--force]\n"
    "settings (nm-detect --show-config lists them with their values):\n";

static void __attribute__((noreturn)) usage(int status)
{
	struct param **all;
	size_t i, n;
	FILE *f = status == NM_EXIT_OK ? stdout : stderr;

	fputs(usage_text, f);
	all = param_all(&n);
	for (i = 0; i < n; i++)
		fprintf(f, "  --%-22s %s\n", all[i]->name, all[i]->help);
	if (status == NM_EXIT_OK)
		nm_exit_stdout();
	exit(status);
}

static void
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option fixed[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "show-config", no_argument, NULL, 'S' },
		{ "force", no_argument, NULL, 'f' },
		{ "realtime", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
	};
	struct option *longopts;
	struct param **all;
	size_t i, n, nfixed = sizeof(fixed) / sizeof(fixed[0]);
	int ch;

	memset(o, 0, sizeof(*o));
	all = param_all(&n);
	longopts = ecalloc(nfixed + n + 1, sizeof(*longopts));
	memcpy(longopts, fixed, sizeof(fixed));
	for (i = 0; i < n; i++) {
		longopts[nfixed + i].name = all[i]->name;
		longopts[nfixed + i].has_arg = required_argument;
		longopts[nfixed + i].val = OPT_PARAM + (int)i;
	}
	o->names = ecalloc((size_t)argc, sizeof(char *));
	o->values = ecalloc((size_t)argc, sizeof(char *));
	while ((ch = getopt_long(argc, argv, "c:qh", longopts, NULL)) != -1) {
		if (ch >= OPT_PARAM && (size_t)(ch - OPT_PARAM) < n) {
			o->names[o->nset] = all[ch - OPT_PARAM]->name;
			o->values[o->nset++] = optarg;
			continue;
		}
		switch (ch) {
		case 'c': o->config = optarg; break;
		case 'q': o->quiet = 1; break;
		case 'S': o->show = 1; break;
		case 'f': o->force = 1; break;
		case 'R': o->realtime = 1; break;
		case 'h': usage(NM_EXIT_OK);
		case 'V': nm_version("nm-detect");
		default:
			fprintf(stderr, "%s: see nm-detect -h\n", nm_prog);
			exit(NM_EXIT_USAGE);
		}
	}
	if (optind != argc)
		nm_bad_usage("unexpected argument: %s", argv[optind]);
	free(longopts);
}

/* The stream's clock moved to ts: the modules' ticks, once a second. */
static void
clock_to(struct ctx *cx, uint64_t ts)
{
	size_t i;

	if (ts <= cx->now)
		return;
	cx->now = ts;
	if (ts < cx->next_tick)
		return;
	for (i = 0; i < NMODULES; i++)
		if (modules[i]->tick != NULL)
			modules[i]->tick(ts);
	cx->next_tick = ts + DT_NS;
}

static void
on_record(struct stage *st, const struct rec *rec)
{
	struct ctx *cx = st->arg;
	struct dpkt p;
	uint64_t ts;
	size_t i;

	switch (rec->type) {
	case REC_PACKET:
		st->packets++;
		if (!cx->quiet)
			stage_pass(st, rec);
		dpkt_read(&rec->obj, &p);
		if (p.ts == 0)
			p.ts = cx->now; /* no time: it belongs to now */
		clock_to(cx, p.ts);
		for (i = 0; i < NMODULES; i++)
			modules[i]->packet(&p);
		break;
	case REC_FRAME:
		st->frames++;
		if (!cx->quiet)
			stage_pass(st, rec);
		break;
	case REC_CAPSTATS:
		/* a live capture's clock: a quiet spell times attempts out */
		if (rec_get_u64(&rec->obj, "ts", &ts) && ts != 0)
			clock_to(cx, ts);
		stage_pass(st, rec);
		break;
	default: stage_pass(st, rec); break;
	}
}

static void
on_finish(struct stage *st, enum stage_end why)
{
	struct ctx *cx = st->arg;
	size_t i;

	(void)why;
	for (i = 0; i < NMODULES; i++)
		if (modules[i]->finish != NULL)
			modules[i]->finish(cx->now);
}

/* The end record says what was written, held back and let go. */
static void
end_keys(struct pk *pk, void *arg)
{
	const struct alert_counts *c = alert_counts();

	(void)arg;
	pk_cstr(pk, "detect");
	pk_map_open(pk);
	pk_ku(pk, "alerts", c->alerts);
	pk_ku(pk, "suppressed", c->suppressed);
	pk_ku(pk, "evicted", c->evicted);
	pk_close(pk);
}

static const struct stage_ops detect_ops = {
	.name = "nm-detect",
	.records_out = 1,
	.record = on_record,
	.finish = on_finish,
	.end_keys = end_keys,
};

int
main(int argc, char **argv)
{
	static struct ctx cx;
	struct opts o;
	size_t i;

	nm_init(argv[0]);
	param_register(stage_params);
	for (i = 0; i < NMODULES; i++)
		param_register(modules[i]->params);
	parse_opts(argc, argv, &o);
	param_setup(o.config, o.nset, o.names, o.values);
	if (o.show)
		param_show();
	cx.quiet = o.quiet;
	stage_open(&cx.st, &detect_ops, &cx,
	    (o.force ? STAGE_FORCE : 0) | (o.realtime ? STAGE_REALTIME : 0));
	(void)rec_reader_want(cx.st.r, REC_PACKET, dpkt_keys);
	alert_init(&cx.st, param("suppress"), (size_t)param("alert-keys"));
	for (i = 0; i < NMODULES; i++)
		if (modules[i]->init != NULL)
			modules[i]->init();
	esandbox(NM_SANDBOX_STAGE);

	/* state: sandboxed, stdin, stdout and the signal pipe only */
	return stage_run(&cx.st);
}
