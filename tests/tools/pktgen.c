/*
 * pktgen: writes a classic pcap file of packets whose every byte is known,
 * so the golden tests have stable input and the benchmark a large one.  A
 * scenario names the content: "mixed" is one of each protocol case the
 * decoder knows (Ethernet, VLAN, ARP, IPv4 with options and fragments,
 * IPv6 with extension headers, TCP with options, UDP, DNS, ICMP, ICMPv6);
 * "sll", "sll2", "raw" and "null" carry a few IPv4/IPv6 packets over those
 * link types; "bulk" is COUNT packets of a realistic mix over many flows,
 * "mix" COUNT packets of tens of thousands of flows whose consecutive
 * packets rarely share a layout, "web" COUNT packets of browsers' sessions
 * (TLS 1.3 and 1.2 handshakes with ClientHellos of four clients' shapes,
 * half of them post-quantum and two segments long, encrypted records,
 * HTTP/1.1 requests and responses, QUIC Initials that decrypt); all three
 * the same for the same seed.
 * Timestamps start at 1700000000.000000000 and step by a fixed amount, so
 * nothing depends on when it ran.  Only libc is used; the file is written
 * little-endian byte by byte, so the output is the same on any host.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nm.h"

#define PG_SNAPLEN	65535
#define PG_T0		1700000000ULL	/* seconds of the first packet */
#define PG_NONE		((size_t)-1)	/* no such layer in the frame */

enum pg_link {
	PG_ETH = 1,		/* LINKTYPE_ETHERNET */
	PG_NULL = 0,		/* LINKTYPE_NULL: BSD loopback */
	PG_RAW = 101,		/* LINKTYPE_RAW: bare IPv4/IPv6 */
	PG_SLL = 113,		/* LINKTYPE_LINUX_SLL */
	PG_SLL2 = 276,		/* LINKTYPE_LINUX_SLL2 */
};

/* The output file and the clock every packet takes its stamp from. */
struct pg_out {
	FILE		*f;
	int		 nsec;		/* nanosecond magic, else microsecond */
	enum pg_link	 link;
	uint64_t	 ts;		/* nanoseconds since PG_T0 */
	uint64_t	 step;		/* added after each packet */
	uint64_t	 count;
	FILE		*hdrs;		/* -H: where each frame's headers end */
};

/*
 * One frame being built front to back.  The offsets of layer 3 and 4 are
 * kept so pg_done() can fill in lengths and checksums once the payload is
 * known.
 */
struct pg_frame {
	uint8_t		 b[PG_SNAPLEN];
	size_t		 n;
	size_t		 l3, l4;	/* PG_NONE when absent */
	int		 v6;		/* layer 3 is IPv6 */
	int		 l4proto;	/* 6, 17, 1, 58; 0: leave alone */
	int		 fixlen;	/* fill in IP/UDP lengths */
	int		 pad;		/* pad Ethernet frames to 60 bytes */
	size_t		 ndns;		/* offset of the DNS header */
	size_t		 hdrend;	/* where the headers end; 0: work out */
};

