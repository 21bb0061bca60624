/*
 * The record stream: the contract between nm's programs.
 *
 * A stream is a sequence of msgpack maps, one per record, each naming its
 * type under "type".  The first record is a header.  The same records may
 * arrive as JSON objects (what nm-render -o json writes); the reader tells
 * the two apart by the first byte and hands both out as msgpack_object
 * trees, so a stage never knows which it read.
 *
 * Every known key is declared once, in REC_KEYS below, with its type, the
 * record types it belongs to, the stages that write it and how it is
 * shown: the reader validates records against it, the JSON writer uses it
 * to show addresses as text and bytes as hex and the JSON reader to turn
 * them back, nm-decode to know which keys of a frame it replaces, and
 * nm-render to show integers in hex and to check -e field names.  The
 * user's documentation of the same keys is nm-records(5).
 * The JSON writer and reader are declared in json.h (included here: the
 * stream reader reads JSON too), addresses as text in addr.h.
 */
#ifndef REC_H
#define REC_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <msgpack.h>

#include "json.h"
#include "pk.h"

#define REC_VERSION_MAJOR 1
#define REC_VERSION_MINOR 0
#define REC_MAX_SIZE	  (1024 * 1024) /* bytes in one record */
#define REC_MAX_DEPTH	  16		/* nesting of maps and arrays */

/* Record types: the enum and the strings come from one list. */
/* clang-format off */
#define REC_TYPES(X)				\
	X(HEADER, "header")			\
	X(FRAME, "frame")			\
	X(PACKET, "packet")			\
	X(CAPSTATS, "capstats")			\
	X(STATS, "stats")			\
	X(FLOW, "flow")				\
	X(ALERT, "alert")			\
	X(SUMMARY, "summary")			\
	X(END, "end")
/* clang-format on */

enum rec_type {
	REC_UNKNOWN = 0, /* a type this build does not know: pass it on */
#define X(e, s) REC_##e,
	REC_TYPES(X)
#undef X
	    REC_NTYPES
};

/*
 * Value types of known keys.  KT_ADDR is bytes shown as text (in JSON and
 * in nm-render's views): 4 bytes as IPv4, 16 as IPv6, any other length as
 * colon-separated hex (a MAC address).  KT_BIN is bytes shown as
 * lower-case hex.
 */
enum key_type {
	KT_NONE = 0,
	KT_STR,
	KT_UINT,
	KT_INT,
	KT_NUM,
	KT_BOOL,
	KT_BIN,
	KT_ADDR,
	KT_MAP,
	KT_ARRAY
};

/*
 * How a text view shows a known key's value where its type does not say
 * it all: SH_HEXn an integer as 0x and at least n lower-case digits (the
 * field's width), SH_TCPFLAGS as hex and the letters of the flags set,
 * SH_SECS nanoseconds of a duration as seconds (tshark's form).
 */
enum key_show {
	SH_PLAIN = 0,
	SH_HEX2,
	SH_HEX4,
	SH_HEX5,
	SH_HEX8,
	SH_TCPFLAGS,
	SH_SECS
};

/* A set of record types, one bit each: REC_IN(REC_FLOW). */
#define REC_IN(t) (1u << (t))
enum {
#define X(e, s) IN_##e = 1 << REC_##e,
	REC_TYPES(X)
#undef X
	    IN_ALL = ((1 << REC_NTYPES) - 1) & ~1 /* every known type */
};

/* The stages that write a key, one bit each. */
enum {
	BY_CAPTURE = 1,
	BY_DECODE = 2,
	BY_STATS = 4,
	BY_DETECT = 8,
	BY_ANY =
	    BY_CAPTURE | BY_DECODE | BY_STATS | BY_DETECT /* every writer */
};

/*
 * Every known key, said once: its dotted path (array elements take their
 * array's path; keys inside a layer map are "layer.key"), type, element
 * type for arrays, and how it is shown.  S(in, by) says of the keys after
 * it which record types they belong to (IN_ bits) and which stages write
 * them (BY_ bits).  A known key is checked only in records of its types;
 * in a record of another type the same name is a user's key, passed on as
 * it is.  A key inside a map belongs to the types of its map (its map
 * need not come before it; tests/unit/share_rec.c checks what the list
 * must hold).  Keep nm-records(5) in step with this list.
 */
