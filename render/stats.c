/*
 * nm-stats' records shown to people: the live block between packet lines
 * (in the old monitor's shape: packets, rate, runtime, top protocols, top
 * IPs, with bytes/s and the capture's coverage when they add something)
 * and the final report (duration, protocol shares, top addresses, ports
 * and connections, what the capture saw); with several sources, a line
 * of each one's rates in the block, and in the report each one's share
 * and capture line before the total's.  The figures and their meaning
 * are nm-stats(1)'s; this file only lays them out.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"

#define RULE "============================================================\n"

static void out_f(struct strbuf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
out_f(struct strbuf *b, const char *fmt, ...)
{
	char tmp[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		sb_add(b, tmp,
		    (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* 1234567 bytes as "1.2 MB", bits per second as "9.9 Mbit/s". */
static void
out_scaled(struct strbuf *b, double v, const char *unit)
{
	static const char *const pre[] = { "", "k", "M", "G", "T" };
	int i = 0;

	while (v >= 1000 && i < 4) {
		v /= 1000;
		i++;
	}
	if (i)
		out_f(b, "%.1f ", v);
	else
		out_f(b, "%.0f ", v);
	sb_adds(b, pre[i]);
	sb_adds(b, unit);
}

static void
out_str(struct strbuf *b, const msgpack_object *map, const char *key)
{
	const msgpack_object *v = rec_get(map, key);

	if (v != NULL)
		out_value(b, v);
}

static enum out_color
name_color(const msgpack_object *name)
{
	if (name == NULL || name->type != MSGPACK_OBJECT_STR)
		return OC_NONE;
	return proto_color_of(name->via.str.ptr, name->via.str.size);
}

/* "1 pkt", "2 pkts" */
static void
pkts(struct strbuf *b, double n)
{
	out_f(b, "%.0f pkt%s", n, n == 1 ? "" : "s");
}

/* The same in a column: the count right-aligned, what follows aligned */
static void
pkts_col(struct strbuf *b, double n)
{
	out_f(b, "%8.0f %-4s ", n, n == 1 ? "pkt" : "pkts");
}

/*
 * A share: "<0.1%" when it is not zero but would print as 0.0%, ">99.9%"
 * when it is not all but would print as 100.0%.
 */
static void
pct(struct strbuf *b, double v)
{
	if (v > 0 && v < 0.05)
		sb_adds(b, "<0.1%");
	else if (v < 100 && v >= 99.95)
		sb_adds(b, ">99.9%");
	else
		out_f(b, "%.1f%%", v);
}

static void
host(const struct out *o, struct strbuf *b, const msgpack_object *e,
    const char *key, const char *namekey)
{
	out_host(b, rec_get(e, key));
	out_name(o, b, e, namekey);
}

static const msgpack_object *
list(const msgpack_object *map, const char *key)
{
	const msgpack_object *v = rec_get(map, key);

	return v != NULL && v->type == MSGPACK_OBJECT_ARRAY ? v : NULL;
}

/*
 * "covers 99.2% of received packets (12 dropped by the kernel, ...)"; the
 * drops only when asked (the final report has them on the same line).
 */
static void
coverage(struct strbuf *b, const msgpack_object *map, int drops)
{
	const msgpack_object *cap = rec_get(map, "capture");

	if (cap == NULL)
		return;
	sb_adds(b, "covers ");
	pct(b, rec_num(cap, "coverage"));
	sb_adds(b, " of received packets");
	if (drops && (rec_num(cap, "drop") > 0 || rec_num(cap, "ifdrop") > 0)) {
		out_f(b, " (%.0f dropped by the kernel", rec_num(cap, "drop"));
		out_f(b, ", %.0f by the interface)", rec_num(cap, "ifdrop"));
	}
}

/* A source's name, as nm-stats gives it (escaped), or "?" */
static void
src_name(struct strbuf *b, const msgpack_object *e)
{
	const msgpack_object *v = rec_get(e, "name");

	if (v != NULL && v->type == MSGPACK_OBJECT_STR && v->via.str.size > 0)
		out_safe(b, v->via.str.ptr, v->via.str.size);
	else
		sb_addc(b, '?');
}

