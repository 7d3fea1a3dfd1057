// SPDX-License-Identifier: GPL-2.0
/*
 * CPU saturation: processes that wait for a CPU (run-queue wait) a large
 * share of the time they want one, and the processes using the CPU then.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "findings/internal.h"

/* a victim: waited at least SHARE of its runnable time and at least RATE
 * of the wall-clock time (docs/findings.md) */
#define INFO_SHARE 0.10
#define INFO_RATE 0.02
#define WARN_SHARE 0.20
#define WARN_RATE 0.05
#define CRIT_SHARE 0.50
#define CRIT_RATE 0.25
/* a culprit: on a CPU at least this share of one CPU in the window */
#define CULPRIT_CPUS 0.10

/* a process that hardly ever sleeps (voluntary switches per second below
 * this) is a CPU hog: it waits because it always wants a CPU */
#define HOG_NVCSW_RATE 1.0

struct victim {
	const struct series *runq;
	double wait_ns, oncpu_ns, share, rate;
	bool hog;
	enum severity sev;
};

/* Victims that sleep and wake (workers, servers) first, hogs after; then
 * by time waited. */
static int by_wait_desc(const void *x, const void *y)
{
	const struct victim *a = x, *b = y;

	if (a->hog != b->hog)
		return a->hog ? 1 : -1;
	if (a->wait_ns != b->wait_ns)
		return a->wait_ns > b->wait_ns ? -1 : 1;
	return a->runq->pid < b->runq->pid ? -1 : a->runq->pid > b->runq->pid;
}

static bool classify(struct victim *v, double span)
{
	double runnable = v->wait_ns + v->oncpu_ns;

	if (runnable <= 0 || span <= 0)
		return false;
	v->share = v->wait_ns / runnable;
	v->rate = v->wait_ns / 1e9 / span;
	if (v->share >= CRIT_SHARE && v->rate >= CRIT_RATE)
		v->sev = SEV_CRITICAL;
	else if (v->share >= WARN_SHARE && v->rate >= WARN_RATE)
		v->sev = SEV_WARNING;
	else if (v->share >= INFO_SHARE && v->rate >= INFO_RATE)
		v->sev = SEV_INFO;
	else
		return false;
	return true;
}

/* The window: the samples where the worst victim waited at least 5 % of an
 * interval. */
static void window(const struct recording *r, const struct series *s, double *t0, double *t1)
{
	double iv = fnd_interval(r);
	size_t i;

	*t0 = INFINITY;
	*t1 = -INFINITY;
	for (i = 0; i < s->n; i++) {
		if (s->v[i] < 0.05 * iv * 1e9)
			continue;
		if (s->t[i] < *t0)
			*t0 = s->t[i];
		*t1 = s->t[i];
	}
	if (*t0 > *t1) {
		*t0 = s->n ? s->t[0] : 0;
		*t1 = s->n ? s->t[s->n - 1] : 0;
	}
}

static size_t find_victims(const struct recording *r, struct victim **out)
{
	struct victim *v = NULL;
	size_t i, n = 0, cap = 0;

	for (i = 0; i < r->n; i++) {
		const struct series *s = &r->s[i], *on, *nv;
		struct victim c = {.runq = s};

		if (s->kind != ENT_PROC || strcmp(s->metric, "sched.runq_wait_ns"))
			continue;
		on = rec_find(r, ENT_PROC, s->entity, "cpu.oncpu_ns");
		c.wait_ns = fnd_sum(s, 0, INFINITY);
		c.oncpu_ns = on ? fnd_sum(on, 0, INFINITY) : 0;
		nv = rec_find(r, ENT_PROC, s->entity, "sched.nvcsw");
		c.hog = !nv || fnd_sum(nv, 0, INFINITY) / fnd_span(r, s) < HOG_NVCSW_RATE;
		if (!classify(&c, fnd_span(r, s)))
			continue;
		if (n == cap) {
			struct victim *nv;

			cap = cap ? cap * 2 : 16;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv)
				break;
			v = nv;
		}
		v[n++] = c;
	}
	if (n)
		qsort(v, n, sizeof(*v), by_wait_desc);
	*out = v;
	return n;
}

/* Culprits: processes on a CPU in [t0, t1], most first, other than the
 * victim (when it is no hog: a hog waits for its own kind). */
struct culprit_ctx {
	double t0, t1, span;
	const struct victim *v;
};

