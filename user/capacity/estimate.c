// SPDX-License-Identifier: GPL-2.0
/* Capacity: the trend towards a limit and the recommended limits (capacity.h). */
#include <math.h>
#include <stdlib.h>
#include "analysis/forecast.h"
#include "analysis/robust.h"
#include "analysis/trend.h"
#include "capacity/capacity.h"

#define MIB (1024.0 * 1024.0)

void cap_opts_default(struct cap_opts *o)
{
	o->cpu_percentile = CAP_CPU_PERCENTILE;
	o->headroom = CAP_HEADROOM;
	o->horizon_s = 0;
}

/*
 * forecast_to_limit's answer (analysis/forecast.h) for a ceiling, from the
 * one fit cap_trend already made: the Theil-Sen line's level at the last
 * sample, its time to the limit at the slope and at the ends of the
 * slope's interval, refused below FORECAST_MIN_R2. Fitting once halves
 * the cost of a row (the daemon computes every cgroup's each analysis).
 */
static void to_limit(const double *t, const double *v, size_t n, double t_end, double limit,
		     const struct trend *tr, struct cap_trend *out)
{
	double level = tr->intercept + tr->slope * t_end, gap = limit - level;

	out->r2 = forecast_r_squared(t, v, n, tr->intercept, tr->slope);
	if (gap <= 0) {
		out->exhaustion_s = out->exh_lo = out->exh_hi = 0;
		return;
	}
	if (out->r2 < FORECAST_MIN_R2) {
		out->why = "poor fit";
		return;
	}
	out->exhaustion_s = gap / tr->slope;
	out->exh_lo = isinf(tr->slope_hi) ? 0 : gap / tr->slope_hi;
	out->exh_hi = tr->slope_lo > 0 ? gap / tr->slope_lo : INFINITY;
}

/* More than CAP_TREND_MAX_POINTS samples: the means of runs of k
 * consecutive ones (time and value), at most that many, into bt, bv.
 * Returns how many. */
static size_t buckets(const double *t, const double *v, size_t n, double *bt, double *bv)
{
	size_t k = (n + CAP_TREND_MAX_POINTS - 1) / CAP_TREND_MAX_POINTS, i, j, m = 0;

	for (i = 0; i < n; i += k, m++) {
		size_t e = i + k < n ? i + k : n;

		bt[m] = bv[m] = 0;
		for (j = i; j < e; j++) {
			bt[m] += t[j];
			bv[m] += v[j];
		}
		bt[m] /= (double)(e - i);
		bv[m] /= (double)(e - i);
	}
	return m;
}

void cap_trend(const double *t, const double *v, size_t n, double limit, struct cap_trend *out)
{
	double *bt = NULL, *bv = NULL, t_end = n ? t[n - 1] : 0, v_end = n ? v[n - 1] : 0;
	struct trend tr;

	out->fitted = false;
	out->significant = false;
	out->rate = out->rate_lo = out->rate_hi = out->r2 = NAN;
	out->exhaustion_s = out->exh_lo = out->exh_hi = NAN;
	out->why = NULL;
	if (n < FORECAST_MIN_SAMPLES) {
		out->why = "too few samples for a trend";
		return;
	}
	if (n > CAP_TREND_MAX_POINTS) {
		bt = malloc(CAP_TREND_MAX_POINTS * sizeof(*bt));
		bv = malloc(CAP_TREND_MAX_POINTS * sizeof(*bv));
		if (!bt || !bv) {
			free(bt);
			free(bv);
			out->why = "no memory";
			return;
		}
		n = buckets(t, v, n, bt, bv);
		t = bt;
		v = bv;
	}
	if (trend_fit(t, v, n, TREND_ALPHA, &tr)) {
		out->why = "no usable series";
		goto out;
	}
	out->fitted = true;
	out->rate = tr.slope;
	out->rate_lo = tr.slope_lo;
	out->rate_hi = tr.slope_hi;
	out->significant = tr.significant;
	if (!isfinite(limit) || limit <= 0) {
		out->why = "no limit";
	} else if (v_end >= limit) {
		out->exhaustion_s = out->exh_lo = out->exh_hi = 0;
	} else if (!tr.significant || tr.slope <= 0) {
		out->why = tr.slope < 0 && tr.significant ? "shrinking" :
			   "not growing (no significant trend)";
	} else {
		to_limit(t, v, n, t_end, limit, &tr, out);
	}
out:
	free(bt);
	free(bv);
}

/* The growth the recommendation must leave room for over the horizon. */
static double growth(const struct cap_trend *tr, const struct cap_opts *o)
{
	if (!tr || !tr->significant || !(tr->rate > 0) || !(o->horizon_s > 0))
		return 0;
	return tr->rate * o->horizon_s;
}

double cap_recommend_cpu(const double *demand, size_t n, const struct cap_trend *tr,
			 const struct cap_opts *o)
{
	double q = quantile(demand, n, o->cpu_percentile);

	if (!isfinite(q))
		return NAN;
	q = (fmax(q, 0) + growth(tr, o)) * (1 + o->headroom);
	/* up to a hundredth of a core, and never nothing */
	return fmax(ceil(q * 100 - 1e-9) / 100, 0.01);
}

double cap_recommend_memory(double peak, const struct cap_trend *tr, const struct cap_opts *o)
{
	double m;

	if (!isfinite(peak) || peak < 0)
		return NAN;
	m = (peak + growth(tr, o)) * (1 + o->headroom);
	return fmax(ceil(m / MIB - 1e-9), 1) * MIB;
}
