/*
 * Unit tests of the pcapng reader (capture/pngread.c) on files built
 * here byte by byte: one written out literally (so the builder below
 * cannot agree with the reader on a wrong layout), then files built by
 * small block writers in either byte order.  Covered: two interfaces of
 * different link types and snaplens, options (names, filters, if_tsresol
 * of 10^-n and 2^-n, if_tsoffset, flags, comments), blocks to skip, a
 * second section in the other byte order whose interfaces are numbered
 * on, simple and obsolete packet blocks, packets cut to 256 KiB, and
 * every error: lengths too small, unaligned, unequal at the two ends or
 * too large, truncation (after the packets before it), unknown
 * interfaces, captured lengths past the block or the wire length,
 * options past their block, bad option sizes, bad section headers, files
 * that are not pcapng, too many interfaces, times out of range.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pngread.h"

static int failures, checks;

static void
ok(int cond, const char *what)
{
	checks++;
	if (!cond) {
		printf("FAIL: pngread: %s\n", what);
		failures++;
	}
}

/* --- a file being built --- */

struct bld {
	uint8_t *p;
	size_t n, cap;
	int be;
};

static void
put(struct bld *b, const void *p, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2;
		if ((b->p = realloc(b->p, b->cap)) == NULL)
			abort();
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

static void
u8(struct bld *b, uint8_t v)
{
	put(b, &v, 1);
}

static void
u16(struct bld *b, uint16_t v)
{
	u8(b, (uint8_t)(b->be ? v >> 8 : v));
	u8(b, (uint8_t)(b->be ? v : v >> 8));
}

static void
u32(struct bld *b, uint32_t v)
{
	u16(b, (uint16_t)(b->be ? v >> 16 : v));
	u16(b, (uint16_t)(b->be ? v : v >> 16));
}

static void
u64(struct bld *b, uint64_t v)
{
	u32(b, (uint32_t)(b->be ? v >> 32 : v));
	u32(b, (uint32_t)(b->be ? v : v >> 32));
}

static void
pad(struct bld *b)
{
	while (b->n % 4 != 0)
		u8(b, 0);
}

static size_t
start(struct bld *b, uint32_t type)
{
	size_t at = b->n;

	u32(b, type);
	u32(b, 0);
	return at;
}

/* Ends a block: its length at both ends. */
static void
end(struct bld *b, size_t at)
{
	uint32_t len = (uint32_t)(b->n - at + 4);
	size_t keep;

	u32(b, len);
	keep = b->n;
	b->n = at + 4;
	u32(b, len);
	b->n = keep;
}

static void
opt(struct bld *b, uint16_t code, const void *p, size_t n)
{
	u16(b, code);
	u16(b, (uint16_t)n);
	put(b, p, n);
	pad(b);
}

static void
optend(struct bld *b)
{
	u32(b, 0);
}

static void
shb(struct bld *b, int be)
{
	size_t at;

	b->be = be;
	at = start(b, 0x0A0D0D0A);
	u32(b, 0x1A2B3C4D);
	u16(b, 1);
	u16(b, 0);
	u64(b, (uint64_t)-1);
	opt(b, 4, "unit test", 9); /* shb_userappl */
	optend(b);
	end(b, at);
}

/* tsresol < 0: no if_tsresol; offset != 0: an if_tsoffset */
static void
idb(struct bld *b, int lt, uint32_t snap, const char *name, const char *filter,
    int tsresol, int64_t offset)
{
	size_t at = start(b, 1);
	uint8_t r = (uint8_t)tsresol;
	char f[64];

	u16(b, (uint16_t)lt);
	u16(b, 0);
	u32(b, snap);
	if (name != NULL)
		opt(b, 2, name, strlen(name));
	if (tsresol >= 0)
		opt(b, 9, &r, 1);
	if (filter != NULL) {
		f[0] = 0;
		memcpy(f + 1, filter, strlen(filter));
		opt(b, 11, f, strlen(filter) + 1);
	}
	if (offset != 0) {
		u16(b, 14);
		u16(b, 8);
		u64(b, (uint64_t)offset);
	}
	if (name != NULL || tsresol >= 0 || filter != NULL || offset != 0)
		optend(b);
	end(b, at);
}

static const uint8_t frame[64] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3,
	4, 5, 6, 0x08, 0x06, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
	33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49 };

