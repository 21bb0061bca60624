/*
 * What nm-push and nm-pull share: the bus URL, the framing of one bus
 * message (a small header map, then the records of one batch), and the
 * engines, each behind the same few calls so the programs' loops know
 * nothing of Redis or Kafka.
 *
 * A message is msgpack: first a map {"type": "batch", "v": 1, "sensor",
 * "seq", "first_ts", "last_ts", "count", "dropped", "dropped_records"},
 * then count records as the sensor's stream had them.  seq counts each
 * sensor's messages from 0, one a message, dropped ones included, so a
 * gap in it is loss; dropped and dropped_records are cumulative (what
 * the sensor's nm-push had to drop since it started), so a reader that
 * missed messages still learns how many were dropped at the source.
 */
#ifndef BUS_H
#define BUS_H

#include <stddef.h>
#include <stdint.h>

#include "rec.h"

#define BUS_NAME_MAX	64		  /* bytes of a sensor's name */
#define BUS_STREAM_MAX	200		  /* bytes of a stream or topic name */
#define BUS_BATCH_BYTES (64 * 1024)	  /* a batch closes at this size */
#define BUS_BATCH_NS	200000000u	  /* ... or at this age */
#define BUS_MSG_MAX	(4 * 1024 * 1024) /* bytes of one message read */
#define BUS_FRAME_V	1		  /* the header's "v" */

enum bus_kind { BUS_REDIS_TCP, BUS_REDIS_UNIX, BUS_KAFKA };

struct bus_url {
	enum bus_kind kind;
	char host[256];	    /* redis://: a name, an IPv4 or an IPv6 address */
	unsigned port;	    /* redis://: 6379 when not given */
	char path[108];	    /* redis+unix://: the socket (sun_path's size) */
	char brokers[1024]; /* kafka://: host:port,host:port as given */
	char stream[BUS_STREAM_MAX + 1]; /* the stream's or topic's name */
};

/* --- url.c --- */
/*
 * Parses a bus URL.  0, or -1 with one phrase in why saying what was
 * wrong (the caller prints it and exits with the usage status).
 */
int bus_url_parse(const char *s, struct bus_url *u, char *why, size_t n);
/* Whether a sensor's name is one we write and accept: [A-Za-z0-9._:-]. */
int bus_name_ok(const char *s, size_t n);

/* --- frame.c --- */
struct bus_batch {
	char sensor[BUS_NAME_MAX + 1];
	uint64_t seq, first_ts, last_ts, count, dropped, dropped_records;
	const uint8_t *p; /* the records not read yet */
	size_t left;
	uint64_t read; /* records read so far */
};
/* Packs a message's header (the records go after it). */
void bus_header_pack(struct pk *pk, const char *sensor, uint64_t seq,
    uint64_t first_ts, uint64_t last_ts, uint64_t count, uint64_t dropped,
    uint64_t dropped_records);
/*
 * Reads a message's header from bytes off the bus (untrusted: through
 * the record reader's checks, r opened with rec_reader_open(-1)).  0, or
 * -1 with why.  The bytes must stay while the batch's records are read.
 */
int bus_batch_open(struct rec_reader *r, const void *p, size_t n,
    struct bus_batch *b, char *why, size_t whylen);
/*
 * The batch's next record: 1 (valid until the next call), 0 when the
 * batch is done (as many records as its header said), -1 with why.
 */
int bus_batch_next(struct rec_reader *r, struct bus_batch *b, struct rec *rec,
    char *why, size_t whylen);

/* --- the engines (redis.c, kafka.c) --- */

/*
 * A message waiting to go out, owned by nm-push's queue.  The engine
 * says when each one it took is stored (push_done) or refused.
 */
struct bus_msg {
	struct bus_msg *prev, *next;
	uint8_t *body; /* the batch's records */
	size_t len;
	uint64_t seq, count, first_ts, last_ts;
	int inflight; /* handed to the engine, no answer yet */
	int header;   /* it holds the sensor's header record */
};

struct bus_sink;
/* What the engine calls back into nm-push (push.c). */
struct bus_sink_cb {
	void *arg;
	/* m was stored (ok) or refused by the engine (!ok, why) */
	void (*done)(void *arg, struct bus_msg *m, int ok, const char *why);
	/* the connection is gone: every message in flight is back queued */
	void (*lost)(void *arg, const char *why);
	/* connected again (after lost) */
	void (*back)(void *arg);
	/* the messages' key (Kafka: one sensor's stay on one partition) */
	const char *key;
	/* bytes the engine may hold itself (Kafka's own queue) */
	uint64_t buffer;
};

struct bus_sink_ops {
	/* Opens the sink (a first connection is tried, never waited for). */
	struct bus_sink *(*open)(const struct bus_url *, uint64_t maxlen,
	    const struct bus_sink_cb *cb, char *why, size_t whylen);
	/*
	 * Hands one message (bytes: header and body) to the engine.  0 when
	 * taken (in flight until done()), -1 when not now (not connected,
	 * or enough in flight): the caller keeps it queued.
	 */
	int (*send)(
	    struct bus_sink *, struct bus_msg *m, const void *p, size_t n);
	/*
	 * Does the engine's I/O without waiting, reconnecting when due;
	 * returns the engine's next deadline (CLOCK_MONOTONIC ns), 0: none.
	 */
	uint64_t (*poll)(struct bus_sink *, uint64_t now);
	/* A descriptor to wait on (events in *events), or -1. */
	int (*fd)(struct bus_sink *, short *events);
	void (*close)(struct bus_sink *);
};

/* Reading: one message at a time, with an id to acknowledge it by. */
struct bus_source;
struct bus_source_ops {
	struct bus_source *(*open)(const struct bus_url *, const char *group,
	    const char *consumer, char *why, size_t whylen);
	/*
	 * The next message: 1 with *p, *n (valid until the next call),
	 * 0 when none came within the bounded wait, -1 with why when the
	 * connection failed (the engine reconnects at its next call).
	 */
	int (*next)(struct bus_source *, const void **p, size_t *n, char *why,
	    size_t whylen);
	/* The last message returned is written out: acknowledge it. */
	void (*ack)(struct bus_source *);
	void (*close)(struct bus_source *);
};

extern const struct bus_sink_ops bus_redis_sink;
extern const struct bus_source_ops bus_redis_source;
extern const struct bus_sink_ops bus_kafka_sink;
extern const struct bus_source_ops bus_kafka_source;

#endif
