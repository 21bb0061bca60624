/*
 * DNS abuse, read from the decoded DNS map of each message on port 53
 * (mDNS on 5353 and LLMNR on 5355 are link-local, and mDNS names are long
 * by design: both are left out):
 *   - dns_nxdomain_burst: one client answered NXDOMAIN for many distinct
 *     names in a window (a generated-name malware's lookups, a brute
 *     force of a zone's names);
 *   - dns_tunnel, style long_label: a query whose first label is longer
 *     than dns-label bytes, nDPI's rule with its exceptions;
 *   - dns_tunnel, style many_subdomains: one client asking for many
 *     distinct subdomains of one parent domain in a window, weighed by
 *     their mean label length, so that a tunnel's encoded labels count
 *     and a CDN's few long names, or a monitor's many short host names,
 *     do not (a hex encoding has low per-character entropy: length, not
 *     entropy, is what a tunnel cannot do without);
 *   - dns_large_reply: a UDP reply larger than its query allowed (512
 *     bytes without EDNS, RFC 1035; the query's advertised size with it),
 *     which needs the query's size remembered per (client, server, client
 *     port, id) until its reply.
 * The map comes from upstream and is untrusted: every value's type is
 * checked where it is read, a name is bounded and must split into labels
 * a DNS message can carry, and a map of any other shape is no DNS
 * message to these detectors.  Every table is capped; a full one lets go
 * of its oldest entry, counted as an eviction.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "detect.h"
#include "nm.h"
#include "siphash.h"

#define DNS_PORT      53
#define NAME_ESC_MAX  1024 /* 255 bytes, each at most 4 characters escaped */
#define LABELS_MAX    128  /* a 255-byte name has at most 127 labels */
#define TUN_ITEMS_MAX 4096 /* subdomains remembered per client and parent */
#define ALLOW_MAX     256

static void allow_add(const char *value, const char *where);

static struct param dns_params[] = {
	{ .name = "dns-nxdomain",
	    .unit = PU_COUNT,
	    .def = 50,
	    .min = 2,
	    .max = 4096,
	    .help = "dns_nxdomain_burst: distinct names answered NXDOMAIN "
		    "to one client (the Bro/Zeek script "
		    "DNS_high_failure_count: 50)" },
	{ .name = "dns-nxdomain-window",
	    .unit = PU_SECS,
	    .def = 300,
	    .min = 1,
	    .max = 86400,
	    .help = "dns_nxdomain_burst: in this span (the same script: "
		    "5 min)" },
	{ .name = "dns-clients",
	    .unit = PU_COUNT,
	    .def = 16384,
	    .min = 64,
	    .max = 16777216,
	    .help = "clients whose NXDOMAIN answers are counted, at most" },
	{ .name = "dns-label",
	    .unit = PU_COUNT,
	    .def = 48,
	    .min = 1,
	    .max = 63,
	    .help = "dns_tunnel long_label: a first label longer than this, "
		    "in bytes (nDPI: 48)" },
	{ .name = "dns-subdomains",
	    .unit = PU_COUNT,
	    .def = 30,
	    .min = 2,
	    .max = TUN_ITEMS_MAX,
	    .help = "dns_tunnel many_subdomains: distinct subdomains of one "
		    "parent from one client, at least (ours)" },
	{ .name = "dns-tunnel-score",
	    .unit = PU_COUNT,
	    .def = 1200,
	    .min = 1,
	    .max = 1000000,
	    .help = "dns_tunnel many_subdomains: and subdomains times their "
		    "mean label length, at least (ours)" },
	{ .name = "dns-tunnel-label-mean",
	    .unit = PU_COUNT,
	    .def = 12,
	    .min = 1,
	    .max = 63,
	    .help = "dns_tunnel many_subdomains: and a mean label length of "
		    "at least this, in bytes (ours)" },
	{ .name = "dns-tunnel-window",
	    .unit = PU_SECS,
	    .def = 300,
	    .min = 1,
	    .max = 86400,
	    .help = "dns_tunnel many_subdomains: in this span (as Zeek's "
		    "scans: 5 min)" },
	{ .name = "dns-parents",
	    .unit = PU_COUNT,
	    .def = 16384,
	    .min = 64,
	    .max = 16777216,
	    .help = "clients' parent domains whose subdomains are counted, "
		    "at most" },
	{ .name = "dns-allow",
	    .unit = PU_LIST,
	    .help = "DOMAIN: it and its subdomains are never a tunnel "
		    "(nDPI's exceptions are built in)",
	    .add = allow_add },
	{ .name = "dns-reply-max",
	    .unit = PU_BYTES,
	    .def = 512,
	    .min = 512,
	    .max = 65535,
	    .help = "dns_large_reply: UDP reply bytes allowed without EDNS "
		    "(RFC 1035: 512)" },
	{ .name = "dns-queries",
	    .unit = PU_COUNT,
	    .def = 65536,
	    .min = 64,
	    .max = 16777216,
	    .help = "queries awaiting their reply, at most" },
	{ .name = "dns-reply-timeout",
	    .unit = PU_SECS,
	    .def = 10,
	    .min = 1,
	    .max = 600,
	    .help = "a query unanswered this long is forgotten" },
	{ .name = NULL },
};

