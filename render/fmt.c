/*
 * The formatting helpers nm-render's modes share: numbers, addresses,
 * timestamps, hex dumps and strings appended to a line buffer without
 * printf, so a busy stream costs little per field.  Strings that came off
 * the wire (DNS names, error texts) go through out_safe(), which escapes
 * anything but printable ASCII: a hostile packet must not drive the
 * terminal that shows it.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "geo.h"
#include "render.h"

static const char hexdig[] = "0123456789abcdef";

#define KEY(k, s) REC_KEY_IS(k, s)

static const msgpack_object *
as_map(const msgpack_object *v)
{
	return v->type == MSGPACK_OBJECT_MAP ? v : NULL;
}

static int
scan_uint(const msgpack_object *v, uint64_t *dst)
{
	if (v->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
		return 0;
	*dst = v->via.u64;
	return 1;
}

/*
 * One pass over the record instead of a lookup per key: the map has a
 * couple of dozen keys and the text modes want most of them.
 */
void
out_scan(const msgpack_object *map, struct out_pkt *p)
{
	const msgpack_object_kv *kv;
	const msgpack_object *k, *v;
	uint32_t i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < map->via.map.size; i++) {
		kv = &map->via.map.ptr[i];
		k = &kv->key;
		v = &kv->val;
		if (k->type != MSGPACK_OBJECT_STR)
			continue;
		if (KEY(k, "ts"))
			scan_uint(v, &p->ts);
		else if (KEY(k, "len"))
			scan_uint(v, &p->len);
		else if (KEY(k, "caplen"))
			scan_uint(v, &p->caplen);
		else if (KEY(k, "if"))
			scan_uint(v, &p->ifidx);
		else if (KEY(k, "poff"))
			p->has_poff = scan_uint(v, &p->poff);
		else if (KEY(k, "plen"))
			p->has_plen = scan_uint(v, &p->plen);
		else if (KEY(k, "data"))
			p->data = v->type == MSGPACK_OBJECT_BIN ? v : NULL;
		else if (KEY(k, "proto"))
			p->proto = v->type == MSGPACK_OBJECT_STR ? v : NULL;
		else if (KEY(k, "service"))
			p->service = v->type == MSGPACK_OBJECT_STR ? v : NULL;
		else if (KEY(k, "svcport")) {
			if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
				p->svcport = v->via.u64;
				p->has_svcport = 1;
			}
		} else if (KEY(k, "eth"))
			p->eth = as_map(v);
		else if (KEY(k, "sll"))
			p->sll = as_map(v);
		else if (KEY(k, "null"))
			p->null = as_map(v);
		else if (KEY(k, "vlan"))
			p->vlan = v->type == MSGPACK_OBJECT_ARRAY ? v : NULL;
		else if (KEY(k, "arp"))
			p->arp = as_map(v);
		else if (KEY(k, "ip"))
			p->ip = as_map(v);
		else if (KEY(k, "ipv6"))
			p->ipv6 = as_map(v);
		else if (KEY(k, "tcp"))
			p->tcp = as_map(v);
		else if (KEY(k, "udp"))
			p->udp = as_map(v);
		else if (KEY(k, "icmp"))
			p->icmp = as_map(v);
		else if (KEY(k, "icmpv6"))
			p->icmpv6 = as_map(v);
		else if (KEY(k, "dns"))
			p->dns = as_map(v);
		else if (KEY(k, "err"))
			p->err = as_map(v);
		else if (KEY(k, "tls"))
			p->tls = as_map(v);
		else if (KEY(k, "quic"))
			p->quic = as_map(v);
		else if (KEY(k, "http"))
			p->http = as_map(v);
	}
}

uint64_t
out_u(const msgpack_object *map, const char *key, uint64_t dflt)
{
	uint64_t v;

	return rec_get_u64(map, key, &v) ? v : dflt;
}

int
out_has(const msgpack_object *map, const char *key)
{
	return rec_get(map, key) != NULL;
}

void
out_u64(struct strbuf *b, uint64_t v)
{
	char tmp[20];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	sb_need(b, n);
	while (n > 0)
		b->p[b->len++] = tmp[--n];
}

