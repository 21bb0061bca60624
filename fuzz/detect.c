/*
 * Fuzz target: the detectors (detect/, as nm-stats and nm-detect run
 * them) fed whatever records the reader lets through: packets with
 * layers missing or of the wrong shape, DNS maps of any content, ARP of
 * odd lengths, timestamps that jump and go back.  Tiny thresholds make
 * alerts fire all the time, tiny table caps make eviction constant.  The
 * alerts go to an in-memory file and are read back: each must pass the
 * reader and its schema checks.
 *
 * The engine's state is the program's (as in a stage): it is set up at
 * the first input and carries over from one input to the next, as a
 * long stream would.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "detect.h"
#include "fuzz.h"
#include "rec.h"
#include "stage.h"

/* Settings: thresholds at their least, tables nearly at their least. */
static const char *fz_names[] = { "suppress", "alert-keys", "scan-ports",
	"scan-window", "sweep-hosts", "sweep-window", "scan-attempt-timeout",
	"scan-attempts", "scan-sets", "syn-rate", "syn-window", "syn-hosts",
	"syn-pending", "ignore" };
static const char *fz_values[] = { "2", "16", "2", "1", "2", "1", "1", "64",
	"64", "1", "1", "64", "64", "10.0.0.0/8#53" };

static struct stage st;

static void
setup(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	det_register();
	param_setup("/dev/null", (int)(sizeof(fz_names) / sizeof(fz_names[0])),
	    fz_names, fz_values);
	det_start(&st);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rec_reader *r;
	struct rec rec;
	uint64_t ts;
	int in, outfd, rc;

	setup();
	in = fz_memfd(data, size);
	outfd = fz_memfd_empty();
	r = rec_reader_open(in);
	st.w = rec_writer_open(outfd);
	if (rec_write_header(st.w, NULL, "nm-detect") < 0)
		fz_fail("write failed");
	while ((rc = rec_read(r, &rec)) == 1) {
		if (rec.type == REC_PACKET)
			det_packet(&rec.obj);
		else if (rec.type == REC_CAPSTATS &&
		    rec_get_u64(&rec.obj, "ts", &ts))
			det_clock(ts);
	}
	if (rc == -1 && errno != EBADMSG)
		fz_fail("reader failed with errno %d, not EBADMSG", errno);
	det_finish();
	if (rec_write_end(st.w, "nm-detect", 0, 0, "eof") < 0 ||
	    rec_writer_close(st.w) < 0)
		fz_fail("write failed");
	st.w = NULL;
	fz_check_stream(outfd, "the alerts");
	rec_reader_close(r);
	close(in);
	close(outfd);
	return 0;
}
