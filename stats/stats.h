/*
 * nm-stats' private interfaces: the connection tracker (flow.c), the aggregates
 * a packet updates (agg.c), top-N selection (top.c) and the records it writes
 * (out.c).  Everything is driven by the stream's time (packet timestamps, and a
 * live capture's start and clock records), never by the wall clock, so a saved
 * stream read at any speed gives the same records as the live run.
 */
#ifndef STATS_H
#define STATS_H

#include <stddef.h>
#include <stdint.h>

#include "rec.h"
#include "siphash.h"
#include "sketch.h"
#include "tab.h"
#include "stats-limits.h"

#define ST_NS	    1000000000ULL
#define ST_NPROTO   64	       /* distinct protocol names; more go to "other" */
#define ST_PROTOLEN 24	       /* a protocol name, NUL included */
#define ST_NSOURCES 64	       /* sources counted apart, drops added up */
#define ST_GAPMAX   100	       /* empty intervals in a row; more: a jump */
#define ST_TMAX	    UINT64_MAX /* the capture clock's end */

/*
 * Capture time plus a span, stopping at the end of the clock instead of
 * wrapping: a pcapng can hold timestamps up to 2^64 - 1 ns, and a sum
 * that wrapped would put an interval's end before its start.
 */
static inline uint64_t
st_add(uint64_t t, uint64_t span)
{
	return t > ST_TMAX - span ? ST_TMAX : t + span;
}

/* Idle timeouts of connections, in nanoseconds of capture time. */
#define FLOW_TMO_CLOSED (5 * ST_NS)   /* FIN both ways, RST, rejected */
#define FLOW_TMO_TCP	(300 * ST_NS) /* TCP otherwise */
#define FLOW_TMO_OTHER	(60 * ST_NS)  /* UDP, ICMP, other IP protocols */

/* --- a packet record, reduced to what the figures need --- */
struct pview {
	uint64_t ts, len;
	uint64_t ifx;	   /* "if": the source's index (0 when absent) */
	const char *proto; /* "proto" of the record, or NULL */
	size_t protolen;
	int af; /* 4, 6, or 0: not IP */
	uint8_t src[16], dst[16];
	unsigned ipproto;
	int ports; /* sport and dport are set */
	unsigned sport, dport;
	int tcp; /* tcp map present */
	unsigned tcpflags;
	uint64_t tcplen; /* payload bytes */
	uint32_t tcpseq;
	int has_seq;
	int icmp; /* icmp or icmpv6 map present */
	unsigned itype, icode, iid;
	int has_itype, has_iid;
	unsigned svcport; /* the decoder's, or 0 */
	/* the server name a client asked for (tls.sni of a ClientHello,
	 * http.host of a request), into the record; or NULL */
	const char *server;
	size_t serverlen;
};

int pview_read(const msgpack_object *, struct pview *);
/*
 * The keys of a packet record pview_read() looks at (rec_reader_want):
 * "if" first, so that pview_keys + 1 is all but the source, which a
 * stream of one source has no use for.
 */
extern const char *const pview_keys[];

/* --- flow.c: bidirectional connections --- */

struct flow_key {
	uint8_t a[16], b[16]; /* the lower endpoint is a */
	uint16_t pa, pb;
	uint8_t af, proto;
	uint8_t pad[2];
};

/* Per-direction events: the history letters, in this order. */
enum {
	EV_SYN = 1,
	EV_SYNACK = 2,
	EV_ACK = 4,
	EV_DATA = 8,
	EV_FIN = 16,
	EV_RST = 32
};

struct flow {
	struct flow_key k;
	uint64_t pkts[2], bytes[2]; /* 0: originator, 1: responder */
	uint64_t first, last;
	uint16_t svcport;     /* 0: none */
	uint8_t orig_b;	      /* the originator is endpoint b */
	uint8_t ev[2];	      /* EV_ bits seen, per direction */
	uint8_t rst_first;    /* 1 + direction of the first RST */
	uint8_t itype, icode; /* ICMP: the first message's */
	uint8_t has_syn_seq;  /* syn_seq holds the originator's SYN's */
	uint8_t first_resp;   /* the first packet was the responder's */
	uint8_t noports;      /* nor had it ports or an ICMP type */
	uint32_t syn_seq;
	char hist[13];	 /* letters in order of first sight */
	uint64_t sp, sb; /* packets and bytes when the summary's span began */
	uint64_t srv;	 /* the server name asked for (servers.c), 0: none */
};

