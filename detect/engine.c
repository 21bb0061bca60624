/*
 * The detectors as one engine, for the stage that runs them: nm-stats,
 * by default, in its own process (one reading of each record serves both
 * the figures and the alerts: a stage of its own cost the pipeline about
 * a third more CPU, the record read once more and carried through one
 * more pipe), or nm-detect, the same engine as a stage of its own, for a
 * saved stream or a pipeline of the user's.  The engine owns the
 * parameters' registration, the stream's clock (the modules tick once a
 * second of stream time), the packet view and the end record's counts.
 */
#include <getopt.h>
#include <string.h>

#include "detect.h"
#include "nm.h"
#include "stage.h"

/* Modules run in this order on each packet. */
static const struct det_module *const modules[] = { &scan_module, &flood_module,
	&arp_module, &dns_module };
#define NMODULES (sizeof(modules) / sizeof(modules[0]))

/* The engine's own parameters (every module adds its own). */
static struct param engine_params[] = {
	{ .name = "suppress",
	    .unit = PU_SECS,
	    .def = 3600,
	    .min = 0,
	    .max = 31 * 86400,
	    .help = "one alert per kind, source and target in this span "
		    "(Zeek's notice suppression: 1 h)" },
	{ .name = "alert-keys",
	    .unit = PU_COUNT,
	    .def = 65536,
	    .min = 16,
	    .max = 16777216,
	    .help = "suppression keys held at most" },
	{ .name = "ignore",
	    .unit = PU_LIST,
	    .help = "CIDR[#port]: an actor never alerted on",
	    .add = ignore_add },
	{ .name = NULL },
};

static uint64_t now;	   /* the stream's latest time */
static uint64_t next_tick; /* the modules' next tick, stream time */
static int nset;
static const char **set_names;
static const char **set_values;

void
det_register(void)
{
	size_t i;

	param_register(engine_params);
	for (i = 0; i < NMODULES; i++)
		param_register(modules[i]->params);
}

struct option *
det_options(const struct option *fixed, size_t nfixed, int argc)
{
	struct option *o;
	struct param **all;
	size_t i, n;

	all = param_all(&n);
	o = ecalloc(nfixed + n + 1, sizeof(*o));
	memcpy(o, fixed, nfixed * sizeof(*o));
	for (i = 0; i < n; i++) {
		o[nfixed + i].name = all[i]->name;
		o[nfixed + i].has_arg = required_argument;
		o[nfixed + i].val = DET_OPT + (int)i;
	}
	set_names = ecalloc((size_t)argc + 1, sizeof(*set_names));
	set_values = ecalloc((size_t)argc + 1, sizeof(*set_values));
	return o;
}

int
det_option(int ch, char *arg)
{
	struct param **all;
	size_t n;

	all = param_all(&n);
	if (ch < DET_OPT || (size_t)(ch - DET_OPT) >= n)
		return 0;
	set_names[nset] = all[ch - DET_OPT]->name;
	set_values[nset++] = arg;
	return 1;
}

void
det_settings(const char *config, int show)
{
	param_setup(config, nset, set_names, set_values);
	if (show)
		param_show();
}

void
det_start(struct stage *st)
{
	size_t i;

	alert_init(st, param("suppress"), (size_t)param("alert-keys"));
	for (i = 0; i < NMODULES; i++)
		if (modules[i]->init != NULL)
			modules[i]->init();
}

void
det_clock(uint64_t ts)
{
	size_t i;

	if (ts <= now)
		return;
	now = ts;
	if (ts < next_tick)
		return;
	for (i = 0; i < NMODULES; i++)
		if (modules[i]->tick != NULL)
			modules[i]->tick(ts);
	next_tick = ts + DT_NS;
}

void
det_packet(const msgpack_object *rec)
{
	struct dpkt p;
	size_t i;

	dpkt_read(rec, &p);
	/*
	 * The detectors' clock never goes back: a packet without a time,
	 * or earlier than one already seen (sources merged, a stack that
	 * stamps out of order), counts at the latest time seen, so no
	 * window or span can come out negative.
	 */
	det_clock(p.ts);
	if (p.ts < now)
		p.ts = now;
	for (i = 0; i < NMODULES; i++)
		modules[i]->packet(&p);
}

void
det_finish(void)
{
	size_t i;

	for (i = 0; i < NMODULES; i++)
		if (modules[i]->finish != NULL)
			modules[i]->finish(now);
}

void
det_end_keys(struct pk *pk)
{
	const struct alert_counts *c = alert_counts();

	pk_cstr(pk, "detect");
	pk_map_open(pk);
	pk_ku(pk, "alerts", c->alerts);
	pk_ku(pk, "suppressed", c->suppressed);
	pk_ku(pk, "evicted", c->evicted);
	pk_close(pk);
}

int
det_upstream(const msgpack_object *hdr)
{
	return rec_header_has_stage(hdr, "nm-detect");
}
