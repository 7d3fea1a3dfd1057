/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What an alert notification says, as the webhook's JSON and as an alert
 * of Alertmanager's API v2 (POST /api/v2/alerts). docs/daemon-alerts.md
 * documents both.
 */
#ifndef PP_DAEMON_ALERTS_PAYLOAD_H
#define PP_DAEMON_ALERTS_PAYLOAD_H

#include <stddef.h>
#include <jansson.h>

#define ALERTS_WEBHOOK_VERSION 1

struct alert_note {
	const char *status;          /* "firing" or "resolved" */
	const char *rule;
	const json_t *labels;        /* object of strings: alertname, instance, severity, ... */
	const char *summary, *description;
	double starts_at;            /* unix seconds */
	double ends_at;              /* unix seconds; NAN: none (firing, for the webhook) */
	const char *fingerprint;
	const char *hostname;
	/* on a finding: the finding (report --json's object), or NULL */
	const json_t *finding;
	/* on a metric (metric != NULL) */
	const char *metric;
	const json_t *metric_labels; /* object of strings */
	double value;                /* NAN: none (the series ended) */
	const char *op;              /* "above" or "below" */
	double threshold, clear, for_s;
};

/* The webhook's JSON (compact, one line), malloc'd; NULL on no memory. */
char *alerts_webhook_body(const struct alert_note *n);

/* One alert of Alertmanager's postableAlerts (a new reference): labels,
 * annotations {summary, description}, startsAt, endsAt when not NAN,
 * generatorURL when generator_url is not NULL. */
json_t *alerts_am_alert(const struct alert_note *n, const char *generator_url);

/* A finding without its evidence's samples ("t", "values"): the part of a
 * finding a notification carries (a new reference). */
json_t *alerts_finding_brief(const json_t *finding);

/* t (unix seconds) as RFC 3339 in UTC with milliseconds:
 * 2026-01-02T03:04:05.678Z */
void alerts_rfc3339(double t, char *buf, size_t len);

/* 16 hex digits of a 64-bit FNV-1a over the labels sorted by name: the
 * same labels, the same fingerprint. */
void alerts_fingerprint(const json_t *labels, char out[17]);

#endif
