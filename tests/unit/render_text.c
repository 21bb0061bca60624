/*
 * Unit tests for nm-render's line formats: packet records are packed by
 * hand with msgpack-c, unpacked into objects, and each mode's output is
 * compared with the exact line expected.  Times are shown in UTC so the
 * expected lines hold on any machine.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "render.h"

static int failures;

/* 2025-11-26 06:52:15.421 UTC */
#define TS 1764139935421000000ull

static struct pk pk;
static msgpack_zone zone;

/* Each test record is one map, open from start() to finish_obj(). */
static void
start(void)
{
	pk.len = 0;
	pk_map_open(&pk);
}

static const msgpack_object *
finish_obj(void)
{
	static msgpack_object obj;
	size_t off = 0;

	pk_close(&pk);
	if (msgpack_unpack(pk.p, pk.len, &off, &zone, &obj) !=
	    MSGPACK_UNPACK_SUCCESS) {
		printf("FAIL: unpack: the test packed a bad object\n");
		exit(1);
	}
	return &obj;
}

static void
addr(const char *key, const uint8_t *p, size_t n)
{
	pk_kbin(&pk, key, p, n);
}

static void
frame_keys(uint64_t len)
{
	pk_kstr(&pk, "type", "packet");
	pk_ku(&pk, "ts", TS);
	pk_ku(&pk, "if", 0);
	pk_ku(&pk, "len", len);
	pk_ku(&pk, "caplen", len);
}

static void
ipv4(uint8_t proto, const uint8_t *src, const uint8_t *dst, uint64_t len)
{
	pk_cstr(&pk, "ip");
	pk_map_open(&pk);
	pk_ku(&pk, "v", 4);
	pk_ku(&pk, "len", len);
	pk_ku(&pk, "id", 0x1c46);
	pk_ku(&pk, "ttl", 64);
	pk_ku(&pk, "proto", proto);
	addr("src", src, 4);
	addr("dst", dst, 4);
	pk_close(&pk);
}

static const uint8_t ip_a[] = { 192, 168, 1, 100 };
static const uint8_t ip_b[] = { 172, 217, 14, 206 };
static const uint8_t mac_a[] = { 2, 0, 0, 0, 0, 1 };
static const uint8_t mac_b[] = { 2, 0, 0, 0, 0, 2 };

static void
eth(uint64_t type)
{
	pk_cstr(&pk, "eth");
	pk_map_open(&pk);
	addr("src", mac_a, 6);
	addr("dst", mac_b, 6);
	pk_ku(&pk, "type", type);
	pk_close(&pk);
}

/* The DESIGN.md model packet: HTTPS, PSH+ACK, 1420 bytes. */
static const msgpack_object *
tcp_packet(int with_err, int with_data)
{
	uint8_t data[1420];

	start();
	frame_keys(1420);
	eth(0x0800);
	ipv4(6, ip_a, ip_b, 1406);
	pk_cstr(&pk, "tcp");
	pk_map_open(&pk);
	pk_ku(&pk, "sport", 5432);
	pk_ku(&pk, "dport", 443);
	pk_ku(&pk, "seq", 1);
	pk_ku(&pk, "ack", 1);
	pk_ku(&pk, "hl", 20);
	pk_ku(&pk, "flags", 0x18);
	pk_ku(&pk, "win", 501);
	pk_ku(&pk, "len", 1366);
	pk_close(&pk);
	pk_kstr(&pk, "proto", "TCP");
	pk_kstr(&pk, "service", "HTTPS");
	pk_ku(&pk, "svcport", 443);
	if (with_err) {
		pk_cstr(&pk, "err");
		pk_map_open(&pk);
		pk_kstr(&pk, "layer", "tcp");
		pk_kstr(&pk, "kind", "truncated");
		pk_kstr(&pk, "why", "options cut short");
		pk_close(&pk);
	}
	if (with_data) {
		memset(data, 0, sizeof(data));
		memcpy(data + 54, "GET / HTTP/1.1\r\n", 16);
		addr("data", data, sizeof(data));
		pk_ku(&pk, "poff", 54); /* what nm-decode says */
		pk_ku(&pk, "plen", 1366);
	}
	return finish_obj();
}

