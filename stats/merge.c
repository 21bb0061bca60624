/*
 * nm-stats --merge: many streams' summary records added up into one view.
 * The inputs (files, FIFOs, pipes, "-") are read at once on the stage
 * driver, so live workers' streams merge as they come.  Summaries are put
 * in buckets: with --bucket S the span of S seconds (aligned on the epoch)
 * where a summary starts, else the summary's own span, so the workers' or
 * sensors' spans of the same instants meet.  A bucket is written (a
 * merged summary and a stats record nm-render shows as nm-stats' own)
 * once every input still open has gone past its end, by the time of any
 * record it sent; at the end, every bucket left, then the final stats
 * and the final summary of everything.  A stream's final summary is the
 * sum of its spans when it wrote spans, and is then not counted again;
 * a stream of only a final summary counts it as a span (without --bucket:
 * in the total only).  Flow and alert records pass on as they come; the
 * inputs' own stats and capture records do not (the merge writes its
 * own).
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "geo.h"
#include "nm.h"
#include "proto.h"
#include "rec.h"
#include "sandbox.h"
#include "stage.h"
#include "stats.h"

#define MAX_PENDING 256 /* buckets held open; more: the oldest is written */

struct minput {
	uint64_t mark; /* the latest capture time it has spoken of */
	int spans;     /* it has written summaries of spans */
};

struct bucket {
	uint64_t start, end;
	struct summ s;
};

struct merge {
	struct stage st;
	struct minput *in;
	uint64_t bucket; /* --bucket, ns; 0: each summary's own span */
	unsigned ntop;
	size_t k;
	int by_set;
	enum top_by by;
	struct bucket *pend[MAX_PENDING];
	size_t npend;
	struct summ tot;  /* every bucket written, and the lone finals */
	struct summ read; /* the record at hand */
	uint64_t late;	  /* summaries for a bucket already written */
	int flushed;	  /* a bucket was written, the latest from: */
	uint64_t flushed_start;
	uint64_t straddled; /* summaries over a --bucket boundary */
	uint64_t refused;   /* summaries that did not parse */
	uint64_t summaries; /* summaries read */
	/* the header out: every input's sources once */
	struct pk srcs;
	uint32_t nsrcs;
	char **srcnames;
	msgpack_unpacked hdr; /* its strings are in hdrbuf */
	struct pk hdrbuf;
	int have_hdr;
};

static const char usage_text[] =
    "usage: nm-stats --merge [-n count] [-s packets|bytes] "
    "[--bucket seconds] [--summary-top k]\n"
    "                [--geo file|auto|off] [--force] file...   "
    "(- for stdin)\n";

/* --geo: where the merged lists' public addresses are, or NULL */
static struct geo *merge_geo;

static void
merge_pack_geo(struct pk *pk, const char *key, const uint8_t *a, size_t len)
{
	const struct geo_info *gi = geo_find(merge_geo, a, len);

	if (gi != NULL)
		geo_pack(pk, key, gi);
}

int
merge_wanted(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--merge") == 0)
			return 1;
	return 0;
}

/* --- the header: the inputs' sources, each name once --- */

static void
on_header(struct stage *st, const struct rec *rec)
{
	struct merge *m = st->arg;
	const msgpack_object *srcs;
	uint32_t i, j, n;
	char name[256];

	if (m->have_hdr)
		return; /* a later header's sources come too late to name */
	n = rec_sources(&rec->obj, &srcs);
	for (i = 0; i < n; i++) {
		rec_source_name(&srcs[i], name, sizeof(name));
		for (j = 0; j < m->nsrcs; j++)
			if (strcmp(m->srcnames[j], name) == 0)
				break;
		if (j < m->nsrcs || m->nsrcs >= ST_NSOURCES)
			continue;
		m->srcnames = erealloc(
		    m->srcnames, (m->nsrcs + 1) * sizeof(*m->srcnames));
		m->srcnames[m->nsrcs++] = estrdup(name);
		pk_obj(&m->srcs, &srcs[i]);
	}
}

