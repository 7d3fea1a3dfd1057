// SPDX-License-Identifier: GPL-2.0
/*
 * The memory limit tuner (senpai-style; opt-in: off unless the config says
 * `[tuner memory_high]` `enabled = true`).
 *
 * Rule: while the cgroup (-c) shows no memory pressure, lower its
 * memory.high one step toward its working set; never below a floor; stop at
 * the first sign that it went too far.
 *
 *  - Cgroup v2 only (memory.high, memory.current, memory.pressure and
 *    memory.stat's workingset_refault_anon/_file, or workingset_refault on
 *    older kernels). On a v1 memory controller init fails with one line
 *    saying that it is unavailable there, and the tuner proposes nothing.
 *  - Lower: in the interval its memory.pressure "some" stall time (from
 *    the total, in % of the interval) and its "some avg10" are below 0.1 %
 *    and it refaulted nothing. The step is the tunable's configured step
 *    (default /2; x1.1 is gentler) down from memory.current when memory.high
 *    is above it (or "max"), else from memory.high; aligned to 4 KiB.
 *  - Floor: the tunable's configured min (default 64 MiB); at the floor it
 *    stops.
 *  - Stop: while a change is being verified, refaults or a stall above the
 *    target make other_worse true, so the cycle rolls it back and the
 *    target is frozen (step_gate). Refaults or stalls after a kept change
 *    stop the tuner for the cgroup: it proposes the step back (the value
 *    before the newest kept change) once, then nothing more.
 *  - Metric verified: memory.current in bytes (lower is better): the memory
 *    the step gave back.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tune/nextval.h"
#include "tune/procstat.h"
#include "tune/step.h"

#define HIGH_STALL_TARGET 0.1 /* % of the interval some task stalled on memory */

struct high_state {
	bool have_prev, have_rates;
	int64_t current;          /* memory.current, bytes */
	int64_t refaults;         /* cumulative */
	uint64_t stall_total;     /* memory.pressure some total, µs */
	double stall_pct, avg10;  /* the latest interval */
	double refaults_per_s;
	bool hurt;                /* refaults or stalls since the latest proposal */
	bool stopped, stepped_back;
};

static int high_init(struct tuner *t, const struct tune_ctx *c, char *err, size_t errlen)
{
	t->state = NULL;
	if (!c->cg_memory[0])
		return 1; /* no cgroup: nothing to do */
	if (!hostfs_cgroup_has(c->h, c->cg_memory, "memory.high"))
		return snprintf(err, errlen,
				"unavailable for %s: it has no memory.high (a cgroup v1 memory "
				"controller?); the senpai-style limit needs cgroup v2", c->cg_memory),
		       -1;
	t->state = calloc(1, sizeof(struct high_state));
	if (!t->state)
		return snprintf(err, errlen, "out of memory"), -1;
	return 0;
}

static int refaults_read(const struct tune_ctx *c, int64_t *out, char *err, size_t errlen)
{
	static char text[16384];
	int64_t a, f;

	if (hostfs_cgroup_read_text(c->h, c->cg_memory, "memory.stat", text, sizeof(text), err,
				    errlen))
		return -1;
	if (!procstat_field(text, "workingset_refault_anon", &a) &&
	    !procstat_field(text, "workingset_refault_file", &f))
		*out = a + f;
	else if (procstat_field(text, "workingset_refault", out))
		*out = 0;
	return 0;
}

static int high_observe(struct tuner *t, const struct tune_ctx *c, char *err, size_t errlen)
{
	struct high_state *s = t->state;
	struct procstat_psi psi;
	struct hostfs_value cur;
	int64_t refaults;
	char e[256];

	if (!s)
		return 0;
	if (hostfs_cgroup_read(c->h, c->cg_memory, "memory.current", &cur, e, sizeof(e)) ||
	    procstat_cgroup_psi(c->h, c->cg_memory, "memory.pressure", &psi, e, sizeof(e)) ||
	    refaults_read(c, &refaults, e, sizeof(e)))
		return snprintf(err, errlen, "%s", e), -1;
	if (!cur.num[0])
		return snprintf(err, errlen, "%s/memory.current: unexpected '%s'",
				c->cg_memory, cur.str), -1;
	s->have_rates = s->have_prev && c->dt > 0;
	if (s->have_rates) {
		s->refaults_per_s = nextval_rate(s->refaults, refaults, c->dt);
		s->stall_pct = psi.some_total >= s->stall_total ?
			(double)(psi.some_total - s->stall_total) / (c->dt * 1e4) : 0;
		if (s->refaults_per_s > 0 || s->stall_pct > HIGH_STALL_TARGET ||
		    psi.some_avg10 > HIGH_STALL_TARGET)
			s->hurt = true;
	}
	s->current = cur.f[0];
	s->refaults = refaults;
	s->stall_total = psi.some_total;
	s->avg10 = psi.some_avg10;
	s->have_prev = true;
	return 0;
}

