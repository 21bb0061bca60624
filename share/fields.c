/*
 * The table of tshark's field names (fields.h): each name, the path of
 * its value in a packet record and how tshark prints it, and the walk
 * that finds every value of one field in a record.  nm-render's -o fields
 * prints what the walk finds; the -Y filter compares it.
 */
#include <stdio.h>
#include <string.h>

#include "fields.h"
#include "nm.h"
#include "proto.h"

static const struct out_field table[] = {
	{ "frame.time_epoch", "ts", F_TS, 0, 0 },
	{ "frame.len", "len", F_DEC, 0, 0 },
	{ "frame.cap_len", "caplen", F_DEC, 0, 0 },
	{ "frame.interface_id", "if", F_DEC, 0, 0 },
	{ "frame.interface_name", "if", F_IFNAME, 0, 0 },
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
	/* TLS over TCP and over QUIC (tls.c) */
	{ "tls.record.content_type", "tls.rec_types", F_DEC, 0, 0 },
	{ "tls.record.opaque_type", "tls.opaque_types", F_DEC, 0, 0 },
	{ "tls.record.version", "tls.rec_versions", F_HEX4, 0, 0 },
	{ "tls.handshake.type", "tls.types", F_DEC, 0, 0 },
	{ "tls.handshake.version", "tls.version", F_HEX4, 0, 0 },
	{ "tls.handshake.extensions_server_name", "tls.sni", F_STR, 0, 0 },
	{ "tls.handshake.extensions_alpn_str", "tls.alpn", F_STR, 0, 0 },
	{ "tls.handshake.extensions.supported_version", "tls.versions", F_HEX4,
	    0, 0 },
	{ "tls.handshake.ciphersuite", "tls.ciphers", F_HEX4, 0, 0 },
	{ "tls.handshake.extension.type", "tls.exts", F_DEC, 0, 0 },
	{ "tls.handshake.sig_hash_alg", "tls.sigalgs", F_HEX4, 0, 0 },
	{ "tls.handshake.extensions_supported_group", "tls.groups", F_HEX4, 0,
	    0 },
	{ "tls.handshake.ja4", "tls.ja4", F_STR, 0, 0 },
	/* QUIC long headers (quic.c) */
	{ "quic.version", "quic.version", F_HEX8, 0, 0 },
	{ "quic.long.packet_type", "quic.type", F_DEC, 0, 0 },
	{ "quic.dcid", "quic.dcid", F_BYTES, 0, 0 },
	{ "quic.scid", "quic.scid", F_BYTES, 0, 0 },
	{ "quic.token_length", "quic.token_len", F_DEC, 0, 0 },
	{ "quic.length", "quic.length", F_DEC, 0, 0 },
	{ "quic.packet_number", "quic.pn", F_DEC, 0, 0 },
	/* HTTP/1.x heads (http.c) */
	{ "http.request.method", "http.method", F_STR, 0, 0 },
	{ "http.request.uri", "http.uri", F_STR, 0, 0 },
	{ "http.request.version", "http.version", F_HREQ, 0, 0 },
	{ "http.host", "http.host", F_STR, 0, 0 },
	{ "http.user_agent", "http.user_agent", F_STR, 0, 0 },
	{ "http.response.code", "http.code", F_DEC, 0, 0 },
	{ "http.response.phrase", "http.phrase", F_STR, 0, 0 },
	{ "http.response.version", "http.version", F_HRSP, 0, 0 },
	{ "http.content_type", "http.content_type", F_STR, 0, 0 },
	{ "http.content_length", "http.content_length", F_DEC, 0, 0 },
	{ "http.server", "http.server", F_STR, 0, 0 },
	/*
	 * Where addresses are, under Wireshark's GeoIP names: a record's
	 * src_geo/dst_geo maps, or nm-render's own lookups (render/fields.c).
	 * country_name is no record key: only a lookup gives it.
	 */
	{ "ip.geoip.src_country_iso", "src_geo.country", F_GEO4, 0, 0 },
	{ "ip.geoip.src_asnum", "src_geo.asn", F_GEO4, 0, 0 },
	{ "ip.geoip.src_org", "src_geo.as_name", F_GEO4, 0, 0 },
	{ "ip.geoip.src_country", "src_geo.country_name", F_GEO4, 0, 0 },
	{ "ip.geoip.dst_country_iso", "dst_geo.country", F_GEO4, 0, 0 },
	{ "ip.geoip.dst_asnum", "dst_geo.asn", F_GEO4, 0, 0 },
	{ "ip.geoip.dst_org", "dst_geo.as_name", F_GEO4, 0, 0 },
	{ "ip.geoip.dst_country", "dst_geo.country_name", F_GEO4, 0, 0 },
	{ "ipv6.geoip.src_country_iso", "src_geo.country", F_GEO6, 0, 0 },
	{ "ipv6.geoip.src_asnum", "src_geo.asn", F_GEO6, 0, 0 },
	{ "ipv6.geoip.src_org", "src_geo.as_name", F_GEO6, 0, 0 },
	{ "ipv6.geoip.src_country", "src_geo.country_name", F_GEO6, 0, 0 },
	{ "ipv6.geoip.dst_country_iso", "dst_geo.country", F_GEO6, 0, 0 },
	{ "ipv6.geoip.dst_asnum", "dst_geo.asn", F_GEO6, 0, 0 },
	{ "ipv6.geoip.dst_org", "dst_geo.as_name", F_GEO6, 0, 0 },
	{ "ipv6.geoip.dst_country", "dst_geo.country_name", F_GEO6, 0, 0 },
	{ NULL, NULL, F_DEC, 0, 0 }
};

