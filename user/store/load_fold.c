// SPDX-License-Identifier: GPL-2.0
/*
 * Folding processes at load time (store.h, docs/store.md "What a report
 * holds in memory"): a window with more than STORE_LOAD_MAX_PROCS process
 * entities keeps on their own the longest-lived and, of the others (the
 * candidates), the top STORE_LOAD_FOLD_TOP by each resource; the rest add
 * up, per step, into groups of command, parent command and cgroup, like
 * the groups of short-lived processes that record writes (and into those,
 * when the store has one of the same names).
 *
 * One pass over the entities picks the lives to fold; the loader's one
 * pass over the samples hands a candidate's samples to ld_fold_hold. A
 * candidate's samples are held until its last interval has gone by: then
 * its totals are known, it enters the top lists or goes into its group
 * (so does a candidate pushed out of the lists later). Held samples are
 * those of the candidates alive at the time and of those in the lists:
 * memory stays small, and the time is linear in the samples read.
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

/* A held sample: metric index, window interval index (-1: a gauge's value
 * from before the window or the process's span), value. */
struct held {
	uint32_t m;
	int32_t k;
	double v;
};

struct cand {
	uint32_t ent;      /* its entity's index */
	uint32_t n, cap;   /* held samples */
	struct held *h;
	uint8_t tops;      /* top lists it is on */
};

/* The best STORE_LOAD_FOLD_TOP candidates by one score, best first. */
struct top {
	uint32_t c[STORE_LOAD_FOLD_TOP];
	float v[STORE_LOAD_FOLD_TOP];
	size_t n;
};

struct ld_fold_state {
	struct cand *cands;
	size_t ncand;
	uint32_t *cand_of;  /* entity index -> candidate number + 1, 0: none */
	size_t nents;       /* entities cand_of covers */
	size_t merge;       /* intervals per step */
	uint32_t *by_end;   /* candidate numbers by their last interval */
	size_t next_end;    /* the first of them not yet settled */
	struct top top[NSCORES];
	int8_t *score_of;   /* metric index -> score_metrics index, -1: none */
};

struct plan {
	const struct ld_tables *t;
	struct ld_fold *f;
	struct ld_fold_state *st;
	int64_t max_ent_id, max_metric_id;
};

