// SPDX-License-Identifier: GPL-2.0
/* proc_sample.c: interval deltas from cumulative snapshots, activity, sorting. */
#include <stdlib.h>
#include "unit.h"
#include "collect/proc_sample.h"

static struct proc_raw sched_raw(uint32_t pid, const char *comm, uint64_t oncpu, uint64_t runq,
				 uint64_t nvcsw, uint64_t nivcsw, uint64_t migrations)
{
	struct proc_raw r;

	memset(&r, 0, sizeof(r));
	r.pid = pid;
	r.has_sched = true;
	memcpy(r.sched.comm, comm, strnlen(comm, sizeof(r.sched.comm)));
	r.sched.oncpu_ns = oncpu;
	r.sched.runq_wait_ns = runq;
	r.sched.nvcsw = nvcsw;
	r.sched.nivcsw = nivcsw;
	r.sched.migrations = migrations;
	return r;
}

static void set_mem(struct proc_raw *r, uint64_t minflt, uint64_t majflt, int64_t rss,
		    int64_t peak, uint64_t stall, uint64_t nreclaim, uint64_t oom)
{
	r->has_mem = true;
	r->mem.minflt = minflt;
	r->mem.majflt = majflt;
	r->mem.rss_bytes = rss;
	r->mem.rss_peak_bytes = peak;
	r->mem.reclaim_stall_ns = stall;
	r->mem.reclaim_count = nreclaim;
	r->mem.oom_kills = oom;
}

/* ---- sample_diff ---- */

static void test_first_interval_is_cumulative(void **state)
{
	struct proc_raw cur[2];
	struct proc_sample out[2];
	size_t n;

	(void)state;
	cur[0] = sched_raw(10, "bash", 5000, 700, 3, 2, 1);
	cur[0].sched.cgroup_id = 4242;
	cur[1] = sched_raw(20, "nginx", 9000, 0, 0, 0, 0);
	set_mem(&cur[1], 100, 2, 1 << 20, 2 << 20, 300, 1, 0);
	memset(out, 0x5a, sizeof(out));
	n = sample_diff(NULL, 0, cur, 2, false, out);
	assert_int_equal(n, 2);
	assert_int_equal(out[0].pid, 10);
	assert_string_equal(out[0].comm, "bash");
	assert_string_equal(out[0].cgroup, ""); /* filled later by procmeta */
	assert_true(out[0].cgroup_id == 4242);
	assert_false(out[0].exited);
	assert_false(out[0].has_mem);
	assert_int_equal(out[0].oncpu_ns, 5000);
	assert_int_equal(out[0].runq_wait_ns, 700);
	assert_int_equal(out[0].nvcsw, 3);
	assert_int_equal(out[0].nivcsw, 2);
	assert_int_equal(out[0].migrations, 1);
	assert_int_equal(out[0].minflt, 0);
	assert_int_equal(out[0].rss_bytes, 0);
	assert_int_equal(out[1].pid, 20);
	assert_string_equal(out[1].comm, "nginx");
	assert_true(out[1].has_mem);
	assert_int_equal(out[1].minflt, 100);
	assert_int_equal(out[1].majflt, 2);
	assert_int_equal(out[1].rss_bytes, 1 << 20);
	assert_int_equal(out[1].rss_peak_bytes, 2 << 20);
	assert_int_equal(out[1].reclaim_stall_ns, 300);
	assert_int_equal(out[1].reclaim_count, 1);
	assert_int_equal(out[1].oom_kills, 0);
}

/* A read that saw a fault run neither in its slot nor in the entry (300
 * faults short), then whole again: counted once, not twice; likewise a
 * thread's run time folded while being read. */
static void test_ratchet_dip(void **state)
{
	struct proc_raw a, b, c;
	struct proc_sample out[1];
	uint64_t total_flt = 0, total_cpu = 0;

	(void)state;
	a = sched_raw(7, "app", 1000000, 0, 1, 1, 0);
	set_mem(&a, 1000, 0, 0, 0, 0, 0, 0);
	a.sched.start_boot_ns = 42;
	b = a;
	b.mem.minflt = 1200 - 300; /* 1200 faults by now, 300 unseen */
	b.sched.oncpu_ns = 1400000 - 500000; /* a fold read half-way */
	c = a;
	c.mem.minflt = 1500;
	c.sched.oncpu_ns = 3000000;
	assert_int_equal(sample_diff(&a, 1, &b, 1, true, out), 1);
	total_flt += out[0].minflt;
	total_cpu += out[0].oncpu_ns;
	proc_raw_ratchet(&b, &a);
	assert_int_equal(b.mem.minflt, 1000);
	assert_int_equal(b.sched.oncpu_ns, 1000000);
	assert_int_equal(sample_diff(&b, 1, &c, 1, true, out), 1);
	total_flt += out[0].minflt;
	total_cpu += out[0].oncpu_ns;
	/* what happened from a to c, once */
	assert_int_equal(total_flt, 500);
	assert_int_equal(total_cpu, 2000000);
	/* another process with the pid (another start): nothing kept */
	b = c;
	b.sched.start_boot_ns = 43;
	b.mem.minflt = 10;
	proc_raw_ratchet(&b, &c);
	assert_int_equal(b.mem.minflt, 10);
	/* no start known: nothing kept either */
	b.sched.start_boot_ns = 0;
	c.sched.start_boot_ns = 0;
	proc_raw_ratchet(&b, &c);
	assert_int_equal(b.mem.minflt, 10);
	proc_raw_ratchet(&b, NULL);
	assert_int_equal(b.mem.minflt, 10);
}

