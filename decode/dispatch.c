/*
 * The dispatch tables of nm-decode, all in one place: link type to the
 * link-layer decoder, ethertype to the network layer, IP protocol to the
 * transport, port to the application.  dec_packet() walks a frame along
 * them, one decoder per layer, until a decoder has nothing to hand on or
 * stops on bytes that ran out or made no sense.
 */
#include <stdarg.h>
#include <stdio.h>

#include "app.h"
#include "pkt.h"
#include "services.h"

/*
 * Bounds the walk whatever the bytes say.  The longest chain the tables
 * allow is a link layer, PKT_MAXVLAN tags and the one that stops at the
 * limit (dec_vlan reports it), then network, transport and application:
 * the bound is above that, so it is a guard for a table that would loop,
 * and hitting it is reported like any other stop.
 */
#define DEC_MAXLAYERS (PKT_MAXVLAN + 8)

static const struct {
	unsigned linktype;
	dec_fn *fn;
} link_tab[] = {
	{ 1, dec_eth },	   /* EN10MB */
	{ 0, dec_null },   /* BSD loopback, host byte order */
	{ 108, dec_null }, /* OpenBSD loopback, network byte order */
	{ 12, dec_raw },   /* raw IP (some BSDs) */
	{ 14, dec_raw },   /* raw IP (others) */
	{ 101, dec_raw },  /* LINKTYPE_RAW */
	{ 228, dec_ipv4 }, /* LINKTYPE_IPV4 */
	{ 229, dec_ipv6 }, /* LINKTYPE_IPV6 */
	{ 9, dec_ppp },	   /* PPP */
	{ 50, dec_ppp },   /* PPP in HDLC-like framing */
	{ 113, dec_sll },  /* Linux cooked v1 */
	{ 276, dec_sll2 }, /* Linux cooked v2 */
};

static const struct {
	unsigned type;
	dec_fn *fn;
} ether_tab[] = {
	{ 0x0800, dec_ipv4 }, { 0x86dd, dec_ipv6 }, { 0x0806, dec_arp },
	{ 0x8035, dec_rarp }, /* reverse ARP, RFC 903 */
	{ 0x8100, dec_vlan }, /* 802.1Q */
	{ 0x88a8, dec_vlan }, /* 802.1ad */
	{ 0x9100, dec_vlan }, /* pre-standard QinQ */
};

/* the protocols' names are proto_ip_name()'s */
static const struct {
	unsigned proto;
	dec_fn *fn;
} ipproto_tab[] = {
	{ IPPROTO_ICMP, dec_icmp },
	{ IPPROTO_TCP, dec_tcp },
	{ IPPROTO_UDP, dec_udp },
	{ IPPROTO_ICMPV6, dec_icmpv6 },
};

static const struct {
	unsigned port;
	dec_fn *fn;
} port_tab[] = {
	{ 53, dec_dns },   /* DNS */
	{ 5353, dec_dns }, /* mDNS */
	{ 5355, dec_dns }, /* LLMNR */
};

#define NITEMS(a) (sizeof(a) / sizeof((a)[0]))

int dec_app_on = 1;

dec_fn *
dec_by_linktype(unsigned linktype)
{
	size_t i;

	for (i = 0; i < NITEMS(link_tab); i++)
		if (link_tab[i].linktype == linktype)
			return link_tab[i].fn;
	return NULL;
}

dec_fn *
dec_by_ethertype(unsigned type)
{
	size_t i;

	for (i = 0; i < NITEMS(ether_tab); i++)
		if (ether_tab[i].type == type)
			return ether_tab[i].fn;
	return NULL;
}

dec_fn *
dec_by_ipproto(unsigned proto)
{
	size_t i;

	for (i = 0; i < NITEMS(ipproto_tab); i++)
		if (ipproto_tab[i].proto == proto)
			return ipproto_tab[i].fn;
	return NULL;
}

/* The lower port first, so a reply from a server port wins over chance. */
dec_fn *
dec_by_port(unsigned sport, unsigned dport)
{
	unsigned lo = sport < dport ? sport : dport;
	unsigned hi = sport < dport ? dport : sport;
	size_t i;

	for (i = 0; i < NITEMS(port_tab); i++)
		if (port_tab[i].port == lo)
			return port_tab[i].fn;
	for (i = 0; i < NITEMS(port_tab); i++)
		if (port_tab[i].port == hi)
			return port_tab[i].fn;
	return NULL;
}

