/*
 * Saved filters (savedf.h): the files are read once, on the first
 * lookup, so a program given no name never opens them.  Where they are
 * and what a line holds is nm-filters(5): NM_FILTERS (files apart by
 * colons) or else the user's ${XDG_CONFIG_HOME:-~/.config}/nm/filters
 * then /etc/nm/filters; the first file that names a filter wins, so a
 * user's entry overrides the system's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "nm.h"
#include "savedf.h"

#define SAVEDF_FILE_MAX (256 * 1024)
#define SAVEDF_SYSTEM	"/etc/nm/filters"

static const char *home_dir;
static struct savedf *all;
static size_t nall;
static int loaded;

/*
 * Words a BPF expression reads as its own (pcap-filter(7)): a saved
 * capture filter of such a name would hide them.
 */
static const char *const bpf_words[] = { "aarp", "ah", "and", "arp", "atalk",
	"broadcast", "carp", "clnp", "decnet", "dst", "esis", "esp", "ether",
	"fddi", "gateway", "geneve", "greater", "host", "icmp", "icmp6", "igmp",
	"igrp", "inbound", "ip", "ip6", "ipx", "isis", "iso", "lat", "len",
	"less", "llc", "mopdl", "moprc", "mpls", "multicast", "net", "netbeui",
	"not", "or", "outbound", "pim", "port", "portrange", "ppp", "pppoed",
	"pppoes", "proto", "rarp", "sca", "sctp", "slip", "src", "stp", "tcp",
	"tr", "udp", "vlan", "vrrp", "wlan", NULL };

void
savedf_home(const char *home)
{
	home_dir = home;
}

int
savedf_name_ok(const char *name)
{
	const char *p = name;

	if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		return 0;
	for (p++; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			(*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			return 0;
	return p - name <= 64;
}

static const struct savedf *
find_in(enum savedf_kind kind, const char *name, size_t from)
{
	size_t i;

	for (i = from; i < nall; i++)
		if (all[i].kind == kind && strcmp(all[i].name, name) == 0)
			return &all[i];
	return NULL;
}

/* Why an entry's name cannot be saved, or NULL. */
static const char *
name_taken(enum savedf_kind kind, const char *name)
{
	if (kind == SAVEDF_DISPLAY)
		return filter_word_taken(name)
		    ? "is a word of the -Y language (a field, protocol or "
		      "operator)"
		    : NULL;
	return savedf_bpf_word(name) ? "is a word of BPF (pcap-filter(7))"
				     : NULL;
}

int
savedf_bpf_word(const char *w)
{
	size_t i;

	for (i = 0; bpf_words[i] != NULL; i++)
		if (strcmp(bpf_words[i], w) == 0)
			return 1;
	return 0;
}

/* One line of a file; *kind is the heading's, -1 before the first. */
static void
read_line(
    const char *file, unsigned ln, char *s, int *kind, size_t first, int status)
{
	const struct savedf *dup;
	struct savedf *e;
	const char *why;
	char *name, *end;

	s += strspn(s, " \t");
	end = s + strlen(s);
	while (
	    end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		*--end = '\0';
	if (*s == '\0' || *s == '#')
		return;
	if (*s == '[') {
		if (strcmp(s, "[capture]") == 0)
			*kind = SAVEDF_CAPTURE;
		else if (strcmp(s, "[display]") == 0)
			*kind = SAVEDF_DISPLAY;
		else
			nm_die(status,
			    "%s:%u: heading %s: want [capture] (BPF) or "
			    "[display] (-Y)",
			    file, ln, s);
		return;
	}
	if (*kind < 0)
		nm_die(status,
		    "%s:%u: an entry before the first heading: put it "
		    "under [capture] (BPF) or [display] (-Y)",
		    file, ln);
	name = s;
	s += strcspn(s, " \t");
	if (*s != '\0')
		*s++ = '\0';
	s += strspn(s, " \t");
	if (!savedf_name_ok(name))
		nm_die(status,
		    "%s:%u: \"%s\": a name is a letter, then up to 63 "
		    "letters, digits, '-' or '_'",
		    file, ln, name);
	if (*s == '\0')
		nm_die(status, "%s:%u: %s: no expression after the name", file,
		    ln, name);
	if ((why = name_taken((enum savedf_kind) * kind, name)) != NULL)
		nm_die(status, "%s:%u: %s %s: name the filter otherwise", file,
		    ln, name, why);
	if ((dup = find_in((enum savedf_kind) * kind, name, first)) != NULL)
		nm_die(status, "%s:%u: %s: already named at line %u", file, ln,
		    name, dup->line);
	if (find_in((enum savedf_kind) * kind, name, 0) != NULL)
		return; /* an earlier file's (the user's) wins */
	all = erealloc(all, (nall + 1) * sizeof(*all));
	e = &all[nall++];
	e->kind = (enum savedf_kind) * kind;
	e->name = estrdup(name);
	e->text = estrdup(s);
	e->file = file;
	e->line = ln;
}

/* One file; a missing one is nothing unless named (NM_FILTERS). */
static void
read_file(const char *path, int must, int status)
{
	char *buf, *line, *next;
	size_t len, first = nall;
	unsigned ln = 0;
	int kind = -1;

	if ((buf = nm_slurp(path, SAVEDF_FILE_MAX, &len)) == NULL) {
		if (!must && (errno == ENOENT || errno == ENOTDIR))
			return;
		nm_die(status, "%s: %s", path,
		    errno == EFBIG ? "over 256 KiB: not a filters file"
				   : strerror(errno));
	}
	if (memchr(buf, '\0', len) != NULL)
		nm_die(
		    status, "%s: holds a NUL byte: not a filters file", path);
	path = estrdup(path); /* the entries name it */
	for (line = buf; line != NULL; line = next) {
		ln++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		read_line(path, ln, line, &kind, first, status);
	}
	free(buf);
}

static void
load(int status)
{
	const char *env = getenv("NM_FILTERS"), *xdg, *home;
	char *list, *p, *q, path[4096];
	int n;

	if (loaded)
		return;
	loaded = 1;
	if (env != NULL && *env != '\0') {
		list = estrdup(env);
		for (p = list; p != NULL; p = q) {
			if ((q = strchr(p, ':')) != NULL)
				*q++ = '\0';
			if (*p != '\0')
				read_file(p, 1, status);
		}
		free(list);
		return;
	}
	xdg = getenv("XDG_CONFIG_HOME");
	home = home_dir != NULL ? home_dir : getenv("HOME");
	n = -1;
	if (xdg != NULL && xdg[0] == '/' && home_dir == NULL)
		n = snprintf(path, sizeof(path), "%s/nm/filters", xdg);
	else if (home != NULL && home[0] == '/')
		n = snprintf(path, sizeof(path), "%s/.config/nm/filters", home);
	if (n > 0 && (size_t)n < sizeof(path))
		read_file(path, 0, status);
	read_file(SAVEDF_SYSTEM, 0, status);
}

const struct savedf *
savedf_find(enum savedf_kind kind, const char *name, int status)
{
	load(status);
	return find_in(kind, name, 0);
}

const struct savedf *
savedf_all(size_t *n, int status)
{
	load(status);
	*n = nall;
	return all;
}
