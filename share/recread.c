/*
 * The one reader loop for record streams: buffering, the format, the
 * contract.  It takes msgpack or JSON (told apart by the first byte),
 * parses each record into a msgpack_object tree (msgpack: mpread.c, with
 * only the keys the stage said it reads, rec_reader_want(); JSON: json.c,
 * whole), and checks the contract: records are maps with a "type", none
 * is larger than REC_MAX_SIZE or nested deeper than REC_MAX_DEPTH, a
 * container never claims more entries than bytes remain (so a lying
 * length cannot make us allocate), the first record is a header of a
 * major version we understand, and known keys have their declared types.
 * Any breach is EBADMSG with a message naming the offset; a record whose
 * tree found no memory is ENOMEM.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cur.h"
#include "mpread.h"
#include "nm.h"
#include "rec.h"

#define CHUNK  (256 * 1024)
#define BUFCAP (REC_MAX_SIZE + 2 * CHUNK)

enum fmt { FMT_UNKNOWN, FMT_MSGPACK, FMT_JSON };

struct rec_reader {
	int fd;
	char *buf;
	size_t pos, len; /* unread bytes are buf[pos..len) */
	uint64_t base;	 /* stream offset of buf[0] */
	int eof;
	enum fmt fmt;
	int seen_header;
	int headless;	/* JSON that came with no header (jq filtered it) */
	int tail_end;	/* the last records read are end records */
	int tail_early; /* ...and one says "early" */
	uint64_t count;
	msgpack_zone zone;
	int report_idle;     /* return REC_IDLE rather than block */
	int cut;	     /* the input ended inside a record */
	size_t maxread;	     /* bytes per read(); tests shrink it */
	unsigned schema_bad; /* IN_ bits: types the last one breaks */
	struct key_memo *memo;
	/* what the stage reads of each record type (rec_reader_want) */
	const uint8_t *want[REC_NTYPES];
	uint8_t wanted[REC_NTYPES][MP_NKEYS + 1];
	char err[320];
};

/*
 * Not an e-function: NULL with errno (ENOMEM) when memory is short, and
 * the caller says so in its own words (the stage driver exits).
 */
struct rec_reader *
rec_reader_open(int fd)
{
	struct rec_reader *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->fd = fd;
	r->maxread = CHUNK;
	r->buf = malloc(BUFCAP);
	r->memo = calloc(MEMO + 1, sizeof(*r->memo));
	if (r->buf == NULL || r->memo == NULL ||
	    !msgpack_zone_init(&r->zone, 64 * 1024)) {
		free(r->buf);
		free(r->memo);
		free(r);
		errno = ENOMEM;
		return NULL;
	}
	return r;
}

/*
 * Marks path (dotted, through known maps) and the maps above it as read:
 * the path whole, those above it in part.  -1 when a component is not a
 * known key.
 */
static int
want_path(uint8_t *t, const char *path)
{
	const char *dot;
	enum key_type kt, elem;
	int id, parent = 0;
	size_t n;

	for (;;) {
		dot = strchr(path, '.');
		n = dot != NULL ? (size_t)(dot - path) : strlen(path);
		if ((id = rec_key_find(parent, path, n, &kt, &elem)) == 0)
			return -1;
		if (dot == NULL) {
			t[id] = MP_ALL;
			return 0;
		}
		if (t[id] != MP_ALL)
			t[id] = MP_SOME;
		parent = id;
		path = dot + 1;
	}
}

int
rec_reader_want(
    struct rec_reader *r, enum rec_type type, const char *const *paths)
{
	uint8_t *t;
	size_t i;

	if (type <= REC_UNKNOWN || type >= REC_NTYPES || type == REC_HEADER ||
	    type == REC_END) {
		errno = EINVAL;
		return -1;
	}
	t = r->wanted[type];
	memset(t, MP_SKIP, sizeof(r->wanted[type]));
	r->want[type] = NULL;
	if (paths == NULL)
		return 0;
	for (i = 0; paths[i] != NULL; i++)
		if (want_path(t, paths[i]) == -1) {
			errno = EINVAL;
			return -1; /* such records stay whole */
		}
	r->want[type] = t;
	return 0;
}

