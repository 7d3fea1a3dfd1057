// SPDX-License-Identifier: GPL-2.0
/* NUMA topology and numad-style advice on fixture trees of one, two and four nodes. */
#define _GNU_SOURCE
#include "tunefs.h"
#include "tune/numa.h"

struct fx {
	char root[PATH_MAX];
	struct hostfs h;
	char err[512];
};

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	tfs_mkroot(fx->root, sizeof(fx->root), "numa");
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

/* node ID with these CPUs, total and free kB and distance row */
static void node(struct fx *fx, int id, const char *cpus, long long total, long long free_kb,
		 const char *dist)
{
	char rel[96], text[512];

	snprintf(rel, sizeof(rel), "sys/devices/system/node/node%d/cpulist", id);
	snprintf(text, sizeof(text), "%s\n", cpus);
	tfs_put(fx->root, rel, text);
	snprintf(rel, sizeof(rel), "sys/devices/system/node/node%d/meminfo", id);
	snprintf(text, sizeof(text), "Node %d MemTotal:       %lld kB\nNode %d MemFree:        %lld kB\n"
		 "Node %d MemUsed:        %lld kB\n", id, total, id, free_kb, id, total - free_kb);
	tfs_put(fx->root, rel, text);
	snprintf(rel, sizeof(rel), "sys/devices/system/node/node%d/distance", id);
	snprintf(text, sizeof(text), "%s\n", dist);
	tfs_put(fx->root, rel, text);
}

static void two_nodes(struct fx *fx)
{
	tfs_put(fx->root, "sys/devices/system/node/online", "0-1\n");
	node(fx, 0, "0-3", 16000000, 8000000, "10 21");
	node(fx, 1, "4-7", 16000000, 12000000, "21 10");
}

static void four_nodes(struct fx *fx, long long free3)
{
	tfs_put(fx->root, "sys/devices/system/node/online", "0-3\n");
	node(fx, 0, "0-7", 32000000, 1000000, "10 16 16 32");
	node(fx, 1, "8-15", 32000000, 20000000, "16 10 32 16");
	node(fx, 2, "", 64000000, 60000000, "16 32 10 16");  /* memory only */
	node(fx, 3, "16-23", 32000000, free3, "32 16 16 10");
}

static void maps(struct fx *fx, int pid, const char *text)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "proc/%d/numa_maps", pid);
	tfs_put(fx->root, rel, text);
}

static void advise(struct fx *fx, int pid, const char *cpus, struct numa_advice *a)
{
	struct numa_topo t;
	int64_t pages[NUMA_MAX_NODES];
	struct cpulist cl;

	assert_int_equal(numa_read(&fx->h, &t, fx->err, sizeof(fx->err)), 0);
	assert_int_equal(numa_proc_pages(&fx->h, pid, pages, fx->err, sizeof(fx->err)), 0);
	assert_int_equal(cpulist_parse(cpus, &cl), 0);
	numa_advise(&t, pages, &cl, 4, a);
}

