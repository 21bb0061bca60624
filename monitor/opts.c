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

#include "geo.h"
#include "mon.h"
#include "stats-limits.h"

enum {
	OPT_COLOR = 256,
	OPT_DETECT_CONFIG,
	OPT_DETECT_OPT,
	OPT_DRY_RUN,
	OPT_GEO,
	OPT_IGNORE,
	OPT_NO_DETECT,
	OPT_JSON,
	OPT_REALTIME,
	OPT_SERVICES,
	OPT_VERSION,
	OPT_WEB,
	OPT_WORKERS,
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
	{ "minimal", "time, protocol and addresses" },
	{ "top", "a live full-screen table of connections, hosts, ports" },
	{ NULL, NULL } };

static const char usage_text[] =
    "usage: nm-monitor [-hNpu] [-t...] [-B KiB] [-c count] "
    "[-e field]... [-F file]\n"
    "                  [-f preset|expression] [-I seconds] [-m mode] "
    "[-n count]\n"
    "                  [-o mode] [-s snaplen] [-Z user] [--json] "
    "[--color[=when]]\n"
    "                  [-w file] [-Y filter] [--services file] "
    "[--dry-run] [--version]\n"
    "                  [--no-detect] [--ignore CIDR[#port]]... "
    "[--detect-config file]\n"
    "                  [--detect-opt name=value]... [--web [ADDR:]PORT]\n"
    "                  [--workers N] [--geo file|auto|off]\n"
    "                  [-i interface]... [-r file [--realtime]] "
    "[expression]\n";

/* -h: the synopsis, then one line for each option. */
static const char help_text[] =
    "\n"
    "With no arguments, asks for the interfaces (one or several), the filter\n"
    "and the display mode.\n"
    "  -i interface    capture on it (default any: all interfaces); repeat\n"
    "                  for several, NETNS/IFACE or pid:N/IFACE in another\n"
    "                  network namespace\n"
    "  -r file         replay a capture file (pcap or pcapng)\n"
    "  --realtime      replay -r at its recorded pace\n"
    "  -f preset|expr  a preset (all, tcp, udp, icmp, web, dns), a saved\n"
    "                  filter (nm-filters(5)) or BPF\n"
    "  -F file         read the BPF expression from file\n"
    "  -Y filter       only packets whose decoded fields match "
    "(nm-filter(7))\n"
    "  -c count        stop after count packets\n"
    "  -w file         also write what is captured to file (pcapng)\n"
    "  -p              do not put the interface in promiscuous mode\n"
    "  -s snaplen      capture at most snaplen bytes of each packet\n"
    "  -B KiB          the kernel's capture buffer (more: fewer drops)\n"
    "  -Z user         run the unprivileged stages as user (as root)\n"
    "  -I seconds      live statistics every seconds (default 5)\n"
    "  -n count        entries in each top list (default 10)\n"
    "  --services file port names from file, not /etc/services\n"
    "  -m mode         compact, detailed, minimal or top (default compact)\n"
    "  -N              no names from DNS answers beside addresses\n"
    "  -o mode         nm-render's output: a mode, json or fields\n"
    "  -e field        a -o fields column (repeat; nm-render "
    "--list-fields)\n"
    "  --json          JSON lines, as -o json\n"
    "  -t...           time: -t, -tt, -ttt, -tttt, -ttttt as tcpdump\n"
    "  -u              times in UTC\n"
    "  --color[=when]  auto, always or never (default auto)\n"
    "  --no-detect     no alerts: nm-stats runs no detectors\n"
    "  --ignore CIDR[#port]\n"
    "                  no alerts on that actor (repeat; nm-detect(1))\n"
    "  --detect-opt name=value\n"
    "                  a detector setting, as --name value (repeat)\n"
    "  --detect-config file\n"
    "                  the detectors' settings from file, not from\n"
    "                  /etc/nm/detect.conf and ~/.config/nm/detect.conf\n"
    "  --web [ADDR:]PORT\n"
    "                  also serve a live web page there (nm-web(1))\n"
    "  --workers N     N capture, decode and stats pipelines share the\n"
    "                  interface by flow hash, their statistics merged\n"
    "                  (default 1; statistics views only)\n"
    "  --geo file|auto|off\n"
    "                  where addresses are: a .mmdb or libloc database,\n"
    "                  libloc's if installed (default), or none\n"
    "  --dry-run       print the pipeline instead of running it\n"
    "  -h, --help      this help\n"
    "  --version       the version\n"
    "See nm-monitor(1).\n";