static const msgpack_object *
merged_header(struct stage *st)
{
	struct merge *m = st->arg;
	struct pk *pk = &m->hdrbuf;
	char producer[64];

	pk_init(pk, 256 + m->srcs.len);
	pk_map_open(pk);
	pk_kstr(pk, "type", "header");
	pk_ku(pk, "version", REC_VERSION_MAJOR);
	pk_ku(pk, "minor", REC_VERSION_MINOR);
	snprintf(producer, sizeof(producer), "nm-stats %s", NM_VERSION);
	pk_kstr(pk, "producer", producer);
	pk_cstr(pk, "stages");
	pk_array_open(pk);
	pk_close(pk);
	pk_cstr(pk, "sources");
	pk_array_open(pk);
	pk_raw_items(pk, m->srcs.p, m->srcs.len, m->nsrcs);
	pk_close(pk);
	pk_close(pk);
	msgpack_unpacked_init(&m->hdr);
	if (msgpack_unpack_next(&m->hdr, pk->p, pk->len, NULL) !=
	    MSGPACK_UNPACK_SUCCESS)
		nm_die(NM_EXIT_FAIL, "internal: the merged header");
	m->have_hdr = 1;
	return &m->hdr.data;
}

/* --- the stats record of a bucket, from the sketches --- */

static void
pack_estimate(struct pk *pk, const struct summ *t)
{
	pk_cstr(pk, "estimate");
	pk_map_open(pk);
	pk_ku(pk, "summaries", t->merged);
	pk_cstr(pk, "hosts");
	pk_double(pk, hll_count(&t->dhosts));
	pk_cstr(pk, "ports");
	pk_double(pk, hll_count(&t->dports));
	pk_cstr(pk, "flows");
	pk_double(pk, hll_count(&t->dflows));
	pk_cstr(pk, "rse");
	pk_double(pk, hll_error());
	pk_ku(pk, "top_err", ss_floor(&t->hosts));
	pk_ku(pk, "packet_p50", hist_quantile(&t->pkt, 0.5));
	pk_ku(pk, "packet_p90", hist_quantile(&t->pkt, 0.9));
	pk_ku(pk, "packet_p99", hist_quantile(&t->pkt, 0.99));
	pk_ku(pk, "packet_max", t->pkt.max);
	pk_ku(pk, "flow_bytes_p50", hist_quantile(&t->fbytes, 0.5));
	pk_ku(pk, "flow_bytes_p90", hist_quantile(&t->fbytes, 0.9));
	pk_ku(pk, "flow_bytes_p99", hist_quantile(&t->fbytes, 0.99));
	pk_ku(pk, "flow_packets_p50", hist_quantile(&t->fpkts, 0.5));
	pk_ku(pk, "flow_packets_p99", hist_quantile(&t->fpkts, 0.99));
	pk_close(pk);
}

/*
 * The entries as nm-stats ranks its own lists (stats/top.c): the ranked
 * count, then the other weight, then the key, so that a merge lists ties
 * in the order a single nm-stats would.
 */
static int
shown_before(const void *x, const void *y)
{
	const struct ss_entry *a = *(const struct ss_entry *const *)x;
	const struct ss_entry *b = *(const struct ss_entry *const *)y;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	if (a->other != b->other)
		return a->other > b->other ? -1 : 1;
	return memcmp(a->key, b->key, sizeof(a->key));
}

static const struct ss_entry **
shown(const struct ss *ss, size_t *n)
{
	const struct ss_entry **v = ss_sorted(ss, n);

	qsort(v, *n, sizeof(*v), shown_before);
	return v;
}

/* Packets and bytes of an entry, from the ranked count and the other. */
static void
pack_weights(struct pk *pk, const struct summ *t, const struct ss_entry *e)
{
	pk_ku(pk, "packets", t->by == TOP_BYTES ? e->other : e->count);
	pk_ku(pk, "bytes", t->by == TOP_BYTES ? e->count : e->other);
	pk_ku(pk, "err", e->err);
}

