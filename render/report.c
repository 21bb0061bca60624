/*
 * The capture report the text modes print on stderr at the end, the way
 * tcpdump reports at exit: packets captured, received by the filter, and
 * dropped by the kernel and by the interface, per source, from the last
 * capstats record each source sent.  Drops that grow between periodic
 * capstats records are warned about as they happen, so a user watching
 * live learns the picture is incomplete.
 */
#include <stdio.h>
#include <string.h>

#include "render.h"

#define MAXSRC 64 /* sources reported; more share the last slot */

struct src {
	char name[64];
	uint64_t seen; /* packet and frame records */
	uint64_t recv, drop, ifdrop;
	uint64_t warned; /* drops already warned about */
	int has_stats;
	int is_file; /* tcpdump -r reports nothing either */
};

static struct src srcs[MAXSRC];
static size_t nsrc; /* highest index used, plus one */
static int any_stats;

static struct src *
src_at(uint64_t i)
{
	if (i >= MAXSRC)
		i = MAXSRC - 1;
	if (i + 1 > nsrc)
		nsrc = (size_t)i + 1;
	return &srcs[i];
}

/* Learns the sources' names from a header record. */
void
out_report_header(const msgpack_object *map)
{
	const msgpack_object *a;
	const char *s;
	size_t n;
	uint32_t i, na = rec_sources(map, &a);

	for (i = 0; i < na && i < MAXSRC; i++) {
		srcs[i].is_file = rec_get_str(&a[i], "kind", &s, &n) &&
		    n == 4 && memcmp(s, "file", 4) == 0;
		/* "NETNS/IFACE" for one in another namespace */
		rec_source_name(&a[i], srcs[i].name, sizeof(srcs[i].name));
	}
}

void
out_report_count(uint64_t ifidx)
{
	src_at(ifidx)->seen++;
}

void
out_report_capstats(const msgpack_object *map)
{
	struct src *s = src_at(out_u(map, "if", 0));
	int final = 0;

	s->recv = out_u(map, "recv", s->recv);
	s->drop = out_u(map, "drop", s->drop);
	s->ifdrop = out_u(map, "ifdrop", s->ifdrop);
	s->has_stats = any_stats = 1;
	if (rec_get_bool(map, "final", &final) && final)
		s->warned = s->drop; /* the report says it */
	else if (s->drop > s->warned) {
		nm_warn("kernel dropped %llu packets",
		    (unsigned long long)(s->drop - s->warned));
		s->warned = s->drop;
	}
}

/* One line; name (a source's) only when several sources report. */
static void
line(const char *name, uint64_t v, const char *what)
{
	fprintf(stderr, "%s%s%llu packet%s %s\n", name ? name : "",
	    name ? ": " : "", (unsigned long long)v, v == 1 ? "" : "s", what);
}

void
out_report_print(void)
{
	const char *name;
	size_t i, shown = 0;

	if (!any_stats)
		return;
	for (i = 0; i < nsrc; i++)
		if (srcs[i].has_stats && !srcs[i].is_file)
			shown++;
	for (i = 0; i < nsrc; i++) {
		if (!srcs[i].has_stats || srcs[i].is_file)
			continue;
		name = NULL;
		if (shown > 1)
			name = srcs[i].name[0] ? srcs[i].name : "?";
		line(name, srcs[i].seen, "captured");
		line(name, srcs[i].recv, "received by filter");
		line(name, srcs[i].drop, "dropped by kernel");
		line(name, srcs[i].ifdrop, "dropped by interface");
	}
}
