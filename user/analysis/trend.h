/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trend: Theil-Sen slope (median of pairwise slopes) with a confidence
 * interval, and the Mann-Kendall test (with tie correction) so that noise
 * is not called a trend.
 */
#ifndef PP_TREND_H
#define PP_TREND_H

#include <stdbool.h>
#include <stddef.h>

struct trend {
	size_t n;
	double slope;              /* units of v per unit of t */
	double intercept;          /* median(v - slope * t) */
	double slope_lo, slope_hi; /* confidence interval of the slope */
	double mk_s;               /* Mann-Kendall S */
	double z;                  /* normal approximation of S */
	double p;                  /* two-sided p-value */
	bool significant;          /* p < alpha */
};

/*
 * Fit t[i], v[i] (t increasing). alpha is the significance level (0.05
 * typical); the confidence interval is (1 - alpha). Returns 0, or -1 when
 * n < 4 (then *out says n and significant = false).
 */
int trend_fit(const double *t, const double *v, size_t n, double alpha, struct trend *out);

#endif
