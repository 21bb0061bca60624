/*
 * The capture file's output.  Blocks (pcapng blocks, or a pcap file's
 * header and records) are built whole in a buffer and written out in
 * large writes; the buffer remembers where each block ends, so when a
 * write fails part way (a full disk) the file can be cut back to the last
 * block it holds whole: what is on disk then is still a valid capture,
 * up to the last whole packet.  libpcap's own dumper ignores write
 * errors; nothing here does.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nm.h"
#include "pcap.h"

int
out_open(struct out *o, const char *path)
{
	struct stat sb;

	memset(o, 0, sizeof(*o));
	o->name = path;
	if (strcmp(path, "-") == 0) {
		o->name = "stdout";
		o->fd = STDOUT_FILENO;
	} else if ((o->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			0666)) == -1)
		return -1;
	o->regular = fstat(o->fd, &sb) == 0 && S_ISREG(sb.st_mode);
	if (o->regular)
		o->off = (uint64_t)lseek(o->fd, 0, SEEK_CUR);
	return 0;
}

void
out_open_fd(struct out *o, int fd, const char *name)
{
	memset(o, 0, sizeof(*o));
	o->name = name;
	o->fd = fd;
	/* made by name, truncated: a file (no fstat under the filter) */
	o->regular = 1;
}

void
out_block_end(struct out *o)
{
	if (o->nends == o->capends) {
		o->capends = o->capends ? 2 * o->capends : 256;
		o->ends = erealloc(o->ends, o->capends * sizeof(*o->ends));
	}
	o->ends[o->nends++] = o->buf.len;
	if (o->buf.len >= OUT_FLUSH_AT)
		(void)out_flush(o);
}

/* A write stopped after done bytes: keep only the whole blocks of them. */
static void
cut_back(struct out *o, size_t done)
{
	size_t i, whole = 0;

	for (i = 0; i < o->nends && o->ends[i] <= done; i++)
		whole = o->ends[i];
	if (o->regular && whole < done)
		(void)!ftruncate(o->fd, (off_t)(o->off - (done - whole)));
}

/*
 * Writes the whole blocks buffered, but with hold set the last, which
 * moves to the buffer's start.
 */
int
out_flush(struct out *o)
{
	size_t done = 0, upto = o->buf.len;
	ssize_t n;

	if (o->err) {
		errno = o->err;
		return -1;
	}
	if (o->hold && o->nends > 0)
		upto = o->nends > 1 ? o->ends[o->nends - 2] : 0;
	while (done < upto) {
		n = write(o->fd, o->buf.p + done, upto - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			o->err = n < 0 ? errno : ENOSPC;
			cut_back(o, done);
			errno = o->err;
			return -1;
		}
		done += (size_t)n;
		o->off += (uint64_t)n;
	}
	if (upto < o->buf.len) {
		memmove(o->buf.p, o->buf.p + upto, o->buf.len - upto);
		o->buf.len -= upto;
		o->ends[0] = o->buf.len;
		o->nends = 1;
		return 0;
	}
	o->buf.len = 0;
	o->nends = 0;
	return 0;
}

int
out_close(struct out *o)
{
	int rc, e;

	o->hold = 0;
	rc = out_flush(o);
	e = errno;

	free(o->buf.p);
	free(o->ends);
	o->buf.p = NULL;
	o->ends = NULL;
	if (o->fd != STDOUT_FILENO && close(o->fd) == -1 && rc == 0) {
		e = errno;
		rc = -1;
	}
	errno = e;
	return rc;
}
