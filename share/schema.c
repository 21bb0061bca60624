/*
 * The record schema in use: record type names, what REC_KEYS in rec.h says
 * of every known key (looked up through a small hash table), and the
 * validator that every reader runs on every record of a known type, so
 * that a stage can trust the type of any known key of that record type it
 * finds.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "rec.h"

static const char *type_names[REC_NTYPES] = { [REC_UNKNOWN] = "unknown",
#define X(e, s) [REC_##e] = s,
	REC_TYPES(X)
#undef X
};

/* in and by are filled in by build() from the S() lines of REC_KEYS */
static struct rec_key key_defs[] = {
#define S(in, by)
#define X(p, t, e, sh) { p, t, e, sh, 0, 0 },
	REC_KEYS(S, X)
#undef X
#undef S
};
#define NKEYS (sizeof(key_defs) / sizeof(key_defs[0]))

/*
 * Keys are looked up by (parent id, last path component), so walking a
 * record never builds path strings.  A key's id is its index in key_defs
 * plus one; the record itself is parent 0.  Every reader looks up every
 * key of every record, so the lookup is built for speed: a key's first
 * eight bytes are one word, hashed with one multiply and compared at once
 * (almost every key is that short); only longer keys compare the rest.
 */
struct key_slot {      /* small: the table stays in the cache */
	uint64_t word; /* first eight bytes, zero-padded */
	uint16_t id;   /* 0: empty */
	uint16_t parent;
	uint16_t len;
};

#define HBITS 11
#define HSIZE (1u << HBITS)
_Static_assert(2 * NKEYS <= HSIZE, "the key table is kept at most half full");
_Static_assert(NKEYS < UINT16_MAX, "key ids are 16 bits");
_Static_assert(REC_NTYPES <= 32, "a set of record types is one word");
static struct key_slot htab[HSIZE];
static int built;

static const size_t type_lens[REC_NTYPES] = {
	[REC_UNKNOWN] = sizeof("unknown") - 1,
#define X(e, s) [REC_##e] = sizeof(s) - 1,
	REC_TYPES(X)
#undef X
};

enum rec_type
rec_type_of(const char *s, size_t n)
{
	int t;

	/* every record asks: lengths and first bytes before the rest */
	for (t = 1; t < REC_NTYPES; t++)
		if (type_lens[t] == n && n > 0 && type_names[t][0] == s[0] &&
		    memcmp(type_names[t], s, n) == 0)
			return (enum rec_type)t;
	return REC_UNKNOWN;
}

const char *
rec_type_name(enum rec_type t)
{
	if ((int)t < 0 || t >= REC_NTYPES)
		return "unknown";
	return type_names[t];
}

uint64_t
rec_key_word(const char *s, size_t n)
{
	uint64_t w = 0;
	size_t i;

	for (i = 0; i < n && i < 8; i++)
		w |= (uint64_t)(unsigned char)s[i] << (8 * i);
	return w;
}

static unsigned
hash(uint64_t word, int parent, size_t n)
{
	uint64_t h = (word ^ (uint64_t)parent << 48 ^ (uint64_t)n << 56) *
	    0x9e3779b97f4a7c15ull;

	return (unsigned)(h >> (64 - HBITS));
}

/* The last component of a key's path. */
static const char *
key_name(int id)
{
	const char *dot = strrchr(key_defs[id - 1].path, '.');

	return dot ? dot + 1 : key_defs[id - 1].path;
}

static int
find(int parent, uint64_t w, const char *name, size_t n)
{
	const struct key_slot *k;
	unsigned h;

	for (h = hash(w, parent, n);; h++) {
		k = &htab[h & (HSIZE - 1)];
		if (k->id == 0)
			return 0;
		if (k->word == w && k->parent == parent && k->len == n &&
		    (n <= 8 ||
			memcmp(key_name(k->id) + 8, name + 8, n - 8) == 0))
			return k->id;
	}
}

/* The record types and writers of each key, from the S() before it. */
static void
fill_sections(void)
{
	unsigned in = 0, by = 0;
	size_t i = 0;

#define S(a, b)                                                                \
	in = (a);                                                              \
	by = (b);
#define X(p, t, e, sh)                                                         \
	key_defs[i].in = in;                                                   \
	key_defs[i].by = by;                                                   \
	i++;
	REC_KEYS(S, X)
#undef X
#undef S
}

static int
depth_of(const char *path)
{
	int d = 0;

	while ((path = strchr(path, '.')) != NULL) {
		path++;
		d++;
	}
	return d;
}

/*
 * Keys go in by depth, all of the record's first, then those one map
 * down, and so on: a key's parent is always in before it, in whatever
 * order REC_KEYS lists them.  A key whose parent is not listed (a slip in
 * REC_KEYS) is left out, and a second key of the same place is never
 * found: the unit test finds both, as rec_key_path() misses them.
 */
static void
build(void)
{
	const char *path, *dot;
	int parent, depth, maxdepth = 0;
	size_t i, n;
	unsigned h;

	fill_sections();
	for (i = 0; i < NKEYS; i++)
		if (depth_of(key_defs[i].path) > maxdepth)
			maxdepth = depth_of(key_defs[i].path);
	for (depth = 0; depth <= maxdepth; depth++)
		for (i = 0; i < NKEYS; i++) {
			path = key_defs[i].path;
			if (depth_of(path) != depth)
				continue;
			parent = 0;
			while ((dot = strchr(path, '.')) != NULL) {
				n = (size_t)(dot - path);
				if ((parent = find(parent,
					 rec_key_word(path, n), path, n)) == 0)
					break;
				path = dot + 1;
			}
			if (dot != NULL)
				continue; /* no parent */
			n = strlen(path);
			h = hash(rec_key_word(path, n), parent, n);
			while (htab[h & (HSIZE - 1)].id != 0)
				h++;
			htab[h & (HSIZE - 1)] =
			    (struct key_slot){ rec_key_word(path, n),
				    (uint16_t)(i + 1), (uint16_t)parent,
				    (uint16_t)n };
		}
	built = 1;
}