/* flags < 0: no epb_flags */
static void
epb(struct bld *b, uint32_t id, uint64_t ts, uint32_t caplen, uint32_t len,
    int flags, const char *comment)
{
	size_t at = start(b, 6);
	uint32_t fl = (uint32_t)flags;
	struct bld o = { 0 };

	u32(b, id);
	u32(b, (uint32_t)(ts >> 32));
	u32(b, (uint32_t)ts);
	u32(b, caplen);
	u32(b, len);
	put(b, frame, caplen < sizeof(frame) ? caplen : sizeof(frame));
	pad(b);
	if (flags >= 0) {
		o.be = b->be;
		u32(&o, fl);
		opt(b, 2, o.p, 4);
		free(o.p);
	}
	if (comment != NULL)
		opt(b, 1, comment, strlen(comment));
	if (flags >= 0 || comment != NULL)
		optend(b);
	end(b, at);
}

/* An SPB: original length len, room bytes of data in the block. */
static void
spb(struct bld *b, uint32_t len, uint32_t room)
{
	size_t at = start(b, 3);

	u32(b, len);
	put(b, frame, room);
	pad(b);
	end(b, at);
}

/* The obsolete Packet Block, with pack_flags. */
static void
pb(struct bld *b, uint16_t id, uint64_t ts, uint32_t caplen, uint32_t len,
    uint32_t flags)
{
	size_t at = start(b, 2);
	struct bld o = { 0 };

	u16(b, id);
	u16(b, 0xffff);
	u32(b, (uint32_t)(ts >> 32));
	u32(b, (uint32_t)ts);
	u32(b, caplen);
	u32(b, len);
	put(b, frame, caplen);
	pad(b);
	o.be = b->be;
	u32(&o, flags);
	opt(b, 2, o.p, 4);
	free(o.p);
	optend(b);
	end(b, at);
}

/* A block the reader must skip: type, and n bytes of body. */
static void
other(struct bld *b, uint32_t type, size_t n)
{
	size_t at = start(b, type);

	while (n-- > 0)
		u8(b, (uint8_t)n);
	pad(b);
	end(b, at);
}

/* --- reading it --- */

struct rd {
	FILE *f;
	struct png_reader *r;
	char err[512];
};

static int
rd_open(struct rd *d, const void *p, size_t n)
{
	if ((d->f = tmpfile()) == NULL || fwrite(p, 1, n, d->f) != n)
		abort();
	rewind(d->f);
	d->err[0] = '\0';
	d->r = png_open(d->f, d->err, sizeof(d->err));
	return d->r != NULL;
}

static void
rd_close(struct rd *d)
{
	png_close(d->r);
	fclose(d->f);
}

/*
 * A file that must fail after npk packets with a message containing
 * want and "(after npk packets)"; and the failure repeats.
 */
