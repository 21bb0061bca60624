/*
 * The top view's keys: what each one changes (the view, the sort column
 * and its direction, the pause, names, the help), the filter typed in
 * place on the status line, and the quit.  The filter is the decoded-
 * field language of -Y (share/filter.h): a new one takes effect at once,
 * the tables counting again from empty; one that does not compile keeps
 * the old and shows its one-line reason.
 *
 * Quitting ends the pipeline the way Ctrl-C in its terminal would: a
 * SIGINT to the process group, so nm-capture stops, every stage drains
 * what it holds and nm-stats writes its final figures, which this stage
 * reads on and prints as the report once the screen is gone.  (The tty
 * is in raw mode, so Ctrl-C arrives here as a key and does the same.)  A
 * second q, while the pipeline drains, stops this stage at once, as a
 * second Ctrl-C does.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curses.h>

#include "top.h"

#define CTRL(c) ((c)&0x1f)

void
top_quit(struct top *tp)
{
	int again = tp->quitting;

	tp->quitting = 1;
	if (tp->ended)
		return;
	snprintf(tp->status, sizeof(tp->status),
	    "quitting: the pipeline drains%s", again ? "" : " (q again: now)");
	tp->status_err = 0;
	/* the whole job (a shell's pipeline, or nm-monitor's stages) */
	if (kill(0, SIGINT) < 0)
		(void)raise(SIGINT);
}

/* A new filter: compiled first, so a bad one changes nothing. */
static void
apply_filter(struct top *tp)
{
	struct filter *f = NULL;
	const char **want;
	char err[200];

	tp->editing = 0;
	if (tp->nedit > 0 &&
	    (f = filter_compile(tp->edit, err, sizeof(err))) == NULL) {
		snprintf(tp->status, sizeof(tp->status), "filter: %s", err);
		tp->status_err = 1;
		return;
	}
	filter_free(tp->filter);
	tp->filter = f;
	snprintf(tp->filter_text, sizeof(tp->filter_text), "%s", tp->edit);
	/* the reader hands on what the new expression reads too */
	want = filter_keys_with(f, top_keys);
	(void)rec_reader_want(tp->st->r, REC_PACKET, want);
	free(want);
	top_clear(tp);
	top_refresh(tp);
	snprintf(tp->status, sizeof(tp->status), "%s%s",
	    f != NULL ? "filter: " : "no filter",
	    f != NULL ? tp->filter_text : "");
	tp->status_err = 0;
}

static int
edit_key(struct top *tp, int k)
{
	switch (k) {
	case '\r':
	case '\n':
	case KEY_ENTER: apply_filter(tp); break;
	case 27: /* Esc */ tp->editing = 0; break;
	case KEY_BACKSPACE:
	case 127:
	case CTRL('h'):
		if (tp->nedit > 0)
			tp->edit[--tp->nedit] = '\0';
		break;
	case CTRL('u'):
		tp->nedit = 0;
		tp->edit[0] = '\0';
		break;
	case CTRL('c'): top_quit(tp); break;
	default:
		if (k >= ' ' && k < 0x7f && tp->nedit + 1 < sizeof(tp->edit)) {
			tp->edit[tp->nedit++] = (char)k;
			tp->edit[tp->nedit] = '\0';
		}
		break;
	}
	return 1;
}

/* Moves the sort to column i of the view (wrapping), and re-orders. */
static void
sort_to(struct top *tp, int i)
{
	const enum top_col *cols;
	int n = top_columns(tp->view, &cols);

	tp->sortcol[tp->view] = (i % n + n) % n;
	top_refresh(tp);
}

static void
view_to(struct top *tp, enum top_view v)
{
	tp->view = v;
	top_refresh(tp);
}

int
top_key(struct top *tp, int k)
{
	if (k == KEY_RESIZE)
		return 1;
	if (tp->help) {
		tp->help = 0;
		return 1;
	}
	if (tp->editing)
		return edit_key(tp, k);
	tp->status[0] = '\0';
	switch (k) {
	case 'q':
	case 'Q':
	case CTRL('c'): top_quit(tp); break;
	case 'c': view_to(tp, TV_CONN); break;
	case 'H': view_to(tp, TV_HOST); break;
	case 'p': view_to(tp, TV_PORT); break;
	case '\t': view_to(tp, (enum top_view)((tp->view + 1) % TV_N)); break;
	case '<':
	case KEY_LEFT: sort_to(tp, tp->sortcol[tp->view] - 1); break;
	case '>':
	case KEY_RIGHT: sort_to(tp, tp->sortcol[tp->view] + 1); break;
	case 'r':
		tp->reverse[tp->view] = !tp->reverse[tp->view];
		top_refresh(tp);
		break;
	case ' ':
	case 'P':
		tp->paused = !tp->paused;
		tp->paused_at = tp->seen;
		if (!tp->paused)
			top_refresh(tp);
		break;
	case '/':
		tp->editing = 1;
		snprintf(tp->edit, sizeof(tp->edit), "%s", tp->filter_text);
		tp->nedit = strlen(tp->edit);
		break;
	case 'n': tp->names_on = !tp->names_on; break;
	case 'h':
	case '?': tp->help = 1; break;
	case CTRL('z'):
		snprintf(tp->status, sizeof(tp->status),
		    "no suspending the top view: q quits");
		tp->status_err = 0;
		break;
	default:
		if (k >= '1' && k <= '9') {
			const enum top_col *cols;
			if (k - '1' < top_columns(tp->view, &cols))
				sort_to(tp, k - '1');
			break;
		}
		return 0;
	}
	return 1;
}
