// SPDX-License-Identifier: GPL-2.0
/* The senpai-style memory.high tuner: steps down while calm, floor, stop rule, v1. */
#define _GNU_SOURCE
#include "tunerfx.h"
#include "tune/step.h"
#include "tune/tuner.h"

#define CG "/sys/fs/cgroup/app"
#define MiB (1024LL * 1024)

static long long refaults;
static unsigned long long stall_us;

static int setup(void **state)
{
	struct tfx *fx = calloc(1, sizeof(*fx));

	tfx_setup(fx, "high", tuner_memory_high);
	tfx_config(fx, "[tuner memory_high]\nenabled = true\n");
	refaults = 0;
	stall_us = 0;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	tfx_teardown(*state);
	free(*state);
	return 0;
}

/* One second of the cgroup: memory.current, new refaults, stall µs (avg10 follows). */
static void second(struct tfx *fx, long long current, long long new_refaults, unsigned stall)
{
	char text[256];

	refaults += new_refaults;
	stall_us += stall;
	snprintf(text, sizeof(text), "%lld\n", current);
	tfs_put(fx->root, "sys/fs/cgroup/app/memory.current", text);
	snprintf(text, sizeof(text), "anon 1000\nfile 2000\nworkingset_refault_anon 0\n"
		 "workingset_refault_file %lld\nworkingset_activate_anon 0\n", refaults);
	tfs_put(fx->root, "sys/fs/cgroup/app/memory.stat", text);
	tfx_psi(fx, "sys/fs/cgroup/app/memory.pressure", stall / 1e4, stall_us);
}

/* -c CG using 512 MiB, two calm seconds: the first step is proposed. */
static void first_step(struct tfx *fx)
{
	tfx_cgroup(fx, CG, CG);
	second(fx, 512 * MiB, 0, 0);
	TFX_OBSERVE(fx);
	second(fx, 512 * MiB, 0, 0);
	TFX_OBSERVE(fx);
	assert_int_equal(tfx_propose(fx), 1);
}

static void test_steps_down_to_the_floor(void **state)
{
	struct tfx *fx = *state;

	tfx_cgroup(fx, CG, CG);
	second(fx, 512 * MiB, 0, 0);
	TFX_OBSERVE(fx);
	assert_int_equal(tfx_propose(fx), 0);
	second(fx, 512 * MiB, 0, 0);
	TFX_OBSERVE(fx);
	/* from "max": a step down from what it uses (default /2) */
	assert_int_equal(tfx_propose(fx), 1);
	assert_string_equal(fx->p[0].tunable, "memory.high");
	assert_string_equal(fx->p[0].current, "max");
	assert_string_equal(fx->p[0].proposed, "268435456");
	assert_string_equal(fx->p[0].metric, "memory.current");
	assert_true(fx->p[0].lower_is_better);
	tfx_apply(fx, &fx->p[0]);
	/* it gave memory back, calmly: kept */
	second(fx, 250 * MiB, 0, 0);
	TFX_OBSERVE(fx);
	assert_false(fx->t.other_worse(&fx->t, &fx->c, &fx->p[0]));
	assert_int_equal(verify_decide(fx->p[0].metric_value,
				       fx->t.measure(&fx->t, &fx->c, &fx->p[0]), true,
				       fx->cfg.min_improvement, false), VERIFY_KEEP);
	assert_int_equal(journal_update(&fx->j, 1, JS_KEPT, NULL, fx->err, sizeof(fx->err)), 0);
	/* the next step from memory.high (256 MiB, below the 300 MiB in use) */
	second(fx, 300 * MiB, 0, 0);
	TFX_OBSERVE(fx);
	assert_int_equal(tfx_propose(fx), 1);
	assert_string_equal(fx->p[0].current, "268435456");
	assert_string_equal(fx->p[0].proposed, "134217728");
	/* then the 64 MiB floor (not 45 MiB), then none */
	tfx_teardown(fx);
	free(fx);
	setup(state);
	fx = *state;
	tfx_cgroup(fx, CG, CG);
	tfs_put(fx->root, "sys/fs/cgroup/app/memory.high", "100663296\n"); /* 96 MiB */
	second(fx, 90 * MiB, 0, 0);
	TFX_OBSERVE(fx);
	second(fx, 90 * MiB, 0, 0);
	TFX_OBSERVE(fx);
	assert_int_equal(tfx_propose(fx), 1);
	assert_string_equal(fx->p[0].proposed, "67108864");
	tfs_put(fx->root, "sys/fs/cgroup/app/memory.high", "67108864\n");
	second(fx, 60 * MiB, 0, 0);
	TFX_OBSERVE(fx);
	assert_int_equal(tfx_propose(fx), 0);
}

