/*
 * Fuzz target: the pcapng block reader (capture/pngread.c) on any bytes,
 * read from an in-memory file as nm-capture reads a capture.  Beyond not
 * crashing, what it hands out must hold: every packet names an interface
 * described before it, its captured length is within its length and
 * nm-capture's ceiling and every byte of it can be read, its comment is
 * NUL-ended; the interface table's strings are NUL-ended; an error names
 * a byte offset within the input and the packets before it, and repeats.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pngread.h"
#include "fuzz.h"

static volatile uint8_t sink; /* the packets' bytes, read */

static void
check_ifaces(const struct png_reader *r)
{
	const struct png_if *i;
	size_t k;

	for (k = 0; k < png_nifs(r); k++) {
		i = png_if(r, k);
		if (memchr(i->name, '\0', sizeof(i->name)) == NULL ||
		    memchr(i->filter, '\0', sizeof(i->filter)) == NULL)
			fz_fail("interface %zu: a string without its NUL", k);
		if (i->tsprec < 0 || i->tsprec > 9)
			fz_fail("interface %zu: tsprec %d", k, i->tsprec);
		if (k > 0 && i->section < png_if(r, k - 1)->section)
			fz_fail("interface %zu: sections out of order", k);
	}
	if (png_if(r, png_nifs(r)) != NULL)
		fz_fail("an interface past the table");
}

static void
check_packet(const struct png_reader *r, const struct png_pkt *p)
{
	uint8_t sum = 0;
	uint32_t k;

	if (p->ifidx >= png_nifs(r))
		fz_fail("packet on interface %lu of %zu",
		    (unsigned long)p->ifidx, png_nifs(r));
	if (p->caplen > p->len || p->caplen > PNG_CAPLEN_MAX)
		fz_fail("caplen %lu, len %lu", (unsigned long)p->caplen,
		    (unsigned long)p->len);
	if (p->caplen > 0 && p->data == NULL)
		fz_fail("no data for %lu bytes", (unsigned long)p->caplen);
	for (k = 0; k < p->caplen; k++)
		sum += p->data[k]; /* ASan sees a read past the block */
	sink ^= sum;
	if (p->direction < -1 || p->direction > 3)
		fz_fail("direction %d", p->direction);
	if (p->comment != NULL && p->comment[p->commentlen] != '\0')
		fz_fail("a comment without its NUL");
}

static void
check_error(
    const struct png_reader *r, const char *err, uint64_t npk, size_t size)
{
	unsigned long long at, n;
	const char *a;
	char *end;

	if (strncmp(err, "byte ", 5) != 0)
		fz_fail("an error without its offset: %s", err);
	at = strtoull(err + 5, &end, 10);
	if (end == err + 5 || at > size)
		fz_fail("offset %llu of %zu bytes: %s", at, size, err);
	if ((a = strstr(err, "(after ")) == NULL ||
	    (n = strtoull(a + 7, NULL, 10), n != npk))
		fz_fail("after %llu packets, it says: %s",
		    (unsigned long long)npk, err);
	if (png_offset(r) > size)
		fz_fail("offset %llu past the input",
		    (unsigned long long)png_offset(r));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct png_reader *r;
	struct png_pkt p;
	char err[512], again[512];
	uint64_t npk = 0;
	FILE *f;
	int rc;

	if ((f = fdopen(fz_memfd(data, size), "rb")) == NULL)
		fz_fail("fdopen failed");
	err[0] = '\0';
	if ((r = png_open(f, err, sizeof(err))) == NULL) {
		if (err[0] == '\0')
			fz_fail("png_open failed without a message");
		fclose(f);
		return 0;
	}
	check_ifaces(r);
	while ((rc = png_next(r, &p, err, sizeof(err))) == 1) {
		check_packet(r, &p);
		npk++;
	}
	check_ifaces(r);
	if (rc == -1) {
		check_error(r, err, npk, size);
		if (png_next(r, &p, again, sizeof(again)) != -1 ||
		    strcmp(err, again) != 0)
			fz_fail("the error does not repeat: %s", err);
	} else if (rc != 0 || png_next(r, &p, err, sizeof(err)) != 0)
		fz_fail("the end does not repeat");
	else if (png_offset(r) != size)
		fz_fail("ended at %llu of %zu bytes",
		    (unsigned long long)png_offset(r), size);
	png_close(r);
	fclose(f);
	return 0;
}
