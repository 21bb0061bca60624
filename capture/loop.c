/*
 * The capture loop and the records it writes: a header naming the
 * sources, one frame per packet, capstats for each source every second of
 * a live capture and once at the end, and an end record saying how many
 * frames went out and why the capture stopped.  Runs after privilege is
 * gone.  The frame path is the hot one: it packs straight into the
 * writer's buffer, no allocation and no stdio per packet; the writer goes
 * out in large blocks under load and is flushed whenever no packet is
 * waiting, so a lone packet reaches the next stage at once.
 *
 * Several sources are merged in timestamp order, each holding at most
 * the one frame libpcap handed over last (valid until the next read of
 * that handle: nothing is copied).  Files: the earliest of their next
 * frames goes first, as mergecap does.  Interfaces: a frame waits until
 * every other source has one after it or it is CAP_MERGE_WINDOW_NS old;
 * one that comes later than that still goes out, at once, counted as
 * late in its source's capstats.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nm.h"
#include "cap.h"
#include "pngread.h"

#define CAP_TICK_NS 1000000000LL /* capstats interval, live */

struct cap_ctx {
	struct cap_set *set;
	const struct cap_opts *o;
	struct rec_writer *w;
	int live;	       /* the sources are interfaces */
	int ranged;	       /* --since/--until known */
	uint64_t since, until; /* ns, 0: none */
	uint64_t frames;
	uint64_t last_ts;	   /* the latest frame timestamp written */
	uint64_t clock;		   /* the last capstats' ts, live */
	struct timespec next_tick; /* next live capstats */
	int status;		   /* exit status */
	char why[PCAP_ERRBUF_SIZE + 256];
	/* --realtime: the first packet's time and when we wrote it */
	int paced;
	uint64_t t0;
	struct timespec wall0;
};

static volatile sig_atomic_t cap_stop;
static struct cap_set *cap_sig_set; /* for the handler's pcap_breakloop */

static void
cap_on_signal(int sig)
{
	int i;

	(void)sig;
	cap_stop = 1;
	for (i = 0; cap_sig_set != NULL && i < cap_sig_set->n; i++)
		if (cap_sig_set->v[i].pc != NULL)
			pcap_breakloop(cap_sig_set->v[i].pc);
}

/*
 * No SA_RESTART: a read blocked on a pipe must return so the loop sees
 * cap_stop.  A reader that goes away shows as EPIPE, not as a signal.
 */
