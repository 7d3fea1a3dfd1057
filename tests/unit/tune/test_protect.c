// SPDX-License-Identifier: GPL-2.0
/* The protect tuner on a fixture tree with a fake scheduler: culprits, levers in order. */
#define _GNU_SOURCE
#include "tunerfx.h"
#include "collect/proc_sample.h"
#include "tune/change.h"
#include "tune/tuner.h"

#define LAT 3000

struct fake_sched {
	struct proc_sample s[16];
	size_t n;
	int ticks;
};

static int fake_tick(void *arg, struct proc_sample **out, size_t *n)
{
	struct fake_sched *f = arg;

	f->ticks++;
	*out = malloc(sizeof(f->s));
	memcpy(*out, f->s, sizeof(f->s));
	*n = f->n;
	return 0;
}

struct pfx {
	struct tfx t;
	struct fake_sched f;
	struct tune_sched src;
	const char *protect[1];
};

/* One process's interval: its CPU and (the protected) its waits in one log2 slot. */
static void sample(struct fake_sched *f, int pid, const char *comm, double cpus, int waits,
		   int slot, bool kthread)
{
	struct proc_sample *s = &f->s[f->n++];

	memset(s, 0, sizeof(*s));
	s->pid = (uint32_t)pid;
	snprintf(s->comm, sizeof(s->comm), "%s", comm);
	s->oncpu_ns = (uint64_t)(cpus * 1e9);
	s->kthread = kthread;
	if (waits)
		s->runq_hist[slot] = (uint32_t)waits;
}

/* The protected lat waits 8-16 ms; hogs beside it and in a batch cgroup. */
static void host(struct pfx *px, int lat_slot)
{
	const char *r = px->t.root;

	tfs_put(r, "sys/fs/cgroup/cpu/cgroup.procs", "1\n");
	tfs_put(r, "sys/fs/cgroup/cpu/app/cgroup.procs", "3000\n4000\n4100\n6000\n");
	tfs_put(r, "sys/fs/cgroup/cpu/batch/cgroup.procs", "5000\n");
	tfs_put(r, "sys/fs/cgroup/cpu/batch/cpu.shares", "1024\n");
	tfs_put(r, "sys/fs/cgroup/cpuset/cgroup.procs", "1\n");
	tfs_put(r, "sys/fs/cgroup/cpuset/cpuset.cpus", "0-1\n");
	tfs_put(r, "sys/fs/cgroup/cpuset/app/cpuset.cpus", "0-1\n");
	tfs_put(r, "sys/fs/cgroup/cpuset/batch/cpuset.cpus", "0-1\n");
	tfs_put(r, "sys/fs/cgroup/cpuset/batch/cgroup.procs", "5000\n");
	tfs_proc(r, LAT, "lat", 100, 0x400000, 0, 1, "0", "0-1", "/app");
	tfs_proc(r, 4000, "hog", 200, 0x400000, 0, 3, "0", "0-1", "/app");
	tfs_proc(r, 4100, "hog", 210, 0x400000, 0, 1, "0", "0-1", "/app");
	tfs_proc(r, 5000, "batch", 300, 0x400000, 0, 1, "0", "0-1", "/batch");
	tfs_proc(r, 6000, "pinned", 400, 0x400000, 0, 1, "0", "0", "/app");
	tfs_proc(r, 7000, "elsewhere", 500, 0x400000, 0, 1, "0", "5", "/app");
	tfs_proc(r, 1, "init", 1, 0x400100, 0, 1, "0", "0-1", "/");
	tfs_proc(r, 9, "ksoftirqd/0", 2, 0x208040, 0, 1, "0", "0", "/");
	px->f.n = 0;
	sample(&px->f, LAT, "lat", 0.3, 300, lat_slot, false);
	sample(&px->f, 4000, "hog", 0.5, 0, 0, false);
	sample(&px->f, 4100, "hog", 0.4, 0, 0, false);
	sample(&px->f, 5000, "batch", 0.3, 0, 0, false);
	sample(&px->f, 6000, "pinned", 0.2, 0, 0, false);
	sample(&px->f, 7000, "elsewhere", 0.9, 0, 0, false);  /* not on its CPUs */
	sample(&px->f, 8000, "idle", 0.01, 0, 0, false);      /* too little CPU */
	sample(&px->f, 1, "init", 0.3, 0, 0, false);
	sample(&px->f, 9, "ksoftirqd/0", 0.3, 0, 0, true);
}

