/*
 * What the fuzz targets share: libFuzzer's entry point (declared here so
 * the replay program and -Wmissing-prototypes both see it) and small
 * helpers that turn fuzz bytes into a file descriptor the record reader
 * can read, the way a program reads its stdin.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An anonymous in-memory file holding [p, p+n), read offset at 0. */
int fz_memfd(const void *p, size_t n);
/* An empty in-memory file, for a writer; fz_rewind() makes it readable. */
int fz_memfd_empty(void);
void fz_rewind(int fd);
/* 1 when [s, s+n) is valid UTF-8 (RFC 3629), written apart from jsonw.c. */
int fz_utf8(const char *s, size_t n);
/*
 * 1 when every string in o, keys too, is valid UTF-8 (fz_utf8).
 * JSON strings carry text: a byte outside UTF-8 is written as U+00XX and
 * comes back as that character's UTF-8, so such a record changes once
 * through JSON (and must not change again).
 */
struct msgpack_object;
int fz_all_utf8(const struct msgpack_object *o);
/*
 * Reads back the stream a target wrote to the in-memory file fd: every
 * record must pass the reader and its schema checks (else fz_fail, naming
 * what: "nm-stats output", "the alerts").
 */
void fz_check_stream(int fd, const char *what);
/* Prints what went wrong and aborts: the fuzzer records it as a crash. */
void fz_fail(const char *fmt, ...)
    __attribute__((noreturn, format(printf, 1, 2)));

#endif
