// SPDX-License-Identifier: GPL-2.0
/*
 * Pressure stall information (PSI) of the host and of cgroups: the share
 * of time some (or all) tasks waited for CPU, memory or IO. Victims are the
 * processes of the scope that waited most, culprits those that used most.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "findings/internal.h"

#define SOME_INFO 0.10
#define SOME_WARN 0.25
#define SOME_CRIT 0.50
#define FULL_WARN 0.05
#define FULL_CRIT 0.20

struct psi_kind {
	const char *res, *kind;
	enum resource resource;
	const char *wait_metric, *use_metric;
	bool use_max;  /* culprits by the largest gauge value, not the sum */
	const char *advice;
};

static const struct psi_kind kinds[] = {
	{"cpu", "cpu_pressure", RES_CPU, "sched.runq_wait_ns", "cpu.oncpu_ns", false,
	 "more CPU for the victims: lower the culprits' cpu.weight or cap them with cpu.max"},
	{"memory", "memory_pressure", RES_MEMORY, "mem.reclaim_stall_ns", "mem.rss_bytes", true,
	 "reduce the largest resident sets or add RAM; memory.high on the culprits' cgroups "
	 "keeps their reclaim to themselves"},
	{"io", "io_pressure", RES_IO, "io.lat_p99_us", "io.write_bytes", false,
	 "lower the IO weight of the heaviest writers (io.weight) or move them to another disk"},
};

static bool in_scope(const struct series *p, const struct series *scope)
{
	size_t n;

	if (scope->kind == ENT_HOST)
		return true;
	n = strlen(scope->entity);
	return !strncmp(p->cgroup, scope->entity, n) &&
	       (p->cgroup[n] == 0 || p->cgroup[n] == '/' || !strcmp(scope->entity, "/"));
}

struct party_ctx {
	const struct series *scope;
	bool use_max;
};

/* A process in the scope: its largest value or its sum, when above 0. */
static bool party_score(const struct recording *r, const struct series *s, const void *ctx,
			double *value, double *share)
{
	const struct party_ctx *c = ctx;

	(void)r;
	if (!in_scope(s, c->scope))
		return false;
	*value = c->use_max ? fnd_max(s) : fnd_sum(s, 0, INFINITY);
	*share = NAN;
	return *value > 0;
}

static void parties(const struct recording *r, struct finding *f, const struct series *scope,
		    const char *metric, bool use_max, bool victims)
{
	struct party_ctx c = { scope, use_max };

	fnd_top_procs(r, f, victims ? FND_VICTIM : FND_CULPRIT, metric, fnd_metric_unit(metric),
		      5, party_score, &c);
}

static int one(const struct recording *r, const struct series *some, const struct psi_kind *k,
	       struct findings *fs)
{
	char metric[48], scope[300];
	const struct series *full;
	double span = fnd_span(r, some), s_share, f_share = 0;
	enum severity sev;
	struct finding *f;

	snprintf(metric, sizeof(metric), "psi.%s.full_us", k->res);
	full = rec_find(r, some->kind, some->entity, metric);
	s_share = fnd_sum(some, 0, INFINITY) / 1e6 / span;
	if (full)
		f_share = fnd_sum(full, 0, INFINITY) / 1e6 / span;
	if (s_share < SOME_INFO && f_share < FULL_WARN)
		return 0;
	sev = SEV_INFO;
	if (s_share >= SOME_CRIT || f_share >= FULL_CRIT)
		sev = SEV_CRITICAL;
	else if (s_share >= SOME_WARN || f_share >= FULL_WARN)
		sev = SEV_WARNING;
	/* host pressure in a recording of some processes: who caused it is
	 * not in the recording */
	bool partial = some->kind == ENT_HOST && !fnd_whole_host(r);

	if (partial)
		sev = SEV_INFO;
	f = fnd_add(fs, k->kind, sev, k->resource);
	if (!f || fnd_evidence(f, r, some, 0, INFINITY))
		return -1;
	parties(r, f, some, k->wait_metric, false, true);
	parties(r, f, some, k->use_metric, k->use_max, false);
	if (some->kind == ENT_HOST)
		snprintf(scope, sizeof(scope), "on the host");
	else
		snprintf(scope, sizeof(scope), "in cgroup %s", some->entity);
	fnd_summary(f, "some tasks %s waited for %s %.0f%% of the time%s (pressure stall "
		    "information)%s", scope, k->res, s_share * 100,
		    f_share >= FULL_WARN ? ", and all of them at once part of it" : "",
		    partial ? "; the recording watched only part of the host, so the "
			      "culprits may be outside it" : "");
	fnd_rec_manual(f, "%s", k->advice);
	return 0;
}

int analyze_pressure(const struct recording *r, const struct findings_env *env,
		     struct findings *fs)
{
	size_t i, k;

	(void)env;
	for (i = 0; i < r->n; i++) {
		const struct series *s = &r->s[i];
		char metric[48];

		/* the root cgroup's pressure is the host's */
		if (s->kind != ENT_HOST && (s->kind != ENT_CGROUP || !strcmp(s->entity, "/")))
			continue;
		for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
			snprintf(metric, sizeof(metric), "psi.%s.some_us", kinds[k].res);
			if (!strcmp(s->metric, metric) && one(r, s, &kinds[k], fs))
				return -1;
		}
	}
	return 0;
}
