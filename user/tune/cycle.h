/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The optimization cycle over a set of tuners (tuner.h):
 *
 *   observe -> propose -> apply -> verify -> keep or roll back
 *
 * once per interval until the duration ends or a stop is asked.
 *
 * Advice (apply false): the tuners observe and propose; the latest proposal
 * of each target is kept for the report (cycle_advice); nothing is written.
 *
 * Apply: each proposal whose target is open (step_gate: not frozen, not
 * being verified, not cooling down) goes through change_apply (journal
 * first). Its verify window later:
 *  - a needs_action proposal whose tuner's ready() is still false waits
 *    (reported once per window, never rolled back for lack of effect); the
 *    window starts again when ready() turns true;
 *  - else measure() gives the metric after; verify_decide with the
 *    config's min_improvement and other_worse(): keep (journal state kept,
 *    effect recorded), roll back (change_rollback: state rolled_back, the
 *    target frozen), or wait while the metric is unknown.
 * A tuner whose observe fails (its cgroup vanished) is stopped for the rest
 * of the run, with one line saying why.
 *
 * When the run ends: with revert_on_exit every open change is restored
 * (revert_all); otherwise the changes stay and the last lines say so.
 *
 * Output (o->out): one line per change and per verdict, bpftune style:
 *   perfpilot: tune: net.core.somaxconn 8 -> 16 in netns web (listen_overflow: ...)
 */
#ifndef PP_TUNE_CYCLE_H
#define PP_TUNE_CYCLE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "tune/journal.h"
#include "tune/tuner.h"

struct cycle_opts {
	bool apply;
	double duration_s;          /* <= 0: until stopped */
	double interval_s;          /* between two observations */
	FILE *out;                  /* the log of changes and verdicts */
	FILE *progress;             /* progress of a long run, or NULL */
	volatile sig_atomic_t *stop;/* set by a signal handler, or NULL */
	/* tests: a fake clock and sleep (NULL: the real ones) */
	double (*clock)(void *arg);
	void (*sleep)(void *arg, double s);
	void *clock_arg;
};

/* A change of this run being verified. */
struct cycle_change {
	int64_t id;
	size_t tuner;               /* index in tuners */
	struct proposal p;
	double applied_at;          /* its window starts here (or at ready) */
	bool ready;                 /* needs_action: the workload acted */
	double waiting_said;        /* when the wait was last reported */
	bool done;                  /* kept, rolled back or gone */
};

struct cycle {
	struct tune_ctx *ctx;
	struct journal *j;
	struct tuner *tuners;
	size_t ntuners;
	bool *stopped;              /* per tuner: its observe failed */
	struct cycle_change *ch;    /* this run's changes */
	size_t nch, cap;
	struct proposal *advice;    /* advice: the latest proposal per target */
	size_t nadvice, advice_cap;
	char (*refused)[PATH_MAX + 160]; /* targets already said to be refused */
	size_t nrefused, refused_cap;
	size_t applied, kept, rolled_back, failed;
	int error;                  /* a journal or host error stopped the run */
	char err[512];
};

/* Set up over tuners[0..n) already initialised; ctx->j must be j. */
void cycle_init(struct cycle *c, struct tune_ctx *ctx, struct journal *j, struct tuner *tuners,
		size_t n);
void cycle_free(struct cycle *c);

/*
 * One interval ending at now, dt seconds after the previous: observe,
 * verify the changes due, propose and (apply mode) apply. 0, or -1 when the
 * journal cannot be saved or the host cannot be read (c->err).
 */
int cycle_tick(struct cycle *c, const struct cycle_opts *o, double now, double dt);

/* Ticks every interval_s until duration_s or *stop; then cycle_end. */
int cycle_run(struct cycle *c, const struct cycle_opts *o);

/*
 * The run is over: in apply mode restore the open changes when
 * revert_on_exit, else list what stays changed. The last lines on o->out.
 */
int cycle_end(struct cycle *c, const struct cycle_opts *o, bool revert);

/* Print the advice, one block per proposal (or one JSON object per line). */
void cycle_print_advice(const struct cycle *c, FILE *f, bool json);
void proposal_print(const struct proposal *p, FILE *f);
void proposal_print_json(const struct proposal *p, FILE *f);

/* "host", "netns NAME", "cgroup PATH" (netns, cgroup "" or NULL: none) */
const char *tune_scope_str(const char *netns, const char *cgroup, char *buf, size_t len);
const char *proposal_scope(const struct proposal *p, char *buf, size_t len);

/* Which tuners: all, those that change sysctls, those that change cgroup files. */
enum tuner_set { TUNERS_ALL, TUNERS_SYSCTL, TUNERS_CGROUP };

/* Does tuner id change the files of a cgroup (cpu_quota, cpu_weight, memory_high)? */
bool tuner_of_cgroup(enum tuner_id id);

/* The tuners of `set` the config turns on, constructed and initialised
 * (registry.c): how many in out (at most TUNER_COUNT); a tuner whose init
 * fails is left out with its reason on `warn`. */
size_t tuners_make(const struct tune_ctx *ctx, enum tuner_set set, struct tuner *out,
		   FILE *warn);

/* A cgroup as -c names it (its directory, or a path below /sys/fs/cgroup) into
 * ctx->cg_cpu and cg_memory (v2: the same; v1: each controller's), checked
 * through ctx->h (target.c). 0, or -1 with one line in err. */
int tune_ctx_cgroup(struct tune_ctx *ctx, const char *arg, char *err, size_t errlen);
void tuners_free(struct tuner *t, size_t n);

#endif
