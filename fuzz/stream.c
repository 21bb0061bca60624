/*
 * Fuzz target: the record reader (share/recread.c, share/jsonr.c) on any
 * byte stream, msgpack or JSON.  The bytes are read as a program reads its
 * stdin, from an in-memory file, until the end or the first malformed
 * record (which must be reported as EBADMSG, never anything worse).  What
 * must hold: every record the reader accepted survives nm-render -o json's
 * path, json_write, as valid UTF-8, and reading that JSON back gives as
 * many records with no error, whose JSON text is the same again.  (A
 * record whose JSON line would be over the limit is refused by the writer
 * and not counted.)
 *
 * Read again with a want list for packets (rec_reader_want), the stream
 * must end the same way after as many records: pruning changes what a
 * stage is handed, never what is accepted.
 *
 * One loss is by design: JSON strings carry text, so a byte that is not
 * part of valid UTF-8 is written as the character U+00XX and comes back as
 * that character's UTF-8.  When the input holds such a string, the JSON
 * must be the same from the second trip on instead.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "rec.h"
#include "fuzz.h"

struct gen {
	struct strbuf	 json;		/* every record read, as JSON */
	unsigned long	 n;		/* records read */
	int		 rc, err;	/* the last rec_read(), its errno */
	int		 bad_utf8;	/* a string that is not UTF-8 */
	char		 msg[400];
};

static const char *const want[] = {
	"ts", "ip.src", "tcp", "udp.sport", "dns.q.name", "vlan", NULL
};

static void
read_all(const void *p, size_t size, struct gen *g, int prune)
{
	int fd = fz_memfd(p, size);
	struct rec_reader *r = rec_reader_open(fd);
	struct rec rec;

	if (prune && rec_reader_want(r, REC_PACKET, want) == -1)
		fz_fail("the want list is refused");
	g->json.len = 0;
	g->n = 0;
	g->bad_utf8 = 0;
	while ((g->rc = rec_read(r, &rec)) == 1) {
		/* a record whose JSON line is over the limit is refused */
		if (json_write(&g->json, &rec.obj) == -1) {
			if (errno != EMSGSIZE)
				fz_fail("json_write failed with errno %d",
				    errno);
			continue;
		}
		g->bad_utf8 |= !fz_all_utf8(&rec.obj);
		g->n++;
	}
	g->err = errno;
	if (!fz_utf8(g->json.p, g->json.len))
		fz_fail("JSON out is not valid UTF-8:\n%.*s",
		    (int)g->json.len, g->json.p);
	strncpy(g->msg, rec_reader_error(r), sizeof(g->msg) - 1);
	g->msg[sizeof(g->msg) - 1] = '\0';
	rec_reader_close(r);
	close(fd);
}

/* Reads g's JSON back into h: all of it, as many records. */
static void
trip(const struct gen *g, struct gen *h)
{
	read_all(g->json.p, g->json.len, h, 0);
	if (h->rc != 0)
		fz_fail("our own JSON is rejected after %lu of %lu records: "
		    "%s\n%.*s", h->n, g->n, h->msg, (int)g->json.len,
		    g->json.p);
	if (h->n != g->n)
		fz_fail("%lu records in, %lu back from JSON", g->n, h->n);
}

static int
same_json(const struct gen *a, const struct gen *b)
{
	return a->json.len == b->json.len && (a->json.len == 0 ||
	    memcmp(a->json.p, b->json.p, a->json.len) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct gen g[3], pruned;

	read_all(data, size, &g[0], 0);
	if (g[0].rc == -1 && g[0].err != EBADMSG)
		fz_fail("reader failed with errno %d, not EBADMSG", g[0].err);
	read_all(data, size, &pruned, 1);
	if (pruned.rc != g[0].rc || pruned.n != g[0].n ||
	    strcmp(pruned.msg, g[0].msg) != 0)
		fz_fail("pruned: %lu records, %d (%s); whole: %lu, %d (%s)",
		    pruned.n, pruned.rc, pruned.msg, g[0].n, g[0].rc, g[0].msg);
	trip(&g[0], &g[1]);
	if (!g[0].bad_utf8) {
		if (!same_json(&g[0], &g[1]))
			fz_fail("records change through JSON:\n%.*s---\n%.*s",
			    (int)g[0].json.len, g[0].json.p,
			    (int)g[1].json.len, g[1].json.p);
		return 0;
	}
	trip(&g[1], &g[2]);
	if (!same_json(&g[1], &g[2]))
		fz_fail("records change through JSON twice:\n%.*s---\n%.*s",
		    (int)g[1].json.len, g[1].json.p,
		    (int)g[2].json.len, g[2].json.p);
	return 0;
}
