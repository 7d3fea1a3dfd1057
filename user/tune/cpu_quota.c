// SPDX-License-Identifier: GPL-2.0
/*
 * The CPU quota tuner.
 *
 * Rule: a cgroup is throttled by its CPU quota while the host has idle CPU
 * → raise its quota one step.
 *
 *  - Targets: the cgroup of -c; without -c, each cgroup directory of the
 *    config's `cgroup =` lines that has a quota (none: it proposes nothing).
 *  - Throttled: over the interval, nr_throttled / nr_periods of its cpu.stat
 *    ≥ 20 % (v2 cpu.max and cpu.stat's throttled_usec, v1 cpu.cfs_quota_us,
 *    cpu.cfs_period_us and cpu.stat's throttled_time in ns; hostfs reads
 *    both). An unlimited quota is never throttled and never proposed.
 *  - Idle CPU: idle + iowait of /proc/stat over the interval ≥ 0.5 CPU.
 *  - The step: the tunable's configured step (default x1.5) within its
 *    bounds, capped at all CPUs for the whole period (ncpus × period) and at
 *    the quota plus what was idle (quota + idle CPUs × period): it never
 *    hands out more CPU than the host had spare.
 *  - Metric verified: the cgroup's throttled time per second (s/s, lower is
 *    better). Throttled periods per second stay at 1/period until the quota
 *    covers the whole demand, so a single step that helps (less time
 *    throttled) would look useless by that count; the evidence shows both.
 *
 * A cgroup that vanishes makes observe fail with one line. init returns 1
 * (nothing to do) when there is no target.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tune/nextval.h"
#include "tune/procstat.h"
#include "tune/step.h"

#define QUOTA_THROTTLED_SHARE 0.20 /* of the periods in the interval */
#define QUOTA_IDLE_CPUS 0.5        /* idle CPUs on the host */
#define QUOTA_TARGETS 16

struct quota_target {
	char cgroup[PATH_MAX];
	bool have_prev, have_rates;
	struct hostfs_cpu_throttle prev;
	struct hostfs_cpu_quota quota;
	double share;      /* throttled periods / periods */
	double per_s;      /* throttled periods per second */
	double secs_per_s; /* throttled time per second */
};

struct quota_state {
	struct quota_target t[QUOTA_TARGETS];
	size_t n;
	struct procstat_cpu cpu_prev;
	bool have_cpu;
	double idle; /* idle CPUs over the latest interval, -1 unknown */
};

static int quota_init(struct tuner *t, const struct tune_ctx *c, char *err, size_t errlen)
{
	struct quota_state *s = calloc(1, sizeof(*s));
	struct hostfs_cpu_quota q;
	char e[256];
	size_t i;

	if (!s)
		return snprintf(err, errlen, "out of memory"), -1;
	s->idle = -1;
	t->state = s;
	if (c->cg_cpu[0]) {
		snprintf(s->t[s->n++].cgroup, PATH_MAX, "%s", c->cg_cpu);
		return 0;
	}
	for (i = 0; i < c->cfg->ncgroups && s->n < QUOTA_TARGETS; i++)
		if (!hostfs_cpu_quota_get(c->h, c->cfg->cgroups[i], &q, e, sizeof(e)))
			snprintf(s->t[s->n++].cgroup, PATH_MAX, "%s", c->cfg->cgroups[i]);
	if (!s->n) {
		free(s);
		t->state = NULL;
		return 1; /* no cgroup to look at */
	}
	return 0;
}