const struct out_field *
field_table(void)
{
	return table;
}

const struct out_field *
field_find(const char *name)
{
	const struct out_field *f;

	for (f = table; f->name != NULL; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

/*
 * How a typed field prints, from how the schema shows its key: a duration
 * (an alert's window) in seconds as tshark's times, TCP flags and other
 * hex keys as tshark's hex; everything else as its value.
 */
static enum fld_fmt
typed_fmt(const struct rec_key *k)
{
	switch (k->show) {
	case SH_SECS: return F_TS;
	case SH_TCPFLAGS:
	case SH_HEX4: return F_HEX4;
	case SH_HEX2: return F_HEX2;
	case SH_HEX5: return F_HEX5;
	case SH_HEX8: return F_HEX8;
	default: return F_DEC;
	}
}

const struct out_field *
field_find_typed(const char *name, char *why, size_t whylen)
{
	/* the record types whose keys are fields, and who documents them */
	static const struct {
		const char *prefix;
		enum rec_type type;
		const char *doc;
	} typed[] = {
		{ "stats.", REC_STATS, "nm-stats(1)" },
		{ "flow.", REC_FLOW, "nm-stats(1)" },
		{ "alert.", REC_ALERT, "nm-records(5)" },
	};
	static struct out_field dyn[128];
	static size_t ndyn;
	const struct out_field *f;
	const struct rec_key *k;
	struct out_field *nf;
	size_t i, n;
	int id;

	why[0] = '\0';
	if ((f = field_find(name)) != NULL)
		return f;
	for (i = 0; i < sizeof(typed) / sizeof(typed[0]); i++) {
		n = strlen(typed[i].prefix);
		if (strncmp(name, typed[i].prefix, n) != 0 || name[n] == '\0')
			continue;
		for (f = dyn; f < dyn + ndyn; f++)
			if (strcmp(f->name, name) == 0)
				return f;
		if ((id = rec_key_path(name + n)) == 0 ||
		    !((k = rec_key(id))->in & REC_IN(typed[i].type))) {
			snprintf(why, whylen, "%s records have no '%s'; see %s",
			    rec_type_name(typed[i].type), name + n,
			    typed[i].doc);
			return NULL;
		}
		if (k->type == KT_MAP ||
		    (k->type == KT_ARRAY && k->elem == KT_MAP)) {
			snprintf(why, whylen,
			    "%s holds a map: name one of its keys; see %s",
			    name, typed[i].doc);
			return NULL;
		}
		/* a fixed pool: fields live as long as the program */
		if (ndyn == sizeof(dyn) / sizeof(dyn[0])) {
			snprintf(why, whylen,
			    "more than %zu stats, flow and alert fields", ndyn);
			return NULL;
		}
		nf = &dyn[ndyn++];
		nf->name = estrdup(name);
		nf->path = nf->name + n;
		nf->fmt = typed_fmt(k);
		nf->rtype = typed[i].type;
		return nf;
	}
	return NULL;
}

void
field_ref_init(struct field_ref *r, const struct out_field *f)
{
	const char *path = f->path;
	size_t k;

	r->f = f;
	r->n = 0;
	while (r->n < FIELD_MAXCOMP) {
		k = strcspn(path, ".");
		if (k >= sizeof(r->comp[0]))
			k = sizeof(r->comp[0]) - 1;
		memcpy(r->comp[r->n], path, k);
		r->comp[r->n][k] = '\0';
		r->n++;
		if (path[k] != '.')
			break;
		path += k + 1;
	}
}

static uint64_t
u(const msgpack_object *map, const char *key)
{
	uint64_t v;

	return rec_get_u64(map, key, &v) ? v : 0;
}

/*
 * The values at comp[i..n) below v, descending through maps and every
 * element of arrays.  At the map that holds the last key, an RR type
 * filter (dns.a takes only type 1 answers, the ICMPv6 targets their
 * message's) decides.
 */
static int
walk(const struct field_ref *r, const msgpack_object *v, int i, field_fn fn,
    void *arg)
{
	const struct out_field *f = r->f;
	const msgpack_object *c;
	uint32_t j;
	int res;

	if (v->type == MSGPACK_OBJECT_ARRAY) {
		for (j = 0; j < v->via.array.size; j++)
			if ((res = walk(r, &v->via.array.ptr[j], i, fn, arg)))
				return res;
		return 0;
	}
	if (i == r->n) {
		if (v->type == MSGPACK_OBJECT_MAP)
			return 0;
		/* tshark names only addresses of the expected size */
		if ((f->fmt == F_MAC || f->fmt == F_IP4) &&
		    (v->type != MSGPACK_OBJECT_BIN ||
			v->via.bin.size != (f->fmt == F_MAC ? 6u : 4u)))
			return 0;
		return fn(arg, v);
	}
	if (v->type != MSGPACK_OBJECT_MAP)
		return 0;
	if (i == r->n - 1 && f->fmt != F_BIT && f->arg != 0 &&
	    u(v, "type") != f->arg)
		return 0;
	/* 802.1ad service tags are not tshark's vlan protocol */
	if (i == r->n - 1 && (f->fmt == F_VLAN || f->fmt == F_VHEX) &&
	    u(v, "tpid") == 0x88a8)
		return 0;
	/* tshark names a cooked header's protocol sll.etype unless it is a
	 * GRE type (ARPHRD_IPGRE) or a Linux protocol number (up to 1536) */
	if (i == r->n - 1 && f->fmt == F_SLLT &&
	    (u(v, "hatype") == 778 || u(v, "proto") <= 1536))
		return 0;
	if (i == r->n - 1 &&
	    ((f->fmt == F_HREQ && rec_get(v, "method") == NULL) ||
		(f->fmt == F_HRSP && rec_get(v, "code") == NULL)))
		return 0;
	if ((c = rec_get(v, r->comp[i])) != NULL)
		return walk(r, c, i + 1, fn, arg);
	return 0;
}

int
field_walk(const struct field_ref *r, const msgpack_object *map, field_fn fn,
    void *arg)
{
	return walk(r, map, 0, fn, arg);
}
