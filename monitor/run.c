/*
 * Starting, watching and stopping the pipeline.  Each stage is forked
 * with its standard input and output joined to its neighbours by pipes;
 * every stage but nm-capture becomes the target user before it is
 * executed, so no unprivileged program ever runs a single instruction of
 * its own as root.  Once all have started, nm-monitor itself becomes the
 * target user and only waits.
 *
 * nm-capture starts first, alone: the others start only once it has
 * written its first bytes (the header, written once its source is open
 * and its filter compiled).  A capture that fails before that (a bad
 * filter, no such interface, no permission) has captured nothing: its
 * message is the only one, no other stage runs to say that its input
 * ended early, nor to print a final report of zeros, and nm-monitor
 * exits with nm-capture's status.
 *
 * Signals: Ctrl-C reaches the terminal's foreground process group.  When
 * nm-monitor's group holds the terminal, the stages get a process group
 * of their own and the terminal is given to it while they run (and given
 * back at the end), so Ctrl-C reaches the stages and not a reader of
 * nm-monitor's output that shares its group (nm-monitor | tee log: tee
 * would die before the final report reached it).  Every stage gets the
 * SIGINT by itself: nm-capture stops and writes its final records, the
 * others drain their input to its end and nm-render prints the final
 * report.  Ctrl-Z is ignored by the stages meanwhile: stopped in a group
 * the shell does not know, they would hold the terminal with no prompt
 * to resume them.  nm-monitor ignores the terminal's SIGINT, to be there
 * to collect them.  SIGTERM, and a SIGINT sent by a process (kill -INT,
 * which may reach nm-monitor alone), are passed to nm-capture alone, and
 * the rest of the pipeline drains the same way; nm-capture takes a
 * second signal as it takes one.  When a stage fails, nm-capture is
 * stopped the same way too, and the others see their input end (or
 * their reader go away).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <sys/fsuid.h>
#include <sys/wait.h>

#include "mon.h"

static volatile sig_atomic_t mon_terminated; /* SIGTERM seen */
/* the captures (one, or --workers'), each 0 until it runs and once done */
static volatile pid_t mon_capture_pids[MON_WORKERS_MAX];
static volatile sig_atomic_t mon_ncaptures;
/* the captures were stopped by us, not by a failure of theirs */
static int mon_stopping;

/* The terminal given to the stages' group, and who gives it back. */
static int mon_tty = -1;
static pid_t mon_tty_owner; /* nm-monitor's pid: not a forked child's */
/* 0: the stages stay in nm-monitor's group */
static volatile pid_t mon_stages_pgrp;

/*
 * SIGTERM to every capture still running: 1 if one refused it (EPERM:
 * not yet dropped to our user), to be sent again.
 */
static int
mon_stop_captures(void)
{
	int i, refused = 0;

	for (i = 0; i < mon_ncaptures; i++)
		if (mon_capture_pids[i] > 0 &&
		    kill(mon_capture_pids[i], SIGTERM) == -1 && errno == EPERM)
			refused = 1;
	return refused;
}

/* Whether a capture still runs. */
static int
mon_captures_running(void)
{
	int i;

	for (i = 0; i < mon_ncaptures; i++)
		if (mon_capture_pids[i] > 0)
			return 1;
	return 0;
}

static void
mon_on_term(int sig)
{
	int saved = errno;

	(void)sig;
	mon_terminated = 1;
	(void)mon_stop_captures();
	errno = saved;
}

/*
 * Ctrl-C comes from the terminal (si_code SI_KERNEL) to every stage at
 * once when they share nm-monitor's group: nothing to do.  A SIGINT from
 * kill(2) may be nm-monitor's alone, and so is any when the stages have
 * a group of their own (the terminal could not be given to it).
 */
static void
mon_on_int(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	if (si != NULL && (si->si_code != SI_KERNEL || mon_stages_pgrp != 0))
		mon_on_term(sig);
}

static void
mon_signals_parent(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = mon_on_term;
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_flags = SA_SIGINFO;
	sa.sa_sigaction = mon_on_int;
	sigaction(SIGINT, &sa, NULL);
}

/*
 * Whether the stages get the terminal: only when nm-monitor's group is
 * its foreground group (not when nm-monitor runs in the background, or
 * with no terminal at all).  SIGTTOU is ignored from here on: nm-monitor
 * hands the terminal over, and back, from outside the foreground group.
 */
