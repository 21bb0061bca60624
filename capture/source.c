/*
 * Opening what nm-capture reads, while it may still hold privilege: a
 * live interface (pcap_create and pcap_activate, in immediate mode so a
 * packet is handed over as soon as it arrives) or a capture file (pcap or
 * pcapng, "-" for stdin), then the BPF filter.  libpcap's failures become
 * one line each and the exit statuses of nm.h, so a script can tell a
 * missing interface from a missing permission from a bad filter.
 */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <netdb.h>
#include <sys/socket.h>
#include <net/if.h>

#include "nm.h"
#include "cap.h"
#include "pngread.h"

/* This program's own path, for the setcap advice. */
static const char *
cap_self_path(void)
{
	static char path[4096];
	ssize_t n;

	n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	if (n <= 0)
		return "nm-capture";
	path[n] = '\0';
	return path;
}

/* The names of the interfaces there are, for "no such interface". */
static void
cap_iface_names(char *buf, size_t len)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_if_t *all, *d;
	size_t n = 0;

	buf[0] = '\0';
	if (pcap_findalldevs(&all, errbuf) < 0)
		return;
	for (d = all; d != NULL && n + 1 < len; d = d->next) {
		/* the network's: not libpcap's pseudo-devices (nflog, ...) */
		if (strcmp(d->name, "any") != 0 && if_nametoindex(d->name) == 0)
			continue;
		snprintf(buf + n, len - n, "%s%s", n > 0 ? ", " : "", d->name);
		n += strlen(buf + n);
	}
	pcap_freealldevs(all);
}

static void
cap_open_live(struct cap_src *s, const struct cap_opts *o)
{
	char errbuf[PCAP_ERRBUF_SIZE], names[1024];
	const char *spec = s->name;
	int rc;

	if ((s->pc = pcap_create(s->iface, errbuf)) == NULL)
		nm_die(NM_EXIT_FAIL, "%s: %s", spec, errbuf);
	s->snaplen = o->snaplen > 0 ? o->snaplen : CAP_SNAPLEN_MAX;
	pcap_set_snaplen(s->pc, s->snaplen);
	pcap_set_promisc(s->pc, o->promisc);
	if (o->immediate)
		pcap_set_immediate_mode(s->pc, 1);
	else
		pcap_set_timeout(s->pc, CAP_TIMEOUT_MS);
	pcap_set_buffer_size(
	    s->pc, (o->bufkib > 0 ? o->bufkib : CAP_BUFKIB_DEFAULT) * 1024);
	/* Not every platform has nanoseconds; then we scale microseconds. */
	(void)pcap_set_tstamp_precision(s->pc, PCAP_TSTAMP_PRECISION_NANO);

	rc = pcap_activate(s->pc);
	switch (rc) {
	case 0: break;
	case PCAP_ERROR_PERM_DENIED:
		nm_die(NM_EXIT_NOPERM,
		    "%s: permission denied: run as root, "
		    "or give the program the capability: "
		    "setcap cap_net_raw,cap_net_admin=eip %s",
		    spec, cap_self_path());
	case PCAP_ERROR_NO_SUCH_DEVICE:
		cap_iface_names(names, sizeof(names));
		nm_die(NM_EXIT_NOSOURCE,
		    "%s: no such interface "
		    "(there are%s%s: %s)",
		    spec, s->netns != NULL ? " in " : "",
		    s->netns != NULL ? s->netns : "",
		    names[0] != '\0' ? names : "none");
	case PCAP_ERROR_IFACE_NOT_UP:
		nm_die(NM_EXIT_FAIL, "%s: interface is down", spec);
	case PCAP_ERROR:
		nm_die(NM_EXIT_FAIL, "%s: %s", spec, pcap_geterr(s->pc));
	default:
		if (rc < 0)
			nm_die(
			    NM_EXIT_FAIL, "%s: %s", spec, pcap_statustostr(rc));
		/* A warning: say it and carry on, as tcpdump does. */
		nm_warn("%s: %s", spec,
		    pcap_geterr(s->pc)[0] != '\0' ? pcap_geterr(s->pc)
						  : pcap_statustostr(rc));
		break;
	}
	/* before the filter and the privilege drop, as the socket's open */
	if (o->fanout > 0)
		cap_fanout_join(s, o);
	s->live = 1;
	s->start = nm_realtime_ns();
	s->snaplen = pcap_snapshot(s->pc);
	if (pcap_setnonblock(s->pc, 1, errbuf) < 0)
		nm_die(NM_EXIT_FAIL, "%s: %s", spec, errbuf);
}

