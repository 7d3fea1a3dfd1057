// SPDX-License-Identifier: GPL-2.0
/* The finding table: the last analysis, replaced as a whole; read back. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "store/schema.h"
#include "store/store_findings.h"
#include "store/store_int.h"

#define META_ANALYSED "findings_analysed"
#define META_SINCE "findings_since"
#define META_UNTIL "findings_until"

static long long ms(double t)
{
	return (long long)llround(t * 1000);
}

static int put_meta(sqlite3 *db, const char *key, double v)
{
	char sql[160];

	snprintf(sql, sizeof(sql), "INSERT OR REPLACE INTO meta VALUES('%s', '%.3f')", key, v);
	return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static int insert_all(struct store *st, double analysed, double since, double until,
		      const struct store_finding *f, size_t n)
{
	sqlite3_stmt *s;
	size_t i;
	int rc = 0;

	if (sqlite3_exec(st->db, "DELETE FROM finding", NULL, NULL, NULL) != SQLITE_OK ||
	    put_meta(st->db, META_ANALYSED, analysed) || put_meta(st->db, META_SINCE, since) ||
	    put_meta(st->db, META_UNTIL, until))
		return -1;
	if (sqlite3_prepare_v2(st->db, "INSERT INTO finding(analysed_ms, since_ms, until_ms, kind,"
			       " severity, resource, summary, json) VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
			       -1, &s, NULL) != SQLITE_OK)
		return -1;
	for (i = 0; i < n && !rc; i++) {
		sqlite3_bind_int64(s, 1, ms(analysed));
		sqlite3_bind_int64(s, 2, ms(since));
		sqlite3_bind_int64(s, 3, ms(until));
		sqlite3_bind_text(s, 4, f[i].kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 5, f[i].severity, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 6, f[i].resource, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 7, f[i].summary, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 8, f[i].json, -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = -1;
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	return rc;
}

int store_put_findings(struct store *st, double analysed, double since, double until,
		       const struct store_finding *f, size_t n)
{
	if (st->in_tx) {
		snprintf(st->err, sizeof(st->err), "storing the findings: an interval is open");
		return -1;
	}
	if (sql_exec(st->db, "BEGIN IMMEDIATE", "storing the findings", st->err, sizeof(st->err)))
		return -1;
	if (insert_all(st, analysed, since, until, f, n)) {
		snprintf(st->err, sizeof(st->err), "storing the findings: %s", sqlite3_errmsg(st->db));
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	/* SQLite rolls back a COMMIT that failed on a full disk or an IO error
	 * itself, but not one that got SQLITE_BUSY: left open, every later
	 * interval would fail to begin */
	if (sql_exec(st->db, "COMMIT", "storing the findings", st->err, sizeof(st->err))) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

static void copy_col(sqlite3_stmt *s, int col, char *buf, size_t len)
{
	const unsigned char *t = sqlite3_column_text(s, col);

	snprintf(buf, len, "%s", t ? (const char *)t : "");
}

static char *dup_col(sqlite3_stmt *s, int col)
{
	const unsigned char *t = sqlite3_column_text(s, col);

	return strdup(t ? (const char *)t : "");
}

/* The analysis' times from meta; present stays false without them. */
static int load_times(sqlite3 *db, struct stored_findings *out)
{
	sqlite3_stmt *s;
	int rc, found = 0;

	rc = sqlite3_prepare_v2(db, "SELECT key, value FROM meta WHERE key IN ('" META_ANALYSED
				"', '" META_SINCE "', '" META_UNTIL "')", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(s, 0);
		double v = sqlite3_column_double(s, 1);

		if (!k)
			continue;
		found++;
		if (!strcmp(k, META_ANALYSED))
			out->analysed = v;
		else if (!strcmp(k, META_SINCE))
			out->since = v;
		else
			out->until = v;
	}
	sqlite3_finalize(s);
	out->present = found == 3;
	return rc == SQLITE_DONE ? 0 : -1;
}

static int load_rows(sqlite3 *db, struct stored_findings *out)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	rc = sqlite3_prepare_v2(db, "SELECT kind, severity, resource, summary, json FROM finding"
				" ORDER BY id", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct stored_finding *f;

		if (out->n == cap) {
			size_t nc = cap ? 2 * cap : 8;
			void *p = realloc(out->f, nc * sizeof(*out->f));

			if (!p)
				break;
			out->f = p;
			cap = nc;
		}
		f = &out->f[out->n];
		copy_col(s, 0, f->kind, sizeof(f->kind));
		copy_col(s, 1, f->severity, sizeof(f->severity));
		copy_col(s, 2, f->resource, sizeof(f->resource));
		f->summary = dup_col(s, 3);
		f->json = dup_col(s, 4);
		out->n++;
		if (!f->summary || !f->json)
			break;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int store_findings_load(const char *path, struct stored_findings *out, char *err,
			size_t errlen)
{
	sqlite3 *db;
	int version, flags, rc = -1;

	memset(out, 0, sizeof(*out));
	/* read-write when allowed, so that an older schema is migrated */
	flags = access(path, W_OK) ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	if (store_db_open(path, flags, &db, &version, err, errlen))
		return -1;
	if (version == 0)
		snprintf(err, errlen, "an empty SQLite database, not a perfpilot store");
	else if (!schema_migrate(db, version, err, errlen)) {
		if (load_times(db, out) || load_rows(db, out))
			snprintf(err, errlen, "reading the stored findings: %s", sqlite3_errmsg(db));
		else
			rc = 0;
	}
	sqlite3_close(db);
	if (rc)
		stored_findings_free(out);
	return rc;
}

void stored_findings_free(struct stored_findings *fs)
{
	size_t i;

	for (i = 0; i < fs->n; i++) {
		free(fs->f[i].summary);
		free(fs->f[i].json);
	}
	free(fs->f);
	memset(fs, 0, sizeof(*fs));
}
