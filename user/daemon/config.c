// SPDX-License-Identifier: GPL-2.0
/* The daemon's config file: parse, check, load and reload. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "daemon/config.h"
#include "daemon/http.h"
#include "daemon/log.h"

enum section { S_NONE, S_DAEMON, S_RETENTION, S_ANALYSIS, S_HTTP, S_TUNE, S_NOTIFY, S_ALERT };

static const char *const section_names[] = {
	"", "daemon", "retention", "analysis", "http", "tune", "notify", "alert",
};

enum kind { K_DURATION, K_SIZE, K_UINT, K_BOOL, K_PATH, K_LEVEL, K_TARGET, K_LISTEN,
	    K_SCHED_SOURCE, K_ROLLUP };

struct key {
	enum section sect;
	const char *name;
	enum kind kind;
	size_t off;           /* into struct daemon_config */
	double min, max;      /* durations, sizes and numbers */
	const char *hint;     /* what a good value looks like */
};

#define OFF(f) offsetof(struct daemon_config, f)

static const struct key keys[] = {
	{ S_DAEMON, "target", K_TARGET, 0, 0, 0, "all, or cgroup paths separated by spaces" },
	{ S_DAEMON, "interval", K_DURATION, OFF(interval_s), 0.1, 3600,
	  "seconds between intervals, from 0.1 to 3600 (5, 30s, 1m)" },
	{ S_DAEMON, "state_dir", K_PATH, OFF(state_dir), 0, 0, "a directory" },
	{ S_DAEMON, "profile_hz", K_UINT, OFF(profile_hz), 0, 1000,
	  "samples a second per CPU, from 0 (no profile) to 1000" },
	{ S_DAEMON, "profile_inlines", K_BOOL, OFF(profile_inlines), 0, 0, "true or false" },
	{ S_DAEMON, "profile_unwind_mb", K_UINT, OFF(profile_unwind_mb), 1, 4096,
	  "MiB for the unwind tables of the profiled binaries, from 1 to 4096" },
	{ S_DAEMON, "log_level", K_LEVEL, OFF(log_level), 0, 0, "debug, info, warning or error" },
	{ S_DAEMON, "sched_source", K_SCHED_SOURCE, OFF(sched_source), 0, 0,
	  "iterator (the default: nothing per context switch) or switch (exact run-queue waits)" },
	{ S_RETENTION, "max_age", K_DURATION, OFF(max_age_s), 0, 1e10,
	  "a duration such as 7d, 12h (0: no limit)" },
	{ S_RETENTION, "max_size", K_SIZE, OFF(max_size_bytes), 0, 1e15,
	  "a size such as 512M, 2G (0: no limit)" },
	{ S_RETENTION, "rollup", K_ROLLUP, OFF(rollup), 0, 0,
	  "two ages such as 6h,1d (10 s steps after the first, 1 min steps after the second), "
	  "or off" },
	{ S_ANALYSIS, "every", K_DURATION, OFF(every_s), 1, 86400,
	  "seconds between analyses, from 1 to 1d (60, 5m)" },
	{ S_ANALYSIS, "window", K_DURATION, OFF(window_s), 1, 1e8,
	  "the window analysed, such as 1h, 30m" },
	{ S_HTTP, "listen", K_LISTEN, OFF(listen), 0, 0, "ADDRESS:PORT, such as 127.0.0.1:9464" },
	{ S_HTTP, "token_file", K_PATH, OFF(token_file), 0, 0,
	  "a file holding the token, or nothing" },
	{ S_HTTP, "top_processes", K_UINT, OFF(top_processes), 0, 10000,
	  "how many processes get series, from 0 to 10000" },
	{ S_HTTP, "pprof_max_seconds", K_DURATION, OFF(pprof_max_s), 1, 3600,
	  "the longest /debug/pprof/profile?seconds=N, from 1 s to 1h (60, 2m)" },
	{ S_TUNE, "enabled", K_BOOL, OFF(tune_enabled), 0, 0, "true or false" },
	{ S_TUNE, "apply", K_BOOL, OFF(tune_apply), 0, 0, "true or false" },
	{ S_TUNE, "config", K_PATH, OFF(tune_config), 0, 0, "the tuner's config file" },
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))
#define MAX_ALERT_SECTIONS 64

