/*
 * Unit tests of nm-decode's HTTP/1.x heads (decode/http.c) and of the TCP
 * application path that gathers them over segments (decode/tcpapp.c):
 * the sniff, request and status lines, fields, bare LF, bad heads, a head
 * split at every byte (in order and not), keep-alive pairs, a head past
 * the reassembly bound, and a segment cut by the snap length.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "nm.h"

#include "decode_test.h"

static const char req[] =
    "GET /index.html?q=1 HTTP/1.1\r\n"
    "hOsT:   www.example.com\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) nm-test\r\n"
    "Accept: */*\r\n"
    "\r\n";
static const char resp[] = "HTTP/1.1 404 Not Found\r\n"
			   "Server: busybox\r\n"
			   "Content-Type: text/html\r\n"
			   "Content-Length: 1234 \r\n"
			   "\r\n"
			   "<html>";

static enum app_res
head(const char *s)
{
	pk.have = 0;
	pk.arenalen = 0;
	return http_head(&pk, (const uint8_t *)s, strlen(s));
}

static int
eq(const char *a, const char *b)
{
	return a != NULL && strcmp(a, b) == 0;
}

static void
test_sniff(void)
{
	static const char *const yes[] = { "GET /", "HEAD /", "POST /", "PUT /",
		"DELETE /", "CONNECT h:443", "OPTIONS *", "TRACE /", "PATCH /",
		"HTTP/1.1 200", "HTTP/1.0 200", "G", "HTT", "OPTION" };
	static const char *const no[] = { "get /", "GETX /", "GET\t/",
		"HTTP/2 200", "PRI * HTTP/2.0", "\x16\x03\x01", "XYZ", "Host" };
	unsigned i, ok;

	for (i = 0, ok = 1; i < sizeof(yes) / sizeof(yes[0]); i++)
		ok &= http_sniff((const uint8_t *)yes[i], strlen(yes[i])) ==
		    APP_MORE;
	CHECK("sniff: methods and status lines, and their starts", ok);
	for (i = 0, ok = 1; i < sizeof(no) / sizeof(no[0]); i++)
		ok &= http_sniff((const uint8_t *)no[i], strlen(no[i])) ==
		    APP_NOT;
	CHECK("sniff: the rest", ok);
	CHECK("sniff: empty", http_sniff((const uint8_t *)"", 0) == APP_NOT);
}

static void
test_heads(void)
{
	static const struct {
		const char *name, *head, *host;
	} hosts[] = {
		{ "mixed line ends", "GET / HTTP/1.0\r\nHost: a\n\r\n", "a" },
		{ "first of a field twice",
		    "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "a" },
		{ "folded line ignored",
		    "GET / HTTP/1.1\r\nHost: a\r\n b\r\n\r\n", "a" },
		{ "name in capitals", "PUT / HTTP/1.1\r\nHOST:b\r\n\r\n", "b" },
	};
	unsigned i;

	CHECK("request: done", head(req) == APP_DONE && pk.have & PK_HTTP);
	CHECK("request: line",
	    pk.http.is_request && !pk.http.is_response &&
		eq(pk.http.method, "GET") &&
		eq(pk.http.uri, "/index.html?q=1") &&
		eq(pk.http.version, "HTTP/1.1"));
	CHECK("request: host, any case, space before trimmed",
	    eq(pk.http.host, "www.example.com"));
	CHECK("request: user agent",
	    eq(pk.http.user_agent, "Mozilla/5.0 (X11; Linux x86_64) nm-test"));
	CHECK("request: no others",
	    pk.http.server == NULL && pk.http.content_type == NULL &&
		!pk.http.has_content_length);

	CHECK("response: done", head(resp) == APP_DONE);
	CHECK("response: status line",
	    pk.http.is_response && eq(pk.http.version, "HTTP/1.1") &&
		pk.http.code == 404 && eq(pk.http.phrase, "Not Found"));
	CHECK("response: fields",
	    eq(pk.http.server, "busybox") &&
		eq(pk.http.content_type, "text/html") &&
		pk.http.has_content_length && pk.http.content_length == 1234);

	CHECK("bare LF",
	    head("HTTP/1.0 200 OK\nServer: x\n\n") == APP_DONE &&
		pk.http.code == 200 && eq(pk.http.server, "x"));
	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++)
		CHECK(hosts[i].name,
		    head(hosts[i].head) == APP_DONE &&
			eq(pk.http.host, hosts[i].host));
	CHECK("no phrase",
	    head("HTTP/1.1 204\r\n\r\n") == APP_DONE && pk.http.code == 204 &&
		eq(pk.http.phrase, ""));
	CHECK("trailing space kept, as tshark",
	    head("GET / HTTP/1.1\r\nUser-Agent: a b \r\n\r\n") == APP_DONE &&
		eq(pk.http.user_agent, "a b "));
	CHECK("control byte escaped",
	    head("GET /\x80 HTTP/1.1\r\nHost: a\tb\r\n\r\n") == APP_DONE &&
		eq(pk.http.uri, "/\\x80") && eq(pk.http.host, "a\\x09b"));
	CHECK("a head not all there",
	    head("GET / HTTP/1.1\r\nHost: a\r\n") == APP_MORE &&
		!(pk.have & PK_HTTP) && pk.http.host == NULL &&
		pk.arenalen == 0);
	CHECK("a start line not all there", head("GET / HTTP/1.1") == APP_MORE);
}

