// SPDX-License-Identifier: GPL-2.0
/* The tuner's decisions: next value, gate, verdict (rules in step.h). */
#include <math.h>
#include <stdio.h>
#include "tune/num.h"
#include "tune/step.h"

void step_limits_init(struct step_limits *l, const struct tunable_info *t,
		      const struct tunable_conf *tc)
{
	l->min = tc->min > t->hard_min ? tc->min : t->hard_min;
	l->max = tc->max < t->hard_max ? tc->max : t->hard_max;
	l->floor = INT64_MIN;
	l->cap = INT64_MAX;
}

void step_limit_cap(struct step_limits *l, int64_t cap)
{
	if (cap < l->cap)
		l->cap = cap;
}

void step_limit_floor(struct step_limits *l, int64_t floor)
{
	if (floor > l->floor)
		l->floor = floor;
}

int64_t step_cap_tcp_buf(int64_t core_max, int64_t mem_cap)
{
	int64_t cap = INT64_MAX;

	if (core_max > 0)
		cap = core_max;
	if (mem_cap > 0 && mem_cap < cap)
		cap = mem_cap;
	return cap;
}

int64_t step_cap_cpu_quota(int ncpus, int64_t period_us)
{
	return num_sat_mul(ncpus > 0 ? ncpus : 1, period_us);
}

int64_t step_floor_dirty_ratio(int64_t dirty_background_ratio)
{
	return num_sat_add(dirty_background_ratio, 1);
}

int64_t step_cap_dirty_background_ratio(int64_t dirty_ratio)
{
	return num_sat_sub(dirty_ratio, 1);
}

enum step_result step_next(int64_t cur, int dir, const struct tune_step *s,
			   const struct step_limits *l, int64_t *next)
{
	int64_t lo = l->min > l->floor ? l->min : l->floor;
	int64_t hi = l->max < l->cap ? l->max : l->cap;
	int64_t v;

	if (lo > hi || (dir > 0 && cur == TUNE_UNLIMITED))
		return STEP_AT_LIMIT;
	if (hi == TUNE_UNLIMITED) /* a step never lands on "no limit" */
		hi = TUNE_UNLIMITED - 1;
	if (dir < 0 && cur == TUNE_UNLIMITED) {
		if (hi == TUNE_UNLIMITED - 1)
			return STEP_AT_LIMIT;
		*next = hi;
		return STEP_MOVE;
	}
	if (s->factor && dir > 0)
		v = num_sat_scale(cur, s->mul);
	else if (s->factor)
		v = num_sat_divide(cur, s->mul);
	else
		v = dir > 0 ? num_sat_add(cur, s->add) : num_sat_sub(cur, s->add);
	/* a factor moves by at least 1 (a negative cur scales the wrong way) */
	if (dir > 0 && v <= cur)
		v = num_sat_add(cur, 1);
	if (dir < 0 && v >= cur)
		v = num_sat_sub(cur, 1);
	v = num_clamp(v, lo, hi);
	if (dir > 0 ? v <= cur : v >= cur)
		return STEP_AT_LIMIT;
	*next = v;
	return STEP_MOVE;
}

enum step_result step_to(int64_t cur, int64_t to, const struct step_limits *l, int64_t *next)
{
	int64_t lo = l->min > l->floor ? l->min : l->floor;
	int64_t hi = l->max < l->cap ? l->max : l->cap;
	int64_t v;

	if (lo > hi || cur == TUNE_UNLIMITED)
		return STEP_AT_LIMIT;
	if (hi == TUNE_UNLIMITED)
		hi = TUNE_UNLIMITED - 1;
	v = num_clamp(to, lo, hi);
	if (v == cur)
		return STEP_AT_LIMIT;
	*next = v;
	return STEP_MOVE;
}

enum step_gate step_gate(const struct journal *j, const struct tune_target *t, double now,
			 double cooldown_s, char *why, size_t len)
{
	const struct journal_entry *e, *newest = NULL;
	struct tune_target et;
	size_t i;

	for (i = j->n; i-- > 0;) {
		e = &j->e[i];
		journal_entry_target(e, &et);
		if (!tune_target_equal(&et, t))
			continue;
		if (!newest)
			newest = e;
		if (e->state == JS_ROLLED_BACK || e->state == JS_ADMIN_CHANGED) {
			snprintf(why, len, "frozen: change %lld was %s", (long long)e->id,
				 e->state == JS_ROLLED_BACK ? "rolled back" : "changed by someone else");
			return GATE_FROZEN;
		}
		if (e->state == JS_PENDING || e->state == JS_APPLIED) {
			snprintf(why, len, "change %lld is not verified yet", (long long)e->id);
			return GATE_VERIFYING;
		}
	}
	if (newest && now - newest->time < cooldown_s) {
		snprintf(why, len, "cooling down: changed %.0f s ago, cooldown %.0f s",
			 now - newest->time, cooldown_s);
		return GATE_COOLDOWN;
	}
	if (len)
		why[0] = 0;
	return GATE_OPEN;
}

enum verify_decision verify_decide(double before, double after, bool lower_is_better,
				   double min_rel_improvement, bool other_worse)
{
	double gain, rel;

	if (!isfinite(before) || !isfinite(after) || !(min_rel_improvement >= 0))
		return VERIFY_WAIT;
	if (other_worse)
		return VERIFY_ROLLBACK;
	gain = lower_is_better ? before - after : after - before;
	if (before != 0)
		rel = gain / fabs(before);
	else
		rel = gain > 0 ? INFINITY : gain < 0 ? -INFINITY : 0;
	return rel > 0 && rel >= min_rel_improvement ? VERIFY_KEEP : VERIFY_ROLLBACK;
}
