/*
 * The seccomp filters (libseccomp): an allow list per kind of program,
 * anything else kills the process.  No call that makes a file descriptor
 * is on any list (no open, socket, pipe, dup, accept), so read and write
 * may take any descriptor: the only ones left are those the program held
 * when it installed the filter.  Memory may never be mapped or made
 * executable, and signals may only go to ourselves (abort, raise).  Each
 * entry says which code needs it; the lists were found by tracing every
 * program over the whole test suite (strace -f) and are checked by
 * tests/sandbox.t.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
#include <sched.h>
#include <sys/prctl.h>
#include <termios.h>
#include <sys/socket.h>
#include <linux/if_packet.h>
#include <unistd.h>
#include <seccomp.h>

#include "nm.h"
#include "sandbox.h"

/* gcc says __SANITIZE_ADDRESS__; clang answers __has_feature. */
#if defined(__SANITIZE_ADDRESS__)
#define SB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SB_ASAN 1
#endif
#endif

/* Open flags that could write or create: never allowed. */
#define SB_OPEN_BAD                                                            \
	(O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND | (O_TMPFILE & ~O_DIRECTORY))

/* Every program once set up: its I/O loop, malloc, signals, exit. */
static const int sb_stage[] = {
	SCMP_SYS(read), SCMP_SYS(write),     /* the stream, messages */
	SCMP_SYS(close),		     /* fclose(stdout) at exit */
	SCMP_SYS(poll), SCMP_SYS(ppoll),     /* idle waits (ppoll: arm64) */
	SCMP_SYS(brk), SCMP_SYS(munmap),     /* malloc and free */
	SCMP_SYS(mremap), SCMP_SYS(madvise), /* realloc, free of big blocks */
	SCMP_SYS(rt_sigreturn),		     /* return from our handlers */
	SCMP_SYS(rt_sigprocmask),	     /* abort(), blocking SIGINT */
	SCMP_SYS(restart_syscall),	     /* poll resumed after a signal */
	SCMP_SYS(clock_gettime),	     /* when the vDSO falls back */
	SCMP_SYS(gettimeofday), SCMP_SYS(exit_group), SCMP_SYS(getpid),
	SCMP_SYS(gettid),  /* abort() and raise() */
	SCMP_SYS(sysinfo), /* qsort() sizes its buffer */
};

/* nm-capture after the drop: libpcap's ring and its statistics too. */
static const int sb_capture[] = {
	SCMP_SYS(rt_sigaction),	   /* cap_run sets its handlers */
	SCMP_SYS(rt_sigpending),   /* signals under load */
	SCMP_SYS(getsockopt),	   /* pcap_stats, SO_ERROR */
	SCMP_SYS(getsockname),	   /* is the interface still there? */
	SCMP_SYS(clock_nanosleep), /* --realtime pacing */
	SCMP_SYS(lseek),	   /* fclose() of the capture file */
};

/*
 * nm-pcap writes its capture file (opened before the filter) with write;
 * on a full disk it cuts the file back to its last whole block.
 */
static const int sb_pcapfile[] = {
	SCMP_SYS(ftruncate),
};

/*
 * nm-pcap rotating: each next file comes as a descriptor over a socket
 * from the helper it forked before the filter, which it waits for at
 * the end.
 */
static const int sb_pcaprot[] = {
	SCMP_SYS(sendto),
	SCMP_SYS(recvmsg),
	SCMP_SYS(wait4),
};

/*
 * nm-web: accepting and serving browsers on the socket bound before the
 * filter (libmicrohttpd's one thread; the two share a mutex), and
 * waiting for a signal while the page lingers.
 */
