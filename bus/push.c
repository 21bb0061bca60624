/*
 * nm-push: a sink stage that publishes the record stream to a bus
 * (Redis Streams or Kafka) for nm-pull to read on another machine.
 *
 * Records are gathered into batches, one bus message each (bus.h): a
 * batch closes at BUS_BATCH_BYTES or when it is BUS_BATCH_NS old (the
 * driver's tick), and joins a queue of messages waiting to go out.  The
 * capture is never held up by the bus: the engine's I/O never blocks, and
 * when the bus is away the queue grows up to --buffer bytes, past which
 * the oldest whole messages are dropped and counted.  Their sequence
 * numbers are not reused, so the reader sees the gap, and the next
 * message's header carries the cumulative drop counts.  A message's
 * header is packed when it is handed to the engine, not when its batch
 * closed, so it carries every drop made before it went.  A dropped
 * message that held the stream's header record has it sent again at the
 * start of the next batch: a viewer learns the sensor's sources anyway.
 *
 * The stream is passed on unchanged when stdout is not a terminal (so
 * nm-push can sit in a pipeline, as nm-web does); on a terminal it
 * writes nothing.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus.h"
#include "nm.h"
#include "rec.h"
#include "sandbox.h"
#include "stage.h"

#define DRAIN_NS     5000000000u /* waiting for the bus at the end */
#define PUMP_SOON_NS 20000000u	 /* queued messages: look again this soon */

struct opts {
	const char *sensor;
	unsigned only; /* REC_IN bits of the types kept; 0: all */
	uint64_t maxlen, buffer;
	const char *url;
};

struct ctx {
	struct stage st;
	struct opts o;
	char sensor[BUS_NAME_MAX + 1];
	struct bus_url url;
	const struct bus_sink_ops *eng;
	struct bus_sink *sink;
	/* the open batch */
	struct pk body;
	uint64_t count, first_ts, last_ts, opened;
	int has_header;	  /* the open batch holds the header record */
	struct pk header; /* the last header record, to send again */
	int reheader;	  /* ... because the message with it was dropped */
	/* messages not yet stored, oldest first */
	struct bus_msg *head, *tail;
	size_t qbytes;
	uint64_t seq;	   /* the next message's */
	struct pk scratch; /* one message, header and body */
	uint64_t eng_deadline;
	/* figures for the end record */
	uint64_t batched; /* records put in batches */
	uint64_t messages, records, bytes, dropped, dropped_records;
	uint64_t reconnects;
	int down, refused_said;
	uint64_t down_since;
};

static const char usage_text[] =
    "usage: nm-push [--sensor NAME] [--only TYPE,...] [--maxlen N]\n"
    "               [--buffer BYTES] URL\n";

static void __attribute__((noreturn)) usage(void)
{
	nm_usage(usage_text, NM_EXIT_USAGE);
}

static void
parse_only(struct opts *o, char *list)
{
	char *t, *save = NULL;
	enum rec_type ty;

	for (t = strtok_r(list, ",", &save); t != NULL;
	     t = strtok_r(NULL, ",", &save)) {
		ty = rec_type_of(t, strlen(t));
		if (ty == REC_UNKNOWN)
			nm_bad_usage("--only: no record type %s", t);
		o->only |= REC_IN(ty);
	}
	/* header and end always: the reader needs both */
	o->only |= REC_IN(REC_HEADER) | REC_IN(REC_END);
}

static void
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "sensor", required_argument, NULL, 's' },
		{ "only", required_argument, NULL, 'o' },
		{ "maxlen", required_argument, NULL, 'M' },
		{ "buffer", required_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	memset(o, 0, sizeof(*o));
	o->maxlen = 100000;
	o->buffer = 16 * 1024 * 1024;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1)
		switch (ch) {
		case 's': o->sensor = optarg; break;
		case 'o': parse_only(o, optarg); break;
		case 'M':
			o->maxlen = (uint64_t)estrtonum(
			    optarg, 1, 1000000000000LL, "--maxlen");
			break;
		case 'B':
			o->buffer = (uint64_t)estrtonum(
			    optarg, 0, 1LL << 40, "--buffer");
			break;
		case 'h': nm_usage(usage_text, NM_EXIT_OK);
		case 'V': nm_version("nm-push");
		default: usage();
		}
	if (optind != argc - 1)
		usage();
	o->url = argv[optind];
}

