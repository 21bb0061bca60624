/*
 * Geolocation (geo.h): one interface over two databases.  libmaxminddb
 * is tried first on a file the user names (its metadata marker says at
 * once whether it is one); libloc reads the rest.  Both map the file
 * when it is opened, so a lookup under the sandbox reads memory only
 * (libloc allocates the network it answers with: malloc, which the
 * filter allows).  Answers, empty ones too, go into a table keyed by the
 * address, so each address costs one lookup in the database however
 * often it is asked for.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <unistd.h>

#include <libloc/as.h>
#include <libloc/country.h>
#include <libloc/database.h>
#include <libloc/libloc.h>
#include <libloc/network.h>
#include <maxminddb.h>

#include "geo.h"
#include "nm.h"
#include "rec.h"
#include "tab.h"

enum backend { BK_MMDB, BK_LIBLOC };

struct geo_entry {
	/* the key: an IPv4 address in the first 4 bytes, or IPv6 */
	uint8_t addr[16];
	uint64_t af;
	/* the value */
	uint64_t used; /* the lookup count when last asked for */
	int known;
	struct geo_info info;
};

struct geo {
	enum backend bk;
	char *path;
	MMDB_s mmdb;
	struct loc_ctx *lctx;
	struct loc_database *ldb;
	FILE *lf;
	int ipfire; /* the IPFire Location database */
	struct tab t;
	uint64_t hits, misses, clock;
};

/* A prefix of len bits of a against p. */
static int
in_net(const uint8_t *a, const uint8_t *p, unsigned bits)
{
	unsigned i;

	for (i = 0; i < bits / 8; i++)
		if (a[i] != p[i])
			return 0;
	if (bits % 8 == 0)
		return 1;
	return ((a[i] ^ p[i]) & (0xff00 >> (bits % 8)) & 0xff) == 0;
}

struct net {
	uint8_t p[16];
	unsigned bits;
};

/*
 * IPv4's special-purpose and non-unicast ranges (RFC 6890, 6598, 5737,
 * 2544, 5771, 1112): no database places them.
 */
static const struct net v4_special[] = {
	{ { 0 }, 8 },		  /* "this network" */
	{ { 10 }, 8 },		  /* private */
	{ { 100, 64 }, 10 },	  /* CGNAT shared space */
	{ { 127 }, 8 },		  /* loopback */
	{ { 169, 254 }, 16 },	  /* link-local */
	{ { 172, 16 }, 12 },	  /* private */
	{ { 192, 0, 0 }, 24 },	  /* IETF protocol assignments */
	{ { 192, 0, 2 }, 24 },	  /* TEST-NET-1 */
	{ { 192, 88, 99 }, 24 },  /* 6to4 relay anycast (deprecated) */
	{ { 192, 168 }, 16 },	  /* private */
	{ { 198, 18 }, 15 },	  /* benchmarking */
	{ { 198, 51, 100 }, 24 }, /* TEST-NET-2 */
	{ { 203, 0, 113 }, 24 },  /* TEST-NET-3 */
	{ { 224 }, 4 },		  /* multicast */
	{ { 240 }, 4 },		  /* reserved, and the broadcast */
};

/*
 * IPv6: global unicast (2000::/3) only, less its special-purpose parts
 * (RFC 6890, 3849, 9637, 3056): the rest of the space (loopback,
 * IPv4-mapped, ULA fc00::/7, link-local, multicast) is outside it.
 */
static const struct net v6_special[] = {
	{ { 0x20, 0x01, 0x00, 0x00 }, 23 }, /* IETF protocol assignments */
	{ { 0x20, 0x01, 0x0d, 0xb8 }, 32 }, /* documentation */
	{ { 0x20, 0x02 }, 16 },		    /* 6to4 */
	{ { 0x3f, 0xff, 0x00 }, 20 },	    /* documentation (RFC 9637) */
};

