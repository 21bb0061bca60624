/*
 * Lookups on the msgpack_object trees the reader hands out: a key of a
 * map, a dotted path through nested maps, and a value of a given type.
 */
#include <stdint.h>
#include <string.h>

#include "rec.h"

const msgpack_object *
rec_get(const msgpack_object *map, const char *key)
{
	size_t n = strlen(key);
	uint32_t i;
	const msgpack_object_kv *kv;

	if (map == NULL || map->type != MSGPACK_OBJECT_MAP)
		return NULL;
	for (i = 0; i < map->via.map.size; i++) {
		kv = &map->via.map.ptr[i];
		if (kv->key.type == MSGPACK_OBJECT_STR &&
		    kv->key.via.str.size == n &&
		    (n == 0 || kv->key.via.str.ptr[0] == key[0]) &&
		    memcmp(kv->key.via.str.ptr, key, n) == 0)
			return &kv->val;
	}
	return NULL;
}

const msgpack_object *
rec_path(const msgpack_object *map, const char *path)
{
	char part[64];
	const char *dot;
	size_t n;

	while (map != NULL && (dot = strchr(path, '.')) != NULL) {
		n = (size_t)(dot - path);
		if (n >= sizeof(part))
			return NULL;
		memcpy(part, path, n);
		part[n] = '\0';
		map = rec_get(map, part);
		path = dot + 1;
	}
	return rec_get(map, path);
}

int
rec_get_u64(const msgpack_object *map, const char *key, uint64_t *v)
{
	const msgpack_object *o = rec_get(map, key);

	if (o == NULL || o->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
		return 0;
	*v = o->via.u64;
	return 1;
}

int
rec_get_bool(const msgpack_object *map, const char *key, int *v)
{
	const msgpack_object *o = rec_get(map, key);

	if (o == NULL || o->type != MSGPACK_OBJECT_BOOLEAN)
		return 0;
	*v = o->via.boolean;
	return 1;
}

int
rec_get_str(const msgpack_object *map, const char *key, const char **s,
    size_t *n)
{
	const msgpack_object *o = rec_get(map, key);

	if (o == NULL || o->type != MSGPACK_OBJECT_STR)
		return 0;
	*s = o->via.str.ptr;
	*n = o->via.str.size;
	return 1;
}

int
rec_get_bin(const msgpack_object *map, const char *key, const uint8_t **p,
    size_t *n)
{
	const msgpack_object *o = rec_get(map, key);

	if (o == NULL || o->type != MSGPACK_OBJECT_BIN)
		return 0;
	*p = (const uint8_t *)o->via.bin.ptr;
	*n = o->via.bin.size;
	return 1;
}

int
rec_str_eq(const msgpack_object *o, const char *s)
{
	size_t n = strlen(s);

	return o != NULL && o->type == MSGPACK_OBJECT_STR &&
	    o->via.str.size == n && memcmp(o->via.str.ptr, s, n) == 0;
}
