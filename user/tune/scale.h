/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Scaling a cgroup's CPU quota with its demand (cpu_quota's --scaling):
 * the decisions only, pure functions of their arguments. cpu_quota.c reads
 * the cgroup, keeps the history and turns a decision into a proposal that
 * the cycle applies through the journal.
 *
 * Demand: the CPUs the cgroup wanted over an interval, its usage plus the
 * time it was throttled (cpu.stat), at most all the CPUs. All values here
 * are in CPUs (a quota of 30000 µs per 100000 µs period is 0.3).
 *
 * scale_decide, from the history and the quota now:
 *  1. Scale out (raise the quota), at most once per scale-out cooldown
 *     (counted from the last raise):
 *     - reactive: the latest interval was throttled in at least
 *       SCALE_THROTTLED_SHARE of its periods → one configured step up (as
 *       the tuner does without scaling);
 *     - predictive: the forecast of the demand at now + horizon
 *       (forecast_value_at at SCALE_ALPHA over the latest
 *       scale_fit_samples() intervals) reaches the quota → its upper bound
 *       plus headroom; when the interval was throttled too, at least the
 *       reactive step. "Reaches": with a significant trend that is not
 *       falling, the forecast's value is at or above the quota; without a
 *       trend, its upper bound (the noise band) is. A trend is not taken on
 *       its upper bound alone: one series in 20 of pure noise shows a
 *       trend at 5 %, and its wide slope interval would raise the quota
 *       for nothing.
 *  2. Scale in (lower it), both modes, once the scale-in cooldown has
 *     passed since the last change of either direction and the history
 *     covers that long (the scale-in window): when no interval of the
 *     window was throttled as above, the target is the window's peak
 *     demand plus headroom (predictive: at least the forecast's upper bound
 *     plus headroom), and only when it lowers the quota by at least
 *     SCALE_IN_MIN_CUT of it.
 *  3. The target is clamped to [floor, cap] (cpu_quota: the floor is the
 *     quota before perfpilot's first change, or the tunable's min if higher;
 *     the cap the tunable's max, all CPUs, and for a raise the quota plus
 *     the host's idle CPUs). A target that does not move the quota the way
 *     asked is no change.
 *
 * Hysteresis: a raise lands at the upper bound plus headroom, so the next
 * one needs the bound to grow by the headroom first; a scale-in lands at or
 * above what a raise would ask now (peak and forecast plus headroom) and
 * must cut at least SCALE_IN_MIN_CUT; the two cooldowns space them. A
 * steady demand therefore moves the quota once and then holds it.
 */
#ifndef PP_TUNE_SCALE_H
#define PP_TUNE_SCALE_H

#include <stdbool.h>
#include <stddef.h>

enum scale_mode { SCALE_OFF, SCALE_REACTIVE, SCALE_PREDICTIVE };

/* "off", "reactive", "predictive"; scale_mode_parse: 0, or -1 if none of them */
const char *scale_mode_name(enum scale_mode m);
int scale_mode_parse(const char *s, enum scale_mode *m);

#define SCALE_OUT_COOLDOWN_S 300.0
#define SCALE_IN_COOLDOWN_S 600.0
#define SCALE_HEADROOM 0.2
#define SCALE_THROTTLED_SHARE 0.20 /* of the periods of an interval */
#define SCALE_IN_MIN_CUT 0.20      /* a scale-in lowers the quota at least this share */
#define SCALE_ALPHA 0.05           /* the forecast's level: a missed rise costs more */
#define SCALE_HISTORY 1024         /* intervals kept */
#define SCALE_FIT_MIN 10           /* intervals the trend is fitted on, at least */
#define SCALE_FIT_MAX 120          /* and at most */

struct scale_conf {
	enum scale_mode mode;
	double out_cooldown_s;  /* between two raises */
	double in_cooldown_s;   /* from any change to a scale-in, and the window */
	double horizon_s;       /* how far ahead; <= 0: scale_horizon's default */
	double headroom;        /* the target is demand x (1 + headroom) */
};

void scale_conf_defaults(struct scale_conf *c);

/* The horizon: the configured one, else the scale-out cooldown (a raise
 * must last until the next may come), at least SCALE_FIT_MIN intervals. */
double scale_horizon(const struct scale_conf *c, double interval_s);

/* Intervals the trend is fitted on: the horizon's worth, within
 * [SCALE_FIT_MIN, SCALE_FIT_MAX]. */
size_t scale_fit_samples(const struct scale_conf *c, double interval_s);

/* The latest intervals of one cgroup, oldest first. */
struct scale_history {
	double t[SCALE_HISTORY];      /* unix seconds at the end of the interval */
	double demand[SCALE_HISTORY]; /* CPUs */
	double share[SCALE_HISTORY];  /* throttled periods / periods */
	size_t n;
};

void scale_history_add(struct scale_history *h, double t, double demand, double share);

struct scale_input {
	double now, interval_s;
	double quota;       /* CPUs now */
	double floor, cap;  /* the lowest and highest quota it may set */
	double raise_cap;   /* a raise also stays at or below this (quota + idle CPUs) */
	double step_up;     /* the quota one configured step up (reactive) */
	double last_out;    /* unix seconds of the last raise, -INFINITY: none */
	double last_change; /* of the last change of either direction */
};

enum scale_dir { SCALE_HOLD, SCALE_OUT, SCALE_IN };

struct scale_decision {
	enum scale_dir dir;
	double target;       /* the quota to set (not HOLD) */
	double demand;       /* the latest interval's */
	double share;        /* its throttled share */
	double peak;         /* the peak demand of the scale-in window so far */
	double horizon_s;
	bool forecast;       /* predictive: a forecast was made */
	bool trend;          /* ... with a significant trend */
	double rate;         /* its slope, CPUs per second (0 without a trend) */
	double value, upper; /* its value and upper bound at now + horizon */
	bool ahead;          /* the forecast reaches the quota (a predictive raise) */
	const char *why;     /* HOLD: why, in a few words */
};

void scale_decide(const struct scale_conf *c, const struct scale_history *h,
		  const struct scale_input *in, struct scale_decision *d);

#endif