static void
cap_signals(struct cap_set *set)
{
	struct sigaction sa;

	cap_sig_set = set;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = cap_on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/* A failed write: quiet success if the reader left, else a failure. */
static void
cap_out(int rc)
{
	if (rc == 0)
		return;
	if (errno == EPIPE)
		exit(NM_EXIT_OK);
	nm_die(NM_EXIT_FAIL, "stdout: %s", strerror(errno));
}

static int64_t
cap_ts_diff(const struct timespec *a, const struct timespec *b)
{
	return (int64_t)(a->tv_sec - b->tv_sec) * 1000000000LL +
	    (a->tv_nsec - b->tv_nsec);
}

static void
cap_ts_add(struct timespec *t, uint64_t ns)
{
	t->tv_sec += (time_t)(ns / 1000000000u);
	t->tv_nsec += (long)(ns % 1000000000u);
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

/* --- records --- */

static void
cap_write_source(
    struct pk *pk, const struct cap_ctx *c, const struct cap_src *s)
{
	const char *linkname;
	char dlt[32];
	int i;

	if ((linkname = pcap_datalink_val_to_name(s->linktype)) == NULL) {
		snprintf(dlt, sizeof(dlt), "LINKTYPE_%d", s->linktype);
		linkname = dlt;
	}
	pk_map_open(pk);
	pk_kstr(pk, "name", s->name);
	pk_kstr(pk, "kind", s->live ? "interface" : "file");
	pk_ku(pk, "linktype", (uint64_t)s->linktype);
	pk_kstr(pk, "linkname", linkname);
	pk_ku(pk, "snaplen", (uint64_t)s->snaplen);
	pk_kstr(pk, "filter", c->o->filter);
	pk_ku(pk, "tsprec", s->nano ? 9 : 6);
	if (s->live)
		pk_ku(pk, "start", s->start);
	else if (c->since != 0) /* a time range: its intervals from there */
		pk_ku(pk, "start", c->since);
	if (s->netns != NULL)
		pk_kstr(pk, "netns", s->netns);
	if (s->ifname != NULL)
		pk_kstr(pk, "ifname", s->ifname);
	if (s->live && c->o->fanout > 0) {
		pk_ku(pk, "fanout", (uint64_t)c->o->fanout);
		pk_kstr(pk, "fanout_mode", c->o->fanout_mode);
	}
	if (s->nfiles > 1) {
		pk_cstr(pk, "files");
		pk_array_open(pk);
		for (i = 0; i < s->nfiles; i++)
			pk_cstr(pk, s->files[i]);
		pk_close(pk);
	}
	pk_close(pk);
}

static void
cap_write_header(struct cap_ctx *c)
{
	struct pk *pk = rec_writer_pk(c->w);
	char producer[64];
	int i;

	snprintf(producer, sizeof(producer), "nm-capture %s", NM_VERSION);
	pk_map_open(pk);
	pk_kstr(pk, "type", "header");
	pk_ku(pk, "version", REC_VERSION_MAJOR);
	pk_ku(pk, "minor", REC_VERSION_MINOR);
	pk_kstr(pk, "producer", producer);
	pk_cstr(pk, "stages");
	pk_array_open(pk);
	pk_cstr(pk, "nm-capture");
	pk_close(pk);
	pk_cstr(pk, "sources");
	pk_array_open(pk);
	for (i = 0; i < c->set->n; i++)
		cap_write_source(pk, c, &c->set->v[i]);
	pk_close(pk);
	pk_close(pk);
	cap_out(rec_writer_end(c->w));
}

#define CAP_PK_LIT(pk, s) pk_str(pk, s, sizeof(s) - 1)

/* A frame's time in ns (libpcap's microseconds scaled when not nano). */
static uint64_t
cap_frame_ts(const struct cap_src *s, const struct pcap_pkthdr *h)
{
	if (h->ts.tv_sec < 0)
		return 0;
	return (uint64_t)h->ts.tv_sec * 1000000000u +
	    (uint64_t)h->ts.tv_usec * (s->nano ? 1u : 1000u);
}

/* Writes the frame s holds, of the source t = its ifx. */
static void
cap_write_frame(struct cap_ctx *c, struct cap_src *s)
{
	struct pk *pk = rec_writer_pk(c->w);
	struct cap_src *t = &c->set->v[s->ifx];
	uint32_t caplen = s->h->caplen;

	if ((int)caplen > t->snaplen)
		caplen = (uint32_t)t->snaplen;
	pk_map_open(pk);
	CAP_PK_LIT(pk, "type");
	CAP_PK_LIT(pk, "frame");
	CAP_PK_LIT(pk, "ts");
	pk_uint(pk, s->ts);
	CAP_PK_LIT(pk, "if");
	pk_uint(pk, (uint64_t)s->ifx);
	CAP_PK_LIT(pk, "len");
	pk_uint(pk, s->h->len);
	CAP_PK_LIT(pk, "caplen");
	pk_uint(pk, caplen);
	CAP_PK_LIT(pk, "data");
	pk_bin(pk, s->data, caplen);
	pk_close(pk);
	cap_out(rec_writer_end(c->w));
	c->frames++;
	t->frames++;
	if (s->ts > c->last_ts)
		c->last_ts = s->ts;
}

/*
 * The capture's clock for a live capstats record: a time up to which
 * every frame has been written, so that downstream a quiet interval can
 * close on it (nm-records(5), "Time").  Right after a frame, with more
 * perhaps waiting, that is the frame's own time; when nothing is waiting
 * or held, the wall clock less what the kernel may still hold in a ring
 * block it has not handed over (up to the block timeout), and with
 * several sources less the merge window too.  Never goes back.
 */
static uint64_t
cap_clock(struct cap_ctx *c, int idle)
{
	uint64_t now = nm_realtime_ns(), t = c->last_ts;
	uint64_t lag = c->o->immediate ? 0 : 2 * CAP_TIMEOUT_MS * 1000000ULL;

	if (c->set->n > 1)
		lag += CAP_MERGE_WINDOW_NS;
	if (idle && now > lag && now - lag > t)
		t = now - lag;
	if (t > c->clock)
		c->clock = t;
	return c->clock;
}

/*
 * Kernel counters of each source, at the capture clock ts; a file has
 * none, so it reports the frames read as received and nothing dropped,
 * and no clock: its time is its packets'.  A source in another namespace
 * has its interface's drops from that namespace (netns.c).
 */
static void
cap_write_stats(struct cap_ctx *c, int final, uint64_t ts)
{
	static int warned[CAP_SOURCES_MAX];
	struct cap_src *s;
	struct pcap_stat st;
	struct pk *pk;
	uint64_t ifdrop;
	int i;

	for (i = 0; i < c->set->n; i++) {
		s = &c->set->v[i];
		memset(&st, 0, sizeof(st));
		if (s->live && pcap_stats(s->pc, &st) < 0) {
			if (!warned[i]++)
				nm_warn("%s: statistics: %s", s->name,
				    pcap_geterr(s->pc));
			continue;
		}
		ifdrop = st.ps_ifdrop;
		if (s->netns != NULL) {
			ifdrop = 0;
			if (cap_ns_ifdrop(s, &ifdrop) == 0 &&
			    ifdrop >= s->ifdrop0)
				ifdrop -= s->ifdrop0;
		}
		pk = rec_writer_pk(c->w);
		pk_map_open(pk);
		pk_kstr(pk, "type", "capstats");
		if (s->live)
			pk_ku(pk, "ts", ts);
		pk_ku(pk, "if", (uint64_t)i);
		pk_ku(pk, "recv", s->live ? st.ps_recv : s->frames);
		pk_ku(pk, "drop", st.ps_drop);
		pk_ku(pk, "ifdrop", ifdrop);
		if (c->set->n > 1)
			pk_ku(pk, "late", s->late);
		pk_kbool(pk, "final", final);
		pk_close(pk);
		cap_out(rec_writer_end(c->w));
	}
}

/*
 * Live: capstats once a second of wall time; returns ns to the next.
 * idle: no packet is waiting.
 */
static int64_t
cap_tick(struct cap_ctx *c, int idle)
{
	struct timespec now;
	int64_t left;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if ((left = cap_ts_diff(&c->next_tick, &now)) > 0)
		return left;
	cap_write_stats(c, 0, cap_clock(c, idle));
	cap_out(rec_writer_flush(c->w));
	c->next_tick = now;
	cap_ts_add(&c->next_tick, CAP_TICK_NS);
	return CAP_TICK_NS;
}

/* --realtime: waits until this frame's offset from the first has passed. */
static void
cap_pace(struct cap_ctx *c, uint64_t ts)
{
	struct timespec when, now;

	if (!c->paced) {
		c->paced = 1;
		c->t0 = ts;
		clock_gettime(CLOCK_MONOTONIC, &c->wall0);
		return;
	}
	if (ts <= c->t0)
		return; /* out of order: no waiting backwards */
	when = c->wall0;
	cap_ts_add(&when, ts - c->t0);
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (cap_ts_diff(&when, &now) <= 0)
		return;
	cap_out(rec_writer_flush(c->w));
	while (!cap_stop &&
	    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &when, NULL) ==
		EINTR)
		;
}

/*
 * A capture arriving on a pipe (tcpdump -U -w - | nm-capture -r -) is a
 * live one seen late: what was read goes out before waiting for more, so
 * each packet is shown when it arrives, not when the input ends.  What
 * libpcap's stdio buffer already holds is not seen by poll; then this
 * flushes once too often, which costs a write and loses nothing.
 */
static void
cap_flush_if_waiting(struct cap_ctx *c, struct cap_src *s)
{
	struct pollfd pfd;

	pfd.fd = pcap_get_selectable_fd(s->pc);
	pfd.events = POLLIN;
	if (pfd.fd >= 0 && poll(&pfd, 1, 0) == 0)
		cap_out(rec_writer_flush(c->w));
}

/* --- reading --- */

/*
 * The next frame of a pcapng file libpcap refuses: of the source its
 * interface is, through that source's filter.
 */
static int
cap_read_png(struct cap_ctx *c, struct cap_src *s)
{
	struct png_pkt p;
	struct cap_src *t;
	char err[256];
	int rc;

	while ((rc = png_next(s->png, &p, err, sizeof(err))) == 1) {
		if (p.ifidx >= (uint32_t)(c->set->n - s->png_base) ||
		    c->set->v[s->png_base + (int)p.ifidx].png != s->png) {
			snprintf(c->why, sizeof(c->why),
			    "%s: a packet of interface %u, described after "
			    "the first packet: nm-capture reads such a file "
			    "only with every interface described at its start",
			    s->files[0], p.ifidx);
			c->status = NM_EXIT_BADCAPTURE;
			return -1;
		}
		t = &c->set->v[s->png_base + (int)p.ifidx];
		s->hbuf.caplen = p.caplen;
		s->hbuf.len = p.len;
		s->hbuf.ts.tv_sec = (time_t)(p.ts_ns / 1000000000u);
		s->hbuf.ts.tv_usec = (suseconds_t)(p.ts_ns % 1000000000u);
		if (t->filtered &&
		    !pcap_offline_filter(&t->prog, &s->hbuf, p.data))
			continue;
		s->h = &s->hbuf;
		s->data = p.data;
		s->ts = p.ts_ns;
		s->ifx = (int)(t - c->set->v);
		s->has = 1;
		return 1;
	}
	s->done = 1;
	if (rc == 0 || cap_stop)
		return 0;
	snprintf(c->why, sizeof(c->why), "%s: %s", s->files[0], err);
	c->status = NM_EXIT_BADCAPTURE;
	return -1;
}

/*
 * The next frame of s into its hand.  Returns 1 with one, 0 when a live
 * source has none waiting or a source is done, -1 on an error (c->why
 * says it; the frames before it are kept).
 */
static int
cap_read(struct cap_ctx *c, struct cap_src *s)
{
	int rc;

	if (s->png != NULL)
		return cap_read_png(c, s);
	for (;;) {
		if (!s->live && s->stream)
			cap_flush_if_waiting(c, s);
		rc = pcap_next_ex(s->pc, &s->h, &s->data);
		if (rc == 1) {
			s->has = 1;
			s->ts = cap_frame_ts(s, s->h);
			return 1;
		}
		if (rc == 0) /* live, nothing waiting */
			return 0;
		if (rc == PCAP_ERROR_BREAK) {
			if (!s->live && !cap_stop && cap_next_file(s))
				continue;
			s->done = !s->live || cap_stop;
			return 0;
		}
		if (cap_stop) /* a read cut short by the signal */
			return 0;
		snprintf(c->why, sizeof(c->why), "%s: %s",
		    s->nfiles > 1 ? s->files[s->at] : s->name,
		    pcap_geterr(s->pc));
		c->status = s->live ? NM_EXIT_FAIL : NM_EXIT_BADCAPTURE;
		return -1;
	}
}

/* The source whose frame in hand is the earliest, or NULL. */
static struct cap_src *
cap_earliest(struct cap_set *set)
{
	struct cap_src *m = NULL;
	int i;

	for (i = 0; i < set->n; i++)
		if (set->v[i].has && (m == NULL || set->v[i].ts < m->ts))
			m = &set->v[i];
	return m;
}

/*
 * Live: how long m's frame must still wait for the other sources (0: it
 * may go).  It goes once each has a frame in hand or is done, or when it
 * is the window old.
 */
static int64_t
cap_wait_for(struct cap_ctx *c, const struct cap_src *m)
{
	uint64_t now;
	int i;

	for (i = 0; i < c->set->n; i++)
		if (!c->set->v[i].has && !c->set->v[i].done)
			break;
	if (i == c->set->n)
		return 0;
	now = nm_realtime_ns();
	if (m->ts + CAP_MERGE_WINDOW_NS <= now)
		return 0;
	return (int64_t)(m->ts + CAP_MERGE_WINDOW_NS - now);
}

/* --since/--until, from the first frame's time once it is known. */
static void
cap_range(struct cap_ctx *c, uint64_t start)
{
	const struct cap_opts *o = c->o;

	c->ranged = 1;
	if (o->since != NULL)
		c->since = o->since_ns + (o->since_rel ? start : 0);
	if (o->until != NULL)
		c->until = o->until_ns + (o->until_rel ? start : 0);
	if (c->since != 0 && c->until != 0 && c->until <= c->since)
		nm_bad_usage(
		    "--until %s is not after --since %s", o->until, o->since);
}

/*
 * Writes m's frame (the earliest in hand) and empties its hand; returns
 * a reason to stop, or NULL.
 */
static const char *
cap_emit(struct cap_ctx *c, struct cap_src *m)
{
	m->has = 0;
	if (!c->ranged)
		cap_range(c, m->ts);
	if (c->since != 0 && m->ts < c->since)
		return NULL;
	if (c->until != 0 && m->ts >= c->until)
		return "until";
	if (c->o->realtime) {
		cap_pace(c, m->ts);
		if (cap_stop)
			return "signal";
	}
	/* later than the merge waited for: out of order, said so */
	if (c->live && c->set->n > 1 && m->ts < c->last_ts)
		m->late++;
	cap_write_frame(c, m);
	if (c->o->count > 0 && c->frames >= c->o->count)
		return "count";
	return NULL;
}

/* Files: every source's next frame is read; the earliest goes first. */
static const char *
cap_loop_files(struct cap_ctx *c)
{
	struct cap_src *m;
	const char *why;
	int i;

	while (!cap_stop) {
		for (i = 0; i < c->set->n; i++)
			if (!c->set->v[i].has && !c->set->v[i].done &&
			    cap_read(c, &c->set->v[i]) < 0)
				return "error";
		if (cap_stop)
			break;
		if ((m = cap_earliest(c->set)) == NULL)
			return "eof";
		if ((why = cap_emit(c, m)) != NULL)
			return why;
	}
	return "signal";
}

/*
 * Live: the handles are non-blocking; when nothing can go, flush and
 * sleep in ppoll until a packet, a signal, the next tick or the end of a
 * held frame's wait.  The signals are blocked everywhere else, so a write
 * is never cut short and a signal arriving just before ppoll is not lost:
 * ppoll unblocks it atomically.  One still pending at exit is never
 * delivered: we are ending anyway.
 */
static const char *
cap_loop_live(struct cap_ctx *c)
{
	struct pollfd pfd[CAP_SOURCES_MAX];
	struct timespec wait;
	struct cap_src *m;
	sigset_t block, open, pend;
	const char *why;
	int64_t left, hold;
	int i, n, got;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &open);
	sigdelset(&open, SIGINT);
	sigdelset(&open, SIGTERM);
	clock_gettime(CLOCK_MONOTONIC, &c->next_tick);
	cap_ts_add(&c->next_tick, CAP_TICK_NS);

	while (!cap_stop) {
		got = 0;
		for (i = 0; i < c->set->n; i++) {
			if (c->set->v[i].has)
				continue;
			if ((n = cap_read(c, &c->set->v[i])) < 0)
				return "error";
			got |= n;
		}
		hold = 0;
		if ((m = cap_earliest(c->set)) != NULL &&
		    (hold = cap_wait_for(c, m)) == 0) {
			if ((why = cap_emit(c, m)) != NULL)
				return why;
			(void)cap_tick(c, 0);
			/* Under load ppoll never runs: look for a signal. */
			if ((c->frames & 255) == 0 && sigpending(&pend) == 0 &&
			    (sigismember(&pend, SIGINT) == 1 ||
				sigismember(&pend, SIGTERM) == 1))
				break;
			continue;
		}
		if (got)
			continue; /* another source had one: look again */
		left = cap_tick(c, m == NULL);
		cap_out(rec_writer_flush(c->w));
		if (hold > 0 && hold < left)
			left = hold;
		wait.tv_sec = (time_t)(left / 1000000000LL);
		wait.tv_nsec = (long)(left % 1000000000LL);
		for (i = n = 0; i < c->set->n; i++) {
			if (c->set->v[i].has)
				continue;
			pfd[n].fd = pcap_get_selectable_fd(c->set->v[i].pc);
			pfd[n].events = POLLIN;
			n += pfd[n].fd >= 0;
		}
		(void)ppoll(n > 0 ? pfd : NULL, (nfds_t)n, &wait, &open);
	}
	return "signal";
}

