// SPDX-License-Identifier: GPL-2.0
/*
 * The CPU weight tuner (noisy neighbour).
 *
 * Rule: the victim cgroup (-c) waits in the run queue while another cgroup
 * uses the CPU → raise the victim's weight one step (cpu.weight on v2,
 * cpu.shares on v1), so that the scheduler gives it a larger share against
 * its siblings. It raises the victim's weight rather than lowering the
 * culprit's: the weights are tunables its tuner raises (tunable.c), and the
 * victim is the cgroup the operator named.
 *
 *  - Waiting: over the interval, the run-queue wait of the victim's threads
 *    (the processes of its cgroup.procs, each thread's
 *    /proc/PID/task/TID/schedstat) is ≥ 20 % of their runnable time (run +
 *    wait), and that runnable time is ≥ 0.05 CPU (an idle victim has
 *    nothing to gain). A thread of a cgroup throttled by its CPU quota
 *    waits too: the victim's throttled time (cpu.stat) is taken off its
 *    wait, so a quota-bound cgroup is left to the cpu_quota tuner.
 *  - Another cgroup uses the CPU: the busiest sibling of the victim (usage
 *    from procstat_cgroup_usage: v2 cpu.stat usage_usec or v1 cpuacct.usage,
 *    also in the cpuacct hierarchy's group) uses ≥ 0.5 CPU; when
 *    no sibling has such a file, the host's busy CPU (/proc/stat) minus the
 *    victim's own run time is ≥ 0.5 CPU ("other tasks on the host").
 *  - The step: the tunable's configured step (default x2) within its bounds
 *    (default cpu.weight 25 – 1000, cpu.shares 256 – 10240).
 *  - Metric verified: the victim's run-queue wait share (lower is better).
 *
 * Without -c there is no victim: init returns 1 (nothing to do).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tune/nextval.h"
#include "tune/procstat.h"

#define WEIGHT_WAIT_SHARE 0.20   /* of the victim's runnable time */
#define WEIGHT_MIN_RUNNABLE 0.05 /* CPUs the victim wants (run + wait) */
#define WEIGHT_OTHER_CPUS 0.5    /* CPUs another cgroup uses */
#define WEIGHT_SIBLINGS 64

struct sibling {
	char name[256];
	int64_t usage_ns; /* cumulative */
	bool seen;        /* in the latest reading */
};

struct weight_state {
	const char *file; /* "cpu.weight" or "cpu.shares" */
	char parent[PATH_MAX];
	struct procstat_threads prev, cur;
	struct procstat_cpu cpu_prev;
	struct sibling sib[WEIGHT_SIBLINGS];
	size_t nsib;
	bool have_prev, have_rates, sib_usage;
	int64_t throttled_ns;   /* the victim's, cumulative; -1 without a quota */
	/* the latest interval */
	double wait_share, runnable, victim_cpu;
	double other_cpu;       /* the culprit's CPUs */
	char culprit[PATH_MAX]; /* its cgroup, or "other tasks on the host" */
};

static int weight_init(struct tuner *t, const struct tune_ctx *c, char *err, size_t errlen)
{
	struct weight_state *s;
	char *slash;

	t->state = NULL;
	if (!c->cg_cpu[0])
		return 1; /* no victim: nothing to do */
	s = calloc(1, sizeof(*s));
	if (!s)
		return snprintf(err, errlen, "out of memory"), -1;
	t->state = s;
	s->file = hostfs_cgroup_has(c->h, c->cg_cpu, "cpu.weight") ? "cpu.weight" : "cpu.shares";
	snprintf(s->parent, sizeof(s->parent), "%s", c->cg_cpu);
	slash = strrchr(s->parent, '/');
	if (slash && slash != s->parent)
		*slash = 0;
	else
		s->parent[0] = 0;
	return 0;
}

/* A sibling's cumulative CPU time in ns, -1 if it has no usage file. */
static int64_t sibling_usage(const struct hostfs *h, const char *cg)
{
	char e[256];
	int64_t v;

	return procstat_cgroup_usage(h, cg, &v, e, sizeof(e)) ? -1 : v;
}

static struct sibling *sibling_find(struct weight_state *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nsib; i++)
		if (!strcmp(s->sib[i].name, name))
			return &s->sib[i];
	if (s->nsib == WEIGHT_SIBLINGS)
		return NULL;
	memset(&s->sib[s->nsib], 0, sizeof(s->sib[0]));
	snprintf(s->sib[s->nsib].name, sizeof(s->sib[0].name), "%s", name);
	s->sib[s->nsib].usage_ns = -1;
	return &s->sib[s->nsib++];
}

