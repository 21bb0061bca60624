/*
 * -o fields: one tab-separated line per packet record, one column per -e
 * field, named as tshark names them so a table from nm lines up with
 * `tshark -T fields`.  The whole mapping is the table below: tshark's name,
 * the record path it comes from, and how tshark prints it.  A path that
 * crosses an array (vlan, dns.q, dns.ans) yields every element's value,
 * joined with ','; an absent value leaves the column empty.  tshark's -E
 * settings (struct out) choose the separator, the quotes, a header line
 * and which of several values a column shows.
 */
#include <string.h>

#include "render.h"

enum fld_fmt {
	F_DEC, /* decimal; booleans as 0/1 */
	F_HEX2,
	F_HEX4,
	F_HEX5, /* 0x and that many digits at least */
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
	F_RRTY
};

struct out_field {
	const char *name; /* tshark's */
	const char *path; /* the record's, dotted */
	enum fld_fmt fmt;
	unsigned arg;	     /* F_BIT: mask; else: RR or ICMPv6 type */
	enum rec_type rtype; /* REC_UNKNOWN here means a packet */
};

#define MAXCOMP 3

static const struct out_field table[] = {
	{ "frame.time_epoch", "ts", F_TS, 0, 0 },
	{ "frame.len", "len", F_DEC, 0, 0 },
	{ "frame.cap_len", "caplen", F_DEC, 0, 0 },
	{ "frame.interface_id", "if", F_DEC, 0, 0 },
	{ "eth.src", "eth.src", F_ADDR, 0, 0 },
	{ "eth.dst", "eth.dst", F_ADDR, 0, 0 },
	{ "eth.type", "eth.type", F_HEX4, 0, 0 },
	{ "sll.pkttype", "sll.pkttype", F_DEC, 0, 0 },
	{ "sll.src.eth", "sll.src", F_ADDR, 0, 0 },
	{ "sll.etype", "sll.proto", F_SLLT, 0, 0 },
	{ "vlan.id", "vlan.id", F_VLAN, 0, 0 },
	{ "vlan.priority", "vlan.pcp", F_VLAN, 0, 0 },
	{ "vlan.etype", "vlan.type", F_VHEX, 0, 0 },
	{ "ip.src", "ip.src", F_ADDR, 0, 0 },
	{ "ip.dst", "ip.dst", F_ADDR, 0, 0 },
	{ "ip.proto", "ip.proto", F_DEC, 0, 0 },
	{ "ip.ttl", "ip.ttl", F_DEC, 0, 0 },
	{ "ip.len", "ip.len", F_DEC, 0, 0 }, { "ip.id", "ip.id", F_HEX4, 0, 0 },
	{ "ip.hdr_len", "ip.hl", F_DEC, 0, 0 },
	{ "ip.dsfield", "ip.tos", F_HEX2, 0, 0 },
	{ "ip.flags.df", "ip.df", F_DEC, 0, 0 },
	{ "ip.flags.mf", "ip.mf", F_DEC, 0, 0 },
	{ "ip.frag_offset", "ip.frag", F_DEC, 0, 0 },
	{ "ip.checksum", "ip.sum", F_HEX4, 0, 0 },
	{ "ipv6.src", "ipv6.src", F_ADDR, 0, 0 },
	{ "ipv6.dst", "ipv6.dst", F_ADDR, 0, 0 },
	{ "ipv6.nxt", "ipv6.nxt", F_DEC, 0, 0 },
	{ "ipv6.hlim", "ipv6.hlim", F_DEC, 0, 0 },
	{ "ipv6.plen", "ipv6.plen", F_DEC, 0, 0 },
	{ "ipv6.flow", "ipv6.flow", F_HEX5, 0, 0 },
	{ "ipv6.tclass", "ipv6.tc", F_HEX2, 0, 0 },
	{ "tcp.srcport", "tcp.sport", F_DEC, 0, 0 },
	{ "tcp.dstport", "tcp.dport", F_DEC, 0, 0 },
	{ "tcp.flags", "tcp.flags", F_HEX4, 0, 0 },
	{ "tcp.flags.fin", "tcp.flags", F_BIT, TCP_FIN, 0 },
	{ "tcp.flags.syn", "tcp.flags", F_BIT, TCP_SYN, 0 },
	{ "tcp.flags.reset", "tcp.flags", F_BIT, TCP_RST, 0 },
	{ "tcp.flags.push", "tcp.flags", F_BIT, TCP_PSH, 0 },
	{ "tcp.flags.ack", "tcp.flags", F_BIT, TCP_ACK, 0 },
	{ "tcp.flags.urg", "tcp.flags", F_BIT, TCP_URG, 0 },
	{ "tcp.seq_raw", "tcp.seq", F_DEC, 0, 0 },
	{ "tcp.ack_raw", "tcp.ack", F_DEC, 0, 0 },
	{ "tcp.window_size_value", "tcp.win", F_DEC, 0, 0 },
	{ "tcp.len", "tcp.len", F_DEC, 0, 0 },
	{ "tcp.hdr_len", "tcp.hl", F_DEC, 0, 0 },
	{ "tcp.checksum", "tcp.sum", F_HEX4, 0, 0 },
	{ "tcp.urgent_pointer", "tcp.urp", F_DEC, 0, 0 },
	{ "tcp.options.mss_val", "tcp.opts.mss", F_DEC, 0, 0 },
	{ "tcp.options.wscale.shift", "tcp.opts.ws", F_DEC, 0, 0 },
	{ "tcp.options.timestamp.tsval", "tcp.opts.tsval", F_DEC, 0, 0 },
	{ "tcp.options.timestamp.tsecr", "tcp.opts.tsecr", F_DEC, 0, 0 },
	{ "udp.srcport", "udp.sport", F_DEC, 0, 0 },
	{ "udp.dstport", "udp.dport", F_DEC, 0, 0 },
	{ "udp.length", "udp.len", F_DEC, 0, 0 },
	{ "udp.checksum", "udp.sum", F_HEX4, 0, 0 },
	{ "icmp.type", "icmp.type", F_DEC, 0, 0 },
	{ "icmp.code", "icmp.code", F_DEC, 0, 0 },
	{ "icmp.checksum", "icmp.sum", F_HEX4, 0, 0 },
	{ "icmp.ident", "icmp.id", F_DEC, 0, 0 },
	{ "icmp.seq", "icmp.seq", F_DEC, 0, 0 },
	{ "icmpv6.type", "icmpv6.type", F_DEC, 0, 0 },
	{ "icmpv6.code", "icmpv6.code", F_DEC, 0, 0 },
	{ "icmpv6.checksum", "icmpv6.sum", F_HEX4, 0, 0 },
	{ "icmpv6.echo.identifier", "icmpv6.id", F_HEX4, 0, 0 },
	{ "icmpv6.echo.sequence_number", "icmpv6.seq", F_DEC, 0, 0 },
	/* tshark names the target by the message: solicitation,
	 * advertisement, redirect */
	{ "icmpv6.nd.ns.target_address", "icmpv6.target", F_ADDR, 135, 0 },
	{ "icmpv6.nd.na.target_address", "icmpv6.target", F_ADDR, 136, 0 },
	{ "icmpv6.nd.rd.target_address", "icmpv6.target", F_ADDR, 137, 0 },
	{ "arp.hw.type", "arp.htype", F_DEC, 0, 0 },
	{ "arp.proto.type", "arp.ptype", F_HEX4, 0, 0 },
	{ "arp.opcode", "arp.op", F_DEC, 0, 0 },
	{ "arp.src.hw_mac", "arp.sha", F_MAC, 0, 0 },
	{ "arp.src.proto_ipv4", "arp.spa", F_IP4, 0, 0 },
	{ "arp.dst.hw_mac", "arp.tha", F_MAC, 0, 0 },
	{ "arp.dst.proto_ipv4", "arp.tpa", F_IP4, 0, 0 },
	{ "dns.id", "dns.id", F_HEX4, 0, 0 },
	{ "dns.flags.response", "dns.qr", F_DEC, 0, 0 },
	{ "dns.flags.opcode", "dns.opcode", F_DEC, 0, 0 },
	{ "dns.flags.authoritative", "dns.aa", F_DEC, 0, 0 },
	{ "dns.flags.truncated", "dns.tc", F_DEC, 0, 0 },
	{ "dns.flags.recdesired", "dns.rd", F_DEC, 0, 0 },
	{ "dns.flags.recavail", "dns.ra", F_DEC, 0, 0 },
	{ "dns.flags.rcode", "dns.rcode", F_DEC, 0, 0 },
	{ "dns.count.queries", "dns.qd", F_DEC, 0, 0 },
	{ "dns.count.answers", "dns.an", F_DEC, 0, 0 },
	{ "dns.count.auth_rr", "dns.ns", F_DEC, 0, 0 },
	{ "dns.count.add_rr", "dns.ar", F_DEC, 0, 0 },
	{ "dns.qry.name", "dns.q.name", F_NAME, 0, 0 },
	{ "dns.qry.type", "dns.q.type", F_DEC, 0, 0 },
	{ "dns.qry.class", "dns.q.class", F_HEX4, 0, 0 },
	{ "dns.resp.name", "dns.ans.name", F_RRNM, 0, 0 },
	{ "dns.resp.type", "dns.ans.type", F_RRTY, 0, 0 },
	{ "dns.resp.ttl", "dns.ans.ttl", F_DEC, 0, 0 },
	{ "dns.a", "dns.ans.addr", F_ADDR, 1, 0 },
	{ "dns.ns", "dns.ans.target", F_NAME, 2, 0 },
	{ "dns.cname", "dns.ans.target", F_NAME, 5, 0 },
	{ "dns.ptr.domain_name", "dns.ans.target", F_NAME, 12, 0 },
	{ "dns.mx.mail_exchange", "dns.ans.target", F_NAME, 15, 0 },
	{ "dns.txt", "dns.ans.text", F_STR, 16, 0 },
	{ "dns.aaaa", "dns.ans.addr", F_ADDR, 28, 0 },
	{ "dns.rr.udp_payload_size", "dns.edns.udp_size", F_DEC, 0, 0 },
	{ "dns.resp.ext_rcode", "dns.edns.ext_rcode", F_HEX2, 0, 0 },
	{ "dns.resp.edns0_version", "dns.edns.version", F_DEC, 0, 0 },
	{ "dns.resp.z", "dns.edns.z", F_HEX4, 0, 0 },
	{ "dns.resp.z.do", "dns.edns.do", F_DEC, 0, 0 },
	{ "dns.opt.code", "dns.edns.opts", F_DEC, 0, 0 },
	{ "dns.time", "dns.time", F_TS, 0, 0 }, /* seconds, as a duration */
	{ "dns.response_to", "dns.qframe", F_DEC, 0, 0 },
	{ NULL, NULL, F_DEC, 0, 0 }
};

