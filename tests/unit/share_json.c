/*
 * Unit tests of the JSON writer and reader (share/jsonw.c, share/jsonr.c)
 * called directly: escapes cut short, numbers JSON allows (subnormal
 * floats, integers past 64 bits), strings that are not UTF-8 on the way
 * out and surrogate escapes on the way in, the nesting limit counted the
 * way nm-records(5) states it, the line limit the writer keeps to, and
 * the msgpack limit a JSON record is held to.
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "nm.h"
#include "fuzz.h"
#include "rec.h"

#include "check.h"

static msgpack_zone zone;

/* Parses all of s; returns what json_parse returned, the error in why. */
static long
parse(const char *s, size_t n, msgpack_object *o, char *why, size_t whylen)
{
	size_t erroff = 0;

	msgpack_zone_clear(&zone);
	why[0] = '\0';
	return json_parse(s, n, &zone, o, &erroff, why, whylen);
}

/* The value of key k in the object s: NULL when s does not parse. */
static const msgpack_object *
value_of(const char *s, const char *k)
{
	static msgpack_object o;
	char why[200];

	if (parse(s, strlen(s), &o, why, sizeof(why)) <= 0) {
		printf("  %s: %s\n", s, why);
		return NULL;
	}
	return rec_get(&o, k);
}

static int
str_is(const msgpack_object *v, const char *want, size_t n)
{
	return v != NULL && v->type == MSGPACK_OBJECT_STR &&
	    v->via.str.size == n && memcmp(v->via.str.ptr, want, n) == 0;
}

/* Defect: a \u escape cut short said "JSON: (null)". */
static void
test_short_escape(void)
{
	static const char *cut[] = {
		"{\"s\":\"\\u\"}", "{\"s\":\"\\u1\"}", "{\"s\":\"\\u12\"}",
		"{\"s\":\"\\u123\"}", "{\"s\":\"x\\u12\"}",
		"{\"s\":\"\\ud800\\u12\"}", NULL
	};
	msgpack_object o;
	char why[200], name[100];
	long r;
	int i;

	for (i = 0; cut[i] != NULL; i++) {
		r = parse(cut[i], strlen(cut[i]), &o, why, sizeof(why));
		snprintf(name, sizeof(name), "escape cut short refused with "
		    "its reason: %s", cut[i]);
		CHECK(name, r == -1 && strstr(why, "(null)") == NULL &&
		    strstr(why, "\\u escape") != NULL);
		if (r != -1 || strstr(why, "\\u escape") == NULL)
			printf("  got %ld: %s\n", r, why);
	}
	/* an escape that is only not all here yet is more to read */
	r = parse("{\"s\":\"\\u12", 10, &o, why, sizeof(why));
	CHECK("an escape at the end of the bytes so far asks for more",
	    r == 0);
}