/*
 * At a signal or an error, the kernel may still hold packets it counted as
 * received in a ring block it has not handed over: it does within
 * CAP_TIMEOUT_MS.  Wait for that once and write what the ready blocks
 * hold, earliest first, for at most as long again under a flood, so that
 * the final capstats and the frames written agree.
 */
static void
cap_drain(struct cap_ctx *c)
{
	struct timespec wait = { 0, 2 * CAP_TIMEOUT_MS * 1000000L }, now, end;
	struct cap_src *m;
	int i;

	if (c->o->immediate)
		return;
	(void)nanosleep(&wait, NULL);
	clock_gettime(CLOCK_MONOTONIC, &end);
	cap_ts_add(&end, 2 * CAP_TIMEOUT_MS * 1000000ULL);
	cap_stop = 0; /* the reads below are not to be cut short */
	for (;;) {
		for (i = 0; i < c->set->n; i++)
			if (!c->set->v[i].has)
				(void)cap_read(c, &c->set->v[i]);
		if ((m = cap_earliest(c->set)) == NULL)
			return;
		m->has = 0;
		if (c->until != 0 && m->ts >= c->until)
			continue;
		cap_write_frame(c, m);
		if (c->o->count > 0 && c->frames >= c->o->count)
			return;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (cap_ts_diff(&now, &end) > 0)
			return;
	}
}

