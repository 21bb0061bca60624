/*
 * TLS handshakes at the start of a stream: the record layer (RFC 8446
 * 5.1; RFC 5246 6.2) around the first handshake message, gathered across
 * records when it spans several, and the message itself (RFC 8446 4):
 * a ClientHello's or ServerHello's version, cipher suites and the
 * extensions nm shows (server_name, ALPN, supported_versions,
 * signature_algorithms, supported_groups), and the JA4 fingerprint of
 * every ClientHello.  QUIC carries the same messages in CRYPTO frames
 * with no record layer (RFC 9001 4): tls_handshake reads those.
 *
 * The bytes are untrusted: every read is through share/cur.h, every
 * vector's length is checked against its container, and a length that
 * does not fit is APP_BAD (invalid), not a shorter read.  Lists are
 * recorded up to PKT_MAXLIST and counted past it; the JA4 is computed
 * from the whole lists, kept here while the message is parsed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "app.h"
#include "pkt.h"

/* RFC 8446 5.1: TLSPlaintext.length MUST NOT exceed 2^14; 5.2 allows a
 * TLSCiphertext 256 bytes more, and nm takes both before it can tell. */
#define TLS_MAXREC   (16384 + 256)
#define TLS_RECHDR   5 /* ContentType, ProtocolVersion, uint16 length */
#define TLS_HSHDR    4 /* HandshakeType, uint24 length (RFC 8446 4) */
#define TLS_RANDOM   32
#define CT_HANDSHAKE 22 /* RFC 8446 B.1, RFC 5246 A.1 */
#define HS_CLIENT    1	/* RFC 8446 B.3 HandshakeType */
#define HS_SERVER    2

/* Extension types (RFC 8446 4.2, IANA "TLS ExtensionType Values"). */
#define EXT_SNI	     0	/* RFC 6066 3 */
#define EXT_GROUPS   10 /* RFC 8446 4.2.7 (RFC 8422 5.1.1) */
#define EXT_SIGALGS  13 /* RFC 8446 4.2.3 */
#define EXT_ALPN     16 /* RFC 7301 3.1 */
#define EXT_VERSIONS 43 /* RFC 8446 4.2.1 */

/*
 * A message spanning records is gathered here: the caller hands at most
 * REASM_MAXBYTES of the stream, so no more can be needed; one that would
 * need more reports a need past the bound, which the caller cannot meet.
 */
static uint8_t gather[REASM_MAXBYTES];

/*
 * The whole lists of a ClientHello for JA4, past PKT_MAXLIST: a vector
 * of 2-byte values is at most 2^16-2 bytes (RFC 8446 4.1.2, 4.2.3), an
 * extension at least 4 bytes of 2^16-1, supported_versions at most 254
 * bytes.  nm-decode parses one message at a time.
 */
static uint16_t all_ciphers[32767], all_exts[16383], all_sigalgs[32767],
    all_versions[127];

static int
is_grease(unsigned v)
{
	/* RFC 8701 2: 0x0A0A, 0x1A1A, ... 0xFAFA */
	return (v & 0x0f0f) == 0x0a0a && v >> 8 == (v & 0xff);
}

/* What one parse keeps besides pk->tls. */
struct hello {
	struct pkt *pk;
	int client;
	unsigned seen; /* the extensions read, by their bit below */
	struct tls_all all;
};

static enum app_res
bad(struct pkt *pk, const char *why, unsigned v)
{
	dec_fail(pk, "tls", DEC_INVALID, "%s (%u)", why, v);
	return APP_BAD;
}

/*
 * A vector of 2-byte values behind a length of lenbytes (1 or 2) that
 * must fill the extension's data exactly: into rec[] up to PKT_MAXLIST
 * (counted in *nrec past it) and, when all is not NULL, all of it.
 */
