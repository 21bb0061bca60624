/*
 * nm-web: the web dashboard, a stage.  It reads the record stream on
 * stdin, passes every record on when stdout is not a terminal (so it can
 * sit between nm-stats and nm-render), and serves one page that shows the
 * stream live: packets/s and bit/s charts, the protocol mix, top talkers
 * and connections, alerts, capture drops and coverage.  The page's
 * figures are nm-stats' stats records as they come (so the page agrees
 * with the text report); without nm-stats upstream, nm-web counts the
 * packets of each second of stream time itself, for the charts only.
 *
 * It listens on a socket, so it is a process of its own with a seccomp
 * list of its own: the socket is bound first, privilege (if started as
 * root) dropped, then the filter goes on before libmicrohttpd's thread
 * starts, and a second, narrower one (no new threads) once it runs.
 */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/random.h>

#include "nm.h"
#include "priv.h"
#include "rec.h"
#include "sandbox.h"
#include "stage.h"
#include "web.h"

struct opts {
	const char *listen; /* -l [ADDR:]PORT */
	const char *token;  /* --token, or NULL */
	unsigned linger;    /* --linger seconds */
	int realtime;	    /* --realtime */
	const char *user;   /* -Z */
};

struct ctx {
	struct stage st;
	struct web_hub hub;
	struct web_listen l;
	struct web_http *http;
	struct strbuf json; /* one record as JSON, reused */
	int saw_stats;	    /* nm-stats is upstream: its figures rule */
	/* our own count, per second of stream time, until then */
	uint64_t sec, packets, bytes;
	uint64_t ping; /* when idle pages next get a comment */
};

static const char usage_text[] =
    "usage: nm-web [-l [ADDR:]PORT] [--token TOKEN] [--linger seconds]\n"
    "              [--realtime] [-Z user]\n";

static void __attribute__((noreturn)) usage(void)
{
	nm_usage(usage_text, NM_EXIT_USAGE);
}

static void
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "token", required_argument, NULL, 'T' },
		{ "linger", required_argument, NULL, 'L' },
		{ "realtime", no_argument, NULL, 'R' },
		{ "user", required_argument, NULL, 'Z' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	memset(o, 0, sizeof(*o));
	o->listen = "8080";
	while ((ch = getopt_long(argc, argv, "l:hZ:", longopts, NULL)) != -1)
		switch (ch) {
		case 'l': o->listen = optarg; break;
		case 'T': o->token = optarg; break;
		case 'L':
			o->linger =
			    (unsigned)estrtonum(optarg, 0, 86400, "--linger");
			break;
		case 'R': o->realtime = 1; break;
		case 'Z': o->user = optarg; break;
		case 'h': nm_usage(usage_text, NM_EXIT_OK);
		case 'V': nm_version("nm-web");
		default: usage();
		}
	if (optind != argc)
		nm_bad_usage("unexpected argument: %s", argv[optind]);
}

/*
 * The token: the one given (16 to 128 characters a URL and a cookie
 * carry as they are), or 128 random bits as hex; none on loopback unless
 * one was given.
 */
