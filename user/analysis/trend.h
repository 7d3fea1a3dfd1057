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

/*
 * The default level for "a trend was found": 1 % keeps the false alarms on
 * pure noise well under 2 % (5 % would fire on about one noise series in 20).
 */
#define TREND_ALPHA 0.01

/*
 * Theil-Sen lists every pair's slope up to TREND_LIST_PAIRS pairs (n up to
 * 362). Beyond, it takes the exact order statistics without listing them
 * (slopes.h: expected O(n log n); 14,400 points take about 10 ms). Only
 * when that cannot be had (t not strictly increasing) does it fall back to
 * every pair up to TREND_MAX_PAIRS (n up to about 2,000) and beyond that
 * to as many pairs drawn by a fixed-seed generator, so the result is
 * repeatable. The Mann-Kendall S is always exact (O(n log n)).
 */
#define TREND_LIST_PAIRS (1u << 16)
#define TREND_MAX_PAIRS (1u << 21)

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
 * typical, TREND_ALPHA the project's default); the confidence interval
 * is (1 - alpha), Sen's rank-based interval from the Kendall variance, and
 * a bound the data cannot support at that level is -INFINITY / INFINITY.
 * Returns 0, or -1 when n < 4, a value is not finite, all t are equal or
 * memory runs out (then *out says n and significant = false, p = 1).
 */
int trend_fit(const double *t, const double *v, size_t n, double alpha, struct trend *out);

#endif
