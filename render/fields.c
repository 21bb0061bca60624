/*
 * -o fields: one tab-separated line per packet record, one column per -e
 * field, named as tshark names them so a table from nm lines up with
 * `tshark -T fields`.  The mapping is share/fields.c's table (tshark's
 * name, the record path it comes from, and how tshark prints it), which the
 * -Y filter shares; this file prints what it finds.  A path that
 * crosses an array (vlan, dns.q, dns.ans) yields every element's value,
 * joined with ','; an absent value leaves the column empty.  tshark's -E
 * settings (struct out) choose the separator, the quotes, a header line
 * and which of several values a column shows.
 */
#include <string.h>

#include "fields.h"
#include "geo.h"
#include "render.h"

/*
 * A field for -e: a tshark name or a stats. or flow. path
 * (field_find_typed); a path no record of that type has is a usage
 * error, the column would only ever be empty.
 */
const struct out_field *
out_field_find(const char *name)
{
	const struct out_field *f;
	char why[160];

	if ((f = field_find_typed(name, why, sizeof(why))) == NULL &&
	    why[0] != '\0')
		nm_die(NM_EXIT_USAGE, "unknown field: %s (%s)", name, why);
	return f;
}

int
out_fields_want(const struct out *o, enum rec_type t)
{
	size_t i;
	enum rec_type ft;

	for (i = 0; i < o->nfields; i++) {
		ft = o->fields[i]->rtype ? o->fields[i]->rtype : REC_PACKET;
		if (ft == t)
			return 1;
	}
	return 0;
}

/* path's first n bytes among keys, unless they are there already */
static void
keys_add(const char **keys, size_t *k, const char *path, size_t n)
{
	char *key;
	size_t j;

	for (j = 0; j < *k; j++)
		if (strncmp(keys[j], path, n) == 0 && keys[j][n] == '\0')
			return;
	key = estrdup(path);
	key[n] = '\0';
	keys[(*k)++] = key;
}

const char *const *
out_fields_keys(const struct out *o)
{
	/* a geo column's layer too: two keys for some fields */
	const char **keys = ecalloc(2 * o->nfields + 1, sizeof(*keys));
	const char *path, *l3;
	size_t i, k = 0;

	for (i = 0; i < o->nfields; i++) {
		if (o->fields[i]->rtype != REC_UNKNOWN)
			continue; /* not a packet's */
		path = o->fields[i]->path;
		/* a geo column reads the address of its layer */
		if (o->fields[i]->fmt == F_GEO4 ||
		    o->fields[i]->fmt == F_GEO6) {
			l3 = o->fields[i]->fmt == F_GEO4 ? "ip" : "ipv6";
			keys_add(keys, &k, l3, strlen(l3));
		}
		keys_add(keys, &k, path, strcspn(path, "."));
	}
	return keys;
}

void
out_fields_keys_free(const char *const *keys)
{
	size_t i;

	for (i = 0; keys[i] != NULL; i++)
		free((void *)(uintptr_t)keys[i]);
	free((void *)(uintptr_t)keys);
}

void
out_field_list(struct strbuf *b)
{
	const struct out_field *f;

	for (f = field_table(); f->name != NULL; f++) {
		sb_adds(b, f->name);
		sb_addc(b, '\n');
	}
}

static uint64_t
num(const msgpack_object *v)
{
	if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
		return v->via.u64;
	if (v->type == MSGPACK_OBJECT_BOOLEAN)
		return v->via.boolean;
	return 0;
}

static void
emit(const struct out *o, struct strbuf *b, const struct out_field *f,
    const msgpack_object *v)
{
	uint64_t x = num(v);
	int isnum = v->type == MSGPACK_OBJECT_POSITIVE_INTEGER ||
	    v->type == MSGPACK_OBJECT_BOOLEAN;

	switch (f->fmt) {
	case F_HEX2:
	case F_HEX4:
	case F_HEX5:
	case F_HEX8:
	case F_VHEX:
	case F_SLLT:
		if (isnum) {
			out_hex(b, x,
			    f->fmt == F_HEX2	   ? 2
				: f->fmt == F_HEX5 ? 5
				: f->fmt == F_HEX8 ? 8
						   : 4);
			return;
		}
		break;
	case F_TS:
		if (isnum) {
			out_ns(b, x);
			return;
		}
		break;
	case F_IFNAME:
		if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
			out_ifname(o, b, x);
			return;
		}
		break;
	case F_BIT:
		if (isnum) {
			sb_addc(b, (x & f->arg) ? '1' : '0');
			return;
		}
		break;
	case F_BYTES:
		if (v->type == MSGPACK_OBJECT_BIN) {
			out_hexbytes(b, v);
			return;
		}
		break;
	case F_NAME:
	case F_RRNM:
		if (v->type == MSGPACK_OBJECT_STR &&
		    (v->via.str.size == 0 ||
			(v->via.str.size == 1 && v->via.str.ptr[0] == '.'))) {
			sb_adds(b, "<Root>");
			return;
		}
		break;
	default: break;
	}
	out_value(b, v);
}

