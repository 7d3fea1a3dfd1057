// SPDX-License-Identifier: GPL-2.0
/*
 * The alert engine (alerts.h): instances of the rules, their states
 * (pending -> firing -> resolved), `for`, cooldown, hysteresis, reload,
 * and the notifications it queues on the sinks of notify.h.
 */
#define _GNU_SOURCE
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "daemon/alerts.h"
#include "daemon/alerts_config.h"
#include "daemon/alerts_match.h"
#include "daemon/alerts_payload.h"
#include "daemon/notify.h"

/* alert instances kept at most (pending, firing, resolved in cooldown) */
#define MAX_INSTANCES 4096
/* entities of one finding considered */
#define MAX_ENTITIES 8
/* Alertmanager forgets a firing alert not re-sent within its endsAt: that
 * many resend periods (or gaps between evaluations) */
#define AM_TTL_PERIODS 4

enum inst_state { ST_PENDING, ST_FIRING, ST_RESOLVED };

static const char *state_name(enum inst_state s)
{
	return s == ST_PENDING ? "pending" : s == ST_FIRING ? "firing" : "resolved";
}

struct instance {
	char *rule;              /* the rule's name */
	enum alert_on on;
	char *key;               /* finding: kind|entity key; metric: the label text */
	enum inst_state state;
	bool seen;               /* met in the evaluation under way */
	bool fired;              /* has fired at least once (last_fired is set) */
	double active_since;     /* its condition holds since */
	double starts_at;        /* of its last firing */
	double ends_at;          /* of its last resolve; NAN */
	double last_fired;       /* of its last firing notification (cooldown) */
	json_t *labels;          /* the alert's labels (frozen while firing) */
	json_t *finding;         /* on a finding: the last one seen (brief) */
	json_t *metric_labels;   /* on a metric: the series' labels */
	double value;            /* on a metric: the last value (NAN: the series ended) */
	char *summary;
	char fingerprint[17];
};

struct alerts {
	pthread_mutex_t lock;
	struct alerts_config *cfg;
	struct instance **inst;
	size_t n, cap;
	struct notifier *sink[ALERTS_NSINKS];
	char hostname[256];
	double last_eval, eval_gap, last_resend;
	unsigned long long too_many;   /* instances not created: MAX_INSTANCES reached */
	notify_log_fn log;
};

#define LOG(a, level, ...) do { if ((a)->log) (a)->log((level), __VA_ARGS__); } while (0)

const char *alerts_sink_name(enum alerts_sink s)
{
	return s == ALERTS_SINK_WEBHOOK ? "webhook" : s == ALERTS_SINK_ALERTMANAGER ? "alertmanager"
									       : "?";
}

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const struct alert_rule *rule_of(const struct alerts *a, const struct instance *i)
{
	return alerts_config_rule(a->cfg, i->rule);
}

/* ---- instances ---- */

static void inst_free(struct instance *i)
{
	if (!i)
		return;
	free(i->rule);
	free(i->key);
	free(i->summary);
	json_decref(i->labels);
	json_decref(i->finding);
	json_decref(i->metric_labels);
	free(i);
}

static struct instance *inst_find(struct alerts *a, const char *rule, const char *key)
{
	size_t k;

	for (k = 0; k < a->n; k++)
		if (!strcmp(a->inst[k]->rule, rule) && !strcmp(a->inst[k]->key, key))
			return a->inst[k];
	return NULL;
}

static struct instance *inst_new(struct alerts *a, const struct alert_rule *r, const char *key)
{
	struct instance *i, **n;

	if (a->n >= MAX_INSTANCES) {
		if (!a->too_many++)
			LOG(a, 2, "alerts: more than %d alert instances: alert %s (%s) and any new "
			    "ones after it are left out", MAX_INSTANCES, r->name, key);
		return NULL;
	}
	if (a->n == a->cap) {
		n = realloc(a->inst, (a->cap ? a->cap * 2 : 16) * sizeof(*n));
		if (!n)
			return NULL;
		a->inst = n;
		a->cap = a->cap ? a->cap * 2 : 16;
	}
	i = calloc(1, sizeof(*i));
	if (!i)
		return NULL;
	i->rule = strdup(r->name);
	i->key = strdup(key);
	if (!i->rule || !i->key) {
		inst_free(i);
		return NULL;
	}
	i->on = r->on;
	i->state = ST_RESOLVED;   /* not active yet: activate() makes it pending */
	i->ends_at = NAN;
	i->value = NAN;
	a->inst[a->n++] = i;
	return i;
}

