/*
 * The -Y filter language (filter.h, nm-filter(7)): a recursive-descent
 * parser that builds a tree once, and the walk of that tree per record.
 * A comparison names one field of share/fields.c's table, or one of the
 * names that stand for two of them (ip.addr is ip.src or ip.dst), and is
 * true when any of the field's values passes, as tshark's are; "!=" is
 * tshark's too: the field is there and none of its values is equal.  A
 * value's text is read by the field's kind: a number, a string, or an
 * address (with a /prefix for a range).
 */
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "fields.h"
#include "filter.h"
#include "nm.h"
#include "savedf.h"
#include "strbuf.h"

enum node_op { N_AND, N_OR, N_NOT, N_TRUE, N_HAS, N_CMP, N_IN, N_CONT, N_RE };
enum cmp_op { C_EQ, C_NE, C_LT, C_LE, C_GT, C_GE };
enum val_kind { V_NUM, V_STR, V_ADDR };

struct val {
	uint64_t num, hi; /* hi: the end of an in {a..b} range */
	int range;
	char *s; /* V_STR: the text; V_ADDR: the bytes */
	size_t n;
	int bits; /* V_ADDR: the prefix's, or n * 8 */
};

struct node {
	enum node_op op;
	struct node *l, *r;
	enum cmp_op cmp;
	enum val_kind kind;
	const char *proto;   /* N_HAS of a protocol: its record key */
	enum rec_type rtype; /* the record type its fields are in */
	int nref;
	struct field_ref ref[2];
	struct val *vals;
	size_t nvals;
	regex_t re;
};

struct filter {
	struct node *root;
	const char **keys;
	size_t nkeys;
	unsigned types; /* REC_IN() of the record types it names */
	char *text;	/* the expression, saved filters' names expanded */
	char **ifnames; /* the header's source names (frame.interface_name) */
	uint32_t nifnames;
};

/* A saved filter's name in the text, and what it stands for. */
struct subst {
	size_t at, len;
	char *with;
};

/* The parser's place, and the first error. */
struct parse {
	const char *s, *p;
	struct filter *f;
	char *err;
	size_t errlen;
	int failed;
	int depth;		/* saved filters within saved filters */
	const struct parse *up; /* the one whose saved filter this is */
	const char *name;	/* that saved filter's name */
	struct subst *subs;
	size_t nsubs;
};

/* How deep saved filters may name each other (a loop stops there). */
#define SAVED_DEPTH 8

/* Names that stand for either of two fields, as tshark's do. */
static const struct {
	const char *name, *a, *b;
} either[] = {
	{ "ip.addr", "ip.src", "ip.dst" },
	{ "ipv6.addr", "ipv6.src", "ipv6.dst" },
	{ "eth.addr", "eth.src", "eth.dst" },
	{ "tcp.port", "tcp.srcport", "tcp.dstport" },
	{ "udp.port", "udp.srcport", "udp.dstport" },
	{ "flow.addr", "flow.src", "flow.dst" },
	{ "flow.port", "flow.sport", "flow.dport" },
	{ "alert.addr", "alert.src", "alert.dst" },
};

/* The words that stand for every record of a type ("frame": packets). */
static const struct {
	const char *name;
	enum rec_type type;
} whole[] = {
	{ "frame", REC_PACKET },
	{ "flow", REC_FLOW },
	{ "stats", REC_STATS },
	{ "alert", REC_ALERT },
};

/* Words of the language itself (besides fields and protocols). */
static const char *const keywords[] = { "and", "or", "not", "in", "contains",
	"matches", "eq", "ne", "lt", "le", "gt", "ge", "frame", "flow", "stats",
	"alert", "true", "false", "True", "False", NULL };

/* Protocols a bare name asks for: tshark's name, the record's key. */
static const struct {
	const char *name, *key;
} protos[] = {
	{ "eth", "eth" },
	{ "sll", "sll" },
	{ "vlan", "vlan" },
	{ "arp", "arp" },
	{ "ip", "ip" },
	{ "ipv6", "ipv6" },
	{ "tcp", "tcp" },
	{ "udp", "udp" },
	{ "icmp", "icmp" },
	{ "icmpv6", "icmpv6" },
	{ "dns", "dns" },
};

