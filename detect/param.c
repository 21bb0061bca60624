/*
 * Every threshold and window of every detector, declared once by its
 * module (name, unit, default, bounds, one line of help) and settable
 * both ways a user expects: as an option (--scan-ports 20) and as an entry
 * of the config file (scan-ports = 20).  The files are read first, the
 * system's (/etc/nm/detect.conf) then the user's
 * (${XDG_CONFIG_HOME:-~/.config}/nm/detect.conf), so the user's entry
 * wins; NM_DETECT_CONF or -c names the one file to read instead; options
 * win over every file.  A line is "name = value" or "name value"; "#"
 * starts a comment.  List entries (ignore, arp-allow, dns-allow) add up
 * across files and options.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect.h"
#include "nm.h"

#define PARAM_MAX	  64
#define PARAM_SYSTEM_FILE "/etc/nm/detect.conf"
#define PARAM_LINE_MAX	  1024

static struct param *all[PARAM_MAX];
static size_t nall;

void
param_register(struct param *list)
{
	for (; list->name != NULL; list++) {
		if (nall == PARAM_MAX)
			nm_die(NM_EXIT_FAIL, "too many parameters");
		list->val =
		    list->unit == PU_SECS ? list->def * DT_NS : list->def;
		all[nall++] = list;
	}
}

struct param **
param_all(size_t *n)
{
	*n = nall;
	return all;
}

static struct param *
find(const char *name)
{
	size_t i;

	for (i = 0; i < nall; i++)
		if (strcmp(all[i]->name, name) == 0)
			return all[i];
	return NULL;
}

uint64_t
param(const char *name)
{
	const struct param *p = find(name);

	if (p == NULL)
		nm_die(NM_EXIT_FAIL, "internal: no parameter %s", name);
	return p->val;
}

/*
 * A span: a number of seconds, whole or with a fraction, and an optional
 * unit (s, m, h).  Returns nanoseconds, or -1 when it does not parse.
 */
static int
parse_span(const char *s, uint64_t *ns)
{
	char *end;
	double v, mul = 1;

	errno = 0;
	if (!isdigit((unsigned char)*s))
		return -1;
	v = strtod(s, &end);
	if (errno != 0 || end == s)
		return -1;
	if (*end == 's')
		end++;
	else if (*end == 'm')
		mul = 60, end++;
	else if (*end == 'h')
		mul = 3600, end++;
	if (*end != '\0' || v * mul > 1e9)
		return -1;
	*ns = (uint64_t)(v * mul * (double)DT_NS + 0.5);
	return 0;
}

static int
parse_count(const char *s, uint64_t *v)
{
	char *end;
	unsigned long long u;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	u = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*v = u;
	return 0;
}

static const char *
unit_word(enum param_unit u)
{
	switch (u) {
	case PU_SECS: return "seconds (or with s, m, h)";
	case PU_RATE: return "per second";
	case PU_BYTES: return "bytes";
	case PU_LIST: return "entries";
	default: return "count";
	}
}