static void inst_remove(struct alerts *a, struct instance *i)
{
	size_t k;

	for (k = 0; k < a->n; k++)
		if (a->inst[k] == i) {
			a->inst[k] = a->inst[--a->n];
			break;
		}
	inst_free(i);
}

static void set_summary(struct instance *i, const char *s)
{
	char *d = strdup(s);

	if (d) {
		free(i->summary);
		i->summary = d;
	}
}

/* ---- notifications ---- */

static double am_ttl(const struct alerts *a)
{
	double p = a->cfg->notify.resend_s;

	if (a->eval_gap > p)
		p = a->eval_gap;
	return AM_TTL_PERIODS * p;
}

static void description(const struct instance *i, const struct alert_rule *r, char *buf,
			size_t len)
{
	const json_t *recs, *rec;
	size_t k, used;
	char d[32];

	if (i->on == ALERT_ON_METRIC) {
		alerts_format_duration(r ? r->for_s : 0, d, sizeof(d));
		snprintf(buf, len, "alert %s: %s %s %g%s%s", i->rule, r ? r->metric : "?",
			 r && r->op == OP_BELOW ? "below" : "above", r ? r->threshold : NAN,
			 r && r->for_s > 0 ? " for " : "", r && r->for_s > 0 ? d : "");
		return;
	}
	snprintf(buf, len, "%s finding %s (%s).",
		 json_string_value(json_object_get(i->finding, "resource")) ?: "?",
		 json_string_value(json_object_get(i->finding, "kind")) ?: "?",
		 json_string_value(json_object_get(i->finding, "severity")) ?: "?");
	recs = json_object_get(i->finding, "recommendations");
	json_array_foreach(recs, k, rec) {
		used = strlen(buf);
		if (used + 2 >= len)
			break;
		snprintf(buf + used, len - used, " %s",
			 json_string_value(json_object_get(rec, "text")) ?: "");
	}
}

static void fill_note(const struct alerts *a, const struct instance *i,
		      const struct alert_rule *r, struct alert_note *n, char *desc, size_t desclen)
{
	memset(n, 0, sizeof(*n));
	description(i, r, desc, desclen);
	n->status = i->state == ST_FIRING ? "firing" : "resolved";
	n->rule = i->rule;
	n->labels = i->labels;
	n->summary = i->summary ? i->summary : "";
	n->description = desc;
	n->starts_at = i->starts_at;
	n->ends_at = i->state == ST_FIRING ? NAN : i->ends_at;
	n->fingerprint = i->fingerprint;
	n->hostname = a->hostname;
	if (i->on == ALERT_ON_METRIC) {
		n->metric = r ? r->metric : "";
		n->metric_labels = i->metric_labels;
		n->value = i->value;
		n->op = r && r->op == OP_BELOW ? "below" : "above";
		n->threshold = r ? r->threshold : NAN;
		n->clear = r ? (r->has_clear ? r->clear : r->threshold) : NAN;
		n->for_s = r ? r->for_s : NAN;
	} else {
		n->finding = i->finding;
	}
}

static void post_am(struct alerts *a, json_t *arr, const char *what)
{
	char *body;

	if (!json_array_size(arr))
		return;
	body = json_dumps(arr, JSON_COMPACT);
	if (body)
		notify_post(a->sink[ALERTS_SINK_ALERTMANAGER], body, what);
	free(body);
}

