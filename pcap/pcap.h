/*
 * nm-pcap's parts: the capture file's output (out.c), which writes whole
 * blocks only and, on a write error, cuts the file back to the last whole
 * one so it stays a valid capture; the pcapng writer (pcapng.c); and the
 * classic pcap writer through libpcap's dumper (classic.c).  main.c
 * reads the record stream and feeds them.
 */
#ifndef PCAP_H
#define PCAP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "strbuf.h"

/* The file and what of it is known to be whole. */
struct out {
	const char *name; /* as the user gave it, for messages */
	int fd;
	int regular;	   /* a regular file: can be cut back */
	uint64_t off;	   /* bytes written to it */
	struct strbuf buf; /* whole blocks not yet written */
	size_t *ends;	   /* where each block in buf ends */
	size_t nends, capends;
	int err; /* errno of the first failure, then nothing is written */
	/*
	 * The last block stays in buf when flushing (a packet an alert may
	 * still be attached to, png_comment()); out_close() writes it.
	 */
	int hold;
};

/* Opens path ("-": stdout) for writing; -1 with errno. */
int out_open(struct out *o, const char *path);
/* The same for a descriptor already open (a rotated file). */
void out_open_fd(struct out *o, int fd, const char *name);
/* The buffer to build a block in: append, then out_block_end(). */
static inline struct strbuf *
out_sb(struct out *o)
{
	return &o->buf;
}
/* The bytes appended since the last block end make one block. */
void out_block_end(struct out *o);
/*
 * Writes out the whole blocks buffered.  -1 with errno (o->err) on a
 * failure: then the file is cut back to its last whole block.
 */
int out_flush(struct out *o);
/* Buffered bytes past which out_block_end() flushes. */
#define OUT_FLUSH_AT (64 * 1024)
/* Flushes and closes; -1 with errno. */
int out_close(struct out *o);

/* One capture source, as the stream's header names it. */
struct src {
	const char *name;
	uint32_t linktype;
	uint32_t snaplen;
	const char *filter; /* NULL: none */
};

/* One packet to write. */
struct pkt {
	uint32_t ifid; /* the writer's interface id */
	uint64_t ts;   /* ns since the epoch */
	const uint8_t *data;
	uint32_t caplen;     /* bytes in data */
	uint32_t len;	     /* on the wire */
	int dir;	     /* 0 unknown, 1 inbound, 2 outbound */
	const char *comment; /* NULL: none */
	size_t commentlen;
};

/* An interface's counters at the end. */
struct ifstats {
	int seen; /* a capstats record came */
	uint64_t recv, drop, ifdrop;
	uint64_t first, last; /* earliest and latest time, 0 unknown */
};

/* --- pcapng.c --- */
void png_section(struct out *o, const char *app);
void png_interface(struct out *o, const struct src *s);
void png_packet(struct out *o, const struct pkt *p);
/*
 * One more comment on the packet block png_packet() wrote last, which
 * must still be in the buffer (o->hold kept it there).
 */
void png_comment(struct out *o, const char *text, size_t n);
void png_stats(
    struct out *o, uint32_t ifid, const struct ifstats *st, uint64_t now);

/* --- classic.c --- */
struct classic;
/* NULL with a message in why when libpcap cannot make the dumper. */
struct classic *classic_open(
    struct out *o, uint32_t linktype, uint32_t snaplen, char *why, size_t n);
void classic_packet(struct classic *c, struct out *o, const struct pkt *p);
void classic_close(struct classic *c);

/* --- rotate.c --- */
#define ROT_NAME_MAX 4096
struct rot_opts {
	const char *base; /* -w's pattern */
	uint64_t size;	  /* -C bytes, or 0 */
	uint64_t packets; /* -P, or 0 */
	unsigned secs;	  /* -G, or 0 */
	unsigned ring;	  /* -W, or 0 */
	const char *cmd;  /* -z, or NULL */
};
struct rot {
	int sock;
	pid_t pid;
};
/* Forks the helper that opens the files; before the filter. */
void rot_start(struct rot *rt, const struct rot_opts *r);
/* The next file for the period (seconds); its fd, or -1 with errno. */
int rot_next(struct rot *rt, uint64_t period, char *name, size_t n);
/* Says the file is closed, so the helper runs -z on it now. */
#define ROT_CLOSED UINT64_MAX
void rot_closed(struct rot *rt);
/* Hangs up (the helper runs -z on the last file) and waits for it. */
void rot_end(struct rot *rt);

#endif
