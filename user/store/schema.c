// SPDX-License-Identifier: GPL-2.0
/* The store schema, its creation and its migrations (docs/store.md). */
#include <stdio.h>
#include <string.h>
#include "store/schema.h"

static const char *const gauges[] = {
	"mem.rss_bytes", "cg.memory_bytes", "cg.memory_limit_bytes",
	"host.mem_available_bytes", "host.runnable", "cg.cpu_limit_cores",
};

bool metric_is_gauge(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(gauges) / sizeof(gauges[0]); i++)
		if (!strcmp(name, gauges[i]))
			return true;
	return false;
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);

	return n >= m && !strcmp(s + n - m, tail);
}

bool metric_is_peak(const char *name)
{
	return ends_with(name, "_p99_us") || ends_with(name, "_p50_us") ||
	       ends_with(name, "_max_us") || ends_with(name, "_max") ||
	       ends_with(name, "_peak_bytes");
}

int sql_exec(sqlite3 *db, const char *sql, const char *what, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	snprintf(err, errlen, "%s: %s", what, msg ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	return -1;
}

/*
 * Version 1: samples keyed by wall-clock milliseconds, every value stored
 * (kept for the migration and its test).
 */
const char *const schema_v1_sql =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;"
	"CREATE TABLE entity(id INTEGER PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL,"
	" pid INTEGER, comm TEXT, cgroup TEXT, UNIQUE(kind, name));"
	"CREATE TABLE metric(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
	"CREATE TABLE sample(ts INTEGER NOT NULL, entity_id INTEGER NOT NULL,"
	" metric_id INTEGER NOT NULL, value REAL NOT NULL,"
	" PRIMARY KEY(entity_id, metric_id, ts)) WITHOUT ROWID;"
	"INSERT INTO meta VALUES('schema_version', '1');"
	"PRAGMA user_version = 1;";

/* Version 2: intervals numbered, samples keyed by interval (kept for the
 * migration's test). */
const char *const schema_v2_sql =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;"
	"CREATE TABLE entity(id INTEGER PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL,"
	" pid INTEGER, comm TEXT, cgroup TEXT, first_interval INTEGER, last_interval INTEGER,"
	" UNIQUE(kind, name));"
	"CREATE TABLE metric(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
	" gauge INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE interval(id INTEGER PRIMARY KEY, ts_ms INTEGER NOT NULL,"
	" length_ms INTEGER NOT NULL);"
	"CREATE TABLE sample(interval_id INTEGER NOT NULL, entity_id INTEGER NOT NULL,"
	" metric_id INTEGER NOT NULL, value REAL NOT NULL,"
	" PRIMARY KEY(interval_id, entity_id, metric_id)) WITHOUT ROWID;"
	"CREATE TABLE profile(id INTEGER PRIMARY KEY, start_ms INTEGER NOT NULL,"
	" end_ms INTEGER NOT NULL, folded TEXT NOT NULL);";

/* 1 -> 2: number the intervals, key samples by interval, entity lifetimes,
 * gauge flags, the profile table. */
static const char *const migrate_1_2_sql =
	"CREATE TABLE interval(id INTEGER PRIMARY KEY, ts_ms INTEGER NOT NULL,"
	" length_ms INTEGER NOT NULL);"
	"INSERT INTO interval(ts_ms, length_ms) SELECT ts, CAST(round(1000 * coalesce("
	" (SELECT value FROM meta WHERE key = 'interval'), 0)) AS INTEGER)"
	" FROM (SELECT DISTINCT ts FROM sample) ORDER BY ts;"
	"CREATE TABLE sample2(interval_id INTEGER NOT NULL, entity_id INTEGER NOT NULL,"
	" metric_id INTEGER NOT NULL, value REAL NOT NULL,"
	" PRIMARY KEY(interval_id, entity_id, metric_id)) WITHOUT ROWID;"
	"INSERT INTO sample2 SELECT i.id, s.entity_id, s.metric_id, s.value"
	" FROM sample s JOIN interval i ON i.ts_ms = s.ts WHERE s.value != 0"
	" ORDER BY i.id, s.entity_id, s.metric_id;"
	"DROP TABLE sample;"
	"ALTER TABLE sample2 RENAME TO sample;"
	"ALTER TABLE entity ADD COLUMN first_interval INTEGER;"
	"ALTER TABLE entity ADD COLUMN last_interval INTEGER;"
	"UPDATE entity SET first_interval = a.lo, last_interval = a.hi FROM"
	" (SELECT entity_id, min(interval_id) AS lo, max(interval_id) AS hi FROM sample"
	"  GROUP BY entity_id) AS a WHERE a.entity_id = entity.id;"
	"ALTER TABLE metric ADD COLUMN gauge INTEGER NOT NULL DEFAULT 0;"
	"UPDATE metric SET gauge = 1 WHERE name IN ('mem.rss_bytes', 'cg.memory_bytes',"
	" 'cg.memory_limit_bytes', 'host.mem_available_bytes', 'host.runnable');"
	"CREATE TABLE profile(id INTEGER PRIMARY KEY, start_ms INTEGER NOT NULL,"
	" end_ms INTEGER NOT NULL, folded TEXT NOT NULL);";

/* 2 -> 3: the findings of the last analysis (perfpilot record's). */
const char *const schema_v3_added_sql =
	"CREATE TABLE finding(id INTEGER PRIMARY KEY, analysed_ms INTEGER NOT NULL,"
	" since_ms INTEGER NOT NULL, until_ms INTEGER NOT NULL, kind TEXT NOT NULL,"
	" severity TEXT NOT NULL, resource TEXT NOT NULL, summary TEXT NOT NULL,"
	" json TEXT NOT NULL);";

/*
 * 3 -> 4: a process is its pid and its start (start_ms, unix milliseconds):
 * the entity's key becomes (kind, name, start_ms), 0 for entities that are
 * not processes and for the processes of older stores (their start is not
 * known); its parent (ppid, pcomm) is kept. Groups of short-lived processes
 * (kind 'g') need no change of the tables. SQLite cannot change a UNIQUE
 * constraint in place: the table is copied.
 */
const char *const schema_v4_added_sql =
	"CREATE TABLE entity4(id INTEGER PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL,"
	" pid INTEGER, comm TEXT, cgroup TEXT, first_interval INTEGER, last_interval INTEGER,"
	" start_ms INTEGER NOT NULL DEFAULT 0, ppid INTEGER, pcomm TEXT,"
	" UNIQUE(kind, name, start_ms));"
	"INSERT INTO entity4(id, kind, name, pid, comm, cgroup, first_interval, last_interval)"
	" SELECT id, kind, name, pid, comm, cgroup, first_interval, last_interval FROM entity;"
	"DROP TABLE entity;"
	"ALTER TABLE entity4 RENAME TO entity;";

/*
 * 4 -> 5: rollups (docs/store.md, store/rollup.h): an interval row may hold
 * several recorded intervals merged into one step (step_ms, the step it was
 * rolled up to, 0 as recorded; merged, how many recorded intervals it
 * holds), and what merging loses goes to sample_stat: the min, max and mean
 * of the recorded intervals' values, where they differ from the sample.
 * Existing rows are as recorded: the column defaults say so, nothing is
 * copied.
 */
const char *const schema_v5_added_sql =
	"ALTER TABLE interval ADD COLUMN step_ms INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE interval ADD COLUMN merged INTEGER NOT NULL DEFAULT 1;"
	"CREATE TABLE sample_stat(interval_id INTEGER NOT NULL, entity_id INTEGER NOT NULL,"
	" metric_id INTEGER NOT NULL, min REAL NOT NULL, max REAL NOT NULL, mean REAL NOT NULL,"
	" PRIMARY KEY(interval_id, entity_id, metric_id)) WITHOUT ROWID;";

#define migrate_2_3_sql schema_v3_added_sql
#define migrate_3_4_sql schema_v4_added_sql
#define migrate_4_5_sql schema_v5_added_sql

/* migrations[i] takes a store from version i + 1 to i + 2 */
static const char *const migrations[] = { migrate_1_2_sql, migrate_2_3_sql, migrate_3_4_sql,
					   migrate_4_5_sql };

static int table_count(sqlite3 *db, int *n)
{
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*n = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

static void describe(sqlite3 *db, int rc, char *err, size_t errlen)
{
	int base = rc & 0xff;

	if (base == SQLITE_NOTADB)
		snprintf(err, errlen, "not an SQLite database (or its header is damaged)");
	else if (base == SQLITE_CORRUPT)
		snprintf(err, errlen, "the file is damaged (truncated or corrupt): %s",
			 sqlite3_errmsg(db));
	else
		snprintf(err, errlen, "cannot read it: %s", sqlite3_errmsg(db));
}

int schema_version(sqlite3 *db, int *version, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc, ntables = 0;

	*version = 0;
	rc = table_count(db, &ntables);
	if (rc != SQLITE_OK) {
		describe(db, rc, err, errlen);
		return -1;
	}
	rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		*version = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK) {
		describe(db, rc, err, errlen);
		return -1;
	}
	if (*version == 0 && ntables) {
		snprintf(err, errlen, "an SQLite database, but not a perfpilot store");
		return -1;
	}
	if (*version < 0) {
		snprintf(err, errlen, "not a perfpilot store (schema version %d)", *version);
		return -1;
	}
	return 0;
}

int schema_create(sqlite3 *db, char *err, size_t errlen)
{
	char sql[8192];

	/* version 5 (current): version 2's tables, the finding table, the
	 * entity keyed by its start and the rollup columns and table, as the
	 * migrations make them */
	snprintf(sql, sizeof(sql), "BEGIN IMMEDIATE;%s%s%s%s"
		 "INSERT INTO meta VALUES('schema_version', '%d');"
		 "PRAGMA user_version = %d; COMMIT;",
		 schema_v2_sql, migrate_2_3_sql, migrate_3_4_sql, migrate_4_5_sql,
		 STORE_SCHEMA_VERSION, STORE_SCHEMA_VERSION);
	if (sql_exec(db, sql, "creating the store schema", err, errlen)) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

int schema_migrate(sqlite3 *db, int from, char *err, size_t errlen)
{
	char what[64], sql[64];
	int v;

	if (from > STORE_SCHEMA_VERSION) {
		snprintf(err, errlen, "written by a newer perfpilot (store schema v%d; this one "
			 "reads up to v%d): use a newer perfpilot", from, STORE_SCHEMA_VERSION);
		return -1;
	}
	if (from == STORE_SCHEMA_VERSION)
		return 0;
	if (from < 1) {
		snprintf(err, errlen, "not a perfpilot store (schema version %d)", from);
		return -1;
	}
	if (sql_exec(db, "BEGIN IMMEDIATE", "migrating the store", err, errlen))
		return -1;
	for (v = from; v < STORE_SCHEMA_VERSION; v++) {
		snprintf(what, sizeof(what), "migrating the store from schema v%d to v%d", v, v + 1);
		if (sql_exec(db, migrations[v - 1], what, err, errlen))
			goto fail;
	}
	snprintf(sql, sizeof(sql), "UPDATE meta SET value = '%d' WHERE key = 'schema_version'",
		 STORE_SCHEMA_VERSION);
	if (sql_exec(db, sql, "migrating the store", err, errlen))
		goto fail;
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", STORE_SCHEMA_VERSION);
	if (sql_exec(db, sql, "migrating the store", err, errlen) ||
	    sql_exec(db, "COMMIT", "migrating the store", err, errlen))
		goto fail;
	return 0;
fail:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}
