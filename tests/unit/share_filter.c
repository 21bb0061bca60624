/*
 * Unit tests of the -Y filter (share/filter.c): each operator, precedence,
 * presence, in {}, address ranges, fields that match either side, regular
 * expressions, ranges in sets, flow and alert records' fields, saved filters
 * (nm-filters(5)) and the errors with their columns.  Records are written as
 * JSON (addresses as text), read back by the JSON reader as a stage sees
 * them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "filter.h"
#include "json.h"

#include "check.h"

static const char tcp_pkt[] =
    "{\"type\":\"packet\",\"ts\":1500000000,\"len\":120,"
    "\"eth\":{\"src\":\"00:11:22:33:44:55\",\"dst\":\"66:77:88:99:aa:bb\","
    "\"type\":2048},"
    "\"ip\":{\"src\":\"10.1.2.3\",\"dst\":\"192.168.0.9\",\"len\":106,"
    "\"ttl\":64,\"proto\":6,\"df\":true},"
    "\"tcp\":{\"sport\":43210,\"dport\":443,\"flags\":2,\"len\":0}}";
static const char dns_pkt[] =
    "{\"type\":\"packet\",\"ts\":1500000001,\"len\":90,"
    "\"ipv6\":{\"src\":\"2001:db8::1\",\"dst\":\"fe80::2\",\"nxt\":17},"
    "\"udp\":{\"sport\":53,\"dport\":5555,\"len\":50},"
    "\"dns\":{\"id\":7,\"qr\":true,\"rcode\":3,"
    "\"q\":[{\"name\":\"www.Example.com\",\"type\":1,\"class\":1}],"
    "\"ans\":[{\"name\":\"a.example.com\",\"type\":28,\"addr\":\"2001:db8::5\"}"
    ","
    "{\"name\":\"b.example.com\",\"type\":1,\"addr\":\"10.9.9.9\"}]}}";

static const char flow_rec_text[] =
    "{\"type\":\"flow\",\"proto\":\"tcp\",\"src\":\"10.1.2.3\","
    "\"dst\":\"192.168.0.9\",\"sport\":43210,\"dport\":443,"
    "\"orig\":{\"packets\":1,\"bytes\":60},"
    "\"resp\":{\"packets\":1,\"bytes\":54},\"state\":\"REJ\","
    "\"history\":\"Sr\",\"reason\":\"closed\"}";

static const char alert_rec_text[] =
    "{\"type\":\"alert\",\"ts\":1500000002000000000,\"kind\":\"port_scan\","
    "\"style\":\"SYN\",\"scan\":\"vertical\",\"severity\":\"medium\","
    "\"proto\":\"TCP\",\"src\":\"10.77.0.1\",\"dst\":\"10.77.0.2\","
    "\"count\":15,\"threshold\":15,\"window\":300000000000,"
    "\"key\":\"port_scan 10.77.0.1 10.77.0.2 SYN\",\"repeat\":2,"
    "\"msg\":\"10.77.0.1 scanned 15 TCP ports of 10.77.0.2\","
    "\"targets\":[{\"addr\":\"10.77.0.2\",\"port\":25},"
    "{\"addr\":\"10.77.0.2\",\"port\":80}],"
    "\"evidence\":[{\"ts\":1500000001000000000,\"proto\":\"TCP\","
    "\"src\":\"10.77.0.1\",\"dst\":\"10.77.0.2\",\"sport\":34805,"
    "\"dport\":25,\"flags\":2}],"
    "\"community_id\":\"1:wCb3OG7yAFWelaUydu0D+125CLM=\"}";
static const char sweep_rec_text[] =
    "{\"type\":\"alert\",\"kind\":\"host_sweep\",\"style\":\"SYN\","
    "\"src\":\"10.77.0.1\",\"port\":22,\"count\":25}";
static const char cid_flow_text[] =
    "{\"type\":\"flow\",\"proto\":\"TCP\",\"src\":\"1.2.3.4\","
    "\"dst\":\"5.6.7.8\",\"sport\":1122,\"dport\":3344,"
    "\"community_id\":\"1:wCb3OG7yAFWelaUydu0D+125CLM=\"}";

static msgpack_zone zone;
static msgpack_object tcp_rec, dns_rec, flow_rec, alert_rec, sweep_rec;
static msgpack_object cid_flow;

static void
parse(const char *s, msgpack_object *o)
{
	char why[128];
	size_t off;

	if (json_parse(s, strlen(s), &zone, o, &off, why, sizeof(why)) <= 0) {
		printf("FAIL: record does not parse: %s\n", why);
		failures++;
	}
}

/*
 * filter_keep of a record of type t: 1 kept, 0 not, -1 the expression
 * does not compile.
 */
