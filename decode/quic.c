/*
 * QUIC (RFC 9000, its invariants RFC 8999, version 2 RFC 9369): the long
 * headers of a UDP datagram's packets, and what its Initial packets say.
 * Initials are encrypted, but with keys anyone can derive from the
 * destination connection ID the client chose for its first Initial (RFC
 * 9001 5.2): with them header protection is removed, the AEAD
 * (AES-128-GCM) opened and the frames read, and the start of the CRYPTO
 * stream gathered, over several Initials when it takes them, until the
 * TLS ClientHello or ServerHello in it is whole (tls_handshake).  Only
 * Initials: the Handshake, 0-RTT and 1-RTT keys come out of the TLS key
 * exchange, and no observer has them.
 *
 * A datagram is taken for QUIC when it is from or to UDP port 443 and
 * begins with a long header, or, on any other port, when its first
 * packet is an Initial whose AEAD tag checks (random bytes pass with a
 * chance of 2^-128).  Short headers carry no version and no length: they
 * cannot be told from other traffic without a connection's state, and
 * are left alone.  Packets coalesced in a datagram (RFC 9000 12.2) are
 * walked by their Length fields; the record's quic map is the first's.
 *
 * The server's Initials are protected with keys of the client's first
 * destination connection ID too, but carry the client's source
 * connection ID as theirs: a small table (conn_*) remembers, for each
 * Initial decrypted, which first connection ID the other side's
 * Initials go with.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "app.h"
#include "nm.h"
#include "pkt.h"
#include "quic.h"
#include "siphash.h"

#define QUIC_MAXCID   20 /* a v1 or v2 connection ID (RFC 9000 17.2) */
#define QUIC_KEYCACHE 64 /* derived keys kept (initial_keys) */
#define QUIC_CACHECID 20 /* the longest ID they are kept for */
#define QUIC_TAGLEN   16
#define QUIC_MAXDGRAM 65536
/*
 * CRYPTO frames of one packet gathered before reassembly: a ClientHello
 * comes in one or a few (Chrome scatters it over several, in random
 * order); more than this in one packet are read and not gathered.
 */
#define QUIC_MAXCF 64

/*
 * The table of connections (conn_*): 1024 buckets of 4, 400 KiB; an
 * entry older than CONN_MAXAGE of packet time no longer matches.  The
 * Initials of a handshake follow each other within a few round trips.
 */
#define CONN_BUCKETS 1024
#define CONN_WAYS    4
#define CONN_KEY     64 /* family, version, ports, addresses, a CID */
#define CONN_MAXAGE  (30 * 1000000000ULL)

static const struct qver {
	uint32_t version;
	uint8_t salt[20];
	const char *key, *iv, *hp; /* HKDF labels, "tls13 " before them */
} qvers[] = {
	{ QUIC_V1,
	    { 0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17, 0x9a,
		0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a },
	    "quic key", "quic iv", "quic hp" },
	{ QUIC_V2,
	    { 0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93, 0x81,
		0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9 },
	    "quicv2 key", "quicv2 iv", "quicv2 hp" },
};

/*
 * Draft 29's format (draft-ietf-quic-tls-29 5.2: its salt, version 1's
 * labels), tried on versions not in qvers (as_draft29).
 */
static const struct qver qdraft29 = { 0xff00001d,
	{ 0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97, 0x86,
	    0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99 },
	"quic key", "quic iv", "quic hp" };

/* Fetched by quic_setup(), before the sandbox, and kept. */
static EVP_MAC_CTX *mac; /* HMAC-SHA256: HKDF's extract and expand */
static EVP_CIPHER *gcm, *ecb;
static EVP_CIPHER_CTX *gctx, *ectx;

/* The decrypted payload: one at a time, read before the next. */
static uint8_t plain[QUIC_MAXDGRAM];

static const struct qver *
qver_find(uint32_t version)
{
	size_t i;

	for (i = 0; i < sizeof(qvers) / sizeof(qvers[0]); i++)
		if (qvers[i].version == version)
			return &qvers[i];
	return NULL;
}

/* v2 numbers the long packet types otherwise (RFC 9369 3.2): as v1's. */
static uint8_t
ptype_v1(uint32_t version, uint8_t first)
{
	unsigned t = first >> 4 & 3;

	return (uint8_t)(version == QUIC_V2 ? (t + 3) & 3 : t);
}

/* HMAC-SHA256 over a then b, with the key. */
static int
hmac(const uint8_t *key, size_t keylen, const uint8_t *a, size_t alen,
    const uint8_t *b, size_t blen, uint8_t out[32])
{
	size_t outl = 0;

	return EVP_MAC_init(mac, key, keylen, NULL) == 1 &&
	    EVP_MAC_update(mac, a, alen) == 1 &&
	    (blen == 0 || EVP_MAC_update(mac, b, blen) == 1) &&
	    EVP_MAC_final(mac, out, &outl, 32) == 1 && outl == 32;
}

/*
 * TLS 1.3's HKDF-Expand-Label (RFC 8446 7.1) with an empty context, for
 * len <= 32 bytes: HKDF-Expand's first block is all of it.
 */
