/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's analysis: a thread that, every `every` seconds, loads the
 * last `window` of the store (while the recording writes it), analyses it
 * as `perfpilot report` does and keeps the result: the JSON of
 * report --json, and the findings as the store keeps them.
 */
#ifndef PP_DAEMON_ANALYSE_H
#define PP_DAEMON_ANALYSE_H

#include <jansson.h>
#include <stddef.h>
#include "store/store_findings.h"

/* The most points of each series an analysis loads: a longer window is
 * read in merged steps (store_load_points), so that its memory does not
 * grow with the recording's interval. 240: 15-s steps over the default
 * hour (a common scrape interval); at 720 (the default 5-s intervals) an
 * hour of a busy host's churn (581 groups of short-lived processes, each
 * series as long as its group's span) took the daemon's peak from ~19 to
 * 54 MB, at 240 to 34-40 MB (27-28 with the limits on processes and on
 * groups' metrics below and in analyse.c). The price: peaks in the
 * findings are 15-s averages, and a level shift in the last minutes is
 * found a few minutes later; `perfpilot report` reads the store at full
 * resolution. */
#define ANALYSE_MAX_POINTS 240

/* The most processes an analysis keeps on their own (store_load_window):
 * beyond it, the shortest-lived that are in no resource's top 16 are
 * folded into the groups of their command, parent and cgroup, as
 * `perfpilot report` does beyond STORE_LOAD_MAX_PROCS. An hour of a busy
 * host's churn (3,151 processes) is otherwise ~33,000 series in memory. */
#define ANALYSE_MAX_PROCS 1000

/* One analysis, for the caller's hook: it may keep what it takes (the
 * fields it sets to NULL) and the rest is freed after. */
struct analysis {
	double analysed, since, until;  /* when, and the window (unix s) */
	json_t *report;                 /* {"meta": ..., "findings": [...]} */
	struct stored_findings rows;    /* the findings as the store keeps them */
	json_t *capacity;               /* the rows of capacity --json over the
					 * window, or NULL */
	double seconds;                 /* how long it took */
};

typedef void (*analysis_hook)(void *arg, struct analysis *a);

struct analyser;

/* Start the thread: the first analysis after first_s, then every every_s.
 * NULL with a reason in err. */
struct analyser *analyser_start(const char *store_path, double every_s, double window_s,
				double first_s, analysis_hook hook, void *arg, char *err,
				size_t errlen);

/* New settings (a reload): they apply from the next analysis on. */
void analyser_set(struct analyser *a, double every_s, double window_s);

/* The JSON of the last analysis (malloc'd, compact), or NULL when none
 * has run yet; *when is when it ran. */
char *analyser_json(struct analyser *a, size_t *len, double *when);

/* Stop the thread (waits for an analysis in progress). */
void analyser_stop(struct analyser *a);

#endif
