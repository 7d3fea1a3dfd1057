// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's tuner on a fixture host with two target cgroups (v2): the
 * host's cycle runs the sysctl tuners once, each cgroup gets the cgroup
 * tuners; advice is logged per cgroup and nothing is written; with apply
 * each cgroup's change goes through the one journal; a target cgroup that
 * is not there is left out with a warning, one named twice runs once.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include "../tune/tunefs.h"
#include "daemon/config.h"
#include "daemon/log.h"
#include "daemon/metrics.h"
#include "daemon/tuning.h"
#include "tune/journal.h"

#define T0 1000.0

struct fx {
	char root[256];
	char conf[PATH_MAX + 16];
	struct daemon_config c;
	struct metrics *m;
	char cgroups[3][DAEMON_CGROUP_MAX];
	struct tuning_where w;
	struct tuning *t;
	char err[600];
	unsigned long long busy, idle, periods, stalls;
	char logpath[PATH_MAX + 16];
	int saved_stderr;
};

/* One second: 0.2 of 2 CPUs busy, both cgroups throttled in every period,
 * tasks stalled in direct reclaim under memory pressure. */
static void second(struct fx *fx)
{
	char text[512];
	const char *cg[] = { "sys/fs/cgroup/a/cpu.stat", "sys/fs/cgroup/b/cpu.stat" };
	size_t i;

	fx->busy += 20;
	fx->idle += 180;
	fx->periods += 10;
	fx->stalls += 50;
	snprintf(text, sizeof(text), "cpu  %llu 0 0 %llu 0 0 0 0 0 0\ncpu0 %llu 0 0 %llu 0 0 0 0 0 0\n"
		 "cpu1 %llu 0 0 %llu 0 0 0 0 0 0\nintr 0\nctxt 0\n", fx->busy, fx->idle,
		 fx->busy / 2, fx->idle / 2, fx->busy - fx->busy / 2, fx->idle - fx->idle / 2);
	tfs_put(fx->root, "proc/stat", text);
	for (i = 0; i < 2; i++) {
		snprintf(text, sizeof(text), "usage_usec 1000\nuser_usec 900\nsystem_usec 100\n"
			 "nr_periods %llu\nnr_throttled %llu\nthrottled_usec %llu\nnr_bursts 0\n"
			 "burst_usec 0\n", fx->periods, fx->periods, fx->periods * 80000);
		tfs_put(fx->root, cg[i], text);
	}
	snprintf(text, sizeof(text), "nr_free_pages 100000\nnr_dirty 100\nnr_writeback 0\n"
		 "allocstall_dma 0\nallocstall_dma32 0\nallocstall_normal %llu\n"
		 "allocstall_movable 0\npgscan_direct 0\n", fx->stalls);
	tfs_put(fx->root, "proc/vmstat", text);
	snprintf(text, sizeof(text), "some avg10=20.00 avg60=0.00 avg300=0.00 total=%llu\n"
		 "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", fx->stalls * 1000);
	tfs_put(fx->root, "proc/pressure/memory", text);
}

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	const char *cg[] = { "a", "b" };
	char rel[64];
	size_t i;

	tfs_mkroot(fx->root, sizeof(fx->root), "dtune");
	tfs_host(fx->root);
	for (i = 0; i < 2; i++) {
		snprintf(rel, sizeof(rel), "sys/fs/cgroup/%s/cpu.max", cg[i]);
		tfs_put(fx->root, rel, "20000 100000\n");
		snprintf(rel, sizeof(rel), "sys/fs/cgroup/%s/cgroup.procs", cg[i]);
		tfs_put(fx->root, rel, "");
	}
	tfs_put(fx->root, "proc/meminfo", "MemTotal:       16777216 kB\nMemFree: 1000 kB\n");
	tfs_put(fx->root, "tune.conf", "[tuner accept_queue]\nenabled = false\n"
		"[tuner tcp_buffers]\nenabled = false\n[tuner cpu_weight]\nenabled = false\n"
		"[tuner dirty_pages]\nenabled = false\n");
	fx->busy = fx->idle = 1000;
	second(fx);
	assert_int_equal(daemon_config_defaults(&fx->c), 0);
	fx->c.tune_enabled = true;
	fx->c.every_s = 1;
	snprintf(fx->c.tune_config, sizeof(fx->c.tune_config), "%s/tune.conf", fx->root);
	snprintf(fx->c.state_dir, sizeof(fx->c.state_dir), "%s/state", fx->root);
	/* as the config may name them: under the v2 mount, or a path */
	snprintf(fx->cgroups[0], DAEMON_CGROUP_MAX, "a");
	snprintf(fx->cgroups[1], DAEMON_CGROUP_MAX, "/sys/fs/cgroup/b");
	fx->w = (struct tuning_where){ fx->root, fx->cgroups, 2 };
	fx->m = metrics_new(10);
	assert_non_null(fx->m);
	snprintf(fx->logpath, sizeof(fx->logpath), "%s/log", fx->root);
	fx->saved_stderr = -1;
	*state = fx;
	return 0;
}

/* The daemon's log (stderr) into ROOT/log while the tuner runs; back to
 * stderr for the test's own messages. */
static void capture(struct fx *fx)
{
	int fd = open(fx->logpath, O_WRONLY | O_CREAT | O_APPEND, 0644);

	assert_true(fd >= 0);
	fflush(stderr);
	fx->saved_stderr = dup(2);
	assert_true(fx->saved_stderr >= 0);
	dup2(fd, 2);
	close(fd);
}

