/*
 * The one reader loop for record streams.  It takes msgpack or JSON (told
 * apart by the first byte), parses each record through the bounds-checked
 * cursor into a msgpack_object tree, and checks the contract: records are
 * maps with a "type", none is larger than REC_MAX_SIZE or nested deeper
 * than REC_MAX_DEPTH, a container never claims more entries than bytes
 * remain (so a lying length cannot make us allocate), the first record is
 * a header of a major version we understand, and known keys have their
 * declared types (in records of the types they belong to).  Any breach is
 * EBADMSG with a message naming the offset.
 */
#include <endian.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cur.h"
#include "nm.h"
#include "rec.h"

#define CHUNK	(256 * 1024)
#define BUFCAP	(REC_MAX_SIZE + 2 * CHUNK)

enum fmt { FMT_UNKNOWN, FMT_MSGPACK, FMT_JSON };

struct rec_reader {
	int		 fd;
	char		*buf;
	size_t		 pos, len;	/* unread bytes are buf[pos..len) */
	uint64_t	 base;		/* stream offset of buf[0] */
	int		 eof;
	enum fmt	 fmt;
	int		 seen_header;
	int		 tail_end;	/* the last records read are end records */
	int		 tail_early;	/* ...and one says "early" */
	uint64_t	 count;
	msgpack_zone	 zone;
	int		 report_idle;	/* return REC_IDLE rather than block */
	int		 cut;		/* the input ended inside a record */
	size_t		 maxread;	/* bytes per read(); tests shrink it */
	unsigned	 schema_bad;	/* IN_ bits: types it breaks keys of */
	struct key_memo	*memo;
	char		 err[320];
};

enum { P_MORE = 0, P_OK = 1, P_BAD = -1 };

/*
 * The schema is checked during the parse, as each known key's value is
 * read (one walk over the record, not two).  A breach is only noted, with
 * the record types the key belongs to: it matters only if the record is
 * of one of them (elsewhere the key is a user's), which is known once the
 * whole record is read.
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
	unsigned	 schema_bad;	/* IN_ bits of the breached keys */
};

static int mp_parse(struct cur *, struct mp_ctx *, msgpack_object *, int,
    int);

/* Reads an n-byte big-endian length, or reports a shortage. */
static int
mp_len(struct cur *c, int n, uint64_t *v)
{
	if (cur_left(c) < (size_t)n)
		return P_MORE;
	switch (n) {
	case 1: *v = cur_u8(c); break;
	case 2: *v = cur_be16(c); break;
	case 4: *v = cur_be32(c); break;
	default: *v = cur_be64(c); break;
	}
	return P_OK;
}

static int
mp_bytes(struct cur *c, struct mp_ctx *x, uint64_t n, const char **p)
{
	if (n > REC_MAX_SIZE) {
		x->why = "string or bytes length beyond the record size limit";
		return P_BAD;
	}
	if (cur_left(c) < n)
		return P_MORE;
	*p = (const char *)cur_ptr(c, (size_t)n);
	return P_OK;
}

/* Claims of more entries than bytes left are lies once all bytes are in. */
static int
mp_count(struct cur *c, struct mp_ctx *x, uint64_t n, size_t per)
{
	if (n > REC_MAX_SIZE / per) {
		x->why = "array or map claims more entries than a record can hold";
		return P_BAD;
	}
	if (cur_left(c) < n * per)
		return P_MORE;
	return P_OK;
}

/* id: the known key the array is under, when its elements are maps. */
static int
mp_array(struct cur *c, struct mp_ctx *x, msgpack_object *o, uint64_t n,
    int depth, int id)
{
	uint64_t i;
	int r;

	if ((r = mp_count(c, x, n, 1)) != P_OK)
		return r;
	o->type = MSGPACK_OBJECT_ARRAY;
	o->via.array.size = (uint32_t)n;
	o->via.array.ptr = n ? msgpack_zone_malloc(x->zone,
	    sizeof(msgpack_object) * n) : NULL;
	if (n && o->via.array.ptr == NULL) {
		x->why = "out of memory";
		return P_BAD;
	}
	for (i = 0; i < n; i++)
		if ((r = mp_parse(c, x, &o->via.array.ptr[i], depth + 1,
		    id)) != P_OK)
			return r;
	return P_OK;
}

