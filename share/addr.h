/*
 * Addresses as text and back: how the JSON writer and nm-render show an
 * address value (bytes) and how the JSON reader turns that text into the
 * same bytes again.  4 bytes read as IPv4, 16 as IPv6, any other length
 * (a MAC address, a link address of another length) as colon-separated
 * hex pairs.
 */
#ifndef ADDR_H
#define ADDR_H

#include <stddef.h>
#include <stdint.h>

#define ADDR_MAX      64  /* bytes in the longest address value */
#define ADDR_TEXT_MAX 200 /* room for the text of ADDR_MAX bytes */

/*
 * The text of the n-byte address p, NUL-terminated in dst (cut to fit
 * dstlen); returns its length.
 */
size_t addr_text(char *dst, size_t dstlen, const uint8_t *p, size_t n);
/*
 * The bytes of the address text [s, s+n) into out (ADDR_MAX bytes);
 * returns their count, or -1 when the text is not an address.
 */
int addr_parse(const char *s, size_t n, uint8_t *out);

/* The value of a hex digit, or -1 (addresses and bytes are hex in text). */
static inline int
addr_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
