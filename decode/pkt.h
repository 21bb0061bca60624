/*
 * The decoded form of one frame, inside nm-decode: a plain C struct the
 * protocol decoders fill and pack.c turns into a packet record.  There is
 * no allocation per packet: addresses and option bytes point into the
 * frame's data (valid while the frame record is), names decoded from DNS
 * are copied into the struct's own arena.  A layer's fields are present
 * when its bit is set in have; a header cut short keeps the fields that
 * were captured, told by the layer's `got` byte count.
 */
#ifndef PKT_H
#define PKT_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "cur.h"
#include "pk.h"
#include "proto.h"

/*
 * VLAN tags decoded; a frame with more stops at the first tag past the
 * limit, with an err.  Real stacks are one tag (802.1Q), two (QinQ,
 * 802.1ad) and in some carrier networks three; the Linux kernel parses 8
 * at most (VLAN_MAX_DEPTH).  32 leaves room for anything a host or switch
 * sends, and is more than the 21 tags the layer walk allowed before.
 */
#define PKT_MAXVLAN 32
#define PKT_MAXEXT  16	  /* IPv6 extension headers followed */
#define PKT_MAXSACK 4	  /* SACK blocks recorded */
#define PKT_MAXQ    16384 /* DNS questions recorded */
#define PKT_MAXANS  16384 /* DNS resource records recorded */
#define PKT_ARENA   65536 /* bytes for DNS names and texts */
#define PKT_MAXOPT  32	  /* EDNS option codes recorded */

/*
 * The outstanding DNS queries (dnsq.c): 16384 buckets of 4, 4 MiB at
 * most; a query older than DNSQ_MAXAGE nanoseconds no longer matches.
 * Resolvers give up on a query within seconds (glibc after 5 s, a few
 * tries), so a minute keeps every real exchange.
 */
#define DNSQ_BUCKETS 16384
#define DNSQ_WAYS    4
#define DNSQ_MAXAGE  (60 * 1000000000ULL)

enum pkt_layer {
	PK_ETH = 1 << 0,
	PK_SLL = 1 << 1,
	PK_NULL = 1 << 2,
	PK_VLAN = 1 << 3,
	PK_ARP = 1 << 4,
	PK_IP = 1 << 5,
	PK_IPV6 = 1 << 6,
	PK_TCP = 1 << 7,
	PK_UDP = 1 << 8,
	PK_ICMP = 1 << 9,
	PK_ICMPV6 = 1 << 10,
	PK_DNS = 1 << 11,
	PK_ERR = 1 << 12,
	PK_TLS = 1 << 13,  /* a TLS handshake message (TCP, or QUIC's CRYPTO) */
	PK_QUIC = 1 << 14, /* a QUIC long header */
	PK_HTTP = 1 << 15  /* an HTTP/1.x request or response head */
};

/* What a decoder reports; the record's err map says where it stopped. */
enum dec_status {
	DEC_OK = 0,  /* decoded; pk->next says what follows */
	DEC_TRUNC,   /* ran out of captured bytes */
	DEC_INVALID, /* the bytes make no sense */
	DEC_UNKNOWN  /* nothing more this program knows */
};

/* Which table the next layer is looked up in. */
enum dec_next { NEXT_NONE = 0, NEXT_ETHERTYPE, NEXT_IPPROTO, NEXT_PORT };

struct pk_dnsrr {
	const char *name;
	uint16_t type, class;
	uint32_t ttl;
	const uint8_t *addr; /* A / AAAA */
	uint8_t addrlen;
	const char *target; /* CNAME, NS, PTR, MX */
	const char *text;   /* TXT */
	uint8_t text_cut;   /* text is not all there */
	uint16_t pref;	    /* MX */
	uint8_t has_pref;
};

struct pk_dnsq {
	const char *name;
	uint16_t type, class;
	uint8_t has_type, has_class;
};

/*
 * The application layers (app.h): lists recorded up to PKT_MAXLIST
 * entries (a ClientHello offers some 20 ciphers and 20 extensions; a
 * list past the bound is counted in its n, and JA4 still counts all).
 */
#define PKT_MAXLIST 64
#define PKT_JA4LEN  36 /* "t13d1516h2_8daaf6152771_e5627efa2ab1" */

/* (a field pack.c reads without a count guarding it: tcpapp.c's
 * tls_clear must clear it too) */
