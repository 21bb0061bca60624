/*
 * Unit tests of nm-decode's TLS handshake parser and JA4 (decode/tls.c):
 * a ClientHello and ServerHello each of TLS 1.3 and TLS 1.2 recorded from
 * openssl s_client and s_server over loopback, checked against tshark
 * 4.0's reading of the same bytes (and JA4 computed apart from tshark's
 * fields); the same hellos fed a byte at a time, split across records
 * at every byte, cut at every byte; hand-built hellos with GREASE, with
 * lists past PKT_MAXLIST, and with every length field off by one; and
 * the JA4 specification's own example.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app.h"
#include "pkt.h"
#include "sandbox.h"

#include "decode_test.h"

/*
 * Recorded on loopback (tcpdump) from
 *   openssl s_server -accept 4433 -alpn h2,http/1.1
 *   openssl s_client -servername www.example.com -alpn h2,http/1.1
 * (OpenSSL 3.0), and with -tls1_2 on the client; the TCP payloads of the
 * hellos' segments; the ServerHellos cut after the first record and a
 * little of the next.
 */
/* ClientHello */
static const char CH13[] =
    "160301014e0100014a030385c9a512bc4aa679097b5fb03c816227f6866cb31b"
    "8ecb380d63774db46f8427209c40f04a8b2cae41806f6b6474a320133a20c786"
    "5f6f39da7681bc744a29eecf003e130213031301c02cc030009fcca9cca8ccaa"
    "c02bc02f009ec024c028006bc023c0270067c00ac0140039c009c0130033009d"
    "009c003d003c0035002f00ff010000c300000014001200000f7777772e657861"
    "6d706c652e636f6d000b000403000102000a00160014001d0017001e00190018"
    "01000101010201030104002300000010000e000c02683208687474702f312e31"
    "0016000000170000000d002a0028040305030603080708080809080a080b0804"
    "08050806040105010601030303010302040205020602002b0009080304030303"
    "020301002d00020101003300260024001d00207bab083529eb938fcb2647bdae"
    "8b39cd13ff78c0d90cd7bfc3cac2f3336fdc6b";

/* ServerHello */
static const char SH13[] =
    "160303007a020000760303892d29536236ea6610d2048c2020e6e98277b0c5a3"
    "4761375399240e646d0efd209c40f04a8b2cae41806f6b6474a320133a20c786"
    "5f6f39da7681bc744a29eecf130200002e002b0002030400330024001d002015"
    "77ec30d5f7dbd202af07b92ff0039b1687998668eef313de56f82a7b21677a14"
    "0303000101";

/* ClientHello */
static const char CH12[] =
    "16030100e1010000dd0303cf0bf9d8defaf523a3da55dfd66a7cc35b246af72b"
    "ae735b0fa284d171505e0a000038c02cc030009fcca9cca8ccaac02bc02f009e"
    "c024c028006bc023c0270067c00ac0140039c009c0130033009d009c003d003c"
    "0035002f00ff0100007c00000014001200000f7777772e6578616d706c652e63"
    "6f6d000b000403000102000a000c000a001d0017001e00190018002300000010"
    "000e000c02683208687474702f312e310016000000170000000d002a00280403"
    "05030603080708080809080a080b080408050806040105010601030303010302"
    "040205020602";

/* ServerHello */
static const char SH12[] =
    "160303004a020000460303781a3de589f0c05cb48c637bc4fa1ee94e0ce3dc0f"
    "502e82444f574e4752440100c02c00001eff01000100000b0004030001020023"
    "00000010000500030268320017000016030301980b00019400019100018e3082"
    "018a30";

/* tshark -T fields of the ClientHellos (-e tls.handshake.ciphersuite,
 * extension.type, sig_hash_alg, extensions_supported_group,
 * extensions.supported_version) */
static const uint16_t ch13_ciphers[] = { 0x1302, 0x1303, 0x1301, 0xc02c, 0xc030,
	0x009f, 0xcca9, 0xcca8, 0xccaa, 0xc02b, 0xc02f, 0x009e, 0xc024, 0xc028,
	0x006b, 0xc023, 0xc027, 0x0067, 0xc00a, 0xc014, 0x0039, 0xc009, 0xc013,
	0x0033, 0x009d, 0x009c, 0x003d, 0x003c, 0x0035, 0x002f, 0x00ff };
static const uint16_t ch13_exts[] = { 0, 11, 10, 35, 16, 22, 23, 13, 43, 45,
	51 };
static const uint16_t ch_sigalgs[] = { 0x0403, 0x0503, 0x0603, 0x0807, 0x0808,
	0x0809, 0x080a, 0x080b, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601,
	0x0303, 0x0301, 0x0302, 0x0402, 0x0502, 0x0602 };
