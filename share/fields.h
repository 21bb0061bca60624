/*
 * tshark's field names and where nm keeps each one in a packet record:
 * the one table nm-render's -e and the -Y filter (filter.c) both read, so
 * a name means the same value to both.  A path that crosses an array
 * (vlan, dns.q, dns.ans) has a value per element; field_walk() hands out
 * every value of a field, with tshark's conditions (dns.a only of type 1
 * answers, vlan only of 802.1Q tags, ...) applied.
 */
#ifndef FIELDS_H
#define FIELDS_H

#include <stddef.h>

#include "rec.h"

enum fld_fmt {
	F_DEC, /* decimal; booleans as 0/1 */
	F_HEX2,
	F_HEX4,
	F_HEX5, /* 0x and that many digits at least */
	F_HEX8,
	F_ADDR, /* address text */
	F_STR,	/* text, escaped */
	F_TS,	/* nanoseconds as seconds.nnnnnnnnn (times and spans) */
	F_NAME, /* DNS name; the root as <Root> */
	F_BIT,	/* 1 when arg's bits are set, else 0 */
	F_MAC,	/* address text, only of a 6-byte address */
	F_IP4,	/* address text, only of a 4-byte address */
	F_VLAN, /* decimal, of 802.1Q tags only (tshark's vlan) */
	F_VHEX, /* the same, as F_HEX4 */
	F_SLLT, /* F_HEX4, of a cooked header whose protocol is an
		 * EtherType (tshark's sll.etype) */
	/* F_NAME and F_DEC of every record, and of the EDNS OPT record,
	 * which tshark counts among them and nm keeps apart (dns.edns) */
	F_RRNM,
	F_RRTY,
	F_IFNAME, /* the name the header gives source "if" (nm-render) */
	F_BYTES,  /* bytes as lower-case hex, no separators (tshark's bytes) */
	/* text of an HTTP head's map only when it is a request (it has a
	 * method) or a response (a status code): the version is both's */
	F_HREQ,
	F_HRSP,
	/* where the IPv4 (F_GEO4) or IPv6 (F_GEO6) source or destination
	 * is: the record's src_geo or dst_geo, else nm-render's own lookup */
	F_GEO4,
	F_GEO6
};

struct out_field {
	const char *name; /* tshark's */
	const char *path; /* the record's, dotted */
	enum fld_fmt fmt;
	unsigned arg;	     /* F_BIT: mask; else: RR or ICMPv6 type */
	enum rec_type rtype; /* REC_UNKNOWN here means a packet */
};

#define FIELD_MAXCOMP 3

/* A field's path split at its dots, once, for field_walk(). */
struct field_ref {
	const struct out_field *f;
	int n;
	char comp[FIELD_MAXCOMP][32];
};

/* The packet field of that tshark name in the table, or NULL. */
const struct out_field *field_find(const char *name);
/*
 * The same, or "stats.PATH" / "flow.PATH" / "alert.PATH": a path the
 * schema knows in records of that type (nm-stats(1) and nm-records(5)
 * list them), whose rtype says so.  NULL when there is no such field; why
 * then says what is wrong with a stats., flow. or alert. name (empty for
 * any other name).
 */
const struct out_field *field_find_typed(
    const char *name, char *why, size_t whylen);
/* The table, ended by an entry whose name is NULL. */
const struct out_field *field_table(void);
void field_ref_init(struct field_ref *r, const struct out_field *f);
/*
 * Calls fn on each value of the field in the record map, in order, until
 * fn returns nonzero (then returns that).  An F_BIT field's value is the
 * whole flags word: the caller applies f->arg.
 */
typedef int (*field_fn)(void *arg, const msgpack_object *v);
int field_walk(const struct field_ref *r, const msgpack_object *map,
    field_fn fn, void *arg);

#endif
