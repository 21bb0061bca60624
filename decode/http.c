/*
 * HTTP/1.x message heads (RFC 9112): the request line (method, target,
 * version) or the status line (version, code, reason), then the header
 * fields up to the empty line, of which nm keeps Host, User-Agent,
 * Content-Type, Content-Length and Server, under the names tshark gives
 * them (http.host, http.user_agent, ...), as tshark 4.0 shows them: a
 * value loses the whitespace before it, and keeps what trails (RFC 9110
 * 5.5 would trim that too; Content-Length is read trimmed).  Lines end in CRLF,
 * or in a bare LF, which RFC 9112 section 2.2 lets a recipient accept; a CR
 * anywhere else makes the head invalid, as the same section says it may.
 * Field names are compared without case; every text goes into the
 * packet's arena escaped (arena_text), so a control byte cannot hide in
 * a record.
 *
 * The head may come in pieces (tcpapp.c gathers them): until the empty
 * line is there the answer is APP_MORE, and nothing is kept of the
 * fields read so far, so the next try starts clean.
 */
#include <string.h>

#include "app.h"

/* The methods a stream may start with, space after (RFC 9110 9.3, 5789). */
static const char *const methods[] = {
	"GET ",
	"HEAD ",
	"POST ",
	"PUT ",
	"DELETE ",
	"CONNECT ",
	"OPTIONS ",
	"TRACE ",
	"PATCH ",
};

#define NITEMS(a) (sizeof(a) / sizeof((a)[0]))

/* 1 when p's n bytes are all of s or a start of it, 0 when they differ. */
static int
starts(const uint8_t *p, size_t n, const char *s)
{
	size_t len = strlen(s);

	return memcmp(p, s, n < len ? n : len) == 0;
}

enum app_res
http_sniff(const uint8_t *p, size_t n)
{
	size_t i;

	if (n == 0)
		return APP_NOT;
	/* one byte tells most payloads apart: this runs on every segment */
	switch (p[0]) {
	case 'G':
	case 'H':
	case 'P':
	case 'D':
	case 'C':
	case 'O':
	case 'T': break;
	default: return APP_NOT;
	}
	if (p[0] == 'H' && starts(p, n, "HTTP/1."))
		return APP_MORE;
	for (i = 0; i < NITEMS(methods); i++)
		if (methods[i][0] == p[0] && starts(p, n, methods[i]))
			return APP_MORE;
	return APP_NOT;
}

/* RFC 9110 5.6.2's tchar: what a method or a field name is made of. */
static int
is_tchar(unsigned b)
{
	return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') ||
	    (b >= 'A' && b <= 'Z') ||
	    (b != 0 && strchr("!#$%&'*+-.^_`|~", (int)b));
}

static int
is_ws(unsigned b)
{
	return b == ' ' || b == '\t';
}

/*
 * The next line into *line, its end (CRLF or LF) stepped over: 1; 0 when
 * no LF is there yet; -1 on a CR not before the LF.
 */
static int
next_line(struct cur *c, struct cur *line)
{
	const uint8_t *p = c->p;
	size_t n = cur_left(c), i, len;

	for (i = 0; i < n && p[i] != '\n'; i++)
		;
	if (i == n)
		return 0;
	len = i > 0 && p[i - 1] == '\r' ? i - 1 : i;
	if (memchr(p, '\r', len) != NULL)
		return -1;
	cur_take(c, len, line);
	cur_skip(c, i + 1 - len);
	return 1;
}

/* Steps over spaces and tabs. */
static void
skip_ws(struct cur *c)
{
	while (is_ws((unsigned)cur_peek(c, 0)))
		cur_skip(c, 1);
}

/* The bytes up to the next space or tab (or the end), as a view. */
static size_t
word(struct cur *c, const uint8_t **w)
{
	size_t n = 0;

	*w = c->p;
	while (cur_peek(c, n) >= 0 && !is_ws((unsigned)cur_peek(c, n)))
		n++;
	cur_skip(c, n);
	return n;
}

/* "HTTP/" DIGIT "." DIGIT, all of w. */
static int
is_version(const uint8_t *w, size_t n)
{
	return n == 8 && memcmp(w, "HTTP/", 5) == 0 && w[5] >= '0' &&
	    w[5] <= '9' && w[6] == '.' && w[7] >= '0' && w[7] <= '9';
}

/* Visible bytes only (obs-text too): no control byte, no DEL. */
static int
is_visible(const uint8_t *w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (w[i] <= 0x20 || w[i] == 0x7f)
			return 0;
	return 1;
}

static enum app_res
bad(struct pkt *pk, const char *what)
{
	dec_fail(pk, "http", DEC_INVALID, "%s", what);
	return APP_BAD;
}

static enum app_res
request_line(struct pkt *pk, struct cur *l)
{
	struct pk_http *h = &pk->http;
	const uint8_t *m, *u, *v;
	size_t mn, un, vn, i;

	mn = word(l, &m);
	skip_ws(l);
	un = word(l, &u);
	skip_ws(l);
	vn = word(l, &v);
	skip_ws(l);
	for (i = 0; i < mn; i++)
		if (!is_tchar(m[i]))
			return bad(pk, "request method is not a token");
	if (mn == 0 || un == 0 || !is_visible(u, un))
		return bad(pk, "request line has no target");
	if (!is_version(v, vn) || cur_left(l) != 0)
		return bad(pk, "request line does not end in an HTTP version");
	h->is_request = 1;
	h->method = arena_text(pk, m, mn, "");
	h->uri = arena_text(pk, u, un, "");
	h->version = arena_text(pk, v, vn, "");
	return APP_DONE;
}

