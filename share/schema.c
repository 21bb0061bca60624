/*
 * The record schema in use: record type names, the type of every known key
 * (from the REC_KEYS list in rec.h, looked up through a small hash table),
 * and the validator that every reader runs on every record of a known type,
 * so that a stage can trust the type of any known key it finds.
 */
#include <stdio.h>
#include <string.h>

#include "rec.h"

static const char *type_names[REC_NTYPES] = {
	[REC_UNKNOWN] = "unknown",
#define X(e, s) [REC_##e] = s,
	REC_TYPES(X)
#undef X
};

struct key_def {
	const char	*path;
	enum key_type	 type, elem;
};

static const struct key_def key_defs[] = {
#define X(p, t, e) { p, t, e },
	REC_KEYS(X)
#undef X
};
#define NKEYS (sizeof(key_defs) / sizeof(key_defs[0]))

#define HSIZE 512	/* power of two, well above 2 * NKEYS */
static const struct key_def *htab[HSIZE];

enum rec_type
rec_type_of(const char *s, size_t n)
{
	int t;

	for (t = 1; t < REC_NTYPES; t++)
		if (strlen(type_names[t]) == n && memcmp(type_names[t], s, n) == 0)
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

static unsigned
hash(const char *s, size_t n)
{
	unsigned h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static void
build(void)
{
	size_t i;
	unsigned h;

	for (i = 0; i < NKEYS; i++) {
		h = hash(key_defs[i].path, strlen(key_defs[i].path));
		while (htab[h & (HSIZE - 1)] != NULL)
			h++;
		htab[h & (HSIZE - 1)] = &key_defs[i];
	}
}

enum key_type
rec_key_type(const char *path, size_t n, enum key_type *elem)
{
	const struct key_def *d;
	unsigned h;

	if (htab[hash("type", 4) & (HSIZE - 1)] == NULL)
		build();
	for (h = hash(path, n);; h++) {
		d = htab[h & (HSIZE - 1)];
		if (d == NULL)
			break;
		if (strlen(d->path) == n && memcmp(d->path, path, n) == 0) {
			if (elem)
				*elem = d->elem;
			return d->type;
		}
	}
	if (elem)
		*elem = KT_NONE;
	return KT_NONE;
}

static const char *
kt_name(enum key_type t)
{
	switch (t) {
	case KT_STR:	return "a string";
	case KT_UINT:	return "an unsigned integer";
	case KT_INT:	return "an integer";
	case KT_NUM:	return "a number";
	case KT_BOOL:	return "a boolean";
	case KT_BIN:	return "bytes";
	case KT_ADDR:	return "an address (bytes)";
	case KT_MAP:	return "a map";
	case KT_ARRAY:	return "an array";
	default:	return "anything";
	}
}

static const char *
obj_name(const msgpack_object *o)
{
	switch (o->type) {
	case MSGPACK_OBJECT_NIL:		return "nil";
	case MSGPACK_OBJECT_BOOLEAN:		return "a boolean";
	case MSGPACK_OBJECT_POSITIVE_INTEGER:	return "an unsigned integer";
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:	return "a negative integer";
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64:		return "a float";
	case MSGPACK_OBJECT_STR:		return "a string";
	case MSGPACK_OBJECT_ARRAY:		return "an array";
	case MSGPACK_OBJECT_MAP:		return "a map";
	case MSGPACK_OBJECT_BIN:		return "bytes";
	default:				return "an extension";
	}
}

static int
type_ok(enum key_type t, const msgpack_object *o)
{
	switch (t) {
	case KT_STR:
		return o->type == MSGPACK_OBJECT_STR;
	case KT_UINT:
		return o->type == MSGPACK_OBJECT_POSITIVE_INTEGER;
	case KT_INT:
		return o->type == MSGPACK_OBJECT_POSITIVE_INTEGER ||
		    o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER;
	case KT_NUM:
		return o->type == MSGPACK_OBJECT_POSITIVE_INTEGER ||
		    o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER ||
		    o->type == MSGPACK_OBJECT_FLOAT32 ||
		    o->type == MSGPACK_OBJECT_FLOAT64;
	case KT_BOOL:
		return o->type == MSGPACK_OBJECT_BOOLEAN;
	case KT_BIN:
		return o->type == MSGPACK_OBJECT_BIN;
	case KT_ADDR:
		return o->type == MSGPACK_OBJECT_BIN && o->via.bin.size > 0 &&
		    o->via.bin.size <= 64;
	case KT_MAP:
		return o->type == MSGPACK_OBJECT_MAP;
	case KT_ARRAY:
		return o->type == MSGPACK_OBJECT_ARRAY;
	default:
		return 1;
	}
}

static int check_map(const msgpack_object *, char *, size_t, char *, size_t);

static int
check_value(enum key_type t, const msgpack_object *v, char *path,
    size_t plen, char *why, size_t whylen)
{
	if (!type_ok(t, v)) {
		snprintf(why, whylen, "key '%.*s' must be %s, not %s",
		    (int)plen, path, kt_name(t), obj_name(v));
		return -1;
	}
	if (t == KT_MAP)
		return check_map(v, path, plen, why, whylen);
	return 0;
}

/* path holds the map's own path in its first plen bytes (256 bytes long). */
static int
check_map(const msgpack_object *map, char *path, size_t plen, char *why,
    size_t whylen)
{
	const msgpack_object_kv *kv;
	enum key_type t, elem;
	size_t i, j, n;

	for (i = 0; i < map->via.map.size; i++) {
		kv = &map->via.map.ptr[i];
		if (kv->key.type != MSGPACK_OBJECT_STR)
			continue;	/* not ours: no known key is one */
		n = plen + (plen ? 1 : 0) + kv->key.via.str.size;
		if (n >= 256)
			continue;
		if (plen)
			path[plen] = '.';
		memcpy(path + n - kv->key.via.str.size, kv->key.via.str.ptr,
		    kv->key.via.str.size);
		t = rec_key_type(path, n, &elem);
		if (t == KT_NONE)
			continue;
		if (check_value(t, &kv->val, path, n, why, whylen) == -1)
			return -1;
		if (t != KT_ARRAY || elem == KT_NONE)
			continue;
		for (j = 0; j < kv->val.via.array.size; j++)
			if (check_value(elem, &kv->val.via.array.ptr[j], path,
			    n, why, whylen) == -1)
				return -1;
	}
	return 0;
}

int
rec_validate(const msgpack_object *map, char *why, size_t whylen)
{
	char path[256];

	if (map->type != MSGPACK_OBJECT_MAP) {
		snprintf(why, whylen, "a record must be a map, not %s",
		    obj_name(map));
		return -1;
	}
	return check_map(map, path, 0, why, whylen);
}
