/*
 * nm-web's HTTP side, on libmicrohttpd: a well-kept library (Debian's,
 * fuzzed upstream, with its own request-size and timeout limits) parses
 * what browsers send, so nm has no HTTP parser of its own to get wrong.
 * One polling thread answers every request; an event stream that has
 * nothing to send is suspended (out of the poll) until the hub has an
 * event for it.
 *
 * Every answer carries the same strict headers (no framing, no sniffing,
 * no referrer, no caching, a Content-Security-Policy that allows only our
 * own script and style), and every request is checked first: with a
 * token, the request must carry it (?token= or the cookie the page got);
 * without one (loopback only), the Host header must name a loopback
 * address, so a web page elsewhere cannot reach us through a DNS name
 * rebound to 127.0.0.1.  Only GET and HEAD are answered.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <microhttpd.h>

#include "nm.h"
#include "web.h"

/* The page, as the build embeds it (assets.c). */
extern const char web_page_html[], web_app_js[], web_style_css[];
extern const size_t web_page_html_len, web_app_js_len, web_style_css_len;

struct web_http {
	struct MHD_Daemon *d;
	const struct web_listen *l;
	struct web_hub *hub;
};

static const char csp[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; "
    "connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'none'";

/* --- binding --- */

static int
parse_spec(const char *spec, char *host, size_t hostlen, unsigned *port)
{
	const char *colon = strrchr(spec, ':'), *p;
	size_t n;

	if (colon == NULL) {
		snprintf(host, hostlen, "127.0.0.1");
		p = spec;
	} else {
		n = (size_t)(colon - spec);
		if (n >= 2 && spec[0] == '[' && spec[n - 1] == ']') {
			spec++;
			n -= 2;
		} else if (memchr(spec, ':', n) != NULL)
			return -1; /* IPv6 goes in brackets: [::1]:8080 */
		if (n == 0 || n >= hostlen)
			return -1;
		memcpy(host, spec, n);
		host[n] = '\0';
		p = colon + 1;
	}
	if (*p == '\0' || strspn(p, "0123456789") != strlen(p) ||
	    strlen(p) > 5 || (*port = (unsigned)atoi(p)) > 65535)
		return -1;
	return 0;
}

void
web_bind(struct web_listen *l, const char *spec)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t sl;
	int one = 1, fd;

	memset(&ss, 0, sizeof(ss));
	if (parse_spec(spec, l->host, sizeof(l->host), &l->port) < 0)
		nm_bad_usage("-l %s: not [ADDR:]PORT", spec);
	if (inet_pton(AF_INET, l->host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)l->port);
		sl = sizeof(*s4);
		l->loopback = (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
	} else if (inet_pton(AF_INET6, l->host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)l->port);
		sl = sizeof(*s6);
		l->loopback = IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr);
	} else
		nm_bad_usage(
		    "-l %s: %s is not an IPv4 or IPv6 address", spec, l->host);
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		nm_die(NM_EXIT_FAIL, "socket: %s", strerror(errno));
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		(void)setsockopt(
		    fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 64) < 0)
		nm_die(NM_EXIT_FAIL, "-l %s: %s", spec, strerror(errno));
	sl = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
		l->port = ntohs(
		    ss.ss_family == AF_INET ? s4->sin_port : s6->sin6_port);
	l->fd = fd;
}

/* --- the checks --- */

int
web_token_ok(const char *want, const char *got)
{
	size_t n = strlen(want), m, i;
	unsigned char d;

	if (got == NULL)
		return 0;
	m = strlen(got);
	/* the time depends on our length only, never on where they differ */
	d = (unsigned char)(n != m);
	for (i = 0; i < n; i++)
		d |= (unsigned char)(want[i] ^ (i < m ? got[i] : 0));
	return d == 0;
}

