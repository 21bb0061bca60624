/*
 * Starting, watching and stopping the pipeline.  Each stage is forked
 * with its standard input and output joined to its neighbours by pipes;
 * every stage but nm-capture becomes the target user before it is
 * executed, so no unprivileged program ever runs a single instruction of
 * its own as root.  Once all have started, nm-monitor itself becomes the
 * target user and only waits.
 *
 * Signals: Ctrl-C reaches the whole foreground process group, so every
 * stage gets SIGINT by itself: nm-capture stops and writes its final
 * records, the others drain their input to its end and nm-render prints
 * the final report.  nm-monitor ignores the terminal's SIGINT meanwhile,
 * to be there to collect them.  SIGTERM, and a SIGINT sent by a process
 * (kill -INT, which may reach nm-monitor alone), are passed to nm-capture
 * alone, and the rest of the pipeline drains the same way; nm-capture
 * takes a second signal as it takes one.
 * When a stage fails, nm-capture is stopped the same way too, and the
 * others see their input end (or their reader go away).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "mon.h"

static volatile sig_atomic_t mon_terminated; /* SIGTERM seen */
static volatile pid_t mon_capture_pid;	     /* 0 until it runs */

static void
mon_on_term(int sig)
{
	int saved = errno;

	(void)sig;
	mon_terminated = 1;
	if (mon_capture_pid > 0)
		kill(mon_capture_pid, SIGTERM);
	errno = saved;
}

/*
 * Ctrl-C comes from the terminal (si_code SI_KERNEL) to every stage at
 * once: nothing to do.  A SIGINT from kill(2) may be nm-monitor's alone.
 */
static void
mon_on_int(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	if (si != NULL && si->si_code != SI_KERNEL)
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

/* A stage starts with the signal dispositions a shell would give it. */
static void
mon_signals_child(void)
{
	sigset_t none;

	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* fd becomes target, open across exec (dup2 leaves equal fds alone). */
static void
mon_move_fd(int fd, int target)
{
	if (fd == target) {
		if (fcntl(fd, F_SETFD, 0) < 0)
			nm_die(NM_EXIT_FAIL, "fcntl: %s", strerror(errno));
	} else if (dup2(fd, target) < 0)
		nm_die(NM_EXIT_FAIL, "dup2: %s", strerror(errno));
}

static void __attribute__((noreturn))
mon_exec(const struct mon_stage *st, const struct mon_user *u, int in, int out)
{
	char *const *argv = (char *const *)(uintptr_t)st->argv;
	int exe, e;

	mon_signals_child();
	if (in != -1)
		mon_move_fd(in, STDIN_FILENO);
	if (out != -1)
		mon_move_fd(out, STDOUT_FILENO);
	/*
	 * The program is opened before the privilege goes and run through
	 * the descriptor: the user it runs as need not be able to reach the
	 * directory it is in (a clone in root's home, mode 700).
	 */
	exe = open(st->path, O_RDONLY | O_CLOEXEC);
	/* state: the stage's own privilege, before its code runs */
	if (!st->privileged)
		mon_user_become(u);
	/* exec's prototypes predate const; they do not write argv. */
	if (exe != -1)
		fexecve(exe, argv, environ);
	/* a script cannot run from a descriptor closed on exec: by name */
	if (exe == -1 || errno == ENOENT)
		execv(st->path, argv);
	e = errno;
	if (!st->privileged && u->change)
		nm_die(NM_EXIT_FAIL, "%s: %s (run as %s)", st->path,
		    strerror(e), u->name ? u->name : "the target user");
	nm_die(NM_EXIT_FAIL, "%s: %s", st->path, strerror(e));
}

/* Forks every stage; fds are O_CLOEXEC, so only the dup2'd ones pass. */
static void
mon_start(struct mon_pipeline *pl, const struct mon_user *u)
{
	int fd[2], in = -1, i;
	pid_t pid;

	/* A child that fails exits through exit(): nothing to flush twice. */
	fflush(NULL);
	for (i = 0; i < pl->n; i++) {
		fd[0] = fd[1] = -1;
		if (i < pl->n - 1 && pipe2(fd, O_CLOEXEC) < 0)
			nm_die(NM_EXIT_FAIL, "pipe: %s", strerror(errno));
		if ((pid = fork()) < 0)
			nm_die(NM_EXIT_FAIL, "fork: %s", strerror(errno));
		if (pid == 0)
			mon_exec(&pl->stage[i], u, in, fd[1]);
		pl->stage[i].pid = pid;
		if (pl->stage[i].privileged)
			mon_capture_pid = pid;
		if (in != -1)
			close(in);
		if (fd[1] != -1)
			close(fd[1]);
		in = fd[0];
	}
	/* A SIGTERM that came before nm-capture's pid was known. */
	if (mon_terminated)
		kill(mon_capture_pid, SIGTERM);
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
mon_wait(struct mon_pipeline *pl)
{
	const struct timespec tick = { 0, 50 * 1000 * 1000 };
	struct mon_stage *st;
	int running = pl->n, status, stopped = 0, retry = 0;
	pid_t pid;

	while (running > 0) {
		/*
		 * A SIGTERM refused (nm-capture not yet dropped to our user)
		 * is sent again until it lands or nm-capture ends.
		 */
		if (retry && mon_capture_pid > 0) {
			if ((pid = waitpid(-1, &status, WNOHANG)) == 0) {
				nanosleep(&tick, NULL);
				retry = kill(mon_capture_pid, SIGTERM) == -1 &&
				    errno == EPERM;
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
		if (st->privileged)
			mon_capture_pid = 0;
		if (WIFEXITED(status))
			st->status = WEXITSTATUS(status);
		else if (st->privileged && (stopped || mon_terminated) &&
		    WTERMSIG(status) == SIGTERM) {
			/* we stopped it, before it could set its handler */
			st->status = 0;
		} else {
			st->status = 128 + WTERMSIG(status);
			nm_warn("%s: killed by signal %d (%s)", st->name,
			    WTERMSIG(status), strsignal(WTERMSIG(status)));
		}
		if (st->status != 0 && !stopped && mon_capture_pid > 0) {
			stopped = 1;
			retry = kill(mon_capture_pid, SIGTERM) == -1 &&
			    errno == EPERM;
		}
	}
}

int
mon_run(struct mon_pipeline *pl, const struct mon_user *u)
{
	int i;

	mon_signals_parent();
	/* state: privileged, starting the stages */
	mon_start(pl, u);
	/* state: every stage started; nm-monitor needs no privilege */
	mon_user_become(u);
	mon_wait(pl);
	/*
	 * The failure nearest the pipeline's start is the cause: a stage
	 * downstream of it only saw its input end early.
	 */
	for (i = 0; i < pl->n; i++)
		if (pl->stage[i].status != 0)
			return pl->stage[i].status;
	return NM_EXIT_OK;
}
