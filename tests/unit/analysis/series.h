/* SPDX-License-Identifier: GPL-2.0 */
/* Synthetic series of known truth for the analysis tests (not a test). */
#ifndef PP_SERIES_H
#define PP_SERIES_H

#include <math.h>
#include <stdint.h>
#include "unit.h"

/* Standard normal deviate (Box-Muller on the deterministic unit_rand01). */
static inline double unit_gauss(uint64_t *state)
{
	double u1 = 1.0 - unit_rand01(state); /* (0, 1], so log() is finite */
	double u2 = unit_rand01(state);

	return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

/* t[i] = i, v[i] = a + b i + sigma * N(0, 1). */
static inline void series_line(double *t, double *v, size_t n, double a, double b,
			       double sigma, uint64_t *state)
{
	size_t i;

	for (i = 0; i < n; i++) {
		t[i] = (double)i;
		v[i] = a + b * (double)i + sigma * unit_gauss(state);
	}
}

/* A level of `level` up to index k, level + shift from k on, with noise. */
static inline void series_step(double *v, size_t n, size_t k, double level, double shift,
			       double sigma, uint64_t *state)
{
	size_t i;

	for (i = 0; i < n; i++)
		v[i] = level + (i >= k ? shift : 0) + sigma * unit_gauss(state);
}

#endif
