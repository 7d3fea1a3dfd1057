// SPDX-License-Identifier: GPL-2.0
/* capacity/estimate.c: time to a limit from the trend, and the recommended limits. */
#include <math.h>
#include <stdlib.h>
#include "analysis/series.h"
#include "analysis/forecast.h"
#include "capacity/capacity.h"

#define MIB (1024.0 * 1024.0)
#define N 20

/*
 * Memory growing by 5 MiB/s from 100 MiB (noise 1 MiB) towards 400 MiB:
 * the truth at the last sample (t = 19) is (400 - 195) / 5 = 41 s. In
 * each of 50 series the estimate is within 10 % and inside its own range.
 */
static void test_growth_to_limit(void **state)
{
	double t[N], v[N], truth = (400 - (100 + 5 * (N - 1))) / 5.0;
	struct cap_trend tr;
	uint64_t rng = 18;
	size_t s;

	(void)state;
	for (s = 0; s < 50; s++) {
		series_line(t, v, N, 100 * MIB, 5 * MIB, 1 * MIB, &rng);
		cap_trend(t, v, N, 400 * MIB, &tr);
		assert_true(tr.fitted);
		assert_true(tr.significant);
		assert_null(tr.why);
		assert_dbl_near(tr.rate, 5 * MIB, 0.5 * MIB);
		assert_true(tr.rate_lo <= tr.rate && tr.rate <= tr.rate_hi);
		assert_dbl_near(tr.exhaustion_s, truth, 0.1 * truth);
		assert_true(tr.exh_lo <= tr.exhaustion_s && tr.exhaustion_s <= tr.exh_hi);
	}
}

/* Noise around a level, a shrinking series, no limit: no time to a limit. */
static void test_not_growing(void **state)
{
	double t[N], v[N];
	struct cap_trend tr;
	uint64_t rng = 7;

	(void)state;
	series_line(t, v, N, 200 * MIB, 0, 2 * MIB, &rng);
	cap_trend(t, v, N, 400 * MIB, &tr);
	assert_true(tr.fitted);
	assert_true(isnan(tr.exhaustion_s));
	assert_non_null(tr.why);
	assert_true(tr.rate_lo <= 0 && tr.rate_hi >= 0);

	series_line(t, v, N, 300 * MIB, -3 * MIB, 0.5 * MIB, &rng);
	cap_trend(t, v, N, 400 * MIB, &tr);
	assert_true(tr.significant);
	assert_true(tr.rate < 0);
	assert_true(isnan(tr.exhaustion_s));
	assert_string_equal(tr.why, "shrinking");

	series_line(t, v, N, 100 * MIB, 5 * MIB, 1 * MIB, &rng);
	cap_trend(t, v, N, NAN, &tr);
	assert_true(tr.significant);
	assert_dbl_near(tr.rate, 5 * MIB, 0.5 * MIB);
	assert_true(isnan(tr.exhaustion_s));
	assert_string_equal(tr.why, "no limit");
}

/* Already at the limit: 0; too few samples: no fit at all. */
static void test_edges(void **state)
{
	double t[N], v[N];
	struct cap_trend tr;
	uint64_t rng = 3;

	(void)state;
	series_line(t, v, N, 100, 10, 0.5, &rng);
	cap_trend(t, v, N, v[N - 1] - 1, &tr);
	assert_dbl_eq(tr.exhaustion_s, 0);
	cap_trend(t, v, 5, 1000, &tr);
	assert_false(tr.fitted);
	assert_true(isnan(tr.rate));
	assert_true(isnan(tr.exhaustion_s));
	assert_non_null(tr.why);
}

static void test_recommend_cpu(void **state)
{
	struct cap_opts o;
	struct cap_trend tr = { .fitted = true, .significant = true, .rate = 0.001 };
	double d[100];
	size_t i;

	(void)state;
	cap_opts_default(&o);
	for (i = 0; i < 100; i++)
		d[i] = (double)((i * 37) % 100) / 100; /* 0 .. 0.99, shuffled */
	/* p99 of 0 .. 0.99 is 0.9801; +15 % = 1.127..., up to 1.13 */
	assert_dbl_near(cap_recommend_cpu(d, 100, NULL, &o), 1.13, 1e-9);
	/* a significant growth only counts with a horizon */
	assert_dbl_near(cap_recommend_cpu(d, 100, &tr, &o), 1.13, 1e-9);
	o.horizon_s = 100; /* + 0.1 core: (0.9801 + 0.1) * 1.15 = 1.2421 */
	assert_dbl_near(cap_recommend_cpu(d, 100, &tr, &o), 1.25, 1e-9);
	tr.significant = false;
	assert_dbl_near(cap_recommend_cpu(d, 100, &tr, &o), 1.13, 1e-9);
	o.headroom = 0;
	o.cpu_percentile = 0.5;
	assert_dbl_near(cap_recommend_cpu(d, 100, NULL, &o), 0.50, 1e-9);
	/* nothing: NAN; idle: at least a hundredth of a core */
	assert_true(isnan(cap_recommend_cpu(d, 0, NULL, &o)));
	for (i = 0; i < 10; i++)
		d[i] = 0;
	assert_dbl_eq(cap_recommend_cpu(d, 10, NULL, &o), 0.01);
}

