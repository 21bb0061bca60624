/*
 * Who the unprivileged stages run as.  Started as root, nm-monitor gives
 * nm-capture its privilege (nm-capture drops it by itself once its
 * source is open, to the same user through -Z) and runs everything else,
 * itself included once the pipeline has started, as the user who called
 * sudo (SUDO_UID and SUDO_GID), as -Z user, or else as nobody.  The
 * switch follows the checked order of nm-capture's: supplementary groups,
 * gid, uid, then a check that none can be taken back and that no
 * capability is left, then no_new_privs.  Not started as root, nothing
 * changes users; no_new_privs still applies.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#include "mon.h"

/* A user id from the environment, or (uid_t)-1 when unset or bad. */
static uid_t
mon_env_id(const char *var)
{
	const char *s = getenv(var);
	char *end;
	unsigned long v;

	if (s == NULL || *s == '\0')
		return (uid_t)-1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end != '\0' || errno != 0 || v >= (uid_t)-1 || *s == '-') {
		nm_warn("%s=%s: not a number: ignored", var, s);
		return (uid_t)-1;
	}
	return (uid_t)v;
}

/*
 * The account, in order of preference: -Z user, the caller of sudo, or
 * nobody.  Looked up before anything starts, so a wrong name fails first.
 */
static struct passwd *
mon_user_lookup(const char *user, const char **what)
{
	struct passwd *pw;
	uid_t uid = mon_env_id("SUDO_UID");
	char label[128];

	errno = 0;
	if (user != NULL) {
		*what = "-Z";
		snprintf(label, sizeof(label), "-Z %s", user);
		pw = getpwnam(user);
	} else if (uid != (uid_t)-1 && uid != 0) {
		*what = "SUDO_UID";
		snprintf(label, sizeof(label), "SUDO_UID=%lu",
		    (unsigned long)uid);
		pw = getpwuid(uid);
	} else {
		*what = "nobody";
		snprintf(label, sizeof(label), "user nobody");
		pw = getpwnam("nobody");
	}
	if (pw == NULL)
		nm_die(user != NULL ? NM_EXIT_USAGE : NM_EXIT_FAIL, "%s: %s",
		    label, errno != 0 ? strerror(errno) : "no such user");
	return pw;
}

void
mon_user_resolve(struct mon_user *u, const char *user)
{
	struct passwd *pw;
	const char *what;

	memset(u, 0, sizeof(*u));
	if (geteuid() != 0) {
		if (user != NULL)
			nm_warn("-Z %s: ignored: not running as root", user);
		return;
	}
	pw = mon_user_lookup(user, &what);
	if (pw->pw_uid == 0)
		nm_die(NM_EXIT_USAGE, "-Z %s: refusing to run the pipeline "
		    "as root", pw->pw_name);
	u->change = 1;
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	/* sudo's own record of the caller's group wins over passwd's. */
	if (strcmp(what, "SUDO_UID") == 0 &&
	    mon_env_id("SUDO_GID") != (uid_t)-1)
		u->gid = (gid_t)mon_env_id("SUDO_GID");
	u->name = estrdup(pw->pw_name);
}

/* No capability left in the effective or permitted set. */
static void
mon_user_nocaps(void)
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
		if (data[i].effective != 0 || data[i].permitted != 0)
			nm_die(NM_EXIT_FAIL, "capabilities remain after "
			    "changing user");
}

void
mon_user_become(const struct mon_user *u)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	if (u->change) {
		if (setgroups(0, NULL) < 0)
			nm_die(NM_EXIT_FAIL, "setgroups: %s", strerror(errno));
		if (setresgid(u->gid, u->gid, u->gid) < 0)
			nm_die(NM_EXIT_FAIL, "setresgid: %s", strerror(errno));
		if (setresuid(u->uid, u->uid, u->uid) < 0)
			nm_die(NM_EXIT_FAIL, "setresuid: %s", strerror(errno));
		if (getresgid(&rg, &eg, &sg) < 0 ||
		    getresuid(&ru, &eu, &su) < 0)
			nm_die(NM_EXIT_FAIL, "getresuid: %s", strerror(errno));
		if (rg != u->gid || eg != u->gid || sg != u->gid ||
		    ru != u->uid || eu != u->uid || su != u->uid ||
		    getgroups(0, NULL) != 0 || setuid(0) == 0 ||
		    setgid(0) == 0)
			nm_die(NM_EXIT_FAIL, "changing to user %s did not "
			    "stick", u->name);
		/* Leaving uid 0 empties the sets; make sure it did. */
		mon_user_nocaps();
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		nm_die(NM_EXIT_FAIL, "no_new_privs: %s", strerror(errno));
}