static const msgpack_object *
dns_packet(int response)
{
	static const uint8_t dns_ip[] = { 10, 0, 0, 53 },
			     cli[] = { 10, 0, 0, 1 };
	static const uint8_t a[] = { 93, 184, 216, 34 };

	start();
	frame_keys(74);
	eth(0x0800);
	if (response)
		ipv4(17, dns_ip, cli, 60);
	else
		ipv4(17, cli, dns_ip, 60);
	pk_cstr(&pk, "udp");
	pk_map_open(&pk);
	pk_ku(&pk, "sport", response ? 53 : 40000);
	pk_ku(&pk, "dport", response ? 40000 : 53);
	pk_ku(&pk, "len", 40);
	pk_close(&pk);
	pk_kstr(&pk, "proto", "DNS");
	pk_kstr(&pk, "service", "DNS");
	pk_ku(&pk, "svcport", 53);
	pk_cstr(&pk, "dns");
	pk_map_open(&pk);
	pk_ku(&pk, "id", 0x1234);
	pk_kbool(&pk, "qr", response);
	pk_kbool(&pk, "rd", 1);
	pk_kbool(&pk, "ra", response);
	pk_ku(&pk, "rcode", 0);
	pk_ku(&pk, "an", response ? 2 : 0);
	pk_ku(&pk, "ns", 0);
	pk_ku(&pk, "ar", 0);
	pk_cstr(&pk, "q");
	pk_array_open(&pk);
	pk_map_open(&pk);
	pk_kstr(&pk, "name", "example.com");
	pk_ku(&pk, "type", 1);
	pk_ku(&pk, "class", 1);
	pk_close(&pk);
	pk_close(&pk);
	pk_cstr(&pk, "ans");
	pk_array_open(&pk);
	if (response) {
		pk_map_open(&pk);
		pk_kstr(&pk, "name", "example.com");
		pk_ku(&pk, "type", 5);
		pk_ku(&pk, "ttl", 300);
		pk_kstr(&pk, "target", "www.example.com");
		pk_close(&pk);
		pk_map_open(&pk);
		pk_kstr(&pk, "name", "www.example.com");
		pk_ku(&pk, "type", 1);
		pk_ku(&pk, "ttl", 300);
		addr("addr", a, 4);
		pk_close(&pk);
	}
	pk_close(&pk);
	pk_close(&pk);
	return finish_obj();
}

/*
 * A DNS response of rcode NXDomain with an authority record; badcookie:
 * rcode 7 in the header and 1 in EDNS's upper bits, i.e. 23 (BadCookie).
 */
static const msgpack_object *
nxdomain_packet(int badcookie)
{
	static const uint8_t dns_ip[] = { 10, 0, 0, 53 },
			     cli[] = { 10, 0, 0, 1 };

	start();
	frame_keys(90);
	ipv4(17, dns_ip, cli, 76);
	pk_cstr(&pk, "udp");
	pk_map_open(&pk);
	pk_ku(&pk, "sport", 53);
	pk_ku(&pk, "dport", 40001);
	pk_close(&pk);
	pk_kstr(&pk, "proto", "DNS");
	pk_cstr(&pk, "dns");
	pk_map_open(&pk);
	pk_ku(&pk, "id", 12345);
	pk_kbool(&pk, "qr", 1);
	pk_kbool(&pk, "aa", 1);
	pk_kbool(&pk, "ra", 1);
	pk_ku(&pk, "rcode", badcookie ? 7 : 3);
	if (badcookie) {
		pk_cstr(&pk, "edns");
		pk_map_open(&pk);
		pk_ku(&pk, "udp_size", 1232);
		pk_ku(&pk, "ext_rcode", 1);
		pk_close(&pk);
	}
	pk_ku(&pk, "an", 0);
	pk_ku(&pk, "ns", 1);
	pk_ku(&pk, "ar", 0);
	pk_cstr(&pk, "q");
	pk_array_open(&pk);
	pk_map_open(&pk);
	pk_kstr(&pk, "name", "nx.example.com");
	pk_ku(&pk, "type", 28);
	pk_ku(&pk, "class", 1);
	pk_close(&pk);
	pk_close(&pk);
	pk_cstr(&pk, "ans");
	pk_array_open(&pk);
	pk_map_open(&pk);
	pk_kstr(&pk, "name", "example.com");
	pk_ku(&pk, "type", 6);
	pk_ku(&pk, "class", 1);
	pk_ku(&pk, "ttl", 60);
	pk_close(&pk);
	pk_map_open(&pk);
	pk_kstr(&pk, "name", "<Root>");
	pk_ku(&pk, "type", 41);
	pk_ku(&pk, "class", 1);
	pk_close(&pk);
	pk_close(&pk);
	pk_close(&pk);
	return finish_obj();
}

/* A response whose answers have data nm-decode does not show. */
static const msgpack_object *
sshfp_packet(void)
{
	start();
	frame_keys(300);
	pk_cstr(&pk, "dns");
	pk_map_open(&pk);
	pk_ku(&pk, "id", 20972);
	pk_kbool(&pk, "qr", 1);
	pk_kbool(&pk, "ra", 1);
	pk_ku(&pk, "an", 2);
	pk_ku(&pk, "ns", 0);
	pk_ku(&pk, "ar", 0);
	pk_cstr(&pk, "ans");
	pk_array_open(&pk);
	pk_map_open(&pk);
	pk_ku(&pk, "type", 44);
	pk_close(&pk);
	pk_map_open(&pk);
	pk_ku(&pk, "type", 46);
	pk_close(&pk);
	pk_close(&pk);
	pk_close(&pk);
	return finish_obj();
}

