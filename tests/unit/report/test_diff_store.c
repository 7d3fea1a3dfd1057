// SPDX-License-Identifier: GPL-2.0
/* diff and findings on stores written the way `record` writes them and
 * loaded back with store_load: the whole path from file to answer. */
#include <math.h>
#include <stdlib.h>
#include <unistd.h>
#include "unit.h"
#include "findings/compare.h"
#include "findings/findings.h"
#include "report/window.h"
#include "store/store.h"

#define T0 1764590400.0
#define N 12

/* N intervals of `burns` busy processes named burn (pid 100, 101, ...) at
 * one CPU each, with noise, and (grow) a process whose RSS grows 2 MiB/s */
static void write_store(const char *path, int burns, bool grow, uint64_t *seed)
{
	struct store_meta m = {.hostname = "testhost", .kernel = "6.1.0", .target = "-a",
			       .ncpus = 4, .mem_total_bytes = 4e9, .interval_s = 1, .start = T0};
	char err[256], name[16];
	struct store *st;
	int i, k;

	assert_int_equal(store_open(&st, path, err, sizeof(err)), 0);
	assert_int_equal(store_set_meta(st, &m), 0);
	for (i = 0; i < N; i++) {
		struct store_entity host = {.kind = 'h', .name = "host"};

		assert_int_equal(store_interval_begin(st, T0 + i + 1, 1), 0);
		for (k = 0; k < burns; k++) {
			struct store_entity e = {.kind = 'p', .name = name, .pid = 100 + (uint32_t)k,
						 .comm = "burn", .cgroup = "/"};

			snprintf(name, sizeof(name), "%d", 100 + k);
			assert_int_equal(store_put(st, &e, "cpu.oncpu_ns",
						   1e9 * (0.95 + 0.05 * unit_rand01(seed))), 0);
			assert_int_equal(store_put(st, &e, "sched.runq_wait_ns", 1e6), 0);
		}
		if (grow) {
			struct store_entity e = {.kind = 'p', .name = "300", .pid = 300,
						 .comm = "grow", .cgroup = "/"};

			assert_int_equal(store_put(st, &e, "mem.rss_bytes",
						   (64 + 2.0 * i) * 1048576 + 4096 * (i % 3)), 0);
		}
		assert_int_equal(store_put(st, &host, "host.cpu_busy_ns", 1e9 * burns + 1e7), 0);
		assert_int_equal(store_interval_end(st), 0);
	}
	assert_int_equal(store_close(st), 0);
}

static void test_store_diff_and_findings(void **state)
{
	char a[64], b[64], err[256];
	struct recording ra, rb;
	struct comparison c;
	struct findings fs;
	uint64_t seed = 21;
	size_t i;
	bool cpu = false, grow = false;

	(void)state;
	unit_tmp_file(a, sizeof(a), "diff");
	unit_tmp_file(b, sizeof(b), "diff");
	write_store(a, 1, false, &seed);
	write_store(b, 2, true, &seed);
	assert_int_equal(store_load(a, 0, INFINITY, &ra, err, sizeof(err)), 0);
	assert_int_equal(store_load(b, 0, INFINITY, &rb, err, sizeof(err)), 0);
	assert_int_equal(compare_recordings(&ra, &rb, 10, &c), 0);
	for (i = 0; i < c.n; i++) {
		const struct metric_change *m = &c.m[i];

		if (m->kind == 'p' && !strcmp(m->entity, "burn") && !strcmp(m->metric, "cpu.oncpu_ns")) {
			cpu = true;
			assert_int_equal(m->nbase, N);
			assert_int_equal(m->ncur, N);
			assert_dbl_near(m->change_pct, 100, 8);
			assert_true(m->regression);
			assert_true(m->p < 1e-4);
		}
		if (m->kind == 'h' && !strcmp(m->metric, "host.cpu_busy_ns"))
			assert_true(m->regression);
	}
	assert_true(cpu);
	assert_int_equal(c.only_cur.n, 1);
	assert_string_equal(c.only_cur.name[0], "grow");
	comparison_free(&c);

	assert_int_equal(findings_analyze(&rb, NULL, &fs), 0);
	for (i = 0; i < fs.n; i++) {
		if (strcmp(fs.f[i].kind, "memory_growth"))
			continue;
		grow = true;
		assert_int_equal(fs.f[i].victims[0].pid, 300);
		assert_string_equal(fs.f[i].victims[0].comm, "grow");
		assert_true(fs.f[i].has_forecast);
		assert_dbl_near(fs.f[i].fc.rate, 2 * 1048576.0, 0.1 * 1048576.0);
	}
	assert_true(grow);
	findings_free(&fs);

	/* a window: the middle four intervals */
	report_trim(&rb, T0 + 5, T0 + 8);
	assert_int_equal(rec_find(&rb, 'p', "300", "mem.rss_bytes")->n, 4);
	recording_free(&ra);
	recording_free(&rb);
	assert_int_equal(store_load(b, T0 + 5, T0 + 8, &rb, err, sizeof(err)), 0);
	assert_int_equal(rec_find(&rb, 'p', "300", "mem.rss_bytes")->n, 4);
	recording_free(&rb);
	unit_rm_sqlite(a);
	unit_rm_sqlite(b);
}