static const uint8_t mac_a[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t mac_b[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
static const uint8_t mac_r[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0xfe };
static const uint8_t mac_bc[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t mac_zero[6] = { 0 };
static const uint8_t ip_a[4] = { 10, 0, 0, 1 };
static const uint8_t ip_b[4] = { 10, 0, 0, 2 };
static const uint8_t ip_c[4] = { 10, 0, 0, 3 };
static const uint8_t ip_dns[4] = { 10, 0, 0, 53 };
static const uint8_t ip_far[4] = { 192, 0, 2, 80 };
static const uint8_t ip6_a[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t ip6_b[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 2 };
static const uint8_t ip6_dns[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0x53 };
/* fd00::2's solicited-node group, ff02::1:ff00:2, and its MAC. */
static const uint8_t ip6_snm[16] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 1, 0xff, 0, 0, 2 };
static const uint8_t mac_snm[6] = { 0x33, 0x33, 0xff, 0x00, 0x00, 0x02 };

/* ---------------------------------------------------------------- */
/* Writing bytes                                                     */

static void
put8(struct pg_frame *f, unsigned v)
{
	if (f->n < sizeof(f->b))
		f->b[f->n++] = (uint8_t)v;
}

static void
put16(struct pg_frame *f, unsigned v)
{
	put8(f, v >> 8 & 0xff);
	put8(f, v & 0xff);
}

static void
put32(struct pg_frame *f, uint32_t v)
{
	put16(f, v >> 16);
	put16(f, v & 0xffff);
}

static void
putle32(struct pg_frame *f, uint32_t v)
{
	put8(f, v & 0xff);
	put8(f, v >> 8 & 0xff);
	put8(f, v >> 16 & 0xff);
	put8(f, v >> 24);
}

static void
putb(struct pg_frame *f, const void *p, size_t n)
{
	const uint8_t *s = p;
	size_t i;

	for (i = 0; i < n; i++)
		put8(f, s[i]);
}

static void
putstr(struct pg_frame *f, const char *s)
{
	putb(f, s, strlen(s));
}

static void
set16(struct pg_frame *f, size_t off, unsigned v)
{
	f->b[off] = (uint8_t)(v >> 8);
	f->b[off + 1] = (uint8_t)v;
}

static void
fputle(FILE *fp, uint32_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		putc((int)(v >> (8 * i) & 0xff), fp);
}

/* ---------------------------------------------------------------- */
/* The pcap file                                                     */

static void
pg_open(struct pg_out *o, const char *path)
{
	if (strcmp(path, "-") == 0)
		o->f = stdout;
	else if ((o->f = fopen(path, "wb")) == NULL)
		nm_die(NM_EXIT_NOSOURCE, "%s: %s", path, strerror(errno));
	/* The global header, LINKTYPE in the last word. */
	fputle(o->f, o->nsec ? 0xa1b23c4d : 0xa1b2c3d4, 4);
	fputle(o->f, 2, 2);
	fputle(o->f, 4, 2);
	fputle(o->f, 0, 4);
	fputle(o->f, 0, 4);
	fputle(o->f, PG_SNAPLEN, 4);
	fputle(o->f, (uint32_t)o->link, 4);
}

static void
pg_write(struct pg_out *o, const struct pg_frame *f)
{
	uint64_t sub = o->ts % 1000000000ULL;

	fputle(o->f, (uint32_t)(PG_T0 + o->ts / 1000000000ULL), 4);
	fputle(o->f, (uint32_t)(o->nsec ? sub : sub / 1000), 4);
	fputle(o->f, (uint32_t)f->n, 4);
	fputle(o->f, (uint32_t)f->n, 4);
	fwrite(f->b, 1, f->n, o->f);
	if (o->hdrs)
		fprintf(o->hdrs, "%zu %zu\n", f->hdrend, f->ndns);
	o->ts += o->step;
	o->count++;
}

static void
pg_close(struct pg_out *o)
{
	if (fflush(o->f) == EOF || ferror(o->f) ||
	    (o->f != stdout && fclose(o->f) == EOF))
		nm_die(NM_EXIT_FAIL, "write: %s", strerror(errno));
}

/* ---------------------------------------------------------------- */
/* Layers                                                            */

static void
f_begin(struct pg_frame *f)
{
	f->n = 0;
	f->l3 = f->l4 = PG_NONE;
	f->v6 = 0;
	f->l4proto = 0;
	f->fixlen = 1;
	f->pad = 0;
	f->ndns = 0;
	f->hdrend = 0;
}

/*
 * The link header for the output's link type, ending with the ethertype
 * (or the family, for BSD loopback).  out says the frame was sent by us,
 * which only SLL can tell.
 */
static void
f_link(struct pg_frame *f, enum pg_link link, const uint8_t *src,
    const uint8_t *dst, unsigned type, int out)
{
	switch (link) {
	case PG_ETH:
		putb(f, dst, 6);
		putb(f, src, 6);
		put16(f, type);
		f->pad = 1;
		break;
	case PG_SLL:
		put16(f, out ? 4 : 0);
		put16(f, 1);
		put16(f, 6);
		putb(f, src, 6);
		put16(f, 0);
		put16(f, type);
		break;
	case PG_SLL2:
		put16(f, type);
		put16(f, 0);
		put32(f, 3);
		put16(f, 1);
		put8(f, out ? 4 : 0);
		put8(f, 6);
		putb(f, src, 6);
		put16(f, 0);
		break;
	case PG_NULL:
		/*
		 * The family in the writer's byte order: little-endian here;
		 * IPv6 as OpenBSD (24) writes it, and as macOS (30) does.
		 */
		putle32(f, type == 0x0800 ? 2 : out ? 24 : 30);
		break;
	case PG_RAW:
		break;
	}
}

/* Ethernet with 802.1Q/802.1ad tags: dst, src, then each TPID and TCI. */
static void
f_eth_tags(struct pg_frame *f, const uint8_t *src, const uint8_t *dst,
    const unsigned *tags, int ntags, unsigned type)
{
	int i;

	putb(f, dst, 6);
	putb(f, src, 6);
	for (i = 0; i < ntags; i++) {
		put16(f, tags[2 * i]);
		put16(f, tags[2 * i + 1]);
	}
	put16(f, type);
	f->pad = 1;
}

/* IPv4 header; total length and checksum come in pg_done(). */
static void
f_ip4(struct pg_frame *f, const uint8_t *src, const uint8_t *dst,
    unsigned proto, unsigned id, unsigned ttl, unsigned fragword,
    const uint8_t *opts, size_t optlen)
{
	f->l3 = f->n;
	f->v6 = 0;
	put8(f, 0x40 | (unsigned)(5 + optlen / 4));
	put8(f, 0);
	put16(f, 0);
	put16(f, id);
	put16(f, fragword);
	put8(f, ttl);
	put8(f, proto);
	put16(f, 0);
	putb(f, src, 4);
	putb(f, dst, 4);
	putb(f, opts, optlen);
	f->l4proto = (int)proto;
}

static void
f_ip6(struct pg_frame *f, const uint8_t *src, const uint8_t *dst,
    unsigned nxt, unsigned hlim, uint32_t flow)
{
	f->l3 = f->n;
	f->v6 = 1;
	put32(f, 0x60000000U | (flow & 0xfffff));
	put16(f, 0);
	put8(f, nxt);
	put8(f, hlim);
	putb(f, src, 16);
	putb(f, dst, 16);
	f->l4proto = (int)nxt;
}

static void
f_tcp(struct pg_frame *f, unsigned sport, unsigned dport, uint32_t seq,
    uint32_t ack, unsigned flags, unsigned win, const uint8_t *opts,
    size_t optlen)
{
	f->l4 = f->n;
	f->l4proto = 6;
	put16(f, sport);
	put16(f, dport);
	put32(f, seq);
	put32(f, ack);
	put16(f, (unsigned)((5 + optlen / 4) << 12) | (flags & 0xfff));
	put16(f, win);
	put16(f, 0);
	put16(f, 0);
	putb(f, opts, optlen);
}

static void
f_udp(struct pg_frame *f, unsigned sport, unsigned dport)
{
	f->l4 = f->n;
	f->l4proto = 17;
	put16(f, sport);
	put16(f, dport);
	put16(f, 0);
	put16(f, 0);
}

/* ICMP or ICMPv6 header with an identifier and sequence (echo). */
static void
f_icmp(struct pg_frame *f, int v6, unsigned type, unsigned code,
    unsigned id, unsigned seq)
{
	f->l4 = f->n;
	f->l4proto = v6 ? 58 : 1;
	put8(f, type);
	put8(f, code);
	put16(f, 0);
	put16(f, id);
	put16(f, seq);
}

/* The echo payload ping sends: a counting pattern. */
static void
f_pattern(struct pg_frame *f, size_t n, unsigned start)
{
	size_t i;

	for (i = 0; i < n; i++)
		put8(f, (start + i) & 0xff);
}

static uint32_t
sum_add(uint32_t s, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static unsigned
sum_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return ~s & 0xffff;
}

/*
 * Where the headers a decoder reads end: a snaplen below this must be
 * flagged as truncated.  DNS counts as header to its end; so does any
 * frame without a layer 3 we built (ARP, an unknown ethertype).  -H
 * writes it with the offset where DNS starts, since a cut exactly there
 * leaves no DNS to flag.
 */
static size_t
hdr_end(const struct pg_frame *f)
{
	unsigned t;

	if (f->hdrend)
		return f->hdrend;
	if (f->l4 != PG_NONE && f->l4proto) {
		t = f->b[f->l4];
		switch (f->l4proto) {
		case 6:
			return f->l4 + (size_t)(f->b[f->l4 + 12] >> 4) * 4;
		case 17:
			return f->ndns ? f->n : f->l4 + 8;
		case 58:
			return f->l4 + (t == 135 || t == 136 ? 24 : 8);
		default:
			return f->l4 + 8;
		}
	}
	if (f->l3 != PG_NONE)
		return f->l3 + (f->v6 ? 40 : (size_t)(f->b[f->l3] & 0x0f) * 4);
	return f->n;
}

/*
 * Fills in the lengths and checksums the headers left as zero, then pads
 * an Ethernet frame to the 60-byte minimum as a NIC would.
 */
static void
pg_done(struct pg_frame *f)
{
	size_t l4len, cks;
	uint32_t s = 0;
	uint8_t ph[8];

	if (f->l3 != PG_NONE && f->fixlen) {
		if (f->v6)
			set16(f, f->l3 + 4, (unsigned)(f->n - f->l3 - 40));
		else
			set16(f, f->l3 + 2, (unsigned)(f->n - f->l3));
	}
	if (f->l3 != PG_NONE && !f->v6) {
		set16(f, f->l3 + 10, 0);
		set16(f, f->l3 + 10, sum_fold(sum_add(0, f->b + f->l3,
		    (size_t)(f->b[f->l3] & 0x0f) * 4)));
	}
	if (f->l4 != PG_NONE && f->l4proto) {
		l4len = f->n - f->l4;
		if (f->l4proto == 17 && f->fixlen)
			set16(f, f->l4 + 4, (unsigned)l4len);
		cks = f->l4 + (f->l4proto == 6 ? 16 : f->l4proto == 17 ? 6 : 2);
		set16(f, cks, 0);
		if (f->l4proto != 1) {
			/* The pseudo-header: addresses, length, protocol. */
			if (f->v6)
				s = sum_add(s, f->b + f->l3 + 8, 32);
			else
				s = sum_add(s, f->b + f->l3 + 12, 8);
			ph[0] = (uint8_t)(l4len >> 24);
			ph[1] = (uint8_t)(l4len >> 16);
			ph[2] = (uint8_t)(l4len >> 8);
			ph[3] = (uint8_t)l4len;
			ph[4] = ph[5] = ph[6] = 0;
			ph[7] = (uint8_t)f->l4proto;
			s = sum_add(s, ph, 8);
		}
		s = sum_fold(sum_add(s, f->b + f->l4, l4len));
		if (f->l4proto == 17 && s == 0)
			s = 0xffff;
		set16(f, cks, s);
	}
	f->hdrend = hdr_end(f);
	while (f->pad && f->n < 60)
		put8(f, 0);
}

/* ---------------------------------------------------------------- */
/* DNS                                                               */

static void
dns_hdr(struct pg_frame *f, unsigned id, unsigned flags, unsigned qd,
    unsigned an, unsigned ns, unsigned ar)
{
	f->ndns = f->n;
	put16(f, id);
	put16(f, flags);
	put16(f, qd);
	put16(f, an);
	put16(f, ns);
	put16(f, ar);
}

/* A name as labels; returns its offset from the DNS header (for pointers). */
static unsigned
dns_name(struct pg_frame *f, const char *name)
{
	unsigned at = (unsigned)(f->n - f->ndns);
	const char *dot;
	size_t len;

	while (*name) {
		dot = strchr(name, '.');
		len = dot ? (size_t)(dot - name) : strlen(name);
		put8(f, (unsigned)len);
		putb(f, name, len);
		name += len + (dot != NULL);
	}
	put8(f, 0);
	return at;
}

static void
dns_question(struct pg_frame *f, const char *name, unsigned type)
{
	dns_name(f, name);
	put16(f, type);
	put16(f, 1);
}

/* An answer whose owner is a compression pointer to ptr. */
static void
dns_rr(struct pg_frame *f, unsigned ptr, unsigned type, uint32_t ttl,
    const void *rdata, size_t rdlen)
{
	put16(f, 0xc000 | ptr);
	put16(f, type);
	put16(f, 1);
	put32(f, ttl);
	put16(f, (unsigned)rdlen);
	putb(f, rdata, rdlen);
}

/* ---------------------------------------------------------------- */
/* Scenario pieces, shared by the link-type variants                 */

static const uint8_t syn_opts[20] = {
	2, 4, 0x05, 0xb4,		/* MSS 1460 */
	4, 2,				/* SACK permitted */
	8, 10, 0, 0, 0x10, 0x00, 0, 0, 0, 0,	/* timestamps 4096, 0 */
	1,				/* NOP */
	3, 3, 7				/* window scale 7 */
};

static const uint8_t synack_opts[20] = {
	2, 4, 0x05, 0xb4,
	4, 2,
	8, 10, 0, 0, 0x20, 0x00, 0, 0, 0x10, 0x00,
	1,
	3, 3, 7
};

/* NOP NOP timestamps, what every segment after the handshake carries. */
static void
ts_opts(uint8_t o[12], uint32_t val, uint32_t ecr)
{
	o[0] = 1;
	o[1] = 1;
	o[2] = 8;
	o[3] = 10;
	o[4] = (uint8_t)(val >> 24);
	o[5] = (uint8_t)(val >> 16);
	o[6] = (uint8_t)(val >> 8);
	o[7] = (uint8_t)val;
	o[8] = (uint8_t)(ecr >> 24);
	o[9] = (uint8_t)(ecr >> 16);
	o[10] = (uint8_t)(ecr >> 8);
	o[11] = (uint8_t)ecr;
}

#define TH_FIN	0x01
#define TH_SYN	0x02
#define TH_RST	0x04
#define TH_PSH	0x08
#define TH_ACK	0x10

/* One TCP segment of the IPv4 conversation a <-> b. */
static void
seg4(struct pg_out *o, struct pg_frame *f, int fromb, unsigned flags,
    uint32_t seq, uint32_t ack, const uint8_t *opts, size_t optlen,
    const char *data, unsigned id)
{
	f_begin(f);
	f_link(f, o->link, fromb ? mac_b : mac_a, fromb ? mac_a : mac_b,
	    0x0800, !fromb);
	f_ip4(f, fromb ? ip_b : ip_a, fromb ? ip_a : ip_b, 6, id, 64, 0x4000,
	    NULL, 0);
	f_tcp(f, fromb ? 80 : 40000, fromb ? 40000 : 80, seq, ack, flags,
	    fromb ? 65160 : 502, opts, optlen);
	if (data)
		putstr(f, data);
	pg_done(f);
	pg_write(o, f);
}

/* An HTTP exchange over IPv4: handshake, request, response, close. */
static void
sc_http4(struct pg_out *o, struct pg_frame *f, int full)
{
	static const char req[] = "GET / HTTP/1.1\r\nHost: example.test\r\n"
	    "User-Agent: pktgen\r\n\r\n";
	static const char rsp[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
	    "Content-Type: text/plain\r\n\r\nhello";
	uint32_t c = 1000000, s = 2000000;
	uint32_t lq = sizeof(req) - 1, lr = sizeof(rsp) - 1;
	uint8_t t[12];

	seg4(o, f, 0, TH_SYN, c, 0, syn_opts, 20, NULL, 0x1001);
	seg4(o, f, 1, TH_SYN | TH_ACK, s, c + 1, synack_opts, 20, NULL, 0);
	ts_opts(t, 4097, 8192);
	seg4(o, f, 0, TH_ACK, c + 1, s + 1, t, 12, NULL, 0x1002);
	if (!full)
		return;
	seg4(o, f, 0, TH_PSH | TH_ACK, c + 1, s + 1, t, 12, req, 0x1003);
	ts_opts(t, 8193, 4097);
	seg4(o, f, 1, TH_ACK, s + 1, c + 1 + lq, t, 12, NULL, 0x2001);
	seg4(o, f, 1, TH_PSH | TH_ACK, s + 1, c + 1 + lq, t, 12, rsp,
	    0x2002);
	ts_opts(t, 4098, 8193);
	seg4(o, f, 0, TH_ACK, c + 1 + lq, s + 1 + lr, t, 12, NULL, 0x1004);
	seg4(o, f, 0, TH_FIN | TH_ACK, c + 1 + lq, s + 1 + lr, t, 12, NULL,
	    0x1005);
	ts_opts(t, 8194, 4098);
	seg4(o, f, 1, TH_FIN | TH_ACK, s + 1 + lr, c + 2 + lq, t, 12, NULL,
	    0x2003);
	ts_opts(t, 4099, 8194);
	seg4(o, f, 0, TH_ACK, c + 2 + lq, s + 2 + lr, t, 12, NULL, 0x1006);
}

/* A DNS query from a to the server and its answer, over IPv4 or IPv6. */
static void
sc_dns(struct pg_out *o, struct pg_frame *f, int v6, unsigned id,
    const char *name, unsigned qtype, int answer)
{
	static const uint8_t a1[4] = { 10, 0, 0, 2 }, a2[4] = { 10, 0, 0, 3 };
	static const uint8_t aaaa[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0,
	    0, 0, 0, 0, 0, 0, 0, 2 };
	uint8_t cname[8];
	unsigned sport = 45000 + (id & 0xff), q, i;
	int r;

	for (r = 0; r < 2; r++) {
		f_begin(f);
		f_link(f, o->link, r ? mac_r : mac_a, r ? mac_a : mac_r,
		    v6 ? 0x86dd : 0x0800, !r);
		if (v6)
			f_ip6(f, r ? ip6_dns : ip6_a, r ? ip6_a : ip6_dns, 17,
			    64, 0x12345);
		else
			f_ip4(f, r ? ip_dns : ip_a, r ? ip_a : ip_dns, 17,
			    0x3000 + id % 256 + (unsigned)r, 64, 0, NULL, 0);
		f_udp(f, r ? 53 : sport, r ? sport : 53);
		if (!r) {
			dns_hdr(f, id, 0x0100, 1, 0, 0, 1);
			dns_question(f, name, qtype);
			/* An EDNS OPT record, as dig sends. */
			put8(f, 0);
			put16(f, 41);
			put16(f, 1232);
			put32(f, 0);
			put16(f, 0);
		} else if (answer == 0) {
			/* NXDOMAIN with nothing but the question. */
			dns_hdr(f, id, 0x8583, 1, 0, 0, 0);
			dns_question(f, name, qtype);
		} else if (qtype == 28) {
			dns_hdr(f, id, 0x8580, 1, 1, 0, 0);
			q = (unsigned)(f->n - f->ndns);
			dns_question(f, name, qtype);
			dns_rr(f, q, 28, 300, aaaa, 16);
		} else if (strncmp(name, "www.", 4) == 0) {
			/* A CNAME whose target points into the question. */
			dns_hdr(f, id, 0x8580, 1, 3, 0, 0);
			q = (unsigned)(f->n - f->ndns);
			dns_question(f, name, qtype);
			cname[0] = 3;
			memcpy(cname + 1, "web", 3);
			cname[4] = (uint8_t)(0xc0 | (q + 4) >> 8);
			cname[5] = (uint8_t)(q + 4);
			dns_rr(f, q, 5, 60, cname, 6);
			/* web.example.test's answers point at the CNAME data. */
			i = (unsigned)(f->n - f->ndns) - 6;
			dns_rr(f, i, 1, 300, a1, 4);
			dns_rr(f, i, 1, 300, a2, 4);
		} else {
			dns_hdr(f, id, 0x8580, 1, 2, 0, 0);
			q = (unsigned)(f->n - f->ndns);
			dns_question(f, name, qtype);
			dns_rr(f, q, 1, 300, a1, 4);
			dns_rr(f, q, 1, 300, a2, 4);
		}
		pg_done(f);
		pg_write(o, f);
	}
}

static void
sc_ping4(struct pg_out *o, struct pg_frame *f, unsigned seq)
{
	int r;

	for (r = 0; r < 2; r++) {
		f_begin(f);
		f_link(f, o->link, r ? mac_b : mac_a, r ? mac_a : mac_b,
		    0x0800, !r);
		f_ip4(f, r ? ip_b : ip_a, r ? ip_a : ip_b, 1, 0x4000 + seq +
		    (unsigned)r * 0x100, 64, 0x4000, NULL, 0);
		f_icmp(f, 0, r ? 0 : 8, 0, 0x0777, seq);
		f_pattern(f, 56, 0x10);
		pg_done(f);
		pg_write(o, f);
	}
}

static void
sc_ping6(struct pg_out *o, struct pg_frame *f, unsigned seq)
{
	int r;

	for (r = 0; r < 2; r++) {
		f_begin(f);
		f_link(f, o->link, r ? mac_b : mac_a, r ? mac_a : mac_b,
		    0x86dd, !r);
		f_ip6(f, r ? ip6_b : ip6_a, r ? ip6_a : ip6_b, 58, 64, 0);
		f_icmp(f, 1, r ? 129 : 128, 0, 0x0666, seq);
		f_pattern(f, 56, 0x20);
		pg_done(f);
		pg_write(o, f);
	}
}

/* A TCP SYN and SYN-ACK over IPv6 to port 443, then a data segment. */
static void
sc_tcp6(struct pg_out *o, struct pg_frame *f)
{
	static const char hello[] = "\x16\x03\x01\x00\x05hello";
	uint8_t t[12];
	int i;

	for (i = 0; i < 4; i++) {
		int r = i == 1;

		f_begin(f);
		f_link(f, o->link, r ? mac_b : mac_a, r ? mac_a : mac_b,
		    0x86dd, !r);
		f_ip6(f, r ? ip6_b : ip6_a, r ? ip6_a : ip6_b, 6, 64,
		    r ? 0 : 0xabcde);
		if (i == 0)
			f_tcp(f, 50000, 443, 3000000, 0, TH_SYN, 64800,
			    syn_opts, 20);
		else if (i == 1)
			f_tcp(f, 443, 50000, 4000000, 3000001,
			    TH_SYN | TH_ACK, 64260, synack_opts, 20);
		else {
			ts_opts(t, 4097 + (uint32_t)i, 8192);
			f_tcp(f, 50000, 443, 3000001,
			    4000001, i == 3 ? TH_PSH | TH_ACK : TH_ACK, 507,
			    t, 12);
			if (i == 3)
				putb(f, hello, sizeof(hello) - 1);
		}
		pg_done(f);
		pg_write(o, f);
	}
}

static void
sc_arp(struct pg_out *o, struct pg_frame *f)
{
	int r;

	for (r = 0; r < 2; r++) {
		f_begin(f);
		f_link(f, o->link, r ? mac_b : mac_a, r ? mac_a : mac_bc,
		    0x0806, !r);
		put16(f, 1);
		put16(f, 0x0800);
		put8(f, 6);
		put8(f, 4);
		put16(f, r ? 2 : 1);
		putb(f, r ? mac_b : mac_a, 6);
		putb(f, r ? ip_b : ip_a, 4);
		putb(f, r ? mac_a : mac_zero, 6);
		putb(f, r ? ip_a : ip_b, 4);
		pg_done(f);
		pg_write(o, f);
	}
}

/* ---------------------------------------------------------------- */
/* Scenarios                                                         */

static void
sc_mixed(struct pg_out *o, struct pg_frame *f)
{
	static const uint8_t ip_opts[16] = {
		0x94, 4, 0, 0,			/* router alert */
		7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0,	/* record route */
		0				/* end of list */
	};
	static const unsigned tag1[] = { 0x8100, 0x2064 };	/* pcp 1, 100 */
	static const unsigned tag2[] = { 0x88a8, 0x000a, 0x8100, 0x0014 };
	static const char big[] = "fragmented datagram payload ";
	uint8_t t[22];
	unsigned i;

	sc_arp(o, f);
	sc_http4(o, f, 1);
	sc_dns(o, f, 0, 0x1234, "example.test", 1, 1);
	sc_dns(o, f, 0, 0x1235, "example.test", 28, 1);
	sc_dns(o, f, 0, 0x1236, "www.example.test", 1, 1);
	sc_dns(o, f, 0, 0x1237, "missing.example.test", 1, 0);
	sc_ping4(o, f, 1);
	sc_tcp6(o, f);
	sc_dns(o, f, 1, 0x1238, "example.test", 28, 1);
	sc_ping6(o, f, 1);

	/* Neighbour solicitation for fd00::2, with our link-layer address. */
	f_begin(f);
	f_eth_tags(f, mac_a, mac_snm, NULL, 0, 0x86dd);
	f_ip6(f, ip6_a, ip6_snm, 58, 255, 0);
	f_icmp(f, 1, 135, 0, 0, 0);
	putb(f, ip6_b, 16);
	put8(f, 1);
	put8(f, 1);
	putb(f, mac_a, 6);
	pg_done(f);
	pg_write(o, f);

	/* Neighbour advertisement: solicited, override. */
	f_begin(f);
	f_eth_tags(f, mac_b, mac_a, NULL, 0, 0x86dd);
	f_ip6(f, ip6_b, ip6_a, 58, 255, 0);
	f_icmp(f, 1, 136, 0, 0x6000, 0);
	putb(f, ip6_b, 16);
	put8(f, 2);
	put8(f, 1);
	putb(f, mac_b, 6);
	pg_done(f);
	pg_write(o, f);

	/*
	 * IPv6 with hop-by-hop (router alert, padding), destination options
	 * (PadN) and an atomic fragment header (offset 0, M clear) before UDP.
	 */
	f_begin(f);
	f_eth_tags(f, mac_a, mac_b, NULL, 0, 0x86dd);
	f_ip6(f, ip6_a, ip6_b, 0, 64, 0);
	put8(f, 60);			/* hop-by-hop, next: dest opts */
	put8(f, 0);
	put8(f, 5); put8(f, 2); put16(f, 0);	/* router alert: MLD */
	put8(f, 1); put8(f, 0);		/* PadN, no data */
	put8(f, 44);			/* dest opts, next: fragment */
	put8(f, 0);
	put8(f, 1); put8(f, 4); put32(f, 0);	/* PadN of 4 */
	put8(f, 17);			/* fragment, next: UDP */
	put8(f, 0);
	put16(f, 0);
	put32(f, 0xdeadbeef);
	f_udp(f, 40001, 9999);
	putstr(f, "extension headers");
	pg_done(f);
	pg_write(o, f);

	/* IPv4 with options, carrying an echo request. */
	f_begin(f);
	f_eth_tags(f, mac_a, mac_b, NULL, 0, 0x0800);
	f_ip4(f, ip_a, ip_b, 1, 0x5000, 1, 0, ip_opts, sizeof(ip_opts));
	f_icmp(f, 0, 8, 0, 0x0777, 2);
	f_pattern(f, 16, 0);
	pg_done(f);
	pg_write(o, f);

	/*
	 * One UDP datagram of 2408 bytes in three IPv4 fragments: the first
	 * has the UDP header, the others none.  The UDP checksum is left 0
	 * (allowed on IPv4), since it covers bytes in other fragments.
	 */
	for (i = 0; i < 3; i++) {
		size_t want = i < 2 ? 1000 : 408, k;

		f_begin(f);
		f_eth_tags(f, mac_a, mac_b, NULL, 0, 0x0800);
		f_ip4(f, ip_a, ip_c, 17, 0x6000, 64,
		    (i < 2 ? 0x2000 : 0) | i * 125, NULL, 0);
		if (i == 0) {
			f->l4 = f->n;
			put16(f, 40002);
			put16(f, 7);
			put16(f, 2408);
			put16(f, 0);
			want -= 8;
			f->hdrend = f->n;
		}
		f->l4 = PG_NONE;
		for (k = 0; k < want; k++)
			put8(f, (unsigned)big[k % (sizeof(big) - 1)]);
		pg_done(f);
		pg_write(o, f);
	}

	/* 802.1Q: a UDP datagram on VLAN 100. */
	f_begin(f);
	f_eth_tags(f, mac_a, mac_b, tag1, 1, 0x0800);
	f_ip4(f, ip_a, ip_b, 17, 0x7000, 64, 0, NULL, 0);
	f_udp(f, 40003, 514);
	putstr(f, "<13>pktgen: tagged");
	pg_done(f);
	pg_write(o, f);

	/* QinQ: service tag 10, customer tag 20, a TCP SYN. */
	f_begin(f);
	f_eth_tags(f, mac_a, mac_b, tag2, 2, 0x0800);
	f_ip4(f, ip_a, ip_b, 6, 0x7001, 64, 0x4000, NULL, 0);
	f_tcp(f, 40004, 22, 5000000, 0, TH_SYN, 64240, syn_opts, 20);
	pg_done(f);
	pg_write(o, f);

	/* A SYN to a closed port and the RST-ACK it draws. */
	f_begin(f);
	f_eth_tags(f, mac_a, mac_b, NULL, 0, 0x0800);
	f_ip4(f, ip_a, ip_b, 6, 0x7002, 64, 0x4000, NULL, 0);
	f_tcp(f, 40005, 3306, 6000000, 0, TH_SYN, 64240, syn_opts, 20);
	pg_done(f);
	pg_write(o, f);
	f_begin(f);
	f_eth_tags(f, mac_b, mac_a, NULL, 0, 0x0800);
	f_ip4(f, ip_b, ip_a, 6, 0, 64, 0x4000, NULL, 0);
	f_tcp(f, 3306, 40005, 0, 6000001, TH_RST | TH_ACK, 0, NULL, 0);
	pg_done(f);
	pg_write(o, f);

	/* A duplicate ACK carrying a SACK block, to a far host. */
	t[0] = 1;
	t[1] = 1;
	t[2] = 5;
	t[3] = 10;
	memcpy(t + 4, "\x00\x1e\x84\x80\x00\x1e\x8a\x5c", 8);
	f_begin(f);
	f_eth_tags(f, mac_a, mac_r, NULL, 0, 0x0800);
	f_ip4(f, ip_a, ip_far, 6, 0x7003, 64, 0x4000, NULL, 0);
	f_tcp(f, 40006, 443, 7000000, 2000000, TH_ACK, 1000, t, 12);
	pg_done(f);
	pg_write(o, f);

	/* An ECN-setup SYN: CWR and ECE, and the AE/NS bit. */
	f_begin(f);
	f_eth_tags(f, mac_a, mac_b, NULL, 0, 0x0800);
	f_ip4(f, ip_a, ip_b, 6, 0x7004, 64, 0x4000, NULL, 0);
	f_tcp(f, 40007, 8080, 8000000, 0, 0x100 | 0x80 | 0x40 | TH_SYN,
	    64240, syn_opts, 20);
	pg_done(f);
	pg_write(o, f);

	/* An IPv4 protocol nobody decodes, and an unknown ethertype. */
	f_begin(f);
	f_eth_tags(f, mac_a, mac_b, NULL, 0, 0x0800);
	f_ip4(f, ip_a, ip_b, 253, 0x7005, 64, 0, NULL, 0);
	f->l4proto = 0;
	putstr(f, "experimental");
	pg_done(f);
	pg_write(o, f);
	f_begin(f);
	f_eth_tags(f, mac_a, mac_b, NULL, 0, 0x88b5);
	f->hdrend = f->n;
	putstr(f, "local experimental ethertype");
	pg_done(f);
	pg_write(o, f);
}

/* The link-type variants: a few IPv4 and IPv6 packets. */
static void
sc_variant(struct pg_out *o, struct pg_frame *f)
{
	if (o->link == PG_SLL || o->link == PG_SLL2)
		sc_arp(o, f);
	sc_http4(o, f, 0);
	sc_dns(o, f, 0, 0x4321, "example.test", 1, 1);
	sc_ping4(o, f, 7);
	sc_tcp6(o, f);
	sc_ping6(o, f, 7);
	sc_dns(o, f, 1, 0x4322, "example.test", 28, 1);
}

/* ---------------------------------------------------------------- */
/* bulk: a large realistic mix                                       */

/*
 * A link seen from a router's port: a pool of sessions runs at once, each
 * packet comes from one of them picked at random, and a session that ends
 * is replaced by a new one.  Sessions are whole exchanges, as real
 * programs make them: TCP with the handshake, requests, data segments
 * acknowledged every second one, and a FIN or RST teardown (some refused,
 * some never answered); DNS queries and their answers (A, AAAA, CNAME
 * chains, NXDOMAIN, SERVFAIL, a few lost); NTP, QUIC-like and syslog UDP;
 * ping over ICMP and ICMPv6; ARP requests and replies.  About one session
 * in eight is IPv6, one in twenty VLAN-tagged.  Hosts are drawn from
 * fixed pools, servers skewed so a few are popular.  Everything comes from
 * one splitmix64 stream, so a seed gives the same file everywhere.
 */

enum { BK_TCP, BK_DNS, BK_UDP, BK_ICMP, BK_ARP };
enum { BK_POOL = 1024, BK_CLIENTS = 4000, BK_SERVERS = 1000 };

/* TCP phases; the next packet a session sends. */
enum {
	TP_SYN, TP_SYNACK, TP_ACK, TP_REQ, TP_DATA, TP_DACK, TP_FIN1,
	TP_FIN2, TP_FIN3, TP_RST, TP_REFUSE, TP_DONE
};

struct pg_sess {
	int		 kind, v6;
	unsigned	 vlan;
	uint8_t		 cip[16], sip[16];
	uint8_t		 cmac[6], smac[6];
	unsigned	 cport, sport;
	unsigned	 cid, sid;		/* IPv4 identification */
	uint32_t	 cseq, sseq;		/* next sequence number */
	uint32_t	 tsoff;			/* TCP timestamp clocks */
	int		 phase;
	unsigned	 left;			/* segments / packets to go */
	unsigned	 unacked;		/* data since the last ACK */
	unsigned	 rounds;		/* requests to go */
	unsigned	 syns;			/* SYNs sent, unanswered case */
	int		 ending;		/* 0 FIN, 1 RST, 2 refused, 3 lost */
	unsigned	 dnsid, qtype, name;
	int		 rcode;			/* -1: no answer */
	unsigned	 seq;			/* ICMP sequence */
	/*
	 * What only mix sets; zero is bulk's behaviour, so bulk's bytes (and
	 * its random stream) are the same as before mix existed.
	 */
	unsigned	 svlan;			/* outer 802.1ad tag (QinQ) */
	unsigned	 cttl, sttl;		/* 0: 64 and 57 */
	int		 nodf;			/* IPv4 DF clear */
	int		 opt;			/* TCP options: MX_OPT_* */
	unsigned	 cwin, swin;		/* 0: bulk's windows */
	int		 chat;			/* small segments, each ACKed */
	int		 err;			/* ICMP: one error message */
	int		 nd;			/* ICMPv6: neighbour discovery */
	int		 rtp;			/* UDP: a voice call */
};

/* TCP option sets of mix's sessions; bulk's are all MX_OPT_TS. */
enum {
	MX_OPT_TS,	/* Linux: MSS, SACK-permitted, timestamps, scale */
	MX_OPT_TSSACK,	/* the same, and SACK blocks on some ACKs */
	MX_OPT_WIN,	/* Windows: no timestamps; SACK blocks on some ACKs */
	MX_OPT_BARE	/* MSS alone, nothing after the handshake */
};

static uint64_t
rnd(uint64_t *s)
{
	uint64_t z;

	/* splitmix64: fast, and the same sequence everywhere. */
	z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned
rndn(uint64_t *s, unsigned n)
{
	return (unsigned)(rnd(s) % n);
}

/* A number in [lo, hi]. */
static unsigned
rndr(uint64_t *s, unsigned lo, unsigned hi)
{
	return lo + rndn(s, hi - lo + 1);
}

static const char *const bk_names[] = {
	"www.example.com", "mail.example.net", "cdn.example.org",
	"api.example.com", "login.example.net", "img.example.org",
	"time.example.test", "updates.example.com", "static.example.net",
	"chat.example.org", "video.example.com", "git.example.org",
	"db.internal.test", "printer.lan.test", "wpad.lan.test",
	"metrics.example.com", "s3.example.net", "push.example.org",
	"ocsp.example.com", "fonts.example.net", "ads.example.org",
	"news.example.com", "maps.example.net", "files.internal.test",
};
#define BK_NNAMES (sizeof(bk_names) / sizeof(bk_names[0]))

/* Client c of the pool: 10.0.x.y (fd00::x:y), on this link. */
static void
bk_client(struct pg_sess *ss, unsigned c)
{
	unsigned x = c / 250, y = 1 + c % 250;

	memcpy(ss->cmac, "\x02\x00\x00\x00", 4);
	ss->cmac[4] = (uint8_t)x;
	ss->cmac[5] = (uint8_t)y;
	if (ss->v6) {
		ss->cip[0] = 0xfd;
		ss->cip[13] = (uint8_t)x;
		ss->cip[15] = (uint8_t)y;
	} else {
		ss->cip[0] = 10;
		ss->cip[2] = (uint8_t)x;
		ss->cip[3] = (uint8_t)y;
	}
}

/* Server k of the pool, beyond the router: an address made from k. */
static void
bk_server(struct pg_sess *ss, unsigned k)
{
	uint64_t h = 0x5eed0000ULL + k;

	h = rnd(&h);
	memcpy(ss->smac, mac_r, 6);
	if (ss->v6) {
		ss->sip[0] = 0x20;
		ss->sip[1] = 0x01;
		ss->sip[2] = 0x0d;
		ss->sip[3] = 0xb8;
		ss->sip[6] = (uint8_t)(h >> 8);
		ss->sip[7] = (uint8_t)(h >> 16);
		ss->sip[14] = (uint8_t)(k >> 8);
		ss->sip[15] = (uint8_t)k;
	} else {
		ss->sip[0] = (uint8_t)(11 + h % 200);
		ss->sip[1] = (uint8_t)(h >> 8);
		ss->sip[2] = (uint8_t)(h >> 16);
		ss->sip[3] = (uint8_t)(1 + (h >> 24) % 254);
	}
}

static void
bk_new(struct pg_sess *ss, uint64_t *s)
{
	static const unsigned tcp_ports[] = { 443, 443, 443, 443, 443, 443,
	    80, 80, 22, 8080, 8443, 3306, 5432, 6379, 25, 143, 993, 27017,
	    445, 3389, 21, 110 };
	static const unsigned udp_ports[] = { 123, 123, 443, 443, 443, 514,
	    161 };
	static const unsigned vlans[] = { 10, 20, 100, 200 };
	unsigned r = rndn(s, 100);

	memset(ss, 0, sizeof(*ss));
	ss->kind = r < 30 ? BK_TCP : r < 75 ? BK_DNS : r < 85 ? BK_UDP :
	    r < 95 ? BK_ICMP : BK_ARP;
	ss->v6 = ss->kind != BK_ARP && rndn(s, 8) == 0;
	ss->vlan = rndn(s, 20) == 0 ? vlans[rndn(s, 4)] : 0;
	bk_client(ss, rndn(s, BK_CLIENTS));
	/* A few servers are popular: the index is skewed towards 0. */
	bk_server(ss, rndn(s, 1 + rndn(s, BK_SERVERS)));
	ss->cport = rndr(s, 32768, 60999);
	ss->cid = rndn(s, 65536);
	ss->sid = rndn(s, 65536);
	ss->cseq = (uint32_t)rnd(s);
	ss->sseq = (uint32_t)rnd(s);
	ss->tsoff = (uint32_t)rnd(s);
	switch (ss->kind) {
	case BK_TCP:
		ss->sport = tcp_ports[rndn(s, sizeof(tcp_ports) /
		    sizeof(tcp_ports[0]))];
		r = rndn(s, 100);
		ss->ending = r < 2 ? 3 : r < 5 ? 2 : r < 12 ? 1 : 0;
		ss->rounds = rndn(s, 3) == 0 ? rndr(s, 2, 6) : 1;
		ss->phase = TP_SYN;
		break;
	case BK_DNS:
		/* The resolver: a server of its own, on this link. */
		ss->sport = 53;
		memset(ss->sip, 0, 16);
		if (ss->v6)
			memcpy(ss->sip, ip6_dns, 16);
		else
			memcpy(ss->sip, ip_dns, 4);
		ss->sip[ss->v6 ? 13 : 2] = (uint8_t)rndn(s, 2);
		ss->dnsid = rndn(s, 65536);
		r = rndn(s, 100);
		ss->qtype = r < 60 ? 1 : r < 90 ? 28 : r < 95 ? 16 : 65;
		ss->name = rndn(s, (unsigned)BK_NNAMES);
		r = rndn(s, 100);
		ss->rcode = r < 3 ? -1 : r < 9 ? 3 : r < 10 ? 2 : 0;
		break;
	case BK_UDP:
		ss->sport = udp_ports[rndn(s, sizeof(udp_ports) /
		    sizeof(udp_ports[0]))];
		ss->left = ss->sport == 123 ? 2 : ss->sport == 161 ? 2 :
		    ss->sport == 514 ? rndr(s, 1, 5) : rndr(s, 6, 60);
		break;
	case BK_ICMP:
		ss->left = 2 * rndr(s, 1, 5);
		ss->seq = 1;
		break;
	case BK_ARP:
		ss->left = rndn(s, 5) == 0 ? 1 : 2;
		break;
	}
}

/* Link and IP headers of one packet of the session; rev: server to client. */
static void
bk_l3(struct pg_frame *f, struct pg_sess *ss, int rev, unsigned proto)
{
	unsigned tags[4] = { 0x8100, ss->vlan, 0, 0 }, ttl;
	int ntags = ss->vlan ? 1 : 0;

	if (ss->svlan) {
		tags[0] = 0x88a8;
		tags[1] = ss->svlan;
		tags[2] = 0x8100;
		tags[3] = ss->vlan;
		ntags = 2;
	}
	ttl = rev ? ss->sttl ? ss->sttl : 57 : ss->cttl ? ss->cttl : 64;
	f_begin(f);
	f_eth_tags(f, rev ? ss->smac : ss->cmac, rev ? ss->cmac : ss->smac,
	    tags, ntags, ss->v6 ? 0x86dd : 0x0800);
	if (ss->v6)
		f_ip6(f, rev ? ss->sip : ss->cip, rev ? ss->cip : ss->sip, proto,
		    ttl, ss->cport * 7 + ss->sport);
	else
		f_ip4(f, rev ? ss->sip : ss->cip, rev ? ss->cip : ss->sip, proto,
		    rev ? ss->sid++ & 0xffff : ss->cid++ & 0xffff,
		    ttl, ss->nodf ? 0 : 0x4000, NULL, 0);
}

/*
 * The options of one segment for the session's option set, into o (at
 * least 32 bytes); returns their length.  sack: this ACK reports a hole,
 * one SACK block a little past what it acknowledges.
 */
static size_t
bk_tcp_opts(uint8_t *o, const struct pg_sess *ss, int rev, unsigned flags,
    uint32_t ms, int sack)
{
	static const uint8_t win_syn[12] = {
		2, 4, 0x05, 0xb4, 1, 3, 3, 8, 1, 1, 4, 2
	};
	uint32_t l = (rev ? ss->cseq : ss->sseq) + 1448 * 2;
	size_t n = 0;

	if (flags & TH_SYN) {
		switch (ss->opt) {
		case MX_OPT_WIN:
			memcpy(o, win_syn, sizeof(win_syn));
			n = sizeof(win_syn);
			break;
		case MX_OPT_BARE:
			memcpy(o, win_syn, 4);
			n = 4;
			break;
		default:
			memcpy(o, rev ? synack_opts : syn_opts, 20);
			n = 20;
			break;
		}
		if (ss->v6 && ss->opt >= MX_OPT_WIN)
			o[3] = 0xa0;		/* MSS 1440 */
		return n;
	}
	if (ss->opt <= MX_OPT_TSSACK) {
		ts_opts(o, ms + (rev ? ~ss->tsoff : ss->tsoff),
		    ms - 1 + (rev ? ss->tsoff : ~ss->tsoff));
		n = 12;
	}
	if (sack) {
		o[n++] = 1;
		o[n++] = 1;
		o[n++] = 5;
		o[n++] = 10;
		o[n++] = (uint8_t)(l >> 24);
		o[n++] = (uint8_t)(l >> 16);
		o[n++] = (uint8_t)(l >> 8);
		o[n++] = (uint8_t)l;
		l += 1448;
		o[n++] = (uint8_t)(l >> 24);
		o[n++] = (uint8_t)(l >> 16);
		o[n++] = (uint8_t)(l >> 8);
		o[n++] = (uint8_t)l;
	}
	return n;
}

static void
bk_tcp(struct pg_out *o, struct pg_frame *f, struct pg_sess *ss, int rev,
    unsigned flags, size_t pay, const uint8_t *fill, int sack)
{
	uint32_t ms = (uint32_t)(o->ts / 1000000);
	unsigned win;
	uint8_t t[32];
	size_t tn;

	bk_l3(f, ss, rev, 6);
	tn = bk_tcp_opts(t, ss, rev, flags, ms, sack);
	win = rev ? ss->swin : ss->cwin;
	if (flags & TH_SYN) {
		f_tcp(f, rev ? ss->sport : ss->cport,
		    rev ? ss->cport : ss->sport, rev ? ss->sseq : ss->cseq,
		    rev ? ss->cseq : 0, flags,
		    win ? win : rev ? 65160 : 64240, t, tn);
	} else {
		f_tcp(f, rev ? ss->sport : ss->cport,
		    rev ? ss->cport : ss->sport, rev ? ss->sseq : ss->cseq,
		    flags & TH_ACK ? rev ? ss->cseq : ss->sseq : 0, flags,
		    win ? win : rev ? 501 : 2048, t, tn);
	}
	putb(f, fill, pay);
	if (rev)
		ss->sseq += (uint32_t)pay + (flags & (TH_SYN | TH_FIN) ? 1 : 0);
	else
		ss->cseq += (uint32_t)pay + (flags & (TH_SYN | TH_FIN) ? 1 : 0);
}

/* The TCP session's next packet; returns 1 when it has ended. */
static int
bk_tcp_next(struct pg_out *o, struct pg_frame *f, struct pg_sess *ss,
    uint64_t *s, const uint8_t *fill)
{
	/* A full segment fills a 1514-byte frame (MSS less timestamps). */
	size_t mss = ss->v6 ? 1428 : 1448, pay;
	unsigned r;
	int sack;

	if (ss->opt >= MX_OPT_WIN)
		mss += 12;

	switch (ss->phase) {
	case TP_SYN:
		ss->cseq -= ss->syns ? 1 : 0;	/* a retransmission */
		bk_tcp(o, f, ss, 0, TH_SYN, 0, fill, 0);
		ss->syns++;
		ss->phase = ss->ending == 3 ? (ss->syns < 3 ? TP_SYN : TP_DONE) :
		    ss->ending == 2 ? TP_REFUSE : TP_SYNACK;
		break;
	case TP_REFUSE:
		bk_tcp(o, f, ss, 1, TH_RST | TH_ACK, 0, fill, 0);
		ss->phase = TP_DONE;
		break;
	case TP_SYNACK:
		bk_tcp(o, f, ss, 1, TH_SYN | TH_ACK, 0, fill, 0);
		ss->phase = TP_ACK;
		break;
	case TP_ACK:
		bk_tcp(o, f, ss, 0, TH_ACK, 0, fill, 0);
		ss->phase = TP_REQ;
		break;
	case TP_REQ:
		/* A request, then the answer's length in segments. */
		bk_tcp(o, f, ss, 0, TH_PSH | TH_ACK, rndr(s, 40, 700),
		    fill + rndn(s, 2048), 0);
		r = rndn(s, 100);
		ss->left = r < 55 ? rndr(s, 1, 3) : r < 88 ? rndr(s, 4, 40) :
		    r < 98 ? rndr(s, 41, 400) : rndr(s, 401, 3000);
		ss->unacked = 0;
		ss->phase = TP_DATA;
		break;
	case TP_DATA:
		/* An interactive session sends small records, each answered. */
		if (ss->chat)
			pay = rndr(s, 20, rndn(s, 4) == 0 ? 1200 : 300);
		else
			pay = ss->left > 1 ? mss : rndr(s, 1, (unsigned)mss);
		bk_tcp(o, f, ss, 1, ss->left > 1 && !ss->chat ? TH_ACK :
		    TH_PSH | TH_ACK, pay, fill + rndn(s, 2048), 0);
		ss->left--;
		ss->unacked++;
		if (ss->unacked >= 2 || ss->left == 0 || ss->chat)
			ss->phase = TP_DACK;
		break;
	case TP_DACK:
		/* A hole now and then, where the peers can say so. */
		sack = ss->opt == MX_OPT_TSSACK || ss->opt == MX_OPT_WIN ?
		    rndn(s, 6) == 0 : 0;
		bk_tcp(o, f, ss, 0, TH_ACK, 0, fill, sack);
		ss->unacked = 0;
		if (ss->left > 0)
			ss->phase = TP_DATA;
		else if (--ss->rounds > 0)
			ss->phase = TP_REQ;
		else
			ss->phase = ss->ending == 1 ? TP_RST : TP_FIN1;
		break;
	case TP_RST:
		bk_tcp(o, f, ss, 0, TH_RST | TH_ACK, 0, fill, 0);
		ss->phase = TP_DONE;
		break;
	case TP_FIN1:
		bk_tcp(o, f, ss, 0, TH_FIN | TH_ACK, 0, fill, 0);
		ss->phase = TP_FIN2;
		break;
	case TP_FIN2:
		bk_tcp(o, f, ss, 1, TH_FIN | TH_ACK, 0, fill, 0);
		ss->phase = TP_FIN3;
		break;
	case TP_FIN3:
		bk_tcp(o, f, ss, 0, TH_ACK, 0, fill, 0);
		ss->phase = TP_DONE;
		break;
	}
	return ss->phase == TP_DONE;
}

/* A DNS query (phase 0) or its answer (phase 1), with EDNS as dig sends. */
static int
bk_dns_next(struct pg_frame *f, struct pg_sess *ss)
{
	static const uint8_t txt[] = "\x0bv=spf1 -all";
	static const uint8_t cname[] = { 4, 'e', 'd', 'g', 'e', 0xc0, 0x0c };
	int rev = ss->phase, chain;
	unsigned an = 0, at, i;
	uint8_t a[16];

	bk_l3(f, ss, rev, 17);
	f_udp(f, rev ? 53 : ss->cport, rev ? ss->cport : 53);
	chain = ss->name % 3 == 0 && (ss->qtype == 1 || ss->qtype == 28);
	if (rev && ss->rcode == 0)
		an = ss->qtype == 1 || ss->qtype == 28 ?
		    1 + ss->name % 3 + (unsigned)chain : ss->qtype == 16;
	dns_hdr(f, ss->dnsid, rev ? 0x8180 | (unsigned)ss->rcode : 0x0100, 1,
	    an, 0, 1);
	dns_question(f, bk_names[ss->name], ss->qtype);
	at = 12;
	if (an && chain) {
		at = (unsigned)(f->n - f->ndns) + 12;
		dns_rr(f, 12, 5, 300, cname, sizeof(cname));
		an--;
	}
	for (i = 0; i < an; i++) {
		memset(a, 0, sizeof(a));
		a[0] = ss->qtype == 28 ? 0x20 : 11 + ss->name;
		a[1] = ss->qtype == 28 ? 0x01 : (uint8_t)(7 * ss->name);
		a[ss->qtype == 28 ? 15 : 3] = (uint8_t)(1 + i);
		if (ss->qtype == 16)
			dns_rr(f, at, 16, 3600, txt, sizeof(txt) - 1);
		else
			dns_rr(f, at, ss->qtype, 60, a,
			    ss->qtype == 28 ? 16 : 4);
	}
	put8(f, 0);
	put16(f, 41);
	put16(f, 1232);
	put32(f, 0);
	put16(f, 0);
	ss->phase++;
	return ss->phase == 2 || ss->rcode < 0;
}

/* NTP, syslog and SNMP exchanges, and QUIC-like bursts on port 443. */
static int
bk_udp_next(struct pg_frame *f, struct pg_sess *ss, uint64_t *s,
    const uint8_t *fill)
{
	size_t pay;
	int rev;

	if (ss->rtp) {
		/* RTP: G.711 in 20 ms frames, both ways in turn. */
		rev = ss->phase++ % 2;
		bk_l3(f, ss, rev, 17);
		f_udp(f, rev ? ss->sport : ss->cport,
		    rev ? ss->cport : ss->sport);
		put8(f, 0x80);
		put8(f, ss->phase <= 2 ? 0x80 : 0);	/* marker, PCMU */
		put16(f, (ss->seq + (unsigned)ss->phase / 2) & 0xffff);
		put32(f, (uint32_t)(ss->phase / 2) * 160);
		put32(f, rev ? ss->sid * 65599u : ss->cid * 65599u);
		putb(f, fill + rndn(s, 2048), 160);
		return --ss->left == 0;
	}
	/* Syslog goes one way; QUIC answers two for one after the first. */
	if (ss->sport == 514)
		rev = 0;
	else if (ss->sport == 443)
		rev = ss->phase != 0 && ss->phase % 3 != 0;
	else
		rev = ss->phase % 2;
	ss->phase++;
	bk_l3(f, ss, rev, 17);
	f_udp(f, rev ? ss->sport : ss->cport, rev ? ss->cport : ss->sport);
	switch (ss->sport) {
	case 123:
		/* Version 4, client or server mode, stratum, poll, precision. */
		put8(f, rev ? 0x24 : 0x23);
		put8(f, rev ? 2 : 0);
		put8(f, 6);
		put8(f, 0xe9);
		pay = 44;
		break;
	case 161:
		pay = rndr(s, 40, 200);
		break;
	case 514:
		pay = rndr(s, 60, 400);
		break;
	default:
		pay = rev ? rndr(s, 1200, 1350) : rndr(s, 30, 1200);
		break;
	}
	putb(f, fill + rndn(s, 2048), pay);
	return --ss->left == 0;
}

/*
 * mix's ICMP error: a host or router tells the client its datagram went
 * nowhere (port or host unreachable, administratively prohibited, TTL
 * exceeded on the way), quoting the datagram's IPv4 and UDP headers.
 */
static void
mx_icmp_err(struct pg_frame *f, struct pg_sess *ss)
{
	static const unsigned tc[][2] = {
		{ 3, 3 }, { 3, 3 }, { 3, 1 }, { 3, 13 }, { 11, 0 }, { 11, 0 }
	};
	unsigned k = ss->seq % 6;

	bk_l3(f, ss, 1, 1);
	f_icmp(f, 0, tc[k][0], tc[k][1], 0, 0);
	put8(f, 0x45);
	put8(f, 0);
	put16(f, 20 + 8 + 32);
	put16(f, ss->cid);
	put16(f, 0);
	put8(f, tc[k][0] == 11 ? 1 : 63);
	put8(f, 17);
	put16(f, 0);
	putb(f, ss->cip, 4);
	putb(f, ss->sip, 4);
	put16(f, ss->cport);
	put16(f, tc[k][0] == 11 ? 33434 + ss->seq % 30 : ss->sport);
	put16(f, 8 + 32);
	put16(f, 0);
}

/*
 * mix's neighbour discovery: a solicitation for a neighbour's address to
 * its solicited-node group, and the neighbour's advertisement back.
 */
static void
mx_nd(struct pg_frame *f, struct pg_sess *ss, int rev)
{
	uint8_t snm[16] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff };
	uint8_t mac[6] = { 0x33, 0x33, 0xff };

	memcpy(snm + 13, ss->sip + 13, 3);
	memcpy(mac + 3, ss->sip + 13, 3);
	f_begin(f);
	f_eth_tags(f, rev ? ss->smac : ss->cmac, rev ? ss->cmac : mac,
	    NULL, 0, 0x86dd);
	f_ip6(f, rev ? ss->sip : ss->cip, rev ? ss->cip : snm, 58, 255, 0);
	f_icmp(f, 1, rev ? 136 : 135, 0, rev ? 0x6000 : 0, 0);
	putb(f, ss->sip, 16);
	put8(f, rev ? 2 : 1);
	put8(f, 1);
	putb(f, rev ? ss->smac : ss->cmac, 6);
}

static int
bk_icmp_next(struct pg_frame *f, struct pg_sess *ss)
{
	int rev = (int)(ss->left % 2 == 1);

	if (ss->err) {
		mx_icmp_err(f, ss);
		return --ss->left == 0;
	}
	if (ss->nd) {
		mx_nd(f, ss, rev);
		return --ss->left == 0;
	}

	bk_l3(f, ss, rev, ss->v6 ? 58 : 1);
	f_icmp(f, ss->v6, ss->v6 ? rev ? 129 : 128 : rev ? 0 : 8, 0,
	    ss->cport, ss->seq);
	f_pattern(f, 56, 0);
	if (rev)
		ss->seq++;
	return --ss->left == 0;
}

/* A client asks for the router's address, which answers. */
static int
bk_arp_next(struct pg_frame *f, struct pg_sess *ss)
{
	static const uint8_t gw[4] = { 10, 0, 0, 254 };
	int rev = ss->phase++;

	f_begin(f);
	f_eth_tags(f, rev ? mac_r : ss->cmac, rev ? ss->cmac : mac_bc, NULL, 0,
	    0x0806);
	put16(f, 1);
	put16(f, 0x0800);
	put8(f, 6);
	put8(f, 4);
	put16(f, rev ? 2 : 1);
	putb(f, rev ? mac_r : ss->cmac, 6);
	putb(f, rev ? gw : ss->cip, 4);
	putb(f, rev ? ss->cmac : mac_zero, 6);
	putb(f, rev ? ss->cip : gw, 4);
	return --ss->left == 0;
}

static void
sc_bulk(struct pg_out *o, struct pg_frame *f, uint64_t n, uint64_t seed)
{
	struct pg_sess *pool = ecalloc(BK_POOL, sizeof(*pool));
	uint8_t *fill = emalloc(4096);
	uint64_t s = seed, i;
	unsigned k;
	int end;

	for (k = 0; k < 4096; k++)
		fill[k] = (uint8_t)rnd(&s);
	for (k = 0; k < BK_POOL; k++)
		bk_new(&pool[k], &s);
	for (i = 0; i < n; i++) {
		k = rndn(&s, BK_POOL);
		switch (pool[k].kind) {
		case BK_TCP:
			end = bk_tcp_next(o, f, &pool[k], &s, fill);
			break;
		case BK_DNS:
			end = bk_dns_next(f, &pool[k]);
			break;
		case BK_UDP:
			end = bk_udp_next(f, &pool[k], &s, fill);
			break;
		case BK_ICMP:
			end = bk_icmp_next(f, &pool[k]);
			break;
		default:
			end = bk_arp_next(f, &pool[k]);
			break;
		}
		pg_done(f);
		pg_write(o, f);
		if (end)
			bk_new(&pool[k], &s);
	}
	free(fill);
	free(pool);
}


/* ---------------------------------------------------------------- */
/* mix: records that change layout all the time                      */

/*
 * bulk's sessions, but many more at once and drawn so that consecutive
 * packets rarely look alike: the protocol of each packet is drawn first,
 * by its share of all packets (IPv4 TCP 60%, IPv4 UDP 25% of which DNS,
 * QUIC-like, RTP voice, NTP, SNMP and syslog, ICMP 5% with errors quoting
 * a datagram, ARP 3%, IPv6 6% (TCP, DNS, QUIC-like, echo, neighbour
 * discovery), 1% ESP, VRRP and LLDP), then one of that protocol's
 * sessions at random from a pool of its own; about 37,000 sessions run
 * at once, between 60,000 clients and 30,000 servers.  The link is an
 * ISP's: most clients are far away, anywhere in the address space, a few
 * on the local /24 (all ARP, neighbour discovery and ICMPv6).  That is
 * not only for realism: tcpdump caches each IPv4 address it prints in a
 * table hashed on the address's first 12 bits, so tens of thousands of
 * hosts in one /16 (bulk's 4000 clients are in 10.0/16) make it walk one
 * chain per address, and a capture like that measures the chain, not
 * tcpdump.  TCP sessions come
 * with one of four option sets (Linux timestamps, with SACK blocks on some
 * ACKs, Windows without timestamps, MSS alone), their own TTLs, windows
 * and ephemeral port ranges, a quarter of them interactive (small records,
 * each answered).  One session in twenty is on a VLAN, one in two hundred
 * QinQ.  Every session starts somewhere in its life, not at its first
 * packet, so the start of the file is like the rest.  Frames are 60 to
 * 1514 bytes (1518 tagged).  The same seed gives the same file, and a
 * shorter file is the start of a longer one.
 */

enum { MX_ESP = BK_ARP + 1, MX_VRRP, MX_LLDP };
enum { MX_CLIENTS = 60000, MX_LOCAL = 250, MX_SERVERS = 30000 };

/* Far client c of mix: an address made from c, like bulk's servers. */
static void
mx_client(struct pg_sess *ss, unsigned c)
{
	uint64_t h = 0xc11e0000ULL + c;

	h = rnd(&h);
	memcpy(ss->cmac, "\x02\x00\x01", 3);
	ss->cmac[3] = (uint8_t)(c >> 16);
	ss->cmac[4] = (uint8_t)(c >> 8);
	ss->cmac[5] = (uint8_t)c;
	if (ss->v6) {
		ss->cip[0] = 0x20;
		ss->cip[1] = 0x01;
		ss->cip[2] = 0x0d;
		ss->cip[3] = 0xb8;
		ss->cip[4] = (uint8_t)(0x80 | (h >> 8 & 0x7f));
		ss->cip[5] = (uint8_t)(h >> 16);
		ss->cip[12] = (uint8_t)(h >> 24);
		ss->cip[13] = (uint8_t)(h >> 32);
		ss->cip[14] = (uint8_t)(c >> 8);
		ss->cip[15] = (uint8_t)c;
	} else {
		/* Anywhere public: not 0, 10, 127, 224 and above. */
		ss->cip[0] = (uint8_t)(1 + h % 222);
		if (ss->cip[0] == 10 || ss->cip[0] == 127)
			ss->cip[0]++;
		ss->cip[1] = (uint8_t)(h >> 8);
		ss->cip[2] = (uint8_t)(h >> 16);
		ss->cip[3] = (uint8_t)(1 + (h >> 24) % 254);
	}
}

/* One protocol: its share of packets (per mille) and its pool. */
struct mx_class {
	unsigned	 permille;
	unsigned	 pool;
	int		 kind, v6;
	unsigned	 sport;		/* UDP: 0 picks NTP, SNMP or syslog */
};

static const struct mx_class mx_classes[] = {
	{ 600, 24000, BK_TCP, 0, 0 },
	{ 105, 2000, BK_DNS, 0, 0 },
	{ 95, 1500, BK_UDP, 0, 443 },
	{ 20, 200, BK_UDP, 0, 5004 },	/* RTP */
	{ 30, 1500, BK_UDP, 0, 0 },
	{ 50, 1500, BK_ICMP, 0, 0 },
	{ 30, 300, BK_ARP, 0, 0 },
	{ 36, 2500, BK_TCP, 1, 0 },
	{ 10, 300, BK_DNS, 1, 0 },
	{ 8, 200, BK_UDP, 1, 443 },
	{ 6, 300, BK_ICMP, 1, 0 },
	{ 7, 40, MX_ESP, 0, 0 },
	{ 2, 4, MX_VRRP, 0, 0 },
	{ 1, 8, MX_LLDP, 0, 0 },
};
#define MX_NCLASS (sizeof(mx_classes) / sizeof(mx_classes[0]))

static void
mx_new(struct pg_sess *ss, uint64_t *s, const struct mx_class *c)
{
	static const unsigned tcp_ports[] = { 443, 443, 443, 443, 443, 443,
	    443, 443, 80, 80, 80, 22, 22, 8080, 8443, 3306, 5432, 6379, 25,
	    587, 143, 993, 995, 27017, 445, 3389, 21, 110, 5222, 1883, 9200,
	    11211, 389, 636, 5060, 853 };
	static const unsigned udp_ports[] = { 123, 123, 123, 161, 514 };
	static const unsigned wins[] = { 64240, 65535, 29200, 502, 2048, 8192,
	    1026, 63443, 16384, 4096 };
	static const unsigned vlans[] = { 10, 20, 30, 100, 101, 200, 300, 4000 };
	static const unsigned ttls[] = { 64, 128, 255, 64, 64, 128 };
	unsigned r = rndn(s, 1000);

	memset(ss, 0, sizeof(*ss));
	ss->kind = c->kind;
	ss->v6 = c->v6;
	if (r < 50) {
		ss->vlan = vlans[rndn(s, 8)];
		if (r < 5)
			ss->svlan = 1000 + rndn(s, 8);
	}
	/* ARP and neighbour discovery are the local hosts' own. */
	if (c->kind == BK_ARP || (c->kind == BK_ICMP && c->v6) ||
	    rndn(s, 10) == 0)
		bk_client(ss, rndn(s, MX_LOCAL));
	else
		mx_client(ss, rndn(s, MX_CLIENTS));
	/* Servers skewed towards a popular few, as in bulk. */
	bk_server(ss, rndn(s, 1 + rndn(s, MX_SERVERS)));
	r = rndn(s, 100);
	ss->opt = r < 45 ? MX_OPT_TS : r < 60 ? MX_OPT_TSSACK :
	    r < 90 ? MX_OPT_WIN : MX_OPT_BARE;
	/* Windows picks ports from 49152 and starts at TTL 128. */
	ss->cport = ss->opt == MX_OPT_WIN ? rndr(s, 49152, 65535) :
	    rndr(s, 32768, 60999);
	ss->cttl = ss->opt == MX_OPT_WIN ? 128 : 64;
	ss->sttl = ttls[rndn(s, 6)] - rndr(s, 3, 24);
	ss->cwin = wins[rndn(s, 10)];
	ss->swin = wins[rndn(s, 10)];
	ss->cid = rndn(s, 65536);
	ss->sid = rndn(s, 65536);
	ss->cseq = (uint32_t)rnd(s);
	ss->sseq = (uint32_t)rnd(s);
	ss->tsoff = (uint32_t)rnd(s);
	switch (ss->kind) {
	case BK_TCP:
		ss->sport = rndn(s, 20) == 0 ? rndr(s, 1024, 65535) :
		    tcp_ports[rndn(s, sizeof(tcp_ports) /
		    sizeof(tcp_ports[0]))];
		ss->chat = rndn(s, 4) == 0;
		r = rndn(s, 100);
		ss->ending = r < 2 ? 3 : r < 5 ? 2 : r < 12 ? 1 : 0;
		ss->rounds = rndn(s, 3) == 0 ? rndr(s, 2, 12) : 1;
		ss->phase = TP_SYN;
		break;
	case BK_DNS:
		/* Most ask a resolver on this link, some one far away. */
		ss->sport = 53;
		ss->nodf = rndn(s, 2);
		if (rndn(s, 4) != 0) {
			memset(ss->sip, 0, 16);
			if (ss->v6)
				memcpy(ss->sip, ip6_dns, 16);
			else
				memcpy(ss->sip, ip_dns, 4);
			ss->sip[ss->v6 ? 13 : 2] = (uint8_t)rndn(s, 4);
		}
		ss->dnsid = rndn(s, 65536);
		r = rndn(s, 100);
		ss->qtype = r < 55 ? 1 : r < 85 ? 28 : r < 90 ? 16 : 65;
		ss->name = rndn(s, (unsigned)BK_NNAMES);
		r = rndn(s, 100);
		ss->rcode = r < 3 ? -1 : r < 9 ? 3 : r < 10 ? 2 : 0;
		break;
	case BK_UDP:
		ss->sport = c->sport ? c->sport : udp_ports[rndn(s, 5)];
		if (ss->sport == 5004) {
			ss->rtp = 1;
			ss->sport = 2 * rndr(s, 8192, 16383);
			ss->seq = rndn(s, 65536);
			ss->left = rndr(s, 100, 3000);
		} else
			ss->left = ss->sport == 443 ? rndr(s, 6, 200) :
			    ss->sport == 514 ? rndr(s, 1, 5) : 2;
		break;
	case BK_ICMP:
		ss->seq = 1 + rndn(s, 1000);
		r = rndn(s, 100);
		if (ss->v6 && r < 40) {
			/* The neighbour: another host on this link. */
			ss->nd = 1;
			memcpy(ss->smac, ss->cmac, 6);
			memcpy(ss->sip, ss->cip, 16);
			bk_client(ss, rndn(s, MX_LOCAL));
			ss->left = 2;
		} else if (!ss->v6 && r < 30) {
			ss->err = 1;
			ss->left = 1;
		} else
			ss->left = 2 * rndr(s, 1, 8);
		break;
	case BK_ARP:
		ss->left = rndn(s, 5) == 0 ? 1 : 2;
		break;
	case MX_ESP:
		/* A tunnel between two sites: long, never closed. */
		ss->cport = (unsigned)rnd(s);	/* the SPI */
		ss->left = (unsigned)-1;
		break;
	default:
		ss->left = (unsigned)-1;
		break;
	}
}

/* An IPsec tunnel's packet, either way: SPI, sequence, ciphertext. */
static int
mx_esp_next(struct pg_frame *f, struct pg_sess *ss, uint64_t *s,
    const uint8_t *fill)
{
	int rev = (int)rndn(s, 2);

	bk_l3(f, ss, rev, 50);
	put32(f, ss->cport ^ (unsigned)rev);
	put32(f, rev ? ++ss->sseq : ++ss->cseq);
	putb(f, fill + rndn(s, 2048), rndn(s, 3) == 0 ? rndr(s, 40, 120) :
	    rndr(s, 300, 1400));
	return 0;
}

/* A VRRP advertisement of the gateway, from one of two routers. */
static void
mx_vrrp(struct pg_frame *f, struct pg_sess *ss)
{
	static const uint8_t grp[4] = { 224, 0, 0, 18 };
	static const uint8_t gw[4] = { 10, 0, 0, 254 };
	uint8_t mac[6] = { 0x00, 0x00, 0x5e, 0x00, 0x01, 0x01 };
	uint8_t dst[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x12 };
	uint8_t src[4] = { 10, 0, 0, 252 };

	src[3] = (uint8_t)(252 + ss->seq++ % 2);
	f_begin(f);
	f_eth_tags(f, mac, dst, NULL, 0, 0x0800);
	f_ip4(f, src, grp, 112, 0, 255, 0, NULL, 0);
	put8(f, 0x31);
	put8(f, 1);
	put8(f, src[3] == 252 ? 200 : 100);
	put8(f, 1);
	put16(f, 100);
	put16(f, 0);
	putb(f, gw, 4);
}

/* An LLDP frame from one of the switch's ports. */
static void
mx_lldp(struct pg_frame *f, struct pg_sess *ss)
{
	static const uint8_t dst[6] = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e };
	uint8_t mac[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x00 };
	char port[16];

	mac[5] = (uint8_t)(ss->cid & 0x3f);
	snprintf(port, sizeof(port), "ge-0/0/%u", ss->cid & 0x3f);
	f_begin(f);
	f_eth_tags(f, mac, dst, NULL, 0, 0x88cc);
	f->hdrend = f->n;
	put16(f, 1 << 9 | 7);
	put8(f, 4);
	putb(f, mac, 6);
	put16(f, 2 << 9 | (unsigned)(1 + strlen(port)));
	put8(f, 5);
	putstr(f, port);
	put16(f, 3 << 9 | 2);
	put16(f, 120);
	put16(f, 0);
}

/* The next packet of session ss; returns 1 when the session has ended. */
static int
mx_next(struct pg_out *o, struct pg_frame *f, struct pg_sess *ss,
    uint64_t *s, const uint8_t *fill)
{
	switch (ss->kind) {
	case BK_TCP:
		return bk_tcp_next(o, f, ss, s, fill);
	case BK_DNS:
		return bk_dns_next(f, ss);
	case BK_UDP:
		return bk_udp_next(f, ss, s, fill);
	case BK_ICMP:
		return bk_icmp_next(f, ss);
	case BK_ARP:
		return bk_arp_next(f, ss);
	case MX_ESP:
		return mx_esp_next(f, ss, s, fill);
	case MX_VRRP:
		mx_vrrp(f, ss);
		return 0;
	default:
		mx_lldp(f, ss);
		return 0;
	}
}

static void
sc_mix(struct pg_out *o, struct pg_frame *f, uint64_t n, uint64_t seed)
{
	struct pg_sess *pool[MX_NCLASS];
	const struct mx_class *c;
	uint8_t *fill = emalloc(4096);
	uint64_t s = seed, i;
	unsigned k, r, warm;

	for (k = 0; k < 4096; k++)
		fill[k] = (uint8_t)rnd(&s);
	/* Each session is started, then run on unseen for a while. */
	for (c = mx_classes; c < mx_classes + MX_NCLASS; c++) {
		pool[c - mx_classes] = ecalloc(c->pool, sizeof(struct pg_sess));
		for (k = 0; k < c->pool; k++) {
			struct pg_sess *ss = &pool[c - mx_classes][k];

			mx_new(ss, &s, c);
			ss->cid += k;	/* LLDP's port, VRRP's router */
			for (warm = rndn(&s, 40); warm > 0; warm--)
				if (mx_next(o, f, ss, &s, fill))
					mx_new(ss, &s, c);
		}
	}
	for (i = 0; i < n; i++) {
		r = rndn(&s, 1000);
		for (c = mx_classes; r >= c->permille; c++)
			r -= c->permille;
		k = rndn(&s, c->pool);
		if (mx_next(o, f, &pool[c - mx_classes][k], &s, fill))
			mx_new(&pool[c - mx_classes][k], &s, c);
		pg_done(f);
		pg_write(o, f);
	}
	for (k = 0; k < MX_NCLASS; k++)
		free(pool[k]);
	free(fill);
}

/* ---------------------------------------------------------------- */
/* web: a browser's traffic, for the application decoders            */

/*
 * What people's browsers send and get: a pool of sessions at once (as in
 * mix, each started somewhere in its life), TLS on 443 seven in ten, plain
 * HTTP/1.1 on 80 and QUIC on UDP 443 the rest.  A TLS session is a
 * handshake, a ClientHello of one of four clients' shapes (Chrome-like:
 * GREASE, shuffled extensions, a post-quantum key share of X25519MLKEM768,
 * group 0x11ec, 1216 bytes, so that the hello spans two segments;
 * Firefox-, Safari- and curl-like without it), the server's flight
 * (ServerHello, ChangeCipherSpec, encrypted records; one session in seven
 * resumes TLS 1.2 instead, its ServerHello naming the ALPN), then requests
 * and responses as application data records (content type 23) of varied
 * sizes, every second segment acknowledged, and a FIN teardown.  An HTTP
 * session is GET and POST requests (Host, User-Agent; one in eight split
 * over two segments) answered 200 OK, 404 Not Found or 301 with
 * Content-Type, Content-Length and a body of that length.  A QUIC session
 * opens with RFC 9001's own client Initial (Appendix A.2, verbatim, so it
 * decrypts: its destination connection ID is the RFC's) and server Initial
 * (A.3), then short-header packets (tshark, which follows a QUIC
 * connection by that ID, reads the ClientHello of the first alone).  2000
 * sessions run at once between mix's 60,000 far and 250 local clients and
 * 5000 servers, a tenth over IPv6; the server names are
 * www.site1234.example and the like, one per server.  About one packet
 * in sixty is a ClientHello.
 */

enum { WB_TLS, WB_HTTP, WB_QUIC };
enum { WB_POOL = 2000, WB_SERVERS = 5000 };
enum { WB_CHROME, WB_FIREFOX, WB_SAFARI, WB_CURL };

/* RFC 9001 A.2: the client's Initial, protected (one 1200-byte datagram). */
static const uint8_t wb_quic_ci[1200] = {
	0xc0, 0x00, 0x00, 0x00, 0x01, 0x08, 0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51,
	0x57, 0x08, 0x00, 0x00, 0x44, 0x9e, 0x7b, 0x9a, 0xec, 0x34, 0xd1, 0xb1,
	0xc9, 0x8d, 0xd7, 0x68, 0x9f, 0xb8, 0xec, 0x11, 0xd2, 0x42, 0xb1, 0x23,
	0xdc, 0x9b, 0xd8, 0xba, 0xb9, 0x36, 0xb4, 0x7d, 0x92, 0xec, 0x35, 0x6c,
	0x0b, 0xab, 0x7d, 0xf5, 0x97, 0x6d, 0x27, 0xcd, 0x44, 0x9f, 0x63, 0x30,
	0x00, 0x99, 0xf3, 0x99, 0x1c, 0x26, 0x0e, 0xc4, 0xc6, 0x0d, 0x17, 0xb3,
	0x1f, 0x84, 0x29, 0x15, 0x7b, 0xb3, 0x5a, 0x12, 0x82, 0xa6, 0x43, 0xa8,
	0xd2, 0x26, 0x2c, 0xad, 0x67, 0x50, 0x0c, 0xad, 0xb8, 0xe7, 0x37, 0x8c,
	0x8e, 0xb7, 0x53, 0x9e, 0xc4, 0xd4, 0x90, 0x5f, 0xed, 0x1b, 0xee, 0x1f,
	0xc8, 0xaa, 0xfb, 0xa1, 0x7c, 0x75, 0x0e, 0x2c, 0x7a, 0xce, 0x01, 0xe6,
	0x00, 0x5f, 0x80, 0xfc, 0xb7, 0xdf, 0x62, 0x12, 0x30, 0xc8, 0x37, 0x11,
	0xb3, 0x93, 0x43, 0xfa, 0x02, 0x8c, 0xea, 0x7f, 0x7f, 0xb5, 0xff, 0x89,
	0xea, 0xc2, 0x30, 0x82, 0x49, 0xa0, 0x22, 0x52, 0x15, 0x5e, 0x23, 0x47,
	0xb6, 0x3d, 0x58, 0xc5, 0x45, 0x7a, 0xfd, 0x84, 0xd0, 0x5d, 0xff, 0xfd,
	0xb2, 0x03, 0x92, 0x84, 0x4a, 0xe8, 0x12, 0x15, 0x46, 0x82, 0xe9, 0xcf,
	0x01, 0x2f, 0x90, 0x21, 0xa6, 0xf0, 0xbe, 0x17, 0xdd, 0xd0, 0xc2, 0x08,
	0x4d, 0xce, 0x25, 0xff, 0x9b, 0x06, 0xcd, 0xe5, 0x35, 0xd0, 0xf9, 0x20,
	0xa2, 0xdb, 0x1b, 0xf3, 0x62, 0xc2, 0x3e, 0x59, 0x6d, 0x11, 0xa4, 0xf5,
	0xa6, 0xcf, 0x39, 0x48, 0x83, 0x8a, 0x3a, 0xec, 0x4e, 0x15, 0xda, 0xf8,
	0x50, 0x0a, 0x6e, 0xf6, 0x9e, 0xc4, 0xe3, 0xfe, 0xb6, 0xb1, 0xd9, 0x8e,
	0x61, 0x0a, 0xc8, 0xb7, 0xec, 0x3f, 0xaf, 0x6a, 0xd7, 0x60, 0xb7, 0xba,
	0xd1, 0xdb, 0x4b, 0xa3, 0x48, 0x5e, 0x8a, 0x94, 0xdc, 0x25, 0x0a, 0xe3,
	0xfd, 0xb4, 0x1e, 0xd1, 0x5f, 0xb6, 0xa8, 0xe5, 0xeb, 0xa0, 0xfc, 0x3d,
	0xd6, 0x0b, 0xc8, 0xe3, 0x0c, 0x5c, 0x42, 0x87, 0xe5, 0x38, 0x05, 0xdb,
	0x05, 0x9a, 0xe0, 0x64, 0x8d, 0xb2, 0xf6, 0x42, 0x64, 0xed, 0x5e, 0x39,
	0xbe, 0x2e, 0x20, 0xd8, 0x2d, 0xf5, 0x66, 0xda, 0x8d, 0xd5, 0x99, 0x8c,
	0xca, 0xbd, 0xae, 0x05, 0x30, 0x60, 0xae, 0x6c, 0x7b, 0x43, 0x78, 0xe8,
	0x46, 0xd2, 0x9f, 0x37, 0xed, 0x7b, 0x4e, 0xa9, 0xec, 0x5d, 0x82, 0xe7,
	0x96, 0x1b, 0x7f, 0x25, 0xa9, 0x32, 0x38, 0x51, 0xf6, 0x81, 0xd5, 0x82,
	0x36, 0x3a, 0xa5, 0xf8, 0x99, 0x37, 0xf5, 0xa6, 0x72, 0x58, 0xbf, 0x63,
	0xad, 0x6f, 0x1a, 0x0b, 0x1d, 0x96, 0xdb, 0xd4, 0xfa, 0xdd, 0xfc, 0xef,
	0xc5, 0x26, 0x6b, 0xa6, 0x61, 0x17, 0x22, 0x39, 0x5c, 0x90, 0x65, 0x56,
	0xbe, 0x52, 0xaf, 0xe3, 0xf5, 0x65, 0x63, 0x6a, 0xd1, 0xb1, 0x7d, 0x50,
	0x8b, 0x73, 0xd8, 0x74, 0x3e, 0xeb, 0x52, 0x4b, 0xe2, 0x2b, 0x3d, 0xcb,
	0xc2, 0xc7, 0x46, 0x8d, 0x54, 0x11, 0x9c, 0x74, 0x68, 0x44, 0x9a, 0x13,
	0xd8, 0xe3, 0xb9, 0x58, 0x11, 0xa1, 0x98, 0xf3, 0x49, 0x1d, 0xe3, 0xe7,
	0xfe, 0x94, 0x2b, 0x33, 0x04, 0x07, 0xab, 0xf8, 0x2a, 0x4e, 0xd7, 0xc1,
	0xb3, 0x11, 0x66, 0x3a, 0xc6, 0x98, 0x90, 0xf4, 0x15, 0x70, 0x15, 0x85,
	0x3d, 0x91, 0xe9, 0x23, 0x03, 0x7c, 0x22, 0x7a, 0x33, 0xcd, 0xd5, 0xec,
	0x28, 0x1c, 0xa3, 0xf7, 0x9c, 0x44, 0x54, 0x6b, 0x9d, 0x90, 0xca, 0x00,
	0xf0, 0x64, 0xc9, 0x9e, 0x3d, 0xd9, 0x79, 0x11, 0xd3, 0x9f, 0xe9, 0xc5,
	0xd0, 0xb2, 0x3a, 0x22, 0x9a, 0x23, 0x4c, 0xb3, 0x61, 0x86, 0xc4, 0x81,
	0x9e, 0x8b, 0x9c, 0x59, 0x27, 0x72, 0x66, 0x32, 0x29, 0x1d, 0x6a, 0x41,
	0x82, 0x11, 0xcc, 0x29, 0x62, 0xe2, 0x0f, 0xe4, 0x7f, 0xeb, 0x3e, 0xdf,
	0x33, 0x0f, 0x2c, 0x60, 0x3a, 0x9d, 0x48, 0xc0, 0xfc, 0xb5, 0x69, 0x9d,
	0xbf, 0xe5, 0x89, 0x64, 0x25, 0xc5, 0xba, 0xc4, 0xae, 0xe8, 0x2e, 0x57,
	0xa8, 0x5a, 0xaf, 0x4e, 0x25, 0x13, 0xe4, 0xf0, 0x57, 0x96, 0xb0, 0x7b,
	0xa2, 0xee, 0x47, 0xd8, 0x05, 0x06, 0xf8, 0xd2, 0xc2, 0x5e, 0x50, 0xfd,
	0x14, 0xde, 0x71, 0xe6, 0xc4, 0x18, 0x55, 0x93, 0x02, 0xf9, 0x39, 0xb0,
	0xe1, 0xab, 0xd5, 0x76, 0xf2, 0x79, 0xc4, 0xb2, 0xe0, 0xfe, 0xb8, 0x5c,
	0x1f, 0x28, 0xff, 0x18, 0xf5, 0x88, 0x91, 0xff, 0xef, 0x13, 0x2e, 0xef,
	0x2f, 0xa0, 0x93, 0x46, 0xae, 0xe3, 0x3c, 0x28, 0xeb, 0x13, 0x0f, 0xf2,
	0x8f, 0x5b, 0x76, 0x69, 0x53, 0x33, 0x41, 0x13, 0x21, 0x19, 0x96, 0xd2,
	0x00, 0x11, 0xa1, 0x98, 0xe3, 0xfc, 0x43, 0x3f, 0x9f, 0x25, 0x41, 0x01,
	0x0a, 0xe1, 0x7c, 0x1b, 0xf2, 0x02, 0x58, 0x0f, 0x60, 0x47, 0x47, 0x2f,
	0xb3, 0x68, 0x57, 0xfe, 0x84, 0x3b, 0x19, 0xf5, 0x98, 0x40, 0x09, 0xdd,
	0xc3, 0x24, 0x04, 0x4e, 0x84, 0x7a, 0x4f, 0x4a, 0x0a, 0xb3, 0x4f, 0x71,
	0x95, 0x95, 0xde, 0x37, 0x25, 0x2d, 0x62, 0x35, 0x36, 0x5e, 0x9b, 0x84,
	0x39, 0x2b, 0x06, 0x10, 0x85, 0x34, 0x9d, 0x73, 0x20, 0x3a, 0x4a, 0x13,
	0xe9, 0x6f, 0x54, 0x32, 0xec, 0x0f, 0xd4, 0xa1, 0xee, 0x65, 0xac, 0xcd,
	0xd5, 0xe3, 0x90, 0x4d, 0xf5, 0x4c, 0x1d, 0xa5, 0x10, 0xb0, 0xff, 0x20,
	0xdc, 0xc0, 0xc7, 0x7f, 0xcb, 0x2c, 0x0e, 0x0e, 0xb6, 0x05, 0xcb, 0x05,
	0x04, 0xdb, 0x87, 0x63, 0x2c, 0xf3, 0xd8, 0xb4, 0xda, 0xe6, 0xe7, 0x05,
	0x76, 0x9d, 0x1d, 0xe3, 0x54, 0x27, 0x01, 0x23, 0xcb, 0x11, 0x45, 0x0e,
	0xfc, 0x60, 0xac, 0x47, 0x68, 0x3d, 0x7b, 0x8d, 0x0f, 0x81, 0x13, 0x65,
	0x56, 0x5f, 0xd9, 0x8c, 0x4c, 0x8e, 0xb9, 0x36, 0xbc, 0xab, 0x8d, 0x06,
	0x9f, 0xc3, 0x3b, 0xd8, 0x01, 0xb0, 0x3a, 0xde, 0xa2, 0xe1, 0xfb, 0xc5,
	0xaa, 0x46, 0x3d, 0x08, 0xca, 0x19, 0x89, 0x6d, 0x2b, 0xf5, 0x9a, 0x07,
	0x1b, 0x85, 0x1e, 0x6c, 0x23, 0x90, 0x52, 0x17, 0x2f, 0x29, 0x6b, 0xfb,
	0x5e, 0x72, 0x40, 0x47, 0x90, 0xa2, 0x18, 0x10, 0x14, 0xf3, 0xb9, 0x4a,
	0x4e, 0x97, 0xd1, 0x17, 0xb4, 0x38, 0x13, 0x03, 0x68, 0xcc, 0x39, 0xdb,
	0xb2, 0xd1, 0x98, 0x06, 0x5a, 0xe3, 0x98, 0x65, 0x47, 0x92, 0x6c, 0xd2,
	0x16, 0x2f, 0x40, 0xa2, 0x9f, 0x0c, 0x3c, 0x87, 0x45, 0xc0, 0xf5, 0x0f,
	0xba, 0x38, 0x52, 0xe5, 0x66, 0xd4, 0x45, 0x75, 0xc2, 0x9d, 0x39, 0xa0,
	0x3f, 0x0c, 0xda, 0x72, 0x19, 0x84, 0xb6, 0xf4, 0x40, 0x59, 0x1f, 0x35,
	0x5e, 0x12, 0xd4, 0x39, 0xff, 0x15, 0x0a, 0xab, 0x76, 0x13, 0x49, 0x9d,
	0xbd, 0x49, 0xad, 0xab, 0xc8, 0x67, 0x6e, 0xef, 0x02, 0x3b, 0x15, 0xb6,
	0x5b, 0xfc, 0x5c, 0xa0, 0x69, 0x48, 0x10, 0x9f, 0x23, 0xf3, 0x50, 0xdb,
	0x82, 0x12, 0x35, 0x35, 0xeb, 0x8a, 0x74, 0x33, 0xbd, 0xab, 0xcb, 0x90,
	0x92, 0x71, 0xa6, 0xec, 0xbc, 0xb5, 0x8b, 0x93, 0x6a, 0x88, 0xcd, 0x4e,
	0x8f, 0x2e, 0x6f, 0xf5, 0x80, 0x01, 0x75, 0xf1, 0x13, 0x25, 0x3d, 0x8f,
	0xa9, 0xca, 0x88, 0x85, 0xc2, 0xf5, 0x52, 0xe6, 0x57, 0xdc, 0x60, 0x3f,
	0x25, 0x2e, 0x1a, 0x8e, 0x30, 0x8f, 0x76, 0xf0, 0xbe, 0x79, 0xe2, 0xfb,
	0x8f, 0x5d, 0x5f, 0xbb, 0xe2, 0xe3, 0x0e, 0xca, 0xdd, 0x22, 0x07, 0x23,
	0xc8, 0xc0, 0xae, 0xa8, 0x07, 0x8c, 0xdf, 0xcb, 0x38, 0x68, 0x26, 0x3f,
	0xf8, 0xf0, 0x94, 0x00, 0x54, 0xda, 0x48, 0x78, 0x18, 0x93, 0xa7, 0xe4,
	0x9a, 0xd5, 0xaf, 0xf4, 0xaf, 0x30, 0x0c, 0xd8, 0x04, 0xa6, 0xb6, 0x27,
	0x9a, 0xb3, 0xff, 0x3a, 0xfb, 0x64, 0x49, 0x1c, 0x85, 0x19, 0x4a, 0xab,
	0x76, 0x0d, 0x58, 0xa6, 0x06, 0x65, 0x4f, 0x9f, 0x44, 0x00, 0xe8, 0xb3,
	0x85, 0x91, 0x35, 0x6f, 0xbf, 0x64, 0x25, 0xac, 0xa2, 0x6d, 0xc8, 0x52,
	0x44, 0x25, 0x9f, 0xf2, 0xb1, 0x9c, 0x41, 0xb9, 0xf9, 0x6f, 0x3c, 0xa9,
	0xec, 0x1d, 0xde, 0x43, 0x4d, 0xa7, 0xd2, 0xd3, 0x92, 0xb9, 0x05, 0xdd,
	0xf3, 0xd1, 0xf9, 0xaf, 0x93, 0xd1, 0xaf, 0x59, 0x50, 0xbd, 0x49, 0x3f,
	0x5a, 0xa7, 0x31, 0xb4, 0x05, 0x6d, 0xf3, 0x1b, 0xd2, 0x67, 0xb6, 0xb9,
	0x0a, 0x07, 0x98, 0x31, 0xaa, 0xf5, 0x79, 0xbe, 0x0a, 0x39, 0x01, 0x31,
	0x37, 0xaa, 0xc6, 0xd4, 0x04, 0xf5, 0x18, 0xcf, 0xd4, 0x68, 0x40, 0x64,
	0x7e, 0x78, 0xbf, 0xe7, 0x06, 0xca, 0x4c, 0xf5, 0xe9, 0xc5, 0x45, 0x3e,
	0x9f, 0x7c, 0xfd, 0x2b, 0x8b, 0x4c, 0x8d, 0x16, 0x9a, 0x44, 0xe5, 0x5c,
	0x88, 0xd4, 0xa9, 0xa7, 0xf9, 0x47, 0x42, 0x41, 0xe2, 0x21, 0xaf, 0x44,
	0x86, 0x00, 0x18, 0xab, 0x08, 0x56, 0x97, 0x2e, 0x19, 0x4c, 0xd9, 0x34,
};

/* RFC 9001 A.3: the server's Initial, protected. */
static const uint8_t wb_quic_si[135] = {
	0xcf, 0x00, 0x00, 0x00, 0x01, 0x00, 0x08, 0xf0, 0x67, 0xa5, 0x50, 0x2a,
	0x42, 0x62, 0xb5, 0x00, 0x40, 0x75, 0xc0, 0xd9, 0x5a, 0x48, 0x2c, 0xd0,
	0x99, 0x1c, 0xd2, 0x5b, 0x0a, 0xac, 0x40, 0x6a, 0x58, 0x16, 0xb6, 0x39,
	0x41, 0x00, 0xf3, 0x7a, 0x1c, 0x69, 0x79, 0x75, 0x54, 0x78, 0x0b, 0xb3,
	0x8c, 0xc5, 0xa9, 0x9f, 0x5e, 0xde, 0x4c, 0xf7, 0x3c, 0x3e, 0xc2, 0x49,
	0x3a, 0x18, 0x39, 0xb3, 0xdb, 0xcb, 0xa3, 0xf6, 0xea, 0x46, 0xc5, 0xb7,
	0x68, 0x4d, 0xf3, 0x54, 0x8e, 0x7d, 0xde, 0xb9, 0xc3, 0xbf, 0x9c, 0x73,
	0xcc, 0x3f, 0x3b, 0xde, 0xd7, 0x4b, 0x56, 0x2b, 0xfb, 0x19, 0xfb, 0x84,
	0x02, 0x2f, 0x8e, 0xf4, 0xcd, 0xd9, 0x37, 0x95, 0xd7, 0x7d, 0x06, 0xed,
	0xbb, 0x7a, 0xaf, 0x2f, 0x58, 0x89, 0x18, 0x50, 0xab, 0xbd, 0xca, 0x3d,
	0x20, 0x39, 0x8c, 0x27, 0x64, 0x56, 0xcb, 0xc4, 0x21, 0x58, 0x40, 0x7d,
	0xd0, 0x74, 0xee,
};

/* One web session: the TCP or UDP one under it, and what it says. */
struct wb_sess {
	struct pg_sess	 s;		/* addresses, ports, sequences */
	int		 app;		/* WB_TLS, WB_HTTP, WB_QUIC */
	int		 ua;		/* the client: WB_CHROME ... */
	int		 tls12;		/* the server resumes TLS 1.2 */
	int		 pq;		/* the server took X25519MLKEM768 */
	int		 h1;		/* the client offers http/1.1 alone */
	unsigned	 cipher;	/* the server's choice */
	unsigned	 site;		/* the server, and so its name */
	uint64_t	 seed;		/* what the heads are rebuilt from */
	unsigned	 msg, nmsg;	/* messages sent, and in all */
	size_t		 off, hlen, blen, cut;	/* the message being sent */
	size_t		 rest, rec, reclen;	/* TLS: its records */
	unsigned	 at;		/* where its body's bytes begin */
	unsigned	 unacked;
	unsigned	 req, arg, status;	/* HTTP */
	int		 post;
};

/* Extension ids of each client's hello in its order, then 0. */
#define WB_G	0xaaaa		/* GREASE, empty */
#define WB_G1	0xbbbb		/* GREASE with one byte */
#define WB_SNI	0x10000		/* server_name (id 0 ends a list) */
static const unsigned wb_exts[4][20] = {
	/* Chrome shuffles all but the GREASE ones (first and last). */
	{ WB_G, WB_SNI, 23, 65281, 10, 11, 35, 16, 5, 13, 18, 51, 45, 43,
	    27, 17513, WB_G1 },
	{ WB_SNI, 23, 65281, 10, 11, 35, 16, 5, 34, 51, 43, 13, 45, 28, 27 },
	{ WB_G, WB_SNI, 23, 65281, 10, 11, 16, 5, 13, 18, 51, 45, 43, 27,
	    WB_G1, 21 },
	{ WB_SNI, 11, 10, 35, 16, 22, 23, 13, 43, 45, 51 },
};
static const unsigned wb_ciphers[4][32] = {
	{ WB_G, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030,
	    0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035 },
	{ 0x1301, 0x1303, 0x1302, 0xc02b, 0xc02f, 0xcca9, 0xcca8, 0xc02c,
	    0xc030, 0xc00a, 0xc009, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f,
	    0x0035 },
	{ WB_G, 0x1301, 0x1302, 0x1303, 0xc02c, 0xc02b, 0xcca9, 0xc030,
	    0xc02f, 0xcca8, 0xc00a, 0xc009, 0xc014, 0xc013, 0x009d, 0x009c,
	    0x0035, 0x002f, 0xc008, 0xc012, 0x000a },
	{ 0x1302, 0x1303, 0x1301, 0xc02c, 0xc030, 0x009f, 0xcca9, 0xcca8,
	    0xccaa, 0xc02b, 0xc02f, 0x009e, 0xc024, 0xc028, 0x006b, 0xc023,
	    0xc027, 0x0067, 0xc00a, 0xc014, 0x0039, 0xc009, 0xc013, 0x0033,
	    0x009d, 0x009c, 0x003d, 0x003c, 0x0035, 0x002f, 0x00ff },
};
static const unsigned wb_groups[4][12] = {
	{ WB_G, 0x11ec, 0x001d, 0x0017, 0x0018 },
	{ 0x001d, 0x0017, 0x0018, 0x0019, 0x0100, 0x0101 },
	{ WB_G, 0x001d, 0x0017, 0x0018, 0x0019 },
	{ 0x001d, 0x0017, 0x001e, 0x0019, 0x0018, 0x0100, 0x0101, 0x0102,
	    0x0103, 0x0104 },
};
static const unsigned wb_sigalgs[4][24] = {
	{ 0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601 },
	{ 0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501,
	    0x0601, 0x0203, 0x0201 },
	{ 0x0403, 0x0804, 0x0401, 0x0503, 0x0203, 0x0805, 0x0805, 0x0501,
	    0x0806, 0x0601, 0x0201 },
	{ 0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0809, 0x080a, 0x080b,
	    0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0303, 0x0203,
	    0x0301, 0x0201, 0x0302, 0x0202, 0x0402, 0x0502, 0x0602 },
};
static const unsigned wb_versions[4][6] = {
	{ WB_G, 0x0304, 0x0303 },
	{ 0x0304, 0x0303 },
	{ WB_G, 0x0304, 0x0303, 0x0302, 0x0301 },
	{ 0x0304, 0x0303 },
};
static const char *const wb_uas[4] = {
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
	    "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
	"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 "
	    "Firefox/133.0",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
	    "(KHTML, like Gecko) Version/18.1 Safari/605.1.15",
	"curl/7.88.1",
};
/* What HTTP clients ask for: a path, a number in it or not, its type. */
static const struct wb_path {
	const char	*pre, *suf;
	int		 num, text;
	const char	*ctype;
} wb_paths[8] = {
	{ "/", "", 0, 1, "text/html; charset=utf-8" },
	{ "/index.html", "", 0, 1, "text/html; charset=utf-8" },
	{ "/images/logo", ".png", 1, 0, "image/png" },
	{ "/static/app.", ".js", 1, 1, "application/javascript" },
	{ "/css/site", ".css", 1, 1, "text/css" },
	{ "/api/v1/items?id=", "", 1, 1, "application/json" },
	{ "/search?q=term", "&page=2", 1, 1, "text/html; charset=utf-8" },
	{ "/login", "", 0, 1, "text/html; charset=utf-8" },
};

static void
put24(struct pg_frame *f, uint32_t v)
{
	put8(f, v >> 16 & 0xff);
	put16(f, v & 0xffff);
}

/* A 16-bit length to fill in later: its offset. */
static size_t
len16(struct pg_frame *f)
{
	put16(f, 0);
	return f->n - 2;
}

static void
end16(struct pg_frame *f, size_t at)
{
	set16(f, at, (unsigned)(f->n - at - 2));
}

/* One of RFC 8701's sixteen GREASE values. */
static unsigned
grease(uint64_t *r)
{
	unsigned k = rndn(r, 16);

	return k << 12 | 0x0a00 | k << 4 | 0x0a;
}

/* A list of 16-bit values ending at 0, GREASE drawn from r. */
static void
wb_list(struct pg_frame *h, const unsigned *v, uint64_t *r)
{
	for (; *v; v++)
		put16(h, *v == WB_G ? grease(r) : *v);
}

static void
wb_rndb(struct pg_frame *h, uint64_t *r, size_t n)
{
	while (n-- > 0)
		put8(h, (unsigned)rnd(r) & 0xff);
}

/* Server k's name: www.site1234.example and the like. */
static void
wb_name(char *buf, size_t n, unsigned site)
{
	static const char *const pre[] = { "www", "www", "cdn", "api",
	    "static", "img", "m", "login" };

	snprintf(buf, n, "%s.site%u.example", pre[site % 8], site);
}

/* The session ID, which a TLS 1.2 server resuming the session echoes. */
static void
wb_sid(struct pg_frame *h, const struct wb_sess *ws)
{
	uint64_t r = ws->seed ^ 0x51d;

	put8(h, 32);
	wb_rndb(h, &r, 32);
}

static void
wb_alpn(struct pg_frame *h, int h1, int one)
{
	size_t at = len16(h);

	if (!h1) {
		put8(h, 2);
		putstr(h, "h2");
	}
	if (h1 || !one) {
		put8(h, 8);
		putstr(h, "http/1.1");
	}
	end16(h, at);
}

/* One extension of the ClientHello; hs is where the message's body starts. */
static void
wb_ext(struct pg_frame *h, const struct wb_sess *ws, unsigned id,
    uint64_t *r, size_t hs)
{
	char name[64];
	size_t at, in;

	put16(h, id == WB_SNI ? 0 : id == WB_G || id == WB_G1 ? grease(r) :
	    id);
	at = len16(h);
	switch (id) {
	case WB_G1:
	case 65281:		/* renegotiation_info */
		put8(h, 0);
		break;
	case WB_SNI:
		wb_name(name, sizeof(name), ws->site);
		in = len16(h);
		put8(h, 0);
		put16(h, (unsigned)strlen(name));
		putstr(h, name);
		end16(h, in);
		break;
	case 10:
		in = len16(h);
		wb_list(h, wb_groups[ws->ua], r);
		end16(h, in);
		break;
	case 11:		/* ec_point_formats: uncompressed */
		put8(h, 1);
		put8(h, 0);
		break;
	case 35:		/* session_ticket: one to resume with */
		if (ws->tls12)
			wb_rndb(h, r, 192);
		break;
	case 16:
		wb_alpn(h, ws->h1, 0);
		break;
	case 5:			/* status_request: OCSP */
		put8(h, 1);
		put32(h, 0);
		break;
	case 13:
		in = len16(h);
		wb_list(h, wb_sigalgs[ws->ua], r);
		end16(h, in);
		break;
	case 51:		/* key_share */
		in = len16(h);
		if (ws->ua == WB_CHROME || ws->ua == WB_SAFARI) {
			put16(h, grease(r));
			put16(h, 1);
			put8(h, 0);
		}
		if (ws->ua == WB_CHROME) {
			put16(h, 0x11ec);	/* X25519MLKEM768 */
			put16(h, 1216);
			wb_rndb(h, r, 1216);
		}
		put16(h, 0x001d);
		put16(h, 32);
		wb_rndb(h, r, 32);
		if (ws->ua == WB_FIREFOX) {
			put16(h, 0x0017);
			put16(h, 65);
			put8(h, 4);
			wb_rndb(h, r, 64);
		}
		end16(h, in);
		break;
	case 45:		/* psk_key_exchange_modes: psk_dhe_ke */
		put8(h, 1);
		put8(h, 1);
		break;
	case 43:		/* supported_versions */
		in = h->n;
		put8(h, 0);
		wb_list(h, wb_versions[ws->ua], r);
		h->b[in] = (uint8_t)(h->n - in - 1);
		break;
	case 27:		/* compress_certificate */
		if (ws->ua == WB_FIREFOX) {
			put8(h, 6);
			put16(h, 1);
			put16(h, 2);
			put16(h, 3);
		} else {
			put8(h, 2);
			put16(h, 2);
		}
		break;
	case 17513:		/* application_settings */
		in = len16(h);
		put8(h, 2);
		putstr(h, "h2");
		end16(h, in);
		break;
	case 34:		/* delegated_credentials */
		in = len16(h);
		put16(h, 0x0403);
		put16(h, 0x0503);
		put16(h, 0x0603);
		put16(h, 0x0203);
		end16(h, in);
		break;
	case 28:		/* record_size_limit */
		put16(h, 0x4001);
		break;
	case 21:		/* padding, to a body of 508 bytes */
		while (h->n - hs < 508)
			put8(h, 0);
		break;
	default:		/* 18, 22, 23: empty */
		break;
	}
	end16(h, at);
}

/*
 * A hello's record and handshake headers (type 1 or 2), its legacy
 * version, random and session ID; *hs is where the handshake header is.
 */
static size_t
wb_hello(struct pg_frame *h, const struct wb_sess *ws, unsigned type,
    uint64_t *r, size_t *hs)
{
	size_t rec;

	put8(h, 22);
	put16(h, type == 1 ? 0x0301 : 0x0303);
	rec = len16(h);
	put8(h, type);
	*hs = h->n;
	put24(h, 0);
	put16(h, 0x0303);
	wb_rndb(h, r, 32);
	wb_sid(h, ws);
	return rec;
}

/* The lengths of the hello whose headers wb_hello wrote. */
static void
wb_hello_end(struct pg_frame *h, size_t rec, size_t hs)
{
	h->b[hs] = (uint8_t)((h->n - hs - 3) >> 16);
	set16(h, hs + 1, (unsigned)((h->n - hs - 3) & 0xffff));
	end16(h, rec);
}

static void
wb_chello(struct pg_frame *h, const struct wb_sess *ws)
{
	uint64_t r = ws->seed;
	unsigned ids[20], n, i, k, t;
	size_t rec, hs, at;

	rec = wb_hello(h, ws, 1, &r, &hs);
	at = len16(h);
	wb_list(h, wb_ciphers[ws->ua], &r);
	end16(h, at);
	put8(h, 1);
	put8(h, 0);
	for (n = 0; wb_exts[ws->ua][n]; n++)
		ids[n] = wb_exts[ws->ua][n];
	if (ws->ua == WB_CHROME) {
		for (i = n - 2; i > 1; i--) {
			k = 1 + rndn(&r, i);
			t = ids[i];
			ids[i] = ids[k];
			ids[k] = t;
		}
	}
	at = len16(h);
	for (i = 0; i < n; i++)
		wb_ext(h, ws, ids[i], &r, hs + 3);
	end16(h, at);
	wb_hello_end(h, rec, hs);
}

/* A record of n bytes from the fill, as an encrypted one looks. */
static void
wb_record(struct pg_frame *h, unsigned type, size_t n, const uint8_t *fill)
{
	put8(h, type);
	put16(h, 0x0303);
	put16(h, (unsigned)n);
	putb(h, fill, n);
}

/*
 * The ServerHello and ChangeCipherSpec; resuming TLS 1.2, the server's
 * encrypted Finished too (the ALPN in the hello, TLS 1.3 hides it).
 */
static void
wb_shello(struct pg_frame *h, const struct wb_sess *ws, const uint8_t *fill)
{
	uint64_t r = ws->seed ^ 0x5e4e;
	size_t rec, hs, ext, at, in;

	rec = wb_hello(h, ws, 2, &r, &hs);
	put16(h, ws->cipher);
	put8(h, 0);
	ext = len16(h);
	if (ws->tls12) {
		put16(h, 65281);
		put16(h, 1);
		put8(h, 0);
		put16(h, 11);
		put16(h, 2);
		put8(h, 1);
		put8(h, 0);
		put16(h, 23);
		put16(h, 0);
		put16(h, 16);
		at = len16(h);
		wb_alpn(h, ws->h1, 1);
		end16(h, at);
	} else {
		put16(h, 43);
		put16(h, 2);
		put16(h, 0x0304);
		put16(h, 51);
		at = len16(h);
		put16(h, ws->pq ? 0x11ec : 0x001d);
		in = len16(h);
		wb_rndb(h, &r, ws->pq ? 1120 : 32);
		end16(h, in);
		end16(h, at);
	}
	end16(h, ext);
	wb_hello_end(h, rec, hs);
	wb_record(h, 20, 1, (const uint8_t *)"\x01");
	if (ws->tls12)
		wb_record(h, 22, 40, fill + (ws->seed & 1023));
}

static void
wb_request(struct pg_frame *h, const struct wb_sess *ws)
{
	const struct wb_path *p = &wb_paths[ws->req];
	char host[64], num[16] = "", buf[1024];
	int browser = ws->ua != WB_CURL;

	wb_name(host, sizeof(host), ws->site);
	if (p->num)
		snprintf(num, sizeof(num), "%u", ws->arg);
	snprintf(buf, sizeof(buf), "%s %s%s%s HTTP/1.1\r\nHost: %s\r\n"
	    "User-Agent: %s\r\nAccept: %s\r\n%s", ws->post ? "POST" : "GET",
	    p->pre, num, p->suf, host, wb_uas[ws->ua],
	    browser ? "text/html,application/xhtml+xml,*/*;q=0.8" : "*/*",
	    browser ? "Accept-Language: en-US,en;q=0.9\r\n"
	    "Accept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\n" :
	    "");
	putstr(h, buf);
	if (ws->post) {
		snprintf(buf, sizeof(buf), "Content-Type: "
		    "application/x-www-form-urlencoded\r\n"
		    "Content-Length: %zu\r\n", ws->blen);
		putstr(h, buf);
	}
	putstr(h, "\r\n");
}

static void
wb_response(struct pg_frame *h, const struct wb_sess *ws)
{
	static const char *const servers[] = { "nginx/1.24.0",
	    "Apache/2.4.62 (Debian)", "cloudflare", "envoy" };
	char host[64], buf[512];

	snprintf(buf, sizeof(buf), "HTTP/1.1 %u %s\r\nServer: %s\r\n"
	    "Content-Type: %s\r\nContent-Length: %zu\r\n", ws->status,
	    ws->status == 200 ? "OK" : ws->status == 404 ? "Not Found" :
	    "Moved Permanently", servers[ws->site % 4], ws->status == 200 ?
	    wb_paths[ws->req].ctype : "text/html; charset=utf-8", ws->blen);
	putstr(h, buf);
	if (ws->status == 301) {
		wb_name(host, sizeof(host), ws->site);
		snprintf(buf, sizeof(buf), "Location: https://%s/\r\n", host);
		putstr(h, buf);
	}
	putstr(h, "Connection: keep-alive\r\n\r\n");
}

/* The head of the message being sent, into h; its length. */
static size_t
wb_head(struct pg_frame *h, const struct wb_sess *ws, const uint8_t *fill)
{
	h->n = 0;
	if (ws->app == WB_HTTP) {
		if (ws->msg % 2 == 0)
			wb_request(h, ws);
		else
			wb_response(h, ws);
	} else if (ws->msg == 0)
		wb_chello(h, ws);
	else if (ws->msg == 1)
		wb_shello(h, ws, fill);
	else if (ws->msg == 2) {
		/* ChangeCipherSpec and the client's Finished. */
		wb_record(h, 20, 1, (const uint8_t *)"\x01");
		wb_record(h, ws->tls12 ? 22 : 23, ws->tls12 ? 40 : 53,
		    fill + (ws->seed >> 20 & 1023));
	}
	return h->n;
}

/* A response's length: most small, a few downloads. */
static size_t
wb_size(uint64_t *s)
{
	unsigned r = rndn(s, 100);

	return r < 60 ? rndr(s, 200, 6000) : r < 92 ? rndr(s, 6000, 60000) :
	    r < 99 ? rndr(s, 60000, 400000) : rndr(s, 400000, 2000000);
}

/* The next message: what it says and how long it is. */
static void
wb_start(struct wb_sess *ws, uint64_t *s, struct pg_frame *h,
    const uint8_t *fill)
{
	unsigned m = ws->msg, r;
	int split = 0;

	ws->off = ws->cut = ws->rec = ws->blen = 0;
	ws->unacked = 0;
	ws->at = rndn(s, 2048);
	if (ws->app == WB_TLS) {
		if (m == 1 && !ws->tls12)
			ws->blen = rndr(s, 1800, 5200);	/* certificates */
		else if (m >= 2 && m % 2 == 0)
			ws->blen = rndr(s, 60, 700);
		else if (m >= 3)
			ws->blen = wb_size(s);
	} else if (m % 2 == 0) {
		ws->req = rndn(s, 8);
		ws->arg = rndn(s, 100000);
		ws->post = (ws->req == 5 || ws->req == 7) && rndn(s, 2);
		ws->blen = ws->post ? rndr(s, 20, 900) : 0;
		split = rndn(s, 8) == 0;
	} else {
		r = rndn(s, 100);
		ws->status = r < 85 ? 200 : r < 96 ? 404 : 301;
		ws->blen = ws->status == 200 ? wb_size(s) :
		    ws->status == 404 ? rndr(s, 150, 600) : rndr(s, 0, 180);
	}
	ws->rest = ws->blen;
	ws->hlen = wb_head(h, ws, fill);
	if (split)
		ws->cut = rndr(s, 16, (unsigned)ws->hlen - 4);
}

/*
 * n bytes of the message's body into d.  TLS bodies are records of
 * application data, up to 2^14 and their overhead each, the headers
 * wherever the segments cut them.
 */
static void
wb_body(struct wb_sess *ws, uint8_t *d, size_t n, const uint8_t *src)
{
	size_t pos, k, b;

	if (ws->app != WB_TLS) {
		memcpy(d, src + ((ws->at + ws->off - ws->hlen) & 2047), n);
		ws->off += n;
		return;
	}
	while (n > 0) {
		if (ws->rec == 0) {
			b = ws->rest - 5 > 16401 ? 16401 : ws->rest - 5;
			if (ws->rest - 5 - b < 6)
				b = ws->rest - 5;
			ws->reclen = ws->rec = 5 + b;
			ws->rest -= ws->rec;
		}
		pos = ws->reclen - ws->rec;
		b = ws->reclen - 5;
		if (pos < 5) {
			*d = (uint8_t)(pos == 0 ? 23 : pos < 3 ? 3 :
			    pos == 3 ? b >> 8 : b & 0xff);
			k = 1;
		} else {
			k = n < ws->rec ? n : ws->rec;
			memcpy(d, src + ((ws->at + pos) & 2047), k);
		}
		d += k;
		n -= k;
		ws->rec -= k;
		ws->off += k;
	}
}

/* The next segment of the message being sent. */
static void
wb_seg(struct pg_out *o, struct pg_frame *f, struct wb_sess *ws,
    struct pg_frame *h, const uint8_t *fill, const uint8_t *text, size_t mss)
{
	uint8_t pay[1500];
	size_t n = ws->hlen + ws->blen - ws->off, k = 0;
	int txt = ws->app == WB_HTTP && (ws->msg % 2 == 0 ||
	    ws->status != 200 || wb_paths[ws->req].text);

	if (n > mss)
		n = mss;
	if (ws->cut && ws->off == 0)
		n = ws->cut;
	if (ws->off < ws->hlen) {
		wb_head(h, ws, fill);
		k = ws->hlen - ws->off < n ? ws->hlen - ws->off : n;
		memcpy(pay, h->b + ws->off, k);
		ws->off += k;
	}
	wb_body(ws, pay + k, n - k, txt ? text : fill);
	bk_tcp(o, f, &ws->s, (int)(ws->msg % 2),
	    ws->off == ws->hlen + ws->blen ? TH_PSH | TH_ACK : TH_ACK, n, pay,
	    0);
}

/* The TCP session's next packet; returns 1 when it has ended. */
static int
wb_tcp_next(struct pg_out *o, struct pg_frame *f, struct wb_sess *ws,
    uint64_t *s, const uint8_t *fill, const uint8_t *text)
{
	static struct pg_frame h;
	struct pg_sess *ss = &ws->s;
	size_t mss = (ss->v6 ? 1428 : 1448) + (ss->opt >= MX_OPT_WIN ? 12 : 0);
	unsigned last;

	/* The handshake and the teardown are bulk's. */
	switch (ss->phase) {
	case TP_ACK:
		bk_tcp(o, f, ss, 0, TH_ACK, 0, fill, 0);
		wb_start(ws, s, &h, fill);
		ss->phase = TP_DATA;
		break;
	case TP_DATA:
		/* The peer's next message acknowledges this one. */
		wb_seg(o, f, ws, &h, fill, text, mss);
		ws->unacked++;
		if (ws->off == ws->hlen + ws->blen) {
			if (++ws->msg < ws->nmsg)
				wb_start(ws, s, &h, fill);
			else
				ss->phase = TP_DACK;
		} else if (ws->unacked >= 2)
			ss->phase = TP_DACK;
		break;
	case TP_DACK:
		last = ws->msg < ws->nmsg ? ws->msg : ws->nmsg - 1;
		bk_tcp(o, f, ss, last % 2 == 0, TH_ACK, 0, fill, 0);
		ws->unacked = 0;
		ss->phase = ws->msg < ws->nmsg ? TP_DATA : TP_FIN1;
		break;
	default:
		return bk_tcp_next(o, f, ss, s, fill);
	}
	return ss->phase == TP_DONE;
}

/*
 * The QUIC session's next datagram: the RFC's client Initial, the
 * server's Initial with a Handshake packet coalesced after it, then
 * short headers, the server sending two for one.  The server's
 * connection ID is the one its Initial chose.
 */
static int
wb_quic_next(struct pg_frame *f, struct wb_sess *ws, uint64_t *s,
    const uint8_t *fill)
{
	struct pg_sess *ss = &ws->s;
	int rev = ss->phase != 0 && ss->phase % 3 != 0;
	unsigned n;

	bk_l3(f, ss, rev, 17);
	f_udp(f, rev ? 443 : ss->cport, rev ? ss->cport : 443);
	if (ss->phase == 0)
		putb(f, wb_quic_ci, sizeof(wb_quic_ci));
	else if (ss->phase == 1) {
		putb(f, wb_quic_si, sizeof(wb_quic_si));
		n = rndr(s, 900, 1050);
		put8(f, 0xe0 | rndn(s, 4));
		put32(f, 1);
		put8(f, 0);
		put8(f, 8);
		putb(f, wb_quic_si + 7, 8);
		put16(f, 0x4000 | n);
		putb(f, fill + rndn(s, 2048), n);
	} else {
		put8(f, 0x40 | rndn(s, 64));
		if (!rev)
			putb(f, wb_quic_si + 7, 8);
		putb(f, fill + rndn(s, 2048), rev ? rndr(s, 1200, 1330) :
		    rndr(s, 25, 70));
	}
	ss->phase++;
	return --ss->left == 0;
}

static void
wb_new(struct wb_sess *ws, uint64_t *s)
{
	static const unsigned c12[] = { 0xc02f, 0xc030, 0xcca8 };
	struct pg_sess *ss = &ws->s;
	unsigned r = rndn(s, 100);

	memset(ws, 0, sizeof(*ws));
	ws->app = r < 70 ? WB_TLS : r < 88 ? WB_HTTP : WB_QUIC;
	ss->kind = ws->app == WB_QUIC ? BK_UDP : BK_TCP;
	ss->v6 = rndn(s, 10) == 0;
	if (rndn(s, 5) == 0)
		bk_client(ss, rndn(s, MX_LOCAL));
	else
		mx_client(ss, rndn(s, MX_CLIENTS));
	/* Servers skewed towards a popular few, as in bulk. */
	ws->site = rndn(s, 1 + rndn(s, WB_SERVERS));
	bk_server(ss, ws->site);
	r = rndn(s, 100);
	ws->ua = r < 50 ? WB_CHROME : r < 70 ? WB_FIREFOX : r < 85 ?
	    WB_SAFARI : WB_CURL;
	/* Chrome on Windows: no timestamps, ports from 49152, TTL 128. */
	ss->opt = ws->ua == WB_CHROME && rndn(s, 3) == 0 ? MX_OPT_WIN :
	    MX_OPT_TS;
	ss->cport = ss->opt == MX_OPT_WIN ? rndr(s, 49152, 65535) :
	    rndr(s, 32768, 60999);
	ss->cttl = ss->opt == MX_OPT_WIN ? 128 : 64;
	ss->sttl = (rndn(s, 2) ? 64 : 128) - rndr(s, 3, 24);
	ss->sport = ws->app == WB_HTTP ? 80 : 443;
	ss->cid = rndn(s, 65536);
	ss->sid = rndn(s, 65536);
	ss->cseq = (uint32_t)rnd(s);
	ss->sseq = (uint32_t)rnd(s);
	ss->tsoff = (uint32_t)rnd(s);
	ws->seed = rnd(s);
	ws->tls12 = rndn(s, 7) == 0;
	ws->pq = ws->ua == WB_CHROME && !ws->tls12 && rndn(s, 2) == 0;
	ws->h1 = ws->ua == WB_CURL && rndn(s, 3) == 0;
	r = rndn(s, 100);
	ws->cipher = ws->tls12 ? c12[r % 3] : r < 60 ? 0x1301 : r < 90 ?
	    0x1302 : 0x1303;
	ws->nmsg = 2 * (rndn(s, 2) ? rndr(s, 2, 8) : 1) +
	    (ws->app == WB_TLS ? 2 : 0);
	ss->phase = TP_SYN;
	ss->left = rndr(s, 8, 62);	/* QUIC's datagrams */
}

static int
wb_next(struct pg_out *o, struct pg_frame *f, struct wb_sess *ws,
    uint64_t *s, const uint8_t *fill, const uint8_t *text)
{
	if (ws->app == WB_QUIC)
		return wb_quic_next(f, ws, s, fill);
	return wb_tcp_next(o, f, ws, s, fill, text);
}

/* Page text for HTTP bodies: words, tags and newlines. */
static void
wb_words(uint8_t *t, size_t n, uint64_t *s)
{
	static const char *const w[] = { "<p>", "the", "web", "page", "of",
	    "a", "site", "lorem", "ipsum", "dolor", "sit", "amet", "</p>\n",
	    "<div class=\"item\">", "</div>\n", "and" };
	const char *x;
	size_t i = 0;

	while (i < n) {
		for (x = w[rndn(s, 16)]; *x && i < n; x++)
			t[i++] = (uint8_t)*x;
		if (i < n)
			t[i++] = ' ';
	}
}

static void
sc_web(struct pg_out *o, struct pg_frame *f, uint64_t n, uint64_t seed)
{
	struct wb_sess *pool = ecalloc(WB_POOL, sizeof(*pool));
	uint8_t *fill = emalloc(4096), *text = emalloc(4096);
	uint64_t s = seed, i;
	unsigned k, warm;

	for (k = 0; k < 4096; k++)
		fill[k] = (uint8_t)rnd(&s);
	wb_words(text, 4096, &s);
	/* Each session is started, then run on unseen for a while. */
	for (k = 0; k < WB_POOL; k++) {
		wb_new(&pool[k], &s);
		for (warm = rndn(&s, 40); warm > 0; warm--)
			if (wb_next(o, f, &pool[k], &s, fill, text))
				wb_new(&pool[k], &s);
	}
	for (i = 0; i < n; i++) {
		k = rndn(&s, WB_POOL);
		if (wb_next(o, f, &pool[k], &s, fill, text))
			wb_new(&pool[k], &s);
		pg_done(f);
		pg_write(o, f);
	}
	free(text);
	free(fill);
	free(pool);
}


/* ---------------------------------------------------------------- */

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: %s mixed|sll|sll2|raw|null|bulk|mix|web "
	    "OUT.pcap [-n count] [-s seed] [-p usec|nsec] [-H hdrs.txt]\n",
	    nm_prog);
	exit(NM_EXIT_USAGE);
}

int
main(int argc, char **argv)
{
	static struct pg_frame frame;
	struct pg_out o = { 0 };
	const char *sc, *prec = NULL;
	uint64_t n = 1000000, seed = 1;
	int c;

	nm_init(argv[0]);
	while ((c = getopt(argc, argv, "H:n:s:p:h")) != -1) {
		switch (c) {
		case 'H':
			if ((o.hdrs = fopen(optarg, "w")) == NULL)
				nm_die(NM_EXIT_NOSOURCE, "%s: %s", optarg,
				    strerror(errno));
			break;
		case 'n':
			n = (uint64_t)estrtonum(optarg, 1, 100000000, "-n");
			break;
		case 's':
			seed = (uint64_t)estrtonum(optarg, 0, INT64_MAX, "-s");
			break;
		case 'p':
			prec = optarg;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 2)
		usage();
	sc = argv[optind];

	/* Each scenario has its own link type and timestamp precision. */
	o.link = PG_ETH;
	o.nsec = 0;
	if (strcmp(sc, "sll") == 0) {
		o.link = PG_SLL;
		o.nsec = 1;
	} else if (strcmp(sc, "sll2") == 0)
		o.link = PG_SLL2;
	else if (strcmp(sc, "raw") == 0) {
		o.link = PG_RAW;
		o.nsec = 1;
	} else if (strcmp(sc, "null") == 0)
		o.link = PG_NULL;
	else if (strcmp(sc, "mixed") != 0 && strcmp(sc, "bulk") != 0 &&
	    strcmp(sc, "mix") != 0 && strcmp(sc, "web") != 0)
		usage();
	if (prec != NULL && strcmp(prec, "nsec") == 0)
		o.nsec = 1;
	else if (prec != NULL && strcmp(prec, "usec") == 0)
		o.nsec = 0;
	else if (prec != NULL)
		usage();
	/* Microsecond files step in whole microseconds, so none are lost. */
	o.step = strcmp(sc, "bulk") == 0 || strcmp(sc, "mix") == 0 ||
	    strcmp(sc, "web") == 0 ? 10000 : o.nsec ? 1234567 : 1250000;

	pg_open(&o, argv[optind + 1]);
	if (strcmp(sc, "mixed") == 0)
		sc_mixed(&o, &frame);
	else if (strcmp(sc, "bulk") == 0)
		sc_bulk(&o, &frame, n, seed);
	else if (strcmp(sc, "mix") == 0)
		sc_mix(&o, &frame, n, seed);
	else if (strcmp(sc, "web") == 0)
		sc_web(&o, &frame, n, seed);
	else
		sc_variant(&o, &frame);
	pg_close(&o);
	if (o.hdrs != NULL && fclose(o.hdrs) == EOF)
		nm_die(NM_EXIT_FAIL, "-H: %s", strerror(errno));
	return NM_EXIT_OK;
}