/* One notification of i's present state (firing or resolved) to every sink. */
static void notify(struct alerts *a, const struct instance *i, double now)
{
	const struct alert_rule *r = rule_of(a, i);
	struct alert_note n;
	char desc[1024], what[160];
	json_t *arr, *al;
	char *body;

	fill_note(a, i, r, &n, desc, sizeof(desc));
	snprintf(what, sizeof(what), "alert %s %s", i->rule, n.status);
	LOG(a, 1, "alert %s %s: %s", i->rule, n.status, n.summary);
	if (a->sink[ALERTS_SINK_WEBHOOK] && a->cfg->notify.webhook) {
		body = alerts_webhook_body(&n);
		if (body)
			notify_post(a->sink[ALERTS_SINK_WEBHOOK], body, what);
		free(body);
	}
	if (a->sink[ALERTS_SINK_ALERTMANAGER] && a->cfg->notify.alertmanager) {
		/* a firing alert ends by itself unless it is re-sent (alerts_resend) */
		if (i->state == ST_FIRING)
			n.ends_at = now + am_ttl(a);
		arr = json_array();
		al = alerts_am_alert(&n, a->cfg->notify.generator_url);
		if (arr && al)
			json_array_append_new(arr, al);
		else
			json_decref(al);
		post_am(a, arr, what);
		json_decref(arr);
	}
}

/* Alertmanager: the firing alerts again, each resend period. */
static void resend(struct alerts *a, double now)
{
	struct alert_note n;
	char desc[1024];
	json_t *arr, *al;
	size_t k;

	if (!a->sink[ALERTS_SINK_ALERTMANAGER] || !a->cfg->notify.alertmanager)
		return;
	if (isinf(a->last_resend))
		a->last_resend = now;     /* the first period starts now */
	if (now - a->last_resend < a->cfg->notify.resend_s)
		return;
	a->last_resend = now;
	arr = json_array();
	for (k = 0; arr && k < a->n; k++) {
		/* those that fired in this evaluation were just sent */
		if (a->inst[k]->state != ST_FIRING || a->inst[k]->last_fired == now)
			continue;
		fill_note(a, a->inst[k], rule_of(a, a->inst[k]), &n, desc, sizeof(desc));
		n.ends_at = now + am_ttl(a);
		al = alerts_am_alert(&n, a->cfg->notify.generator_url);
		if (al)
			json_array_append_new(arr, al);
	}
	post_am(a, arr, "firing alerts re-sent");
	json_decref(arr);
}

/* ---- states ---- */

static void fire(struct alerts *a, struct instance *i, double now)
{
	i->state = ST_FIRING;
	i->starts_at = i->active_since;
	i->ends_at = NAN;
	i->last_fired = now;
	i->fired = true;
	alerts_fingerprint(i->labels, i->fingerprint);
	notify(a, i, now);
}

/* Its condition holds at now: pending, and firing once `for` has passed
 * and no firing was notified within the cooldown. */
static void activate(struct alerts *a, struct instance *i, const struct alert_rule *r, double now)
{
	i->seen = true;
	if (i->state == ST_FIRING)
		return;
	if (i->state == ST_RESOLVED) {
		i->state = ST_PENDING;
		i->active_since = now;
	}
	if (now - i->active_since >= r->for_s &&
	    (!i->fired || now - i->last_fired >= r->cooldown_s))
		fire(a, i, now);
}

/* Its condition no longer holds: a firing alert resolves; a pending one
 * goes back to what it was (resolved, or nothing). Returns false when i
 * was freed. */
static bool deactivate(struct alerts *a, struct instance *i, double now)
{
	i->seen = true;
	switch (i->state) {
	case ST_FIRING:
		i->state = ST_RESOLVED;
		i->ends_at = now;
		notify(a, i, now);
		return true;
	case ST_PENDING:
		if (!i->fired) {
			inst_remove(a, i);
			return false;
		}
		i->state = ST_RESOLVED;
		return true;
	case ST_RESOLVED:
		return true;
	}
	return true;
}

/* After an evaluation of `on`: those not met resolve; resolved ones past
 * their cooldown are forgotten. */
static void sweep(struct alerts *a, enum alert_on on, double now)
{
	const struct alert_rule *r;
	struct instance *i;
	size_t k = 0;

	while (k < a->n) {
		i = a->inst[k];
		if (i->on == on && !i->seen) {
			if (on == ALERT_ON_METRIC)
				i->value = NAN;   /* the series ended */
			if (!deactivate(a, i, now))
				continue;         /* removed: a->inst[k] is another now */
		}
		r = rule_of(a, i);
		if (i->state == ST_RESOLVED &&
		    (!i->fired || !r || now - i->last_fired >= r->cooldown_s)) {
			inst_remove(a, i);
			continue;
		}
		k++;
	}
}

