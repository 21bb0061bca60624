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

enum { P_MORE = 0, P_OK = 1, P_BAD = -1 };

/*
 * The schema is checked during the parse, as each known key's value is
 * read (one walk over the record, not two).  A breach is only noted: it
 * matters for records of a known type, which is known once the whole
 * record is read.
 */
struct key_memo {
	uint64_t	 word;		/* the key's first eight bytes */
	int16_t		 parent, id, inner;
	uint8_t		 len, type;
};
#define MEMO	1024		/* places remembered (a power of two) */

struct mp_ctx {
	struct key_memo	*memo;		/* MEMO + 1: the last for long keys */
	msgpack_zone	*zone;
	const char	*why;
	const uint8_t	*where;
	int		 schema_bad;
	char		*schema_why;
	size_t		 schema_whylen;
};

/*
 * Parses one value at depth (the record itself is 1) from c, which must
 * hold the whole input so far; id: as mp_map's parent (0 for a record).
 * P_OK with c past the value, P_MORE when the bytes run out first (the
 * caller reads more and starts over), P_BAD with x->why and x->where.
 * The buffer under c must have eight readable bytes past its end (see
 * key_word() in mpread.c).
 */
int mp_parse(struct cur *c, struct mp_ctx *x, msgpack_object *o, int depth,
    int id);

#endif
