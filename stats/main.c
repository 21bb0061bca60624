/*
 * nm-stats: the stage that aggregates.  It reads the record stream on
 * stdin, passes every record on (only the frames and packets are held
 * back with -q), counts frames and packets into intervals of capture
 * time, and writes a stats record at each interval boundary and a final
 * one at the end, and a flow record for each connection that ends.
 * Intervals follow the packets' timestamps, so a saved stream gives the
 * figures of the live run; only when live input goes quiet does the wall
 * clock close an interval, from the reader's idle callback.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nm.h"
#include "rec.h"
#include "services.h"
#include "stats.h"
#include "sandbox.h"

/* Live input quiet this long past a boundary closes the interval. */
#define ST_GRACE	ST_NS

struct opts {
	unsigned	 interval;	/* seconds */
	unsigned	 ntop;
	int		 quiet;
	enum top_by	 by;
	size_t		 max_flows, max_hosts;
	const char	*services;
};

struct ctx {
	struct rec_reader *r;
	struct rec_writer *w;
	struct agg	 agg;
	struct out	 out;
	int		 quiet;
	int		 pipe_in;	/* stdin is a pipe: drain it on a signal */
	uint64_t	 mono_last;	/* wall clock when the last packet came */
	uint64_t	 seen_at_idle;	/* frames and packets at the last idle */
};

static volatile sig_atomic_t st_signals;
static int st_sigpipe[2] = { -1, -1 };

static const char usage_text[] =
    "usage: nm-stats [-q] [-I seconds] [-n count] [-s packets|bytes] "
    "[-F flows] [-H hosts]\n"
    "                [--services file]\n";

static void __attribute__((noreturn))
usage(void)
{
	nm_usage(usage_text, NM_EXIT_USAGE);
}

