/*
 * nm-decode: the stage that parses untrusted packet bytes.  It reads the
 * record stream on stdin, turns every frame record into exactly one packet
 * record (the frame's keys, plus the decoded layers, or as far as they
 * went and why they stopped), passes every other record on untouched, and
 * ends its output with an end record counting frames in and packets out.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nm.h"
#include "rec.h"
#include "services.h"
#include "pkt.h"
#include "sandbox.h"

#define DEC_MAXSOURCES	4096	/* link types remembered from the header */
#define DEC_PREVIEW	64	/* payload bytes kept in "data" (as -o detailed shows) */

enum keep { KEEP_PREVIEW, KEEP_WHOLE, KEEP_NONE };	/* of the frame's bytes */

struct opts {
	enum keep	 keep;
	const char	*services;	/* user service table, or NULL */
};

struct ctx {
	struct rec_reader *r;
	struct rec_writer *w;
	unsigned	*linktype;	/* by source index, from the header */
	unsigned	 nsources;
	uint64_t	 frames, packets;
	enum keep	 keep;
	int		 pipe_in;	/* stdin is a pipe: drain it on a signal */
	int		 headed;	/* a header record has been written */
	struct pkt	 pk;		/* reused for every frame */
	struct pk	 kept;		/* a frame's keys that go on */
};

static volatile sig_atomic_t dec_signals;

static const char usage_text[] =
    "usage: nm-decode [-k | -S] [--services file]\n";

static void __attribute__((noreturn))
usage(void)
{
	nm_usage(usage_text, NM_EXIT_USAGE);
}

