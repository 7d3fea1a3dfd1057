/* SPDX-License-Identifier: GPL-2.0 */
/* The standard normal distribution: density, tails and quantiles. */
#ifndef PP_NORMAL_H
#define PP_NORMAL_H

/* Density phi(x). */
double normal_pdf(double x);

/* Upper tail P(Z > x), accurate far into the tail. */
double normal_sf(double x);

/* The x with P(Z <= x) = p, for 0 < p < 1 (-INFINITY at 0, INFINITY at 1). */
double normal_quantile(double p);

#endif
