/*
 * --since and --until: a time as a user writes one.  ISO 8601 with its
 * zone (2026-12-01T13:00:00Z, 2026-12-01 14:00:00.5+01:00), seconds since
 * the epoch with a fraction (1700000000.25), or a span after the
 * capture's start (+90s, +10m, +1h30m, +2d; a bare +300 is seconds).  A
 * time with no zone is refused rather than guessed: a capture's day and
 * the reader's zone are often not the same.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nm.h"
#include "cap.h"

#define NS 1000000000ULL

/* Digits at *p, at least min and at most max of them, as a number. */
static int
digits(const char **p, int min, int max, long long *v)
{
	int n = 0;

	*v = 0;
	while (n < max && **p >= '0' && **p <= '9') {
		*v = *v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n >= min;
}

/* A fraction of a second after '.', as ns (more than 9 digits: cut). */
static uint64_t
fraction(const char **p)
{
	uint64_t f = 0, scale = NS / 10;

	if (**p != '.')
		return 0;
	for ((*p)++; **p >= '0' && **p <= '9'; (*p)++) {
		f += (uint64_t)(**p - '0') * scale;
		scale /= 10;
	}
	return f;
}

/* "+1h30m": a span in ns; -1 when it is not one. */
static long long
span(const char *p)
{
	long long total = 0, v, unit;
	uint64_t f;

	if (*p == '\0')
		return -1;
	while (*p != '\0') {
		if (!digits(&p, 1, 12, &v))
			return -1;
		f = fraction(&p);
		switch (*p) {
		case 's':
			unit = 1;
			p++;
			break;
		case 'm':
			unit = 60;
			p++;
			break;
		case 'h':
			unit = 3600;
			p++;
			break;
		case 'd':
			unit = 86400;
			p++;
			break;
		case '\0': unit = 1; break;
		default: return -1;
		}
		total +=
		    v * unit * (long long)NS + (long long)(f * (uint64_t)unit);
	}
	return total;
}

/* ISO 8601 with a zone; 0 when it is not one (why says what is off). */
static int
iso(const char *p, uint64_t *out, const char **why)
{
	struct tm tm;
	long long y, mo, d, h, mi, s = 0, zh = 0, zm = 0;
	uint64_t frac = 0;
	int sign = 0;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	*why = NULL;
	if (!digits(&p, 4, 4, &y) || *p++ != '-' || !digits(&p, 2, 2, &mo) ||
	    *p++ != '-' || !digits(&p, 2, 2, &d) || (*p != 'T' && *p != ' '))
		return 0;
	p++;
	if (!digits(&p, 2, 2, &h) || *p++ != ':' || !digits(&p, 2, 2, &mi))
		return 0;
	if (*p == ':') {
		p++;
		if (!digits(&p, 2, 2, &s))
			return 0;
		frac = fraction(&p);
	}
	if (*p == 'Z' && p[1] == '\0') {
		sign = 0;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (!digits(&p, 2, 2, &zh))
			return 0;
		if (*p == ':')
			p++;
		if (*p != '\0' && !digits(&p, 2, 2, &zm))
			return 0;
		if (*p != '\0')
			return 0;
	} else if (*p == '\0') {
		*why = "give its zone (Z, +01:00, -0500)";
		return 0;
	} else {
		return 0;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    s > 60 || zh > 23 || zm > 59) {
		*why = "a field out of range";
		return 0;
	}
	tm.tm_year = (int)(y - 1900);
	tm.tm_mon = (int)(mo - 1);
	tm.tm_mday = (int)d;
	tm.tm_hour = (int)h;
	tm.tm_min = (int)mi;
	tm.tm_sec = (int)s;
	if ((t = timegm(&tm)) == (time_t)-1 || t < 0)
		return 0;
	t -= sign * (time_t)(zh * 3600 + zm * 60);
	if (t < 0)
		return 0;
	*out = (uint64_t)t * NS + frac;
	return 1;
}

uint64_t
cap_when(const char *opt, const char *arg, int *rel)
{
	const char *p = arg, *why = NULL;
	long long v, sp;
	uint64_t out, f;

	if (*arg == '+') {
		if ((sp = span(arg + 1)) < 0)
			nm_bad_usage("%s %s: want +N[s|m|h|d]... after the "
				     "capture's start (+90s, +1h30m)",
			    opt, arg);
		*rel = 1;
		return (uint64_t)sp;
	}
	*rel = 0;
	if (iso(arg, &out, &why))
		return out;
	if (why != NULL)
		nm_bad_usage("%s %s: %s", opt, arg, why);
	if (digits(&p, 1, 12, &v)) {
		f = fraction(&p);
		if (*p == '\0')
			return (uint64_t)v * NS + f;
	}
	nm_bad_usage("%s %s: want ISO 8601 with a zone "
		     "(2026-12-01T13:00:00Z), epoch seconds "
		     "(1700000000.5) or +N[s|m|h|d] after the start",
	    opt, arg);
}
