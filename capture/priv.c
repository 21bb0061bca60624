/*
 * Giving up privilege once the capture source is open and its filter set
 * (DESIGN.md section 4).  Started as root, nm-capture becomes -Z user
 * (nobody by default) in a fixed, checked order: supplementary groups,
 * then gid, then uid.  Before that, run through sudo, it opens the files
 * its caller names with the caller's rights, not root's.  In every case,
 * also when it runs as a user with file capabilities, it clears all
 * capability sets, drops the bounding set where it may, and sets
 * no_new_privs, so nothing it executes or maps can win privilege back.
 * Any step that does not stick ends the program: carrying on privileged
 * would be worse than not capturing.
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

#include "nm.h"
#include "priv.h"
#include "cap.h"

/* The highest capability number the kernel may know of. */
#define CAP_PRIV_MAXCAP 63

/*
 * Looks the users up before anything is opened, so a typo fails before
 * the interface is touched: the one to become, and sudo's caller, whose
 * rights open the files named on the command line.
 */
void
cap_priv_resolve(struct cap_priv *p, const char *user)
{
	struct passwd *pw;
	const char *unfit;
	char why[256];

	memset(p, 0, sizeof(*p));
	if (getuid() != 0 && geteuid() != 0) {
		if (user != NULL)
			nm_warn("-Z %s: ignored: not running as root", user);
		return;
	}
	if (getuid() == 0 && geteuid() == 0) {
		if (nm_sudo_caller(&pw, why, sizeof(why)) < 0)
			nm_die(NM_EXIT_USAGE, "%s", why);
		if (pw != NULL) {
			p->as_caller = 1;
			p->caller_uid = pw->pw_uid;
			p->caller_gid = pw->pw_gid;
			p->caller_name = estrdup(pw->pw_name);
			p->caller_home = estrdup(pw->pw_dir);
		}
	}
	errno = 0;
	if ((pw = getpwnam(user != NULL ? user : "nobody")) == NULL)
		nm_die(user != NULL ? NM_EXIT_USAGE : NM_EXIT_FAIL, "-Z %s: %s",
		    user != NULL ? user : "nobody",
		    errno != 0 ? strerror(errno) : "no such user");
	if ((unfit = nm_account_unfit(pw)) != NULL)
		nm_die(NM_EXIT_USAGE,
		    "-Z %s: refusing to run as this user: "
		    "%s",
		    pw->pw_name, unfit);
	p->switch_user = 1;
	p->uid = pw->pw_uid;
	p->gid = pw->pw_gid;
}

/*
 * Root through sudo reads what its caller names with the caller's
 * rights: -r /etc/shadow or -F /root/secret must fail as they would for
 * the caller.  Only the effective ids change (the saved uid stays 0, to
 * come back), with the caller's passwd group and no supplementary group,
 * as the pipeline runs; while they are changed the effective capability
 * set is empty, and nothing but opening and reading happens.
 */
void
cap_priv_as_caller(struct cap_priv *p)
{
	uid_t ru, eu, su;
	int n;

	if (!p->as_caller)
		return;
	if ((n = getgroups(0, NULL)) < 0)
		nm_die(NM_EXIT_FAIL, "getgroups: %s", strerror(errno));
	/* n is at most NGROUPS_MAX (65536): the product cannot wrap. */
	p->groups = emalloc(((size_t)n + 1) * sizeof(gid_t));
	p->egid = getegid();
	if ((p->ngroups = getgroups(n, p->groups)) < 0)
		nm_die(NM_EXIT_FAIL, "getgroups: %s", strerror(errno));
	if (setgroups(1, &p->caller_gid) < 0 ||
	    setresgid((gid_t)-1, p->caller_gid, (gid_t)-1) < 0 ||
	    setresuid((uid_t)-1, p->caller_uid, (uid_t)-1) < 0)
		nm_die(NM_EXIT_FAIL, "acting as user %s: %s", p->caller_name,
		    strerror(errno));
	if (getresuid(&ru, &eu, &su) < 0 || eu != p->caller_uid ||
	    getegid() != p->caller_gid)
		nm_die(NM_EXIT_FAIL, "acting as user %s: did not stick",
		    p->caller_name);
}

const char *
cap_priv_whose(const struct cap_priv *p)
{
	static char buf[160];

	if (!p->as_caller)
		return "";
	snprintf(buf, sizeof(buf), " (opened as %.64s, who ran sudo)",
	    p->caller_name);
	return buf;
}

/* Back to root's own rights, to open the interface and drop for good. */
void
cap_priv_as_self(struct cap_priv *p)
{
	if (!p->as_caller)
		return;
	if (setresuid((uid_t)-1, 0, (uid_t)-1) < 0 ||
	    setresgid((gid_t)-1, p->egid, (gid_t)-1) < 0 ||
	    setgroups((size_t)p->ngroups, p->groups) < 0)
		nm_die(NM_EXIT_FAIL, "back from user %s: %s", p->caller_name,
		    strerror(errno));
	free(p->groups);
	p->groups = NULL;
}

/* Drops every capability from the bounding set that we are allowed to. */
static void
cap_priv_bounding(void)
{
	int c;

	for (c = 0; c <= CAP_PRIV_MAXCAP; c++) {
		if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) < 0)
			break; /* past the kernel's last capability */
		/* Without CAP_SETPCAP this fails with EPERM: that is fine. */
		(void)prctl(PR_CAPBSET_DROP, c, 0, 0, 0);
	}
}

/* Empties the effective, permitted and inheritable sets; checks it did. */
static void
cap_priv_clear(void)
{
	struct __user_cap_header_struct hdr;
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(&hdr, 0, sizeof(hdr));
	memset(data, 0, sizeof(data));
	hdr.version = _LINUX_CAPABILITY_VERSION_3;
	if (syscall(SYS_capset, &hdr, data) < 0)
		nm_die(NM_EXIT_FAIL, "capset: %s", strerror(errno));
	if (ecaps_left(1))
		nm_die(NM_EXIT_FAIL, "capabilities remain after capset");
}

void
cap_priv_drop(const struct cap_priv *p)
{
	/* Bounding set first: dropping needs CAP_SETPCAP, which goes next. */
	cap_priv_bounding();
	/* EINVAL on kernels before 4.3, which have no ambient set. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 &&
	    errno != EINVAL)
		nm_die(NM_EXIT_FAIL, "clearing ambient capabilities: %s",
		    strerror(errno));
	if (p->switch_user)
		ebecome(p->uid, p->gid);
	cap_priv_clear();
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		nm_die(NM_EXIT_FAIL, "no_new_privs: %s", strerror(errno));
}
