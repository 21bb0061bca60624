/*
 * A pcapng reader for the files libpcap 1.10 refuses: those whose
 * interfaces differ in link type or snaplen (dumpcap with two -i, nm-pcap
 * writing a stream of several sources).  It reads the blocks and nothing
 * inside a packet: section headers (either byte order), interface
 * descriptions, enhanced, simple and obsolete packet blocks; every other
 * block is skipped by its length.  The file is untrusted: every field goes
 * through share/cur.h, block sizes are bounded, and an error names the
 * byte offset of the block and what is wrong with it.
 */
#ifndef PNGREAD_H
#define PNGREAD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* One interface description; numbered across sections, from 0. */
struct png_if {
	int linktype;
	uint32_t snaplen;  /* as the file gives it; 0 means no limit */
	uint8_t tsresol;   /* if_tsresol: 10^-n s, or 2^-n s with bit 7 */
	int tsprec;	   /* decimal digits of that resolution, at most 9 */
	int64_t tsoffset;  /* if_tsoffset, seconds added to every time */
	uint32_t section;  /* the section header it follows, from 0 */
	char name[256];	   /* if_name, or ""; cut to fit */
	char filter[1024]; /* if_filter of type 0 (libpcap's text), or "" */
};

struct png_pkt {
	uint32_t ifidx;	     /* index into png_if(): the whole file's */
	uint64_t ts_ns;	     /* since the epoch; 0 in a simple packet block */
	uint32_t caplen;     /* bytes at data, at most PNG_CAPLEN_MAX */
	uint32_t len;	     /* on the wire */
	const uint8_t *data; /* valid until the next png_next() */
	int direction;	     /* epb_flags bits 0-1, or -1 without flags */
	const char *comment; /* the first opt_comment, NUL-ended, or NULL */
	size_t commentlen;   /* its bytes, without the NUL */
};

/*
 * Packets captured longer than this are cut to it (caplen), keeping their
 * length on the wire: nm-capture's own ceiling (CAP_SNAPLEN_MAX).
 */
#define PNG_CAPLEN_MAX 262144

struct png_reader;

/*
 * Reads the section header at f's position and the blocks up to the
 * first packet, so png_nifs() already counts the interfaces described
 * before it.  Returns NULL with a message in err when f holds no pcapng
 * (or cannot be read).  f stays the caller's to close.
 */
struct png_reader *png_open(FILE *f, char *err, size_t errlen);
/*
 * The next packet: 1, and *p filled; 0 at the end of the file; -1 on a
 * malformed or truncated block or a read error, with a message in err
 * ("byte N: what (after K packets)"): the packets before it are good.
 * Ends and errors repeat on later calls.  Interfaces described between
 * packets join the table before the packet after them is returned (a
 * caller compares png_nifs() before and after the call).
 */
int png_next(struct png_reader *r, struct png_pkt *p, char *err, size_t errlen);
size_t png_nifs(const struct png_reader *r);
const struct png_if *png_if(const struct png_reader *r, size_t i);
/* Byte offset of the next block to read. */
uint64_t png_offset(const struct png_reader *r);
void png_close(struct png_reader *r);

#endif