static void test_deltas(void **state)
{
	struct proc_raw prev[1], cur[1];
	struct proc_sample out[1];

	(void)state;
	prev[0] = sched_raw(7, "app", 1000000, 50000, 10, 4, 2);
	set_mem(&prev[0], 500, 5, 10 << 20, 12 << 20, 1000, 2, 0);
	cur[0] = sched_raw(7, "app", 3500000, 80000, 25, 9, 3);
	set_mem(&cur[0], 800, 6, 11 << 20, 14 << 20, 1500, 3, 1);
	assert_int_equal(sample_diff(prev, 1, cur, 1, false, out), 1);
	assert_int_equal(out[0].pid, 7);
	assert_int_equal(out[0].oncpu_ns, 2500000);
	assert_int_equal(out[0].runq_wait_ns, 30000);
	assert_int_equal(out[0].nvcsw, 15);
	assert_int_equal(out[0].nivcsw, 5);
	assert_int_equal(out[0].migrations, 1);
	assert_int_equal(out[0].minflt, 300);
	assert_int_equal(out[0].majflt, 1);
	assert_int_equal(out[0].reclaim_stall_ns, 500);
	assert_int_equal(out[0].reclaim_count, 1);
	assert_int_equal(out[0].oom_kills, 1);
	/* gauges: the end-of-interval values */
	assert_int_equal(out[0].rss_bytes, 11 << 20);
	assert_int_equal(out[0].rss_peak_bytes, 14 << 20);
}

static void test_rss_is_a_gauge(void **state)
{
	struct proc_raw prev[1], cur[1];
	struct proc_sample out[1];

	(void)state;
	/* RSS shrank: reported as the current value, not as 0 or a difference */
	prev[0] = sched_raw(7, "app", 100, 0, 0, 0, 0);
	set_mem(&prev[0], 10, 0, 100 << 20, 100 << 20, 0, 0, 0);
	cur[0] = sched_raw(7, "app", 200, 0, 0, 0, 0);
	set_mem(&cur[0], 10, 0, 40 << 20, 100 << 20, 0, 0, 0);
	assert_int_equal(sample_diff(prev, 1, cur, 1, false, out), 1);
	assert_int_equal(out[0].rss_bytes, 40 << 20);
	assert_int_equal(out[0].rss_peak_bytes, 100 << 20);
	assert_int_equal(out[0].minflt, 0);
}

static void test_merge_join_new_and_vanished(void **state)
{
	struct proc_raw prev[4], cur[5];
	struct proc_sample out[5];
	size_t n;

	(void)state;
	prev[0] = sched_raw(1, "p1", 100, 0, 1, 0, 0);
	prev[1] = sched_raw(3, "p3", 300, 0, 3, 0, 0);
	prev[2] = sched_raw(5, "p5", 500, 0, 5, 0, 0); /* vanished */
	prev[3] = sched_raw(7, "p7", 700, 0, 7, 0, 0);
	cur[0] = sched_raw(2, "p2", 20, 0, 2, 0, 0);    /* new */
	cur[1] = sched_raw(3, "p3", 330, 0, 4, 0, 0);
	cur[2] = sched_raw(6, "p6", 60, 0, 6, 0, 0);    /* new */
	cur[3] = sched_raw(7, "p7", 777, 0, 9, 0, 0);
	cur[4] = sched_raw(9, "p9", 90, 0, 0, 0, 0);    /* new, beyond prev's end */
	n = sample_diff(prev, 4, cur, 5, false, out);
	assert_int_equal(n, 5);
	assert_int_equal(out[0].pid, 2);
	assert_int_equal(out[0].oncpu_ns, 20);
	assert_int_equal(out[0].nvcsw, 2);
	assert_int_equal(out[1].pid, 3);
	assert_int_equal(out[1].oncpu_ns, 30);
	assert_int_equal(out[1].nvcsw, 1);
	assert_int_equal(out[2].pid, 6);
	assert_int_equal(out[2].oncpu_ns, 60);
	assert_int_equal(out[3].pid, 7);
	assert_int_equal(out[3].oncpu_ns, 77);
	assert_int_equal(out[3].nvcsw, 2);
	assert_int_equal(out[4].pid, 9);
	assert_int_equal(out[4].oncpu_ns, 90);
	/* nothing current: nothing reported, whatever prev holds */
	assert_int_equal(sample_diff(prev, 4, cur, 0, true, out), 0);
}

/* A pid reused by another process (another start) is not subtracted from:
 * the new process counts from zero; the same start, or an unknown one, is
 * the same process. Identity, parent and times are carried. */
static void test_reused_pid_not_subtracted(void **state)
{
	struct proc_raw prev[2], cur[2];
	struct proc_sample out[2];

	(void)state;
	prev[0] = sched_raw(7, "old", 500, 0, 5, 0, 0);
	prev[0].sched.start_boot_ns = 1000;
	prev[1] = sched_raw(8, "same", 100, 0, 1, 0, 0);
	prev[1].sched.start_boot_ns = 2000;
	cur[0] = sched_raw(7, "new", 40, 0, 2, 0, 0);
	cur[0].sched.start_boot_ns = 3000;
	cur[0].sched.start_ns = 11;
	cur[0].sched.exit_ns = 22;
	cur[0].sched.ppid = 99;
	memcpy(cur[0].sched.pcomm, "parent", 7);
	cur[1] = sched_raw(8, "same", 150, 0, 2, 0, 0);
	cur[1].sched.start_boot_ns = 2000;
	assert_int_equal(sample_diff(prev, 2, cur, 2, false, out), 2);
	assert_int_equal(out[0].oncpu_ns, 40);
	assert_int_equal(out[0].nvcsw, 2);
	assert_int_equal(out[0].start_boot_ns, 3000);
	assert_int_equal(out[0].start_ns, 11);
	assert_int_equal(out[0].exit_ns, 22);
	assert_int_equal(out[0].ppid, 99);
	assert_string_equal(out[0].pcomm, "parent");
	assert_int_equal(out[1].oncpu_ns, 50);
	cur[1].sched.start_boot_ns = 0; /* unknown: the same process */
	assert_int_equal(sample_diff(prev, 2, cur, 2, false, out), 2);
	assert_int_equal(out[1].oncpu_ns, 50);
}

