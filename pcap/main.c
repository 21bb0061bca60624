/*
 * nm-pcap: the stage that writes a capture file from the record stream.
 * It passes every record on unchanged, so it can sit anywhere in a
 * pipeline (after nm-capture for everything, after a filtering stage for
 * what it kept), and writes each frame or packet record that carries its
 * bytes to the file of -w: pcapng by default, with an interface block
 * per capture source of the stream's header, direction flags where the
 * Linux cooked header tells them, a record's "comment" and the alerts
 * that follow the packet (nm-detect writes one right after the packet that
 * completed it) as the packet's comments, and the capture statistics at
 * the end; classic pcap with -F pcap.  With -w - the capture goes to
 * stdout and no records do.
 *
 * To attach alerts without copying a packet, its block stays last in
 * the output's buffer (out.hold) until the next record comes, and
 * png_comment() reopens it there; any record but an alert lets it go.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nm.h"
#include "pcap.h"
#include "rec.h"
#include "sandbox.h"
#include "stage.h"

enum fmt { FMT_PCAPNG, FMT_PCAP };

/* Linux cooked header packet types (sll.pkttype) */
#define PKT_HOST      0
#define PKT_BROADCAST 1
#define PKT_MULTICAST 2
#define PKT_OUTGOING  4

/* The most sources a stream may name (an "if" past it is a bad record). */
#define MAX_SOURCES 4096

struct opts {
	const char *file;
	enum fmt fmt;
	int force;
	int unbuffered; /* -U */
	struct rot_opts rot;
};

/* One capture source of the stream, by its index ("if"). */
struct source {
	struct src s;
	int named;	/* the header described it */
	int64_t ifid;	/* its interface block's id, -1 before one is written */
	uint64_t start; /* a live capture's start, from the header */
	struct ifstats st;
};

struct ctx {
	struct stage st;
	struct out out;
	enum fmt fmt;
	struct classic *cl;
	uint32_t cl_linktype;
	struct source *src;
	size_t nsrc;
	uint32_t nifs; /* interface blocks written */
	uint64_t written, cut, other_link;
	int unbuffered;
	/*
	 * Alerts: nm-stats or nm-detect is upstream (the header's stages
	 * say: either may run the detectors), so the
	 * last packet's block is held back (held) until the next record,
	 * in case it is an alert about that packet.  Counted: those
	 * written as comments, those a pcap file cannot hold, those that
	 * followed no packet written.
	 */
	int alerts, held;
	uint64_t commented, uncommented, unattached;
	/* rotation: the helper, the file open (if any) and its period */
	const struct rot_opts *ro; /* NULL: one file, opened at the start */
	struct rot rot;
	int open, opened; /* a file is open; one ever was */
	uint64_t period;  /* the open file's, seconds */
	uint64_t fpkts;	  /* packets written to it (-P) */
	uint64_t files;
	char name[ROT_NAME_MAX];
};

static const char usage_text[] =
    "usage: nm-pcap -w file [-U] [-F pcapng|pcap] [-C size[k|m|g]] "
    "[-P count]\n"
    "               [-G seconds] [-W count] [-z command] [--force]\n";

/* -C: millions of bytes, or KiB, MiB, GiB with a suffix (tcpdump's). */
static uint64_t
size_arg(const char *a)
{
	char num[32];
	size_t n = strlen(a);
	uint64_t unit = 1000000;

	if (n > 1 && n < sizeof(num) && strchr("kKmMgG", a[n - 1]) != NULL) {
		unit = strchr("kK", a[n - 1]) ? 1024
		    : strchr("mM", a[n - 1])  ? 1024 * 1024
					      : 1024 * 1024 * 1024;
		memcpy(num, a, n - 1);
		num[n - 1] = '\0';
		a = num;
	}
	return (uint64_t)estrtonum(
		   a, 1, (long long)(UINT64_MAX / 2 / unit), "-C") *
	    unit;
}

static int
rotating(const struct rot_opts *r)
{
	return r->size || r->packets || r->secs;
}