/*
 * Names never a tunnel suspect: nDPI's exceptions to its long-label rule
 * (DNS blocklists, whose queries carry an address or a hashed URL, and
 * CDNs and clouds with long generated host names), then the user's.
 */
static const char *const allow_builtin[] = { "multi.surbl.org", "spamhaus.org",
	"rackcdn.com", "akamaiedge.net", "mx-verification.google.com",
	"amazonaws.com", NULL };

static char *allow_user[ALLOW_MAX];
static int nallow;

/* Second-level labels under which a country's domains are registered. */
static const char *const sld_generic[] = { "ac", "co", "com", "edu", "go",
	"gov", "gv", "mil", "ne", "net", "or", "org", NULL };

/* --- the tables --- */

struct ckey {
	uint8_t addr[16];
	uint8_t af, pad[7];
};

/* a client's distinct NXDOMAIN names in its window */
struct nxc {
	struct ckey k;
	uint64_t first, last;
	uint32_t n, pad;
	struct evidence ev; /* the window's first answer */
	uint32_t item[];    /* the names' hashes */
};

struct tkey {
	uint8_t addr[16];
	uint64_t parent; /* the parent domain's hash */
	uint8_t af, pad[7];
};

/* a client's distinct subdomains of one parent in its window */
struct tpair {
	struct tkey k;
	uint64_t first, last;
	uint32_t n, labels; /* distinct subdomains, and their labels */
	uint64_t chars;	    /* the bytes of those labels */
	struct evidence ev; /* the window's first query */
	uint32_t item[];
};

struct qkey {
	uint8_t client[16], server[16];
	uint16_t cport, id;
	uint8_t af, pad[3];
};

/* a query awaiting its reply */
struct query {
	struct qkey k;
	uint64_t ts;
	uint32_t limit; /* the reply's bytes it allows */
	uint32_t edns;	/* it came with EDNS */
};

static struct tab nxtab, tuntab, qtab;
static size_t cap_clients, cap_parents, cap_queries, tun_items;
static uint64_t nx_need, nx_window, label_max, sub_need, score_need, mean_need,
    tun_window, reply_max, reply_tmo;

static size_t
round8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

static void
dns_init(void)
{
	nx_need = param("dns-nxdomain");
	nx_window = param("dns-nxdomain-window");
	cap_clients = (size_t)param("dns-clients");
	label_max = param("dns-label");
	sub_need = param("dns-subdomains");
	score_need = param("dns-tunnel-score");
	mean_need = param("dns-tunnel-label-mean");
	tun_window = param("dns-tunnel-window");
	cap_parents = (size_t)param("dns-parents");
	reply_max = param("dns-reply-max");
	cap_queries = (size_t)param("dns-queries");
	reply_tmo = param("dns-reply-timeout");
	/* enough subdomains to reach the score at the least mean allowed:
	 * a full set without an alert has labels too short to be one */
	tun_items = (size_t)((score_need + mean_need - 1) / mean_need);
	if (tun_items < sub_need)
		tun_items = (size_t)sub_need;
	if (tun_items > TUN_ITEMS_MAX)
		tun_items = TUN_ITEMS_MAX;
	/* entries follow each other in a chunk: whole words, so each one's
	 * 8-byte fields stay aligned whatever the number of items */
	tab_init(&nxtab, round8(sizeof(struct nxc) + (size_t)nx_need * 4),
	    sizeof(struct ckey), cap_clients);
	tab_init(&tuntab, round8(sizeof(struct tpair) + tun_items * 4),
	    sizeof(struct tkey), cap_parents);
	tab_init(&qtab, sizeof(struct query), sizeof(struct qkey), cap_queries);
}

