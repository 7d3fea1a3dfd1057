// SPDX-License-Identifier: GPL-2.0
/*
 * A filling run queue: the host's runnable tasks rising steadily, with a
 * forecast of when they outnumber the CPUs (every CPU busy and tasks
 * waiting), or twice the CPUs when they already do.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analysis/forecast.h"
#include "analysis/trend.h"
#include "findings/internal.h"

#define RISE_ALPHA 0.01
#define RISE_MIN_SAMPLES 8
#define RISE_MIN_TASKS 1.0     /* over the span */
#define CULPRIT_CPUS 0.10

static bool rising(const struct series *s, struct trend *tr)
{
	struct trend late;
	size_t h = s->n / 2;

	if (s->n < RISE_MIN_SAMPLES || trend_fit(s->t, s->v, s->n, RISE_ALPHA, tr))
		return false;
	if (!tr->significant || !(tr->slope > 0) ||
	    tr->slope * (s->t[s->n - 1] - s->t[0]) < RISE_MIN_TASKS)
		return false;
	if (trend_fit(s->t + h, s->v + h, s->n - h, RISE_ALPHA, &late))
		return false;
	return late.slope >= 0.5 * tr->slope;
}

/* A process's time on a CPU, and the CPUs it used on average. */
static bool cpu_score(const struct recording *r, const struct series *s, const void *ctx,
		      double *value, double *share)
{
	(void)ctx;
	if (!s->n)
		return false;
	*value = fnd_sum(s, 0, INFINITY);
	*share = *value / 1e9 / fnd_span(r, s);
	return *share >= CULPRIT_CPUS;
}

/* The processes on a CPU most, as culprits. */
static void consumers(const struct recording *r, struct finding *f)
{
	fnd_top_procs(r, f, FND_CULPRIT, "cpu.oncpu_ns", "ns", 5, cpu_score, NULL);
}

int analyze_runq(const struct recording *r, const struct findings_env *env, struct findings *fs)
{
	const struct series *s = rec_find(r, ENT_HOST, "host", "host.runnable");
	char eta[32], fc[96] = "";
	struct finding *f;
	struct trend tr;
	double now;

	(void)env;
	if (!s || r->ncpus <= 0 || !rising(s, &tr))
		return 0;
	f = fnd_add(fs, "runqueue_growth", SEV_INFO, RES_CPU);
	if (!f || fnd_evidence(f, r, s, 0, INFINITY))
		return -1;
	now = tr.intercept + tr.slope * s->t[s->n - 1];
	f->fc_limit = now < r->ncpus ? r->ncpus : 2.0 * r->ncpus;
	snprintf(f->fc_limit_name, sizeof(f->fc_limit_name), "%s",
		 now < r->ncpus ? "one runnable task per CPU" : "two runnable tasks per CPU");
	if (!forecast_to_limit(s->t, s->v, s->n, f->fc_limit, &f->fc))
		f->has_forecast = f->fc.ok;
	if (f->has_forecast && f->fc.eta < 3600 && fnd_whole_host(r))
		f->severity = SEV_WARNING;
	consumers(r, f);
	if (f->has_forecast)
		snprintf(fc, sizeof(fc), "; %s in %s", f->fc_limit_name,
			 forecast_fmt_duration(f->fc.eta, eta, sizeof(eta)));
	fnd_summary(f, "the run queue fills: %.1f more runnable tasks a minute (%.0f to %.0f on "
		    "%d CPUs in %.0f s)%s", tr.slope * 60, s->v[0], s->v[s->n - 1], r->ncpus,
		    s->t[s->n - 1] - s->t[0], fc);
	fnd_rec_manual(f, "look for work piling up: more threads or processes started over "
		       "time (a retry storm, a backlog); the culprits use the CPU most");
	return 0;
}
