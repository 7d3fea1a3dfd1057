// SPDX-License-Identifier: GPL-2.0
/* Loading a store into memory: meta data, aligned series, the profile. */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "formats/folded.h"
#include "store/load_int.h"
#include "store/schema.h"
#include "store/store_int.h"

#define STORE_READER_CACHE_KIB "512" /* a reader's page cache (PRAGMA cache_size) */

struct ld_pair {
	size_t ent, metric;
	double *v;        /* over the entity's steps; NAN = not stored (gauges) */
	bool any;         /* a value inside the window */
	bool has_seed;    /* a gauge value from before the window */
	double seed;
};

struct loader {
	sqlite3 *db;
	struct recording *r;
	size_t merge;     /* window intervals per step (1: every interval a point) */
	size_t max_points; /* the most steps a series may have (STORE_LOAD_MAX_POINTS) */
	size_t max_procs;  /* processes kept on their own (STORE_LOAD_MAX_PROCS) */
	bool no_self;      /* STORE_LOAD_NO_SELF */
	const char *const *group_metrics; /* store_load_opts */
	bool *group_skip;  /* by metric: not loaded for groups (NULL: all are) */
	size_t ngroup_skip;
	size_t *sidx;     /* rolled-up windows, read on a grid of time: the step of
			   * each window interval (else NULL: k / merge) */
	size_t nsteps;
	char *err;
	size_t errlen;
	int64_t *iv;      /* interval ids in the window, ascending */
	double *ts;       /* their end times, seconds */
	size_t niv;
	struct ld_ent *ents;
	size_t nents;
	struct ld_metric *metrics;
	size_t nmetrics;
	struct ld_pair *pairs;
	size_t npairs, cappairs;
	size_t *slot;     /* hash: pair index + 1, 0 = empty */
	size_t nslots;
	struct ld_strs strs;  /* names shared by the entities */
	struct ld_ids ids;    /* entity ids to indexes */
	struct ld_fold fold;  /* processes folded into groups (load_fold.c) */
};

static int db_fail(struct loader *l, const char *what)
{
	return ld_db_fail(l->db, what, l->err, l->errlen);
}

static int nomem(struct loader *l)
{
	snprintf(l->err, l->errlen, "out of memory loading the store");
	return -1;
}

static void copy_col(sqlite3_stmt *s, int col, char *buf, size_t len)
{
	const char *t = (const char *)sqlite3_column_text(s, col);
	size_t n = t ? strnlen(t, len - 1) : 0;

	memcpy(buf, t ? t : "", n);
	buf[n] = 0;
}

/* A text column as a string of the recording, cut to len - 1 bytes as the
 * fixed fields of older recordings were; equal strings are shared. NULL:
 * no memory. */
static const char *col_str(struct loader *l, sqlite3_stmt *s, int col, size_t len)
{
	char buf[256];

	copy_col(s, col, buf, len < sizeof(buf) ? len : sizeof(buf));
	return ld_intern(&l->strs, l->r, buf);
}

/* PRAGMA quick_check of one table and its indexes. */
static int check_table(struct loader *l, const char *table)
{
	sqlite3_stmt *s;
	char first[200] = "";
	char *sql = sqlite3_mprintf("PRAGMA quick_check(%Q)", table);
	int rc;

	if (!sql)
		return nomem(l);
	rc = sqlite3_prepare_v2(l->db, sql, -1, &s, NULL);
	sqlite3_free(sql);
	if (rc != SQLITE_OK)
		return db_fail(l, "checking it");
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		copy_col(s, 0, first, sizeof(first));
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return db_fail(l, "checking it");
	if (strcmp(first, "ok")) {
		const char *why = first, *hdr = "*** in database main ***\n";
		char *nl;

		if (!strncmp(why, hdr, strlen(hdr)))
			why += strlen(hdr);
		while ((nl = strchr(first, '\n')))
			*nl = ' ';
		snprintf(l->err, l->errlen, "the store is damaged (truncated or corrupt): %s", why);
		return -1;
	}
	return 0;
}

/*
 * The store's structure, before reading it: PRAGMA quick_check of every
 * table but the samples. Those the loader reads itself, the pages of its
 * window only, with cell_size_check on: a damaged page among them fails
 * the read (SQLITE_CORRUPT, reported as damage the same way) instead of
 * skipping rows. Checking all the samples first would read the whole file
 * for any window, a fifth of a report's time on a large store.
 */
