// SPDX-License-Identifier: GPL-2.0
/* store: write intervals as `record` does, load them back; bad files. */
#include <math.h>
#include <stdlib.h>
#include <unistd.h>
#include <sqlite3.h>
#include "unit.h"
#include "record/write.h"
#include "store/rollup.h"
#include "store/schema.h"
#include "store/store.h"
#include "store/store_findings.h"

#define T0 1700000000.0

/* A free name for a new store (the store creates the file). */
static struct proc_sample proc(uint32_t pid, const char *comm, const char *cg, double oncpu,
			       double rss)
{
	struct proc_sample s;

	memset(&s, 0, sizeof(s));
	s.pid = pid;
	snprintf(s.comm, sizeof(s.comm), "%s", comm);
	snprintf(s.cgroup, sizeof(s.cgroup), "%s", cg);
	s.oncpu_ns = (uint64_t)oncpu;
	s.runq_lat_us.p99 = oncpu ? 250 : 0;
	s.has_mem = rss > 0;
	s.rss_bytes = (int64_t)rss;
	return s;
}

static void meta(struct store *st, double interval)
{
	struct store_meta m = { .hostname = "testhost", .kernel = "6.1.0", .target = "-p 100,200",
				.ncpus = 2, .mem_total_bytes = 4e9, .interval_s = interval,
				.start = T0 };

	assert_int_equal(store_set_meta(st, &m), 0);
}

/* A store at path, its meta written with 1 s intervals. */
static struct store *open_store(const char *path)
{
	struct store *st;
	char err[256];

	assert_int_equal(store_open(&st, path, err, sizeof(err)), 0);
	meta(st, 1);
	return st;
}

/*
 * Five 1 s intervals: pid 100 in /x all along (on-CPU 1,2,0,3,1 s; RSS 4096
 * three times then 8192), pid 200 in /x in intervals 2 and 3, host PSI and
 * CPU, a disk, a network namespace.
 */
static void write_five(const char *path)
{
	static const double cpu[5] = {1e9, 2e9, 0, 3e9, 1e9};
	static const double rss[5] = {4096, 4096, 4096, 8192, 8192};
	struct store *st;
	int i;

	st = open_store(path);
	for (i = 0; i < 5; i++) {
		struct proc_sample p[2];
		struct host_values h = { .psi = { .cpu = true, .cpu_some_us = 1000.0 * i },
					 .has_busy = true, .cpu_busy_ns = 5e8,
					 .has_runnable = true, .runnable = 3,
					 .has_available = true, .mem_available_bytes = 2e9 };
		struct cg_values cg = { .path = "/x", .has_memory = true, .memory_bytes = 1e6 + i,
					.has_limit = i == 4, .memory_limit_bytes = 2e6 };
		struct dev_sample d = { .name = "vda", .write_bytes = 4096, .write_ops = 1 };
		struct disk_busy b = { .name = "vda", .busy_ns = 2e6 };
		struct netns_sample ns = { .netns = 4026531840u, .listen_overflows = i == 2 ? 7 : 0,
					   .listen_drops = -1 };
		struct netns_values nv = { .netns = 4026531840u, .has_retrans = true,
					   .retrans_segs = i };
		struct store_self self = { .pid = 4242, .cpu_s = 0.5 * (i + 1),
					   .rss_peak_bytes = 3e7 };
		struct interval_data data = { .ts = T0 + i + 1, .length_s = 1, .procs = p,
					      .cgs = &cg, .ncgs = 1, .host = &h, .devs = &d,
					      .ndevs = 1, .busy = &b, .nbusy = 1, .ns = &ns,
					      .nns = 1, .nsv = &nv, .nnsv = 1, .self = &self };
		size_t n = 0;

		p[n++] = proc(100, "a", "/x", cpu[i], rss[i]);
		if (i == 1 || i == 2)
			p[n++] = proc(200, "b", "/x", 5e8, 0);
		data.nprocs = n;
		assert_int_equal(record_write_interval(st, &data), 0);
	}
	assert_int_equal(store_close(st), 0);
}

static void assert_series(const struct recording *r, char kind, const char *ent, const char *metric,
			  const double *want, size_t n, double t_first)
{
	const struct series *s = rec_find(r, kind, ent, metric);
	size_t i;

	if (!s)
		fail_msg("no series %c %s %s", kind, ent, metric);
	if (s->n != n)
		fail_msg("%s %s: %zu points, expected %zu", ent, metric, s->n, n);
	for (i = 0; i < n; i++) {
		if (s->v[i] != want[i])
			fail_msg("%s %s[%zu] = %g, expected %g", ent, metric, i, s->v[i], want[i]);
		assert_dbl_near(s->t[i], t_first + (double)i, 1e-6);
	}
}

