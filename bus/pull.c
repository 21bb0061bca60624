/*
 * nm-pull: a source that reads what nm-push published on a bus and
 * writes it out as one record stream, merged from every sensor.
 *
 * The stream's header names every sensor's sources, each tagged with its
 * sensor ("sources[].sensor"), in the order the sensors were first seen;
 * a record with an "if" (frame, packet, capstats) gets the merged index
 * of its source, and every other record a "sensor" key naming where it
 * came from.  Headers are collected for a moment first (HEADER_WAIT_NS,
 * or until the bus, having given something, has nothing more at once);
 * a sensor first
 * seen later has its sources appended and the whole header written
 * again, which the stages take as they take any header (nm-stats and
 * nm-render name sources from the last one).
 *
 * Each sensor's messages carry a sequence: a gap is loss, shown in the
 * stream as an alert of kind "bus_loss" and counted in the end record; a
 * message seen again (sent twice across a reconnect, or read again after
 * a restart) is skipped.  A sensor's end records are not passed on: the
 * stream ends with nm-pull's own, when interrupted or, with --until-end
 * N, once N sensors' streams have ended.
 *
 * Bytes off the bus are untrusted: frame.c reads them through the record
 * reader's parser; a bad message is skipped, counted and acknowledged.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bus.h"
#include "nm.h"
#include "rec.h"
#include "sandbox.h"
#include "stage.h"

#define HEADER_WAIT_NS 2000000000u	 /* collecting the sensors' headers */
#define PENDING_MAX    (4 * 1024 * 1024) /* records held meanwhile */
#define SENSORS_MAX    256
#define SOURCES_MAX    4096
#define STAGES_MAX     16

struct opts {
	const char *group, *consumer, *url;
	uint64_t until_end; /* 0: until interrupted */
};

struct sensor {
	char name[BUS_NAME_MAX + 1];
	int headed;    /* its header came: base and nsrc are its sources */
	uint32_t base; /* merged index of its first source */
	uint32_t nsrc; /* 0: none known (a placeholder is made) */
	int have_seq;
	uint64_t next_seq, dropped; /* dropped: as its last message said */
	int ended;
};

struct ctx {
	struct opts o;
	struct bus_url url;
	const struct bus_source_ops *eng;
	struct bus_source *src;
	struct rec_reader *r; /* parses messages (no descriptor) */
	struct rec_writer *w;
	struct sensor sensors[SENSORS_MAX];
	unsigned nsensors;
	struct pk srcs; /* the merged sources, packed maps */
	uint32_t nsrcs;
	char *stages[STAGES_MAX];
	unsigned nstages;
	int headed;
	struct pk pending; /* records before the header went out */
	uint64_t npending;
	/* figures for the end record */
	uint64_t frames, packets, written, messages, lost, dups, bad, ended;
	uint64_t outages;
	int bad_said, down;
};

static volatile sig_atomic_t stop;

static const char usage_text[] =
    "usage: nm-pull [--group NAME] [--consumer NAME] [--until-end N] URL\n";

static void __attribute__((noreturn)) usage(void)
{
	nm_usage(usage_text, NM_EXIT_USAGE);
}

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "group", required_argument, NULL, 'g' },
		{ "consumer", required_argument, NULL, 'c' },
		{ "until-end", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	memset(o, 0, sizeof(*o));
	o->group = "nm-pull";
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1)
		switch (ch) {
		case 'g': o->group = optarg; break;
		case 'c': o->consumer = optarg; break;
		case 'u':
			o->until_end = (uint64_t)estrtonum(
			    optarg, 1, SENSORS_MAX, "--until-end");
			break;
		case 'h': nm_usage(usage_text, NM_EXIT_OK);
		case 'V': nm_version("nm-pull");
		default: usage();
		}
	if (optind != argc - 1)
		usage();
	o->url = argv[optind];
	if (!bus_name_ok(o->group, strlen(o->group)))
		nm_bad_usage(
		    "--group: 1 to %d letters, digits or ._:-", BUS_NAME_MAX);
	if (o->consumer != NULL &&
	    !bus_name_ok(o->consumer, strlen(o->consumer)))
		nm_bad_usage("--consumer: 1 to %d letters, digits or ._:-",
		    BUS_NAME_MAX);
}

/* --- the merged header --- */

static void
add_stage(struct ctx *cx, const char *s, size_t n)
{
	unsigned i;

	for (i = 0; i < cx->nstages; i++)
		if (strlen(cx->stages[i]) == n &&
		    memcmp(cx->stages[i], s, n) == 0)
			return;
	if (cx->nstages == STAGES_MAX || n == 0 || n > 64)
		return;
	cx->stages[cx->nstages] = emalloc(n + 1);
	memcpy(cx->stages[cx->nstages], s, n);
	cx->stages[cx->nstages++][n] = '\0';
}

