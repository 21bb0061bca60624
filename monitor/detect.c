/*
 * The detectors in the pipeline (nm-stats runs them): their arguments
 * (--ignore, --detect-opt, --detect-config), their settings files, and a
 * check of them before anything is captured.
 *
 * The detectors read /etc/nm/detect.conf, then
 * ${XDG_CONFIG_HOME:-~/.config}/nm/detect.conf (or the one file
 * NM_DETECT_CONF or --detect-config names).  Not started as root,
 * nm-monitor changes no user, and nm-stats finds the files itself.
 * Started as root, the stage runs as another user, who may not be able
 * to read them: under sudo HOME is root's, whose home that user cannot
 * enter, and with -Z, or as nobody, the caller's home may be closed to
 * it.  So nm-monitor reads the files itself, in a child that has become
 * sudo's caller (as nm-capture opens a -r file: what the caller may not
 * read fails as it would for the caller, and a link to a file of root's
 * shows nothing of it), the system's first, into one sealed memory file
 * that nm-stats reads as --detect-config /dev/fd/3.
 *
 * Then, before the capture starts, nm-stats runs once with
 * --show-detect-config, as the stage will (the same user, arguments and
 * fd 3): a bad line or option ends nm-monitor there, with its one line
 * and its status.  Its /dev/fd/3:LINE is told back as the file and line
 * the user wrote.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "mon.h"

#define CONF_SYSTEM "/etc/nm/detect.conf"
#define CONF_FD	    "/dev/fd/3"
#define CONF_MAX    (1024 * 1024) /* bytes of one file, a generous bound */
#define ERR_MAX	    (64 * 1024)	  /* of the check's messages kept */

/* The files in the memory file, in order, and how many lines each. */
static struct conf_part {
	char *path;
	unsigned lines;
} parts[2];
static int nparts;
static int conf_fd = -1;

void
mon_detect_args(
    struct mon_pipeline *pl, struct mon_stage *st, const struct mon_opts *o)
{
	int i;

	pl->detect = st;
	if (o->detect_conf != NULL) {
		mon_arg(st, "--detect-config");
		pl->detect_carg = st->argc;
		mon_arg(st, o->detect_conf);
	}
	for (i = 0; i < o->ndetect_arg; i++)
		mon_arg(st, o->detect_arg[i]);
}

/* Ends the program as the child that ended with status did. */
static void
mon_child_status(pid_t pid, const char *what)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			nm_die(NM_EXIT_FAIL, "waitpid: %s", strerror(errno));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return;
	if (WIFEXITED(status))
		exit(WEXITSTATUS(status));
	nm_warn("%s: killed by signal %d (%s)", what, WTERMSIG(status),
	    strsignal(WTERMSIG(status)));
	exit(128 + WTERMSIG(status));
}

/* The child's part: copies path into conf_fd, as the caller when known. */
static void __attribute__((noreturn))
mon_conf_copy(const char *path, int must, const struct mon_user *u)
{
	struct mon_user caller;
	char buf[8192], as[160] = "";
	size_t total = 0;
	ssize_t n;
	int fd;

	if (u->caller) {
		memset(&caller, 0, sizeof(caller));
		caller.change = 1;
		caller.uid = u->cuid;
		caller.gid = u->cgid;
		caller.name = u->cname;
		mon_user_become(&caller);
		snprintf(
		    as, sizeof(as), " (read as %.64s, who ran sudo)", u->cname);
	}
	if ((fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC)) < 0) {
		if (!must && (errno == ENOENT || errno == ENOTDIR))
			exit(NM_EXIT_OK);
		/* nm-detect's status for a settings file it cannot read */
		nm_die(NM_EXIT_USAGE, "%s: %s%s", path, strerror(errno), as);
	}
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			nm_die(NM_EXIT_USAGE, "%s: %s%s", path, strerror(errno),
			    as);
		if ((total += (size_t)n) > CONF_MAX)
			nm_die(NM_EXIT_USAGE, "%s: larger than %d bytes", path,
			    CONF_MAX);
		if (write(conf_fd, buf, (size_t)n) != n)
			nm_die(
			    NM_EXIT_FAIL, "memory file: %s", strerror(errno));
	}
	exit(NM_EXIT_OK);
}

/* One more file into the memory file; its lines are counted. */
static void
mon_conf_add(const char *path, int must, const struct mon_user *u)
{
	off_t from, to, at;
	char buf[8192], last = '\n';
	unsigned lines = 0;
	ssize_t n, i;
	pid_t pid;

	from = lseek(conf_fd, 0, SEEK_CUR);
	fflush(NULL);
	if ((pid = fork()) < 0)
		nm_die(NM_EXIT_FAIL, "fork: %s", strerror(errno));
	if (pid == 0)
		mon_conf_copy(path, must, u);
	mon_child_status(pid, path);
	/* the child wrote through the same open file: its offset moved */
	to = lseek(conf_fd, 0, SEEK_CUR);
	for (at = from; at < to; at += n) {
		if ((n = pread(conf_fd, buf, sizeof(buf), at)) <= 0)
			nm_die(NM_EXIT_FAIL, "memory file: %s",
			    n < 0 ? strerror(errno) : "short");
		for (i = 0; i < n; i++)
			lines += buf[i] == '\n';
		last = buf[n - 1];
	}
	/* a last line without its newline would run into the next file's */
	if (last != '\n') {
		if (write(conf_fd, "\n", 1) != 1)
			nm_die(
			    NM_EXIT_FAIL, "memory file: %s", strerror(errno));
		lines++;
	}
	parts[nparts].path = estrdup(path);
	parts[nparts++].lines = lines;
}

