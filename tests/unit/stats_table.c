/*
 * Unit tests of nm-stats' insides: the capped hash table against a plain
 * reference (inserts, backward-shift removals, lookups), the TCP state
 * and history of each way a connection can end, the originator when the
 * SYN was missed, top-N order and ties, and the memory a million
 * connections take.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nm.h"
#include "stats.h"

static int failed;

static void
ok(int cond, const char *name)
{
	printf("%s: %s\n", cond ? "PASS" : "FAIL", name);
	if (!cond)
		failed = 1;
}

struct ent {
	uint64_t	 key;
	uint64_t	 val;
};

static void
test_table(void)
{
	enum { N = 50000 };
	static unsigned char present[N];
	struct tab t;
	struct ent *e;
	uint64_t k, s = 12345;
	size_t i, bad = 0;

	tab_init(&t, sizeof(struct ent), 8, N);
	for (i = 0; i < 4 * N; i++) {
		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		k = (s >> 33) % N;
		e = tab_find(&t, &k);
		if ((e != NULL) != present[k])
			bad++;
		if (e == NULL) {
			e = tab_insert(&t, &k);
			e->val = k * 3;
			present[k] = 1;
		} else if (s & 0x100000) {	/* and remove one at random */
			size_t j = (size_t)(s >> 40) % t.count;

			present[((struct ent *)tab_at(&t, j))->key] = 0;
			tab_remove(&t, j);
		}
	}
	/* remove by index, found by a scan, to exercise moves of the last */
	for (i = 0; i < t.count;) {
		e = tab_at(&t, i);
		if (e->key % 3 == 0) {
			present[e->key] = 0;
			tab_remove(&t, i);
		} else
			i++;
	}
	for (k = 0; k < N; k++) {
		e = tab_find(&t, &k);
		if ((e != NULL) != present[k] || (e && e->val != k * 3))
			bad++;
	}
	ok(bad == 0, "table: lookups agree with a reference after inserts "
	    "and removals");
	tab_free(&t);
}

static struct pview
tcp(const char *src, unsigned sport, const char *dst, unsigned dport,
    unsigned flags, unsigned payload, uint64_t ts)
{
	struct pview pv;

	memset(&pv, 0, sizeof(pv));
	pv.ts = ts;
	pv.len = 60 + payload;
	pv.af = 4;
	memcpy(pv.src, src, 4);
	memcpy(pv.dst, dst, 4);
	pv.ipproto = 6;
	pv.ports = 1;
	pv.sport = sport;
	pv.dport = dport;
	pv.tcp = 1;
	pv.tcpflags = flags;
	pv.tcplen = payload;
	return pv;
}

static void
noemit(void *arg, const struct flow *f, const char *why)
{
	(*(int *)arg)++;
}

/* Runs a sequence of (from-client?, flags, payload) and checks the end. */
static void
conn(const char *name, const char *seq, const char *state, const char *hist)
{
	static const char a[4] = { 10, 0, 0, 1 }, b[4] = { 10, 0, 0, 2 };
	struct flow_tab ft;
	struct pview pv;
	struct flow *f = NULL;
	char msg[128];
	unsigned flags;
	int n = 0, i;

	flow_init(&ft, 16);
	for (i = 0; seq[i] != '\0'; i += 3) {
		flags = (unsigned)strtoul((char[]){ seq[i + 1], '\0' }, NULL,
		    16) << 4 | (unsigned)strtoul((char[]){ seq[i + 2], '\0' },
		    NULL, 16);
		if (seq[i] == 'c' || seq[i] == 'C')
			pv = tcp(a, 40000, b, 443, flags, seq[i] == 'C' ? 10 : 0,
			    (uint64_t)i);
		else
			pv = tcp(b, 443, a, 40000, flags, seq[i] == 'S' ? 10 : 0,
			    (uint64_t)i);
		f = flow_packet(&ft, &pv, noemit, &n);
	}
	snprintf(msg, sizeof(msg), "state %s: %s (%s), history %s (%s)", name,
	    flow_state(f), state, f->hist, hist);
	ok(strcmp(flow_state(f), state) == 0 && strcmp(f->hist, hist) == 0 &&
	    ft.t.count == 1, msg);
	tab_free(&ft.t);
}

