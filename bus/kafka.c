/*
 * Kafka through librdkafka: the sink nm-push writes with and the source
 * nm-pull reads with.
 *
 * The sink never waits: rd_kafka_produce() copies a message into
 * librdkafka's own queue, bounded (queue.buffering.max.kbytes, at most
 * what nm-push's --buffer allows, and a few messages' worth), or says
 * the queue is full, and then the message stays in nm-push's queue,
 * which drops the oldest past --buffer.  Delivery reports come back
 * through rd_kafka_poll(.., 0) from nm-push's tick.  Messages are keyed
 * by the sensor's name, so one sensor's stay in order on one partition.
 * librdkafka makes its connections again itself; "all brokers down" is
 * the loss nm-push says once, the next delivery the return.
 *
 * The source is a consumer in group --group: offsets are stored only
 * for messages nm-pull has written out (enable.auto.offset.store false)
 * and committed by librdkafka's auto-commit and at close; a new group
 * starts at the earliest message kept.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <librdkafka/rdkafka.h>

#include "bus.h"
#include "nm.h"

#define POLL_MS	   500	/* the consumer's bounded wait */
#define OWN_Q_MSGS "64" /* messages librdkafka queues at most */

static int
set(rd_kafka_conf_t *conf, const char *k, const char *v, char *why, size_t n)
{
	char err[256];

	if (rd_kafka_conf_set(conf, k, v, err, sizeof(err)) == RD_KAFKA_CONF_OK)
		return 0;
	snprintf(why, n, "%s: %s", k, err);
	return -1;
}

/* --- the sink --- */

struct bus_sink {
	rd_kafka_t *rk;
	rd_kafka_topic_t *rkt;
	struct bus_sink_cb cb;
	int down;
};

static void
on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	struct bus_sink *s = opaque;

	(void)rk;
	if (m->_private == NULL || s->cb.done == NULL)
		return;
	if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR && s->down) {
		s->down = 0;
		s->cb.back(s->cb.arg);
	}
	s->cb.done(s->cb.arg, m->_private, m->err == RD_KAFKA_RESP_ERR_NO_ERROR,
	    rd_kafka_err2str(m->err));
}

static void
on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
	struct bus_sink *s = opaque;

	(void)rk;
	if (err != RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN || s == NULL ||
	    s->cb.lost == NULL)
		return;
	s->down = 1;
	s->cb.lost(s->cb.arg, reason);
}

static void
no_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	(void)rk, (void)level, (void)fac,
	    (void)buf; /* errors come by on_error */
}

static struct bus_sink *
sink_open(const struct bus_url *u, uint64_t maxlen,
    const struct bus_sink_cb *cb, char *why, size_t n)
{
	struct bus_sink *s = ecalloc(1, sizeof(*s));
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char kb[32], err[256];
	uint64_t k = cb->buffer / 1024;

	(void)maxlen; /* a topic's retention is the cluster's to set */
	s->cb = *cb;
	snprintf(kb, sizeof(kb), "%llu",
	    (unsigned long long)(k < 1 ? 1
		    : k > 1048576      ? 1048576
				       : k));
	rd_kafka_conf_set_opaque(conf, s);
	rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
	rd_kafka_conf_set_error_cb(conf, on_error);
	rd_kafka_conf_set_log_cb(conf, no_log);
	if (set(conf, "bootstrap.servers", u->brokers, why, n) == -1 ||
	    set(conf, "queue.buffering.max.kbytes", kb, why, n) == -1 ||
	    set(conf, "queue.buffering.max.messages", OWN_Q_MSGS, why, n) ==
		-1 ||
	    set(conf, "linger.ms", "5", why, n) == -1 ||
	    set(conf, "message.max.bytes", "8388608", why, n) == -1) {
		rd_kafka_conf_destroy(conf);
		free(s);
		return NULL;
	}
	if ((s->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err))) ==
	    NULL) {
		snprintf(why, n, "%s", err);
		free(s);
		return NULL;
	}
	s->rkt = rd_kafka_topic_new(s->rk, u->stream, NULL);
	return s;
}

static int
sink_send(struct bus_sink *s, struct bus_msg *m, const void *p, size_t n)
{
	if (rd_kafka_produce(s->rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY,
		(void *)(uintptr_t)p, n, s->cb.key, strlen(s->cb.key), m) == -1)
		return -1; /* its queue is full: ours keeps it */
	m->inflight = 1;
	return 0;
}

