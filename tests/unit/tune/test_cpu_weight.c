// SPDX-License-Identifier: GPL-2.0
/* The CPU weight tuner: a victim waiting in the run queue while a sibling burns, v1 and v2. */
#define _GNU_SOURCE
#include "tunerfx.h"
#include "tune/tuner.h"

#define V2 "/sys/fs/cgroup/app"
#define V1 "/sys/fs/cgroup/cpu/app"

static unsigned long long run_ns, wait_ns, batch_us;

/* The victim's one process (pid 100, threads 100 and 101) in cg. */
static void victim(struct tfx *fx, const char *cg)
{
	char rel[PATH_MAX];

	snprintf(rel, sizeof(rel), "%s/cgroup.procs", cg + 1);
	tfs_put(fx->root, rel, "100\n");
}

/*
 * One second: each victim thread ran `run` s and waited `wait` s; the
 * sibling "batch" (v2 cpu.stat) used `batch` CPUs; the host was `busy`.
 */
static void second(struct tfx *fx, double run, double wait, double batch, double busy)
{
	char text[128];

	run_ns += (unsigned long long)(run * 1e9);
	wait_ns += (unsigned long long)(wait * 1e9);
	batch_us += (unsigned long long)(batch * 1e6);
	snprintf(text, sizeof(text), "%llu %llu 10\n", run_ns, wait_ns);
	tfs_put(fx->root, "proc/100/task/100/schedstat", text);
	tfs_put(fx->root, "proc/100/task/101/schedstat", text);
	snprintf(text, sizeof(text), "usage_usec %llu\nnr_periods 0\nnr_throttled 0\n"
		 "throttled_usec 0\n", batch_us);
	tfs_put(fx->root, "sys/fs/cgroup/batch/cpu.stat", text);
	tfx_cpu(fx, busy);
}

static int setup(void **state)
{
	struct tfx *fx = calloc(1, sizeof(*fx));

	tfx_setup(fx, "weight", tuner_cpu_weight);
	run_ns = wait_ns = batch_us = 0;
	tfs_put(fx->root, "sys/fs/cgroup/batch/cpu.weight", "100\n");
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	tfx_teardown(*state);
	free(*state);
	return 0;
}

/* v2: the victim waits 60 % while its sibling batch burns 1.5 CPU: weight x2. */
static void test_v2_fires(void **state)
{
	struct tfx *fx = *state;

	tfx_cgroup(fx, V2, V2);
	victim(fx, V2);
	second(fx, 0.2, 0.3, 1.5, 1.9);
	TFX_OBSERVE(fx);
	assert_int_equal(tfx_propose(fx), 0);
	second(fx, 0.2, 0.3, 1.5, 1.9);
	TFX_OBSERVE(fx);
	assert_int_equal(tfx_propose(fx), 1);
	assert_string_equal(fx->p[0].tunable, "cpu.weight");
	assert_string_equal(fx->p[0].cgroup, V2);
	assert_string_equal(fx->p[0].current, "100");
	assert_string_equal(fx->p[0].proposed, "200");
	assert_dbl_near(fx->p[0].metric_value, 0.6, 1e-9);
	assert_non_null(strstr(fx->p[0].evidence, "/sys/fs/cgroup/batch used 1.50 CPU"));
	tfx_apply(fx, &fx->p[0]);
	assert_string_equal(tfs_get(fx->root, "sys/fs/cgroup/app/cpu.weight"), "200\n");
	/* less wait afterwards: the metric the cycle compares */
	second(fx, 0.4, 0.1, 1.5, 1.9);
	TFX_OBSERVE(fx);
	assert_dbl_near(fx->t.measure(&fx->t, &fx->c, &fx->p[0]), 0.2, 1e-9);
	assert_int_equal(tfx_propose(fx), 0); /* being verified */
}

