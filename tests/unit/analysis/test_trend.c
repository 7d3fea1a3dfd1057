// SPDX-License-Identifier: GPL-2.0
/* analysis/trend.c: Theil-Sen slope, Sen's interval, Mann-Kendall test. */
#include <math.h>
#include <stdlib.h>
#include "series.h"
#include "analysis/normal.h"
#include "analysis/trend.h"

#define N 60

static void test_normal_quantiles(void **state)
{
	double p;

	(void)state;
	assert_dbl_near(normal_quantile(0.975), 1.959963984540054, 1e-12);
	assert_dbl_near(normal_quantile(0.995), 2.575829303548901, 1e-12);
	assert_dbl_near(normal_quantile(0.5), 0, 1e-15);
	assert_dbl_near(normal_quantile(0.001), -3.090232306167813, 1e-11);
	assert_true(isinf(normal_quantile(1)) && normal_quantile(1) > 0);
	assert_true(isnan(normal_quantile(1.5)));
	for (p = 1e-6; p < 1; p *= 3)
		assert_dbl_near(normal_sf(-normal_quantile(p)), p, p * 1e-9);
	assert_dbl_near(normal_sf(1.959963984540054), 0.025, 1e-15);
}

static void test_hand_computed_with_ties(void **state)
{
	double t[] = { 0, 1, 2, 3 }, v[] = { 1, 2, 2, 3 };
	struct trend tr;

	(void)state;
	assert_int_equal(trend_fit(t, v, 4, 0.05, &tr), 0);
	assert_int_equal(tr.n, 4);
	/* 5 concordant pairs and one tie; Var = (4*3*13 - 2*1*9) / 18 */
	assert_dbl_eq(tr.mk_s, 5);
	assert_dbl_near(tr.z, 4 / sqrt(138.0 / 18), 1e-12);
	assert_dbl_near(tr.p, 0.1485617748918687, 1e-12);
	assert_false(tr.significant);
	/* slopes 0 .5 .5 .667 1 1: median (0.5 + 0.667) / 2 */
	assert_dbl_near(tr.slope, 7.0 / 12, 1e-12);
	/* v - slope t = 1, 1.417, 0.833, 1.25: median 1.125 */
	assert_dbl_near(tr.intercept, 1.125, 1e-12);
	/* four points cannot bound a 95 % interval */
	assert_true(isinf(tr.slope_lo) && tr.slope_lo < 0);
	assert_true(isinf(tr.slope_hi) && tr.slope_hi > 0);
}

static void test_exact_line(void **state)
{
	double t[10], v[10];
	struct trend tr;
	size_t i;

	(void)state;
	for (i = 0; i < 10; i++) {
		t[i] = 0.5 * (double)i;
		v[i] = 1 - 3 * t[i];
	}
	assert_int_equal(trend_fit(t, v, 10, 0.05, &tr), 0);
	assert_dbl_near(tr.slope, -3, 1e-12);
	assert_dbl_near(tr.intercept, 1, 1e-12);
	assert_dbl_near(tr.slope_lo, -3, 1e-12);
	assert_dbl_near(tr.slope_hi, -3, 1e-12);
	assert_dbl_eq(tr.mk_s, -45);
	/* z = (-45 + 1) / sqrt(10*9*25/18) */
	assert_dbl_near(tr.z, -44 / sqrt(125), 1e-12);
	assert_true(tr.p < 1e-4);
	assert_true(tr.significant);
}

static void test_refuses_bad_input(void **state)
{
	double t[] = { 0, 1, 2, 3, 4 }, v[] = { 1, 2, 3, 4, 5 }, same[] = { 2, 2, 2, 2, 2 };
	struct trend tr;

	(void)state;
	assert_int_equal(trend_fit(t, v, 3, 0.05, &tr), -1);
	assert_int_equal(tr.n, 3);
	assert_false(tr.significant);
	assert_dbl_eq(tr.p, 1);
	v[2] = NAN;
	assert_int_equal(trend_fit(t, v, 5, 0.05, &tr), -1);
	assert_false(tr.significant);
	v[2] = 3;
	assert_int_equal(trend_fit(same, v, 5, 0.05, &tr), -1); /* all t equal */
	/* a constant series fits, flat and not significant */
	assert_int_equal(trend_fit(t, same, 5, 0.05, &tr), 0);
	assert_dbl_eq(tr.slope, 0);
	assert_dbl_eq(tr.intercept, 2);
	assert_dbl_eq(tr.p, 1);
	assert_false(tr.significant);
}