int
cap_run(struct cap_set *set, const struct cap_opts *o, struct rec_writer *w)
{
	struct cap_ctx c;
	const char *reason;
	int i;

	memset(&c, 0, sizeof(c));
	c.set = set;
	c.o = o;
	c.status = NM_EXIT_OK;
	c.w = w;
	c.live = set->v[0].live;
	cap_signals(set);

	/*
	 * --since on files: the range's start, known once the first frames
	 * are in hand (a span is from the first of all), goes in the header
	 * as the sources' start, where the stages count intervals from.
	 */
	if (!c.live && o->since != NULL) {
		for (i = 0; i < set->n && !cap_stop; i++)
			if (!set->v[i].has && !set->v[i].done)
				(void)cap_read(&c, &set->v[i]);
		if (cap_earliest(set) != NULL)
			cap_range(&c, cap_earliest(set)->ts);
	}
	cap_write_header(&c);
	cap_out(rec_writer_flush(c.w));
	reason = c.live ? cap_loop_live(&c) : cap_loop_files(&c);
	/* frames in hand at a stop by signal went nowhere: they go now */
	if (c.live && strcmp(reason, "count") != 0)
		cap_drain(&c);
	cap_write_stats(&c, 1, c.live ? cap_clock(&c, 1) : 0);
	cap_out(rec_write_end(c.w, "nm-capture", c.frames, 0, reason));
	cap_out(rec_writer_close(c.w));
	for (i = 0; i < set->n; i++) {
		if (set->v[i].pc != NULL)
			pcap_close(set->v[i].pc);
		if (set->v[i].png != NULL && set->v[i].png_owner)
			png_close(set->v[i].png);
	}
	if (c.status != NM_EXIT_OK)
		nm_die(c.status, "%s", c.why);
	return NM_EXIT_OK;
}