static int setup(void **state)
{
	struct pfx *px = calloc(1, sizeof(*px));

	if (!px)
		return -1;
	tfx_setup(&px->t, "protect", tuner_protect);
	host(px, 14);
	px->src.tick = fake_tick;
	px->src.arg = &px->f;
	px->protect[0] = "3000";
	px->t.c.protect = px->protect;
	px->t.c.nprotect = 1;
	px->t.c.sched = &px->src;
	assert_int_equal(config_add_cgroup(&px->t.cfg, "/sys/fs/cgroup", px->t.err,
					   sizeof(px->t.err)), 0);
	*state = px;
	return 0;
}

static int teardown(void **state)
{
	struct pfx *px = *state;

	tfx_teardown(&px->t);
	free(px);
	return 0;
}

static const struct proposal *find(struct tfx *fx, size_t n, const char *tunable, int pid,
				   const char *cg)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(fx->p[i].tunable, tunable) && fx->p[i].pid == pid &&
		    (!cg || !strcmp(fx->p[i].cgroup, cg)))
			return &fx->p[i];
	return NULL;
}

static void settle_all(struct tfx *fx, enum journal_state st)
{
	size_t i;

	for (i = 0; i < fx->j.n; i++)
		if (fx->j.e[i].state == JS_APPLIED)
			assert_int_equal(journal_update(&fx->j, fx->j.e[i].id, st, NULL, fx->err,
							sizeof(fx->err)), 0);
}

static void test_levers_in_order(void **state)
{
	struct pfx *px = *state;
	struct tfx *fx = &px->t;
	const struct proposal *p;
	size_t n, i;

	TFX_OBSERVE(fx);
	n = tfx_propose(fx);
	/* step 1: nice 19 beside it, the batch cgroup's weight to its min */
	assert_int_equal(n, 4);
	p = find(fx, n, "nice", 4000, NULL);
	assert_non_null(p);
	assert_string_equal(p->current, "0");
	assert_string_equal(p->proposed, "19");
	assert_int_equal(p->start, 200);
	assert_string_equal(p->metric, "protected_runq_p99_us");
	assert_true(p->lower_is_better);
	assert_true(p->metric_value > 8000 && p->metric_value < 16384);
	if (!strstr(p->evidence, "p99 run-queue wait of pid 3000 (lat)") ||
	    !strstr(p->evidence, "hog (pid 4000) used 0.50 CPU"))
		fail_msg("evidence: %s", p->evidence);
	assert_non_null(find(fx, n, "nice", 4100, NULL));
	assert_non_null(find(fx, n, "nice", 6000, NULL));
	p = find(fx, n, "cpu.shares", 0, "/sys/fs/cgroup/cpu/batch");
	assert_non_null(p);
	assert_string_equal(p->current, "1024");
	assert_string_equal(p->proposed, "256");
	if (!strstr(p->evidence, "while batch (pid 5000) used 0.30 CPU on its CPUs"))
		fail_msg("evidence: %s", p->evidence);
	for (i = 0; i < n; i++)
		tfx_apply(fx, &fx->p[i]);
	assert_string_equal(tfs_get(fx->root, "proc/4000/task/4002/nice"), "19\n");
	assert_string_equal(tfs_get(fx->root, "sys/fs/cgroup/cpu/batch/cpu.shares"), "256\n");
	/* nothing more while they are verified */
	TFX_OBSERVE(fx);
	assert_int_equal(tfx_propose(fx), 0);
	/* kept, the p99 still high: step 2, the culprits off CPU 1 */
	settle_all(fx, JS_KEPT);
	TFX_OBSERVE(fx);
	n = tfx_propose(fx);
	assert_int_equal(n, 3);
	p = find(fx, n, "affinity", 4000, NULL);
	assert_non_null(p);
	assert_string_equal(p->current, "0-1");
	assert_string_equal(p->proposed, "0");
	assert_int_equal(p->priority, 2);
	assert_non_null(find(fx, n, "affinity", 4100, NULL));
	assert_null(find(fx, n, "affinity", 6000, NULL)); /* already off CPU 1 */
	p = find(fx, n, "cpuset.cpus", 0, "/sys/fs/cgroup/cpuset/batch");
	assert_non_null(p);
	assert_string_equal(p->proposed, "0");
	for (i = 0; i < n; i++)
		tfx_apply(fx, &fx->p[i]);
	assert_string_equal(tfs_get(fx->root, "proc/4000/task/4001/affinity"), "0\n");
	assert_string_equal(tfs_get(fx->root, "sys/fs/cgroup/cpuset/batch/cpuset.cpus"), "0\n");
	settle_all(fx, JS_ROLLED_BACK);
	/* every lever tried: nothing more */
	TFX_OBSERVE(fx);
	assert_int_equal(tfx_propose(fx), 0);
}

