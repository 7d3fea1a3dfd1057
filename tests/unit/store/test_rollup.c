// SPDX-License-Identifier: GPL-2.0
/*
 * store/rollup.c: a fixture store of 2000 recorded intervals written through
 * the writer, rolled up, and every row of the result checked against the
 * values that were written (sums, largest values, gauges carried, the stats
 * of sample_stat), whatever way it was rolled up.
 */
#include <math.h>
#include <stdlib.h>
#include <unistd.h>
#include <sqlite3.h>
#include "unit.h"
#include "store/rollup.h"
#include "store/schema.h"
#include "store/store.h"

#define T0 1699999980.0 /* a multiple of 60 s: steps start with interval 0 */
#define N 2000
#define B_FIRST 1003    /* process B lives in intervals 1003..1017 */
#define B_LAST 1017
#define C_ONLY 700      /* process C in interval 700 only */

/* What the fixture writes in interval i (0 = not stored). */
static double psi(long i) { return (double)(i % 7) * 100; }              /* host, counter */
static double cpu_a(long i) { return 1e6 * (double)(1 + i % 13); }      /* A, counter */
static double p99_a(long i) { return 10 + (double)((i * 37) % 91); }    /* A, peak */
static double inflight(long i) { return i % 13 ? 0 : (double)(i % 50); } /* disk, sparse peak */
/* A, counter: in one interval of every ten (a 10 s step has no stats, a
 * minute of them has) */
static double nivcsw_a(long i) { return i % 10 == 3 ? (double)(1 + i % 7) : 0; }
static double cpu_b(long i) { return i >= B_FIRST && i <= B_LAST ? 5e5 : 0; }
static double cpu_c(long i) { return i == C_ONLY ? 7e6 : 0; }

/* A's resident set: 4096, 8192 from interval 5 (carried across many
 * steps), 20000 from the middle of a step, then growing. */
static double rss_a(long i)
{
	if (i < 5)
		return 4096;
	if (i < B_FIRST)
		return 8192;
	if (i < 1500)
		return 20000;
	return 20000 + (double)(i - 1500) * 4096;
}

static const struct store_entity host = { .kind = 'h', .name = "host" };
static const struct store_entity disk = { .kind = 'd', .name = "vda" };
static struct store_entity proc_a = { .kind = 'p', .name = "100", .pid = 100, .comm = "a",
				      .cgroup = "/x", .start_ms = 1600000000000 };
static struct store_entity proc_b = { .kind = 'p', .name = "200", .pid = 200, .comm = "b",
				      .cgroup = "/x", .start_ms = 1700001000000 };
static struct store_entity proc_c = { .kind = 'p', .name = "300", .pid = 300, .comm = "c",
				      .cgroup = "/x", .start_ms = 1700000700000 };

static void put(struct store *st, const struct store_entity *e, const char *m, double v)
{
	assert_int_equal(store_put(st, e, m, v), 0);
}

/* The fixture: N intervals of `len` seconds ending at T0 + len * (i + 1). */
static void write_fixture(const char *path, double len)
{
	struct store_meta m = { .hostname = "h", .kernel = "6.1.0", .target = "-a", .ncpus = 2,
				.mem_total_bytes = 4e9, .interval_s = len, .start = T0 };
	struct store *st;
	char err[256];
	long i;

	assert_int_equal(store_open(&st, path, err, sizeof(err)), 0);
	assert_int_equal(store_set_meta(st, &m), 0);
	for (i = 0; i < N; i++) {
		assert_int_equal(store_interval_begin(st, T0 + len * (double)(i + 1), len), 0);
		put(st, &host, "psi.cpu.some_us", psi(i));
		put(st, &disk, "dev.inflight_max", inflight(i));
		put(st, &proc_a, "cpu.oncpu_ns", cpu_a(i));
		put(st, &proc_a, "sched.runq_p99_us", p99_a(i));
		put(st, &proc_a, "sched.nivcsw", nivcsw_a(i));
		put(st, &proc_a, "mem.rss_bytes", rss_a(i));
		if (cpu_b(i)) {
			proc_b.gone = i == B_LAST;
			put(st, &proc_b, "cpu.oncpu_ns", cpu_b(i));
			put(st, &proc_b, "mem.rss_bytes", 1000);
		}
		if (cpu_c(i)) {
			proc_c.gone = true;
			put(st, &proc_c, "cpu.oncpu_ns", cpu_c(i));
		}
		assert_int_equal(store_interval_end(st), 0);
	}
	assert_int_equal(store_close(st), 0);
}

