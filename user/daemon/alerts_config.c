// SPDX-License-Identifier: GPL-2.0
/* The [alert NAME] and [notify] sections of the daemon's config (alerts_config.h). */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "daemon/alerts_config.h"

/* the keys of an [alert]: bits of alert_rule.seen */
enum {
	K_FINDING = 1 << 0, K_SEVERITY = 1 << 1, K_SCOPE = 1 << 2, K_COOLDOWN = 1 << 3,
	K_FOR = 1 << 4, K_METRIC = 1 << 5, K_MATCH = 1 << 6, K_ABOVE = 1 << 7,
	K_BELOW = 1 << 8, K_CLEAR = 1 << 9, K_SECTION = 1 << 10,
};
#define K_FINDING_ONLY (K_FINDING | K_SCOPE)
#define K_METRIC_ONLY (K_METRIC | K_MATCH | K_ABOVE | K_BELOW | K_CLEAR)

static const struct {
	const char *key;
	unsigned bit;
} alert_keys[] = {
	{ "finding", K_FINDING }, { "severity", K_SEVERITY }, { "scope", K_SCOPE },
	{ "cooldown", K_COOLDOWN }, { "for", K_FOR }, { "metric", K_METRIC },
	{ "match", K_MATCH }, { "above", K_ABOVE }, { "below", K_BELOW }, { "clear", K_CLEAR },
};

enum {
	N_WEBHOOK = 1 << 0, N_ALERTMANAGER = 1 << 1, N_GENERATOR = 1 << 2, N_TIMEOUT = 1 << 3,
	N_ATTEMPTS = 1 << 4, N_BACKOFF = 1 << 5, N_QUEUE = 1 << 6, N_RESEND = 1 << 7,
};

static const struct {
	const char *key;
	unsigned bit;
} notify_keys[] = {
	{ "webhook", N_WEBHOOK }, { "alertmanager", N_ALERTMANAGER },
	{ "generator_url", N_GENERATOR }, { "timeout", N_TIMEOUT }, { "attempts", N_ATTEMPTS },
	{ "backoff", N_BACKOFF }, { "queue", N_QUEUE }, { "resend", N_RESEND },
};

#define ALERT_KEYS_TEXT "finding, severity, scope, for, cooldown (on a finding) or metric, " \
	"match, above, below, clear, for, severity, cooldown (on a metric)"
#define NOTIFY_KEYS_TEXT "webhook, alertmanager, generator_url, timeout, attempts, backoff, " \
	"queue, resend"
#define DURATION_TEXT "a number of seconds, or with ms, s, m, h or d (30s, 5m, 1h, 7d)"

#define MAX_ATTEMPTS 20
#define MAX_QUEUE 100000
#define MAX_TIMEOUT_S 300.0

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* ---- values ---- */

/* A plain decimal number (digits, one '.', optional sign when signed) at
 * the start of s; its length, or 0. */
static size_t number_len(const char *s, bool sign)
{
	size_t i = 0, digits = 0, dots = 0;

	if (sign && (s[0] == '-' || s[0] == '+'))
		i++;
	for (; s[i]; i++) {
		if (isdigit((unsigned char)s[i]))
			digits++;
		else if (s[i] == '.' && !dots)
			dots++;
		else
			break;
	}
	return digits ? i : 0;
}

int alerts_parse_duration(const char *s, double *out)
{
	static const struct {
		const char *unit;
		double mult;
	} units[] = { { "", 1 }, { "ms", 0.001 }, { "s", 1 }, { "m", 60 }, { "h", 3600 },
		      { "d", 86400 } };
	size_t n = number_len(s, false), i;
	char num[64];
	double v;

	if (!n || n >= sizeof(num))
		return -1;
	memcpy(num, s, n);
	num[n] = 0;
	errno = 0;
	v = strtod(num, NULL);
	if (errno || !isfinite(v))
		return -1;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(s + n, units[i].unit)) {
			v *= units[i].mult;
			if (!isfinite(v) || v > 1e10)
				return -1;
			*out = v;
			return 0;
		}
	return -1;
}

