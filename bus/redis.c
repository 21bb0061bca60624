/*
 * Redis Streams through hiredis: the sink nm-push writes with and the
 * source nm-pull reads with.
 *
 * The sink never waits: its context is non-blocking, commands are
 * appended to hiredis's output buffer and written as the socket takes
 * them, replies read as they come, each driven from nm-push's tick.  A
 * message is XADD KEY MAXLEN ~ N * m BYTES (MAXLEN always: a stream is
 * otherwise never trimmed); the replies come in the order the commands
 * went, so the messages in flight are a FIFO.  A lost connection puts
 * them back in nm-push's queue and is tried again with a backoff.
 *
 * The source blocks, but never for long: XREADGROUP ... BLOCK waits at
 * most SRC_BLOCK_MS, so nm-pull looks at its signals that often.  It
 * first reads its consumer's pending entries (id 0: read before, never
 * acknowledged), then new ones (>); acknowledgements are sent in one
 * XACK before the next read, once nm-pull has written the records out.
 *
 * Host names are resolved once, when the sink or source opens, before
 * the seccomp filter: reconnecting needs a socket, never a file.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <hiredis/hiredis.h>

#include "bus.h"
#include "nm.h"
#include "stage.h"

#define SINK_FLY     64		   /* messages in flight at most */
#define SINK_OBUF    (1024 * 1024) /* bytes hiredis holds unwritten */
#define BACKOFF_MIN  100000000u	   /* 0.1 s */
#define BACKOFF_MAX  5000000000u   /* 5 s */
#define SRC_BLOCK_MS "500"
#define SRC_COUNT    "16"
#define SRC_ACKS     256

/* A name to a numeric address, now: no resolver after the filter. */
static int
resolve(struct bus_url *u, char *why, size_t n)
{
	struct addrinfo hints, *res;
	char port[8];
	int rc;

	if (u->kind != BUS_REDIS_TCP)
		return 0;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(port, sizeof(port), "%u", u->port);
	if ((rc = getaddrinfo(u->host, port, &hints, &res)) != 0) {
		snprintf(why, n, "%s: %s", u->host, gai_strerror(rc));
		return -1;
	}
	if (res->ai_family == AF_INET)
		inet_ntop(AF_INET,
		    &((struct sockaddr_in *)(void *)res->ai_addr)->sin_addr,
		    u->host, sizeof(u->host));
	else if (res->ai_family == AF_INET6)
		inet_ntop(AF_INET6,
		    &((struct sockaddr_in6 *)(void *)res->ai_addr)->sin6_addr,
		    u->host, sizeof(u->host));
	freeaddrinfo(res);
	return 0;
}

/* --- the sink --- */

struct bus_sink {
	struct bus_url url;
	char maxlen[24];
	struct bus_sink_cb cb;
	redisContext *c;
	struct bus_msg *fly[SINK_FLY]; /* in flight, oldest first */
	unsigned head, nfly;
	uint64_t retry_at, backoff;
	int down; /* lost, not yet back */
};

static void
sink_connect(struct bus_sink *s)
{
	s->c = s->url.kind == BUS_REDIS_UNIX
	    ? redisConnectUnixNonBlock(s->url.path)
	    : redisConnectNonBlock(s->url.host, (int)s->url.port);
}

/* The connection failed: what was in flight goes back to the queue. */
static void
sink_drop(struct bus_sink *s, uint64_t now, const char *why)
{
	char msg[128];
	unsigned i;

	/* why may be the context's own errstr, freed below */
	snprintf(msg, sizeof(msg), "%s", why);
	for (i = 0; i < s->nfly; i++)
		s->fly[(s->head + i) % SINK_FLY]->inflight = 0;
	s->nfly = s->head = 0;
	if (s->c != NULL)
		redisFree(s->c);
	s->c = NULL;
	s->backoff = s->backoff == 0	   ? BACKOFF_MIN
	    : s->backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX
					   : s->backoff * 2;
	s->retry_at = now + s->backoff;
	s->down = 1;
	s->cb.lost(s->cb.arg, msg);
}

