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
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "nm.h"
#include "proto.h"
#include "siphash.h"

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
 * The record layer followed over a TLS direction's whole stream, once
 * its first handshake record sniffed as one: where the next record
 * begins, and the handshake messages read in the clear, so that every
 * frame names the records it completes (tshark lists a record on the
 * frame that completes it) and the handshake messages they carry.
 * Bodies are skipped by their lengths, never kept: a Certificate of
 * several kilobytes costs nothing; a TLS 1.2 ServerKeyExchange alone is
 * gathered (up to FOLLOW_SKEMAX bytes, freed at its end) for its
 * signature algorithm.  A hole in the sequence (loss, a segment not
 * captured) or a record header that cannot be one loses the place: the
 * direction is not followed further, since nothing in a record's bytes
 * says where the next begins.  Only directions whose start nm saw are
 * followed: nm does not guess TLS from the port.
 *
 * The table is FOLLOW_SETS sets of FOLLOW_WAYS entries by a keyed hash;
 * an entry idle for REASM_MAXAGE is free; a new one in a full set pushes
 * out its least recently used (counted: tcpapp_evicted).  portmap counts
 * the entries by a hash of their ports, so that a segment of no
 * followed direction is told apart with one load, no key and no hash.
 */
#define FOLLOW_SETS    1024
#define FOLLOW_WAYS    4
#define FOLLOW_SKEMAX  4096
#define FOLLOW_PORTS   8192
#define FOLLOW_BACK    (1u << 20) /* a retransmission's reach */
#define PORTHASH(a, b) ((((a)*31u) ^ (b)) & (FOLLOW_PORTS - 1))
#define CT_CCS	       20
#define CT_HANDSHAKE   22
#define CT_APPDATA     23
#define HS_SKE	       12

struct follow {
	uint8_t key[KEYLEN(16)];
	uint8_t keylen, used;
	uint8_t tls13;	/* the server chose TLS 1.3: type 23 is opaque */
	uint8_t ccs;	/* ChangeCipherSpec seen: handshakes encrypted */
	uint8_t hdr[5]; /* the record header, as far as it came */
	uint8_t nhdr;	/* its bytes (5: in the body) */
	uint8_t hs[4];	/* the handshake message's header */
	uint8_t nhs;	/* its bytes (4: in the body) */
	uint8_t npend;	/* handshake types read in the open record */
	uint8_t pend[PKT_MAXLIST];
	uint16_t sigalg; /* a ServerKeyExchange's, to list; 0: none */
	uint16_t port;	 /* PORTHASH of the entry, for portmap */
	uint32_t next;	 /* the sequence number of the next byte to read */
	uint32_t rec_left, hs_left; /* body bytes still to come */
	uint32_t skelen, skecap;
	uint8_t *ske; /* a ServerKeyExchange being gathered */
	uint64_t ts;
};

static struct follow *ftab;
static uint16_t portmap[FOLLOW_PORTS];
static unsigned nfollow;
static uint64_t n_fevicted;

uint64_t
tcpapp_evicted(void)
{
	return n_fevicted;
}

static void
follow_drop(struct follow *f)
{
	if (!f->used)
		return;
	portmap[f->port]--;
	nfollow--;
	free(f->ske);
	memset(f, 0, sizeof(*f));
}

static struct follow *
follow_set(const uint8_t *key, size_t keylen)
{
	if (ftab == NULL)
		ftab = ecalloc(FOLLOW_SETS * FOLLOW_WAYS, sizeof(*ftab));
	return ftab +
	    (siphash24(sip_run_key(), key, keylen) & (FOLLOW_SETS - 1)) *
	    FOLLOW_WAYS;
}

