// SPDX-License-Identifier: GPL-2.0
/* The CPU quota tuner on v1 and v2 fixture cgroups: when it fires, how far, and when not. */
#define _GNU_SOURCE
#include "tunerfx.h"
#include "tune/step.h"

#define V1 "/sys/fs/cgroup/cpu/app"
#define V2 "/sys/fs/cgroup/app"

static long long periods, throttled, thr_ns, usage_ns;

/* cpu.stat of the cgroup after one more second of `per_s` periods, `share` throttled. */
static void cpustat(struct tfx *fx, const char *cg, int v2, double share, double thr_s)
{
	char rel[PATH_MAX], text[512];

	periods += 10;
	throttled += (long long)(10 * share + 0.5);
	thr_ns += (long long)(thr_s * 1e9);
	snprintf(rel, sizeof(rel), "%s/cpu.stat", cg + 1);
	if (v2)
		snprintf(text, sizeof(text),
			 "usage_usec 1000\nuser_usec 900\nsystem_usec 100\nnr_periods %lld\n"
			 "nr_throttled %lld\nthrottled_usec %lld\nnr_bursts 0\nburst_usec 0\n",
			 periods, throttled, thr_ns / 1000);
	else
		snprintf(text, sizeof(text),
			 "nr_periods %lld\nnr_throttled %lld\nthrottled_time %lld\nnr_bursts 0\n"
			 "burst_time 0\n", periods, throttled, thr_ns);
	tfs_put(fx->root, rel, text);
}

/* One second: the host's busy CPUs and the cgroup's throttling. */
static void second(struct tfx *fx, const char *cg, double busy, double share, double thr_s)
{
	tfx_cpu(fx, busy);
	cpustat(fx, cg, !strcmp(cg, V2), share, thr_s);
}

static int setup(void **state)
{
	struct tfx *fx = calloc(1, sizeof(*fx));

	tfx_setup(fx, "quota", tuner_cpu_quota);
	periods = throttled = thr_ns = usage_ns = 0;
	tfs_put(fx->root, "sys/fs/cgroup/cpu/app/cpu.cfs_quota_us", "20000\n");
	tfs_put(fx->root, "sys/fs/cgroup/app/cpu.max", "20000 100000\n");
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	tfx_teardown(*state);
	free(*state);
	return 0;
}

/* Throttled in every period with 1.8 CPUs idle: one step up, applied as proposed. */
static void fires(struct tfx *fx, const char *cg, const char *tunable, const char *rel,
		  const char *before, const char *after)
{
	struct proposal *applied = malloc(sizeof(*applied));
	char line[64];

	tfx_cgroup(fx, cg, NULL);
	second(fx, cg, 0.2, 1, 0.8);
	TFX_OBSERVE(fx);
	assert_int_equal(tfx_propose(fx), 0); /* no interval yet */
	second(fx, cg, 0.2, 1, 0.8);
	TFX_OBSERVE(fx);
	assert_int_equal(tfx_propose(fx), 1);
	assert_string_equal(fx->p[0].cgroup, cg);
	assert_string_equal(fx->p[0].tunable, tunable);
	assert_string_equal(fx->p[0].current, before);
	assert_string_equal(fx->p[0].proposed, after);
	assert_int_equal(fx->p[0].tuner, TUNER_CPU_QUOTA);
	assert_true(fx->p[0].lower_is_better);
	assert_dbl_near(fx->p[0].metric_value, 0.8, 1e-9);
	assert_non_null(strstr(fx->p[0].evidence, "100% of its periods"));
	assert_non_null(strstr(fx->p[0].evidence, "1.80 CPUs idle"));
	assert_non_null(strstr(fx->p[0].effect, "0.20 -> 0.30 CPU"));
	tfx_apply(fx, &fx->p[0]);
	*applied = fx->p[0];
	snprintf(line, sizeof(line), "%s\n", after);
	assert_string_equal(tfs_get(fx->root, rel), line);
	/* being verified: no second change of it */
	second(fx, cg, 0.3, 1, 0.7);
	TFX_OBSERVE(fx);
	assert_int_equal(tfx_propose(fx), 0);
	/* the metric the cycle compares: throttled time per second went down */
	assert_dbl_near(fx->t.measure(&fx->t, &fx->c, applied), 0.7, 1e-9);
	free(applied);
	assert_int_equal(verify_decide(0.8, 0.7, true, fx->cfg.min_improvement, false),
			 VERIFY_KEEP);
}