/*
 * A file, opened here, not by libpcap, so errno tells missing from bad,
 * and with the rights of whoever ran sudo, not root's; "-" is stdin.
 */
static FILE *
cap_fopen(const char *path, struct cap_priv *p)
{
	FILE *f = stdin;
	int saved = 0;

	if (strcmp(path, "-") != 0) {
		cap_priv_as_caller(p);
		f = fopen(path, "rb");
		saved = errno;
		cap_priv_as_self(p);
	}
	if (f == NULL)
		nm_die(saved == ENOENT || saved == ENOTDIR  ? NM_EXIT_NOSOURCE
			: saved == EACCES || saved == EPERM ? NM_EXIT_NOPERM
			: saved == EMFILE		    ? NM_EXIT_USAGE
							    : NM_EXIT_FAIL,
		    "%s: %s%s", path, strerror(saved),
		    saved == EMFILE ? " (too many files at once)"
				    : cap_priv_whose(p));
	return f;
}

/* The open file f through libpcap (after the sandbox too: no fstat). */
static pcap_t *
cap_pcap_of(FILE *f, const char *path)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *pc;

	pc = pcap_fopen_offline_with_tstamp_precision(
	    f, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (pc == NULL)
		nm_die(NM_EXIT_BADCAPTURE, "%s: %s", path, errbuf);
	return pc;
}

/*
 * A file source; --concat opens all its files now, while the caller's
 * rights are to hand (the sandbox allows no new file later), with as
 * many descriptors as the hard limit allows.
 */
static struct png_reader *cap_png_needed(FILE *f, char **ifname);

/* ...or, for a pcapng file libpcap refuses, its reader, and no handle. */
static struct png_reader *
cap_open_file(struct cap_src *s, const struct cap_opts *o, struct cap_priv *p)
{
	struct png_reader *png;
	struct rlimit rl;
	struct stat st;
	int i;

	if (s->nfiles > 1 && getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	s->fps = ecalloc((size_t)s->nfiles, sizeof(*s->fps));
	for (i = 0; i < s->nfiles; i++)
		s->fps[i] = cap_fopen(s->files[i], p);
	s->stream = fstat(fileno(s->fps[0]), &st) == 0 &&
	    (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) ||
		S_ISCHR(st.st_mode));
	if (s->nfiles == 1 &&
	    (png = cap_png_needed(s->fps[0], &s->ifname)) != NULL)
		return png;
	s->pc = cap_pcap_of(s->fps[0], s->files[0]);
	s->live = 0;
	s->snaplen = pcap_snapshot(s->pc);
	if (o->snaplen > 0 && (s->snaplen <= 0 || o->snaplen < s->snaplen))
		s->snaplen = o->snaplen;
	return NULL;
}

/* --concat: the filter, set on each file's handle in turn. */
static struct bpf_program cap_concat_prog;
static int cap_concat_filtered;

int
cap_next_file(struct cap_src *s)
{
	const char *path;

	if (s->at + 1 >= s->nfiles)
		return 0;
	path = s->files[++s->at];
	pcap_close(s->pc); /* closes the file before it */
	s->pc = cap_pcap_of(s->fps[s->at], path);
	if (pcap_datalink(s->pc) != s->linktype)
		nm_die(NM_EXIT_BADCAPTURE,
		    "%s: link type %s, not %s as %s before it: --concat reads "
		    "files of one link type as one source",
		    path, pcap_datalink_val_to_name(pcap_datalink(s->pc)),
		    pcap_datalink_val_to_name(s->linktype), s->files[0]);
	if (cap_concat_filtered && pcap_setfilter(s->pc, &cap_concat_prog) < 0)
		nm_die(NM_EXIT_FAIL, "%s: setting the filter: %s", path,
		    pcap_geterr(s->pc));
	return 1;
}