#define LIVE_SRC  8  /* sources named in a live block; the rest counted */
#define LIVE_COLS 80 /* a sources line wraps before this */

/*
 * "Sources: eth0 12.00 pps 9.6 kbit/s | wlan0 ...", wrapped under its
 * first entry where the next would pass 80 columns.
 */
static void
live_sources(const struct out *o, struct strbuf *b, const msgpack_object *m)
{
	static const char lead[] = "Sources: ", wrap[] = "\n         ";
	const msgpack_object *l = list(m, "per_source"), *e;
	size_t start, w, col = sizeof(lead) - 1;
	const char *sep;
	uint32_t i;

	if (l == NULL)
		return;
	sb_addc(b, '\n');
	sb_adds(b, lead);
	for (i = 0; i < l->via.array.size && i <= LIVE_SRC; i++) {
		start = b->len;
		e = &l->via.array.ptr[i];
		if (i == LIVE_SRC)
			out_f(b, "%u more", (unsigned)(l->via.array.size - i));
		else {
			out_color(o, b, OC_BLUE);
			src_name(b, e);
			out_uncolor(o, b, OC_BLUE);
			out_f(b, " %.2f pps ", rec_num(e, "rate.pps"));
			out_scaled(b, rec_num(e, "rate.bps"), "bit/s");
		}
		/* the escapes take no column */
		w = b->len - start - (o->color && i < LIVE_SRC ? 9 : 0);
		if (i == 0)
			sep = "";
		else if (col + 3 + w > LIVE_COLS)
			sep = wrap, col = sizeof(wrap) - 2;
		else
			sep = " | ", col += 3;
		col += w;
		sb_need(b, strlen(sep));
		memmove(
		    b->p + start + strlen(sep), b->p + start, b->len - start);
		memcpy(b->p + start, sep, strlen(sep));
		b->len += strlen(sep);
	}
}

static void
live_block(const struct out *o, struct strbuf *b, const msgpack_object *m)
{
	const msgpack_object *l, *e;
	uint32_t i, n;

	sb_adds(b, RULE "LIVE STATS | Packets: ");
	out_f(b, "%.0f", rec_num(m, "total.packets"));
	out_f(b, " | PPS: %.2f", rec_num(m, "rate.pps"));
	sb_adds(b, " | ");
	out_scaled(b, rec_num(m, "rate.bps"), "bit/s");
	out_f(b, " | Runtime: %.0fs", rec_num(m, "runtime") / 1e9);
	if (rec_get(m, "capture") != NULL &&
	    rec_num(m, "capture.coverage") < 100) {
		sb_adds(b, " | ");
		coverage(b, m, 1);
	}
	live_sources(o, b, m);
	sb_adds(b, "\nTop Protocols: ");
	l = list(m, "protos");
	n = l ? l->via.array.size : 0;
	for (i = 0; i < n && i < 5; i++) {
		e = &l->via.array.ptr[i];
		sb_adds(b, i ? ", " : "");
		out_color(o, b, name_color(rec_get(e, "name")));
		out_str(b, e, "name");
		out_uncolor(o, b, name_color(rec_get(e, "name")));
		out_f(b, ": %.0f", rec_num(e, "packets"));
	}
	sb_adds(b, "\nTop IPs: ");
	l = list(m, "top_hosts");
	n = l ? l->via.array.size : 0;
	for (i = 0; i < n && i < 5; i++) {
		e = &l->via.array.ptr[i];
		sb_adds(b, i ? ", " : "");
		host(o, b, e, "addr", "name");
		out_f(b, ": %.0f", rec_num(e, "packets"));
	}
	sb_adds(b, "\n" RULE);
}

static void
pad_to(struct strbuf *b, size_t start, size_t width)
{
	if (b->len - start < width)
		sb_spaces(b, width - (b->len - start));
	else
		sb_addc(b, ' ');
}

