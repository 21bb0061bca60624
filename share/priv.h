/*
 * Changing user for good, and checking that no capability is left: the
 * steps nm-capture and nm-monitor both take when they give up root.
 */
#ifndef PRIV_H
#define PRIV_H

#include <sys/types.h>

/*
 * Becomes uid and gid in a fixed, checked order (supplementary groups,
 * then gid, then uid, each real, effective and saved) and makes sure none
 * of it can be taken back.  Any step that does not stick ends the program.
 */
void nm_become(uid_t uid, gid_t gid);
/*
 * Whether a capability is left in the effective or permitted set, or,
 * with inheritable, in the inheritable set too.  Ends the program if the
 * kernel cannot say.
 */
int nm_caps_left(int inheritable);

#endif
