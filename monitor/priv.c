/*
 * Who the unprivileged stages run as.  Started as root, nm-monitor gives
 * nm-capture its privilege (nm-capture drops it by itself once its
 * source is open, to the same user through -Z) and runs everything else,
 * itself included once the pipeline has started, as the user who called
 * sudo (SUDO_UID and SUDO_GID), as -Z user, or else as nobody.  The
 * switch is nm-capture's (share/priv.c): supplementary groups, gid, uid,
 * a check that none can be taken back, then that no capability is left,
 * then no_new_privs.  Not started as root, nothing
 * changes users; no_new_privs still applies.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>

#include "mon.h"
#include "priv.h"

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

void
mon_user_become(const struct mon_user *u)
{
	if (u->change) {
		nm_become(u->uid, u->gid);
		/* Leaving uid 0 empties the sets; make sure it did. */
		if (nm_caps_left(0))
			nm_die(NM_EXIT_FAIL, "capabilities remain after "
			    "changing to user %s", u->name);
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		nm_die(NM_EXIT_FAIL, "no_new_privs: %s", strerror(errno));
}