/* One -i: NETNS/IFACE is opened inside its namespace. */
static void
cap_open_iface(struct cap_src *s, const char *spec, const struct cap_opts *o)
{
	int self;

	s->name = estrdup(spec);
	s->nlfd = -1;
	if (!cap_ns_split(spec, &s->netns, &s->iface)) {
		cap_open_live(s, o);
		return;
	}
	self = cap_ns_enter(s->netns, spec);
	cap_open_live(s, o);
	if (cap_ns_counters(s) < 0)
		nm_warn("%s: no interface counters from namespace %s", spec,
		    s->netns);
	cap_ns_leave(self, spec);
}

/*
 * Whether f is a pcapng file of several interfaces (those before its
 * first packet): then its reader, else NULL with f back at its start and
 * *ifname set to its one interface's name, if it is pcapng.  Only a file
 * that can be read again is looked at: on a pipe libpcap reads it as it
 * can.
 */
static struct png_reader *
cap_png_needed(FILE *f, char **ifname)
{
	const struct png_if *a;
	struct png_reader *r;
	struct stat st;
	uint8_t magic[4];
	char err[256];

	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode))
		return NULL;
	if (fread(magic, 1, 4, f) != 4 ||
	    memcmp(magic, "\x0a\x0d\x0d\x0a", 4) != 0) {
		rewind(f);
		return NULL;
	}
	rewind(f);
	if ((r = png_open(f, err, sizeof(err))) == NULL) {
		rewind(f); /* libpcap says what is wrong with it */
		return NULL;
	}
	/*
	 * Several interfaces: libpcap refuses those of other link types or
	 * snaplens, and gives the others' packets no interface; ours tells
	 * each packet's.  One: libpcap, with its interface's name.
	 */
	if (png_nifs(r) > 1)
		return r;
	if ((a = png_if(r, 0)) != NULL)
		*ifname = estrdup(a->name); /* "": an interface, unnamed */
	png_close(r);
	rewind(f);
	return NULL;
}

/* The interfaces of a pcapng file of several, as sources. */
static void
cap_open_png(struct cap_set *set, struct png_reader *r, const char **files,
    const struct cap_opts *o)
{
	const struct png_if *pi;
	struct cap_src *s;
	char name[512];
	size_t i, n = png_nifs(r);
	const char *path = files[0];
	int base = set->n;

	if ((size_t)set->n + n > CAP_SOURCES_MAX)
		nm_bad_usage("%s: %zu interfaces: with the other sources, "
			     "more than %d",
		    path, n, CAP_SOURCES_MAX);
	for (i = 0; i < n; i++) {
		pi = png_if(r, i);
		s = &set->v[set->n++];
		memset(s, 0, sizeof(*s));
		s->nlfd = -1;
		/* its own name, as tshark shows it, or the file's and index */
		if (pi->name[0] != '\0')
			snprintf(name, sizeof(name), "%s", pi->name);
		else
			snprintf(name, sizeof(name), "%s#%zu", path, i);
		s->name = estrdup(name);
		s->ifname = estrdup(pi->name); /* "": an interface, unnamed */
		s->files = files;	       /* its one file, for messages */
		s->nfiles = 1;
		s->png = r;
		s->png_base = base;
		s->png_owner = i == 0;
		s->done = i != 0; /* the first reads for all */
		s->linktype = pi->linktype;
		s->snaplen = pi->snaplen != 0 && pi->snaplen < PNG_CAPLEN_MAX
		    ? (int)pi->snaplen
		    : PNG_CAPLEN_MAX;
		if (o->snaplen > 0 && o->snaplen < s->snaplen)
			s->snaplen = o->snaplen;
		s->nano = pi->tsprec > 6;
		s->dead = pcap_open_dead(s->linktype, s->snaplen);
		if (s->dead == NULL)
			nm_die(NM_EXIT_FAIL, "%s: out of memory", path);
	}
}

