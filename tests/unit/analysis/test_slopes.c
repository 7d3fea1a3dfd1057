// SPDX-License-Identifier: GPL-2.0
/* analysis/slopes.c: counts and order statistics of the pairwise slopes,
 * checked against listing every pair. */
#include <math.h>
#include <stdlib.h>
#include <time.h>
#include "series.h"
#include "analysis/slopes.h"

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Every slope of the series, sorted (n (n - 1) / 2 of them). */
static double *all_slopes(const double *t, const double *v, size_t n)
{
	size_t i, j, m = 0;
	double *a = malloc((n * (n - 1) / 2 + 1) * sizeof(*a));

	assert_non_null(a);
	for (i = 0; i + 1 < n; i++)
		for (j = i + 1; j < n; j++)
			a[m++] = (v[j] - v[i]) / (t[j] - t[i]);
	qsort(a, m, sizeof(*a), cmp);
	return a;
}

/* Kinds of series: noise around a line, small integers (many tied
 * slopes), a constant, a step, a line with wild points, a staircase. */
static void make(int kind, double *t, double *v, size_t n, uint64_t *rng)
{
	size_t i;

	for (i = 0; i < n; i++) {
		t[i] = 10 + 0.5 * (double)i;
		switch (kind) {
		case 0: v[i] = 3 + 0.2 * t[i] + unit_gauss(rng); break;
		case 1: v[i] = (double)(unit_rand(rng) % 3); break;
		case 2: v[i] = 42; break;
		case 3: v[i] = i < n / 3 ? 1 : 5; break;
		case 4: v[i] = -2 * t[i] + 0.1 * unit_gauss(rng) +
			       (i % 10 == 3 ? 1e6 * (i % 20 ? 1 : -1) : 0); break;
		default: v[i] = (double)(i / 60) * 4096 + 5e7; break;
		}
	}
}

/* The counts of slopes <= s and = s match a listing, exactly: integer
 * times and values and slopes that are binary fractions leave nothing to
 * rounding, at slopes that occur (ties) and between them. */
static void test_count_matches_listing(void **state)
{
	static const double at[] = { -3, -1, -0.5, -0.25, 0, 0.125, 0.25, 0.5, 1, 2, 1024 };
	double t[300], v[300], le, eq;
	uint64_t rng = 7;
	size_t n = 300, q, i, j;
	int kind;

	(void)state;
	for (kind = 0; kind < 3; kind++) {
		for (i = 0; i < n; i++) {
			t[i] = (double)(3 * i + (i % 2)); /* uneven steps */
			v[i] = kind == 0 ? (double)(unit_rand(&rng) % 5) :
			       kind == 1 ? (double)(unit_rand(&rng) % 2001) - 1000 :
			       (double)(i / 4) * 2;
		}
		for (q = 0; q < sizeof(at) / sizeof(at[0]); q++) {
			double s = at[q], want_le = 0, want_eq = 0;

			for (i = 0; i + 1 < n; i++)
				for (j = i + 1; j < n; j++) {
					double d = (v[j] - v[i]) - s * (t[j] - t[i]);

					want_le += d <= 0;
					want_eq += d == 0;
				}
			assert_int_equal(slopes_count(t, v, n, s, &le, &eq), 0);
			assert_dbl_eq(le, want_le);
			assert_dbl_eq(eq, want_eq);
		}
		assert_int_equal(slopes_count(t, v, n, -INFINITY, &le, &eq), 0);
		assert_dbl_eq(le, 0);
		assert_int_equal(slopes_count(t, v, n, INFINITY, &le, NULL), 0);
		assert_dbl_eq(le, slopes_total(n));
		assert_int_equal(slopes_count(t, v, n, NAN, &le, NULL), -1);
	}
}

/* slopes_kth gives the order statistic of the listing, at the ends, the
 * median, Sen's ranks and random ranks, for short series (listed at once)
 * and long ones (bracketed over several rounds), with heavy ties too. */