/* Right-aligns what was written since start in width columns. */
static void
pad_left(struct strbuf *b, size_t start, size_t width)
{
	size_t n = b->len - start;

	if (n >= width)
		return;
	sb_spaces(b, width - n);
	memmove(b->p + start + (width - n), b->p + start, n);
	memset(b->p + start, ' ', width - n);
}

static void
report_protos(const struct out *o, struct strbuf *b, const msgpack_object *m)
{
	const msgpack_object *l = list(m, "protos"), *e;
	uint32_t i;
	size_t s;

	sb_adds(b, "Protocols (packets, bytes):\n");
	for (i = 0; l != NULL && i < l->via.array.size; i++) {
		e = &l->via.array.ptr[i];
		sb_adds(b, "  ");
		out_color(o, b, name_color(rec_get(e, "name")));
		s = b->len;
		out_str(b, e, "name");
		pad_to(b, s, 10);
		out_uncolor(o, b, name_color(rec_get(e, "name")));
		out_f(b, "%8.0f ", rec_num(e, "packets"));
		s = b->len;
		pct(b, rec_num(e, "pkt_pct"));
		pad_left(b, s, 6);
		out_f(b, " %12.0f B ", rec_num(e, "bytes"));
		s = b->len;
		pct(b, rec_num(e, "byte_pct"));
		pad_left(b, s, 6);
		sb_addc(b, '\n');
	}
}

/*
 * The widest address of a list with its name, for a column that fits
 * them all.
 */
static size_t
addr_width(const struct out *o, const msgpack_object *l, const char *key)
{
	struct strbuf t = { 0 };
	uint32_t i;
	size_t w = 0;

	for (i = 0; l != NULL && i < l->via.array.size; i++) {
		t.len = 0;
		out_str(&t, &l->via.array.ptr[i], key);
		out_name(o, &t, &l->via.array.ptr[i], "name");
		if (t.len > w)
			w = t.len;
	}
	free(t.p);
	return w;
}

/* A merged list's entry may over-state its count by its err. */
static void
err_note(struct strbuf *b, const msgpack_object *e)
{
	if (rec_num(e, "err") > 0)
		out_f(b, "  (may be %.0f over)", rec_num(e, "err"));
}

/* What the sketches of a merge estimate (nm-stats --merge). */
static void
report_estimate(struct strbuf *b, const msgpack_object *m)
{
	const msgpack_object *e = rec_get(m, "estimate");

	if (e == NULL || e->type != MSGPACK_OBJECT_MAP)
		return;
	out_f(b, "Merged from %.0f summaries; ", rec_num(e, "summaries"));
	out_f(b, "distinct (%.1f%% standard error): ", rec_num(e, "rse") * 100);
	out_f(b, "%.0f addresses, ", rec_num(e, "hosts"));
	out_f(b, "%.0f service ports, ", rec_num(e, "ports"));
	out_f(b, "%.0f connections\n", rec_num(e, "flows"));
	out_f(b, "Packet sizes: median %.0f", rec_num(e, "packet_p50"));
	out_f(b, ", 90%% %.0f", rec_num(e, "packet_p90"));
	out_f(b, ", 99%% %.0f", rec_num(e, "packet_p99"));
	out_f(b, ", largest %.0f bytes", rec_num(e, "packet_max"));
	out_f(b, "; connections: median %.0f bytes",
	    rec_num(e, "flow_bytes_p50"));
	out_f(b, ", 99%% %.0f\n", rec_num(e, "flow_bytes_p99"));
}

static void
report_hosts(const struct out *o, struct strbuf *b, const msgpack_object *m)
{
	const msgpack_object *l = list(m, "top_hosts"), *e;
	uint32_t i;
	size_t s, w = addr_width(o, l, "addr") + 3;

	/* one column as wide as the widest address, IPv6 too */
	if (w < 28)
		w = 28;
	sb_adds(b, "Top IP addresses:\n");
	for (i = 0; l != NULL && i < l->via.array.size; i++) {
		e = &l->via.array.ptr[i];
		s = b->len;
		sb_adds(b, "  ");
		out_str(b, e, "addr");
		out_name(o, b, e, "name");
		pad_to(b, s, w);
		pkts_col(b, rec_num(e, "packets"));
		out_scaled(b, rec_num(e, "bytes"), "B");
		if (rec_get(e, "tx_packets") != NULL) {
			out_f(b, "  (sent %.0f", rec_num(e, "tx_packets"));
			out_f(b, ", received %.0f)", rec_num(e, "rx_packets"));
		}
		err_note(b, e);
		out_geo(o, b, e, "geo", "addr", 0);
		sb_addc(b, '\n');
	}
}