/* Numbers JSON allows and nm writes: subnormals, big integers. */
static void
test_numbers(void)
{
	const msgpack_object *v;
	struct strbuf b = { 0 };
	msgpack_object o, back;
	msgpack_object_kv kv[2];
	char why[200];

	v = value_of("{\"x\":1e-310}", "x");
	CHECK("1e-310 (a subnormal) is read", v != NULL &&
	    v->type == MSGPACK_OBJECT_FLOAT64 && v->via.f64 == 1e-310);
	v = value_of("{\"x\":-4.9406564584124654e-324}", "x");
	CHECK("the smallest subnormal is read", v != NULL &&
	    v->type == MSGPACK_OBJECT_FLOAT64 && v->via.f64 == -DBL_TRUE_MIN);
	v = value_of("{\"x\":1e-400}", "x");
	CHECK("a number below the smallest subnormal reads as 0",
	    v != NULL && v->type == MSGPACK_OBJECT_FLOAT64 &&
	    v->via.f64 == 0);
	CHECK("1e400 is refused: no double holds it",
	    parse("{\"x\":1e400}", 11, &o, why, sizeof(why)) == -1 &&
	    strstr(why, "out of range") != NULL);
	v = value_of("{\"x\":18446744073709551616}", "x");
	CHECK("an integer past 64 bits reads as a float", v != NULL &&
	    v->type == MSGPACK_OBJECT_FLOAT64 &&
	    v->via.f64 == 18446744073709551616.0);
	v = value_of("{\"x\":-9223372036854775809}", "x");
	CHECK("a negative integer past 64 bits reads as a float", v != NULL &&
	    v->type == MSGPACK_OBJECT_FLOAT64 && v->via.f64 < -9.2e18);
	v = value_of("{\"x\":-9223372036854775808}", "x");
	CHECK("the least 64-bit integer stays an integer", v != NULL &&
	    v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER &&
	    v->via.i64 == INT64_MIN);

	/* what the writer makes of a subnormal reads back the same */
	kv[0].key.type = MSGPACK_OBJECT_STR;
	kv[0].key.via.str.ptr = "type";
	kv[0].key.via.str.size = 4;
	kv[0].val = kv[0].key;
	kv[1].key = kv[0].key;
	kv[1].key.via.str.ptr = "x";
	kv[1].key.via.str.size = 1;
	kv[1].val.type = MSGPACK_OBJECT_FLOAT64;
	kv[1].val.via.f64 = DBL_TRUE_MIN * 3;
	o.type = MSGPACK_OBJECT_MAP;
	o.via.map.size = 2;
	o.via.map.ptr = kv;
	CHECK("a subnormal is written", json_write(&b, &o) == 0);
	CHECK("a subnormal written reads back the same",
	    parse(b.p, b.len, &back, why, sizeof(why)) > 0 &&
	    (v = rec_get(&back, "x")) != NULL &&
	    v->type == MSGPACK_OBJECT_FLOAT64 &&
	    v->via.f64 == DBL_TRUE_MIN * 3);
	free(b.p);
}

/* One string value {"s": bytes} written: the JSON line, in b. */
static void
write_str(struct strbuf *b, const char *s, size_t n)
{
	msgpack_object o;
	msgpack_object_kv kv;

	kv.key.type = MSGPACK_OBJECT_STR;
	kv.key.via.str.ptr = "s";
	kv.key.via.str.size = 1;
	kv.val.type = MSGPACK_OBJECT_STR;
	kv.val.via.str.ptr = s;
	kv.val.via.str.size = (uint32_t)n;
	o.type = MSGPACK_OBJECT_MAP;
	o.via.map.size = 1;
	o.via.map.ptr = &kv;
	b->len = 0;
	if (json_write(b, &o) != 0)
		b->len = 0;
}

static void
test_utf8_out(void)
{
	static const struct {
		const char	*name, *in, *want;
	} cases[] = {
		{ "an encoded surrogate", "\xed\xa0\x80",
		    "{\"s\":\"\\u00ed\\u00a0\\u0080\"}\n" },
		{ "an encoded low surrogate", "\xed\xbf\xbf",
		    "{\"s\":\"\\u00ed\\u00bf\\u00bf\"}\n" },
		{ "an overlong NUL", "\xc0\x80",
		    "{\"s\":\"\\u00c0\\u0080\"}\n" },
		{ "an overlong 3-byte form", "\xe0\x80\xaf",
		    "{\"s\":\"\\u00e0\\u0080\\u00af\"}\n" },
		{ "an overlong 4-byte form", "\xf0\x8f\xbf\xbf",
		    "{\"s\":\"\\u00f0\\u008f\\u00bf\\u00bf\"}\n" },
		{ "a code point above U+10FFFF", "\xf4\x90\x80\x80",
		    "{\"s\":\"\\u00f4\\u0090\\u0080\\u0080\"}\n" },
		{ "a lead byte past F4", "\xf5\x80\x80\x80",
		    "{\"s\":\"\\u00f5\\u0080\\u0080\\u0080\"}\n" },
		{ "a sequence cut short", "a\xe2\x82",
		    "{\"s\":\"a\\u00e2\\u0082\"}\n" },
		{ "U+0800, U+D7FF, U+E000 are kept",
		    "\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80",
		    "{\"s\":\"\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\"}\n" },
		{ "U+10000 and U+10FFFF are kept",
		    "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf",
		    "{\"s\":\"\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\"}\n" },
		{ NULL, NULL, NULL }
	};
	struct strbuf b = { 0 };
	unsigned char seq[4];
	char name[120];
	int i;

	for (i = 0; cases[i].name != NULL; i++) {
		write_str(&b, cases[i].in, strlen(cases[i].in));
		snprintf(name, sizeof(name), "JSON out: %s", cases[i].name);
		CHECK(name, b.len == strlen(cases[i].want) &&
		    memcmp(b.p, cases[i].want, b.len) == 0);
		if (b.len != strlen(cases[i].want) ||
		    memcmp(b.p, cases[i].want, b.len) != 0)
			printf("  got %.*s", (int)b.len, b.p);
	}
	/* every pair of bytes from 0x80 up, before two continuation bytes */
	for (i = 0; i < 128 * 128; i++) {
		seq[0] = (unsigned char)(0x80 + i / 128);
		seq[1] = (unsigned char)(0x80 + i % 128);
		seq[2] = seq[3] = 0x80;
		write_str(&b, (const char *)seq, sizeof(seq));
		if (!fz_utf8(b.p, b.len))
			break;
	}
	CHECK("JSON out of any byte pair from 0x80 up is valid UTF-8",
	    i == 128 * 128);
	free(b.p);
}

