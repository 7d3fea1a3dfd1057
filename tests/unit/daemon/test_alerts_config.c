// SPDX-License-Identifier: GPL-2.0
/* The [alert NAME] and [notify] sections: what they accept, each mistake. */
#define _GNU_SOURCE
#include <math.h>
#include "unit.h"
#include "daemon/alerts_config.h"

/* Add key = value to c (name NULL: [notify]); the test fails on an error. */
static void add(struct alerts_config *c, const char *name, const char *key, const char *v)
{
	char err[512] = "";

	if (alerts_config_add(c, name, key, v, err, sizeof(err)))
		fail_msg("[%s] %s = %s: %s", name ? name : "notify", key, v, err);
}

static void test_durations(void **state)
{
	static const struct {
		const char *s;
		double v;
	} good[] = {
		{ "30", 30 }, { "30s", 30 }, { "5m", 300 }, { "1h", 3600 }, { "7d", 604800 },
		{ "1.5h", 5400 }, { "250ms", 0.25 }, { "0", 0 }, { "0.5", 0.5 },
	};
	static const char *const bad[] = {
		"", "5 m", "-1", "5x", "m", "1e3", "0x10", "5mm", "1.2.3", " 5", "nan", "inf",
	};
	char buf[32];
	double v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = -1;
		if (alerts_parse_duration(good[i].s, &v))
			fail_msg("'%s' refused", good[i].s);
		assert_dbl_eq(v, good[i].v);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!alerts_parse_duration(bad[i], &v))
			fail_msg("'%s' accepted as %g", bad[i], v);
	alerts_format_duration(300, buf, sizeof(buf));
	assert_string_equal(buf, "5m");
	alerts_format_duration(5400, buf, sizeof(buf));
	assert_string_equal(buf, "1h30m");
	alerts_format_duration(90061, buf, sizeof(buf));
	assert_string_equal(buf, "1d1h1m1s");
	alerts_format_duration(0, buf, sizeof(buf));
	assert_string_equal(buf, "0s");
	alerts_format_duration(0.25, buf, sizeof(buf));
	assert_string_equal(buf, "0.25s");
}

