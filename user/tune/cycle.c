// SPDX-License-Identifier: GPL-2.0
/* The optimization cycle: observe, propose, apply, verify, keep or roll back (cycle.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "tune/change.h"
#include "tune/cycle.h"
#include "tune/lever.h"
#include "tune/step.h"

#define MAX_PROPOSALS 16

void proposal_target(const struct proposal *p, struct tune_target *t)
{
	const struct tunable_info *ti = tunable_find(p->tunable);
	const struct lever_info *l = lever_find(p->tunable);

	memset(t, 0, sizeof(*t));
	t->scope = ti ? ti->scope : l ? l->scope : (p->cgroup[0] ? TUNE_CGROUP : TUNE_SYSCTL);
	t->netns = t->scope == TUNE_SYSCTL && p->netns[0] ? p->netns : NULL;
	t->cgroup = t->scope == TUNE_CGROUP ? p->cgroup : NULL;
	t->tunable = p->tunable;
	if (t->scope == TUNE_PROCESS) {
		t->pid = p->pid;
		t->start = p->start;
	}
}

const char *tune_scope_str(const char *netns, const char *cgroup, char *buf, size_t len)
{
	if (cgroup && *cgroup)
		snprintf(buf, len, "cgroup %s", cgroup);
	else if (netns && *netns)
		snprintf(buf, len, "netns %s", netns);
	else
		snprintf(buf, len, "host");
	return buf;
}

const char *proposal_scope(const struct proposal *p, char *buf, size_t len)
{
	if (p->pid) {
		snprintf(buf, len, "process %d", p->pid);
		return buf;
	}
	return tune_scope_str(p->netns, p->cgroup, buf, len);
}

/* " in netns web", " in cgroup /sys/fs/cgroup/app", " on the host" */
static const char *where_of(const char *netns, const char *cgroup, char *buf, size_t len)
{
	char scope[PATH_MAX + 16];

	tune_scope_str(netns, cgroup, scope, sizeof(scope));
	if (snprintf(buf, len, "%s%s", strcmp(scope, "host") ? " in " : " on the ", scope) < 0)
		buf[0] = 0;
	return buf;
}

static const char *where(const struct proposal *p, char *buf, size_t len)
{
	if (p->pid) {
		snprintf(buf, len, " of process %d", p->pid);
		return buf;
	}
	return where_of(p->netns, p->cgroup, buf, len);
}

void cycle_init(struct cycle *c, struct tune_ctx *ctx, struct journal *j, struct tuner *tuners,
		size_t n)
{
	memset(c, 0, sizeof(*c));
	c->ctx = ctx;
	c->j = j;
	c->tuners = tuners;
	c->ntuners = n;
	c->stopped = calloc(n ? n : 1, sizeof(*c->stopped));
}

void cycle_free(struct cycle *c)
{
	free(c->stopped);
	free(c->ch);
	free(c->advice);
	free(c->refused);
	memset(c, 0, sizeof(*c));
}

static bool same_target(const struct proposal *a, const struct proposal *b)
{
	return !strcmp(a->tunable, b->tunable) && !strcmp(a->netns, b->netns) &&
	       !strcmp(a->cgroup, b->cgroup) && a->pid == b->pid;
}

static void *grow(void *v, size_t *cap, size_t n, size_t size)
{
	void *nv;

	if (n < *cap)
		return v;
	nv = realloc(v, (*cap ? *cap * 2 : 8) * size);
	if (!nv) {
		fprintf(stderr, "perfpilot: out of memory\n");
		exit(1);
	}
	*cap = *cap ? *cap * 2 : 8;
	return nv;
}

/* Advice: the latest proposal of each target. */
static void advice_keep(struct cycle *c, const struct proposal *p)
{
	size_t i;

	for (i = 0; i < c->nadvice; i++)
		if (same_target(&c->advice[i], p)) {
			c->advice[i] = *p;
			return;
		}
	c->advice = grow(c->advice, &c->advice_cap, c->nadvice, sizeof(*c->advice));
	c->advice[c->nadvice++] = *p;
}

/* Say a refusal once per target and reason. */
static bool first_refusal(struct cycle *c, const struct proposal *p, const char *why)
{
	char key[PATH_MAX + 160];
	size_t i;

	snprintf(key, sizeof(key), "%s|%s|%s|%d|%.80s", p->tunable, p->netns, p->cgroup, p->pid,
		 why);
	for (i = 0; i < c->nrefused; i++)
		if (!strcmp(c->refused[i], key))
			return false;
	c->refused = grow(c->refused, &c->refused_cap, c->nrefused, sizeof(*c->refused));
	snprintf(c->refused[c->nrefused++], sizeof(*c->refused), "%s", key);
	return true;
}