struct pk_tls {
	/* the first TLS record's header: not in QUIC, which has none */
	uint8_t has_rec, rec_type;
	uint16_t rec_version;
	uint8_t hs_type; /* 1 ClientHello, 2 ServerHello */
	uint8_t got_hs;	 /* a handshake message's type read: hs_type */
	/* every record completed in this segment, and the handshake
	 * messages whose type was read in them, as the record layer is
	 * followed over a TCP direction (tcpapp.c); opaque: a TLS 1.3
	 * encrypted record, whose type 23 is its opaque_type */
	uint8_t recs_type[PKT_MAXLIST], recs_opaque[PKT_MAXLIST];
	uint16_t recs_version[PKT_MAXLIST];
	unsigned nrecs;
	uint8_t hs_types[PKT_MAXLIST];
	unsigned nhs;
	uint16_t hs_version; /* the hello's legacy_version */
	const char *sni;     /* server_name (host_name), arena; or NULL */
	const char *alpn[PKT_MAXLIST]; /* ALPN protocol names, arena */
	unsigned nalpn;
	/* supported_versions: offered (client) or chosen (server, 1) */
	uint16_t versions[PKT_MAXLIST];
	unsigned nversions;
	/* cipher suites: offered (client), or the one chosen (server) */
	uint16_t ciphers[PKT_MAXLIST];
	unsigned nciphers;
	uint16_t exts[PKT_MAXLIST]; /* extension types, as sent */
	unsigned nexts;
	uint16_t sigalgs[PKT_MAXLIST]; /* signature_algorithms */
	unsigned nsigalgs;
	uint16_t groups[PKT_MAXLIST]; /* supported_groups */
	unsigned ngroups;
	char ja4[PKT_JA4LEN + 1]; /* JA4 of a ClientHello, or "" */
	/* bytes of the message's stream read from earlier segments or
	 * packets (0: all in this one), and how many pieces it came in */
	uint32_t reasm_len, reasm_pieces;
};

struct pk_quic {
	uint8_t got;	  /* long header bytes read (0: none) */
	uint8_t first;	  /* the first byte, header protection removed */
	uint8_t ptype;	  /* long packet type: 0 Initial, 1 0-RTT, ... (v1) */
	uint32_t version; /* 0: version negotiation */
	const uint8_t *dcid, *scid; /* into the frame */
	uint8_t dcidlen, scidlen;
	uint64_t token_len, length; /* Initial's token, the Length field */
	uint64_t pn;		    /* packet number, when decrypted */
	uint8_t decrypted;	    /* the Initial's AEAD tag checked */
	unsigned npackets;	    /* QUIC packets in this datagram */
};

struct pk_http {
	uint8_t is_request, is_response;
	const char *method, *uri, *version; /* arena */
	const char *host, *user_agent, *content_type, *server;
	uint64_t content_length;
	uint8_t has_content_length;
	unsigned code;			  /* response status, 100..999 */
	const char *phrase;		  /* reason phrase, arena */
	uint32_t reasm_len, reasm_pieces; /* as in pk_tls */
};

struct pkt {
	unsigned have;	   /* enum pkt_layer bits */
	const char *proto; /* display name of the highest layer */
	const char *service;
	unsigned svcport;
	/* The bytes after the last header decoded below the application:
	 * offset in the frame and captured length (link padding excluded). */
	uint32_t poff, plen;
	int has_payload;

	/* Where decoding stopped early: the err map. */
	const char *err_layer;
	const char *err_kind;
	char err_why[80];

	/* The chain: set by a decoder returning DEC_OK. */
	enum dec_next next;
	unsigned nextval;
	int depth;	/* L3 headers seen: only the first counts */
	uint32_t l4len; /* transport bytes the IP header claims */
	int l4known;	/* 0 in a fragment: l4len is not the whole */

