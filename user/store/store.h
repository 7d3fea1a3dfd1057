/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The recording store: one SQLite file per recording, with a versioned
 * schema (docs/store.md) migrated forward on open. Writes are one
 * transaction per interval, so a crash or Ctrl-C leaves a readable file.
 */
#ifndef PP_STORE_H
#define PP_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "store/recording.h"

/*
 * Load a store into memory, keeping samples with since <= t <= until (pass
 * 0 and INFINITY for everything). -1 with a one-line reason in err (not a
 * perfpilot store, truncated or corrupt, a newer schema, ...).
 */
int store_load(const char *path, double since, double until, struct recording *out,
	       char *err, size_t errlen);

/* store_load with flags: STORE_LOAD_NO_CHECK leaves out the integrity check
 * (PRAGMA quick_check reads the whole file), for a reader that loads
 * windows of a store often, such as the daemon's analysis of its own
 * store. */
#define STORE_LOAD_NO_CHECK 1
/* STORE_LOAD_NO_PROFILE: the on-CPU profile is not merged into
 * recording.folded (only has_profile says whether the window has one), for
 * readers that need the series alone: the findings, capacity, the
 * daemon's analysis (a busy host's hour of profiles merged into one text
 * took 18 of a 40-MB peak). */
#define STORE_LOAD_NO_PROFILE 2
/* STORE_LOAD_NO_SELF: without the series of perfpilot's own process
 * (recording.self_pid), which the findings leave out anyway: they need no
 * copy of the series without them then. */
#define STORE_LOAD_NO_SELF 4
int store_load_flags(const char *path, double since, double until, int flags,
		     struct recording *out, char *err, size_t errlen);

/*
 * What store_load returns (docs/store.md): a series for each entity and
 * metric with at least one stored value in the window, with one point per
 * interval from the entity's first to its last interval in the window
 * (processes: while they were seen). Per-interval values (counters,
 * percentiles, maxima) not stored are 0; gauges (mem.rss_bytes,
 * cg.memory_*, cg.cpu_limit_cores, host.mem_available_bytes, host.runnable) keep their last
 * stored value and start at their first. Series are sorted by kind, entity
 * and metric.
 *
 * A window of more than STORE_LOAD_MAX_POINTS intervals is read in steps
 * of as many intervals as it takes to stay within that many points (a day
 * at 1 s: steps of 6 s), so that memory does not grow with the window:
 * per-interval values are summed over a step, percentiles and maxima keep
 * the largest, gauges the last; recording.merged says how many intervals a
 * step holds and interval_s becomes the step's length. A window with
 * rolled-up rows (store/rollup.h) is read on a grid of wall-clock time
 * instead, every point as long as the longest row (or a multiple of it,
 * within STORE_LOAD_MAX_POINTS): merged is then the recorded intervals of
 * a step.
 */
#define STORE_LOAD_MAX_POINTS 14400

/* store_load_flags in steps of at most max_points (rather than
 * STORE_LOAD_MAX_POINTS), for a reader that needs less detail: `diff`
 * compares distributions, which a few hundred steps describe as well. */
int store_load_points(const char *path, double since, double until, int flags,
		      size_t max_points, struct recording *out, char *err, size_t errlen);

/*
 * A window with more than STORE_LOAD_MAX_PROCS process entities (churn:
 * fork and exec bursts, a day of cron jobs) keeps that many processes on
 * their own: every process that lived longer than the others (its life in
 * the window, in steps) and, of the shorter-lived, the top
 * STORE_LOAD_FOLD_TOP by each resource (on-CPU time, run-queue wait, IO
 * bytes, TCP bytes, resident set, reclaim stalls, IO latency, OOM kills
 * with resets and retransmits). The others are folded, per step, into a
 * group of their command, parent command and cgroup (kind ENT_GROUP, as
 * record writes them, and into that one when the store has it): their
 * per-interval values add up (percentiles and maxima: the largest), their
 * resident sets become mem.rss_peak_bytes (the largest in the step) and
 * group.started counts those that started in the window, in the step they
 * were first seen. The recording says how many (recording.procs_folded).
 */
#define STORE_LOAD_MAX_PROCS 8000
#define STORE_LOAD_FOLD_TOP 16

/* What store_load_window reads, for a reader that analyses a window often
 * and keeps its memory small (the daemon); 0 and NULL: store_load_flags'. */