struct parser {
	struct daemon_config *c;
	const char *name;
	int line;
	char *err;
	size_t errlen;
	enum section sect;
	char alert[64];
	int key_line[NKEYS];                      /* where each key was set */
	char alerts[MAX_ALERT_SECTIONS][64];      /* [alert NAME] sections seen */
	int alert_line[MAX_ALERT_SECTIONS];
	size_t nalerts;
};

static int fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct parser *p, const char *fmt, ...)
{
	int n = snprintf(p->err, p->errlen, "%s:%d: ", p->name, p->line);
	va_list ap;

	if (n < 0 || (size_t)n >= p->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

int daemon_parse_duration(const char *s, double *out)
{
	static const struct { char c; double mul; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
	};
	double v, mul = 1;
	char *end;
	size_t i;

	if (!*s || isspace((unsigned char)*s) || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !isfinite(v))
		return -1;
	if (*end) {
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (end[0] == units[i].c && !end[1])
				mul = units[i].mul;
		if (mul == 1 && strcmp(end, "s"))
			return -1;
	}
	*out = v * mul;
	return 0;
}

int daemon_parse_size(const char *s, double *out)
{
	double v, mul = 1;
	char *end;

	if (!*s || isspace((unsigned char)*s) || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !isfinite(v))
		return -1;
	if (*end) {
		if (end[1])
			return -1;
		switch (toupper((unsigned char)*end)) {
		case 'K': mul = 1024.0; break;
		case 'M': mul = 1024.0 * 1024; break;
		case 'G': mul = 1024.0 * 1024 * 1024; break;
		default: return -1;
		}
	}
	*out = floor(v * mul);
	return 0;
}

static int parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (!strcasecmp(v, yes[i]))
			return *out = true, 0;
		if (!strcasecmp(v, no[i]))
			return *out = false, 0;
	}
	return -1;
}