static void test_merge_join_large_random(void **state)
{
	enum { NP = 3000 };
	static struct proc_raw prev[NP], cur[NP];
	static struct proc_sample out[NP];
	size_t np = 0, nc = 0, n, i;
	uint32_t pid;

	(void)state;
	/* pid p: in prev when p % 3 != 0, in cur when p % 5 != 0; oncpu = 10 p (+ p) */
	for (pid = 1; pid < NP; pid++) {
		if (pid % 3)
			prev[np++] = sched_raw(pid, "x", 10ULL * pid, 0, 0, 0, 0);
		if (pid % 5)
			cur[nc++] = sched_raw(pid, "x", 11ULL * pid, 0, 0, 0, 0);
	}
	n = sample_diff(prev, np, cur, nc, true, out);
	assert_int_equal(n, nc);
	for (i = 0; i < n; i++) {
		uint32_t p = out[i].pid;
		uint64_t want = p % 3 ? (uint64_t)p : 11ULL * p;

		assert_int_equal(p, cur[i].pid);
		if (out[i].oncpu_ns != want)
			fail_msg("pid %u: oncpu %llu, expected %llu", p,
				 (unsigned long long)out[i].oncpu_ns, (unsigned long long)want);
	}
}

static void test_idle_skipped_unless_keep_idle(void **state)
{
	struct proc_raw prev[3], cur[3];
	struct proc_sample out[3];
	size_t n;

	(void)state;
	prev[0] = sched_raw(1, "idle1", 100, 10, 1, 1, 1);
	prev[1] = sched_raw(2, "busy", 100, 10, 1, 1, 1);
	prev[2] = sched_raw(3, "idle3", 100, 10, 1, 1, 1);
	set_mem(&prev[2], 5, 0, 1 << 20, 1 << 20, 0, 0, 0);
	cur[0] = prev[0];
	cur[1] = sched_raw(2, "busy", 150, 10, 1, 1, 1);
	cur[2] = prev[2];
	n = sample_diff(prev, 3, cur, 3, false, out);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].pid, 2);
	assert_int_equal(out[0].oncpu_ns, 50);
	n = sample_diff(prev, 3, cur, 3, true, out);
	assert_int_equal(n, 3);
	assert_int_equal(out[0].pid, 1);
	assert_int_equal(out[1].pid, 2);
	assert_int_equal(out[2].pid, 3);
	assert_int_equal(out[0].oncpu_ns, 0);
	assert_int_equal(out[0].nvcsw, 0);
	assert_string_equal(out[0].comm, "idle1");
	assert_int_equal(out[2].rss_bytes, 1 << 20); /* gauges still reported */
	assert_int_equal(out[2].minflt, 0);
}

static void test_backwards_counters_clamp_to_zero(void **state)
{
	struct proc_raw prev[1], cur[1];
	struct proc_sample out[1];

	(void)state;
	prev[0] = sched_raw(4, "fold", 5000, 800, 30, 20, 10);
	set_mem(&prev[0], 900, 90, 0, 0, 9000, 9, 2);
	cur[0] = sched_raw(4, "fold", 4000, 700, 29, 19, 9);
	set_mem(&cur[0], 800, 80, 0, 0, 8000, 8, 1);
	assert_int_equal(sample_diff(prev, 1, cur, 1, true, out), 1);
	assert_int_equal(out[0].oncpu_ns, 0);
	assert_int_equal(out[0].runq_wait_ns, 0);
	assert_int_equal(out[0].nvcsw, 0);
	assert_int_equal(out[0].nivcsw, 0);
	assert_int_equal(out[0].migrations, 0);
	assert_int_equal(out[0].minflt, 0);
	assert_int_equal(out[0].majflt, 0);
	assert_int_equal(out[0].reclaim_stall_ns, 0);
	assert_int_equal(out[0].reclaim_count, 0);
	assert_int_equal(out[0].oom_kills, 0);
	/* all clamped to zero: nothing to report */
	assert_int_equal(sample_diff(prev, 1, cur, 1, false, out), 0);
	/* one counter backwards, another forwards: each on its own */
	cur[0].sched.nvcsw = 35;
	assert_int_equal(sample_diff(prev, 1, cur, 1, false, out), 1);
	assert_int_equal(out[0].nvcsw, 5);
	assert_int_equal(out[0].oncpu_ns, 0);
}

