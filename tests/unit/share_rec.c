/*
 * Unit tests of the record stream codec: a round trip through the writer
 * and the reader in both encodings, a stream fed one byte at a time, cut at
 * every byte, lying lengths, nesting past the limit, wrong types for known
 * keys (checked only in the record types they belong to), a stream without
 * its header and one of a newer major version; and what the schema table
 * itself must hold.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nm.h"
#include "rec.h"

#include "check.h"

static char tmpl[] = "/tmp/nmrecXXXXXX";

/* Writes bytes to a fresh temporary file and returns it open for reading. */
static int
bytes_fd(const void *p, size_t n)
{
	char path[sizeof(tmpl)];
	int fd;

	memcpy(path, tmpl, sizeof(tmpl));
	if ((fd = mkstemp(path)) == -1)
		exit(1);
	unlink(path);
	if (write(fd, p, n) != (ssize_t)n)
		exit(1);
	lseek(fd, 0, SEEK_SET);
	return fd;
}

/*
 * Key helpers over msgpack-c's own packer: the reader is tested on what
 * another writer than nm's makes.
 */
static void
t_str(msgpack_packer *pk, const char *s)
{
	msgpack_pack_str_with_body(pk, s, strlen(s));
}

static void
t_kstr(msgpack_packer *pk, const char *k, const char *v)
{
	t_str(pk, k);
	t_str(pk, v);
}

static void
t_ku64(msgpack_packer *pk, const char *k, uint64_t v)
{
	t_str(pk, k);
	msgpack_pack_uint64(pk, v);
}

static void
t_kbin(msgpack_packer *pk, const char *k, const void *p, size_t n)
{
	t_str(pk, k);
	msgpack_pack_bin_with_body(pk, p, n);
}

static const uint8_t addr4[4] = { 192, 168, 1, 100 };
static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 };
static const uint8_t a6[16] = { 0xfd, 0x77, [15] = 2 };

/* A stream of a header, two packets and an end record, as msgpack. */
static msgpack_sbuffer
sample_stream(void)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	int i;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 4);
	t_kstr(&pk, "type", "header");
	t_ku64(&pk, "version", 1);
	t_kstr(&pk, "producer", "test");
	t_str(&pk, "stages");
	msgpack_pack_array(&pk, 0);
	for (i = 0; i < 2; i++) {
		msgpack_pack_map(&pk, 7);
		t_kstr(&pk, "type", "packet");
		t_ku64(&pk, "ts", 1700000000123456789ull + (uint64_t)i);
		t_kbin(&pk, "data", "\x01\x02\x03", 3);
		t_str(&pk, "ip");
		msgpack_pack_map(&pk, 2);
		t_kbin(&pk, "src", addr4, 4);
		t_kbin(&pk, "dst", a6, 16);
		t_str(&pk, "eth");
		msgpack_pack_map(&pk, 1);
		t_kbin(&pk, "src", mac, 6);
		t_kstr(&pk, "mykey", "kept \"as\" is\n");
		t_str(&pk, "neg");
		msgpack_pack_int64(&pk, -5);
	}
	msgpack_pack_map(&pk, 2);
	t_kstr(&pk, "type", "futuretype");
	t_kstr(&pk, "ts", "not checked in unknown types");
	return sb;
}

/* Reads every record; returns the count, or -1 - count on error. */
static int
read_all(int fd, size_t maxread, struct strbuf *json, char *err, size_t el)
{
	struct rec_reader *r = rec_reader_open(fd);
	struct rec rec;
	int n = 0, res;

	rec_reader_set_maxread(r, maxread);
	while ((res = rec_read(r, &rec)) == 1) {
		n++;
		if (json)
			json_write(json, &rec.obj);
	}
	/* an error, or why a stream stopped short (truncated) */
	if (err && (res == -1 || (res == 0 && !rec_reader_saw_end(r) &&
	    strstr(rec_reader_error(r), "truncated") != NULL)))
		snprintf(err, el, "%s", rec_reader_error(r));
	rec_reader_close(r);
	close(fd);
	return res == -1 ? -1 - n : n;
}