static struct store *open_st(const char *path)
{
	struct store *st;
	char err[256];

	assert_int_equal(store_open(&st, path, err, sizeof(err)), 0);
	return st;
}

/* Ages of 500 s and 1000 s: 1 min steps up to 1000 s before now, 10 s
 * steps up to 500 s before it. */
static void policy(struct rollup_policy *p)
{
	char err[128];

	assert_int_equal(rollup_policy_ages(p, 500, 1000, err, sizeof(err)), 0);
}

static void roll(const char *path, double now, double budget, struct rollup_stats *rs)
{
	struct rollup_policy p;
	struct store *st = open_st(path);

	policy(&p);
	if (store_rollup(st, &p, now, budget, rs))
		fail_msg("store_rollup: %s", store_error(st));
	assert_int_equal(store_close(st), 0);
}

/* The columns of the first row of a query (false: no row). */
static bool row_of(sqlite3 *db, double *out, int ncol, const char *fmt, ...)
{
	char sql[512];
	sqlite3_stmt *s;
	va_list ap;
	bool found;
	int i;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	found = sqlite3_step(s) == SQLITE_ROW;
	for (i = 0; found && i < ncol; i++)
		out[i] = sqlite3_column_double(s, i);
	sqlite3_finalize(s);
	return found;
}

static long long id_of(sqlite3 *db, const char *sql)
{
	double v;

	if (!row_of(db, &v, 1, "%s", sql))
		fail_msg("no row: %s", sql);
	return (long long)v;
}

enum kind { COUNTER, PEAK };

/*
 * The (entity, metric) of the row holding recorded intervals [a, b] against
 * what was written: the sum or the largest, stored when not 0; its stats
 * when two or more recorded intervals had a value: min, max and mean over
 * all of them (0 where none).
 */
static void check_value(sqlite3 *db, long long iv, long long ent, long long met, enum kind k,
			double (*fn)(long), long a, long b, const char *what)
{
	double want = 0, mn = INFINITY, mx = -INFINITY, sum = 0, got[3];
	int nz = 0;
	long i;

	for (i = a; i <= b; i++) {
		double v = fn(i);

		want = k == PEAK ? fmax(want, v) : want + v;
		mn = fmin(mn, v);
		mx = fmax(mx, v);
		sum += v;
		nz += v != 0;
	}
	if (!row_of(db, got, 1, "SELECT value FROM sample WHERE interval_id = %lld AND "
		    "entity_id = %lld AND metric_id = %lld", iv, ent, met)) {
		if (want != 0)
			fail_msg("%s [%ld, %ld]: no sample, expected %g", what, a, b, want);
		return;
	}
	if (got[0] != want)
		fail_msg("%s [%ld, %ld]: %.17g, expected %.17g", what, a, b, got[0], want);
	if (!row_of(db, got, 3, "SELECT min, max, mean FROM sample_stat WHERE interval_id = %lld "
		    "AND entity_id = %lld AND metric_id = %lld", iv, ent, met)) {
		if (nz >= 2)
			fail_msg("%s [%ld, %ld]: no stats (%d values)", what, a, b, nz);
		return;
	}
	if (nz < 2)
		fail_msg("%s [%ld, %ld]: stats for %d values", what, a, b, nz);
	if (got[0] != mn || got[1] != mx ||
	    fabs(got[2] - sum / (double)(b - a + 1)) > 1e-9 * fmax(1, fabs(got[2])))
		fail_msg("%s [%ld, %ld]: stats %g %g %.17g, expected %g %g %.17g", what, a, b,
			 got[0], got[1], got[2], mn, mx, sum / (double)(b - a + 1));
}

