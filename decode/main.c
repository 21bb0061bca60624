/*
 * nm-decode: the stage that parses untrusted packet bytes.  It reads the
 * record stream on stdin, turns every frame record into exactly one packet
 * record (the frame's keys, plus the decoded layers, or as far as they
 * went and why they stopped), passes every other record on untouched, and
 * ends its output with an end record counting frames in and packets out.
 * The one state it keeps across frames is the table of DNS queries that
 * times their responses (dnsq.c).  With -Y only the packets the filter
 * (share/filter.c) matches go on; frames still count from the first.
 */
#include <errno.h>
#include <msgpack.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "filter.h"
#include "nm.h"
#include "rec.h"
#include "services.h"
#include "app.h"
#include "pkt.h"
#include "sandbox.h"
#include "stage.h"

#define DEC_MAXSOURCES 4096 /* link types remembered from the header */
/* payload bytes kept in "data" (as -o detailed shows) */
#define DEC_PREVIEW 64

enum keep { KEEP_PREVIEW, KEEP_WHOLE, KEEP_NONE }; /* of the frame's bytes */

struct opts {
	enum keep keep;
	const char *services; /* user service table, or NULL */
	int force;	      /* records even to a terminal */
	int realtime;	      /* --realtime: at the recorded pace */
	const char *filter;   /* -Y, or NULL */
	int no_app;	      /* --no-app: no TLS, QUIC or HTTP */
};

struct ctx {
	struct stage st;
	unsigned *linktype; /* by source index, from the header */
	unsigned nsources;
	enum keep keep;
	struct pkt pk;	/* reused for every frame */
	struct pk kept; /* a frame's keys that go on */
	/* -Y: the filter, and a packet packed aside to be read back */
	struct filter *filter;
	struct pk fpk;
	msgpack_zone zone;
};

static const char usage_text[] =
    "usage: nm-decode [-k | -S] [-Y filter] [--services file] [--realtime]\n"
    "                 [--no-app] [--force]\n";

