/*
 * Loopback and raw-IP link types.  BSD loopback (DLT_NULL) starts with a
 * 4-byte address family in the capturing host's byte order, DLT_LOOP with
 * the same in network order; AF_INET is 2 everywhere, AF_INET6 is 24, 28 or
 * 30 depending on the BSD.  Raw IP has no link header at all: the first
 * nibble tells IPv4 from IPv6.
 */
#include "pkt.h"

enum dec_status
dec_null(struct pkt *pk, struct cur *c)
{
	size_t have = cur_left(c);
	uint32_t fam;

	if (have < 4)
		return dec_short(pk, "null", 4, have);
	fam = cur_le32(c);
	if (fam > 0xffff) /* written big-endian: swap */
		fam = (fam & 0xff) << 24 | (fam & 0xff00) << 8 |
		    (fam >> 8 & 0xff00) | fam >> 24;
	pk->have |= PK_NULL;
	pk->proto = "NULL";
	pk->null.family = fam;
	pk->next = NEXT_ETHERTYPE;
	switch (fam) {
	case 2: pk->nextval = 0x0800; return DEC_OK;
	case 24:
	case 28:
	case 30: pk->nextval = 0x86dd; return DEC_OK;
	}
	pk->next = NEXT_NONE;
	return DEC_UNKNOWN;
}

enum dec_status
dec_raw(struct pkt *pk, struct cur *c)
{
	int b = cur_peek(c, 0);

	if (b < 0)
		return dec_short(pk, "ip", 1, 0);
	if (b >> 4 == 4)
		return dec_ipv4(pk, c);
	if (b >> 4 == 6)
		return dec_ipv6(pk, c);
	return dec_fail(pk, "ip", DEC_INVALID, "IP version %d", b >> 4);
}
