/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Rollups (docs/store.md): as intervals age, they are merged into longer
 * steps, so that a long store keeps its whole span within its size budget.
 * With the defaults, the intervals of the last 6 hours stay as recorded,
 * older ones become 10 s steps, and those older than a day 1 min steps:
 * a week of a host of 200 processes at 1 s fits in 512 MiB.
 *
 * A merged step is an interval row like the others (its ts_ms the end of
 * its last recorded interval, length_ms the time they cover, step_ms and
 * merged what it holds) whose samples keep the store's semantics: counters
 * summed, percentiles and maxima the largest, gauges the last value; what
 * merging loses (the busiest recorded interval, a gauge's low and mean)
 * goes to sample_stat. store_load, report and diff read a rolled-up store
 * as any other.
 */
#ifndef PP_ROLLUP_H
#define PP_ROLLUP_H

#include <stdbool.h>
#include <stddef.h>
#include "store/store.h"

#define ROLLUP_TIERS 2

/* The defaults: ages (before the newest interval) and steps of the tiers. */
#define ROLLUP_AGE1_S (6 * 3600.0)
#define ROLLUP_AGE2_S 86400.0
#define ROLLUP_STEP1_S 10.0
#define ROLLUP_STEP2_S 60.0

struct rollup_policy {
	int ntiers;                  /* 0: no rollups */
	double age_s[ROLLUP_TIERS];  /* intervals that ended longer ago than this... */
	double step_s[ROLLUP_TIERS]; /* ...are merged into steps of this length */
};

/* The defaults: 10 s steps after 6 hours, 1 min steps after a day. */
void rollup_policy_default(struct rollup_policy *p);

/* The default steps after these ages (0 < age1 < age2); -1 with a
 * one-line reason otherwise. */
int rollup_policy_ages(struct rollup_policy *p, double age1_s, double age2_s, char *err,
		       size_t errlen);

/*
 * The step of tier `tier` for a recording of interval_s: a multiple of the
 * interval (and of the tier before), never shorter than it; the policy's
 * step rounded to the nearest such multiple (1 s intervals: 10 s and 60 s;
 * 5 s: 10 s and 60 s; 7 s: 7 s, which merges nothing, and 63 s).
 */
double rollup_step(const struct rollup_policy *p, int tier, double interval_s);

struct rollup_stats {
	unsigned long steps;        /* merged rows written */
	unsigned long intervals;    /* interval rows merged into them */
	unsigned long samples_in;   /* samples read from those rows */
	unsigned long samples_out;  /* samples written */
	unsigned long stats_out;    /* sample_stat rows written */
	bool more;                  /* stopped at the budget with more to do */
	double took_s;              /* seconds the call took */
};

/*
 * Merge what the policy says is due, intervals older than its ages before
 * `now` (unix seconds: record passes the end of the newest interval), the
 * oldest first, in transactions of its own (not inside an interval's). At
 * least one step per call, then more until budget_s seconds have passed
 * (a step takes milliseconds), so that a recorder calling it now and then
 * is never held up for long; call again while out->more. A second call
 * with nothing due changes nothing. 0, or -1 (store_error says why; what
 * was committed before stays).
 */
int store_rollup(struct store *st, const struct rollup_policy *p, double now, double budget_s,
		 struct rollup_stats *out);

#endif
