// SPDX-License-Identifier: GPL-2.0
/* store: the finding table, written whole and read back; record's analysis. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sqlite3.h>
#include "unit.h"
#include "record/findings.h"
#include "record/write.h"
#include "store/schema.h"
#include "store/store.h"
#include "store/store_findings.h"

#define T0 1700000000.0

static struct store *open_store(const char *path)
{
	struct store_meta m = { .hostname = "testhost", .kernel = "6.1.0", .target = "-p 100",
				.ncpus = 2, .mem_total_bytes = 4e9, .interval_s = 1, .start = T0 };
	struct store *st;
	char err[256];

	assert_int_equal(store_open(&st, path, err, sizeof(err)), 0);
	assert_int_equal(store_set_meta(st, &m), 0);
	return st;
}

/* n intervals of pid 100 whose RSS grows by `rate` bytes a second from 64 MiB. */
static void write_growth(struct store *st, int n, double rate)
{
	int i;

	for (i = 0; i < n; i++) {
		struct proc_sample p;
		struct interval_data d = { .ts = T0 + i + 1, .length_s = 1, .procs = &p, .nprocs = 1 };

		memset(&p, 0, sizeof(p));
		p.pid = 100;
		snprintf(p.comm, sizeof(p.comm), "grow");
		snprintf(p.cgroup, sizeof(p.cgroup), "/x");
		p.oncpu_ns = 1e7;
		p.has_mem = true;
		p.rss_bytes = (int64_t)(64 * 1048576.0 + rate * i);
		assert_int_equal(record_write_interval(st, &d), 0);
	}
}

/* A new store has schema 5 with an empty finding table of these columns. */
static void test_schema_v5(void **state)
{
	char path[64];
	struct store *st;

	(void)state;
	unit_tmp_name(path, sizeof(path), "storef");
	st = open_store(path);
	assert_int_equal(store_close(st), 0);
	assert_int_equal(unit_sql_int(path, "PRAGMA user_version"), 5);
	assert_int_equal(STORE_SCHEMA_VERSION, 5);
	assert_int_equal(unit_sql_int(path, "SELECT count(*) FROM pragma_table_info('interval') WHERE"
				    " name IN ('step_ms', 'merged')"), 2);
	assert_int_equal(unit_sql_int(path, "SELECT count(*) FROM sample_stat"), 0);
	assert_int_equal(unit_sql_int(path, "SELECT count(*) FROM pragma_table_info('entity') WHERE"
				    " name IN ('start_ms', 'ppid', 'pcomm')"), 3);
	assert_int_equal(unit_sql_int(path, "SELECT count(*) FROM pragma_table_info('finding') WHERE"
				    " name IN ('id', 'analysed_ms', 'since_ms', 'until_ms', 'kind',"
				    " 'severity', 'resource', 'summary', 'json')"), 9);
	assert_int_equal(unit_sql_int(path, "SELECT count(*) FROM finding"), 0);
	unit_rm_sqlite(path);
}

static const struct store_finding two[] = {
	{ "memory_growth", "warning", "memory", "pid 100 (grow) grows 1 MiB/s",
	  "{\"kind\":\"memory_growth\",\"victims\":[{\"pid\":100}]}" },
	{ "cpu_saturation", "info", "cpu", "CPU busy", "{\"kind\":\"cpu_saturation\"}" },
};

/* Put, load back, replace with another analysis, with none. */
static void test_round_trip_and_replace(void **state)
{
	struct stored_findings sf;
	char path[64], err[256];
	struct recording r;
	struct store *st;

	(void)state;
	unit_tmp_name(path, sizeof(path), "storef");
	st = open_store(path);
	write_growth(st, 5, 0);
	assert_int_equal(store_put_findings(st, T0 + 100.25, T0, T0 + 5, two, 2), 0);
	assert_int_equal(store_close(st), 0);

	assert_int_equal(store_findings_load(path, &sf, err, sizeof(err)), 0);
	assert_true(sf.present);
	assert_int_equal(sf.n, 2);
	assert_dbl_near(sf.analysed, T0 + 100.25, 1e-3);
	assert_dbl_near(sf.since, T0, 1e-3);
	assert_dbl_near(sf.until, T0 + 5, 1e-3);
	assert_string_equal(sf.f[0].kind, "memory_growth");
	assert_string_equal(sf.f[0].severity, "warning");
	assert_string_equal(sf.f[0].resource, "memory");
	assert_string_equal(sf.f[0].summary, two[0].summary);
	assert_string_equal(sf.f[0].json, two[0].json);
	assert_string_equal(sf.f[1].kind, "cpu_saturation");
	stored_findings_free(&sf);
	assert_int_equal(unit_sql_int(path, "SELECT count(*) FROM finding WHERE analysed_ms ="
				    " 1700000100250 AND since_ms = 1700000000000 AND until_ms ="
				    " 1700000005000"), 2);
	/* store_load reads the series and ignores the finding table */
	assert_int_equal(store_load(path, 0, INFINITY, &r, err, sizeof(err)), 0);
	assert_non_null(rec_find(&r, 'p', "100", "mem.rss_bytes"));
	recording_free(&r);

	/* a later analysis replaces the earlier one as a whole */
	st = open_store(path);
	assert_int_equal(store_put_findings(st, T0 + 200, T0, T0 + 9, &two[1], 1), 0);
	assert_int_equal(store_close(st), 0);
	assert_int_equal(store_findings_load(path, &sf, err, sizeof(err)), 0);
	assert_int_equal(sf.n, 1);
	assert_string_equal(sf.f[0].kind, "cpu_saturation");
	assert_dbl_near(sf.analysed, T0 + 200, 1e-3);
	assert_dbl_near(sf.until, T0 + 9, 1e-3);
	stored_findings_free(&sf);
	assert_int_equal(unit_sql_int(path, "SELECT count(*) FROM finding"), 1);

	/* an analysis that found nothing is still an analysis */
	st = open_store(path);
	assert_int_equal(store_put_findings(st, T0 + 300, T0, T0 + 9, NULL, 0), 0);
	assert_int_equal(store_close(st), 0);
	assert_int_equal(store_findings_load(path, &sf, err, sizeof(err)), 0);
	assert_true(sf.present);
	assert_int_equal(sf.n, 0);
	assert_dbl_near(sf.analysed, T0 + 300, 1e-3);
	stored_findings_free(&sf);
	unit_rm_sqlite(path);
}

