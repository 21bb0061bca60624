/*
 * The one writer for record streams.  Records are packed into a reused
 * buffer and written out in blocks (when the buffer passes FLUSH_AT, or
 * when the program's input goes idle and it calls rec_writer_flush), so a
 * fast stream costs few system calls and a slow one is still prompt.
 *
 * FLUSH_AT is smaller than a pipe's 64 KiB on purpose: a write larger than
 * the pipe makes writer and reader take turns instead of running at once
 * (1M records through three stages: 3.2 s with 256 KiB writes, 1.9 s with
 * 32 KiB).  The pipe itself is made larger (PIPE_SIZE) so that a writer
 * runs ahead of its reader for longer before either must wait: 8% off the
 * four-stage pipeline's time.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nm.h"
#include "rec.h"

#define FLUSH_AT  (32 * 1024)
#define PIPE_SIZE (1024 * 1024) /* Linux's limit for unprivileged users */

struct rec_writer {
	int fd;
	struct pk pk;
	uint64_t count; /* records ended so far */
};

struct rec_writer *
rec_writer_open(int fd)
{
	struct rec_writer *w = ecalloc(1, sizeof(*w));
	struct stat st;

	w->fd = fd;
	pk_init(&w->pk, FLUSH_AT + 64 * 1024);
	if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode))
		(void)fcntl(fd, F_SETPIPE_SZ, PIPE_SIZE); /* a hint */
	return w;
}

struct pk *
rec_writer_pk(struct rec_writer *w)
{
	return &w->pk;
}

int
rec_writer_flush(struct rec_writer *w)
{
	size_t off = 0;
	ssize_t n;

	while (off < w->pk.len) {
		n = write(w->fd, w->pk.p + off, w->pk.len - off);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			/* keep only what did not go out, so nothing goes twice
			 */
			memmove(w->pk.p, w->pk.p + off, w->pk.len - off);
			w->pk.len -= off;
			return -1;
		}
		off += (size_t)n;
	}
	w->pk.len = 0;
	return 0;
}

int
rec_writer_end(struct rec_writer *w)
{
	w->count++;
	if (w->pk.len >= FLUSH_AT)
		return rec_writer_flush(w);
	return 0;
}

int
rec_write_rec(struct rec_writer *w, const struct rec *rec)
{
	if (rec->raw != NULL)
		pk_raw(&w->pk, rec->raw, rec->rawlen);
	else
		pk_obj(&w->pk, &rec->obj);
	return rec_writer_end(w);
}

int
rec_writer_close(struct rec_writer *w)
{
	int r, saved;

	if (w == NULL)
		return 0;
	r = rec_writer_flush(w);
	saved = errno;
	pk_free(&w->pk);
	free(w);
	errno = saved;
	return r;
}

int
rec_write_header(
    struct rec_writer *w, const msgpack_object *hdr, const char *stage)
{
	struct pk *pk = &w->pk;
	const msgpack_object *stages;
	const msgpack_object_kv *kv;
	char producer[64];
	uint32_t i, n;

	if (hdr == NULL) {
		pk_map_open(pk);
		pk_kstr(pk, "type", "header");
		pk_ku(pk, "version", REC_VERSION_MAJOR);
		pk_ku(pk, "minor", REC_VERSION_MINOR);
		snprintf(
		    producer, sizeof(producer), "%s %s", stage, NM_VERSION);
		pk_kstr(pk, "producer", producer);
		pk_cstr(pk, "stages");
		pk_array_open(pk);
		pk_cstr(pk, stage);
		pk_close(pk);
		pk_cstr(pk, "sources");
		pk_array_open(pk);
		pk_close(pk);
		pk_close(pk);
		return rec_writer_end(w);
	}
	stages = rec_get(hdr, "stages");
	pk_map_open(pk);
	for (i = 0; i < hdr->via.map.size; i++) {
		kv = &hdr->via.map.ptr[i];
		if (&kv->val != stages) {
			pk_obj(pk, &kv->key);
			pk_obj(pk, &kv->val);
		}
	}
	pk_cstr(pk, "stages");
	n = stages ? stages->via.array.size : 0;
	pk_array_open(pk);
	for (i = 0; i < n; i++)
		pk_obj(pk, &stages->via.array.ptr[i]);
	pk_cstr(pk, stage);
	pk_close(pk);
	pk_close(pk);
	return rec_writer_end(w);
}

int
rec_write_end_more(struct rec_writer *w, const char *producer, uint64_t frames,
    uint64_t packets, const char *reason, void (*more)(struct pk *, void *),
    void *arg)
{
	struct pk *pk = &w->pk;

	pk_map_open(pk);
	pk_kstr(pk, "type", "end");
	pk_kstr(pk, "producer", producer);
	pk_ku(pk, "records", w->count);
	pk_ku(pk, "frames", frames);
	pk_ku(pk, "packets", packets);
	pk_kstr(pk, "reason", reason);
	if (more != NULL)
		more(pk, arg);
	pk_close(pk);
	return rec_writer_end(w);
}

int
rec_write_end(struct rec_writer *w, const char *producer, uint64_t frames,
    uint64_t packets, const char *reason)
{
	return rec_write_end_more(
	    w, producer, frames, packets, reason, NULL, NULL);
}