static void release(struct fx *fx)
{
	if (fx->saved_stderr < 0)
		return;
	fflush(stderr);
	dup2(fx->saved_stderr, 2);
	close(fx->saved_stderr);
	fx->saved_stderr = -1;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	capture(fx);
	tuning_stop(fx->t);
	release(fx);
	metrics_free(fx->m);
	daemon_config_free(&fx->c);
	tfs_rmroot(fx->root);
	free(fx);
	return 0;
}

static void start(struct fx *fx)
{
	int rc;

	capture(fx);
	rc = tuning_start(&fx->t, &fx->c, &fx->w, fx->m, fx->err, sizeof(fx->err));
	release(fx);
	if (rc != TUNING_OK)
		fail_msg("tuning_start: %s", fx->err);
}

/* Three analyses, one second apart. */
static void run(struct fx *fx)
{
	int i;

	capture(fx);
	for (i = 0; i < 3; i++) {
		second(fx);
		tuning_tick(fx->t, T0 + i);
	}
	release(fx);
}

static const char *logged(struct fx *fx)
{
	const char *s = tfs_get(fx->root, "log");

	return s ? s : "";
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (; (hay = strstr(hay, needle)) != NULL; hay++)
		n++;
	return n;
}

static void test_describe(void **state)
{
	struct fx *fx = *state;
	char what[512];

	start(fx);
	assert_string_equal(tuning_describe(fx->t, what, sizeof(what)),
			    "memory_reclaim on the host; cpu_quota on a; cpu_quota on /sys/fs/cgroup/b");
}

/* No target cgroup: one cycle, on the host, with every tuner on (the cgroup
 * tuners have nothing to do there and stay out). */
static void test_no_cgroup(void **state)
{
	struct fx *fx = *state;
	char what[512];

	fx->w.ncgroups = 0;
	start(fx);
	assert_string_equal(tuning_describe(fx->t, what, sizeof(what)),
			    "memory_reclaim on the host");
}

static void test_advice_per_cgroup(void **state)
{
	struct fx *fx = *state;
	const char *log;

	start(fx);
	run(fx);
	log = logged(fx);
	if (!strstr(log, "tune: advice: cpu.max in cgroup /sys/fs/cgroup/a: 20000 100000 -> "
		    "30000 100000") ||
	    !strstr(log, "tune: advice: cpu.max in cgroup /sys/fs/cgroup/b: 20000 100000 -> "
		    "30000 100000"))
		fail_msg("no advice for each cgroup in:\n%s", log);
	/* the sysctl tuner ran once: its advice once, said once */
	assert_int_equal(count(log, "tune: advice: vm.watermark_scale_factor in host"), 1);
	/* advice only: nothing written */
	assert_string_equal(tfs_get(fx->root, "sys/fs/cgroup/a/cpu.max"), "20000 100000\n");
	assert_string_equal(tfs_get(fx->root, "sys/fs/cgroup/b/cpu.max"), "20000 100000\n");
	assert_string_equal(tfs_get(fx->root, "proc/sys/vm/watermark_scale_factor"), "10\n");
}

static void test_apply_one_journal(void **state)
{
	struct fx *fx = *state;
	size_t i, a = 0, b = 0, host = 0;
	struct journal j;

	fx->c.tune_apply = true;
	start(fx);
	run(fx);
	capture(fx);
	tuning_stop(fx->t);
	release(fx);
	fx->t = NULL;
	assert_string_equal(tfs_get(fx->root, "sys/fs/cgroup/a/cpu.max"), "30000 100000\n");
	assert_string_equal(tfs_get(fx->root, "sys/fs/cgroup/b/cpu.max"), "30000 100000\n");
	assert_string_equal(tfs_get(fx->root, "proc/sys/vm/watermark_scale_factor"), "20\n");
	assert_int_equal(journal_load(&j, fx->c.state_dir, 0, fx->err, sizeof(fx->err)), 0);
	for (i = 0; i < j.n; i++) {
		const struct journal_entry *e = &j.e[i];

		if (!strcmp(e->tunable, "cpu.max"))
			!strcmp(e->cgroup, "/sys/fs/cgroup/a") ? a++ : !strcmp(e->cgroup,
			"/sys/fs/cgroup/b") ? b++ : 0;
		else if (!strcmp(e->tunable, "vm.watermark_scale_factor"))
			host++;
	}
	assert_int_equal(a, 1);
	assert_int_equal(b, 1);
	assert_int_equal(host, 1);
	journal_free(&j);
}

/* A target that is not there: left out with a warning, the others run. */
static void test_missing_cgroup(void **state)
{
	struct fx *fx = *state;
	char what[512];

	snprintf(fx->cgroups[1], DAEMON_CGROUP_MAX, "gone");
	start(fx);
	assert_string_equal(tuning_describe(fx->t, what, sizeof(what)),
			    "memory_reclaim on the host; cpu_quota on a");
	if (!strstr(logged(fx), "tune: cgroup gone is left out"))
		fail_msg("no warning in:\n%s", logged(fx));
}

/* One cgroup named twice (a name and its path): one cycle for it. */
static void test_same_cgroup_twice(void **state)
{
	struct fx *fx = *state;
	char what[512];

	snprintf(fx->cgroups[1], DAEMON_CGROUP_MAX, "/sys/fs/cgroup/a");
	start(fx);
	assert_string_equal(tuning_describe(fx->t, what, sizeof(what)),
			    "memory_reclaim on the host; cpu_quota on a");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_describe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_cgroup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_advice_per_cgroup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_apply_one_journal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_cgroup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_cgroup_twice, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
