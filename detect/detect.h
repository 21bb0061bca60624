/*
 * nm-detect's private interfaces.  The stage reads the decoded stream,
 * passes every record on, and hands each packet, reduced once to a struct
 * dpkt, to every detector module; a module counts what it watches in
 * bounded tables on the stream's own clock and raises alerts through
 * alert_raise(), which applies the ignore list and the suppression
 * interval and writes the alert record.  Thresholds and windows are
 * parameters (param.c): each module declares its own, with the default,
 * its source and its bounds, and every one is both an option and an entry
 * of the config file.
 */
#ifndef DETECT_H
#define DETECT_H

#include <stddef.h>
#include <stdint.h>

#include "rec.h"
#include "tab.h"

#define DT_NS 1000000000ULL

/* --- engine.c: the detectors as one, for the stage that runs them --- */

struct option;
struct stage;

/* getopt values of the settings' options start here */
#define DET_OPT 1000

/* Registers every module's parameters: first, before any option. */
void det_register(void);
/*
 * The stage's own options (nfixed of them) followed by one per setting
 * (--scan-ports ...), for getopt_long; argc bounds the settings given.
 */
struct option *det_options(const struct option *fixed, size_t nfixed, int argc);
/* A getopt value of a setting's option: kept (1), or not one (0). */
int det_option(int ch, char *arg);
/*
 * Reads the config file (config, or the default ones when NULL) and then
 * the settings' options; with show, prints them all and exits.
 */
void det_settings(const char *config, int show);
/* Sets the tables up; alerts go out through the stage's writer. */
void det_start(struct stage *st);
/* A packet record, after it went out (alerts follow what they are of). */
void det_packet(const msgpack_object *rec);
/* The stream's clock (a live capture's clock records) moved to ts. */
void det_clock(uint64_t ts);
/* The input is over: what is still waiting is judged. */
void det_finish(void);
/* The end record's detect map: alerts written, held back, evictions. */
void det_end_keys(struct pk *pk);
/* A header whose stages show that nm-detect ran upstream already. */
int det_upstream(const msgpack_object *hdr);

/* --- dpkt.c: one packet, as the detectors see it --- */

/* TCP flags (RFC 9293 §3.1) */
enum {
	TF_FIN = 0x01,
	TF_SYN = 0x02,
	TF_RST = 0x04,
	TF_PSH = 0x08,
	TF_ACK = 0x10,
	TF_URG = 0x20
};

struct dpkt {
	uint64_t ts, len;
	uint64_t ifx; /* "if", 0 when absent */
	/* Ethernet */
	int has_eth;
	uint8_t esrc[6], edst[6];
	/* ARP (Ethernet and IPv4 only: htype 1, ptype 0x0800) */
	int arp;
	unsigned arp_op;
	uint8_t sha[6], spa[4], tha[6], tpa[4];
	/* IP */
	int af; /* 4, 6, or 0: not IP */
	uint8_t src[16], dst[16];
	unsigned ipproto;
	/* TCP, UDP */
	int tcp, udp, ports;
	unsigned sport, dport;
	unsigned tcpflags;
	uint64_t tcplen; /* TCP payload bytes */
	int tcpopts_os;	 /* SACK-permitted, timestamps or window scale
			  * offered: what an operating system's own
			  * connect() sends, and a raw scanner's SYN lacks */
	uint64_t udplen; /* the UDP header's length */
	/* ICMP, ICMPv6 */
	int icmp;
	unsigned itype, icode;
	/* DNS: the whole map, for the DNS module to read */
	const msgpack_object *dns;
};

/* The keys of a packet record dpkt_read() looks at (rec_reader_want). */
extern const char *const dpkt_keys[];
void dpkt_read(const msgpack_object *rec, struct dpkt *p);

/* An address of af (4 or 6) is multicast or broadcast (IPv4: also the
 * limited broadcast), or unspecified: never the victim of a scan. */
int dpkt_addr_group(int af, const uint8_t *a);

/* --- param.c: thresholds and windows --- */

enum param_unit {
	PU_COUNT, /* a number of things */
	PU_SECS,  /* a span: seconds, or with s, m, h */
	PU_RATE,  /* per second */
	PU_BYTES,
	PU_LIST /* an entry that may be given many times: add() takes each */
};

struct param {
	const char *name; /* the option (--NAME) and the config entry */
	enum param_unit unit;
	uint64_t def, min, max; /* PU_SECS: in seconds */
	const char *help;	/* one line, for --help and the man page */
	uint64_t val;		/* set by param_setup(); PU_SECS in ns */
	int set;		/* given by the user (file or option) */
	/* PU_LIST: takes one value; where names the option or file:line */
	void (*add)(const char *value, const char *where);
};

/* A module's parameters: an array ended by an entry whose name is NULL. */
void param_register(struct param *list);
/* The value of a registered parameter (PU_SECS: nanoseconds). */
uint64_t param(const char *name);
/*
 * Reads the config file (path, or the default ones when NULL), then the
 * command line's settings, which win.  Exits with status 2 and one line
 * naming the file and line, or the option, on a bad entry.
 */
