/*
 * The top view's counting: what each packet record adds to the tables of
 * connections (both directions one row), hosts and service ports, each
 * row's bytes per second of stream time in a ring of 40, from which the
 * 2, 10 and 40 second means come (iftop's three columns); the header's
 * figures from capstats and nm-stats' stats records; and, once a second
 * of wall time, the order of the shown table and the model the screen is
 * drawn from.  Rows are bounded: a row idle for a minute of stream time
 * goes, and a full table makes room by evicting the idlest of a few it
 * samples, counting them.  The stage callbacks are here too: the driver
 * runs -m top like any other mode.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geo.h"
#include "top.h"

#define NS	   1000000000ULL
#define TICK_NS	   (100ULL * 1000000ULL) /* keys are looked at this often */
#define REFRESH_NS NS /* the table is ordered and drawn anew */
#define PKT_BYTES  64 /* a small packet: what hysteresis ignores */

/* Only what the tables use: the reader leaves the rest of each layer. */
const char *const top_keys[] = { "ts", "if", "len", "ip.src", "ip.dst",
	"ip.proto", "ipv6.src", "ipv6.dst", "ipv6.proto", "ipv6.nxt", "arp.spa",
	"arp.tpa", "tcp.sport", "tcp.dport", "tcp.flags", "udp.sport",
	"udp.dport", "proto", "service", "svcport", "dns", "tls.type",
	"tls.sni", "http.method", "http.host", NULL };

/* Each view's columns, in their order on the screen. */
static const enum top_col conn_cols[] = { TC_PROTO, TC_SRC, TC_DST, TC_SVC,
	TC_STATE, TC_R2, TC_R10, TC_R40, TC_SENT, TC_RECV, TC_TOTAL, TC_GEO };
static const enum top_col host_cols[] = { TC_SRC, TC_R2, TC_R10, TC_R40,
	TC_SENT, TC_RECV, TC_TOTAL, TC_PKTS, TC_GEO };
_Static_assert(sizeof(conn_cols) / sizeof(conn_cols[0]) <= TOP_NCOLS &&
	sizeof(host_cols) / sizeof(host_cols[0]) <= TOP_NCOLS,
    "TOP_NCOLS holds every view's columns");
/* TC_GEO, the last of a view's columns, only with a database */
static int geo_on;
static const enum top_col port_cols[] = { TC_SRC, TC_SVC, TC_R2, TC_R10, TC_R40,
	TC_SENT, TC_RECV, TC_TOTAL, TC_PKTS };

int
top_columns(enum top_view v, const enum top_col **cols)
{
	switch (v) {
	case TV_HOST:
		*cols = host_cols;
		return (int)(sizeof(host_cols) / sizeof(host_cols[0])) -
		    !geo_on;
	case TV_PORT:
		*cols = port_cols;
		return (int)(sizeof(port_cols) / sizeof(port_cols[0]));
	default:
		*cols = conn_cols;
		return (int)(sizeof(conn_cols) / sizeof(conn_cols[0])) -
		    !geo_on;
	}
}

const char *
top_col_name(enum top_view v, enum top_col c)
{
	static const char *const names[] = { [TC_PROTO] = "PROTO",
		[TC_SRC] = "SOURCE",
		[TC_DST] = "DESTINATION",
		[TC_SVC] = "SERVICE",
		[TC_STATE] = "ST",
		[TC_R2] = "2s",
		[TC_R10] = "10s",
		[TC_R40] = "40s",
		[TC_SENT] = "SENT",
		[TC_RECV] = "RECV",
		[TC_TOTAL] = "TOTAL",
		[TC_PKTS] = "PKTS",
		[TC_GEO] = "WHERE" };

	if (c == TC_SRC && v != TV_CONN)
		return v == TV_HOST ? "HOST" : "PORT";
	return names[c];
}

/* Text columns sort up, figures down (the biggest talker first). */
static int
col_is_text(enum top_col c)
{
	return c <= TC_STATE || c == TC_GEO;
}

static enum top_col
sort_col(const struct top *tp)
{
	const enum top_col *cols;
	int n = top_columns(tp->view, &cols);

	return cols[tp->sortcol[tp->view] < n ? tp->sortcol[tp->view] : 0];
}

/* --- the tables --- */

static struct top_row *
row_get(struct top_table *t, const struct top_key *k, uint64_t ts)
{
	struct top_row *r;
	uint32_t h = tab_hash(&t->t, k);

	if ((r = tab_find_h(&t->t, k, h, NULL)) != NULL)
		return r;
	if (t->t.count >= t->t.cap) {
		/* the idlest of a few sampled rows makes room */
		tab_evict(&t->t, offsetof(struct top_row, last));
		t->evicted++;
	}
	r = tab_insert_h(&t->t, k, h);
	r->first = r->last = ts;
	r->sec = ts / NS;
	return r;
}