/* Every key, as the config of docs/daemon-alerts.md has them. */
static void test_valid_config(void **state)
{
	struct alerts_config *c = alerts_config_new(), *d;
	const struct alert_rule *r;
	char err[512] = "";

	(void)state;
	add(c, NULL, "webhook", "http://127.0.0.1:9000/hook");
	add(c, NULL, "alertmanager", "http://127.0.0.1:9093/");
	add(c, NULL, "generator_url", "http://host:9464/api/findings");
	add(c, NULL, "timeout", "2s");
	add(c, NULL, "attempts", "3");
	add(c, NULL, "backoff", "500ms");
	add(c, NULL, "queue", "16");
	add(c, NULL, "resend", "2m");
	add(c, "mem", NULL, NULL);
	add(c, "mem", "finding", "memory_growth");
	add(c, "mem", "severity", "critical");
	add(c, "mem", "scope", "/sys/fs/cgroup/app/");
	add(c, "mem", "cooldown", "10m");
	add(c, "any-comm", "finding", "*");
	add(c, "any-comm", "scope", "comm=postgres");
	add(c, "cpu.high", "metric", "perfpilot_cgroup_cpu_seconds_total");
	add(c, "cpu.high", "match", "cgroup=/app/* kind=\"a b,c\"");
	add(c, "cpu.high", "above", "0.9");
	add(c, "cpu.high", "clear", "0.8");
	add(c, "cpu.high", "for", "5m");
	add(c, "cpu.high", "severity", "critical");
	add(c, "low:mem", "metric", "perfpilot_host_memory_available_bytes");
	add(c, "low:mem", "below", "1e8");
	assert_int_equal(alerts_config_check(c, err, sizeof(err)), 0);
	assert_int_equal(alerts_config_rules(c), 4);

	assert_string_equal(c->notify.webhook, "http://127.0.0.1:9000/hook");
	assert_string_equal(c->notify.alertmanager, "http://127.0.0.1:9093");
	assert_string_equal(c->notify.generator_url, "http://host:9464/api/findings");
	assert_dbl_eq(c->notify.timeout_s, 2);
	assert_int_equal(c->notify.attempts, 3);
	assert_dbl_eq(c->notify.backoff_s, 0.5);
	assert_int_equal(c->notify.queue, 16);
	assert_dbl_eq(c->notify.resend_s, 120);

	r = alerts_config_rule(c, "mem");
	assert_non_null(r);
	assert_int_equal(r->on, ALERT_ON_FINDING);
	assert_string_equal(r->finding, "memory_growth");
	assert_int_equal(r->severity, ALERT_SEV_CRITICAL);
	assert_int_equal(r->scope, SCOPE_CGROUP);
	assert_string_equal(r->scope_value, "/app");    /* the victims' form */
	assert_dbl_eq(r->cooldown_s, 600);
	assert_dbl_eq(r->for_s, 0);

	r = alerts_config_rule(c, "any-comm");
	assert_int_equal(r->scope, SCOPE_COMM);
	assert_string_equal(r->scope_value, "postgres");
	assert_int_equal(r->severity, ALERT_SEV_WARNING);   /* the default minimum */
	assert_dbl_eq(r->cooldown_s, ALERT_DEFAULT_COOLDOWN_S);

	r = alerts_config_rule(c, "cpu.high");
	assert_int_equal(r->on, ALERT_ON_METRIC);
	assert_string_equal(r->metric, "perfpilot_cgroup_cpu_seconds_total");
	assert_int_equal(r->nmatch, 2);
	assert_string_equal(r->match[0].label, "cgroup");
	assert_string_equal(r->match[0].pattern, "/app/*");
	assert_string_equal(r->match[1].label, "kind");
	assert_string_equal(r->match[1].pattern, "a b,c");
	assert_int_equal(r->op, OP_ABOVE);
	assert_dbl_eq(r->threshold, 0.9);
	assert_true(r->has_clear);
	assert_dbl_eq(r->clear, 0.8);
	assert_dbl_eq(r->for_s, 300);

	r = alerts_config_rule(c, "low:mem");
	assert_int_equal(r->op, OP_BELOW);
	assert_dbl_eq(r->threshold, 100000000);
	assert_false(r->has_clear);

	/* a copy is deep and equal */
	d = alerts_config_copy(c);
	assert_non_null(d);
	assert_true(alerts_notify_equal(&c->notify, &d->notify));
	assert_ptr_not_equal(d->notify.webhook, c->notify.webhook);
	alerts_config_free(c);
	r = alerts_config_rule(d, "cpu.high");
	assert_string_equal(r->match[1].pattern, "a b,c");
	assert_string_equal(alerts_config_rule(d, "mem")->scope_value, "/app");
	alerts_config_free(d);
}

/* The defaults: no sink, sensible retries. */
static void test_defaults(void **state)
{
	struct alerts_config *c = alerts_config_new(), *d = alerts_config_new();
	char err[256];

	(void)state;
	assert_null(c->notify.webhook);
	assert_null(c->notify.alertmanager);
	assert_dbl_eq(c->notify.timeout_s, 5);
	assert_int_equal(c->notify.attempts, 5);
	assert_int_equal(alerts_config_check(c, err, sizeof(err)), 0);
	assert_int_equal(alerts_config_rules(c), 0);
	assert_true(alerts_notify_equal(&c->notify, &d->notify));
	add(d, NULL, "timeout", "6s");
	assert_false(alerts_notify_equal(&c->notify, &d->notify));
	/* empty values: no sink, no scope, no match */
	add(c, NULL, "webhook", "");
	add(c, "x", "finding", "oom_kill");
	add(c, "x", "scope", "");
	assert_null(c->notify.webhook);
	assert_int_equal(alerts_config_rule(c, "x")->scope, SCOPE_NONE);
	alerts_config_free(c);
	alerts_config_free(d);
}

