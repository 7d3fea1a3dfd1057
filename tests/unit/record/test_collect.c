// SPDX-License-Identifier: GPL-2.0
/* record/collect.c: PSI increases, the disks' in-flight peaks per interval,
 * the cgroups' files (CPU quotas, memory) on v1 and v2 fixture trees, and
 * their quotas written to a store, read back and planned with. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <sys/stat.h>
#include "unit.h"
#include "capacity/capacity.h"
#include "record/collect.h"
#include "record/write.h"
#include "store/store.h"

#define MIB (1024.0 * 1024.0)

static void test_psi_delta(void **state)
{
	struct psi_prev a = { .ok = {true, true, false} }, b;
	struct psi_delta d;

	(void)state;
	a.t[0] = (struct psi_totals){ .has_some = true, .some_us = 1000 };
	a.t[1] = (struct psi_totals){ .has_some = true, .has_full = true, .some_us = 50,
				      .full_us = 20 };
	b = a;
	b.t[0].some_us = 4000;
	b.t[1].some_us = 80;
	b.t[1].full_us = 10; /* went backwards: a reset, counted as 0 */
	psi_delta_of(&a, &b, &d);
	assert_true(d.cpu && d.mem && d.mem_full);
	assert_false(d.io);
	assert_dbl_eq(d.cpu_some_us, 3000);
	assert_dbl_eq(d.mem_some_us, 30);
	assert_dbl_eq(d.mem_full_us, 0);
	/* no previous reading: nothing */
	a.ok[0] = false;
	psi_delta_of(&a, &b, &d);
	assert_false(d.cpu);
}

/* The all-time in-flight peak becomes the interval's. */
static void test_dev_peaks(void **state)
{
	struct record_collect rc;
	struct dev_sample d[2];

	(void)state;
	memset(&rc, 0, sizeof(rc));
	memset(d, 0, sizeof(d));
	d[0] = (struct dev_sample){ .dev = 1, .inflight = 2, .inflight_peak = 30 };
	d[1] = (struct dev_sample){ .dev = 2, .inflight = 0, .inflight_peak = 0 };
	record_collect_dev_peaks(&rc, d, 2);
	assert_int_equal(d[0].inflight_peak, 30); /* grew: exact */
	assert_int_equal(d[1].inflight_peak, 0);
	d[0] = (struct dev_sample){ .dev = 1, .inflight = 5, .inflight_peak = 30 };
	record_collect_dev_peaks(&rc, d, 1);
	assert_int_equal(d[0].inflight_peak, 5); /* did not grow: in flight at the end */
	d[0] = (struct dev_sample){ .dev = 1, .inflight = 1, .inflight_peak = 31 };
	record_collect_dev_peaks(&rc, d, 1);
	assert_int_equal(d[0].inflight_peak, 31);
}


/* A v2 tree: /a 0.5 CPU over /a/b (max) over /a/b/c (0.8): c's limit is
 * its parent's; /x has no quota ("max"); /y has no cpu.max (no cpu
 * controller there): not known; /bad a malformed one: not known. */
static void v2_tree(const char *root)
{
	unit_fx_dir(root, "/a");
	unit_fx_dir(root, "/a/b");
	unit_fx_dir(root, "/a/b/c");
	unit_fx_dir(root, "/x");
	unit_fx_dir(root, "/y");
	unit_fx_dir(root, "/bad");
	unit_fx_put(root, "/a", "cpu.max", "50000 100000\n");
	unit_fx_put(root, "/a/b", "cpu.max", "max 100000\n");
	unit_fx_put(root, "/a/b/c", "cpu.max", "80000 100000\n");
	unit_fx_put(root, "/a/b/c", "memory.current", "1048576\n");
	unit_fx_put(root, "/a/b/c", "memory.max", "419430400\n");
	unit_fx_put(root, "/x", "cpu.max", "max 100000\n");
	unit_fx_put(root, "/x", "memory.max", "max\n");
	unit_fx_put(root, "/bad", "cpu.max", "half 100000\n");
}

static void collect_init(struct record_collect *rc, const char *cpu, const char *mem, bool v1)
{
	memset(rc, 0, sizeof(*rc));
	rc->cgv = calloc(RC_MAX_CGROUPS, sizeof(*rc->cgv));
	assert_non_null(rc->cgv);
	rc->cg_v1 = v1;
	snprintf(rc->cg_mount, sizeof(rc->cg_mount), "%s", cpu);
	snprintf(rc->cpu_mount, sizeof(rc->cpu_mount), "%s", cpu);
	snprintf(rc->mem_mount, sizeof(rc->mem_mount), "%s", mem);
}