static void
test_roundtrip(void)
{
	msgpack_sbuffer sb = sample_stream();
	struct strbuf j1 = { 0 }, j2 = { 0 }, j3 = { 0 };
	char err[400];
	int n;

	n = read_all(bytes_fd(sb.data, sb.size), 1 << 20, &j1, err, sizeof(err));
	CHECK("msgpack stream reads 4 records", n == 4);
	CHECK("json shows addresses as text",
	    strstr(j1.p, "\"src\":\"192.168.1.100\"") != NULL &&
	    strstr(j1.p, "\"dst\":\"fd77::2\"") != NULL &&
	    strstr(j1.p, "\"src\":\"02:00:00:00:00:01\"") != NULL);
	CHECK("json shows data as hex", strstr(j1.p, "\"data\":\"010203\""));
	CHECK("json keeps unknown keys", strstr(j1.p, "\"mykey\":\"kept \\\"as\\\" is\\n\""));
	n = read_all(bytes_fd(sb.data, sb.size), 1, &j2, err, sizeof(err));
	CHECK("msgpack fed a byte at a time", n == 4 && strcmp(j1.p, j2.p) == 0);
	n = read_all(bytes_fd(j1.p, j1.len), 1, &j3, err, sizeof(err));
	CHECK("json input fed a byte at a time gives the same records",
	    n == 4 && strcmp(j1.p, j3.p) == 0);
	if (n != 4 || strcmp(j1.p, j3.p) != 0)
		printf("%s\n---\n%s\n%s\n", j1.p, j3.p ? j3.p : "", err);
	free(j1.p);
	free(j2.p);
	free(j3.p);
	msgpack_sbuffer_destroy(&sb);
}

static void
test_pretty_json(void)
{
	const char *s = "  {\n  \"type\": \"header\",\n  \"version\": 1\n}\n"
	    "{\"type\":\"frame\",\"ts\":5,\"data\":\"00ff\",\"x\":[1,-2,3.5,"
	    "null,true,{\"y\":\"\\u00e9\\ud83d\\ude00\"}]}";
	struct strbuf j = { 0 };
	char err[400];
	int n = read_all(bytes_fd(s, strlen(s)), 3, &j, err, sizeof(err));

	CHECK("pretty-printed JSON is read", n == 2);
	CHECK("JSON values survive",
	    j.p && strstr(j.p, "\"x\":[1,-2,3.5,null,true,{\"y\":\"\xc3\xa9\xf0\x9f\x98\x80\"}]"));
	free(j.p);
}

static void
test_truncation(void)
{
	msgpack_sbuffer sb = sample_stream();
	size_t cut;
	int n, ok = 1, errors = 0;
	char err[400];

	for (cut = 1; cut < sb.size; cut++) {
		err[0] = '\0';
		n = read_all(bytes_fd(sb.data, cut), 7, NULL, err, sizeof(err));
		if (n < 0) {
			ok = 0, printf("cut %zu: an error: %s\n", cut, err);
			continue;
		}
		/* a cut at a record boundary ends with no complaint */
		if (err[0] == '\0')
			continue;
		errors++;
		if (strstr(err, "truncated") == NULL ||
		    strstr(err, "at byte") == NULL)
			ok = 0, printf("cut %zu: %s\n", cut, err);
	}
	CHECK("a stream cut at any byte ends early, saying 'truncated'",
	    ok && errors >= (int)sb.size - 5);
	msgpack_sbuffer_destroy(&sb);
}

static int
expect_bad(const char *name, const void *p, size_t n, const char *want);

static int
expect_bad_str(const char *name, const char *s, const char *want)
{
	return expect_bad(name, s, strlen(s), want);
}

static int
expect_bad(const char *name, const void *p, size_t n, const char *want)
{
	char err[400] = "";
	int r = read_all(bytes_fd(p, n), 1 << 20, NULL, err, sizeof(err));

	CHECK(name, r < 0 && strstr(err, want) != NULL);
	if (!(r < 0 && strstr(err, want) != NULL))
		printf("  got %d: %s\n", r, err);
	return r;
}

