// SPDX-License-Identifier: GPL-2.0
/* tune --status's per-cgroup rows: slack and throttled time since the first change. */
#define _GNU_SOURCE
#include <math.h>
#include "tunefs.h"
#include "tune/quota_status.h"

struct fx {
	char root[PATH_MAX];
	char state[PATH_MAX + 8];
	struct hostfs h;
	struct journal j;
	char err[512];
	double clock;
	int slept;
};

static void cpustat(struct fx *fx, long long usage_us, long long throttled_us)
{
	char text[512];

	snprintf(text, sizeof(text),
		 "usage_usec %lld\nuser_usec 0\nsystem_usec 0\nnr_periods 100\nnr_throttled 40\n"
		 "throttled_usec %lld\nnr_bursts 0\nburst_usec 0\n", usage_us, throttled_us);
	tfs_put(fx->root, "sys/fs/cgroup/app/cpu.stat", text);
}

static double fake_clock(void *arg)
{
	return ((struct fx *)arg)->clock;
}

/* One second passes: the cgroup used 0.25 CPU of it. */
static void fake_sleep(void *arg, double s)
{
	struct fx *fx = arg;

	fx->clock += s;
	fx->slept++;
	cpustat(fx, 9000000 + 250000, 3000000);
}

static void add(struct fx *fx, const char *cg, const char *tunable, const char *old,
		const char *new, double time, enum journal_state st, const char *metric,
		double before)
{
	struct journal_entry e;
	uint64_t ino = 0;

	journal_entry_init(&e);
	e.time = time;
	e.scope = TUNE_CGROUP;
	snprintf(e.cgroup, sizeof(e.cgroup), "%s", cg);
	hostfs_cgroup_id(&fx->h, cg, &ino, fx->err, sizeof(fx->err));
	e.ino = ino;
	snprintf(e.tunable, sizeof(e.tunable), "%s", tunable);
	snprintf(e.old, sizeof(e.old), "%s", old);
	snprintf(e.new, sizeof(e.new), "%s", new);
	snprintf(e.tuner, sizeof(e.tuner), "cpu_quota");
	if (metric) {
		snprintf(e.metric, sizeof(e.metric), "%s", metric);
		e.before = before;
	}
	e.state = st;
	assert_int_equal(journal_add(&fx->j, &e, NULL, fx->err, sizeof(fx->err)), 0);
}

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	tfs_mkroot(fx->root, sizeof(fx->root), "qstatus");
	tfs_host(fx->root);
	tfs_put(fx->root, "sys/fs/cgroup/app/cpu.max", "50000 100000\n");
	cpustat(fx, 9000000, 3000000);
	snprintf(fx->state, sizeof(fx->state), "%s/state", fx->root);
	assert_int_equal(hostfs_init(&fx->h, fx->root), 0);
	assert_int_equal(journal_load(&fx->j, fx->state, JOURNAL_LOCK, fx->err, sizeof(fx->err)),
			 0);
	fx->clock = 100;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	journal_free(&fx->j);
	tfs_rmroot(fx->root);
	free(fx);
	return 0;
}

/*
 * Two scaling changes in place on app (the first recorded 1 s of throttled
 * time; cpu.stat says 3 s now), one reverted before them, one on a cgroup
 * that is gone, and a sysctl: two rows.
 */
static void test_rows(void **state)
{
	struct fx *fx = *state;
	struct quota_status r[4];
	size_t n;

	add(fx, "/sys/fs/cgroup/app", "cpu.max", "30000 100000", "40000 100000", 1000,
	    JS_REVERTED, "cpu.throttled_seconds", 0.5);
	add(fx, "/sys/fs/cgroup/app", "cpu.max", "30000 100000", "60000 100000", 2000, JS_KEPT,
	    "cpu.throttled_seconds", 1.0);
	add(fx, "/sys/fs/cgroup/app", "cpu.max", "60000 100000", "50000 100000", 2100, JS_KEPT,
	    "cpu.throttled_seconds", 2.5);
	add(fx, "/sys/fs/cgroup/gone", "cpu.max", "30000 100000", "45000 100000", 2200, JS_KEPT,
	    "cpu.throttled_seconds", 0);
	n = quota_status_read(&fx->h, &fx->j, 1, fake_clock, fake_sleep, fx, r, 4);
	assert_int_equal(n, 2);
	assert_int_equal(fx->slept, 1);
	assert_string_equal(r[0].cgroup, "/sys/fs/cgroup/app");
	assert_string_equal(r[0].tunable, "cpu.max");
	assert_false(r[0].gone);
	assert_int_equal(r[0].changes, 2);
	assert_dbl_eq(r[0].since, 2000);
	assert_dbl_near(r[0].quota, 0.5, 1e-9);
	assert_dbl_near(r[0].usage, 0.25, 1e-9);
	assert_dbl_near(r[0].slack, 0.5, 1e-9);
	assert_dbl_near(r[0].throttled_s, 2.0, 1e-9);
	assert_string_equal(r[1].cgroup, "/sys/fs/cgroup/gone");
	assert_true(r[1].gone);
	assert_true(isnan(r[1].slack));
}

/* A change without the throttled total (not a scaling one): unknown; an
 * unlimited quota has no slack; no open change: no row and no wait. */
static void test_unknown(void **state)
{
	struct fx *fx = *state;
	struct quota_status r[2];
	size_t n;

	n = quota_status_read(&fx->h, &fx->j, 1, fake_clock, fake_sleep, fx, r, 2);
	assert_int_equal(n, 0);
	assert_int_equal(fx->slept, 0);
	add(fx, "/sys/fs/cgroup/app", "cpu.max", "30000 100000", "max 100000", 2000, JS_KEPT,
	    "cpu.throttled_seconds_per_s", 0.8);
	tfs_put(fx->root, "sys/fs/cgroup/app/cpu.max", "max 100000\n");
	n = quota_status_read(&fx->h, &fx->j, 1, fake_clock, fake_sleep, fx, r, 2);
	assert_int_equal(n, 1);
	assert_true(isinf(r[0].quota));
	assert_dbl_near(r[0].usage, 0.25, 1e-9);
	assert_true(isnan(r[0].slack));
	assert_true(isnan(r[0].throttled_s));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown, setup, teardown),
	};

	return cmocka_run_group_tests_name("quota_status", tests, NULL, NULL);
}