static void begin_eval(struct alerts *a, enum alert_on on, double now)
{
	size_t k;

	for (k = 0; k < a->n; k++)
		if (a->inst[k]->on == on)
			a->inst[k]->seen = false;
	if (a->last_eval > 0 && now > a->last_eval)
		a->eval_gap = now - a->last_eval > a->eval_gap ? now - a->last_eval
							      : 0.9 * a->eval_gap + 0.1 * (now - a->last_eval);
	a->last_eval = now;
}

/* ---- findings ---- */

static json_t *finding_labels(const struct alerts *a, const struct alert_rule *r,
			      const json_t *f, const json_t *entity)
{
	json_t *l = json_pack("{s:s, s:s, s:s, s:s, s:s}", "alertname", r->name, "instance",
			      a->hostname, "severity",
			      json_string_value(json_object_get(f, "severity")) ?: "info", "kind",
			      json_string_value(json_object_get(f, "kind")) ?: "",
			      "resource", json_string_value(json_object_get(f, "resource")) ?: "");

	if (l)
		json_object_update(l, (json_t *)entity);
	return l;
}

/* The instance of rule r for finding f: one it already has for one of f's
 * entities (so that victims changing places in the list do not make a new
 * alert), else the first entity's (new when needed); NULL when none is
 * left this evaluation. */
static struct instance *finding_instance(struct alerts *a, const struct alert_rule *r,
					 const char *kind, struct alert_entity *e, size_t ne,
					 size_t *which)
{
	struct instance *i;
	char key[400];
	size_t k;
	int pass;

	for (pass = 0; pass < 3; pass++)
		for (k = 0; k < ne; k++) {
			if ((size_t)snprintf(key, sizeof(key), "%s|%s", kind, e[k].key) >= sizeof(key))
				continue;
			i = inst_find(a, r->name, key);
			if (i && i->seen)
				continue;
			/* first one that is active, then one in its cooldown, then a new one */
			if ((pass == 0 && i && i->state != ST_RESOLVED) ||
			    (pass == 1 && i) || (pass == 2 && !i)) {
				*which = k;
				return i ? i : inst_new(a, r, key);
			}
		}
	return NULL;
}

void alerts_eval_findings(struct alerts *a, const json_t *findings, double now)
{
	struct alert_entity ents[MAX_ENTITIES];
	const struct alert_rule *r;
	struct instance *i;
	const json_t *f;
	const char *kind;
	size_t k, j, ne, which = 0;

	/* the whole report will do too; anything else is no analysis */
	if (json_is_object(findings))
		findings = json_object_get(findings, "findings");
	if (!json_is_array(findings))
		return;
	pthread_mutex_lock(&a->lock);
	begin_eval(a, ALERT_ON_FINDING, now);
	for (k = 0; k < a->cfg->nrules; k++) {
		r = &a->cfg->rules[k];
		if (r->on != ALERT_ON_FINDING)
			continue;
		json_array_foreach(findings, j, f) {
			ne = alerts_finding_entities(r, f, ents, MAX_ENTITIES);
			if (!ne)
				continue;
			kind = json_string_value(json_object_get(f, "kind"));
			i = finding_instance(a, r, kind, ents, ne, &which);
			if (i) {
				json_t *brief = alerts_finding_brief(f);

				if (brief) {
					json_decref(i->finding);
					i->finding = brief;
				}
				if (i->state != ST_FIRING) {
					json_t *l = finding_labels(a, r, f, ents[which].labels);

					if (l) {
						json_decref(i->labels);
						i->labels = l;
					}
				}
				set_summary(i, json_string_value(json_object_get(f, "summary")) ?: kind);
				if (i->labels)
					activate(a, i, r, now);
			}
			alerts_entities_free(ents, ne);
		}
	}
	sweep(a, ALERT_ON_FINDING, now);
	resend(a, now);
	pthread_mutex_unlock(&a->lock);
}

/* ---- metrics ---- */

/* The alert's labels: alertname, instance, severity, then the series'
 * (one of the same name renamed exported_NAME, as Prometheus does). */