static void
write_header(struct ctx *cx)
{
	struct pk *pk = rec_writer_pk(cx->w);
	char producer[64];
	unsigned i;

	pk_map_open(pk);
	pk_kstr(pk, "type", "header");
	pk_ku(pk, "version", REC_VERSION_MAJOR);
	pk_ku(pk, "minor", REC_VERSION_MINOR);
	snprintf(producer, sizeof(producer), "nm-pull %s", NM_VERSION);
	pk_kstr(pk, "producer", producer);
	pk_cstr(pk, "stages");
	pk_array_open(pk);
	for (i = 0; i < cx->nstages; i++)
		pk_cstr(pk, cx->stages[i]);
	pk_cstr(pk, "nm-pull");
	pk_close(pk);
	pk_cstr(pk, "sources");
	pk_array_open(pk);
	pk_raw_items(pk, cx->srcs.p, cx->srcs.len, cx->nsrcs);
	pk_close(pk);
	pk_close(pk);
	if (rec_writer_end(cx->w) < 0)
		nm_write_failed();
}

/* The header, then what waited for it. */
static void
emit_header(struct ctx *cx)
{
	uint64_t i;

	if (cx->headed)
		return;
	cx->headed = 1;
	write_header(cx);
	pk_raw(rec_writer_pk(cx->w), cx->pending.p, cx->pending.len);
	for (i = 0; i < cx->npending; i++)
		if (rec_writer_end(cx->w) < 0)
			nm_write_failed();
	pk_free(&cx->pending);
}

/* One source of a sensor's, packed with its sensor's name. */
static void
add_source(struct ctx *cx, const struct sensor *s, const msgpack_object *src)
{
	const msgpack_object_kv *kv;
	struct pk *pk = &cx->srcs;
	uint32_t i;

	pk_map_open(pk);
	if (src != NULL && src->type == MSGPACK_OBJECT_MAP)
		for (i = 0; i < src->via.map.size; i++) {
			kv = &src->via.map.ptr[i];
			if (REC_KEY_IS(&kv->key, "sensor"))
				continue;
			pk_obj(pk, &kv->key);
			pk_obj(pk, &kv->val);
		}
	else
		pk_kstr(pk, "name", s->name); /* its header was never seen */
	pk_kstr(pk, "sensor", s->name);
	pk_close(pk);
	cx->nsrcs++;
}

static void
sensor_header(struct ctx *cx, struct sensor *s, const struct rec *hdr)
{
	const msgpack_object *srcs, *st;
	uint32_t n, i;

	if (s->headed)
		return; /* sent again (after a loss): the first one rules */
	n = rec_sources(&hdr->obj, &srcs);
	if (cx->nsrcs + n > SOURCES_MAX)
		n = SOURCES_MAX - cx->nsrcs;
	s->headed = 1;
	s->base = cx->nsrcs;
	s->nsrc = n;
	for (i = 0; i < n; i++)
		add_source(cx, s, &srcs[i]);
	if ((st = rec_get(&hdr->obj, "stages")) != NULL &&
	    st->type == MSGPACK_OBJECT_ARRAY)
		for (i = 0; i < st->via.array.size; i++)
			if (st->via.array.ptr[i].type == MSGPACK_OBJECT_STR)
				add_stage(cx, st->via.array.ptr[i].via.str.ptr,
				    st->via.array.ptr[i].via.str.size);
	if (cx->headed)
		write_header(cx); /* a sensor that came late */
}

/* A record's source index in the merged header. */
static uint64_t
map_if(struct ctx *cx, struct sensor *s, uint64_t ifx)
{
	if (s->nsrc == 0 && cx->nsrcs < SOURCES_MAX) {
		/* no header seen (trimmed off the bus): one source for all */
		s->base = cx->nsrcs;
		s->nsrc = 1;
		add_source(cx, s, NULL);
		if (cx->headed)
			write_header(cx);
	}
	return ifx < s->nsrc ? s->base + ifx : s->base;
}

/* --- records --- */

static struct pk *
out_pk(struct ctx *cx)
{
	return cx->headed ? rec_writer_pk(cx->w) : &cx->pending;
}

static void
out_end(struct ctx *cx)
{
	if (!cx->headed) {
		cx->npending++;
		return;
	}
	if (rec_writer_end(cx->w) < 0)
		nm_write_failed();
}

