/*
 * The protocol facts of proto.h: IP protocol names, TCP flag letters and
 * the colours of protocols.
 */
#include <string.h>

#include "proto.h"

/*
 * The IANA keywords of the protocols nm names, as tshark and tcpdump
 * print them.
 */
const char *
proto_ip_name(unsigned p)
{
	switch (p) {
	case 1: return "ICMP";
	case 2: return "IGMP";
	case 4: return "IPIP";
	case 6: return "TCP";
	case 17: return "UDP";
	case 41: return "IPv6";
	case 47: return "GRE";
	case 50: return "ESP";
	case 51: return "AH";
	case 58: return "ICMPv6";
	case 89: return "OSPF";
	case 103: return "PIM";
	case 112: return "VRRP";
	case 132: return "SCTP";
	default: return NULL;
	}
}

size_t
tcp_flag_letters(char *dst, unsigned f)
{
	static const struct {
		unsigned bit;
		char c;
	} letters[] = { { TCP_SYN, 'S' }, { TCP_FIN, 'F' }, { TCP_RST, 'R' },
		{ TCP_PSH, 'P' }, { TCP_ACK, 'A' }, { TCP_URG, 'U' },
		{ TCP_ECE, 'E' }, { TCP_CWR, 'C' } };
	size_t i, n = 0;

	for (i = 0; i < sizeof(letters) / sizeof(letters[0]); i++)
		if (f & letters[i].bit)
			dst[n++] = letters[i].c;
	dst[n] = '\0';
	return n;
}

enum out_color
proto_color_of(const char *s, size_t n)
{
#define P(name, c)                                                             \
	{                                                                      \
		name, sizeof(name) - 1, c                                      \
	}
	static const struct {
		const char *name;
		size_t len;
		enum out_color c;
	} tab[] = { P("TCP", OC_GREEN), P("UDP", OC_BLUE), P("ICMP", OC_YELLOW),
		P("ICMPv6", OC_YELLOW), P("ARP", OC_CYAN), P("RARP", OC_CYAN),
		P("DNS", OC_MAGENTA) };
#undef P
	size_t i;

	/* a terminal view asks for every line: lengths first */
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (tab[i].len == n && memcmp(tab[i].name, s, n) == 0)
			return tab[i].c;
	return OC_NONE;
}
