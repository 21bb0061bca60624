/*
 * Unit tests of nm-decode's DNS extras: the EDNS OPT pseudo-record kept
 * apart from the resource records, and the table of outstanding queries
 * behind dns.time (decode/dnsq.c), fed decoded packets with timestamps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nm.h"
#include "pkt.h"

#include "decode_test.h"

/*
 * An Ethernet/IPv4/UDP frame from 10.0.0.c:cport to 10.0.0.s:sport
 * around the DNS message in hex, lengths filled in.
 */
static void
udp_dns(struct buf *b, unsigned c, unsigned cport, unsigned s, unsigned sport,
    const char *dns)
{
	char hdr[160];
	size_t ipl, udpl;

	b->n = 0;
	snprintf(hdr, sizeof(hdr),
	    "020000000002 020000000001 0800 "
	    "4500 0000 0001 0000 4011 0000 0a0000%02x 0a0000%02x "
	    "%04x %04x 0000 0000",
	    c, s, cport, sport);
	put(b, hdr);
	put(b, dns);
	ipl = b->n - 14;
	udpl = b->n - 34;
	b->b[16] = (uint8_t)(ipl >> 8);
	b->b[17] = (uint8_t)ipl;
	b->b[38] = (uint8_t)(udpl >> 8);
	b->b[39] = (uint8_t)udpl;
}

/* example.com A, with an OPT record: size 1232, DO, options 10 and 8 */
#define Q_EX "07 6578616d706c65 03 636f6d 00 0001 0001"
#define OPT                                                                    \
	"00 0029 04d0 00 00 8000 0010 "                                        \
	"000a 0008 0102030405060708 0008 0000"

/* Decodes a query for example.com A with these additional records. */
static void
query_with(const char *additional)
{
	struct buf b;
	char dns[256];

	snprintf(dns, sizeof(dns), "1234 0100 0001 0000 0000 0001 " Q_EX " %s",
	    additional);
	udp_dns(&b, 1, 40000, 2, 53, dns);
	dec_packet(&pk, 1, b.b, b.n);
}

static void
test_edns(void)
{
	struct buf b;

	query_with(OPT);
	CHECK("edns: decoded, no err",
	    pk.have & PK_DNS && !(pk.have & PK_ERR) && pk.dns.edns.has);
	CHECK("edns: not among the records", pk.dns.nans == 0);
	CHECK("edns: udp size, version, DO",
	    pk.dns.edns.udp_size == 1232 && pk.dns.edns.version == 0 &&
		pk.dns.edns.ext_rcode == 0 && pk.dns.edns.z == 0x8000);
	CHECK("edns: option codes",
	    pk.dns.edns.nopt == 2 && pk.dns.edns.opt[0] == 10 &&
		pk.dns.edns.opt[1] == 8);

	/* a response: an answer, then the OPT with extended rcode 1 */
	udp_dns(&b, 2, 53, 1, 40000,
	    "1234 8180 0001 0001 0000 0001 " Q_EX
	    " c00c 0001 0001 0000003c 0004 5db8d822"
	    " 00 0029 1000 01 00 0000 0000");
	dec_packet(&pk, 1, b.b, b.n);
	CHECK("edns: the answer stays, the OPT goes",
	    !(pk.have & PK_ERR) && pk.dns.nans == 1 &&
		pk.dns.ans[0].type == 1 && pk.dns.edns.has &&
		pk.dns.edns.ext_rcode == 1 && pk.dns.edns.nopt == 0 &&
		pk.dns.edns.udp_size == 4096);

	/* an option whose length runs past the record */
	query_with("00 0029 04d0 00 00 0000 0006 000a 0008 0102");
	CHECK("edns: an option past its record is invalid",
	    pk.dns.edns.has && pk.have & PK_ERR &&
		strcmp(pk.err_layer, "dns") == 0 &&
		strcmp(pk.err_kind, "invalid") == 0);

	/* OPT owned by a name is no EDNS (RFC 6891): a record it stays */
	query_with("c00c 0029 04d0 00 00 0000 0000");
	CHECK("edns: an OPT not of the root stays a record",
	    !pk.dns.edns.has && pk.dns.nans == 1 && pk.dns.ans[0].type == 41);

	/* nor one owned by a label that reads like the root */
	query_with("06 3c526f6f743e 00 0029 04d0 00 00 0000 0000");
	CHECK("edns: an OPT of a label \"<Root>\" stays a record",
	    !pk.dns.edns.has && pk.dns.nans == 1 && pk.dns.ans[0].type == 41);

	/* OPT in the answer section: a record too */
	udp_dns(&b, 2, 53, 1, 40000,
	    "1234 8180 0001 0001 0000 0000 " Q_EX
	    " 00 0029 1000 00 00 0000 0000");
	dec_packet(&pk, 1, b.b, b.n);
	CHECK("edns: an OPT among the answers stays a record",
	    !pk.dns.edns.has && pk.dns.nans == 1);
}

