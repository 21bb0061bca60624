/*
 * The hub: what the page shows, kept between the stage thread that
 * learns it from the stream and libmicrohttpd's thread that sends it.
 * Everything here is bounded: WEB_HISTORY chart points in a ring, the
 * last WEB_ALERTS alerts (and no more than WEB_ALERT_MEM bytes of them),
 * the last stats record and each source's last capture counters, and per
 * browser a queue of at most WEB_QUEUE bytes.  An event that does not fit
 * a queue is dropped for that browser, whole (a page never sees half an
 * event), and counted; the records themselves never wait.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nm.h"
#include "web.h"

void
hub_init(struct web_hub *h)
{
	memset(h, 0, sizeof(*h));
	pthread_mutex_init(&h->mu, NULL);
}

static char *
dupn(const char *s, size_t n)
{
	char *p = emalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* Adds an event to one queue if it fits; 1 if it did. */
static int
enqueue(struct web_client *c, const char *ev, size_t n)
{
	if (c->off > 0 && c->off == c->q.len)
		c->off = c->q.len = 0;
	if (c->q.len - c->off + n > WEB_QUEUE)
		return 0;
	if (c->off > 0 && c->q.cap - c->q.len < n) {
		/* slide what waits to the front before growing */
		memmove(c->q.p, c->q.p + c->off, c->q.len - c->off);
		c->q.len -= c->off;
		c->off = 0;
	}
	sb_add(&c->q, ev, n);
	return 1;
}

/*
 * Queues ev for every browser and wakes those waiting for one: outside
 * the lock, as a stream that is suspended cannot end (and be freed)
 * before it is resumed.
 */
static void
broadcast(struct web_hub *h, const char *ev, size_t n, int counted)
{
	void *wake[WEB_CLIENTS];
	struct web_client *c;
	size_t nwake = 0, i;

	pthread_mutex_lock(&h->mu);
	for (c = h->clients; c != NULL; c = c->next) {
		if (!enqueue(c, ev, n)) {
			if (counted) {
				c->dropped++;
				h->dropped++;
				h->dropped_bytes += n;
			}
			continue;
		}
		if (c->suspended && nwake < WEB_CLIENTS) {
			c->suspended = 0;
			wake[nwake++] = c->conn;
		}
	}
	if (counted)
		h->events++;
	pthread_mutex_unlock(&h->mu);
	for (i = 0; i < nwake; i++)
		h->resume(h->resume_arg, wake[i]);
}

void
hub_publish(struct web_hub *h, const char *kind, const char *json, size_t len)
{
	struct strbuf ev = { 0 };

	sb_adds(&ev, "event: ");
	sb_adds(&ev, kind);
	sb_adds(&ev, "\ndata: ");
	sb_add(&ev, json, len);
	sb_adds(&ev, "\n\n");
	broadcast(h, ev.p, ev.len, 1);
	free(ev.p);
}

void
hub_ping(struct web_hub *h)
{
	static const char ping[] = ": ping\n\n";

	broadcast(h, ping, sizeof(ping) - 1, 0);
}

static void
point_json(struct strbuf *b, const struct web_point *p)
{
	char num[96];

	snprintf(num, sizeof(num), "[%llu,%.17g,%.17g]",
	    (unsigned long long)(p->t / 1000000), p->pps, p->bps);
	sb_adds(b, num);
}

void
hub_point(struct web_hub *h, const struct web_point *p)
{
	struct strbuf b = { 0 };

	pthread_mutex_lock(&h->mu);
	h->hist[h->hhead] = *p;
	h->hhead = (h->hhead + 1) % WEB_HISTORY;
	if (h->nhist < WEB_HISTORY)
		h->nhist++;
	pthread_mutex_unlock(&h->mu);
	point_json(&b, p);
	hub_publish(h, "point", b.p, b.len);
	free(b.p);
}

/* What a page opened late is shown of a kind: the last one, in slot. */
static void
keep_last(struct web_hub *h, char **slot, const char *json, size_t len)
{
	char *keep = dupn(json, len), *old;

	pthread_mutex_lock(&h->mu);
	old = *slot;
	*slot = keep;
	pthread_mutex_unlock(&h->mu);
	free(old);
}

void
hub_stats(struct web_hub *h, const char *json, size_t len)
{
	keep_last(h, &h->stats, json, len);
	hub_publish(h, "stats", json, len);
}

