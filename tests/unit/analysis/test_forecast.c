// SPDX-License-Identifier: GPL-2.0
/* analysis/forecast.c: time to a limit from the trend, or a reason why not. */
#include <math.h>
#include <stdlib.h>
#include "series.h"
#include "analysis/forecast.h"

#define N 60

/*
 * RSS-like growth: 100 + 2.5 t with noise 5, limit 1000. The true line is
 * at 247.5 at t = 59, so the truth is (1000 - 247.5) / 2.5 = 301 s. In
 * each of 100 series eta is within 10 %; eta_lo <= 301 <= eta_hi in at
 * least 95 of them (the range comes from a 99 % interval of the slope).
 */
static void test_linear_growth(void **state)
{
	double t[N], v[N], truth = (1000 - (100 + 2.5 * (N - 1))) / 2.5, worst = 0;
	uint64_t rng = 61;
	struct forecast f;
	size_t s, covered = 0;

	(void)state;
	for (s = 0; s < 100; s++) {
		series_line(t, v, N, 100, 2.5, 5, &rng);
		assert_int_equal(forecast_to_limit(t, v, N, 1000, &f), 0);
		assert_true(f.ok);
		assert_null(f.reason);
		assert_dbl_near(f.rate, 2.5, 0.25);
		assert_dbl_near(f.eta, truth, 0.1 * truth);
		covered += f.eta_lo <= truth && truth <= f.eta_hi;
		assert_true(f.eta_lo <= f.eta && f.eta <= f.eta_hi);
		assert_true(isfinite(f.eta_hi));
		assert_true(f.r2 > 0.95);
		if (fabs(f.eta - truth) / truth > worst)
			worst = fabs(f.eta - truth) / truth;
	}
	print_message("linear growth: eta within %.1f %% of the truth in 100 series, "
		      "the range covers it in %zu\n", 100 * worst, covered);
	assert_true(covered >= 95);
}

/* Seconds as time stamps, a falling series and a floor (free memory). */
static void test_falling_to_a_floor(void **state)
{
	double t[N], v[N];
	struct forecast f;
	uint64_t rng = 67;
	size_t i;

	(void)state;
	for (i = 0; i < N; i++) {
		t[i] = 1700000000 + 10.0 * (double)i;
		v[i] = 8000 - 20 * (double)i + 10 * unit_gauss(&rng);
	}
	/* the line is at 8000 - 20 * 59 = 6820 at the end, falling 2 per s */
	assert_int_equal(forecast_to_limit(t, v, N, 0, &f), 0);
	assert_dbl_near(f.rate, -2, 0.1);
	assert_dbl_near(f.eta, 3410, 341);
	assert_true(f.eta_lo <= 3410 && 3410 <= f.eta_hi);
}

/* forecast_to_limit refuses, with reason (a macro: failures name the line) */
#define assert_refused(t, v, n, limit, f, why) do {                              \
		assert_int_equal(forecast_to_limit(t, v, n, limit, f), -1);      \
		assert_false((f)->ok);                                           \
		assert_string_equal((f)->reason, why);                           \
	} while (0)

static void test_refusals(void **state)
{
	double t[N], v[N];
	struct forecast f;
	uint64_t rng = 71;
	size_t i;

	(void)state;
	/* flat noise */
	series_line(t, v, N, 500, 0, 5, &rng);
	assert_refused(t, v, N, 1000, &f, "no significant trend");
	assert_true(isnan(f.eta));
	/* decreasing, limit above */
	series_line(t, v, N, 500, -2, 5, &rng);
	assert_refused(t, v, N, 1000, &f, "not toward the limit");
	assert_dbl_near(f.rate, -2, 0.2);
	/* increasing, limit below: it is moving away from that floor */
	series_line(t, v, N, 500, 2, 5, &rng);
	assert_refused(t, v, N, 100, &f, "not toward the limit");
	/* too short */
	series_line(t, v, 5, 0, 10, 0.1, &rng);
	assert_refused(t, v, 5, 1000, &f, "too few samples");
	assert_refused(t, v, 0, 1000, &f, "too few samples");
	/* the last sample is already there */
	series_line(t, v, N, 0, 10, 1, &rng);
	v[N - 1] = 2000;
	assert_refused(t, v, N, 1000, &f, "already at the limit");
	/* a NaN or an infinite limit */
	assert_int_equal(forecast_to_limit(t, v, N, INFINITY, &f), -1);
	assert_false(f.ok);
	v[3] = NAN;
	assert_int_equal(forecast_to_limit(t, v, N, 5000, &f), -1);
	assert_false(f.ok);
	/* a saw tooth: significant drift, but the line explains little */
	for (i = 0; i < N; i++) {
		t[i] = (double)i;
		v[i] = 0.5 * (double)i + (double)(i % 10) * 6;
	}
	assert_refused(t, v, N, 1000, &f, "poor fit");
	assert_true(f.r2 < 0.5);
}

