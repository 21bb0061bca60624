/*
 * The capture loop and the records it writes: a header naming the source,
 * one frame per packet, capstats every second of a live capture and once
 * at the end, and an end record saying how many frames went out and why
 * the capture stopped.  Runs after privilege is gone.  The frame path is
 * the hot one: it packs straight into the writer's buffer, no allocation
 * and no stdio per packet; the writer goes out in large blocks under load
 * and is flushed whenever no packet is waiting, so a lone packet reaches
 * the next stage at once.
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

#define CAP_TICK_NS 1000000000LL /* capstats interval, live */

struct cap_ctx {
	struct cap_src *src;
	const struct cap_opts *o;
	struct rec_writer *w;
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
static pcap_t *cap_sig_pc; /* for the handler's pcap_breakloop */

static void
cap_on_signal(int sig)
{
	(void)sig;
	cap_stop = 1;
	if (cap_sig_pc != NULL)
		pcap_breakloop(cap_sig_pc);
}

/*
 * No SA_RESTART: a read blocked on a pipe must return so the loop sees
 * cap_stop.  A reader that goes away shows as EPIPE, not as a signal.
 */
static void
cap_signals(pcap_t *pc)
{
	struct sigaction sa;

	cap_sig_pc = pc;
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
cap_write_header(struct cap_ctx *c)
{
	struct pk *pk = rec_writer_pk(c->w);
	const char *linkname;
	char producer[64], dlt[32];

	snprintf(producer, sizeof(producer), "nm-capture %s", NM_VERSION);
	if ((linkname = pcap_datalink_val_to_name(c->src->linktype)) == NULL) {
		snprintf(dlt, sizeof(dlt), "LINKTYPE_%d", c->src->linktype);
		linkname = dlt;
	}
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
	pk_map_open(pk);
	pk_kstr(pk, "name", c->src->name);
	pk_kstr(pk, "kind", c->src->live ? "interface" : "file");
	pk_ku(pk, "linktype", (uint64_t)c->src->linktype);
	pk_kstr(pk, "linkname", linkname);
	pk_ku(pk, "snaplen", (uint64_t)c->src->snaplen);
	pk_kstr(pk, "filter", c->o->filter);
	pk_ku(pk, "tsprec", c->src->nano ? 9 : 6);
	if (c->src->live)
		pk_ku(pk, "start", c->src->start);
	pk_close(pk);
	pk_close(pk);
	pk_close(pk);
	cap_out(rec_writer_end(c->w));
}

#define CAP_PK_LIT(pk, s) pk_str(pk, s, sizeof(s) - 1)

static void
cap_write_frame(
    struct cap_ctx *c, const struct pcap_pkthdr *h, const u_char *data)
{
	struct pk *pk = rec_writer_pk(c->w);
	uint32_t caplen = h->caplen;
	uint64_t ts = 0;

	if ((int)caplen > c->src->snaplen)
		caplen = (uint32_t)c->src->snaplen;
	if (h->ts.tv_sec >= 0)
		ts = (uint64_t)h->ts.tv_sec * 1000000000u +
		    (uint64_t)h->ts.tv_usec * (c->src->nano ? 1u : 1000u);
	pk_map_open(pk);
	CAP_PK_LIT(pk, "type");
	CAP_PK_LIT(pk, "frame");
	CAP_PK_LIT(pk, "ts");
	pk_uint(pk, ts);
	CAP_PK_LIT(pk, "if");
	pk_uint(pk, 0);
	CAP_PK_LIT(pk, "len");
	pk_uint(pk, h->len);
	CAP_PK_LIT(pk, "caplen");
	pk_uint(pk, caplen);
	CAP_PK_LIT(pk, "data");
	pk_bin(pk, data, caplen);
	pk_close(pk);
	cap_out(rec_writer_end(c->w));
	c->frames++;
	if (ts > c->last_ts)
		c->last_ts = ts;
}

/*
 * The capture's clock for a live capstats record: a time up to which
 * every frame has been written, so that downstream a quiet interval can
 * close on it (nm-records(5), "Time").  Right after a frame, with more
 * perhaps waiting, that is the frame's own time; when nothing is waiting,
 * the wall clock less what the kernel may still hold in a ring block it
 * has not handed over (up to the block timeout).  Never goes back.
 */
static uint64_t
cap_clock(struct cap_ctx *c, int idle)
{
	uint64_t now = nm_realtime_ns(), t = c->last_ts;
	uint64_t lag = c->o->immediate ? 0 : 2 * CAP_TIMEOUT_MS * 1000000ULL;

	if (idle && now > lag && now - lag > t)
		t = now - lag;
	if (t > c->clock)
		c->clock = t;
	return c->clock;
}

/*
 * Kernel counters for a live capture, at the capture clock ts; a file has
 * none, so it reports the packets read as received and nothing dropped,
 * and no clock: its time is its packets'.
 */
static void
cap_write_stats(struct cap_ctx *c, int final, uint64_t ts)
{
	struct pk *pk;
	struct pcap_stat st;
	static int warned;

	memset(&st, 0, sizeof(st));
	if (!c->src->live) {
		st.ps_recv = (u_int)c->frames;
	} else if (pcap_stats(c->src->pc, &st) < 0) {
		if (!warned++)
			nm_warn("%s: statistics: %s", c->src->name,
			    pcap_geterr(c->src->pc));
		return;
	}
	pk = rec_writer_pk(c->w);
	pk_map_open(pk);
	pk_kstr(pk, "type", "capstats");
	if (c->src->live)
		pk_ku(pk, "ts", ts);
	pk_ku(pk, "if", 0);
	pk_ku(pk, "recv", c->src->live ? st.ps_recv : c->frames);
	pk_ku(pk, "drop", st.ps_drop);
	pk_ku(pk, "ifdrop", st.ps_ifdrop);
	pk_kbool(pk, "final", final);
	pk_close(pk);
	cap_out(rec_writer_end(c->w));
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

/* --- the loops --- */

/*
 * Live: the handle is non-blocking; when nothing is waiting, flush and
 * sleep in ppoll until a packet, a signal or the next tick.  The signals
 * are blocked everywhere else, so a write is never cut short and a signal
 * arriving just before ppoll is not lost: ppoll unblocks it atomically.
 * One still pending at exit is never delivered: we are ending anyway.
 */
static const char *
cap_loop_live(struct cap_ctx *c)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	struct pollfd pfd;
	struct timespec wait;
	sigset_t block, open, pend;
	int64_t left;
	int rc;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &open);
	sigdelset(&open, SIGINT);
	sigdelset(&open, SIGTERM);
	pfd.fd = pcap_get_selectable_fd(c->src->pc);
	pfd.events = POLLIN;
	clock_gettime(CLOCK_MONOTONIC, &c->next_tick);
	cap_ts_add(&c->next_tick, CAP_TICK_NS);

	while (!cap_stop) {
		rc = pcap_next_ex(c->src->pc, &h, &data);
		if (rc == 1) {
			cap_write_frame(c, h, data);
			if (c->o->count > 0 && c->frames >= c->o->count)
				return "count";
			(void)cap_tick(c, 0);
			/* Under load ppoll never runs: look for a signal. */
			if ((c->frames & 255) == 0 && sigpending(&pend) == 0 &&
			    (sigismember(&pend, SIGINT) == 1 ||
				sigismember(&pend, SIGTERM) == 1))
				break;
			continue;
		}
		if (rc == PCAP_ERROR_BREAK)
			break;
		if (rc < 0) {
			snprintf(c->why, sizeof(c->why), "%s: %s", c->src->name,
			    pcap_geterr(c->src->pc));
			c->status = NM_EXIT_FAIL;
			return "error";
		}
		left = cap_tick(c, 1);
		cap_out(rec_writer_flush(c->w));
		wait.tv_sec = (time_t)(left / 1000000000LL);
		wait.tv_nsec = (long)(left % 1000000000LL);
		if (pfd.fd >= 0)
			(void)ppoll(&pfd, 1, &wait, &open);
		else
			(void)ppoll(NULL, 0, &wait, &open);
	}
	return "signal";
}

/* --realtime: waits until this packet's offset from the first has passed. */
static void
cap_pace(struct cap_ctx *c, const struct pcap_pkthdr *h)
{
	uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000u +
	    (uint64_t)h->ts.tv_usec * (c->src->nano ? 1u : 1000u);
	struct timespec when, now;

	if (!c->paced) {
		c->paced = 1;
		c->t0 = ts;
		clock_gettime(CLOCK_MONOTONIC, &c->wall0);
		return;
	}
	if (h->ts.tv_sec < 0 || ts <= c->t0)
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
cap_flush_if_waiting(struct cap_ctx *c)
{
	struct pollfd pfd;

	pfd.fd = pcap_get_selectable_fd(c->src->pc);
	pfd.events = POLLIN;
	if (pfd.fd >= 0 && poll(&pfd, 1, 0) == 0)
		cap_out(rec_writer_flush(c->w));
}

/*
 * A file: libpcap reads it in full blocks; a truncated or corrupt one ends
 * with an error after the good frames, which are kept.
 */
static const char *
cap_loop_file(struct cap_ctx *c)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc;

	while (!cap_stop) {
		if (c->src->stream)
			cap_flush_if_waiting(c);
		rc = pcap_next_ex(c->src->pc, &h, &data);
		if (rc == PCAP_ERROR_BREAK) /* end of file */
			return cap_stop ? "signal" : "eof";
		if (rc < 0) {
			if (cap_stop) /* a read cut short by the signal */
				break;
			snprintf(c->why, sizeof(c->why), "%s: %s", c->src->name,
			    pcap_geterr(c->src->pc));
			c->status = NM_EXIT_BADCAPTURE;
			return "error";
		}
		if (c->o->realtime) {
			cap_pace(c, h);
			if (cap_stop)
				break;
		}
		cap_write_frame(c, h, data);
		if (c->o->count > 0 && c->frames >= c->o->count)
			return "count";
	}
	return "signal";
}

/*
 * At a signal or an error, the kernel may still hold packets it counted as
 * received in a ring block it has not handed over: it does within
 * CAP_TIMEOUT_MS.  Wait for that once and write what the ready blocks
 * hold, for at most as long again under a flood, so that the final
 * capstats and the frames written agree.
 */
static void
cap_drain(struct cap_ctx *c)
{
	struct timespec wait = { 0, 2 * CAP_TIMEOUT_MS * 1000000L }, now, end;
	struct pcap_pkthdr *h;
	const u_char *data;

	if (c->o->immediate)
		return;
	(void)nanosleep(&wait, NULL);
	clock_gettime(CLOCK_MONOTONIC, &end);
	cap_ts_add(&end, 2 * CAP_TIMEOUT_MS * 1000000ULL);
	while (pcap_next_ex(c->src->pc, &h, &data) == 1) {
		cap_write_frame(c, h, data);
		if (c->o->count > 0 && c->frames >= c->o->count)
			return;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (cap_ts_diff(&now, &end) > 0)
			return;
	}
}

int
cap_run(struct cap_src *s, const struct cap_opts *o, struct rec_writer *w)
{
	struct cap_ctx c;
	const char *reason;

	memset(&c, 0, sizeof(c));
	c.src = s;
	c.o = o;
	c.status = NM_EXIT_OK;
	c.w = w;
	cap_signals(s->pc);

	cap_write_header(&c);
	cap_out(rec_writer_flush(c.w));
	reason = s->live ? cap_loop_live(&c) : cap_loop_file(&c);
	if (s->live && strcmp(reason, "count") != 0)
		cap_drain(&c);
	cap_write_stats(&c, 1, s->live ? cap_clock(&c, 1) : 0);
	cap_out(rec_write_end(c.w, "nm-capture", c.frames, 0, reason));
	cap_out(rec_writer_close(c.w));
	pcap_close(s->pc);
	if (c.status != NM_EXIT_OK)
		nm_die(c.status, "%s", c.why);
	return NM_EXIT_OK;
}
