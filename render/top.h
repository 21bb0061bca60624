/*
 * nm-render's top view (-m top): a full-screen table of who is talking
 * now, in the manner of iftop.  Three files, as htop keeps its terminal
 * layer apart from what it shows: top.c counts (the tables of
 * connections, hosts and ports, each row's rates over 2, 10 and 40
 * seconds of stream time, the header's figures) and orders the rows;
 * topdraw.c is the only file that talks to ncurses, drawing the screen
 * from the model top.c leaves; topkeys.c turns keys into changes of the
 * view (sort, pause, filter, names, help, quit).
 *
 * Time is the stream's: every rate comes from the packets' own
 * timestamps (and capstats records', which tick on a quiet link), so a
 * replayed stream shows what the live one did.  Only the refresh of the
 * screen follows the wall clock, once a second, on the stage driver's
 * tick.
 */
#ifndef TOP_H
#define TOP_H

#include <stdint.h>

#include "filter.h"
#include "names.h"
#include "render.h"
#include "stage.h"
#include "tab.h"

#define TOP_RING      40   /* seconds of each row's history: 40 s mean */
#define TOP_SPARK     120  /* seconds of the total's, for the sparkline */
#define TOP_ROWS_MAX  8192 /* rows of each table; more evict the idlest */
#define TOP_IDLE_NS   (60ULL * 1000000000ULL) /* a row idle this long goes */
#define TOP_LINES_MAX 256 /* rows the screen model holds (tall terminals) */
#define TOP_NCOLS     12  /* the most columns of a view */
#define TOP_NAME_W    96  /* a name kept for the screen (cut: it is a column) */

enum top_view { TV_CONN, TV_HOST, TV_PORT, TV_N };

/* What a column shows; also what it sorts by. */
enum top_col {
	TC_PROTO,
	TC_SRC,	  /* connection: the originator; host; port/proto */
	TC_DST,	  /* connection: the responder */
	TC_SVC,	  /* service */
	TC_STATE, /* TCP state from the flags seen */
	TC_R2,
	TC_R10,
	TC_R40,
	TC_SENT, /* bytes from the originator, the host, to the service */
	TC_RECV,
	TC_TOTAL,
	TC_PKTS,
	TC_GEO /* where the host or the responder is: last, shown with --geo */
};

/*
 * A row's identity: the tab's key (zero-padded).  The small fields come
 * first, so a table hashes only what its rows use (TOP_KEY_PORT bytes
 * for a port, TOP_KEY_HOST for a host, the whole key for a connection).
 */
struct top_key {
	uint16_t pa, pb;    /* conn: their ports; port: pa */
	uint8_t alen, blen; /* address lengths: 4, 16 (6: ARP's MAC) */
	uint8_t ipproto;    /* 6, 17, 1, 58; 0 for ARP */
	uint8_t view;
	uint8_t a[16], b[16]; /* conn: the two ends, a the lesser; host: a */
};
#define TOP_KEY_PORT 8
#define TOP_KEY_HOST 24

struct top_row {
	struct top_key k;	    /* first: the table's key */
	uint64_t pkts[2], bytes[2]; /* [0]: sent (see enum top_col) */
	uint64_t first, last;	    /* stream time */
	uint64_t sec;		    /* the stream second of ring[sec % RING] */
	uint32_t ring[TOP_RING];    /* bytes per second, both ways */
	uint32_t rank;		    /* place at the last refresh, from 1 */
	uint8_t orig;		    /* conn: the end (0: a) that spoke first */
	uint8_t flags[2];	    /* TCP flags seen, each way */
	char proto[8];		    /* the record's "proto" ("TCP", "DNS") */
	char service[16];	    /* the record's "service" */
	char server[TOP_NAME_W];    /* conn: the name its client asked for */
	double val;		    /* the sort column's value, at refresh */
};

/* One table: its rows and what was lost to its cap. */
struct top_table {
	struct tab t;
	uint64_t evicted, expired;
};

/* One shown row, copied at refresh: a paused screen draws from these. */
struct top_line {
	char proto[8];
	char a[48], b[48]; /* addresses as text, port after them */
	char an[TOP_NAME_W], bn[TOP_NAME_W]; /* names, or "" */
	char geo[24];			     /* "GB AS12345", or "" */
	uint16_t pa, pb;
	int ports; /* show the ports */
	char service[16], state[4];
	double r2, r10, r40; /* bit/s */
	uint64_t sent, recv, pkts;
	enum out_color color;
};