static int
expand_label(
    const uint8_t secret[32], const char *label, uint8_t *out, size_t len)
{
	static const uint8_t one = 1;
	uint8_t info[3 + 6 + 32 + 1], t[32];
	size_t ll = strlen(label), n = 0;

	info[n++] = 0;
	info[n++] = (uint8_t)len;
	info[n++] = (uint8_t)(6 + ll);
	memcpy(info + n, "tls13 ", 6);
	memcpy(info + n + 6, label, ll);
	n += 6 + ll;
	info[n++] = 0;
	if (!hmac(secret, 32, info, n, &one, 1, t))
		return 0;
	memcpy(out, t, len);
	return 1;
}

static int
initial_keys(const struct qver *v, int server, const uint8_t *cid,
    size_t cidlen, struct quic_keys *k)
{
	/*
	 * The keys of the last connection IDs, by a plain hash of the ID: a
	 * client's Initials (two to four of them) and the server's all use
	 * the keys of one ID, and deriving them is five HMACs.  A collision
	 * only costs a derivation, so the hash need not be keyed.
	 */
	static struct {
		const struct qver *v;
		uint8_t used, server, cidlen, cid[QUIC_CACHECID];
		struct quic_keys k;
	} cache[QUIC_KEYCACHE];
	uint8_t prk[32], sec[32];
	unsigned h = (unsigned)cidlen * 31u + (unsigned)server, i;

	for (i = 0; i < cidlen; i++)
		h = h * 131u + cid[i];
	h %= QUIC_KEYCACHE;
	if (cache[h].used && cache[h].v == v && cache[h].server == server &&
	    cache[h].cidlen == cidlen &&
	    memcmp(cache[h].cid, cid, cidlen) == 0) {
		*k = cache[h].k;
		return 0;
	}
	if (v == NULL || mac == NULL ||
	    !hmac(v->salt, sizeof(v->salt), cid, cidlen, NULL, 0, prk) ||
	    !expand_label(prk, server ? "server in" : "client in", sec, 32) ||
	    !expand_label(sec, v->key, k->key, sizeof(k->key)) ||
	    !expand_label(sec, v->iv, k->iv, sizeof(k->iv)) ||
	    !expand_label(sec, v->hp, k->hp, sizeof(k->hp)))
		return -1;
	if (cidlen <= QUIC_CACHECID) {
		cache[h].used = 1;
		cache[h].v = v;
		cache[h].server = (uint8_t)server;
		cache[h].cidlen = (uint8_t)cidlen;
		memcpy(cache[h].cid, cid, cidlen);
		cache[h].k = *k;
	}
	return 0;
}

int
quic_initial_keys(uint32_t version, int server, const uint8_t *cid,
    size_t cidlen, struct quic_keys *k)
{
	return initial_keys(
	    version == qdraft29.version ? &qdraft29 : qver_find(version),
	    server, cid, cidlen, k);
}

/* The header protection mask: AES-128-ECB of the sample (RFC 9001 5.4.3). */
static int
hp_mask(const uint8_t hp[16], const uint8_t *sample, uint8_t mask[16])
{
	int l = 0;

	return EVP_EncryptInit_ex2(ectx, ecb, hp, NULL, NULL) == 1 &&
	    EVP_CIPHER_CTX_set_padding(ectx, 0) == 1 &&
	    EVP_EncryptUpdate(ectx, mask, &l, sample, 16) == 1 && l == 16;
}

/* The AEAD nonce: the IV with the packet number XORed in at its end. */
static void
make_nonce(const struct quic_keys *k, uint64_t pn, uint8_t nonce[12])
{
	int i;

	memcpy(nonce, k->iv, 12);
	for (i = 0; i < 8; i++)
		nonce[11 - i] ^= (uint8_t)(pn >> (8 * i));
}

