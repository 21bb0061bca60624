/*
 * Unit tests of nm-decode's decoders at the struct level and through the
 * packer: packets built byte by byte here, decoded whole and then cut at
 * every offset, which must never crash, must say which layer ran short,
 * and must always pack into a map msgpack can read back.
 */
#include <sys/resource.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nm.h"
#include "pkt.h"
#include "services.h"

#include "decode_test.h"

#define ETH_IP	"020000000002 020000000001 0800"
#define ETH_IP6 "020000000002 020000000001 86dd"

/* Decodes and packs; returns 1 when the packed map reads back. */
static int
roundtrip(unsigned lt, const uint8_t *p, size_t n)
{
	static struct pk mp;
	msgpack_zone z;
	msgpack_object o;
	size_t off;
	int ok;

	dec_packet(&pk, lt, p, n);
	if (mp.p == NULL)
		pk_init(&mp, 4096);
	mp.len = 0;
	pk_map_open(&mp);
	pkt_pack(&mp, &pk);
	pk_close(&mp);
	msgpack_zone_init(&z, 4096);
	off = 0;
	ok = msgpack_unpack(mp.p, mp.len, &off, &z, &o) ==
		MSGPACK_UNPACK_SUCCESS &&
	    o.type == MSGPACK_OBJECT_MAP && off == mp.len;
	msgpack_zone_destroy(&z);
	return ok;
}

/*
 * Cuts b at every offset: the err layer must be the one whose header the
 * cut falls in; bounds[i] is where layer names[i] ends.
 */
static void
sweep(const char *name, unsigned lt, const struct buf *b,
    const char *const *names, const size_t *bounds, size_t nl)
{
	char what[128];
	size_t cut, i;
	int bad = 0;

	for (cut = 0; cut < b->n && !bad; cut++) {
		if (!roundtrip(lt, b->b, cut))
			bad = 1;
		for (i = 0; i < nl && bounds[i] <= cut; i++)
			;
		if (i == nl)
			continue; /* past the headers: payload cut */
		if (!(pk.have & PK_ERR) ||
		    strcmp(pk.err_layer, names[i]) != 0 ||
		    strcmp(pk.err_kind, "truncated") != 0) {
			snprintf(what, sizeof(what), "%s cut at %zu: %s", name,
			    cut, pk.have & PK_ERR ? pk.err_layer : "no err");
			printf("FAIL: %s\n", what);
			fails++;
			return;
		}
	}
	snprintf(what, sizeof(what), "%s: truncated at every offset", name);
	CHECK(what, !bad);
}

static void
test_tcp(void)
{
	static const char *const names[] = { "eth", "ip", "tcp" };
	static const size_t bounds[] = { 14, 34, 86 };
	struct buf b = { .n = 0 };

	put(&b, ETH_IP);
	put(&b, "4500 0032 1234 4000 4006 0000 c0a80164 acd90ece");
	put(&b, "1538 01bb 00000001 00000002 d018 01f5 0000 0000");
	put(&b, "020405b4 0402 080a 0000000a 0000000b 01 030307");
	put(&b, "050a 00000064 000000c8 0101"); /* a SACK block */
	put(&b, "0000 6869 6a6b 6c6d");
	/* fix the IP total length to what we built */
	b.b[16] = (uint8_t)((b.n - 14) >> 8);
	b.b[17] = (uint8_t)(b.n - 14);
	CHECK("tcp decodes", roundtrip(1, b.b, b.n) && !(pk.have & PK_ERR));
	CHECK("tcp ports", pk.tcp.sport == 5432 && pk.tcp.dport == 443);
	CHECK("tcp seq ack", pk.tcp.seq == 1 && pk.tcp.ack == 2);
	CHECK("tcp flags and len",
	    pk.tcp.flags == 0x018 && pk.tcp.hl == 13 &&
		pk.tcp.len == b.n - 14 - 20 - 52);
	CHECK("tcp options",
	    pk.tcp.has_mss && pk.tcp.mss == 1460 && pk.tcp.sackok &&
		pk.tcp.has_ts && pk.tcp.tsval == 10 && pk.tcp.tsecr == 11 &&
		pk.tcp.has_ws && pk.tcp.ws == 7 && pk.tcp.nsack == 1 &&
		pk.tcp.sack[1] == 200);
	CHECK("tcp service is the server's",
	    pk.service != NULL && strcmp(pk.service, "HTTPS") == 0 &&
		pk.svcport == 443);
	CHECK("tcp proto", strcmp(pk.proto, "TCP") == 0);
	sweep("eth/ipv4/tcp", 1, &b, names, bounds, 3);

	b.b[14 + 20 + 20 + 1] = 0; /* MSS option length 0 */
	roundtrip(1, b.b, b.n);
	CHECK("tcp option length 0 is invalid",
	    pk.have & PK_ERR && strcmp(pk.err_kind, "invalid") == 0 &&
		pk.have & PK_TCP && pk.tcp.sport == 5432);
	b.b[14 + 20 + 20 + 1] = 200; /* overlong */
	roundtrip(1, b.b, b.n);
	CHECK("tcp overlong option is invalid",
	    pk.have & PK_ERR && strcmp(pk.err_layer, "tcp") == 0);
}

