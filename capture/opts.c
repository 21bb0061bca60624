/*
 * nm-capture's command line: tcpdump's letters where tcpdump has the
 * option, long names where users expect them, every number through
 * estrtonum with its range.  The usage text is the man page's SYNOPSIS.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nm.h"
#include "cap.h"

enum {
	OPT_REALTIME = 256,
	OPT_FORCE,
	OPT_VERSION,
	OPT_IMMEDIATE,
	OPT_CONCAT,
	OPT_NETNS,
	OPT_SINCE,
	OPT_UNTIL,
	OPT_FANOUT,
};

static const struct option cap_longopts[] = {
	{ "list-interfaces", no_argument, NULL, 'D' },
	{ "help", no_argument, NULL, 'h' },
	{ "realtime", no_argument, NULL, OPT_REALTIME },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "immediate-mode", no_argument, NULL, OPT_IMMEDIATE },
	{ "concat", no_argument, NULL, OPT_CONCAT },
	{ "netns", required_argument, NULL, OPT_NETNS },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "until", required_argument, NULL, OPT_UNTIL },
	{ "fanout", required_argument, NULL, OPT_FANOUT }, { NULL, 0, NULL, 0 }
};

static const char usage_text[] =
    "usage: nm-capture [-hp] [-B KiB] [-c count] [-F file] "
    "[-s snaplen] [-Z user]\n"
    "                  [--immediate-mode] [--realtime] [--force] "
    "[--version]\n"
    "                  [--since time] [--until time] [--concat]\n"
    "                  [--fanout group[:mode]]\n"
    "                  -i interface... | -r file... [expression]\n"
    "       nm-capture -D [--netns name|all]\n";

/*
 * The expression from -F file: '#' starts a comment to the end of the
 * line (as in tcpdump), and lines are joined with spaces.  Read with the
 * caller's rights (cap_priv_as_caller), at most CAP_FILTER_MAX bytes, and
 * only text: what is not a filter is refused without a byte of it shown.
 */
