/* SPDX-License-Identifier: GPL-2.0 */
/* Robust location and scale: median, quantiles, MAD. Pure functions. */
#ifndef PP_ROBUST_H
#define PP_ROBUST_H

#include <stddef.h>

/* Median of v[0..n) (v is not modified); NAN when n == 0. */
double median(const double *v, size_t n);

/* Quantile q in [0,1] with linear interpolation; NAN when n == 0. */
double quantile(const double *v, size_t n, double q);

/* Median absolute deviation scaled to estimate a normal sigma (x 1.4826). */
double mad_sigma(const double *v, size_t n);

#endif
