/*
 * Alert records (nm-detect(1)) for people: one bold red line in every
 * text layout, "ALERT kind (style, scan) src -> dst: msg [severity]", the
 * detailed layout adding the alert's other keys, its targets and its
 * evidence packets under it; and the Alerts section of the final report,
 * grouped by kind, bounded, with the detectors' counts from the end
 * record.  Everything in an alert may come from the wire (a DNS name in
 * the message), so text goes out through out_safe() like a packet's.
 */
#include <string.h>

#include "render.h"

#define KINDS	   16 /* kinds told apart; more share the last one */
#define SHOWN	   10 /* alerts listed per kind in the report */
#define MAX_TARGET 32 /* targets and evidence shown of one alert */
#define MAX_EVID   16

/* Bold red, whatever the protocol colours are (those are two digits). */
#define ALERT_ON  "\033[1;31m"
#define ALERT_OFF "\033[0m"

/* One alert as the report lists it: copied, the record goes away. */
struct listed {
	uint64_t ts;
	char src[64];
	char dst[80]; /* the target: an address, a port, or both */
	char msg[512];
};

struct kind {
	char name[32];
	uint64_t n;	  /* alerts shown */
	uint64_t repeats; /* the repeats they carried: alerts held back */
	struct listed a[SHOWN];
};

static struct kind kinds[KINDS];
static size_t nkinds;
static int detect_ran; /* the header's stages name nm-detect */
static int has_counts; /* nm-detect's end record came */
static uint64_t written, suppressed, evicted;

static const char *
str_of(const msgpack_object *m, const char *key, size_t *n)
{
	const char *s;

	if (!rec_get_str(m, key, &s, n))
		return NULL;
	return s;
}

/* A key's text, escaped; nothing when the key is not a string. */
static void
safe_str(struct strbuf *b, const msgpack_object *m, const char *key)
{
	const char *s;
	size_t n;

	if ((s = str_of(m, key, &n)) != NULL)
		out_safe(b, s, n);
}

/*
 * A time in the column's form, leaving -ttt's and -ttttt's memory of the
 * packets alone: an alert's own times are not packets.
 */
static void
alert_time(struct out *o, struct strbuf *b, uint64_t ts)
{
	uint64_t first = o->tfirst, prev = o->tprev;
	int seen = o->tseen;

	out_time(o, b, ts);
	if (seen) {
		o->tfirst = first;
		o->tprev = prev;
	}
	o->tseen = seen;
}

/*
 * "10.0.0.2", "port 22" or "10.0.0.2 (www.example.com) port 80": what
 * the alert is about.
 */
static void
target(const struct out *o, struct strbuf *b, const msgpack_object *m)
{
	const msgpack_object *dst = rec_get(m, "dst");

	if (dst != NULL) {
		out_value(b, dst);
		out_name(o, b, m, "dst_name");
	}
	if (out_has(m, "port")) {
		if (dst != NULL)
			sb_addc(b, ' ');
		sb_adds(b, "port ");
		out_u64(b, out_u(m, "port", 0));
	}
}

/* The line every layout shows, '\n' included. */
static void
alert_line(struct out *o, struct strbuf *b, const msgpack_object *m)
{
	size_t n, start;
	uint64_t rep;
	int any = 0;

	if (o->color)
		sb_adds(b, ALERT_ON);
	if (o->tmode != OUT_TIME_NONE && out_has(m, "ts")) {
		if (o->mode != OUT_MINIMAL)
			sb_addc(b, '[');
		out_time(o, b, out_u(m, "ts", 0));
		if (o->mode != OUT_MINIMAL)
			sb_addc(b, ']');
		sb_addc(b, ' ');
	}
	sb_adds(b, "ALERT ");
	safe_str(b, m, "kind");
	if (str_of(m, "style", &n) != NULL || str_of(m, "scan", &n) != NULL) {
		sb_adds(b, " (");
		if (str_of(m, "style", &n) != NULL) {
			safe_str(b, m, "style");
			any = 1;
		}
		if (str_of(m, "scan", &n) != NULL) {
			sb_adds(b, any ? ", " : "");
			safe_str(b, m, "scan");
		}
		sb_addc(b, ')');
	}
	if (rec_get(m, "src") != NULL) {
		sb_addc(b, ' ');
		out_value(b, rec_get(m, "src"));
		out_name(o, b, m, "src_name");
	}
	start = b->len;
	sb_adds(b, out_arrow(o));
	n = b->len;
	target(o, b, m);
	if (b->len == n) /* no target: no arrow */
		b->len = start;
	if (str_of(m, "msg", &n) != NULL) {
		sb_adds(b, ": ");
		safe_str(b, m, "msg");
	}
	if (str_of(m, "severity", &n) != NULL) {
		sb_adds(b, " [");
		safe_str(b, m, "severity");
		sb_addc(b, ']');
	}
	if ((rep = out_u(m, "repeat", 0)) > 0) {
		sb_adds(b, " repeat ");
		out_u64(b, rep);
	}
	if (o->color)
		sb_adds(b, ALERT_OFF);
	sb_addc(b, '\n');
}

