// SPDX-License-Identifier: GPL-2.0
/* Apply, roll back and revert changes through hostfs and the journal (change.h). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "tune/change.h"
#include "tune/hostproc.h"
#include "tune/lever.h"
#include "tune/step.h"

static int say(int rc, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int say(int rc, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return rc;
}

/* ---- the target on the host ---- */

int change_target_read(const struct hostfs *h, const struct tune_target *t,
		       struct hostfs_value *v, char *err, size_t errlen)
{
	if (t->scope == TUNE_PROCESS)
		return hostproc_read(h, t->pid, t->tunable, v, err, errlen);
	if (t->scope == TUNE_SYSCTL)
		return hostfs_sysctl_read(h, t->netns, t->tunable, v, err, errlen);
	return hostfs_cgroup_read(h, t->cgroup, t->tunable, v, err, errlen);
}

static int target_write(const struct hostfs *h, const struct tune_target *t, const char *value,
			char *err, size_t errlen)
{
	if (t->scope == TUNE_PROCESS)
		return hostproc_write(h, t->pid, t->tunable, value, err, errlen);
	if (t->scope == TUNE_SYSCTL)
		return hostfs_sysctl_write(h, t->netns, t->tunable, value, err, errlen);
	return hostfs_cgroup_write(h, t->cgroup, t->tunable, value, err, errlen);
}

/*
 * The identity of the target's cgroup or namespace (its inode) or process
 * (its start time); 0 for the host's own sysctls.
 */
static int target_ino(const struct hostfs *h, const struct tune_target *t, uint64_t *ino,
		      char *err, size_t errlen)
{
	struct hostproc p;

	*ino = 0;
	if (t->scope == TUNE_PROCESS) {
		if (hostproc_get(h, t->pid, &p, err, errlen))
			return -1;
		*ino = p.start;
		return 0;
	}
	if (t->scope == TUNE_CGROUP)
		return hostfs_cgroup_id(h, t->cgroup, ino, err, errlen);
	if (t->netns)
		return hostfs_netns_id(h, t->netns, ino, err, errlen);
	return 0;
}

/* Write a value and check that it reads back; 0, or -1 with the reason. */
static int write_checked(const struct hostfs *h, const struct tune_target *t, const char *value,
			 char *err, size_t errlen)
{
	struct hostfs_value v;

	if (target_write(h, t, value, err, errlen) || change_target_read(h, t, &v, err, errlen))
		return -1;
	if (!tune_value_equal(t->tunable, v.str, value))
		return say(-1, err, errlen, "wrote '%s' but read back '%s'", value, v.str);
	return 0;
}

/* ---- apply ---- */

/*
 * The tuner that asks must be on in the config, for every kind of change
 * (a sysctl, a cgroup file, a process's nice or affinity, a cpuset): the
 * request's tuner or, for a tunable that no tuner asks for, the tunable's
 * own. A lever is set only for a tuner. CHANGE_OK or CHANGE_REFUSED, before
 * the host is read.
 */
static int check_tuner(const struct tune_config *cfg, const struct change_request *rq,
		       const struct tunable_info *ti, const struct lever_info *l, char *err,
		       size_t errlen)
{
	const char *what = ti ? ti->name : l->name;
	const char *name = rq->tuner ? rq->tuner : ti ? tuner_name(ti->tuner) : NULL;
	int tuner;

	if (!name)
		return say(CHANGE_REFUSED, err, errlen, "%s is set only for a tuner (protect or "
			   "cpuset_rules): refused", what);
	tuner = tuner_find(name);
	if (tuner < 0)
		return say(CHANGE_REFUSED, err, errlen, "tuner %s is unknown: its %s change is "
			   "refused", name, what);
	if (!cfg->tuner_on[tuner])
		return say(CHANGE_REFUSED, err, errlen, "tuner %s is off: its %s change is refused "
			   "(enabled = on in [tuner %s] of the config turns it on)", name, what,
			   name);
	return CHANGE_OK;
}