static void
test_hostile(void)
{
	/* header, then a record that claims 4 billion map entries */
	static const uint8_t lying[] = { 0x82, 0xa4, 't', 'y', 'p', 'e', 0xa6,
	    'h', 'e', 'a', 'd', 'e', 'r', 0xa7, 'v', 'e', 'r', 's', 'i', 'o',
	    'n', 0x01, 0xdf, 0xff, 0xff, 0xff, 0xff, 0x00 };
	static const uint8_t lyingstr[] = { 0x81, 0xdb, 0x7f, 0xff, 0xff, 0xff };
	static const uint8_t c1[] = { 0x81, 0xc1, 0x00 };
	msgpack_sbuffer sb;
	msgpack_packer pk;
	int i;

	expect_bad("map claiming 4 billion entries is refused", lying,
	    sizeof(lying), "at byte 22: array or map claims");
	expect_bad("string claiming 2 GiB is refused", lyingstr,
	    sizeof(lyingstr), "at byte 1:");
	expect_bad("byte 0xc1 is refused", c1, sizeof(c1), "0xc1");
	expect_bad_str("a first byte that is neither", "xyz",
	    "neither a msgpack map nor a JSON object");

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 2);
	t_kstr(&pk, "type", "header");
	t_str(&pk, "x");
	for (i = 0; i < 100; i++)
		msgpack_pack_array(&pk, 1);
	msgpack_pack_nil(&pk);
	expect_bad("nesting past the limit is refused", sb.data, sb.size,
	    "nesting deeper");
	msgpack_sbuffer_clear(&sb);

	msgpack_pack_map(&pk, 2);
	t_kstr(&pk, "type", "header");
	t_ku64(&pk, "version", 2);
	expect_bad("a newer major version is refused", sb.data, sb.size,
	    "version 2 is newer");
	msgpack_sbuffer_clear(&sb);

	msgpack_pack_map(&pk, 2);
	t_kstr(&pk, "type", "frame");
	t_ku64(&pk, "ts", 2);
	expect_bad("a stream without its header is refused", sb.data, sb.size,
	    "does not start with a header");
	msgpack_sbuffer_clear(&sb);

	msgpack_pack_map(&pk, 2);
	t_kstr(&pk, "type", "header");
	t_ku64(&pk, "version", 1);
	msgpack_pack_map(&pk, 2);
	t_kstr(&pk, "type", "packet");
	t_str(&pk, "ip");
	msgpack_pack_map(&pk, 1);
	t_kstr(&pk, "src", "1.2.3.4");
	expect_bad("a wrong type for a known key is refused", sb.data, sb.size,
	    "key 'ip.src' must be an address");
	msgpack_sbuffer_clear(&sb);

	/* the reader remembers keys it met: a new one is looked up */
	msgpack_pack_map(&pk, 2);
	t_kstr(&pk, "type", "header");
	t_ku64(&pk, "version", 1);
	msgpack_pack_map(&pk, 3);
	t_kstr(&pk, "type", "packet");
	t_ku64(&pk, "ts", 5);
	t_kstr(&pk, "mine", "x");
	msgpack_pack_map(&pk, 3);
	t_kstr(&pk, "type", "packet");
	t_kstr(&pk, "len", "x");
	t_ku64(&pk, "ts", 5);
	expect_bad("a known key in another's place is checked", sb.data,
	    sb.size, "key 'len' must be an unsigned integer, not a string");
	msgpack_sbuffer_clear(&sb);

	/* long keys inside an array of maps under a long key */
	msgpack_pack_map(&pk, 2);
	t_kstr(&pk, "type", "header");
	t_ku64(&pk, "version", 1);
	msgpack_pack_map(&pk, 2);
	t_kstr(&pk, "type", "stats");
	t_str(&pk, "top_hosts");
	msgpack_pack_array(&pk, 1);
	msgpack_pack_map(&pk, 1);
	t_kstr(&pk, "rx_packets", "many");
	expect_bad("a long key under a long key is checked", sb.data, sb.size,
	    "key 'top_hosts.rx_packets' must be an unsigned integer");
	msgpack_sbuffer_clear(&sb);

	msgpack_pack_array(&pk, 1);
	expect_bad("a record that is not a map", sb.data, sb.size, "neither");
	msgpack_sbuffer_destroy(&sb);

	expect_bad_str("JSON with a bad address", "{\"type\":\"header\",\"version\":1}"
	    "{\"type\":\"packet\",\"ip\":{\"src\":\"1.2.3\"}}",
	    "at byte 58: JSON: not an address");
	expect_bad_str("JSON syntax error names its byte",
	    "{\"type\":\"header\",\"version\":1,}", "at byte 29");
	expect_bad_str("JSON nesting past the limit",
	    "{\"type\":\"header\",\"version\":1,\"a\":[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]}",
	    "nesting");
}

