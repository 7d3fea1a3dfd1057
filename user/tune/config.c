// SPDX-License-Identifier: GPL-2.0
/* The tuner's configuration file: defaults, parsing, checks (config.h). */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "tune/config.h"
#include "tune/hostfs.h"
#include "tune/num.h"

/*
 * A change is judged 10 s after it is made (ten intervals: enough to average
 * the noise of a per-second metric), and a target changes at most every 30 s,
 * so a default run (-d 30) takes a step, verifies it and may take one more.
 * TCP buffers act within round trips: their throughput is judged after 3 s,
 * and the next step may follow at once, so that a transfer gets the buffer
 * it needs within seconds.
 */
#define DEFAULT_COOLDOWN_S 30.0
#define DEFAULT_VERIFY_S 10.0
#define FAST_COOLDOWN_S 3.0
#define FAST_VERIFY_S 3.0
#define DEFAULT_MIN_IMPROVEMENT 0.05

void config_defaults(struct tune_config *c)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < TUNER_COUNT; i++)
		c->tuner_on[i] = i != TUNER_MEMORY_HIGH; /* memory_high is opt-in */
	for (i = 0; i < TUNABLE_COUNT; i++) {
		c->allowed[i] = true;
		c->t[i].min = tunable_table[i].min;
		c->t[i].max = tunable_table[i].max;
		c->t[i].step = tunable_table[i].step;
		c->t[i].cooldown_s = -1;
		c->t[i].verify_s = -1;
		if (tunable_table[i].tuner == TUNER_TCP_BUFFERS) {
			c->t[i].cooldown_s = FAST_COOLDOWN_S;
			c->t[i].verify_s = FAST_VERIFY_S;
		}
	}
	c->cooldown_s = DEFAULT_COOLDOWN_S;
	c->verify_s = DEFAULT_VERIFY_S;
	c->min_improvement = DEFAULT_MIN_IMPROVEMENT;
	c->on_unfinished = UNFINISHED_REPORT;
	c->revert_on_exit = false;
	for (i = 0; i < LEVER_COUNT; i++)
		c->lever_allowed[i] = true;
	c->culprits = CULPRITS_USERS;
	scale_conf_defaults(&c->scale);
}

void config_free(struct tune_config *c)
{
	size_t i;

	for (i = 0; i < c->ncgroups; i++)
		free(c->cgroups[i]);
	free(c->cgroups);
	c->cgroups = NULL;
	c->ncgroups = 0;
	for (i = 0; i < c->nprocs; i++)
		free(c->procs[i]);
	free(c->procs);
	c->procs = NULL;
	c->nprocs = 0;
	free(c->pids);
	c->pids = NULL;
	c->npids = 0;
	for (i = 0; i < c->nrules; i++) {
		free(c->rules[i].a);
		free(c->rules[i].b);
	}
	free(c->rules);
	c->rules = NULL;
	c->nrules = 0;
}

int config_add_pid(struct tune_config *c, int pid, char *err, size_t errlen)
{
	int *n = realloc(c->pids, (c->npids + 1) * sizeof(*n));

	if (!n) {
		snprintf(err, errlen, "out of memory");
		return CONFIG_IO;
	}
	c->pids = n;
	c->pids[c->npids++] = pid;
	return CONFIG_OK;
}

bool config_rule_cgroup(const struct tune_config *c, const char *cgroup)
{
	size_t i;

	for (i = 0; cgroup && i < c->nrules; i++)
		if (!strcmp(c->rules[i].a, cgroup) || !strcmp(c->rules[i].b, cgroup))
			return true;
	return false;
}

bool config_lever_allows(const struct tune_config *c, const char *name)
{
	const struct lever_info *l = lever_find(name);

	return l && c->lever_allowed[lever_index(l)];
}

bool config_process_allowed(const struct tune_config *c, int pid, const char *comm, int64_t uid,
			    const char *cgroup)
{
	size_t i;

	for (i = 0; i < c->npids; i++)
		if (c->pids[i] == pid)
			return true;
	for (i = 0; comm && i < c->nprocs; i++)
		if (!strcmp(c->procs[i], comm))
			return true;
	if (cgroup && *cgroup && c->ncgroups && config_cgroup_allowed(c, cgroup))
		return true;
	return c->culprits == CULPRITS_USERS && uid >= CONFIG_USER_UID_MIN;
}