static void
fails(const char *what, struct bld *b, int npk, const char *want)
{
	struct rd d;
	struct png_pkt p;
	char m[600], after[64];
	int n;

	snprintf(after, sizeof(after), "(after %d packets)", npk);
	if (!rd_open(&d, b->p, b->n)) {
		snprintf(m, sizeof(m), "%s: png_open failed: %s", what, d.err);
		ok(0, m);
		fclose(d.f);
		free(b->p);
		return;
	}
	n = 0;
	while (png_next(d.r, &p, d.err, sizeof(d.err)) == 1)
		n++;
	snprintf(m, sizeof(m), "%s: after %d packets, \"%s\" (want %d, \"%s\")",
	    what, n, d.err, npk, want);
	ok(n == npk && strstr(d.err, want) != NULL &&
		strstr(d.err, after) != NULL && strncmp(d.err, "byte ", 5) == 0,
	    m);
	d.err[0] = '\0';
	snprintf(m, sizeof(m), "%s: the error repeats", what);
	ok(png_next(d.r, &p, d.err, sizeof(d.err)) == -1 &&
		strstr(d.err, want) != NULL,
	    m);
	rd_close(&d);
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* png_open refuses the file, saying want. */
static void
refused(const char *what, const void *p, size_t n, const char *want)
{
	struct rd d;
	char m[600];

	snprintf(m, sizeof(m), "%s: refused saying \"%s\"", what, want);
	ok(!rd_open(&d, p, n) && strstr(d.err, want) != NULL, m);
	if (d.r != NULL)
		png_close(d.r);
	fclose(d.f);
}

/* SHB, IDB, EPB of 4 bytes, little-endian, written out by hand. */
static const uint8_t literal[] = {
	0x0a,
	0x0d,
	0x0d,
	0x0a,
	28,
	0,
	0,
	0, /* SHB, 28 bytes */
	0x4d,
	0x3c,
	0x2b,
	0x1a,
	1,
	0,
	0,
	0, /* byte order, 1.0 */
	0xff,
	0xff,
	0xff,
	0xff,
	0xff,
	0xff,
	0xff,
	0xff,
	28,
	0,
	0,
	0,
	1,
	0,
	0,
	0,
	28,
	0,
	0,
	0, /* IDB, 28 bytes */
	101,
	0,
	0,
	0,
	0x40,
	0,
	0,
	0, /* raw IP, snaplen 64 */
	9,
	0,
	1,
	0,
	3,
	0,
	0,
	0, /* if_tsresol 10^-3 */
	28,
	0,
	0,
	0, /* (no opt_endofopt) */
	6,
	0,
	0,
	0,
	36,
	0,
	0,
	0, /* EPB, 36 bytes */
	0,
	0,
	0,
	0,
	0,
	0,
	0,
	0, /* interface 0, time high */
	0xd2,
	0x02,
	0x96,
	0x49, /* time low: 1234567890 ms */
	4,
	0,
	0,
	0,
	40,
	0,
	0,
	0, /* caplen 4, len 40 */
	0x45,
	0,
	0,
	40,
	36,
	0,
	0,
	0,
};

static void
t_literal(void)
{
	struct rd d;
	struct png_pkt p;

	ok(rd_open(&d, literal, sizeof(literal)), "literal: opens");
	if (d.r == NULL)
		return;
	ok(png_nifs(d.r) == 1 && png_if(d.r, 0)->linktype == 101 &&
		png_if(d.r, 0)->snaplen == 64 && png_if(d.r, 0)->tsresol == 3 &&
		png_if(d.r, 0)->tsprec == 3,
	    "literal: the interface, read before the first packet");
	ok(png_next(d.r, &p, d.err, sizeof(d.err)) == 1 && p.ifidx == 0 &&
		p.ts_ns == 1234567890000000ULL && p.caplen == 4 &&
		p.len == 40 && p.data[0] == 0x45 && p.data[3] == 40 &&
		p.direction == -1 && p.comment == NULL,
	    "literal: the packet, milliseconds");
	ok(png_next(d.r, &p, d.err, sizeof(d.err)) == 0 &&
		png_next(d.r, &p, d.err, sizeof(d.err)) == 0,
	    "literal: the end, repeated");
	ok(png_offset(d.r) == sizeof(literal), "literal: offset at the end");
	rd_close(&d);
}

/*
 * Two sections: little-endian with two interfaces (Ethernet, ns,
 * snaplen 65535; Linux cooked, default us, snaplen 128) and blocks to
 * skip, then big-endian with 2^-20 s and an offset, seconds and an
 * offset, a simple packet block and an obsolete one.  The same again
 * with the byte orders the other way round.
 */
static void
t_sections(int be)
{
	struct bld b = { 0 };
	struct rd d;
	struct png_pkt p;
	const struct png_if *i;
	char m[128];
	int rc;

	shb(&b, be);
	idb(&b, 1, 65535, "eth0", "tcp port 80", 9, 0);
	other(&b, 4, 17); /* name resolution */
	idb(&b, 113, 128, NULL, NULL, -1, 0);
	epb(&b, 0, 1700000000123456789ULL, 60, 60, -1, NULL);
	other(&b, 5, 24); /* interface statistics */
	epb(&b, 1, 1700000001000002ULL, 40, 1500, 2, "a comment");
	other(&b, 0x0A, 8);	  /* decryption secrets */
	other(&b, 0x40000BAD, 3); /* custom */
	other(&b, 0x12345678, 0); /* unknown */
	shb(&b, !be);
	idb(&b, 101, 0, "wg0", NULL, 0x80 | 20, -100);
	idb(&b, 228, 30, "x", NULL, 0, 5);
	epb(&b, 1, 1700000000ULL, 20, 20, 1, NULL);
	epb(&b, 0, (1800000000ULL << 20) + (1u << 19), 8, 8, 0, NULL);
	spb(&b, 60, 60); /* interface 0: snaplen 0, all 60 */
	pb(&b, 1, 1700000009ULL, 4, 4, 2);
	spb(&b, 100, 4); /* cut by the block's room */
	b.be = !be;

	snprintf(m, sizeof(m), "sections (%s first): opens",
	    be ? "big-endian" : "little-endian");
	ok(rd_open(&d, b.p, b.n), m);
	if (d.r == NULL)
		return;
	ok(png_nifs(d.r) == 2,
	    "sections: two interfaces before the first packet");
	rc = png_next(d.r, &p, d.err, sizeof(d.err));
	ok(rc == 1 && p.ifidx == 0 && p.ts_ns == 1700000000123456789ULL &&
		p.caplen == 60 && p.len == 60 &&
		memcmp(p.data, frame, 60) == 0 && p.direction == -1,
	    "sections: packet 1, interface 0, ns");
	rc = png_next(d.r, &p, d.err, sizeof(d.err));
	ok(rc == 1 && p.ifidx == 1 && p.ts_ns == 1700000001000002000ULL &&
		p.caplen == 40 && p.len == 1500 && p.direction == 2 &&
		p.comment != NULL && strcmp(p.comment, "a comment") == 0 &&
		p.commentlen == 9,
	    "sections: packet 2, interface 1, us by default, flags, comment");
	rc = png_next(d.r, &p, d.err, sizeof(d.err));
	ok(rc == 1 && p.ifidx == 3 && p.ts_ns == 1700000005000000000ULL &&
		p.caplen == 20 && p.direction == 1,
	    "sections: packet 3, the second section's interface 1 is 3, "
	    "seconds + 5 s");
	rc = png_next(d.r, &p, d.err, sizeof(d.err));
	ok(rc == 1 && p.ifidx == 2 &&
		p.ts_ns == 1800000000500000000ULL - 100000000000ULL &&
		p.direction == 0,
	    "sections: packet 4, 2^-20 s, offset -100 s");
	rc = png_next(d.r, &p, d.err, sizeof(d.err));
	ok(rc == 1 && p.ifidx == 2 && p.ts_ns == 0 && p.caplen == 60 &&
		p.len == 60 && memcmp(p.data, frame, 60) == 0 &&
		p.direction == -1,
	    "sections: a simple packet block on interface 0 (2)");
	rc = png_next(d.r, &p, d.err, sizeof(d.err));
	ok(rc == 1 && p.ifidx == 3 && p.ts_ns == 1700000014000000000ULL &&
		p.caplen == 4 && p.direction == 2,
	    "sections: an obsolete packet block, pack_flags");
	rc = png_next(d.r, &p, d.err, sizeof(d.err));
	ok(rc == 1 && p.ifidx == 2 && p.caplen == 4 && p.len == 100,
	    "sections: a simple packet block cut by its room");
	ok(png_next(d.r, &p, d.err, sizeof(d.err)) == 0, "sections: the end");
	ok(png_nifs(d.r) == 4, "sections: four interfaces");
	i = png_if(d.r, 0);
	ok(i->linktype == 1 && i->snaplen == 65535 &&
		strcmp(i->name, "eth0") == 0 &&
		strcmp(i->filter, "tcp port 80") == 0 && i->tsresol == 9 &&
		i->tsprec == 9 && i->section == 0,
	    "sections: interface 0");
	i = png_if(d.r, 1);
	ok(i->linktype == 113 && i->snaplen == 128 && i->name[0] == '\0' &&
		i->filter[0] == '\0' && i->tsresol == 6 && i->tsprec == 6,
	    "sections: interface 1, no options");
	i = png_if(d.r, 2);
	ok(i->linktype == 101 && i->snaplen == 0 && i->tsresol == (0x80 | 20) &&
		i->tsprec == 7 && i->tsoffset == -100 && i->section == 1 &&
		strcmp(i->name, "wg0") == 0,
	    "sections: interface 2, 2^-20 s (7 digits), offset");
	i = png_if(d.r, 3);
	ok(i->linktype == 228 && i->tsprec == 0 && i->tsoffset == 5 &&
		i->section == 1,
	    "sections: interface 3");
	ok(png_if(d.r, 4) == NULL, "sections: no interface 4");
	ok(png_offset(d.r) == b.n, "sections: the offset is the file's size");
	rd_close(&d);
	free(b.p);
}

/*
 * The time of one packet: ticks in resolution res, offset off.  Returns
 * png_next's status, the time in *ns.
 */
static int
one_time(int be, int res, int64_t off, uint64_t ticks, uint64_t *ns)
{
	struct bld b = { 0 };
	struct rd d;
	struct png_pkt p;
	int rc;

	shb(&b, be);
	idb(&b, 1, 0, NULL, NULL, res, off);
	epb(&b, 0, ticks, 0, 0, -1, NULL);
	if (!rd_open(&d, b.p, b.n))
		abort();
	rc = png_next(d.r, &p, d.err, sizeof(d.err));
	*ns = rc == 1 ? p.ts_ns : 0;
	if (rc < 0 && strstr(d.err, "time out of range") == NULL)
		rc = -2;
	rd_close(&d);
	free(b.p);
	return rc;
}

static void
t_times(void)
{
	static const struct {
		int res;
		int64_t off;
		uint64_t ticks, want;
		int rc;
		const char *what;
	} v[] = {
		{ 9, 0, 1700000000123456789ULL, 1700000000123456789ULL, 1,
		    "ns" },
		{ 6, 0, 1700000000123456ULL, 1700000000123456000ULL, 1, "us" },
		{ 0, 0, 1700000000ULL, 1700000000000000000ULL, 1, "seconds" },
		{ 12, 0, 1700000000123456789ULL, 1700000000123456ULL, 1,
		    "ps: cut to the ns below" },
		{ 19, 0, 0xffffffffffffffffULL, 1844674407ULL, 1, "10^-19 s" },
		{ 127, 0, 0xffffffffffffffffULL, 0, 1, "10^-127 s" },
		{ 0x80 | 0, 0, 1700000000ULL, 1700000000000000000ULL, 1,
		    "2^0 s" },
		{ 0x80 | 30, 0, (3ULL << 30) | (1ULL << 29), 3500000000ULL, 1,
		    "2^-30 s" },
		{ 0x80 | 32, 0, (1700000000ULL << 32) | 0xffffffffULL,
		    1700000000999999999ULL, 1, "2^-32 s, the ns below" },
		{ 0x80 | 63, 0, 1ULL << 62, 500000000ULL, 1, "2^-63 s" },
		{ 0x80 | 64, 0, 1ULL << 63, 500000000ULL, 1, "2^-64 s" },
		{ 0x80 | 96, 0, 0xffffffffffffffffULL, 0, 1,
		    "2^-96 s: under a ns" },
		{ 0x80 | 127, 0, 0xffffffffffffffffULL, 0, 1, "2^-127 s" },
		{ 9, 1000, 5, 1000000000005ULL, 1, "offset +1000 s" },
		{ 9, -1, 1000000000ULL, 0, 1, "offset -1 s to the epoch" },
		{ 9, -1, 999999999ULL, 0, -1, "offset before the epoch" },
		{ 9, INT64_MIN, 0xffffffffffffffffULL, 0, -1,
		    "offset INT64_MIN" },
		{ 9, INT64_MAX, 0, 0, -1, "offset INT64_MAX" },
		{ 9, 18446744073LL, 709551615ULL, 0xffffffffffffffffULL, 1,
		    "offset to the last ns of 2554" },
		{ 9, 18446744073LL, 709551616ULL, 0, -1, "offset past 2554" },
		{ 0, 0, 18446744074ULL, 0, -1, "seconds past 2554" },
		{ 0x80 | 1, 0, 2 * 18446744073ULL + 1,
		    0xffffffffffffffffULL - 209551615, 1,
		    "2^-1 s, half a second before 2^64 ns" },
		{ 0x80 | 2, 0, 4 * 18446744073ULL + 3, 0, -1,
		    "2^-2 s, the fraction past 2^64 ns" },
		{ 0x80, 0, 18446744074ULL, 0, -1, "2^0 s past 2554" },
		{ 0x80 | 1, 0, 0xffffffffffffffffULL, 0, -1,
		    "2^-1 s past 2554" },
	};
	char m[160];
	uint64_t ns;
	size_t k;
	int rc, be;

	for (be = 0; be <= 1; be++)
		for (k = 0; k < sizeof(v) / sizeof(v[0]); k++) {
			rc = one_time(be, v[k].res, v[k].off, v[k].ticks, &ns);
			snprintf(m, sizeof(m),
			    "time %s (%s): status %d, %llu ns", v[k].what,
			    be ? "big-endian" : "little-endian", rc,
			    (unsigned long long)ns);
			ok(rc == v[k].rc && (rc != 1 || ns == v[k].want), m);
		}
}

/* A section header and two interfaces, in b. */
static void
head(struct bld *b, int be)
{
	memset(b, 0, sizeof(*b));
	shb(b, be);
	idb(b, 1, 96, "a", NULL, 9, 0);
	idb(b, 12, 0, "b", NULL, 6, 0);
}

static void
t_errors(int be)
{
	struct bld b;
	size_t at, k;

	head(&b, be);
	epb(&b, 0, 1, 4, 4, -1, NULL);
	u32(&b, 6);
	u32(&b, 30);
	fails("length not a multiple of 4", &b, 1, "length 30 not a multiple");
	head(&b, be);
	u32(&b, 6);
	u32(&b, 8);
	u32(&b, 8);
	fails("length under 12", &b, 0, "length 8 too small");
	head(&b, be);
	at = start(&b, 6);
	end(&b, at);
	fails("packet block of 12 bytes", &b, 0,
	    "enhanced packet block too short");
	head(&b, be);
	epb(&b, 1, 1, 4, 4, -1, NULL);
	b.p[b.n - (be ? 1 : 4)] ^= 4;
	fails("lengths at the two ends differ", &b, 0, "at its end");
	head(&b, be);
	u32(&b, 6);
	u32(&b, 16 * 1024 * 1024 + 4);
	fails("a block over 16 MiB", &b, 0, "above 16 MiB");
	head(&b, be);
	epb(&b, 0, 1, 4, 4, -1, NULL);
	epb(&b, 1, 2, 60, 60, -1, NULL);
	b.n -= 9;
	fails("the last block cut", &b, 1, "truncated block: 83 of 92 bytes");
	head(&b, be);
	epb(&b, 0, 1, 4, 4, -1, NULL);
	u32(&b, 6);
	u8(&b, 0);
	fails("cut in a block's type and length", &b, 1,
	    "truncated block: 5 of 8 bytes");
	head(&b, be);
	epb(&b, 2, 1, 4, 4, -1, NULL);
	fails("an unknown interface", &b, 0,
	    "names interface 2; the section describes 2");
	memset(&b, 0, sizeof(b));
	shb(&b, be);
	spb(&b, 4, 4);
	fails("a simple packet block without an interface", &b, 0,
	    "names interface 0; the section describes 0");
	head(&b, be);
	shb(&b, !be);
	epb(&b, 1, 1, 4, 4, -1, NULL);
	fails("a new section forgets the interfaces", &b, 0,
	    "names interface 1; the section describes 0");
	head(&b, be);
	epb(&b, 0, 1, 8, 8, -1, NULL);
	b.p[b.n - 16 - (be ? 1 : 4)] = 9; /* caplen 9 in a block of 8 */
	fails("a captured length past the block", &b, 0,
	    "captured length 9 past the block's end");
	head(&b, be);
	epb(&b, 0, 1, 8, 4, -1, NULL);
	fails("a captured length above the length", &b, 0,
	    "captured length 8 above the length 4");
	head(&b, be);
	at = start(&b, 1);
	u16(&b, 1);
	u16(&b, 0);
	u32(&b, 0);
	u16(&b, 2);
	u16(&b, 200);
	u32(&b, 0);
	end(&b, at);
	fails("an option past its block", &b, 0, "an option runs past");
	head(&b, be);
	at = start(&b, 6);
	u32(&b, 0);
	u64(&b, 0);
	u32(&b, 0);
	u32(&b, 0);
	u16(&b, 1);
	u16(&b, 1);
	end(&b, at);
	fails("a packet's option past its block", &b, 0,
	    "enhanced packet block: an option runs past");
	head(&b, be);
	at = start(&b, 1);
	u32(&b, 1);
	end(&b, at);
	fails("an interface description too short", &b, 0,
	    "interface description block too short");
	head(&b, be);
	at = start(&b, 1);
	u32(&b, 1);
	u32(&b, 0);
	opt(&b, 9, "\x06\x06", 2);
	end(&b, at);
	fails("if_tsresol of 2 bytes", &b, 0, "if_tsresol of 2 bytes, not 1");
	head(&b, be);
	at = start(&b, 1);
	u32(&b, 1);
	u32(&b, 0);
	opt(&b, 14, "\0\0\0\0", 4);
	end(&b, at);
	fails("if_tsoffset of 4 bytes", &b, 0, "if_tsoffset of 4 bytes, not 8");
	head(&b, be);
	at = start(&b, 0x0A0D0D0A);
	u32(&b, 0x1A2B3C4E);
	end(&b, at);
	fails("a section header without byte-order magic", &b, 0,
	    "no byte-order magic");
	head(&b, be);
	at = start(&b, 0x0A0D0D0A);
	u32(&b, 0x1A2B3C4D);
	u16(&b, 2);
	u16(&b, 0);
	u64(&b, 0);
	end(&b, at);
	fails("pcapng version 2", &b, 0, "pcapng version 2, not 1");
	head(&b, be);
	at = start(&b, 0x0A0D0D0A);
	u32(&b, 0x1A2B3C4D);
	end(&b, at);
	fails("a section header too short", &b, 0,
	    "section header block too short");
	head(&b, be);
	b.n -= 3;
	fails("an interface description cut", &b, 0, "truncated block");
	memset(&b, 0, sizeof(b));
	shb(&b, be);
	for (k = 0; k < 513; k++)
		idb(&b, 1, 0, NULL, NULL, -1, 0);
	fails("513 interfaces", &b, 0, "more than 512 interfaces");
}

static void
t_refused(void)
{
	static const uint8_t classic[24] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4 };
	static const uint8_t badbom[12] = { 0x0a, 0x0d, 0x0d, 0x0a, 12, 0, 0, 0,
		1, 2, 3, 4 };
	struct bld b = { 0 };

	refused("a classic pcap file", classic, sizeof(classic),
	    "not a pcapng file");
	refused("an empty file", "", 0, "not a pcapng file: empty");
	refused("3 bytes", "\x0a\x0d\x0d", 3, "truncated block: 3 of 8 bytes");
	refused("no byte-order magic", badbom, sizeof(badbom),
	    "no byte-order magic");
	refused("the first section header cut", literal, 20,
	    "truncated block: 20 of 28 bytes");
	shb(&b, 0);
	b.p[4] = 13;
	refused("a section header of 13 bytes", b.p, b.n,
	    "length 13 not a multiple of 4");
	free(b.p);
}

