// SPDX-License-Identifier: GPL-2.0
/* hist.c: log2-microsecond histogram percentiles. */
#include <math.h>
#include <stdlib.h>
#include "unit.h"
#include "collect/hist.h"

#define N PP_HIST_SLOTS

/* The slot a value (us) falls in: 0 for [0,1), k for [2^(k-1), 2^k). */
static unsigned int slot_of(double us)
{
	unsigned int k = 0;

	if (us < 1)
		return 0;
	while (k + 1 < N && us >= ldexp(1.0, (int)k))
		k++;
	return k;
}

static void test_slot_range_edges(void **state)
{
	double lo, hi;
	unsigned int i;

	(void)state;
	hist_slot_range(0, &lo, &hi);
	assert_dbl_eq(lo, 0);
	assert_dbl_eq(hi, 1);
	hist_slot_range(1, &lo, &hi);
	assert_dbl_eq(lo, 1);
	assert_dbl_eq(hi, 2);
	hist_slot_range(2, &lo, &hi);
	assert_dbl_eq(lo, 2);
	assert_dbl_eq(hi, 4);
	hist_slot_range(10, &lo, &hi);
	assert_dbl_eq(lo, 512);
	assert_dbl_eq(hi, 1024);
	hist_slot_range(N - 1, &lo, &hi);
	assert_dbl_eq(lo, 1073741824.0);
	assert_dbl_eq(hi, 2147483648.0);
	/* contiguous and doubling */
	for (i = 1; i < N; i++) {
		double plo, phi;

		hist_slot_range(i - 1, &plo, &phi);
		hist_slot_range(i, &lo, &hi);
		assert_dbl_eq(lo, phi);
		assert_dbl_eq(hi, 2 * lo);
	}
}

static void test_slot_of_helper_matches_ranges(void **state)
{
	unsigned int i;

	(void)state;
	/* the helper used by the other tests agrees with hist_slot_range */
	for (i = 0; i < N; i++) {
		double lo, hi;

		hist_slot_range(i, &lo, &hi);
		assert_int_equal(slot_of(lo), i);
		assert_int_equal(slot_of(hi - (hi - lo) / 1024), i);
	}
}

/* The slot the BPF programs give a value in ns, by the division they used
 * to make: floor(log2(ns / 1000)) + 1, 0 below 1 us, capped. */
static uint32_t slot_by_division(uint64_t ns)
{
	uint64_t us = ns / 1000;
	uint32_t r = 0;

	if (!us)
		return 0;
	while (us > 1) {
		us >>= 1;
		r++;
	}
	return r + 1 < N ? r + 1 : N - 1;
}

static void test_pp_hist_slot_ns_matches_division(void **state)
{
	uint64_t rng = 0x2545f4914f6cdd1dULL, ns;
	unsigned int k;
	int d, i;

	(void)state;
	/* every value up to 4 ms (slots 0 to 12) */
	for (ns = 0; ns <= 4000000; ns++)
		if (pp_hist_slot_ns(ns) != slot_by_division(ns))
			fail_msg("ns %llu: slot %u, by division %u", (unsigned long long)ns,
				 pp_hist_slot_ns(ns), slot_by_division(ns));
	/* around every slot's edge, 1000 * 2^k ns, and every power of two */
	for (k = 0; k < 64; k++)
		for (d = -3; d <= 3; d++) {
			uint64_t e[2] = {k < 54 ? (1000ULL << k) + (uint64_t)(int64_t)d : 0,
					 (1ULL << k) + (uint64_t)(int64_t)d};

			for (i = 0; i < 2; i++)
				assert_int_equal(pp_hist_slot_ns(e[i]), slot_by_division(e[i]));
		}
	/* random values of every magnitude */
	for (i = 0; i < 1000000; i++) {
		ns = unit_rand(&rng) >> (unit_rand(&rng) % 64);
		assert_int_equal(pp_hist_slot_ns(ns), slot_by_division(ns));
	}
	assert_int_equal(pp_hist_slot_ns(UINT64_MAX), N - 1);
	assert_int_equal(pp_hist_slot_ns(999), 0);
	assert_int_equal(pp_hist_slot_ns(1000), 1);
	assert_int_equal(pp_hist_slot_ns(1999), 1);
	assert_int_equal(pp_hist_slot_ns(2000), 2);
}