static int quick_check(struct loader *l)
{
	char tables[16][64], err[256];
	sqlite3_stmt *s;
	int rc, n = 0, i;

	if (sql_exec(l->db, "PRAGMA cell_size_check = ON", "checking it", err, sizeof(err))) {
		snprintf(l->err, l->errlen, "%s", err);
		return -1;
	}
	if (sqlite3_prepare_v2(l->db, "SELECT name FROM sqlite_schema WHERE type = 'table' AND "
			       "name <> 'sample' ORDER BY name", -1, &s, NULL) != SQLITE_OK)
		return db_fail(l, "checking it");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && n < 16)
		copy_col(s, 0, tables[n++], sizeof(tables[0]));
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return db_fail(l, "checking it");
	for (i = 0; i < n; i++)
		if (check_table(l, tables[i]))
			return -1;
	return 0;
}

static int load_meta(struct loader *l, struct recording *r)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(l->db, "SELECT key, value FROM meta", -1, &s, NULL) != SQLITE_OK)
		return db_fail(l, "reading its meta data");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(s, 0);
		const char *v = (const char *)sqlite3_column_text(s, 1);

		if (!k || !v)
			continue;
		if (!strcmp(k, "hostname"))
			snprintf(r->hostname, sizeof(r->hostname), "%s", v);
		else if (!strcmp(k, "kernel"))
			snprintf(r->kernel, sizeof(r->kernel), "%s", v);
		else if (!strcmp(k, "target"))
			snprintf(r->target, sizeof(r->target), "%s", v);
		else if (!strcmp(k, "ncpus"))
			r->ncpus = atoi(v);
		else if (!strcmp(k, "mem_total"))
			r->mem_total_bytes = atof(v);
		else if (!strcmp(k, "interval"))
			r->interval_s = atof(v);
		else if (!strcmp(k, "start"))
			r->start = atof(v);
		else if (!strcmp(k, "end"))
			r->end = atof(v);
		else if (!strcmp(k, "self_pid"))
			r->self_pid = (uint32_t)strtoul(v, NULL, 10);
		else if (!strcmp(k, "self_cpu_s"))
			r->self_cpu_s = atof(v);
		else if (!strcmp(k, "self_rss_peak_bytes"))
			r->self_rss_peak_bytes = atof(v);
		else if (!strcmp(k, "profile_hz"))
			r->profile_hz = (unsigned int)strtoul(v, NULL, 10);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : db_fail(l, "reading its meta data");
}

/* sql with two parameters, the window's bounds in ms (open ends as far as
 * they go), prepared into *s; else the error says what was being read. */
static int prepare_window(struct loader *l, const char *sql, double since, double until,
			  sqlite3_stmt **s, const char *what)
{
	if (sqlite3_prepare_v2(l->db, sql, -1, s, NULL) != SQLITE_OK)
		return db_fail(l, what);
	sqlite3_bind_double(*s, 1, since > -1e15 ? since * 1000 : -1e18);
	sqlite3_bind_double(*s, 2, until < 1e15 ? until * 1000 : 1e18);
	return 0;
}

static int load_intervals(struct loader *l, double since, double until)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	if (prepare_window(l, "SELECT id, ts_ms FROM interval WHERE ts_ms >= ? AND ts_ms <= ? "
			   "ORDER BY id", since, until, &s, "reading its intervals"))
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (l->niv == cap) {
			int64_t *iv;
			double *ts;

			cap = cap ? cap * 2 : 256;
			iv = realloc(l->iv, cap * sizeof(*iv));
			if (iv)
				l->iv = iv;
			ts = realloc(l->ts, cap * sizeof(*ts));
			if (ts)
				l->ts = ts;
			if (!iv || !ts) {
				sqlite3_finalize(s);
				return nomem(l);
			}
		}
		l->iv[l->niv] = sqlite3_column_int64(s, 0);
		l->ts[l->niv] = (double)sqlite3_column_int64(s, 1) / 1000.0;
		l->niv++;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : db_fail(l, "reading its intervals");
}

