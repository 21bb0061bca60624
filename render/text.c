/*
 * The three text modes: compact (the old tool's line, DESIGN.md section
 * 7), minimal (time, protocol, addresses) and detailed (the compact line,
 * then every layer's fields and a hex preview of the payload).  With
 * several sources each line names its interface after the time.  Each
 * appends whole lines, '\n' included, to the caller's buffer.
 */
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "render.h"

#define PROTO_W	   8  /* protocol column */
#define ADDR_W	   15 /* address columns: an IPv4 address's width, */
#define ADDR_W_MAX 39 /* ... growing to the widest IPv6 address seen */
#define PORT_W	   5  /* source port, right-aligned */
#define PREVIEW	   64 /* bytes of payload in the hex preview */

struct name {
	unsigned v;
	const char *s;
};

static const struct name icmp_names[] = { { 0, "echo reply" },
	{ 3, "unreachable" }, { 4, "source quench" }, { 5, "redirect" },
	{ 8, "echo request" }, { 9, "router advert" }, { 10, "router solicit" },
	{ 11, "time exceeded" }, { 12, "parameter problem" },
	{ 13, "timestamp request" }, { 14, "timestamp reply" }, { 0, NULL } };

static const struct name icmp_unreach[] = { { 0, "net unreachable" },
	{ 1, "host unreachable" }, { 2, "protocol unreachable" },
	{ 3, "port unreachable" }, { 4, "need to frag" },
	{ 13, "admin prohibited" }, { 0, NULL } };

static const struct name icmpv6_names[] = { { 1, "unreachable" },
	{ 2, "packet too big" }, { 3, "time exceeded" },
	{ 4, "parameter problem" }, { 128, "echo request" },
	{ 129, "echo reply" }, { 130, "multicast listener query" },
	{ 131, "multicast listener report" },
	{ 132, "multicast listener done" }, { 133, "router solicitation" },
	{ 134, "router advertisement" }, { 135, "neighbor solicitation" },
	{ 136, "neighbor advertisement" }, { 137, "redirect" },
	{ 143, "multicast listener report v2" }, { 0, NULL } };

static const struct name dns_types[] = { { 1, "A" }, { 2, "NS" },
	{ 5, "CNAME" }, { 6, "SOA" }, { 12, "PTR" }, { 15, "MX" },
	{ 16, "TXT" }, { 28, "AAAA" }, { 33, "SRV" }, { 35, "NAPTR" },
	{ 39, "DNAME" }, { 41, "OPT" }, { 43, "DS" }, { 44, "SSHFP" },
	{ 46, "RRSIG" }, { 47, "NSEC" }, { 48, "DNSKEY" }, { 50, "NSEC3" },
	{ 51, "NSEC3PARAM" }, { 52, "TLSA" }, { 59, "CDS" }, { 60, "CDNSKEY" },
	{ 64, "SVCB" }, { 65, "HTTPS" }, { 99, "SPF" }, { 251, "IXFR" },
	{ 252, "AXFR" }, { 255, "ANY" }, { 256, "URI" }, { 257, "CAA" },
	{ 0, NULL } };

static const struct name dns_rcodes[] = { { 0, "NoError" }, { 1, "FormErr" },
	{ 2, "ServFail" }, { 3, "NXDomain" }, { 4, "NotImp" }, { 5, "Refused" },
	{ 6, "YXDomain" }, { 7, "YXRRSet" }, { 8, "NXRRSet" }, { 9, "NotAuth" },
	{ 10, "NotZone" }, { 16, "BadVers" }, { 17, "BadKey" },
	{ 18, "BadTime" }, { 19, "BadMode" }, { 20, "BadName" },
	{ 21, "BadAlg" }, { 22, "BadTrunc" }, { 23, "BadCookie" },
	{ 0, NULL } };

static const struct name dns_classes[] = { { 1, "IN" }, { 3, "CH" },
	{ 4, "HS" }, { 254, "NONE" }, { 255, "ANY" }, { 0, NULL } };

/* tcpdump's names of the opcodes a query or response may carry */
static const struct name dns_opcodes[] = { { 1, "inv_q" }, { 2, "stat" },
	{ 4, "notify" }, { 5, "update" }, { 6, "dso" }, { 0, NULL } };

static const char *
lookup(const struct name *t, uint64_t v)
{
	for (; t->s != NULL; t++)
		if (t->v == v)
			return t->s;
	return NULL;
}

const char *
out_icmp_name(uint64_t type, uint64_t code, int v6)
{
	if (!v6 && type == 3 && lookup(icmp_unreach, code) != NULL)
		return lookup(icmp_unreach, code);
	return lookup(v6 ? icmpv6_names : icmp_names, type);
}

static void
out_str(struct strbuf *b, const msgpack_object *v)
{
	if (v != NULL && v->type == MSGPACK_OBJECT_STR)
		out_safe(b, v->via.str.ptr, v->via.str.size);
}

