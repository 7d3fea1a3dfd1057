// SPDX-License-Identifier: GPL-2.0
/* The memory reclaim tuner: direct-reclaim stalls with memory pressure raise the watermarks. */
#define _GNU_SOURCE
#include "tunerfx.h"
#include "tune/tuner.h"

static int setup(void **state)
{
	struct tfx *fx = calloc(1, sizeof(*fx));

	tfx_setup(fx, "reclaim", tuner_memory_reclaim);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	tfx_teardown(*state);
	free(*state);
	return 0;
}

/* One second: `stalls` more direct-reclaim stalls, memory pressure `psi`. */
static void second(struct tfx *fx, long long stalls, double psi)
{
	fx->stalls += stalls;
	tfx_vmstat(fx, fx->stalls, 100, 0, 100000, 50000);
	tfx_psi(fx, "proc/pressure/memory", psi, 0);
}

static void test_fires(void **state)
{
	struct tfx *fx = *state;

	second(fx, 40, 12);
	TFX_OBSERVE(fx);
	assert_int_equal(tfx_propose(fx), 0); /* no interval yet */
	second(fx, 40, 12);
	TFX_OBSERVE(fx);
	assert_int_equal(tfx_propose(fx), 1);
	assert_string_equal(fx->p[0].tunable, "vm.watermark_scale_factor");
	assert_string_equal(fx->p[0].cgroup, "");
	assert_string_equal(fx->p[0].current, "10");
	assert_string_equal(fx->p[0].proposed, "20");
	assert_string_equal(fx->p[0].metric, "allocstalls_per_s");
	assert_dbl_near(fx->p[0].metric_value, 40, 1e-9);
	tfx_apply(fx, &fx->p[0]);
	assert_string_equal(tfs_get(fx->root, "proc/sys/vm/watermark_scale_factor"), "20\n");
	/* while it is verified neither tunable moves */
	second(fx, 5, 12);
	TFX_OBSERVE(fx);
	assert_int_equal(tfx_propose(fx), 0);
	assert_dbl_near(fx->t.measure(&fx->t, &fx->c, &fx->p[0]), 5, 1e-9);
}

/* Stalls without pressure, pressure without stalls: nothing. */
static void test_quiet(void **state)
{
	struct tfx *fx = *state;
	int i;

	for (i = 0; i < 3; i++) {
		second(fx, 40, 1);
		TFX_OBSERVE(fx);
		assert_int_equal(tfx_propose(fx), 0);
	}
	for (i = 0; i < 3; i++) {
		second(fx, 0, 30);
		TFX_OBSERVE(fx);
		assert_int_equal(tfx_propose(fx), 0);
	}
}

/* watermark_scale_factor at its max (or not allowed): min_free_kbytes, capped by memory. */
static void test_min_free_kbytes(void **state)
{
	struct tfx *fx = *state;

	tfs_put(fx->root, "proc/sys/vm/watermark_scale_factor", "1000\n");
	second(fx, 40, 12);
	TFX_OBSERVE(fx);
	second(fx, 40, 12);
	TFX_OBSERVE(fx);
	assert_int_equal(tfx_propose(fx), 1);
	assert_string_equal(fx->p[0].tunable, "vm.min_free_kbytes");
	assert_string_equal(fx->p[0].proposed, "101376"); /* 67584 x 1.5 */
	/* 5 % of 1600000 kB caps it at 80000 */
	tfs_put(fx->root, "proc/meminfo", "MemTotal:        1600000 kB\n");
	second(fx, 40, 12);
	TFX_OBSERVE(fx);
	assert_int_equal(tfx_propose(fx), 1);
	assert_string_equal(fx->p[0].proposed, "80000");
	tfx_apply(fx, &fx->p[0]);
	/* not allowed: the other one */
	tfx_config(fx, "allow = vm.watermark_scale_factor\n");
	tfs_put(fx->root, "proc/sys/vm/watermark_scale_factor", "100\n");
	second(fx, 40, 12);
	TFX_OBSERVE(fx);
	assert_int_equal(tfx_propose(fx), 1);
	assert_string_equal(fx->p[0].tunable, "vm.watermark_scale_factor");
	assert_string_equal(fx->p[0].proposed, "200");
}

/* A host without PSI: one line naming the file. */
static void test_no_psi(void **state)
{
	struct tfx *fx = *state;
	char path[2 * PATH_MAX];

	snprintf(path, sizeof(path), "%s/proc/pressure/memory", fx->root);
	unlink(path);
	assert_int_equal(tfx_observe(fx), -1);
	tfx_one_line(fx->err, "proc/pressure/memory");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_fires), T(test_quiet), T(test_min_free_kbytes), T(test_no_psi),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
