/*
 * DNS messages (RFC 1035), as used by DNS on port 53, mDNS (RFC 6762) on
 * 5353 and LLMNR (RFC 4795) on 5355, over UDP or over TCP with its 2-byte
 * length prefix.  The header, every question, and the resource records of
 * all three sections (answers first: the header's counts say which is
 * which), with the data nm names: A/AAAA addresses, CNAME/NS/PTR targets,
 * MX preference and exchange, TXT text.  The OPT pseudo-record of the
 * additional section is EDNS (RFC 6891), kept apart from the records: the
 * UDP payload size, extended rcode, version, flags and option codes.
 * Compressed names may point anywhere in the message, so jumps are capped
 * and a name stops at 255 characters: a pointer loop ends as an invalid
 * name, not a hang.
 */
#include <string.h>

#include "nm.h"
#include "pkt.h"

#define DNS_MAXJUMPS 32
#define DNS_MAXNAME  255

struct dns_ctx {
	struct pkt *pk;
	struct cur msg; /* the whole message, for pointers */
};

static int
arena_label(struct pkt *pk, struct cur *c, unsigned len)
{
	unsigned i;

	for (i = 0; i < len; i++)
		if (!arena_esc(pk, cur_u8(c), " .\\", 0))
			return 0;
	return 1;
}

/*
 * Reads a name at c (stepping c over its bytes in place) into the arena;
 * returns it NUL-terminated, or NULL with the err map set.
 */
static const char *
dns_name(struct dns_ctx *d, struct cur *c)
{
	struct pkt *pk = d->pk;
	struct cur at = *c, *r = c;
	size_t start = pk->arenalen, wire = 0;
	unsigned len, jumps = 0, off;
	int toolong = 0;

	for (;;) {
		len = cur_u8(r);
		if (!cur_ok(r))
			return dec_fail(pk, "dns", DEC_TRUNC,
				   "name runs past the message"),
			       NULL;
		if (len == 0)
			break;
		if ((len & 0xc0) == 0xc0) {
			off = (len & 0x3f) << 8 | cur_u8(r);
			if (!cur_ok(r))
				return dec_fail(pk, "dns", DEC_TRUNC,
					   "name runs past the message"),
				       NULL;
			if (toolong)
				break; /* c is past the name already */
			if (++jumps > DNS_MAXJUMPS)
				return dec_fail(pk, "dns", DEC_INVALID,
					   "name pointers loop"),
				       NULL;
			at = d->msg;
			if (off >= cur_left(&at))
				return dec_fail(pk, "dns", DEC_INVALID,
					   "name pointer %u past the message",
					   off),
				       NULL;
			cur_skip(&at, off);
			r = &at;
			continue;
		}
		if (len & 0xc0)
			return dec_fail(pk, "dns", DEC_INVALID,
				   "label type 0x%02x", len & 0xc0),
			       NULL;
		wire += len + 1;
		if (cur_left(r) < len)
			return dec_fail(pk, "dns", DEC_TRUNC,
				   "name runs past the message"),
			       NULL;
		if (wire > DNS_MAXNAME || toolong) {
			/* step over the rest, as Wireshark does */
			toolong = 1;
			cur_skip(r, len);
			continue;
		}
		if ((pk->arenalen > start && !arena_put(pk, ".", 1)) ||
		    !arena_label(pk, r, len))
			goto full;
	}
	if (toolong) {
		pk->arenalen = start;
		return "<Name too long>";
	}
	if (pk->arenalen == start && !arena_put(pk, "<Root>", 6))
		goto full;
	if (!arena_put(pk, "", 1))
		goto full;
	return pk->arena + start;
full:
	pk->arenalen = start;
	return dec_fail(pk, "dns", DEC_INVALID, "names too long for nm"), NULL;
}

/*
 * Makes room for entry n of an array of size sz; 0 past max, which a
 * message of 64 KiB cannot reach (an entry takes 5 bytes or more) but is
 * reported as an err if it ever is.  Out of memory exits, by the failure
 * policy of share/: a dropped entry would be a silent loss.
 */