static void test_v1_fires(void **state)
{
	fires(*state, V1, "cpu.cfs_quota_us", "sys/fs/cgroup/cpu/app/cpu.cfs_quota_us", "20000",
	      "30000");
}

static void test_v2_fires(void **state)
{
	fires(*state, V2, "cpu.max", "sys/fs/cgroup/app/cpu.max", "20000 100000",
	      "30000 100000");
}

/* Throttled, but the host has no idle CPU (0.3 < 0.5): nothing, v1 and v2. */
static void test_no_idle_cpu(void **state)
{
	struct tfx *fx = *state;
	int i;

	tfx_cgroup(fx, V1, NULL);
	for (i = 0; i < 4; i++) {
		second(fx, V1, 1.7, 1, 0.8);
		TFX_OBSERVE(fx);
		assert_int_equal(tfx_propose(fx), 0);
	}
	/* the same on v2, targeted by the config instead of -c */
	teardown(state);
	setup(state);
	fx = *state;
	tfx_config(fx, "cgroup = " V2 "\n");
	for (i = 0; i < 4; i++) {
		second(fx, V2, 1.7, 1, 0.8);
		TFX_OBSERVE(fx);
		assert_int_equal(tfx_propose(fx), 0);
	}
	/* and with idle CPU it does fire for that configured cgroup */
	second(fx, V2, 0.2, 1, 0.8);
	TFX_OBSERVE(fx);
	assert_int_equal(tfx_propose(fx), 1);
	assert_string_equal(fx->p[0].cgroup, V2);
}

/* An idle host and a cgroup rarely throttled (10 % < 20 %): nothing. */
static void test_not_throttled(void **state)
{
	struct tfx *fx = *state;
	int i;

	tfx_cgroup(fx, V2, NULL);
	for (i = 0; i < 4; i++) {
		second(fx, V2, 0.1, 0.1, 0.01);
		TFX_OBSERVE(fx);
		assert_int_equal(tfx_propose(fx), 0);
	}
	/* unlimited: never throttled, never raised */
	tfs_put(fx->root, "sys/fs/cgroup/app/cpu.max", "max 100000\n");
	second(fx, V2, 0.1, 1, 0.8);
	TFX_OBSERVE(fx);
	assert_int_equal(tfx_propose(fx), 0);
}

/* Proposals stay within the bounds, ncpus x period and what was idle. */
static void test_bounds(void **state)
{
	struct tfx *fx = *state;

	tfx_cgroup(fx, V1, NULL);
	/* ncpus x period = 200000: 190000 x1.5 stops there; 200000 has no step */
	tfs_put(fx->root, "sys/fs/cgroup/cpu/app/cpu.cfs_quota_us", "190000\n");
	second(fx, V1, 0.0, 1, 0.1);
	TFX_OBSERVE(fx);
	second(fx, V1, 0.0, 1, 0.1);
	TFX_OBSERVE(fx);
	assert_int_equal(tfx_propose(fx), 1);
	assert_string_equal(fx->p[0].proposed, "200000");
	tfs_put(fx->root, "sys/fs/cgroup/cpu/app/cpu.cfs_quota_us", "200000\n");
	second(fx, V1, 0.0, 1, 0.1);
	TFX_OBSERVE(fx);
	assert_int_equal(tfx_propose(fx), 0);
	/* only what was idle: 0.55 CPU idle adds at most 55000 */
	tfs_put(fx->root, "sys/fs/cgroup/cpu/app/cpu.cfs_quota_us", "100000\n");
	tfx_config(fx, "[tunable cpu.cfs_quota_us]\nstep = x2\n");
	second(fx, V1, 1.45, 1, 0.1);
	TFX_OBSERVE(fx);
	assert_int_equal(tfx_propose(fx), 1);
	assert_string_equal(fx->p[0].proposed, "155000");
	/* the configured max */
	tfx_config(fx, "[tunable cpu.cfs_quota_us]\nmax = 120000\n");
	second(fx, V1, 0.2, 1, 0.1);
	TFX_OBSERVE(fx);
	assert_int_equal(tfx_propose(fx), 1);
	assert_string_equal(fx->p[0].proposed, "120000");
	tfx_apply(fx, &fx->p[0]);
	/* not allowed: nothing */
	tfx_config(fx, "allow = cpu.max\n");
	tfs_put(fx->root, "sys/fs/cgroup/cpu/app/cpu.cfs_quota_us", "20000\n");
	second(fx, V1, 0.2, 1, 0.1);
	TFX_OBSERVE(fx);
	assert_int_equal(tfx_propose(fx), 0);
}

