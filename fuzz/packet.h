/*
 * The packet record nm-decode writes for a frame, as the targets of
 * nm-decode's code (decode.c, tls.c) pack it to check: the frame's keys
 * (NFRAMEKEYS of them), then what pkt_pack writes of the decoded form.
 */
#ifndef FUZZ_PACKET_H
#define FUZZ_PACKET_H

#include "fuzz.h"
#include "pk.h"
#include "pkt.h"
#include "rec.h"

#define NFRAMEKEYS 6 /* type ts if len caplen data */

static inline void
fz_pack_packet(struct pk *mp, const struct pkt *pk, const uint8_t *p, size_t n)
{
	pk_map_open(mp);
	pk_kstr(mp, "type", "packet");
	pk_ku(mp, "ts", 1700000000000000000ULL);
	pk_ku(mp, "if", 0);
	pk_ku(mp, "len", n);
	pk_ku(mp, "caplen", n);
	pk_kbin(mp, "data", p, n);
	pkt_pack(mp, pk);
	pk_close(mp);
}

/* A packed packet record must read back whole and pass the schema. */
static inline void
fz_check_packed(const struct pk *sb, const char *what)
{
	static msgpack_zone z;
	static int inited;
	msgpack_object o;
	size_t off = 0;
	char why[200];

	if (!inited && (inited = msgpack_zone_init(&z, 64 * 1024)) == 0)
		fz_fail("out of memory");
	msgpack_zone_clear(&z);
	if (msgpack_unpack(sb->p, sb->len, &off, &z, &o) !=
		MSGPACK_UNPACK_SUCCESS ||
	    off != sb->len)
		fz_fail("packed %s record does not read back whole", what);
	if (rec_validate(&o, REC_PACKET, why, sizeof(why)) == -1)
		fz_fail("packed %s record fails the schema: %s", what, why);
}

#endif