/* A bad head: APP_BAD, err http invalid, nothing kept. */
static int
is_bad(const char *s)
{
	return head(s) == APP_BAD && pk.have & PK_ERR &&
	    eq(pk.err_layer, "http") && eq(pk.err_kind, "invalid") &&
	    !(pk.have & PK_HTTP) && pk.arenalen == 0;
}

static void
test_bad(void)
{
	static const struct {
		const char *name, *head;
	} bads[] = {
		{ "bad: no version", "GET /\r\n\r\n" },
		{ "bad: version", "GET / HTTP/1.x\r\n\r\n" },
		{ "bad: no target", "GET  HTTP/1.1\r\n\r\n" },
		{ "bad: words after the version", "GET / HTTP/1.1 x\r\n\r\n" },
		{ "bad: status code letters", "HTTP/1.1 2x0 OK\r\n\r\n" },
		{ "bad: status code short", "HTTP/1.1 20 OK\r\n\r\n" },
		{ "bad: status code long", "HTTP/1.1 2000 OK\r\n\r\n" },
		{ "bad: status code 0xx", "HTTP/1.1 099 OK\r\n\r\n" },
		{ "bad: field without colon",
		    "GET / HTTP/1.1\r\nHost a\r\n\r\n" },
		{ "bad: space before colon",
		    "GET / HTTP/1.1\r\nHost : a\r\n\r\n" },
		{ "bad: Content-Length letters",
		    "HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n" },
		{ "bad: Content-Length empty",
		    "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n" },
		{ "bad: Content-Length past 2^64",
		    "HTTP/1.1 200 OK\r\nContent-Length: "
		    "18446744073709551616\r\n\r\n" },
		{ "bad: bare CR", "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n" },
		{ "bad: bare CR in the start line", "GET /\r HTTP/1.1\r\n" },
		{ "bad: control byte in a value",
		    "GET / HTTP/1.1\r\nHost: a\x01\r\n\r\n" },
		{ "bad: early, before the head is all there",
		    "GET / HTTP/1.1\r\nHost a\r\n" },
	};
	unsigned i;

	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++)
		CHECK(bads[i].name, is_bad(bads[i].head));
	CHECK("Content-Length 2^64-1",
	    head("HTTP/1.1 200 OK\r\nContent-Length: "
		 "18446744073709551615\r\n\r\n") == APP_DONE &&
		pk.http.content_length == UINT64_MAX);
}

/*
 * An Ethernet/IPv4/TCP frame 10.0.0.1:sport -> 10.0.0.2:80 at seq with n
 * bytes of payload, of which cap are captured.
 */