/*
 * A's resident set in the row of [a, b]: a sample (the last value) when the
 * writer stored one in those intervals (when it changed, and at least every
 * STORE_GAUGE_REFRESH intervals), stats when it changed within them.
 */
static void check_gauge(sqlite3 *db, long long iv, long long ent, long long met, long a, long b)
{
	double mn = INFINITY, mx = -INFINITY, sum = 0, got[3], last = NAN;
	bool stored = false;
	long i, at = -1;

	for (i = 0; i <= b; i++) {
		bool put = at < 0 || rss_a(i) != last || i - at >= STORE_GAUGE_REFRESH;

		if (put) {
			at = i;
			last = rss_a(i);
		}
		if (i >= a) {
			stored |= put;
			mn = fmin(mn, rss_a(i));
			mx = fmax(mx, rss_a(i));
			sum += rss_a(i);
		}
	}
	if (!row_of(db, got, 1, "SELECT value FROM sample WHERE interval_id = %lld AND "
		    "entity_id = %lld AND metric_id = %lld", iv, ent, met)) {
		if (stored)
			fail_msg("rss [%ld, %ld]: no sample, but one was stored", a, b);
		return;
	}
	if (!stored)
		fail_msg("rss [%ld, %ld]: a sample, none stored", a, b);
	if (got[0] != rss_a(b))
		fail_msg("rss [%ld, %ld]: %g, expected the last, %g", a, b, got[0], rss_a(b));
	if (!row_of(db, got, 3, "SELECT min, max, mean FROM sample_stat WHERE interval_id = %lld "
		    "AND entity_id = %lld AND metric_id = %lld", iv, ent, met)) {
		if (mn != mx)
			fail_msg("rss [%ld, %ld]: no stats, but it changed", a, b);
		return;
	}
	if (got[0] != mn || got[1] != mx || fabs(got[2] - sum / (double)(b - a + 1)) > 1e-6)
		fail_msg("rss [%ld, %ld]: stats %g %g %.17g, expected %g %g %.17g", a, b, got[0],
			 got[1], got[2], mn, mx, sum / (double)(b - a + 1));
}

/*
 * Every row of a fixture store (intervals of len s) rolled up by the ages
 * of policy() at `now`: what it holds (recorded intervals (prev, id]:
 * interval i has id i + 1), its step, and its values. Returns the rows.
 */
