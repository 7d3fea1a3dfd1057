// SPDX-License-Identifier: GPL-2.0
/* store/load_fold.c: a window with more than STORE_LOAD_MAX_PROCS processes
 * folds the short-lived ones that do not stand out into groups, keeping
 * totals; the stores are written here through the store's writer. */
#include <math.h>
#include <stdlib.h>
#include "unit.h"
#include "store/store.h"

#define T0 1700000000.0
#define NI 60           /* intervals of 1 s */
#define NWORKERS 100    /* processes of 30 intervals each */
/* more of 2 intervals than fit beside the longer-lived: all are candidates */
#define SHORT (2 * STORE_LOAD_MAX_PROCS + 400)

/* The k-th short-lived process of `true`: first interval, intervals lived,
 * on-CPU time and resident set per interval (distinct, so that the top
 * by a resource is well defined). */
static int short_first(int k) { return k % (NI - 1); }
static int short_life(int k) { return k % 2 ? 2 : 1; }
static double short_cpu(int k) { return 1e6 + k; }
static double short_rss(int k) { return 1e6 + 10.0 * k; }
static int64_t short_start_ms(int k)
{
	return (int64_t)(T0 + short_first(k)) * 1000 + k % 900;
}

static void put(struct store *st, const struct store_entity *e, const char *m, double v)
{
	assert_int_equal(store_put(st, e, m, v), 0);
}

/*
 * NI intervals: a server and a spawner living throughout, NWORKERS
 * workers of 30 intervals, SHORT processes of `true` started by the
 * spawner living 1 or 2 intervals, three short ones that stand out (hog:
 * 0.9 s of CPU; bigmem: 2 GB resident; oomed: an OOM kill), and a group
 * of `true` as record writes it (5 processes in interval 40).
 */
static void write_churn(const char *path)
{
	struct store_meta m = { .hostname = "testhost", .kernel = "6.1.0", .target = "-a",
				.ncpus = 4, .mem_total_bytes = 8e9, .interval_s = 1, .start = T0 };
	struct store_entity host = { .kind = 'h', .name = "host" };
	struct store_entity server = { .kind = 'p', .name = "1000", .pid = 1000, .comm = "server",
				       .cgroup = "/srv", .start_ms = (int64_t)(T0 - 3600) * 1000,
				       .ppid = 1, .pcomm = "systemd" };
	struct store_entity spawn = { .kind = 'p', .name = "2000", .pid = 2000, .comm = "spawn",
				      .cgroup = "/x", .start_ms = (int64_t)(T0 - 60) * 1000,
				      .ppid = 1, .pcomm = "bash" };
	struct store_entity grp = { .kind = 'g', .name = "true|spawn|/x", .pid = 2000,
				    .comm = "true", .cgroup = "/x", .pcomm = "spawn" };
	char err[256], name[16];
	struct store *st;
	int i, k;

	assert_int_equal(store_open(&st, path, err, sizeof(err)), 0);
	assert_int_equal(store_set_meta(st, &m), 0);
	for (i = 0; i < NI; i++) {
		assert_int_equal(store_interval_begin(st, T0 + i + 1, 1), 0);
		put(st, &host, "host.cpu_busy_ns", 1e9);
		put(st, &server, "cpu.oncpu_ns", 2e8);
		put(st, &server, "mem.rss_bytes", 1e8);
		put(st, &spawn, "cpu.oncpu_ns", 1e8);
		for (k = 0; k < NWORKERS; k++) {
			struct store_entity w = { .kind = 'p', .name = name, .pid = 3000 + (uint32_t)k,
						  .comm = "worker", .cgroup = "/x", .ppid = 2000,
						  .pcomm = "spawn",
						  .start_ms = (int64_t)(T0 + k % 30) * 1000 };

			if (i < k % 30 || i >= k % 30 + 30)
				continue;
			snprintf(name, sizeof(name), "%d", 3000 + k);
			w.gone = i == k % 30 + 29;
			put(st, &w, "cpu.oncpu_ns", 1e7);
		}
		for (k = 0; k < SHORT; k++) {
			struct store_entity e = { .kind = 'p', .name = name, .pid = 10000 + (uint32_t)k,
						  .comm = "true", .cgroup = "/x", .ppid = 2000,
						  .pcomm = "spawn", .start_ms = short_start_ms(k) };

			if (i < short_first(k) || i >= short_first(k) + short_life(k))
				continue;
			snprintf(name, sizeof(name), "%d", 10000 + k);
			e.gone = i == short_first(k) + short_life(k) - 1;
			put(st, &e, "cpu.oncpu_ns", short_cpu(k));
			put(st, &e, "mem.rss_bytes", short_rss(k));
			put(st, &e, "sched.nvcsw", 1);
		}
		if (i == 10 || i == 20 || i == 30) {
			struct store_entity e = { .kind = 'p', .name = name, .pid = 9000 + (uint32_t)i,
						  .comm = i == 10 ? "hog" : i == 20 ? "bigmem" : "oomed",
						  .cgroup = "/x", .ppid = 2000, .pcomm = "spawn",
						  .start_ms = (int64_t)(T0 + i) * 1000, .gone = true };

			snprintf(name, sizeof(name), "%d", 9000 + i);
			put(st, &e, "cpu.oncpu_ns", i == 10 ? 9e8 : 1e6);
			put(st, &e, "mem.rss_bytes", i == 20 ? 2e9 : 1e6);
			if (i == 30)
				put(st, &e, "mem.oom_kills", 1);
		}
		if (i == 40) {
			put(st, &grp, "group.started", 5);
			put(st, &grp, "cpu.oncpu_ns", 5e6);
		}
		assert_int_equal(store_interval_end(st), 0);
	}
	assert_int_equal(store_close(st), 0);
}

