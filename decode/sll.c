/*
 * Linux "cooked" capture headers, written by libpcap for the "any" device
 * and for links without a usable link-layer header: version 1 (16 bytes,
 * LINKTYPE_LINUX_SLL) and version 2 (20 bytes, LINKTYPE_LINUX_SLL2, which
 * adds the interface index).  Both end in the protocol, an ethertype.
 */
#include "pkt.h"

/* Protocol values below 1536 are Linux's pseudo types: no L3 to follow. */
static enum dec_status
sll_next(struct pkt *pk)
{
	if (pk->sll.proto <= 1500)
		return DEC_UNKNOWN;
	pk->next = NEXT_ETHERTYPE;
	pk->nextval = pk->sll.proto;
	return DEC_OK;
}

enum dec_status
dec_sll(struct pkt *pk, struct cur *c)
{
	size_t have = cur_left(c);
	unsigned halen;

	if (have < 16)
		return dec_short(pk, "sll", 16, have);
	pk->have |= PK_SLL;
	pk->proto = "SLL";
	pk->sll.v = 1;
	pk->sll.ifindex = 0;
	pk->sll.pkttype = cur_be16(c);
	pk->sll.hatype = cur_be16(c);
	halen = cur_be16(c);
	pk->sll.srclen = halen > 8 ? 8 : (uint8_t)halen;
	pk->sll.src = cur_ptr(c, 8);
	pk->sll.proto = cur_be16(c);
	return sll_next(pk);
}

enum dec_status
dec_sll2(struct pkt *pk, struct cur *c)
{
	size_t have = cur_left(c);
	unsigned halen;

	if (have < 20)
		return dec_short(pk, "sll", 20, have);
	pk->have |= PK_SLL;
	pk->proto = "SLL";
	pk->sll.v = 2;
	pk->sll.proto = cur_be16(c);
	cur_skip(c, 2); /* reserved */
	pk->sll.ifindex = cur_be32(c);
	pk->sll.hatype = cur_be16(c);
	pk->sll.pkttype = cur_u8(c);
	halen = cur_u8(c);
	pk->sll.srclen = halen > 8 ? 8 : (uint8_t)halen;
	pk->sll.src = cur_ptr(c, 8);
	return sll_next(pk);
}
