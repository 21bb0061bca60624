/*
 * Rotation (-C, -P, -G, -W, -z): the files after the first are opened, and
 * the -z command run on each closed file, by a helper process forked
 * before the seccomp filter goes on.  The stage asks it over a socket
 * pair for "the next file, for the period starting at this second"; the
 * helper makes the name from -w's pattern (strftime for -G, a count or
 * a ring index), opens it, and sends the descriptor back.  The stage
 * itself never opens a file or runs a program, and a stage gone wrong
 * can only make files by the user's own pattern.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nm.h"
#include "pcap.h"

/* The name of a file, from the pattern, the period and the count. */
static void
rot_name(const struct rot_opts *r, uint64_t period, uint64_t nth,
    uint64_t count, char *name, size_t n)
{
	char base[ROT_NAME_MAX - 32];
	unsigned width = 1;
	struct tm tm;
	time_t t = (time_t)period;
	int k;

	/* -G: -w is a strftime(3) pattern, the user's own, as tcpdump's */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	if (!r->secs || localtime_r(&t, &tm) == NULL ||
	    strftime(base, sizeof(base), r->base, &tm) == 0)
		k = snprintf(base, sizeof(base), "%s", r->base);
#pragma GCC diagnostic pop
	if (r->ring > 1 && !r->secs) {
		/* tcpdump's ring: FILE0 .. FILE<n-1>, the index padded */
		for (count = r->ring - 1; count >= 10; count /= 10)
			width++;
		k = snprintf(name, n, "%s%0*llu", base, (int)width,
		    (unsigned long long)(nth % r->ring));
	} else if (count > 0 && (r->ring != 1 || r->secs))
		k = snprintf(
		    name, n, "%s%llu", base, (unsigned long long)count);
	else /* the first of a period, or -W 1: FILE alone, written over */
		k = snprintf(name, n, "%s", base);
	(void)k; /* parse_opts keeps -w short enough for every suffix */
}

/* cmd FILE, as tcpdump's -z runs it: no shell; reaped later. */
static void
rot_run(const char *cmd, const char *file)
{
	pid_t pid = fork();

	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		execlp(cmd, cmd, file, (char *)NULL);
		fprintf(
		    stderr, "%s: -z %s: %s\n", nm_prog, cmd, strerror(errno));
		_exit(127);
	}
	if (pid < 0)
		nm_warn("-z %s: %s", cmd, strerror(errno));
}

static void
rot_reply(int sock, int fd, int err, const char *name)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov[2];
	struct msghdr mh;
	struct cmsghdr *cm;

	memset(&mh, 0, sizeof(mh));
	iov[0].iov_base = &err;
	iov[0].iov_len = sizeof(err);
	iov[1].iov_base = (void *)(uintptr_t)name;
	iov[1].iov_len = strlen(name) + 1;
	mh.msg_iov = iov;
	mh.msg_iovlen = 2;
	if (fd >= 0) {
		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	(void)sendmsg(sock, &mh, 0);
}

/* The helper's loop: one file per request, until the stage hangs up. */
static void __attribute__((noreturn))
rot_helper(int sock, const struct rot_opts *r)
{
	char name[ROT_NAME_MAX], prev[ROT_NAME_MAX] = "";
	char(*kept)[ROT_NAME_MAX] = NULL;
	uint64_t period, last = UINT64_MAX, nth = 0, count = 0;
	int fd;

	/* a Ctrl-C reaches the stage, which closes the last file first */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	if (r->ring && r->secs)
		kept = ecalloc(r->ring, sizeof(*kept));
	while (recv(sock, &period, sizeof(period), 0) == sizeof(period)) {
		while (waitpid(-1, NULL, WNOHANG) > 0)
			continue;
		if (*prev != '\0' && r->cmd != NULL)
			rot_run(r->cmd, prev);
		*prev = '\0';
		if (period == ROT_CLOSED)
			continue; /* the stage closed it: -z at once */
		count = period == last ? count + 1 : 0;
		last = period;
		rot_name(r, period, nth, count, name, sizeof(name));
		/* -G with -W: the ring keeps the last files, by name */
		if (kept != NULL) {
			if (kept[nth % r->ring][0] != '\0' &&
			    strcmp(kept[nth % r->ring], name) != 0)
				(void)unlink(kept[nth % r->ring]);
			snprintf(kept[nth % r->ring], ROT_NAME_MAX, "%s", name);
		}
		nth++;
		fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
		rot_reply(sock, fd, fd < 0 ? errno : 0, name);
		if (fd >= 0) {
			close(fd);
			snprintf(prev, sizeof(prev), "%s", name);
		} else
			*prev = '\0';
	}
	if (*prev != '\0' && r->cmd != NULL)
		rot_run(r->cmd, prev);
	while (wait(NULL) > 0)
		continue;
	_exit(0);
}

void
rot_start(struct rot *rt, const struct rot_opts *r)
{
	int sv[2], fd;

	tzset(); /* -G's names in local time, read before the filter */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		nm_die(NM_EXIT_FAIL, "socketpair: %s", strerror(errno));
	fflush(NULL);
	if ((rt->pid = fork()) < 0)
		nm_die(NM_EXIT_FAIL, "fork: %s", strerror(errno));
	if (rt->pid == 0) {
		close(sv[0]);
		/*
		 * The stream is the stage's: downstream must see its end,
		 * and no -z command may write into it.
		 */
		if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0 ||
		    dup2(fd, STDIN_FILENO) < 0 || dup2(fd, STDOUT_FILENO) < 0)
			nm_die(NM_EXIT_FAIL, "/dev/null: %s", strerror(errno));
		rot_helper(sv[1], r);
	}
	close(sv[1]);
	rt->sock = sv[0];
}

int
rot_next(struct rot *rt, uint64_t period, char *name, size_t n)
{
	char cbuf[CMSG_SPACE(sizeof(int))], buf[sizeof(int) + ROT_NAME_MAX];
	struct iovec iov;
	struct msghdr mh;
	struct cmsghdr *cm;
	ssize_t k;
	int err, fd = -1;

	if (send(rt->sock, &period, sizeof(period), 0) != sizeof(period))
		return -1;
	memset(&mh, 0, sizeof(mh));
	iov.iov_base = buf;
	iov.iov_len = sizeof(buf);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	if ((k = recvmsg(rt->sock, &mh, MSG_CMSG_CLOEXEC)) <
	    (ssize_t)sizeof(int) + 1) {
		errno = k < 0 ? errno : EPIPE;
		return -1;
	}
	buf[k - 1] = '\0';
	memcpy(&err, buf, sizeof(int));
	snprintf(name, n, "%s", buf + sizeof(int));
	for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
			memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	if (err != 0 || fd < 0) {
		if (fd >= 0)
			close(fd);
		errno = err ? err : EIO;
		return -1;
	}
	return fd;
}

void
rot_closed(struct rot *rt)
{
	uint64_t v = ROT_CLOSED;

	/* the helper may be gone (it says why): the stage goes on */
	(void)!send(rt->sock, &v, sizeof(v), 0);
}

void
rot_end(struct rot *rt)
{
	close(rt->sock);
	while (waitpid(rt->pid, NULL, 0) < 0 && errno == EINTR)
		continue;
}
