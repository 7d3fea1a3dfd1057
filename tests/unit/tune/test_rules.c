// SPDX-License-Identifier: GPL-2.0
/* separate and together: the config's rules, their cpusets, the tuner on fixture trees. */
#define _GNU_SOURCE
#include "tunerfx.h"
#include "tune/change.h"
#include "tune/rules.h"
#include "tune/tuner.h"

static struct cpulist L(const char *s)
{
	struct cpulist c;

	assert_int_equal(cpulist_parse(s, &c), 0);
	return c;
}

static const char *S(const struct cpulist *c)
{
	static char buf[4][64];
	static int k;

	k = (k + 1) % 4;
	assert_int_equal(cpulist_format(c, buf[k], sizeof(buf[k])), 0);
	return buf[k];
}

static void test_separate(void **state)
{
	struct cpulist a = L("0-3"), b = L("2-7"), na, nb;

	(void)state;
	assert_int_equal(rules_separate(&a, &b, &na, &nb), 0);
	assert_string_equal(S(&na), "0-2");
	assert_string_equal(S(&nb), "3-7");
	a = L("0-1");
	b = L("0-1");
	assert_int_equal(rules_separate(&a, &b, &na, &nb), 0);
	assert_string_equal(S(&na), "0");
	assert_string_equal(S(&nb), "1");
	/* apart already: unchanged */
	a = L("0");
	b = L("1");
	assert_int_equal(rules_separate(&a, &b, &na, &nb), 0);
	assert_string_equal(S(&na), "0");
	assert_string_equal(S(&nb), "1");
	/* their only CPU: never left empty */
	a = L("0");
	b = L("0");
	assert_int_equal(rules_separate(&a, &b, &na, &nb), -1);
}

static void test_together(void **state)
{
	struct numa_topo t;
	struct cpulist a, b, nb;
	bool moved;
	int node;

	(void)state;
	memset(&t, 0, sizeof(t));
	t.nn = 2;
	t.n[0].id = 0;
	t.n[0].cpus = L("0-3");
	t.n[1].id = 1;
	t.n[1].cpus = L("4-7");
	a = L("0-2");
	b = L("2-5");
	assert_int_equal(rules_together(&t, &a, &b, &nb, &node, &moved), 0);
	assert_true(moved);
	assert_int_equal(node, 0);
	assert_string_equal(S(&nb), "2-3");
	b = L("6-7"); /* none on A's node: the node's CPUs */
	assert_int_equal(rules_together(&t, &a, &b, &nb, &node, &moved), 0);
	assert_string_equal(S(&nb), "0-3");
	b = L("1");
	assert_int_equal(rules_together(&t, &a, &b, &nb, &node, &moved), 0);
	assert_false(moved);
	t.nn = 0; /* no topology */
	assert_int_equal(rules_together(&t, &a, &b, &nb, &node, &moved), -1);
}

static const char *conf_err(const char *text)
{
	static char err[512];
	struct tune_config c;
	FILE *f = unit_text(text);
	int rc;

	config_defaults(&c);
	rc = config_parse(&c, f, "r.conf", err, sizeof(err));
	fclose(f);
	config_free(&c);
	return rc == CONFIG_OK ? "OK" : err;
}

static void test_config(void **state)
{
	struct tune_config c;
	char err[256];
	FILE *f;

	(void)state;
	assert_string_equal(conf_err("separate = /sys/fs/cgroup/cpuset/a /sys/fs/cgroup/cpuset/b\n"
				     "together = /sys/fs/cgroup/cpuset/a /sys/fs/cgroup/cpuset/c\n"), "OK");
	assert_string_equal(conf_err("separate = /a /b\ntogether = /b /a\n"),
			    "r.conf:2: together /b /a contradicts separate at line 1");
	assert_string_equal(conf_err("separate = /a\n"),
			    "r.conf:1: separate: give two cgroups, such as separate = "
			    "/sys/fs/cgroup/cpuset/a /sys/fs/cgroup/cpuset/b");
	assert_string_equal(conf_err("together = /a /b /c\n"),
			    "r.conf:1: together: give two cgroups, such as together = "
			    "/sys/fs/cgroup/cpuset/a /sys/fs/cgroup/cpuset/b");
	assert_string_equal(conf_err("separate = /a a\n"),
			    "r.conf:1: separate: 'a' is not a clean absolute path");
	assert_string_equal(conf_err("separate = /a /a\n"), "r.conf:1: separate: /a and itself");
	config_defaults(&c);
	f = unit_text("separate = /x/a /x/b\n");
	assert_int_equal(config_parse(&c, f, "r.conf", err, sizeof(err)), CONFIG_OK);
	fclose(f);
	assert_int_equal(c.nrules, 1);
	assert_int_equal(c.rules[0].kind, RULE_SEPARATE);
	assert_int_equal(c.rules[0].line, 1);
	assert_true(config_rule_cgroup(&c, "/x/b"));
	assert_false(config_rule_cgroup(&c, "/x"));
	config_free(&c);
}