/* A cgroup that vanishes between two observes: one line naming it. */
static void test_vanishes(void **state)
{
	struct tfx *fx = *state;
	char dir[2 * PATH_MAX];

	tfx_cgroup(fx, V1, NULL);
	second(fx, V1, 0.2, 1, 0.8);
	TFX_OBSERVE(fx);
	snprintf(dir, sizeof(dir), "%s/sys/fs/cgroup/cpu/app", fx->root);
	tfs_rmroot(dir);
	assert_int_equal(tfx_observe(fx), -1);
	tfx_one_line(fx->err, V1);
	assert_int_equal(tfx_propose(fx), 0);
}

/* Without -c and without configured cgroups there is nothing to look at. */
static void test_no_target(void **state)
{
	struct tfx *fx = *state;

	assert_int_equal(tfx_init(fx), 1);
	assert_null(fx->t.state);
	/* a configured cgroup without a CPU quota is no target either */
	tfx_config(fx, "cgroup = /sys/fs/cgroup/memory/app\n");
	assert_int_equal(tfx_init(fx), 1);
}

/* ---- scaling (scale.h): the quota follows the demand both ways ---- */

/*
 * One second of the cgroup under scaling: it used `used` CPUs and was
 * throttled thr_s seconds in `share` of its periods; v2 counts its usage in
 * cpu.stat, v1 in the cpuacct hierarchy's group of the same name.
 */
static void scaled_second(struct tfx *fx, const char *cg, double busy, double used, double share,
			  double thr_s)
{
	char rel[PATH_MAX], text[512];

	tfx_cpu(fx, busy);
	periods += 10;
	throttled += (long long)(10 * share + 0.5);
	thr_ns += (long long)(thr_s * 1e9);
	usage_ns += (long long)(used * 1e9);
	snprintf(rel, sizeof(rel), "%s/cpu.stat", cg + 1);
	if (!strcmp(cg, V2)) {
		snprintf(text, sizeof(text),
			 "usage_usec %lld\nuser_usec 900\nsystem_usec 100\nnr_periods %lld\n"
			 "nr_throttled %lld\nthrottled_usec %lld\nnr_bursts 0\nburst_usec 0\n",
			 usage_ns / 1000, periods, throttled, thr_ns / 1000);
	} else {
		snprintf(text, sizeof(text),
			 "nr_periods %lld\nnr_throttled %lld\nthrottled_time %lld\nnr_bursts 0\n"
			 "burst_time 0\n", periods, throttled, thr_ns);
		tfs_put(fx->root, rel, text);
		snprintf(text, sizeof(text), "%lld\n", usage_ns);
		tfs_put(fx->root, "sys/fs/cgroup/cpuacct/app/cpuacct.usage", text);
		return;
	}
	tfs_put(fx->root, rel, text);
}

/* Apply a scaled proposal as the cycle does: journaled, then kept at once. */
static void scaled_apply(struct tfx *fx, const struct proposal *p)
{
	int64_t id = tfx_apply(fx, p);

	assert_true(p->scaled);
	assert_int_equal(journal_update(&fx->j, id, JS_KEPT, "scaling", fx->err, sizeof(fx->err)),
			 0);
}

/* The quota key in µs of a value ("45000 100000" or "45000"). */
static long long key_of(const char *v)
{
	return strtoll(v, NULL, 10);
}

/*
 * v2, predictive: a demand rising 0.1 -> 0.9 CPU over 30 s under a 0.3
 * quota is raised before it reaches 0.3 (7.5 s), and never throttled (a
 * lowering while it holds at 0.9 keeps the headroom); after the drop to 0.1
 * and the scale-in cooldown, back to the floor 0.3 (the quota before the
 * first change), not below.
 */
