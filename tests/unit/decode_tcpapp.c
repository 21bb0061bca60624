/*
 * Unit tests of the TLS record layer followed over a TCP connection
 * (decode/tcpapp.c): a TLS 1.2 full handshake, both flights, cut into
 * segments of every size from one byte up, each record and handshake
 * message named on the frame that completes its record, as tshark 4.0
 * (TCP desegmentation on, its default) names them; the ServerKeyExchange's
 * signature algorithm; a retransmission adding nothing; a hole losing the
 * place for good; a FIN ending it; and TLS 1.3's encrypted records as opaque.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "pkt.h"

#include "decode_test.h"

/* The ServerHello record of decode_tls.c's SH12 (openssl s_server -tls1_2
 * answering s_client -alpn h2,http/1.1): TLS 1.2, ECDHE_ECDSA. */
static const char SH12[] =
    "160303004a020000460303781a3de589f0c05cb48c637bc4fa1ee94e0ce3dc0f"
    "502e82444f574e4752440100c02c00001eff01000100000b0004030001020023"
    "000000100005000302683200170000";

/* A ClientHello of TLS 1.2, the least tls_sniff and tls.c take. */
static const char CH12[] =
    "16030100"
    "2d010000290303"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "000002c02c0100";

struct stream {
	uint8_t b[8192];
	size_t n;
};

static void
add(struct stream *s, const char *hex)
{
	unsigned v;

	for (; hex[0] && hex[1]; hex += 2) {
		sscanf(hex, "%2x", &v);
		s->b[s->n++] = (uint8_t)v;
	}
}

/* A record of type and the given body length, its body bytes v. */
static void
record(struct stream *s, unsigned type, size_t len, uint8_t v)
{
	s->b[s->n++] = (uint8_t)type;
	s->b[s->n++] = 3;
	s->b[s->n++] = 3;
	s->b[s->n++] = (uint8_t)(len >> 8);
	s->b[s->n++] = (uint8_t)len;
	memset(s->b + s->n, v, len);
	s->n += len;
}

/* A handshake message's header in a record of its own: type, length. */
static void
hs_record(struct stream *s, unsigned type, size_t len)
{
	size_t at = s->n;

	record(s, 22, 4 + len, 0);
	s->b[at + 5] = (uint8_t)type;
	s->b[at + 6] = (uint8_t)(len >> 16);
	s->b[at + 7] = (uint8_t)(len >> 8);
	s->b[at + 8] = (uint8_t)len;
}

/*
 * The server's flight after its ServerHello: a Certificate of 3000
 * bytes, an ECDHE ServerKeyExchange (RFC 8422 5.4: named_curve 23, a
 * 65-byte point, ecdsa_secp256r1_sha256 0x0403 and a 70-byte
 * signature), ServerHelloDone.
 */
static void
server_flight(struct stream *s)
{
	size_t at;

	s->n = 0;
	add(s, SH12);
	hs_record(s, 11, 3000);
	at = s->n;
	hs_record(s, 12, 4 + 65 + 4 + 70);
	s->b[at + 9] = 3;	/* named_curve */
	s->b[at + 11] = 23;	/* secp256r1 */
	s->b[at + 12] = 65;	/* the point's length */
	s->b[at + 13 + 65] = 4; /* SignatureAndHashAlgorithm */
	s->b[at + 13 + 66] = 3;
	s->b[at + 13 + 68] = 70; /* the signature's length */
	hs_record(s, 14, 0);
}

/* The client's second flight: ClientKeyExchange, ChangeCipherSpec, an
 * encrypted Finished; then application data and an alert. */
static void
client_flight(struct stream *s)
{
	s->n = 0;
	add(s, CH12);
	hs_record(s, 16, 66);
	record(s, 20, 1, 1);
	record(s, 22, 40, 0x5a);
	record(s, 23, 60, 0xa5);
	record(s, 21, 26, 0x77);
}

static uint64_t now = 1000000000ULL;

/* A segment of n bytes p at seq, with the TCP flags given, from the
 * server (443) or the client. */
static void
frame(int server, uint32_t seq, const uint8_t *p, size_t n, unsigned flags)
{
	static struct buf b;
	char hdr[200];

	b.n = 0;
	snprintf(hdr, sizeof(hdr),
	    "020000000002 020000000001 0800 "
	    "4500 %04zx 0001 4000 4006 0000 %s "
	    "%s %08x 00000001 50%02x ffff 0000 0000",
	    40 + n, server ? "0a000002 0a000001" : "0a000001 0a000002",
	    server ? "01bb 9c40" : "9c40 01bb", seq, flags);
	put(&b, hdr);
	if (n > 0)
		memcpy(b.b + b.n, p, n);
	b.n += n;
	pk.ts = now++;
	dec_packet(&pk, 1, b.b, b.n);
}

