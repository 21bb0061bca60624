/*
 * The application layers of nm-decode: TLS handshakes (tls.c), QUIC long
 * headers and their Initial packets' ClientHello (quic.c), HTTP/1.x heads
 * (http.c), and the bounded reassembly that gathers the start of a TCP
 * stream or of a QUIC connection's CRYPTO stream before they are parsed
 * (reasm.c, tcpapp.c).
 *
 * A message may come in several pieces: a post-quantum ClientHello is
 * 1.8 KB and more, two TCP segments or two QUIC packets; a request's
 * head may be split anywhere.  The parsers take the bytes of the stream
 * from its start, as far as they are there, and say whether the message
 * is whole (APP_DONE, the pkt's fields set), needs more (APP_MORE, with
 * the length it needs when the bytes say it), or is not what it claimed
 * (APP_BAD, the err map set with layer "tls", "quic" or "http" and kind
 * invalid).  Truncation by the capture's snap length is not APP_BAD: the
 * reassembly reports it as truncated.
 */
#ifndef APP_H
#define APP_H

#include <stddef.h>
#include <stdint.h>

#include "pkt.h"

enum app_res { APP_DONE = 0, APP_MORE, APP_BAD, APP_NOT };

/*
 * Bounds (nm-decode(1), REASSEMBLY): a stream's start is gathered up to
 * REASM_MAXBYTES bytes (a TLS record's largest, 2^14, and its header;
 * an HTTP head of 16 KiB is more than servers accept: nginx's default
 * large_client_header_buffers is 8 KiB), for at most REASM_MAXSTREAMS
 * streams at once; a stream idle for REASM_MAXAGE of packet time is let
 * go.  A stream pushed out of the full table, or a message past the
 * byte bound, is counted (reasm_counts) and its packets say why.
 */
#define REASM_MAXBYTES	 (16384 + 5)
#define REASM_MAXSTREAMS 4096
#define REASM_MAXAGE	 (30 * 1000000000ULL)

/* tls.c */
/*
 * Makes libcrypto ready for JA4's SHA-256 before the sandbox (OpenSSL 3
 * reads its configuration file on first use); 0 on failure.
 */
int tls_setup(void);
/*
 * Sniffs a stream's first bytes: APP_MORE when they may begin a TLS
 * handshake record (content type 22, version 3.x), APP_NOT otherwise.
 */
enum app_res tls_sniff(const uint8_t *p, size_t n);
/*
 * Reads the TLS records at the start of a stream (p, n) and the
 * handshake message they carry (one may span records): a ClientHello or
 * ServerHello fills pk->tls (PK_TLS); other handshake types record
 * hs_type alone.  *need is set to the bytes the message needs in all when
 * it returns APP_MORE and the headers already say.
 */
enum app_res tls_records(
    struct pkt *pk, const uint8_t *p, size_t n, size_t *need);
/*
 * Reads one handshake message (its 4-byte header first) with no record
 * layer around it, as QUIC's CRYPTO frames carry it.
 */
enum app_res tls_handshake(
    struct pkt *pk, const uint8_t *p, size_t n, size_t *need);
/*
 * A ClientHello's lists as sent, whole (pk_tls keeps PKT_MAXLIST of
 * each), and its first ALPN name's bytes as sent: what JA4 reads.
 */
struct tls_all {
	const uint16_t *ciphers, *exts, *sigalgs, *versions;
	unsigned nciphers, nexts, nsigalgs, nversions;
	const uint8_t *alpn; /* the first ALPN name, when has_alpn */
	size_t alpnlen;
	int has_alpn;
};
/*
 * JA4 (FoxIO, BSD-3-Clause) of the ClientHello of legacy_version
 * t->hs_version and lists all, into t->ja4; quic says whether it came
 * over QUIC ('q').  tls_handshake and tls_records call it; it is here
 * for the tests.
 */
void tls_ja4(struct pk_tls *t, int quic, const struct tls_all *all);

/* http.c */
/* APP_MORE when the bytes may begin an HTTP/1.x request or response. */
enum app_res http_sniff(const uint8_t *p, size_t n);
/* Reads a request or response head (up to the empty line) into pk->http. */
enum app_res http_head(struct pkt *pk, const uint8_t *p, size_t n);

/* quic.c */
/*
 * Fetches libcrypto's AES-128-GCM and AES-128-ECB and HKDF before the
 * sandbox (OpenSSL 3 loads its providers on first use); 0 on failure.
 */
int quic_setup(void);
/*
 * Reads a UDP datagram's QUIC packets (c at the UDP payload): every
 * long header is recorded (PK_QUIC); a client Initial is decrypted with
 * the keys of its destination connection ID (RFC 9001 5.2), its CRYPTO
 * frames gathered (the ClientHello may span Initials) and, once whole,
 * parsed by tls_handshake.  DEC_UNKNOWN when the bytes are not QUIC.
 */
enum dec_status dec_quic(struct pkt *pk, struct cur *c);

/* tcpapp.c: a TCP segment's payload (c at it), after dec_tcp. */
enum dec_status dec_tcpapp(struct pkt *pk, struct cur *c);
/* TLS directions whose record layer was followed, pushed out of the
 * full table (a set of 4 of the 4096 entries), their records not shown */
uint64_t tcpapp_evicted(void);
/* A FIN ends its direction's record layer, a RST both (dec_tcp calls it
 * for a segment with no payload, dec_tcpapp after one's payload). */
void tcpapp_end(struct pkt *pk);

/* reasm.c: the bounded table of streams being gathered. */
struct reasm;
/* The stream of key, or NULL; ts is the packet's time, for ageing. */
struct reasm *reasm_find(const uint8_t *key, size_t keylen, uint64_t ts);
/* A new stream of key (keylen <= REASM_MAXKEY), or NULL if none can be
 * had; may push the least recently used out (counted). */
#define REASM_MAXKEY 64
struct reasm *reasm_new(const uint8_t *key, size_t keylen, uint64_t ts);
/*
 * Adds the bytes at offset off of the stream; what lies past
 * REASM_MAXBYTES is dropped and counted once per stream; returns the
 * length of the stream's contiguous start after it.
 */
size_t reasm_add(struct reasm *r, uint64_t off, const uint8_t *p, size_t n);
/* The stream's contiguous start, and how many pieces added to it. */
const uint8_t *reasm_data(const struct reasm *r, size_t *len, uint32_t *pieces);
/* Every stream's own use: a base the caller sets (a TCP sequence number). */
uint64_t *reasm_base(struct reasm *r);
void reasm_free(struct reasm *r);
/* Whether any stream is being gathered: a test with no hashing. */
int reasm_active(void);
/* streams pushed out of a full table, and messages past the byte bound */
void reasm_counts(uint64_t *evicted, uint64_t *overflowed);
/* Seeds the table's keyed hash (before the sandbox). */
void reasm_seed(void);

#endif