static long check_store(const char *path, double len, double now)
{
	double cut2 = floor((now - 1000) / 60) * 60, cut1 = floor((now - 500) / 10) * 10;
	long long host_id, a_id, disk_id, b_id, c_id, m_psi, m_cpu, m_p99, m_rss, m_inf, m_niv;
	long long prev = 0;
	sqlite3_stmt *s;
	sqlite3 *db;
	long rows = 0;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	host_id = id_of(db, "SELECT id FROM entity WHERE kind = 'h'");
	disk_id = id_of(db, "SELECT id FROM entity WHERE kind = 'd'");
	a_id = id_of(db, "SELECT id FROM entity WHERE name = '100'");
	b_id = id_of(db, "SELECT id FROM entity WHERE name = '200'");
	c_id = id_of(db, "SELECT id FROM entity WHERE name = '300'");
	m_psi = id_of(db, "SELECT id FROM metric WHERE name = 'psi.cpu.some_us'");
	m_cpu = id_of(db, "SELECT id FROM metric WHERE name = 'cpu.oncpu_ns'");
	m_p99 = id_of(db, "SELECT id FROM metric WHERE name = 'sched.runq_p99_us'");
	m_rss = id_of(db, "SELECT id FROM metric WHERE name = 'mem.rss_bytes'");
	m_inf = id_of(db, "SELECT id FROM metric WHERE name = 'dev.inflight_max'");
	m_niv = id_of(db, "SELECT id FROM metric WHERE name = 'sched.nivcsw'");
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT id, ts_ms, length_ms, step_ms, merged FROM "
					    "interval ORDER BY id", -1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW) {
		long long id = sqlite3_column_int64(s, 0), ts = sqlite3_column_int64(s, 1);
		long long step = sqlite3_column_int64(s, 3), merged = sqlite3_column_int64(s, 4);
		long a = (long)prev, b = (long)id - 1;
		double end = T0 + len * (double)(b + 1);

		/* the row ends with its last recorded interval, holds them all */
		assert_int_equal(ts, llround(end * 1000));
		assert_int_equal(merged, b - a + 1);
		assert_int_equal(sqlite3_column_int64(s, 2), llround(len * 1000) * merged);
		/* its step: by the age of its end */
		if (end <= cut2)
			assert_int_equal(step, 60000);
		else if (end <= cut1 && len < 10)
			assert_int_equal(step, 10000);
		else
			assert_int_equal(step, 0);
		/* on the grid: all its intervals end in the same step */
		if (step)
			assert_int_equal((llround(end * 1000) - 1) / step,
					 (llround((T0 + len * (double)(a + 1)) * 1000) - 1) / step);
		check_value(db, id, host_id, m_psi, COUNTER, psi, a, b, "host psi");
		check_value(db, id, a_id, m_cpu, COUNTER, cpu_a, a, b, "A cpu");
		check_value(db, id, a_id, m_p99, PEAK, p99_a, a, b, "A p99");
		check_value(db, id, a_id, m_niv, COUNTER, nivcsw_a, a, b, "A nivcsw");
		check_value(db, id, disk_id, m_inf, PEAK, inflight, a, b, "disk inflight");
		check_value(db, id, b_id, m_cpu, COUNTER, cpu_b, a, b, "B cpu");
		check_value(db, id, c_id, m_cpu, COUNTER, cpu_c, a, b, "C cpu");
		check_gauge(db, id, a_id, m_rss, a, b);
		prev = id;
		rows++;
	}
	sqlite3_finalize(s);
	assert_int_equal(prev, N);
	/* every entity's first and last interval is a row, the one holding it */
	assert_int_equal(unit_sql_int(path, "SELECT count(*) FROM entity WHERE first_interval NOT IN"
				    " (SELECT id FROM interval) OR last_interval NOT IN"
				    " (SELECT id FROM interval)"), 0);
	sqlite3_close(db);
	return rows;
}

/* What a store holds, to see whether a call changed it. */
static void fingerprint(const char *path, double out[6])
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_true(row_of(db, out, 3, "SELECT count(*), sum(value), sum(interval_id * value) "
			   "FROM sample"));
	assert_true(row_of(db, out + 3, 3, "SELECT count(*), total(min + max + mean), "
			   "(SELECT count(*) + total(length_ms) + total(merged) FROM interval) "
			   "FROM sample_stat"));
	sqlite3_close(db);
}

static long long first_last(const char *path, const char *name, bool last)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "SELECT %s FROM entity WHERE name = '%s'",
		 last ? "last_interval" : "first_interval", name);
	return unit_sql_int(path, sql);
}

/* 1 s intervals: 1 min steps for the first 960 s, 10 s steps up to 1500 s,
 * the rest as recorded; a second call changes nothing. */
