// SPDX-License-Identifier: GPL-2.0
/* store/rollup_merge.c: what the rows of a step merge into. */
#include <math.h>
#include "unit.h"
#include "store/rollup_merge.h"

/* Four recorded intervals of 1 s, ids 11..14. */
static const struct rm_row raw4[4] = {
	{ 11, 10, 1000, 1 }, { 12, 11, 1000, 1 }, { 13, 12, 1000, 1 }, { 14, 13, 1000, 1 },
};

static const struct rm_acc *find(const struct rm_step *s, int64_t ent, int64_t met)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->acc[i].ent == ent && s->acc[i].met == met)
			return &s->acc[i];
	fail_msg("no (%lld, %lld)", (long long)ent, (long long)met);
	return NULL;
}

static void add(struct rm_step *s, size_t row, int64_t ent, int64_t met, enum rm_kind k, double v,
		const struct rm_stat *stat, const double *carried, const struct rm_span *span)
{
	assert_int_equal(rm_add(s, row, ent, met, k, v, stat, carried, span), 0);
}

/* A gauge carried into the step, present in rows 0 to 2 only (it ended in
 * row 2), a new value in row 2: its level counts where it was present. */
static void test_gauge_carried_and_present(void **state)
{
	struct rm_step s = {0};
	const struct rm_span span = { 11, 13 };
	const double carried = 100;
	const struct rm_acc *a;

	(void)state;
	rm_step_begin(&s, raw4, 4);
	add(&s, 2, 7, 3, RM_GAUGE, 200, NULL, &carried, &span);
	rm_step_finish(&s);
	a = find(&s, 7, 3);
	assert_true(a->has_sample);
	assert_dbl_eq(a->value, 200);
	assert_true(a->has_stat);
	assert_dbl_eq(a->stat.min, 100);
	assert_dbl_eq(a->stat.max, 200);
	assert_dbl_near(a->stat.mean, 400.0 / 3, 1e-12);
	assert_int_equal(s.merged, 4);
	assert_int_equal(s.length_ms, 4000);
	rm_step_free(&s);
}

/* Nothing known before its first value: the level counts from there; a
 * constant level has no stats. */
static void test_gauge_unknown_before(void **state)
{
	struct rm_step s = {0};
	const struct rm_acc *a;

	(void)state;
	rm_step_begin(&s, raw4, 4);
	add(&s, 2, 7, 3, RM_GAUGE, 200, NULL, NULL, NULL);
	rm_step_finish(&s);
	a = find(&s, 7, 3);
	assert_true(a->has_sample);
	assert_false(a->has_stat);
	assert_dbl_eq(a->stat.mean, 200);
	rm_step_free(&s);
}

/* Rows of different lengths: the mean is weighted by time; rolled-up rows
 * bring their own stats. */
static void test_gauge_time_weighted(void **state)
{
	static const struct rm_row rows[2] = { { 10, 0, 1000, 1 }, { 40, 10, 3000, 30 } };
	const struct rm_stat st = { 15, 30, 20 };
	struct rm_step s = {0};
	const struct rm_acc *a;

	(void)state;
	rm_step_begin(&s, rows, 2);
	add(&s, 0, 1, 1, RM_GAUGE, 10, NULL, NULL, NULL);
	add(&s, 1, 1, 1, RM_GAUGE, 25, &st, NULL, NULL);
	rm_step_finish(&s);
	a = find(&s, 1, 1);
	assert_dbl_eq(a->value, 25);
	assert_dbl_eq(a->stat.min, 10);
	assert_dbl_eq(a->stat.max, 30);
	assert_dbl_eq(a->stat.mean, (10.0 * 1 + 20.0 * 3) / 4);
	assert_int_equal(s.merged, 31);
	rm_step_free(&s);
}

/* Counters from merged rows: one without stats (a single non-zero recorded
 * interval: min 0, max the value), one with, one without a value. */