static void test_s_matches_pairs(void **state)
{
	double t[300], v[300];
	size_t round, n, i, j;
	uint64_t rng = 3;
	struct trend tr;

	(void)state;
	for (round = 0; round < 50; round++) {
		long long s = 0;

		n = 4 + (size_t)(unit_rand(&rng) % 297);
		for (i = 0; i < n; i++) {
			t[i] = (double)i;
			/* ties on odd rounds, a drift on every third */
			v[i] = round % 2 ? (double)(unit_rand(&rng) % 4) : unit_gauss(&rng);
			v[i] += round % 3 ? 0 : 0.01 * (double)i;
		}
		for (i = 0; i < n; i++)
			for (j = i + 1; j < n; j++)
				s += (v[j] > v[i]) - (v[j] < v[i]);
		assert_int_equal(trend_fit(t, v, n, 0.05, &tr), 0);
		assert_dbl_eq(tr.mk_s, (double)s);
	}
}

/* Least squares slope, to show what the outliers do to a non-robust fit. */
static double ols_slope(const double *t, const double *v, size_t n)
{
	double mt = 0, mv = 0, sxy = 0, sxx = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		mt += t[i] / (double)n;
		mv += v[i] / (double)n;
	}
	for (i = 0; i < n; i++) {
		sxy += (t[i] - mt) * (v[i] - mv);
		sxx += (t[i] - mt) * (t[i] - mt);
	}
	return sxy / sxx;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * A slope of 2.5/s over 60 s (a rise of 147.5) is recovered within 10 %
 * and found significant. The standard error of any slope estimate here is
 * sigma / 134 (sigma / sqrt(sum (t - mean)^2)), so the 10 % bound holds for
 * every series only while sigma is well under rise / 4 (at rise / 4 one
 * series in three is off by more than 10 %, for least squares too): at
 * rise / 16 all 200 must be within 10 %; at rise / 4 the typical (median)
 * error must be, and the interval must cover the truth.
 */
static void slope_recovery(double sigma, bool all_within, uint64_t seed)
{
	double t[N], v[N], err[200], rise = 2.5 * (N - 1);
	size_t s, covered = 0, within = 0;
	uint64_t rng = seed;
	struct trend tr;

	for (s = 0; s < 200; s++) {
		series_line(t, v, N, 40, 2.5, sigma * rise, &rng);
		assert_int_equal(trend_fit(t, v, N, TREND_ALPHA, &tr), 0);
		assert_true(tr.significant);
		assert_true(tr.z > 0);
		err[s] = fabs(tr.slope - 2.5) / 2.5;
		within += err[s] <= 0.10;
		covered += tr.slope_lo <= 2.5 && 2.5 <= tr.slope_hi;
		assert_true(tr.slope_lo <= tr.slope && tr.slope <= tr.slope_hi);
	}
	qsort(err, 200, sizeof(*err), cmp);
	print_message("sigma = rise * %.4g: within 10 %%: %zu/200, median error %.1f %%, "
		      "99 %% interval covers the truth %zu/200\n",
		      sigma, within, 100 * (err[99] + err[100]) / 2, covered);
	if (all_within)
		assert_int_equal(within, 200);
	assert_dbl_le((err[99] + err[100]) / 2, 0.10);
	assert_true(covered >= 190); /* nominal 99 % */
}

static void test_known_slope(void **state)
{
	(void)state;
	slope_recovery(1.0 / 16, true, 1);
	slope_recovery(1.0 / 4, false, 2);
}