static void
report_ports(const struct out *o, struct strbuf *b, const msgpack_object *m)
{
	const msgpack_object *l = list(m, "top_ports"), *e;
	uint32_t i;
	size_t s;

	sb_adds(b, "Top ports (service side):\n");
	for (i = 0; l != NULL && i < l->via.array.size; i++) {
		e = &l->via.array.ptr[i];
		sb_adds(b, "  ");
		out_color(o, b, OC_YELLOW);
		s = b->len;
		out_f(b, "%.0f", rec_num(e, "port"));
		sb_addc(b, '/');
		out_str(b, e, "proto");
		if (rec_get(e, "service") != NULL) {
			sb_adds(b, " (");
			out_str(b, e, "service");
			sb_addc(b, ')');
		}
		pad_to(b, s, 26);
		out_uncolor(o, b, OC_YELLOW);
		pkts_col(b, rec_num(e, "packets"));
		out_scaled(b, rec_num(e, "bytes"), "B");
		err_note(b, e);
		sb_addc(b, '\n');
	}
}

/*
 * The names clients asked for (TLS server_name, HTTP Host), with the
 * connections that asked and what they carried; only when there were.
 */
static void
report_servers(const struct out *o, struct strbuf *b, const msgpack_object *m)
{
	const msgpack_object *l = list(m, "top_servers"), *e;
	uint32_t i;
	size_t s;

	if (l == NULL || l->via.array.size == 0)
		return;
	sb_adds(b, "Top server names (TLS server name, HTTP Host):\n");
	for (i = 0; i < l->via.array.size; i++) {
		e = &l->via.array.ptr[i];
		sb_adds(b, "  ");
		out_color(o, b, OC_GREEN);
		s = b->len;
		out_str(b, e, "name");
		pad_to(b, s, 26);
		out_uncolor(o, b, OC_GREEN);
		pkts_col(b, rec_num(e, "packets"));
		out_scaled(b, rec_num(e, "bytes"), "B");
		out_f(b, "  (%.0f connection", rec_num(e, "flows"));
		sb_adds(b, rec_num(e, "flows") == 1 ? ")" : "s)");
		sb_addc(b, '\n');
	}
}

/*
 * addr:port, with an IPv6 address in brackets so the port stands apart,
 * and its name after.
 */
static void
endpoint(const struct out *o, struct strbuf *b, const msgpack_object *e,
    const char *key, const char *namekey, double port)
{
	out_host(b, rec_get(e, key));
	out_f(b, ":%.0f", port);
	out_name(o, b, e, namekey);
}

/*
 * An ICMP flow has no ports: nm-stats gives its first message's type and
 * code in their place, shown as what they are ("echo request (8/0)").
 */
static int
icmp_flow(const struct out *o, struct strbuf *b, const msgpack_object *e)
{
	const msgpack_object *p = rec_get(e, "proto");
	double type = rec_num(e, "sport"), code = rec_num(e, "dport");
	const char *name;
	int v6;

	if (p == NULL || p->type != MSGPACK_OBJECT_STR || p->via.str.size < 4 ||
	    memcmp(p->via.str.ptr, "ICMP", 4) != 0 ||
	    (p->via.str.size != 4 &&
		(p->via.str.size != 6 || memcmp(p->via.str.ptr + 4, "v6", 2))))
		return 0;
	v6 = p->via.str.size == 6;
	host(o, b, e, "src", "src_name");
	out_geo(o, b, e, "src_geo", "src", 1);
	sb_adds(b, out_arrow(o));
	host(o, b, e, "dst", "dst_name");
	out_geo(o, b, e, "dst_geo", "dst", 1);
	if (rec_get(e, "sport") == NULL)
		return 1; /* merged: its messages are not known */
	sb_addc(b, ' ');
	if ((name = out_icmp_name((uint64_t)type, (uint64_t)code, v6)) != NULL)
		sb_adds(b, name);
	else
		sb_adds(b, "type");
	out_f(b, " (%.0f/%.0f)", type, code);
	return 1;
}

