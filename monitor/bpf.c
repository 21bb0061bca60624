/*
 * Whether a filter expression compiles, asked before the pipeline
 * starts: the questions ask again for one that does not, and -f with a
 * word that is no preset is told so rather than failing as BPF.  The
 * judge is nm-capture itself, the one program of the suite that links
 * libpcap: it reads, from a pipe, a capture file that is only a header
 * of the link type the interface will have, and compiles the expression
 * for it exactly as it will when it captures (same libpcap, optimizer
 * and netmask).  It runs as the target user, with no privilege: a
 * compile needs none.  When the link type cannot be told (an interface
 * the table below does not know), nothing is checked here and nm-capture
 * judges when it starts.  A -r file is taken for Ethernet: the check of a
 * -f word only asks whether it could be an expression at all.  With
 * several interfaces nm-capture applies the filter to each, so it must
 * compile for every link type among them (an Ethernet interface takes
 * vlan, any does not); an interface in another network namespace
 * (NETNS/IFACE, pid:N/IFACE) cannot be looked up from here and is left
 * to nm-capture.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "mon.h"

/* libpcap's link types (LINKTYPE_*), as pcap files spell them. */
#define MON_LT_ETHERNET	 1
#define MON_LT_RAW	 101
#define MON_LT_LINUX_SLL 113

/*
 * The link type libpcap gives a Linux interface, from its ARPHRD type in
 * sysfs: only the common ones, where libpcap's mapping is plain.  0 when
 * it cannot be told.
 */
static int
mon_linktype(const char *iface)
{
	char path[256], buf[32];
	ssize_t n;
	long type;
	int fd;

	/* A file's link type is the file's: Ethernet, as most are. */
	if (iface == NULL)
		return MON_LT_ETHERNET;
	if (strcmp(iface, "any") == 0)
		return MON_LT_LINUX_SLL;
	if (strchr(iface, '/') != NULL || strcmp(iface, ".") == 0 ||
	    strcmp(iface, "..") == 0)
		return 0;
	snprintf(path, sizeof(path), "/sys/class/net/%s/type", iface);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	type = strtol(buf, NULL, 10);
	if (type == 1 || type == 772) /* ARPHRD_ETHER, ARPHRD_LOOPBACK */
		return MON_LT_ETHERNET;
	if (type == 65534) /* ARPHRD_NONE: tun devices */
		return MON_LT_RAW;
	return 0;
}

/* A pcap file of no packets: its 24-byte header, in our byte order. */
static void
mon_pcap_header(unsigned char *h, int linktype)
{
	uint32_t magic = 0xa1b2c3d4, zero = 0, snap = 262144;
	uint32_t lt = (uint32_t)linktype;
	uint16_t major = 2, minor = 4;

	memcpy(h, &magic, 4);
	memcpy(h + 4, &major, 2);
	memcpy(h + 6, &minor, 2);
	memcpy(h + 8, &zero, 4);
	memcpy(h + 12, &zero, 4);
	memcpy(h + 16, &snap, 4);
	memcpy(h + 20, &lt, 4);
}

/* Reads fd to its end into a string, at most a few KiB. */
static char *
mon_slurp_fd(int fd)
{
	char *buf = emalloc(4096);
	size_t len = 0;
	ssize_t n;

	for (;;) {
		n = read(fd, buf + len, 4095 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || (len += (size_t)n) == 4095)
			break;
	}
	buf[len] = '\0';
	return buf;
}

static void __attribute__((noreturn)) mon_bpf_child(const char *capture,
    const struct mon_user *u, int in, int err, const char *expr)
{
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	const char *argv[6];

	if (null < 0 || dup2(in, STDIN_FILENO) < 0 ||
	    dup2(null, STDOUT_FILENO) < 0 || dup2(err, STDERR_FILENO) < 0)
		_exit(NM_EXIT_FAIL);
	/* exec's prototypes predate const; it does not write argv */
	argv[0] = "nm-capture";
	argv[1] = "-r";
	argv[2] = "-";
	argv[3] = "--";
	argv[4] = expr;
	argv[5] = NULL;
	mon_exec_program(capture, (char *const *)(uintptr_t)argv, u);
}

/* nm-capture's message if expr does not compile for link type lt. */
static char *
mon_bpf_compile(
    const char *capture, const struct mon_user *u, int lt, const char *expr)
{
	unsigned char hdr[24];
	int in[2], err[2], status;
	char *msg;
	pid_t pid;

	mon_pcap_header(hdr, lt);
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)
		nm_die(NM_EXIT_FAIL, "pipe: %s", strerror(errno));
	/* 24 bytes: the pipe holds them before anyone reads */
	if (write(in[1], hdr, sizeof(hdr)) != (ssize_t)sizeof(hdr))
		nm_die(NM_EXIT_FAIL, "pipe: %s", strerror(errno));
	close(in[1]);
	fflush(NULL);
	if ((pid = fork()) < 0)
		nm_die(NM_EXIT_FAIL, "fork: %s", strerror(errno));
	if (pid == 0)
		mon_bpf_child(capture, u, in[0], err[1], expr);
	close(in[0]);
	close(err[1]);
	msg = mon_slurp_fd(err[0]);
	close(err[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			nm_die(NM_EXIT_FAIL, "waitpid: %s", strerror(errno));
	/* Only a bad filter is a verdict; anything else, nm-capture's later. */
	if (!WIFEXITED(status) || WEXITSTATUS(status) != NM_EXIT_BADFILTER) {
		free(msg);
		return NULL;
	}
	msg[strcspn(msg, "\n")] = '\0';
	return msg;
}

char *
mon_bpf_error(const char *capture, const struct mon_user *u,
    const char *const *iface, int n, const char *expr)
{
	char *msg, *named;
	size_t len;
	int i, j, k, lt;

	if (expr == NULL || *expr == '\0')
		return NULL;
	if (n == 0)
		return mon_bpf_compile(capture, u, mon_linktype(NULL), expr);
	for (i = 0; i < n; i++) {
		if ((lt = mon_linktype(iface[i])) == 0)
			continue;
		/* once for each link type: the first interface of it */
		for (j = 0; j < i && mon_linktype(iface[j]) != lt; j++)
			;
		if (j < i ||
		    (msg = mon_bpf_compile(capture, u, lt, expr)) == NULL)
			continue;
		/* which of them refuses it, when others of theirs may not */
		for (j = 0; j < n; j++)
			if ((k = mon_linktype(iface[j])) != 0 && k != lt)
				break;
		if (j == n)
			return msg;
		len = strlen(msg) + strlen(iface[i]) + 16;
		named = emalloc(len);
		snprintf(named, len, "%s (interface %s)", msg, iface[i]);
		free(msg);
		return named;
	}
	return NULL;
}