/* The protocol column: the decoder's name, else the highest layer seen. */
static const char *
proto_of(const struct out_pkt *p, size_t *n)
{
	const char *s;

	if (p->proto != NULL) {
		*n = p->proto->via.str.size;
		return p->proto->via.str.ptr;
	}
	s = p->is_frame ? "FRAME"
	    : p->tcp	? proto_ip_name(IPPROTO_TCP)
	    : p->udp	? proto_ip_name(IPPROTO_UDP)
	    : p->icmp	? proto_ip_name(IPPROTO_ICMP)
	    : p->icmpv6 ? proto_ip_name(IPPROTO_ICMPV6)
	    : p->arp	? "ARP"
	    : p->ip	? "IPv4"
	    : p->ipv6	? "IPv6"
			: "?";
	*n = strlen(s);
	return s;
}

static enum out_color
proto_color(const struct out_pkt *p, const char *s, size_t n)
{
	enum out_color c = proto_color_of(s, n);

	if (c != OC_NONE)
		return c;
	/* an application over them takes its transport's colour */
	if (p->dns != NULL)
		return proto_color_of("DNS", 3);
	s = p->tcp   ? proto_ip_name(IPPROTO_TCP)
	    : p->udp ? proto_ip_name(IPPROTO_UDP)
		     : "";
	return proto_color_of(s, strlen(s));
}

/* Source and destination: IP, else ARP's protocol addresses, else MAC. */
static void
endpoints(const struct out_pkt *p, const msgpack_object **src,
    const msgpack_object **dst)
{
	const msgpack_object *m;

	m = p->ip ? p->ip : p->ipv6 ? p->ipv6 : p->arp ? p->arp : NULL;
	if (m == p->arp && m != NULL) {
		*src = rec_get(m, "spa");
		*dst = rec_get(m, "tpa");
	} else if (m != NULL) {
		*src = rec_get(m, "src");
		*dst = rec_get(m, "dst");
	} else if (p->eth != NULL) {
		*src = rec_get(p->eth, "src");
		*dst = rec_get(p->eth, "dst");
	} else if (p->sll != NULL) {
		*src = rec_get(p->sll, "src");
		*dst = NULL;
	} else
		*src = *dst = NULL;
}

/* An address's text, '-' for none. */
static size_t
addr_str(const msgpack_object *v, char *buf, size_t len)
{
	if (v != NULL)
		return out_addr_buf(v, buf, len);
	buf[0] = '-';
	return 1;
}

/* An address, then spaces to the column width w. */
static void
addr_col(struct strbuf *b, const char *s, size_t n, size_t w)
{
	sb_add(b, s, n);
	if (n < w)
		sb_spaces(b, w - n);
}

/*
 * Source and destination columns.  They start at an IPv4 address's width
 * and grow to the widest IP address seen so far (bounded), so IPv4 lines
 * waste nothing and, once IPv6 came, the columns after stay aligned.
 */
static void
addr_cols(struct out *o, struct strbuf *b, const struct out_pkt *p,
    const msgpack_object *src, const msgpack_object *dst)
{
	char sbuf[128], dbuf[128];
	size_t ns = addr_str(src, sbuf, sizeof(sbuf));
	size_t nd = addr_str(dst, dbuf, sizeof(dbuf));
	size_t m = ns > nd ? ns : nd;

	if (o->addr_w < ADDR_W)
		o->addr_w = ADDR_W;
	if ((p->ip != NULL || p->ipv6 != NULL) && m > o->addr_w)
		o->addr_w = m < ADDR_W_MAX ? m : ADDR_W_MAX;
	addr_col(b, sbuf, ns, o->addr_w);
	sb_adds(b, out_arrow(o));
	addr_col(b, dbuf, nd, o->addr_w);
}

void
out_tcp_flags(struct strbuf *b, uint64_t f)
{
	char letters[16];

	sb_addc(b, '[');
	if (tcp_flag_letters(letters, (unsigned)(f & TCP_FLAGS)) > 0)
		sb_adds(b, letters);
	else
		sb_adds(b, "none");
	sb_addc(b, ']');
}

static void
port(struct out *o, struct strbuf *b, const struct out_pkt *p, uint64_t v,
    int pad)
{
	size_t n = 0;
	uint64_t x = v;

	if (pad) {
		do {
			n++;
			x /= 10;
		} while (x != 0);
		if (n < PORT_W)
			sb_spaces(b, PORT_W - n);
	}
	out_color(o, b, OC_YELLOW);
	out_u64(b, v);
	if (p->has_svcport && p->svcport == v && p->quic != NULL)
		sb_adds(b, "(QUIC)"); /* UDP 443's name is https's */
	else if (p->has_svcport && p->svcport == v && p->service != NULL) {
		sb_addc(b, '(');
		out_str(b, p->service);
		sb_addc(b, ')');
	}
	out_uncolor(o, b, OC_YELLOW);
}

