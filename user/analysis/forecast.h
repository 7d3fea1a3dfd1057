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

/* Fewer samples than this give no forecast. */
#define FORECAST_MIN_SAMPLES 8
/* A line explaining less than this share of the variance gives none. */
#define FORECAST_MIN_R2 0.5

/*
 * Time until v reaches limit, from the trend of t[], v[]. Refuses (ok =
 * false) when the trend is not significant, not toward the limit, or the
 * line explains the data poorly (r2 below 0.5).
 *
 * The trend is trend_fit() at TREND_ALPHA; the limit is a ceiling when the
 * fitted line at t[n-1] is below it and a floor when above. eta counts
 * from t[n-1] at the Theil-Sen rate; eta_lo and eta_hi use the ends of
 * the slope's (1 - TREND_ALPHA) interval (eta_hi is INFINITY when that
 * interval reaches zero). Returns 0 with ok = true, or -1 with ok = false
 * and a reason (rate and r2 are filled whenever a line could be fitted).
 */
int forecast_to_limit(const double *t, const double *v, size_t n, double limit,
		      struct forecast *out);

/*
 * A value ahead: where the series is expected at time `at` (after t[n-1]),
 * with a range that carries the forecast's uncertainty.
 */
struct forecast_value {
	bool ok;             /* false: no forecast (see reason) */
	const char *reason;  /* "too few samples", "no usable series ..." */
	bool trend;          /* the trend is significant at the level asked */
	double rate;         /* the Theil-Sen slope used (0 without a trend) */
	double level;        /* the series now: the line at t[n-1], or the median */
	double value;        /* expected at `at` */
	double lo, hi;       /* its range (hi may be INFINITY) */
	double spread;       /* robust sigma of the residuals (MAD x 1.4826) */
};

/* Fewer samples than this give no value ahead. */
#define FORECAST_VALUE_MIN_SAMPLES 5

/*
 * The value of t[], v[] at `at` (t increasing, at >= t[n-1]). The trend is
 * trend_fit() at alpha (the scaler takes 0.05: a missed rise costs more
 * than a false one). With a significant trend: value = the line's level at
 * t[n-1] + slope x (at - t[n-1]); lo and hi use the ends of the slope's
 * (1 - alpha) interval instead of the slope, widened by z x spread on each
 * side, z the normal quantile of 1 - alpha / 2 and spread the robust
 * sigma of the residuals around the line. Without one the series is taken
 * as flat: value = level = median(v), lo and hi = median -+ z x spread of v
 * around it. 0 with ok = true, or -1 with ok = false and a reason.
 */
int forecast_value_at(const double *t, const double *v, size_t n, double at, double alpha,
		      struct forecast_value *out);

/* 1 - SS(residual) / SS(total) of the line a + b t over t[], v[] (0 for a
 * flat series). */
double forecast_r_squared(const double *t, const double *v, size_t n, double a, double b);

/* A time to a limit, short: "45 s", "12 min", "3.5 h", "2.0 days" or
 * "never" (not finite); buf returned. */
const char *forecast_fmt_duration(double s, char *buf, size_t len);

#endif