/* The record's keys of a packet that nm-decode writes (and replaces). */
static const char *
decode_keys(void)
{
	static char buf[512];
	const struct rec_key *k;
	size_t len = 0;
	int id;

	for (id = 1; id <= rec_key_count(); id++) {
		k = rec_key(id);
		if (strchr(k->path, '.') == NULL && (k->in & IN_PACKET) &&
		    (k->by & BY_DECODE))
			len += (size_t)snprintf(buf + len, sizeof(buf) - len,
			    "%s ", k->path);
	}
	return buf;
}

/*
 * What REC_KEYS must hold for the schema to mean what it says: every key
 * found at its own path (its parents listed, no second key of the same
 * place), a key inside a map in its map's record types, owned by a stage,
 * and shown in hex only if it is an integer.
 */
static void
test_schema_table(void)
{
	const struct rec_key *k, *pk;
	char parent[64];
	const char *dot;
	int id, n = rec_key_count(), found = 1, inherits = 1, owned = 1;
	int shows = 1, maps = 1;

	for (id = 1; id <= n; id++) {
		k = rec_key(id);
		if (rec_key_path(k->path) != id) {
			printf("  %s: not found at its path\n", k->path);
			found = 0;
		}
		if (k->in == 0 || (k->in & ~(unsigned)IN_ALL) || k->by == 0 ||
		    (k->by & ~(unsigned)BY_ANY))
			owned = 0;
		if (k->show != SH_PLAIN && k->type != KT_UINT &&
		    !(k->type == KT_ARRAY && k->elem == KT_UINT))
			shows = 0;
		if ((dot = strrchr(k->path, '.')) == NULL)
			continue;
		snprintf(parent, sizeof(parent), "%.*s",
		    (int)(dot - k->path), k->path);
		if (rec_key_path(parent) == 0)
			continue;	/* counted above */
		pk = rec_key(rec_key_path(parent));
		if (pk->in != k->in) {
			printf("  %s: not in its map's record types\n",
			    k->path);
			inherits = 0;
		}
		if (pk->type != KT_MAP &&
		    !(pk->type == KT_ARRAY && pk->elem == KT_MAP))
			maps = 0;
	}
	CHECK("schema: every key is found at its path (parents listed, "
	    "no key twice)", found);
	CHECK("schema: a key in a map is in its map's record types",
	    inherits);
	CHECK("schema: a key inside another is inside a map", maps);
	CHECK("schema: every key belongs to record types and has a writer",
	    owned);
	CHECK("schema: only integers (and lists of them) are shown in hex",
	    shows);
	CHECK("schema: a flow key", (id = rec_key_path("state")) != 0 &&
	    rec_key(id)->in == IN_FLOW && rec_key(id)->by == BY_STATS);
	CHECK("schema: a frame key kept by packets",
	    (id = rec_key_path("caplen")) != 0 &&
	    rec_key(id)->in == (IN_FRAME | IN_PACKET));
	CHECK("schema: a deep key", (id = rec_key_path("top_flows.orig.bytes"))
	    != 0 && rec_key(id)->in == IN_STATS);
	CHECK("schema: the keys of a packet nm-decode writes",
	    strcmp(decode_keys(), "type data proto service svcport poff plen "
	    "err eth sll null vlan arp ip ipv6 tcp udp icmp icmpv6 dns tls quic "
	    "http ") == 0);
	CHECK("schema: an unknown path", rec_key_path("total.pakets") == 0 &&
	    rec_key_path("ip.src.x") == 0 && rec_key_path("") == 0);
}

