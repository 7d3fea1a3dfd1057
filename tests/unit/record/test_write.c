// SPDX-License-Identifier: GPL-2.0
/* write.c: short-lived processes grouped per command, parent and cgroup. */
#include <math.h>
#include <stdlib.h>
#include <unistd.h>
#include "unit.h"
#include "record/write.h"
#include "store/store.h"

#define T0 1700000000.0

static struct proc_sample brief(uint32_t pid, const char *comm, double oncpu, double life_ms)
{
	struct proc_sample s;

	memset(&s, 0, sizeof(s));
	s.pid = pid;
	s.ppid = 300;
	s.start_ms = 1700000000000 + pid;
	snprintf(s.comm, sizeof(s.comm), "%s", comm);
	snprintf(s.pcomm, sizeof(s.pcomm), "spawner");
	snprintf(s.cgroup, sizeof(s.cgroup), "/ci");
	s.oncpu_ns = (uint64_t)oncpu;
	s.exited = true;
	s.short_lived = true;
	s.start_ns = 1000000000ull * pid;
	s.exit_ns = s.start_ns + (uint64_t)(life_ms * 1e6);
	s.has_mem = true;
	s.rss_peak_bytes = 1 << 20;
	return s;
}

/* The top few by a resource stay individual, if above the floor. */
static void test_keep_top(void **state)
{
	struct proc_sample s[6];
	bool keep[6];
	int i;

	(void)state;
	for (i = 0; i < 5; i++)
		s[i] = brief((uint32_t)(10 + i), "true", 1e6, 2);
	s[1].oncpu_ns = (uint64_t)5e8;   /* half a CPU: kept */
	s[2].write_bytes = 64 << 20;     /* 64 MiB written: kept */
	s[5] = brief(20, "daemon", 1e6, 2);
	s[5].short_lived = false;        /* long-lived: always kept */
	record_keep_top(s, 6, 1.0, keep);
	assert_false(keep[0]);
	assert_true(keep[1]);
	assert_true(keep[2]);
	assert_false(keep[3]);
	assert_false(keep[4]);
	assert_true(keep[5]);
}

static void test_groups_written(void **state)
{
	struct proc_sample s[7];
	struct interval_data d = { .ts = T0 + 1, .length_s = 1, .procs = s, .nprocs = 7 };
	struct recording r;
	struct store *st;
	char path[64], err[256];
	const struct series *g;
	int i;

	(void)state;
	for (i = 0; i < 5; i++)
		s[i] = brief((uint32_t)(10 + i), "true", 1e6, 1 + i); /* lives 1..5 ms */
	s[5] = brief(30, "sed", 3e6, 4);
	s[6] = brief(31, "heavy", 8e8, 900);                    /* 0.8 CPUs: its own */
	unit_tmp_name(path, sizeof(path), "write");
	assert_int_equal(store_open(&st, path, err, sizeof(err)), 0);
	assert_int_equal(record_write_interval(st, &d), 0);
	assert_int_equal(store_close(st), 0);
	assert_int_equal(unit_sql_int(path, "SELECT count(*) FROM entity WHERE kind = 'g'"), 2);
	assert_int_equal(unit_sql_int(path, "SELECT count(*) FROM entity WHERE kind = 'p'"), 1);
	assert_int_equal(unit_sql_int(path, "SELECT count(*) FROM entity WHERE kind = 'g' AND"
				      " name = 'true|spawner|/ci' AND pid = 300 AND comm = 'true' AND"
				      " pcomm = 'spawner' AND cgroup = '/ci'"), 1);
	assert_int_equal(store_load(path, 0, INFINITY, &r, err, sizeof(err)), 0);
	g = rec_find(&r, 'g', "true|spawner|/ci", "group.started");
	assert_non_null(g);
	assert_dbl_eq(g->v[0], 5);
	assert_int_equal(g->pid, 300);
	assert_dbl_eq(rec_find(&r, 'g', "true|spawner|/ci", "group.exited")->v[0], 5);
	assert_dbl_eq(rec_find(&r, 'g', "true|spawner|/ci", "cpu.oncpu_ns")->v[0], 5e6);
	assert_dbl_near(rec_find(&r, 'g', "true|spawner|/ci", "group.life_p50_us")->v[0], 3000, 1e-6);
	assert_dbl_near(rec_find(&r, 'g', "true|spawner|/ci", "group.life_max_us")->v[0], 5000, 1e-6);
	assert_dbl_eq(rec_find(&r, 'g', "true|spawner|/ci", "mem.rss_peak_bytes")->v[0], 1 << 20);
	assert_dbl_eq(rec_find(&r, 'g', "sed|spawner|/ci", "group.started")->v[0], 1);
	/* the cgroup's sums have them all */
	assert_dbl_eq(rec_find(&r, 'c', "/ci", "cpu.oncpu_ns")->v[0], 5e6 + 3e6 + 8e8);
	recording_free(&r);
	unit_rm_sqlite(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keep_top),
		cmocka_unit_test(test_groups_written),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