#define SEC 1000000000ULL

/* Decodes and notes one query or response at time t (seconds). */
static void
note(unsigned c, unsigned cport, unsigned s, unsigned sport, const char *id,
    int response, uint64_t t, uint64_t frame)
{
	struct buf b;
	char dns[160];

	snprintf(dns, sizeof(dns), "%s %s 0001 0000 0000 0000 " Q_EX, id,
	    response ? "8180" : "0100");
	if (response)
		udp_dns(&b, s, sport, c, cport, dns);
	else
		udp_dns(&b, c, cport, s, sport, dns);
	dec_packet(&pk, 1, b.b, b.n);
	dnsq_note(&pk, t, frame);
}

static void
test_dnsq(void)
{
	unsigned i;
	uint64_t ev;

	dnsq_seed();
	note(1, 40000, 2, 53, "1111", 0, 100 * SEC, 1);
	CHECK("dnsq: a query has no time", !pk.dns.has_time);
	note(1, 40000, 2, 53, "1111", 1, 100 * SEC + 2500000, 2);
	CHECK("dnsq: its response has the time and the query's frame",
	    pk.dns.has_time && pk.dns.time == 2500000 && pk.dns.qframe == 1);
	/* another id, another client port, another server: no match */
	note(1, 40000, 2, 53, "2222", 1, 101 * SEC, 3);
	CHECK("dnsq: a response to no query has no time", !pk.dns.has_time);
	note(1, 40001, 2, 53, "1111", 1, 101 * SEC, 4);
	CHECK("dnsq: another client port does not match", !pk.dns.has_time);
	note(1, 40000, 3, 53, "1111", 1, 101 * SEC, 5);
	CHECK("dnsq: another server does not match", !pk.dns.has_time);

	/* a retransmission keeps the first query's time */
	note(1, 40002, 2, 53, "3333", 0, 200 * SEC, 10);
	note(1, 40002, 2, 53, "3333", 0, 205 * SEC, 11);
	note(1, 40002, 2, 53, "3333", 1, 206 * SEC, 12);
	CHECK("dnsq: a retransmitted query: timed from the first",
	    pk.dns.has_time && pk.dns.time == 6 * SEC && pk.dns.qframe == 10);
	/* a new query on the same key once answered: a new exchange */
	note(1, 40002, 2, 53, "3333", 0, 300 * SEC, 13);
	note(1, 40002, 2, 53, "3333", 1, 300 * SEC + 1000, 14);
	CHECK("dnsq: the key reused after an answer: a new exchange",
	    pk.dns.has_time && pk.dns.time == 1000 && pk.dns.qframe == 13);

	/* past the age bound, no match */
	note(1, 40003, 2, 53, "4444", 0, 400 * SEC, 20);
	note(1, 40003, 2, 53, "4444", 1, 400 * SEC + DNSQ_MAXAGE + 1, 21);
	CHECK(
	    "dnsq: a response after DNSQ_MAXAGE has no time", !pk.dns.has_time);

	/* more unanswered queries than the table holds: some pushed out,
	 * counted, and the newest still match */
	ev = dnsq_evicted();
	for (i = 0; i < 2u * DNSQ_BUCKETS * DNSQ_WAYS; i++) {
		char id[8];

		snprintf(id, sizeof(id), "%04x", i & 0xffff);
		note(1 + (i >> 16), 1024 + (i >> 8 & 0xff), 2, 53, id, 0,
		    500 * SEC + i, 100 + i);
	}
	CHECK("dnsq: a full table counts what it pushed out",
	    dnsq_evicted() - ev >= (uint64_t)DNSQ_BUCKETS * DNSQ_WAYS / 2);
	i = 2u * DNSQ_BUCKETS * DNSQ_WAYS - 1;
	{
		char id[8];

		snprintf(id, sizeof(id), "%04x", i & 0xffff);
		note(1 + (i >> 16), 1024 + (i >> 8 & 0xff), 2, 53, id, 1,
		    501 * SEC, 1);
	}
	CHECK("dnsq: the newest query still matches",
	    pk.dns.has_time && pk.dns.qframe == 100 + i);
}

int
main(void)
{
	test_edns();
	test_dnsq();
	return fails != 0;
}