static void
allow_add(const char *value, const char *where)
{
	size_t n = strlen(value), i;
	char *s;

	while (n > 0 && value[n - 1] == '.')
		n--;
	if (n == 0 || n > 253 || strchr(value, ' ') != NULL)
		nm_die(NM_EXIT_USAGE, "%s: dns-allow %.40s: not a domain name",
		    where, value);
	if (nallow == ALLOW_MAX)
		nm_die(NM_EXIT_USAGE, "%s: dns-allow: more than %d entries",
		    where, ALLOW_MAX);
	s = emalloc(n + 1);
	for (i = 0; i < n; i++)
		s[i] = value[i] >= 'A' && value[i] <= 'Z'
		    ? (char)(value[i] - 'A' + 'a')
		    : value[i];
	s[n] = '\0';
	allow_user[nallow++] = s;
}

static size_t
alen(int af)
{
	return af == 4 ? 4 : 16;
}

/* --- the message, read without trusting its shape --- */

struct dmsg {
	int qr; /* a response */
	int has_rcode;
	unsigned rcode;
	int has_id;
	unsigned id;
	uint64_t edns; /* the advertised UDP payload size; 0: no EDNS */
	const msgpack_object *name; /* the first question's: a string */
};

static int
key_is(const msgpack_object *k, const char *s, size_t n)
{
	return k->type == MSGPACK_OBJECT_STR && rec_key_is(k, s, n);
}
#define KEY_IS(k, s) key_is((k), (s), sizeof(s) - 1)

static uint64_t
edns_size(const msgpack_object *m)
{
	uint64_t v;
	uint32_t i;

	if (m->type != MSGPACK_OBJECT_MAP)
		return 0;
	for (i = 0; i < m->via.map.size; i++)
		if (KEY_IS(&m->via.map.ptr[i].key, "udp_size") &&
		    rec_obj_u64(&m->via.map.ptr[i].val, &v) && v <= 65535)
			/* below 512 means 512 (RFC 6891 6.2.5) */
			return v < 512 ? 512 : v;
	return 0;
}

static const msgpack_object *
first_name(const msgpack_object *q)
{
	const msgpack_object *m;
	uint32_t i;

	if (q->type != MSGPACK_OBJECT_ARRAY || q->via.array.size == 0)
		return NULL;
	m = &q->via.array.ptr[0];
	if (m->type != MSGPACK_OBJECT_MAP)
		return NULL;
	for (i = 0; i < m->via.map.size; i++)
		if (KEY_IS(&m->via.map.ptr[i].key, "name"))
			return m->via.map.ptr[i].val.type == MSGPACK_OBJECT_STR
			    ? &m->via.map.ptr[i].val
			    : NULL;
	return NULL;
}

/* 0 when the map has no QR flag of the right type: no message to us. */
static int
read_msg(const msgpack_object *m, struct dmsg *d)
{
	uint64_t u;
	int has_qr = 0;
	uint32_t i;

	memset(d, 0, sizeof(*d));
	if (m == NULL || m->type != MSGPACK_OBJECT_MAP)
		return 0;
	for (i = 0; i < m->via.map.size; i++) {
		const msgpack_object *k = &m->via.map.ptr[i].key;
		const msgpack_object *v = &m->via.map.ptr[i].val;

		if (KEY_IS(k, "qr") && v->type == MSGPACK_OBJECT_BOOLEAN)
			d->qr = v->via.boolean, has_qr = 1;
		else if (KEY_IS(k, "rcode") && rec_obj_u64(v, &u) && u < 16)
			d->rcode = (unsigned)u, d->has_rcode = 1;
		else if (KEY_IS(k, "id") && rec_obj_u64(v, &u) && u <= 0xffff)
			d->id = (unsigned)u, d->has_id = 1;
		else if (KEY_IS(k, "q"))
			d->name = first_name(v);
		else if (KEY_IS(k, "edns"))
			d->edns = edns_size(v);
	}
	return has_qr;
}

