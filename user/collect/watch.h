/* SPDX-License-Identifier: GPL-2.0 */
/* A running collection: collector + previous snapshot + process names. */
#ifndef PP_WATCH_H
#define PP_WATCH_H

#include <signal.h>
#include "collect/cgroup.h"
#include "collect/collector.h"
#include "collect/procmeta.h"
#include "collect/conns.h"
#include "collect/target.h"

/* What to watch, for how long, and the collectors' settings. */
struct watch_opts {
	struct target target;
	struct cg_target cg;    /* resolved -c */
	double duration_s;      /* 0: until Ctrl-C */
	double interval_s;      /* 0: one summary at the end */
	unsigned long max_procs;
	unsigned long max_threads;
	enum attach_pref attach;
	enum sched_source sched_source; /* switch (default) or iterator */
	bool bpf_stats;
	bool verbose;
	/* processes that live less than this are flagged short_lived when they
	 * exit, and not reported before (0: every process as it is) */
	double short_life_s;
};

/* What watch_tick held back and flagged (cumulative). */
struct watch_stats {
	unsigned long long held;        /* ticks a young process was held back */
	unsigned long long short_lived; /* processes flagged short_lived */
	unsigned long long reused;      /* pids seen again as another process */
	unsigned long long late;        /* entries made after their process's last
					 * report (an IO completion after the exit):
					 * removed, not reported */
};

struct watch {
	struct collector *col;
	struct procmeta *meta;
	struct proc_raw *prev;
	size_t nprev;
	double last_mono;   /* monotonic seconds at the previous tick */
	bool keep_idle;     /* report idle processes too (-p) */
	const struct target *target;
	struct dev_raw *prev_dev;
	size_t nprev_dev;
	struct conn_raw *prev_conn;
	size_t nprev_conn;
	struct netns_state netns;
	bool host;          /* watching the whole host (-a) */
	double short_life_s;
	struct watch_stats stats;
};

/* Load and attach (o validated: its -c resolved). Exits with a one-line
 * error on failure. */
void watch_start(struct watch *w, const struct watch_opts *o);

/*
 * End the current interval: samples of active processes (malloc'd, caller
 * frees *out) and the interval facts. Exited processes are reported here
 * once and then forgotten. With short_life_s, a process not reported yet
 * and younger than that is held back (its counters keep adding up in the
 * kernel) until it is older, then reported with all it did since it
 * started, or until it exits, then reported once with short_lived set.
 */
int watch_tick(struct watch *w, struct proc_sample **out, size_t *n, struct interval_info *ii);

/* Per-disk samples since the previous call (malloc'd, caller frees). */
int watch_devices(struct watch *w, struct dev_sample **out, size_t *n);

/*
 * TCP connections that moved data, retransmitted or closed since the
 * previous call (busiest first), and the namespaces' listen queues. Both
 * malloc'd; the caller frees them.
 */
int watch_conns(struct watch *w, struct conn_sample **out, size_t *n, struct netns_sample **ns,
		size_t *nns);

void watch_stop(struct watch *w, bool print_prog_stats);

/* How watch_sleep_until spends its time; both callbacks may be NULL. */
struct watch_nap {
	void (*show)(double now, double left, void *arg); /* before each check */
	void (*wait)(int ms, void *arg); /* waits up to ms (default: nanosleep) */
	void *arg;
};

/*
 * Sleep until `deadline` (monotonic) in naps of at most 0.5 s. A wait
 * callback (a ring buffer's poll) returns early when data arrives or a
 * signal interrupts it, so it needs no shorter naps. Returns once *stop is
 * set; with -p (and no --children) sets it when every watched process is
 * gone.
 */
void watch_sleep_until(double deadline, const struct target *t, volatile sig_atomic_t *stop,
		       const struct watch_nap *nap);

/* Monotonic and wall clocks in seconds. */
double mono_now(void);
double wall_now(void);

#endif