static void
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "interval", required_argument, NULL, 'I' },
		{ "top", required_argument, NULL, 'n' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "sort", required_argument, NULL, 's' },
		{ "max-flows", required_argument, NULL, 'F' },
		{ "max-hosts", required_argument, NULL, 'H' },
		{ "services", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	memset(o, 0, sizeof(*o));
	o->interval = 5;
	o->ntop = 10;
	o->max_flows = 1000000;
	o->max_hosts = 1000000;
	o->services = getenv("NM_SERVICES");
	while ((ch = getopt_long(argc, argv, "I:n:qs:F:H:h", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'I':
			o->interval = (unsigned)estrtonum(optarg, 1, 86400, "-I");
			break;
		case 'n':
			o->ntop = (unsigned)estrtonum(optarg, 0, ST_MAXTOP, "-n");
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 's':
			if (strcmp(optarg, "packets") == 0)
				o->by = TOP_PACKETS;
			else if (strcmp(optarg, "bytes") == 0)
				o->by = TOP_BYTES;
			else
				nm_bad_usage("-s %s: sort by packets or bytes",
				    optarg);
			break;
		case 'F':
			o->max_flows = (size_t)estrtonum(optarg, 1, 100000000,
			    "-F");
			break;
		case 'H':
			o->max_hosts = (size_t)estrtonum(optarg, 2, 100000000,
			    "-H");
			break;
		case 'S':
			o->services = optarg;
			break;
		case 'h':
			nm_usage(usage_text, NM_EXIT_OK);
		case 'V':
			puts("nm-stats " NM_VERSION);
			exit(NM_EXIT_OK);
		default:
			usage();
		}
	}
	if (optind != argc)
		nm_bad_usage("unexpected argument: %s", argv[optind]);
}

/* The self-pipe wakes the idle wait; a full pipe loses nothing we need. */
static void
on_signal(int sig)
{
	int saved = errno;

	st_signals++;
	(void)!write(st_sigpipe[1], "", 1);
	errno = saved;
}

static void
set_signals(void)
{
	struct sigaction sa;

	if (pipe2(st_sigpipe, O_NONBLOCK | O_CLOEXEC) == -1)
		nm_die(NM_EXIT_FAIL, "pipe: %s", strerror(errno));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* One signal ends a file or terminal input; a pipe drains until two. */
static int
must_stop(const struct ctx *cx)
{
	return st_signals >= 2 || (st_signals && !cx->pipe_in);
}

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * ST_NS + (uint64_t)ts.tv_nsec;
}

/* Capture time now, projected from the last packet by the wall clock. */
static uint64_t
projected_now(const struct ctx *cx)
{
	return st_add(cx->agg.last_ts, mono_ns() - cx->mono_last);
}

/* The final report: the last stats, every flow still open, our end. */
static void
report(struct ctx *cx, const char *reason)
{
	struct agg *a = &cx->agg;
	struct flow **v;
	uint64_t end = a->last_ts, p;
	size_t i, n;

	if (a->started && a->last_ts < a->start) {	/* closed while idle */
		p = projected_now(cx);
		end = p < a->start ? a->start : p > a->end ? a->end : p;
	}
	out_stats(&cx->out, a, end, 1);
	v = flow_sorted(&a->flows, &n);
	for (i = 0; i < n; i++)
		out_flow(&cx->out, v[i], "end");
	free(v);
	if (rec_write_end(cx->w, "nm-stats", a->frames, a->packets,
	    reason) < 0 || rec_writer_close(cx->w) < 0)
		nm_write_failed();
}

/*
 * The reader is about to block: flush, then wait for input ourselves, so
 * that quiet live traffic still closes its intervals on time and a signal
 * is seen at once (the reader retries reads a signal interrupts).
 */
static void
on_idle(void *arg)
{
	struct ctx *cx = arg;
	struct agg *a = &cx->agg;
	struct pollfd pfd[2];
	uint64_t now, due;
	char buf[64];
	int timeout;

	if (rec_writer_flush(cx->w) < 0)
		nm_write_failed();
	if (a->packets + a->frames != cx->seen_at_idle) {
		cx->seen_at_idle = a->packets + a->frames;
		cx->mono_last = mono_ns();
	}
	for (;;) {
		timeout = -1;
		if (a->started && a->end != ST_TMAX) {
			now = mono_ns();
			due = st_add(cx->mono_last,
			    st_add(a->end, ST_GRACE) - a->last_ts);
			timeout = due <= now ? 0 :
			    (int)((due - now + 999999) / 1000000);
		}
		pfd[0].fd = 0;
		pfd[0].events = POLLIN;
		pfd[1].fd = st_sigpipe[0];
		pfd[1].events = POLLIN;
		pfd[0].revents = pfd[1].revents = 0;	/* a signal leaves them */
		if (poll(pfd, 2, timeout) == -1 && errno != EINTR)
			nm_die(NM_EXIT_FAIL, "poll: %s", strerror(errno));
		while (read(st_sigpipe[0], buf, sizeof(buf)) > 0)
			continue;
		if (must_stop(cx)) {
			report(cx, "signal");
			exit(NM_EXIT_OK);
		}
		if (pfd[0].revents != 0)
			return;
		if (feed_due(a, projected_now(cx), ST_GRACE)) {
			feed_close(&cx->agg, &cx->out);
			if (rec_writer_flush(cx->w) < 0)
				nm_write_failed();
		}
	}
}

/* state: running until EOF, a malformed record, or enough signals */
static const char *
run(struct ctx *cx)
{
	struct rec rec;
	int rc;

	for (;;) {
		if (must_stop(cx))
			return "signal";
		rc = rec_read(cx->r, &rec);
		if (rc == 0)
			return rec_reader_saw_end(cx->r) ? "eof" : "early";
		if (rc < 0 && errno == EINTR)
			continue;	/* must_stop() decides */
		if (rc < 0) {
			int e = errno;

			(void)rec_writer_flush(cx->w);
			if (e == EBADMSG)
				nm_die(NM_EXIT_BADSTREAM, "stdin: %s",
				    rec_reader_error(cx->r));
			nm_die(NM_EXIT_FAIL, "stdin: %s", strerror(e));
		}
		switch (rec.type) {
		case REC_HEADER:
			rc = rec_write_header(cx->w, &rec.obj, "nm-stats");
			break;
		case REC_FRAME:
		case REC_PACKET:
			feed_record(&cx->agg, &cx->out, &rec);
			rc = cx->quiet ? 0 : rec_write_rec(cx->w, &rec);
			break;
		case REC_CAPSTATS:
			agg_capstats(&cx->agg, &rec.obj);
			rc = rec_write_rec(cx->w, &rec);
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
	static struct ctx cx;
	struct opts o;
	const char *reason;

	nm_init(argv[0]);
	parse_opts(argc, argv, &o);
	esvc_setup(o.services);
	set_signals();
	cx.quiet = o.quiet;
	cx.pipe_in = nm_stdin_is_pipe();
	agg_init(&cx.agg, (uint64_t)o.interval * ST_NS, o.max_flows,
	    o.max_hosts);
	if ((cx.w = rec_writer_open(1)) == NULL)
		nm_die(NM_EXIT_FAIL, "stdout: %s", strerror(errno));
	out_init(&cx.out, cx.w, o.ntop, o.by);
	if ((cx.r = rec_reader_open(0, on_idle, &cx)) == NULL)
		nm_die(NM_EXIT_FAIL, "stdin: %s", strerror(errno));
	esandbox(NM_SANDBOX_STAGE);

	/* state: sandboxed, stdin, stdout and the signal pipe only */
	reason = run(&cx);

	report(&cx, reason);
	if (strcmp(reason, "early") == 0)
		return nm_early(rec_reader_error(cx.r));
	rec_reader_close(cx.r);
	return NM_EXIT_OK;
}