/*
 * A name as decode/dns.c writes it (labels joined by dots, a byte outside
 * printable ASCII, a dot or a backslash inside a label as \xHH), lowered
 * to ASCII lower case (names compare so, and resolvers that randomise the
 * case of queries would make every name new), split into its labels with
 * their lengths on the wire.
 */
struct dname {
	char low[NAME_ESC_MAX + 1];
	size_t len;
	unsigned nl;
	uint16_t off[LABELS_MAX]; /* where each label starts in low */
	uint8_t wire[LABELS_MAX]; /* its bytes on the wire */
	const char *text;	  /* the name as it came */
	size_t textlen;
};

static int
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* 0 when it is no name a DNS message carries (or the root's, or an
 * oversized one's placeholder, "<Root>" and "<Name too long>"). */
static int
parse_name(const msgpack_object *o, struct dname *d)
{
	const char *s;
	size_t n, i, start = 0;
	unsigned wire = 0;

	if (o == NULL || o->type != MSGPACK_OBJECT_STR)
		return 0;
	s = o->via.str.ptr;
	n = o->via.str.size;
	if (n == 0 || n > NAME_ESC_MAX || s[0] == '<')
		return 0;
	d->text = s;
	d->textlen = n;
	d->nl = 0;
	for (i = 0; i <= n; i++) {
		char c = i < n ? s[i] : '.';

		if (c == '.') {
			if (i == start || wire > 63 || d->nl == LABELS_MAX)
				return 0; /* an empty label, or too long */
			d->off[d->nl] = (uint16_t)start;
			d->wire[d->nl++] = (uint8_t)wire;
			start = i + 1;
			wire = 0;
			if (i < n)
				d->low[i] = '.';
			continue;
		}
		if (c == '\0')
			return 0;
		d->low[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
		wire++;
		/* \xHH is one byte: skip its other three characters */
		if (c == '\\' && i + 3 < n && s[i + 1] == 'x' &&
		    is_hex(s[i + 2]) && is_hex(s[i + 3])) {
			memcpy(d->low + i + 1, s + i + 1, 3);
			i += 3;
		}
	}
	d->low[n] = '\0';
	d->len = n;
	return 1;
}

/* The name is suffix or under it, by whole labels. */
static int
name_under(const struct dname *d, const char *suffix)
{
	size_t n = strlen(suffix);

	if (d->len < n || memcmp(d->low + d->len - n, suffix, n) != 0)
		return 0;
	return d->len == n || d->low[d->len - n - 1] == '.';
}

/* Reverse lookups, and .local (mDNS names a resolver was asked for). */
static int
name_special(const struct dname *d)
{
	return name_under(d, "in-addr.arpa") || name_under(d, "ip6.arpa") ||
	    name_under(d, "local");
}

static int
name_allowed(const struct dname *d)
{
	int i;

	for (i = 0; allow_builtin[i] != NULL; i++)
		if (name_under(d, allow_builtin[i]))
			return 1;
	for (i = 0; i < nallow; i++)
		if (name_under(d, allow_user[i]))
			return 1;
	return 0;
}

/* Label i, as text, equals s. */
static int
label_is(const struct dname *d, unsigned i, const char *s)
{
	size_t n = strlen(s), end = i + 1 < d->nl ? d->off[i + 1] - 1u : d->len;

	return end - d->off[i] == n && memcmp(d->low + d->off[i], s, n) == 0;
}

/*
 * How many labels the parent domain has: the last two (example.com), or
 * three under a country's generic second level (example.co.uk), as a
 * registrable domain mostly is; no public suffix list is consulted.
 */
static unsigned
parent_labels(const struct dname *d)
{
	int i;

	if (d->nl >= 3 && d->wire[d->nl - 1] == 2)
		for (i = 0; sld_generic[i] != NULL; i++)
			if (label_is(d, d->nl - 2, sld_generic[i]))
				return 3;
	return 2;
}

/* The name as evidence: as it came, cut before a partial escape. */
static void
evidence_name(struct evidence *e, const struct dname *d)
{
	size_t n = d->textlen, i;

	if (n > sizeof(e->name) - 1) {
		n = sizeof(e->name) - 1;
		for (i = n >= 3 ? n - 3 : 0; i < n; i++)
			if (d->text[i] == '\\')
				n = i;
	}
	memcpy(e->name, d->text, n);
	e->name[n] = '\0';
}

static void
dns_evidence(struct evidence *e, const struct dpkt *p, const struct dmsg *m,
    const struct dname *d)
{
	evidence_of(e, p, "DNS");
	if (m->qr && m->has_rcode)
		e->has_rcode = 1, e->rcode = m->rcode;
	if (d != NULL)
		evidence_name(e, d);
	if (p->udp && p->udplen >= 8)
		e->len = p->udplen - 8;
}

static void
alert_dns(struct alert *a, const char *kind, const char *severity,
    const struct dpkt *p, const uint8_t *client, const uint8_t *server)
{
	alert_begin(a, kind, severity, p->ts);
	a->proto = "DNS";
	a->af = p->af;
	memcpy(a->src, client, alen(p->af));
	memcpy(a->dst, server, alen(p->af));
	a->has_dst = 1;
	/* the server's port: --ignore RESOLVER#53 leaves a forwarder be */
	a->has_port = 1;
	a->port = DNS_PORT;
}

/* Adds v to a set of n items of cap; 1 when it was new and fitted. */
static int
add_item(uint32_t *it, uint32_t *n, size_t cap, uint32_t v)
{
	uint32_t i;

	for (i = 0; i < *n; i++)
		if (it[i] == v)
			return 0;
	if (*n >= cap)
		return 0;
	it[(*n)++] = v;
	return 1;
}

/* --- dns_nxdomain_burst --- */

static void
nxdomain(const struct dpkt *p, const struct dmsg *m, const struct dname *d)
{
	char cb[64], sb[64];
	struct evidence ev;
	struct alert a;
	struct ckey k;
	struct nxc *c;
	uint32_t h;

	memset(&k, 0, sizeof(k));
	memcpy(k.addr, p->dst, alen(p->af));
	k.af = (uint8_t)p->af;
	if ((c = tab_find(&nxtab, &k)) == NULL) {
		if (nxtab.count >= cap_clients)
			dt_evict(&nxtab, offsetof(struct nxc, last));
		c = tab_insert(&nxtab, &k);
		c->first = p->ts;
	} else if (p->ts >= c->first && p->ts - c->first > nx_window) {
		c->n = 0; /* its window is over: a new one starts */
		c->first = p->ts;
	}
	c->last = p->ts;
	h = (uint32_t)siphash24(&nxtab.key, d->low, d->len);
	if (!add_item(c->item, &c->n, (size_t)nx_need, h))
		return;
	if (c->n == 1)
		dns_evidence(&c->ev, p, m, d);
	if (c->n < nx_need)
		return;
	alert_dns(&a, "dns_nxdomain_burst", "low", p, p->dst, p->src);
	a.count = c->n;
	a.threshold = nx_need;
	a.window = nx_window;
	a.first = c->first;
	a.last = p->ts;
	dt_addr(p->af, p->dst, cb, sizeof(cb));
	dt_addr(p->af, p->src, sb, sizeof(sb));
	snprintf(a.msg, sizeof(a.msg),
	    "%s was answered NXDOMAIN for %u distinct names in %.1f s "
	    "(by %s)",
	    cb, c->n, (double)(p->ts - c->first) / DT_NS, sb);
	alert_add_evidence(&a, &c->ev);
	dns_evidence(&ev, p, m, d);
	alert_add_evidence(&a, &ev);
	c->n = 0;
	c->first = p->ts;
	alert_raise(&a);
}

/* --- dns_tunnel --- */

static void
long_label(const struct dpkt *p, const struct dmsg *m, const struct dname *d,
    const char *parent)
{
	char cb[64];
	struct evidence ev;
	struct alert a;

	alert_dns(&a, "dns_tunnel", "medium", p, p->src, p->dst);
	a.style = "long_label";
	a.count = d->wire[0];
	a.threshold = label_max;
	a.first = a.last = p->ts;
	snprintf(a.domain, sizeof(a.domain), "%s", parent);
	snprintf(a.target, sizeof(a.target), "%s", parent);
	dt_addr(p->af, p->src, cb, sizeof(cb));
	snprintf(a.msg, sizeof(a.msg),
	    "%s asked for a name under %s whose first label is %u bytes "
	    "long (over %llu)",
	    cb, parent, d->wire[0], (unsigned long long)label_max);
	dns_evidence(&ev, p, m, d);
	alert_add_evidence(&a, &ev);
	alert_raise(&a);
}

static void
many_subdomains(const struct dpkt *p, const struct dmsg *m,
    const struct dname *d, const char *parent, unsigned sub)
{
	char cb[64];
	struct evidence ev;
	struct tpair *t;
	struct alert a;
	struct tkey k;
	uint32_t h, i, chars = 0;
	double mean;

	memset(&k, 0, sizeof(k));
	memcpy(k.addr, p->src, alen(p->af));
	k.af = (uint8_t)p->af;
	k.parent = siphash24(&tuntab.key, parent, strlen(parent));
	if ((t = tab_find(&tuntab, &k)) == NULL) {
		if (tuntab.count >= cap_parents)
			dt_evict(&tuntab, offsetof(struct tpair, last));
		t = tab_insert(&tuntab, &k);
		t->first = p->ts;
	} else if (p->ts >= t->first && p->ts - t->first > tun_window) {
		t->n = t->labels = 0;
		t->chars = 0;
		t->first = p->ts;
	}
	t->last = p->ts;
	/* the subdomain: the labels before the parent's, and their dots */
	h = (uint32_t)siphash24(&tuntab.key, d->low, d->off[sub] - 1u);
	if (!add_item(t->item, &t->n, tun_items, h))
		return;
	for (i = 0; i < sub; i++)
		chars += d->wire[i];
	t->chars += chars;
	t->labels += sub;
	if (t->n == 1)
		dns_evidence(&t->ev, p, m, d);
	/* n >= need, mean >= mean_need and n * mean >= score, in integers */
	if (t->n < sub_need || t->chars < mean_need * t->labels ||
	    (uint64_t)t->n * t->chars < score_need * t->labels)
		return;
	mean = (double)t->chars / t->labels;
	alert_dns(&a, "dns_tunnel", "medium", p, p->src, p->dst);
	a.style = "many_subdomains";
	a.count = t->n;
	a.threshold = sub_need;
	a.window = tun_window;
	a.first = t->first;
	a.last = p->ts;
	snprintf(a.domain, sizeof(a.domain), "%s", parent);
	snprintf(a.target, sizeof(a.target), "%s", parent);
	dt_addr(p->af, p->src, cb, sizeof(cb));
	snprintf(a.msg, sizeof(a.msg),
	    "%s asked for %u distinct subdomains of %s in %.1f s, their "
	    "labels %.1f bytes long on average (score %.0f)",
	    cb, t->n, parent, (double)(p->ts - t->first) / DT_NS, mean,
	    t->n * mean);
	alert_add_evidence(&a, &t->ev);
	dns_evidence(&ev, p, m, d);
	alert_add_evidence(&a, &ev);
	t->n = t->labels = 0;
	t->chars = 0;
	t->first = p->ts;
	alert_raise(&a);
}

static void
tunnel(const struct dpkt *p, const struct dmsg *m, struct dname *d)
{
	unsigned pl;

	if (d->nl < 2 || name_special(d) || name_allowed(d))
		return;
	pl = parent_labels(d);
	if (pl > d->nl)
		pl = d->nl;
	/* nDPI's rule: the first label of a name of two or more */
	if (d->wire[0] > label_max)
		long_label(p, m, d, d->low + d->off[d->nl - pl]);
	if (d->nl > pl)
		many_subdomains(
		    p, m, d, d->low + d->off[d->nl - pl], d->nl - pl);
}

/* --- dns_large_reply --- */

static void
qkey_of(struct qkey *k, const struct dpkt *p, int reply, unsigned id)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->client, reply ? p->dst : p->src, alen(p->af));
	memcpy(k->server, reply ? p->src : p->dst, alen(p->af));
	k->cport = (uint16_t)(reply ? p->dport : p->sport);
	k->id = (uint16_t)id;
	k->af = (uint8_t)p->af;
}