static int nomem(const struct ld_tables *t)
{
	snprintf(t->err, t->errlen, "out of memory loading the store");
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
 * the top lists keep, stay within t->max_procs. The processes of
 * that life or shorter are the candidates. Those seen through the whole
 * window never are (they are not churn, and the findings read their
 * gauges), however many: then more than max_procs stay. 0, or -1 on no
 * memory. */
static int pick_lives(struct plan *p)
{
	const struct ld_tables *t = p->t;
	struct ld_fold_state *st = p->st;
	const struct ld_ent *ents = *t->ents;
	size_t nsteps = (t->niv + t->merge - 1) / t->merge, i, above = 0, L, kept = 0;
	size_t top = (size_t)STORE_LOAD_FOLD_TOP * NSCORES;
	size_t budget = t->max_procs > top ? t->max_procs - top : 0;
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
	if (L == nsteps) /* more seen throughout than the budget */
		above += hist[L--];
	free(hist);
	if (!L)
		return 0;
	st->nents = *t->nents;
	st->cand_of = calloc(st->nents, sizeof(*st->cand_of));
	st->cands = calloc(*t->nents - above, sizeof(*st->cands));
	if (!st->cand_of || !st->cands)
		return nomem(t);
	for (i = 0; i < *t->nents; i++) {
		if (!foldable(&ents[i], t->r) || life_of(&ents[i], t->merge) > L)
			continue;
		st->cands[st->ncand].ent = (uint32_t)i;
		st->cand_of[i] = (uint32_t)++st->ncand;
	}
	return 0;
}

/* The candidates in the order of their last interval (a counting sort). */
static int order_by_end(struct plan *p)
{
	const struct ld_tables *t = p->t;
	struct ld_fold_state *st = p->st;
	size_t *count = calloc(t->niv + 1, sizeof(*count)), c, k, sum = 0;

	st->by_end = malloc(st->ncand * sizeof(*st->by_end));
	if (!count || !st->by_end) {
		free(count);
		return nomem(t);
	}
	for (c = 0; c < st->ncand; c++)
		count[(*t->ents)[st->cands[c].ent].b]++;
	for (k = 0; k <= t->niv; k++) {
		size_t n = count[k];

		count[k] = sum;
		sum += n;
	}
	for (c = 0; c < st->ncand; c++)
		st->by_end[count[(*t->ents)[st->cands[c].ent].b]++] = (uint32_t)c;
	free(count);
	return 0;
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

/* A new group entity for the process at index i; its index, or -1. */
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

/* Every candidate goes into the group of its names for now (the top lists
 * take some back at the end): the groups' spans cover them all. */
static int assign_groups(struct plan *p)
{
	const struct ld_tables *t = p->t;
	struct ld_fold_state *st = p->st;
	struct groups g = { .nslots = 64 };
	size_t c, i;
	int rc = -1;

	if (!(g.slot = calloc(g.nslots, sizeof(*g.slot))))
		return nomem(t);
	/* the store's own groups take the processes of their names */
	for (i = 0; i < *t->nents; i++)
		if ((*t->ents)[i].kind == ENT_GROUP && group_add(&g, *t->ents, i))
			goto out;
	for (c = 0; c < st->ncand; c++) {
		struct ld_ent *e, *grp;
		size_t *slot;

		i = st->cands[c].ent;
		slot = group_slot(&g, *t->ents, &(*t->ents)[i]);
		if (!*slot) {
			ssize_t k = new_group(p, i);

			if (k < 0 || group_add(&g, *t->ents, (size_t)k))
				goto out;
			slot = group_slot(&g, *t->ents, &(*t->ents)[i]);
		}
		e = &(*t->ents)[i];
		grp = &(*t->ents)[*slot - 1];
		e->group = (uint32_t)*slot;
		grp->acc = true;
		if (e->a < grp->a)
			grp->a = e->a;
		if (e->b > grp->b)
			grp->b = e->b;
	}
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

	memset(f, 0, sizeof(*f));
	for (i = 0; i < *t->nents; i++)
		f->procs += (*t->ents)[i].kind == ENT_PROC;
	if (f->procs <= t->max_procs)
		return 0;
	if (!(f->st = p.st = calloc(1, sizeof(*p.st))))
		return nomem(t);
	p.st->merge = t->merge;
	if (pick_lives(&p))
		return -1;
	if (!p.st->ncand)
		return 0;
	/* the groups made here get ids above any of the store's */
	p.max_ent_id = max_id(t, "SELECT max(id) FROM entity");
	if ((*t->ents)[*t->nents - 1].id > p.max_ent_id)
		p.max_ent_id = (*t->ents)[*t->nents - 1].id;
	p.max_metric_id = max_id(t, "SELECT max(id) FROM metric");
	for (i = 0; i < *t->nmetrics; i++)
		if ((*t->metrics)[i].id > p.max_metric_id)
			p.max_metric_id = (*t->metrics)[i].id;
	if ((m = need_metric(&p, "mem.rss_peak_bytes")) < 0)
		return nomem(t);
	f->m_peak = (size_t)m;
	if ((m = need_metric(&p, "group.started")) < 0)
		return nomem(t);
	f->m_started = (size_t)m;
	f->m_rss = SIZE_MAX;
	if (!(p.st->score_of = malloc(*t->nmetrics)))
		return nomem(t);
	for (i = 0; i < *t->nmetrics; i++) {
		p.st->score_of[i] = -1;
		if (!strcmp((*t->metrics)[i].name, "mem.rss_bytes"))
			f->m_rss = i;
		for (k = 0; k < NSCORE_METRICS; k++)
			if (!strcmp((*t->metrics)[i].name, score_metrics[k].name))
				p.st->score_of[i] = (int8_t)k;
	}
	return order_by_end(&p) || assign_groups(&p) ? -1 : 0;
}

int ld_fold_hold(struct ld_fold *f, size_t e, size_t m, ssize_t k, double v)
{
	struct cand *c = &f->st->cands[f->st->cand_of[e] - 1];

	if (c->n == c->cap) {
		uint32_t cap = c->cap ? 2 * c->cap : 8;
		struct held *h = realloc(c->h, cap * sizeof(*h));

		if (!h)
			return -1;
		c->h = h;
		c->cap = cap;
	}
	c->h[c->n++] = (struct held){ (uint32_t)m, (int32_t)k, v };
	return 0;
}

/* Its held samples into its group (its resident set as the group's
 * mem.rss_peak_bytes, other gauges left out), and let them go. */
static int fold_out(struct ld_fold *f, const struct ld_ent *ents, const struct ld_metric *metrics,
		    struct cand *c, ld_put_fn put, void *arg)
{
	size_t g = ents[c->ent].group - 1, i;
	int rc = 0;

	for (i = 0; i < c->n && !rc; i++) {
		size_t m = c->h[i].m;

		if (c->h[i].k < 0)
			continue;
		if (metrics[m].gauge) {
			if (m != f->m_rss)
				continue;
			m = f->m_peak;
		}
		rc = put(arg, g, m, c->h[i].k, c->h[i].v);
	}
	free(c->h);
	c->h = NULL;
	c->n = c->cap = 0;
	return rc;
}

/* Is candidate a (with value va) before b (vb) in a top list? Larger
 * first; of equal ones, the one stored first. */
static bool better(const struct ld_fold_state *st, const struct ld_ent *ents, uint32_t a,
		   float va, uint32_t b, float vb)
{
	return va > vb || (va == vb && ents[st->cands[a].ent].id < ents[st->cands[b].ent].id);
}

/* Candidate c has lived its life: its totals into the top lists (pushing
 * out the last of a full one), or it goes into its group. */
static int settle(struct ld_fold *f, const struct ld_ent *ents, const struct ld_metric *metrics,
		  uint32_t c, ld_put_fn put, void *arg)
{
	struct ld_fold_state *st = f->st;
	struct cand *cd = &st->cands[c];
	float score[NSCORES] = { 0 };
	size_t i, s, k;

	for (i = 0; i < cd->n; i++) {
		int sm = st->score_of[cd->h[i].m];
		float v = (float)cd->h[i].v;

		if (sm < 0 || cd->h[i].k < 0)
			continue;
		if (score_metrics[sm].max)
			score[score_metrics[sm].score] = v > score[score_metrics[sm].score] ?
							 v : score[score_metrics[sm].score];
		else
			score[score_metrics[sm].score] += v;
	}
	for (s = 0; s < NSCORES; s++) {
		struct top *t = &st->top[s];

		if (!(score[s] > 0) || (t->n == STORE_LOAD_FOLD_TOP &&
					!better(st, ents, c, score[s], t->c[t->n - 1], t->v[t->n - 1])))
			continue;
		if (t->n == STORE_LOAD_FOLD_TOP) {
			struct cand *out = &st->cands[t->c[--t->n]];

			if (!--out->tops && fold_out(f, ents, metrics, out, put, arg))
				return -1;
		}
		for (k = t->n++; k > 0 && better(st, ents, c, score[s], t->c[k - 1], t->v[k - 1]); k--) {
			t->c[k] = t->c[k - 1];
			t->v[k] = t->v[k - 1];
		}
		t->c[k] = c;
		t->v[k] = score[s];
		cd->tops++;
	}
	return cd->tops ? 0 : fold_out(f, ents, metrics, cd, put, arg);
}

int ld_fold_flush(struct ld_fold *f, const struct ld_ent *ents, const struct ld_metric *metrics,
		  size_t k, ld_put_fn put, void *arg)
{
	struct ld_fold_state *st = f->st;

	while (st && st->next_end < st->ncand &&
	       ents[st->cands[st->by_end[st->next_end]].ent].b < k)
		if (settle(f, ents, metrics, st->by_end[st->next_end++], put, arg))
			return -1;
	return 0;
}

int ld_fold_finish(struct ld_fold *f, struct ld_ent *ents, size_t nents,
		   const struct ld_metric *metrics, ld_put_fn put, void *arg)
{
	struct ld_fold_state *st = f->st;
	size_t c, i;

	if (!st)
		return 0;
	if (ld_fold_flush(f, ents, metrics, SIZE_MAX, put, arg))
		return -1;
	/* a group's parent: that of its latest folded process (start_ms holds
	 * its start meanwhile); a group of the store keeps its own */
	for (i = 0; i < nents; i++)
		if (ents[i].kind == ENT_GROUP && ents[i].acc)
			ents[i].start_ms = ents[i].pid ? INT64_MAX : INT64_MIN;
	for (c = 0; c < st->ncand; c++) {
		struct cand *cd = &st->cands[c];
		struct ld_ent *e = &ents[cd->ent], *g = &ents[e->group - 1];

		if (cd->tops) {
			/* kept on its own: its samples are its own */
			e->group = 0;
			for (i = 0; i < cd->n; i++)
				if (put(arg, cd->ent, cd->h[i].m, cd->h[i].k, cd->h[i].v))
					return -1;
			free(cd->h);
			cd->h = NULL;
			continue;
		}
		f->groups += !g->used;
		g->used = true;
		f->folded++;
		if (life_of(e, st->merge) > f->max_life)
			f->max_life = life_of(e, st->merge);
		if (e->ppid && e->start_ms >= g->start_ms && g->start_ms != INT64_MAX) {
			g->start_ms = e->start_ms;
			g->pid = g->ppid = e->ppid;
		}
	}
	for (i = 0; i < nents; i++)
		if (ents[i].kind == ENT_GROUP && ents[i].acc)
			ents[i].start_ms = 0;
	return 0;
}

void ld_fold_free(struct ld_fold *f)
{
	size_t c;

	if (!f->st)
		return;
	for (c = 0; c < f->st->ncand; c++)
		free(f->st->cands[c].h);
	free(f->st->cands);
	free(f->st->cand_of);
	free(f->st->by_end);
	free(f->st->score_of);
	free(f->st);
	f->st = NULL;
}