static void test_rollup_tiers(void **state)
{
	struct rollup_stats rs;
	char path[64];
	double before[6], after[6], total;

	(void)state;
	unit_tmp_name(path, sizeof(path), "rollup");
	write_fixture(path, 1);
	total = (double)unit_sql_int(path, "SELECT sum(value) FROM sample s JOIN metric m ON "
				     "m.id = s.metric_id WHERE m.name = 'cpu.oncpu_ns'");
	roll(path, T0 + N, 100, &rs);
	assert_int_equal(rs.steps, 16 + 54);
	assert_int_equal(rs.intervals, 1500);
	assert_false(rs.more);
	assert_true(rs.samples_out < rs.samples_in / 5);
	assert_true(rs.stats_out > 0);
	assert_int_equal(check_store(path, 1, T0 + N), 16 + 54 + 500);
	/* counters summed exactly */
	assert_int_equal(unit_sql_int(path, "SELECT sum(value) FROM sample s JOIN metric m ON "
				    "m.id = s.metric_id WHERE m.name = 'cpu.oncpu_ns'"), (long long)total);
	/* B (1003..1017) spans the steps of 1000..1009 and 1010..1019; C is
	 * in the minute of 660..719 */
	assert_int_equal(first_last(path, "200", false), 1010);
	assert_int_equal(first_last(path, "200", true), 1020);
	assert_int_equal(first_last(path, "300", false), 720);
	assert_int_equal(first_last(path, "300", true), 720);
	/* a gauge carried from before: A's 8192, stored at interval 5 and by
	 * the writer's refresh, not in every step: the steps without keep none */
	assert_true(unit_sql_int(path, "SELECT count(*) FROM interval WHERE step_ms = 10000 AND id NOT IN"
				 " (SELECT interval_id FROM sample s JOIN metric m ON m.id = s.metric_id"
				 " WHERE m.name = 'mem.rss_bytes')") > 0);

	fingerprint(path, before);
	roll(path, T0 + N, 100, &rs);
	assert_int_equal(rs.steps, 0);
	assert_false(rs.more);
	fingerprint(path, after);
	assert_memory_equal(before, after, sizeof(before));
	unit_rm_sqlite(path);
}

/* Rolled up as time goes by (10 s steps later merged into minutes) is
 * rolled up as at once. */
static void test_rollup_in_two_passes(void **state)
{
	struct rollup_stats rs;
	char path[64];

	(void)state;
	unit_tmp_name(path, sizeof(path), "rollup");
	write_fixture(path, 1);
	roll(path, T0 + 1500, 100, &rs);
	assert_int_equal(rs.steps, 8 + 52);
	assert_int_equal(check_store(path, 1, T0 + 1500), 8 + 52 + 1000);
	roll(path, T0 + N, 100, &rs);
	/* minutes 480..959 from 48 steps of 10 s, then 1000..1499 */
	assert_int_equal(rs.steps, 8 + 50);
	assert_int_equal(rs.intervals, 48 + 500);
	assert_int_equal(check_store(path, 1, T0 + N), 16 + 54 + 500);
	unit_rm_sqlite(path);
}

/* With a budget of 0, each call merges one step; called again while there
 * is more, the store ends as rolled up at once. */
static void test_rollup_budget(void **state)
{
	struct rollup_policy p;
	struct rollup_stats rs;
	struct store *st;
	char path[64];
	int calls = 0;

	(void)state;
	unit_tmp_name(path, sizeof(path), "rollup");
	write_fixture(path, 1);
	policy(&p);
	st = open_st(path);
	do {
		assert_int_equal(store_rollup(st, &p, T0 + N, 0, &rs), 0);
		assert_true(rs.steps <= 1);
		calls++;
		if (calls < 70)
			assert_true(rs.more);
	} while (rs.more && calls < 1000);
	assert_int_equal(store_close(st), 0);
	assert_true(calls >= 70 && calls <= 72);
	assert_int_equal(check_store(path, 1, T0 + N), 16 + 54 + 500);
	unit_rm_sqlite(path);
}

/* 5 s intervals: 10 s steps of 2, minutes of 12. */
static void test_rollup_interval_5s(void **state)
{
	struct rollup_stats rs;
	char path[64];

	(void)state;
	unit_tmp_name(path, sizeof(path), "rollup");
	write_fixture(path, 5);
	roll(path, T0 + 5 * N, 100, &rs);
	/* minutes up to T0 + 9000 (intervals 0..1799), 10 s steps up to
	 * T0 + 9500 (1800..1899) */
	assert_int_equal(rs.steps, 150 + 50);
	assert_int_equal(unit_sql_int(path, "SELECT count(*) FROM interval WHERE merged = 12"), 150);
	assert_int_equal(unit_sql_int(path, "SELECT count(*) FROM interval WHERE merged = 2"), 50);
	assert_int_equal(check_store(path, 5, T0 + 5 * N), 150 + 50 + 100);
	unit_rm_sqlite(path);
}

static double series_sum(const struct series *s)
{
	double sum = 0;
	size_t i;

	for (i = 0; i < s->n; i++)
		sum += s->v[i];
	return sum;
}