int
quic_setup(void)
{
	static const uint8_t cid[8] = { 0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51,
		0x57, 0x08 };
	/* RFC 9001 A.1: the client key of cid, and A.2's sample and mask */
	static const uint8_t key[16] = { 0x1f, 0x36, 0x96, 0x13, 0xdd, 0x76,
		0xd5, 0x46, 0x77, 0x30, 0xef, 0xcb, 0xe3, 0xb1, 0xa2, 0x2d };
	static const uint8_t sample[16] = { 0xd1, 0xb1, 0xc9, 0x8d, 0xd7, 0x68,
		0x9f, 0xb8, 0xec, 0x11, 0xd2, 0x42, 0xb1, 0x23, 0xdc, 0x9b };
	static const uint8_t mask0[5] = { 0x43, 0x7b, 0x9a, 0xec, 0x36 };
	OSSL_PARAM par[2];
	EVP_MAC *hm;
	struct quic_keys k;
	uint8_t mask[16], out[16], nonce[12], tag[16] = { 0 };
	int l;

	(void)sip_run_key(); /* conn_*'s hash key: getrandom, now */
	/*
	 * Its configuration read now; and no cleanup at exit, which would
	 * run a pthread_once (a futex call) under the sandbox: the memory
	 * goes with the process.
	 */
	if (OPENSSL_init_crypto(
		OPENSSL_INIT_LOAD_CONFIG | OPENSSL_INIT_NO_ATEXIT, NULL) != 1)
		return 0;
	if ((hm = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL ||
	    (mac = EVP_MAC_CTX_new(hm)) == NULL)
		return 0;
	EVP_MAC_free(hm); /* the context holds it */
	par[0] = OSSL_PARAM_construct_utf8_string(
	    OSSL_MAC_PARAM_DIGEST, (char *)(uintptr_t) "SHA256", 0);
	par[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_CTX_set_params(mac, par) != 1 ||
	    (gcm = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL)) == NULL ||
	    (ecb = EVP_CIPHER_fetch(NULL, "AES-128-ECB", NULL)) == NULL ||
	    (gctx = EVP_CIPHER_CTX_new()) == NULL ||
	    (ectx = EVP_CIPHER_CTX_new()) == NULL)
		return 0;
	/* Every path once, so nothing is left to load under the sandbox,
	 * and a libcrypto that computes otherwise is found now. */
	if (quic_initial_keys(QUIC_V1, 0, cid, sizeof(cid), &k) != 0 ||
	    memcmp(k.key, key, sizeof(key)) != 0 ||
	    !hp_mask(k.hp, sample, mask) || memcmp(mask, mask0, 5) != 0)
		return 0;
	make_nonce(&k, 0, nonce);
	if (EVP_DecryptInit_ex2(gctx, gcm, k.key, nonce, NULL) != 1 ||
	    EVP_DecryptUpdate(gctx, NULL, &l, sample, 16) != 1 ||
	    EVP_DecryptUpdate(gctx, out, &l, sample, 16) != 1 ||
	    EVP_CIPHER_CTX_ctrl(gctx, EVP_CTRL_AEAD_SET_TAG, 16, tag) != 1)
		return 0;
	/* a tag of zeros: the check must refuse it */
	return EVP_DecryptFinal_ex(gctx, out, &l) != 1;
}

/* ---- Opening and sealing one Initial ---- */

/*
 * Removes header protection from the Initial at p (n bytes, its packet
 * number at pn_off) and opens its payload into plain: 1 when the tag
 * checks, with the unmasked first byte, the packet number and the
 * payload's length.
 */
static int
open_initial(const struct quic_keys *k, const uint8_t *p, size_t n,
    size_t pn_off, uint8_t *first, uint64_t *pn, size_t *plen)
{
	uint8_t mask[16], pnb[4], nonce[12], tag[QUIC_TAGLEN], b0;
	size_t pnlen, i, ctlen;
	int l = 0, l2 = 0;

	/* the sample is 16 bytes at pn_off + 4 (RFC 9001 5.4.2) */
	if (n < pn_off + 4 + 16 || n - pn_off > QUIC_MAXDGRAM ||
	    !hp_mask(k->hp, p + pn_off + 4, mask))
		return 0;
	b0 = p[0] ^ (mask[0] & 0x0f);
	pnlen = (b0 & 3) + 1u;
	*pn = 0;
	for (i = 0; i < pnlen; i++) {
		pnb[i] = p[pn_off + i] ^ mask[1 + i];
		*pn = *pn << 8 | pnb[i];
	}
	ctlen = n - pn_off - pnlen - QUIC_TAGLEN;
	memcpy(tag, p + n - QUIC_TAGLEN, QUIC_TAGLEN);
	make_nonce(k, *pn, nonce);
	/* the AAD is the header as sent, protection removed, in pieces */
	if (EVP_DecryptInit_ex2(gctx, gcm, k->key, nonce, NULL) != 1 ||
	    EVP_DecryptUpdate(gctx, NULL, &l, &b0, 1) != 1 ||
	    EVP_DecryptUpdate(gctx, NULL, &l, p + 1, (int)pn_off - 1) != 1 ||
	    EVP_DecryptUpdate(gctx, NULL, &l, pnb, (int)pnlen) != 1 ||
	    EVP_DecryptUpdate(
		gctx, plain, &l, p + pn_off + pnlen, (int)ctlen) != 1 ||
	    EVP_CIPHER_CTX_ctrl(
		gctx, EVP_CTRL_AEAD_SET_TAG, QUIC_TAGLEN, tag) != 1 ||
	    EVP_DecryptFinal_ex(gctx, plain + l, &l2) != 1)
		return 0;
	*first = b0;
	*plen = ctlen;
	return 1;
}