/* A process's time on a CPU in [t0, t1], and the CPUs it used there. */
static bool culprit_score(const struct recording *r, const struct series *s, const void *ctx,
			  double *value, double *share)
{
	const struct culprit_ctx *c = ctx;

	(void)r;
	if (!c->v->hog && s->pid == c->v->runq->pid)
		return false;
	*value = fnd_sum(s, c->t0, c->t1);
	*share = *value / 1e9 / c->span;
	return *share >= CULPRIT_CPUS;
}

static void add_culprits(const struct recording *r, struct finding *f, double t0, double t1,
			 const struct victim *v)
{
	struct culprit_ctx c = { t0, t1, t1 - t0 + fnd_interval(r), v };

	fnd_top_procs(r, f, FND_CULPRIT, "cpu.oncpu_ns", "ns", 5, culprit_score, &c);
}

/* Host CPUs in use on average, or NAN without the host series. */
static double host_busy_cpus(const struct recording *r)
{
	const struct series *s = rec_find(r, ENT_HOST, "host", "host.cpu_busy_ns");

	if (!s || !s->n)
		return NAN;
	return fnd_sum(s, 0, INFINITY) / 1e9 / fnd_span(r, s);
}

static void recommend(const struct recording *r, struct finding *f, const struct victim *v)
{
	const struct party *c = f->nculprits ? &f->culprits[0] : NULL;
	double busy = host_busy_cpus(r);
	char name[64];

	if (c && c->pid == v->runq->pid && f->nculprits > 1)
		c = &f->culprits[1];
	if (r->ncpus > 1 && isfinite(busy) && busy < 0.75 * r->ncpus)
		fnd_rec_manual(f, "the host had idle CPU (%.1f of %d CPUs busy) while %s waited: "
			       "check CPU affinity and cpusets (taskset -p PID; cpuset.cpus)",
			       busy, r->ncpus, fnd_party_name(v->runq, name, sizeof(name)));
	if (c && c->pid != v->runq->pid) {
		if (c->cgroup[0] && v->runq->cgroup[0] && strcmp(c->cgroup, v->runq->cgroup) &&
		    strcmp(v->runq->cgroup, "/"))
			fnd_rec_cgroup(f, v->runq->cgroup, "cpu.weight", "200",
				       "give the waiting cgroup twice the default CPU weight");
		else
			fnd_rec_renice(f, c->pid, 10, "lower the priority of the top CPU consumer");
	}
	fnd_rec_manual(f, "if every consumer is legitimate, the host needs more CPUs for this load");
}

static int saturation(const struct recording *r, struct findings *fs)
{
	struct victim *v = NULL;
	struct finding *f;
	char vname[160] = "", cname[160] = "";
	double t0, t1;
	size_t i, n;
	int ret = 0;

	n = find_victims(r, &v);
	if (!n)
		goto out;
	f = fnd_add(fs, "cpu_saturation", SEV_INFO, RES_CPU);
	if (!f) {
		ret = -1;
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (v[i].sev > f->severity)
			f->severity = v[i].sev;
		if (i < FND_MAX_PARTIES)
			fnd_victim(f, v[i].runq, "sched.runq_wait_ns", v[i].wait_ns, "ns", v[i].share);
	}
	window(r, v[0].runq, &t0, &t1);
	if (fnd_evidence(f, r, v[0].runq, t0, t1)) {
		ret = -1;
		goto out;
	}
	add_culprits(r, f, t0, t1, &v[0]);
	for (i = 0; i < f->nculprits && i < 3; i++) {
		size_t len = strlen(cname);

		snprintf(cname + len, sizeof(cname) - len, "%s%s (pid %u, %.2f CPUs)", i ? ", " : "",
			 f->culprits[i].comm, f->culprits[i].pid, f->culprits[i].share);
	}
	for (i = 0; i < n && i < 3; i++) {
		size_t len = strlen(vname);

		snprintf(vname + len, sizeof(vname) - len, "%s%s (pid %u) %.0f%%", i ? ", " : "",
			 v[i].runq->comm, v[i].runq->pid, v[i].share * 100);
	}
	fnd_summary(f, "%zu process%s waited for a CPU a large share of the time they were "
		    "runnable: %s%s%s%s", n, n == 1 ? "" : "es", vname, n > 3 ? ", ..." : "",
		    cname[0] ? "; the CPU went to " : "", cname);
	recommend(r, f, &v[0]);
out:
	free(v);
	return ret;
}

int analyze_cpu(const struct recording *r, const struct findings_env *env, struct findings *fs)
{
	(void)env;
	return saturation(r, fs);
}
