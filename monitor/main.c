/*
 * nm-monitor: the one-command front of nm.  With no arguments it asks
 * the old tool's questions (interface, filter, display mode, a file to
 * write); with options it asks nothing.  It then runs nm-capture |
 * nm-decode | nm-detect | nm-stats | nm-render connected by pipes,
 * nm-capture alone with the privilege it was started with, and exits with
 * the status of the stage that failed, or 0.  --dry-run prints that
 * pipeline instead, for a user to learn from and change.  See
 * nm-monitor(1).
 */
#include <stdlib.h>
#include <unistd.h>

#include "mon.h"

int
main(int argc, char **argv)
{
	struct mon_opts opts;
	struct mon_user user;
	struct mon_pipeline pl;
	char *capture;
	int status;

	nm_init(argv[0]);
	mon_opts_parse(&opts, argc, argv);
	mon_user_resolve(&user, opts.user);
	mon_saved_setup(&opts, &user);
	if (argc == 1 || opts.fword) {
		if ((capture = mon_find("nm-capture")) == NULL)
			nm_die(NM_EXIT_FAIL,
			    "nm-capture: not found in %s "
			    "(the stages are nm-monitor's neighbours)",
			    mon_stage_dir());
		if (argc == 1)
			mon_ask(&opts, capture, &user);
		else
			mon_filter_word_check(&opts, capture, &user);
		free(capture);
	}
	mon_pipeline_build(&pl, &opts, &user);
	if (opts.dry_run) {
		mon_pipeline_print(&pl);
		status = NM_EXIT_OK;
	} else {
		/* a bad setting of nm-detect's ends it here, nothing captured
		 */
		mon_detect_prepare(&pl, &user);
		mon_workers_sync(&pl);
		/* Live, or asked: say what starts and how to stop it. */
		if (opts.asked || (opts.file == NULL && isatty(STDERR_FILENO)))
			mon_announce(&opts, &pl);
		status = mon_run(&pl, &user);
	}
	mon_pipeline_free(&pl);
	mon_detect_free(&opts);
	free(opts.filter);
	free(opts.display);
	free(opts.field);
	free(opts.iface);
	free(user.name);
	free(user.home);
	free(user.cname);
	return status;
}
