/* SPDX-License-Identifier: GPL-2.0 */
/* Options shared by `stat` and `top`, their parsing and validation. */
#ifndef PP_CLI_H
#define PP_CLI_H

#include <stdbool.h>
#include <stdnoreturn.h>
#include "args.h"
#include "collect/cgroup.h"
#include "collect/collector.h"
#include "collect/proc_sample.h"

#define EXIT_USAGE 2

enum table_view { VIEW_SCHED = 0, VIEW_IO, VIEW_NET };

struct watch_opts {
	struct target target;
	struct cg_target cg;    /* resolved -c */
	double duration_s;      /* 0: until Ctrl-C */
	double interval_s;      /* 0: one summary at the end */
	bool json;
	bool per_cgroup;        /* also (stat) print per-cgroup totals */
	bool devices;           /* (stat) per-device block IO instead of processes */
	bool connections;       /* (stat) TCP connections instead of processes */
	enum table_view view;   /* which columns the table shows */
	unsigned int rows;      /* table rows, 0 = all */
	unsigned long max_procs;
	unsigned long max_threads;
	enum attach_pref attach;
	bool bpf_stats;
	bool verbose;
	enum sample_key sort;
};

/* Print "perfpilot: <msg>" as one line and exit with EXIT_USAGE. */
noreturn void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The target options every command shares: -a, -p PID[,PID...], -c CGROUP.
 * If getopt's c is one of them, set t (exiting on a bad PID list), count it
 * in *nsel and return true.
 */
bool target_option(int c, const char *arg, struct target *t, int *nsel);

/* getopt's ':' (missing value) and '?' (unknown option): exit with one line
 * naming the option and the command's --help. */
noreturn void option_error(int c, const char *cmd, char **argv);

/*
 * Parse the options of `stat` or `top` (argv[0] is the subcommand). Prints
 * help and exits 0 on --help; exits EXIT_USAGE with one line on bad input.
 */
void watch_parse(int argc, char **argv, struct watch_opts *o, bool is_top);

/* Checks needing the host: root, PIDs alive, cgroup exists. Exits on error. */
void watch_validate(struct watch_opts *o);

/* The process a thread id belongs to (0 if unknown). */
uint32_t tgid_of(uint32_t pid);

/* Sort key from a column name ("cpu", "runq", ...); -1 if unknown. */
int sort_key_by_name(const char *name);

#endif
