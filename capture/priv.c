/*
 * Giving up privilege once the capture source is open and its filter set
 * (DESIGN.md section 4).  Started as root, nm-capture becomes -Z user
 * (nobody by default) in a fixed, checked order: supplementary groups,
 * then gid, then uid.  In every case, also when it runs as a user with
 * file capabilities, it clears all capability sets, drops the bounding set
 * where it may, and sets no_new_privs, so nothing it executes or maps can
 * win privilege back.  Any step that does not stick ends the program:
 * carrying on privileged would be worse than not capturing.
 */
#include <errno.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#include "nm.h"
#include "priv.h"
#include "cap.h"

/* The highest capability number the kernel may know of. */
#define CAP_PRIV_MAXCAP	63

/*
 * Looks the user up before anything is opened, so a typo fails before
 * the interface is touched.
 */
void
cap_priv_resolve(struct cap_priv *p, const char *user)
{
	struct passwd *pw;

	memset(p, 0, sizeof(*p));
	if (getuid() != 0 && geteuid() != 0) {
		if (user != NULL)
			nm_warn("-Z %s: ignored: not running as root", user);
		return;
	}
	errno = 0;
	if ((pw = getpwnam(user != NULL ? user : "nobody")) == NULL)
		nm_die(user != NULL ? NM_EXIT_USAGE : NM_EXIT_FAIL,
		    "-Z %s: %s", user != NULL ? user : "nobody",
		    errno != 0 ? strerror(errno) : "no such user");
	if (pw->pw_uid == 0)
		nm_die(NM_EXIT_USAGE, "-Z %s: refusing to keep running as root",
		    pw->pw_name);
	p->switch_user = 1;
	p->uid = pw->pw_uid;
	p->gid = pw->pw_gid;
}

/* Drops every capability from the bounding set that we are allowed to. */
static void
cap_priv_bounding(void)
{
	int c;

	for (c = 0; c <= CAP_PRIV_MAXCAP; c++) {
		if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) < 0)
			break;		/* past the kernel's last capability */
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
	if (nm_caps_left(1))
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
		nm_become(p->uid, p->gid);
	cap_priv_clear();
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		nm_die(NM_EXIT_FAIL, "no_new_privs: %s", strerror(errno));
}
