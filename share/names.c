/*
 * The passive-names map (names.h): a bounded table of address -> name, fed
 * by the DNS replies in the stream.  The record's "dns.ans" list holds
 * every section's records; each A or AAAA record names its address by the
 * start of the CNAME chain that led to its owner (followed back at most
 * CHAIN_MAX links, so a loop of CNAMEs ends), and each PTR record whose
 * owner spells an address under in-addr.arpa or ip6.arpa (RFC 1035 3.5,
 * RFC 3596 2.5) names that address by its target.  Only a reply without
 * error is read: an NXDOMAIN's records name nothing.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "names.h"
#include "nm.h"
#include "rec.h"
#include "tab.h"

#define CHAIN_MAX 8
/*
 * Records of one reply read: every A follows its chain back through
 * the CNAMEs, so the work grows with the square of the records, and a
 * reply of thousands (over TCP) would stall the stage.  A real answer
 * has a handful.
 */
#define RR_MAX	   64
#define NS	   1000000000ULL
#define TTL_MAX	   (7ULL * 86400) /* seconds: a longer TTL is cut here */
#define TYPE_A	   1
#define TYPE_CNAME 5
#define TYPE_PTR   12
#define TYPE_AAAA  28

struct name_entry {
	/* the key: an IPv4 address in the first 4 bytes, or IPv6 */
	uint8_t addr[16];
	uint64_t af; /* 4 or 6 */
	/* the value */
	uint64_t expires; /* stream time, ns */
	char name[NAMES_NAME_MAX + 1];
};

/*
 * A bit per cheap hash of the addresses ever named: most lookups are of
 * addresses no answer named (a stage asks for every packet's), and a
 * clear bit says so without SipHash.  Bits are never cleared: an
 * evicted or expired name only costs its address the full lookup.
 */
#define MAYBE_BITS 65536

struct names {
	struct tab t;
	uint64_t evicted;
	uint64_t maybe[MAYBE_BITS / 64];
};

static unsigned
cheap_hash(const uint8_t *a, size_t len)
{
	uint32_t h = 2166136261u; /* FNV-1a, over the last 4 bytes */
	size_t i;

	for (i = len - 4; i < len; i++)
		h = (h ^ a[i]) * 16777619u;
	return (h ^ h >> 16) & (MAYBE_BITS - 1);
}

struct names *
names_new(size_t max)
{
	struct names *n = ecalloc(1, sizeof(*n));

	tab_init(&n->t, sizeof(struct name_entry),
	    offsetof(struct name_entry, expires),
	    max ? max : NAMES_MAX_DEFAULT);
	return n;
}

void
names_free(struct names *n)
{
	if (n == NULL)
		return;
	tab_free(&n->t);
	free(n);
}

size_t
names_count(const struct names *n)
{
	return n->t.count;
}

uint64_t
names_evicted(const struct names *n)
{
	return n->evicted;
}

static void
key_of(struct name_entry *k, const void *addr, size_t len)
{
	memset(k, 0, offsetof(struct name_entry, expires));
	memcpy(k->addr, addr, len);
	k->af = len == 4 ? 4 : 6;
}

/* The map keeps addr's name until expires; the newest answer wins. */
static void
put(struct names *n, const uint8_t *addr, size_t len, const char *name,
    size_t nlen, uint64_t expires)
{
	struct name_entry k, *e;
	unsigned h;

	if ((len != 4 && len != 16) || nlen == 0 || nlen > NAMES_NAME_MAX)
		return;
	key_of(&k, addr, len);
	h = cheap_hash(addr, len);
	n->maybe[h / 64] |= 1ULL << (h % 64);
	if ((e = tab_find(&n->t, &k)) == NULL) {
		if (n->t.count >= n->t.cap) {
			tab_evict(&n->t, offsetof(struct name_entry, expires));
			n->evicted++;
		}
		e = tab_insert(&n->t, &k);
	}
	memcpy(e->name, name, nlen);
	e->name[nlen] = '\0';
	e->expires = expires;
}

static int
str_of(const msgpack_object *v, const char **s, size_t *n)
{
	if (v == NULL || v->type != MSGPACK_OBJECT_STR)
		return 0;
	*s = v->via.str.ptr;
	*n = v->via.str.size;
	return 1;
}

static int
same_name(const char *a, size_t an, const char *b, size_t bn)
{
	return an == bn && strncasecmp(a, b, an) == 0;
}

/*
 * The start of the CNAME chain ending at name: the owner of the CNAME
 * whose target it is, and so on back.
 */
static void
chain_start(
    const msgpack_object *ans, size_t nrr, const char **name, size_t *nlen)
{
	const msgpack_object *rr, *v;
	const char *s;
	size_t i, n, hops;
	uint64_t type;

	for (hops = 0; hops < CHAIN_MAX; hops++) {
		for (i = 0; i < nrr; i++) {
			rr = &ans->via.array.ptr[i];
			if (rr->type != MSGPACK_OBJECT_MAP ||
			    !rec_get_u64(rr, "type", &type) ||
			    type != TYPE_CNAME)
				continue;
			v = rec_get(rr, "target");
			if (!str_of(v, &s, &n) ||
			    !same_name(s, n, *name, *nlen))
				continue;
			if (!str_of(rec_get(rr, "name"), &s, &n))
				continue;
			if (same_name(s, n, *name, *nlen))
				return; /* a CNAME to itself */
			*name = s;
			*nlen = n;
			break;
		}
		if (i == nrr)
			return;
	}
}

