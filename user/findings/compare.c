// SPDX-License-Identifier: GPL-2.0
/* Comparing two recordings metric by metric (Mann-Whitney on the samples). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "findings/compare.h"
#include "findings/mwu.h"

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

/* Percentiles and maxima combine by max; everything else adds up. */
static bool by_max(const char *metric)
{
	return ends_with(metric, "_p99_us") || ends_with(metric, "_p50_us") ||
	       ends_with(metric, "_max_us") || ends_with(metric, "_max") ||
	       ends_with(metric, "_peak_bytes");
}

static bool is_gauge(const char *metric)
{
	return by_max(metric) || !strcmp(metric, "mem.rss_bytes") ||
	       !strncmp(metric, "cg.memory", 9) || !strcmp(metric, "host.mem_available_bytes") ||
	       !strcmp(metric, "host.runnable");
}

enum direction metric_direction(const char *metric)
{
	static const char *const neutral[] = {
		"io.read_bytes", "io.write_bytes", "io.read_ops", "io.write_ops", "net.tx_bytes",
		"net.rx_bytes", "dev.read_bytes", "dev.write_bytes", "dev.ops",
		"cg.memory_limit_bytes", "sched.nvcsw",
	};
	size_t i;

	if (!strcmp(metric, "host.mem_available_bytes"))
		return DIR_DOWN_WORSE;
	for (i = 0; i < sizeof(neutral) / sizeof(neutral[0]); i++)
		if (!strcmp(metric, neutral[i]))
			return DIR_NEUTRAL;
	return DIR_UP_WORSE;
}

/* The name a series is matched by across recordings. */
static const char *match_name(const struct series *s)
{
	return s->kind == ENT_PROC ? s->comm : s->entity;
}

/*
 * Does series s count toward (kind, name, metric)? A group of short-lived
 * processes (record's, or folded at load: store.h) counts as itself and
 * also toward the processes of its command, so that a command compares
 * the same whichever of its processes were kept on their own.
 */
static bool counts_for(const struct series *s, char kind, const char *name, const char *metric)
{
	if (strcmp(s->metric, metric))
		return false;
	if (s->kind == kind && !strcmp(match_name(s), name))
		return true;
	return kind == ENT_PROC && s->kind == ENT_GROUP && !strcmp(s->comm, name);
}

/* The group's metrics that processes have too (not group.*). */
static bool proc_metric(const char *metric)
{
	return strncmp(metric, "group.", 6) != 0;
}

static double interval_of(const struct recording *r)
{
	return r->interval_s > 0 ? r->interval_s : 1;
}

struct point {
	double t, v;
};

static int by_time(const void *x, const void *y)
{
	const struct point *a = x, *b = y;

	return a->t < b->t ? -1 : a->t > b->t;
}

/*
 * The samples of one (kind, name, metric) in a recording: processes of the
 * same name are combined per interval (all series of a recording share the
 * times of its intervals). Values per second for counters. Returns the
 * count (0: absent); *out is malloc'ed.
 */
static size_t samples(const struct recording *r, char kind, const char *name, const char *metric,
		      double **out)
{
	double iv = interval_of(r), *v;
	bool max = by_max(metric), gauge = is_gauge(metric);
	struct point *p;
	size_t i, k, np = 0, n = 0;

	*out = NULL;
	for (i = 0; i < r->n; i++)
		if (counts_for(&r->s[i], kind, name, metric))
			np += r->s[i].n;
	if (!np)
		return 0;
	p = malloc(np * sizeof(*p));
	v = malloc(np * sizeof(*v));
	if (!p || !v) {
		free(p);
		free(v);
		return 0;
	}
	for (i = 0, np = 0; i < r->n; i++) {
		const struct series *s = &r->s[i];

		if (!counts_for(s, kind, name, metric))
			continue;
		for (k = 0; k < s->n; k++)
			if (isfinite(s->v[k]))
				p[np++] = (struct point){s->t[k], s->v[k]};
	}
	qsort(p, np, sizeof(*p), by_time);
	for (i = 0; i < np; i++) {
		if (n && p[i].t - p[i - 1].t < 1e-3) {
			v[n - 1] = max ? fmax(v[n - 1], p[i].v) : v[n - 1] + p[i].v;
			continue;
		}
		v[n++] = p[i].v;
	}
	free(p);
	if (!gauge)
		for (i = 0; i < n; i++)
			v[i] /= iv;
	*out = v;
	return n;
}

