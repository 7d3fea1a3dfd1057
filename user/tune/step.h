/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tuner's decisions, pure functions of their arguments (and of the
 * journal, read only): the next value of a tunable, whether a target may be
 * changed now, and whether a change is kept after its verify window.
 *
 * step_next (values are the tunable's key, tunable.h; TUNE_UNLIMITED is
 * "no limit"):
 *  1. One step moves the key in the tunable's direction: times or divided
 *     by the factor (rounded to the nearest integer), or plus or minus the
 *     amount. A factor always moves by at least 1 (x1.5 of 1 is 2).
 *  2. The result is clamped to [lo, hi], lo = the larger of the min bound
 *     and the related floor, hi = the smaller of the max bound and the
 *     related cap (step_cap_*: tcp_rmem/tcp_wmem's max by net.core.rmem_max
 *     or wmem_max and by a memory cap; a CPU quota by ncpus x period;
 *     dirty_ratio above dirty_background_ratio and the other way round;
 *     somaxconn's 65535 is its max bound already).
 *  3. When the clamped result does not move the key in the direction (it is
 *     at or past the limit already, or lo > hi), there is no step:
 *     STEP_AT_LIMIT. A value outside the bounds is never moved further out.
 *  4. Going down from "no limit" starts at hi: the first step of an
 *     unlimited CPU quota or memory.high is the cap; with no finite hi
 *     there is no step. Going up from "no limit" is never a step.
 *  5. The arithmetic saturates at the int64 limits: nothing wraps, and no
 *     step lands on TUNE_UNLIMITED (INT64_MAX) by accident.
 *
 * step_gate (one target: a tunable in a netns or a cgroup):
 *  1. Frozen: a change of the target was rolled back (it did not help) or
 *     found changed by someone else (admin_changed): it is not changed
 *     again while that entry is in the journal.
 *  2. Verifying: a change of the target is pending or applied (not yet
 *     kept or rolled back): one change at a time.
 *  3. Cooling down: the newest change of the target (any state) is less
 *     than the cooldown old.
 *
 * verify_decide (a metric before and after a change, over equal windows):
 *  1. Either number missing (NAN) or a negative threshold: VERIFY_WAIT.
 *  2. Another metric got worse (other_worse): VERIFY_ROLLBACK.
 *  3. The relative improvement (before - after) / |before| (after - before
 *     when higher is better; from 0 any gain is infinite) above 0 and at
 *     least min_rel_improvement: VERIFY_KEEP; otherwise VERIFY_ROLLBACK.
 */
#ifndef PP_TUNE_STEP_H
#define PP_TUNE_STEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "tune/config.h"
#include "tune/journal.h"
#include "tune/tunable.h"

struct step_limits {
	int64_t min, max;   /* the configured bounds */
	int64_t floor, cap; /* related limits: INT64_MIN and INT64_MAX when none */
};

/* The bounds of a tunable from the config, within what the kernel accepts. */
void step_limits_init(struct step_limits *l, const struct tunable_info *t,
		      const struct tunable_conf *tc);

/* Tighten the cap (a smaller one wins) or the floor (a larger one wins). */
void step_limit_cap(struct step_limits *l, int64_t cap);
void step_limit_floor(struct step_limits *l, int64_t floor);

/* tcp_rmem/tcp_wmem's max: net.core.rmem_max or wmem_max and a memory cap in bytes (<= 0: none). */
int64_t step_cap_tcp_buf(int64_t core_max, int64_t mem_cap);
/* A CPU quota: all CPUs for the whole period. */
int64_t step_cap_cpu_quota(int ncpus, int64_t period_us);
/* dirty_ratio stays above dirty_background_ratio, which stays below it. */
int64_t step_floor_dirty_ratio(int64_t dirty_background_ratio);
int64_t step_cap_dirty_background_ratio(int64_t dirty_ratio);

enum step_result { STEP_MOVE, STEP_AT_LIMIT };

/* The next key from cur, dir +1 up or -1 down. */
enum step_result step_next(int64_t cur, int dir, const struct tune_step *s,
			   const struct step_limits *l, int64_t *next);

/*
 * Straight to a key (a scaler's target) rather than one step: `to` clamped
 * to [lo, hi] as in step_next (never onto "no limit"); STEP_AT_LIMIT when
 * that is cur, cur is unlimited, or lo > hi.
 */
enum step_result step_to(int64_t cur, int64_t to, const struct step_limits *l, int64_t *next);

enum step_gate { GATE_OPEN, GATE_COOLDOWN, GATE_VERIFYING, GATE_FROZEN };

/* May the target be changed at `now`? When not, why in a sentence. */
enum step_gate step_gate(const struct journal *j, const struct tune_target *t, double now,
			 double cooldown_s, char *why, size_t len);

enum verify_decision { VERIFY_WAIT, VERIFY_KEEP, VERIFY_ROLLBACK };

enum verify_decision verify_decide(double metric_before, double metric_after,
				   bool lower_is_better, double min_rel_improvement,
				   bool other_worse);

#endif
