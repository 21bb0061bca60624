/*
 * The JSON reader (json.h): one JSON object into a msgpack_object tree
 * in a zone, the tree the msgpack reader gives, with the text of known
 * address and byte keys (REC_KEYS) turned back into bytes.  Its input is
 * whatever arrives on a stage's stdin, so it trusts nothing: every byte is
 * read through the bounds-checked cursor (cur.h), a string's escapes only
 * inside the string, nesting is capped at REC_MAX_DEPTH containers,
 * containers grow in bounded steps, and each refusal names its reason and
 * offset.  It says "more" when the object is not all there yet, so the
 * stream reader can feed it as bytes arrive.  What it makes of text is
 * valid UTF-8 wherever the text was: an escaped surrogate that is not half
 * of a pair becomes U+FFFD (nm-records(5)).
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "cur.h"
#include "json.h"
#include "rec.h"

struct jp {
	struct cur c;	      /* what is left of the input */
	const uint8_t *start; /* the first byte, for offsets */
	msgpack_zone *zone;
	size_t packed;	      /* the record's msgpack bytes so far */
	const char *why;      /* once J_BAD: what was wrong, and */
	const uint8_t *where; /* ...where */
	unsigned in;	      /* the record's type, as an IN_ bit */
};

enum { J_MORE = 0, J_OK = 1, J_BAD = -1 };

static int j_value(struct jp *, msgpack_object *, int, enum key_type, int);

/* Refuses the input at byte at (NULL: where the cursor is). */
static int
j_bad(struct jp *j, const uint8_t *at, const char *why)
{
	j->why = why;
	j->where = at != NULL ? at : j->c.p;
	return J_BAD;
}

/*
 * The bytes o takes in msgpack, in the shortest form (as nm's packer and
 * msgpack-c write it); of a map or an array only the header, its members
 * being counted as they are read.
 */
static inline size_t
mp_size(const msgpack_object *o)
{
	uint64_t n;
	int64_t v;

	switch (o->type) {
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		n = o->via.u64;
		return n <= 0x7f       ? 1
		    : n <= 0xff	       ? 2
		    : n <= 0xffff      ? 3
		    : n <= 0xffffffffu ? 5
				       : 9;
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		v = o->via.i64;
		return v >= -32	     ? 1
		    : v >= INT8_MIN  ? 2
		    : v >= INT16_MIN ? 3
		    : v >= INT32_MIN ? 5
				     : 9;
	case MSGPACK_OBJECT_STR:
		n = o->via.str.size;
		return n + (n <= 31 ? 1 : n <= 0xff ? 2 : n <= 0xffff ? 3 : 5);
	case MSGPACK_OBJECT_BIN:
		n = o->via.bin.size;
		return n + (n <= 0xff ? 2 : n <= 0xffff ? 3 : 5);
	case MSGPACK_OBJECT_ARRAY:
	case MSGPACK_OBJECT_MAP:
		n = o->type == MSGPACK_OBJECT_MAP ? o->via.map.size
						  : o->via.array.size;
		return n <= 15 ? 1 : n <= 0xffff ? 3 : 5;
	case MSGPACK_OBJECT_NIL:
	case MSGPACK_OBJECT_BOOLEAN: return 1;
	default: return 9; /* a float: always a double */
	}
}

/*
 * Counts o's msgpack bytes into the record's: a JSON line within the limit
 * can hold a record that is not ("[1e9,1e9]": 4 bytes each, 9 in
 * msgpack), which the next stage reading the msgpack would refuse.
 */
static inline int
j_count(struct jp *j, const msgpack_object *o, const uint8_t *at)
{
	j->packed += mp_size(o);
	if (j->packed > REC_MAX_SIZE)
		return j_bad(j, at, "record larger than the limit in msgpack");
	return J_OK;
}

/* The next byte, or -1 at the end of what has arrived. */
static int
j_peek(const struct jp *j)
{
	return cur_peek(&j->c, 0);
}

static inline void
j_ws(struct jp *j)
{
	size_t n = cur_left(&j->c), i = 0;
	const uint8_t *v = cur_view(&j->c, n);

	if (v == NULL || n == 0 || v[0] > ' ')
		return; /* compact JSON: one look */
	while (i < n &&
	    (v[i] == ' ' || v[i] == '\t' || v[i] == '\n' || v[i] == '\r'))
		i++;
	cur_skip(&j->c, i);
}

static void *
j_alloc(struct jp *j, size_t n)
{
	return msgpack_zone_malloc(j->zone, n ? n : 1);
}

