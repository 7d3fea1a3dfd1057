// SPDX-License-Identifier: GPL-2.0
/* analysis/robust.c: median, quantiles, MAD, selection. */
#include <math.h>
#include <stdlib.h>
#include "series.h"
#include "analysis/robust.h"

static void test_median_small(void **state)
{
	double odd[] = { 3, 1, 2 }, even[] = { 4, 1, 3, 2 }, one[] = { -7 };
	double dup[] = { 5, 5, 1, 5, 9 };

	(void)state;
	assert_dbl_eq(median(odd, 3), 2);
	assert_dbl_eq(median(even, 4), 2.5);
	assert_dbl_eq(median(one, 1), -7);
	assert_dbl_eq(median(dup, 5), 5);
	/* the input is left alone */
	assert_dbl_eq(odd[0], 3);
	assert_dbl_eq(even[0], 4);
	assert_dbl_eq(even[3], 2);
}

static void test_empty_and_nan(void **state)
{
	double gaps[] = { 1, NAN, 3, NAN }, none[] = { NAN, NAN };

	(void)state;
	assert_true(isnan(median(NULL, 0)));
	assert_true(isnan(quantile(NULL, 0, 0.5)));
	assert_true(isnan(mad_sigma(NULL, 0)));
	/* NaN values are skipped */
	assert_dbl_eq(median(gaps, 4), 2);
	assert_dbl_eq(quantile(gaps, 4, 1), 3);
	assert_dbl_eq(mad_sigma(gaps, 4), MAD_SCALE * 1);
	assert_true(isnan(median(none, 2)));
	assert_true(isnan(quantile(none, 2, 0.5)));
	assert_true(isnan(mad_sigma(none, 2)));
	assert_true(isnan(quantile(gaps, 4, NAN)));
}

static void test_quantile_interpolates(void **state)
{
	double v[] = { 4, 1, 3, 2 };

	(void)state;
	assert_dbl_eq(quantile(v, 4, 0), 1);
	assert_dbl_eq(quantile(v, 4, 1), 4);
	assert_dbl_eq(quantile(v, 4, 0.5), 2.5);
	assert_dbl_near(quantile(v, 4, 0.25), 1.75, 1e-12); /* h = 0.75 */
	assert_dbl_near(quantile(v, 4, 1.0 / 3), 2, 1e-12);  /* h = 1 */
	assert_dbl_near(quantile(v, 4, 0.9), 3.7, 1e-12);    /* h = 2.7 */
	/* q is clamped to [0, 1] */
	assert_dbl_eq(quantile(v, 4, -1), 1);
	assert_dbl_eq(quantile(v, 4, 2), 4);
	assert_dbl_eq(quantile(v + 1, 1, 0.3), 1);
}

static void test_mad_small(void **state)
{
	double v[] = { 1, 2, 3, 4, 100 }, flat[] = { 2, 2, 2 }, pair[] = { 0, 10 };

	(void)state;
	/* median 3, deviations 2 1 0 1 97: their median 1 */
	assert_dbl_near(mad_sigma(v, 5), 1.4826, 1e-12);
	assert_dbl_eq(mad_sigma(flat, 3), 0);
	/* median 5, deviations 5 5 */
	assert_dbl_near(mad_sigma(pair, 2), 5 * 1.4826, 1e-12);
}

static void test_mad_estimates_sigma(void **state)
{
	uint64_t rng = 42;
	size_t n = 20000, i;
	double *v = malloc(n * sizeof(*v));

	(void)state;
	assert_non_null(v);
	for (i = 0; i < n; i++)
		v[i] = 10 + 3 * unit_gauss(&rng);
	assert_dbl_near(mad_sigma(v, n), 3, 0.1);
	assert_dbl_near(median(v, n), 10, 0.1);
	assert_dbl_near(quantile(v, n, 0.8413), 13, 0.15); /* mean + 1 sigma */
	/* one wild value moves neither */
	v[0] = 1e12;
	assert_dbl_near(mad_sigma(v, n), 3, 0.1);
	free(v);
}

static void test_winsorized_sigma(void **state)
{
	uint64_t rng = 43;
	size_t n = 20000, i;
	double *v = malloc(n * sizeof(*v)), small[] = { -1, 1, 0, 100 };

	(void)state;
	assert_non_null(v);
	for (i = 0; i < n; i++)
		v[i] = 5 + 2 * unit_gauss(&rng);
	/* consistent for normal data, from a rough start */
	assert_dbl_near(winsorized_sigma(v, n, 5, 2.5), 2, 0.04);
	assert_dbl_near(winsorized_sigma(v, n, 5, mad_sigma(v, n)), 2, 0.04);
	/* 1 % of wild values move it by a few percent, not by orders */
	for (i = 0; i < n / 100; i++)
		v[i * 100] = 1e9;
	assert_dbl_near(winsorized_sigma(v, n, 5, mad_sigma(v, n)), 2, 0.15);
	/* by hand: deviations -1 1 0 and 100 clipped at 2.5 */
	assert_dbl_near(winsorized_sigma(small, 4, 0, 1),
			sqrt((1 + 1 + 0 + 6.25) / 4 / 0.97755998), 1e-6);
	assert_true(isnan(winsorized_sigma(small, 4, 0, 0)));
	assert_true(isnan(winsorized_sigma(small, 0, 0, 1)));
	free(v);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void test_selection_matches_sort(void **state)
{
	uint64_t rng = 7;
	double a[97], sorted[97], work[97];
	size_t round, n, k, i;

	(void)state;
	for (round = 0; round < 40; round++) {
		n = 1 + (size_t)(unit_rand(&rng) % 97);
		for (i = 0; i < n; i++) /* few distinct values: many ties */
			a[i] = (double)(unit_rand(&rng) % (round % 2 ? 5 : 1000));
		memcpy(sorted, a, n * sizeof(*a));
		qsort(sorted, n, sizeof(*a), cmp);
		for (k = 0; k < n; k++) {
			memcpy(work, a, n * sizeof(*a));
			assert_dbl_eq(kth_smallest(work, n, k), sorted[k]);
		}
		memcpy(work, a, n * sizeof(*a));
		assert_dbl_eq(median_inplace(work, n),
			      n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2);
	}
	assert_true(isnan(kth_smallest(work, 3, 3)));
	assert_true(isnan(median_inplace(work, 0)));
}

static void test_selection_sorted_input(void **state)
{
	size_t n = 100001, i;
	double *a = malloc(n * sizeof(*a));

	(void)state;
	assert_non_null(a);
	for (i = 0; i < n; i++)
		a[i] = (double)i;
	assert_dbl_eq(median_inplace(a, n), 50000);
	for (i = 0; i < n; i++)
		a[i] = (double)(n - i);
	assert_dbl_eq(kth_smallest(a, n, 10), 11);
	free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_median_small),
		cmocka_unit_test(test_empty_and_nan),
		cmocka_unit_test(test_quantile_interpolates),
		cmocka_unit_test(test_mad_small),
		cmocka_unit_test(test_mad_estimates_sigma),
		cmocka_unit_test(test_winsorized_sigma),
		cmocka_unit_test(test_selection_matches_sort),
		cmocka_unit_test(test_selection_sorted_input),
	};

	return cmocka_run_group_tests_name("robust", tests, NULL, NULL);
}
