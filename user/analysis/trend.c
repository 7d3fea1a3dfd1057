// SPDX-License-Identifier: GPL-2.0
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "analysis/normal.h"
#include "analysis/robust.h"
#include "analysis/slopes.h"
#include "analysis/trend.h"

static int sign(double x)
{
	return (x > 0) - (x < 0);
}

/*
 * Merge sort a[0..n) (tmp is scratch of n), returning the number of pairs
 * i < j with a[i] > a[j] strictly: the discordant pairs in time order.
 */
static double sort_count(double *a, double *tmp, size_t n)
{
	size_t h = n / 2, i = 0, j = h, k = 0;
	double d;

	if (n < 2)
		return 0;
	d = sort_count(a, tmp, h) + sort_count(a + h, tmp, n - h);
	while (i < h && j < n) {
		if (a[j] < a[i]) {
			d += (double)(h - i); /* a[j] is below all of a[i..h) */
			tmp[k++] = a[j++];
		} else {
			tmp[k++] = a[i++];
		}
	}
	while (i < h)
		tmp[k++] = a[i++];
	while (j < n)
		tmp[k++] = a[j++];
	memcpy(a, tmp, n * sizeof(*a));
	return d;
}

/*
 * Mann-Kendall S (concordant minus discordant pairs in time order) and
 * Var(S) under no trend, corrected for groups of tied values; O(n log n).
 * With P pairs, T of them tied and D discordant, S = P - T - 2 D.
 */
static void mk_stat(const double *v, size_t n, double *a, double *tmp, double *s,
		    double *var)
{
	double dn = (double)n, ties = 0, d;
	size_t i, j;

	memcpy(a, v, n * sizeof(*a));
	d = sort_count(a, tmp, n);
	*var = dn * (dn - 1) * (2 * dn + 5);
	for (i = 0; i < n; i = j) {
		double g;

		for (j = i + 1; j < n && a[j] == a[i]; j++)
			;
		g = (double)(j - i);
		ties += g * (g - 1) / 2;
		*var -= g * (g - 1) * (2 * g + 5);
	}
	*var /= 18;
	*s = dn * (dn - 1) / 2 - ties - 2 * d;
}

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/*
 * The pairwise slopes into a (room for TREND_MAX_PAIRS); returns how many.
 * *total gets the number of pairs with distinct t in the whole data, which
 * the ranks of the confidence interval refer to.
 */
static size_t pair_slopes(const double *t, const double *v, size_t n, double *a,
			  double *total)
{
	double pairs = (double)n * (double)(n - 1) / 2;
	uint64_t seed = 0x5eed5eedULL ^ n;
	size_t m = 0, i, j, tries;

	if (pairs <= TREND_MAX_PAIRS) {
		for (i = 0; i + 1 < n; i++)
			for (j = i + 1; j < n; j++)
				if (t[j] != t[i])
					a[m++] = (v[j] - v[i]) / (t[j] - t[i]);
		*total = (double)m;
		return m;
	}
	/* a fixed-seed sample of pairs (with replacement); equal t are rare
	 * in a time series, so the share of usable pairs estimates the total */
	for (tries = 0; m < TREND_MAX_PAIRS && tries < 4 * (size_t)TREND_MAX_PAIRS; tries++) {
		i = (size_t)(splitmix64(&seed) % n);
		j = (size_t)(splitmix64(&seed) % n);
		if (t[j] != t[i])
			a[m++] = (v[j] - v[i]) / (t[j] - t[i]);
	}
	*total = tries ? pairs * (double)m / (double)tries : 0;
	return m;
}

/*
 * The order statistic at 0-based fractional rank pos of a[0..m), searched
 * in a[*from..m) only: the caller's earlier selections were at ranks at or
 * below this one, and kth_smallest leaves a[0..k) <= a[k] <= a[k+1..m), so
 * the value is there (the first: *from 0, the whole). *from becomes its
 * rank. Sen's interval and the slope are three ranks of one array: in
 * ascending order the two after the first search the upper half alone.
 */
static double order_stat(double *a, size_t m, double pos, size_t *from)
{
	size_t k;
	double lo, hi;

	if (pos <= 0)
		k = 0;
	else if (pos >= (double)(m - 1))
		k = m - 1;
	else
		k = (size_t)pos;
	if (k < *from) /* (not in ascending order: the whole) */
		*from = 0;
	lo = kth_smallest(a + *from, m - *from, k - *from);
	*from = k;
	if (pos <= 0 || pos >= (double)(m - 1) || pos == (double)k)
		return lo;
	/* the values above index k are at least lo: the next order statistic
	 * is the smallest of them (one pass, not another selection) */
	hi = a[k + 1];
	for (size_t i = k + 2; i < m; i++)
		if (a[i] < hi)
			hi = a[i];
	return lo + (pos - (double)k) * (hi - lo);
}

/* Rank pos among `total` slopes, mapped onto the m we hold. */
static double rank_stat(double *a, size_t m, double total, double pos, size_t *from)
{
	if (total > 1 && (double)m != total)
		pos = pos * (double)(m - 1) / (total - 1);
	return order_stat(a, m, pos, from);
}