/* Index of the first window interval with id >= v (niv if none). */
static size_t iv_lower(const struct loader *l, int64_t v)
{
	size_t lo = 0, hi = l->niv;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (l->iv[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * An entity's name, and whether a process started inside the window. A
 * process gets its name ("PID@START_MS") only if it is kept on its own
 * (ld_proc_names, after folding), unless the store named it otherwise
 * than by its pid. -1 on no memory.
 */
static int ent_named(struct loader *l, struct ld_ent *e, sqlite3_stmt *s)
{
	char name[256], pid[16];

	if (e->kind == ENT_PROC) {
		e->born = sqlite3_column_int64(s, 6) > l->iv[0] ||
			  (e->start_ms && (double)e->start_ms / 1000 >=
			   l->ts[0] - l->r->interval_s / (double)l->merge);
		if (e->start_ms)
			return 0;
	}
	copy_col(s, 2, name, sizeof(name));
	snprintf(pid, sizeof(pid), "%u", e->pid);
	if (e->kind == ENT_PROC && !strcmp(name, pid))
		return 0;
	return (e->name = rec_str(l->r, name)) ? 0 : -1;
}

static int load_entities(struct loader *l)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	if (sqlite3_prepare_v2(l->db, "SELECT id, kind, name, pid, comm, cgroup, first_interval, "
			       "last_interval, start_ms, ppid, pcomm FROM entity WHERE "
			       "last_interval >= ? AND first_interval <= ? ORDER BY id", -1, &s,
			       NULL) != SQLITE_OK)
		return db_fail(l, "reading its entities");
	sqlite3_bind_int64(s, 1, l->iv[0]);
	sqlite3_bind_int64(s, 2, l->iv[l->niv - 1]);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct ld_ent *e;
		const unsigned char *kind = sqlite3_column_text(s, 1);

		if (l->nents == cap) {
			cap = cap ? cap * 2 : 64;
			e = realloc(l->ents, cap * sizeof(*e));
			if (!e) {
				sqlite3_finalize(s);
				return nomem(l);
			}
			l->ents = e;
		}
		e = &l->ents[l->nents];
		memset(e, 0, sizeof(*e));
		e->id = sqlite3_column_int64(s, 0);
		e->kind = kind ? (char)kind[0] : '?';
		e->pid = (uint32_t)sqlite3_column_int64(s, 3);
		e->start_ms = sqlite3_column_int64(s, 8);
		e->ppid = (uint32_t)sqlite3_column_int64(s, 9);
		e->a = iv_lower(l, sqlite3_column_int64(s, 6));
		e->b = iv_lower(l, sqlite3_column_int64(s, 7) + 1);
		if (e->b == 0 || e->a >= e->b)
			continue; /* no interval of the window */
		e->b--;
		if (ent_named(l, e, s) || !(e->comm = col_str(l, s, 4, 16)) ||
		    !(e->cgroup = col_str(l, s, 5, 256)) || !(e->pcomm = col_str(l, s, 10, 16))) {
			sqlite3_finalize(s);
			return nomem(l);
		}
		l->nents++;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : db_fail(l, "reading its entities");
}

static int load_metrics(struct loader *l)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	if (sqlite3_prepare_v2(l->db, "SELECT id, name, gauge FROM metric ORDER BY id", -1, &s,
			       NULL) != SQLITE_OK)
		return db_fail(l, "reading its metric names");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct ld_metric *m;
		char name[48];

		if (l->nmetrics == cap) {
			cap = cap ? cap * 2 : 64;
			m = realloc(l->metrics, cap * sizeof(*m));
			if (!m) {
				sqlite3_finalize(s);
				return nomem(l);
			}
			l->metrics = m;
		}
		m = &l->metrics[l->nmetrics++];
		m->id = sqlite3_column_int64(s, 0);
		copy_col(s, 1, name, sizeof(name));
		m->gauge = sqlite3_column_int(s, 2) != 0;
		m->peak = metric_is_peak(name);
		if (!(m->name = rec_str(l->r, name))) {
			sqlite3_finalize(s);
			return nomem(l);
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : db_fail(l, "reading its metric names");
}

/* Entities and metrics are sorted by id: binary search. */
#define FIND_BY_ID(fn, arr, cnt)                                         \
	static ssize_t fn(const struct loader *l, int64_t id)                  \
	{                                                                      \
		size_t lo = 0, hi = l->cnt;                                    \
		while (lo < hi) {                                              \
			size_t mid = (lo + hi) / 2;                            \
			if (l->arr[mid].id == id)                              \
				return (ssize_t)mid;                           \
			if (l->arr[mid].id < id)                               \
				lo = mid + 1;                                  \
			else                                                   \
				hi = mid;                                      \
		}                                                              \
		return -1;                                                     \
	}
FIND_BY_ID(find_metric, metrics, nmetrics)

/* The step of window interval k. */
static size_t step_of(const struct loader *l, size_t k)
{
	return l->sidx ? l->sidx[k] : k / l->merge;
}

static size_t hash_key(size_t e, size_t m, size_t nslots)
{
	uint64_t k = ((uint64_t)e << 16) ^ m;

	k *= 0x9E3779B97F4A7C15ull;
	return (size_t)(k >> 20) & (nslots - 1);
}

static int rehash(struct loader *l)
{
	size_t n = l->nslots ? l->nslots * 2 : 1024, i, h;
	size_t *slot = calloc(n, sizeof(*slot));

	if (!slot)
		return -1;
	for (i = 0; i < l->npairs; i++) {
		h = hash_key(l->pairs[i].ent, l->pairs[i].metric, n);
		while (slot[h])
			h = (h + 1) & (n - 1);
		slot[h] = i + 1;
	}
	free(l->slot);
	l->slot = slot;
	l->nslots = n;
	return 0;
}

static struct ld_pair *pair(struct loader *l, size_t e, size_t m)
{
	struct ld_pair *p;
	size_t h, span, i;

	if (l->nslots) {
		for (h = hash_key(e, m, l->nslots); l->slot[h]; h = (h + 1) & (l->nslots - 1)) {
			p = &l->pairs[l->slot[h] - 1];
			if (p->ent == e && p->metric == m)
				return p;
		}
	}
	if (l->npairs == l->cappairs) {
		size_t cap = l->cappairs ? l->cappairs * 2 : 256;

		p = realloc(l->pairs, cap * sizeof(*p));
		if (!p)
			return NULL;
		l->pairs = p;
		l->cappairs = cap;
	}
	if ((l->npairs + 1) * 2 > l->nslots && rehash(l))
		return NULL;
	span = step_of(l, l->ents[e].b) - step_of(l, l->ents[e].a) + 1;
	p = &l->pairs[l->npairs];
	memset(p, 0, sizeof(*p));
	p->ent = e;
	p->metric = m;
	p->v = malloc(span * sizeof(double));
	if (!p->v)
		return NULL;
	for (i = 0; i < span; i++)
		p->v[i] = l->metrics[m].gauge ? NAN : 0;
	for (h = hash_key(e, m, l->nslots); l->slot[h]; h = (h + 1) & (l->nslots - 1))
		;
	l->slot[h] = ++l->npairs;
	return p;
}

/*
 * A sample into its step: with merged intervals (metric given) a gauge
 * keeps the last value (samples come in interval order), a percentile or
 * maximum the largest, a per-interval value the sum; else it is the value.
 */
static void merge_into(double *slot, double v, const struct ld_metric *m)
{
	if (!m || m->gauge || isnan(*slot))
		*slot = v;
	else if (m->peak)
		*slot = fmax(*slot, v);
	else
		*slot += v;
}

/* A sample into its entity's pair: a gauge's value from before the window
 * or the entity's span when k < 0, else into the step of window interval
 * k (ld_put_fn). */
static int put_sample(void *arg, size_t e, size_t m, ssize_t k, double v)
{
	struct loader *l = arg;
	const struct ld_ent *ent = &l->ents[e];
	struct ld_pair *p;

	if (ent->kind == ENT_GROUP && m < l->ngroup_skip && l->group_skip[m])
		return 0;
	if (!(p = pair(l, e, m)))
		return -1;
	if (k < 0) {
		p->seed = v;
		p->has_seed = true;
		return 0;
	}
	merge_into(&p->v[step_of(l, (size_t)k) - step_of(l, ent->a)], v,
		   l->merge > 1 || l->sidx || ent->acc ? &l->metrics[m] : NULL);
	p->any = true;
	return 0;
}

/* Which metrics groups do not load (store_load_opts.group_metrics), now
 * that folding added the ones it needs. */
static int group_skips(struct loader *l)
{
	size_t m, i;

	if (!l->group_metrics || !l->nmetrics)
		return 0;
	if (!(l->group_skip = calloc(l->nmetrics, sizeof(*l->group_skip))))
		return nomem(l);
	l->ngroup_skip = l->nmetrics;
	for (m = 0; m < l->nmetrics; m++) {
		l->group_skip[m] = true;
		for (i = 0; l->group_metrics[i] && l->group_skip[m]; i++)
			l->group_skip[m] = strcmp(l->metrics[m].name, l->group_metrics[i]) != 0;
	}
	return 0;
}

static int load_samples(struct loader *l)
{
	int64_t lo = l->iv[0], hi = l->iv[l->niv - 1], last_id = -1, last_iv = -1;
	ssize_t e = -1;
	size_t k = 0;
	sqlite3_stmt *s;
	int rc;

	/* from a little before the window: the gauges' values carried into it;
	 * in interval order (the primary key's: no sorting) */
	if (sqlite3_prepare_v2(l->db, "SELECT interval_id, entity_id, metric_id, value FROM sample "
			       "WHERE interval_id >= ? AND interval_id <= ? ORDER BY interval_id",
			       -1, &s, NULL) != SQLITE_OK)
		return db_fail(l, "reading its samples");
	sqlite3_bind_int64(s, 1, lo - STORE_GAUGE_REFRESH);
	sqlite3_bind_int64(s, 2, hi);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t iv = sqlite3_column_int64(s, 0), id = sqlite3_column_int64(s, 1);
		ssize_t m = find_metric(l, sqlite3_column_int64(s, 2)), at;
		double v = sqlite3_column_double(s, 3);
		const struct ld_ent *ent;

		/* rows come by interval, an entity's together */
		if (id != last_id) {
			last_id = id;
			e = ld_ids_find(&l->ids, l->ents, l->nents, id);
		}
		if (iv != last_iv) {
			last_iv = iv;
			k = iv_lower(l, iv);
			/* the processes held for folding that ended before */
			if (iv >= lo && ld_fold_flush(&l->fold, l->ents, l->metrics, k, put_sample, l))
				goto oom;
		}
		if (e < 0 || m < 0)
			continue;
		ent = &l->ents[e];
		if (iv < lo || k < ent->a) {
			/* before the window or the entity's span: only gauges matter */
			if (!l->metrics[m].gauge)
				continue;
			at = -1;
		} else if (k >= l->niv || l->iv[k] != iv || k > ent->b) {
			continue;
		} else {
			at = (ssize_t)k;
		}
		if (ent->group ? ld_fold_hold(&l->fold, (size_t)e, (size_t)m, at, v)
			       : put_sample(l, (size_t)e, (size_t)m, at, v))
			goto oom;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return db_fail(l, "reading its samples");
	return ld_fold_finish(&l->fold, l->ents, l->nents, l->metrics, put_sample, l) ? nomem(l) : 0;
oom:
	sqlite3_finalize(s);
	return nomem(l);
}

/* Index the entities by id; pick the processes to fold when the window
 * has too many (load_fold.c). */
static int fold_plan(struct loader *l)
{
	struct ld_tables t = {
		.db = l->db, .r = l->r, .strs = &l->strs, .iv = l->iv, .niv = l->niv,
		.merge = l->merge, .max_procs = l->max_procs, .ents = &l->ents, .nents = &l->nents,
		.metrics = &l->metrics, .nmetrics = &l->nmetrics, .err = l->err,
		.errlen = l->errlen,
	};

	if (ld_ids_build(&l->ids, l->ents, l->nents))
		return nomem(l);
	return ld_fold_plan(&l->fold, &t);
}

/* After the samples: what was folded, group.started of the folded
 * processes that started in the window (in the step they were first seen),
 * and the names of the processes kept on their own. */
static int fold_done(struct loader *l)
{
	size_t i;

	l->r->procs = l->fold.procs;
	l->r->procs_folded = l->fold.folded;
	l->r->fold_groups = l->fold.groups;
	l->r->fold_life_s = (double)l->fold.max_life * l->r->interval_s;
	for (i = 0; l->fold.folded && i < l->nents; i++) {
		const struct ld_ent *e = &l->ents[i];

		if (e->group && e->born && put_sample(l, e->group - 1, l->fold.m_started,
						      (ssize_t)e->a, 1))
			return nomem(l);
	}
	return ld_proc_names(l->ents, l->nents, l->r) ? nomem(l) : 0;
}

static int pair_cmp(const void *a, const void *b, void *arg)
{
	const struct loader *l = arg;
	const struct ld_pair *x = a, *y = b;
	const struct ld_ent *ex = &l->ents[x->ent], *ey = &l->ents[y->ent];
	int c;

	if (ex->kind != ey->kind)
		return ex->kind < ey->kind ? -1 : 1;
	c = strcmp(ex->name, ey->name);
	if (!c)
		c = strcmp(l->metrics[x->metric].name, l->metrics[y->metric].name);
	return c;
}

/* Turn the pairs into series: gauges carried forward, from their first
 * value; the series take the pairs' values and share the step times. */
static int build(struct loader *l, struct recording *r)
{
	size_t i, k;

	if (l->npairs) /* none (a store without entities): pairs is NULL, qsort's UB */
		qsort_r(l->pairs, l->npairs, sizeof(*l->pairs), pair_cmp, l);
	if (rec_reserve(r, r->n + l->npairs))
		return nomem(l);
	for (i = 0; i < l->npairs; i++) {
		struct ld_pair *p = &l->pairs[i];
		const struct ld_ent *e = &l->ents[p->ent];
		size_t a = step_of(l, e->a), span = step_of(l, e->b) - a + 1, first = 0;
		struct series *s;
		double *v;

		if (l->no_self && e->kind == ENT_PROC && r->self_pid && e->pid == r->self_pid)
			continue;
		if (l->metrics[p->metric].gauge) {
			double last = p->has_seed ? p->seed : NAN;

			for (k = 0; k < span; k++) {
				if (isnan(p->v[k]))
					p->v[k] = last;
				last = p->v[k];
			}
			while (first < span && isnan(p->v[first]))
				first++;
			if (first == span)
				continue;
		} else if (!p->any) {
			continue;
		}
		v = p->v;
		p->v = NULL;
		if (first)
			memmove(v, v + first, (span - first) * sizeof(*v));
		s = rec_add_shared(r, e->kind, e->name, l->metrics[p->metric].name,
				   r->times + a + first, v, span - first);
		if (!s)
			return nomem(l);
		s->pid = e->pid;
		s->comm = e->comm;
		s->cgroup = e->cgroup;
		s->start = (double)e->start_ms / 1000.0;
		s->ppid = e->ppid;
		s->pcomm = e->pcomm;
	}
	return 0;
}

/*
 * A window with rolled-up steps (docs/store.md) is read on a grid of wall-
 * clock time, so that every point covers as long, whatever the rows it
 * holds: the grid's step is the longest step in the window, or a multiple
 * of it within STORE_LOAD_MAX_POINTS points, and a row goes to the step it
 * ends in (the rollup's grid: its steps nest in it).
 */
#define STORE_STEP_MAX_MS (86400LL * 1000)

static int grid(struct loader *l, struct recording *r, int64_t longest)
{
	int64_t first = llround(l->ts[0] * 1000), last = llround(l->ts[l->niv - 1] * 1000);
	/* in double: the times of a damaged store may be anything */
	double m = ((double)last - (double)first + (double)longest) /
		   ((double)longest * (double)(l->max_points - 1)) + 1;
	int64_t mult = m < 1 ? 1 : m > 1e6 ? 1000000 : (int64_t)m;
	int64_t step = mult * longest, key, prev = 0;
	size_t k;

	l->sidx = malloc(l->niv * sizeof(*l->sidx));
	r->times = malloc(l->niv * sizeof(double));
	if (!l->sidx || !r->times)
		return nomem(l);
	l->nsteps = 0;
	/* no fixed number of intervals per step: what counts intervals (the
	 * lifetimes of load_fold.c) counts them one by one */
	l->merge = 1;
	for (k = 0; k < l->niv; k++) {
		key = (llround(l->ts[k] * 1000) - 1) / step;
		if (!k || key != prev)
			l->nsteps++;
		prev = key;
		l->sidx[k] = l->nsteps - 1;
		r->times[l->nsteps - 1] = l->ts[k];
	}
	r->ntimes = l->nsteps;
	r->merged = r->interval_s > 0 ? (unsigned)llround((double)step / 1000 / r->interval_s) : 1;
	if (r->merged < 1)
		r->merged = 1;
	r->interval_s = (double)step / 1000;
	return 0;
}

/* The longest rollup step among the window's rows (0: none rolled up). */
static int64_t longest_step(struct loader *l)
{
	sqlite3_stmt *s;
	int64_t v = 0;

	if (sqlite3_prepare_v2(l->db, "SELECT max(step_ms) FROM interval WHERE id >= ? AND id <= ?",
			       -1, &s, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_int64(s, 1, l->iv[0]);
	sqlite3_bind_int64(s, 2, l->iv[l->niv - 1]);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	/* perfpilot's rollups write 10-s and 1-min steps; a longer one (a
	 * damaged store) is read as a day, which keeps grid()'s arithmetic in
	 * range */
	return v > STORE_STEP_MAX_MS ? STORE_STEP_MAX_MS : v;
}

/*
 * The steps of the window: every interval, or in a window of more than
 * STORE_LOAD_MAX_POINTS intervals, runs of as many as it takes to stay
 * within it (a step ends with its last interval). The recording's
 * interval becomes the step. A window with rolled-up rows: grid().
 */
static int steps(struct loader *l, struct recording *r)
{
	int64_t longest = longest_step(l);
	size_t j;

	if (longest > 0)
		return grid(l, r, longest);
	l->merge = (l->niv + l->max_points - 1) / l->max_points;
	if (l->merge < 1)
		l->merge = 1;
	l->nsteps = (l->niv + l->merge - 1) / l->merge;
	r->times = malloc((l->nsteps ? l->nsteps : 1) * sizeof(double));
	if (!r->times)
		return nomem(l);
	for (j = 0; j < l->nsteps; j++) {
		size_t last = (j + 1) * l->merge - 1;

		r->times[j] = l->ts[last < l->niv ? last : l->niv - 1];
	}
	r->ntimes = l->nsteps;
	r->merged = (unsigned)l->merge;
	if (l->merge > 1)
		r->interval_s *= (double)l->merge;
	return 0;
}

/* Whether a profile overlaps the window (r->has_profile). */
static int find_profile(struct loader *l, struct recording *r, double since, double until)
{
	sqlite3_stmt *s;
	int rc;

	if (prepare_window(l, "SELECT 1 FROM profile WHERE end_ms >= ? AND start_ms <= ? LIMIT 1",
			   since, until, &s, "reading its profile"))
		return -1;
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(l, "reading its profile");
	r->has_profile = rc == SQLITE_ROW;
	return 0;
}

/* Profiles overlapping the window, merged into one folded text. */
static int load_profile(struct loader *l, struct recording *r, double since, double until)
{
	struct folded f = {0};
	sqlite3_stmt *s;
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;
	int rc, n = 0;

	if (prepare_window(l, "SELECT folded FROM profile WHERE end_ms >= ? AND start_ms <= ? "
			   "ORDER BY id", since, until, &s, "reading its profile"))
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		char *text = (char *)sqlite3_column_text(s, 0), *line, *save = NULL, *sp;

		n++;
		for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
		     line = strtok_r(NULL, "\n", &save)) {
			sp = strrchr(line, ' ');
			if (!sp)
				continue;
			*sp = 0;
			if (folded_add(&f, line, strtoull(sp + 1, NULL, 10))) {
				rc = SQLITE_NOMEM;
				break;
			}
		}
		if (rc == SQLITE_NOMEM)
			break;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		folded_free(&f);
		return rc == SQLITE_NOMEM ? nomem(l) : db_fail(l, "reading its profile");
	}
	if (n) {
		folded_sort(&f);
		mem = open_memstream(&buf, &len);
		if (!mem || folded_write(&f, mem) || fclose(mem)) {
			free(buf);
			folded_free(&f);
			return nomem(l);
		}
		r->folded = buf;
		r->has_profile = true;
	}
	folded_free(&f);
	return 0;
}

static void loader_free(struct loader *l)
{
	size_t i;

	for (i = 0; i < l->npairs; i++)
		free(l->pairs[i].v);
	free(l->pairs);
	free(l->group_skip);
	free(l->slot);
	free(l->ents);
	free(l->metrics);
	free(l->iv);
	free(l->ts);
	free(l->sidx);
	ld_strs_free(&l->strs);
	ld_ids_free(&l->ids);
	ld_fold_free(&l->fold);
	if (l->db)
		sqlite3_close(l->db);
}

static int open_for_load(struct loader *l, const char *path, int *version)
{
	struct stat sb;
	int flags;

	if (stat(path, &sb)) {
		snprintf(l->err, l->errlen, "cannot open it: %s", strerror(errno));
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(l->err, l->errlen, "not a regular file");
		return -1;
	}
	if (sb.st_size == 0) {
		snprintf(l->err, l->errlen, "the file is empty: not a perfpilot store");
		return -1;
	}
	/* read-write when allowed: a crashed recording's WAL is replayed and
	 * an older schema migrated */
	flags = access(path, W_OK) ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	/* one thread uses the connection: no locking per call (millions of rows) */
	flags |= SQLITE_OPEN_NOMUTEX;
	if (store_db_open(path, flags, &l->db, version, l->err, l->errlen))
		return -1;
	/* the rows are read in order, each page once or nearly: SQLite's
	 * default 2 MB of page cache would only add to a reader's peak (the
	 * daemon's analysis each minute); the kernel caches the file */
	sqlite3_exec(l->db, "PRAGMA cache_size = -" STORE_READER_CACHE_KIB, NULL, NULL, NULL);
	return 0;
}

int store_load(const char *path, double since, double until, struct recording *out,
	       char *err, size_t errlen)
{
	return store_load_flags(path, since, until, 0, out, err, errlen);
}

int store_load_flags(const char *path, double since, double until, int flags,
		     struct recording *out, char *err, size_t errlen)
{
	return store_load_points(path, since, until, flags, STORE_LOAD_MAX_POINTS, out, err,
				 errlen);
}

int store_load_points(const char *path, double since, double until, int flags,
		      size_t max_points, struct recording *out, char *err, size_t errlen)
{
	struct store_load_opts o = { .flags = flags, .max_points = max_points };

	return store_load_window(path, since, until, &o, out, err, errlen);
}

int store_load_window(const char *path, double since, double until,
		      const struct store_load_opts *o, struct recording *out, char *err,
		      size_t errlen)
{
	size_t max_points = o->max_points ? o->max_points : STORE_LOAD_MAX_POINTS;
	int flags = o->flags;
	struct loader l = { .err = err, .errlen = errlen, .r = out, .merge = 1,
			    .max_points = max_points < 2 ? 2 : max_points,
			    .max_procs = o->max_procs ? o->max_procs : STORE_LOAD_MAX_PROCS,
			    .no_self = flags & STORE_LOAD_NO_SELF, .group_metrics = o->group_metrics };
	int version, rc = -1;

	memset(out, 0, sizeof(*out));
	if (open_for_load(&l, path, &version))
		goto done;
	if (version == 0) {
		snprintf(err, errlen, "an empty SQLite database, not a perfpilot store");
		goto done;
	}
	if ((!(flags & STORE_LOAD_NO_CHECK) && quick_check(&l)) ||
	    schema_migrate(l.db, version, err, errlen))
		goto done;
	out->schema_version = STORE_SCHEMA_VERSION;
	if (load_meta(&l, out) || load_intervals(&l, since, until))
		goto done;
	if (l.niv && (steps(&l, out) || load_entities(&l) || load_metrics(&l) ||
		      fold_plan(&l) || group_skips(&l) || load_samples(&l) || fold_done(&l) || build(&l, out)))
		goto done;
	if ((flags & STORE_LOAD_NO_PROFILE) ? find_profile(&l, out, since, until)
					     : load_profile(&l, out, since, until))
		goto done;
	rc = 0;
done:
	loader_free(&l);
	if (rc)
		recording_free(out);
	return rc;
}
