/*
 * The summary record: one span of capture time in figures that merge
 * (share/sketch.h).  nm-stats fills one from the packets it counts and
 * writes it per --summary-interval and at the end; nm-stats --merge reads
 * many, adds them up and writes the sums.  Counters (packets, bytes, per
 * protocol, per source, capture drops) add exactly; distinct hosts, ports
 * and connections are HyperLogLog sketches; heavy hosts, ports and
 * connections are Space-Saving; packet and connection sizes are
 * histograms.  A record read back is checked key by key: it comes from a
 * file or a bus, so nothing in it is trusted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nm.h"
#include "stats.h"

#define HOSTKEY 17 /* af, then 16 bytes of address */
#define PORTKEY 3  /* IP protocol, port (big-endian) */
#define FLOWKEY ((size_t)sizeof(struct flow_key))

void
summ_init(struct summ *s, size_t k, enum top_by by)
{
	summ_init_counting(s, k, k, by);
}

/*
 * Counting from packets keeps more counters than it writes: a key's err
 * is at most the total over the counters kept, and the k written are the
 * largest of them, so a record's lists are as tight as counters * 60
 * bytes of memory allow, not as its own k.  Every key not written has a
 * count of at most the smallest written (or the sketch's floor, which is
 * no larger), so what is written is a Space-Saving list of k itself.
 */
void
summ_init_counting(struct summ *s, size_t k, size_t counters, enum top_by by)
{
	memset(s, 0, sizeof(*s));
	s->by = by;
	s->k = k;
	if (counters < k)
		counters = k;
	ss_init(&s->hosts, counters, HOSTKEY);
	ss_init(&s->ports, counters, PORTKEY);
	ss_init(&s->flows, counters, FLOWKEY);
	summ_clear(s);
}

void
summ_free(struct summ *s)
{
	ss_free(&s->hosts);
	ss_free(&s->ports);
	ss_free(&s->flows);
}

void
summ_clear(struct summ *s)
{
	s->start = s->end = 0;
	s->final = 0;
	s->merged = 0;
	s->packets = s->bytes = s->nflows = 0;
	memset(s->proto, 0, sizeof(s->proto));
	s->nproto = 0;
	memset(s->src, 0, sizeof(s->src));
	s->nsrc = 0;
	hll_clear(&s->dhosts);
	hll_clear(&s->dports);
	hll_clear(&s->dflows);
	ss_clear(&s->hosts);
	ss_clear(&s->ports);
	ss_clear(&s->flows);
	hist_clear(&s->pkt);
	hist_clear(&s->fbytes);
	hist_clear(&s->fpkts);
}

static void
host_key(uint8_t *k, int af, const uint8_t *addr)
{
	memset(k, 0, HOSTKEY);
	k[0] = (uint8_t)af;
	memcpy(k + 1, addr, af == 6 ? 16 : 4);
}

void
summ_count(struct summ *s, uint64_t len, size_t src_slot)
{
	struct summ_src *c;

	s->packets++;
	s->bytes += len;
	hist_add(&s->pkt, len);
	if (src_slot >= SUMM_NSRC)
		src_slot = SUMM_NSRC - 1;
	c = &s->src[src_slot];
	c->packets++;
	c->bytes += len;
	if (src_slot >= s->nsrc)
		s->nsrc = src_slot + 1;
}

void
summ_proto(struct summ *s, size_t slot, const char *name, uint64_t len)
{
	if (slot >= ST_NPROTO)
		return;
	if (s->proto[slot].packets == 0)
		snprintf(s->proto[slot].name, ST_PROTOLEN, "%s", name);
	s->proto[slot].packets++;
	s->proto[slot].bytes += len;
	if (slot >= s->nproto)
		s->nproto = slot + 1;
}