/* Adds n bytes at stream second sec to a ring that last moved at *last. */
static void
ring_add(uint32_t *ring, size_t len, uint64_t *last, uint64_t sec, uint64_t n)
{
	uint64_t s;

	if (sec > *last) {
		/* the seconds passed since are quiet ones */
		for (s = *last + 1; s <= sec && s <= *last + len; s++)
			ring[s % len] = 0;
		*last = sec;
	}
	/* a late packet (several sources) counts in its second if kept */
	if (sec + len <= *last)
		return;
	s = ring[sec % len] + n;
	ring[sec % len] = s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
}

static void
row_add(struct top_row *r, int dir, uint64_t ts, uint64_t len, uint64_t flags,
    const struct out_pkt *p)
{
	r->pkts[dir]++;
	r->bytes[dir] += len;
	if (ts > r->last)
		r->last = ts;
	r->flags[dir] |= (uint8_t)flags;
	ring_add(r->ring, TOP_RING, &r->sec, ts / NS, len);
	if (r->proto[0] == '\0' && p->proto != NULL &&
	    p->proto->type == MSGPACK_OBJECT_STR) {
		size_t n = p->proto->via.str.size;
		n = n < sizeof(r->proto) - 1 ? n : sizeof(r->proto) - 1;
		memcpy(r->proto, p->proto->via.str.ptr, n);
	}
	if (r->service[0] == '\0' && p->service != NULL &&
	    p->service->type == MSGPACK_OBJECT_STR) {
		size_t n = p->service->via.str.size;
		n = n < sizeof(r->service) - 1 ? n : sizeof(r->service) - 1;
		memcpy(r->service, p->service->via.str.ptr, n);
	}
}

/*
 * The name a client asked for in this packet (a ClientHello's server
 * name, a request's Host), printable bytes only: it is the wire's.
 */
static void
server_of(const struct out_pkt *p, char *buf, size_t len)
{
	const msgpack_object *v = NULL;
	uint64_t type = 0;
	uint32_t i;

	if (p->tls != NULL && rec_get_u64(p->tls, "type", &type) && type == 1)
		v = rec_get(p->tls, "sni");
	else if (p->http != NULL && rec_get(p->http, "method") != NULL)
		v = rec_get(p->http, "host");
	if (v == NULL || v->type != MSGPACK_OBJECT_STR || len == 0)
		return;
	for (i = 0; i < v->via.str.size && i + 1 < len; i++)
		buf[i] = v->via.str.ptr[i] > ' ' && v->via.str.ptr[i] < 0x7f
		    ? v->via.str.ptr[i]
		    : '?';
	buf[i] = '\0';
}

/* An address value of a record (4 or 16 bytes; ARP's MAC too). */
static int
addr_of(
    const msgpack_object *layer, const char *key, uint8_t *out, uint8_t *len)
{
	const msgpack_object *v = layer != NULL ? rec_get(layer, key) : NULL;

	if (v == NULL || v->type != MSGPACK_OBJECT_BIN ||
	    v->via.bin.size == 0 || v->via.bin.size > 16)
		return 0;
	memcpy(out, v->via.bin.ptr, v->via.bin.size);
	*len = (uint8_t)v->via.bin.size;
	return 1;
}

/* What a packet says of its ends: addresses, ports, protocol. */
struct ends {
	uint8_t src[16], dst[16], slen, dlen, ipproto;
	uint16_t sport, dport;
	uint64_t flags;
};

static int
ends_of(const struct out_pkt *p, struct ends *e)
{
	const msgpack_object *l4 = p->tcp != NULL ? p->tcp : p->udp;

	memset(e, 0, sizeof(*e));
	if (p->ip != NULL) {
		if (!addr_of(p->ip, "src", e->src, &e->slen) ||
		    !addr_of(p->ip, "dst", e->dst, &e->dlen))
			return 0;
		e->ipproto = (uint8_t)out_u(p->ip, "proto", 0);
	} else if (p->ipv6 != NULL) {
		if (!addr_of(p->ipv6, "src", e->src, &e->slen) ||
		    !addr_of(p->ipv6, "dst", e->dst, &e->dlen))
			return 0;
		e->ipproto =
		    (uint8_t)out_u(p->ipv6, "proto", out_u(p->ipv6, "nxt", 0));
	} else if (p->arp != NULL) {
		if (!addr_of(p->arp, "spa", e->src, &e->slen) ||
		    !addr_of(p->arp, "tpa", e->dst, &e->dlen))
			return 0;
	} else
		return 0;
	if (l4 != NULL) {
		e->sport = (uint16_t)out_u(l4, "sport", 0);
		e->dport = (uint16_t)out_u(l4, "dport", 0);
	}
	if (p->tcp != NULL)
		e->flags = out_u(p->tcp, "flags", 0);
	return 1;
}

