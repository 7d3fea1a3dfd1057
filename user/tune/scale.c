// SPDX-License-Identifier: GPL-2.0
/* Scaling a CPU quota with its demand: the decisions (rules in scale.h). */
#include <math.h>
#include <string.h>
#include "analysis/forecast.h"
#include "tune/scale.h"

static const char *const mode_names[] = {"off", "reactive", "predictive"};

const char *scale_mode_name(enum scale_mode m)
{
	return (unsigned)m < sizeof(mode_names) / sizeof(mode_names[0]) ? mode_names[m] : "?";
}

int scale_mode_parse(const char *s, enum scale_mode *m)
{
	size_t i;

	for (i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++)
		if (s && !strcmp(s, mode_names[i])) {
			*m = (enum scale_mode)i;
			return 0;
		}
	return -1;
}

void scale_conf_defaults(struct scale_conf *c)
{
	c->mode = SCALE_OFF;
	c->out_cooldown_s = SCALE_OUT_COOLDOWN_S;
	c->in_cooldown_s = SCALE_IN_COOLDOWN_S;
	c->horizon_s = 0;
	c->headroom = SCALE_HEADROOM;
}

double scale_horizon(const struct scale_conf *c, double interval_s)
{
	double least = SCALE_FIT_MIN * (interval_s > 0 ? interval_s : 1);

	if (c->horizon_s > 0)
		return c->horizon_s;
	return c->out_cooldown_s > least ? c->out_cooldown_s : least;
}

size_t scale_fit_samples(const struct scale_conf *c, double interval_s)
{
	double n = scale_horizon(c, interval_s) / (interval_s > 0 ? interval_s : 1);

	if (!(n >= SCALE_FIT_MIN))
		return SCALE_FIT_MIN;
	if (n > SCALE_FIT_MAX)
		return SCALE_FIT_MAX;
	return (size_t)(n + 0.5);
}

void scale_history_add(struct scale_history *h, double t, double demand, double share)
{
	if (!isfinite(t) || !isfinite(demand) || !isfinite(share))
		return;
	if (h->n == SCALE_HISTORY) {
		memmove(h->t, h->t + 1, (SCALE_HISTORY - 1) * sizeof(h->t[0]));
		memmove(h->demand, h->demand + 1, (SCALE_HISTORY - 1) * sizeof(h->demand[0]));
		memmove(h->share, h->share + 1, (SCALE_HISTORY - 1) * sizeof(h->share[0]));
		h->n--;
	}
	h->t[h->n] = t;
	h->demand[h->n] = demand < 0 ? 0 : demand;
	h->share[h->n] = share;
	h->n++;
}

static double clamp(double v, double lo, double hi)
{
	if (v > hi)
		v = hi;
	if (v < lo)
		v = lo;
	return v;
}

/* The forecast of the demand at now + horizon over the latest intervals. */
static void predict(const struct scale_conf *c, const struct scale_history *h,
		    const struct scale_input *in, struct scale_decision *d)
{
	size_t n = scale_fit_samples(c, in->interval_s), k;
	struct forecast_value fv;

	if (n > h->n)
		n = h->n;
	k = h->n - n;
	if (forecast_value_at(h->t + k, h->demand + k, n, in->now + d->horizon_s, SCALE_ALPHA,
			      &fv) || !isfinite(fv.hi))
		return; /* too few intervals to bound it yet */
	d->forecast = true;
	d->trend = fv.trend;
	d->rate = fv.rate;
	d->value = fv.value < 0 ? 0 : fv.value;
	d->upper = fv.hi < 0 ? 0 : fv.hi;
}

void scale_decide(const struct scale_conf *c, const struct scale_history *h,
		  const struct scale_input *in, struct scale_decision *d)
{
	double grow = 1 + c->headroom, want = NAN, hi, tol = 0.25 * in->interval_s;
	bool throttled, window_throttled = false;
	size_t i;

	memset(d, 0, sizeof(*d));
	d->dir = SCALE_HOLD;
	d->target = in->quota;
	d->value = d->upper = NAN;
	d->horizon_s = scale_horizon(c, in->interval_s);
	if (c->mode == SCALE_OFF) {
		d->why = "scaling is off";
		return;
	}
	if (!h->n) {
		d->why = "no interval observed yet";
		return;
	}
	d->demand = h->demand[h->n - 1];
	d->share = h->share[h->n - 1];
	throttled = d->share >= SCALE_THROTTLED_SHARE;
	/* the scale-in window: the latest in_cooldown seconds */
	for (i = h->n; i-- > 0 && h->t[i] > in->now - c->in_cooldown_s + 1e-6;) {
		if (h->demand[i] > d->peak)
			d->peak = h->demand[i];
		if (h->share[i] >= SCALE_THROTTLED_SHARE)
			window_throttled = true;
	}
	if (c->mode == SCALE_PREDICTIVE)
		predict(c, h, in, d);

	/* 1. scale out */
	if (throttled)
		want = in->step_up;
	/* the forecast reaches the quota: its value on a trend that is not
	 * falling, or without a trend its noise band (the upper bound) */
	if (d->forecast && d->rate >= 0 && (d->trend ? d->value : d->upper) >= in->quota) {
		d->ahead = true;
		if (!(d->upper * grow <= want))
			want = d->upper * grow;
	}
	if (!isnan(want)) {
		if (in->now - in->last_out < c->out_cooldown_s) {
			d->why = "within the scale-out cooldown";
			return;
		}
		hi = in->cap < in->raise_cap ? in->cap : in->raise_cap;
		d->target = clamp(want, in->floor, hi);
		if (d->target > in->quota) {
			d->dir = SCALE_OUT;
			return;
		}
		d->target = in->quota;
		d->why = "at its cap";
		return;
	}

	/* 2. scale in */
	if (in->now - in->last_change < c->in_cooldown_s) {
		d->why = "within the scale-in cooldown";
		return;
	}
	if (h->t[0] - in->interval_s > in->now - c->in_cooldown_s + tol) {
		d->why = "not observed for a scale-in cooldown yet";
		return;
	}
	if (window_throttled) {
		d->why = "throttled within the scale-in window";
		return;
	}
	want = d->peak * grow;
	if (d->forecast && d->upper * grow > want)
		want = d->upper * grow;
	want = clamp(want, in->floor, in->cap);
	if (want > in->quota * (1 - SCALE_IN_MIN_CUT)) {
		d->why = "within the hysteresis band";
		return;
	}
	d->dir = SCALE_IN;
	d->target = want;
}
