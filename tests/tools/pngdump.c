/*
 * pngdump: capture/pngread.c's reading of a pcapng file, one line per
 * packet, in the columns tests/pngread.t asks tshark for, so the two can
 * be compared as text:
 *
 *	pngdump [-svx] FILE	interface, time, length, caplen
 *	pngdump -i FILE		the interface table
 *
 * The time is seconds since the epoch with nine decimals (tshark's
 * frame.time_epoch).  -s puts the section (from 1) before the interface,
 * and numbers interfaces within their section, as tshark does (the
 * reader numbers them across the file); -x adds the captured bytes in
 * hex, -v the direction and the comment.  An error goes to stderr as "pngdump:
 *FILE: why" after the packets before it, with status 7 (NM_EXIT_BADCAPTURE), as
 * nm-capture would end.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "nm.h"
#include "pngread.h"

static void
hex(const uint8_t *p, size_t n)
{
	size_t i;

	putchar('\t');
	for (i = 0; i < n; i++)
		printf("%02x", p[i]);
}

static void
ifaces(const struct png_reader *r)
{
	const struct png_if *i;
	size_t k;

	for (k = 0; k < png_nifs(r); k++) {
		i = png_if(r, k);
		printf("%zu\tlinktype=%d snaplen=%lu tsresol=0x%02x "
		       "tsprec=%d tsoffset=%lld section=%lu name=%s "
		       "filter=%s\n",
		    k, i->linktype, (unsigned long)i->snaplen, i->tsresol,
		    i->tsprec, (long long)i->tsoffset,
		    (unsigned long)i->section, i->name, i->filter);
	}
}

int
main(int argc, char **argv)
{
	struct png_reader *r;
	struct png_pkt p;
	char err[512];
	const struct png_if *i;
	unsigned long id;
	int c, rc, xflag = 0, vflag = 0, iflag = 0, sflag = 0;
	FILE *f;

	nm_init(argv[0]);
	while ((c = getopt(argc, argv, "isvx")) != -1) {
		switch (c) {
		case 'i': iflag = 1; break;
		case 's': sflag = 1; break;
		case 'v': vflag = 1; break;
		case 'x': xflag = 1; break;
		default: return NM_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: pngdump [-isvx] FILE\n");
		return NM_EXIT_USAGE;
	}
	if (strcmp(argv[optind], "-") == 0)
		f = stdin;
	else if ((f = fopen(argv[optind], "rb")) == NULL)
		nm_die(
		    NM_EXIT_NOSOURCE, "%s: %s", argv[optind], strerror(errno));
	if ((r = png_open(f, err, sizeof(err))) == NULL)
		nm_die(NM_EXIT_BADCAPTURE, "%s: %s", argv[optind], err);
	while ((rc = png_next(r, &p, err, sizeof(err))) == 1) {
		if (iflag)
			continue;
		id = p.ifidx;
		if (sflag) {
			i = png_if(r, p.ifidx);
			/* the section's first interface: the one before is not
			 */
			while (
			    id > 0 && png_if(r, id - 1)->section == i->section)
				id--;
			id = p.ifidx - id;
			printf("%lu\t", (unsigned long)i->section + 1);
		}
		printf("%lu\t%llu.%09llu\t%lu\t%lu", id,
		    (unsigned long long)(p.ts_ns / 1000000000),
		    (unsigned long long)(p.ts_ns % 1000000000),
		    (unsigned long)p.len, (unsigned long)p.caplen);
		if (xflag)
			hex(p.data, p.caplen);
		if (vflag)
			printf("\t%d\t%s", p.direction,
			    p.comment != NULL ? p.comment : "");
		putchar('\n');
	}
	if (iflag)
		ifaces(r);
	fflush(stdout);
	if (rc < 0)
		nm_die(NM_EXIT_BADCAPTURE, "%s: %s", argv[optind], err);
	png_close(r);
	if (f != stdin)
		fclose(f);
	return NM_EXIT_OK;
}