static void test_recommend_memory(void **state)
{
	struct cap_opts o;
	struct cap_trend tr = { .fitted = true, .significant = true, .rate = 5 * MIB };

	(void)state;
	cap_opts_default(&o);
	assert_dbl_eq(cap_recommend_memory(400 * MIB, NULL, &o), 460 * MIB);
	/* rounded up to a MiB */
	assert_dbl_eq(cap_recommend_memory(100 * MIB + 1, NULL, &o), 116 * MIB);
	assert_dbl_eq(cap_recommend_memory(400 * MIB, &tr, &o), 460 * MIB);
	o.horizon_s = 60; /* (400 + 300) * 1.15 */
	assert_dbl_eq(cap_recommend_memory(400 * MIB, &tr, &o), 805 * MIB);
	tr.rate = -5 * MIB; /* shrinking: no more than the peak */
	assert_dbl_eq(cap_recommend_memory(400 * MIB, &tr, &o), 460 * MIB);
	assert_true(isnan(cap_recommend_memory(NAN, NULL, &o)));
}

/* cap_trend fits once and answers as forecast_to_limit does (the same
 * eta and range) for growth towards a ceiling, up to CAP_TREND_MAX_POINTS
 * samples; beyond, on the means of runs of samples, within 5 % of it. */
static void test_same_as_forecast(void **state)
{
	static double t[3000], v[3000];
	const size_t lens[] = { 8, 20, 200, CAP_TREND_MAX_POINTS, 3000 };
	struct cap_trend tr;
	struct forecast f;
	uint64_t rng = 5;
	size_t k, s, compared = 0;

	(void)state;
	for (k = 0; k < 5; k++) {
		for (s = 0; s < 10; s++) {
			size_t n = lens[k];
			double limit = 100 + 2.0 * (double)n * (1.5 + (double)s);

			series_line(t, v, n, 100, 2, 3, &rng);
			cap_trend(t, v, n, limit, &tr);
			if (forecast_to_limit(t, v, n, limit, &f)) {
				assert_true(isnan(tr.exhaustion_s));
				continue;
			}
			compared++;
			if (n > CAP_TREND_MAX_POINTS) {
				assert_dbl_near(tr.exhaustion_s, f.eta, 0.05 * f.eta);
				assert_dbl_near(tr.rate, f.rate, 0.01 * f.rate);
				continue;
			}
			assert_dbl_eq(tr.rate, f.rate);
			assert_dbl_eq(tr.r2, f.r2);
			assert_dbl_near(tr.exhaustion_s, f.eta, 1e-9 * f.eta);
			assert_dbl_near(tr.exh_lo, f.eta_lo, 1e-9 * f.eta);
			if (isinf(f.eta_hi))
				assert_true(isinf(tr.exh_hi));
			else
				assert_dbl_near(tr.exh_hi, f.eta_hi, 1e-9 * f.eta_hi);
		}
	}
	assert_true(compared >= 40);
}

/* A long series (a day at 1 s) is fitted on bucket means: its time to the
 * limit still counts from the last sample, and matches the truth. */
static void test_long_series(void **state)
{
	static double t[86400], v[86400];
	struct cap_trend tr;
	uint64_t rng = 11;
	double truth;

	(void)state;
	/* 1 GiB + 1 KiB/s with noise of 1 MiB; limit 2 GiB */
	series_line(t, v, 86400, 1024 * MIB, 1024, 1 * MIB, &rng);
	truth = (2048 * MIB - (1024 * MIB + 1024 * 86399.0)) / 1024;
	cap_trend(t, v, 86400, 2048 * MIB, &tr);
	assert_true(tr.significant);
	assert_dbl_near(tr.rate, 1024, 20);
	assert_dbl_near(tr.exhaustion_s, truth, 0.02 * truth);
	assert_true(tr.exh_lo <= tr.exhaustion_s && tr.exhaustion_s <= tr.exh_hi);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_growth_to_limit),
		cmocka_unit_test(test_not_growing),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_same_as_forecast),
		cmocka_unit_test(test_long_series),
		cmocka_unit_test(test_recommend_cpu),
		cmocka_unit_test(test_recommend_memory),
	};

	return cmocka_run_group_tests_name("capacity_estimate", tests, NULL, NULL);
}