/* The connection's key, its ends in order, and which end sent this. */
static int
conn_key(const struct ends *e, struct top_key *k)
{
	int c = memcmp(e->src, e->dst, 16);

	memset(k, 0, sizeof(*k));
	k->view = TV_CONN;
	k->ipproto = e->ipproto;
	if (c > 0 || (c == 0 && e->sport > e->dport)) {
		memcpy(k->a, e->dst, 16);
		memcpy(k->b, e->src, 16);
		k->alen = e->dlen, k->blen = e->slen;
		k->pa = e->dport, k->pb = e->sport;
		return 1;
	}
	memcpy(k->a, e->src, 16);
	memcpy(k->b, e->dst, 16);
	k->alen = e->slen, k->blen = e->dlen;
	k->pa = e->sport, k->pb = e->dport;
	return 0;
}

static void
host_key(struct top_key *k, const uint8_t *a, uint8_t len)
{
	memset(k, 0, sizeof(*k));
	k->view = TV_HOST;
	memcpy(k->a, a, 16);
	k->alen = len;
}

/* The header's total: bytes and packets per second of stream time. */
static void
total_add(struct top *tp, uint64_t ts, uint64_t len)
{
	uint64_t sec = ts / NS, s;

	if (tp->spark_sec == 0)
		tp->spark_sec = sec;
	if (sec > tp->spark_sec) {
		for (s = tp->spark_sec + 1;
		     s <= sec && s <= tp->spark_sec + TOP_SPARK; s++)
			tp->spark[s % TOP_SPARK] =
			    tp->spark_pkts[s % TOP_SPARK] = 0;
		tp->spark_sec = sec;
	}
	if (sec + TOP_SPARK <= tp->spark_sec)
		return;
	tp->spark[sec % TOP_SPARK] += len;
	tp->spark_pkts[sec % TOP_SPARK]++;
}

/* Stream time goes forward only: a late source's packet moves nothing. */
static void
advance(struct top *tp, uint64_t ts)
{
	if (ts == 0)
		return;
	if (tp->start == 0)
		tp->start = ts;
	if (ts > tp->now)
		tp->now = ts;
	total_add(tp, ts > tp->now ? ts : tp->now, 0);
}

void
top_packet(struct top *tp, const msgpack_object *map)
{
	struct out_pkt p;
	struct ends e;
	struct top_key k;
	struct top_row *r;
	uint64_t ts, len;
	int dir;

	out_scan(map, &p);
	ts = p.ts;
	len = p.len;
	tp->seen++;
	out_report_count(p.ifidx);
	if (p.dns != NULL && tp->names != NULL)
		names_learn(tp->names, p.dns, ts);
	advance(tp, ts);
	if (tp->filter != NULL && !filter_match(tp->filter, map))
		return;
	tp->packets++;
	tp->bytes += len;
	total_add(tp, ts, len);
	if (!ends_of(&p, &e))
		return;
	dir = conn_key(&e, &k);
	r = row_get(&tp->tab[TV_CONN], &k, ts);
	if (r->pkts[0] + r->pkts[1] == 0)
		r->orig = (uint8_t)dir;
	row_add(r, dir, ts, len, e.flags, &p);
	if (r->server[0] == '\0')
		server_of(&p, r->server, sizeof(r->server));
	/* hosts are IP hosts, as nm-stats counts them: ARP is a row above */
	if (p.arp != NULL)
		return;
	host_key(&k, e.src, e.slen);
	row_add(row_get(&tp->tab[TV_HOST], &k, ts), 0, ts, len, 0, &p);
	host_key(&k, e.dst, e.dlen);
	row_add(row_get(&tp->tab[TV_HOST], &k, ts), 1, ts, len, 0, &p);
	if (p.has_svcport && p.svcport > 0) {
		memset(&k, 0, sizeof(k));
		k.view = TV_PORT;
		k.pa = (uint16_t)p.svcport;
		k.ipproto = e.ipproto;
		r = row_get(&tp->tab[TV_PORT], &k, ts);
		/* [0]: toward the service */
		row_add(r, e.dport == p.svcport ? 0 : 1, ts, len, 0, &p);
	}
}

