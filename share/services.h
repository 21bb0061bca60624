/*
 * Service names by port, for nm-decode and nm-stats: the built-in table
 * (the old tool's, plus a few), a user's table loaded over it, and
 * /etc/services as the last resort, read once by esvc_setup().
 */
#ifndef SERVICES_H
#define SERVICES_H

#include <stddef.h>

/*
 * Loads a user table: lines "port name" or "port/tcp name" (or /udp),
 * '#' to end of line is a comment.  Its names win over the built-in ones.
 * Returns 0, or -1 with errno and, for a bad line, a message in why that
 * names the line ("line 3: port 70000 out of range").
 */
int svc_load(const char *path, char *why, size_t whylen);

/*
 * Loads the user's table when path is set (a bad one is one line naming
 * the file and line, and NM_EXIT_USAGE) and reads /etc/services now, so
 * nothing is opened later, under the seccomp filter.  Out of memory exits
 * (NM_EXIT_FAIL).
 */
void esvc_setup(const char *path);

/* The table's name for port under IP protocol proto (6, 17), or NULL. */
const char *svc_name(unsigned port, unsigned proto);

/* /etc/services' name for the port (once esvc_setup() ran), or NULL. */
const char *svc_sysname(unsigned port, unsigned proto);

/*
 * The service a conversation between two ports belongs to, by the rule of
 * nm-decode(1): a port in the table wins, the lower one when both are;
 * else /etc/services for the lower port, then for the higher if it is a
 * well-known one (under 1024).  Stores the port and returns the name, or
 * NULL.
 */
const char *svc_pick(
    unsigned sport, unsigned dport, unsigned proto, unsigned *port);

#endif
