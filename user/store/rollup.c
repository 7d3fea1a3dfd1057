// SPDX-License-Identifier: GPL-2.0
/*
 * Rollups: merging aged intervals into steps (docs/store.md). The steps of
 * a tier are a grid of wall-clock time (a row belongs to the step its end
 * falls in), so that the steps of 10 s nest in those of 1 min and a store
 * rolled up twice is the same as one rolled up once; only steps that ended
 * before the tier's age are merged, whole.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "store/rollup.h"
#include "store/rollup_merge.h"
#include "store/schema.h"
#include "store/store_int.h"

/* Interval rows looked at per transaction (a step of 1 min at 0.1 s holds
 * 600; more than a step's worth is merged only while the budget lasts). */
#define CHUNK_ROWS 2048

void rollup_policy_default(struct rollup_policy *p)
{
	char err[8];

	rollup_policy_ages(p, ROLLUP_AGE1_S, ROLLUP_AGE2_S, err, sizeof(err));
}

int rollup_policy_ages(struct rollup_policy *p, double age1_s, double age2_s, char *err,
		       size_t errlen)
{
	if (!(age1_s > 0) || !(age2_s > age1_s) || !isfinite(age2_s)) {
		snprintf(err, errlen, "the first age must be above 0 and the second above it: "
			 "10 s steps after the first, 1 min steps after the second (such as 6h,1d)");
		return -1;
	}
	*p = (struct rollup_policy){
		.ntiers = ROLLUP_TIERS,
		.age_s = { age1_s, age2_s },
		.step_s = { ROLLUP_STEP1_S, ROLLUP_STEP2_S },
	};
	return 0;
}

/* The steps of the tiers in ms, each a multiple of the one below (the
 * recording's interval below the first). */
static int64_t step_ms(const struct rollup_policy *p, int tier, int64_t interval_ms)
{
	int64_t below = tier ? step_ms(p, tier - 1, interval_ms) : interval_ms;
	int64_t mult = llround(p->step_s[tier] * 1000 / (double)below);

	return (mult > 1 ? mult : 1) * below;
}

double rollup_step(const struct rollup_policy *p, int tier, double interval_s)
{
	int64_t iv = llround(interval_s * 1000);

	return (double)step_ms(p, tier, iv > 0 ? iv : 1000) / 1000;
}

struct rollup {
	struct store *st;
	struct rollup_stats *out;
	struct timespec deadline;
	int64_t step;                  /* the tier's step, ms */
	enum rm_kind *kinds;           /* by metric id */
	size_t nkinds;
	struct rm_row *rows;           /* the chunk's rows */
	int64_t *key;                  /* their step on the grid */
	size_t nrows;
	struct { int64_t id; struct rm_span s; } *spans; /* entities, by id */
	size_t nspans;
	struct rm_map carry;           /* gauges: (entity, metric) -> index into cval */
	double *cval;
	size_t ncval, capcval;
	struct rm_step merge;
	sqlite3_stmt *sel, *del_s, *del_t, *del_i, *upd_i, *ins_s, *ins_t;
};

static int fail(struct rollup *u, const char *what)
{
	snprintf(u->st->err, sizeof(u->st->err), "rolling up the store: %s: %s", what,
		 sqlite3_errmsg(u->st->db));
	return -1;
}

static int nomem(struct rollup *u)
{
	snprintf(u->st->err, sizeof(u->st->err), "rolling up the store: out of memory");
	return -1;
}

static bool past(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > t->tv_sec || (now.tv_sec == t->tv_sec && now.tv_nsec >= t->tv_nsec);
}

static int64_t query_i64(sqlite3 *db, const char *sql, int64_t a, int64_t def)
{
	sqlite3_stmt *s;
	int64_t v = def;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return def;
	sqlite3_bind_int64(s, 1, a);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* The recording's interval (meta), in ms; 1 s when not known. */
static int64_t recorded_ms(sqlite3 *db)
{
	sqlite3_stmt *s;
	double v = 0;

	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'interval'", -1, &s,
			       NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			v = sqlite3_column_double(s, 0);
		sqlite3_finalize(s);
	}
	return v > 0 ? llround(v * 1000) : 1000;
}