/* --- the queue --- */

static void
unlink_msg(struct ctx *cx, struct bus_msg *m)
{
	if (m->prev != NULL)
		m->prev->next = m->next;
	else
		cx->head = m->next;
	if (m->next != NULL)
		m->next->prev = m->prev;
	else
		cx->tail = m->prev;
	cx->qbytes -= m->len;
	free(m->body);
	free(m);
}

static void
drop_msg(struct ctx *cx, struct bus_msg *m)
{
	cx->reheader |= m->header;
	cx->dropped++;
	cx->dropped_records += m->count;
	unlink_msg(cx, m);
}

/* Over --buffer: the oldest whole messages the engine does not hold go. */
static void
bound_queue(struct ctx *cx)
{
	struct bus_msg *m, *next;

	for (m = cx->head; m != NULL && cx->qbytes > cx->o.buffer; m = next) {
		next = m->next;
		if (!m->inflight)
			drop_msg(cx, m);
	}
}

/* Hands queued messages to the engine, oldest first, while it takes them. */
static void
send_queued(struct ctx *cx)
{
	struct bus_msg *m;

	for (m = cx->head; m != NULL; m = m->next) {
		if (m->inflight)
			continue;
		cx->scratch.len = 0;
		bus_header_pack(&cx->scratch, cx->sensor, m->seq, m->first_ts,
		    m->last_ts, m->count, cx->dropped, cx->dropped_records);
		pk_raw(&cx->scratch, m->body, m->len);
		if (cx->eng->send(cx->sink, m, cx->scratch.p, cx->scratch.len) <
		    0)
			break;
	}
}

static void
pump(struct ctx *cx, uint64_t now)
{
	send_queued(cx);
	cx->eng_deadline = cx->eng->poll(cx->sink, now);
	send_queued(cx);
}

static void
close_batch(struct ctx *cx)
{
	struct bus_msg *m;

	if (cx->count == 0)
		return;
	m = ecalloc(1, sizeof(*m));
	m->body = emalloc(cx->body.len);
	memcpy(m->body, cx->body.p, cx->body.len);
	m->len = cx->body.len;
	m->seq = cx->seq++;
	m->count = cx->count;
	m->first_ts = cx->first_ts;
	m->last_ts = cx->last_ts;
	m->header = cx->has_header;
	cx->has_header = 0;
	m->prev = cx->tail;
	if (cx->tail != NULL)
		cx->tail->next = m;
	else
		cx->head = m;
	cx->tail = m;
	cx->qbytes += m->len;
	cx->body.len = 0;
	cx->count = cx->first_ts = cx->last_ts = 0;
	/* what the engine takes at once is never the one dropped */
	send_queued(cx);
	bound_queue(cx);
}

/* --- what the engine tells us --- */

static void
on_done(void *arg, struct bus_msg *m, int ok, const char *why)
{
	struct ctx *cx = arg;

	if (ok) {
		cx->messages++;
		cx->records += m->count;
		cx->bytes += m->len;
		unlink_msg(cx, m);
		return;
	}
	if (!cx->refused_said) {
		nm_warn("%s: a message was refused: %s", cx->o.url, why);
		cx->refused_said = 1;
	}
	drop_msg(cx, m);
}

static void
on_lost(void *arg, const char *why)
{
	struct ctx *cx = arg;

	if (cx->down)
		return;
	cx->down = 1;
	cx->down_since = stage_now();
	nm_warn("%s: %s; buffering up to %llu bytes and trying again",
	    cx->o.url, why, (unsigned long long)cx->o.buffer);
}

static void
on_back(void *arg)
{
	struct ctx *cx = arg;

	if (!cx->down)
		return;
	cx->down = 0;
	cx->reconnects++;
	nm_warn("%s: connected again after %.1f s; %llu messages dropped "
		"so far",
	    cx->o.url, (double)(stage_now() - cx->down_since) / 1e9,
	    (unsigned long long)cx->dropped);
}

/* --- the stage --- */

