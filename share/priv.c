/*
 * The privilege steps nm-capture and nm-monitor share (priv.h).
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#include "nm.h"
#include "priv.h"

void
ebecome(uid_t uid, gid_t gid)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	if (setgroups(0, NULL) < 0)
		nm_die(NM_EXIT_FAIL, "setgroups: %s", strerror(errno));
	if (setresgid(gid, gid, gid) < 0)
		nm_die(NM_EXIT_FAIL, "setresgid: %s", strerror(errno));
	if (setresuid(uid, uid, uid) < 0)
		nm_die(NM_EXIT_FAIL, "setresuid: %s", strerror(errno));
	if (getresgid(&rg, &eg, &sg) < 0 || getresuid(&ru, &eu, &su) < 0)
		nm_die(NM_EXIT_FAIL, "getresuid: %s", strerror(errno));
	if (rg != gid || eg != gid || sg != gid || ru != uid || eu != uid ||
	    su != uid || getgroups(0, NULL) != 0)
		nm_die(NM_EXIT_FAIL,
		    "changing to uid %u, gid %u did not "
		    "stick",
		    (unsigned)uid, (unsigned)gid);
	/* Going back must be impossible now. */
	if (setuid(0) == 0 || setgid(0) == 0)
		nm_die(NM_EXIT_FAIL,
		    "changing to uid %u, gid %u did not "
		    "stick: root can be taken back",
		    (unsigned)uid, (unsigned)gid);
}

int
ecaps_left(int inheritable)
{
	struct __user_cap_header_struct hdr;
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	size_t i;

	memset(&hdr, 0, sizeof(hdr));
	memset(data, 0, sizeof(data));
	hdr.version = _LINUX_CAPABILITY_VERSION_3;
	if (syscall(SYS_capget, &hdr, data) < 0)
		nm_die(NM_EXIT_FAIL, "capget: %s", strerror(errno));
	for (i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
		if (data[i].effective != 0 || data[i].permitted != 0 ||
		    (inheritable && data[i].inheritable != 0))
			return 1;
	return 0;
}

/* A decimal id from the environment: 1 and *id, 0 when unset, -1 bad. */
static int
nm_env_id(const char *var, unsigned long *id)
{
	const char *s = getenv(var);
	char *end;

	if (s == NULL || *s == '\0')
		return 0;
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*id = strtoul(s, &end, 10);
	if (*end != '\0' || errno != 0 || *id >= (unsigned long)(uid_t)-1)
		return -1;
	return 1;
}

int
nm_sudo_caller(struct passwd **pwp, char *why, size_t whylen)
{
	const char *user = getenv("SUDO_USER");
	unsigned long uid = 0, gid = 0;
	struct passwd *pw;
	int hasuid, hasgid;

	*pwp = NULL;
	if ((hasuid = nm_env_id("SUDO_UID", &uid)) < 0 ||
	    (hasgid = nm_env_id("SUDO_GID", &gid)) < 0) {
		snprintf(why, whylen, "%s=%.32s: not a number: refusing",
		    hasuid < 0 ? "SUDO_UID" : "SUDO_GID",
		    getenv(hasuid < 0 ? "SUDO_UID" : "SUDO_GID"));
		return -1;
	}
	if (user != NULL && *user == '\0')
		user = NULL;
	if (!hasuid && user == NULL)
		return 0;
	/* Both given: they must be one account (getpw* share storage). */
	if (hasuid && user != NULL) {
		errno = 0;
		if ((pw = getpwnam(user)) == NULL || pw->pw_uid != uid) {
			snprintf(why, whylen,
			    "SUDO_USER=%.32s: not the user "
			    "SUDO_UID=%lu names: refusing",
			    user, uid);
			return -1;
		}
	}
	errno = 0;
	if ((pw = hasuid ? getpwuid((uid_t)uid) : getpwnam(user)) == NULL) {
		if (hasuid)
			snprintf(why, whylen, "SUDO_UID=%lu: %s", uid,
			    errno != 0 ? strerror(errno) : "no such user");
		else
			snprintf(why, whylen, "SUDO_USER=%.32s: %s", user,
			    errno != 0 ? strerror(errno) : "no such user");
		return -1;
	}
	/* Root ran sudo: there is no one else to act for. */
	if (pw->pw_uid == 0)
		return 0;
	/*
	 * sudo records the caller's current group, which newgrp or sg may
	 * have changed; passwd's is the one the account has for certain.
	 * Which the caller meant cannot be told, so neither is taken.
	 */
	if (hasgid && gid != pw->pw_gid) {
		snprintf(why, whylen,
		    "SUDO_GID=%lu: not the group of user "
		    "%.32s (%lu in passwd): refusing",
		    gid, pw->pw_name, (unsigned long)pw->pw_gid);
		return -1;
	}
	*pwp = pw;
	return 1;
}

const char *
nm_account_unfit(const struct passwd *pw)
{
	if (pw->pw_uid == 0)
		return "it is root";
	if (pw->pw_gid == 0)
		return "its group is 0 (root)";
	return NULL;
}