static void test_hist_deltas(void **state)
{
	struct proc_raw prev[1], cur[1];
	struct proc_sample out[1];
	int i;

	(void)state;
	prev[0] = sched_raw(8, "w", 1000, 100000, 5, 5, 0);
	prev[0].sched.runq_hist[3] = 5; /* [4, 8) us */
	prev[0].sched.runq_max_ns = 10000;
	cur[0] = sched_raw(8, "w", 2000, 2000000, 8, 10, 0);
	cur[0].sched.runq_hist[3] = 103;
	cur[0].sched.runq_hist[10] = 2; /* [512, 1024) us */
	cur[0].sched.runq_max_ns = 700000; /* a new largest wait: 700 us */
	assert_int_equal(sample_diff(prev, 1, cur, 1, false, out), 1);
	for (i = 0; i < PP_HIST_SLOTS; i++)
		assert_int_equal(out[0].runq_hist[i], i == 3 ? 98 : i == 10 ? 2 : 0);
	assert_int_equal(out[0].runq_lat_us.count, 100);
	assert_dbl_in(out[0].runq_lat_us.p50, 4, 8);
	assert_dbl_in(out[0].runq_lat_us.p90, 4, 8);
	assert_dbl_in(out[0].runq_lat_us.p99, 512, 700);
	/* the cumulative maximum grew, so it is this interval's exact max */
	assert_dbl_eq(out[0].runq_lat_us.max, 700.0);
}

static void test_hist_max_not_grown(void **state)
{
	struct proc_raw prev[1], cur[1];
	struct proc_sample out[1];

	(void)state;
	/* the largest wait ever (5 ms) happened before: this interval's max is
	 * bounded by the top of its highest non-empty slot, [4, 8) us */
	prev[0] = sched_raw(8, "w", 1000, 5100000, 5, 5, 0);
	prev[0].sched.runq_hist[3] = 5;
	prev[0].sched.runq_hist[13] = 1;
	prev[0].sched.runq_max_ns = 5000000;
	cur[0] = prev[0];
	cur[0].sched.runq_wait_ns += 60000;
	cur[0].sched.runq_hist[3] += 10;
	assert_int_equal(sample_diff(prev, 1, cur, 1, false, out), 1);
	assert_int_equal(out[0].runq_lat_us.count, 10);
	assert_dbl_eq(out[0].runq_lat_us.max, 8.0);
	assert_dbl_le(out[0].runq_lat_us.p99, 8.0);
	assert_dbl_in(out[0].runq_lat_us.p50, 4, 8);
	/* no waits at all in the interval: everything zero */
	cur[0] = prev[0];
	cur[0].sched.oncpu_ns += 10;
	assert_int_equal(sample_diff(prev, 1, cur, 1, false, out), 1);
	assert_int_equal(out[0].runq_lat_us.count, 0);
	assert_dbl_eq(out[0].runq_lat_us.max, 0);
	assert_dbl_eq(out[0].runq_lat_us.p99, 0);
	/* the cumulative max below the slot's top edge bounds it instead */
	prev[0] = sched_raw(9, "v", 0, 0, 0, 0, 0);
	prev[0].sched.runq_hist[3] = 1;
	prev[0].sched.runq_max_ns = 6000; /* 6 us */
	cur[0] = prev[0];
	cur[0].sched.runq_hist[3] = 3;
	cur[0].sched.runq_wait_ns = 10000;
	assert_int_equal(sample_diff(prev, 1, cur, 1, false, out), 1);
	assert_dbl_eq(out[0].runq_lat_us.max, 6.0);
	assert_dbl_le(out[0].runq_lat_us.p99, 6.0);
}

static void test_hist_first_interval(void **state)
{
	struct proc_raw cur[1];
	struct proc_sample out[1];

	(void)state;
	cur[0] = sched_raw(11, "n", 10, 3000, 1, 0, 0);
	cur[0].sched.runq_hist[11] = 1; /* one wait of 1.5 ms */
	cur[0].sched.runq_max_ns = 1500000;
	assert_int_equal(sample_diff(NULL, 0, cur, 1, false, out), 1);
	assert_int_equal(out[0].runq_lat_us.count, 1);
	assert_dbl_eq(out[0].runq_lat_us.max, 1500.0);
	assert_dbl_in(out[0].runq_lat_us.p50, 1024, 1500);
	assert_dbl_in(out[0].runq_lat_us.p99, 1024, 1500);
}

/* A histogram slot that went backwards (a thread folded into its process
 * between the reads of the two maps) clamps to 0 like the counters, rather
 * than reporting the slot's whole cumulative history. */
static void test_hist_backwards_clamps_to_zero(void **state)
{
	struct proc_raw prev[1], cur[1];
	struct proc_sample out[1];

	(void)state;
	prev[0] = sched_raw(12, "fold", 5000000, 4000000, 100, 900, 0);
	prev[0].sched.runq_hist[3] = 1000;
	prev[0].sched.runq_max_ns = 7000;
	cur[0] = sched_raw(12, "fold", 5000000, 3990000, 100, 898, 0);
	cur[0].sched.runq_hist[3] = 998;
	cur[0].sched.runq_max_ns = 7000;
	assert_int_equal(sample_diff(prev, 1, cur, 1, true, out), 1);
	assert_int_equal(out[0].runq_wait_ns, 0);
	assert_int_equal(out[0].nivcsw, 0);
	assert_int_equal(out[0].runq_hist[3], 0);
	assert_int_equal(out[0].runq_lat_us.count, 0);
}

