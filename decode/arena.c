/*
 * The packet's arena: text decoded from untrusted bytes (DNS names and
 * texts, TLS server names, HTTP fields) copied into struct pkt, so that
 * nothing points into buffers that live shorter than the packet record.
 */
#include <string.h>

#include "pkt.h"

/* Appends to the arena; returns 0 when it is full. */
int
arena_put(struct pkt *pk, const char *s, size_t n)
{
	size_t i;

	if (PKT_ARENA - pk->arenalen < n)
		return 0;
	for (i = 0; i < n; i++)
		pk->arena[pk->arenalen++] = s[i];
	return 1;
}

/*
 * One byte of a name or text, with spare bytes left free after it: bytes
 * outside printable ASCII, and those in esc_too, as \xHH, so a NUL or a
 * control byte can neither end the string nor hide.
 */
int
arena_esc(struct pkt *pk, unsigned b, const char *esc_too, size_t spare)
{
	static const char hex[] = "0123456789abcdef";
	char esc[4];

	if (b >= 0x20 && b < 0x7f && strchr(esc_too, (int)b) == NULL) {
		esc[0] = (char)b;
		return PKT_ARENA - pk->arenalen > spare &&
		    arena_put(pk, esc, 1);
	}
	esc[0] = '\\';
	esc[1] = 'x';
	esc[2] = hex[b >> 4];
	esc[3] = hex[b & 15];
	return PKT_ARENA - pk->arenalen >= 4 + spare && arena_put(pk, esc, 4);
}

const char *
arena_text(struct pkt *pk, const uint8_t *p, size_t n, const char *esc_too)
{
	static const char hex[] = "0123456789abcdef";
	size_t start = pk->arenalen, i;
	char *o;

	/* room for the worst case (every byte escaped): one pass, no
	 * checks per byte; else byte by byte to the arena's end */
	if (PKT_ARENA - pk->arenalen > 4 * n) {
		o = pk->arena + pk->arenalen;
		for (i = 0; i < n; i++) {
			if (p[i] >= 0x20 && p[i] < 0x7f &&
			    (esc_too[0] == '\0' ||
				strchr(esc_too, (int)p[i]) == NULL)) {
				*o++ = (char)p[i];
				continue;
			}
			*o++ = '\\';
			*o++ = 'x';
			*o++ = hex[p[i] >> 4];
			*o++ = hex[p[i] & 15];
		}
		*o++ = '\0';
		pk->arenalen = (size_t)(o - pk->arena);
		return pk->arena + start;
	}
	for (i = 0; i < n; i++)
		if (!arena_esc(pk, p[i], esc_too, 1)) {
			pk->arenalen = start;
			return NULL;
		}
	if (!arena_put(pk, "", 1)) {
		pk->arenalen = start;
		return NULL;
	}
	return pk->arena + start;
}