/* A map, its "if" (and per_source's) renumbered; "sensor" added. */
static void
repack(struct ctx *cx, struct pk *pk, const msgpack_object *m, struct sensor *s,
    int tag, int depth)
{
	const msgpack_object_kv *kv;
	const msgpack_object *a;
	uint32_t i, j;

	pk_map_open(pk);
	for (i = 0; i < m->via.map.size; i++) {
		kv = &m->via.map.ptr[i];
		if (REC_KEY_IS(&kv->key, "sensor") && tag)
			continue;
		pk_obj(pk, &kv->key);
		if (REC_KEY_IS(&kv->key, "if") &&
		    kv->val.type == MSGPACK_OBJECT_POSITIVE_INTEGER)
			pk_uint(pk, map_if(cx, s, kv->val.via.u64));
		else if (depth == 0 && REC_KEY_IS(&kv->key, "per_source") &&
		    kv->val.type == MSGPACK_OBJECT_ARRAY) {
			a = &kv->val;
			pk_array_open(pk);
			for (j = 0; j < a->via.array.size; j++)
				if (a->via.array.ptr[j].type ==
				    MSGPACK_OBJECT_MAP)
					repack(cx, pk, &a->via.array.ptr[j], s,
					    0, 1);
				else
					pk_obj(pk, &a->via.array.ptr[j]);
			pk_close(pk);
		} else
			pk_obj(pk, &kv->val);
	}
	if (tag)
		pk_kstr(pk, "sensor", s->name);
	pk_close(pk);
}

static void
out_record(struct ctx *cx, struct sensor *s, const struct rec *rec)
{
	int has_if = rec_get(&rec->obj, "if") != NULL;

	cx->frames += rec->type == REC_FRAME;
	cx->packets += rec->type == REC_PACKET;
	cx->written++;
	/* before out_pk(): a placeholder source may write a header */
	if (has_if)
		(void)map_if(cx, s, 0);
	repack(cx, out_pk(cx), &rec->obj, s, !has_if, 0);
	out_end(cx);
}

/* A gap in a sensor's sequence, in the stream for people to see. */
static void
out_loss(struct ctx *cx, struct sensor *s, const struct bus_batch *b)
{
	struct pk *pk = out_pk(cx);
	uint64_t gap = b->seq - s->next_seq,
		 at_src =
		     b->dropped >= s->dropped ? b->dropped - s->dropped : 0;
	char msg[256];

	if (at_src > gap)
		at_src = gap;
	cx->lost += gap;
	snprintf(msg, sizeof(msg),
	    "%llu bus messages of sensor %s missing (seq %llu to %llu): "
	    "%llu dropped by its nm-push, %llu lost on the bus",
	    (unsigned long long)gap, s->name, (unsigned long long)s->next_seq,
	    (unsigned long long)b->seq - 1, (unsigned long long)at_src,
	    (unsigned long long)(gap - at_src));
	pk_map_open(pk);
	pk_kstr(pk, "type", "alert");
	pk_ku(pk, "ts", b->first_ts != 0 ? b->first_ts : nm_realtime_ns());
	pk_kstr(pk, "kind", "bus_loss");
	pk_kstr(pk, "severity", "medium");
	pk_ku(pk, "count", gap);
	pk_kstr(pk, "msg", msg);
	pk_kstr(pk, "sensor", s->name);
	pk_close(pk);
	out_end(cx);
}

static struct sensor *
sensor_of(struct ctx *cx, const char *name)
{
	struct sensor *s;
	unsigned i;

	for (i = 0; i < cx->nsensors; i++)
		if (strcmp(cx->sensors[i].name, name) == 0)
			return &cx->sensors[i];
	if (cx->nsensors == SENSORS_MAX)
		return NULL;
	s = &cx->sensors[cx->nsensors++];
	snprintf(s->name, sizeof(s->name), "%s", name);
	return s;
}

static void
bad_message(struct ctx *cx, const char *why)
{
	cx->bad++;
	if (!cx->bad_said)
		nm_warn("%s: a bad message skipped: %s", cx->o.url, why);
	cx->bad_said = 1;
}

static void
on_message(struct ctx *cx, const void *p, size_t n)
{
	struct bus_batch b;
	struct sensor *s;
	struct rec rec;
	char why[320];
	int rc;

	if (bus_batch_open(cx->r, p, n, &b, why, sizeof(why)) == -1)
		return bad_message(cx, why);
	if ((s = sensor_of(cx, b.sensor)) == NULL)
		return bad_message(cx, "too many sensors");
	if (s->have_seq && b.seq < s->next_seq) {
		cx->dups++;
		return;
	}
	cx->messages++;
	if (s->have_seq && b.seq > s->next_seq)
		out_loss(cx, s, &b);
	s->have_seq = 1;
	s->next_seq = b.seq + 1;
	s->dropped = b.dropped;
	while ((rc = bus_batch_next(cx->r, &b, &rec, why, sizeof(why))) == 1)
		if (rec.type == REC_HEADER)
			sensor_header(cx, s, &rec);
		else if (rec.type != REC_END)
			out_record(cx, s, &rec);
		else if (!s->ended &&
		    rec_str_eq(rec_get(&rec.obj, "producer"), "nm-push")) {
			s->ended = 1;
			cx->ended++;
		}
	if (rc == -1)
		bad_message(cx, why);
}