void
summ_host(struct summ *s, struct host *h)
{
	uint64_t p = h->txp + h->rxp - h->sp, b = h->txb + h->rxb - h->sb;
	uint8_t k[HOSTKEY];

	if (p == 0)
		return;
	h->sp += p;
	h->sb += b;
	host_key(k, h->k.af, h->k.addr);
	ss_add(&s->hosts, k, s->by == TOP_BYTES ? b : p,
	    s->by == TOP_BYTES ? p : b);
	hll_add(&s->dhosts, k, HOSTKEY);
}

/* What a connection had since the span began, into the lists. */
static void
flow_delta(struct summ *s, const struct flow *f, uint64_t *p, uint64_t *b)
{
	*p = f->pkts[0] + f->pkts[1] - f->sp;
	*b = f->bytes[0] + f->bytes[1] - f->sb;
	if (*p == 0)
		return;
	ss_add(&s->flows, &f->k, s->by == TOP_BYTES ? *b : *p,
	    s->by == TOP_BYTES ? *p : *b);
	hll_add(&s->dflows, &f->k, FLOWKEY);
}

void
summ_flow_part(struct summ *s, struct flow *f)
{
	uint64_t p, b;

	flow_delta(s, f, &p, &b);
	f->sp += p;
	f->sb += b;
}

void
summ_flow(struct summ *s, const struct flow *f)
{
	uint64_t p, b;

	flow_delta(s, f, &p, &b);
	hist_add(&s->fbytes, f->bytes[0] + f->bytes[1]);
	hist_add(&s->fpkts, f->pkts[0] + f->pkts[1]);
}

void
summ_port(struct summ *s, unsigned proto, unsigned port, uint64_t packets,
    uint64_t bytes)
{
	uint8_t k[PORTKEY] = { (uint8_t)proto, (uint8_t)(port >> 8),
		(uint8_t)port };

	ss_add(&s->ports, k, s->by == TOP_BYTES ? bytes : packets,
	    s->by == TOP_BYTES ? packets : bytes);
}

void
summ_port_seen(struct summ *s, unsigned proto, unsigned port)
{
	uint8_t k[PORTKEY] = { (uint8_t)proto, (uint8_t)(port >> 8),
		(uint8_t)port };

	hll_add(&s->dports, k, PORTKEY);
}

/* --- merging --- */

static size_t
proto_slot(struct summ *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nproto; i++)
		if (strcmp(s->proto[i].name, name) == 0)
			return i;
	if (s->nproto < ST_NPROTO) {
		snprintf(s->proto[s->nproto].name, ST_PROTOLEN, "%s", name);
		return s->nproto++;
	}
	for (i = 0; i < s->nproto; i++)
		if (strcmp(s->proto[i].name, "other") == 0)
			return i;
	i = s->nproto - 1; /* the last name gives way, as in agg.c */
	snprintf(s->proto[i].name, ST_PROTOLEN, "other");
	return i;
}

static size_t
src_slot(struct summ *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nsrc; i++)
		if (strcmp(s->src[i].name, name) == 0)
			return i;
	if (s->nsrc < SUMM_NSRC) {
		snprintf(
		    s->src[s->nsrc].name, sizeof(s->src[0].name), "%s", name);
		return s->nsrc++;
	}
	i = SUMM_NSRC - 1;
	snprintf(s->src[i].name, sizeof(s->src[0].name), "other");
	return i;
}

static uint64_t
sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