static int
kept(const struct ctx *cx, const struct rec *rec)
{
	return cx->o.only == 0 || (cx->o.only & REC_IN(rec->type)) != 0;
}

/* A new batch: the header again first, if the one that had it was lost. */
static void
batch_start(struct ctx *cx, int is_header)
{
	cx->opened = stage_now();
	if (cx->reheader && !is_header) {
		pk_raw(&cx->body, cx->header.p, cx->header.len);
		cx->count++;
		cx->has_header = 1;
	}
	cx->reheader = 0;
}

static void
batch_add(struct ctx *cx, const struct rec *rec)
{
	uint64_t ts;

	if (cx->count == 0)
		batch_start(cx, rec->type == REC_HEADER);
	if (rec->raw != NULL)
		pk_raw(&cx->body, rec->raw, rec->rawlen);
	else
		pk_obj(&cx->body, &rec->obj);
	cx->count++;
	cx->batched++;
	if (rec_get_u64(&rec->obj, "ts", &ts) && ts != 0) {
		if (cx->first_ts == 0)
			cx->first_ts = ts;
		cx->last_ts = ts;
	}
	if (cx->body.len >= BUS_BATCH_BYTES) {
		close_batch(cx);
		pump(cx, stage_now());
	}
}

static void
on_header(struct stage *st, const struct rec *hdr)
{
	struct ctx *cx = st->arg;

	cx->header.len = 0;
	if (hdr->raw != NULL)
		pk_raw(&cx->header, hdr->raw, hdr->rawlen);
	else
		pk_obj(&cx->header, &hdr->obj);
	batch_add(cx, hdr);
	cx->has_header = 1;
}

static void
on_record(struct stage *st, const struct rec *rec)
{
	struct ctx *cx = st->arg;

	st->packets += rec->type == REC_PACKET;
	st->frames += rec->type == REC_FRAME;
	if (kept(cx, rec))
		batch_add(cx, rec);
	if (st->w != NULL)
		stage_pass(st, rec);
}

static uint64_t
on_tick(struct stage *st, uint64_t now)
{
	struct ctx *cx = st->arg;
	uint64_t next = 0;

	if (cx->count > 0 && now - cx->opened >= BUS_BATCH_NS)
		close_batch(cx);
	pump(cx, now);
	if (cx->count > 0)
		next = cx->opened + BUS_BATCH_NS;
	if (cx->eng_deadline != 0 && (next == 0 || cx->eng_deadline < next))
		next = cx->eng_deadline;
	if (cx->head != NULL && (next == 0 || now + PUMP_SOON_NS < next))
		next = now + PUMP_SOON_NS;
	return next;
}

static void
push_keys(struct pk *pk, const struct ctx *cx)
{
	pk_cstr(pk, "push");
	pk_map_open(pk);
	pk_kstr(pk, "sensor", cx->sensor);
	pk_ku(pk, "messages", cx->messages);
	pk_ku(pk, "records", cx->records);
	pk_ku(pk, "bytes", cx->bytes);
	pk_ku(pk, "dropped", cx->dropped);
	pk_ku(pk, "dropped_records", cx->dropped_records);
	pk_ku(pk, "reconnects", cx->reconnects);
	pk_close(pk);
}

/*
 * The bus's copy of our end record ends the last batch: the sensor's
 * stream is over (nm-pull counts these for --until-end).  Its figures
 * are those before the last message went; stdout's are final.
 */
static void
bus_end(struct ctx *cx, enum stage_end why)
{
	static const char *const reasons[] = { "eof", "early", "signal" };
	struct pk *pk = &cx->body;

	if (cx->count == 0)
		batch_start(cx, 0);
	pk_map_open(pk);
	pk_kstr(pk, "type", "end");
	pk_kstr(pk, "producer", "nm-push");
	pk_ku(pk, "records", cx->batched);
	pk_ku(pk, "frames", cx->st.frames);
	pk_ku(pk, "packets", cx->st.packets);
	pk_kstr(pk, "reason", reasons[why]);
	push_keys(pk, cx);
	pk_close(pk);
	cx->count++;
	cx->batched++;
}

