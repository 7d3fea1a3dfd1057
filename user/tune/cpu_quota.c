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
 * Scaling (config [tuner cpu_quota] scaling, tune --scaling): the quota
 * follows the demand both ways, by the rules of scale.h: demand = usage
 * (cpu.stat usage_usec, cpuacct.usage, else the run time of its threads'
 * schedstat) + throttled time per second; reactive raises one step on
 * throttling, predictive raises to the forecast's upper bound plus headroom
 * before throttling starts, a raise never beyond the quota plus the spare
 * CPU (idle, and the time of niced tasks, which yield to the cgroup's, less
 * the cgroup's own usage); both scale in towards the recent peak demand
 * plus headroom after the scale-in cooldown, never below the floor: the
 * quota before perfpilot's first change still in place (the journal's
 * oldest open change of the cgroup), or the tunable's min if higher. Its
 * proposals are `scaled` (tuner.h): kept at once, never rolled back; each
 * records cpu.stat's cumulative throttled seconds as its metric, from
 * which tune --status counts the throttled time since the first.
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
#include "tune/scale.h"
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
	/* scaling */
	int64_t usage_prev;          /* ns, cumulative; -1 unknown */
	struct procstat_threads thr[2]; /* without a usage file: its threads */
	int thr_cur;
	bool thr_have;
	double usage, demand;        /* CPUs over the latest interval; -1 unknown */
	double throttled_total_s;    /* cpu.stat's cumulative throttled time */
	struct scale_history hist;
};

struct quota_state {
	struct quota_target t[QUOTA_TARGETS];
	size_t n;
	struct procstat_cpu cpu_prev;
	bool have_cpu;
	double idle; /* idle CPUs over the latest interval, -1 unknown */
	double nice; /* CPUs of niced tasks over it, -1 unknown */
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
	for (i = 0; i < QUOTA_TARGETS; i++)
		s->t[i].usage_prev = -1;
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

/* The CPUs the cgroup used over the interval (-1 unknown): its usage
 * counter, else the run time of the threads it holds in both readings. */
static double quota_usage(const struct tune_ctx *c, struct quota_target *q)
{
	struct procstat_threads *a, *b;
	uint64_t run, wait;
	double cpus = -1;
	char e[256];
	int64_t u;

	if (!procstat_cgroup_usage(c->h, q->cgroup, &u, e, sizeof(e))) {
		if (q->usage_prev >= 0 && u >= q->usage_prev && c->dt > 0)
			cpus = (double)(u - q->usage_prev) / 1e9 / c->dt;
		q->usage_prev = u;
		return cpus;
	}
	q->usage_prev = -1;
	a = &q->thr[q->thr_cur];
	b = &q->thr[!q->thr_cur];
	if (procstat_cgroup_threads(c->h, q->cgroup, b, e, sizeof(e))) {
		q->thr_have = false;
		return -1;
	}
	if (q->thr_have && c->dt > 0) {
		procstat_threads_delta(a, b, &run, &wait);
		cpus = (double)run / 1e9 / c->dt;
	}
	q->thr_cur = !q->thr_cur;
	q->thr_have = true;
	return cpus;
}

/* Demand = usage + throttled time per second, at most all CPUs, into the history. */
static void quota_demand(const struct tune_ctx *c, struct quota_target *q)
{
	int ncpus = c->ncpus > 0 ? c->ncpus : 1;

	q->usage = quota_usage(c, q);
	q->demand = -1;
	if (!q->have_rates || q->usage < 0)
		return;
	q->demand = q->usage + q->secs_per_s;
	if (q->demand > ncpus)
		q->demand = ncpus;
	scale_history_add(&q->hist, c->now, q->demand, q->share);
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
	s->nice = s->have_cpu ? procstat_cpu_nice(&s->cpu_prev, &cpu) : -1;
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
		q->throttled_total_s = (double)th.throttled_ns / 1e9;
		if (c->cfg->scale.mode != SCALE_OFF)
			quota_demand(c, q);
		q->prev = th;
		q->have_prev = true;
	}
	return 0;
}