/* The keys the line shows already, which the detail leaves out. */
static const char *const line_keys[] = { "type", "ts", "kind", "style", "scan",
	"severity", "src", "src_name", "dst", "dst_name", "port", "msg",
	"repeat", NULL };
/* The keys an evidence line shows in its own form. */
static const char *const evidence_keys[] = { "ts", "proto", "src", "dst",
	"sport", "dport", "flags", NULL };

static int
in_list(const msgpack_object *k, const char *const *keys)
{
	size_t i;

	for (i = 0; keys[i] != NULL; i++)
		if (rec_str_eq(k, keys[i]))
			return 1;
	return 0;
}

/* The schema's id of a key of the record, or -1. */
static int
id_of(int parent, const msgpack_object *k)
{
	enum key_type t, e;
	int id;

	if (parent < 0)
		return -1;
	id = rec_key_find(parent, k->via.str.ptr, k->via.str.size, &t, &e);
	return id != 0 ? id : -1;
}

/*
 * key=value for each scalar of a map but those in skip: times
 * as the time column shows them, strings with a space in quotes so the
 * next key stands apart.
 */
static void
scalars(struct out *o, struct strbuf *b, const msgpack_object *m, int parent,
    const char *const *skip)
{
	static const char *const times[] = { "first", "last", NULL };
	const msgpack_object_kv *kv;
	size_t i;
	int q;

	for (i = 0; i < m->via.map.size; i++) {
		kv = &m->via.map.ptr[i];
		if (kv->key.type != MSGPACK_OBJECT_STR ||
		    kv->val.type == MSGPACK_OBJECT_MAP ||
		    kv->val.type == MSGPACK_OBJECT_ARRAY ||
		    in_list(&kv->key, skip))
			continue;
		sb_addc(b, ' ');
		out_safe(b, kv->key.via.str.ptr, kv->key.via.str.size);
		sb_addc(b, '=');
		q = kv->val.type == MSGPACK_OBJECT_STR &&
		    memchr(kv->val.via.str.ptr, ' ', kv->val.via.str.size);
		if (parent == 0 && in_list(&kv->key, times) &&
		    kv->val.type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
		    o->tmode != OUT_TIME_NONE)
			alert_time(o, b, kv->val.via.u64);
		else {
			if (q)
				sb_addc(b, '"');
			out_key_value(b, id_of(parent, &kv->key), &kv->val);
			if (q)
				sb_addc(b, '"');
		}
	}
}

/* An end of an evidence packet: address, then its port when it has one. */
static void
end_of(struct strbuf *b, const msgpack_object *e, const char *addr,
    const char *port)
{
	out_host(b, rec_get(e, addr));
	if (out_has(e, port)) {
		sb_addc(b, ':');
		out_u64(b, out_u(e, port, 0));
	}
}