static double sum(const struct series *s)
{
	double v = 0;
	size_t i;

	for (i = 0; s && i < s->n; i++)
		v += s->v[i];
	return v;
}

static double max_of(const struct series *s)
{
	double v = 0;
	size_t i;

	for (i = 0; s && i < s->n; i++)
		v = fmax(v, s->v[i]);
	return v;
}

/* Is the k-th short process kept on its own? */
static const struct series *kept(const struct recording *r, int k, const char *metric)
{
	char key[64];

	recording_proc_key(10000 + (uint32_t)k, short_start_ms(k), key, sizeof(key));
	return rec_find(r, 'p', key, metric);
}

/*
 * The short processes that do not stand out go into the store's group of
 * their names, and nothing is lost: the group's on-CPU time and the kept
 * processes' add up to what was written, group.started counts every folded
 * one (plus the store's own 5), the peak resident set is the largest of the
 * folded, the parent is the spawner.
 */
static void test_churn_folded(void **state)
{
	const struct series *cpu, *started, *peak, *s;
	double written = 5e6, kept_cpu = 0, folded_rss = 0;
	size_t i, procs = 0, true_kept = 0;
	struct recording r;
	char path[64], err[256];
	int k;

	(void)state;
	unit_tmp_name(path, sizeof(path), "fold");
	write_churn(path);
	assert_int_equal(store_load(path, 0, INFINITY, &r, err, sizeof(err)), 0);

	/* every process is counted; at most STORE_LOAD_MAX_PROCS are kept */
	assert_int_equal(r.procs, 2 + NWORKERS + SHORT + 3);
	assert_true(r.procs_folded > 0);
	assert_int_equal(r.fold_groups, 1);
	for (i = 0; i < r.n; i++)
		if (r.s[i].kind == 'p' && !strcmp(r.s[i].metric, "cpu.oncpu_ns"))
			procs++;
	assert_int_equal(procs + r.procs_folded, r.procs);
	assert_true(procs <= STORE_LOAD_MAX_PROCS);
	/* the longest-lived stay, and those that stand out */
	assert_non_null(rec_find(&r, 'p', "1000@1699996400000", "cpu.oncpu_ns"));
	assert_non_null(rec_find(&r, 'p', "2000@1699999940000", "cpu.oncpu_ns"));
	for (k = 0; k < NWORKERS; k++) {
		char key[64];

		recording_proc_key(3000 + (uint32_t)k, (int64_t)(T0 + k % 30) * 1000, key, sizeof(key));
		assert_non_null(rec_find(&r, 'p', key, "cpu.oncpu_ns"));
	}
	assert_non_null(rec_find(&r, 'p', "9010@1700000010000", "cpu.oncpu_ns"));
	assert_non_null(rec_find(&r, 'p', "9020@1700000020000", "mem.rss_bytes"));
	assert_non_null(rec_find(&r, 'p', "9030@1700000030000", "mem.oom_kills"));
	/* nothing of `true` is lost */
	for (k = 0; k < SHORT; k++) {
		written += short_cpu(k) * short_life(k);
		if ((s = kept(&r, k, "cpu.oncpu_ns"))) {
			kept_cpu += sum(s);
			true_kept++;
		} else {
			folded_rss = fmax(folded_rss, short_rss(k));
		}
	}
	/* the top STORE_LOAD_FOLD_TOP by CPU and by RSS are kept: hog and 15
	 * of `true` by CPU (the last odd k: they live two intervals), bigmem
	 * and 15 by RSS (the last k); 8 are both */
	assert_int_equal(true_kept, 22);
	assert_non_null(kept(&r, SHORT - 1, "cpu.oncpu_ns"));
	assert_non_null(kept(&r, SHORT - 29, "cpu.oncpu_ns"));
	assert_null(kept(&r, SHORT - 31, "cpu.oncpu_ns"));
	assert_non_null(kept(&r, SHORT - 2, "cpu.oncpu_ns"));
	assert_null(kept(&r, SHORT - 16, "cpu.oncpu_ns"));
	cpu = rec_find(&r, 'g', "true|spawn|/x", "cpu.oncpu_ns");
	started = rec_find(&r, 'g', "true|spawn|/x", "group.started");
	peak = rec_find(&r, 'g', "true|spawn|/x", "mem.rss_peak_bytes");
	assert_non_null(cpu);
	assert_non_null(started);
	assert_non_null(peak);
	assert_dbl_near(sum(cpu) + kept_cpu, written, 1e-3);
	assert_dbl_near(sum(started), (double)(SHORT - true_kept) + 5, 1e-9);
	assert_dbl_eq(max_of(peak), folded_rss);
	assert_int_equal(cpu->pid, 2000);
	assert_string_equal(cpu->comm, "true");
	assert_string_equal(cpu->pcomm, "spawn");
	assert_string_equal(cpu->cgroup, "/x");
	/* one point per interval, on the recording's times */
	assert_int_equal(cpu->n, NI);
	assert_true(cpu->t_shared);
	assert_dbl_near(cpu->t[0], T0 + 1, 1e-6);
	/* the group's series are in the recording's order: found by rec_find */
	assert_false(r.unsorted);
	assert_ptr_equal(rec_find(&r, 'g', "true|spawn|/x", "sched.nvcsw")->entity, cpu->entity);
	assert_int_equal(r.fold_life_s, 2);
	recording_free(&r);
	unit_rm_sqlite(path);
}