int
quic_seal(uint32_t version, int server, const uint8_t *cid, size_t cidlen,
    uint8_t *p, size_t pn_off, size_t n)
{
	struct quic_keys k;
	uint8_t mask[16], nonce[12];
	size_t pnlen = (p[0] & 3) + 1u, ptlen, i;
	uint64_t pn = 0;
	int l = 0;

	if (pn_off < 1 || n < pn_off + 4 + 16 || n > INT32_MAX ||
	    quic_initial_keys(version, server, cid, cidlen, &k) != 0)
		return -1;
	for (i = 0; i < pnlen; i++)
		pn = pn << 8 | p[pn_off + i];
	ptlen = n - pn_off - pnlen - QUIC_TAGLEN;
	make_nonce(&k, pn, nonce);
	if (EVP_EncryptInit_ex2(gctx, gcm, k.key, nonce, NULL) != 1 ||
	    EVP_EncryptUpdate(gctx, NULL, &l, p, (int)(pn_off + pnlen)) != 1 ||
	    EVP_EncryptUpdate(gctx, p + pn_off + pnlen, &l, p + pn_off + pnlen,
		(int)ptlen) != 1 ||
	    EVP_EncryptFinal_ex(gctx, p + n - QUIC_TAGLEN, &l) != 1 ||
	    EVP_CIPHER_CTX_ctrl(gctx, EVP_CTRL_AEAD_GET_TAG, QUIC_TAGLEN,
		p + n - QUIC_TAGLEN) != 1 ||
	    !hp_mask(k.hp, p + pn_off + 4, mask))
		return -1;
	p[0] ^= mask[0] & 0x0f;
	for (i = 0; i < pnlen; i++)
		p[pn_off + i] ^= mask[1 + i];
	return 0;
}

/* ---- The table of connections ---- */

struct conn {
	uint8_t key[CONN_KEY];
	uint8_t odcid[QUIC_MAXCID], odcidlen;
	uint8_t server; /* the Initials it matches are the server's */
	uint8_t used;
	uint64_t ts;
};

static struct conn *conns;

/*
 * The key of the Initials sent from the packet's source to its
 * destination with cid as their destination connection ID, or, with
 * back, those sent the other way.  Ports and addresses tell connections
 * of other hosts apart when a client chose an empty source ID (Chrome).
 */
static void
conn_key(const struct pkt *pk, uint32_t version, const uint8_t *cid,
    size_t cidlen, int back, uint8_t key[CONN_KEY])
{
	const uint8_t *src = NULL, *dst = NULL, *t;
	unsigned sport = pk->udp.sport, dport = pk->udp.dport, tp;
	size_t alen = 0;

	if (pk->have & PK_IPV6 && pk->ipv6.src && pk->ipv6.dst)
		src = pk->ipv6.src, dst = pk->ipv6.dst, alen = 16;
	else if (pk->have & PK_IP && pk->ip.src && pk->ip.dst)
		src = pk->ip.src, dst = pk->ip.dst, alen = 4;
	if (back) {
		t = src, src = dst, dst = t;
		tp = sport, sport = dport, dport = tp;
	}
	memset(key, 0, CONN_KEY);
	key[0] = (uint8_t)alen;
	key[1] = (uint8_t)(version >> 24);
	key[2] = (uint8_t)(version >> 16);
	key[3] = (uint8_t)(version >> 8);
	key[4] = (uint8_t)version;
	key[5] = (uint8_t)(sport >> 8);
	key[6] = (uint8_t)sport;
	key[7] = (uint8_t)(dport >> 8);
	key[8] = (uint8_t)dport;
	if (alen > 0) {
		memcpy(key + 9, src, alen);
		memcpy(key + 25, dst, alen);
	}
	key[41] = (uint8_t)cidlen;
	memcpy(key + 42, cid, cidlen); /* cidlen <= QUIC_MAXCID */
}

static struct conn *
conn_bucket(const uint8_t key[CONN_KEY])
{
	if (conns == NULL)
		conns =
		    ecalloc((size_t)CONN_BUCKETS * CONN_WAYS, sizeof(*conns));
	return conns +
	    (siphash24(sip_run_key(), key, CONN_KEY) & (CONN_BUCKETS - 1)) *
	    CONN_WAYS;
}

static int
conn_live(const struct conn *e, uint64_t ts)
{
	return e->used && (ts < e->ts || ts - e->ts <= CONN_MAXAGE);
}

static const struct conn *
conn_get(const uint8_t key[CONN_KEY], uint64_t ts)
{
	struct conn *b = conn_bucket(key);
	int i;

	for (i = 0; i < CONN_WAYS; i++)
		if (conn_live(&b[i], ts) &&
		    memcmp(b[i].key, key, CONN_KEY) == 0)
			return &b[i];
	return NULL;
}

/* The same key again, else a free entry, else the bucket's oldest. */
static void
conn_put(const uint8_t key[CONN_KEY], const uint8_t *odcid, size_t odcidlen,
    int server, uint64_t ts)
{
	struct conn *b = conn_bucket(key), *e = NULL;
	int i;

	for (i = 0; i < CONN_WAYS && e == NULL; i++)
		if (conn_live(&b[i], ts) &&
		    memcmp(b[i].key, key, CONN_KEY) == 0)
			e = &b[i];
	for (i = 0; i < CONN_WAYS && e == NULL; i++)
		if (!conn_live(&b[i], ts))
			e = &b[i];
	if (e == NULL)
		for (e = b, i = 1; i < CONN_WAYS; i++)
			if (b[i].ts < e->ts)
				e = &b[i];
	memcpy(e->key, key, CONN_KEY);
	memcpy(e->odcid, odcid, odcidlen);
	e->odcidlen = (uint8_t)odcidlen;
	e->server = (uint8_t)server;
	e->used = 1;
	e->ts = ts;
}

