/*
 * A packet record reduced to what the detectors look at, in one pass over
 * its keys (as nm-stats' packet view): the link and ARP fields, the IP
 * addresses, the ports and TCP flags, ICMP's type and code, and the DNS
 * map left whole for the DNS module.  Values of the wrong type are left
 * out, as if absent: the record has been checked against the schema
 * already, and a detector must never act on a half-read field.
 */
#include <string.h>

#include "detect.h"

const char *const dpkt_keys[] = { "ts", "if", "len", "eth.src", "eth.dst",
	"arp", "ip.src", "ip.dst", "ip.proto", "ipv6.src", "ipv6.dst",
	"ipv6.proto", "ipv6.nxt", "tcp.sport", "tcp.dport", "tcp.flags",
	"tcp.len", "tcp.opts", "udp.sport", "udp.dport", "udp.len", "icmp.type",
	"icmp.code", "icmpv6.type", "icmpv6.code", "dns", NULL };

/*
 * Keys are strings (the reader checks): the length first, then a memcmp
 * of a literal's constant length, which the compiler turns into one or
 * two loads and compares (a byte loop here was half this file's time).
 */
#define key_is(k, s, n)                                                        \
	((k)->via.str.size == (n) && memcmp((k)->via.str.ptr, (s), (n)) == 0)

static void
read_eth(const msgpack_object *m, struct dpkt *p)
{
	int s = 0, d = 0;
	uint32_t i;

	for (i = 0; i < m->via.map.size; i++) {
		const msgpack_object_kv *kv = &m->via.map.ptr[i];

		if (key_is(&kv->key, "src", 3))
			s = rec_obj_addr(&kv->val, p->esrc, 6);
		else if (key_is(&kv->key, "dst", 3))
			d = rec_obj_addr(&kv->val, p->edst, 6);
	}
	p->has_eth = s && d;
}

/* Only Ethernet's ARP for IPv4 (RFC 826 with htype 1, ptype 0x0800). */
static void
read_arp(const msgpack_object *m, struct dpkt *p)
{
	uint64_t op = 0, ht = 0, pt = 0;
	int got = 0;
	uint32_t i;

	for (i = 0; i < m->via.map.size; i++) {
		const msgpack_object_kv *kv = &m->via.map.ptr[i];
		const msgpack_object *v = &kv->val;

		if (key_is(&kv->key, "op", 2))
			got += rec_obj_u64(v, &op);
		else if (key_is(&kv->key, "htype", 5))
			got += rec_obj_u64(v, &ht);
		else if (key_is(&kv->key, "ptype", 5))
			got += rec_obj_u64(v, &pt);
		else if (key_is(&kv->key, "sha", 3))
			got += rec_obj_addr(v, p->sha, 6);
		else if (key_is(&kv->key, "spa", 3))
			got += rec_obj_addr(v, p->spa, 4);
		else if (key_is(&kv->key, "tha", 3))
			got += rec_obj_addr(v, p->tha, 6);
		else if (key_is(&kv->key, "tpa", 3))
			got += rec_obj_addr(v, p->tpa, 4);
	}
	if (got == 7 && ht == 1 && pt == 0x0800) {
		p->arp = 1;
		p->arp_op = (unsigned)op;
	}
}

static void
read_ip(const msgpack_object *m, struct dpkt *p, int v6)
{
	size_t n = v6 ? 16 : 4;
	uint64_t u, nxt = 0;
	int s = 0, d = 0, proto = 0, hasnxt = 0;
	uint32_t i;

	for (i = 0; i < m->via.map.size; i++) {
		const msgpack_object_kv *kv = &m->via.map.ptr[i];

		if (key_is(&kv->key, "src", 3))
			s = rec_obj_addr(&kv->val, p->src, n);
		else if (key_is(&kv->key, "dst", 3))
			d = rec_obj_addr(&kv->val, p->dst, n);
		else if (key_is(&kv->key, "proto", 5) &&
		    rec_obj_u64(&kv->val, &u))
			p->ipproto = (unsigned)u, proto = 1;
		else if (key_is(&kv->key, "nxt", 3) &&
		    rec_obj_u64(&kv->val, &nxt))
			hasnxt = 1;
	}
	if (!proto && hasnxt)
		p->ipproto = (unsigned)nxt;
	p->af = s && d ? (v6 ? 6 : 4) : 0;
}

