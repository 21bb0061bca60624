/*
 * IPv6 (RFC 8200) and its extension headers: hop-by-hop options (0),
 * routing (43), fragment (44), destination options (60), and the
 * authentication header (51, RFC 4302, whose length counts 4-byte words).
 * The chain is followed for at most PKT_MAXEXT headers and never past the
 * bytes, so a looping or unterminated chain ends.  A non-first fragment
 * hands nothing on.  Only the outermost IP header is decoded.
 */
#include "pkt.h"

static int
is_ext(unsigned nh)
{
	return nh == 0 || nh == 43 || nh == 44 || nh == 60 || nh == 51;
}

/* One extension header at c; returns DEC_OK with *nh its Next Header. */
static enum dec_status
ext_one(struct pkt *pk, struct cur *c, unsigned *nh)
{
	unsigned type = *nh, len, size, off;
	size_t have = cur_left(c);

	if (have < 2)
		return dec_short(pk, "ipv6", 2, have);
	*nh = cur_u8(c);
	len = cur_u8(c);
	size = type == 51 ? (len + 2) * 4 : type == 44 ? 8 : (len + 1) * 8;
	if (pk->ipv6.n_ext < PKT_MAXEXT) {
		pk->ipv6.ext[pk->ipv6.n_ext].type = (uint8_t)type;
		pk->ipv6.ext[pk->ipv6.n_ext].len = (uint16_t)size;
		pk->ipv6.n_ext++;
	}
	if (have < size)
		return dec_fail(pk, "ipv6", DEC_TRUNC,
		    "extension header %u needs %u bytes, %zu captured", type,
		    size, have);
	if (type == 44) {
		off = cur_be16(c);
		pk->ipv6.fid = cur_be32(c);
		pk->ipv6.frag = off >> 3;
		pk->ipv6.mf = off & 1;
		pk->ipv6.has_frag = 1;
		if (pk->ipv6.mf)
			pk->l4known = 0;
	} else
		cur_skip(c, size - 2);
	if (pk->l4len < size)
		return dec_fail(pk, "ipv6", DEC_INVALID,
		    "extension headers longer than the payload length");
	pk->l4len -= size;
	return DEC_OK;
}

enum dec_status
dec_ipv6(struct pkt *pk, struct cur *c)
{
	size_t have = cur_left(c);
	uint32_t vtf;
	unsigned nh, i;
	struct cur pay;
	enum dec_status st;

	if (pk->depth++ > 0)
		return DEC_UNKNOWN;
	if (have > 0 && cur_peek(c, 0) >> 4 != 6)
		return dec_fail(
		    pk, "ipv6", DEC_INVALID, "version %d", cur_peek(c, 0) >> 4);
	pk->have |= PK_IPV6;
	pk->proto = "IPv6";
	pk->ipv6.got = have < 40 ? (uint8_t)have : 40;
	pk->ipv6.n_ext = 0;
	pk->ipv6.has_frag = pk->ipv6.has_proto = 0;
	vtf = cur_be32(c);
	pk->ipv6.tc = vtf >> 20 & 0xff;
	pk->ipv6.flow = vtf & 0xfffff;
	pk->ipv6.plen = cur_be16(c);
	pk->ipv6.nxt = cur_u8(c);
	pk->ipv6.hlim = cur_u8(c);
	pk->ipv6.src = cur_ptr(c, 16);
	pk->ipv6.dst = cur_ptr(c, 16);
	if (have < 40)
		return dec_short(pk, "ipv6", 40, have);
	pk->l4len = pk->ipv6.plen;
	pk->l4known = 1;
	if (pk->l4len == 0 && pk->ipv6.nxt == 0)
		pk->l4len = (uint32_t)cur_left(c); /* a jumbogram */
	else if (cur_left(c) > pk->l4len) {
		cur_take(c, pk->l4len, &pay);
		*c = pay;
	}
	nh = pk->ipv6.nxt;
	for (i = 0; is_ext(nh); i++) {
		if (i == PKT_MAXEXT)
			return dec_fail(pk, "ipv6", DEC_INVALID,
			    "more than %d extension headers", PKT_MAXEXT);
		if ((st = ext_one(pk, c, &nh)) != DEC_OK)
			return st;
		if (pk->ipv6.has_frag && pk->ipv6.frag != 0)
			break;
	}
	pk->ipv6.proto = (uint8_t)nh;
	pk->ipv6.has_proto = 1;
	if (pk->ipv6.has_frag && pk->ipv6.frag != 0) {
		if (proto_ip_name(nh) != NULL)
			pk->proto = proto_ip_name(nh);
		return DEC_UNKNOWN;
	}
	pk->next = NEXT_IPPROTO;
	pk->nextval = nh;
	return DEC_OK;
}
