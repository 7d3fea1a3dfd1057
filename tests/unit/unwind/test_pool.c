// SPDX-License-Identifier: GPL-2.0
/* pool.c: runs of rows for the unwind tables, first fit, freed runs reused. */
#include <stdbool.h>
#include "unit.h"
#include "unwind/pool.h"

static void test_first_fit(void **state)
{
	struct pool p;
	uint32_t a, b, c, d;

	(void)state;
	pool_init(&p, 100);
	assert_int_equal(pool_alloc(&p, 0, &a), -1);
	assert_int_equal(pool_alloc(&p, 101, &a), -1);
	assert_int_equal(pool_alloc(&p, 40, &a), 0);
	assert_int_equal(pool_alloc(&p, 30, &b), 0);
	assert_int_equal(pool_alloc(&p, 30, &c), 0);
	assert_int_equal(a, 0);
	assert_int_equal(b, 40);
	assert_int_equal(c, 70);
	assert_int_equal(p.rows_used, 100);
	assert_int_equal(pool_largest_free(&p), 0);
	assert_int_equal(pool_alloc(&p, 1, &d), -1);
	/* a hole of 40 at the start: 50 does not fit until its neighbour goes */
	pool_free(&p, a);
	assert_int_equal(pool_largest_free(&p), 40);
	assert_int_equal(pool_alloc(&p, 50, &d), -1);
	pool_free(&p, b);
	assert_int_equal(pool_largest_free(&p), 70);
	assert_int_equal(pool_alloc(&p, 50, &d), 0);
	assert_int_equal(d, 0);
	assert_int_equal(pool_alloc(&p, 20, &d), 0);
	assert_int_equal(d, 50);
	assert_int_equal(p.rows_used, 100);
	pool_free(&p, 12345); /* no such run: nothing happens */
	assert_int_equal(p.rows_used, 100);
	pool_release(&p);
}

/* Many small runs, every other one freed, then bigger ones: each taken run
 * lies inside the pool and overlaps no other. */
static void test_no_overlap(void **state)
{
	enum { N = 500 };
	static uint32_t first[N], count[N];
	static bool live[N];
	struct pool p;
	size_t i, j;

	(void)state;
	pool_init(&p, 10000);
	for (i = 0; i < N; i++) {
		count[i] = 1 + (uint32_t)(i * 7 % 19);
		live[i] = !pool_alloc(&p, count[i], &first[i]);
	}
	for (i = 0; i < N; i += 2)
		if (live[i]) {
			pool_free(&p, first[i]);
			live[i] = false;
		}
	for (i = 0; i < N; i += 2) {
		count[i] = 3 + (uint32_t)(i % 23);
		live[i] = !pool_alloc(&p, count[i], &first[i]);
	}
	for (i = 0; i < N; i++) {
		if (!live[i])
			continue;
		assert_true(first[i] + count[i] <= 10000);
		for (j = i + 1; j < N; j++)
			if (live[j])
				assert_true(first[i] + count[i] <= first[j] ||
					    first[j] + count[j] <= first[i]);
	}
	pool_release(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_fit),
		cmocka_unit_test(test_no_overlap),
	};

	return cmocka_run_group_tests_name("unwind pool", tests, NULL, NULL);
}