/* The direction's entry, or NULL; an idle one is let go. */
static struct follow *
follow_find(const uint8_t *key, size_t keylen, uint64_t ts)
{
	struct follow *f;
	unsigned i;

	if (nfollow == 0)
		return NULL;
	f = follow_set(key, keylen);
	for (i = 0; i < FOLLOW_WAYS; i++, f++) {
		if (!f->used || f->keylen != keylen ||
		    memcmp(f->key, key, keylen) != 0)
			continue;
		if (ts > f->ts && ts - f->ts > REASM_MAXAGE) {
			follow_drop(f);
			return NULL;
		}
		if (ts > f->ts)
			f->ts = ts;
		return f;
	}
	return NULL;
}

static struct follow *
follow_new(const struct pkt *pk, const uint8_t *key, size_t keylen)
{
	struct follow *set = follow_set(key, keylen), *f = NULL;
	unsigned i;

	for (i = 0; i < FOLLOW_WAYS; i++) {
		if (!set[i].used ||
		    (pk->ts > set[i].ts && pk->ts - set[i].ts > REASM_MAXAGE)) {
			f = &set[i];
			break;
		}
		if (f == NULL || set[i].ts < f->ts)
			f = &set[i];
	}
	if (f->used && i == FOLLOW_WAYS)
		n_fevicted++;
	follow_drop(f);
	memcpy(f->key, key, keylen);
	f->keylen = (uint8_t)keylen;
	f->used = 1;
	f->ts = pk->ts;
	f->next = pk->tcp.seq;
	f->port = (uint16_t)PORTHASH(pk->tcp.sport, pk->tcp.dport);
	portmap[f->port]++;
	nfollow++;
	return f;
}

/* The other direction's key: ports and addresses swapped. */
static void
reverse_key(const uint8_t *key, size_t keylen, uint8_t *out)
{
	size_t alen = key[0];

	(void)keylen;
	out[0] = key[0];
	memcpy(out + 1, key + 3, 2);
	memcpy(out + 3, key + 1, 2);
	memcpy(out + 5, key + 5 + alen, alen);
	memcpy(out + 5 + alen, key + 5, alen);
}

/*
 * RFC 5246 7.4.3 ServerKeyExchange of TLS 1.2: the ECDHE (RFC 8422
 * 5.4: curve_type 3 named_curve, a point of a byte length) or DHE
 * (three 16-bit vectors) parameters, then the signature's
 * SignatureAndHashAlgorithm and its 16-bit vector, which must end the
 * message: the form that fits is the one read, none that fits, none.
 */
static int
ske_sigalg(const uint8_t *p, size_t n, uint16_t *alg)
{
	struct cur c = cur_make(p, n), t;
	size_t len;
	int form;

	for (form = 0; form < 2; form++) {
		t = c;
		if (form == 0) {
			if (cur_u8(&t) != 3)
				continue;
			cur_skip(&t, 2);
			len = cur_u8(&t);
			cur_skip(&t, len);
		} else {
			len = cur_be16(&t);
			cur_skip(&t, len);
			len = cur_be16(&t);
			cur_skip(&t, len);
			len = cur_be16(&t);
			cur_skip(&t, len);
		}
		*alg = cur_be16(&t);
		len = cur_be16(&t);
		if (cur_ok(&t) && len == cur_left(&t) && *alg != 0)
			return 1;
	}
	return 0;
}

/* Handshake bytes of a record in the clear: the messages' types. */
static void
follow_hs(struct follow *f, const uint8_t *p, size_t n)
{
	size_t take;

	while (n > 0) {
		if (f->nhs < 4) {
			f->hs[f->nhs++] = *p++, n--;
			if (f->nhs < 4)
				continue;
			if (f->npend < PKT_MAXLIST)
				f->pend[f->npend++] = f->hs[0];
			f->hs_left = (uint32_t)f->hs[1] << 16 |
			    (uint32_t)f->hs[2] << 8 | f->hs[3];
			if (f->hs[0] == HS_SKE && f->hdr[2] >= 3 &&
			    f->hs_left <= FOLLOW_SKEMAX) {
				f->ske = emalloc(f->hs_left + 1);
				f->skelen = 0;
				f->skecap = f->hs_left;
			}
		} else {
			take = n < f->hs_left ? n : f->hs_left;
			if (f->ske != NULL) {
				memcpy(f->ske + f->skelen, p, take);
				f->skelen += (uint32_t)take;
			}
			p += take, n -= take;
			f->hs_left -= (uint32_t)take;
		}
		if (f->nhs == 4 && f->hs_left == 0) {
			if (f->ske != NULL &&
			    ske_sigalg(f->ske, f->skelen, &f->sigalg) == 0)
				f->sigalg = 0;
			free(f->ske);
			f->ske = NULL;
			f->nhs = 0;
		}
	}
}