/* ---- Frames and the CRYPTO stream ---- */

/* A variable-length integer (RFC 9000 16): 1, 2, 4 or 8 bytes. */
static uint64_t
varint(struct cur *c)
{
	int b = cur_peek(c, 0);
	size_t len, i;
	uint64_t v;

	if (b < 0) {
		(void)cur_need(c, 1);
		return 0;
	}
	len = (size_t)1 << (b >> 6);
	if (!cur_need(c, len))
		return 0;
	v = cur_u8(c) & 0x3f;
	for (i = 1; i < len; i++)
		v = v << 8 | cur_u8(c);
	return v;
}

struct cframe {
	uint64_t off;
	const uint8_t *p;
	size_t n;
};

/* The stream's key in reasm: side, version and the first DCID. */
static size_t
stream_key(int server, uint32_t version, const uint8_t *odcid, size_t odcidlen,
    uint8_t *key)
{
	key[0] = server ? 's' : 'c';
	key[1] = 'q';
	key[2] = (uint8_t)(version >> 24);
	key[3] = (uint8_t)(version >> 16);
	key[4] = (uint8_t)(version >> 8);
	key[5] = (uint8_t)version;
	key[6] = (uint8_t)odcidlen;
	memcpy(key + 7, odcid, odcidlen);
	return 7 + odcidlen;
}

/* The bytes of this packet's pieces within the stream's first len. */
static size_t
own_bytes(const struct cframe *cf, unsigned ncf, size_t len)
{
	size_t n = 0;
	unsigned i;

	for (i = 0; i < ncf; i++)
		if (cf[i].off < len)
			n += cf[i].n < len - cf[i].off ? cf[i].n
						       : len - cf[i].off;
	return n > len ? len : n;
}

/*
 * The stream's start from this packet's pieces alone, as long as they
 * join up from offset 0: the common case, a ClientHello in one packet,
 * needs no table.  The pieces are sorted by offset in place.
 */
static const uint8_t *
local_start(struct cframe *cf, unsigned ncf, size_t *len)
{
	static uint8_t lin[REASM_MAXBYTES];
	struct cframe t;
	size_t end = 0, e;
	unsigned i, j;

	for (i = 1; i < ncf; i++)
		for (j = i; j > 0 && cf[j - 1].off > cf[j].off; j--)
			t = cf[j], cf[j] = cf[j - 1], cf[j - 1] = t;
	*len = 0;
	if (ncf == 0 || cf[0].off != 0)
		return NULL;
	if (ncf == 1 || cf[1].off > cf[0].n) {
		*len = cf[0].n;
		return cf[0].p;
	}
	for (i = 0; i < ncf && cf[i].off <= end && end < sizeof(lin); i++) {
		e = cf[i].off + cf[i].n;
		if (e > sizeof(lin))
			e = sizeof(lin);
		if (e > end) {
			memcpy(lin + end, cf[i].p + (end - cf[i].off), e - end);
			end = e;
		}
	}
	*len = end;
	return lin;
}

/*
 * Parses the start of a CRYPTO stream as a TLS handshake message;
 * APP_MORE while it is not whole.
 */
static enum app_res
hello(struct pkt *pk, const uint8_t *p, size_t n)
{
	size_t need = 0;
	enum app_res r;

	if (n == 0)
		return APP_MORE;
	memset(&pk->tls, 0, sizeof(pk->tls));
	r = tls_handshake(pk, p, n, &need);
	if (r == APP_MORE || r == APP_NOT)
		pk->have &= ~(unsigned)PK_TLS;
	return r;
}

/*
 * Gathers a packet's CRYPTO pieces into the side's stream and parses
 * its start once whole: straight from the packet when the packet has it
 * all, else through the reassembly table (reasm.c), whose stream goes
 * once the message is read.
 */
static void
crypto_stream(struct pkt *pk, int server, uint32_t version,
    const uint8_t *odcid, size_t odcidlen, struct cframe *cf, unsigned ncf)
{
	uint8_t key[REASM_MAXKEY];
	const uint8_t *d;
	struct reasm *r;
	size_t keylen, len, tried = 0;
	uint32_t pieces;
	enum app_res res;
	unsigned i;

	if (ncf == 0)
		return;
	keylen = stream_key(server, version, odcid, odcidlen, key);
	if ((r = reasm_find(key, keylen, pk->ts)) == NULL) {
		d = local_start(cf, ncf, &tried);
		res = d != NULL ? hello(pk, d, tried) : APP_MORE;
		if (res != APP_MORE)
			return;
		if ((r = reasm_new(key, keylen, pk->ts)) == NULL)
			return;
		*reasm_base(r) = 0; /* packets added */
	}
	for (i = 0; i < ncf; i++)
		(void)reasm_add(r, cf[i].off, cf[i].p, cf[i].n);
	++*reasm_base(r);
	d = reasm_data(r, &len, &pieces);
	/* what the packet alone had was read above: no more to see yet */
	if (len <= tried || (res = hello(pk, d, len)) == APP_MORE)
		return;
	if (res == APP_DONE && *reasm_base(r) > 1) {
		pk->tls.reasm_len = (uint32_t)(len - own_bytes(cf, ncf, len));
		pk->tls.reasm_pieces = (uint32_t)*reasm_base(r);
	}
	reasm_free(r);
}