static void
pack_heavy(struct pk *pk, const struct summ *t, unsigned ntop)
{
	const struct ss_entry **v;
	const struct flow_key *fk;
	const uint8_t *k;
	const char *svc;
	size_t i, n, al;
	int a_serves;

	v = shown(&t->hosts, &n);
	pk_cstr(pk, "top_hosts");
	pk_array_open(pk);
	for (i = 0; i < n && i < ntop; i++) {
		k = v[i]->key;
		pk_map_open(pk);
		pk_kbin(pk, "addr", k + 1, k[0] == 6 ? 16 : 4);
		merge_pack_geo(pk, "geo", k + 1, k[0] == 6 ? 16 : 4);
		pack_weights(pk, t, v[i]);
		pk_close(pk);
	}
	pk_close(pk);
	free(v);
	v = shown(&t->ports, &n);
	pk_cstr(pk, "top_ports");
	pk_array_open(pk);
	for (i = 0; i < n && i < ntop; i++) {
		k = v[i]->key;
		pk_map_open(pk);
		pk_ku(pk, "port", (unsigned)k[1] << 8 | k[2]);
		pk_kstr(pk, "proto", proto_ip_name(k[0]));
		if ((svc = out_service((unsigned)k[1] << 8 | k[2], k[0])))
			pk_kstr(pk, "service", svc);
		pack_weights(pk, t, v[i]);
		pk_close(pk);
	}
	pk_close(pk);
	free(v);
	/*
	 * A connection is kept by its endpoints in either order, so that its
	 * halves meet whoever began it; it is shown from the endpoint of the
	 * higher port (the client's, mostly) to the lower.
	 */
	v = shown(&t->flows, &n);
	pk_cstr(pk, "top_flows");
	pk_array_open(pk);
	for (i = 0; i < n && i < ntop; i++) {
		fk = (const void *)v[i]->key;
		al = fk->af == 6 ? 16 : 4;
		a_serves = fk->pa < fk->pb;
		pk_map_open(pk);
		pk_kstr(pk, "proto",
		    proto_ip_name(fk->proto) != NULL ? proto_ip_name(fk->proto)
						     : "IP");
		pk_kbin(pk, "src", a_serves ? fk->b : fk->a, al);
		pk_kbin(pk, "dst", a_serves ? fk->a : fk->b, al);
		merge_pack_geo(pk, "src_geo", a_serves ? fk->b : fk->a, al);
		merge_pack_geo(pk, "dst_geo", a_serves ? fk->a : fk->b, al);
		/* ICMP's "ports" are its identifier or type and code */
		if (fk->proto != 1 && fk->proto != 58) {
			pk_ku(pk, "sport", a_serves ? fk->pb : fk->pa);
			pk_ku(pk, "dport", a_serves ? fk->pa : fk->pb);
		}
		if ((svc = out_service(a_serves ? fk->pa : fk->pb, fk->proto)))
			pk_kstr(pk, "service", svc);
		pack_weights(pk, t, v[i]);
		pk_close(pk);
	}
	pk_close(pk);
	free(v);
}

static double
per_sec(double n, uint64_t ns)
{
	return ns == 0 ? 0.0 : n * 1e9 / (double)ns;
}

/* The source of bucket b (NULL: none) named as t's slot i. */
static const struct summ_src *
src_in(const struct summ *b, const char *name)
{
	size_t i;

	for (i = 0; b != NULL && i < b->nsrc; i++)
		if (strcmp(b->src[i].name, name) == 0)
			return &b->src[i];
	return NULL;
}

/* Each source's figures, when the merged streams have several. */
static void
pack_sources(struct pk *pk, const struct summ *b, const struct summ *t,
    uint64_t span, uint64_t run)
{
	const struct summ_src *s, *bs;
	size_t i;

	pk_cstr(pk, "per_source");
	pk_array_open(pk);
	for (i = 0; i < t->nsrc; i++) {
		s = &t->src[i];
		bs = src_in(b, s->name);
		pk_map_open(pk);
		pk_ku(pk, "if", i);
		pk_kstr(pk, "name", s->name);
		pack_counts(pk, bs ? bs->packets : 0, bs ? bs->bytes : 0,
		    s->packets, s->bytes, span, run);
		if (s->capture)
			pack_capture(pk, s->recv, s->drop, s->ifdrop, NULL);
		pk_close(pk);
	}
	pk_close(pk);
}

/*
 * A stats record: the bucket b's interval (NULL: the final's, the whole
 * run), and the totals so far, in the keys nm-stats writes.
 */
