/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What /metrics shows (docs/daemon.md lists every metric): counters that
 * add up the intervals the daemon records (per process for the top N by
 * CPU, per cgroup, the host, each disk), gauges of the last interval, the
 * current findings, the tuner's changes and perfpilot's own cost, written
 * with prom.h. The recording thread adds to it, the analysis sets the
 * findings, HTTP threads render it: every call takes its lock.
 *
 * Bounded: at most METRICS_MAX_PROCS processes, METRICS_MAX_CGROUPS
 * cgroups and METRICS_MAX_DISKS disks are kept; an exited process's
 * series stays METRICS_EXITED_KEEP_S after its exit, anything not seen for
 * METRICS_IDLE_S is forgotten, and when a table is full the entry with the
 * least recent CPU goes (counted in perfpilot_events_dropped_total).
 */
#ifndef PP_DAEMON_METRICS_H
#define PP_DAEMON_METRICS_H

#include <jansson.h>
#include <stddef.h>
#include "daemon/alerts.h"
#include "daemon/http.h"
#include "daemon/prom.h"
#include "record/write.h"

#define METRICS_MAX_PROCS 2048
#define METRICS_MAX_CGROUPS 512
#define METRICS_MAX_DISKS 64
#define METRICS_MAX_NAMED 128
#define METRICS_MAX_CAPACITY (2 * METRICS_MAX_CGROUPS + METRICS_MAX_DISKS + 2)      /* BPF programs, drop counters, findings, tunables */
#define METRICS_EXITED_KEEP_S 120
#define METRICS_IDLE_S 3600
#define METRICS_SCORE_TAU_S 60     /* the top N rank by CPU over about this long */

struct metrics;

struct metrics *metrics_new(unsigned int top_processes);
void metrics_free(struct metrics *m);

/* How many processes get series (the top N by recent CPU). */
void metrics_set_top(struct metrics *m, unsigned int n);

/* One interval as recorded: counters add up, gauges take its values. */
void metrics_add_interval(struct metrics *m, const struct interval_data *d);

/* perfpilot_findings: the "findings" array of report --json (replaces the
 * previous analysis's). */
void metrics_set_findings(struct metrics *m, const json_t *findings);

/* perfpilot_capacity_*: the "rows" array of capacity --json (replaces the
 * previous analysis's; at most METRICS_MAX_CAPACITY rows). */
void metrics_set_capacity(struct metrics *m, const json_t *rows);

/* One of the tuner's changes: outcome "proposed", "applied", "kept" or
 * "reverted". */
void metrics_tuner_count(struct metrics *m, const char *tunable, const char *outcome);

/* Cumulative counts read elsewhere: events dropped per map (or cache), a
 * BPF program's runs and run time, the store. */
void metrics_set_dropped(struct metrics *m, const char *map, unsigned long long n);
void metrics_set_bpf_prog(struct metrics *m, const char *prog, unsigned long long runs,
			  unsigned long long run_ns);
void metrics_set_store(struct metrics *m, double bytes, unsigned long long intervals);
/* The store's writes while it takes none (a full disk): attempts failed in
 * all, intervals kept in memory now, intervals dropped from memory in all. */
void metrics_set_store_writes(struct metrics *m, unsigned long long failures,
			      unsigned long long pending, unsigned long long dropped);

/* What is read when /metrics is asked for. */
struct metrics_now {
	const char *version;
	double self_cpu_s;         /* perfpilot's CPU time so far */
	double self_rss_bytes;     /* its resident memory now */
	struct http_stats http;
	struct alerts_stats alerts;              /* firing; the sinks' sums */
	bool sink_on[ALERTS_NSINKS];             /* a sink configured: its series */
	struct alerts_stats sink[ALERTS_NSINKS]; /* its counters */
};

/* The exposition (malloc'd, *len bytes), or NULL on no memory. */
char *metrics_render(struct metrics *m, enum prom_fmt f, const struct metrics_now *now,
		     size_t *len);

/* The exported values for the alerts (alerts_eval_metrics): counters as
 * per-second rates over the last interval, gauges as they are; *out and
 * its strings malloc'd, freed with metrics_alert_values_free. How many. */
size_t metrics_alert_values(struct metrics *m, struct alert_metric **out);
void metrics_alert_values_free(struct alert_metric *v, size_t n);

#endif