/* A known key is checked in the record types it belongs to, only. */
static void
test_schema_types(void)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_unpacked u;
	const char *js = "{\"type\":\"header\",\"version\":1}"
	    "{\"type\":\"packet\",\"state\":5,\"records\":\"mine\"}";
	char why[256] = "";

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 3);
	t_kstr(&pk, "type", "packet");
	t_ku64(&pk, "state", 5);
	t_str(&pk, "interval");
	msgpack_pack_map(&pk, 1);
	t_kstr(&pk, "start", "a user's");
	msgpack_unpacked_init(&u);
	if (msgpack_unpack_next(&u, sb.data, sb.size, NULL) !=
	    MSGPACK_UNPACK_SUCCESS)
		exit(1);
	CHECK("validate: another type's keys are a user's",
	    rec_validate(&u.data, REC_PACKET, why, sizeof(why)) == 0);
	CHECK("validate: checked in their own type",
	    rec_validate(&u.data, REC_FLOW, why, sizeof(why)) == -1 &&
	    strcmp(why, "key 'state' must be a string, not an unsigned "
	    "integer") == 0);
	CHECK("validate: a map's keys are checked in its type",
	    rec_validate(&u.data, REC_STATS, why, sizeof(why)) == -1 &&
	    strstr(why, "'interval.start'") != NULL);
	msgpack_unpacked_destroy(&u);

	/* the reader, which checks during the parse: both encodings */
	msgpack_sbuffer_clear(&sb);
	msgpack_pack_map(&pk, 2);
	t_kstr(&pk, "type", "header");
	t_ku64(&pk, "version", 1);
	msgpack_pack_map(&pk, 3);
	t_kstr(&pk, "type", "packet");
	t_ku64(&pk, "state", 5);
	t_kstr(&pk, "records", "mine");
	msgpack_pack_map(&pk, 2);
	t_kstr(&pk, "type", "flow");
	t_kstr(&pk, "state", "S1");
	CHECK("reader: another type's keys pass in msgpack",
	    read_all(bytes_fd(sb.data, sb.size), 1 << 20, NULL, NULL, 0) == 3);
	CHECK("reader: another type's keys pass in JSON",
	    read_all(bytes_fd(js, strlen(js)), 1 << 20, NULL, NULL, 0) == 2);
	msgpack_pack_map(&pk, 2);
	t_kstr(&pk, "type", "flow");
	t_ku64(&pk, "state", 5);
	expect_bad("reader: a flow's own key is checked", sb.data, sb.size,
	    "key 'state' must be a string, not an unsigned integer");
	msgpack_sbuffer_destroy(&sb);
}

/* JSON shows and reads a key as an address only in its own record type. */
static void
test_schema_json(void)
{
	static const char *const in[] = {
		"{\"x\":{\"type\":\"flow\"},\"data\":\"0102\","
		    "\"type\":\"frame\"}",
		"{\"data\":\"zz\",\"type\":\"stats\"}",
		"{\"type\":\"flow\",\"src\":\"10.0.0.1\"}",
		"{\"type\":\"packet\",\"src\":\"10.0.0.1\"}",
	};
	static const int bin[] = { 1, 0, 1, 0 };
	msgpack_object o, src;
	msgpack_zone z;
	struct strbuf b = { 0 };
	char why[200];
	size_t i, off;
	int ok = 1, shown;

	msgpack_zone_init(&z, 4096);
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		msgpack_zone_clear(&z);
		if (json_parse(in[i], strlen(in[i]), &z, &o, &off, why,
		    sizeof(why)) <= 0) {
			printf("  %s: %s\n", in[i], why);
			ok = 0;
			continue;
		}
		src = *(rec_get(&o, "data") ? rec_get(&o, "data") :
		    rec_get(&o, "src"));
		if ((src.type == MSGPACK_OBJECT_BIN) != bin[i]) {
			printf("  %s: read as %s\n", in[i], bin[i] ?
			    "a string" : "bytes");
			ok = 0;
		}
	}
	CHECK("json reader: bytes only for a key of the record's type", ok);

	/* the same bytes under "src": address text in a flow, hex else */
	msgpack_zone_clear(&z);
	o.type = MSGPACK_OBJECT_MAP;
	o.via.map.size = 2;
	o.via.map.ptr = msgpack_zone_malloc(&z, 2 * sizeof(msgpack_object_kv));
	o.via.map.ptr[0].key.type = o.via.map.ptr[1].key.type =
	    MSGPACK_OBJECT_STR;
	o.via.map.ptr[0].key.via.str.ptr = "type";
	o.via.map.ptr[0].key.via.str.size = 4;
	o.via.map.ptr[0].val.type = MSGPACK_OBJECT_STR;
	o.via.map.ptr[0].val.via.str.ptr = "flow";
	o.via.map.ptr[0].val.via.str.size = 4;
	o.via.map.ptr[1].key.via.str.ptr = "src";
	o.via.map.ptr[1].key.via.str.size = 3;
	o.via.map.ptr[1].val.type = MSGPACK_OBJECT_BIN;
	o.via.map.ptr[1].val.via.bin.ptr = (const char *)addr4;
	o.via.map.ptr[1].val.via.bin.size = 4;
	json_write(&b, &o);
	shown = strstr(b.p, "\"src\":\"192.168.1.100\"") != NULL;
	b.len = 0;
	o.via.map.ptr[0].val.via.str.ptr = "packet";
	o.via.map.ptr[0].val.via.str.size = 6;
	json_write(&b, &o);
	CHECK("json writer: an address only for a key of the record's type",
	    shown && strstr(b.p, "\"src\":\"c0a80164\"") != NULL);
	free(b.p);
	msgpack_zone_destroy(&z);
}