void alerts_format_duration(double s, char *buf, size_t len)
{
	long long t = llround(s);
	char *p = buf;
	size_t left = len;
	int n;

	if (!len)
		return;
	buf[0] = 0;
	if (fabs(s - (double)t) > 1e-9 || t < 0) {
		snprintf(buf, len, "%gs", s);
		return;
	}
	if (t == 0) {
		snprintf(buf, len, "0s");
		return;
	}
	static const struct {
		char unit;
		long long secs;
	} parts[] = { { 'd', 86400 }, { 'h', 3600 }, { 'm', 60 }, { 's', 1 } };
	for (size_t i = 0; i < 4 && left > 1; i++) {
		if (t < parts[i].secs)
			continue;
		n = snprintf(p, left, "%lld%c", t / parts[i].secs, parts[i].unit);
		if (n < 0 || (size_t)n >= left)
			return;
		p += n;
		left -= (size_t)n;
		t %= parts[i].secs;
	}
}

/* A finite decimal number, also in scientific notation (1e9, 2.5E-3): no
 * hexadecimal, inf or nan. */
static int parse_number(const char *s, double *out)
{
	size_t n = number_len(s, true);
	char *end;
	double v;

	if (!n)
		return -1;
	if (s[n] == 'e' || s[n] == 'E') {
		n++;
		if (s[n] == '+' || s[n] == '-')
			n++;
		if (!isdigit((unsigned char)s[n]))
			return -1;
		while (isdigit((unsigned char)s[n]))
			n++;
	}
	if (s[n])
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

static int parse_uint(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

const char *alerts_severity_name(enum alert_severity s)
{
	switch (s) {
	case ALERT_SEV_INFO: return "info";
	case ALERT_SEV_WARNING: return "warning";
	case ALERT_SEV_CRITICAL: return "critical";
	}
	return "?";
}

int alerts_severity_parse(const char *s)
{
	int i;

	for (i = ALERT_SEV_INFO; i <= ALERT_SEV_CRITICAL; i++)
		if (s && !strcmp(s, alerts_severity_name((enum alert_severity)i)))
			return i;
	return -1;
}

static bool is_label_name(const char *s, size_t n)
{
	size_t i;

	if (!n || isdigit((unsigned char)s[0]))
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

static bool is_metric_name(const char *s)
{
	size_t i;

	if (!s[0] || isdigit((unsigned char)s[0]))
		return false;
	for (i = 0; s[i]; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != ':')
			return false;
	return true;
}

static bool is_kind(const char *s)
{
	size_t i;

	if (!strcmp(s, "*"))
		return true;
	if (!islower((unsigned char)s[0]))
		return false;
	for (i = 0; s[i]; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '_')
			return false;
	return i < 32;
}

static bool is_alert_name(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_-.:", s[i]))
			return false;
	return i > 0 && i <= ALERT_NAME_MAX;
}

static bool is_url(const char *s)
{
	const char *host;
	size_t i;

	if (!strncmp(s, "http://", 7))
		host = s + 7;
	else if (!strncmp(s, "https://", 8))
		host = s + 8;
	else
		return false;
	if (!host[0] || host[0] == '/')
		return false;
	for (i = 0; s[i]; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
			return false;
	return true;
}

/* A cgroup path in the form of the victims' (inside the hierarchy): the
 * mount point /sys/fs/cgroup and trailing slashes taken off. NULL when it
 * is not a clean absolute path (or no memory). */
static char *cgroup_scope(const char *v)
{
	const char *mnt = "/sys/fs/cgroup";
	size_t n = strlen(mnt), len;
	const char *p;
	char *s;

	if (v[0] != '/')
		return NULL;
	if (!strncmp(v, mnt, n) && (v[n] == 0 || v[n] == '/'))
		v += n;
	for (p = v; *p; p++) {
		if ((unsigned char)*p < ' ')
			return NULL;
		if (*p == '/' && (!strncmp(p, "//", 2) || !strncmp(p, "/./", 3) ||
				  !strcmp(p, "/.") || !strncmp(p, "/../", 4) || !strcmp(p, "/..")))
			return NULL;
	}
	s = strdup(v[0] ? v : "/");
	if (!s)
		return NULL;
	len = strlen(s);
	while (len > 1 && s[len - 1] == '/')
		s[--len] = 0;
	return s;
}

/*
 * `match`: label=value pairs separated by blanks or commas; a value may be
 * in double quotes (with \" and \\) to hold blanks or commas.
 */
static int parse_match(struct alert_rule *r, const char *v, char *err, size_t errlen)
{
	const char *p = v, *eq;
	char *val;
	size_t n;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		eq = p;
		while (*eq && *eq != '=' && *eq != ' ' && *eq != ',')
			eq++;
		if (*eq != '=' || !is_label_name(p, (size_t)(eq - p)))
			return fail(err, errlen, "[alert %s]: match '%s' is not label=value (a label "
				    "name: letters, digits, '_'; several pairs separated by blanks)",
				    r->name, v);
		if (r->nmatch == ALERT_MAX_MATCH)
			return fail(err, errlen, "[alert %s]: match has more than %d label=value pairs",
				    r->name, ALERT_MAX_MATCH);
		val = malloc(strlen(eq) + 1);
		if (!val)
			return fail(err, errlen, "out of memory");
		n = 0;
		eq++;
		if (*eq == '"') {
			for (eq++; *eq && *eq != '"'; eq++) {
				if (*eq == '\\' && (eq[1] == '"' || eq[1] == '\\'))
					eq++;
				val[n++] = *eq;
			}
			if (*eq != '"') {
				free(val);
				return fail(err, errlen, "[alert %s]: match '%s': a quoted value "
					    "has no closing \"", r->name, v);
			}
			eq++;
		} else {
			while (*eq && *eq != ' ' && *eq != '\t' && *eq != ',')
				val[n++] = *eq++;
		}
		val[n] = 0;
		r->match[r->nmatch].label = strndup(p, (size_t)(strchr(p, '=') - p));
		r->match[r->nmatch].pattern = val;
		if (!r->match[r->nmatch].label)
			return fail(err, errlen, "out of memory");
		r->nmatch++;
		p = eq;
		if (*p && *p != ' ' && *p != '\t' && *p != ',')
			return fail(err, errlen, "[alert %s]: match '%s': blank or comma expected "
				    "after a quoted value", r->name, v);
	}
	return 0;
}

/* ---- the config ---- */

struct alerts_config *alerts_config_new(void)
{
	struct alerts_config *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->notify.timeout_s = ALERT_DEFAULT_TIMEOUT_S;
	c->notify.attempts = ALERT_DEFAULT_ATTEMPTS;
	c->notify.backoff_s = ALERT_DEFAULT_BACKOFF_S;
	c->notify.queue = ALERT_DEFAULT_QUEUE;
	c->notify.resend_s = ALERT_DEFAULT_RESEND_S;
	return c;
}

static void rule_free(struct alert_rule *r)
{
	size_t i;

	free(r->name);
	free(r->finding);
	free(r->scope_value);
	free(r->metric);
	for (i = 0; i < r->nmatch; i++) {
		free(r->match[i].label);
		free(r->match[i].pattern);
	}
}

void alerts_config_free(struct alerts_config *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->nrules; i++)
		rule_free(&c->rules[i]);
	free(c->rules);
	free(c->notify.webhook);
	free(c->notify.alertmanager);
	free(c->notify.generator_url);
	free(c);
}

size_t alerts_config_rules(const struct alerts_config *c)
{
	return c ? c->nrules : 0;
}

const struct alert_rule *alerts_config_rule(const struct alerts_config *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nrules; i++)
		if (!strcmp(c->rules[i].name, name))
			return &c->rules[i];
	return NULL;
}

static struct alert_rule *rule_get(struct alerts_config *c, const char *name, bool *isnew)
{
	struct alert_rule *n, *r;
	size_t i;

	*isnew = false;
	for (i = 0; i < c->nrules; i++)
		if (!strcmp(c->rules[i].name, name))
			return &c->rules[i];
	n = realloc(c->rules, (c->nrules + 1) * sizeof(*n));
	if (!n)
		return NULL;
	c->rules = n;
	r = &c->rules[c->nrules];
	memset(r, 0, sizeof(*r));
	r->name = strdup(name);
	if (!r->name)
		return NULL;
	r->severity = ALERT_SEV_WARNING;
	r->cooldown_s = ALERT_DEFAULT_COOLDOWN_S;
	c->nrules++;
	*isnew = true;
	return r;
}

static int add_alert(struct alerts_config *c, const char *name, const char *key,
		     const char *v, char *err, size_t errlen)
{
	struct alert_rule *r;
	unsigned bit = 0;
	bool isnew;
	size_t i;
	int sev;

	if (!is_alert_name(name))
		return fail(err, errlen, "alert name '%s': only letters, digits, '_', '-', '.' and "
			    "':' (1 to %d of them)", name, ALERT_NAME_MAX);
	r = rule_get(c, name, &isnew);
	if (!r)
		return fail(err, errlen, "out of memory");
	if (!key) {
		if (r->seen & K_SECTION)
			return fail(err, errlen, "a second [alert %s] section: alert names must be "
				    "unique", name);
		r->seen |= K_SECTION;
		return 0;
	}
	for (i = 0; i < sizeof(alert_keys) / sizeof(alert_keys[0]); i++)
		if (!strcmp(key, alert_keys[i].key))
			bit = alert_keys[i].bit;
	if (!bit)
		return fail(err, errlen, "[alert %s]: unknown key '%s': an alert takes %s", name,
			    key, ALERT_KEYS_TEXT);
	if (r->seen & bit)
		return fail(err, errlen, "[alert %s]: '%s' given twice", name, key);
	if ((bit & K_FINDING_ONLY) && (r->seen & K_METRIC_ONLY))
		return fail(err, errlen, "[alert %s]: '%s' is for an alert on a finding, and this "
			    "one is on a metric (it has metric, match, above, below or clear)",
			    name, key);
	if ((bit & K_METRIC_ONLY) && (r->seen & K_FINDING_ONLY))
		return fail(err, errlen, "[alert %s]: '%s' is for an alert on a metric, and this "
			    "one is on a finding (it has finding or scope)", name, key);
	if (!v[0] && bit != K_SCOPE && bit != K_MATCH)
		return fail(err, errlen, "[alert %s]: '%s' has no value", name, key);
	switch (bit) {
	case K_FINDING:
		if (!is_kind(v))
			return fail(err, errlen, "[alert %s]: finding '%s' is not a finding kind "
				    "(lower case, digits and '_', as \"kind\" in report --json; "
				    "docs/findings.md lists them) or *", name, v);
		r->finding = strdup(v);
		r->on = ALERT_ON_FINDING;
		break;
	case K_SEVERITY:
		sev = alerts_severity_parse(v);
		if (sev < 0)
			return fail(err, errlen, "[alert %s]: severity '%s' is not info, warning "
				    "or critical", name, v);
		r->severity = (enum alert_severity)sev;
		break;
	case K_SCOPE:
		if (!v[0]) {
			r->scope = SCOPE_NONE;
		} else if (!strncmp(v, "comm=", 5)) {
			if (!v[5] || strlen(v + 5) > ALERT_COMM_MAX)
				return fail(err, errlen, "[alert %s]: scope '%s': comm=NAME takes a "
					    "command name of 1 to %d characters", name, v,
					    ALERT_COMM_MAX);
			r->scope = SCOPE_COMM;
			r->scope_value = strdup(v + 5);
		} else {
			r->scope_value = cgroup_scope(v);
			if (!r->scope_value)
				return fail(err, errlen, "[alert %s]: scope '%s' is neither a clean "
					    "cgroup path (starting with /) nor comm=NAME", name, v);
			r->scope = SCOPE_CGROUP;
		}
		break;
	case K_COOLDOWN:
	case K_FOR:
		if (alerts_parse_duration(v, bit == K_FOR ? &r->for_s : &r->cooldown_s))
			return fail(err, errlen, "[alert %s]: %s '%s' is not a duration: %s", name,
				    key, v, DURATION_TEXT);
		break;
	case K_METRIC:
		if (!is_metric_name(v))
			return fail(err, errlen, "[alert %s]: metric '%s' is not a metric name "
				    "(letters, digits, '_' and ':', not starting with a digit, as "
				    "exported on /metrics)", name, v);
		r->metric = strdup(v);
		r->on = ALERT_ON_METRIC;
		break;
	case K_MATCH:
		if (parse_match(r, v, err, errlen))
			return -1;
		break;
	case K_ABOVE:
	case K_BELOW:
		if (r->seen & (K_ABOVE | K_BELOW))
			return fail(err, errlen, "[alert %s]: both above and below: an alert has "
				    "one threshold", name);
		if (parse_number(v, &r->threshold))
			return fail(err, errlen, "[alert %s]: %s '%s' is not a number", name, key, v);
		r->op = bit == K_ABOVE ? OP_ABOVE : OP_BELOW;
		break;
	case K_CLEAR:
		if (parse_number(v, &r->clear))
			return fail(err, errlen, "[alert %s]: clear '%s' is not a number", name, v);
		r->has_clear = true;
		break;
	}
	if ((bit == K_FINDING && !r->finding) || (bit == K_METRIC && !r->metric) ||
	    (bit == K_SCOPE && r->scope != SCOPE_NONE && !r->scope_value))
		return fail(err, errlen, "out of memory");
	r->seen |= bit;
	return 0;
}

static int set_url(char **dst, const char *key, const char *v, char *err, size_t errlen)
{
	size_t n;

	free(*dst);
	*dst = NULL;
	if (!v[0])
		return 0;
	if (!is_url(v))
		return fail(err, errlen, "[notify]: %s '%s' is not an http:// or https:// URL", key,
			    v);
	*dst = strdup(v);
	if (!*dst)
		return fail(err, errlen, "out of memory");
	/* Alertmanager's base URL: the API path is added to it */
	if (!strcmp(key, "alertmanager"))
		for (n = strlen(*dst); n > 0 && (*dst)[n - 1] == '/'; n--)
			(*dst)[n - 1] = 0;
	return 0;
}

static int add_notify(struct alerts_config *c, const char *key, const char *v, char *err,
		      size_t errlen)
{
	struct notify_config *n = &c->notify;
	unsigned bit = 0;
	unsigned long u;
	size_t i;

	if (!key)
		return 0;
	for (i = 0; i < sizeof(notify_keys) / sizeof(notify_keys[0]); i++)
		if (!strcmp(key, notify_keys[i].key))
			bit = notify_keys[i].bit;
	if (!bit)
		return fail(err, errlen, "[notify]: unknown key '%s': [notify] takes %s", key,
			    NOTIFY_KEYS_TEXT);
	if (n->seen & bit)
		return fail(err, errlen, "[notify]: '%s' given twice", key);
	switch (bit) {
	case N_WEBHOOK:
		if (set_url(&n->webhook, key, v, err, errlen))
			return -1;
		break;
	case N_ALERTMANAGER:
		if (set_url(&n->alertmanager, key, v, err, errlen))
			return -1;
		break;
	case N_GENERATOR:
		if (set_url(&n->generator_url, key, v, err, errlen))
			return -1;
		break;
	case N_TIMEOUT:
		if (alerts_parse_duration(v, &n->timeout_s) || n->timeout_s <= 0 ||
		    n->timeout_s > MAX_TIMEOUT_S)
			return fail(err, errlen, "[notify]: timeout '%s' must be a duration above 0 "
				    "and at most 5m: %s", v, DURATION_TEXT);
		break;
	case N_BACKOFF:
		if (alerts_parse_duration(v, &n->backoff_s) || n->backoff_s <= 0 ||
		    n->backoff_s > 600)
			return fail(err, errlen, "[notify]: backoff '%s' must be a duration above 0 "
				    "and at most 10m: %s", v, DURATION_TEXT);
		break;
	case N_RESEND:
		if (alerts_parse_duration(v, &n->resend_s) || n->resend_s < 1 ||
		    n->resend_s > 3600)
			return fail(err, errlen, "[notify]: resend '%s' must be a duration from 1s "
				    "to 1h: %s", v, DURATION_TEXT);
		break;
	case N_ATTEMPTS:
		if (parse_uint(v, 1, MAX_ATTEMPTS, &u))
			return fail(err, errlen, "[notify]: attempts '%s' must be a whole number "
				    "from 1 to %d", v, MAX_ATTEMPTS);
		n->attempts = (unsigned)u;
		break;
	case N_QUEUE:
		if (parse_uint(v, 1, MAX_QUEUE, &u))
			return fail(err, errlen, "[notify]: queue '%s' must be a whole number from "
				    "1 to %d", v, MAX_QUEUE);
		n->queue = u;
		break;
	}
	n->seen |= bit;
	return 0;
}

int alerts_config_add(struct alerts_config *c, const char *name, const char *key,
		      const char *value, char *err, size_t errlen)
{
	if (!value)
		value = "";
	return name ? add_alert(c, name, key, value, err, errlen)
		    : add_notify(c, key, value, err, errlen);
}

int alerts_config_check(const struct alerts_config *c, char *err, size_t errlen)
{
	const struct alert_rule *r;
	size_t i;

	for (i = 0; i < c->nrules; i++) {
		r = &c->rules[i];
		if (r->on == ALERT_ON_NONE)
			return fail(err, errlen, "[alert %s]: neither finding nor metric: an alert "
				    "needs finding = KIND (or *) or metric = NAME", r->name);
		if (r->on == ALERT_ON_METRIC && r->op == OP_NONE)
			return fail(err, errlen, "[alert %s]: no threshold: an alert on a metric "
				    "needs above = X or below = X", r->name);
		if (r->on == ALERT_ON_METRIC && r->has_clear &&
		    ((r->op == OP_ABOVE && r->clear > r->threshold) ||
		     (r->op == OP_BELOW && r->clear < r->threshold)))
			return fail(err, errlen, "[alert %s]: clear %g is %s the threshold %g: the "
				    "alert resolves once the value is back to clear, which must not "
				    "be %s it", r->name, r->clear,
				    r->op == OP_ABOVE ? "above" : "below", r->threshold,
				    r->op == OP_ABOVE ? "above" : "below");
	}
	return 0;
}

/* ---- copies ---- */

static int dup_str(char **dst, const char *src)
{
	*dst = NULL;
	if (!src)
		return 0;
	*dst = strdup(src);
	return *dst ? 0 : -1;
}

struct alerts_config *alerts_config_copy(const struct alerts_config *c)
{
	struct alerts_config *d = calloc(1, sizeof(*d));
	const struct alert_rule *s;
	struct alert_rule *r;
	int bad = 0;
	size_t i, j;

	if (!d)
		return NULL;
	d->notify = c->notify;
	bad |= dup_str(&d->notify.webhook, c->notify.webhook);
	bad |= dup_str(&d->notify.alertmanager, c->notify.alertmanager);
	bad |= dup_str(&d->notify.generator_url, c->notify.generator_url);
	if (c->nrules) {
		d->rules = calloc(c->nrules, sizeof(*d->rules));
		bad |= !d->rules;
	}
	for (i = 0; !bad && i < c->nrules; i++) {
		s = &c->rules[i];
		r = &d->rules[i];
		*r = *s;
		r->nmatch = 0;
		d->nrules++;
		bad |= dup_str(&r->name, s->name);
		bad |= dup_str(&r->finding, s->finding);
		bad |= dup_str(&r->scope_value, s->scope_value);
		bad |= dup_str(&r->metric, s->metric);
		for (j = 0; j < s->nmatch; j++) {
			bad |= dup_str(&r->match[j].label, s->match[j].label);
			bad |= dup_str(&r->match[j].pattern, s->match[j].pattern);
			r->nmatch++;
		}
	}
	if (bad) {
		alerts_config_free(d);
		return NULL;
	}
	return d;
}

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

bool alerts_notify_equal(const struct notify_config *a, const struct notify_config *b)
{
	return str_eq(a->webhook, b->webhook) && str_eq(a->alertmanager, b->alertmanager) &&
	       str_eq(a->generator_url, b->generator_url) && a->timeout_s == b->timeout_s &&
	       a->attempts == b->attempts && a->backoff_s == b->backoff_s &&
	       a->queue == b->queue && a->resend_s == b->resend_s;
}