void param_setup(
    const char *path, int nset, const char **names, const char **values);
/* Every parameter, its value and whether the user set it (--show-config). */
void param_show(void);
/* The registered parameters, in order; *n says how many. */
struct param **param_all(size_t *n);

/* --- ignore.c: --ignore CIDR[#port] --- */

/* Adds an entry; where names the option or file:line for the error. */
void ignore_add(const char *spec, const char *where);
/*
 * Whether an actor (the scanner, the flooder, the client) is ignored: its
 * address is in an entry's prefix and, for an entry with a port, either
 * port given (0: none) is that port.
 */
int ignored(int af, const uint8_t *addr, unsigned port1, unsigned port2);
int ignore_count(void);

/* --- alert.c: alert records, suppressed per (kind, source, target) --- */

#define ALERT_EVIDENCE 5 /* packets an alert carries as evidence */
#define ALERT_TARGETS  8 /* sampled targets */

struct evidence {
	uint64_t ts;
	const char *proto; /* "TCP", "UDP", "ICMP", "ARP", "DNS" */
	int af;		   /* of src and dst; 0: none */
	uint8_t src[16], dst[16];
	unsigned ipproto; /* for the Community ID */
	int ports;
	unsigned sport, dport;
	int has_flags, has_icmp, has_arp, has_rcode, has_mac;
	unsigned flags, icmp_type, arp_op, rcode;
	uint8_t mac[6];
	char name[256]; /* a DNS name, or "" */
	uint64_t len;	/* 0: not shown */
};

struct target {
	int af;
	uint8_t addr[16];
	int has_port;
	unsigned port;
};

struct alert {
	const char *kind;     /* port_scan, host_sweep, ... (nm-records(5)) */
	const char *style;    /* SYN, connect, UDP, ARP, mac_change, ... */
	const char *scan;     /* vertical, horizontal, block, or NULL */
	const char *severity; /* low, medium, high */
	const char *proto;    /* TCP, UDP, ICMP, ARP, DNS, or NULL */
	uint64_t ts;	      /* when it was raised: stream time */
	int af;		      /* of src (and dst) */
	uint8_t src[16], dst[16];
	int has_dst, has_port;
	unsigned port;
	uint64_t count, threshold, window; /* window: ns */
	uint64_t first, last;
	uint64_t ports, hosts, senders; /* 0: not shown */
	double pps;			/* 0: not shown */
	int has_mac, has_old_mac, has_eth_src;
	uint8_t mac[6], old_mac[6], eth_src[6];
	char domain[256]; /* "" when none */
	/* what, besides kind and src, one suppression key names: the
	 * victim, the port, the domain ("" for the source alone) */
	char target[300];
	char msg[512];
	struct evidence ev[ALERT_EVIDENCE];
	int nev;
	struct target tg[ALERT_TARGETS];
	int ntg;
	/* the flow of the first evidence packet, when it has ports or ICMP */
	int has_cid;
};

struct alert_counts {
	uint64_t alerts, suppressed, evicted;
};

struct stage;
void alert_init(struct stage *st, uint64_t suppress_ns, size_t max_keys);
/* Starts an alert of a kind at stream time ts (fields zeroed). */
void alert_begin(
    struct alert *a, const char *kind, const char *severity, uint64_t ts);
void alert_add_evidence(struct alert *a, const struct evidence *e);
void alert_add_target(
    struct alert *a, int af, const uint8_t *addr, int has_port, unsigned port);
/*
 * Writes the alert unless its source is ignored or the same (kind,
 * source, target) was written less than the suppression interval before
 * (then counts it: the next one written says how many were held back).
 */
void alert_raise(struct alert *a);
/* Detectors count evictions of their state here too. */
void alert_evicted(uint64_t n);
/*
 * The passive names (share/names.h) alerts put beside their addresses
 * (src_name, dst_name); NULL: none.  The program that runs the engine
 * keeps the map and teaches it.
 */
struct names;
void alert_names(const struct names *n);
const struct alert_counts *alert_counts(void);
/* An evidence entry of a packet: its addresses, ports and TCP flags. */
void evidence_of(struct evidence *e, const struct dpkt *p, const char *proto);

/* --- evict.c --- */

/*
 * Makes room in a full table: removes the oldest of a few entries picked
 * at random, by the 8-byte time at ts_off in each entry; counts it.
 */
void dt_evict(struct tab *t, size_t ts_off);

/* --- the detector modules --- */

struct det_module {
	const char *name;
	struct param *params; /* NULL-named end */
	void (*init)(void);   /* after param_setup() */
	void (*packet)(const struct dpkt *);
	/* the stream's clock moved to ts: expire what timed out */
	void (*tick)(uint64_t ts);
	void (*finish)(uint64_t ts); /* the input is over */
};

extern const struct det_module scan_module, flood_module, arp_module,
    dns_module;

/* Shared formatting: an address as text (af 4 or 6, or a MAC: af 0). */
const char *dt_addr(int af, const uint8_t *a, char *buf, size_t len);

#endif