static void
test_surrogates_in(void)
{
	const msgpack_object *v;

	v = value_of("{\"s\":\"\\ud800\"}", "s");
	CHECK("a lone high surrogate reads as U+FFFD",
	    str_is(v, "\xef\xbf\xbd", 3));
	v = value_of("{\"s\":\"\\udfff\"}", "s");
	CHECK("a lone low surrogate reads as U+FFFD",
	    str_is(v, "\xef\xbf\xbd", 3));
	v = value_of("{\"s\":\"\\ud800\\u0041\"}", "s");
	CHECK("a high surrogate before a letter: U+FFFD, then the letter",
	    str_is(v, "\xef\xbf\xbd" "A", 4));
	v = value_of("{\"s\":\"\\ud800\\ud800\\udc00\"}", "s");
	CHECK("a high surrogate before a pair: U+FFFD, then the pair",
	    str_is(v, "\xef\xbf\xbd\xf0\x90\x80\x80", 7));
	v = value_of("{\"s\":\"\\udbff\\udfff\"}", "s");
	CHECK("the last pair reads as U+10FFFF",
	    str_is(v, "\xf4\x8f\xbf\xbf", 4));
	v = value_of("{\"s\":\"\\ud800x\"}", "s");
	CHECK("a high surrogate at a plain character: U+FFFD",
	    str_is(v, "\xef\xbf\xbd" "x", 4));
	v = value_of("{\"s\":\"\\u0000\\u00e9\\u20ac\"}", "s");
	CHECK("escapes of one to three bytes",
	    str_is(v, "\0\xc3\xa9\xe2\x82\xac", 6));
}

/* {"type":"x","a":...} with n containers in all, the innermost holding 1. */
static char *
nested(int n, int empty)
{
	struct strbuf b = { 0 };
	int i;

	sb_adds(&b, "{\"type\":\"x\",\"a\":");
	for (i = 1; i < n; i++)
		sb_adds(&b, i % 2 ? "[" : "{\"k\":");
	if (!empty)
		sb_adds(&b, "1");
	for (i = n - 1; i >= 1; i--)
		sb_adds(&b, i % 2 ? "]" : "}");
	sb_adds(&b, "}");
	return sb_str(&b);
}

static void
test_depth(void)
{
	msgpack_object o;
	char why[200], *s;

	s = nested(REC_MAX_DEPTH, 0);
	CHECK("16 nested containers holding a value are read",
	    parse(s, strlen(s), &o, why, sizeof(why)) > 0);
	free(s);
	s = nested(REC_MAX_DEPTH, 1);
	CHECK("16 nested containers, the last empty, are read",
	    parse(s, strlen(s), &o, why, sizeof(why)) > 0);
	free(s);
	s = nested(REC_MAX_DEPTH + 1, 1);
	CHECK("17 nested containers are refused",
	    parse(s, strlen(s), &o, why, sizeof(why)) == -1 &&
	    strstr(why, "nesting") != NULL);
	free(s);
}

