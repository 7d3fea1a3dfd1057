// SPDX-License-Identifier: GPL-2.0
/* The readers of /proc/stat, vmstat, PSI and schedstat on a fixture tree. */
#define _GNU_SOURCE
#include "tunefs.h"
#include "tune/procstat.h"

static void test_fields(void **state)
{
	const char *vm = "nr_dirty 12\nnr_dirty_threshold 900\nallocstall_dma 1\n"
			 "allocstall_normal 40\nallocstall_movable 2\n";
	int64_t v = -1;

	(void)state;
	assert_int_equal(procstat_field(vm, "nr_dirty", &v), 0);
	assert_int_equal(v, 12); /* not nr_dirty_threshold */
	assert_int_equal(procstat_field(vm, "nr_dirty_threshold", &v), 0);
	assert_int_equal(v, 900);
	assert_int_equal(procstat_field_sum(vm, "allocstall", &v), 0);
	assert_int_equal(v, 43);
	assert_int_equal(procstat_field(vm, "nr_writeback", &v), -1);
	assert_int_equal(procstat_field("MemTotal:       16384 kB\n", "MemTotal", &v), 0);
	assert_int_equal(v, 16384);
}

static void test_psi(void **state)
{
	struct procstat_psi p;

	(void)state;
	assert_int_equal(procstat_psi_parse("some avg10=1.50 avg60=0.20 avg300=0.00 total=777\n"
					    "full avg10=0.25 avg60=0.00 avg300=0.00 total=9\n", &p),
			 0);
	assert_dbl_near(p.some_avg10, 1.5, 1e-9);
	assert_int_equal(p.some_total, 777);
	assert_true(p.has_full);
	assert_int_equal(p.full_total, 9);
	assert_int_equal(procstat_psi_parse("bogus\n", &p), -1);
}

static void test_cpu_and_threads(void **state)
{
	struct procstat_threads a = {0}, b = {0};
	struct procstat_cpu c1, c2;
	char root[PATH_MAX], err[256];
	struct hostfs h;
	uint64_t run, wait;

	(void)state;
	tfs_mkroot(root, sizeof(root), "procstat");
	assert_int_equal(hostfs_init(&h, root), 0);
	tfs_put(root, "proc/stat", "cpu  100 0 100 800 0 0 0 0 0 0\ncpu0 1\ncpu1 1\ncpu2 1\n"
		"cpu3 1\nintr 1\n");
	assert_int_equal(procstat_cpu_read(&h, &c1, err, sizeof(err)), 0);
	tfs_put(root, "proc/stat", "cpu  250 0 250 900 0 0 0 0 0 0\ncpu0 1\ncpu1 1\ncpu2 1\n"
		"cpu3 1\nintr 1\n");
	assert_int_equal(procstat_cpu_read(&h, &c2, err, sizeof(err)), 0);
	assert_int_equal(c2.ncpus, 4);
	assert_dbl_near(procstat_cpu_idle(&c1, &c2), 1.0, 1e-9); /* 100 of 400 idle, 4 CPUs */
	assert_dbl_near(procstat_cpu_busy(&c1, &c2), 3.0, 1e-9);
	assert_true(procstat_cpu_idle(&c2, &c1) < 0);

	/* pid 7 with threads 7 and 8; pid 9 without task/ (its own schedstat) */
	tfs_put(root, "sys/fs/cgroup/app/cgroup.procs", "7\n9\n4242\n");
	tfs_put(root, "proc/7/task/7/schedstat", "1000 500 3\n");
	tfs_put(root, "proc/7/task/8/schedstat", "2000 0 3\n");
	tfs_put(root, "proc/9/schedstat", "100 100 1\n");
	assert_int_equal(procstat_cgroup_threads(&h, "/sys/fs/cgroup/app", &a, err, sizeof(err)), 0);
	assert_int_equal(a.n, 3); /* 4242 is gone: skipped */
	tfs_put(root, "proc/7/task/7/schedstat", "1600 900 3\n");
	tfs_put(root, "proc/7/task/8/schedstat", "2000 0 3\n");
	tfs_put(root, "proc/7/task/10/schedstat", "50000 50000 3\n"); /* new: not counted */
	tfs_put(root, "proc/9/schedstat", "300 200 1\n");
	assert_int_equal(procstat_cgroup_threads(&h, "/sys/fs/cgroup/app", &b, err, sizeof(err)), 0);
	procstat_threads_delta(&a, &b, &run, &wait);
	assert_int_equal(run, 800);
	assert_int_equal(wait, 500);
	assert_int_equal(procstat_cgroup_threads(&h, "/sys/fs/cgroup/gone", &b, err, sizeof(err)),
			 -1);
	assert_null(strchr(err, '\n'));
	assert_non_null(strstr(err, "/sys/fs/cgroup/gone"));
	procstat_threads_free(&a);
	procstat_threads_free(&b);
	tfs_rmroot(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_psi),
		cmocka_unit_test(test_cpu_and_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
