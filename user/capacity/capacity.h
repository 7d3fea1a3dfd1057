/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Capacity planning (perfpilot capacity, docs/capacity.md): for the host
 * and each cgroup of a recording, per resource, what is used now, its peak
 * and p95, how fast it grows (with the slope's confidence interval), the
 * limit that applies, when the trend reaches it, and a recommended limit,
 * each with the evidence behind it.
 *
 * Resources: CPU (cores: on-CPU time per second), memory (bytes: the
 * cgroup's usage, the host's total minus available) and, per disk, the
 * share of time it was busy (io_ticks: 1.0 is a saturated device).
 */
#ifndef PP_CAPACITY_H
#define PP_CAPACITY_H

#include <stdbool.h>
#include <stddef.h>
#include "store/recording.h"

enum cap_scope { CAP_HOST, CAP_CGROUP, CAP_DISK };
enum cap_resource { CAP_CPU, CAP_MEMORY, CAP_DISK_BUSY };

/* The defaults of the recommendation (VPA-like: a high percentile of CPU
 * demand and the peak of memory, each with a safety margin). */
#define CAP_CPU_PERCENTILE 0.99
#define CAP_HEADROOM 0.15

struct cap_opts {
	double cpu_percentile;  /* of per-interval CPU demand, 0..1 */
	double headroom;        /* added share, 0.15 = 15 % */
	double horizon_s;       /* the recommendation also covers the trend's
				 * growth over this long (0: what was seen) */
};

void cap_opts_default(struct cap_opts *o);

/* The trend of a series towards a limit (cap_trend). */
struct cap_trend {
	bool fitted;            /* a line could be fitted (enough samples) */
	double rate;            /* growth per second (Theil-Sen), NAN unfitted */
	double rate_lo, rate_hi;/* its confidence interval (TREND_ALPHA) */
	bool significant;       /* Mann-Kendall at TREND_ALPHA */
	double r2;
	double exhaustion_s;    /* time from the last sample to the limit at
				 * the trend; NAN: not growing towards it (why) */
	double exh_lo, exh_hi;  /* from the slope's interval (hi may be INFINITY) */
	const char *why;        /* when exhaustion_s is NAN: the reason */
};

/* Longer series are fitted on the means of runs of consecutive samples, at
 * most this many: the trend of a day at 1 s costs what 10 minutes cost
 * (the daemon fits every cgroup's each analysis). */
#define CAP_TREND_MAX_POINTS 600

/*
 * The trend of t[], v[] (t in seconds, increasing) and when it reaches
 * limit (NAN or INFINITY: none). Exhaustion only for a significant upward
 * trend that the line fits (analysis/forecast.h); 0 when the last value is
 * already at or above the limit. The time counts from t[n - 1], the line's
 * level there. Never fails: an unusable series gives fitted = false and a
 * reason.
 */
void cap_trend(const double *t, const double *v, size_t n, double limit, struct cap_trend *out);

/*
 * Recommended limits. CPU: the cpu_percentile of demand, plus the trend's
 * growth over the horizon (when significant and upward), times 1 +
 * headroom, rounded up to 0.01 core. Memory: the peak plus that growth,
 * times 1 + headroom, rounded up to a MiB. NAN when there is no demand
 * figure (n = 0, non-finite peak).
 */
double cap_recommend_cpu(const double *demand, size_t n, const struct cap_trend *tr,
			 const struct cap_opts *o);
double cap_recommend_memory(double peak, const struct cap_trend *tr, const struct cap_opts *o);

/* One row: a resource of one scope. */
struct cap_row {
	enum cap_scope scope;
	const char *name;       /* "host", the cgroup's path, the disk (the
				 * recording's strings, or the table's) */
	enum cap_resource resource;
	double used, peak, p95; /* now (the last interval), the highest, p95 */
	double limit;           /* NAN: none known */
	char limit_src[200];     /* where the limit comes from */
	struct cap_trend tr;
	double recommended;     /* NAN: none */
	size_t n;               /* samples */
	double since, until;    /* their first and last time (unix s) */
	char evidence[600];     /* the metric, the window, how each figure came */
	/* the recording's series the values come from (cap_row_value) */
	const struct series *src;
	double per, base;       /* counters: the interval in the metric's unit
				 * (a value over the time since the previous
				 * sample when that is known); gauges: 0, and
				 * base - value when base > 0 */
	double interval_s;
};

/* The row's i-th value (i < src->n) in its unit, as the figures used it. */
double cap_row_value(const struct cap_row *row, size_t i);

struct cap_table {
	struct cap_row *r;
	size_t n, cap;
	double since, until;
	double horizon_s;
};

/* A limit read from the host for a cgroup (cmd capacity --live): applies
 * over what the recording holds. NAN fields: not known. */
struct cap_limit {
	const char *path;
	double cpu_cores;
	char cpu_src[200];
	double mem_bytes;
	char mem_src[200];
};

/*
 * The rows of a recording: the host's CPU and memory, each cgroup's CPU and
 * memory, each disk's busy share. A cgroup's CPU limit is the quota the
 * store recorded (cg.cpu_limit_cores), else the host's CPUs (a store from
 * before quotas were recorded: the row's limit_src says so). limits
 * (nlimits of them, may be NULL) are read from the host (--live) and take
 * precedence: a CPU quota, a memory limit smaller than the recorded one.
 * 0, or -1 on no memory.
 */
int capacity_analyze(const struct recording *r, const struct cap_opts *o,
		     const struct cap_limit *limits, size_t nlimits, struct cap_table *out);

void cap_table_free(struct cap_table *t);

const char *cap_scope_name(enum cap_scope s);
const char *cap_resource_name(enum cap_resource r);
/* The resource's unit: "cores", "bytes", "ratio" */
const char *cap_resource_unit(enum cap_resource r);

#endif
