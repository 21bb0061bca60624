/*
 * The old tool's three questions, asked when nm-monitor gets no
 * arguments: which interfaces (from nm-capture -D's list, one or several
 * by number or by name, blank for all), which filter (a preset or a BPF
 * expression of one's own, asked again while nm-capture cannot compile
 * it for each of them) and which display mode.  The interfaces are
 * numbered network interfaces first (those up with addresses before the
 * rest), then any, then those of the named network namespaces when
 * nm-capture -D --netns all lists any (as NETNS/IFACE, in its order);
 * the devices libpcap adds that are no network interface
 * (bluetooth-monitor, nflog, nfqueue, dbus-*, usbmon*: the kernel knows
 * no such interface name; in a namespace, those libpcap describes) are
 * left out of the list until the answer is +, and taken by name at any
 * time.  An answer that does not fit is asked again with the reason
 * (for each item of several that does not).  Questions go to standard
 * error, so that standard output carries only what nm-render writes;
 * answers are lines read from standard input, a terminal or not, so a
 * script can pipe them in.  Standard input ending before the last answer
 * is bad usage.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <limits.h>
#include <net/if.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "mon.h"
#include "savedf.h"

/* One line of nm-capture -D: "index name [description] addresses [flags]". */
struct mon_if {
	char *index; /* ours, in the order shown */
	char *name;
	char *line;
	int rank; /* the order: see mon_if_rank */
};

/* What the list shows first: the lower, the earlier. */
enum {
	MON_IF_ADDRESSED, /* a network interface, up, with an address */
	MON_IF_NETDEV,	  /* a network interface, down or no address */
	MON_IF_ANY,	  /* all of them */
	MON_IF_NETNS,	  /* another network namespace's, not a pseudo */
	MON_IF_PSEUDO,	  /* shown on asking: not a network interface */
};

struct mon_iflist {
	struct mon_if *v;
	size_t n;
};

/*
 * nm-capture's messages from -D --netns all: shown if it listed (a
 * namespace it could not enter), or failed for a reason other than bad
 * usage, which is an nm-capture that has no --netns: the plain list
 * serves then, and nothing needs saying.
 */
static void
mon_list_errors(FILE *f, int status)
{
	char buf[512];

	if (WIFEXITED(status) && WEXITSTATUS(status) == NM_EXIT_USAGE)
		return;
	rewind(f);
	while (fgets(buf, sizeof(buf), f) != NULL)
		fputs(buf, stderr);
}

/*
 * Runs path -D, with netns -D --netns all, and returns everything it
 * wrote.  If it fails: without netns the program ends, with it the
 * answer is NULL (and the plain list is the one to ask for).
 */