/* Allowlist, cgroup prefixes, gate, shape and bounds: CHANGE_OK or CHANGE_REFUSED. */
static int check_policy(const struct journal *j, const struct tune_config *cfg,
			const struct change_request *rq, const struct tunable_info *ti,
			const struct hostfs_value *cur, double now, char *err, size_t errlen)
{
	const struct tune_target *t = &rq->target;
	const struct tunable_conf *tc = config_tunable(cfg, ti->name);
	char expect[HOSTFS_VALUE_MAX], a[32], b[32], c[32];
	int64_t key, cur_key;

	if (!config_allows(cfg, ti->name))
		return say(CHANGE_REFUSED, err, errlen, "%s is not in the allowlist", ti->name);
	if (t->scope == TUNE_CGROUP && !config_cgroup_allowed(cfg, t->cgroup))
		return say(CHANGE_REFUSED, err, errlen,
			   "cgroup %s may not be touched (not below a configured cgroup or -c)",
			   t->cgroup);
	if (step_gate(j, t, now, config_cooldown(cfg, ti->name), err, errlen) != GATE_OPEN)
		return CHANGE_REFUSED;
	if (tunable_key(ti, cur->str, &cur_key))
		return say(CHANGE_REFUSED, err, errlen, "%s: its current value '%s' is not understood",
			   ti->name, cur->str);
	if (tunable_key(ti, rq->value, &key))
		return say(CHANGE_REFUSED, err, errlen, "'%s' is not a value of %s", rq->value,
			   ti->name);
	if (tunable_with_key(ti, cur->str, key, expect, sizeof(expect)) ||
	    !hostfs_value_equal(expect, rq->value))
		return say(CHANGE_REFUSED, err, errlen,
			   "%s: only its %s may change: '%s' from '%s' (aligned: '%s')", ti->name,
			   ti->nfields > 1 ? "key field" : "value", rq->value, cur->str, expect);
	if (key < tc->min || key > tc->max)
		return say(CHANGE_REFUSED, err, errlen, "%s: %s is outside its bounds [%s, %s]",
			   ti->name, tunable_key_str(key, a, sizeof(a)),
			   tunable_key_str(tc->min, b, sizeof(b)),
			   tunable_key_str(tc->max, c, sizeof(c)));
	if (hostfs_value_equal(cur->str, rq->value))
		return say(CHANGE_REFUSED, err, errlen, "%s is already %s", ti->name, cur->str);
	return CHANGE_OK;
}

/* src (NULL: "") into dst, cut to fit: notes and reasons may be shortened */
static void copy(char *dst, size_t len, const char *src)
{
	size_t n;

	if (!src)
		src = "";
	n = strlen(src);
	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = 0;
}

/* A journal entry for a request: pending, old = cur. */
static void request_entry(const struct change_request *rq, const char *old, uint64_t ino,
			  double now, struct journal_entry *e)
{
	size_t n;

	journal_entry_init(e);
	e->time = now;
	e->scope = rq->target.scope;
	copy(e->netns, sizeof(e->netns), rq->target.netns);
	copy(e->cgroup, sizeof(e->cgroup), rq->target.cgroup);
	n = strlen(e->cgroup); /* one spelling per cgroup, for the gate */
	while (n > 1 && e->cgroup[n - 1] == '/')
		e->cgroup[--n] = 0;
	e->ino = rq->target.scope == TUNE_PROCESS ? 0 : ino;
	e->pid = rq->target.scope == TUNE_PROCESS ? rq->target.pid : 0;
	e->start = rq->target.scope == TUNE_PROCESS ? ino : 0;
	copy(e->tunable, sizeof(e->tunable), rq->target.tunable);
	copy(e->old, sizeof(e->old), old);
	copy(e->new, sizeof(e->new), rq->value);
	copy(e->reason, sizeof(e->reason), rq->reason);
	copy(e->finding, sizeof(e->finding), rq->finding);
	copy(e->tuner, sizeof(e->tuner), rq->tuner);
	copy(e->metric, sizeof(e->metric), rq->metric);
	e->before = rq->metric ? rq->metric_before : NAN;
	e->state = JS_PENDING;
}

