/*
 * ICMPv6 (RFC 4443): type, code, checksum; the echo identifier and
 * sequence number; the target address of Neighbor Solicitation and
 * Advertisement and of Redirect (RFC 4861).
 */
#include "pkt.h"

enum dec_status
dec_icmpv6(struct pkt *pk, struct cur *c)
{
	size_t have = cur_left(c);
	unsigned t;

	pk->have |= PK_ICMPV6;
	pk->proto = proto_ip_name(IPPROTO_ICMPV6);
	pk->icmp.got = have < 8 ? (uint8_t)have : 8;
	pk->icmp.target = NULL;
	pk->icmp.type = cur_u8(c);
	pk->icmp.code = cur_u8(c);
	pk->icmp.sum = cur_be16(c);
	t = pk->icmp.type;
	pk->icmp.echo = t == 128 || t == 129;
	if (have < 4)
		return dec_short(pk, "icmpv6", 4, have);
	if (pk->icmp.echo) {
		pk->icmp.id = cur_be16(c);
		pk->icmp.seq = cur_be16(c);
		if (have < 8)
			return dec_short(pk, "icmpv6", 8, have);
	} else if (t == 135 || t == 136 || t == 137) {
		cur_skip(c, 4);
		if ((pk->icmp.target = cur_ptr(c, 16)) == NULL)
			return dec_short(pk, "icmpv6", 24, have);
	}
	return DEC_UNKNOWN;
}