/* "    evidence 16:53:47.339 TCP 10.0.0.1:40000 → 10.0.0.2:80 [S] ..." */
static void
evidence_line(struct out *o, struct strbuf *b, const msgpack_object *e, int id)
{
	sb_adds(b, "  evidence ");
	if (o->tmode != OUT_TIME_NONE && out_has(e, "ts")) {
		alert_time(o, b, out_u(e, "ts", 0));
		sb_addc(b, ' ');
	}
	if (rec_get(e, "proto") != NULL) {
		safe_str(b, e, "proto");
		sb_addc(b, ' ');
	}
	end_of(b, e, "src", "sport");
	if (rec_get(e, "dst") != NULL) {
		sb_adds(b, out_arrow(o));
		end_of(b, e, "dst", "dport");
	}
	if (out_has(e, "flags")) {
		sb_addc(b, ' ');
		out_tcp_flags(b, out_u(e, "flags", 0));
	}
	scalars(o, b, e, id, evidence_keys);
	sb_addc(b, '\n');
}

/* What the detailed layout adds: the rest of the keys, targets, evidence. */
static void
alert_detail(struct out *o, struct strbuf *b, const msgpack_object *m)
{
	const msgpack_object *l, *t;
	enum key_type kt, ke;
	uint32_t i;
	int id;

	sb_adds(b, "  alert ");
	scalars(o, b, m, 0, line_keys);
	sb_addc(b, '\n');
	l = rec_get(m, "targets");
	if (l != NULL && l->type == MSGPACK_OBJECT_ARRAY &&
	    l->via.array.size > 0) {
		sb_adds(b, "  targets");
		for (i = 0; i < l->via.array.size && i < MAX_TARGET; i++) {
			t = &l->via.array.ptr[i];
			if (t->type != MSGPACK_OBJECT_MAP)
				continue;
			sb_addc(b, ' ');
			end_of(b, t, "addr", "port");
		}
		if (l->via.array.size > MAX_TARGET) {
			sb_adds(b, " and ");
			out_u64(b, l->via.array.size - MAX_TARGET);
			sb_adds(b, " more");
		}
		sb_addc(b, '\n');
	}
	l = rec_get(m, "evidence");
	id = rec_key_find(0, "evidence", 8, &kt, &ke);
	for (i = 0; l != NULL && l->type == MSGPACK_OBJECT_ARRAY &&
	     i < l->via.array.size && i < MAX_EVID;
	     i++)
		if (l->via.array.ptr[i].type == MSGPACK_OBJECT_MAP)
			evidence_line(o, b, &l->via.array.ptr[i], id);
	sb_addc(b, '\n');
}

/* Text of what sb_add* wrote from start, copied into buf and cut there. */
static void
take(struct strbuf *b, size_t start, char *buf, size_t len)
{
	size_t n = b->len - start < len - 1 ? b->len - start : len - 1;

	memcpy(buf, b->p + start, n);
	buf[n] = '\0';
	b->len = start;
}

/* Counts the alert for the report, and keeps it if its kind lists few. */
static void
note(const struct out *o, struct strbuf *b, const msgpack_object *m)
{
	struct kind *k;
	struct listed *a;
	const char *s;
	size_t i, n, start = b->len;

	if ((s = str_of(m, "kind", &n)) == NULL) {
		s = "?";
		n = 1;
	}
	if (n >= sizeof(kinds[0].name))
		n = sizeof(kinds[0].name) - 1;
	for (i = 0; i < nkinds; i++)
		if (strlen(kinds[i].name) == n &&
		    memcmp(kinds[i].name, s, n) == 0)
			break;
	if (i == nkinds && nkinds < KINDS) {
		memcpy(kinds[nkinds].name, s, n);
		kinds[nkinds++].name[n] = '\0';
	} else if (i == nkinds) /* past KINDS: with the last one */
		i = KINDS - 1;
	k = &kinds[i];
	k->repeats += out_u(m, "repeat", 0);
	if (k->n++ >= SHOWN)
		return;
	a = &k->a[k->n - 1];
	a->ts = out_u(m, "ts", 0);
	if (rec_get(m, "src") != NULL) {
		out_value(b, rec_get(m, "src"));
		out_name(o, b, m, "src_name");
	}
	take(b, start, a->src, sizeof(a->src));
	target(o, b, m);
	take(b, start, a->dst, sizeof(a->dst));
	safe_str(b, m, "msg");
	take(b, start, a->msg, sizeof(a->msg));
}

