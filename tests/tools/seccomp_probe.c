/*
 * seccomp_probe: installs nm's filter exactly as the programs do, then
 * makes one call, so tests/sandbox.t can show that a forbidden call kills
 * the process (SIGSYS) while an allowed one goes through.  Nothing here
 * is linked into the programs themselves.
 *
 *	seccomp_probe stage|capture|top|web|push|pull|push-kafka|pull-kafka CALL
 *
 * (web: nm-web's two filters, the second after the first, as it loads
 * them around starting its thread.)
 * CALL is one of: none (exit 0 under the filter), open, open-write
 * (/dev/null, for writing), socket (a TCP one: push and pull may),
 * socket-udp, execve, pipe, mmap-exec,
 * mprotect-exec, kill-parent, abort, thread (a new thread); and, meant
 * for a sanitizer build, whose reports must survive the filter: overflow
 * (reads past a heap block) and leak (exits holding unfreed memory).  It
 * prints "filtered" on stderr once the filter is in force; it exits 0 if
 * the call came back (it should not have), 1 if the filter could not be
 * installed, 2 on bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sandbox.h"

static const char *const probe_calls[] = { "none", "open", "open-write",
	"socket", "socket-udp", "execve", "pipe", "mmap-exec", "mprotect-exec",
	"kill-parent", "abort", "overflow", "leak", "thread", NULL };

static void *
probe_thread(void *arg)
{
	return arg;
}

static void
probe_call(const char *call, pid_t parent)
{
	static char page[2 * 4096], prog[] = "/bin/true";
	static void *volatile keep;
	char *argv[] = { prog, NULL };
	volatile size_t past = 16;
	int fds[2];
	void *p;

	if (strcmp(call, "open") == 0)
		(void)open("/etc/passwd", O_RDONLY);
	else if (strcmp(call, "open-write") == 0)
		(void)open("/dev/null", O_WRONLY);
	else if (strcmp(call, "socket") == 0)
		(void)socket(AF_INET, SOCK_STREAM, 0);
	else if (strcmp(call, "socket-udp") == 0)
		(void)socket(AF_INET, SOCK_DGRAM, 0);
	else if (strcmp(call, "execve") == 0)
		(void)execve(argv[0], argv, NULL);
	else if (strcmp(call, "pipe") == 0)
		(void)!pipe(fds); /* it must be killed first */
	else if (strcmp(call, "mmap-exec") == 0) {
		p = mmap(NULL, 4096, PROT_READ | PROT_EXEC,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		(void)p;
	} else if (strcmp(call, "mprotect-exec") == 0) {
		p = (void *)(((unsigned long)page + 4095) & ~4095UL);
		(void)mprotect(p, 4096, PROT_READ | PROT_EXEC);
	} else if (strcmp(call, "kill-parent") == 0)
		(void)kill(parent, 0);
	else if (strcmp(call, "thread") == 0) {
		pthread_t t;

		if (pthread_create(&t, NULL, probe_thread, NULL) == 0)
			pthread_join(t, NULL);
	} else if (strcmp(call, "abort") == 0)
		abort();
	else if (strcmp(call, "overflow") == 0) {
		keep = malloc(16);
		printf("%d\n", ((volatile char *)keep)[past]);
	} else if (strcmp(call, "leak") == 0) {
		keep = malloc(64);
		keep = NULL;
	}
}

int
main(int argc, char **argv)
{
	enum nm_sandbox_kind kind;
	pid_t parent = getppid();
	size_t i;

	if (argc != 3)
		goto usage;
	if (strcmp(argv[1], "stage") == 0)
		kind = NM_SANDBOX_STAGE;
	else if (strcmp(argv[1], "capture") == 0)
		kind = NM_SANDBOX_CAPTURE;
	else if (strcmp(argv[1], "top") == 0)
		kind = NM_SANDBOX_TOP; /* nm-render -m top's */
	else if (strcmp(argv[1], "push") == 0)
		kind = NM_SANDBOX_PUSH; /* nm-push's, on Redis */
	else if (strcmp(argv[1], "pull") == 0)
		kind = NM_SANDBOX_PULL; /* nm-pull's, on Redis */
	else if (strcmp(argv[1], "push-kafka") == 0)
		kind = NM_SANDBOX_PUSH_KAFKA; /* librdkafka's threads too */
	else if (strcmp(argv[1], "pull-kafka") == 0)
		kind = NM_SANDBOX_PULL_KAFKA;
	else if (strcmp(argv[1], "web") == 0) {
		if (nm_sandbox(NM_SANDBOX_WEB_START) < 0) {
			fprintf(stderr, "seccomp_probe: seccomp: %s\n",
			    strerror(errno));
			return 1;
		}
		kind = NM_SANDBOX_WEB;
	} else
		goto usage;
	for (i = 0; probe_calls[i] != NULL; i++)
		if (strcmp(argv[2], probe_calls[i]) == 0)
			break;
	if (probe_calls[i] == NULL)
		goto usage;
	switch (nm_sandbox(kind)) {
	case -1:
		fprintf(
		    stderr, "seccomp_probe: seccomp: %s\n", strerror(errno));
		return 1;
	case 1:
		fputs("seccomp_probe: NM_NO_SECCOMP: no filter\n", stderr);
		break;
	default: fputs("filtered\n", stderr); break;
	}
	probe_call(argv[2], parent);
	return 0;
usage:
	fputs("usage: seccomp_probe stage|capture|top|web CALL\n", stderr);
	return 2;
}