struct store_load_opts {
	int flags;                        /* STORE_LOAD_* */
	size_t max_points;                /* steps of at most this many points
					   * (STORE_LOAD_MAX_POINTS) */
	size_t max_procs;                 /* processes kept on their own
					   * (STORE_LOAD_MAX_PROCS; the top lists
					   * keep STORE_LOAD_FOLD_TOP of each
					   * resource whatever it is) */
	const char *const *group_metrics; /* the metrics of groups (kind 'g') to
					   * load, NULL-terminated (NULL: all):
					   * a group's series spans its first to
					   * its last interval, mostly zeros */
};

int store_load_window(const char *path, double since, double until,
		      const struct store_load_opts *o, struct recording *out, char *err,
		      size_t errlen);

/* ---- writing (perfpilot record) ---- */

struct store;

/* An entity as the writer is told about it each interval. */
struct store_entity {
	char kind;           /* enum ent_kind */
	const char *name;    /* "host", "1234", "/a/b", "sda", "4026531840" */
	uint32_t pid;        /* processes, else 0; groups: the latest parent's */
	const char *comm;    /* processes and groups, else NULL */
	const char *cgroup;  /* processes and groups, else NULL */
	int64_t start_ms;    /* processes: the start, unix ms (with the name, the
			      * process's identity); 0 unknown or not a process */
	uint32_t ppid;       /* processes: the parent (0 unknown) */
	const char *pcomm;   /* processes and groups: the parent's name, or NULL */
	bool gone;           /* its last interval (an exited process): the writer
			      * forgets it when the interval ends */
};

struct store_meta {
	const char *hostname, *kernel, *target;
	int ncpus;
	double mem_total_bytes;
	double interval_s;
	double start;        /* unix seconds; kept from the first session on append */
	unsigned int profile_hz; /* the on-CPU profile's rate (0: no profile, the
				  * stored value is left as it is) */
};

/*
 * Open a store for writing: create it (an empty or missing file), or append
 * to an existing store, migrating an older schema first. -1 with a one-line
 * reason in err (not a store, newer schema, damaged, not writable).
 */
int store_open(struct store **out, const char *path, char *err, size_t errlen);

int store_set_meta(struct store *st, const struct store_meta *m);

/* What perfpilot's own process cost while it recorded: kept in the meta
 * data (self_pid, self_cpu_s, self_rss_peak_bytes) with every interval, so
 * that the report shows what observing cost and leaves perfpilot out of
 * its victims and culprits. */
struct store_self {
	uint32_t pid;
	double cpu_s;            /* user + system CPU of the recording process */
	double rss_peak_bytes;
};

/* Write it inside the current interval's transaction (or on its own). */
int store_put_self(struct store *st, const struct store_self *s);

/* Start an interval that ended at wall-clock `ts` and lasted `length_s`:
 * begins its transaction. */
int store_interval_begin(struct store *st, double ts, double length_s);

/*
 * One value of the current interval. Every entity present in the interval
 * should get its values, zero or not: the writer keeps what it must
 * (non-zero per-interval values; gauges when they change, and at least
 * every STORE_GAUGE_REFRESH intervals) and marks the entity present.
 */
int store_put(struct store *st, const struct store_entity *e, const char *metric, double value);

/* Commit the interval (and the time of the last one). */
int store_interval_end(struct store *st);

/* Abandon the current interval's transaction, if any. */
void store_interval_abort(struct store *st);

/* Store an on-CPU profile (folded stacks text) taken over [start, end]. */
int store_put_profile(struct store *st, double start, double end, const char *folded);

/*
 * Retention: delete the oldest intervals (their samples, stats and
 * profiles) older than max_age_s before `now` (0: no limit), then while the
 * data take more than max_bytes (0: no limit). Sets *dropped to the
 * recorded intervals deleted (a rolled-up row counts those it held).
 */
int store_prune(struct store *st, double max_age_s, double max_bytes, double now,
		unsigned long *dropped);

/* Bytes the database pages hold (file size less free pages). */
double store_bytes(struct store *st);

/* Intervals in the store. */
long store_intervals(struct store *st);

/* The writer's entity cache: entries now, entries dropped so far. */
void store_cache_stats(const struct store *st, size_t *cached, unsigned long long *evicted);

/* The last error of a writer call. */
const char *store_error(const struct store *st);

/* Close (checkpointing the WAL into the file). 0, or -1 on an error. */
int store_close(struct store *st);

/*
 * Can `record -o path` write there? A missing file whose directory exists
 * and where a file can be created (tried, then removed), an empty regular
 * file, or a store this perfpilot can append to. -1 with a one-line reason
 * otherwise. Leaves nothing behind.
 */
int store_check_target(const char *path, char *err, size_t errlen);

#endif
