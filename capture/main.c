/*
 * nm-capture: reads frames from a live interface or a capture file with
 * libpcap, filters them with BPF, and writes them as records for the rest
 * of the pipeline.  It is the only program of the suite that may start
 * with privilege, and it holds it only until its source is open and the
 * filter set; it never parses what it captures.  See nm-capture(1).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nm.h"
#include "cap.h"
#include "sandbox.h"

/* Output is not done until flushed and closed (-D writes with stdio). */
static int
cap_stdout_close(void)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		if (errno == EPIPE)
			return NM_EXIT_OK;
		nm_die(NM_EXIT_FAIL, "stdout: %s", strerror(errno));
	}
	return NM_EXIT_OK;
}

int
main(int argc, char **argv)
{
	struct cap_opts opts;
	struct cap_priv priv;
	static struct cap_set set;
	const struct savedf *saved = NULL;
	struct rec_writer *w;
	int status;

	nm_init(argv[0]);
	cap_opts_parse(&opts, argc, argv);
	if (opts.list) {
		if (opts.netns != NULL)
			cap_list_netns(opts.netns);
		else {
			status = 0;
			cap_list_interfaces("", &status);
		}
		return cap_stdout_close();
	}
	/* Binary records on a terminal are never what anyone wants. */
	if (isatty(STDOUT_FILENO) && !opts.force)
		nm_die(NM_EXIT_USAGE,
		    "refusing to write binary records to a "
		    "terminal: pipe them on, e.g. | nm-decode | nm-render "
		    "(or use --force)");

	/* state: privileged */
	cap_priv_resolve(&priv, opts.user);
	if (opts.ffile != NULL)
		opts.filter = cap_filter_file(opts.ffile, &priv);
	else
		opts.filter = cap_filter_saved(opts.filter, &priv, &saved);
	cap_expand_files(&opts, &priv);
	cap_open(&set, &opts, &priv);
	cap_filter(&set, opts.filter, opts.ffile, saved);
	/* every handle open: no namespace to enter any more */
	cap_priv_drop(&priv);
	if ((w = rec_writer_open(STDOUT_FILENO)) == NULL)
		nm_die(NM_EXIT_FAIL, "stdout: %s", strerror(errno));
	for (status = 0; status < set.n; status++)
		nm_sandbox_netlink(set.v[status].nlfd);
	esandbox(NM_SANDBOX_CAPTURE);

	/* state: unprivileged, sandboxed, sources open */
	status = cap_run(&set, &opts, w);
	free(opts.filter);
	free((void *)(uintptr_t)opts.ifaces);
	free((void *)(uintptr_t)opts.files);
	return status;
}
