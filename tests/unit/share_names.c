/*
 * Unit tests of the passive-names map (share/names.c) fed DNS replies as
 * nm-decode writes them (read here from their JSON form): A and AAAA
 * answers, the start of a CNAME chain, PTR under in-addr.arpa and
 * ip6.arpa, the newest answer winning, expiry after the TTL and the grace,
 * replies that name nothing (queries, NXDOMAIN, malformed reverse names,
 * a CNAME loop), and the cap with its evictions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "names.h"
#include "nm.h"
#include "rec.h"

#include "check.h"

#define S 1000000000ULL

static msgpack_zone zone;

/* Learns the packet record given as JSON at time ts (seconds). */
static void
learn(struct names *n, const char *json, uint64_t ts)
{
	msgpack_object o;
	size_t erroff = 0;
	char why[200];

	msgpack_zone_clear(&zone);
	if (json_parse(json, strlen(json), &zone, &o, &erroff, why,
		sizeof(why)) <= 0) {
		printf("  bad test record %s: %s\n", json, why);
		exit(1);
	}
	names_learn(n, rec_get(&o, "dns"), ts * S);
}

static const char *
find4(const struct names *n, int a, int b, int c, int d, uint64_t ts)
{
	uint8_t ad[4] = { (uint8_t)a, (uint8_t)b, (uint8_t)c, (uint8_t)d };

	return names_find(n, ad, 4, ts * S);
}

static int
is(const char *got, const char *want)
{
	if (got == NULL || want == NULL) {
		if (got != want)
			printf("  got %s, want %s\n", got ? got : "none",
			    want ? want : "none");
		return got == want;
	}
	if (strcmp(got, want) != 0)
		printf("  got %s, want %s\n", got, want);
	return strcmp(got, want) == 0;
}

