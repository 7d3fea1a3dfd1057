/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's alerts: rules on findings and on metric thresholds from the
 * config's [alert NAME] sections, their instances (pending -> firing ->
 * resolved, with `for` and a cooldown), and their notifications to a
 * webhook and to an Alertmanager through the sender threads of notify.h.
 * docs/daemon-alerts.md has the rules, the semantics and the payloads.
 *
 * Evaluating never waits for the network: alerts_eval_* only put
 * notifications in the senders' bounded queues. Every function may be
 * called from any thread (one lock guards the state).
 */
#ifndef PP_DAEMON_ALERTS_H
#define PP_DAEMON_ALERTS_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

struct alerts_config;
struct alerts_config *alerts_config_new(void);
void alerts_config_free(struct alerts_config *c);

/*
 * One key of an [alert NAME] section (name != NULL) or of [notify]
 * (name == NULL): 0, or -1 with what is wrong and what is allowed in err
 * (the caller prefixes FILE:LINE:). key == NULL (value ignored) declares
 * the section [alert NAME] itself, so that an empty section or a second
 * one of the same name is caught; the caller may skip it.
 */
int alerts_config_add(struct alerts_config *c, const char *name, const char *key,
		      const char *value, char *err, size_t errlen);

/* After the whole file: completeness (an [alert] with neither finding nor
 * metric, a metric alert without above or below, ...). 0 or -1. */
int alerts_config_check(const struct alerts_config *c, char *err, size_t errlen);

/* The number of [alert] rules of a config. */
size_t alerts_config_rules(const struct alerts_config *c);

struct alerts;

/*
 * Start with the rules and sinks of c (copied: c may be freed at once);
 * starts a sender thread per configured sink. NULL with a one-line err.
 */
struct alerts *alerts_start(const struct alerts_config *c, char *err, size_t errlen);

/*
 * New rules and sinks (c checked, copied). Instances of rules that keep
 * their name (and stay on findings or on a metric) keep their state; those
 * of rules that vanished are resolved now (notified when they fired).
 * 0, or -1 when a new sender cannot start (the old config stays).
 */
int alerts_reload(struct alerts *a, const struct alerts_config *c);

/* Each analysis: `findings` = the "findings" array of report --json (a
 * JSON array of finding objects, report/json.c; the whole report object
 * will do too); now = unix seconds. NULL or anything else: nothing
 * changes (no analysis is not an analysis without findings). */
void alerts_eval_findings(struct alerts *a, const json_t *findings, double now);

/*
 * Each interval: every exported value of the interval in one call (a
 * series missing from it ended: its alerts resolve). labels in canonical
 * text form `cgroup="/x",kind="minor"` ("" if none); counters as
 * per-second rates. now = unix seconds.
 */
struct alert_metric {
	const char *name;
	const char *labels;
	double value;
};
void alerts_eval_metrics(struct alerts *a, const struct alert_metric *m, size_t n, double now);

/* firing: instances firing now; sent, failed, retried, dropped: the
 * notifications of all sinks since the start (counters). */
struct alerts_stats {
	unsigned firing;
	unsigned long long sent, failed, retried, dropped;
};
void alerts_get_stats(struct alerts *a, struct alerts_stats *st);

/* The sinks, for perfpilot_notifications_total{sink,outcome}. */
enum alerts_sink { ALERTS_SINK_WEBHOOK, ALERTS_SINK_ALERTMANAGER, ALERTS_NSINKS };
const char *alerts_sink_name(enum alerts_sink s); /* "webhook", "alertmanager" */
/* One sink's counters (firing = 0): true when the sink has a sender (it
 * was configured at the start or by a reload since; its counters go on
 * when a reload empties its URL), false with all zero when it never had. */
bool alerts_get_sink_stats(struct alerts *a, enum alerts_sink s, struct alerts_stats *st);

/*
 * The alert instances that are pending or firing now (and those resolved
 * but still in their cooldown), as a JSON array of objects {"rule",
 * "state": "pending"|"firing"|"resolved", "labels", "activeSince",
 * "startsAt", "endsAt", "value", "summary", "fingerprint"} (new reference);
 * for an /api/alerts endpoint and the tests.
 */
json_t *alerts_json(struct alerts *a);

/*
 * Deliver what is queued until the deadline, then stop the senders and
 * free everything. deadline_s: seconds from now (a value over 1e9 is taken
 * as an absolute unix time). A request in flight at the deadline is
 * abandoned within about a second. Notifications still queued then are
 * counted as dropped.
 */
void alerts_stop(struct alerts *a, double deadline_s);

/* Log lines go through log (levels 0 debug, 1 info, 2 warning, 3 error);
 * NULL: no logging (the default). */
void alerts_set_logger(struct alerts *a, void (*log)(int level, const char *fmt, ...));

#endif
