/*
 * Who the unprivileged stages run as.  Started as root, nm-monitor gives
 * nm-capture its privilege (nm-capture drops it by itself once its
 * source is open, to the same user through -Z) and runs everything else,
 * itself included once the pipeline has started, as -Z user, as the
 * user who called sudo (the passwd entry of SUDO_UID, in its passwd
 * group: a SUDO_GID that says otherwise is refused, never obeyed), or
 * else as nobody; never with supplementary groups.  The switch is
 * nm-capture's (share/priv.c): supplementary groups, gid, uid, a check
 * that none can be taken back, then that no capability is left, then
 * no_new_privs.  Not started as root, nothing changes users;
 * no_new_privs still applies.
 */
#include <errno.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>

#include "mon.h"
#include "priv.h"

/*
 * The account, in order of preference: -Z user, the caller of sudo, or
 * nobody.  Looked up before anything starts, so a wrong name fails first,
 * and once, here, rather than in every stage.
 */
void
mon_user_resolve(struct mon_user *u, const char *user)
{
	struct passwd *pw, *caller;
	const char *label, *unfit;
	char why[256];

	memset(u, 0, sizeof(*u));
	if (geteuid() != 0) {
		if (user != NULL)
			nm_warn("-Z %s: ignored: not running as root", user);
		return;
	}
	/* Checked even with -Z: nm-capture opens -r files as the caller. */
	if (nm_sudo_caller(&caller, why, sizeof(why)) < 0)
		nm_die(NM_EXIT_USAGE, "%s", why);
	if (caller != NULL) {
		u->home = estrdup(caller->pw_dir);
		u->caller = 1;
		u->cuid = caller->pw_uid;
		u->cgid = caller->pw_gid;
		u->cname = estrdup(caller->pw_name);
	}
	errno = 0;
	if (user != NULL) {
		label = "-Z";
		pw = getpwnam(user);
	} else if (caller != NULL) {
		label = "sudo's caller";
		pw = caller;
	} else {
		label = "user";
		pw = getpwnam(user = "nobody");
	}
	/* Only -Z or nobody can be missing: the caller was found. */
	if (pw == NULL)
		nm_die(label[0] == '-' ? NM_EXIT_USAGE : NM_EXIT_FAIL,
		    "%s %s: %s", label, user,
		    errno != 0 ? strerror(errno) : "no such user");
	if ((unfit = nm_account_unfit(pw)) != NULL)
		nm_die(NM_EXIT_USAGE,
		    "%s %s: refusing to run the pipeline "
		    "as it: %s",
		    label, pw->pw_name, unfit);
	u->change = 1;
	u->uid = pw->pw_uid;
	/* The passwd group, never SUDO_GID's (nm_sudo_caller checks it). */
	u->gid = pw->pw_gid;
	u->name = estrdup(pw->pw_name);
}

void
mon_user_become(const struct mon_user *u)
{
	if (u->change) {
		ebecome(u->uid, u->gid);
		/* Leaving uid 0 empties the sets; make sure it did. */
		if (ecaps_left(0))
			nm_die(NM_EXIT_FAIL,
			    "capabilities remain after "
			    "changing to user %s",
			    u->name);
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		nm_die(NM_EXIT_FAIL, "no_new_privs: %s", strerror(errno));
}