static void
test_ipv6(void)
{
	static const char *const names[] = { "eth", "ipv6", "ipv6", "udp" };
	static const size_t bounds[] = { 14, 54, 70, 78 };
	struct buf b = { .n = 0 };
	int i;

	put(&b, ETH_IP6);
	put(&b, "60000000 0020 00 40"); /* plen 32, hop-by-hop */
	put(&b, "20010db8000000000000000000000001");
	put(&b, "20010db8000000000000000000000002");
	put(&b, "3c00 0104 00000000"); /* hop-by-hop -> dest opts */
	put(&b, "1100 0104 00000000"); /* dest opts -> UDP */
	put(&b, "d431 0035 0010 0000 0000 0000 0000 0000");
	CHECK("ipv6 decodes", roundtrip(1, b.b, b.n) && pk.have & PK_UDP);
	CHECK("ipv6 ext chain",
	    pk.ipv6.n_ext == 2 && pk.ipv6.proto == 17 && pk.ipv6.nxt == 0 &&
		pk.ipv6.ext[1].type == 60);
	sweep("eth/ipv6/ext/udp", 1, &b, names, bounds, 4);

	/* An unterminated chain of hop-by-hop headers: ends, flagged. */
	b.n = 14 + 40;
	b.b[14 + 6] = 0;
	for (i = 0; i < 40; i++)
		put(&b, "0000 0000 00000000");
	b.b[18] = (uint8_t)((b.n - 54) >> 8);
	b.b[19] = (uint8_t)(b.n - 54);
	CHECK("ipv6 looping chain ends invalid",
	    roundtrip(1, b.b, b.n) && pk.have & PK_ERR &&
		strcmp(pk.err_kind, "invalid") == 0);
	b.n = 14 + 40 + 8 * 3;
	CHECK("ipv6 unterminated chain ends",
	    roundtrip(1, b.b, b.n) && pk.have & PK_ERR &&
		strcmp(pk.err_layer, "ipv6") == 0);
}