static void test_scale_v2_predictive(void **state)
{
	struct tfx *fx = *state;
	long long q = 30000, peak = 30000, first_at = 0;
	double t, d, thr;
	int raises = 0, lowers = 0;

	tfx_cgroup(fx, V2, NULL);
	tfs_put(fx->root, "sys/fs/cgroup/app/cpu.max", "30000 100000\n");
	tfx_config(fx, "[tuner cpu_quota]\nscaling = predictive\nscale_out_cooldown = 2\n"
		   "scale_in_cooldown = 10\n");
	scaled_second(fx, V2, 0.5, 0.1, 0, 0);
	TFX_OBSERVE(fx);
	for (t = 1; t <= 70; t++) {
		d = t <= 30 ? 0.1 + 0.8 * (t - 0.5) / 30 : t <= 40 ? 0.9 : 0.1;
		thr = d > q / 1e5 ? d - q / 1e5 : 0;
		scaled_second(fx, V2, 0.3 + d - thr, d - thr, thr > 0 ? 1 : 0, thr);
		TFX_OBSERVE(fx);
		if (!tfx_propose(fx))
			continue;
		assert_string_equal(fx->p[0].cgroup, V2);
		assert_string_equal(fx->p[0].tunable, "cpu.max");
		assert_string_equal(fx->p[0].metric, "cpu.throttled_seconds");
		assert_dbl_near(fx->p[0].metric_value, thr_ns / 1e9, 1e-6);
		assert_non_null(strstr(fx->p[0].proposed, " 100000"));
		if (key_of(fx->p[0].proposed) > q) {
			raises++;
			if (!first_at)
				first_at = (long long)t;
			if (t <= 30)
				assert_string_equal(fx->p[0].finding, "cpu_demand_rising");
		} else {
			lowers++;
			assert_string_equal(fx->p[0].finding, "cpu_demand_fell");
			/* before the drop only down to the demand (0.9) plus headroom */
			if (t <= 40)
				assert_true(key_of(fx->p[0].proposed) >= 108000);
		}
		scaled_apply(fx, &fx->p[0]);
		q = key_of(fx->p[0].proposed);
		if (q > peak)
			peak = q;
		assert_true(q % 1000 == 0);
		assert_true(q <= 200000); /* all CPUs of the period */
	}
	print_message("v2 predictive: first raise at %lld s, %d raises, %d lowers, peak %lld, "
		      "throttled %.2f s, at end %lld\n", first_at, raises, lowers, peak,
		      thr_ns / 1e9, q);
	assert_true(first_at >= 1 && first_at <= 7);
	assert_true(thr_ns < 0.3e9);
	assert_true(peak > 90000);
	assert_true(lowers >= 1);
	assert_int_equal(q, 30000); /* the floor: the quota before the first change */
	assert_string_equal(tfs_get(fx->root, "sys/fs/cgroup/app/cpu.max"), "30000 100000\n");
}

/*
 * v1, reactive (usage from the cpuacct hierarchy): nothing while not
 * throttled; throttled -> one step (x1.5) and not again within the
 * scale-out cooldown; the host's idle CPUs cap a raise.
 */
static void test_scale_v1_reactive(void **state)
{
	struct tfx *fx = *state;
	int i;

	tfx_cgroup(fx, V1, NULL);
	tfs_put(fx->root, "sys/fs/cgroup/cpu/app/cpu.cfs_quota_us", "30000\n");
	tfx_config(fx, "[tuner cpu_quota]\nscaling = reactive\nscale_out_cooldown = 5\n"
		   "scale_in_cooldown = 600\n");
	for (i = 0; i < 3; i++) {
		scaled_second(fx, V1, 0.5, 0.25, 0, 0);
		TFX_OBSERVE(fx);
		assert_int_equal(tfx_propose(fx), 0);
	}
	scaled_second(fx, V1, 0.5, 0.3, 1, 0.4);
	TFX_OBSERVE(fx);
	assert_int_equal(tfx_propose(fx), 1);
	assert_string_equal(fx->p[0].tunable, "cpu.cfs_quota_us");
	assert_string_equal(fx->p[0].proposed, "45000");
	assert_string_equal(fx->p[0].finding, "cpu_throttled");
	assert_non_null(strstr(fx->p[0].evidence, "demand 0.70 CPU"));
	scaled_apply(fx, &fx->p[0]);
	for (i = 0; i < 4; i++) { /* the scale-out cooldown: 5 s */
		scaled_second(fx, V1, 0.5, 0.45, 1, 0.3);
		TFX_OBSERVE(fx);
		assert_int_equal(tfx_propose(fx), 0);
	}
	/* 0.2 CPU idle: at most 0.45 + 0.2 */
	scaled_second(fx, V1, 1.8, 0.45, 1, 0.3);
	TFX_OBSERVE(fx);
	assert_int_equal(tfx_propose(fx), 1);
	assert_string_equal(fx->p[0].proposed, "65000");
}

/*
 * Scaling counts niced tasks' CPU as spare (they yield to the cgroup's):
 * 0.2 CPU idle and 1.0 CPU niced, the cgroup using 0.45 of it -> at most
 * 0.45 + 0.2 + (1.0 - 0.45); a step x1.5 fits (67.5 ms, written 68).
 */