void
top_clear(struct top *tp)
{
	int v;

	for (v = 0; v < TV_N; v++)
		while (tp->tab[v].t.count > 0)
			tab_remove(&tp->tab[v].t, tp->tab[v].t.count - 1);
	tp->packets = tp->bytes = 0;
	memset(tp->spark, 0, sizeof(tp->spark));
	memset(tp->spark_pkts, 0, sizeof(tp->spark_pkts));
}

/* --- rates and order --- */

/*
 * Bytes in the k whole seconds before stream second now, per second:
 * the second still running is left out, so a steady stream reads steady.
 */
static double
ring_mean(
    const uint32_t *ring, size_t len, uint64_t last, uint64_t now, unsigned k)
{
	uint64_t s, sum = 0;

	for (s = now - k; s < now; s++)
		if (s <= last && s + len > last)
			sum += ring[s % len];
	return (double)sum / k;
}

static double
row_rate(const struct top *tp, const struct top_row *r, unsigned k)
{
	return 8 * ring_mean(r->ring, TOP_RING, r->sec, tp->now / NS, k);
}

/*
 * TCP's state from the flags each way: RST, FIN, EST (a SYN answered, or
 * talk both ways), SYN (unanswered), OTH (caught midway, one way).
 */
static const char *
row_state(const struct top_row *r)
{
	unsigned f = (unsigned)(r->flags[0] | r->flags[1]);

	if (r->k.ipproto != 6)
		return "-";
	if (f & 0x04)
		return "RST";
	if (f & 0x01)
		return "FIN";
	if ((r->flags[0] & 0x02) && (r->flags[1] & 0x02))
		return "EST";
	if (f & 0x02)
		return r->pkts[0] && r->pkts[1] ? "EST" : "SYN";
	return r->pkts[0] && r->pkts[1] ? "EST" : "OTH";
}

/* sent and received as the view means them */
static uint64_t
row_sent(const struct top_row *r)
{
	return r->k.view == TV_CONN ? r->bytes[r->orig] : r->bytes[0];
}

static uint64_t
row_recv(const struct top_row *r)
{
	return r->k.view == TV_CONN ? r->bytes[!r->orig] : r->bytes[1];
}

static double
row_value(const struct top *tp, const struct top_row *r, enum top_col c)
{
	switch (c) {
	case TC_R2: return row_rate(tp, r, 2);
	case TC_R10: return row_rate(tp, r, 10);
	case TC_R40: return row_rate(tp, r, 40);
	case TC_SENT: return (double)row_sent(r);
	case TC_RECV: return (double)row_recv(r);
	case TC_TOTAL: return (double)(r->bytes[0] + r->bytes[1]);
	case TC_PKTS: return (double)(r->pkts[0] + r->pkts[1]);
	default: return 0;
	}
}

/* What one packet moves a figure by: a smaller change keeps the order. */
static double
margin(enum top_col c, double v)
{
	double unit = c == TC_PKTS ? 1 : PKT_BYTES;

	if (c == TC_R2 || c == TC_R10 || c == TC_R40)
		unit = 8.0 * PKT_BYTES /
		    (c == TC_R2		  ? 2
			    : c == TC_R10 ? 10
					  : 40);
	return v / 8 + unit;
}

static int sort_rev;	     /* for the comparators: reverse order */
static enum top_col sort_by; /* ... and the column */

static int
cmp_text(const void *x, const void *y)
{
	const struct top_row *a = *(struct top_row *const *)x,
			     *b = *(struct top_row *const *)y;
	int c;

	switch (sort_by) {
	case TC_PROTO: c = strcmp(a->proto, b->proto); break;
	case TC_SVC: c = strcmp(a->service, b->service); break;
	case TC_STATE: c = strcmp(row_state(a), row_state(b)); break;
	case TC_SRC:
		/* a port by its number; an address by its bytes */
		if (a->k.view == TV_PORT)
			c = a->k.pa < b->k.pa ? -1 : a->k.pa > b->k.pa;
		else
			c = memcmp(a->orig ? a->k.b : a->k.a,
			    b->orig ? b->k.b : b->k.a, 16);
		break;
	case TC_DST:
		c = memcmp(
		    a->orig ? a->k.a : a->k.b, b->orig ? b->k.a : b->k.b, 16);
		break;
	default: c = 0;
	}
	if (c == 0)
		c = memcmp(&a->k, &b->k, sizeof(a->k));
	return sort_rev ? -c : c;
}

