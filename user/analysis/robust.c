// SPDX-License-Identifier: GPL-2.0
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include "analysis/robust.h"

static void swap(double *a, double *b)
{
	double t = *a;

	*a = *b;
	*b = t;
}

/*
 * Quickselect with a pivot drawn by a fixed-seed generator (expected O(n)
 * whatever the order of the input, and repeatable) and a three-way
 * partition (Dutch flag), so runs of equal values cannot make it quadratic.
 */
double kth_smallest(double *a, size_t n, size_t k)
{
	size_t lo = 0, hi = n; /* the answer is in a[lo..hi) */
	uint64_t seed = 0x9e3779b97f4a7c15ULL;

	if (!n || k >= n)
		return NAN;
	while (hi - lo > 1) {
		size_t lt = lo, i = lo, gt = hi;
		double p;

		seed ^= seed << 13; /* xorshift64 */
		seed ^= seed >> 7;
		seed ^= seed << 17;
		p = a[lo + (size_t)(seed % (hi - lo))];
		while (i < gt) {
			if (a[i] < p)
				swap(&a[lt++], &a[i++]);
			else if (a[i] > p)
				swap(&a[i], &a[--gt]);
			else
				i++;
		}
		/* a[lo..lt) < p, a[lt..gt) == p, a[gt..hi) > p */
		if (k < lt)
			hi = lt;
		else if (k >= gt)
			lo = gt;
		else
			return p;
	}
	return a[lo];
}

static double min_of(const double *a, size_t n)
{
	double m = a[0];
	size_t i;

	for (i = 1; i < n; i++)
		if (a[i] < m)
			m = a[i];
	return m;
}

double median_inplace(double *a, size_t n)
{
	double lo;

	if (!n)
		return NAN;
	lo = kth_smallest(a, n, (n - 1) / 2);
	if (n % 2)
		return lo;
	/* everything after index (n-1)/2 is >= lo; the next order statistic
	 * is the smallest of them */
	return (lo + min_of(a + n / 2, n - n / 2)) / 2;
}

/* A malloc'd copy of the non-NaN values of v; *m gets their count. */
static double *copy_finite(const double *v, size_t n, size_t *m)
{
	double *a;
	size_t i;

	*m = 0;
	if (!n)
		return NULL;
	a = malloc(n * sizeof(*a));
	if (!a)
		return NULL;
	for (i = 0; i < n; i++)
		if (!isnan(v[i]))
			a[(*m)++] = v[i];
	return a;
}

double median(const double *v, size_t n)
{
	size_t m;
	double *a = copy_finite(v, n, &m), r;

	if (!a)
		return NAN;
	r = median_inplace(a, m);
	free(a);
	return r;
}

double quantile(const double *v, size_t n, double q)
{
	double *a, lo, h, r;
	size_t m, k;

	if (isnan(q))
		return NAN;
	if (q < 0)
		q = 0;
	if (q > 1)
		q = 1;
	a = copy_finite(v, n, &m);
	if (!a)
		return NAN;
	if (!m) {
		free(a);
		return NAN;
	}
	h = q * (double)(m - 1); /* position between order statistics */
	k = (size_t)h;
	if (k >= m - 1)
		k = m - 1;
	lo = kth_smallest(a, m, k);
	r = lo;
	if (k + 1 < m && h > (double)k)
		r = lo + (h - (double)k) * (min_of(a + k + 1, m - k - 1) - lo);
	free(a);
	return r;
}

double mad_sigma(const double *v, size_t n)
{
	double *a, med, r;
	size_t m, i;

	a = copy_finite(v, n, &m);
	if (!a)
		return NAN;
	med = median_inplace(a, m);
	for (i = 0; i < m; i++)
		a[i] = fabs(a[i] - med);
	r = MAD_SCALE * median_inplace(a, m);
	free(a);
	return r;
}

double winsorized_sigma(const double *v, size_t n, double center, double s0)
{
	/* E[min(Z^2, c^2)] for a standard normal Z at c = 2.5:
	 * 1 - 2 c phi(c) - 2 Q(c) + 2 c^2 Q(c) */
	const double c = 2.5, kappa = 0.97755998;
	double lim = c * s0, sum = 0;
	size_t i, m = 0;

	if (!n || !(s0 > 0))
		return NAN;
	for (i = 0; i < n; i++) {
		double d = v[i] - center;

		if (isnan(d))
			continue;
		sum += fabs(d) < lim ? d * d : lim * lim;
		m++;
	}
	return m ? sqrt(sum / (double)m / kappa) : NAN;
}
