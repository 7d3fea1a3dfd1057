/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What an alert rule matches: findings (kind, minimum severity, scope over
 * the victims) and the entity each is about; metric series (name and
 * label patterns) and their canonical label text. Pure: no state, no I/O.
 */
#ifndef PP_DAEMON_ALERTS_MATCH_H
#define PP_DAEMON_ALERTS_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include "daemon/alerts_config.h"

#define ALERT_MAX_LABELS 16

/* The labels of a series, parsed from `a="x",b="y"` (values unescaped). */
struct alert_labels {
	size_t n;
	char *name[ALERT_MAX_LABELS];
	char *value[ALERT_MAX_LABELS];
};

/* Parse canonical label text ("" or NULL: none). 0, or -1 when it is
 * malformed or has more than ALERT_MAX_LABELS labels (out then empty). */
int alerts_labels_parse(const char *text, struct alert_labels *out);
void alerts_labels_free(struct alert_labels *l);
/* The value of label name, or NULL. */
const char *alerts_labels_get(const struct alert_labels *l, const char *name);

/* Is series (name, labels) one of metric rule r's: the same metric name
 * and every `match` pattern matching its label's value (fnmatch(3); a
 * missing label matches no pattern)? */
bool alerts_metric_matches(const struct alert_rule *r, const char *name,
			   const struct alert_labels *l);

/* Does value v hold the condition of metric rule r (above: v > threshold;
 * below: v < threshold)? NaN never does. */
bool alerts_metric_holds(const struct alert_rule *r, double v);
/* Has a firing alert of r cleared at v (above: v <= clear; below:
 * v >= clear; clear defaults to the threshold)? NaN: yes. */
bool alerts_metric_cleared(const struct alert_rule *r, double v);

/*
 * The entity of a finding an alert is about: a victim (process: pid, comm,
 * cgroup; cgroup: its path), or, for a finding without victims, its
 * evidence's entity (entity_kind, entity). key tells entities apart (a
 * process by pid and start); labels holds the label strings (a new
 * reference, json object).
 */
struct alert_entity {
	char key[320];
	json_t *labels;
};

/*
 * Does finding f (an object of report --json's "findings") match rule r
 * (kind or *, severity at least r's minimum, scope)? Then the entities it
 * could be about, most relevant first, into ents (at most max; each
 * labels to be released with alerts_entities_free): the victims that
 * match the scope (all of them without a scope), or, without victims and
 * without a scope, the evidence's entity. Returns how many (0: no match).
 */
size_t alerts_finding_entities(const struct alert_rule *r, const json_t *f,
			       struct alert_entity *ents, size_t max);
void alerts_entities_free(struct alert_entity *ents, size_t n);

/* Is cgroup path p in scope (the same path or below it, "/": every one)? */
bool alerts_cgroup_in(const char *p, const char *scope);

/* The severity of finding f (0..2), or -1 when it has none we know. */
int alerts_finding_severity(const json_t *f);

#endif
