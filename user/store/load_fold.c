// SPDX-License-Identifier: GPL-2.0
/*
 * Folding processes at load time (store.h, docs/store.md "What a report
 * holds in memory"): a window with more than STORE_LOAD_MAX_PROCS process
 * entities keeps on their own the longest-lived and, of the others, the
 * top STORE_LOAD_FOLD_TOP by each resource; the rest add up, per step,
 * into groups of command, parent command and cgroup, like the groups of
 * short-lived processes that record writes (and into those, when the
 * store has one of the same names). One pass over the entities picks the
 * lives to fold, one over the window's samples scores the candidates:
 * linear in what the window holds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store/load_int.h"
#include "store/schema.h"
#include "store/store.h"

/* The resources a folded process must not stand out in. */
enum score { S_CPU, S_RUNQ, S_IO, S_NET, S_RSS, S_STALL, S_LAT, S_EVENTS, NSCORES };

static const struct score_metric {
	const char *name;
	enum score score;
	bool max;          /* the largest value, not the sum */
} score_metrics[] = {
	{ "cpu.oncpu_ns", S_CPU, false },
	{ "sched.runq_wait_ns", S_RUNQ, false },
	{ "io.read_bytes", S_IO, false },
	{ "io.write_bytes", S_IO, false },
	{ "net.tx_bytes", S_NET, false },
	{ "net.rx_bytes", S_NET, false },
	{ "mem.rss_bytes", S_RSS, true },
	{ "mem.rss_peak_bytes", S_RSS, true },
	{ "mem.reclaim_stall_ns", S_STALL, false },
	{ "io.lat_p99_us", S_LAT, true },
	{ "mem.oom_kills", S_EVENTS, false },
	{ "net.resets", S_EVENTS, false },
	{ "net.retrans", S_EVENTS, false },
};
#define NSCORE_METRICS (sizeof(score_metrics) / sizeof(score_metrics[0]))

struct plan {
	const struct ld_tables *t;
	struct ld_fold *f;
	size_t ncand;
	uint32_t *cand;    /* candidate number -> entity index */
	float *score;      /* ncand x NSCORES */
	int8_t *score_of;  /* metric id -> score_metrics index, -1 none */
	int64_t nscore_of;
	int64_t max_ent_id, max_metric_id;
};

static int nomem(const struct ld_tables *t)
{
	snprintf(t->err, t->errlen, "out of memory loading the store");
	return -1;
}

static int db_fail(const struct ld_tables *t, const char *what)
{
	snprintf(t->err, t->errlen, "%s: %s", what, sqlite3_errmsg(t->db));
	return -1;
}

static size_t life_of(const struct ld_ent *e, size_t merge)
{
	return e->b / merge - e->a / merge + 1;
}

static bool foldable(const struct ld_ent *e, const struct recording *r)
{
	return e->kind == ENT_PROC && !(r->self_pid && e->pid == r->self_pid);
}

/* The longest life to fold: the processes that lived longer, with those
 * the scores keep, stay within STORE_LOAD_MAX_PROCS. The processes of that
 * life or shorter are the candidates (p->cand); each gets its number in
 * ent->group (1-based) for the scoring. 0, or -1 on no memory. */
static int pick_lives(struct plan *p)
{
	const struct ld_tables *t = p->t;
	struct ld_ent *ents = *t->ents;
	size_t nsteps = (t->niv + t->merge - 1) / t->merge, i, above = 0, L, kept = 0;
	size_t budget = STORE_LOAD_MAX_PROCS - (size_t)STORE_LOAD_FOLD_TOP * NSCORES;
	size_t *hist = calloc(nsteps + 2, sizeof(*hist));

	if (!hist)
		return nomem(t);
	for (i = 0; i < *t->nents; i++) {
		if (foldable(&ents[i], t->r))
			hist[life_of(&ents[i], t->merge)]++;
		else if (ents[i].kind == ENT_PROC)
			kept++;
	}
	budget = budget > kept ? budget - kept : 0;
	for (L = nsteps; L > 0 && above + hist[L] <= budget; L--)
		above += hist[L];
	free(hist);
	p->ncand = 0;
	if (!L)
		return 0;
	p->cand = malloc((*t->nents - above) * sizeof(*p->cand));
	if (!p->cand)
		return nomem(t);
	for (i = 0; i < *t->nents; i++) {
		if (!foldable(&ents[i], t->r) || life_of(&ents[i], t->merge) > L)
			continue;
		p->cand[p->ncand++] = (uint32_t)i;
		ents[i].group = (uint32_t)p->ncand;
	}
	return 0;
}