static struct bus_sink *
sink_open(const struct bus_url *u, uint64_t maxlen,
    const struct bus_sink_cb *cb, char *why, size_t whylen)
{
	struct bus_sink *s = ecalloc(1, sizeof(*s));

	s->url = *u;
	s->cb = *cb;
	snprintf(
	    s->maxlen, sizeof(s->maxlen), "%llu", (unsigned long long)maxlen);
	if (resolve(&s->url, why, whylen) == -1) {
		free(s);
		return NULL;
	}
	sink_connect(s);
	if (s->c == NULL || s->c->err)
		sink_drop(s, stage_now(),
		    s->c != NULL ? s->c->errstr : strerror(ENOMEM));
	return s;
}

static int
sink_send(struct bus_sink *s, struct bus_msg *m, const void *p, size_t n)
{
	const char *argv[8] = { "XADD", s->url.stream, "MAXLEN", "~", s->maxlen,
		"*", "m", p };
	size_t lens[8];
	int i;

	if (s->c == NULL || s->nfly == SINK_FLY ||
	    sdslen(s->c->obuf) > SINK_OBUF)
		return -1;
	for (i = 0; i < 7; i++)
		lens[i] = strlen(argv[i]);
	lens[7] = n;
	if (redisAppendCommandArgv(s->c, 8, argv, lens) != REDIS_OK)
		return -1;
	m->inflight = 1;
	s->fly[(s->head + s->nfly++) % SINK_FLY] = m;
	return 0;
}

static void
sink_reply(struct bus_sink *s, redisReply *r)
{
	struct bus_msg *m;

	if (s->nfly == 0)
		return; /* a reply to nothing we sent: ignore it */
	m = s->fly[s->head];
	s->head = (s->head + 1) % SINK_FLY;
	s->nfly--;
	m->inflight = 0;
	if (s->down) {
		s->down = 0;
		s->backoff = 0;
		s->cb.back(s->cb.arg);
	}
	if (r->type == REDIS_REPLY_ERROR)
		s->cb.done(s->cb.arg, m, 0, r->str);
	else
		s->cb.done(s->cb.arg, m, 1, NULL);
}

static uint64_t
sink_poll(struct bus_sink *s, uint64_t now)
{
	void *reply;
	int done = 0;

	if (s->c == NULL) {
		if (now < s->retry_at)
			return s->retry_at;
		sink_connect(s);
		if (s->c == NULL || s->c->err) {
			sink_drop(s, now,
			    s->c != NULL ? s->c->errstr : strerror(ENOMEM));
			return s->retry_at;
		}
	}
	if (sdslen(s->c->obuf) > 0 && redisBufferWrite(s->c, &done) != REDIS_OK)
		goto lost;
	if (redisBufferRead(s->c) != REDIS_OK)
		goto lost;
	for (;;) {
		reply = NULL;
		if (redisGetReplyFromReader(s->c, &reply) != REDIS_OK)
			goto lost;
		if (reply == NULL)
			break;
		sink_reply(s, reply);
		freeReplyObject(reply);
	}
	/* soon again while anything is unwritten or unanswered */
	return s->nfly > 0 || sdslen(s->c->obuf) > 0 ? now + 5000000u : 0;
lost:
	sink_drop(s, now, s->c->errstr[0] ? s->c->errstr : "connection lost");
	return s->retry_at;
}

static int
sink_fd(struct bus_sink *s, short *events)
{
	if (s->c == NULL)
		return -1;
	*events = POLLIN;
	if (sdslen(s->c->obuf) > 0)
		*events |= POLLOUT;
	return s->c->fd;
}

static void
sink_close(struct bus_sink *s)
{
	if (s->c != NULL)
		redisFree(s->c);
	free(s);
}

const struct bus_sink_ops bus_redis_sink = {
	.open = sink_open,
	.send = sink_send,
	.poll = sink_poll,
	.fd = sink_fd,
	.close = sink_close,
};

/* --- the source --- */

