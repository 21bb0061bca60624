/*
 * The helpers every program uses to report and to fail: messages carry the
 * program name, and the e-prefixed allocators and parsers exit instead of
 * returning an error, so a program's own code stays free of checks that
 * could only ever end it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "nm.h"

const char *nm_prog = "nm";

/*
 * Descriptors 0-2 must be open before anything else is: a program started
 * with one closed would otherwise get it back from its first open() or
 * pipe() and take, say, its own signal pipe for its input.  A closed one
 * is opened on /dev/null (input then ends at once; output goes nowhere).
 */
static void
std_fds_open(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) == -1 && errno == EBADF &&
		    open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			_exit(NM_EXIT_FAIL); /* no stderr to say so on */
}

void
nm_init(const char *argv0)
{
	const char *slash;

	std_fds_open();
	if (argv0 == NULL)
		return;
	slash = strrchr(argv0, '/');
	nm_prog = slash ? slash + 1 : argv0;
}

static void vmsg(const char *, va_list) __attribute__((format(printf, 1, 0)));

static void
vmsg(const char *fmt, va_list ap)
{
	char buf[1024];
	int n;

	/* One write, so lines from several stages do not interleave. */
	n = snprintf(buf, sizeof(buf), "%s: ", nm_prog);
	if (n < 0)
		return;
	vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	strcat(buf, "\n");
	fflush(stdout);
	(void)!write(STDERR_FILENO, buf, strlen(buf));
}

void
nm_usage(const char *text, int status)
{
	if (status != NM_EXIT_OK) {
		fputs(text, stderr);
		exit(status);
	}
	fputs(text, stdout);
	nm_exit_stdout();
}

void
nm_version(const char *name)
{
	printf("%s %s\n", name, NM_VERSION);
	nm_exit_stdout();
}

void
nm_exit_stdout(void)
{
	if (fflush(stdout) != 0 || ferror(stdout))
		nm_write_failed();
	if (fclose(stdout) != 0)
		nm_write_failed();
	exit(NM_EXIT_OK);
}

void
nm_bad_usage(const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	nm_die(NM_EXIT_USAGE, "%s (see %s -h)", why, nm_prog);
}

void
nm_die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	exit(status);
}

void
nm_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

int
nm_early(const char *why)
{
	if (why != NULL && *why != '\0')
		nm_warn("stdin: input ended early: %s", why);
	return NM_EXIT_EARLYEOF;
}

void *
emalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		nm_die(NM_EXIT_FAIL, "out of memory (%zu bytes)", n);
	return p;
}

void *
ecalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		nm_die(
		    NM_EXIT_FAIL, "out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *
erealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		nm_die(NM_EXIT_FAIL, "out of memory (%zu bytes)", n);
	return q;
}

char *
estrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(emalloc(n), s, n);
}

long long
estrtonum(const char *s, long long min, long long max, const char *what)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno == ERANGE)
		nm_die(NM_EXIT_USAGE, "%s: '%s' is not a number", what, s);
	if (v < min || v > max)
		nm_die(NM_EXIT_USAGE, "%s: %s is out of range %lld..%lld", what,
		    s, min, max);
	return v;
}

void
nm_write_failed(void)
{
	if (errno == EPIPE)
		_exit(NM_EXIT_OK); /* stdio has nothing worth flushing */
	nm_die(NM_EXIT_FAIL, "stdout: %s", strerror(errno));
}

char *
nm_join(int argc, char **argv)
{
	size_t n = 1;
	char *s;
	int i;

	for (i = 0; i < argc; i++)
		n += strlen(argv[i]) + 1;
	s = emalloc(n);
	s[0] = '\0';
	for (i = 0; i < argc; i++) {
		if (i > 0)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

uint64_t
nm_realtime_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return t.tv_sec < 0
	    ? 0
	    : (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

int
nm_stdin_is_pipe(void)
{
	struct stat st;

	return fstat(STDIN_FILENO, &st) == 0 &&
	    (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
}

char *
nm_slurp(const char *path, size_t max, size_t *lenp)
{
	char *buf = NULL;
	size_t len = 0, cap = 0, want;
	ssize_t n;
	int fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	if (max > SIZE_MAX / 2)
		max = SIZE_MAX / 2;
	/* Room for one byte past max tells a file of max bytes from more. */
	for (;;) {
		if (cap - len < 4096 && cap < max + 2) {
			want = cap ? cap * 2 : 8192;
			cap = want < max + 2 ? want : max + 2;
			buf = erealloc(buf, cap);
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n == 0)
			break;
		if (n == -1 && errno == EINTR)
			continue;
		if (n > 0 && (len += (size_t)n) <= max)
			continue;
		saved = n == -1 ? errno : EFBIG;
		free(buf);
		close(fd);
		errno = saved;
		return NULL;
	}
	close(fd);
	buf[len] = '\0';
	if (lenp)
		*lenp = len;
	return buf;
}