/* ACK's ranges and ECN counts (RFC 9000 19.3), after its type. */
static void
skip_ack(struct cur *c, uint64_t type)
{
	uint64_t n, i;

	(void)varint(c); /* largest acknowledged */
	(void)varint(c); /* delay */
	n = varint(c);	 /* range count */
	(void)varint(c); /* first range */
	/* each range is two varints: the cursor ends a count too large */
	for (i = 0; i < n && cur_ok(c); i++) {
		(void)varint(c); /* gap */
		(void)varint(c); /* range length */
	}
	if (type == 0x03)
		for (i = 0; i < 3; i++)
			(void)varint(c); /* ECT0, ECT1, ECN-CE */
}

enum dec_status
quic_payload(struct pkt *pk, uint32_t version, int server, const uint8_t *odcid,
    size_t odcidlen, const uint8_t *p, size_t n)
{
	struct cframe cf[QUIC_MAXCF];
	struct cur c = cur_make(p, n);
	uint64_t type, off, len;
	unsigned ncf = 0;
	const uint8_t *d;

	if (n == 0) /* RFC 9000 12.4 */
		return dec_fail(
		    pk, "quic", DEC_INVALID, "Initial without frames");
	while (cur_left(&c) > 0) {
		type = varint(&c);
		switch (type) {
		case 0x00: /* PADDING, runs of them */
			while (cur_peek(&c, 0) == 0)
				(void)cur_u8(&c);
			break;
		case 0x01: break; /* PING */
		case 0x02:
		case 0x03: skip_ack(&c, type); break;
		case 0x06: /* CRYPTO */
			off = varint(&c);
			len = varint(&c);
			if (cur_ok(&c) && len > cur_left(&c))
				return dec_fail(pk, "quic", DEC_INVALID,
				    "CRYPTO of %llu bytes, %zu left",
				    (unsigned long long)len, cur_left(&c));
			if (off + len > (1ULL << 62) - 1) /* RFC 9000 19.6 */
				return dec_fail(pk, "quic", DEC_INVALID,
				    "CRYPTO past offset 2^62-1");
			d = cur_ptr(&c, (size_t)len);
			if (d != NULL && len > 0 && ncf < QUIC_MAXCF) {
				cf[ncf].off = off;
				cf[ncf].p = d;
				cf[ncf++].n = (size_t)len;
			}
			break;
		case 0x1c: /* CONNECTION_CLOSE of the transport */
			(void)varint(&c); /* error code */
			(void)varint(&c); /* frame type */
			len = varint(&c);
			if (cur_ok(&c) && len > cur_left(&c))
				return dec_fail(pk, "quic", DEC_INVALID,
				    "CONNECTION_CLOSE reason of %llu bytes, "
				    "%zu left",
				    (unsigned long long)len, cur_left(&c));
			(void)cur_skip(&c, (size_t)len);
			break;
		default:
			if (!cur_ok(&c))
				break;
			/* RFC 9000 12.4: a PROTOCOL_VIOLATION */
			return dec_fail(pk, "quic", DEC_INVALID,
			    "frame type 0x%llx in an Initial",
			    (unsigned long long)type);
		}
		if (!cur_ok(&c))
			return dec_fail(pk, "quic", DEC_INVALID,
			    "frame type 0x%llx cut at the payload's end",
			    (unsigned long long)type);
	}
	crypto_stream(pk, server, version, odcid, odcidlen, cf, ncf);
	return DEC_UNKNOWN;
}

/* ---- Long headers and the datagram ---- */

/*
 * Versions that are QUIC's though nm has no keys for them: the IETF
 * drafts (0xff0000xx) and those reserved to exercise negotiation
 * (0x?a?a?a?a, RFC 9000 15).
 */
static int
quic_family(uint32_t v)
{
	return (v >> 8) == 0xff0000 || (v & 0x0f0f0f0f) == 0x0a0a0a0a;
}

/* One long header packet, as read. */
struct qpkt {
	const uint8_t *p; /* its first byte */
	size_t pn_off;	  /* v1, v2: where the packet number starts */
	size_t len;	  /* its bytes in the datagram */
	uint32_t version;
	const struct qver *v; /* the format it is read in, or NULL */
	uint8_t first, type, dcidlen, scidlen, known;
	const uint8_t *dcid, *scid;
	uint64_t token_len, length;
	size_t got; /* header bytes read */
};