/* A header, then one packet record of exactly size bytes (at least 20). */
static msgpack_sbuffer
sized_stream(size_t size)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	char *body = calloc(1, size);

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 2);
	t_kstr(&pk, "type", "header");
	t_ku64(&pk, "version", 1);
	/* fixmap, "type", "packet", "x", bin 32: 20 bytes of head */
	msgpack_pack_map(&pk, 2);
	t_kstr(&pk, "type", "packet");
	t_str(&pk, "x");
	msgpack_pack_bin(&pk, (uint32_t)(size - 20));
	msgpack_pack_bin_body(&pk, body, size - 20);
	free(body);
	return sb;
}

/* A header, then a packet holding levels containers, the record one. */
static msgpack_sbuffer
nested_stream(int levels)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	int i;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 2);
	t_kstr(&pk, "type", "header");
	t_ku64(&pk, "version", 1);
	msgpack_pack_map(&pk, 2);
	t_kstr(&pk, "type", "packet");
	t_str(&pk, "x");
	for (i = 1; i < levels; i++)
		msgpack_pack_array(&pk, i + 1 < levels ? 1 : 2);
	msgpack_pack_nil(&pk);		/* scalars in the deepest: no level */
	msgpack_pack_uint8(&pk, 7);
	return sb;
}

/* nm-records(5): records of at most 1 MiB, 16 levels of nesting. */
static void
test_limits(void)
{
	msgpack_sbuffer sb;
	char err[400] = "";
	int n;

	sb = sized_stream(REC_MAX_SIZE);
	n = read_all(bytes_fd(sb.data, sb.size), 1 << 16, NULL, err,
	    sizeof(err));
	CHECK("a record of 1 MiB is read", sb.size == 22 + REC_MAX_SIZE &&
	    n == 2);
	if (n != 2)
		printf("  got %d (%zu bytes): %s\n", n, sb.size, err);
	msgpack_sbuffer_destroy(&sb);
	sb = sized_stream(REC_MAX_SIZE + 1);
	expect_bad("a record of 1 MiB and 1 byte is refused", sb.data,
	    sb.size, "at byte 22: record of 1048577 bytes, over the limit");
	msgpack_sbuffer_destroy(&sb);

	sb = nested_stream(REC_MAX_DEPTH);
	n = read_all(bytes_fd(sb.data, sb.size), 1 << 20, NULL, err,
	    sizeof(err));
	CHECK("16 levels of maps and arrays are read", n == 2);
	if (n != 2)
		printf("  got %d: %s\n", n, err);
	msgpack_sbuffer_destroy(&sb);
	sb = nested_stream(REC_MAX_DEPTH + 1);
	/* the 17th container is the 16th array: 22 + 15 + 15 */
	expect_bad("a 17th level is refused where it starts", sb.data,
	    sb.size, "at byte 52: nesting deeper than the limit");
	msgpack_sbuffer_destroy(&sb);
}