/* The last order first; rows new since in their value's order. */
static int
cmp_rank(const void *x, const void *y)
{
	const struct top_row *a = *(struct top_row *const *)x,
			     *b = *(struct top_row *const *)y;

	if (a->rank != b->rank) {
		if (a->rank == 0 || b->rank == 0)
			return a->rank == 0 ? 1 : -1;
		return a->rank < b->rank ? -1 : 1;
	}
	if (a->val != b->val)
		return (a->val > b->val) != sort_rev ? -1 : 1;
	return memcmp(&a->k, &b->k, sizeof(a->k));
}

/* Whether row x has clearly passed row y: by more than a packet's worth */
static int
passes(
    const struct top_row *x, const struct top_row *y, enum top_col c, int rev)
{
	if (rev)
		return x->val + margin(c, x->val) < y->val;
	return x->val > y->val + margin(c, y->val);
}

/*
 * Orders the rows of the shown table.  Figures keep the order of the
 * last refresh unless a row has passed the one before it by a margin
 * (an insertion sort on the old order: nearly sorted, nearly linear), so
 * a one-packet change does not make rows jump.
 */
static size_t
order(struct top *tp, struct top_row **v)
{
	struct top_table *t = &tp->tab[tp->view];
	enum top_col c = sort_col(tp);
	struct top_row *x;
	size_t n = t->t.count, i, j;

	for (i = 0; i < n; i++) {
		v[i] = tab_at(&t->t, i);
		v[i]->val = row_value(tp, v[i], c);
	}
	sort_by = c;
	sort_rev = tp->reverse[tp->view];
	if (col_is_text(c))
		qsort(v, n, sizeof(*v), cmp_text);
	else {
		qsort(v, n, sizeof(*v), cmp_rank);
		for (i = 1; i < n; i++) {
			x = v[i];
			for (j = i; j > 0 && passes(x, v[j - 1], c, sort_rev);
			     j--)
				v[j] = v[j - 1];
			v[j] = x;
		}
	}
	for (i = 0; i < n; i++)
		v[i]->rank = (uint32_t)(i + 1);
	return n;
}

/* Rows idle for a minute of stream time go (counted). */
static void
expire(struct top *tp)
{
	struct top_row *r;
	size_t i;
	int v;

	if (tp->now < TOP_IDLE_NS)
		return;
	for (v = 0; v < TV_N; v++)
		for (i = tp->tab[v].t.count; i-- > 0;) {
			r = tab_at(&tp->tab[v].t, i);
			if (r->last + TOP_IDLE_NS < tp->now) {
				tab_remove(&tp->tab[v].t, i);
				tp->tab[v].expired++;
			}
		}
}

static void
addr_str(char *buf, size_t len, const uint8_t *a, uint8_t alen)
{
	if (addr_text(buf, len, a, alen) == 0 && len > 0)
		buf[0] = '\0';
}

static void
name_str(
    const struct top *tp, char *buf, size_t len, const uint8_t *a, uint8_t alen)
{
	const char *n = NULL;
	size_t i;

	buf[0] = '\0';
	if (tp->names != NULL && (alen == 4 || alen == 16))
		n = names_find(tp->names, a, alen, tp->now);
	if (n == NULL)
		return;
	/* a name is the wire's: only printable bytes reach the screen */
	for (i = 0; n[i] != '\0' && i + 1 < len; i++)
		buf[i] = n[i] > ' ' && n[i] < 0x7f ? n[i] : '?';
	buf[i] = '\0';
}

/* "GB AS12345": the country and the AS, the name left out (a column) */
static void
geo_str(
    const struct top *tp, char *buf, size_t len, const uint8_t *a, uint8_t alen)
{
	const struct geo_info *gi = geo_find(tp->out->geo, a, alen);

	buf[0] = '\0';
	if (gi == NULL)
		return;
	if (gi->asn != 0)
		snprintf(buf, len, "%s%sAS%u", gi->country,
		    gi->country[0] != '\0' ? " " : "", (unsigned)gi->asn);
	else
		snprintf(buf, len, "%s", gi->country);
}

