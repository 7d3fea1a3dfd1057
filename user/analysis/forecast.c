// SPDX-License-Identifier: GPL-2.0
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "analysis/forecast.h"
#include "analysis/normal.h"
#include "analysis/robust.h"
#include "analysis/trend.h"

double forecast_r_squared(const double *t, const double *v, size_t n, double a, double b)
{
	double mean = 0, res = 0, tot = 0;
	size_t i;

	for (i = 0; i < n; i++)
		mean += v[i];
	mean /= (double)n;
	for (i = 0; i < n; i++) {
		double e = v[i] - (a + b * t[i]);

		res += e * e;
		tot += (v[i] - mean) * (v[i] - mean);
	}
	return tot > 0 ? 1 - res / tot : 0;
}

static int refuse(struct forecast *out, const char *reason)
{
	out->ok = false;
	out->reason = reason;
	return -1;
}

/* Time to cover gap at rate (INFINITY when the rate does not get there). */
static double time_at(double gap, double rate)
{
	if (rate == 0 || (gap > 0) != (rate > 0))
		return INFINITY;
	return gap / rate;
}

int forecast_to_limit(const double *t, const double *v, size_t n, double limit,
		      struct forecast *out)
{
	double level, gap, fast, slow;
	struct trend tr;

	out->rate = out->r2 = NAN;
	out->eta = out->eta_lo = out->eta_hi = NAN;
	if (n < FORECAST_MIN_SAMPLES)
		return refuse(out, "too few samples");
	if (!isfinite(limit))
		return refuse(out, "no finite limit");
	if (trend_fit(t, v, n, TREND_ALPHA, &tr))
		return refuse(out, "no usable series (non-finite values or constant time)");
	out->rate = tr.slope;
	out->r2 = forecast_r_squared(t, v, n, tr.intercept, tr.slope);
	if (!tr.significant || tr.slope == 0)
		return refuse(out, "no significant trend");
	level = tr.intercept + tr.slope * t[n - 1];
	gap = limit - level;
	if (gap == 0)
		return refuse(out, "already at the limit");
	/* a ceiling above the line, or a floor below it */
	if ((gap > 0) != (tr.slope > 0))
		return refuse(out, "not toward the limit");
	if (gap > 0 ? v[n - 1] >= limit : v[n - 1] <= limit)
		return refuse(out, "already at the limit");
	if (out->r2 < FORECAST_MIN_R2)
		return refuse(out, "poor fit");
	fast = tr.slope > 0 ? tr.slope_hi : tr.slope_lo;
	slow = tr.slope > 0 ? tr.slope_lo : tr.slope_hi;
	out->eta = gap / tr.slope;
	out->eta_lo = isinf(fast) ? 0 : time_at(gap, fast);
	out->eta_hi = time_at(gap, slow);
	out->ok = true;
	out->reason = NULL;
	return 0;
}

int forecast_value_at(const double *t, const double *v, size_t n, double at, double alpha,
		      struct forecast_value *out)
{
	double h, z, *res;
	struct trend tr;
	size_t i;

	out->ok = out->trend = false;
	out->rate = out->level = out->value = out->lo = out->hi = out->spread = NAN;
	if (n < FORECAST_VALUE_MIN_SAMPLES) {
		out->reason = "too few samples";
		return -1;
	}
	if (!(alpha > 0 && alpha < 1) || !isfinite(at) || trend_fit(t, v, n, alpha, &tr)) {
		out->reason = "no usable series (non-finite values or constant time)";
		return -1;
	}
	res = malloc(n * sizeof(*res));
	if (!res) {
		out->reason = "out of memory";
		return -1;
	}
	h = at > t[n - 1] ? at - t[n - 1] : 0;
	z = normal_quantile(1 - alpha / 2);
	out->trend = tr.significant && tr.slope != 0;
	if (out->trend) {
		for (i = 0; i < n; i++)
			res[i] = v[i] - (tr.intercept + tr.slope * t[i]);
		out->spread = mad_sigma(res, n);
		out->rate = tr.slope;
		out->level = tr.intercept + tr.slope * t[n - 1];
		out->value = out->level + tr.slope * h;
		out->hi = out->level + (h > 0 ? tr.slope_hi * h : 0) + z * out->spread;
		out->lo = out->level + (h > 0 ? tr.slope_lo * h : 0) - z * out->spread;
	} else {
		out->rate = 0;
		out->level = out->value = median(v, n);
		for (i = 0; i < n; i++)
			res[i] = v[i] - out->level;
		out->spread = mad_sigma(res, n);
		out->hi = out->level + z * out->spread;
		out->lo = out->level - z * out->spread;
	}
	free(res);
	if (isnan(out->hi))
		out->hi = INFINITY; /* a slope bound the data cannot support */
	if (isnan(out->lo))
		out->lo = -INFINITY;
	out->ok = true;
	out->reason = NULL;
	return 0;
}

const char *forecast_fmt_duration(double s, char *buf, size_t len)
{
	if (!isfinite(s))
		snprintf(buf, len, "never");
	else if (s < 120)
		snprintf(buf, len, "%.0f s", s);
	else if (s < 7200)
		snprintf(buf, len, "%.0f min", s / 60);
	else if (s < 172800)
		snprintf(buf, len, "%.1f h", s / 3600);
	else
		snprintf(buf, len, "%.1f days", s / 86400);
	return buf;
}
