/*
 * nm-capture's private interface: the options, the open source and the
 * phases main() runs in order (parse, resolve the user, open, filter, drop
 * privilege, loop).  This is the one privileged program of the suite, and
 * it never looks inside a packet: it moves libpcap's frames into records.
 */
#ifndef CAP_H
#define CAP_H

#include <stdint.h>
#include <stdio.h>
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

/*
 * Sources at once: the header's sources and the frames' "if" index them.
 * Each live one is a kernel ring of its own (32 MiB by default), so this
 * bounds memory too; a glob that finds more files than this is refused.
 */
#define CAP_SOURCES_MAX 64
/* The most files --concat reads as one source, or a glob may name. */
#define CAP_FILES_MAX 10000
/*
 * Frames of several live sources leave in timestamp order: a frame is
 * held until every other source has a frame after it, or until it is this
 * old and a quiet source cannot still hold an earlier one in a ring block
 * not handed over (the block timeout, CAP_TIMEOUT_MS, is the most a frame
 * waits there).  Five times that leaves room for a busy scheduler.
 */
#define CAP_MERGE_WINDOW_NS (5ULL * CAP_TIMEOUT_MS * 1000000ULL)

struct cap_opts {
	const char **ifaces; /* -i, in order */
	int nifaces;
	const char **files; /* -r, in order ("-": stdin), globs expanded */
	int nfiles;
	int concat;		     /* --concat: the files are one source */
	char *filter;		     /* BPF expression, "" when none */
	const char *ffile;	     /* -F, or NULL */
	int snaplen;		     /* -s, 0 when not given */
	uint64_t count;		     /* -c, 0 for no limit */
	int promisc;		     /* cleared by -p */
	int bufkib;		     /* -B, 0 for libpcap's default */
	const char *user;	     /* -Z, or NULL */
	int list;		     /* -D */
	const char *netns;	     /* -D --netns NAME or all */
	int realtime;		     /* --realtime */
	int immediate;		     /* --immediate-mode */
	int force;		     /* --force: binary to a terminal */
	const char *since, *until;   /* --since, --until as given */
	uint64_t since_ns, until_ns; /* read (cap_when), before the sandbox */
	int since_rel, until_rel;    /* ...and after the first frame's time */
	int fanout;		     /* --fanout GROUP, 0 when not given */
	const char *fanout_mode;     /* ...its MODE's name: hash, lb, ... */
	int fanout_arg;		     /* ...and PACKET_FANOUT's type and flags */
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

/* One source: an interface, a file, or files read one after another. */
struct cap_src {
	pcap_t *pc;
	int live;
	char *name;	   /* as the header names it: eth0, blue/eth0, a path */
	const char *iface; /* live: the interface's own name */
	char *netns;	   /* live: the namespace ("blue", "pid:42"), or NULL */
	char *ifname;	   /* a pcapng file's: its interface's if_name */
	int linktype;
	int snaplen;	    /* what frames are cut to */
	int nano;	    /* libpcap hands out nanoseconds */
	uint64_t start;	    /* live: the capture clock when it began, ns */
	int stream;	    /* a file on a pipe or socket: flush as it comes */
	const char **files; /* --concat: the files, the first open */
	FILE **fps;	    /* ...each opened before the privilege drop */
	int nfiles, at;
	/* a source in another namespace: its interface counters */
	int nlfd;
	unsigned ifindex;
	uint64_t ifdrop0; /* at the start */
	/*
	 * A pcapng file libpcap refuses (interfaces of other link types or
	 * snaplens, pngread.c): one source per interface, the first of them
	 * reading the file for all (png_base: its index); the filter is
	 * compiled for each and applied here.
	 */
	struct png_reader *png;
	int png_base, png_owner;
	pcap_t *dead; /* for the filter's compiling */
	struct bpf_program prog;
	int filtered;
	struct pcap_pkthdr hbuf;
	/* the merge: the frame in hand, valid until the next read */
	int has, done;
	int ifx; /* the source it is of: this one, or png_base + its if */
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t ts;
	uint64_t frames, late;
};

struct cap_set {
	struct cap_src v[CAP_SOURCES_MAX];
	int n;
	uint64_t since, until; /* ns; 0: none */
};

/* opts.c */
void cap_opts_parse(struct cap_opts *o, int argc, char **argv);
/* fanout.c: --fanout GROUP[:MODE] into o, or a usage error. */
void cap_fanout_parse(struct cap_opts *o, const char *arg);
/* --fanout: the live source s joins the group, or the program ends. */
void cap_fanout_join(const struct cap_src *s, const struct cap_opts *o);
char *cap_filter_file(const char *path, struct cap_priv *p);

/* source.c: exits with the documented status on failure */
void cap_open(
    struct cap_set *set, const struct cap_opts *o, struct cap_priv *p);
/*
 * Compiles and sets the filter on every source; a bad one names where it
 * came from: the -F file, or the saved filter sf (either may be NULL).
 */
void cap_filter(struct cap_set *set, const char *expr, const char *ffile,
    const struct savedf *sf);
/* Opens the next of a --concat source's files; 0 when there is none. */
int cap_next_file(struct cap_src *s);
/* -D: the interfaces here, numbered from *n, names after prefix. */
void cap_list_interfaces(const char *prefix, int *n);
/* -r's globs, expanded with the caller's rights; exits if none match. */
void cap_expand_files(struct cap_opts *o, struct cap_priv *p);

/* netns.c: sources in other network namespaces */
/*
 * Splits "NETNS/IFACE" or "pid:N/IFACE" into a new *ns and *iface (in
 * spec); 0 when spec names an interface of our own namespace.
 */
int cap_ns_split(const char *spec, char **ns, const char **iface);
/* Enters ns for spec's sake; returns our namespace's fd, to come back. */
int cap_ns_enter(const char *ns, const char *spec);
void cap_ns_leave(int self, const char *spec);
/*
 * In the namespace of the moment: a netlink socket and the interface's
 * index, for cap_ns_ifdrop() from anywhere later; -1 on failure.
 */
int cap_ns_counters(struct cap_src *s);
/* The interface's drops (missed and FIFO, as libpcap counts them). */
int cap_ns_ifdrop(const struct cap_src *s, uint64_t *drops);
/* -D --netns NAME|all: after our own, each namespace's interfaces. */
void cap_list_netns(const char *which);

/* when.c: --since and --until */
/*
 * TIME as ns since the epoch: ISO 8601 with a zone, epoch seconds with a
 * fraction; or "+10m", ns after the capture's start, with *rel set.
 * Exits with status 2 naming opt when it is none of these.  Before the
 * sandbox: the time functions read /etc/localtime.
 */
uint64_t cap_when(const char *opt, const char *arg, int *rel);

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
int cap_run(
    struct cap_set *set, const struct cap_opts *o, struct rec_writer *w);

#endif