static void test_empty(void **state)
{
	uint32_t h[N] = {0};
	struct hist_summary s;

	(void)state;
	assert_dbl_eq(hist_quantile(h, N, 0.5, 0), 0);
	assert_dbl_eq(hist_quantile(h, N, 0.99, 1000), 0);
	assert_dbl_eq(hist_quantile(h, N, 1.0, 1000), 0);
	assert_dbl_eq(hist_quantile(h, 0, 0.5, 1000), 0);
	memset(&s, 0xff, sizeof(s));
	hist_summarize(h, N, 1234.0, &s);
	assert_int_equal(s.count, 0);
	assert_dbl_eq(s.p50, 0);
	assert_dbl_eq(s.p90, 0);
	assert_dbl_eq(s.p99, 0);
	assert_dbl_eq(s.max, 0); /* no samples: no max, whatever max_us says */
}

static void test_n_limits_slots(void **state)
{
	uint32_t h[N] = {0};

	(void)state;
	/* n limits the slots looked at */
	h[5] = 10;
	assert_dbl_eq(hist_quantile(h, 5, 0.5, 0), 0);
	assert_dbl_in(hist_quantile(h, 6, 0.5, 0), 16, 32);
}

static void test_one_slot_every_slot(void **state)
{
	unsigned int k;

	(void)state;
	for (k = 0; k < N; k++) {
		uint32_t h[N] = {0};
		struct hist_summary s;
		double lo, hi, max;

		hist_slot_range(k, &lo, &hi);
		h[k] = 100;
		max = lo + (hi - lo) * 0.75;
		hist_summarize(h, N, max, &s);
		assert_int_equal(s.count, 100);
		assert_dbl_in(s.p50, lo, hi);
		assert_dbl_in(s.p90, lo, hi);
		assert_dbl_in(s.p99, lo, hi);
		assert_dbl_le(s.p99, max);
		assert_dbl_eq(s.max, max);
		/* the median of a slot is strictly inside it */
		assert_true(s.p50 > lo && s.p50 < hi);
		/* without a known maximum, still within the slot */
		assert_dbl_in(hist_quantile(h, N, 0.5, 0), lo, hi);
		assert_dbl_in(hist_quantile(h, N, 0.99, 0), lo, hi);
		assert_dbl_in(hist_quantile(h, N, 1.0, 0), lo, hi);
	}
}

static void test_linear_interpolation(void **state)
{
	uint32_t h[N] = {0};

	(void)state;
	/* 4 samples in [4, 8): the q-quantile is 4 + 4q */
	h[3] = 4;
	assert_dbl_near(hist_quantile(h, N, 0.50, 0), 6.0, 1e-9);
	assert_dbl_near(hist_quantile(h, N, 0.25, 0), 5.0, 1e-9);
	assert_dbl_near(hist_quantile(h, N, 0.75, 0), 7.0, 1e-9);
	assert_dbl_near(hist_quantile(h, N, 1.00, 0), 8.0, 1e-9);
	/* two slots: 10 in [1,2), 10 in [2,4); p75 is half-way in the second */
	memset(h, 0, sizeof(h));
	h[1] = 10;
	h[2] = 10;
	assert_dbl_near(hist_quantile(h, N, 0.75, 0), 3.0, 1e-9);
	assert_dbl_near(hist_quantile(h, N, 0.25, 0), 1.5, 1e-9);
}