static void
report_flows(const struct out *o, struct strbuf *b, const msgpack_object *m)
{
	const msgpack_object *l = list(m, "top_flows"), *e;
	uint32_t i;

	sb_adds(b, "Top connections (packets/bytes each way, state):\n");
	for (i = 0; l != NULL && i < l->via.array.size; i++) {
		e = &l->via.array.ptr[i];
		sb_adds(b, "  ");
		out_color(o, b, name_color(rec_get(e, "proto")));
		out_str(b, e, "proto");
		out_uncolor(o, b, name_color(rec_get(e, "proto")));
		sb_addc(b, ' ');
		if (!icmp_flow(o, b, e)) {
			endpoint(
			    o, b, e, "src", "src_name", rec_num(e, "sport"));
			out_geo(o, b, e, "src_geo", "src", 1);
			sb_adds(b, out_arrow(o));
			endpoint(
			    o, b, e, "dst", "dst_name", rec_num(e, "dport"));
			out_geo(o, b, e, "dst_geo", "dst", 1);
		}
		if (rec_get(e, "service") != NULL) {
			sb_adds(b, " (");
			out_str(b, e, "service");
			if (rec_get(e, "server") != NULL) {
				sb_addc(b, ' ');
				out_str(b, e, "server");
			}
			sb_addc(b, ')');
		}
		sb_adds(b, " ");
		if (rec_get(e, "orig") == NULL) {
			/* merged: both ways together (nm-stats --merge) */
			sb_adds(b, "both ways ");
			pkts(b, rec_num(e, "packets"));
			sb_addc(b, ' ');
			out_scaled(b, rec_num(e, "bytes"), "B");
			err_note(b, e);
			sb_addc(b, '\n');
			continue;
		}
		sb_adds(b, out_arrow(o));
		pkts(b, rec_num(e, "orig.packets"));
		sb_addc(b, ' ');
		out_scaled(b, rec_num(e, "orig.bytes"), "B");
		sb_addc(b, ',');
		sb_adds(b, out_larrow(o));
		pkts(b, rec_num(e, "resp.packets"));
		sb_addc(b, ' ');
		out_scaled(b, rec_num(e, "resp.bytes"), "B");
		sb_adds(b, "  ");
		out_str(b, e, "state");
		if (rec_get(e, "history") != NULL) {
			sb_addc(b, ' ');
			out_str(b, e, "history");
		}
		sb_addc(b, '\n');
	}
}

/*
 * Each source's packets, bytes, average rate and first protocols, and
 * its top addresses when nm-stats was asked for them.
 */
static void
report_sources(const struct out *o, struct strbuf *b, const msgpack_object *m)
{
	const msgpack_object *l = list(m, "per_source"), *e, *p, *x;
	uint32_t i, j;
	size_t s;

	if (l == NULL)
		return;
	sb_adds(b, "Sources (packets, bytes, average rate, protocols):\n");
	for (i = 0; i < l->via.array.size; i++) {
		e = &l->via.array.ptr[i];
		sb_adds(b, "  ");
		out_color(o, b, OC_BLUE);
		s = b->len;
		src_name(b, e);
		pad_to(b, s, 12);
		out_uncolor(o, b, OC_BLUE);
		pkts_col(b, rec_num(e, "total.packets"));
		s = b->len;
		out_scaled(b, rec_num(e, "total.bytes"), "B");
		pad_to(b, s, 9);
		out_scaled(b, rec_num(e, "rate.avg_bps"), "bit/s");
		p = list(e, "protos");
		for (j = 0; p != NULL && j < p->via.array.size && j < 3; j++) {
			x = &p->via.array.ptr[j];
			sb_adds(b, j ? ", " : "  ");
			out_str(b, x, "name");
			sb_addc(b, ' ');
			pct(b, rec_num(x, "pkt_pct"));
		}
		sb_addc(b, '\n');
		p = list(e, "top_hosts");
		for (j = 0; p != NULL && j < p->via.array.size && j < 5; j++) {
			x = &p->via.array.ptr[j];
			sb_adds(b, j ? ", " : "    top: ");
			host(o, b, x, "addr", "name");
			out_f(b, ": %.0f", rec_num(x, "packets"));
		}
		if (p != NULL && p->via.array.size > 0)
			sb_addc(b, '\n');
	}
}

