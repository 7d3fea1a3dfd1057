// SPDX-License-Identifier: GPL-2.0
/*
 * Process churn: short-lived processes (the groups record writes, one per
 * command, parent command and cgroup) started so often that creating them
 * costs a noticeable share of the host's CPUs. The parent that starts them
 * is the culprit.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "findings/internal.h"

#define CHURN_MIN_RATE 5.0     /* processes a second */
#define CHURN_INFO 0.05        /* share of the host's CPUs */
#define CHURN_WARNING 0.20
#define CHURN_CRITICAL 0.50
#define CHURN_TOP 3            /* findings at most, the costliest */

struct churn {
	const struct series *started;   /* group.started of the group */
	const struct series *parent;    /* the parent's cpu.oncpu_ns, or NULL */
	double n, rate, cpus, parent_cpus, life_p50_us;
};

/* The parent's on-CPU series: a process of that pid and command whose
 * series overlaps the group's. */
static const struct series *parent_of(const struct recording *r, const struct series *g)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		const struct series *s = &r->s[i];

		if (s->kind == ENT_PROC && s->pid == g->pid && s->n && !strcmp(s->comm, g->pcomm) &&
		    !strcmp(s->metric, "cpu.oncpu_ns") && s->t[0] <= g->t[g->n - 1] &&
		    s->t[s->n - 1] >= g->t[0])
			return s;
	}
	return NULL;
}

/* All that the findings read of groups (findings.h). */
const char *const findings_group_metrics[] = {
	"group.started", "cpu.oncpu_ns", "group.life_p50_us", NULL,
};

static int by_cpus(const void *a, const void *b)
{
	const struct churn *x = a, *y = b;

	return x->cpus > y->cpus ? -1 : x->cpus < y->cpus;
}

/* The median lifetime over the group's intervals, weighted by processes. */
static double life_p50(const struct recording *r, const struct series *g)
{
	const struct series *p = rec_find(r, ENT_GROUP, g->entity, "group.life_p50_us");
	double best = 0, w = 0, half = fnd_sum(g, 0, INFINITY) / 2;
	size_t i, j = 0;

	if (!p)
		return NAN;
	/* the interval where half the processes have been counted */
	for (i = 0; i < g->n && w < half; i++) {
		w += g->v[i];
		while (j < p->n && p->t[j] < g->t[i])
			j++;
		if (j < p->n && p->t[j] == g->t[i])
			best = p->v[j];
	}
	return best;
}

static int report(const struct recording *r, struct findings *fs, const struct churn *c)
{
	const struct series *g = c->started;
	char n[32], life[32] = "", who[64], own[64] = "";
	struct series parent;
	enum severity sev = SEV_INFO;
	double host = c->cpus / r->ncpus;
	struct finding *f;

	if (host >= CHURN_CRITICAL)
		sev = SEV_CRITICAL;
	else if (host >= CHURN_WARNING)
		sev = SEV_WARNING;
	f = fnd_add(fs, "process_churn", sev, RES_CPU);
	if (!f || fnd_evidence(f, r, g, 0, INFINITY))
		return -1;
	if (c->parent) {
		parent = *c->parent;
	} else {
		memset(&parent, 0, sizeof(parent));
		parent.kind = ENT_PROC;
		parent.pid = g->pid;
		parent.entity = parent.metric = parent.pcomm = "";
		parent.comm = g->pcomm;
		parent.cgroup = g->cgroup;
	}
	fnd_culprit(f, &parent, "group.started", c->n, "processes", c->cpus);
	if (isfinite(c->life_p50_us) && c->life_p50_us > 0)
		snprintf(life, sizeof(life), ", living %.1f ms typically", c->life_p50_us / 1000);
	snprintf(who, sizeof(who), "%s (pid %u)", g->pcomm[0] ? g->pcomm : "?", g->pid);
	if (c->parent_cpus >= 0.05)
		snprintf(own, sizeof(own), "; %s itself used %.2f CPUs", g->pcomm, c->parent_cpus);
	fnd_summary(f, "%s short-lived processes of %s (%.0f a second%s), started by %s, cost "
		    "%.2f CPUs (%.0f %% of the host's %d)%s", fnd_fmt_count(c->n, n, sizeof(n)), g->comm,
		    c->rate, life, who, c->cpus, host * 100, r->ncpus, own);
	fnd_rec_manual(f, "start fewer processes in %s: do the work of %s in the parent or in a "
		       "long-lived worker, hand it many items per run (xargs -n, one call for many "
		       "files), or use a shell builtin", who, g->comm);
	fnd_rec_manual(f, "if %s is retried or restarted in a loop, find out why it exits and "
		       "back off between attempts", g->comm);
	return 0;
}

int analyze_churn(const struct recording *r, const struct findings_env *env, struct findings *fs)
{
	struct churn *c = NULL;
	size_t i, n = 0, cap = 0;
	int rc = 0;

	(void)env;
	if (r->ncpus <= 0)
		return 0;
	for (i = 0; i < r->n; i++) {
		const struct series *s = &r->s[i], *cpu;
		double span, total;
		struct churn one;

		if (s->kind != ENT_GROUP || strcmp(s->metric, "group.started") || !s->n)
			continue;
		span = fnd_span(r, s);
		total = fnd_sum(s, 0, INFINITY);
		if (span <= 0 || total / span < CHURN_MIN_RATE)
			continue;
		cpu = rec_find(r, ENT_GROUP, s->entity, "cpu.oncpu_ns");
		memset(&one, 0, sizeof(one));
		one.started = s;
		one.n = total;
		one.rate = total / span;
		one.cpus = cpu ? fnd_sum(cpu, 0, INFINITY) / 1e9 / span : 0;
		if (one.cpus / r->ncpus < CHURN_INFO)
			continue;
		one.parent = parent_of(r, s);
		one.parent_cpus = one.parent ? fnd_sum(one.parent, s->t[0] - fnd_interval(r),
							s->t[s->n - 1]) / 1e9 / span : 0;
		one.life_p50_us = life_p50(r, s);
		if (n == cap) {
			struct churn *grown = realloc(c, (cap = cap ? cap * 2 : 8) * sizeof(*c));

			if (!grown) {
				free(c);
				return -1;
			}
			c = grown;
		}
		c[n++] = one;
	}
	if (n)
		qsort(c, n, sizeof(*c), by_cpus);
	for (i = 0; i < n && i < CHURN_TOP && !rc; i++)
		rc = report(r, fs, &c[i]);
	free(c);
	return rc;
}
