/* SPDX-License-Identifier: GPL-2.0 */
/* Loads, configures and attaches the BPF collectors; reads their maps. */
#ifndef PP_COLLECTOR_H
#define PP_COLLECTOR_H

#include <stdbool.h>
#include <stdio.h>
#include "collect/target.h"
#include "collect/cgroup.h"
#include "collect/proc_sample.h"
#include "collect/devices.h"

enum attach_pref {
	ATTACH_AUTO = 0,   /* tp_btf, falling back to raw_tp */
	ATTACH_RAW_TP = 1, /* force raw_tp (older kernels, or to compare) */
};

/* Where the scheduler statistics come from (docs/daemon.md, README). */
enum sched_source {
	SCHED_SOURCE_SWITCH = 0,   /* programs on every context switch: exact waits */
	SCHED_SOURCE_ITERATOR = 1, /* a task iterator once per interval: nothing per
				    * switch, an interval's waits of a thread at their mean */
};

/* "switch" or "iterator" into *out: 0, or -1 for anything else. */
int sched_source_parse(const char *s, enum sched_source *out);

/* "switch" or "iterator". */
const char *sched_source_name(enum sched_source s);

struct collector;

struct collector_opts {
	const struct target *target;
	const struct cg_target *cgroup; /* when target->mode == PP_FILTER_CGROUP */
	unsigned int max_procs;
	unsigned int max_threads;  /* thread slots; 0 = four times the threads alive now */
	unsigned int tick_hz;    /* on-CPU flush rate (default 10) */
	enum attach_pref attach;
	enum sched_source sched_source; /* iterator falls back to switch when unavailable */
	bool bpf_stats;          /* measure each program's run time */
	bool verbose;
	/* called when the maps exist, right before the programs are attached
	 * (again if tp_btf is refused and raw_tp retried): what the maps must
	 * hold before the first event, such as the listeners opened earlier */
	void (*before_attach)(struct collector *c, void *arg);
	void *before_attach_arg;
};

/*
 * Load and attach. On failure returns -1 with a one-line reason in err.
 * Degraded features are reported on stderr, one line each.
 */
int collector_open(struct collector **out, const struct collector_opts *o,
		   char *err, size_t errlen);

/* With the task iterator: bring every thread's entry up to date now (what
 * collector_read does first), so that its run-queue waits since the last
 * look enter the histogram at their mean over that time. false: no
 * iterator (the per-switch programs keep each wait). */
bool collector_sync(struct collector *c);

/* Snapshot of all thread groups, sorted by pid: *out is the collector's
 * own buffer, the caller's to reorder or overwrite until the next
 * collector_read or collector_close (not to free). */
int collector_read(struct collector *c, struct proc_raw **out, size_t *n);

/* Per-disk snapshot, sorted by dev. Caller frees *out. 0 devices without IO. */
int collector_read_devices(struct collector *c, struct dev_raw **out, size_t *n);

struct conn_raw {
	uint64_t key; /* the kernel's struct sock address */
	struct pp_sock s;
};

/* All tracked TCP connections; closed ones are removed after this read. */
int collector_read_conns(struct collector *c, struct conn_raw **out, size_t *n);

struct listen_owner {
	uint32_t netns, pid;
	uint32_t backlog;
	uint16_t port;
};

/* Listening sockets of watched processes (netns, port, owner). */
size_t collector_read_listeners(struct collector *c, struct listen_owner *out, size_t max);

/* Tell the TCP collector about a listener that existed before it started. */
int collector_add_listener(struct collector *c, uint32_t netns, uint16_t port, uint32_t pid,
			   uint32_t backlog);

/* Is the TCP collector loaded? */
bool collector_has_net(const struct collector *c);

/* Is the block IO collector loaded? */
bool collector_has_io(const struct collector *c);

/* Forget the thread groups of the rows marked in gone[] (their exits were
 * reported): from each map that held them, one batch a map. */
void collector_forget(struct collector *c, const struct proc_raw *rows, const bool *gone,
		      size_t n);

/* Cumulative drop counters, summed over CPUs. */
void collector_counters(struct collector *c, uint64_t out[PP_CNT_MAX]);

/* The scheduler source in use (the iterator's fallback is switch). */
enum sched_source collector_sched_source(const struct collector *c);

/* Attach type actually used ("tp_btf" or "raw_tp"). */
const char *collector_attach_kind(const struct collector *c);

/* Per-program run counts and mean cost (needs opts.bpf_stats). */
void collector_print_prog_stats(struct collector *c, FILE *f);

/* Each program's cumulative runs and run time, to fn (needs opts.bpf_stats:
 * nothing without). */
void collector_prog_stats(struct collector *c,
			  void (*fn)(void *arg, const char *prog, uint64_t runs, uint64_t run_ns),
			  void *arg);

/*
 * Detach every program but the task iterator, and attach them again: for
 * timing what perfpilot's programs cost a workload in alternation, second
 * by second (tools/bench/interleave). No event is counted while paused
 * (the task iterator still runs when the maps are read), and what spans a
 * pause (an IO issued before it and completed during it, a
 * thread's run time) may be miscounted after it: not for a collection whose
 * numbers are used. collector_resume returns -1 with the reason in err
 * (and stays paused) when an attach fails.
 */
void collector_pause(struct collector *c);
int collector_resume(struct collector *c, char *err, size_t errlen);

void collector_close(struct collector *c);

/* Size of the thread slot array for `nthreads` live threads (or as requested). */
unsigned int thread_slots_for(unsigned int nthreads, unsigned int requested);

#endif