static void
test_dns(void)
{
	static const char *const names[] = { "eth", "ip", "udp", "dns" };
	static const size_t bounds[] = { 14, 34, 42, 54 };
	struct buf b = { .n = 0 };
	size_t q;

	put(&b, ETH_IP);
	put(&b, "4500 0000 0001 0000 4011 0000 0a000001 0a000002");
	put(&b, "0035 c000 0000 0000");
	put(&b, "abcd 8180 0001 0002 0000 0000");
	q = b.n;
	put(&b, "07 6578616d706c65 03 636f6d 00 0001 0001");
	put(&b, "c00c 0001 0001 0000003c 0004 5db8d822");      /* A */
	put(&b, "c00c 0005 0001 0000003c 0006 03777777 c00c"); /* CNAME */
	b.b[16] = (uint8_t)((b.n - 14) >> 8);
	b.b[17] = (uint8_t)(b.n - 14);
	b.b[38] = (uint8_t)((b.n - 34) >> 8);
	b.b[39] = (uint8_t)(b.n - 34);
	CHECK("dns decodes",
	    roundtrip(1, b.b, b.n) && pk.have & PK_DNS && !(pk.have & PK_ERR));
	CHECK("dns question",
	    pk.dns.nq == 1 && strcmp(pk.dns.q[0].name, "example.com") == 0 &&
		pk.dns.q[0].type == 1);
	CHECK("dns answers",
	    pk.dns.nans == 2 && pk.dns.ans[0].addrlen == 4 &&
		pk.dns.ans[0].addr[0] == 0x5d && pk.dns.ans[1].target != NULL &&
		strcmp(pk.dns.ans[1].target, "www.example.com") == 0);
	CHECK("dns proto",
	    strcmp(pk.proto, "DNS") == 0 && strcmp(pk.service, "DNS") == 0);
	sweep("udp/dns", 1, &b, names, bounds, 4);

	/* the question name points at itself */
	b.b[q] = 0xc0;
	b.b[q + 1] = 12;
	CHECK("dns pointer loop is invalid",
	    roundtrip(1, b.b, b.n) && pk.have & PK_ERR &&
		strcmp(pk.err_layer, "dns") == 0 &&
		strcmp(pk.err_kind, "invalid") == 0);
}

static void
test_small(void)
{
	static const char *const icmpn[] = { "eth", "ip", "icmp" };
	static const size_t icmpb[] = { 14, 34, 38 };
	static const char *const arpn[] = { "eth", "arp", "arp" };
	static const size_t arpb[] = { 14, 22, 42 };
	static const char *const vn[] = { "eth", "vlan", "vlan", "ip" };
	static const size_t vb[] = { 14, 18, 22, 42 };
	struct buf b = { .n = 0 };

	put(&b, ETH_IP);
	put(&b, "4500 0024 0001 0000 4001 0000 0a000001 0a000002");
	put(&b, "0800 0000 1234 0007 61626364");
	CHECK("icmp echo",
	    roundtrip(1, b.b, b.n) && pk.have & PK_ICMP && pk.icmp.type == 8 &&
		pk.icmp.id == 0x1234 && pk.icmp.seq == 7);
	sweep("icmp", 1, &b, icmpn, icmpb, 3);

	b.n = 0;
	put(&b, "ffffffffffff 020000000001 0806");
	put(&b, "0001 0800 06 04 0001 020000000001 0a000001");
	put(&b, "000000000000 0a000002");
	CHECK("arp",
	    roundtrip(1, b.b, b.n) && pk.have & PK_ARP && pk.arp.op == 1 &&
		pk.arp.tpa != NULL && pk.arp.tpa[3] == 2 &&
		strcmp(pk.proto, "ARP") == 0);
	sweep("arp", 1, &b, arpn, arpb, 3);

	b.n = 0;
	put(&b, "020000000002 020000000001 88a8 00c8 8100 27d1 0800");
	put(&b, "4500 0014 0001 0000 40fd 0000 0a000001 0a000002");
	CHECK("qinq",
	    roundtrip(1, b.b, b.n) && pk.nvlan == 2 && pk.vlan[0].id == 200 &&
		pk.vlan[0].tpid == 0x88a8 && pk.vlan[1].id == 2001 &&
		pk.have & PK_IP);
	/* a tag's type is the one after it (tshark's vlan.etype) */
	CHECK("qinq: each tag's type is what follows it",
	    pk.vlan[0].type == 0x8100 && !pk.vlan[0].is_len &&
		pk.vlan[1].type == 0x0800 && pk.vlan[1].tpid == 0x8100);
	sweep("qinq", 1, &b, vn, vb, 4);

	/* raw IPv4 fragment (not the first): no transport */
	b.n = 0;
	put(&b, "4500 0020 0001 00b9 4006 0000 0a000001 0a000002");
	put(&b, "0000000000000000 0000000000000000");
	CHECK("later fragment has no transport",
	    roundtrip(101, b.b, b.n) && !(pk.have & PK_TCP) &&
		pk.ip.frag == 185 && strcmp(pk.proto, "TCP") == 0);
	/* a tunnel's inner header is not decoded */
	b.n = 0;
	put(&b, "4500 0028 0001 0000 4004 0000 0a000001 0a000002");
	put(&b, "4500 0014 0001 0000 4006 0000 0b000001 0b000002");
	CHECK("ip-in-ip keeps the outer header",
	    roundtrip(228, b.b, b.n) && pk.ip.src[0] == 10 &&
		!(pk.have & PK_TCP));
	CHECK(
	    "unknown link type", roundtrip(9999, b.b, b.n) && pk.have & PK_ERR);
}