/* The JSON line of a record with one bytes value of n bytes. */
static int
write_bytes(struct strbuf *b, size_t n)
{
	static char data[REC_MAX_SIZE];
	msgpack_object o;
	msgpack_object_kv kv[2];

	kv[0].key.type = MSGPACK_OBJECT_STR;
	kv[0].key.via.str.ptr = "type";
	kv[0].key.via.str.size = 4;
	kv[0].val = kv[0].key;
	kv[0].val.via.str.ptr = "frames";	/* an even line length */
	kv[0].val.via.str.size = 6;
	kv[1].key = kv[0].key;
	kv[1].key.via.str.ptr = "data";
	kv[1].val.type = MSGPACK_OBJECT_BIN;
	kv[1].val.via.bin.ptr = data;
	kv[1].val.via.bin.size = (uint32_t)n;
	o.type = MSGPACK_OBJECT_MAP;
	o.via.map.size = 2;
	o.via.map.ptr = kv;
	return json_write(b, &o);
}

static void
test_line_limit(void)
{
	/* {"type":"frames","data":"..."} and the newline */
	size_t over = sizeof("{\"type\":\"frames\",\"data\":\"\"}\n") - 1;
	size_t fit = (REC_MAX_SIZE - over) / 2;
	struct strbuf b = { 0 };
	msgpack_object o;
	char why[200];

	sb_adds(&b, "kept");
	CHECK("a record whose JSON line is the limit is written",
	    write_bytes(&b, fit) == 0 && b.len == 4 + REC_MAX_SIZE);
	CHECK("...and reads back",
	    parse(b.p + 4, b.len - 4, &o, why, sizeof(why)) > 0);
	b.len = 4;
	errno = 0;
	CHECK("a record whose JSON line is over the limit is refused",
	    write_bytes(&b, fit + 1) == -1 && errno == EMSGSIZE);
	CHECK("...and the buffer is as it was", b.len == 4 &&
	    memcmp(b.p, "kept", 4) == 0);
	free(b.p);
}

/* {"type":"x","s":"aaa..."} with a string of n bytes, parsed. */
static long
parse_long_str(size_t n, msgpack_object *o, char *why, size_t whylen)
{
	struct strbuf b = { 0 };
	long r;

	sb_adds(&b, "{\"type\":\"x\",\"s\":\"");
	sb_need(&b, n);
	memset(b.p + b.len, 'a', n);
	b.len += n;
	sb_adds(&b, "\"}");
	r = parse(b.p, b.len, o, why, whylen);
	free(b.p);
	return r;
}

/* A JSON record is held to the msgpack limit of the record it stands for. */
static void
test_packed_limit(void)
{
	/* map, "type", "x", "s", a str32 header: 15 bytes around the text */
	size_t fit = REC_MAX_SIZE - 15;
	struct strbuf b = { 0 };
	msgpack_object o;
	struct pk pk;
	char why[200];
	int i;

	pk_init(&pk, 64);
	CHECK("a JSON record of exactly 1 MiB in msgpack is read",
	    parse_long_str(fit, &o, why, sizeof(why)) > 0);
	pk_obj(&pk, &o);
	CHECK("...and packs to exactly 1 MiB", pk.len == REC_MAX_SIZE);
	CHECK("a JSON record of 1 MiB + 1 in msgpack is refused",
	    parse_long_str(fit + 1, &o, why, sizeof(why)) == -1 &&
	    strstr(why, "larger than the limit in msgpack") != NULL);
	pk_free(&pk);

	/* 4 bytes of JSON each, 9 of msgpack: 500 KB of JSON, 1.1 MB */
	sb_adds(&b, "{\"type\":\"x\",\"a\":[1e9");
	for (i = 1; i < 125000; i++)
		sb_adds(&b, ",1e9");
	sb_adds(&b, "]}");
	CHECK("floats whose msgpack is over 1 MiB are refused",
	    parse(b.p, b.len, &o, why, sizeof(why)) == -1 &&
	    strstr(why, "larger than the limit in msgpack") != NULL);
	free(b.p);
}

int
main(void)
{
	msgpack_zone_init(&zone, 4096);
	test_short_escape();
	test_numbers();
	test_utf8_out();
	test_surrogates_in();
	test_depth();
	test_line_limit();
	test_packed_limit();
	msgpack_zone_destroy(&zone);
	return failures != 0;
}
