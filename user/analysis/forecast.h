/* SPDX-License-Identifier: GPL-2.0 */
/* Forecast: when will a growing series reach a limit, and how sure is it. */
#ifndef PP_FORECAST_H
#define PP_FORECAST_H

#include <stdbool.h>
#include <stddef.h>

struct forecast {
	bool ok;             /* false: no forecast (see reason) */
	const char *reason;  /* why not: "too few samples", "no significant growth",
				"poor fit", "already at the limit", ... */
	double rate;         /* growth per unit of t (Theil-Sen slope) */
	double eta;          /* time from t[n-1] until v reaches limit */
	double eta_lo, eta_hi; /* range from the slope's confidence interval
				  (eta_hi may be INFINITY) */
	double r2;           /* fit quality of the line */
};

/*
 * Time until v reaches limit, from the trend of t[], v[]. Refuses (ok =
 * false) when the trend is not significant, not toward the limit, or the
 * line explains the data poorly (r2 below 0.5).
 */
int forecast_to_limit(const double *t, const double *v, size_t n, double limit,
		      struct forecast *out);

#endif
