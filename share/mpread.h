/*
 * The msgpack parser of the record reader (share/mpread.c), for
 * share/recread.c alone: the one place hostile msgpack bytes are parsed.
 * It reads one value through the bounds-checked cursor into a
 * msgpack_object tree allocated in a msgpack_zone, refusing what
 * nm-records(5) forbids (nesting past REC_MAX_DEPTH, lengths past
 * REC_MAX_SIZE, counts that claim more entries than bytes remain), and
 * checks known keys' types against the schema on the way.
 */
#ifndef MPREAD_H
#define MPREAD_H

#include <stddef.h>
#include <stdint.h>
#include <msgpack.h>

#include "cur.h"

#include "rec.h"

enum { P_MORE = 0, P_OK = 1, P_BAD = -1 };

/*
 * How much of a value to build.  MP_ALL: the whole tree.  MP_SKIP: the
 * value is parsed and checked but not kept; a map in it has no entries.
 * MP_SOME: a known map (or array of them) keeps the entries its want
 * table names (MP_ALL or MP_SOME each), skips the rest.  MP_PICK: the
 * record itself, whose "type" chooses a table (or MP_ALL).
 */
enum { MP_SKIP = 0, MP_ALL = 1, MP_SOME = 2, MP_PICK = 3 };

/* Known keys: a want table has one entry per key id (ids start at 1). */
#define MP_NO_SECTION(in, by)
#define MP_COUNT_KEY(p, t, e, sh) +1
enum { MP_NKEYS = 0 REC_KEYS(MP_NO_SECTION, MP_COUNT_KEY) };

/*
 * The schema is checked during the parse, as each known key's value is
 * read (one walk over the record, not two).  A breach is only noted, with
 * the record types the key belongs to: it matters only if the record is
 * of one of them (elsewhere the key is a user's), which is known once the
 * whole record is read.
 */
struct key_memo {
	uint64_t word; /* the key's first eight bytes */
	int16_t parent, id, inner;
	uint8_t len, type;
};
#define MEMO_BITS 10
#define MEMO	  (1 << MEMO_BITS) /* keys remembered, in pairs of slots */

struct mp_ctx {
	struct key_memo *memo; /* MEMO + 1: the last for long keys */
	msgpack_zone *zone;
	/* per record type, MP_NKEYS + 1 entries of MP_*, or NULL: build all */
	const uint8_t *const *want;
	const uint8_t *table; /* the want table of this record */
	const char *why;
	const uint8_t *where;
	int nomem;	     /* P_BAD because the zone is full */
	unsigned schema_bad; /* IN_ bits of the breached keys */
};

/*
 * Parses one value at depth (the record itself is 1) from c, which must
 * hold the whole input so far; id: as mp_map's parent (0 for a record);
 * mode: MP_* (MP_PICK for a record).  P_OK with c past the value, P_MORE
 * when the bytes run out first (the caller reads more and starts over),
 * P_BAD with x->why and x->where, or x->nomem set when the zone could not
 * grow.  No byte past the cursor's end is read.
 */
int mp_parse(struct cur *c, struct mp_ctx *x, msgpack_object *o, int depth,
    int id, int mode);

#endif