static void __attribute__((noreturn)) mon_help(void)
{
	fputs(usage_text, stdout);
	nm_usage(help_text, NM_EXIT_OK);
}

/* The presets' names, for a message: "all, tcp, udp, ...". */
static const char *
mon_preset_names(void)
{
	static char buf[128];
	const struct mon_preset *p;
	size_t n = 0;

	if (buf[0] != '\0')
		return buf;
	for (p = mon_presets; p->name != NULL; p++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s",
		    n > 0 ? ", " : "", p->name);
	return buf;
}

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
	/* One word that names nothing: checked once the user is known. */
	o->fword = p == NULL && *arg != '\0' &&
	    strspn(arg,
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		"0123456789_-/") == strlen(arg);
}

void
mon_filter_word_check(
    const struct mon_opts *o, const char *capture, const struct mon_user *u)
{
	char *why, *last;

	if (!o->fword ||
	    (why = mon_bpf_error(capture, u, o->iface, o->niface, o->filter)) ==
		NULL)
		return;
	/* libpcap's reason ends nm-capture's line, after the expression */
	last = strrchr(why, ':');
	nm_warn("-f %s: no such preset (%s); as an expression:%s", o->filter,
	    mon_preset_names(), last != NULL ? last + 1 : why);
	free(why);
	exit(NM_EXIT_USAGE);
}

/*
 * --workers N: N captures share one live interface's packets (nm-capture
 * --fanout), and what comes together is their statistics, not their
 * packets: the options of one capture, of a capture file or of packet
 * lines do not fit.
 */
static void
mon_workers_check(const struct mon_opts *o)
{
	if (o->file != NULL)
		nm_bad_usage("--workers %d share a live interface's packets: "
			     "not with -r (a file is read by one capture)",
		    o->workers);
	if (o->niface > 1)
		nm_bad_usage("--workers %d share one interface's packets: one "
			     "-i with it, not %d",
		    o->workers, o->niface);
	if (o->wfile != NULL)
		nm_bad_usage("--workers %d: each worker sees a share of the "
			     "packets, no one writes them all: not with -w "
			     "(nm-capture -i IF | nm-pcap -w FILE beside it)",
		    o->workers);
	if (o->count != NULL)
		nm_bad_usage("--workers %d: -c stops a capture after its own "
			     "share: not with -c",
		    o->workers);
	/* the top view's tables are drawn from every packet, as lines are */
	if (o->fields || o->mode_given)
		nm_bad_usage("--workers %d merge the workers' statistics, not "
			     "their packets: no view drawn from packets (%s "
			     "%s); the default view, --json and --web show "
			     "the merged statistics",
		    o->workers, o->fields ? "-o" : "-m",
		    o->fields ? "fields" : o->mode);
}