struct bad_key {
	const char *name, *key, *value;
	const char *pre[2][2];      /* keys added first (name's section) */
	const char *says;           /* in the message */
};

/* Each mistake of one key: -1, a message saying what and what is allowed. */
static void test_each_error(void **state)
{
	static const struct bad_key cases[] = {
		{ "a", "colour", "red", { { NULL } }, "unknown key 'colour': an alert takes finding, severity, scope" },
		{ "a", "finding", "Memory", { { NULL } }, "finding 'Memory' is not a finding kind" },
		{ "a", "finding", "", { { NULL } }, "'finding' has no value" },
		{ "a", "severity", "high", { { NULL } }, "severity 'high' is not info, warning or critical" },
		{ "a", "scope", "app", { { NULL } }, "scope 'app' is neither a clean cgroup path" },
		{ "a", "scope", "/a/../b", { { NULL } }, "neither a clean cgroup path" },
		{ "a", "scope", "comm=", { { NULL } }, "comm=NAME takes a command name of 1 to 15" },
		{ "a", "scope", "comm=a_very_long_command", { { NULL } }, "1 to 15 characters" },
		{ "a", "cooldown", "10 minutes", { { NULL } }, "cooldown '10 minutes' is not a duration: a number of seconds, or with ms, s, m, h or d" },
		{ "a", "for", "-5m", { { NULL } }, "for '-5m' is not a duration" },
		{ "a", "metric", "cpu-seconds", { { NULL } }, "metric 'cpu-seconds' is not a metric name" },
		{ "a", "match", "cgroup", { { NULL } }, "match 'cgroup' is not label=value" },
		{ "a", "match", "1x=y", { { NULL } }, "is not label=value" },
		{ "a", "match", "a=\"open", { { NULL } }, "a quoted value has no closing" },
		{ "a", "match", "a=1 b=2 c=3 d=4 e=5 f=6 g=7 h=8 i=9", { { NULL } }, "more than 8 label=value pairs" },
		{ "a", "above", "high", { { NULL } }, "above 'high' is not a number" },
		{ "a", "below", "0x10", { { NULL } }, "below '0x10' is not a number" },
		{ "a", "below", "inf", { { NULL } }, "below 'inf' is not a number" },
		{ "a", "clear", "x", { { NULL } }, "clear 'x' is not a number" },
		{ "a", "below", "1", { { "above", "2" } }, "both above and below: an alert has one threshold" },
		{ "a", "cooldown", "1m", { { "cooldown", "2m" } }, "'cooldown' given twice" },
		{ "a", "metric", "m", { { "finding", "oom_kill" } }, "'metric' is for an alert on a metric, and this one is on a finding" },
		{ "a", "above", "1", { { "scope", "/x" } }, "'above' is for an alert on a metric" },
		{ "a", "finding", "oom_kill", { { "match", "a=b" } }, "'finding' is for an alert on a finding, and this one is on a metric" },
		{ "a", "scope", "/x", { { "metric", "m" } }, "'scope' is for an alert on a finding" },
		{ "a b", "finding", "*", { { NULL } }, "alert name 'a b': only letters, digits" },
		{ "", "finding", "*", { { NULL } }, "alert name '': only letters" },
		{ NULL, "url", "http://x", { { NULL } }, "unknown key 'url': [notify] takes webhook, alertmanager" },
		{ NULL, "webhook", "ftp://x/y", { { NULL } }, "webhook 'ftp://x/y' is not an http:// or https:// URL" },
		{ NULL, "webhook", "http://", { { NULL } }, "is not an http:// or https:// URL" },
		{ NULL, "alertmanager", "127.0.0.1:9093", { { NULL } }, "alertmanager '127.0.0.1:9093' is not an http:// or https:// URL" },
		{ NULL, "timeout", "0", { { NULL } }, "timeout '0' must be a duration above 0 and at most 5m" },
		{ NULL, "timeout", "10m", { { NULL } }, "at most 5m" },
		{ NULL, "attempts", "0", { { NULL } }, "attempts '0' must be a whole number from 1 to 20" },
		{ NULL, "attempts", "3.5", { { NULL } }, "from 1 to 20" },
		{ NULL, "queue", "-1", { { NULL } }, "queue '-1' must be a whole number from 1 to 100000" },
		{ NULL, "backoff", "0", { { NULL } }, "backoff '0' must be a duration above 0" },
		{ NULL, "resend", "0.5s", { { NULL } }, "resend '0.5s' must be a duration from 1s to 1h" },
		{ NULL, "timeout", "1s", { { "timeout", "2s" } }, "'timeout' given twice" },
	};
	struct alerts_config *c;
	char err[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c = alerts_config_new();
		if (cases[i].pre[0][0])
			add(c, cases[i].name, cases[i].pre[0][0], cases[i].pre[0][1]);
		err[0] = 0;
		if (!alerts_config_add(c, cases[i].name, cases[i].key, cases[i].value, err,
				       sizeof(err)))
			fail_msg("%s = %s: accepted", cases[i].key, cases[i].value);
		if (!strstr(err, cases[i].says))
			fail_msg("%s = %s: '%s' does not say '%s'", cases[i].key, cases[i].value,
				 err, cases[i].says);
		/* one line, naming its section */
		assert_null(strchr(err, '\n'));
		if (cases[i].name && cases[i].name[0] && !strchr(cases[i].name, ' '))
			assert_non_null(strstr(err, "[alert "));
		else if (!cases[i].name)
			assert_non_null(strstr(err, "[notify]"));
		alerts_config_free(c);
	}
}