static enum app_res
u16_list(struct pkt *pk, struct cur *ext, unsigned lenbytes, uint16_t *rec,
    unsigned *nrec, uint16_t *all, unsigned *nall, const char *what)
{
	size_t len = lenbytes == 1 ? cur_u8(ext) : cur_be16(ext);
	uint16_t v;

	if (!cur_ok(ext) || len != cur_left(ext) || len % 2 != 0)
		return bad(pk, what, (unsigned)len);
	while (cur_left(ext) > 0) {
		v = cur_be16(ext);
		if (*nrec < PKT_MAXLIST)
			rec[*nrec] = v;
		(*nrec)++;
		if (all != NULL)
			all[(*nall)++] = v;
	}
	return APP_DONE;
}

/* RFC 6066 3: ServerNameList; the first host_name is the SNI. */
static enum app_res
ext_sni(struct hello *h, struct cur *ext)
{
	struct pk_tls *t = &h->pk->tls;
	struct cur list, name;
	size_t len;
	unsigned type;

	/* a server's echo (RFC 6066 3) and some clients' are empty */
	if (cur_left(ext) == 0)
		return APP_DONE;
	len = cur_be16(ext);
	if (!cur_ok(ext) || len != cur_left(ext))
		return bad(h->pk, "server_name list length", (unsigned)len);
	cur_take(ext, len, &list);
	while (cur_left(&list) > 0) {
		/* every name type defined so far is a 16-bit length and
		 * its bytes (RFC 6066 3 notes the assumption) */
		type = cur_u8(&list);
		len = cur_be16(&list);
		if (!cur_take(&list, len, &name))
			return bad(h->pk, "server name length", (unsigned)len);
		if (type == 0 && t->sni == NULL)
			t->sni =
			    arena_text(h->pk, cur_ptr(&name, len), len, "\\");
	}
	return APP_DONE;
}

/* RFC 7301 3.1: ProtocolNameList, each name a byte length and bytes. */
static enum app_res
ext_alpn(struct hello *h, struct cur *ext)
{
	struct pk_tls *t = &h->pk->tls;
	const uint8_t *p;
	const char *s;
	size_t len;
	int full = 0;

	len = cur_be16(ext);
	if (!cur_ok(ext) || len != cur_left(ext))
		return bad(h->pk, "ALPN list length", (unsigned)len);
	while (cur_left(ext) > 0) {
		len = cur_u8(ext);
		p = cur_ptr(ext, len);
		if (p == NULL)
			return bad(h->pk, "ALPN name length", (unsigned)len);
		if (!h->all.has_alpn) {
			h->all.has_alpn = 1;
			h->all.alpn = p;
			h->all.alpnlen = len;
		}
		/* a full arena ends the list: the names recorded are the
		 * first, none left out between them */
		if (full)
			continue;
		if (t->nalpn >= PKT_MAXLIST) {
			t->nalpn++;
			continue;
		}
		s = arena_text(h->pk, p, len, ",\\");
		if (s != NULL)
			t->alpn[t->nalpn++] = s;
		else
			full = 1;
	}
	return APP_DONE;
}

/* One extension of a hello (RFC 8446 4.2): its data in ext. */
static enum app_res
extension(struct hello *h, unsigned type, struct cur *ext)
{
	struct pk_tls *t = &h->pk->tls;
	unsigned bit = type == EXT_SNI ? 1
	    : type == EXT_GROUPS       ? 2
	    : type == EXT_SIGALGS      ? 4
	    : type == EXT_ALPN	       ? 8
	    : type == EXT_VERSIONS     ? 16
				       : 0;

	/* RFC 8446 4.2 forbids two of a type in a block: the first is
	 * read, a repeat listed in exts[] alone */
	if (h->seen & bit)
		return APP_DONE;
	h->seen |= bit;
	switch (type) {
	case EXT_SNI: return ext_sni(h, ext);
	case EXT_ALPN: return ext_alpn(h, ext);
	case EXT_VERSIONS:
		if (h->client)
			return u16_list(h->pk, ext, 1, t->versions,
			    &t->nversions, all_versions, &h->all.nversions,
			    "supported_versions length");
		/* RFC 8446 4.2.1: the server's selected_version alone */
		if (cur_left(ext) != 2)
			return bad(h->pk, "selected_version length",
			    (unsigned)cur_left(ext));
		t->versions[0] = cur_be16(ext);
		t->nversions = 1;
		return APP_DONE;
	case EXT_SIGALGS:
		return u16_list(h->pk, ext, 2, t->sigalgs, &t->nsigalgs,
		    h->client ? all_sigalgs : NULL, &h->all.nsigalgs,
		    "signature_algorithms length");
	case EXT_GROUPS:
		return u16_list(h->pk, ext, 2, t->groups, &t->ngroups, NULL,
		    NULL, "supported_groups length");
	default: return APP_DONE;
	}
}

