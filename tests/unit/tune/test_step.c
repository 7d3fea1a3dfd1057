// SPDX-License-Identifier: GPL-2.0
/* Decisions: next values within bounds and caps, saturation, gate, verdicts. */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include "../unit.h"
#include "tune/num.h"
#include "tune/step.h"

static const struct tune_step x2 = {.factor = true, .mul = 2};
static const struct tune_step x1_5 = {.factor = true, .mul = 1.5};
static const struct tune_step plus5 = {.factor = false, .add = 5};

static struct step_limits limits(int64_t min, int64_t max)
{
	struct step_limits l = {.min = min, .max = max, .floor = INT64_MIN, .cap = INT64_MAX};

	return l;
}

/* next from cur, or -999 for STEP_AT_LIMIT */
static int64_t next(int64_t cur, int dir, const struct tune_step *s, struct step_limits l)
{
	int64_t v = -12345;

	if (step_next(cur, dir, s, &l, &v) == STEP_AT_LIMIT) {
		assert_int_equal(v, -12345); /* untouched */
		return -999;
	}
	return v;
}

static void test_bounds(void **state)
{
	struct step_limits l = limits(128, 65535);

	(void)state;
	assert_int_equal(next(4096, +1, &x2, l), 8192);
	assert_int_equal(next(40000, +1, &x2, l), 65535);
	assert_int_equal(next(65535, +1, &x2, l), -999);
	/* outside the bounds: never further out, back in when moving inwards */
	assert_int_equal(next(70000, +1, &x2, l), -999);
	assert_int_equal(next(10, +1, &x2, l), 128);
	assert_int_equal(next(70000, -1, &x2, l), 35000);
	assert_int_equal(next(200, -1, &x2, l), 128);
	assert_int_equal(next(128, -1, &x2, l), -999);
	/* absolute steps */
	l = limits(5, 80);
	assert_int_equal(next(20, -1, &plus5, l), 15);
	assert_int_equal(next(7, -1, &plus5, l), 5);
	assert_int_equal(next(5, -1, &plus5, l), -999);
	assert_int_equal(next(78, +1, &plus5, l), 80);
	/* no room at all */
	assert_int_equal(next(50, +1, &x2, limits(100, 10)), -999);
}

static void test_factor_rounding(void **state)
{
	struct step_limits l = limits(0, 1000000);
	struct tune_step x1_1 = {.factor = true, .mul = 1.1};

	(void)state;
	assert_int_equal(next(1, +1, &x1_5, l), 2);
	assert_int_equal(next(1, +1, &x1_1, l), 2); /* 1.1 rounds to 1: at least 1 more */
	assert_int_equal(next(1000, +1, &x1_1, l), 1100); /* not 1101 from 1100.0000000000002 */
	assert_int_equal(next(3, -1, &x1_5, l), 2);
	assert_int_equal(next(100000, +1, &x1_5, l), 150000);
	assert_int_equal(next(1, -1, &x2, l), 0);
}