int config_add_cgroup(struct tune_config *c, const char *cgroup, char *err, size_t errlen)
{
	char **n, *s;
	size_t len;

	if (!hostfs_clean_path(cgroup)) {
		snprintf(err, errlen, "cgroup '%s' is not a clean absolute path", cgroup);
		return CONFIG_INVALID;
	}
	s = strdup(cgroup);
	n = realloc(c->cgroups, (c->ncgroups + 1) * sizeof(*n));
	if (!s || !n) {
		free(s);
		if (n)
			c->cgroups = n;
		snprintf(err, errlen, "out of memory");
		return CONFIG_IO;
	}
	len = strlen(s);
	while (len > 1 && s[len - 1] == '/')
		s[--len] = 0;
	c->cgroups = n;
	c->cgroups[c->ncgroups++] = s;
	return CONFIG_OK;
}

bool config_cgroup_allowed(const struct tune_config *c, const char *cgroup)
{
	size_t i, n;

	if (!hostfs_clean_path(cgroup))
		return false;
	for (i = 0; i < c->ncgroups; i++) {
		n = strlen(c->cgroups[i]);
		if (!strcmp(c->cgroups[i], "/") ||
		    (!strncmp(cgroup, c->cgroups[i], n) && (cgroup[n] == 0 || cgroup[n] == '/')))
			return true;
	}
	return false;
}

const struct tunable_conf *config_tunable(const struct tune_config *c, const char *name)
{
	const struct tunable_info *t = tunable_find(name);

	return t ? &c->t[tunable_index(t)] : NULL;
}

bool config_allows(const struct tune_config *c, const char *name)
{
	const struct tunable_info *t = tunable_find(name);

	return t && c->allowed[tunable_index(t)];
}

double config_cooldown(const struct tune_config *c, const char *name)
{
	const struct tunable_conf *t = config_tunable(c, name);
	const struct tunable_info *ti = tunable_find(name);

	if (ti && ti->tuner == TUNER_CPU_QUOTA && c->scale.mode != SCALE_OFF)
		return 0;
	return t && t->cooldown_s >= 0 ? t->cooldown_s : c->cooldown_s;
}

double config_verify_window(const struct tune_config *c, const char *name)
{
	const struct tunable_conf *t = config_tunable(c, name);

	return t && t->verify_s >= 0 ? t->verify_s : c->verify_s;
}

/* ---- parsing ---- */

enum section { SEC_GLOBAL, SEC_TUNER, SEC_TUNABLE };

struct parser {
	struct tune_config *c;
	const char *name;
	int line;
	enum section sec;
	int idx;          /* the tuner or tunable of the section */
	char *err;
	size_t errlen;
};