/* N intervals of a spawner (pid 2000) starting `rate` processes of true an
 * interval, each living that interval and using `cpu` ns */
static void write_spawner(const char *path, int rate, double cpu)
{
	struct store_meta m = {.hostname = "testhost", .kernel = "6.1.0", .target = "-a",
			       .ncpus = 4, .mem_total_bytes = 4e9, .interval_s = 1, .start = T0};
	struct store_entity spawn = {.kind = 'p', .name = "2000", .pid = 2000, .comm = "spawn",
				     .cgroup = "/x", .start_ms = (int64_t)(T0 - 60) * 1000,
				     .ppid = 1, .pcomm = "bash"};
	char err[256], name[16];
	struct store *st;
	int i, k;

	assert_int_equal(store_open(&st, path, err, sizeof(err)), 0);
	assert_int_equal(store_set_meta(st, &m), 0);
	for (i = 0; i < N; i++) {
		assert_int_equal(store_interval_begin(st, T0 + i + 1, 1), 0);
		assert_int_equal(store_put(st, &spawn, "cpu.oncpu_ns", 1e8), 0);
		for (k = 0; k < rate; k++) {
			struct store_entity e = {.kind = 'p', .name = name,
						 .pid = 5000 + (uint32_t)(i * rate + k), .comm = "true",
						 .cgroup = "/x", .ppid = 2000, .pcomm = "spawn",
						 .start_ms = (int64_t)(T0 + i) * 1000 + k, .gone = true};

			snprintf(name, sizeof(name), "%d", 5000 + i * rate + k);
			assert_int_equal(store_put(st, &e, "cpu.oncpu_ns", cpu), 0);
		}
		assert_int_equal(store_interval_end(st), 0);
	}
	assert_int_equal(store_close(st), 0);
}

/*
 * Churn on both sides, folded at load on one only (more than
 * STORE_LOAD_MAX_PROCS processes there): diff still compares all the
 * processes of true (kept on their own or in the group), and the churn
 * finding of the folded store names the spawner.
 */
static void test_folded_churn(void **state)
{
	char a[64], b[64], err[256];
	struct recording ra, rb;
	struct comparison c;
	struct findings fs;
	bool cpu = false, churn = false;
	size_t i;

	(void)state;
	unit_tmp_file(a, sizeof(a), "diff");
	unit_tmp_file(b, sizeof(b), "diff");
	/* 1,200 processes, then 8,400 */
	write_spawner(a, 100, 1e6);
	write_spawner(b, 700, 2e6);
	assert_int_equal(store_load(a, 0, INFINITY, &ra, err, sizeof(err)), 0);
	assert_int_equal(store_load(b, 0, INFINITY, &rb, err, sizeof(err)), 0);
	assert_int_equal(ra.procs_folded, 0);
	assert_true(rb.procs > STORE_LOAD_MAX_PROCS);
	assert_true(rb.procs_folded >= rb.procs - STORE_LOAD_MAX_PROCS);
	assert_int_equal(compare_recordings(&ra, &rb, 10, &c), 0);
	for (i = 0; i < c.n; i++) {
		const struct metric_change *m = &c.m[i];

		if (m->kind != 'p' || strcmp(m->entity, "true") || strcmp(m->metric, "cpu.oncpu_ns"))
			continue;
		cpu = true;
		/* 0.1 CPUs of true, then 1.4 */
		assert_dbl_near(m->base, 0.1e9, 1e3);
		assert_dbl_near(m->cur, 1.4e9, 1e3);
		assert_true(m->regression);
	}
	assert_true(cpu);
	assert_int_equal(c.only_base.n, 0);
	assert_int_equal(c.only_cur.n, 0);
	comparison_free(&c);

	assert_int_equal(findings_analyze(&rb, NULL, &fs), 0);
	for (i = 0; i < fs.n; i++) {
		if (strcmp(fs.f[i].kind, "process_churn"))
			continue;
		churn = true;
		assert_int_equal(fs.f[i].nculprits, 1);
		assert_int_equal(fs.f[i].culprits[0].pid, 2000);
		assert_string_equal(fs.f[i].culprits[0].comm, "spawn");
		assert_non_null(strstr(fs.f[i].summary, "short-lived processes of true"));
		assert_non_null(strstr(fs.f[i].summary, "started by spawn (pid 2000)"));
	}
	assert_true(churn);
	findings_free(&fs);
	recording_free(&ra);
	recording_free(&rb);
	unit_rm_sqlite(a);
	unit_rm_sqlite(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store_diff_and_findings),
		cmocka_unit_test(test_folded_churn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