static int
keep(const char *expr, enum rec_type t, const msgpack_object *r)
{
	char err[256];
	struct filter *f = filter_compile(expr, err, sizeof(err));
	int res;

	if (f == NULL) {
		printf("# %s: %s\n", expr, err);
		return -1;
	}
	res = filter_keep(f, t, r);
	filter_free(f);
	return res;
}

/* A packet r: 1 the expression matches it, 0 not, -1 no expression. */
static int
m(const char *expr, const msgpack_object *r)
{
	return keep(expr, REC_PACKET, r);
}

/* The text expr compiles to (saved filters expanded), or "". */
static const char *
text_of(const char *expr)
{
	static char buf[512];
	char err[256];
	struct filter *f = filter_compile(expr, err, sizeof(err));

	buf[0] = '\0';
	if (f == NULL) {
		printf("# %s: %s\n", expr, err);
		return buf;
	}
	snprintf(buf, sizeof(buf), "%s", filter_text(f));
	filter_free(f);
	return buf;
}

/* Whether expr fails to compile with exactly want. */
static int
err_is(const char *expr, const char *want)
{
	char err[256];
	struct filter *f = filter_compile(expr, err, sizeof(err));

	if (f != NULL) {
		filter_free(f);
		return 0;
	}
	if (strcmp(err, want) != 0)
		printf("# %s: got \"%s\"\n", expr, err);
	return strcmp(err, want) == 0;
}