/* A record completed here: listed, with the messages read in it. */
static void
follow_list(struct pkt *pk, struct follow *f)
{
	struct pk_tls *t = &pk->tls;
	unsigned i, type = f->hdr[0];

	if (t->nrecs < PKT_MAXLIST) {
		t->recs_type[t->nrecs] = (uint8_t)type;
		t->recs_version[t->nrecs] =
		    (uint16_t)(f->hdr[1] << 8 | f->hdr[2]);
		t->recs_opaque[t->nrecs] = f->tls13 && type == CT_APPDATA;
		t->nrecs++;
	}
	for (i = 0; i < f->npend && t->nhs < PKT_MAXLIST; i++)
		t->hs_types[t->nhs++] = f->pend[i];
	f->npend = 0;
	if (f->sigalg != 0 && t->nsigalgs < PKT_MAXLIST)
		t->sigalgs[t->nsigalgs++] = f->sigalg;
	f->sigalg = 0;
	pk->have |= PK_TLS;
}

/*
 * Reads the records of the bytes p (n) at the direction's place; 0 when
 * the place is lost (a header that is none).
 */
static int
follow_walk(struct pkt *pk, struct follow *f, const uint8_t *p, size_t n)
{
	size_t take;
	unsigned len;

	while (n > 0) {
		if (f->nhdr < 5) {
			f->hdr[f->nhdr++] = *p++, n--;
			if (f->nhdr < 5)
				continue;
			/* RFC 8446 5.1 ContentType 20 to 23 (24:
			 * heartbeat, RFC 6520), ProtocolVersion 3.x */
			len = (unsigned)f->hdr[3] << 8 | f->hdr[4];
			if (f->hdr[0] < CT_CCS || f->hdr[0] > 24 ||
			    f->hdr[1] != 3 || len > 16384 + 256)
				return 0;
			f->rec_left = len;
		} else {
			take = n < f->rec_left ? n : f->rec_left;
			if (f->hdr[0] == CT_HANDSHAKE && !f->ccs)
				follow_hs(f, p, take);
			p += take, n -= take;
			f->rec_left -= (uint32_t)take;
		}
		if (f->rec_left == 0) {
			follow_list(pk, f);
			if (f->hdr[0] == CT_CCS)
				f->ccs = 1;
			f->nhdr = 0;
		}
	}
	return 1;
}

/*
 * What pack_tls reads of a pk_tls, cleared: its counts and flags, not
 * its arrays (a memset of them all would be most of a segment's cost).
 */
static void
tls_clear(struct pk_tls *t)
{
	t->has_rec = t->got_hs = t->hs_type = 0;
	t->sni = NULL;
	t->nalpn = t->nversions = t->nciphers = t->nexts = 0;
	t->nsigalgs = t->ngroups = t->nrecs = t->nhs = 0;
	t->ja4[0] = '\0';
	t->reasm_len = t->reasm_pieces = 0;
}

/*
 * A segment of a followed direction (f): the bytes past the place are
 * read; old bytes (a retransmission) add nothing; bytes after a hole, or
 * a segment cut by the snap length, lose the place.
 */
static void
follow_seg(
    struct pkt *pk, struct follow *f, const uint8_t *p, size_t n, size_t tcplen)
{
	uint32_t off = pk->tcp.seq - f->next, skip;