static void
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "strip", no_argument, NULL, 'S' },
		{ "keep-data", no_argument, NULL, 'k' },
		{ "services", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	memset(o, 0, sizeof(*o));
	o->services = getenv("NM_SERVICES");
	while ((ch = getopt_long(argc, argv, "kSh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'k':
		case 'S':
			if (o->keep != KEEP_PREVIEW &&
			    o->keep != (ch == 'k' ? KEEP_WHOLE : KEEP_NONE))
				nm_bad_usage("-k keeps all of data and -S none "
				    "of it: give one");
			o->keep = ch == 'k' ? KEEP_WHOLE : KEEP_NONE;
			break;
		case 's':
			o->services = optarg;
			break;
		case 'h':
			nm_usage(usage_text, NM_EXIT_OK);
		case 'V':
			puts("nm-decode " NM_VERSION);
			exit(NM_EXIT_OK);
		default:
			usage();
		}
	}
	if (optind != argc)
		nm_bad_usage("unexpected argument: %s", argv[optind]);
}

static void
on_signal(int sig)
{
	dec_signals++;
}

/* No SA_RESTART: a second signal must break a blocked read. */
static void
set_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* The reader is about to block: whatever is decoded goes downstream now. */
static void
on_idle(void *arg)
{
	struct ctx *cx = arg;

	if (rec_writer_flush(cx->w) < 0 && errno == EPIPE)
		exit(NM_EXIT_OK);
}

/* Remembers each source's link type from a header's "sources" array. */
static void
note_sources(struct ctx *cx, const msgpack_object *hdr)
{
	const msgpack_object *src = rec_get(hdr, "sources");
	uint64_t lt;
	uint32_t i, n;

	if (src == NULL || src->type != MSGPACK_OBJECT_ARRAY)
		return;
	n = src->via.array.size;
	if (n > DEC_MAXSOURCES)
		n = DEC_MAXSOURCES;
	free(cx->linktype);
	cx->linktype = ecalloc(n ? n : 1, sizeof(*cx->linktype));
	cx->nsources = n;
	for (i = 0; i < n; i++)
		cx->linktype[i] = rec_get_u64(&src->via.array.ptr[i],
		    "linktype", &lt) ? (unsigned)lt : 1;
}

/*
 * Keys of a frame the packet does not copy: those REC_KEYS says nm-decode
 * writes in a packet (its type, data, and what the decoder adds).  This
 * runs for every key of every frame, so the answer for the key last seen
 * at each place is remembered (frames repeat their layout) and a key is
 * recognised by one compare.
 */
static int
frame_key_dropped(const msgpack_object *k, uint32_t place)
{
#define NPLACES	16
	static uint64_t seen[NPLACES];
	static uint8_t seenlen[NPLACES], drop[NPLACES];
	const struct rec_key *def;
	enum key_type t, elem;
	size_t n;
	uint64_t w;
	int id, d;

	if (k->type != MSGPACK_OBJECT_STR || (n = k->via.str.size) == 0)
		return 0;
	w = rec_key_word(k->via.str.ptr, n);
	/* up to eight bytes, the word is the whole name */
	if (n <= 8 && place < NPLACES && seen[place] == w &&
	    seenlen[place] == n)
		return drop[place];
	id = rec_key_find_word(0, w, k->via.str.ptr, n, &t, &elem);
	def = id != 0 ? rec_key(id) : NULL;
	d = def != NULL && (def->in & IN_PACKET) && (def->by & BY_DECODE);
	if (n <= 8 && place < NPLACES) {
		seen[place] = w;
		seenlen[place] = (uint8_t)n;
		drop[place] = (uint8_t)d;
	}
	return d;
#undef NPLACES
}

/*
 * How many of the frame's bytes go on in "data": by default the headers
 * and the start of the payload (what a person or a later stage looks at;
 * the rest would only be copied through every pipe), all of them with -k
 * or when no payload was found (a frame nm could not take apart), or none.
 */
static size_t
data_kept(const struct ctx *cx, size_t len)
{
	const struct pkt *pk = &cx->pk;

	if (cx->keep == KEEP_NONE)
		return 0;
	if (cx->keep == KEEP_WHOLE || !pk->has_payload ||
	    pk->poff > len || len - pk->poff <= DEC_PREVIEW)
		return len;
	return pk->poff + DEC_PREVIEW;
}

static void
decode_frame(struct ctx *cx, const msgpack_object *fr)
{
	const uint8_t *data = NULL;
	size_t len = 0;
	uint64_t ifx = 0;
	unsigned lt = 1, keep = 0;
	struct pk *mp;
	uint32_t i;
	int has_data;

	has_data = rec_get_bin(fr, "data", &data, &len);
	if (rec_get_u64(fr, "if", &ifx) && ifx < cx->nsources)
		lt = cx->linktype[ifx];
	else if (cx->nsources > 0 && !rec_get(fr, "if"))
		lt = cx->linktype[0];
	dec_packet(&cx->pk, lt, data, data ? len : 0);

	/* the frame's other keys, packed aside until they are counted */
	has_data = has_data && cx->keep != KEEP_NONE;
	cx->kept.len = 0;
	for (i = 0; i < fr->via.map.size; i++) {
		if (frame_key_dropped(&fr->via.map.ptr[i].key, i))
			continue;
		pk_obj(&cx->kept, &fr->via.map.ptr[i].key);
		pk_obj(&cx->kept, &fr->via.map.ptr[i].val);
		keep++;
	}
	mp = rec_writer_pk(cx->w);
	pk_map(mp, 1 + (unsigned)has_data + keep + pkt_nkeys(&cx->pk));
	pk_kstr(mp, "type", "packet");
	pk_raw(mp, cx->kept.p, cx->kept.len);
	if (has_data)
		pk_kbin(mp, "data", data, data_kept(cx, len));
	pkt_pack(mp, &cx->pk);
	if (rec_writer_end(cx->w) < 0)
		nm_write_failed();
	cx->packets++;
}

/* Every stream starts with a header: make one if upstream sent none. */
static void
need_header(struct ctx *cx)
{
	if (cx->headed)
		return;
	cx->headed = 1;
	if (rec_write_header(cx->w, NULL, "nm-decode") < 0)
		nm_write_failed();
}

/* state: running until EOF, a malformed record, or enough signals */
static const char *
run(struct ctx *cx)
{
	struct rec rec;
	int rc;

	for (;;) {
		if (dec_signals >= 2 || (dec_signals && !cx->pipe_in))
			return "signal";
		rc = rec_read(cx->r, &rec);
		if (rc == 0)
			return rec_reader_saw_end(cx->r) ? "eof" : "early";
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0) {
			int e = errno;

			rec_writer_flush(cx->w);
			if (e == EBADMSG)
				nm_die(NM_EXIT_BADSTREAM, "stdin: %s",
				    rec_reader_error(cx->r));
			nm_die(NM_EXIT_FAIL, "stdin: %s", strerror(e));
		}
		if (rec.type != REC_HEADER)
			need_header(cx);
		switch (rec.type) {
		case REC_HEADER:
			cx->headed = 1;
			note_sources(cx, &rec.obj);
			rc = rec_write_header(cx->w, &rec.obj, "nm-decode");
			break;
		case REC_FRAME:
			cx->frames++;
			decode_frame(cx, &rec.obj);
			rc = 0;
			break;
		default:
			rc = rec_write_rec(cx->w, &rec);
			break;
		}
		if (rc < 0)
			nm_write_failed();
	}
}

int
main(int argc, char **argv)
{
	static struct ctx cx;	/* static: struct pkt is large */
	struct opts o;
	const char *reason;

	nm_init(argv[0]);
	parse_opts(argc, argv, &o);
	esvc_setup(o.services);
	set_signals();
	cx.keep = o.keep;
	pk_init(&cx.kept, 1024);
	cx.pipe_in = nm_stdin_is_pipe();
	if ((cx.w = rec_writer_open(1)) == NULL)
		nm_die(NM_EXIT_FAIL, "stdout: %s", strerror(errno));
	if ((cx.r = rec_reader_open(0, on_idle, &cx)) == NULL)
		nm_die(NM_EXIT_FAIL, "stdin: %s", strerror(errno));
	esandbox(NM_SANDBOX_STAGE);

	/* state: sandboxed, stdin and stdout only */
	reason = run(&cx);
	need_header(&cx);

	if (rec_write_end(cx.w, "nm-decode", cx.frames, cx.packets,
	    reason) < 0 || rec_writer_close(cx.w) < 0)
		nm_write_failed();
	if (strcmp(reason, "early") == 0)
		return nm_early(rec_reader_error(cx.r));
	rec_reader_close(cx.r);
	return NM_EXIT_OK;
}