static void
line_of(const struct top *tp, const struct top_row *r, struct top_line *l)
{
	const uint8_t *oa = r->orig ? r->k.b : r->k.a;
	const uint8_t *ob = r->orig ? r->k.a : r->k.b;
	uint8_t ol = r->orig ? r->k.blen : r->k.alen;
	uint8_t rl = r->orig ? r->k.alen : r->k.blen;

	memset(l, 0, sizeof(*l));
	memcpy(l->proto, r->proto, sizeof(l->proto));
	memcpy(l->service, r->service, sizeof(l->service));
	snprintf(l->state, sizeof(l->state), "%s", row_state(r));
	l->r2 = row_rate(tp, r, 2);
	l->r10 = row_rate(tp, r, 10);
	l->r40 = row_rate(tp, r, 40);
	l->sent = row_sent(r);
	l->recv = row_recv(r);
	l->pkts = r->pkts[0] + r->pkts[1];
	l->color = proto_color_of(r->proto, strlen(r->proto));
	switch (r->k.view) {
	case TV_CONN:
		addr_str(l->a, sizeof(l->a), oa, ol);
		addr_str(l->b, sizeof(l->b), ob, rl);
		name_str(tp, l->an, sizeof(l->an), oa, ol);
		name_str(tp, l->bn, sizeof(l->bn), ob, rl);
		geo_str(tp, l->geo, sizeof(l->geo), ob, rl);
		/* no DNS name for the server: the one its client asked for */
		if (l->bn[0] == '\0')
			memcpy(l->bn, r->server, sizeof(l->bn));
		l->pa = r->orig ? r->k.pb : r->k.pa;
		l->pb = r->orig ? r->k.pa : r->k.pb;
		l->ports = r->k.ipproto == 6 || r->k.ipproto == 17;
		break;
	case TV_HOST:
		addr_str(l->a, sizeof(l->a), r->k.a, r->k.alen);
		name_str(tp, l->an, sizeof(l->an), r->k.a, r->k.alen);
		geo_str(tp, l->geo, sizeof(l->geo), r->k.a, r->k.alen);
		break;
	default:
		snprintf(l->a, sizeof(l->a), "%u/%s", (unsigned)r->k.pa,
		    r->k.ipproto == 6	     ? "TCP"
			: r->k.ipproto == 17 ? "UDP"
					     : "IP");
		break;
	}
}

static void
header_figures(struct top *tp, struct top_model *m)
{
	uint64_t sec = tp->now / NS, s;
	int i;

	m->rate_from = tp->have_stats;
	if (tp->have_stats) {
		m->pps = tp->st_pps;
		m->bps = tp->st_bps;
	} else {
		m->pps = m->bps = 0;
		for (s = sec - 2; s < sec; s++)
			if (s <= tp->spark_sec &&
			    s + TOP_SPARK > tp->spark_sec) {
				m->pps +=
				    (double)tp->spark_pkts[s % TOP_SPARK] / 2;
				m->bps += 8.0 * tp->spark[s % TOP_SPARK] / 2;
			}
	}
	m->drops = 0;
	for (i = 0; i < 64; i++)
		m->drops += tp->cap_drop[i];
	m->coverage = tp->have_stats ? tp->st_cov : -1;
	m->packets = tp->packets;
	m->bytes = tp->bytes;
	m->evicted = tp->tab[tp->view].evicted;
	/* the sparkline: whole seconds, the oldest first */
	m->nspark = 0;
	for (s = sec >= TOP_SPARK ? sec - TOP_SPARK + 1 : 0; s < sec; s++) {
		if (s + TOP_SPARK <= tp->spark_sec || s > tp->spark_sec ||
		    s < tp->start / NS)
			continue;
		m->spark[m->nspark++] = tp->spark[s % TOP_SPARK];
	}
}

void
top_refresh(struct top *tp)
{
	static struct top_row *v[TOP_ROWS_MAX];
	struct top_model *m = &tp->m;
	size_t n, i;

	expire(tp);
	n = order(tp, v);
	m->rows = n;
	m->nline = (int)(n < TOP_LINES_MAX ? n : TOP_LINES_MAX);
	for (i = 0; i < (size_t)m->nline; i++)
		line_of(tp, v[i], &m->line[i]);
	header_figures(tp, m);
	m->now = tp->now;
}

/* --- records --- */

/* A figure of nm-stats' (KT_NUM: an integer or a float), or dflt. */
static double
num(const msgpack_object *map, const char *path, double dflt)
{
	const msgpack_object *v = rec_path(map, path);

	if (v == NULL)
		return dflt;
	switch (v->type) {
	case MSGPACK_OBJECT_POSITIVE_INTEGER: return (double)v->via.u64;
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64: return v->via.f64;
	default: return dflt;
	}
}

static void
stats_record(struct top *tp, const msgpack_object *m)
{
	int final = 0;

	(void)rec_get_bool(m, "final", &final);
	if (final) {
		tp->final.len = 0;
		tp->out->ruled = 0;
		out_stats(tp->out, &tp->final, m);
		return;
	}
	tp->have_stats = 1;
	tp->st_pps = num(m, "rate.pps", 0);
	tp->st_bps = num(m, "rate.bps", 0);
	tp->st_cov = num(m, "capture.coverage", -1);
}