enum dec_status
dec_fail(
    struct pkt *pk, const char *layer, enum dec_status st, const char *fmt, ...)
{
	va_list ap;

	if (pk->have & PK_ERR)
		return st; /* the first fault is the one that counts */
	pk->have |= PK_ERR;
	pk->err_layer = layer;
	pk->err_kind = st == DEC_TRUNC ? "truncated"
	    : st == DEC_INVALID	       ? "invalid"
				       : "unknown";
	va_start(ap, fmt);
	vsnprintf(pk->err_why, sizeof(pk->err_why), fmt, ap);
	va_end(ap);
	return st;
}

enum dec_status
dec_short(struct pkt *pk, const char *layer, size_t need, size_t have)
{
	return dec_fail(pk, layer, DEC_TRUNC,
	    "header needs %zu bytes, %zu captured", need, have);
}

/* The service of a TCP or UDP packet, by the rule in nm-decode(1). */
static void
set_service(struct pkt *pk)
{
	unsigned sport, dport, proto;

	if (pk->have & PK_TCP && pk->tcp.got >= 4) {
		sport = pk->tcp.sport, dport = pk->tcp.dport, proto = 6;
	} else if (pk->have & PK_UDP && pk->udp.got >= 4) {
		sport = pk->udp.sport, dport = pk->udp.dport, proto = 17;
	} else
		return;
	pk->service = svc_pick(sport, dport, proto, &pk->svcport);
}

static void
pkt_reset(struct pkt *pk)
{
	pk->have = 0;
	pk->proto = NULL;
	pk->service = NULL;
	pk->depth = 0;
	pk->nvlan = 0;
	pk->arenalen = 0;
	pk->nextval = 0;
	pk->has_payload = 0;
}

void
dec_nosource(struct pkt *pk, uint64_t ifx, unsigned nsources)
{
	pkt_reset(pk);
	dec_fail(pk, "link", DEC_UNKNOWN,
	    "if %llu is not among the %u sources of the header",
	    (unsigned long long)ifx, nsources);
}

void
dec_packet(struct pkt *pk, unsigned linktype, const uint8_t *p, size_t n)
{
	struct cur c = cur_make(p, n);
	enum dec_status st;
	dec_fn *fn;
	int i, app = 0, tcp;

	pkt_reset(pk);
	if ((fn = dec_by_linktype(linktype)) == NULL) {
		dec_fail(pk, "link", DEC_UNKNOWN, "link type %u not decoded",
		    linktype);
		return;
	}
	for (i = 0; fn != NULL && i < DEC_MAXLAYERS; i++) {
		pk->next = NEXT_NONE;
		st = fn(pk, &c);
		/* An application decoder reads the payload; it does not end it.
		 */
		if (!app && cur_ok(&c) && (st == DEC_OK || st == DEC_UNKNOWN)) {
			pk->has_payload = 1;
			pk->poff = (uint32_t)(c.p - p);
			pk->plen = (uint32_t)cur_left(&c);
		}
		if (st != DEC_OK)
			break;
		switch (pk->next) {
		case NEXT_ETHERTYPE: fn = dec_by_ethertype(pk->nextval); break;
		case NEXT_IPPROTO:
			fn = dec_by_ipproto(pk->nextval);
			if (fn == NULL && proto_ip_name(pk->nextval))
				pk->proto = proto_ip_name(pk->nextval);
			break;
		case NEXT_PORT:
			app = 1;
			/* DNS over TCP by its port, as UDP; any other TCP
			 * payload may start a TLS or HTTP message */
			tcp = fn == dec_tcp;
			fn = dec_by_port(
			    pk->nextval >> 16, pk->nextval & 0xffff);
			if (fn == NULL && tcp && dec_app_on)
				fn = dec_tcpapp;
			/* QUIC is told by its bytes, on any UDP port */
			if (fn == NULL && dec_app_on && pk->have & PK_UDP)
				fn = dec_quic;
			break;
		default: fn = NULL; break;
		}
	}
	if (fn != NULL && i == DEC_MAXLAYERS)
		dec_fail(pk, "frame", DEC_INVALID, "more than %d layers",
		    DEC_MAXLAYERS);
	set_service(pk);
}
