// SPDX-License-Identifier: GPL-2.0
/*
 * TEMPORARY stand-in for the alerts of the daemon-alerts branch, which
 * replaces this file: it checks the [alert NAME] and [notify] keys of the
 * config (so that a bad config is refused now) and evaluates and notifies
 * nothing.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "daemon/alerts.h"
#include "daemon/config.h"

#define ALERTS_MAX 64

struct alert_rule {
	char name[64];
	bool finding, metric, bound;
};

struct alerts_config {
	struct alert_rule r[ALERTS_MAX];
	size_t n;
};

struct alerts {
	void (*log)(int level, const char *fmt, ...);
};

struct alerts_config *alerts_config_new(void)
{
	return calloc(1, sizeof(struct alerts_config));
}

void alerts_config_free(struct alerts_config *c)
{
	free(c);
}

static struct alert_rule *rule(struct alerts_config *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (!strcmp(c->r[i].name, name))
			return &c->r[i];
	if (c->n == ALERTS_MAX)
		return NULL;
	snprintf(c->r[c->n].name, sizeof(c->r[c->n].name), "%s", name);
	return &c->r[c->n++];
}

static bool url_ok(const char *v)
{
	return !*v || !strncmp(v, "http://", 7) || !strncmp(v, "https://", 8);
}

static int notify_key(const char *key, const char *value, char *err, size_t errlen)
{
	double d;

	if (!strcmp(key, "webhook") || !strcmp(key, "alertmanager")) {
		if (url_ok(value))
			return 0;
		snprintf(err, errlen, "%s = '%s': an http:// or https:// URL", key, value);
	} else if (!strcmp(key, "timeout")) {
		if (!daemon_parse_duration(value, &d) && d > 0)
			return 0;
		snprintf(err, errlen, "timeout = '%s': a duration such as 5s", value);
	} else {
		snprintf(err, errlen, "unknown key '%s' in [notify]: use webhook, alertmanager or "
			 "timeout", key);
	}
	return -1;
}

int alerts_config_add(struct alerts_config *c, const char *name, const char *key,
		      const char *value, char *err, size_t errlen)
{
	struct alert_rule *r;
	char *end;
	double d;

	if (!name)
		return notify_key(key, value, err, errlen);
	r = rule(c, name);
	if (!r) {
		snprintf(err, errlen, "more than %d alerts", ALERTS_MAX);
		return -1;
	}
	if (!strcmp(key, "finding")) {
		r->finding = true;
	} else if (!strcmp(key, "metric")) {
		if (strncmp(value, "perfpilot_", 10)) {
			snprintf(err, errlen, "metric = '%s': an exported metric, perfpilot_...",
				 value);
			return -1;
		}
		r->metric = true;
	} else if (!strcmp(key, "severity")) {
		if (strcmp(value, "info") && strcmp(value, "warning") && strcmp(value, "critical")) {
			snprintf(err, errlen, "severity = '%s': use info, warning or critical", value);
			return -1;
		}
	} else if (!strcmp(key, "cooldown") || !strcmp(key, "for")) {
		if (daemon_parse_duration(value, &d)) {
			snprintf(err, errlen, "%s = '%s': a duration such as 30s, 5m, 1h", key, value);
			return -1;
		}
	} else if (!strcmp(key, "above") || !strcmp(key, "below")) {
		strtod(value, &end);
		if (!*value || *end) {
			snprintf(err, errlen, "%s = '%s': a number", key, value);
			return -1;
		}
		r->bound = true;
	} else if (!strcmp(key, "match")) {
		if (!strchr(value, '=')) {
			snprintf(err, errlen, "match = '%s': use label=value", value);
			return -1;
		}
	} else if (strcmp(key, "scope")) {
		snprintf(err, errlen, "unknown key '%s' in [alert %s]: use finding, severity, scope, "
			 "cooldown, metric, match, above, below or for", key, name);
		return -1;
	}
	return 0;
}

int alerts_config_check(const struct alerts_config *c, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		const struct alert_rule *r = &c->r[i];

		if (r->finding == r->metric) {
			snprintf(err, errlen, "[alert %s] needs either finding or metric", r->name);
			return -1;
		}
		if (r->metric && !r->bound) {
			snprintf(err, errlen, "[alert %s] needs above or below", r->name);
			return -1;
		}
	}
	return 0;
}

struct alerts *alerts_start(const struct alerts_config *c, char *err, size_t errlen)
{
	struct alerts *a = calloc(1, sizeof(*a));

	(void)c;
	if (!a)
		snprintf(err, errlen, "out of memory");
	return a;
}

int alerts_reload(struct alerts *a, const struct alerts_config *c)
{
	(void)a;
	(void)c;
	return 0;
}

void alerts_eval_findings(struct alerts *a, const json_t *findings, double now)
{
	(void)a;
	(void)findings;
	(void)now;
}

void alerts_eval_metrics(struct alerts *a, const struct alert_metric *m, size_t n, double now)
{
	(void)a;
	(void)m;
	(void)n;
	(void)now;
}

void alerts_get_stats(struct alerts *a, struct alerts_stats *st)
{
	(void)a;
	memset(st, 0, sizeof(*st));
}

void alerts_stop(struct alerts *a, double deadline_s)
{
	(void)deadline_s;
	free(a);
}

void alerts_set_logger(struct alerts *a, void (*log)(int level, const char *fmt, ...))
{
	if (a)
		a->log = log;
}