	struct {
		uint8_t got; /* header bytes captured (0..14) */
		const uint8_t *dst, *src;
		uint16_t type;
		uint16_t len; /* 802.3 length field */
		uint8_t is_len;
	} eth;
	struct {
		uint8_t v;
		uint16_t pkttype, hatype, proto;
		uint32_t ifindex;
		const uint8_t *src;
		uint8_t srclen;
	} sll;
	struct {
		uint32_t family;
	} null;
	struct {
		uint16_t tpid, id;
		uint8_t pcp, dei;
		/* what follows the tag: an ethertype, or an 802.3 length
		 * when is_len (a tag cut short is not recorded at all) */
		uint16_t type;
		uint8_t is_len;
	} vlan[PKT_MAXVLAN];
	unsigned nvlan;
	struct {
		uint8_t got; /* fixed header bytes captured (0..8) */
		uint16_t htype, ptype, op;
		uint8_t hlen, plen;
		const uint8_t *sha, *spa, *tha, *tpa; /* NULL if cut off */
	} arp;
	struct {
		uint8_t got; /* fixed header bytes captured (0..20) */
		uint8_t hl, tos, df, mf, ttl, proto;
		uint16_t len, id, frag, sum;
		const uint8_t *src, *dst, *opts;
		uint8_t optlen;
	} ip;
	struct {
		uint8_t got; /* fixed header bytes captured (0..40) */
		uint8_t tc, nxt, hlim, proto, mf, has_proto, has_frag;
		uint32_t flow, fid;
		uint16_t plen, frag;
		const uint8_t *src, *dst;
		struct {
			uint8_t type;
			uint16_t len; /* bytes */
		} ext[PKT_MAXEXT];
		unsigned n_ext;
	} ipv6;
	struct {
		uint8_t got; /* fixed header bytes captured (0..20) */
		uint16_t sport, dport, flags, win, sum, urp;
		uint32_t seq, ack;
		uint8_t hl;
		uint32_t len;
		uint8_t has_len;
		uint8_t has_opts, has_mss, has_ws, sackok, has_ts;
		uint16_t mss;
		uint8_t ws;
		uint32_t tsval, tsecr;
		uint32_t sack[2 * PKT_MAXSACK];
		unsigned nsack;
	} tcp;
	struct {
		uint8_t got; /* header bytes captured (0..8) */
		uint16_t sport, dport, len, sum;
	} udp;
	struct {
		uint8_t got; /* header bytes captured (0..8) */
		uint8_t type, code, echo;
		uint16_t sum, id, seq;
		const uint8_t *target; /* ICMPv6 ND and redirect */
	} icmp;			       /* ICMP or ICMPv6: see have */
	struct {
		uint8_t got; /* header bytes captured (0..12) */
		uint16_t id, flags, qd, an, ns, ar;
		/* grown on demand, kept across packets: no malloc per packet */
		struct pk_dnsq *q;
		unsigned nq, qcap;
		struct pk_dnsrr *ans;
		unsigned nans, anscap;
		/* the OPT pseudo-record of the additional section (RFC
		 * 6891): EDNS, not a resource record */
		struct {
			uint8_t has, ext_rcode, version;
			uint16_t udp_size,
			    z;	       /* z: all 16 flag bits, DO first */
			unsigned nopt; /* options, even past PKT_MAXOPT */
			uint16_t opt[PKT_MAXOPT];
		} edns;
		/* a response's match in dnsq.c: nanoseconds since the query,
		 * and the query's frame number */
		uint8_t has_time;
		uint64_t time, qframe;
	} dns;

	struct pk_tls tls;
	struct pk_quic quic;
	struct pk_http http;
	uint64_t ts; /* the frame's time, nanoseconds (0: none) */

	char arena[PKT_ARENA];
	size_t arenalen;
};

/* One decoder's shape: read a layer at c, leave c at its payload. */
typedef enum dec_status dec_fn(struct pkt *, struct cur *);

/*
 * dispatch.c: the tables, and the walk along them.  dec_app_on (1 unless
 * nm-decode --no-app) says whether TCP and UDP payloads go on to the
 * application decoders of app.h (TLS, QUIC, HTTP).
 */
extern int dec_app_on;
dec_fn *dec_by_linktype(unsigned linktype);
dec_fn *dec_by_ethertype(unsigned type);
dec_fn *dec_by_ipproto(unsigned proto);
dec_fn *dec_by_port(unsigned sport, unsigned dport);
void dec_packet(struct pkt *pk, unsigned linktype, const uint8_t *p, size_t n);
/* A frame of no source the header names: nothing decoded, an err says so. */
void dec_nosource(struct pkt *pk, uint64_t ifx, unsigned nsources);

/* Records why decoding stopped; returns st for a tail call. */
enum dec_status dec_fail(struct pkt *pk, const char *layer, enum dec_status st,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The common "header needs N bytes, M captured" truncation. */
enum dec_status dec_short(
    struct pkt *pk, const char *layer, size_t need, size_t have);

/* The decoders, one per file. */
dec_fn dec_eth, dec_ppp, dec_sll, dec_sll2, dec_null, dec_raw, dec_vlan,
    dec_arp, dec_rarp, dec_ipv4, dec_ipv6, dec_tcp, dec_udp, dec_icmp,
    dec_icmpv6, dec_dns;
enum dec_status dec_dns_msg(struct pkt *pk, struct cur *c);

/*
 * dnsq.c: seeds the table's hash (before the sandbox: it reads the
 * kernel's random source); matches a decoded DNS message with the table,
 * setting dns.has_time on a response to a query seen; counts the
 * unanswered queries pushed out of a full bucket.
 */
void dnsq_seed(void);
void dnsq_note(struct pkt *pk, uint64_t ts, uint64_t frame);
uint64_t dnsq_evicted(void);

/*
 * arena.c: a copy of untrusted bytes in the packet's arena, NUL-ended,
 * bytes outside printable ASCII (and those in esc_too) written as \xHH,
 * so a NUL or a control byte can neither end the string nor hide; NULL
 * when the arena is full.
 */
const char *arena_text(
    struct pkt *pk, const uint8_t *p, size_t n, const char *esc_too);
/* The pieces it is made of: n bytes as they are; one byte escaped with
 * spare bytes left free after it.  Each returns 0 when the arena is full. */
int arena_put(struct pkt *pk, const char *s, size_t n);
int arena_esc(struct pkt *pk, unsigned b, const char *esc_too, size_t spare);

/* pack.c: the packet record's decoded keys, into the map open in mp. */
void pkt_pack(struct pk *mp, const struct pkt *pk);

#endif