/*
 * A scaling change is kept at once (the scaler follows the demand; no
 * verdict) and supersedes this run's earlier change of the target, which
 * stays open in the journal under it. -1 when the journal cannot be saved.
 */
static int scaled_kept(struct cycle *c, const struct proposal *p, int64_t id, char *err,
		       size_t errlen)
{
	size_t i;

	if (journal_update(c->j, id, JS_KEPT, "scaling: kept without a verdict; the scaler "
			   "follows the demand", err, errlen)) {
		c->error = 1;
		snprintf(c->err, sizeof(c->err), "%s", err);
		return -1;
	}
	for (i = 0; i < c->nch; i++)
		if (c->ch[i].p.scaled && same_target(&c->ch[i].p, p))
			c->ch[i].done = true;
	c->kept++;
	return 0;
}

static void apply_one(struct cycle *c, const struct cycle_opts *o, size_t ti,
		      const struct proposal *p)
{
	const struct tune_config *cfg = c->ctx->cfg;
	struct change_request rq;
	struct cycle_change *ch;
	char err[512], w[PATH_MAX + 16];
	int64_t id = 0;
	int rc;

	memset(&rq, 0, sizeof(rq));
	proposal_target(p, &rq.target);
	if (step_gate(c->j, &rq.target, c->ctx->now, config_cooldown(cfg, p->tunable), err,
		      sizeof(err)) != GATE_OPEN)
		return;
	rq.value = p->proposed;
	rq.reason = p->evidence;
	rq.finding = p->finding;
	rq.tuner = tuner_name(p->tuner);
	rq.metric = p->metric[0] ? p->metric : NULL;
	rq.metric_before = p->metric_value;
	rq.now = c->ctx->now;
	rc = change_apply(c->ctx->h, c->j, cfg, &rq, &id, err, sizeof(err));
	where(p, w, sizeof(w));
	switch (rc) {
	case CHANGE_OK:
		fprintf(o->out, "perfpilot: tune: %s %s -> %s%s (%s: %s)\n", p->tunable, p->current,
			p->proposed, w, p->finding ? p->finding : tuner_name(p->tuner), p->evidence);
		if (p->note[0])
			fprintf(o->out, "perfpilot: tune:   note: %s\n", p->note);
		if (p->scaled && scaled_kept(c, p, id, err, sizeof(err)))
			break;
		c->ch = grow(c->ch, &c->cap, c->nch, sizeof(*c->ch));
		ch = &c->ch[c->nch++];
		memset(ch, 0, sizeof(*ch));
		ch->id = id;
		ch->tuner = ti;
		ch->p = *p;
		ch->applied_at = c->ctx->now;
		ch->waiting_said = c->ctx->now;
		c->applied++;
		break;
	case CHANGE_REFUSED:
		if (first_refusal(c, p, err))
			fprintf(o->out, "perfpilot: tune: not changing %s%s: %s\n", p->tunable, w,
				err);
		break;
	case CHANGE_FAILED:
		fprintf(o->out, "perfpilot: tune: %s%s: %s; the old value %s stays\n", p->tunable, w,
			err, p->current);
		c->failed++;
		break;
	default:
		c->error = 1;
		snprintf(c->err, sizeof(c->err), "%s", err);
		break;
	}
}

/* The value the host holds now for a journal entry; -1 when gone or unreadable. */
static int host_value(const struct hostfs *h, const struct journal_entry *e, char *out,
		      size_t len, char *err, size_t errlen)
{
	struct hostfs_value v;
	struct tune_target t;

	journal_entry_target(e, &t);
	if (change_target_read(h, &t, &v, err, errlen))
		return -1;
	snprintf(out, len, "%s", v.str);
	return 0;
}

static const char *num(double v, char *buf, size_t len)
{
	if (isnan(v))
		snprintf(buf, len, "?");
	else if (fabs(v) >= 100 || v == floor(v))
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.2f", v);
	return buf;
}

