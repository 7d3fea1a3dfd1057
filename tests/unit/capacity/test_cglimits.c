// SPDX-License-Identifier: GPL-2.0
/* capacity/cglimits.c: CPU and memory limits on v1 and v2 fixture trees. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <sys/stat.h>
#include "unit.h"
#include "capacity/cglimits.h"

#define MIB (1024.0 * 1024.0)

static void test_parsers(void **state)
{
	double x = -1;

	(void)state;
	assert_int_equal(cap_parse_cpu_max("50000 100000\n", &x), 1);
	assert_dbl_eq(x, 0.5);
	assert_int_equal(cap_parse_cpu_max("250000 100000", &x), 1);
	assert_dbl_eq(x, 2.5);
	assert_int_equal(cap_parse_cpu_max("max 100000\n", &x), 0);
	assert_int_equal(cap_parse_cpu_max("max", &x), -1);
	assert_int_equal(cap_parse_cpu_max("50000 0", &x), -1);
	assert_int_equal(cap_parse_cpu_max("abc 100000", &x), -1);
	assert_int_equal(cap_parse_cpu_max("1 2 3", &x), -1);
	assert_int_equal(cap_parse_cfs("150000\n", "100000\n", &x), 1);
	assert_dbl_eq(x, 1.5);
	assert_int_equal(cap_parse_cfs("-1\n", "100000\n", &x), 0);
	assert_int_equal(cap_parse_cfs("-5", "100000", &x), -1);
	assert_int_equal(cap_parse_cfs("x", "100000", &x), -1);
	assert_int_equal(cap_parse_mem_limit("419430400\n", &x), 1);
	assert_dbl_eq(x, 400 * MIB);
	assert_int_equal(cap_parse_mem_limit("max\n", &x), 0);
	/* v1's "unlimited" */
	assert_int_equal(cap_parse_mem_limit("9223372036854771712\n", &x), 0);
	assert_int_equal(cap_parse_mem_limit("-1", &x), -1);
	assert_int_equal(cap_parse_mem_limit("12k", &x), -1);
	assert_int_equal(cap_parse_mem_limit("", &x), -1);
}

/* v2: one mount; the smallest limit of the cgroup and its parents applies. */
static void test_v2_tree(void **state)
{
	char root[] = "/tmp/pp-test-cgv2-XXXXXX", err[256];
	struct cap_hier h = { .v2 = true };
	struct cap_limit l;

	(void)state;
	assert_non_null(mkdtemp(root));
	h.cpu_mount = h.mem_mount = root;
	unit_fx_put(root, "", "memory.current", "123\n"); /* the root has no limits' files */
	unit_fx_dir(root, "/a");
	unit_fx_dir(root, "/a/b");
	unit_fx_dir(root, "/free");
	unit_fx_put(root, "/a", "cpu.max", "200000 100000\n");
	unit_fx_put(root, "/a", "memory.max", "419430400\n");
	unit_fx_put(root, "/a/b", "cpu.max", "max 100000\n");
	unit_fx_put(root, "/a/b", "memory.max", "max\n");
	unit_fx_put(root, "/free", "cpu.max", "max 100000\n");
	unit_fx_put(root, "/free", "memory.max", "max\n");

	assert_int_equal(cap_read_limits(&h, "/a/b", &l, err, sizeof(err)), 0);
	assert_string_equal(l.path, "/a/b");
	assert_dbl_eq(l.cpu_cores, 2);
	assert_non_null(strstr(l.cpu_src, "cpu.max of /a"));
	assert_dbl_eq(l.mem_bytes, 400 * MIB);
	assert_non_null(strstr(l.mem_src, "memory.max of /a"));

	/* a tighter limit of its own wins */
	unit_fx_put(root, "/a/b", "cpu.max", "50000 100000\n");
	unit_fx_put(root, "/a/b", "memory.max", "104857600\n");
	assert_int_equal(cap_read_limits(&h, "/a/b", &l, err, sizeof(err)), 0);
	assert_dbl_eq(l.cpu_cores, 0.5);
	assert_non_null(strstr(l.cpu_src, "of /a/b"));
	assert_dbl_eq(l.mem_bytes, 100 * MIB);

	assert_int_equal(cap_read_limits(&h, "/free", &l, err, sizeof(err)), 0);
	assert_true(isnan(l.cpu_cores));
	assert_true(isnan(l.mem_bytes));

	/* a cgroup that is gone */
	assert_int_equal(cap_read_limits(&h, "/gone", &l, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no cgroup /gone"));
	assert_int_equal(cap_read_limits(&h, "rel", &l, err, sizeof(err)), -1);
	unit_rm_tree(root);
}

/* v1: the cpu and memory controllers in mounts of their own. */
static void test_v1_tree(void **state)
{
	char root[] = "/tmp/pp-test-cgv1-XXXXXX", cpu[PATH_MAX], mem[PATH_MAX], err[256];
	struct cap_hier h = { .v2 = false };
	struct cap_limit l;

	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(cpu, sizeof(cpu), "%s/cpu", root);
	snprintf(mem, sizeof(mem), "%s/memory", root);
	unit_fx_dir(cpu, "");
	unit_fx_dir(mem, "");
	h.cpu_mount = cpu;
	h.mem_mount = mem;
	unit_fx_put(cpu, "", "cpu.cfs_quota_us", "-1\n");
	unit_fx_put(cpu, "", "cpu.cfs_period_us", "100000\n");
	unit_fx_put(mem, "", "memory.limit_in_bytes", "9223372036854771712\n");
	unit_fx_dir(cpu, "/app");
	unit_fx_dir(mem, "/app");
	unit_fx_put(cpu, "/app", "cpu.cfs_quota_us", "150000\n");
	unit_fx_put(cpu, "/app", "cpu.cfs_period_us", "100000\n");
	unit_fx_put(mem, "/app", "memory.limit_in_bytes", "419430400\n");

	assert_int_equal(cap_read_limits(&h, "/app", &l, err, sizeof(err)), 0);
	assert_dbl_eq(l.cpu_cores, 1.5);
	assert_non_null(strstr(l.cpu_src, "cpu.cfs_quota_us"));
	assert_dbl_eq(l.mem_bytes, 400 * MIB);
	assert_non_null(strstr(l.mem_src, "memory.limit_in_bytes of /app"));

	/* the root: no limits */
	assert_int_equal(cap_read_limits(&h, "/", &l, err, sizeof(err)), 0);
	assert_true(isnan(l.cpu_cores));
	assert_true(isnan(l.mem_bytes));

	/* only in the memory hierarchy: its memory limit, no CPU quota */
	unit_fx_dir(mem, "/memonly");
	unit_fx_put(mem, "/memonly", "memory.limit_in_bytes", "1048576\n");
	assert_int_equal(cap_read_limits(&h, "/memonly", &l, err, sizeof(err)), 0);
	assert_true(isnan(l.cpu_cores));
	assert_dbl_eq(l.mem_bytes, MIB);

	assert_int_equal(cap_read_limits(&h, "/gone", &l, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/gone"));
	unit_rm_tree(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parsers),
		cmocka_unit_test(test_v2_tree),
		cmocka_unit_test(test_v1_tree),
	};

	return cmocka_run_group_tests_name("capacity_cglimits", tests, NULL, NULL);
}
