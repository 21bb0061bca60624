/*
 * The seccomp filter each program installs once its input and output are
 * open and everything it reads from disk is loaded: from then on the
 * process may only use what it already holds (read, write, wait, memory,
 * signals, time, exit), so a bug in code that parses hostile bytes cannot
 * open a file, a socket or run a program.  A forbidden call kills the
 * process with SIGSYS.  NM_NO_SECCOMP=1 in the environment skips the
 * filter, for debuggers and valgrind.
 */
#ifndef SANDBOX_H
#define SANDBOX_H

enum nm_sandbox_kind {
	NM_SANDBOX_STAGE,	/* nm-decode, nm-stats, nm-render */
	NM_SANDBOX_CAPTURE,	/* nm-capture after its privilege drop */
	NM_SANDBOX_PCAP,	/* nm-pcap: a stage that writes a file too */
	NM_SANDBOX_PCAP_ROTATE, /* nm-pcap -C, -G: files from a helper */
	NM_SANDBOX_TOP,		/* nm-render -m top: a terminal too */
	NM_SANDBOX_WEB_START,	/* nm-web, while it starts its HTTP thread */
	NM_SANDBOX_WEB,		/* nm-web serving: both threads, no more */
	NM_SANDBOX_PUSH,	/* nm-push to Redis: reconnects too */
	NM_SANDBOX_PULL,	/* nm-pull from Redis: reconnects too */
	NM_SANDBOX_PUSH_KAFKA,	/* nm-push to Kafka: librdkafka's threads */
	NM_SANDBOX_PULL_KAFKA,	/* nm-pull from Kafka: the same */
};

/*
 * Installs the filter for kind.  Returns 0 when it is in force, 1 when
 * NM_NO_SECCOMP asked for none, -1 with errno when it could not be made.
 * Call it once, single-threaded, after the last file is opened (nm-web:
 * NM_SANDBOX_WEB_START, then its thread, then NM_SANDBOX_WEB, which goes
 * on every thread and takes thread-making away again).
 */
int nm_sandbox(enum nm_sandbox_kind kind);
/*
 * nm-capture: fd is a netlink socket it asks interface counters on; the
 * filter lets send and receive reach it, and no other descriptor.
 */
void nm_sandbox_netlink(int fd);
/* nm_sandbox(), or one line naming NM_NO_SECCOMP and NM_EXIT_FAIL. */
void esandbox(enum nm_sandbox_kind kind);

#endif
