/*
 * The -Y filter: an expression over tshark's field names (fields.h) in
 * tshark's display-filter syntax, compiled once to a tree and evaluated
 * on each packet record.  nm-decode, nm-stats and nm-render share it;
 * nm-filter(7) is the language's reference.
 */
#ifndef FILTER_H
#define FILTER_H

#include <stddef.h>

#include "rec.h"

struct filter;

/*
 * Compiles expr.  NULL when it is not an expression, with one line in err
 * naming the 1-based column and what was expected there ("column 12:
 * expected a value after \"==\"").
 */
struct filter *filter_compile(const char *expr, char *err, size_t errlen);
/* Whether the packet record map matches. */
int filter_match(const struct filter *f, const msgpack_object *map);
/*
 * Whether a record of type t stays on the stream: a packet when it
 * matches; a record of another type the expression names a field of
 * (flow.state) when it matches; any other record always.
 */
int filter_keep(
    const struct filter *f, enum rec_type t, const msgpack_object *map);
/*
 * The stream's header: the names of its sources, which
 * frame.interface_name compares ("eth0", "blue/veth0").
 */
void filter_header(struct filter *f, const msgpack_object *hdr);
/* REC_IN() of every record type the expression names a field of. */
unsigned filter_types(const struct filter *f);
/*
 * The expression as compiled: saved filters' names replaced by their
 * text in parentheses, for a program that hands it on (nm-monitor).
 */
const char *filter_text(const struct filter *f);
/*
 * Whether w is a word of the language (a field, protocol or operator),
 * which a saved filter's name must not be.
 */
int filter_word_taken(const char *w);
/*
 * The record keys the expression reads ("ip", "tcp", "ts"), NULL-ended,
 * for a stage's rec_reader_want(); they live as long as the filter.
 */
const char *const *filter_keys(const struct filter *f);
/*
 * keys (NULL-ended; NULL: none) and the filter's (f NULL: none) in one
 * new NULL-ended array, each once; free() the array, not its strings.
 */
const char **filter_keys_with(const struct filter *f, const char *const *keys);
void filter_free(struct filter *f);
/*
 * filter_compile for a stage's -Y: exits with status 2 and one line
 * ("prog: -Y: column N: ...") when expr is not an expression.
 */
struct filter *filter_compile_opt(const char *expr);
/*
 * For a stage that filters packets only (nm-decode, nm-stats): exits
 * with status 2 and one line when the expression names a field of
 * another record type.
 */
void filter_packets_only(const struct filter *f);

#endif