/* One pass over the window's samples: the candidates' totals (or largest
 * values) per resource. Samples come in interval order, an entity's
 * together within an interval. */
static int score(struct plan *p)
{
	const struct ld_tables *t = p->t;
	const struct ld_ent *ents = *t->ents;
	int64_t last_id = -1;
	ssize_t e = -1;
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(t->db, "SELECT entity_id, metric_id, value FROM sample "
			       "WHERE interval_id >= ? AND interval_id <= ?", -1, &s, NULL) != SQLITE_OK)
		return db_fail(t, "reading its samples");
	sqlite3_bind_int64(s, 1, t->iv[0]);
	sqlite3_bind_int64(s, 2, t->iv[t->niv - 1]);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0), mid = sqlite3_column_int64(s, 1);
		const struct score_metric *sc;
		float v, *slot;
		int sm;

		if (id != last_id) {
			last_id = id;
			e = ld_ids_find(t->ids, ents, *t->nents, id);
		}
		if (e < 0 || !ents[e].group)
			continue;
		if (mid < 0 || mid >= p->nscore_of || (sm = p->score_of[mid]) < 0)
			continue;
		sc = &score_metrics[sm];
		v = (float)sqlite3_column_double(s, 2);
		slot = &p->score[(size_t)(ents[e].group - 1) * NSCORES + sc->score];
		if (sc->max)
			*slot = v > *slot ? v : *slot;
		else
			*slot += v;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : db_fail(t, "reading its samples");
}

/* Keep the top STORE_LOAD_FOLD_TOP candidates (above 0) by each score:
 * their group goes back to 0. */
static void keep_top(struct plan *p)
{
	struct ld_ent *ents = *p->t->ents;
	size_t top[STORE_LOAD_FOLD_TOP], s, c, k, nt;

	for (s = 0; s < NSCORES; s++) {
		nt = 0;
		for (c = 0; c < p->ncand; c++) {
			float v = p->score[c * NSCORES + s];

			if (!(v > 0) || (nt == STORE_LOAD_FOLD_TOP && v <= p->score[top[nt - 1] * NSCORES + s]))
				continue;
			if (nt < STORE_LOAD_FOLD_TOP)
				nt++;
			for (k = nt - 1; k > 0 && p->score[top[k - 1] * NSCORES + s] < v; k--)
				top[k] = top[k - 1];
			top[k] = c;
		}
		for (k = 0; k < nt; k++)
			ents[p->cand[top[k]]].group = 0;
	}
}