static void
query_seen(const struct dpkt *p, const struct dmsg *m)
{
	struct query *q;
	struct qkey k;

	qkey_of(&k, p, 0, m->id);
	if ((q = tab_find(&qtab, &k)) == NULL) {
		if (qtab.count >= cap_queries)
			dt_evict(&qtab, offsetof(struct query, ts));
		q = tab_insert(&qtab, &k);
	}
	/* a retry with the same id: its size is the one the reply obeys */
	q->ts = p->ts;
	q->limit = (uint32_t)(m->edns > reply_max ? m->edns : reply_max);
	q->edns = m->edns != 0;
}

static void
reply_seen(const struct dpkt *p, const struct dmsg *m, const struct dname *d)
{
	char cb[64], sb[64];
	struct evidence ev;
	struct alert a;
	struct query *q;
	struct qkey k;
	uint64_t size, limit;
	int edns;
	size_t i;

	qkey_of(&k, p, 1, m->id);
	if ((q = tab_find_at(&qtab, &k, &i)) == NULL)
		return; /* its query was not seen: what it allowed is unknown */
	limit = q->limit;
	edns = (int)q->edns;
	tab_remove(&qtab, i);
	if (p->udplen < 8 || (size = p->udplen - 8) <= limit)
		return;
	alert_dns(&a, "dns_large_reply", "low", p, p->dst, p->src);
	a.count = size;
	a.threshold = limit;
	a.first = a.last = p->ts;
	dt_addr(p->af, p->dst, cb, sizeof(cb));
	dt_addr(p->af, p->src, sb, sizeof(sb));
	snprintf(a.target, sizeof(a.target), "%s", sb);
	snprintf(a.msg, sizeof(a.msg),
	    "%s got a %llu-byte UDP reply from %s, over the %llu bytes its "
	    "query allowed%s",
	    cb, (unsigned long long)size, sb, (unsigned long long)limit,
	    edns ? " (its EDNS size)" : " (no EDNS)");
	dns_evidence(&ev, p, m, d);
	alert_add_evidence(&a, &ev);
	alert_raise(&a);
}