static int load_kinds(struct rollup *u)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(u->st->db, "SELECT id, name, gauge FROM metric ORDER BY id DESC", -1,
			       &s, NULL) != SQLITE_OK)
		return fail(u, "reading the metrics");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		const char *name = (const char *)sqlite3_column_text(s, 1);

		if (id < 0 || id > 1 << 20)
			continue;
		if (!u->kinds) {
			u->nkinds = (size_t)id + 1;
			u->kinds = calloc(u->nkinds, sizeof(*u->kinds));
			if (!u->kinds) {
				sqlite3_finalize(s);
				return nomem(u);
			}
		}
		u->kinds[id] = sqlite3_column_int(s, 2) ? RM_GAUGE
			       : name && metric_is_peak(name) ? RM_PEAK : RM_COUNTER;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : fail(u, "reading the metrics");
}

static enum rm_kind kind_of(const struct rollup *u, int64_t met)
{
	return met >= 0 && (size_t)met < u->nkinds ? u->kinds[met] : RM_COUNTER;
}

/*
 * The chunk: the oldest rows of this tier's grid that are due (finer than
 * the step, ended by `cutoff`), whole steps of it. Sets u->nrows (0: none
 * due).
 */
static int select_rows(struct rollup *u, int64_t cutoff)
{
	sqlite3_stmt *s;
	int64_t first, prev;
	size_t n = 0, cut;
	int rc;

	u->nrows = 0;
	first = query_i64(u->st->db, "SELECT id FROM interval WHERE step_ms < ?1 ORDER BY id "
			  "LIMIT 1", u->step, 0);
	if (!first)
		return 0;
	prev = query_i64(u->st->db, "SELECT max(id) FROM interval WHERE id < ?1", first, 0);
	if (sqlite3_prepare_v2(u->st->db, "SELECT id, ts_ms, length_ms, step_ms, merged FROM "
			       "interval WHERE id >= ? ORDER BY id LIMIT ?", -1, &s, NULL) != SQLITE_OK)
		return fail(u, "reading the intervals");
	sqlite3_bind_int64(s, 1, first);
	sqlite3_bind_int(s, 2, CHUNK_ROWS);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t ts = sqlite3_column_int64(s, 1);

		if (sqlite3_column_int64(s, 3) >= u->step || ts > cutoff)
			break;
		u->rows[n] = (struct rm_row){
			.id = sqlite3_column_int64(s, 0), .prev = prev,
			.length_ms = sqlite3_column_int64(s, 2),
			.merged = sqlite3_column_int64(s, 4),
		};
		if (u->rows[n].merged < 1)
			u->rows[n].merged = 1;
		/* the step a row ends in: (k * step, (k + 1) * step] */
		u->key[n] = ts > 0 ? (ts - 1) / u->step : -1 - (-ts) / u->step;
		prev = u->rows[n].id;
		n++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(u, "reading the intervals");
	/* all CHUNK_ROWS due: the last step may go on beyond them; leave it
	 * to the next chunk, unless it is the only one */
	if (n == CHUNK_ROWS) {
		for (cut = n; cut > 0 && u->key[cut - 1] == u->key[n - 1]; cut--)
			;
		if (cut)
			n = cut;
	}
	u->nrows = n;
	return 0;
}

/* The entities present in the chunk, with their spans. */
static int load_spans(struct rollup *u)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	u->nspans = 0;
	if (sqlite3_prepare_v2(u->st->db, "SELECT id, first_interval, last_interval FROM entity "
			       "WHERE last_interval > ? AND first_interval <= ? ORDER BY id", -1, &s,
			       NULL) != SQLITE_OK)
		return fail(u, "reading the entities");
	sqlite3_bind_int64(s, 1, u->rows[0].prev);
	sqlite3_bind_int64(s, 2, u->rows[u->nrows - 1].id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (u->nspans == cap) {
			void *p;

			cap = cap ? cap * 2 : 256;
			p = realloc(u->spans, cap * sizeof(*u->spans));
			if (!p) {
				sqlite3_finalize(s);
				return nomem(u);
			}
			u->spans = p;
		}
		u->spans[u->nspans].id = sqlite3_column_int64(s, 0);
		u->spans[u->nspans].s.first = sqlite3_column_int64(s, 1);
		u->spans[u->nspans].s.last = sqlite3_column_int64(s, 2);
		u->nspans++;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : fail(u, "reading the entities");
}

