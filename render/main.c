/*
 * nm-render: the pipeline's last stage.  Reads records on stdin (msgpack
 * or JSON) and writes them for people, as coloured text lines in one of
 * three layouts, or for tools, as JSON lines or tshark-style field
 * columns.  Output is built a line at a time into one buffer and goes out
 * in large writes, flushed whenever the input goes idle so live traffic
 * shows at once; a reader that goes away ends the program quietly.
 * -m top is a live full-screen table instead (top.h), on the same
 * driver with callbacks of its own.
 */
#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "render.h"
#include "fields.h"
#include "filter.h"
#include "geo.h"
#include "names.h"
#include "sandbox.h"
#include "stage.h"
#include "top.h"

#define OUTBUF (256 * 1024)

enum color_when { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

struct opts {
	struct out out;
	enum color_when color;
	int mode_set;
	const char **names; /* -e, unresolved */
	size_t nnames;
	int nt;		    /* how many -t */
	int eset;	    /* some -E given */
	const char *filter; /* -Y, or NULL */
	const char *geo;    /* --geo FILE|auto|off (NULL: auto) */
	int version;	    /* --version */
};

/* What the driver's callbacks need. */
struct ctx {
	struct stage st;
	struct out *out;
	struct strbuf line;    /* one record's text, reused */
	struct filter *filter; /* -Y: packets shown, or NULL */
};

static int json_refused; /* a record was too long for JSON */
/* -o json: the passive names put beside a packet's addresses (NULL: -N) */
static struct names *json_names;
/* -o json: where a packet's addresses are, put beside them (NULL: none) */
static struct geo *json_geo;

static const char usage_text[] =
    "usage: nm-render [-t[t[t[t[t]]]]] [-uN] [-m mode]\n"
    "                 [-o compact|detailed|minimal|json|fields]\n"
    "                 [-e field]... [-E setting=value]... [-Y filter]\n"
    "                 [--json-time] [--color=auto|always|never]\n"
    "                 [--geo file|auto|off] [--list-fields]\n";

/* What tcpdump's -t, -tt, -ttt, -tttt and -ttttt choose, by their count */
static const enum out_time tmodes[] = { OUT_TIME_LOCAL, OUT_TIME_NONE,
	OUT_TIME_EPOCH, OUT_TIME_DELTA, OUT_TIME_DATE, OUT_TIME_SINCE };

static void __attribute__((noreturn)) usage(void)
{
	nm_usage(usage_text, NM_EXIT_USAGE);
}

static enum out_mode
parse_mode(const char *s, int text_only)
{
	static const struct {
		const char *name;
		enum out_mode mode;
	} modes[] = { { "compact", OUT_COMPACT }, { "detailed", OUT_DETAILED },
		{ "minimal", OUT_MINIMAL }, { "json", OUT_JSON },
		{ "fields", OUT_FIELDS } };
	size_t i, n = text_only ? 3 : 5;

	/* the full-screen table is a display mode, not an output format */
	if (text_only && strcmp(s, "top") == 0)
		return OUT_TOP;
	for (i = 0; i < n; i++)
		if (strcmp(s, modes[i].name) == 0)
			return modes[i].mode;
	nm_warn("unknown %s mode: %s", text_only ? "display" : "output", s);
	usage();
}

/*
 * tshark's -E: header=y|n, separator=/t|/s|CHAR, quote=d|s|n,
 * occurrence=f|l|a|N, aggregator=,|/s|CHAR.
 */
static void
parse_E(struct out *o, const char *arg)
{
	const char *v = strchr(arg, '=');
	size_t k = v != NULL ? (size_t)(v - arg) : 0;
	char *end;
	unsigned long n;

	if (v == NULL)
		goto bad;
	v++;
	if (k == 6 && strncmp(arg, "header", k) == 0) {
		if (strcmp(v, "y") != 0 && strcmp(v, "n") != 0)
			goto bad;
		o->header = *v == 'y';
	} else if ((k == 9 && strncmp(arg, "separator", k) == 0) ||
	    (k == 10 && strncmp(arg, "aggregator", k) == 0)) {
		char c = strcmp(v, "/t") == 0 ? '\t'
		    : strcmp(v, "/s") == 0    ? ' '
		    : strlen(v) == 1	      ? *v
					      : '\0';
		if (c == '\0' || c == '\n')
			goto bad;
		if (*arg == 's')
			o->sep = c;
		else
			o->agg = c;
	} else if (k == 5 && strncmp(arg, "quote", k) == 0) {
		if (strcmp(v, "d") == 0)
			o->quote = '"';
		else if (strcmp(v, "s") == 0)
			o->quote = '\'';
		else if (strcmp(v, "n") == 0)
			o->quote = '\0';
		else
			goto bad;
	} else if (k == 10 && strncmp(arg, "occurrence", k) == 0) {
		if (strcmp(v, "f") == 0)
			o->occ = OCC_FIRST;
		else if (strcmp(v, "l") == 0)
			o->occ = OCC_LAST;
		else if (strcmp(v, "a") == 0)
			o->occ = OCC_ALL;
		else {
			errno = 0;
			n = strtoul(v, &end, 10);
			if (*v < '1' || *v > '9' || *end != '\0' || errno ||
			    n > 1000000)
				goto bad;
			o->occ = OCC_NTH;
			o->occ_n = (unsigned)n;
		}
	} else
		goto bad;
	return;
bad:
	nm_warn("-E %s: want header=y|n, separator=/t|/s|CHAR, "
		"quote=d|s|n, occurrence=f|l|a|N or aggregator=,|/s|CHAR",
	    arg);
	usage();
}

static void
list_fields(void)
{
	struct strbuf b = { NULL, 0, 0 };

	out_field_list(&b);
	fwrite(b.p, 1, b.len, stdout);
	free(b.p);
	nm_exit_stdout();
}

static void
parse_opts(int argc, char **argv, struct opts *op)
{
	static const struct option longopts[] = {
		{ "color", optional_argument, NULL, 'C' },
		{ "colour", optional_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ "json-time", no_argument, NULL, 'J' },
		{ "list-fields", no_argument, NULL, 'L' },
		{ "no-names", no_argument, NULL, 'N' },
		{ "utc", no_argument, NULL, 'u' },
		{ "display-filter", required_argument, NULL, 'Y' },
		{ "geo", required_argument, NULL, 'G' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	size_t i;
	int c;

	op->names = ecalloc((size_t)argc, sizeof(*op->names));
	while ((c = getopt_long(
		    argc, argv, "E:e:hm:No:tuY:", longopts, NULL)) != -1) {
		switch (c) {
		case 'C':
			if (optarg == NULL || strcmp(optarg, "always") == 0)
				op->color = COLOR_ALWAYS;
			else if (strcmp(optarg, "auto") == 0)
				op->color = COLOR_AUTO;
			else if (strcmp(optarg, "never") == 0)
				op->color = COLOR_NEVER;
			else {
				nm_warn("--color: want auto, always or never,"
					" not %s",
				    optarg);
				usage();
			}
			break;
		case 'E':
			parse_E(&op->out, optarg);
			op->eset = 1;
			break;
		case 'e': op->names[op->nnames++] = optarg; break;
		case 'h': nm_usage(usage_text, NM_EXIT_OK);
		case 'J': op->out.json_time = 1; break;
		case 'L': list_fields(); break;
		case 'm':
		case 'o':
			op->out.mode = parse_mode(optarg, c == 'm');
			op->mode_set = 1;
			break;
		case 'N': op->out.nonames = 1; break;
		case 't': op->nt++; break;
		case 'u':
			/* UTC0 is POSIX for UTC, whatever zoneinfo holds */
			setenv("TZ", "UTC0", 1);
			break;
		case 'Y': op->filter = optarg; break;
		case 'G': op->geo = optarg; break;
		case 'V': op->version = 1; break;
		default: usage();
		}
	}
	if (optind < argc) {
		nm_warn("unexpected argument: %s", argv[optind]);
		usage();
	}
	if (op->version) {
		/* the database in use, and the terms its licence asks for */
		geo_version("nm-render", op->geo);
		nm_exit_stdout();
	}
	if (op->nnames > 0 && !op->mode_set)
		op->out.mode = OUT_FIELDS;
	if (op->out.mode == OUT_FIELDS && op->nnames == 0) {
		nm_warn("-o fields needs at least one -e field");
		usage();
	}
	if (op->out.mode != OUT_FIELDS && op->nnames > 0) {
		nm_warn("-e needs -o fields");
		usage();
	}
	if (op->out.mode != OUT_FIELDS && op->eset) {
		nm_warn("-E needs -o fields");
		usage();
	}
	if (op->out.json_time && op->out.mode != OUT_JSON) {
		nm_warn("--json-time needs -o json");
		usage();
	}
	if (op->nt >= (int)(sizeof(tmodes) / sizeof(tmodes[0]))) {
		nm_warn("-t: at most five (-ttttt)");
		usage();
	}
	op->out.tmode = tmodes[op->nt];
	op->out.fields = ecalloc(op->nnames + 1, sizeof(*op->out.fields));
	for (i = 0; i < op->nnames; i++) {
		op->out.fields[i] = out_field_find(op->names[i]);
		if (op->out.fields[i] == NULL)
			nm_die(NM_EXIT_USAGE,
			    "unknown field: %s (see"
			    " --list-fields)",
			    op->names[i]);
	}
	op->out.nfields = op->nnames;
	free(op->names);
	op->names = NULL;
	tzset();
}

/*
 * Arrows and other non-ASCII text only where the locale's character set
 * is UTF-8, as tcpdump does; elsewhere "10.0.0.1 > 10.0.0.2".
 */
static int
utf8_locale(void)
{
	const char *cs;

	if (setlocale(LC_CTYPE, "") == NULL)
		return 0;
	cs = nl_langinfo(CODESET);
	return cs != NULL &&
	    (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

/*
 * Colour only for people: a text mode, a terminal that is not TERM=dumb
 * (which shows escapes as they are), and no NO_COLOR.
 */
static int
want_color(const struct opts *op)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	if (op->out.mode == OUT_JSON || op->out.mode == OUT_FIELDS)
		return 0;
	if (op->color != COLOR_AUTO)
		return op->color == COLOR_ALWAYS;
	return isatty(STDOUT_FILENO) && (nc == NULL || *nc == '\0') &&
	    (term == NULL || strcmp(term, "dumb") != 0);
}

static void
flush_out(void)
{
	if (fflush(stdout) != 0)
		nm_write_failed();
}

static void
on_flush(struct stage *st)
{
	(void)st;
	flush_out();
}

static void
setup_io(void)
{
	if (setvbuf(stdout, NULL, _IOFBF, OUTBUF) != 0)
		nm_die(NM_EXIT_FAIL, "stdout: cannot set a buffer");
}

/*
 * --json-time: "time":"1700000000.123456789" after the line's last key,
 * the ts as text, which jq 1.6 and JavaScript read without rounding
 * (their numbers are doubles: ts in nanoseconds has more digits).
 */
static int
json_time(struct strbuf *b, const msgpack_object *map)
{
	static const char key[] = ",\"time\":\"";
	uint64_t ts;

	if (!rec_get_u64(map, "ts", &ts) || b->len < 2 ||
	    b->p[b->len - 2] != '}')
		return 0;
	b->len -= 2; /* the '}' and the '\n' */
	sb_adds(b, key);
	out_ns(b, ts);
	sb_adds(b, "\"}\n");
	if (b->len > REC_MAX_SIZE) {
		b->len = 0;
		return -1;
	}
	sb_str(b);
	return 0;
}

/*
 * -o json: what the passive names need of a packet, found in one pass
 * over its keys (a lookup of each would cost a scan each, per packet).
 */
struct json_pkt {
	const msgpack_object *dns, *l3;
	uint64_t ts;
	int has[2];  /* src_name, dst_name: a stream read back has them */
	int hasg[2]; /* src_geo, dst_geo: the same */
};

static void
json_pkt_scan(const msgpack_object *map, struct json_pkt *p)
{
	const msgpack_object_kv *kv = map->via.map.ptr;
	uint32_t i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < map->via.map.size; i++, kv++) {
		if (REC_KEY_IS(&kv->key, "ts"))
			(void)rec_obj_u64(&kv->val, &p->ts);
		else if (REC_KEY_IS(&kv->key, "dns"))
			p->dns = &kv->val;
		else if (REC_KEY_IS(&kv->key, "ip") ||
		    REC_KEY_IS(&kv->key, "ipv6"))
			p->l3 = &kv->val;
		else if (REC_KEY_IS(&kv->key, "src_name"))
			p->has[0] = 1;
		else if (REC_KEY_IS(&kv->key, "dst_name"))
			p->has[1] = 1;
		else if (REC_KEY_IS(&kv->key, "src_geo"))
			p->hasg[0] = 1;
		else if (REC_KEY_IS(&kv->key, "dst_geo"))
			p->hasg[1] = 1;
	}
	if (p->l3 != NULL && p->l3->type != MSGPACK_OBJECT_MAP)
		p->l3 = NULL;
}

/* A layer's source and destination, in one pass over its keys. */
static void
json_ends(const msgpack_object *l3, const msgpack_object *end[2])
{
	const msgpack_object_kv *kv = l3->via.map.ptr;
	uint32_t j;

	end[0] = end[1] = NULL;
	for (j = 0; j < l3->via.map.size; j++, kv++)
		if (REC_KEY_IS(&kv->key, "src"))
			end[0] = &kv->val;
		else if (REC_KEY_IS(&kv->key, "dst"))
			end[1] = &kv->val;
}

/* ,"key":{"country":"GB","asn":12345,...} as the flow records have it */
static void
json_geo_map(struct strbuf *b, const char *key, const struct geo_info *gi)
{
	static const struct {
		unsigned bit;
		const char *key;
	} flags[] = { { GEO_ANYCAST, "anycast" },
		{ GEO_ANON_PROXY, "anon_proxy" },
		{ GEO_SATELLITE, "satellite" } };
	char num[16];
	const char *sep = "";
	size_t i;

	sb_adds(b, ",\"");
	sb_adds(b, key);
	sb_adds(b, "\":{");
	if (gi->country[0] != '\0') {
		sb_adds(b, "\"country\":");
		json_str(b, gi->country, strlen(gi->country));
		sep = ",";
	}
	if (gi->asn != 0) {
		snprintf(num, sizeof(num), "%u", (unsigned)gi->asn);
		sb_adds(b, sep);
		sb_adds(b, "\"asn\":");
		sb_adds(b, num);
		sep = ",";
	}
	if (gi->as_name[0] != '\0') {
		sb_adds(b, sep);
		sb_adds(b, "\"as_name\":");
		json_str(b, gi->as_name, strlen(gi->as_name));
		sep = ",";
	}
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (gi->flags & flags[i].bit) {
			sb_adds(b, sep);
			sb_addc(b, '"');
			sb_adds(b, flags[i].key);
			sb_adds(b, "\":true");
			sep = ",";
		}
	sb_addc(b, '}');
}

/*
 * A packet's passive names and where its addresses are, as a flow record
 * has them ("src_name", "dst_name", "src_geo", "dst_geo"), after the
 * line's last key: names when the DNS answers seen so far in the stream
 * named its addresses, places when the database knows them.
 */
static int
json_packet_names(struct strbuf *b, const struct json_pkt *p)
{
	static const char *const keys[2] = { "src_name", "dst_name" };
	static const char *const gkeys[2] = { "src_geo", "dst_geo" };
	const msgpack_object *end[2];
	const struct geo_info *gi;
	const char *name;
	int i;

	if (p->l3 == NULL || b->len < 2 || b->p[b->len - 2] != '}')
		return 0;
	json_ends(p->l3, end);
	for (i = 0; i < 2; i++) {
		name = p->has[i] || json_names == NULL ||
			names_count(json_names) == 0
		    ? NULL
		    : names_find_obj(json_names, end[i], p->ts);
		gi = p->hasg[i] ? NULL : geo_find_obj(json_geo, end[i]);
		if (name == NULL && gi == NULL)
			continue;
		b->len -= 2; /* the '}' and the '\n' */
		if (name != NULL) {
			sb_adds(b, ",\"");
			sb_adds(b, keys[i]);
			sb_adds(b, "\":");
			json_str(b, name, strlen(name));
		}
		if (gi != NULL)
			json_geo_map(b, gkeys[i], gi);
		sb_adds(b, "}\n");
	}
	if (b->len > REC_MAX_SIZE) {
		b->len = 0;
		return -1;
	}
	sb_str(b);
	return 0;
}

static void
render_one(struct out *o, struct strbuf *b, const struct rec *rec)
{
	struct out_pkt p;
	struct json_pkt jp;
	int text = o->mode != OUT_JSON && o->mode != OUT_FIELDS;

	if (rec->type == REC_HEADER)
		out_sources(o, &rec->obj); /* the interface names */
	if (o->mode == OUT_FIELDS) {
		if (out_fields_want(o, rec->type))
			out_fields(o, b, &rec->obj, rec->type);
		return;
	}
	switch (rec->type) {
	case REC_PACKET:
	case REC_FRAME:
		if (o->mode == OUT_JSON) {
			if ((json_names != NULL || json_geo != NULL) &&
			    rec->type == REC_PACKET) {
				json_pkt_scan(&rec->obj, &jp);
				if (json_names != NULL)
					names_learn(json_names, jp.dns, jp.ts);
			}
			break;
		}
		out_scan(&rec->obj, &p);
		p.is_frame = rec->type == REC_FRAME;
		o->ruled = 0;
		out_report_count(p.ifidx);
		if (o->mode == OUT_COMPACT)
			out_compact(o, b, &p);
		else if (o->mode == OUT_MINIMAL)
			out_minimal(o, b, &p);
		else
			out_detailed(o, b, &p);
		return;
	case REC_HEADER:
		if (text) {
			out_report_header(&rec->obj);
			out_alert_header(&rec->obj);
		}
		break;
	case REC_CAPSTATS:
		if (text)
			out_report_capstats(&rec->obj);
		break;
	case REC_STATS:
		if (text) {
			out_stats(o, b, &rec->obj);
			return;
		}
		break;
	case REC_ALERT:
		if (text) {
			out_alert(o, b, &rec->obj);
			return;
		}
		break;
	case REC_END:
		if (text)
			out_alert_end(&rec->obj);
		break;
	default:
		/* flow records are for -o json and -o fields */
		break;
	}
	if (o->mode == OUT_JSON &&
	    (json_write(b, &rec->obj) == -1 ||
		((json_names != NULL || json_geo != NULL) &&
		    rec->type == REC_PACKET &&
		    json_packet_names(b, &jp) == -1) ||
		(o->json_time && json_time(b, &rec->obj) == -1))) {
		/* a line the next stage would refuse is not written */
		nm_warn("stdin: record at byte %llu not written: its JSON "
			"would be over the %d-byte line limit",
		    (unsigned long long)rec->off, REC_MAX_SIZE);
		json_refused = 1;
	}
}

static void
on_record(struct stage *st, const struct rec *rec)
{
	struct ctx *cx = st->arg;
	struct strbuf *b = &cx->line;

	b->len = 0;
	if (cx->filter != NULL && rec->type == REC_HEADER)
		filter_header(cx->filter, &rec->obj);
	if (cx->filter != NULL &&
	    !filter_keep(cx->filter, rec->type, &rec->obj))
		return;
	render_one(cx->out, b, rec);
	if (b->len > 0 && fwrite(b->p, 1, b->len, stdout) != b->len)
		nm_write_failed();
}

/* The final report for people, then stdout checked and closed. */
static void
on_finish(struct stage *st, enum stage_end why)
{
	struct ctx *cx = st->arg;
	struct out *o = cx->out;
	struct strbuf *b = &cx->line;

	(void)why;
	if (o->mode != OUT_JSON && o->mode != OUT_FIELDS) {
		b->len = 0;
		out_alert_report(o, b);
		if (b->len > 0 && fwrite(b->p, 1, b->len, stdout) != b->len)
			nm_write_failed();
		flush_out();
		out_report_print();
	}
	if (fflush(stdout) != 0 || ferror(stdout))
		nm_write_failed();
	if (fclose(stdout) != 0)
		nm_write_failed();
	free(cx->line.p);
	out_sources_free(cx->out);
}

static const struct stage_ops render_ops = {
	.name = "nm-render",
	.header = on_record, /* for the capture summary */
	.record = on_record,
	.flush = on_flush,
	.finish = on_finish,
};

/*
 * -m top: its own callbacks on the same driver; the terminal and the
 * tables are made before the sandbox, which then also lets ncurses ask
 * the terminal's size and set its modes.
 */
static int
run_top(struct opts *op)
{
	static struct stage st;
	static struct top tp;
	const char **want;

	stage_open(&st, &top_ops, &tp, 0);
	tp.st = &st;
	top_open(&tp, &op->out, op->filter);
	want = filter_keys_with(tp.filter, top_keys);
	(void)rec_reader_want(st.r, REC_PACKET, want);
	free(want);
	esandbox(NM_SANDBOX_TOP);
	/* state: sandboxed, the stream, the screen and its keys only */
	return stage_run(&st);
}

/* The mode shows where addresses are: -o fields only when a field asks. */
static int
geo_shown(const struct out *o)
{
	size_t i;

	if (o->mode != OUT_FIELDS)
		return 1;
	for (i = 0; i < o->nfields; i++)
		if (o->fields[i]->fmt == F_GEO4 || o->fields[i]->fmt == F_GEO6)
			return 1;
	return 0;
}

int
main(int argc, char **argv)
{
	static struct ctx cx;
	const char *const *keys;
	const char **want;
	struct opts op;
	int status;

	memset(&op, 0, sizeof(op));
	nm_init(argv[0]);
	setup_io();
	parse_opts(argc, argv, &op);
	op.out.color = want_color(&op);
	op.out.ascii = !utf8_locale();
	cx.out = &op.out;
	/*
	 * The stage that shows geolocation says once how to get a database
	 * when there is none (nm-stats, which only writes it, keeps quiet).
	 */
	op.out.nogeo = op.geo != NULL && strcmp(op.geo, "off") == 0;
	op.out.geo = geo_open(op.geo, geo_shown(&op.out));
	if (op.out.mode == OUT_TOP)
		return run_top(&op);
	if (op.filter != NULL)
		cx.filter = filter_compile_opt(op.filter);
	if (op.out.mode == OUT_JSON && !op.out.nonames)
		json_names = names_new(0);
	if (op.out.mode == OUT_JSON)
		json_geo = op.out.geo;
	stage_open(&cx.st, &render_ops, &cx, 0);
	if (op.out.mode == OUT_FIELDS && op.out.header) {
		out_fields_header(&op.out, &cx.line);
		if (fwrite(cx.line.p, 1, cx.line.len, stdout) != cx.line.len)
			nm_write_failed();
		cx.line.len = 0;
	}
	/* what the mode reads of a packet, and what -Y reads */
	if (op.out.mode == OUT_COMPACT || op.out.mode == OUT_MINIMAL) {
		want = filter_keys_with(cx.filter, out_text_keys);
		(void)rec_reader_want(cx.st.r, REC_PACKET, want);
		free(want);
	} else if (op.out.mode == OUT_FIELDS) {
		/* the reader keeps what it needs of them: ids, not names */
		keys = out_fields_keys(&op.out);
		want = filter_keys_with(cx.filter, keys);
		(void)rec_reader_want(cx.st.r, REC_PACKET, want);
		free(want);
		out_fields_keys_free(keys);
	}
	/* parse_opts ran tzset(): localtime_r needs no file from here on */
	esandbox(NM_SANDBOX_STAGE);
	/* state: sandboxed, stdin and stdout only */
	status = stage_run(&cx.st);
	/* a record left out of -o json is a failure, told at the time */
	if (json_refused && status == NM_EXIT_OK)
		status = NM_EXIT_FAIL;
	free(op.out.fields);
	names_free(json_names);
	geo_close(op.out.geo);
	return status;
}
