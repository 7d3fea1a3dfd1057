// SPDX-License-Identifier: GPL-2.0
/* hostfs: sysctls, cgroup v1 and v2 files, CPU quota and throttling, netns. */
#define _GNU_SOURCE
#include <sched.h>
#include "tunefs.h"
#include "tune/hostfs.h"

struct fx {
	char root[PATH_MAX];
	struct hostfs h;
	char err[512];
};

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	tfs_mkroot(fx->root, sizeof(fx->root), "hostfs");
	tfs_host(fx->root);
	assert_int_equal(hostfs_init(&fx->h, fx->root), 0);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	tfs_rmroot(fx->root);
	free(fx);
	return 0;
}

/* ---- values ---- */

static void test_parse_value_fields(void **state)
{
	struct hostfs_value v;

	(void)state;
	assert_int_equal(hostfs_parse_value("4096\t131072\t6291456", &v), 0);
	assert_string_equal(v.str, "4096\t131072\t6291456");
	assert_int_equal(v.ntok, 3);
	assert_true(v.num[0] && v.num[1] && v.num[2]);
	assert_int_equal(v.f[2], 6291456);
	assert_int_equal(hostfs_parse_value("max 100000", &v), 0);
	assert_int_equal(v.ntok, 2);
	assert_false(v.num[0]);
	assert_true(v.num[1]);
	assert_int_equal(v.f[1], 100000);
	/* an int64 overflow is not a number */
	assert_int_equal(hostfs_parse_value("9223372036854775808", &v), 0);
	assert_false(v.num[0]);
	assert_int_equal(hostfs_parse_value("-1", &v), 0);
	assert_true(v.num[0]);
	assert_int_equal(v.f[0], -1);
}

static void test_value_equal(void **state)
{
	(void)state;
	assert_true(hostfs_value_equal("4096\t131072\t6291456", "4096 131072 6291456"));
	assert_true(hostfs_value_equal("max 100000\n", "max 100000"));
	assert_false(hostfs_value_equal("4096 131072", "4096 131072 6291456"));
	assert_false(hostfs_value_equal("4096", "40960"));
	assert_false(hostfs_value_equal("max", "max 100000"));
	assert_false(hostfs_value_equal("", "0"));
}

/* ---- sysctls ---- */

static void test_sysctl_read_single_and_multi(void **state)
{
	struct fx *fx = *state;
	struct hostfs_value v;

	assert_int_equal(hostfs_sysctl_read(&fx->h, NULL, "net.core.somaxconn", &v, fx->err,
					    sizeof(fx->err)), 0);
	assert_string_equal(v.str, "4096");
	assert_int_equal(v.ntok, 1);
	assert_int_equal(v.f[0], 4096);
	assert_int_equal(hostfs_sysctl_read(&fx->h, NULL, "net.ipv4.tcp_rmem", &v, fx->err,
					    sizeof(fx->err)), 0);
	assert_string_equal(v.str, "4096\t131072\t6291456");
	assert_int_equal(v.ntok, 3);
	assert_int_equal(v.f[0], 4096);
	assert_int_equal(v.f[1], 131072);
	assert_int_equal(v.f[2], 6291456);
}

static void test_sysctl_write(void **state)
{
	struct fx *fx = *state;
	struct hostfs_value v;

	assert_int_equal(hostfs_sysctl_write(&fx->h, NULL, "net.core.somaxconn", "8192", fx->err,
					     sizeof(fx->err)), 0);
	assert_string_equal(tfs_get(fx->root, "proc/sys/net/core/somaxconn"), "8192\n");
	assert_int_equal(hostfs_sysctl_write(&fx->h, NULL, "net.ipv4.tcp_rmem",
					     "4096 131072 12582912", fx->err, sizeof(fx->err)), 0);
	assert_string_equal(tfs_get(fx->root, "proc/sys/net/ipv4/tcp_rmem"),
			    "4096 131072 12582912\n");
	assert_int_equal(hostfs_sysctl_read(&fx->h, NULL, "net.ipv4.tcp_rmem", &v, fx->err,
					    sizeof(fx->err)), 0);
	assert_int_equal(v.f[2], 12582912);
	/* a slash in a name stands for a dot (interface names) */
	tfs_put(fx->root, "proc/sys/net/ipv4/conf/eth0.5/rp_filter", "1\n");
	assert_int_equal(hostfs_sysctl_write(&fx->h, NULL, "net.ipv4.conf.eth0/5.rp_filter", "2",
					     fx->err, sizeof(fx->err)), 0);
	assert_string_equal(tfs_get(fx->root, "proc/sys/net/ipv4/conf/eth0.5/rp_filter"), "2\n");
}

