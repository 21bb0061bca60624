/*
 * The packet record nm-decode writes for a frame, as the targets of
 * nm-decode's code (decode.c, tls.c) pack it to check: the frame's keys
 * (NFRAMEKEYS of them), then what pkt_pack writes of the decoded form.
 */
#ifndef FUZZ_PACKET_H
#define FUZZ_PACKET_H

#include "pk.h"
#include "pkt.h"

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

#endif