/* Refaults or stalls while a step is verified: other_worse, the cycle rolls it back. */
static void test_stop_while_verifying(void **state)
{
	struct tfx *fx = *state;

	first_step(fx);
	tfx_apply(fx, &fx->p[0]);
	second(fx, 256 * MiB, 300, 0);
	TFX_OBSERVE(fx);
	assert_true(fx->t.other_worse(&fx->t, &fx->c, &fx->p[0]));
	/* stalls alone (2 % of the interval) too */
	tfx_teardown(fx);
	free(fx);
	setup(state);
	fx = *state;
	first_step(fx);
	second(fx, 256 * MiB, 0, 20000);
	TFX_OBSERVE(fx);
	assert_true(fx->t.other_worse(&fx->t, &fx->c, &fx->p[0]));
}

/* Pressure or refaults before any step: it does not start. */
static void test_no_start_under_pressure(void **state)
{
	struct tfx *fx = *state;
	int i;

	tfx_cgroup(fx, CG, CG);
	for (i = 0; i < 3; i++) {
		second(fx, 512 * MiB, 10, 0);
		TFX_OBSERVE(fx);
		assert_int_equal(tfx_propose(fx), 0);
	}
	for (i = 0; i < 3; i++) {
		second(fx, 512 * MiB, 0, 5000);
		TFX_OBSERVE(fx);
		assert_int_equal(tfx_propose(fx), 0);
	}
}

/* Refaults after a kept step: one step back to the value before it, then nothing. */
static void test_step_back_after_kept(void **state)
{
	struct tfx *fx = *state;
	int64_t id;

	first_step(fx);
	id = tfx_apply(fx, &fx->p[0]);
	assert_int_equal(journal_update(&fx->j, id, JS_KEPT, NULL, fx->err, sizeof(fx->err)), 0);
	second(fx, 256 * MiB, 0, 0);
	TFX_OBSERVE(fx);
	second(fx, 256 * MiB, 500, 0);
	TFX_OBSERVE(fx);
	assert_int_equal(tfx_propose(fx), 1);
	assert_string_equal(fx->p[0].current, "268435456");
	assert_string_equal(fx->p[0].proposed, "max");
	tfx_apply(fx, &fx->p[0]);
	assert_string_equal(tfs_get(fx->root, "sys/fs/cgroup/app/memory.high"), "max\n");
	second(fx, 500 * MiB, 0, 0);
	TFX_OBSERVE(fx);
	second(fx, 500 * MiB, 0, 0);
	TFX_OBSERVE(fx);
	assert_int_equal(tfx_propose(fx), 0); /* stopped for good */
}

/* v1 (no memory.high): unavailable in one line; a vanished cgroup: one line. */
static void test_v1_and_vanished(void **state)
{
	struct tfx *fx = *state;
	char dir[2 * PATH_MAX];

	tfx_cgroup(fx, "/sys/fs/cgroup/cpu/app", "/sys/fs/cgroup/memory/app");
	assert_int_equal(tfx_init(fx), -1);
	tfx_one_line(fx->err, "unavailable");
	tfx_one_line(fx->err, "/sys/fs/cgroup/memory/app");
	fx->started = false;
	fx->c.cg_memory[0] = 0;
	assert_int_equal(tfx_init(fx), 1); /* no cgroup: nothing to do */
	fx->started = false;
	tfx_cgroup(fx, CG, CG);
	second(fx, 512 * MiB, 0, 0);
	TFX_OBSERVE(fx);
	snprintf(dir, sizeof(dir), "%s/sys/fs/cgroup/app", fx->root);
	tfs_rmroot(dir);
	assert_int_equal(tfx_observe(fx), -1);
	tfx_one_line(fx->err, CG);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_steps_down_to_the_floor), T(test_stop_while_verifying),
		T(test_no_start_under_pressure), T(test_step_back_after_kept),
		T(test_v1_and_vanished),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