/* only processes and cgroups change_apply would let it change are culprits */
static void test_scope(void **state)
{
	struct pfx *px = *state;
	struct tfx *fx = &px->t;
	size_t n;

	config_free(&fx->cfg);
	config_defaults(&fx->cfg);
	fx->cfg.cooldown_s = 0;
	assert_int_equal(config_add_cgroup(&fx->cfg, "/sys/fs/cgroup/cpu/app", fx->err,
					   sizeof(fx->err)), 0);
	TFX_OBSERVE(fx);
	n = tfx_propose(fx);
	assert_int_equal(n, 3);
	assert_non_null(find(fx, n, "nice", 4000, NULL));
	assert_null(find(fx, n, "cpu.shares", 0, NULL)); /* root's batch is out of scope */
}

/* two nodes, its memory on node 1, its CPUs both: advice; numa = apply: its cpuset moves */
static void numa_host(struct tfx *fx)
{
	const char *r = fx->root;

	tfs_put(r, "sys/devices/system/node/online", "0-1\n");
	tfs_put(r, "sys/devices/system/node/node0/cpulist", "0\n");
	tfs_put(r, "sys/devices/system/node/node0/meminfo",
		"Node 0 MemTotal: 8000000 kB\nNode 0 MemFree: 4000000 kB\n");
	tfs_put(r, "sys/devices/system/node/node0/distance", "10 21\n");
	tfs_put(r, "sys/devices/system/node/node1/cpulist", "1\n");
	tfs_put(r, "sys/devices/system/node/node1/meminfo",
		"Node 1 MemTotal: 8000000 kB\nNode 1 MemFree: 4000000 kB\n");
	tfs_put(r, "sys/devices/system/node/node1/distance", "21 10\n");
	tfs_put(r, "sys/fs/cgroup/cpuset/app/cpuset.mems", "0-1\n");
	tfs_put(r, "proc/3000/numa_maps",
		"7f0000000000 default anon=9000 dirty=9000 N0=1000 N1=9000 kernelpagesize_kB=4\n");
}