/* store_load reads a rolled-up store on a grid of its longest step: the
 * same totals, largest values and last gauge as the recorded intervals. */
static void test_rollup_load(void **state)
{
	struct rollup_stats rs;
	struct recording r;
	const struct series *s;
	char path[64], err[256], key[64];
	double cpu = 0, p99 = 0;
	long i;
	size_t k;

	(void)state;
	unit_tmp_name(path, sizeof(path), "rollup");
	write_fixture(path, 1);
	roll(path, T0 + N, 100, &rs);
	for (i = 0; i < N; i++) {
		cpu += cpu_a(i);
		p99 = fmax(p99, p99_a(i));
	}
	assert_int_equal(store_load(path, 0, INFINITY, &r, err, sizeof(err)), 0);
	assert_dbl_eq(r.interval_s, 60);
	assert_int_equal(r.merged, 60);
	recording_proc_key(100, 1600000000000, key, sizeof(key));
	s = rec_find(&r, 'p', key, "cpu.oncpu_ns");
	assert_non_null(s);
	assert_int_equal(s->n, (N + 59) / 60);
	assert_dbl_eq(series_sum(s), cpu);
	for (k = 0; k < s->n; k++) /* each point ends its minute */
		assert_dbl_near(s->t[k], k + 1 < s->n ? T0 + 60.0 * (double)(k + 1) : T0 + N, 1e-6);
	s = rec_find(&r, 'p', key, "sched.runq_p99_us");
	assert_non_null(s);
	for (k = 0, cpu = 0; k < s->n; k++)
		cpu = fmax(cpu, s->v[k]);
	assert_dbl_eq(cpu, p99);
	s = rec_find(&r, 'p', key, "mem.rss_bytes");
	assert_non_null(s);
	assert_dbl_eq(s->v[s->n - 1], rss_a(N - 1));
	assert_dbl_eq(s->v[0], 8192); /* the last value of the first minute */
	s = rec_find(&r, 'h', "host", "psi.cpu.some_us");
	assert_non_null(s);
	for (i = 0, cpu = 0; i < N; i++)
		cpu += psi(i);
	assert_dbl_eq(series_sum(s), cpu);
	/* B's 15 intervals in two minutes, C in one */
	s = rec_find(&r, 'p', recording_proc_key(200, 1700001000000, key, sizeof(key)), "cpu.oncpu_ns");
	assert_non_null(s);
	assert_int_equal(s->n, 1);
	assert_dbl_eq(s->v[0], 15 * 5e5);
	recording_free(&r);

	/* the 10 s steps alone: every step a point */
	assert_int_equal(store_load(path, T0 + 1100, T0 + 1400, &r, err, sizeof(err)), 0);
	assert_dbl_eq(r.interval_s, 10);
	assert_int_equal(r.merged, 10);
	s = rec_find(&r, 'h', "host", "psi.cpu.some_us");
	assert_non_null(s);
	assert_int_equal(s->n, 31);
	recording_free(&r);
	/* the recorded intervals alone: as recorded */
	assert_int_equal(store_load(path, T0 + 1600, INFINITY, &r, err, sizeof(err)), 0);
	assert_dbl_eq(r.interval_s, 1);
	assert_true(r.merged <= 1);
	s = rec_find(&r, 'h', "host", "psi.cpu.some_us");
	assert_non_null(s);
	assert_int_equal(s->n, N - 1599);
	recording_free(&r);
	unit_rm_sqlite(path);
}

/* Retention on a rolled-up store: by age and by size, no sample or stat
 * left without its interval, every entity's span a row. */