char *
cap_filter_file(const char *path, struct cap_priv *pv)
{
	char *buf, *p;
	size_t len;
	int incomment = 0, saved;

	cap_priv_as_caller(pv);
	buf = nm_slurp(path, CAP_FILTER_MAX, &len);
	saved = errno;
	cap_priv_as_self(pv);
	if (buf == NULL && saved == EFBIG)
		nm_die(NM_EXIT_BADFILTER,
		    "%s: more than %d KiB: not a filter "
		    "file",
		    path, CAP_FILTER_MAX / 1024);
	if (buf == NULL)
		nm_die(saved == ENOENT || saved == ENOTDIR  ? NM_EXIT_NOSOURCE
			: saved == EACCES || saved == EPERM ? NM_EXIT_NOPERM
							    : NM_EXIT_FAIL,
		    "%s: %s%s", path, strerror(saved), cap_priv_whose(pv));
	if (memchr(buf, '\0', len) != NULL)
		nm_die(NM_EXIT_BADFILTER,
		    "%s: holds a NUL byte: not a filter "
		    "file",
		    path);
	for (p = buf; p < buf + len; p++) {
		if (*p == '#')
			incomment = 1;
		else if (*p == '\n')
			incomment = 0;
		if (incomment || *p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	}
	while (len > 0 && buf[len - 1] == ' ')
		buf[--len] = '\0';
	return buf;
}

char *
cap_filter_saved(char *filter, struct cap_priv *pv, const struct savedf **sfp)
{
	const struct savedf *sf;

	*sfp = NULL;
	if (filter == NULL || !savedf_name_ok(filter) ||
	    savedf_bpf_word(filter))
		return filter;
	if (pv->as_caller)
		savedf_home(pv->caller_home);
	cap_priv_as_caller(pv);
	sf = savedf_find(SAVEDF_CAPTURE, filter, NM_EXIT_BADFILTER);
	cap_priv_as_self(pv);
	if (sf == NULL &&
	    (sf = savedf_find(SAVEDF_DISPLAY, filter, NM_EXIT_BADFILTER)))
		nm_die(NM_EXIT_BADFILTER,
		    "bad filter: saved filter %s (%s:%u) is on decoded "
		    "fields: give it to nm-decode -Y",
		    filter, sf->file, sf->line);
	if (sf == NULL)
		return filter;
	*sfp = sf;
	free(filter);
	return estrdup(sf->text);
}

void
cap_opts_parse(struct cap_opts *o, int argc, char **argv)
{
	int c, i;

	memset(o, 0, sizeof(*o));
	o->promisc = 1;
	/* every -i and -r fits: argc bounds them */
	o->ifaces = ecalloc((size_t)argc + 1, sizeof(*o->ifaces));
	o->files = ecalloc((size_t)argc + 1, sizeof(*o->files));
	while ((c = getopt_long(argc, argv, "B:c:DF:hi:pr:s:w:Z:", cap_longopts,
		    NULL)) != -1) {
		switch (c) {
		case 'B':
			o->bufkib = (int)estrtonum(optarg, 1, 1048576, "-B");
			break;
		case 'c':
			o->count =
			    (uint64_t)estrtonum(optarg, 1, INT64_MAX, "-c");
			break;
		case 'D': o->list = 1; break;
		case 'F': o->ffile = optarg; break;
		case 'h': nm_usage(usage_text, NM_EXIT_OK);
		case 'i':
			if (o->nifaces == CAP_SOURCES_MAX)
				nm_bad_usage("-i %s: at most %d sources",
				    optarg, CAP_SOURCES_MAX);
			for (i = 0; i < o->nifaces; i++)
				if (strcmp(o->ifaces[i], optarg) == 0)
					nm_bad_usage("-i %s twice: each "
						     "source once",
					    optarg);
			o->ifaces[o->nifaces++] = optarg;
			break;
		case 'p': o->promisc = 0; break;
		case 'r': o->files[o->nfiles++] = optarg; break;
		case 's':
			o->snaplen =
			    (int)estrtonum(optarg, 0, CAP_SNAPLEN_MAX, "-s");
			break;
		case 'w':
			/* tcpdump's habit: in nm a stage writes the file */
			nm_die(NM_EXIT_USAGE,
			    "-w %s: nm-capture writes records; write a capture "
			    "file with nm-capture ... | nm-pcap -w %s",
			    optarg, optarg);
		case 'Z': o->user = optarg; break;
		case OPT_REALTIME: o->realtime = 1; break;
		case OPT_FORCE: o->force = 1; break;
		case OPT_IMMEDIATE: o->immediate = 1; break;
		case OPT_CONCAT: o->concat = 1; break;
		case OPT_NETNS: o->netns = optarg; break;
		case OPT_SINCE: o->since = optarg; break;
		case OPT_UNTIL: o->until = optarg; break;
		case OPT_FANOUT: cap_fanout_parse(o, optarg); break;
		case OPT_VERSION: nm_version("nm-capture");
		default: nm_usage(usage_text, NM_EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;

	if (o->netns != NULL && !o->list)
		nm_bad_usage("--netns goes with -D: capture in a namespace "
			     "with -i NETNS/IFACE");
	if (o->list)
		return;
	if (o->nifaces > 0 && o->nfiles > 0)
		nm_bad_usage("-i and -r exclude each other");
	if (o->nifaces == 0 && o->nfiles == 0)
		nm_bad_usage("say where to capture: -i interface or -r file");
	if (o->realtime && o->nfiles == 0)
		nm_bad_usage("--realtime replays a file: it needs -r");
	if (o->concat && o->nfiles == 0)
		nm_bad_usage("--concat reads files one after another: it "
			     "needs -r");
	if ((o->since != NULL || o->until != NULL) && o->nfiles == 0)
		nm_bad_usage("--since and --until pick a time range of files: "
			     "they need -r");
	/*
	 * A group shares one interface's packets among processes: of a
	 * file each would read all, and several interfaces in one process
	 * would take a share of each (one group is of one interface).
	 */
	if (o->fanout > 0 && o->nifaces == 0)
		nm_bad_usage("--fanout shares a live interface's packets among "
			     "processes: it needs -i, not -r");
	if (o->fanout > 0 && o->nifaces > 1)
		nm_bad_usage(
		    "--fanout joins one interface's group: one -i with "
		    "it, not %d",
		    o->nifaces);
	if (o->ffile != NULL && argc > 0)
		nm_bad_usage("give the filter either with -F or as "
			     "arguments, not both");
	if (o->since != NULL)
		o->since_ns = cap_when("--since", o->since, &o->since_rel);
	if (o->until != NULL)
		o->until_ns = cap_when("--until", o->until, &o->until_rel);
	if (o->since != NULL && o->until != NULL &&
	    o->since_rel == o->until_rel && o->until_ns <= o->since_ns)
		nm_bad_usage(
		    "--until %s is not after --since %s", o->until, o->since);
	/* -F is read once the user is known: main() calls cap_filter_file. */
	if (o->ffile == NULL)
		o->filter = nm_join(argc, argv);
}