struct bus_source {
	struct bus_url url;
	char group[BUS_NAME_MAX + 1], consumer[BUS_NAME_MAX + 1];
	redisContext *c;
	redisReply *reply;    /* the last read's, being handed out */
	redisReply *entries;  /* its entries (an array) */
	size_t at;	      /* the next one */
	char last[64];	      /* id of the last handed out */
	char from[64];	      /* where the pending pass goes on: "0" first */
	int pending;	      /* still reading our pending entries */
	char *acks[SRC_ACKS]; /* ids to acknowledge */
	unsigned nacks;
	uint64_t backoff;
};

static redisReply *
cmd(struct bus_source *s, int argc, const char **argv)
{
	size_t lens[8 + SRC_ACKS];
	int i;

	for (i = 0; i < argc; i++)
		lens[i] = strlen(argv[i]);
	return redisCommandArgv(s->c, argc, argv, lens);
}

static void
src_free_reply(struct bus_source *s)
{
	if (s->reply != NULL)
		freeReplyObject(s->reply);
	s->reply = s->entries = NULL;
	s->at = 0;
}

static int
src_connect(struct bus_source *s, char *why, size_t n)
{
	struct timeval tv = { 2, 0 }, rtv = { 5, 0 };
	const char *argv[] = { "XGROUP", "CREATE", s->url.stream, s->group, "0",
		"MKSTREAM" };
	redisReply *r;

	s->c = s->url.kind == BUS_REDIS_UNIX
	    ? redisConnectUnixWithTimeout(s->url.path, tv)
	    : redisConnectWithTimeout(s->url.host, (int)s->url.port, tv);
	if (s->c == NULL || s->c->err ||
	    redisSetTimeout(s->c, rtv) != REDIS_OK) {
		snprintf(why, n, "%s",
		    s->c != NULL ? s->c->errstr : strerror(ENOMEM));
		goto fail;
	}
	/* the group reads the stream from its start; made once */
	if ((r = cmd(s, 6, argv)) == NULL) {
		snprintf(why, n, "XGROUP: %s", s->c->errstr);
		goto fail;
	}
	if (r->type == REDIS_REPLY_ERROR &&
	    strncmp(r->str, "BUSYGROUP", 9) != 0) {
		snprintf(why, n, "XGROUP: %s", r->str);
		freeReplyObject(r);
		goto fail;
	}
	freeReplyObject(r);
	s->pending = 1;
	snprintf(s->from, sizeof(s->from), "0");
	s->backoff = 0;
	return 0;
fail:
	if (s->c != NULL)
		redisFree(s->c);
	s->c = NULL;
	return -1;
}

static struct bus_source *
src_open(const struct bus_url *u, const char *group, const char *consumer,
    char *why, size_t n)
{
	struct bus_source *s = ecalloc(1, sizeof(*s));

	s->url = *u;
	snprintf(s->group, sizeof(s->group), "%s", group);
	snprintf(s->consumer, sizeof(s->consumer), "%s", consumer);
	if (resolve(&s->url, why, n) == -1 || src_connect(s, why, n) == -1) {
		free(s);
		return NULL;
	}
	return s;
}

static void
src_lost(struct bus_source *s)
{
	unsigned i;

	src_free_reply(s);
	if (s->c != NULL)
		redisFree(s->c);
	s->c = NULL;
	/* unacknowledged: pending, read again after the reconnect */
	for (i = 0; i < s->nacks; i++)
		free(s->acks[i]);
	s->nacks = 0;
}

static int
src_send_acks(struct bus_source *s, char *why, size_t n)
{
	const char *argv[3 + SRC_ACKS];
	redisReply *r;
	unsigned i;

	if (s->nacks == 0)
		return 0;
	argv[0] = "XACK";
	argv[1] = s->url.stream;
	argv[2] = s->group;
	for (i = 0; i < s->nacks; i++)
		argv[3 + i] = s->acks[i];
	r = cmd(s, 3 + (int)s->nacks, argv);
	for (i = 0; i < s->nacks; i++)
		free(s->acks[i]);
	s->nacks = 0;
	if (r == NULL) {
		snprintf(why, n, "XACK: %s", s->c->errstr);
		return -1;
	}
	freeReplyObject(r);
	return 0;
}