/* An operating system's connect() offers these; nmap's raw SYN does not. */
static int
os_options(const msgpack_object *m)
{
	uint32_t i;

	if (m->type != MSGPACK_OBJECT_MAP)
		return 0;
	for (i = 0; i < m->via.map.size; i++) {
		const msgpack_object *k = &m->via.map.ptr[i].key;

		if (key_is(k, "sackok", 6) || key_is(k, "tsval", 5) ||
		    key_is(k, "ws", 2))
			return 1;
	}
	return 0;
}

static void
read_l4(const msgpack_object *m, struct dpkt *p, int kind)
{
	uint64_t u;
	int sp = 0, dp = 0;
	uint32_t i;

	for (i = 0; i < m->via.map.size; i++) {
		const msgpack_object_kv *kv = &m->via.map.ptr[i];

		if (kind == 't' && key_is(&kv->key, "opts", 4)) {
			p->tcpopts_os = os_options(&kv->val);
			continue;
		}
		if (!rec_obj_u64(&kv->val, &u))
			continue;
		if (kind == 'i') {
			if (key_is(&kv->key, "type", 4))
				p->itype = (unsigned)u, p->icmp = 1;
			else if (key_is(&kv->key, "code", 4))
				p->icode = (unsigned)u;
			continue;
		}
		if (key_is(&kv->key, "sport", 5))
			p->sport = (unsigned)(u & 0xffff), sp = 1;
		else if (key_is(&kv->key, "dport", 5))
			p->dport = (unsigned)(u & 0xffff), dp = 1;
		else if (kind == 't' && key_is(&kv->key, "flags", 5))
			p->tcpflags = (unsigned)u;
		else if (kind == 't' && key_is(&kv->key, "len", 3))
			p->tcplen = u;
		else if (kind == 'u' && key_is(&kv->key, "len", 3))
			p->udplen = u;
	}
	p->ports = sp && dp;
	p->tcp = kind == 't' && p->ports;
	p->udp = kind == 'u' && p->ports;
}

void
dpkt_read(const msgpack_object *m, struct dpkt *p)
{
	const msgpack_object *ip = NULL, *l4 = NULL;
	int kind = 0, v6 = 0;
	uint32_t i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < m->via.map.size; i++) {
		const msgpack_object_kv *kv = &m->via.map.ptr[i];
		const msgpack_object *k = &kv->key, *v = &kv->val;

		if (k->type != MSGPACK_OBJECT_STR)
			continue;
		if (v->type != MSGPACK_OBJECT_MAP) {
			if (key_is(k, "ts", 2))
				rec_obj_u64(v, &p->ts);
			else if (key_is(k, "len", 3))
				rec_obj_u64(v, &p->len);
			else if (key_is(k, "if", 2))
				rec_obj_u64(v, &p->ifx);
		} else if (key_is(k, "eth", 3))
			read_eth(v, p);
		else if (key_is(k, "arp", 3))
			read_arp(v, p);
		else if (ip == NULL && key_is(k, "ip", 2))
			ip = v, v6 = 0;
		else if (ip == NULL && key_is(k, "ipv6", 4))
			ip = v, v6 = 1;
		else if (l4 == NULL && key_is(k, "tcp", 3))
			l4 = v, kind = 't';
		else if (l4 == NULL && key_is(k, "udp", 3))
			l4 = v, kind = 'u';
		else if (l4 == NULL &&
		    (key_is(k, "icmp", 4) || key_is(k, "icmpv6", 6)))
			l4 = v, kind = 'i';
		else if (key_is(k, "dns", 3))
			p->dns = v;
	}
	if (ip != NULL)
		read_ip(ip, p, v6);
	if (p->af == 0) {
		p->dns = NULL; /* a DNS message is of an address pair */
		return;
	}
	if (l4 != NULL)
		read_l4(l4, p, kind);
}

int
dpkt_addr_group(int af, const uint8_t *a)
{
	static const uint8_t zero[16];

	if (af == 4)
		return a[0] >= 224 || memcmp(a, zero, 4) == 0 ||
		    (a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255);
	return a[0] == 0xff || memcmp(a, zero, 16) == 0;
}
