/*
 * The pipeline as argument vectors: where each program is, and what it
 * gets from the settings.  The programs are those in nm-monitor's own
 * directory, so a build tree or an install runs its own programs, and
 * never whatever PATH finds: run as root from a directory holding a
 * hostile nm-capture, an empty or relative PATH entry would start it
 * with root's privilege.  The same vectors are what --dry-run prints,
 * quoted for the shell, so the printed pipeline is exactly the one that
 * would run.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "mon.h"
#include "stats-limits.h"

/* dir/name if it is an executable file, else NULL. */
static char *
mon_try(const char *dir, size_t dirlen, const char *name)
{
	char *p;
	size_t n = dirlen + strlen(name) + 2;

	p = emalloc(n);
	snprintf(p, n, "%.*s/%s", (int)dirlen, dir, name);
	if (access(p, X_OK) == 0)
		return p;
	free(p);
	return NULL;
}

const char *
mon_stage_dir(void)
{
	static char dir[PATH_MAX];
	char *slash;
	ssize_t n;

	if (dir[0] != '\0')
		return dir;
	n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
	if (n > 0 && dir[0] == '/' && (slash = strrchr(dir, '/')) != NULL) {
		/* "/nm-monitor" leaves "", which would read as relative. */
		slash[slash == dir] = '\0';
		return dir;
	}
	/* No /proc: the install's directory (make's BINDIR). */
	snprintf(dir, sizeof(dir), "%s", NM_BINDIR);
	return dir;
}

char *
mon_find(const char *name)
{
	const char *dir = mon_stage_dir();

	/* A relative BINDIR would be the current directory's again. */
	if (dir[0] != '/')
		return NULL;
	return mon_try(dir, strlen(dir), name);
}

static struct mon_stage *
mon_stage_add(struct mon_pipeline *pl, const char *name, int required)
{
	struct mon_stage *st = &pl->stage[pl->n];
	char *path;

	if ((path = mon_find(name)) == NULL) {
		if (required)
			nm_die(NM_EXIT_FAIL,
			    "%s: not found in %s "
			    "(the stages are nm-monitor's neighbours)",
			    name, mon_stage_dir());
		nm_warn("%s: not found in %s: running without it", name,
		    mon_stage_dir());
		return NULL;
	}
	memset(st, 0, sizeof(*st));
	st->name = name;
	st->path = path;
	st->cap = 8;
	st->argv = ecalloc((size_t)st->cap, sizeof(*st->argv));
	st->argv[st->argc++] = name;
	st->status = -1;
	st->fd3 = -1;
	st->in = -1;
	st->to = -1; /* the last: mon_pipeline_build joins the others */
	pl->n++;
	return st;
}

void
mon_arg(struct mon_stage *st, const char *a)
{
	if (st->argc + 1 >= st->cap) {
		st->cap *= 2;
		st->argv =
		    erealloc(st->argv, (size_t)st->cap * sizeof(*st->argv));
	}
	st->argv[st->argc++] = a;
	st->argv[st->argc] = NULL;
}

/* An option and its value, when the value was given. */
static void
mon_arg2(struct mon_stage *st, const char *opt, const char *val)
{
	if (val == NULL)
		return;
	mon_arg(st, opt);
	mon_arg(st, val);
}

/* fanout: --workers' "GROUP:hash", or NULL */
static void
mon_capture_args(struct mon_stage *st, const struct mon_opts *o,
    const struct mon_user *u, const char *fanout)
{
	int i;

	st->privileged = 1;
	if (u->change) {
		mon_arg(st, "-Z");
		mon_arg(st, u->name);
	}
	if (o->nopromisc)
		mon_arg(st, "-p");
	mon_arg2(st, "-c", o->count);
	mon_arg2(st, "-s", o->snaplen);
	mon_arg2(st, "-B", o->bufkib);
	if (o->file != NULL) {
		mon_arg(st, "-r");
		mon_arg(st, o->file);
		if (o->realtime)
			mon_arg(st, "--realtime");
	} else {
		mon_arg2(st, "--fanout", fanout);
		/* several: each a source of nm-capture's, in their order */
		for (i = 0; i < o->niface; i++) {
			mon_arg(st, "-i");
			mon_arg(st, o->iface[i]);
		}
	}
	mon_arg2(st, "-F", o->ffile);
	if (o->filter != NULL && *o->filter != '\0') {
		if (o->filter[0] == '-')
			mon_arg(st, "--");
		mon_arg(st, o->filter);
	}
}

/* --color=WHEN for nm-render; opts.c has checked WHEN. */
static const char *
mon_color_arg(const char *when)
{
	if (strcmp(when, "always") == 0)
		return "--color=always";
	if (strcmp(when, "never") == 0)
		return "--color=never";
	return "--color=auto";
}