static void test_sysctl_missing(void **state)
{
	struct fx *fx = *state;
	struct hostfs_value v;

	assert_int_equal(hostfs_sysctl_read(&fx->h, NULL, "net.core.nope", &v, fx->err,
					    sizeof(fx->err)), -1);
	assert_int_equal(errno, ENOENT);
	assert_non_null(strstr(fx->err, "no sysctl net.core.nope"));
	/* a write never creates the file */
	assert_int_equal(hostfs_sysctl_write(&fx->h, NULL, "net.core.nope", "1", fx->err,
					     sizeof(fx->err)), -1);
	assert_non_null(strstr(fx->err, "no sysctl net.core.nope"));
	assert_false(tfs_exists(fx->root, "proc/sys/net/core/nope"));
}

static void test_sysctl_bad_names_and_values(void **state)
{
	struct fx *fx = *state;
	struct hostfs_value v;
	const char *bad[] = {"", "net..core", ".net.core", "net.core.", "a.//.b", "net core",
			     "x.//.//.proc"};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fx->err[0] = 0;
		assert_int_equal(hostfs_sysctl_read(&fx->h, NULL, bad[i], &v, fx->err,
						    sizeof(fx->err)), -1);
		assert_non_null(strstr(fx->err, "bad sysctl name"));
	}
	/* values: empty, with a newline, too long */
	assert_int_equal(hostfs_sysctl_write(&fx->h, NULL, "net.core.somaxconn", "", fx->err,
					     sizeof(fx->err)), -1);
	assert_int_equal(hostfs_sysctl_write(&fx->h, NULL, "net.core.somaxconn", "1\n2", fx->err,
					     sizeof(fx->err)), -1);
	assert_string_equal(tfs_get(fx->root, "proc/sys/net/core/somaxconn"), "4096\n");
}

static int hook_calls;

static int failing_hook(void *arg, const char *path, const char *value)
{
	(void)arg;
	(void)value;
	hook_calls++;
	assert_non_null(strstr(path, "/proc/sys/net/core/somaxconn"));
	errno = EINVAL;
	return -1;
}