static void trend_empty(struct trend *out, size_t n)
{
	out->n = n;
	out->slope = out->intercept = NAN;
	out->slope_lo = out->slope_hi = NAN;
	out->mk_s = out->z = 0;
	out->p = 1;
	out->significant = false;
}

static bool all_finite(const double *a, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isfinite(a[i]))
			return false;
	return true;
}

/* Mann-Kendall: S, its normal score with continuity correction, p. */
static int mann_kendall(const double *v, size_t n, double alpha, struct trend *out,
			double *var)
{
	double *scratch = malloc(2 * n * sizeof(*scratch)), s;

	if (!scratch)
		return -1;
	mk_stat(v, n, scratch, scratch + n, &s, var);
	free(scratch);
	out->mk_s = s;
	out->z = 0;
	if (*var > 0 && s != 0)
		out->z = (s - sign(s)) / sqrt(*var);
	out->p = 2 * normal_sf(fabs(out->z));
	if (out->p > 1)
		out->p = 1;
	out->significant = out->p < alpha;
	return 0;
}

/* The order statistic at 0-based fractional rank pos of all the slopes,
 * exactly (slopes.h); -1 when that cannot be had. */
static int exact_stat(const double *t, const double *v, size_t n, double pos, double *out)
{
	double k = floor(pos), lo, hi;

	if (slopes_kth2(t, v, n, k, &lo, &hi))
		return -1;
	*out = pos == k ? lo : lo + (pos - k) * (hi - lo);
	return 0;
}

/* Sen (1968): the slopes ranked (N - C)/2 and (N + C)/2 + 1 (1-based)
 * bound the interval, C = z(1 - alpha/2) sqrt(Var S); N slopes. */
static void sen_ranks(double total, double alpha, double var, double *m1, double *m2)
{
	double c = normal_quantile(1 - alpha / 2) * sqrt(var);

	*m1 = (total - c) / 2;
	*m2 = (total + c) / 2;
}

/* Theil-Sen for a long series: the exact order statistics of slopes.h. */
static int theil_sen_exact(const double *t, const double *v, size_t n, double alpha,
			   double var, struct trend *out)
{
	double total = slopes_total(n), m1, m2;

	sen_ranks(total, alpha, var, &m1, &m2);
	if (exact_stat(t, v, n, (total - 1) / 2, &out->slope))
		return -1;
	out->slope_lo = -INFINITY;
	out->slope_hi = INFINITY;
	if (m1 >= 1 && exact_stat(t, v, n, m1 - 1, &out->slope_lo))
		return -1;
	if (m2 <= total - 1 && exact_stat(t, v, n, m2, &out->slope_hi))
		return -1;
	return 0;
}

/* Theil-Sen from the listed (or sampled) slopes of pair_slopes. */
static int theil_sen_listed(const double *t, const double *v, size_t n, double alpha,
			    double var, struct trend *out)
{
	double pairs = slopes_total(n), total, m1, m2;
	size_t cap = pairs < TREND_MAX_PAIRS ? (size_t)pairs : TREND_MAX_PAIRS, m, from = 0;
	double *a = malloc((cap ? cap : 1) * sizeof(*a));

	if (!a)
		return -1;
	m = pair_slopes(t, v, n, a, &total);
	if (!m) {
		free(a);
		return -1;
	}
	sen_ranks(total, alpha, var, &m1, &m2);
	/* the ranks in ascending order: m1 - 1 <= (total - 1) / 2 <= m2 */
	out->slope_lo = m1 < 1 ? -INFINITY : rank_stat(a, m, total, m1 - 1, &from);
	out->slope = rank_stat(a, m, total, (total - 1) / 2, &from);
	out->slope_hi = m2 > total - 1 ? INFINITY : rank_stat(a, m, total, m2, &from);
	free(a);
	return 0;
}

/* Theil-Sen slope, Sen's confidence interval and the intercept. */
static int theil_sen(const double *t, const double *v, size_t n, double alpha,
		     double var, struct trend *out)
{
	double *a;
	size_t i;

	if ((slopes_total(n) <= TREND_LIST_PAIRS || theil_sen_exact(t, v, n, alpha, var, out)) &&
	    theil_sen_listed(t, v, n, alpha, var, out))
		return -1;
	a = malloc(n * sizeof(*a));
	if (!a)
		return -1;
	for (i = 0; i < n; i++)
		a[i] = v[i] - out->slope * t[i];
	out->intercept = median_inplace(a, n);
	free(a);
	return 0;
}

int trend_fit(const double *t, const double *v, size_t n, double alpha, struct trend *out)
{
	double var;

	trend_empty(out, n);
	if (n < 4 || !all_finite(t, n) || !all_finite(v, n))
		return -1;
	if (!(alpha > 0 && alpha < 1))
		alpha = TREND_ALPHA;
	if (mann_kendall(v, n, alpha, out, &var) || theil_sen(t, v, n, alpha, var, out)) {
		trend_empty(out, n);
		return -1;
	}
	return 0;
}
