/*
 * Unit tests of nm's packer (share/pk.h): every value at the edges of
 * msgpack's forms must come out byte for byte as msgpack-c packs it, so
 * that any msgpack reader takes nm's records, and what nm-decode passes on
 * unchanged stays the same bytes.
 */
#include <stdio.h>
#include <string.h>

#include "nm.h"
#include "rec.h"

static int failures;
static struct pk ours;
static msgpack_sbuffer theirs;
static msgpack_packer tp;

static void
start(void)
{
	ours.len = 0;
	msgpack_sbuffer_clear(&theirs);
}

static void
same(const char *what, long long v)
{
	if (ours.len == theirs.size && memcmp(ours.p, theirs.data,
	    ours.len) == 0)
		return;
	printf("FAIL: %s %lld: %zu bytes, msgpack-c %zu\n", what, v,
	    ours.len, theirs.size);
	failures++;
}

static void
test_integers(void)
{
	static const uint64_t u[] = { 0, 1, 127, 128, 255, 256, 65535, 65536,
	    4294967295u, 4294967296u, UINT64_MAX };
	static const int64_t s[] = { 0, -1, -32, -33, -128, -129, -32768,
	    -32769, INT32_MIN, (int64_t)INT32_MIN - 1, INT64_MIN, 5, 300 };
	size_t i;
	int before = failures;

	for (i = 0; i < sizeof(u) / sizeof(u[0]); i++) {
		start();
		pk_uint(&ours, u[i]);
		msgpack_pack_uint64(&tp, u[i]);
		same("unsigned", (long long)u[i]);
	}
	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		start();
		pk_int(&ours, s[i]);
		msgpack_pack_int64(&tp, s[i]);
		same("signed", (long long)s[i]);
	}
	if (failures == before)
		printf("PASS: integers at every form's edge as msgpack-c\n");
}

static void
test_lengths(void)
{
	static const size_t n[] = { 0, 1, 15, 16, 31, 32, 255, 256, 65535,
	    65536, 70000 };
	static char big[70000];
	size_t i, j;
	int before = failures;

	memset(big, 'x', sizeof(big));
	for (i = 0; i < sizeof(n) / sizeof(n[0]); i++) {
		start();
		pk_str(&ours, big, n[i]);
		msgpack_pack_str_with_body(&tp, big, n[i]);
		same("string of", (long long)n[i]);
		start();
		pk_bin(&ours, big, n[i]);
		msgpack_pack_bin_with_body(&tp, big, n[i]);
		same("bytes of", (long long)n[i]);
		/* the packer counts the entries and picks the head on close */
		start();
		pk_map_open(&ours);
		msgpack_pack_map(&tp, n[i]);
		for (j = 0; j < n[i]; j++) {
			pk_uint(&ours, j & 0x7f);
			pk_nil(&ours);
			msgpack_pack_uint64(&tp, j & 0x7f);
			msgpack_pack_nil(&tp);
		}
		pk_close(&ours);
		same("map of", (long long)n[i]);
		start();
		pk_array_open(&ours);
		msgpack_pack_array(&tp, n[i]);
		for (j = 0; j < n[i]; j++) {
			pk_bool(&ours, 1);
			msgpack_pack_true(&tp);
		}
		pk_close(&ours);
		same("array of", (long long)n[i]);
	}
	if (failures == before)
		printf("PASS: strings, bytes, maps and arrays at every length "
		    "edge as msgpack-c\n");
}

/* Objects as the reader hands them out, packed back by pk_obj(). */
static void
test_objects(void)
{
	static const unsigned char in[] = {
		0x8a,				/* a map of 10 */
		0xa1, 'a', 0xc0,		/* nil */
		0xa1, 'b', 0xc3,		/* true */
		0xa1, 'c', 0xd0, 0x80,		/* -128 */
		0xa1, 'd', 0xca, 0x3f, 0xc0, 0x00, 0x00,	/* float 1.5 */
		0xa1, 'e', 0xcb, 0x40, 0x09, 0x21, 0xfb, 0x54, 0x44,
		    0x2d, 0x18,			/* double pi */
		0xa1, 'f', 0xd6, 0x01, 1, 2, 3, 4,	/* fixext 4 */
		0xa1, 'g', 0xc7, 0x03, 0x02, 9, 9, 9,	/* ext 8 of 3 */
		0xa1, 'h', 0x92, 0x01, 0xa0,	/* [1, ""] */
		0xa1, 'i', 0xc4, 0x02, 0xff, 0x00,	/* bytes */
		0xa1, 'j', 0xcd, 0x01, 0x00,	/* 256 */
	};
	msgpack_zone z;
	msgpack_object o;
	size_t off = 0;

	msgpack_zone_init(&z, 1024);
	if (msgpack_unpack((const char *)in, sizeof(in), &off, &z, &o) !=
	    MSGPACK_UNPACK_SUCCESS) {
		printf("FAIL: test input does not unpack\n");
		failures++;
		return;
	}
	start();
	pk_obj(&ours, &o);
	msgpack_pack_object(&tp, o);
	same("object of every kind", 0);
	if (ours.len == sizeof(in) && memcmp(ours.p, in, sizeof(in)) == 0)
		printf("PASS: every kind of object packs back to its bytes\n");
	else {
		printf("FAIL: objects do not pack back to their bytes\n");
		failures++;
	}
	msgpack_zone_destroy(&z);
}

int
main(void)
{
	pk_init(&ours, 16);	/* small: the growth path runs too */
	msgpack_sbuffer_init(&theirs);
	msgpack_packer_init(&tp, &theirs, msgpack_sbuffer_write);
	test_integers();
	test_lengths();
	test_objects();
	pk_free(&ours);
	msgpack_sbuffer_destroy(&theirs);
	return failures ? 1 : 0;
}