/* The tuner: two v1 cpusets sharing both CPUs are split, verified, kept. */
static void test_tuner_separate(void **state)
{
	struct tfx fx;
	int64_t id;
	size_t n;

	(void)state;
	tfx_setup(&fx, "rules", tuner_cpuset_rules);
	tfs_put(fx.root, "sys/fs/cgroup/cpuset/cgroup.procs", "1\n");
	tfs_put(fx.root, "sys/fs/cgroup/cpuset/web/cpuset.cpus", "0-1\n");
	tfs_put(fx.root, "sys/fs/cgroup/cpuset/batch/cpuset.cpus", "0-1\n");
	tfx_config(&fx, "separate = /sys/fs/cgroup/cpuset/web /sys/fs/cgroup/cpuset/batch\n");
	TFX_OBSERVE(&fx);
	n = tfx_propose(&fx);
	assert_int_equal(n, 2);
	assert_string_equal(fx.p[0].cgroup, "/sys/fs/cgroup/cpuset/web");
	assert_string_equal(fx.p[0].proposed, "0");
	assert_string_equal(fx.p[1].proposed, "1");
	assert_dbl_eq(fx.p[0].metric_value, 2);
	if (!strstr(fx.p[0].evidence, "test.conf:1: separate /sys/fs/cgroup/cpuset/web "
		    "/sys/fs/cgroup/cpuset/batch: 2 CPUs shared"))
		fail_msg("%s", fx.p[0].evidence);
	/* the rule's cgroups may change though no cgroup = names them */
	id = tfx_apply(&fx, &fx.p[0]);
	tfx_apply(&fx, &fx.p[1]);
	assert_true(id > 0);
	assert_string_equal(tfs_get(fx.root, "sys/fs/cgroup/cpuset/web/cpuset.cpus"), "0\n");
	assert_string_equal(tfs_get(fx.root, "sys/fs/cgroup/cpuset/batch/cpuset.cpus"), "1\n");
	TFX_OBSERVE(&fx);
	assert_dbl_eq(fx.t.measure(&fx.t, &fx.c, &fx.p[0]), 0);
	assert_int_equal(tfx_propose(&fx), 0);
	/* the admin puts batch back on both: the rule is checked each interval */
	tfs_put(fx.root, "sys/fs/cgroup/cpuset/batch/cpuset.cpus", "0-1\n");
	TFX_OBSERVE(&fx);
	assert_int_equal(tfx_propose(&fx), 1);
	/* a rule's cgroup that vanishes stops the tuner with one line */
	{
		char dir[PATH_MAX + 32];

		snprintf(dir, sizeof(dir), "%s/sys/fs/cgroup/cpuset/batch", fx.root);
		tfs_rmroot(dir);
	}
	assert_int_equal(tfx_observe(&fx), -1);
	tfx_one_line(fx.err, "/sys/fs/cgroup/cpuset/batch");
	tfx_teardown(&fx);
}

/* v2: an empty cpuset.cpus is its parent's CPUs (cpuset.cpus.effective). */
static void test_tuner_v2_together(void **state)
{
	struct tfx fx;
	size_t n;

	(void)state;
	tfx_setup(&fx, "rules2", tuner_cpuset_rules);
	tfs_put(fx.root, "sys/devices/system/node/online", "0-1\n");
	tfs_put(fx.root, "sys/devices/system/node/node0/cpulist", "0-3\n");
	tfs_put(fx.root, "sys/devices/system/node/node0/meminfo",
		"Node 0 MemTotal: 1000 kB\nNode 0 MemFree: 500 kB\n");
	tfs_put(fx.root, "sys/devices/system/node/node0/distance", "10 21\n");
	tfs_put(fx.root, "sys/devices/system/node/node1/cpulist", "4-7\n");
	tfs_put(fx.root, "sys/devices/system/node/node1/meminfo",
		"Node 1 MemTotal: 1000 kB\nNode 1 MemFree: 500 kB\n");
	tfs_put(fx.root, "sys/devices/system/node/node1/distance", "21 10\n");
	tfs_put(fx.root, "sys/fs/cgroup/a/cpuset.cpus", "0-2\n");
	tfs_put(fx.root, "sys/fs/cgroup/b/cpuset.cpus", "\n");
	tfs_put(fx.root, "sys/fs/cgroup/b/cpuset.cpus.effective", "0-7\n");
	tfs_put(fx.root, "sys/fs/cgroup/b/cpuset.mems", "\n");
	tfx_config(&fx, "together = /sys/fs/cgroup/a /sys/fs/cgroup/b\n");
	TFX_OBSERVE(&fx);
	n = tfx_propose(&fx);
	assert_int_equal(n, 2);
	assert_string_equal(fx.p[0].tunable, "cpuset.cpus");
	assert_string_equal(fx.p[0].current, "0-7");
	assert_string_equal(fx.p[0].proposed, "0-3");
	assert_dbl_eq(fx.p[0].metric_value, 4);
	assert_string_equal(fx.p[1].tunable, "cpuset.mems");
	assert_string_equal(fx.p[1].proposed, "0");
	tfx_apply(&fx, &fx.p[0]);
	tfx_apply(&fx, &fx.p[1]);
	assert_string_equal(tfs_get(fx.root, "sys/fs/cgroup/b/cpuset.cpus"), "0-3\n");
	assert_string_equal(tfs_get(fx.root, "sys/fs/cgroup/b/cpuset.mems"), "0\n");
	TFX_OBSERVE(&fx);
	assert_int_equal(tfx_propose(&fx), 0);
	tfx_teardown(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_separate),
		cmocka_unit_test(test_together),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_tuner_separate),
		cmocka_unit_test(test_tuner_v2_together),
	};

	return cmocka_run_group_tests_name("tune_rules", tests, NULL, NULL);
}
