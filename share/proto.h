/*
 * Protocol facts more than one program needs, said once: the names of IP
 * protocol numbers (nm-decode writes them as a packet's "proto", nm-stats
 * as a flow's), the TCP flag bits and the letters a view shows them by,
 * and the colour of each protocol in a terminal view (DESIGN.md, section
 * 7).  A new stage takes them from here, not from another stage.
 */
#ifndef PROTO_H
#define PROTO_H

#include <stddef.h>

/* The name of IP protocol number p ("TCP" for 6), or NULL if nm has none. */
const char *proto_ip_name(unsigned p);

/*
 * The twelve flag bits of the TCP header's flags field, low bit first
 * (RFC 9293; AE is RFC 9768's, in the slot of the old NS bit).
 */
enum {
	TCP_FIN = 0x001,
	TCP_SYN = 0x002,
	TCP_RST = 0x004,
	TCP_PSH = 0x008,
	TCP_ACK = 0x010,
	TCP_URG = 0x020,
	TCP_ECE = 0x040,
	TCP_CWR = 0x080,
	TCP_AE = 0x100,
	TCP_FLAGS = 0xfff /* all twelve, the reserved three included */
};
/*
 * Writes the letters of the flags set in f, in the order a view shows
 * them (SFRPAUEC; AE and the reserved bits have none), NUL-terminated, to
 * dst (16 bytes are enough); returns how many.
 */
size_t tcp_flag_letters(char *dst, unsigned f);

/* ANSI colours, as SGR parameters. */
enum out_color {
	OC_NONE = 0,
	OC_RED = 31,
	OC_GREEN = 32,
	OC_YELLOW = 33,
	OC_BLUE = 34,
	OC_MAGENTA = 35,
	OC_CYAN = 36
};
/* The colour of the protocol named [s, s+n) ("TCP": green), or OC_NONE. */
enum out_color proto_color_of(const char *s, size_t n);

#endif