static int64_t max_id(const struct ld_tables *t, const char *sql)
{
	sqlite3_stmt *s;
	int64_t id = -1;

	if (sqlite3_prepare_v2(t->db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return id;
}

/* The index of metric name, appended (with an id no sample has) when the
 * store has none. -1 on no memory. */
static ssize_t need_metric(struct plan *p, const char *name)
{
	const struct ld_tables *t = p->t;
	struct ld_metric *m = *t->metrics;
	size_t i;

	for (i = 0; i < *t->nmetrics; i++)
		if (!strcmp(m[i].name, name))
			return (ssize_t)i;
	m = realloc(m, (*t->nmetrics + 1) * sizeof(*m));
	if (!m)
		return -1;
	*t->metrics = m;
	m += *t->nmetrics;
	memset(m, 0, sizeof(*m));
	m->id = ++p->max_metric_id;
	m->peak = metric_is_peak(name);
	if (!(m->name = rec_str(t->r, name)))
		return -1;
	return (ssize_t)(*t->nmetrics)++;
}

/* Groups by (comm, pcomm, cgroup), whose strings are interned: a hash of
 * the three pointers to the group's entity index + 1. */
struct groups {
	size_t *slot;
	size_t nslots, n;
};

static size_t key_hash(const struct ld_ent *e, size_t nslots)
{
	uint64_t k = (uint64_t)(uintptr_t)e->comm * 0x9E3779B97F4A7C15ull;

	k ^= (uint64_t)(uintptr_t)e->pcomm * 0xC2B2AE3D27D4EB4Full;
	k ^= (uint64_t)(uintptr_t)e->cgroup * 0x165667B19E3779F9ull;
	return (size_t)(k >> 17) & (nslots - 1);
}

static bool same_key(const struct ld_ent *a, const struct ld_ent *b)
{
	return a->comm == b->comm && a->pcomm == b->pcomm && a->cgroup == b->cgroup;
}

/* The slot of e's key (empty if none yet). */
static size_t *group_slot(struct groups *g, const struct ld_ent *ents, const struct ld_ent *e)
{
	size_t h;

	for (h = key_hash(e, g->nslots); g->slot[h]; h = (h + 1) & (g->nslots - 1))
		if (same_key(&ents[g->slot[h] - 1], e))
			break;
	return &g->slot[h];
}

/* Add group entity gi; -1 on no memory. */
static int group_add(struct groups *g, const struct ld_ent *ents, size_t gi)
{
	if ((g->n + 1) * 2 > g->nslots) {
		struct groups bigger = { .nslots = g->nslots * 2, .n = g->n };
		size_t i;

		if (!(bigger.slot = calloc(bigger.nslots, sizeof(*bigger.slot))))
			return -1;
		for (i = 0; i < g->nslots; i++)
			if (g->slot[i])
				*group_slot(&bigger, ents, &ents[g->slot[i] - 1]) = g->slot[i];
		free(g->slot);
		*g = bigger;
	}
	*group_slot(g, ents, &ents[gi]) = gi + 1;
	g->n++;
	return 0;
}

/* A new group entity for the folded process at index i; its index, or -1.
 * start_ms holds the start of its latest process until fold() ends. */
static ssize_t new_group(struct plan *p, size_t i)
{
	const struct ld_tables *t = p->t;
	struct ld_ent *ents = realloc(*t->ents, (*t->nents + 1) * sizeof(*ents)), *g, *e;
	size_t len;
	char *name;

	if (!ents)
		return -1;
	*t->ents = ents;
	e = &ents[i];
	g = &ents[*t->nents];
	memset(g, 0, sizeof(*g));
	g->id = ++p->max_ent_id;
	g->kind = ENT_GROUP;
	g->comm = e->comm;
	g->pcomm = e->pcomm;
	g->cgroup = e->cgroup;
	g->a = e->a;
	g->b = e->b;
	g->start_ms = INT64_MIN;
	len = strlen(e->comm) + strlen(e->pcomm) + strlen(e->cgroup) + 3;
	name = malloc(len);
	if (!name)
		return -1;
	snprintf(name, len, "%s|%s|%s", e->comm, e->pcomm, e->cgroup);
	g->name = rec_str(t->r, name);
	free(name);
	if (!g->name)
		return -1;
	return (ssize_t)(*t->nents)++;
}

/* A folded process into group gi: its span, its parent. */
static void join(struct plan *p, size_t i, size_t gi)
{
	struct ld_ent *e = &(*p->t->ents)[i], *g = &(*p->t->ents)[gi];
	size_t life = life_of(e, p->t->merge);

	e->group = (uint32_t)(gi + 1);
	if (!g->acc) {
		if (g->pid)
			g->start_ms = INT64_MAX; /* a group of the store keeps its parent */
		p->f->groups++;
	}
	g->acc = true;
	if (e->a < g->a)
		g->a = e->a;
	if (e->b > g->b)
		g->b = e->b;
	/* a new group's pid: the parent of its latest process */
	if (e->ppid && e->start_ms >= g->start_ms) {
		g->start_ms = e->start_ms;
		g->pid = g->ppid = e->ppid;
	}
	p->f->folded++;
	if (life > p->f->max_life)
		p->f->max_life = life;
}

/* Every candidate still marked goes into the group of its names. */
static int fold(struct plan *p)
{
	const struct ld_tables *t = p->t;
	struct groups g = { .nslots = 64 };
	size_t c, i;
	int rc = -1;

	if (!(g.slot = calloc(g.nslots, sizeof(*g.slot))))
		return nomem(t);
	/* the store's own groups take the processes of their names */
	for (i = 0; i < *t->nents; i++)
		if ((*t->ents)[i].kind == ENT_GROUP && group_add(&g, *t->ents, i))
			goto out;
	for (c = 0; c < p->ncand; c++) {
		size_t *slot;

		i = p->cand[c];
		if (!(*t->ents)[i].group)
			continue; /* kept for a score */
		slot = group_slot(&g, *t->ents, &(*t->ents)[i]);
		if (!*slot) {
			ssize_t k = new_group(p, i);

			if (k < 0 || group_add(&g, *t->ents, (size_t)k))
				goto out;
			slot = group_slot(&g, *t->ents, &(*t->ents)[i]);
		}
		join(p, i, *slot - 1);
	}
	for (i = 0; i < *t->nents; i++)
		if ((*t->ents)[i].kind == ENT_GROUP)
			(*t->ents)[i].start_ms = 0;
	rc = 0;
out:
	free(g.slot);
	return rc ? nomem(t) : 0;
}

int ld_fold_plan(struct ld_fold *f, const struct ld_tables *t)
{
	struct plan p = { .t = t, .f = f };
	size_t i, k;
	ssize_t m;
	int rc = -1;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < *t->nents; i++)
		f->procs += (*t->ents)[i].kind == ENT_PROC;
	if (f->procs <= STORE_LOAD_MAX_PROCS)
		return 0;
	if (pick_lives(&p))
		return -1;
	if (!p.ncand)
		return 0;
	for (i = 0; i < *t->nmetrics; i++)
		if ((*t->metrics)[i].id >= p.nscore_of)
			p.nscore_of = (*t->metrics)[i].id + 1;
	if (p.nscore_of > 65536)
		p.nscore_of = 65536; /* metric ids are small: more is not a store we wrote */
	p.score = calloc(p.ncand * NSCORES, sizeof(*p.score));
	p.score_of = malloc((size_t)(p.nscore_of ? p.nscore_of : 1));
	if (!p.score || !p.score_of) {
		nomem(t);
		goto out;
	}
	memset(p.score_of, -1, (size_t)p.nscore_of);
	for (i = 0; i < *t->nmetrics; i++)
		for (k = 0; k < NSCORE_METRICS; k++)
			if ((*t->metrics)[i].id >= 0 && (*t->metrics)[i].id < p.nscore_of &&
			    !strcmp((*t->metrics)[i].name, score_metrics[k].name))
				p.score_of[(*t->metrics)[i].id] = (int8_t)k;
	if (score(&p))
		goto out;
	keep_top(&p);
	free(p.score);
	p.score = NULL;
	/* the groups made here get ids above any of the store's */
	p.max_ent_id = max_id(t, "SELECT max(id) FROM entity");
	if ((*t->ents)[*t->nents - 1].id > p.max_ent_id)
		p.max_ent_id = (*t->ents)[*t->nents - 1].id;
	p.max_metric_id = max_id(t, "SELECT max(id) FROM metric");
	for (i = 0; i < *t->nmetrics; i++)
		if ((*t->metrics)[i].id > p.max_metric_id)
			p.max_metric_id = (*t->metrics)[i].id;
	if ((m = need_metric(&p, "mem.rss_peak_bytes")) < 0) {
		nomem(t);
		goto out;
	}
	f->m_peak = (size_t)m;
	if ((m = need_metric(&p, "group.started")) < 0) {
		nomem(t);
		goto out;
	}
	f->m_started = (size_t)m;
	f->m_rss = SIZE_MAX;
	for (i = 0; i < *t->nmetrics; i++)
		if (!strcmp((*t->metrics)[i].name, "mem.rss_bytes"))
			f->m_rss = i;
	rc = fold(&p);
out:
	free(p.cand);
	free(p.score);
	free(p.score_of);
	return rc;
}

bool ld_fold_redirect(const struct ld_fold *f, const struct ld_ent *ents,
		      const struct ld_metric *metrics, size_t *e, size_t *m)
{
	if (metrics[*m].gauge) {
		if (*m != f->m_rss)
			return false;
		*m = f->m_peak;
	}
	*e = ents[*e].group - 1;
	return true;
}