static int bad(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(struct parser *p, const char *fmt, ...)
{
	int n = snprintf(p->err, p->errlen, "%s:%d: ", p->name, p->line);
	va_list ap;

	if (n >= 0 && (size_t)n < p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return CONFIG_INVALID;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

/* Cut a comment: '#' at the start or after a blank. */
static void cut_comment(char *s)
{
	char *h;

	for (h = s; (h = strchr(h, '#')); h++)
		if (h == s || isspace((unsigned char)h[-1])) {
			*h = 0;
			return;
		}
}

static int parse_bool(struct parser *p, const char *v, bool *out)
{
	if (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "on"))
		*out = true;
	else if (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "off"))
		*out = false;
	else
		return bad(p, "'%s' is not true or false", v);
	return CONFIG_OK;
}

/* Seconds: a number >= 0 (> 0 when positive). */
static int parse_secs(struct parser *p, const char *key, const char *v, bool positive,
		      double *out)
{
	double d;

	if (num_parse_double(v, &d))
		return bad(p, "%s: '%s' is not a number of seconds", key, v);
	if (d < 0 || (positive && d == 0) || d > 366.0 * 86400)
		return bad(p, "%s: %s seconds is out of range (%s up to a year)", key, v,
			   positive ? "above 0" : "0");
	*out = d;
	return CONFIG_OK;
}

static int parse_bound(struct parser *p, const struct tunable_info *t, const char *key,
		       const char *v, int64_t *out)
{
	char a[32], b[32];

	if (!strcmp(v, "unlimited")) {
		if (!t->unlimited)
			return bad(p, "%s of %s cannot be unlimited", key, t->name);
		*out = TUNE_UNLIMITED;
		return CONFIG_OK;
	}
	if (num_parse_i64(v, out))
		return bad(p, errno == ERANGE ? "%s: '%s' is out of range" : "%s: '%s' is not an integer",
			   key, v);
	if (*out < t->hard_min)
		return bad(p, "%s %s of %s is below %s, the lowest value the kernel accepts", key,
			   v, t->name, tunable_key_str(t->hard_min, a, sizeof(a)));
	if (*out > t->hard_max)
		return bad(p, "%s %s of %s is above %s, the highest value the kernel accepts", key,
			   v, t->name, tunable_key_str(t->hard_max, b, sizeof(b)));
	return CONFIG_OK;
}

/* "x2" (times/divided by 2, above 1 and at most 16) or "+5" (plus/minus 5). */
static int parse_step(struct parser *p, const char *v, struct tune_step *s)
{
	if (v[0] == 'x') {
		if (num_parse_double(v + 1, &s->mul) || !(s->mul > 1) || s->mul > 16)
			return bad(p, "step '%s': a factor is x and a number above 1, at most 16 (x2)",
				   v);
		s->factor = true;
		s->add = 0;
		return CONFIG_OK;
	}
	if (v[0] == '+') {
		if (num_parse_i64(v + 1, &s->add) || s->add <= 0 || !isdigit((unsigned char)v[1]))
			return bad(p, "step '%s': an amount is + and an integer above 0 (+5)", v);
		s->factor = false;
		s->mul = 0;
		return CONFIG_OK;
	}
	return bad(p, "step '%s' is neither a factor (x2) nor an amount (+5)", v);
}

static int parse_allow(struct parser *p, char *v)
{
	const struct tunable_info *t;
	const struct lever_info *l;
	char *save = NULL, *name;
	size_t i;

	if (!p->c->allow_given) { /* the file's list replaces the default one */
		for (i = 0; i < TUNABLE_COUNT; i++)
			p->c->allowed[i] = false;
		for (i = 0; i < LEVER_COUNT; i++)
			p->c->lever_allowed[i] = false;
		p->c->allow_given = true;
	}
	for (name = strtok_r(v, " \t,", &save); name; name = strtok_r(NULL, " \t,", &save)) {
		t = tunable_find(name);
		l = t ? NULL : lever_find(name);
		if (!t && !l)
			return bad(p, "allow: unknown tunable '%s'", name);
		if (t)
			p->c->allowed[tunable_index(t)] = true;
		else
			p->c->lever_allowed[lever_index(l)] = true;
	}
	return CONFIG_OK;
}

/*
 * separate = A B, together = A B: two different clean cgroup directories;
 * the same two named by a rule of the other kind contradict it.
 */
static int parse_rule(struct parser *p, enum rule_kind kind, const char *key, char *v)
{
	char *save = NULL, *a, *b, *more;
	struct cpuset_rule *n, *r;
	size_t i;

	a = strtok_r(v, " \t", &save);
	b = a ? strtok_r(NULL, " \t", &save) : NULL;
	more = b ? strtok_r(NULL, " \t", &save) : NULL;
	if (!a || !b || more)
		return bad(p, "%s: give two cgroups, such as %s = /sys/fs/cgroup/cpuset/a "
			   "/sys/fs/cgroup/cpuset/b", key, key);
	if (!hostfs_clean_path(a) || !hostfs_clean_path(b))
		return bad(p, "%s: '%s' is not a clean absolute path", key,
			   hostfs_clean_path(a) ? b : a);
	if (!strcmp(a, b))
		return bad(p, "%s: %s and itself", key, a);
	for (i = 0; i < p->c->nrules; i++) {
		r = &p->c->rules[i];
		if ((strcmp(r->a, a) || strcmp(r->b, b)) && (strcmp(r->a, b) || strcmp(r->b, a)))
			continue;
		if (r->kind != kind)
			return bad(p, "%s %s %s contradicts %s at line %d", key, a, b,
				   r->kind == RULE_SEPARATE ? "separate" : "together", r->line);
	}
	n = realloc(p->c->rules, (p->c->nrules + 1) * sizeof(*n));
	if (!n) {
		snprintf(p->err, p->errlen, "out of memory");
		return CONFIG_IO;
	}
	p->c->rules = n;
	r = &n[p->c->nrules];
	r->kind = kind;
	r->line = p->line;
	r->a = strdup(a);
	r->b = strdup(b);
	if (!r->a || !r->b) {
		free(r->a);
		free(r->b);
		snprintf(p->err, p->errlen, "out of memory");
		return CONFIG_IO;
	}
	p->c->nrules++;
	return CONFIG_OK;
}

/* process = COMM ...: processes --protect may change, by name */
static int parse_procs(struct parser *p, char *v)
{
	char *save = NULL, *name, **n, *s;

	for (name = strtok_r(v, " \t,", &save); name; name = strtok_r(NULL, " \t,", &save)) {
		if (strlen(name) > 15)
			return bad(p, "process: '%s' is longer than a process name (15 characters)",
				   name);
		s = strdup(name);
		n = realloc(p->c->procs, (p->c->nprocs + 1) * sizeof(*n));
		if (!s || !n) {
			free(s);
			if (n)
				p->c->procs = n;
			snprintf(p->err, p->errlen, "out of memory");
			return CONFIG_IO;
		}
		p->c->procs = n;
		p->c->procs[p->c->nprocs++] = s;
	}
	return CONFIG_OK;
}

static int global_key(struct parser *p, const char *key, char *v)
{
	struct tune_config *c = p->c;
	char e[256];
	bool b;
	int rc;

	if (!strcmp(key, "on_unfinished_journal")) {
		if (!strcmp(v, "report"))
			c->on_unfinished = UNFINISHED_REPORT;
		else if (!strcmp(v, "restore"))
			c->on_unfinished = UNFINISHED_RESTORE;
		else
			return bad(p, "on_unfinished_journal: '%s' is neither restore nor report", v);
		return CONFIG_OK;
	}
	if (!strcmp(key, "revert_on_exit")) {
		rc = parse_bool(p, v, &b);
		c->revert_on_exit = rc ? c->revert_on_exit : b;
		return rc;
	}
	if (!strcmp(key, "cooldown"))
		return parse_secs(p, key, v, false, &c->cooldown_s);
	if (!strcmp(key, "verify_window"))
		return parse_secs(p, key, v, true, &c->verify_s);
	if (!strcmp(key, "min_improvement")) {
		if (num_parse_double(v, &c->min_improvement) || c->min_improvement < 0 ||
		    c->min_improvement >= 1)
			return bad(p, "min_improvement: '%s' is not a fraction from 0 to below 1", v);
		return CONFIG_OK;
	}
	if (!strcmp(key, "allow"))
		return parse_allow(p, v);
	if (!strcmp(key, "cgroup")) {
		rc = config_add_cgroup(c, v, e, sizeof(e));
		return rc == CONFIG_INVALID ? bad(p, "%s", e) : rc;
	}
	if (!strcmp(key, "process"))
		return parse_procs(p, v);
	if (!strcmp(key, "separate") || !strcmp(key, "together"))
		return parse_rule(p, !strcmp(key, "separate") ? RULE_SEPARATE : RULE_TOGETHER, key,
				  v);
	if (!strcmp(key, "numa")) {
		if (strcmp(v, "advise") && strcmp(v, "apply"))
			return bad(p, "numa: '%s' is neither advise nor apply", v);
		c->numa_apply = !strcmp(v, "apply");
		return CONFIG_OK;
	}
	if (!strcmp(key, "culprits")) {
		if (!strcmp(v, "users"))
			c->culprits = CULPRITS_USERS;
		else if (!strcmp(v, "listed"))
			c->culprits = CULPRITS_LISTED;
		else
			return bad(p, "culprits: '%s' is neither users nor listed", v);
		return CONFIG_OK;
	}
	return bad(p, "unknown key '%s' (before any section: on_unfinished_journal, "
		   "revert_on_exit, cooldown, verify_window, min_improvement, allow, cgroup, "
		   "process, culprits, numa, separate, together)", key);
}

static int tunable_key_line(struct parser *p, const char *key, const char *v)
{
	const struct tunable_info *t = &tunable_table[p->idx];
	struct tunable_conf *tc = &p->c->t[p->idx];

	if (!strcmp(key, "min")) {
		tc->min_line = p->line;
		return parse_bound(p, t, key, v, &tc->min);
	}
	if (!strcmp(key, "max")) {
		tc->max_line = p->line;
		return parse_bound(p, t, key, v, &tc->max);
	}
	if (!strcmp(key, "step"))
		return parse_step(p, v, &tc->step);
	if (!strcmp(key, "cooldown"))
		return parse_secs(p, key, v, false, &tc->cooldown_s);
	if (!strcmp(key, "verify_window"))
		return parse_secs(p, key, v, true, &tc->verify_s);
	return bad(p, "unknown key '%s' in [tunable %s] (min, max, step, cooldown, verify_window)",
		   key, t->name);
}

/* [tuner cpu_quota]'s scaling keys (scale.h) */
static int scale_key(struct parser *p, const char *key, const char *v)
{
	struct scale_conf *sc = &p->c->scale;
	double d;

	if (!strcmp(key, "scaling")) {
		if (scale_mode_parse(v, &sc->mode))
			return bad(p, "scaling: '%s' is not reactive, predictive or off", v);
		return CONFIG_OK;
	}
	if (!strcmp(key, "scale_out_cooldown"))
		return parse_secs(p, key, v, false, &sc->out_cooldown_s);
	if (!strcmp(key, "scale_in_cooldown"))
		return parse_secs(p, key, v, false, &sc->in_cooldown_s);
	if (!strcmp(key, "horizon"))
		return parse_secs(p, key, v, true, &sc->horizon_s);
	if (!strcmp(key, "headroom")) {
		if (num_parse_double(v, &d) || d < 0 || d > 10)
			return bad(p, "headroom: '%s' is not a fraction from 0 to 10 (0.2 is 20 %%)", v);
		sc->headroom = d;
		return CONFIG_OK;
	}
	return bad(p, "unknown key '%s' in [tuner cpu_quota] (enabled, scaling, "
		   "scale_out_cooldown, scale_in_cooldown, horizon, headroom)", key);
}

static int section(struct parser *p, char *s)
{
	char *end = strchr(s, ']'), *kind, *name;
	const struct tunable_info *t;

	if (!end || trim(end + 1)[0])
		return bad(p, "malformed section header '%s'", s);
	*end = 0;
	kind = trim(s + 1);
	name = kind + strcspn(kind, " \t");
	if (*name)
		*name++ = 0;
	name = trim(name);
	if (!strcmp(kind, "tuner") && *name) {
		p->idx = tuner_find(name);
		if (p->idx < 0)
			return bad(p, "unknown tuner '%s' (accept_queue, tcp_buffers, cpu_quota, "
				   "cpu_weight, memory_reclaim, dirty_pages, memory_high, protect, cpuset_rules)", name);
		p->sec = SEC_TUNER;
		return CONFIG_OK;
	}
	if (!strcmp(kind, "tunable") && *name) {
		t = tunable_find(name);
		if (!t)
			return bad(p, "unknown tunable '%s'", name);
		p->idx = (int)tunable_index(t);
		p->sec = SEC_TUNABLE;
		return CONFIG_OK;
	}
	return bad(p, "unknown section '[%s%s%s]' (expected [tuner NAME] or [tunable NAME])", kind,
		   *name ? " " : "", name);
}

static int line(struct parser *p, char *s)
{
	char *eq, *key, *v;
	bool b;
	int rc;

	cut_comment(s);
	s = trim(s);
	if (!*s)
		return CONFIG_OK;
	if (*s == '[')
		return section(p, s);
	eq = strchr(s, '=');
	if (!eq)
		return bad(p, "expected KEY = VALUE or [SECTION], got '%s'", s);
	*eq = 0;
	key = trim(s);
	v = trim(eq + 1);
	if (!*key)
		return bad(p, "a value without a key");
	if (!*v)
		return bad(p, "%s has no value", key);
	switch (p->sec) {
	case SEC_GLOBAL:
		return global_key(p, key, v);
	case SEC_TUNER:
		if (strcmp(key, "enabled") && p->idx == TUNER_CPU_QUOTA)
			return scale_key(p, key, v);
		if (strcmp(key, "enabled"))
			return bad(p, "unknown key '%s' in [tuner %s] (enabled)", key,
				   tuner_name(p->idx));
		rc = parse_bool(p, v, &b);
		if (!rc)
			p->c->tuner_on[p->idx] = b;
		return rc;
	case SEC_TUNABLE:
		return tunable_key_line(p, key, v);
	}
	return CONFIG_INVALID;
}

/* min <= max everywhere, reported at the line that set the later of the two */
static int check_bounds(struct parser *p)
{
	const struct tunable_conf *tc;
	char a[32], b[32];
	size_t i;

	for (i = 0; i < TUNABLE_COUNT; i++) {
		tc = &p->c->t[i];
		if (tc->min <= tc->max)
			continue;
		p->line = tc->min_line > tc->max_line ? tc->min_line : tc->max_line;
		return bad(p, "min %s of %s is above its max %s%s",
			   tunable_key_str(tc->min, a, sizeof(a)), tunable_table[i].name,
			   tunable_key_str(tc->max, b, sizeof(b)),
			   tc->min_line && tc->max_line ? "" : " (the default)");
	}
	return CONFIG_OK;
}

int config_parse(struct tune_config *c, FILE *f, const char *name, char *err, size_t errlen)
{
	struct parser p = {.c = c, .name = name, .sec = SEC_GLOBAL, .err = err, .errlen = errlen};
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = CONFIG_OK;

	snprintf(c->file, sizeof(c->file), "%s", name);
	while ((n = getline(&buf, &cap, f)) >= 0) {
		p.line++;
		if (strlen(buf) != (size_t)n) {
			rc = bad(&p, "a NUL byte in the line");
			break;
		}
		rc = line(&p, buf);
		if (rc)
			break;
	}
	free(buf);
	if (!rc && ferror(f)) {
		snprintf(err, errlen, "%s: read error", name);
		rc = CONFIG_IO;
	}
	return rc ? rc : check_bounds(&p);
}

int config_load(struct tune_config *c, const char *path, char *err, size_t errlen)
{
	const char *name = path ? path : CONFIG_DEFAULT_PATH;
	FILE *f;
	int rc;

	config_defaults(c);
	f = fopen(name, "r");
	if (!f) {
		if (!path && errno == ENOENT)
			return CONFIG_OK;
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		return CONFIG_IO;
	}
	rc = config_parse(c, f, name, err, errlen);
	fclose(f);
	if (rc) {
		config_free(c);
		config_defaults(c);
	}
	return rc;
}

int config_check_current(const struct tune_config *c, const char *name, const char *current,
			 char *err, size_t errlen)
{
	const struct tunable_info *t = tunable_find(name);
	const struct tunable_conf *tc;
	char a[32], b[32];
	int64_t key;
	int at;

	if (!t) {
		snprintf(err, errlen, "unknown tunable '%s'", name);
		return CONFIG_INVALID;
	}
	tc = &c->t[tunable_index(t)];
	if (tunable_key(t, current, &key)) {
		snprintf(err, errlen, "%s: its current value '%s' is not understood", name, current);
		return CONFIG_INVALID;
	}
	if (key >= tc->min && key <= tc->max)
		return CONFIG_OK;
	/* short of the bounds on the side its tuner moves it toward: the first
	 * step brings it within them (somaxconn 8 under a min of 128 goes to
	 * 128); only a bound the tuner would have to move it away from is a
	 * contradiction */
	if ((t->dir > 0 && key < tc->min) || (t->dir < 0 && key > tc->max))
		return CONFIG_OK;
	tunable_key_str(key, a, sizeof(a));
	if (key > tc->max) {
		at = tc->max_line;
		tunable_key_str(tc->max, b, sizeof(b));
	} else {
		at = tc->min_line;
		tunable_key_str(tc->min, b, sizeof(b));
	}
	if (at)
		snprintf(err, errlen, "%s:%d: %s %s of %s is %s its current value %s", c->file, at,
			 key > tc->max ? "max" : "min", b, name,
			 key > tc->max ? "below" : "above", a);
	else
		snprintf(err, errlen, "%s: its current value %s is %s the default %s %s; set %s in "
			 "a [tunable %s] section", name, a, key > tc->max ? "above" : "below",
			 key > tc->max ? "max" : "min", b, key > tc->max ? "max" : "min", name);
	return CONFIG_INVALID;
}
