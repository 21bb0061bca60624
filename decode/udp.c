/*
 * UDP (RFC 768).  The payload handed on is cut to the UDP length when that
 * is shorter than what IP delivered; a length under 8 or beyond the IP
 * payload is invalid and nothing is handed on.
 */
#include "pkt.h"

enum dec_status
dec_udp(struct pkt *pk, struct cur *c)
{
	size_t have = cur_left(c);
	struct cur pay;

	pk->have |= PK_UDP;
	pk->proto = proto_ip_name(IPPROTO_UDP);
	pk->udp.got = have < 8 ? (uint8_t)have : 8;
	pk->udp.sport = cur_be16(c);
	pk->udp.dport = cur_be16(c);
	pk->udp.len = cur_be16(c);
	pk->udp.sum = cur_be16(c);
	if (have < 8)
		return dec_short(pk, "udp", 8, have);
	if (pk->udp.len < 8)
		return dec_fail(
		    pk, "udp", DEC_INVALID, "length %u under 8", pk->udp.len);
	if (pk->l4known && pk->udp.len > pk->l4len)
		return dec_fail(pk, "udp", DEC_INVALID,
		    "length %u beyond the IP payload of %u", pk->udp.len,
		    (unsigned)pk->l4len);
	if (cur_left(c) > pk->udp.len - 8u) {
		cur_take(c, pk->udp.len - 8u, &pay);
		*c = pay;
	}
	pk->l4len = pk->udp.len - 8u;
	pk->l4known = 1;
	/* a payload the sender sent but the capture cut still goes on, so
	 * its decoder can say it was truncated */
	if (pk->l4len == 0)
		return DEC_UNKNOWN;
	pk->next = NEXT_PORT;
	pk->nextval = (unsigned)pk->udp.sport << 16 | pk->udp.dport;
	return DEC_OK;
}
