/*
 * IPv4 (RFC 791): the fixed header, its options as bytes, fragments.  Only
 * a first fragment (offset 0) hands its payload on; a later one carries no
 * transport header.  The payload is cut to the header's total length, so
 * Ethernet padding is not read as data, and the transport learns how many
 * bytes the sender meant (l4len) even when fewer were captured.  Only the
 * outermost IP header is decoded: a tunnel's inner packet stays data.
 */
#include "pkt.h"

/*
 * With a loose or strict source route option (RFC 791 3.1) the packet's
 * final destination is the route's last address; Wireshark shows that as
 * the destination, and so does nm, so the two agree on ip.dst.
 */
static void
src_route(struct pkt *pk, struct cur *o)
{
	struct cur c = *o, v;
	unsigned type, len;

	while (cur_left(&c) > 0) {
		type = cur_u8(&c);
		if (type == 0)
			break;
		if (type == 1)
			continue;
		len = cur_u8(&c);
		if (!cur_ok(&c) || len < 2 || !cur_take(&c, len - 2, &v))
			break;
		if ((type == 0x83 || type == 0x89) && len >= 7) {
			cur_skip(&v, 1 + (len - 3) / 4 * 4 - 4);
			pk->ip.dst = cur_ptr(&v, 4);
		}
	}
}

enum dec_status
dec_ipv4(struct pkt *pk, struct cur *c)
{
	size_t have = cur_left(c);
	unsigned vhl, hlen, fl;
	struct cur opts, pay;

	if (pk->depth++ > 0)
		return DEC_UNKNOWN;
	pk->have |= PK_IP;
	pk->proto = "IPv4";
	pk->ip.got = have < 20 ? (uint8_t)have : 20;
	pk->ip.opts = NULL;
	pk->ip.optlen = 0;
	pk->ip.src = pk->ip.dst = NULL; /* not the last frame's */
	vhl = cur_u8(c);
	pk->ip.hl = vhl & 15;
	if (have > 0 && vhl >> 4 != 4) {
		pk->ip.got = 1;
		return dec_fail(pk, "ip", DEC_INVALID, "version %u", vhl >> 4);
	}
	if (have > 0 && pk->ip.hl < 5) {
		pk->ip.got = 1;
		return dec_fail(pk, "ip", DEC_INVALID,
		    "header length %u words, under 5", pk->ip.hl);
	}
	/* Past the end the getters give 0; got says what is real. */
	pk->ip.tos = cur_u8(c);
	pk->ip.len = cur_be16(c);
	pk->ip.id = cur_be16(c);
	fl = cur_be16(c);
	pk->ip.df = fl >> 14 & 1;
	pk->ip.mf = fl >> 13 & 1;
	pk->ip.frag = fl & 0x1fff;
	pk->ip.ttl = cur_u8(c);
	pk->ip.proto = cur_u8(c);
	pk->ip.sum = cur_be16(c);
	pk->ip.src = cur_ptr(c, 4);
	pk->ip.dst = cur_ptr(c, 4);
	if (have < 20)
		return dec_short(pk, "ip", 20, have);
	hlen = pk->ip.hl * 4u;
	if (!cur_take(c, hlen - 20, &opts))
		return dec_short(pk, "ip", hlen, have);
	pk->ip.opts = opts.p;
	pk->ip.optlen = (uint8_t)(hlen - 20);
	if (pk->ip.len == 0) {
		/* TSO: the NIC fills the length in later; take what came */
		pk->ip.len = (uint16_t)(hlen +
		    (cur_left(c) < 65535 - hlen ? cur_left(c) : 65535 - hlen));
	}
	src_route(pk, &opts);
	if (pk->ip.len < hlen)
		return dec_fail(pk, "ip", DEC_INVALID,
		    "total length %u under header length %u", pk->ip.len, hlen);
	pk->l4len = pk->ip.len - hlen;
	pk->l4known = !pk->ip.mf; /* a first fragment: unknown total */
	if (cur_left(c) > pk->l4len) {
		cur_take(c, pk->l4len, &pay);
		*c = pay;
	}
	if (pk->ip.frag != 0) {
		if (proto_ip_name(pk->ip.proto) != NULL)
			pk->proto = proto_ip_name(pk->ip.proto);
		return DEC_UNKNOWN;
	}
	pk->next = NEXT_IPPROTO;
	pk->nextval = pk->ip.proto;
	return DEC_OK;
}
