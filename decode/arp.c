/*
 * ARP (RFC 826) for any hardware and protocol address sizes: the fixed
 * 8-byte header says how long each of the four addresses is.  Addresses
 * that were not captured are left out and the layer marked truncated.
 * RARP (RFC 903, ethertype 0x8035) is the same packet with operations 3
 * and 4: decoded alike, under its own protocol name, as tshark does.
 */
#include "pkt.h"

enum dec_status
dec_arp(struct pkt *pk, struct cur *c)
{
	size_t have = cur_left(c);
	unsigned hl, pl;

	pk->have |= PK_ARP;
	pk->proto = "ARP";
	pk->arp.got = have < 8 ? (uint8_t)have : 8;
	pk->arp.sha = pk->arp.spa = pk->arp.tha = pk->arp.tpa = NULL;
	/* A short header keeps what fits: got tells the packer which. */
	pk->arp.htype = cur_be16(c);
	pk->arp.ptype = cur_be16(c);
	pk->arp.hlen = cur_u8(c);
	pk->arp.plen = cur_u8(c);
	pk->arp.op = cur_be16(c);
	if (have < 8)
		return dec_short(pk, "arp", 8, have);
	hl = pk->arp.hlen;
	pl = pk->arp.plen;
	if ((pk->arp.sha = cur_ptr(c, hl)) == NULL ||
	    (pk->arp.spa = cur_ptr(c, pl)) == NULL ||
	    (pk->arp.tha = cur_ptr(c, hl)) == NULL ||
	    (pk->arp.tpa = cur_ptr(c, pl)) == NULL)
		return dec_fail(pk, "arp", DEC_TRUNC,
		    "addresses need %u bytes, %zu captured", 2 * (hl + pl),
		    have - 8);
	/* ARP carries nothing after its addresses: the rest is padding. */
	c->p = c->end;
	return DEC_UNKNOWN;
}

enum dec_status
dec_rarp(struct pkt *pk, struct cur *c)
{
	enum dec_status st = dec_arp(pk, c);

	pk->proto = "RARP";
	return st;
}