static int
suffix(const char *s, size_t n, const char *sfx, size_t *head)
{
	size_t k = strlen(sfx);

	/* the name may end with the root's dot */
	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n < k || strncasecmp(s + n - k, sfx, k) != 0)
		return 0;
	*head = n - k;
	return 1;
}

/*
 * The address a reverse name spells: "4.3.2.1.in-addr.arpa" is 1.2.3.4,
 * and 32 dotted nibbles, lowest first, under ip6.arpa an IPv6 address.
 * Returns its length (4 or 16), or 0 when the name spells none.
 */
static size_t
reverse_addr(const char *s, size_t n, uint8_t *out)
{
	size_t head, i, k;
	unsigned v;
	int d;

	if (suffix(s, n, ".in-addr.arpa", &head)) {
		/* four decimal labels, lowest byte first */
		for (k = 0, i = 0; k < 4; k++) {
			v = 0;
			if (i >= head || s[i] < '0' || s[i] > '9')
				return 0;
			for (d = 0; i < head && s[i] >= '0' && s[i] <= '9';
			     i++) {
				v = v * 10 + (unsigned)(s[i] - '0');
				if (++d > 3 || v > 255)
					return 0;
			}
			out[3 - k] = (uint8_t)v;
			if (k < 3 && (i >= head || s[i++] != '.'))
				return 0;
		}
		return i == head ? 4 : 0;
	}
	if (suffix(s, n, ".ip6.arpa", &head)) {
		if (head != 63)
			return 0;
		memset(out, 0, 16);
		for (k = 0; k < 32; k++) {
			if ((d = addr_hexval((unsigned char)s[2 * k])) < 0 ||
			    (k < 31 && s[2 * k + 1] != '.'))
				return 0;
			/* nibble k is the lowest of what is left */
			out[15 - k / 2] |= (uint8_t)(k % 2 ? d << 4 : d);
		}
		return 16;
	}
	return 0;
}

static uint64_t
expiry(uint64_t ts, const msgpack_object *rr)
{
	uint64_t ttl = 0;

	(void)rec_get_u64(rr, "ttl", &ttl);
	if (ttl > TTL_MAX)
		ttl = TTL_MAX;
	return ts + ttl * NS + NAMES_GRACE;
}

void
names_learn(struct names *n, const msgpack_object *dns, uint64_t ts)
{
	const msgpack_object *ans, *rr, *a;
	const char *name;
	size_t i, nlen, alen, nrr;
	uint64_t type, rcode = 0;
	uint8_t addr[16];
	int qr = 0;

	if (dns == NULL || dns->type != MSGPACK_OBJECT_MAP ||
	    !rec_get_bool(dns, "qr", &qr) || !qr)
		return;
	if (rec_get_u64(dns, "rcode", &rcode) && rcode != 0)
		return;
	ans = rec_get(dns, "ans");
	if (ans == NULL || ans->type != MSGPACK_OBJECT_ARRAY)
		return;
	nrr = ans->via.array.size < RR_MAX ? ans->via.array.size : RR_MAX;
	for (i = 0; i < nrr; i++) {
		rr = &ans->via.array.ptr[i];
		if (rr->type != MSGPACK_OBJECT_MAP ||
		    !rec_get_u64(rr, "type", &type))
			continue;
		if (type == TYPE_A || type == TYPE_AAAA) {
			a = rec_get(rr, "addr");
			if (a == NULL || a->type != MSGPACK_OBJECT_BIN ||
			    !str_of(rec_get(rr, "name"), &name, &nlen))
				continue;
			chain_start(ans, nrr, &name, &nlen);
			put(n, (const uint8_t *)a->via.bin.ptr, a->via.bin.size,
			    name, nlen, expiry(ts, rr));
		} else if (type == TYPE_PTR) {
			if (!str_of(rec_get(rr, "name"), &name, &nlen) ||
			    (alen = reverse_addr(name, nlen, addr)) == 0 ||
			    !str_of(rec_get(rr, "target"), &name, &nlen))
				continue;
			put(n, addr, alen, name, nlen, expiry(ts, rr));
		}
	}
}

void
names_learn_packet(struct names *n, const msgpack_object *pkt)
{
	const msgpack_object *dns = rec_get(pkt, "dns");
	uint64_t ts = 0;

	if (dns == NULL)
		return;
	(void)rec_get_u64(pkt, "ts", &ts);
	names_learn(n, dns, ts);
}

const char *
names_find(const struct names *n, const void *addr, size_t len, uint64_t ts)
{
	struct name_entry k;
	const struct name_entry *e;
	unsigned h;

	if (n == NULL || (len != 4 && len != 16) || n->t.count == 0)
		return NULL;
	h = cheap_hash(addr, len);
	if (!(n->maybe[h / 64] >> (h % 64) & 1))
		return NULL;
	key_of(&k, addr, len);
	if ((e = tab_find(&n->t, &k)) == NULL || e->expires < ts)
		return NULL;
	return e->name;
}

const char *
names_find_obj(const struct names *n, const msgpack_object *addr, uint64_t ts)
{
	if (addr == NULL || addr->type != MSGPACK_OBJECT_BIN)
		return NULL;
	return names_find(n, addr->via.bin.ptr, addr->via.bin.size, ts);
}
