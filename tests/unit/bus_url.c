/*
 * Unit tests of bus/url.c, the parser of nm-push's and nm-pull's URLs:
 * each form read right, and bad ones (empty parts, ports out of range,
 * unusual characters, lengths past the limits) refused with a reason.
 */
#include <stdio.h>
#include <string.h>

#include "bus.h"

#include "check.h"

static int
bad(const char *s)
{
	struct bus_url u;
	char why[256] = "";

	return bus_url_parse(s, &u, why, sizeof(why)) == -1 && why[0] != '\0';
}

int
main(void)
{
	static const char *const bads[] = { "", "redis:/", "redis://",
		"redis://h", "redis://h/", "redis://:1/s", "redis://h:/s",
		"redis://h:0/s", "redis://h:65536/s", "redis://h:1x/s",
		"redis://h:123456/s", "redis://[::1/s", "redis://[]/s",
		"redis://[::1]x/s", "redis://h h/s", "redis://h/s s",
		"redis://h/s/t", "redis://h/s\n", "redis+unix://",
		"redis+unix://p?stream=s", "redis+unix:///p",
		"redis+unix:///p?stream=", "redis+unix:///p?streams=s",
		"redis+unix:///p q?stream=s", "kafka://", "kafka:///t",
		"kafka://b", "kafka://b/", "kafka://b,/t", "kafka://,b/t",
		"kafka://b:0/t", "kafka://b/t:x", "kafka://b/t{x}",
		"http://h/s", "REDIS://h/s", NULL };
	struct bus_url u;
	char why[256], big[4096];
	int i, nbad = 0;

	CHECK("redis: host, port, stream",
	    bus_url_parse("redis://bus.example:7000/nm", &u, why,
		sizeof(why)) == 0 &&
		u.kind == BUS_REDIS_TCP && strcmp(u.host, "bus.example") == 0 &&
		u.port == 7000 && strcmp(u.stream, "nm") == 0);
	CHECK("redis: port 6379 by default",
	    bus_url_parse("redis://10.0.0.1/a.b:c-d", &u, why, sizeof(why)) ==
		    0 &&
		u.port == 6379 && strcmp(u.stream, "a.b:c-d") == 0);
	CHECK("redis: IPv6 in brackets",
	    bus_url_parse("redis://[fe80::1]:6380/s", &u, why, sizeof(why)) ==
		    0 &&
		strcmp(u.host, "fe80::1") == 0 && u.port == 6380);
	CHECK("redis+unix: path and stream",
	    bus_url_parse("redis+unix:///run/redis/r.sock?stream=nm", &u, why,
		sizeof(why)) == 0 &&
		u.kind == BUS_REDIS_UNIX &&
		strcmp(u.path, "/run/redis/r.sock") == 0 &&
		strcmp(u.stream, "nm") == 0);
	CHECK("kafka: brokers and topic",
	    bus_url_parse("kafka://k1:9092,k2/nm_topic", &u, why,
		sizeof(why)) == 0 &&
		u.kind == BUS_KAFKA && strcmp(u.brokers, "k1:9092,k2") == 0 &&
		strcmp(u.stream, "nm_topic") == 0);
	for (i = 0; bads[i] != NULL; i++)
		if (!bad(bads[i])) {
			printf("not refused: %s\n", bads[i]);
			nbad++;
		}
	CHECK("bad URLs refused, each with a reason", nbad == 0);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "redis://h/", 10);
	CHECK("a stream name past the limit", bad(big));
	memcpy(big, "redis+unix:///", 14);
	strcpy(big + 200, "?stream=s");
	CHECK("a socket path past sun_path", bad(big));
	big[0] = '\0';
	snprintf(big, sizeof(big), "redis://%0300d/s", 1);
	CHECK("a host name past the limit", bad(big));
	CHECK("sensor names", bus_name_ok("site-1.a:b", 10) &&
		!bus_name_ok("", 0) && !bus_name_ok("a b", 3) &&
		!bus_name_ok("a\033", 2) && !bus_name_ok(big, 65));
	return failures != 0;
}