struct flow_tab {
	struct tab t;
	uint64_t seen; /* flows created since start */
	uint64_t evicted;
	uint64_t reused;      /* ended by a new SYN on their tuple */
	uint64_t since_sweep; /* packets since the last sweep */
	uint64_t rng;
};

typedef void (*flow_emit_fn)(void *, const struct flow *, const char *);

void flow_init(struct flow_tab *, size_t cap);
/* Adds a packet to its connection; emits what eviction pushed out. */
struct flow *flow_packet(
    struct flow_tab *, const struct pview *, flow_emit_fn, void *);
/* Ends connections idle past their timeout at capture time now. */
void flow_sweep(struct flow_tab *, uint64_t now, flow_emit_fn, void *);
const char *flow_state(const struct flow *);
const char *flow_proto(const struct flow *);
/* Originator's address and port, then the responder's. */
void flow_ends(const struct flow *, const uint8_t **src, const uint8_t **dst,
    unsigned *sport, unsigned *dport);
size_t flow_addrlen(const struct flow *);
uint64_t flow_timeout(const struct flow *);
/* Sorts the table's flows by first sight (for the report at the end). */
struct flow **flow_sorted(const struct flow_tab *, size_t *n);

/* --- agg.c: every figure a stats record reports --- */

/* servers.c's table (its functions are below, with top.c's) */
#define SRV_MAX	    4096 /* names kept */
#define SRV_NAMELEN 256	 /* a name, NUL included: longer ones are cut */

struct srv_tab {
	struct tab t;
	size_t cap;
	uint64_t evicted;
	uint64_t rng;
};

struct srv_top {
	const char *name; /* in the table: valid until its next change */
	uint64_t flows, packets, bytes, key;
};

struct host_key {
	uint8_t addr[16];
	uint8_t af;
	uint8_t pad[7];
};

struct host {
	struct host_key k;
	uint64_t txp, txb, rxp, rxb;
	uint64_t last;
	uint64_t sp, sb; /* packets and bytes when the summary's span began */
};

struct proto_count {
	char name[ST_PROTOLEN];
	uint64_t packets, bytes;
};

struct port_count {
	uint64_t packets, bytes;
};

struct src_stats {
	int seen;
	uint64_t recv, drop, ifdrop, late;
};

/*
 * One source's own figures, when the stream has several (per_source):
 * its packets and bytes, its protocols by the slot of agg's proto table
 * (so a packet finds its protocol once, for the totals and its source),
 * and with --per-source-top its own endpoint table.
 */
struct src_fig {
	char *name; /* rec_source_name()'s; "other" for the last slot */
	uint64_t ipkts, ibytes, tpkts, tbytes;
	struct port_count proto[ST_NPROTO];
	struct tab hosts; /* used with --per-source-top only */
	uint64_t hosts_evicted;
	uint64_t rng; /* which host hosts forgets */
};

struct agg {
	/*
	 * The interval grid: [start, end), aligned on a live capture's
	 * start, else on the first packet, or on the first time after a jump
	 * (grid_ts).  An interval that reaches the
	 * end of the clock ends there (end == ST_TMAX) and holds it.
	 */
	uint64_t interval;
	int started;
	uint64_t last_ts, start, end;
	uint64_t grid_ts;	  /* where the grid began */
	uint64_t run_before;	  /* capture time of earlier grids */
	int jumped;		  /* this interval follows a jump */
	uint64_t ipkts, ibytes;	  /* this interval */
	uint64_t tpkts, tbytes;	  /* since start */
	uint64_t frames, packets; /* records read, by type */
	struct proto_count proto[ST_NPROTO];
	size_t nproto;
	struct port_count *tcp_ports, *udp_ports; /* 65536 each */
	struct tab hosts;
	uint64_t hosts_evicted;
	struct flow_tab flows;
	struct srv_tab servers;
	struct src_stats src[ST_NSOURCES];
	/*
	 * Per source, when the header names more than one: a slot per
	 * source up to ST_NSOURCES, then one "other" slot that counts the
	 * sources past them and every "if" the header does not name.  NULL
	 * for a stream of one source: its records are what they always were.
	 */
	struct src_fig *sf;
	size_t nsf;	  /* slots, "other" included */
	size_t nsrc;	  /* sources the header names */
	int src_top;	  /* --per-source-top */
	size_t max_hosts; /* -H: each source's endpoint table's too */
	uint64_t rng;
	struct sumgrid *sg; /* the summaries being counted, or NULL */
};

void agg_init(
    struct agg *, uint64_t interval, size_t max_flows, size_t max_hosts);
/*
 * Counts a frame or packet record of source ifx (pv NULL for a frame:
 * totals only).
 */
