/*
 * Room in a full detector table: tab_evict() (share/tab.c) drops the
 * entry seen longest ago of a few sampled, and the engine counts it as
 * an eviction for the end record's detect.evicted.
 */
#include "detect.h"

void
dt_evict(struct tab *t, size_t ts_off)
{
	tab_evict(t, ts_off);
	alert_evicted(1);
}