static void test_related_caps(void **state)
{
	const struct tunable_info *rmem = tunable_find("net.ipv4.tcp_rmem");
	const struct tunable_info *quota = tunable_find("cpu.max");
	const struct tunable_info *dirty = tunable_find("vm.dirty_ratio");
	struct tune_config c;
	struct step_limits l;

	(void)state;
	config_defaults(&c);
	/* tcp_rmem's max: by rmem_max when given, by a memory cap */
	step_limits_init(&l, rmem, config_tunable(&c, rmem->name));
	assert_int_equal(l.min, 128 * 1024);
	assert_int_equal(l.max, 64 << 20);
	assert_int_equal(next(6291456, +1, &x2, l), 12582912);
	step_limit_cap(&l, step_cap_tcp_buf(8388608, 0));
	assert_int_equal(next(6291456, +1, &x2, l), 8388608);
	step_limit_cap(&l, step_cap_tcp_buf(0, 4 << 20));
	assert_int_equal(l.cap, 4 << 20);
	assert_int_equal(next(6291456, +1, &x2, l), -999);
	step_limit_cap(&l, step_cap_tcp_buf(0, 0)); /* none: the smaller stays */
	assert_int_equal(l.cap, 4 << 20);
	assert_int_equal(step_cap_tcp_buf(0, 0), INT64_MAX);
	/* a CPU quota: at most every CPU for the whole period */
	step_limits_init(&l, quota, config_tunable(&c, quota->name));
	step_limit_cap(&l, step_cap_cpu_quota(4, 100000));
	assert_int_equal(next(300000, +1, &x1_5, l), 400000);
	assert_int_equal(next(400000, +1, &x1_5, l), -999);
	/* unlimited: never up; down starts at the cap */
	assert_int_equal(next(TUNE_UNLIMITED, +1, &x1_5, l), -999);
	assert_int_equal(next(TUNE_UNLIMITED, -1, &x1_5, l), 400000);
	assert_int_equal(next(TUNE_UNLIMITED, -1, &x1_5, limits(0, TUNE_UNLIMITED)), -999);
	assert_int_equal(step_cap_cpu_quota(1 << 30, INT64_MAX / 2), INT64_MAX);
	assert_int_equal(step_cap_cpu_quota(0, 100000), 100000);
	/* dirty_ratio stays above dirty_background_ratio */
	step_limits_init(&l, dirty, config_tunable(&c, dirty->name));
	step_limit_floor(&l, step_floor_dirty_ratio(10));
	assert_int_equal(next(20, -1, &plus5, l), 15);
	assert_int_equal(next(14, -1, &plus5, l), 11);
	assert_int_equal(next(11, -1, &plus5, l), -999);
	step_limit_floor(&l, 2); /* a lower floor does not loosen it */
	assert_int_equal(l.floor, 11);
	assert_int_equal(step_cap_dirty_background_ratio(20), 19);
	/* somaxconn: 65535 at most whatever the config */
	step_limits_init(&l, tunable_find("net.core.somaxconn"),
			 &(struct tunable_conf){.min = 0, .max = INT64_MAX});
	assert_int_equal(l.min, 1);
	assert_int_equal(l.max, 65535);
}