void agg_count(struct agg *, uint64_t ts, uint64_t len, uint64_t ifx,
    const struct pview *, flow_emit_fn, void *);
/* Learns the sources from a header: per-source figures when several. */
void agg_sources(struct agg *, const msgpack_object *hdr);
void agg_free(struct agg *);
void agg_capstats(struct agg *, const msgpack_object *);
/*
 * Capture drop counters summed over sources; 0 when none were seen.  A
 * source's own (late too): agg_src_capture(), for slot i of agg's sf.
 */
int agg_capture(
    const struct agg *, uint64_t *recv, uint64_t *drop, uint64_t *ifdrop);
int agg_src_capture(const struct agg *, size_t slot, struct src_stats *);

/* --- top.c: the N largest of a table --- */

enum top_by { TOP_PACKETS, TOP_BYTES };

/* --- servers.c: the server names clients asked for --- */

void srv_init(struct srv_tab *, size_t cap);
void srv_free(struct srv_tab *);
/* The id of a connection's name (counted as one more connection). */
uint64_t srv_note(struct srv_tab *, const char *name, size_t len);
const char *srv_name(const struct srv_tab *, uint64_t id);
/* An ended connection's packets and bytes go to its name. */
void srv_flow_end(struct srv_tab *, const struct flow *);
/*
 * The n best names, with the open connections of ft counted in: *out is
 * allocated (free it), ranked by packets or bytes.
 */
size_t srv_top(const struct srv_tab *, const struct flow_tab *, enum top_by,
    struct srv_top **out, size_t n);

/* Fills out[] with up to n entries, largest first; returns how many. */
size_t top_hosts(const struct tab *, enum top_by, int which,
    const struct host **out, size_t n);
/*
 * The best connections that have ended: copies of at most max, ranked
 * as the top lists are, so a connection that closed, went idle or was
 * pushed out still competes with the open ones.
 */
struct cand; /* top.c's */
struct top_keep {
	struct flow *f;	   /* max slots, n of them used */
	struct cand *heap; /* over f, the worst kept at the root */
	size_t n, max;
	enum top_by by;
};
void keep_init(struct top_keep *, size_t max, enum top_by);
void keep_free(struct top_keep *);
void keep_offer(struct top_keep *, const struct flow *);
/* The n best of the table's connections and the keep's (NULL: none). */
size_t top_flows(const struct tab *, const struct top_keep *, enum top_by,
    const struct flow **out, size_t n);
struct top_port {
	unsigned port, proto;
	uint64_t packets, bytes;
};
size_t top_ports(
    const struct agg *, enum top_by, struct top_port *out, size_t n);
/* which: */
enum { TOP_BOTH, TOP_TX, TOP_RX };

/* --- out.c: the records nm-stats writes --- */

struct out {
	struct rec_writer *w;
	unsigned ntop;
	enum top_by by;
	/* scratch for the top lists, ntop long each */
	const struct host **hosts;
	const struct flow **flows;
	struct top_port *ports;
	struct top_keep ended; /* the best connections that have ended */
	/* the passive names put beside addresses (NULL: -N, none) */
	const struct names *names;
	struct summ *summ;	 /* ended connections' sizes go here, or NULL */
	struct srv_tab *servers; /* the names asked for (agg's), or NULL */
	struct geo *geo;	 /* where public addresses are, or NULL: none */
};

void out_init(struct out *, struct rec_writer *, unsigned ntop, enum top_by);
void out_free(struct out *);
void out_stats(struct out *, const struct agg *, uint64_t end, int final);
/* Pieces of a stats record, for nm-stats --merge's too. */
const char *out_service(unsigned port, unsigned proto);
void pack_protos(struct pk *, struct proto_count *, size_t n, uint64_t tpkts,
    uint64_t tbytes);
void pack_capture(struct pk *, uint64_t recv, uint64_t drop, uint64_t ifdrop,
    const uint64_t *late);
void pack_counts(struct pk *, uint64_t ipkts, uint64_t ibytes, uint64_t tpkts,
    uint64_t tbytes, uint64_t span, uint64_t run);
/* A flow record; one that ended (any reason but "end") joins o->ended. */
void out_flow(void *out, const struct flow *, const char *reason);

/* --- summary.c: the figures that merge (the "summary" record) --- */

#define SUMM_K		 512   /* Space-Saving counters of each list */
#define SUMM_KMAX	 65536 /* the most a record may say */
#define SUMM_COUNTERS(k) ((k)*32 > 65536 ? 65536 : (k)*32)
#define SUMM_NSRC	 (ST_NSOURCES + 1)
#define SUMM_SRCLEN	 64