static void
alert_record(struct top *tp, const msgpack_object *m)
{
	const char *s;
	size_t n, i;

	tp->alerts++;
	tp->alert_wall = stage_now();
	if (!rec_get_str(m, "msg", &s, &n))
		s = "alert", n = 5;
	for (i = 0; i < n && i + 1 < sizeof(tp->alert); i++)
		tp->alert[i] = s[i] >= ' ' && s[i] < 0x7f ? s[i] : '?';
	tp->alert[i] = '\0';
	tp->dirty = 1;
}

static void
on_header(struct stage *st, const struct rec *rec)
{
	(void)st;
	out_report_header(&rec->obj);
	out_alert_header(&rec->obj);
}

static void
on_record(struct stage *st, const struct rec *rec)
{
	struct top *tp = st->arg;
	uint64_t i, ts;
	int final = 0;

	switch (rec->type) {
	case REC_PACKET:
	case REC_FRAME: top_packet(tp, &rec->obj); break;
	case REC_CAPSTATS:
		if (rec_get_u64(&rec->obj, "ts", &ts))
			advance(tp, ts);
		i = out_u(&rec->obj, "if", 0);
		tp->cap_drop[i < 64 ? i : 63] =
		    out_u(&rec->obj, "drop", 0) + out_u(&rec->obj, "ifdrop", 0);
		/*
		 * The report's figures from the final one only: a live
		 * warning on stderr would tear the screen, and the header
		 * shows the drops.
		 */
		if (rec_get_bool(&rec->obj, "final", &final) && final)
			out_report_capstats(&rec->obj);
		break;
	case REC_STATS: stats_record(tp, &rec->obj); break;
	case REC_ALERT: alert_record(tp, &rec->obj); break;
	case REC_END: out_alert_end(&rec->obj); break;
	default: break;
	}
}

static void
keys(struct top *tp)
{
	int k;

	while ((k = top_screen_key(tp)) != -1)
		if (top_key(tp, k))
			tp->dirty = 1;
}

static uint64_t
on_tick(struct stage *st, uint64_t now)
{
	struct top *tp = st->arg;

	keys(tp);
	if (now >= tp->next_refresh) {
		if (!tp->paused)
			top_refresh(tp);
		tp->next_refresh = now + REFRESH_NS;
		tp->dirty = 1;
	}
	if (tp->dirty) {
		top_screen_draw(tp);
		tp->dirty = 0;
	}
	return now + TICK_NS;
}

/*
 * The stream is over but the user is looking: the last table stays up
 * until q (or a signal).
 */
static void
linger(struct top *tp, enum stage_end why)
{
	int rc, k;

	tp->ended = 1;
	if (!tp->paused)
		top_refresh(tp);
	snprintf(tp->status, sizeof(tp->status), "%s: q leaves",
	    why == STAGE_EOF ? "end of the stream" : "the input ended early");
	tp->status_err = why != STAGE_EOF;
	top_screen_draw(tp);
	while (!tp->quitting) {
		rc = top_screen_wait(tp, 1000);
		k = top_screen_key(tp);
		if (rc < 0 && k == -1)
			return; /* a signal, not a resize */
		for (; k != -1; k = top_screen_key(tp))
			if (top_key(tp, k))
				tp->dirty = 1;
		if (tp->dirty) {
			top_screen_draw(tp);
			tp->dirty = 0;
		}
	}
}

static void
scaled(struct strbuf *b, double v, const char *unit)
{
	static const char pre[] = " kMGT";
	char tmp[32];
	int i = 0;

	while (v >= 1000 && i < 4)
		v /= 1000, i++;
	if (i)
		snprintf(tmp, sizeof(tmp), "%.1f %c%s", v, pre[i], unit);
	else
		snprintf(tmp, sizeof(tmp), "%.0f %s", v, unit);
	sb_adds(b, tmp);
}

/* An end of a connection in the report: the name, else the address. */
static void
summary_end(const struct top *tp, struct strbuf *b, const char *addr,
    const char *name, unsigned port, int ports)
{
	char tmp[16];
	int v6 = strchr(addr, ':') != NULL && ports;

	if (tp->names_on && name[0] != '\0')
		sb_adds(b, name);
	else {
		sb_adds(b, v6 ? "[" : "");
		sb_adds(b, addr);
		sb_adds(b, v6 ? "]" : "");
	}
	if (ports) {
		snprintf(tmp, sizeof(tmp), ":%u", port);
		sb_adds(b, tmp);
	}
}