static const int sb_web[] = {
	SCMP_SYS(accept4),
	SCMP_SYS(accept),
	SCMP_SYS(recvfrom),
	SCMP_SYS(sendto),
	SCMP_SYS(sendmsg),
	SCMP_SYS(writev),
	SCMP_SYS(shutdown),
	SCMP_SYS(setsockopt),
	SCMP_SYS(getsockopt),
	SCMP_SYS(getsockname),
	SCMP_SYS(getpeername),
	SCMP_SYS(fcntl),
	SCMP_SYS(futex),
	SCMP_SYS(rt_sigtimedwait),
	SCMP_SYS(eventfd2),
	SCMP_SYS(exit),
	/* the thread's start, which may come after the second filter */
	SCMP_SYS(set_robust_list),
	SCMP_SYS(rseq),
	SCMP_SYS(sigaltstack),
	SCMP_SYS(sched_getaffinity),
};

/*
 * ... and, under the first of its two filters, making that thread:
 * clone for threads only (CLONE_THREAD set), glibc's handler for its
 * threads' signals, and the second filter's own load.
 */
static const int sb_webstart[] = {
	SCMP_SYS(rt_sigaction),
	SCMP_SYS(seccomp),
	SCMP_SYS(prctl),
};

/*
 * nm-push and nm-pull on Redis: a lost connection is made again, so a
 * stream socket (Unix, IPv4, IPv6: nothing else) may be made and
 * connected, non-blocking, with hiredis's options on it (TCP_NODELAY,
 * time-outs).  The address was resolved before the filter.
 */
static int sb_allow(scmp_filter_ctx ctx, const int *nr, size_t n);

static const int sb_bus[] = {
	SCMP_SYS(connect),
	SCMP_SYS(setsockopt),
	SCMP_SYS(getsockopt),
	SCMP_SYS(fcntl),
};

static int
sb_bus_socket(scmp_filter_ctx ctx)
{
	static const int dom[] = { AF_UNIX, AF_INET, AF_INET6 };
	size_t i;
	int rc;

	for (i = 0; i < sizeof(dom) / sizeof(dom[0]); i++)
		if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW,
			 SCMP_SYS(socket), 2,
			 SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)dom[i]),
			 SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, SOCK_STREAM))) < 0)
			return rc;
	return sb_allow(ctx, sb_bus, sizeof(sb_bus) / sizeof(sb_bus[0]));
}

/*
 * nm-push and nm-pull on Kafka: librdkafka runs threads of its own (one
 * per broker, made as brokers are learnt, so threads may be made under
 * the filter, which goes on every thread), which connect and talk to
 * the brokers, resolve their names (read-only files, a datagram socket
 * to the resolver, a netlink one for our own addresses), wake each other
 * over pipes and sleep between retries.  Still no file may be written or
 * made, no program run, no memory made executable.
 */
static const int sb_kafka[] = {
	SCMP_SYS(sendmsg),
	SCMP_SYS(recvmsg),
	SCMP_SYS(sendto),
	SCMP_SYS(recvfrom),
	SCMP_SYS(getsockname),
	SCMP_SYS(getpeername),
	SCMP_SYS(bind),
	SCMP_SYS(pipe2),
	SCMP_SYS(futex),
	SCMP_SYS(exit),
	SCMP_SYS(set_robust_list),
	SCMP_SYS(rseq),
	SCMP_SYS(sigaltstack),
	SCMP_SYS(sched_getaffinity),
	SCMP_SYS(sched_yield),
	SCMP_SYS(nanosleep),
	SCMP_SYS(clock_nanosleep),
	SCMP_SYS(getrandom),
	SCMP_SYS(rt_sigaction),
	SCMP_SYS(lseek),
	SCMP_SYS(newfstatat),
	SCMP_SYS(fstat),
	SCMP_SYS(uname),
	SCMP_SYS(getuid),
	SCMP_SYS(geteuid),
};

static int sb_arena(scmp_filter_ctx ctx);
static int sb_thread(scmp_filter_ctx ctx);
static int sb_open_read(scmp_filter_ctx ctx);

