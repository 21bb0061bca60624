/*
 * Saved filters in nm-monitor (nm-filters(5)): a -f word that is no
 * preset may name one, of either kind; -Y takes a filter on decoded
 * fields, saved names and all.  The monitor resolves every name itself
 * and hands the stages the expressions: they run as another user, who
 * may not be able to read the files.  Under sudo the caller's own file
 * is read (sudo sets HOME to root's).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "mon.h"
#include "savedf.h"

/*
 * The text nm-decode gets: the expression with saved names expanded; a
 * name alone without the parentheses its expansion put around it.
 */
static char *
display_text(const char *expr, const struct filter *f)
{
	const char *t = filter_text(f);
	size_t n = strlen(t);
	char *out;

	if (!savedf_name_ok(expr) || n < 2 || t[0] != '(')
		return estrdup(t);
	out = emalloc(n - 1);
	memcpy(out, t + 1, n - 2);
	out[n - 2] = '\0';
	return out;
}

void
mon_saved_setup(struct mon_opts *o, const struct mon_user *u)
{
	const struct savedf *sf;
	struct filter *f;
	char err[256];

	if (u->home != NULL)
		savedf_home(u->home);
	if (o->fword) {
		if ((sf = savedf_find(
			 SAVEDF_CAPTURE, o->filter, NM_EXIT_USAGE)) != NULL ||
		    (sf = savedf_find(
			 SAVEDF_DISPLAY, o->filter, NM_EXIT_USAGE)) != NULL)
			mon_saved_use(o, sf);
	}
	if (o->yexpr != NULL && o->display == NULL) {
		if ((f = filter_compile(o->yexpr, err, sizeof(err))) == NULL)
			nm_die(NM_EXIT_USAGE, "-Y: %s", err);
		filter_packets_only(f);
		free(o->display);
		o->display = display_text(o->yexpr, f);
		filter_free(f);
	}
}

void
mon_saved_use(struct mon_opts *o, const struct savedf *sf)
{
	struct filter *f;
	char err[256];

	o->fword = 0;
	if (sf->kind == SAVEDF_CAPTURE) {
		free(o->filter);
		o->filter = estrdup(sf->text);
		o->preset = sf->name;
		return;
	}
	/* a display filter: checked now, not by nm-decode mid-start */
	if ((f = filter_compile(sf->name, err, sizeof(err))) == NULL)
		nm_die(NM_EXIT_USAGE, "%s", err);
	filter_packets_only(f);
	if (o->yexpr != NULL)
		nm_bad_usage("-f %s is a saved filter on decoded fields, as "
			     "-Y is: give one of them",
		    sf->name);
	free(o->filter);
	o->filter = NULL;
	o->preset = NULL;
	o->yexpr = sf->name;
	o->display = display_text(sf->name, f);
	filter_free(f);
}

size_t
mon_saved_list(size_t first)
{
	const struct savedf *all;
	size_t n, i;

	all = savedf_all(&n, NM_EXIT_USAGE);
	for (i = 0; i < n; i++)
		fprintf(stderr, "  %3zu  %-12s %s%s\n", first + i, all[i].name,
		    all[i].text,
		    all[i].kind == SAVEDF_DISPLAY ? "  (decoded fields)" : "");
	return n;
}

const struct savedf *
mon_saved_pick(const char *a, size_t k, size_t first)
{
	const struct savedf *all;
	size_t n;

	all = savedf_all(&n, NM_EXIT_USAGE);
	if (k >= first && k < first + n)
		return &all[k - first];
	if (!savedf_name_ok(a))
		return NULL;
	if ((all = savedf_find(SAVEDF_CAPTURE, a, NM_EXIT_USAGE)) != NULL)
		return all;
	return savedf_find(SAVEDF_DISPLAY, a, NM_EXIT_USAGE);
}