static void
ports(struct out *o, struct strbuf *b, const struct out_pkt *p,
    const msgpack_object *l4)
{
	port(o, b, p, out_u(l4, "sport", 0), 1);
	sb_adds(b, out_arrow(o));
	port(o, b, p, out_u(l4, "dport", 0), 0);
}

static void
dns_type(struct strbuf *b, uint64_t t)
{
	const char *s = lookup(dns_types, t);

	if (s != NULL)
		sb_adds(b, s);
	else {
		sb_adds(b, "TYPE");
		out_u64(b, t);
	}
}

/* A name as tcpdump writes it: with its final dot, the root as "." */
static void
dns_name(struct strbuf *b, const msgpack_object *v)
{
	if (v == NULL || v->type != MSGPACK_OBJECT_STR)
		return;
	if (v->via.str.size == 6 && memcmp(v->via.str.ptr, "<Root>", 6) == 0)
		v = NULL; /* nm-decode's name of the root */
	else
		out_str(b, v);
	if (v == NULL || v->via.str.size == 0 ||
	    v->via.str.ptr[v->via.str.size - 1] != '.')
		sb_addc(b, '.');
}

/* An answer's data: address, name, text, or nothing known. */
static void
dns_rdata(struct strbuf *b, const msgpack_object *rr)
{
	const msgpack_object *v;

	if ((v = rec_get(rr, "addr")) != NULL) {
		out_addr(b, v);
		return;
	}
	if ((v = rec_get(rr, "pref")) != NULL) {
		out_value(b, v);
		sb_addc(b, ' ');
	}
	if ((v = rec_get(rr, "target")) != NULL)
		dns_name(b, v);
	else if ((v = rec_get(rr, "text")) != NULL) {
		sb_addc(b, '"');
		out_str(b, v);
		sb_addc(b, '"');
	}
}

static int
dns_flag(const msgpack_object *dns, const char *key)
{
	int v = 0;

	return rec_get_bool(dns, key, &v) && v;
}

/* " [2an]": a section's count when not zero, named as tcpdump does */
static void
dns_count(struct strbuf *b, const msgpack_object *dns, const char *key,
    const char *name)
{
	uint64_t n = out_u(dns, key, 0);

	if (n == 0)
		return;
	sb_adds(b, " [");
	out_u64(b, n);
	sb_adds(b, name);
	sb_addc(b, ']');
}

/*
 * tcpdump's summary: a query as "4660+ [1au] A? example.com." (id, '+'
 * when recursion is desired, the counts of sections a query seldom has), a
 * response as "4660* 2/0/1 A 10.0.0.2, A 10.0.0.3" (id, the rcode unless
 * NoError, '*' authoritative, '-' no recursion available, '|' truncated, then
 * the answer, authority and additional counts and the answers).
 */
static void
dns_summary(struct strbuf *b, const msgpack_object *dns)
{
	const msgpack_object *q, *ans, *e;
	const char *s;
	uint64_t rcode, nan, op;
	uint32_t i;
	size_t n;
	int qr = dns_flag(dns, "qr"), any = 0;

	q = rec_get(dns, "q");
	ans = rec_get(dns, "ans");
	sb_addc(b, ' ');
	out_u64(b, out_u(dns, "id", 0));
	if ((op = out_u(dns, "opcode", 0)) != 0) {
		sb_addc(b, ' ');
		if ((s = lookup(dns_opcodes, op)) != NULL)
			sb_adds(b, s);
		else {
			sb_adds(b, "op");
			out_u64(b, op);
		}
	}
	if (!qr) {
		if (dns_flag(dns, "rd"))
			sb_addc(b, '+');
		/* a query's other sections, as tcpdump: "[1au]" for EDNS */
		dns_count(b, dns, "an", "an");
		dns_count(b, dns, "ns", "n");
		dns_count(b, dns, "ar", "au");
		for (i = 0; q != NULL && q->type == MSGPACK_OBJECT_ARRAY &&
		     i < q->via.array.size;
		     i++) {
			e = &q->via.array.ptr[i];
			sb_addc(b, ' ');
			dns_type(b, out_u(e, "type", 0));
			sb_adds(b, "? ");
			dns_name(b, rec_get(e, "name"));
		}
		return;
	}
	/* EDNS holds the rcode's upper 8 of 12 bits (RFC 6891, 6.1.3) */
	rcode = out_u(dns, "rcode", 0);
	if ((e = rec_get(dns, "edns")) != NULL)
		rcode |= out_u(e, "ext_rcode", 0) << 4;
	if (rcode != 0) {
		sb_addc(b, ' ');
		if ((s = lookup(dns_rcodes, rcode)) != NULL)
			sb_adds(b, s);
		else {
			sb_adds(b, "rcode");
			out_u64(b, rcode);
		}
	}
	if (dns_flag(dns, "aa"))
		sb_addc(b, '*');
	if (!dns_flag(dns, "ra"))
		sb_addc(b, '-');
	if (dns_flag(dns, "tc"))
		sb_addc(b, '|');
	nan = out_u(dns, "an", UINT32_MAX);
	if (nan != UINT32_MAX) {
		sb_addc(b, ' ');
		out_u64(b, nan);
		sb_addc(b, '/');
		out_u64(b, out_u(dns, "ns", 0));
		sb_addc(b, '/');
		out_u64(b, out_u(dns, "ar", 0));
	}
	/* the answer section only: authority and additional follow it */
	for (i = 0; ans != NULL && ans->type == MSGPACK_OBJECT_ARRAY &&
	     i < ans->via.array.size && i < nan;
	     i++) {
		e = &ans->via.array.ptr[i];
		sb_adds(b, any ? ", " : " ");
		dns_type(b, out_u(e, "type", 0));
		sb_addc(b, ' ');
		n = b->len;
		dns_rdata(b, e);
		if (b->len == n) /* data nm-decode does not show */
			b->len--;
		any = 1;
	}
}