static void
token_setup(struct web_listen *l, const char *given)
{
	static const char ok[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				 "abcdefghijklmnopqrstuvwxyz0123456789-_.~";
	unsigned char r[16];
	size_t i, n;

	if (given != NULL) {
		n = strlen(given);
		if (n < 16 || n > WEB_TOKEN_MAX || strspn(given, ok) != n)
			nm_bad_usage("--token: 16 to %d letters, digits or "
				     "-_.~",
			    WEB_TOKEN_MAX);
		memcpy(l->token, given, n + 1);
		return;
	}
	if (l->loopback)
		return;
	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		nm_die(NM_EXIT_FAIL, "getrandom: %s", strerror(errno));
	for (i = 0; i < sizeof(r); i++)
		snprintf(l->token + 2 * i, 3, "%02x", r[i]);
}

/* Started as root: the socket is ours, the rest needs no privilege. */
static void
drop_root(const char *user)
{
	struct passwd *pw = NULL;
	char why[256];
	const char *unfit;

	if (geteuid() == 0) {
		if (user == NULL && nm_sudo_caller(&pw, why, sizeof(why)) < 0)
			nm_die(NM_EXIT_USAGE, "%s", why);
		if (pw == NULL &&
		    (pw = getpwnam(user != NULL ? user : "nobody")) == NULL)
			nm_die(user != NULL ? NM_EXIT_USAGE : NM_EXIT_FAIL,
			    "user %s: no such user",
			    user != NULL ? user : "nobody");
		if ((unfit = nm_account_unfit(pw)) != NULL)
			nm_die(
			    NM_EXIT_USAGE, "user %s: %s", pw->pw_name, unfit);
		ebecome(pw->pw_uid, pw->pw_gid);
		if (ecaps_left(0))
			nm_die(NM_EXIT_FAIL,
			    "capabilities remain after "
			    "changing user");
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		nm_die(NM_EXIT_FAIL, "no_new_privs: %s", strerror(errno));
}

/* --- the stage --- */

static const char *
as_json(struct ctx *cx, const struct rec *rec, size_t *len)
{
	cx->json.len = 0;
	if (json_write(&cx->json, &rec->obj) < 0)
		return NULL;
	/* one line, its newline cut: an event's data line */
	if (cx->json.len > 0 && cx->json.p[cx->json.len - 1] == '\n')
		cx->json.len--;
	*len = cx->json.len;
	return cx->json.p;
}

static void
on_stats(struct ctx *cx, const struct rec *rec)
{
	struct web_point p;
	const char *j;
	size_t n;
	int final = 0;

	cx->saw_stats = 1;
	(void)rec_get_bool(&rec->obj, "final", &final);
	if (!final) {
		p.t = (uint64_t)rec_num(&rec->obj, "interval.end");
		p.pps = rec_num(&rec->obj, "rate.pps");
		p.bps = rec_num(&rec->obj, "rate.bps");
		hub_point(&cx->hub, &p);
	}
	if ((j = as_json(cx, rec, &n)) != NULL)
		hub_stats(&cx->hub, j, n);
}

/* No nm-stats upstream: a chart point per second of stream time. */
static void
count(struct ctx *cx, const struct rec *rec)
{
	struct web_point p;
	uint64_t ts = 0, len = 0, sec, q;

	if (cx->saw_stats || !rec_get_u64(&rec->obj, "ts", &ts) || ts == 0)
		return;
	sec = ts / 1000000000u;
	if (sec > cx->sec && cx->sec != 0) {
		p.t = (cx->sec + 1) * 1000000000u;
		p.pps = (double)cx->packets;
		p.bps = (double)cx->bytes * 8;
		hub_point(&cx->hub, &p);
		cx->packets = cx->bytes = 0;
		/* quiet seconds are zeros (no more than the chart holds) */
		q = sec - cx->sec - 1 > WEB_HISTORY ? sec - WEB_HISTORY
						    : cx->sec + 1;
		for (p.pps = p.bps = 0; q < sec; q++) {
			p.t = (q + 1) * 1000000000u;
			hub_point(&cx->hub, &p);
		}
	}
	if (sec > cx->sec)
		cx->sec = sec;
	if (rec->type != REC_CAPSTATS) {
		(void)rec_get_u64(&rec->obj, "len", &len);
		cx->packets++;
		cx->bytes += len;
	}
}

/*
 * nm-stats upstream: its figures make the charts, not our own count.
 * The page names the capture's sources as the header does.
 */
static void
on_header(struct stage *st, const struct rec *hdr)
{
	struct ctx *cx = st->arg;
	const char *j;
	size_t n;

	if (rec_header_has_stage(&hdr->obj, "nm-stats"))
		cx->saw_stats = 1;
	if ((j = as_json(cx, hdr, &n)) != NULL)
		hub_header(&cx->hub, j, n);
}

static void
on_record(struct stage *st, const struct rec *rec)
{
	struct ctx *cx = st->arg;
	uint64_t src = 0;
	const char *j;
	size_t n;

	switch (rec->type) {
	case REC_FRAME:
	case REC_PACKET:
		st->packets += rec->type == REC_PACKET;
		st->frames += rec->type == REC_FRAME;
		count(cx, rec);
		break;
	case REC_STATS: on_stats(cx, rec); break;
	case REC_ALERT:
		if ((j = as_json(cx, rec, &n)) != NULL)
			hub_alert(&cx->hub, j, n);
		break;
	case REC_CAPSTATS:
		count(cx, rec);
		(void)rec_get_u64(&rec->obj, "if", &src);
		if ((j = as_json(cx, rec, &n)) != NULL)
			hub_capstats(&cx->hub, (unsigned)src, j, n);
		break;
	default: break;
	}
	if (st->w != NULL)
		stage_pass(st, rec);
}

/* Idle pages get a comment now and then: a gone one is found by it. */
static uint64_t
on_tick(struct stage *st, uint64_t now)
{
	struct ctx *cx = st->arg;

	if (now >= cx->ping) {
		if (cx->ping != 0)
			hub_ping(&cx->hub);
		cx->ping = now + WEB_PING;
	}
	return cx->ping;
}

static void
on_finish(struct stage *st, enum stage_end why)
{
	static const char *const reasons[] = { "eof", "early", "signal" };
	struct ctx *cx = st->arg;
	char j[64];

	snprintf(j, sizeof(j), "{\"reason\":\"%s\"}", reasons[why]);
	hub_end(&cx->hub, j, strlen(j));
}

static void
end_keys(struct pk *pk, void *arg)
{
	struct stage *st = arg;
	struct ctx *cx = st->arg;
	struct web_hub *h = &cx->hub;

	pthread_mutex_lock(&h->mu);
	pk_cstr(pk, "web");
	pk_map_open(pk);
	pk_ku(pk, "clients", h->served);
	pk_ku(pk, "events", h->events);
	pk_ku(pk, "dropped", h->dropped);
	pk_ku(pk, "dropped_bytes", h->dropped_bytes);
	pk_ku(pk, "refused", h->refused);
	pk_close(pk);
	pthread_mutex_unlock(&h->mu);
}

static const struct stage_ops web_ops = {
	.name = "nm-web",
	.records_out = 1,
	.header = on_header,
	.record = on_record,
	.tick = on_tick,
	.finish = on_finish,
	.end_keys = end_keys,
};
/* stdout a terminal: the page is the output, no records */
static const struct stage_ops web_ops_tty = {
	.name = "nm-web",
	.header = on_header,
	.record = on_record,
	.tick = on_tick,
	.finish = on_finish,
};

/*
 * libmicrohttpd's thread takes no signal (the stage's poll does) and
 * starts under the first filter, which still lets it be made; the
 * second, on both threads, makes no more.
 */
static void
serve(struct ctx *cx)
{
	sigset_t all, old;

	tzset(); /* the Date header's clock: /etc/localtime read now, once */
	/*
	 * One malloc arena for both threads: glibc shrinking a thread's own
	 * arena reads /proc/sys/vm/overcommit_memory, which the filter
	 * forbids (and one arena is less memory).
	 */
	mallopt(M_ARENA_MAX, 1);
	esandbox(NM_SANDBOX_WEB_START);
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	cx->http = web_http_start(&cx->l, &cx->hub);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	esandbox(NM_SANDBOX_WEB);
}

/*
 * The stream is over: pages get what is queued for them, and with
 * --linger the page stays up that long (a signal ends it sooner).
 */
static void
wind_down(struct ctx *cx, unsigned linger)
{
	uint64_t until = stage_now() + (uint64_t)linger * 1000000000u,
		 drain = stage_now() + 2000000000u;
	sigset_t set;
	struct timespec ts = { 0, 100000000 };

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	while (stage_now() < until || stage_now() < drain) {
		if (stage_now() >= until && hub_clients(&cx->hub) == 0)
			break;
		if (sigtimedwait(&set, NULL, &ts) > 0)
			break;
	}
	web_http_stop(cx->http);
}

static void
announce(const struct web_listen *l)
{
	int v6 = strchr(l->host, ':') != NULL;

	fprintf(stderr, "nm-web: http://%s%s%s:%u/%s%s\n", v6 ? "[" : "",
	    l->host, v6 ? "]" : "", l->port, l->token[0] ? "?token=" : "",
	    l->token);
	fflush(stderr);
}

int
main(int argc, char **argv)
{
	static const char *const keys[] = { "ts", "len", NULL };
	static struct ctx cx;
	struct opts o;
	int rc;

	nm_init(argv[0]);
	parse_opts(argc, argv, &o);
	web_bind(&cx.l, o.listen);
	token_setup(&cx.l, o.token);
	hub_init(&cx.hub);
	stage_open(&cx.st, isatty(STDOUT_FILENO) ? &web_ops_tty : &web_ops, &cx,
	    o.realtime ? STAGE_REALTIME : 0);
	(void)rec_reader_want(cx.st.r, REC_PACKET, keys);
	(void)rec_reader_want(cx.st.r, REC_FRAME, keys);
	drop_root(o.user);
	serve(&cx);
	announce(&cx.l);

	/* state: sandboxed; stdin, stdout, the socket and its thread */
	rc = stage_run(&cx.st);
	wind_down(&cx, o.linger);
	if (cx.hub.dropped > 0)
		nm_warn("%llu page updates dropped for slow browsers",
		    (unsigned long long)cx.hub.dropped);
	return rc;
}