/*
 * The extensions block (RFC 8446 4.1.2, 4.1.3): absent in hellos of
 * TLS 1.2 and before that offer none (RFC 5246 7.4.1.2), else a 16-bit
 * length that must end the message.
 */
static enum app_res
extensions(struct hello *h, struct cur *c)
{
	struct pk_tls *t = &h->pk->tls;
	struct cur block, ext;
	unsigned type, len;
	enum app_res r;

	if (cur_left(c) == 0)
		return APP_DONE;
	len = cur_be16(c);
	if (!cur_ok(c) || len != cur_left(c))
		return bad(h->pk, "extensions length", len);
	cur_take(c, len, &block);
	while (cur_left(&block) > 0) {
		type = cur_be16(&block);
		len = cur_be16(&block);
		if (!cur_take(&block, len, &ext))
			return bad(h->pk, "extension length", len);
		if (t->nexts < PKT_MAXLIST)
			t->exts[t->nexts] = (uint16_t)type;
		t->nexts++;
		if (h->client)
			all_exts[h->all.nexts++] = (uint16_t)type;
		r = extension(h, type, &ext);
		if (r != APP_DONE)
			return r;
	}
	return APP_DONE;
}

/* RFC 8446 4.1.2 ClientHello, after legacy_version and random. */
static enum app_res
client_hello(struct hello *h, struct cur *c)
{
	struct pk_tls *t = &h->pk->tls;
	size_t len;
	uint16_t v;

	len = cur_be16(c);
	if (!cur_ok(c) || len > cur_left(c) || len % 2 != 0)
		return bad(h->pk, "cipher_suites length", (unsigned)len);
	for (; len > 0; len -= 2) {
		v = cur_be16(c);
		if (t->nciphers < PKT_MAXLIST)
			t->ciphers[t->nciphers] = v;
		t->nciphers++;
		all_ciphers[h->all.nciphers++] = v;
	}
	len = cur_u8(c); /* legacy_compression_methods<1..2^8-1> */
	if (!cur_ok(c) || len == 0 || !cur_skip(c, len))
		return bad(h->pk, "compression_methods length", (unsigned)len);
	return extensions(h, c);
}

/* RFC 8446 4.1.3 ServerHello (and HelloRetryRequest), after random. */
static enum app_res
server_hello(struct hello *h, struct cur *c)
{
	struct pk_tls *t = &h->pk->tls;

	t->ciphers[0] = cur_be16(c);
	t->nciphers = 1;
	cur_u8(c); /* legacy_compression_method */
	if (!cur_ok(c))
		return bad(h->pk, "ServerHello cut short", 0);
	return extensions(h, c);
}

/*
 * A whole handshake message's body: a hello's fields into pk->tls, and
 * a ClientHello's JA4.
 */
static enum app_res
hello(struct pkt *pk, unsigned type, const uint8_t *body, size_t n, int quic)
{
	struct pk_tls *t = &pk->tls;
	struct hello h;
	struct cur c = cur_make(body, n);
	size_t sid;
	enum app_res r;

	t->hs_type = (uint8_t)type;
	if (type != HS_CLIENT && type != HS_SERVER)
		return APP_DONE;
	memset(&h, 0, sizeof(h));
	h.pk = pk;
	h.client = type == HS_CLIENT;
	t->hs_version = cur_be16(&c);
	cur_skip(&c, TLS_RANDOM);
	sid = cur_u8(&c); /* legacy_session_id<0..32> */
	if (!cur_ok(&c) || sid > 32 || !cur_skip(&c, sid))
		return bad(
		    pk, "hello cut short or session id length", (unsigned)sid);
	r = h.client ? client_hello(&h, &c) : server_hello(&h, &c);
	if (r == APP_DONE && h.client) {
		h.all.ciphers = all_ciphers;
		h.all.exts = all_exts;
		h.all.sigalgs = all_sigalgs;
		h.all.versions = all_versions;
		tls_ja4(t, quic, &h.all);
	}
	return r;
}