static void test_counter_from_steps(void **state)
{
	static const struct rm_row rows[3] = {
		{ 10, 0, 10000, 10 }, { 20, 10, 10000, 10 }, { 30, 20, 10000, 10 },
	};
	const struct rm_stat st = { 0, 12, 2 };
	struct rm_step s = {0};
	const struct rm_acc *a;

	(void)state;
	rm_step_begin(&s, rows, 3);
	add(&s, 0, 5, 2, RM_COUNTER, 5, NULL, NULL, NULL);
	add(&s, 1, 5, 2, RM_COUNTER, 20, &st, NULL, NULL);
	rm_step_finish(&s);
	a = find(&s, 5, 2);
	assert_dbl_eq(a->value, 25);
	assert_true(a->has_stat);
	assert_dbl_eq(a->stat.min, 0);
	assert_dbl_eq(a->stat.max, 12);
	assert_dbl_near(a->stat.mean, 25.0 / 30, 1e-12);
	rm_step_free(&s);
}

/* Recorded intervals: a counter non-zero once has no stats (they follow
 * from the value); a peak keeps the largest, its mean counts the zeros;
 * one value in every row: the least of them. */
static void test_recorded(void **state)
{
	struct rm_step s = {0};
	const struct rm_acc *a;

	(void)state;
	rm_step_begin(&s, raw4, 4);
	add(&s, 1, 1, 1, RM_COUNTER, 40, NULL, NULL, NULL);
	add(&s, 0, 1, 2, RM_PEAK, 3, NULL, NULL, NULL);
	add(&s, 3, 1, 2, RM_PEAK, 7, NULL, NULL, NULL);
	add(&s, 0, 2, 1, RM_COUNTER, 4, NULL, NULL, NULL);
	add(&s, 1, 2, 1, RM_COUNTER, 2, NULL, NULL, NULL);
	add(&s, 2, 2, 1, RM_COUNTER, 6, NULL, NULL, NULL);
	add(&s, 3, 2, 1, RM_COUNTER, 8, NULL, NULL, NULL);
	rm_step_finish(&s);
	/* sorted by entity and metric */
	assert_int_equal(s.n, 3);
	assert_true(s.acc[0].ent == 1 && s.acc[0].met == 1);
	assert_true(s.acc[1].ent == 1 && s.acc[1].met == 2);
	assert_true(s.acc[2].ent == 2);
	a = find(&s, 1, 1);
	assert_dbl_eq(a->value, 40);
	assert_false(a->has_stat);
	assert_dbl_eq(a->stat.mean, 10);
	a = find(&s, 1, 2);
	assert_dbl_eq(a->value, 7);
	assert_true(a->has_stat);
	assert_dbl_eq(a->stat.min, 0);
	assert_dbl_eq(a->stat.max, 7);
	assert_dbl_eq(a->stat.mean, 2.5);
	a = find(&s, 2, 1);
	assert_dbl_eq(a->value, 20);
	assert_dbl_eq(a->stat.min, 2);
	assert_dbl_eq(a->stat.max, 8);
	assert_dbl_eq(a->stat.mean, 5);
	/* the next step starts afresh */
	rm_step_begin(&s, raw4, 2);
	rm_step_finish(&s);
	assert_int_equal(s.n, 0);
	rm_step_free(&s);
}

static void test_map(void **state)
{
	struct rm_map m = {0};
	long i;

	(void)state;
	assert_int_equal(rm_map_get(&m, 1, 1), -1);
	for (i = 0; i < 5000; i++)
		assert_int_equal(rm_map_put(&m, i / 7, i % 7, (size_t)i), 0);
	for (i = 0; i < 5000; i++)
		assert_int_equal(rm_map_get(&m, i / 7, i % 7), i);
	assert_int_equal(rm_map_get(&m, 5000, 0), -1);
	rm_map_clear(&m);
	assert_int_equal(rm_map_get(&m, 0, 0), -1);
	rm_map_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gauge_carried_and_present),
		cmocka_unit_test(test_gauge_unknown_before),
		cmocka_unit_test(test_gauge_time_weighted),
		cmocka_unit_test(test_counter_from_steps),
		cmocka_unit_test(test_recorded),
		cmocka_unit_test(test_map),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