int
main(void)
{
	const msgpack_object *t = &tcp_rec, *d = &dns_rec;
	struct filter *f;
	const char *const *k;

	msgpack_zone_init(&zone, 4096);
	parse(tcp_pkt, &tcp_rec);
	parse(dns_pkt, &dns_rec);
	parse(flow_rec_text, &flow_rec);
	parse(alert_rec_text, &alert_rec);
	parse(sweep_rec_text, &sweep_rec);
	parse(cid_flow_text, &cid_flow);

	CHECK("==",
	    m("tcp.dstport == 443", t) == 1 && m("tcp.dstport == 80", t) == 0);
	CHECK("eq and hex", m("tcp.dstport eq 0x1bb", t) == 1);
	CHECK("!= on a present field",
	    m("tcp.dstport != 80", t) == 1 && m("tcp.dstport ne 443", t) == 0);
	CHECK("!= on an absent field is false", m("tcp.dstport != 80", d) == 0);
	CHECK("< <= > >=",
	    m("frame.len > 100", t) == 1 && m("frame.len >= 120", t) == 1 &&
		m("frame.len < 120", t) == 0 && m("frame.len <= 120", t) == 1 &&
		m("ip.ttl lt 65", t) == 1 && m("ip.ttl gt 64", t) == 0 &&
		m("ip.ttl le 63", t) == 0 && m("ip.ttl ge 64", t) == 1);
	CHECK("presence of a field and a protocol",
	    m("tcp", t) == 1 && m("udp", t) == 0 && m("tcp.flags", t) == 1 &&
		m("dns.qry.name", d) == 1 && m("dns.qry.name", t) == 0 &&
		m("frame", t) == 1);
	CHECK("flag bits",
	    m("tcp.flags.syn == 1 && tcp.flags.ack == 0", t) == 1 &&
		m("tcp.flags.ack == 1", t) == 0);
	CHECK("booleans",
	    m("ip.flags.df == 1", t) == 1 &&
		m("dns.flags.response == True", d) == 1);
	CHECK("either side: ip.addr",
	    m("ip.addr == 10.1.2.3", t) == 1 &&
		m("ip.addr == 192.168.0.9", t) == 1 &&
		m("ip.addr == 10.1.2.4", t) == 0);
	CHECK("either side: ports",
	    m("tcp.port == 443", t) == 1 && m("tcp.port == 43210", t) == 1 &&
		m("udp.port == 53", d) == 1 && m("udp.port == 5555", d) == 1 &&
		m("tcp.port == 53", d) == 0);
	CHECK("either side: eth.addr",
	    m("eth.addr == 66:77:88:99:aa:bb", t) == 1 &&
		m("eth.addr == 66:77:88:99:aa:bc", t) == 0);
	CHECK("either side !=: no side equal",
	    m("ip.addr != 10.1.2.3", t) == 0 &&
		m("ip.addr != 10.1.2.4", t) == 1);
	CHECK("IPv4 ranges",
	    m("ip.addr == 10.0.0.0/8", t) == 1 &&
		m("ip.src == 10.1.0.0/16", t) == 1 &&
		m("ip.src == 10.1.3.0/24", t) == 0 &&
		m("ip.dst == 192.168.0.8/31", t) == 1 &&
		m("ip.dst == 0.0.0.0/0", t) == 1);
	CHECK("IPv6 ranges",
	    m("ipv6.addr == 2001:db8::/32", d) == 1 &&
		m("ipv6.src == 2001:db9::/32", d) == 0 &&
		m("ipv6.dst == fe80::/10", d) == 1 &&
		m("ipv6.src == 2001:db8::1", d) == 1);
	CHECK("an IPv4 range does not take an IPv6 address",
	    m("dns.a == 10.0.0.0/8", d) == 1 &&
		m("dns.aaaa == 10.0.0.0/8", d) == 0);
	CHECK("in {}",
	    m("tcp.dstport in {80 443 8080}", t) == 1 &&
		m("tcp.dstport in {80 8080}", t) == 0 &&
		m("ip.addr in {1.2.3.4 10.0.0.0/8}", t) == 1);
	CHECK("strings: == and contains",
	    m("dns.qry.name == \"www.Example.com\"", d) == 1 &&
		m("dns.qry.name contains \"Example\"", d) == 1 &&
		m("dns.qry.name contains \"example\"", d) == 0);
	CHECK("contains on every array element",
	    m("dns.resp.name contains \"b.ex\"", d) == 1);
	CHECK("contains on address bytes",
	    m("eth.src contains 33:44", t) == 1 &&
		m("eth.src contains 44:33", t) == 0);
	CHECK("matches: extended, case as tshark (ignored)",
	    m("dns.qry.name matches \"^www\\\\.[a-z]+\\\\.com$\"", d) == 1 &&
		m("dns.qry.name ~ \"(foo|example)\"", d) == 1 &&
		m("dns.qry.name matches \"^example\"", d) == 0);
	CHECK("times compare as seconds",
	    m("frame.time_epoch > 1.4", t) == 1 &&
		m("frame.time_epoch >= 1.5", t) == 1 &&
		m("frame.time_epoch > 1.5", t) == 0);
	CHECK("precedence: && before ||",
	    m("udp || tcp && dns", t) == 0 && m("tcp || udp && dns", t) == 1 &&
		m("(tcp || udp) && dns", t) == 0);
	CHECK("words: and or not",
	    m("tcp and not udp", t) == 1 && m("udp or not tcp", t) == 0 &&
		m("not not tcp", t) == 1);
	CHECK("! and parentheses",
	    m("!(tcp.port == 80 || udp)", t) == 1 && m("udp && !dns", d) == 0 &&
		m("!tcp", d) == 1);
	CHECK("no spaces needed", m("tcp.port==443&&ip.len>100", t) == 1);
	CHECK("the bench's expression",
	    m("tcp.port == 443 && ip.len > 100", t) == 1 &&
		m("tcp.port == 443 && ip.len > 106", t) == 0);

	f = filter_compile("tcp.port == 1 || dns.qry.name || frame.len > 1 ||"
			   " ip.addr == 1.2.3.4 || udp",
	    NULL, 0);
	k = f ? filter_keys(f) : NULL;
	CHECK("keys: each top-level key once",
	    k != NULL && strcmp(k[0], "tcp") == 0 && strcmp(k[1], "dns") == 0 &&
		strcmp(k[2], "len") == 0 && strcmp(k[3], "ip") == 0 &&
		strcmp(k[4], "udp") == 0 && k[5] == NULL);
	filter_free(f);

	CHECK("in {} with a range",
	    m("tcp.dstport in {80 400..500}", t) == 1 &&
		m("tcp.dstport in {80, 444..500}", t) == 0 &&
		m("frame.len in {120..120}", t) == 1);
	CHECK("error: a range backwards",
	    err_is("tcp.port in {90..80}",
		"column 14: expected a range of numbers, low..high, not "
		"\"90..80\""));

	/* flow records: their fields, and which records a filter keeps */
	CHECK("flow.state on a flow record",
	    keep("flow.state == \"REJ\"", REC_FLOW, &flow_rec) == 1 &&
		keep("flow.state == \"SF\"", REC_FLOW, &flow_rec) == 0);
	CHECK("flow.port and flow.addr are either side",
	    keep("flow.port == 443 && flow.addr == 10.0.0.0/8", REC_FLOW,
		&flow_rec) == 1);
	CHECK("flow.orig.bytes, flow.proto",
	    keep("flow.orig.bytes > 50 && flow.proto == \"tcp\"", REC_FLOW,
		&flow_rec) == 1);
	CHECK("a packet has no flow fields",
	    keep("flow.state == \"REJ\"", REC_PACKET, t) == 0);
	CHECK("a packet filter passes flow records",
	    keep("tcp.port == 80", REC_FLOW, &flow_rec) == 1);
	CHECK("either kind: each record by its own fields",
	    keep("tcp.port == 443 || flow.state == \"S0\"", REC_PACKET, t) ==
		    1 &&
		keep("tcp.port == 443 || flow.state == \"S0\"", REC_FLOW,
		    &flow_rec) == 0);
	CHECK("the bare word flow keeps flows alone",
	    keep("flow", REC_FLOW, &flow_rec) == 1 &&
		keep("flow", REC_PACKET, t) == 0);
	CHECK("header and stats records always pass",
	    keep("flow.state == \"S0\"", REC_HEADER, t) == 1 &&
		keep("tcp", REC_STATS, t) == 1);
	CHECK("error: a flow field it does not have",
	    err_is("flow.nosuch == 1",
		"column 1: unknown field \"flow.nosuch\": flow records have "
		"no 'nosuch'; see nm-stats(1)"));

	/* alert records (nm-detect(1)): the same as flows */
	{
		static const struct {
			const char *expr;
			enum rec_type t;
			int rec; /* 0 packet, 1 flow, 2 alert, 3 sweep, 4 cid */
			int want;
		} ak[] = {
			{ "alert.kind == \"port_scan\"", REC_ALERT, 2, 1 },
			{ "alert.kind == \"syn_flood\"", REC_ALERT, 2, 0 },
			{ "alert.src == 10.77.0.1 && alert.dst == 10.77.0.0/24",
			    REC_ALERT, 2, 1 },
			{ "alert.src == 10.77.0.2", REC_ALERT, 2, 0 },
			/* alert.addr: either end */
			{ "alert.addr == 10.77.0.2", REC_ALERT, 2, 1 },
			{ "alert.addr == 10.77.0.9", REC_ALERT, 2, 0 },
			{ "alert.count >= 15 && alert.repeat == 2 && "
			  "alert.severity == \"medium\" && "
			  "alert.style == \"SYN\"",
			    REC_ALERT, 2, 1 },
			/* the window in seconds, as tshark's times */
			{ "alert.window == 300", REC_ALERT, 2, 1 },
			{ "alert.window < 299.5", REC_ALERT, 2, 0 },
			{ "alert.port == 22", REC_ALERT, 3, 1 },
			{ "alert.port == 22", REC_ALERT, 2, 0 },
			/* arrays: evidence and targets */
			{ "alert.evidence.dport == 25 && "
			  "alert.evidence.flags == 0x2",
			    REC_ALERT, 2, 1 },
			{ "alert.targets.port in {80}", REC_ALERT, 2, 1 },
			{ "alert.evidence.sport == 1", REC_ALERT, 2, 0 },
			{ "alert.msg contains \"scanned\" && "
			  "alert.community_id == "
			  "\"1:wCb3OG7yAFWelaUydu0D+125CLM=\"",
			    REC_ALERT, 2, 1 },
			/* as "flow": every alert, no packet, and records of
			 * types it names nothing of (flows) pass */
			{ "alert", REC_ALERT, 2, 1 },
			{ "alert", REC_PACKET, 0, 0 },
			{ "alert", REC_FLOW, 1, 1 },
			/* a packet or flow filter passes alerts */
			{ "tcp.port == 80", REC_ALERT, 2, 1 },
			{ "flow.state == \"S0\"", REC_ALERT, 2, 1 },
			/* an alert filter: the alerts that match; a packet
			 * only by another part */
			{ "alert.kind == \"port_scan\"", REC_PACKET, 0, 0 },
			{ "alert.kind == \"dns_tunnel\"", REC_ALERT, 2, 0 },
			{ "alert || tcp.port == 443", REC_PACKET, 0, 1 },
			{ "alert.kind == \"x\" || tcp.port == 443", REC_ALERT,
			    2, 0 },
			{ "alert.src == 10.1.2.3", REC_PACKET, 0, 0 },
			{ "alert.src == 10.1.2.3 || flow", REC_FLOW, 1, 1 },
			/* nm-stats' Community ID, by the same means */
			{ "flow.community_id == "
			  "\"1:wCb3OG7yAFWelaUydu0D+125CLM=\"",
			    REC_FLOW, 4, 1 },
			{ "flow.community_id", REC_FLOW, 1, 0 },
		};
		const msgpack_object *recs[] = { t, &flow_rec, &alert_rec,
			&sweep_rec, &cid_flow };
		char name[160];
		size_t i;

		for (i = 0; i < sizeof(ak) / sizeof(ak[0]); i++) {
			snprintf(name, sizeof(name), "%s on a %s: %d",
			    ak[i].expr, rec_type_name(ak[i].t), ak[i].want);
			CHECK(name,
			    keep(ak[i].expr, ak[i].t, recs[ak[i].rec]) ==
				ak[i].want);
		}
	}
	CHECK("error: an alert field it does not have",
	    err_is("alert.state == \"x\"",
		"column 1: unknown field \"alert.state\": alert records have "
		"no 'state'; see nm-records(5)"));
	CHECK("error: an alert map",
	    err_is("alert.evidence",
		"column 1: unknown field \"alert.evidence\": alert.evidence "
		"holds a map: name one of its keys; see nm-records(5)"));
	CHECK("alert is a word of the language", filter_word_taken("alert"));

	/* saved filters, from a file of our own */
	{
		char path[] = "/tmp/nm-filter-unit-XXXXXX", want[256];
		int fd = mkstemp(path);
		static const char text[] = "# saved filters\n"
					   "[capture]\n"
					   "webcap  tcp port 443\n"
					   "[display]\n"
					   "tls     tcp.port == 443\n"
					   "tlsbig  tls && ip.len > 100\n"
					   "selfref selfref || udp\n"
					   "broken  tcp.port ==\n";

		CHECK("saved: the file is written",
		    fd >= 0 &&
			write(fd, text, sizeof(text) - 1) ==
			    (ssize_t)(sizeof(text) - 1));
		if (fd >= 0)
			close(fd);
		setenv("NM_FILTERS", path, 1);
		CHECK("saved: a name alone",
		    m("tls", t) == 1 && m("tls", d) == 0);
		CHECK("saved: a name in an expression",
		    m("tls && tcp.flags.syn == 1", t) == 1 &&
			m("!tls", t) == 0);
		CHECK("saved: names within names, expanded",
		    strcmp(text_of("tlsbig || dns"),
			"((tcp.port == 443) && ip.len > 100) || dns") == 0);
		CHECK("saved: no name, the text as given",
		    strcmp(text_of("tcp  &&  udp"), "tcp  &&  udp") == 0);
		snprintf(want, sizeof(want),
		    "column 8: saved filter selfref (%s:7) names itself", path);
		CHECK("saved: a loop", err_is("dns || selfref", want));
		snprintf(want, sizeof(want),
		    "column 1: saved filter broken (%s:8): column 12: "
		    "expected a value after \"==\"",
		    path);
		CHECK("saved: a bad expression names its line",
		    err_is("broken", want));
		snprintf(want, sizeof(want),
		    "column 7: saved filter webcap (%s:3) is BPF, for "
		    "nm-capture: -Y takes [display] ones",
		    path);
		CHECK("saved: a BPF one is not for -Y",
		    err_is("tcp|| webcap", want));
		unlink(path);
	}

	CHECK("error: value after ==",
	    err_is("tcp.port ==", "column 12: expected a value after \"==\""));
	CHECK("error: unknown field",
	    err_is("tcp.prot == 1",
		"column 1: unknown field \"tcp.prot\" "
		"(see nm-render --list-fields)"));
	CHECK("error: a number",
	    err_is("tcp.port == abc",
		"column 13: expected a number, not \"abc\""));
	CHECK("error: an address",
	    err_is("ip.addr == 10.0.0",
		"column 12: expected an address, "
		"not \"10.0.0\""));
	CHECK("error: a prefix",
	    err_is("ip.addr == 10.0.0.0/33",
		"column 12: expected an address, "
		"not \"10.0.0.0/33\""));
	CHECK("error: missing )",
	    err_is("(tcp || udp",
		"column 12: expected ')' for the '(' at "
		"column 1"));
	CHECK("error: trailing words",
	    err_is("tcp udp",
		"column 5: expected \"&&\" or \"||\", not "
		"\"udp\""));
	CHECK("error: empty",
	    err_is("",
		"column 1: expected a field name at "
		"the end"));
	CHECK("error: after &&",
	    err_is("tcp &&",
		"column 7: expected a field "
		"name at the end"));
	CHECK("error: a protocol compared",
	    err_is("tcp == 1",
		"column 1: \"tcp\" is a protocol: compare one "
		"of its fields"));
	CHECK("error: matches on a number",
	    err_is("tcp.port matches \"1\"",
		"column 1: \"tcp.port\" is a number: use ==, <, >, or in"));
	CHECK("error: bad regex",
	    err_is("dns.qry.name matches \"(\"",
		"column 22: not a regular expression: Unmatched ( or \\(") ||
		err_is("dns.qry.name matches \"(\"",
		    "column 22: not a regular expression: Missing ')'"));
	CHECK("error: unclosed string",
	    err_is("dns.qry.name == \"abc",
		"column 17: a string without its closing '\"'"));
	CHECK("error: in without {",
	    err_is("tcp.port in 80", "column 13: expected '{' after \"in\""));
	CHECK("error: empty in",
	    err_is("tcp.port in {}",
		"column 14: expected a value after "
		"\"{\""));
	msgpack_zone_destroy(&zone);
	return failures != 0;
}