void
summ_merge(struct summ *d, const struct summ *s)
{
	size_t i, j;

	if (d->merged == 0 || s->start < d->start)
		d->start = s->start;
	if (s->end > d->end)
		d->end = s->end;
	d->merged += s->merged ? s->merged : 1;
	d->packets = sat_add(d->packets, s->packets);
	d->bytes = sat_add(d->bytes, s->bytes);
	d->nflows = sat_add(d->nflows, s->nflows);
	for (i = 0; i < s->nproto; i++) {
		if (s->proto[i].packets == 0)
			continue;
		j = proto_slot(d, s->proto[i].name);
		d->proto[j].packets =
		    sat_add(d->proto[j].packets, s->proto[i].packets);
		d->proto[j].bytes =
		    sat_add(d->proto[j].bytes, s->proto[i].bytes);
	}
	for (i = 0; i < s->nsrc; i++) {
		j = src_slot(d, s->src[i].name);
		d->src[j].packets =
		    sat_add(d->src[j].packets, s->src[i].packets);
		d->src[j].bytes = sat_add(d->src[j].bytes, s->src[i].bytes);
		d->src[j].recv = sat_add(d->src[j].recv, s->src[i].recv);
		d->src[j].drop = sat_add(d->src[j].drop, s->src[i].drop);
		d->src[j].ifdrop = sat_add(d->src[j].ifdrop, s->src[i].ifdrop);
		d->src[j].capture |= s->src[i].capture;
	}
	hll_merge(&d->dhosts, &s->dhosts);
	hll_merge(&d->dports, &s->dports);
	hll_merge(&d->dflows, &s->dflows);
	ss_merge(&d->hosts, &s->hosts);
	ss_merge(&d->ports, &s->ports);
	ss_merge(&d->flows, &s->flows);
	hist_merge(&d->pkt, &s->pkt);
	hist_merge(&d->fbytes, &s->fbytes);
	hist_merge(&d->fpkts, &s->fpkts);
}

/* --- writing --- */

static void
write_ss(
    struct pk *pk, const char *key, const struct ss *ss, int kind, size_t most)
{
	const struct ss_entry **v;
	const uint8_t *k;
	size_t i, n;

	v = ss_sorted(ss, &n);
	if (n > most)
		n = most;
	pk_cstr(pk, key);
	pk_array_open(pk);
	for (i = 0; i < n; i++) {
		k = v[i]->key;
		pk_map_open(pk);
		if (kind == 0) {
			pk_kbin(pk, "addr", k + 1, k[0] == 6 ? 16 : 4);
		} else if (kind == 1) {
			pk_ku(pk, "proto", k[0]);
			pk_ku(pk, "port", (unsigned)k[1] << 8 | k[2]);
		} else {
			const struct flow_key *fk = (const void *)k;
			size_t al = fk->af == 6 ? 16 : 4;

			pk_ku(pk, "proto", fk->proto);
			pk_kbin(pk, "a", fk->a, al);
			pk_kbin(pk, "b", fk->b, al);
			pk_ku(pk, "pa", fk->pa);
			pk_ku(pk, "pb", fk->pb);
		}
		pk_ku(pk, "count", v[i]->count);
		pk_ku(pk, "err", v[i]->err);
		pk_ku(pk, "other", v[i]->other);
		pk_close(pk);
	}
	pk_close(pk);
	free(v);
}

static void
write_hist(struct pk *pk, const char *key, const struct hist *h)
{
	size_t i;

	pk_cstr(pk, key);
	pk_map_open(pk);
	pk_ku(pk, "n", h->n);
	pk_ku(pk, "sum", h->sum);
	pk_ku(pk, "min", h->n ? h->min : 0);
	pk_ku(pk, "max", h->max);
	pk_cstr(pk, "buckets");
	pk_array_open(pk);
	for (i = 0; i < HIST_NB; i++) {
		if (h->b[i] == 0)
			continue;
		pk_uint(pk, i);
		pk_uint(pk, h->b[i]);
	}
	pk_close(pk);
	pk_close(pk);
}

/* An empty sketch is written as no bytes: most of a quiet span's are. */
static void
write_hll(struct pk *pk, const char *key, const struct hll *h)
{
	pk_kbin(pk, key, h->reg, hll_empty(h) ? 0 : HLL_M);
}