/*
 * rec_key_word() in one load, for rec_key_find_word: the reader's buffer
 * has eight readable bytes past its end for this.
 */
static inline uint64_t
key_word(const char *p, size_t n)
{
	uint64_t w;

	memcpy(&w, p, sizeof(w));
	w = le64toh(w);
	return n >= 8 ? w : w & ((UINT64_C(1) << (8 * n)) - 1);
}

/*
 * What a key found at place i of a map under parent was the last time:
 * records of a stream repeat their keys in the same places, so most keys
 * are recognised by one compare instead of a schema lookup.
 */
static int
mp_key(struct mp_ctx *x, int parent, uint32_t i, const msgpack_object *k,
    struct key_memo *out)
{
	const char *name = k->via.str.ptr;
	size_t n = k->via.str.size;
	enum key_type t, elem;
	struct key_memo *m;
	uint64_t w;
	int id;

	w = key_word(name, n);
	m = n > 8 ? &x->memo[MEMO] :
	    &x->memo[((unsigned)parent * 32 + i) & (MEMO - 1)];
	if (n > 8 || m->word != w || m->len != n || m->parent != parent) {
		id = rec_key_find_word(parent, w, name, n, &t, &elem);
		m->word = w;
		m->len = (uint8_t)n;
		m->parent = (int16_t)parent;
		m->id = (int16_t)id;
		m->type = (uint8_t)t;
		/* the maps in or under its value are known maps too */
		m->inner = (int16_t)(id != 0 && (t == KT_MAP ||
		    (t == KT_ARRAY && elem == KT_MAP)) ? id : -1);
	}
	*out = *m;	/* a copy: the value's own keys may take the place */
	return m->id != 0;
}

/*
 * Notes the record types whose schema the value of known key id breaks
 * (check_contract says what is wrong, when the record is of one of them).
 * Out of line: mp_map's loop runs for every key, this for few.
 */
static __attribute__((noinline)) void
mp_check(struct mp_ctx *x, int id, const msgpack_object *v)
{
	unsigned in = rec_key(id)->in;

	if ((x->schema_bad & in) != in && rec_check_key(id, v, NULL, 0) == -1)
		x->schema_bad |= in;
}

/*
 * The values most of a record is made of (small integers, short strings
 * and bytes, booleans), read inline.  0 for any other value, or when its
 * bytes are not all in: mp_parse then reads it the general way.
 */
static inline __attribute__((always_inline)) int
mp_fast(struct cur *c, msgpack_object *o)
{
	const uint8_t *q = cur_view(c, 2);
	size_t head = 1, n = 0;
	unsigned b;
	int i;

	if (q == NULL)
		return 0;
	b = q[0];
	if (b <= 0x7f) {
		o->type = MSGPACK_OBJECT_POSITIVE_INTEGER;
		o->via.u64 = b;
	} else if (b >= 0xa0 && b <= 0xbf) {
		o->type = MSGPACK_OBJECT_STR;
		n = b & 0x1f;
	} else if (b == 0xd9 || b == 0xc4) {
		o->type = b == 0xc4 ? MSGPACK_OBJECT_BIN : MSGPACK_OBJECT_STR;
		head = 2;
		n = q[1];
	} else if (b == 0xc2 || b == 0xc3) {
		o->type = MSGPACK_OBJECT_BOOLEAN;
		o->via.boolean = b == 0xc3;
	} else if (b >= 0xcc && b <= 0xcf) {
		head = 1 + (1u << (b - 0xcc));
		if ((q = cur_view(c, head)) == NULL)
			return 0;
		o->type = MSGPACK_OBJECT_POSITIVE_INTEGER;
		o->via.u64 = 0;
		for (i = 1; i < (int)head; i++)
			o->via.u64 = o->via.u64 << 8 | q[i];
	} else
		return 0;
	if (cur_view(c, head + n) == NULL)
		return 0;	/* not all in yet: mp_parse waits for it */
	q = cur_ptr(c, head + n);
	if (o->type == MSGPACK_OBJECT_STR) {
		o->via.str.ptr = (const char *)q + head;
		o->via.str.size = (uint32_t)n;
	} else if (o->type == MSGPACK_OBJECT_BIN) {
		o->via.bin.ptr = (const char *)q + head;
		o->via.bin.size = (uint32_t)n;
	}
	return 1;
}

