// SPDX-License-Identifier: GPL-2.0
/* Comparing two recordings metric by metric (Mann-Whitney on the samples). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
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
	       !strncmp(metric, "cg.memory", 9) || !strcmp(metric, "cg.cpu_limit_cores") ||
	       !strcmp(metric, "host.mem_available_bytes") ||
	       !strcmp(metric, "host.runnable");
}

enum direction metric_direction(const char *metric)
{
	static const char *const neutral[] = {
		"io.read_bytes", "io.write_bytes", "io.read_ops", "io.write_ops", "net.tx_bytes",
		"net.rx_bytes", "dev.read_bytes", "dev.write_bytes", "dev.ops",
		"cg.memory_limit_bytes", "cg.cpu_limit_cores", "sched.nvcsw",
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

/* The group's metrics that processes have too (not group.*). */
static bool proc_metric(const char *metric)
{
	return strncmp(metric, "group.", 6) != 0;
}

/*
 * A recording's series by what they are matched by: (kind, name, metric),
 * sorted, so that the series of one key lie side by side. A group of
 * short-lived processes (record's, or folded at load: store.h) is there as
 * itself and also among the processes of its command, so that a command
 * compares the same whichever of its processes were kept on their own.
 */
struct key {
	char kind;
	bool done;          /* on a key's first entry: compared (or listed) */
	const char *name, *metric;
	const struct series *s;
};

struct index {
	struct key *k;
	size_t n;
};

static int key_cmp3(char kind, const char *name, const char *metric, const struct key *k)
{
	int c;

	if (kind != k->kind)
		return kind < k->kind ? -1 : 1;
	c = strcmp(name, k->name);
	return c || !metric ? c : strcmp(metric, k->metric);
}

static int by_key(const void *x, const void *y)
{
	const struct key *a = x, *b = y;
	int c = key_cmp3(a->kind, a->name, a->metric, b);

	return c ? c : (a->s > b->s) - (a->s < b->s);
}

static int index_build(const struct recording *r, struct index *x)
{
	size_t i;

	x->n = 0;
	x->k = malloc((2 * r->n + 1) * sizeof(*x->k));
	if (!x->k)
		return -1;
	for (i = 0; i < r->n; i++) {
		const struct series *s = &r->s[i];

		if (s->kind == ENT_NETNS)
			continue;
		x->k[x->n++] = (struct key){ s->kind, false, match_name(s), s->metric, s };
		if (s->kind == ENT_GROUP && s->comm[0] && proc_metric(s->metric))
			x->k[x->n++] = (struct key){ ENT_PROC, false, s->comm, s->metric, s };
	}
	qsort(x->k, x->n, sizeof(*x->k), by_key);
	return 0;
}

/* The first entry of (kind, name, metric) (metric NULL: any), and in *end
 * the one after the last; x->n when there is none. */
