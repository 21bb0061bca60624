/*
 * The JSON reader (json.h): one JSON object into a msgpack_object tree
 * in a zone, the tree the msgpack reader gives, with the text of known
 * address and byte keys (REC_KEYS) turned back into bytes.  Its input is
 * whatever arrives on a stage's stdin, so it trusts nothing: every byte is
 * read inside [p, end), nesting is capped at REC_MAX_DEPTH, containers
 * grow in bounded steps, and each refusal names its reason and offset.
 * It says "more" when the object is not all there yet, so the stream
 * reader can feed it as bytes arrive.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "json.h"
#include "rec.h"

struct jp {
	const char	*s, *p, *end;
	msgpack_zone	*zone;
	const char	*why;
	const char	*where;
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
		if ((h = addr_hexval(q[i])) < 0)
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
	uint8_t addr[ADDR_MAX], *buf;
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
		if ((hi = addr_hexval(s[i])) < 0 || (lo = addr_hexval(s[i + 1])) < 0) {
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

/* parent is the schema id of this object (0: the record, -1: unknown). */
static int
j_object(struct jp *j, msgpack_object *o, int parent, int depth)
{
	msgpack_object_kv *kv = NULL, *nkv;
	uint32_t n = 0, cap = 0;
	enum key_type t, elem;
	const char *ks;
	size_t kn;
	int r, id;

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
		id = parent >= 0 ? rec_key_find(parent, ks, kn, &t, &elem) : 0;
		if (id == 0)
			id = -1;
		if (t == KT_ARRAY)
			t = elem;
		if ((r = j_value(j, &kv[n].val, id, t, depth + 1)) != J_OK)
			return r;
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
