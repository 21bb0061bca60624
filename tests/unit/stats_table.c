/*
 * Unit tests of nm-stats' insides: the capped hash table against a plain
 * reference (inserts, backward-shift removals, lookups), the TCP state
 * and history of each way a connection can end, the originator when the
 * SYN was missed, a new SYN after a close starting a new connection,
 * top-N order and ties (ended connections competing with open ones), keys
 * built to collide under the old unkeyed hash, and the memory a million
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

/*
 * Pairs of keys that collided under the old multiply-and-xorshift hash
 * whatever its seed: flipping the top bit of word 0 adds 2^63 to the
 * product, which the shift turns into bits 63 and 31 of the state,
 * cancelled by flipping those bits of word 1.  Under SipHash with the run
 * key such pairs collide no more often than any others (2^-32 each).
 */
static void
test_collisions(void)
{
	struct tab ft, ht;
	struct flow_key a, b;
	struct host_key ha, hb;
	uint64_t w, s = 99;
	size_t i, same = 0, hsame = 0;
	char msg[160];

	tab_init(&ft, sizeof(struct flow), sizeof(struct flow_key), 16);
	tab_init(&ht, sizeof(struct host), sizeof(struct host_key), 16);
	for (i = 0; i < 10000; i++) {
		memset(&a, 0, sizeof(a));
		for (size_t j = 0; j < 32; j++) {
			s = s * 6364136223846793005ULL + 1442695040888963407ULL;
			((uint8_t *)&a)[j] = (uint8_t)(s >> 56);
		}
		a.pa = (uint16_t)i;
		a.pb = 443;
		a.af = 6;
		a.proto = 6;
		b = a;
		memcpy(&w, (uint8_t *)&b, 8);
		w ^= 1ULL << 63;
		memcpy((uint8_t *)&b, &w, 8);
		memcpy(&w, (uint8_t *)&b + 8, 8);
		w ^= 1ULL << 63 | 1ULL << 31;
		memcpy((uint8_t *)&b + 8, &w, 8);
		same += tab_hash(&ft, &a) == tab_hash(&ft, &b);
		memset(&ha, 0, sizeof(ha));
		memcpy(ha.addr, a.a, 16);
		ha.af = 6;
		hb = ha;
		memcpy(hb.addr, b.a, 16);
		hsame += tab_hash(&ht, &ha) == tab_hash(&ht, &hb);
	}
	snprintf(msg, sizeof(msg),
	    "hash: keys built to collide whatever the seed: %zu of 10000 "
	    "flow pairs, %zu host pairs collide (want 0)",
	    same, hsame);
	ok(same == 0 && hsame == 0, msg);
	tab_free(&ft);
	tab_free(&ht);
}

struct ended {
	int n;
	char reason[8][16];
	uint64_t pkts[8];
};

static void
record(void *arg, const struct flow *f, const char *why)
{
	struct ended *e = arg;

	if (e->n < 8) {
		snprintf(e->reason[e->n], sizeof(e->reason[0]), "%s", why);
		e->pkts[e->n] = f->pkts[0] + f->pkts[1];
	}
	e->n++;
}

/* Plays c/s flags (hex) on one tuple; returns the last packet's flow. */
static struct flow *
play(struct flow_tab *ft, const char *seq, struct ended *e, uint64_t *ts)
{
	static const char a[4] = { 10, 0, 0, 1 }, b[4] = { 10, 0, 0, 2 };
	struct flow *f = NULL;
	struct pview pv;
	unsigned flags;
	int i;

	for (i = 0; seq[i] != '\0'; i += 3) {
		flags = (unsigned)strtoul(
		    (char[]){ seq[i + 1], seq[i + 2], '\0' }, NULL, 16);
		if (seq[i] == 'c')
			pv = tcp(a, 40000, b, 80, flags, 0, (*ts)++);
		else
			pv = tcp(b, 80, a, 40000, flags, 0, (*ts)++);
		f = flow_packet(ft, &pv, record, e);
	}
	return f;
}

static void
test_reuse(void)
{
	struct flow_tab ft;
	struct ended e;
	struct flow *f;
	uint64_t ts = 1;

	memset(&e, 0, sizeof(e));
	flow_init(&ft, 16);
	/* closed by FIN both ways, then a new SYN: two connections */
	play(&ft, "c02s12c10c11s11c10", &e, &ts);
	f = play(&ft, "c02s12c10", &e, &ts);
	ok(e.n == 1 && strcmp(e.reason[0], "reused") == 0 && e.pkts[0] == 6 &&
		ft.seen == 2 && ft.t.count == 1 && f->pkts[0] + f->pkts[1] == 3 &&
		strcmp(f->hist, "ShA") == 0 && strcmp(flow_state(f), "S1") == 0,
	    "reuse: a SYN after FIN both ways starts a new connection");
	/* reset, then a SYN from the other side */
	play(&ft, "c04", &e, &ts);
	f = play(&ft, "s02", &e, &ts);
	ok(e.n == 2 && e.pkts[1] == 4 && ft.seen == 3 && f->pkts[0] == 1 &&
		f->k.pa == 40000,
	    "reuse: a SYN after a RST starts a new connection");
	/* a SYN again while open (a retransmission), a FIN one way: one */
	play(&ft, "s02c11s02", &e, &ts);
	ok(e.n == 2 && ft.seen == 3,
	    "reuse: a SYN while not closed is the same connection");
	tab_free(&ft.t);
}

/* Ended connections compete with open ones; the keep stays bounded. */
static void
test_keep(void)
{
	struct tab t;
	struct top_keep keep;
	struct flow_key k;
	struct flow *f, old;
	const struct flow *out[3];
	size_t n, i;

	tab_init(&t, sizeof(struct flow), sizeof(struct flow_key), 16);
	keep_init(&keep, 2, TOP_PACKETS);
	memset(&old, 0, sizeof(old));
	for (i = 0; i < 6; i++) { /* ended: 1 to 6 packets */
		old.k.a[0] = (uint8_t)i;
		old.pkts[0] = i + 1;
		old.first = i;
		keep_offer(&keep, &old);
	}
	memset(&k, 0, sizeof(k));
	k.a[0] = 5; /* open, on the key of the 6-packet one, as many packets */
	f = tab_insert(&t, &k);
	f->pkts[0] = 6;
	f->first = 100;
	k.a[0] = 9;
	f = tab_insert(&t, &k);
	f->pkts[1] = 5;
	n = top_flows(&t, &keep, TOP_PACKETS, out, 3);
	ok(keep.n == 2 && n == 3 && out[0]->pkts[0] == 6 && out[0]->first == 5 &&
		out[1]->pkts[0] == 6 && out[1]->first == 100 &&
		out[2]->pkts[0] + out[2]->pkts[1] == 5 && out[2]->k.a[0] == 4,
	    "top: ended connections rank with open ones, ties by key then "
	    "first sight; two kept of six ended");
	keep_free(&keep);
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
	test_collisions();
	test_reuse();
	test_keep();
	test_memory();
	return failed;
}