static void test_exited_always_reported(void **state)
{
	struct proc_raw prev[2], cur[2];
	struct proc_sample out[2];
	size_t n;

	(void)state;
	prev[0] = sched_raw(30, "gone", 100, 0, 1, 0, 0);
	prev[1] = sched_raw(31, "alive", 100, 0, 1, 0, 0);
	cur[0] = prev[0];
	cur[0].sched.flags = PP_PROC_EXITED;
	cur[0].sched.exit_ns = 123456789;
	cur[1] = prev[1];
	n = sample_diff(prev, 2, cur, 2, false, out);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].pid, 30);
	assert_true(out[0].exited);
	assert_string_equal(out[0].comm, "gone");
	assert_int_equal(out[0].oncpu_ns, 0);
	assert_false(out[0].kthread);
	/* other flag bits do not mean "exited" */
	cur[0].sched.flags = PP_PROC_KTHREAD;
	n = sample_diff(prev, 2, cur, 2, true, out);
	assert_int_equal(n, 2);
	assert_false(out[0].exited);
	assert_true(out[0].kthread);
	/* a kernel thread is not active because of the flag */
	n = sample_diff(prev, 2, cur, 2, false, out);
	assert_int_equal(n, 0);
}

static void test_comm_always_terminated(void **state)
{
	struct proc_raw cur[1];
	struct proc_sample out[1];

	(void)state;
	cur[0] = sched_raw(40, "", 1, 0, 0, 0, 0);
	memset(cur[0].sched.comm, 'A', sizeof(cur[0].sched.comm)); /* no NUL */
	assert_int_equal(sample_diff(NULL, 0, cur, 1, false, out), 1);
	assert_int_equal(strlen(out[0].comm), PP_COMM_LEN - 1);
	assert_string_equal(out[0].comm, "AAAAAAAAAAAAAAA");
}

static void test_mem_only_process(void **state)
{
	struct proc_raw prev[1], cur[1];
	struct proc_sample out[1];

	(void)state;
	/* the scheduler map has no entry (e.g. map full): memory still reported */
	memset(&prev[0], 0, sizeof(prev[0]));
	prev[0].pid = 50;
	set_mem(&prev[0], 10, 1, 1 << 20, 1 << 20, 0, 0, 0);
	cur[0] = prev[0];
	cur[0].mem.minflt = 25;
	cur[0].mem.rss_bytes = 3 << 20;
	assert_int_equal(sample_diff(prev, 1, cur, 1, false, out), 1);
	assert_int_equal(out[0].pid, 50);
	assert_true(out[0].has_mem);
	assert_string_equal(out[0].comm, "");
	assert_int_equal(out[0].oncpu_ns, 0);
	assert_int_equal(out[0].runq_lat_us.count, 0);
	assert_int_equal(out[0].minflt, 15);
	assert_int_equal(out[0].rss_bytes, 3 << 20);
}

static void test_sched_appears_after_mem_only(void **state)
{
	struct proc_raw prev[1], cur[1];
	struct proc_sample out[1];

	(void)state;
	/* prev had only memory; the scheduler counters start from zero */
	memset(&prev[0], 0, sizeof(prev[0]));
	prev[0].pid = 51;
	set_mem(&prev[0], 10, 0, 0, 0, 0, 0, 0);
	cur[0] = sched_raw(51, "late", 400, 20000, 2, 1, 0);
	cur[0].sched.runq_hist[5] = 2;
	cur[0].sched.runq_max_ns = 20000;
	set_mem(&cur[0], 12, 0, 0, 0, 0, 0, 0);
	assert_int_equal(sample_diff(prev, 1, cur, 1, false, out), 1);
	assert_int_equal(out[0].oncpu_ns, 400);
	assert_int_equal(out[0].runq_wait_ns, 20000);
	assert_int_equal(out[0].runq_lat_us.count, 2);
	assert_dbl_eq(out[0].runq_lat_us.max, 20.0);
	assert_int_equal(out[0].minflt, 2);
}

static void test_io_and_net_deltas(void **state)
{
	struct proc_raw prev[1], cur[1];
	struct proc_sample out[1];

	(void)state;
	memset(prev, 0, sizeof(prev));
	prev[0].pid = 60;
	prev[0].has_io = true;
	prev[0].io.read_bytes = 4096;
	prev[0].io.write_bytes = 8192;
	prev[0].io.read_ops = 1;
	prev[0].io.write_ops = 2;
	prev[0].io.lat_hist[7] = 3;
	prev[0].io.lat_max_ns = 100000;
	prev[0].has_net = true;
	prev[0].net.tx_bytes = 1000;
	prev[0].net.rx_bytes = 2000;
	prev[0].net.connects = 1;
	prev[0].net.rtt_hist[6] = 4;
	prev[0].net.rtt_max_us = 50;
	cur[0] = prev[0];
	cur[0].io.read_bytes = 4096 * 3;
	cur[0].io.write_bytes = 8192;
	cur[0].io.read_ops = 3;
	cur[0].io.lat_hist[7] = 5;
	cur[0].io.lat_hist[9] = 1;
	cur[0].io.lat_max_ns = 400000; /* grew: 400 us */
	cur[0].net.tx_bytes = 1500;
	cur[0].net.rx_bytes = 1900; /* backwards: clamps */
	cur[0].net.retrans = 2;
	cur[0].net.resets = 1;
	cur[0].net.accepts = 3;
	cur[0].net.closes = 4;
	cur[0].net.rtt_hist[6] = 6;
	assert_int_equal(sample_diff(prev, 1, cur, 1, false, out), 1);
	assert_int_equal(out[0].read_bytes, 8192);
	assert_int_equal(out[0].write_bytes, 0);
	assert_int_equal(out[0].read_ops, 2);
	assert_int_equal(out[0].write_ops, 0);
	assert_int_equal(out[0].io_lat_hist[7], 2);
	assert_int_equal(out[0].io_lat_hist[9], 1);
	assert_int_equal(out[0].io_lat_us.count, 3);
	assert_dbl_eq(out[0].io_lat_us.max, 400.0);
	assert_dbl_in(out[0].io_lat_us.p99, 256, 400);
	assert_int_equal(out[0].tx_bytes, 500);
	assert_int_equal(out[0].rx_bytes, 0);
	assert_int_equal(out[0].retrans, 2);
	assert_int_equal(out[0].resets, 1);
	assert_int_equal(out[0].connects, 0);
	assert_int_equal(out[0].accepts, 3);
	assert_int_equal(out[0].closes, 4);
	assert_int_equal(out[0].rtt_us.count, 2);
	/* RTT max did not grow (50 us): bounded by the top of [32, 64) and by 50 */
	assert_dbl_eq(out[0].rtt_us.max, 50.0);
	/* a process with only IO or only TCP activity is active */
	cur[0] = prev[0];
	cur[0].io.write_ops = 3;
	assert_int_equal(sample_diff(prev, 1, cur, 1, false, out), 1);
	cur[0] = prev[0];
	cur[0].net.rx_bytes += 1;
	assert_int_equal(sample_diff(prev, 1, cur, 1, false, out), 1);
	cur[0] = prev[0];
	assert_int_equal(sample_diff(prev, 1, cur, 1, false, out), 0);
}