/* What the journal says of a cgroup's quota: the last raise, the last
 * change, and the quota before the oldest change still in place (-1: none). */
static void quota_history(const struct tune_ctx *c, const struct quota_target *q,
			  const char *file, double *last_out, double *last_change, int64_t *base)
{
	const struct tunable_info *ti = tunable_find(file);
	const struct journal_entry *e;
	int64_t o, n;
	size_t i;

	*last_out = *last_change = -INFINITY;
	*base = -1;
	if (!c->j || !ti)
		return;
	for (i = 0; i < c->j->n; i++) {
		e = &c->j->e[i];
		if (e->scope != TUNE_CGROUP || strcmp(e->cgroup, q->cgroup) ||
		    strcmp(e->tunable, file) || e->state == JS_FAILED)
			continue;
		if (e->time > *last_change)
			*last_change = e->time;
		if (!tunable_key(ti, e->old, &o) && !tunable_key(ti, e->new, &n)) {
			if (n > o && e->time > *last_out)
				*last_out = e->time;
			if (*base < 0 && journal_state_open(e->state))
				*base = o; /* oldest first: the first open one */
		}
	}
}

/* The scaler's proposal for one cgroup (scale.h); 1 if p holds one. */
static int quota_scale_one(struct quota_state *s, const struct tune_ctx *c,
			   struct quota_target *q, struct proposal *p)
{
	const char *file = q->quota.version == HOSTFS_CG_V2 ? "cpu.max" : "cpu.cfs_quota_us";
	const struct tunable_info *ti = tunable_find(file);
	const struct scale_conf *sc = &c->cfg->scale;
	int ncpus = c->ncpus > 0 ? c->ncpus : s->cpu_prev.ncpus;
	double period = (double)q->quota.period_us, from, to;
	struct scale_decision d;
	struct step_limits lim;
	struct scale_input in;
	struct nextval_req rq;
	int64_t base, step = 0, key;
	double spare = -1;
	char why[256], fc[64] = "";