/* clang-format off */
#define REC_KEYS(S, X)							\
	/* every record */						\
	S(IN_ALL, BY_ANY)						\
	X("type",		KT_STR,  KT_NONE, SH_PLAIN)		\
	/* header */							\
	S(IN_HEADER, BY_ANY)						\
	X("version",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("minor",		KT_UINT, KT_NONE, SH_PLAIN)		\
	S(IN_HEADER | IN_END, BY_ANY)					\
	X("producer",		KT_STR,  KT_NONE, SH_PLAIN)		\
	S(IN_HEADER, BY_ANY)						\
	X("stages",		KT_ARRAY, KT_STR,  SH_PLAIN)		\
	S(IN_HEADER, BY_CAPTURE)					\
	X("sources",		KT_ARRAY, KT_MAP,  SH_PLAIN)		\
	X("sources.name",	KT_STR,  KT_NONE, SH_PLAIN)		\
	X("sources.kind",	KT_STR,  KT_NONE, SH_PLAIN)		\
	X("sources.linktype",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("sources.linkname",	KT_STR,  KT_NONE, SH_PLAIN)		\
	X("sources.snaplen",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("sources.filter",	KT_STR,  KT_NONE, SH_PLAIN)		\
	X("sources.tsprec",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("sources.start",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("sources.netns",	KT_STR,  KT_NONE, SH_PLAIN)		\
	X("sources.ifname",	KT_STR,  KT_NONE, SH_PLAIN)		\
	X("sources.files",	KT_ARRAY, KT_STR,  SH_PLAIN)		\
	X("sources.fanout",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("sources.fanout_mode", KT_STR, KT_NONE, SH_PLAIN)		\
	X("sources.sensor",	KT_STR,  KT_NONE, SH_PLAIN)		\
	/* frame, and packet (which keeps the frame's keys) */		\
	S(IN_FRAME | IN_PACKET | IN_CAPSTATS | IN_ALERT,		\
	    BY_CAPTURE | BY_DETECT)					\
	X("ts",			KT_UINT, KT_NONE, SH_PLAIN)		\
	S(IN_FRAME | IN_PACKET | IN_CAPSTATS, BY_CAPTURE)		\
	X("if",			KT_UINT, KT_NONE, SH_PLAIN)		\
	S(IN_FRAME | IN_PACKET, BY_CAPTURE)				\
	X("len",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("caplen",		KT_UINT, KT_NONE, SH_PLAIN)		\
	/* nm-decode cuts it */						\
	S(IN_FRAME | IN_PACKET, BY_CAPTURE | BY_DECODE)			\
	X("data",		KT_BIN,  KT_NONE, SH_PLAIN)		\
	/* packet: summary (a flow names its own) */			\
	S(IN_PACKET | IN_FLOW | IN_ALERT, BY_DECODE | BY_STATS | BY_DETECT) \
	X("proto",		KT_STR,  KT_NONE, SH_PLAIN)		\
	S(IN_PACKET | IN_FLOW, BY_DECODE | BY_STATS)			\
	X("service",		KT_STR,  KT_NONE, SH_PLAIN)		\
	X("svcport",		KT_UINT, KT_NONE, SH_PLAIN)		\
	/* packet: where the payload is, what went wrong */		\
	S(IN_PACKET, BY_DECODE)						\
	X("poff",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("plen",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("err",		KT_MAP,  KT_NONE, SH_PLAIN)		\
	X("err.layer",		KT_STR,  KT_NONE, SH_PLAIN)		\
	X("err.kind",		KT_STR,  KT_NONE, SH_PLAIN)		\
	X("err.why",		KT_STR,  KT_NONE, SH_PLAIN)		\
	/* link layers */						\
	X("eth",		KT_MAP,  KT_NONE, SH_PLAIN)		\
	X("eth.src",		KT_ADDR, KT_NONE, SH_PLAIN)		\
	X("eth.dst",		KT_ADDR, KT_NONE, SH_PLAIN)		\
	X("eth.type",		KT_UINT, KT_NONE, SH_HEX4)		\
	X("eth.len",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("sll",		KT_MAP,  KT_NONE, SH_PLAIN)		\
	X("sll.v",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("sll.pkttype",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("sll.hatype",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("sll.src",		KT_ADDR, KT_NONE, SH_PLAIN)		\
	X("sll.proto",		KT_UINT, KT_NONE, SH_HEX4)		\
	X("sll.ifindex",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("null",		KT_MAP,  KT_NONE, SH_PLAIN)		\
	X("null.family",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("vlan",		KT_ARRAY, KT_MAP,  SH_PLAIN)		\
	X("vlan.tpid",		KT_UINT, KT_NONE, SH_HEX4)		\
	X("vlan.id",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("vlan.pcp",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("vlan.dei",		KT_BOOL, KT_NONE, SH_PLAIN)		\
	X("vlan.type",		KT_UINT, KT_NONE, SH_HEX4)		\
	X("vlan.len",		KT_UINT, KT_NONE, SH_PLAIN)		\
	/* ARP */							\
	X("arp",		KT_MAP,  KT_NONE, SH_PLAIN)		\
	X("arp.htype",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("arp.ptype",		KT_UINT, KT_NONE, SH_HEX4)		\
	X("arp.hlen",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("arp.plen",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("arp.op",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("arp.sha",		KT_ADDR, KT_NONE, SH_PLAIN)		\
	X("arp.spa",		KT_ADDR, KT_NONE, SH_PLAIN)		\
	X("arp.tha",		KT_ADDR, KT_NONE, SH_PLAIN)		\
	X("arp.tpa",		KT_ADDR, KT_NONE, SH_PLAIN)		\
	/* IPv4 */							\
	X("ip",			KT_MAP,  KT_NONE, SH_PLAIN)		\
	X("ip.hl",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("ip.tos",		KT_UINT, KT_NONE, SH_HEX2)		\
	X("ip.len",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("ip.id",		KT_UINT, KT_NONE, SH_HEX4)		\
	X("ip.df",		KT_BOOL, KT_NONE, SH_PLAIN)		\
	X("ip.mf",		KT_BOOL, KT_NONE, SH_PLAIN)		\
	X("ip.frag",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("ip.ttl",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("ip.proto",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("ip.sum",		KT_UINT, KT_NONE, SH_HEX4)		\
	X("ip.src",		KT_ADDR, KT_NONE, SH_PLAIN)		\
	X("ip.dst",		KT_ADDR, KT_NONE, SH_PLAIN)		\
	X("ip.opts",		KT_BIN,  KT_NONE, SH_PLAIN)		\
	/* IPv6 */							\
	X("ipv6",		KT_MAP,  KT_NONE, SH_PLAIN)		\
	X("ipv6.tc",		KT_UINT, KT_NONE, SH_HEX2)		\
	X("ipv6.flow",		KT_UINT, KT_NONE, SH_HEX5)		\
	X("ipv6.plen",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("ipv6.nxt",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("ipv6.hlim",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("ipv6.src",		KT_ADDR, KT_NONE, SH_PLAIN)		\
	X("ipv6.dst",		KT_ADDR, KT_NONE, SH_PLAIN)		\
	X("ipv6.ext",		KT_ARRAY, KT_MAP,  SH_PLAIN)		\
	X("ipv6.ext.type",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("ipv6.ext.len",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("ipv6.proto",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("ipv6.frag",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("ipv6.mf",		KT_BOOL, KT_NONE, SH_PLAIN)		\
	X("ipv6.fid",		KT_UINT, KT_NONE, SH_HEX4)		\
	/* TCP */							\
	X("tcp",		KT_MAP,  KT_NONE, SH_PLAIN)		\
	X("tcp.sport",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("tcp.dport",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("tcp.seq",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("tcp.ack",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("tcp.hl",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("tcp.flags",		KT_UINT, KT_NONE, SH_TCPFLAGS)		\
	X("tcp.win",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("tcp.sum",		KT_UINT, KT_NONE, SH_HEX4)		\
	X("tcp.urp",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("tcp.len",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("tcp.opts",		KT_MAP,  KT_NONE, SH_PLAIN)		\
	X("tcp.opts.mss",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("tcp.opts.ws",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("tcp.opts.sackok",	KT_BOOL, KT_NONE, SH_PLAIN)		\
	X("tcp.opts.sack",	KT_ARRAY, KT_UINT, SH_PLAIN)		\
	X("tcp.opts.tsval",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("tcp.opts.tsecr",	KT_UINT, KT_NONE, SH_PLAIN)		\
	/* UDP */							\
	X("udp",		KT_MAP,  KT_NONE, SH_PLAIN)		\
	X("udp.sport",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("udp.dport",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("udp.len",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("udp.sum",		KT_UINT, KT_NONE, SH_HEX4)		\
	/* ICMP and ICMPv6 */						\
	X("icmp",		KT_MAP,  KT_NONE, SH_PLAIN)		\
	X("icmp.type",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("icmp.code",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("icmp.sum",		KT_UINT, KT_NONE, SH_HEX4)		\
	X("icmp.id",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("icmp.seq",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("icmpv6",		KT_MAP,  KT_NONE, SH_PLAIN)		\
	X("icmpv6.type",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("icmpv6.code",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("icmpv6.sum",		KT_UINT, KT_NONE, SH_HEX4)		\
	X("icmpv6.id",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("icmpv6.seq",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("icmpv6.target",	KT_ADDR, KT_NONE, SH_PLAIN)		\
	/* DNS */							\
	X("dns",		KT_MAP,  KT_NONE, SH_PLAIN)		\
	X("dns.id",		KT_UINT, KT_NONE, SH_HEX4)		\
	X("dns.qr",		KT_BOOL, KT_NONE, SH_PLAIN)		\
	X("dns.opcode",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("dns.aa",		KT_BOOL, KT_NONE, SH_PLAIN)		\
	X("dns.tc",		KT_BOOL, KT_NONE, SH_PLAIN)		\
	X("dns.rd",		KT_BOOL, KT_NONE, SH_PLAIN)		\
	X("dns.ra",		KT_BOOL, KT_NONE, SH_PLAIN)		\
	X("dns.rcode",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("dns.qd",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("dns.an",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("dns.ns",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("dns.ar",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("dns.q",		KT_ARRAY, KT_MAP,  SH_PLAIN)		\
	X("dns.q.name",		KT_STR,  KT_NONE, SH_PLAIN)		\
	X("dns.q.type",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("dns.q.class",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("dns.ans",		KT_ARRAY, KT_MAP,  SH_PLAIN)		\
	X("dns.ans.name",	KT_STR,  KT_NONE, SH_PLAIN)		\
	X("dns.ans.type",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("dns.ans.class",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("dns.ans.ttl",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("dns.ans.addr",	KT_ADDR, KT_NONE, SH_PLAIN)		\
	X("dns.ans.target",	KT_STR,  KT_NONE, SH_PLAIN)		\
	X("dns.ans.pref",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("dns.ans.text",	KT_STR,  KT_NONE, SH_PLAIN)		\
	X("dns.ans.text_cut",	KT_BOOL, KT_NONE, SH_PLAIN)		\
	X("dns.edns",		KT_MAP,  KT_NONE, SH_PLAIN)		\
	X("dns.edns.udp_size",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("dns.edns.ext_rcode",	KT_UINT, KT_NONE, SH_HEX2)		\
	X("dns.edns.version",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("dns.edns.do",	KT_BOOL, KT_NONE, SH_PLAIN)		\
	X("dns.edns.z",		KT_UINT, KT_NONE, SH_HEX4)		\
	X("dns.edns.nopt",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("dns.edns.opts",	KT_ARRAY, KT_UINT, SH_PLAIN)		\
	X("dns.time",		KT_UINT, KT_NONE, SH_SECS)		\
	X("dns.qframe",		KT_UINT, KT_NONE, SH_PLAIN)		\
	/* TLS: a ClientHello or ServerHello (over TCP or QUIC) */	\
	X("tls",		KT_MAP,  KT_NONE, SH_PLAIN)		\
	X("tls.rec_type",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("tls.rec_version",	KT_UINT, KT_NONE, SH_HEX4)		\
	X("tls.type",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("tls.rec_types",	KT_ARRAY, KT_UINT, SH_PLAIN)		\
	X("tls.opaque_types",	KT_ARRAY, KT_UINT, SH_PLAIN)		\
	X("tls.rec_versions",	KT_ARRAY, KT_UINT, SH_HEX4)		\
	X("tls.types",		KT_ARRAY, KT_UINT, SH_PLAIN)		\
	X("tls.version",	KT_UINT, KT_NONE, SH_HEX4)		\
	X("tls.sni",		KT_STR,  KT_NONE, SH_PLAIN)		\
	X("tls.alpn",		KT_ARRAY, KT_STR,  SH_PLAIN)		\
	X("tls.versions",	KT_ARRAY, KT_UINT, SH_HEX4)		\
	X("tls.ciphers",	KT_ARRAY, KT_UINT, SH_HEX4)		\
	X("tls.exts",		KT_ARRAY, KT_UINT, SH_PLAIN)		\
	X("tls.sigalgs",	KT_ARRAY, KT_UINT, SH_HEX4)		\
	X("tls.groups",		KT_ARRAY, KT_UINT, SH_HEX4)		\
	X("tls.ja4",		KT_STR,  KT_NONE, SH_PLAIN)		\
	X("tls.reasm_len",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("tls.reasm_pieces",	KT_UINT, KT_NONE, SH_PLAIN)		\
	/* QUIC: the datagram's first long header */			\
	X("quic",		KT_MAP,  KT_NONE, SH_PLAIN)		\
	X("quic.version",	KT_UINT, KT_NONE, SH_HEX8)		\
	X("quic.type",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("quic.dcid",		KT_BIN,  KT_NONE, SH_PLAIN)		\
	X("quic.scid",		KT_BIN,  KT_NONE, SH_PLAIN)		\
	X("quic.token_len",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("quic.length",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("quic.pn",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("quic.decrypted",	KT_BOOL, KT_NONE, SH_PLAIN)		\
	X("quic.packets",	KT_UINT, KT_NONE, SH_PLAIN)		\
	/* HTTP/1.x: a request's or response's head */			\
	X("http",		KT_MAP,  KT_NONE, SH_PLAIN)		\
	X("http.method",	KT_STR,  KT_NONE, SH_PLAIN)		\
	X("http.uri",		KT_STR,  KT_NONE, SH_PLAIN)		\
	X("http.version",	KT_STR,  KT_NONE, SH_PLAIN)		\
	X("http.host",		KT_STR,  KT_NONE, SH_PLAIN)		\
	X("http.user_agent",	KT_STR,  KT_NONE, SH_PLAIN)		\
	X("http.code",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("http.phrase",	KT_STR,  KT_NONE, SH_PLAIN)		\
	X("http.content_type",	KT_STR,  KT_NONE, SH_PLAIN)		\
	X("http.content_length", KT_UINT, KT_NONE, SH_PLAIN)		\
	X("http.server",	KT_STR,  KT_NONE, SH_PLAIN)		\
	X("http.reasm_len",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("http.reasm_pieces",	KT_UINT, KT_NONE, SH_PLAIN)		\
	/* stats */							\
	S(IN_STATS, BY_STATS)						\
	X("interval",		KT_MAP,  KT_NONE, SH_PLAIN)		\
	X("interval.start",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("interval.end",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("interval.packets",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("interval.bytes",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("total",		KT_MAP,  KT_NONE, SH_PLAIN)		\
	X("total.packets",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("total.bytes",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("total.flows",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("rate",		KT_MAP,  KT_NONE, SH_PLAIN)		\
	X("rate.pps",		KT_NUM,  KT_NONE, SH_PLAIN)		\
	X("rate.bps",		KT_NUM,  KT_NONE, SH_PLAIN)		\
	X("rate.avg_pps",	KT_NUM,  KT_NONE, SH_PLAIN)		\
	X("rate.avg_bps",	KT_NUM,  KT_NONE, SH_PLAIN)		\
	X("runtime",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("protos",		KT_ARRAY, KT_MAP,  SH_PLAIN)		\
	X("protos.name",	KT_STR,  KT_NONE, SH_PLAIN)		\
	X("protos.packets",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("protos.bytes",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("protos.pkt_pct",	KT_NUM,  KT_NONE, SH_PLAIN)		\
	X("protos.byte_pct",	KT_NUM,  KT_NONE, SH_PLAIN)		\
	X("top_hosts",		KT_ARRAY, KT_MAP,  SH_PLAIN)		\
	X("top_hosts.addr",	KT_ADDR, KT_NONE, SH_PLAIN)		\
	X("top_hosts.name",	KT_STR,  KT_NONE, SH_PLAIN)		\
	X("top_hosts.packets",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("top_hosts.bytes",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("top_hosts.tx_packets", KT_UINT, KT_NONE, SH_PLAIN)		\
	X("top_hosts.tx_bytes",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("top_hosts.rx_packets", KT_UINT, KT_NONE, SH_PLAIN)		\
	X("top_hosts.rx_bytes",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("top_hosts.err",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("top_src",		KT_ARRAY, KT_MAP,  SH_PLAIN)		\
	X("top_src.addr",	KT_ADDR, KT_NONE, SH_PLAIN)		\
	X("top_src.name",	KT_STR,  KT_NONE, SH_PLAIN)		\
	X("top_src.packets",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("top_src.bytes",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("top_dst",		KT_ARRAY, KT_MAP,  SH_PLAIN)		\
	X("top_dst.addr",	KT_ADDR, KT_NONE, SH_PLAIN)		\
	X("top_dst.name",	KT_STR,  KT_NONE, SH_PLAIN)		\
	X("top_dst.packets",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("top_dst.bytes",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("top_ports",		KT_ARRAY, KT_MAP,  SH_PLAIN)		\
	X("top_ports.port",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("top_ports.proto",	KT_STR,  KT_NONE, SH_PLAIN)		\
	X("top_ports.service",	KT_STR,  KT_NONE, SH_PLAIN)		\
	X("top_ports.packets",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("top_ports.bytes",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("top_ports.err",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("top_servers",	KT_ARRAY, KT_MAP,  SH_PLAIN)		\
	X("top_servers.name",	KT_STR,  KT_NONE, SH_PLAIN)		\
	X("top_servers.flows",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("top_servers.packets", KT_UINT, KT_NONE, SH_PLAIN)		\
	X("top_servers.bytes",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("top_hosts.geo",	KT_MAP,  KT_NONE, SH_PLAIN)		\
	X("top_hosts.geo.country", KT_STR, KT_NONE, SH_PLAIN)		\
	X("top_hosts.geo.asn",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("top_hosts.geo.as_name", KT_STR, KT_NONE, SH_PLAIN)		\
	X("top_hosts.geo.anycast", KT_BOOL, KT_NONE, SH_PLAIN)		\
	X("top_hosts.geo.anon_proxy", KT_BOOL, KT_NONE, SH_PLAIN)	\
	X("top_hosts.geo.satellite", KT_BOOL, KT_NONE, SH_PLAIN)	\
	X("top_flows",		KT_ARRAY, KT_MAP,  SH_PLAIN)		\
	X("top_flows.proto",	KT_STR,  KT_NONE, SH_PLAIN)		\
	X("top_flows.src",	KT_ADDR, KT_NONE, SH_PLAIN)		\
	X("top_flows.dst",	KT_ADDR, KT_NONE, SH_PLAIN)		\
	X("top_flows.src_name", KT_STR, KT_NONE, SH_PLAIN)		\
	X("top_flows.dst_name", KT_STR, KT_NONE, SH_PLAIN)		\
	X("top_flows.sport",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("top_flows.dport",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("top_flows.service",	KT_STR,  KT_NONE, SH_PLAIN)		\
	X("top_flows.community_id", KT_STR, KT_NONE, SH_PLAIN)		\
	X("top_flows.orig",	KT_MAP,  KT_NONE, SH_PLAIN)		\
	X("top_flows.orig.packets", KT_UINT, KT_NONE, SH_PLAIN)		\
	X("top_flows.orig.bytes", KT_UINT, KT_NONE, SH_PLAIN)		\
	X("top_flows.resp",	KT_MAP,  KT_NONE, SH_PLAIN)		\
	X("top_flows.resp.packets", KT_UINT, KT_NONE, SH_PLAIN)		\
	X("top_flows.resp.bytes", KT_UINT, KT_NONE, SH_PLAIN)		\
	X("top_flows.first",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("top_flows.last",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("top_flows.state",	KT_STR,  KT_NONE, SH_PLAIN)		\
	X("top_flows.history",	KT_STR,  KT_NONE, SH_PLAIN)		\
	X("top_flows.packets",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("top_flows.bytes",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("top_flows.err",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("top_flows.server",	KT_STR,  KT_NONE, SH_PLAIN)		\
	X("top_flows.src_geo", KT_MAP, KT_NONE, SH_PLAIN)	\
	X("top_flows.src_geo.country", KT_STR, KT_NONE, SH_PLAIN)	\
	X("top_flows.src_geo.asn", KT_UINT, KT_NONE, SH_PLAIN)	\
	X("top_flows.src_geo.as_name", KT_STR, KT_NONE, SH_PLAIN)	\
	X("top_flows.src_geo.anycast", KT_BOOL, KT_NONE, SH_PLAIN)	\
	X("top_flows.src_geo.anon_proxy", KT_BOOL, KT_NONE, SH_PLAIN)	\
	X("top_flows.src_geo.satellite", KT_BOOL, KT_NONE, SH_PLAIN)	\
	X("top_flows.dst_geo", KT_MAP, KT_NONE, SH_PLAIN)	\
	X("top_flows.dst_geo.country", KT_STR, KT_NONE, SH_PLAIN)	\
	X("top_flows.dst_geo.asn", KT_UINT, KT_NONE, SH_PLAIN)	\
	X("top_flows.dst_geo.as_name", KT_STR, KT_NONE, SH_PLAIN)	\
	X("top_flows.dst_geo.anycast", KT_BOOL, KT_NONE, SH_PLAIN)	\
	X("top_flows.dst_geo.anon_proxy", KT_BOOL, KT_NONE, SH_PLAIN)	\
	X("top_flows.dst_geo.satellite", KT_BOOL, KT_NONE, SH_PLAIN)	\
	/* stats written by nm-stats --merge: what the sketches tell */	\
	X("estimate",		KT_MAP,  KT_NONE, SH_PLAIN)		\
	X("estimate.summaries",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("estimate.hosts",	KT_NUM,  KT_NONE, SH_PLAIN)		\
	X("estimate.ports",	KT_NUM,  KT_NONE, SH_PLAIN)		\
	X("estimate.flows",	KT_NUM,  KT_NONE, SH_PLAIN)		\
	X("estimate.rse",	KT_NUM,  KT_NONE, SH_PLAIN)		\
	X("estimate.top_err",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("estimate.packet_p50", KT_UINT, KT_NONE, SH_PLAIN)		\
	X("estimate.packet_p90", KT_UINT, KT_NONE, SH_PLAIN)		\
	X("estimate.packet_p99", KT_UINT, KT_NONE, SH_PLAIN)		\
	X("estimate.packet_max", KT_UINT, KT_NONE, SH_PLAIN)		\
	X("estimate.flow_bytes_p50", KT_UINT, KT_NONE, SH_PLAIN)	\
	X("estimate.flow_bytes_p90", KT_UINT, KT_NONE, SH_PLAIN)	\
	X("estimate.flow_bytes_p99", KT_UINT, KT_NONE, SH_PLAIN)	\
	X("estimate.flow_packets_p50", KT_UINT, KT_NONE, SH_PLAIN)	\
	X("estimate.flow_packets_p99", KT_UINT, KT_NONE, SH_PLAIN)	\
	X("tracked",		KT_MAP,  KT_NONE, SH_PLAIN)		\
	X("tracked.flows",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("tracked.hosts",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("tracked.names",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("tracked.servers",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("evicted",		KT_MAP,  KT_NONE, SH_PLAIN)		\
	X("evicted.flows",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("evicted.hosts",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("evicted.names",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("evicted.servers",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("capture",		KT_MAP,  KT_NONE, SH_PLAIN)		\
	X("capture.recv",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("capture.drop",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("capture.ifdrop",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("capture.coverage",	KT_NUM,  KT_NONE, SH_PLAIN)		\
	/* stats: each source's, when the stream has several */	\
	X("per_source", KT_ARRAY, KT_MAP,  SH_PLAIN)	\
	X("per_source.if", KT_UINT, KT_NONE, SH_PLAIN)	\
	X("per_source.name", KT_STR,  KT_NONE, SH_PLAIN)	\
	X("per_source.other", KT_BOOL, KT_NONE, SH_PLAIN)	\
	X("per_source.interval", KT_MAP,  KT_NONE, SH_PLAIN)	\
	X("per_source.interval.packets", KT_UINT, KT_NONE, SH_PLAIN)	\
	X("per_source.interval.bytes", KT_UINT, KT_NONE, SH_PLAIN)	\
	X("per_source.total", KT_MAP,  KT_NONE, SH_PLAIN)	\
	X("per_source.total.packets", KT_UINT, KT_NONE, SH_PLAIN)	\
	X("per_source.total.bytes", KT_UINT, KT_NONE, SH_PLAIN)	\
	X("per_source.rate", KT_MAP,  KT_NONE, SH_PLAIN)	\
	X("per_source.rate.pps", KT_NUM,  KT_NONE, SH_PLAIN)	\
	X("per_source.rate.bps", KT_NUM,  KT_NONE, SH_PLAIN)	\
	X("per_source.rate.avg_pps", KT_NUM,  KT_NONE, SH_PLAIN)	\
	X("per_source.rate.avg_bps", KT_NUM,  KT_NONE, SH_PLAIN)	\
	X("per_source.protos", KT_ARRAY, KT_MAP,  SH_PLAIN)	\
	X("per_source.protos.name", KT_STR,  KT_NONE, SH_PLAIN)	\
	X("per_source.protos.packets", KT_UINT, KT_NONE, SH_PLAIN)	\
	X("per_source.protos.bytes", KT_UINT, KT_NONE, SH_PLAIN)	\
	X("per_source.protos.pkt_pct", KT_NUM,  KT_NONE, SH_PLAIN)	\
	X("per_source.protos.byte_pct", KT_NUM,  KT_NONE, SH_PLAIN)	\
	X("per_source.capture", KT_MAP,  KT_NONE, SH_PLAIN)	\
	X("per_source.capture.recv", KT_UINT, KT_NONE, SH_PLAIN)	\
	X("per_source.capture.drop", KT_UINT, KT_NONE, SH_PLAIN)	\
	X("per_source.capture.ifdrop", KT_UINT, KT_NONE, SH_PLAIN)	\
	X("per_source.capture.late", KT_UINT, KT_NONE, SH_PLAIN)	\
	X("per_source.capture.coverage", KT_NUM,  KT_NONE, SH_PLAIN)	\
	X("per_source.top_hosts", KT_ARRAY, KT_MAP,  SH_PLAIN)	\
	X("per_source.top_hosts.addr", KT_ADDR, KT_NONE, SH_PLAIN)	\
	X("per_source.top_hosts.name", KT_STR, KT_NONE, SH_PLAIN)	\
	X("per_source.top_hosts.packets", KT_UINT, KT_NONE, SH_PLAIN)	\
	X("per_source.top_hosts.bytes", KT_UINT, KT_NONE, SH_PLAIN)	\
	X("per_source.top_hosts.tx_packets", KT_UINT, KT_NONE, SH_PLAIN)	\
	X("per_source.top_hosts.tx_bytes", KT_UINT, KT_NONE, SH_PLAIN)	\
	X("per_source.top_hosts.rx_packets", KT_UINT, KT_NONE, SH_PLAIN)	\
	X("per_source.top_hosts.rx_bytes", KT_UINT, KT_NONE, SH_PLAIN)	\
	/* flow */							\
	S(IN_FLOW | IN_ALERT, BY_STATS | BY_DETECT)			\
	X("src",		KT_ADDR, KT_NONE, SH_PLAIN)		\
	X("dst",		KT_ADDR, KT_NONE, SH_PLAIN)		\
	X("first",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("last",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("community_id",	KT_STR,  KT_NONE, SH_PLAIN)		\
	/* packet (nm-render -o json), flow and alert: passive names */	\
	S(IN_PACKET | IN_FLOW | IN_ALERT, BY_STATS | BY_DETECT)		\
	X("src_name",		KT_STR,  KT_NONE, SH_PLAIN)		\
	X("dst_name",		KT_STR,  KT_NONE, SH_PLAIN)		\
	/* ... and where their addresses are (a geo database) */	\
	X("src_geo", KT_MAP, KT_NONE, SH_PLAIN)	\
	X("src_geo.country", KT_STR, KT_NONE, SH_PLAIN)	\
	X("src_geo.asn", KT_UINT, KT_NONE, SH_PLAIN)	\
	X("src_geo.as_name", KT_STR, KT_NONE, SH_PLAIN)	\
	X("src_geo.anycast", KT_BOOL, KT_NONE, SH_PLAIN)	\
	X("src_geo.anon_proxy", KT_BOOL, KT_NONE, SH_PLAIN)	\
	X("src_geo.satellite", KT_BOOL, KT_NONE, SH_PLAIN)	\
	X("dst_geo", KT_MAP, KT_NONE, SH_PLAIN)	\
	X("dst_geo.country", KT_STR, KT_NONE, SH_PLAIN)	\
	X("dst_geo.asn", KT_UINT, KT_NONE, SH_PLAIN)	\
	X("dst_geo.as_name", KT_STR, KT_NONE, SH_PLAIN)	\
	X("dst_geo.anycast", KT_BOOL, KT_NONE, SH_PLAIN)	\
	X("dst_geo.anon_proxy", KT_BOOL, KT_NONE, SH_PLAIN)	\
	X("dst_geo.satellite", KT_BOOL, KT_NONE, SH_PLAIN)	\
	S(IN_FLOW, BY_STATS)						\
	X("sport",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("server",		KT_STR,  KT_NONE, SH_PLAIN)		\
	X("dport",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("orig",		KT_MAP,  KT_NONE, SH_PLAIN)		\
	X("orig.packets",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("orig.bytes",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("resp",		KT_MAP,  KT_NONE, SH_PLAIN)		\
	X("resp.packets",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("resp.bytes",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("state",		KT_STR,  KT_NONE, SH_PLAIN)		\
	X("history",		KT_STR,  KT_NONE, SH_PLAIN)		\
	/* alert (nm-detect(1)) */					\
	S(IN_ALERT, BY_DETECT)						\
	X("kind",		KT_STR,  KT_NONE, SH_PLAIN)		\
	X("style",		KT_STR,  KT_NONE, SH_PLAIN)		\
	X("scan",		KT_STR,  KT_NONE, SH_PLAIN)		\
	X("severity",		KT_STR,  KT_NONE, SH_PLAIN)		\
	X("port",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("count",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("threshold",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("window",		KT_UINT, KT_NONE, SH_SECS)		\
	X("ports",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("hosts",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("senders",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("pps",		KT_NUM,  KT_NONE, SH_PLAIN)		\
	X("mac",		KT_ADDR, KT_NONE, SH_PLAIN)		\
	X("old_mac",		KT_ADDR, KT_NONE, SH_PLAIN)		\
	X("eth_src",		KT_ADDR, KT_NONE, SH_PLAIN)		\
	X("domain",		KT_STR,  KT_NONE, SH_PLAIN)		\
	X("key",		KT_STR,  KT_NONE, SH_PLAIN)		\
	X("repeat",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("msg",		KT_STR,  KT_NONE, SH_PLAIN)		\
	X("targets",		KT_ARRAY, KT_MAP,  SH_PLAIN)		\
	X("targets.addr",	KT_ADDR, KT_NONE, SH_PLAIN)		\
	X("targets.port",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("evidence",		KT_ARRAY, KT_MAP,  SH_PLAIN)		\
	X("evidence.ts",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("evidence.proto",	KT_STR,  KT_NONE, SH_PLAIN)		\
	X("evidence.src",	KT_ADDR, KT_NONE, SH_PLAIN)		\
	X("evidence.dst",	KT_ADDR, KT_NONE, SH_PLAIN)		\
	X("evidence.sport",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("evidence.dport",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("evidence.flags",	KT_UINT, KT_NONE, SH_TCPFLAGS)		\
	X("evidence.icmp_type",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("evidence.arp_op",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("evidence.mac",	KT_ADDR, KT_NONE, SH_PLAIN)		\
	X("evidence.rcode",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("evidence.name",	KT_STR,  KT_NONE, SH_PLAIN)		\
	X("evidence.len",	KT_UINT, KT_NONE, SH_PLAIN)		\
	/* end: nm-decode's own figures (nm-decode(1), REASSEMBLY) */	\
	S(IN_END, BY_DECODE)						\
	X("reasm",		KT_MAP,  KT_NONE, SH_PLAIN)		\
	X("reasm.evicted",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("reasm.overflowed",	KT_UINT, KT_NONE, SH_PLAIN)		\
	/* end: nm-detect's own figures */				\
	S(IN_END, BY_DETECT)						\
	X("detect",		KT_MAP,  KT_NONE, SH_PLAIN)		\
	X("detect.alerts",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("detect.suppressed",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("detect.evicted",	KT_UINT, KT_NONE, SH_PLAIN)		\
	/* end: nm-stats --merge's own figures (nm-stats(1)) */	\
	S(IN_END, BY_STATS)						\
	X("merge",		KT_MAP,  KT_NONE, SH_PLAIN)		\
	X("merge.inputs",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("merge.summaries",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("merge.refused",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("merge.late",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("merge.straddled",	KT_UINT, KT_NONE, SH_PLAIN)		\
	/* end: the geolocation cache's figures (nm-stats(1)) */	\
	S(IN_END, BY_STATS)						\
	X("geo",		KT_MAP,  KT_NONE, SH_PLAIN)		\
	X("geo.hits",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("geo.lookups",	KT_UINT, KT_NONE, SH_PLAIN)		\
	/* end: nm-web's own figures (nm-web(1)) */			\
	S(IN_END, BY_ANY)						\
	X("web",		KT_MAP,  KT_NONE, SH_PLAIN)		\
	X("web.clients",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("web.events",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("web.dropped",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("web.dropped_bytes",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("web.refused",	KT_UINT, KT_NONE, SH_PLAIN)		\
	/* end: nm-push's and nm-pull's own figures (nm-push(1), nm-pull(1)) */ \
	S(IN_END, BY_ANY)						\
	X("push",		KT_MAP,  KT_NONE, SH_PLAIN)		\
	X("push.sensor",	KT_STR,  KT_NONE, SH_PLAIN)		\
	X("push.messages",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("push.records",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("push.bytes",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("push.dropped",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("push.dropped_records", KT_UINT, KT_NONE, SH_PLAIN)		\
	X("push.reconnects",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("pull",		KT_MAP,  KT_NONE, SH_PLAIN)		\
	X("pull.sensors",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("pull.ended",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("pull.messages",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("pull.lost",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("pull.duplicates",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("pull.bad",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("pull.outages",	KT_UINT, KT_NONE, SH_PLAIN)		\
	/* nm-pull: the sensor a record without an "if" came from */	\
	S(IN_STATS | IN_FLOW | IN_ALERT, BY_ANY)			\
	X("sensor",		KT_STR,  KT_NONE, SH_PLAIN)		\
	/* capstats */							\
	S(IN_CAPSTATS, BY_CAPTURE)					\
	X("recv",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("drop",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("ifdrop",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("late",		KT_UINT, KT_NONE, SH_PLAIN)		\
	S(IN_CAPSTATS | IN_STATS | IN_SUMMARY, BY_CAPTURE | BY_STATS)	\
	X("final",		KT_BOOL, KT_NONE, SH_PLAIN)		\
	/* summary: figures that merge (nm-stats(1), MERGING) */	\
	S(IN_SUMMARY, BY_STATS)						\
	X("span",		KT_MAP,  KT_NONE, SH_PLAIN)		\
	X("span.start",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("span.end",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("merged",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("counts",		KT_MAP,  KT_NONE, SH_PLAIN)		\
	X("counts.packets",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("counts.bytes",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("counts.flows",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("by_proto",		KT_ARRAY, KT_MAP,  SH_PLAIN)		\
	X("by_proto.name",	KT_STR,  KT_NONE, SH_PLAIN)		\
	X("by_proto.packets",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("by_proto.bytes",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("by_source",		KT_ARRAY, KT_MAP,  SH_PLAIN)		\
	X("by_source.name",	KT_STR,  KT_NONE, SH_PLAIN)		\
	X("by_source.packets",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("by_source.bytes",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("by_source.recv",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("by_source.drop",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("by_source.ifdrop",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("distinct",		KT_MAP,  KT_NONE, SH_PLAIN)		\
	X("distinct.p",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("distinct.hash",	KT_STR,  KT_NONE, SH_PLAIN)		\
	X("distinct.hosts",	KT_BIN,  KT_NONE, SH_PLAIN)		\
	X("distinct.ports",	KT_BIN,  KT_NONE, SH_PLAIN)		\
	X("distinct.flows",	KT_BIN,  KT_NONE, SH_PLAIN)		\
	X("heavy",		KT_MAP,  KT_NONE, SH_PLAIN)		\
	X("heavy.k",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("heavy.by",		KT_STR,  KT_NONE, SH_PLAIN)		\
	X("heavy.hosts",	KT_ARRAY, KT_MAP,  SH_PLAIN)		\
	X("heavy.hosts.addr",	KT_ADDR, KT_NONE, SH_PLAIN)		\
	X("heavy.hosts.count",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("heavy.hosts.err",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("heavy.hosts.other",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("heavy.ports",	KT_ARRAY, KT_MAP,  SH_PLAIN)		\
	X("heavy.ports.proto",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("heavy.ports.port",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("heavy.ports.count",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("heavy.ports.err",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("heavy.ports.other",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("heavy.flows",	KT_ARRAY, KT_MAP,  SH_PLAIN)		\
	X("heavy.flows.proto",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("heavy.flows.a",	KT_ADDR, KT_NONE, SH_PLAIN)		\
	X("heavy.flows.b",	KT_ADDR, KT_NONE, SH_PLAIN)		\
	X("heavy.flows.pa",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("heavy.flows.pb",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("heavy.flows.count",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("heavy.flows.err",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("heavy.flows.other",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("sizes",		KT_MAP,  KT_NONE, SH_PLAIN)		\
	X("sizes.packet",	KT_MAP,  KT_NONE, SH_PLAIN)		\
	X("sizes.packet.n",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("sizes.packet.sum",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("sizes.packet.min",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("sizes.packet.max",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("sizes.packet.buckets", KT_ARRAY, KT_UINT, SH_PLAIN)		\
	X("sizes.flow_bytes",	KT_MAP,  KT_NONE, SH_PLAIN)		\
	X("sizes.flow_bytes.n",	KT_UINT, KT_NONE, SH_PLAIN)		\
	X("sizes.flow_bytes.sum", KT_UINT, KT_NONE, SH_PLAIN)		\
	X("sizes.flow_bytes.min", KT_UINT, KT_NONE, SH_PLAIN)		\
	X("sizes.flow_bytes.max", KT_UINT, KT_NONE, SH_PLAIN)		\
	X("sizes.flow_bytes.buckets", KT_ARRAY, KT_UINT, SH_PLAIN)	\
	X("sizes.flow_packets",	KT_MAP,  KT_NONE, SH_PLAIN)		\
	X("sizes.flow_packets.n", KT_UINT, KT_NONE, SH_PLAIN)		\
	X("sizes.flow_packets.sum", KT_UINT, KT_NONE, SH_PLAIN)		\
	X("sizes.flow_packets.min", KT_UINT, KT_NONE, SH_PLAIN)		\
	X("sizes.flow_packets.max", KT_UINT, KT_NONE, SH_PLAIN)		\
	X("sizes.flow_packets.buckets", KT_ARRAY, KT_UINT, SH_PLAIN)	\
	/* end */							\
	S(IN_END, BY_ANY)						\
	X("records",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("frames",		KT_UINT, KT_NONE, SH_PLAIN)		\
	X("packets",		KT_UINT, KT_NONE, SH_PLAIN)		\
	S(IN_FLOW | IN_END, BY_ANY)					\
	X("reason",		KT_STR,  KT_NONE, SH_PLAIN)
/* clang-format on */

/* What REC_KEYS says of one known key. */
struct rec_key {
	const char *path;
	enum key_type type, elem;
	enum key_show show;
	unsigned in; /* IN_ bits: the record types it belongs to */
	unsigned by; /* BY_ bits: the stages that write it */
};

/* One record as read: valid until the next rec_read() on its reader. */
struct rec {
	msgpack_object obj; /* always a map */
	enum rec_type type;
	const char *raw; /* the msgpack bytes, or NULL if read as JSON */
	size_t rawlen;
	uint64_t off; /* byte offset of the record in the stream */
};

/* --- schema.c --- */
enum rec_type rec_type_of(const char *s, size_t n);
const char *rec_type_name(enum rec_type t);
/*
 * Looks up key name under the known map (or array of maps) with id parent
 * (0: the record itself).  Returns the key's id, which is the parent id of
 * its own keys, and its type (and its elements' type), or 0 if unknown.
 */
int rec_key_find(int parent, const char *name, size_t n, enum key_type *type,
    enum key_type *elem);
/*
 * rec_key_find, for a key of a record of the types in (IN_ bits): 0 for a
 * key known only in records of other types (there it is a user's).
 */
int rec_key_find_in(int parent, unsigned in, const char *name, size_t n,
    enum key_type *type, enum key_type *elem);
/*
 * A name's first eight bytes as a little-endian word, the bytes past n
 * zeroed: with the length, a name of up to eight bytes in one number.
 */
uint64_t rec_key_word(const char *s, size_t n);
/*
 * rec_key_find, given the name's rec_key_word (a reader that may load
 * eight bytes at once makes it without a loop).
 */
int rec_key_find_word(int parent, uint64_t word, const char *name, size_t n,
    enum key_type *type, enum key_type *elem);
/* A known key by its id (from rec_key_find: 1 to rec_key_count()). */
const struct rec_key *rec_key(int id);
int rec_key_count(void);
/* The id of a dotted path ("tcp.opts.mss"), or 0 if it is not known. */
int rec_key_path(const char *path);
/*
 * Checks every known key of a record of type t against REC_KEYS (a key of
 * another type's is not checked: it is a user's).  Returns 0, or -1 with
 * a message in why (naming the key and what was wrong).
 */
int rec_validate(
    const msgpack_object *map, enum rec_type t, char *why, size_t whylen);
/* Whether a value has a key type (not looking inside arrays or maps). */
static inline int
rec_type_ok(enum key_type t, const msgpack_object *o)
{
	switch (t) {
	case KT_STR: return o->type == MSGPACK_OBJECT_STR;
	case KT_UINT: return o->type == MSGPACK_OBJECT_POSITIVE_INTEGER;
	case KT_INT:
		return o->type == MSGPACK_OBJECT_POSITIVE_INTEGER ||
		    o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER;
	case KT_NUM:
		return o->type == MSGPACK_OBJECT_POSITIVE_INTEGER ||
		    o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER ||
		    o->type == MSGPACK_OBJECT_FLOAT32 ||
		    o->type == MSGPACK_OBJECT_FLOAT64;
	case KT_BOOL: return o->type == MSGPACK_OBJECT_BOOLEAN;
	case KT_BIN: return o->type == MSGPACK_OBJECT_BIN;
	case KT_ADDR:
		return o->type == MSGPACK_OBJECT_BIN && o->via.bin.size > 0 &&
		    o->via.bin.size <= 64;
	case KT_MAP: return o->type == MSGPACK_OBJECT_MAP;
	case KT_ARRAY: return o->type == MSGPACK_OBJECT_ARRAY;
	default: return 1;
	}
}

/*
 * The same check for one value of the known key id: its type, and its
 * elements' type if it is an array, but not the keys of maps inside it
 * (the msgpack reader checks those as it meets them).  why may be NULL
 * when whylen is 0.
 */
int rec_check_key(int id, const msgpack_object *v, char *why, size_t whylen);

/* --- recread.c --- */
struct rec_reader;
/* NULL with errno (ENOMEM) if it cannot; the caller exits. */
struct rec_reader *rec_reader_open(int fd);
/*
 * Declares what a stage reads of the records of one type: dotted paths of
 * known keys, NULL-terminated ("ts", "ip.src", "dns" for a whole map).
 * From then on such records read as msgpack are handed out with only
 * those keys (and "type") in rec->obj; the others are still parsed and
 * type-checked, and rec->raw still holds every byte for passing the
 * record on.  Records of other types, records read as JSON and records
 * whose first key is not "type" come whole.  paths NULL: whole again.
 * -1 with EINVAL for a path that is not a known key (those records then
 * come whole) or for headers and end records, which the driver reads.
 */
int rec_reader_want(
    struct rec_reader *r, enum rec_type type, const char *const *paths);
/*
 * From now on rec_read() returns REC_IDLE instead of blocking when no
 * whole record is buffered and the input has nothing to read yet: the
 * stage driver then flushes, does its periodic work and waits itself.
 */
void rec_reader_report_idle(struct rec_reader *r);
/* The descriptor it reads (to poll several readers at once). */
int rec_reader_fd(const struct rec_reader *r);
#define REC_IDLE 2
/*
 * Reads the next record into *rec.  Returns 1, 0 at end of stream,
 * REC_IDLE (see above), or -1:
 * errno EBADMSG for a malformed stream (rec_reader_error() says where and
 * what, with the byte offset), EINTR when a signal interrupted a read
 * (nothing is lost: call again), ENOMEM when a record's tree found no
 * memory, anything else for an I/O error.
 */
int rec_read(struct rec_reader *r, struct rec *rec);
const char *rec_reader_error(const struct rec_reader *r);
/*
 * Once rec_read() has returned 0: 1 when the stream ended whole (its last
 * records are end records, none saying its producer's own input ended
 * early), 0 when it stopped short: no record at all, no end record after
 * the last other one (upstream died), or an upstream stage's end record
 * with reason "early".  Then rec_reader_error() says why, or is "" in the
 * last case (the stage that saw it first has told the user).
 */
int rec_reader_saw_end(const struct rec_reader *r);
void rec_reader_close(struct rec_reader *r);
/*
 * One msgpack record from memory (a bus message holds many): parsed and
 * checked as rec_read() checks a stream's, but for the header-first rule
 * (a message is the middle of a stream), with r's memory (r opened on
 * fd -1 does).  1 with *rec and its length in *used, valid until the
 * next call; -1 with errno EBADMSG (a bad or cut record; rec_reader_error
 * says what) or ENOMEM.
 */
int rec_parse(struct rec_reader *r, const void *p, size_t n, struct rec *rec,
    size_t *used);
/* Caps the bytes taken per read() (tests feed streams a byte at a time). */
void rec_reader_set_maxread(struct rec_reader *r, size_t n);

/* --- recget.c --- */
/*
 * Map lookups on a record or a layer map; NULL when absent.  Inline, so
 * that a literal key's length is known where it is asked for.
 */
const msgpack_object *rec_get_n(
    const msgpack_object *map, const char *key, size_t n);
static inline const msgpack_object *
rec_get(const msgpack_object *map, const char *key)
{
	return rec_get_n(map, key, strlen(key));
}
/* Dotted lookup through nested maps: rec_path(obj, "ip.src"). */
const msgpack_object *rec_path(const msgpack_object *map, const char *path);
/* Each returns 1 and stores the value when the key is there with that type. */
int rec_get_u64(const msgpack_object *map, const char *key, uint64_t *v);
int rec_get_bool(const msgpack_object *map, const char *key, int *v);
int rec_get_str(
    const msgpack_object *map, const char *key, const char **s, size_t *n);
int rec_get_bin(
    const msgpack_object *map, const char *key, const uint8_t **p, size_t *n);
/*
 * A number at a dotted path, whatever its msgpack form (unsigned,
 * negative, float); 0 when absent or not a number.
 */
double rec_num(const msgpack_object *map, const char *path);
/* Whether a header's "stages" names stage (it ran upstream). */
int rec_header_has_stage(const msgpack_object *hdr, const char *stage);
/*
 * When a live capture began, from a header: the earliest of its sources'
 * start (ns since the epoch), or 0 when none says (a file's stream).
 */
uint64_t rec_capture_start(const msgpack_object *hdr);
/*
 * A header's sources: how many, and *srcs pointing at the first (NULL
 * and 0 when it names none).
 */
uint32_t rec_sources(const msgpack_object *hdr, const msgpack_object **srcs);
/*
 * A source's name for people, NUL-terminated in buf (len > 0): its name,
 * or "NETNS/IFACE" for an interface in another network namespace (the
 * way nm-capture's -i names it), cut to fit.  Returns its length.  The
 * bytes are the header's: whoever shows them escapes them.
 */
size_t rec_source_name(const msgpack_object *src, char *buf, size_t len);
/*
 * The interface a source's frames came in on, as tshark's
 * frame.interface_name gives it: a live source's name (as above), the
 * "ifname" a file names its interface by ("unknown" when it names it
 * with none, as tshark says), or "" (a pcap file has no interfaces).
 */
size_t rec_source_ifname(const msgpack_object *src, char *buf, size_t len);
/*
 * Whether a map key (a string) is the literal s: REC_KEY_IS(k, "ts").
 * Forced inline so that, with a literal, the compare unrolls: a stage
 * that walks every key of every record does this most of all.
 */
static inline __attribute__((always_inline)) int
rec_key_is(const msgpack_object *k, const char *s, size_t n)
{
	size_t i;

	if (k->via.str.size != n)
		return 0;
	for (i = 0; i < n; i++)
		if (k->via.str.ptr[i] != s[i])
			return 0;
	return 1;
}
#define REC_KEY_IS(k, s) rec_key_is((k), (s), sizeof(s) - 1)

/* Compares a msgpack string with a C string. */
int rec_str_eq(const msgpack_object *o, const char *s);
/* A value that is an unsigned integer: 1 and *out set, else 0. */
static inline int
rec_obj_u64(const msgpack_object *v, uint64_t *out)
{
	if (v->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
		return 0;
	*out = v->via.u64;
	return 1;
}
/* A value that is bytes of exactly n (an address): 1 and copied, else 0. */
static inline int
rec_obj_addr(const msgpack_object *v, uint8_t *dst, size_t n)
{
	if (v->type != MSGPACK_OBJECT_BIN || v->via.bin.size != n)
		return 0;
	memcpy(dst, v->via.bin.ptr, n);
	return 1;
}

/* --- recwrite.c --- */
struct rec_writer;
struct rec_writer *rec_writer_open(int fd);
/* Pack one record with this packer, then call rec_writer_end(). */
struct pk *rec_writer_pk(struct rec_writer *w);
/* Ends a record; writes out when the buffer is large.  0 or -1/errno. */
int rec_writer_end(struct rec_writer *w);
/* Writes a record unchanged (raw bytes when it came as msgpack). */
int rec_write_rec(struct rec_writer *w, const struct rec *rec);
/* Writes everything buffered.  -1 with errno (EPIPE: the reader left). */
int rec_writer_flush(struct rec_writer *w);
int rec_writer_close(struct rec_writer *w); /* flushes, then frees */
/*
 * Writes a header record: the upstream header hdr (or a new one when
 * NULL) with this stage appended to "stages" and every other key kept.
 */
int rec_write_header(
    struct rec_writer *w, const msgpack_object *hdr, const char *stage);
/* An end record for this producer: records written before it, and why. */
int rec_write_end(struct rec_writer *w, const char *producer, uint64_t frames,
    uint64_t packets, const char *reason);
/* The same, with keys of the stage's own that more() packs before its close. */
int rec_write_end_more(struct rec_writer *w, const char *producer,
    uint64_t frames, uint64_t packets, const char *reason,
    void (*more)(struct pk *, void *), void *arg);

#endif