/* One XREADGROUP; entries in s->entries (none: 0). */
static int
src_read(struct bus_source *s, char *why, size_t n)
{
	const char *argv[] = { "XREADGROUP", "GROUP", s->group, s->consumer,
		"COUNT", SRC_COUNT, "BLOCK", SRC_BLOCK_MS, "STREAMS",
		s->url.stream, s->pending ? s->from : ">" };
	redisReply *r;

	if ((r = cmd(s, 11, argv)) == NULL) {
		snprintf(why, n, "XREADGROUP: %s", s->c->errstr);
		return -1;
	}
	s->reply = r;
	if (r->type == REDIS_REPLY_ERROR) {
		snprintf(why, n, "XREADGROUP: %s", r->str);
		return -1;
	}
	/* [[key, [[id, [field, value, ...]], ...]]], or nil: none came */
	if (r->type == REDIS_REPLY_ARRAY && r->elements == 1 &&
	    r->element[0]->type == REDIS_REPLY_ARRAY &&
	    r->element[0]->elements == 2 &&
	    r->element[0]->element[1]->type == REDIS_REPLY_ARRAY)
		s->entries = r->element[0]->element[1];
	if (s->pending && (s->entries == NULL || s->entries->elements == 0))
		s->pending = 0; /* our pending entries are done: new ones */
	return 0;
}

/* The field "m" of an entry: NULL when it has none (trimmed away). */
static const redisReply *
entry_msg(const redisReply *e, const char **id)
{
	const redisReply *f;
	size_t i;

	if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 ||
	    e->element[0]->type != REDIS_REPLY_STRING)
		return NULL;
	*id = e->element[0]->str;
	f = e->element[1];
	if (f->type != REDIS_REPLY_ARRAY)
		return NULL;
	for (i = 0; i + 1 < f->elements; i += 2)
		if (f->element[i]->type == REDIS_REPLY_STRING &&
		    f->element[i]->len == 1 && f->element[i]->str[0] == 'm' &&
		    f->element[i + 1]->type == REDIS_REPLY_STRING)
			return f->element[i + 1];
	return NULL;
}

static void
src_ack(struct bus_source *s)
{
	if (s->last[0] != '\0' && s->nacks < SRC_ACKS)
		s->acks[s->nacks++] = estrdup(s->last);
	s->last[0] = '\0';
}

static int
src_next(
    struct bus_source *s, const void **p, size_t *n, char *why, size_t whylen)
{
	const redisReply *m;
	const char *id;
	int was_pending;

	for (;;) {
		while (s->entries != NULL && s->at < s->entries->elements) {
			id = NULL;
			m = entry_msg(s->entries->element[s->at++], &id);
			if (id == NULL)
				continue;
			if (s->pending)
				snprintf(s->from, sizeof(s->from), "%s", id);
			snprintf(s->last, sizeof(s->last), "%s", id);
			if (m == NULL) {
				src_ack(s); /* trimmed away: nothing to read */
				continue;
			}
			*p = m->str;
			*n = m->len;
			return 1;
		}
		src_free_reply(s);
		if (s->c == NULL && src_connect(s, why, whylen) == -1)
			return -1;
		was_pending = s->pending;
		if (src_send_acks(s, why, whylen) == -1 ||
		    src_read(s, why, whylen) == -1) {
			src_lost(s);
			return -1;
		}
		if (s->entries == NULL || s->entries->elements == 0) {
			src_free_reply(s);
			if (!was_pending)
				return 0; /* nothing new within the block */
		}
	}
}

static void
src_close(struct bus_source *s)
{
	char why[128];

	if (s->c != NULL)
		(void)src_send_acks(s, why, sizeof(why));
	src_lost(s);
	free(s);
}

const struct bus_source_ops bus_redis_source = {
	.open = src_open,
	.next = src_next,
	.ack = src_ack,
	.close = src_close,
};
