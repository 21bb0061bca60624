/*
 * Community ID, version 1 (the Community ID Flow Hashing spec, as Zeek,
 * Suricata, Wireshark and ntopng write it): one string naming a flow the
 * same way in both directions and in every tool, for an alert's
 * community_id and (later) every flow record's.
 */
#ifndef COMMUNITYID_H
#define COMMUNITYID_H

#include <stddef.h>
#include <stdint.h>

/* "1:" and the base64 of a SHA-1 digest (28 characters); a NUL after. */
#define COMMUNITYID_LEN 30

/*
 * The ID of a flow: addresses of alen bytes (4 or 16), the IP protocol,
 * and the ports (for ICMP and ICMPv6: the type and the code).  Returns 0
 * with the ID in out, -1 for an address length that is neither.
 */
int communityid_v1(uint16_t seed, const uint8_t *saddr, const uint8_t *daddr,
    size_t alen, uint8_t proto, uint16_t sport, uint16_t dport,
    char out[COMMUNITYID_LEN + 1]);
/*
 * The same for a packet with no transport header to read ports (or an
 * ICMP type) from: a later IP fragment, a header cut short.  The spec
 * hashes the addresses and the protocol alone then, as tshark does.
 */
int communityid_v1_noports(uint16_t seed, const uint8_t *saddr,
    const uint8_t *daddr, size_t alen, uint8_t proto,
    char out[COMMUNITYID_LEN + 1]);

#endif
