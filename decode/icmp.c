/*
 * ICMP for IPv4 (RFC 792): type, code, checksum, and the identifier and
 * sequence number of the query messages (echo, timestamp, information,
 * address mask).  An error message's quoted IP header is not decoded into
 * the packet's own ip/tcp/udp fields: those describe the outermost headers.
 */
#include "pkt.h"

static int
icmp_is_query(unsigned type)
{
	return type == 0 || type == 8 || (type >= 13 && type <= 18);
}

enum dec_status
dec_icmp(struct pkt *pk, struct cur *c)
{
	size_t have = cur_left(c);

	pk->have |= PK_ICMP;
	pk->proto = proto_ip_name(IPPROTO_ICMP);
	pk->icmp.got = have < 8 ? (uint8_t)have : 8;
	pk->icmp.target = NULL;
	pk->icmp.type = cur_u8(c);
	pk->icmp.code = cur_u8(c);
	pk->icmp.sum = cur_be16(c);
	pk->icmp.echo = icmp_is_query(pk->icmp.type);
	if (have < 4)
		return dec_short(pk, "icmp", 4, have);
	if (pk->icmp.echo) {
		pk->icmp.id = cur_be16(c);
		pk->icmp.seq = cur_be16(c);
		if (have < 8)
			return dec_short(pk, "icmp", 8, have);
	}
	return DEC_UNKNOWN;
}