int
main(void)
{
	struct names *n = names_new(0);
	uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	char big[200];
	int i;

	nm_init("share_names");
	msgpack_zone_init(&zone, 4096);

	learn(n,
	    "{\"dns\":{\"qr\":true,\"rcode\":0,\"ans\":["
	    "{\"name\":\"www.example.com\",\"type\":5,\"ttl\":60,"
	    "\"target\":\"www.l.example.net\"},"
	    "{\"name\":\"www.l.example.net\",\"type\":5,\"ttl\":60,"
	    "\"target\":\"edge.cdn.example\"},"
	    "{\"name\":\"edge.cdn.example\",\"type\":1,\"ttl\":300,"
	    "\"addr\":\"192.0.2.7\"},"
	    "{\"name\":\"edge.cdn.example\",\"type\":1,\"ttl\":300,"
	    "\"addr\":\"192.0.2.8\"}]}}",
	    100);
	CHECK("A after a CNAME chain: the name asked for",
	    is(find4(n, 192, 0, 2, 7, 101), "www.example.com"));
	CHECK("every A of the answer",
	    is(find4(n, 192, 0, 2, 8, 101), "www.example.com"));
	CHECK("an address never answered", is(find4(n, 192, 0, 2, 9, 101), NULL));
	CHECK("kept through TTL and grace",
	    is(find4(n, 192, 0, 2, 7, 100 + 300 + 3600), "www.example.com"));
	CHECK("gone after TTL and grace",
	    is(find4(n, 192, 0, 2, 7, 100 + 300 + 3601), NULL));

	learn(n,
	    "{\"dns\":{\"qr\":true,\"rcode\":0,\"ans\":["
	    "{\"name\":\"other.example\",\"type\":1,\"ttl\":30,"
	    "\"addr\":\"192.0.2.7\"}]}}",
	    200);
	CHECK("the newest answer wins",
	    is(find4(n, 192, 0, 2, 7, 201), "other.example"));

	learn(n,
	    "{\"dns\":{\"qr\":true,\"ans\":[{\"name\":\"v6.example\","
	    "\"type\":28,\"ttl\":30,\"addr\":\"2001:db8::1\"}]}}",
	    200);
	CHECK("AAAA", is(names_find(n, v6, 16, 201 * S), "v6.example"));

	learn(n,
	    "{\"dns\":{\"qr\":true,\"ans\":[{\"name\":"
	    "\"9.2.0.192.in-addr.arpa\",\"type\":12,\"ttl\":30,"
	    "\"target\":\"printer.lan\"}]}}",
	    200);
	CHECK("PTR in-addr.arpa", is(find4(n, 192, 0, 2, 9, 201), "printer.lan"));
	learn(n,
	    "{\"dns\":{\"qr\":true,\"ans\":[{\"name\":"
	    "\"2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2"
	    ".ip6.arpa\",\"type\":12,\"ttl\":30,\"target\":\"host6.lan\"}]}}",
	    200);
	v6[15] = 2;
	CHECK("PTR ip6.arpa", is(names_find(n, v6, 16, 201 * S), "host6.lan"));

	learn(n,
	    "{\"dns\":{\"qr\":true,\"ans\":["
	    "{\"name\":\"10.2.0.192.in-addr.arpa.x\",\"type\":12,"
	    "\"target\":\"a\"},"
	    "{\"name\":\"1.10.2.0.192.in-addr.arpa\",\"type\":12,"
	    "\"target\":\"b\"},"
	    "{\"name\":\"256.2.0.192.in-addr.arpa\",\"type\":12,"
	    "\"target\":\"c\"},"
	    "{\"name\":\"2.0.192.in-addr.arpa\",\"type\":12,"
	    "\"target\":\"d\"},"
	    "{\"name\":\"1.ip6.arpa\",\"type\":12,\"target\":\"e\"}]}}",
	    200);
	CHECK("malformed reverse names name nothing",
	    names_count(n) == 5 && is(find4(n, 192, 0, 2, 10, 201), NULL));

	learn(n,
	    "{\"dns\":{\"qr\":false,\"ans\":[{\"name\":\"q.example\","
	    "\"type\":1,\"addr\":\"192.0.2.20\"}]}}",
	    200);
	learn(n,
	    "{\"dns\":{\"qr\":true,\"rcode\":3,\"ans\":[{\"name\":"
	    "\"nx.example\",\"type\":1,\"addr\":\"192.0.2.21\"}]}}",
	    200);
	CHECK("a query names nothing", is(find4(n, 192, 0, 2, 20, 201), NULL));
	CHECK("an error reply names nothing",
	    is(find4(n, 192, 0, 2, 21, 201), NULL));

	learn(n,
	    "{\"dns\":{\"qr\":true,\"ans\":["
	    "{\"name\":\"a.loop\",\"type\":5,\"target\":\"b.loop\"},"
	    "{\"name\":\"b.loop\",\"type\":5,\"target\":\"a.loop\"},"
	    "{\"name\":\"a.loop\",\"type\":1,\"addr\":\"192.0.2.30\"}]}}",
	    200);
	CHECK("a CNAME loop ends", find4(n, 192, 0, 2, 30, 201) != NULL);
	learn(n, "{\"dns\":{\"qr\":true,\"ans\":[1,{\"type\":1},{\"name\":3,"
		 "\"type\":1,\"addr\":\"192.0.2.31\"}]}}",
	    200);
	CHECK("odd records are passed over",
	    is(find4(n, 192, 0, 2, 31, 201), NULL));
	/* a reply of 2000 records: the first 64 are read, quickly */
	{
		struct strbuf b = { 0 };
		int k;

		sb_adds(&b, "{\"dns\":{\"qr\":true,\"ans\":[");
		for (k = 0; k < 2000; k++) {
			snprintf(big, sizeof(big),
			    "%s{\"name\":\"c%d.many\",\"type\":%d,"
			    "\"target\":\"c%d.many\",\"addr\":\"198.51.%d.%d\"}",
			    k ? "," : "", k, k % 2 ? 1 : 5, k + 1, k / 256,
			    k % 256);
			sb_adds(&b, big);
		}
		sb_adds(&b, "]}}");
		sb_str(&b);
		learn(n, b.p, 300);
		free(b.p);
	}
	CHECK("a long reply: an A among its first 64 records is named",
	    is(find4(n, 198, 51, 0, 63, 301), "c62.many"));
	CHECK("a long reply: one past them is not",
	    is(find4(n, 198, 51, 0, 65, 301), NULL));
	names_free(n);

	n = names_new(64);
	for (i = 0; i < 200; i++) {
		snprintf(big, sizeof(big),
		    "{\"dns\":{\"qr\":true,\"ans\":[{\"name\":\"h%d.example\","
		    "\"type\":1,\"ttl\":%d,\"addr\":\"10.0.%d.%d\"}]}}",
		    i, i, i / 256, i % 256);
		learn(n, big, 1000);
	}
	CHECK("the cap holds", names_count(n) == 64);
	CHECK("evictions counted", names_evicted(n) == 136);
	CHECK("the newest stays", is(find4(n, 10, 0, 0, 199, 1001), "h199.example"));
	names_free(n);
	msgpack_zone_destroy(&zone);
	return failures != 0;
}