void
rec_reader_report_idle(struct rec_reader *r)
{
	r->report_idle = 1;
}

int
rec_reader_fd(const struct rec_reader *r)
{
	return r->fd;
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

int
rec_reader_saw_end(const struct rec_reader *r)
{
	/* a headless JSON stream promised no end record */
	return r->count > 0 && (r->tail_end || r->headless) && !r->tail_early &&
	    !r->cut;
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
	snprintf(r->err, sizeof(r->err),
	    "malformed record stream at byte %llu: %s", (unsigned long long)off,
	    msg);
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
		n = read(r->fd, r->buf + r->len,
		    BUFCAP - r->len < r->maxread ? BUFCAP - r->len
						 : r->maxread);
		if (n > 0) {
			r->len += (size_t)n;
			return 1;
		}
		if (n == 0) {
			r->eof = 1;
			return 0;
		}
		if (errno == EINTR)
			return -1; /* let the program look at its signals */
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
		return bad(r, r->base + r->pos,
		    "first byte %s is neither a "
		    "msgpack map nor a JSON object",
		    what);
	}
	return 0;
}

/*
 * One parse attempt over the buffered bytes: P_OK with the record's
 * length in *used, P_MORE, or P_BAD (-1 with errno set).  JSON whitespace
 * before a record is consumed first, so r->pos is where the record starts
 * (the offset an error about it names).
 */
static int
parse_one(struct rec_reader *r, struct rec *rec, size_t *used)
{
	const char *p;
	size_t n, erroff = 0;
	struct mp_ctx x = {
		.memo = r->memo, .zone = &r->zone, .want = r->want
	};
	struct cur c;
	char why[200];
	long got;
	int res;

	msgpack_zone_clear(&r->zone);
	if (r->fmt == FMT_JSON) {
		while (r->pos < r->len &&
		    (r->buf[r->pos] == ' ' || r->buf[r->pos] == '\t' ||
			r->buf[r->pos] == '\n' || r->buf[r->pos] == '\r'))
			r->pos++;
		if (r->pos == r->len)
			return P_MORE;
		p = r->buf + r->pos;
		got = json_parse(p, r->len - r->pos, &r->zone, &rec->obj,
		    &erroff, why, sizeof(why));
		if (got < 0)
			return bad(r, r->base + r->pos + erroff, "%s", why),
			       P_BAD;
		if (got == 0)
			return P_MORE;
		rec->raw = NULL;
		rec->rawlen = 0;
		*used = (size_t)got;
		rec->off = r->base + r->pos;
		return P_OK;
	}
	p = r->buf + r->pos;
	n = r->len - r->pos;
	c = cur_make(p, n);
	res = mp_parse(&c, &x, &rec->obj, 1, 0, MP_PICK);
	if (res == P_BAD && x.nomem) {
		snprintf(r->err, sizeof(r->err), "reading a record: %s",
		    strerror(ENOMEM));
		errno = ENOMEM;
		return P_BAD;
	}
	if (res == P_BAD)
		return bad(r,
			   r->base + r->pos +
			       (size_t)((const char *)x.where - p),
			   "%s", x.why),
		       P_BAD;
	if (res == P_MORE)
		return P_MORE;
	*used = (size_t)((const char *)c.p - p);
	r->schema_bad = x.schema_bad;
	rec->raw = p;
	rec->rawlen = *used;
	rec->off = r->base + r->pos;
	return P_OK;
}

/*
 * Checks a record of a known type against the schema, the message in why.
 * A tree built with only the keys the stage wants may lack the key the
 * parse found wrong: then the record's bytes are read again, whole (a
 * rare path, a stream about to end in an error).
 */