/* One column being written: where it starts, how many values it met. */
struct walk {
	const struct out *o;
	const struct out_field *f;
	struct strbuf *b;
	size_t start;
	unsigned count;
};

/*
 * Whether the next value of the column is shown, as -E occurrence= and
 * aggregator= say; when it is, the separator before it is written.
 */
static int
occurrence(struct walk *w)
{
	unsigned k = ++w->count;

	switch (w->o->occ) {
	case OCC_FIRST: return k == 1;
	case OCC_LAST: w->b->len = w->start; return 1;
	case OCC_NTH: return k == w->o->occ_n;
	default:
		if (k > 1)
			sb_addc(w->b, w->o->agg ? w->o->agg : ',');
		return 1;
	}
}

/* One value of the column (a field_walk callback). */
static int
value(void *arg, const msgpack_object *v)
{
	struct walk *w = arg;

	if (occurrence(w))
		emit(w->o, w->b, w->f, v);
	return 0;
}

/*
 * An ip.geoip. or ipv6.geoip. column: of the packet's IPv4 or IPv6 layer
 * only (tshark's split), from the record's src_geo or dst_geo when it has
 * them (a stream read back), else nm-render's own lookup of the address.
 */
static void
geo_column(struct walk *w, const msgpack_object *map)
{
	const struct out_field *f = w->f;
	const msgpack_object *l3 =
	    rec_get(map, f->fmt == F_GEO4 ? "ip" : "ipv6");
	const char *comp = strchr(f->path, '.') + 1, *v;
	const struct geo_info *gi;
	struct geo_info rgi;
	int src = strncmp(f->path, "src", 3) == 0;
	char num[16];

	if (w->o->nogeo || l3 == NULL || l3->type != MSGPACK_OBJECT_MAP)
		return;
	if (geo_info_obj(rec_get(map, src ? "src_geo" : "dst_geo"), &rgi))
		gi = &rgi;
	else if ((gi = geo_find_obj(
		      w->o->geo, rec_get(l3, src ? "src" : "dst"))) == NULL)
		return;
	if (strcmp(comp, "asn") == 0) {
		if (gi->asn == 0)
			return;
		snprintf(num, sizeof(num), "%u", (unsigned)gi->asn);
		v = num;
	} else
		v = strcmp(comp, "country") == 0   ? gi->country
		    : strcmp(comp, "as_name") == 0 ? gi->as_name
						   : gi->country_name;
	if (*v != '\0' && occurrence(w))
		out_safe(w->b, v, strlen(v));
}

/*
 * -E quote=: what was written from start on, in quotes, a quote inside
 * doubled (as CSV readers take it).  An empty column stays empty, as
 * tshark leaves it.
 */
static void
quote_from(struct strbuf *b, size_t start, char q)
{
	size_t i, j, nq = 0, n = b->len - start;

	if (q == '\0' || n == 0)
		return;
	for (i = start; i < b->len; i++)
		nq += b->p[i] == q;
	sb_need(b, n + nq + 2);
	j = b->len + nq + 2;
	b->p[--j] = q;
	for (i = b->len; i-- > start;) {
		b->p[--j] = b->p[i];
		if (b->p[i] == q)
			b->p[--j] = q;
	}
	b->p[--j] = q;
	b->len += nq + 2;
}

void
out_fields_header(const struct out *o, struct strbuf *b)
{
	size_t i, start;

	for (i = 0; i < o->nfields; i++) {
		if (i > 0)
			sb_addc(b, o->sep ? o->sep : '\t');
		start = b->len;
		sb_adds(b, o->fields[i]->name);
		quote_from(b, start, o->quote);
	}
	sb_addc(b, '\n');
}

void
out_fields(
    struct out *o, struct strbuf *b, const msgpack_object *map, enum rec_type t)
{
	const struct out_field *f;
	struct field_ref ref;
	struct walk w;
	size_t i;

	for (i = 0; i < o->nfields; i++) {
		if (i > 0)
			sb_addc(b, o->sep ? o->sep : '\t');
		/* a field of another record type stays empty */
		if ((o->fields[i]->rtype ? o->fields[i]->rtype : REC_PACKET) !=
		    t)
			continue;
		field_ref_init(&ref, o->fields[i]);
		w.o = o;
		w.f = f = o->fields[i];
		w.b = b;
		w.start = b->len;
		w.count = 0;
		if (f->fmt == F_GEO4 || f->fmt == F_GEO6)
			geo_column(&w, map);
		else
			(void)field_walk(&ref, map, value, &w);
		/* last: the OPT record is the last of a message as a rule;
		 * its owner is the root, or it is no OPT to nm-decode */
		if ((f->fmt == F_RRNM || f->fmt == F_RRTY) &&
		    rec_path(map, "dns.edns") != NULL && occurrence(&w))
			sb_adds(b, f->fmt == F_RRNM ? "<Root>" : "41");
		quote_from(b, w.start, o->quote);
	}
	sb_addc(b, '\n');
}
