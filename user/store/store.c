// SPDX-License-Identifier: GPL-2.0
/* The store file: opening, meta data, retention, closing. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "store/schema.h"
#include "store/store_int.h"

#define STORE_WRITER_CACHE_KIB "512" /* the writer's page cache (PRAGMA cache_size) */

int store_db_open(const char *path, int flags, sqlite3 **db, int *version, char *err,
		  size_t errlen)
{
	int rc;

	*db = NULL;
	rc = sqlite3_open_v2(path, db, flags, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot open it: %s", *db ? sqlite3_errmsg(*db) : "no memory");
		sqlite3_close(*db);
		*db = NULL;
		return -1;
	}
	sqlite3_busy_timeout(*db, 2000);
	sqlite3_extended_result_codes(*db, 1);
	if (schema_version(*db, version, err, errlen)) {
		sqlite3_close(*db);
		*db = NULL;
		return -1;
	}
	return 0;
}

static int prepare(struct store *st, sqlite3_stmt **s, const char *sql)
{
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, s, NULL) == SQLITE_OK)
		return 0;
	snprintf(st->err, sizeof(st->err), "preparing the store's statements: %s",
		 sqlite3_errmsg(st->db));
	return -1;
}

int store_open(struct store **out, const char *path, char *err, size_t errlen)
{
	struct store *st;
	int version;

	*out = NULL;
	st = calloc(1, sizeof(*st));
	if (!st) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (store_db_open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &st->db, &version, err,
			  errlen))
		goto fail;
	/* WAL: one commit per interval is cheap, readers can look meanwhile,
	 * and a crash leaves the last committed interval readable. The writer
	 * appends: its page cache needs the few pages it writes into, not
	 * SQLite's default 2 MB, which took a recording 40 minutes to fill (a
	 * slow rise of the RSS of a long record or of the daemon) */
	if (sql_exec(st->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
		     "PRAGMA cache_size = -" STORE_WRITER_CACHE_KIB ";",
		     "setting up the journal", err, errlen))
		goto fail;
	if (version == 0 ? schema_create(st->db, err, errlen)
			 : schema_migrate(st->db, version, err, errlen))
		goto fail;
	if (prepare(st, &st->ins_sample, "INSERT OR REPLACE INTO sample VALUES(?, ?, ?, ?)") ||
	    prepare(st, &st->ins_interval, "INSERT INTO interval(ts_ms, length_ms) VALUES(?, ?)") ||
	    prepare(st, &st->upd_last, "UPDATE entity SET last_interval = ? WHERE id = ?") ||
	    prepare(st, &st->sel_ent, "SELECT id, comm FROM entity WHERE kind = ? AND name = ? "
		    "AND start_ms = ?") ||
	    prepare(st, &st->ins_ent, "INSERT INTO entity(kind, name, pid, comm, cgroup, "
		    "first_interval, last_interval, start_ms, ppid, pcomm) "
		    "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)") ||
	    prepare(st, &st->upd_comm, "UPDATE entity SET comm = ? WHERE id = ?")) {
		snprintf(err, errlen, "%s", st->err);
		goto fail;
	}
	*out = st;
	return 0;
fail:
	store_close(st);
	return -1;
}

static int put_meta(struct store *st, const char *key, const char *value, bool keep)
{
	sqlite3_stmt *s;
	int rc;

	rc = sqlite3_prepare_v2(st->db, keep ? "INSERT OR IGNORE INTO meta VALUES(?, ?)"
					     : "INSERT OR REPLACE INTO meta VALUES(?, ?)",
				-1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, value ? value : "", -1, SQLITE_STATIC);
		rc = sqlite3_step(s) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_OK) {
		snprintf(st->err, sizeof(st->err), "writing the store's meta data: %s",
			 sqlite3_errmsg(st->db));
		return -1;
	}
	return 0;
}