/* Without nm-stats' report: the connections and hosts the view counted */
static void
summary(struct top *tp, struct strbuf *b)
{
	static struct top_row *v[TOP_ROWS_MAX];
	struct top_line l;
	char tmp[64];
	size_t n, i;
	int view;

	sb_adds(b,
	    "=========================================================="
	    "==\nTOP VIEW | Packets: ");
	snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)tp->packets);
	sb_adds(b, tmp);
	sb_adds(b, " | Bytes: ");
	scaled(b, (double)tp->bytes, "B");
	snprintf(tmp, sizeof(tmp), " | Duration: %.1fs\n",
	    tp->now > tp->start ? (double)(tp->now - tp->start) / 1e9 : 0.0);
	sb_adds(b, tmp);
	for (view = TV_CONN; view <= TV_HOST; view++) {
		tp->view = (enum top_view)view;
		tp->sortcol[view] = view == TV_CONN ? 10 : 6; /* TOTAL */
		tp->reverse[view] = 0;
		for (i = 0; i < tp->tab[view].t.count; i++)
			((struct top_row *)tab_at(&tp->tab[view].t, i))->rank =
			    0;
		n = order(tp, v);
		sb_adds(b,
		    view == TV_CONN ? "Top connections (bytes each way):\n"
				    : "Top hosts (bytes sent, received):\n");
		for (i = 0; i < n && i < 10; i++) {
			line_of(tp, v[i], &l);
			sb_adds(b, "  ");
			if (view == TV_CONN) {
				sb_adds(b, l.proto);
				sb_addc(b, ' ');
				summary_end(tp, b, l.a, l.an, l.pa, l.ports);
				sb_adds(b, out_arrow(tp->out));
				summary_end(tp, b, l.b, l.bn, l.pb, l.ports);
				if (l.service[0] != '\0') {
					sb_adds(b, " (");
					sb_adds(b, l.service);
					sb_addc(b, ')');
				}
			} else {
				sb_adds(b, l.a);
				if (tp->names_on && l.an[0] != '\0') {
					sb_adds(b, " (");
					sb_adds(b, l.an);
					sb_addc(b, ')');
				}
			}
			sb_adds(b, "  ");
			scaled(b, (double)l.sent, "B");
			sb_adds(b, ", ");
			scaled(b, (double)l.recv, "B");
			sb_addc(b, '\n');
		}
	}
	sb_adds(b,
	    "=========================================================="
	    "==\n");
}

static void
on_finish(struct stage *st, enum stage_end why)
{
	struct top *tp = st->arg;
	struct strbuf b = { NULL, 0, 0 };

	if (why != STAGE_SIGNAL && !tp->quitting)
		linger(tp, why);
	top_screen_close(tp);
	if (tp->final.len > 0)
		sb_add(&b, tp->final.p, tp->final.len);
	else
		summary(tp, &b);
	out_alert_report(tp->out, &b);
	if (b.len > 0 && fwrite(b.p, 1, b.len, stdout) != b.len)
		nm_write_failed();
	if (fflush(stdout) != 0)
		nm_write_failed();
	out_report_print();
	if (ferror(stdout) || fclose(stdout) != 0)
		nm_write_failed();
	free(b.p);
	free(tp->final.p);
}

const struct stage_ops top_ops = {
	.name = "nm-render",
	.header = on_header,
	.record = on_record,
	.tick = on_tick,
	.finish = on_finish,
};

void
top_open(struct top *tp, struct out *o, const char *filter)
{
	char why[256];
	int v;

	tp->out = o;
	geo_on = o->geo != NULL;
	tp->names_on = !o->nonames;
	tp->names = names_new(0);
	for (v = 0; v < TV_N; v++) {
		/* the run key is drawn here, before the sandbox */
		tab_init(&tp->tab[v].t, sizeof(struct top_row),
		    v == TV_PORT       ? TOP_KEY_PORT
			: v == TV_HOST ? TOP_KEY_HOST
				       : sizeof(struct top_key),
		    TOP_ROWS_MAX);
		tp->sortcol[v] = v == TV_CONN ? 5 : 1; /* the 2 s mean */
	}
	if (filter != NULL) {
		tp->filter = filter_compile_opt(filter);
		snprintf(
		    tp->filter_text, sizeof(tp->filter_text), "%s", filter);
	}
	if (top_screen_open(tp, why, sizeof(why)) < 0)
		nm_die(NM_EXIT_USAGE, "-m top: %s", why);
	tp->dirty = 1;
}