static void
tcp_frame(struct buf *b, unsigned sport, uint32_t seq, const void *p, size_t n,
    size_t cap)
{
	char hdr[200];
	size_t ipl = 40 + n;

	b->n = 0;
	snprintf(hdr, sizeof(hdr),
	    "020000000002 020000000001 0800 "
	    "4500 %04zx 0001 4000 4006 0000 0a000001 0a000002 "
	    "%04x 0050 %08x 00000001 5018 ffff 0000 0000",
	    ipl, sport, seq);
	put(b, hdr);
	memcpy(b->b + b->n, p, n);
	b->n += cap;
}

static uint64_t now = 1000000000ULL;

/* Decodes one segment of the payload s: its bytes [off, off + n). */
static void
segment(unsigned sport, uint32_t isn, const char *s, size_t off, size_t n,
    size_t cap)
{
	static struct buf b;

	tcp_frame(&b, sport, isn + (uint32_t)off, s + off, n, cap);
	pk.ts = now++;
	dec_packet(&pk, 1, b.b, b.n);
}

static int
got_req(uint32_t pieces)
{
	return pk.have & PK_HTTP && !(pk.have & PK_ERR) &&
	    eq(pk.http.method, "GET") && eq(pk.http.uri, "/index.html?q=1") &&
	    eq(pk.http.host, "www.example.com") &&
	    pk.http.reasm_pieces == (pieces > 1 ? pieces : 0) &&
	    pk.http.reasm_len == (pieces > 1 ? strlen(req) : 0);
}

static void
test_splits(void)
{
	size_t n = strlen(req), k;
	unsigned ok_first = 1, ok_second = 1, ok_rev = 1, ok_three = 1;
	uint32_t isn;

	segment(1000, 5, req, 0, n, n);
	CHECK("split: whole in one segment", got_req(1));
	for (k = 1; k < n; k++) {
		isn = 0xfffffff0u + (uint32_t)k; /* across the wrap too */
		segment(2000, isn, req, 0, k, k);
		ok_first &= !(pk.have & (PK_HTTP | PK_ERR));
		segment(2000, isn, req, k, n - k, n - k);
		ok_second &= got_req(2);

		/* the second piece first: nothing sniffs, nothing kept;
		 * its retransmission after the first completes the head */
		segment(3000, isn, req, k, n - k, n - k);
		ok_rev &= !(pk.have & PK_HTTP); /* "HTTP/1.1..." is bad */
		segment(3000, isn, req, 0, k, k);
		ok_rev &= !(pk.have & (PK_HTTP | PK_ERR));
		segment(3000, isn, req, k, n - k, n - k);
		ok_rev &= got_req(2);
	}
	CHECK("split at every byte: the first piece shows nothing", ok_first);
	CHECK("split at every byte: the second has the head", ok_second);
	CHECK("split at every byte: a tail first is resent", ok_rev);
	CHECK("split: nothing left over", !reasm_active());

	/* three pieces, the last first: it waits beyond the hole */
	for (k = 2; k + 10 < n; k += 7) {
		segment(4000, 77, req, 0, 1, 1);
		segment(4000, 77, req, k, n - k, n - k);
		ok_three &= !(pk.have & (PK_HTTP | PK_ERR));
		segment(4000, 77, req, 1, k - 1, k - 1);
		ok_three &= got_req(3);
	}
	CHECK("split in three, out of order", ok_three);
	/* a retransmission with other bytes over what the stream has */
	segment(5000, 9, req, 0, 30, 30);
	segment(5000, 9, "GET /XXXXXXXXXXXXXXXXXXXXXXXXX", 0, 30, 30);
	CHECK("overlap: waits", !(pk.have & PK_HTTP));
	segment(5000, 9, req, 30, n - 30, n - 30);
	CHECK("overlap: first copy wins", got_req(2));
}