/*
 * Starts a parse: pk->tls cleared but for what the caller keeps there
 * (the reassembly's figures), the arena's mark kept to undo on failure.
 */
static size_t
start(struct pkt *pk, size_t *need)
{
	uint32_t len = pk->tls.reasm_len, pieces = pk->tls.reasm_pieces;

	memset(&pk->tls, 0, sizeof(pk->tls));
	pk->tls.reasm_len = len;
	pk->tls.reasm_pieces = pieces;
	*need = 0;
	return pk->arenalen;
}

static enum app_res
finish(struct pkt *pk, size_t mark, enum app_res r)
{
	uint32_t len = pk->tls.reasm_len, pieces = pk->tls.reasm_pieces;
	uint8_t has_rec = pk->tls.has_rec, rec_type = pk->tls.rec_type;
	uint16_t rec_version = pk->tls.rec_version;

	if (r == APP_DONE) {
		pk->have |= PK_TLS;
		pk->tls.got_hs = 1;
		return r;
	}
	/* nothing half-parsed is left for the packer to show */
	memset(&pk->tls, 0, sizeof(pk->tls));
	pk->tls.reasm_len = len;
	pk->tls.reasm_pieces = pieces;
	pk->tls.has_rec = has_rec;
	pk->tls.rec_type = rec_type;
	pk->tls.rec_version = rec_version;
	pk->arenalen = mark;
	return r;
}

enum app_res
tls_sniff(const uint8_t *p, size_t n)
{
	struct cur c = cur_make(p, n);
	int b;

	/* RFC 8446 5.1: ContentType handshake(22), ProtocolVersion 3.x
	 * (SSL 3.0 is 3.0, TLS 1.0 to 1.3 are 3.1 to 3.4), a length;
	 * RFC 8446 4: the message's HandshakeType */
	if ((b = cur_peek(&c, 0)) >= 0 && b != CT_HANDSHAKE)
		return APP_NOT;
	if ((b = cur_peek(&c, 1)) >= 0 && b != 3)
		return APP_NOT;
	if ((b = cur_peek(&c, 2)) >= 0 && b > 4)
		return APP_NOT;
	if ((b = cur_peek(&c, 5)) >= 0 && b != HS_CLIENT && b != HS_SERVER)
		return APP_NOT;
	return APP_MORE;
}

/*
 * A hello is read as soon as its last byte is here, though its record
 * may go on (a TLS 1.2 server's Certificate often shares it).  *need is
 * exact while the message ends in a record whose header is here; when
 * it goes on past, the next record's header is counted once: the least
 * the stream may need, asked again when it is there.
 */
