/*
 * nm-capture's private interface: the options, the open source and the
 * phases main() runs in order (parse, resolve the user, open, filter, drop
 * privilege, loop).  This is the one privileged program of the suite, and
 * it never looks inside a packet: it moves libpcap's frames into records.
 */
#ifndef CAP_H
#define CAP_H

#include <stdint.h>
#include <sys/types.h>
#include <pcap/pcap.h>

#include "rec.h"
#include "savedf.h"

#define CAP_SNAPLEN_MAX 262144 /* tcpdump's default and ceiling */
/*
 * The kernel ring.  libpcap's 2 MiB default could not ride out a hiccup
 * downstream at 10k packets/s; 32 MiB does (libpcap doubles it in
 * immediate mode: a 64 MiB ring, all of it resident).
 */
#define CAP_BUFKIB_DEFAULT 32768
/*
 * Packets are handed over a ring block at a time, when the block fills or
 * this many ms after its first packet: one wakeup for many packets.  At
 * 100k and 200k packets/s on a veth, beside tcpdump, that dropped nothing
 * where immediate mode (a wakeup per packet) dropped 0.2% and 27%; a
 * packet waits 6 ms (median) to 10 ms at low rates.  --immediate-mode
 * hands each packet over at once.
 */
#define CAP_TIMEOUT_MS 10
/*
 * The largest -F file.  The kernel loads at most 4096 BPF instructions
 * (BPF_MAXINSNS), and the filter language spends one on every few bytes
 * of text: each " or host 10.1.2.3" adds 3 even optimised, so a list of
 * hosts the kernel takes is some 25 KB.  64 KiB leaves room for comments
 * and layout, and reading that much as root costs nothing; more is not a
 * filter (-F /dev/zero would otherwise be read until memory ran out).
 */
#define CAP_FILTER_MAX (64 * 1024)

struct cap_opts {
	const char *iface; /* -i, or NULL */
	const char *file;  /* -r, "-" for stdin, or NULL */
	char *filter;	   /* BPF expression, "" when none */
	const char *ffile; /* -F, or NULL */
	int snaplen;	   /* -s, 0 when not given */
	uint64_t count;	   /* -c, 0 for no limit */
	int promisc;	   /* cleared by -p */
	int bufkib;	   /* -B, 0 for libpcap's default */
	const char *user;  /* -Z, or NULL */
	int list;	   /* -D */
	int realtime;	   /* --realtime */
	int immediate;	   /* --immediate-mode */
	int force;	   /* --force: binary to a terminal */
};

/*
 * Who to become once the source is open, and whose rights open the files
 * the user names (-r, -F): the caller's when root runs us through sudo.
 */
struct cap_priv {
	int switch_user; /* started as root: change uid and gid */
	uid_t uid;
	gid_t gid;
	int as_caller; /* run by sudo: open files as its caller */
	uid_t caller_uid;
	gid_t caller_gid; /* the caller's passwd group */
	char *caller_name;
	char *caller_home; /* whose saved filters are read */
	gid_t *groups;	   /* ours, kept while acting as the caller */
	int ngroups;
	gid_t egid;
};

struct cap_src {
	pcap_t *pc;
	int live;
	const char *name; /* interface, path, or "-" */
	int linktype;
	int snaplen;	/* what frames are cut to */
	int nano;	/* libpcap hands out nanoseconds */
	uint64_t start; /* live: the capture clock when it began, ns */
	int stream;	/* a file on a pipe or socket: flush as it comes */
};

/* opts.c */
void cap_opts_parse(struct cap_opts *o, int argc, char **argv);
char *cap_filter_file(const char *path, struct cap_priv *p);

/* source.c: exits with the documented status on failure */
void cap_open(struct cap_src *s, const struct cap_opts *o, struct cap_priv *p);
/*
 * Compiles and sets the filter; a bad one names where it came from: the
 * -F file, or the saved filter sf (either may be NULL).
 */
void cap_filter(struct cap_src *s, const char *expr, const char *ffile,
    const struct savedf *sf);
void cap_list_interfaces(void);

/* priv.c */
void cap_priv_resolve(struct cap_priv *p, const char *user);
void cap_priv_as_caller(struct cap_priv *p);
void cap_priv_as_self(struct cap_priv *p);
/* " (opened as user, who ran sudo)" for a message, or "". */
const char *cap_priv_whose(const struct cap_priv *p);
/*
 * A filter of one word that names a saved capture filter
 * (nm-filters(5), read with the caller's rights): its expression, in a
 * new string; else the filter itself.  Ends the program with
 * NM_EXIT_BADFILTER on a bad filters file.
 */
char *cap_filter_saved(
    char *filter, struct cap_priv *pv, const struct savedf **sfp);
void cap_priv_drop(const struct cap_priv *p);

/* loop.c: returns the exit status */
int cap_run(struct cap_src *s, const struct cap_opts *o, struct rec_writer *w);

#endif
