/*
 * Community ID v1 (communityid.h).  The hashed bytes, from the spec:
 * the seed (2 bytes), the two addresses, the protocol, one byte of
 * padding, and the two ports, all in network byte order, the endpoints
 * put in order first so that the smaller address (or, between equal
 * addresses, the smaller port) comes first.  ICMP has no ports: the
 * type stands for the source port and, where a message has a
 * counterpart (an echo and its reply), the counterpart's type for the
 * destination's, so both directions hash alike; a message of no
 * counterpart is one way, with its code as the destination port, and
 * keeps its direction.  The counterparts are Zeek's (ICMP.cc), which the
 * spec takes.
 */
#include <string.h>

#include <nettle/base64.h>
#include <nettle/sha1.h>

#include "communityid.h"

#define PROTO_ICMP   1
#define PROTO_ICMPV6 58

/* The type of the counterpart of ICMP(v6) message type t, or -1. */
static int
icmp_counterpart(uint8_t proto, uint8_t t)
{
	static const uint8_t v4[][2] = { { 8, 0 }, { 0, 8 }, { 13, 14 },
		{ 14, 13 }, { 15, 16 }, { 16, 15 }, { 10, 9 }, { 9, 10 },
		{ 17, 18 }, { 18, 17 } };
	static const uint8_t v6[][2] = { { 128, 129 }, { 129, 128 },
		{ 130, 131 }, { 131, 130 }, { 133, 134 }, { 134, 133 },
		{ 135, 136 }, { 136, 135 }, { 139, 140 }, { 140, 139 },
		{ 144, 145 }, { 145, 144 } };
	const uint8_t(*m)[2] = proto == PROTO_ICMP ? v4 : v6;
	size_t i,
	    n = proto == PROTO_ICMP ? sizeof(v4) / sizeof(v4[0])
				    : sizeof(v6) / sizeof(v6[0]);

	for (i = 0; i < n; i++)
		if (m[i][0] == t)
			return m[i][1];
	return -1;
}

/* ports 0: the packet had no transport header to take them from. */
static int
hash(uint16_t seed, const uint8_t *saddr, const uint8_t *daddr, size_t alen,
    uint8_t proto, int ports, uint16_t sport, uint16_t dport,
    char out[COMMUNITYID_LEN + 1])
{
	struct sha1_ctx ctx;
	uint8_t buf[2 + 16 + 16 + 2 + 4], digest[SHA1_DIGEST_SIZE];
	const uint8_t *a = saddr, *b = daddr;
	uint16_t pa = sport, pb = dport;
	size_t n = 0;
	int c, one_way = 0;

	if (alen != 4 && alen != 16)
		return -1;
	if (!ports)
		pa = pb = 0;
	else if (proto == PROTO_ICMP || proto == PROTO_ICMPV6) {
		if ((c = icmp_counterpart(proto, (uint8_t)sport)) >= 0)
			pb = (uint16_t)c;
		else
			one_way = 1; /* pb stays the code */
	} else if (proto != 6 && proto != 17 && proto != 132) {
		ports = 0; /* other protocols: the addresses alone */
		pa = pb = 0;
	}
	c = memcmp(a, b, alen);
	if (!one_way && (c > 0 || (c == 0 && pa > pb))) {
		a = daddr, b = saddr; /* the smaller endpoint first */
		pa ^= pb, pb ^= pa, pa ^= pb;
	}
	buf[n++] = (uint8_t)(seed >> 8);
	buf[n++] = (uint8_t)seed;
	memcpy(buf + n, a, alen);
	n += alen;
	memcpy(buf + n, b, alen);
	n += alen;
	buf[n++] = proto;
	buf[n++] = 0;
	if (ports) {
		buf[n++] = (uint8_t)(pa >> 8);
		buf[n++] = (uint8_t)pa;
		buf[n++] = (uint8_t)(pb >> 8);
		buf[n++] = (uint8_t)pb;
	}
	sha1_init(&ctx);
	sha1_update(&ctx, n, buf);
	sha1_digest(&ctx, sizeof(digest), digest);
	out[0] = '1';
	out[1] = ':';
	base64_encode_raw(out + 2, sizeof(digest), digest);
	out[COMMUNITYID_LEN] = '\0';
	return 0;
}

int
communityid_v1(uint16_t seed, const uint8_t *saddr, const uint8_t *daddr,
    size_t alen, uint8_t proto, uint16_t sport, uint16_t dport,
    char out[COMMUNITYID_LEN + 1])
{
	return hash(seed, saddr, daddr, alen, proto, 1, sport, dport, out);
}

int
communityid_v1_noports(uint16_t seed, const uint8_t *saddr,
    const uint8_t *daddr, size_t alen, uint8_t proto,
    char out[COMMUNITYID_LEN + 1])
{
	return hash(seed, saddr, daddr, alen, proto, 0, 0, 0, out);
}