/*
 * Reads the long header at c (sent: the datagram's bytes from there as
 * sent; c may hold fewer, cut by the capture) into q and steps c over
 * the packet, in the format of version as, else of its own version.
 * For a version this file does not know, or a version negotiation, the
 * invariant fields alone, and the packet is the rest of the datagram.
 * DEC_TRUNC or DEC_INVALID with why said when it cannot be read; q keeps
 * what was.
 */
static enum dec_status
long_header(struct cur *c, size_t sent, const struct qver *as, struct qpkt *q,
    char *why, size_t wn)
{
	size_t have = cur_left(c), left;
	struct cur h = *c;

	memset(q, 0, sizeof(*q));
	q->p = h.p;
	q->first = cur_u8(&h);
	q->version = cur_be32(&h);
	q->dcidlen = cur_u8(&h);
	q->dcid = cur_ptr(&h, q->dcidlen);
	q->scidlen = cur_u8(&h);
	q->scid = cur_ptr(&h, q->scidlen);
	q->v = as != NULL ? as : qver_find(q->version);
	q->known = q->v != NULL && q->version != 0;
	q->type = q->known ? ptype_v1(q->v->version, q->first)
			   : (uint8_t)(q->first >> 4 & 3);
	if (cur_ok(&h) && q->known &&
	    (q->dcidlen > QUIC_MAXCID || q->scidlen > QUIC_MAXCID)) {
		snprintf(why, wn, "connection ID of %u bytes, over %d",
		    (unsigned)(q->dcidlen > QUIC_MAXCID ? q->dcidlen
							: q->scidlen),
		    QUIC_MAXCID);
		return DEC_INVALID;
	}
	if (cur_ok(&h) && q->known && q->type == 0) {
		q->token_len = varint(&h);
		(void)cur_skip(
		    &h, q->token_len > have ? have + 1 : (size_t)q->token_len);
	}
	if (cur_ok(&h) && q->known && q->type != 3)
		q->length = varint(&h);
	q->got = (size_t)(h.p - q->p);
	if (!cur_ok(&h)) {
		q->got = have;
		snprintf(why, wn, "long header cut at %zu bytes", have);
		return have < sent ? DEC_TRUNC : DEC_INVALID;
	}
	q->pn_off = q->got;
	left = sent - q->pn_off;
	if (!q->known || q->version == 0 || q->type == 3)
		q->len = sent; /* the rest: nothing after it can be found */
	else if (q->length > left) {
		snprintf(why, wn, "Length %llu beyond the datagram's %zu bytes",
		    (unsigned long long)q->length, left);
		return DEC_INVALID;
	} else
		q->len = q->pn_off + (size_t)q->length;
	if (q->len > have) {
		snprintf(why, wn, "packet needs %zu bytes, %zu captured",
		    q->len, have);
		(void)cur_skip(c, have);
		return DEC_TRUNC;
	}
	(void)cur_skip(c, q->len);
	return DEC_OK;
}

/* What opening an Initial found. */
struct opened {
	uint8_t first;
	uint64_t pn;
	size_t plen;
	int server;
	const uint8_t *odcid;
	size_t odcidlen;
};

/*
 * Opens the Initial q: with the keys the table gives for its addresses
 * and DCID (a server's Initial, or a client's after the server chose its
 * ID), else as a client's first with its own DCID.  Once open, the table
 * learns which first DCID the other side's Initials go with.
 */
static int
initial(struct pkt *pk, const struct qpkt *q, struct opened *o)
{
	static uint8_t odcid[QUIC_MAXCID];
	uint8_t key[CONN_KEY];
	const struct conn *e;
	const uint8_t *id;
	struct quic_keys k;
	size_t idlen;
	int server, tries;

	if (!q->known || q->type != 0 || q->dcid == NULL)
		return 0;
	conn_key(pk, q->version, q->dcid, q->dcidlen, 0, key);
	e = conn_get(key, pk->ts);
	for (tries = e != NULL ? 0 : 1; tries < 2; tries++) {
		if (tries == 0) {
			memcpy(odcid, e->odcid, e->odcidlen);
			id = odcid, idlen = e->odcidlen, server = e->server;
		} else
			id = q->dcid, idlen = q->dcidlen, server = 0;
		if (initial_keys(q->v, server, id, idlen, &k) == 0 &&
		    open_initial(&k, q->p, q->len, q->pn_off, &o->first, &o->pn,
			&o->plen))
			break;
	}
	if (tries == 2)
		return 0;
	o->server = server;
	o->odcid = id;
	o->odcidlen = idlen;
	if (q->scid != NULL) {
		conn_key(pk, q->version, q->scid, q->scidlen, 1, key);
		conn_put(key, id, idlen, !server, pk->ts);
	}
	return 1;
}

/* Reads an opened Initial's frames; the reserved bits must be 0. */
static void
initial_frames(struct pkt *pk, const struct qpkt *q, const struct opened *o)
{
	if (o->first & 0x0c) /* RFC 9000 17.2 */
		(void)dec_fail(pk, "quic", DEC_INVALID,
		    "reserved bits 0x%x set", o->first & 0x0c);
	else
		(void)quic_payload(pk, q->version, o->server, o->odcid,
		    o->odcidlen, plain, o->plen);
}

