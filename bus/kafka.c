/*
 * Kafka through librdkafka: the sink nm-push writes with and the source
 * nm-pull reads with (not yet: both refuse to open).
 */
#include <stdio.h>

#include "bus.h"

static struct bus_sink *
sink_open(const struct bus_url *u, uint64_t maxlen,
    const struct bus_sink_cb *cb, char *why, size_t n)
{
	(void)u, (void)maxlen, (void)cb;
	snprintf(why, n, "kafka: not supported yet");
	return NULL;
}

static struct bus_source *
src_open(const struct bus_url *u, const char *group, const char *consumer,
    char *why, size_t n)
{
	(void)u, (void)group, (void)consumer;
	snprintf(why, n, "kafka: not supported yet");
	return NULL;
}

const struct bus_sink_ops bus_kafka_sink = { .open = sink_open };
const struct bus_source_ops bus_kafka_source = { .open = src_open };