void
summ_write(struct pk *pk, const struct summ *s)
{
	size_t i;

	pk_map_open(pk);
	pk_kstr(pk, "type", "summary");
	pk_cstr(pk, "span");
	pk_map_open(pk);
	pk_ku(pk, "start", s->start);
	pk_ku(pk, "end", s->end);
	pk_close(pk);
	if (s->final)
		pk_kbool(pk, "final", 1);
	if (s->merged)
		pk_ku(pk, "merged", s->merged);
	pk_cstr(pk, "counts");
	pk_map_open(pk);
	pk_ku(pk, "packets", s->packets);
	pk_ku(pk, "bytes", s->bytes);
	pk_ku(pk, "flows", s->nflows);
	pk_close(pk);
	pk_cstr(pk, "by_proto");
	pk_array_open(pk);
	for (i = 0; i < s->nproto; i++) {
		if (s->proto[i].packets == 0)
			continue;
		pk_map_open(pk);
		pk_kstr(pk, "name", s->proto[i].name);
		pk_ku(pk, "packets", s->proto[i].packets);
		pk_ku(pk, "bytes", s->proto[i].bytes);
		pk_close(pk);
	}
	pk_close(pk);
	pk_cstr(pk, "by_source");
	pk_array_open(pk);
	for (i = 0; i < s->nsrc; i++) {
		pk_map_open(pk);
		pk_kstr(pk, "name", s->src[i].name);
		pk_ku(pk, "packets", s->src[i].packets);
		pk_ku(pk, "bytes", s->src[i].bytes);
		if (s->src[i].capture) {
			pk_ku(pk, "recv", s->src[i].recv);
			pk_ku(pk, "drop", s->src[i].drop);
			pk_ku(pk, "ifdrop", s->src[i].ifdrop);
		}
		pk_close(pk);
	}
	pk_close(pk);
	pk_cstr(pk, "distinct");
	pk_map_open(pk);
	pk_ku(pk, "p", HLL_P);
	pk_kstr(pk, "hash", HLL_HASH_NAME);
	write_hll(pk, "hosts", &s->dhosts);
	write_hll(pk, "ports", &s->dports);
	write_hll(pk, "flows", &s->dflows);
	pk_close(pk);
	pk_cstr(pk, "heavy");
	pk_map_open(pk);
	pk_ku(pk, "k", s->k);
	pk_kstr(pk, "by", s->by == TOP_BYTES ? "bytes" : "packets");
	write_ss(pk, "hosts", &s->hosts, 0, s->k);
	write_ss(pk, "ports", &s->ports, 1, s->k);
	write_ss(pk, "flows", &s->flows, 2, s->k);
	pk_close(pk);
	pk_cstr(pk, "sizes");
	pk_map_open(pk);
	write_hist(pk, "packet", &s->pkt);
	write_hist(pk, "flow_bytes", &s->fbytes);
	write_hist(pk, "flow_packets", &s->fpkts);
	pk_close(pk);
	pk_close(pk);
}

/* --- reading: every key checked, nothing trusted --- */

struct rd {
	const char *why; /* the first thing wrong, or NULL */
};

static int
bad(struct rd *r, const char *why)
{
	if (r->why == NULL)
		r->why = why;
	return 0;
}

static const msgpack_object *
want(struct rd *r, const msgpack_object *m, const char *key,
    msgpack_object_type t, const char *why)
{
	const msgpack_object *o = m != NULL ? rec_get(m, key) : NULL;

	if (o == NULL || o->type != t) {
		bad(r, why);
		return NULL;
	}
	return o;
}

static uint64_t
u64(struct rd *r, const msgpack_object *m, const char *key, const char *why)
{
	uint64_t v = 0;

	if (m == NULL || !rec_get_u64(m, key, &v))
		bad(r, why);
	return v;
}