static char *
mon_list_output(const char *path, int netns)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;
	pid_t pid;
	int fd[2], status;
	FILE *errs = NULL;

	if (netns &&
	    ((errs = tmpfile()) == NULL ||
		fcntl(fileno(errs), F_SETFD, FD_CLOEXEC) < 0))
		nm_die(NM_EXIT_FAIL, "a temporary file: %s", strerror(errno));
	if (pipe2(fd, O_CLOEXEC) < 0)
		nm_die(NM_EXIT_FAIL, "pipe: %s", strerror(errno));
	fflush(NULL);
	if ((pid = fork()) < 0)
		nm_die(NM_EXIT_FAIL, "fork: %s", strerror(errno));
	if (pid == 0) {
		if (dup2(fd[1], STDOUT_FILENO) < 0 ||
		    (errs != NULL && dup2(fileno(errs), STDERR_FILENO) < 0))
			_exit(NM_EXIT_FAIL);
		if (netns)
			execl(path, "nm-capture", "-D", "--netns", "all",
			    (char *)NULL);
		else
			execl(path, "nm-capture", "-D", (char *)NULL);
		nm_warn("%s: %s", path, strerror(errno));
		_exit(NM_EXIT_FAIL);
	}
	close(fd[1]);
	for (;;) {
		if (cap - len < 1024)
			buf = erealloc(buf, cap = cap ? cap * 2 : 4096);
		n = read(fd[0], buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	close(fd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			nm_die(NM_EXIT_FAIL, "waitpid: %s", strerror(errno));
	if (errs != NULL) {
		mon_list_errors(errs, status);
		fclose(errs);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return buf;
	free(buf);
	if (netns)
		return NULL;
	nm_die(WIFEXITED(status) ? WEXITSTATUS(status) : NM_EXIT_FAIL,
	    "cannot list the interfaces (nm-capture -D failed)");
}

/* Whether the line (after the name) lists an IPv4 or IPv6 address. */
static int
mon_if_addressed(const char *line)
{
	unsigned char a[16];
	char word[INET6_ADDRSTRLEN + 32];
	const char *p, *end = strrchr(line, '[');
	size_t n;

	for (p = line; end != NULL && p < end; p += n) {
		p += strspn(p, " ");
		n = strcspn(p, " ");
		if (n == 0 || n >= sizeof(word))
			continue;
		memcpy(word, p, n);
		word[n] = '\0';
		word[strcspn(word, "%")] = '\0'; /* fe80::1%eth0 */
		if (inet_pton(AF_INET, word, a) == 1 ||
		    inet_pton(AF_INET6, word, a) == 1)
			return 1;
	}
	return 0;
}

static int
mon_if_rank(const char *name, const char *line)
{
	const char *slash = strchr(name, '/');

	/*
	 * Another namespace's kernel is not ours to ask; there libpcap
	 * describes (in parentheses) its own devices, no interface, save
	 * its any.
	 */
	if (slash != NULL)
		return strcmp(slash + 1, "any") == 0 ||
			strncmp(line + strlen(name), " (", 2) != 0
		    ? MON_IF_NETNS
		    : MON_IF_PSEUDO;
	if (strcmp(name, "any") == 0)
		return MON_IF_ANY;
	/* libpcap's other devices are no interface the kernel names */
	if (if_nametoindex(name) == 0)
		return MON_IF_PSEUDO;
	if (strstr(line, " [up") != NULL && mon_if_addressed(line))
		return MON_IF_ADDRESSED;
	return MON_IF_NETDEV;
}

/* By rank, and in nm-capture's order within a rank. */
static int
mon_if_cmp(const void *a, const void *b)
{
	const struct mon_if *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank - y->rank;
	return (x->index > y->index) - (x->index < y->index);
}

/*
 * Whether NETNS/IFACE is in the namespace we run in (ip netns exec NETNS
 * nm-monitor): -D --netns all lists it among the others, and its
 * interfaces are ours, listed already.
 */
static int
mon_netns_ours(const char *name)
{
	struct stat ours, it;
	char path[PATH_MAX];
	size_t n = strcspn(name, "/");

	if (name[n] == '\0' || n + sizeof("/run/netns/") > sizeof(path))
		return 0;
	snprintf(path, sizeof(path), "/run/netns/%.*s", (int)n, name);
	return stat("/proc/self/ns/net", &ours) == 0 && stat(path, &it) == 0 &&
	    ours.st_dev == it.st_dev && ours.st_ino == it.st_ino;
}

/*
 * Splits the list into lines, each keeping pointers into buf, sorted for
 * showing and numbered anew in that order.
 */
static void
mon_list_parse(struct mon_iflist *l, char *buf)
{
	char *line, *save = NULL, *sp, *name, num[24];
	size_t i;

	l->v = NULL;
	l->n = 0;
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		if ((sp = strchr(line, ' ')) == NULL)
			continue;
		name = estrdup(sp + 1);
		name[strcspn(name, " ")] = '\0';
		if (mon_netns_ours(name)) {
			free(name);
			continue;
		}
		l->v = erealloc(l->v, (l->n + 1) * sizeof(*l->v));
		/* until numbered anew: where the line is, for a stable sort */
		l->v[l->n].index = line;
		l->v[l->n].line = sp + 1;
		l->v[l->n].name = name;
		l->v[l->n].rank = mon_if_rank(name, sp + 1);
		l->n++;
	}
	if (l->n == 0)
		nm_die(NM_EXIT_NOSOURCE, "nm-capture -D lists no interfaces");
	qsort(l->v, l->n, sizeof(*l->v), mon_if_cmp);
	for (i = 0; i < l->n; i++) {
		snprintf(num, sizeof(num), "%zu", i + 1);
		l->v[i].index = estrdup(num);
	}
}

/* The list from i on, as far as rank max; a heading for each part. */
static size_t
mon_list_show(const struct mon_iflist *l, size_t i, int max)
{
	for (; i < l->n && l->v[i].rank <= max; i++) {
		if (i > 0 && l->v[i].rank != l->v[i - 1].rank &&
		    l->v[i].rank == MON_IF_NETNS)
			fputs("In network namespaces (as NETNS/interface):\n",
			    stderr);
		else if (i > 0 && l->v[i].rank != l->v[i - 1].rank &&
		    l->v[i].rank == MON_IF_PSEUDO)
			fputs("Other capture devices:\n", stderr);
		fprintf(stderr, "  %3s  %s\n", l->v[i].index, l->v[i].line);
	}
	return i;
}

/* The next answer, trimmed of blanks at both ends; NUL for blank. */
static char *
mon_answer(const char *prompt, char **line, size_t *cap)
{
	char *s, *e;

	fprintf(stderr, "%s ", prompt);
	fflush(stderr);
	if (getline(line, cap, stdin) < 0)
		nm_die(NM_EXIT_USAGE, "no answer: standard input ended");
	/* A terminal echoes the answer; piped in, it would not show. */
	if (!isatty(STDIN_FILENO))
		fprintf(stderr, "%.*s\n", (int)strcspn(*line, "\n"), *line);
	for (s = *line; isspace((unsigned char)*s); s++)
		;
	for (e = s + strlen(s); e > s && isspace((unsigned char)e[-1]); e--)
		;
	*e = '\0';
	return s;
}

/* A whole positive decimal number no greater than max, else 0. */
static size_t
mon_choice(const char *s, size_t max)
{
	size_t v = 0;

	if (*s == '\0' || strspn(s, "0123456789") != strlen(s) || strlen(s) > 6)
		return 0;
	v = (size_t)strtoul(s, NULL, 10);
	return v <= max ? v : 0;
}

/* The interface an item of the answer names (a number: one shown). */
static const char *
mon_if_pick(const struct mon_iflist *l, size_t shown, const char *a)
{
	size_t i;

	if (strcmp(a, "all") == 0)
		return "any";
	for (i = 0; i < l->n; i++)
		if (strcmp(a, l->v[i].name) == 0 ||
		    (i < shown && strcmp(a, l->v[i].index) == 0))
			return l->v[i].name;
	if (strspn(a, "0123456789") == strlen(a))
		nm_warn("interface %s: no such number: choose one from the "
			"list (1 to %zu)",
		    a, shown);
	else
		nm_warn("interface %s: not in the list", a);
	return NULL;
}

/*
 * The interfaces chosen, into out (room for l->n + 1: each at most
 * once, and any); returns how many.  Several are separated by commas,
 * blanks or both: "1,3", "1 3", "eth0, blue/veth0".
 */
static int
mon_ask_iface(
    const struct mon_iflist *l, const char **out, char **line, size_t *cap)
{
	const char *name;
	char *a, *w, *save;
	size_t shown;
	int n, j, bad;

	fputs("Interfaces:\n", stderr);
	shown = mon_list_show(l, 0, MON_IF_NETNS);
	if (shown < l->n)
		fprintf(stderr,
		    "  (and %zu capture device%s that %s no "
		    "network interface: + lists them)\n",
		    l->n - shown, l->n - shown == 1 ? "" : "s",
		    l->n - shown == 1 ? "is" : "are");
	for (;;) {
		a = mon_answer("Interface (number or name; several: 1,3 or "
			       "eth0 lo; blank for all):",
		    line, cap);
		if (*a == '\0') {
			out[0] = "any";
			return 1;
		}
		if (strcmp(a, "+") == 0) {
			shown = mon_list_show(l, shown, MON_IF_PSEUDO);
			continue;
		}
		n = bad = 0;
		for (w = strtok_r(a, ", \t", &save); w != NULL;
		     w = strtok_r(NULL, ", \t", &save)) {
			if ((name = mon_if_pick(l, shown, w)) == NULL) {
				bad = 1;
				continue;
			}
			for (j = 0; j < n && strcmp(out[j], name) != 0; j++)
				;
			if (j == n)
				out[n++] = name;
		}
		if (n > 0 && !bad)
			return n;
		if (!bad)
			nm_warn("interfaces: none named: numbers or names, "
				"separated by commas or blanks");
	}
}

static void
mon_ask_filter(struct mon_opts *o, const char *capture,
    const struct mon_user *u, char **line, size_t *cap)
{
	char *why;
	const struct mon_preset *p;
	const struct savedf *sf;
	const char *a;
	size_t npre, nsaved, ncustom, k;

	fputs("Filters:\n", stderr);
	for (npre = 0; mon_presets[npre].name != NULL; npre++)
		fprintf(stderr, "  %3zu  %-12s %s\n", npre + 1,
		    mon_presets[npre].label,
		    mon_presets[npre].bpf != NULL ? mon_presets[npre].bpf
						  : "(no filter)");
	/* then the saved ones, the user's and the system's */
	nsaved = mon_saved_list(npre + 1);
	ncustom = npre + nsaved + 1;
	fprintf(stderr, "  %3zu  custom BPF expression\n", ncustom);
	for (;;) {
		a = mon_answer(
		    "Filter (number or name, blank for all):", line, cap);
		k = mon_choice(a, ncustom);
		p = *a == '\0'		 ? &mon_presets[0]
		    : k > 0 && k <= npre ? &mon_presets[k - 1]
					 : mon_preset_find(a);
		if (p != NULL) {
			o->preset = p->label;
			o->filter = p->bpf != NULL ? estrdup(p->bpf) : NULL;
			return;
		}
		if (k != ncustom &&
		    (sf = mon_saved_pick(a, k, npre + 1)) != NULL) {
			mon_saved_use(o, sf);
			return;
		}
		if (k == ncustom || strcasecmp(a, "custom") == 0)
			break;
		nm_warn(
		    "filter %s: not on the menu: choose 1 to %zu", a, ncustom);
	}
	for (;;) {
		a = mon_answer(
		    "BPF expression (see pcap-filter(7)):", line, cap);
		if (*a == '\0') {
			nm_warn("an empty expression: type one, e.g. "
				"'host 10.0.0.1 and tcp'");
			continue;
		}
		/* compiled for each chosen interface before anything starts */
		if ((why = mon_bpf_error(capture, u, o->iface, o->niface, a)) ==
		    NULL)
			break;
		fprintf(stderr, "%s\n", why);
		free(why);
	}
	o->filter = estrdup(a);
}

static void
mon_ask_mode(struct mon_opts *o, char **line, size_t *cap)
{
	const char *a;
	size_t i, k;

	fputs("Display modes:\n", stderr);
	for (i = 0; mon_modes[i].name != NULL; i++)
		fprintf(stderr, "  %3zu  %-9s %s\n", i + 1, mon_modes[i].name,
		    mon_modes[i].what);
	for (;;) {
		a = mon_answer(
		    "Mode (number or name, blank for compact):", line, cap);
		if (*a == '\0') {
			o->mode = mon_modes[0].name;
			return;
		}
		k = mon_choice(a, i);
		for (i = 0; mon_modes[i].name != NULL; i++)
			if (k == i + 1 || strcmp(a, mon_modes[i].name) == 0) {
				o->mode = mon_modes[i].name;
				return;
			}
		nm_warn("mode %s: no such mode: choose 1 to %zu, compact, "
			"detailed, minimal or top",
		    a, i);
	}
}

void
mon_ask(struct mon_opts *o, const char *capture, const struct mon_user *u)
{
	struct mon_iflist l;
	const char *a, **names;
	char *list, *line = NULL;
	size_t cap = 0, i;

	/* the namespaces' too, from an nm-capture that can list them */
	if ((list = mon_list_output(capture, 1)) == NULL)
		list = mon_list_output(capture, 0);
	mon_list_parse(&l, list);
	names = ecalloc(l.n + 1, sizeof(*names));
	free(o->iface);
	o->niface = mon_ask_iface(&l, names, &line, &cap);
	o->iface = ecalloc((size_t)o->niface, sizeof(*o->iface));
	for (i = 0; i < (size_t)o->niface; i++)
		o->iface[i] = estrdup(names[i]);
	free(names);
	mon_ask_filter(o, capture, u, &line, &cap);
	mon_ask_mode(o, &line, &cap);
	a = mon_answer(
	    "Capture file to write (pcapng), blank for none:", &line, &cap);
	if (*a != '\0')
		o->wfile = estrdup(a);
	o->asked = 1;
	for (i = 0; i < l.n; i++) {
		free(l.v[i].index);
		free(l.v[i].name);
	}
	free(l.v);
	free(list);
	free(line);
}

/* What is about to start, in the old tool's words. */
void
mon_announce(const struct mon_opts *o, const struct mon_pipeline *pl)
{
	int i;

	if (o->file != NULL)
		fprintf(stderr, "File:      %s%s\n", o->file,
		    o->realtime ? " (at its recorded pace)" : "");
	else {
		fputs("Interface: ", stderr);
		for (i = 0; i < o->niface; i++)
			fprintf(stderr, "%s%s%s", i > 0 ? ", " : "",
			    o->iface[i],
			    strcmp(o->iface[i], "any") == 0
				? " (all interfaces)"
				: "");
		fputc('\n', stderr);
	}
	if (o->ffile != NULL)
		fprintf(stderr, "Filter:    from %s\n", o->ffile);
	else if (o->filter != NULL && *o->filter != '\0' && o->preset != NULL)
		fprintf(stderr, "Filter:    %s (%s)\n", o->preset, o->filter);
	else if (o->filter != NULL && *o->filter != '\0')
		fprintf(stderr, "Filter:    %s\n", o->filter);
	else if (o->display == NULL)
		fprintf(stderr, "Filter:    all traffic\n");
	/* -Y, by name when a saved filter's */
	if (o->display != NULL && strcmp(o->yexpr, o->display) != 0)
		fprintf(stderr, "Decoded:   %s (%s)\n", o->yexpr, o->display);
	else if (o->display != NULL)
		fprintf(stderr, "Decoded:   %s\n", o->display);
	fprintf(stderr, "Mode:      %s\n",
	    o->json				     ? "json"
		: o->fields			     ? "fields"
		: pl->nworkers > 0 && !o->mode_given ? "statistics"
						     : o->mode);
	if (o->wfile != NULL)
		fprintf(stderr, "Writing:   %s\n", o->wfile);
	if (pl->nworkers > 0)
		fprintf(stderr,
		    "Workers:   %d, sharing the interface by flow hash "
		    "(fanout group %d), their statistics merged\n",
		    pl->nworkers, pl->group);
	/* no question: on unless --no-detect, tuned by its files (-h) */
	fprintf(stderr, "Alerts:    %s\n",
	    pl->detect != NULL ? "on (nm-stats: scans, floods, ARP, DNS)"
			       : "off");
	fprintf(stderr, "Press %s to stop.\n",
	    !o->json && !o->fields && strcmp(o->mode, "top") == 0
		? "q (or Ctrl+C)"
		: "Ctrl+C");
}
