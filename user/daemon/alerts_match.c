// SPDX-License-Identifier: GPL-2.0
/* What an alert rule matches: findings and metric series (alerts_match.h). */
#define _GNU_SOURCE
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "daemon/alerts_match.h"

/* ---- metric series ---- */

void alerts_labels_free(struct alert_labels *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->name[i]);
		free(l->value[i]);
	}
	l->n = 0;
}

static int labels_bad(struct alert_labels *l)
{
	alerts_labels_free(l);
	return -1;
}

int alerts_labels_parse(const char *text, struct alert_labels *out)
{
	const char *p = text, *start;
	char *v;
	size_t n;

	out->n = 0;
	if (!p)
		return 0;
	while (*p) {
		start = p;
		while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' ||
		       (p > start && *p >= '0' && *p <= '9'))
			p++;
		if (p == start || p[0] != '=' || p[1] != '"' || out->n == ALERT_MAX_LABELS)
			return labels_bad(out);
		out->name[out->n] = strndup(start, (size_t)(p - start));
		v = malloc(strlen(p) + 1);
		out->value[out->n] = v;
		if (!out->name[out->n] || !v) {
			out->n++;
			return labels_bad(out);
		}
		out->n++;
		n = 0;
		for (p += 2; *p && *p != '"'; p++) {
			if (*p == '\\') {
				p++;
				if (*p == 'n')
					v[n++] = '\n';
				else if (*p == '\\' || *p == '"')
					v[n++] = *p;
				else
					return labels_bad(out);
			} else {
				v[n++] = *p;
			}
		}
		v[n] = 0;
		if (*p != '"')
			return labels_bad(out);
		p++;
		if (*p == ',')
			p++;
		else if (*p)
			return labels_bad(out);
	}
	return 0;
}

const char *alerts_labels_get(const struct alert_labels *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->name[i], name))
			return l->value[i];
	return NULL;
}

bool alerts_metric_matches(const struct alert_rule *r, const char *name,
			   const struct alert_labels *l)
{
	const char *v;
	size_t i;

	if (r->on != ALERT_ON_METRIC || !name || strcmp(r->metric, name))
		return false;
	for (i = 0; i < r->nmatch; i++) {
		v = alerts_labels_get(l, r->match[i].label);
		if (!v || fnmatch(r->match[i].pattern, v, 0))
			return false;
	}
	return true;
}

bool alerts_metric_holds(const struct alert_rule *r, double v)
{
	if (isnan(v))
		return false;
	return r->op == OP_ABOVE ? v > r->threshold : r->op == OP_BELOW && v < r->threshold;
}

bool alerts_metric_cleared(const struct alert_rule *r, double v)
{
	double c = r->has_clear ? r->clear : r->threshold;

	if (isnan(v))
		return true;
	return r->op == OP_ABOVE ? v <= c : v >= c;
}

/* ---- findings ---- */

bool alerts_cgroup_in(const char *p, const char *scope)
{
	size_t n = strlen(scope);

	if (!p)
		return false;
	if (!strcmp(scope, "/"))
		return p[0] == '/';
	return !strncmp(p, scope, n) && (p[n] == 0 || p[n] == '/');
}

int alerts_finding_severity(const json_t *f)
{
	return alerts_severity_parse(json_string_value(json_object_get(f, "severity")));
}

static const char *str_of(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static bool victim_in_scope(const struct alert_rule *r, const json_t *v)
{
	const char *kind = str_of(v, "kind");

	switch (r->scope) {
	case SCOPE_NONE:
		return true;
	case SCOPE_COMM:
		return !strcmp(kind, "process") && !strcmp(str_of(v, "comm"), r->scope_value);
	case SCOPE_CGROUP:
		return alerts_cgroup_in(json_string_value(json_object_get(v, "cgroup")),
					r->scope_value);
	}
	return false;
}

/* A victim as an entity: 0, or -1 (not a process or a cgroup, no memory). */
static int victim_entity(const json_t *v, struct alert_entity *e)
{
	const char *kind = str_of(v, "kind"), *cg = str_of(v, "cgroup");
	json_int_t pid = json_integer_value(json_object_get(v, "pid"));
	const json_t *start = json_object_get(v, "process_start");
	char pids[24];

	if (!strcmp(kind, "process")) {
		/* a pid and its start tell apart two processes of one pid */
		if (json_is_number(start))
			snprintf(e->key, sizeof(e->key), "process:%lld@%.3f", (long long)pid,
				 json_number_value(start));
		else
			snprintf(e->key, sizeof(e->key), "process:%lld:%s", (long long)pid,
				 str_of(v, "comm"));
		snprintf(pids, sizeof(pids), "%lld", (long long)pid);
		e->labels = json_pack("{s:s, s:s, s:s}", "pid", pids, "comm", str_of(v, "comm"),
				      "cgroup", cg);
	} else if (!strcmp(kind, "cgroup")) {
		snprintf(e->key, sizeof(e->key), "cgroup:%s", cg);
		e->labels = json_pack("{s:s}", "cgroup", cg);
	} else {
		return -1;
	}
	return e->labels ? 0 : -1;
}

size_t alerts_finding_entities(const struct alert_rule *r, const json_t *f,
			       struct alert_entity *ents, size_t max)
{
	const json_t *victims = json_object_get(f, "victims"), *ev, *v;
	const char *kind = json_string_value(json_object_get(f, "kind"));
	int sev = alerts_finding_severity(f);
	size_t n = 0, i;

	if (r->on != ALERT_ON_FINDING || !kind || !max || sev < 0 || sev < (int)r->severity)
		return 0;
	if (strcmp(r->finding, "*") && strcmp(r->finding, kind))
		return 0;
	json_array_foreach(victims, i, v) {
		if (n == max)
			break;
		if (victim_in_scope(r, v) && !victim_entity(v, &ents[n]))
			n++;
	}
	if (n || r->scope != SCOPE_NONE || json_array_size(victims))
		return n;
	/* no victims: the evidence says what it is about (the host, a disk) */
	ev = json_object_get(f, "evidence");
	snprintf(ents[0].key, sizeof(ents[0].key), "%s:%s", str_of(ev, "entity_kind"),
		 str_of(ev, "entity"));
	ents[0].labels = json_pack("{s:s, s:s}", "entity_kind", str_of(ev, "entity_kind"),
				   "entity", str_of(ev, "entity"));
	return ents[0].labels ? 1 : 0;
}

void alerts_entities_free(struct alert_entity *ents, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		json_decref(ents[i].labels);
		ents[i].labels = NULL;
	}
}