static void test_round_trip(void **state)
{
	static const double cpu[5] = {1e9, 2e9, 0, 3e9, 1e9};
	static const double rss[5] = {4096, 4096, 4096, 8192, 8192};
	static const double cg_cpu[5] = {1e9, 2.5e9, 5e8, 3e9, 1e9};
	static const double b_cpu[2] = {5e8, 5e8};
	static const double psi[5] = {0, 1000, 2000, 3000, 4000};
	static const double cgmem[5] = {1e6, 1e6 + 1, 1e6 + 2, 1e6 + 3, 1e6 + 4};
	static const double lim[1] = {2e6};
	static const double busy[5] = {2e6, 2e6, 2e6, 2e6, 2e6};
	static const double ovf[5] = {0, 0, 7, 0, 0};
	static const double retr[5] = {0, 1, 2, 3, 4};
	static const double runnable[5] = {3, 3, 3, 3, 3};
	struct recording r;
	char path[64], err[256];
	const struct series *s;

	(void)state;
	unit_tmp_name(path, sizeof(path), "store");
	write_five(path);
	assert_int_equal(store_load(path, 0, INFINITY, &r, err, sizeof(err)), 0);
	assert_int_equal(r.schema_version, STORE_SCHEMA_VERSION);
	assert_string_equal(r.hostname, "testhost");
	assert_string_equal(r.kernel, "6.1.0");
	assert_string_equal(r.target, "-p 100,200");
	assert_int_equal(r.ncpus, 2);
	assert_dbl_eq(r.mem_total_bytes, 4e9);
	assert_dbl_eq(r.interval_s, 1);
	assert_dbl_near(r.start, T0, 1e-3);
	assert_dbl_near(r.end, T0 + 5, 1e-3);
	assert_null(r.folded);
	assert_false(r.unsorted);
	/* perfpilot's own cost: the last interval's */
	assert_int_equal(r.self_pid, 4242);
	assert_dbl_eq(r.self_cpu_s, 2.5);
	assert_dbl_eq(r.self_rss_peak_bytes, 3e7);
	assert_series(&r, 'p', "100", "cpu.oncpu_ns", cpu, 5, T0 + 1);
	assert_series(&r, 'p', "100", "mem.rss_bytes", rss, 5, T0 + 1);
	assert_series(&r, 'p', "200", "cpu.oncpu_ns", b_cpu, 2, T0 + 2);
	assert_series(&r, 'c', "/x", "cpu.oncpu_ns", cg_cpu, 5, T0 + 1);
	assert_series(&r, 'c', "/x", "cg.memory_bytes", cgmem, 5, T0 + 1);
	assert_series(&r, 'c', "/x", "cg.memory_limit_bytes", lim, 1, T0 + 5);
	assert_series(&r, 'h', "host", "psi.cpu.some_us", psi, 5, T0 + 1);
	assert_series(&r, 'h', "host", "host.runnable", runnable, 5, T0 + 1);
	assert_series(&r, 'd', "vda", "dev.busy_ns", busy, 5, T0 + 1);
	assert_series(&r, 'n', "4026531840", "net.listen_overflows", ovf, 5, T0 + 1);
	assert_series(&r, 'n', "4026531840", "net.retrans_segs", retr, 5, T0 + 1);
	s = rec_find(&r, 'p', "100", "sched.runq_p99_us");
	assert_non_null(s);
	assert_dbl_eq(s->v[0], 250);
	assert_dbl_eq(s->v[2], 0);
	s = rec_find(&r, 'p', "100", "cpu.oncpu_ns");
	assert_string_equal(s->comm, "a");
	assert_string_equal(s->cgroup, "/x");
	assert_int_equal(s->pid, 100);
	/* zero everywhere: no series; pid 200 had no RSS */
	assert_null(rec_find(&r, 'p', "100", "io.read_bytes"));
	assert_null(rec_find(&r, 'p', "200", "mem.rss_bytes"));
	recording_free(&r);
	/* sparse: zeros are not stored, the constant runnable once */
	assert_int_equal(unit_sql_int(path, "SELECT count(*) FROM sample s JOIN metric m ON "
				    "m.id = s.metric_id WHERE m.name = 'cpu.oncpu_ns' AND "
				    "s.entity_id = (SELECT id FROM entity WHERE name = '100')"), 4);
	assert_int_equal(unit_sql_int(path, "SELECT count(*) FROM sample s JOIN metric m ON "
				    "m.id = s.metric_id WHERE m.name = 'host.runnable'"), 1);
	assert_int_equal(unit_sql_int(path, "SELECT count(*) FROM sample WHERE value = 0"), 0);
	assert_int_equal(unit_sql_int(path, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	unit_rm_sqlite(path);
}

static void test_window(void **state)
{
	static const double cpu[3] = {2e9, 0, 3e9};
	static const double rss[3] = {4096, 4096, 8192};
	static const double b_cpu[2] = {5e8, 5e8};
	struct recording r;
	char path[64], err[256];

	(void)state;
	unit_tmp_name(path, sizeof(path), "store");
	write_five(path);
	assert_int_equal(store_load(path, T0 + 2, T0 + 4, &r, err, sizeof(err)), 0);
	assert_series(&r, 'p', "100", "cpu.oncpu_ns", cpu, 3, T0 + 2);
	/* the gauge stored at T0 + 1 is carried into the window */
	assert_series(&r, 'p', "100", "mem.rss_bytes", rss, 3, T0 + 2);
	assert_series(&r, 'p', "200", "cpu.oncpu_ns", b_cpu, 2, T0 + 2);
	recording_free(&r);
	/* a window with no interval: an empty recording, not an error */
	assert_int_equal(store_load(path, T0 + 100, T0 + 200, &r, err, sizeof(err)), 0);
	assert_int_equal(r.n, 0);
	assert_string_equal(r.hostname, "testhost");
	recording_free(&r);
	unit_rm_sqlite(path);
}

/* A constant gauge is written again every STORE_GAUGE_REFRESH intervals. */
static void test_gauge_refresh(void **state)
{
	struct recording r;
	struct store *st;
	char path[64], err[256];
	const struct series *s;
	int i;

	(void)state;
	unit_tmp_name(path, sizeof(path), "store");
	st = open_store(path);
	for (i = 0; i < 2 * STORE_GAUGE_REFRESH + 10; i++) {
		struct proc_sample p = proc(7, "g", "/", 1e6, 1 << 20);
		struct interval_data d = { .ts = T0 + i + 1, .length_s = 1, .procs = &p, .nprocs = 1 };

		assert_int_equal(record_write_interval(st, &d), 0);
	}
	assert_int_equal(store_close(st), 0);
	assert_int_equal(unit_sql_int(path, "SELECT count(*) FROM sample s JOIN metric m ON "
				    "m.id = s.metric_id WHERE m.name = 'mem.rss_bytes' AND "
				    "s.entity_id = (SELECT id FROM entity WHERE kind = 'p')"), 3);
	assert_int_equal(store_load(path, 0, INFINITY, &r, err, sizeof(err)), 0);
	s = rec_find(&r, 'p', "7", "mem.rss_bytes");
	assert_non_null(s);
	assert_int_equal(s->n, 2 * STORE_GAUGE_REFRESH + 10);
	assert_dbl_eq(s->v[s->n - 1], 1 << 20);
	recording_free(&r);
	unit_rm_sqlite(path);
}

/* A process away for longer than the writer caches it comes back as the
 * same entity: one series over its whole span, its gauge carried across. */
static void test_entity_returns(void **state)
{
	const int away = 3 * STORE_GAUGE_REFRESH;
	struct recording r;
	struct store *st;
	char path[64], err[256];
	const struct series *s;
	int i;

	(void)state;
	unit_tmp_name(path, sizeof(path), "store");
	st = open_store(path);
	for (i = 0; i <= away + 1; i++) {
		struct proc_sample p[2] = { proc(1, "init", "/", 1e6, 0), proc(5, "back", "/", 2e6, 100) };
		struct interval_data d = { .ts = T0 + i + 1, .length_s = 1, .procs = p,
					   .nprocs = i == 0 || i == away + 1 ? 2 : 1 };

		assert_int_equal(record_write_interval(st, &d), 0);
	}
	assert_int_equal(store_close(st), 0);
	assert_int_equal(unit_sql_int(path, "SELECT count(*) FROM entity WHERE name = '5'"), 1);
	assert_int_equal(store_load(path, 0, INFINITY, &r, err, sizeof(err)), 0);
	s = rec_find(&r, 'p', "5", "cpu.oncpu_ns");
	assert_non_null(s);
	assert_int_equal(s->n, away + 2);
	assert_dbl_eq(s->v[0], 2e6);
	assert_dbl_eq(s->v[1], 0);
	assert_dbl_eq(s->v[away + 1], 2e6);
	s = rec_find(&r, 'p', "5", "mem.rss_bytes");
	assert_non_null(s);
	assert_int_equal(s->n, away + 2);
	assert_dbl_eq(s->v[away / 2], 100);
	recording_free(&r);
	unit_rm_sqlite(path);
}

/* Appending: a second session continues the first. */
static void test_append(void **state)
{
	struct recording r;
	struct store *st;
	char path[64], err[256];
	const struct series *s;
	struct proc_sample p = proc(100, "a", "/x", 7e9, 4096);
	struct interval_data d = { .ts = T0 + 10, .length_s = 1, .procs = &p, .nprocs = 1 };

	(void)state;
	unit_tmp_name(path, sizeof(path), "store");
	write_five(path);
	assert_int_equal(store_check_target(path, err, sizeof(err)), 0);
	st = open_store(path);
	assert_int_equal(record_write_interval(st, &d), 0);
	assert_int_equal(store_intervals(st), 6);
	assert_int_equal(store_close(st), 0);
	assert_int_equal(store_load(path, 0, INFINITY, &r, err, sizeof(err)), 0);
	s = rec_find(&r, 'p', "100", "cpu.oncpu_ns");
	assert_int_equal(s->n, 6);
	assert_dbl_eq(s->v[5], 7e9);
	assert_dbl_near(s->t[5], T0 + 10, 1e-6);
	assert_dbl_near(r.start, T0, 1e-3);
	assert_dbl_near(r.end, T0 + 10, 1e-3);
	recording_free(&r);
	unit_rm_sqlite(path);
}

/* A process is its pid and its start: two processes of one pid are two
 * entities and two series; an exited one leaves the writer's cache. */
static void test_identity(void **state)
{
	static const double one[2] = {1e9, 0}, two[2] = {3e9, 4e9};
	struct recording r;
	struct store *st;
	char path[64], err[256], key[64];
	const struct series *s;
	size_t cached;
	unsigned long long evicted;
	int i;

	(void)state;
	unit_tmp_name(path, sizeof(path), "store");
	st = open_store(path);
	for (i = 0; i < 4; i++) {
		struct proc_sample p = proc(7, i < 2 ? "first" : "second", "/x", i < 2 ? one[i] : two[i - 2], 0);
		struct interval_data d = { .ts = T0 + i + 1, .length_s = 1, .procs = &p, .nprocs = 1 };

		p.start_ms = i < 2 ? 1699999999000 : 1700000002500;
		p.ppid = 1;
		snprintf(p.pcomm, sizeof(p.pcomm), "init");
		p.exited = i == 1 || i == 3;
		if (p.exited)
			p.oncpu_ns = (uint64_t)(i < 2 ? 5e8 : 4e9);
		assert_int_equal(record_write_interval(st, &d), 0);
		store_cache_stats(st, &cached, &evicted);
		/* the process entity goes with its last interval; the cgroup stays */
		assert_int_equal(cached, p.exited ? 1 : 2);
	}
	store_cache_stats(st, &cached, &evicted);
	assert_int_equal(evicted, 2);
	assert_int_equal(store_close(st), 0);
	assert_int_equal(unit_sql_int(path, "SELECT count(*) FROM entity WHERE kind = 'p' AND name = '7'"), 2);
	assert_int_equal(unit_sql_int(path, "SELECT count(*) FROM entity WHERE kind = 'p' AND"
				      " first_interval = last_interval - 1 AND ppid = 1 AND pcomm = 'init'"), 2);
	assert_int_equal(store_load(path, 0, INFINITY, &r, err, sizeof(err)), 0);
	assert_null(rec_find(&r, 'p', "7", "cpu.oncpu_ns"));
	s = rec_find(&r, 'p', recording_proc_key(7, 1699999999000, key, sizeof(key)), "cpu.oncpu_ns");
	assert_non_null(s);
	assert_string_equal(s->comm, "first");
	assert_int_equal(s->n, 2);
	assert_dbl_eq(s->v[1], 5e8);
	assert_dbl_eq(s->start, 1699999999.0);
	assert_int_equal(s->pid, 7);
	assert_int_equal(s->ppid, 1);
	assert_string_equal(s->pcomm, "init");
	s = rec_find(&r, 'p', recording_proc_key(7, 1700000002500, key, sizeof(key)), "cpu.oncpu_ns");
	assert_non_null(s);
	assert_string_equal(s->comm, "second");
	assert_int_equal(s->n, 2);
	assert_dbl_eq(s->v[0], 3e9);
	assert_dbl_near(s->t[0], T0 + 3, 1e-6);
	recording_free(&r);
	unit_rm_sqlite(path);
}

/* The writer's cache stays bounded under churn: processes that come once
 * and exit are all evicted. */
static void test_cache_bounded_under_churn(void **state)
{
	struct store *st;
	char path[64];
	size_t cached;
	unsigned long long evicted;
	int i, k;

	(void)state;
	unit_tmp_name(path, sizeof(path), "store");
	st = open_store(path);
	for (i = 0; i < 50; i++) {
		struct proc_sample p[41];
		struct interval_data d = { .ts = T0 + i + 1, .length_s = 1, .procs = p, .nprocs = 41 };

		p[0] = proc(1, "resident", "/", 1e6, 4096);
		for (k = 1; k <= 40; k++) {
			p[k] = proc((uint32_t)(1000 + i * 40 + k), "brief", "/", 1e6, 0);
			p[k].start_ms = 1700000000000 + i * 40 + k;
			p[k].exited = true;
		}
		assert_int_equal(record_write_interval(st, &d), 0);
	}
	store_cache_stats(st, &cached, &evicted);
	assert_int_equal(cached, 2); /* the resident process and its cgroup */
	assert_int_equal(evicted, 50 * 40);
	assert_int_equal(store_close(st), 0);
	assert_int_equal(unit_sql_int(path, "SELECT count(*) FROM entity WHERE kind = 'p'"), 2001);
	unit_rm_sqlite(path);
}

/*
 * A window longer than STORE_LOAD_MAX_POINTS intervals is read in steps:
 * 3 intervals each here, per-interval values summed, percentiles the
 * largest, gauges the last; a process of two intervals costs the steps it
 * was in, and the series share the recording's times.
 */
static void test_long_window_merged(void **state)
{
	const long n = 3 * STORE_LOAD_MAX_POINTS;
	struct store_entity host = { .kind = 'h', .name = "host" };
	struct store_entity p = { .kind = 'p', .name = "100", .pid = 100, .comm = "long",
				  .cgroup = "/x", .start_ms = 1600000000000 };
	struct store_entity brief = { .kind = 'p', .name = "200", .pid = 200, .comm = "brief",
				      .cgroup = "/x", .start_ms = 1700000000000 };
	const struct series *cpu, *p99, *rss, *b;
	struct recording r;
	struct store *st;
	char path[64], err[256];
	long i;

	(void)state;
	unit_tmp_name(path, sizeof(path), "store");
	st = open_store(path);
	for (i = 0; i < n; i++) {
		assert_int_equal(store_interval_begin(st, T0 + (double)i + 1, 1), 0);
		assert_int_equal(store_put(st, &host, "psi.cpu.some_us", 1), 0);
		assert_int_equal(store_put(st, &p, "sched.runq_p99_us", (double)(i % 3 == 1 ? 50 : 10)), 0);
		assert_int_equal(store_put(st, &p, "mem.rss_bytes", (double)i), 0);
		if (i == 30001 || i == 30002) {
			brief.gone = i == 30002;
			assert_int_equal(store_put(st, &brief, "cpu.oncpu_ns", 1e6), 0);
		}
		assert_int_equal(store_interval_end(st), 0);
	}
	assert_int_equal(store_close(st), 0);

	assert_int_equal(store_load(path, 0, INFINITY, &r, err, sizeof(err)), 0);
	assert_int_equal(r.merged, 3);
	assert_dbl_near(r.interval_s, 3, 1e-9);
	cpu = rec_find(&r, 'h', "host", "psi.cpu.some_us");
	p99 = rec_find(&r, 'p', "100@1600000000000", "sched.runq_p99_us");
	rss = rec_find(&r, 'p', "100@1600000000000", "mem.rss_bytes");
	b = rec_find(&r, 'p', "200@1700000000000", "cpu.oncpu_ns");
	assert_non_null(cpu);
	assert_non_null(p99);
	assert_non_null(rss);
	assert_non_null(b);
	assert_int_equal(cpu->n, (size_t)(n / 3));
	assert_int_equal(rss->n, (size_t)(n / 3));
	for (i = 0; i < n / 3; i++) {
		assert_dbl_near(cpu->t[i], T0 + 3.0 * (double)i + 3, 1e-6);
		assert_dbl_near(cpu->v[i], 3, 1e-9);
		assert_dbl_near(p99->v[i], 50, 1e-9);
		assert_dbl_near(rss->v[i], 3.0 * (double)i + 2, 1e-9);
	}
	/* intervals 30001 and 30002 (0-based) are both in step 10000 */
	assert_int_equal(b->n, 1);
	assert_dbl_near(b->v[0], 2e6, 1e-3);
	assert_dbl_near(b->t[0], T0 + 30003, 1e-6);
	assert_true(cpu->t_shared && b->t_shared);
	assert_ptr_equal(b->t, cpu->t + 10000);
	assert_ptr_equal(p99->entity, rss->entity);

	/* fewer points asked for (diff): longer steps, the same sums */
	recording_free(&r);
	assert_int_equal(store_load_points(path, 0, INFINITY, 0, 100, &r, err, sizeof(err)), 0);
	assert_int_equal(r.merged, (unsigned)((n + 99) / 100));
	assert_int_equal(r.ntimes, (size_t)(n / r.merged + (n % r.merged != 0)));
	cpu = rec_find(&r, 'h', "host", "psi.cpu.some_us");
	assert_non_null(cpu);
	assert_int_equal(cpu->n, r.ntimes);
	assert_dbl_near(cpu->v[0], (double)r.merged, 1e-9);

	/* a window within the limit: every interval, as stored */
	recording_free(&r);
	assert_int_equal(store_load(path, T0 + 30001, T0 + 30010, &r, err, sizeof(err)), 0);
	assert_true(r.merged <= 1);
	assert_dbl_near(r.interval_s, 1, 1e-9);
	b = rec_find(&r, 'p', "200@1700000000000", "cpu.oncpu_ns");
	assert_non_null(b);
	assert_int_equal(b->n, 2);
	recording_free(&r);
	unit_rm_sqlite(path);
}

static void exec_file(const char *path, const char *sql)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	sqlite3_close(db);
}

/* A version 1 file made by hand: samples by wall-clock ms, zeros stored. */
static void test_migrate_v1(void **state)
{
	static const double cpu[3] = {1e9, 0, 2e9};
	static const double rss[3] = {100, 100, 200};
	struct recording r;
	char path[64], err[256];

	(void)state;
	unit_tmp_name(path, sizeof(path), "store");
	exec_file(path, schema_v1_sql);
	exec_file(path,
		  "INSERT INTO meta VALUES('interval', '1'), ('hostname', 'old'), ('start', '1700000000'),"
		  " ('end', '1700000003');"
		  "INSERT INTO entity VALUES(1, 'p', '42', 42, 'old', '/y');"
		  "INSERT INTO metric VALUES(1, 'cpu.oncpu_ns'), (2, 'mem.rss_bytes');"
		  "INSERT INTO sample VALUES(1700000001000, 1, 1, 1e9), (1700000002000, 1, 1, 0),"
		  " (1700000003000, 1, 1, 2e9), (1700000001000, 1, 2, 100),"
		  " (1700000002000, 1, 2, 100), (1700000003000, 1, 2, 200);");
	assert_int_equal(unit_sql_int(path, "PRAGMA user_version"), 1);
	assert_int_equal(store_load(path, 0, INFINITY, &r, err, sizeof(err)), 0);
	assert_string_equal(r.hostname, "old");
	assert_int_equal(r.schema_version, STORE_SCHEMA_VERSION);
	assert_series(&r, 'p', "42", "cpu.oncpu_ns", cpu, 3, T0 + 1);
	assert_series(&r, 'p', "42", "mem.rss_bytes", rss, 3, T0 + 1);
	recording_free(&r);
	/* migrated in place */
	assert_int_equal(unit_sql_int(path, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_int_equal(unit_sql_int(path, "SELECT count(*) FROM interval"), 3);
	assert_int_equal(unit_sql_int(path, "SELECT value FROM meta WHERE key = 'schema_version'"),
			 STORE_SCHEMA_VERSION);
	assert_int_equal(unit_sql_int(path, "SELECT last_interval FROM entity"), 3);
	/* through version 2 to 3: the finding table, empty */
	assert_int_equal(unit_sql_int(path, "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
				    " AND name IN ('profile', 'finding')"), 2);
	assert_int_equal(unit_sql_int(path, "SELECT count(*) FROM finding"), 0);
	unit_rm_sqlite(path);
}

/* A version 2 file made by hand: intervals, sparse samples, a profile. */
static void test_migrate_v2(void **state)
{
	static const double cpu[3] = {1e9, 0, 2e9};
	struct stored_findings sf;
	struct recording r;
	char path[64], err[256];

	(void)state;
	unit_tmp_name(path, sizeof(path), "store");
	exec_file(path, schema_v2_sql);
	exec_file(path,
		  "INSERT INTO meta VALUES('schema_version', '2'), ('interval', '1'),"
		  " ('hostname', 'two'), ('start', '1700000000'), ('end', '1700000003');"
		  "INSERT INTO entity VALUES(1, 'p', '42', 42, 'two', '/y', 1, 3);"
		  "INSERT INTO metric VALUES(1, 'cpu.oncpu_ns', 0);"
		  "INSERT INTO interval VALUES(1, 1700000001000, 1000), (2, 1700000002000, 1000),"
		  " (3, 1700000003000, 1000);"
		  "INSERT INTO sample VALUES(1, 1, 1, 1e9), (3, 1, 1, 2e9);"
		  "INSERT INTO profile VALUES(1, 1700000000000, 1700000003000, 'a;b 3');"
		  "PRAGMA user_version = 2;");
	assert_int_equal(unit_sql_int(path, "SELECT count(*) FROM sqlite_master WHERE name = 'finding'"),
			 0);
	assert_int_equal(store_load(path, 0, INFINITY, &r, err, sizeof(err)), 0);
	assert_string_equal(r.hostname, "two");
	assert_int_equal(r.schema_version, STORE_SCHEMA_VERSION);
	assert_series(&r, 'p', "42", "cpu.oncpu_ns", cpu, 3, T0 + 1);
	assert_non_null(r.folded);
	assert_string_equal(r.folded, "a;b 3\n");
	recording_free(&r);
	assert_int_equal(unit_sql_int(path, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_int_equal(unit_sql_int(path, "SELECT value FROM meta WHERE key = 'schema_version'"),
			 STORE_SCHEMA_VERSION);
	assert_int_equal(unit_sql_int(path, "SELECT count(*) FROM finding"), 0);
	assert_int_equal(unit_sql_int(path, "SELECT count(*) FROM sample"), 2);
	/* migrated, but never analysed */
	assert_int_equal(store_findings_load(path, &sf, err, sizeof(err)), 0);
	assert_false(sf.present);
	assert_int_equal(sf.n, 0);
	unit_rm_sqlite(path);
}

/* A version 3 file made by hand: entities keyed by (kind, name) only. The
 * migration keeps them (start 0: unknown) and the next writer adds a
 * process of the same pid with its start as another entity. */
static void test_migrate_v3(void **state)
{
	static const double cpu[2] = {1e9, 2e9};
	struct recording r;
	struct store *st;
	char path[64], err[256], key[64];
	struct proc_sample p = proc(42, "new", "/y", 5e8, 0);
	struct interval_data d = { .ts = T0 + 3, .length_s = 1, .procs = &p, .nprocs = 1 };

	(void)state;
	unit_tmp_name(path, sizeof(path), "store");
	exec_file(path, schema_v2_sql);
	exec_file(path, schema_v3_added_sql);
	exec_file(path,
		  "INSERT INTO meta VALUES('schema_version', '3'), ('interval', '1'),"
		  " ('hostname', 'three'), ('start', '1700000000'), ('end', '1700000002');"
		  "INSERT INTO entity VALUES(1, 'p', '42', 42, 'old', '/y', 1, 2),"
		  " (2, 'h', 'host', NULL, NULL, NULL, 1, 2);"
		  "INSERT INTO metric VALUES(1, 'cpu.oncpu_ns', 0);"
		  "INSERT INTO interval VALUES(1, 1700000001000, 1000), (2, 1700000002000, 1000);"
		  "INSERT INTO sample VALUES(1, 1, 1, 1e9), (2, 1, 1, 2e9);"
		  "INSERT INTO finding VALUES(1, 1700000003000, 1700000000000, 1700000002000,"
		  " 'oom_kill', 'critical', 'memory', 'kept', '{}');"
		  "PRAGMA user_version = 3;");
	assert_int_equal(store_load(path, 0, INFINITY, &r, err, sizeof(err)), 0);
	assert_int_equal(r.schema_version, STORE_SCHEMA_VERSION);
	assert_series(&r, 'p', "42", "cpu.oncpu_ns", cpu, 2, T0 + 1);
	assert_dbl_eq(rec_find(&r, 'p', "42", "cpu.oncpu_ns")->start, 0);
	recording_free(&r);
	assert_int_equal(unit_sql_int(path, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_int_equal(unit_sql_int(path, "SELECT count(*) FROM entity WHERE start_ms = 0"), 2);
	assert_int_equal(unit_sql_int(path, "SELECT count(*) FROM finding"), 1);
	/* append: pid 42 again, now with its start: another process */
	p.start_ms = 1700000002200;
	st = open_store(path);
	assert_int_equal(record_write_interval(st, &d), 0);
	assert_int_equal(store_close(st), 0);
	assert_int_equal(unit_sql_int(path, "SELECT count(*) FROM entity WHERE name = '42'"), 2);
	assert_int_equal(store_load(path, 0, INFINITY, &r, err, sizeof(err)), 0);
	assert_series(&r, 'p', "42", "cpu.oncpu_ns", cpu, 2, T0 + 1);
	assert_non_null(rec_find(&r, 'p', recording_proc_key(42, 1700000002200, key, sizeof(key)),
				 "cpu.oncpu_ns"));
	recording_free(&r);
	unit_rm_sqlite(path);
}

/*
 * A version 4 file made by hand (the tables as version 4 had them): its
 * intervals become rows as recorded (step_ms 0, merged 1), sample_stat is
 * created empty; the store reads as before, and rolls up afterwards.
 */
static void test_migrate_v4(void **state)
{
	static const double cpu[3] = {1e9, 0, 2e9};
	static const double rss[3] = {100, 100, 300};
	struct rollup_policy p;
	struct rollup_stats rs;
	struct recording r;
	struct store *st;
	char path[64], err[256];

	(void)state;
	unit_tmp_name(path, sizeof(path), "store");
	exec_file(path, schema_v2_sql);
	exec_file(path, schema_v3_added_sql);
	exec_file(path, schema_v4_added_sql);
	exec_file(path,
		  "INSERT INTO meta VALUES('schema_version', '4'), ('interval', '1'),"
		  " ('hostname', 'four'), ('start', '1700000000'), ('end', '1700000003');"
		  "INSERT INTO entity VALUES(1, 'p', '42', 42, 'four', '/y', 1, 3, 1699999000000,"
		  " 1, 'init');"
		  "INSERT INTO metric VALUES(1, 'cpu.oncpu_ns', 0), (2, 'mem.rss_bytes', 1);"
		  "INSERT INTO interval VALUES(1, 1700000001000, 1000), (2, 1700000002000, 1000),"
		  " (3, 1700000003000, 1000);"
		  "INSERT INTO sample VALUES(1, 1, 1, 1e9), (3, 1, 1, 2e9), (1, 1, 2, 100),"
		  " (3, 1, 2, 300);"
		  "PRAGMA user_version = 4;");
	assert_int_equal(unit_sql_int(path, "SELECT count(*) FROM pragma_table_info('interval')"), 3);
	assert_int_equal(store_load(path, 0, INFINITY, &r, err, sizeof(err)), 0);
	assert_int_equal(r.schema_version, STORE_SCHEMA_VERSION);
	assert_dbl_eq(r.interval_s, 1);
	assert_series(&r, 'p', "42@1699999000000", "cpu.oncpu_ns", cpu, 3, T0 + 1);
	assert_series(&r, 'p', "42@1699999000000", "mem.rss_bytes", rss, 3, T0 + 1);
	recording_free(&r);
	assert_int_equal(unit_sql_int(path, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_int_equal(unit_sql_int(path, "SELECT value FROM meta WHERE key = 'schema_version'"),
			 STORE_SCHEMA_VERSION);
	assert_int_equal(unit_sql_int(path, "SELECT count(*) FROM interval WHERE step_ms = 0 AND"
				    " merged = 1"), 3);
	assert_int_equal(unit_sql_int(path, "SELECT count(*) FROM sample_stat"), 0);
	assert_int_equal(unit_sql_int(path, "SELECT count(*) FROM sample"), 4);
	/* its three seconds, one 10 s step once they are old enough */
	assert_int_equal(store_open(&st, path, err, sizeof(err)), 0);
	assert_int_equal(rollup_policy_ages(&p, 60, 3600, err, sizeof(err)), 0);
	assert_int_equal(store_rollup(st, &p, T0 + 100, 1, &rs), 0);
	assert_int_equal(rs.steps, 1);
	assert_int_equal(store_close(st), 0);
	assert_int_equal(unit_sql_int(path, "SELECT id * 1000 + merged FROM interval"), 3003);
	assert_int_equal(unit_sql_int(path, "SELECT sum(value) FROM sample WHERE metric_id = 1"), 3e9);
	assert_int_equal(unit_sql_int(path, "SELECT value FROM sample WHERE metric_id = 2"), 300);
	/* the gauge's low and high (carried through interval 2), the counter's */
	assert_int_equal(unit_sql_int(path, "SELECT min FROM sample_stat WHERE metric_id = 2"), 100);
	assert_int_equal(unit_sql_int(path, "SELECT max FROM sample_stat WHERE metric_id = 2"), 300);
	assert_int_equal(unit_sql_int(path, "SELECT max FROM sample_stat WHERE metric_id = 1"), 2e9);
	assert_int_equal(unit_sql_int(path, "SELECT mean FROM sample_stat WHERE metric_id = 1"), 1e9);
	assert_int_equal(unit_sql_int(path, "SELECT first_interval * 10 + last_interval FROM"
				    " entity"), 33);
	unit_rm_sqlite(path);
}

/* The findings loader migrates a version 2 store too (report --stored). */
static void test_migrate_v2_by_findings_load(void **state)
{
	struct stored_findings sf;
	char path[64], err[256];

	(void)state;
	unit_tmp_name(path, sizeof(path), "store");
	exec_file(path, schema_v2_sql);
	exec_file(path, "INSERT INTO meta VALUES('schema_version', '2'); PRAGMA user_version = 2;");
	assert_int_equal(store_findings_load(path, &sf, err, sizeof(err)), 0);
	assert_false(sf.present);
	assert_int_equal(unit_sql_int(path, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_int_equal(unit_sql_int(path, "SELECT count(*) FROM finding"), 0);
	unit_rm_sqlite(path);
}

static void assert_load_fails(const char *path, const char *needle)
{
	struct recording r;
	char err[512] = "";

	assert_int_equal(store_load(path, 0, INFINITY, &r, err, sizeof(err)), -1);
	print_message("%s: %s\n", needle, err);
	if (!strstr(err, needle))
		fail_msg("error '%s' does not say '%s'", err, needle);
	assert_null(strchr(err, '\n'));
	assert_int_equal(r.n, 0);
	assert_null(r.s);
}

static void test_newer_refused(void **state)
{
	char path[64], err[512];
	struct store *st;

	(void)state;
	unit_tmp_name(path, sizeof(path), "store");
	write_five(path);
	exec_file(path, "PRAGMA user_version = 99");
	assert_load_fails(path, "newer perfpilot");
	assert_int_equal(store_open(&st, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "newer perfpilot"));
	assert_int_equal(store_check_target(path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "newer perfpilot"));
	unit_rm_sqlite(path);
}

static void write_bytes(const char *path, const void *buf, size_t n, long off)
{
	FILE *f = fopen(path, off < 0 ? "w" : "r+");

	assert_non_null(f);
	if (off > 0)
		fseek(f, off, SEEK_SET);
	assert_int_equal(fwrite(buf, 1, n, f), n);
	fclose(f);
}

static void test_bad_files(void **state)
{
	char path[64], err[512];
	char junk[8192];
	uint64_t seed = 1;
	size_t i;

	(void)state;
	unit_tmp_name(path, sizeof(path), "store");
	assert_load_fails(path, "No such file");
	write_bytes(path, "", 0, -1);
	assert_load_fails(path, "empty");
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (char)unit_rand(&seed);
	write_bytes(path, junk, sizeof(junk), -1);
	assert_load_fails(path, "not an SQLite database");
	assert_int_equal(store_check_target(path, err, sizeof(err)), -1);
	write_bytes(path, "time,value\n1,2\n", 15, -1);
	assert_load_fails(path, "not an SQLite database");
	/* another program's database */
	unlink(path);
	exec_file(path, "CREATE TABLE t(x); INSERT INTO t VALUES(1);");
	assert_load_fails(path, "not a perfpilot store");
	assert_int_equal(store_check_target(path, err, sizeof(err)), -1);
	unlink(path);
	assert_int_equal(store_check_target("/nonexistent-dir/x.db", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "does not exist"));
	assert_int_equal(store_check_target("/tmp", err, sizeof(err)), -1);
	assert_int_equal(store_check_target("/dev/null", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a regular file"));
	/* a directory where nothing can be created, even by root */
	assert_int_equal(store_check_target("/proc/pp-test.db", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot create"));
	assert_int_equal(store_check_target(path, err, sizeof(err)), 0);
	/* the creation it tried left nothing behind */
	assert_int_equal(access(path, F_OK), -1);
	unit_rm_sqlite(path);
}

/* A store big enough to span many pages, for damage tests. */
static void write_big(const char *path, int intervals)
{
	struct proc_sample p[50];
	struct store *st;
	int i, j;

	st = open_store(path);
	for (i = 0; i < intervals; i++) {
		struct interval_data d = { .ts = T0 + i + 1, .length_s = 1, .procs = p, .nprocs = 50 };

		for (j = 0; j < 50; j++)
			p[j] = proc((uint32_t)(1000 + j), "w", "/z", 1e6 * (i + j + 1), 4096.0 * (i + 1));
		assert_int_equal(record_write_interval(st, &d), 0);
	}
	assert_int_equal(store_close(st), 0);
}

static void test_damaged(void **state)
{
	char path[64];
	char junk[512];

	(void)state;
	unit_tmp_name(path, sizeof(path), "store");
	write_big(path, 60);
	assert_true(truncate(path, 5000) == 0);
	assert_load_fails(path, "damaged");
	unit_rm_sqlite(path);

	write_big(path, 60);
	write_bytes(path, "garbage garbage!", 16, 0); /* the magic header */
	assert_load_fails(path, "not an SQLite database");
	unit_rm_sqlite(path);

	write_big(path, 60);
	memset(junk, 0x5a, sizeof(junk));
	write_bytes(path, junk, sizeof(junk), 4096 * 3 + 100); /* inside a b-tree page */
	assert_load_fails(path, "damaged");
	unit_rm_sqlite(path);
}

static void test_prune(void **state)
{
	struct store *st;
	char path[64], err[256];
	unsigned long dropped;
	struct recording r;
	const struct series *s;
	double before;

	(void)state;
	unit_tmp_name(path, sizeof(path), "store");
	write_big(path, 100);
	assert_int_equal(store_open(&st, path, err, sizeof(err)), 0);
	/* by age: intervals end at T0+1 .. T0+100; keep those at most 30 s old */
	assert_int_equal(store_prune(st, 30, 0, T0 + 100, &dropped), 0);
	assert_int_equal(dropped, 69);
	assert_int_equal(store_intervals(st), 31);
	/* by size: at most half of what is there now */
	before = store_bytes(st);
	assert_int_equal(store_prune(st, 0, before / 2, T0 + 100, &dropped), 0);
	assert_true(dropped > 0);
	assert_dbl_le(store_bytes(st), before / 2);
	assert_int_equal(store_close(st), 0);
	assert_int_equal(store_load(path, 0, INFINITY, &r, err, sizeof(err)), 0);
	s = rec_find(&r, 'p', "1000", "mem.rss_bytes");
	assert_non_null(s);
	assert_int_equal(s->n, 31 - dropped);
	assert_dbl_near(s->t[s->n - 1], T0 + 100, 1e-6);
	assert_dbl_eq(s->v[s->n - 1], 4096.0 * 100);
	recording_free(&r);
	unit_rm_sqlite(path);
}

static void test_profile(void **state)
{
	struct store *st;
	char path[64], err[256];
	struct recording r;
	size_t n;

	(void)state;
	unit_tmp_name(path, sizeof(path), "store");
	write_five(path);
	assert_int_equal(store_open(&st, path, err, sizeof(err)), 0);
	assert_int_equal(store_put_profile(st, T0, T0 + 5, "hot;main;hot_a 5\nhot;main;hot_b 2\n"), 0);
	assert_int_equal(store_put_profile(st, T0 + 5, T0 + 9, "hot;main;hot_a 1\n"), 0);
	assert_int_equal(store_close(st), 0);
	assert_int_equal(store_load(path, 0, INFINITY, &r, err, sizeof(err)), 0);
	assert_non_null(r.folded);
	assert_string_equal(r.folded, "hot;main;hot_a 6\nhot;main;hot_b 2\n");
	recording_free(&r);
	assert_int_equal(store_load(path, T0 + 6, INFINITY, &r, err, sizeof(err)), 0);
	/* only the second profile overlaps [T0 + 6, ...) */
	assert_non_null(r.folded);
	assert_string_equal(r.folded, "hot;main;hot_a 1\n");
	/* no rate stored: 0, the reader takes RECORDING_PROFILE_HZ */
	assert_int_equal(r.profile_hz, 0);
	assert_true(r.has_profile);
	recording_free(&r);
	/* STORE_LOAD_NO_PROFILE: the same series, no folded text, still told
	 * whether the window has a profile */
	assert_int_equal(store_load(path, 0, INFINITY, &r, err, sizeof(err)), 0);
	n = r.n;
	assert_true(n > 0);
	recording_free(&r);
	assert_int_equal(store_load_flags(path, 0, INFINITY, STORE_LOAD_NO_PROFILE, &r, err,
					  sizeof(err)), 0);
	assert_null(r.folded);
	assert_true(r.has_profile);
	assert_int_equal(r.n, n);
	recording_free(&r);
	assert_int_equal(store_load_flags(path, T0 + 10, INFINITY, STORE_LOAD_NO_PROFILE, &r, err,
					  sizeof(err)), 0);
	assert_false(r.has_profile); /* no profile overlaps [T0 + 10, ...) */
	recording_free(&r);
	unit_rm_sqlite(path);
}

/* A session with a profile at another rate keeps it in meta.profile_hz; a
 * later session without a profile leaves it. */
static void test_profile_hz(void **state)
{
	struct store_meta m = { .hostname = "h", .kernel = "k", .target = "-a", .ncpus = 1,
				.interval_s = 1, .start = T0, .profile_hz = 19 };
	struct store *st;
	char path[64], err[256];
	struct recording r;

	(void)state;
	unit_tmp_name(path, sizeof(path), "store");
	write_five(path);
	assert_int_equal(store_open(&st, path, err, sizeof(err)), 0);
	assert_int_equal(store_set_meta(st, &m), 0);
	assert_int_equal(store_close(st), 0);
	assert_int_equal(store_open(&st, path, err, sizeof(err)), 0);
	m.profile_hz = 0;
	assert_int_equal(store_set_meta(st, &m), 0);
	assert_int_equal(store_close(st), 0);
	assert_int_equal(store_load(path, 0, INFINITY, &r, err, sizeof(err)), 0);
	assert_int_equal(r.profile_hz, 19);
	recording_free(&r);
	/* the same without the integrity check */
	assert_int_equal(store_load_flags(path, 0, INFINITY, STORE_LOAD_NO_CHECK, &r, err,
					  sizeof(err)), 0);
	assert_int_equal(r.profile_hz, 19);
	assert_true(r.n > 0);
	recording_free(&r);
	unit_rm_sqlite(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_gauge_refresh),
		cmocka_unit_test(test_entity_returns),
		cmocka_unit_test(test_append),
		cmocka_unit_test(test_migrate_v1),
		cmocka_unit_test(test_migrate_v2),
		cmocka_unit_test(test_migrate_v2_by_findings_load),
		cmocka_unit_test(test_migrate_v3),
		cmocka_unit_test(test_migrate_v4),
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_cache_bounded_under_churn),
		cmocka_unit_test(test_long_window_merged),
		cmocka_unit_test(test_newer_refused),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_prune),
		cmocka_unit_test(test_profile),
		cmocka_unit_test(test_profile_hz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