static json_t *metric_labels(const struct alerts *a, const struct alert_rule *r,
			     const struct alert_labels *l, json_t **series)
{
	json_t *o = json_pack("{s:s, s:s, s:s}", "alertname", r->name, "instance", a->hostname,
			      "severity", alerts_severity_name(r->severity));
	char name[128];
	size_t k;

	*series = json_object();
	if (!o || !*series) {
		json_decref(o);
		json_decref(*series);
		*series = NULL;
		return NULL;
	}
	for (k = 0; k < l->n; k++) {
		json_object_set_new(*series, l->name[k], json_string(l->value[k]));
		if (json_object_get(o, l->name[k]))
			snprintf(name, sizeof(name), "exported_%s", l->name[k]);
		else
			snprintf(name, sizeof(name), "%s", l->name[k]);
		json_object_set_new(o, name, json_string(l->value[k]));
	}
	return o;
}

static void metric_summary(struct instance *i, const struct alert_rule *r, const char *labels)
{
	char buf[512], d[32], v[32], series[400];
	double c = r->has_clear ? r->clear : r->threshold;

	if (labels[0])
		snprintf(series, sizeof(series), "%s{%s}", r->metric, labels);
	else
		snprintf(series, sizeof(series), "%s", r->metric);
	if (isnan(i->value))
		snprintf(v, sizeof(v), "no value");
	else
		snprintf(v, sizeof(v), "%g", i->value);
	alerts_format_duration(r->for_s, d, sizeof(d));
	if (i->state == ST_FIRING || i->state == ST_PENDING)
		snprintf(buf, sizeof(buf), "%s is %s, %s %g%s%s", series, v,
			 r->op == OP_BELOW ? "below" : "above", r->threshold,
			 r->for_s > 0 ? " for " : "", r->for_s > 0 ? d : "");
	else if (isnan(i->value))
		snprintf(buf, sizeof(buf), "%s: the series ended", series);
	else
		snprintf(buf, sizeof(buf), "%s is %s, back to %g or %s", series, v, c,
			 r->op == OP_BELOW ? "above" : "below");
	set_summary(i, buf);
}

static void eval_series(struct alerts *a, const struct alert_rule *r,
			const struct alert_metric *m, const struct alert_labels *l, double now)
{
	const char *key = m->labels ? m->labels : "";
	struct instance *i = inst_find(a, r->name, key);
	json_t *labels, *series;

	if (i && i->seen)
		return;                   /* the same series twice: the first counts */
	if (alerts_metric_holds(r, m->value)) {
		if (!i)
			i = inst_new(a, r, key);
		if (!i)
			return;
		i->value = m->value;
		if (i->state != ST_FIRING) {
			labels = metric_labels(a, r, l, &series);
			if (labels) {
				json_decref(i->labels);
				json_decref(i->metric_labels);
				i->labels = labels;
				i->metric_labels = series;
			}
		}
		if (!i->labels) {
			i->seen = true;
			return;
		}
		/* the summary of its state after this evaluation */
		if (i->state == ST_RESOLVED) {
			i->state = ST_PENDING;
			i->active_since = now;
		}
		metric_summary(i, r, key);
		activate(a, i, r, now);
		return;
	}
	if (!i)
		return;
	i->value = m->value;
	if (i->state == ST_FIRING && !alerts_metric_cleared(r, m->value)) {
		i->seen = true;           /* between the threshold and clear: still firing */
		metric_summary(i, r, key);
		return;
	}
	if (i->state == ST_FIRING) {
		i->state = ST_RESOLVED;   /* for the summary; deactivate notifies */
		metric_summary(i, r, key);
		i->state = ST_FIRING;
	}
	deactivate(a, i, now);
}

void alerts_eval_metrics(struct alerts *a, const struct alert_metric *m, size_t n, double now)
{
	const struct alert_rule *r;
	struct alert_labels l;
	bool parsed;
	size_t k, j;

	pthread_mutex_lock(&a->lock);
	begin_eval(a, ALERT_ON_METRIC, now);
	for (k = 0; k < n; k++) {
		parsed = false;
		for (j = 0; j < a->cfg->nrules; j++) {
			r = &a->cfg->rules[j];
			if (r->on != ALERT_ON_METRIC || !m[k].name || strcmp(r->metric, m[k].name))
				continue;
			if (!parsed) {
				if (alerts_labels_parse(m[k].labels, &l)) {
					LOG(a, 0, "alerts: %s{%s}: labels not in canonical form; "
					    "left out", m[k].name, m[k].labels);
					break;
				}
				parsed = true;
			}
			if (alerts_metric_matches(r, m[k].name, &l))
				eval_series(a, r, &m[k], &l, now);
		}
		if (parsed)
			alerts_labels_free(&l);
	}
	/* a firing alert whose series is gone resolves: its summary says so */
	for (k = 0; k < a->n; k++) {
		struct instance *i = a->inst[k];

		r = rule_of(a, i);
		if (i->on == ALERT_ON_METRIC && !i->seen && i->state == ST_FIRING && r) {
			i->value = NAN;
			i->state = ST_RESOLVED;
			metric_summary(i, r, i->key);
			i->state = ST_FIRING;
		}
	}
	sweep(a, ALERT_ON_METRIC, now);
	resend(a, now);
	pthread_mutex_unlock(&a->lock);
}