/* An IPv4 fragment: the first (with UDP) or one further on. */
static const msgpack_object *
frag_packet(int first)
{
	start();
	frame_keys(first ? 1514 : 554);
	pk_cstr(&pk, "ip");
	pk_map_open(&pk);
	pk_ku(&pk, "hl", 20);
	pk_ku(&pk, "len", first ? 1500 : 540);
	pk_ku(&pk, "id", 54321);
	pk_kbool(&pk, "mf", first);
	pk_ku(&pk, "frag", first ? 0 : 185);
	pk_ku(&pk, "proto", 17);
	addr("src", ip_a, 4);
	addr("dst", ip_b, 4);
	pk_close(&pk);
	if (first) {
		pk_cstr(&pk, "udp");
		pk_map_open(&pk);
		pk_ku(&pk, "sport", 40000);
		pk_ku(&pk, "dport", 9999);
		pk_close(&pk);
	}
	pk_kstr(&pk, "proto", "UDP");
	return finish_obj();
}

/* A later IPv6 fragment: 1232 bytes at 1232, more to come. */
static const msgpack_object *
frag6_packet(void)
{
	uint8_t a[16] = { 0xfd, 0 }, d[16] = { 0xfd, 0 };

	a[15] = 1;
	d[15] = 2;
	start();
	frame_keys(1294);
	pk_cstr(&pk, "ipv6");
	pk_map_open(&pk);
	pk_ku(&pk, "plen", 1240);
	addr("src", a, 16);
	addr("dst", d, 16);
	pk_cstr(&pk, "ext");
	pk_array_open(&pk);
	pk_map_open(&pk);
	pk_ku(&pk, "type", 44);
	pk_ku(&pk, "len", 8);
	pk_close(&pk);
	pk_close(&pk);
	pk_ku(&pk, "proto", 17);
	pk_ku(&pk, "frag", 154);
	pk_kbool(&pk, "mf", 1);
	pk_ku(&pk, "fid", 0xdeadbeef);
	pk_close(&pk);
	pk_kstr(&pk, "proto", "IPv6");
	return finish_obj();
}

/* TCP over IPv6 with long addresses, on VLAN 100. */
static const msgpack_object *
v6_packet(const char *src, uint64_t sport)
{
	uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34, 0x56, 0x78, 0x9a,
		0xbc, 0xde, 0xf0, 0x12, 0x34, 0x56, 0x78 };
	uint8_t d[16] = { 0xfd, 0 };

	start();
	frame_keys(90);
	pk_cstr(&pk, "vlan");
	pk_array_open(&pk);
	pk_map_open(&pk);
	pk_ku(&pk, "tpid", 0x8100);
	pk_ku(&pk, "id", 100);
	pk_close(&pk);
	pk_close(&pk);
	pk_cstr(&pk, "ipv6");
	pk_map_open(&pk);
	pk_ku(&pk, "plen", 32);
	if (src != NULL)
		addr("src", a, 16);
	else
		addr("src", ip_a, 4); /* stands for a short one */
	d[15] = 2;
	addr("dst", d, 16);
	pk_close(&pk);
	pk_cstr(&pk, "tcp");
	pk_map_open(&pk);
	pk_ku(&pk, "sport", sport);
	pk_ku(&pk, "dport", 80);
	pk_ku(&pk, "flags", 0x10);
	pk_ku(&pk, "len", 0);
	pk_close(&pk);
	pk_kstr(&pk, "proto", "TCP");
	return finish_obj();
}

static const msgpack_object *
icmp_packet(void)
{
	start();
	frame_keys(98);
	eth(0x0800);
	ipv4(1, ip_a, ip_b, 84);
	pk_cstr(&pk, "icmp");
	pk_map_open(&pk);
	pk_ku(&pk, "type", 8);
	pk_ku(&pk, "code", 0);
	pk_ku(&pk, "id", 7);
	pk_ku(&pk, "seq", 1);
	pk_close(&pk);
	pk_kstr(&pk, "proto", "ICMP");
	return finish_obj();
}

static const msgpack_object *
arp_packet(int op)
{
	static const uint8_t spa[] = { 10, 0, 0, 1 }, tpa[] = { 10, 0, 0, 2 };

	start();
	frame_keys(42);
	eth(0x0806);
	pk_cstr(&pk, "arp");
	pk_map_open(&pk);
	pk_ku(&pk, "op", (uint64_t)op);
	addr("sha", mac_a, 6);
	addr("spa", spa, 4);
	addr("tha", mac_b, 6);
	addr("tpa", tpa, 4);
	pk_close(&pk);
	pk_kstr(&pk, "proto", "ARP");
	return finish_obj();
}

