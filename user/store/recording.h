/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A recording in memory: what `perfpilot record` stored, loaded back for
 * analysis. The store (store.h) fills it; the analysis reads it. Tests build
 * recordings by hand.
 *
 * Every series is one metric of one entity over time. Values are per
 * interval: counters are the interval's increase (not a rate), gauges the
 * value at the end of the interval. Metric names (unit in the name):
 *
 *   process ('p', entity = "PID") and cgroup ('c', entity = path), summed
 *   over the cgroup's processes for the cgroup:
 *     cpu.oncpu_ns  sched.runq_wait_ns  sched.runq_p99_us  sched.nvcsw
 *     sched.nivcsw  mem.minflt  mem.majflt  mem.rss_bytes (gauge)
 *     mem.reclaim_stall_ns  mem.oom_kills  io.read_bytes  io.write_bytes
 *     io.read_ops  io.write_ops  io.lat_p99_us  io.queue_p99_us
 *     net.tx_bytes  net.rx_bytes  net.retrans  net.resets  net.rtt_p99_us
 *   cgroup only (from the cgroup's files, where the hierarchy has them):
 *     cg.memory_bytes (gauge)  cg.memory_limit_bytes (gauge, absent = none)
 *     cg.cpu_limit_cores (gauge: the smallest CPU quota of the cgroup and
 *     its parents, 0 = none; absent = not read, or a store from before)
 *     psi.cpu.some_us  psi.memory.some_us  psi.memory.full_us
 *     psi.io.some_us  psi.io.full_us
 *   host ('h', entity = "host"):
 *     psi.cpu.some_us  psi.memory.some_us  psi.memory.full_us
 *     psi.io.some_us  psi.io.full_us  (increase of the PSI "total" in us)
 *     host.cpu_busy_ns (all CPUs, from /proc/stat)  host.mem_available_bytes
 *     host.runnable (gauge, procs_running from /proc/stat)
 *   disk ('d', entity = "sda"):
 *     dev.read_bytes  dev.write_bytes  dev.ops  dev.lat_p99_us
 *     dev.busy_ns (io_ticks increase from /proc/diskstats)  dev.inflight_max
 *   network namespace ('n', entity = inode number):
 *     net.retrans_segs  net.listen_overflows  net.listen_drops
 *   group of short-lived processes ('g', entity = "COMM|PARENT COMM|CGROUP"):
 *     the process metrics summed over the processes that exited in the
 *     interval, and group.started  group.exited  group.life_p50_us
 *     group.life_max_us  mem.rss_peak_bytes (the largest of them)
 */
#ifndef PP_RECORDING_H
#define PP_RECORDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ent_kind {
	ENT_HOST = 'h',
	ENT_PROC = 'p',
	ENT_CGROUP = 'c',
	ENT_DEV = 'd',
	ENT_NETNS = 'n',
	ENT_GROUP = 'g',  /* short-lived processes of one command, parent and cgroup */
};

/*
 * The strings of a series (entity, comm, cgroup, pcomm, metric) live in
 * the recording's string store (rec_str): a series costs its samples and a
 * few pointers, and the series of one entity share its names. They are
 * never NULL ("" when not known).
 */
struct series {
	char kind;          /* enum ent_kind */
	const char *entity; /* "host", "1234@1764590400120" (a process: its pid and
			     * start in unix ms, the pid alone when the start is
			     * unknown), "/system.slice/x", "sda", "4026531840",
			     * "true|spawner|/user.slice" (a group) */
	const char *comm;   /* processes and groups: the command name */
	uint32_t pid;       /* processes; groups: the pid of their latest parent */
	const char *cgroup; /* processes and groups: their cgroup path */
	double start;       /* processes: their start, unix seconds (0: unknown) */
	uint32_t ppid;      /* processes: their parent, 0 unknown */
	const char *pcomm;  /* processes and groups: the parent's command name */
	const char *metric;
	size_t n;
	double *t;          /* unix seconds at the end of each interval */
	double *v;
	bool t_shared;      /* t points into the recording's times (r->times),
			     * not an array of its own */
};