static void __attribute__((format(printf, 3, 4)))
fail(struct parse *ps, const char *at, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (ps->failed)
		return;
	ps->failed = 1;
	n = snprintf(ps->err, ps->errlen, "column %d: ", (int)(at - ps->s) + 1);
	if (n < 0 || (size_t)n >= ps->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

static void
skip_space(struct parse *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n')
		ps->p++;
}

/* Characters of a name or of an unquoted value (numbers, addresses). */
static int
wordch(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == ':' ||
	    c == '/' || c == '-';
}

/* The length of the word at p (0: none). */
static size_t
word_len(const char *p)
{
	size_t n = 0;

	while (wordch((unsigned char)p[n]))
		n++;
	return n;
}

/* Whether the next word is kw (whole), and if so steps over it. */
static int
accept_word(struct parse *ps, const char *kw)
{
	size_t n = strlen(kw);

	skip_space(ps);
	if (word_len(ps->p) != n || strncmp(ps->p, kw, n) != 0)
		return 0;
	ps->p += n;
	return 1;
}

/* Whether the next symbol is sym (and, for "!", no "=" after it). */
static int
accept_sym(struct parse *ps, const char *sym)
{
	size_t n = strlen(sym);

	skip_space(ps);
	if (strncmp(ps->p, sym, n) != 0)
		return 0;
	if (n == 1 && (sym[0] == '!' || sym[0] == '<' || sym[0] == '>') &&
	    ps->p[1] == '=')
		return 0;
	ps->p += n;
	return 1;
}

static struct node *
new_node(enum node_op op)
{
	struct node *n = ecalloc(1, sizeof(*n));

	n->op = op;
	return n;
}

static void
free_node(struct node *n)
{
	size_t i;

	if (n == NULL)
		return;
	free_node(n->l);
	free_node(n->r);
	for (i = 0; i < n->nvals; i++)
		free(n->vals[i].s);
	free(n->vals);
	if (n->op == N_RE)
		regfree(&n->re);
	free(n);
}

/* Notes a record key the filter reads (once). */
static void
want_key(struct filter *f, const char *path)
{
	size_t i, n = strcspn(path, ".");
	char *k;

	for (i = 0; i < f->nkeys; i++)
		if (strncmp(f->keys[i], path, n) == 0 && f->keys[i][n] == '\0')
			return;
	f->keys = erealloc(f->keys, (f->nkeys + 2) * sizeof(*f->keys));
	k = estrdup(path);
	k[n] = '\0';
	f->keys[f->nkeys++] = k;
	f->keys[f->nkeys] = NULL;
}

/* How a field's values read: by its record key's type. */
static enum val_kind
field_kind(const struct out_field *f)
{
	int id;

	if (f->fmt == F_BIT)
		return V_NUM;
	if (f->fmt == F_IFNAME) /* a name, from the source's index */
		return V_STR;
	if ((id = rec_key_path(f->path)) == 0)
		return V_NUM;
	switch (rec_key(id)->type) {
	case KT_ADDR: return V_ADDR;
	case KT_STR: return V_STR;
	default: return V_NUM;
	}
}

/* The record type a field is in (a packet's say REC_UNKNOWN). */
static enum rec_type
field_rtype(const struct out_field *f)
{
	return f->rtype != REC_UNKNOWN ? f->rtype : REC_PACKET;
}

/* Refers n's i-th field to f, and notes what the filter reads. */
static void
use_field(struct parse *ps, struct node *n, int i, const struct out_field *f)
{
	field_ref_init(&n->ref[i], f);
	n->nref = i + 1;
	n->kind = field_kind(f);
	n->rtype = field_rtype(f);
	ps->f->types |= REC_IN(n->rtype);
	if (n->rtype == REC_PACKET)
		want_key(ps->f, f->path);
}

/*
 * The field named by the word at p, into n; 0 if no field or protocol
 * has that name (why then says what is wrong with a flow. or stats.
 * name).
 */
static int
field_named(struct parse *ps, struct node *n, const char *name, char *why,
    size_t whylen)
{
	const struct out_field *a, *b;
	size_t i;

	why[0] = '\0';
	n->rtype = REC_PACKET;
	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (strcmp(protos[i].name, name) == 0) {
			n->proto = protos[i].key;
			want_key(ps->f, n->proto);
			ps->f->types |= IN_PACKET;
			return 1;
		}
	/* a record type alone: every record of it */
	for (i = 0; i < sizeof(whole) / sizeof(whole[0]); i++)
		if (strcmp(name, whole[i].name) == 0) {
			n->op = N_TRUE;
			n->rtype = whole[i].type;
			ps->f->types |= REC_IN(n->rtype);
			return 1;
		}
	for (i = 0; i < sizeof(either) / sizeof(either[0]); i++)
		if (strcmp(either[i].name, name) == 0) {
			a = field_find_typed(either[i].a, why, whylen);
			b = field_find_typed(either[i].b, why, whylen);
			if (a == NULL || b == NULL)
				return 0;
			use_field(ps, n, 0, a);
			use_field(ps, n, 1, b);
			return 1;
		}
	if ((a = field_find_typed(name, why, whylen)) == NULL)
		return 0;
	use_field(ps, n, 0, a);
	return 1;
}

int
filter_word_taken(const char *w)
{
	char why[160];
	size_t i;

	for (i = 0; keywords[i] != NULL; i++)
		if (strcmp(keywords[i], w) == 0)
			return 1;
	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (strcmp(protos[i].name, w) == 0)
			return 1;
	for (i = 0; i < sizeof(either) / sizeof(either[0]); i++)
		if (strcmp(either[i].name, w) == 0)
			return 1;
	return field_find_typed(w, why, sizeof(why)) != NULL;
}

/* A number: decimal or 0x hex; seconds with a fraction for a time. */
static int
parse_num(const char *s, size_t n, int secs, uint64_t *out)
{
	uint64_t v = 0, frac = 0, scale = 1000000000;
	size_t i = 0;
	int base = 10, d, digits = 0;

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	for (; i < n && s[i] != '.'; i++) {
		if ((d = addr_hexval((unsigned char)s[i])) < 0 || d >= base ||
		    v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return -1;
		v = v * (uint64_t)base + (uint64_t)d;
		digits++;
	}
	if (digits == 0)
		return -1;
	if (i < n) { /* a fraction: only of seconds */
		if (!secs || base != 10)
			return -1;
		for (i++; i < n; i++) {
			if (s[i] < '0' || s[i] > '9')
				return -1;
			scale /= 10;
			frac += (uint64_t)(s[i] - '0') * scale;
		}
	}
	if (secs) {
		if (v > UINT64_MAX / 1000000000u)
			return -1;
		v = v * 1000000000u + frac;
	}
	*out = v;
	return 0;
}

/*
 * A string in double quotes at ps->p, with \" and \\ (and \n, \t, \xHH)
 * as escapes, into a new buffer; NULL with an error when it has no end.
 */
static char *
parse_quoted(struct parse *ps, size_t *len)
{
	const char *start = ps->p, *q = ps->p + 1;
	char *out = emalloc(strlen(q) + 1);
	size_t n = 0;
	int h, l;

	for (; *q != '"'; q++) {
		if (*q == '\0') {
			fail(ps, start, "a string without its closing '\"'");
			free(out);
			return NULL;
		}
		if (*q != '\\') {
			out[n++] = *q;
			continue;
		}
		q++;
		if (*q == 'n')
			out[n++] = '\n';
		else if (*q == 't')
			out[n++] = '\t';
		else if (*q == 'x' &&
		    (h = addr_hexval((unsigned char)q[1])) >= 0 &&
		    (l = addr_hexval((unsigned char)q[2])) >= 0) {
			out[n++] = (char)(h * 16 + l);
			q += 2;
		} else if (*q == '\0') {
			q--;
		} else {
			out[n++] = *q;
		}
	}
	ps->p = q + 1;
	out[n] = '\0';
	*len = n;
	return out;
}

/*
 * One value after the operator op (for its error) as the node's kind
 * reads it.  bytes: a contains on an address (hex bytes, no prefix).
 */
static int
parse_value(struct parse *ps, struct node *nd, struct val *v, const char *op)
{
	const char *at, *slash, *dots;
	uint8_t buf[ADDR_MAX];
	char *text;
	size_t n;
	int k, bits, secs;

	memset(v, 0, sizeof(*v));
	skip_space(ps);
	at = ps->p;
	if (*ps->p == '"') {
		if ((text = parse_quoted(ps, &n)) == NULL)
			return -1;
	} else if ((n = word_len(ps->p)) > 0) {
		text = emalloc(n + 1);
		memcpy(text, ps->p, n);
		text[n] = '\0';
		ps->p += n;
	} else {
		fail(ps, at, "expected a value after \"%s\"", op);
		return -1;
	}
	switch (nd->kind) {
	case V_STR:
		v->s = text;
		v->n = n;
		return 0;
	case V_NUM:
		secs = nd->ref[0].f->fmt == F_TS;
		if (nd->op == N_IN && (dots = strstr(text, "..")) != NULL) {
			/* tshark's range in a set: 8000..8004 */
			if (parse_num(text, (size_t)(dots - text), secs,
				&v->num) < 0 ||
			    parse_num(
				dots + 2, strlen(dots + 2), secs, &v->hi) < 0 ||
			    v->hi < v->num) {
				fail(ps, at,
				    "expected a range of numbers, "
				    "low..high, not \"%s\"",
				    text);
				free(text);
				return -1;
			}
			v->range = 1;
			free(text);
			return 0;
		}
		if (strcmp(text, "True") == 0 || strcmp(text, "true") == 0)
			v->num = 1;
		else if (strcmp(text, "False") == 0 ||
		    strcmp(text, "false") == 0)
			v->num = 0;
		else if (parse_num(text, n, secs, &v->num) < 0) {
			fail(ps, at, "expected a number%s, not \"%s\"",
			    secs ? " of seconds" : "", text);
			free(text);
			return -1;
		}
		free(text);
		return 0;
	case V_ADDR: break;
	}
	slash = strchr(text, '/');
	bits = -1;
	if (slash != NULL && nd->op != N_CONT) {
		if (parse_num(slash + 1, strlen(slash + 1), 0, &v->num) < 0 ||
		    v->num > 128) {
			fail(ps, at + (slash - text) + 1,
			    "expected a prefix length after '/'");
			free(text);
			return -1;
		}
		bits = (int)v->num;
		v->num = 0;
	}
	k = addr_parse(text, slash != NULL ? (size_t)(slash - text) : n, buf);
	if (k <= 0 || (bits >= 0 && bits > k * 8)) {
		fail(ps, at, "expected an address, not \"%s\"", text);
		free(text);
		return -1;
	}
	free(text);
	v->s = emalloc((size_t)k);
	memcpy(v->s, buf, (size_t)k);
	v->n = (size_t)k;
	v->bits = bits >= 0 ? bits : k * 8;
	return 0;
}

static void
add_value(struct node *nd, const struct val *v)
{
	nd->vals = erealloc(nd->vals, (nd->nvals + 1) * sizeof(*nd->vals));
	nd->vals[nd->nvals++] = *v;
}

static struct node *parse_or(struct parse *ps);

/* The comparison operators, as symbols and as tshark's words. */
static const struct {
	const char *sym, *word;
	enum cmp_op op;
} cmps[] = {
	{ "==", "eq", C_EQ },
	{ "!=", "ne", C_NE },
	{ "<=", "le", C_LE },
	{ ">=", "ge", C_GE },
	{ "<", "lt", C_LT },
	{ ">", "gt", C_GT },
};

static struct node *parse_expr(struct parse *ps);
static char *expanded(const struct parse *ps);

/*
 * A saved filter's name at at (nm-filters(5)): its expression, parsed as
 * if in parentheses.  NULL when there is none of that name (no error), or
 * with the error when its expression is not one.
 */
static struct node *
parse_saved(struct parse *ps, const char *at, const char *name)
{
	const struct savedf *sf;
	const struct parse *up;
	struct parse sub;
	struct node *nd;
	struct strbuf b = { 0 };
	char err[256], *text;
	size_t i;

	if (!savedf_name_ok(name))
		return NULL;
	if ((sf = savedf_find(SAVEDF_DISPLAY, name, NM_EXIT_USAGE)) == NULL) {
		if ((sf = savedf_find(SAVEDF_CAPTURE, name, NM_EXIT_USAGE)))
			fail(ps, at,
			    "saved filter %s (%s:%u) is BPF, for nm-capture: "
			    "-Y takes [display] ones",
			    name, sf->file, sf->line);
		return NULL;
	}
	for (up = ps; up != NULL && up->name != NULL; up = up->up)
		if (strcmp(up->name, name) == 0) {
			fail(ps, at, "saved filter %s (%s:%u) names itself",
			    name, sf->file, sf->line);
			return NULL;
		}
	if (ps->depth >= SAVED_DEPTH) {
		fail(ps, at,
		    "saved filter %s (%s:%u): saved filters name each "
		    "other more than %d deep",
		    name, sf->file, sf->line, SAVED_DEPTH);
		return NULL;
	}
	memset(&sub, 0, sizeof(sub));
	sub.s = sub.p = sf->text;
	sub.f = ps->f;
	sub.err = err;
	sub.errlen = sizeof(err);
	sub.depth = ps->depth + 1;
	sub.up = ps;
	sub.name = name;
	nd = parse_expr(&sub);
	if (sub.failed && strncmp(err, "column ", 7) == 0 &&
	    strstr(err, ": saved filter ") != NULL) {
		/* the innermost saved filter's error names its own place */
		fail(ps, at, "%s", strstr(err, ": saved filter ") + 2);
		free_node(nd);
		nd = NULL;
	} else if (sub.failed) {
		fail(ps, at, "saved filter %s (%s:%u): %s", name, sf->file,
		    sf->line, err);
		free_node(nd);
		nd = NULL;
	} else {
		/* the text it stands for, with its own names expanded */
		text = expanded(&sub);
		sb_addc(&b, '(');
		sb_adds(&b, text);
		sb_addc(&b, ')');
		sb_addc(&b, '\0');
		free(text);
		ps->subs =
		    erealloc(ps->subs, (ps->nsubs + 1) * sizeof(*ps->subs));
		ps->subs[ps->nsubs].at = (size_t)(at - ps->s);
		ps->subs[ps->nsubs].len = strlen(name);
		ps->subs[ps->nsubs++].with = b.p;
		ps->p = at + strlen(name);
	}
	for (i = 0; i < sub.nsubs; i++)
		free(sub.subs[i].with);
	free(sub.subs);
	return nd;
}

/* A test of one field: its name, then what is asked of it, if anything. */
static struct node *
parse_test(struct parse *ps)
{
	const char *at = ps->p;
	struct node *nd;
	struct val v;
	char name[72], why[160];
	size_t i, n = word_len(ps->p);
	int e;

	if (n == 0) {
		if (*ps->p == '\0')
			fail(ps, at, "expected a field name at the end");
		else
			fail(ps, at, "expected a field name, not '%c'", *ps->p);
		return NULL;
	}
	if (n >= sizeof(name))
		n = sizeof(name) - 1;
	memcpy(name, ps->p, n);
	name[n] = '\0';
	nd = new_node(N_HAS);
	if (!field_named(ps, nd, name, why, sizeof(why))) {
		free_node(nd);
		if (why[0] == '\0' && word_len(ps->p) == n &&
		    (nd = parse_saved(ps, at, name)) != NULL)
			return nd;
		if (ps->failed)
			return NULL;
		if (why[0] != '\0')
			fail(ps, at, "unknown field \"%s\": %s", name, why);
		else if (savedf_name_ok(name))
			fail(ps, at,
			    "unknown field \"%s\" (see nm-render "
			    "--list-fields), nor a saved filter "
			    "(nm-filters(5))",
			    name);
		else
			fail(ps, at,
			    "unknown field \"%s\" (see nm-render "
			    "--list-fields)",
			    name);
		return NULL;
	}
	ps->p += word_len(ps->p);
	for (i = 0; i < sizeof(cmps) / sizeof(cmps[0]); i++)
		if (accept_sym(ps, cmps[i].sym) ||
		    accept_word(ps, cmps[i].word))
			break;
	if (i < sizeof(cmps) / sizeof(cmps[0])) {
		nd->op = N_CMP;
		nd->cmp = cmps[i].op;
	} else if (accept_word(ps, "contains")) {
		nd->op = N_CONT;
	} else if (accept_word(ps, "matches") || accept_sym(ps, "~")) {
		nd->op = N_RE;
	} else if (accept_word(ps, "in")) {
		nd->op = N_IN;
	} else {
		return nd; /* presence */
	}
	if (nd->proto != NULL || nd->op == N_TRUE) {
		fail(ps, at, "\"%s\" is a protocol: compare one of its fields",
		    name);
		free_node(nd);
		return NULL;
	}
	if (nd->op == N_IN) {
		skip_space(ps);
		if (!accept_sym(ps, "{")) {
			fail(ps, ps->p, "expected '{' after \"in\"");
			free_node(nd);
			return NULL;
		}
		/* values apart by spaces or, as tshark 4 wants, commas */
		while (skip_space(ps), *ps->p != '}' && *ps->p != '\0') {
			if (nd->nvals > 0 && accept_sym(ps, ","))
				skip_space(ps);
			if (parse_value(ps, nd, &v, "{") < 0) {
				free_node(nd);
				return NULL;
			}
			add_value(nd, &v);
		}
		if (nd->nvals == 0 || !accept_sym(ps, "}")) {
			fail(ps, ps->p,
			    nd->nvals == 0 ? "expected a value after \"{\""
					   : "expected '}'");
			free_node(nd);
			return NULL;
		}
		return nd;
	}
	if ((nd->op == N_RE || nd->op == N_CONT) && nd->kind == V_NUM) {
		fail(ps, at, "\"%s\" is a number: use ==, <, >, or in", name);
		free_node(nd);
		return NULL;
	}
	if (nd->op == N_RE && nd->kind != V_STR) {
		fail(ps, at, "\"%s\" is an address: \"matches\" takes text",
		    name);
		free_node(nd);
		return NULL;
	}
	skip_space(ps);
	at = ps->p;
	if (parse_value(ps, nd, &v,
		nd->op == N_CMP	     ? cmps[i].sym
		    : nd->op == N_RE ? "matches"
				     : "contains") < 0) {
		free_node(nd);
		return NULL;
	}
	add_value(nd, &v);
	if (nd->op == N_RE &&
	    (e = regcomp(&nd->re, v.s, REG_EXTENDED | REG_NOSUB | REG_ICASE))) {
		regerror(e, &nd->re, why, sizeof(why));
		fail(ps, at, "not a regular expression: %s", why);
		nd->op = N_CMP; /* nothing to regfree */
		free_node(nd);
		return NULL;
	}
	return nd;
}

static struct node *
parse_unary(struct parse *ps)
{
	const char *at;
	struct node *nd, *in;

	skip_space(ps);
	if (accept_sym(ps, "!") || accept_word(ps, "not")) {
		if ((in = parse_unary(ps)) == NULL)
			return NULL;
		nd = new_node(N_NOT);
		nd->l = in;
		return nd;
	}
	at = ps->p;
	if (accept_sym(ps, "(")) {
		if ((nd = parse_or(ps)) == NULL)
			return NULL;
		if (!accept_sym(ps, ")")) {
			fail(ps, ps->p, "expected ')' for the '(' at column %d",
			    (int)(at - ps->s) + 1);
			free_node(nd);
			return NULL;
		}
		return nd;
	}
	return parse_test(ps);
}

/* A chain of one operator (and / or) over the level below it. */
static struct node *
parse_chain(struct parse *ps, enum node_op op, const char *sym,
    const char *word, struct node *(*below)(struct parse *))
{
	struct node *l, *r, *nd;

	if ((l = below(ps)) == NULL)
		return NULL;
	while (accept_sym(ps, sym) || accept_word(ps, word)) {
		if ((r = below(ps)) == NULL) {
			free_node(l);
			return NULL;
		}
		nd = new_node(op);
		nd->l = l;
		nd->r = r;
		l = nd;
	}
	return l;
}

static struct node *
parse_and(struct parse *ps)
{
	return parse_chain(ps, N_AND, "&&", "and", parse_unary);
}

/* "and" binds closer than "or", as in tshark */
static struct node *
parse_or(struct parse *ps)
{
	return parse_chain(ps, N_OR, "||", "or", parse_and);
}

/* A whole expression: the text ends after it. */
static struct node *
parse_expr(struct parse *ps)
{
	struct node *root = parse_or(ps);

	skip_space(ps);
	if (root != NULL && *ps->p != '\0')
		fail(ps, ps->p, "expected \"&&\" or \"||\", not \"%s\"", ps->p);
	return root;
}

/* The expression's text with each saved filter's name replaced. */
static char *
expanded(const struct parse *ps)
{
	struct strbuf b = { 0 };
	size_t i, last = 0;

	sb_need(&b, strlen(ps->s) + 1); /* never an add to no buffer */
	for (i = 0; i < ps->nsubs; i++) {
		sb_add(&b, ps->s + last, ps->subs[i].at - last);
		sb_adds(&b, ps->subs[i].with);
		last = ps->subs[i].at + ps->subs[i].len;
	}
	sb_adds(&b, ps->s + last);
	sb_addc(&b, '\0');
	return b.p;
}

struct filter *
filter_compile(const char *expr, char *err, size_t errlen)
{
	struct parse ps = {
		.s = expr, .p = expr, .err = err, .errlen = errlen
	};
	struct filter *f = ecalloc(1, sizeof(*f));
	size_t i;

	ps.f = f;
	f->root = parse_expr(&ps);
	if (!ps.failed)
		f->text = expanded(&ps);
	for (i = 0; i < ps.nsubs; i++)
		free(ps.subs[i].with);
	free(ps.subs);
	if (ps.failed) {
		filter_free(f);
		return NULL;
	}
	if (f->keys == NULL) { /* "frame": reads nothing */
		f->keys = ecalloc(1, sizeof(*f->keys));
	}
	return f;
}

struct filter *
filter_compile_opt(const char *expr)
{
	char err[256];
	struct filter *f = filter_compile(expr, err, sizeof(err));

	if (f == NULL)
		nm_die(NM_EXIT_USAGE, "-Y: %s", err);
	return f;
}

void
filter_packets_only(const struct filter *f)
{
	unsigned other = f->types & ~(unsigned)IN_PACKET;

	if (other == 0)
		return;
	if (other == IN_ALERT) /* nm-detect is no later stage of nm-stats' */
		nm_die(NM_EXIT_USAGE,
		    "-Y: a field of alert records, which nm-detect writes: "
		    "-Y here filters packets (filter those records with "
		    "nm-render -Y)");
	nm_die(NM_EXIT_USAGE,
	    "-Y: a field of %s records, which nm-stats writes "
	    "downstream: -Y here filters packets (filter those "
	    "records with nm-render -Y)",
	    other & IN_FLOW ? "flow" : "stats");
}

void
filter_free(struct filter *f)
{
	size_t i;

	if (f == NULL)
		return;
	free_node(f->root);
	free(f->text);
	for (i = 0; i < f->nifnames; i++)
		free(f->ifnames[i]);
	free(f->ifnames);
	for (i = 0; i < f->nkeys; i++)
		free((void *)(uintptr_t)f->keys[i]);
	free(f->keys);
	free(f);
}

const char *const *
filter_keys(const struct filter *f)
{
	return (const char *const *)f->keys;
}

const char **
filter_keys_with(const struct filter *f, const char *const *keys)
{
	const char *const *fk = f != NULL ? filter_keys(f) : NULL;
	size_t i, j, n = 0, k = 0;
	const char **out;

	while (keys != NULL && keys[n] != NULL)
		n++;
	out = ecalloc(n + (f != NULL ? f->nkeys : 0) + 1, sizeof(*out));
	for (i = 0; i < n; i++)
		out[k++] = keys[i];
	for (i = 0; fk != NULL && fk[i] != NULL; i++) {
		for (j = 0; j < n && strcmp(keys[j], fk[i]) != 0; j++)
			;
		if (j == n)
			out[k++] = fk[i];
	}
	return out;
}

/* One test's walk over a field's values. */
struct probe {
	const struct node *nd;
	const struct filter *f;
	int seen; /* a value was there */
};

/* memcmp's sign, then the shorter first. */
static int
bytes_cmp(const void *a, size_t an, const void *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	if (c != 0)
		return c;
	return an < bn ? -1 : an > bn;
}

/* An address in a range: the same length, the same first bits. */
static int
in_prefix(const uint8_t *p, size_t n, const struct val *v)
{
	const uint8_t *q = (const uint8_t *)v->s;
	int full = v->bits / 8, rest = v->bits % 8;
	uint8_t mask;

	if (n != v->n)
		return 0;
	if (memcmp(p, q, (size_t)full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (uint8_t)(0xff << (8 - rest));
	return (p[full] & mask) == (q[full] & mask);
}

/* The sign of value o against v (2: not comparable). */
static int
compare(const struct node *nd, const msgpack_object *o, const struct val *v)
{
	uint64_t x;

	switch (nd->kind) {
	case V_NUM:
		if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
			x = o->via.u64;
		else if (o->type == MSGPACK_OBJECT_BOOLEAN)
			x = o->via.boolean;
		else
			return 2;
		if (nd->ref[0].f->fmt == F_BIT)
			x = (x & nd->ref[0].f->arg) != 0;
		if (v->range)
			return x < v->num ? -1 : x > v->hi;
		return x < v->num ? -1 : x > v->num;
	case V_STR:
		if (o->type != MSGPACK_OBJECT_STR)
			return 2;
		return bytes_cmp(o->via.str.ptr, o->via.str.size, v->s, v->n);
	case V_ADDR:
		if (o->type != MSGPACK_OBJECT_BIN)
			return 2;
		if (v->bits != (int)v->n * 8)
			return in_prefix((const uint8_t *)o->via.bin.ptr,
				   o->via.bin.size, v)
			    ? 0
			    : 2;
		return bytes_cmp(o->via.bin.ptr, o->via.bin.size, v->s, v->n);
	}
	return 2;
}

static int
has_bytes(const char *h, size_t hn, const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 1;
	for (i = 0; i + n <= hn; i++)
		if (h[i] == s[0] && memcmp(h + i, s, n) == 0)
			return 1;
	return 0;
}

/* One value: nonzero stops the walk (the test is decided). */
static int
probe_value(void *arg, const msgpack_object *o)
{
	struct probe *pr = arg;
	const struct node *nd = pr->nd;
	const struct val *v = &nd->vals[0];
	msgpack_object name;
	char buf[1024];
	size_t i;
	int c;

	pr->seen = 1;
	if (nd->ref[0].f != NULL && nd->ref[0].f->fmt == F_IFNAME) {
		/* the source's name, as the header gives it (or if<N>) */
		if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
			return 0;
		if (o->via.u64 < pr->f->nifnames)
			snprintf(
			    buf, sizeof(buf), "%s", pr->f->ifnames[o->via.u64]);
		else
			snprintf(buf, sizeof(buf), "if%llu",
			    (unsigned long long)o->via.u64);
		name.type = MSGPACK_OBJECT_STR;
		name.via.str.ptr = buf;
		name.via.str.size = (uint32_t)strlen(buf);
		o = &name;
	}
	switch (nd->op) {
	case N_HAS: return 1;
	case N_CONT:
		if (o->type == MSGPACK_OBJECT_STR)
			return has_bytes(
			    o->via.str.ptr, o->via.str.size, v->s, v->n);
		if (o->type == MSGPACK_OBJECT_BIN)
			return has_bytes(
			    o->via.bin.ptr, o->via.bin.size, v->s, v->n);
		return 0;
	case N_RE:
		/* regexec wants a C string; a name is short */
		if (o->type != MSGPACK_OBJECT_STR ||
		    o->via.str.size >= sizeof(buf))
			return 0;
		memcpy(buf, o->via.str.ptr, o->via.str.size);
		buf[o->via.str.size] = '\0';
		return regexec(&nd->re, buf, 0, NULL, 0) == 0;
	case N_IN:
		for (i = 0; i < nd->nvals; i++)
			if (compare(nd, o, &nd->vals[i]) == 0)
				return 1;
		return 0;
	default: break;
	}
	c = compare(nd, o, v);
	if (c == 2)
		return 0;
	switch (nd->cmp) {
	case C_EQ:
	case C_NE: return c == 0; /* C_NE: one equal decides */
	case C_LT: return c < 0;
	case C_LE: return c <= 0;
	case C_GT: return c > 0;
	case C_GE: return c >= 0;
	}
	return 0;
}

static int
eval(const struct filter *f, const struct node *nd, enum rec_type t,
    const msgpack_object *map)
{
	struct probe pr = { nd, f, 0 };
	int i, hit = 0;

	switch (nd->op) {
	case N_AND: return eval(f, nd->l, t, map) && eval(f, nd->r, t, map);
	case N_OR: return eval(f, nd->l, t, map) || eval(f, nd->r, t, map);
	case N_NOT: return !eval(f, nd->l, t, map);
	case N_TRUE: return nd->rtype == t;
	default: break;
	}
	/* a field of another record type is not there */
	if (nd->rtype != t)
		return 0;
	if (nd->proto != NULL)
		return rec_get(map, nd->proto) != NULL;
	for (i = 0; i < nd->nref && !hit; i++)
		hit = field_walk(&nd->ref[i], map, probe_value, &pr);
	if (nd->op == N_CMP && nd->cmp == C_NE)
		return pr.seen && !hit;
	return hit;
}

int
filter_match(const struct filter *f, const msgpack_object *map)
{
	return eval(f, f->root, REC_PACKET, map);
}

int
filter_keep(const struct filter *f, enum rec_type t, const msgpack_object *map)
{
	if (t != REC_PACKET && !(f->types & REC_IN(t)))
		return 1;
	return eval(f, f->root, t, map);
}

void
filter_header(struct filter *f, const msgpack_object *hdr)
{
	const msgpack_object *srcs;
	char name[512];
	uint32_t i, n;

	for (i = 0; i < f->nifnames; i++)
		free(f->ifnames[i]);
	free(f->ifnames);
	f->ifnames = NULL;
	f->nifnames = 0;
	if ((n = rec_sources(hdr, &srcs)) == 0)
		return;
	f->ifnames = ecalloc(n, sizeof(*f->ifnames));
	for (i = 0; i < n; i++) {
		(void)rec_source_ifname(&srcs[i], name, sizeof(name));
		f->ifnames[i] = estrdup(name);
	}
	f->nifnames = n;
}

unsigned
filter_types(const struct filter *f)
{
	return f->types;
}

const char *
filter_text(const struct filter *f)
{
	return f->text;
}