static void test_outliers(void **state)
{
	double t[N], v[N], rise = 2.5 * (N - 1);
	size_t wild[] = { 3, 17, 40, 52, 58, 59 }, i;
	uint64_t rng = 99;
	struct trend tr;

	(void)state;
	series_line(t, v, N, 40, 2.5, rise / 16, &rng);
	for (i = 0; i < sizeof(wild) / sizeof(wild[0]); i++)
		v[wild[i]] += (i % 2 ? -1 : 1) * 50 * rise; /* 6 wild points of 60 */
	assert_int_equal(trend_fit(t, v, N, TREND_ALPHA, &tr), 0);
	assert_dbl_near(tr.slope, 2.5, 0.25);
	assert_true(tr.significant);
	assert_true(tr.slope_lo <= 2.5 && 2.5 <= tr.slope_hi);
	/* the same points throw least squares far off */
	assert_true(fabs(ols_slope(t, v, N) - 2.5) > 2.5);
}

/* The share of noise series (n = 60) called a trend at level alpha. */
static double noise_rate(double alpha, double (*gen)(uint64_t *), uint64_t seed,
			 double *below_half)
{
	double t[N], v[N];
	size_t s, i, fired = 0, half = 0;
	uint64_t rng = seed;
	struct trend tr;

	for (s = 0; s < 1000; s++) {
		for (i = 0; i < N; i++) {
			t[i] = (double)i;
			v[i] = gen(&rng);
		}
		assert_int_equal(trend_fit(t, v, N, alpha, &tr), 0);
		fired += tr.significant;
		half += tr.p < 0.5;
	}
	if (below_half)
		*below_half = (double)half / 1000;
	return (double)fired / 1000;
}

static double gauss(uint64_t *rng)
{
	return 100 + 5 * unit_gauss(rng);
}

/* Small integers: most values are tied (a queue length, a count). */
static double small_int(uint64_t *rng)
{
	return (double)(unit_rand(rng) % 3);
}

static void test_noise_is_not_a_trend(void **state)
{
	double r1, r5, half, ri;

	(void)state;
	r1 = noise_rate(TREND_ALPHA, gauss, 11, &half);
	r5 = noise_rate(0.05, gauss, 11, NULL);
	ri = noise_rate(TREND_ALPHA, small_int, 12, NULL);
	print_message("noise: fired %.1f %% at alpha %.2g, %.1f %% at 0.05, "
		      "%.1f %% on tied integers; p < 0.5 in %.1f %%\n",
		      100 * r1, TREND_ALPHA, 100 * r5, 100 * ri, 100 * half);
	assert_dbl_le(r1, 0.02);
	assert_dbl_le(ri, 0.02);
	/* and the p-values are calibrated, not just large */
	assert_dbl_in(r5, 0.025, 0.075);
	assert_dbl_in(half, 0.44, 0.56);
}

static void test_large_series(void **state)
{
	size_t n = 10000;
	double *t = malloc(n * sizeof(*t)), *v = malloc(n * sizeof(*v));
	uint64_t rng = 5;
	struct trend tr;

	(void)state;
	assert_non_null(t);
	assert_non_null(v);
	/* 0.001 per step under noise of 1: invisible to the eye, not to MK */
	series_line(t, v, n, 0, 0.001, 1, &rng);
	assert_int_equal(trend_fit(t, v, n, TREND_ALPHA, &tr), 0);
	assert_true(tr.significant);
	assert_dbl_near(tr.slope, 0.001, 0.0001);
	assert_true(tr.slope_lo <= 0.001 && 0.001 <= tr.slope_hi);
	assert_true(tr.slope_hi - tr.slope_lo < 0.0002);
	/* and nothing on a flat one */
	series_line(t, v, n, 0, 0, 1, &rng);
	assert_int_equal(trend_fit(t, v, n, TREND_ALPHA, &tr), 0);
	assert_false(tr.significant);
	assert_true(tr.slope_lo <= 0 && 0 <= tr.slope_hi);
	free(t);
	free(v);
}

/* The order statistic at 0-based fractional rank pos of sorted a[0..m). */
static double rank_of(const double *a, size_t m, double pos)
{
	size_t k = (size_t)floor(pos);
	double hi = k + 1 < m ? a[k + 1] : a[k];

	return a[k] + (pos - floor(pos)) * (hi - a[k]);
}