/* The newest kept change of memory.high in the cgroup, or NULL. */
static const struct journal_entry *newest_kept(const struct tune_ctx *c)
{
	struct tune_target tt, et = {.scope = TUNE_CGROUP, .cgroup = c->cg_memory,
				     .tunable = "memory.high"};
	size_t i;

	for (i = c->j ? c->j->n : 0; i-- > 0;) {
		journal_entry_target(&c->j->e[i], &tt);
		if (tune_target_equal(&tt, &et))
			return c->j->e[i].state == JS_KEPT ? &c->j->e[i] : NULL;
	}
	return NULL;
}

/* Stopped after a kept change: one step back to the value before it. */
static size_t high_step_back(struct high_state *s, const struct tune_ctx *c,
			     struct proposal *p)
{
	const struct journal_entry *e = newest_kept(c);
	struct tune_target tt = {.scope = TUNE_CGROUP, .cgroup = c->cg_memory,
				 .tunable = "memory.high"};
	struct hostfs_value v;
	char why[256];

	if (s->stepped_back || !e ||
	    step_gate(c->j, &tt, c->now, config_cooldown(c->cfg, "memory.high"), why,
		      sizeof(why)) != GATE_OPEN ||
	    hostfs_cgroup_read(c->h, c->cg_memory, "memory.high", &v, why, sizeof(why)) ||
	    !hostfs_value_equal(v.str, e->new))
		return 0;
	s->stepped_back = true;
	memset(p, 0, sizeof(*p));
	p->tuner = TUNER_MEMORY_HIGH;
	snprintf(p->cgroup, sizeof(p->cgroup), "%s", c->cg_memory);
	snprintf(p->tunable, sizeof(p->tunable), "memory.high");
	snprintf(p->current, sizeof(p->current), "%s", v.str);
	snprintf(p->proposed, sizeof(p->proposed), "%s", e->old);
	p->finding = "memory_high_too_low";
	p->priority = 1;
	nextval_say(p->evidence, sizeof(p->evidence),
		 "%.1f refaults/s and %.2f%% of the time stalled on memory since memory.high "
		 "was lowered to %s", s->refaults_per_s, s->stall_pct, e->new);
	nextval_say(p->effect, sizeof(p->effect),
		 "memory.high back to %s; the tuner stops lowering it", e->old);
	snprintf(p->metric, sizeof(p->metric), "memory_stall_pct");
	p->metric_value = s->stall_pct;
	p->lower_is_better = true;
	return 1;
}

static size_t high_propose(struct tuner *t, const struct tune_ctx *c, struct proposal *out,
			   size_t max)
{
	struct high_state *s = t->state;
	struct hostfs_value high;
	struct nextval_req rq;
	int64_t key;
	char why[256];

	if (!s || !max || !s->have_rates)
		return 0;
	if (s->hurt && newest_kept(c))
		s->stopped = true;
	if (s->stopped)
		return high_step_back(s, c, out);
	if (s->refaults_per_s > 0 || s->stall_pct >= HIGH_STALL_TARGET ||
	    s->avg10 >= HIGH_STALL_TARGET)
		return 0;
	rq = nextval_req_cgroup(c->cg_memory, "memory.high", -1);
	if (!hostfs_cgroup_read(c->h, c->cg_memory, "memory.high", &high, why, sizeof(why)) &&
	    !tunable_key(tunable_find("memory.high"), high.str, &key) && key > s->current)
		rq.from = s->current;
	if (nextval_propose(c, &rq, out, why, sizeof(why)) != NEXTVAL_MOVE)
		return 0;
	s->hurt = false;
	out->finding = "memory_high_headroom";
	out->priority = 3;
	nextval_say(out->evidence, sizeof(out->evidence),
		 "no refaults and %.2f%% of the time stalled on memory (avg10 %.2f%%) at %lld "
		 "bytes in use, memory.high %s", s->stall_pct, s->avg10, (long long)s->current,
		 out->current);
	nextval_say(out->effect, sizeof(out->effect),
		 "memory.high %s -> %s: the kernel reclaims what the cgroup does not use; rolled "
		 "back at the first refault or stall", out->current, out->proposed);
	snprintf(out->metric, sizeof(out->metric), "memory.current");
	out->metric_value = (double)s->current;
	out->lower_is_better = true;
	return 1;
}

static double high_measure(struct tuner *t, const struct tune_ctx *c, const struct proposal *p)
{
	struct high_state *s = t->state;

	(void)c;
	if (!s || !s->have_rates)
		return NAN;
	return strcmp(p->metric, "memory.current") ? s->stall_pct : (double)s->current;
}

static bool high_other_worse(struct tuner *t, const struct tune_ctx *c, const struct proposal *p)
{
	struct high_state *s = t->state;

	(void)c;
	return s && !strcmp(p->metric, "memory.current") && s->hurt;
}

void tuner_memory_high(struct tuner *t)
{
	memset(t, 0, sizeof(*t));
	t->id = TUNER_MEMORY_HIGH;
	t->init = high_init;
	t->observe = high_observe;
	t->propose = high_propose;
	t->measure = high_measure;
	t->ready = nextval_ready;
	t->other_worse = high_other_worse;
	t->fini = nextval_fini;
}
