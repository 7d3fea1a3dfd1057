/* SPDX-License-Identifier: GPL-2.0 */
/* Medians and their distribution-free confidence intervals, for the
 * benchmarks in tools/bench that compare paired runs (dispatch.c,
 * interleave.c). */
#ifndef PP_BENCH_ORDERSTAT_H
#define PP_BENCH_ORDERSTAT_H

#include <math.h>
#include <stdlib.h>

static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of v[0..n-1] (n > 0), which it sorts. */
static inline double median_sort(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(double), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The k (1-based) with P(Binomial(n, 1/2) < k) <= 2.5 %: [x_k, x_(n+1-k)]
 * of the sorted values covers their median with 95 % or more, from n = 6
 * on; below, k = 1 (the whole range) is the most there is: ci_coverage
 * tells how much. */
static inline int ci_rank(int n)
{
	double p = 1.0 / (double)(1ULL << (n > 60 ? 60 : n)), cum = 0, c = 1;
	int k;

	if (n > 60) { /* normal approximation */
		int r = (int)((n - 1.96 * sqrt((double)n)) / 2.0);
		return r < 1 ? 1 : r;
	}
	for (k = 0; k <= n; k++) {
		if (cum + c * p > 0.025)
			return k < 1 ? 1 : k;
		cum += c * p;
		c = c * (double)(n - k) / (double)(k + 1);
	}
	return 1;
}

/* The probability that [x_k, x_(n+1-k)] of n sorted values covers their
 * median: 1 - 2 P(Binomial(n, 1/2) < k), the terms in logarithms (no
 * underflow for large n). */
static inline double ci_coverage(int n, int k)
{
	double cum = 0;
	int i;

	for (i = 0; i < k; i++)
		cum += exp(lgamma(n + 1.0) - lgamma(i + 1.0) - lgamma(n - i + 1.0) - n * log(2.0));
	return 1 - 2 * cum;
}

#endif
