/*
 * Sources in other network namespaces: `-i blue/eth0` (a name under
 * /run/netns, as `ip netns add` makes) and `-i pid:1234/eth0` (the
 * namespace of that process: a container).  setns(2) moves only the
 * calling thread, and nm-capture has one: it enters a namespace, opens
 * the handle there (the packet socket stays bound to that namespace's
 * interface), and comes back before the next.  Entering needs
 * CAP_SYS_ADMIN, which goes with every other privilege once the last
 * handle is open (priv.c), and the sandbox refuses setns from then on.
 *
 * libpcap reads an interface's drop counters from /sys, which shows the
 * devices of the namespace that mounted it (ours), not the source's: a
 * source in a namespace has them from a netlink socket made in that
 * namespace, which keeps speaking for it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "cur.h"
#include "nm.h"
#include "cap.h"

#define CAP_NETNS_DIR "/run/netns"

int
cap_ns_split(const char *spec, char **ns, const char **iface)
{
	const char *slash = strrchr(spec, '/');
	size_t n;

	*ns = NULL;
	*iface = spec;
	if (slash == NULL)
		return 0;
	n = (size_t)(slash - spec);
	if (n == 0 || slash[1] == '\0')
		nm_bad_usage("-i %s: want NETNS/IFACE or pid:N/IFACE", spec);
	*ns = emalloc(n + 1);
	memcpy(*ns, spec, n);
	(*ns)[n] = '\0';
	*iface = slash + 1;
	/* a name under /run/netns has no '/'; pid: a number */
	if (strchr(*ns, '/') != NULL)
		nm_bad_usage("-i %s: a namespace's name has no '/'", spec);
	if (strncmp(*ns, "pid:", 4) == 0)
		(void)estrtonum(*ns + 4, 1, 4194304, "-i pid");
	return 1;
}

int
cap_ns_enter(const char *ns, const char *spec)
{
	char path[256];
	int self, fd, saved;

	if ((self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) < 0)
		nm_die(NM_EXIT_FAIL, "%s: our own network namespace: %s", spec,
		    strerror(errno));
	if (strncmp(ns, "pid:", 4) == 0)
		snprintf(path, sizeof(path), "/proc/%s/ns/net", ns + 4);
	else
		snprintf(path, sizeof(path), CAP_NETNS_DIR "/%s", ns);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		saved = errno;
		nm_die(saved == ENOENT			    ? NM_EXIT_NOSOURCE
			: saved == EACCES || saved == EPERM ? NM_EXIT_NOPERM
							    : NM_EXIT_FAIL,
		    "%s: no network namespace %s (%s: %s)", spec, ns, path,
		    strerror(saved));
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		saved = errno;
		nm_die(saved == EPERM ? NM_EXIT_NOPERM : NM_EXIT_FAIL,
		    "%s: entering network namespace %s: %s%s", spec, ns,
		    strerror(saved),
		    saved == EPERM ? " (it takes root, or CAP_SYS_ADMIN)" : "");
	}
	close(fd);
	return self;
}

void
cap_ns_leave(int self, const char *spec)
{
	/* staying in the wrong namespace would capture the wrong things */
	if (setns(self, CLONE_NEWNET) < 0)
		nm_die(NM_EXIT_FAIL, "%s: back to our network namespace: %s",
		    spec, strerror(errno));
	close(self);
}

/* One RTM_GETLINK answer: the drops in its IFLA_STATS64. */
static int
ifdrop_of(const uint8_t *buf, size_t n, uint64_t *drops)
{
	struct cur c = cur_make(buf, n), msg, at;
	struct rtnl_link_stats64 st;
	uint32_t len;
	uint16_t type, alen, atype;

	while (cur_left(&c) >= NLMSG_HDRLEN) {
		if (!cur_bytes(&c, &len, sizeof(len)) ||
		    !cur_bytes(&c, &type, sizeof(type)) || len < NLMSG_HDRLEN ||
		    !cur_skip(&c, NLMSG_HDRLEN - 6) ||
		    !cur_take(&c, len - NLMSG_HDRLEN, &msg))
			return -1;
		(void)cur_skip(&c, NLMSG_ALIGN(len) - len);
		if (type == NLMSG_ERROR || type == NLMSG_DONE)
			return -1;
		if (type != RTM_NEWLINK ||
		    !cur_skip(&msg, NLMSG_ALIGN(sizeof(struct ifinfomsg))))
			continue;
		while (cur_left(&msg) >= RTA_LENGTH(0)) {
			if (!cur_bytes(&msg, &alen, sizeof(alen)) ||
			    !cur_bytes(&msg, &atype, sizeof(atype)) ||
			    alen < RTA_LENGTH(0) ||
			    !cur_take(&msg, alen - RTA_LENGTH(0), &at))
				return -1;
			(void)cur_skip(&msg, RTA_ALIGN(alen) - alen);
			if ((atype & NLA_TYPE_MASK) != IFLA_STATS64 ||
			    cur_left(&at) < sizeof(st))
				continue;
			(void)cur_bytes(&at, &st, sizeof(st));
			*drops = st.rx_missed_errors + st.rx_fifo_errors;
			return 0;
		}
	}
	return -1;
}