static void
test_keepalive(void)
{
	char two[512];
	size_t n = strlen(req), m;
	uint32_t seq = 100;
	unsigned i, ok = 1;

	for (i = 0; i < 3; i++) {
		segment(6000, seq, req, 0, 20, 20);
		segment(6000, seq, req, 20, n - 20, n - 20);
		ok &= got_req(2);
		seq += (uint32_t)n;
	}
	CHECK("keep-alive: each request split in two", ok);
	/* a request whose second piece never came: the next starts */
	segment(6000, seq, req, 0, 20, 20);
	segment(6000, seq + 40, req, 0, n, n);
	CHECK("keep-alive: a new start drops the unfinished", got_req(1));
	/* a start inside a head is the head's ("HTTP/1.1" after the
	 * target): as the server reads the bytes */
	segment(6000, seq, req, 0, 20, 20);
	segment(6000, seq + 20, "GET / HTTP/1.1\r\n\r\n", 0, 18, 18);
	CHECK("keep-alive: a start within the bytes is theirs",
	    pk.have & PK_ERR && eq(pk.err_kind, "invalid"));
	/* two in one segment: the first is read */
	snprintf(two, sizeof(two), "%sHEAD / HTTP/1.1\r\n\r\n", req);
	m = strlen(two);
	segment(6000, 1, two, 0, m, m);
	CHECK("pipelined: the first", got_req(1));
	CHECK("keep-alive: nothing left over", !reasm_active());
}

static void
test_bounds(void)
{
	static char big[3 * REASM_MAXBYTES];
	uint64_t ev, ov0, ov;
	size_t n, off;
	unsigned ok = 1;

	reasm_counts(&ev, &ov0);
	n = (size_t)snprintf(big, sizeof(big), "GET / HTTP/1.1\r\nX: ");
	memset(big + n, 'a', sizeof(big) - n);
	for (off = 0; off + 1400 <= sizeof(big) && ok; off += 1400) {
		segment(7000, 1, big, off, 1400, 1400);
		ok &= !(pk.have & PK_HTTP);
		if (pk.have & PK_ERR)
			break;
	}
	CHECK("huge head: no fields", ok);
	CHECK("huge head: says it is past the bound",
	    pk.have & PK_ERR && eq(pk.err_layer, "http") &&
		eq(pk.err_kind, "unknown") && strstr(pk.err_why, "bound"));
	reasm_counts(&ev, &ov);
	CHECK("huge head: counted once", ov == ov0 + 1);
	CHECK("huge head: let go", !reasm_active());
	segment(7000, 1, big, off + 1400, 1400, 1400);
	reasm_counts(&ev, &ov);
	CHECK("huge head: the rest ignored",
	    !(pk.have & (PK_ERR | PK_HTTP)) && ov == ov0 + 1);

	n = strlen(req);
	segment(8000, 1, req, 0, n, 30);
	CHECK("snap length: the head was cut",
	    pk.have & PK_ERR && eq(pk.err_layer, "http") &&
		eq(pk.err_kind, "truncated") && !(pk.have & PK_HTTP));
	segment(8000, 1, req, 0, n, n - 2); /* only the empty line's LF cut */
	CHECK("snap length: one byte short",
	    pk.have & PK_ERR && eq(pk.err_kind, "truncated"));
	segment(8000, 1, resp, 0, strlen(resp), strlen(resp) - 6);
	CHECK("snap length: the head was all there",
	    pk.have & PK_HTTP && !(pk.have & PK_ERR) && pk.http.code == 404);
	/* a later piece cut: known when the stream reaches the cut */
	segment(9000, 1, req, 0, 10, 10);
	segment(9000, 1, req, 30, n - 30, n - 30);
	segment(9000, 1, req, 10, 20, 5);
	CHECK("snap length: a cut piece",
	    pk.have & PK_ERR && eq(pk.err_kind, "truncated") &&
		!reasm_active());
	segment(9000, 1, "GET / HTTP/1.1\r\n\r\n", 0, 18, 18);
	CHECK("snap length: not invalid after", pk.have & PK_HTTP);
}

int
main(void)
{
	reasm_seed();
	test_sniff();
	test_heads();
	test_bad();
	test_splits();
	test_keepalive();
	test_bounds();
	return fails != 0;
}