/* TLS handshake types (RFC 8446 4, RFC 5246 7.4) and versions. */
static const struct name tls_hs_types[] = { { 0, "HelloRequest" },
	{ 1, "ClientHello" }, { 2, "ServerHello" }, { 4, "NewSessionTicket" },
	{ 5, "EndOfEarlyData" }, { 8, "EncryptedExtensions" },
	{ 11, "Certificate" }, { 12, "ServerKeyExchange" },
	{ 13, "CertificateRequest" }, { 14, "ServerHelloDone" },
	{ 15, "CertificateVerify" }, { 16, "ClientKeyExchange" },
	{ 20, "Finished" }, { 24, "KeyUpdate" }, { 0, NULL } };
static const struct name tls_versions[] = { { 0x0300, "SSLv3" },
	{ 0x0301, "TLSv1.0" }, { 0x0302, "TLSv1.1" }, { 0x0303, "TLSv1.2" },
	{ 0x0304, "TLSv1.3" }, { 0, NULL } };

/* The comma-joined strings of an array (ALPN protocol names). */
static void
str_list(struct strbuf *b, const msgpack_object *a)
{
	uint32_t i;

	if (a == NULL || a->type != MSGPACK_OBJECT_ARRAY)
		return;
	for (i = 0; i < a->via.array.size; i++) {
		if (a->via.array.ptr[i].type != MSGPACK_OBJECT_STR)
			continue;
		sb_addc(b, i > 0 ? ',' : ' ');
		out_str(b, &a->via.array.ptr[i]);
	}
}

/* A handshake message's name, or its number. */
static void
tls_hs_name(struct strbuf *b, uint64_t type)
{
	const char *s = lookup(tls_hs_types, type);

	if (s != NULL)
		sb_adds(b, s);
	else {
		sb_adds(b, "handshake ");
		out_u64(b, type);
	}
}

/*
 * A hello's gist: "TLS ClientHello www.example.com h2,http/1.1" (the
 * server name and the protocols offered), "TLS ServerHello TLSv1.3 h2"
 * (the version chosen: supported_versions' over the legacy field, and the
 * protocol); other handshake messages by their name, and those after the
 * first in the segment after it: "TLS ServerHello TLSv1.2, Certificate,
 * ServerHelloDone".
 */
static void
tls_summary(struct strbuf *b, const msgpack_object *tls, int in_quic)
{
	const msgpack_object *v = rec_get(tls, "versions");
	const msgpack_object *all = rec_get(tls, "types");
	uint64_t type = out_u(tls, "type", 256), ver;
	const char *s;
	uint32_t i;

	if (type == 256)
		return;
	/* in a QUIC Initial, "Initial www.example.com h3" says it all */
	if (!in_quic || type != 1) {
		sb_adds(b, in_quic ? " " : " TLS ");
		tls_hs_name(b, type);
	}
	if (type == 2) {
		ver = out_u(tls, "version", 0);
		if (v != NULL && v->type == MSGPACK_OBJECT_ARRAY &&
		    v->via.array.size == 1 &&
		    v->via.array.ptr[0].type == MSGPACK_OBJECT_POSITIVE_INTEGER)
			ver = v->via.array.ptr[0].via.u64;
		sb_addc(b, ' ');
		if ((s = lookup(tls_versions, ver)) != NULL)
			sb_adds(b, s);
		else
			out_hex(b, ver, 4);
	}
	if ((v = rec_get(tls, "sni")) != NULL &&
	    v->type == MSGPACK_OBJECT_STR) {
		sb_addc(b, ' ');
		out_str(b, v);
	}
	str_list(b, rec_get(tls, "alpn"));
	if (all == NULL || all->type != MSGPACK_OBJECT_ARRAY)
		return;
	for (i = 1; i < all->via.array.size; i++)
		if (all->via.array.ptr[i].type ==
		    MSGPACK_OBJECT_POSITIVE_INTEGER) {
			sb_adds(b, ", ");
			tls_hs_name(b, all->via.array.ptr[i].via.u64);
		}
}

/*
 * A long header's packet type by name: version 2 (RFC 9369 3.2) numbers
 * them otherwise than version 1 (RFC 9000 17.2).
 */
