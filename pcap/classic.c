/*
 * Classic pcap (-F pcap), written by libpcap's own dumper with the
 * nanosecond magic, so timestamps keep full precision.  The dumper
 * writes into a memory stream, one record at a time, and each record is
 * handed to the output as a whole block: libpcap ignores write errors,
 * the output does not, and on a full disk it can cut the file back to the
 * last whole record.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pcap/pcap.h>

#include "nm.h"
#include "pcap.h"

/* A record's header and the largest frame libpcap reads back. */
#define MEM_SIZE (16 + 262144 + 64)

struct classic {
	pcap_t *dead;
	pcap_dumper_t *d;
	FILE *mem;
	char *buf;
};

/* What the dumper wrote since the last call becomes one block. */
static void
take(struct classic *c, struct out *o)
{
	long n;

	(void)fflush(c->mem);
	n = ftell(c->mem);
	if (n > 0)
		sb_add(out_sb(o), c->buf, (size_t)n);
	rewind(c->mem);
	out_block_end(o);
}

struct classic *
classic_open(
    struct out *o, uint32_t linktype, uint32_t snaplen, char *why, size_t n)
{
	struct classic *c = ecalloc(1, sizeof(*c));

	c->buf = emalloc(MEM_SIZE);
	c->dead = pcap_open_dead_with_tstamp_precision(
	    (int)linktype, (int)snaplen, PCAP_TSTAMP_PRECISION_NANO);
	if (c->dead == NULL) {
		snprintf(why, n, "libpcap: cannot make a dumper");
		goto fail;
	}
	if ((c->mem = fmemopen(c->buf, MEM_SIZE, "w")) == NULL) {
		snprintf(why, n, "fmemopen: %s", strerror(errno));
		goto fail;
	}
	/* the stream's own buffer would only copy the bytes twice */
	setvbuf(c->mem, NULL, _IONBF, 0);
	if ((c->d = pcap_dump_fopen(c->dead, c->mem)) == NULL) {
		snprintf(why, n, "libpcap: %s", pcap_geterr(c->dead));
		fclose(c->mem);
		goto fail;
	}
	take(c, o); /* the file header */
	return c;
fail:
	if (c->dead != NULL)
		pcap_close(c->dead);
	free(c->buf);
	free(c);
	return NULL;
}

void
classic_packet(struct classic *c, struct out *o, const struct pkt *p)
{
	struct pcap_pkthdr h;

	memset(&h, 0, sizeof(h));
	/* with the nanosecond magic, tv_usec holds nanoseconds */
	h.ts.tv_sec = (time_t)(p->ts / 1000000000u);
	h.ts.tv_usec = (suseconds_t)(p->ts % 1000000000u);
	/* more than the memory stream holds: no reader takes it anyway */
	h.caplen = p->caplen > MEM_SIZE - 64 ? MEM_SIZE - 64 : p->caplen;
	h.len = p->len;
	pcap_dump((u_char *)c->d, &h, p->data);
	take(c, o);
}

void
classic_close(struct classic *c)
{
	if (c == NULL)
		return;
	pcap_dump_close(c->d); /* closes the memory stream */
	pcap_close(c->dead);
	free(c->buf);
	free(c);
}
