/*
 * Fuzz target: nm-stats' aggregation (stats/agg.c, flow.c, top.c, out.c,
 * table.c) fed whatever records the reader lets through: packets whose
 * layers are missing, empty, of odd address lengths, with wild
 * timestamps.  Small table caps make eviction happen all the time.  The
 * records nm-stats writes (stats, flow, end) go to an in-memory file and
 * are read back: each must pass the reader and its schema checks.
 *
 * Records go in through stats/feed.c, as in nm-stats itself, and their
 * DNS maps teach a small map of passive names (share/names.c, evicting
 * all the time) whose names the records written carry.  Summaries are
 * counted as nm-stats counts them (per span or only the final, by the
 * input), and summary records in the input are read as nm-stats --merge
 * reads them (stats/summary.c: untrusted bytes from files and buses),
 * added up with small sketches, and the sum written out and checked too.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "names.h"
#include "rec.h"
#include "stats.h"
#include "fuzz.h"

#define FZ_INTERVAL ST_NS /* one second of capture time */
#define FZ_FLOWS    16
#define FZ_HOSTS    16
#define FZ_TOP	    4
#define FZ_NAMES    8
#define FZ_K	    16 /* Space-Saving counters: full at once */

struct fz {
	struct agg agg;
	struct out out;
	struct names *names;
	struct sumgrid sg;
	struct summ rd, acc; /* a summary read, and their sum */
};

static void
report(struct fz *f)
{
	struct agg *a = &f->agg;
	struct flow **v;
	size_t i, n;

	out_stats(&f->out, a, a->last_ts, 1);
	v = flow_sorted(&a->flows, &n);
	for (i = 0; i < n; i++)
		out_flow(&f->out, v[i], "end");
	free(v);
	sumout_finish(a, &f->out);
	if (f->acc.merged > 0) {
		summ_write(rec_writer_pk(f->out.w), &f->acc);
		if (rec_writer_end(f->out.w) < 0)
			fz_fail("write failed");
	}
}

static void
release(struct fz *f)
{
	agg_free(&f->agg);
	out_free(&f->out);
	names_free(f->names);
	sumout_free(&f->sg);
	summ_free(&f->rd);
	summ_free(&f->acc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz f;
	struct rec_reader *r;
	struct rec_writer *w;
	struct rec rec;
	int in, outfd, rc;

	in = fz_memfd(data, size);
	outfd = fz_memfd_empty();
	r = rec_reader_open(in);
	w = rec_writer_open(outfd);
	agg_init(&f.agg, FZ_INTERVAL, FZ_FLOWS, FZ_HOSTS);
	f.agg.src_top = (size & 2) != 0; /* per-source top lists, or not */
	/* the sort order by the input, so both orders are fuzzed */
	out_init(&f.out, w, FZ_TOP, size & 1 ? TOP_BYTES : TOP_PACKETS);
	f.names = names_new(FZ_NAMES);
	f.out.names = f.names;
	sumout_init(&f.sg, size & 4 ? FZ_INTERVAL : 0, FZ_K, f.out.by);
	f.agg.sg = &f.sg;
	f.out.summ = &f.sg.cur;
	summ_init(&f.rd, FZ_K, TOP_PACKETS);
	summ_init(&f.acc, FZ_K, TOP_PACKETS);
	if (rec_write_header(w, NULL, "nm-stats") < 0)
		fz_fail("write failed");
	while ((rc = rec_read(r, &rec)) == 1) {
		if (rec.type == REC_PACKET)
			names_learn_packet(f.names, &rec.obj);
		if (rec.type == REC_FRAME || rec.type == REC_PACKET)
			feed_record(&f.agg, &f.out, &rec);
		else if (rec.type == REC_CAPSTATS)
			feed_capstats(&f.agg, &f.out, &rec);
		else if (rec.type == REC_HEADER) {
			feed_header(&f.agg, &rec);
			sumout_header(&f.sg, &rec.obj);
		} else if (rec.type == REC_SUMMARY &&
		    summ_read(&f.rd, &rec.obj) == NULL &&
		    (f.acc.merged == 0 || f.rd.by == f.acc.by)) {
			if (f.acc.merged == 0)
				f.acc.by = f.rd.by;
			summ_merge(&f.acc, &f.rd);
		}
	}
	if (rc == -1 && errno != EBADMSG)
		fz_fail("reader failed with errno %d, not EBADMSG", errno);
	report(&f);
	if (rec_write_end(w, "nm-stats", f.agg.frames, f.agg.packets, "eof") <
		0 ||
	    rec_writer_close(w) < 0)
		fz_fail("write failed");
	fz_check_stream(outfd, "nm-stats output");
	release(&f);
	rec_reader_close(r);
	close(in);
	close(outfd);
	return 0;
}