/* The mistakes seen only once the whole file is read. */
static void test_check_errors(void **state)
{
	struct alerts_config *c;
	char err[512];

	(void)state;
	c = alerts_config_new();
	add(c, "empty", NULL, NULL);
	assert_int_equal(alerts_config_check(c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "[alert empty]: neither finding nor metric: an alert needs "
				    "finding = KIND (or *) or metric = NAME"));
	alerts_config_free(c);

	c = alerts_config_new();
	add(c, "sev", "severity", "critical");
	assert_int_equal(alerts_config_check(c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "[alert sev]: neither finding nor metric"));
	alerts_config_free(c);

	c = alerts_config_new();
	add(c, "m", "metric", "perfpilot_host_memory_available_bytes");
	add(c, "m", "for", "1m");
	assert_int_equal(alerts_config_check(c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "[alert m]: no threshold: an alert on a metric needs "
				    "above = X or below = X"));
	alerts_config_free(c);

	c = alerts_config_new();
	add(c, "m", "metric", "m");
	add(c, "m", "above", "0.5");
	add(c, "m", "clear", "0.6");
	assert_int_equal(alerts_config_check(c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "[alert m]: clear 0.6 is above the threshold 0.5"));
	alerts_config_free(c);

	c = alerts_config_new();
	add(c, "m", "metric", "m");
	add(c, "m", "below", "0.5");
	add(c, "m", "clear", "0.4");
	assert_int_equal(alerts_config_check(c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "clear 0.4 is below the threshold 0.5"));
	alerts_config_free(c);

	/* a second section of one name */
	c = alerts_config_new();
	add(c, "dup", NULL, NULL);
	add(c, "dup", "finding", "*");
	assert_int_equal(alerts_config_add(c, "dup", NULL, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "a second [alert dup] section: alert names must be unique"));
	alerts_config_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_valid_config),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_each_error),
		cmocka_unit_test(test_check_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
