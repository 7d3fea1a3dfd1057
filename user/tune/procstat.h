/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host's and the cgroups' own counters that the resource tuners read,
 * always below the hostfs root (a fixture tree in the unit tests):
 *
 *   /proc/stat            CPU time (jiffies): busy and idle, per host
 *   /proc/vmstat          "key value" lines (allocstall_*, nr_dirty, ...)
 *   /proc/pressure/NAME   PSI lines "some avg10=.. avg60=.. avg300=.. total=.."
 *                         (also a cgroup's memory.pressure and cpu.pressure)
 *   /proc/meminfo         MemTotal
 *   cgroup.procs          the processes of a cgroup
 *   /proc/PID/task/TID/schedstat   run time and run-queue wait (ns) of a
 *                         thread (/proc/PID/schedstat when there is no task/)
 *
 * Errors: -1 with one line in err naming the file and the reason.
 */
#ifndef PP_TUNE_PROCSTAT_H
#define PP_TUNE_PROCSTAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "tune/hostfs.h"

/* ---- "key value" files (read with hostfs_read_text) ---- */

/* The value of the first line "KEY VALUE" (or "KEY: VALUE kB") of text; -1 if none. */
int procstat_field(const char *text, const char *key, int64_t *out);

/* The sum of the values of every line whose key starts with prefix; -1 if none. */
int procstat_field_sum(const char *text, const char *prefix, int64_t *out);

/* ---- CPU time of the host ---- */

struct procstat_cpu {
	uint64_t total; /* jiffies, all fields of the "cpu" line */
	uint64_t idle;  /* idle + iowait */
	uint64_t nice;  /* user time of niced tasks (nice > 0) */
	int ncpus;      /* "cpuN" lines */
};

int procstat_cpu_read(const struct hostfs *h, struct procstat_cpu *c, char *err, size_t errlen);
/* The same from the text of /proc/stat: 0, or -1 without its "cpu" line. */
int procstat_cpu_parse(const char *text, struct procstat_cpu *c);

/* Idle CPUs (0 .. ncpus) and busy CPUs between two readings; -1 when no time passed. */
double procstat_cpu_idle(const struct procstat_cpu *a, const struct procstat_cpu *b);
double procstat_cpu_busy(const struct procstat_cpu *a, const struct procstat_cpu *b);
/* CPUs of niced tasks between two readings; -1 when no time passed. */
double procstat_cpu_nice(const struct procstat_cpu *a, const struct procstat_cpu *b);

/* ---- pressure stall information ---- */

struct procstat_psi {
	double some_avg10;  /* % */
	uint64_t some_total; /* µs */
	bool has_full;
	double full_avg10;
	uint64_t full_total;
};

/* A PSI text ("some ..." and optionally "full ..." lines); -1 if malformed. */
int procstat_psi_parse(const char *text, struct procstat_psi *p);
/* /proc/pressure/NAME (cpu, memory, io). */
int procstat_psi_read(const struct hostfs *h, const char *name, struct procstat_psi *p,
		      char *err, size_t errlen);
/* A cgroup's FILE (memory.pressure, cpu.pressure). */
int procstat_cgroup_psi(const struct hostfs *h, const char *cgroup, const char *file,
			struct procstat_psi *p, char *err, size_t errlen);

/* ---- the CPU time of a cgroup ---- */

/*
 * The cgroup's cumulative CPU time in ns: v2 cpu.stat usage_usec, v1
 * cpuacct.usage in its directory (cpu and cpuacct mounted together), else
 * in the same group of the cpuacct hierarchy (/sys/fs/cgroup/cpu/app ->
 * /sys/fs/cgroup/cpuacct/app, where the two are mounted apart). -1 when
 * none of them can be read (err names the cgroup).
 */
int procstat_cgroup_usage(const struct hostfs *h, const char *cgroup, int64_t *ns, char *err,
			  size_t errlen);

/* ---- the threads of a cgroup and their schedstat ---- */

struct procstat_thread {
	pid_t tid;
	uint64_t run_ns, wait_ns;
};

struct procstat_threads {
	struct procstat_thread *t; /* sorted by tid */
	size_t n, cap;
};

/*
 * The threads of the processes listed in the cgroup's cgroup.procs with
 * their schedstat, replacing what ts held. A process that exits while it is
 * read is skipped; a cgroup that is gone is an error.
 */
int procstat_cgroup_threads(const struct hostfs *h, const char *cgroup,
			    struct procstat_threads *ts, char *err, size_t errlen);

/* Run time and wait of the threads in both readings, summed (ns). */
void procstat_threads_delta(const struct procstat_threads *a, const struct procstat_threads *b,
			    uint64_t *run_ns, uint64_t *wait_ns);

void procstat_threads_free(struct procstat_threads *ts);

#endif
