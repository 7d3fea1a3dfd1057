/* SPDX-License-Identifier: GPL-2.0 */
/* What user space reports for one process over one interval. */
#ifndef PP_PROC_SAMPLE_H
#define PP_PROC_SAMPLE_H

#include <stdbool.h>
#include <stdint.h>
#include "perfpilot.h"
#include "collect/hist.h"

#define PP_CGROUP_PATH_MAX 256

/* Cumulative kernel counters of one thread group, as read from the maps. */
struct proc_raw {
	uint32_t pid;
	bool has_sched, has_mem, has_io, has_net;
	struct pp_sched_stats sched;
	struct pp_mem_stats mem;
	struct pp_io_stats io;
	struct pp_net_stats net;
};

/* Differences over an interval (gauges such as RSS are end-of-interval). */
struct proc_sample {
	uint32_t pid;
	char comm[PP_COMM_LEN];
	char cgroup[PP_CGROUP_PATH_MAX];
	bool exited;
	bool kthread;
	bool has_mem;
	bool short_lived;    /* exited younger than the watch's short_life_s */
	uint64_t cgroup_id;  /* kernel id, to name cgroups of exited processes */
	/* identity: (pid, start). start_ms is the start in unix milliseconds,
	 * from the boot time and start_boot_ns (or /proc/PID/stat); 0: unknown */
	int64_t start_ms;
	uint64_t start_boot_ns; /* since boot, from the collector (0: not known) */
	uint64_t start_ns, exit_ns; /* monotonic; exit_ns 0 while alive */
	uint32_t ppid;       /* parent's pid (0: unknown) and name */
	char pcomm[PP_COMM_LEN];
	/* cpu */
	uint64_t oncpu_ns;
	uint64_t runq_wait_ns;
	uint64_t nvcsw, nivcsw, migrations;
	struct hist_summary runq_lat_us;
	uint32_t runq_hist[PP_HIST_SLOTS]; /* the interval's waits, log2 us */
	/* mem */
	uint64_t minflt, majflt;
	int64_t rss_bytes, rss_peak_bytes;
	uint64_t reclaim_stall_ns, reclaim_count;
	uint64_t oom_kills;
	/* block io */
	uint64_t read_bytes, write_bytes, read_ops, write_ops;
	struct hist_summary io_lat_us, io_queue_us;
	uint32_t io_lat_hist[PP_HIST_SLOTS], io_queue_hist[PP_HIST_SLOTS];
	/* tcp */
	uint64_t tx_bytes, rx_bytes, retrans, resets, connects, accepts, closes;
	struct hist_summary rtt_us;
	uint32_t rtt_hist[PP_HIST_SLOTS];
};

/* Interval-wide facts printed with the samples. */
struct interval_info {
	double ts;          /* wall clock at the end of the interval, unix seconds */
	double interval_s;  /* length of the interval */
	uint64_t dropped[PP_CNT_MAX]; /* drop counters, cumulative */
	unsigned int nprocs;  /* processes with activity in the interval */
};

/*
 * Turn two cumulative snapshots (both sorted by pid) into interval samples.
 * `prev` may be empty (first interval: counters start at zero); a previous
 * entry of the same pid but another start is another process (the pid was
 * reused) and is not subtracted. Writes at
 * most `ncur` samples to `out` and returns how many; processes with no
 * activity are skipped unless `keep_idle`. comm/cgroup are left empty.
 */
size_t sample_diff(const struct proc_raw *prev, size_t nprev,
		   const struct proc_raw *cur, size_t ncur,
		   bool keep_idle, struct proc_sample *out);

/*
 * Before `cur` becomes the next interval's base: keep, for each cumulative
 * counter that a read can see short (a thread's counts being folded into
 * its process, a fault run moving from its per-CPU slot to the process's
 * entry), the larger of `prev`'s and `cur`'s, when both are the same
 * process (pid and start). The interval's difference clamps such a dip to
 * 0; taking the short read as the base would count the run a second time
 * in the next interval, and a read that saw a run twice would be repaid
 * the same way. `prev` may be NULL.
 */
void proc_raw_ratchet(struct proc_raw *cur, const struct proc_raw *prev);

/* Is there anything to report for this sample? */
bool sample_active(const struct proc_sample *s);

/* Sort keys for tables. */
enum sample_key {
	SORT_CPU = 0, SORT_RUNQ, SORT_RQP99, SORT_VCSW, SORT_IVCSW,
	SORT_MINFLT, SORT_MAJFLT, SORT_RSS, SORT_PID, SORT_IO, SORT_NET, SORT_KEYS
};
void sample_sort(struct proc_sample *s, size_t n, enum sample_key key);

/* Add s's counters to g: counters and RSS add up, histograms merge, maxima
 * take the larger (summaries are left for sample_finish). */
void sample_accumulate(struct proc_sample *g, const struct proc_sample *s);

/* Recompute g's percentile summaries from its merged histograms. */
void sample_finish(struct proc_sample *g);

/*
 * Sum samples per cgroup path into `out` (at most n entries): counters add
 * up, RSS adds up, run-queue histograms merge. In each result `pid` is the
 * number of processes, `comm` is empty and `cgroup` names the group.
 * Returns the number of cgroups.
 */
size_t sample_by_cgroup(const struct proc_sample *s, size_t n, struct proc_sample *out);

/* Largest value of an interval, from cumulative maxima and the interval's
 * histogram (exact when the cumulative maximum grew in the interval). */
double interval_max_us(const uint32_t *h, uint64_t cur_max_ns, uint64_t prev_max_ns);

/* Interval difference of two cumulative histograms. */
void hist_delta(const uint32_t *cur, const uint32_t *prev, uint32_t *out);

/* Add a process's block IO counted on one CPU (struct pp_io_slot) to what
 * was read from its io_stats entry: counts and histograms added, the maxima
 * kept; sum's start_ns stays. */
void io_stats_add(struct pp_io_stats *sum, const struct pp_io_stats *add);

#endif
