/*
 * Writes a decoded struct pkt as the packet record's layer maps, straight
 * to the packer: no msgpack_object tree is built per packet.  The packer
 * counts each map's entries itself (pk_map_open ... pk_close), so a key
 * is written under the condition that it exists and nowhere else.  Key
 * names and types are those of REC_KEYS in rec.h (nm-records(5)).
 */
#include <string.h>

#include "pkt.h"

static void
pack_eth(struct pk *mp, const struct pkt *pk)
{
	pk_cstr(mp, "eth");
	pk_map_open(mp);
	if (pk->eth.dst)
		pk_kbin(mp, "dst", pk->eth.dst, 6);
	if (pk->eth.src)
		pk_kbin(mp, "src", pk->eth.src, 6);
	if (pk->eth.got == 14)
		pk_ku(mp, pk->eth.is_len ? "len" : "type",
		    pk->eth.is_len ? pk->eth.len : pk->eth.type);
	pk_close(mp);
}

static void
pack_sll(struct pk *mp, const struct pkt *pk)
{
	pk_cstr(mp, "sll");
	pk_map_open(mp);
	pk_ku(mp, "v", pk->sll.v);
	pk_ku(mp, "pkttype", pk->sll.pkttype);
	pk_ku(mp, "hatype", pk->sll.hatype);
	if (pk->sll.srclen > 0)
		pk_kbin(mp, "src", pk->sll.src, pk->sll.srclen);
	pk_ku(mp, "proto", pk->sll.proto);
	if (pk->sll.v == 2)
		pk_ku(mp, "ifindex", pk->sll.ifindex);
	pk_close(mp);
}

static void
pack_vlan(struct pk *mp, const struct pkt *pk)
{
	unsigned i;

	pk_cstr(mp, "vlan");
	pk_array_open(mp);
	for (i = 0; i < pk->nvlan; i++) {
		pk_map_open(mp);
		pk_ku(mp, "tpid", pk->vlan[i].tpid);
		pk_ku(mp, "id", pk->vlan[i].id);
		pk_ku(mp, "pcp", pk->vlan[i].pcp);
		pk_kbool(mp, "dei", pk->vlan[i].dei);
		pk_ku(
		    mp, pk->vlan[i].is_len ? "len" : "type", pk->vlan[i].type);
		pk_close(mp);
	}
	pk_close(mp);
}

/* An address key holds 1 to 64 bytes (rec.h): others are left out. */
#define ADDR_OK(p, n) ((p) != NULL && (n) > 0 && (n) <= 64)

static void
pack_arp(struct pk *mp, const struct pkt *pk)
{
	unsigned g = pk->arp.got;

	pk_cstr(mp, "arp");
	pk_map_open(mp);
	if (g >= 2)
		pk_ku(mp, "htype", pk->arp.htype);
	if (g >= 4)
		pk_ku(mp, "ptype", pk->arp.ptype);
	if (g >= 5)
		pk_ku(mp, "hlen", pk->arp.hlen);
	if (g >= 6)
		pk_ku(mp, "plen", pk->arp.plen);
	if (g >= 8)
		pk_ku(mp, "op", pk->arp.op);
	if (ADDR_OK(pk->arp.sha, pk->arp.hlen))
		pk_kbin(mp, "sha", pk->arp.sha, pk->arp.hlen);
	if (ADDR_OK(pk->arp.spa, pk->arp.plen))
		pk_kbin(mp, "spa", pk->arp.spa, pk->arp.plen);
	if (ADDR_OK(pk->arp.tha, pk->arp.hlen))
		pk_kbin(mp, "tha", pk->arp.tha, pk->arp.hlen);
	if (ADDR_OK(pk->arp.tpa, pk->arp.plen))
		pk_kbin(mp, "tpa", pk->arp.tpa, pk->arp.plen);
	pk_close(mp);
}

static void
pack_ip(struct pk *mp, const struct pkt *pk)
{
	unsigned g = pk->ip.got;

	pk_cstr(mp, "ip");
	pk_map_open(mp);
	if (g >= 1)
		pk_ku(mp, "hl", pk->ip.hl * 4u); /* bytes, as documented */
	if (g >= 2)
		pk_ku(mp, "tos", pk->ip.tos);
	if (g >= 4)
		pk_ku(mp, "len", pk->ip.len);
	if (g >= 6)
		pk_ku(mp, "id", pk->ip.id);
	if (g >= 8) {
		pk_kbool(mp, "df", pk->ip.df);
		pk_kbool(mp, "mf", pk->ip.mf);
		pk_ku(mp, "frag", pk->ip.frag);
	}
	if (g >= 9)
		pk_ku(mp, "ttl", pk->ip.ttl);
	if (g >= 10)
		pk_ku(mp, "proto", pk->ip.proto);
	if (g >= 12)
		pk_ku(mp, "sum", pk->ip.sum);
	if (pk->ip.src)
		pk_kbin(mp, "src", pk->ip.src, 4);
	if (pk->ip.dst)
		pk_kbin(mp, "dst", pk->ip.dst, 4);
	if (pk->ip.optlen > 0)
		pk_kbin(mp, "opts", pk->ip.opts, pk->ip.optlen);
	pk_close(mp);
}

