/*
 * The top view's terminal: the only file that talks to ncurses.  The
 * screen is opened with newterm() on stdout for output and /dev/tty for
 * keys (stdin is the record stream), before the sandbox, so terminfo is
 * read while files may still be opened.  Everything is drawn from the
 * model top.c leaves (struct top_model) in one pass: the header (rate,
 * drops, coverage, a sparkline of the stream's bit rate), the column
 * titles with the sort column marked, the rows, the status line; the
 * help over them when asked.  Columns that do not fit are left out, the
 * least wanted first, so 80 columns still show the rates.  Colours are
 * the text modes' (protocols by their colour, ports yellow, alerts red)
 * and only when colour is on: with NO_COLOR the screen has no
 * attributes at all.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <curses.h>

#include "top.h"

struct scr {
	SCREEN *s;
	FILE *in; /* /dev/tty */
	int color;
};

/* Colour pairs, one per colour of enum out_color. */
enum { P_RED = 1, P_GREEN, P_YELLOW, P_BLUE, P_MAGENTA, P_CYAN };

static int
pair_of(enum out_color c)
{
	return c == OC_NONE ? 0 : (int)c - 30;
}

static void
on(const struct scr *s, enum out_color c, int extra)
{
	if (s->color)
		attrset((attr_t)(COLOR_PAIR(pair_of(c)) | (unsigned)extra));
}

static void
off(const struct scr *s)
{
	if (s->color)
		attrset(A_NORMAL);
}