static void
quic_summary(struct strbuf *b, const msgpack_object *q)
{
	static const char *const v1[] = { "Initial", "0-RTT", "Handshake",
		"Retry" };
	static const char *const v2[] = { "Retry", "Initial", "0-RTT",
		"Handshake" };
	uint64_t ver = out_u(q, "version", 1), type = out_u(q, "type", 0);

	sb_addc(b, ' ');
	if (ver == 0)
		sb_adds(b, "Version Negotiation");
	else if (type < 4)
		sb_adds(b, ver == 0x6b3343cf ? v2[type] : v1[type]);
	else {
		sb_adds(b, "type ");
		out_u64(b, type);
	}
}

/*
 * A request as "GET www.example.com/index.html" (the Host and the target,
 * as a browser's address bar has them; an absolute target alone), a
 * response as "200 OK".
 */
static void
http_summary(struct strbuf *b, const msgpack_object *h)
{
	const msgpack_object *m = rec_get(h, "method"), *u, *host, *ph;

	if (m != NULL && m->type == MSGPACK_OBJECT_STR) {
		sb_addc(b, ' ');
		out_str(b, m);
		sb_addc(b, ' ');
		u = rec_get(h, "uri");
		host = rec_get(h, "host");
		if (host != NULL && host->type == MSGPACK_OBJECT_STR &&
		    (u == NULL || u->type != MSGPACK_OBJECT_STR ||
			(u->via.str.size > 0 && u->via.str.ptr[0] == '/')))
			out_str(b, host);
		if (u != NULL && u->type == MSGPACK_OBJECT_STR)
			out_str(b, u);
		return;
	}
	if (out_has(h, "code")) {
		sb_addc(b, ' ');
		out_u64(b, out_u(h, "code", 0));
		if ((ph = rec_get(h, "phrase")) != NULL &&
		    ph->type == MSGPACK_OBJECT_STR && ph->via.str.size > 0) {
			sb_addc(b, ' ');
			out_str(b, ph);
		}
	}
}

static void
icmp_summary(struct strbuf *b, const msgpack_object *m, int v6)
{
	uint64_t type = out_u(m, "type", 0), code = out_u(m, "code", 0);
	const char *s = out_icmp_name(type, code, v6);
	const msgpack_object *t;

	if (s != NULL)
		sb_adds(b, s);
	else
		sb_adds(b, "type");
	sb_adds(b, " (");
	out_u64(b, type);
	sb_addc(b, '/');
	out_u64(b, code);
	sb_addc(b, ')');
	if (out_has(m, "id")) {
		sb_adds(b, " id ");
		out_u64(b, out_u(m, "id", 0));
	}
	if (out_has(m, "seq")) {
		sb_adds(b, " seq ");
		out_u64(b, out_u(m, "seq", 0));
	}
	if ((t = rec_get(m, "target")) != NULL) {
		sb_adds(b, " target ");
		out_addr(b, t);
	}
}

static void
arp_summary(struct strbuf *b, const msgpack_object *arp)
{
	uint64_t op = out_u(arp, "op", 0);

	if (op == 1) {
		sb_adds(b, "who-has ");
		out_addr(b, rec_get(arp, "tpa"));
		sb_adds(b, " tell ");
		out_addr(b, rec_get(arp, "spa"));
	} else if (op == 2) {
		out_addr(b, rec_get(arp, "spa"));
		sb_adds(b, " is-at ");
		out_addr(b, rec_get(arp, "sha"));
	} else if (op == 3) { /* RARP: a link address asks its IP address */
		sb_adds(b, "who-is ");
		out_addr(b, rec_get(arp, "tha"));
		sb_adds(b, " tell ");
		out_addr(b, rec_get(arp, "sha"));
	} else if (op == 4) {
		out_addr(b, rec_get(arp, "tha"));
		sb_adds(b, " is-at ");
		out_addr(b, rec_get(arp, "tpa"));
	} else {
		sb_adds(b, "arp op ");
		out_u64(b, op);
	}
}

/*
 * tcpdump's old fragment mark, " frag ID:SIZE@OFFSET" and '+' when more
 * follow (sizes and offsets in bytes), on any fragment of IPv4 or IPv6.
 */
static void
frag_mark(struct strbuf *b, const struct out_pkt *p)
{
	const msgpack_object *l = p->ip != NULL ? p->ip : p->ipv6, *ext;
	uint64_t off, hl = 0, len;
	uint32_t i;
	int mf = 0;

	/* most packets are no fragment: two lookups, then done */
	if (l == NULL)
		return;
	off = out_u(l, "frag", 0);
	(void)rec_get_bool(l, "mf", &mf);
	if (!mf && off == 0)
		return;
	if (l == p->ip) {
		len = out_u(l, "len", 0);
		hl = out_u(l, "hl", 20);
	} else {
		/* the payload after every extension header, the fragment's */
		len = out_u(l, "plen", 0);
		ext = rec_get(l, "ext");
		for (i = 0; ext != NULL && ext->type == MSGPACK_OBJECT_ARRAY &&
		     i < ext->via.array.size;
		     i++)
			hl += out_u(&ext->via.array.ptr[i], "len", 0);
	}
	sb_adds(b, " frag ");
	out_u64(b, out_u(l, l == p->ip ? "id" : "fid", 0));
	sb_addc(b, ':');
	out_u64(b, len > hl ? len - hl : 0);
	sb_addc(b, '@');
	out_u64(b, off * 8);
	if (mf)
		sb_addc(b, '+');
}