static int
sb_bus_kafka(scmp_filter_ctx ctx)
{
	static const int dgram[] = { AF_INET, AF_INET6 };
	size_t i;
	int rc;

	for (i = 0; i < sizeof(dgram) / sizeof(dgram[0]); i++)
		if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW,
			 SCMP_SYS(socket), 2,
			 SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)dgram[i]),
			 SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, SOCK_DGRAM))) < 0)
			return rc;
	if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 3,
		 SCMP_A0(SCMP_CMP_EQ, AF_NETLINK),
		 SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, SOCK_RAW),
		 SCMP_A2(SCMP_CMP_EQ, 0 /* NETLINK_ROUTE */))) < 0)
		return rc;
	if ((rc = sb_allow(
		 ctx, sb_kafka, sizeof(sb_kafka) / sizeof(sb_kafka[0]))) < 0 ||
	    (rc = sb_arena(ctx)) < 0 || (rc = sb_thread(ctx)) < 0 ||
	    (rc = sb_open_read(ctx)) < 0)
		return rc;
	return seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
}

/*
 * A second thread's malloc arena is made read-write bit by bit; the
 * thread names itself.
 */
static int
sb_arena(scmp_filter_ctx ctx)
{
	int rc;

	if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
		 SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0))) < 0)
		return rc;
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 1,
	    SCMP_A0(SCMP_CMP_EQ, PR_SET_NAME));
}

static int
sb_thread(scmp_filter_ctx ctx)
{
	int rc;

	if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
		 SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD))) < 0)
		return rc;
	/* clone3's flags are behind a pointer: ENOSYS, glibc falls back */
	return seccomp_rule_add(
	    ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
}

#ifdef SB_ASAN
/*
 * AddressSanitizer's runtime after the filter: LeakSanitizer at exit
 * stops the world from a cloned task that ptraces us and lists
 * /proc/self/task, and a report reads our own binary to print symbols
 * (opened read-only, as nm-capture's files are).
 * A sanitizer build is a test build, never installed: these calls keep
 * its reports alive, and the normal build's tests keep the lists above
 * honest.
 */
static const int sb_asan[] = {
	SCMP_SYS(readlink),
	SCMP_SYS(getdents),
	SCMP_SYS(getdents64),
	SCMP_SYS(lseek),
	SCMP_SYS(fstat),
	SCMP_SYS(newfstatat),
	SCMP_SYS(pread64),
	SCMP_SYS(fcntl),
	SCMP_SYS(ioctl),
	SCMP_SYS(dup),
	SCMP_SYS(clone),
	SCMP_SYS(ptrace),
	SCMP_SYS(wait4),
	SCMP_SYS(exit),
	SCMP_SYS(prctl),
	SCMP_SYS(sched_yield),
	SCMP_SYS(sigaltstack),
	SCMP_SYS(rt_sigaction),
	SCMP_SYS(futex),
	SCMP_SYS(getppid),
};
#endif

static int
sb_allow(scmp_filter_ctx ctx, const int *nr, size_t n)
{
	size_t i;
	int rc;

	/* Non-strict add: a call this architecture lacks is skipped. */
	for (i = 0; i < n; i++)
		if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr[i], 0)) < 0)
			return rc;
	return 0;
}

/*
 * Big malloc blocks, never executable: new code cannot be brought in.
 * (AddressSanitizer also changes protections, for guard pages.)
 */
static int
sb_memory(scmp_filter_ctx ctx)
{
	int rc;

	if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
		 SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0))) < 0)
		return rc;
#ifdef SB_ASAN
	rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
	    SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
#endif
	return rc;
}

/*
 * libpcap reads the interface's drop counter from /sys at each
 * pcap_stats(); the filter cannot see the path, so nm-capture may open
 * files for reading only, as the unprivileged user it has become, with
 * nowhere to send them but its own output.
 */