/*
 * parent: the id of the known key this map is (0: the record itself), or
 * -1 when it is not a known map and its keys are not looked up.
 */
static int
mp_map(struct cur *c, struct mp_ctx *x, msgpack_object *o, uint64_t n,
    int depth, int parent)
{
	struct key_memo m;
	msgpack_object_kv *kv;
	const uint8_t *at;
	uint64_t i;
	int r, known, fast = depth < REC_MAX_DEPTH;

	if ((r = mp_count(c, x, n, 2)) != P_OK)
		return r;
	o->type = MSGPACK_OBJECT_MAP;
	o->via.map.size = (uint32_t)n;
	o->via.map.ptr = n ? msgpack_zone_malloc(x->zone,
	    sizeof(msgpack_object_kv) * n) : NULL;
	if (n && o->via.map.ptr == NULL) {
		x->why = "out of memory";
		return P_BAD;
	}
	for (i = 0; i < n; i++) {
		at = c->p;
		kv = &o->via.map.ptr[i];
		if (!(fast && mp_fast(c, &kv->key)) &&
		    (r = mp_parse(c, x, &kv->key, depth + 1, -1)) != P_OK)
			return r;
		/* Fields are named, as in JSON: a nil key would become "null". */
		if (kv->key.type != MSGPACK_OBJECT_STR) {
			x->where = at;
			x->why = "map key is not a string";
			return P_BAD;
		}
		known = parent >= 0 &&
		    mp_key(x, parent, (uint32_t)i, &kv->key, &m);
		if (!(fast && mp_fast(c, &kv->val)) &&
		    (r = mp_parse(c, x, &kv->val, depth + 1,
		    known ? m.inner : -1)) != P_OK)
			return r;
		if (known && (m.type == KT_ARRAY ||
		    !rec_type_ok((enum key_type)m.type, &kv->val)))
			mp_check(x, m.id, &kv->val);
	}
	return P_OK;
}

static int
mp_ext(struct cur *c, struct mp_ctx *x, msgpack_object *o, uint64_t n)
{
	const char *p;
	int r;

	if (cur_left(c) < 1)
		return P_MORE;
	o->type = MSGPACK_OBJECT_EXT;
	o->via.ext.type = (int8_t)cur_u8(c);
	if ((r = mp_bytes(c, x, n, &p)) != P_OK)
		return r;
	o->via.ext.size = (uint32_t)n;
	o->via.ext.ptr = p;
	return P_OK;
}

static int
mp_int(struct cur *c, msgpack_object *o, int n)
{
	uint64_t u;
	int64_t v;

	if (mp_len(c, n, &u) != P_OK)
		return P_MORE;
	switch (n) {
	case 1: v = (int8_t)u; break;
	case 2: v = (int16_t)u; break;
	case 4: v = (int32_t)u; break;
	default: v = (int64_t)u; break;
	}
	if (v >= 0) {
		o->type = MSGPACK_OBJECT_POSITIVE_INTEGER;
		o->via.u64 = (uint64_t)v;
	} else {
		o->type = MSGPACK_OBJECT_NEGATIVE_INTEGER;
		o->via.i64 = v;
	}
	return P_OK;
}

