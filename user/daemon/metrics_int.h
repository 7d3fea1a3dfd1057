/* SPDX-License-Identifier: GPL-2.0 */
/* The state behind /metrics, shared by metrics.c (updates) and
 * metrics_render.c (the exposition and the alerts' values). Private to
 * those two files. */
#ifndef PP_DAEMON_METRICS_INT_H
#define PP_DAEMON_METRICS_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include "daemon/metrics.h"
#include "collect/proc_sample.h"

/* Values of each kind of entity: counters (totals since the daemon
 * started, in the collector's units) and gauges (NAN: not known). */
enum { P_CPU, P_RUNQ, P_RD, P_WR, P_RSS, P_N };
enum { C_CPU, C_RUNQ, C_VCSW, C_IVCSW, C_MINFLT, C_MAJFLT, C_RD, C_WR, C_TX, C_RX, C_RETRANS,
       C_MEM, C_LIMIT, C_N };
enum { H_BUSY, H_CPU_SOME, H_MEM_SOME, H_MEM_FULL, H_IO_SOME, H_IO_FULL, H_AVAIL, H_N };
enum { D_RD, D_WR, D_OPS, D_N };

struct mproc {
	uint32_t pid;
	int64_t start_ms;
	char comm[PP_COMM_LEN];
	double v[P_N], last[P_N];  /* totals, and the last interval's increases */
	double score;              /* CPU seconds, decaying (METRICS_SCORE_TAU_S) */
	double seen;               /* when last reported (unix s) */
	bool exited;
};

struct mcg {
	char path[PP_CGROUP_PATH_MAX];
	double v[C_N], last[C_N];
	unsigned long long hist[PP_HIST_SLOTS]; /* run-queue waits, log2 us slots */
	double score, seen;
};

struct mdisk {
	char name[32];
	double v[D_N], last[D_N];
	double seen;
};

/* A counter or gauge named by one or two labels. */
struct mnamed {
	char a[96], b[32];
	double x, y;
};

struct named_set {
	struct mnamed e[METRICS_MAX_NAMED];
	size_t n;
};

/* One capacity row of the last analysis (capacity/output.h's JSON). */
struct mcap {
	char scope[8];
	char name[PP_CGROUP_PATH_MAX];
	char resource[16];
	double exhaustion_s;       /* NAN: not growing towards the limit */
	double recommended;        /* NAN: none */
};

struct metrics {
	pthread_mutex_t lock;
	unsigned int top;
	struct mproc *procs;       /* sorted by (pid, start_ms) */
	size_t nprocs;
	struct mcg *cgs;           /* sorted by path */
	size_t ncgs;
	struct mdisk disks[METRICS_MAX_DISKS];
	size_t ndisks;
	double host[H_N], host_last[H_N];
	bool have_host;
	double last_len;           /* the last interval's length, s */
	struct named_set findings; /* (kind, severity) -> x findings */
	struct mcap *caps;         /* capacity rows (METRICS_MAX_CAPACITY) */
	size_t ncaps;
	struct named_set tuner;    /* (tunable, outcome) -> x changes */
	struct named_set dropped;  /* (map) -> x events */
	struct named_set progs;    /* (program) -> x runs, y run time ns */
	double store_bytes;
	unsigned long long store_intervals;
	unsigned long long store_write_failures, store_pending, store_write_dropped;
	unsigned long long evicted_procs, evicted_cgroups, evicted_disks;
};

/* The entry of (a, b) in a set, added when missing; NULL when full. */
struct mnamed *named_get(struct named_set *s, const char *a, const char *b);

#endif
