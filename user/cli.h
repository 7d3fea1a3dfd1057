/* SPDX-License-Identifier: GPL-2.0 */
/* The command line the commands share: usage errors, the target options,
 * the options of `stat` and `top`, their parsing and validation. */
#ifndef PP_CLI_H
#define PP_CLI_H

#include <stdbool.h>
#include <stdnoreturn.h>
#include "args.h"
#include "collect/proc_sample.h"
#include "collect/watch.h"

#define EXIT_USAGE 2

enum table_view { VIEW_SCHED = 0, VIEW_IO, VIEW_NET };

/* The options of `stat` and `top`: what to watch, and how to show it. */
struct stat_opts {
	struct watch_opts w;    /* target, duration, interval, collector settings */
	bool json;
	bool per_cgroup;        /* also (stat) print per-cgroup totals */
	bool devices;           /* (stat) per-device block IO instead of processes */
	bool connections;       /* (stat) TCP connections instead of processes */
	enum table_view view;   /* which columns the table shows */
	unsigned int rows;      /* table rows, 0 = all */
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
 * The operand of a command that reads a recording FILE or watches the host
 * --live (report, capacity): FILE from argv[optind] into *path, then the
 * checks both share, exiting with one line on bad usage. nsel counts the
 * target options given and timing whether -d or -i was; targets lists the
 * command's target options ("-a, -p, -c") and choice the same as a choice
 * ("-a, -p and -c").
 */
void file_or_live(const char *cmd, int argc, char **argv, const char **path, bool live,
		  int nsel, bool timing, const char *targets, const char *choice);

/*
 * --live's timing options of those commands: if getopt's c is -d or -i,
 * set w->duration_s (at least min_duration_s) or w->interval_s (at least
 * 0.1 s), exiting with one line on a bad value, set *timing and return
 * true.
 */
bool live_timing_option(int c, const char *arg, struct watch_opts *w, double min_duration_s,
			bool *timing);

/*
 * Parse the options of `stat` or `top` (argv[0] is the subcommand). Prints
 * help and exits 0 on --help; exits EXIT_USAGE with one line on bad input.
 */
void watch_parse(int argc, char **argv, struct stat_opts *o, bool is_top);

/* Checks needing the host: root, PIDs alive, cgroups exist (the first
 * resolved into o->cg, each into o->target.cg). Exits on error. Every
 * command that watches calls it before watch_start. */
void watch_validate(struct watch_opts *o);
/* 1: this process is in the host's (the initial) pid namespace, 0: in
 * another, -1: cannot tell */
int in_host_pidns(void);

/* Resolve the -c cgroups of o->target (the first into o->cg too; the same
 * one twice counts once): 0, or -1 with one line in err when one is
 * missing, they are of different hierarchies, or at more than
 * PP_MAX_CGROUP_LEVELS depths. */
int watch_resolve_cgroups(struct watch_opts *o, char *err, size_t errlen);

/* The process a thread id belongs to (0 if unknown). */
uint32_t tgid_of(uint32_t pid);

/* --sched-source, one spelling for stat, top and record: its help lines. */
#define SCHED_SOURCE_HELP \
	"      --sched-source SRC where scheduler statistics come from: iterator (default:\n" \
	"                         a BPF task iterator once per interval, or each second\n" \
	"                         without -i; no program per context switch; on-CPU\n" \
	"                         time, waits, switches exact, a thread's run-queue\n" \
	"                         waits between two runs go into the histogram and max\n" \
	"                         at their mean) or switch\n" \
	"                         (programs on every context switch: each wait exact, for\n" \
	"                         some 2-4 %% on a switch-heavy workload)\n"

/* The value of --sched-source into w->sched_source; exits with one line on a
 * bad value. */
void sched_source_option(const char *arg, struct watch_opts *w);

/* Sort key from a column name ("cpu", "runq", ...); -1 if unknown. */
int sort_key_by_name(const char *name);

#endif
