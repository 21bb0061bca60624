/*
 * seqsend: the ledger test's traffic.  As a sender it writes COUNT UDP
 * datagrams to ADDR:PORT, each carrying "NMSQ" and a big-endian 64-bit
 * sequence number (0, 1, 2...), at a steady rate set by a token bucket,
 * or as fast as the socket takes them; it counts a datagram as sent only
 * once the kernel has taken it (IP_RECVERR makes a full device queue an
 * error instead of a silent drop, and it is retried), so "sent" is exact.
 * As a sink (-l) it binds PORT and reads and discards until SIGINT or
 * SIGTERM, so the sender's packets have somewhere to go and no ICMP
 * "port unreachable" comes back.  Plain sockets, no libpcap.
 *
 *	seqsend -d ADDR -p PORT [-n COUNT] [-r PPS] [-s SIZE]
 *	seqsend -l -p PORT
 *
 * The sender prints one line, "sent=N secs=S pps=R"; the sink prints
 * "received=N" when it stops.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "nm.h"

#define SQ_MAGIC	"NMSQ"
#define SQ_HDR		12		/* magic and sequence number */
#define SQ_MAXSIZE	1400

static volatile sig_atomic_t sq_stop;

static void
sq_on_signal(int sig)
{
	(void)sig;
	sq_stop = 1;
}

static void
sq_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sq_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static uint64_t
sq_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void __attribute__((noreturn))
sq_usage(void)
{
	fputs("usage: seqsend -d addr -p port [-n count] [-r pps] [-s size]\n"
	    "       seqsend -l -p port\n", stderr);
	exit(NM_EXIT_USAGE);
}

/* The sink: read and discard until a signal. */
static int
sq_sink(int port)
{
	struct sockaddr_in sin;
	char buf[2048];
	uint64_t n = 0;
	int fd, rcvbuf = 4 << 20;

	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		nm_die(NM_EXIT_FAIL, "socket: %s", strerror(errno));
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		nm_die(NM_EXIT_FAIL, "bind: %s", strerror(errno));
	while (!sq_stop) {
		if (recv(fd, buf, sizeof(buf), 0) >= 0)
			n++;
		else if (errno != EINTR)
			nm_die(NM_EXIT_FAIL, "recv: %s", strerror(errno));
	}
	printf("received=%llu\n", (unsigned long long)n);
	return NM_EXIT_OK;
}

/*
 * One datagram, retried while the device queue is full (ENOBUFS) or the
 * socket buffer is (EAGAIN); 0 when the kernel took it, -1 on a stop.
 */
static int
sq_send_one(int fd, const char *buf, size_t len)
{
	struct pollfd pfd;

	for (;;) {
		if (send(fd, buf, len, 0) == (ssize_t)len)
			return 0;
		if (sq_stop)
			return -1;
		if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR) {
			pfd.fd = fd;
			pfd.events = POLLOUT;
			(void)poll(&pfd, 1, 1);
			continue;
		}
		if (errno == ECONNREFUSED)	/* an ICMP error: try again */
			continue;
		nm_die(NM_EXIT_FAIL, "send: %s", strerror(errno));
	}
}

static int
sq_send(const char *addr, int port, uint64_t count, uint64_t pps,
    size_t size)
{
	struct sockaddr_in sin;
	struct timespec ts;
	char buf[SQ_MAXSIZE];
	uint64_t seq, t0, now, allowed, tokens_at, elapsed;
	int fd, on = 1, i;

	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		nm_die(NM_EXIT_FAIL, "socket: %s", strerror(errno));
	(void)setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof(on));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1)
		nm_die(NM_EXIT_USAGE, "-d: not an IPv4 address: %s", addr);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		nm_die(NM_EXIT_FAIL, "connect: %s", strerror(errno));
	memset(buf, 0, sizeof(buf));
	memcpy(buf, SQ_MAGIC, 4);

	t0 = sq_now();
	tokens_at = 0;
	for (seq = 0; seq < count && !sq_stop; seq++) {
		/*
		 * Token bucket: by time t, pps * t packets may have gone.
		 * Checked once per packet against the clock read only when
		 * the allowance runs out, so the cost stays small.
		 */
		if (pps > 0 && seq >= tokens_at) {
			for (;;) {
				now = sq_now();
				elapsed = now - t0;
				allowed = elapsed / 1000 * pps / 1000000 + 1;
				if (allowed > seq)
					break;
				ts.tv_sec = 0;
				ts.tv_nsec = (long)((seq + 1 - allowed) *
				    1000000000u / pps);
				if (ts.tv_nsec > 10000000)
					ts.tv_nsec = 10000000;
				nanosleep(&ts, NULL);
				if (sq_stop)
					break;
			}
			tokens_at = allowed;
		}
		if (sq_stop)
			break;
		for (i = 0; i < 8; i++)
			buf[4 + i] = (char)(seq >> (56 - 8 * i));
		if (sq_send_one(fd, buf, size) == -1)
			break;
	}
	elapsed = sq_now() - t0;
	printf("sent=%llu secs=%.3f pps=%.0f\n", (unsigned long long)seq,
	    (double)elapsed / 1e9,
	    elapsed ? (double)seq * 1e9 / (double)elapsed : 0.0);
	close(fd);
	return NM_EXIT_OK;
}

int
main(int argc, char **argv)
{
	const char *addr = NULL;
	uint64_t count = 1000, pps = 0;
	size_t size = 32;
	int ch, port = 0, listen_mode = 0;

	nm_init(argv[0]);
	while ((ch = getopt(argc, argv, "d:ln:p:r:s:")) != -1) {
		switch (ch) {
		case 'd':
			addr = optarg;
			break;
		case 'l':
			listen_mode = 1;
			break;
		case 'n':
			count = (uint64_t)estrtonum(optarg, 0, 1000000000, "-n");
			break;
		case 'p':
			port = (int)estrtonum(optarg, 1, 65535, "-p");
			break;
		case 'r':
			pps = (uint64_t)estrtonum(optarg, 0, 100000000, "-r");
			break;
		case 's':
			size = (size_t)estrtonum(optarg, SQ_HDR, SQ_MAXSIZE,
			    "-s");
			break;
		default:
			sq_usage();
		}
	}
	if (optind != argc || port == 0 || (!listen_mode && addr == NULL))
		sq_usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	sq_signals();
	return listen_mode ? sq_sink(port) : sq_send(addr, port, count, pps,
	    size);
}