static void test_cpu_limit_v2(void **state)
{
	char root[] = "/tmp/pp-test-rcv2-XXXXXX";
	struct record_collect rc;
	double c = -1;

	(void)state;
	assert_non_null(mkdtemp(root));
	v2_tree(root);
	collect_init(&rc, root, "", false);
	assert_int_equal(record_collect_cpu_limit(&rc, "/a/b/c", &c), 0);
	assert_dbl_eq(c, 0.5);
	assert_int_equal(record_collect_cpu_limit(&rc, "/a/b", &c), 0);
	assert_dbl_eq(c, 0.5);
	assert_int_equal(record_collect_cpu_limit(&rc, "/a", &c), 0);
	assert_dbl_eq(c, 0.5);
	assert_int_equal(record_collect_cpu_limit(&rc, "/x", &c), 0);
	assert_dbl_eq(c, 0); /* no quota */
	assert_int_equal(record_collect_cpu_limit(&rc, "/y", &c), -1);
	assert_int_equal(record_collect_cpu_limit(&rc, "/bad", &c), -1);
	assert_int_equal(record_collect_cpu_limit(&rc, "/gone", &c), -1);
	assert_int_equal(record_collect_cpu_limit(&rc, "x", &c), -1);
	/* each directory read once in the interval: a quota changed on disk
	 * is seen by the next interval */
	unit_fx_put(root, "/a", "cpu.max", "20000 100000\n");
	assert_int_equal(record_collect_cpu_limit(&rc, "/a/b/c", &c), 0);
	assert_dbl_eq(c, 0.5);
	record_collect_cgroups(&rc, NULL, 0, NULL);
	assert_int_equal(record_collect_cpu_limit(&rc, "/a/b/c", &c), 0);
	assert_dbl_eq(c, 0.2);
	record_collect_free(&rc);
	unit_rm_tree(root);
}

/* v1: quotas in the cpu controller's tree, memory in the memory one's;
 * a cgroup missing from the cpu tree has no known CPU limit. */
static void test_cpu_limit_v1(void **state)
{
	char cpu[] = "/tmp/pp-test-rcv1c-XXXXXX", mem[] = "/tmp/pp-test-rcv1m-XXXXXX";
	struct target tg;
	struct record_collect rc;
	double c = -1;

	(void)state;
	assert_non_null(mkdtemp(cpu));
	assert_non_null(mkdtemp(mem));
	unit_fx_put(cpu, "", "cpu.cfs_quota_us", "-1\n");
	unit_fx_put(cpu, "", "cpu.cfs_period_us", "100000\n");
	unit_fx_dir(cpu, "/job");
	unit_fx_put(cpu, "/job", "cpu.cfs_quota_us", "30000\n");
	unit_fx_put(cpu, "/job", "cpu.cfs_period_us", "100000\n");
	unit_fx_dir(cpu, "/job/w");
	unit_fx_put(cpu, "/job/w", "cpu.cfs_quota_us", "-1\n");
	unit_fx_put(cpu, "/job/w", "cpu.cfs_period_us", "100000\n");
	unit_fx_dir(cpu, "/free");
	unit_fx_put(cpu, "/free", "cpu.cfs_quota_us", "-1\n");
	unit_fx_put(cpu, "/free", "cpu.cfs_period_us", "100000\n");
	unit_fx_dir(mem, "/job");
	unit_fx_put(mem, "/job", "memory.usage_in_bytes", "2097152\n");
	unit_fx_put(mem, "/job", "memory.limit_in_bytes", "9223372036854771712\n");
	unit_fx_dir(mem, "/memonly");
	unit_fx_put(mem, "/memonly", "memory.usage_in_bytes", "4096\n");
	unit_fx_put(mem, "/memonly", "memory.limit_in_bytes", "419430400\n");
	collect_init(&rc, cpu, mem, true);
	assert_int_equal(record_collect_cpu_limit(&rc, "/job/w", &c), 0);
	assert_dbl_near(c, 0.3, 1e-12);
	assert_int_equal(record_collect_cpu_limit(&rc, "/free", &c), 0);
	assert_dbl_eq(c, 0);
	assert_int_equal(record_collect_cpu_limit(&rc, "/", &c), 0);
	assert_dbl_eq(c, 0);
	assert_int_equal(record_collect_cpu_limit(&rc, "/memonly", &c), -1);
	/* through the interval's cgroup files */
	memset(&tg, 0, sizeof(tg));
	tg.ncgroups = 2;
	snprintf(tg.cg[0].rel, sizeof(tg.cg[0].rel), "/job");
	snprintf(tg.cg[1].rel, sizeof(tg.cg[1].rel), "/memonly");
	record_collect_cgroups(&rc, NULL, 0, &tg);
	assert_int_equal(rc.ncgv, 2);
	assert_string_equal(rc.cgv[0].path, "/job");
	assert_true(rc.cgv[0].has_cpu_limit && rc.cgv[0].has_memory);
	assert_dbl_near(rc.cgv[0].cpu_limit_cores, 0.3, 1e-12);
	assert_false(rc.cgv[0].has_limit); /* v1's "unlimited" */
	assert_false(rc.cgv[1].has_cpu_limit);
	assert_true(rc.cgv[1].has_limit);
	assert_dbl_eq(rc.cgv[1].memory_limit_bytes, 400 * MIB);
	/* no cpu controller mounted: not known */
	rc.cpu_mount[0] = '\0';
	record_collect_cgroups(&rc, NULL, 0, &tg);
	assert_false(rc.cgv[0].has_cpu_limit);
	record_collect_free(&rc);
	unit_rm_tree(cpu);
	unit_rm_tree(mem);
}

