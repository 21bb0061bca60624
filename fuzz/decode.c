/*
 * Fuzz target: nm-decode's core on raw frame bytes.  The first byte picks
 * the link type (an index into linktypes[], so every link decoder is
 * reached, and one type no decoder knows); the rest is the frame.  The
 * frame is decoded and packed into a packet record exactly as nm-decode
 * packs it, and the record is then read back and checked: it must be one
 * whole msgpack map with the key count the packer announced, pass the
 * schema (rec_validate), say where its payload is inside the frame, and
 * survive the trip to JSON and back unchanged.  A packer that disagrees
 * with the schema or with itself is a finding, like a crash.
 */
#include <string.h>

#include "rec.h"
#include "pkt.h"
#include "fuzz.h"
#include "packet.h"

static const unsigned linktypes[] = {
	1,		/* Ethernet */
	113, 276,	/* Linux cooked v1, v2 */
	101, 12, 14,	/* raw IP */
	228, 229,	/* raw IPv4, raw IPv6 */
	0, 108,		/* BSD loopback, host and network order */
	9, 50,		/* PPP, PPP in HDLC framing */
	147,		/* LINKTYPE_USER0: no decoder */
};
#define NLINK	(sizeof(linktypes) / sizeof(linktypes[0]))

static struct pkt pk;		/* large, and its DNS arrays grow: reuse */

/*
 * Whether every map in o has each key once: the packer counts entries
 * itself, so a count that went wrong would show as keys read in the
 * wrong map (a duplicate), or as bytes left over.
 */
static int
keys_once(const msgpack_object *o)
{
	uint32_t i, j;

	if (o->type == MSGPACK_OBJECT_ARRAY) {
		for (i = 0; i < o->via.array.size; i++)
			if (!keys_once(&o->via.array.ptr[i]))
				return 0;
		return 1;
	}
	if (o->type != MSGPACK_OBJECT_MAP)
		return 1;
	for (i = 0; i < o->via.map.size; i++) {
		for (j = 0; j < i; j++)
			if (o->via.map.ptr[i].key.type == MSGPACK_OBJECT_STR &&
			    o->via.map.ptr[j].key.via.str.size ==
			    o->via.map.ptr[i].key.via.str.size &&
			    memcmp(o->via.map.ptr[j].key.via.str.ptr,
			    o->via.map.ptr[i].key.via.str.ptr,
			    o->via.map.ptr[i].key.via.str.size) == 0)
				return 0;
		if (!keys_once(&o->via.map.ptr[i].val))
			return 0;
	}
	return 1;
}

/* JSON out, JSON in, JSON out again: the two texts must be equal. */
static void
check_json(const msgpack_object *o, msgpack_zone *z, int once)
{
	static struct strbuf a, b;
	msgpack_object back;
	size_t erroff = 0;
	char why[200];
	long used;

	a.len = b.len = 0;
	if (json_write(&a, o) == -1)
		return;		/* over the line limit: refused, by design */
	used = json_parse(a.p, a.len, z, &back, &erroff, why, sizeof(why));
	if (used <= 0)
		fz_fail("packet JSON does not parse back at %zu: %s: %.*s",
		    erroff, used < 0 ? why : "incomplete", (int)a.len, a.p);
	if (rec_validate(&back, REC_PACKET, why, sizeof(why)) == -1)
		fz_fail("packet from JSON fails the schema: %s", why);
	json_write(&b, &back);
	if (!fz_all_utf8(o) && !once) {
		/* text not UTF-8 (DNS names, TXT): the next trip must hold */
		check_json(&back, z, 1);
		return;
	}
	if (a.len != b.len || memcmp(a.p, b.p, a.len) != 0)
		fz_fail("packet changes through JSON:\n%.*s%.*s",
		    (int)a.len, a.p, (int)b.len, b.p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pk sb;
	static msgpack_zone z;
	static int inited;
	msgpack_object o;
	size_t off = 0;
	char why[200];
	int rc;

	if (size < 1)
		return 0;
	if (!inited) {
		pk_init(&sb, 64 * 1024);
		msgpack_zone_init(&z, 64 * 1024);
		inited = 1;
	}
	dec_packet(&pk, linktypes[data[0] % NLINK], data + 1, size - 1);
	if (pk.has_payload && (pk.poff > size - 1 ||
	    pk.plen > size - 1 - pk.poff))
		fz_fail("payload %u+%u outside the %zu-byte frame",
		    pk.poff, pk.plen, size - 1);
	sb.len = 0;
	fz_pack_packet(&sb, &pk, data + 1, size - 1);

	msgpack_zone_clear(&z);
	rc = msgpack_unpack(sb.p, sb.len, &off, &z, &o);
	if (rc != MSGPACK_UNPACK_SUCCESS || off != sb.len)
		fz_fail("packed record does not read back whole (%d, %zu of "
		    "%zu bytes)", rc, off, sb.len);
	if (o.type != MSGPACK_OBJECT_MAP || o.via.map.size < NFRAMEKEYS ||
	    !keys_once(&o))
		fz_fail("packed record is not a map of its keys, each once");
	if (rec_validate(&o, REC_PACKET, why, sizeof(why)) == -1)
		fz_fail("packed record fails the schema: %s", why);
	check_json(&o, &z, 0);
	return 0;
}
