/*
 * SipHash-2-4, written from the paper's description: the 128-bit key and
 * four constants make the 256-bit state; each 8-byte word of the message
 * (little-endian, the last one padded with zeros and topped with the
 * length mod 256) is xored into v3, mixed by two SipRounds and xored into
 * v0; then 0xff goes into v2, four more rounds, and the four words xored
 * together are the hash.  tests/unit/share_siphash.c checks it against
 * the paper's vector and against an independent implementation.
 */
#include <endian.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "siphash.h"

/* getrandom() that never blocks: Linux 5.6 and later. */
#ifndef GRND_INSECURE
#define GRND_INSECURE 0x0004
#endif

static uint64_t
rotl(uint64_t x, int b)
{
	return x << b | x >> (64 - b);
}

/* One load where the host is little-endian, as almost every one is. */
static uint64_t
le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return le64toh(v);
}

void
sip_key_bytes(struct sip_key *k, const uint8_t bytes[16])
{
	k->k0 = le64(bytes);
	k->k1 = le64(bytes + 8);
}

#define SIPROUND                                                               \
	do {                                                                   \
		v0 += v1;                                                      \
		v1 = rotl(v1, 13);                                             \
		v1 ^= v0;                                                      \
		v0 = rotl(v0, 32);                                             \
		v2 += v3;                                                      \
		v3 = rotl(v3, 16);                                             \
		v3 ^= v2;                                                      \
		v0 += v3;                                                      \
		v3 = rotl(v3, 21);                                             \
		v3 ^= v0;                                                      \
		v2 += v1;                                                      \
		v1 = rotl(v1, 17);                                             \
		v1 ^= v2;                                                      \
		v2 = rotl(v2, 32);                                             \
	} while (0)

uint64_t
siphash24(const struct sip_key *k, const void *msg, size_t len)
{
	const uint8_t *p = msg, *end = p + (len & ~(size_t)7);
	uint64_t v0 = k->k0 ^ 0x736f6d6570736575ULL;
	uint64_t v1 = k->k1 ^ 0x646f72616e646f6dULL;
	uint64_t v2 = k->k0 ^ 0x6c7967656e657261ULL;
	uint64_t v3 = k->k1 ^ 0x7465646279746573ULL;
	uint64_t m;
	size_t i;

	for (; p < end; p += 8) {
		m = le64(p);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	/* the last word: what is left, and the length in its top byte */
	m = (uint64_t)(len & 0xff) << 56;
	for (i = 0; i < (len & 7); i++)
		m |= (uint64_t)p[i] << (8 * i);
	v3 ^= m;
	SIPROUND;
	SIPROUND;
	v0 ^= m;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

/*
 * getrandom() without blocking; early in boot, before the kernel's pool
 * is ready, its insecure form (still unpredictable from the wire); on a
 * kernel without either, the clocks, the process id and where the stack
 * and this code sit (address layout is randomised), hashed: far weaker,
 * but no fixed key that every run would share.
 */
static void
fill_key(struct sip_key *k)
{
	static const uint8_t zero[16];
	struct sip_key mix;
	struct timespec ts[2];
	uint64_t w[6];

	if (getrandom(k, sizeof(*k), GRND_NONBLOCK) == (ssize_t)sizeof(*k))
		return;
	if (getrandom(k, sizeof(*k), GRND_INSECURE) == (ssize_t)sizeof(*k))
		return;
	clock_gettime(CLOCK_REALTIME, &ts[0]);
	clock_gettime(CLOCK_MONOTONIC, &ts[1]);
	w[0] = (uint64_t)ts[0].tv_sec << 32 ^ (uint64_t)ts[0].tv_nsec;
	w[1] = (uint64_t)ts[1].tv_sec << 32 ^ (uint64_t)ts[1].tv_nsec;
	w[2] = (uint64_t)getpid();
	w[3] = (uint64_t)(uintptr_t)&mix;
	w[4] = (uint64_t)(uintptr_t)&fill_key;
	w[5] = (uint64_t)(uintptr_t)zero;
	sip_key_bytes(&mix, zero);
	k->k0 = siphash24(&mix, w, sizeof(w));
	w[0] ^= k->k0;
	k->k1 = siphash24(&mix, w, sizeof(w));
}

const struct sip_key *
sip_run_key(void)
{
	static struct sip_key key;
	static int ready;

	if (!ready) {
		fill_key(&key);
		ready = 1;
	}
	return &key;
}
