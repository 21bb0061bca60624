/*
 * Lookups on the msgpack_object trees the reader hands out: a key of a
 * map, a dotted path through nested maps, and a value of a given type.
 */
#include <stdint.h>
#include <string.h>

#include "rec.h"

/*
 * The keys stages ask for are a few bytes long: compared here byte by
 * byte, after the length, rather than through memcmp().
 */
const msgpack_object *
rec_get_n(const msgpack_object *map, const char *key, size_t n)
{
	const msgpack_object_kv *kv;
	uint32_t i;
	size_t j;

	if (map == NULL || map->type != MSGPACK_OBJECT_MAP)
		return NULL;
	for (i = 0; i < map->via.map.size; i++) {
		kv = &map->via.map.ptr[i];
		if (kv->key.type != MSGPACK_OBJECT_STR ||
		    kv->key.via.str.size != n)
			continue;
		for (j = 0; j < n && kv->key.via.str.ptr[j] == key[j]; j++)
			continue;
		if (j == n)
			return &kv->val;
	}
	return NULL;
}

const msgpack_object *
rec_path(const msgpack_object *map, const char *path)
{
	const char *dot;

	while (map != NULL && (dot = strchr(path, '.')) != NULL) {
		map = rec_get_n(map, path, (size_t)(dot - path));
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
rec_get_str(
    const msgpack_object *map, const char *key, const char **s, size_t *n)
{
	const msgpack_object *o = rec_get(map, key);

	if (o == NULL || o->type != MSGPACK_OBJECT_STR)
		return 0;
	*s = o->via.str.ptr;
	*n = o->via.str.size;
	return 1;
}

int
rec_get_bin(
    const msgpack_object *map, const char *key, const uint8_t **p, size_t *n)
{
	const msgpack_object *o = rec_get(map, key);

	if (o == NULL || o->type != MSGPACK_OBJECT_BIN)
		return 0;
	*p = (const uint8_t *)o->via.bin.ptr;
	*n = o->via.bin.size;
	return 1;
}

uint64_t
rec_capture_start(const msgpack_object *hdr)
{
	const msgpack_object *srcs = rec_get(hdr, "sources");
	uint64_t t, start = 0;
	uint32_t i;

	if (srcs == NULL || srcs->type != MSGPACK_OBJECT_ARRAY)
		return 0;
	for (i = 0; i < srcs->via.array.size; i++)
		if (rec_get_u64(&srcs->via.array.ptr[i], "start", &t) &&
		    t != 0 && (start == 0 || t < start))
			start = t;
	return start;
}

uint32_t
rec_sources(const msgpack_object *hdr, const msgpack_object **srcs)
{
	const msgpack_object *a = rec_get(hdr, "sources");

	if (a == NULL || a->type != MSGPACK_OBJECT_ARRAY) {
		*srcs = NULL;
		return 0;
	}
	*srcs = a->via.array.ptr;
	return a->via.array.size;
}

size_t
rec_source_name(const msgpack_object *src, char *buf, size_t len)
{
	const char *name = "", *ns = "";
	size_t n = 0, nn = 0, k = 0;

	(void)rec_get_str(src, "name", &name, &n);
	/* "NETNS/IFACE", as nm-capture's -i names it, written once */
	if (rec_get_str(src, "netns", &ns, &nn) && nn > 0 &&
	    !(n > nn && name[nn] == '/' && memcmp(name, ns, nn) == 0)) {
		k = nn < len - 1 ? nn : len - 1;
		memcpy(buf, ns, k);
		if (k < len - 1)
			buf[k++] = '/';
	}
	if (n > len - 1 - k)
		n = len - 1 - k;
	memcpy(buf + k, name, n);
	k += n;
	/* "IFACE@SENSOR" when nm-pull says which sensor it is on */
	if (rec_get_str(src, "sensor", &ns, &nn) && nn > 0 && k < len - 1) {
		buf[k++] = '@';
		if (nn > len - 1 - k)
			nn = len - 1 - k;
		memcpy(buf + k, ns, nn);
		k += nn;
	}
	buf[k] = '\0';
	return k;
}

size_t
rec_source_ifname(const msgpack_object *src, char *buf, size_t len)
{
	const char *s;
	size_t n;

	if (rec_get_str(src, "ifname", &s, &n)) {
		if (n == 0) /* an interface of no name: tshark's word for it */
			s = "unknown", n = 7;
		if (n > len - 1)
			n = len - 1;
		memcpy(buf, s, n);
		buf[n] = '\0';
		return n;
	}
	if (rec_str_eq(rec_get(src, "kind"), "interface"))
		return rec_source_name(src, buf, len);
	buf[0] = '\0';
	return 0;
}

int
rec_str_eq(const msgpack_object *o, const char *s)
{
	size_t n = strlen(s);

	return o != NULL && o->type == MSGPACK_OBJECT_STR &&
	    o->via.str.size == n && memcmp(o->via.str.ptr, s, n) == 0;
}

double
rec_num(const msgpack_object *map, const char *path)
{
	const msgpack_object *v = rec_path(map, path);

	if (v == NULL)
		return 0;
	switch (v->type) {
	case MSGPACK_OBJECT_POSITIVE_INTEGER: return (double)v->via.u64;
	case MSGPACK_OBJECT_NEGATIVE_INTEGER: return (double)v->via.i64;
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64: return v->via.f64;
	default: return 0;
	}
}

int
rec_header_has_stage(const msgpack_object *hdr, const char *stage)
{
	const msgpack_object *st = rec_get(hdr, "stages");
	uint32_t i;

	if (st == NULL || st->type != MSGPACK_OBJECT_ARRAY)
		return 0;
	for (i = 0; i < st->via.array.size; i++)
		if (rec_str_eq(&st->via.array.ptr[i], stage))
			return 1;
	return 0;
}
