/*
 * nm-web's shared declarations.  Two threads: the stage's (main.c and
 * hub.c: it reads the record stream, passes it on, and turns what the page
 * shows into events) and libmicrohttpd's one polling thread (http.c: it
 * answers requests and writes each browser's queue out).  What they share
 * is the hub, behind one mutex: the history the page starts from and a
 * bounded queue of events per browser.  The stage thread never waits on
 * a browser: an event that does not fit a browser's queue is dropped for
 * that browser and counted, so a slow or vanished page costs the pipeline
 * nothing but the copy.
 */
#ifndef WEB_H
#define WEB_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

#define WEB_HISTORY   600	 /* chart points kept (10 min at -I 1) */
#define WEB_ALERTS    200	 /* alerts kept for a page opened late */
#define WEB_ALERT_MEM (2u << 20) /* ... and the bytes they may hold */
#define WEB_CLIENTS   16	 /* event streams at once */
#define WEB_QUEUE     (2u << 20) /* bytes waiting for one browser */
#define WEB_SOURCES   64	 /* capture sources whose counters show */
#define WEB_PING      (15ULL * 1000000000ULL) /* ns: a comment to idle pages */
#define WEB_TOKEN_MAX 128

struct web_point {
	uint64_t t; /* end of the interval, ns since the epoch */
	double pps, bps;
};

/* One browser's event stream; the hub's, freed when the response is. */
struct web_client {
	struct web_client *next;
	struct web_hub *hub;
	void *conn;	  /* its struct MHD_Connection */
	struct strbuf q;  /* bytes not yet handed to libmicrohttpd */
	size_t off;	  /* q.p[off, q.len) is what waits */
	int suspended;	  /* waiting for an event, out of the poll */
	uint64_t dropped; /* events that did not fit */
};

struct web_hub {
	pthread_mutex_t mu;
	/* the history a page opened late starts from */
	struct web_point hist[WEB_HISTORY];
	size_t nhist, hhead; /* hhead: where the next point goes */
	char *stats;	     /* the last stats record, JSON, or NULL */
	char *alerts[WEB_ALERTS];
	size_t nalerts, ahead, alert_bytes;
	char *capstats[WEB_SOURCES]; /* each source's last, JSON, or NULL */
	char *header;		     /* the stream's header, JSON, or NULL */
	char *end;		     /* the stream's end, once it came */
	int ended;
	/* the browsers */
	struct web_client *clients;
	unsigned nclients;
	/* figures for the end record */
	uint64_t served, events, dropped, dropped_bytes, refused;
	/* http.c's: puts a suspended stream back in the poll */
	void (*resume)(void *arg, void *conn);
	void *resume_arg;
};

/* hub.c: called with the hub unlocked; they lock it themselves. */
void hub_init(struct web_hub *);
/* An event for every browser: "event: kind\ndata: json\n\n". */
void hub_publish(
    struct web_hub *, const char *kind, const char *json, size_t len);
void hub_point(struct web_hub *, const struct web_point *);
void hub_stats(struct web_hub *, const char *json, size_t len);
void hub_alert(struct web_hub *, const char *json, size_t len);
void hub_capstats(struct web_hub *, unsigned src, const char *json, size_t len);
void hub_header(struct web_hub *, const char *json, size_t len);
void hub_end(struct web_hub *, const char *json, size_t len);
/* A comment line that keeps idle streams open, and finds gone ones. */
void hub_ping(struct web_hub *);
/* The whole state as one JSON object (what /state and a new stream get). */
void hub_snapshot(struct web_hub *, struct strbuf *out);
/* Whether any browser still has an open stream. */
unsigned hub_clients(struct web_hub *);
/* With the lock held: the snapshot, for a stream opening. */
void hub_snapshot_locked(struct web_hub *, struct strbuf *out);

/* http.c */
struct web_http;
struct web_listen {
	char host[64]; /* as given, for the URL */
	int fd;	       /* bound and listening */
	unsigned port; /* the port bound (0 given: the kernel's) */
	int loopback;  /* 127.0.0.0/8 or ::1 */
	char token[WEB_TOKEN_MAX + 1]; /* "" when none is asked */
};
/*
 * Binds [ADDR:]PORT; a bad address is a usage error, a port that cannot
 * be had (in use, not ours) a failure: one line either way.
 */
void web_bind(struct web_listen *, const char *spec);
/* Starts libmicrohttpd's thread on the bound socket; exits on failure. */
struct web_http *web_http_start(const struct web_listen *, struct web_hub *);
void web_http_stop(struct web_http *);
/* Constant-time compare of a given token with ours (lengths may differ). */
int web_token_ok(const char *want, const char *got);

#endif