static int quota_observe(struct tuner *t, const struct tune_ctx *c, char *err, size_t errlen)
{
	struct quota_state *s = t->state;
	struct hostfs_cpu_throttle th;
	struct procstat_cpu cpu;
	struct quota_target *q;
	char e[256];
	size_t i;

	if (procstat_cpu_read(c->h, &cpu, e, sizeof(e)))
		return snprintf(err, errlen, "%s", e), -1;
	s->idle = s->have_cpu ? procstat_cpu_idle(&s->cpu_prev, &cpu) : -1;
	s->cpu_prev = cpu;
	s->have_cpu = true;
	for (i = 0; i < s->n; i++) {
		q = &s->t[i];
		if (hostfs_cpu_quota_get(c->h, q->cgroup, &q->quota, e, sizeof(e)) ||
		    hostfs_cpu_throttle_get(c->h, q->cgroup, &th, e, sizeof(e)))
			return snprintf(err, errlen, "%s", e), -1;
		q->have_rates = q->have_prev && c->dt > 0 && th.periods >= q->prev.periods;
		if (q->have_rates) {
			int64_t dp = th.periods - q->prev.periods;

			q->per_s = nextval_rate(q->prev.throttled_periods, th.throttled_periods, c->dt);
			q->secs_per_s = nextval_rate(q->prev.throttled_ns, th.throttled_ns, c->dt) / 1e9;
			q->share = dp > 0 ? q->per_s * c->dt / (double)dp : 0;
		}
		q->prev = th;
		q->have_prev = true;
	}
	return 0;
}

static size_t quota_propose(struct tuner *t, const struct tune_ctx *c, struct proposal *out,
			    size_t max)
{
	struct quota_state *s = t->state;
	struct nextval_req rq;
	struct quota_target *q;
	struct proposal *p;
	char why[256];
	double period, from, to;
	size_t i, n = 0;

	for (i = 0; i < s->n && n < max; i++) {
		q = &s->t[i];
		if (!q->have_rates || q->quota.unlimited || q->share < QUOTA_THROTTLED_SHARE ||
		    s->idle < QUOTA_IDLE_CPUS || q->quota.period_us <= 0)
			continue;
		period = (double)q->quota.period_us;
		rq = nextval_req_cgroup(q->cgroup, q->quota.version == HOSTFS_CG_V2 ?
					"cpu.max" : "cpu.cfs_quota_us", +1);
		rq.cap = step_cap_cpu_quota(c->ncpus > 0 ? c->ncpus : s->cpu_prev.ncpus,
					    q->quota.period_us);
		if ((double)q->quota.quota_us + s->idle * period < (double)rq.cap)
			rq.cap = q->quota.quota_us + (int64_t)(s->idle * period);
		p = &out[n];
		if (nextval_propose(c, &rq, p, why, sizeof(why)) != NEXTVAL_MOVE)
			continue;
		from = q->quota.quota_us / period;
		to = strtod(p->proposed, NULL) / period;
		p->finding = "cpu_throttled";
		p->priority = 2;
		nextval_say(p->evidence, sizeof(p->evidence),
			 "throttled in %.0f%% of its periods (%.1f/s, %.2f s/s throttled) with "
			 "%.2f CPUs idle on the host; its quota is %.2f CPU",
			 q->share * 100, q->per_s, q->secs_per_s, s->idle, from);
		nextval_say(p->effect, sizeof(p->effect),
			 "quota %.2f -> %.2f CPU: less time throttled (cpu.stat), fewer throttled "
			 "periods once the quota covers the demand", from, to);
		snprintf(p->metric, sizeof(p->metric), "cpu.throttled_seconds_per_s");
		p->metric_value = q->secs_per_s;
		p->lower_is_better = true;
		n++;
	}
	return n;
}

static struct quota_target *quota_find(struct quota_state *s, const char *cgroup)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->t[i].cgroup, cgroup))
			return &s->t[i];
	return NULL;
}

static double quota_measure(struct tuner *t, const struct tune_ctx *c, const struct proposal *p)
{
	struct quota_target *q = quota_find(t->state, p->cgroup);

	(void)c;
	return q && q->have_rates ? q->secs_per_s : NAN;
}

void tuner_cpu_quota(struct tuner *t)
{
	memset(t, 0, sizeof(*t));
	t->id = TUNER_CPU_QUOTA;
	t->init = quota_init;
	t->observe = quota_observe;
	t->propose = quota_propose;
	t->measure = quota_measure;
	t->ready = nextval_ready;
	t->fini = nextval_fini;
}
