// SPDX-License-Identifier: GPL-2.0
/* findings_group_metrics: a store loaded with only those metrics for its
 * groups of short-lived processes (as the daemon's analysis loads it)
 * gives the same findings as the whole store, and holds fewer series. */
#include <math.h>
#include <stdlib.h>
#include "unit.h"
#include "findings/findings.h"
#include "store/store.h"

#define T0 1700000000.0
#define NI 120 /* intervals of 1 s */

static void put(struct store *st, const struct store_entity *e, const char *m, double v)
{
	assert_int_equal(store_put(st, e, m, v), 0);
}

/*
 * A spawner that starts 40 processes of `sh` a second (a group as record
 * writes it: 0.4 CPUs between them, every metric of a process summed), a
 * second group that starts 2 a second (below the churn rate), a server
 * that uses a CPU throughout.
 */
static void write_store(const char *path)
{
	struct store_meta m = { .hostname = "h", .kernel = "6.1.0", .target = "-a", .ncpus = 2,
				.mem_total_bytes = 8e9, .interval_s = 1, .start = T0 };
	struct store_entity host = { .kind = 'h', .name = "host" };
	struct store_entity spawner = { .kind = 'p', .name = "500", .pid = 500, .comm = "cronish",
					.cgroup = "/jobs", .start_ms = (int64_t)(T0 - 600) * 1000,
					.ppid = 1, .pcomm = "systemd" };
	struct store_entity server = { .kind = 'p', .name = "600", .pid = 600, .comm = "server",
				       .cgroup = "/srv", .start_ms = (int64_t)(T0 - 600) * 1000,
				       .ppid = 1, .pcomm = "systemd" };
	struct store_entity sh = { .kind = 'g', .name = "sh|cronish|/jobs", .pid = 500,
				   .comm = "sh", .cgroup = "/jobs", .pcomm = "cronish" };
	struct store_entity awk = { .kind = 'g', .name = "awk|cronish|/jobs", .pid = 500,
				    .comm = "awk", .cgroup = "/jobs", .pcomm = "cronish" };
	static const char *const proc_metrics[] = {
		"sched.runq_wait_ns", "sched.nvcsw", "sched.nivcsw", "mem.minflt",
		"mem.rss_peak_bytes", "group.exited", "group.life_max_us", "io.read_bytes",
	};
	char err[256];
	struct store *st;
	size_t k;
	int i;

	assert_int_equal(store_open(&st, path, err, sizeof(err)), 0);
	assert_int_equal(store_set_meta(st, &m), 0);
	for (i = 0; i < NI; i++) {
		assert_int_equal(store_interval_begin(st, T0 + i + 1, 1), 0);
		put(st, &host, "host.cpu_busy_ns", 1.5e9);
		put(st, &server, "cpu.oncpu_ns", 1e9);
		put(st, &spawner, "cpu.oncpu_ns", 5e7);
		put(st, &sh, "group.started", 40);
		put(st, &sh, "cpu.oncpu_ns", 4e8);
		put(st, &sh, "group.life_p50_us", 900 + i % 7);
		for (k = 0; k < sizeof(proc_metrics) / sizeof(proc_metrics[0]); k++)
			put(st, &sh, proc_metrics[k], 1000 + (double)k);
		if (i % 10 == 0) { /* now and then: a group with gaps */
			put(st, &awk, "group.started", 20);
			put(st, &awk, "cpu.oncpu_ns", 1e7);
			put(st, &awk, "mem.minflt", 300);
		}
		assert_int_equal(store_interval_end(st), 0);
	}
	assert_int_equal(store_close(st), 0);
}

static size_t group_series(const struct recording *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->n; i++)
		n += r->s[i].kind == 'g';
	return n;
}

static void test_same_findings(void **state)
{
	struct store_load_opts o = { .group_metrics = findings_group_metrics };
	struct recording all, few;
	struct findings fa, ff;
	char path[64], err[256];
	size_t i, churn = 0;

	(void)state;
	unit_tmp_name(path, sizeof(path), "groupm");
	write_store(path);
	assert_int_equal(store_load(path, 0, INFINITY, &all, err, sizeof(err)), 0);
	assert_int_equal(store_load_window(path, 0, INFINITY, &o, &few, err, sizeof(err)), 0);
	/* sh's 3 metrics the findings read, and awk's 2 of them */
	assert_int_equal(group_series(&few), 5);
	assert_true(group_series(&all) > group_series(&few));
	assert_non_null(rec_find(&few, 'g', "sh|cronish|/jobs", "group.life_p50_us"));
	assert_null(rec_find(&few, 'g', "sh|cronish|/jobs", "mem.minflt"));
	/* the processes keep every metric */
	assert_int_equal(all.n - group_series(&all), few.n - group_series(&few));

	assert_int_equal(findings_analyze(&all, NULL, &fa), 0);
	assert_int_equal(findings_analyze(&few, NULL, &ff), 0);
	assert_int_equal(fa.n, ff.n);
	for (i = 0; i < fa.n; i++) {
		assert_string_equal(fa.f[i].kind, ff.f[i].kind);
		assert_int_equal(fa.f[i].severity, ff.f[i].severity);
		assert_string_equal(fa.f[i].summary, ff.f[i].summary);
		churn += !strcmp(fa.f[i].kind, "process_churn");
	}
	/* sh's churn is found (awk's 2 a second is not churn), with its
	 * typical life read from group.life_p50_us */
	assert_int_equal(churn, 1);
	for (i = 0; i < ff.n && strcmp(ff.f[i].kind, "process_churn"); i++)
		;
	assert_non_null(strstr(ff.f[i].summary, "of sh (40 a second, living 0.9 ms"));
	findings_free(&fa);
	findings_free(&ff);
	recording_free(&all);
	recording_free(&few);
	unit_rm_sqlite(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_findings),
	};

	return cmocka_run_group_tests_name("group_metrics", tests, NULL, NULL);
}