/* The group of a folded process records did not write: made at load time,
 * named as record names its groups, with its latest parent. */
static void test_new_group(void **state)
{
	struct store_meta m = { .hostname = "h", .kernel = "6.1.0", .target = "-a", .ncpus = 2,
				.mem_total_bytes = 4e9, .interval_s = 1, .start = T0 };
	const struct series *cpu, *started;
	char path[64], err[256], name[16];
	struct recording r;
	struct store *st;
	int i, k, n = STORE_LOAD_MAX_PROCS + 100;

	(void)state;
	unit_tmp_name(path, sizeof(path), "fold");
	assert_int_equal(store_open(&st, path, err, sizeof(err)), 0);
	assert_int_equal(store_set_meta(st, &m), 0);
	for (i = 0; i < 10; i++) {
		assert_int_equal(store_interval_begin(st, T0 + i + 1, 1), 0);
		for (k = i * n / 10; k < (i + 1) * n / 10; k++) {
			struct store_entity e = { .kind = 'p', .name = name, .pid = 500 + (uint32_t)k,
						  .comm = "sh", .cgroup = "/cron",
						  .ppid = k < n / 2 ? 40 : 41, .pcomm = "cron",
						  .start_ms = (int64_t)(T0 + i) * 1000 + 1 + k, .gone = true };

			snprintf(name, sizeof(name), "%d", 500 + k);
			put(st, &e, "cpu.oncpu_ns", 1000);
		}
		assert_int_equal(store_interval_end(st), 0);
	}
	assert_int_equal(store_close(st), 0);
	assert_int_equal(store_load(path, 0, INFINITY, &r, err, sizeof(err)), 0);
	cpu = rec_find(&r, 'g', "sh|cron|/cron", "cpu.oncpu_ns");
	started = rec_find(&r, 'g', "sh|cron|/cron", "group.started");
	assert_non_null(cpu);
	assert_non_null(started);
	assert_int_equal(r.procs, (size_t)n);
	assert_int_equal(r.procs_folded, (size_t)n - STORE_LOAD_FOLD_TOP);
	assert_dbl_near(sum(cpu), 1000.0 * (double)r.procs_folded, 1e-6);
	assert_dbl_near(sum(started), (double)r.procs_folded, 1e-9);
	assert_int_equal(started->n, 10);
	assert_int_equal(cpu->pid, 41);
	assert_int_equal(r.fold_groups, 1);
	assert_dbl_eq(r.fold_life_s, 1);
	recording_free(&r);
	unit_rm_sqlite(path);
}

