// SPDX-License-Identifier: GPL-2.0
/* The store writer: one transaction per interval, sparse samples. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store/schema.h"
#include "store/store_int.h"

static int fail(struct store *st, const char *what)
{
	snprintf(st->err, sizeof(st->err), "%s: %s", what, sqlite3_errmsg(st->db));
	return -1;
}

/* Run a prepared statement that returns no row, and reset it. */
static int step_done(struct store *st, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE ? 0 : fail(st, what);
}

int store_interval_begin(struct store *st, double ts, double length_s)
{
	if (st->in_tx)
		store_interval_abort(st);
	if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return fail(st, "starting an interval");
	st->in_tx = true;
	sqlite3_bind_int64(st->ins_interval, 1, (sqlite3_int64)llround(ts * 1000));
	sqlite3_bind_int64(st->ins_interval, 2, (sqlite3_int64)llround(length_s * 1000));
	if (step_done(st, st->ins_interval, "writing an interval")) {
		store_interval_abort(st);
		return -1;
	}
	st->iv = sqlite3_last_insert_rowid(st->db);
	st->iv_ts = ts;
	return 0;
}

/*
 * Roll the interval back (SQLite may have done it already: after
 * SQLITE_FULL or an IO error it can end the transaction itself) and forget
 * what the writer cached inside it: entity and metric ids that were
 * inserted in it, entities' last interval and the gauges' last stored
 * values would otherwise point at rows that are not there, and the next
 * attempt would skip them (a gauge lost) or reference them (rows with a
 * dangling id). The next interval looks them up in the database again.
 */
