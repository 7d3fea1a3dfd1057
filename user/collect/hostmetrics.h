/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parsers for the host- and cgroup-level files `record` samples: PSI
 * (/proc/pressure/ *, cgroup *.pressure), /proc/stat, /proc/meminfo,
 * /proc/diskstats and single-value cgroup files. Pure: they read a FILE.
 */
#ifndef PP_HOSTMETRICS_H
#define PP_HOSTMETRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The cumulative "total=" stall times of a pressure file, microseconds. */
struct psi_totals {
	bool has_some, has_full;
	uint64_t some_us, full_us;
};

/* 0, or -1 when the text has neither a "some" nor a "full" line. */
int psi_parse(FILE *f, struct psi_totals *out);

struct cpu_stat {
	uint64_t busy_ticks;     /* user+nice+system+irq+softirq+steal, USER_HZ ticks */
	uint64_t procs_running;  /* runnable tasks now */
	bool has_running;
};

/* The "cpu " and "procs_running" lines of /proc/stat. -1 without "cpu ". */
int cpu_stat_parse(FILE *f, struct cpu_stat *out);

struct mem_info {
	uint64_t total_bytes, available_bytes;
	bool has_available;
};

/* MemTotal and MemAvailable of /proc/meminfo. -1 without MemTotal. */
int meminfo_parse(FILE *f, struct mem_info *out);

struct disk_stat {
	char name[32];
	uint64_t io_ticks_ms;    /* time the device had IO in flight */
};

/* Entries of /proc/diskstats (at most max); returns how many. */
size_t diskstats_parse(FILE *f, struct disk_stat *out, size_t max);

/*
 * A single-value cgroup file (memory.current, memory.max,
 * memory.usage_in_bytes, ...). 1 with the value, 0 for "max" (no limit),
 * -1 when unreadable. v1 reports "no limit" as a huge number (at least
 * 2^62), which also gives 0.
 */
int cg_value_parse(FILE *f, uint64_t *out);

/* Increase of a cumulative counter; 0 when it went backwards (a reset). */
static inline uint64_t counter_delta(uint64_t cur, uint64_t prev)
{
	return cur >= prev ? cur - prev : 0;
}

#endif