static const msgpack_object *
vlan_packet(void)
{
	static const uint16_t ids[] = { 118, 10 };
	size_t i;

	start();
	frame_keys(122);
	eth(0x8100);
	pk_cstr(&pk, "vlan");
	pk_array_open(&pk);
	for (i = 0; i < 2; i++) {
		pk_map_open(&pk);
		pk_ku(&pk, "tpid", 0x8100);
		pk_ku(&pk, "id", ids[i]);
		pk_close(&pk);
	}
	pk_close(&pk);
	return finish_obj();
}

static void
expect(const char *name, struct strbuf *b, const char *want)
{
	if (b->len == strlen(want) && memcmp(b->p, want, b->len) == 0) {
		printf("PASS: %s\n", name);
		return;
	}
	printf(
	    "FAIL: %s\n  want: %s  got:  %.*s", name, want, (int)b->len, b->p);
	failures++;
}

typedef void render_fn(struct out *, struct strbuf *, const struct out_pkt *);

static void
check(const char *name, struct out *o, render_fn *fn, const msgpack_object *obj,
    const char *want)
{
	struct strbuf b = { NULL, 0, 0 };
	struct out_pkt p;

	out_scan(obj, &p);
	fn(o, &b, &p);
	expect(name, &b, want);
	free(b.p);
}

static void
check_fields(const char *name, const char *const *names,
    const msgpack_object *obj, const char *want)
{
	const struct out_field *f[16];
	struct out o;
	struct strbuf b = { NULL, 0, 0 };
	size_t n;

	memset(&o, 0, sizeof(o));
	for (n = 0; names[n] != NULL; n++)
		if ((f[n] = out_field_find(names[n])) == NULL) {
			printf("FAIL: %s: no field %s\n", name, names[n]);
			failures++;
			return;
		}
	o.mode = OUT_FIELDS;
	o.fields = f;
	o.nfields = n;
	out_fields(&o, &b, obj, REC_PACKET);
	expect(name, &b, want);
	free(b.p);
}

/* As check_fields, with tshark's -E settings. */
static void
check_fields_e(const char *name, const char *const *names,
    const msgpack_object *obj, char sep, char quote, enum out_occ occ,
    unsigned n, const char *want)
{
	const struct out_field *f[16];
	struct out o;
	struct strbuf b = { NULL, 0, 0 };
	size_t i;

	memset(&o, 0, sizeof(o));
	for (i = 0; names[i] != NULL; i++)
		f[i] = out_field_find(names[i]);
	o.mode = OUT_FIELDS;
	o.fields = f;
	o.nfields = i;
	o.sep = sep;
	o.quote = quote;
	o.occ = occ;
	o.occ_n = n;
	out_fields(&o, &b, obj, REC_PACKET);
	expect(name, &b, want);
	free(b.p);
}

/* A query whose name holds a quote. */
static const msgpack_object *
txt_packet(void)
{
	start();
	frame_keys(60);
	pk_cstr(&pk, "dns");
	pk_map_open(&pk);
	pk_cstr(&pk, "q");
	pk_array_open(&pk);
	pk_map_open(&pk);
	pk_kstr(&pk, "name", "it's");
	pk_close(&pk);
	pk_close(&pk);
	pk_close(&pk);
	return finish_obj();
}