void store_interval_abort(struct store *st)
{
	size_t i;

	if (st->in_tx && !sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	if (st->in_tx) {
		for (i = 0; i < st->nents; i++)
			free(st->ents[i]);
		st->nents = 0;
		st->nmetrics = 0;
		st->ngauges = 0;
	}
	st->in_tx = false;
	st->iv = 0;
}

static int metric_index(struct store *st, const char *name)
{
	sqlite3_stmt *s;
	struct store_metric *m;
	size_t i;
	int rc;

	for (i = 0; i < st->nmetrics; i++)
		if (!strcmp(st->metrics[i].name, name))
			return (int)i;
	if (st->nmetrics == STORE_MAX_METRICS || strlen(name) >= sizeof(m->name)) {
		snprintf(st->err, sizeof(st->err), "metric '%s': too many or too long", name);
		return -1;
	}
	m = &st->metrics[st->nmetrics];
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->gauge = -1;
	if (metric_is_gauge(name)) {
		if (st->ngauges == STORE_MAX_GAUGES) {
			snprintf(st->err, sizeof(st->err), "gauge '%s': too many gauges", name);
			return -1;
		}
		m->gauge = st->ngauges++;
	}
	/* an appended store may know it already */
	rc = sqlite3_prepare_v2(st->db, "INSERT OR IGNORE INTO metric(name, gauge) VALUES(?, ?)",
				-1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 2, m->gauge >= 0);
		rc = sqlite3_step(s) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
		sqlite3_finalize(s);
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(st->db, "SELECT id FROM metric WHERE name = ?", -1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
		rc = sqlite3_step(s) == SQLITE_ROW ? SQLITE_OK : SQLITE_ERROR;
		m->id = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	}
	if (rc != SQLITE_OK)
		return fail(st, "writing a metric name");
	return (int)st->nmetrics++;
}

static int ent_cmp(const struct store_entity *k, const struct store_ent *e)
{
	int c;

	if (k->kind != e->kind)
		return k->kind < e->kind ? -1 : 1;
	c = strcmp(k->name, e->name);
	if (c)
		return c;
	return k->start_ms < e->start_ms ? -1 : k->start_ms > e->start_ms;
}

/* Index of the first cached entity >= (kind, name, start). */
static size_t ent_pos(const struct store *st, const struct store_entity *k, bool *found)
{
	size_t lo = 0, hi = st->nents;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (ent_cmp(k, st->ents[mid]) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < st->nents && !ent_cmp(k, st->ents[lo]);
	return lo;
}

/* Find the entity in the database, or add it there. */
static int ent_lookup_db(struct store *st, const struct store_entity *e, struct store_ent *c)
{
	char kind[2] = {e->kind, 0};
	const unsigned char *comm;
	int rc;

	sqlite3_bind_text(st->sel_ent, 1, kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st->sel_ent, 2, e->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st->sel_ent, 3, e->start_ms);
	rc = sqlite3_step(st->sel_ent);
	if (rc == SQLITE_ROW) {
		c->id = sqlite3_column_int64(st->sel_ent, 0);
		comm = sqlite3_column_text(st->sel_ent, 1);
		snprintf(c->comm, sizeof(c->comm), "%s", comm ? (const char *)comm : "");
	}
	sqlite3_reset(st->sel_ent);
	sqlite3_clear_bindings(st->sel_ent);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return fail(st, "reading an entity");
	sqlite3_bind_text(st->ins_ent, 1, kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st->ins_ent, 2, e->name, -1, SQLITE_STATIC);
	if (e->kind == ENT_PROC || e->kind == ENT_GROUP)
		sqlite3_bind_int64(st->ins_ent, 3, e->pid);
	if (e->comm)
		sqlite3_bind_text(st->ins_ent, 4, e->comm, -1, SQLITE_STATIC);
	if (e->cgroup)
		sqlite3_bind_text(st->ins_ent, 5, e->cgroup, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st->ins_ent, 6, st->iv);
	sqlite3_bind_int64(st->ins_ent, 7, st->iv);
	sqlite3_bind_int64(st->ins_ent, 8, e->start_ms);
	if (e->ppid)
		sqlite3_bind_int64(st->ins_ent, 9, e->ppid);
	if (e->pcomm)
		sqlite3_bind_text(st->ins_ent, 10, e->pcomm, -1, SQLITE_STATIC);
	if (step_done(st, st->ins_ent, "writing an entity"))
		return -1;
	c->id = sqlite3_last_insert_rowid(st->db);
	c->last_iv = st->iv;
	snprintf(c->comm, sizeof(c->comm), "%s", e->comm ? e->comm : "");
	return 0;
}

static struct store_ent *entity(struct store *st, const struct store_entity *e)
{
	struct store_ent *c, **grown;
	bool found;
	size_t pos = ent_pos(st, e, &found);

	if (found)
		return st->ents[pos];
	if (strlen(e->name) >= sizeof(c->name)) {
		snprintf(st->err, sizeof(st->err), "entity name too long: %.40s...", e->name);
		return NULL;
	}
	if (st->nents == st->capents) {
		size_t cap = st->capents ? st->capents * 2 : 64;

		grown = realloc(st->ents, cap * sizeof(*grown));
		if (!grown)
			goto nomem;
		st->ents = grown;
		st->capents = cap;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		goto nomem;
	c->kind = e->kind;
	c->start_ms = e->start_ms;
	snprintf(c->name, sizeof(c->name), "%s", e->name);
	if (ent_lookup_db(st, e, c)) {
		free(c);
		return NULL;
	}
	memmove(&st->ents[pos + 1], &st->ents[pos], (st->nents - pos) * sizeof(*st->ents));
	st->ents[pos] = c;
	st->nents++;
	return c;
nomem:
	snprintf(st->err, sizeof(st->err), "out of memory");
	return NULL;
}

/* Mark present in this interval; a process that exec'd gets its new name. */
static int touch(struct store *st, struct store_ent *c, const struct store_entity *e)
{
	c->gone |= e->gone;
	if (c->last_iv != st->iv) {
		c->last_iv = st->iv;
		sqlite3_bind_int64(st->upd_last, 1, st->iv);
		sqlite3_bind_int64(st->upd_last, 2, c->id);
		if (step_done(st, st->upd_last, "writing an entity"))
			return -1;
	}
	if (e->comm && *e->comm && strcmp(e->comm, c->comm)) {
		snprintf(c->comm, sizeof(c->comm), "%s", e->comm);
		sqlite3_bind_text(st->upd_comm, 1, e->comm, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st->upd_comm, 2, c->id);
		if (step_done(st, st->upd_comm, "writing an entity"))
			return -1;
	}
	return 0;
}

int store_put(struct store *st, const struct store_entity *e, const char *metric, double value)
{
	struct store_ent *c;
	int mi, g;

	if (!st->in_tx) {
		snprintf(st->err, sizeof(st->err), "a value outside an interval");
		return -1;
	}
	if (!isfinite(value))
		return 0;
	c = entity(st, e);
	if (!c || touch(st, c, e))
		return -1;
	mi = metric_index(st, metric);
	if (mi < 0)
		return -1;
	g = st->metrics[mi].gauge;
	if (g >= 0) {
		if (c->gauge_set[g] && c->gauge_val[g] == value &&
		    st->iv - c->gauge_iv[g] < STORE_GAUGE_REFRESH)
			return 0;
		c->gauge_set[g] = true;
		c->gauge_val[g] = value;
		c->gauge_iv[g] = st->iv;
	} else if (value == 0) {
		return 0;
	}
	sqlite3_bind_int64(st->ins_sample, 1, st->iv);
	sqlite3_bind_int64(st->ins_sample, 2, c->id);
	sqlite3_bind_int64(st->ins_sample, 3, st->metrics[mi].id);
	sqlite3_bind_double(st->ins_sample, 4, value);
	return step_done(st, st->ins_sample, "writing a sample");
}

/*
 * The entity cache stays bounded: an entity that is gone (an exited process)
 * is dropped at the end of its last interval, one not seen for
 * STORE_ENT_IDLE intervals every STORE_GAUGE_REFRESH intervals, and beyond
 * STORE_ENT_MAX entries every one not seen in this interval. A dropped
 * entity that comes back is looked up in the database again. Counted.
 */
static void evict_idle(struct store *st)
{
	bool idle = !(st->iv % STORE_GAUGE_REFRESH), full = st->nents > STORE_ENT_MAX;
	size_t i, k;

	for (i = 0, k = 0; i < st->nents; i++) {
		struct store_ent *c = st->ents[i];

		if (c->gone || (idle && st->iv - c->last_iv > STORE_ENT_IDLE) ||
		    (full && c->last_iv != st->iv)) {
			free(c);
			st->ents_evicted++;
		} else {
			st->ents[k++] = c;
		}
	}
	st->nents = k;
}

void store_cache_stats(const struct store *st, size_t *cached, unsigned long long *evicted)
{
	*cached = st->nents;
	*evicted = st->ents_evicted;
}

int store_interval_end(struct store *st)
{
	char end[64];
	sqlite3_stmt *s;
	int rc;

	if (!st->in_tx)
		return 0;
	evict_idle(st);
	snprintf(end, sizeof(end), "%.3f", st->iv_ts);
	rc = sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO meta VALUES('end', ?)", -1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(s, 1, end, -1, SQLITE_STATIC);
		rc = sqlite3_step(s) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
		sqlite3_finalize(s);
	}
	if (rc != SQLITE_OK || sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		fail(st, "committing an interval");
		store_interval_abort(st);
		return -1;
	}
	st->in_tx = false;
	return 0;
}

int store_put_profile(struct store *st, double start, double end, const char *folded)
{
	sqlite3_stmt *s;
	int rc;

	rc = sqlite3_prepare_v2(st->db, "INSERT INTO profile(start_ms, end_ms, folded) "
				"VALUES(?, ?, ?)", -1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, (sqlite3_int64)llround(start * 1000));
		sqlite3_bind_int64(s, 2, (sqlite3_int64)llround(end * 1000));
		sqlite3_bind_text(s, 3, folded, -1, SQLITE_STATIC);
		rc = sqlite3_step(s) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
		sqlite3_finalize(s);
	}
	return rc == SQLITE_OK ? 0 : fail(st, "writing the profile");
}