enum app_res
tls_records(struct pkt *pk, const uint8_t *p, size_t n, size_t *need)
{
	struct cur c = cur_make(p, n), rec;
	size_t mark = start(pk, need), glen = 0, total = 0, take, left;
	const uint8_t *part;
	unsigned type, version, len, hstype = 0;
	int first = 1;

	for (;;) {
		if (cur_left(&c) < TLS_RECHDR) {
			/* the next record's header: known once the
			 * message's is, and at least 5 bytes on */
			if (total > 0)
				*need = (n - cur_left(&c)) + TLS_RECHDR +
				    (total - glen);
			return finish(pk, mark, APP_MORE);
		}
		type = cur_u8(&c);
		version = cur_be16(&c);
		len = cur_be16(&c);
		if (first) {
			pk->tls.has_rec = 1;
			pk->tls.rec_type = (uint8_t)type;
			pk->tls.rec_version = (uint16_t)version;
			first = 0;
		}
		/* RFC 8446 5.1: a handshake message's records come one
		 * after the other, with no other type between them */
		if (type != CT_HANDSHAKE)
			return finish(pk, mark,
			    bad(pk, "record type in a handshake", type));
		/* SSL 3.0 to TLS 1.3, as tls_sniff lets through */
		if (version >> 8 != 3 || (version & 0xff) > 4)
			return finish(
			    pk, mark, bad(pk, "record version", version));
		if (len > TLS_MAXREC)
			return finish(pk, mark,
			    bad(pk, "record length past 2^14+256", len));
		/* RFC 8446 5.1: no zero-length handshake fragments */
		if (len == 0)
			return finish(pk, mark, bad(pk, "empty record", 0));
		cur_take(&c, len, &rec); /* what there is of the record */
		left = cur_left(&rec);
		/* the message's bytes in this record: all until the message
		 * header says how many, then no more than it needs */
		take = left;
		if (total > 0 && take > total - glen)
			take = total - glen;
		if (take > sizeof(gather) - glen)
			take = sizeof(gather) - glen;
		part = cur_ptr(&rec, take);
		if (take > 0)
			memcpy(gather + glen, part, take);
		glen += take;
		if (total == 0 && glen >= TLS_HSHDR) {
			struct cur h = cur_make(gather, TLS_HSHDR);

			hstype = cur_u8(&h);
			total = TLS_HSHDR + ((size_t)cur_be16(&h) << 8);
			total += cur_u8(&h);
			/* other messages are told by their type alone */
			if (hstype != HS_CLIENT && hstype != HS_SERVER) {
				pk->tls.hs_type = (uint8_t)hstype;
				return finish(pk, mark, APP_DONE);
			}
			if (total > sizeof(gather)) {
				*need = REASM_MAXBYTES + 1;
				return finish(pk, mark, APP_MORE);
			}
			if (glen > total)
				glen = total;
		}
		if (total > 0 && glen >= total)
			return finish(pk, mark,
			    hello(pk, hstype, gather + TLS_HSHDR,
				total - TLS_HSHDR, 0));
		if (!cur_ok(&c)) {
			/* the record is cut: its end is known, and the
			 * message's if it ends inside it */
			size_t end = (n - cur_left(&c)) + (len - left);

			if (total > 0)
				*need = total - glen <= len - left
				    ? n + (total - glen)
				    : end + TLS_RECHDR +
					(total - glen - (len - left));
			return finish(pk, mark, APP_MORE);
		}
	}
}

enum app_res
tls_handshake(struct pkt *pk, const uint8_t *p, size_t n, size_t *need)
{
	struct cur c = cur_make(p, n);
	size_t mark = start(pk, need), len;
	unsigned type;
	const uint8_t *body;

	/* RFC 8446 4: HandshakeType msg_type; uint24 length */
	type = cur_u8(&c);
	len = (size_t)cur_be16(&c) << 8;
	len |= cur_u8(&c);
	if (!cur_ok(&c))
		return finish(pk, mark, APP_MORE);
	if (type != HS_CLIENT && type != HS_SERVER) {
		pk->tls.hs_type = (uint8_t)type;
		return finish(pk, mark, APP_DONE);
	}
	body = cur_ptr(&c, len);
	if (body == NULL) {
		*need = TLS_HSHDR + len;
		return finish(pk, mark, APP_MORE);
	}
	/* QUIC is the one user with no record layer (RFC 9001 4) */
	return finish(pk, mark, hello(pk, type, body, len, 1));
}