static void
pack_ipv6(struct pk *mp, const struct pkt *pk)
{
	unsigned g = pk->ipv6.got, i;

	pk_cstr(mp, "ipv6");
	pk_map_open(mp);
	if (g >= 4) {
		pk_ku(mp, "tc", pk->ipv6.tc);
		pk_ku(mp, "flow", pk->ipv6.flow);
	}
	if (g >= 6)
		pk_ku(mp, "plen", pk->ipv6.plen);
	if (g >= 7)
		pk_ku(mp, "nxt", pk->ipv6.nxt);
	if (g >= 8)
		pk_ku(mp, "hlim", pk->ipv6.hlim);
	if (pk->ipv6.src)
		pk_kbin(mp, "src", pk->ipv6.src, 16);
	if (pk->ipv6.dst)
		pk_kbin(mp, "dst", pk->ipv6.dst, 16);
	if (pk->ipv6.n_ext > 0) {
		pk_cstr(mp, "ext");
		pk_array_open(mp);
		for (i = 0; i < pk->ipv6.n_ext; i++) {
			pk_map_open(mp);
			pk_ku(mp, "type", pk->ipv6.ext[i].type);
			pk_ku(mp, "len", pk->ipv6.ext[i].len);
			pk_close(mp);
		}
		pk_close(mp);
	}
	if (pk->ipv6.has_proto)
		pk_ku(mp, "proto", pk->ipv6.proto);
	if (pk->ipv6.has_frag) {
		pk_ku(mp, "frag", pk->ipv6.frag);
		pk_kbool(mp, "mf", pk->ipv6.mf);
		pk_ku(mp, "fid", pk->ipv6.fid);
	}
	pk_close(mp);
}

static void
pack_tcp_opts(struct pk *mp, const struct pkt *pk)
{
	unsigned i;

	pk_cstr(mp, "opts");
	pk_map_open(mp);
	if (pk->tcp.has_mss)
		pk_ku(mp, "mss", pk->tcp.mss);
	if (pk->tcp.has_ws)
		pk_ku(mp, "ws", pk->tcp.ws);
	if (pk->tcp.sackok)
		pk_kbool(mp, "sackok", 1);
	if (pk->tcp.nsack > 0) {
		pk_cstr(mp, "sack");
		pk_array_open(mp);
		for (i = 0; i < 2 * pk->tcp.nsack; i++)
			pk_uint(mp, pk->tcp.sack[i]);
		pk_close(mp);
	}
	if (pk->tcp.has_ts) {
		pk_ku(mp, "tsval", pk->tcp.tsval);
		pk_ku(mp, "tsecr", pk->tcp.tsecr);
	}
	pk_close(mp);
}

static void
pack_tcp(struct pk *mp, const struct pkt *pk)
{
	unsigned g = pk->tcp.got;

	pk_cstr(mp, "tcp");
	pk_map_open(mp);
	if (g >= 2)
		pk_ku(mp, "sport", pk->tcp.sport);
	if (g >= 4)
		pk_ku(mp, "dport", pk->tcp.dport);
	if (g >= 8)
		pk_ku(mp, "seq", pk->tcp.seq);
	if (g >= 12)
		pk_ku(mp, "ack", pk->tcp.ack);
	if (g >= 14) {
		pk_ku(mp, "hl", pk->tcp.hl * 4u); /* bytes */
		pk_ku(mp, "flags", pk->tcp.flags);
	}
	if (g >= 16)
		pk_ku(mp, "win", pk->tcp.win);
	if (g >= 18)
		pk_ku(mp, "sum", pk->tcp.sum);
	if (g >= 20)
		pk_ku(mp, "urp", pk->tcp.urp);
	if (pk->tcp.has_len)
		pk_ku(mp, "len", pk->tcp.len);
	if (pk->tcp.has_opts)
		pack_tcp_opts(mp, pk);
	pk_close(mp);
}