int
top_screen_open(struct top *tp, char *why, size_t whylen)
{
	static const short cols[] = { COLOR_RED, COLOR_GREEN, COLOR_YELLOW,
		COLOR_BLUE, COLOR_MAGENTA, COLOR_CYAN };
	const char *term = getenv("TERM");
	struct scr *s;
	size_t i;

	if (!isatty(STDOUT_FILENO)) {
		snprintf(why, whylen, "standard output is not a terminal");
		return -1;
	}
	if (isatty(STDIN_FILENO)) {
		/* keys and records would both be read from the terminal */
		snprintf(why, whylen,
		    "standard input is the terminal: pipe "
		    "a record stream in");
		return -1;
	}
	if (term == NULL || *term == '\0' || strcmp(term, "dumb") == 0) {
		snprintf(why, whylen,
		    "TERM is %s: a full-screen view needs a "
		    "terminal type",
		    term == NULL || *term == '\0' ? "unset" : "dumb");
		return -1;
	}
	/*
	 * Raw mode makes Ctrl-Z a key, so no SIGTSTP comes from the tty;
	 * ignored, ncurses sets no handler of its own (which would stop the
	 * process group from inside the sandbox).
	 */
	signal(SIGTSTP, SIG_IGN);
	s = ecalloc(1, sizeof(*s));
	if ((s->in = fopen("/dev/tty", "r")) == NULL) {
		snprintf(why, whylen, "/dev/tty: %s", strerror(errno));
		free(s);
		return -1;
	}
	if ((s->s = newterm(NULL, stdout, s->in)) == NULL) {
		snprintf(why, whylen,
		    "TERM=%s: not a terminal type terminfo "
		    "knows",
		    term);
		fclose(s->in);
		free(s);
		return -1;
	}
	set_term(s->s);
	/* raw: Ctrl-C and Ctrl-Z are keys (topkeys.c), not the tty's */
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(50);
	curs_set(0);
	if (tp->out->color && has_colors()) {
		s->color = 1;
		start_color();
		use_default_colors();
		for (i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
			init_pair((short)(i + 1), cols[i], -1);
	}
	tp->scr = s;
	return 0;
}

void
top_screen_close(struct top *tp)
{
	struct scr *s = tp->scr;

	if (s == NULL)
		return;
	endwin();
	delscreen(s->s);
	fclose(s->in);
	free(s);
	tp->scr = NULL;
}

int
top_screen_key(struct top *tp)
{
	int k;

	if (tp->scr == NULL)
		return -1;
	k = getch();
	return k == ERR ? -1 : k;
}

int
top_screen_wait(struct top *tp, int ms)
{
	struct scr *s = tp->scr;
	struct pollfd p;

	p.fd = fileno(s->in);
	p.events = POLLIN;
	p.revents = 0;
	if (poll(&p, 1, ms) < 0)
		return errno == EINTR ? -1 : 0;
	return p.revents != 0;
}

/* --- text of the cells --- */

/* 1234567 as "1.2M", in at most five columns: "999k", "12.3k" */
static void
si(char *buf, size_t len, double v)
{
	static const char pre[] = "kMGTP";
	int i = -1;

	while (v >= 1000 && i < 4)
		v /= 1000, i++;
	if (i < 0)
		snprintf(buf, len, "%.0f", v);
	else if (v < 10)
		snprintf(buf, len, "%.1f%c", v, pre[i]);
	else
		snprintf(buf, len, "%.0f%c", v, pre[i]);
}

/* Puts at most w columns of s (bytes: every cell is ASCII) at x. */
static void
cell(int y, int x, int w, const char *s, int right)
{
	int n = (int)strlen(s);

	if (w <= 0)
		return;
	if (n > w)
		n = w;
	mvaddnstr(y, right ? x + w - n : x, s, n);
}

/*
 * An end as "addr:port" ("[v6]:port"), the name in the address's place
 * when names are on; cut from the left of the address so the port stays.
 */
static void
endpoint(char *buf, size_t len, const char *addr, const char *name,
    unsigned port, int ports, int w)
{
	char p[8] = "";
	const char *a = name[0] != '\0' ? name : addr;
	int v6 = name[0] == '\0' && strchr(addr, ':') != NULL && ports;
	int n, room;

	if (ports)
		snprintf(p, sizeof(p), ":%u", port);
	n = (int)strlen(a);
	room = w - (int)strlen(p) - (v6 ? 2 : 0);
	if (room < 1)
		room = 1;
	if (n > room) {
		/*
		 * The end of a name says most ("~google.com:443"); the '~'
		 * shows the cut, so no address is mistaken for another.
		 */
		a += n - room + 1;
		n = room - 1;
		snprintf(buf, len, "%s~%.*s%s%s", v6 ? "[" : "", n, a,
		    v6 ? "]" : "", p);
		return;
	}
	snprintf(buf, len, "%s%.*s%s%s", v6 ? "[" : "", n, a, v6 ? "]" : "", p);
}

/* --- layout --- */

struct col {
	enum top_col c;
	int w, x, shown;
};

static int
col_width(enum top_view v, enum top_col c)
{
	switch (c) {
	case TC_PROTO: return 6;
	case TC_SRC: return v == TV_PORT ? 9 : 15; /* flex: the least */
	case TC_DST: return 15;
	case TC_SVC: return v == TV_PORT ? 12 : 6;
	case TC_STATE: return 3;
	case TC_GEO: return 10;
	default: return 5;
	}
}

/* Which columns go first when the width is short (first: least wanted) */
static const enum top_col drop_order[] = { TC_GEO, TC_TOTAL, TC_PKTS, TC_SVC,
	TC_STATE, TC_R40, TC_PROTO, TC_RECV, TC_R10 };

static int
flex(enum top_view v, enum top_col c)
{
	return v != TV_PORT && (c == TC_SRC || c == TC_DST);
}

static int
layout(enum top_view v, struct col *cl, int width)
{
	const enum top_col *cols;
	int n = top_columns(v, &cols), i, d, used, nflex, extra, x;

	for (i = 0; i < n; i++) {
		cl[i].c = cols[i];
		cl[i].w = col_width(v, cols[i]);
		cl[i].shown = 1;
	}
	for (d = 0;; d++) {
		used = nflex = 0;
		for (i = 0; i < n; i++)
			if (cl[i].shown) {
				used += cl[i].w + (used > 0);
				nflex += flex(v, cl[i].c);
			}
		if (used <= width ||
		    d >= (int)(sizeof(drop_order) / sizeof(drop_order[0])))
			break;
		for (i = 0; i < n; i++)
			if (cl[i].c == drop_order[d])
				cl[i].shown = 0;
	}
	/* what is left widens the addresses, up to a v6 address and port */
	extra = width - used;
	for (i = 0; i < n && nflex > 0; i++)
		if (cl[i].shown && flex(v, cl[i].c)) {
			int add = extra / nflex;
			if (add > 32)
				add = 32;
			cl[i].w += add;
			extra -= add;
			nflex--;
		}
	for (i = 0, x = 0; i < n; i++)
		if (cl[i].shown) {
			cl[i].x = x;
			x += cl[i].w + 1;
		}
	return n;
}

static const char *const view_names[] = { "connections", "hosts", "ports" };

/* Eight heights of a bar; ASCII outside a UTF-8 locale. */
static void
sparkline(const struct top *tp, int y, int x, int w)
{
	static const char *const bars[] = { "\u2581", "\u2582", "\u2583",
		"\u2584", "\u2585", "\u2586", "\u2587", "\u2588" };
	static const char ascii[] = "_.-:=+*#";
	const struct top_model *m = &tp->m;
	uint64_t max = 1;
	int i, from, lvl;

	from = m->nspark > w ? m->nspark - w : 0;
	for (i = from; i < m->nspark; i++)
		if (m->spark[i] > max)
			max = m->spark[i];
	move(y, x);
	for (i = from; i < m->nspark; i++) {
		lvl = m->spark[i] == 0
		    ? -1
		    : (int)((m->spark[i] * 7 + max - 1) / max);
		if (lvl > 7)
			lvl = 7;
		if (lvl < 0)
			addch(' ');
		else if (tp->out->ascii)
			addch((chtype)(unsigned char)ascii[lvl]);
		else
			addstr(bars[lvl]);
	}
}

static void
header(const struct top *tp, const struct scr *s)
{
	const struct top_model *m = &tp->m;
	char buf[512], r1[16], r2[16], r3[16], r4[16];
	int n, w;

	si(r1, sizeof(r1), m->pps);
	si(r2, sizeof(r2), m->bps);
	si(r3, sizeof(r3), (double)m->packets);
	si(r4, sizeof(r4), (double)m->bytes);
	on(s, OC_CYAN, A_BOLD);
	mvaddstr(0, 0, "nm top");
	off(s);
	n = snprintf(buf, sizeof(buf),
	    "  %s %lu  %s pps  %sbit/s  drops %llu  coverage ",
	    view_names[tp->view], (unsigned long)m->rows, r1, r2,
	    (unsigned long long)m->drops);
	if (m->coverage >= 0)
		snprintf(
		    buf + n, sizeof(buf) - (size_t)n, "%.1f%%", m->coverage);
	else
		snprintf(buf + n, sizeof(buf) - (size_t)n, "-");
	addnstr(buf, COLS - 6 > 0 ? COLS - 6 : 0);
	if (tp->paused) {
		on(s, OC_YELLOW, A_BOLD);
		cell(0, COLS - 8, 8, " PAUSED", 1);
		off(s);
	}
	/* line 1: the rate's last seconds, then the totals or an alert */
	w = COLS / 3 > 60 ? 60 : COLS / 3;
	mvaddstr(1, 0, "rate ");
	sparkline(tp, 1, 5, w);
	move(1, 6 + w);
	if (tp->alert[0] != '\0' &&
	    stage_now() - tp->alert_wall < 10000000000ULL) {
		on(s, OC_RED, A_BOLD);
		snprintf(buf, sizeof(buf), "alert: %s", tp->alert);
		addnstr(buf, COLS - 7 - w > 0 ? COLS - 7 - w : 0);
		off(s);
		return;
	}
	snprintf(buf, sizeof(buf), "total %s pkts %sB%s%s%s", r3, r4,
	    tp->filter != NULL ? "  filter: " : "",
	    tp->filter != NULL ? tp->filter_text : "",
	    m->evicted > 0 ? "  (rows evicted)" : "");
	addnstr(buf, COLS - 7 - w > 0 ? COLS - 7 - w : 0);
}

static void
titles(const struct top *tp, const struct scr *s, const struct col *cl, int n)
{
	const enum top_col *cols;
	char buf[32];
	int i, sel = tp->sortcol[tp->view], nc = top_columns(tp->view, &cols);
	const char *mark;

	if (sel >= nc)
		sel = 0;
	if (s->color)
		attrset(A_REVERSE);
	move(2, 0);
	hline(' ', COLS);
	for (i = 0; i < n; i++) {
		if (!cl[i].shown)
			continue;
		mark = "";
		if (i == sel)
			mark = tp->out->ascii
			    ? (tp->reverse[tp->view] ? "^" : "v")
			    : tp->reverse[tp->view] ? "\u25b2"
						    : "\u25bc";
		snprintf(
		    buf, sizeof(buf), "%s", top_col_name(tp->view, cl[i].c));
		if (cl[i].c >= TC_R2 && cl[i].c != TC_GEO) {
			/* figures right-aligned under a right-aligned title */
			int len = (int)strlen(buf) + (*mark != '\0');
			move(2, cl[i].x + (cl[i].w > len ? cl[i].w - len : 0));
		} else
			move(2, cl[i].x);
		addnstr(buf, cl[i].w);
		addstr(mark);
	}
	if (s->color)
		attrset(A_NORMAL);
}

static void
row(const struct top *tp, const struct scr *s, const struct col *cl, int n,
    int y, const struct top_line *l)
{
	char buf[160];
	int i;

	for (i = 0; i < n; i++) {
		const struct col *c = &cl[i];
		if (!c->shown)
			continue;
		switch (c->c) {
		case TC_PROTO:
			on(s, l->color, 0);
			cell(y, c->x, c->w, l->proto, 0);
			off(s);
			continue;
		case TC_SRC:
			endpoint(buf, sizeof(buf), l->a,
			    tp->names_on ? l->an : "", l->pa, l->ports, c->w);
			break;
		case TC_DST:
			endpoint(buf, sizeof(buf), l->b,
			    tp->names_on ? l->bn : "", l->pb, l->ports, c->w);
			break;
		case TC_SVC:
			on(s, OC_YELLOW, 0);
			cell(y, c->x, c->w, l->service, 0);
			off(s);
			continue;
		case TC_STATE:
			snprintf(buf, sizeof(buf), "%s", l->state);
			break;
		case TC_R2: si(buf, sizeof(buf), l->r2); break;
		case TC_R10: si(buf, sizeof(buf), l->r10); break;
		case TC_R40: si(buf, sizeof(buf), l->r40); break;
		case TC_SENT: si(buf, sizeof(buf), (double)l->sent); break;
		case TC_RECV: si(buf, sizeof(buf), (double)l->recv); break;
		case TC_TOTAL:
			si(buf, sizeof(buf), (double)(l->sent + l->recv));
			break;
		case TC_PKTS: si(buf, sizeof(buf), (double)l->pkts); break;
		case TC_GEO: snprintf(buf, sizeof(buf), "%s", l->geo); break;
		}
		cell(y, c->x, c->w, buf, c->c >= TC_R2 && c->c != TC_GEO);
	}
}

static const char *const help_text[] = {
	"nm-render -m top: keys",
	"",
	"c H p     connections, hosts, ports (Tab: the next)",
	"< >       sort by the column left or right (1-9: that column)",
	"r         reverse the order",
	"space P   pause the screen (counting goes on)",
	"/         filter: a decoded-field expression (nm-filter(7));",
	"          Enter applies, Esc cancels, empty: none",
	"n         names from DNS answers on or off",
	"h ?       this help (any key closes it)",
	"q         quit: the pipeline stops, the final report prints",
	"",
	"Rates: bit/s over the last 2, 10 and 40 s of stream time.",
};

static void
help(const struct scr *s)
{
	int n = (int)(sizeof(help_text) / sizeof(help_text[0])), w = 66, i;
	int y0 = (LINES - n - 2) / 2, x0 = (COLS - w) / 2;

	if (y0 < 0)
		y0 = 0;
	if (x0 < 0)
		x0 = 0;
	for (i = -1; i <= n; i++) {
		move(y0 + 1 + i, x0);
		hline(' ', w);
	}
	if (s->color)
		attrset(A_BOLD);
	cell(y0, x0 + 2, w - 4, help_text[0], 0);
	if (s->color)
		attrset(A_NORMAL);
	for (i = 1; i < n; i++)
		cell(y0 + i, x0 + 2, w - 4, help_text[i], 0);
}

static void
status(const struct top *tp, const struct scr *s)
{
	static const char hint[] = "h help  q quit  c/H/p view  </> sort  "
				   "r reverse  space pause  / filter  n names";
	char buf[320];
	int y = LINES - 1;

	move(y, 0);
	clrtoeol();
	if (tp->editing) {
		snprintf(buf, sizeof(buf), "filter: %s", tp->edit);
		/* the end of a long expression, where the typing is */
		cell(y, 0, COLS - 1,
		    (int)strlen(buf) > COLS - 1
			? buf + strlen(buf) - (size_t)(COLS - 1)
			: buf,
		    0);
		curs_set(1);
		return;
	}
	curs_set(0);
	if (tp->status[0] != '\0') {
		if (tp->status_err)
			on(s, OC_RED, A_BOLD);
		cell(y, 0, COLS - 1, tp->status, 0);
		off(s);
		return;
	}
	if (tp->paused)
		snprintf(buf, sizeof(buf),
		    "paused: %llu packets since  (space resumes, h help)",
		    (unsigned long long)(tp->seen - tp->paused_at));
	else
		snprintf(buf, sizeof(buf), "%s", hint);
	cell(y, 0, COLS - 1, buf, 0);
}

void
top_screen_draw(struct top *tp)
{
	struct scr *s = tp->scr;
	struct col cl[TOP_NCOLS];
	int n, i, rows;

	if (s == NULL)
		return;
	erase();
	header(tp, s);
	n = layout(tp->view, cl, COLS);
	titles(tp, s, cl, n);
	rows = LINES - 4;
	for (i = 0; i < rows && i < tp->m.nline; i++)
		row(tp, s, cl, n, 3 + i, &tp->m.line[i]);
	if (tp->m.nline == 0 && LINES > 4)
		mvaddstr(3, 0,
		    tp->m.packets == 0 ? "(no packets yet)"
				       : "(no rows in this view)");
	if (tp->help)
		help(s);
	status(tp, s);
	refresh();
}