/* A segment of s, [off, off + n), from the server or the client. */
static void
segment(int server, uint32_t isn, const struct stream *s, size_t off, size_t n)
{
	frame(server, isn + (uint32_t)off, s->b + off, n, 0x18);
}

/* What a run of segments named, joined in order. */
struct seen {
	unsigned types[64], ntypes, hs[64], nhs, sig[8], nsig, opaque;
};

static void
collect(struct seen *w)
{
	unsigned i;

	if (!(pk.have & PK_TLS))
		return;
	for (i = 0; i < pk.tls.nrecs && w->ntypes < 64; i++) {
		w->types[w->ntypes++] = pk.tls.recs_type[i];
		w->opaque += pk.tls.recs_opaque[i];
	}
	for (i = 0; i < pk.tls.nhs && w->nhs < 64; i++)
		w->hs[w->nhs++] = pk.tls.hs_types[i];
	if (pk.tls.hs_type != 1)
		for (i = 0; i < pk.tls.nsigalgs && w->nsig < 8; i++)
			w->sig[w->nsig++] = pk.tls.sigalgs[i];
}

static int
same(const unsigned *a, unsigned na, const unsigned *b, unsigned nb)
{
	return na == nb && memcmp(a, b, na * sizeof(a[0])) == 0;
}

/* Both flights cut into segments of size: everything named once. */
static void
test_splits(void)
{
	static const unsigned srec[] = { 22, 22, 22, 22 },
			      shs[] = { 2, 11, 12, 14 };
	static const unsigned crec[] = { 22, 22, 20, 22, 23, 21 },
			      chs[] = { 1, 16 };
	static const size_t sizes[] = { 1, 2, 3, 4, 5, 6, 7, 9, 64, 100, 999,
		1000, 1460, 8192 };
	struct stream s, c;
	struct seen ws, wc;
	size_t i, off, n;
	int ok = 1;
	char name[80];

	server_flight(&s);
	client_flight(&c);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		memset(&ws, 0, sizeof(ws));
		memset(&wc, 0, sizeof(wc));
		/* a new connection each time: other ports' streams are
		 * the table's to keep */
		for (off = 0; off < c.n; off += n) {
			n = c.n - off < sizes[i] ? c.n - off : sizes[i];
			segment(0, 1000u * (uint32_t)i, &c, off, n);
			collect(&wc);
		}
		for (off = 0; off < s.n; off += n) {
			n = s.n - off < sizes[i] ? s.n - off : sizes[i];
			segment(1, 0xfff00000u + 0x200000u * (uint32_t)i, &s,
			    off, n);
			collect(&ws);
		}
		snprintf(name, sizeof(name),
		    "tls records: segments of %zu bytes, server's", sizes[i]);
		CHECK(name,
		    same(ws.types, ws.ntypes, srec, 4) &&
			same(ws.hs, ws.nhs, shs, 4) && ws.nsig == 1 &&
			ws.sig[0] == 0x0403 && ws.opaque == 0);
		snprintf(name, sizeof(name),
		    "tls records: segments of %zu bytes, client's", sizes[i]);
		CHECK(name,
		    same(wc.types, wc.ntypes, crec, 6) &&
			same(wc.hs, wc.nhs, chs, 2) && wc.nsig == 0);
		ok &= ws.ntypes == 4;
	}
	(void)ok;
}

/* The frames of 1000-byte segments, one by one: each record on the
 * frame that completes it. */
