// SPDX-License-Identifier: GPL-2.0
/*
 * Memory: resident sets and cgroups that grow steadily (with a forecast to
 * their limit), reclaim stalls, OOM kills.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analysis/forecast.h"
#include "analysis/robust.h"
#include "analysis/trend.h"
#include "findings/internal.h"

#define GROWTH_ALPHA 0.01
#define GROWTH_MIN_BYTES (1 * MIB)
#define GROWTH_MIN_REL 0.05
#define GROWTH_MIN_SAMPLES 8
/* forecasts further out than this many times the observed span are less
 * certain: the severity drops one level */
#define HORIZON_FACTOR 360
#define STALL_INFO 0.01
#define STALL_WARN 0.05
#define STALL_CRIT 0.20

/* The last value of a gauge, or NAN. */
static double last(const struct series *s)
{
	return s && s->n ? s->v[s->n - 1] : NAN;
}

/* The memory limit of a cgroup path, or NAN when it has none recorded. */
static double cg_limit(const struct recording *r, const char *path)
{
	double v;

	if (!path || !path[0])
		return NAN;
	v = last(rec_find(r, ENT_CGROUP, path, "cg.memory_limit_bytes"));
	return isfinite(v) && v > 0 && v < 1e18 ? v : NAN;
}

/* Steady growth: a significant positive trend, large enough, still going
 * on in the second half. */
static bool growing(const struct series *s, struct trend *tr)
{
	struct trend late;
	size_t h = s->n / 2;
	double growth, med;

	if (s->n < GROWTH_MIN_SAMPLES || trend_fit(s->t, s->v, s->n, GROWTH_ALPHA, tr))
		return false;
	if (!tr->significant || !(tr->slope > 0))
		return false;
	growth = tr->slope * (s->t[s->n - 1] - s->t[0]);
	med = median(s->v, s->n);
	if (growth < GROWTH_MIN_BYTES || growth < GROWTH_MIN_REL * med)
		return false;
	if (trend_fit(s->t + h, s->v + h, s->n - h, GROWTH_ALPHA, &late))
		return false;
	return late.slope >= 0.5 * tr->slope;
}

static enum severity growth_severity(const struct finding *f, double span)
{
	enum severity sev = SEV_INFO;
	double eta = f->fc.eta;

	if (!f->has_forecast)
		return SEV_INFO;
	if (eta < 3600)
		sev = SEV_CRITICAL;
	else if (eta < 86400)
		sev = SEV_WARNING;
	if (sev > SEV_INFO && eta > HORIZON_FACTOR * span)
		sev--;
	return sev;
}

static void growth_summary(struct finding *f, const struct series *s, const struct trend *tr)
{
	char name[300], rate[32], from[32], to[32], eta[32], lo[32], hi[32], lim[32];
	char fc[160] = "";

	fnd_party_name(s, name, sizeof(name));
	fnd_fmt_bytes(tr->slope, rate, sizeof(rate));
	fnd_fmt_bytes(s->v[0], from, sizeof(from));
	fnd_fmt_bytes(s->v[s->n - 1], to, sizeof(to));
	if (f->has_forecast)
		snprintf(fc, sizeof(fc), "; at this rate it reaches %s (%s) in %s (%s to %s)",
			 f->fc_limit_name, fnd_fmt_bytes(f->fc_limit, lim, sizeof(lim)),
			 forecast_fmt_duration(f->fc.eta, eta, sizeof(eta)),
			 forecast_fmt_duration(f->fc.eta_lo, lo, sizeof(lo)),
			 forecast_fmt_duration(f->fc.eta_hi, hi, sizeof(hi)));
	fnd_summary(f, "%s %s grows %s/s (%s to %s in %.0f s)%s",
		    s->kind == ENT_PROC ? "the resident memory of" : "the memory of", name, rate,
		    from, to, s->t[s->n - 1] - s->t[0], fc);
}

static int growth_one(const struct recording *r, const struct series *s, struct findings *fs)
{
	const char *cg = s->kind == ENT_PROC ? s->cgroup : s->entity;
	double limit = cg_limit(r, cg), span = fnd_span(r, s);
	struct finding *f;
	struct trend tr;
	char v[32];

	if (!growing(s, &tr))
		return 0;
	f = fnd_add(fs, "memory_growth", SEV_INFO, RES_MEMORY);
	if (!f)
		return -1;
	if (isfinite(limit)) {
		f->fc_limit = limit;
		snprintf(f->fc_limit_name, sizeof(f->fc_limit_name), "its cgroup's memory.max");
	}
	if (r->mem_total_bytes > 0 && (!isfinite(limit) || r->mem_total_bytes < limit)) {
		f->fc_limit = r->mem_total_bytes;
		snprintf(f->fc_limit_name, sizeof(f->fc_limit_name), "the host's RAM");
	}
	if (f->fc_limit > 0 && !forecast_to_limit(s->t, s->v, s->n, f->fc_limit, &f->fc))
		f->has_forecast = f->fc.ok;
	if (fnd_evidence(f, r, s, 0, INFINITY))
		return -1;
	if (s->kind == ENT_PROC)
		fnd_victim(f, s, s->metric, s->v[s->n - 1], "bytes", NAN);
	fnd_culprit(f, s, s->metric, tr.slope, "bytes/s", NAN);
	f->severity = growth_severity(f, span);
	growth_summary(f, s, &tr);
	if (s->kind == ENT_PROC)
		fnd_rec_manual(f, "look for a leak in %s (pid %u): a heap profile, or compare "
			       "/proc/%u/smaps over time", s->comm, s->pid, s->pid);
	if (cg && cg[0] && strcmp(cg, "/")) {
		/* a guard: throttle and reclaim well before the host runs out */
		snprintf(v, sizeof(v), "%.0f", ceil(s->v[s->n - 1] * 2 / MIB) * MIB);
		fnd_rec_cgroup(f, cg, "memory.high", v,
			       "cap the growth at twice the present size so that it reclaims "
			       "(and slows) there instead of pressing the whole host");
	}
	return 0;
}

