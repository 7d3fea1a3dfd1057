// SPDX-License-Identifier: GPL-2.0
/* store_write: an interval that the file system cannot take (SQLITE_FULL,
 * made with PRAGMA max_page_count; a COMMIT that cannot grow the WAL, made
 * with RLIMIT_FSIZE) is rolled back whole, and writing it again once there
 * is room stores all of it, once; a failed write of the findings leaves no
 * transaction open. */
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>
#include "unit.h"
#include "record/write.h"
#include "store/store.h"
#include "store/store_findings.h"
#include "store/store_int.h"

#define T0 1700000000.0
#define NPROCS 400

static struct proc_sample proc(uint32_t pid, double rss)
{
	struct proc_sample s;

	memset(&s, 0, sizeof(s));
	s.pid = pid;
	s.start_ms = 1699999999000 + pid;
	snprintf(s.comm, sizeof(s.comm), "p%u", pid);
	snprintf(s.cgroup, sizeof(s.cgroup), "/system.slice/a-rather-long-name-%u.service", pid);
	s.oncpu_ns = 1000000;
	s.has_mem = true;
	s.rss_bytes = (int64_t)rss;
	return s;
}

static int64_t query(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int64_t v = -1;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

static void test_full_then_retry(void **state)
{
	struct proc_sample *p = calloc(NPROCS, sizeof(*p));
	struct host_values h = { .has_available = true, .mem_available_bytes = 2e9 };
	struct interval_data d = { .ts = T0 + 1, .length_s = 1, .procs = p, .nprocs = 1,
				   .host = &h };
	struct store_meta m = { .hostname = "h", .kernel = "k", .target = "-a", .ncpus = 2,
				.interval_s = 1, .start = T0 };
	char path[64], err[256], sql[64];
	struct store *st;
	int64_t pages;
	int i;

	(void)state;
	assert_non_null(p);
	snprintf(path, sizeof(path), "/tmp/pp-test-full-%d.db", (int)getpid());
	unit_rm_sqlite(path);
	assert_int_equal(store_open(&st, path, err, sizeof(err)), 0);
	assert_int_equal(store_set_meta(st, &m), 0);
	for (i = 0; i < NPROCS; i++)
		p[i] = proc((uint32_t)(100 + i), 4096.0 * (i + 1));
	assert_int_equal(record_write_interval(st, &d), 0);
	/* the file may not grow: 400 new processes do not fit */
	pages = (int64_t)(store_bytes(st) / 4096) + 2;
	snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %lld", (long long)pages);
	assert_int_equal(sqlite3_exec(st->db, sql, NULL, NULL, NULL), SQLITE_OK);
	d.ts = T0 + 2;
	d.nprocs = NPROCS;
	h.mem_available_bytes = 1e9; /* a gauge that changed */
	assert_int_equal(record_write_interval(st, &d), -1);
	assert_non_null(strstr(store_error(st), "full"));
	assert_int_equal(store_intervals(st), 1);
	/* room again: the same interval, as record's retry writes it */
	assert_int_equal(sqlite3_exec(st->db, "PRAGMA max_page_count = 1000000", NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(record_write_interval(st, &d), 0);
	d.ts = T0 + 3;
	assert_int_equal(record_write_interval(st, &d), 0);
	assert_int_equal(store_close(st), 0);

	assert_int_equal(query(path, "SELECT count(*) FROM interval"), 3);
	assert_int_equal(query(path, "SELECT count(*) FROM entity WHERE kind = 'p'"), NPROCS);
	/* no sample of an entity or metric that the rollback took away */
	assert_int_equal(query(path, "SELECT count(*) FROM sample WHERE entity_id NOT IN "
			       "(SELECT id FROM entity) OR metric_id NOT IN (SELECT id FROM metric)"), 0);
	/* every process's resident set in the interval written again (a gauge
	 * the failed attempt had cached as stored) */
	assert_int_equal(query(path, "SELECT count(*) FROM sample s JOIN metric m ON m.id = "
			       "s.metric_id JOIN entity e ON e.id = s.entity_id WHERE e.kind = 'p' "
			       "AND m.name = 'mem.rss_bytes' AND s.interval_id = 2"), NPROCS);
	assert_int_equal(query(path, "SELECT count(*) FROM sample s JOIN metric m ON m.id = "
			       "s.metric_id WHERE m.name = 'host.mem_available_bytes' AND "
			       "s.interval_id = 2 AND s.value = 1e9"), 1);
	/* the processes' last interval is the last one */
	assert_int_equal(query(path, "SELECT count(*) FROM entity WHERE kind = 'p' AND "
			       "last_interval != 3"), 0);
	assert_int_equal(query(path, "SELECT count(*) FROM entity WHERE kind = 'p' AND "
			       "first_interval = 2"), NPROCS - 1);
	unit_rm_sqlite(path);
	free(p);
}

/* Files may not grow beyond their size now (the WAL's: its next frames),
 * or again without a limit (lim 0). */
static void limit_files(const char *wal, bool on)
{
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	struct stat sb;

	if (on) {
		assert_int_equal(stat(wal, &sb), 0);
		rl.rlim_cur = (rlim_t)sb.st_size;
	}
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &rl), 0);
}

/* The COMMIT fails (the WAL cannot grow), for an interval and for the
 * findings; once the files may grow, the next interval is written. */
static void test_commit_fails(void **state)
{
	struct proc_sample p[2];
	struct interval_data d = { .ts = T0 + 1, .length_s = 1, .procs = p, .nprocs = 2 };
	struct store_meta m = { .hostname = "h", .kernel = "k", .target = "-a", .ncpus = 2,
				.interval_s = 1, .start = T0 };
	struct store_finding f = { "cpu_saturation", "warning", "cpu", "busy", "{}" };
	char path[64], wal[80], err[256];
	struct store *st;

	(void)state;
	signal(SIGXFSZ, SIG_IGN);
	snprintf(path, sizeof(path), "/tmp/pp-test-commit-%d.db", (int)getpid());
	snprintf(wal, sizeof(wal), "%s-wal", path);
	unit_rm_sqlite(path);
	p[0] = proc(100, 4096);
	p[1] = proc(101, 8192);
	assert_int_equal(store_open(&st, path, err, sizeof(err)), 0);
	assert_int_equal(store_set_meta(st, &m), 0);
	assert_int_equal(record_write_interval(st, &d), 0);
	limit_files(wal, true);
	d.ts = T0 + 2;
	p[1].rss_bytes = 12288;
	assert_int_equal(record_write_interval(st, &d), -1);
	assert_int_equal(store_put_findings(st, T0 + 2, T0, T0 + 2, &f, 1), -1);
	assert_int_equal(store_set_meta(st, &m), -1);
	limit_files(wal, false);
	/* no transaction was left open by the failures */
	assert_int_not_equal(sqlite3_get_autocommit(st->db), 0);
	assert_int_equal(record_write_interval(st, &d), 0);
	assert_int_equal(store_put_findings(st, T0 + 2, T0, T0 + 2, &f, 1), 0);
	assert_int_equal(store_close(st), 0);
	assert_int_equal(query(path, "SELECT count(*) FROM interval"), 2);
	assert_int_equal(query(path, "SELECT count(*) FROM finding"), 1);
	assert_int_equal(query(path, "SELECT count(*) FROM sample WHERE entity_id NOT IN "
			       "(SELECT id FROM entity)"), 0);
	assert_int_equal(query(path, "SELECT count(*) FROM sample s JOIN metric m ON m.id = "
			       "s.metric_id JOIN entity e ON e.id = s.entity_id WHERE e.kind = 'p' "
			       "AND m.name = 'mem.rss_bytes' AND s.interval_id = 2 AND s.value = 12288"),
			 1);
	unit_rm_sqlite(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_then_retry),
		cmocka_unit_test(test_commit_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