static void
write_stats(struct merge *m, const struct summ *b)
{
	struct pk *pk = stage_pk(&m->st);
	const struct summ *t = &m->tot, *iv = b != NULL ? b : t;
	struct proto_count p[ST_NPROTO];
	uint64_t recv = 0, drop = 0, ifdrop = 0, run, span;
	size_t i;
	int cap = 0;

	run = t->end > t->start ? t->end - t->start : 0;
	span = iv->end > iv->start ? iv->end - iv->start : 0;
	pk_map_open(pk);
	pk_kstr(pk, "type", "stats");
	pk_kbool(pk, "final", b == NULL);
	pk_cstr(pk, "interval");
	pk_map_open(pk);
	pk_ku(pk, "start", iv->start);
	pk_ku(pk, "end", iv->end);
	pk_ku(pk, "packets", iv->packets);
	pk_ku(pk, "bytes", iv->bytes);
	pk_close(pk);
	pk_cstr(pk, "total");
	pk_map_open(pk);
	pk_ku(pk, "packets", t->packets);
	pk_ku(pk, "bytes", t->bytes);
	pk_ku(pk, "flows", t->nflows);
	pk_close(pk);
	pk_cstr(pk, "rate");
	pk_map_open(pk);
	pk_cstr(pk, "pps");
	pk_double(pk, per_sec((double)iv->packets, span));
	pk_cstr(pk, "bps");
	pk_double(pk, per_sec((double)iv->bytes * 8, span));
	pk_cstr(pk, "avg_pps");
	pk_double(pk, per_sec((double)t->packets, run));
	pk_cstr(pk, "avg_bps");
	pk_double(pk, per_sec((double)t->bytes * 8, run));
	pk_close(pk);
	pk_ku(pk, "runtime", run);
	memcpy(p, t->proto, sizeof(p));
	pack_protos(pk, p, t->nproto, t->packets, t->bytes);
	pack_heavy(pk, t, m->ntop);
	for (i = 0; i < t->nsrc; i++) {
		if (!t->src[i].capture)
			continue;
		cap = 1;
		recv += t->src[i].recv;
		drop += t->src[i].drop;
		ifdrop += t->src[i].ifdrop;
	}
	if (cap)
		pack_capture(pk, recv, drop, ifdrop, NULL);
	if (t->nsrc > 1)
		pack_sources(pk, b, t, span, run);
	pack_estimate(pk, t);
	pk_close(pk);
	stage_end_record(&m->st);
}

/* --- buckets --- */

static void
write_summary(struct merge *m, const struct summ *s)
{
	summ_write(stage_pk(&m->st), s);
	stage_end_record(&m->st);
}

/* The oldest pending bucket out: its summary, then the stats so far. */
static void
flush_first(struct merge *m)
{
	struct bucket *b = m->pend[0];

	summ_merge(&m->tot, &b->s);
	m->flushed = 1;
	if (b->start > m->flushed_start)
		m->flushed_start = b->start;
	b->s.start = b->start;
	b->s.end = b->end;
	write_summary(m, &b->s);
	write_stats(m, &b->s);
	summ_free(&b->s);
	free(b);
	memmove(m->pend, m->pend + 1, --m->npend * sizeof(m->pend[0]));
}

/* The earliest time an open input may still send a summary of. */
static uint64_t
low_mark(const struct merge *m)
{
	uint64_t low = UINT64_MAX;
	size_t i;

	for (i = 0; i < m->st.nin; i++)
		if (m->st.in[i].open && m->in[i].mark < low)
			low = m->in[i].mark;
	return low;
}

static void
flush_done(struct merge *m)
{
	uint64_t low = low_mark(m);

	while (m->npend > 0 && m->pend[0]->end <= low)
		flush_first(m);
}