static void
test_compact(void)
{
	struct out o;

	memset(&o, 0, sizeof(o));
	check("compact tcp", &o, out_compact, tcp_packet(0, 0),
	    "[06:52:15.421] TCP      192.168.1.100   \xe2\x86\x92 "
	    "172.217.14.206  |  5432 \xe2\x86\x92 443(HTTPS) [PA] len 1366 |"
	    " 1420 bytes\n");
	check("compact err marker", &o, out_compact, tcp_packet(1, 0),
	    "[06:52:15.421] TCP      192.168.1.100   \xe2\x86\x92 "
	    "172.217.14.206  |  5432 \xe2\x86\x92 443(HTTPS) [PA] len 1366 |"
	    " 1420 bytes [|tcp: options cut short]\n");
	check("compact dns query: id, rd, question", &o, out_compact,
	    dns_packet(0),
	    "[06:52:15.421] DNS      10.0.0.1        \xe2\x86\x92 10.0.0.53"
	    "       | 40000 \xe2\x86\x92 53(DNS) 4660+ A? example.com. |"
	    " 74 bytes\n");
	check("compact dns answer: id, counts, answers", &o, out_compact,
	    dns_packet(1),
	    "[06:52:15.421] DNS      10.0.0.53       \xe2\x86\x92 10.0.0.1"
	    "        |    53(DNS) \xe2\x86\x92 40000 4660 2/0/0 CNAME "
	    "www.example.com., A 93.184.216.34 | 74 bytes\n");
	check("compact dns nxdomain", &o, out_compact, nxdomain_packet(0),
	    "[06:52:15.421] DNS      10.0.0.53       \xe2\x86\x92 10.0.0.1"
	    "        |    53 \xe2\x86\x92 40001 12345 NXDomain* 0/1/0 |"
	    " 90 bytes\n");
	check("compact dns rcode with EDNS's upper bits", &o, out_compact,
	    nxdomain_packet(1),
	    "[06:52:15.421] DNS      10.0.0.53       \xe2\x86\x92 10.0.0.1"
	    "        |    53 \xe2\x86\x92 40001 12345 BadCookie* 0/1/0 |"
	    " 90 bytes\n");
	check("compact dns answers without data: no stray spaces", &o,
	    out_compact, sshfp_packet(),
	    "[06:52:15.421] ?         | 20972 2/0/0 SSHFP, RRSIG | 300 "
	    "bytes\n");
	check("compact first fragment", &o, out_compact, frag_packet(1),
	    "[06:52:15.421] UDP      192.168.1.100   \xe2\x86\x92 "
	    "172.217.14.206  | 40000 \xe2\x86\x92 9999 frag "
	    "54321:1480@0+ | 1514 bytes\n");
	check("compact last fragment", &o, out_compact, frag_packet(0),
	    "[06:52:15.421] UDP      192.168.1.100   \xe2\x86\x92 "
	    "172.217.14.206  | frag 54321:520@1480 | 554 bytes\n");
	check("compact ipv6 fragment", &o, out_compact, frag6_packet(),
	    "[06:52:15.421] IPv6     fd00::1         \xe2\x86\x92 fd00::2"
	    "         | frag 3735928559:1232@1232+ | 1294 bytes\n");
	check("compact icmp", &o, out_compact, icmp_packet(),
	    "[06:52:15.421] ICMP     192.168.1.100   \xe2\x86\x92 "
	    "172.217.14.206  | echo request (8/0) id 7 seq 1 | 98 bytes\n");
	check("compact arp request", &o, out_compact, arp_packet(1),
	    "[06:52:15.421] ARP      10.0.0.1        \xe2\x86\x92 10.0.0.2"
	    "        | who-has 10.0.0.2 tell 10.0.0.1 | 42 bytes\n");
	check("compact arp reply", &o, out_compact, arp_packet(2),
	    "[06:52:15.421] ARP      10.0.0.1        \xe2\x86\x92 10.0.0.2"
	    "        | 10.0.0.1 is-at 02:00:00:00:00:01 | 42 bytes\n");
	check("compact no ip: macs", &o, out_compact, vlan_packet(),
	    "[06:52:15.421] ?        02:00:00:00:00:01 \xe2\x86\x92 "
	    "02:00:00:00:00:02 | ethertype 0x8100 vlan 118 vlan 10 |"
	    " 122 bytes\n");
	o.tmode = OUT_TIME_EPOCH;
	check("compact -tt", &o, out_compact, icmp_packet(),
	    "[1764139935.421000] ICMP     192.168.1.100   \xe2\x86\x92 "
	    "172.217.14.206  | echo request (8/0) id 7 seq 1 | 98 bytes\n");
}

/* The address columns grow to the widest IP address, then stay. */
static void
test_widths(void)
{
	struct out o;

	memset(&o, 0, sizeof(o));
	o.tmode = OUT_TIME_NONE;
	check("width: short addresses take the IPv4 width", &o, out_compact,
	    v6_packet(NULL, 1),
	    "TCP      192.168.1.100   \xe2\x86\x92 fd00::2         |"
	    "     1 \xe2\x86\x92 80 [A] vlan 100 | 90 bytes\n");
	check("width: a long IPv6 address widens both columns", &o, out_compact,
	    v6_packet("long", 2),
	    "TCP      2001:db8:1234:5678:9abc:def0:1234:5678 \xe2\x86\x92 "
	    "fd00::2                                |     2 \xe2\x86\x92"
	    " 80 [A] vlan 100 | 90 bytes\n");
	check("width: and they stay as wide", &o, out_compact,
	    v6_packet(NULL, 3),
	    "TCP      192.168.1.100                          \xe2\x86\x92 "
	    "fd00::2                                |     3 \xe2\x86\x92"
	    " 80 [A] vlan 100 | 90 bytes\n");
	memset(&o, 0, sizeof(o));
	o.tmode = OUT_TIME_NONE;
	check("width: no time with -t", &o, out_minimal, icmp_packet(),
	    "ICMP 192.168.1.100 \xe2\x86\x92 172.217.14.206\n");
}

