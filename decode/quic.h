/*
 * The inside of quic.c that its unit tests and its fuzz target reach
 * past dec_quic(): the parser of a decrypted Initial's frames (random
 * bytes never pass the AEAD tag, so the fuzz target feeds it directly)
 * and the sealing of an Initial, the inverse of what dec_quic() opens,
 * with which the tests make packets of their own.
 */
#ifndef QUIC_H
#define QUIC_H

#include <stddef.h>
#include <stdint.h>

#include "pkt.h"

#define QUIC_V1 0x00000001u /* RFC 9000 */
#define QUIC_V2 0x6b3343cfu /* RFC 9369 */
/* draft 29: its keys are tried on versions nm does not know */
#define QUIC_DRAFT29 0xff00001du

/*
 * The frames of a decrypted Initial payload (p, n) of the given version,
 * sent by the server or the client of the connection whose client chose
 * odcid as its first destination connection ID: its CRYPTO data is
 * gathered with that connection's and parsed by tls_handshake once whole.
 * DEC_INVALID (err set) for a frame that is malformed or not allowed in
 * an Initial; DEC_UNKNOWN otherwise.
 */
enum dec_status quic_payload(struct pkt *pk, uint32_t version, int server,
    const uint8_t *odcid, size_t odcidlen, const uint8_t *p, size_t n);

/*
 * Protects the Initial packet at p in place, n bytes in all: a long
 * header whose packet number (of (p[0] & 3) + 1 bytes) starts at pn_off,
 * the plaintext payload after it, and 16 bytes left for the AEAD tag at
 * the end.  The keys are version's, of the server's or the client's side,
 * derived from cid (QUIC_DRAFT29: draft 29's, whatever the header's
 * version).  0 on success, -1 when the version is not known or the
 * packet too short to be sampled.
 */
int quic_seal(uint32_t version, int server, const uint8_t *cid, size_t cidlen,
    uint8_t *p, size_t pn_off, size_t n);

/* The Initial keys of one side: the RFC 9001 Appendix A check. */
struct quic_keys {
	uint8_t key[16], iv[12], hp[16];
};
int quic_initial_keys(uint32_t version, int server, const uint8_t *cid,
    size_t cidlen, struct quic_keys *k);

#endif