/* n stacked tags (alternating 802.1ad and 802.1Q), then IPv4 and UDP. */
static void
vlan_stack(struct buf *b, unsigned n)
{
	char tag[16];
	unsigned i;

	b->n = 0;
	put(b, "020000000002 020000000001");
	for (i = 0; i < n; i++) {
		snprintf(tag, sizeof(tag), "%s %04x", i % 2 ? "8100" : "88a8",
		    i + 1);
		put(b, tag);
	}
	put(b, "0800 4500 001c 0001 0000 4011 0000 0a000001 0a000002");
	put(b, "3039 0050 0008 0000");
}

static void
test_vlan(void)
{
	struct buf b;

	/* deeper than the old walk allowed: everything still decoded */
	vlan_stack(&b, 22);
	CHECK("22 tags: every tag and the UDP inside",
	    roundtrip(1, b.b, b.n) && !(pk.have & PK_ERR) && pk.nvlan == 22 &&
		pk.vlan[21].id == 22 && pk.have & PK_IP && pk.have & PK_UDP &&
		pk.udp.dport == 80);
	vlan_stack(&b, PKT_MAXVLAN);
	CHECK("as many tags as the limit",
	    roundtrip(1, b.b, b.n) && !(pk.have & PK_ERR) &&
		pk.nvlan == PKT_MAXVLAN && pk.have & PK_UDP);
	/* one more: stopped, and the err map says where */
	vlan_stack(&b, PKT_MAXVLAN + 1);
	CHECK("past the tag limit: an err of the vlan layer",
	    roundtrip(1, b.b, b.n) && pk.have & PK_ERR &&
		strcmp(pk.err_layer, "vlan") == 0 &&
		strcmp(pk.err_kind, "invalid") == 0 &&
		strstr(pk.err_why, "VLAN tags") != NULL &&
		pk.nvlan == PKT_MAXVLAN && !(pk.have & PK_IP));
	vlan_stack(&b, 200);
	CHECK("200 tags: stopped at the limit",
	    roundtrip(1, b.b, b.n) && pk.have & PK_ERR &&
		strcmp(pk.err_layer, "vlan") == 0);
}

#if defined(__SANITIZE_ADDRESS__)
#define NO_RLIMIT_AS 1 /* ASan reserves terabytes of shadow */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NO_RLIMIT_AS 1
#endif
#endif

/*
 * Runs fn in a child whose address space may grow by only extra bytes:
 * what a failing allocation does there.  fn returns 0 when it saw every
 * entry through, 3 when something was dropped; exiting NM_EXIT_FAIL (out
 * of memory, said on stderr) is what the failure policy wants.  Returns
 * the child's exit status, or -1 when the limit cannot be set.
 */