/* tcpdump's -ttt, -tttt, -ttttt; ASCII outside a UTF-8 locale. */
static void
test_times(void)
{
	struct out o;

	memset(&o, 0, sizeof(o));
	o.tmode = OUT_TIME_DATE;
	check("time -tttt: date and time", &o, out_minimal, icmp_packet(),
	    "2025-11-26 06:52:15.421000 ICMP 192.168.1.100 \xe2\x86\x92"
	    " 172.217.14.206\n");
	o.ascii = 1;
	check("ascii: > for the arrow", &o, out_compact, tcp_packet(0, 0),
	    "[2025-11-26 06:52:15.421000] TCP      192.168.1.100   > "
	    "172.217.14.206  |  5432 > 443(HTTPS) [PA] len 1366 |"
	    " 1420 bytes\n");
	memset(&o, 0, sizeof(o));
	o.tmode = OUT_TIME_DELTA;
	check("time -ttt: the first is 0", &o, out_minimal, icmp_packet(),
	    "00:00:00.000000 ICMP 192.168.1.100 \xe2\x86\x92"
	    " 172.217.14.206\n");
	o.tprev -= 3723000001000ull; /* as if the last came 1:02:03 before */
	check("time -ttt: since the last", &o, out_minimal, icmp_packet(),
	    "01:02:03.000001 ICMP 192.168.1.100 \xe2\x86\x92"
	    " 172.217.14.206\n");
	o.tmode = OUT_TIME_SINCE;
	o.tfirst += 2000000;
	check("time -ttttt: before the first is negative", &o, out_minimal,
	    icmp_packet(),
	    "-00:00:00.002000 ICMP 192.168.1.100 \xe2\x86\x92"
	    " 172.217.14.206\n");
}

static void
test_color(void)
{
	struct out o;

	memset(&o, 0, sizeof(o));
	o.color = 1;
	check("compact colour", &o, out_compact, tcp_packet(0, 0),
	    "\033[36m[06:52:15.421]\033[0m \033[32mTCP\033[0m      "
	    "192.168.1.100   \xe2\x86\x92 172.217.14.206  |  "
	    "\033[33m5432\033[0m \xe2\x86\x92 \033[33m443(HTTPS)\033[0m "
	    "\033[31m[PA]\033[0m len 1366 | 1420 bytes\n");
}

static void
test_minimal(void)
{
	struct out o;

	memset(&o, 0, sizeof(o));
	check("minimal tcp", &o, out_minimal, tcp_packet(0, 0),
	    "06:52:15.421 TCP 192.168.1.100 \xe2\x86\x92 172.217.14.206\n");
	check("minimal arp", &o, out_minimal, arp_packet(1),
	    "06:52:15.421 ARP 10.0.0.1 \xe2\x86\x92 10.0.0.2\n");
}

static void
test_detailed(void)
{
	struct out o;

	memset(&o, 0, sizeof(o));
	check("detailed tcp", &o, out_detailed, tcp_packet(0, 1),
	    "[06:52:15.421] TCP      192.168.1.100   \xe2\x86\x92 "
	    "172.217.14.206  |  5432 \xe2\x86\x92 443(HTTPS) [PA] len 1366 |"
	    " 1420 bytes\n"
	    "  eth    src=02:00:00:00:00:01 dst=02:00:00:00:00:02"
	    " type=0x0800\n"
	    "  ip     v=4 len=1406 id=0x1c46 ttl=64 proto=6"
	    " src=192.168.1.100 dst=172.217.14.206\n"
	    "  tcp    sport=5432 dport=443 seq=1 ack=1 hl=20"
	    " flags=0x018[PA] win=501 len=1366\n"
	    "  0000  47 45 54 20 2f 20 48 54  54 50 2f 31 2e 31 0d 0a "
	    " GET / HTTP/1.1..\n"
	    "  0010  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00 "
	    " ................\n"
	    "  0020  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00 "
	    " ................\n"
	    "  0030  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00 "
	    " ................\n"
	    "\n");
	check("detailed vlan", &o, out_detailed, vlan_packet(),
	    "[06:52:15.421] ?        02:00:00:00:00:01 \xe2\x86\x92 "
	    "02:00:00:00:00:02 | ethertype 0x8100 vlan 118 vlan 10 |"
	    " 122 bytes\n"
	    "  eth    src=02:00:00:00:00:01 dst=02:00:00:00:00:02"
	    " type=0x8100\n"
	    "  vlan   tpid=0x8100 id=118\n"
	    "  vlan   tpid=0x8100 id=10\n"
	    "\n");
	check("detailed dns: types, classes, rcodes named", &o, out_detailed,
	    nxdomain_packet(0),
	    "[06:52:15.421] DNS      10.0.0.53       \xe2\x86\x92 10.0.0.1"
	    "        |    53 \xe2\x86\x92 40001 12345 NXDomain* 0/1/0 |"
	    " 90 bytes\n"
	    "  ip     v=4 len=76 id=0x1c46 ttl=64 proto=17 src=10.0.0.53"
	    " dst=10.0.0.1\n"
	    "  udp    sport=53 dport=40001\n"
	    "  dns    id=0x3039 qr=1 aa=1 ra=1 rcode=3(NXDomain) an=0 ns=1"
	    " ar=0\n"
	    "    q      name=nx.example.com type=28(AAAA) class=1(IN)\n"
	    "    ans    name=example.com type=6(SOA) class=1(IN) ttl=60\n"
	    "    ans    name=<Root> type=41(OPT) class=1\n"
	    "\n");
}

