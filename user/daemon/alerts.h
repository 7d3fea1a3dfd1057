/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Alerts on findings and on metric thresholds, and their notifications
 * (a webhook, Alertmanager): the interface of the shared daemon spec
 * (/work/notes/daemon-spec.md). The daemon-alerts branch implements it;
 * until then alerts.c is a temporary stand-in that checks the config and
 * notifies nothing.
 */
#ifndef PP_DAEMON_ALERTS_H
#define PP_DAEMON_ALERTS_H

#include <jansson.h>
#include <stddef.h>

struct alerts_config;
struct alerts_config *alerts_config_new(void);
void alerts_config_free(struct alerts_config *c);

/* one key of an [alert NAME] section (name != NULL) or of [notify]
 * (name == NULL): 0, or -1 with "what is wrong" in err (the caller
 * prefixes FILE:LINE:) */
int alerts_config_add(struct alerts_config *c, const char *name, const char *key,
		      const char *value, char *err, size_t errlen);

/* after the whole file: completeness (an [alert] with neither finding nor
 * metric, ...) */
int alerts_config_check(const struct alerts_config *c, char *err, size_t errlen);

struct alerts;
/* starts the sender thread (never blocks the caller) */
struct alerts *alerts_start(const struct alerts_config *c, char *err, size_t errlen);
/* new rules; keeps the state of rules with the same name */
int alerts_reload(struct alerts *a, const struct alerts_config *c);

/* each analysis: `findings` = the "findings" JSON array of report --json */
void alerts_eval_findings(struct alerts *a, const json_t *findings, double now);

/* each interval: the exported values; labels in canonical text form
 * `cgroup="/x",kind="minor"` ("" if none); counters as per-second rates */
struct alert_metric {
	const char *name;
	const char *labels;
	double value;
};
void alerts_eval_metrics(struct alerts *a, const struct alert_metric *m, size_t n, double now);

struct alerts_stats {
	unsigned firing;
	unsigned long long sent, failed, retried, dropped;
};
void alerts_get_stats(struct alerts *a, struct alerts_stats *st);

/* tries to deliver what is queued until the deadline */
void alerts_stop(struct alerts *a, double deadline_s);

/* levels 0 debug, 1 info, 2 warning, 3 error */
void alerts_set_logger(struct alerts *a, void (*log)(int level, const char *fmt, ...));

#endif
