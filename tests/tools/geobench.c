/*
 * geobench: what a geolocation lookup costs (share/geo.c), for nm-stats(1)'s
 * figures.  geobench DB N: looks up N distinct random public IPv4
 * addresses (each a miss: the database's own lookup), then the same N
 * again (each a hit, from the cache, while N fits it), and prints the
 * nanoseconds per lookup of each pass, how many the database placed, and
 * the cache's hits and misses.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "geo.h"
#include "nm.h"

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int
main(int argc, char **argv)
{
	uint64_t t0, t1, t2, x = 88172645463325252ULL;
	unsigned long n, i, found = 0;
	uint8_t(*a)[4];
	struct geo *g;

	nm_init(argv[0]);
	if (argc != 3 || (n = strtoul(argv[2], NULL, 10)) == 0)
		nm_die(NM_EXIT_USAGE, "usage: geobench DB N");
	g = geo_open(argv[1], 1);
	if (g == NULL)
		nm_die(NM_EXIT_FAIL, "%s: no database", argv[1]);
	a = ecalloc(n, sizeof(*a));
	for (i = 0; i < n;) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64 */
		a[i][0] = (uint8_t)(x >> 24), a[i][1] = (uint8_t)(x >> 16);
		a[i][2] = (uint8_t)(x >> 8), a[i][3] = (uint8_t)x;
		if (geo_public(a[i], 4))
			i++;
	}
	t0 = now_ns();
	for (i = 0; i < n; i++)
		found += geo_find(g, a[i], 4) != NULL;
	t1 = now_ns();
	for (i = 0; i < n; i++)
		(void)geo_find(g, a[i], 4);
	t2 = now_ns();
	printf("%lu addresses, %lu placed: first pass %.0f ns each, "
	       "second %.0f ns each; cache %llu hits, %llu misses\n",
	    n, found, (double)(t1 - t0) / (double)n,
	    (double)(t2 - t1) / (double)n, (unsigned long long)geo_hits(g),
	    (unsigned long long)geo_misses(g));
	geo_close(g);
	free(a);
	return 0;
}