/* Not during an interval's transaction; the previous analysis stays. */
static void test_put_in_interval_refused(void **state)
{
	struct stored_findings sf;
	char path[64], err[256];
	struct store *st;

	(void)state;
	unit_tmp_name(path, sizeof(path), "storef");
	st = open_store(path);
	assert_int_equal(store_put_findings(st, T0 + 1, T0, T0 + 1, two, 1), 0);
	assert_int_equal(store_interval_begin(st, T0 + 2, 1), 0);
	assert_int_equal(store_put_findings(st, T0 + 2, T0, T0 + 2, two, 2), -1);
	assert_non_null(strstr(store_error(st), "findings"));
	store_interval_abort(st);
	assert_int_equal(store_close(st), 0);
	assert_int_equal(store_findings_load(path, &sf, err, sizeof(err)), 0);
	assert_int_equal(sf.n, 1);
	stored_findings_free(&sf);
	unit_rm_sqlite(path);
}

/* Bad files get a one-line reason from the findings loader too. */
static void test_load_bad(void **state)
{
	struct stored_findings sf;
	char path[64], err[256] = "";
	FILE *f;

	(void)state;
	unit_tmp_name(path, sizeof(path), "storef");
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("this is not a database, it is a text file that is long enough......\n", f);
	fclose(f);
	assert_int_equal(store_findings_load(path, &sf, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not an SQLite database"));
	assert_null(strchr(err, '\n'));
	unlink(path);
	assert_int_equal(store_findings_load(path, &sf, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot open"));
}

/*
 * record's last step on a store whose process grows 1 MiB/s for 20 s: the
 * finding table holds what findings_analyze says, one row per finding,
 * its JSON that of report --json, the window that of the store.
 */
static void test_record_findings(void **state)
{
	struct stored_findings sf;
	char path[64], err[256];
	struct store *st;
	json_t *j;
	size_t n, i;
	bool growth = false;

	(void)state;
	unit_tmp_name(path, sizeof(path), "storef");
	st = open_store(path);
	write_growth(st, 20, 1048576);
	assert_int_equal(record_findings(st, path, &n, err, sizeof(err)), 0);
	assert_int_equal(store_close(st), 0);
	assert_int_equal(store_findings_load(path, &sf, err, sizeof(err)), 0);
	assert_true(sf.present);
	assert_int_equal(sf.n, n);
	assert_dbl_near(sf.since, T0, 1e-3);
	assert_dbl_near(sf.until, T0 + 20, 1e-3);
	assert_true(fabs(sf.analysed - (double)time(NULL)) < 60);
	for (i = 0; i < sf.n; i++) {
		j = json_loads(sf.f[i].json, 0, NULL);
		assert_non_null(j);
		assert_string_equal(json_string_value(json_object_get(j, "kind")), sf.f[i].kind);
		assert_string_equal(json_string_value(json_object_get(j, "severity")),
				    sf.f[i].severity);
		assert_string_equal(json_string_value(json_object_get(j, "summary")),
				    sf.f[i].summary);
		if (!strcmp(sf.f[i].kind, "memory_growth")) {
			json_t *v = json_array_get(json_object_get(j, "victims"), 0);
			double rate = json_real_value(json_object_get(json_object_get(j, "forecast"),
								      "rate_per_s"));

			growth = true;
			assert_int_equal(json_integer_value(json_object_get(v, "pid")), 100);
			assert_dbl_near(rate, 1048576, 0.05 * 1048576);
			assert_string_equal(sf.f[i].resource, "memory");
		}
		json_decref(j);
	}
	assert_true(growth);
	stored_findings_free(&sf);
	unit_rm_sqlite(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schema_v5),
		cmocka_unit_test(test_round_trip_and_replace),
		cmocka_unit_test(test_put_in_interval_refused),
		cmocka_unit_test(test_load_bad),
		cmocka_unit_test(test_record_findings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