static void
test_fields(void)
{
	static const char *const f1[] = { "frame.time_epoch", "frame.len",
		"ip.src", "ip.id", "tcp.srcport", "tcp.dstport", "tcp.flags",
		"tcp.flags.push", "tcp.hdr_len", "udp.srcport", NULL };
	static const char *const f2[] = { "dns.id", "dns.flags.response",
		"dns.qry.name", "dns.qry.type", "dns.a", "dns.cname",
		"dns.aaaa", "dns.resp.ttl", NULL };
	static const char *const f3[] = { "eth.type", "vlan.id", "arp.opcode",
		NULL };
	static const char *const f4[] = { "dns.qry.name", NULL };

	check_fields("fields tcp", f1, tcp_packet(0, 0),
	    "1764139935.421000000\t1420\t192.168.1.100\t0x1c46\t5432\t443\t"
	    "0x0018\t1\t20\t\n");
	check_fields("fields dns", f2, dns_packet(1),
	    "0x1234\t1\texample.com\t1\t93.184.216.34\twww.example.com\t\t"
	    "300,300\n");
	check_fields("fields vlan", f3, vlan_packet(), "0x8100\t118,10\t\n");
	check_fields_e("fields -E separator=, quote=d", f3, vlan_packet(), ',',
	    '"', OCC_ALL, 0, "\"0x8100\",\"118,10\",\n");
	check_fields_e("fields -E occurrence=f", f3, vlan_packet(), '\t', 0,
	    OCC_FIRST, 0, "0x8100\t118\t\n");
	check_fields_e("fields -E occurrence=l", f3, vlan_packet(), '\t', 0,
	    OCC_LAST, 0, "0x8100\t10\t\n");
	check_fields_e("fields -E occurrence=2", f3, vlan_packet(), '\t', 0,
	    OCC_NTH, 2, "\t10\t\n");
	check_fields_e("fields -E occurrence=3: none", f3, vlan_packet(), '\t',
	    0, OCC_NTH, 3, "\t\t\n");
	check_fields_e("fields -E quote=s, a quote inside doubled", f4,
	    txt_packet(), '\t', '\'', OCC_ALL, 0, "'it''s'\n");
	if (out_field_find("no.such.field") == NULL)
		printf("PASS: fields unknown name\n");
	else {
		printf("FAIL: fields unknown name found\n");
		failures++;
	}
}

/*
 * An alert as nm-detect writes it (port_scan), or a sweep with a port and
 * no victim, a repeat count and a message holding a terminal escape.
 */
static const msgpack_object *
alert_record(int sweep)
{
	static const uint8_t a1[4] = { 10, 77, 0, 1 }, a2[4] = { 10, 77, 0, 2 };
	unsigned i;

	start();
	pk_kstr(&pk, "type", "alert");
	pk_ku(&pk, "ts", TS);
	pk_kstr(&pk, "kind", sweep ? "host_sweep" : "port_scan");
	pk_kstr(&pk, "style", "SYN");
	pk_kstr(&pk, "scan", sweep ? "horizontal" : "vertical");
	pk_kstr(&pk, "severity", "medium");
	pk_kstr(&pk, "proto", "TCP");
	addr("src", a1, 4);
	if (sweep) {
		pk_ku(&pk, "port", 22);
		pk_ku(&pk, "repeat", 3);
		pk_kstr(&pk, "msg", "swept \033[2J25 hosts");
		return finish_obj();
	}
	addr("dst", a2, 4);
	pk_ku(&pk, "count", 15);
	pk_ku(&pk, "window", 300000000000ull);
	pk_ku(&pk, "first", TS - 2000000000ull);
	pk_kstr(&pk, "key", "port_scan 10.77.0.1 10.77.0.2 SYN");
	pk_ku(&pk, "repeat", 0);
	pk_kstr(&pk, "msg", "10.77.0.1 scanned 15 TCP ports of 10.77.0.2");
	pk_cstr(&pk, "targets");
	pk_array_open(&pk);
	for (i = 0; i < 2; i++) {
		pk_map_open(&pk);
		addr("addr", a2, 4);
		pk_ku(&pk, "port", 25 + i);
		pk_close(&pk);
	}
	pk_close(&pk);
	pk_cstr(&pk, "evidence");
	pk_array_open(&pk);
	pk_map_open(&pk);
	pk_ku(&pk, "ts", TS - 2000000000ull);
	pk_kstr(&pk, "proto", "TCP");
	addr("src", a1, 4);
	addr("dst", a2, 4);
	pk_ku(&pk, "sport", 34805);
	pk_ku(&pk, "dport", 25);
	pk_ku(&pk, "flags", 2);
	pk_close(&pk);
	pk_close(&pk);
	pk_kstr(&pk, "community_id", "1:wCb3OG7yAFWelaUydu0D+125CLM=");
	return finish_obj();
}

static void
check_alert(const char *name, struct out *o, const msgpack_object *obj,
    const char *want)
{
	struct strbuf b = { NULL, 0, 0 };

	out_alert(o, &b, obj);
	expect(name, &b, want);
	free(b.p);
}