int
geo_public(const void *addr, size_t len)
{
	const uint8_t *a = addr;
	const struct net *v;
	size_t i, n;

	if (len == 4) {
		v = v4_special;
		n = sizeof(v4_special) / sizeof(v4_special[0]);
	} else if (len == 16) {
		if ((a[0] & 0xe0) != 0x20)
			return 0;
		v = v6_special;
		n = sizeof(v6_special) / sizeof(v6_special[0]);
	} else
		return 0;
	for (i = 0; i < n; i++)
		if (in_net(a, v[i].p, v[i].bits))
			return 0;
	return 1;
}

/* A string of the database, cut to fit and NUL-ended. */
static void
copy_str(char *dst, size_t cap, const char *s, size_t n)
{
	if (n > cap - 1)
		n = cap - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

static void
mm_str(MMDB_entry_s *e, char *dst, size_t cap, const char *const *path)
{
	MMDB_entry_data_s d;

	if (MMDB_aget_value(e, &d, path) == MMDB_SUCCESS && d.has_data &&
	    d.type == MMDB_DATA_TYPE_UTF8_STRING)
		copy_str(dst, cap, d.utf8_string, d.data_size);
}

static int
mm_bool(MMDB_entry_s *e, const char *const *path)
{
	MMDB_entry_data_s d;

	return MMDB_aget_value(e, &d, path) == MMDB_SUCCESS && d.has_data &&
	    d.type == MMDB_DATA_TYPE_BOOLEAN && d.boolean;
}

static int
mm_lookup(struct geo *g, const uint8_t *a, size_t len, struct geo_info *gi)
{
	static const char *const iso[] = { "country", "iso_code", NULL };
	static const char *const reg[] = { "registered_country", "iso_code",
		NULL };
	static const char *const cname[] = { "country", "names", "en", NULL };
	static const char *const asn[] = { "autonomous_system_number", NULL };
	static const char *const org[] = { "autonomous_system_organization",
		NULL };
	static const char *const any[] = { "traits", "is_anycast", NULL };
	static const char *const anon[] = { "traits", "is_anonymous_proxy",
		NULL };
	static const char *const sat[] = { "traits", "is_satellite_provider",
		NULL };
	struct sockaddr_in6 s6;
	struct sockaddr_in s4;
	MMDB_lookup_result_s r;
	MMDB_entry_data_s d;
	int err = 0;

	if (len == 4) {
		memset(&s4, 0, sizeof(s4));
		s4.sin_family = AF_INET;
		memcpy(&s4.sin_addr, a, 4);
		r = MMDB_lookup_sockaddr(
		    &g->mmdb, (struct sockaddr *)&s4, &err);
	} else {
		memset(&s6, 0, sizeof(s6));
		s6.sin6_family = AF_INET6;
		memcpy(&s6.sin6_addr, a, 16);
		r = MMDB_lookup_sockaddr(
		    &g->mmdb, (struct sockaddr *)&s6, &err);
	}
	if (err != MMDB_SUCCESS || !r.found_entry)
		return 0;
	mm_str(&r.entry, gi->country, sizeof(gi->country), iso);
	if (gi->country[0] == '\0')
		mm_str(&r.entry, gi->country, sizeof(gi->country), reg);
	mm_str(&r.entry, gi->country_name, sizeof(gi->country_name), cname);
	if (MMDB_aget_value(&r.entry, &d, asn) == MMDB_SUCCESS && d.has_data) {
		if (d.type == MMDB_DATA_TYPE_UINT32)
			gi->asn = d.uint32;
		else if (d.type == MMDB_DATA_TYPE_UINT16)
			gi->asn = d.uint16;
	}
	mm_str(&r.entry, gi->as_name, sizeof(gi->as_name), org);
	gi->flags = (mm_bool(&r.entry, any) ? GEO_ANYCAST : 0) |
	    (mm_bool(&r.entry, anon) ? GEO_ANON_PROXY : 0) |
	    (mm_bool(&r.entry, sat) ? GEO_SATELLITE : 0);
	return gi->country[0] != '\0' || gi->asn != 0 || gi->as_name[0] != '\0';
}

static int
loc_lookup(struct geo *g, const uint8_t *a, size_t len, struct geo_info *gi)
{
	struct loc_network *n = NULL;
	struct loc_country *c = NULL;
	struct loc_as *as = NULL;
	struct in6_addr in;
	const char *s;

	/* libloc keeps IPv4 as IPv4-mapped IPv6 */
	memset(&in, 0, sizeof(in));
	if (len == 4) {
		in.s6_addr[10] = in.s6_addr[11] = 0xff;
		memcpy(&in.s6_addr[12], a, 4);
	} else
		memcpy(&in, a, 16);
	if (loc_database_lookup(g->ldb, &in, &n) != 0 || n == NULL)
		return 0;
	s = loc_network_get_country_code(n);
	/* libloc's A1-A3 and XD are flags, not countries */
	if (s != NULL && strlen(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' &&
	    !(s[0] == 'A' && s[1] >= '1' && s[1] <= '3') &&
	    strcmp(s, "XD") != 0) {
		copy_str(gi->country, sizeof(gi->country), s, 2);
		if (loc_database_get_country(g->ldb, &c, s) == 0 && c != NULL) {
			if ((s = loc_country_get_name(c)) != NULL)
				copy_str(gi->country_name,
				    sizeof(gi->country_name), s, strlen(s));
			loc_country_unref(c);
		}
	}
	gi->asn = loc_network_get_asn(n);
	if (gi->asn != 0 && loc_database_get_as(g->ldb, &as, gi->asn) == 0 &&
	    as != NULL) {
		if ((s = loc_as_get_name(as)) != NULL)
			copy_str(
			    gi->as_name, sizeof(gi->as_name), s, strlen(s));
		loc_as_unref(as);
	}
	gi->flags =
	    (loc_network_has_flag(n, LOC_NETWORK_FLAG_ANYCAST) ? GEO_ANYCAST
							       : 0) |
	    (loc_network_has_flag(n, LOC_NETWORK_FLAG_ANONYMOUS_PROXY)
		    ? GEO_ANON_PROXY
		    : 0) |
	    (loc_network_has_flag(n, LOC_NETWORK_FLAG_SATELLITE_PROVIDER)
		    ? GEO_SATELLITE
		    : 0);
	loc_network_unref(n);
	return gi->country[0] != '\0' || gi->asn != 0 || gi->flags != 0;
}

const struct geo_info *
geo_find(struct geo *g, const void *addr, size_t len)
{
	struct geo_entry k, *e;
	uint32_t h;
	size_t at;

	if (g == NULL || !geo_public(addr, len))
		return NULL;
	memset(&k, 0, offsetof(struct geo_entry, used));
	memcpy(k.addr, addr, len);
	k.af = len == 4 ? 4 : 6;
	h = tab_hash(&g->t, &k);
	g->clock++;
	if ((e = tab_find_h(&g->t, &k, h, &at)) != NULL) {
		g->hits++;
		e->used = g->clock;
		return e->known ? &e->info : NULL;
	}
	g->misses++;
	if (g->t.count >= g->t.cap) {
		tab_evict(&g->t, offsetof(struct geo_entry, used));
	}
	e = tab_insert_h(&g->t, &k, h);
	e->used = g->clock;
	e->known = g->bk == BK_MMDB ? mm_lookup(g, addr, len, &e->info)
				    : loc_lookup(g, addr, len, &e->info);
	return e->known ? &e->info : NULL;
}

const struct geo_info *
geo_find_obj(struct geo *g, const msgpack_object *addr)
{
	if (g == NULL || addr == NULL || addr->type != MSGPACK_OBJECT_BIN ||
	    (addr->via.bin.size != 4 && addr->via.bin.size != 16))
		return NULL;
	return geo_find(g, addr->via.bin.ptr, addr->via.bin.size);
}

static void
obj_str(const msgpack_object *map, const char *key, char *dst, size_t cap)
{
	const msgpack_object *v = rec_get(map, key);

	if (v != NULL && v->type == MSGPACK_OBJECT_STR)
		copy_str(dst, cap, v->via.str.ptr, v->via.str.size);
}

static int
obj_true(const msgpack_object *map, const char *key)
{
	const msgpack_object *v = rec_get(map, key);

	return v != NULL && v->type == MSGPACK_OBJECT_BOOLEAN && v->via.boolean;
}

int
geo_info_obj(const msgpack_object *map, struct geo_info *gi)
{
	uint64_t asn = 0;

	memset(gi, 0, sizeof(*gi));
	if (map == NULL || map->type != MSGPACK_OBJECT_MAP)
		return 0;
	obj_str(map, "country", gi->country, sizeof(gi->country));
	obj_str(map, "as_name", gi->as_name, sizeof(gi->as_name));
	if (rec_get_u64(map, "asn", &asn) && asn <= UINT32_MAX)
		gi->asn = (uint32_t)asn;
	gi->flags = (obj_true(map, "anycast") ? GEO_ANYCAST : 0) |
	    (obj_true(map, "anon_proxy") ? GEO_ANON_PROXY : 0) |
	    (obj_true(map, "satellite") ? GEO_SATELLITE : 0);
	return gi->country[0] != '\0' || gi->asn != 0 ||
	    gi->as_name[0] != '\0' || gi->flags != 0;
}

void
geo_pack(struct pk *pk, const char *key, const struct geo_info *gi)
{
	pk_cstr(pk, key);
	pk_map_open(pk);
	if (gi->country[0] != '\0')
		pk_kstr(pk, "country", gi->country);
	if (gi->asn != 0)
		pk_ku(pk, "asn", gi->asn);
	if (gi->as_name[0] != '\0')
		pk_kstr(pk, "as_name", gi->as_name);
	if (gi->flags & GEO_ANYCAST)
		pk_kbool(pk, "anycast", 1);
	if (gi->flags & GEO_ANON_PROXY)
		pk_kbool(pk, "anon_proxy", 1);
	if (gi->flags & GEO_SATELLITE)
		pk_kbool(pk, "satellite", 1);
	pk_close(pk);
}

size_t
geo_text(char *buf, size_t len, const struct geo_info *gi)
{
	int n;

	n = snprintf(buf, len, "%s%s", gi->country,
	    gi->country[0] != '\0' && gi->asn != 0 ? " " : "");
	if (n >= 0 && (size_t)n < len && gi->asn != 0)
		n += snprintf(buf + n, len - (size_t)n, "AS%u%s%s",
		    (unsigned)gi->asn, gi->as_name[0] != '\0' ? " " : "",
		    gi->as_name);
	/* the flags, as the database says them */
	if (n >= 0 && (size_t)n < len && gi->flags != 0)
		n += snprintf(buf + n, len - (size_t)n, "%s(%s%s%s%s%s)",
		    n > 0 ? " " : "", gi->flags & GEO_ANYCAST ? "anycast" : "",
		    gi->flags & GEO_ANYCAST && gi->flags & ~GEO_ANYCAST ? ", "
									: "",
		    gi->flags & GEO_ANON_PROXY ? "anonymous proxy" : "",
		    gi->flags & GEO_ANON_PROXY && gi->flags & GEO_SATELLITE
			? ", "
			: "",
		    gi->flags & GEO_SATELLITE ? "satellite" : "");
	if (n < 0)
		return buf[0] = '\0', 0;
	return (size_t)n < len ? (size_t)n : len - 1;
}

uint64_t
geo_hits(const struct geo *g)
{
	return g != NULL ? g->hits : 0;
}

uint64_t
geo_misses(const struct geo *g)
{
	return g != NULL ? g->misses : 0;
}

const char *
geo_path(const struct geo *g)
{
	return g->path;
}

const char *
geo_terms(const struct geo *g)
{
	return g->ipfire ? GEO_LIBLOC_TERMS : NULL;
}

static const char *
default_path(void)
{
	const char *p = getenv("NM_GEO_DEFAULT");

	return p != NULL && *p != '\0' ? p : GEO_LIBLOC_DB;
}

/*
 * libloc 0.9 trusts the offsets in its file: a truncated or damaged one
 * sends it reading outside the mapping (a crash).  So the file is checked
 * first, as a whole: every section inside the file, the string pool
 * ending in a NUL (so every string that starts in it ends in it), every
 * string and AS reference inside its section, every tree node's children
 * and network inside theirs.  Big-endian throughout, as libloc writes.
 */
#define LOC_HDR_OFF   8 /* after the magic and version */
#define LOC_NODE_SIZE 12
#define LOC_NET_SIZE  12
#define LOC_AS_SIZE   8
#define LOC_CC_SIZE   8

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

struct loc_sect {
	uint32_t off, len;
};

static int
loc_check(int fd)
{
	/* created_at, vendor, description, license, 5 sections, 2 lengths */
	uint8_t h[LOC_HDR_OFF + 8 + 12 + 40 + 4];
	struct loc_sect as, nd, nt, cc, pool;
	const uint8_t *m, *e;
	struct stat sb;
	uint64_t i, nnodes, nnets;
	int ok = 0;

	if (fstat(fd, &sb) != 0 || sb.st_size < (off_t)sizeof(h) ||
	    sb.st_size > (off_t)UINT32_MAX ||
	    pread(fd, h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
	    memcmp(h, "LOCDBXX", 7) != 0 || h[7] != 1)
		return -1;
	as = (struct loc_sect){ be32(h + 28), be32(h + 32) };
	nd = (struct loc_sect){ be32(h + 36), be32(h + 40) };
	nt = (struct loc_sect){ be32(h + 44), be32(h + 48) };
	cc = (struct loc_sect){ be32(h + 52), be32(h + 56) };
	pool = (struct loc_sect){ be32(h + 60), be32(h + 64) };
	if ((uint64_t)as.off + as.len > (uint64_t)sb.st_size ||
	    (uint64_t)nd.off + nd.len > (uint64_t)sb.st_size ||
	    (uint64_t)nt.off + nt.len > (uint64_t)sb.st_size ||
	    (uint64_t)cc.off + cc.len > (uint64_t)sb.st_size ||
	    (uint64_t)pool.off + pool.len > (uint64_t)sb.st_size ||
	    pool.len == 0 || nt.len == 0 || as.len % LOC_AS_SIZE != 0 ||
	    nd.len % LOC_NET_SIZE != 0 || nt.len % LOC_NODE_SIZE != 0 ||
	    cc.len % LOC_CC_SIZE != 0 || ((h[68] << 8) | h[69]) > 2048 ||
	    ((h[70] << 8) | h[71]) > 2048)
		return -1;
	/* vendor, description, licence: strings of the pool */
	if (be32(h + 16) >= pool.len || be32(h + 20) >= pool.len ||
	    be32(h + 24) >= pool.len)
		return -1;
	m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED)
		return -1;
	if (m[pool.off + pool.len - 1] != '\0')
		goto out;
	for (e = m + as.off; e < m + as.off + as.len; e += LOC_AS_SIZE)
		if (be32(e + 4) >= pool.len)
			goto out;
	for (e = m + cc.off; e < m + cc.off + cc.len; e += LOC_CC_SIZE)
		if (be32(e + 4) >= pool.len)
			goto out;
	nnodes = nt.len / LOC_NODE_SIZE;
	nnets = nd.len / LOC_NET_SIZE;
	for (i = 0, e = m + nt.off; i < nnodes; i++, e += LOC_NODE_SIZE) {
		/* a leaf's network is all ones when it has none */
		if (be32(e) >= nnodes || be32(e + 4) >= nnodes ||
		    (be32(e + 8) != UINT32_MAX && be32(e + 8) >= nnets))
			goto out;
	}
	ok = 1;
out:
	munmap((void *)(uintptr_t)m, (size_t)sb.st_size);
	return ok ? 0 : -1;
}

/* libloc's own messages would be a second line: it is told to keep quiet */
static struct geo *loc_open_db; /* closed at exit (see close_at_exit) */

/*
 * libloc reads its file through a FILE of its own, which stdio would wind
 * back with lseek at exit (a call the sandbox refuses): the database is
 * let go before that, by an exit handler (they run before stdio's).
 */
static void
close_at_exit(void)
{
	if (loc_open_db != NULL && loc_open_db->ldb != NULL) {
		loc_database_unref(loc_open_db->ldb);
		loc_open_db->ldb = NULL;
	}
}

static int
open_libloc(struct geo *g, const char *path)
{
	const char *v;

	if (loc_new(&g->lctx) != 0)
		nm_die(NM_EXIT_FAIL, "%s: libloc: cannot start", path);
	loc_set_log_priority(g->lctx, 0);
	if (loc_database_new(g->lctx, &g->ldb, g->lf) != 0 || g->ldb == NULL)
		return -1;
	if (loc_open_db == NULL)
		atexit(close_at_exit);
	loc_open_db = g;
	v = loc_database_get_vendor(g->ldb);
	g->ipfire = v != NULL && strstr(v, "IPFire") != NULL;
	return 0;
}

struct geo *
geo_open(const char *arg, int hint)
{
	const char *path = arg;
	struct geo *g;
	int r, fd;

	if (arg != NULL && strcmp(arg, "off") == 0)
		return NULL;
	if (arg == NULL || strcmp(arg, "auto") == 0) {
		path = default_path();
		if (access(path, R_OK) != 0) {
			if (hint)
				nm_warn("no geolocation database (%s): "
					"apt-get install libloc-database, "
					"or --geo FILE.mmdb",
				    path);
			return NULL;
		}
	}
	/* a missing file is told apart from one that is no database */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		nm_die(NM_EXIT_NOSOURCE, "--geo %s: %s", path, strerror(errno));
	g = ecalloc(1, sizeof(*g));
	g->path = estrdup(path);
	if ((r = MMDB_open(path, MMDB_MODE_MMAP, &g->mmdb)) == MMDB_SUCCESS)
		g->bk = BK_MMDB;
	else if (r != MMDB_INVALID_METADATA_ERROR)
		nm_die(NM_EXIT_FAIL, "--geo %s: not a usable MaxMind DB: %s",
		    path, MMDB_strerror(r));
	else {
		g->bk = BK_LIBLOC;
		if (loc_check(fd) != 0)
			nm_die(NM_EXIT_FAIL,
			    "--geo %s: neither a MaxMind DB nor a sound libloc "
			    "database",
			    path);
		if ((g->lf = fdopen(fd, "r")) == NULL)
			nm_die(NM_EXIT_FAIL, "--geo %s: %s", path,
			    strerror(errno));
		fd = -1;
		/*
		 * Unbuffered: a read stream with a buffer is wound back
		 * with lseek at exit, a call the sandbox does not allow.
		 */
		setvbuf(g->lf, NULL, _IONBF, 0);
		if (open_libloc(g, path) != 0)
			nm_die(NM_EXIT_FAIL,
			    "--geo %s: neither a MaxMind DB nor a libloc "
			    "database",
			    path);
	}
	if (fd >= 0)
		close(fd);
	tab_init(&g->t, sizeof(struct geo_entry),
	    offsetof(struct geo_entry, used), GEO_CACHE_MAX);
	return g;
}

void
geo_close(struct geo *g)
{
	if (g == NULL)
		return;
	if (g->bk == BK_MMDB)
		MMDB_close(&g->mmdb);
	else {
		if (g->ldb != NULL)
			loc_database_unref(g->ldb);
		loc_unref(g->lctx);
		if (loc_open_db == g)
			loc_open_db = NULL;
	}
	if (g->lf != NULL)
		fclose(g->lf);
	tab_free(&g->t);
	free(g->path);
	free(g);
}

void
geo_version(const char *prog, const char *arg)
{
	const char *path = arg;
	struct geo *g;

	if (arg != NULL && strcmp(arg, "off") == 0) {
		printf("%s %s\n", prog, NM_VERSION);
		return;
	}
	if (arg == NULL || strcmp(arg, "auto") == 0) {
		path = default_path();
		if (access(path, R_OK) != 0) {
			printf("%s %s\ngeolocation: none (apt-get install "
			       "libloc-database, or --geo FILE.mmdb)\n",
			    prog, NM_VERSION);
			return;
		}
	}
	g = geo_open(path, 0); /* a bad file is said before the version */
	printf("%s %s\ngeolocation: %s (%s)\n", prog, NM_VERSION, path,
	    geo_terms(g) != NULL   ? geo_terms(g)
		: g->bk == BK_MMDB ? g->mmdb.metadata.database_type
				   : "libloc");
	geo_close(g);
}
