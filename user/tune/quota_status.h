/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How the CPU quotas perfpilot changed are doing now (tune --status): per
 * cgroup whose quota has a change still in place (an open journal entry),
 * the two numbers that say whether the limit is right:
 *
 *   slack      (quota - usage) / quota, usage over a short sample (its CPU
 *              usage counter, else its threads' schedstat run time): near 0
 *              the limit is tight, near 1 it is mostly unused;
 *   throttled  seconds of cpu.stat's throttled time since perfpilot's first
 *              change still in place, from the total that change recorded
 *              (scaling changes record it as their metric
 *              cpu.throttled_seconds; NAN for older ones).
 *
 * Read through hostfs (a fixture tree in the tests); a cgroup that is gone
 * or replaced (another inode) is listed as gone, without numbers.
 */
#ifndef PP_TUNE_QUOTA_STATUS_H
#define PP_TUNE_QUOTA_STATUS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include "tune/hostfs.h"
#include "tune/journal.h"

#define QUOTA_STATUS_MAX 64

struct quota_status {
	char cgroup[PATH_MAX];
	char tunable[128];
	bool gone;           /* the cgroup is gone or is another one now */
	double quota;        /* CPUs now; INFINITY unlimited */
	double usage;        /* CPUs over the sample; NAN unknown */
	double slack;        /* (quota - usage) / quota; NAN unknown or unlimited */
	double throttled_s;  /* since `since`; NAN unknown */
	double since;        /* unix seconds of the first change in place */
	size_t changes;      /* changes in place (open entries) */
};

/*
 * The quota files (cpu.max, cpu.cfs_quota_us) with open entries in j, one
 * row each into out (at most max): read, wait sample_s with sleep(arg, s)
 * (clock(arg) gives the seconds that passed), read again. How many rows.
 */
size_t quota_status_read(const struct hostfs *h, const struct journal *j, double sample_s,
			 double (*clock)(void *arg), void (*sleep)(void *arg, double s), void *arg,
			 struct quota_status *out, size_t max);

#endif