/* A line with 5 % wild points, every other 50 rises up or down. */
static void wild_line(double *t, double *v, size_t n, double slope, double sigma,
		      uint64_t *rng)
{
	double rise = slope * (double)(n - 1);
	size_t i;

	series_line(t, v, n, 5e7, slope, sigma, rng);
	for (i = 7; i < n; i += 20)
		v[i] += (i % 40 == 7 ? 50 : -50) * rise;
}

/*
 * Beyond TREND_LIST_PAIRS the slope and Sen's interval are still those of
 * every pair (slopes.h), not of a sample: 3,000 points with wild ones,
 * against listing all 4.5 million slopes.
 */
static void test_long_series_exact(void **state)
{
	size_t n = 3000, m = n * (n - 1) / 2, i, j, k = 0;
	double *t = malloc(n * sizeof(*t)), *v = malloc(n * sizeof(*v)), *a = malloc(m * sizeof(*a));
	double dn = (double)n, var = dn * (dn - 1) * (2 * dn + 5) / 18, c, total = (double)m;
	uint64_t rng = 21;
	struct trend tr;

	(void)state;
	assert_non_null(t);
	assert_non_null(v);
	assert_non_null(a);
	wild_line(t, v, n, 1000, 1000 * (dn - 1) / 16, &rng);
	for (i = 0; i + 1 < n; i++)
		for (j = i + 1; j < n; j++)
			a[k++] = (v[j] - v[i]) / (t[j] - t[i]);
	qsort(a, m, sizeof(*a), cmp);
	assert_int_equal(trend_fit(t, v, n, TREND_ALPHA, &tr), 0);
	/* no ties in the values: Var S is n (n - 1) (2n + 5) / 18 */
	c = normal_quantile(1 - TREND_ALPHA / 2) * sqrt(var);
	assert_dbl_near(tr.slope, rank_of(a, m, (total - 1) / 2), 1e-9);
	assert_dbl_near(tr.slope_lo, rank_of(a, m, (total - c) / 2 - 1), 1e-9);
	assert_dbl_near(tr.slope_hi, rank_of(a, m, (total + c) / 2), 1e-9);
	assert_true(tr.significant);
	assert_dbl_near(tr.slope, 1000, 20);
	free(a);
	free(t);
	free(v);
}

/*
 * Up to TREND_LIST_PAIRS the slopes are listed and three ranks selected
 * from one array (the interval's ends and the slope, each after the one
 * below it): exactly the ranks of all the slopes sorted, with wild points
 * and with ties in the values (a step series), at several lengths.
 */
static void test_listed_ranks_exact(void **state)
{
	static const size_t ns[] = { 9, 40, 150, 361 };
	size_t q;

	(void)state;
	for (q = 0; q < 2 * sizeof(ns) / sizeof(ns[0]); q++) {
		size_t n = ns[q / 2], m = n * (n - 1) / 2, i, j, k = 0;
		double *t = malloc(n * sizeof(*t)), *v = malloc(n * sizeof(*v));
		double *a = malloc(m * sizeof(*a)), total = (double)m, dn = (double)n, var, c;
		uint64_t rng = 5 + q;
		struct trend tr;

		assert_non_null(t);
		assert_non_null(v);
		assert_non_null(a);
		wild_line(t, v, n, 1000, 1000 * (dn - 1) / 8, &rng);
		if (q % 2) /* steps of ten equal values: ties */
			for (i = 0; i < n; i++)
				v[i] = v[i - i % 10];
		for (i = 0; i + 1 < n; i++)
			for (j = i + 1; j < n; j++)
				a[k++] = (v[j] - v[i]) / (t[j] - t[i]);
		qsort(a, m, sizeof(*a), cmp);
		assert_int_equal(trend_fit(t, v, n, TREND_ALPHA, &tr), 0);
		/* Var S with the ties' correction, as trend.c has it */
		var = dn * (dn - 1) * (2 * dn + 5);
		if (q % 2)
			for (i = 0; i < n; i += 10) {
				double g = (double)(i + 10 <= n ? 10 : n - i);

				var -= g * (g - 1) * (2 * g + 5);
			}
		var /= 18;
		c = normal_quantile(1 - TREND_ALPHA / 2) * sqrt(var);
		assert_true(tr.slope == rank_of(a, m, (total - 1) / 2));
		if ((total - c) / 2 >= 1)
			assert_true(tr.slope_lo == rank_of(a, m, (total - c) / 2 - 1));
		else
			assert_true(tr.slope_lo == -INFINITY);
		if ((total + c) / 2 <= total - 1)
			assert_true(tr.slope_hi == rank_of(a, m, (total + c) / 2));
		else
			assert_true(tr.slope_hi == INFINITY);
		free(a);
		free(t);
		free(v);
	}
}

