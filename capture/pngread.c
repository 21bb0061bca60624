/*
 * The pcapng block reader (see pngread.h): what nm-capture falls back on
 * when libpcap refuses a pcapng file because its interfaces differ in
 * link type or snaplen.  Blocks are read whole, with fread, into one
 * buffer reused from block to block, and parsed through share/cur.h's
 * cursor in the byte order of their section.  Packets are handed out as
 * they are; nothing here looks inside one.
 *
 * Layouts (draft-ietf-opsawg-pcapng), after the type and length words:
 *   SHB 0x0A0D0D0A: byte-order magic, major, minor, section length (64)
 *   IDB 1: link type (16), reserved (16), snaplen
 *   EPB 6: interface, time high, time low, caplen, original length, data
 *   SPB 3: original length, data (interface 0, no time)
 *   PB  2: interface (16), drops (16), time high, time low, caplen,
 *          original length, data (obsolete)
 * then options (code 16, length 16, value padded to 32 bits; code 0 ends
 * them), then the length again.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cur.h"
#include "cap.h"
#include "pngread.h"

_Static_assert(PNG_CAPLEN_MAX == CAP_SNAPLEN_MAX,
    "pngread cuts packets where nm-capture does");

#define BT_SHB 0x0A0D0D0Au /* the same in both byte orders */
#define BT_IDB 1u
#define BT_PB  2u
#define BT_SPB 3u
#define BT_EPB 6u
#define BOM    0x1A2B3C4Du

#define OPT_END	    0
#define OPT_COMMENT 1
#define IF_NAME	    2
#define IF_TSRESOL  9
#define IF_FILTER   11
#define IF_TSOFFSET 14
#define EPB_FLAGS   2 /* and the obsolete block's pack_flags */

/*
 * The largest block accepted.  A packet block nm keeps holds at most
 * PNG_CAPLEN_MAX bytes of data (longer ones are cut, not refused) and
 * options of at most 64 KiB each; 16 MiB leaves room for the name
 * resolution and custom blocks other writers make, which are read and
 * skipped.  A longer length is a corrupt file.  The buffer grows only as
 * bytes arrive, so a length that lies costs no memory.
 */
#define PNG_BLOCK_MAX (16u * 1024 * 1024)
/*
 * Interfaces in one file.  nm-capture names each in its header record,
 * which must fit REC_MAX_SIZE (1 MiB): 512 with the longest names and
 * filters kept here take some 650 KiB.  Without a bound, a file of
 * 20-byte descriptions would cost 1.3 KiB of table for each.
 */
#define PNG_IFS_MAX 512
#define PNG_GROW    65536 /* the buffer's first size and least step */

struct png_reader {
	FILE *f;
	uint64_t off;	/* where the next block starts */
	uint64_t npkts; /* packets handed out */
	int be;		/* this section is big-endian */
	uint32_t nsect; /* sections seen */
	size_t base;	/* index of this section's interface 0 */
	struct png_if *ifs;
	size_t nifs, capifs;
	uint8_t *buf; /* the current block, whole */
	size_t cap;
	/* png_open reads ahead to the first packet; png_next hands it out */
	int ahead; /* 1 packet, 0 end, -1 error, 2 none pending */
	struct png_pkt pkt;
	int state;	     /* 0 reading, 1 ended, -1 failed */
	char why[256];	     /* the error, repeated */
	char comment[65536]; /* an option is at most 65535 bytes */
};