/* Sets p from text; where says whose value it is, for the error. */
static void
set(struct param *p, const char *value, const char *where)
{
	uint64_t v, lo, hi;
	int bad;

	if (p->unit == PU_LIST) {
		p->add(value, where);
		p->set = 1;
		return;
	}
	lo = p->min;
	hi = p->max;
	if (p->unit == PU_SECS) {
		bad = parse_span(value, &v) < 0;
		lo *= DT_NS;
		hi *= DT_NS;
	} else
		bad = parse_count(value, &v) < 0;
	if (bad)
		nm_die(NM_EXIT_USAGE, "%s: %s %s: not a number of %s", where,
		    p->name, value, unit_word(p->unit));
	if (v < lo || v > hi)
		nm_die(NM_EXIT_USAGE,
		    "%s: %s %s: out of range (%llu to %llu%s)", where, p->name,
		    value, (unsigned long long)p->min,
		    (unsigned long long)p->max, p->unit == PU_SECS ? " s" : "");
	p->val = v;
	p->set = 1;
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static void
read_line(const char *path, unsigned ln, char *line)
{
	char where[PARAM_LINE_MAX + 64], *name, *value, *hash, *sep;
	struct param *p;

	snprintf(where, sizeof(where), "%s:%u", path, ln);
	if ((hash = strchr(line, '#')) != NULL &&
	    (hash == line || hash[-1] == ' ' || hash[-1] == '\t'))
		*hash = '\0'; /* a comment; "10.0.0.0/8#53" keeps its port */
	name = trim(line);
	if (*name == '\0')
		return;
	sep = name + strcspn(name, " \t=");
	if (*sep == '\0')
		nm_die(NM_EXIT_USAGE, "%s: %s: no value (name = value)", where,
		    name);
	value = sep;
	if (*value != '=')
		*value++ = '\0';
	value = trim(value);
	if (*value == '=')
		value = trim(value + 1);
	*sep = '\0';
	if ((p = find(name)) == NULL)
		nm_die(NM_EXIT_USAGE,
		    "%s: %s: no such setting (nm-detect --show-config lists "
		    "them)",
		    where, name);
	if (*value == '\0')
		nm_die(NM_EXIT_USAGE, "%s: %s: no value", where, name);
	set(p, value, where);
}

/* Reads one file; a missing default file is no error, a missing -c is. */
static void
read_file(const char *path, int must)
{
	char line[PARAM_LINE_MAX + 2];
	unsigned ln = 0;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		/*
		 * A default file that is not there, or that this user may
		 * not read (a stage running as nobody with HOME still
		 * root's), is passed over: nm-monitor hands its stages the
		 * caller's files itself.  A file named is read or fails.
		 */
		if (!must &&
		    (errno == ENOENT || errno == ENOTDIR || errno == EACCES))
			return;
		nm_die(NM_EXIT_USAGE, "%s: %s", path, strerror(errno));
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		ln++;
		if (strchr(line, '\n') == NULL && !feof(f))
			nm_die(NM_EXIT_USAGE,
			    "%s:%u: line longer than %d bytes", path, ln,
			    PARAM_LINE_MAX);
		line[strcspn(line, "\n")] = '\0';
		read_line(path, ln, line);
	}
	if (ferror(f))
		nm_die(NM_EXIT_FAIL, "%s: %s", path, strerror(errno));
	fclose(f);
}

static void
read_defaults(void)
{
	const char *env = getenv("NM_DETECT_CONF"), *xdg, *home;
	char path[4096];
	int n = -1;

	if (env != NULL && *env != '\0') {
		read_file(env, 1);
		return;
	}
	read_file(PARAM_SYSTEM_FILE, 0);
	xdg = getenv("XDG_CONFIG_HOME");
	home = getenv("HOME");
	if (xdg != NULL && xdg[0] == '/')
		n = snprintf(path, sizeof(path), "%s/nm/detect.conf", xdg);
	else if (home != NULL && home[0] == '/')
		n = snprintf(
		    path, sizeof(path), "%s/.config/nm/detect.conf", home);
	if (n > 0 && (size_t)n < sizeof(path))
		read_file(path, 0);
}

void
param_setup(const char *path, int nset, const char **names, const char **values)
{
	char where[128];
	struct param *p;
	int i;

	if (path != NULL)
		read_file(path, 1);
	else
		read_defaults();
	for (i = 0; i < nset; i++) {
		if ((p = find(names[i])) == NULL)
			nm_die(NM_EXIT_FAIL, "internal: no parameter %s",
			    names[i]);
		snprintf(where, sizeof(where), "--%s", names[i]);
		set(p, values[i], where);
	}
}

void
param_show(void)
{
	const struct param *p;
	size_t i;

	for (i = 0; i < nall; i++) {
		p = all[i];
		if (p->unit == PU_LIST) {
			printf("# %-22s %s (%s)\n", p->name, p->help,
			    p->set ? "set" : "none");
			continue;
		}
		if (p->unit == PU_SECS)
			printf("%-24s %g", p->name, (double)p->val / DT_NS);
		else
			printf(
			    "%-24s %llu", p->name, (unsigned long long)p->val);
		printf("\t# %s%s; default %llu%s\n", p->help,
		    p->set ? " (set)" : "", (unsigned long long)p->def,
		    p->unit == PU_SECS ? " s" : "");
	}
	nm_exit_stdout();
}