/* --- the packets --- */

static void
dns_packet(const struct dpkt *p)
{
	static struct dname d; /* 1.4 KiB: kept off the stack */
	struct dmsg m;
	int named;

	if (p->dns == NULL || !p->ports || (!p->udp && !p->tcp) ||
	    !read_msg(p->dns, &m))
		return;
	/* the server's side is port 53; the client is the other */
	if (m.qr ? p->sport != DNS_PORT : p->dport != DNS_PORT)
		return;
	if (m.qr ? ignored(p->af, p->dst, p->dport, p->sport)
		 : ignored(p->af, p->src, p->sport, p->dport))
		return;
	named = parse_name(m.name, &d);
	if (!m.qr) {
		if (named && !dpkt_addr_group(p->af, p->dst))
			tunnel(p, &m, &d);
		if (p->udp && m.has_id)
			query_seen(p, &m);
		return;
	}
	if (m.has_rcode && m.rcode == 3 && named && !name_special(&d))
		nxdomain(p, &m, &d);
	if (p->udp && m.has_id && qtab.count > 0)
		reply_seen(p, &m, named ? &d : NULL);
}

/* Entries of t whose time at ts_off is more than span before ts go. */
static void
expire(struct tab *t, size_t ts_off, uint64_t span, uint64_t ts)
{
	uint64_t last;
	size_t i;

	for (i = 0; i < t->count;) {
		memcpy(&last, (unsigned char *)tab_at(t, i) + ts_off, 8);
		if (last <= ts && ts - last > span)
			tab_remove(t, i);
		else
			i++;
	}
}

/* Windows over and queries unanswered too long are let go. */
static void
dns_tick(uint64_t ts)
{
	expire(&qtab, offsetof(struct query, ts), reply_tmo, ts);
	expire(&nxtab, offsetof(struct nxc, last), nx_window, ts);
	expire(&tuntab, offsetof(struct tpair, last), tun_window, ts);
}

const struct det_module dns_module = {
	.name = "dns",
	.params = dns_params,
	.init = dns_init,
	.packet = dns_packet,
	.tick = dns_tick,
};
