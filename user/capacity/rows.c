// SPDX-License-Identifier: GPL-2.0
/* Capacity: the rows of a recording, per scope and resource (capacity.h). */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analysis/robust.h"
#include "capacity/capacity.h"

const char *cap_scope_name(enum cap_scope s)
{
	return s == CAP_HOST ? "host" : s == CAP_CGROUP ? "cgroup" : "disk";
}

const char *cap_resource_name(enum cap_resource r)
{
	return r == CAP_CPU ? "cpu" : r == CAP_MEMORY ? "memory" : "disk_busy";
}

const char *cap_resource_unit(enum cap_resource r)
{
	return r == CAP_CPU ? "cores" : r == CAP_MEMORY ? "bytes" : "ratio";
}

void cap_table_free(struct cap_table *t)
{
	free(t->r);
	memset(t, 0, sizeof(*t));
}

static struct cap_row *add_row(struct cap_table *t)
{
	struct cap_row *r;

	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 16;

		r = realloc(t->r, cap * sizeof(*r));
		if (!r)
			return NULL;
		t->r = r;
		t->cap = cap;
	}
	r = &t->r[t->n++];
	memset(r, 0, sizeof(*r));
	return r;
}

/* counters: per second (per = the interval in the unit of the metric;
 * an interval that ran late, on a loaded host, holds more: its value is
 * divided by the time since the previous sample); base - v for what is
 * left (available memory into used) */
double cap_row_value(const struct cap_row *row, size_t i)
{
	const struct series *s = row->src;
	double x = s->v[i], per = row->per, gap;

	if (per > 0) {
		gap = i ? s->t[i] - s->t[i - 1] : 0;
		if (row->interval_s > 0 && gap > 0 && gap <= 3 * row->interval_s)
			per *= gap / row->interval_s;
		return x / per;
	}
	return row->base > 0 ? row->base - x : x;
}

static double interval_of(const struct recording *r, const struct series *s)
{
	if (r->interval_s > 0)
		return r->interval_s;
	if (s->n >= 2 && s->t[s->n - 1] > s->t[0])
		return (s->t[s->n - 1] - s->t[0]) / (double)(s->n - 1);
	return 1;
}

/* Fill a row from the values v[] at the series' times: used, peak, p95,
 * trend, recommendation; limit and its source are set by the caller. */
static void fill(struct cap_row *row, const struct series *s, const double *v,
		 const struct cap_opts *o)
{
	size_t i;

	row->n = s->n;
	row->since = s->t[0];
	row->until = s->t[s->n - 1];
	row->used = v[s->n - 1];
	row->peak = v[0];
	for (i = 1; i < s->n; i++)
		if (v[i] > row->peak)
			row->peak = v[i];
	row->p95 = quantile(v, s->n, 0.95);
	cap_trend(s->t, v, s->n, row->limit, &row->tr);
	if (row->resource == CAP_MEMORY)
		row->recommended = cap_recommend_memory(row->peak, &row->tr, o);
	else if (row->resource == CAP_CPU)
		row->recommended = cap_recommend_cpu(v, s->n, &row->tr, o);
	else
		row->recommended = NAN; /* a disk's limit is the device */
}

static void evidence(struct cap_row *row, const char *metric, const struct cap_opts *o)
{
	char rec[160];

	if (row->resource == CAP_DISK_BUSY)
		snprintf(rec, sizeof(rec), "none (the device is the limit)");
	else
		snprintf(rec, sizeof(rec), "%s%s plus %.0f %% headroom",
			 row->resource == CAP_CPU ? "the high percentile of demand" : "the peak",
			 o->horizon_s > 0 ? " and the trend over the horizon" : "", 100 * o->headroom);
	if (row->resource == CAP_CPU)
		snprintf(rec + strlen(rec), sizeof(rec) - strlen(rec), " (p%g)",
			 100 * o->cpu_percentile);
	snprintf(row->evidence, sizeof(row->evidence),
		 "%s over %zu samples (%.0f s); limit: %s; recommended: %s", metric, row->n,
		 row->until - row->since, row->limit_src, rec);
}

/* One row of a series turned into per-second values by scale (NULL: as is). */
static int row_of(struct cap_table *t, const struct recording *r, const struct series *s,
		  enum cap_scope scope, const char *name, enum cap_resource res, double limit,
		  const char *limit_src, const char *metric, double per, double base,
		  const struct cap_opts *o)
{
	struct cap_row *row;
	double *v;
	size_t i;

	if (!s || !s->n)
		return 0;
	v = malloc(s->n * sizeof(*v));
	if (!v)
		return -1;
	row = add_row(t);
	if (!row) {
		free(v);
		return -1;
	}
	row->src = s;
	row->per = per;
	row->base = base;
	row->interval_s = interval_of(r, s);
	for (i = 0; i < s->n; i++)
		v[i] = cap_row_value(row, i);
	row->scope = scope;
	row->name = name;
	row->resource = res;
	row->limit = limit;
	snprintf(row->limit_src, sizeof(row->limit_src), "%s", limit_src);
	fill(row, s, v, o);
	evidence(row, metric, o);
	free(v);
	return 0;
}

static const struct cap_limit *limit_of(const struct cap_limit *l, size_t n, const char *path)
{
	size_t i;

	for (i = 0; l && i < n; i++)
		if (!strcmp(l[i].path, path))
			return &l[i];
	return NULL;
}

static double last(const struct series *s)
{
	return s && s->n ? s->v[s->n - 1] : NAN;
}

