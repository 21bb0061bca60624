/*
 * Room in a full table: of a few entries picked at random, the one seen
 * longest ago goes (an approximation of least-recently-seen that costs
 * no list to keep in order), counted as an eviction.  The picks come
 * from a fixed xorshift sequence: a run is reproducible, and what an
 * attacker sends decides nothing but which entries are old.
 */
#include <string.h>

#include "detect.h"

#define EVICT_LOOK 8

static uint64_t pick = 0x2545f4914f6cdd1dULL;

void
dt_evict(struct tab *t, size_t ts_off)
{
	size_t i, n, victim = 0;
	uint64_t oldest = UINT64_MAX, ts;

	for (n = 0; n < EVICT_LOOK; n++) {
		pick ^= pick << 13;
		pick ^= pick >> 7;
		pick ^= pick << 17;
		i = (size_t)(pick % t->count);
		memcpy(&ts, (unsigned char *)tab_at(t, i) + ts_off, 8);
		if (ts < oldest)
			oldest = ts, victim = i;
	}
	tab_remove(t, victim);
	alert_evicted(1);
}