static bool request_valid(const struct change_request *rq, const struct tunable_info *ti,
			  const struct lever_info *l)
{
	const struct tune_target *t = &rq->target;
	enum tune_scope scope = ti ? ti->scope : l ? l->scope : t->scope;

	if (t->scope == TUNE_PROCESS && (t->pid <= 0 || t->cgroup || t->netns))
		return false;
	return (ti || l) && rq->value && scope == t->scope &&
	       (t->scope == TUNE_CGROUP ? t->cgroup && !t->netns : !t->cgroup) &&
	       (!t->netns || strlen(t->netns) < sizeof(((struct journal_entry *)0)->netns)) &&
	       (!t->cgroup || strlen(t->cgroup) < sizeof(((struct journal_entry *)0)->cgroup));
}

/*
 * A lever's policy (lever.h): allowed, its cgroup or process in scope (never
 * PID 1, a kernel thread or perfpilot; the same process that was meant),
 * open (step_gate), a valid new value (canonical into value) that differs
 * from the current one. CHANGE_OK or CHANGE_REFUSED.
 */
static int check_lever(const struct hostfs *h, const struct journal *j,
		       const struct tune_config *cfg, const struct change_request *rq,
		       const struct lever_info *l, const struct hostfs_value *cur, uint64_t start,
		       double now, char *value, size_t vlen, char *err, size_t errlen)
{
	const struct tune_target *t = &rq->target;
	struct tune_target gate = *t;
	char cg[PATH_MAX] = "", e2[256];
	struct hostproc p;

	if (!config_lever_allows(cfg, l->name))
		return say(CHANGE_REFUSED, err, errlen, "%s is not in the allowlist", l->name);
	if (t->scope == TUNE_CGROUP && !config_cgroup_allowed(cfg, t->cgroup) &&
	    !config_rule_cgroup(cfg, t->cgroup))
		return say(CHANGE_REFUSED, err, errlen,
			   "cgroup %s may not be touched (not below a configured cgroup, -c or "
			   "--protect)", t->cgroup);
	if (t->scope == TUNE_PROCESS) {
		if (t->start && t->start != start)
			return say(CHANGE_REFUSED, err, errlen,
				   "PID %d is another process now: not touched", t->pid);
		if (t->pid == 1)
			return say(CHANGE_REFUSED, err, errlen, "PID 1 is never changed");
		if (t->pid == getpid())
			return say(CHANGE_REFUSED, err, errlen, "perfpilot does not change itself");
		if (hostproc_get(h, t->pid, &p, err, errlen))
			return CHANGE_REFUSED;
		if (p.kthread)
			return say(CHANGE_REFUSED, err, errlen, "%d (%s) is a kernel thread: never "
				   "changed", t->pid, p.comm);
		if (hostproc_cgroup(h, t->pid, "cpu", cg, sizeof(cg), e2, sizeof(e2)))
			cg[0] = 0;
		if (!config_process_allowed(cfg, t->pid, p.comm, p.uid, cg))
			return say(CHANGE_REFUSED, err, errlen,
				   "process %d (%s, uid %lld) is not in scope: not an ordinary "
				   "user's, not named, listed or in a configured cgroup", t->pid,
				   p.comm, (long long)p.uid);
	}
	if (t->scope == TUNE_PROCESS)
		gate.start = start; /* this process, not an earlier one of its PID */
	if (step_gate(j, &gate, now, config_cooldown(cfg, l->name), err, errlen) != GATE_OPEN)
		return CHANGE_REFUSED;
	if (lever_value(l, rq->value, value, vlen, err, errlen))
		return CHANGE_REFUSED;
	if (!strncmp(cur->str, "mixed", 5))
		return say(CHANGE_REFUSED, err, errlen, "%s: its threads differ (%s): left alone",
			   l->name, cur->str);
	if (lever_value_equal(l, cur->str, value))
		return say(CHANGE_REFUSED, err, errlen, "%s is already %s", l->name, cur->str);
	return CHANGE_OK;
}

/* The write did not take: put the old value back, mark the entry failed. */
static int apply_failed(const struct hostfs *h, struct journal *j, const struct tune_target *t,
			struct journal_entry *e, const char *why, char *err, size_t errlen)
{
	char note[256], e2[256];
	struct hostfs_value v;
	int64_t id = e->id;
	bool restored;

