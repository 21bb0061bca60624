/*
 * The pcapng writer (draft-ietf-opsawg-pcapng): a Section Header Block,
 * an Interface Description Block per capture source, an Enhanced Packet
 * Block per packet (with comments: a record's own, and the alerts that
 * follow it) and an Interface Statistics Block per source at the end.  Every
 * block is written in this machine's byte order, as the format allows (the
 * section header's byte-order magic tells readers), and is built whole before
 * it goes to the output, which writes only whole blocks.  libpcap 1.10 writes
 * no pcapng, and the libraries that do pull Wireshark or DPDK in: this is all
 * nm needs of the format.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pcap.h"

/* Block types */
#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 0x00000001u
#define BT_ISB 0x00000005u
#define BT_EPB 0x00000006u

/* Options: the codes every block shares, then each block's own */
#define OPT_END	      0
#define OPT_COMMENT   1
#define SHB_USERAPPL  4
#define IF_NAME	      2
#define IF_TSRESOL    9
#define IF_FILTER     11
#define EPB_FLAGS     2
#define ISB_STARTTIME 2
#define ISB_ENDTIME   3
#define ISB_IFRECV    4
#define ISB_IFDROP    5
#define ISB_OSDROP    7

static void
put16(struct strbuf *b, uint16_t v)
{
	sb_add(b, &v, 2);
}

static void
put32(struct strbuf *b, uint32_t v)
{
	sb_add(b, &v, 4);
}

/* A 64-bit time in if_tsresol units: high word first, as the EPB has it. */
static void
put_ts(struct strbuf *b, uint64_t ts)
{
	put32(b, (uint32_t)(ts >> 32));
	put32(b, (uint32_t)ts);
}

static void
pad32(struct strbuf *b)
{
	static const char zero[4];

	sb_add(b, zero, (4 - b->len % 4) % 4);
}

static void
opt(struct strbuf *b, uint16_t code, const void *p, size_t n)
{
	if (n > 0xffff - 3)
		n = 0xffff - 3; /* an option's length is 16 bits */
	put16(b, code);
	put16(b, (uint16_t)n);
	sb_add(b, p, n);
	pad32(b);
}

static void
opt64(struct strbuf *b, uint16_t code, uint64_t v)
{
	opt(b, code, &v, 8);
}

/* Opens a block: its type and a length filled in by block_end(). */
static size_t
block_start(struct strbuf *b, uint32_t type)
{
	size_t at = b->len;

	put32(b, type);
	put32(b, 0);
	return at;
}

/* Ends the options (when any were written) and the block. */
static void
block_end(struct out *o, size_t at, size_t opts_at)
{
	struct strbuf *b = out_sb(o);
	uint32_t total;

	if (b->len > opts_at)
		put32(b, OPT_END); /* code and length 0 */
	total = (uint32_t)(b->len - at + 4);
	put32(b, total);
	memcpy(b->p + at + 4, &total, 4);
	out_block_end(o);
}

void
png_section(struct out *o, const char *app)
{
	struct strbuf *b = out_sb(o);
	size_t at = block_start(b, BT_SHB), opts;

	put32(b, 0x1A2B3C4Du); /* byte-order magic */
	put16(b, 1);	       /* version 1.0 */
	put16(b, 0);
	put32(b, 0xffffffffu); /* section length: not given */
	put32(b, 0xffffffffu);
	opts = b->len;
	opt(b, SHB_USERAPPL, app, strlen(app));
	block_end(o, at, opts);
}

void
png_interface(struct out *o, const struct src *s)
{
	struct strbuf *b = out_sb(o);
	size_t at = block_start(b, BT_IDB), opts;
	uint8_t tsresol = 9; /* nanoseconds, as nm's timestamps */
	struct strbuf f = { 0 };

	put16(b, (uint16_t)s->linktype);
	put16(b, 0);
	put32(b, s->snaplen);
	opts = b->len;
	if (s->name != NULL && *s->name != '\0')
		opt(b, IF_NAME, s->name, strlen(s->name));
	opt(b, IF_TSRESOL, &tsresol, 1);
	if (s->filter != NULL && *s->filter != '\0') {
		/* the first byte says what follows: 0, libpcap's syntax */
		sb_addc(&f, '\0');
		sb_adds(&f, s->filter);
		opt(b, IF_FILTER, f.p, f.len);
		free(f.p);
	}
	block_end(o, at, opts);
}

void
png_packet(struct out *o, const struct pkt *p)
{
	struct strbuf *b = out_sb(o);
	size_t at = block_start(b, BT_EPB), opts;
	uint32_t flags;

	put32(b, p->ifid);
	put_ts(b, p->ts);
	put32(b, p->caplen);
	put32(b, p->len);
	sb_add(b, p->data, p->caplen);
	pad32(b);
	opts = b->len;
	if (p->dir != 0) {
		flags = (uint32_t)p->dir; /* bits 0-1: 1 inbound, 2 outbound */
		opt(b, EPB_FLAGS, &flags, 4);
	}
	if (p->comment != NULL)
		opt(b, OPT_COMMENT, p->comment, p->commentlen);
	block_end(o, at, opts);
}

void
png_comment(struct out *o, const char *text, size_t n)
{
	struct strbuf *b = out_sb(o);
	size_t at = o->nends > 1 ? o->ends[o->nends - 2] : 0, opts, end;
	uint32_t type, caplen;

	if (o->nends == 0 || b->len - at < 32)
		return;
	memcpy(&type, b->p + at, 4);
	if (type != BT_EPB)
		return;
	memcpy(&caplen, b->p + at + 20, 4);
	/* reopen the block: its options start after the padded data */
	opts = at + 28 + caplen + (4 - caplen % 4) % 4;
	end = b->len - 4; /* the trailing length */
	if (end > opts)
		end -= 4; /* opt_endofopt */
	b->len = end;
	o->nends--;
	opt(b, OPT_COMMENT, text, n);
	block_end(o, at, opts);
}

/*
 * isb_ifdrop is what readers show as the packets lost (Wireshark's
 * "Dropped packets", capinfos): every packet the interface saw that did
 * not reach the capture, whether the interface or the kernel dropped it,
 * as dumpcap counts it; isb_osdrop says the kernel's share apart.
 */
void
png_stats(struct out *o, uint32_t ifid, const struct ifstats *st, uint64_t now)
{
	struct strbuf *b = out_sb(o);
	size_t at = block_start(b, BT_ISB), opts;

	put32(b, ifid);
	put_ts(b, st->last != 0 ? st->last : now);
	opts = b->len;
	if (st->first != 0) {
		put16(b, ISB_STARTTIME);
		put16(b, 8);
		put_ts(b, st->first);
	}
	if (st->last != 0) {
		put16(b, ISB_ENDTIME);
		put16(b, 8);
		put_ts(b, st->last);
	}
	opt64(b, ISB_IFRECV, st->recv);
	opt64(b, ISB_IFDROP, st->drop + st->ifdrop);
	opt64(b, ISB_OSDROP, st->drop);
	block_end(o, at, opts);
}