static int verify_one(struct cycle *c, const struct cycle_opts *o, struct cycle_change *ch)
{
	struct tuner *t = &c->tuners[ch->tuner];
	const struct tune_ctx *ctx = c->ctx;
	struct journal_entry *e = journal_get(c->j, ch->id);
	double window, before, after;
	char w[PATH_MAX + 16], now_val[HOSTFS_VALUE_MAX], err[512], note[600], a[32], b[32];
	struct change_result res;
	enum verify_decision d;
	bool other;

	if (!e || !journal_state_open(e->state)) {
		ch->done = true;
		return 0;
	}
	where(&ch->p, w, sizeof(w));
	/* respect the admin: a value changed since is left alone for good */
	if (host_value(ctx->h, e, now_val, sizeof(now_val), err, sizeof(err)) == 0 &&
	    !tune_value_equal(e->tunable, now_val, e->new)) {
		snprintf(note, sizeof(note), "changed since: now '%s', perfpilot wrote '%s'",
			 now_val, e->new);
		if (journal_update(c->j, ch->id, JS_ADMIN_CHANGED, note, err, sizeof(err)))
			goto journal_error;
		fprintf(o->out, "perfpilot: tune: %s%s was %s; left alone from now on\n",
			ch->p.tunable, w, note);
		ch->done = true;
		return 0;
	}
	if (ch->p.scaled)
		return 0; /* no verdict: the scaler follows it */
	window = config_verify_window(ctx->cfg, ch->p.tunable);
	if (ch->p.needs_action && t->ready && !ch->ready) {
		if (t->ready(t, ctx, &ch->p)) {
			ch->ready = true;
			ch->applied_at = ctx->now;
			ch->waiting_said = ctx->now;
			fprintf(o->out, "perfpilot: tune: %s%s: the workload acted on it; verifying "
				"for %.0f s\n", ch->p.tunable, w, window);
		} else if (ctx->now - ch->waiting_said >= window) {
			ch->waiting_said = ctx->now;
			fprintf(o->out, "perfpilot: tune: %s %s%s: waiting, not verified: %s\n",
				ch->p.tunable, ch->p.proposed, w,
				ch->p.note[0] ? ch->p.note : "the workload has not acted on it yet");
		}
		return 0;
	}
	if (ctx->now - ch->applied_at < window)
		return 0;
	before = ch->p.metric_value;
	after = t->measure ? t->measure(t, ctx, &ch->p) : NAN;
	other = t->other_worse ? t->other_worse(t, ctx, &ch->p) : false;
	d = verify_decide(before, after, ch->p.lower_is_better, ctx->cfg->min_improvement, other);
	if (d == VERIFY_WAIT) {
		if (ctx->now - ch->waiting_said >= window) {
			ch->waiting_said = ctx->now;
			fprintf(o->out, "perfpilot: tune: %s %s%s: no measure of %s yet; waiting\n",
				ch->p.tunable, ch->p.proposed, w, ch->p.metric);
		}
		return 0;
	}
	if (journal_set_effect(c->j, ch->id, ch->p.metric, before, after, err, sizeof(err)))
		goto journal_error;
	ch->done = true;
	if (d == VERIFY_KEEP) {
		if (journal_update(c->j, ch->id, JS_KEPT, NULL, err, sizeof(err)))
			goto journal_error;
		fprintf(o->out, "perfpilot: tune: kept %s %s%s: %s %s -> %s\n", ch->p.tunable,
			ch->p.proposed, w, ch->p.metric, num(before, b, sizeof(b)),
			num(after, a, sizeof(a)));
		c->kept++;
		return 0;
	}
	if (change_rollback(ctx->h, c->j, ch->id, &res, err, sizeof(err)) == CHANGE_ERROR)
		goto journal_error;
	c->rolled_back++;
	if (res.restored)
		fprintf(o->out, "perfpilot: tune: rolled back %s %s -> %s%s: %s (%s %s -> %s); "
			"not changed again\n", ch->p.tunable, ch->p.proposed, ch->p.current, w,
			other ? "another metric got worse" : "no improvement", ch->p.metric,
			num(before, b, sizeof(b)), num(after, a, sizeof(a)));
	else
		fprintf(o->out, "perfpilot: tune: %s%s did not help, but was left: %s\n",
			ch->p.tunable, w, res.reason);
	return 0;

journal_error:
	c->error = 1;
	snprintf(c->err, sizeof(c->err), "%s", err);
	return -1;
}