static const struct rm_span *span_of(const struct rollup *u, int64_t ent)
{
	size_t lo = 0, hi = u->nspans;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (u->spans[mid].id == ent)
			return &u->spans[mid].s;
		if (u->spans[mid].id < ent)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* A gauge's value carried forward: set it. */
static int carry_set(struct rollup *u, int64_t ent, int64_t met, double v)
{
	long i = rm_map_get(&u->carry, ent, met);

	if (i >= 0) {
		u->cval[i] = v;
		return 0;
	}
	if (u->ncval == u->capcval) {
		size_t cap = u->capcval ? u->capcval * 2 : 256;
		double *p = realloc(u->cval, cap * sizeof(*p));

		if (!p)
			return -1;
		u->cval = p;
		u->capcval = cap;
	}
	if (rm_map_put(&u->carry, ent, met, u->ncval))
		return -1;
	u->cval[u->ncval++] = v;
	return 0;
}

/* The gauges' values stored before the chunk (the writer stores each at
 * least every STORE_GAUGE_REFRESH intervals while the entity is present). */
static int seed_carry(struct rollup *u)
{
	sqlite3_stmt *s;
	int rc;

	rm_map_clear(&u->carry);
	u->ncval = 0;
	if (sqlite3_prepare_v2(u->st->db, "SELECT entity_id, metric_id, value FROM sample WHERE "
			       "interval_id >= ? AND interval_id <= ?", -1, &s, NULL) != SQLITE_OK)
		return fail(u, "reading the samples");
	sqlite3_bind_int64(s, 1, u->rows[0].id - STORE_GAUGE_REFRESH);
	sqlite3_bind_int64(s, 2, u->rows[0].prev);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t met = sqlite3_column_int64(s, 1);

		if (kind_of(u, met) == RM_GAUGE &&
		    carry_set(u, sqlite3_column_int64(s, 0), met, sqlite3_column_double(s, 2))) {
			sqlite3_finalize(s);
			return nomem(u);
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : fail(u, "reading the samples");
}

/* Read and merge the samples of rows [a, b) into u->merge. */
static int merge_rows(struct rollup *u, size_t a, size_t b)
{
	sqlite3_stmt *s = u->sel;
	size_t row = a;
	int rc;

	rm_step_begin(&u->merge, &u->rows[a], b - a);
	sqlite3_bind_int64(s, 1, u->rows[a].id);
	sqlite3_bind_int64(s, 2, u->rows[b - 1].id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t iv = sqlite3_column_int64(s, 0), ent = sqlite3_column_int64(s, 1);
		int64_t met = sqlite3_column_int64(s, 2);
		double v = sqlite3_column_double(s, 3);
		enum rm_kind kind = kind_of(u, met);
		struct rm_stat stat, *sp = NULL;
		const double *carried = NULL;
		long ci;

		while (row + 1 < b && u->rows[row].id < iv)
			row++;
		if (sqlite3_column_type(s, 4) != SQLITE_NULL) {
			stat = (struct rm_stat){ sqlite3_column_double(s, 4),
						 sqlite3_column_double(s, 5),
						 sqlite3_column_double(s, 6) };
			sp = &stat;
		}
		if (kind == RM_GAUGE) {
			ci = rm_map_get(&u->carry, ent, met);
			if (ci >= 0)
				carried = &u->cval[ci];
		}
		/* the carried value is read when the gauge is first seen in the
		 * step, before it is set to this one */
		if (rm_add(&u->merge, row - a, ent, met, kind, v, sp, carried, span_of(u, ent)) ||
		    (kind == RM_GAUGE && carry_set(u, ent, met, v))) {
			sqlite3_reset(s);
			return nomem(u);
		}
		u->out->samples_in++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return fail(u, "reading the samples");
	rm_step_finish(&u->merge);
	return 0;
}

static int step_done(struct rollup *u, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : fail(u, what);
}

/* Replace rows [a, b) by the merged step: the last row's id stays. */
static int write_step(struct rollup *u, size_t a, size_t b)
{
	int64_t lo = u->rows[a].id, hi = u->rows[b - 1].id;
	const struct rm_step *m = &u->merge;
	size_t i;

	sqlite3_bind_int64(u->del_s, 1, lo);
	sqlite3_bind_int64(u->del_s, 2, hi);
	sqlite3_bind_int64(u->del_t, 1, lo);
	sqlite3_bind_int64(u->del_t, 2, hi);
	sqlite3_bind_int64(u->del_i, 1, lo);
	sqlite3_bind_int64(u->del_i, 2, hi);
	sqlite3_bind_int64(u->upd_i, 1, m->length_ms);
	sqlite3_bind_int64(u->upd_i, 2, u->step);
	sqlite3_bind_int64(u->upd_i, 3, m->merged);
	sqlite3_bind_int64(u->upd_i, 4, hi);
	if (step_done(u, u->del_s, "deleting samples") || step_done(u, u->del_t, "deleting stats") ||
	    step_done(u, u->del_i, "deleting intervals") ||
	    step_done(u, u->upd_i, "writing a step"))
		return -1;
	for (i = 0; i < m->n; i++) {
		const struct rm_acc *x = &m->acc[i];

		if (x->has_sample) {
			sqlite3_bind_int64(u->ins_s, 1, hi);
			sqlite3_bind_int64(u->ins_s, 2, x->ent);
			sqlite3_bind_int64(u->ins_s, 3, x->met);
			sqlite3_bind_double(u->ins_s, 4, x->value);
			if (step_done(u, u->ins_s, "writing a sample"))
				return -1;
			u->out->samples_out++;
		}
		if (x->has_sample && x->has_stat) {
			sqlite3_bind_int64(u->ins_t, 1, hi);
			sqlite3_bind_int64(u->ins_t, 2, x->ent);
			sqlite3_bind_int64(u->ins_t, 3, x->met);
			sqlite3_bind_double(u->ins_t, 4, x->stat.min);
			sqlite3_bind_double(u->ins_t, 5, x->stat.max);
			sqlite3_bind_double(u->ins_t, 6, x->stat.mean);
			if (step_done(u, u->ins_t, "writing a stat"))
				return -1;
			u->out->stats_out++;
		}
	}
	u->out->steps++;
	u->out->intervals += b - a;
	return 0;
}

/* Entities whose first or last interval was merged into a step: the step. */
static int fix_entities(struct rollup *u, int64_t lo, int64_t hi)
{
	char sql[512];

	snprintf(sql, sizeof(sql),
		 "UPDATE entity SET first_interval = (SELECT min(id) FROM interval WHERE id >="
		 " entity.first_interval) WHERE first_interval BETWEEN %1$lld AND %2$lld;"
		 "UPDATE entity SET last_interval = (SELECT min(id) FROM interval WHERE id >="
		 " entity.last_interval) WHERE last_interval BETWEEN %1$lld AND %2$lld;",
		 (long long)lo, (long long)hi);
	return sql_exec(u->st->db, sql, "rolling up the store: entities", u->st->err,
			sizeof(u->st->err));
}

/*
 * One transaction: the steps of a chunk, at least one, then more until the
 * deadline. Sets *did to the steps merged (0: nothing due).
 */
static int chunk(struct rollup *u, int64_t cutoff, unsigned long *did)
{
	size_t a = 0, b;
	int64_t hi;

	*did = 0;
	if (select_rows(u, cutoff))
		return -1;
	if (!u->nrows)
		return 0;
	if (sql_exec(u->st->db, "BEGIN IMMEDIATE", "rolling up the store", u->st->err,
		     sizeof(u->st->err)))
		return -1;
	if (load_spans(u) || seed_carry(u))
		goto fail;
	while (a < u->nrows) {
		for (b = a + 1; b < u->nrows && u->key[b] == u->key[a]; b++)
			;
		if (merge_rows(u, a, b) || write_step(u, a, b))
			goto fail;
		(*did)++;
		a = b;
		if (past(&u->deadline))
			break;
	}
	hi = u->rows[a - 1].id;
	if (fix_entities(u, u->rows[0].id, hi) ||
	    sql_exec(u->st->db, "COMMIT", "rolling up the store", u->st->err, sizeof(u->st->err)))
		goto fail;
	u->out->more = a < u->nrows;
	return 0;
fail:
	sqlite3_exec(u->st->db, "ROLLBACK", NULL, NULL, NULL);
	*did = 0;
	return -1;
}

static int prepare(struct rollup *u, sqlite3_stmt **s, const char *sql)
{
	if (sqlite3_prepare_v2(u->st->db, sql, -1, s, NULL) == SQLITE_OK)
		return 0;
	return fail(u, "preparing its statements");
}

static int setup(struct rollup *u)
{
	u->rows = malloc(CHUNK_ROWS * sizeof(*u->rows));
	u->key = malloc(CHUNK_ROWS * sizeof(*u->key));
	if (!u->rows || !u->key)
		return nomem(u);
	if (load_kinds(u))
		return -1;
	return prepare(u, &u->sel, "SELECT s.interval_id, s.entity_id, s.metric_id, s.value, t.min, "
		       "t.max, t.mean FROM sample s LEFT JOIN sample_stat t ON t.interval_id = "
		       "s.interval_id AND t.entity_id = s.entity_id AND t.metric_id = s.metric_id "
		       "WHERE s.interval_id >= ? AND s.interval_id <= ? ORDER BY s.interval_id") ||
	       prepare(u, &u->del_s, "DELETE FROM sample WHERE interval_id >= ? AND interval_id <= ?") ||
	       prepare(u, &u->del_t, "DELETE FROM sample_stat WHERE interval_id >= ? AND "
		       "interval_id <= ?") ||
	       prepare(u, &u->del_i, "DELETE FROM interval WHERE id >= ? AND id < ?") ||
	       prepare(u, &u->upd_i, "UPDATE interval SET length_ms = ?, step_ms = ?, merged = ? "
		       "WHERE id = ?") ||
	       prepare(u, &u->ins_s, "INSERT INTO sample VALUES(?, ?, ?, ?)") ||
	       prepare(u, &u->ins_t, "INSERT INTO sample_stat VALUES(?, ?, ?, ?, ?, ?)");
}

static void teardown(struct rollup *u)
{
	sqlite3_finalize(u->sel);
	sqlite3_finalize(u->del_s);
	sqlite3_finalize(u->del_t);
	sqlite3_finalize(u->del_i);
	sqlite3_finalize(u->upd_i);
	sqlite3_finalize(u->ins_s);
	sqlite3_finalize(u->ins_t);
	free(u->kinds);
	free(u->rows);
	free(u->key);
	free(u->spans);
	free(u->cval);
	rm_map_free(&u->carry);
	rm_step_free(&u->merge);
}

int store_rollup(struct store *st, const struct rollup_policy *p, double now, double budget_s,
		 struct rollup_stats *out)
{
	struct rollup u = { .st = st, .out = out };
	struct timespec t0, t1;
	int64_t interval, below;
	unsigned long did;
	int tier, rc = 0;

	memset(out, 0, sizeof(*out));
	if (st->in_tx) {
		snprintf(st->err, sizeof(st->err), "rolling up the store inside an interval");
		return -1;
	}
	if (!p || p->ntiers <= 0)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	u.deadline = t0;
	budget_s = budget_s > 0 ? fmin(budget_s, 1e6) : 0;
	u.deadline.tv_sec += (time_t)budget_s;
	u.deadline.tv_nsec += (long)((budget_s - floor(budget_s)) * 1e9);
	if (u.deadline.tv_nsec >= 1000000000L) {
		u.deadline.tv_sec++;
		u.deadline.tv_nsec -= 1000000000L;
	}
	interval = recorded_ms(st->db);
	if (setup(&u)) {
		teardown(&u);
		return -1;
	}
	/* the coarsest tier first: what is due there goes to it directly */
	for (tier = (p->ntiers < ROLLUP_TIERS ? p->ntiers : ROLLUP_TIERS) - 1; tier >= 0; tier--) {
		int64_t cutoff;

		u.step = step_ms(p, tier, interval);
		below = tier ? step_ms(p, tier - 1, interval) : interval;
		if (u.step <= below)
			continue; /* no longer than what it would merge */
		/* whole steps that ended at least the age before now */
		cutoff = (int64_t)floor((now - p->age_s[tier]) * 1000 / (double)u.step) * u.step;
		do {
			if (out->steps && past(&u.deadline)) {
				out->more = true;
				goto done;
			}
			if ((rc = chunk(&u, cutoff, &did)))
				goto done;
		} while (did);
	}
done:
	teardown(&u);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	out->took_s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	return rc;
}
