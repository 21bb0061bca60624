/*
 * SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF",
 * 2012): a keyed hash of short inputs that someone who does not know the
 * key cannot make collide on purpose, unlike a plain multiply-and-mix
 * hash, whose collisions can be built without knowing its seed.  The
 * tables of nm-stats key it with sip_run_key(), random once per run, so
 * traffic on the wire cannot be shaped to pile up in one probe run.
 */
#ifndef NM_SIPHASH_H
#define NM_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

struct sip_key {
	uint64_t k0, k1; /* the key's two halves, read little-endian */
};

/* The key from its 16 bytes, as the paper orders them. */
void sip_key_bytes(struct sip_key *, const uint8_t bytes[16]);
uint64_t siphash24(const struct sip_key *, const void *msg, size_t len);
/*
 * This run's key: from getrandom() at the first call, the same for every
 * later one.  Call it before the sandbox is in place (getrandom is not
 * allowed after).
 */
const struct sip_key *sip_run_key(void);

#endif