static int set_target(struct parser *p, const char *v)
{
	struct daemon_config *c = p->c;
	char buf[DAEMON_MAX_CGROUPS * DAEMON_CGROUP_MAX], *tok, *save = NULL;

	c->ncgroups = 0;
	if (!strcmp(v, "all"))
		return 0;
	if (!*v)
		return fail(p, "target is empty: all, or cgroup paths separated by spaces");
	snprintf(buf, sizeof(buf), "%s", v);
	for (tok = strtok_r(buf, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (!strcmp(tok, "all"))
			return fail(p, "target: all goes alone, not with cgroups");
		if (c->ncgroups == DAEMON_MAX_CGROUPS)
			return fail(p, "target: more than %d cgroups", DAEMON_MAX_CGROUPS);
		if (strlen(tok) >= DAEMON_CGROUP_MAX)
			return fail(p, "target: cgroup path too long: %.60s...", tok);
		snprintf(c->cgroups[c->ncgroups++], DAEMON_CGROUP_MAX, "%s", tok);
	}
	return 0;
}

static char *trim(char *s);

/* rollup = AGE1,AGE2 or off */
static int set_rollup(struct parser *p, const struct key *k, const char *v)
{
	char buf[128], *b, why[128];
	double age1, age2;

	if (!strcmp(v, "off")) {
		p->c->rollup.ntiers = 0;
		return 0;
	}
	snprintf(buf, sizeof(buf), "%s", v);
	b = strchr(buf, ',');
	if (!b || strlen(v) >= sizeof(buf))
		return fail(p, "%s = '%s': use %s", k->name, v, k->hint);
	*b++ = 0;
	if (daemon_parse_duration(trim(buf), &age1) || daemon_parse_duration(trim(b), &age2))
		return fail(p, "%s = '%s': use %s", k->name, v, k->hint);
	if (rollup_policy_ages(&p->c->rollup, age1, age2, why, sizeof(why)))
		return fail(p, "%s = '%s': %s", k->name, v, why);
	return 0;
}

static int set_key(struct parser *p, const struct key *k, const char *v)
{
	char *field = (char *)p->c + k->off;
	char why[256];
	struct sockaddr_storage ss;
	socklen_t len;
	unsigned long u;
	double d;
	char *end;
	int lvl;

	switch (k->kind) {
	case K_DURATION:
	case K_SIZE:
		if ((k->kind == K_DURATION ? daemon_parse_duration(v, &d) : daemon_parse_size(v, &d)) ||
		    d < k->min || d > k->max)
			return fail(p, "%s = '%s': use %s", k->name, v, k->hint);
		*(double *)field = d;
		return 0;
	case K_UINT:
		errno = 0;
		u = strtoul(v, &end, 10);
		if (!*v || *end || errno || *v == '-' || u < k->min || u > k->max)
			return fail(p, "%s = '%s': use %s", k->name, v, k->hint);
		*(unsigned int *)field = (unsigned int)u;
		return 0;
	case K_BOOL:
		if (parse_bool(v, (bool *)field))
			return fail(p, "%s = '%s': use %s", k->name, v, k->hint);
		return 0;
	case K_PATH:
		if (strlen(v) >= PATH_MAX)
			return fail(p, "%s: path too long", k->name);
		if (!*v && k->off != OFF(token_file))
			return fail(p, "%s is empty: use %s", k->name, k->hint);
		snprintf(field, PATH_MAX, "%s", v);
		return 0;
	case K_LEVEL:
		lvl = dlog_level_parse(v);
		if (lvl < 0)
			return fail(p, "%s = '%s': use %s", k->name, v, k->hint);
		*(int *)field = lvl;
		return 0;
	case K_SCHED_SOURCE:
		if (sched_source_parse(v, (enum sched_source *)field))
			return fail(p, "%s = '%s': use %s", k->name, v, k->hint);
		return 0;
	case K_ROLLUP:
		return set_rollup(p, k, v);
	case K_TARGET:
		return set_target(p, v);
	case K_LISTEN:
		if (http_parse_listen(v, &ss, &len, why, sizeof(why)))
			return fail(p, "%s", why);
		snprintf(field, sizeof(p->c->listen), "%s", v);
		return 0;
	}
	return 0;
}

static int section(struct parser *p, char *s)
{
	char *name;
	size_t i;

	if (!strncmp(s, "alert", 5) && (s[5] == ' ' || s[5] == '\t' || !s[5])) {
		name = s + 5;
		name += strspn(name, " \t");
		if (!*name)
			return fail(p, "[alert] needs a name: [alert NAME]");
		if (strlen(name) >= sizeof(p->alert) || strspn(name, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != strlen(name))
			return fail(p, "[alert %s]: a name of at most 63 letters, digits, '_', '.' "
				    "or '-'", name);
		for (i = 0; i < p->nalerts; i++)
			if (!strcmp(p->alerts[i], name))
				return fail(p, "[alert %s] again (first at line %d)", name,
					    p->alert_line[i]);
		if (p->nalerts == MAX_ALERT_SECTIONS)
			return fail(p, "more than %d alerts", MAX_ALERT_SECTIONS);
		snprintf(p->alerts[p->nalerts], sizeof(p->alerts[0]), "%s", name);
		p->alert_line[p->nalerts++] = p->line;
		snprintf(p->alert, sizeof(p->alert), "%s", name);
		p->sect = S_ALERT;
		return 0;
	}
	for (i = S_DAEMON; i < S_ALERT; i++) {
		if (!strcmp(s, section_names[i])) {
			p->sect = (enum section)i;
			return 0;
		}
	}
	return fail(p, "unknown section [%s]: use [daemon], [retention], [analysis], [http], "
		    "[tune], [notify] or [alert NAME]", s);
}

static int key_value(struct parser *p, const char *key, const char *value)
{
	char why[400], known[256] = "";
	size_t i;

	if (p->sect == S_NONE)
		return fail(p, "%s = ... before any section: put it under [daemon], [retention], "
			    "[analysis], [http] or [tune]", key);
	if (p->sect == S_NOTIFY || p->sect == S_ALERT) {
		if (alerts_config_add(p->c->alerts, p->sect == S_ALERT ? p->alert : NULL, key, value,
				      why, sizeof(why)))
			return fail(p, "%s", why);
		return 0;
	}
	for (i = 0; i < NKEYS; i++) {
		if (keys[i].sect != p->sect)
			continue;
		if (!strcmp(keys[i].name, key)) {
			if (p->key_line[i])
				return fail(p, "%s set again in [%s] (first at line %d)", key,
					    section_names[p->sect], p->key_line[i]);
			p->key_line[i] = p->line;
			return set_key(p, &keys[i], value);
		}
		snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s",
			 known[0] ? ", " : "", keys[i].name);
	}
	return fail(p, "unknown key '%s' in [%s]: use %s", key, section_names[p->sect], known);
}

static char *trim(char *s)
{
	char *e;

	s += strspn(s, " \t");
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

/* A '#' at the start or after a blank begins a comment. */
static void strip_comment(char *s)
{
	char *h;

	for (h = strchr(s, '#'); h; h = strchr(h + 1, '#')) {
		if (h == s || h[-1] == ' ' || h[-1] == '\t') {
			*h = 0;
			return;
		}
	}
}

static int parse_line(struct parser *p, char *line)
{
	char *s, *eq, *close;

	strip_comment(line);
	s = trim(line);
	if (!*s)
		return 0;
	if (*s == '[') {
		close = strchr(s, ']');
		if (!close || *trim(close + 1))
			return fail(p, "a section is [NAME] alone on its line, got '%s'", s);
		*close = 0;
		return section(p, trim(s + 1));
	}
	eq = strchr(s, '=');
	if (!eq)
		return fail(p, "expected KEY = VALUE or [SECTION], got '%s'", s);
	*eq = 0;
	if (!*trim(s))
		return fail(p, "a key is missing before '='");
	return key_value(p, trim(s), trim(eq + 1));
}

/* The whole, once the file and the command line are read. */
static int check(struct daemon_config *c, const char *name, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char why[400];

	if (http_parse_listen(c->listen, &ss, &len, why, sizeof(why))) {
		snprintf(err, errlen, "%s: %s", name, why);
		return -1;
	}
	if (c->window_s < 2 * c->interval_s) {
		snprintf(err, errlen, "%s: [analysis] window = %g s is shorter than two intervals "
			 "(interval = %g s)", name, c->window_s, c->interval_s);
		return -1;
	}
	if (c->tune_apply && !c->tune_enabled) {
		snprintf(err, errlen, "%s: [tune] apply = true needs enabled = true", name);
		return -1;
	}
	if (alerts_config_check(c->alerts, why, sizeof(why))) {
		snprintf(err, errlen, "%s: %s", name, why);
		return -1;
	}
	return 0;
}

/* The lines of f, without the check of the whole. */
static int parse_text(struct daemon_config *c, FILE *f, const char *name, char *err,
		      size_t errlen)
{
	struct parser *p = calloc(1, sizeof(*p));
	char line[4096];
	int rc = 0;

	if (!p) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -1;
	}
	*p = (struct parser){ .c = c, .name = name, .err = err, .errlen = errlen };
	while (!rc && fgets(line, sizeof(line), f)) {
		p->line++;
		if (!strchr(line, '\n') && !feof(f))
			rc = fail(p, "line longer than %zu characters", sizeof(line) - 2);
		else
			rc = parse_line(p, line);
	}
	if (!rc && ferror(f)) {
		snprintf(err, errlen, "%s: cannot read it: %s", name, strerror(errno));
		rc = -1;
	}
	free(p);
	return rc ? -1 : 0;
}

int daemon_config_parse(struct daemon_config *c, FILE *f, const char *name, char *err,
			size_t errlen)
{
	return parse_text(c, f, name, err, errlen) || check(c, name, err, errlen) ? -1 : 0;
}

int daemon_config_defaults(struct daemon_config *c)
{
	memset(c, 0, sizeof(*c));
	c->interval_s = 5;
	snprintf(c->state_dir, sizeof(c->state_dir), "%s", DAEMON_STATE_DIR_DEFAULT);
	c->profile_hz = 19;
	c->profile_unwind_mb = DAEMON_UNWIND_MB_DEFAULT;
	c->log_level = DLOG_INFO;
	c->sched_source = SCHED_SOURCE_ITERATOR;
	c->max_age_s = 7 * 86400;
	c->max_size_bytes = 512.0 * 1024 * 1024;
	rollup_policy_default(&c->rollup); /* a week fits 512 MiB (docs/store.md) */
	c->every_s = 60;
	c->window_s = 3600;
	snprintf(c->listen, sizeof(c->listen), "%s", DAEMON_LISTEN_DEFAULT);
	c->top_processes = 20;
	c->pprof_max_s = 60;
	snprintf(c->tune_config, sizeof(c->tune_config), "%s", DAEMON_TUNE_CONFIG_DEFAULT);
	c->alerts = alerts_config_new();
	return c->alerts ? 0 : -1;
}

static void apply_overrides(struct daemon_config *c, const struct daemon_overrides *ov)
{
	size_t i;

	if (!ov)
		return;
	if (ov->all)
		c->ncgroups = 0;
	if (ov->ncgroups) {
		c->ncgroups = ov->ncgroups;
		for (i = 0; i < ov->ncgroups; i++)
			snprintf(c->cgroups[i], sizeof(c->cgroups[i]), "%s", ov->cgroups[i]);
	}
	if (ov->listen)
		snprintf(c->listen, sizeof(c->listen), "%s", ov->listen);
	if (ov->state_dir)
		snprintf(c->state_dir, sizeof(c->state_dir), "%s", ov->state_dir);
	if (ov->interval_s > 0)
		c->interval_s = ov->interval_s;
	if (ov->log_level >= 0)
		c->log_level = ov->log_level;
}

int daemon_config_load(struct daemon_config *c, const char *path,
		       const struct daemon_overrides *ov, char *err, size_t errlen)
{
	const char *file = path ? path : DAEMON_CONFIG_DEFAULT;
	int rc = DCONFIG_OK;
	FILE *f;

	if (daemon_config_defaults(c)) {
		snprintf(err, errlen, "out of memory");
		daemon_config_free(c);
		return DCONFIG_BAD;
	}
	f = fopen(file, "re");
	if (!f && !path && errno == ENOENT) {
		rc = DCONFIG_DEFAULTS;
	} else if (!f) {
		snprintf(err, errlen, "%s: cannot read it: %s", file, strerror(errno));
		daemon_config_free(c);
		return DCONFIG_BAD;
	} else {
		snprintf(c->file, sizeof(c->file), "%s", file);
		if (parse_text(c, f, file, err, errlen)) {
			fclose(f);
			daemon_config_free(c);
			return DCONFIG_BAD;
		}
		fclose(f);
	}
	apply_overrides(c, ov);
	if (check(c, c->file[0] ? c->file : "the command line", err, errlen)) {
		daemon_config_free(c);
		return DCONFIG_BAD;
	}
	return rc;
}

int daemon_config_reload(const struct daemon_config *cur, struct daemon_config *next,
			 const char *path, const struct daemon_overrides *ov, char *err,
			 size_t errlen)
{
	if (!path && cur->file[0])
		path = cur->file;
	return daemon_config_load(next, path, ov, err, errlen) == DCONFIG_BAD ? -1 : 0;
}

void daemon_config_free(struct daemon_config *c)
{
	alerts_config_free(c->alerts);
	c->alerts = NULL;
}