struct rec_chunk;

/* The rate of the on-CPU profile of `record --profile`; a store keeps the
 * rate of its last profiled session in meta.profile_hz (recording.profile_hz,
 * 0 in stores written before: this rate). */
#define RECORDING_PROFILE_HZ 49

struct recording {
	int schema_version;
	double start, end;   /* unix seconds */
	double interval_s;
	int ncpus;
	double mem_total_bytes;
	char hostname[64];
	char kernel[128];
	char target[256];    /* what was watched: "-a", "-p 12,13", "-c /x" */
	uint32_t self_pid;   /* perfpilot's own process while it recorded, 0: unknown
			      * (a store of an older perfpilot); the analysis leaves
			      * its series out */
	double self_cpu_s;   /* its CPU time, with self_pid */
	double self_rss_peak_bytes; /* its peak resident memory, with self_pid */
	struct series *s;
	size_t n;
	size_t cap;          /* entries allocated in s (rec_add grows it) */
	bool unsorted;       /* s is not in (kind, entity, metric) order: rec_find
			      * then searches linearly (rec_add keeps this up to date) */
	char *folded;        /* on-CPU profile as folded stacks, or NULL */
	bool has_profile;    /* the window has a profile (also when not loaded:
			      * STORE_LOAD_NO_PROFILE) */
	unsigned int profile_hz; /* its rate (samples a second per CPU), 0: not
				  * stored (RECORDING_PROFILE_HZ) */
	unsigned merged;     /* intervals merged into each point (store_load of a
			      * long window; 0 or 1: none): interval_s is then
			      * the merged step */
	size_t procs;        /* process entities store_load found in the window */
	size_t procs_folded; /* of them folded into groups (store.h,
			      * STORE_LOAD_MAX_PROCS; 0: none) */
	size_t fold_groups;  /* the groups they went into */
	double fold_life_s;  /* the longest a folded process was seen (s) */
	double *times;       /* the times that series with t_shared point into */
	size_t ntimes;       /* how many (0 when no series shares them) */
	struct rec_chunk *strs; /* the string store of rec_str */
};

/* Order of series: kind, then entity, then metric (strcmp). */
int series_cmp(char kind, const char *entity, const char *metric, const struct series *s);

/* The series of one entity's metric, or NULL. */
const struct series *rec_find(const struct recording *r, char kind, const char *entity,
			      const char *metric);

/* Append a series (copies t and v); returns it, or NULL on no memory. */
struct series *rec_add(struct recording *r, char kind, const char *entity, const char *metric,
		       const double *t, const double *v, size_t n);

/* Room for n series in all, allocated at once (a reader that knows how
 * many it will add: no doubling's slack). 0, or -1 on no memory. */
int rec_reserve(struct recording *r, size_t n);

/* Append a series that takes v (malloc'd, freed with the recording) and
 * points into r->times at t; entity and metric must be strings of
 * rec_str. Returns it, or NULL on no memory (v is then freed). */
struct series *rec_add_shared(struct recording *r, char kind, const char *entity,
			      const char *metric, double *t, double *v, size_t n);

/* A copy of s kept until the recording is freed, or NULL on no memory. */
const char *rec_str(struct recording *r, const char *s);

/* Set a series' comm, cgroup and pcomm (copies; NULL leaves one as it is).
 * 0, or -1 on no memory. */
int rec_set_names(struct recording *r, struct series *s, const char *comm, const char *cgroup,
		  const char *pcomm);

/* A process's entity: "PID@START_MS", or "PID" when its start is unknown
 * (0). Returns buf. */
const char *recording_proc_key(uint32_t pid, int64_t start_ms, char *buf, size_t len);

void recording_free(struct recording *r);

#endif
