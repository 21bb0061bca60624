/*
 * Unit tests of the protocol facts every stage shares (share/proto.c):
 * names of IP protocol numbers, TCP flag letters, protocol colours.
 */
#include <stdio.h>
#include <string.h>

#include "proto.h"

#include "check.h"

int
main(void)
{
	char l[16];

	CHECK("ip name: TCP", strcmp(proto_ip_name(6), "TCP") == 0);
	CHECK("ip name: ICMPv6", strcmp(proto_ip_name(58), "ICMPv6") == 0);
	CHECK("ip name: VRRP", strcmp(proto_ip_name(112), "VRRP") == 0);
	CHECK("ip name: none for an unnamed number",
	    proto_ip_name(253) == NULL && proto_ip_name(256) == NULL);
	CHECK("tcp letters: SYN-ACK", tcp_flag_letters(l, TCP_SYN | TCP_ACK)
	    == 2 && strcmp(l, "SA") == 0);
	CHECK("tcp letters: all eight in order",
	    tcp_flag_letters(l, 0xff) == 8 && strcmp(l, "SFRPAUEC") == 0);
	CHECK("tcp letters: AE has none", tcp_flag_letters(l, TCP_AE) == 0 &&
	    l[0] == '\0');
	CHECK("colour: TCP green", proto_color_of("TCP", 3) == OC_GREEN);
	CHECK("colour: ICMPv6 yellow", proto_color_of("ICMPv6", 6) ==
	    OC_YELLOW);
	CHECK("colour: DNS magenta", proto_color_of("DNS", 3) == OC_MAGENTA);
	CHECK("colour: a prefix is not the name",
	    proto_color_of("TC", 2) == OC_NONE &&
	    proto_color_of("TCPX", 4) == OC_NONE);
	return failures != 0;
}