int
cap_ns_ifdrop(const struct cap_src *s, uint64_t *drops)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
	} req;
	uint8_t buf[8192];
	ssize_t n;

	if (s->nlfd < 0)
		return -1;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifi));
	req.nh.nlmsg_type = RTM_GETLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.ifi.ifi_family = AF_UNSPEC;
	req.ifi.ifi_index = (int)s->ifindex;
	if (send(s->nlfd, &req, req.nh.nlmsg_len, 0) < 0)
		return -1;
	if ((n = recv(s->nlfd, buf, sizeof(buf), 0)) <= 0)
		return -1;
	return ifdrop_of(buf, (size_t)n, drops);
}

int
cap_ns_counters(struct cap_src *s)
{
	struct timeval tv = { 1, 0 };

	s->nlfd = -1;
	if ((s->ifindex = if_nametoindex(s->iface)) == 0)
		return -1;
	s->nlfd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (s->nlfd < 0)
		return -1;
	/* an answer that never comes must not stop the capture */
	(void)setsockopt(s->nlfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (cap_ns_ifdrop(s, &s->ifdrop0) < 0) {
		close(s->nlfd);
		s->nlfd = -1;
		return -1;
	}
	return 0;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * One namespace's interfaces, numbered on from *k.  libpcap lists what
 * /sys shows, and ours shows our devices: a child enters the namespace,
 * and a mount namespace of its own where a sysfs mounted there shows the
 * namespace's (as `ip netns exec` does).  It says how many it listed on
 * a pipe, so the numbering goes on.
 */
static void
list_one(const char *ns, int *k)
{
	char prefix[300];
	int fd[2], n = *k, st;
	pid_t pid;

	snprintf(prefix, sizeof(prefix), "%s/", ns);
	fflush(stdout);
	if (pipe(fd) < 0 || (pid = fork()) < 0)
		nm_die(NM_EXIT_FAIL, "-D --netns %s: %s", ns, strerror(errno));
	if (pid == 0) {
		close(fd[0]);
		(void)cap_ns_enter(ns, ns);
		if (unshare(CLONE_NEWNS) == 0 &&
		    mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) == 0 &&
		    umount2("/sys", MNT_DETACH) == 0)
			(void)mount(ns, "/sys", "sysfs", 0, NULL);
		cap_list_interfaces(prefix, &n);
		fflush(stdout);
		if (write(fd[1], &n, sizeof(n)) != sizeof(n))
			_exit(NM_EXIT_FAIL);
		_exit(ferror(stdout) ? NM_EXIT_FAIL : NM_EXIT_OK);
	}
	close(fd[1]);
	if (read(fd[0], &n, sizeof(n)) == sizeof(n))
		*k = n;
	close(fd[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		exit(WIFEXITED(st) ? WEXITSTATUS(st) : NM_EXIT_FAIL);
}

void
cap_list_netns(const char *which)
{
	char **names = NULL, path[300];
	struct stat st, self;
	struct dirent *e;
	size_t n = 0, i;
	int k = 0;
	DIR *d;

	if (strcmp(which, "all") != 0) {
		list_one(which, &k);
		return;
	}
	cap_list_interfaces("", &k);
	/* ours may have a name too (under ip netns exec): listed above */
	if (stat("/proc/self/ns/net", &self) < 0)
		memset(&self, 0, sizeof(self));
	if ((d = opendir(CAP_NETNS_DIR)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(
			    path, sizeof(path), CAP_NETNS_DIR "/%s", e->d_name);
			if (stat(path, &st) == 0 && st.st_ino == self.st_ino &&
			    st.st_dev == self.st_dev)
				continue;
			names = erealloc(names, (n + 1) * sizeof(*names));
			names[n++] = estrdup(e->d_name);
		}
		closedir(d);
		qsort(names, n, sizeof(*names), name_cmp);
	}
	for (i = 0; i < n; i++) {
		list_one(names[i], &k);
		free(names[i]);
	}
	free(names);
}