static double mean(const double *v, size_t n)
{
	double s = 0;
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (isfinite(v[i])) {
			s += v[i];
			k++;
		}
	return k ? s / (double)k : NAN;
}

static bool seen(const struct comparison *c, char kind, const char *name, const char *metric)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->m[i].kind == kind && !strcmp(c->m[i].entity, name) &&
		    !strcmp(c->m[i].metric, metric))
			return true;
	return false;
}

static int add(struct comparison *c, const struct series *s, const double *a, size_t na,
	       const double *b, size_t nb)
{
	struct metric_change *m;
	struct mwu u;
	enum direction dir = metric_direction(s->metric);
	double delta;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct metric_change *nm = realloc(c->m, cap * sizeof(*nm));

		if (!nm)
			return -1;
		c->m = nm;
		c->cap = cap;
	}
	m = &c->m[c->n];
	memset(m, 0, sizeof(*m));
	m->kind = s->kind;
	snprintf(m->entity, sizeof(m->entity), "%s", match_name(s));
	snprintf(m->metric, sizeof(m->metric), "%s", s->metric);
	m->rate = !is_gauge(s->metric);
	m->base = mean(a, na);
	m->cur = mean(b, nb);
	m->nbase = na;
	m->ncur = nb;
	if (!(m->base != 0 || m->cur != 0))
		return 0; /* zero in both: nothing to say */
	if (mann_whitney(a, na, b, nb, &u))
		return -1;
	m->p = u.p;
	m->significant = u.p < COMPARE_ALPHA;
	delta = m->cur - m->base;
	m->change_pct = m->base != 0 ? 100 * delta / fabs(m->base) : NAN;
	m->changed = m->significant &&
		     (isnan(m->change_pct) || fabs(m->change_pct) >= c->threshold_pct);
	m->regression = m->changed && ((dir == DIR_UP_WORSE && delta > 0) ||
				       (dir == DIR_DOWN_WORSE && delta < 0));
	c->n++;
	return 0;
}

static int add_name(struct name_list *l, const char *name)
{
	size_t i;
	char (*nn)[16];

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->name[i], name))
			return 0;
	nn = realloc(l->name, (l->n + 1) * sizeof(*nn));
	if (!nn)
		return -1;
	l->name = nn;
	snprintf(l->name[l->n++], 16, "%s", name);
	return 0;
}

/* Are there processes of comm, on their own or in a group? */
static bool has_comm(const struct recording *r, const char *comm)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if ((r->s[i].kind == ENT_PROC || r->s[i].kind == ENT_GROUP) &&
		    !strcmp(r->s[i].comm, comm))
			return true;
	return false;
}

/* Compare (s's kind, name, metric) in both recordings, once. */
static int compare_one(struct comparison *out, const struct recording *base,
		       const struct recording *cur, const struct series *s)
{
	const char *name = match_name(s);
	double *a, *b;
	size_t na, nb;
	int rc;

	if (seen(out, s->kind, name, s->metric))
		return 0;
	if (s->kind == ENT_PROC && !has_comm(base, name))
		return add_name(&out->only_cur, name);
	na = samples(base, s->kind, name, s->metric, &a);
	nb = samples(cur, s->kind, name, s->metric, &b);
	rc = na && nb ? add(out, s, a, na, b, nb) : 0;
	free(a);
	free(b);
	return rc;
}

int compare_recordings(const struct recording *base, const struct recording *cur,
		       double threshold_pct, struct comparison *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	out->threshold_pct = threshold_pct;
	for (i = 0; i < cur->n; i++) {
		const struct series *s = &cur->s[i];
		struct series as_proc;

		if (s->kind == ENT_NETNS)
			continue;
		if (compare_one(out, base, cur, s))
			goto nomem;
		/* a group also stands for processes of its command */
		if (s->kind != ENT_GROUP || !s->comm[0] || !proc_metric(s->metric))
			continue;
		as_proc = *s;
		as_proc.kind = ENT_PROC;
		if (compare_one(out, base, cur, &as_proc))
			goto nomem;
	}
	for (i = 0; i < base->n; i++) {
		const struct series *s = &base->s[i];

		if ((s->kind == ENT_PROC || (s->kind == ENT_GROUP && s->comm[0])) &&
		    !has_comm(cur, s->comm) && add_name(&out->only_base, s->comm))
			goto nomem;
	}
	return 0;
nomem:
	comparison_free(out);
	return -1;
}

void comparison_free(struct comparison *c)
{
	free(c->m);
	free(c->only_base.name);
	free(c->only_cur.name);
	memset(c, 0, sizeof(*c));
}