/* Every 802.1Q or 802.1ad tag, outer first: " vlan 10 vlan 20". */
static void
vlan_mark(struct strbuf *b, const struct out_pkt *p)
{
	const msgpack_object *t;
	uint32_t i;

	for (i = 0; p->vlan != NULL && i < p->vlan->via.array.size; i++) {
		t = &p->vlan->via.array.ptr[i];
		if (!out_has(t, "id"))
			continue;
		sb_adds(b, " vlan ");
		out_u64(b, out_u(t, "id", 0));
	}
}

/* The part between the addresses and the length; nothing when unknown. */
/*
 * What the application layers say, on each line; the minimal line, which
 * has no port to name them by, names QUIC and HTTP too (TLS names itself).
 */
static void
app_summary(struct strbuf *b, const struct out_pkt *p, int minimal)
{
	if (p->quic != NULL) {
		if (minimal)
			sb_adds(b, " QUIC");
		quic_summary(b, p->quic);
	}
	if (p->tls != NULL)
		tls_summary(b, p->tls, p->quic != NULL);
	if (p->http != NULL) {
		if (minimal)
			sb_adds(b, " HTTP");
		http_summary(b, p->http);
	}
}

static void
middle(struct out *o, struct strbuf *b, const struct out_pkt *p)
{
	size_t start, l4;

	sb_adds(b, " | ");
	start = b->len;
	if (p->tcp != NULL) {
		ports(o, b, p, p->tcp);
		sb_addc(b, ' ');
		out_color(o, b, OC_RED);
		out_tcp_flags(b, out_u(p->tcp, "flags", 0));
		out_uncolor(o, b, OC_RED);
		/* the payload's length, as tcpdump's "length", when any */
		if (out_u(p->tcp, "len", 0) > 0) {
			sb_adds(b, " len ");
			out_u64(b, out_u(p->tcp, "len", 0));
		}
	} else if (p->udp != NULL)
		ports(o, b, p, p->udp);
	else if (p->icmp != NULL)
		icmp_summary(b, p->icmp, 0);
	else if (p->icmpv6 != NULL)
		icmp_summary(b, p->icmpv6, 1);
	else if (p->arp != NULL)
		arp_summary(b, p->arp);
	else if (p->eth != NULL && p->ip == NULL && p->ipv6 == NULL &&
	    out_has(p->eth, "type")) {
		sb_adds(b, "ethertype ");
		out_hex(b, out_u(p->eth, "type", 0), 4);
	}
	l4 = b->len;
	if (p->dns != NULL)
		dns_summary(b, p->dns);
	app_summary(b, p, 0);
	frag_mark(b, p);
	vlan_mark(b, p);
	if (b->len == start)
		b->len -= 3;  /* no middle: drop its separator */
	else if (l4 == start) /* no ports: no space before what follows */
		memmove(b->p + start, b->p + start + 1, --b->len - start);
}

/* tcpdump's truncation marker, with our reason: " [|tcp: why]". */
static void
err_marker(struct strbuf *b, const struct out_pkt *p)
{
	const msgpack_object *why;

	if (p->err == NULL)
		return;
	sb_adds(b, " [|");
	out_str(b, rec_get(p->err, "layer"));
	why = rec_get(p->err, "why");
	if (why == NULL)
		why = rec_get(p->err, "kind");
	if (why != NULL) {
		sb_adds(b, ": ");
		out_str(b, why);
	}
	sb_addc(b, ']');
}

/*
 * What out_scan() and the two short modes read of a packet: layers that
 * are shown whole (dns, arp, icmp, err) whole, of the others the keys.
 */
const char *const out_text_keys[] = { "ts", "len", "caplen", "if", "poff",
	"plen", "proto", "service", "svcport", "err", "null", "vlan", "arp",
	"icmp", "icmpv6", "dns", "eth.src", "eth.dst", "eth.type", "sll.src",
	"ip.src", "ip.dst", "ip.id", "ip.mf", "ip.frag", "ip.len", "ip.hl",
	"ipv6.src", "ipv6.dst", "ipv6.frag", "ipv6.mf", "ipv6.fid", "ipv6.plen",
	"ipv6.ext", "tcp.sport", "tcp.dport", "tcp.flags", "tcp.len",
	"udp.sport", "udp.dport", "tls", "quic", "http", NULL };