static void
pack_udp(struct pk *mp, const struct pkt *pk)
{
	unsigned g = pk->udp.got;

	pk_cstr(mp, "udp");
	pk_map_open(mp);
	if (g >= 2)
		pk_ku(mp, "sport", pk->udp.sport);
	if (g >= 4)
		pk_ku(mp, "dport", pk->udp.dport);
	if (g >= 6)
		pk_ku(mp, "len", pk->udp.len);
	if (g >= 8)
		pk_ku(mp, "sum", pk->udp.sum);
	pk_close(mp);
}

/* ICMP and ICMPv6 share a shape; only ICMPv6 has a target. */
static void
pack_icmp(struct pk *mp, const struct pkt *pk, const char *name)
{
	unsigned g = pk->icmp.got;
	int echo = pk->icmp.echo && g >= 8;

	pk_cstr(mp, name);
	pk_map_open(mp);
	if (g >= 1)
		pk_ku(mp, "type", pk->icmp.type);
	if (g >= 2)
		pk_ku(mp, "code", pk->icmp.code);
	if (g >= 4)
		pk_ku(mp, "sum", pk->icmp.sum);
	if (echo) {
		pk_ku(mp, "id", pk->icmp.id);
		pk_ku(mp, "seq", pk->icmp.seq);
	}
	if (pk->icmp.target)
		pk_kbin(mp, "target", pk->icmp.target, 16);
	pk_close(mp);
}

static void
pack_rr(struct pk *mp, const struct pk_dnsrr *rr)
{
	pk_map_open(mp);
	pk_kstr(mp, "name", rr->name);
	pk_ku(mp, "type", rr->type);
	pk_ku(mp, "class", rr->class);
	pk_ku(mp, "ttl", rr->ttl);
	if (rr->addr)
		pk_kbin(mp, "addr", rr->addr, rr->addrlen);
	if (rr->has_pref)
		pk_ku(mp, "pref", rr->pref);
	if (rr->target)
		pk_kstr(mp, "target", rr->target);
	if (rr->text)
		pk_kstr(mp, "text", rr->text);
	if (rr->text_cut)
		pk_kbool(mp, "text_cut", 1);
	pk_close(mp);
}

static void
pack_edns(struct pk *mp, const struct pkt *pk)
{
	unsigned i;

	pk_cstr(mp, "edns");
	pk_map_open(mp);
	pk_ku(mp, "udp_size", pk->dns.edns.udp_size);
	pk_ku(mp, "ext_rcode", pk->dns.edns.ext_rcode);
	pk_ku(mp, "version", pk->dns.edns.version);
	pk_kbool(mp, "do", pk->dns.edns.z >> 15);
	pk_ku(mp, "z", pk->dns.edns.z);
	pk_ku(mp, "nopt", pk->dns.edns.nopt);
	if (pk->dns.edns.nopt > 0) {
		pk_cstr(mp, "opts");
		pk_array_open(mp);
		for (i = 0; i < pk->dns.edns.nopt && i < PKT_MAXOPT; i++)
			pk_uint(mp, pk->dns.edns.opt[i]);
		pk_close(mp);
	}
	pk_close(mp);
}

static void
pack_dns(struct pk *mp, const struct pkt *pk)
{
	unsigned g = pk->dns.got, f = pk->dns.flags, i;

	pk_cstr(mp, "dns");
	pk_map_open(mp);
	if (g >= 2)
		pk_ku(mp, "id", pk->dns.id);
	if (g >= 4) {
		pk_kbool(mp, "qr", f >> 15 & 1);
		pk_ku(mp, "opcode", f >> 11 & 15);
		/* AA, RA and the rcode mean nothing in a query: only a
		 * response has them (as tshark shows them) */
		if (f >> 15)
			pk_kbool(mp, "aa", f >> 10 & 1);
		pk_kbool(mp, "tc", f >> 9 & 1);
		pk_kbool(mp, "rd", f >> 8 & 1);
		if (f >> 15) {
			pk_kbool(mp, "ra", f >> 7 & 1);
			pk_ku(mp, "rcode", f & 15);
		}
	}
	if (g >= 6)
		pk_ku(mp, "qd", pk->dns.qd);
	if (g >= 8)
		pk_ku(mp, "an", pk->dns.an);
	if (g >= 10)
		pk_ku(mp, "ns", pk->dns.ns);
	if (g >= 12)
		pk_ku(mp, "ar", pk->dns.ar);
	if (pk->dns.nq > 0) {
		pk_cstr(mp, "q");
		pk_array_open(mp);
		for (i = 0; i < pk->dns.nq; i++) {
			pk_map_open(mp);
			pk_kstr(mp, "name", pk->dns.q[i].name);
			if (pk->dns.q[i].has_type)
				pk_ku(mp, "type", pk->dns.q[i].type);
			if (pk->dns.q[i].has_class)
				pk_ku(mp, "class", pk->dns.q[i].class);
			pk_close(mp);
		}
		pk_close(mp);
	}
	if (pk->dns.nans > 0) {
		pk_cstr(mp, "ans");
		pk_array_open(mp);
		for (i = 0; i < pk->dns.nans; i++)
			pack_rr(mp, &pk->dns.ans[i]);
		pk_close(mp);
	}
	if (pk->dns.edns.has)
		pack_edns(mp, pk);
	if (pk->dns.has_time) {
		pk_ku(mp, "time", pk->dns.time);
		pk_ku(mp, "qframe", pk->dns.qframe);
	}
	pk_close(mp);
}