static int
validate(struct rec_reader *r, const struct rec *rec, char *why, size_t n)
{
	msgpack_zone zone;
	msgpack_object whole;
	struct mp_ctx x = { .memo = r->memo, .zone = &zone };
	struct cur c;
	int res;

	if (rec_validate(&rec->obj, rec->type, why, n) == -1)
		return -1;
	if (rec->raw == NULL)
		return 0;
	if (!msgpack_zone_init(&zone, 64 * 1024)) {
		snprintf(why, n, "a known key has the wrong type");
		return -1;
	}
	c = cur_make(rec->raw, rec->rawlen);
	res = mp_parse(&c, &x, &whole, 1, 0, MP_PICK);
	if (res != P_OK || rec_validate(&whole, rec->type, why, n) == 0)
		snprintf(why, n, "a known key has the wrong type");
	msgpack_zone_destroy(&zone);
	return -1;
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
		return bad(r, rec->off, "%s", "record has no \"type\" string");
	rec->type = rec_type_of(t->via.str.ptr, t->via.str.size);
	/* the parse noted breaches of msgpack; JSON is checked now */
	if (rec->type != REC_UNKNOWN &&
	    (rec->raw == NULL || (r->schema_bad & REC_IN(rec->type))) &&
	    validate(r, rec, why, sizeof(why)) == -1)
		return bad(r, rec->off, "%s", why);
	if (rec->type == REC_HEADER) {
		if (!rec_get_u64(&rec->obj, "version", &v))
			return bad(
			    r, rec->off, "%s", "header has no \"version\"");
		if (v > REC_VERSION_MAJOR)
			return bad(r, rec->off,
			    "stream version %llu is newer "
			    "than this program's %d: upgrade nm",
			    (unsigned long long)v, REC_VERSION_MAJOR);
		r->seen_header = 1;
	} else if (!r->seen_header && rec->raw == NULL) {
		/*
		 * JSON lines with no header are what `jq 'select(...)'` in the
		 * middle makes: taken as this version's records, silently.
		 */
		r->seen_header = r->headless = 1;
	} else if (!r->seen_header) {
		char what[64];

		snprintf(what, sizeof(what), "%.*s", (int)t->via.str.size,
		    t->via.str.ptr);
		return bad(r, rec->off,
		    "stream does not start with a header "
		    "record (first is '%s')",
		    what);
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
		return; /* rec_read() said why */
	if (r->count == 0)
		snprintf(r->err, sizeof(r->err), "no records at all");
	else if (!r->tail_end && !r->headless)
		snprintf(r->err, sizeof(r->err),
		    "upstream stopped without "
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
				return bad(r, r->base + r->pos,
				    "record of %zu "
				    "bytes, over the limit of %d",
				    used, REC_MAX_SIZE);
			if (res == P_OK) {
				r->pos += used;
				r->count++;
				if (check_contract(r, rec) == -1)
					return -1;
				note_tail(r, rec);
				return 1;
			}
			if (r->len - r->pos >= REC_MAX_SIZE)
				return bad(r, r->base + r->pos,
				    "record larger "
				    "than the limit of %d bytes",
				    REC_MAX_SIZE);
			if (r->eof) {
				/* upstream died mid-record: an early end */
				snprintf(r->err, sizeof(r->err),
				    "stream ends "
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

int
rec_parse(struct rec_reader *r, const void *p, size_t n, struct rec *rec,
    size_t *used)
{
	struct mp_ctx x = {
		.memo = r->memo, .zone = &r->zone, .want = r->want
	};
	struct cur c = cur_make(p, n);
	int res;

	msgpack_zone_clear(&r->zone);
	res = mp_parse(&c, &x, &rec->obj, 1, 0, MP_PICK);
	if (res == P_BAD && x.nomem) {
		snprintf(r->err, sizeof(r->err), "reading a record: %s",
		    strerror(ENOMEM));
		errno = ENOMEM;
		return -1;
	}
	if (res == P_BAD)
		return bad(r,
		    (uint64_t)((const char *)x.where - (const char *)p), "%s",
		    x.why);
	if (res == P_MORE)
		return bad(r, n, "%s", "the bytes end inside a record");
	*used = (size_t)((const char *)c.p - (const char *)p);
	if (*used > REC_MAX_SIZE)
		return bad(r, 0, "record of %zu bytes, over the limit of %d",
		    *used, REC_MAX_SIZE);
	r->schema_bad = x.schema_bad;
	r->seen_header = 1; /* a message is the middle of a stream */
	rec->raw = p;
	rec->rawlen = *used;
	rec->off = 0;
	return check_contract(r, rec) == -1 ? -1 : 1;
}