/* id: as mp_map's parent, for the maps in or under this value. */
static int
mp_parse(struct cur *c, struct mp_ctx *x, msgpack_object *o, int depth,
    int id)
{
	uint64_t n;
	uint32_t f32;
	float f;
	int b, r;

	if (depth > REC_MAX_DEPTH) {
		x->where = c->p;
		x->why = "nesting deeper than the limit";
		return P_BAD;
	}
	if (cur_left(c) < 1)
		return P_MORE;
	x->where = c->p;
	b = cur_u8(c);
	if (b <= 0x7f || b >= 0xe0) {
		if (b <= 0x7f) {
			o->type = MSGPACK_OBJECT_POSITIVE_INTEGER;
			o->via.u64 = (uint64_t)b;
		} else {
			o->type = MSGPACK_OBJECT_NEGATIVE_INTEGER;
			o->via.i64 = (int8_t)b;
		}
		return P_OK;
	}
	if (b >= 0x80 && b <= 0x8f)
		return mp_map(c, x, o, b & 0x0f, depth, id);
	if (b >= 0x90 && b <= 0x9f)
		return mp_array(c, x, o, b & 0x0f, depth, id);
	if (b >= 0xa0 && b <= 0xbf) {
		o->type = MSGPACK_OBJECT_STR;
		o->via.str.size = b & 0x1f;
		return mp_bytes(c, x, b & 0x1f, &o->via.str.ptr);
	}
	switch (b) {
	case 0xc0:
		o->type = MSGPACK_OBJECT_NIL;
		return P_OK;
	case 0xc2:
	case 0xc3:
		o->type = MSGPACK_OBJECT_BOOLEAN;
		o->via.boolean = b == 0xc3;
		return P_OK;
	case 0xc4: case 0xc5: case 0xc6:
		if ((r = mp_len(c, 1 << (b - 0xc4), &n)) != P_OK)
			return r;
		o->type = MSGPACK_OBJECT_BIN;
		o->via.bin.size = (uint32_t)n;
		return mp_bytes(c, x, n, &o->via.bin.ptr);
	case 0xc7: case 0xc8: case 0xc9:
		if ((r = mp_len(c, 1 << (b - 0xc7), &n)) != P_OK)
			return r;
		return mp_ext(c, x, o, n);
	case 0xca:
		if (mp_len(c, 4, &n) != P_OK)
			return P_MORE;
		f32 = (uint32_t)n;
		memcpy(&f, &f32, sizeof(f));
		o->type = MSGPACK_OBJECT_FLOAT32;
		o->via.f64 = f;
		return P_OK;
	case 0xcb:
		if (mp_len(c, 8, &n) != P_OK)
			return P_MORE;
		o->type = MSGPACK_OBJECT_FLOAT64;
		memcpy(&o->via.f64, &n, sizeof(o->via.f64));
		return P_OK;
	case 0xcc: case 0xcd: case 0xce: case 0xcf:
		if (mp_len(c, 1 << (b - 0xcc), &n) != P_OK)
			return P_MORE;
		o->type = MSGPACK_OBJECT_POSITIVE_INTEGER;
		o->via.u64 = n;
		return P_OK;
	case 0xd0: case 0xd1: case 0xd2: case 0xd3:
		return mp_int(c, o, 1 << (b - 0xd0));
	case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8:
		return mp_ext(c, x, o, 1u << (b - 0xd4));
	case 0xd9: case 0xda: case 0xdb:
		if ((r = mp_len(c, 1 << (b - 0xd9), &n)) != P_OK)
			return r;
		o->type = MSGPACK_OBJECT_STR;
		o->via.str.size = (uint32_t)n;
		return mp_bytes(c, x, n, &o->via.str.ptr);
	case 0xdc: case 0xdd:
		if ((r = mp_len(c, b == 0xdc ? 2 : 4, &n)) != P_OK)
			return r;
		return mp_array(c, x, o, n, depth, id);
	case 0xde: case 0xdf:
		if ((r = mp_len(c, b == 0xde ? 2 : 4, &n)) != P_OK)
			return r;
		return mp_map(c, x, o, n, depth, id);
	default:	/* 0xc1 is never used */
		x->why = "byte 0xc1 is not msgpack";
		return P_BAD;
	}
}

struct rec_reader *
rec_reader_open(int fd)
{
	struct rec_reader *r = ecalloc(1, sizeof(*r));

	r->fd = fd;
	r->buf = ecalloc(1, BUFCAP + 8);	/* + 8: see key_word() */
	r->memo = ecalloc(MEMO + 1, sizeof(*r->memo));
	r->maxread = CHUNK;
	if (!msgpack_zone_init(&r->zone, 64 * 1024))
		nm_die(NM_EXIT_FAIL, "out of memory");
	return r;
}

void
rec_reader_report_idle(struct rec_reader *r)
{
	r->report_idle = 1;
}

void
rec_reader_set_maxread(struct rec_reader *r, size_t n)
{
	r->maxread = n ? n : 1;
}

void
rec_reader_close(struct rec_reader *r)
{
	if (r == NULL)
		return;
	msgpack_zone_destroy(&r->zone);
	free(r->memo);
	free(r->buf);
	free(r);
}