int store_set_meta(struct store *st, const struct store_meta *m)
{
	char num[6][64];
	int rc;

	snprintf(num[0], sizeof(num[0]), "%d", m->ncpus);
	snprintf(num[1], sizeof(num[1]), "%.0f", m->mem_total_bytes);
	snprintf(num[2], sizeof(num[2]), "%.6g", m->interval_s);
	snprintf(num[3], sizeof(num[3]), "%.3f", m->start);
	snprintf(num[4], sizeof(num[4]), "%.3f", m->start);
	snprintf(num[5], sizeof(num[5]), "%u", m->profile_hz);
	if (sql_exec(st->db, "BEGIN IMMEDIATE", "writing the store's meta data", st->err,
		     sizeof(st->err)))
		return -1;
	rc = put_meta(st, "perfpilot_version", STORE_WRITER_VERSION, false) ||
	     put_meta(st, "hostname", m->hostname, false) ||
	     put_meta(st, "kernel", m->kernel, false) ||
	     put_meta(st, "ncpus", num[0], false) ||
	     put_meta(st, "mem_total", num[1], false) ||
	     put_meta(st, "interval", num[2], false) ||
	     put_meta(st, "target", m->target, false) ||
	     put_meta(st, "start", num[3], true) ||
	     put_meta(st, "end", num[4], true) ||
	     (m->profile_hz && put_meta(st, "profile_hz", num[5], false));
	if (rc) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	/* a COMMIT that got SQLITE_BUSY leaves the transaction open */
	if (sql_exec(st->db, "COMMIT", "writing the store's meta data", st->err,
		     sizeof(st->err))) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

int store_put_self(struct store *st, const struct store_self *self)
{
	char num[3][64];

	snprintf(num[0], sizeof(num[0]), "%u", self->pid);
	snprintf(num[1], sizeof(num[1]), "%.3f", self->cpu_s);
	snprintf(num[2], sizeof(num[2]), "%.0f", self->rss_peak_bytes);
	return put_meta(st, "self_pid", num[0], false) || put_meta(st, "self_cpu_s", num[1], false) ||
	       put_meta(st, "self_rss_peak_bytes", num[2], false) ? -1 : 0;
}

static int64_t query_int(sqlite3 *db, const char *sql, int64_t def)
{
	sqlite3_stmt *s;
	int64_t v = def;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return def;
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

double store_bytes(struct store *st)
{
	int64_t pages = query_int(st->db, "PRAGMA page_count", 0);
	int64_t freel = query_int(st->db, "PRAGMA freelist_count", 0);
	int64_t size = query_int(st->db, "PRAGMA page_size", 4096);

	return (double)(pages - freel) * (double)size;
}

long store_intervals(struct store *st)
{
	return (long)query_int(st->db, "SELECT count(*) FROM interval", 0);
}

/* Delete every interval with id < cut, with its samples and what only it
 * referenced; forget cached entities last seen before it. */
static int drop_before(struct store *st, int64_t cut)
{
	char sql[640];
	size_t i, k;

	snprintf(sql, sizeof(sql),
		 "BEGIN IMMEDIATE;"
		 "DELETE FROM profile WHERE end_ms < (SELECT coalesce(min(ts_ms), 1e18) FROM interval"
		 " WHERE id >= %1$lld);"
		 "DELETE FROM sample WHERE interval_id < %1$lld;"
		 "DELETE FROM sample_stat WHERE interval_id < %1$lld;"
		 "DELETE FROM interval WHERE id < %1$lld;"
		 "DELETE FROM entity WHERE last_interval < %1$lld;"
		 "UPDATE entity SET first_interval = %1$lld WHERE first_interval < %1$lld;"
		 "COMMIT;", (long long)cut);
	if (sql_exec(st->db, sql, "pruning the store", st->err, sizeof(st->err))) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	for (i = 0, k = 0; i < st->nents; i++) {
		if (st->ents[i]->last_iv < cut)
			free(st->ents[i]);
		else
			st->ents[k++] = st->ents[i];
	}
	st->nents = k;
	return 0;
}

int store_prune(struct store *st, double max_age_s, double max_bytes, double now,
		unsigned long *dropped)
{
	char sql[256];
	int64_t lo, hi, cut, n;
	double used;

	*dropped = 0;
	lo = query_int(st->db, "SELECT min(id) FROM interval", 0);
	hi = query_int(st->db, "SELECT max(id) FROM interval", 0);
	if (!lo)
		return 0;
	if (max_age_s > 0) {
		snprintf(sql, sizeof(sql), "SELECT min(id) FROM interval WHERE ts_ms >= %lld",
			 (long long)((now - max_age_s) * 1000));
		cut = query_int(st->db, sql, hi + 1);
		if (cut > hi) /* keep the newest interval at least */
			cut = hi;
		if (cut > lo) {
			if (drop_before(st, cut))
				return -1;
			*dropped += (unsigned long)(cut - lo);
			lo = cut;
		}
	}
	/* by size: drop the oldest tenth of what is above 90 % of the limit,
	 * so that the freed pages take the next intervals */
	while (max_bytes > 0 && (used = store_bytes(st)) > max_bytes && lo < hi) {
		n = (int64_t)((double)(hi - lo + 1) * (used - 0.9 * max_bytes) / used) + 1;
		cut = lo + n > hi ? hi : lo + n;
		if (drop_before(st, cut))
			return -1;
		*dropped += (unsigned long)(cut - lo);
		lo = cut;
	}
	return 0;
}

const char *store_error(const struct store *st)
{
	return st->err;
}

int store_close(struct store *st)
{
	size_t i;
	int rc = 0;

	if (!st)
		return 0;
	if (st->in_tx)
		store_interval_abort(st);
	sqlite3_finalize(st->ins_sample);
	sqlite3_finalize(st->ins_interval);
	sqlite3_finalize(st->upd_last);
	sqlite3_finalize(st->sel_ent);
	sqlite3_finalize(st->ins_ent);
	sqlite3_finalize(st->upd_comm);
	if (st->db && sqlite3_close(st->db) != SQLITE_OK)
		rc = -1;
	for (i = 0; i < st->nents; i++)
		free(st->ents[i]);
	free(st->ents);
	free(st);
	return rc;
}

int store_check_target(const char *path, char *err, size_t errlen)
{
	char dir[PATH_MAX], tmp[PATH_MAX], why[400];
	struct stat sb;
	sqlite3 *db;
	int version, fd;

	if (!*path) {
		snprintf(err, errlen, "the output file name is empty");
		return -1;
	}
	if (stat(path, &sb) == 0) {
		if (S_ISDIR(sb.st_mode)) {
			snprintf(err, errlen, "'%s' is a directory; give a file name such as %s/rec.db",
				 path, path);
			return -1;
		}
		if (!S_ISREG(sb.st_mode)) {
			snprintf(err, errlen, "'%s' is not a regular file; give a file name such as rec.db",
				 path);
			return -1;
		}
		if (access(path, R_OK | W_OK)) {
			snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
			return -1;
		}
		if (sb.st_size == 0)
			return 0;
		if (store_db_open(path, SQLITE_OPEN_READONLY, &db, &version, why, sizeof(why)) == 0) {
			sqlite3_close(db);
			if (version <= STORE_SCHEMA_VERSION)
				return 0;
			schema_migrate(NULL, version, why, sizeof(why)); /* says "newer" */
		}
		snprintf(err, errlen, "'%s' exists and is not a store to append to (%s); "
			 "choose another file", path, why);
		return -1;
	}
	if (errno != ENOENT) {
		snprintf(err, errlen, "cannot use '%s': %s", path, strerror(errno));
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%s", path);
	snprintf(dir, sizeof(dir), "%s", dirname(tmp));
	if (stat(dir, &sb) || !S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "cannot create '%s': directory '%s' does not exist", path, dir);
		return -1;
	}
	/* access() says yes to root even where nothing can be created (/proc,
	 * a read-only mount): try it, and remove the file again */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create '%s': %s", path, strerror(errno));
		return -1;
	}
	close(fd);
	unlink(path);
	return 0;
}