/* A cgroup's CPU limit: --live's reading of the host, else the quota the
 * store recorded (cg.cpu_limit_cores: the smallest of the cgroup's and its
 * parents', 0 for none, at the end of the window), else the host's CPUs,
 * saying why. */
static double cpu_limit(const struct recording *r, const char *path, const struct cap_limit *l,
			char *src, size_t len)
{
	const struct series *q = rec_find(r, ENT_CGROUP, path, "cg.cpu_limit_cores");
	double v = last(q);

	if (l && isfinite(l->cpu_cores)) {
		snprintf(src, len, "%s", l->cpu_src);
		return l->cpu_cores;
	}
	if (isfinite(v) && v > 0) {
		snprintf(src, len, "the CPU quota recorded for it (cpu.max or cpu.cfs_quota_us / "
			 "cpu.cfs_period_us, the smallest of it and its parents)%s",
			 q->n > 1 && q->v[0] != v ? ", at the end of the window" : "");
		return v;
	}
	if (r->ncpus <= 0) {
		snprintf(src, len, "none known");
		return NAN;
	}
	if (q)
		snprintf(src, len, "no CPU quota on it or its parents: the host's %d CPUs", r->ncpus);
	else
		snprintf(src, len, "no CPU quota in the store for it (recorded by a perfpilot "
			 "that did not store quotas, or its cpu controller's files were not "
			 "readable): the host's %d CPUs", r->ncpus);
	return r->ncpus;
}

static int cgroup_rows(struct cap_table *t, const struct recording *r, const char *path,
		       const struct cap_opts *o, const struct cap_limit *l)
{
	const struct series *cpu = rec_find(r, ENT_CGROUP, path, "cpu.oncpu_ns");
	const struct series *mem = rec_find(r, ENT_CGROUP, path, "cg.memory_bytes");
	double lim = NAN, ns;
	char src[200];

	if (cpu && cpu->n) {
		ns = interval_of(r, cpu) * 1e9;
		lim = cpu_limit(r, path, l, src, sizeof(src));
		if (row_of(t, r, cpu, CAP_CGROUP, path, CAP_CPU, lim, src,
			   "cpu.oncpu_ns of the cgroup's processes", ns, 0, o))
			return -1;
	}
	if (mem && mem->n) {
		lim = last(rec_find(r, ENT_CGROUP, path, "cg.memory_limit_bytes"));
		if (l && isfinite(l->mem_bytes) && !(l->mem_bytes >= lim)) {
			lim = l->mem_bytes;
			snprintf(src, sizeof(src), "%s", l->mem_src);
		} else if (isfinite(lim)) {
			snprintf(src, sizeof(src), "the cgroup's memory limit (memory.max or "
				 "memory.limit_in_bytes)");
		} else if (r->mem_total_bytes > 0) {
			lim = r->mem_total_bytes;
			snprintf(src, sizeof(src), "no memory limit: the host's RAM");
		} else {
			snprintf(src, sizeof(src), "none known");
		}
		if (row_of(t, r, mem, CAP_CGROUP, path, CAP_MEMORY, lim, src,
			   "cg.memory_bytes (memory.current or memory.usage_in_bytes)", 0, 0, o))
			return -1;
	}
	return 0;
}

/* Whether the table has the cgroup's rows already (each cgroup once). */
static bool has_cgroup(const struct cap_table *t, const char *path)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->r[i].scope == CAP_CGROUP && !strcmp(t->r[i].name, path))
			return true;
	return false;
}

int capacity_analyze(const struct recording *r, const struct cap_opts *o,
		     const struct cap_limit *limits, size_t nlimits, struct cap_table *out)
{
	const struct series *s;
	char src[200];
	size_t i;

	memset(out, 0, sizeof(*out));
	out->since = r->start;
	out->until = r->end;
	out->horizon_s = o->horizon_s;
	s = rec_find(r, ENT_HOST, "host", "host.cpu_busy_ns");
	snprintf(src, sizeof(src), "the host's %d CPUs", r->ncpus);
	if (s && row_of(out, r, s, CAP_HOST, "host", CAP_CPU, r->ncpus > 0 ? r->ncpus : NAN, src,
			"host.cpu_busy_ns (/proc/stat)", interval_of(r, s) * 1e9, 0, o))
		goto nomem;
	s = rec_find(r, ENT_HOST, "host", "host.mem_available_bytes");
	if (s && r->mem_total_bytes > 0 &&
	    row_of(out, r, s, CAP_HOST, "host", CAP_MEMORY, r->mem_total_bytes,
		   "the host's RAM (MemTotal)", "MemTotal - host.mem_available_bytes (/proc/meminfo)",
		   0, r->mem_total_bytes, o))
		goto nomem;
	for (i = 0; i < r->n; i++) {
		s = &r->s[i];
		if (s->kind != ENT_CGROUP || has_cgroup(out, s->entity))
			continue;
		if (cgroup_rows(out, r, s->entity, o, limit_of(limits, nlimits, s->entity)))
			goto nomem;
	}
	for (i = 0; i < r->n; i++) {
		s = &r->s[i];
		if (s->kind != ENT_DEV || strcmp(s->metric, "dev.busy_ns"))
			continue;
		if (row_of(out, r, s, CAP_DISK, s->entity, CAP_DISK_BUSY, 1,
			   "the device busy all the time (1.0)", "dev.busy_ns (io_ticks, /proc/diskstats)",
			   interval_of(r, s) * 1e9, 0, o))
			goto nomem;
	}
	return 0;
nomem:
	cap_table_free(out);
	return -1;
}
