// SPDX-License-Identifier: GPL-2.0
/* analysis/changepoint.c: level shifts by rank CUSUM + binary segmentation. */
#include <math.h>
#include <stdlib.h>
#include "series.h"
#include "analysis/changepoint.h"

#define N 100
#define MIN_SIGMA 1.5 /* half the smallest shift tested (3 to 5 sigma) */
#define MIN_SEG 5

static size_t dist(size_t a, size_t b)
{
	return a > b ? a - b : b - a;
}

/*
 * A shift of 3, 4 and 5 sigma at several k in n = 100: 30 series each.
 * Every one must yield exactly one change, within 3 samples of k, with
 * the levels on either side close to the truth.
 */
static void test_single_shift_located(void **state)
{
	size_t ks[] = { 10, 25, 50, 75, 90 }, ki, si, rep, worst = 0, off_by[4] = { 0 };
	double shifts[] = { 3, 4, 5 }, v[N];
	uint64_t rng = 17;
	struct change c[8];

	(void)state;
	for (ki = 0; ki < sizeof(ks) / sizeof(ks[0]); ki++) {
		for (si = 0; si < 3; si++) {
			for (rep = 0; rep < 30; rep++) {
				double sign = rep % 2 ? -1 : 1, sigma = 2;
				size_t got, d;

				series_step(v, N, ks[ki], 50, sign * shifts[si] * sigma, sigma, &rng);
				got = changepoints_find(v, N, MIN_SIGMA, MIN_SEG, c, 8);
				assert_int_equal(got, 1);
				d = dist(c[0].index, ks[ki]);
				if (d > worst)
					worst = d;
				off_by[d < 3 ? d : 3]++;
				assert_dbl_near(c[0].before, 50, 1.5 * sigma);
				assert_dbl_near(c[0].after, 50 + sign * shifts[si] * sigma, 1.5 * sigma);
				assert_dbl_in(c[0].score, 0.5 * shifts[si], 1.5 * shifts[si]);
			}
		}
	}
	print_message("450 shifts: located exactly %zu, off by 1: %zu, 2: %zu, 3+: %zu; "
		      "worst %zu\n", off_by[0], off_by[1], off_by[2], off_by[3], worst);
	assert_true(worst <= 3);
}

static void test_noise_has_no_change(void **state)
{
	size_t s, fired = 0, fired4 = 0, fired0 = 0;
	uint64_t rng = 23;
	struct change c[8];
	double v[N];

	(void)state;
	for (s = 0; s < 200; s++) {
		series_step(v, N, 0, 10, 0, 1, &rng);
		fired += changepoints_find(v, N, MIN_SIGMA, MIN_SEG, c, 8) > 0;
		fired4 += changepoints_find(v, N, 4, MIN_SEG, c, 8) > 0;
		/* the significance test alone, no size threshold */
		fired0 += changepoints_find(v, N, 0, MIN_SEG, c, 8) > 0;
	}
	print_message("noise: a change in %zu of 200 series at min_sigma %.1f, "
		      "%zu at 4, %zu at 0 (significance alone)\n", fired, MIN_SIGMA,
		      fired4, fired0);
	assert_true(fired <= 10); /* 5 % */
	assert_true(fired0 <= 10);
	assert_true(fired4 <= fired && fired <= fired0);
}

static void test_bump_and_staircase(void **state)
{
	uint64_t rng = 31;
	struct change c[8];
	double v[N];
	size_t i, got;

	(void)state;
	/* up at 30, back down at 60 */
	series_step(v, N, 30, 0, 5, 1, &rng);
	for (i = 60; i < N; i++)
		v[i] -= 5;
	got = changepoints_find(v, N, MIN_SIGMA, MIN_SEG, c, 8);
	assert_int_equal(got, 2);
	assert_true(dist(c[0].index, 30) <= 3 && dist(c[1].index, 60) <= 3);
	assert_true(c[0].after > c[0].before && c[1].after < c[1].before);
	/* three steps up of 4, 6 and 8 sigma */
	series_step(v, N, 20, 0, 4, 1, &rng);
	for (i = 50; i < N; i++)
		v[i] += i >= 80 ? 14 : 6;
	got = changepoints_find(v, N, MIN_SIGMA, MIN_SEG, c, 8);
	assert_int_equal(got, 3);
	assert_true(dist(c[0].index, 20) <= 3);
	assert_true(dist(c[1].index, 50) <= 3);
	assert_true(dist(c[2].index, 80) <= 3);
	assert_dbl_near(c[2].after - c[2].before, 8, 1.5);
	/* max = 1 keeps the biggest step */
	got = changepoints_find(v, N, MIN_SIGMA, MIN_SEG, c, 1);
	assert_int_equal(got, 1);
	assert_true(dist(c[0].index, 80) <= 3);
}

