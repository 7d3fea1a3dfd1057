/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One interval of `perfpilot record`, as collected (record.c) and as
 * written to the store under the metric names of recording.h. The writer
 * needs no BPF: tests call it with samples they make up.
 */
#ifndef PP_RECORD_WRITE_H
#define PP_RECORD_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "collect/conns.h"
#include "collect/devices.h"
#include "collect/proc_sample.h"
#include "store/store.h"

/* Increases of PSI totals over the interval, microseconds. */
struct psi_delta {
	bool cpu, mem, io, mem_full, io_full;  /* which files were read */
	double cpu_some_us, mem_some_us, mem_full_us, io_some_us, io_full_us;
};

struct host_values {
	struct psi_delta psi;
	bool has_busy, has_runnable, has_available;
	double cpu_busy_ns, runnable, mem_available_bytes;
};

/* A cgroup's own files (absent ones are not written). */
struct cg_values {
	char path[PP_CGROUP_PATH_MAX];
	bool has_memory, has_limit, has_cpu_limit;
	double memory_bytes, memory_limit_bytes;
	double cpu_limit_cores;     /* 0: no quota on it or its parents */
	struct psi_delta psi;
};

struct disk_busy {
	char name[32];
	double busy_ns;         /* io_ticks increase */
};

struct netns_values {
	uint32_t netns;
	bool has_retrans;
	double retrans_segs;    /* TCP RetransSegs increase */
};

struct interval_data {
	double ts, length_s;    /* end (unix seconds) and length of the interval */
	const struct proc_sample *procs;
	size_t nprocs;
	const struct cg_values *cgs;
	size_t ncgs;
	const struct host_values *host;   /* NULL: no host series */
	const struct dev_sample *devs;
	size_t ndevs;
	const struct disk_busy *busy;
	size_t nbusy;
	const struct netns_sample *ns;
	size_t nns;
	const struct netns_values *nsv;
	size_t nnsv;
	const struct store_self *self;    /* perfpilot's own cost so far, or NULL */
};

/* Short-lived processes among the interval's top this many by CPU, IO, TCP
 * bytes or resident set stay individual processes. */
#define WRITE_TOP_N 3

/*
 * Which of the interval's samples are written as processes (keep[i]): all
 * but the short-lived ones (proc_sample.short_lived), except those among the
 * top WRITE_TOP_N by a resource. The rest go into groups.
 */
void record_keep_top(const struct proc_sample *s, size_t n, double length_s, bool *keep);

/*
 * Write one interval in one transaction: processes (the short-lived ones
 * summed per command, parent command and cgroup as groups), the per-cgroup sums of
 * the processes and the cgroups' own files, host, disks and network
 * namespaces. -1 with the reason in store_error(st); nothing of the
 * interval is kept then.
 */
int record_write_interval(struct store *st, const struct interval_data *d);

#endif
