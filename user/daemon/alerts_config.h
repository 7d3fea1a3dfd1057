/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The alert rules and the sinks of the daemon's config, as parsed by
 * alerts_config_add() and checked by alerts_config_check() (alerts.h): the
 * layout the engine (alerts.c) reads. docs/daemon-alerts.md lists the keys.
 */
#ifndef PP_DAEMON_ALERTS_CONFIG_H
#define PP_DAEMON_ALERTS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include "daemon/alerts.h"

enum alert_on { ALERT_ON_NONE, ALERT_ON_FINDING, ALERT_ON_METRIC };
enum alert_severity { ALERT_SEV_INFO, ALERT_SEV_WARNING, ALERT_SEV_CRITICAL };
enum alert_scope { SCOPE_NONE, SCOPE_CGROUP, SCOPE_COMM };
enum alert_op { OP_NONE, OP_ABOVE, OP_BELOW };

#define ALERT_NAME_MAX 64
#define ALERT_COMM_MAX 15          /* the kernel's comm, without its NUL */
#define ALERT_MAX_MATCH 8

/* label=value of `match`; value is an fnmatch(3) pattern */
struct label_match {
	char *label;
	char *pattern;
};

struct alert_rule {
	char *name;
	enum alert_on on;
	/* keys given (each at most once) */
	unsigned seen;
	/* on a finding */
	char *finding;                   /* a kind, or "*" */
	enum alert_severity severity;    /* finding: minimum; metric: the label */
	enum alert_scope scope;
	char *scope_value;               /* the cgroup path (no /sys/fs/cgroup, no trailing /) or comm */
	/* on a metric */
	char *metric;
	struct label_match match[ALERT_MAX_MATCH];
	size_t nmatch;
	enum alert_op op;
	double threshold;
	bool has_clear;
	double clear;                    /* resolves at or beyond this (default: threshold) */
	/* both */
	double for_s;
	double cooldown_s;
};

struct notify_config {
	char *webhook;                   /* NULL: none */
	char *alertmanager;              /* base URL without trailing '/'; NULL: none */
	char *generator_url;             /* Alertmanager's generatorURL; NULL: none */
	double timeout_s;
	unsigned attempts;               /* per notification, the first included */
	double backoff_s;                /* delay before the first retry; doubles */
	size_t queue;                    /* notifications waiting, per sink */
	double resend_s;                 /* Alertmanager: firing alerts re-sent this often */
	unsigned seen;
};

struct alerts_config {
	struct alert_rule *rules;
	size_t nrules;
	struct notify_config notify;
};

#define ALERT_DEFAULT_COOLDOWN_S 300.0
#define ALERT_DEFAULT_TIMEOUT_S 5.0
#define ALERT_DEFAULT_ATTEMPTS 5
#define ALERT_DEFAULT_BACKOFF_S 1.0
#define ALERT_DEFAULT_QUEUE 256
#define ALERT_DEFAULT_RESEND_S 60.0

/*
 * A duration: a number >= 0 of seconds, or with a unit: ms, s, m, h, d
 * ("30s", "5m", "1.5h", "7d"). 0, or -1 when it is not one.
 */
int alerts_parse_duration(const char *s, double *out);

/* "30s", "5m", "1h30m": a duration for messages (as short as exact). */
void alerts_format_duration(double s, char *buf, size_t len);

const char *alerts_severity_name(enum alert_severity s);
/* "info", "warning", "critical" -> 0..2, or -1 */
int alerts_severity_parse(const char *s);

/* A deep copy of c (NULL on no memory). */
struct alerts_config *alerts_config_copy(const struct alerts_config *c);

/* The rule named name, or NULL. */
const struct alert_rule *alerts_config_rule(const struct alerts_config *c, const char *name);

/* Are the sink settings of a and b the same (URLs, timeout, attempts, ...)? */
bool alerts_notify_equal(const struct notify_config *a, const struct notify_config *b);

#endif
