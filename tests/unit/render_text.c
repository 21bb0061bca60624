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
#define TS	1764139935421000000ull

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
		pk_ku(&pk, "poff", 54);	/* what nm-decode says */
		pk_ku(&pk, "plen", 1366);
	}
	return finish_obj();
}

static const msgpack_object *
dns_packet(int response)
{
	static const uint8_t dns_ip[] = { 10, 0, 0, 53 }, cli[] = { 10, 0, 0, 1 };
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
	pk_ku(&pk, "rcode", 0);
	pk_ku(&pk, "an", response ? 2 : 0);
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
	printf("FAIL: %s\n  want: %s  got:  %.*s", name, want, (int)b->len,
	    b->p);
	failures++;
}

typedef void render_fn(struct out *, struct strbuf *, const struct out_pkt *);

static void
check(const char *name, struct out *o, render_fn *fn,
    const msgpack_object *obj, const char *want)
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

static void
test_compact(void)
{
	struct out o;

	memset(&o, 0, sizeof(o));
	check("compact tcp", &o, out_compact, tcp_packet(0, 0),
	    "[06:52:15.421] TCP      192.168.1.100   \xe2\x86\x92 "
	    "172.217.14.206  |  5432 \xe2\x86\x92 443(HTTPS) [PA] |"
	    " 1420 bytes\n");
	check("compact err marker", &o, out_compact, tcp_packet(1, 0),
	    "[06:52:15.421] TCP      192.168.1.100   \xe2\x86\x92 "
	    "172.217.14.206  |  5432 \xe2\x86\x92 443(HTTPS) [PA] |"
	    " 1420 bytes [|tcp: options cut short]\n");
	check("compact dns query", &o, out_compact, dns_packet(0),
	    "[06:52:15.421] DNS      10.0.0.1        \xe2\x86\x92 10.0.0.53"
	    "       | 40000 \xe2\x86\x92 53(DNS) A? example.com | 74 bytes\n");
	check("compact dns answer", &o, out_compact, dns_packet(1),
	    "[06:52:15.421] DNS      10.0.0.53       \xe2\x86\x92 10.0.0.1"
	    "        |    53(DNS) \xe2\x86\x92 40000 CNAME www.example.com,"
	    " A 93.184.216.34 | 74 bytes\n");
	check("compact icmp", &o, out_compact, icmp_packet(),
	    "[06:52:15.421] ICMP     192.168.1.100   \xe2\x86\x92 "
	    "172.217.14.206  | echo request (8/0) id=7 seq=1 | 98 bytes\n");
	check("compact arp request", &o, out_compact, arp_packet(1),
	    "[06:52:15.421] ARP      10.0.0.1        \xe2\x86\x92 10.0.0.2"
	    "        | who-has 10.0.0.2 tell 10.0.0.1 | 42 bytes\n");
	check("compact arp reply", &o, out_compact, arp_packet(2),
	    "[06:52:15.421] ARP      10.0.0.1        \xe2\x86\x92 10.0.0.2"
	    "        | 10.0.0.1 is-at 02:00:00:00:00:01 | 42 bytes\n");
	check("compact no ip: macs", &o, out_compact, vlan_packet(),
	    "[06:52:15.421] ?        02:00:00:00:00:01 \xe2\x86\x92 "
	    "02:00:00:00:00:02 | ethertype 0x8100 | 122 bytes\n");
	o.tmode = OUT_TIME_EPOCH;
	check("compact -t", &o, out_compact, icmp_packet(),
	    "[1764139935.421000] ICMP     192.168.1.100   \xe2\x86\x92 "
	    "172.217.14.206  | echo request (8/0) id=7 seq=1 | 98 bytes\n");
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
	    "\033[31m[PA]\033[0m | 1420 bytes\n");
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
	    "172.217.14.206  |  5432 \xe2\x86\x92 443(HTTPS) [PA] |"
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
	    "02:00:00:00:00:02 | ethertype 0x8100 | 122 bytes\n"
	    "  eth    src=02:00:00:00:00:01 dst=02:00:00:00:00:02"
	    " type=0x8100\n"
	    "  vlan   tpid=0x8100 id=118\n"
	    "  vlan   tpid=0x8100 id=10\n"
	    "\n");
}

static void
test_fields(void)
{
	static const char *const f1[] = {
		"frame.time_epoch", "frame.len", "ip.src", "ip.id",
		"tcp.srcport", "tcp.dstport", "tcp.flags", "tcp.flags.push",
		"tcp.hdr_len", "udp.srcport", NULL
	};
	static const char *const f2[] = {
		"dns.id", "dns.flags.response", "dns.qry.name", "dns.qry.type",
		"dns.a", "dns.cname", "dns.aaaa", "dns.resp.ttl", NULL
	};
	static const char *const f3[] = {
		"eth.type", "vlan.id", "arp.opcode", NULL
	};

	check_fields("fields tcp", f1, tcp_packet(0, 0),
	    "1764139935.421000000\t1420\t192.168.1.100\t0x1c46\t5432\t443\t"
	    "0x0018\t1\t20\t\n");
	check_fields("fields dns", f2, dns_packet(1),
	    "0x1234\t1\texample.com\t1\t93.184.216.34\twww.example.com\t\t"
	    "300,300\n");
	check_fields("fields vlan", f3, vlan_packet(), "0x8100\t118,10\t\n");
	if (out_field_find("no.such.field") == NULL)
		printf("PASS: fields unknown name\n");
	else {
		printf("FAIL: fields unknown name found\n");
		failures++;
	}
}

int
main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	pk_init(&pk, 4096);
	msgpack_zone_init(&zone, 4096);
	test_compact();
	test_color();
	test_minimal();
	test_detailed();
	test_fields();
	msgpack_zone_destroy(&zone);
	pk_free(&pk);
	return failures ? 1 : 0;
}
