/*
 * PPP (RFC 1661) framing as libpcap stores it (LINKTYPE_PPP 9,
 * LINKTYPE_PPP_HDLC 50): an optional HDLC address and control pair
 * (0xff 0x03, RFC 1662), then the protocol, one byte when compressed (an
 * odd first byte, RFC 1661 6.5).  Only IPv4 and IPv6 are handed on.  The
 * record schema has no PPP map: the layer shows only in proto.
 */
#include "pkt.h"

enum dec_status
dec_ppp(struct pkt *pk, struct cur *c)
{
	unsigned proto;

	pk->proto = "PPP";
	if (cur_peek(c, 0) == 0xff && cur_peek(c, 1) == 0x03)
		cur_skip(c, 2);
	if (cur_peek(c, 0) < 0)
		return dec_short(pk, "ppp", 1, 0);
	if (cur_peek(c, 0) & 1)
		proto = cur_u8(c);
	else if (cur_left(c) < 2)
		return dec_short(pk, "ppp", 2, cur_left(c));
	else
		proto = cur_be16(c);
	pk->next = NEXT_ETHERTYPE;
	if (proto == 0x0021)
		pk->nextval = 0x0800;
	else if (proto == 0x0057)
		pk->nextval = 0x86dd;
	else {
		pk->next = NEXT_NONE;
		return DEC_UNKNOWN;
	}
	return DEC_OK;
}
