/*
 * Saved filters: named BPF (capture) and -Y (display) expressions in a
 * user file and a system one, nm-filters(5).  A name stands for its
 * expression wherever one of its kind is accepted: nm-capture's filter,
 * nm-monitor's -f and -Y, and the -Y of nm-decode, nm-stats and
 * nm-render (where a name may also be one term of a longer expression).
 */
#ifndef SAVEDF_H
#define SAVEDF_H

#include <stddef.h>

enum savedf_kind { SAVEDF_CAPTURE, SAVEDF_DISPLAY };

struct savedf {
	enum savedf_kind kind;
	const char *name, *text;
	const char *file; /* where it was read, for messages */
	unsigned line;
};

/*
 * The home whose ~/.config/nm/filters is read (root through sudo reads
 * its caller's); NULL: $HOME.  Before the first savedf_find().
 */
void savedf_home(const char *home);
/*
 * The saved filter of that kind and name, or NULL.  The files are read
 * on the first call; a file that cannot be read or holds a bad entry
 * ends the program with status and one line naming file and line.
 */
const struct savedf *savedf_find(
    enum savedf_kind kind, const char *name, int status);
/* Every saved filter, the user's first; n set to their number. */
const struct savedf *savedf_all(size_t *n, int status);
/* Whether a name could be saved: a letter, then letters, digits, - _. */
int savedf_name_ok(const char *name);
/* Whether w is a word BPF reads as its own ("tcp", "host"). */
int savedf_bpf_word(const char *w);

#endif
