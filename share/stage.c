/*
 * The stage driver's loop (stage.h says what it promises).  One process
 * reads its stdin here and nowhere else: records are handed to the
 * stage's callbacks as they come; when the input has nothing more for
 * the moment, output is flushed (so a live packet reaches the screen at
 * once) and the driver waits in poll() on stdin, on the signal pipe and
 * on the stage's next deadline.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nm.h"
#include "rec.h"
#include "stage.h"

/* On a busy input, deadlines are looked at once per this many records. */
#define TICK_EVERY 64

static volatile sig_atomic_t nsignals;
static int sigpipe_fd[2] = { -1, -1 };

/* The self-pipe wakes the driver's poll; a full pipe loses nothing. */
static void
on_signal(int sig)
{
	int saved = errno;

	(void)sig;
	nsignals++;
	(void)!write(sigpipe_fd[1], "", 1);
	errno = saved;
}

/* No SA_RESTART: a second signal must break a write that blocks. */
static void
set_signals(void)
{
	struct sigaction sa;

	if (pipe2(sigpipe_fd, O_NONBLOCK | O_CLOEXEC) == -1)
		nm_die(NM_EXIT_FAIL, "pipe: %s", strerror(errno));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

uint64_t
stage_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* What every stage opens first: the writer and the signal policy. */
static void
open_out(struct stage *st, const struct stage_ops *ops, void *arg, int flags)
{
	if (ops->records_out && !(flags & STAGE_FORCE) && isatty(STDOUT_FILENO))
		nm_die(NM_EXIT_USAGE,
		    "refusing to write binary records to a terminal: pipe "
		    "them on, e.g. | nm-render (or use --force)");
	memset(st, 0, sizeof(*st));
	st->ops = ops;
	st->arg = arg;
	st->realtime = (flags & STAGE_REALTIME) != 0;
	set_signals();
	if (ops->records_out &&
	    (st->w = rec_writer_open(STDOUT_FILENO)) == NULL)
		nm_die(NM_EXIT_FAIL, "stdout: %s", strerror(errno));
}

void
stage_open(struct stage *st, const struct stage_ops *ops, void *arg, int flags)
{
	open_out(st, ops, arg, flags);
	st->pipe_in = nm_stdin_is_pipe();
	if ((st->r = rec_reader_open(STDIN_FILENO)) == NULL)
		nm_die(NM_EXIT_FAIL, "stdin: %s", strerror(errno));
	rec_reader_report_idle(st->r);
}

void
stage_open_inputs(struct stage *st, const struct stage_ops *ops, void *arg,
    int flags, char *const *paths, size_t n)
{
	struct stat sb;
	size_t i;
	int fd, pipes = 1;

	open_out(st, ops, arg, flags);
	st->in = ecalloc(n, sizeof(*st->in));
	st->nin = n;
	for (i = 0; i < n; i++) {
		if (strcmp(paths[i], "-") == 0) {
			fd = STDIN_FILENO;
			st->in[i].name = "stdin";
		} else if ((fd = open(paths[i], O_RDONLY | O_CLOEXEC)) < 0) {
			nm_die(
			    NM_EXIT_FAIL, "%s: %s", paths[i], strerror(errno));
		} else
			st->in[i].name = paths[i];
		if (fstat(fd, &sb) < 0 || !S_ISFIFO(sb.st_mode))
			pipes = 0;
		if ((st->in[i].r = rec_reader_open(fd)) == NULL)
			nm_die(NM_EXIT_FAIL, "%s: %s", st->in[i].name,
			    strerror(errno));
		rec_reader_report_idle(st->in[i].r);
		st->in[i].open = 1;
	}
	/* a signal drains the inputs only when all are pipes */
	st->pipe_in = pipes;
}

struct pk *
stage_pk(struct stage *st)
{
	return rec_writer_pk(st->w);
}

void
stage_end_record(struct stage *st)
{
	if (rec_writer_end(st->w) < 0)
		nm_write_failed();
}

void
stage_pass(struct stage *st, const struct rec *rec)
{
	if (rec_write_rec(st->w, rec) < 0)
		nm_write_failed();
}

/* One signal ends a file or terminal input; a pipe drains until two. */
static int
must_stop(const struct stage *st)
{
	return nsignals >= 2 || (nsignals && !st->pipe_in);
}

static void
flush(struct stage *st)
{
	if (st->w != NULL && rec_writer_flush(st->w) < 0)
		nm_write_failed();
	if (st->ops->flush != NULL)
		st->ops->flush(st);
}

static void
tick(struct stage *st, uint64_t now)
{
	if (st->ops->tick != NULL)
		st->deadline = st->ops->tick(st, now);
}

/*
 * The input has nothing for now: flush, then wait for it, for a signal
 * or for the stage's deadline, doing the stage's periodic work on time.
 */
static void
idle(struct stage *st)
{
	struct pollfd pfd[2];
	uint64_t now, ms;
	char buf[64];
	int timeout;

	flush(st);
	tick(st, stage_now());
	for (;;) {
		flush(st);
		timeout = -1;
		if (st->deadline != 0) {
			now = stage_now();
			ms = st->deadline <= now
			    ? 0
			    : (st->deadline - now) / 1000000 + 1;
			timeout = ms > 3600000 ? 3600000 : (int)ms;
		}
		pfd[0].fd = STDIN_FILENO;
		pfd[0].events = POLLIN;
		pfd[1].fd = sigpipe_fd[0];
		pfd[1].events = POLLIN;
		pfd[0].revents = pfd[1].revents = 0; /* a signal leaves them */
		if (poll(pfd, 2, timeout) == -1 && errno != EINTR)
			nm_die(NM_EXIT_FAIL, "poll: %s", strerror(errno));
		while (read(sigpipe_fd[0], buf, sizeof(buf)) > 0)
			continue;
		if (must_stop(st) || pfd[0].revents != 0)
			return;
		now = stage_now();
		if (st->deadline != 0 && now >= st->deadline)
			tick(st, now);
	}
}

/* --realtime: the capture's start, from the header, is time zero. */
static void
pace_start(struct stage *st, const struct rec *hdr)
{
	uint64_t start;

	if (st->paced || (start = rec_capture_start(&hdr->obj)) == 0)
		return;
	st->paced = 1;
	st->pace_t0 = start;
	st->pace_wall0 = stage_now();
}

/*
 * --realtime: waits until this record's offset from time zero has passed,
 * flushing first so what went before is seen on time; a signal that must
 * stop the stage ends the wait.
 */
static void
pace(struct stage *st, const struct rec *rec)
{
	uint64_t ts, when, now;
	struct pollfd pfd;
	char buf[64];
	int ms;

	if ((rec->type != REC_FRAME && rec->type != REC_PACKET &&
		rec->type != REC_CAPSTATS) ||
	    !rec_get_u64(&rec->obj, "ts", &ts) || ts == 0)
		return;
	if (!st->paced) {
		st->paced = 1;
		st->pace_t0 = ts;
		st->pace_wall0 = stage_now();
		return;
	}
	if (ts <= st->pace_t0)
		return;
	when = ts - st->pace_t0 > UINT64_MAX - st->pace_wall0
	    ? UINT64_MAX
	    : st->pace_wall0 + (ts - st->pace_t0);
	if (stage_now() >= when)
		return;
	flush(st);
	while (!must_stop(st) && (now = stage_now()) < when) {
		ms = (when - now) / 1000000 + 1 > 1000
		    ? 1000
		    : (int)((when - now) / 1000000 + 1);
		pfd.fd = sigpipe_fd[0];
		pfd.events = POLLIN;
		if (poll(&pfd, 1, ms) > 0)
			while (read(sigpipe_fd[0], buf, sizeof(buf)) > 0)
				continue;
	}
}

/* Every stream starts with a header: a new one if none came. */
static void
need_header(struct stage *st)
{
	if (st->w == NULL || st->headed)
		return;
	st->headed = 1;
	if (rec_write_header(st->w, NULL, st->ops->name) < 0)
		nm_write_failed();
}

static void
dispatch(struct stage *st, const struct rec *rec)
{
	if (rec->type != REC_HEADER) {
		need_header(st); /* a headless JSON stream's first record */
		if (st->realtime)
			pace(st, rec);
		st->ops->record(st, rec);
		return;
	}
	if (st->realtime)
		pace_start(st, rec);
	if (st->ops->header != NULL)
		st->ops->header(st, rec);
	if (st->w != NULL) {
		st->headed = 1;
		if (rec_write_header(st->w, &rec->obj, st->ops->name) < 0)
			nm_write_failed();
	}
}

static const char *const reasons[] = {
	[STAGE_EOF] = "eof", [STAGE_EARLY] = "early", [STAGE_SIGNAL] = "signal"
};

/* Final figures and the end record, whatever stopped the input. */
static void
finish(struct stage *st, enum stage_end why)
{
	need_header(st); /* before any final record of the stage's */
	if (st->ops->finish != NULL)
		st->ops->finish(st, why);
	if (st->w == NULL) {
		flush(st);
		return;
	}
	if (rec_write_end_more(st->w, st->ops->name, st->frames, st->packets,
		reasons[why], st->ops->end_keys, st) < 0 ||
	    rec_writer_close(st->w) < 0)
		nm_write_failed();
	st->w = NULL;
	flush(st);
}

/* --- several inputs --- */

/* Whether every open input has had its header (or there are none). */
static int
all_headed(const struct stage *st)
{
	size_t i;

	for (i = 0; i < st->nin; i++)
		if (st->in[i].open && !st->in[i].headed)
			return 0;
	return 1;
}

static void
in_close(struct stage *st, size_t i, int status)
{
	struct stage_in *in = &st->in[i];

	in->open = 0;
	if (status > st->status)
		st->status = status;
	if (st->ops->input_end != NULL)
		st->ops->input_end(st, i, status == NM_EXIT_OK);
	rec_reader_close(in->r);
	in->r = NULL;
}

/*
 * Input i ended (rc 0) or failed (rc -1): one line unless it ended whole,
 * and its status.
 */
static void
in_ended(struct stage *st, size_t i, int rc)
{
	struct stage_in *in = &st->in[i];
	int e = errno;

	if (rc == 0 && rec_reader_saw_end(in->r)) {
		in_close(st, i, NM_EXIT_OK);
		return;
	}
	if (rc == 0) {
		nm_warn("%s: %s", in->name,
		    *rec_reader_error(in->r) != '\0'
			? rec_reader_error(in->r)
			: "ended without its end record");
		in_close(st, i, NM_EXIT_EARLYEOF);
	} else {
		nm_warn("%s: %s", in->name,
		    e == EBADMSG ? rec_reader_error(in->r) : strerror(e));
		in_close(
		    st, i, e == EBADMSG ? NM_EXIT_BADSTREAM : NM_EXIT_FAIL);
	}
}

/* The one header out, when every input's is in. */
static void
inputs_headed(struct stage *st)
{
	const msgpack_object *h = NULL;

	if (st->headed || !all_headed(st))
		return;
	if (st->ops->merged_header != NULL)
		h = st->ops->merged_header(st);
	st->headed = 1;
	if (st->w != NULL && rec_write_header(st->w, h, st->ops->name) < 0)
		nm_write_failed();
}

/* Reads a batch from input i; returns how many records it had. */
static unsigned
in_read(struct stage *st, size_t i)
{
	struct stage_in *in = &st->in[i];
	struct rec rec;
	unsigned n = 0;
	int rc;

	while (in->open && n < TICK_EVERY && !must_stop(st)) {
		if (!st->headed && in->headed)
			break; /* the others' headers come first */
		rc = rec_read(in->r, &rec);
		if (rc == REC_IDLE)
			break;
		if (rc == 1) {
			n++;
			st->input = i;
			if (rec.type == REC_HEADER && !st->headed) {
				in->headed = 1;
				if (st->ops->header != NULL)
					st->ops->header(st, &rec);
				inputs_headed(st);
			} else if (rec.type != REC_HEADER)
				st->ops->record(st, &rec);
			else if (st->ops->header != NULL)
				st->ops->header(st, &rec); /* a later one */
			continue;
		}
		if (rc < 0 && errno == EINTR)
			continue;
		in_ended(st, i, rc);
		inputs_headed(st);
	}
	return n;
}

/* Nothing to read anywhere: wait for any input, a signal or the tick. */
static void
inputs_idle(struct stage *st)
{
	struct pollfd *pfd = ecalloc(st->nin + 1, sizeof(*pfd));
	uint64_t now, ms;
	size_t i, n = 0;
	char buf[64];
	int timeout = -1;

	flush(st);
	tick(st, stage_now());
	if (st->deadline != 0) {
		now = stage_now();
		ms = st->deadline <= now ? 0
					 : (st->deadline - now) / 1000000 + 1;
		timeout = ms > 3600000 ? 3600000 : (int)ms;
	}
	for (i = 0; i < st->nin; i++) {
		if (!st->in[i].open || (!st->headed && st->in[i].headed))
			continue;
		pfd[n].fd = rec_reader_fd(st->in[i].r);
		pfd[n++].events = POLLIN;
	}
	pfd[n].fd = sigpipe_fd[0];
	pfd[n++].events = POLLIN;
	if (poll(pfd, n, timeout) == -1 && errno != EINTR)
		nm_die(NM_EXIT_FAIL, "poll: %s", strerror(errno));
	while (read(sigpipe_fd[0], buf, sizeof(buf)) > 0)
		continue;
	free(pfd);
}

static int
run_inputs(struct stage *st)
{
	size_t i, open;
	unsigned got;

	for (;;) {
		if (must_stop(st)) {
			inputs_headed(st);
			finish(st, STAGE_SIGNAL);
			return st->status;
		}
		got = 0;
		open = 0;
		for (i = 0; i < st->nin; i++) {
			got += in_read(st, i);
			open += st->in[i].open;
		}
		if (open == 0)
			break;
		if (got == 0)
			inputs_idle(st);
		else if (st->deadline != 0 && stage_now() >= st->deadline)
			tick(st, stage_now());
	}
	inputs_headed(st);
	finish(st, st->status == NM_EXIT_OK ? STAGE_EOF : STAGE_EARLY);
	return st->status;
}

int
stage_run(struct stage *st)
{
	struct rec rec;
	unsigned n = 0;
	int rc, e;

	if (st->in != NULL)
		return run_inputs(st);
	for (;;) {
		if (must_stop(st)) {
			finish(st, STAGE_SIGNAL);
			return NM_EXIT_OK;
		}
		rc = rec_read(st->r, &rec);
		if (rc == 1) {
			dispatch(st, &rec);
			if (st->deadline != 0 && ++n % TICK_EVERY == 0 &&
			    stage_now() >= st->deadline)
				tick(st, stage_now());
			continue;
		}
		if (rc == REC_IDLE) {
			idle(st);
			continue;
		}
		if (rc == 0)
			break;
		if ((e = errno) == EINTR)
			continue; /* must_stop() decides */
		/* what was read is reported before the one line */
		finish(st, STAGE_EARLY);
		nm_die(e == EBADMSG ? NM_EXIT_BADSTREAM : NM_EXIT_FAIL,
		    "stdin: %s",
		    e == EBADMSG ? rec_reader_error(st->r) : strerror(e));
	}
	if (rec_reader_saw_end(st->r)) {
		finish(st, STAGE_EOF);
		rec_reader_close(st->r);
		return NM_EXIT_OK;
	}
	finish(st, STAGE_EARLY);
	return nm_early(rec_reader_error(st->r));
}