/* --- the loop --- */

static void
backoff(uint64_t *ns)
{
	uint64_t until;

	*ns = *ns == 0		    ? 100000000u
	    : *ns * 2 > 5000000000u ? 5000000000u
				    : *ns * 2;
	for (until = stage_now() + *ns; !stop && stage_now() < until;)
		(void)poll(NULL, 0, 50);
}

static void
run(struct ctx *cx)
{
	uint64_t start = stage_now(), wait = 0;
	const void *p;
	char why[320];
	size_t n;
	int rc;

	while (!stop && (cx->o.until_end == 0 || cx->ended < cx->o.until_end)) {
		if (!cx->headed &&
		    (stage_now() - start >= HEADER_WAIT_NS ||
			cx->pending.len > PENDING_MAX))
			emit_header(cx);
		/* written out before the messages are acknowledged */
		if (rec_writer_flush(cx->w) < 0)
			nm_write_failed();
		rc = cx->eng->next(cx->src, &p, &n, why, sizeof(why));
		if (rc == 1) {
			if (cx->down)
				nm_warn("%s: reading again", cx->o.url);
			cx->down = 0;
			wait = 0;
			on_message(cx, p, n);
			cx->eng->ack(cx->src);
		} else if (rc == 0) {
			if (cx->messages > 0)
				emit_header(cx); /* nothing more at once */
		} else {
			if (!cx->down) {
				cx->outages++;
				nm_warn("%s: %s; trying again", cx->o.url, why);
			}
			cx->down = 1;
			backoff(&wait);
		}
	}
	emit_header(cx);
}

static void
pull_keys(struct pk *pk, void *arg)
{
	const struct ctx *cx = arg;

	pk_cstr(pk, "pull");
	pk_map_open(pk);
	pk_ku(pk, "sensors", cx->nsensors);
	pk_ku(pk, "ended", cx->ended);
	pk_ku(pk, "messages", cx->messages);
	pk_ku(pk, "lost", cx->lost);
	pk_ku(pk, "duplicates", cx->dups);
	pk_ku(pk, "bad", cx->bad);
	pk_ku(pk, "outages", cx->outages);
	pk_close(pk);
}

static void
setup(struct ctx *cx)
{
	struct sigaction sa;
	char why[320], host[256];

	if (isatty(STDOUT_FILENO))
		nm_die(NM_EXIT_USAGE,
		    "refusing to write binary records to a terminal: pipe "
		    "them on, e.g. | nm-render");
	if (bus_url_parse(cx->o.url, &cx->url, why, sizeof(why)) == -1)
		nm_die(NM_EXIT_USAGE, "%s: %s", cx->o.url, why);
	if (cx->o.consumer == NULL) {
		/* the same name after a restart: its pending entries are ours
		 */
		if (gethostname(host, sizeof(host)) == -1 ||
		    (host[sizeof(host) - 1] = '\0',
			!bus_name_ok(host, strlen(host))))
			snprintf(host, sizeof(host), "nm-pull");
		cx->o.consumer = estrdup(host);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((cx->r = rec_reader_open(-1)) == NULL ||
	    (cx->w = rec_writer_open(STDOUT_FILENO)) == NULL)
		nm_die(NM_EXIT_FAIL, "%s", strerror(errno));
	pk_init(&cx->srcs, 4096);
	pk_init(&cx->pending, 64 * 1024);
	cx->eng =
	    cx->url.kind == BUS_KAFKA ? &bus_kafka_source : &bus_redis_source;
	if ((cx->src = cx->eng->open(&cx->url, cx->o.group, cx->o.consumer, why,
		 sizeof(why))) == NULL)
		nm_die(NM_EXIT_FAIL, "%s: %s", cx->o.url, why);
}

int
main(int argc, char **argv)
{
	static struct ctx cx;

	nm_init(argv[0]);
	parse_opts(argc, argv, &cx.o);
	setup(&cx);
	esandbox(
	    cx.url.kind == BUS_KAFKA ? NM_SANDBOX_PULL_KAFKA : NM_SANDBOX_PULL);

	/* state: sandboxed; stdout and the bus */
	run(&cx);
	if (rec_write_end_more(cx.w, "nm-pull", cx.frames, cx.packets,
		stop ? "signal" : "eof", pull_keys, &cx) < 0 ||
	    rec_writer_close(cx.w) < 0)
		nm_write_failed();
	cx.eng->close(cx.src);
	rec_reader_close(cx.r);
	if (cx.lost > 0)
		nm_warn("%llu bus messages lost", (unsigned long long)cx.lost);
	return NM_EXIT_OK;
}
