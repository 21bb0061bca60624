/*
 * nm-monitor's shared declarations: the settings the command line or the
 * questions produce, the stages of the pipeline built from them, and the
 * user the unprivileged stages run as.  One file per role: opts.c reads
 * the command line, ask.c asks the questions, bpf.c asks nm-capture
 * whether a filter compiles, stages.c turns settings into argument
 * vectors, detect.c hands the detectors their settings and checks them, priv.c
 * picks and becomes the target user, run.c starts, watches and stops the
 * pipeline.
 */
#ifndef MON_H
#define MON_H

#include <sys/types.h>

#include "nm.h"

/*
 * One pipeline: capture, pcap, decode, stats, web, render.  With
 * --workers N, N of capture, decode and stats, then the merger, web and
 * render.
 */
#define MON_WORKERS_MAX 64
#define MON_NSTAGES	(3 * MON_WORKERS_MAX + 3)

/* nm-capture's ranges for -s and -B (capture/cap.h, capture/opts.c). */
#define MON_SNAPLEN_MAX 262144
#define MON_BUFKIB_MAX	1048576

/* What the user asked for, from options or from the questions. */
struct mon_opts {
	const char **iface; /* -i, each a source, in order; none with -r */
	int niface;
	const char *file;     /* -r */
	char *filter;	      /* BPF text, NULL or "" for none */
	const char *preset;   /* the preset's (or saved filter's) name */
	const char *yexpr;    /* -Y as given (or a saved filter's name) */
	char *display;	      /* -Y for nm-decode, names expanded */
	const char *mode;     /* compact, detailed, minimal, top */
	const char *color;    /* --color=WHEN, or NULL */
	const char *user;     /* -Z, or NULL */
	const char *interval; /* -I, checked */
	const char *top;      /* -n, checked */
	const char *count;    /* -c, checked */
	const char *snaplen;  /* -s, checked */
	const char *bufkib;   /* -B, checked */
	const char *ffile;    /* -F: nm-capture reads it */
	const char *services; /* --services, for nm-decode and nm-stats */
	const char *wfile;    /* -w: nm-pcap's capture file, or NULL */
	const char *web;      /* --web: nm-web's [ADDR:]PORT, or NULL */
	const char *geo;      /* --geo FILE|auto|off, for nm-stats, nm-render */
	const char **field;   /* -e, nm-render checks the names */
	int nfields;
	int fields;	/* -o fields */
	int tflag;	/* -t given this many times */
	int utc;	/* -u */
	int fword;	/* -f: one word that is no preset */
	int json;	/* --json */
	int realtime;	/* --realtime */
	int nopromisc;	/* -p */
	int nonames;	/* -N: nm-render shows no names */
	int dry_run;	/* --dry-run */
	int asked;	/* answers, not options */
	int workers;	/* --workers: capture pipelines, 1 by default */
	int mode_given; /* -m or -o a mode: not the default */

	/* the detectors': --ignore, --detect-opt as --NAME VALUE, in order */
	const char **detect_arg;
	int ndetect_arg;
	const char *detect_conf; /* --detect-config */
	int nodetect;		 /* --no-detect */
};

/* One program of the pipeline: its path and the arguments it gets. */
struct mon_stage {
	const char *name;  /* nm-capture, ... */
	char *path;	   /* where it was found */
	const char **argv; /* NULL-terminated */
	int argc, cap;
	int privileged; /* keeps our privilege */
	int fd3;	/* open as its fd 3 (the detectors' settings), or -1 */
	int to;		/* the stage it writes to, -1: our standard output */
	int tofd;	/* ...as that one's fd 0, or the merger's 3 + worker */
	int in;		/* starting: the read end that becomes its stdin */
	int worker;	/* 1 to N of --workers N, 0 outside the workers */
	pid_t pid;
	int status; /* exit, 128+sig; -1 running */
};

struct mon_pipeline {
	struct mon_stage stage[MON_NSTAGES];
	int n;
	struct mon_stage
	    *detect;	 /* nm-stats', running the detectors, or NULL */
	int detect_carg; /* its argv's --detect-config value, or 0: none */
	int nworkers;	 /* --workers N: N capture pipelines, 0 for one */
	int merge;	 /* the merger, nm-stats --merge, or -1 */
	int mergefd[MON_WORKERS_MAX]; /* starting: its inputs' read ends */
	int group;		      /* the workers' fanout group */
};