const char *
rec_reader_error(const struct rec_reader *r)
{
	return r->err;
}

uint64_t
rec_reader_count(const struct rec_reader *r)
{
	return r->count;
}

int
rec_reader_saw_end(const struct rec_reader *r)
{
	return r->count > 0 && r->tail_end && !r->tail_early;
}

int
rec_reader_is_json(const struct rec_reader *r)
{
	return r->fmt == FMT_JSON;
}

static int bad(struct rec_reader *, uint64_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static int
bad(struct rec_reader *r, uint64_t off, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(r->err, sizeof(r->err), "malformed record stream at byte %llu: %s",
	    (unsigned long long)off, msg);
	errno = EBADMSG;
	return -1;
}

/*
 * Reads more input; 1 when bytes came, 0 at end of file, REC_IDLE when
 * there is nothing to read now and the caller asked to hear of it, -1 on
 * error.
 */
static int
fill(struct rec_reader *r)
{
	struct pollfd pfd;
	ssize_t n;

	if (r->pos > 0 && (r->pos == r->len || BUFCAP - r->len < CHUNK)) {
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->base += r->pos;
		r->len -= r->pos;
		r->pos = 0;
	}
	pfd.fd = r->fd;
	pfd.events = POLLIN;
	if (r->report_idle && poll(&pfd, 1, 0) == 0)
		return REC_IDLE;
	for (;;) {
		n = read(r->fd, r->buf + r->len, BUFCAP - r->len < r->maxread ?
		    BUFCAP - r->len : r->maxread);
		if (n > 0) {
			r->len += (size_t)n;
			return 1;
		}
		if (n == 0) {
			r->eof = 1;
			return 0;
		}
		if (errno == EINTR)
			return -1;	/* let the program look at its signals */
		if (errno != EAGAIN) {
			snprintf(r->err, sizeof(r->err), "read: %s",
			    strerror(errno));
			return -1;
		}
		if (r->report_idle)
			return REC_IDLE;
		(void)poll(&pfd, 1, -1);
	}
}

static int
detect(struct rec_reader *r)
{
	unsigned char b = (unsigned char)r->buf[r->pos];

	if (b == '{' || b == ' ' || b == '\t' || b == '\n' || b == '\r')
		r->fmt = FMT_JSON;
	else if ((b >= 0x80 && b <= 0x8f) || b == 0xde || b == 0xdf)
		r->fmt = FMT_MSGPACK;
	else {
		char what[16];

		snprintf(what, sizeof(what), "0x%02x", b);
		return bad(r, r->base + r->pos, "first byte %s is neither a "
		    "msgpack map nor a JSON object", what);
	}
	return 0;
}

/* One parse attempt over the buffered bytes: P_OK, P_MORE or P_BAD. */
static int
parse_one(struct rec_reader *r, struct rec *rec, size_t *used)
{
	const char *p = r->buf + r->pos;
	size_t n = r->len - r->pos, skip = 0, erroff = 0;
	struct mp_ctx x = { r->memo, &r->zone, NULL, NULL, 0 };
	struct cur c;
	char why[200];
	long got;
	int res;

	msgpack_zone_clear(&r->zone);
	if (r->fmt == FMT_JSON) {
		while (skip < n && (p[skip] == ' ' || p[skip] == '\t' ||
		    p[skip] == '\n' || p[skip] == '\r'))
			skip++;
		if (skip == n) {
			*used = skip;
			return P_MORE;
		}
		got = json_parse(p + skip, n - skip, &r->zone, &rec->obj,
		    &erroff, why, sizeof(why));
		if (got < 0)
			return bad(r, r->base + r->pos + skip + erroff, "%s",
			    why), P_BAD;
		if (got == 0)
			return P_MORE;
		rec->raw = NULL;
		rec->rawlen = 0;
		*used = skip + (size_t)got;
		rec->off = r->base + r->pos + skip;
		return P_OK;
	}
	c = cur_make(p, n);
	res = mp_parse(&c, &x, &rec->obj, 1, 0);
	if (res == P_BAD)
		return bad(r, r->base + r->pos +
		    (size_t)((const char *)x.where - p), "%s", x.why), P_BAD;
	if (res == P_MORE)
		return P_MORE;
	*used = (size_t)((const char *)c.p - p);
	r->schema_bad = x.schema_bad;
	rec->raw = p;
	rec->rawlen = *used;
	rec->off = r->base + r->pos;
	return P_OK;
}

static int
check_contract(struct rec_reader *r, struct rec *rec)
{
	const msgpack_object *t;
	char why[256];
	uint64_t v;

	if (rec->obj.type != MSGPACK_OBJECT_MAP)
		return bad(r, rec->off, "%s", "a record must be a map");
	t = rec_get(&rec->obj, "type");
	if (t == NULL || t->type != MSGPACK_OBJECT_STR)
		return bad(r, rec->off, "%s",
		    "record has no \"type\" string");
	rec->type = rec_type_of(t->via.str.ptr, t->via.str.size);
	/* the parse noted breaches of msgpack; JSON is checked now */
	if (rec->type != REC_UNKNOWN && (rec->raw == NULL ||
	    (r->schema_bad & REC_IN(rec->type))) &&
	    rec_validate(&rec->obj, rec->type, why, sizeof(why)) == -1)
		return bad(r, rec->off, "%s", why);
	if (rec->type == REC_HEADER) {
		if (!rec_get_u64(&rec->obj, "version", &v))
			return bad(r, rec->off, "%s",
			    "header has no \"version\"");
		if (v > REC_VERSION_MAJOR) {
			snprintf(r->err, sizeof(r->err), "stream version %llu "
			    "is newer than this program's %d: upgrade nm",
			    (unsigned long long)v, REC_VERSION_MAJOR);
			errno = EBADMSG;
			return -1;
		}
		r->seen_header = 1;
	} else if (!r->seen_header) {
		char what[64];

		snprintf(what, sizeof(what), "%.*s", (int)t->via.str.size,
		    t->via.str.ptr);
		return bad(r, rec->off, "stream does not start with a header "
		    "record (first is '%s')", what);
	}
	return 0;
}

/* Tracks whether the stream so far ends in end records, for saw_end. */
static void
note_tail(struct rec_reader *r, const struct rec *rec)
{
	if (rec->type != REC_END) {
		r->tail_end = r->tail_early = 0;
		return;
	}
	r->tail_end = 1;
	if (rec_str_eq(rec_get(&rec->obj, "reason"), "early"))
		r->tail_early = 1;
}

/* At end of input: why the stream is short, if it is, in err. */
static void
note_ending(struct rec_reader *r)
{
	if (r->cut)
		return;		/* rec_read() said why */
	if (r->count == 0)
		snprintf(r->err, sizeof(r->err), "no records at all");
	else if (!r->tail_end)
		snprintf(r->err, sizeof(r->err), "upstream stopped without "
		    "its end record");
	else
		r->err[0] = '\0';
}

int
rec_read(struct rec_reader *r, struct rec *rec)
{
	size_t used = 0;
	int res, f;

	for (;;) {
		if (r->pos < r->len) {
			if (r->fmt == FMT_UNKNOWN && detect(r) == -1)
				return -1;
			res = parse_one(r, rec, &used);
			if (res == P_BAD)
				return -1;
			if (res == P_OK && used > REC_MAX_SIZE)
				return bad(r, r->base + r->pos, "record of %zu "
				    "bytes, over the limit of %d", used,
				    REC_MAX_SIZE);
			if (res == P_OK) {
				r->pos += used;
				r->count++;
				if (check_contract(r, rec) == -1)
					return -1;
				note_tail(r, rec);
				return 1;
			}
			if (used > 0) {		/* JSON whitespace only */
				r->pos += used;
				used = 0;
				continue;
			}
			if (r->len - r->pos >= REC_MAX_SIZE)
				return bad(r, r->base + r->pos, "record larger "
				    "than the limit of %d bytes", REC_MAX_SIZE);
			if (r->eof) {
				/* upstream died mid-record: an early end */
				snprintf(r->err, sizeof(r->err), "stream ends "
				    "inside a record at byte %llu (truncated)",
				    (unsigned long long)(r->base + r->pos));
				r->cut = 1;
				r->tail_end = 0;
				r->pos = r->len;
				return 0;
			}
		} else if (r->eof) {
			note_ending(r);
			return 0;
		}
		if ((f = fill(r)) == -1 || f == REC_IDLE)
			return f;
	}
}

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