static void test_topology(void **state)
{
	struct fx *fx = *state;
	struct numa_topo t;
	const struct numa_node *n;
	char buf[64];

	four_nodes(fx, 30000000);
	assert_int_equal(numa_read(&fx->h, &t, fx->err, sizeof(fx->err)), 0);
	assert_int_equal(t.nn, 4);
	n = numa_node(&t, 1);
	assert_non_null(n);
	assert_int_equal(cpulist_format(&n->cpus, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "8-15");
	assert_int_equal(n->total_kb, 32000000);
	assert_int_equal(n->free_kb, 20000000);
	assert_int_equal(n->dist[0], 16);
	assert_int_equal(n->dist[1], 10);
	assert_int_equal(n->dist[2], 32);
	assert_int_equal(cpulist_count(&numa_node(&t, 2)->cpus), 0);
	assert_null(numa_node(&t, 4));
	/* no NUMA at all: no node */
	{
		char dir[PATH_MAX + 32];

		snprintf(dir, sizeof(dir), "%s/sys", fx->root);
		tfs_rmroot(dir);
	}
	assert_int_equal(numa_read(&fx->h, &t, fx->err, sizeof(fx->err)), 0);
	assert_int_equal(t.nn, 0);
	/* a malformed file is an error naming it */
	tfs_put(fx->root, "sys/devices/system/node/online", "0\n");
	node(fx, 0, "0-1", 100, 50, "10 x");
	assert_int_equal(numa_read(&fx->h, &t, fx->err, sizeof(fx->err)), -1);
	if (!strstr(fx->err, "node0/distance: 'x' is not a distance"))
		fail_msg("%s", fx->err);
}

static void test_two_nodes(void **state)
{
	struct fx *fx = *state;
	struct numa_advice a;

	two_nodes(fx);
	/* 90 % on node 1, running on node 0: move to node 1 */
	maps(fx, 100, "7f0000000000 default anon=9000 dirty=9000 N0=1000 N1=9000 kernelpagesize_kB=4\n"
		      "55f4647b8000 default file=/usr/bin/app mapped=2 N0=2 kernelpagesize_kB=4\n");
	advise(fx, 100, "0-3", &a);
	assert_true(a.move);
	assert_int_equal(a.cpu_node, 0);
	assert_int_equal(a.mem_node, 1);
	assert_int_equal(a.distance, 21);
	assert_string_equal(a.cpus, "4-7");
	assert_string_equal(a.mems, "1");
	assert_dbl_near(a.mem_share, 9000.0 / 10002, 1e-9);
	assert_string_equal(a.why, "90% of its memory is on node 1 but it runs on node 0 "
			    "(distance 21, local 10): move it to node 1 (CPUs 4-7)");
	/* already where its memory is */
	advise(fx, 100, "4-7", &a);
	assert_false(a.move);
	assert_string_equal(a.why, "90% of its memory is on node 1, where it runs");
	/* spread half and half */
	maps(fx, 101, "7f0000000000 default anon=2000 N0=1000 N1=1000 kernelpagesize_kB=4\n");
	advise(fx, 101, "4-7", &a);
	assert_false(a.move);
	assert_string_equal(a.why, "its memory is spread: at most 50% on one node (node 0)");
	/* too little to tell */
	maps(fx, 102, "7f0000000000 default anon=20 N1=20 kernelpagesize_kB=4\n");
	advise(fx, 102, "0-3", &a);
	assert_false(a.move);
}

static void test_four_nodes(void **state)
{
	struct fx *fx = *state;
	struct numa_advice a;

	/* mostly on node 3, running on node 0 (two hops: 32) */
	four_nodes(fx, 30000000);
	maps(fx, 200, "7f0000000000 default anon=100000 N0=10000 N3=80000 N1=10000 "
		      "kernelpagesize_kB=4\n");
	advise(fx, 200, "0-7", &a);
	assert_true(a.move);
	assert_int_equal(a.distance, 32);
	assert_string_equal(a.cpus, "16-23");
	assert_string_equal(a.mems, "3");
	/* node 3 without room for the rest (80 MB elsewhere, 50 MB free): no */
	four_nodes(fx, 50000);
	advise(fx, 200, "0-7", &a);
	assert_false(a.move);
	if (!strstr(a.why, "has 50000 kB free, less than the 80000 kB on other nodes"))
		fail_msg("%s", a.why);
	/* mostly on the memory-only node 2: nowhere to run there */
	maps(fx, 201, "7f0000000000 default anon=100000 N2=90000 N0=10000 kernelpagesize_kB=4\n");
	advise(fx, 201, "0-7", &a);
	assert_false(a.move);
	assert_string_equal(a.why, "node 2, which holds 90% of its memory, has no CPU");
	/* its CPUs across nodes 0 and 1, most on node 1: that is its CPU node */
	maps(fx, 202, "7f0000000000 default anon=100000 N1=95000 N0=5000 kernelpagesize_kB=4\n");
	advise(fx, 202, "6-15", &a);
	assert_int_equal(a.cpu_node, 1);
	assert_false(a.move);
}

static void test_balancing(void **state)
{
	struct fx *fx = *state;
	struct numa_balancing b;

	tfs_put(fx->root, "proc/400/sched",
		"app (400, #threads: 1)\n-------------------\nse.exec_start  :  123.4\n"
		"mm->numa_scan_seq                            :                    3\n"
		"numa_pages_migrated                          :                  512\n"
		"numa_preferred_nid                           :                    1\n"
		"total_numa_faults                            :                 2048\n"
		"current_node=0, numa_group_id=0\n");
	assert_int_equal(numa_proc_balancing(&fx->h, 400, &b, fx->err, sizeof(fx->err)), 0);
	assert_int_equal(b.preferred_nid, 1);
	assert_int_equal(b.pages_migrated, 512);
	assert_int_equal(b.faults, 2048);
	/* no preference yet */
	tfs_put(fx->root, "proc/401/sched", "numa_preferred_nid : -1\n");
	assert_int_equal(numa_proc_balancing(&fx->h, 401, &b, fx->err, sizeof(fx->err)), 0);
	assert_int_equal(b.preferred_nid, -1);
	/* a kernel without NUMA balancing */
	tfs_put(fx->root, "proc/402/sched", "se.exec_start : 1.0\n");
	assert_int_equal(numa_proc_balancing(&fx->h, 402, &b, fx->err, sizeof(fx->err)), -1);
}

static void test_one_node(void **state)
{
	struct fx *fx = *state;
	struct numa_advice a;

	tfs_put(fx->root, "sys/devices/system/node/online", "0\n");
	node(fx, 0, "0-1", 24000000, 23000000, "10");
	maps(fx, 300, "7f0000000000 default anon=100000 N0=100000 kernelpagesize_kB=4\n");
	advise(fx, 300, "0-1", &a);
	assert_false(a.move);
	assert_string_equal(a.why, "one NUMA node: nothing to move");
}

/* Counts near the int64 limit (a damaged or hostile numa_maps) saturate
 * instead of wrapping (fuzz_numa_maps found the overflow), and the advice
 * stays sane. */
static void test_huge_counts(void **state)
{
	int64_t pages[NUMA_MAX_NODES];
	struct numa_topo t;
	struct numa_advice a;
	struct cpulist cpus;
	int i;

	(void)state;
	numa_parse_pages("7f00 default anon=1 N0=9223372036854775807 kernelpagesize_kB=4\n"
			 "7f10 default anon=1 N0=2 N1=9223372036854775807 N2=x N-1=5 N64=9\n", pages);
	assert_true(pages[0] == INT64_MAX);
	assert_true(pages[1] == INT64_MAX);
	for (i = 2; i < NUMA_MAX_NODES; i++)
		assert_int_equal(pages[i], 0);
	memset(&t, 0, sizeof(t));
	t.nn = 2;
	for (i = 0; i < 2; i++) {
		t.n[i].id = i;
		cpulist_set(&t.n[i].cpus, i);
		t.n[i].free_kb = 1 << 20;
		t.n[i].dist[0] = t.n[i].dist[1] = 20;
		t.n[i].dist[i] = 10;
	}
	cpulist_clear(&cpus);
	cpulist_set(&cpus, 0);
	numa_advise(&t, pages, &cpus, 4, &a);
	assert_false(a.move); /* the total saturates: node 0, where it runs */
	assert_true(a.mem_share >= 0 && a.mem_share <= 1);
	/* most on node 1, and so much on node 0 that its kB would overflow:
	 * node 1 lacks the free memory for the rest */
	pages[0] = INT64_MAX / 4;
	pages[1] = INT64_MAX / 2;
	numa_advise(&t, pages, &cpus, 64, &a); /* 64 kB pages */
	assert_false(a.move);
	if (!strstr(a.why, "has 1048576 kB free, less than the 9223372036854775807 kB"))
		fail_msg("why: %s", a.why);
	pages[0] = 1000; /* a little on node 0: move to node 1 */
	numa_advise(&t, pages, &cpus, 4, &a);
	assert_true(a.move);
	assert_int_equal(a.mem_node, 1);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_topology),
		T(test_two_nodes),
		T(test_four_nodes),
		T(test_balancing),
		T(test_one_node),
		cmocka_unit_test(test_huge_counts),
	};

	return cmocka_run_group_tests_name("tune_numa", tests, NULL, NULL);
}