static int
j_lit(struct jp *j, const char *lit)
{
	size_t i, n = strlen(lit);
	int ch;

	for (i = 0; i < n; i++) {
		if ((ch = cur_peek(&j->c, i)) == -1)
			return J_MORE;
		if (ch != lit[i])
			return j_bad(j, j->c.p + i, "unexpected character");
	}
	cur_skip(&j->c, n);
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

/* Four hex digits from the string's cursor s; -1 when they are not. */
static int
j_hex4(struct cur *s, unsigned *v)
{
	int i, h;

	*v = 0;
	for (i = 0; i < 4; i++) {
		if ((h = addr_hexval(cur_peek(s, 0))) < 0)
			return -1;
		cur_skip(s, 1);
		*v = *v << 4 | (unsigned)h;
	}
	return 0;
}

/*
 * A \u escape, s just past the 'u': the code point, a surrogate pair
 * joined, and U+FFFD for a surrogate that is not half of a pair (its
 * UTF-8 would not be valid UTF-8).  -1 when the digits are not all there.
 */
static int
j_escape_u(struct cur *s, unsigned *cp)
{
	struct cur t;
	unsigned lo;

	if (j_hex4(s, cp) == -1)
		return -1;
	if (*cp < 0xd800 || *cp > 0xdfff)
		return 0;
	t = *s;
	if (*cp < 0xdc00 && cur_u8(&t) == '\\' && cur_u8(&t) == 'u' &&
	    j_hex4(&t, &lo) == 0 && lo >= 0xdc00 && lo <= 0xdfff) {
		*cp = 0x10000 + ((*cp - 0xd800) << 10) + (lo - 0xdc00);
		*s = t;
	} else
		*cp = 0xfffd;
	return 0;
}

/*
 * Parses a string (the cursor at its quote) into zone memory: first finds
 * its end in the bytes there are, so that the escapes are then read
 * inside the string only and the copy needs one allocation.
 */
static int
j_string(struct jp *j, const char **out, size_t *outlen)
{
	const uint8_t *at, *v;
	size_t i, n, o = 0;
	int ch, esc = 0;
	struct cur s;
	unsigned cp;
	char *buf;

	/* the bytes so far, in place: most strings are short and plain */
	n = cur_left(&j->c);
	if ((v = cur_view(&j->c, n)) == NULL)
		return J_MORE;
	for (i = 1; i < n && v[i] != '"'; i++) {
		if (v[i] < 0x20)
			return j_bad(j, v + i, "control character in string");
		if (v[i] == '\\') {
			esc = 1;
			i++; /* the escaped byte, checked when decoded */
		}
	}
	if (i >= n)
		return J_MORE;
	cur_skip(&j->c, 1);
	cur_take(&j->c, i - 1, &s);
	cur_skip(&j->c, 1);
	/* an escape never takes more bytes than it stands for */
	if ((buf = j_alloc(j, cur_left(&s))) == NULL)
		return j_bad(j, NULL, "out of memory");
	if (!esc) {
		memcpy(buf, cur_ptr(&s, i - 1), i - 1);
		*out = buf;
		*outlen = i - 1;
		return J_OK;
	}
	while (cur_left(&s) > 0) {
		if ((ch = cur_u8(&s)) != '\\') {
			buf[o++] = (char)ch;
			continue;
		}
		at = s.p - 1;
		switch (ch = cur_u8(&s)) {
		case '"':
		case '\\':
		case '/': buf[o++] = (char)ch; break;
		case 'b': buf[o++] = '\b'; break;
		case 'f': buf[o++] = '\f'; break;
		case 'n': buf[o++] = '\n'; break;
		case 'r': buf[o++] = '\r'; break;
		case 't': buf[o++] = '\t'; break;
		case 'u':
			if (j_escape_u(&s, &cp) == -1)
				return j_bad(j, at,
				    "\\u escape without "
				    "four hex digits");
			utf8_put(buf, &o, cp);
			break;
		default: return j_bad(j, at, "bad escape in string");
		}
	}
	*out = buf;
	*outlen = o;
	return J_OK;
}

/*
 * A number: an integer when it has no fraction or exponent and fits 64
 * bits, else a double.  A double too small for the format reads as the
 * nearest one (a subnormal, or 0), as JSON parsers do; only one too large
 * for any double is refused.
 */
static int
j_number(struct jp *j, msgpack_object *o)
{
	char tmp[64], *e;
	int isfloat = 0, ch;
	size_t n = 0;

	while ((ch = cur_peek(&j->c, n)) != -1 &&
	    ((ch >= '0' && ch <= '9') || ch == '.' || ch == 'e' || ch == 'E' ||
		ch == '+' || ch == '-')) {
		isfloat |= ch == '.' || ch == 'e' || ch == 'E';
		if (n == sizeof(tmp) - 1)
			return j_bad(j, NULL, "number too long");
		tmp[n++] = (char)ch;
	}
	if (ch == -1)
		return J_MORE;
	tmp[n] = '\0';
	if (n == (tmp[0] == '-' ? 1u : 0u))
		return j_bad(j, NULL, "bad number");
	errno = 0;
	e = tmp;
	if (!isfloat && tmp[0] == '-') {
		o->type = MSGPACK_OBJECT_NEGATIVE_INTEGER;
		o->via.i64 = strtoll(tmp, &e, 10);
		if (o->via.i64 == 0)
			o->type = MSGPACK_OBJECT_POSITIVE_INTEGER;
	} else if (!isfloat) {
		o->type = MSGPACK_OBJECT_POSITIVE_INTEGER;
		o->via.u64 = strtoull(tmp, &e, 10);
	}
	if (isfloat || (*e == '\0' && errno == ERANGE)) {
		errno = 0;
		o->type = MSGPACK_OBJECT_FLOAT64;
		o->via.f64 = strtod(tmp, &e);
		if (errno == ERANGE && isinf(o->via.f64))
			return j_bad(j, NULL, "number out of range");
	}
	if (*e != '\0')
		return j_bad(j, NULL, "bad number");
	cur_skip(&j->c, n);
	return J_OK;
}

/* A string at a known bytes or address key becomes bytes again. */
static int
j_to_bytes(struct jp *j, msgpack_object *o, enum key_type t, const uint8_t *at)
{
	const char *s = o->via.str.ptr;
	size_t n = o->via.str.size, i;
	uint8_t addr[ADDR_MAX], *buf;
	int len = -1, hi, lo;

	if (t == KT_ADDR) {
		/* put_value() writes an empty or over-long one as plain hex */
		len = addr_parse(s, n, addr);
		if (len < 0 && (memchr(s, ':', n) || memchr(s, '.', n)))
			return j_bad(j, at, "not an address");
	}
	if (len < 0 && n % 2 != 0)
		return j_bad(j, at,
		    "bytes must be an even number of hex "
		    "digits");
	if ((buf = j_alloc(j, len >= 0 ? (size_t)len : n / 2)) == NULL)
		return j_bad(j, at, "out of memory");
	if (len >= 0)
		memcpy(buf, addr, (size_t)len);
	for (i = 0; len < 0 && i < n; i += 2) {
		if ((hi = addr_hexval(s[i])) < 0 ||
		    (lo = addr_hexval(s[i + 1])) < 0)
			return j_bad(j, at, "bytes must be hex digits");
		buf[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	o->type = MSGPACK_OBJECT_BIN;
	o->via.bin.ptr = (const char *)buf;
	o->via.bin.size = (uint32_t)(len >= 0 ? (size_t)len : n / 2);
	return J_OK;
}

/*
 * After a member of an object or array: J_OK on a ',' (stepped over), 1 +
 * J_OK on the closing byte (stepped over), J_MORE, or J_BAD.
 */
static int
j_next(struct jp *j, int close, const char *why)
{
	int ch;

	j_ws(j);
	if ((ch = j_peek(j)) == -1)
		return J_MORE;
	cur_skip(&j->c, 1);
	if (ch == ',')
		return J_OK;
	if (ch == close)
		return J_OK + 1;
	return j_bad(j, j->c.p - 1, why);
}

/*
 * The record type, as an IN_ bit, of a record whose first key is not
 * "type" (nm writes it first; jq -S sorts it among the others): a scan,
 * through a copy of the cursor c at the object's '{', of its top level for
 * "type" and its string.  IN_ALL when it is not there as plain text (the
 * object cut short, the key escaped, the value not a string): every known
 * key is then taken for known, and the record is checked once read.
 */
static unsigned
j_scan_type(struct cur c)
{
	const uint8_t *name;
	size_t n;
	int depth = 0, key = 0, ch;

	while ((ch = cur_peek(&c, 0)) != -1) {
		cur_skip(&c, 1);
		if (ch == '{' || ch == '[') {
			depth++;
			key = ch == '{' && depth == 1;
		} else if (ch == '}' || ch == ']') {
			if (--depth == 0)
				break;
		} else if (ch == ',')
			key = depth == 1;
		else if (ch == '"') {
			/* a string: its bytes up to the closing quote */
			for (n = 0; (ch = cur_peek(&c, n)) != -1 && ch != '"';
			     n++)
				if (ch == '\\' && cur_peek(&c, ++n) == -1)
					return IN_ALL;
			if (ch == -1)
				break;
			name = cur_ptr(&c, n);
			cur_skip(&c, 1);
			if (!key || n != 4 || memcmp(name, "type", 4) != 0) {
				key = 0;
				continue;
			}
			while ((ch = cur_peek(&c, 0)) == ' ' || ch == '\t' ||
			    ch == '\n' || ch == '\r')
				cur_skip(&c, 1);
			if (ch != ':')
				break;
			cur_skip(&c, 1);
			while ((ch = cur_peek(&c, 0)) == ' ' || ch == '\t' ||
			    ch == '\n' || ch == '\r')
				cur_skip(&c, 1);
			if (ch != '"')
				break;
			cur_skip(&c, 1);
			for (n = 0; (ch = cur_peek(&c, n)) != -1 && ch != '"' &&
			     ch != '\\';
			     n++)
				;
			if (ch != '"')
				break;
			return REC_IN(
			    rec_type_of((const char *)cur_ptr(&c, n), n));
		}
	}
	return IN_ALL;
}

/*
 * An object, the cursor at its '{', nested depth containers deep (the
 * record is 1).  parent is its schema id (0: the record, -1: unknown).
 */
static int
j_object(struct jp *j, msgpack_object *o, int parent, int depth)
{
	msgpack_object_kv *kv = NULL, *nkv;
	uint32_t n = 0, cap = 0;
	enum key_type t, elem;
	const char *ks;
	struct cur start = j->c;
	size_t kn;
	int r, id, istype;

	if (depth > REC_MAX_DEPTH)
		return j_bad(j, NULL, "nesting deeper than the limit");
	cur_skip(&j->c, 1);
	j_ws(j);
	if (j_peek(j) == '}') {
		cur_skip(&j->c, 1);
		r = J_OK + 1;
	} else
		r = J_OK;
	while (r == J_OK) {
		j_ws(j);
		if (j_peek(j) == -1)
			return J_MORE;
		if (j_peek(j) != '"')
			return j_bad(j, NULL, "expected a key string");
		if ((r = j_string(j, &ks, &kn)) != J_OK)
			return r;
		j_ws(j);
		if (j_peek(j) == -1)
			return J_MORE;
		if (j_peek(j) != ':')
			return j_bad(j, NULL, "expected ':'");
		cur_skip(&j->c, 1);
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			if (cap > REC_MAX_SIZE / 2 ||
			    (nkv = j_alloc(j, cap * sizeof(*kv))) == NULL)
				return j_bad(j, NULL, "object too large");
			if (n)
				memcpy(nkv, kv, n * sizeof(*kv));
			kv = nkv;
		}
		kv[n].key.type = MSGPACK_OBJECT_STR;
		kv[n].key.via.str.ptr = ks;
		kv[n].key.via.str.size = (uint32_t)kn;
		if ((r = j_count(j, &kv[n].key, NULL)) != J_OK)
			return r;
		t = KT_NONE;
		/* a record's keys are known only in its type, said first */
		istype = parent == 0 && n == 0 && kn == 4 &&
		    memcmp(ks, "type", 4) == 0;
		if (parent == 0 && n == 0)
			j->in = istype ? IN_ALL : j_scan_type(start);
		id = parent >= 0
		    ? rec_key_find_in(parent, parent == 0 ? j->in : IN_ALL, ks,
			  kn, &t, &elem)
		    : 0;
		if (id == 0)
			id = -1;
		if (t == KT_ARRAY)
			t = elem;
		if ((r = j_value(j, &kv[n].val, id, t, depth)) != J_OK)
			return r;
		if (istype && kv[n].val.type == MSGPACK_OBJECT_STR)
			j->in = REC_IN(rec_type_of(
			    kv[n].val.via.str.ptr, kv[n].val.via.str.size));
		n++;
		if ((r = j_next(j, '}', "expected ',' or '}'")) < J_OK)
			return r;
	}
	o->type = MSGPACK_OBJECT_MAP;
	o->via.map.size = n;
	o->via.map.ptr = kv;
	return J_OK;
}

/* An array, the cursor at its '['; id, t: its elements' schema id, type. */
static int
j_array(struct jp *j, msgpack_object *o, int id, enum key_type t, int depth)
{
	msgpack_object *a = NULL, *na;
	uint32_t n = 0, cap = 0;
	int r;

	if (depth > REC_MAX_DEPTH)
		return j_bad(j, NULL, "nesting deeper than the limit");
	cur_skip(&j->c, 1);
	j_ws(j);
	if (j_peek(j) == ']') {
		cur_skip(&j->c, 1);
		r = J_OK + 1;
	} else
		r = J_OK;
	while (r == J_OK) {
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			if (cap > REC_MAX_SIZE ||
			    (na = j_alloc(j, cap * sizeof(*a))) == NULL)
				return j_bad(j, NULL, "array too large");
			if (n)
				memcpy(na, a, n * sizeof(*a));
			a = na;
		}
		if ((r = j_value(j, &a[n], id, t, depth)) != J_OK)
			return r;
		n++;
		if ((r = j_next(j, ']', "expected ',' or ']'")) < J_OK)
			return r;
	}
	o->type = MSGPACK_OBJECT_ARRAY;
	o->via.array.size = n;
	o->via.array.ptr = a;
	return J_OK;
}

/* j_value's parse, uncounted. */
static int
j_parse(struct jp *j, msgpack_object *o, int id, enum key_type t, int depth)
{
	const uint8_t *at;
	size_t sn;
	int r;

	j_ws(j);
	at = j->c.p;
	switch (j_peek(j)) {
	case -1: return J_MORE;
	case '{': return j_object(j, o, id, depth + 1);
	case '[': return j_array(j, o, id, t, depth + 1);
	case '"':
		o->type = MSGPACK_OBJECT_STR;
		if ((r = j_string(j, &o->via.str.ptr, &sn)) != J_OK)
			return r;
		o->via.str.size = (uint32_t)sn;
		if (t == KT_ADDR || t == KT_BIN)
			return j_to_bytes(j, o, t, at);
		return J_OK;
	case 't':
		o->type = MSGPACK_OBJECT_BOOLEAN;
		o->via.boolean = 1;
		return j_lit(j, "true");
	case 'f':
		o->type = MSGPACK_OBJECT_BOOLEAN;
		o->via.boolean = 0;
		return j_lit(j, "false");
	case 'n': o->type = MSGPACK_OBJECT_NIL; return j_lit(j, "null");
	case '-':
	case '0':
	case '1':
	case '2':
	case '3':
	case '4':
	case '5':
	case '6':
	case '7':
	case '8':
	case '9':
		if ((r = j_number(j, o)) != J_OK)
			return r;
		/*
		 * jq 1.6 and JavaScript hold numbers as doubles and print a
		 * nanosecond timestamp as 1.7e+18: take an integral float
		 * where an integer is known to go.
		 */
		if ((t == KT_UINT || t == KT_INT) &&
		    o->type == MSGPACK_OBJECT_FLOAT64 && o->via.f64 >= 0 &&
		    o->via.f64 < 18446744073709551616.0 &&
		    o->via.f64 == floor(o->via.f64)) {
			o->type = MSGPACK_OBJECT_POSITIVE_INTEGER;
			o->via.u64 = (uint64_t)o->via.f64;
		}
		return J_OK;
	default: return j_bad(j, NULL, "unexpected character");
	}
}

/* A value inside a container that is depth containers deep. */
static int
j_value(struct jp *j, msgpack_object *o, int id, enum key_type t, int depth)
{
	const uint8_t *at;
	int r;

	j_ws(j);
	at = j->c.p;
	if ((r = j_parse(j, o, id, t, depth)) != J_OK)
		return r;
	return j_count(j, o, at);
}

long
json_parse(const char *p, size_t n, msgpack_zone *zone, msgpack_object *out,
    size_t *erroff, char *why, size_t whylen)
{
	struct jp j;
	int r;

	memset(&j, 0, sizeof(j));
	j.c = cur_make(p, n);
	j.start = j.c.p;
	j.zone = zone;
	if (j_peek(&j) != -1 && j_peek(&j) != '{') {
		*erroff = 0;
		snprintf(why, whylen, "a record must be a JSON object");
		return -1;
	}
	r = j_value(&j, out, 0, KT_NONE, 0);
	if (r == J_MORE)
		return 0;
	if (r == J_BAD) {
		*erroff = (size_t)(j.where - j.start);
		snprintf(why, whylen, "JSON: %s", j.why);
		return -1;
	}
	return (long)(j.c.p - j.start);
}
