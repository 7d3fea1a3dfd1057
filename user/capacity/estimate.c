// SPDX-License-Identifier: GPL-2.0
/* Capacity: the trend towards a limit and the recommended limits (capacity.h). */
#include <math.h>
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

void cap_trend(const double *t, const double *v, size_t n, double limit, struct cap_trend *out)
{
	struct forecast f;
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
	if (trend_fit(t, v, n, TREND_ALPHA, &tr)) {
		out->why = "no usable series";
		return;
	}
	out->fitted = true;
	out->rate = tr.slope;
	out->rate_lo = tr.slope_lo;
	out->rate_hi = tr.slope_hi;
	out->significant = tr.significant;
	if (!isfinite(limit) || limit <= 0) {
		out->why = "no limit";
		return;
	}
	if (v[n - 1] >= limit) {
		out->exhaustion_s = out->exh_lo = out->exh_hi = 0;
		return;
	}
	if (!tr.significant || tr.slope <= 0) {
		out->why = tr.slope < 0 && tr.significant ? "shrinking" : "not growing (no significant trend)";
		return;
	}
	if (forecast_to_limit(t, v, n, limit, &f)) {
		out->r2 = f.r2;
		out->why = f.reason;
		return;
	}
	out->r2 = f.r2;
	out->exhaustion_s = f.eta;
	out->exh_lo = f.eta_lo;
	out->exh_hi = f.eta_hi;
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