/* "Capture eth0: received 10, dropped ..."; name NULL: the total's. */
static void
capture_line(struct strbuf *b, const msgpack_object *m, const msgpack_object *e)
{
	const msgpack_object *cap = rec_get(m, "capture");

	sb_adds(b, "Capture");
	if (e != NULL) {
		sb_addc(b, ' ');
		src_name(b, e);
	}
	out_f(b, ": received %.0f", rec_num(cap, "recv"));
	out_f(b, ", dropped %.0f by the kernel", rec_num(cap, "drop"));
	out_f(b, ", %.0f by the interface", rec_num(cap, "ifdrop"));
	if (rec_num(cap, "late") > 0)
		out_f(b, ", %.0f out of order", rec_num(cap, "late"));
	sb_adds(b, "; ");
	coverage(b, m, 0);
	sb_addc(b, '\n');
}

static void
final_report(const struct out *o, struct strbuf *b, const msgpack_object *m)
{
	const msgpack_object *l = list(m, "per_source"), *e;
	uint32_t i;

	sb_adds(b, RULE "FINAL REPORT\n");
	out_f(b, "Duration: %.1fs", rec_num(m, "runtime") / 1e9);
	out_f(b, " | Packets: %.0f | Bytes: ", rec_num(m, "total.packets"));
	out_scaled(b, rec_num(m, "total.bytes"), "B");
	out_f(b, " | Avg PPS: %.2f | Avg rate: ", rec_num(m, "rate.avg_pps"));
	out_scaled(b, rec_num(m, "rate.avg_bps"), "bit/s");
	out_f(b, " | Connections: %.0f\n", rec_num(m, "total.flows"));
	report_estimate(b, m);
	report_protos(o, b, m);
	report_hosts(o, b, m);
	report_ports(o, b, m);
	report_servers(o, b, m);
	report_flows(o, b, m);
	report_sources(o, b, m);
	for (i = 0; l != NULL && i < l->via.array.size; i++) {
		e = &l->via.array.ptr[i];
		if (rec_get(e, "capture") != NULL)
			capture_line(b, e, e);
	}
	if (rec_get(m, "capture") != NULL)
		capture_line(b, m, NULL);
	if (rec_num(m, "evicted.flows") > 0 ||
	    rec_num(m, "evicted.hosts") > 0) {
		out_f(b, "Evicted to stay within limits: %.0f flow%s",
		    rec_num(m, "evicted.flows"),
		    rec_num(m, "evicted.flows") == 1 ? "" : "s");
		out_f(b, ", %.0f host%s\n", rec_num(m, "evicted.hosts"),
		    rec_num(m, "evicted.hosts") == 1 ? "" : "s");
	}
	sb_adds(b, RULE);
}

/*
 * Each block opens and closes with a rule; two blocks in a row (a quiet
 * interval, the report after the last block) share one.
 */
void
out_stats(struct out *o, struct strbuf *b, const msgpack_object *m)
{
	size_t start = b->len, n = sizeof(RULE) - 1;
	int final = 0;

	(void)rec_get_bool(m, "final", &final);
	if (final)
		final_report(o, b, m);
	else
		live_block(o, b, m);
	if (o->ruled && b->len - start >= n &&
	    memcmp(b->p + start, RULE, n) == 0) {
		memmove(b->p + start, b->p + start + n, b->len - start - n);
		b->len -= n;
	}
	o->ruled = 1;
}