struct summ_src {
	char name[SUMM_SRCLEN];
	uint64_t packets, bytes;
	int capture; /* recv, drop and ifdrop are known */
	uint64_t recv, drop, ifdrop;
};

struct summ {
	uint64_t start, end; /* capture time, [start, end) */
	int final;	     /* the whole stream's */
	uint64_t merged;     /* summaries added up in it (0: counted) */
	enum top_by by;	     /* what the heavy lists rank */
	size_t k;	     /* the entries of each list a record holds */
	uint64_t packets, bytes, nflows; /* nflows: connections begun */
	struct proto_count proto[ST_NPROTO];
	size_t nproto;
	struct summ_src src[SUMM_NSRC];
	size_t nsrc;
	struct hll dhosts, dports, dflows;
	struct ss hosts, ports, flows;
	struct hist pkt, fbytes, fpkts;
};

void summ_init(struct summ *, size_t k, enum top_by);
/* One that counts packets: more counters, the k largest written. */
void summ_init_counting(struct summ *, size_t k, size_t counters, enum top_by);
void summ_free(struct summ *);
/* Empties it, keeping k and by. */
void summ_clear(struct summ *);
/*
 * What is counted per packet: a frame or packet of len bytes from source
 * slot src_slot, and a packet's protocol (agg's slot and name).  The rest
 * is read from nm-stats' own tables when a span closes, each host's and
 * connection's packets since the span began, so that the heavy lists
 * and distinct counts cost nothing per packet.
 */
void summ_count(struct summ *, uint64_t len, size_t src_slot);
void summ_proto(struct summ *, size_t slot, const char *name, uint64_t len);
/* A host's packets since the span began (then the span begins anew). */
void summ_host(struct summ *, struct host *);
/* A connection's, still open at a span's end. */
void summ_flow_part(struct summ *, struct flow *);
/* A connection that ended: what it had since the span began, its sizes. */
void summ_flow(struct summ *, const struct flow *);
/* A service port's packets and bytes in the span (proto 6 or 17). */
void summ_port(struct summ *, unsigned proto, unsigned port, uint64_t packets,
    uint64_t bytes);
/* A packet's own service port (distinct ports). */
void summ_port_seen(struct summ *, unsigned proto, unsigned port);
void summ_merge(struct summ *dst, const struct summ *src);
/* The record, whole (type included). */
void summ_write(struct pk *, const struct summ *);
/* Reads a summary record; returns what is wrong with it, or NULL. */
const char *summ_read(struct summ *, const msgpack_object *);

/* --- sumout.c: when nm-stats writes its summaries --- */

struct sumgrid {
	struct summ cur;      /* the span being counted */
	struct summ tot;      /* with intervals: the spans written so far */
	uint64_t every;	      /* --summary-interval in ns; 0: the final only */
	uint64_t first, last; /* the stream's counted time */
	int started;
	struct src_stats
	    base[ST_NSOURCES];	     /* capture counters at cur's start */
	uint64_t flows_base;	     /* flows seen at cur's start */
	struct port_count *pbase;    /* agg's port counts at cur's start */
	uint8_t pseen[2][65536 / 8]; /* the packets' service ports: TCP, UDP */
	char srcname[SUMM_SRCLEN];   /* a stream of one source: its name */
};

void sumout_init(struct sumgrid *, uint64_t every, size_t k, enum top_by);
void sumout_free(struct sumgrid *);
/* The first source's name (a stream of one source). */
void sumout_header(struct sumgrid *, const msgpack_object *hdr);
/* Capture time ts has come: writes the spans it ended. */
void sumout_tick(struct agg *, struct out *, uint64_t ts);
/* The stream is over (its flows ended): the last span and the final. */
void sumout_finish(struct agg *, struct out *);

/* --- merge.c: nm-stats --merge --- */

/* The command line asks for --merge. */
int merge_wanted(int argc, char **argv);
int merge_main(int argc, char **argv);

/* --- feed.c --- */
/* Counts a packet or frame record, closing the intervals it passed. */
void feed_record(struct agg *, struct out *, const struct rec *);
/* A live capture's start, from a header, begins the grid. */
void feed_header(struct agg *, const struct rec *);
/* Capture counters; a clock (ts) closes the intervals it passed. */
void feed_capstats(struct agg *, struct out *, const struct rec *);
/* Ends the current interval: idle flows out, then its stats record. */
void feed_close(struct agg *, struct out *);

#endif