/* The model the screen is drawn from; frozen while paused. */
struct top_model {
	struct top_line line[TOP_LINES_MAX];
	int nline;
	uint64_t rows;	  /* rows of the table, filtered */
	double pps, bps;  /* the header's rate */
	int rate_from;	  /* 0: our 2 s mean; 1: nm-stats' interval */
	uint64_t drops;	  /* kernel and interface, from capstats/stats */
	double coverage;  /* nm-stats', or < 0: unknown */
	uint64_t packets; /* counted since start (the filter's) */
	uint64_t bytes;
	uint64_t evicted;	   /* of the shown table */
	uint64_t spark[TOP_SPARK]; /* bytes per second, oldest first */
	int nspark;
	uint64_t now; /* stream time of the model */
};

/* The whole view: options, tables, the keyboard's state, the screen. */
struct top {
	struct out *out;
	struct stage *st;
	struct top_table tab[TV_N];
	struct names *names;
	struct filter *filter; /* typed with '/', or -Y; NULL: all */
	char filter_text[256];
	uint64_t now;	    /* the newest stream time seen */
	uint64_t start;	    /* the first */
	uint64_t spark_sec; /* of spark[spark_sec % TOP_SPARK] */
	uint64_t spark[TOP_SPARK], spark_pkts[TOP_SPARK];
	uint64_t packets, bytes;       /* counted (the filter's) */
	uint64_t seen;		       /* packet records, all */
	uint64_t paused_at;	       /* seen when the pause began */
	double st_pps, st_bps, st_cov; /* the last stats record's */
	int have_stats;
	uint64_t cap_drop[64]; /* capstats, per source */
	uint64_t alerts;
	char alert[160];      /* the newest alert's message */
	uint64_t alert_wall;  /* when it came (monotonic) */
	struct strbuf final;  /* nm-stats' final report, as text */
	struct strbuf reason; /* the line the keys leave */

	/* the view as the keys set it */
	enum top_view view;
	int sortcol[TV_N]; /* an index into the view's columns */
	int reverse[TV_N];
	int paused, names_on, help, editing, quitting, ended;
	char edit[256];
	size_t nedit;
	char status[512]; /* a message for the status line, or "" */
	int status_err;
	int dirty;	       /* redraw at the next tick */
	uint64_t next_refresh; /* monotonic */

	struct top_model m;
	void *scr; /* topdraw.c's */
};

/* --- top.c --- */
/* The stage callbacks of -m top (main.c hands them to the driver). */
extern const struct stage_ops top_ops;
/*
 * Everything before the sandbox: the terminal (or one line and status 2
 * when stdout is not one, or TERM is unusable), the tables' hash key.
 */
void top_open(struct top *tp, struct out *o, const char *filter);
/* The keys of a packet the view reads, for rec_reader_want(). */
extern const char *const top_keys[];
/* Counts a packet record. */
void top_packet(struct top *tp, const msgpack_object *map);
/* Builds the model of the shown view at stream time tp->now. */
void top_refresh(struct top *tp);
/* Empties the tables (a new filter counts from now on). */
void top_clear(struct top *tp);
/* A column's title and what it is, for the header and the help. */
int top_columns(enum top_view v, const enum top_col **cols);
const char *top_col_name(enum top_view v, enum top_col c);

/* --- topdraw.c --- */
/* Opens the screen on /dev/tty (input) and stdout; 0, or -1 with why. */
int top_screen_open(struct top *tp, char *why, size_t whylen);
void top_screen_draw(struct top *tp);
/* Back to the normal screen. */
void top_screen_close(struct top *tp);
/* A key, or -1: none waiting (KEY_RESIZE when the size changed). */
int top_screen_key(struct top *tp);
/* Waits up to ms for a key: 1 a key may be waiting, 0 timeout, -1 EINTR */
int top_screen_wait(struct top *tp, int ms);

/* --- topkeys.c --- */
/* One key; returns 1 when the screen must be drawn again. */
int top_key(struct top *tp, int key);
/* The quit: every stage of the pipeline told, as Ctrl-C would. */
void top_quit(struct top *tp);

#endif
