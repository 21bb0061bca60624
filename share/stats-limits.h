/*
 * The ranges of nm-stats' options that nm-monitor passes on (-I, -n),
 * written once: nm-stats applies them, and nm-monitor checks the same
 * numbers before it starts anything, so a typo fails at once with exit 2
 * instead of half-way through starting the pipeline.
 */
#ifndef STATS_LIMITS_H
#define STATS_LIMITS_H

/* -I: the interval in seconds.  A day is the longest that is useful. */
#define NM_STATS_INTERVAL_MIN 1
#define NM_STATS_INTERVAL_MAX 86400
/* A bare number: nm-monitor spells it in the pipeline it prints. */
#define NM_STATS_INTERVAL_DEFAULT 5

/* -n: entries in each top list; 500 keeps a stats record far under 1 MiB. */
#define NM_STATS_TOP_MAX     500
#define NM_STATS_TOP_DEFAULT 10

#endif