void
out_i64(struct strbuf *b, int64_t v)
{
	if (v < 0) {
		sb_addc(b, '-');
		out_u64(b, (uint64_t)0 - (uint64_t)v);
	} else
		out_u64(b, (uint64_t)v);
}

/* 0x and at least width lower-case hex digits. */
void
out_hex(struct strbuf *b, uint64_t v, int width)
{
	char tmp[16];
	int n = 0;

	do {
		tmp[n++] = hexdig[v & 0xf];
		v >>= 4;
	} while (v != 0);
	while (n < width && n < 16)
		tmp[n++] = '0';
	sb_need(b, (size_t)n + 2);
	b->p[b->len++] = '0';
	b->p[b->len++] = 'x';
	while (n > 0)
		b->p[b->len++] = tmp[--n];
}

/* Zero-padded decimal of exactly width digits (for times). */
static void
out_dec_w(char *dst, uint64_t v, int width)
{
	while (width-- > 0) {
		dst[width] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* Nanoseconds as seconds, a dot and nine digits: every digit kept */
void
out_ns(struct strbuf *b, uint64_t ns)
{
	out_u64(b, ns / 1000000000u);
	sb_need(b, 10);
	b->p[b->len++] = '.';
	out_dec_w(b->p + b->len, ns % 1000000000u, 9);
	b->len += 9;
}

/* ".uuuuuu": the microseconds of frac nanoseconds */
static void
out_micro(struct strbuf *b, uint64_t frac)
{
	sb_need(b, 7);
	b->p[b->len++] = '.';
	out_dec_w(b->p + b->len, frac / 1000, 6);
	b->len += 6;
}

/* tcpdump's -ttt and -ttttt: a span as HH:MM:SS.uuuuuu, hours unbounded */
static void
out_span(struct strbuf *b, uint64_t ts, uint64_t from)
{
	uint64_t d = ts >= from ? ts - from : from - ts, s = d / 1000000000u;

	if (ts < from)
		sb_addc(b, '-');
	if (s / 3600 < 10)
		sb_addc(b, '0');
	out_u64(b, s / 3600);
	sb_need(b, 6);
	b->p[b->len++] = ':';
	out_dec_w(b->p + b->len, s / 60 % 60, 2);
	b->len += 2;
	b->p[b->len++] = ':';
	out_dec_w(b->p + b->len, s % 60, 2);
	b->len += 2;
	out_micro(b, d % 1000000000u);
}

/*
 * The local time of day (or date and time) is cached per second:
 * localtime_r() is costly and packets come many to a second.  Nothing
 * for -t: the caller leaves the column out.
 */
void
out_time(struct out *o, struct strbuf *b, uint64_t ts)
{
	time_t sec = (time_t)(ts / 1000000000u);
	uint64_t frac = ts % 1000000000u;
	size_t n = 8;
	struct tm tm;

	switch (o->tmode) {
	case OUT_TIME_NONE: return;
	case OUT_TIME_EPOCH:
		out_u64(b, (uint64_t)sec);
		out_micro(b, frac);
		return;
	case OUT_TIME_DELTA:
	case OUT_TIME_SINCE:
		if (!o->tseen) {
			o->tfirst = o->tprev = ts;
			o->tseen = 1;
		}
		out_span(
		    b, ts, o->tmode == OUT_TIME_DELTA ? o->tprev : o->tfirst);
		o->tprev = ts;
		return;
	default: break;
	}
	if (!o->tvalid || sec != o->tsec) {
		if (localtime_r(&sec, &tm) == NULL)
			memset(&tm, 0, sizeof(tm));
		n = 0;
		if (o->tmode == OUT_TIME_DATE) {
			/* four digits of year are enough until 9999 */
			out_dec_w(o->tbuf, (uint64_t)tm.tm_year + 1900, 4);
			o->tbuf[4] = '-';
			out_dec_w(o->tbuf + 5, (uint64_t)tm.tm_mon + 1, 2);
			o->tbuf[7] = '-';
			out_dec_w(o->tbuf + 8, (uint64_t)tm.tm_mday, 2);
			o->tbuf[10] = ' ';
			n = 11;
		}
		out_dec_w(o->tbuf + n, (uint64_t)tm.tm_hour, 2);
		o->tbuf[n + 2] = ':';
		out_dec_w(o->tbuf + n + 3, (uint64_t)tm.tm_min, 2);
		o->tbuf[n + 5] = ':';
		out_dec_w(o->tbuf + n + 6, (uint64_t)tm.tm_sec, 2);
		o->tsec = sec;
		o->tvalid = 1;
	}
	n = o->tmode == OUT_TIME_DATE ? 19 : 8;
	sb_add(b, o->tbuf, n);
	if (o->tmode == OUT_TIME_DATE) {
		out_micro(b, frac);
		return;
	}
	sb_need(b, 4);
	b->p[b->len++] = '.';
	out_dec_w(b->p + b->len, frac / 1000000, 3);
	b->len += 3;
}

const char *
out_arrow(const struct out *o)
{
	return o->ascii ? " > " : " \xe2\x86\x92 "; /* " → " */
}

const char *
out_larrow(const struct out *o)
{
	return o->ascii ? " < " : " \xe2\x86\x90 "; /* " ← " */
}

/* Escapes all but printable ASCII as \xNN. */
void
out_safe(struct strbuf *b, const char *s, size_t n)
{
	size_t i;
	unsigned char c;

	sb_need(b, n);
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f) {
			sb_need(b, 1);
			b->p[b->len++] = (char)c;
		} else {
			sb_need(b, 4);
			b->p[b->len++] = '\\';
			b->p[b->len++] = 'x';
			b->p[b->len++] = hexdig[c >> 4];
			b->p[b->len++] = hexdig[c & 0xf];
		}
	}
}