/* A process's IO split over CPU slots and its hash entry adds up to the
 * whole: what one CPU counted, another, and the entry together. */
static void test_io_stats_add(void **state)
{
	struct pp_io_stats whole, sum, part[3];
	unsigned int i, k;

	(void)state;
	memset(&whole, 0, sizeof(whole));
	memset(part, 0, sizeof(part));
	srand(7);
	for (i = 0; i < 3000; i++) { /* 3000 completions spread over 3 parts */
		struct pp_io_stats *io[2] = {&whole, &part[rand() % 3]};
		uint64_t bytes = (uint64_t)(rand() % 64 + 1) * 4096, lat = (uint64_t)rand() % 5000000;
		uint64_t queue = (uint64_t)rand() % 100000;
		bool write = rand() % 2;

		for (k = 0; k < 2; k++) {
			*(write ? &io[k]->write_bytes : &io[k]->read_bytes) += bytes;
			*(write ? &io[k]->write_ops : &io[k]->read_ops) += 1;
			io[k]->lat_hist[pp_hist_slot_ns(lat)]++;
			io[k]->queue_hist[pp_hist_slot_ns(queue)]++;
			if (lat > io[k]->lat_max_ns)
				io[k]->lat_max_ns = lat;
			if (queue > io[k]->queue_max_ns)
				io[k]->queue_max_ns = queue;
		}
	}
	sum = part[0]; /* the hash entry: its start stays */
	sum.start_ns = 12345;
	part[1].start_ns = part[2].start_ns = 999;
	io_stats_add(&sum, &part[1]);
	io_stats_add(&sum, &part[2]);
	assert_int_equal(sum.start_ns, 12345);
	sum.start_ns = 0;
	assert_memory_equal(&sum, &whole, sizeof(sum));
	/* adding nothing changes nothing */
	memset(&part[0], 0, sizeof(part[0]));
	io_stats_add(&sum, &part[0]);
	assert_memory_equal(&sum, &whole, sizeof(sum));
}

static void test_hist_delta_and_interval_max(void **state)
{
	uint32_t a[PP_HIST_SLOTS] = {0}, b[PP_HIST_SLOTS] = {0}, d[PP_HIST_SLOTS];
	int i;

	(void)state;
	a[0] = 5;
	a[4] = 10;
	a[31] = UINT32_MAX;
	b[0] = 5;
	b[4] = 12; /* backwards */
	b[31] = 1;
	memset(d, 0xff, sizeof(d));
	hist_delta(a, b, d);
	for (i = 0; i < PP_HIST_SLOTS; i++)
		assert_int_equal(d[i], i == 31 ? UINT32_MAX - 1 : 0);
	/* exact when the cumulative maximum grew */
	memset(d, 0, sizeof(d));
	d[4] = 1; /* [8, 16) us */
	assert_dbl_eq(interval_max_us(d, 12000, 11000), 12.0);
	/* otherwise the top edge of the highest slot ... */
	assert_dbl_eq(interval_max_us(d, 900000, 900000), 16.0);
	/* ... or the cumulative max when that is lower */
	assert_dbl_eq(interval_max_us(d, 9000, 9000), 9.0);
	/* nothing in the interval */
	memset(d, 0, sizeof(d));
	assert_dbl_eq(interval_max_us(d, 5000, 5000), 0);
}

/* ---- sample_active ---- */