/* Within STORE_LOAD_MAX_PROCS nothing is folded; a window of the churn
 * store that holds fewer processes keeps all of them. */
static void test_few_not_folded(void **state)
{
	struct recording r;
	char path[64], err[256];
	size_t i, groups = 0;

	(void)state;
	unit_tmp_name(path, sizeof(path), "fold");
	write_churn(path);
	/* intervals 50 to 52 (ends T0 + 51 .. T0 + 53): about 2 x 2400 / 59
	 * short ones and the workers still alive */
	assert_int_equal(store_load(path, T0 + 51, T0 + 53, &r, err, sizeof(err)), 0);
	assert_true(r.procs > 0 && r.procs <= STORE_LOAD_MAX_PROCS);
	assert_int_equal(r.procs_folded, 0);
	assert_int_equal(r.fold_groups, 0);
	for (i = 0; i < r.n; i++)
		groups += r.s[i].kind == 'g';
	assert_int_equal(groups, 0);
	assert_non_null(kept(&r, 50, "cpu.oncpu_ns"));
	recording_free(&r);
	unit_rm_sqlite(path);
}

/* A window read in steps (more than STORE_LOAD_MAX_POINTS intervals) folds
 * by steps: lives in steps, the group's values summed per step, each
 * folded process started once. */
static void test_folded_in_steps(void **state)
{
	struct store_meta m = { .hostname = "h", .kernel = "6.1.0", .target = "-a", .ncpus = 2,
				.mem_total_bytes = 4e9, .interval_s = 1, .start = T0 };
	struct store_entity host = { .kind = 'h', .name = "host" };
	const long n = STORE_LOAD_MAX_POINTS + 2, nproc = STORE_LOAD_MAX_PROCS + 1000;
	const struct series *cpu, *started;
	char path[64], err[256], name[24];
	double kept_cpu = 0;
	struct recording r;
	struct store *st;
	size_t i;
	long iv, k;

	(void)state;
	unit_tmp_name(path, sizeof(path), "fold");
	assert_int_equal(store_open(&st, path, err, sizeof(err)), 0);
	assert_int_equal(store_set_meta(st, &m), 0);
	for (iv = 0; iv < n; iv++) {
		assert_int_equal(store_interval_begin(st, T0 + (double)iv + 1, 1), 0);
		put(st, &host, "psi.cpu.some_us", 1);
		/* process k lives in interval k only */
		for (k = iv; k == iv && k < nproc; k++) {
			struct store_entity e = { .kind = 'p', .name = name, .pid = 100 + (uint32_t)k,
						  .comm = "job", .cgroup = "/cron", .ppid = 50,
						  .pcomm = "cron", .gone = true,
						  .start_ms = (int64_t)(T0 + (double)k) * 1000 + 1 };

			snprintf(name, sizeof(name), "%ld", 100 + k);
			put(st, &e, "cpu.oncpu_ns", 1000.0 + (double)k);
		}
		assert_int_equal(store_interval_end(st), 0);
	}
	assert_int_equal(store_close(st), 0);
	assert_int_equal(store_load(path, 0, INFINITY, &r, err, sizeof(err)), 0);
	assert_int_equal(r.merged, 2);
	assert_int_equal(r.procs, (size_t)nproc);
	/* all live one step, alike: all are candidates, the top by CPU stay */
	assert_int_equal(r.procs_folded, (size_t)nproc - STORE_LOAD_FOLD_TOP);
	assert_dbl_eq(r.fold_life_s, 2); /* one step of 2 s */
	cpu = rec_find(&r, 'g', "job|cron|/cron", "cpu.oncpu_ns");
	started = rec_find(&r, 'g', "job|cron|/cron", "group.started");
	assert_non_null(cpu);
	assert_non_null(started);
	/* the group covers the steps of processes 0 .. nproc - 1 */
	assert_int_equal(cpu->n, (size_t)(nproc + 1) / 2);
	assert_dbl_near(sum(started), (double)r.procs_folded, 1e-9);
	for (i = 0; i < r.n; i++)
		if (r.s[i].kind == 'p')
			kept_cpu += sum(&r.s[i]);
	assert_dbl_near(sum(cpu) + kept_cpu,
			1000.0 * (double)nproc + (double)nproc * (double)(nproc - 1) / 2, 1e-3);
	/* the last ones, which used the most CPU */
	assert_non_null(rec_find(&r, 'p', "9099@1700008999001", "cpu.oncpu_ns"));
	assert_null(rec_find(&r, 'p', "9083@1700008983001", "cpu.oncpu_ns"));
	recording_free(&r);
	unit_rm_sqlite(path);
}