/* The busiest sibling of the victim over the interval (its CPUs), or -1. */
static double busiest_sibling(struct weight_state *s, const struct tune_ctx *c, bool rates)
{
	char dir[PATH_MAX], cg[PATH_MAX];
	struct sibling *sb;
	struct dirent *d;
	double best = -1, cpus;
	int64_t u;
	DIR *dp;

	if (!s->parent[0] || snprintf(dir, sizeof(dir), "%s%s", c->h->root, s->parent) >=
					     (int)sizeof(dir))
		return -1;
	dp = opendir(dir);
	if (!dp)
		return -1;
	while ((d = readdir(dp))) {
		if ((d->d_type != DT_DIR && d->d_type != DT_UNKNOWN) || d->d_name[0] == '.' ||
		    snprintf(cg, sizeof(cg), "%s/%s", s->parent, d->d_name) >= (int)sizeof(cg) ||
		    !strcmp(cg, c->cg_cpu))
			continue;
		u = sibling_usage(c->h, cg);
		sb = u >= 0 ? sibling_find(s, d->d_name) : NULL;
		if (!sb)
			continue;
		s->sib_usage = true;
		cpus = rates && sb->usage_ns >= 0 ? nextval_rate(sb->usage_ns, u, c->dt) / 1e9 : -1;
		if (cpus > best) {
			best = cpus;
			snprintf(s->culprit, sizeof(s->culprit), "%s", cg);
		}
		sb->usage_ns = u;
	}
	closedir(dp);
	return best;
}

static int weight_observe(struct tuner *t, const struct tune_ctx *c, char *err, size_t errlen)
{
	struct weight_state *s = t->state;
	struct hostfs_cpu_throttle th;
	struct procstat_threads tmp;
	struct procstat_cpu cpu;
	uint64_t run, wait, thr;
	double busy;
	char e[256];

	if (!s)
		return 0;
	if (procstat_cgroup_threads(c->h, c->cg_cpu, &s->cur, e, sizeof(e)) ||
	    procstat_cpu_read(c->h, &cpu, e, sizeof(e)))
		return snprintf(err, errlen, "%s", e), -1;
	if (hostfs_cpu_throttle_get(c->h, c->cg_cpu, &th, e, sizeof(e)))
		th.throttled_ns = -1;
	s->have_rates = s->have_prev && c->dt > 0;
	s->sib_usage = false;
	s->other_cpu = busiest_sibling(s, c, s->have_rates);
	if (s->have_rates) {
		procstat_threads_delta(&s->prev, &s->cur, &run, &wait);
		thr = th.throttled_ns >= s->throttled_ns && s->throttled_ns >= 0 ?
			(uint64_t)(th.throttled_ns - s->throttled_ns) : 0;
		wait = wait > thr ? wait - thr : 0;
		s->runnable = (double)(run + wait) / 1e9 / c->dt;
		s->victim_cpu = (double)run / 1e9 / c->dt;
		s->wait_share = run + wait ? (double)wait / (double)(run + wait) : 0;
		busy = procstat_cpu_busy(&s->cpu_prev, &cpu);
		if (!s->sib_usage) {
			s->other_cpu = busy >= 0 ? busy - s->victim_cpu : -1;
			snprintf(s->culprit, sizeof(s->culprit), "other tasks on the host");
		}
	}
	s->throttled_ns = th.throttled_ns;
	tmp = s->prev;
	s->prev = s->cur;
	s->cur = tmp;
	s->cpu_prev = cpu;
	s->have_prev = true;
	return 0;
}

static size_t weight_propose(struct tuner *t, const struct tune_ctx *c, struct proposal *out,
			     size_t max)
{
	struct weight_state *s = t->state;
	struct nextval_req rq;
	char why[256];

	if (!s || !max || !s->have_rates || s->wait_share < WEIGHT_WAIT_SHARE ||
	    s->runnable < WEIGHT_MIN_RUNNABLE || s->other_cpu < WEIGHT_OTHER_CPUS)
		return 0;
	rq = nextval_req_cgroup(c->cg_cpu, s->file, +1);
	if (nextval_propose(c, &rq, out, why, sizeof(why)) != NEXTVAL_MOVE)
		return 0;
	out->finding = "runqueue_latency";
	out->priority = 2;
	nextval_say(out->evidence, sizeof(out->evidence),
		 "its threads waited %.0f%% of their runnable time in the run queue (%.2f CPU "
		 "wanted, %.2f got) while %s used %.2f CPU", s->wait_share * 100, s->runnable,
		 s->victim_cpu, s->culprit, s->other_cpu);
	nextval_say(out->effect, sizeof(out->effect),
		 "%s %s -> %s: a larger CPU share against its siblings, less run-queue wait "
		 "(schedstat)", s->file, out->current, out->proposed);
	snprintf(out->metric, sizeof(out->metric), "runqueue_wait_share");
	out->metric_value = s->wait_share;
	out->lower_is_better = true;
	return 1;
}

static double weight_measure(struct tuner *t, const struct tune_ctx *c, const struct proposal *p)
{
	struct weight_state *s = t->state;

	(void)c;
	(void)p;
	return s && s->have_rates && s->runnable > 0 ? s->wait_share : NAN;
}

static void weight_fini(struct tuner *t)
{
	struct weight_state *s = t->state;

	if (s) {
		procstat_threads_free(&s->prev);
		procstat_threads_free(&s->cur);
	}
	free(s);
	t->state = NULL;
}

void tuner_cpu_weight(struct tuner *t)
{
	memset(t, 0, sizeof(*t));
	t->id = TUNER_CPU_WEIGHT;
	t->init = weight_init;
	t->observe = weight_observe;
	t->propose = weight_propose;
	t->measure = weight_measure;
	t->ready = nextval_ready;
	t->fini = weight_fini;
}
