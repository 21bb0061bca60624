/*
 * Fuzz target: nm-decode's HTTP/1.x heads (decode/http.c) and the TCP
 * application path that gathers them (decode/tcpapp.c, reasm.c).  The
 * first byte picks what the rest is: with its low bit clear, one head for
 * http_head, checked to give the same answer on every call and, once
 * done, fields that are NUL-ended strings inside the packet's arena;
 * with it set, a TCP stream cut into segments by the next bytes (each
 * segment's length, whether it goes out of order, overlaps, is resent,
 * or is cut by a snap length), decoded frame by frame as Ethernet, IPv4
 * and TCP, every packet packed as nm-decode packs it and read back
 * through the schema.  The reassembly's table lives across inputs, as
 * it lives across frames: streams left unfinished age out by packet time
 * or are pushed out, and its bounds must hold whatever came before.
 */
#include <string.h>

#include "app.h"
#include "rec.h"
#include "fuzz.h"
#include "packet.h"

static struct pkt pk;
static uint64_t now = 1;

/* A string the parser set: NULL, or NUL-ended inside the arena. */
static void
check_str(const char *s, const char *what)
{
	if (s == NULL)
		return;
	if (s < pk.arena || s >= pk.arena + pk.arenalen ||
	    memchr(s, 0, (size_t)(pk.arena + pk.arenalen - s)) == NULL)
		fz_fail("http %s is not a string of the arena", what);
}

static void
check_http(void)
{
	const struct pk_http *h = &pk.http;

	if (!(pk.have & PK_HTTP))
		return;
	if (h->is_request == h->is_response)
		fz_fail("http is neither or both a request and a response");
	if (h->is_response && (h->code < 100 || h->code > 999))
		fz_fail("http status %u outside 100..999", h->code);
	check_str(h->method, "method");
	check_str(h->uri, "uri");
	check_str(h->version, "version");
	check_str(h->host, "host");
	check_str(h->user_agent, "user_agent");
	check_str(h->content_type, "content_type");
	check_str(h->server, "server");
	check_str(h->phrase, "phrase");
	if (h->reasm_pieces == 1 || h->reasm_len > REASM_MAXBYTES)
		fz_fail("http reassembled from %u pieces, %u bytes",
		    h->reasm_pieces, h->reasm_len);
}

static void
one_head(const uint8_t *p, size_t n)
{
	enum app_res a, b;

	pk.have = 0;
	pk.arenalen = 0;
	a = http_head(&pk, p, n);
	if (a == APP_NOT)
		fz_fail("http_head said APP_NOT");
	if ((a == APP_DONE) != !!(pk.have & PK_HTTP) ||
	    (a == APP_BAD) != !!(pk.have & PK_ERR))
		fz_fail("http_head's answer %d and what it set disagree", a);
	check_http();
	pk.have = 0;
	pk.arenalen = 0;
	b = http_head(&pk, p, n);
	if (a != b)
		fz_fail("http_head answered %d, then %d", a, b);
}

/* An Ethernet/IPv4/TCP frame at seq with n payload bytes, cap of them. */
static size_t
frame(uint8_t *f, uint32_t seq, const uint8_t *p, size_t n, size_t cap)
{
	static const uint8_t hdr[54] = {
		2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00, /* eth */
		0x45, 0, 0, 0, 0, 1, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0,
		0, 2, /* IPv4 */
		0x9c, 0x40, 0, 80, 0, 0, 0, 0, 0, 0, 0, 1, 0x50, 0x18, 0xff,
		0xff, 0, 0, 0, 0, /* TCP */
	};
	size_t ipl = 40 + n;

	memcpy(f, hdr, sizeof(hdr));
	f[16] = (uint8_t)(ipl >> 8), f[17] = (uint8_t)ipl;
	f[38] = (uint8_t)(seq >> 24), f[39] = (uint8_t)(seq >> 16);
	f[40] = (uint8_t)(seq >> 8), f[41] = (uint8_t)seq;
	memcpy(f + sizeof(hdr), p, cap);
	return sizeof(hdr) + cap;
}

static void
check_packet(const uint8_t *f, size_t n)
{
	static struct pk sb;
	static int inited;

	if (!inited) {
		pk_init(&sb, 64 * 1024);
		inited = 1;
	}
	check_http();
	sb.len = 0;
	pk_map_open(&sb);
	pk_kstr(&sb, "type", "packet");
	pk_ku(&sb, "ts", now);
	pk_kbin(&sb, "data", f, n);
	pkt_pack(&sb, &pk);
	pk_close(&sb);
	fz_check_packed(&sb, "HTTP");
}

/*
 * The stream p, n in segments: each takes two control bytes from c (its
 * length, and what happens to it), the rest of the segment from p.
 */
static void
segments(const uint8_t *c, size_t nc, const uint8_t *p, size_t n)
{
	static uint8_t f[54 + 65536];
	uint32_t isn = (uint32_t)now * 2654435761u;
	size_t off = 0, len, cap, at, i, fl;
	unsigned how = 0;

	for (i = 0; i + 1 < nc && off < n; i += 2) {
		len = 1 + c[i] * 8u;
		if (len > n - off)
			len = n - off;
		how = c[i + 1];
		at = off;
		if (how & 1 && off >= len)
			at = off - len / 2;    /* overlaps what went before */
		cap = how & 2 ? len / 2 : len; /* cut by the snap length */
		if (how & 4 && off + len < n) {
			/* the next piece first */
			fl =
			    frame(f, isn + (uint32_t)(off + len), p + off + len,
				n - off - len < len ? n - off - len : len,
				n - off - len < len ? n - off - len : len);
			pk.ts = now++;
			dec_packet(&pk, 1, f, fl);
			check_packet(f, fl);
		}
		fl = frame(f, isn + (uint32_t)at, p + at, len, cap);
		pk.ts = how & 8 ? now + REASM_MAXAGE : now++;
		dec_packet(&pk, 1, f, fl);
		check_packet(f, fl);
		if (!(how & 16)) /* else resent: the same piece again */
			off += len;
	}
	now += how & 32 ? 2 * REASM_MAXAGE : 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t nc;

	if (size < 2)
		return 0;
	if (!(data[0] & 1)) {
		one_head(data + 1, size - 1);
		return 0;
	}
	/* the control bytes' count, then them, then the stream */
	nc = 2 * (size_t)(data[1] % 16);
	if (nc > size - 2)
		nc = size - 2;
	if (size - 2 - nc > 65536)
		return 0;
	segments(data + 2, nc, data + 2 + nc, size - 2 - nc);
	return 0;
}