static void
mon_check(const struct mon_opts *o, int nargs, int fset)
{
	if (o->niface > 0 && o->file != NULL)
		nm_bad_usage("-i and -r exclude each other");
	if (o->realtime && o->file == NULL)
		nm_bad_usage("--realtime replays a file: it needs -r");
	if (o->json + o->fields + (o->mode != NULL) > 1)
		nm_bad_usage("one output: --json, -o json, -o fields (-e) "
			     "and -m exclude each other");
	if (fset + (nargs > 0) + (o->ffile != NULL) > 1)
		nm_bad_usage("give the filter once: with -f, -F or as "
			     "arguments");
	if (o->nodetect && (o->ndetect_arg > 0 || o->detect_conf != NULL))
		nm_bad_usage("--no-detect runs no detectors: no --ignore, "
			     "--detect-opt or --detect-config with it");
	if (o->fields && o->nfields == 0)
		nm_bad_usage("-o fields needs at least one -e field");
	if (o->tflag > 5)
		nm_bad_usage("-t: at most -ttttt, as tcpdump");
	if (o->mode != NULL && !mon_mode_valid(o->mode)) {
		nm_warn(
		    "-m %s: want compact, detailed, minimal or top", o->mode);
		nm_usage(usage_text, NM_EXIT_USAGE);
	}
	if (o->color != NULL && strcmp(o->color, "auto") != 0 &&
	    strcmp(o->color, "always") != 0 && strcmp(o->color, "never") != 0) {
		nm_warn(
		    "--color: want auto, always or never, not %s", o->color);
		nm_usage(usage_text, NM_EXIT_USAGE);
	}
	if (o->workers > 1)
		mon_workers_check(o);
}

/*
 * --ignore CIDR and --detect-opt name=value, as the detectors' words
 * --name and value, in one buffer that the first word begins.  nm-stats
 * judges the name and the value, in the check before capture (detect.c).
 */
static void
mon_detect_opt(
    struct mon_opts *o, const char *name, size_t len, const char *value)
{
	size_t n = strlen(value);
	char *w;

	w = emalloc(len + n + 4);
	memcpy(w, "--", 2);
	memcpy(w + 2, name, len);
	w[len + 2] = '\0';
	memcpy(w + len + 3, value, n + 1);
	o->detect_arg[o->ndetect_arg++] = w;
	o->detect_arg[o->ndetect_arg++] = w + len + 3;
}

/* -o: a text mode (as -m), json (as --json) or fields (with -e). */
static void
mon_set_output(struct mon_opts *o, const char *arg)
{
	if (strcmp(arg, "json") == 0)
		o->json = 1;
	else if (strcmp(arg, "fields") == 0)
		o->fields = 1;
	else if (mon_mode_valid(arg)) {
		o->mode = arg;
		o->mode_given = 1;
	} else {
		nm_warn("-o %s: want compact, detailed, minimal, top, json or "
			"fields",
		    arg);
		nm_usage(usage_text, NM_EXIT_USAGE);
	}
}