static void test_single_sample_capped_by_max(void **state)
{
	uint32_t h[N] = {0};
	struct hist_summary s;

	(void)state;
	/* one wait of 20 us: slot 5 = [16, 32), but the max says 20 */
	h[5] = 1;
	hist_summarize(h, N, 20.0, &s);
	assert_int_equal(s.count, 1);
	assert_dbl_in(s.p50, 16, 20);
	assert_dbl_in(s.p90, 16, 20);
	assert_dbl_in(s.p99, 16, 20);
	assert_dbl_eq(s.max, 20);
	assert_dbl_near(hist_quantile(h, N, 1.0, 20.0), 20.0, 1e-9);
}

static void test_never_above_max(void **state)
{
	uint32_t h[N] = {0};
	double q;

	(void)state;
	h[2] = 7;
	h[9] = 3;
	h[20] = 1;
	/* max inside the top slot [2^19, 2^20) */
	for (q = 0.01; q <= 1.0001; q += 0.01)
		assert_dbl_le(hist_quantile(h, N, q, 600000.0), 600000.0);
	/* q = 1 with the max inside the top slot is the max */
	assert_dbl_near(hist_quantile(h, N, 1.0, 600000.0), 600000.0, 1e-6);
	/* an inconsistent max below the top slot still caps the result */
	for (q = 0.01; q <= 1.0001; q += 0.01)
		assert_dbl_le(hist_quantile(h, N, q, 100.0), 100.0);
	/* even a max below the lowest sample */
	assert_dbl_le(hist_quantile(h, N, 0.5, 1.0), 1.0);
	assert_dbl_le(hist_quantile(h, N, 0.01, 0.5), 0.5);
}

static void test_q_out_of_range(void **state)
{
	uint32_t h[N] = {0};

	(void)state;
	h[4] = 10;
	assert_dbl_eq(hist_quantile(h, N, 0.0, 100), 0);
	assert_dbl_eq(hist_quantile(h, N, -0.5, 100), 0);
	/* q above 1 is treated as 1 */
	assert_dbl_eq(hist_quantile(h, N, 1.5, 12.0), hist_quantile(h, N, 1.0, 12.0));
	assert_dbl_eq(hist_quantile(h, N, 100.0, 0), hist_quantile(h, N, 1.0, 0));
	assert_dbl_le(hist_quantile(h, N, 7.0, 12.0), 12.0);
}

static void test_monotone_in_q(void **state)
{
	uint32_t h[N] = {0};
	double q, prev = 0, v;

	(void)state;
	h[0] = 3;
	h[1] = 1;
	h[6] = 50;
	h[7] = 0;
	h[8] = 5;
	h[15] = 2;
	h[31] = 1;
	for (q = 0.001; q <= 1.0; q += 0.001) {
		v = hist_quantile(h, N, q, 2000000000.0);
		if (v < prev)
			fail_msg("q=%g gives %g < %g at the previous q", q, v, prev);
		prev = v;
	}
}

static void test_bimodal(void **state)
{
	uint32_t h[N] = {0};
	struct hist_summary s;

	(void)state;
	/* 90% of waits in [8,16) us, 10% in [2048,4096) us, max 3000 us */
	h[4] = 900;
	h[12] = 100;
	hist_summarize(h, N, 3000.0, &s);
	assert_int_equal(s.count, 1000);
	assert_dbl_in(s.p50, 8, 16);
	assert_dbl_in(s.p90, 8, 16);
	assert_dbl_in(s.p99, 2048, 3000);
	assert_dbl_eq(s.max, 3000);

	/* 50/50 between [2,4) and [2^19, 2^20): p50 low, p90 and p99 high */
	memset(h, 0, sizeof(h));
	h[2] = 500;
	h[20] = 500;
	hist_summarize(h, N, 1000000.0, &s);
	assert_dbl_in(s.p50, 2, 4);
	assert_dbl_in(s.p90, 524288, 1000000);
	assert_dbl_in(s.p99, 524288, 1000000);
	assert_true(s.p90 < s.p99);

	/* 98.5% fast, 1.5% slow: p99 must be in the slow mode */
	memset(h, 0, sizeof(h));
	h[1] = 985;
	h[14] = 15;
	hist_summarize(h, N, 10000.0, &s);
	assert_dbl_in(s.p50, 1, 2);
	assert_dbl_in(s.p90, 1, 2);
	assert_dbl_in(s.p99, 8192, 10000);
}