	if (off != 0 && off < 0x80000000u) {
		follow_drop(f); /* a hole before this segment */
		return;
	}
	skip = 0u - off;
	if (skip >= tcplen)
		return; /* all of it read already */
	if (skip >= n) {
		follow_drop(f); /* the new bytes were not captured */
		return;
	}
	p += skip, n -= skip, tcplen -= skip;
	if (!follow_walk(pk, f, p, n) || n < tcplen) {
		follow_drop(f);
		return;
	}
	f->next += (uint32_t)n;
}

/*
 * The direction's records: followed from the segment that began its
 * TLS stream (tls), or from where they were.  A ServerHello choosing
 * TLS 1.3 (0x0304, or a draft's 0x7fxx) says so to both directions:
 * their records of type 23 are then tshark's opaque_type.
 */
static void
follow(struct pkt *pk, const uint8_t *key, size_t keylen, int tls,
    const uint8_t *p, size_t n, size_t tcplen)
{
	struct follow *f = follow_find(key, keylen, pk->ts), *o;
	uint8_t rkey[KEYLEN(16)];

	if (f == NULL && !tls)
		return;
	/* a start after a hole, or far before the place (a new connection
	 * on the same ports), begins anew; one a little before is a
	 * retransmission */
	if (f != NULL && tls && pk->tcp.seq != f->next &&
	    f->next - pk->tcp.seq > FOLLOW_BACK)
		follow_drop(f), f = NULL;
	if (f == NULL)
		f = follow_new(pk, key, keylen);
	if (pk->have & PK_TLS && pk->tls.got_hs && pk->tls.hs_type == 2 &&
	    pk->tls.nversions == 1 &&
	    (pk->tls.versions[0] == 0x0304 ||
		pk->tls.versions[0] >> 8 == 0x7f)) {
		f->tls13 = 1;
		reverse_key(key, keylen, rkey);
		if ((o = follow_find(rkey, keylen, pk->ts)) != NULL)
			o->tls13 = 1;
	}
	follow_seg(pk, f, p, n, tcplen);
}

void
tcpapp_end(struct pkt *pk)
{
	uint8_t key[KEYLEN(16)], rkey[KEYLEN(16)];
	struct follow *f;
	size_t keylen;

	if (nfollow == 0 || !(pk->tcp.flags & (TCP_FIN | TCP_RST)) ||
	    (portmap[PORTHASH(pk->tcp.sport, pk->tcp.dport)] == 0 &&
		portmap[PORTHASH(pk->tcp.dport, pk->tcp.sport)] == 0) ||
	    (keylen = make_key(pk, key)) == 0)
		return;
	if ((f = follow_find(key, keylen, pk->ts)) != NULL)
		follow_drop(f);
	if (!(pk->tcp.flags & TCP_RST))
		return;
	reverse_key(key, keylen, rkey);
	if ((f = follow_find(rkey, keylen, pk->ts)) != NULL)
		follow_drop(f);
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
	enum dec_status st;

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
		st = gather(pk, r, off, p, n, tcplen);
	else if (kind == KIND_NONE)
		st = DEC_UNKNOWN;
	else
		st = start(pk, kind, key, keylen, p, n, tcplen);
	if (keylen != 0 && (kind == KIND_TLS || nfollow != 0)) {
		/* the parsers clear pk->tls; with none, what the packer
		 * reads of an earlier frame's is cleared here */
		if (r == NULL && kind == KIND_NONE)
			tls_clear(&pk->tls);
		follow(pk, key, keylen, kind == KIND_TLS, p, n, tcplen);
		tcpapp_end(pk);
	}
	return st;
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
	else if (!reasm_active() &&
	    (nfollow == 0 ||
		portmap[PORTHASH(pk->tcp.sport, pk->tcp.dport)] == 0))
		return DEC_UNKNOWN; /* the common case: no key, no hash */
	return app_segment(pk, kind, p, n);
}