static void __attribute__((noreturn)) usage(void)
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
		{ "force", no_argument, NULL, 'f' },
		{ "realtime", no_argument, NULL, 'R' },
		{ "display-filter", required_argument, NULL, 'Y' },
		{ "no-app", no_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	memset(o, 0, sizeof(*o));
	o->services = getenv("NM_SERVICES");
	while ((ch = getopt_long(argc, argv, "kShY:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'k':
		case 'S':
			if (o->keep != KEEP_PREVIEW &&
			    o->keep != (ch == 'k' ? KEEP_WHOLE : KEEP_NONE))
				nm_bad_usage("-k keeps all of data and -S none "
					     "of it: give one");
			o->keep = ch == 'k' ? KEEP_WHOLE : KEEP_NONE;
			break;
		case 's': o->services = optarg; break;
		case 'f': o->force = 1; break;
		case 'R': o->realtime = 1; break;
		case 'Y': o->filter = optarg; break;
		case 'A': o->no_app = 1; break;
		case 'h': nm_usage(usage_text, NM_EXIT_OK);
		case 'V': nm_version("nm-decode");
		default: usage();
		}
	}
	if (optind != argc)
		nm_bad_usage("unexpected argument: %s", argv[optind]);
}

/*
 * Remembers each source's link type from a header's "sources" array (the
 * first DEC_MAXSOURCES of them): a frame's if must name one of them.
 */
static void
note_sources(struct stage *st, const struct rec *hdr)
{
	struct ctx *cx = st->arg;
	const msgpack_object *src = rec_get(&hdr->obj, "sources");
	uint64_t lt;
	uint32_t i, n;

	if (cx->filter != NULL)
		filter_header(cx->filter, &hdr->obj);
	if (src == NULL || src->type != MSGPACK_OBJECT_ARRAY)
		return;
	n = src->via.array.size;
	if (n > DEC_MAXSOURCES)
		n = DEC_MAXSOURCES;
	free(cx->linktype);
	cx->linktype = ecalloc(n ? n : 1, sizeof(*cx->linktype));
	cx->nsources = n;
	for (i = 0; i < n; i++)
		cx->linktype[i] =
		    rec_get_u64(&src->via.array.ptr[i], "linktype", &lt)
		    ? (unsigned)lt
		    : 1;
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
#define NPLACES 16
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
	if (cx->keep == KEEP_WHOLE || !pk->has_payload || pk->poff > len ||
	    len - pk->poff <= DEC_PREVIEW)
		return len;
	return pk->poff + DEC_PREVIEW;
}

/*
 * -Y: reads the packet packed aside back as a tree (its bytes are this
 * stage's own), and writes it on when the filter matches.
 */
static int
pass_filter(struct ctx *cx)
{
	struct rec r = { .type = REC_PACKET };
	size_t off = 0;

	msgpack_zone_clear(&cx->zone);
	if (msgpack_unpack(cx->fpk.p, cx->fpk.len, &off, &cx->zone, &r.obj) !=
		MSGPACK_UNPACK_SUCCESS ||
	    !filter_match(cx->filter, &r.obj))
		return 0;
	r.raw = cx->fpk.p;
	r.rawlen = cx->fpk.len;
	stage_pass(&cx->st, &r);
	return 1;
}

/* The frame's "ts", an unsigned integer, as rec_get_u64 reads it. */
static int
is_ts(const msgpack_object_kv *kv, uint64_t *ts)
{
	if (kv->key.type != MSGPACK_OBJECT_STR || kv->key.via.str.size != 2 ||
	    memcmp(kv->key.via.str.ptr, "ts", 2) != 0 ||
	    kv->val.type != MSGPACK_OBJECT_POSITIVE_INTEGER)
		return 0;
	*ts = kv->val.via.u64;
	return 1;
}

static void
decode_frame(struct ctx *cx, const msgpack_object *fr)
{
	struct stage *st = &cx->st;
	const uint8_t *data = NULL;
	size_t len = 0;
	uint64_t ifx = 0, ts = 0;
	unsigned lt = 1, keep = 0;
	const msgpack_object_kv *kv;
	struct pk *mp;
	uint32_t i;
	int has_data, has_ts;

	has_data = rec_get_bin(fr, "data", &data, &len);
	/* Once the header lists sources, an if past them is unknown, not
	 * Ethernet: a guess would decode another link type's bytes. */
	if (!rec_get_u64(fr, "if", &ifx))
		ifx = 0;
	if (ifx < cx->nsources)
		lt = cx->linktype[ifx];
	/* the frame's other keys, packed aside until they are counted; its
	 * time on the way (one look at each key: this runs on every frame),
	 * for the tables that age by it (dnsq.c, reasm.c) */
	has_data = has_data && cx->keep != KEEP_NONE;
	cx->kept.len = 0;
	has_ts = 0;
	for (i = 0; i < fr->via.map.size; i++) {
		kv = &fr->via.map.ptr[i];
		if (!has_ts && is_ts(kv, &ts))
			has_ts = 1;
		if (frame_key_dropped(&kv->key, i))
			continue;
		pk_obj(&cx->kept, &kv->key);
		pk_obj(&cx->kept, &kv->val);
		keep++;
	}
	cx->pk.ts = has_ts ? ts : 0; /* pkt_reset leaves it */
	if (ifx >= cx->nsources && cx->nsources > 0)
		dec_nosource(&cx->pk, ifx, cx->nsources);
	else
		dec_packet(&cx->pk, lt, data, data ? len : 0);
	/* a response's time since its query; frames count from 1, as
	 * tshark numbers them */
	if (cx->pk.have & PK_DNS && has_ts)
		dnsq_note(&cx->pk, ts, st->frames);
	if (cx->filter != NULL) {
		mp = &cx->fpk;
		mp->len = 0;
	} else
		mp = stage_pk(st);
	pk_map_open(mp);
	pk_kstr(mp, "type", "packet");
	pk_raw_items(mp, cx->kept.p, cx->kept.len, 2 * keep);
	if (has_data)
		pk_kbin(mp, "data", data, data_kept(cx, len));
	pkt_pack(mp, &cx->pk);
	pk_close(mp);
	if (cx->filter != NULL && !pass_filter(cx))
		return;
	if (cx->filter == NULL)
		stage_end_record(st);
	st->packets++;
}

/* A frame becomes a packet; every other record goes on as it came. */
static void
on_record(struct stage *st, const struct rec *rec)
{
	if (rec->type != REC_FRAME) {
		stage_pass(st, rec);
		return;
	}
	st->frames++;
	decode_frame(st->arg, &rec->obj);
}

/* Says once, at the end, when the query table lost queries. */
static void
on_finish(struct stage *st, enum stage_end why)
{
	uint64_t n = dnsq_evicted(), ev, ov;

	if (n > 0)
		nm_warn("dns.time: %llu unanswered quer%s pushed out of the "
			"full table (%u at most): their responses have none",
		    (unsigned long long)n, n == 1 ? "y" : "ies",
		    DNSQ_BUCKETS * DNSQ_WAYS);
	if ((n = tcpapp_evicted()) > 0)
		nm_warn("tls records: %llu direction%s pushed out of the full "
			"table: their later records are not shown",
		    (unsigned long long)n, n == 1 ? "" : "s");
	reasm_counts(&ev, &ov);
	if (ev > 0 || ov > 0)
		nm_warn("reassembly: %llu stream%s pushed out of the full "
			"table (%u at most), %llu message%s past %u bytes: "
			"their fields are not shown",
		    (unsigned long long)ev, ev == 1 ? "" : "s",
		    (unsigned)REASM_MAXSTREAMS, (unsigned long long)ov,
		    ov == 1 ? "" : "s", (unsigned)REASM_MAXBYTES);
}

/* The end record's reassembly figures, when a bound was hit. */
static void
end_keys(struct pk *mp, void *arg)
{
	uint64_t ev, ov;

	reasm_counts(&ev, &ov);
	if (ev == 0 && ov == 0)
		return;
	pk_cstr(mp, "reasm");
	pk_map_open(mp);
	pk_ku(mp, "evicted", ev);
	pk_ku(mp, "overflowed", ov);
	pk_close(mp);
}

static const struct stage_ops decode_ops = {
	.name = "nm-decode",
	.records_out = 1,
	.header = note_sources,
	.record = on_record,
	.finish = on_finish,
	.end_keys = end_keys,
};

int
main(int argc, char **argv)
{
	static struct ctx cx; /* static: struct pkt is large */
	struct opts o;

	nm_init(argv[0]);
	parse_opts(argc, argv, &o);
	esvc_setup(o.services);
	dnsq_seed();
	reasm_seed();
	if (!tls_setup())
		nm_die(NM_EXIT_FAIL, "tls: libcrypto has no SHA-256 for JA4");
	if (!quic_setup())
		nm_die(NM_EXIT_FAIL,
		    "quic: libcrypto has no HMAC-SHA256, AES-128-GCM or "
		    "AES-128-ECB that computes RFC 9001's keys");
	cx.keep = o.keep;
	dec_app_on = !o.no_app;
	pk_init(&cx.kept, 1024);
	if (o.filter != NULL) {
		cx.filter = filter_compile_opt(o.filter);
		filter_packets_only(cx.filter);
		pk_init(&cx.fpk, 4096);
		if (!msgpack_zone_init(&cx.zone, 64 * 1024))
			nm_die(NM_EXIT_FAIL, "-Y: out of memory");
	}
	stage_open(&cx.st, &decode_ops, &cx,
	    (o.force ? STAGE_FORCE : 0) | (o.realtime ? STAGE_REALTIME : 0));
	esandbox(NM_SANDBOX_STAGE);

	/* state: sandboxed, stdin and stdout only */
	return stage_run(&cx.st);
}
