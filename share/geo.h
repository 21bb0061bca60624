/*
 * Where addresses are: the country, autonomous system and flags (anycast,
 * anonymous proxy, satellite) of a public address, from a local database
 * the user has: libloc's (Debian's libloc-database, the IPFire Location
 * database) or a MaxMind-format .mmdb file (GeoLite2, DB-IP lite) read
 * through libmaxminddb.  Nothing is ever fetched: no database, nothing
 * shown, and one line saying how to install one.
 *
 * The database is opened before the sandbox (libmaxminddb maps the file;
 * libloc maps it from a FILE opened here) and lookups afterwards are
 * reads of memory alone.  Only public addresses are looked up: the
 * special-purpose ranges of RFC 6890 and its successors (private,
 * loopback, link-local, CGNAT, ULA, multicast, documentation...) are
 * nowhere on a map.  Each address is looked up once and the answer,
 * found or not, kept in a bounded table (share/tab.h: a keyed hash,
 * oldest use evicted when full), whose hits and misses are counted.
 *
 * share/geo.c is not in libnm.a: only the programs that show or write
 * geolocation (nm-stats, nm-render, nm-monitor) link it and its two
 * libraries (GEO_LIBS in the Makefile).
 */
#ifndef GEO_H
#define GEO_H

#include <stddef.h>
#include <stdint.h>
#include <msgpack.h>

#include "pk.h"

/* libloc's database where Debian's libloc-database puts it */
#define GEO_LIBLOC_DB	 "/usr/share/libloc-location/location.db"
#define GEO_CACHE_MAX	 16384 /* addresses remembered */
#define GEO_AS_NAME_MAX	 95    /* bytes of an AS name kept (cut there) */
#define GEO_CNAME_MAX	 63    /* bytes of a country name kept */
#define GEO_LIBLOC_TERMS "IPFire Location database, CC BY-SA 4.0"

enum { GEO_ANYCAST = 1, GEO_ANON_PROXY = 2, GEO_SATELLITE = 4 };

struct geo_info {
	char country[3]; /* ISO 3166-1 alpha-2, or "" */
	uint32_t asn;	 /* 0: none known */
	unsigned flags;	 /* GEO_ bits */
	char as_name[GEO_AS_NAME_MAX + 1];
	char country_name[GEO_CNAME_MAX + 1]; /* in English, or "" */
};

struct geo;

/*
 * Opens what --geo names: NULL or "auto" is libloc's database when it is
 * installed (NM_GEO_DEFAULT, when set, is looked for instead: for tests),
 * else none; "off" is none; anything else a file, a MaxMind DB if
 * libmaxminddb opens it, else libloc's format.  A file that is missing
 * or unreadable is one line and NM_EXIT_NOSOURCE; one that is neither
 * database, one line and NM_EXIT_FAIL.  Returns NULL for none; with
 * hint set, "auto" without a database says once how to get one.
 */
struct geo *geo_open(const char *arg, int hint);
void geo_close(struct geo *);
/* The database's path, and what its licence asks to be said (or NULL). */
const char *geo_path(const struct geo *);
const char *geo_terms(const struct geo *);
/*
 * --version: "prog VERSION", then "geolocation: PATH (terms)" (for libloc's
 * database, the terms of its licence; for a MaxMind DB, its type), or how
 * to get a database.
 */
void geo_version(const char *prog, const char *arg);

/* A public address (4 or 16 bytes): one a database could place. */
int geo_public(const void *addr, size_t len);
/*
 * What the database says of addr (4 or 16 bytes), or NULL: not public,
 * or nothing known.  The answer is the cache's: valid until the next
 * call.  g may be NULL (no database: always NULL).
 */
const struct geo_info *geo_find(struct geo *g, const void *addr, size_t len);
/* The same for a KT_ADDR value of a record (a BIN object). */
const struct geo_info *geo_find_obj(struct geo *g, const msgpack_object *addr);
/*
 * A record's geo map read back into gi (strings cut to fit); 0 when it
 * is no map or says nothing.
 */
int geo_info_obj(const msgpack_object *map, struct geo_info *gi);
/* key: {country, asn, as_name, anycast, anon_proxy, satellite} */
void geo_pack(struct pk *, const char *key, const struct geo_info *);
/* "DE AS3320 Deutsche Telekom AG" into buf (at least 1 byte); its length */
size_t geo_text(char *buf, size_t len, const struct geo_info *);
/* The cache's figures, for the end record and tests. */
uint64_t geo_hits(const struct geo *);
uint64_t geo_misses(const struct geo *);

#endif