/* An array of 16-bit values under key k, when there are any. */
static void
pack_u16s(struct pk *mp, const char *k, const uint16_t *v, unsigned n)
{
	unsigned i;

	if (n == 0)
		return;
	pk_cstr(mp, k);
	pk_array_open(mp);
	for (i = 0; i < n && i < PKT_MAXLIST; i++)
		pk_uint(mp, v[i]);
	pk_close(mp);
}

static void
pack_reasm(struct pk *mp, uint32_t len, uint32_t pieces)
{
	if (pieces > 1) {
		pk_ku(mp, "reasm_len", len);
		pk_ku(mp, "reasm_pieces", pieces);
	}
}

/*
 * The records this segment completes (rec_types: those in the clear's
 * content types; opaque_types: TLS 1.3's encrypted ones; rec_versions:
 * all) and the handshake messages read (types), with the first of each
 * as rec_type, rec_version and type; a hello parsed where the record
 * layer is not followed (QUIC has none) gives its own.
 */
static void
pack_records(struct pk *mp, const struct pk_tls *t)
{
	unsigned i, n = t->nrecs, nclear = 0, hs;

	for (i = 0; i < n; i++)
		nclear += !t->recs_opaque[i];
	if (n > 0) {
		pk_ku(mp, "rec_type", t->recs_type[0]);
		pk_ku(mp, "rec_version", t->recs_version[0]);
	} else if (t->has_rec) {
		pk_ku(mp, "rec_type", t->rec_type);
		pk_ku(mp, "rec_version", t->rec_version);
		pk_cstr(mp, "rec_types");
		pk_array_open(mp);
		pk_uint(mp, t->rec_type);
		pk_close(mp);
		pk_cstr(mp, "rec_versions");
		pk_array_open(mp);
		pk_uint(mp, t->rec_version);
		pk_close(mp);
	}
	if (nclear > 0) {
		pk_cstr(mp, "rec_types");
		pk_array_open(mp);
		for (i = 0; i < n; i++)
			if (!t->recs_opaque[i])
				pk_uint(mp, t->recs_type[i]);
		pk_close(mp);
	}
	if (nclear < n) {
		pk_cstr(mp, "opaque_types");
		pk_array_open(mp);
		for (i = 0; i < n; i++)
			if (t->recs_opaque[i])
				pk_uint(mp, t->recs_type[i]);
		pk_close(mp);
	}
	pack_u16s(mp, "rec_versions", t->recs_version, n);
	if (t->nhs == 0 && !t->got_hs)
		return;
	hs = t->got_hs ? t->hs_type : t->hs_types[0];
	pk_ku(mp, "type", hs);
	pk_cstr(mp, "types");
	pk_array_open(mp);
	if (t->nhs == 0)
		pk_uint(mp, hs);
	for (i = 0; i < t->nhs; i++)
		pk_uint(mp, t->hs_types[i]);
	pk_close(mp);
}

static void
pack_tls(struct pk *mp, const struct pkt *pk)
{
	const struct pk_tls *t = &pk->tls;
	unsigned i;

	pk_cstr(mp, "tls");
	pk_map_open(mp);
	pack_records(mp, t);
	if (t->hs_type == 1 || t->hs_type == 2)
		pk_ku(mp, "version", t->hs_version);
	if (t->sni != NULL)
		pk_kstr(mp, "sni", t->sni);
	if (t->nalpn > 0) {
		pk_cstr(mp, "alpn");
		pk_array_open(mp);
		for (i = 0; i < t->nalpn && i < PKT_MAXLIST; i++)
			pk_cstr(mp, t->alpn[i]);
		pk_close(mp);
	}
	pack_u16s(mp, "versions", t->versions, t->nversions);
	pack_u16s(mp, "ciphers", t->ciphers, t->nciphers);
	pack_u16s(mp, "exts", t->exts, t->nexts);
	pack_u16s(mp, "sigalgs", t->sigalgs, t->nsigalgs);
	pack_u16s(mp, "groups", t->groups, t->ngroups);
	if (t->ja4[0] != '\0')
		pk_kstr(mp, "ja4", t->ja4);
	pack_reasm(mp, t->reasm_len, t->reasm_pieces);
	pk_close(mp);
}