static void
mon_tty_take(void)
{
	pid_t fg;

	if ((mon_tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
		return;
	fg = tcgetpgrp(mon_tty);
	if (fg < 0 || fg != getpgrp()) {
		close(mon_tty);
		mon_tty = -1;
		return;
	}
	signal(SIGTTOU, SIG_IGN);
	mon_tty_owner = getpid();
}

/* The terminal back to nm-monitor's group; also on exit, from nm_die. */
static void
mon_tty_restore(void)
{
	if (mon_tty < 0 || getpid() != mon_tty_owner || mon_stages_pgrp == 0)
		return;
	(void)tcsetpgrp(mon_tty, getpgrp());
	mon_stages_pgrp = 0;
}

/* A stage starts with the signal dispositions a shell would give it. */
static void
mon_signals_child(void)
{
	sigset_t none;

	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGTTOU, SIG_DFL);
	/* the shell cannot resume a group it does not know: see above */
	signal(SIGTSTP, mon_tty_owner != 0 ? SIG_IGN : SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

void
mon_move_fd(int fd, int target)
{
	if (fd == target) {
		if (fcntl(fd, F_SETFD, 0) < 0)
			nm_die(NM_EXIT_FAIL, "fcntl: %s", strerror(errno));
	} else if (dup2(fd, target) < 0)
		nm_die(NM_EXIT_FAIL, "dup2: %s", strerror(errno));
}

/*
 * The merger's inputs, the read ends xfd[0..n-1], become its fds 3 to
 * n + 2: first each as a new fd above them all, so that moving one never
 * closes another not yet moved.
 */
static void
mon_place_fds(const int *xfd, int n)
{
	int tmp[MON_WORKERS_MAX], i;

	for (i = 0; i < n; i++)
		if ((tmp[i] = fcntl(xfd[i], F_DUPFD_CLOEXEC, 3 + n)) < 0)
			nm_die(NM_EXIT_FAIL, "fcntl: %s", strerror(errno));
	for (i = 0; i < n; i++)
		mon_move_fd(tmp[i], 3 + i);
}

static void __attribute__((noreturn)) mon_exec(const struct mon_stage *st,
    const struct mon_user *u, int in, int out, const int *xfd, int nxfd)
{
	char *const *argv = (char *const *)(uintptr_t)st->argv;

	mon_signals_child();
	/* the first stage makes the stages' group, the others join it */
	if (mon_tty_owner != 0)
		(void)setpgid(0, mon_stages_pgrp);
	if (in != -1)
		mon_move_fd(in, STDIN_FILENO);
	if (out != -1)
		mon_move_fd(out, STDOUT_FILENO);
	/* nm-detect's settings, read as the caller (detect.c) */
	if (st->fd3 != -1)
		mon_move_fd(st->fd3, 3);
	if (nxfd > 0)
		mon_place_fds(xfd, nxfd);
	mon_exec_program(st->path, argv, st->privileged ? NULL : u);
}

/*
 * The program is opened before the privilege goes and run through the
 * descriptor: the user it runs as need not be able to reach the
 * directory it is in (a clone in root's home, mode 700).  u NULL: it
 * keeps ours.
 */
void
mon_exec_program(const char *path, char *const *argv, const struct mon_user *u)
{
	int exe, e;

	exe = open(path, O_RDONLY | O_CLOEXEC);
	/* state: the program's own privilege, before its code runs */
	if (u != NULL)
		mon_user_become(u);
	/* exec's prototypes predate const; they do not write argv. */
	if (exe != -1)
		fexecve(exe, argv, environ);
	/* a script cannot run from a descriptor closed on exec: by name */
	if (exe == -1 || errno == ENOENT)
		execv(path, argv);
	e = errno;
	if (u != NULL && u->change)
		nm_die(NM_EXIT_FAIL, "%s: %s (run as %s)", path, strerror(e),
		    u->name ? u->name : "the target user");
	nm_die(NM_EXIT_FAIL, "%s: %s", path, strerror(e));
}

/* Forks stage i reading in and writing out; in the stages' group. */
static void
mon_fork(
    struct mon_pipeline *pl, int i, const struct mon_user *u, int in, int out)
{
	pid_t pid;

	if ((pid = fork()) < 0)
		nm_die(NM_EXIT_FAIL, "fork: %s", strerror(errno));
	if (pid == 0)
		mon_exec(&pl->stage[i], u, in, out, pl->mergefd,
		    i == pl->merge ? pl->nworkers : 0);
	pl->stage[i].pid = pid;
	if (pl->stage[i].privileged) {
		mon_capture_pids[mon_ncaptures] = pid;
		mon_ncaptures++;
	}
	if (mon_tty_owner == 0)
		return;
	/* as the child does, so that neither order of the two races */
	if (mon_stages_pgrp == 0)
		mon_stages_pgrp = pid;
	(void)setpgid(pid, mon_stages_pgrp);
	/* refused, Ctrl-C reaches nm-monitor, which passes it on */
	if (i == 0 && tcsetpgrp(mon_tty, mon_stages_pgrp) < 0)
		nm_warn("the terminal: %s: Ctrl-C reaches the whole job",
		    strerror(errno));
}

/*
 * Waits until the first stage has written something (its header) or
 * ended without a byte: 1 if it wrote, 0 if it did not.
 */
static int
mon_first_output(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };

	for (;;) {
		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			nm_die(NM_EXIT_FAIL, "poll: %s", strerror(errno));
		}
		if (p.revents & POLLIN)
			return 1;
		if (p.revents & (POLLHUP | POLLERR | POLLNVAL))
			return 0;
	}
}

/*
 * A pipe; for the merger, one the target user owns.  The merger opens
 * its inputs by name, /dev/fd/N, and that opens the pipe anew with a
 * check of its owner (the creator's fsuid) and its mode (0600): one
 * made as root would be refused to the user it runs as.
 */
static int
mon_pipe(int fd[2], const struct mon_user *u, int by_name)
{
	int rc, e;

	if (!by_name || !u->change)
		return pipe2(fd, O_CLOEXEC);
	(void)setfsgid(u->gid);
	(void)setfsuid(u->uid);
	rc = pipe2(fd, O_CLOEXEC);
	e = errno;
	(void)setfsuid(0);
	(void)setfsgid(0);
	errno = e;
	return rc;
}

/* Where the output of stage i is read: the pipe's end kept for it. */
static int *
mon_reader_fd(struct mon_pipeline *pl, int i)
{
	const struct mon_stage *st = &pl->stage[i];

	if (st->to == pl->merge && st->tofd >= 3)
		return &pl->mergefd[st->tofd - 3];
	return &pl->stage[st->to].in;
}

/* The read ends not yet handed to a stage, closed. */
static void
mon_close_pending(struct mon_pipeline *pl)
{
	int i;

	for (i = 0; i < pl->n; i++) {
		if (pl->stage[i].to >= 0 && *mon_reader_fd(pl, i) != -1) {
			close(*mon_reader_fd(pl, i));
			*mon_reader_fd(pl, i) = -1;
		}
	}
}

/*
 * Whether each of the first n stages, the captures, has written its
 * header; when one ended without, the others are stopped.
 */
static int
mon_headers(struct mon_pipeline *pl, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!mon_first_output(*mon_reader_fd(pl, i))) {
			mon_stopping = 1;
			(void)mon_stop_captures();
			return 0;
		}
	return 1;
}