/* A packet captured longer than 256 KiB is cut to it, keeping its len. */
static void
t_big(int be)
{
	struct bld b = { 0 };
	struct rd d;
	struct png_pkt p;
	size_t at;
	uint32_t k, n = 300000;

	shb(&b, be);
	idb(&b, 1, 0, NULL, NULL, -1, 0);
	at = start(&b, 6);
	u32(&b, 0);
	u64(&b, 0);
	u32(&b, n);
	u32(&b, n + 1);
	for (k = 0; k < n; k++)
		u8(&b, (uint8_t)(k % 251));
	opt(&b, 1, "big", 3);
	end(&b, at);
	epb(&b, 0, 7, 4, 4, -1, NULL);
	if (!rd_open(&d, b.p, b.n))
		abort();
	ok(png_next(d.r, &p, d.err, sizeof(d.err)) == 1 &&
		p.caplen == PNG_CAPLEN_MAX && p.len == n + 1 &&
		p.data[PNG_CAPLEN_MAX - 1] == (PNG_CAPLEN_MAX - 1) % 251 &&
		p.comment != NULL && strcmp(p.comment, "big") == 0,
	    "a 300000-byte packet cut to 262144, its comment kept");
	ok(png_next(d.r, &p, d.err, sizeof(d.err)) == 1 && p.ts_ns == 7000 &&
		p.caplen == 4,
	    "and the packet after it");
	rd_close(&d);
	free(b.p);
}

int
main(void)
{
	int be;

	t_literal();
	for (be = 0; be <= 1; be++) {
		t_sections(be);
		t_errors(be);
		t_big(be);
	}
	t_times();
	t_refused();
	if (failures == 0)
		printf("PASS: pngread: %d checks (layouts, both byte orders, "
		       "sections, times, errors)\n",
		    checks);
	return failures != 0;
}