/* A string value into buf (NUL-terminated, cut to size). */
static void
str(struct rd *r, const msgpack_object *m, const char *key, char *buf,
    size_t size, const char *why)
{
	const msgpack_object *o = want(r, m, key, MSGPACK_OBJECT_STR, why);
	size_t n;

	buf[0] = '\0';
	if (o == NULL)
		return;
	n = o->via.str.size < size - 1 ? o->via.str.size : size - 1;
	if (memchr(o->via.str.ptr, '\0', n) != NULL) {
		bad(r, why);
		return;
	}
	memcpy(buf, o->via.str.ptr, n);
	buf[n] = '\0';
}

static void
read_hll(struct rd *r, const msgpack_object *m, const char *key, struct hll *h)
{
	const msgpack_object *o = want(r, m, key, MSGPACK_OBJECT_BIN,
	    "distinct: a sketch is missing or not bytes");

	hll_clear(h);
	if (o == NULL || o->via.bin.size == 0)
		return;
	if (o->via.bin.size != HLL_M) {
		bad(r, "distinct: a sketch is not 2^p bytes");
		return;
	}
	memcpy(h->reg, o->via.bin.ptr, HLL_M);
	if (!hll_valid(h))
		bad(r, "distinct: a register is out of range");
}

static void
read_hist(
    struct rd *r, const msgpack_object *m, const char *key, struct hist *h)
{
	const msgpack_object *o =
	    want(r, m, key, MSGPACK_OBJECT_MAP, "sizes: a histogram missing");
	const msgpack_object *b, *e;
	uint64_t i, c, n = 0, prev = 0;
	uint32_t j;