/*
 * JA4, FoxIO's TLS client fingerprint: the specification is
 * technical_details/JA4.md of github.com/FoxIO-LLC/ja4, and JA4 (the
 * TLS client method alone, not the rest of JA4+) is under the BSD
 * 3-Clause licence of that repository's LICENSE-JA4, Copyright (c)
 * FoxIO.  This is written from the specification's text:
 *
 *   a: 't' (TCP) or 'q' (QUIC); the version, the highest non-GREASE
 *      supported_versions value, else legacy_version, as "13" "12"
 *      "11" "10" "s3" "s2" "d1" "d2" "d3" or "00"; 'd' with a
 *      server_name extension, else 'i'; the numbers of cipher suites
 *      and of extensions, GREASE (RFC 8701) left out, each as two
 *      digits up to 99; the first and last characters of the first
 *      ALPN name when both are ASCII letters or digits, else the first
 *      and last digits of its hex form, "00" without one;
 *   b: the first 12 hex digits of the SHA-256 of the cipher suites as
 *      4 lower-case hex digits, GREASE out, sorted, joined by commas
 *      ("000000000000" when none);
 *   c: the same of the extension types, GREASE, server_name (0) and
 *      ALPN (16) out, sorted, then, when there are any, '_' and the
 *      signature_algorithms values in the order sent ("000000000000"
 *      when no extension is left).
 *
 * The specification says to ignore GREASE values wherever they are
 * seen, so none are hashed among the signature algorithms either.
 */
static uint16_t ja4_sorted[32767];
static EVP_MD_CTX *ja4_ctx; /* one digest at a time, kept */
/* SHA-256 fetched once: EVP_sha256() fetches it from the provider anew
 * on every EVP_DigestInit_ex, a third of JA4's cost */
static EVP_MD *ja4_md;

int
tls_setup(void)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen;

	/* OpenSSL 3 reads its configuration file and fetches the digest
	 * on first use: one SHA-256 now, before the sandbox; and its
	 * cleanup at exit takes locks (futex), which the sandbox refuses:
	 * none (the process's end frees it all) */
	if (OPENSSL_init_crypto(
		OPENSSL_INIT_NO_ATEXIT | OPENSSL_INIT_LOAD_CONFIG, NULL) != 1)
		return 0;
	if (ja4_ctx == NULL && (ja4_ctx = EVP_MD_CTX_new()) == NULL)
		return 0;
	if (ja4_md == NULL &&
	    (ja4_md = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL)
		return 0;
	return EVP_DigestInit_ex(ja4_ctx, ja4_md, NULL) == 1 &&
	    EVP_DigestFinal_ex(ja4_ctx, md, &mdlen) == 1;
}

/* SHA-256 of text written in pieces, through a small buffer. */
struct sha {
	EVP_MD_CTX *ctx;
	char buf[512];
	size_t n;
	int any;
};

static void
sha_flush(struct sha *s)
{
	EVP_DigestUpdate(s->ctx, s->buf, s->n);
	s->n = 0;
}

/* One value as 4 hex digits, after sep unless it is the first. */
static void
sha_u16(struct sha *s, unsigned v, char sep)
{
	static const char hex[] = "0123456789abcdef";

	if (sizeof(s->buf) - s->n < 5)
		sha_flush(s);
	if (s->any)
		s->buf[s->n++] = sep;
	s->any = 1;
	s->buf[s->n++] = hex[v >> 12 & 15];
	s->buf[s->n++] = hex[v >> 8 & 15];
	s->buf[s->n++] = hex[v >> 4 & 15];
	s->buf[s->n++] = hex[v & 15];
}

/* The first 12 hex digits of the digest, NUL-ended; 0 on failure. */
static int
sha_end(struct sha *s, char out[13])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0, i;

	sha_flush(s);
	if (EVP_DigestFinal_ex(s->ctx, md, &mdlen) != 1 || mdlen < 6)
		return 0;
	for (i = 0; i < 6; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[12] = '\0';
	return 1;
}