static void
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "write", required_argument, NULL, 'w' },
		{ "format", required_argument, NULL, 'F' },
		{ "packets", required_argument, NULL, 'P' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	memset(o, 0, sizeof(*o));
	while ((ch = getopt_long(
		    argc, argv, "w:F:hUC:P:G:W:z:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'w': o->file = optarg; break;
		case 'F':
			if (strcmp(optarg, "pcapng") == 0)
				o->fmt = FMT_PCAPNG;
			else if (strcmp(optarg, "pcap") == 0)
				o->fmt = FMT_PCAP;
			else
				nm_bad_usage(
				    "-F %s: the format is pcapng or pcap",
				    optarg);
			break;
		case 'f': o->force = 1; break;
		case 'U': o->unbuffered = 1; break;
		case 'C': o->rot.size = size_arg(optarg); break;
		case 'P':
			/* not -c: tcpdump's -c stops after count packets */
			o->rot.packets =
			    (uint64_t)estrtonum(optarg, 1, UINT32_MAX, "-P");
			break;
		case 'G':
			o->rot.secs =
			    (unsigned)estrtonum(optarg, 1, 366 * 86400, "-G");
			break;
		case 'W':
			o->rot.ring =
			    (unsigned)estrtonum(optarg, 1, 100000, "-W");
			break;
		case 'z': o->rot.cmd = optarg; break;
		case 'h': nm_usage(usage_text, NM_EXIT_OK);
		case 'V': nm_version("nm-pcap");
		default: nm_usage(usage_text, NM_EXIT_USAGE);
		}
	}
	if (optind != argc)
		nm_bad_usage("unexpected argument: %s", argv[optind]);
	if (o->file == NULL)
		nm_bad_usage("-w file is needed (-w - for stdout)");
	if (*o->file == '\0')
		nm_bad_usage("-w: an empty file name");
	o->rot.base = o->file;
	if ((o->rot.ring || o->rot.cmd) && !rotating(&o->rot))
		nm_bad_usage("-W and -z go with rotation: -C size, -P count "
			     "or -G seconds");
	if (rotating(&o->rot) && strcmp(o->file, "-") == 0)
		nm_bad_usage("-C, -P and -G write one file after another: not "
			     "to stdout (-w -)");
	if (strlen(o->file) >= ROT_NAME_MAX - 32)
		nm_bad_usage("-w: a name too long");
}

static char *
str_dup(const msgpack_object *map, const char *key)
{
	const char *s;
	size_t n;
	char *p;

	if (!rec_get_str(map, key, &s, &n))
		return NULL;
	p = emalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* The source of index i, made when first named; NULL past the limit. */
static struct source *
source(struct ctx *cx, uint64_t i)
{
	size_t k;

	if (i >= MAX_SOURCES)
		return NULL;
	if (i >= cx->nsrc) {
		cx->src = erealloc(cx->src, (i + 1) * sizeof(*cx->src));
		for (k = cx->nsrc; k <= i; k++) {
			memset(&cx->src[k], 0, sizeof(cx->src[k]));
			cx->src[k].ifid = -1;
		}
		cx->nsrc = i + 1;
	}
	return &cx->src[i];
}

/*
 * Writing failed: one line, the stream's end record saying so (the
 * stages after this one stop cleanly), status 1.  A reader of -w - that
 * went away is no error.
 */
static void __attribute__((noreturn))
failed_as(struct ctx *cx, const char *name, int e)
{
	if (cx->out.fd == STDOUT_FILENO && e == EPIPE)
		exit(NM_EXIT_OK);
	nm_warn("%s: %s", name, strerror(e));
	if (cx->st.w != NULL) {
		/* a stream is a header first, even one that stops here */
		if (!cx->st.headed)
			(void)rec_write_header(cx->st.w, NULL, "nm-pcap");
		(void)rec_write_end(cx->st.w, "nm-pcap", cx->st.frames,
		    cx->st.packets, "error");
		(void)rec_writer_close(cx->st.w);
	}
	exit(NM_EXIT_FAIL);
}

static void __attribute__((noreturn)) failed(struct ctx *cx)
{
	failed_as(cx, cx->out.name, cx->out.err ? cx->out.err : errno);
}

static void
check(struct ctx *cx)
{
	if (cx->out.err)
		failed(cx);
}

/* A source without a block gets one, before its first packet. */
static void
need_interface(struct ctx *cx, struct source *s)
{
	if (s->ifid >= 0)
		return;
	if (!s->named && cx->nsrc > 0 && cx->src[0].named)
		s->s.linktype = cx->src[0].s.linktype;
	else if (!s->named)
		s->s.linktype = 1; /* no header said: Ethernet */
	s->ifid = cx->nifs++;
	png_interface(&cx->out, &s->s);
}

/* Classic pcap has one link type: the first source's decides. */
static void
need_classic(struct ctx *cx, const struct source *s)
{
	uint32_t snaplen = 0;
	char why[256];
	size_t i;

	if (cx->cl != NULL)
		return;
	for (i = 0; i < cx->nsrc; i++)
		if (cx->src[i].s.snaplen > snaplen)
			snaplen = cx->src[i].s.snaplen;
	/* every file of a rotation has the first one's */
	if (!cx->files++)
		cx->cl_linktype = s != NULL && s->named ? s->s.linktype : 1;
	cx->cl = classic_open(&cx->out, cx->cl_linktype,
	    snaplen ? snaplen : 262144, why, sizeof(why));
	if (cx->cl == NULL)
		nm_die(NM_EXIT_FAIL, "%s: %s", cx->out.name, why);
}

static int
is_str(const msgpack_object *v, const char *s)
{
	return v->type == MSGPACK_OBJECT_STR && v->via.str.size == strlen(s) &&
	    memcmp(v->via.str.ptr, s, v->via.str.size) == 0;
}

static void
on_header(struct stage *st, const struct rec *hdr)
{
	struct ctx *cx = st->arg;
	const msgpack_object *a = rec_get(&hdr->obj, "sources"), *m;
	struct source *s;
	uint64_t v;
	uint32_t i;

	if (a != NULL && a->type == MSGPACK_OBJECT_ARRAY)
		for (i = 0; i < a->via.array.size; i++) {
			m = &a->via.array.ptr[i];
			if (m->type != MSGPACK_OBJECT_MAP ||
			    (s = source(cx, i)) == NULL || s->named)
				continue;
			s->named = 1;
			s->s.name = str_dup(m, "name");
			s->s.filter = str_dup(m, "filter");
			s->s.linktype =
			    rec_get_u64(m, "linktype", &v) && v <= 0xffff
			    ? (uint32_t)v
			    : 1;
			s->s.snaplen =
			    rec_get_u64(m, "snaplen", &v) && v <= 0xffffffffu
			    ? (uint32_t)v
			    : 0;
			if (rec_get_u64(m, "start", &v))
				s->start = v;
		}
	a = rec_get(&hdr->obj, "stages");
	if (a != NULL && a->type == MSGPACK_OBJECT_ARRAY)
		for (i = 0; i < a->via.array.size; i++)
			/* the detectors run in nm-stats, or as nm-detect */
			if (is_str(&a->via.array.ptr[i], "nm-detect") ||
			    is_str(&a->via.array.ptr[i], "nm-stats"))
				cx->alerts = 1;
	if (!cx->open)
		return; /* rotation: the blocks go at the file's start */
	if (cx->fmt == FMT_PCAP) {
		need_classic(cx, cx->nsrc > 0 ? &cx->src[0] : NULL);
	} else {
		for (i = 0; i < cx->nsrc; i++)
			if (cx->src[i].named)
				need_interface(cx, &cx->src[i]);
	}
	check(cx);
}

/*
 * A file's start: pcapng's section header and an interface block per
 * source known so far (a new section numbers them anew); classic pcap's
 * file header, once the link type is known.
 */
static void
start_file(struct ctx *cx)
{
	char app[64];
	size_t i;

	cx->open = cx->opened = 1;
	cx->fpkts = 0;
	if (cx->fmt == FMT_PCAP) {
		if (cx->nsrc > 0 && cx->src[0].named)
			need_classic(cx, &cx->src[0]);
		check(cx);
		return;
	}
	snprintf(app, sizeof(app), "nm-pcap %s", NM_VERSION);
	png_section(&cx->out, app);
	cx->nifs = 0;
	for (i = 0; i < cx->nsrc; i++) {
		cx->src[i].ifid = -1;
		if (cx->src[i].named)
			need_interface(cx, &cx->src[i]);
	}
	check(cx);
}

/* A file's end: the statistics so far, the file closed whole. */
static void
end_file(struct ctx *cx)
{
	size_t i;

	if (cx->fmt == FMT_PCAP) {
		need_classic(cx, cx->nsrc > 0 ? &cx->src[0] : NULL);
		classic_close(cx->cl);
		cx->cl = NULL;
	} else {
		for (i = 0; i < cx->nsrc; i++)
			if (cx->src[i].st.seen) {
				need_interface(cx, &cx->src[i]);
				png_stats(&cx->out, (uint32_t)cx->src[i].ifid,
				    &cx->src[i].st, nm_realtime_ns());
			}
	}
	check(cx);
	cx->held = 0; /* out_close() writes it */
	if (out_close(&cx->out) < 0)
		failed(cx);
	cx->open = 0;
	if (cx->ro != NULL)
		rot_closed(&cx->rot);
}

/* Rotation: the next file, from the helper, for a period (seconds). */
static void
next_file(struct ctx *cx, uint64_t period)
{
	int fd;

	if ((fd = rot_next(&cx->rot, period, cx->name, sizeof(cx->name))) < 0)
		failed_as(cx, *cx->name ? cx->name : cx->ro->base, errno);
	out_open_fd(&cx->out, fd, cx->name);
	cx->period = period;
	start_file(cx);
}

/* The period (-G) a time falls in, in seconds, aligned to the epoch. */
static uint64_t
period_of(const struct ctx *cx, uint64_t ts)
{
	uint64_t sec = ts / 1000000000u;

	return cx->ro->secs ? sec - sec % cx->ro->secs : sec;
}

static int
period_over(const struct ctx *cx, uint64_t ts)
{
	return cx->ro->secs && ts / 1000000000u >= cx->period + cx->ro->secs;
}

/* -C or -P, whichever comes first: the open file takes no more. */
static int
file_full(const struct ctx *cx)
{
	return (cx->ro->size && cx->out.off + cx->out.buf.len > cx->ro->size) ||
	    (cx->ro->packets && cx->fpkts >= cx->ro->packets);
}

/* Before a packet of time ts: the file it goes in is open. */
static void
rotate_for(struct ctx *cx, uint64_t ts)
{
	if (cx->ro == NULL)
		return;
	if (cx->open && !period_over(cx, ts) && file_full(cx)) {
		/* the next file of the same period, counted */
		end_file(cx);
		next_file(cx, cx->period);
		return;
	}
	if (cx->open && period_over(cx, ts))
		end_file(cx);
	if (!cx->open)
		next_file(cx, period_of(cx, ts));
}

/* Direction from the Linux cooked header, when the record has one. */
static int
direction(const msgpack_object *rec)
{
	const msgpack_object *t = rec_path(rec, "sll.pkttype");

	if (t == NULL || t->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
		return 0;
	switch (t->via.u64) {
	case PKT_HOST:
	case PKT_BROADCAST:
	case PKT_MULTICAST: return 1;
	case PKT_OUTGOING: return 2;
	default: return 0;
	}
}

static void
write_packet(struct ctx *cx, const struct rec *rec)
{
	const msgpack_object *o = &rec->obj;
	struct source *s;
	struct pkt p;
	uint64_t ifx = 0, v;
	const uint8_t *data;
	size_t n;

	if (!rec_get_bin(o, "data", &data, &n))
		return;
	(void)rec_get_u64(o, "if", &ifx);
	if ((s = source(cx, ifx)) == NULL)
		return;
	memset(&p, 0, sizeof(p));
	p.data = data;
	p.caplen = n > 0xffffffffu ? 0xffffffffu : (uint32_t)n;
	(void)rec_get_u64(o, "ts", &p.ts);
	p.len = rec_get_u64(o, "len", &v) && v <= 0xffffffffu ? (uint32_t)v
							      : p.caplen;
	if (p.len < p.caplen)
		p.len = p.caplen;
	/* nm-decode keeps the payload's first bytes only (but -k) */
	if (rec->type == REC_PACKET && rec_get_u64(o, "caplen", &v) && v > n)
		cx->cut++;
	p.dir = direction(o);
	if (!rec_get_str(o, "comment", &p.comment, &p.commentlen))
		p.comment = NULL;
	if (s->st.first == 0 || (p.ts != 0 && p.ts < s->st.first))
		s->st.first = s->start != 0 ? s->start : p.ts;
	if (p.ts > s->st.last)
		s->st.last = p.ts;
	/*
	 * A frame a pcap file leaves out (once its link type is known)
	 * starts no new file, so -P counts only what is written.
	 */
	if (cx->fmt == FMT_PCAP && cx->files > 0 && s->named &&
	    s->s.linktype != cx->cl_linktype) {
		cx->other_link++;
		return;
	}
	rotate_for(cx, p.ts);
	if (cx->fmt == FMT_PCAP) {
		need_classic(cx, s);
		if ((s->named ? s->s.linktype : cx->cl_linktype) !=
		    cx->cl_linktype) {
			cx->other_link++;
			return;
		}
		classic_packet(cx->cl, &cx->out, &p);
	} else {
		need_interface(cx, s);
		p.ifid = (uint32_t)s->ifid;
		png_packet(&cx->out, &p);
		cx->held = cx->out.hold = cx->alerts;
	}
	cx->written++;
	cx->fpkts++;
	if (cx->unbuffered)
		(void)out_flush(&cx->out);
	check(cx);
}

static void
note_capstats(struct ctx *cx, const struct rec *rec)
{
	const msgpack_object *o = &rec->obj;
	struct source *s;
	uint64_t ifx = 0, ts;

	(void)rec_get_u64(o, "if", &ifx);
	if ((s = source(cx, ifx)) == NULL)
		return;
	s->st.seen = 1;
	(void)rec_get_u64(o, "recv", &s->st.recv);
	(void)rec_get_u64(o, "drop", &s->st.drop);
	(void)rec_get_u64(o, "ifdrop", &s->st.ifdrop);
	if (rec_get_u64(o, "ts", &ts) && ts > s->st.last)
		s->st.last = ts;
	if (s->st.first == 0 && s->start != 0)
		s->st.first = s->start;
	/* -G: the capture's clock closes a file on time, packets or not */
	if (cx->ro != NULL && cx->open && period_over(cx, s->st.last))
		end_file(cx);
}

/*
 * An alert's string between before and after, in one line (control
 * bytes as '?'); 0 when the alert has none.
 */
static int
alert_str(struct strbuf *b, const msgpack_object *o, const char *key,
    const char *before, const char *after)
{
	const char *v;
	size_t n, i;

	if (!rec_get_str(o, key, &v, &n))
		return 0;
	sb_adds(b, before);
	for (i = 0; i < n; i++)
		sb_addc(
		    b, (unsigned char)v[i] < 0x20 || v[i] == 0x7f ? '?' : v[i]);
	sb_adds(b, after);
	return 1;
}

/*
 * An alert: a comment on the packet right before it, the one that
 * completed it (nm-detect writes it then), in one line a person reads in
 * Wireshark and a filter finds (frame.comment contains "port_scan"):
 * nm-detect alert KIND (STYLE, SCAN): MSG [SEVERITY] key="KEY" repeat=N
 * community_id=ID, each part when the alert has it.
 */
static void
on_alert(struct ctx *cx, const struct rec *rec)
{
	const msgpack_object *o = &rec->obj;
	struct strbuf b = { 0 };
	char num[32];
	uint64_t rep;
	int style;

	if (cx->fmt == FMT_PCAP) {
		cx->uncommented++;
		return;
	}
	if (!cx->held) {
		cx->unattached++;
		return;
	}
	sb_adds(&b, "nm-detect alert");
	alert_str(&b, o, "kind", " ", "");
	style = alert_str(&b, o, "style", " (", "");
	if (alert_str(&b, o, "scan", style ? ", " : " (", "") || style)
		sb_addc(&b, ')');
	sb_addc(&b, ':');
	alert_str(&b, o, "msg", " ", "");
	alert_str(&b, o, "severity", " [", "]");
	alert_str(&b, o, "key", " key=\"", "\"");
	if (rec_get_u64(o, "repeat", &rep) && rep > 0) {
		snprintf(
		    num, sizeof(num), " repeat=%llu", (unsigned long long)rep);
		sb_adds(&b, num);
	}
	alert_str(&b, o, "community_id", " community_id=", "");
	png_comment(&cx->out, b.p, b.len);
	free(b.p);
	cx->commented++;
	check(cx);
}

static void
on_record(struct stage *st, const struct rec *rec)
{
	struct ctx *cx = st->arg;

	if (rec->type == REC_ALERT) {
		on_alert(cx, rec);
		if (st->w != NULL)
			stage_pass(st, rec);
		return;
	}
	/* anything else comes between: the held packet is complete */
	cx->held = cx->out.hold = 0;
	switch (rec->type) {
	case REC_FRAME:
	case REC_PACKET:
		write_packet(cx, rec);
		if (rec->type == REC_FRAME)
			st->frames++;
		else
			st->packets++;
		break;
	case REC_CAPSTATS: note_capstats(cx, rec); break;
	default: break;
	}
	if (st->w != NULL)
		stage_pass(st, rec);
}

static void
on_flush(struct stage *st)
{
	struct ctx *cx = st->arg;

	if (out_flush(&cx->out) < 0)
		failed(cx);
}

/* The statistics blocks, the file closed, and a word on cut packets. */
static void
on_finish(struct stage *st, enum stage_end why)
{
	struct ctx *cx = st->arg;
	const char *what = cx->ro != NULL ? cx->ro->base : cx->out.name;
	uint64_t t0;

	if (cx->ro != NULL && !cx->opened) {
		/* nothing came: one empty capture all the same */
		t0 = cx->nsrc > 0 && cx->src[0].start ? cx->src[0].start
						      : nm_realtime_ns();
		next_file(cx, period_of(cx, t0));
	}
	if (cx->open)
		end_file(cx);
	if (cx->ro != NULL)
		rot_end(&cx->rot);
	if (cx->cut > 0)
		nm_warn("%s: %llu of %llu packets written cut as nm-decode "
			"cut them (the first 64 payload bytes); nm-decode -k "
			"keeps whole frames",
		    what, (unsigned long long)cx->cut,
		    (unsigned long long)cx->written);
	if (cx->other_link > 0)
		nm_warn("%s: %llu frames of another link type left out: a "
			"pcap file holds one (pcapng holds them all)",
		    what, (unsigned long long)cx->other_link);
	if (cx->uncommented > 0)
		nm_warn("%s: %llu alerts not carried: a pcap file has no "
			"comments (pcapng has)",
		    what, (unsigned long long)cx->uncommented);
	if (cx->unattached > 0)
		nm_warn("%s: %llu alerts followed no packet written, not "
			"carried",
		    what, (unsigned long long)cx->unattached);
}

/*
 * The file cannot be made: one line, status 1, and for the stages after
 * this one a stream that says so (a header, an end with reason "error"),
 * so they end quietly instead of each saying the input ended early.
 */
static void __attribute__((noreturn)) no_file(const char *path, int records_out)
{
	int e = errno;
	struct rec_writer *w;

	nm_warn("%s: %s", path, strerror(e));
	if (records_out && (w = rec_writer_open(STDOUT_FILENO)) != NULL) {
		(void)rec_write_header(w, NULL, "nm-pcap");
		(void)rec_write_end(w, "nm-pcap", 0, 0, "error");
		(void)rec_writer_close(w);
	}
	exit(NM_EXIT_FAIL);
}

/*
 * records_out is cleared for -w - (or a terminal on stdout), where the
 * capture is the only output.
 */
static struct stage_ops pcap_ops = {
	.name = "nm-pcap",
	.records_out = 1,
	.header = on_header,
	.record = on_record,
	.flush = on_flush,
	.finish = on_finish,
};

int
main(int argc, char **argv)
{
	static struct ctx cx;
	struct opts o;
	int to_stdout;

	nm_init(argv[0]);
	parse_opts(argc, argv, &o);
	to_stdout = strcmp(o.file, "-") == 0;
	if (to_stdout && isatty(STDOUT_FILENO) && !o.force)
		nm_die(NM_EXIT_USAGE,
		    "refusing to write a capture to a terminal: give -w a "
		    "file, or pipe it on (or use --force)");
	if (to_stdout || (isatty(STDOUT_FILENO) && !o.force))
		pcap_ops.records_out = 0;
	cx.fmt = o.fmt;
	cx.unbuffered = o.unbuffered;
	if (rotating(&o.rot)) {
		cx.ro = &o.rot;
		rot_start(&cx.rot, &o.rot);
	} else if (out_open(&cx.out, o.file) < 0)
		no_file(o.file, pcap_ops.records_out);
	stage_open(&cx.st, &pcap_ops, &cx, o.force ? STAGE_FORCE : 0);
	esandbox(cx.ro != NULL ? NM_SANDBOX_PCAP_ROTATE : NM_SANDBOX_PCAP);

	/*
	 * state: sandboxed; stdin, stdout, the signal pipe, and the capture
	 * file or (rotating) the socket to the helper that opens the files
	 */
	if (cx.ro == NULL)
		start_file(&cx);
	return stage_run(&cx.st);
}
