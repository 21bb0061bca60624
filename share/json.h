/*
 * The JSON face of the record stream.  json_write shows a record as one
 * line of JSON; json_parse reads such a line (or any JSON object,
 * pretty-printed or not) back into the msgpack_object tree the msgpack
 * reader gives, so a jq filter can sit between two stages.  The writer is
 * share/jsonw.c, the reader share/jsonr.c: the reader takes hostile input
 * and is kept apart, small enough to audit on its own.
 */
#ifndef JSON_H
#define JSON_H

#include <stddef.h>
#include <msgpack.h>

#include "strbuf.h"

/*
 * Appends obj as one line of JSON (with its '\n') to b and ends b with a
 * NUL (sb_str).  Returns 0, or -1 with errno EMSGSIZE, b as it was, when
 * the line would be longer than REC_MAX_SIZE, the most a JSON reader of
 * the stream takes (nm-records(5)).
 */
int json_write(struct strbuf *b, const msgpack_object *obj);
/*
 * Appends the n bytes at s as a JSON string, quoted and escaped as
 * json_write writes every string (bytes that are not UTF-8 become
 * U+00XX).
 */
void json_str(struct strbuf *b, const char *s, size_t n);
/*
 * Parses one JSON object from [p, p+n) into a msgpack_object allocated in
 * zone, turning addresses and hex back into bytes for known keys.  Returns
 * the bytes used (>0), 0 if more input is needed, or -1 with a message in
 * why and the offset of the fault in *erroff.
 */
long json_parse(const char *p, size_t n, msgpack_zone *zone,
    msgpack_object *out, size_t *erroff, char *why, size_t whylen);

#endif
