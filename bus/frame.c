/*
 * The framing of bus messages (bus.h says what a message is): packing a
 * header for nm-push, and for nm-pull reading a message back, whose bytes
 * came off a bus and are untrusted: the header and every record go
 * through the record reader's parser and checks (rec_parse), never
 * anything else.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bus.h"

void
bus_header_pack(struct pk *pk, const char *sensor, uint64_t seq,
    uint64_t first_ts, uint64_t last_ts, uint64_t count, uint64_t dropped,
    uint64_t dropped_records)
{
	pk_map_open(pk);
	pk_kstr(pk, "type", "batch");
	pk_ku(pk, "v", BUS_FRAME_V);
	pk_kstr(pk, "sensor", sensor);
	pk_ku(pk, "seq", seq);
	pk_ku(pk, "first_ts", first_ts);
	pk_ku(pk, "last_ts", last_ts);
	pk_ku(pk, "count", count);
	pk_ku(pk, "dropped", dropped);
	pk_ku(pk, "dropped_records", dropped_records);
	pk_close(pk);
}

static int
need_u64(
    const msgpack_object *m, const char *key, uint64_t *v, char *why, size_t n)
{
	if (rec_get_u64(m, key, v))
		return 0;
	snprintf(why, n, "message header has no \"%s\" number", key);
	return -1;
}

int
bus_batch_open(struct rec_reader *r, const void *p, size_t n,
    struct bus_batch *b, char *why, size_t whylen)
{
	struct rec h;
	const char *s;
	size_t used, sn;
	uint64_t v;

	memset(b, 0, sizeof(*b));
	if (n > BUS_MSG_MAX) {
		snprintf(why, whylen, "message of %zu bytes, over %d", n,
		    BUS_MSG_MAX);
		return -1;
	}
	if (rec_parse(r, p, n, &h, &used) != 1) {
		snprintf(
		    why, whylen, "message header: %s", rec_reader_error(r));
		return -1;
	}
	if (!rec_get_str(&h.obj, "type", &s, &sn) || sn != 5 ||
	    memcmp(s, "batch", 5) != 0) {
		snprintf(why, whylen, "not a batch message");
		return -1;
	}
	if (need_u64(&h.obj, "v", &v, why, whylen) == -1)
		return -1;
	if (v != BUS_FRAME_V) {
		snprintf(why, whylen, "message version %llu, not %d",
		    (unsigned long long)v, BUS_FRAME_V);
		return -1;
	}
	if (!rec_get_str(&h.obj, "sensor", &s, &sn) || !bus_name_ok(s, sn)) {
		snprintf(why, whylen,
		    "message header: no sensor name, or "
		    "a bad one");
		return -1;
	}
	memcpy(b->sensor, s, sn);
	b->sensor[sn] = '\0';
	if (need_u64(&h.obj, "seq", &b->seq, why, whylen) == -1 ||
	    need_u64(&h.obj, "count", &b->count, why, whylen) == -1)
		return -1;
	/* the rest may be missing: zero */
	(void)rec_get_u64(&h.obj, "first_ts", &b->first_ts);
	(void)rec_get_u64(&h.obj, "last_ts", &b->last_ts);
	(void)rec_get_u64(&h.obj, "dropped", &b->dropped);
	(void)rec_get_u64(&h.obj, "dropped_records", &b->dropped_records);
	/* a record is one byte at least: a count can never exceed that */
	if (b->count > n - used) {
		snprintf(why, whylen,
		    "message claims %llu records in %zu "
		    "bytes",
		    (unsigned long long)b->count, n - used);
		return -1;
	}
	b->p = (const uint8_t *)p + used;
	b->left = n - used;
	return 0;
}

int
bus_batch_next(struct rec_reader *r, struct bus_batch *b, struct rec *rec,
    char *why, size_t whylen)
{
	size_t used;

	if (b->read == b->count) {
		if (b->left == 0)
			return 0;
		snprintf(why, whylen,
		    "%zu bytes after the message's %llu "
		    "records",
		    b->left, (unsigned long long)b->count);
		return -1;
	}
	if (b->left == 0) {
		snprintf(why, whylen,
		    "message ends after %llu of its %llu "
		    "records",
		    (unsigned long long)b->read, (unsigned long long)b->count);
		return -1;
	}
	if (rec_parse(r, b->p, b->left, rec, &used) != 1) {
		snprintf(why, whylen, "record %llu: %s",
		    (unsigned long long)b->read, rec_reader_error(r));
		return -1;
	}
	b->p += used;
	b->left -= used;
	b->read++;
	return 1;
}