static void
pack_quic(struct pk *mp, const struct pkt *pk)
{
	const struct pk_quic *q = &pk->quic;

	pk_cstr(mp, "quic");
	pk_map_open(mp);
	pk_ku(mp, "version", q->version);
	if (q->version != 0)
		pk_ku(mp, "type", q->ptype);
	if (q->dcid != NULL)
		pk_kbin(mp, "dcid", q->dcid, q->dcidlen);
	if (q->scid != NULL)
		pk_kbin(mp, "scid", q->scid, q->scidlen);
	if (q->version != 0 && q->ptype == 0)
		pk_ku(mp, "token_len", q->token_len);
	if (q->length > 0)
		pk_ku(mp, "length", q->length);
	if (q->decrypted)
		pk_ku(mp, "pn", q->pn);
	pk_kbool(mp, "decrypted", q->decrypted);
	if (q->npackets > 1)
		pk_ku(mp, "packets", q->npackets);
	pk_close(mp);
}

static void
pack_http(struct pk *mp, const struct pkt *pk)
{
	const struct pk_http *h = &pk->http;

	pk_cstr(mp, "http");
	pk_map_open(mp);
	if (h->method != NULL)
		pk_kstr(mp, "method", h->method);
	if (h->uri != NULL)
		pk_kstr(mp, "uri", h->uri);
	if (h->version != NULL)
		pk_kstr(mp, "version", h->version);
	if (h->is_response)
		pk_ku(mp, "code", h->code);
	if (h->phrase != NULL)
		pk_kstr(mp, "phrase", h->phrase);
	if (h->host != NULL)
		pk_kstr(mp, "host", h->host);
	if (h->user_agent != NULL)
		pk_kstr(mp, "user_agent", h->user_agent);
	if (h->content_type != NULL)
		pk_kstr(mp, "content_type", h->content_type);
	if (h->has_content_length)
		pk_ku(mp, "content_length", h->content_length);
	if (h->server != NULL)
		pk_kstr(mp, "server", h->server);
	pack_reasm(mp, h->reasm_len, h->reasm_pieces);
	pk_close(mp);
}

static void
pack_err(struct pk *mp, const struct pkt *pk)
{
	pk_cstr(mp, "err");
	pk_map_open(mp);
	pk_kstr(mp, "layer", pk->err_layer);
	pk_kstr(mp, "kind", pk->err_kind);
	pk_kstr(mp, "why", pk->err_why);
	pk_close(mp);
}

void
pkt_pack(struct pk *mp, const struct pkt *pk)
{
	if (pk->have & PK_ETH)
		pack_eth(mp, pk);
	if (pk->have & PK_SLL)
		pack_sll(mp, pk);
	if (pk->have & PK_NULL) {
		pk_cstr(mp, "null");
		pk_map_open(mp);
		pk_ku(mp, "family", pk->null.family);
		pk_close(mp);
	}
	if (pk->have & PK_VLAN)
		pack_vlan(mp, pk);
	if (pk->have & PK_ARP)
		pack_arp(mp, pk);
	if (pk->have & PK_IP)
		pack_ip(mp, pk);
	if (pk->have & PK_IPV6)
		pack_ipv6(mp, pk);
	if (pk->have & PK_TCP)
		pack_tcp(mp, pk);
	if (pk->have & PK_UDP)
		pack_udp(mp, pk);
	if (pk->have & PK_ICMP)
		pack_icmp(mp, pk, "icmp");
	if (pk->have & PK_ICMPV6)
		pack_icmp(mp, pk, "icmpv6");
	if (pk->have & PK_DNS)
		pack_dns(mp, pk);
	if (pk->have & PK_QUIC)
		pack_quic(mp, pk);
	if (pk->have & PK_TLS)
		pack_tls(mp, pk);
	if (pk->have & PK_HTTP)
		pack_http(mp, pk);
	if (pk->proto)
		pk_kstr(mp, "proto", pk->proto);
	if (pk->service) {
		pk_kstr(mp, "service", pk->service);
		pk_ku(mp, "svcport", pk->svcport);
	}
	if (pk->has_payload) {
		pk_ku(mp, "poff", pk->poff);
		pk_ku(mp, "plen", pk->plen);
	}
	if (pk->have & PK_ERR)
		pack_err(mp, pk);
}