static uint64_t
sink_poll(struct bus_sink *s, uint64_t now)
{
	(void)rd_kafka_poll(s->rk, 0);
	return rd_kafka_outq_len(s->rk) > 0 ? now + 10000000u : 0;
}

static int
sink_fd(struct bus_sink *s, short *events)
{
	(void)s, (void)events;
	return -1; /* librdkafka's threads do the I/O */
}

static void
sink_close(struct bus_sink *s)
{
	/* what is still queued was counted as dropped: not sent now */
	(void)rd_kafka_purge(
	    s->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
	s->cb.done = NULL;
	rd_kafka_topic_destroy(s->rkt);
	rd_kafka_destroy(s->rk);
	free(s);
}

const struct bus_sink_ops bus_kafka_sink = {
	.open = sink_open,
	.send = sink_send,
	.poll = sink_poll,
	.fd = sink_fd,
	.close = sink_close,
};

/* --- the source --- */

struct bus_source {
	rd_kafka_t *rk;
	rd_kafka_message_t *msg; /* the last one handed out */
	int acked;
};

static struct bus_source *
src_open(const struct bus_url *u, const char *group, const char *consumer,
    char *why, size_t n)
{
	struct bus_source *s = ecalloc(1, sizeof(*s));
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	rd_kafka_topic_partition_list_t *topics;
	rd_kafka_resp_err_t e;
	char err[256];

	rd_kafka_conf_set_log_cb(conf, no_log);
	if (set(conf, "bootstrap.servers", u->brokers, why, n) == -1 ||
	    set(conf, "group.id", group, why, n) == -1 ||
	    set(conf, "client.id", consumer, why, n) == -1 ||
	    set(conf, "enable.auto.commit", "true", why, n) == -1 ||
	    set(conf, "enable.auto.offset.store", "false", why, n) == -1 ||
	    set(conf, "auto.commit.interval.ms", "1000", why, n) == -1 ||
	    set(conf, "auto.offset.reset", "earliest", why, n) == -1 ||
	    set(conf, "fetch.message.max.bytes", "8388608", why, n) == -1 ||
	    set(conf, "fetch.wait.max.ms", "100", why, n) == -1 ||
	    set(conf, "fetch.error.backoff.ms", "100", why, n) == -1) {
		rd_kafka_conf_destroy(conf);
		free(s);
		return NULL;
	}
	if ((s->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err))) ==
	    NULL) {
		snprintf(why, n, "%s", err);
		free(s);
		return NULL;
	}
	rd_kafka_poll_set_consumer(s->rk);
	topics = rd_kafka_topic_partition_list_new(1);
	rd_kafka_topic_partition_list_add(
	    topics, u->stream, RD_KAFKA_PARTITION_UA);
	e = rd_kafka_subscribe(s->rk, topics);
	rd_kafka_topic_partition_list_destroy(topics);
	if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
		snprintf(why, n, "subscribe: %s", rd_kafka_err2str(e));
		rd_kafka_destroy(s->rk);
		free(s);
		return NULL;
	}
	return s;
}

static int
src_next(
    struct bus_source *s, const void **p, size_t *n, char *why, size_t whylen)
{
	rd_kafka_message_t *m;

	if (s->msg != NULL)
		rd_kafka_message_destroy(s->msg);
	s->msg = NULL;
	if ((m = rd_kafka_consumer_poll(s->rk, POLL_MS)) == NULL)
		return 0;
	if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
		/*
		 * librdkafka retries what is not fatal itself (a broker
		 * away, a topic not made yet, the end of a partition):
		 * for us that is nothing to read now.
		 */
		if (m->err != RD_KAFKA_RESP_ERR__FATAL) {
			rd_kafka_message_destroy(m);
			return 0;
		}
		snprintf(why, whylen, "%s", rd_kafka_err2str(m->err));
		rd_kafka_message_destroy(m);
		return -1;
	}
	s->msg = m;
	*p = m->payload;
	*n = m->len;
	return 1;
}

/* Written out: its offset may be committed (librdkafka does it). */
static void
src_ack(struct bus_source *s)
{
	if (s->msg != NULL)
		(void)rd_kafka_offset_store(
		    s->msg->rkt, s->msg->partition, s->msg->offset);
}

static void
src_close(struct bus_source *s)
{
	if (s->msg != NULL)
		rd_kafka_message_destroy(s->msg);
	(void)rd_kafka_consumer_close(s->rk); /* commits what was stored */
	rd_kafka_destroy(s->rk);
	free(s);
}

const struct bus_source_ops bus_kafka_source = {
	.open = src_open,
	.next = src_next,
	.ack = src_ack,
	.close = src_close,
};