static size_t index_find(const struct index *x, char kind, const char *name, const char *metric,
			 size_t *end)
{
	size_t lo = 0, hi = x->n, first;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (key_cmp3(kind, name, metric, &x->k[mid]) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	hi = x->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (key_cmp3(kind, name, metric, &x->k[mid]) >= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*end = lo;
	return first < lo ? first : x->n;
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

/* Where series s's k-th point is among r->times, or -1 when it does not
 * share them. */
static ssize_t time_index(const struct recording *r, const struct series *s, size_t k)
{
	if (!s->t_shared || !r->times || s->t < r->times || s->t + s->n > r->times + r->ntimes)
		return -1;
	return (ssize_t)(s->t - r->times) + (ssize_t)k;
}

/* How long the step that ends at r->times[i] lasted: from the previous
 * step's end (a slow interval lasted longer than the rest), the interval
 * when that is not known or is a gap between two sessions. */
static double step_len(const struct recording *r, size_t i)
{
	double iv = interval_of(r), d = i ? r->times[i] - r->times[i - 1] : 0;

	return d > 0 && d <= 10 * iv ? d : iv;
}

/* The points of series [first, end) of x added up (or the largest) per
 * step of r, in time order, when they all share r's times: O(points +
 * steps), no sort. Returns the count, -1 when a series does not share. */
static ssize_t combine_shared(const struct recording *r, const struct index *x, size_t first,
			      size_t end, bool max, bool gauge, double *v)
{
	double *acc = calloc(r->ntimes ? r->ntimes : 1, sizeof(*acc));
	unsigned char *seen = calloc(r->ntimes ? r->ntimes : 1, 1);
	size_t i, k, n = 0;
	ssize_t at;

	if (!acc || !seen) {
		free(acc);
		free(seen);
		return -1;
	}
	for (i = first; i < end; i++) {
		const struct series *s = x->k[i].s;

		for (k = 0; k < s->n; k++) {
			if ((at = time_index(r, s, k)) < 0) {
				free(acc);
				free(seen);
				return -1;
			}
			if (!isfinite(s->v[k]))
				continue;
			acc[at] = seen[at] && max ? fmax(acc[at], s->v[k]) : acc[at] + s->v[k];
			seen[at] = 1;
		}
	}
	for (i = 0; i < r->ntimes; i++)
		if (seen[i])
			v[n++] = gauge ? acc[i] : acc[i] / step_len(r, i);
	free(acc);
	free(seen);
	return (ssize_t)n;
}

/*
 * The samples of one (kind, name, metric) in a recording: processes of the
 * same name are combined per interval (all series of a recording share the
 * times of its intervals). Values per second for counters. Returns the
 * count (0: absent); *out is malloc'ed.
 */
static size_t samples(const struct recording *r, const struct index *x, char kind,
		      const char *name, const char *metric, double **out)
{
	double iv = interval_of(r), *v;
	bool max = by_max(metric), gauge = is_gauge(metric);
	struct point *p;
	size_t i, k, end, first = index_find(x, kind, name, metric, &end), np = 0, n = 0;
	ssize_t shared;

	*out = NULL;
	for (i = first; i < end; i++)
		np += x->k[i].s->n;
	if (!np)
		return 0;
	v = malloc(np * sizeof(*v));
	if (!v)
		return 0;
	if ((shared = combine_shared(r, x, first, end, max, gauge, v)) >= 0) {
		*out = v;
		return (size_t)shared;
	}
	/* series with times of their own (recordings built by hand): by time */
	p = malloc(np * sizeof(*p));
	if (!p) {
		free(v);
		return 0;
	}
	for (i = first, np = 0; i < end; i++) {
		const struct series *s = x->k[i].s;

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

static int add(struct comparison *c, const struct key *k, const double *a, size_t na,
	       const double *b, size_t nb)
{
	struct metric_change *m;
	struct mwu u;
	enum direction dir = metric_direction(k->metric);
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
	m->kind = k->kind;
	snprintf(m->entity, sizeof(m->entity), "%s", k->name);
	snprintf(m->metric, sizeof(m->metric), "%s", k->metric);
	m->rate = !is_gauge(k->metric);
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
static bool has_comm(const struct index *x, const char *comm)
{
	size_t end;

	return index_find(x, ENT_PROC, comm, NULL, &end) < x->n;
}

/* Compare key k of the current recording (the first entry of its run) with
 * the baseline, once. */
static int compare_one(struct comparison *out, const struct recording *base,
		       const struct index *bx, const struct recording *cur,
		       const struct index *cx, struct key *k)
{
	double *a, *b;
	size_t na, nb;
	int rc;

	if (k->done)
		return 0;
	k->done = true;
	if (k->kind == ENT_PROC && !has_comm(bx, k->name))
		return add_name(&out->only_cur, k->name);
	na = samples(base, bx, k->kind, k->name, k->metric, &a);
	nb = samples(cur, cx, k->kind, k->name, k->metric, &b);
	rc = na && nb ? add(out, k, a, na, b, nb) : 0;
	free(a);
	free(b);
	return rc;
}

/* The first entry of series s's run in x (as itself, or as_proc: among
 * the processes of its command). */
static struct key *key_of(const struct index *x, const struct series *s, bool as_proc)
{
	size_t end, i;

	if (as_proc)
		i = index_find(x, ENT_PROC, s->comm, s->metric, &end);
	else
		i = index_find(x, s->kind, match_name(s), s->metric, &end);
	return i < x->n ? &x->k[i] : NULL;
}

int compare_recordings(const struct recording *base, const struct recording *cur,
		       double threshold_pct, struct comparison *out)
{
	struct index bx = { 0 }, cx = { 0 };
	size_t i;

	memset(out, 0, sizeof(*out));
	out->threshold_pct = threshold_pct;
	if (index_build(base, &bx) || index_build(cur, &cx))
		goto nomem;
	/* in the order of the current recording's series */
	for (i = 0; i < cur->n; i++) {
		const struct series *s = &cur->s[i];
		struct key *k;

		if (s->kind == ENT_NETNS)
			continue;
		if ((k = key_of(&cx, s, false)) && compare_one(out, base, &bx, cur, &cx, k))
			goto nomem;
		/* a group also stands for processes of its command */
		if (s->kind != ENT_GROUP || !s->comm[0] || !proc_metric(s->metric))
			continue;
		if ((k = key_of(&cx, s, true)) && compare_one(out, base, &bx, cur, &cx, k))
			goto nomem;
	}
	for (i = 0; i < base->n; i++) {
		const struct series *s = &base->s[i];
		struct key *k;
		size_t end;

		if (!(s->kind == ENT_PROC || (s->kind == ENT_GROUP && s->comm[0])))
			continue;
		/* each name once: marked on the first entry of its processes */
		k = &bx.k[index_find(&bx, ENT_PROC, s->comm, NULL, &end)];
		if (k >= bx.k + bx.n || k->done)
			continue;
		k->done = true;
		if (!has_comm(&cx, s->comm) && add_name(&out->only_base, s->comm))
			goto nomem;
	}
	free(bx.k);
	free(cx.k);
	return 0;
nomem:
	free(bx.k);
	free(cx.k);
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
