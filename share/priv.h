/*
 * Changing user for good, checking that no capability is left, and
 * finding who ran the program through sudo: the steps nm-capture and
 * nm-monitor both take when they give up root.
 */
#ifndef PRIV_H
#define PRIV_H

#include <stddef.h>
#include <pwd.h>
#include <sys/types.h>

/*
 * Becomes uid and gid in a fixed, checked order (supplementary groups,
 * then gid, then uid, each real, effective and saved) and makes sure none
 * of it can be taken back.  Any step that does not stick ends the program.
 */
void ebecome(uid_t uid, gid_t gid);
/*
 * Whether a capability is left in the effective or permitted set, or,
 * with inheritable, in the inheritable set too.  Ends the program if the
 * kernel cannot say.
 */
int ecaps_left(int inheritable);
/*
 * The account that ran this program through sudo, from its passwd entry:
 * SUDO_UID names it (SUDO_USER when SUDO_UID is unset), and its group is
 * the entry's, never SUDO_GID's, whose only use is to be checked against
 * it.  Returns 1 and sets *pw (getpwuid's storage: copy what you keep), 0
 * when there is no caller to speak of (no sudo variables, or root ran
 * sudo), -1 when the variables are not numbers, name no account or
 * disagree with the passwd entry: then why holds one line saying so.
 */
int nm_sudo_caller(struct passwd **pw, char *why, size_t whylen);
/*
 * Why an account may not be the one root drops to, or NULL: uid 0, or
 * group 0, whose privilege ebecome() could not show to be gone.
 */
const char *nm_account_unfit(const struct passwd *pw);

#endif