static void test_overflow(void **state)
{
	struct step_limits l = limits(INT64_MIN, INT64_MAX);
	struct tune_step big = {.factor = false, .add = INT64_MAX};
	int64_t v;

	(void)state;
	/* a step never wraps, and never lands on "unlimited" by accident */
	assert_int_equal(next(INT64_MAX / 2 + 1, +1, &x2, l), INT64_MAX - 1);
	assert_int_equal(next(INT64_MAX - 3, +1, &plus5, l), INT64_MAX - 1);
	assert_int_equal(next(INT64_MAX - 1, +1, &x2, l), -999);
	assert_int_equal(next(INT64_MAX - 1, +1, &big, l), -999);
	assert_int_equal(next(INT64_MIN + 2, -1, &plus5, l), INT64_MIN);
	assert_int_equal(next(INT64_MIN, -1, &plus5, l), -999);
	assert_int_equal(next(-1, -1, &big, l), INT64_MIN);
	/* the helpers */
	assert_int_equal(num_sat_add(INT64_MAX, 1), INT64_MAX);
	assert_int_equal(num_sat_add(INT64_MIN, -1), INT64_MIN);
	assert_int_equal(num_sat_sub(INT64_MIN, 1), INT64_MIN);
	assert_int_equal(num_sat_sub(INT64_MAX, -1), INT64_MAX);
	assert_int_equal(num_sat_mul(INT64_MIN, -1), INT64_MAX);
	assert_int_equal(num_sat_mul(INT64_MAX, -2), INT64_MIN);
	assert_int_equal(num_sat_scale(INT64_MAX, 2.0), INT64_MAX);
	assert_int_equal(num_sat_scale(INT64_MIN, 2.0), INT64_MIN);
	assert_int_equal(num_sat_scale(INT64_MAX, 1.0), INT64_MAX);
	assert_int_equal(num_sat_scale(5, NAN), 5);
	assert_int_equal(num_sat_divide(INT64_MAX, 0.5), INT64_MAX);
	/* strict parsing */
	assert_int_equal(num_parse_i64("9223372036854775807", &v), 0);
	assert_int_equal(v, INT64_MAX);
	assert_int_equal(num_parse_i64("-9223372036854775808", &v), 0);
	assert_int_equal(v, INT64_MIN);
	assert_int_equal(num_parse_i64("9223372036854775808", &v), -1);
	assert_int_equal(errno, ERANGE);
	assert_int_equal(num_parse_i64("-9223372036854775809", &v), -1);
	assert_int_equal(errno, ERANGE);
	assert_int_equal(v, INT64_MIN); /* untouched */
	assert_int_equal(num_parse_i64("12a", &v), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(num_parse_i64(" 12", &v), -1);
	assert_int_equal(num_parse_i64("", &v), -1);
	assert_int_equal(num_parse_i64("-", &v), -1);
	assert_int_equal(num_parse_i64("+7", &v), 0);
	assert_int_equal(v, 7);
}

/* ---- the gate ---- */

static struct journal_entry gate_entry(int64_t id, double t, const char *netns,
				       const char *cgroup, const char *tunable,
				       enum journal_state st)
{
	struct journal_entry e;

	journal_entry_init(&e);
	e.id = id;
	e.time = t;
	e.scope = cgroup ? TUNE_CGROUP : TUNE_SYSCTL;
	snprintf(e.netns, sizeof(e.netns), "%s", netns ? netns : "");
	snprintf(e.cgroup, sizeof(e.cgroup), "%s", cgroup ? cgroup : "");
	snprintf(e.tunable, sizeof(e.tunable), "%s", tunable);
	e.state = st;
	return e;
}

static void test_gate(void **state)
{
	static struct journal_entry es[6];
	struct journal j = {.e = es, .n = 0};
	struct tune_target host = {TUNE_SYSCTL, NULL, NULL, "net.core.somaxconn", 0, 0};
	struct tune_target web = {TUNE_SYSCTL, "web", NULL, "net.core.somaxconn", 0, 0};
	struct tune_target app = {TUNE_CGROUP, NULL, "/sys/fs/cgroup/app", "cpu.max", 0, 0};
	struct tune_target db = {TUNE_CGROUP, NULL, "/sys/fs/cgroup/db", "cpu.max", 0, 0};
	char why[128];

	(void)state;
	assert_int_equal(step_gate(&j, &host, 1000, 300, why, sizeof(why)), GATE_OPEN);
	es[j.n++] = gate_entry(1, 1000, NULL, NULL, "net.core.somaxconn", JS_KEPT);
	assert_int_equal(step_gate(&j, &host, 1100, 300, why, sizeof(why)), GATE_COOLDOWN);
	assert_string_equal(why, "cooling down: changed 100 s ago, cooldown 300 s");
	assert_int_equal(step_gate(&j, &host, 1300, 300, why, sizeof(why)), GATE_OPEN);
	assert_string_equal(why, "");
	/* the same sysctl in another namespace is another target */
	assert_int_equal(step_gate(&j, &web, 1100, 300, why, sizeof(why)), GATE_OPEN);
	/* one change at a time */
	es[j.n++] = gate_entry(2, 1000, NULL, "/sys/fs/cgroup/app", "cpu.max", JS_APPLIED);
	assert_int_equal(step_gate(&j, &app, 5000, 300, why, sizeof(why)), GATE_VERIFYING);
	assert_string_equal(why, "change 2 is not verified yet");
	assert_int_equal(step_gate(&j, &db, 1100, 300, why, sizeof(why)), GATE_OPEN);
	es[1].state = JS_PENDING;
	assert_int_equal(step_gate(&j, &app, 5000, 300, why, sizeof(why)), GATE_VERIFYING);
	/* rolled back: frozen for good, even behind newer kept changes */
	es[1].state = JS_ROLLED_BACK;
	es[j.n++] = gate_entry(3, 2000, NULL, "/sys/fs/cgroup/app", "cpu.max", JS_KEPT);
	assert_int_equal(step_gate(&j, &app, 9000, 300, why, sizeof(why)), GATE_FROZEN);
	assert_string_equal(why, "frozen: change 2 was rolled back");
	assert_int_equal(step_gate(&j, &db, 9000, 300, why, sizeof(why)), GATE_OPEN);
	/* changed by someone else: frozen too */
	es[j.n++] = gate_entry(4, 3000, "web", NULL, "net.core.somaxconn", JS_ADMIN_CHANGED);
	assert_int_equal(step_gate(&j, &web, 9000, 300, why, sizeof(why)), GATE_FROZEN);
	assert_string_equal(why, "frozen: change 4 was changed by someone else");
	/* a failed change only cools down */
	es[j.n++] = gate_entry(5, 9000, NULL, "/sys/fs/cgroup/db", "cpu.max", JS_FAILED);
	assert_int_equal(step_gate(&j, &db, 9100, 300, why, sizeof(why)), GATE_COOLDOWN);
	assert_int_equal(step_gate(&j, &db, 9300, 300, why, sizeof(why)), GATE_OPEN);
}

static void test_verify(void **state)
{
	(void)state;
	/* lower is better: 100 -> 50 is 50 % better */
	assert_int_equal(verify_decide(100, 50, true, 0.05, false), VERIFY_KEEP);
	assert_int_equal(verify_decide(100, 96, true, 0.05, false), VERIFY_ROLLBACK);
	assert_int_equal(verify_decide(100, 95, true, 0.05, false), VERIFY_KEEP);
	assert_int_equal(verify_decide(100, 120, true, 0.05, false), VERIFY_ROLLBACK);
	assert_int_equal(verify_decide(100, 100, true, 0, false), VERIFY_ROLLBACK);
	/* higher is better */
	assert_int_equal(verify_decide(1000, 1200, false, 0.1, false), VERIFY_KEEP);
	assert_int_equal(verify_decide(1000, 1050, false, 0.1, false), VERIFY_ROLLBACK);
	assert_int_equal(verify_decide(-10, -5, false, 0.1, false), VERIFY_KEEP);
	/* from zero */
	assert_int_equal(verify_decide(0, 5, false, 0.5, false), VERIFY_KEEP);
	assert_int_equal(verify_decide(0, 5, true, 0.5, false), VERIFY_ROLLBACK);
	assert_int_equal(verify_decide(0, 0, true, 0.05, false), VERIFY_ROLLBACK);
	/* a guard metric got worse: back, however good the target metric */
	assert_int_equal(verify_decide(100, 1, true, 0.05, true), VERIFY_ROLLBACK);
	/* not enough data */
	assert_int_equal(verify_decide(NAN, 50, true, 0.05, false), VERIFY_WAIT);
	assert_int_equal(verify_decide(100, NAN, true, 0.05, true), VERIFY_WAIT);
	assert_int_equal(verify_decide(100, INFINITY, true, 0.05, false), VERIFY_WAIT);
	assert_int_equal(verify_decide(100, 50, true, NAN, false), VERIFY_WAIT);
	assert_int_equal(verify_decide(100, 50, true, -1, false), VERIFY_WAIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_factor_rounding),
		cmocka_unit_test(test_related_caps),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_gate),
		cmocka_unit_test(test_verify),
	};

	return cmocka_run_group_tests_name("tune_step", tests, NULL, NULL);
}