void
mon_opts_parse(struct mon_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = { { "color", optional_argument,
						      NULL, OPT_COLOR },
		{ "colour", optional_argument, NULL, OPT_COLOR },
		{ "detect-config", required_argument, NULL, OPT_DETECT_CONFIG },
		{ "detect-opt", required_argument, NULL, OPT_DETECT_OPT },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "geo", required_argument, NULL, OPT_GEO },
		{ "ignore", required_argument, NULL, OPT_IGNORE },
		{ "no-detect", no_argument, NULL, OPT_NO_DETECT },
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "realtime", no_argument, NULL, OPT_REALTIME },
		{ "services", required_argument, NULL, OPT_SERVICES },
		{ "utc", no_argument, NULL, 'u' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "web", required_argument, NULL, OPT_WEB },
		{ "workers", required_argument, NULL, OPT_WORKERS },
		{ NULL, 0, NULL, 0 } };
	int c, fset = 0;
	char *eq;

	memset(o, 0, sizeof(*o));
	o->workers = 1;
	o->field = ecalloc((size_t)argc, sizeof(*o->field));
	/* two words for each, and the NULL after them */
	o->detect_arg = ecalloc(2 * (size_t)argc + 1, sizeof(*o->detect_arg));
	/* one more: the default any */
	o->iface = ecalloc((size_t)argc + 1, sizeof(*o->iface));
	while ((c = getopt_long(argc, argv,
		    "B:c:e:F:f:hI:i:m:Nn:o:pr:s:tuw:Y:Z:", longopts, NULL)) !=
	    -1) {
		switch (c) {
		case 'B':
			estrtonum(optarg, 1, MON_BUFKIB_MAX, "-B");
			o->bufkib = optarg;
			break;
		case 'c':
			estrtonum(optarg, 1, INT64_MAX, "-c");
			o->count = optarg;
			break;
		case 'e':
			o->field[o->nfields++] = optarg;
			/* -e alone means -o fields, as in nm-render */
			o->fields = 1;
			break;
		case 'F': o->ffile = optarg; break;
		case 'f':
			mon_set_filter(o, optarg);
			fset = 1;
			break;
		case 'h': mon_help();
		case 'I':
			estrtonum(optarg, NM_STATS_INTERVAL_MIN,
			    NM_STATS_INTERVAL_MAX, "-I");
			o->interval = optarg;
			break;
		case 'i':
			/* each one a source of nm-capture's, in order */
			if (*optarg == '\0')
				nm_bad_usage("-i: an empty interface name");
			o->iface[o->niface++] = optarg;
			break;
		case 'm':
			o->mode = optarg;
			o->mode_given = 1;
			break;
		case 'N': o->nonames = 1; break;
		case 'n':
			estrtonum(optarg, 0, NM_STATS_TOP_MAX, "-n");
			o->top = optarg;
			break;
		case 'o': mon_set_output(o, optarg); break;
		case 'p': o->nopromisc = 1; break;
		case 'r': o->file = optarg; break;
		case 's':
			estrtonum(optarg, 0, MON_SNAPLEN_MAX, "-s");
			o->snaplen = optarg;
			break;
		case 't': o->tflag++; break;
		case 'u': o->utc = 1; break;
		case 'w':
			if (*optarg == '\0')
				nm_bad_usage("-w: an empty file name");
			o->wfile = optarg;
			break;
		case 'Y':
			if (*optarg == '\0')
				nm_bad_usage("-Y: an empty expression");
			o->yexpr = optarg;
			break;
		case 'Z': o->user = optarg; break;
		case OPT_COLOR:
			o->color = optarg != NULL ? optarg : "always";
			break;
		case OPT_DETECT_CONFIG:
			if (*optarg == '\0')
				nm_bad_usage("--detect-config: an empty file "
					     "name");
			o->detect_conf = optarg;
			break;
		case OPT_DETECT_OPT:
			eq = strchr(optarg, '=');
			if (eq == NULL || eq == optarg || eq[1] == '\0')
				nm_bad_usage("--detect-opt %s: want name=value "
					     "(nm-detect --show-config lists "
					     "the names)",
				    optarg);
			mon_detect_opt(
			    o, optarg, (size_t)(eq - optarg), eq + 1);
			break;
		case OPT_DRY_RUN: o->dry_run = 1; break;
		case OPT_GEO:
			/* a bad file is said here, once, not by each stage */
			if (strcmp(optarg, "auto") != 0 &&
			    strcmp(optarg, "off") != 0)
				geo_close(geo_open(optarg, 0));
			o->geo = optarg;
			break;
		case OPT_IGNORE:
			if (*optarg == '\0')
				nm_bad_usage("--ignore: an empty CIDR");
			mon_detect_opt(o, "ignore", 6, optarg);
			break;
		case OPT_NO_DETECT: o->nodetect = 1; break;
		case OPT_JSON: o->json = 1; break;
		case OPT_REALTIME: o->realtime = 1; break;
		case OPT_SERVICES: o->services = optarg; break;
		case OPT_WEB: o->web = optarg; break;
		case OPT_WORKERS:
			o->workers = (int)estrtonum(
			    optarg, 1, MON_WORKERS_MAX, "--workers");
			break;
		case OPT_VERSION: nm_version("nm-monitor");
		default: nm_usage(usage_text, NM_EXIT_USAGE);
		}
	}
	mon_check(o, argc - optind, fset);
	if (optind < argc)
		o->filter = nm_join(argc - optind, argv + optind);
	/* Without -i or -r, all interfaces: the questions' blank answer. */
	if (o->niface == 0 && o->file == NULL)
		o->iface[o->niface++] = "any";
	if (o->mode == NULL)
		o->mode = mon_modes[0].name;
}