	hist_clear(h);
	if (o == NULL)
		return;
	h->n = u64(r, o, "n", "sizes: n missing");
	h->sum = u64(r, o, "sum", "sizes: sum missing");
	h->min = u64(r, o, "min", "sizes: min missing");
	h->max = u64(r, o, "max", "sizes: max missing");
	b = want(
	    r, o, "buckets", MSGPACK_OBJECT_ARRAY, "sizes: buckets missing");
	if (b == NULL)
		return;
	if (b->via.array.size % 2 != 0)
		bad(r, "sizes: buckets not in pairs");
	for (j = 0; j + 1 < b->via.array.size; j += 2) {
		e = &b->via.array.ptr[j];
		if (e[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
		    e[1].type != MSGPACK_OBJECT_POSITIVE_INTEGER) {
			bad(r, "sizes: a bucket is not two numbers");
			return;
		}
		i = e[0].via.u64;
		c = e[1].via.u64;
		if (i >= HIST_NB || (j > 0 && i <= prev) || c == 0) {
			bad(r, "sizes: buckets out of order or out of range");
			return;
		}
		if (c > UINT64_MAX - n) {
			bad(r, "sizes: counts overflow");
			return;
		}
		prev = i;
		n += c;
		h->b[i] = c;
	}
	if (n != h->n ||
	    (n > 0 &&
		(h->min > h->max || hist_bucket(h->min) > prev ||
		    hist_bucket(h->max) != prev)))
		bad(r, "sizes: n, min or max disagree with the buckets");
	if (n == 0)
		h->min = h->max = 0;
}

static int
get_addr(const msgpack_object *e, const char *key, uint8_t *out, size_t *len)
{
	const msgpack_object *o = rec_get(e, key);

	if (o == NULL || o->type != MSGPACK_OBJECT_BIN ||
	    (o->via.bin.size != 4 && o->via.bin.size != 16))
		return 0;
	memcpy(out, o->via.bin.ptr, o->via.bin.size);
	*len = o->via.bin.size;
	return 1;
}

static void
read_ss(struct rd *r, const msgpack_object *m, const char *key, struct ss *ss,
    int kind)
{
	const msgpack_object *l =
	    want(r, m, key, MSGPACK_OBJECT_ARRAY, "heavy: a list is missing");
	const msgpack_object *e;
	uint8_t k[SS_KEYMAX];
	uint64_t count, err, other, v, v2;
	size_t al, bl;
	uint32_t i;

	ss_clear(ss);
	if (l == NULL)
		return;
	if (l->via.array.size > ss->k) {
		bad(r, "heavy: more entries than k");
		return;
	}
	for (i = 0; i < l->via.array.size && r->why == NULL; i++) {
		e = &l->via.array.ptr[i];
		if (e->type != MSGPACK_OBJECT_MAP) {
			bad(r, "heavy: an entry is not a map");
			return;
		}
		memset(k, 0, sizeof(k));
		if (kind == 0) {
			if (!get_addr(e, "addr", k + 1, &al)) {
				bad(r, "heavy.hosts: addr is not an address");
				return;
			}
			k[0] = al == 16 ? 6 : 4;
		} else if (kind == 1) {
			v = u64(r, e, "proto", "heavy.ports: proto missing");
			v2 = u64(r, e, "port", "heavy.ports: port missing");
			if ((v != 6 && v != 17) || v2 > 65535) {
				bad(r,
				    "heavy.ports: proto or port out of range");
				return;
			}
			k[0] = (uint8_t)v;
			k[1] = (uint8_t)(v2 >> 8);
			k[2] = (uint8_t)v2;
		} else {
			struct flow_key fk;

			memset(&fk, 0, sizeof(fk));
			v = u64(r, e, "proto", "heavy.flows: proto missing");
			if (v > 255 || !get_addr(e, "a", fk.a, &al) ||
			    !get_addr(e, "b", fk.b, &bl) || al != bl) {
				bad(r, "heavy.flows: proto or addresses wrong");
				return;
			}
			fk.proto = (uint8_t)v;
			fk.af = al == 16 ? 6 : 4;
			v = u64(r, e, "pa", "heavy.flows: pa missing");
			v2 = u64(r, e, "pb", "heavy.flows: pb missing");
			if (v > 65535 || v2 > 65535) {
				bad(r, "heavy.flows: a port out of range");
				return;
			}
			fk.pa = (uint16_t)v;
			fk.pb = (uint16_t)v2;
			memcpy(k, &fk, sizeof(fk));
		}
		count = u64(r, e, "count", "heavy: count missing");
		err = u64(r, e, "err", "heavy: err missing");
		other = u64(r, e, "other", "heavy: other missing");
		if (r->why != NULL)
			return;
		if (err > count) {
			bad(r, "heavy: err above count");
			return;
		}
		if (!ss_put(ss, k, count, err, other)) {
			bad(r, "heavy: a key twice");
			return;
		}
	}
}

static void
read_counts(struct rd *r, struct summ *s, const msgpack_object *m)
{
	const msgpack_object *o, *l, *e;
	char name[ST_PROTOLEN > 64 ? ST_PROTOLEN : 64];
	size_t j;
	uint32_t i;

	o = want(r, m, "counts", MSGPACK_OBJECT_MAP, "counts missing");
	s->packets = u64(r, o, "packets", "counts.packets missing");
	s->bytes = u64(r, o, "bytes", "counts.bytes missing");
	s->nflows = u64(r, o, "flows", "counts.flows missing");
	l = want(r, m, "by_proto", MSGPACK_OBJECT_ARRAY, "by_proto missing");
	for (i = 0; l != NULL && i < l->via.array.size && !r->why; i++) {
		e = &l->via.array.ptr[i];
		str(r, e, "name", name, ST_PROTOLEN, "by_proto: name missing");
		j = proto_slot(s, name);
		s->proto[j].packets = sat_add(s->proto[j].packets,
		    u64(r, e, "packets", "by_proto: packets missing"));
		s->proto[j].bytes = sat_add(s->proto[j].bytes,
		    u64(r, e, "bytes", "by_proto: bytes missing"));
	}
	l = want(r, m, "by_source", MSGPACK_OBJECT_ARRAY, "by_source missing");
	for (i = 0; l != NULL && i < l->via.array.size && !r->why; i++) {
		e = &l->via.array.ptr[i];
		str(r, e, "name", name, sizeof(name),
		    "by_source: name missing");
		j = src_slot(s, name);
		s->src[j].packets = sat_add(s->src[j].packets,
		    u64(r, e, "packets", "by_source: packets missing"));
		s->src[j].bytes = sat_add(s->src[j].bytes,
		    u64(r, e, "bytes", "by_source: bytes missing"));
		if (rec_get(e, "recv") == NULL)
			continue;
		s->src[j].capture = 1;
		s->src[j].recv = sat_add(s->src[j].recv,
		    u64(r, e, "recv", "by_source: recv not a number"));
		s->src[j].drop = sat_add(s->src[j].drop,
		    u64(r, e, "drop", "by_source: drop missing"));
		s->src[j].ifdrop = sat_add(s->src[j].ifdrop,
		    u64(r, e, "ifdrop", "by_source: ifdrop missing"));
	}
}

const char *
summ_read(struct summ *s, const msgpack_object *m)
{
	struct rd r = { NULL };
	const msgpack_object *o;
	char hash[64];
	uint64_t k;
	int fin = 0;

	summ_clear(s);
	o = want(&r, m, "span", MSGPACK_OBJECT_MAP, "span missing");
	s->start = u64(&r, o, "start", "span.start missing");
	s->end = u64(&r, o, "end", "span.end missing");
	if (r.why == NULL && s->end < s->start)
		bad(&r, "span ends before it starts");
	if (rec_get(m, "final") != NULL && !rec_get_bool(m, "final", &fin))
		bad(&r, "final is not true or false");
	s->final = fin;
	if (rec_get(m, "merged") != NULL)
		s->merged = u64(&r, m, "merged", "merged is not a number");
	read_counts(&r, s, m);
	o = want(&r, m, "distinct", MSGPACK_OBJECT_MAP, "distinct missing");
	if (o != NULL && u64(&r, o, "p", "distinct.p missing") != HLL_P)
		bad(&r, "distinct: another precision than this build's p");
	str(&r, o, "hash", hash, sizeof(hash), "distinct.hash missing");
	if (r.why == NULL && strcmp(hash, HLL_HASH_NAME) != 0)
		bad(&r, "distinct: another hash than this build's");
	read_hll(&r, o, "hosts", &s->dhosts);
	read_hll(&r, o, "ports", &s->dports);
	read_hll(&r, o, "flows", &s->dflows);
	o = want(&r, m, "heavy", MSGPACK_OBJECT_MAP, "heavy missing");
	k = u64(&r, o, "k", "heavy.k missing");
	if (r.why == NULL && (k < 1 || k > SUMM_KMAX))
		bad(&r, "heavy.k out of range");
	if (r.why != NULL)
		return r.why;
	if (k != s->k || s->hosts.k != s->k) {
		enum top_by by = s->by;

		summ_free(s);
		summ_init(s, (size_t)k, by);
		return summ_read(s, m);
	}
	str(&r, o, "by", hash, sizeof(hash), "heavy.by missing");
	if (r.why == NULL && strcmp(hash, "packets") != 0 &&
	    strcmp(hash, "bytes") != 0)
		bad(&r, "heavy.by is neither packets nor bytes");
	s->by = strcmp(hash, "bytes") == 0 ? TOP_BYTES : TOP_PACKETS;
	read_ss(&r, o, "hosts", &s->hosts, 0);
	read_ss(&r, o, "ports", &s->ports, 1);
	read_ss(&r, o, "flows", &s->flows, 2);
	o = want(&r, m, "sizes", MSGPACK_OBJECT_MAP, "sizes missing");
	read_hist(&r, o, "packet", &s->pkt);
	read_hist(&r, o, "flow_bytes", &s->fbytes);
	read_hist(&r, o, "flow_packets", &s->fpkts);
	return r.why;
}
