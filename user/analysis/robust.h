/* SPDX-License-Identifier: GPL-2.0 */
/* Robust location and scale: median, quantiles, MAD. Pure functions. */
#ifndef PP_ROBUST_H
#define PP_ROBUST_H

#include <stddef.h>

/*
 * NaN values are ignored by median, quantile and mad_sigma (a series with
 * gaps still has a median); the result is NAN when nothing is left.
 */

/* Median of v[0..n) (v is not modified); NAN when n == 0. */
double median(const double *v, size_t n);

/* Quantile q in [0,1] with linear interpolation; NAN when n == 0. */
double quantile(const double *v, size_t n, double q);

/* Median absolute deviation scaled to estimate a normal sigma (x 1.4826). */
double mad_sigma(const double *v, size_t n);

/* Consistency factor of the MAD for normal data: sigma = MAD_SCALE * MAD. */
#define MAD_SCALE 1.4826

/*
 * A more efficient robust sigma, given a robust start s0 > 0 (such as
 * mad_sigma): the RMS of v - center winsorized at +-2.5 s0, scaled to be
 * consistent for normal data. About twice as efficient as the MAD (so a
 * z-score against it has lighter tails) and still bounded against
 * outliers. NAN when n == 0 or s0 is not > 0.
 */
double winsorized_sigma(const double *v, size_t n, double center, double s0);

/*
 * In-place helpers for callers that own a scratch copy (no NaN allowed):
 * the k-th smallest (0-based) of a[0..n), reordering a (expected O(n));
 * and the median of a[0..n), reordering a. NAN when n == 0.
 */
double kth_smallest(double *a, size_t n, size_t k);
double median_inplace(double *a, size_t n);

#endif