void
out_compact(struct out *o, struct strbuf *b, const struct out_pkt *p)
{
	const msgpack_object *src, *dst;
	const char *proto;
	enum out_color c;
	size_t n;

	if (o->tmode != OUT_TIME_NONE) {
		out_color(o, b, OC_CYAN);
		sb_addc(b, '[');
		out_time(o, b, p->ts);
		sb_addc(b, ']');
		out_uncolor(o, b, OC_CYAN);
		sb_addc(b, ' ');
	}
	out_if_col(o, b, p->ifidx);
	proto = proto_of(p, &n);
	c = o->color ? proto_color(p, proto, n) : OC_NONE;
	out_color(o, b, c);
	out_safe(b, proto, n);
	out_uncolor(o, b, c);
	sb_spaces(b, n < PROTO_W ? PROTO_W - n + 1 : 1);
	endpoints(p, &src, &dst);
	if (src != NULL || dst != NULL)
		addr_cols(o, b, p, src, dst);
	middle(o, b, p);
	sb_adds(b, " | ");
	out_u64(b, p->len);
	sb_adds(b, " bytes");
	err_marker(b, p);
	sb_addc(b, '\n');
}

static void
out_minimal_addr(struct strbuf *b, const msgpack_object *v)
{
	char buf[128];
	size_t n = addr_str(v, buf, sizeof(buf));

	sb_add(b, buf, n);
}

void
out_minimal(struct out *o, struct strbuf *b, const struct out_pkt *p)
{
	const msgpack_object *src, *dst;
	const char *proto;
	enum out_color c;
	size_t n;

	if (o->tmode != OUT_TIME_NONE) {
		out_color(o, b, OC_CYAN);
		out_time(o, b, p->ts);
		out_uncolor(o, b, OC_CYAN);
		sb_addc(b, ' ');
	}
	out_if_col(o, b, p->ifidx);
	proto = proto_of(p, &n);
	c = o->color ? proto_color(p, proto, n) : OC_NONE;
	out_color(o, b, c);
	out_safe(b, proto, n);
	out_uncolor(o, b, c);
	endpoints(p, &src, &dst);
	if (src != NULL || dst != NULL) {
		sb_addc(b, ' ');
		out_minimal_addr(b, src);
		sb_adds(b, out_arrow(o));
		out_minimal_addr(b, dst);
	}
	app_summary(b, p, 1);
	sb_addc(b, '\n');
}

/* The schema id of key name in the known map parent, or -1. */
static int
key_id(int parent, const char *name, size_t n)
{
	enum key_type t, elem;
	int id;

	if (parent < 0)
		return -1;
	id = rec_key_find(parent, name, n, &t, &elem);
	return id != 0 ? id : -1;
}

/*
 * The name a DNS number has, for the keys that hold one: types, classes
 * (not of an OPT record, whose class is its UDP size) and rcodes.
 */
static const char *
dns_number_name(const struct rec_key *k, const msgpack_object *v, int opt)
{
	const char *p;

	if (k == NULL || v->type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
	    strncmp(k->path, "dns.", 4) != 0)
		return NULL;
	p = k->path + 4;
	if (strcmp(p, "q.type") == 0 || strcmp(p, "ans.type") == 0)
		return lookup(dns_types, v->via.u64);
	if ((strcmp(p, "q.class") == 0 || strcmp(p, "ans.class") == 0) && !opt)
		return lookup(dns_classes, v->via.u64);
	if (strcmp(p, "rcode") == 0)
		return lookup(dns_rcodes, v->via.u64);
	return NULL;
}

/*
 * id: the schema id of the value's key, or -1; the schema says the form.
 * opt: the value is of a DNS OPT record.
 */
static void
detail_value(struct strbuf *b, int id, const msgpack_object *v, int opt)
{
	const char *name;
	const struct rec_key *k = id > 0 ? rec_key(id) : NULL;
	enum key_show sh = k != NULL ? k->show : SH_PLAIN;
	uint32_t i;

	if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER && sh == SH_TCPFLAGS) {
		out_hex(b, v->via.u64, 3);
		out_tcp_flags(b, v->via.u64);
	} else if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
	    sh == SH_SECS) {
		char secs[32];

		snprintf(secs, sizeof(secs), "%" PRIu64 ".%09" PRIu64 "s",
		    v->via.u64 / 1000000000u, v->via.u64 % 1000000000u);
		sb_adds(b, secs);
	} else if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER && sh != SH_PLAIN)
		out_hex(b, v->via.u64,
		    sh == SH_HEX2	? 2
			: sh == SH_HEX5 ? 5
			: sh == SH_HEX8 ? 8
					: 4);
	else if (v->type == MSGPACK_OBJECT_BIN && k != NULL &&
	    k->type == KT_BIN)
		out_hexbytes(b, v);
	else if (v->type == MSGPACK_OBJECT_ARRAY) {
		/* elements shown as the key says (TLS's lists in hex) */
		for (i = 0; i < v->via.array.size; i++) {
			if (i > 0)
				sb_addc(b, ',');
			if (v->via.array.ptr[i].type ==
			    MSGPACK_OBJECT_POSITIVE_INTEGER)
				detail_value(b, id, &v->via.array.ptr[i], opt);
			else
				out_value(b, &v->via.array.ptr[i]);
		}
	} else
		out_value(b, v);
	if ((name = dns_number_name(k, v, opt)) != NULL) {
		sb_addc(b, '(');
		sb_adds(b, name);
		sb_addc(b, ')');
	}
}

