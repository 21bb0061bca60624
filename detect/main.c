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
 * nm-stats runs the same engine (engine.c) by default, in its own
 * process, which costs the pipeline far less than a stage more; this
 * program is the engine alone, for a saved stream, a pipeline without
 * nm-stats, or detection with other settings than the figures'.  A
 * stream it has been through is not judged again by nm-stats.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect.h"
#include "names.h"
#include "nm.h"
#include "rec.h"
#include "sandbox.h"
#include "stage.h"

struct opts {
	const char *config;
	int quiet, force, realtime, show;
	int no_names; /* -N */
};

struct ctx {
	struct stage st;
	int quiet;
	struct names *names; /* put beside alerts' addresses, or NULL */
};

static const char usage_text[] =
    "usage: nm-detect [-qN] [-c config] [--ignore CIDR[#port]] "
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
		{ "no-names", no_argument, NULL, 'N' },
		{ "show-config", no_argument, NULL, 'S' },
		{ "force", no_argument, NULL, 'f' },
		{ "realtime", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
	};
	struct option *longopts;
	int ch;

	memset(o, 0, sizeof(*o));
	longopts = det_options(fixed, sizeof(fixed) / sizeof(fixed[0]), argc);
	while ((ch = getopt_long(argc, argv, "c:qhN", longopts, NULL)) != -1) {
		if (det_option(ch, optarg))
			continue;
		switch (ch) {
		case 'c': o->config = optarg; break;
		case 'q': o->quiet = 1; break;
		case 'N': o->no_names = 1; break;
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

static void
on_record(struct stage *st, const struct rec *rec)
{
	struct ctx *cx = st->arg;
	uint64_t ts;

	switch (rec->type) {
	case REC_PACKET:
		st->packets++;
		if (!cx->quiet)
			stage_pass(st, rec);
		if (cx->names != NULL)
			names_learn_packet(cx->names, &rec->obj);
		det_packet(&rec->obj);
		break;
	case REC_FRAME:
		st->frames++;
		if (!cx->quiet)
			stage_pass(st, rec);
		break;
	case REC_CAPSTATS:
		/* a live capture's clock: a quiet spell times attempts out */
		if (rec_get_u64(&rec->obj, "ts", &ts) && ts != 0)
			det_clock(ts);
		stage_pass(st, rec);
		break;
	default: stage_pass(st, rec); break;
	}
}

static void
on_finish(struct stage *st, enum stage_end why)
{
	(void)st;
	(void)why;
	det_finish();
}

static void
end_keys(struct pk *pk, void *arg)
{
	(void)arg;
	det_end_keys(pk);
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

	nm_init(argv[0]);
	det_register();
	parse_opts(argc, argv, &o);
	det_settings(o.config, o.show);
	cx.quiet = o.quiet;
	stage_open(&cx.st, &detect_ops, &cx,
	    (o.force ? STAGE_FORCE : 0) | (o.realtime ? STAGE_REALTIME : 0));
	(void)rec_reader_want(cx.st.r, REC_PACKET, dpkt_keys);
	det_start(&cx.st);
	if (!o.no_names)
		alert_names(cx.names = names_new(0));
	esandbox(NM_SANDBOX_STAGE);

	/* state: sandboxed, stdin, stdout and the signal pipe only */
	return stage_run(&cx.st);
}
