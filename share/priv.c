/*
 * The privilege steps nm-capture and nm-monitor share (priv.h).
 */
#include <errno.h>
#include <grp.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#include "nm.h"
#include "priv.h"

void
nm_become(uid_t uid, gid_t gid)
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
		nm_die(NM_EXIT_FAIL, "changing to uid %u, gid %u did not "
		    "stick", (unsigned)uid, (unsigned)gid);
	/* Going back must be impossible now. */
	if (setuid(0) == 0 || setgid(0) == 0)
		nm_die(NM_EXIT_FAIL, "changing to uid %u, gid %u did not "
		    "stick: root can be taken back", (unsigned)uid,
		    (unsigned)gid);
}

int
nm_caps_left(int inheritable)
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