static void test_kth_matches_listing(void **state)
{
	static const size_t sizes[] = { 2, 3, 10, 90, 700, 1500 };
	uint64_t rng = 11;
	size_t si, checked = 0;
	int kind;

	(void)state;
	for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
		size_t n = sizes[si], N = n * (n - 1) / 2;
		double *t = malloc(n * sizeof(*t)), *v = malloc(n * sizeof(*v));

		assert_non_null(t);
		assert_non_null(v);
		for (kind = 0; kind < 6; kind++) {
			double ks[8], *a, got;
			size_t i;

			make(kind, t, v, n, &rng);
			a = all_slopes(t, v, n);
			ks[0] = 0;
			ks[1] = (double)(N - 1);
			ks[2] = (double)((N - 1) / 2);
			ks[3] = (double)(N / 2);
			ks[4] = floor(0.1 * (double)N);
			ks[5] = floor(0.9 * (double)N);
			ks[6] = (double)(unit_rand(&rng) % N);
			ks[7] = (double)(unit_rand(&rng) % N);
			for (i = 0; i < 8; i++) {
				size_t k = (size_t)ks[i];
				double tol = 1e-9 * fmax(1, fabs(a[k]));

				assert_int_equal(slopes_kth(t, v, n, ks[i], &got), 0);
				if (fabs(got - a[k]) > tol)
					fail_msg("n %zu kind %d rank %zu of %zu: %.17g, listing %.17g", n,
						 kind, k, N, got, a[k]);
				checked++;
			}
			free(a);
		}
		free(t);
		free(v);
	}
	print_message("%zu order statistics equal to the listing's\n", checked);
}

static void test_kth_refuses(void **state)
{
	double t[] = { 0, 1, 1, 2 }, v[] = { 1, 2, 3, 4 }, u[] = { 0, 1, 2, 3 }, out;

	(void)state;
	assert_int_equal(slopes_kth(t, v, 4, 0, &out), -1);     /* t repeats */
	assert_int_equal(slopes_kth(u, v, 4, 6, &out), -1);     /* only 6 slopes */
	assert_int_equal(slopes_kth(u, v, 4, -1, &out), -1);
	assert_int_equal(slopes_kth(u, v, 4, 1.5, &out), -1);
	assert_int_equal(slopes_kth(u, v, 1, 0, &out), -1);
	v[2] = NAN;
	assert_int_equal(slopes_kth(u, v, 4, 0, &out), -1);
	v[2] = 3;
	assert_int_equal(slopes_kth(u, v, 4, 5, &out), 0);
	assert_dbl_eq(out, 1);
}

/* A day read in 6 s steps is 14,400 points (104 million pairs): the
 * median slope comes without listing them, and is the slope of the line
 * under the noise. */
static void test_kth_long(void **state)
{
	size_t n = 14400;
	double *t = malloc(n * sizeof(*t)), *v = malloc(n * sizeof(*v)), N, med, le;
	uint64_t rng = 3;
	struct timespec a, b;

	(void)state;
	assert_non_null(t);
	assert_non_null(v);
	series_line(t, v, n, 100, 0.25, 30, &rng);
	N = slopes_total(n);
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(slopes_kth(t, v, n, floor((N - 1) / 2), &med), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_dbl_near(med, 0.25, 0.25 * 0.01);
	/* it is the median: half the slopes at most it */
	assert_int_equal(slopes_count(t, v, n, med, &le, NULL), 0);
	assert_dbl_near(le, floor((N - 1) / 2) + 1, 0);
	print_message("median of %.0f slopes in %.1f ms\n", N,
		      (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6);
	free(t);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_count_matches_listing),
		cmocka_unit_test(test_kth_matches_listing),
		cmocka_unit_test(test_kth_refuses),
		cmocka_unit_test(test_kth_long),
	};

	return cmocka_run_group_tests_name("slopes", tests, NULL, NULL);
}
