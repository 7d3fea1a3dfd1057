/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One tuner: a small unit with one rule (its file's header says the rule).
 * The cycle (cycle.c) calls every enabled tuner once per interval:
 *
 *   observe  read the tuner's signals for the interval just ended (counters
 *            as differences since its previous call, divided by dt);
 *   propose  from what it has observed, the changes it wants now (none when
 *            all is well), each with its evidence and expected effect;
 *   measure  the metric a proposal named, over the latest interval, so that
 *            the cycle can compare it before and after a change.
 *
 * A tuner never writes to the host: the cycle applies its proposals
 * through change_apply (journal first, then hostfs), verifies them with
 * measure after the verify window (verify_decide) and keeps or rolls back.
 * Everything a tuner reads goes through the context's hostfs (so unit tests
 * run a tuner against a fixture tree) or through the readers it is given.
 */
#ifndef PP_TUNE_TUNER_H
#define PP_TUNE_TUNER_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include "tune/config.h"
#include "tune/hostfs.h"
#include "tune/journal.h"
#include "tune/tunable.h"

struct proc_sample;

/*
 * The scheduler's view of every process over the interval just ended (its
 * on-CPU time and run-queue waits, collect/proc_sample.h): for --protect
 * the BPF collector of the whole host (cmd/tune.c), a fake in tests.
 * tick: the samples since the previous call, malloc'd (the caller frees);
 * 0 or -1.
 */
struct tune_sched {
	int (*tick)(void *arg, struct proc_sample **out, size_t *n);
	void *arg;
};

/* What the operator pointed tune at, and the state the tuners share. */
struct tune_ctx {
	const struct hostfs *h;
	const struct tune_config *cfg;
	const struct journal *j;    /* read only (step_gate, what is applied) */
	const char *netns;          /* --netns NAME|PATH, or NULL: perfpilot's own */
	/* -c: the cgroup's directories (v2: both the same; v1: the cpu and the
	 * memory controller's), "" when not given */
	char cg_cpu[PATH_MAX];
	char cg_memory[PATH_MAX];
	const uint32_t *pids;       /* -p, or NULL */
	size_t npids;
	/* --protect PID|CGROUP (protect.c), and the scheduler's samples */
	const char *const *protect;
	size_t nprotect;
	const struct tune_sched *sched;
	int ncpus;
	double now;                 /* unix seconds at the end of the interval */
	double dt;                  /* seconds since the previous observe */
};

#define PROPOSAL_TEXT 256

/* One change a tuner wants, with what backs it. */
struct proposal {
	enum tuner_id tuner;
	/* the value (target.* point into the strings below) */
	char netns[PATH_MAX];       /* sysctls of a namespace, "" = perfpilot's own */
	char cgroup[PATH_MAX];      /* cgroup files */
	char tunable[64];
	int pid;                    /* a process's nice or affinity (lever.h), 0: none */
	uint64_t start;             /* its start time (hostproc.h) */
	char current[HOSTFS_VALUE_MAX];
	char proposed[HOSTFS_VALUE_MAX];  /* the whole value to write */
	const char *finding;        /* the finding kind: "listen_overflow", ... */
	int priority;               /* 1 (act first) .. 3 */
	char evidence[PROPOSAL_TEXT];  /* the numbers that triggered it */
	char effect[PROPOSAL_TEXT];    /* what it should change, and how to see it */
	char note[PROPOSAL_TEXT];      /* anything the operator must do (relisten), or "" */
	/* verification */
	char metric[48];            /* the metric measure() returns */
	double metric_value;        /* its value now (before the change) */
	bool lower_is_better;
	/*
	 * The effect needs an action of the workload first (a listener's
	 * backlog is fixed when it calls listen()): until ready() says so, the
	 * cycle neither keeps nor rolls the change back for lack of effect, and
	 * says what it waits for.
	 */
	bool needs_action;
	/*
	 * A scaling change (cpu_quota with scaling on): the scaler follows the
	 * demand itself, so the cycle neither verifies nor rolls it back; it is
	 * journaled as kept at once, still checked every interval for someone
	 * else's change, and a newer change of its target supersedes it.
	 */
	bool scaled;
};

struct tuner {
	enum tuner_id id;
	void *state;                /* the tuner's own, from init */
	int (*init)(struct tuner *t, const struct tune_ctx *c, char *err, size_t errlen);
	/* 0, or -1 with a one-line reason in err (a target that vanished) */
	int (*observe)(struct tuner *t, const struct tune_ctx *c, char *err, size_t errlen);
	/* proposals now, at most max, written to out; how many */
	size_t (*propose)(struct tuner *t, const struct tune_ctx *c, struct proposal *out, size_t max);
	/* the metric of p over the latest interval; NAN if unknown */
	double (*measure)(struct tuner *t, const struct tune_ctx *c, const struct proposal *p);
	/* needs_action proposals: has the workload acted (relistened)? */
	bool (*ready)(struct tuner *t, const struct tune_ctx *c, const struct proposal *p);
	/* another metric that must not get worse got worse (memory pressure
	 * while buffers grow); may be NULL */
	bool (*other_worse)(struct tuner *t, const struct tune_ctx *c, const struct proposal *p);
	void (*fini)(struct tuner *t);
};

/* The target of a proposal, pointing into it. */
void proposal_target(const struct proposal *p, struct tune_target *t);

/* Each tuner's constructor: fills the callbacks (user/tune/<name>.c). */
void tuner_accept_queue(struct tuner *t);
void tuner_tcp_buffers(struct tuner *t);
void tuner_cpu_quota(struct tuner *t);
void tuner_cpu_weight(struct tuner *t);
void tuner_memory_reclaim(struct tuner *t);
void tuner_dirty_pages(struct tuner *t);
void tuner_memory_high(struct tuner *t);
void tuner_protect(struct tuner *t);
void tuner_cpuset_rules(struct tuner *t);

#endif