/* The sum of a metric over the series of one kind. */
static double kind_sum(const struct recording *r, char kind, const char *metric)
{
	double v = 0;
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->s[i].kind == kind && !strcmp(r->s[i].metric, metric))
			v += sum(&r->s[i]);
	return v;
}

/* store_load_window with a smaller max_procs folds a window that
 * store_load keeps whole: at most that many processes stay on their own,
 * the longest-lived among them, and no CPU time is lost. */
static void test_window_max_procs(void **state)
{
	struct recording all, few;
	char path[64], err[256];
	size_t i, procs = 0;
	int k;

	(void)state;
	unit_tmp_name(path, sizeof(path), "fold");
	write_churn(path);
	assert_int_equal(store_load(path, T0 + 51, T0 + 53, &all, err, sizeof(err)), 0);
	assert_int_equal(all.procs_folded, 0);
	assert_true(all.procs > 300);
	assert_int_equal(store_load_window(path, T0 + 51, T0 + 53,
					   &(struct store_load_opts){ .max_procs = 300 }, &few, err,
					   sizeof(err)), 0);
	assert_int_equal(few.procs, all.procs);
	assert_true(few.procs_folded > 0);
	for (i = 0; i < few.n; i++)
		if (few.s[i].kind == 'p' && !strcmp(few.s[i].metric, "cpu.oncpu_ns"))
			procs++;
	assert_int_equal(procs + few.procs_folded, few.procs);
	assert_true(procs <= 300);
	/* the workers alive then (k % 30 >= 22) lived longer than any `true` */
	for (k = 22; k < NWORKERS; k += 30) {
		char key[64];

		recording_proc_key(3000 + (uint32_t)k, (int64_t)(T0 + k % 30) * 1000, key, sizeof(key));
		assert_non_null(rec_find(&few, 'p', key, "cpu.oncpu_ns"));
	}
	assert_dbl_near(kind_sum(&few, 'p', "cpu.oncpu_ns") + kind_sum(&few, 'g', "cpu.oncpu_ns"),
			kind_sum(&all, 'p', "cpu.oncpu_ns") + kind_sum(&all, 'g', "cpu.oncpu_ns"),
			1e-3);
	recording_free(&all);
	recording_free(&few);
	unit_rm_sqlite(path);
}

/* STORE_LOAD_NO_SELF leaves out the series of the store's own perfpilot
 * process (meta self_pid), and only them. */
static void test_no_self(void **state)
{
	struct store_meta m = { .hostname = "h", .kernel = "6.1.0", .target = "-a", .ncpus = 2,
				.mem_total_bytes = 4e9, .interval_s = 1, .start = T0 };
	struct store_entity self = { .kind = 'p', .name = "77", .pid = 77, .comm = "perfpilot",
				     .cgroup = "/", .start_ms = (int64_t)T0 * 1000 };
	struct store_entity other = { .kind = 'p', .name = "78", .pid = 78, .comm = "worker",
				      .cgroup = "/", .start_ms = (int64_t)T0 * 1000 };
	struct store_self me = { .pid = 77, .cpu_s = 0.5, .rss_peak_bytes = 2e7 };
	struct recording r;
	char path[64], err[256];
	struct store *st;
	int i;

	(void)state;
	unit_tmp_name(path, sizeof(path), "fold");
	assert_int_equal(store_open(&st, path, err, sizeof(err)), 0);
	assert_int_equal(store_set_meta(st, &m), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(store_interval_begin(st, T0 + i + 1, 1), 0);
		put(st, &self, "cpu.oncpu_ns", 1e6);
		put(st, &other, "cpu.oncpu_ns", 2e6);
		assert_int_equal(store_put_self(st, &me), 0);
		assert_int_equal(store_interval_end(st), 0);
	}
	assert_int_equal(store_close(st), 0);
	assert_int_equal(store_load(path, 0, INFINITY, &r, err, sizeof(err)), 0);
	assert_non_null(rec_find(&r, 'p', "77@1700000000000", "cpu.oncpu_ns"));
	recording_free(&r);
	assert_int_equal(store_load_window(path, 0, INFINITY,
					   &(struct store_load_opts){ .flags = STORE_LOAD_NO_SELF }, &r,
					   err, sizeof(err)), 0);
	assert_int_equal(r.self_pid, 77);
	assert_null(rec_find(&r, 'p', "77@1700000000000", "cpu.oncpu_ns"));
	assert_dbl_near(sum(rec_find(&r, 'p', "78@1700000000000", "cpu.oncpu_ns")), 6e6, 1e-6);
	recording_free(&r);
	unit_rm_sqlite(path);
}

