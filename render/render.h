/*
 * nm-render's private interface: the output context, a one-pass view of a
 * packet record, the small formatting helpers every mode appends with, and
 * the entry points of each mode's file (text.c, fields.c, report.c).  Lines
 * are built in a reused struct strbuf (share/strbuf.h, the buffer the JSON
 * writer appends to) and written whole, so a packet costs no allocation
 * once the buffer has grown to the longest line.
 */
#ifndef RENDER_H
#define RENDER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "json.h"
#include "nm.h"
#include "proto.h"
#include "rec.h"
#include "strbuf.h"

enum out_mode {
	OUT_COMPACT,
	OUT_DETAILED,
	OUT_MINIMAL,
	OUT_JSON,
	OUT_FIELDS,
	OUT_TOP /* -m top: the full-screen table (top.h) */
};

/* The time column, as tcpdump's -t options choose it. */
enum out_time {
	OUT_TIME_LOCAL, /* HH:MM:SS.mmm in the local zone (TZ) */
	OUT_TIME_NONE,	/* -t: none */
	OUT_TIME_EPOCH, /* -tt: seconds since the epoch, microseconds */
	OUT_TIME_DELTA, /* -ttt: since the previous packet */
	OUT_TIME_DATE,	/* -tttt: local date and time, microseconds */
	OUT_TIME_SINCE	/* -ttttt: since the first packet */
};

/* tshark's -E occurrence: which values of a several-valued field */
enum out_occ { OCC_ALL, OCC_FIRST, OCC_LAST, OCC_NTH };

struct out_field;

struct out {
	enum out_mode mode;
	enum out_time tmode;
	int color;			 /* write ANSI escapes */
	int ascii;			 /* not a UTF-8 locale: ">" arrows */
	int json_time;			 /* --json-time */
	int nonames;			 /* -N: addresses without names */
	int ruled;			 /* the last line out was a rule */
	size_t addr_w;			 /* compact's address columns */
	const struct out_field **fields; /* -e, in order */
	size_t nfields;
	int header;	  /* -E header=y */
	char sep, agg;	  /* -E separator=, aggregator= ('\0': tab, ',') */
	char quote;	  /* -E quote= ('\0': none) */
	enum out_occ occ; /* -E occurrence= */
	unsigned occ_n;	  /* ... its N, from 1 */
	time_t tsec;	  /* localtime cache: second */
	char tbuf[20];	  /* ... and its HH:MM:SS, or date and time */
	int tvalid;
	uint64_t tfirst, tprev; /* -ttttt and -ttt: first and last packet */
	int tseen;
	char **srcname; /* the header's sources, named (source.c) */
	char **srcif;	/* ...and their interfaces' (frame.interface_name) */
	int *srcfile;	/* ... each one a file */
	size_t nsrc;
	size_t if_w; /* the interface column's width; 0: none (one source) */
	struct geo *geo; /* --geo's database: nm-render's own lookups */
	int nogeo;	 /* --geo off: no geolocation shown at all */
};

/*
 * A packet or frame record's top-level keys, found in one pass over the
 * map.  Pointers point into the record: valid until the next rec_read().
 */
struct out_pkt {
	const msgpack_object *eth, *sll, *null, *vlan, *arp, *ip, *ipv6;
	const msgpack_object *tcp, *udp, *icmp, *icmpv6, *dns, *err;
	const msgpack_object *tls, *quic, *http; /* application layers */
	const msgpack_object *proto, *service, *data;
	uint64_t ts, len, caplen, svcport, ifidx;
	uint64_t poff, plen; /* where the payload is */
	int has_svcport, has_poff, has_plen;
	int is_frame;
};

/* --- fmt.c --- */
/*
 * " GB AS12345 Test Net One": where the address under addrkey of map is,
 * from its geo map under geokey, else nm-render's own lookup; nothing
 * when neither knows (or --geo off).  bracket: in "[...]".
 */
void out_geo(const struct out *o, struct strbuf *b, const msgpack_object *map,
    const char *geokey, const char *addrkey, int bracket);
void out_scan(const msgpack_object *map, struct out_pkt *p);
void out_time(struct out *o, struct strbuf *b, uint64_t ts);
void out_addr(struct strbuf *b, const msgpack_object *v);
size_t out_addr_len(const msgpack_object *v, char *buf, size_t len);
size_t out_addr_buf(const msgpack_object *v, char *buf, size_t len);
void out_safe(struct strbuf *b, const char *s, size_t n);
void out_u64(struct strbuf *b, uint64_t v);
void out_ns(struct strbuf *b, uint64_t ns);
void out_i64(struct strbuf *b, int64_t v);
void out_hex(struct strbuf *b, uint64_t v, int width);
void out_hexbytes(struct strbuf *b, const msgpack_object *bin);
void out_value(struct strbuf *b, const msgpack_object *v);
/*
 * An address, in brackets when it is IPv6, so "[fe80::1]: 6" or
 * "[fe80::1]:80" cannot be misread; nothing for NULL.
 */