int cycle_tick(struct cycle *c, const struct cycle_opts *o, double now, double dt)
{
	struct proposal props[MAX_PROPOSALS];
	char err[512];
	size_t i, k, n;

	c->ctx->now = now;
	c->ctx->dt = dt;
	for (i = 0; i < c->ntuners; i++) {
		struct tuner *t = &c->tuners[i];

		if (c->stopped[i] || !t->observe)
			continue;
		err[0] = 0;
		if (t->observe(t, c->ctx, err, sizeof(err))) {
			c->stopped[i] = true;
			fprintf(o->out, "perfpilot: tune: %s stopped: %s\n", tuner_name(t->id),
				err[0] ? err : "its target is gone");
		}
	}
	if (dt <= 0)
		return 0; /* the first observation: a baseline */
	if (o->apply)
		for (i = 0; i < c->nch; i++)
			if (!c->ch[i].done && verify_one(c, o, &c->ch[i]))
				return -1;
	for (i = 0; i < c->ntuners; i++) {
		struct tuner *t = &c->tuners[i];

		if (c->stopped[i] || !t->propose)
			continue;
		n = t->propose(t, c->ctx, props, MAX_PROPOSALS);
		for (k = 0; k < n && k < MAX_PROPOSALS; k++) {
			props[k].tuner = t->id;
			if (o->apply)
				apply_one(c, o, i, &props[k]);
			else
				advice_keep(c, &props[k]);
			if (c->error)
				return -1;
		}
	}
	return 0;
}

static double real_clock(void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void real_sleep(void *arg, double s)
{
	struct timespec ts;

	(void)arg;
	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL); /* a signal ends it early: the loop checks stop */
}

int cycle_run(struct cycle *c, const struct cycle_opts *o)
{
	double (*clk)(void *) = o->clock ? o->clock : real_clock;
	void (*slp)(void *, double) = o->sleep ? o->sleep : real_sleep;
	double start, last, now, next, said;

	start = last = said = clk(o->clock_arg);
	if (cycle_tick(c, o, start, 0))
		return -1;
	next = start + o->interval_s;
	while (!(o->stop && *o->stop)) {
		double until = next;

		if (o->duration_s > 0 && until > start + o->duration_s)
			until = start + o->duration_s;
		now = clk(o->clock_arg);
		if (until > now)
			slp(o->clock_arg, until - now);
		if (o->stop && *o->stop)
			break;
		now = clk(o->clock_arg);
		if (now < until - 1e-3)
			continue; /* woken early (a signal that is not a stop) */
		if (cycle_tick(c, o, now, now - last))
			return -1;
		last = now;
		next += o->interval_s;
		if (next <= now)
			next = now + o->interval_s;
		if (o->duration_s > 0 && now - start >= o->duration_s - 1e-3)
			break;
		if (o->progress && now - said >= 10) {
			said = now;
			if (o->duration_s > 0)
				fprintf(o->progress, "perfpilot: tune: %.0f s of %.0f s\n", now - start,
					o->duration_s);
			else
				fprintf(o->progress, "perfpilot: tune: %.0f s (Ctrl-C ends)\n",
					now - start);
		}
	}
	return 0;
}

/* This run's scaling changes of p's target: how many, and the value before the first. */
static size_t scaled_count(const struct cycle *c, const struct proposal *p)
{
	size_t i, n = 0;

	for (i = 0; i < c->nch; i++)
		n += c->ch[i].p.scaled && same_target(&c->ch[i].p, p);
	return n;
}

static const char *scaled_first(const struct cycle *c, const struct proposal *p)
{
	size_t i;

	for (i = 0; i < c->nch; i++)
		if (c->ch[i].p.scaled && same_target(&c->ch[i].p, p))
			return c->ch[i].p.current;
	return p->current;
}

