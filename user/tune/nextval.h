/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tuner's next value as a proposal: read the tunable's value on the host,
 * check that the tuner may move it now (allowlist, cgroup, step_gate) and
 * take one step (step_next) within its configured bounds and the related
 * floor and cap the tuner knows (ncpus x period for a quota, ...). Fills the
 * target and the values of a struct proposal; the tuner adds its evidence,
 * effect and metric.
 */
#ifndef PP_TUNE_NEXTVAL_H
#define PP_TUNE_NEXTVAL_H

#include <stdint.h>
#include "tune/tuner.h"

struct nextval_req {
	const char *tunable;
	const char *netns;   /* sysctl: NULL = perfpilot's own */
	const char *cgroup;  /* cgroup file: its directory; NULL for a sysctl */
	int dir;             /* +1 up, -1 down */
	int64_t floor, cap;  /* related limits; INT64_MIN / INT64_MAX when none */
	/* step from this key rather than the value's (memory.high far above
	 * the usage steps down from the usage); INT64_MIN: the value's */
	int64_t from;
	/* not one step but this key, up or down, clamped to the bounds and the
	 * floor and cap (a scaler's target); INT64_MIN: a step */
	int64_t to;
};

enum nextval_rc {
	NEXTVAL_MOVE, /* p holds the step */
	NEXTVAL_BUSY, /* a change of it is being verified or cooling down: wait */
	NEXTVAL_NONE, /* no step: not allowed, frozen, at its limit, unreadable */
};

/* One step of rq's tunable (or rq->to) into p (tunable, target, current, proposed); why when not. */
enum nextval_rc nextval_propose(const struct tune_ctx *c, const struct nextval_req *rq,
				struct proposal *p, char *why, size_t len);

/* A request without related limits. */
struct nextval_req nextval_req_sysctl(const char *tunable, int dir);
struct nextval_req nextval_req_cgroup(const char *cgroup, const char *tunable, int dir);

/* The interval's rate of a counter: (b - a) / dt, 0 when it went back (reset). */
double nextval_rate(int64_t a, int64_t b, double dt);

/* A proposal's text (evidence, effect): printf, cut to fit. */
void nextval_say(char *dst, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* fini() of a tuner whose state is one allocation. */
void nextval_fini(struct tuner *t);

/* ready() of a tuner whose changes act at once. */
bool nextval_ready(struct tuner *t, const struct tune_ctx *c, const struct proposal *p);

#endif