/* An alert's line in each layout, its colour, and the report's section. */
static void
test_alert(void)
{
	static const char line[] =
	    "ALERT port_scan (SYN, vertical) 10.77.0.1 \xe2\x86\x92 "
	    "10.77.0.2: 10.77.0.1 scanned 15 TCP ports of 10.77.0.2 "
	    "[medium]\n";
	struct strbuf b = { NULL, 0, 0 };
	struct out o;

	memset(&o, 0, sizeof(o));
	check_alert("alert compact", &o, alert_record(0),
	    "[06:52:15.421] ALERT port_scan (SYN, vertical) 10.77.0.1 "
	    "\xe2\x86\x92 10.77.0.2: 10.77.0.1 scanned 15 TCP ports of "
	    "10.77.0.2 [medium]\n");
	check_alert("alert: a port, no victim, repeats, text escaped", &o,
	    alert_record(1),
	    "[06:52:15.421] ALERT host_sweep (SYN, horizontal) 10.77.0.1 "
	    "\xe2\x86\x92 port 22: swept \\x1b[2J25 hosts [medium] repeat 3\n");
	o.mode = OUT_MINIMAL;
	check_alert("alert minimal", &o, alert_record(0),
	    "06:52:15.421 ALERT port_scan (SYN, vertical) 10.77.0.1 "
	    "\xe2\x86\x92 10.77.0.2: 10.77.0.1 scanned 15 TCP ports of "
	    "10.77.0.2 [medium]\n");
	o.tmode = OUT_TIME_NONE;
	check_alert("alert -t: no time", &o, alert_record(0), line);
	o.color = 1;
	check_alert("alert colour: the whole line bold red", &o,
	    alert_record(0),
	    "\033[1;31mALERT port_scan (SYN, vertical) 10.77.0.1 "
	    "\xe2\x86\x92 10.77.0.2: 10.77.0.1 scanned 15 TCP ports of "
	    "10.77.0.2 [medium]\033[0m\n");
	memset(&o, 0, sizeof(o));
	o.mode = OUT_DETAILED;
	check_alert("alert detailed: keys, targets, evidence", &o,
	    alert_record(0),
	    "[06:52:15.421] ALERT port_scan (SYN, vertical) 10.77.0.1 "
	    "\xe2\x86\x92 10.77.0.2: 10.77.0.1 scanned 15 TCP ports of "
	    "10.77.0.2 [medium]\n"
	    "  alert  proto=TCP count=15 window=300.000000000s "
	    "first=06:52:13.421 key=\"port_scan 10.77.0.1 10.77.0.2 SYN\" "
	    "community_id=1:wCb3OG7yAFWelaUydu0D+125CLM=\n"
	    "  targets 10.77.0.2:25 10.77.0.2:26\n"
	    "  evidence 06:52:13.421 TCP 10.77.0.1:34805 \xe2\x86\x92 "
	    "10.77.0.2:25 [S]\n"
	    "\n");
	/* six alerts so far: five port_scan, one host_sweep (3 repeats) */
	memset(&o, 0, sizeof(o));
	o.ruled = 1;
	out_alert_report(&o, &b);
	expect("alert report: by kind, after the final report's rule", &b,
	    "Alerts: 6\n"
	    "  port_scan: 5 alerts\n"
	    "    06:52:15.421 10.77.0.1 \xe2\x86\x92 10.77.0.2: 10.77.0.1 "
	    "scanned 15 TCP ports of 10.77.0.2\n"
	    "    06:52:15.421 10.77.0.1 \xe2\x86\x92 10.77.0.2: 10.77.0.1 "
	    "scanned 15 TCP ports of 10.77.0.2\n"
	    "    06:52:15.421 10.77.0.1 \xe2\x86\x92 10.77.0.2: 10.77.0.1 "
	    "scanned 15 TCP ports of 10.77.0.2\n"
	    "    06:52:15.421 10.77.0.1 \xe2\x86\x92 10.77.0.2: 10.77.0.1 "
	    "scanned 15 TCP ports of 10.77.0.2\n"
	    "    06:52:15.421 10.77.0.1 \xe2\x86\x92 10.77.0.2: 10.77.0.1 "
	    "scanned 15 TCP ports of 10.77.0.2\n"
	    "  host_sweep: 1 alert, 3 repeats held back\n"
	    "    06:52:15.421 10.77.0.1 \xe2\x86\x92 port 22: swept "
	    "\\x1b[2J25 hosts\n"
	    "============================================================\n");
	free(b.p);
}

int
main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	pk_init(&pk, 4096);
	msgpack_zone_init(&zone, 4096);
	test_compact();
	test_widths();
	test_times();
	test_color();
	test_minimal();
	test_detailed();
	test_fields();
	test_alert();
	msgpack_zone_destroy(&zone);
	pk_free(&pk);
	return failures ? 1 : 0;
}