/* The input is over: what is queued goes out, for DRAIN_NS at most. */
static void
drain(struct ctx *cx)
{
	uint64_t until = stage_now() + DRAIN_NS, now;
	struct pollfd pfd;
	int ms;

	while (cx->head != NULL && (now = stage_now()) < until) {
		pump(cx, now);
		if (cx->head == NULL)
			break;
		pfd.fd = cx->eng->fd(cx->sink, &pfd.events);
		ms = cx->eng_deadline > now
		    ? (int)((cx->eng_deadline - now) / 1000000 + 1)
		    : 10;
		(void)poll(&pfd, pfd.fd >= 0, ms > 100 ? 100 : ms);
	}
	if (cx->head != NULL) {
		uint64_t n = 0;
		struct bus_msg *m;

		for (m = cx->head; m != NULL; m = m->next)
			n++;
		nm_warn("%s: %llu messages not confirmed delivered at the end",
		    cx->o.url, (unsigned long long)n);
		while (cx->head != NULL)
			drop_msg(cx, cx->head);
	}
}

static void
on_finish(struct stage *st, enum stage_end why)
{
	struct ctx *cx = st->arg;

	bus_end(cx, why);
	close_batch(cx);
	drain(cx);
}

static void
end_keys(struct pk *pk, void *arg)
{
	struct stage *st = arg;

	push_keys(pk, st->arg);
}

static const struct stage_ops push_ops = {
	.name = "nm-push",
	.records_out = 1,
	.header = on_header,
	.record = on_record,
	.tick = on_tick,
	.finish = on_finish,
	.end_keys = end_keys,
};

/* --- setting up --- */

static void
name_sensor(struct ctx *cx)
{
	char host[256];

	if (cx->o.sensor == NULL) {
		if (gethostname(host, sizeof(host)) == -1)
			nm_die(
			    NM_EXIT_FAIL, "gethostname: %s", strerror(errno));
		host[sizeof(host) - 1] = '\0';
		if (!bus_name_ok(host, strlen(host)))
			nm_bad_usage("host name %s is no sensor name: give "
				     "--sensor",
			    host);
		cx->o.sensor = host;
	} else if (!bus_name_ok(cx->o.sensor, strlen(cx->o.sensor)))
		nm_bad_usage(
		    "--sensor: 1 to %d letters, digits or ._:-", BUS_NAME_MAX);
	snprintf(cx->sensor, sizeof(cx->sensor), "%s", cx->o.sensor);
	cx->o.sensor = cx->sensor;
}

static void
open_bus(struct ctx *cx)
{
	struct bus_sink_cb cb = { cx, on_done, on_lost, on_back, cx->sensor,
		cx->o.buffer };
	char why[256];

	if (bus_url_parse(cx->o.url, &cx->url, why, sizeof(why)) == -1)
		nm_die(NM_EXIT_USAGE, "%s: %s", cx->o.url, why);
	cx->eng = cx->url.kind == BUS_KAFKA ? &bus_kafka_sink : &bus_redis_sink;
	if ((cx->sink = cx->eng->open(
		 &cx->url, cx->o.maxlen, &cb, why, sizeof(why))) == NULL)
		nm_die(NM_EXIT_FAIL, "%s: %s", cx->o.url, why);
}

int
main(int argc, char **argv)
{
	static struct ctx cx;
	static struct stage_ops ops;
	int rc;

	nm_init(argv[0]);
	parse_opts(argc, argv, &cx.o);
	name_sensor(&cx);
	pk_init(&cx.body, BUS_BATCH_BYTES + 64 * 1024);
	pk_init(&cx.scratch, BUS_BATCH_BYTES + 64 * 1024);
	pk_init(&cx.header, 4096);
	/* stdout a terminal: nothing is written there */
	ops = push_ops;
	if (isatty(STDOUT_FILENO))
		ops.records_out = 0, ops.end_keys = NULL;
	stage_open(&cx.st, &ops, &cx, 0);
	open_bus(&cx);
	esandbox(
	    cx.url.kind == BUS_KAFKA ? NM_SANDBOX_PUSH_KAFKA : NM_SANDBOX_PUSH);

	/* state: sandboxed; stdin, stdout and the bus */
	rc = stage_run(&cx.st);
	cx.eng->close(cx.sink);
	return rc;
}