/* Where the bucket of [start, end) goes in the pending list, or NULL. */
static struct bucket *
bucket_for(struct merge *m, uint64_t start, uint64_t end)
{
	struct bucket *b;
	size_t i;

	if (m->bucket != 0) {
		start -= start % m->bucket;
		end = start > UINT64_MAX - m->bucket ? UINT64_MAX
						     : start + m->bucket;
	}
	for (i = 0; i < m->npend; i++) {
		b = m->pend[i];
		if (b->start == start && b->end == end)
			return b;
		if (b->start > start || (b->start == start && b->end > end))
			break;
	}
	if (m->npend == MAX_PENDING) {
		flush_first(m);
		if (i > 0)
			i--;
	}
	b = ecalloc(1, sizeof(*b));
	b->start = start;
	b->end = end;
	summ_init(&b->s, m->k, m->by);
	memmove(
	    m->pend + i + 1, m->pend + i, (m->npend - i) * sizeof(m->pend[0]));
	m->pend[i] = b;
	m->npend++;
	return b;
}

/*
 * A summary nm-pull tagged with its sensor names its sources as the
 * merged header does, "IFACE@SENSOR", so that two sensors' eth0 stay
 * apart.
 */
static void
sensor_names(struct summ *s, const msgpack_object *rec)
{
	char name[SUMM_SRCLEN];
	const char *sensor;
	size_t i, n;

	if (!rec_get_str(rec, "sensor", &sensor, &n) || n == 0)
		return;
	for (i = 0; i < s->nsrc; i++) {
		snprintf(name, sizeof(name), "%s@%.*s", s->src[i].name,
		    (int)(n < 32 ? n : 32), sensor);
		memcpy(s->src[i].name, name, sizeof(name));
	}
}

static void
on_summary(struct merge *m, const struct rec *rec)
{
	struct minput *in = &m->in[m->st.input];
	struct summ *s = &m->read;
	struct bucket *b;
	const char *why;

	m->summaries++;
	if ((why = summ_read(s, &rec->obj)) != NULL) {
		m->refused++;
		if (m->st.status < NM_EXIT_BADSTREAM)
			m->st.status = NM_EXIT_BADSTREAM;
		nm_warn("%s: summary at byte %llu refused: %s",
		    m->st.in[m->st.input].name, (unsigned long long)rec->off,
		    why);
		return;
	}
	if (!m->by_set) {
		m->by_set = 1;
		m->by = s->by;
		m->tot.by = s->by;
	} else if (s->by != m->by) {
		m->refused++;
		if (m->st.status < NM_EXIT_BADSTREAM)
			m->st.status = NM_EXIT_BADSTREAM;
		nm_warn("%s: summary at byte %llu refused: it ranks by %s, "
			"the first ranked by %s",
		    m->st.in[m->st.input].name, (unsigned long long)rec->off,
		    s->by == TOP_BYTES ? "bytes" : "packets",
		    m->by == TOP_BYTES ? "bytes" : "packets");
		return;
	}
	if (s->final && in->spans)
		return; /* the sum of the spans it wrote */
	sensor_names(s, &rec->obj);
	if (!s->final)
		in->spans = 1;
	if (s->final && m->bucket == 0) {
		summ_merge(&m->tot, s);
		return;
	}
	if (m->bucket != 0 &&
	    s->end - s->start > m->bucket - s->start % m->bucket)
		m->straddled++;
	b = bucket_for(m, s->start, s->end);
	/* its bucket was out already: it comes out again, counted */
	if (m->flushed && b->start <= m->flushed_start && b->s.merged == 0)
		m->late++;
	summ_merge(&b->s, s);
}

/* The latest capture time a record speaks of, or 0. */
static uint64_t
record_time(const struct rec *rec)
{
	const msgpack_object *iv;
	uint64_t t = 0;

	switch (rec->type) {
	case REC_SUMMARY:
		if ((iv = rec_get(&rec->obj, "span")) != NULL)
			rec_get_u64(iv, "end", &t);
		break;
	case REC_STATS:
		if ((iv = rec_get(&rec->obj, "interval")) != NULL)
			rec_get_u64(iv, "end", &t);
		break;
	case REC_CAPSTATS:
	case REC_FRAME:
	case REC_PACKET: rec_get_u64(&rec->obj, "ts", &t); break;
	default: break;
	}
	return t;
}