/* Host: 127.x.x.x, [::1] or localhost, with our port or none. */
static int
host_ok(const struct web_listen *l, const char *host)
{
	char port[16];
	const char *p;
	size_t n;

	if (host == NULL)
		return 0;
	if (strncmp(host, "localhost", 9) == 0)
		p = host + 9;
	else if (strncmp(host, "[::1]", 5) == 0)
		p = host + 5;
	else if (strncmp(host, "127.", 4) == 0) {
		n = strspn(host, "0123456789.");
		p = host + n;
	} else
		return 0;
	if (*p == '\0')
		return 1;
	snprintf(port, sizeof(port), ":%u", l->port);
	return strcmp(p, port) == 0;
}

static int
allowed(struct web_http *h, struct MHD_Connection *c, int *from_query)
{
	const char *q;

	*from_query = 0;
	if (h->l->token[0] == '\0')
		return host_ok(h->l,
		    MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host"));
	q = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "token");
	if (q != NULL)
		return (*from_query = web_token_ok(h->l->token, q));
	return web_token_ok(h->l->token,
	    MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "nm_token"));
}

/* --- answers --- */

static void
headers(struct MHD_Response *r, const char *type)
{
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Content-Security-Policy", csp);
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(
	    r, "Cross-Origin-Resource-Policy", "same-origin");
}

static enum MHD_Result
answer(struct MHD_Connection *c, unsigned status, const char *type,
    const void *body, size_t len, int copy, const char *cookie)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body,
	    copy ? MHD_RESPMEM_MUST_COPY : MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		return MHD_NO;
	headers(r, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, "Allow", "GET, HEAD");
	if (cookie != NULL)
		MHD_add_response_header(r, "Set-Cookie", cookie);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
text(struct MHD_Connection *c, unsigned status, const char *msg)
{
	return answer(
	    c, status, "text/plain; charset=utf-8", msg, strlen(msg), 0, NULL);
}

/*
 * The event stream's body, as libmicrohttpd asks for more: what the queue
 * holds, or, with nothing to send, the stream suspended until the hub
 * queues an event (broadcast() resumes it), or its end once the record
 * stream ended and the queue is out.
 */
static ssize_t
stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct web_client *cl = cls;
	struct web_hub *hub = cl->hub;
	size_t n;

	(void)pos;
	pthread_mutex_lock(&hub->mu);
	n = cl->q.len - cl->off;
	if (n > 0) {
		if (n > max)
			n = max;
		memcpy(buf, cl->q.p + cl->off, n);
		cl->off += n;
		if (cl->off == cl->q.len)
			cl->off = cl->q.len = 0;
		pthread_mutex_unlock(&hub->mu);
		return (ssize_t)n;
	}
	if (hub->ended) {
		pthread_mutex_unlock(&hub->mu);
		return MHD_CONTENT_READER_END_OF_STREAM;
	}
	cl->suspended = 1;
	MHD_suspend_connection(cl->conn);
	pthread_mutex_unlock(&hub->mu);
	return 0;
}

/* The response is gone: so is its stream. */
static void
stream_free(void *cls)
{
	struct web_client *cl = cls, **pp;
	struct web_hub *hub = cl->hub;

	pthread_mutex_lock(&hub->mu);
	for (pp = &hub->clients; *pp != NULL; pp = &(*pp)->next)
		if (*pp == cl) {
			*pp = cl->next;
			hub->nclients--;
			break;
		}
	pthread_mutex_unlock(&hub->mu);
	free(cl->q.p);
	free(cl);
}