void
hub_alert(struct web_hub *h, const char *json, size_t len)
{
	char *keep = dupn(json, len);
	size_t first;

	pthread_mutex_lock(&h->mu);
	/* the oldest go, for room in count and in bytes */
	while (h->nalerts > 0 &&
	    (h->nalerts == WEB_ALERTS ||
		h->alert_bytes + len > WEB_ALERT_MEM)) {
		first = (h->ahead + WEB_ALERTS - h->nalerts) % WEB_ALERTS;
		h->alert_bytes -= strlen(h->alerts[first]);
		free(h->alerts[first]);
		h->alerts[first] = NULL;
		h->nalerts--;
	}
	h->alerts[h->ahead] = keep;
	h->ahead = (h->ahead + 1) % WEB_ALERTS;
	h->nalerts++;
	h->alert_bytes += len;
	pthread_mutex_unlock(&h->mu);
	hub_publish(h, "alert", json, len);
}

/* The sources' names, for the capture table. */
void
hub_header(struct web_hub *h, const char *json, size_t len)
{
	keep_last(h, &h->header, json, len);
	hub_publish(h, "header", json, len);
}

void
hub_capstats(struct web_hub *h, unsigned src, const char *json, size_t len)
{
	if (src < WEB_SOURCES)
		keep_last(h, &h->capstats[src], json, len);
	hub_publish(h, "capstats", json, len);
}

void
hub_end(struct web_hub *h, const char *json, size_t len)
{
	void *wake[WEB_CLIENTS];
	struct web_client *c;
	size_t nwake = 0, i;

	if (json != NULL)
		hub_publish(h, "end", json, len);
	pthread_mutex_lock(&h->mu);
	if (json != NULL && h->end == NULL)
		h->end = dupn(json, len);
	h->ended = 1;
	/* each stream ends once its queue is out */
	for (c = h->clients; c != NULL; c = c->next)
		if (c->suspended && nwake < WEB_CLIENTS) {
			c->suspended = 0;
			wake[nwake++] = c->conn;
		}
	pthread_mutex_unlock(&h->mu);
	for (i = 0; i < nwake; i++)
		h->resume(h->resume_arg, wake[i]);
}

unsigned
hub_clients(struct web_hub *h)
{
	unsigned n;

	pthread_mutex_lock(&h->mu);
	n = h->nclients;
	pthread_mutex_unlock(&h->mu);
	return n;
}

void
hub_snapshot_locked(struct web_hub *h, struct strbuf *b)
{
	char num[64];
	size_t i, first;
	int any = 0;

	sb_adds(b, "{\"history\":[");
	first = (h->hhead + WEB_HISTORY - h->nhist) % WEB_HISTORY;
	for (i = 0; i < h->nhist; i++) {
		if (i > 0)
			sb_addc(b, ',');
		point_json(b, &h->hist[(first + i) % WEB_HISTORY]);
	}
	sb_adds(b, "],\"stats\":");
	sb_adds(b, h->stats != NULL ? h->stats : "null");
	sb_adds(b, ",\"alerts\":[");
	first = (h->ahead + WEB_ALERTS - h->nalerts) % WEB_ALERTS;
	for (i = 0; i < h->nalerts; i++) {
		if (i > 0)
			sb_addc(b, ',');
		sb_adds(b, h->alerts[(first + i) % WEB_ALERTS]);
	}
	sb_adds(b, "],\"capstats\":[");
	for (i = 0; i < WEB_SOURCES; i++)
		if (h->capstats[i] != NULL) {
			if (any++)
				sb_addc(b, ',');
			sb_adds(b, h->capstats[i]);
		}
	sb_adds(b, "],\"header\":");
	sb_adds(b, h->header != NULL ? h->header : "null");
	sb_adds(b, ",\"end\":");
	sb_adds(b, h->end != NULL ? h->end : "null");
	snprintf(num, sizeof(num), ",\"dropped\":%llu}",
	    (unsigned long long)h->dropped);
	sb_adds(b, num);
}

void
hub_snapshot(struct web_hub *h, struct strbuf *b)
{
	pthread_mutex_lock(&h->mu);
	hub_snapshot_locked(h, b);
	pthread_mutex_unlock(&h->mu);
}