static void test_numa(void **state)
{
	struct pfx *px = *state;
	struct tfx *fx = &px->t;
	const struct proposal *p;
	size_t n;

	numa_host(fx);
	fx->cfg.numa_apply = true;
	TFX_OBSERVE(fx);
	n = tfx_propose(fx);
	assert_int_equal(n, 2);
	p = find(fx, n, "cpuset.cpus", 0, "/sys/fs/cgroup/cpuset/app");
	assert_non_null(p);
	assert_string_equal(p->current, "0-1");
	assert_string_equal(p->proposed, "1");
	assert_string_equal(p->metric, "protected_remote_memory_share");
	assert_dbl_near(p->metric_value, 0.9, 1e-9);
	if (!strstr(p->evidence, "90% of its memory is on node 1 but it runs on node 0"))
		fail_msg("%s", p->evidence);
	p = find(fx, n, "cpuset.mems", 0, "/sys/fs/cgroup/cpuset/app");
	assert_non_null(p);
	assert_string_equal(p->proposed, "1");
	tfx_apply(fx, &fx->p[0]);
	tfx_apply(fx, &fx->p[1]);
	assert_string_equal(tfs_get(fx->root, "sys/fs/cgroup/cpuset/app/cpuset.mems"), "1\n");
	/* its CPUs follow the cpuset: the remote share is what is verified */
	tfs_put(fx->root, "proc/3000/task/3000/affinity", "1\n");
	TFX_OBSERVE(fx);
	assert_dbl_near(fx->t.measure(&fx->t, &fx->c, p), 0.1, 1e-9);
}

static void test_numa_advice_only(void **state)
{
	struct pfx *px = *state;
	struct tfx *fx = &px->t;
	size_t n;

	numa_host(fx); /* numa = advise (the default): the levers, no cpuset move */
	TFX_OBSERVE(fx);
	n = tfx_propose(fx);
	assert_int_equal(n, 4);
	assert_null(find(fx, n, "cpuset.mems", 0, NULL));
}

static void test_quiet_nothing(void **state)
{
	struct pfx *px = *state;
	struct tfx *fx = &px->t;

	host(px, 8); /* waits of 128-256 us: below 1 ms */
	TFX_OBSERVE(fx);
	assert_int_equal(tfx_propose(fx), 0);
	/* too few waits for a p99 */
	px->f.s[0].runq_hist[8] = 0;
	px->f.s[0].runq_hist[14] = 3;
	TFX_OBSERVE(fx);
	TFX_OBSERVE(fx);
	TFX_OBSERVE(fx);
	TFX_OBSERVE(fx);
	TFX_OBSERVE(fx);
	assert_int_equal(tfx_propose(fx), 0);
	assert_true(isnan(fx->t.measure(&fx->t, &fx->c, NULL)));
}

static void test_protected_exits(void **state)
{
	struct pfx *px = *state;
	struct tfx *fx = &px->t;
	char dir[PATH_MAX + 16];

	TFX_OBSERVE(fx);
	snprintf(dir, sizeof(dir), "%s/proc/3000", fx->root);
	tfs_rmroot(dir);
	assert_int_equal(tfx_observe(fx), -1);
	assert_string_equal(fx->err, "the protected pid 3000 (lat) exited");
}

static void test_protected_pid_reused(void **state)
{
	struct pfx *px = *state;
	struct tfx *fx = &px->t;

	TFX_OBSERVE(fx);
	tfs_proc(fx->root, LAT, "other", 999, 0x400000, 0, 1, "0", "0-1", "/app");
	assert_int_equal(tfx_observe(fx), -1);
	tfx_one_line(fx->err, "exited");
}

static void test_protected_cgroup_vanishes(void **state)
{
	struct pfx *px = *state;
	struct tfx *fx = &px->t;
	const struct proposal *p;
	char dir[PATH_MAX + 32];
	size_t n;

	px->protect[0] = "/sys/fs/cgroup/cpu/app"; /* 3000, 4000, 4100 and 6000 */
	TFX_OBSERVE(fx);
	n = tfx_propose(fx);
	/* its own processes are no culprits; those elsewhere are */
	assert_null(find(fx, n, "nice", 4000, NULL));
	p = find(fx, n, "cpu.shares", 0, "/sys/fs/cgroup/cpu/batch");
	assert_non_null(p);
	if (!strstr(p->evidence, "cgroup /sys/fs/cgroup/cpu/app"))
		fail_msg("evidence: %s", p->evidence);
	snprintf(dir, sizeof(dir), "%s/sys/fs/cgroup/cpu/app", fx->root);
	tfs_rmroot(dir);
	assert_int_equal(tfx_observe(fx), -1);
	tfx_one_line(fx->err, "the protected cgroup is gone");
}