static void
on_record(struct stage *st, const struct rec *rec)
{
	struct merge *m = st->arg;
	struct minput *in = &m->in[st->input];
	uint64_t t = record_time(rec);

	switch (rec->type) {
	case REC_SUMMARY: on_summary(m, rec); break;
	case REC_FLOW:
	case REC_ALERT: stage_pass(st, rec); break;
	default: break; /* the inputs' own stats, packets, ends: not ours */
	}
	/* a final summary speaks of the whole run, not of how far it is */
	if (t > in->mark &&
	    !(rec->type == REC_SUMMARY && rec_get(&rec->obj, "final") != NULL))
		in->mark = t;
	flush_done(m);
}

static void
on_input_end(struct stage *st, size_t i, int ok)
{
	struct merge *m = st->arg;

	(void)i;
	(void)ok;
	flush_done(m);
}

static void
on_finish(struct stage *st, enum stage_end why)
{
	struct merge *m = st->arg;

	(void)why;
	while (m->npend > 0)
		flush_first(m);
	write_stats(m, NULL);
	m->tot.final = 1;
	write_summary(m, &m->tot);
}

static void
end_keys(struct pk *pk, void *arg)
{
	struct stage *st = arg;
	struct merge *m = st->arg;

	pk_cstr(pk, "merge");
	pk_map_open(pk);
	pk_ku(pk, "inputs", st->nin);
	pk_ku(pk, "summaries", m->summaries);
	pk_ku(pk, "refused", m->refused);
	pk_ku(pk, "late", m->late);
	pk_ku(pk, "straddled", m->straddled);
	pk_close(pk);
}

static const struct stage_ops merge_ops = {
	.name = "nm-stats",
	.records_out = 1,
	.header = on_header,
	.record = on_record,
	.finish = on_finish,
	.end_keys = end_keys,
	.merged_header = merged_header,
	.input_end = on_input_end,
};

int
merge_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "merge", no_argument, NULL, 'm' },
		{ "top", required_argument, NULL, 'n' },
		{ "sort", required_argument, NULL, 's' },
		{ "bucket", required_argument, NULL, 'b' },
		{ "summary-top", required_argument, NULL, 'K' },
		{ "force", no_argument, NULL, 'f' },
		{ "geo", required_argument, NULL, 'G' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	static struct merge m;
	const char *geo = NULL; /* auto */
	int ch, force = 0;

	m.ntop = NM_STATS_TOP_DEFAULT;
	m.k = SUMM_K;
	while ((ch = getopt_long(argc, argv, "n:s:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'm': break;
		case 'n':
			m.ntop = (unsigned)estrtonum(
			    optarg, 0, NM_STATS_TOP_MAX, "-n");
			break;
		case 's':
			if (strcmp(optarg, "packets") != 0 &&
			    strcmp(optarg, "bytes") != 0)
				nm_bad_usage(
				    "-s %s: sort by packets or bytes", optarg);
			/* the summaries say what they rank by */
			break;
		case 'b':
			m.bucket =
			    (uint64_t)estrtonum(optarg, 1,
				NM_STATS_INTERVAL_MAX * 366ULL, "--bucket") *
			    ST_NS;
			break;
		case 'K':
			m.k = (size_t)estrtonum(
			    optarg, 16, SUMM_KMAX, "--summary-top");
			break;
		case 'f': force = 1; break;
		case 'G': geo = optarg; break;
		case 'h': nm_usage(usage_text, NM_EXIT_OK);
		case 'V': nm_version("nm-stats");
		default: nm_usage(usage_text, NM_EXIT_USAGE);
		}
	}
	if (optind == argc)
		nm_bad_usage(
		    "--merge: name the streams to merge (- for stdin)");
	merge_geo = geo_open(geo, 0);
	summ_init(&m.tot, m.k, TOP_PACKETS);
	summ_init(&m.read, m.k, TOP_PACKETS);
	pk_init(&m.srcs, 256);
	stage_open_inputs(&m.st, &merge_ops, &m, force ? STAGE_FORCE : 0,
	    argv + optind, (size_t)(argc - optind));
	m.in = ecalloc(m.st.nin, sizeof(*m.in));
	esandbox(NM_SANDBOX_STAGE);

	/* state: sandboxed, the inputs, stdout and the signal pipe only */
	return stage_run(&m.st);
}
