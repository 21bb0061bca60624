/*
 * ledger: the last stage of the ledger test's pipeline.  It reads the
 * record stream with share/'s reader and accounts for every packet that
 * seqsend sent: it marks the sequence number in each packet record's UDP
 * payload (at "poff" in "data"), and keeps the last capstats and every
 * stage's end record.  At the end it prints one line of key=value figures:
 *
 *	sent	 COUNT given with -n (what seqsend says it sent)
 *	seen	 distinct sequence numbers below COUNT; missing = sent - seen
 *	dups	 sequence numbers seen more than once; stray: not ours, or
 *		 beyond COUNT
 *	recv drop ifdrop	the last capstats (nm-capture's final one)
 *	cap_frames		nm-capture's end record: frames written
 *	dec_frames dec_packets	nm-decode's: frames in, packets out
 *	st_frames st_packets	nm-stats': frames and packets counted
 *	whole			1 when the stream ended with its end records
 *
 *	ledger -n COUNT [-w READYFILE]
 *
 * -w creates READYFILE when the header arrives, so the test starts the
 * sender only once nm-capture is capturing.  Exit status as every stage:
 * 0, 3 malformed stream, 8 input ended early.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nm.h"
#include "rec.h"

#define LG_MAXCOUNT	1000000000ULL

struct ledger {
	uint64_t	 sent;
	uint8_t		*bits;		/* one per sequence number */
	uint64_t	 seen, dups, stray, packets;
	uint64_t	 recv, drop, ifdrop;
	uint64_t	 cap_frames, dec_frames, dec_packets;
	uint64_t	 st_frames, st_packets;
};

static void
lg_packet(struct ledger *lg, const msgpack_object *m)
{
	const uint8_t *d;
	uint64_t poff, seq = 0;
	size_t n;
	int i;

	lg->packets++;
	if (!rec_get_bin(m, "data", &d, &n) || !rec_get_u64(m, "poff", &poff) ||
	    poff > n || n - poff < 12 || memcmp(d + poff, "NMSQ", 4) != 0) {
		lg->stray++;
		return;
	}
	for (i = 0; i < 8; i++)
		seq = seq << 8 | d[poff + 4 + (size_t)i];
	if (seq >= lg->sent) {
		lg->stray++;
		return;
	}
	if (lg->bits[seq / 8] & (1u << (seq % 8))) {
		lg->dups++;
		return;
	}
	lg->bits[seq / 8] |= (uint8_t)(1u << (seq % 8));
	lg->seen++;
}

static void
lg_end(struct ledger *lg, const msgpack_object *m)
{
	const char *p;
	size_t n;
	uint64_t fr = 0, pk = 0;

	if (!rec_get_str(m, "producer", &p, &n))
		return;
	rec_get_u64(m, "frames", &fr);
	rec_get_u64(m, "packets", &pk);
	if (n == 10 && memcmp(p, "nm-capture", n) == 0)
		lg->cap_frames = fr;
	else if (n == 9 && memcmp(p, "nm-decode", n) == 0) {
		lg->dec_frames = fr;
		lg->dec_packets = pk;
	} else if (n == 8 && memcmp(p, "nm-stats", n) == 0) {
		lg->st_frames = fr;
		lg->st_packets = pk;
	}
}

int
main(int argc, char **argv)
{
	static struct ledger lg;
	const char *ready = NULL;
	struct rec_reader *r;
	struct rec rec;
	int ch, rc, fd, whole;

	nm_init(argv[0]);
	while ((ch = getopt(argc, argv, "n:w:")) != -1) {
		switch (ch) {
		case 'n':
			lg.sent = (uint64_t)estrtonum(optarg, 0,
			    (long long)LG_MAXCOUNT, "-n");
			break;
		case 'w':
			ready = optarg;
			break;
		default:
			fputs("usage: ledger -n count [-w readyfile]\n", stderr);
			return NM_EXIT_USAGE;
		}
	}
	lg.bits = ecalloc(lg.sent / 8 + 1, 1);
	r = rec_reader_open(STDIN_FILENO);
	while ((rc = rec_read(r, &rec)) != 0) {
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0)
			nm_die(errno == EBADMSG ? NM_EXIT_BADSTREAM :
			    NM_EXIT_FAIL, "stdin: %s", rec_reader_error(r));
		switch (rec.type) {
		case REC_HEADER:
			if (ready != NULL && (fd = open(ready, O_WRONLY |
			    O_CREAT | O_CLOEXEC, 0644)) >= 0)
				close(fd);
			ready = NULL;
			break;
		case REC_PACKET:
			lg_packet(&lg, &rec.obj);
			break;
		case REC_CAPSTATS:
			rec_get_u64(&rec.obj, "recv", &lg.recv);
			rec_get_u64(&rec.obj, "drop", &lg.drop);
			rec_get_u64(&rec.obj, "ifdrop", &lg.ifdrop);
			break;
		case REC_END:
			lg_end(&lg, &rec.obj);
			break;
		default:
			break;
		}
	}
	whole = rec_reader_saw_end(r);
	printf("sent=%llu seen=%llu missing=%llu dups=%llu stray=%llu "
	    "packets=%llu recv=%llu drop=%llu ifdrop=%llu cap_frames=%llu "
	    "dec_frames=%llu dec_packets=%llu st_frames=%llu st_packets=%llu "
	    "whole=%d\n",
	    (unsigned long long)lg.sent, (unsigned long long)lg.seen,
	    (unsigned long long)(lg.sent - lg.seen),
	    (unsigned long long)lg.dups, (unsigned long long)lg.stray,
	    (unsigned long long)lg.packets, (unsigned long long)lg.recv,
	    (unsigned long long)lg.drop, (unsigned long long)lg.ifdrop,
	    (unsigned long long)lg.cap_frames,
	    (unsigned long long)lg.dec_frames,
	    (unsigned long long)lg.dec_packets,
	    (unsigned long long)lg.st_frames,
	    (unsigned long long)lg.st_packets, whole);
	if (fflush(stdout) != 0)
		nm_die(NM_EXIT_FAIL, "stdout: %s", strerror(errno));
	rc = whole ? NM_EXIT_OK : nm_early(rec_reader_error(r));
	rec_reader_close(r);
	free(lg.bits);
	return rc;
}