int
rec_key_find_word(int parent, uint64_t word, const char *name, size_t n,
    enum key_type *type, enum key_type *elem)
{
	int id;

	if (!built)
		build();
	if ((id = find(parent, word, name, n)) == 0) {
		*type = *elem = KT_NONE;
		return 0;
	}
	*type = key_defs[id - 1].type;
	*elem = key_defs[id - 1].elem;
	return id;
}

int
rec_key_find(int parent, const char *name, size_t n, enum key_type *type,
    enum key_type *elem)
{
	return rec_key_find_word(
	    parent, rec_key_word(name, n), name, n, type, elem);
}

int
rec_key_find_in(int parent, unsigned in, const char *name, size_t n,
    enum key_type *type, enum key_type *elem)
{
	int id = rec_key_find(parent, name, n, type, elem);

	if (id != 0 && !(key_defs[id - 1].in & in)) {
		*type = *elem = KT_NONE;
		return 0;
	}
	return id;
}

const struct rec_key *
rec_key(int id)
{
	if (!built)
		build();
	return &key_defs[id - 1];
}

int
rec_key_count(void)
{
	if (!built)
		build();
	return (int)NKEYS;
}

int
rec_key_path(const char *path)
{
	enum key_type t, elem;
	const char *dot;
	int id = 0;

	for (;;) {
		dot = strchr(path, '.');
		id = rec_key_find(id, path,
		    dot ? (size_t)(dot - path) : strlen(path), &t, &elem);
		if (id == 0 || dot == NULL)
			return id;
		path = dot + 1;
	}
}

static const char *
kt_name(enum key_type t)
{
	switch (t) {
	case KT_STR: return "a string";
	case KT_UINT: return "an unsigned integer";
	case KT_INT: return "an integer";
	case KT_NUM: return "a number";
	case KT_BOOL: return "a boolean";
	case KT_BIN: return "bytes";
	case KT_ADDR: return "an address (bytes)";
	case KT_MAP: return "a map";
	case KT_ARRAY: return "an array";
	default: return "anything";
	}
}

static const char *
obj_name(const msgpack_object *o)
{
	switch (o->type) {
	case MSGPACK_OBJECT_NIL: return "nil";
	case MSGPACK_OBJECT_BOOLEAN: return "a boolean";
	case MSGPACK_OBJECT_POSITIVE_INTEGER: return "an unsigned integer";
	case MSGPACK_OBJECT_NEGATIVE_INTEGER: return "a negative integer";
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64: return "a float";
	case MSGPACK_OBJECT_STR: return "a string";
	case MSGPACK_OBJECT_ARRAY: return "an array";
	case MSGPACK_OBJECT_MAP: return "a map";
	case MSGPACK_OBJECT_BIN: return "bytes";
	default: return "an extension";
	}
}

static int
check_value(
    enum key_type t, const msgpack_object *v, int id, char *why, size_t whylen)
{
	if (rec_type_ok(t, v))
		return 0;
	snprintf(why, whylen, "key '%s' must be %s, not %s",
	    key_defs[id - 1].path, kt_name(t), obj_name(v));
	return -1;
}

int
rec_check_key(int id, const msgpack_object *v, char *why, size_t whylen)
{
	const struct rec_key *k = &key_defs[id - 1];
	uint32_t j;

	if (check_value(k->type, v, id, why, whylen) == -1)
		return -1;
	if (k->type != KT_ARRAY || k->elem == KT_NONE)
		return 0;
	for (j = 0; j < v->via.array.size; j++)
		if (check_value(
			k->elem, &v->via.array.ptr[j], id, why, whylen) == -1)
			return -1;
	return 0;
}

/* in: the record's type, as an IN_ bit */
static int
check_map(const msgpack_object *map, int parent, unsigned in, char *why,
    size_t whylen)
{
	const msgpack_object_kv *kv;
	enum key_type t, elem;
	uint32_t i, j;
	int id;

	for (i = 0; i < map->via.map.size; i++) {
		kv = &map->via.map.ptr[i];
		if (kv->key.type != MSGPACK_OBJECT_STR)
			continue; /* not ours: no known key is one */
		id = rec_key_find(parent, kv->key.via.str.ptr,
		    kv->key.via.str.size, &t, &elem);
		if (id == 0 || !(key_defs[id - 1].in & in))
			continue; /* a user's key in this record type */
		if (rec_check_key(id, &kv->val, why, whylen) == -1)
			return -1;
		if (t == KT_MAP &&
		    check_map(&kv->val, id, in, why, whylen) == -1)
			return -1;
		if (t != KT_ARRAY || elem != KT_MAP)
			continue;
		for (j = 0; j < kv->val.via.array.size; j++)
			if (check_map(&kv->val.via.array.ptr[j], id, in, why,
				whylen) == -1)
				return -1;
	}
	return 0;
}

int
rec_validate(
    const msgpack_object *map, enum rec_type type, char *why, size_t whylen)
{
	if (map->type != MSGPACK_OBJECT_MAP) {
		snprintf(why, whylen, "a record must be a map, not %s",
		    obj_name(map));
		return -1;
	}
	return check_map(map, 0, REC_IN(type), why, whylen);
}