static void png_err(struct png_reader *r, uint64_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records an error at byte at; later calls repeat it. */
static void
png_err(struct png_reader *r, uint64_t at, const char *fmt, ...)
{
	char what[192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(r->why, sizeof(r->why), "byte %llu: %s (after %llu packets)",
	    (unsigned long long)at, what, (unsigned long long)r->npkts);
	r->state = -1;
}

static uint16_t
g16(struct cur *c, int be)
{
	return be ? cur_be16(c) : cur_le16(c);
}

static uint32_t
g32(struct cur *c, int be)
{
	return be ? cur_be32(c) : cur_le32(c);
}

static uint64_t
g64(struct cur *c, int be)
{
	uint64_t a = g32(c, be), b = g32(c, be);

	return be ? a << 32 | b : b << 32 | a;
}

/*
 * Reads bytes [have, want) of the current block into the buffer, which
 * grows at most to twice what has arrived.  Returns 1, or 0 when the file
 * ends (or fails) first: an error, or the clean end (r->state 1) when no
 * byte of the block came and may_end.
 */
static int
png_fill(
    struct png_reader *r, size_t have, size_t want, uint64_t at, int may_end)
{
	size_t n, ncap;
	uint8_t *p;

	while (have < want) {
		if (r->cap == have) {
			ncap = r->cap < PNG_GROW ? PNG_GROW : r->cap * 2;
			if ((p = realloc(r->buf, ncap)) == NULL) {
				png_err(r, at, "out of memory");
				return 0;
			}
			r->buf = p;
			r->cap = ncap;
		}
		n = (r->cap < want ? r->cap : want) - have;
		n = fread(r->buf + have, 1, n, r->f);
		have += n;
		r->off += n;
		if (n == 0) {
			if (ferror(r->f))
				png_err(r, at, "read error: %s",
				    strerror(errno ? errno : EIO));
			else if (have == 0 && may_end)
				r->state = 1;
			else
				png_err(r, at,
				    "truncated block: %zu of %zu bytes", have,
				    want);
			return 0;
		}
	}
	return 1;
}

/* Copies an option's text up to its first NUL, cut to fit dst. */
static void
png_text(char *dst, size_t dstlen, const uint8_t *p, size_t n)
{
	const uint8_t *nul = memchr(p, '\0', n);

	if (nul != NULL)
		n = (size_t)(nul - p);
	if (n > dstlen - 1)
		n = dstlen - 1;
	memcpy(dst, p, n);
	dst[n] = '\0';
}

/*
 * The next option in c: 1 with its code and value in *val, 0 at the end
 * of the options (opt_endofopt or no bytes left), -1 when one runs past
 * the block.
 */
static int
png_opt(struct cur *c, int be, uint16_t *code, struct cur *val)
{
	uint16_t n;

	if (cur_left(c) == 0)
		return 0;
	*code = g16(c, be);
	n = g16(c, be);
	if (!cur_ok(c))
		return -1;
	if (*code == OPT_END)
		return 0;
	if (!cur_take(c, n, val) || !cur_skip(c, (4 - n % 4) % 4))
		return -1;
	return 1;
}

/* Decimal digits a resolution carries (nm's tsprec), at most 9. */
static int
png_prec(uint8_t res)
{
	unsigned e = res & 0x7f;

	if (res & 0x80)
		e = (e * 30103 + 99999) / 100000; /* 2^-e: e log10(2), up */
	return e > 9 ? 9 : (int)e;
}

static int
png_idb(struct png_reader *r, struct cur *c, uint64_t at)
{
	struct png_if *i;
	struct cur v;
	uint16_t code;
	int rc;

	if (r->nifs == PNG_IFS_MAX) {
		png_err(r, at, "more than %d interfaces", PNG_IFS_MAX);
		return -1;
	}
	if (r->nifs == r->capifs) {
		r->capifs = r->capifs ? r->capifs * 2 : 4;
		i = realloc(r->ifs, r->capifs * sizeof(*i));
		if (i == NULL) {
			png_err(r, at, "out of memory");
			return -1;
		}
		r->ifs = i;
	}
	i = &r->ifs[r->nifs];
	memset(i, 0, sizeof(*i));
	i->linktype = g16(c, r->be);
	(void)g16(c, r->be); /* reserved */
	i->snaplen = g32(c, r->be);
	i->tsresol = 6; /* microseconds unless said otherwise */
	i->section = r->nsect - 1;
	if (!cur_ok(c)) {
		png_err(r, at, "interface description block too short");
		return -1;
	}
	while ((rc = png_opt(c, r->be, &code, &v)) == 1) {
		switch (code) {
		case IF_NAME:
			png_text(i->name, sizeof(i->name), v.p, cur_left(&v));
			break;
		case IF_FILTER:
			/* the first byte says what follows: 0, libpcap's text
			 */
			if (cur_u8(&v) == 0 && cur_ok(&v))
				png_text(i->filter, sizeof(i->filter), v.p,
				    cur_left(&v));
			break;
		case IF_TSRESOL:
			if (cur_left(&v) != 1) {
				png_err(r, at, "if_tsresol of %zu bytes, not 1",
				    cur_left(&v));
				return -1;
			}
			i->tsresol = cur_u8(&v);
			break;
		case IF_TSOFFSET:
			if (cur_left(&v) != 8) {
				png_err(r, at,
				    "if_tsoffset of %zu bytes, not 8",
				    cur_left(&v));
				return -1;
			}
			i->tsoffset = (int64_t)g64(&v, r->be);
			break;
		}
	}
	if (rc < 0) {
		png_err(r, at,
		    "interface description: an option runs past "
		    "the block");
		return -1;
	}
	i->tsprec = png_prec(i->tsresol);
	r->nifs++;
	return 0;
}

/* floor(frac * 10^9 / 2^e) for frac < 2^e, e < 128, exactly. */
static uint64_t
png_frac2(uint64_t frac, unsigned e)
{
	const uint64_t ns = 1000000000;
	uint64_t p0 = (frac & 0xffffffff) * ns, p1 = (frac >> 32) * ns;
	uint64_t lo = p0 + (p1 << 32), hi = (p1 >> 32) + (lo < p0);

	if (e >= 64)
		return hi >> (e - 64);
	if (e == 0)
		return 0;
	return lo >> e | hi << (64 - e);
}

/*
 * A time in the interface's units, plus its offset, in ns since the
 * epoch: 0 when it falls before 1970 or after 2554 (2^64 ns).
 */
static int
png_time(const struct png_if *i, uint64_t t, uint64_t *out)
{
	const uint64_t ns = 1000000000;
	unsigned e = i->tsresol & 0x7f, k;
	uint64_t v, m, sec, off;

	if (i->tsresol & 0x80) {
		sec = e >= 64 ? 0 : t >> e;
		if (sec > UINT64_MAX / ns)
			return 0;
		v = png_frac2(e >= 64 ? t : t & (((uint64_t)1 << e) - 1), e);
		if (v > UINT64_MAX - sec * ns)
			return 0;
		v += sec * ns;
	} else if (e <= 9) {
		for (m = 1, k = e; k < 9; k++)
			m *= 10;
		if (t > UINT64_MAX / m)
			return 0;
		v = t * m;
	} else {
		for (v = t, k = 9; k < e && v != 0; k++)
			v /= 10;
	}
	if (i->tsoffset >= 0) {
		off = (uint64_t)i->tsoffset;
		if (off > UINT64_MAX / ns || v > UINT64_MAX - off * ns)
			return 0;
		v += off * ns;
	} else {
		off = (uint64_t)(-(i->tsoffset + 1)) + 1;
		if (off > UINT64_MAX / ns || v < off * ns)
			return 0;
		v -= off * ns;
	}
	*out = v;
	return 1;
}

/* The options of a packet block: its flags and its first comment. */
static int
png_pktopts(struct png_reader *r, struct cur *c, struct png_pkt *p)
{
	struct cur v;
	uint16_t code;
	size_t n;
	int rc;

	while ((rc = png_opt(c, r->be, &code, &v)) == 1) {
		if (code == EPB_FLAGS && cur_left(&v) == 4)
			p->direction = (int)(g32(&v, r->be) & 3);
		else if (code == OPT_COMMENT && p->comment == NULL) {
			n = cur_left(&v);
			memcpy(r->comment, v.p, n);
			r->comment[n] = '\0';
			p->comment = r->comment;
			p->commentlen = n;
		}
	}
	return rc;
}

static const char *
png_bname(uint32_t type)
{
	switch (type) {
	case BT_EPB: return "enhanced packet block";
	case BT_SPB: return "simple packet block";
	default: return "packet block";
	}
}

/*
 * A packet block (EPB, SPB or the obsolete PB) in c, its body; fills
 * r->pkt.  Returns 1, or -1 with r->why set.
 */
static int
png_pblock(struct png_reader *r, uint32_t type, struct cur *c, uint64_t at)
{
	struct png_pkt *p = &r->pkt;
	const struct png_if *i;
	uint32_t id, hi = 0, lo = 0, caplen, len, room;
	size_t nsect = r->nifs - r->base;

	memset(p, 0, sizeof(*p));
	p->direction = -1;
	if (type == BT_SPB) {
		id = 0;
		len = g32(c, r->be);
		caplen = len;
	} else {
		if (type == BT_PB) {
			id = g16(c, r->be);
			(void)g16(c, r->be); /* drops */
		} else
			id = g32(c, r->be);
		hi = g32(c, r->be);
		lo = g32(c, r->be);
		caplen = g32(c, r->be);
		len = g32(c, r->be);
	}
	if (!cur_ok(c)) {
		png_err(r, at, "%s too short", png_bname(type));
		return -1;
	}
	if (id >= nsect) {
		png_err(r, at,
		    "%s names interface %lu; the section describes %zu",
		    png_bname(type), (unsigned long)id, nsect);
		return -1;
	}
	i = &r->ifs[r->base + id];
	room = (uint32_t)cur_left(c);
	if (type == BT_SPB) {
		/* no captured length: what the snaplen and the block allow */
		if (i->snaplen != 0 && caplen > i->snaplen)
			caplen = i->snaplen;
		if (caplen > room)
			caplen = room;
	} else if (caplen > room) {
		png_err(r, at, "%s: captured length %lu past the block's end",
		    png_bname(type), (unsigned long)caplen);
		return -1;
	} else if (caplen > len) {
		png_err(r, at, "%s: captured length %lu above the length %lu",
		    png_bname(type), (unsigned long)caplen, (unsigned long)len);
		return -1;
	}
	p->data = cur_ptr(c, caplen);
	(void)cur_skip(c, (4 - caplen % 4) % 4);
	/* cut, not refused (tshark refuses): as a snaplen of ours would */
	p->caplen = caplen > PNG_CAPLEN_MAX ? PNG_CAPLEN_MAX : caplen;
	p->len = len;
	p->ifidx = (uint32_t)(r->base + id);
	if (type != BT_SPB &&
	    !png_time(i, (uint64_t)hi << 32 | lo, &p->ts_ns)) {
		png_err(r, at,
		    "%s: time out of range (before 1970 or after 2554)",
		    png_bname(type));
		return -1;
	}
	if (type != BT_SPB && png_pktopts(r, c, p) < 0) {
		png_err(r, at, "%s: an option runs past the block",
		    png_bname(type));
		return -1;
	}
	r->npkts++;
	return 1;
}

/* A section header in c, after its byte-order magic. */
static int
png_shb(struct png_reader *r, struct cur *c, uint64_t at)
{
	uint16_t major = g16(c, r->be);

	(void)g16(c, r->be); /* minor: 0, or 2 from old writers */
	(void)g64(c, r->be); /* section length: often not given */
	if (!cur_ok(c)) {
		png_err(r, at, "section header block too short");
		return -1;
	}
	if (major != 1) {
		png_err(r, at, "pcapng version %u, not 1", major);
		return -1;
	}
	/* its options (shb_hardware and the like) say nothing we keep */
	r->nsect++;
	r->base = r->nifs;
	return 0;
}

/*
 * Reads blocks up to the next packet, into r->pkt.  Returns 1, 0 at the
 * end of the file, -1 on an error (r->why).
 */
static int
png_step(struct png_reader *r)
{
	uint64_t at;
	uint32_t type, len, tail;
	size_t hdr;
	struct cur c;

	while (r->state == 0) {
		at = r->off;
		if (!png_fill(r, 0, 8, at, 1))
			break;
		c = cur_make(r->buf, 8);
		type = g32(&c, r->be);
		hdr = 8;
		if (type == BT_SHB) {
			/* the byte order is the new section's */
			if (!png_fill(r, 8, 12, at, 0))
				break;
			if (memcmp(r->buf + 8, "\x1A\x2B\x3C\x4D", 4) == 0)
				r->be = 1;
			else if (memcmp(r->buf + 8, "\x4D\x3C\x2B\x1A", 4) == 0)
				r->be = 0;
			else {
				png_err(r, at,
				    "section header: no byte-order "
				    "magic");
				break;
			}
			hdr = 12;
		} else if (r->nsect == 0) {
			snprintf(r->why, sizeof(r->why), "not a pcapng file");
			r->state = -1;
			break;
		}
		c = cur_make(r->buf + 4, 4);
		len = g32(&c, r->be);
		if (len < 12 || len % 4 != 0 || len > PNG_BLOCK_MAX ||
		    len < hdr + 4) {
			png_err(r, at, "block of type 0x%08lx: length %lu%s",
			    (unsigned long)type, (unsigned long)len,
			    len > PNG_BLOCK_MAX ? " above 16 MiB"
				: len % 4 != 0	? " not a multiple of 4"
						: " too small");
			break;
		}
		if (!png_fill(r, hdr, len, at, 0))
			break;
		c = cur_make(r->buf + len - 4, 4);
		tail = g32(&c, r->be);
		if (tail != len) {
			png_err(r, at,
			    "block of type 0x%08lx: length %lu at "
			    "its end, %lu at its start",
			    (unsigned long)type, (unsigned long)tail,
			    (unsigned long)len);
			break;
		}
		c = cur_make(r->buf + hdr, len - hdr - 4);
		switch (type) {
		case BT_SHB:
			if (png_shb(r, &c, at) < 0)
				return -1;
			break;
		case BT_IDB:
			if (png_idb(r, &c, at) < 0)
				return -1;
			break;
		case BT_EPB:
		case BT_SPB:
		case BT_PB: return png_pblock(r, type, &c, at);
		default: break; /* statistics, names, custom: not ours */
		}
	}
	return r->state == 1 ? 0 : -1;
}

struct png_reader *
png_open(FILE *f, char *err, size_t errlen)
{
	struct png_reader *r;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->f = f;
	r->ahead = png_step(r);
	if (r->nsect == 0) {
		/* no section header came: not ours to read */
		if (r->state == 1)
			snprintf(err, errlen, "not a pcapng file: empty");
		else
			snprintf(err, errlen, "%s", r->why);
		png_close(r);
		return NULL;
	}
	return r;
}

int
png_next(struct png_reader *r, struct png_pkt *p, char *err, size_t errlen)
{
	int rc;

	if (r->ahead != 2) {
		rc = r->ahead;
		r->ahead = 2;
	} else
		rc = png_step(r);
	if (rc == 1)
		*p = r->pkt;
	else if (rc < 0)
		snprintf(err, errlen, "%s", r->why);
	return rc;
}

size_t
png_nifs(const struct png_reader *r)
{
	return r->nifs;
}

const struct png_if *
png_if(const struct png_reader *r, size_t i)
{
	return i < r->nifs ? &r->ifs[i] : NULL;
}

uint64_t
png_offset(const struct png_reader *r)
{
	return r->off;
}

void
png_close(struct png_reader *r)
{
	if (r == NULL)
		return;
	free(r->ifs);
	free(r->buf);
	free(r);
}