/* A protected cgroup empty when the tuner starts: nothing to measure; once
 * processes join it, they are protected (their waits measured, their
 * cgroup known) and the weight lever comes: the min share for the
 * culprits' cgroups elsewhere. */
static void test_empty_cgroup_joined(void **state)
{
	struct pfx *px = *state;
	struct tfx *fx = &px->t;
	const struct proposal *p;
	size_t n, i;

	tfs_put(fx->root, "sys/fs/cgroup/cpu/svc/cgroup.procs", "");
	tfs_put(fx->root, "sys/fs/cgroup/cpu/app/cpu.shares", "1024\n");
	tfs_put(fx->root, "sys/fs/cgroup/cpuset/svc/cpuset.cpus", "0-1\n");
	px->protect[0] = "/sys/fs/cgroup/cpu/svc";
	/* the process that will join, already running elsewhere: its own
	 * waits are high, but it is not protected yet */
	tfs_proc(fx->root, 3500, "svc", 150, 0x400000, 0, 1, "0", "0-1", "/");
	tfs_proc(fx->root, 3600, "svchog", 160, 0x400000, 1000, 1, "0", "0-1", "/svc");
	px->f.s[0].pid = 3500;
	snprintf(px->f.s[0].comm, sizeof(px->f.s[0].comm), "svc");
	sample(&px->f, 3600, "svchog", 0.5, 0, 0, false);
	for (i = 0; i < 3; i++)
		TFX_OBSERVE(fx);
	assert_int_equal(tfx_propose(fx), 0);
	assert_true(isnan(fx->t.measure(&fx->t, &fx->c, NULL)));
	/* it joins, with a busy process of its own (protected too) */
	tfs_put(fx->root, "sys/fs/cgroup/cpu/svc/cgroup.procs", "3500\n3600\n");
	tfs_proc(fx->root, 3500, "svc", 150, 0x400000, 0, 1, "0", "0-1", "/svc");
	TFX_OBSERVE(fx);
	assert_true(fx->t.measure(&fx->t, &fx->c, NULL) > 8000);
	n = tfx_propose(fx);
	for (i = 0; i < n; i++)
		if (fx->p[i].pid == 3500)
			fail_msg("the protected process is a culprit: %s", fx->p[i].tunable);
	/* processes in the other cgroups: their cgroups' shares */
	p = find(fx, n, "cpu.shares", 0, "/sys/fs/cgroup/cpu/app");
	assert_non_null(p);
	assert_string_equal(p->proposed, "256");
	if (!strstr(p->evidence, "cgroup /sys/fs/cgroup/cpu/svc"))
		fail_msg("evidence: %s", p->evidence);
	assert_non_null(find(fx, n, "cpu.shares", 0, "/sys/fs/cgroup/cpu/batch"));
	/* the other process of the cgroup is protected too: no culprit */
	assert_null(find(fx, n, "nice", 3600, NULL));
	assert_null(find(fx, n, "nice", 4000, NULL)); /* not beside it: its cgroup's share */
	assert_int_equal(n, 2);
}

static void test_needs_sched(void **state)
{
	struct pfx *px = *state;
	struct tfx *fx = &px->t;

	fx->c.sched = NULL;
	assert_int_equal(tfx_init(fx), -1);
	tfx_one_line(fx->err, "scheduler collector");
	fx->c.nprotect = 0;
	assert_int_equal(tfx_init(fx), 1); /* nothing to protect */
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_levers_in_order),
		T(test_scope),
		T(test_numa),
		T(test_numa_advice_only),
		T(test_quiet_nothing),
		T(test_protected_exits),
		T(test_protected_pid_reused),
		T(test_protected_cgroup_vanishes),
		T(test_empty_cgroup_joined),
		T(test_needs_sched),
	};

	return cmocka_run_group_tests_name("tune_protect", tests, NULL, NULL);
}
