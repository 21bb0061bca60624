/*
 * pktgen: writes a classic pcap file of packets whose every byte is known,
 * so the golden tests have stable input and the benchmark a large one.  A
 * scenario names the content: "mixed" is one of each protocol case the
 * decoder knows (Ethernet, VLAN, ARP, IPv4 with options and fragments,
 * IPv6 with extension headers, TCP with options, UDP, DNS, ICMP, ICMPv6);
 * "sll", "sll2", "raw" and "null" carry a few IPv4/IPv6 packets over those
 * link types; "bulk" is COUNT packets of a realistic mix over many flows,
 * "mix" COUNT packets of tens of thousands of flows whose consecutive
 * packets rarely share a layout; both the same for the same seed.
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

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: %s mixed|sll|sll2|raw|null|bulk|mix OUT.pcap "
	    "[-n count] [-s seed] [-p usec|nsec] [-H hdrs.txt]\n", nm_prog);
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
	    strcmp(sc, "mix") != 0)
		usage();
	if (prec != NULL && strcmp(prec, "nsec") == 0)
		o.nsec = 1;
	else if (prec != NULL && strcmp(prec, "usec") == 0)
		o.nsec = 0;
	else if (prec != NULL)
		usage();
	/* Microsecond files step in whole microseconds, so none are lost. */
	o.step = strcmp(sc, "bulk") == 0 || strcmp(sc, "mix") == 0 ? 10000 :
	    o.nsec ? 1234567 : 1250000;

	pg_open(&o, argv[optind + 1]);
	if (strcmp(sc, "mixed") == 0)
		sc_mixed(&o, &frame);
	else if (strcmp(sc, "bulk") == 0)
		sc_bulk(&o, &frame, n, seed);
	else if (strcmp(sc, "mix") == 0)
		sc_mix(&o, &frame, n, seed);
	else
		sc_variant(&o, &frame);
	pg_close(&o);
	if (o.hdrs != NULL && fclose(o.hdrs) == EOF)
		nm_die(NM_EXIT_FAIL, "-H: %s", strerror(errno));
	return NM_EXIT_OK;
}