static int
is_nested(const msgpack_object *v)
{
	return v->type == MSGPACK_OBJECT_MAP ||
	    (v->type == MSGPACK_OBJECT_ARRAY && v->via.array.size > 0 &&
		v->via.array.ptr[0].type == MSGPACK_OBJECT_MAP);
}

/*
 * One layer's scalar keys as "key=value", in the decoder's order (which is
 * the header's); nested maps and arrays of maps get lines of their own.
 * id is the layer's schema id (-1: not a known map).
 */
static void
layer_line(struct strbuf *b, const char *label, const msgpack_object *m,
    int depth, int id)
{
	const msgpack_object_kv *kv;
	const msgpack_object *v;
	char sub[32];
	uint32_t i, j;
	size_t n;
	int sid, opt;

	if (m == NULL || m->type != MSGPACK_OBJECT_MAP || depth > 4)
		return;
	opt = out_u(m, "type", 0) == 41;
	sb_spaces(b, (size_t)depth * 2);
	n = strlen(label);
	sb_adds(b, label);
	sb_spaces(b, n < 6 ? 6 - n : 1);
	for (i = 0; i < m->via.map.size; i++) {
		kv = &m->via.map.ptr[i];
		if (kv->key.type != MSGPACK_OBJECT_STR || is_nested(&kv->val))
			continue;
		sb_addc(b, ' ');
		out_safe(b, kv->key.via.str.ptr, kv->key.via.str.size);
		sb_addc(b, '=');
		detail_value(b,
		    key_id(id, kv->key.via.str.ptr, kv->key.via.str.size),
		    &kv->val, opt);
	}
	sb_addc(b, '\n');
	for (i = 0; i < m->via.map.size; i++) {
		kv = &m->via.map.ptr[i];
		v = &kv->val;
		if (kv->key.type != MSGPACK_OBJECT_STR || !is_nested(v))
			continue;
		n = kv->key.via.str.size < sizeof(sub) - 1
		    ? kv->key.via.str.size
		    : sizeof(sub) - 1;
		memcpy(sub, kv->key.via.str.ptr, n);
		sub[n] = '\0';
		sid = key_id(id, kv->key.via.str.ptr, kv->key.via.str.size);
		if (v->type == MSGPACK_OBJECT_MAP)
			layer_line(b, sub, v, depth + 1, sid);
		else
			for (j = 0; j < v->via.array.size; j++)
				layer_line(b, sub, &v->via.array.ptr[j],
				    depth + 1, sid);
	}
}

void
out_key_value(struct strbuf *b, int id, const msgpack_object *v)
{
	detail_value(b, id, v, 0);
}

/* The decoder says where the payload is; without that, show the frame. */
static void
preview(struct strbuf *b, const struct out_pkt *p)
{
	const uint8_t *d;
	uint64_t off = 0, len;
	size_t n;

	if (p->data == NULL)
		return;
	d = (const uint8_t *)p->data->via.bin.ptr;
	n = p->data->via.bin.size;
	if (p->has_poff && p->has_plen) {
		off = p->poff;
		len = p->plen;
		if (off >= n)
			return;
		if (len < n - off)
			n = (size_t)(off + len);
	}
	if (n - off > PREVIEW)
		n = (size_t)off + PREVIEW;
	out_hexdump(b, d + off, n - (size_t)off);
}

/* A layer of the packet, known by its name. */
static void
layer(struct strbuf *b, const char *name, const msgpack_object *m)
{
	if (m != NULL)
		layer_line(b, name, m, 1, key_id(0, name, strlen(name)));
}

void
out_detailed(struct out *o, struct strbuf *b, const struct out_pkt *p)
{
	uint32_t i;

	out_compact(o, b, p);
	layer(b, "eth", p->eth);
	layer(b, "sll", p->sll);
	layer(b, "null", p->null);
	for (i = 0; p->vlan != NULL && i < p->vlan->via.array.size; i++)
		layer(b, "vlan", &p->vlan->via.array.ptr[i]);
	layer(b, "arp", p->arp);
	layer(b, "ip", p->ip);
	layer(b, "ipv6", p->ipv6);
	layer(b, "tcp", p->tcp);
	layer(b, "udp", p->udp);
	layer(b, "icmp", p->icmp);
	layer(b, "icmpv6", p->icmpv6);
	layer(b, "dns", p->dns);
	layer(b, "quic", p->quic);
	layer(b, "tls", p->tls);
	layer(b, "http", p->http);
	layer(b, "err", p->err);
	preview(b, p);
	sb_addc(b, '\n');
}