/* Outliers of +20 sigma at fixed places. */
static void add_spikes(double *v)
{
	static const size_t spikes[] = { 12, 13, 40, 41, 42, 77 };
	size_t i;

	for (i = 0; i < sizeof(spikes) / sizeof(spikes[0]); i++)
		v[spikes[i]] += 20;
}

static void test_spikes_are_not_shifts(void **state)
{
	size_t s, fired = 0, got;
	uint64_t rng = 37;
	struct change c[8];
	double v[N];

	(void)state;
	for (s = 0; s < 50; s++) {
		series_step(v, N, 0, 0, 0, 1, &rng);
		add_spikes(v);
		fired += changepoints_find(v, N, MIN_SIGMA, MIN_SEG, c, 8) > 0;
	}
	print_message("spiky noise: a change in %zu of 50 series\n", fired);
	assert_true(fired <= 2);
	/* nor do they pull a real shift's location towards them */
	for (s = 0; s < 50; s++) {
		series_step(v, N, 55, 0, 4, 1, &rng);
		add_spikes(v);
		got = changepoints_find(v, N, MIN_SIGMA, MIN_SEG, c, 8);
		assert_int_equal(got, 1);
		assert_true(dist(c[0].index, 55) <= 3);
	}
}

static void test_exact_and_degenerate(void **state)
{
	double v[40], inf[40];
	struct change c[4];
	size_t i;

	(void)state;
	for (i = 0; i < 40; i++)
		v[i] = i < 23 ? 100 : 105;
	assert_int_equal(changepoints_find(v, 40, 4, 5, c, 4), 1);
	assert_int_equal(c[0].index, 23);
	assert_dbl_eq(c[0].before, 100);
	assert_dbl_eq(c[0].after, 105);
	assert_true(c[0].score > 4);
	/* no room for two segments of min_seg */
	assert_int_equal(changepoints_find(v, 40, 4, 21, c, 4), 0);
	for (i = 0; i < 40; i++)
		v[i] = 7;
	assert_int_equal(changepoints_find(v, 40, 4, 5, c, 4), 0);
	assert_int_equal(changepoints_find(v, 0, 4, 5, c, 4), 0);
	assert_int_equal(changepoints_find(v, 40, 4, 5, c, 0), 0);
	memcpy(inf, v, sizeof(v));
	inf[9] = NAN;
	assert_int_equal(changepoints_find(inf, 40, 4, 5, c, 4), 0);
}

static void test_long_series(void **state)
{
	size_t n = 10000, got;
	double *v = malloc(n * sizeof(*v));
	uint64_t rng = 41;
	struct change c[8];

	(void)state;
	assert_non_null(v);
	series_step(v, n, 7000, 10, -1.5, 0.5, &rng);
	got = changepoints_find(v, n, 2, 20, c, 8);
	assert_int_equal(got, 1);
	assert_true(dist(c[0].index, 7000) <= 3);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_shift_located),
		cmocka_unit_test(test_noise_has_no_change),
		cmocka_unit_test(test_bump_and_staircase),
		cmocka_unit_test(test_spikes_are_not_shifts),
		cmocka_unit_test(test_exact_and_degenerate),
		cmocka_unit_test(test_long_series),
	};

	return cmocka_run_group_tests_name("changepoint", tests, NULL, NULL);
}
