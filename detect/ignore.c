/*
 * --ignore CIDR[#port]: actors nm-detect never alerts on, for the scanner
 * an administrator runs, a health checker, a NAT gateway, or a DNS
 * server (10.0.0.53#53: a server answering many clients is a well-known
 * source of false scans).  An entry is an IPv4 or IPv6 prefix (an
 * address alone is the whole address) and, after "#", a port: then only
 * an actor using that port, on its own side or the target's, matches.
 * Lists are short: a linear scan.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect.h"
#include "nm.h"

#define IGNORE_MAX 256

struct entry {
	int af;
	uint8_t net[16];
	unsigned bits;
	unsigned port; /* 0: every port */
};

static struct entry list[IGNORE_MAX];
static int nlist;

static int
in_prefix(const struct entry *e, const uint8_t *a)
{
	unsigned full = e->bits / 8, rest = e->bits % 8;

	if (memcmp(e->net, a, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((e->net[full] ^ a[full]) & (0xff00 >> rest) & 0xff) == 0;
}

void
ignore_add(const char *spec, const char *where)
{
	char buf[128], *hash, *slash, *end;
	struct entry e;
	unsigned long v;
	unsigned maxbits, i;

	memset(&e, 0, sizeof(e));
	if (strlen(spec) >= sizeof(buf))
		nm_die(NM_EXIT_USAGE, "%s: ignore %.40s...: too long", where,
		    spec);
	strcpy(buf, spec);
	if ((hash = strchr(buf, '#')) != NULL) {
		*hash++ = '\0';
		v = strtoul(hash, &end, 10);
		if (*hash == '\0' || *end != '\0' || v == 0 || v > 65535)
			nm_die(NM_EXIT_USAGE,
			    "%s: ignore %s: the port after # is not 1 to 65535",
			    where, spec);
		e.port = (unsigned)v;
	}
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, e.net) == 1)
		e.af = 4, maxbits = 32;
	else if (inet_pton(AF_INET6, buf, e.net) == 1)
		e.af = 6, maxbits = 128;
	else
		nm_die(NM_EXIT_USAGE,
		    "%s: ignore %s: not an IPv4 or IPv6 address or prefix "
		    "(CIDR[#port])",
		    where, spec);
	e.bits = maxbits;
	if (slash != NULL) {
		v = strtoul(slash, &end, 10);
		if (*slash == '\0' || *end != '\0' || v > maxbits)
			nm_die(NM_EXIT_USAGE,
			    "%s: ignore %s: the prefix length is not 0 to %u",
			    where, spec, maxbits);
		e.bits = (unsigned)v;
	}
	/* the host bits a prefix leaves are nobody's: clear them */
	for (i = e.bits; i < maxbits; i++)
		e.net[i / 8] &= (uint8_t) ~(0x80 >> (i % 8));
	if (nlist == IGNORE_MAX)
		nm_die(NM_EXIT_USAGE, "%s: more than %d ignore entries", where,
		    IGNORE_MAX);
	list[nlist++] = e;
}

int
ignored(int af, const uint8_t *addr, unsigned port1, unsigned port2)
{
	int i;

	for (i = 0; i < nlist; i++) {
		const struct entry *e = &list[i];

		if (e->af != af || !in_prefix(e, addr))
			continue;
		if (e->port == 0 || (port1 != 0 && e->port == port1) ||
		    (port2 != 0 && e->port == port2))
			return 1;
	}
	return 0;
}

int
ignore_count(void)
{
	return nlist;
}