/*
 * Forks the captures (nm-capture, or --workers' N), then the others once
 * each capture has written; every stage writes to a later one.  fds are
 * O_CLOEXEC, so only the dup2'd ones pass.  Returns how many started.
 */
static int
mon_start(struct mon_pipeline *pl, const struct mon_user *u)
{
	int fd[2], i, w, in;
	struct mon_stage *st;

	/* A child that fails exits through exit(): nothing to flush twice. */
	fflush(NULL);
	for (w = 0; w < pl->nworkers; w++)
		pl->mergefd[w] = -1;
	for (i = 0; i < pl->n; i++) {
		st = &pl->stage[i];
		fd[0] = fd[1] = -1;
		if (st->to >= 0 && mon_pipe(fd, u, st->to == pl->merge) < 0)
			nm_die(NM_EXIT_FAIL, "pipe: %s", strerror(errno));
		/* the merger reads its fds 3 on, and never our stdin */
		in = st->in;
		if (i == pl->merge &&
		    (in = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
			nm_die(NM_EXIT_FAIL, "/dev/null: %s", strerror(errno));
		mon_fork(pl, i, u, in, fd[1]);
		if (in != -1)
			close(in);
		st->in = -1;
		for (w = 0; i == pl->merge && w < pl->nworkers; w++) {
			close(pl->mergefd[w]);
			pl->mergefd[w] = -1;
		}
		if (fd[1] != -1)
			close(fd[1]);
		if (st->to >= 0)
			*mon_reader_fd(pl, i) = fd[0];
		/* A SIGTERM that came before nm-capture's pid was known. */
		if (st->privileged && mon_terminated)
			kill(st->pid, SIGTERM);
		/*
		 * state: the first capture started, alone: a bad interface,
		 * filter or permission is said once, by it.  Then the other
		 * workers' captures; the other stages wait for every header.
		 */
		if (st->privileged && st->to >= 0 &&
		    (i == 0 || !pl->stage[i + 1].privileged) &&
		    !mon_headers(pl, i + 1)) {
			mon_close_pending(pl);
			return i + 1;
		}
	}
	return pl->n;
}

static struct mon_stage *
mon_stage_of(struct mon_pipeline *pl, pid_t pid)
{
	int i;

	for (i = 0; i < pl->n; i++)
		if (pl->stage[i].pid == pid)
			return &pl->stage[i];
	return NULL;
}

/* Collects every stage; on the first failure, stops nm-capture. */
static void
mon_wait(struct mon_pipeline *pl, int started)
{
	const struct timespec tick = { 0, 50 * 1000 * 1000 };
	struct mon_stage *st;
	int running = started, status, stopped = 0, retry = 0, i;
	pid_t pid;
	char who[32];

	while (running > 0) {
		/*
		 * A SIGTERM refused (nm-capture not yet dropped to our user)
		 * is sent again until it lands or nm-capture ends.
		 */
		if (retry && mon_captures_running()) {
			if ((pid = waitpid(-1, &status, WNOHANG)) == 0) {
				nanosleep(&tick, NULL);
				retry = mon_stop_captures();
				continue;
			}
		} else
			pid = waitpid(-1, &status, 0);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			nm_die(NM_EXIT_FAIL, "waitpid: %s", strerror(errno));
		}
		if ((st = mon_stage_of(pl, pid)) == NULL)
			continue;
		running--;
		for (i = 0; st->privileged && i < mon_ncaptures; i++)
			if (mon_capture_pids[i] == pid)
				mon_capture_pids[i] = 0;
		who[0] = '\0';
		if (st->worker > 0)
			snprintf(who, sizeof(who), " (worker %d)", st->worker);
		if (WIFEXITED(status))
			st->status = WEXITSTATUS(status);
		else if (st->privileged &&
		    (stopped || mon_terminated || mon_stopping) &&
		    WTERMSIG(status) == SIGTERM) {
			/* we stopped it, before it could set its handler */
			st->status = 0;
		} else {
			st->status = 128 + WTERMSIG(status);
			nm_warn("%s%s: killed by signal %d (%s)", st->name, who,
			    WTERMSIG(status), strsignal(WTERMSIG(status)));
		}
		/* a worker's exit status, said once: its stages say why */
		if (st->status != 0 && !stopped && !mon_stopping &&
		    st->worker > 0 && WIFEXITED(status))
			nm_warn("%s%s: exit status %d: stopping the other "
				"workers",
			    st->name, who, st->status);
		if (st->status != 0 && !stopped && mon_captures_running()) {
			stopped = 1;
			retry = mon_stop_captures();
		}
	}
}

int
mon_run(struct mon_pipeline *pl, const struct mon_user *u)
{
	int i, started;

	mon_signals_parent();
	mon_tty_take();
	atexit(mon_tty_restore);
	/* state: privileged, starting the stages */
	started = mon_start(pl, u);
	/* state: every stage started; nm-monitor needs no privilege */
	mon_user_become(u);
	mon_wait(pl, started);
	mon_tty_restore();
	/*
	 * The failure nearest the pipeline's start is the cause: a stage
	 * downstream of it only saw its input end early.  When only
	 * nm-capture ran, its status is the answer, 0 included (stopped by
	 * a signal before it had opened its source).
	 */
	for (i = 0; i < started; i++)
		if (pl->stage[i].status != 0)
			return pl->stage[i].status;
	return NM_EXIT_OK;
}
