/*
 * --fanout GROUP[:MODE]: several nm-capture processes on one interface
 * share its packets instead of each seeing all of them.  Once libpcap
 * has opened and bound the packet socket, it joins the kernel's
 * PACKET_FANOUT group GROUP (of the socket's network namespace), and the
 * kernel hands each packet to one member of the group by MODE.  This is
 * how nm-monitor --workers runs one decode and stats pipeline per core.
 *
 * The hash mode is what keeps a connection whole: the kernel picks the
 * member by __skb_get_hash_symmetric() (net/packet/af_packet.c,
 * fanout_demux_hash), a flow hash over addresses and ports that
 * __flow_hash_consistentify() (net/core/flow_dissector.c) puts in one
 * order first, so both directions of a connection reach the same member.
 * With it goes PACKET_FANOUT_FLAG_DEFRAG: the kernel reassembles IPv4
 * fragments before it hashes them (a fragment alone is hashed by its
 * addresses, having no ports, and would reach another member than its
 * connection), and hands the member the datagram whole.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if_packet.h>

#include "nm.h"
#include "cap.h"

#define CAP_FANOUT_GROUP_MAX 65535 /* the group is 16 bits */

static const struct cap_fanout_mode {
	const char *name;
	int arg; /* PACKET_FANOUT's type and flags, shifted down */
} cap_fanout_modes[] = {
	{ "hash", PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_DEFRAG },
	{ "lb", PACKET_FANOUT_LB },
	{ "cpu", PACKET_FANOUT_CPU },
	{ "rollover", PACKET_FANOUT_ROLLOVER },
	{ "random", PACKET_FANOUT_RND },
	{ "qm", PACKET_FANOUT_QM },
	{ NULL, 0 },
};

void
cap_fanout_parse(struct cap_opts *o, const char *arg)
{
	const struct cap_fanout_mode *m;
	const char *colon = strchr(arg, ':');
	char group[16];
	size_t n = colon != NULL ? (size_t)(colon - arg) : strlen(arg);

	if (n == 0 || n >= sizeof(group) || (colon != NULL && colon[1] == '\0'))
		nm_bad_usage("--fanout %s: want GROUP[:MODE], GROUP 1 to %d",
		    arg, CAP_FANOUT_GROUP_MAX);
	memcpy(group, arg, n);
	group[n] = '\0';
	o->fanout =
	    (int)estrtonum(group, 1, CAP_FANOUT_GROUP_MAX, "--fanout GROUP");
	o->fanout_mode = "hash";
	o->fanout_arg = cap_fanout_modes[0].arg;
	if (colon == NULL)
		return;
	for (m = cap_fanout_modes; m->name != NULL; m++)
		if (strcmp(colon + 1, m->name) == 0) {
			o->fanout_mode = m->name;
			o->fanout_arg = m->arg;
			return;
		}
	nm_bad_usage("--fanout %s: mode %s: want hash, lb, cpu, rollover, "
		     "random or qm",
	    arg, colon + 1);
}

void
cap_fanout_join(const struct cap_src *s, const struct cap_opts *o)
{
	int fd = pcap_fileno(s->pc), e;
	/* mode and flags in the high half: DEFRAG is bit 31, so unsigned */
	uint32_t arg = (uint32_t)o->fanout | (uint32_t)o->fanout_arg << 16;

	if (fd < 0)
		nm_die(NM_EXIT_FAIL,
		    "%s: --fanout %d: libpcap gives no socket to join with",
		    s->name, o->fanout);
	if (setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof(arg)) == 0)
		return;
	e = errno;
	/*
	 * The kernel says EINVAL when the group exists with another mode
	 * or flags, or on another interface; ENOSPC when it is full.
	 */
	if (e == EINVAL)
		nm_die(NM_EXIT_FAIL,
		    "%s: --fanout %d:%s: the kernel refuses to join group %d "
		    "(%s): it is in use with another mode or on another "
		    "interface",
		    s->name, o->fanout, o->fanout_mode, o->fanout, strerror(e));
	if (e == ENOSPC)
		nm_die(NM_EXIT_FAIL, "%s: --fanout %d: group %d is full (%s)",
		    s->name, o->fanout, o->fanout, strerror(e));
	nm_die(NM_EXIT_FAIL, "%s: --fanout %d:%s: joining group %d: %s",
	    s->name, o->fanout, o->fanout_mode, o->fanout, strerror(e));
}
