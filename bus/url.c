/*
 * Bus URLs, parsed by hand and bounded: every part has a length limit
 * and a set of characters, so nothing unexpected reaches an engine's
 * library, a log line or a terminal.
 *
 *   redis://HOST[:PORT]/STREAM		HOST a name, IPv4, or [IPv6]
 *   redis+unix:///PATH?stream=STREAM	PATH absolute
 *   kafka://BROKER[,BROKER...]/TOPIC	BROKER host[:port]
 */
#include <stdio.h>
#include <string.h>

#include "bus.h"

static int
in_set(const char *s, size_t n, const char *extra)
{
	size_t i;
	char c;

	for (i = 0; i < n; i++) {
		c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9') || strchr(extra, c) != NULL) ||
		    c == '\0')
			return 0;
	}
	return 1;
}

int
bus_name_ok(const char *s, size_t n)
{
	return n > 0 && n <= BUS_NAME_MAX && in_set(s, n, "._:-");
}

static int
fail(char *why, size_t n, const char *what)
{
	snprintf(why, n, "%s", what);
	return -1;
}

/* A decimal port, 1 to 65535, exactly n characters. */
static int
port_of(const char *s, size_t n, unsigned *port)
{
	unsigned v = 0;
	size_t i;

	if (n == 0 || n > 5)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v == 0 || v > 65535)
		return -1;
	*port = v;
	return 0;
}

static int
stream_of(const char *s, size_t n, struct bus_url *u, char *why, size_t wn)
{
	if (n == 0)
		return fail(why, wn, "no stream name");
	if (n > BUS_STREAM_MAX)
		return fail(why, wn, "stream name too long");
	if (!in_set(s, n, "._:-{}"))
		return fail(
		    why, wn, "stream name: letters, digits and ._:-{} only");
	memcpy(u->stream, s, n);
	u->stream[n] = '\0';
	return 0;
}

/* HOST[:PORT] of n bytes; [v6] in brackets. */
static int
hostport(const char *s, size_t n, char *host, size_t hostcap, unsigned *port,
    char *why, size_t wn)
{
	const char *colon, *end = s + n, *h = s;
	size_t hn;

	if (n > 0 && s[0] == '[') {
		if ((colon = memchr(s, ']', n)) == NULL)
			return fail(why, wn, "IPv6 address without its ]");
		h = s + 1;
		hn = (size_t)(colon - h);
		if (hn == 0 || !in_set(h, hn, ":."))
			return fail(why, wn, "bad IPv6 address");
		colon++;
		if (colon != end && *colon != ':')
			return fail(why, wn, "junk after the IPv6 address");
		if (colon == end)
			colon = NULL;
	} else {
		colon = memchr(s, ':', n);
		hn = colon != NULL ? (size_t)(colon - s) : n;
		if (hn == 0)
			return fail(why, wn, "no host");
		if (!in_set(h, hn, ".-_"))
			return fail(
			    why, wn, "host: letters, digits and .-_ only");
	}
	if (hn >= hostcap)
		return fail(why, wn, "host name too long");
	memcpy(host, h, hn);
	host[hn] = '\0';
	if (colon != NULL &&
	    port_of(colon + 1, (size_t)(end - colon - 1), port) == -1)
		return fail(why, wn, "port: a number from 1 to 65535");
	return 0;
}

static int
parse_redis(const char *s, struct bus_url *u, char *why, size_t wn)
{
	const char *slash = strchr(s, '/');

	if (slash == NULL)
		return fail(why, wn, "no /STREAM after the host");
	u->kind = BUS_REDIS_TCP;
	u->port = 6379;
	if (hostport(s, (size_t)(slash - s), u->host, sizeof(u->host), &u->port,
		why, wn) == -1)
		return -1;
	return stream_of(slash + 1, strlen(slash + 1), u, why, wn);
}

static int
parse_unix(const char *s, struct bus_url *u, char *why, size_t wn)
{
	const char *q = strchr(s, '?');
	size_t n;

	u->kind = BUS_REDIS_UNIX;
	if (s[0] != '/')
		return fail(why, wn,
		    "the socket's path must be absolute (redis+unix:///PATH)");
	if (q == NULL)
		return fail(why, wn, "no ?stream=STREAM after the path");
	n = (size_t)(q - s);
	if (n >= sizeof(u->path))
		return fail(why, wn, "socket path too long");
	if (!in_set(s, n, "/._-+@,="))
		return fail(why, wn, "socket path: unusual characters");
	memcpy(u->path, s, n);
	u->path[n] = '\0';
	if (strncmp(q, "?stream=", 8) != 0)
		return fail(why, wn, "the query must be ?stream=STREAM");
	return stream_of(q + 8, strlen(q + 8), u, why, wn);
}

static int
parse_kafka(const char *s, struct bus_url *u, char *why, size_t wn)
{
	const char *slash = strchr(s, '/'), *b, *comma;
	char host[256];
	unsigned port;
	size_t n;

	u->kind = BUS_KAFKA;
	if (slash == NULL)
		return fail(why, wn, "no /TOPIC after the brokers");
	n = (size_t)(slash - s);
	if (n == 0)
		return fail(why, wn, "no broker");
	if (n >= sizeof(u->brokers))
		return fail(why, wn, "broker list too long");
	/* every broker between commas, an empty last one too */
	for (b = s;; b = comma + 1) {
		if ((comma = memchr(b, ',', (size_t)(slash - b))) == NULL)
			comma = slash;
		if (hostport(b, (size_t)(comma - b), host, sizeof(host), &port,
			why, wn) == -1)
			return -1;
		if (comma == slash)
			break;
	}
	memcpy(u->brokers, s, n);
	u->brokers[n] = '\0';
	if (stream_of(slash + 1, strlen(slash + 1), u, why, wn) == -1)
		return -1;
	if (strchr(u->stream, ':') != NULL || strchr(u->stream, '{') != NULL ||
	    strchr(u->stream, '}') != NULL)
		return fail(why, wn, "topic: letters, digits and ._- only");
	return 0;
}

int
bus_url_parse(const char *s, struct bus_url *u, char *why, size_t wn)
{
	memset(u, 0, sizeof(*u));
	if (strlen(s) > 2048)
		return fail(why, wn, "URL too long");
	if (strncmp(s, "redis://", 8) == 0)
		return parse_redis(s + 8, u, why, wn);
	if (strncmp(s, "redis+unix://", 13) == 0)
		return parse_unix(s + 13, u, why, wn);
	if (strncmp(s, "kafka://", 8) == 0)
		return parse_kafka(s + 8, u, why, wn);
	return fail(why, wn,
	    "not a bus URL: redis://HOST:PORT/STREAM, "
	    "redis+unix:///PATH?stream=STREAM or kafka://BROKER/TOPIC");
}