/*
 * A tshark name from the table, or "stats.PATH" / "flow.PATH": a path the
 * schema knows in records of that type (nm-stats(1) lists them), for
 * lines of that type.  A path it does not know there is a usage error:
 * the column would only ever be empty.
 */
const struct out_field *
out_field_find(const char *name)
{
	static const char *const prefixes[] = { "stats.", "flow." };
	static const enum rec_type types[] = { REC_STATS, REC_FLOW };
	static struct out_field dyn[128];
	static size_t ndyn;
	const struct out_field *f;
	const struct rec_key *k;
	struct out_field *nf;
	size_t i, n;
	int id;

	for (f = table; f->name != NULL; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	for (i = 0; i < 2; i++) {
		n = strlen(prefixes[i]);
		if (strncmp(name, prefixes[i], n) != 0 || name[n] == '\0')
			continue;
		if ((id = rec_key_path(name + n)) == 0 ||
		    !((k = rec_key(id))->in & REC_IN(types[i])))
			nm_die(NM_EXIT_USAGE,
			    "unknown field: %s (%s records "
			    "have no '%s'; see nm-stats(1))",
			    name, rec_type_name(types[i]), name + n);
		if (k->type == KT_MAP ||
		    (k->type == KT_ARRAY && k->elem == KT_MAP))
			nm_die(NM_EXIT_USAGE,
			    "field %s holds a map: name one "
			    "of its keys (see nm-stats(1))",
			    name);
		/* a fixed pool: fields live as long as the program */
		if (ndyn == sizeof(dyn) / sizeof(dyn[0]))
			nm_die(NM_EXIT_USAGE,
			    "more than %zu stats and flow "
			    "fields",
			    ndyn);
		nf = &dyn[ndyn++];
		nf->name = name;
		nf->path = name + n;
		nf->fmt = F_DEC;
		nf->rtype = types[i];
		return nf;
	}
	return NULL;
}

int
out_fields_want(const struct out *o, enum rec_type t)
{
	size_t i;
	enum rec_type ft;

	for (i = 0; i < o->nfields; i++) {
		ft = o->fields[i]->rtype ? o->fields[i]->rtype : REC_PACKET;
		if (ft == t)
			return 1;
	}
	return 0;
}

const char *const *
out_fields_keys(const struct out *o)
{
	const char **keys = ecalloc(o->nfields + 1, sizeof(*keys));
	const char *path;
	char *key;
	size_t i, j, n, k = 0;

	for (i = 0; i < o->nfields; i++) {
		if (o->fields[i]->rtype != REC_UNKNOWN)
			continue; /* not a packet's */
		path = o->fields[i]->path;
		n = strcspn(path, ".");
		for (j = 0; j < k; j++)
			if (strncmp(keys[j], path, n) == 0 &&
			    keys[j][n] == '\0')
				break;
		if (j == k) {
			key = estrdup(path);
			key[n] = '\0';
			keys[k++] = key;
		}
	}
	return keys;
}

void
out_fields_keys_free(const char *const *keys)
{
	size_t i;

	for (i = 0; keys[i] != NULL; i++)
		free((void *)(uintptr_t)keys[i]);
	free((void *)(uintptr_t)keys);
}

void
out_field_list(struct strbuf *b)
{
	const struct out_field *f;

	for (f = table; f->name != NULL; f++) {
		sb_adds(b, f->name);
		sb_addc(b, '\n');
	}
}

static uint64_t
num(const msgpack_object *v)
{
	if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
		return v->via.u64;
	if (v->type == MSGPACK_OBJECT_BOOLEAN)
		return v->via.boolean;
	return 0;
}

static void
emit(struct strbuf *b, const struct out_field *f, const msgpack_object *v)
{
	uint64_t x = num(v);
	int isnum = v->type == MSGPACK_OBJECT_POSITIVE_INTEGER ||
	    v->type == MSGPACK_OBJECT_BOOLEAN;

	switch (f->fmt) {
	case F_HEX2:
	case F_HEX4:
	case F_HEX5:
	case F_VHEX:
	case F_SLLT:
		if (isnum) {
			out_hex(b, x,
			    f->fmt == F_HEX2	   ? 2
				: f->fmt == F_HEX5 ? 5
						   : 4);
			return;
		}
		break;
	case F_TS:
		if (isnum) {
			out_ns(b, x);
			return;
		}
		break;
	case F_BIT:
		if (isnum) {
			sb_addc(b, (x & f->arg) ? '1' : '0');
			return;
		}
		break;
	case F_NAME:
	case F_RRNM:
		if (v->type == MSGPACK_OBJECT_STR &&
		    (v->via.str.size == 0 ||
			(v->via.str.size == 1 && v->via.str.ptr[0] == '.'))) {
			sb_adds(b, "<Root>");
			return;
		}
		break;
	default: break;
	}
	out_value(b, v);
}

/* One column being written: where it starts, how many values it met. */
struct walk {
	const struct out *o;
	const struct out_field *f;
	struct strbuf *b;
	size_t start;
	unsigned count;
};

/*
 * Whether the next value of the column is shown, as -E occurrence= and
 * aggregator= say; when it is, the separator before it is written.
 */
static int
occurrence(struct walk *w)
{
	unsigned k = ++w->count;

	switch (w->o->occ) {
	case OCC_FIRST: return k == 1;
	case OCC_LAST: w->b->len = w->start; return 1;
	case OCC_NTH: return k == w->o->occ_n;
	default:
		if (k > 1)
			sb_addc(w->b, w->o->agg ? w->o->agg : ',');
		return 1;
	}
}

/* One value of the column. */
static void
value(struct walk *w, const msgpack_object *v)
{
	if (occurrence(w))
		emit(w->b, w->f, v);
}

/*
 * Emits the value at comp[i..n) below v, descending through maps and
 * every element of arrays.  At the map that holds the last key, an RR
 * type filter (dns.a takes only type 1 answers, the ICMPv6 targets their
 * message's) decides.
 */
static void
walk(struct walk *w, const msgpack_object *v, char comp[][32], int i, int n)
{
	const struct out_field *f = w->f;
	uint32_t j;
	const msgpack_object *c;

	if (v->type == MSGPACK_OBJECT_ARRAY) {
		for (j = 0; j < v->via.array.size; j++)
			walk(w, &v->via.array.ptr[j], comp, i, n);
		return;
	}
	if (i == n) {
		if (v->type == MSGPACK_OBJECT_MAP)
			return;
		/* tshark names only addresses of the expected size */
		if ((f->fmt == F_MAC || f->fmt == F_IP4) &&
		    (v->type != MSGPACK_OBJECT_BIN ||
			v->via.bin.size != (f->fmt == F_MAC ? 6u : 4u)))
			return;
		value(w, v);
		return;
	}
	if (v->type != MSGPACK_OBJECT_MAP)
		return;
	if (i == n - 1 && f->fmt != F_BIT && f->arg != 0 &&
	    out_u(v, "type", 0) != f->arg)
		return;
	/* 802.1ad service tags are not tshark's vlan protocol */
	if (i == n - 1 && (f->fmt == F_VLAN || f->fmt == F_VHEX) &&
	    out_u(v, "tpid", 0) == 0x88a8)
		return;
	/* tshark names a cooked header's protocol sll.etype unless it is a
	 * GRE type (ARPHRD_IPGRE) or a Linux protocol number (up to 1536) */
	if (i == n - 1 && f->fmt == F_SLLT &&
	    (out_u(v, "hatype", 0) == 778 || out_u(v, "proto", 0) <= 1536))
		return;
	if ((c = rec_get(v, comp[i])) != NULL)
		walk(w, c, comp, i + 1, n);
}

/*
 * -E quote=: what was written from start on, in quotes, a quote inside
 * doubled (as CSV readers take it).  An empty column stays empty, as
 * tshark leaves it.
 */
static void
quote_from(struct strbuf *b, size_t start, char q)
{
	size_t i, j, nq = 0, n = b->len - start;

	if (q == '\0' || n == 0)
		return;
	for (i = start; i < b->len; i++)
		nq += b->p[i] == q;
	sb_need(b, n + nq + 2);
	j = b->len + nq + 2;
	b->p[--j] = q;
	for (i = b->len; i-- > start;) {
		b->p[--j] = b->p[i];
		if (b->p[i] == q)
			b->p[--j] = q;
	}
	b->p[--j] = q;
	b->len += nq + 2;
}

void
out_fields_header(const struct out *o, struct strbuf *b)
{
	size_t i, start;

	for (i = 0; i < o->nfields; i++) {
		if (i > 0)
			sb_addc(b, o->sep ? o->sep : '\t');
		start = b->len;
		sb_adds(b, o->fields[i]->name);
		quote_from(b, start, o->quote);
	}
	sb_addc(b, '\n');
}

static int
split(const char *path, char comp[][32])
{
	int n = 0;
	size_t k;

	while (n < MAXCOMP) {
		k = strcspn(path, ".");
		if (k >= 32)
			k = 31;
		memcpy(comp[n], path, k);
		comp[n][k] = '\0';
		n++;
		if (path[k] != '.')
			break;
		path += k + 1;
	}
	return n;
}

void
out_fields(
    struct out *o, struct strbuf *b, const msgpack_object *map, enum rec_type t)
{
	const struct out_field *f;
	char comp[MAXCOMP][32];
	struct walk w;
	size_t i;
	int n;

	for (i = 0; i < o->nfields; i++) {
		if (i > 0)
			sb_addc(b, o->sep ? o->sep : '\t');
		/* a field of another record type stays empty */
		if ((o->fields[i]->rtype ? o->fields[i]->rtype : REC_PACKET) !=
		    t)
			continue;
		n = split(o->fields[i]->path, comp);
		w.o = o;
		w.f = f = o->fields[i];
		w.b = b;
		w.start = b->len;
		w.count = 0;
		walk(&w, map, comp, 0, n);
		/* last: the OPT record is the last of a message as a rule;
		 * its owner is the root, or it is no OPT to nm-decode */
		if ((f->fmt == F_RRNM || f->fmt == F_RRTY) &&
		    rec_path(map, "dns.edns") != NULL && occurrence(&w))
			sb_adds(b, f->fmt == F_RRNM ? "<Root>" : "41");
		quote_from(b, w.start, o->quote);
	}
	sb_addc(b, '\n');
}