/* An address value's text into buf; returns its length. */
size_t
out_addr_len(const msgpack_object *v, char *buf, size_t len)
{
	size_t n, i;
	uint8_t x;

	if (v == NULL || len < 64) {
		if (len > 0)
			buf[0] = '\0';
		return 0;
	}
	if (v->type == MSGPACK_OBJECT_STR) {
		n = v->via.str.size < len - 1 ? v->via.str.size : len - 1;
		for (i = 0; i < n; i++) {
			x = (uint8_t)v->via.str.ptr[i];
			buf[i] = x >= 0x20 && x < 0x7f ? (char)x : '?';
		}
		buf[n] = '\0';
		return n;
	}
	if (v->type != MSGPACK_OBJECT_BIN) {
		buf[0] = '\0';
		return 0;
	}
	return addr_text(
	    buf, len, (const uint8_t *)v->via.bin.ptr, v->via.bin.size);
}

/* out_addr()'s text into buf (at least 64 bytes); returns its length. */
size_t
out_addr_buf(const msgpack_object *v, char *buf, size_t len)
{
	static const char longaddr[] = "(long address)";

	if (v != NULL && v->type == MSGPACK_OBJECT_BIN &&
	    v->via.bin.size > 40 && len >= sizeof(longaddr)) {
		memcpy(buf, longaddr, sizeof(longaddr));
		return sizeof(longaddr) - 1;
	}
	return out_addr_len(v, buf, len);
}

void
out_addr(struct strbuf *b, const msgpack_object *v)
{
	char buf[128];
	size_t n = out_addr_buf(v, buf, sizeof(buf));

	sb_add(b, buf, n);
}

void
out_host(struct strbuf *b, const msgpack_object *a)
{
	int v6 =
	    a != NULL && a->type == MSGPACK_OBJECT_BIN && a->via.bin.size == 16;

	if (v6)
		sb_addc(b, '[');
	if (a != NULL)
		out_value(b, a);
	if (v6)
		sb_addc(b, ']');
}