	snprintf(note, sizeof(note), "%s", why);
	restored = !change_target_read(h, t, &v, e2, sizeof(e2)) &&
		   tune_value_equal(e->tunable, v.str, e->old);
	if (!restored)
		restored = !write_checked(h, t, e->old, e2, sizeof(e2));
	if (!restored) {
		/* left pending: revert_all decides once the host is readable */
		snprintf(err, errlen, "%s; restoring '%s' failed too: %s", note, e->old, e2);
		journal_update(j, id, JS_PENDING, err, e2, sizeof(e2));
		return CHANGE_FAILED;
	}
	if (journal_update(j, id, JS_FAILED, note, err, errlen))
		return CHANGE_ERROR;
	snprintf(err, errlen, "%s", note);
	return CHANGE_FAILED;
}

int change_apply(const struct hostfs *h, struct journal *j, const struct tune_config *cfg,
		 const struct change_request *rq, int64_t *id, char *err, size_t errlen)
{
	const struct tunable_info *ti = tunable_find(rq->target.tunable);
	const struct lever_info *l = ti ? NULL : lever_find(rq->target.tunable);
	char value[HOSTFS_VALUE_MAX];
	struct change_request lrq;
	struct journal_entry e;
	struct hostfs_value cur;
	struct tune_target t;
	double now = rq->now;
	uint64_t ino;
	int rc;

	if (!request_valid(rq, ti, l))
		return say(CHANGE_REFUSED, err, errlen, "not a change perfpilot makes: %s %s",
			   tune_scope_name(rq->target.scope),
			   rq->target.tunable ? rq->target.tunable : "(none)");
	rc = check_tuner(cfg, rq, ti, l, err, errlen);
	if (rc)
		return rc;
	if (now == 0) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		now = (double)ts.tv_sec + ts.tv_nsec / 1e9;
	}
	if (target_ino(h, &rq->target, &ino, err, errlen) ||
	    change_target_read(h, &rq->target, &cur, err, errlen))
		/* a process that exited, a cgroup that vanished: not an error of the run */
		return errno == ENOENT && rq->target.scope != TUNE_SYSCTL ? CHANGE_REFUSED :
		       CHANGE_ERROR;
	if (l) {
		rc = check_lever(h, j, cfg, rq, l, &cur, ino, now, value, sizeof(value), err,
				 errlen);
		lrq = *rq;
		lrq.value = value;
		rq = &lrq;
	} else {
		rc = check_policy(j, cfg, rq, ti, &cur, now, err, errlen);
	}
	if (rc)
		return rc;
	request_entry(rq, cur.str, ino, now, &e);
	if (journal_add(j, &e, id, err, errlen))
		return CHANGE_ERROR; /* nothing written */
	journal_entry_target(&e, &t);
	if (write_checked(h, &t, e.new, err, errlen))
		return apply_failed(h, j, &t, &e, err, err, errlen);
	return journal_update(j, e.id, JS_APPLIED, NULL, err, errlen) ? CHANGE_ERROR : CHANGE_OK;
}

/* ---- restoring ---- */

/* Mark an entry and fill the result; -1 only when the journal cannot be saved. */
static int settle(struct journal *j, struct journal_entry *e, enum journal_state st,
		  bool restored, const char *why, struct change_result *res, char *err,
		  size_t errlen)
{
	res->restored = restored;
	copy(res->reason, sizeof(res->reason), why);
	if (journal_update(j, e->id, st, why && *why ? why : NULL, err, errlen))
		return -1;
	res->state = st;
	return 0;
}

/*
 * Is the entry's cgroup or namespace still the one it was? 0 yes, 1 gone
 * (or replaced by a new one of the same name), -1 cannot tell (why).
 */
static int container_state(const struct hostfs *h, const struct journal_entry *e,
			   const struct tune_target *t, char *why, size_t len)
{
	uint64_t ino;

	if (e->scope == TUNE_PROCESS)
		return hostproc_same(h, e->pid, e->start, why, len);
	if (target_ino(h, t, &ino, why, len))
		return errno == ENOENT ? 1 : -1;
	return e->ino && ino != e->ino ? 1 : 0;
}

