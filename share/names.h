/*
 * Passive names: what each address was called in the DNS answers seen on
 * the wire, so that a stage can show "142.250.74.78 (www.google.com)"
 * without sending a query of its own (a monitor that resolves leaks what
 * it watches and stalls on slow resolvers).
 *
 * The map learns from decoded DNS replies (a packet record's "dns" map):
 * A and AAAA answers give an address the name the client asked for (the
 * start of the CNAME chain that led to it, as the analyst wants
 * "www.google.com", not the CDN's "www.l.google.com"); PTR answers give
 * the address spelled by the reverse name its target.  Only a reply's
 * first 64 records are read (a real one has a handful; following chains
 * through thousands would stall the stage).  The newest answer
 * for an address wins.  An entry is kept for its TTL and then for a grace
 * period (NAMES_GRACE: connections opened while the answer held go on
 * after it expires), in stream time; the map holds at most its cap of
 * entries and, full, drops the one nearest expiry of a few sampled.
 *
 * Names are only what the wire said: anyone can answer a query, so a name
 * is a hint, never proof (the man pages say so).
 */
#ifndef NAMES_H
#define NAMES_H

#include <stddef.h>
#include <stdint.h>
#include <msgpack.h>

#define NAMES_MAX_DEFAULT 65536
#define NAMES_GRACE	  (3600ULL * 1000000000ULL) /* ns after the TTL */
#define NAMES_NAME_MAX	  253 /* a DNS name as text (RFC 1035 2.3.4) */

struct names;

/* A map of at most max entries (0: NAMES_MAX_DEFAULT). */
struct names *names_new(size_t max);
void names_free(struct names *);
/*
 * Learns from a packet record: its "dns" map (NULL, or not a reply: no
 * change) at stream time ts (nanoseconds).
 */
void names_learn(struct names *, const msgpack_object *dns, uint64_t ts);
/* The same from a packet record's map: its "dns" and "ts", if it has them. */
void names_learn_packet(struct names *, const msgpack_object *pkt);
/*
 * The name of an address (addr: 4 or 16 bytes, as the records carry it)
 * at stream time ts, or NULL: none known, or expired.  The string is the
 * map's; valid until the next names_learn().
 */
const char *names_find(
    const struct names *, const void *addr, size_t len, uint64_t ts);
/* The same for a KT_ADDR value of a record (a BIN object); NULL for others */
const char *names_find_obj(
    const struct names *, const msgpack_object *addr, uint64_t ts);
/* Entries held, and dropped for room, for the end record and tests. */
size_t names_count(const struct names *);
uint64_t names_evicted(const struct names *);

#endif