static int
cmp_u16(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

/* The list's values but GREASE and the two given, sorted; how many. */
static unsigned
sorted(const uint16_t *v, unsigned n, int drop_sni_alpn)
{
	unsigned i, k = 0;

	for (i = 0; i < n; i++) {
		if (is_grease(v[i]))
			continue;
		if (drop_sni_alpn && (v[i] == EXT_SNI || v[i] == EXT_ALPN))
			continue;
		ja4_sorted[k++] = v[i];
	}
	/* a hello's lists are some 20 long: insertion sort is a tenth of
	 * qsort's cost there; a crafted list of thousands goes to qsort */
	if (k <= 64) {
		unsigned j;
		uint16_t x;

		for (i = 1; i < k; i++) {
			x = ja4_sorted[i];
			for (j = i; j > 0 && ja4_sorted[j - 1] > x; j--)
				ja4_sorted[j] = ja4_sorted[j - 1];
			ja4_sorted[j] = x;
		}
	} else
		qsort(ja4_sorted, k, sizeof(ja4_sorted[0]), cmp_u16);
	return k;
}

/* Part b or c: "000000000000" for an empty list, else the hash. */
static int
ja4_hash(struct sha *s, unsigned nsorted, const uint16_t *tail, unsigned ntail,
    char out[13])
{
	unsigned i;
	char sep;

	if (nsorted == 0) {
		memcpy(out, "000000000000", 13);
		return 1;
	}
	s->n = 0;
	s->any = 0;
	if (EVP_DigestInit_ex(
		s->ctx, ja4_md != NULL ? ja4_md : EVP_sha256(), NULL) != 1)
		return 0;
	for (i = 0; i < nsorted; i++)
		sha_u16(s, ja4_sorted[i], ',');
	for (i = 0, sep = '_'; i < ntail; i++)
		if (!is_grease(tail[i])) {
			sha_u16(s, tail[i], sep);
			sep = ',';
		}
	return sha_end(s, out);
}

static const char *
ja4_version(unsigned v)
{
	switch (v) {
	case 0x0304: return "13";
	case 0x0303: return "12";
	case 0x0302: return "11";
	case 0x0301: return "10";
	case 0x0300: return "s3";
	case 0x0002: return "s2";
	case 0xfeff: return "d1";
	case 0xfefd: return "d2";
	case 0xfefc: return "d3";
	default: return "00";
	}
}

static int
alnum(unsigned b)
{
	return (b >= '0' && b <= '9') || (b >= 'A' && b <= 'Z') ||
	    (b >= 'a' && b <= 'z');
}

void
tls_ja4(struct pk_tls *t, int quic, const struct tls_all *all)
{
	static const char hex[] = "0123456789abcdef";
	struct sha s;
	char b[13], c[13], alpn[3] = "00";
	unsigned i, version = 0, nc = 0, ne = 0, first, last;
	int sni = 0;

	t->ja4[0] = '\0';
	if (ja4_ctx == NULL && (ja4_ctx = EVP_MD_CTX_new()) == NULL)
		return;
	for (i = 0; i < all->nversions; i++)
		if (!is_grease(all->versions[i]) && all->versions[i] > version)
			version = all->versions[i];
	if (version == 0)
		version = t->hs_version;
	for (i = 0; i < all->nciphers; i++)
		nc += !is_grease(all->ciphers[i]);
	for (i = 0; i < all->nexts; i++) {
		ne += !is_grease(all->exts[i]);
		sni |= all->exts[i] == EXT_SNI;
	}
	if (all->has_alpn && all->alpnlen > 0) {
		struct cur a = cur_make(all->alpn, all->alpnlen);

		first = cur_u8(&a);
		last = all->alpnlen > 1
		    ? (cur_skip(&a, all->alpnlen - 2), cur_u8(&a))
		    : first;
		if (alnum(first) && alnum(last)) {
			alpn[0] = (char)first;
			alpn[1] = (char)last;
		} else {
			alpn[0] = hex[first >> 4];
			alpn[1] = hex[last & 15];
		}
	}
	s.ctx = ja4_ctx;
	if (!ja4_hash(&s, sorted(all->ciphers, all->nciphers, 0), NULL, 0, b))
		return;
	if (!ja4_hash(&s, sorted(all->exts, all->nexts, 1), all->sigalgs,
		all->nsigalgs, c))
		return;
	snprintf(t->ja4, sizeof(t->ja4), "%c%s%c%02u%02u%s_%s_%s",
	    quic ? 'q' : 't', ja4_version(version), sni ? 'd' : 'i',
	    nc > 99 ? 99 : nc, ne > 99 ? 99 : ne, alpn, b, c);
}