/* The files nm-detect would read for the caller, into conf_fd. */
static void
mon_conf_load(struct mon_pipeline *pl, const struct mon_user *u)
{
	const char *named = NULL, *xdg = getenv("XDG_CONFIG_HOME"),
		   *home = getenv("HOME");
	struct mon_stage *st = pl->detect;
	char path[4096];
	int n = -1;

	if (pl->detect_carg > 0)
		named = st->argv[pl->detect_carg];
	else if (getenv("NM_DETECT_CONF") != NULL &&
	    *getenv("NM_DETECT_CONF") != '\0')
		named = getenv("NM_DETECT_CONF");
	conf_fd =
	    memfd_create("nm-detect.conf", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (conf_fd < 0)
		nm_die(NM_EXIT_FAIL, "memfd_create: %s", strerror(errno));
	if (named != NULL)
		mon_conf_add(named, 1, u);
	else {
		mon_conf_add(CONF_SYSTEM, 0, u);
		/* sudo resets both; the caller's home is its passwd entry's */
		if (u->home != NULL)
			n = snprintf(path, sizeof(path),
			    "%s/.config/nm/detect.conf", u->home);
		else if (xdg != NULL && xdg[0] == '/')
			n = snprintf(
			    path, sizeof(path), "%s/nm/detect.conf", xdg);
		else if (home != NULL && home[0] == '/')
			n = snprintf(path, sizeof(path),
			    "%s/.config/nm/detect.conf", home);
		if (n > 0 && (size_t)n < sizeof(path))
			mon_conf_add(path, 0, u);
	}
	/* what the check reads is what the stage reads */
	if (fcntl(conf_fd, F_ADD_SEALS,
		F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0)
		nm_die(NM_EXIT_FAIL, "memory file: seal: %s", strerror(errno));
	st->fd3 = conf_fd;
	if (pl->detect_carg > 0)
		st->argv[pl->detect_carg] = CONF_FD;
	else {
		mon_arg(st, "--detect-config");
		mon_arg(st, CONF_FD);
	}
}

/* A line of nm-detect's, its /dev/fd/3:N told back as file:line. */
static void
mon_relay_line(const char *line, size_t len)
{
	const char *at = NULL, *p;
	unsigned long ln = 0;
	int i;

	if (nparts > 0)
		at = memmem(line, len, CONF_FD ":", sizeof(CONF_FD));
	if (at != NULL) {
		for (p = at + sizeof(CONF_FD); p < line + len && *p >= '0' &&
		     *p <= '9' && ln < 1000000000UL;
		     p++)
			ln = ln * 10 + (unsigned long)(*p - '0');
		for (i = 0; i < nparts && ln > parts[i].lines; i++)
			ln -= parts[i].lines;
		if (p > at + sizeof(CONF_FD) && ln > 0 && i < nparts) {
			fprintf(stderr, "%.*s%s:%lu%.*s", (int)(at - line),
			    line, parts[i].path, ln, (int)(line + len - p), p);
			return;
		}
	}
	fwrite(line, 1, len, stderr);
}

/* Runs the stage once with --show-detect-config, as it will run; exits on
 * error. */
static void
mon_conf_check(struct mon_pipeline *pl, const struct mon_user *u)
{
	struct mon_stage *st = pl->detect;
	char *buf = emalloc(ERR_MAX), *p, *q, skip[512];
	size_t len = 0;
	int err[2], null;
	ssize_t n;
	pid_t pid;

	mon_arg(st, "--show-detect-config");
	if (pipe2(err, O_CLOEXEC) < 0)
		nm_die(NM_EXIT_FAIL, "pipe: %s", strerror(errno));
	fflush(NULL);
	if ((pid = fork()) < 0)
		nm_die(NM_EXIT_FAIL, "fork: %s", strerror(errno));
	if (pid == 0) {
		if ((null = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
			nm_die(NM_EXIT_FAIL, "/dev/null: %s", strerror(errno));
		mon_move_fd(err[1], STDERR_FILENO);
		mon_move_fd(null, STDIN_FILENO);
		mon_move_fd(null, STDOUT_FILENO);
		if (st->fd3 != -1)
			mon_move_fd(st->fd3, 3);
		/* exec's prototypes predate const; they do not write argv */
		mon_exec_program(
		    st->path, (char *const *)(uintptr_t)st->argv, u);
	}
	close(err[1]);
	for (;;) {
		n = len < ERR_MAX ? read(err[0], buf + len, ERR_MAX - len)
				  : read(err[0], skip, sizeof(skip));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (len < ERR_MAX)
			len += (size_t)n;
	}
	close(err[0]);
	st->argv[--st->argc] = NULL;
	for (p = buf; p < buf + len; p = q) {
		q = memchr(p, '\n', (size_t)(buf + len - p));
		q = q != NULL ? q + 1 : buf + len;
		mon_relay_line(p, (size_t)(q - p));
	}
	free(buf);
	mon_child_status(pid, st->name);
}

void
mon_detect_prepare(struct mon_pipeline *pl, const struct mon_user *u)
{
	if (pl->detect == NULL)
		return;
	if (u->change)
		mon_conf_load(pl, u);
	mon_conf_check(pl, u);
}

void
mon_detect_free(const struct mon_opts *o)
{
	int i;

	/* each option and its value share the option's buffer */
	for (i = 0; i < o->ndetect_arg; i += 2)
		free((char *)(uintptr_t)o->detect_arg[i]);
	free(o->detect_arg);
	for (i = 0; i < nparts; i++)
		free(parts[i].path);
	nparts = 0;
	if (conf_fd != -1)
		close(conf_fd);
	conf_fd = -1;
}