/* The account the unprivileged stages (and nm-monitor itself) become. */
struct mon_user {
	int change; /* started as root: switch to it */
	uid_t uid;
	gid_t gid;
	char *name; /* for nm-capture -Z */
	char *home; /* sudo's caller's, for its saved filters */
	/* sudo's caller, who the detectors' settings are read as */
	int caller;
	uid_t cuid;
	gid_t cgid;
	char *cname;
};

/* The tables: each ends with a NULL name, and its first is the default. */
struct mon_preset {
	const char *name;    /* -f name, also the answer */
	const char *label;   /* as the question shows it */
	const char *bpf;     /* NULL: no filter */
	const char *aliases; /* other names, space-separated */
};

struct mon_mode {
	const char *name; /* nm-render -m name */
	const char *what; /* as the question shows it */
};

extern const struct mon_preset mon_presets[];
extern const struct mon_mode mon_modes[];

/* A number as a word: nm-stats' default interval in the pipeline. */
#define MON_STR(x)  MON_STR_(x)
#define MON_STR_(x) #x

/* opts.c */
void mon_opts_parse(struct mon_opts *, int, char **);
const struct mon_preset *mon_preset_find(const char *);
int mon_mode_valid(const char *);
void mon_filter_word_check(
    const struct mon_opts *, const char *, const struct mon_user *);

/*
 * bpf.c: NULL if the expression compiles for the link type of each of
 * the n interfaces (none: a file's), or it cannot be told; else
 * nm-capture's message, to free.
 */
char *mon_bpf_error(const char *, const struct mon_user *, const char *const *,
    int, const char *);

/* ask.c */
void mon_ask(struct mon_opts *, const char *, const struct mon_user *);
void mon_announce(const struct mon_opts *, const struct mon_pipeline *);

/*
 * stages.c.  mon_stage_dir: where the stages are, nm-monitor's own
 * directory (or make's BINDIR when /proc cannot say); never PATH.
 */
const char *mon_stage_dir(void);
char *mon_find(const char *);
void mon_pipeline_build(
    struct mon_pipeline *, const struct mon_opts *, const struct mon_user *);
void mon_pipeline_print(const struct mon_pipeline *);
/* One more argument to a stage; the vector stays NULL-terminated. */
void mon_arg(struct mon_stage *, const char *);
void mon_pipeline_free(struct mon_pipeline *);
/*
 * --workers: after mon_detect_prepare, the first worker's nm-stats
 * settings (its fd 3, its --detect-config) are every worker's.
 */
void mon_workers_sync(struct mon_pipeline *);

/*
 * group.c: the fanout group of this run's workers, from our pid; with
 * lock, the first from there that no other run holds.
 */
int mon_fanout_group(int lock);

/*
 * detect.c.  mon_detect_args: nm-detect's arguments from the options.
 * mon_detect_prepare: before the pipeline starts, hands nm-detect the
 * settings files (run as root: read as the caller, on its fd 3) and runs
 * it once to check them; a bad one ends nm-monitor with its status.
 */
void mon_detect_args(
    struct mon_pipeline *, struct mon_stage *, const struct mon_opts *);
void mon_detect_prepare(struct mon_pipeline *, const struct mon_user *);
void mon_detect_free(const struct mon_opts *);

/* priv.c */
void mon_user_resolve(struct mon_user *, const char *);
void mon_user_become(const struct mon_user *);

/* run.c */
int mon_run(struct mon_pipeline *, const struct mon_user *);
/* fd becomes target, open across exec (dup2 leaves equal fds alone). */
void mon_move_fd(int fd, int target);
/* Runs path as user u (NULL: as we are), wherever path is; no return. */
void mon_exec_program(const char *path, char *const *argv,
    const struct mon_user *u) __attribute__((noreturn));

/* saved.c: saved filters (nm-filters(5)) */
struct savedf;
/*
 * After the user is known: a -f word that names a saved filter, and -Y
 * (checked, names expanded).  Bad ones end the program with status 2.
 */
void mon_saved_setup(struct mon_opts *o, const struct mon_user *u);
/* Takes the saved filter sf: as -f if BPF, as -Y if decoded fields. */
void mon_saved_use(struct mon_opts *o, const struct savedf *sf);
/* Lists the saved filters numbered from first; returns how many. */
size_t mon_saved_list(size_t first);
/* The answer a (its number k) as a saved filter, or NULL. */
const struct savedf *mon_saved_pick(const char *a, size_t k, size_t first);

#endif
