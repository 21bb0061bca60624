/*
 * What every nm program shares: exit statuses, the program name used in
 * messages, and small helpers that exit on failure (the e-prefixed ones).
 *
 * The failure policy of share/, which every file there follows:
 * - a function that ends the program on failure says so in its name:
 *   e-prefixed (emalloc, estrtonum, esandbox, ebecome, ...), or nm_die,
 *   nm_usage, nm_write_failed, whose job it is; running out of memory
 *   always ends the program this way (the packer and the string buffer
 *   grow through erealloc, so they never fail: they end it);
 * - code that reads hostile bytes (the cursor, the msgpack and JSON
 *   readers) returns -1 with errno EBADMSG and a message naming the byte;
 * - anything else returns -1 with errno, and prints nothing;
 * - the stage driver (stage.h) is a program's main loop: it alone turns
 *   how the input ended into the exit status, and ends the program.
 */
#ifndef NM_H
#define NM_H

#include <stddef.h>
#include <stdint.h>

#define NM_VERSION "0.1.0"

/* Exit statuses, the same in every program and in every man page. */
enum nm_exit {
	NM_EXIT_OK = 0,		/* done, or the reader went away */
	NM_EXIT_FAIL = 1,	/* runtime failure: I/O error, out of memory */
	NM_EXIT_USAGE = 2,	/* bad command line */
	NM_EXIT_BADSTREAM = 3,	/* malformed record stream on stdin */
	NM_EXIT_NOPERM = 4,	/* not allowed to capture */
	NM_EXIT_NOSOURCE = 5,	/* no such interface or file */
	NM_EXIT_BADFILTER = 6,	/* the BPF expression does not compile */
	NM_EXIT_BADCAPTURE = 7, /* a file that is not a (sound) capture */
	NM_EXIT_EARLYEOF = 8,	/* input ended without upstream's end record */
};

extern const char *nm_prog; /* set by nm_init(); used in messages */

void nm_init(const char *argv0);

/* err(3)-style messages prefixed with the program name. */
void nm_die(int status, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 2, 3)));
void nm_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * The usage text: on stdout with status 0 (-h), else on stderr; exits.
 * Status 0 only once the text is out (nm_exit_stdout).
 */
void nm_usage(const char *text, int status) __attribute__((noreturn));
/* "name version" on stdout (--version); exits as nm_exit_stdout. */
void nm_version(const char *name) __attribute__((noreturn));
/*
 * Ends a program whose whole output is on stdout (-h, --version, lists):
 * status 0 once stdout is flushed and closed, else nm_write_failed()
 * (quiet status 0 when the reader left, one line and status 1 otherwise).
 */
void nm_exit_stdout(void) __attribute__((noreturn));
/*
 * A command line that parses but makes no sense: one line saying why and
 * where to look ("why (see prog -h)"), exit NM_EXIT_USAGE.
 */
void nm_bad_usage(const char *fmt, ...)
    __attribute__((noreturn, format(printf, 1, 2)));

/*
 * A stage whose input ended early: says why in one line ("stdin: input
 * ended early: why"; nothing when why is empty, as the stage that saw it
 * first has said so) and returns NM_EXIT_EARLYEOF.
 */
int nm_early(const char *why);

void *emalloc(size_t n);
void *ecalloc(size_t n, size_t size);
void *erealloc(void *p, size_t n);
char *estrdup(const char *s);

/*
 * Parses a whole decimal number in [min, max] for option `what`; on any
 * failure exits with NM_EXIT_USAGE and a message naming the option.
 */
long long estrtonum(
    const char *s, long long min, long long max, const char *what);

/*
 * A write to stdout failed (errno set): a reader that went away ends the
 * program quietly with status 0 (DESIGN: `| head` is not an error);
 * anything else is one line and NM_EXIT_FAIL.
 */
void nm_write_failed(void) __attribute__((noreturn));

/*
 * The wall clock in nanoseconds since the epoch: the clock the kernel
 * stamps packets with, so a capture's own times compare with theirs.
 */
uint64_t nm_realtime_ns(void);

/* argv[0..argc) joined by single spaces (a filter given as arguments). */
char *nm_join(int argc, char **argv);

/* Whether stdin is a pipe or socket: upstream will end it, so drain it. */
int nm_stdin_is_pipe(void);

/*
 * Reads a whole file of at most max bytes into a NUL-terminated buffer;
 * NULL and errno on error, EFBIG when the file holds more than max (then
 * no more than max + 1 bytes were read or held).
 */
char *nm_slurp(const char *path, size_t max, size_t *lenp);

#endif