void
out_alert(struct out *o, struct strbuf *b, const msgpack_object *m)
{
	size_t start = b->len;

	/* the report's copy is made in the buffer, before the line */
	note(o, b, m);
	b->len = start;
	o->ruled = 0;
	alert_line(o, b, m);
	if (o->mode == OUT_DETAILED)
		alert_detail(o, b, m);
}

void
out_alert_header(const msgpack_object *hdr)
{
	const msgpack_object *st = rec_get(hdr, "stages");
	uint32_t i;

	for (i = 0; st != NULL && st->type == MSGPACK_OBJECT_ARRAY &&
	     i < st->via.array.size;
	     i++)
		if (rec_str_eq(&st->via.array.ptr[i], "nm-detect"))
			detect_ran = 1;
}

void
out_alert_end(const msgpack_object *end)
{
	const msgpack_object *d = rec_get(end, "detect");

	/* nm-stats' (it runs the detectors by default) or nm-detect's */
	if (d == NULL || d->type != MSGPACK_OBJECT_MAP)
		return;
	written = out_u(d, "alerts", 0);
	suppressed = out_u(d, "suppressed", 0);
	evicted = out_u(d, "evicted", 0);
	has_counts = detect_ran = 1;
}

static void
plural(struct strbuf *b, uint64_t n, const char *what)
{
	out_u64(b, n);
	sb_addc(b, ' ');
	sb_adds(b, what);
	if (n != 1)
		sb_addc(b, 's');
}

/*
 * After the last record: the Alerts section, opening with a rule unless
 * the final report's closing one is the line before.  None without alerts
 * where nm-detect did not run: that stream says nothing of attacks.
 */
void
out_alert_report(struct out *o, struct strbuf *b)
{
	static const char rule[] =
	    "============================================================\n";
	const struct kind *k;
	uint64_t total = 0, i;
	size_t j;

	for (j = 0; j < nkinds; j++)
		total += kinds[j].n;
	if (total == 0 && !detect_ran)
		return;
	/* -ttt's gaps between packets mean nothing here: since the first */
	if (o->tmode == OUT_TIME_DELTA)
		o->tmode = OUT_TIME_SINCE;
	if (!o->ruled)
		sb_adds(b, rule);
	/* red only when there is something to see */
	if (o->color && total > 0)
		sb_adds(b, ALERT_ON);
	sb_adds(b, "Alerts: ");
	if (total > 0)
		out_u64(b, total);
	else
		sb_adds(b, "none");
	if (o->color && total > 0)
		sb_adds(b, ALERT_OFF);
	if (has_counts) {
		sb_adds(b, " (");
		out_u64(b, written);
		sb_adds(b, " written, ");
		out_u64(b, suppressed);
		sb_adds(b, " suppressed, ");
		out_u64(b, evicted);
		sb_adds(b, " evicted)");
	}
	sb_addc(b, '\n');
	for (j = 0; j < nkinds; j++) {
		k = &kinds[j];
		sb_adds(b, "  ");
		out_safe(b, k->name, strlen(k->name));
		sb_adds(b, ": ");
		plural(b, k->n, "alert");
		if (k->repeats > 0) {
			sb_adds(b, ", ");
			plural(b, k->repeats, "repeat");
			sb_adds(b, " held back");
		}
		sb_addc(b, '\n');
		for (i = 0; i < k->n && i < SHOWN; i++) {
			sb_adds(b, "    ");
			if (o->tmode != OUT_TIME_NONE && k->a[i].ts != 0) {
				out_time(o, b, k->a[i].ts);
				sb_addc(b, ' ');
			}
			sb_adds(b, k->a[i].src);
			if (k->a[i].dst[0] != '\0') {
				sb_adds(b, out_arrow(o));
				sb_adds(b, k->a[i].dst);
			}
			sb_adds(b, ": ");
			sb_adds(b, k->a[i].msg);
			sb_addc(b, '\n');
		}
		if (k->n > SHOWN) {
			sb_adds(b, "    and ");
			out_u64(b, k->n - SHOWN);
			sb_adds(b, " more\n");
		}
	}
	sb_adds(b, rule);
	o->ruled = 1;
}