static int
grow(void **arr, unsigned *cap, unsigned n, size_t sz, unsigned max)
{
	unsigned ncap;

	if (n < *cap)
		return 1;
	if (n >= max)
		return 0;
	ncap = *cap ? *cap * 2 : 64;
	if (ncap > max)
		ncap = max;
	*arr = erealloc(*arr, ncap * sz);
	*cap = ncap;
	return 1;
}

static int
dns_question(struct dns_ctx *d, struct cur *c)
{
	struct pkt *pk = d->pk;
	const char *name;
	uint16_t type, class;
	int has_type;

	if ((name = dns_name(d, c)) == NULL)
		return -1;
	type = cur_be16(c);
	has_type = cur_ok(c);
	class = cur_be16(c);
	if (!grow((void **)&pk->dns.q, &pk->dns.qcap, pk->dns.nq,
		sizeof(*pk->dns.q), PKT_MAXQ)) {
		dec_fail(
		    pk, "dns", DEC_INVALID, "more than %u questions", PKT_MAXQ);
		return -1;
	}
	pk->dns.q[pk->dns.nq].name = name;
	pk->dns.q[pk->dns.nq].type = type;
	pk->dns.q[pk->dns.nq].class = class;
	pk->dns.q[pk->dns.nq].has_type = (uint8_t)has_type;
	pk->dns.q[pk->dns.nq].has_class = cur_ok(c);
	pk->dns.nq++;
	if (!cur_ok(c)) {
		dec_fail(
		    pk, "dns", DEC_TRUNC, "question runs past the message");
		return -1;
	}
	return 0;
}

/*
 * TXT: the character-strings joined by spaces, escaped as names are (but
 * for the space and the dot).  Sets *cut when the text is not all the
 * record holds: the arena ran out, or a string's length runs past the
 * record.  NULL (and *cut) when not even an empty text fits.
 */
static const char *
dns_text(struct pkt *pk, struct cur *rd, uint8_t *cut)
{
	size_t start = pk->arenalen;
	unsigned n, i;

	*cut = 0;
	while (cur_left(rd) > 0 && !*cut) {
		n = cur_u8(rd);
		if (n > cur_left(rd)) {
			*cut = 1;
			n = (unsigned)cur_left(rd);
		}
		/* one byte stays spare, for the NUL */
		if (pk->arenalen > start && !arena_esc(pk, ' ', "", 1)) {
			*cut = 1;
			break;
		}
		for (i = 0; i < n; i++)
			if (!arena_esc(pk, cur_u8(rd), "\\", 1)) {
				*cut = 1;
				break;
			}
	}
	if (!arena_put(pk, "", 1)) {
		pk->arenalen = start;
		*cut = 1;
		return NULL;
	}
	return pk->arena + start;
}

/*
 * The OPT pseudo-record's fields (RFC 6891 6.1.2): the class is the UDP
 * payload size, the TTL the extended rcode, version and flags, the data a
 * list of options, of which the codes are kept.
 */
static void
dns_edns(struct pkt *pk, uint16_t class, uint32_t ttl, struct cur *rd)
{
	unsigned code, len;

	pk->dns.edns.has = 1;
	pk->dns.edns.udp_size = class;
	pk->dns.edns.ext_rcode = (uint8_t)(ttl >> 24);
	pk->dns.edns.version = (uint8_t)(ttl >> 16);
	pk->dns.edns.z = (uint16_t)ttl;
	pk->dns.edns.nopt = 0;
	while (cur_left(rd) > 0) {
		code = cur_be16(rd);
		len = cur_be16(rd);
		if (!cur_ok(rd) || !cur_skip(rd, len)) {
			dec_fail(pk, "dns", DEC_INVALID,
			    "EDNS option runs past its record");
			return;
		}
		if (pk->dns.edns.nopt < PKT_MAXOPT)
			pk->dns.edns.opt[pk->dns.edns.nopt] = (uint16_t)code;
		pk->dns.edns.nopt++;
	}
}

