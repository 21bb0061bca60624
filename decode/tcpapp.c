/*
 * The application layer of a TCP segment's payload: a TLS handshake or an
 * HTTP/1.x head at the start of a message, gathered over the segments of
 * its direction when one segment does not hold it all (reasm.c), then
 * parsed (tls.c, http.c).  The message's fields go on the packet whose
 * segment completes it, as tshark shows them, with reasm_len and
 * reasm_pieces when it took more than one segment.
 *
 * This runs on every TCP segment with payload, so the common case is
 * cheap: a segment that does not sniff as a start, while nothing is
 * being gathered, costs two looks at its first bytes; a key is made and
 * hashed only when some stream is gathered.  A message whole in its
 * segment is parsed in place, with no copy.
 *
 * A stream is one direction of a connection, keyed by family, ports and
 * addresses.  Its offsets are sequence numbers less the first segment's
 * (mod 2^32); a segment before that start, or past the byte bound, adds
 * nothing (reasm.c counts the bound).  A message done lets its stream go,
 * so on a keep-alive connection each request that sniffs as a start is
 * read anew; a segment that sniffs as a start while a stream is gathered
 * begins a new one only past the bytes the stream has (a text that looks
 * like a start inside a head, "HTTP/1.1" after a request's target, is
 * read as the receiver reads it).  A segment cut by the capture's snap length
 * leaves a hole no retransmission fills in the capture: a message that
 * needed those bytes is truncated ("tls" or "http" err, kind truncated),
 * apart from one whose bytes are wrong (invalid, the parser's).
 */
#include <string.h>

#include "app.h"

enum app_kind { KIND_NONE = 0, KIND_TLS, KIND_HTTP };

/*
 * The stream's base word (reasm_base): the first segment's sequence
 * number (bits 0-31), the kind of message (32-39), and where the first
 * hole a cut segment left begins, plus one (40-63; 0: none).
 */
#define BASE_SEQ(w)  ((uint32_t)(w))
#define BASE_KIND(w) ((enum app_kind)(((w) >> 32) & 0xff))
#define BASE_CUT(w)  ((uint32_t)((w) >> 40))
#define BASE_MAKE(seq, kind, cut)                                              \
	((uint64_t)(seq) | (uint64_t)(kind) << 32 | (uint64_t)(cut) << 40)

#define KEYLEN(alen) (5 + 2 * (alen))

static const char *const layer[] = { "tcp", "tls", "http" };

/* The direction's key; 0 when the packet has no addresses to tell it. */
static size_t
make_key(const struct pkt *pk, uint8_t *key)
{
	const uint8_t *src, *dst;
	size_t alen;

	if (pk->have & PK_IPV6 && pk->ipv6.src && pk->ipv6.dst)
		src = pk->ipv6.src, dst = pk->ipv6.dst, alen = 16;
	else if (pk->have & PK_IP && pk->ip.src && pk->ip.dst)
		src = pk->ip.src, dst = pk->ip.dst, alen = 4;
	else
		return 0;
	key[0] = (uint8_t)alen;
	key[1] = (uint8_t)(pk->tcp.sport >> 8);
	key[2] = (uint8_t)pk->tcp.sport;
	key[3] = (uint8_t)(pk->tcp.dport >> 8);
	key[4] = (uint8_t)pk->tcp.dport;
	memcpy(key + 5, src, alen);
	memcpy(key + 5 + alen, dst, alen);
	return KEYLEN(alen);
}

static enum app_res
parse(struct pkt *pk, enum app_kind kind, const uint8_t *p, size_t n)
{
	size_t need = 0;

	if (kind == KIND_TLS)
		return tls_records(pk, p, n, &need);
	return http_head(pk, p, n);
}

/* The result of a parse as the dispatch takes it. */
static enum dec_status
status(enum app_res res)
{
	return res == APP_DONE ? DEC_OK
	    : res == APP_BAD   ? DEC_INVALID
			       : DEC_UNKNOWN;
}

/* A message parsed from more than one segment says so; 0 when it is not. */
static void
note_reasm(struct pkt *pk, size_t len, uint32_t pieces)
{
	if (pieces <= 1)
		len = pieces = 0;
	if (pk->have & PK_TLS) {
		pk->tls.reasm_len = (uint32_t)len;
		pk->tls.reasm_pieces = pieces;
	}
	if (pk->have & PK_HTTP) {
		pk->http.reasm_len = (uint32_t)len;
		pk->http.reasm_pieces = pieces;
	}
}

/*
 * A message still short after the len bytes of r: it waits for more, or
 * ends when it cannot have them, cut by the snap length or past the byte
 * bound (counted: the bytes it needs would be past it).
 */
