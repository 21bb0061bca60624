/*
 * The stage driver: the one loop every program that reads a record stream
 * runs on (nm-decode, nm-stats, nm-render, and every stage after them).
 *
 * It owns what is the same in every stage: the reader on stdin and, for a
 * stage that writes records, the writer on stdout; the header rule (a
 * stage always writes a header first, even when its input was empty or
 * stopped short, then its end record last); the mapping of how the input
 * ended to the documented exit statuses; one signal policy; flushing when
 * the input goes idle; and periodic work, as a tick the stage asks for.
 * A stage supplies only its own logic, as the callbacks of struct
 * stage_ops.
 *
 * With STAGE_REALTIME (a stage's --realtime) a saved stream is replayed at
 * the pace it was recorded: each record with a time (frame, packet, a
 * capture's clock record) is handed to the stage when its offset from
 * the capture's start (the header's, else the first such record's) has
 * passed on this machine's clock; records never wait for a time before
 * one already reached.
 *
 * Signals: the first SIGINT or SIGTERM lets a piped input drain (upstream
 * got the same signal and will end the stream, so the final figures
 * cover everything captured); on any other input, or at the second
 * signal, the stage stops reading at once.  Either way it finishes
 * normally: final figures, end record with reason "signal", status 0.
 *
 * How the input ends, and the status:
 *   end of stream after upstream's end record	"eof", 0
 *   end of stream without one (upstream died,
 *   no input at all, or upstream said "early")	"early", 8 (one line,
 *						or none if upstream said so)
 *   a malformed record				"early", 3 (one line)
 *   a read error				"early", 1 (one line)
 *   a write error					1 (one line); EPIPE: 0,
 *quietly In every case but a write error the stage's finish callback runs and
 * the end record is written, so nothing already read is lost.
 */
#ifndef STAGE_H
#define STAGE_H

#include <stdint.h>

#include "rec.h"

struct stage;

/* Why the input stopped, as the end record's reason says it. */
enum stage_end {
	STAGE_EOF,   /* the stream ended whole */
	STAGE_EARLY, /* it stopped short, or went bad */
	STAGE_SIGNAL /* a signal stopped it */
};

struct stage_ops {
	/* "nm-decode": added to the header's stages, producer of the end */
	const char *name;
	/* writes a record stream on stdout (0: text, as nm-render) */
	int records_out;
	/*
	 * A header record arrived.  The driver passes it on (with this
	 * stage added to its "stages") right after this returns.
	 */
	void (*header)(struct stage *, const struct rec *hdr);
	/* Every record but headers, in order. */
	void (*record)(struct stage *, const struct rec *);
	/*
	 * Periodic work.  Called when the input goes idle and whenever the
	 * deadline it last returned has passed (also on a busy input);
	 * now and the deadline are CLOCK_MONOTONIC nanoseconds.  Returns
	 * the next deadline, or 0 for none.
	 */
	uint64_t (*tick)(struct stage *, uint64_t now);
	/* Writes out output the stage buffers itself (text). */
	void (*flush)(struct stage *);
	/* The input is over: final figures, before the end record. */
	void (*finish)(struct stage *, enum stage_end why);
	/* Keys of the stage's own in its end record (arg: the stage), or NULL
	 */
	void (*end_keys)(struct pk *, void *stage);
	/*
	 * Several inputs (stage_open_inputs) only.  The header to write once
	 * every input's header has come (each went to header first) or its
	 * input ended; NULL: a header of the stage's own.
	 */
	const msgpack_object *(*merged_header)(struct stage *);
	/* Input i is over (ok: with its end records). */
	void (*input_end)(struct stage *, size_t i, int ok);
};

/* One of several inputs. */
struct stage_in {
	const char *name; /* the path as given; "stdin" for - */
	struct rec_reader *r;
	int open; /* not at its end yet */
	int headed;
};

struct stage {
	const struct stage_ops *ops;
	void *arg; /* the stage's own context */
	struct rec_reader *r;
	struct rec_writer *w; /* NULL unless records_out */
	/* counted by the stage, for its end record */
	uint64_t frames, packets;
	/* the driver's own */
	int pipe_in;	   /* stdin is a pipe: drain it */
	int headed;	   /* a header has gone out */
	uint64_t deadline; /* of tick, or 0 */
	int realtime;	   /* STAGE_REALTIME */
	int paced;	   /* pace_t0 and pace_wall0 are set */
	uint64_t pace_t0, pace_wall0;
	/* several inputs: each one, and which the record at hand is from */
	struct stage_in *in;
	size_t nin, input;
	int status; /* the worst an input ended with */
};

/* stage_open() flags */
#define STAGE_FORCE    1 /* write records even to a terminal */
#define STAGE_REALTIME 2 /* hand records on at the pace they were made */

/*
 * Opens the reader on stdin and (records_out) the writer on stdout, and
 * sets the signal policy: everything the stage needs before its sandbox.
 * Exits with one line if it cannot, and (records_out, without
 * STAGE_FORCE) when stdout is a terminal: binary records are never what
 * anyone wants on a screen.
 */
void stage_open(
    struct stage *st, const struct stage_ops *ops, void *arg, int flags);
/* Reads the stream to its end; returns the exit status. */
int stage_run(struct stage *st);
/*
 * A stage of several inputs (nm-stats --merge): opens each path ("-" is
 * stdin) as stage_open opens stdin.  stage_run then reads them all at
 * once, a batch from each in turn, and waits in poll() on all of them;
 * records go to the callbacks with st->input saying whose.  An input
 * that goes bad or stops short is reported in one line naming it and
 * closed, the others read on; the status is the worst of theirs.
 */
void stage_open_inputs(struct stage *st, const struct stage_ops *ops, void *arg,
    int flags, char *const *paths, size_t n);

/* The packer for one record of the stage's own; then stage_end_record(). */
struct pk *stage_pk(struct stage *st);
void stage_end_record(struct stage *st);
/* Passes a record on unchanged. */
void stage_pass(struct stage *st, const struct rec *rec);
/* Monotonic clock, nanoseconds (the clock of tick deadlines). */
uint64_t stage_now(void);

#endif