static int
sb_open_read(scmp_filter_ctx ctx)
{
	int rc;

	if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
		 SCMP_A2(SCMP_CMP_MASKED_EQ, SB_OPEN_BAD, 0))) < 0)
		return rc;
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(open), 1,
	    SCMP_A1(SCMP_CMP_MASKED_EQ, SB_OPEN_BAD, 0));
}

/*
 * Two calls libpcap makes with one argument only: pcap_close() tears the
 * capture ring down, and when the socket reports ENETDOWN it asks whether
 * the interface is down (rather than gone) to say which.
 */
static int
sb_pcap_misc(scmp_filter_ctx ctx)
{
	int rc;

	if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(setsockopt), 2,
		 SCMP_A1(SCMP_CMP_EQ, SOL_PACKET, 0),
		 SCMP_A2(SCMP_CMP_EQ, PACKET_RX_RING, 0))) < 0)
		return rc;
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
	    SCMP_A1(SCMP_CMP_EQ, SIOCGIFFLAGS, 0));
}

/*
 * nm-capture's netlink sockets, made inside the namespaces of its
 * sources (capture/netns.c): the only descriptors it may send to and
 * receive from, so a packet socket it holds cannot be made to inject.
 */
#define SB_NETLINK_MAX 64
static int sb_netlink[SB_NETLINK_MAX];
static int sb_nnetlink;

void
nm_sandbox_netlink(int fd)
{
	if (fd >= 0 && sb_nnetlink < SB_NETLINK_MAX)
		sb_netlink[sb_nnetlink++] = fd;
}

/*
 * --concat: the files after the first were opened before the filter,
 * and stdio asks each for its block size (fstat) at its first read: of
 * an open descriptor only, never of a path.
 */
static int
sb_fstat(scmp_filter_ctx ctx)
{
	int rc;

	if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(fstat), 0)) <
	    0)
		return rc;
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(newfstatat), 1,
	    SCMP_A3(SCMP_CMP_MASKED_EQ, AT_EMPTY_PATH, AT_EMPTY_PATH));
}

static int
sb_netlink_io(scmp_filter_ctx ctx)
{
	int i, rc;

	for (i = 0; i < sb_nnetlink; i++)
		if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW,
			 SCMP_SYS(sendto), 1,
			 SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)sb_netlink[i]))) <
			0 ||
		    (rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW,
			 SCMP_SYS(recvfrom), 1,
			 SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)sb_netlink[i]))) <
			0)
			return rc;
	return 0;
}

/*
 * nm-render -m top: ncurses asks the terminal's size after a resize and
 * sets and restores its modes (termios ioctls, nothing else); q ends
 * the pipeline as Ctrl-C does, with SIGINT to our own process group
 * (pid 0) and no other signal or target.
 */
static int
sb_top(scmp_filter_ctx ctx)
{
	static const unsigned long req[] = { TCGETS, TCSETS, TCSETSW, TCSETSF,
		TIOCGWINSZ };
	size_t i;
	int rc;

	for (i = 0; i < sizeof(req) / sizeof(req[0]); i++)
		if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl),
			 1, SCMP_A1(SCMP_CMP_EQ, req[i]))) < 0)
			return rc;
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(kill), 2,
	    SCMP_A0(SCMP_CMP_EQ, 0), SCMP_A1(SCMP_CMP_EQ, SIGINT));
}

/* abort() and raise() signal themselves; no other process is reachable. */
static int
sb_self_signal(scmp_filter_ctx ctx)
{
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
	    SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid(), 0));
}