static const struct cap_row *cpu_row(const struct cap_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->r[i].scope == CAP_CGROUP && !strcmp(t->r[i].name, name) &&
		    t->r[i].resource == CAP_CPU)
			return &t->r[i];
	return NULL;
}

#define T0 1700000000.0
#define NIV 12

/* The quotas of a v2 tree recorded with the processes' CPU, read back from
 * the store and planned with: /a/b/c's limit is the 0.5 CPU of its parent,
 * /x has none (the host's CPUs), and /y's store has no quota for it (as a
 * store written before quotas were): the host's CPUs, saying so. */
static void test_quota_stored(void **state)
{
	struct store_meta m = { .hostname = "testhost", .kernel = "6.1.0", .target = "-a",
				.ncpus = 2, .mem_total_bytes = 4e9, .interval_s = 1, .start = T0 };
	char root[] = "/tmp/pp-test-rcst-XXXXXX", path[64], err[256];
	const char *cgs[3] = { "/a/b/c", "/x", "/y" };
	struct proc_sample s[3];
	struct record_collect rc;
	const struct cap_row *w;
	const struct series *q;
	struct recording r;
	struct cap_table t;
	struct cap_opts o;
	struct store *st;
	int i, k;

	(void)state;
	assert_non_null(mkdtemp(root));
	v2_tree(root);
	collect_init(&rc, root, "", false);
	memset(s, 0, sizeof(s));
	for (k = 0; k < 3; k++) {
		s[k].pid = 100 + (uint32_t)k;
		s[k].start_ms = 1700000000000 + k;
		snprintf(s[k].comm, sizeof(s[k].comm), "burn");
		snprintf(s[k].cgroup, sizeof(s[k].cgroup), "%s", cgs[k]);
	}
	unit_tmp_name(path, sizeof(path), "quota");
	assert_int_equal(store_open(&st, path, err, sizeof(err)), 0);
	assert_int_equal(store_set_meta(st, &m), 0);
	for (i = 0; i < NIV; i++) {
		struct interval_data d = { .ts = T0 + i + 1, .length_s = 1, .procs = s, .nprocs = 3 };

		for (k = 0; k < 3; k++)
			s[k].oncpu_ns = (uint64_t)((i % 2 ? 0.28 : 0.3) * 1e9);
		record_collect_cgroups(&rc, s, 3, NULL);
		/* /y as an older perfpilot wrote it: no quota */
		for (k = 0; k < (int)rc.ncgv; k++)
			if (!strcmp(rc.cgv[k].path, "/y"))
				assert_false(rc.cgv[k].has_cpu_limit);
		d.cgs = rc.cgv;
		d.ncgs = rc.ncgv;
		assert_int_equal(record_write_interval(st, &d), 0);
	}
	assert_int_equal(store_close(st), 0);
	record_collect_free(&rc);
	assert_int_equal(store_load(path, 0, INFINITY, &r, err, sizeof(err)), 0);
	q = rec_find(&r, ENT_CGROUP, "/a/b/c", "cg.cpu_limit_cores");
	assert_non_null(q);
	assert_int_equal(q->n, NIV);
	assert_dbl_eq(q->v[NIV - 1], 0.5);
	assert_dbl_eq(rec_find(&r, ENT_CGROUP, "/x", "cg.cpu_limit_cores")->v[0], 0);
	assert_null(rec_find(&r, ENT_CGROUP, "/y", "cg.cpu_limit_cores"));
	cap_opts_default(&o);
	assert_int_equal(capacity_analyze(&r, &o, NULL, 0, &t), 0);
	w = cpu_row(&t, "/a/b/c");
	assert_non_null(w);
	assert_dbl_eq(w->limit, 0.5);
	assert_non_null(strstr(w->limit_src, "CPU quota recorded"));
	assert_non_null(strstr(w->evidence, "CPU quota recorded"));
	assert_dbl_near(w->p95, 0.3, 1e-6);
	assert_dbl_near(w->recommended, 0.35, 1e-9); /* 0.3 * 1.15, rounded up */
	w = cpu_row(&t, "/x");
	assert_non_null(w);
	assert_dbl_eq(w->limit, 2);
	assert_non_null(strstr(w->limit_src, "no CPU quota on it or its parents"));
	w = cpu_row(&t, "/y");
	assert_non_null(w);
	assert_dbl_eq(w->limit, 2);
	assert_non_null(strstr(w->limit_src, "no CPU quota in the store"));
	assert_non_null(strstr(w->evidence, "no CPU quota in the store"));
	cap_table_free(&t);
	recording_free(&r);
	unit_rm_sqlite(path);
	unit_rm_tree(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_psi_delta),
		cmocka_unit_test(test_dev_peaks),
		cmocka_unit_test(test_cpu_limit_v2),
		cmocka_unit_test(test_cpu_limit_v1),
		cmocka_unit_test(test_quota_stored),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