void
cap_open(struct cap_set *set, const struct cap_opts *o, struct cap_priv *p)
{
	struct png_reader *png;
	struct cap_src *s;
	int i, any = 0;

	memset(set, 0, sizeof(*set));
	if (o->nfiles > CAP_SOURCES_MAX && !o->concat)
		nm_bad_usage("%d files: at most %d sources (rotated files "
			     "read as one source with --concat)",
		    o->nfiles, CAP_SOURCES_MAX);
	for (i = 0; i < o->nifaces; i++) {
		s = &set->v[set->n++];
		cap_open_iface(s, o->ifaces[i], o);
		any |= strcmp(s->iface, "any") == 0;
	}
	if (any && o->nifaces > 1)
		nm_warn("-i any sees the packets of the other interfaces "
			"too: they are captured twice");
	for (i = 0; i < o->nfiles; i++) {
		if (set->n == CAP_SOURCES_MAX)
			nm_bad_usage("%s: more than %d sources", o->files[i],
			    CAP_SOURCES_MAX);
		s = &set->v[set->n++];
		s->nlfd = -1;
		s->files = o->files + i;
		s->nfiles = o->concat ? o->nfiles : 1;
		s->name = estrdup(s->files[0]);
		if ((png = cap_open_file(s, o, p)) != NULL) {
			set->n--;
			free(s->name);
			free(s->fps);
			cap_open_png(set, png, o->files + i, o);
			continue;
		}
		if (o->concat)
			break;
	}
	for (i = 0; i < set->n; i++) {
		s = &set->v[i];
		s->ifx = i;
		if (s->png != NULL)
			continue;
		s->linktype = pcap_datalink(s->pc);
		s->nano = pcap_get_tstamp_precision(s->pc) ==
		    PCAP_TSTAMP_PRECISION_NANO;
	}
}

/*
 * At most max bytes of s as one printable line: bytes outside printable
 * ASCII, quotes and backslashes as \xHH, "..." when cut.  What a -F file
 * holds is shown only this way: it may be any file at all.
 */
static const char *
cap_excerpt(char *buf, size_t size, const char *s, size_t max)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, n = 0;
	unsigned char c;

	for (i = 0; i < max && s[i] != '\0' && n + 8 < size; i++) {
		c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"') {
			buf[n++] = (char)c;
			continue;
		}
		buf[n++] = '\\';
		buf[n++] = 'x';
		buf[n++] = hex[c >> 4];
		buf[n++] = hex[c & 15];
	}
	if (s[i] != '\0')
		n += (size_t)snprintf(buf + n, size - n, "...");
	buf[n] = '\0';
	return buf;
}

/* The filter compiled for one source's link type, or the program ends. */
static void
cap_compile(struct cap_src *s, struct bpf_program *prog, const char *expr,
    const char *ffile, const struct savedf *sf, int several)
{
	char head[128], why[256], on[300];

	pcap_t *pc = s->png != NULL ? s->dead : s->pc;

	if (pcap_compile(pc, prog, expr, 1, PCAP_NETMASK_UNKNOWN) == 0)
		return;
	/* with several sources, the one whose link type it does not fit */
	on[0] = '\0';
	if (several)
		snprintf(on, sizeof(on), " (for %s, %s)", s->name,
		    pcap_datalink_val_to_name(s->linktype));
	if (sf != NULL)
		nm_die(NM_EXIT_BADFILTER,
		    "bad filter: saved filter %s (%s:%u): %s%s: %s", sf->name,
		    sf->file, sf->line, expr, on, pcap_geterr(pc));
	if (ffile == NULL && savedf_name_ok(expr) && !savedf_bpf_word(expr))
		nm_die(NM_EXIT_BADFILTER,
		    "bad filter: %s%s: %s; nor is it a saved filter "
		    "(nm-filters(5))",
		    expr, on, pcap_geterr(pc));
	if (ffile == NULL)
		nm_die(NM_EXIT_BADFILTER, "bad filter: %s%s: %s", expr, on,
		    pcap_geterr(pc));
	/* libpcap quotes the token it choked on: the file's too. */
	nm_die(NM_EXIT_BADFILTER,
	    "%s: bad filter%s: %s (the file "
	    "starts \"%s\")",
	    ffile, on, cap_excerpt(why, sizeof(why), pcap_geterr(pc), 80),
	    cap_excerpt(head, sizeof(head), expr, 24));
}

void
cap_filter(struct cap_set *set, const char *expr, const char *ffile,
    const struct savedf *sf)
{
	struct bpf_program prog;
	struct cap_src *s;
	int i;

	if (expr[0] == '\0')
		return;
	for (i = 0; i < set->n; i++) {
		s = &set->v[i];
		cap_compile(s, &prog, expr, ffile, sf, set->n > 1);
		if (s->png != NULL) { /* applied as its frames are read */
			s->prog = prog;
			s->filtered = 1;
			continue;
		}
		if (pcap_setfilter(s->pc, &prog) < 0)
			nm_die(NM_EXIT_FAIL, "%s: setting the filter: %s",
			    s->name, pcap_geterr(s->pc));
		if (s->nfiles > 1) { /* --concat: for the next files too */
			cap_concat_prog = prog;
			cap_concat_filtered = 1;
		} else {
			pcap_freecode(&prog);
		}
	}
}

