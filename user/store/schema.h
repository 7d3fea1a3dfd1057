/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The store's SQLite schema (docs/store.md): its version, creation, and the
 * forward migrations from older versions.
 */
#ifndef PP_SCHEMA_H
#define PP_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <sqlite3.h>

/* The schema this perfpilot writes; it reads this and every older one. */
#define STORE_SCHEMA_VERSION 5

/* The perfpilot version written into new stores. */
#include "version.h"
#define STORE_WRITER_VERSION PERFPILOT_VERSION

/* A gauge is kept at its last value between samples; stored when it changes
 * and at least every STORE_GAUGE_REFRESH intervals. */
#define STORE_GAUGE_REFRESH 60

/* Is this metric a level (carried forward) rather than a per-interval value? */
bool metric_is_gauge(const char *name);

/* Is this metric an interval's percentile or maximum (merged intervals keep
 * the largest, where per-interval values are summed)? */
bool metric_is_peak(const char *name);

/* Run SQL; -1 with "what: sqlite's message" in err on failure. */
int sql_exec(sqlite3 *db, const char *sql, const char *what, char *err, size_t errlen);

/*
 * The schema version of an open database: 0 for an empty database, -1 with
 * a reason in err when it is not a perfpilot store (or unreadable).
 */
int schema_version(sqlite3 *db, int *version, char *err, size_t errlen);

/* Create the current schema in an empty database (one transaction). */
int schema_create(sqlite3 *db, char *err, size_t errlen);

/*
 * Bring a store of version `from` up to STORE_SCHEMA_VERSION, one step at a
 * time, in one transaction. A newer version is refused with a message.
 */
int schema_migrate(sqlite3 *db, int from, char *err, size_t errlen);

/* The SQL of schema version 1 (with its version), the tables of version 2
 * (without it) and what versions 3, 4 and 5 changed, for tests of the
 * migrations. */
extern const char *const schema_v1_sql;
extern const char *const schema_v2_sql;
extern const char *const schema_v3_added_sql;
extern const char *const schema_v4_added_sql;
extern const char *const schema_v5_added_sql;

#endif