/* nm-render: the output, the time format, the colour. */
static void
mon_render_args(struct mon_stage *st, const struct mon_opts *o)
{
	/* -t to -ttttt: nm-render takes tcpdump's letters */
	static const char *const tflags[] = { NULL, "-t", "-tt", "-ttt",
		"-tttt", "-ttttt" };
	int i;

	if (o->fields) {
		mon_arg2(st, "-o", "fields");
		for (i = 0; i < o->nfields; i++)
			mon_arg2(st, "-e", o->field[i]);
	} else if (o->json)
		mon_arg2(st, "-o", "json");
	else if (o->workers == 1 || o->mode_given)
		mon_arg2(st, "-m", o->mode);
	if (o->tflag > 0)
		mon_arg(st, tflags[o->tflag]);
	if (o->utc)
		mon_arg(st, "-u");
	if (o->nonames)
		mon_arg(st, "-N");
	mon_arg2(st, "--geo", o->geo);
	if (o->color != NULL)
		mon_arg(st, mon_color_arg(o->color));
}

/*
 * nm-web between nm-stats and nm-render; on a file, with someone at the
 * terminal to end it, the page stays up after the file is over.
 */
static void
mon_web_args(struct mon_stage *st, const struct mon_opts *o)
{
	mon_arg2(st, "-l", o->web);
	if (o->file != NULL && isatty(STDIN_FILENO))
		mon_arg2(st, "--linger", "86400");
}

/* nm-decode's arguments */
static void
mon_decode_args(struct mon_stage *st, const struct mon_opts *o)
{
	mon_arg2(st, "--services", o->services);
	mon_arg2(st, "-Y", o->display);
}

/* nm-stats' (a worker's too): the interval, the lists, the detectors */
static void
mon_stats_args(
    struct mon_pipeline *pl, struct mon_stage *st, const struct mon_opts *o)
{
	mon_arg2(st, "-I",
	    o->interval != NULL ? o->interval
				: MON_STR(NM_STATS_INTERVAL_DEFAULT));
	mon_arg2(st, "-n", o->top);
	mon_arg2(st, "--services", o->services);
	if (o->nonames)
		mon_arg(st, "-N");
	mon_arg2(st, "--geo", o->geo);
	if (o->nodetect)
		mon_arg(st, "--no-detect");
	else
		mon_detect_args(pl, st, o);
}

/*
 * --workers N: N captures of one fanout group, each with its nm-decode
 * and nm-stats (summaries every interval, no packets), into one merger,
 * nm-stats --merge, reading them on its fds 3 to N + 2; then nm-web and
 * nm-render as for one pipeline.  The stages go in order of depth (the
 * captures, the decoders, ...): each writes to a later one, the
 * captures start first, and the first failure found in that order is
 * the one nearest the start.
 */
static void
mon_workers_build(
    struct mon_pipeline *pl, const struct mon_opts *o, const struct mon_user *u)
{
	static char fanout[32], fds[MON_WORKERS_MAX][24];
	struct mon_stage *st, *first = NULL;
	int n = o->workers, w;
	const char *interval = o->interval != NULL
	    ? o->interval
	    : MON_STR(NM_STATS_INTERVAL_DEFAULT);

	pl->nworkers = n;
	pl->group = mon_fanout_group(!o->dry_run);
	snprintf(fanout, sizeof(fanout), "%d:hash", pl->group);
	for (w = 0; w < n; w++) {
		st = mon_stage_add(pl, "nm-capture", 1);
		mon_capture_args(st, o, u, fanout);
	}
	for (w = 0; w < n; w++)
		mon_decode_args(mon_stage_add(pl, "nm-decode", 1), o);
	for (w = 0; w < n; w++) {
		st = mon_stage_add(pl, "nm-stats", 1);
		mon_arg(st, "-q");
		mon_arg2(st, "--summary-interval", interval);
		mon_stats_args(pl, st, o);
		if (first == NULL)
			first = st;
	}
	pl->detect = o->nodetect ? NULL : first;
	pl->merge = pl->n;
	st = mon_stage_add(pl, "nm-stats", 1);
	/* its buckets are the workers' spans: the interval of their own */
	mon_arg(st, "--merge");
	mon_arg2(st, "-n", o->top);
	mon_arg2(st, "--geo", o->geo);
	for (w = 0; w < n; w++) {
		snprintf(fds[w], sizeof(fds[w]), "/dev/fd/%d", 3 + w);
		mon_arg(st, fds[w]);
	}
	if (o->web != NULL)
		mon_web_args(mon_stage_add(pl, "nm-web", 1), o);
	mon_render_args(mon_stage_add(pl, "nm-render", 1), o);
	for (w = 0; w < pl->merge; w++) {
		st = &pl->stage[w];
		st->worker = w % n + 1;
		st->to = w + n < pl->merge ? w + n : pl->merge;
		st->tofd = st->to == pl->merge ? 3 + w % n : 0;
	}
	for (w = pl->merge; w + 1 < pl->n; w++)
		pl->stage[w].to = w + 1;
}

