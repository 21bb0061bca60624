/*
 * latency: how long packets took from their capture to a reader of the
 * pipeline's output.  Each line on standard input starts with the capture
 * timestamp in seconds since the epoch ("1700000000.123456789", as
 * `nm-render -o fields -e frame.time_epoch` or `tcpdump -tt` print it);
 * the moment the line arrives is taken from CLOCK_REALTIME, the clock the
 * kernel stamps packets with, and the difference is the delay.  Lines that
 * arrive in one read share the moment of that read.  At the end of input
 * it prints one line:
 *
 *	lines=N median_ms=M p99_ms=P max_ms=X min_ms=Y
 *
 * (all 0 when no line came), and with -o FILE every delay in seconds, one
 * a line.  Lines that do not start with a number are skipped.
 *
 *	latency [-o FILE]
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nm.h"

struct lat {
	int64_t		*d;		/* delays, ns */
	size_t		 n, cap;
};

static int64_t
lat_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The timestamp a line starts with, in ns; -1 when it has none. */
static int64_t
lat_parse(const char *s, const char *end)
{
	int64_t sec = 0, frac = 0, scale = 100000000;
	int digits = 0;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	for (; s < end && *s >= '0' && *s <= '9'; s++, digits++)
		sec = sec * 10 + (*s - '0');
	if (digits == 0 || digits > 12)
		return -1;
	if (s < end && *s == '.')
		for (s++; s < end && *s >= '0' && *s <= '9'; s++) {
			frac += (*s - '0') * scale;
			scale /= 10;
		}
	return sec * 1000000000 + frac;
}

static void
lat_add(struct lat *l, int64_t d)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 4096;
		l->d = realloc(l->d, l->cap * sizeof(*l->d));
		if (l->d == NULL)
			nm_die(NM_EXIT_FAIL, "out of memory");
	}
	l->d[l->n++] = d;
}

static int
lat_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Reads lines to the end of input, stamping each read's lines. */
static void
lat_read(struct lat *l)
{
	static char buf[1 << 16];
	size_t have = 0;
	char *p, *nl;
	ssize_t got;
	int64_t now, ts;

	for (;;) {
		got = read(STDIN_FILENO, buf + have, sizeof(buf) - have);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			nm_die(NM_EXIT_FAIL, "stdin: %s", strerror(errno));
		if (got == 0)
			break;
		now = lat_now();
		have += (size_t)got;
		p = buf;
		while ((nl = memchr(p, '\n', have - (size_t)(p - buf))) != NULL) {
			if ((ts = lat_parse(p, nl)) >= 0)
				lat_add(l, now - ts);
			p = nl + 1;
		}
		have -= (size_t)(p - buf);
		memmove(buf, p, have);
		if (have == sizeof(buf))
			have = 0;	/* a line longer than the buffer */
	}
}

static double
ms(int64_t ns)
{
	return (double)ns / 1e6;
}

int
main(int argc, char **argv)
{
	struct lat l = { NULL, 0, 0 };
	const char *path = NULL;
	FILE *f;
	size_t i;
	int c;

	nm_init(argv[0]);
	while ((c = getopt(argc, argv, "o:")) != -1) {
		if (c != 'o') {
			fprintf(stderr, "usage: latency [-o file]\n");
			return NM_EXIT_USAGE;
		}
		path = optarg;
	}
	lat_read(&l);
	if (path != NULL) {
		if ((f = fopen(path, "w")) == NULL)
			nm_die(NM_EXIT_FAIL, "%s: %s", path, strerror(errno));
		for (i = 0; i < l.n; i++)
			fprintf(f, "%.9f\n", (double)l.d[i] / 1e9);
		if (fclose(f) == EOF)
			nm_die(NM_EXIT_FAIL, "%s: %s", path, strerror(errno));
	}
	qsort(l.d, l.n, sizeof(*l.d), lat_cmp);
	if (l.n == 0)
		printf("lines=0 median_ms=0 p99_ms=0 max_ms=0 min_ms=0\n");
	else
		printf("lines=%zu median_ms=%.3f p99_ms=%.3f max_ms=%.3f "
		    "min_ms=%.3f\n", l.n, ms(l.d[l.n / 2]),
		    ms(l.d[(l.n * 99 + 99) / 100 - 1]), ms(l.d[l.n - 1]),
		    ms(l.d[0]));
	free(l.d);
	return NM_EXIT_OK;
}