static int
sb_build(scmp_filter_ctx ctx, enum nm_sandbox_kind kind)
{
	int rc;

	/* A call through another ABI (i386, x32) dies like any other. */
	if ((rc = seccomp_attr_set(
		 ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS)) < 0)
		return rc;
	if ((rc = sb_allow(
		 ctx, sb_stage, sizeof(sb_stage) / sizeof(sb_stage[0]))) < 0 ||
	    (rc = sb_memory(ctx)) < 0 || (rc = sb_self_signal(ctx)) < 0)
		return rc;
	if (kind == NM_SANDBOX_CAPTURE &&
	    ((rc = sb_allow(ctx, sb_capture,
		  sizeof(sb_capture) / sizeof(sb_capture[0]))) < 0 ||
		(rc = sb_open_read(ctx)) < 0 || (rc = sb_pcap_misc(ctx)) < 0 ||
		(rc = sb_netlink_io(ctx)) < 0 || (rc = sb_fstat(ctx)) < 0))
		return rc;
	if (kind == NM_SANDBOX_PCAP_ROTATE &&
	    (rc = sb_allow(ctx, sb_pcaprot,
		 sizeof(sb_pcaprot) / sizeof(sb_pcaprot[0]))) < 0)
		return rc;
	if (kind == NM_SANDBOX_TOP && (rc = sb_top(ctx)) < 0)
		return rc;
	if ((kind == NM_SANDBOX_PCAP || kind == NM_SANDBOX_PCAP_ROTATE) &&
	    (rc = sb_allow(ctx, sb_pcapfile,
		 sizeof(sb_pcapfile) / sizeof(sb_pcapfile[0]))) < 0)
		return rc;
	if ((kind == NM_SANDBOX_WEB || kind == NM_SANDBOX_WEB_START) &&
	    ((rc = sb_allow(ctx, sb_web, sizeof(sb_web) / sizeof(sb_web[0]))) <
		    0 ||
		(rc = sb_arena(ctx)) < 0 ||
		(kind == NM_SANDBOX_WEB &&
		    (rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1)) <
			0)))
		return rc;
	if (kind == NM_SANDBOX_WEB_START &&
	    ((rc = sb_allow(ctx, sb_webstart,
		  sizeof(sb_webstart) / sizeof(sb_webstart[0]))) < 0 ||
		(rc = sb_thread(ctx)) < 0))
		return rc;
	if ((kind == NM_SANDBOX_PUSH || kind == NM_SANDBOX_PULL ||
		kind == NM_SANDBOX_PUSH_KAFKA ||
		kind == NM_SANDBOX_PULL_KAFKA) &&
	    (rc = sb_bus_socket(ctx)) < 0)
		return rc;
	if ((kind == NM_SANDBOX_PUSH_KAFKA || kind == NM_SANDBOX_PULL_KAFKA) &&
	    (rc = sb_bus_kafka(ctx)) < 0)
		return rc;
#ifdef SB_ASAN
	if ((rc = sb_allow(
		 ctx, sb_asan, sizeof(sb_asan) / sizeof(sb_asan[0]))) < 0 ||
	    (kind != NM_SANDBOX_CAPTURE && kind != NM_SANDBOX_PUSH_KAFKA &&
		kind != NM_SANDBOX_PULL_KAFKA && (rc = sb_open_read(ctx)) < 0))
		return rc;
#endif
	return seccomp_load(ctx);
}

int
nm_sandbox(enum nm_sandbox_kind kind)
{
	const char *off = getenv("NM_NO_SECCOMP");
	scmp_filter_ctx ctx;
	int rc;

	if (off != NULL && *off != '\0' && strcmp(off, "0") != 0)
		return 1;
	/* Kill the process, not the thread: nothing half-alive remains. */
	if ((ctx = seccomp_init(SCMP_ACT_KILL_PROCESS)) == NULL) {
		errno = EINVAL;
		return -1;
	}
	rc = sb_build(ctx, kind);
	seccomp_release(ctx);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return 0;
}

void
esandbox(enum nm_sandbox_kind kind)
{
	if (nm_sandbox(kind) < 0)
		nm_die(NM_EXIT_FAIL,
		    "seccomp: %s (NM_NO_SECCOMP=1 runs "
		    "without the filter)",
		    strerror(errno));
}