	if (!ti || !q->have_rates || q->demand < 0 || q->quota.unlimited ||
	    q->quota.period_us <= 0)
		return 0;
	step_limits_init(&lim, ti, config_tunable(c->cfg, file));
	step_limit_cap(&lim, step_cap_cpu_quota(ncpus, q->quota.period_us));
	memset(&in, 0, sizeof(in));
	in.now = c->now;
	in.interval_s = c->dt;
	in.quota = q->quota.quota_us / period;
	quota_history(c, q, file, &in.last_out, &in.last_change, &base);
	if (base < 0)
		base = q->quota.quota_us;
	step_limit_floor(&lim, base);
	in.floor = (double)(lim.min > lim.floor ? lim.min : lim.floor) / period;
	in.cap = (double)(lim.max < lim.cap ? lim.max : lim.cap) / period;
	/* spare: idle CPUs, and those of niced tasks, which yield to the
	 * cgroup's (less its own usage, in case its own tasks are niced) */
	if (s->idle >= 0)
		spare = s->idle + (s->nice > q->usage ? s->nice - q->usage : 0);
	in.raise_cap = spare >= 0 ? in.quota + spare : in.cap;
	in.step_up = step_next(q->quota.quota_us, +1, &config_tunable(c->cfg, file)->step, &lim,
			       &step) == STEP_MOVE ? (double)step / period : in.quota;
	scale_decide(sc, &q->hist, &in, &d);
	if (d.dir == SCALE_HOLD)
		return 0;
	/* whole milliseconds of quota per period, rounded up: at least the target */
	key = (int64_t)ceil(d.target * period / 1000 - 1e-9) * 1000;
	rq = nextval_req_cgroup(q->cgroup, file, d.dir == SCALE_OUT ? +1 : -1);
	rq.to = key;
	rq.floor = base;
	rq.cap = lim.cap;
	if (d.dir == SCALE_OUT && spare >= 0 &&
	    (double)q->quota.quota_us + spare * period < (double)rq.cap) {
		/* whole milliseconds here too, down: never above what was spare */
		rq.cap = (int64_t)floor(((double)q->quota.quota_us + spare * period) / 1000) * 1000;
		if (rq.cap <= q->quota.quota_us)
			return 0;
	}
	if (nextval_propose(c, &rq, p, why, sizeof(why)) != NEXTVAL_MOVE)
		return 0;
	from = in.quota;
	to = strtod(p->proposed, NULL) / period;
	if ((d.dir == SCALE_OUT) != (to > from))
		return 0; /* the bounds turned it around */
	p->scaled = true;
	p->priority = 2;
	if (d.dir == SCALE_IN) {
		p->finding = "cpu_demand_fell";
		if (d.forecast)
			snprintf(fc, sizeof(fc), " (forecast up to %.2f)", d.upper);
		nextval_say(p->evidence, sizeof(p->evidence),
			    "peak demand %.2f CPU over the last %.0f s%s, not throttled; quota "
			    "%.2f CPU, floor %.2f", d.peak, sc->in_cooldown_s, fc, from, in.floor);
		nextval_say(p->effect, sizeof(p->effect),
			    "quota %.2f -> %.2f CPU: back towards the demand plus %.0f%% headroom "
			    "(%s scaling, scale-in cooldown %.0f s)", from, to, sc->headroom * 100,
			    scale_mode_name(sc->mode), sc->in_cooldown_s);
	} else if (d.ahead) {
		p->finding = "cpu_demand_rising";
		nextval_say(p->evidence, sizeof(p->evidence),
			    "demand %.2f CPU (%.2f used + %.2f throttled), forecast %.2f CPU, up "
			    "to %.2f, in %.0f s%s; quota %.2f CPU", d.demand, q->usage,
			    q->secs_per_s, d.value, d.upper, d.horizon_s,
			    d.trend ? " on a rising trend" : "", from);
		nextval_say(p->effect, sizeof(p->effect),
			    "quota %.2f -> %.2f CPU: above the forecast's upper bound plus %.0f%% "
			    "headroom before throttling starts (predictive scaling)", from, to,
			    sc->headroom * 100);
	} else {
		p->finding = "cpu_throttled";
		nextval_say(p->evidence, sizeof(p->evidence),
			    "throttled in %.0f%% of its periods (%.2f s/s throttled); demand %.2f "
			    "CPU; quota %.2f CPU", d.share * 100, q->secs_per_s, d.demand, from);
		nextval_say(p->effect, sizeof(p->effect),
			    "quota %.2f -> %.2f CPU: less time throttled (%s scaling, one step)",
			    from, to, scale_mode_name(sc->mode));
	}
	snprintf(p->metric, sizeof(p->metric), "cpu.throttled_seconds");
	p->metric_value = q->throttled_total_s;
	p->lower_is_better = true;
	return 1;
}

static size_t quota_scale(struct quota_state *s, const struct tune_ctx *c, struct proposal *out,
			  size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < s->n && n < max; i++)
		n += (size_t)quota_scale_one(s, c, &s->t[i], &out[n]);
	return n;
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

	if (c->cfg->scale.mode != SCALE_OFF)
		return quota_scale(s, c, out, max);
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

static void quota_fini(struct tuner *t)
{
	struct quota_state *s = t->state;
	size_t i;

	if (s)
		for (i = 0; i < QUOTA_TARGETS; i++) {
			procstat_threads_free(&s->t[i].thr[0]);
			procstat_threads_free(&s->t[i].thr[1]);
		}
	nextval_fini(t);
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
	t->fini = quota_fini;
}