static void test_rollup_prune(void **state)
{
	struct rollup_stats rs;
	struct recording r;
	struct store *st;
	char path[64], err[256];
	unsigned long dropped;
	double before;

	(void)state;
	unit_tmp_name(path, sizeof(path), "rollup");
	write_fixture(path, 1);
	roll(path, T0 + N, 100, &rs);
	st = open_st(path);
	assert_int_equal(store_prune(st, N - 600, 0, T0 + N, &dropped), 0);
	/* the rows that ended before T0 + 600: the minutes of 0..539, which
	 * held 540 recorded intervals */
	assert_int_equal(dropped, 540);
	assert_int_equal(unit_sql_int(path, "SELECT min(id) FROM interval"), 600);
	before = store_bytes(st);
	assert_int_equal(store_prune(st, 0, before * 0.7, T0 + N, &dropped), 0);
	assert_true(dropped > 0);
	assert_dbl_le(store_bytes(st), before * 0.7);
	assert_int_equal(store_close(st), 0);
	assert_int_equal(unit_sql_int(path, "SELECT count(*) FROM sample_stat WHERE interval_id NOT IN"
				    " (SELECT id FROM interval)"), 0);
	assert_int_equal(unit_sql_int(path, "SELECT count(*) FROM sample WHERE interval_id NOT IN"
				    " (SELECT id FROM interval)"), 0);
	assert_int_equal(unit_sql_int(path, "SELECT count(*) FROM entity WHERE first_interval NOT IN"
				    " (SELECT id FROM interval) OR last_interval NOT IN"
				    " (SELECT id FROM interval)"), 0);
	assert_int_equal(store_load(path, 0, INFINITY, &r, err, sizeof(err)), 0);
	assert_true(r.n > 0);
	recording_free(&r);
	unit_rm_sqlite(path);
}

/* The policy: steps for other intervals, ages that do not grow, off. */
static void test_rollup_policy(void **state)
{
	struct rollup_policy p;
	struct rollup_stats rs;
	struct store *st;
	char path[64], err[128];

	(void)state;
	rollup_policy_default(&p);
	assert_int_equal(p.ntiers, 2);
	assert_dbl_eq(p.age_s[0], 6 * 3600);
	assert_dbl_eq(p.age_s[1], 86400);
	assert_dbl_eq(rollup_step(&p, 0, 1), 10);
	assert_dbl_eq(rollup_step(&p, 1, 1), 60);
	assert_dbl_eq(rollup_step(&p, 0, 5), 10);
	assert_dbl_eq(rollup_step(&p, 1, 5), 60);
	assert_dbl_eq(rollup_step(&p, 0, 0.5), 10);
	assert_dbl_eq(rollup_step(&p, 0, 7), 7);   /* never shorter than the interval */
	assert_dbl_eq(rollup_step(&p, 1, 7), 63);  /* a multiple of it */
	assert_dbl_eq(rollup_step(&p, 0, 30), 30);
	assert_dbl_eq(rollup_step(&p, 1, 30), 60);
	assert_dbl_eq(rollup_step(&p, 1, 120), 120);
	assert_int_equal(rollup_policy_ages(&p, 3600, 3600, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "6h,1d"));
	assert_int_equal(rollup_policy_ages(&p, 0, 3600, err, sizeof(err)), -1);
	assert_int_equal(rollup_policy_ages(&p, 7200, 3600, err, sizeof(err)), -1);

	/* off, and not inside an interval */
	unit_tmp_name(path, sizeof(path), "rollup");
	write_fixture(path, 1);
	st = open_st(path);
	p.ntiers = 0;
	assert_int_equal(store_rollup(st, &p, T0 + N, 100, &rs), 0);
	assert_int_equal(rs.steps, 0);
	policy(&p);
	assert_int_equal(store_interval_begin(st, T0 + N + 1, 1), 0);
	assert_int_equal(store_rollup(st, &p, T0 + N + 1, 100, &rs), -1);
	assert_non_null(strstr(store_error(st), "inside an interval"));
	store_interval_abort(st);
	assert_int_equal(store_close(st), 0);
	assert_int_equal(unit_sql_int(path, "SELECT count(*) FROM interval"), N);
	unit_rm_sqlite(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rollup_tiers),
		cmocka_unit_test(test_rollup_in_two_passes),
		cmocka_unit_test(test_rollup_budget),
		cmocka_unit_test(test_rollup_interval_5s),
		cmocka_unit_test(test_rollup_load),
		cmocka_unit_test(test_rollup_prune),
		cmocka_unit_test(test_rollup_policy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