static void
record(struct pkt *pk, const struct qpkt *q, const struct opened *o)
{
	struct pk_quic *r = &pk->quic;

	pk->have |= PK_QUIC;
	pk->proto = "QUIC";
	r->got = q->got > 255 ? 255 : (uint8_t)q->got;
	r->first = o != NULL ? o->first : q->first;
	r->ptype = q->type;
	r->version = q->version;
	/* an empty ID is no field, as tshark shows it */
	r->dcid = q->dcidlen > 0 ? q->dcid : NULL;
	r->scid = q->scidlen > 0 ? q->scid : NULL;
	r->dcidlen = r->dcid != NULL ? q->dcidlen : 0;
	r->scidlen = r->scid != NULL ? q->scidlen : 0;
	r->token_len = q->token_len;
	r->length = q->length;
	r->decrypted = o != NULL;
	r->pn = o != NULL ? o->pn : 0;
}

/*
 * Whether the packet at c has the first one's DCID: a packet with
 * another (RFC 9000 12.2 says to ignore it), or bytes that are no
 * packet (zeros after the last), end the datagram's walk, as tshark
 * ends it.  A short header's DCID has no length: the first's is used.
 */
static int
same_dcid(const struct cur *c, const uint8_t *id, size_t len)
{
	const uint8_t *p = cur_view(c, 6 + len);
	size_t i, n = cur_left(c);

	if (p == NULL)
		return 0;
	if (!(p[0] & 0x80)) {
		/* zeros to the end, after an empty DCID: padding */
		for (i = 0; i < n && p[i] == 0; i++)
			continue;
		return i < n && (len == 0 || memcmp(p + 1, id, len) == 0);
	}
	return p[5] == len && (len == 0 || memcmp(p + 6, id, len) == 0);
}

/*
 * A version this file does not know may still be sent in draft 29's
 * format: ngtcp2 sends a reserved version so (to be answered by a version
 * negotiation), and tshark reads one so.  When the packet at c opens as
 * a draft 29 Initial, it is read as one (q, o, c stepped over it).
 */
static int
as_draft29(struct pkt *pk, struct cur *c, size_t sent, struct qpkt *q,
    struct opened *o)
{
	struct cur t = *c;
	struct qpkt d;
	char why[80];

	if (long_header(&t, sent, &qdraft29, &d, why, sizeof(why)) != DEC_OK ||
	    !initial(pk, &d, o))
		return 0;
	*q = d;
	*c = t;
	return 1;
}

enum dec_status
dec_quic(struct pkt *pk, struct cur *c)
{
	int web = pk->udp.sport == 443 || pk->udp.dport == 443;
	size_t sent = pk->l4known ? pk->l4len : cur_left(c);
	const struct qver *as = NULL;
	enum dec_status st;
	struct opened o;
	struct qpkt q;
	struct cur d29;
	char why[80];
	int b, dec;

	memset(&pk->quic, 0, sizeof(pk->quic));
	if ((b = cur_peek(c, 0)) < 0 || !(b & 0x80) || sent < cur_left(c))
		return DEC_UNKNOWN;
	d29 = *c;
	st = long_header(c, sent, NULL, &q, why, sizeof(why));
	dec = st == DEC_OK && initial(pk, &q, &o);
	if (st == DEC_OK && !q.known && q.version != 0 &&
	    as_draft29(pk, &d29, sent, &q, &o)) {
		dec = 1;
		as = &qdraft29;
		*c = d29;
	}
	if (!web && !dec)
		return DEC_UNKNOWN;
	/* a long header of a version of no QUIC's family, that no known
	 * version's keys open, is taken for no QUIC, as tshark takes it:
	 * random UDP to port 443 has that high bit half the time (only the
	 * invariant fields of RFC 8999 could be read, and they are no
	 * proof); version negotiation (version 0) is QUIC's own */
	if (!q.known && q.version != 0 && !dec && !quic_family(q.version))
		return DEC_UNKNOWN;
	record(pk, &q, dec ? &o : NULL);
	pk->quic.npackets = 1;
	if (st != DEC_OK)
		return dec_fail(pk, "quic", st, "%s", why);
	if (dec)
		initial_frames(pk, &q, &o);
	/* the coalesced packets after it; a short header ends the walk */
	while (cur_left(c) > 0 && q.known && q.version != 0) {
		sent -= q.len;
		if (!same_dcid(c, pk->quic.dcid, pk->quic.dcidlen))
			break;
		if (!(cur_peek(c, 0) & 0x80)) {
			pk->quic.npackets++;
			break;
		}
		st = long_header(c, sent, as, &q, why, sizeof(why));
		pk->quic.npackets++;
		if (st != DEC_OK)
			return dec_fail(pk, "quic", st, "%s", why);
		if (initial(pk, &q, &o))
			initial_frames(pk, &q, &o);
	}
	return DEC_UNKNOWN;
}