static int
with_memory_limit(int (*fn)(void), size_t extra)
{
	struct rlimit rl;
	unsigned long pages = 0;
	FILE *f;
	pid_t pid;
	int st, fd;

#ifdef NO_RLIMIT_AS
	return -1;
#endif
	fflush(stdout);
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		if ((fd = open("/dev/null", O_WRONLY)) >= 0)
			dup2(fd, 2);
		if ((f = fopen("/proc/self/statm", "r")) == NULL ||
		    fscanf(f, "%lu", &pages) != 1)
			_exit(99);
		fclose(f);
		rl.rlim_cur = rl.rlim_max =
		    pages * (unsigned long)sysconf(_SC_PAGESIZE) + extra;
		if (setrlimit(RLIMIT_AS, &rl) < 0)
			_exit(99);
		_exit(fn());
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) == 99)
		return -1;
	return WEXITSTATUS(st);
}

static void
check_limited(const char *name, int (*fn)(void), size_t extra)
{
	int st = with_memory_limit(fn, extra);

	if (st < 0 || st == 0)
		printf("SKIP: %s: %s\n", name,
		    st < 0 ? "no address-space limit here"
			   : "the limit did not bite");
	else if (st == NM_EXIT_FAIL)
		printf("PASS: %s\n", name);
	else {
		printf(
		    "FAIL: %s: child exited %d (entries dropped)\n", name, st);
		fails++;
	}
}

/* A DNS query of 8000 root questions: 40 KB on the wire, 190 KB decoded. */
static struct buf many_q;

static int
decode_many_questions(void)
{
	dec_packet(&pk, 1, many_q.b, many_q.n);
	return pk.dns.nq == pk.dns.qd ? 0 : 3;
}

static int
load_services(void)
{
	esvc_setup(NULL);
	/* 179 is BGP in every /etc/services, and not built in */
	return svc_sysname(179, 6) != NULL ? 0 : 3;
}

/* A TXT record holding a NUL, and one too long for the arena. */
static void
test_dns_text(void)
{
	static struct buf b;
	size_t i, rd;
	int ok;

	b.n = 0;
	put(&b, ETH_IP);
	put(&b, "4500 0000 0001 0000 4011 0000 0a000001 0a000002");
	put(&b, "0035 c000 0000 0000");
	put(&b, "abcd 8180 0000 0001 0000 0000");
	put(&b, "00 0010 0001 0000003c 0007 06 6162 00 63 5c 64");
	b.b[16] = (uint8_t)((b.n - 14) >> 8);
	b.b[17] = (uint8_t)(b.n - 14);
	b.b[38] = (uint8_t)((b.n - 34) >> 8);
	b.b[39] = (uint8_t)(b.n - 34);
	CHECK("dns TXT: a NUL and a backslash escaped, not the end",
	    roundtrip(1, b.b, b.n) && pk.dns.nans == 1 &&
		pk.dns.ans[0].text != NULL &&
		strcmp(pk.dns.ans[0].text, "ab\\x00c\\x5cd") == 0 &&
		!pk.dns.ans[0].text_cut);

	/* 255 strings of 255 bytes of 0x01: 260 KB once escaped */
	b.n = 0;
	put(&b, ETH_IP);
	put(&b, "4500 0000 0001 0000 4011 0000 0a000001 0a000002");
	put(&b, "0035 c000 0000 0000");
	put(&b, "abcd 8180 0000 0001 0000 0000");
	put(&b, "00 0010 0001 0000003c 0000");
	rd = b.n;
	for (i = 0; i < 255 && b.n + 256 < 65535 + 14; i++) {
		b.b[b.n++] = 255;
		memset(b.b + b.n, 1, 255);
		b.n += 255;
	}
	b.b[rd - 2] = (uint8_t)((b.n - rd) >> 8);
	b.b[rd - 1] = (uint8_t)(b.n - rd);
	b.b[16] = (uint8_t)((b.n - 14) >> 8);
	b.b[17] = (uint8_t)(b.n - 14);
	b.b[38] = (uint8_t)((b.n - 34) >> 8);
	b.b[39] = (uint8_t)(b.n - 34);
	ok = roundtrip(1, b.b, b.n);
	CHECK("dns TXT past the arena: kept as far as it fits, and flagged",
	    ok && pk.dns.nans == 1 && pk.dns.ans[0].text != NULL &&
		strlen(pk.dns.ans[0].text) > 60000 &&
		strncmp(pk.dns.ans[0].text, "\\x01\\x01", 8) == 0 &&
		pk.dns.ans[0].text_cut == 1);

	/* a string whose length runs past its record */
	b.n = 0;
	put(&b, ETH_IP);
	put(&b, "4500 0000 0001 0000 4011 0000 0a000001 0a000002");
	put(&b, "0035 c000 0000 0000");
	put(&b, "abcd 8180 0000 0001 0000 0000");
	put(&b, "00 0010 0001 0000003c 0003 09 6162");
	b.b[16] = (uint8_t)((b.n - 14) >> 8);
	b.b[17] = (uint8_t)(b.n - 14);
	b.b[38] = (uint8_t)((b.n - 34) >> 8);
	b.b[39] = (uint8_t)(b.n - 34);
	CHECK("dns TXT string past its record: flagged as cut",
	    roundtrip(1, b.b, b.n) && pk.dns.nans == 1 &&
		pk.dns.ans[0].text != NULL &&
		strcmp(pk.dns.ans[0].text, "ab") == 0 &&
		pk.dns.ans[0].text_cut == 1);
}