static void test_scale_spare_nice(void **state)
{
	struct tfx *fx = *state;

	tfx_cgroup(fx, V1, NULL);
	tfs_put(fx->root, "sys/fs/cgroup/cpu/app/cpu.cfs_quota_us", "45000\n");
	tfx_config(fx, "[tuner cpu_quota]\nscaling = reactive\n");
	scaled_second(fx, V1, 0.5, 0.45, 1, 0.3);
	tfs_put(fx->root, "proc/stat", "cpu  1000 1000 0 1000 0 0 0 0 0 0\ncpu0 0 0 0 0 0 0 0 0 0 0\n"
		"cpu1 0 0 0 0 0 0 0 0 0 0\n");
	TFX_OBSERVE(fx);
	scaled_second(fx, V1, 0.5, 0.45, 1, 0.3);
	tfs_put(fx->root, "proc/stat", "cpu  1080 1100 0 1020 0 0 0 0 0 0\ncpu0 0 0 0 0 0 0 0 0 0 0\n"
		"cpu1 0 0 0 0 0 0 0 0 0 0\n");
	TFX_OBSERVE(fx);
	assert_int_equal(tfx_propose(fx), 1);
	assert_string_equal(fx->p[0].proposed, "68000"); /* whole ms, up */
	/* without the niced time it would have been 45000 + 20000 */
	tfs_put(fx->root, "sys/fs/cgroup/cpu/app/cpu.cfs_quota_us", "45000\n");
	scaled_second(fx, V1, 0.5, 0.45, 1, 0.3);
	tfs_put(fx->root, "proc/stat", "cpu  1260 1100 0 1040 0 0 0 0 0 0\ncpu0 0 0 0 0 0 0 0 0 0 0\n"
		"cpu1 0 0 0 0 0 0 0 0 0 0\n");
	TFX_OBSERVE(fx);
	assert_int_equal(tfx_propose(fx), 1);
	assert_string_equal(fx->p[0].proposed, "65000");
}

/*
 * v1 without a cpuacct group of the same name: the usage is its threads'
 * run time (schedstat of the processes in cgroup.procs).
 */
static void test_scale_threads(void **state)
{
	struct tfx *fx = *state;
	unsigned long long run = 0;
	char text[64], rel[PATH_MAX];
	int i;

	tfx_cgroup(fx, V1, NULL);
	tfx_config(fx, "[tuner cpu_quota]\nscaling = reactive\n");
	snprintf(rel, sizeof(rel), "%s/cgroup.procs", V1 + 1);
	tfs_put(fx->root, rel, "300\n");
	for (i = 0; i < 3; i++) {
		run += 200000000; /* 0.2 s per second */
		snprintf(text, sizeof(text), "%llu 0 10\n", run);
		tfs_put(fx->root, "proc/300/task/300/schedstat", text);
		second(fx, V1, 0.5, i ? 1 : 0, i ? 0.35 : 0);
		TFX_OBSERVE(fx);
	}
	assert_int_equal(tfx_propose(fx), 1);
	assert_string_equal(fx->p[0].proposed, "30000");
	assert_non_null(strstr(fx->p[0].evidence, "demand 0.55 CPU"));
}

/* Scaling a cgroup that vanishes: observe fails with one line naming it. */
static void test_scale_vanishes(void **state)
{
	struct tfx *fx = *state;
	char dir[2 * PATH_MAX];

	tfx_cgroup(fx, V2, NULL);
	tfx_config(fx, "[tuner cpu_quota]\nscaling = predictive\n");
	scaled_second(fx, V2, 0.5, 0.2, 0, 0);
	TFX_OBSERVE(fx);
	scaled_second(fx, V2, 0.5, 0.2, 0, 0);
	TFX_OBSERVE(fx);
	snprintf(dir, sizeof(dir), "%s/sys/fs/cgroup/app", fx->root);
	tfs_rmroot(dir);
	assert_int_equal(tfx_observe(fx), -1);
	tfx_one_line(fx->err, V2);
	assert_int_equal(tfx_propose(fx), 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_v1_fires),    T(test_v2_fires), T(test_no_idle_cpu), T(test_not_throttled),
		T(test_bounds),      T(test_vanishes), T(test_no_target),
		T(test_scale_v2_predictive), T(test_scale_v1_reactive), T(test_scale_threads),
		T(test_scale_spare_nice),
		T(test_scale_vanishes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