static enum dec_status
short_msg(struct pkt *pk, struct reasm *r, enum app_kind kind, size_t len)
{
	uint32_t cut = BASE_CUT(*reasm_base(r));
	static const uint8_t past = 0;

	if (cut != 0 && len == cut - 1) {
		reasm_free(r);
		return dec_fail(pk, layer[kind], DEC_TRUNC,
		    "message needs bytes past %zu, cut by the snap length",
		    len);
	}
	if (len < REASM_MAXBYTES)
		return DEC_UNKNOWN;
	reasm_add(r, REASM_MAXBYTES, &past, 1);
	reasm_free(r);
	return dec_fail(pk, layer[kind], DEC_UNKNOWN,
	    "message past the %u-byte reassembly bound",
	    (unsigned)REASM_MAXBYTES);
}

/* The segment at off (the payload's captured n of its tcplen bytes). */
static enum dec_status
gather(struct pkt *pk, struct reasm *r, uint32_t off, const uint8_t *p,
    size_t n, size_t tcplen)
{
	uint64_t *w = reasm_base(r);
	enum app_kind kind = BASE_KIND(*w);
	uint32_t cut = BASE_CUT(*w), pieces, skip;
	enum app_res res;
	size_t len;

	if (off >= 0x80000000u) { /* begins before the stream: its tail */
		skip = 0u - off;
		if (skip >= tcplen)
			return DEC_UNKNOWN; /* all of it before: old bytes */
		p += skip < n ? skip : n;
		n = skip < n ? n - skip : 0;
		tcplen -= skip;
		off = 0;
	}
	/* the first hole a cut segment leaves, where nothing will come */
	if (n < tcplen && off + n < REASM_MAXBYTES &&
	    (cut == 0 || cut - 1 > off + n))
		*w = BASE_MAKE(BASE_SEQ(*w), kind, off + n + 1);
	reasm_add(r, off, p, n);
	p = reasm_data(r, &len, &pieces);
	res = parse(pk, kind, p, len);
	if (res == APP_MORE)
		return short_msg(pk, r, kind, len);
	note_reasm(pk, len, pieces);
	reasm_free(r);
	return status(res);
}

/* A message's first segment, parsed in place; gathered if it is short. */
static enum dec_status
start(struct pkt *pk, enum app_kind kind, const uint8_t *key, size_t keylen,
    const uint8_t *p, size_t n, size_t tcplen)
{
	enum app_res res = parse(pk, kind, p, n);
	struct reasm *r;

	if (res != APP_MORE) {
		note_reasm(pk, n, 1);
		return status(res);
	}
	if (n < tcplen) /* the rest of the segment was not captured */
		return dec_fail(pk, layer[kind], DEC_TRUNC,
		    "message needs bytes past %zu, cut by the snap length", n);
	if (keylen == 0 || (r = reasm_new(key, keylen, pk->ts)) == NULL)
		return DEC_UNKNOWN;
	*reasm_base(r) = BASE_MAKE(pk->tcp.seq, kind, 0);
	return short_msg(pk, r, kind, reasm_add(r, 0, p, n));
}

/*
 * A segment that sniffs as a start (kind), or any while streams are
 * gathered: its stream's, or a new message's.  Apart from dec_tcpapp so
 * that the common case's frame holds no key (nor its stack guard).
 */
static enum dec_status __attribute__((noinline))
app_segment(struct pkt *pk, enum app_kind kind, const uint8_t *p, size_t n)
{
	uint8_t key[KEYLEN(16)];
	size_t keylen, tcplen, len;
	struct reasm *r = NULL;
	uint32_t off = 0;

	tcplen = pk->tcp.has_len && pk->tcp.len > n ? pk->tcp.len : n;
	if ((keylen = make_key(pk, key)) != 0 && reasm_active())
		r = reasm_find(key, keylen, pk->ts);
	if (r != NULL) {
		off = pk->tcp.seq - BASE_SEQ(*reasm_base(r));
		reasm_data(r, &len, NULL);
		/* a start past the bytes the stream has (a hole, or another
		 * connection on the same ports) or of another kind begins a
		 * new message; one within them is the stream's own, as the
		 * receiver reads it */
		if (kind != KIND_NONE &&
		    (off > len || kind != BASE_KIND(*reasm_base(r)))) {
			reasm_free(r);
			r = NULL;
		}
	}
	if (r != NULL)
		return gather(pk, r, off, p, n, tcplen);
	if (kind == KIND_NONE)
		return DEC_UNKNOWN;
	return start(pk, kind, key, keylen, p, n, tcplen);
}

enum dec_status
dec_tcpapp(struct pkt *pk, struct cur *c)
{
	const uint8_t *p = c->p;
	size_t n = cur_left(c);
	enum app_kind kind = KIND_NONE;

	if (tls_sniff(p, n) != APP_NOT)
		kind = KIND_TLS;
	else if (http_sniff(p, n) != APP_NOT)
		kind = KIND_HTTP;
	else if (!reasm_active())
		return DEC_UNKNOWN; /* the common case: no key, no hash */
	return app_segment(pk, kind, p, n);
}