static enum MHD_Result
events(struct web_http *h, struct MHD_Connection *c, int head)
{
	struct web_hub *hub = h->hub;
	struct MHD_Response *r;
	struct web_client *cl;
	enum MHD_Result ret;

	if (head)
		return answer(
		    c, MHD_HTTP_OK, "text/event-stream", "", 0, 0, NULL);
	cl = ecalloc(1, sizeof(*cl));
	cl->hub = hub;
	cl->conn = c;
	pthread_mutex_lock(&hub->mu);
	if (hub->nclients >= WEB_CLIENTS) {
		hub->refused++;
		pthread_mutex_unlock(&hub->mu);
		free(cl);
		return text(c, MHD_HTTP_SERVICE_UNAVAILABLE,
		    "too many event streams\n");
	}
	/* what a page opened late starts from, then every event after it */
	sb_adds(&cl->q, "retry: 2000\nevent: state\ndata: ");
	hub_snapshot_locked(hub, &cl->q);
	sb_adds(&cl->q, "\n\n");
	cl->next = hub->clients;
	hub->clients = cl;
	hub->nclients++;
	hub->served++;
	pthread_mutex_unlock(&hub->mu);
	r = MHD_create_response_from_callback(
	    MHD_SIZE_UNKNOWN, 16384, stream_read, cl, stream_free);
	if (r == NULL) {
		stream_free(cl);
		return MHD_NO;
	}
	headers(r, "text/event-stream");
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
state(struct web_http *h, struct MHD_Connection *c)
{
	struct strbuf b = { 0 };
	enum MHD_Result ret;

	hub_snapshot(h->hub, &b);
	ret = answer(c, MHD_HTTP_OK, "application/json", b.p, b.len, 1, NULL);
	free(b.p);
	return ret;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_len, void **con_cls)
{
	struct web_http *h = cls;
	char cookie[WEB_TOKEN_MAX + 64];
	int head = strcmp(method, "HEAD") == 0, from_query;

	(void)version;
	(void)upload;
	(void)upload_len;
	(void)con_cls;
	if (!head && strcmp(method, "GET") != 0)
		return text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "GET or HEAD\n");
	if (!allowed(h, c, &from_query))
		return text(c, MHD_HTTP_FORBIDDEN, "forbidden\n");
	if (strcmp(url, "/") == 0) {
		/* the page's own requests then carry the token by cookie */
		snprintf(cookie, sizeof(cookie),
		    "nm_token=%s; Path=/; HttpOnly; SameSite=Strict",
		    h->l->token);
		return answer(c, MHD_HTTP_OK, "text/html; charset=utf-8",
		    web_page_html, web_page_html_len, 0,
		    from_query ? cookie : NULL);
	}
	if (strcmp(url, "/app.js") == 0)
		return answer(c, MHD_HTTP_OK, "text/javascript; charset=utf-8",
		    web_app_js, web_app_js_len, 0, NULL);
	if (strcmp(url, "/style.css") == 0)
		return answer(c, MHD_HTTP_OK, "text/css; charset=utf-8",
		    web_style_css, web_style_css_len, 0, NULL);
	if (strcmp(url, "/state") == 0)
		return state(h, c);
	if (strcmp(url, "/events") == 0)
		return events(h, c, head);
	return text(c, MHD_HTTP_NOT_FOUND, "not found\n");
}

static void
resume(void *arg, void *conn)
{
	(void)arg;
	MHD_resume_connection(conn);
}

/* libmicrohttpd's own complaints, one line each as ours. */
static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];
	size_t n;

	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n > 0 && line[n - 1] == '\n')
		line[--n] = '\0';
	nm_warn("http: %s", line);
}

struct web_http *
web_http_start(const struct web_listen *l, struct web_hub *hub)
{
	struct web_http *h = ecalloc(1, sizeof(*h));

	h->l = l;
	h->hub = hub;
	hub->resume = resume;
	hub->resume_arg = h;
	h->d = MHD_start_daemon(MHD_USE_POLL_INTERNAL_THREAD |
		MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG,
	    0, NULL, NULL, on_request, h, MHD_OPTION_EXTERNAL_LOGGER, mhd_log,
	    NULL, MHD_OPTION_LISTEN_SOCKET, l->fd, MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned)(4 * WEB_CLIENTS), MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    (unsigned)(2 * WEB_CLIENTS), MHD_OPTION_CONNECTION_TIMEOUT, 60u,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)65536, MHD_OPTION_END);
	if (h->d == NULL)
		nm_die(NM_EXIT_FAIL, "http: cannot start libmicrohttpd");
	return h;
}

void
web_http_stop(struct web_http *h)
{
	MHD_stop_daemon(h->d);
	free(h);
}
