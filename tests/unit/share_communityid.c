/*
 * Unit tests of Community ID v1 (share/communityid.c): the spec's own
 * example, and flows of nm's sample capture (share/sample.pcap) with the
 * IDs tshark's communityid dissector gives them: TCP and UDP in both
 * directions, an ICMP echo and its reply, an ICMPv6 echo, a one-way
 * ICMPv6 router solicitation, a seed; and packets without a transport
 * header (a later fragment, an ICMP header cut short).
 */
#include <stdio.h>
#include <string.h>

#include "communityid.h"

static int failures;
static int noports; /* expect(): communityid_v1_noports() */

static void
expect(const char *name, uint16_t seed, const char *sa, const char *da, int v6,
    uint8_t proto, uint16_t sp, uint16_t dp, const char *want)
{
	uint8_t a[16], b[16];
	char got[COMMUNITYID_LEN + 1];
	size_t n = v6 ? 16 : 4;
	unsigned x[16];
	int i;

	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	if (!v6) {
		sscanf(sa, "%u.%u.%u.%u", &x[0], &x[1], &x[2], &x[3]);
		for (i = 0; i < 4; i++)
			a[i] = (uint8_t)x[i];
		sscanf(da, "%u.%u.%u.%u", &x[0], &x[1], &x[2], &x[3]);
		for (i = 0; i < 4; i++)
			b[i] = (uint8_t)x[i];
	} else {
		/* the two sample addresses: fd77::1, fd77::2,
		 * fe80::77:ff:fe00:2, ff02::2 */
		for (i = 0; i < 2; i++) {
			const char *s = i ? da : sa;
			uint8_t *d = i ? b : a;
			if (strcmp(s, "fd77::1") == 0 ||
			    strcmp(s, "fd77::2") == 0) {
				d[0] = 0xfd, d[1] = 0x77,
				d[15] = (uint8_t)(s[6] - '0');
			} else if (strcmp(s, "ff02::2") == 0) {
				d[0] = 0xff, d[1] = 0x02, d[15] = 2;
			} else { /* fe80::77:ff:fe00:2 */
				d[0] = 0xfe, d[1] = 0x80, d[9] = 0x77,
				d[11] = 0xff, d[12] = 0xfe, d[15] = 2;
			}
		}
	}
	if ((noports
		    ? communityid_v1_noports(seed, a, b, n, proto, got)
		    : communityid_v1(seed, a, b, n, proto, sp, dp, got)) == 0 &&
	    strcmp(got, want) == 0) {
		printf("PASS: %s\n", name);
		return;
	}
	printf("FAIL: %s: got %s, want %s\n", name, got, want);
	failures++;
}

int
main(void)
{
	expect("the spec's TCP example", 0, "1.2.3.4", "5.6.7.8", 0, 6, 1122,
	    3344, "1:wCb3OG7yAFWelaUydu0D+125CLM=");
	expect("the spec's example, the other way", 0, "5.6.7.8", "1.2.3.4", 0,
	    6, 3344, 1122, "1:wCb3OG7yAFWelaUydu0D+125CLM=");
	expect("TCP to 80, as tshark", 0, "10.77.0.1", "10.77.0.2", 0, 6, 48908,
	    80, "1:DdPDYtJgL8uZgFGrfBoQtylH5WM=");
	expect("TCP's answer, the same", 0, "10.77.0.2", "10.77.0.1", 0, 6, 80,
	    48908, "1:DdPDYtJgL8uZgFGrfBoQtylH5WM=");
	expect("UDP to 53, as tshark", 0, "10.77.0.1", "10.77.0.2", 0, 17,
	    51351, 53, "1:0JX000b0xlvW40YqktSdN1m6EwY=");
	expect("ICMP echo, as tshark", 0, "10.77.0.1", "10.77.0.2", 0, 1, 8, 0,
	    "1:hKGnLfLKwFVNYs/4ymGhV18LE+w=");
	expect("ICMP echo reply, the same", 0, "10.77.0.2", "10.77.0.1", 0, 1,
	    0, 0, "1:hKGnLfLKwFVNYs/4ymGhV18LE+w=");
	expect("ICMPv6 echo, as tshark", 0, "fd77::1", "fd77::2", 1, 58, 128, 0,
	    "1:FON2pGMtuwYcVQfftE6qjDb3arM=");
	expect("ICMPv6 router solicitation (one way), as tshark", 0,
	    "fe80::77:ff:fe00:2", "ff02::2", 1, 58, 133, 0,
	    "1:HJQGDcXK/+dRfG1GY0uRebKUtv4=");
	/* no transport header: the addresses and protocol alone */
	noports = 1;
	expect("a later UDP fragment, as tshark (IPv4Frag.pcap)", 0,
	    "192.168.0.2", "192.168.0.254", 0, 17, 0, 0,
	    "1:71SbPK10GWv37C1AoYrzIz6XMe4=");
	expect("ICMP cut before its type, as tshark (ip_ts_opts_asan.pcap)", 0,
	    "149.8.33.81", "95.18.83.227", 0, 1, 0, 0,
	    "1:ynS8OuKBqsNfNdAIGvddynylWHw=");
	return failures != 0;
}