static void
test_frames(void)
{
	struct stream s;

	server_flight(&s);
	segment(1, 5000, &s, 0, 1000);
	CHECK("tls records: the ServerHello's segment",
	    pk.have & PK_TLS && pk.tls.nrecs == 1 &&
		pk.tls.recs_type[0] == 22 && pk.tls.recs_version[0] == 0x0303 &&
		pk.tls.nhs == 1 && pk.tls.hs_types[0] == 2 &&
		pk.tls.hs_type == 2);
	segment(1, 5000, &s, 1000, 1000);
	CHECK("tls records: inside the Certificate, none", !(pk.have & PK_TLS));
	segment(1, 5000, &s, 1000, 1000);
	CHECK("tls records: a retransmission, none", !(pk.have & PK_TLS));
	segment(1, 5000, &s, 2000, 1000);
	CHECK("tls records: still inside, none", !(pk.have & PK_TLS));
	segment(1, 5000, &s, 3000, s.n - 3000);
	CHECK("tls records: Certificate, ServerKeyExchange, ServerHelloDone",
	    pk.have & PK_TLS && pk.tls.nrecs == 3 && pk.tls.nhs == 3 &&
		pk.tls.hs_types[0] == 11 && pk.tls.hs_types[1] == 12 &&
		pk.tls.hs_types[2] == 14 && pk.tls.nsigalgs == 1 &&
		pk.tls.sigalgs[0] == 0x0403 && !pk.tls.got_hs);
	CHECK("tls records: Certificate's frame, no err", pk.err_layer == NULL);
}

/* A FIN lets the direction go: what comes after it is not read. */
static void
test_fin(void)
{
	struct stream s;

	server_flight(&s);
	segment(1, 300000, &s, 0, 100);
	CHECK("tls records: before a FIN", pk.tls.nrecs == 1);
	frame(1, 300000 + 100, NULL, 0, 0x11); /* FIN, ACK */
	segment(1, 300000, &s, 100, s.n - 100);
	CHECK("tls records: after a FIN, nothing", !(pk.have & PK_TLS));
}

/* A segment missing: the place is lost, nothing guessed after it. */
static void
test_hole(void)
{
	struct stream s;
	size_t off;
	int none = 1;

	server_flight(&s);
	segment(1, 90000, &s, 0, 100);
	CHECK("tls records: a hole's first segment", pk.tls.nrecs == 1);
	/* [100, 200) lost */
	for (off = 200; off + 100 <= s.n; off += 100) {
		segment(1, 90000, &s, off, 100);
		none &= !(pk.have & PK_TLS);
	}
	segment(1, 90000, &s, 100, 100); /* too late: the place is gone */
	none &= !(pk.have & PK_TLS);
	CHECK("tls records: after a hole, nothing", none);
}

/* TLS 1.3: the ServerHello's supported_versions 0x0304 makes both
 * directions' type-23 records opaque. */
static void
test_tls13(void)
{
	static const char SH13[] =
	    "160303007a020000760303892d29536236ea6610d2048c2020e6e98277b0c5a3"
	    "4761375399240e646d0efd209c40f04a8b2cae41806f6b6474a320133a20c786"
	    "5f6f39da7681bc744a29eecf130200002e002b0002030400330024001d002015"
	    "77ec30d5f7dbd202af07b92ff0039b1687998668eef313de56f82a7b21677a";
	struct stream c, s;
	size_t cn;

	c.n = 0;
	add(&c, CH12);
	cn = c.n;
	segment(0, 70000, &c, 0, cn);
	s.n = 0;
	add(&s, SH13);
	record(&s, 20, 1, 1);
	record(&s, 23, 30, 0x11);
	segment(1, 80000, &s, 0, s.n);
	CHECK("tls records: TLS 1.3 server's, 23 opaque",
	    pk.tls.nrecs == 3 && pk.tls.recs_type[1] == 20 &&
		!pk.tls.recs_opaque[1] && pk.tls.recs_opaque[2] &&
		pk.tls.nhs == 1);
	record(&c, 20, 1, 1);
	record(&c, 23, 30, 0x11);
	segment(0, 70000, &c, cn, c.n - cn);
	CHECK("tls records: TLS 1.3 client's, 23 opaque",
	    pk.tls.nrecs == 2 && !pk.tls.recs_opaque[0] &&
		pk.tls.recs_opaque[1] && pk.tls.nhs == 0);
}

/* A segment that is not TLS, on a followed connection's other ports:
 * nothing. */
static void
test_other(void)
{
	static struct buf b;

	b.n = 0;
	put(&b,
	    "020000000002 020000000001 0800 "
	    "4500 0030 0001 4000 4006 0000 0a000001 0a000003 "
	    "9c41 0050 00000001 00000001 5018 ffff 0000 0000 "
	    "1603030003 000000 0000");
	dec_packet(&pk, 1, b.b, b.n);
	CHECK(
	    "tls records: an unfollowed direction, none", !(pk.have & PK_TLS));
}

int
main(void)
{
	if (!tls_setup())
		return 1;
	test_frames();
	test_hole();
	test_fin();
	test_splits();
	test_tls13();
	test_other();
	return fails != 0;
}