static void test_write_hook_can_refuse(void **state)
{
	struct fx *fx = *state;

	fx->h.write_hook = failing_hook;
	hook_calls = 0;
	assert_int_equal(hostfs_sysctl_write(&fx->h, NULL, "net.core.somaxconn", "70000", fx->err,
					     sizeof(fx->err)), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(hook_calls, 1);
	assert_non_null(strstr(fx->err, "Invalid argument"));
	assert_string_equal(tfs_get(fx->root, "proc/sys/net/core/somaxconn"), "4096\n");
}

/* ---- network namespaces in a fixture tree ---- */

static void test_netns_fixture(void **state)
{
	struct fx *fx = *state;
	struct hostfs_value v;
	uint64_t id1, id2;

	tfs_put(fx->root, "var/run/netns/ns1/proc/sys/net/core/somaxconn", "128\n");
	tfs_put(fx->root, "proc/77/ns/net/proc/sys/net/core/somaxconn", "256\n");
	assert_int_equal(hostfs_sysctl_read(&fx->h, "ns1", "net.core.somaxconn", &v, fx->err,
					    sizeof(fx->err)), 0);
	assert_string_equal(v.str, "128");
	assert_int_equal(hostfs_sysctl_write(&fx->h, "ns1", "net.core.somaxconn", "1024", fx->err,
					     sizeof(fx->err)), 0);
	assert_string_equal(tfs_get(fx->root, "var/run/netns/ns1/proc/sys/net/core/somaxconn"),
			    "1024\n");
	assert_string_equal(tfs_get(fx->root, "proc/sys/net/core/somaxconn"), "4096\n");
	assert_string_equal(tfs_get(fx->root, "proc/77/ns/net/proc/sys/net/core/somaxconn"),
			    "256\n");
	/* by path */
	assert_int_equal(hostfs_sysctl_write(&fx->h, "/proc/77/ns/net", "net.core.somaxconn",
					     "512", fx->err, sizeof(fx->err)), 0);
	assert_string_equal(tfs_get(fx->root, "proc/77/ns/net/proc/sys/net/core/somaxconn"),
			    "512\n");
	assert_string_equal(tfs_get(fx->root, "var/run/netns/ns1/proc/sys/net/core/somaxconn"),
			    "1024\n");
	/* identities differ; a missing namespace is ENOENT */
	assert_int_equal(hostfs_netns_id(&fx->h, "ns1", &id1, fx->err, sizeof(fx->err)), 0);
	assert_int_equal(hostfs_netns_id(&fx->h, "/proc/77/ns/net", &id2, fx->err,
					 sizeof(fx->err)), 0);
	assert_true(id1 != id2);
	assert_int_equal(hostfs_netns_id(&fx->h, "gone", &id1, fx->err, sizeof(fx->err)), -1);
	assert_int_equal(errno, ENOENT);
	/* only net.* is per namespace; names and paths must be clean */
	assert_int_equal(hostfs_sysctl_read(&fx->h, "ns1", "vm.dirty_ratio", &v, fx->err,
					    sizeof(fx->err)), -1);
	assert_non_null(strstr(fx->err, "not per network namespace"));
	assert_int_equal(hostfs_sysctl_read(&fx->h, "..", "net.core.somaxconn", &v, fx->err,
					    sizeof(fx->err)), -1);
	assert_int_equal(hostfs_sysctl_read(&fx->h, "/proc/../etc", "net.core.somaxconn", &v,
					    fx->err, sizeof(fx->err)), -1);
	assert_int_equal(hostfs_sysctl_read(&fx->h, "gone", "net.core.somaxconn", &v, fx->err,
					    sizeof(fx->err)), -1);
	assert_int_equal(errno, ENOENT);
}

/* ---- cgroups ---- */

static void test_cgroup_v2_quota(void **state)
{
	struct fx *fx = *state;
	struct hostfs_cpu_quota q;
	struct hostfs_value v;
	const char *cg = "/sys/fs/cgroup/app";

	assert_int_equal(hostfs_cpu_quota_get(&fx->h, cg, &q, fx->err, sizeof(fx->err)), 0);
	assert_int_equal(q.version, HOSTFS_CG_V2);
	assert_true(q.unlimited);
	assert_int_equal(q.quota_us, -1);
	assert_int_equal(q.period_us, 100000);
	assert_int_equal(hostfs_cpu_quota_set(&fx->h, cg, 20000, fx->err, sizeof(fx->err)), 0);
	assert_string_equal(tfs_get(fx->root, "sys/fs/cgroup/app/cpu.max"), "20000 100000\n");
	assert_int_equal(hostfs_cpu_quota_get(&fx->h, cg, &q, fx->err, sizeof(fx->err)), 0);
	assert_false(q.unlimited);
	assert_int_equal(q.quota_us, 20000);
	assert_int_equal(hostfs_cpu_quota_set(&fx->h, cg, -1, fx->err, sizeof(fx->err)), 0);
	assert_string_equal(tfs_get(fx->root, "sys/fs/cgroup/app/cpu.max"), "max 100000\n");
	/* plain files */
	assert_int_equal(hostfs_cgroup_write(&fx->h, cg, "cpu.weight", "200", fx->err,
					     sizeof(fx->err)), 0);
	assert_string_equal(tfs_get(fx->root, "sys/fs/cgroup/app/cpu.weight"), "200\n");
	assert_int_equal(hostfs_cgroup_read(&fx->h, cg, "memory.high", &v, fx->err,
					    sizeof(fx->err)), 0);
	assert_string_equal(v.str, "max");
	assert_false(v.num[0]);
}

static void test_cgroup_v2_throttle(void **state)
{
	struct fx *fx = *state;
	struct hostfs_cpu_throttle t;

	assert_int_equal(hostfs_cpu_throttle_get(&fx->h, "/sys/fs/cgroup/app", &t, fx->err,
						 sizeof(fx->err)), 0);
	assert_int_equal(t.periods, 50);
	assert_int_equal(t.throttled_periods, 10);
	assert_int_equal(t.throttled_ns, 12345000);
	/* no bandwidth fields (cpu controller not enabled): a clear error */
	tfs_put(fx->root, "sys/fs/cgroup/app/cpu.stat", "usage_usec 1\nuser_usec 1\n");
	assert_int_equal(hostfs_cpu_throttle_get(&fx->h, "/sys/fs/cgroup/app", &t, fx->err,
						 sizeof(fx->err)), -1);
	assert_non_null(strstr(fx->err, "no nr_periods, nr_throttled and throttled_usec"));
}

static void test_cgroup_v1(void **state)
{
	struct fx *fx = *state;
	struct hostfs_cpu_quota q;
	struct hostfs_cpu_throttle t;
	struct hostfs_value v;
	const char *cg = "/sys/fs/cgroup/cpu/app";

	assert_int_equal(hostfs_cpu_quota_get(&fx->h, cg, &q, fx->err, sizeof(fx->err)), 0);
	assert_int_equal(q.version, HOSTFS_CG_V1);
	assert_true(q.unlimited);
	assert_int_equal(q.period_us, 100000);
	assert_int_equal(hostfs_cpu_quota_set(&fx->h, cg, 50000, fx->err, sizeof(fx->err)), 0);
	assert_string_equal(tfs_get(fx->root, "sys/fs/cgroup/cpu/app/cpu.cfs_quota_us"), "50000\n");
	assert_string_equal(tfs_get(fx->root, "sys/fs/cgroup/cpu/app/cpu.cfs_period_us"),
			    "100000\n");
	assert_int_equal(hostfs_cpu_quota_get(&fx->h, cg, &q, fx->err, sizeof(fx->err)), 0);
	assert_false(q.unlimited);
	assert_int_equal(q.quota_us, 50000);
	assert_int_equal(hostfs_cpu_quota_set(&fx->h, cg, -1, fx->err, sizeof(fx->err)), 0);
	assert_string_equal(tfs_get(fx->root, "sys/fs/cgroup/cpu/app/cpu.cfs_quota_us"), "-1\n");
	/* throttled_time is already in ns */
	assert_int_equal(hostfs_cpu_throttle_get(&fx->h, cg, &t, fx->err, sizeof(fx->err)), 0);
	assert_int_equal(t.periods, 70);
	assert_int_equal(t.throttled_periods, 7);
	assert_int_equal(t.throttled_ns, 5000000000LL);
	/* cpu.shares, memory files */
	assert_int_equal(hostfs_cgroup_write(&fx->h, cg, "cpu.shares", "2048", fx->err,
					     sizeof(fx->err)), 0);
	assert_string_equal(tfs_get(fx->root, "sys/fs/cgroup/cpu/app/cpu.shares"), "2048\n");
	assert_int_equal(hostfs_cgroup_read(&fx->h, "/sys/fs/cgroup/memory/app",
					    "memory.limit_in_bytes", &v, fx->err,
					    sizeof(fx->err)), 0);
	assert_int_equal(v.f[0], 9223372036854771712LL);
	assert_int_equal(hostfs_cgroup_write(&fx->h, "/sys/fs/cgroup/memory/app",
					     "memory.soft_limit_in_bytes", "1073741824", fx->err,
					     sizeof(fx->err)), 0);
	assert_string_equal(tfs_get(fx->root, "sys/fs/cgroup/memory/app/memory.soft_limit_in_bytes"),
			    "1073741824\n");
}

static void test_cgroup_missing(void **state)
{
	struct fx *fx = *state;
	struct hostfs_cpu_quota q;
	struct hostfs_value v;
	uint64_t id;

	assert_int_equal(hostfs_cgroup_read(&fx->h, "/sys/fs/cgroup/gone", "cpu.max", &v, fx->err,
					    sizeof(fx->err)), -1);
	assert_int_equal(errno, ENOENT);
	assert_string_equal(fx->err, "cgroup /sys/fs/cgroup/gone does not exist");
	assert_int_equal(hostfs_cgroup_id(&fx->h, "/sys/fs/cgroup/gone", &id, fx->err,
					  sizeof(fx->err)), -1);
	assert_int_equal(errno, ENOENT);
	/* the cgroup is there, the file not */
	assert_int_equal(hostfs_cgroup_read(&fx->h, "/sys/fs/cgroup/memory/app", "memory.high",
					    &v, fx->err, sizeof(fx->err)), -1);
	assert_non_null(strstr(fx->err, "cgroup /sys/fs/cgroup/memory/app has no memory.high"));
	assert_int_equal(hostfs_cgroup_write(&fx->h, "/sys/fs/cgroup/memory/app", "memory.high",
					     "1", fx->err, sizeof(fx->err)), -1);
	assert_false(tfs_exists(fx->root, "sys/fs/cgroup/memory/app/memory.high"));
	/* a memory cgroup has no CPU quota */
	assert_int_equal(hostfs_cpu_quota_get(&fx->h, "/sys/fs/cgroup/memory/app", &q, fx->err,
					      sizeof(fx->err)), -1);
	assert_non_null(strstr(fx->err, "no CPU bandwidth control"));
	/* paths must be absolute and clean, file names plain */
	assert_int_equal(hostfs_cgroup_read(&fx->h, "sys/fs/cgroup/app", "cpu.max", &v, fx->err,
					    sizeof(fx->err)), -1);
	assert_int_equal(hostfs_cgroup_read(&fx->h, "/sys/fs/cgroup/app/..", "cpu.max", &v,
					    fx->err, sizeof(fx->err)), -1);
	assert_int_equal(hostfs_cgroup_read(&fx->h, "/sys/fs/cgroup", "app/cpu.max", &v, fx->err,
					    sizeof(fx->err)), -1);
	assert_non_null(strstr(fx->err, "bad cgroup file name"));
}

static void test_cpu_max_garbage(void **state)
{
	struct fx *fx = *state;
	struct hostfs_cpu_quota q;

	tfs_put(fx->root, "sys/fs/cgroup/app/cpu.max", "lots\n");
	assert_int_equal(hostfs_cpu_quota_get(&fx->h, "/sys/fs/cgroup/app", &q, fx->err,
					      sizeof(fx->err)), -1);
	assert_non_null(strstr(fx->err, "cpu.max: unexpected content 'lots'"));
	tfs_put(fx->root, "sys/fs/cgroup/app/cpu.max", "maxi 100000\n");
	assert_int_equal(hostfs_cpu_quota_get(&fx->h, "/sys/fs/cgroup/app", &q, fx->err,
					      sizeof(fx->err)), -1);
}

/* ---- a real network namespace (root and ip netns only) ---- */

static char netns_name[64];

static int netns_teardown(void **state)
{
	char cmd[128];

	(void)state;
	if (netns_name[0]) {
		snprintf(cmd, sizeof(cmd), "ip netns del %s 2>/dev/null", netns_name);
		if (system(cmd)) {
			/* already gone */
		}
		netns_name[0] = 0;
	}
	return 0;
}

static uint64_t own_netns(void)
{
	struct stat st;

	assert_int_equal(stat("/proc/thread-self/ns/net", &st), 0);
	return st.st_ino;
}

static void test_netns_real(void **state)
{
	struct hostfs h;
	struct hostfs_value v, host_before, host_after;
	char cmd[256], err[512], out[64] = "", path[128];
	uint64_t mine = 0, id;
	FILE *p;

	(void)state;
	if (geteuid() != 0 || system("ip netns help >/dev/null 2>&1 </dev/null") == 127)
		skip();
	snprintf(netns_name, sizeof(netns_name), "pptest-%d", (int)getpid());
	snprintf(cmd, sizeof(cmd), "ip netns add %s 2>/dev/null", netns_name);
	if (system(cmd)) {
		netns_name[0] = 0;
		skip();
	}
	assert_int_equal(hostfs_init(&h, ""), 0);
	mine = own_netns();
	assert_int_equal(hostfs_sysctl_read(&h, NULL, "net.core.somaxconn", &host_before, err,
					    sizeof(err)), 0);
	assert_int_equal(hostfs_sysctl_read(&h, netns_name, "net.core.somaxconn", &v, err,
					    sizeof(err)), 0);
	/* a value neither the namespace nor the host has */
	assert_int_equal(hostfs_sysctl_write(&h, netns_name, "net.core.somaxconn",
					     v.f[0] == 1234 || host_before.f[0] == 1234 ? "1235"
										   : "1234",
					     err, sizeof(err)), 0);
	assert_int_equal(own_netns(), mine);
	assert_int_equal(hostfs_sysctl_read(&h, netns_name, "net.core.somaxconn", &v, err,
					    sizeof(err)), 0);
	assert_true(v.f[0] == 1234 || v.f[0] == 1235);
	assert_int_equal(hostfs_sysctl_read(&h, NULL, "net.core.somaxconn", &host_after, err,
					    sizeof(err)), 0);
	assert_string_equal(host_after.str, host_before.str);
	/* the namespace really has it, as seen by ip netns exec */
	snprintf(cmd, sizeof(cmd), "ip netns exec %s cat /proc/sys/net/core/somaxconn",
		 netns_name);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(out, sizeof(out), p));
	pclose(p);
	assert_int_equal(atoll(out), v.f[0]);
	/* by path, and its identity */
	snprintf(path, sizeof(path), "/var/run/netns/%s", netns_name);
	assert_int_equal(hostfs_sysctl_read(&h, path, "net.core.somaxconn", &v, err, sizeof(err)),
			 0);
	assert_int_equal(atoll(out), v.f[0]);
	assert_int_equal(hostfs_netns_id(&h, netns_name, &id, err, sizeof(err)), 0);
	assert_true(id != mine);
	/* a missing namespace: an error, and we are still at home */
	assert_int_equal(hostfs_sysctl_write(&h, "pptest-none-such", "net.core.somaxconn", "1",
					     err, sizeof(err)), -1);
	assert_int_equal(own_netns(), mine);
	assert_int_equal(hostfs_sysctl_read(&h, NULL, "net.core.somaxconn", &host_after, err,
					    sizeof(err)), 0);
	assert_string_equal(host_after.str, host_before.str);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_value_fields),
		cmocka_unit_test(test_value_equal),
		cmocka_unit_test_setup_teardown(test_sysctl_read_single_and_multi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sysctl_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sysctl_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sysctl_bad_names_and_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_hook_can_refuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_netns_fixture, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cgroup_v2_quota, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cgroup_v2_throttle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cgroup_v1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cgroup_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpu_max_garbage, setup, teardown),
		cmocka_unit_test_teardown(test_netns_real, netns_teardown),
	};

	return cmocka_run_group_tests_name("tune_hostfs", tests, NULL, NULL);
}