/*
 * Restore one open entry to its old value if the host still holds
 * perfpilot's (rules in change.h), marking it `done`.
 */
static int restore_entry(const struct hostfs *h, struct journal *j, struct journal_entry *e,
			 enum journal_state done, struct change_result *res, char *err,
			 size_t errlen)
{
	struct hostfs_value cur;
	struct tune_target t;
	char why[640];
	int here;

	memset(res, 0, sizeof(*res));
	res->id = e->id;
	res->state = e->state;
	journal_entry_target(e, &t);
	here = container_state(h, e, &t, why, sizeof(why));
	if (here < 0) {
		copy(res->reason, sizeof(res->reason), why);
		return 0;
	}
	if (here > 0)
		return settle(j, e, JS_ADMIN_CHANGED, false,
			      e->scope == TUNE_CGROUP ? "cgroup gone" :
			      e->scope == TUNE_PROCESS ? "process gone (or its PID reused)" :
			      "network namespace gone",
			      res, err, errlen);
	if (change_target_read(h, &t, &cur, why, sizeof(why))) {
		copy(res->reason, sizeof(res->reason), why);
		return 0;
	}
	copy(res->found, sizeof(res->found), cur.str);
	if (tune_value_equal(e->tunable, cur.str, e->old))
		return settle(j, e, done, true,
			      e->state == JS_PENDING ? "the write had not happened"
						     : "already at the old value",
			      res, err, errlen);
	if (!tune_value_equal(e->tunable, cur.str, e->new)) {
		snprintf(why, sizeof(why), "changed since: now '%s', perfpilot wrote '%s'", cur.str,
			 e->new);
		return settle(j, e, JS_ADMIN_CHANGED, false, why, res, err, errlen);
	}
	if (write_checked(h, &t, e->old, why, sizeof(why))) {
		copy(res->reason, sizeof(res->reason), why);
		return 0;
	}
	return settle(j, e, done, true, NULL, res, err, errlen);
}

int change_rollback(const struct hostfs *h, struct journal *j, int64_t id,
		    struct change_result *res, char *err, size_t errlen)
{
	struct journal_entry *e = journal_get(j, id), *n;
	struct tune_target t, nt;
	size_t i;

	if (!e)
		return say(CHANGE_REFUSED, err, errlen, "no change %lld in the journal", (long long)id);
	if (!journal_state_open(e->state))
		return say(CHANGE_REFUSED, err, errlen, "change %lld is %s: nothing to roll back",
			   (long long)id, journal_state_name(e->state));
	journal_entry_target(e, &t);
	for (i = 0; (n = journal_newest(j, i)) && n->id > id; i++) {
		journal_entry_target(n, &nt);
		if (journal_state_open(n->state) && tune_target_equal(&t, &nt))
			return say(CHANGE_REFUSED, err, errlen,
				   "change %lld of the same tunable is newer: roll that back first",
				   (long long)n->id);
	}
	return restore_entry(h, j, e, JS_ROLLED_BACK, res, err, errlen) ? CHANGE_ERROR : CHANGE_OK;
}

void change_report_free(struct change_report *rep)
{
	free(rep->r);
	rep->r = NULL;
	rep->n = rep->cap = 0;
}

static struct change_result *report_slot(struct change_report *rep)
{
	struct change_result *r;
	size_t cap;

	if (rep->n == rep->cap) {
		cap = rep->cap ? rep->cap * 2 : 16;
		r = realloc(rep->r, cap * sizeof(*r));
		if (!r)
			return NULL;
		rep->r = r;
		rep->cap = cap;
	}
	return &rep->r[rep->n++];
}

int revert_all(const struct hostfs *h, struct journal *j, struct change_report *rep, char *err,
	       size_t errlen)
{
	struct journal_entry *e;
	struct change_result *res;
	size_t i;

	for (i = 0; (e = journal_newest(j, i)); i++) {
		if (!journal_state_open(e->state))
			continue;
		res = report_slot(rep);
		if (!res)
			return say(-1, err, errlen, "out of memory");
		if (restore_entry(h, j, e, JS_REVERTED, res, err, errlen))
			return -1;
	}
	return 0;
}
