// SPDX-License-Identifier: GPL-2.0
/* Helpers of the findings analysers: sums over windows, parties, text. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "findings/internal.h"

double fnd_interval(const struct recording *r)
{
	size_t i;

	if (r->interval_s > 0)
		return r->interval_s;
	for (i = 0; i < r->n; i++)
		if (r->s[i].n >= 2)
			return (r->s[i].t[r->s[i].n - 1] - r->s[i].t[0]) / (double)(r->s[i].n - 1);
	return 1;
}

double fnd_span(const struct recording *r, const struct series *s)
{
	return (double)s->n * fnd_interval(r);
}

double fnd_sum(const struct series *s, double t0, double t1)
{
	double sum = 0;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->t[i] >= t0 && s->t[i] <= t1 && isfinite(s->v[i]))
			sum += s->v[i];
	return sum;
}

double fnd_max(const struct series *s)
{
	double m = NAN;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (isfinite(s->v[i]) && (isnan(m) || s->v[i] > m))
			m = s->v[i];
	return m;
}

const char *fnd_metric_unit(const char *metric)
{
	size_t n = strlen(metric);

	if (n > 3 && !strcmp(metric + n - 3, "_ns"))
		return "ns";
	if (n > 3 && !strcmp(metric + n - 3, "_us"))
		return "us";
	if (n > 6 && !strcmp(metric + n - 6, "_bytes"))
		return "bytes";
	return "";
}

bool fnd_whole_host(const struct recording *r)
{
	return !r->target[0] || !strncmp(r->target, "-a", 2);
}

struct finding *fnd_add(struct findings *fs, const char *kind, enum severity sev,
			enum resource res)
{
	struct finding *f;

	if (fs->n == fs->cap) {
		size_t cap = fs->cap ? fs->cap * 2 : 8;
		struct finding *nf = realloc(fs->f, cap * sizeof(*nf));

		if (!nf)
			return NULL;
		fs->f = nf;
		fs->cap = cap;
	}
	f = &fs->f[fs->n++];
	memset(f, 0, sizeof(*f));
	snprintf(f->kind, sizeof(f->kind), "%s", kind);
	f->severity = sev;
	f->resource = res;
	return f;
}

void fnd_summary(struct finding *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->summary, sizeof(f->summary), fmt, ap);
	va_end(ap);
}

int fnd_evidence(struct finding *f, const struct recording *r, const struct series *s,
		 double t0, double t1)
{
	struct evidence *e = &f->ev;
	size_t i, n = 0;

	free(e->t);
	free(e->v);
	memset(e, 0, sizeof(*e));
	snprintf(e->metric, sizeof(e->metric), "%s", s->metric);
	if (s->kind == ENT_PROC)
		snprintf(e->entity, sizeof(e->entity), "%u", s->pid);
	else
		snprintf(e->entity, sizeof(e->entity), "%s", s->entity);
	e->kind = s->kind;
	for (i = 0; i < s->n; i++)
		n += s->t[i] >= t0 && s->t[i] <= t1;
	e->t = malloc((n ? n : 1) * sizeof(double));
	e->v = malloc((n ? n : 1) * sizeof(double));
	if (!e->t || !e->v)
		return -1;
	for (i = 0; i < s->n; i++) {
		if (s->t[i] < t0 || s->t[i] > t1)
			continue;
		e->t[e->n] = s->t[i];
		e->v[e->n++] = s->v[i];
	}
	e->start = e->n ? e->t[0] - fnd_interval(r) : t0;
	e->end = e->n ? e->t[e->n - 1] : t1;
	return 0;
}

static void party_set(struct party *p, const struct series *s, const char *metric, double value,
		      const char *unit, double share)
{
	memset(p, 0, sizeof(*p));
	p->kind = s->kind;
	p->pid = s->pid;
	p->start = s->start;
	snprintf(p->comm, sizeof(p->comm), "%s", s->comm);
	snprintf(p->cgroup, sizeof(p->cgroup), "%s", s->kind == ENT_CGROUP ? s->entity : s->cgroup);
	snprintf(p->metric, sizeof(p->metric), "%s", metric);
	snprintf(p->unit, sizeof(p->unit), "%s", unit);
	p->value = value;
	p->share = share;
}

void fnd_victim(struct finding *f, const struct series *s, const char *metric, double value,
		const char *unit, double share)
{
	if (f->nvictims < FND_MAX_PARTIES)
		party_set(&f->victims[f->nvictims++], s, metric, value, unit, share);
}

void fnd_culprit(struct finding *f, const struct series *s, const char *metric, double value,
		 const char *unit, double share)
{
	if (f->nculprits < FND_MAX_PARTIES)
		party_set(&f->culprits[f->nculprits++], s, metric, value, unit, share);
}

static struct recommendation *rec_new(struct finding *f, const char *action)
{
	struct recommendation *r;

	if (f->nrecs >= FND_MAX_RECS)
		return NULL;
	r = &f->recs[f->nrecs++];
	memset(r, 0, sizeof(*r));
	snprintf(r->action, sizeof(r->action), "%s", action);
	return r;
}

void fnd_rec_manual(struct finding *f, const char *fmt, ...)
{
	struct recommendation *r = rec_new(f, "manual");
	va_list ap;

	if (!r)
		return;
	va_start(ap, fmt);
	vsnprintf(r->text, sizeof(r->text), fmt, ap);
	va_end(ap);
}

void fnd_rec_sysctl(struct finding *f, const char *key, long from, long to, const char *why)
{
	struct recommendation *r = rec_new(f, "sysctl");

	if (!r)
		return;
	snprintf(r->key, sizeof(r->key), "%s", key);
	if (from >= 0)
		snprintf(r->from, sizeof(r->from), "%ld", from);
	snprintf(r->to, sizeof(r->to), "%ld", to);
	snprintf(r->text, sizeof(r->text), "sysctl -w %s=%ld: %s", key, to, why);
}

void fnd_rec_cgroup(struct finding *f, const char *path, const char *file, const char *value,
		    const char *why)
{
	struct recommendation *r = rec_new(f, "cgroup");

	if (!r)
		return;
	snprintf(r->path, sizeof(r->path), "%s", path);
	snprintf(r->file, sizeof(r->file), "%s", file);
	snprintf(r->to, sizeof(r->to), "%s", value);
	snprintf(r->text, sizeof(r->text), "write %s to %s of cgroup %s: %s", value, file, path, why);
}

void fnd_rec_renice(struct finding *f, uint32_t pid, int nice, const char *why)
{
	struct recommendation *r = rec_new(f, "renice");

	if (!r)
		return;
	r->pid = pid;
	snprintf(r->to, sizeof(r->to), "%d", nice);
	snprintf(r->text, sizeof(r->text), "renice -n %d -p %u: %s", nice, pid, why);
}

const char *fnd_party_name(const struct series *s, char *buf, size_t len)
{
	if (s->kind == ENT_PROC)
		snprintf(buf, len, "%s (pid %u)", s->comm[0] ? s->comm : "?", s->pid);
	else if (s->kind == ENT_CGROUP)
		snprintf(buf, len, "cgroup %s", s->entity);
	else
		snprintf(buf, len, "%s", s->entity);
	return buf;
}

const char *fnd_fmt_bytes(double b, char *buf, size_t len)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double a = fabs(b);
	int u = 0;

	while (a >= 1024 && u < 4) {
		a /= 1024;
		b /= 1024;
		u++;
	}
	snprintf(buf, len, a >= 100 || u == 0 ? "%.0f %s" : "%.1f %s", b, units[u]);
	return buf;
}

const char *fnd_fmt_count(double v, char *buf, size_t len)
{
	char digits[32];
	size_t n, i, o = 0;

	snprintf(digits, sizeof(digits), "%.0f", v);
	n = strlen(digits);
	for (i = 0; i < n && o + 2 < len; i++) {
		if (i && digits[i - 1] != '-' && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = 0;
	return buf;
}

static int by_a_desc(const void *x, const void *y)
{
	const struct proc_total *a = x, *b = y;

	if (a->a != b->a)
		return a->a > b->a ? -1 : 1;
	return a->s->pid < b->s->pid ? -1 : a->s->pid > b->s->pid;
}

void fnd_proc_total_sort(struct proc_total *p, size_t n)
{
	qsort(p, n, sizeof(*p), by_a_desc);
}

void fnd_top_procs(const struct recording *r, struct finding *f, enum fnd_role role,
		   const char *metric, const char *unit, size_t top, fnd_score_fn score,
		   const void *ctx)
{
	struct proc_total *p = calloc(r->n ? r->n : 1, sizeof(*p));
	size_t i, n = 0;

	if (!p)
		return;
	for (i = 0; i < r->n; i++) {
		const struct series *s = &r->s[i];

		if (s->kind != ENT_PROC || strcmp(s->metric, metric))
			continue;
		p[n].s = s;
		if (score(r, s, ctx, &p[n].a, &p[n].b))
			n++;
	}
	fnd_proc_total_sort(p, n);
	for (i = 0; i < n && i < top; i++) {
		if (role == FND_VICTIM)
			fnd_victim(f, p[i].s, metric, p[i].a, unit, p[i].b);
		else
			fnd_culprit(f, p[i].s, metric, p[i].a, unit, p[i].b);
	}
	free(p);
}