/* ---- start, reload, stop ---- */

static void sink_opts(const struct alerts_config *c, enum alerts_sink s, struct notify_opts *o,
		      char *url, size_t urllen)
{
	memset(o, 0, sizeof(*o));
	o->name = alerts_sink_name(s);
	if (s == ALERTS_SINK_WEBHOOK && c->notify.webhook) {
		snprintf(url, urllen, "%s", c->notify.webhook);
		o->url = url;
	} else if (s == ALERTS_SINK_ALERTMANAGER && c->notify.alertmanager) {
		snprintf(url, urllen, "%s/api/v2/alerts", c->notify.alertmanager);
		o->url = url;
	}
	o->timeout_s = c->notify.timeout_s;
	o->attempts = c->notify.attempts;
	o->backoff_s = c->notify.backoff_s;
	o->queue = c->notify.queue;
}

struct alerts *alerts_start(const struct alerts_config *c, char *err, size_t errlen)
{
	struct alerts *a = calloc(1, sizeof(*a));
	struct notify_opts o;
	char url[2048];
	int s;

	if (!a || !(a->cfg = alerts_config_copy(c))) {
		snprintf(err, errlen, "alerts: out of memory");
		free(a);
		return NULL;
	}
	pthread_mutex_init(&a->lock, NULL);
	if (gethostname(a->hostname, sizeof(a->hostname) - 1) || !a->hostname[0])
		snprintf(a->hostname, sizeof(a->hostname), "localhost");
	a->hostname[sizeof(a->hostname) - 1] = 0;
	a->last_resend = -INFINITY;
	for (s = 0; s < ALERTS_NSINKS; s++) {
		sink_opts(c, (enum alerts_sink)s, &o, url, sizeof(url));
		if (!o.url)
			continue;
		a->sink[s] = notify_start(&o, err, errlen);
		if (!a->sink[s]) {
			alerts_stop(a, 0);
			return NULL;
		}
	}
	return a;
}

int alerts_reload(struct alerts *a, const struct alerts_config *c)
{
	struct notifier *started[ALERTS_NSINKS] = { NULL };
	struct alerts_config *nc = alerts_config_copy(c);
	const struct alert_rule *r;
	struct notify_opts o;
	char url[2048], err[256];
	struct instance *i;
	double now = wall_now();
	size_t k;
	int s;

	if (!nc)
		return -1;
	pthread_mutex_lock(&a->lock);
	/* first what can fail: the senders of sinks new to the config */
	for (s = 0; s < ALERTS_NSINKS; s++) {
		sink_opts(nc, (enum alerts_sink)s, &o, url, sizeof(url));
		if (a->sink[s] || !o.url)
			continue;
		started[s] = notify_start(&o, err, sizeof(err));
		if (!started[s]) {
			LOG(a, 3, "alerts: reload: %s", err);
			while (s-- > 0)
				notify_stop(started[s], 0);
			pthread_mutex_unlock(&a->lock);
			alerts_config_free(nc);
			return -1;
		}
		if (a->log)
			notify_set_logger(started[s], a->log);
	}
	/* the alerts of rules that vanished (or changed from findings to a
	 * metric or back) resolve, through the sinks they fired to */
	k = 0;
	while (k < a->n) {
		i = a->inst[k];
		r = alerts_config_rule(nc, i->rule);
		if (r && r->on == i->on) {
			k++;
			continue;
		}
		if (i->state == ST_FIRING) {
			i->state = ST_RESOLVED;
			i->ends_at = now;
			set_summary(i, "its alert rule was removed from the config");
			notify(a, i, now);
		}
		inst_remove(a, i);
	}
	for (s = 0; s < ALERTS_NSINKS; s++) {
		sink_opts(nc, (enum alerts_sink)s, &o, url, sizeof(url));
		if (started[s])
			a->sink[s] = started[s];
		else if (a->sink[s] && notify_update(a->sink[s], &o))
			LOG(a, 2, "alerts: reload: %s keeps its old settings (out of memory)",
			    alerts_sink_name((enum alerts_sink)s));
	}
	alerts_config_free(a->cfg);
	a->cfg = nc;
	pthread_mutex_unlock(&a->lock);
	return 0;
}