static void test_active(void **state)
{
	struct proc_sample s;

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_false(sample_active(&s));
	/* gauges and names alone are not activity */
	s.pid = 5;
	s.rss_bytes = 1 << 30;
	s.rss_peak_bytes = 1 << 30;
	s.has_mem = true;
	strcpy(s.comm, "sleepy");
	s.cgroup_id = 77;
	assert_false(sample_active(&s));
#define ONE(field, val) do { struct proc_sample t = s; t.field = val; \
		if (!sample_active(&t)) fail_msg("%s alone is not active", #field); } while (0)
	ONE(exited, true);
	ONE(oncpu_ns, 1);
	ONE(runq_wait_ns, 1);
	ONE(nvcsw, 1);
	ONE(nivcsw, 1);
	ONE(migrations, 1);
	ONE(minflt, 1);
	ONE(majflt, 1);
	ONE(reclaim_stall_ns, 1);
	ONE(oom_kills, 1);
	ONE(read_ops, 1);
	ONE(write_ops, 1);
	ONE(tx_bytes, 1);
	ONE(rx_bytes, 1);
	ONE(retrans, 1);
	ONE(resets, 1);
	ONE(connects, 1);
	ONE(accepts, 1);
	ONE(closes, 1);
#undef ONE
}

/* ---- sample_sort ---- */

static struct proc_sample mk(uint32_t pid, uint64_t cpu, uint64_t runq, double p99, uint64_t vcsw,
			     uint64_t ivcsw, uint64_t minflt, uint64_t majflt, int64_t rss)
{
	struct proc_sample s;

	memset(&s, 0, sizeof(s));
	s.pid = pid;
	s.oncpu_ns = cpu;
	s.runq_wait_ns = runq;
	s.runq_lat_us.p99 = p99;
	s.nvcsw = vcsw;
	s.nivcsw = ivcsw;
	s.minflt = minflt;
	s.majflt = majflt;
	s.rss_bytes = rss;
	return s;
}

static void fill_sort_set(struct proc_sample *s)
{
	/*          pid  cpu  runq p99  vcsw ivcsw minflt majflt rss */
	s[0] = mk(500, 10, 900, 1.5, 7, 1, 40, 0, 300);
	s[1] = mk(100, 30, 100, 9.0, 7, 3, 10, 5, 100);
	s[2] = mk(300, 20, 500, 0.5, 9, 2, 40, 1, 200);
	s[3] = mk(200, 30, 700, 9.0, 1, 9, 20, 5, 500);
	s[4] = mk(400, 0, 0, 0.0, 0, 0, 0, 0, 0);
}

static void expect_order(enum sample_key key, const uint32_t *pids)
{
	struct proc_sample s[5];
	int i;

	fill_sort_set(s);
	sample_sort(s, 5, key);
	for (i = 0; i < 5; i++)
		if (s[i].pid != pids[i])
			fail_msg("key %d: position %d has pid %u, expected %u "
				 "(got %u %u %u %u %u)", key, i, s[i].pid, pids[i],
				 s[0].pid, s[1].pid, s[2].pid, s[3].pid, s[4].pid);
}

static void test_sort_each_key(void **state)
{
	(void)state;
	/* descending by the key, ties by ascending pid */
	expect_order(SORT_CPU, (const uint32_t[]){100, 200, 300, 500, 400});
	expect_order(SORT_RUNQ, (const uint32_t[]){500, 200, 300, 100, 400});
	expect_order(SORT_RQP99, (const uint32_t[]){100, 200, 500, 300, 400});
	expect_order(SORT_VCSW, (const uint32_t[]){300, 100, 500, 200, 400});
	expect_order(SORT_IVCSW, (const uint32_t[]){200, 100, 300, 500, 400});
	expect_order(SORT_MINFLT, (const uint32_t[]){300, 500, 200, 100, 400});
	expect_order(SORT_MAJFLT, (const uint32_t[]){100, 200, 300, 400, 500});
	expect_order(SORT_RSS, (const uint32_t[]){200, 500, 300, 100, 400});
	/* by pid: ascending */
	expect_order(SORT_PID, (const uint32_t[]){100, 200, 300, 400, 500});
}

static void test_sort_ties_and_edges(void **state)
{
	struct proc_sample s[64];
	uint64_t rng = 7;
	int i;

	(void)state;
	sample_sort(s, 0, SORT_CPU); /* nothing to do, must not crash */
	/* all equal: pid order, whatever the starting order */
	for (i = 0; i < 64; i++)
		s[i] = mk((uint32_t)(1000 - 7 * i), 5, 5, 5, 5, 5, 5, 5, 5);
	sample_sort(s, 64, SORT_RUNQ);
	for (i = 1; i < 64; i++)
		assert_true(s[i - 1].pid < s[i].pid);
	/* random values: sorted by key, then pid */
	for (i = 0; i < 64; i++)
		s[i] = mk((uint32_t)(unit_rand(&rng) % 100000) + 1, unit_rand(&rng) % 4, 0, 0, 0, 0, 0,
			  0, 0);
	sample_sort(s, 64, SORT_CPU);
	for (i = 1; i < 64; i++) {
		assert_true(s[i - 1].oncpu_ns >= s[i].oncpu_ns);
		if (s[i - 1].oncpu_ns == s[i].oncpu_ns)
			assert_true(s[i - 1].pid <= s[i].pid);
	}
	/* values above 2^63 still compare as unsigned */
	s[0] = mk(1, 1ULL << 63, 0, 0, 0, 0, 0, 0, 0);
	s[1] = mk(2, 5, 0, 0, 0, 0, 0, 0, 0);
	s[2] = mk(3, UINT64_MAX, 0, 0, 0, 0, 0, 0, 0);
	sample_sort(s, 3, SORT_CPU);
	assert_int_equal(s[0].pid, 3);
	assert_int_equal(s[1].pid, 1);
	assert_int_equal(s[2].pid, 2);
}

static void test_sort_io_and_net(void **state)
{
	struct proc_sample s[3];

	(void)state;
	memset(s, 0, sizeof(s));
	s[0].pid = 1;
	s[0].read_bytes = 100;
	s[0].write_bytes = 100; /* 200 in all */
	s[0].rx_bytes = 5;
	s[1].pid = 2;
	s[1].write_bytes = 300;
	s[1].tx_bytes = 1;
	s[1].rx_bytes = 1;
	s[2].pid = 3;
	s[2].read_bytes = 200;
	s[2].tx_bytes = 10;
	sample_sort(s, 3, SORT_IO);
	assert_int_equal(s[0].pid, 2);
	assert_int_equal(s[1].pid, 1); /* 200 each: pid order */
	assert_int_equal(s[2].pid, 3);
	sample_sort(s, 3, SORT_NET);
	assert_int_equal(s[0].pid, 3);
	assert_int_equal(s[1].pid, 1);
	assert_int_equal(s[2].pid, 2);
}

/* ---- sample_by_cgroup ---- */

static void test_by_cgroup(void **state)
{
	struct proc_sample s[4], g[4];
	size_t k;

	(void)state;
	s[0] = mk(1, 100, 10, 0, 1, 2, 3, 4, 1000);
	strcpy(s[0].cgroup, "/a");
	s[0].runq_hist[3] = 10;
	s[0].runq_lat_us.max = 7.5;
	s[1] = mk(2, 200, 20, 0, 1, 1, 1, 1, 2000);
	strcpy(s[1].cgroup, "/b");
	s[2] = mk(3, 300, 30, 0, 1, 1, 1, 1, 4000);
	strcpy(s[2].cgroup, "/a");
	s[2].runq_hist[12] = 1;
	s[2].runq_lat_us.max = 3000.0;
	s[2].has_mem = true;
	s[3] = mk(4, 5, 0, 0, 0, 0, 0, 0, 8000);
	strcpy(s[3].cgroup, "/a");
	s[3].exited = true; /* its RSS is gone */
	s[0].read_bytes = 10;
	s[2].read_bytes = 5;
	s[3].write_ops = 2;
	s[0].io_lat_hist[8] = 1;
	s[0].io_lat_us.max = 200.0;
	s[2].tx_bytes = 7;
	s[3].closes = 1;
	s[2].rtt_hist[5] = 2;
	s[2].rtt_us.max = 30.0;
	k = sample_by_cgroup(s, 4, g);
	assert_int_equal(k, 2);
	assert_string_equal(g[0].cgroup, "/a");
	assert_int_equal(g[0].pid, 3);
	assert_string_equal(g[0].comm, "");
	assert_int_equal(g[0].oncpu_ns, 405);
	assert_int_equal(g[0].runq_wait_ns, 40);
	assert_int_equal(g[0].nvcsw, 2);
	assert_int_equal(g[0].nivcsw, 3);
	assert_int_equal(g[0].minflt, 4);
	assert_int_equal(g[0].majflt, 5);
	assert_int_equal(g[0].rss_bytes, 5000);
	assert_true(g[0].has_mem);
	assert_int_equal(g[0].runq_hist[3], 10);
	assert_int_equal(g[0].runq_hist[12], 1);
	assert_int_equal(g[0].runq_lat_us.count, 11);
	assert_dbl_eq(g[0].runq_lat_us.max, 3000.0);
	assert_dbl_in(g[0].runq_lat_us.p50, 4, 8);
	assert_dbl_in(g[0].runq_lat_us.p99, 2048, 3000);
	assert_int_equal(g[0].read_bytes, 15);
	assert_int_equal(g[0].write_ops, 2);
	assert_int_equal(g[0].io_lat_us.count, 1);
	assert_dbl_eq(g[0].io_lat_us.max, 200.0);
	assert_dbl_in(g[0].io_lat_us.p50, 128, 200);
	assert_int_equal(g[0].tx_bytes, 7);
	assert_int_equal(g[0].closes, 1);
	assert_int_equal(g[0].rtt_us.count, 2);
	assert_dbl_in(g[0].rtt_us.p99, 16, 30);
	assert_string_equal(g[1].cgroup, "/b");
	assert_int_equal(g[1].pid, 1);
	assert_int_equal(g[1].oncpu_ns, 200);
	assert_int_equal(g[1].rss_bytes, 2000);
	assert_false(g[1].has_mem);
	assert_int_equal(sample_by_cgroup(s, 0, g), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_interval_is_cumulative),
		cmocka_unit_test(test_deltas),
		cmocka_unit_test(test_ratchet_dip),
		cmocka_unit_test(test_rss_is_a_gauge),
		cmocka_unit_test(test_merge_join_new_and_vanished),
		cmocka_unit_test(test_reused_pid_not_subtracted),
		cmocka_unit_test(test_merge_join_large_random),
		cmocka_unit_test(test_idle_skipped_unless_keep_idle),
		cmocka_unit_test(test_backwards_counters_clamp_to_zero),
		cmocka_unit_test(test_hist_deltas),
		cmocka_unit_test(test_hist_max_not_grown),
		cmocka_unit_test(test_hist_first_interval),
		cmocka_unit_test(test_hist_backwards_clamps_to_zero),
		cmocka_unit_test(test_exited_always_reported),
		cmocka_unit_test(test_comm_always_terminated),
		cmocka_unit_test(test_mem_only_process),
		cmocka_unit_test(test_sched_appears_after_mem_only),
		cmocka_unit_test(test_io_and_net_deltas),
		cmocka_unit_test(test_hist_delta_and_interval_max),
		cmocka_unit_test(test_io_stats_add),
		cmocka_unit_test(test_active),
		cmocka_unit_test(test_sort_each_key),
		cmocka_unit_test(test_sort_ties_and_edges),
		cmocka_unit_test(test_sort_io_and_net),
		cmocka_unit_test(test_by_cgroup),
	};

	return cmocka_run_group_tests_name("sample", tests, NULL, NULL);
}
