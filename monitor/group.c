/*
 * The fanout group the workers of one nm-monitor --workers run join.
 * Groups are the kernel's, one number space per network namespace, and
 * the kernel lets anyone join one of the same mode on the same
 * interface: two runs that picked the same number would share their
 * packets and each show half.  The number starts from our pid, and a
 * lock file for it under /run/lock (flock, held until we exit, let go by
 * the kernel if we die) keeps two runs of nm-monitor off one number.
 * Without the lock directory (no root, no /run/lock) the pid's number
 * is taken as it is; another program's group of that number in another
 * mode is refused by the kernel, and nm-capture says so.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/file.h>

#include "mon.h"

#define GROUP_LOCKDIR "/run/lock"
#define GROUP_FIRST   1024  /* below: left to hand-made groups */
#define GROUP_LAST    65535 /* the kernel's 16 bits */
#define GROUP_TRIES   64

/* 1: ours now (or no lock can be had); 0: another run holds it. */
static int
mon_group_lock(int group, int *nodir)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), GROUP_LOCKDIR "/nm-fanout-%d", group);
	fd = open(path, O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		/* someone else's file (or a link): try the next number */
		*nodir = errno != EACCES && errno != EPERM && errno != ELOOP;
		return *nodir;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd);
		return 0;
	}
	return 1; /* held, fd open, until nm-monitor ends */
}

int
mon_fanout_group(int lock)
{
	int span = GROUP_LAST - GROUP_FIRST + 1, first, g, i, nodir = 0;

	first = GROUP_FIRST + (int)(getpid() % span);
	if (!lock)
		return first;
	for (i = 0; i < GROUP_TRIES; i++) {
		g = GROUP_FIRST + (first - GROUP_FIRST + i) % span;
		if (mon_group_lock(g, &nodir))
			return g;
		if (nodir)
			break;
	}
	return first;
}