bool alerts_get_sink_stats(struct alerts *a, enum alerts_sink s, struct alerts_stats *st)
{
	struct notify_stats ns;
	bool on;

	memset(st, 0, sizeof(*st));
	if ((int)s < 0 || s >= ALERTS_NSINKS)
		return false;
	pthread_mutex_lock(&a->lock);
	on = a->sink[s] != NULL;
	if (on) {
		notify_get_stats(a->sink[s], &ns);
		st->sent = ns.sent;
		st->failed = ns.failed;
		st->retried = ns.retried;
		st->dropped = ns.dropped;
	}
	pthread_mutex_unlock(&a->lock);
	return on;
}

void alerts_get_stats(struct alerts *a, struct alerts_stats *st)
{
	struct alerts_stats one;
	size_t k;
	int s;

	memset(st, 0, sizeof(*st));
	for (s = 0; s < ALERTS_NSINKS; s++) {
		alerts_get_sink_stats(a, (enum alerts_sink)s, &one);
		st->sent += one.sent;
		st->failed += one.failed;
		st->retried += one.retried;
		st->dropped += one.dropped;
	}
	pthread_mutex_lock(&a->lock);
	for (k = 0; k < a->n; k++)
		st->firing += a->inst[k]->state == ST_FIRING;
	pthread_mutex_unlock(&a->lock);
}

static json_t *time_or_null(double t)
{
	char buf[40];

	if (isnan(t) || t <= 0)
		return json_null();
	alerts_rfc3339(t, buf, sizeof(buf));
	return json_string(buf);
}

json_t *alerts_json(struct alerts *a)
{
	json_t *arr = json_array(), *o;
	struct instance *i;
	size_t k;

	pthread_mutex_lock(&a->lock);
	for (k = 0; arr && k < a->n; k++) {
		i = a->inst[k];
		o = json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:s, s:s}", "rule", i->rule,
			      "state", state_name(i->state), "labels",
			      i->labels ? json_incref(i->labels) : json_object(), "activeSince",
			      time_or_null(i->state == ST_RESOLVED ? NAN : i->active_since),
			      "startsAt", time_or_null(i->fired ? i->starts_at : NAN), "endsAt",
			      time_or_null(i->state == ST_RESOLVED ? i->ends_at : NAN), "value",
			      isfinite(i->value) ? json_real(i->value) : json_null(), "summary",
			      i->summary ? i->summary : "", "fingerprint",
			      i->fired ? i->fingerprint : "");
		if (o)
			json_array_append_new(arr, o);
	}
	pthread_mutex_unlock(&a->lock);
	return arr;
}

void alerts_set_logger(struct alerts *a, void (*log)(int level, const char *fmt, ...))
{
	int s;

	pthread_mutex_lock(&a->lock);
	a->log = log;
	for (s = 0; s < ALERTS_NSINKS; s++)
		if (a->sink[s])
			notify_set_logger(a->sink[s], log);
	pthread_mutex_unlock(&a->lock);
}

void alerts_stop(struct alerts *a, double deadline_s)
{
	double until;
	size_t k;
	int s;

	if (!a)
		return;
	if (deadline_s > 1e9)
		until = notify_clock() + (deadline_s - wall_now());
	else
		until = notify_clock() + (deadline_s > 0 ? deadline_s : 0);
	for (s = 0; s < ALERTS_NSINKS; s++)
		notify_stop(a->sink[s], until);
	for (k = 0; k < a->n; k++)
		inst_free(a->inst[k]);
	free(a->inst);
	alerts_config_free(a->cfg);
	pthread_mutex_destroy(&a->lock);
	free(a);
}