/* More processes seen through the whole window than max_procs: none of
 * them is folded (not churn; the findings read their gauges), the
 * short-lived ones still are. */
static void test_long_lived_never_folded(void **state)
{
	struct store_meta m = { .hostname = "h", .kernel = "6.1.0", .target = "-a", .ncpus = 2,
				.mem_total_bytes = 4e9, .interval_s = 1, .start = T0 };
	const int nlong = 400, nshort = 300, ni = 10;
	char path[64], err[256], name[24], key[64];
	struct recording r;
	struct store *st;
	int i, k;

	(void)state;
	unit_tmp_name(path, sizeof(path), "fold");
	assert_int_equal(store_open(&st, path, err, sizeof(err)), 0);
	assert_int_equal(store_set_meta(st, &m), 0);
	for (i = 0; i < ni; i++) {
		assert_int_equal(store_interval_begin(st, T0 + i + 1, 1), 0);
		for (k = 0; k < nlong; k++) {
			struct store_entity e = { .kind = 'p', .name = name, .pid = 1000 + (uint32_t)k,
						  .comm = "daemon", .cgroup = "/srv", .ppid = 1,
						  .pcomm = "systemd",
						  .start_ms = (int64_t)(T0 - 60) * 1000 };

			snprintf(name, sizeof(name), "%d", 1000 + k);
			put(st, &e, "cpu.oncpu_ns", 1e6);
			put(st, &e, "mem.rss_bytes", 1e7 + 1e4 * i); /* growing */
		}
		for (k = i * nshort / ni; k < (i + 1) * nshort / ni; k++) {
			struct store_entity e = { .kind = 'p', .name = name, .pid = 5000 + (uint32_t)k,
						  .comm = "sh", .cgroup = "/cron", .ppid = 40,
						  .pcomm = "cron", .gone = true,
						  .start_ms = (int64_t)(T0 + i) * 1000 + 1 };

			snprintf(name, sizeof(name), "%d", 5000 + k);
			put(st, &e, "cpu.oncpu_ns", 1000);
		}
		assert_int_equal(store_interval_end(st), 0);
	}
	assert_int_equal(store_close(st), 0);
	assert_int_equal(store_load_window(path, 0, INFINITY,
					   &(struct store_load_opts){ .max_procs = 300 }, &r, err,
					   sizeof(err)), 0);
	assert_int_equal(r.procs, (size_t)(nlong + nshort));
	assert_int_equal(r.procs_folded, (size_t)nshort - STORE_LOAD_FOLD_TOP);
	for (k = 0; k < nlong; k++) {
		recording_proc_key(1000 + (uint32_t)k, (int64_t)(T0 - 60) * 1000, key, sizeof(key));
		assert_non_null(rec_find(&r, 'p', key, "mem.rss_bytes"));
	}
	assert_non_null(rec_find(&r, 'g', "sh|cron|/cron", "group.started"));
	recording_free(&r);
	unit_rm_sqlite(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_churn_folded),
		cmocka_unit_test(test_new_group),
		cmocka_unit_test(test_few_not_folded),
		cmocka_unit_test(test_folded_in_steps),
		cmocka_unit_test(test_window_max_procs),
		cmocka_unit_test(test_no_self),
		cmocka_unit_test(test_long_lived_never_folded),
	};

	return cmocka_run_group_tests_name("load_fold", tests, NULL, NULL);
}
