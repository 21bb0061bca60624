/*
 * Helpers of the fuzz targets: in-memory files (memfd_create) stand in
 * for a program's stdin and stdout, so the targets drive the real reader
 * and writer, unchanged, with no temporary files and no pipes to fill.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <msgpack.h>

#include "fuzz.h"
#include "rec.h"

void
fz_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("fuzz: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

int
fz_memfd_empty(void)
{
	int fd = memfd_create("fuzz", MFD_CLOEXEC);

	if (fd == -1)
		fz_fail("memfd_create failed");
	return fd;
}

void
fz_rewind(int fd)
{
	if (lseek(fd, 0, SEEK_SET) != 0)
		fz_fail("lseek failed");
}

int
fz_memfd(const void *p, size_t n)
{
	const char *s = p;
	int fd = fz_memfd_empty();
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, s, n)) <= 0)
			fz_fail("write to memfd failed");
		s += w;
		n -= (size_t)w;
	}
	fz_rewind(fd);
	return fd;
}

/* RFC 3629: no overlong forms, surrogates, or code points past U+10FFFF. */
int
fz_utf8(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k, need;
	unsigned lo, hi;

	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		lo = 0x80, hi = 0xbf;
		if (p[i] >= 0xc2 && p[i] <= 0xdf)
			need = 1;
		else if (p[i] >= 0xe0 && p[i] <= 0xef) {
			need = 2;
			lo = p[i] == 0xe0 ? 0xa0 : 0x80;
			hi = p[i] == 0xed ? 0x9f : 0xbf;
		} else if (p[i] >= 0xf0 && p[i] <= 0xf4) {
			need = 3;
			lo = p[i] == 0xf0 ? 0x90 : 0x80;
			hi = p[i] == 0xf4 ? 0x8f : 0xbf;
		} else
			return 0;
		if (n - i <= need || p[i + 1] < lo || p[i + 1] > hi)
			return 0;
		for (k = 2; k <= need; k++)
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
		i += need + 1;
	}
	return 1;
}

int
fz_all_utf8(const msgpack_object *o)
{
	uint32_t i;

	switch (o->type) {
	case MSGPACK_OBJECT_STR:
		return fz_utf8(o->via.str.ptr, o->via.str.size);
	case MSGPACK_OBJECT_ARRAY:
		for (i = 0; i < o->via.array.size; i++)
			if (!fz_all_utf8(&o->via.array.ptr[i]))
				return 0;
		return 1;
	case MSGPACK_OBJECT_MAP:
		for (i = 0; i < o->via.map.size; i++)
			if (!fz_all_utf8(&o->via.map.ptr[i].key) ||
			    !fz_all_utf8(&o->via.map.ptr[i].val))
				return 0;
		return 1;
	default: return 1;
	}
}

void
fz_check_stream(int fd, const char *what)
{
	struct rec_reader *r;
	struct rec rec;
	int rc;

	fz_rewind(fd);
	r = rec_reader_open(fd);
	while ((rc = rec_read(r, &rec)) == 1)
		continue;
	if (rc != 0)
		fz_fail("%s rejected: %s", what, rec_reader_error(r));
	rec_reader_close(r);
}
