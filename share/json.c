/*
 * The JSON face of the record stream.  json_write shows a record as one
 * line of JSON: addresses as text and bytes as hex where REC_KEYS says a
 * key holds them, unknown bytes as hex too.  json_parse reads such a line
 * (or any JSON object, pretty-printed or not) back into the same
 * msgpack_object tree the msgpack reader gives, turning the text of known
 * address and byte keys back into bytes, so a jq filter can sit between
 * two stages.  Both enforce the stream's nesting limit.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nm.h"
#include "rec.h"

/* --- growing buffer --- */

void
sb_grow(struct strbuf *b, size_t n)
{
	b->cap = (b->cap + n + 1) * 2;
	b->p = erealloc(b->p, b->cap);
}

/* Makes room for n more bytes and the NUL after them. */
static void
sb_reserve(struct strbuf *b, size_t n)
{
	if (b->cap - b->len < n + 1)
		sb_grow(b, n);
}

void
sb_adds(struct strbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

void
sb_addf(struct strbuf *b, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(tmp)) {
		sb_add(b, tmp, (size_t)n);
		return;
	}
	if (b->cap - b->len < (size_t)n + 1) {
		b->cap = b->len + (size_t)n + 1;
		b->p = erealloc(b->p, b->cap);
	}
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* --- addresses --- */

/* Is s the text of an 8-byte link address: xx:xx:xx:xx:xx:xx:xx:xx? */
static int
link_form(const char *s)
{
	size_t i;

	for (i = 0; i < 23; i++)
		if ((i % 3 == 2) != (s[i] == ':') || s[i] == '\0')
			return 0;
	return s[23] == '\0';
}

size_t
addr_text(char *dst, size_t dstlen, const uint8_t *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	if (n == 4 && dstlen >= 16) {	/* most addresses: no printf */
		for (i = 0; i < 4; i++) {
			if (i)
				dst[o++] = '.';
			if (p[i] >= 100)
				dst[o++] = (char)('0' + p[i] / 100);
			if (p[i] >= 10)
				dst[o++] = (char)('0' + p[i] / 10 % 10);
			dst[o++] = (char)('0' + p[i] % 10);
		}
		dst[o] = '\0';
		return o;
	}
	if (n == 16 && inet_ntop(AF_INET6, p, dst, (socklen_t)dstlen)) {
		/*
		 * Eight groups of two digits ("12:34:56:78:9a:bc:de:f0") is
		 * how an 8-byte link address reads: write the first group
		 * in full, so the text still reads back as IPv6.
		 */
		if (link_form(dst) && dstlen > 25) {
			memmove(dst + 2, dst, 24);
			dst[0] = dst[1] = '0';
		}
		return strlen(dst);
	}
	for (i = 0; i < n && o + 4 <= dstlen; i++) {
		if (i)
			dst[o++] = ':';
		dst[o++] = hex[p[i] >> 4];
		dst[o++] = hex[p[i] & 15];
	}
	if (dstlen == 0)
		return 0;
	o = o < dstlen ? o : dstlen - 1;
	dst[o] = '\0';
	return o;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Text to address bytes; returns the length or -1.  out holds 64 bytes. */
static int
addr_parse(const char *s, size_t n, uint8_t *out)
{
	char tmp[200];		/* 64 bytes as colon hex, and more */
	size_t i;
	int len = 0, hi, lo, colons = 0, dot = 0;

	if (n == 0 || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	for (i = 0; i < n; i++) {
		colons += tmp[i] == ':';
		dot |= tmp[i] == '.';
	}
	if (!colons && dot)
		return inet_pton(AF_INET, tmp, out) == 1 ? 4 : -1;
	/*
	 * Two hex digits per group without "::" is a link address, eight
	 * groups too: addr_text() never writes an IPv6 address that way.
	 */
	if (strstr(tmp, "::") == NULL && !dot &&
	    n == (size_t)colons * 3 + 2) {
		for (i = 0; i < n; i += 3) {
			if ((hi = hexval(tmp[i])) < 0 ||
			    (lo = hexval(tmp[i + 1])) < 0 ||
			    (i + 2 < n && tmp[i + 2] != ':') || len >= 64)
				break;	/* "406:0:200:1:0:100:8:604" is IPv6 */
			out[len++] = (uint8_t)(hi << 4 | lo);
		}
		if (i >= n)
			return len;
	}
	return inet_pton(AF_INET6, tmp, out) == 1 ? 16 : -1;
}

/* --- writer --- */

static void
put_str(struct strbuf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i, run = 0, k, need;
	unsigned c;

	sb_addc(b, '"');
	for (i = 0; i < n; i++) {
		c = p[i];
		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80)
			continue;
		sb_add(b, s + run, i - run);
		run = i + 1;
		if (c == '"' || c == '\\') {
			sb_addc(b, '\\');
			sb_addc(b, (char)c);
		} else if (c == '\n')
			sb_adds(b, "\\n");
		else if (c == '\t')
			sb_adds(b, "\\t");
		else if (c < 0x20) {
			sb_adds(b, "\\u00");
			sb_addc(b, hex[c >> 4]);
			sb_addc(b, hex[c & 15]);
		} else {
			/* Keep valid UTF-8; show any other byte as U+00XX. */
			need = c >= 0xf0 && c < 0xf5 ? 3 : c >= 0xe0 ? 2 :
			    c >= 0xc2 ? 1 : 0;
			if (c >= 0xf5)
				need = 0;
			for (k = 1; need && k <= need; k++)
				if (i + k >= n || (p[i + k] & 0xc0) != 0x80)
					need = 0;
			if (need) {
				sb_add(b, s + i, need + 1);
				i += need;
				run = i + 1;
			} else {
				sb_adds(b, "\\u00");
				sb_addc(b, hex[c >> 4]);
				sb_addc(b, hex[c & 15]);
			}
		}
	}
	sb_add(b, s + run, n - run);
	sb_addc(b, '"');
}

static void
put_hex(struct strbuf *b, const uint8_t *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	char *o;

	/* A frame's bytes are most of a record: room once, then fill. */
	sb_reserve(b, 2 * n + 2);
	o = b->p + b->len;
	*o++ = '"';
	for (i = 0; i < n; i++) {
		*o++ = hex[p[i] >> 4];
		*o++ = hex[p[i] & 15];
	}
	*o++ = '"';
	*o = '\0';
	b->len += 2 * n + 2;
}

/* Decimal digits without printf: every record is mostly numbers. */
static void
put_u64(struct strbuf *b, uint64_t v)
{
	char tmp[24], *e = tmp + sizeof(tmp), *q = e;

	do {
		*--q = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	sb_add(b, q, (size_t)(e - q));
}

static void put_value(struct strbuf *, const msgpack_object *, int,
    enum key_type);

/*
 * The record type of a record, as an IN_ bit: a known key of another
 * type's is a user's key in it, written as any unknown key is.
 */
static unsigned
record_in(const msgpack_object *o)
{
	const msgpack_object_kv *kv = o->via.map.ptr;
	const msgpack_object *t;

	/* nm writes it first */
	if (o->via.map.size > 0 && kv->key.type == MSGPACK_OBJECT_STR &&
	    REC_KEY_IS(&kv->key, "type"))
		t = &kv->val;
	else
		t = rec_get(o, "type");

	if (t == NULL || t->type != MSGPACK_OBJECT_STR)
		return REC_IN(REC_UNKNOWN);
	return REC_IN(rec_type_of(t->via.str.ptr, t->via.str.size));
}

/* parent is the schema id of this map (0: the record, -1: unknown). */
static void
put_map(struct strbuf *b, const msgpack_object *o, int parent)
{
	const msgpack_object_kv *kv;
	enum key_type t, elem;
	unsigned in = parent == 0 ? record_in(o) : IN_ALL;
	char num[32];
	uint32_t i;
	int id;

	sb_addc(b, '{');
	for (i = 0; i < o->via.map.size; i++) {
		kv = &o->via.map.ptr[i];
		if (i)
			sb_addc(b, ',');
		t = KT_NONE;
		id = -1;
		if (kv->key.type == MSGPACK_OBJECT_STR) {
			put_str(b, kv->key.via.str.ptr, kv->key.via.str.size);
			/* only bytes, maps and arrays are written by key type */
			if (parent >= 0 && (kv->val.type == MSGPACK_OBJECT_BIN ||
			    kv->val.type == MSGPACK_OBJECT_MAP ||
			    kv->val.type == MSGPACK_OBJECT_ARRAY))
				id = rec_key_find_in(parent, in,
				    kv->key.via.str.ptr, kv->key.via.str.size,
				    &t, &elem);
			if (id == 0)
				id = -1;
			if (t == KT_ARRAY)
				t = elem;
		} else {
			/* JSON keys are strings: show other keys as text. */
			struct strbuf k = { 0 };

			put_value(&k, &kv->key, -1, KT_NONE);
			if (k.len && k.p[0] == '"')
				sb_add(b, k.p, k.len);
			else {
				snprintf(num, sizeof(num), "%s", k.p ? k.p : "");
				put_str(b, num, strlen(num));
			}
			free(k.p);
		}
		sb_addc(b, ':');
		put_value(b, &kv->val, id, t);
	}
	sb_addc(b, '}');
}

/* t is the known type at this path (for an array, its elements' type). */
static void
put_value(struct strbuf *b, const msgpack_object *o, int id, enum key_type t)
{
	char tmp[200];		/* a 64-byte address: 191 characters */
	uint32_t i;

	switch (o->type) {
	case MSGPACK_OBJECT_NIL:
		sb_adds(b, "null");
		break;
	case MSGPACK_OBJECT_BOOLEAN:
		sb_adds(b, o->via.boolean ? "true" : "false");
		break;
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		put_u64(b, o->via.u64);
		break;
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		sb_addf(b, "%lld", (long long)o->via.i64);
		break;
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64:
		if (isfinite(o->via.f64)) {
			snprintf(tmp, sizeof(tmp), "%.17g", o->via.f64);
			/* keep it a float when read back */
			if (strpbrk(tmp, ".eE") == NULL)
				strcat(tmp, ".0");
			sb_adds(b, tmp);
		} else
			sb_adds(b, "null");
		break;
	case MSGPACK_OBJECT_STR:
		put_str(b, o->via.str.ptr, o->via.str.size);
		break;
	case MSGPACK_OBJECT_BIN:
		if (t == KT_ADDR && o->via.bin.size <= 64) {
			addr_text(tmp, sizeof(tmp),
			    (const uint8_t *)o->via.bin.ptr, o->via.bin.size);
			put_str(b, tmp, strlen(tmp));
		} else
			put_hex(b, (const uint8_t *)o->via.bin.ptr,
			    o->via.bin.size);
		break;
	case MSGPACK_OBJECT_EXT:
		put_hex(b, (const uint8_t *)o->via.ext.ptr, o->via.ext.size);
		break;
	case MSGPACK_OBJECT_ARRAY:
		sb_addc(b, '[');
		for (i = 0; i < o->via.array.size; i++) {
			if (i)
				sb_addc(b, ',');
			put_value(b, &o->via.array.ptr[i], id, t);
		}
		sb_addc(b, ']');
		break;
	case MSGPACK_OBJECT_MAP:
		put_map(b, o, id);
		break;
	}
}

void
json_write(struct strbuf *b, const msgpack_object *obj)
{
	put_value(b, obj, 0, KT_NONE);
	sb_addc(b, '\n');
}

/* --- parser --- */

struct jp {
	const char	*s, *p, *end;
	msgpack_zone	*zone;
	const char	*why;
	const char	*where;
	unsigned	 in;	/* the record's type, as an IN_ bit */
};

enum { J_MORE = 0, J_OK = 1, J_BAD = -1 };

static int j_value(struct jp *, msgpack_object *, int, enum key_type, int);

static int
j_bad(struct jp *j, const char *why)
{
	j->why = why;
	j->where = j->p;
	return J_BAD;
}

static void
j_ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
	    *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static void *
j_alloc(struct jp *j, size_t n)
{
	return msgpack_zone_malloc(j->zone, n ? n : 1);
}

static int
j_lit(struct jp *j, const char *lit)
{
	size_t n = strlen(lit), have = (size_t)(j->end - j->p);

	if (memcmp(j->p, lit, have < n ? have : n) != 0)
		return j_bad(j, "unexpected character");
	if (have < n)
		return J_MORE;
	j->p += n;
	return J_OK;
}

static void
utf8_put(char *out, size_t *o, unsigned cp)
{
	if (cp < 0x80)
		out[(*o)++] = (char)cp;
	else if (cp < 0x800) {
		out[(*o)++] = (char)(0xc0 | cp >> 6);
		out[(*o)++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		out[(*o)++] = (char)(0xe0 | cp >> 12);
		out[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[(*o)++] = (char)(0x80 | (cp & 0x3f));
	} else {
		out[(*o)++] = (char)(0xf0 | cp >> 18);
		out[(*o)++] = (char)(0x80 | ((cp >> 12) & 0x3f));
		out[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[(*o)++] = (char)(0x80 | (cp & 0x3f));
	}
}

static int
j_hex4(struct jp *j, const char *q, unsigned *v)
{
	int i, h;

	*v = 0;
	if (j->end - q < 4)
		return J_MORE;
	for (i = 0; i < 4; i++) {
		if ((h = hexval(q[i])) < 0)
			return j_bad(j, "bad \\u escape");
		*v = *v << 4 | (unsigned)h;
	}
	return J_OK;
}

/* Parses a string (j->p at the quote) into zone memory. */
static int
j_string(struct jp *j, const char **out, size_t *outlen)
{
	const char *q = j->p + 1, *start;
	char *buf;
	size_t o = 0;
	unsigned cp, lo;
	int r;

	/* First find the end, so the copy needs one allocation. */
	for (start = q; q < j->end && *q != '"'; q++) {
		if ((unsigned char)*q < 0x20)
			return j->p = q, j_bad(j, "control character in string");
		if (*q == '\\' && ++q == j->end)
			break;
	}
	if (q >= j->end)
		return J_MORE;
	buf = j_alloc(j, (size_t)(q - start) + 1);
	if (buf == NULL)
		return j_bad(j, "out of memory");
	for (q = start; *q != '"'; q++) {
		if (*q != '\\') {
			buf[o++] = *q;
			continue;
		}
		switch (*++q) {
		case '"': case '\\': case '/': buf[o++] = *q; break;
		case 'b': buf[o++] = '\b'; break;
		case 'f': buf[o++] = '\f'; break;
		case 'n': buf[o++] = '\n'; break;
		case 'r': buf[o++] = '\r'; break;
		case 't': buf[o++] = '\t'; break;
		case 'u':
			if ((r = j_hex4(j, q + 1, &cp)) != J_OK)
				return j->p = q, r == J_BAD ? j_bad(j,
				    "bad \\u escape") : J_BAD;
			q += 4;
			if (cp >= 0xd800 && cp < 0xdc00 && q[1] == '\\' &&
			    q[2] == 'u' && j_hex4(j, q + 3, &lo) == J_OK &&
			    lo >= 0xdc00 && lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
				q += 6;
			}
			/* \u escapes never take more room than they hold */
			utf8_put(buf, &o, cp);
			break;
		default:
			j->p = q;
			return j_bad(j, "bad escape in string");
		}
	}
	j->p = q + 1;
	*out = buf;
	*outlen = o;
	return J_OK;
}

static int
j_number(struct jp *j, msgpack_object *o)
{
	const char *q = j->p;
	char tmp[64];
	int isfloat = 0, neg = 0;
	size_t n;
	char *e;

	if (q < j->end && *q == '-')
		neg = 1, q++;
	while (q < j->end && ((*q >= '0' && *q <= '9') || *q == '.' ||
	    *q == 'e' || *q == 'E' || *q == '+' || *q == '-')) {
		if (*q == '.' || *q == 'e' || *q == 'E')
			isfloat = 1;
		q++;
	}
	if (q == j->end)
		return J_MORE;
	n = (size_t)(q - j->p);
	if (n == (size_t)neg || n >= sizeof(tmp))
		return j_bad(j, "bad number");
	memcpy(tmp, j->p, n);
	tmp[n] = '\0';
	errno = 0;
	if (isfloat) {
		o->type = MSGPACK_OBJECT_FLOAT64;
		o->via.f64 = strtod(tmp, &e);
	} else if (neg) {
		o->type = MSGPACK_OBJECT_NEGATIVE_INTEGER;
		o->via.i64 = strtoll(tmp, &e, 10);
		if (o->via.i64 == 0)
			o->type = MSGPACK_OBJECT_POSITIVE_INTEGER;
	} else {
		o->type = MSGPACK_OBJECT_POSITIVE_INTEGER;
		o->via.u64 = strtoull(tmp, &e, 10);
	}
	if (*e != '\0' || errno == ERANGE)
		return j_bad(j, "bad number");
	j->p = q;
	return J_OK;
}

/* A string at a known bytes or address key becomes bytes again. */
static int
j_to_bytes(struct jp *j, msgpack_object *o, enum key_type t,
    const char *start)
{
	const char *s = o->via.str.ptr;
	size_t n = o->via.str.size, i;
	uint8_t addr[64], *buf;
	int len = -1, hi, lo;

	if (t == KT_ADDR) {
		/* put_value() writes an empty or over-long one as plain hex */
		len = addr_parse(s, n, addr);
		if (len < 0 && (memchr(s, ':', n) || memchr(s, '.', n))) {
			j->p = start;
			return j_bad(j, "not an address");
		}
	}
	if (t == KT_ADDR && len >= 0) {
		if ((buf = j_alloc(j, (size_t)len)) == NULL)
			return j_bad(j, "out of memory");
		memcpy(buf, addr, (size_t)len);
		o->type = MSGPACK_OBJECT_BIN;
		o->via.bin.ptr = (const char *)buf;
		o->via.bin.size = (uint32_t)len;
		return J_OK;
	}
	if (n % 2 != 0 || (buf = j_alloc(j, n / 2)) == NULL) {
		j->p = start;
		return j_bad(j, "bytes must be an even number of hex digits");
	}
	for (i = 0; i < n; i += 2) {
		if ((hi = hexval(s[i])) < 0 || (lo = hexval(s[i + 1])) < 0) {
			j->p = start;
			return j_bad(j, "bytes must be hex digits");
		}
		buf[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	o->type = MSGPACK_OBJECT_BIN;
	o->via.bin.ptr = (const char *)buf;
	o->via.bin.size = (uint32_t)(n / 2);
	return J_OK;
}

static int
j_space(const char *p)
{
	return *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r';
}

/*
 * The record type, as an IN_ bit, of a record whose first key is not
 * "type" (nm writes it first; jq -S sorts it among the others): a scan of
 * the object's top level at p for "type" and its string.  IN_ALL when it
 * is not there as plain text (the object cut short, the key escaped, the
 * value not a string): every known key is then taken for known, and the
 * record is checked once read.
 */
static unsigned
j_scan_type(const char *p, const char *end)
{
	const char *q;
	int depth = 0, key = 0;

	for (; p < end; p++) {
		if (*p == '{' || *p == '[') {
			depth++;
			key = *p == '{' && depth == 1;
		} else if (*p == '}' || *p == ']') {
			if (--depth == 0)
				break;
		} else if (*p == ',')
			key = depth == 1;
		else if (*p == '"') {
			for (q = p + 1; q < end && *q != '"'; q++)
				if (*q == '\\' && ++q == end)
					break;
			if (q >= end)
				break;
			if (key && q - p == 5 &&
			    memcmp(p + 1, "type", 4) == 0) {
				for (p = q + 1; p < end && j_space(p); p++)
					;
				if (p == end || *p++ != ':')
					break;
				for (; p < end && j_space(p); p++)
					;
				if (p == end || *p++ != '"')
					break;
				for (q = p; q < end && *q != '"' &&
				    *q != '\\'; q++)
					;
				if (q == end || *q != '"')
					break;
				return REC_IN(rec_type_of(p, (size_t)(q - p)));
			}
			key = 0;
			p = q;
		}
	}
	return IN_ALL;
}

/* parent is the schema id of this object (0: the record, -1: unknown). */
static int
j_object(struct jp *j, msgpack_object *o, int parent, int depth)
{
	msgpack_object_kv *kv = NULL, *nkv;
	uint32_t n = 0, cap = 0;
	enum key_type t, elem;
	const char *ks, *start = j->p;
	size_t kn;
	int r, id, istype;

	j->p++;
	for (;;) {
		j_ws(j);
		if (j->p == j->end)
			return J_MORE;
		if (*j->p == '}' && n == 0)
			break;
		if (*j->p != '"')
			return j_bad(j, "expected a key string");
		if ((r = j_string(j, &ks, &kn)) != J_OK)
			return r;
		j_ws(j);
		if (j->p == j->end)
			return J_MORE;
		if (*j->p != ':')
			return j_bad(j, "expected ':'");
		j->p++;
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			if (cap > REC_MAX_SIZE / 2 ||
			    (nkv = j_alloc(j, cap * sizeof(*kv))) == NULL)
				return j_bad(j, "object too large");
			if (n)
				memcpy(nkv, kv, n * sizeof(*kv));
			kv = nkv;
		}
		kv[n].key.type = MSGPACK_OBJECT_STR;
		kv[n].key.via.str.ptr = ks;
		kv[n].key.via.str.size = (uint32_t)kn;
		t = KT_NONE;
		/* a record's keys are known only in its type, said first */
		istype = parent == 0 && n == 0 && kn == 4 &&
		    memcmp(ks, "type", 4) == 0;
		if (parent == 0 && n == 0)
			j->in = istype ? IN_ALL : j_scan_type(start, j->end);
		id = parent >= 0 ? rec_key_find_in(parent, parent == 0 ? j->in :
		    IN_ALL, ks, kn, &t, &elem) : 0;
		if (id == 0)
			id = -1;
		if (t == KT_ARRAY)
			t = elem;
		if ((r = j_value(j, &kv[n].val, id, t, depth + 1)) != J_OK)
			return r;
		if (istype && kv[n].val.type == MSGPACK_OBJECT_STR)
			j->in = REC_IN(rec_type_of(kv[n].val.via.str.ptr,
			    kv[n].val.via.str.size));
		n++;
		j_ws(j);
		if (j->p == j->end)
			return J_MORE;
		if (*j->p == '}')
			break;
		if (*j->p != ',')
			return j_bad(j, "expected ',' or '}'");
		j->p++;
	}
	j->p++;
	o->type = MSGPACK_OBJECT_MAP;
	o->via.map.size = n;
	o->via.map.ptr = kv;
	return J_OK;
}

static int
j_array(struct jp *j, msgpack_object *o, int id, enum key_type t, int depth)
{
	msgpack_object *a = NULL, *na;
	uint32_t n = 0, cap = 0;
	int r;

	j->p++;
	for (;;) {
		j_ws(j);
		if (j->p == j->end)
			return J_MORE;
		if (*j->p == ']' && n == 0)
			break;
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			if (cap > REC_MAX_SIZE ||
			    (na = j_alloc(j, cap * sizeof(*a))) == NULL)
				return j_bad(j, "array too large");
			if (n)
				memcpy(na, a, n * sizeof(*a));
			a = na;
		}
		if ((r = j_value(j, &a[n], id, t, depth + 1)) != J_OK)
			return r;
		n++;
		j_ws(j);
		if (j->p == j->end)
			return J_MORE;
		if (*j->p == ']')
			break;
		if (*j->p != ',')
			return j_bad(j, "expected ',' or ']'");
		j->p++;
	}
	j->p++;
	o->type = MSGPACK_OBJECT_ARRAY;
	o->via.array.size = n;
	o->via.array.ptr = a;
	return J_OK;
}

static int
j_value(struct jp *j, msgpack_object *o, int id, enum key_type t, int depth)
{
	const char *start;
	size_t sn;
	int r;

	if (depth > REC_MAX_DEPTH)
		return j_bad(j, "nesting deeper than the limit");
	j_ws(j);
	if (j->p == j->end)
		return J_MORE;
	switch (*j->p) {
	case '{':
		return j_object(j, o, id, depth);
	case '[':
		return j_array(j, o, id, t, depth);
	case '"':
		start = j->p;
		o->type = MSGPACK_OBJECT_STR;
		if ((r = j_string(j, &o->via.str.ptr, &sn)) != J_OK)
			return r;
		o->via.str.size = (uint32_t)sn;
		if (t == KT_ADDR || t == KT_BIN)
			return j_to_bytes(j, o, t, start);
		return J_OK;
	case 't':
		o->type = MSGPACK_OBJECT_BOOLEAN;
		o->via.boolean = 1;
		return j_lit(j, "true");
	case 'f':
		o->type = MSGPACK_OBJECT_BOOLEAN;
		o->via.boolean = 0;
		return j_lit(j, "false");
	case 'n':
		o->type = MSGPACK_OBJECT_NIL;
		return j_lit(j, "null");
	default:
		if (*j->p == '-' || (*j->p >= '0' && *j->p <= '9')) {
			if ((r = j_number(j, o)) != J_OK)
				return r;
			/*
			 * jq 1.6 and JavaScript hold numbers as doubles and
			 * print a nanosecond timestamp as 1.7e+18: take an
			 * integral float where an integer is known to go.
			 */
			if ((t == KT_UINT || t == KT_INT) &&
			    o->type == MSGPACK_OBJECT_FLOAT64 &&
			    o->via.f64 >= 0 && o->via.f64 < 18446744073709551616.0 &&
			    o->via.f64 == floor(o->via.f64)) {
				o->type = MSGPACK_OBJECT_POSITIVE_INTEGER;
				o->via.u64 = (uint64_t)o->via.f64;
			}
			return J_OK;
		}
		return j_bad(j, "unexpected character");
	}
}

long
json_parse(const char *p, size_t n, msgpack_zone *zone, msgpack_object *out,
    size_t *erroff, char *why, size_t whylen)
{
	struct jp j;
	int r;

	memset(&j, 0, sizeof(j));
	j.s = j.p = p;
	j.end = p + n;
	j.zone = zone;
	if (n > 0 && *p != '{') {
		*erroff = 0;
		snprintf(why, whylen, "a record must be a JSON object");
		return -1;
	}
	r = j_value(&j, out, 0, KT_NONE, 1);
	if (r == J_MORE)
		return 0;
	if (r == J_BAD) {
		*erroff = (size_t)((j.where ? j.where : j.p) - p);
		snprintf(why, whylen, "JSON: %s", j.why);
		return -1;
	}
	return (long)(j.p - p);
}