void
mon_workers_sync(struct mon_pipeline *pl)
{
	struct mon_stage *st, *d = pl->detect;
	int i;

	if (d == NULL || pl->nworkers == 0)
		return;
	for (i = 0; i < pl->merge; i++) {
		st = &pl->stage[i];
		if (st == d || strcmp(st->name, "nm-stats") != 0)
			continue;
		st->fd3 = d->fd3;
		free(st->argv);
		st->argc = st->cap = d->argc;
		st->argv = ecalloc((size_t)d->argc + 1, sizeof(*st->argv));
		memcpy(st->argv, d->argv, (size_t)d->argc * sizeof(*st->argv));
	}
}

void
mon_pipeline_build(
    struct mon_pipeline *pl, const struct mon_opts *o, const struct mon_user *u)
{
	struct mon_stage *st;
	int i;

	memset(pl, 0, sizeof(*pl));
	pl->merge = -1;
	if (o->workers > 1) {
		mon_workers_build(pl, o, u);
		return;
	}
	mon_capture_args(mon_stage_add(pl, "nm-capture", 1), o, u, NULL);
	/* the writer right after the capture: every frame, whole */
	if (o->wfile != NULL)
		mon_arg2(mon_stage_add(pl, "nm-pcap", 1), "-w", o->wfile);
	mon_decode_args(mon_stage_add(pl, "nm-decode", 1), o);
	/*
	 * nm-stats runs the detectors (alerts by default); settings the
	 * user gave make it required: an install without it would
	 * otherwise ignore them in silence.
	 */
	if ((st = mon_stage_add(pl, "nm-stats",
		 o->ndetect_arg > 0 || o->detect_conf != NULL)) != NULL)
		mon_stats_args(pl, st, o);
	if (o->web != NULL)
		mon_web_args(mon_stage_add(pl, "nm-web", 1), o);
	mon_render_args(mon_stage_add(pl, "nm-render", 1), o);
	for (i = 0; i + 1 < pl->n; i++)
		pl->stage[i].to = i + 1;
}

/* A word as the shell reads it back: quoted unless plainly safe. */
static void
mon_print_word(const char *w)
{
	static const char safe[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789_@%+=:,./-";
	const char *p;

	if (*w != '\0' && strspn(w, safe) == strlen(w)) {
		fputs(w, stdout);
		return;
	}
	putchar('\'');
	for (p = w; *p != '\0'; p++) {
		if (*p == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*p);
	}
	putchar('\'');
}

/*
 * Whether a shell would run path for the bare name: the first match on
 * PATH, where an empty entry is the current directory, is that file.
 * For printing only: nothing is run from what this finds.
 */
static int
mon_shell_finds(const char *name, const char *path)
{
	const char *env = getenv("PATH"), *p, *colon;
	struct stat want, got;
	char *found;
	size_t len;
	int same;

	if (env == NULL || stat(path, &want) < 0)
		return 0;
	for (p = env;; p = colon + 1) {
		colon = strchr(p, ':');
		len = colon != NULL ? (size_t)(colon - p) : strlen(p);
		found =
		    len == 0 ? mon_try(".", 1, name) : mon_try(p, len, name);
		if (found != NULL) {
			same = stat(found, &got) == 0 &&
			    got.st_dev == want.st_dev &&
			    got.st_ino == want.st_ino;
			free(found);
			return same;
		}
		if (colon == NULL)
			return 0;
	}
}

/* The program as a user would type it: its bare name if that runs it. */
static void
mon_print_prog(const struct mon_stage *st)
{
	mon_print_word(
	    mon_shell_finds(st->name, st->path) ? st->name : st->path);
}

/* A stage as a command line; the merger's inputs as <(worker). */
static void
mon_print_stage(const struct mon_pipeline *pl, int i)
{
	const struct mon_stage *st = &pl->stage[i];
	int j, k, w = 0;

	mon_print_prog(st);
	for (j = 1; j < st->argc; j++) {
		if (i != pl->merge ||
		    strncmp(st->argv[j], "/dev/fd/", 8) != 0) {
			putchar(' ');
			mon_print_word(st->argv[j]);
			continue;
		}
		/* bash's process substitution: the worker's own pipeline */
		fputs(" \\\n    <(", stdout);
		for (k = w; k < pl->merge; k = pl->stage[k].to) {
			if (k > w)
				fputs(" | ", stdout);
			mon_print_stage(pl, k);
		}
		putchar(')');
		w++;
	}
}

void
mon_pipeline_print(const struct mon_pipeline *pl)
{
	int i, first = pl->merge >= 0 ? pl->merge : 0;

	for (i = first; i < pl->n; i++) {
		if (i > first)
			fputs(pl->merge >= 0 && i == pl->merge + 1
				? " \\\n    | "
				: " | ",
			    stdout);
		mon_print_stage(pl, i);
	}
	putchar('\n');
	if (fflush(stdout) != 0 || ferror(stdout))
		nm_die(NM_EXIT_FAIL, "stdout: %s", strerror(errno));
}

void
mon_pipeline_free(struct mon_pipeline *pl)
{
	int i;

	for (i = 0; i < pl->n; i++) {
		free(pl->stage[i].path);
		free(pl->stage[i].argv);
	}
	pl->n = 0;
}
