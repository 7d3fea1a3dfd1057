// SPDX-License-Identifier: GPL-2.0
/* A tuner's next value as a proposal (nextval.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tune/nextval.h"
#include "tune/step.h"

struct nextval_req nextval_req_sysctl(const char *tunable, int dir)
{
	return (struct nextval_req){.tunable = tunable, .dir = dir, .floor = INT64_MIN,
				    .cap = INT64_MAX, .from = INT64_MIN, .to = INT64_MIN};
}

struct nextval_req nextval_req_cgroup(const char *cgroup, const char *tunable, int dir)
{
	struct nextval_req rq = nextval_req_sysctl(tunable, dir);

	rq.cgroup = cgroup;
	return rq;
}

static void copy(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

enum nextval_rc nextval_propose(const struct tune_ctx *c, const struct nextval_req *rq,
				struct proposal *p, char *why, size_t len)
{
	const struct tunable_info *ti = tunable_find(rq->tunable);
	struct tune_target tt = {.scope = rq->cgroup ? TUNE_CGROUP : TUNE_SYSCTL,
				 .netns = rq->netns, .cgroup = rq->cgroup, .tunable = rq->tunable};
	struct step_limits lim;
	struct hostfs_value v;
	enum step_gate gate;
	int64_t key, next;
	char err[256];
	int rc;

	if (!ti)
		return snprintf(why, len, "unknown tunable %s", rq->tunable), NEXTVAL_NONE;
	if (!config_allows(c->cfg, ti->name))
		return snprintf(why, len, "%s is not in the allowlist", ti->name), NEXTVAL_NONE;
	if (rq->cgroup && !config_cgroup_allowed(c->cfg, rq->cgroup))
		return snprintf(why, len, "cgroup %s may not be touched", rq->cgroup),
		       NEXTVAL_NONE;
	if (c->j) {
		gate = step_gate(c->j, &tt, c->now, config_cooldown(c->cfg, ti->name), why, len);
		if (gate == GATE_FROZEN)
			return NEXTVAL_NONE;
		if (gate != GATE_OPEN)
			return NEXTVAL_BUSY;
	}
	rc = rq->cgroup ? hostfs_cgroup_read(c->h, rq->cgroup, ti->name, &v, err, sizeof(err))
			: hostfs_sysctl_read(c->h, rq->netns, ti->name, &v, err, sizeof(err));
	if (rc)
		return snprintf(why, len, "%s", err), NEXTVAL_NONE;
	if (tunable_key(ti, v.str, &key))
		return snprintf(why, len, "%s: '%s' is not understood", ti->name, v.str),
		       NEXTVAL_NONE;
	step_limits_init(&lim, ti, config_tunable(c->cfg, ti->name));
	step_limit_floor(&lim, rq->floor);
	step_limit_cap(&lim, rq->cap);
	if (rq->from != INT64_MIN)
		key = rq->from;
	if (rq->to != INT64_MIN) {
		if (step_to(key, rq->to, &lim, &next) == STEP_AT_LIMIT)
			return snprintf(why, len, "%s is at its limit (%s)", ti->name, v.str),
			       NEXTVAL_NONE;
	} else if (step_next(key, rq->dir, &config_tunable(c->cfg, ti->name)->step, &lim,
			     &next) == STEP_AT_LIMIT) {
		return snprintf(why, len, "%s is at its limit (%s)", ti->name, v.str), NEXTVAL_NONE;
	}
	memset(p, 0, sizeof(*p));
	if (tunable_with_key(ti, v.str, next, p->proposed, sizeof(p->proposed)) ||
	    hostfs_value_equal(p->proposed, v.str))
		return snprintf(why, len, "%s: no step from '%s'", ti->name, v.str), NEXTVAL_NONE;
	p->tuner = ti->tuner;
	copy(p->netns, sizeof(p->netns), rq->netns);
	copy(p->cgroup, sizeof(p->cgroup), rq->cgroup);
	copy(p->tunable, sizeof(p->tunable), ti->name);
	copy(p->current, sizeof(p->current), v.str);
	if (len)
		why[0] = 0;
	return NEXTVAL_MOVE;
}

double nextval_rate(int64_t a, int64_t b, double dt)
{
	if (!(dt > 0) || b < a)
		return 0;
	return (double)(b - a) / dt;
}

bool nextval_ready(struct tuner *t, const struct tune_ctx *c, const struct proposal *p)
{
	(void)t;
	(void)c;
	(void)p;
	return true;
}

void nextval_say(char *dst, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dst, len, fmt, ap);
	va_end(ap);
}

void nextval_fini(struct tuner *t)
{
	free(t->state);
	t->state = NULL;
}
