/*
 * The capture sources of a stream, as nm-render names them: learnt from
 * the header, they give each packet line of a stream of several sources
 * its interface column (tcpdump -i any's "eth0 In" place, after the
 * time), and -o fields its frame.interface_name (tshark's field).  A
 * stream of one source gets no column: its lines are what they were.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"

#define IF_W_MAX 16 /* the column's widest; a longer name pushes the line */

/* What the column shows: a file source by its base name, to stay short. */
static const char *
col_name(const struct out *o, size_t i)
{
	const char *s = o->srcname[i], *slash;

	if (!o->srcfile[i] || (slash = strrchr(s, '/')) == NULL ||
	    slash[1] == '\0')
		return s;
	return slash + 1;
}

void
out_sources(struct out *o, const msgpack_object *hdr)
{
	const msgpack_object *srcs;
	uint32_t i, n = rec_sources(hdr, &srcs);
	char name[256];
	const char *kind;
	size_t k, w = 0;

	if (o->srcname != NULL || n == 0)
		return; /* the first header that names its sources */
	o->srcname = ecalloc(n, sizeof(*o->srcname));
	o->srcif = ecalloc(n, sizeof(*o->srcif));
	o->srcfile = ecalloc(n, sizeof(*o->srcfile));
	o->nsrc = n;
	for (i = 0; i < n; i++) {
		rec_source_name(&srcs[i], name, sizeof(name));
		o->srcname[i] = estrdup(name);
		rec_source_ifname(&srcs[i], name, sizeof(name));
		o->srcif[i] = estrdup(name);
		o->srcfile[i] = rec_get_str(&srcs[i], "kind", &kind, &k) &&
		    k == 4 && memcmp(kind, "file", 4) == 0;
		if ((k = strlen(col_name(o, i))) > w)
			w = k;
	}
	if (n > 1)
		o->if_w = w < 2 ? 2 : w > IF_W_MAX ? IF_W_MAX : w;
}

void
out_sources_free(struct out *o)
{
	size_t i;

	for (i = 0; i < o->nsrc; i++) {
		free(o->srcname[i]);
		free(o->srcif[i]);
	}
	free(o->srcname);
	free(o->srcif);
	o->srcif = NULL;
	free(o->srcfile);
	o->srcname = NULL;
	o->srcfile = NULL;
	o->nsrc = 0;
}

/* "if7" for an index the header does not name. */
static size_t
unnamed(uint64_t ifx, char *buf, size_t len)
{
	int n = snprintf(buf, len, "if%llu", (unsigned long long)ifx);

	return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
}

void
out_ifname(const struct out *o, struct strbuf *b, uint64_t ifx)
{
	char buf[32];
	size_t n;

	if (ifx < o->nsrc)
		out_safe(b, o->srcif[ifx], strlen(o->srcif[ifx]));
	else if (o->nsrc > 0) {
		n = unnamed(ifx, buf, sizeof(buf));
		sb_add(b, buf, n);
	}
}

void
out_if_col(const struct out *o, struct strbuf *b, uint64_t ifx)
{
	const char *s;
	char buf[32];
	size_t start, n;

	if (o->if_w == 0)
		return;
	out_color(o, b, OC_BLUE);
	start = b->len;
	if (ifx < o->nsrc && o->srcname[ifx][0] != '\0') {
		s = col_name(o, (size_t)ifx);
		out_safe(b, s, strlen(s));
	} else {
		n = unnamed(ifx, buf, sizeof(buf));
		sb_add(b, buf, n);
	}
	n = b->len - start;
	out_uncolor(o, b, OC_BLUE);
	sb_spaces(b, n < o->if_w ? o->if_w - n + 1 : 1);
}