/* v1: cpu.shares; no sibling usage file: the rest of the host is the culprit. */
static void test_v1_fires(void **state)
{
	struct tfx *fx = *state;

	tfs_put(fx->root, "sys/fs/cgroup/cpu/batch/cpu.shares", "1024\n");
	tfx_cgroup(fx, V1, NULL);
	victim(fx, V1);
	second(fx, 0.2, 0.3, 0, 1.9);
	TFX_OBSERVE(fx);
	second(fx, 0.2, 0.3, 0, 1.9);
	TFX_OBSERVE(fx);
	assert_int_equal(tfx_propose(fx), 1);
	assert_string_equal(fx->p[0].tunable, "cpu.shares");
	assert_string_equal(fx->p[0].proposed, "2048");
	assert_non_null(strstr(fx->p[0].evidence, "other tasks on the host used 1.50 CPU"));
	tfx_apply(fx, &fx->p[0]);
	/* at the configured max: no more */
	tfs_put(fx->root, "sys/fs/cgroup/cpu/app/cpu.shares", "10240\n");
	second(fx, 0.2, 0.3, 0, 1.9);
	TFX_OBSERVE(fx);
	fx->cfg.cooldown_s = 0;
	assert_int_equal(tfx_propose(fx), 0);
}

/* Waiting, but nobody else uses the CPU; or busy neighbours and no wait: nothing. */
static void test_quiet(void **state)
{
	struct tfx *fx = *state;
	int i;

	tfx_cgroup(fx, V2, V2);
	victim(fx, V2);
	for (i = 0; i < 3; i++) {
		second(fx, 0.2, 0.3, 0.1, 0.6);
		TFX_OBSERVE(fx);
		assert_int_equal(tfx_propose(fx), 0);
	}
	for (i = 0; i < 3; i++) {
		second(fx, 0.5, 0.02, 1.5, 1.9);
		TFX_OBSERVE(fx);
		assert_int_equal(tfx_propose(fx), 0);
	}
	/* a victim that hardly runs (0.02 CPU wanted) */
	second(fx, 0.005, 0.005, 1.5, 1.9);
	TFX_OBSERVE(fx);
	assert_int_equal(tfx_propose(fx), 0);
}

/* Waiting because its own quota throttles it: the throttled time is not wait. */
static void test_throttled_is_not_wait(void **state)
{
	struct tfx *fx = *state;

	tfx_cgroup(fx, V2, V2);
	victim(fx, V2);
	tfs_put(fx->root, "sys/fs/cgroup/app/cpu.stat",
		"usage_usec 0\nnr_periods 0\nnr_throttled 0\nthrottled_usec 0\n");
	second(fx, 0.2, 0.3, 1.5, 1.9);
	TFX_OBSERVE(fx);
	/* 0.6 s of the 0.6 s waited was throttled */
	tfs_put(fx->root, "sys/fs/cgroup/app/cpu.stat",
		"usage_usec 0\nnr_periods 10\nnr_throttled 10\nthrottled_usec 600000\n");
	second(fx, 0.2, 0.3, 1.5, 1.9);
	TFX_OBSERVE(fx);
	assert_int_equal(tfx_propose(fx), 0);
}

/* The victim's cgroup vanishes: one line; without -c there is nothing to do. */
static void test_vanishes(void **state)
{
	struct tfx *fx = *state;
	char dir[2 * PATH_MAX];

	tfx_cgroup(fx, V2, V2);
	victim(fx, V2);
	second(fx, 0.2, 0.3, 1.5, 1.9);
	TFX_OBSERVE(fx);
	snprintf(dir, sizeof(dir), "%s/sys/fs/cgroup/app", fx->root);
	tfs_rmroot(dir);
	assert_int_equal(tfx_observe(fx), -1);
	tfx_one_line(fx->err, V2);
	fx->t.fini(&fx->t);
	fx->started = false;
	fx->c.cg_cpu[0] = 0;
	assert_int_equal(tfx_init(fx), 1);
	fx->started = false;
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_v2_fires), T(test_v1_fires), T(test_quiet), T(test_throttled_is_not_wait),
		T(test_vanishes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
