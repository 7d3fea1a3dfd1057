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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linear_growth),
		cmocka_unit_test(test_falling_to_a_floor),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_open_ended_interval),
	};

	return cmocka_run_group_tests_name("forecast", tests, NULL, NULL);
}