static const uint16_t ch13_groups[] = { 0x001d, 0x0017, 0x001e, 0x0019, 0x0018,
	0x0100, 0x0101, 0x0102, 0x0103, 0x0104 };
static const uint16_t ch13_versions[] = { 0x0304, 0x0303, 0x0302, 0x0301 };
static const uint16_t ch12_exts[] = { 0, 11, 10, 35, 16, 22, 23, 13 };
static const uint16_t sh12_exts[] = { 65281, 11, 35, 16, 23 };

/*
 * JA4 of each ClientHello, by a few lines of Python (hashlib) from
 * tshark's fields above, as technical_details/JA4.md describes it; FoxIO's
 * own python/ja4.py on the same capture gives the same two.
 */
#define CH13_JA4 "t13d3111h2_e8f1e7e78f70_1f22a2ca17c4"
#define CH12_JA4 "t12d2808h2_d943125447b4_e7e480e5a997"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct pkt ref; /* a whole parse, to compare pieces with */

static void
reset(struct pkt *p)
{
	memset(p, 0, sizeof(*p));
}

static void
hex(struct buf *b, const char *h)
{
	b->n = 0;
	put(b, h);
}

static int
same_list(const uint16_t *a, unsigned na, const uint16_t *b, size_t nb)
{
	unsigned i;

	if (na != nb)
		return 0;
	for (i = 0; i < na && i < PKT_MAXLIST; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

static int
same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Whether two parses found the same (reassembly figures aside). */
static int
same_tls(const struct pk_tls *a, const struct pk_tls *b)
{
	unsigned i;

	if (a->has_rec != b->has_rec || a->rec_type != b->rec_type ||
	    a->rec_version != b->rec_version || a->hs_type != b->hs_type ||
	    a->hs_version != b->hs_version || !same_str(a->sni, b->sni) ||
	    a->nalpn != b->nalpn || strcmp(a->ja4, b->ja4) != 0)
		return 0;
	for (i = 0; i < a->nalpn && i < PKT_MAXLIST; i++)
		if (!same_str(a->alpn[i], b->alpn[i]))
			return 0;
	return same_list(
		   a->versions, a->nversions, b->versions, b->nversions) &&
	    same_list(a->ciphers, a->nciphers, b->ciphers, b->nciphers) &&
	    same_list(a->exts, a->nexts, b->exts, b->nexts) &&
	    same_list(a->sigalgs, a->nsigalgs, b->sigalgs, b->nsigalgs) &&
	    same_list(a->groups, a->ngroups, b->groups, b->ngroups);
}

/*
 * tls_records (or tls_handshake) on exactly n bytes, copied to a buffer
 * of their size so that a read past them is a sanitizer's finding.
 */
static enum app_res
parse(struct pkt *p, int hs, const uint8_t *b, size_t n, size_t *need)
{
	uint8_t *q = malloc(n > 0 ? n : 1);
	enum app_res r;

	if (q == NULL)
		abort();
	memcpy(q, b, n);
	reset(p);
	r = hs ? tls_handshake(p, q, n, need) : tls_records(p, q, n, need);
	free(q);
	return r;
}

static int
bad_invalid(enum app_res r)
{
	return r == APP_BAD && pk.have & PK_ERR && !(pk.have & PK_TLS) &&
	    pk.err_layer != NULL && strcmp(pk.err_layer, "tls") == 0 &&
	    strcmp(pk.err_kind, "invalid") == 0;
}

static void
test_sniff(void)
{
	struct buf b;
	size_t k;
	int ok = 1;

	hex(&b, CH13);
	for (k = 0; k <= b.n; k++)
		ok &= tls_sniff(b.b, k) == APP_MORE;
	CHECK("sniff: every start of a ClientHello may be TLS", ok);
	hex(&b, SH12);
	CHECK("sniff: a ServerHello", tls_sniff(b.b, b.n) == APP_MORE);
	CHECK("sniff: HTTP is not",
	    tls_sniff((const uint8_t *)"GET / HTTP/1.1", 14) == APP_NOT);
	hex(&b, "170303002a");
	CHECK("sniff: application data is not", tls_sniff(b.b, b.n) == APP_NOT);
	hex(&b, "1602");
	CHECK("sniff: major version 2 is not", tls_sniff(b.b, b.n) == APP_NOT);
	hex(&b, "160305");
	CHECK("sniff: minor version 5 is not", tls_sniff(b.b, b.n) == APP_NOT);
	hex(&b, "160303001e0b");
	CHECK("sniff: a Certificate first is not",
	    tls_sniff(b.b, b.n) == APP_NOT);
	CHECK("sniff: nothing yet may be", tls_sniff(b.b, 0) == APP_MORE);
}

static void
test_real(void)
{
	struct buf b;
	size_t need = 1;
	enum app_res r;
	const struct pk_tls *t = &pk.tls;

	hex(&b, CH13);
	r = parse(&pk, 0, b.b, b.n, &need);
	CHECK("ch13: done, PK_TLS, no err",
	    r == APP_DONE && pk.have & PK_TLS && !(pk.have & PK_ERR));
	CHECK("ch13: record 22 0x0301",
	    t->has_rec && t->rec_type == 22 && t->rec_version == 0x0301);
	CHECK("ch13: ClientHello 0x0303",
	    t->hs_type == 1 && t->hs_version == 0x0303);
	CHECK("ch13: sni", same_str(t->sni, "www.example.com"));
	CHECK("ch13: alpn",
	    t->nalpn == 2 && same_str(t->alpn[0], "h2") &&
		same_str(t->alpn[1], "http/1.1"));
	CHECK("ch13: versions",
	    same_list(
		t->versions, t->nversions, ch13_versions, N(ch13_versions)));
	CHECK("ch13: ciphers",
	    same_list(t->ciphers, t->nciphers, ch13_ciphers, N(ch13_ciphers)));
	CHECK("ch13: extensions",
	    same_list(t->exts, t->nexts, ch13_exts, N(ch13_exts)));
	CHECK("ch13: signature algorithms",
	    same_list(t->sigalgs, t->nsigalgs, ch_sigalgs, N(ch_sigalgs)));
	CHECK("ch13: groups",
	    same_list(t->groups, t->ngroups, ch13_groups, N(ch13_groups)));
	CHECK("ch13: ja4", strcmp(t->ja4, CH13_JA4) == 0);

	hex(&b, SH13);
	r = parse(&pk, 0, b.b, b.n, &need);
	CHECK("sh13: done", r == APP_DONE && pk.have & PK_TLS);
	CHECK("sh13: ServerHello 0x0303, record 0x0303",
	    t->hs_type == 2 && t->hs_version == 0x0303 &&
		t->rec_version == 0x0303);
	CHECK("sh13: chose TLS 1.3 and 0x1302",
	    t->nversions == 1 && t->versions[0] == 0x0304 && t->nciphers == 1 &&
		t->ciphers[0] == 0x1302);
	CHECK("sh13: extensions 43 51",
	    t->nexts == 2 && t->exts[0] == 43 && t->exts[1] == 51);
	CHECK("sh13: no sni, alpn, ja4",
	    t->sni == NULL && t->nalpn == 0 && t->ja4[0] == '\0');

	hex(&b, CH12);
	r = parse(&pk, 0, b.b, b.n, &need);
	CHECK("ch12: done", r == APP_DONE && pk.have & PK_TLS);
	CHECK("ch12: no supported_versions, sni, alpn",
	    t->nversions == 0 && same_str(t->sni, "www.example.com") &&
		t->nalpn == 2 && same_str(t->alpn[1], "http/1.1"));
	CHECK("ch12: 28 ciphers from 0xc02c",
	    same_list(t->ciphers, t->nciphers, ch13_ciphers + 3,
		N(ch13_ciphers) - 3));
	CHECK("ch12: extensions",
	    same_list(t->exts, t->nexts, ch12_exts, N(ch12_exts)));
	CHECK("ch12: signature algorithms",
	    same_list(t->sigalgs, t->nsigalgs, ch_sigalgs, N(ch_sigalgs)));
	CHECK("ch12: ja4", strcmp(t->ja4, CH12_JA4) == 0);

	/* the ServerHello, then a Certificate record begun */
	hex(&b, SH12);
	r = parse(&pk, 0, b.b, b.n, &need);
	CHECK("sh12: done before the next record ends",
	    r == APP_DONE && t->hs_type == 2);
	CHECK("sh12: cipher 0xc02c, alpn h2 (TLS 1.2 sends it here)",
	    t->nciphers == 1 && t->ciphers[0] == 0xc02c && t->nalpn == 1 &&
		same_str(t->alpn[0], "h2") && t->nversions == 0);
	CHECK("sh12: extensions",
	    same_list(t->exts, t->nexts, sh12_exts, N(sh12_exts)));
}

/* Every prefix of a hello: more wanted, then the whole parse. */
static void
incremental(const char *name, int hs, const uint8_t *m, size_t n)
{
	char what[80];
	size_t k, need, hdr = hs ? 4 : 9;
	enum app_res r;
	int ok = 1, needok = 1, arenaok = 1;

	parse(&ref, hs, m, n, &need);
	for (k = 0; k < n; k++) {
		need = 12345;
		r = parse(&pk, hs, m, k, &need);
		ok &= r == APP_MORE && !(pk.have & (PK_ERR | PK_TLS));
		/* the message's header says how long it is */
		needok &= k < hdr ? need == 0 : need == n;
		arenaok &= pk.arenalen == 0;
	}
	snprintf(what, sizeof(what), "%s: every prefix wants more", name);
	CHECK(what, ok);
	snprintf(what, sizeof(what), "%s: need is the whole, once known", name);
	CHECK(what, needok);
	snprintf(what, sizeof(what), "%s: the arena left as it was", name);
	CHECK(what, arenaok);
	r = parse(&pk, hs, m, n, &need);
	snprintf(what, sizeof(what), "%s: whole, the same fields", name);
	CHECK(what, r == APP_DONE && same_tls(&pk.tls, &ref.tls));
}

/*
 * The message of a one-record hello split into two records at at, the
 * second record's header in between.
 */
static void
two_records(const struct buf *one, size_t at, struct buf *two)
{
	size_t mlen = one->n - 5;

	two->n = 0;
	memcpy(two->b, one->b, 3);
	two->b[3] = (uint8_t)(at >> 8);
	two->b[4] = (uint8_t)at;
	memcpy(two->b + 5, one->b + 5, at);
	two->n = 5 + at;
	memcpy(two->b + two->n, one->b, 3);
	two->b[two->n + 3] = (uint8_t)((mlen - at) >> 8);
	two->b[two->n + 4] = (uint8_t)(mlen - at);
	two->n += 5;
	memcpy(two->b + two->n, one->b + 5 + at, mlen - at);
	two->n += mlen - at;
}

static void
test_pieces(void)
{
	struct buf b, two;
	size_t at, k, need;
	enum app_res r;
	int ok = 1, more = 1, needok = 1;

	hex(&b, CH13);
	incremental("ch13 by bytes", 0, b.b, b.n);
	/* QUIC's CRYPTO data: the same message, no record layer */
	incremental("ch13 handshake by bytes", 1, b.b + 5, b.n - 5);
	CHECK("ch13 handshake: JA4 of QUIC",
	    pk.tls.ja4[0] == 'q' && strcmp(pk.tls.ja4 + 1, CH13_JA4 + 1) == 0 &&
		!pk.tls.has_rec);
	hex(&b, SH13);
	incremental("sh13 by bytes", 0, b.b, 127);
	hex(&b, CH12);
	incremental("ch12 by bytes", 0, b.b, b.n);

	hex(&b, CH13);
	parse(&ref, 0, b.b, b.n, &need);
	for (at = 1; at < b.n - 5; at++) {
		two_records(&b, at, &two);
		r = parse(&pk, 0, two.b, two.n, &need);
		ok &= r == APP_DONE && same_tls(&pk.tls, &ref.tls);
		/* every prefix of a few of them */
		if (at > 8 && at != b.n - 6 && at % 50 != 0)
			continue;
		for (k = 0; k < two.n; k++) {
			need = 0;
			r = parse(&pk, 0, two.b, k, &need);
			more &= r == APP_MORE;
			needok &= need == 0 || need == two.n;
		}
	}
	CHECK("two records: split at every byte, the same fields", ok);
	CHECK("two records: every prefix wants more", more);
	CHECK("two records: need is the whole when set", needok);

	/* a record of another type inside the message */
	two_records(&b, 100, &two);
	two.b[105] = 21;
	r = parse(&pk, 0, two.b, two.n, &need);
	CHECK("two records: an alert between is invalid", bad_invalid(r));
	two.b[105] = 22;
	two.b[106] = 2;
	r = parse(&pk, 0, two.b, two.n, &need);
	CHECK("two records: version 2.x is invalid", bad_invalid(r));
	two.b[106] = 3;
	two.b[107] = 5;
	r = parse(&pk, 0, two.b, two.n, &need);
	CHECK("two records: version 3.5 is invalid", bad_invalid(r));
	hex(&b, CH13);
	b.b[2] = 0x3d;
	r = parse(&pk, 0, b.b, b.n, &need);
	CHECK("record version 3.61 is invalid, as tls_sniff has it",
	    bad_invalid(r) && tls_sniff(b.b, b.n) == APP_NOT);
}

/*
 * Hand-built hellos: the builder notes where every length field inside
 * the message is, for the off-by-one tests.
 */
struct hb {
	uint8_t b[140000];
	size_t n;
	size_t lenat[64];
	unsigned lenw[64], nlen;
};

static struct {
	int grease;
	unsigned xciphers, xexts, xsigalgs, xalpn;
	int emptyalpn, emptylast;
} cfg;

static void
b8(struct hb *h, unsigned v)
{
	h->b[h->n++] = (uint8_t)v;
}

static void
b16(struct hb *h, unsigned v)
{
	b8(h, v >> 8);
	b8(h, v);
}

static void
bstr(struct hb *h, const char *s)
{
	while (*s)
		b8(h, (unsigned char)*s++);
}

/* A length of w bytes to fill in later; inner ones are noted. */
static size_t
len_open(struct hb *h, unsigned w, int inner)
{
	size_t at = h->n;

	if (inner && h->nlen < 64) {
		h->lenat[h->nlen] = at;
		h->lenw[h->nlen++] = w;
	}
	h->n += w;
	return at;
}

static void
len_close(struct hb *h, size_t at, unsigned w)
{
	size_t v = h->n - at - w, i;

	for (i = 0; i < w; i++)
		h->b[at + i] = (uint8_t)(v >> 8 * (w - 1 - i));
}

/* An extension of a type with a 1- or 2-byte list of 16-bit values. */
static void
ext_list(struct hb *h, unsigned type, unsigned w, const unsigned *v, size_t n,
    unsigned grease, unsigned extra, unsigned xbase)
{
	size_t e, l, i;

	b16(h, type);
	e = len_open(h, 2, 1);
	l = len_open(h, w, 1);
	if (grease)
		b16(h, grease);
	for (i = 0; i < n; i++)
		b16(h, v[i]);
	for (i = 0; i < extra; i++)
		b16(h, xbase + i);
	len_close(h, l, w);
	len_close(h, e, 2);
}

static void
build_ch(struct hb *h)
{
	static const unsigned versions[] = { 0x0304, 0x0303 },
			      sigalgs[] = { 0x0403, 0x0804 },
			      groups[] = { 0x001d, 0x0017 };
	size_t rec, hs, l, e, list, name, i;

	h->n = h->nlen = 0;
	b8(h, 22);
	b16(h, 0x0301);
	rec = len_open(h, 2, 0);
	b8(h, 1);
	hs = len_open(h, 3, 0);
	b16(h, 0x0303);
	for (i = 0; i < 32; i++)
		b8(h, 0x40 + i);
	l = len_open(h, 1, 1); /* session id */
	for (i = 0; i < 32; i++)
		b8(h, 0xa0 + i);
	len_close(h, l, 1);
	l = len_open(h, 2, 1);
	if (cfg.grease)
		b16(h, 0x0a0a);
	b16(h, 0x1301);
	b16(h, 0x1302);
	b16(h, 0xc02b);
	for (i = 0; i < cfg.xciphers; i++)
		b16(h, 0x0100 + i);
	len_close(h, l, 2);
	b8(h, 1); /* compression: null */
	b8(h, 0);
	l = len_open(h, 2, 1);
	if (cfg.grease) {
		b16(h, 0x1a1a);
		b16(h, 0);
	}
	b16(h, 0); /* server_name */
	e = len_open(h, 2, 1);
	list = len_open(h, 2, 1);
	b8(h, 0);
	name = len_open(h, 2, 1);
	bstr(h, "www.example.com");
	len_close(h, name, 2);
	len_close(h, list, 2);
	len_close(h, e, 2);
	b16(h, 16); /* ALPN */
	e = len_open(h, 2, 1);
	list = len_open(h, 2, 1);
	if (cfg.emptyalpn)
		b8(h, 0);
	name = len_open(h, 1, 1);
	bstr(h, "h2");
	len_close(h, name, 1);
	name = len_open(h, 1, 1);
	bstr(h, "http/1.1");
	len_close(h, name, 1);
	if (cfg.emptylast)
		b8(h, 0);
	for (i = 0; i < cfg.xalpn; i++) {
		b8(h, 3);
		b8(h, 'p');
		b8(h, '0' + i / 10);
		b8(h, '0' + i % 10);
	}
	len_close(h, list, 2);
	len_close(h, e, 2);
	ext_list(h, 43, 1, versions, 2, cfg.grease ? 0x2a2a : 0, 0, 0);
	ext_list(h, 13, 2, sigalgs, 2, 0, cfg.xsigalgs, 0x0900);
	ext_list(h, 10, 2, groups, 2, cfg.grease ? 0x3a3a : 0, 0, 0);
	for (i = 0; i < cfg.xexts; i++) {
		b16(h, 0x1000 + i);
		b16(h, 0);
	}
	if (cfg.grease) { /* one with data, last */
		b16(h, 0xfafa);
		b16(h, 1);
		b8(h, 0);
	}
	len_close(h, l, 2);
	len_close(h, hs, 3);
	len_close(h, rec, 2);
}

/* JA4 of build_ch's hellos, by Python's hashlib from the lists */
#define BASE_JA4 "t13d0305h2_5559582ccdc4_fbabbea27ee8"
#define MANY_JA4 "t13d9975h2_7d3637afc925_beacbcb63f72"

static struct hb h;

static void
test_built(void)
{
	size_t need, i;
	enum app_res r;
	const struct pk_tls *t = &pk.tls;

	memset(&cfg, 0, sizeof(cfg));
	build_ch(&h);
	r = parse(&pk, 0, h.b, h.n, &need);
	CHECK("built: done", r == APP_DONE);
	CHECK("built: fields",
	    t->nciphers == 3 && t->nexts == 5 && t->nversions == 2 &&
		t->nsigalgs == 2 && t->ngroups == 2 && t->nalpn == 2 &&
		same_str(t->sni, "www.example.com"));
	CHECK("built: ja4", strcmp(t->ja4, BASE_JA4) == 0);
	incremental("built by bytes", 0, h.b, h.n);

	cfg.grease = 1;
	build_ch(&h);
	r = parse(&pk, 0, h.b, h.n, &need);
	CHECK("grease: done", r == APP_DONE);
	CHECK("grease: recorded as sent",
	    t->nciphers == 4 && t->ciphers[0] == 0x0a0a && t->nexts == 7 &&
		t->exts[0] == 0x1a1a && t->exts[6] == 0xfafa &&
		t->nversions == 3 && t->versions[0] == 0x2a2a &&
		t->ngroups == 3 && t->groups[0] == 0x3a3a);
	CHECK("grease: JA4 leaves it out", strcmp(t->ja4, BASE_JA4) == 0);

	memset(&cfg, 0, sizeof(cfg));
	cfg.xciphers = 100;
	cfg.xexts = 70;
	cfg.xsigalgs = 70;
	cfg.xalpn = 70;
	build_ch(&h);
	r = parse(&pk, 0, h.b, h.n, &need);
	CHECK("many: done", r == APP_DONE);
	CHECK("many: counted past PKT_MAXLIST",
	    t->nciphers == 103 && t->nexts == 75 && t->nsigalgs == 72 &&
		t->nalpn == 72);
	CHECK("many: stored to the bound",
	    t->ciphers[PKT_MAXLIST - 1] == 0x0100 + PKT_MAXLIST - 4 &&
		t->exts[PKT_MAXLIST - 1] == 0x1000 + PKT_MAXLIST - 6 &&
		t->sigalgs[PKT_MAXLIST - 1] == 0x0900 + PKT_MAXLIST - 3 &&
		same_str(t->alpn[PKT_MAXLIST - 1], "p61"));
	CHECK("many: JA4 of every value", strcmp(t->ja4, MANY_JA4) == 0);

	/* an empty first ALPN name: kept; JA4 says 00 */
	memset(&cfg, 0, sizeof(cfg));
	cfg.emptyalpn = 1;
	build_ch(&h);
	r = parse(&pk, 0, h.b, h.n, &need);
	CHECK("empty alpn: done, 00",
	    r == APP_DONE && t->nalpn == 3 && same_str(t->alpn[0], "") &&
		strncmp(t->ja4, "t13d030500_", 11) == 0);

	/* the arena full: no text, the rest parsed, the same JA4 */
	memset(&cfg, 0, sizeof(cfg));
	build_ch(&h);
	reset(&pk);
	pk.arenalen = PKT_ARENA - 1;
	r = tls_records(&pk, h.b, h.n, &need);
	CHECK("arena full: done, no text, same JA4",
	    r == APP_DONE && t->sni == NULL && t->nalpn == 0 &&
		t->nciphers == 3 && strcmp(t->ja4, BASE_JA4) == 0);
	/* room for "h2" and "" but not "http/1.1" between them: the
	 * first name, then none */
	cfg.emptylast = 1;
	build_ch(&h);
	reset(&pk);
	pk.arenalen = PKT_ARENA - 4;
	r = tls_records(&pk, h.b, h.n, &need);
	CHECK("arena full: the names before it, none after",
	    r == APP_DONE && t->nalpn == 1 && same_str(t->alpn[0], "h2"));

	/* every inner length off by one, either way */
	memset(&cfg, 0, sizeof(cfg));
	build_ch(&h);
	for (i = 0; i < h.nlen; i++) {
		char what[80];
		size_t at = h.lenat[i] + h.lenw[i] - 1;
		uint8_t was = h.b[at];

		h.b[at] = (uint8_t)(was + 1);
		r = parse(&pk, 0, h.b, h.n, &need);
		snprintf(what, sizeof(what), "length at %zu, one more: invalid",
		    h.lenat[i]);
		CHECK(what, bad_invalid(r));
		h.b[at] = (uint8_t)(was - 1);
		r = parse(&pk, 0, h.b, h.n, &need);
		snprintf(what, sizeof(what), "length at %zu, one less: invalid",
		    h.lenat[i]);
		CHECK(what, bad_invalid(r));
		h.b[at] = was;
	}
	/* the record longer: the hello ends inside it, and is read;
	 * shorter: the rest is another record's header, cut */
	h.b[4]++;
	r = parse(&pk, 0, h.b, h.n, &need);
	CHECK("record length one more: the hello",
	    r == APP_DONE && strcmp(pk.tls.ja4, BASE_JA4) == 0);
	h.b[4] -= 2;
	r = parse(&pk, 0, h.b, h.n, &need);
	CHECK("record length one less: more", r == APP_MORE);
	h.b[4]++;
	/* the message longer: more from the next record; shorter: its
	 * last extension runs past it */
	h.b[8]++;
	r = parse(&pk, 0, h.b, h.n, &need);
	CHECK("message length one more: more", r == APP_MORE);
	h.b[8] -= 2;
	r = parse(&pk, 0, h.b, h.n, &need);
	CHECK("message length one less: invalid", bad_invalid(r));
	h.b[8]++;
}

/* Single faults in a hello, each invalid. */
static void
test_invalid(void)
{
	struct buf b;
	size_t need, i;
	enum app_res r;

	memset(&cfg, 0, sizeof(cfg));
	build_ch(&h);
	h.b[43] = 33; /* session id of 33 */
	r = parse(&pk, 0, h.b, h.n, &need);
	CHECK("invalid: session id of 33", bad_invalid(r));
	CHECK("invalid: err says why", strstr(pk.err_why, "session") != NULL);

	build_ch(&h);
	h.b[0] = 23;
	r = parse(&pk, 0, h.b, h.n, &need);
	CHECK("invalid: application data first", bad_invalid(r));
	CHECK("invalid: the record's header kept",
	    pk.tls.has_rec && pk.tls.rec_type == 23);

	hex(&b, "1603034101"); /* 16641 */
	r = parse(&pk, 0, b.b, b.n, &need);
	CHECK("invalid: record past 2^14+256", bad_invalid(r));
	hex(&b, "1603034100 01");
	r = parse(&pk, 0, b.b, b.n, &need);
	CHECK("valid: record of 2^14+256", r == APP_MORE);
	hex(&b, "1603030000");
	r = parse(&pk, 0, b.b, b.n, &need);
	CHECK("invalid: empty handshake record", bad_invalid(r));

	/* a byte after the extensions, inside the message */
	build_ch(&h);
	h.b[h.n++] = 0;
	h.b[4]++;
	h.b[8]++;
	r = parse(&pk, 0, h.b, h.n, &need);
	CHECK("invalid: a byte past the extensions", bad_invalid(r));

	/* one byte of extensions' length alone */
	hex(&b,
	    "16030300 2b 02000027 0303" /* ServerHello */
	    "000102030405060708090a0b0c0d0e0f"
	    "101112131415161718191a1b1c1d1e1f"
	    "00 1301 00 00");
	r = parse(&pk, 0, b.b, b.n, &need);
	CHECK(
	    "invalid: ServerHello with one byte of extensions", bad_invalid(r));
	hex(&b,
	    "16030300 33 0200002f 0303"
	    "000102030405060708090a0b0c0d0e0f"
	    "101112131415161718191a1b1c1d1e1f"
	    "00 1301 00 0007 002b 0003 030400");
	r = parse(&pk, 0, b.b, b.n, &need);
	CHECK("invalid: selected_version of 3 bytes", bad_invalid(r));
	hex(&b,
	    "16030300 2a 02000026 0303"
	    "000102030405060708090a0b0c0d0e0f"
	    "101112131415161718191a1b1c1d1e1f"
	    "00 1301 00");
	r = parse(&pk, 0, b.b, b.n, &need);
	CHECK("valid: ServerHello with no extensions",
	    r == APP_DONE && pk.tls.nciphers == 1 && pk.tls.nexts == 0);

	/* other handshake messages: their type alone */
	hex(&b, "160303 0010 0b00100c");
	r = parse(&pk, 0, b.b, b.n, &need);
	CHECK("certificate: its type, at once",
	    r == APP_DONE && pk.have & PK_TLS && pk.tls.hs_type == 11);
	hex(&b, "0b00100c");
	r = parse(&pk, 1, b.b, b.n, &need);
	CHECK("certificate over QUIC: its type",
	    r == APP_DONE && pk.tls.hs_type == 11 && !pk.tls.has_rec);

	/* a message longer than the reassembly holds, across records */
	hex(&b, "160303 4000 01004e20");
	for (i = 0; i < 16380; i++)
		b.b[b.n++] = 0;
	r = parse(&pk, 0, b.b, b.n, &need);
	CHECK("too long: needs more than the bound",
	    r == APP_MORE && need > REASM_MAXBYTES);
}

/* tls_ja4 on lists, as the specification's examples give them. */
static void
ja4_of(const uint16_t *c, unsigned nc, const uint16_t *e, unsigned ne,
    const uint16_t *s, unsigned ns, const char *alpn, size_t alpnlen)
{
	static const uint16_t v13[] = { 0x0304 };
	struct tls_all all;

	memset(&all, 0, sizeof(all));
	memset(&pk.tls, 0, sizeof(pk.tls));
	pk.tls.hs_version = 0x0303;
	all.ciphers = c;
	all.nciphers = nc;
	all.exts = e;
	all.nexts = ne;
	all.sigalgs = s;
	all.nsigalgs = ns;
	all.versions = v13;
	all.nversions = 1;
	all.alpn = (const uint8_t *)alpn;
	all.alpnlen = alpnlen;
	all.has_alpn = alpn != NULL;
	tls_ja4(&pk.tls, 0, &all);
}

static void
test_ja4(void)
{
	/* technical_details/JA4.md, "Cipher hash", "Extension hash" */
	static const uint16_t c[] = { 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f,
		0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d,
		0x002f, 0x0035 };
	static const uint16_t e[] = { 0x001b, 0x0000, 0x0033, 0x0010, 0x4469,
		0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b, 0xff01,
		0x000b, 0x000a, 0x0015 };
	static const uint16_t s[] = { 0x0403, 0x0804, 0x0401, 0x0503, 0x0805,
		0x0501, 0x0806, 0x0601 };
	static const struct {
		const char *alpn;
		size_t n;
		const char *want;
	} alpn[] = {
		/* the specification's examples of the first and last */
		{ "h2", 2, "h2" },
		{ "http/1.1", 8, "h1" },
		{ "\xab", 1, "ab" },
		{ " ", 1, "20" },
		{ "\xab\xcd", 2, "ad" },
		{ " a", 2, "21" },
		{ "0\xab", 2, "3b" },
		{ "a ", 2, "60" },
		{ "01\xab\xcd", 4, "3d" },
		{ "0\xab\xcd"
		  "1",
		    4, "01" },
		{ "h", 1, "hh" },
		{ "", 0, "00" },
		{ NULL, 0, "00" },
	};
	uint16_t many[150];
	size_t i;
	int ok = 1;

	ja4_of(c, N(c), e, N(e), s, N(s), "h2", 2);
	CHECK("ja4: the specification's example",
	    strcmp(pk.tls.ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1") == 0);
	ja4_of(c, N(c), e, N(e), NULL, 0, "h2", 2);
	CHECK("ja4: no signature algorithms, no underscore",
	    strcmp(pk.tls.ja4, "t13d1516h2_8daaf6152771_6d807ffa2a79") == 0);
	for (i = 0; i < N(alpn); i++) {
		ja4_of(c, N(c), e, N(e), s, N(s), alpn[i].alpn, alpn[i].n);
		ok &= strncmp(pk.tls.ja4 + 8, alpn[i].want, 2) == 0;
	}
	CHECK("ja4: ALPN's first and last, the specification's cases", ok);
	ja4_of(NULL, 0, e + 1, 1, NULL, 0, NULL, 0);
	CHECK("ja4: no ciphers, only SNI: zeros",
	    strcmp(pk.tls.ja4, "t13d000100_000000000000_000000000000") == 0);
	for (i = 0; i < N(many); i++)
		many[i] = (uint16_t)(0x0a0a + 0x1010 * (i % 16));
	ja4_of(many, N(many), many, N(many), many, N(many), NULL, 0);
	CHECK("ja4: GREASE alone counts nothing",
	    strcmp(pk.tls.ja4, "t13i000000_000000000000_000000000000") == 0);
	for (i = 0; i < N(many); i++)
		many[i] = (uint16_t)(0x0100 + i);
	ja4_of(many, N(many), e, N(e), s, N(s), NULL, 0);
	CHECK("ja4: 150 ciphers are 99", strncmp(pk.tls.ja4 + 4, "99", 2) == 0);
}

/*
 * nm-decode's order: tls_setup, then the stage's sandbox, then hellos:
 * the JA4 must come out inside it, and the process end cleanly (OpenSSL
 * left to itself takes locks at exit, a call the sandbox refuses).
 */
static void
test_sandbox(void)
{
	struct buf b;
	size_t need;
	pid_t pid;
	int st = 0;

	fflush(stdout);
	if ((pid = fork()) == 0) {
		if (!tls_setup())
			_exit(4);
		if (nm_sandbox(NM_SANDBOX_STAGE) != 0)
			_exit(3);
		hex(&b, CH13);
		tls_records(&pk, b.b, b.n, &need);
		exit(strcmp(pk.tls.ja4, CH13_JA4) == 0 ? 0 : 5);
	}
	if (pid > 0)
		waitpid(pid, &st, 0);
	if (pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 3)
		printf("SKIP: sandbox: no seccomp here\n");
	else
		CHECK("sandbox: tls_setup first, then JA4 and exit inside it",
		    pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

int
main(void)
{
	test_sandbox();
	CHECK("tls_setup: libcrypto's SHA-256", tls_setup());
	test_sniff();
	test_real();
	test_pieces();
	test_built();
	test_invalid();
	test_ja4();
	return fails != 0;
}
