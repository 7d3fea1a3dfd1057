// SPDX-License-Identifier: GPL-2.0
/* The dirty pages tuner: sustained dirty throttling lowers dirty_background_ratio. */
#define _GNU_SOURCE
#include "tunerfx.h"
#include "tune/tuner.h"

static int setup(void **state)
{
	struct tfx *fx = calloc(1, sizeof(*fx));

	tfx_setup(fx, "dirty", tuner_dirty_pages);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	tfx_teardown(*state);
	free(*state);
	return 0;
}

/* One interval ending with `dirty` dirty pages; thresholds 100000 and 50000 (throttling at 75000). */
static size_t second(struct tfx *fx, long long dirty)
{
	tfx_vmstat(fx, 0, dirty, 1000, 100000, 50000);
	TFX_OBSERVE(fx);
	return tfx_propose(fx);
}

static void test_fires_when_sustained(void **state)
{
	struct tfx *fx = *state;

	assert_int_equal(second(fx, 80000), 0);
	assert_int_equal(second(fx, 10000), 0);
	assert_int_equal(second(fx, 80000), 0); /* 2 of 3 */
	assert_int_equal(second(fx, 90000), 1); /* 3 of 4, the latest at */
	assert_string_equal(fx->p[0].tunable, "vm.dirty_background_ratio");
	assert_string_equal(fx->p[0].current, "10");
	assert_string_equal(fx->p[0].proposed, "5");
	assert_dbl_near(fx->p[0].metric_value, 0.91, 1e-9);
	assert_non_null(strstr(fx->p[0].evidence, "in 3 of the last 4 intervals"));
	tfx_apply(fx, &fx->p[0]);
	assert_string_equal(tfs_get(fx->root, "proc/sys/vm/dirty_background_ratio"), "5\n");
	/* the latest interval below the throttling point: nothing */
	fx->cfg.cooldown_s = 0;
	assert_int_equal(second(fx, 20000), 0);
	assert_dbl_near(fx->t.measure(&fx->t, &fx->c, &fx->p[0]), 0.21, 1e-9);
}

static void test_not_sustained(void **state)
{
	struct tfx *fx = *state;
	int i;

	/* at the point every other interval: 2 of 5 at most */
	for (i = 0; i < 8; i++)
		assert_int_equal(second(fx, i % 3 == 0 ? 80000 : 30000), 0);
	/* never near it */
	for (i = 0; i < 5; i++)
		assert_int_equal(second(fx, 60000), 0);
}

/* Bounds: below dirty_ratio, not below the configured min, then no step. */
static void test_bounds(void **state)
{
	struct tfx *fx = *state;

	tfs_put(fx->root, "proc/sys/vm/dirty_background_ratio", "30\n");
	tfs_put(fx->root, "proc/sys/vm/dirty_ratio", "20\n");
	second(fx, 80000);
	second(fx, 80000);
	assert_int_equal(second(fx, 80000), 1);
	assert_string_equal(fx->p[0].proposed, "19"); /* 25 would stay above dirty_ratio */
	tfs_put(fx->root, "proc/sys/vm/dirty_background_ratio", "3\n");
	assert_int_equal(second(fx, 80000), 1);
	assert_string_equal(fx->p[0].proposed, "1");
	tfs_put(fx->root, "proc/sys/vm/dirty_background_ratio", "1\n");
	assert_int_equal(second(fx, 80000), 0);
	/* dirty_background_bytes in use: the ratio reads 0 */
	tfs_put(fx->root, "proc/sys/vm/dirty_background_ratio", "0\n");
	assert_int_equal(second(fx, 80000), 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_fires_when_sustained), T(test_not_sustained), T(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