static void
test_nomem(void)
{
	size_t i;

	nm_init("decode_core");
	many_q.n = 0;
	put(&many_q, ETH_IP);
	put(&many_q, "4500 0000 0001 0000 4011 0000 0a000001 0a000002");
	put(&many_q, "d431 0035 0000 0000");
	put(&many_q, "abcd 0100 1f40 0000 0000 0000"); /* 8000 of them */
	for (i = 0; i < 8000; i++)
		put(&many_q, "00 0001 0001");
	many_q.b[16] = (uint8_t)((many_q.n - 14) >> 8);
	many_q.b[17] = (uint8_t)(many_q.n - 14);
	many_q.b[38] = (uint8_t)((many_q.n - 34) >> 8);
	many_q.b[39] = (uint8_t)(many_q.n - 34);
	/* first in a child, as in a fresh nm-decode: the arrays not grown */
	check_limited("dns questions: out of memory exits, drops nothing",
	    decode_many_questions, 16 * 1024);
	CHECK("8000 dns questions decode",
	    roundtrip(1, many_q.b, many_q.n) && pk.dns.nq == 8000 &&
		!(pk.have & PK_ERR));
	if (access("/etc/services", R_OK) == 0)
		check_limited("/etc/services: out of memory exits, "
			      "drops nothing",
		    load_services, 16 * 1024);
	else
		printf("SKIP: /etc/services: out of memory: no such file\n");
}

static void
test_services(void)
{
	unsigned port = 0;
	const char *s;

	s = svc_pick(5432, 443, 6, &port);
	CHECK("service: both listed, lower wins",
	    s != NULL && strcmp(s, "HTTPS") == 0 && port == 443);
	s = svc_pick(51234, 22, 6, &port);
	CHECK("service: the listed port",
	    s != NULL && strcmp(s, "SSH") == 0 && port == 22);
	s = svc_pick(6379, 40000, 6, &port);
	CHECK("service: high listed port",
	    s != NULL && strcmp(s, "Redis") == 0 && port == 6379);
}

/* RARP (ethertype 0x8035) decodes as ARP does, named RARP (tshark). */
static void
test_rarp(void)
{
	struct buf b = { .n = 0 };

	put(&b, "ffffffffffff 020000000001 8035");
	put(&b,
	    "0001 0800 06 04 0003 020000000001 00000000 020000000001 "
	    "00000000");
	CHECK("rarp decodes as arp",
	    roundtrip(1, b.b, b.n) && (pk.have & PK_ARP) &&
		!(pk.have & PK_ERR) && pk.arp.op == 3 &&
		strcmp(pk.proto, "RARP") == 0);
}

int
main(void)
{
	test_rarp();
	test_tcp();
	test_ipv6();
	test_dns();
	test_small();
	test_vlan();
	test_dns_text();
	test_nomem();
	test_services();
	return fails != 0;
}