/* Any scalar, plainly; maps and arrays as their size. */
void
out_value(struct strbuf *b, const msgpack_object *v)
{
	char tmp[64];
	int n;

	switch (v->type) {
	case MSGPACK_OBJECT_POSITIVE_INTEGER: out_u64(b, v->via.u64); break;
	case MSGPACK_OBJECT_NEGATIVE_INTEGER: out_i64(b, v->via.i64); break;
	case MSGPACK_OBJECT_BOOLEAN:
		sb_addc(b, v->via.boolean ? '1' : '0');
		break;
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64:
		n = snprintf(tmp, sizeof(tmp), "%g", v->via.f64);
		if (n > 0)
			sb_add(b, tmp,
			    (size_t)n < sizeof(tmp) ? (size_t)n
						    : sizeof(tmp) - 1);
		break;
	case MSGPACK_OBJECT_STR:
		out_safe(b, v->via.str.ptr, v->via.str.size);
		break;
	case MSGPACK_OBJECT_BIN: out_addr(b, v); break;
	case MSGPACK_OBJECT_NIL: sb_adds(b, "nil"); break;
	default:
		sb_addc(b, '[');
		out_u64(b,
		    v->type == MSGPACK_OBJECT_MAP	  ? v->via.map.size
			: v->type == MSGPACK_OBJECT_ARRAY ? v->via.array.size
							  : 0);
		sb_addc(b, ']');
		break;
	}
}

/*
 * Lines of 16 bytes: offset, hex in two groups of eight, and the bytes
 * as ASCII with '.' for anything unprintable.
 */
void
out_hexdump(struct strbuf *b, const uint8_t *p, size_t n)
{
	size_t off, i, w;

	for (off = 0; off < n; off += 16) {
		w = n - off < 16 ? n - off : 16;
		sb_need(b, 2 + 4 + 2 + 16 * 3 + 1 + 1 + 16 + 1);
		b->p[b->len++] = ' ';
		b->p[b->len++] = ' ';
		b->p[b->len++] = hexdig[off >> 12 & 0xf];
		b->p[b->len++] = hexdig[off >> 8 & 0xf];
		b->p[b->len++] = hexdig[off >> 4 & 0xf];
		b->p[b->len++] = hexdig[off & 0xf];
		b->p[b->len++] = ' ';
		b->p[b->len++] = ' ';
		for (i = 0; i < 16; i++) {
			if (i == 8)
				b->p[b->len++] = ' ';
			if (i < w) {
				b->p[b->len++] = hexdig[p[off + i] >> 4];
				b->p[b->len++] = hexdig[p[off + i] & 0xf];
			} else {
				b->p[b->len++] = ' ';
				b->p[b->len++] = ' ';
			}
			b->p[b->len++] = ' ';
		}
		b->p[b->len++] = ' ';
		for (i = 0; i < w; i++)
			b->p[b->len++] = p[off + i] >= 0x20 && p[off + i] < 0x7f
			    ? (char)p[off + i]
			    : '.';
		b->p[b->len++] = '\n';
	}
}

void
out_name(const struct out *o, struct strbuf *b, const msgpack_object *map,
    const char *namekey)
{
	const msgpack_object *v = rec_get(map, namekey);

	if (o->nonames || v == NULL || v->type != MSGPACK_OBJECT_STR)
		return;
	sb_adds(b, " (");
	out_value(b, v);
	sb_addc(b, ')');
}

void
out_geo(const struct out *o, struct strbuf *b, const msgpack_object *map,
    const char *geokey, const char *addrkey, int bracket)
{
	const struct geo_info *gi;
	struct geo_info rgi;
	char t[GEO_AS_NAME_MAX + 32];
	size_t n;

	if (o->nogeo)
		return;
	if (geo_info_obj(rec_get(map, geokey), &rgi))
		gi = &rgi;
	else if ((gi = geo_find_obj(o->geo, rec_get(map, addrkey))) == NULL)
		return;
	if ((n = geo_text(t, sizeof(t), gi)) == 0)
		return;
	sb_adds(b, bracket ? " [" : "  ");
	out_safe(b, t, n); /* the stream's strings are anyone's */
	if (bracket)
		sb_addc(b, ']');
}

/* Bytes as lower-case hex, no separators. */
void
out_hexbytes(struct strbuf *b, const msgpack_object *v)
{
	const uint8_t *p = (const uint8_t *)v->via.bin.ptr;
	uint32_t i;

	sb_need(b, (size_t)v->via.bin.size * 2);
	for (i = 0; i < v->via.bin.size; i++) {
		b->p[b->len++] = hexdig[p[i] >> 4];
		b->p[b->len++] = hexdig[p[i] & 0xf];
	}
}