int cycle_end(struct cycle *c, const struct cycle_opts *o, bool revert)
{
	char w[PATH_MAX + 16], err[512];
	struct change_result res;
	size_t i, stay = 0, restored = 0;

	if (!o->apply)
		return 0;
	/* newest first: two changes of one target unwind in order */
	for (i = c->nch; i-- > 0;) {
		struct cycle_change *ch = &c->ch[i];
		struct journal_entry *e = journal_get(c->j, ch->id);

		if (!e || !journal_state_open(e->state))
			continue;
		where(&ch->p, w, sizeof(w));
		if (*e->cgroup && !hostfs_cgroup_has(c->ctx->h, e->cgroup, e->tunable)) {
			/* nothing stays changed where nothing is left */
			fprintf(o->out, "perfpilot: tune: %s%s: the cgroup is gone (it was %s, perfpilot "
				"wrote %s); 'perfpilot tune --revert' will mark it\n", e->tunable, w,
				e->old, e->new);
			continue;
		}
		if (!revert && ch->p.scaled) {
			/* the newest of a target's chain says it for the chain */
			stay++;
			if (ch->done)
				continue;
			fprintf(o->out, "perfpilot: tune: stays changed: %s %s%s (was %s; scaled, "
				"%zu change%s this run)\n", e->tunable, e->new, w,
				scaled_first(c, &ch->p), scaled_count(c, &ch->p),
				scaled_count(c, &ch->p) == 1 ? "" : "s");
			continue;
		}
		if (!revert) {
			fprintf(o->out, "perfpilot: tune: stays changed: %s %s%s (was %s; %s)\n",
				e->tunable, e->new, w, e->old,
				e->state == JS_KEPT ? "kept: it helped" :
				ch->p.needs_action && !ch->ready ? "not verified: waiting for the workload" :
				"not verified yet");
			stay++;
			continue;
		}
		if (change_rollback(c->ctx->h, c->j, ch->id, &res, err, sizeof(err)) != CHANGE_OK) {
			fprintf(o->out, "perfpilot: tune: could not restore %s%s: %s\n", e->tunable, w,
				err);
			c->error = 1;
			continue;
		}
		if (res.restored) {
			if (journal_update(c->j, ch->id, JS_REVERTED, "revert on exit", err,
					   sizeof(err))) {
				fprintf(o->out, "perfpilot: tune: %s\n", err);
				c->error = 1;
			}
			fprintf(o->out, "perfpilot: tune: restored %s %s%s (was %s)\n", e->tunable,
				e->old, w, e->new);
			restored++;
		} else {
			fprintf(o->out, "perfpilot: tune: left %s%s: %s\n", e->tunable, w, res.reason);
		}
	}
	if (revert)
		fprintf(o->out, "perfpilot: tune: %zu change%s restored on exit; nothing of this run "
			"stays changed\n", restored, restored == 1 ? "" : "s");
	else if (stay)
		fprintf(o->out, "perfpilot: tune: %zu change%s stay%s in place (journal %s); undo "
			"with 'perfpilot tune --revert'\n", stay, stay == 1 ? "" : "s",
			stay == 1 ? "s" : "", c->j->path);
	else
		fprintf(o->out, "perfpilot: tune: nothing of this run stays changed (%zu applied, "
			"%zu rolled back)\n", c->applied, c->rolled_back);
	return c->error ? -1 : 0;
}

void proposal_print(const struct proposal *p, FILE *f)
{
	char scope[PATH_MAX + 16];

	fprintf(f, "%s\n", p->tunable);
	fprintf(f, "  scope:     %s\n", proposal_scope(p, scope, sizeof(scope)));
	fprintf(f, "  change:    %s -> %s\n", p->current, p->proposed);
	fprintf(f, "  finding:   %s: %s\n", p->finding ? p->finding : "-", p->evidence);
	fprintf(f, "  effect:    %s\n", p->effect);
	fprintf(f, "  priority:  %d\n", p->priority);
	if (p->note[0])
		fprintf(f, "  note:      %s\n", p->note);
	fprintf(f, "  tuner:     %s\n", tuner_name(p->tuner));
}

void proposal_print_json(const struct proposal *p, FILE *f)
{
	struct tune_target t;
	json_t *o;
	char *s;

	proposal_target(p, &t);
	o = json_pack("{s:s, s:s, s:o, s:o, s:s, s:s, s:s, s:o, s:s, s:s, s:i, s:o, s:s, s:o, "
		      "s:b, s:b, s:o}",
		      "tunable", p->tunable, "scope", tune_scope_name(t.scope),
		      "netns", t.netns ? json_string(t.netns) : json_null(),
		      "cgroup", t.cgroup ? json_string(t.cgroup) : json_null(),
		      "current", p->current, "proposed", p->proposed,
		      "tuner", tuner_name(p->tuner),
		      "finding", p->finding ? json_string(p->finding) : json_null(),
		      "evidence", p->evidence, "effect", p->effect, "priority", p->priority,
		      "note", p->note[0] ? json_string(p->note) : json_null(),
		      "metric", p->metric,
		      "metric_value", isnan(p->metric_value) ? json_null() : json_real(p->metric_value),
		      "lower_is_better", p->lower_is_better, "needs_action", p->needs_action,
		      "pid", p->pid ? json_integer(p->pid) : json_null());
	s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	if (s)
		fprintf(f, "%s\n", s);
	free(s);
	json_decref(o);
}

void cycle_print_advice(const struct cycle *c, FILE *f, bool json)
{
	size_t i;

	for (i = 0; i < c->nadvice; i++) {
		if (json) {
			proposal_print_json(&c->advice[i], f);
			continue;
		}
		if (i)
			fputc('\n', f);
		proposal_print(&c->advice[i], f);
	}
}