static int growth(const struct recording *r, struct findings *fs)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		const struct series *s = &r->s[i];

		if ((s->kind == ENT_PROC && !strcmp(s->metric, "mem.rss_bytes")) ||
		    (s->kind == ENT_CGROUP && !strcmp(s->metric, "cg.memory_bytes")))
			if (growth_one(r, s, fs))
				return -1;
	}
	return 0;
}

/* A process's largest resident set, and its share of the host's RAM. */
static bool rss_score(const struct recording *r, const struct series *s, const void *ctx,
		      double *value, double *share)
{
	(void)ctx;
	if (!s->n)
		return false;
	*value = fnd_max(s);
	*share = r->mem_total_bytes > 0 ? *value / r->mem_total_bytes : NAN;
	return true;
}

/* Top resident sets, as culprits of memory pressure. */
static void rss_culprits(const struct recording *r, struct finding *f)
{
	fnd_top_procs(r, f, FND_CULPRIT, "mem.rss_bytes", "bytes", 3, rss_score, NULL);
}

static int stalls(const struct recording *r, struct findings *fs)
{
	struct proc_total *p = calloc(r->n ? r->n : 1, sizeof(*p));
	struct finding *f = NULL;
	enum severity sev = SEV_INFO;
	size_t i, n = 0;
	char name[64];

	if (!p)
		return -1;
	for (i = 0; i < r->n; i++) {
		const struct series *s = &r->s[i];
		double rate;

		if (s->kind != ENT_PROC || strcmp(s->metric, "mem.reclaim_stall_ns") || !s->n)
			continue;
		p[n].s = s;
		p[n].a = fnd_sum(s, 0, INFINITY);
		rate = p[n].a / 1e9 / fnd_span(r, s);
		if (rate < STALL_INFO)
			continue;
		if (rate >= STALL_CRIT)
			sev = SEV_CRITICAL;
		else if (rate >= STALL_WARN && sev < SEV_WARNING)
			sev = SEV_WARNING;
		p[n++].b = rate;
	}
	if (!n)
		goto out;
	fnd_proc_total_sort(p, n);
	f = fnd_add(fs, "reclaim_stalls", sev, RES_MEMORY);
	if (!f || fnd_evidence(f, r, p[0].s, 0, INFINITY)) {
		free(p);
		return -1;
	}
	for (i = 0; i < n; i++)
		fnd_victim(f, p[i].s, "mem.reclaim_stall_ns", p[i].a, "ns", p[i].b);
	rss_culprits(r, f);
	fnd_summary(f, "%s stalled in memory reclaim %.1f%% of the time (%.2f s)%s",
		    fnd_party_name(p[0].s, name, sizeof(name)), p[0].b * 100, p[0].a / 1e9,
		    n > 1 ? ", and others too" : "");
	fnd_rec_manual(f, "free memory for the victims: limit the largest consumers "
		       "(memory.high of their cgroups) or add RAM");
out:
	free(p);
	return 0;
}

static int ooms(const struct recording *r, struct findings *fs)
{
	size_t i;
	char name[300];

	for (i = 0; i < r->n; i++) {
		const struct series *s = &r->s[i];
		struct finding *f;
		double k;

		if ((s->kind != ENT_PROC && s->kind != ENT_CGROUP) ||
		    strcmp(s->metric, "mem.oom_kills"))
			continue;
		k = fnd_sum(s, 0, INFINITY);
		if (k < 1)
			continue;
		f = fnd_add(fs, "oom_kill", SEV_CRITICAL, RES_MEMORY);
		if (!f || fnd_evidence(f, r, s, 0, INFINITY))
			return -1;
		fnd_victim(f, s, s->metric, k, "kills", NAN);
		rss_culprits(r, f);
		fnd_summary(f, "the OOM killer killed %.0f time%s in %s", k, k == 1 ? "" : "s",
			    fnd_party_name(s, name, sizeof(name)));
		fnd_rec_manual(f, "see the kernel log (dmesg | grep -i oom) for what was killed "
			       "and why; raise the limit or reduce the largest consumers");
	}
	return 0;
}

int analyze_memory(const struct recording *r, const struct findings_env *env,
		   struct findings *fs)
{
	(void)env;
	if (growth(r, fs) || stalls(r, fs) || ooms(r, fs))
		return -1;
	return 0;
}
