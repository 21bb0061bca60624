/*
 * Address values as text and back (addr.h).  The text is what users read
 * and what jq filters compare, so each form is the usual one: dotted
 * IPv4, RFC 5952 IPv6 (inet_ntop), colon hex for everything else.  An
 * 8-byte link address and an IPv6 address could read alike; the writer
 * keeps them apart so the reader can tell them apart again.
 */
#include <arpa/inet.h>
#include <string.h>

#include "addr.h"

/* Is s the text of an 8-byte link address: xx:xx:xx:xx:xx:xx:xx:xx? */
static int
link_form(const char *s)
{
	size_t i;

	for (i = 0; i < 23; i++)
		if ((i % 3 == 2) != (s[i] == ':') || s[i] == '\0')
			return 0;
	return s[23] == '\0';
}

size_t
addr_text(char *dst, size_t dstlen, const uint8_t *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	if (n == 4 && dstlen >= 16) { /* most addresses: no printf */
		for (i = 0; i < 4; i++) {
			if (i)
				dst[o++] = '.';
			if (p[i] >= 100)
				dst[o++] = (char)('0' + p[i] / 100);
			if (p[i] >= 10)
				dst[o++] = (char)('0' + p[i] / 10 % 10);
			dst[o++] = (char)('0' + p[i] % 10);
		}
		dst[o] = '\0';
		return o;
	}
	if (n == 16 && inet_ntop(AF_INET6, p, dst, (socklen_t)dstlen)) {
		/*
		 * Eight groups of two digits ("12:34:56:78:9a:bc:de:f0") is
		 * how an 8-byte link address reads: write the first group
		 * in full, so the text still reads back as IPv6.
		 */
		if (link_form(dst) && dstlen > 25) {
			memmove(dst + 2, dst, 24);
			dst[0] = dst[1] = '0';
		}
		return strlen(dst);
	}
	for (i = 0; i < n && o + 4 <= dstlen; i++) {
		if (i)
			dst[o++] = ':';
		dst[o++] = hex[p[i] >> 4];
		dst[o++] = hex[p[i] & 15];
	}
	if (dstlen == 0)
		return 0;
	o = o < dstlen ? o : dstlen - 1;
	dst[o] = '\0';
	return o;
}

int
addr_parse(const char *s, size_t n, uint8_t *out)
{
	char tmp[ADDR_TEXT_MAX];
	size_t i;
	int len = 0, hi, lo, colons = 0, dot = 0;

	/* inet_pton() would stop at a NUL and take what came before */
	if (n == 0 || n >= sizeof(tmp) || memchr(s, '\0', n) != NULL)
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	for (i = 0; i < n; i++) {
		colons += tmp[i] == ':';
		dot |= tmp[i] == '.';
	}
	if (!colons && dot)
		return inet_pton(AF_INET, tmp, out) == 1 ? 4 : -1;
	/*
	 * Two hex digits per group without "::" is a link address, eight
	 * groups too: addr_text() never writes an IPv6 address that way.
	 */
	if (strstr(tmp, "::") == NULL && !dot && n == (size_t)colons * 3 + 2) {
		for (i = 0; i < n; i += 3) {
			if ((hi = addr_hexval(tmp[i])) < 0 ||
			    (lo = addr_hexval(tmp[i + 1])) < 0 ||
			    (i + 2 < n && tmp[i + 2] != ':') || len >= ADDR_MAX)
				break; /* "406:0:200:1:0:100:8:604" is IPv6 */
			out[len++] = (uint8_t)(hi << 4 | lo);
		}
		if (i >= n)
			return len;
	}
	return inet_pton(AF_INET6, tmp, out) == 1 ? 16 : -1;
}
