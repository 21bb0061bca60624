/*
 * TCP (RFC 9293): the fixed header with all twelve flag bits (AE, RFC
 * 9768, and the old NS bit share the slot), the options nm names (MSS,
 * window scale, SACK permitted, SACK blocks, timestamps: RFC 7323 and
 * 2018), and the payload length, which comes from the IP header's lengths
 * and not from what was captured.  A zero or overlong option length marks
 * the options invalid; the rest of the packet still decodes.
 */
#include "app.h"
#include "pkt.h"

/* Reads the options in o; returns -1 on a length that makes no sense. */
static int
tcp_opts(struct pkt *pk, struct cur *o)
{
	unsigned kind, len, i;
	struct cur v;

	while (cur_left(o) > 0) {
		kind = cur_u8(o);
		if (kind == 0)
			break;
		if (kind == 1)
			continue;
		len = cur_u8(o);
		if (!cur_ok(o) || len < 2 || !cur_take(o, len - 2, &v))
			return -1;
		pk->tcp.has_opts = 1;
		switch (kind) {
		case 2:
			if (len == 4) {
				pk->tcp.mss = cur_be16(&v);
				pk->tcp.has_mss = 1;
			}
			break;
		case 3:
			if (len == 3) {
				pk->tcp.ws = cur_u8(&v);
				pk->tcp.has_ws = 1;
			}
			break;
		case 4: pk->tcp.sackok = 1; break;
		case 5:
			for (i = 0; cur_left(&v) >= 8; i++) {
				if (pk->tcp.nsack >= PKT_MAXSACK)
					break;
				pk->tcp.sack[2 * pk->tcp.nsack] = cur_be32(&v);
				pk->tcp.sack[2 * pk->tcp.nsack + 1] =
				    cur_be32(&v);
				pk->tcp.nsack++;
			}
			break;
		case 8:
			if (len == 10) {
				pk->tcp.tsval = cur_be32(&v);
				pk->tcp.tsecr = cur_be32(&v);
				pk->tcp.has_ts = 1;
			}
			break;
		}
	}
	return 0;
}

enum dec_status
dec_tcp(struct pkt *pk, struct cur *c)
{
	size_t have = cur_left(c);
	unsigned hlen, w;
	struct cur o;

	pk->have |= PK_TCP;
	pk->proto = proto_ip_name(IPPROTO_TCP);
	pk->tcp.got = have < 20 ? (uint8_t)have : 20;
	pk->tcp.has_len = pk->tcp.has_opts = pk->tcp.has_mss = 0;
	pk->tcp.has_ws = pk->tcp.sackok = pk->tcp.has_ts = 0;
	pk->tcp.nsack = 0;
	pk->tcp.sport = cur_be16(c);
	pk->tcp.dport = cur_be16(c);
	pk->tcp.seq = cur_be32(c);
	pk->tcp.ack = cur_be32(c);
	w = cur_be16(c);
	pk->tcp.hl = w >> 12;
	pk->tcp.flags = w & TCP_FLAGS;
	pk->tcp.win = cur_be16(c);
	pk->tcp.sum = cur_be16(c);
	pk->tcp.urp = cur_be16(c);
	if (have < 20)
		return dec_short(pk, "tcp", 20, have);
	hlen = pk->tcp.hl * 4u;
	if (hlen < 20)
		return dec_fail(pk, "tcp", DEC_INVALID,
		    "header length %u bytes, under 20", hlen);
	if (pk->l4known && pk->l4len >= hlen) {
		pk->tcp.len = pk->l4len - hlen;
		pk->tcp.has_len = 1;
	}
	if (!cur_take(c, hlen - 20, &o)) {
		tcp_opts(pk, &o);
		return dec_short(pk, "tcp", hlen, have);
	}
	if (tcp_opts(pk, &o) < 0)
		dec_fail(pk, "tcp", DEC_INVALID, "option length");
	if (cur_left(c) == 0 && !(pk->tcp.has_len && pk->tcp.len > 0)) {
		if (pk->tcp.flags & (TCP_FIN | TCP_RST))
			tcpapp_end(pk);
		return DEC_UNKNOWN; /* nothing sent, or nothing known */
	}
	pk->next = NEXT_PORT;
	pk->nextval = (unsigned)pk->tcp.sport << 16 | pk->tcp.dport;
	return DEC_OK;
}