/* Errors name their byte, whatever the error and the encoding. */
static void
test_offsets(void)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	char err[400] = "";
	const char *cut = "{\"type\":\"header\",\"version\":1}\n"
	    "\n  {\"type\":\"packet\",\"ts\":";
	int n;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 2);
	t_kstr(&pk, "type", "header");
	t_ku64(&pk, "version", 2);
	expect_bad("a newer major version names its byte", sb.data, sb.size,
	    "at byte 0: stream version 2 is newer");
	msgpack_sbuffer_destroy(&sb);

	n = read_all(bytes_fd(cut, strlen(cut)), 1 << 20, NULL, err,
	    sizeof(err));
	CHECK("a JSON record cut short names the record's first byte",
	    n == 1 && strstr(err, "inside a record at byte 33 ") != NULL);
	if (strstr(err, "at byte 33 ") == NULL)
		printf("  got %d: %s\n", n, err);
}

/* Reads the sample stream with a want list for packets. */
static void
test_want(void)
{
	static const char *const want[] = { "ts", "ip.src", NULL };
	static const char *const unknown[] = { "ts", "ip.nosuch", NULL };
	msgpack_sbuffer sb = sample_stream(), bad;
	msgpack_packer pk;
	struct rec_reader *r;
	struct rec rec;
	const msgpack_object *ip;
	size_t rawlen[8];
	int n = 0, ok = 1;

	r = rec_reader_open(bytes_fd(sb.data, sb.size));
	while (n < 8 && rec_read(r, &rec) == 1)
		rawlen[n++] = rec.rawlen;
	rec_reader_close(r);

	r = rec_reader_open(bytes_fd(sb.data, sb.size));
	CHECK("want: refused for headers",
	    rec_reader_want(r, REC_HEADER, want) == -1 && errno == EINVAL);
	CHECK("want: refused for a key the schema does not know",
	    rec_reader_want(r, REC_PACKET, unknown) == -1 && errno == EINVAL);
	CHECK("want: taken", rec_reader_want(r, REC_PACKET, want) == 0);
	n = 0;
	while (rec_read(r, &rec) == 1) {
		if (rec.rawlen != rawlen[n++])
			ok = 0;		/* the bytes passed on are whole */
		if (rec.type != REC_PACKET) {
			if (rec_get(&rec.obj, "type") == NULL ||
			    rec.obj.via.map.size < 2)
				ok = 0;	/* other types come whole */
			continue;
		}
		ip = rec_get(&rec.obj, "ip");
		if (rec.obj.via.map.size != 3 || rec_get(&rec.obj, "ts") ==
		    NULL || ip == NULL || ip->via.map.size != 1 ||
		    rec_get(ip, "src") == NULL)
			ok = 0;
	}
	rec_reader_close(r);
	CHECK("want: packets keep the wanted keys, raw bytes whole",
	    ok && n == 4);
	msgpack_sbuffer_destroy(&sb);

	/* keys not wanted are checked all the same */
	msgpack_sbuffer_init(&bad);
	msgpack_packer_init(&pk, &bad, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 2);
	t_kstr(&pk, "type", "header");
	t_ku64(&pk, "version", 1);
	msgpack_pack_map(&pk, 3);
	t_kstr(&pk, "type", "packet");
	t_ku64(&pk, "ts", 5);
	t_str(&pk, "tcp");
	msgpack_pack_map(&pk, 1);
	t_kstr(&pk, "sport", "x");
	r = rec_reader_open(bytes_fd(bad.data, bad.size));
	(void)rec_reader_want(r, REC_PACKET, want);
	while ((n = rec_read(r, &rec)) == 1)
		continue;
	CHECK("want: a key not wanted is still type-checked", n == -1 &&
	    strstr(rec_reader_error(r), "key 'tcp.sport' must be") != NULL);
	rec_reader_close(r);
	msgpack_sbuffer_destroy(&bad);
}

int
main(void)
{
	test_roundtrip();
	test_pretty_json();
	test_truncation();
	test_hostile();
	test_schema_table();
	test_schema_types();
	test_schema_json();
	test_limits();
	test_offsets();
	test_want();
	return failures != 0;
}