void out_host(struct strbuf *b, const msgpack_object *a);
/*
 * The name nm-stats (or nm-detect) put beside an address under namekey
 * of map (the passive names: what DNS answers on the wire called it),
 * as " (www.example.com)"; nothing without one, or with -N.
 */
void out_name(const struct out *o, struct strbuf *b, const msgpack_object *map,
    const char *namekey);
void out_hexdump(struct strbuf *b, const uint8_t *p, size_t n);
uint64_t out_u(const msgpack_object *map, const char *key, uint64_t dflt);
int out_has(const msgpack_object *map, const char *key);

/* " → ", or " > " outside a UTF-8 locale; " ← " and " < " the other way */
const char *out_arrow(const struct out *o);
const char *out_larrow(const struct out *o);

/* --- source.c --- */
/* Learns the sources' names from the first header that has them. */
void out_sources(struct out *o, const msgpack_object *hdr);
void out_sources_free(struct out *o);
/* Source ifx's name ("NETNS/IFACE" in a namespace; "ifN" unnamed). */
void out_ifname(const struct out *o, struct strbuf *b, uint64_t ifx);
/* The interface column and its space; nothing with one source. */
void out_if_col(const struct out *o, struct strbuf *b, uint64_t ifx);

/* --- text.c --- */
/* An ICMP (v6: ICMPv6) message's name from type and code, or NULL. */
const char *out_icmp_name(uint64_t type, uint64_t code, int v6);
void out_compact(struct out *o, struct strbuf *b, const struct out_pkt *p);
/* The keys of a packet record compact and minimal show (rec_reader_want). */
extern const char *const out_text_keys[];
void out_minimal(struct out *o, struct strbuf *b, const struct out_pkt *p);
void out_detailed(struct out *o, struct strbuf *b, const struct out_pkt *p);
/* TCP flags as letters in brackets: "[S]", "[none]". */
void out_tcp_flags(struct strbuf *b, uint64_t flags);
/*
 * A value as the detailed layout shows it, by what the schema says of its
 * key (id, from rec_key_find; -1 for none): flags with their letters,
 * durations in seconds, hex where the field is.
 */
void out_key_value(struct strbuf *b, int id, const msgpack_object *v);

/* --- alert.c --- */
/* An alert record's line, in the layout of the text mode. */
void out_alert(struct out *o, struct strbuf *b, const msgpack_object *m);
/* What the Alerts section needs: the header's stages, the end records. */
void out_alert_header(const msgpack_object *hdr);
void out_alert_end(const msgpack_object *end);
/* The final report's Alerts section, when there is one to write. */
void out_alert_report(struct out *o, struct strbuf *b);

/* --- fields.c --- */
/* The table entry for a tshark field name, or NULL when unknown. */
const struct out_field *out_field_find(const char *name);
void out_fields(struct out *o, struct strbuf *b, const msgpack_object *map,
    enum rec_type t);
/* Whether any -e field is of records of type t (those get a line). */
int out_fields_want(const struct out *o, enum rec_type t);
/*
 * What the -e fields read of a packet, for rec_reader_want(): the layer
 * (or top-level key) each is under, whole, as the RR type and VLAN tag
 * filters look beside the field.  NULL-terminated; give it back with
 * out_fields_keys_free() (rec_reader_want keeps none of it).
 */
const char *const *out_fields_keys(const struct out *o);
void out_fields_keys_free(const char *const *keys);
/* Writes the supported names, one a line, for --help-fields. */
void out_field_list(struct strbuf *b);
/* The -E header=y line: the field names. */
void out_fields_header(const struct out *o, struct strbuf *b);

/* --- stats.c --- */
/* nm-stats' stats record: the live block, or the final report. */
void out_stats(struct out *o, struct strbuf *b, const msgpack_object *m);

/* --- report.c --- */
void out_report_header(const msgpack_object *map);
void out_report_count(uint64_t ifidx);
void out_report_capstats(const msgpack_object *map);
void out_report_print(void);

/* Starts a colour when colour is on; out_uncolor() ends it. */
static inline void
out_color(const struct out *o, struct strbuf *b, enum out_color c)
{
	if (!o->color || c == OC_NONE)
		return;
	sb_need(b, 5);
	b->p[b->len++] = '\033';
	b->p[b->len++] = '[';
	b->p[b->len++] = (char)('0' + c / 10);
	b->p[b->len++] = (char)('0' + c % 10);
	b->p[b->len++] = 'm';
}

static inline void
out_uncolor(const struct out *o, struct strbuf *b, enum out_color c)
{
	if (o->color && c != OC_NONE)
		sb_add(b, "\033[0m", 4);
}

#endif
