// SPDX-License-Identifier: GPL-2.0
/*
 * The memory reclaim tuner.
 *
 * Rule: tasks of the host stall in direct reclaim while memory is under
 * pressure → let kswapd reclaim earlier and further ahead: raise
 * vm.watermark_scale_factor one step, or, when that one is at its limit,
 * frozen or not allowed, vm.min_free_kbytes.
 *
 *  - Direct-reclaim stalls: the allocstall_* counters of /proc/vmstat grew
 *    over the interval (> 0 per second).
 *  - Memory pressure: /proc/pressure/memory "some avg10" ≥ 5 %.
 *  - The step: the tunable's configured step within its bounds (defaults:
 *    watermark_scale_factor x2 within 10 – 1000, min_free_kbytes x1.5
 *    within 1024 – 1048576), min_free_kbytes also capped at 5 % of
 *    MemTotal. One tunable at a time: while a change of either is verified
 *    or cooling down, it proposes nothing.
 *  - Metric verified: direct-reclaim stalls per second (lower is better).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tune/nextval.h"
#include "tune/procstat.h"

#define RECLAIM_PSI_SOME 5.0    /* % of time some task stalled on memory */
#define RECLAIM_MIN_FREE_SHARE 20 /* min_free_kbytes at most MemTotal / 20 */

struct reclaim_state {
	bool have_prev, have_rates;
	int64_t stalls;      /* cumulative allocstall_* */
	double stalls_per_s; /* the latest interval */
	double psi_some;     /* avg10, % */
	int64_t mem_total_kb;
};

static int reclaim_init(struct tuner *t, const struct tune_ctx *c, char *err, size_t errlen)
{
	(void)c;
	t->state = calloc(1, sizeof(struct reclaim_state));
	if (!t->state)
		return snprintf(err, errlen, "out of memory"), -1;
	return 0;
}

static int reclaim_observe(struct tuner *t, const struct tune_ctx *c, char *err, size_t errlen)
{
	struct reclaim_state *s = t->state;
	static char text[16384];
	struct procstat_psi psi;
	int64_t stalls;
	char e[256];

	if (hostfs_read_text(c->h, "/proc/vmstat", text, sizeof(text), e, sizeof(e)) ||
	    procstat_psi_read(c->h, "memory", &psi, e, sizeof(e)))
		return snprintf(err, errlen, "%s", e), -1;
	if (procstat_field_sum(text, "allocstall", &stalls))
		return snprintf(err, errlen, "%s/proc/vmstat has no allocstall "
				"counters", c->h->root), -1;
	s->have_rates = s->have_prev && c->dt > 0;
	s->stalls_per_s = s->have_rates ? nextval_rate(s->stalls, stalls, c->dt) : 0;
	s->stalls = stalls;
	s->psi_some = psi.some_avg10;
	s->have_prev = true;
	if (!hostfs_read_text(c->h, "/proc/meminfo", text, sizeof(text), e, sizeof(e)))
		procstat_field(text, "MemTotal", &s->mem_total_kb);
	return 0;
}

static size_t reclaim_propose(struct tuner *t, const struct tune_ctx *c, struct proposal *out,
			      size_t max)
{
	struct reclaim_state *s = t->state;
	struct nextval_req rq;
	enum nextval_rc rc;
	char why[256];

	if (!max || !s->have_rates || !(s->stalls_per_s > 0) || s->psi_some < RECLAIM_PSI_SOME)
		return 0;
	rq = nextval_req_sysctl("vm.watermark_scale_factor", +1);
	rc = nextval_propose(c, &rq, out, why, sizeof(why));
	if (rc == NEXTVAL_NONE) {
		rq = nextval_req_sysctl("vm.min_free_kbytes", +1);
		if (s->mem_total_kb > 0)
			rq.cap = s->mem_total_kb / RECLAIM_MIN_FREE_SHARE;
		rc = nextval_propose(c, &rq, out, why, sizeof(why));
	}
	if (rc != NEXTVAL_MOVE)
		return 0;
	out->finding = "direct_reclaim";
	out->priority = 2;
	nextval_say(out->evidence, sizeof(out->evidence),
		 "%.1f direct-reclaim stalls/s (allocstall_* in /proc/vmstat) with memory "
		 "pressure some avg10 %.2f%%", s->stalls_per_s, s->psi_some);
	nextval_say(out->effect, sizeof(out->effect),
		 "%s %s -> %s: kswapd wakes earlier and keeps more memory free, so fewer "
		 "allocations stall in direct reclaim", out->tunable, out->current, out->proposed);
	snprintf(out->metric, sizeof(out->metric), "allocstalls_per_s");
	out->metric_value = s->stalls_per_s;
	out->lower_is_better = true;
	return 1;
}

static double reclaim_measure(struct tuner *t, const struct tune_ctx *c,
			      const struct proposal *p)
{
	struct reclaim_state *s = t->state;

	(void)c;
	(void)p;
	return s->have_rates ? s->stalls_per_s : NAN;
}

void tuner_memory_reclaim(struct tuner *t)
{
	memset(t, 0, sizeof(*t));
	t->id = TUNER_MEMORY_RECLAIM;
	t->init = reclaim_init;
	t->observe = reclaim_observe;
	t->propose = reclaim_propose;
	t->measure = reclaim_measure;
	t->ready = nextval_ready;
	t->fini = nextval_fini;
}
