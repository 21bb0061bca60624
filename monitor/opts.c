/*
 * nm-monitor's command line, and the two tables the questions share with
 * it: the filter presets of the old tool and the display modes.  Every
 * option is checked here, before anything starts, with the ranges the
 * stage that gets it applies (nm-stats' from the header both include),
 * so a typo fails at once with exit 2 instead of half-way through
 * starting the pipeline.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mon.h"
#include "stats-limits.h"

enum {
	OPT_COLOR = 256,
	OPT_DRY_RUN,
	OPT_JSON,
	OPT_REALTIME,
	OPT_VERSION,
};

/*
 * The old tool's menu, in its order; the first is the default.  The old
 * menu called web HTTP/HTTPS: those names are its aliases.
 */
const struct mon_preset mon_presets[] = { { "all", "all traffic", NULL, "" },
	{ "tcp", "TCP", "tcp", "" }, { "udp", "UDP", "udp", "" },
	{ "icmp", "ICMP", "icmp or icmp6", "" },
	{ "web", "HTTP/HTTPS", "tcp port 80 or tcp port 443",
	    "http https http/https" },
	{ "dns", "DNS", "port 53", "" }, { NULL, NULL, NULL, NULL } };

/* nm-render's text layouts; the first is the default. */
const struct mon_mode mon_modes[] = { { "compact", "one line per packet" },
	{ "detailed", "every layer, seq/ack, a payload preview" },
	{ "minimal", "time, protocol and addresses" }, { NULL, NULL } };

static const char usage_text[] =
    "usage: nm-monitor [-hp] [-c count] [-f preset|expression] "
    "[-I seconds]\n"
    "                  [-m mode] [-n count] [-Z user] [--json] "
    "[--color[=when]]\n"
    "                  [--dry-run] [--version] "
    "[-i interface | -r file [--realtime]]\n"
    "                  [expression]\n";

const struct mon_preset *
mon_preset_find(const char *name)
{
	const struct mon_preset *p;

	const char *a;
	size_t len = strlen(name);

	for (p = mon_presets; p->name != NULL; p++) {
		if (strcasecmp(name, p->name) == 0)
			return p;
		for (a = p->aliases; *a != '\0'; a += strspn(a, " ")) {
			if (strncasecmp(a, name, len) == 0 &&
			    (a[len] == ' ' || a[len] == '\0'))
				return p;
			a += strcspn(a, " ");
		}
	}
	return NULL;
}

int
mon_mode_valid(const char *mode)
{
	size_t i;

	for (i = 0; mon_modes[i].name != NULL; i++)
		if (strcmp(mode, mon_modes[i].name) == 0)
			return 1;
	return 0;
}

/* -f: a preset's name, or else the expression itself. */
static void
mon_set_filter(struct mon_opts *o, const char *arg)
{
	const struct mon_preset *p;

	free(o->filter);
	if ((p = mon_preset_find(arg)) != NULL) {
		o->preset = p->label;
		o->filter = p->bpf != NULL ? estrdup(p->bpf) : NULL;
	} else {
		o->preset = NULL;
		o->filter = estrdup(arg);
	}
}

static void
mon_check(const struct mon_opts *o, int nargs, int fset)
{
	if (o->iface != NULL && o->file != NULL)
		nm_bad_usage("-i and -r exclude each other");
	if (o->realtime && o->file == NULL)
		nm_bad_usage("--realtime replays a file: it needs -r");
	if (o->json && o->mode != NULL)
		nm_bad_usage("--json and -m exclude each other");
	if (fset && nargs > 0)
		nm_bad_usage("give the filter either with -f or as "
			     "arguments, not both");
	if (o->mode != NULL && !mon_mode_valid(o->mode)) {
		nm_warn("-m %s: want compact, detailed or minimal", o->mode);
		nm_usage(usage_text, NM_EXIT_USAGE);
	}
	if (o->color != NULL && strcmp(o->color, "auto") != 0 &&
	    strcmp(o->color, "always") != 0 && strcmp(o->color, "never") != 0) {
		nm_warn(
		    "--color: want auto, always or never, not %s", o->color);
		nm_usage(usage_text, NM_EXIT_USAGE);
	}
}

void
mon_opts_parse(struct mon_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = { { "color", optional_argument,
						      NULL, OPT_COLOR },
		{ "colour", optional_argument, NULL, OPT_COLOR },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "realtime", no_argument, NULL, OPT_REALTIME },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 } };
	int c, fset = 0;

	memset(o, 0, sizeof(*o));
	while ((c = getopt_long(
		    argc, argv, "c:f:hI:i:m:n:pr:Z:", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			estrtonum(optarg, 1, INT64_MAX, "-c");
			o->count = optarg;
			break;
		case 'f':
			mon_set_filter(o, optarg);
			fset = 1;
			break;
		case 'h': nm_usage(usage_text, NM_EXIT_OK);
		case 'I':
			estrtonum(optarg, NM_STATS_INTERVAL_MIN,
			    NM_STATS_INTERVAL_MAX, "-I");
			o->interval = optarg;
			break;
		case 'i': o->iface = optarg; break;
		case 'm': o->mode = optarg; break;
		case 'n':
			estrtonum(optarg, 0, NM_STATS_TOP_MAX, "-n");
			o->top = optarg;
			break;
		case 'p': o->nopromisc = 1; break;
		case 'r': o->file = optarg; break;
		case 'Z': o->user = optarg; break;
		case OPT_COLOR:
			o->color = optarg != NULL ? optarg : "always";
			break;
		case OPT_DRY_RUN: o->dry_run = 1; break;
		case OPT_JSON: o->json = 1; break;
		case OPT_REALTIME: o->realtime = 1; break;
		case OPT_VERSION: nm_version("nm-monitor");
		default: nm_usage(usage_text, NM_EXIT_USAGE);
		}
	}
	mon_check(o, argc - optind, fset);
	if (optind < argc)
		o->filter = nm_join(argc - optind, argv + optind);
	/* Without -i or -r, all interfaces: the questions' blank answer. */
	if (o->iface == NULL && o->file == NULL)
		o->iface = "any";
	if (o->mode == NULL)
		o->mode = mon_modes[0].name;
}