/*
 * A plateau, then growth: the trend is significant, but many pairwise
 * slopes are zero, so the low end of the interval is 0 and the slowest
 * case never gets there.
 */
static void test_open_ended_interval(void **state)
{
	double t[12], v[12] = { 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5 };
	struct forecast f;
	size_t i;

	(void)state;
	for (i = 0; i < 12; i++)
		t[i] = (double)i;
	assert_int_equal(forecast_to_limit(t, v, 12, 20, &f), 0);
	assert_true(f.ok);
	assert_true(f.r2 >= 0.5);
	assert_true(isinf(f.eta_hi));
	assert_true(f.eta_lo <= f.eta && f.eta > 0);
}

/*
 * A value ahead on a ramp: 0.1 + 0.0267 t with noise 0.01, 10 samples,
 * 10 s ahead. In 100 series the value is within 0.05 of the truth, and
 * the range covers it in at least 95 (hi above it in at least 97: the
 * upper bound is what a scaler raises to).
 */
static void test_value_at_ramp(void **state)
{
	double t[10], v[10], truth = 0.1 + 0.0267 * 19;
	struct forecast_value f;
	uint64_t rng = 73;
	size_t s, covered = 0, above = 0;

	(void)state;
	for (s = 0; s < 100; s++) {
		series_line(t, v, 10, 0.1, 0.0267, 0.01, &rng);
		assert_int_equal(forecast_value_at(t, v, 10, 19, 0.05, &f), 0);
		assert_true(f.ok);
		assert_null(f.reason);
		if (!f.trend)
			continue;
		assert_dbl_near(f.value, truth, 0.05);
		assert_true(f.lo <= f.value && f.value <= f.hi);
		covered += f.lo <= truth && truth <= f.hi;
		above += truth <= f.hi;
	}
	print_message("value at: covered %zu of 100, upper bound above the truth in %zu\n",
		      covered, above);
	assert_true(covered >= 95);
	assert_true(above >= 97);
}

/* A flat, noisy series: no trend; the median and a band of 1.96 sigma. */
static void test_value_at_flat(void **state)
{
	double t[60], v[60];
	struct forecast_value f;
	uint64_t rng = 79;
	size_t s, trends = 0;

	(void)state;
	for (s = 0; s < 100; s++) {
		series_line(t, v, 60, 0.5, 0, 0.02, &rng);
		assert_int_equal(forecast_value_at(t, v, 60, 359, 0.05, &f), 0);
		if (f.trend) {
			trends++;
			continue;
		}
		assert_dbl_eq(f.rate, 0);
		assert_dbl_near(f.value, 0.5, 0.02);
		assert_dbl_near(f.spread, 0.02, 0.01);
		assert_dbl_near(f.hi - f.value, 1.96 * f.spread, 1e-3);
		assert_dbl_near(f.value - f.lo, 1.96 * f.spread, 1e-3);
	}
	print_message("value at: %zu false trends in 100 flat series at 5 %%\n", trends);
	assert_true(trends <= 12);
	/* too short, a NaN, a bad level */
	assert_int_equal(forecast_value_at(t, v, 4, 10, 0.05, &f), -1);
	assert_false(f.ok);
	assert_string_equal(f.reason, "too few samples");
	assert_int_equal(forecast_value_at(t, v, 60, 400, 0, &f), -1);
	v[7] = NAN;
	assert_int_equal(forecast_value_at(t, v, 60, 400, 0.05, &f), -1);
	assert_false(f.ok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linear_growth),
		cmocka_unit_test(test_falling_to_a_floor),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_open_ended_interval),
		cmocka_unit_test(test_value_at_ramp),
		cmocka_unit_test(test_value_at_flat),
	};

	return cmocka_run_group_tests_name("forecast", tests, NULL, NULL);
}