/* --- -D: the interfaces libpcap can open --- */

static void
cap_print_addrs(const pcap_if_t *d)
{
	char host[NI_MAXHOST];
	const pcap_addr_t *a;
	socklen_t len;

	for (a = d->addresses; a != NULL; a = a->next) {
		if (a->addr == NULL)
			continue;
		if (a->addr->sa_family == AF_INET)
			len = sizeof(struct sockaddr_in);
		else if (a->addr->sa_family == AF_INET6)
			len = sizeof(struct sockaddr_in6);
		else
			continue; /* link-layer addresses: not useful */
		if (getnameinfo(a->addr, len, host, sizeof(host), NULL, 0,
			NI_NUMERICHOST) == 0)
			printf(" %s", host);
	}
}

void
cap_list_interfaces(const char *prefix, int *n)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_if_t *all, *d;

	if (pcap_findalldevs(&all, errbuf) < 0)
		nm_die(NM_EXIT_FAIL, "listing interfaces: %s", errbuf);
	for (d = all; d != NULL; d = d->next) {
		/* in a namespace, its own interfaces only: no "any" there */
		if (*prefix != '\0' && if_nametoindex(d->name) == 0)
			continue;
		printf("%d %s%s", ++*n, prefix, d->name);
		if (d->description != NULL)
			printf(" (%s)", d->description);
		cap_print_addrs(d);
		printf(" [%s%s%s]", d->flags & PCAP_IF_UP ? "up" : "down",
		    d->flags & PCAP_IF_RUNNING ? ",running" : "",
		    d->flags & PCAP_IF_LOOPBACK ? ",loopback" : "");
		putchar('\n');
	}
	pcap_freealldevs(all);
}

/* Whether a -r names no file but a pattern: glob characters, no file. */
static int
cap_is_glob(const char *path, struct cap_priv *p)
{
	struct stat st;
	int there;

	if (strpbrk(path, "*?[") == NULL)
		return 0;
	cap_priv_as_caller(p);
	there = stat(path, &st) == 0;
	cap_priv_as_self(p);
	return !there;
}

void
cap_expand_files(struct cap_opts *o, struct cap_priv *p)
{
	static glob_t *kept;
	static size_t nkept;
	const char **out = NULL;
	size_t n = 0, j;
	glob_t g;
	int i, rc, stdin_seen = 0;

	for (i = 0; i < o->nfiles; i++) {
		if (strcmp(o->files[i], "-") == 0 && stdin_seen++)
			nm_bad_usage("-r - twice: standard input is one file");
		if (!cap_is_glob(o->files[i], p)) {
			out = erealloc(out, (n + 1) * sizeof(*out));
			out[n++] = o->files[i];
			continue;
		}
		/* sudo's caller's view of the directories, as for a file */
		cap_priv_as_caller(p);
		rc = glob(o->files[i], GLOB_ERR, NULL, &g);
		cap_priv_as_self(p);
		if (rc == GLOB_NOMATCH)
			nm_die(NM_EXIT_NOSOURCE, "-r %s: no file matches%s",
			    o->files[i], cap_priv_whose(p));
		if (rc != 0)
			nm_die(NM_EXIT_FAIL, "-r %s: %s", o->files[i],
			    rc == GLOB_NOSPACE ? "out of memory"
					       : "a directory cannot be read");
		if (n + g.gl_pathc > CAP_FILES_MAX)
			nm_bad_usage("-r %s: more than %d files", o->files[i],
			    CAP_FILES_MAX);
		out = erealloc(out, (n + g.gl_pathc) * sizeof(*out));
		/* glob sorts: rotated files come in their order; the names
		 * live as long as the program, held by the matches kept */
		for (j = 0; j < g.gl_pathc; j++)
			out[n++] = g.gl_pathv[j];
		kept = erealloc(kept, (nkept + 1) * sizeof(*kept));
		kept[nkept++] = g;
	}
	free((void *)(uintptr_t)o->files); /* its strings live on in out */
	o->files = out;
	o->nfiles = (int)n;
}