static void
test_states(void)
{
	/* c/s: client/server without payload, C/S with; then flags in hex */
	conn("handshake, data, FIN both ways", "c02s12c10C18S18c11s11c10",
	    "SF", "ShADdFf");
	conn("SYN unanswered", "c02c02", "S0", "S");
	conn("SYN answered by RST", "c02s14", "REJ", "Sr");
	conn("reset by the originator", "c02s12c10c04", "RSTO", "ShAR");
	conn("reset by the responder", "c02s12c10s14", "RSTR", "ShAr");
	conn("established", "c02s12c10C18", "S1", "ShAD");
	conn("half closed", "c02s12c10c11", "S2", "ShAF");
	conn("SYN then FIN", "c02c01", "SH", "SF");
	conn("midstream", "C18S18", "OTH", "Dd");
	conn("SYN-ACK first", "s12c10", "OTH", "hA");
}

static void
test_originator(void)
{
	static const char a[4] = { 10, 0, 0, 9 }, b[4] = { 10, 0, 0, 1 };
	struct flow_tab ft;
	struct pview pv;
	const struct flow *f;
	const uint8_t *src, *dst;
	unsigned sp, dp;
	int n = 0;

	flow_init(&ft, 16);
	/* a SYN-ACK from the server is seen first: the client is still src */
	pv = tcp(a, 443, b, 50000, 0x12, 0, 1);
	f = flow_packet(&ft, &pv, noemit, &n);
	flow_ends(f, &src, &dst, &sp, &dp);
	ok(memcmp(src, b, 4) == 0 && sp == 50000 && dp == 443 &&
	    f->svcport == 443, "originator: SYN-ACK first makes its receiver "
	    "the originator");
	tab_free(&ft.t);
}

static void
test_top(void)
{
	struct tab t;
	struct host_key k;
	struct host *h;
	const struct host *out[3];
	size_t n;
	int i;

	tab_init(&t, sizeof(struct host), sizeof(struct host_key), 16);
	for (i = 0; i < 6; i++) {
		memset(&k, 0, sizeof(k));
		k.af = 4;
		k.addr[3] = (uint8_t)(10 - i);
		h = tab_insert(&t, &k);
		h->txp = (uint64_t)(i % 3);	/* 0 1 2 0 1 2 */
		h->txb = 100;
	}
	n = top_hosts(&t, TOP_PACKETS, TOP_TX, out, 3);
	ok(n == 3 && out[0]->txp == 2 && out[0]->k.addr[3] == 5 &&
	    out[1]->k.addr[3] == 8 && out[2]->txp == 1 &&
	    out[2]->k.addr[3] == 6, "top: largest first, ties by address");
	n = top_hosts(&t, TOP_PACKETS, TOP_RX, out, 3);
	ok(n == 0, "top: entries with nothing are left out");
	tab_free(&t);
}

/* A million flows through the real path, against a cap of a million. */
static void
test_memory(void)
{
	struct flow_tab ft;
	struct pview pv;
	char a[4], b[4] = { (char)192, (char)168, 0, 1 }, msg[160];
	size_t bytes;
	uint32_t i;
	int n = 0;

	flow_init(&ft, 1000000);
	for (i = 0; i < 1100000; i++) {
		a[0] = 10;
		a[1] = (char)(i >> 16);
		a[2] = (char)(i >> 8);
		a[3] = (char)i;
		pv = tcp(a, 1024 + i % 60000, b, 80, 0x02, 0, i);
		flow_packet(&ft, &pv, noemit, &n);
	}
	bytes = tab_bytes(&ft.t);
	snprintf(msg, sizeof(msg), "memory: 1.1M flows against a cap of 1M: "
	    "%zu tracked, %d evicted, %zu MiB (%zu bytes a flow)", ft.t.count,
	    n, bytes >> 20, sizeof(struct flow));
	ok(ft.t.count == 1000000 && n == 100000 && ft.evicted == 100000 &&
	    bytes < 160u << 20, msg);
	tab_free(&ft.t);
}

int
main(void)
{
	test_table();
	test_states();
	test_originator();
	test_top();
	test_memory();
	return failed;
}