/* A resource record; additional says it is in the additional section. */
static int
dns_rr(struct dns_ctx *d, struct cur *c, int additional)
{
	struct pkt *pk = d->pk;
	struct pk_dnsrr *rr;
	struct cur rd, at = *c;
	unsigned rdlen;
	int root;

	if (!grow((void **)&pk->dns.ans, &pk->dns.anscap, pk->dns.nans,
		sizeof(*pk->dns.ans), PKT_MAXANS)) {
		dec_fail(
		    pk, "dns", DEC_INVALID, "more than %u records", PKT_MAXANS);
		return -1;
	}
	rr = &pk->dns.ans[pk->dns.nans];
	rr->addr = NULL;
	rr->target = rr->text = NULL;
	rr->has_pref = rr->text_cut = 0;
	/* the root on the wire (a label may read "<Root>" too) */
	root = cur_u8(&at) == 0 && cur_ok(&at);
	if ((rr->name = dns_name(d, c)) == NULL)
		return -1;
	rr->type = cur_be16(c);
	rr->class = cur_be16(c);
	rr->ttl = cur_be32(c);
	rdlen = cur_be16(c);
	if (!cur_ok(c)) {
		dec_fail(pk, "dns", DEC_TRUNC, "record runs past the message");
		return -1;
	}
	if (!cur_take(c, rdlen, &rd)) {
		dec_fail(pk, "dns", DEC_TRUNC,
		    "record data needs %u bytes, %zu captured", rdlen,
		    cur_left(&rd));
		return -1;
	}
	/* the first OPT of the additional section is EDNS, no record; its
	 * owner must be the root (RFC 6891 6.1.2), else it stays a record */
	if (rr->type == 41 && additional && root && !pk->dns.edns.has) {
		dns_edns(pk, rr->class, rr->ttl, &rd);
		return 0;
	}
	switch (rr->type) {
	case 1:
	case 28:
		if (rdlen == (rr->type == 1 ? 4u : 16u)) {
			rr->addr = rd.p;
			rr->addrlen = (uint8_t)rdlen;
		}
		break;
	case 2:
	case 5:
	case 12: rr->target = dns_name(d, &rd); break;
	case 15:
		rr->pref = cur_be16(&rd);
		rr->has_pref = cur_ok(&rd);
		rr->target = dns_name(d, &rd);
		break;
	case 16: rr->text = dns_text(pk, &rd, &rr->text_cut); break;
	}
	pk->dns.nans++;
	return 0;
}

enum dec_status
dec_dns_msg(struct pkt *pk, struct cur *c)
{
	struct dns_ctx d = { pk, *c };
	size_t have = cur_left(c);
	unsigned i, nrr;

	pk->have |= PK_DNS;
	pk->proto = "DNS";
	pk->dns.got = have < 12 ? (uint8_t)have : 12;
	pk->dns.nq = pk->dns.nans = 0;
	pk->dns.edns.has = pk->dns.has_time = 0;
	pk->dns.id = cur_be16(c);
	pk->dns.flags = cur_be16(c);
	pk->dns.qd = cur_be16(c);
	pk->dns.an = cur_be16(c);
	pk->dns.ns = cur_be16(c);
	pk->dns.ar = cur_be16(c);
	if (have < 12)
		return dec_short(pk, "dns", 12, have);
	/* Each entry takes at least 5 bytes: the counts cannot spin. */
	for (i = 0; i < pk->dns.qd; i++)
		if (dns_question(&d, c) < 0)
			return DEC_TRUNC;
	nrr = (unsigned)pk->dns.an + pk->dns.ns + pk->dns.ar;
	for (i = 0; i < nrr; i++)
		if (dns_rr(&d, c, i >= (unsigned)pk->dns.an + pk->dns.ns) < 0)
			return DEC_TRUNC;
	return DEC_UNKNOWN;
}

/* Over TCP a message starts with its length (RFC 1035 4.2.2). */
enum dec_status
dec_dns(struct pkt *pk, struct cur *c)
{
	struct cur m;
	size_t have;
	unsigned len;

	if (!(pk->have & PK_TCP))
		return dec_dns_msg(pk, c);
	have = cur_left(c);
	len = cur_be16(c);
	if (have < 2)
		return dec_short(pk, "dns", 2, have);
	cur_take(c, len, &m);
	return dec_dns_msg(pk, &m);
}
