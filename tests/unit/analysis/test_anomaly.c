// SPDX-License-Identifier: GPL-2.0
/* analysis/anomaly.c: robust z-scores against a trailing median and MAD. */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include "series.h"
#include "analysis/anomaly.h"

#define N 1000
#define WINDOW 30
#define Z_MIN 3.5

/*
 * Spikes of 8 sigma (both signs) at known indices in Gaussian noise: every
 * spike is found with the right sign, and the other points flagged stay
 * under 1 % of the series, in each of 20 series.
 */
static void test_spikes_found(void **state)
{
	size_t spikes[] = { 30, 31, 100, 250, 251, 252, 400, 640, 800, 999 };
	size_t nsp = sizeof(spikes) / sizeof(spikes[0]), s, i, j, false_total = 0;
	struct anomaly a[N];
	uint64_t rng = 51;
	double v[N];

	(void)state;
	for (s = 0; s < 20; s++) {
		size_t got, hit = 0, false_pos = 0;

		for (i = 0; i < N; i++)
			v[i] = 200 + 4 * unit_gauss(&rng);
		for (i = 0; i < nsp; i++)
			v[spikes[i]] += (i % 3 ? 8 : -8) * 4;
		got = anomalies_find(v, N, WINDOW, Z_MIN, 0, a, N);
		for (i = 0; i < got; i++) {
			bool is_spike = false;

			if (i)
				assert_true(a[i].index > a[i - 1].index);
			for (j = 0; j < nsp; j++) {
				if (a[i].index != spikes[j])
					continue;
				is_spike = true;
				hit++;
				assert_true(j % 3 ? a[i].z > 0 : a[i].z < 0);
			}
			false_pos += !is_spike;
			assert_dbl_eq(a[i].value, v[a[i].index]);
			assert_dbl_near(a[i].baseline, 200, 4);
		}
		assert_int_equal(hit, nsp);
		assert_true(false_pos <= N / 100);
		false_total += false_pos;
	}
	print_message("8-sigma spikes: all found in 20 series; other points flagged: "
		      "%.2f %% of them\n", 100.0 * (double)false_total / (20.0 * (N - WINDOW)));
}

static void test_flat_series(void **state)
{
	double v[50];
	struct anomaly a[4];
	size_t i;

	(void)state;
	for (i = 0; i < 50; i++)
		v[i] = 1000;
	assert_int_equal(anomalies_find(v, 50, 10, Z_MIN, 0, a, 4), 0);
	v[35] = 1010; /* 1 % off a flat line: the MAD floor flags it */
	assert_int_equal(anomalies_find(v, 50, 10, Z_MIN, 0, a, 4), 1);
	assert_int_equal(a[0].index, 35);
	assert_dbl_eq(a[0].baseline, 1000);
	assert_true(a[0].z > Z_MIN);
	/* a flat zero line with one blip */
	for (i = 0; i < 50; i++)
		v[i] = 0;
	v[20] = 1;
	assert_int_equal(anomalies_find(v, 50, 10, Z_MIN, 0, a, 4), 1);
	assert_int_equal(a[0].index, 20);
	assert_true(a[0].z > 1e6);
	/* mostly flat with a few steps of 1: a 1 is not news, a 50 is */
	for (i = 0; i < 50; i++)
		v[i] = i % 7 == 0;
	v[45] = 50;
	assert_int_equal(anomalies_find(v, 50, 14, Z_MIN, 0, a, 4), 1);
	assert_int_equal(a[0].index, 45);
}

static void test_window_rules(void **state)
{
	double v[40];
	struct anomaly a[4];
	size_t i;

	(void)state;
	for (i = 0; i < 40; i++)
		v[i] = (double)(i % 4);
	v[5] = 100;  /* inside the first window: never flagged */
	v[25] = 100;
	v[30] = 100;
	v[33] = NAN; /* skipped, and left out of later windows */
	assert_int_equal(anomalies_find(v, 40, 10, Z_MIN, 0, a, 4), 2);
	assert_int_equal(a[0].index, 25);
	assert_int_equal(a[1].index, 30);
	/* max caps the output, keeping the first ones */
	assert_int_equal(anomalies_find(v, 40, 10, Z_MIN, 0, a, 1), 1);
	assert_int_equal(a[0].index, 25);
	/* degenerate arguments */
	assert_int_equal(anomalies_find(v, 40, 2, Z_MIN, 0, a, 4), 0);
	assert_int_equal(anomalies_find(v, 10, 10, Z_MIN, 0, a, 4), 0);
	assert_int_equal(anomalies_find(v, 40, 10, Z_MIN, 0, a, 0), 0);
}

/*
 * A series that is mostly zero (a run-queue p99 of an idle process): without
 * a floor the scale is 1e-9 and a 1.3 ms step scores z ~ 10^12; with the
 * metric's resolution as the floor the score is value / resolution, and a
 * step below z_min resolutions is no anomaly at all.
 */
static void test_resolution_floor(void **state)
{
	double v[40] = {0};
	struct anomaly a[4];

	(void)state;
	v[30] = 1300;
	assert_int_equal(anomalies_find(v, 40, 10, Z_MIN, 0, a, 4), 1);
	assert_true(a[0].z > 1e9); /* the absurd score, without a floor */
	assert_int_equal(anomalies_find(v, 40, 10, Z_MIN, 250, a, 4), 1);
	assert_dbl_eq(a[0].sigma, 250);
	assert_dbl_eq(a[0].z, 1300.0 / 250);
	assert_dbl_eq(a[0].baseline, 0);
	/* 1.3 ms is under 6 resolutions of 250 us: not news */
	assert_int_equal(anomalies_find(v, 40, 10, 6.0, 250, a, 4), 0);
	v[30] = 40000;
	assert_int_equal(anomalies_find(v, 40, 10, 6.0, 250, a, 4), 1);
	assert_dbl_eq(a[0].z, 160);
	/* the floor never lowers a window's own spread */
	{
		uint64_t rng = 7;
		size_t i;

		for (i = 0; i < 40; i++)
			v[i] = 5000 + 1000 * unit_gauss(&rng);
		v[30] = 20000;
		assert_int_equal(anomalies_find(v, 40, 10, Z_MIN, 1, a, 4) >= 1, 1);
		assert_true(a[0].sigma > 100);
	}
}

/* A level shift is news until the window's median has crossed over. */
static void test_level_shift_settles(void **state)
{
	size_t i, got, at_shift = 0, elsewhere = 0;
	struct anomaly a[200];
	uint64_t rng = 53;
	double v[200];

	(void)state;
	for (i = 0; i < 200; i++)
		v[i] = (i >= 100 ? 30 : 0) + unit_gauss(&rng);
	got = anomalies_find(v, 200, 20, Z_MIN, 0, a, 200);
	for (i = 0; i < got; i++) {
		if (a[i].index >= 100 && a[i].index <= 110)
			at_shift++;
		else
			elsewhere++; /* noise at 3.5 sigma with a 20-sample window */
	}
	assert_true(at_shift >= 8); /* the median flips after 10 new samples */
	assert_true(elsewhere <= 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spikes_found),
		cmocka_unit_test(test_flat_series),
		cmocka_unit_test(test_window_rules),
		cmocka_unit_test(test_resolution_floor),
		cmocka_unit_test(test_level_shift_settles),
	};

	return cmocka_run_group_tests_name("anomaly", tests, NULL, NULL);
}