static enum app_res
status_line(struct pkt *pk, struct cur *l)
{
	struct pk_http *h = &pk->http;
	const uint8_t *v, *d;
	size_t vn, i;

	vn = word(l, &v);
	if (!is_version(v, vn) || !is_ws((unsigned)cur_peek(l, 0)))
		return bad(pk, "status line does not start with a version");
	cur_skip(l, 1);
	d = cur_ptr(l, 3);
	if (d == NULL || d[0] < '1' || d[0] > '9')
		return bad(pk, "status code is not three digits");
	for (i = 0; i < 3; i++)
		if (d[i] < '0' || d[i] > '9')
			return bad(pk, "status code is not three digits");
	if (cur_left(l) > 0 && !is_ws((unsigned)cur_peek(l, 0)))
		return bad(pk, "status code is not three digits");
	cur_skip(l, cur_left(l) > 0 ? 1 : 0);
	h->is_response = 1;
	h->version = arena_text(pk, v, vn, "");
	h->code = (d[0] - '0') * 100u + (d[1] - '0') * 10u + (d[2] - '0');
	/* the reason phrase as sent, the space after the code excepted */
	h->phrase = arena_text(pk, l->p, cur_left(l), "");
	return APP_DONE;
}

/* A field name, compared without case with name (lower case). */
static int
name_is(const uint8_t *p, size_t n, const char *name)
{
	size_t i;

	if (n != strlen(name))
		return 0;
	for (i = 0; i < n; i++)
		if ((p[i] >= 'A' && p[i] <= 'Z' ? p[i] + 32 : p[i]) !=
		    (unsigned char)name[i])
			return 0;
	return 1;
}

/* Content-Length (RFC 9110 8.6): 1*DIGIT, nothing else; 0 if not. */
static int
content_length(const uint8_t *p, size_t n, uint64_t *v)
{
	size_t i;

	*v = 0;
	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9' ||
		    *v > (UINT64_MAX - (p[i] - '0')) / 10)
			return 0;
		*v = *v * 10 + (p[i] - '0');
	}
	return 1;
}

static enum app_res
field(struct pkt *pk, struct cur *l)
{
	struct pk_http *h = &pk->http;
	const uint8_t *name = l->p, *v;
	size_t nn = 0, vn, i;

	while (cur_peek(l, nn) >= 0 && is_tchar((unsigned)cur_peek(l, nn)))
		nn++;
	if (nn == 0 || cur_peek(l, nn) != ':')
		return bad(pk, "header field has no name and colon");
	cur_skip(l, nn + 1);
	skip_ws(l);
	v = l->p;
	vn = cur_left(l);
	for (i = 0; i < vn; i++)
		if ((v[i] < 0x20 && v[i] != '\t') || v[i] == 0x7f)
			return bad(pk, "header field value has a control byte");
	/* the first of a field sent twice, as the lines come */
	if (h->host == NULL && name_is(name, nn, "host"))
		h->host = arena_text(pk, v, vn, "");
	else if (h->user_agent == NULL && name_is(name, nn, "user-agent"))
		h->user_agent = arena_text(pk, v, vn, "");
	else if (h->content_type == NULL && name_is(name, nn, "content-type"))
		h->content_type = arena_text(pk, v, vn, "");
	else if (h->server == NULL && name_is(name, nn, "server"))
		h->server = arena_text(pk, v, vn, "");
	else if (!h->has_content_length &&
	    name_is(name, nn, "content-length")) {
		while (vn > 0 && is_ws(v[vn - 1]))
			vn--;
		if (!content_length(v, vn, &h->content_length))
			return bad(pk, "Content-Length is not digits");
		h->has_content_length = 1;
	}
	return APP_DONE;
}

/* The head's lines after the start line, to the empty one. */
static enum app_res
fields(struct pkt *pk, struct cur *c)
{
	struct cur l;
	int r;

	while ((r = next_line(c, &l)) > 0) {
		if (cur_left(&l) == 0)
			return APP_DONE;
		/* obsolete line folding (RFC 9112 5.2): a value's
		 * continuation, not kept */
		if (is_ws((unsigned)cur_peek(&l, 0)))
			continue;
		if (field(pk, &l) == APP_BAD)
			return APP_BAD;
	}
	return r < 0 ? bad(pk, "bare CR in the head") : APP_MORE;
}

enum app_res
http_head(struct pkt *pk, const uint8_t *p, size_t n)
{
	struct cur c = cur_make(p, n), l;
	size_t arenalen = pk->arenalen;
	enum app_res res;
	int r;

	memset(&pk->http, 0, sizeof(pk->http));
	if ((r = next_line(&c, &l)) <= 0)
		return r < 0 ? bad(pk, "bare CR in the start line") : APP_MORE;
	if (cur_left(&l) >= 5 && memcmp(l.p, "HTTP/", 5) == 0)
		res = status_line(pk, &l);
	else
		res = request_line(pk, &l);
	if (res == APP_DONE)
		res = fields(pk, &c);
	if (res == APP_DONE) {
		pk->have |= PK_HTTP;
		return APP_DONE;
	}
	/* nothing kept of a head not all there, or not right */
	memset(&pk->http, 0, sizeof(pk->http));
	pk->arenalen = arenalen;
	return res;
}
