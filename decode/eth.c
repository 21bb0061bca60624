/*
 * Ethernet II and IEEE 802.3 framing (a type field above 1500 names the
 * payload; one at or below is an 802.3 length, whose LLC payload nm does
 * not decode), and VLAN tags: IEEE 802.1Q (0x8100), 802.1ad (0x88a8) and
 * the pre-standard 0x9100, up to PKT_MAXVLAN of them stacked.
 */
#include "pkt.h"

enum dec_status
dec_eth(struct pkt *pk, struct cur *c)
{
	size_t have = cur_left(c);
	uint16_t type;

	pk->have |= PK_ETH;
	pk->proto = "ETH";
	pk->eth.got = have < 14 ? (uint8_t)have : 14;
	pk->eth.is_len = 0;
	pk->eth.dst = pk->eth.src = NULL;
	pk->eth.type = 0;
	if (have >= 6)
		pk->eth.dst = cur_ptr(c, 6);
	if (have >= 12)
		pk->eth.src = cur_ptr(c, 6);
	if (have < 14)
		return dec_short(pk, "eth", 14, have);
	type = cur_be16(c);
	if (type <= 1500) {
		pk->eth.is_len = 1;
		pk->eth.len = type;
		return DEC_UNKNOWN;
	}
	pk->eth.type = type;
	pk->next = NEXT_ETHERTYPE;
	pk->nextval = type;
	return DEC_OK;
}

/* One tag; pk->nextval still holds the TPID that led here. */
enum dec_status
dec_vlan(struct pkt *pk, struct cur *c)
{
	size_t have = cur_left(c);
	uint16_t tci, type;
	unsigned tpid = pk->nextval;

	if (pk->nvlan == PKT_MAXVLAN)
		return dec_fail(pk, "vlan", DEC_INVALID,
		    "more than %d VLAN tags", PKT_MAXVLAN);
	if (have < 4)
		return dec_short(pk, "vlan", 4, have);
	tci = cur_be16(c);
	type = cur_be16(c);
	pk->vlan[pk->nvlan].tpid = (uint16_t)tpid;
	pk->vlan[pk->nvlan].id = tci & 0x0fff;
	pk->vlan[pk->nvlan].pcp = tci >> 13;
	pk->vlan[pk->nvlan].dei = tci >> 12 & 1;
	/* the tag's own type is the one after it (tshark's vlan.etype); its
	 * TPID is the type before it, kept apart */
	pk->vlan[pk->nvlan].type = type;
	pk->vlan[pk->nvlan].is_len = type <= 1500;
	pk->nvlan++;
	pk->have |= PK_VLAN;
	if (type <= 1500)
		return DEC_UNKNOWN; /* 802.3 length inside the tag */
	pk->next = NEXT_ETHERTYPE;
	pk->nextval = type;
	return DEC_OK;
}