/*
 * Accuracy on long noisy lines with outliers: 50 series of 2,400 points
 * (40 minutes at 1 s) growing 1000 per step under noise of rise / 16 and
 * 5 % wild points of 50 rises: every slope within 2 % of the truth (its
 * standard error is about 0.5 % here), every one significant, and the
 * 99 % interval covers the truth in at least 48. Least squares is thrown
 * far off by the same points.
 */
static void test_long_series_accuracy(void **state)
{
	size_t n = 2400, s, covered = 0;
	double *t = malloc(n * sizeof(*t)), *v = malloc(n * sizeof(*v)), err[50], worst = 0;
	uint64_t rng = 33;
	struct trend tr;

	(void)state;
	assert_non_null(t);
	assert_non_null(v);
	for (s = 0; s < 50; s++) {
		wild_line(t, v, n, 1000, 1000 * (double)(n - 1) / 16, &rng);
		assert_int_equal(trend_fit(t, v, n, TREND_ALPHA, &tr), 0);
		assert_true(tr.significant);
		err[s] = fabs(tr.slope - 1000) / 1000;
		worst = fmax(worst, err[s]);
		covered += tr.slope_lo <= 1000 && 1000 <= tr.slope_hi;
		if (s == 0)
			assert_true(fabs(ols_slope(t, v, n) - 1000) > 100);
	}
	qsort(err, 50, sizeof(*err), cmp);
	print_message("n = 2400 with 5 %% wild points: median error %.2f %%, worst %.2f %%, "
		      "99 %% interval covers the truth %zu/50\n", 100 * (err[24] + err[25]) / 2,
		      100 * worst, covered);
	assert_dbl_le(worst, 0.02);
	assert_true(covered >= 48);
	free(t);
	free(v);
}

/* Repeated times (two samples at one t) cannot be ranked without listing:
 * the fit lists the pairs of distinct t instead. */
static void test_repeated_times(void **state)
{
	size_t n = 1000, i;
	double t[1000], v[1000];
	uint64_t rng = 8;
	struct trend tr;

	(void)state;
	for (i = 0; i < n; i++) {
		t[i] = (double)(i / 2);
		v[i] = 3 * t[i] + unit_gauss(&rng);
	}
	assert_int_equal(trend_fit(t, v, n, TREND_ALPHA, &tr), 0);
	assert_dbl_near(tr.slope, 3, 0.01);
	assert_true(tr.slope_lo <= 3 && 3 <= tr.slope_hi);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normal_quantiles),
		cmocka_unit_test(test_hand_computed_with_ties),
		cmocka_unit_test(test_exact_line),
		cmocka_unit_test(test_refuses_bad_input),
		cmocka_unit_test(test_s_matches_pairs),
		cmocka_unit_test(test_known_slope),
		cmocka_unit_test(test_outliers),
		cmocka_unit_test(test_noise_is_not_a_trend),
		cmocka_unit_test(test_large_series),
		cmocka_unit_test(test_long_series_exact),
		cmocka_unit_test(test_listed_ranks_exact),
		cmocka_unit_test(test_long_series_accuracy),
		cmocka_unit_test(test_repeated_times),
	};

	return cmocka_run_group_tests_name("trend", tests, NULL, NULL);
}
