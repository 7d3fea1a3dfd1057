/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Comparing two recordings: every metric of every entity present in both
 * (the host, processes matched by command name, cgroups by path, disks by
 * name), its change and whether the change is significant.
 */
#ifndef PP_COMPARE_H
#define PP_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include "store/recording.h"

#define COMPARE_ALPHA 0.05

enum direction { DIR_NEUTRAL = 0, DIR_UP_WORSE, DIR_DOWN_WORSE };

struct metric_change {
	char kind;            /* enum ent_kind */
	char entity[256];     /* "host", the comm, the cgroup path, the disk */
	char metric[48];
	bool rate;            /* a counter compared per second (else a gauge) */
	double base, cur;     /* means (per second for counters) */
	double change_pct;    /* NAN when base is 0 */
	double p;             /* Mann-Whitney two-sided p */
	size_t nbase, ncur;   /* samples */
	bool significant;     /* p < COMPARE_ALPHA */
	bool changed;         /* significant and |change| >= threshold (or from 0) */
	bool regression;      /* changed for the worse */
};

/* Names present in only one of the recordings. */
struct name_list {
	char (*name)[16];
	size_t n;
};

struct comparison {
	struct metric_change *m;
	size_t n, cap;
	double threshold_pct;
	struct name_list only_base, only_cur; /* process names */
};

/* Compare; -1 on no memory. */
int compare_recordings(const struct recording *base, const struct recording *cur,
		       double threshold_pct, struct comparison *out);

void comparison_free(struct comparison *c);

/* Is a higher value of metric worse, a lower one, or neither? */
enum direction metric_direction(const char *metric);

#endif