static void test_summary_ordering_random(void **state)
{
	uint64_t rng = 0x9e3779b97f4a7c15ULL;
	int iter;

	(void)state;
	for (iter = 0; iter < 2000; iter++) {
		uint32_t h[N] = {0};
		struct hist_summary s;
		unsigned int i, top = 0, nslots = 1 + (unsigned int)(unit_rand(&rng) % 6);
		double lo, hi, max;
		uint64_t total = 0;

		for (i = 0; i < nslots; i++) {
			unsigned int k = (unsigned int)(unit_rand(&rng) % N);
			uint32_t c = (uint32_t)(unit_rand(&rng) % 1000) + 1;

			h[k] += c;
			total += c;
			if (k > top)
				top = k;
		}
		hist_slot_range(top, &lo, &hi);
		max = lo + (hi - lo) * unit_rand01(&rng);
		hist_summarize(h, N, max, &s);
		assert_int_equal(s.count, total);
		assert_dbl_le(0, s.p50);
		assert_dbl_le(s.p50, s.p90);
		assert_dbl_le(s.p90, s.p99);
		assert_dbl_le(s.p99, s.max);
		assert_dbl_eq(s.max, max);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Build a histogram from known values; the estimate of each quantile must
 * fall in the slot that holds the true quantile. */
static void check_against_values(double *v, size_t n)
{
	static const double qs[] = {0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1.0};
	uint32_t h[N] = {0};
	double max = 0;
	size_t i, k;

	for (i = 0; i < n; i++) {
		h[slot_of(v[i])]++;
		if (v[i] > max)
			max = v[i];
	}
	qsort(v, n, sizeof(*v), cmp_double);
	for (k = 0; k < sizeof(qs) / sizeof(qs[0]); k++) {
		double rank = qs[k] * (double)n, truth, est, lo, hi;
		size_t idx = (size_t)ceil(rank);
		unsigned int sl;

		if (idx < 1)
			idx = 1;
		truth = v[idx - 1]; /* the rank-th smallest value */
		sl = slot_of(truth);
		hist_slot_range(sl, &lo, &hi);
		if (hi > max)
			hi = max;
		est = hist_quantile(h, N, qs[k], max);
		if (!(est >= lo && est <= hi))
			fail_msg("n=%zu q=%g: estimate %.6g outside slot %u [%.6g, %.6g] of true %.6g",
				 n, qs[k], est, sl, lo, hi, truth);
		assert_dbl_le(est, max);
		/* the log2 bucketing is accurate to a factor of two */
		if (truth >= 1)
			assert_dbl_in(est, truth / 2, truth * 2);
	}
}

static void test_cross_check_random_values(void **state)
{
	uint64_t rng = 12345;
	size_t sizes[] = {1, 2, 3, 7, 10, 99, 100, 101, 1000, 10007, 100000};
	size_t s, i;
	int dist;

	(void)state;
	for (dist = 0; dist < 4; dist++) {
		for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			static double v[100000];
			size_t n = sizes[s];

			for (i = 0; i < n; i++) {
				double u = unit_rand01(&rng);

				switch (dist) {
				case 0: /* log-uniform over [0.1 us, 1 s) */
					v[i] = 0.1 * pow(10.0, 7.0 * u);
					break;
				case 1: /* exponential, mean 50 us */
					v[i] = -50.0 * log(1.0 - u);
					break;
				case 2: /* bimodal: 95% around 5 us, 5% around 20 ms */
					v[i] = u < 0.95 ? 3 + 4 * unit_rand01(&rng)
							: 15000 + 10000 * unit_rand01(&rng);
					break;
				default: /* integers, as the kernel sees them */
					v[i] = (double)(unit_rand(&rng) % 5000);
					break;
				}
			}
			check_against_values(v, n);
		}
	}
}

static void test_large_counts_no_overflow(void **state)
{
	uint32_t h[N] = {0};
	struct hist_summary s;

	(void)state;
	/* totals above 2^32 must not wrap */
	h[1] = UINT32_MAX;
	h[2] = UINT32_MAX;
	h[20] = UINT32_MAX;
	hist_summarize(h, N, 30000000.0, &s);
	assert_true(s.count == 3ULL * UINT32_MAX);
	assert_dbl_in(s.p50, 2, 4);
	assert_dbl_in(s.p90, 524288, 1048576);
	assert_dbl_in(s.p99, 524288, 1048576);
	assert_dbl_le(s.p99, s.max);
	/* every slot full */
	memset(h, 0xff, sizeof(h));
	hist_summarize(h, N, 2000000000.0, &s);
	assert_true(s.count == (uint64_t)N * UINT32_MAX);
	assert_dbl_in(s.p50, 16384, 32768); /* the top of slot 15: half the samples */
	assert_dbl_le(s.p99, 2000000000.0);
}

static void test_gaps_skip_empty_slots(void **state)
{
	uint32_t h[N] = {0};
	double q;

	(void)state;
	h[3] = 10;
	h[9] = 10;
	/* no quantile may land inside the empty slots 4..8 */
	for (q = 0.01; q <= 1.0; q += 0.01) {
		double v = hist_quantile(h, N, q, 400.0);

		if (!((v >= 4 && v <= 8) || (v >= 256 && v <= 400)))
			fail_msg("q=%g -> %g lies in an empty slot", q, v);
	}
	assert_dbl_in(hist_quantile(h, N, 0.5, 400.0), 4, 8);
	assert_dbl_in(hist_quantile(h, N, 0.51, 400.0), 256, 400);
}

static void test_summarize_matches_quantile(void **state)
{
	uint32_t h[N] = {0};
	struct hist_summary s;

	(void)state;
	h[0] = 4;
	h[7] = 40;
	h[11] = 6;
	hist_summarize(h, N, 1500.0, &s);
	assert_int_equal(s.count, 50);
	assert_dbl_eq(s.p50, hist_quantile(h, N, 0.50, 1500.0));
	assert_dbl_eq(s.p90, hist_quantile(h, N, 0.90, 1500.0));
	assert_dbl_eq(s.p99, hist_quantile(h, N, 0.99, 1500.0));
	assert_dbl_eq(s.max, 1500.0);
	/* sub-microsecond waits only */
	memset(h, 0, sizeof(h));
	h[0] = 9;
	hist_summarize(h, N, 0.4, &s);
	assert_dbl_in(s.p50, 0, 0.4);
	assert_dbl_in(s.p99, 0, 0.4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slot_range_edges),
		cmocka_unit_test(test_slot_of_helper_matches_ranges),
		cmocka_unit_test(test_pp_hist_slot_ns_matches_division),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_n_limits_slots),
		cmocka_unit_test(test_one_slot_every_slot),
		cmocka_unit_test(test_linear_interpolation),
		cmocka_unit_test(test_single_sample_capped_by_max),
		cmocka_unit_test(test_never_above_max),
		cmocka_unit_test(test_q_out_of_range),
		cmocka_unit_test(test_monotone_in_q),
		cmocka_unit_test(test_bimodal),
		cmocka_unit_test(test_summary_ordering_random),
		cmocka_unit_test(test_cross_check_random_values),
		cmocka_unit_test(test_large_counts_no_overflow),
		cmocka_unit_test(test_gaps_skip_empty_slots),
		cmocka_unit_test(test_summarize_matches_quantile),
	};

	return cmocka_run_group_tests_name("hist", tests, NULL, NULL);
}
