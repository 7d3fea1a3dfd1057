// SPDX-License-Identifier: GPL-2.0
/*
 * The alert engine: rules on findings and on metrics, pending -> firing ->
 * resolved, `for`, cooldown, hysteresis, reload, and the notifications a
 * real local HTTP server receives (the webhook's JSON, Alertmanager's API
 * v2 payload). Time is the `now` argument: nothing sleeps for it.
 */
#define _GNU_SOURCE
#include <fnmatch.h>
#include <math.h>
#include <regex.h>
#include "post_sink.h"
#include "daemon/alerts.h"
#include "daemon/alerts_payload.h"

#define T0 1700000000.0          /* 2023-11-14T22:13:20Z */

/* A config from {section, key, value} rows (section NULL: [notify]). */
static struct alerts_config *config(const char *const (*kv)[3])
{
	struct alerts_config *c = alerts_config_new();
	char err[256];

	for (; (*kv)[1]; kv++)
		if (alerts_config_add(c, (*kv)[0], (*kv)[1], (*kv)[2], err, sizeof(err)))
			fail_msg("%s: %s", (*kv)[1], err);
	assert_int_equal(alerts_config_check(c, err, sizeof(err)), 0);
	return c;
}

static struct alerts *start(const char *const (*kv)[3])
{
	struct alerts_config *c = config(kv);
	char err[256] = "";
	struct alerts *a = alerts_start(c, err, sizeof(err));

	if (!a)
		fail_msg("alerts_start: %s", err);
	alerts_config_free(c);        /* alerts_start copied it */
	return a;
}

/* A finding of report --json with process victims (pids, comms) in cgroup. */
static json_t *finding_v(const char *kind, const char *sev, const char *cgroup, size_t n,
			 const int *pids, const char *const *comms)
{
	json_t *v = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(v, json_pack("{s:s, s:i, s:s, s:f, s:s, s:s, s:f, s:s, s:n}",
						   "kind", "process", "pid", pids[i], "comm",
						   comms[i], "process_start", 1699990000.0 + pids[i],
						   "cgroup", cgroup, "metric", "mem.rss_bytes",
						   "value", 1e6, "unit", "bytes", "share"));
	return json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s, s:f, s:f, s:[f, f], s:[f, f]},"
			 " s:o, s:[], s:n, s:[{s:s, s:s}]}",
			 "kind", kind, "severity", sev, "resource", "memory", "summary",
			 n ? comms[0] : "the host", "evidence", "metric", "mem.rss_bytes",
			 "entity_kind", "process", "entity", "1", "start", T0 - 600, "end", T0,
			 "t", T0 - 600, T0, "values", 1.0, 2.0, "victims", v, "culprits",
			 "forecast", "recommendations", "action", "manual", "text",
			 "Look for a leak.");
}

static json_t *finding(const char *kind, const char *sev, int pid, const char *comm,
		       const char *cgroup)
{
	return finding_v(kind, sev, cgroup, 1, &pid, &comm);
}

/* An array of the findings given (references taken). */
static json_t *list(json_t *a, json_t *b)
{
	json_t *l = json_array();

	if (a)
		json_array_append_new(l, a);
	if (b)
		json_array_append_new(l, b);
	return l;
}

static void eval(struct alerts *a, json_t *findings, double now)
{
	alerts_eval_findings(a, findings, now);
	json_decref(findings);
}

/* How many alerts of rule are in state (alerts_json). */
static int count_state(struct alerts *a, const char *rule, const char *state)
{
	json_t *j = alerts_json(a), *o;
	size_t i;
	int n = 0;

	json_array_foreach(j, i, o)
		n += (!rule || !strcmp(json_string_value(json_object_get(o, "rule")), rule)) &&
		     !strcmp(json_string_value(json_object_get(o, "state")), state);
	json_decref(j);
	return n;
}

static unsigned firing(struct alerts *a)
{
	struct alerts_stats st;

	alerts_get_stats(a, &st);
	return st.firing;
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	if (!s)
		fail_msg("no string \"%s\"", key);
	return s;
}

static const char *label(const json_t *body, const char *key)
{
	return str(json_object_get(body, "labels"), key);
}

static void assert_rfc3339(const char *s, double t)
{
	char want[40];

	alerts_rfc3339(t, want, sizeof(want));
	assert_string_equal(s, want);
}

static void hostname(char *buf, size_t len)
{
	assert_int_equal(gethostname(buf, len), 0);
}

/* ---- findings ---- */

/* One firing however often the finding is seen, one resolved when it is
 * gone; the webhook's JSON says what the docs say it does. */
static void test_finding_fires_once_and_resolves(void **state)
{
	struct post_sink s;
	const char *const kv[][3] = {
		{ NULL, "webhook", s.url },
		{ "mem", "finding", "memory_growth" },
		{ "mem", "severity", "warning" },
		{ NULL },
	};
	char host[256];
	struct alerts *a;
	json_t *b, *f, *v;

	(void)state;
	sink_start(&s, NULL, 0);
	hostname(host, sizeof(host));
	a = start(kv);
	eval(a, list(finding("memory_growth", "warning", 4242, "grow", "/app/web"), NULL), T0);
	assert_int_equal(firing(a), 1);
	eval(a, list(finding("memory_growth", "critical", 4242, "grow", "/app/web"), NULL), T0 + 60);
	eval(a, list(finding("memory_growth", "warning", 4242, "grow", "/app/web"), NULL), T0 + 120);
	assert_int_equal(firing(a), 1);
	assert_int_equal(count_state(a, "mem", "firing"), 1);
	/* no analysis (NULL, not an array) changes nothing */
	alerts_eval_findings(a, NULL, T0 + 150);
	eval(a, json_string("findings"), T0 + 160);
	assert_int_equal(firing(a), 1);
	/* the whole report will do: its findings are gone */
	eval(a, json_pack("{s:{}, s:[]}", "meta", "findings"), T0 + 180);
	assert_int_equal(firing(a), 0);
	alerts_stop(a, 10);
	assert_int_equal(sink_count(&s), 2);

	b = sink_json(&s, 0);
	assert_int_equal(json_integer_value(json_object_get(b, "version")), 1);
	assert_string_equal(str(b, "status"), "firing");
	assert_string_equal(str(b, "rule"), "mem");
	assert_string_equal(str(b, "on"), "finding");
	assert_string_equal(str(b, "hostname"), host);
	assert_string_equal(label(b, "alertname"), "mem");
	assert_string_equal(label(b, "severity"), "warning");
	assert_string_equal(label(b, "instance"), host);
	assert_string_equal(label(b, "kind"), "memory_growth");
	assert_string_equal(label(b, "pid"), "4242");
	assert_string_equal(label(b, "comm"), "grow");
	assert_string_equal(label(b, "cgroup"), "/app/web");
	assert_string_equal(str(json_object_get(b, "annotations"), "summary"), "grow");
	assert_non_null(strstr(str(json_object_get(b, "annotations"), "description"),
			       "Look for a leak."));
	assert_rfc3339(str(b, "startsAt"), T0);
	assert_string_equal(str(b, "startsAt"), "2023-11-14T22:13:20.000Z");
	assert_true(json_is_null(json_object_get(b, "endsAt")));
	assert_int_equal(strlen(str(b, "fingerprint")), 16);
	f = json_object_get(b, "finding");
	assert_string_equal(str(f, "kind"), "memory_growth");
	assert_string_equal(str(f, "severity"), "warning");
	assert_string_equal(str(f, "summary"), "grow");
	v = json_array_get(json_object_get(f, "victims"), 0);
	assert_string_equal(str(v, "comm"), "grow");
	assert_int_equal(json_integer_value(json_object_get(v, "pid")), 4242);
	/* the evidence without its samples */
	assert_non_null(json_object_get(json_object_get(f, "evidence"), "metric"));
	assert_null(json_object_get(json_object_get(f, "evidence"), "t"));

	v = sink_json(&s, 1);
	assert_string_equal(str(v, "status"), "resolved");
	assert_string_equal(str(v, "fingerprint"), str(b, "fingerprint"));
	assert_rfc3339(str(v, "startsAt"), T0);
	assert_rfc3339(str(v, "endsAt"), T0 + 180);
	assert_string_equal(label(v, "comm"), "grow");
	/* the severity label is the one it fired with */
	assert_string_equal(label(v, "severity"), "warning");
	json_decref(v);
	json_decref(b);
	sink_stop(&s);
}

/* Minimum severity and scopes (a cgroup prefix, comm=). */
static void test_finding_severity_and_scope(void **state)
{
	static const char *const kv[][3] = {
		{ "crit", "finding", "*" },
		{ "crit", "severity", "critical" },
		{ "pg", "finding", "*" },
		{ "pg", "scope", "comm=postgres" },
		{ "app", "finding", "memory_growth" },
		{ "app", "scope", "/app" },
		{ "info", "finding", "reclaim_stalls" },
		{ "info", "severity", "info" },
		{ NULL },
	};
	struct alerts *a = start(kv);

	(void)state;
	eval(a, list(finding("memory_growth", "warning", 10, "grow", "/app/web"),
		     finding("memory_growth", "warning", 11, "grow", "/apple")), T0);
	assert_int_equal(count_state(a, "app", "firing"), 1);   /* /app/web, not /apple */
	assert_int_equal(count_state(a, "crit", "firing"), 0);
	assert_int_equal(count_state(a, "pg", "firing"), 0);
	assert_int_equal(firing(a), 1);
	eval(a, list(finding("oom_kill", "critical", 12, "postgres", "/db"),
		     finding("reclaim_stalls", "info", 13, "java", "/app")), T0 + 60);
	assert_int_equal(count_state(a, "crit", "firing"), 1);
	assert_int_equal(count_state(a, "pg", "firing"), 1);
	assert_int_equal(count_state(a, "info", "firing"), 1);
	/* the memory_growth finding is gone: app resolved (in its cooldown) */
	assert_int_equal(count_state(a, "app", "resolved"), 1);
	assert_int_equal(firing(a), 3);
	alerts_stop(a, 1);
}

/* One alert per victim entity; a finding whose victims change places
 * keeps its alert. */
static void test_finding_instances(void **state)
{
	struct post_sink s;
	const char *const kv[][3] = {
		{ NULL, "webhook", s.url },
		{ "mem", "finding", "memory_growth" },
		{ "cpu", "finding", "cpu_saturation" },
		{ NULL },
	};
	static const int ab[] = { 1, 2 }, ba[] = { 2, 1 }, c[] = { 3, 1 };
	static const char *const ab_c[] = { "a", "b" }, *const ba_c[] = { "b", "a" },
				 *const c_c[] = { "c", "a" };
	struct alerts *a;
	json_t *b;

	(void)state;
	sink_start(&s, NULL, 0);
	a = start(kv);
	eval(a, list(finding("memory_growth", "warning", 100, "x", "/"),
		     finding("memory_growth", "warning", 200, "y", "/")), T0);
	assert_int_equal(count_state(a, "mem", "firing"), 2);
	eval(a, list(finding_v("cpu_saturation", "warning", "/", 2, ab, ab_c), NULL), T0 + 60);
	assert_int_equal(count_state(a, "cpu", "firing"), 1);
	assert_int_equal(count_state(a, "mem", "resolved"), 2);
	eval(a, list(finding_v("cpu_saturation", "warning", "/", 2, ba, ba_c), NULL), T0 + 120);
	assert_int_equal(count_state(a, "cpu", "firing"), 1);
	assert_int_equal(count_state(a, "cpu", "resolved"), 0);
	/* victim a is still there, third now */
	eval(a, list(finding_v("cpu_saturation", "warning", "/", 2, c, c_c), NULL), T0 + 180);
	assert_int_equal(count_state(a, "cpu", "firing"), 1);
	alerts_stop(a, 10);
	/* mem: 2 firing; cpu: 1 firing, about a; mem: 2 resolved */
	assert_int_equal(sink_count(&s), 5);
	b = sink_json(&s, 2);
	assert_string_equal(str(b, "rule"), "cpu");
	assert_string_equal(str(b, "status"), "firing");
	assert_string_equal(label(b, "comm"), "a");
	json_decref(b);
	b = sink_json(&s, 4);
	assert_string_equal(str(b, "rule"), "mem");
	assert_string_equal(str(b, "status"), "resolved");
	json_decref(b);
	sink_stop(&s);
}

/* No second firing within the cooldown of the first: the alert waits,
 * pending, and fires once the cooldown has passed if still there. */
static void test_cooldown(void **state)
{
	struct post_sink s;
	const char *const kv[][3] = {
		{ NULL, "webhook", s.url },
		{ "mem", "finding", "memory_growth" },
		{ "mem", "cooldown", "10m" },
		{ "now", "finding", "oom_kill" },
		{ "now", "cooldown", "0" },
		{ NULL },
	};
	const char *want[][2] = {
		{ "mem", "firing" }, { "now", "firing" }, { "mem", "resolved" },
		{ "now", "resolved" }, { "now", "firing" }, { "mem", "firing" },
	};
	struct alerts *a;
	json_t *b;
	size_t i;

	(void)state;
	sink_start(&s, NULL, 0);
	a = start(kv);
	eval(a, list(finding("memory_growth", "warning", 1, "x", "/"),
		     finding("oom_kill", "critical", 2, "y", "/")), T0);
	eval(a, list(NULL, NULL), T0 + 60);
	assert_int_equal(firing(a), 0);
	eval(a, list(finding("memory_growth", "warning", 1, "x", "/"),
		     finding("oom_kill", "critical", 2, "y", "/")), T0 + 120);
	assert_int_equal(count_state(a, "mem", "pending"), 1);
	assert_int_equal(count_state(a, "now", "firing"), 1);
	eval(a, list(finding("memory_growth", "warning", 1, "x", "/"),
		     finding("oom_kill", "critical", 2, "y", "/")), T0 + 599);
	assert_int_equal(count_state(a, "mem", "pending"), 1);
	eval(a, list(finding("memory_growth", "warning", 1, "x", "/"),
		     finding("oom_kill", "critical", 2, "y", "/")), T0 + 600);
	assert_int_equal(count_state(a, "mem", "firing"), 1);
	assert_int_equal(firing(a), 2);
	alerts_stop(a, 10);
	assert_int_equal(sink_count(&s), 6);
	for (i = 0; i < 6; i++) {
		b = sink_json(&s, i);
		assert_string_equal(str(b, "rule"), want[i][0]);
		assert_string_equal(str(b, "status"), want[i][1]);
		if (i == 5)     /* it started when it came back */
			assert_rfc3339(str(b, "startsAt"), T0 + 120);
		json_decref(b);
	}
	sink_stop(&s);
}

/* A resolved alert past its cooldown is forgotten. */
static void test_resolved_forgotten(void **state)
{
	static const char *const kv[][3] = {
		{ "mem", "finding", "memory_growth" },
		{ "mem", "cooldown", "5m" },
		{ NULL },
	};
	struct alerts *a = start(kv);
	json_t *j;

	(void)state;
	eval(a, list(finding("memory_growth", "warning", 1, "x", "/"), NULL), T0);
	eval(a, list(NULL, NULL), T0 + 60);
	assert_int_equal(count_state(a, "mem", "resolved"), 1);
	eval(a, list(NULL, NULL), T0 + 300);
	j = alerts_json(a);
	assert_int_equal(json_array_size(j), 0);
	json_decref(j);
	alerts_stop(a, 1);
}

/* ---- metrics ---- */

static void metric(struct alerts *a, const char *name, const char *labels, double v, double now)
{
	struct alert_metric m = { name, labels, v };

	alerts_eval_metrics(a, &m, 1, now);
}

/* Pending until `for` has passed over the evaluations, then firing;
 * between clear and the threshold it keeps firing; at clear it resolves. */
static void test_metric_for_and_hysteresis(void **state)
{
	struct post_sink s;
	const char *const kv[][3] = {
		{ NULL, "webhook", s.url },
		{ "cpu", "metric", "perfpilot_cgroup_cpu_seconds_total" },
		{ "cpu", "match", "cgroup=/app*" },
		{ "cpu", "above", "0.9" },
		{ "cpu", "clear", "0.7" },
		{ "cpu", "for", "5m" },
		{ NULL },
	};
	const char *m = "perfpilot_cgroup_cpu_seconds_total";
	struct alert_metric two[2] = {
		{ m, "cgroup=\"/app\"", 0.95 }, { m, "cgroup=\"/other\"", 5 },
	};
	struct alerts *a;
	json_t *b, *j;
	double t;

	(void)state;
	sink_start(&s, NULL, 0);
	a = start(kv);
	for (t = 0; t < 300; t += 5) {
		alerts_eval_metrics(a, two, 2, T0 + t);
		if (count_state(a, "cpu", "pending") != 1)
			fail_msg("not pending at %g s", t);
	}
	assert_int_equal(firing(a), 0);
	j = alerts_json(a);
	assert_int_equal(json_array_size(j), 1);    /* /other does not match */
	assert_rfc3339(str(json_array_get(j, 0), "activeSince"), T0);
	json_decref(j);
	alerts_eval_metrics(a, two, 2, T0 + 300);
	assert_int_equal(count_state(a, "cpu", "firing"), 1);
	two[0].value = 0.8;                          /* below 0.9, above clear */
	alerts_eval_metrics(a, two, 2, T0 + 305);
	assert_int_equal(count_state(a, "cpu", "firing"), 1);
	two[0].value = 0.7;
	alerts_eval_metrics(a, two, 2, T0 + 310);
	assert_int_equal(firing(a), 0);
	alerts_stop(a, 10);
	assert_int_equal(sink_count(&s), 2);

	b = sink_json(&s, 0);
	assert_string_equal(str(b, "status"), "firing");
	assert_string_equal(str(b, "on"), "metric");
	assert_string_equal(label(b, "alertname"), "cpu");
	assert_string_equal(label(b, "cgroup"), "/app");
	assert_string_equal(label(b, "severity"), "warning");
	assert_rfc3339(str(b, "startsAt"), T0);     /* since the condition holds */
	j = json_object_get(b, "metric");
	assert_string_equal(str(j, "name"), m);
	assert_string_equal(str(json_object_get(j, "labels"), "cgroup"), "/app");
	assert_dbl_eq(json_number_value(json_object_get(j, "value")), 0.95);
	assert_dbl_eq(json_number_value(json_object_get(j, "threshold")), 0.9);
	assert_dbl_eq(json_number_value(json_object_get(j, "clear")), 0.7);
	assert_dbl_eq(json_number_value(json_object_get(j, "for_s")), 300);
	assert_string_equal(str(j, "op"), "above");
	assert_string_equal(str(json_object_get(b, "annotations"), "summary"),
			    "perfpilot_cgroup_cpu_seconds_total{cgroup=\"/app\"} is 0.95, above "
			    "0.9 for 5m");
	json_decref(b);
	b = sink_json(&s, 1);
	assert_string_equal(str(b, "status"), "resolved");
	assert_rfc3339(str(b, "endsAt"), T0 + 310);
	assert_dbl_eq(json_number_value(json_object_get(json_object_get(b, "metric"), "value")),
		      0.7);
	assert_string_equal(str(json_object_get(b, "annotations"), "summary"),
			    "perfpilot_cgroup_cpu_seconds_total{cgroup=\"/app\"} is 0.7, back to "
			    "0.7 or below");
	json_decref(b);
	sink_stop(&s);
}

/* A pending alert whose condition fails starts over; nothing is sent. */
static void test_metric_pending_resets(void **state)
{
	struct post_sink s;
	const char *const kv[][3] = {
		{ NULL, "webhook", s.url },
		{ "low", "metric", "perfpilot_host_memory_available_bytes" },
		{ "low", "below", "1e9" },
		{ "low", "for", "60" },
		{ NULL },
	};
	const char *m = "perfpilot_host_memory_available_bytes";
	struct alerts *a;
	json_t *b;

	(void)state;
	sink_start(&s, NULL, 0);
	a = start(kv);
	metric(a, m, "", 5e8, T0);
	assert_int_equal(count_state(a, "low", "pending"), 1);
	metric(a, m, "", 2e9, T0 + 30);
	b = alerts_json(a);
	assert_int_equal(json_array_size(b), 0);
	json_decref(b);
	metric(a, m, "", 5e8, T0 + 40);
	metric(a, m, "", 5e8, T0 + 90);
	assert_int_equal(count_state(a, "low", "pending"), 1);
	metric(a, m, "", 5e8, T0 + 100);
	assert_int_equal(count_state(a, "low", "firing"), 1);
	alerts_stop(a, 10);
	assert_int_equal(sink_count(&s), 1);
	b = sink_json(&s, 0);
	assert_rfc3339(str(b, "startsAt"), T0 + 40);
	assert_string_equal(str(json_object_get(b, "annotations"), "summary"),
			    "perfpilot_host_memory_available_bytes is 5e+08, below 1e+09 for 1m");
	json_decref(b);
	sink_stop(&s);
}

/* A series that ends resolves its alert; labels of the series that clash
 * with the alert's own become exported_NAME. */
static void test_metric_series_ends(void **state)
{
	struct post_sink s;
	const char *const kv[][3] = {
		{ NULL, "webhook", s.url },
		{ "crit", "metric", "perfpilot_findings" },
		{ "crit", "match", "severity=critical" },
		{ "crit", "above", "0" },
		{ "crit", "severity", "info" },
		{ NULL },
	};
	struct alert_metric other = { "perfpilot_self_cpu_seconds_total", "", 0.01 };
	struct alerts *a;
	json_t *b;

	(void)state;
	sink_start(&s, NULL, 0);
	a = start(kv);
	metric(a, "perfpilot_findings", "kind=\"oom_kill\",severity=\"critical\"", 1, T0);
	metric(a, "perfpilot_findings", "kind=\"oom_kill\",severity=\"warning\"", 1, T0 + 5);
	assert_int_equal(firing(a), 0);   /* the critical series ended */
	alerts_eval_metrics(a, &other, 1, T0 + 10);
	alerts_stop(a, 10);
	assert_int_equal(sink_count(&s), 2);
	b = sink_json(&s, 0);
	assert_string_equal(label(b, "severity"), "info");
	assert_string_equal(label(b, "exported_severity"), "critical");
	assert_string_equal(label(b, "kind"), "oom_kill");
	json_decref(b);
	b = sink_json(&s, 1);
	assert_string_equal(str(b, "status"), "resolved");
	assert_true(json_is_null(json_object_get(json_object_get(b, "metric"), "value")));
	assert_non_null(strstr(str(json_object_get(b, "annotations"), "summary"),
			       "the series ended"));
	json_decref(b);
	sink_stop(&s);
}

/* ---- reload ---- */

/* Rules that keep their name keep their alerts; those that vanish resolve
 * at once; new sinks take the next notifications. */
static void test_reload_keeps_state(void **state)
{
	struct post_sink s1, s2;
	const char *const kv1[][3] = {
		{ NULL, "webhook", s1.url },
		{ "mem", "finding", "memory_growth" },
		{ "gone", "finding", "*" },
		{ "cpu", "metric", "perfpilot_host_cpu_busy_seconds_total" },
		{ "cpu", "above", "1" },
		{ "cpu", "for", "1m" },
		{ NULL },
	};
	const char *const kv2[][3] = {
		{ NULL, "webhook", s2.url },
		{ "mem", "finding", "memory_growth" },
		{ "mem", "cooldown", "1h" },
		{ "cpu", "metric", "perfpilot_host_cpu_busy_seconds_total" },
		{ "cpu", "above", "1" },
		{ "cpu", "for", "1m" },
		{ "new", "metric", "perfpilot_self_resident_memory_bytes" },
		{ "new", "above", "1e9" },
		{ NULL },
	};
	const char *m = "perfpilot_host_cpu_busy_seconds_total";
	struct alerts_config *c2;
	struct alerts *a;
	json_t *b, *j;

	(void)state;
	sink_start(&s1, NULL, 0);
	sink_start(&s2, NULL, 0);
	a = start(kv1);
	eval(a, list(finding("memory_growth", "warning", 1, "x", "/"), NULL), T0);
	metric(a, m, "", 1.5, T0);
	assert_int_equal(count_state(a, "mem", "firing"), 1);
	assert_int_equal(count_state(a, "gone", "firing"), 1);
	assert_int_equal(count_state(a, "cpu", "pending"), 1);

	c2 = config(kv2);
	assert_int_equal(alerts_reload(a, c2), 0);
	alerts_config_free(c2);
	assert_int_equal(count_state(a, "mem", "firing"), 1);
	assert_int_equal(count_state(a, "gone", "firing"), 0);
	assert_int_equal(count_state(a, "cpu", "pending"), 1);
	/* still firing: no new notification; the pending one keeps its start */
	eval(a, list(finding("memory_growth", "warning", 1, "x", "/"), NULL), T0 + 60);
	metric(a, m, "", 1.5, T0 + 60);
	assert_int_equal(count_state(a, "cpu", "firing"), 1);
	j = alerts_json(a);
	assert_int_equal(json_array_size(j), 2);
	json_decref(j);
	eval(a, list(NULL, NULL), T0 + 120);
	alerts_stop(a, 10);

	/* the old sink: mem and gone firing, gone resolved by the reload */
	assert_int_equal(sink_count(&s1), 3);
	b = sink_json(&s1, 2);
	assert_string_equal(str(b, "rule"), "gone");
	assert_string_equal(str(b, "status"), "resolved");
	json_decref(b);
	/* the new one: cpu firing (since T0), mem resolved */
	assert_int_equal(sink_count(&s2), 2);
	b = sink_json(&s2, 0);
	assert_string_equal(str(b, "rule"), "cpu");
	assert_string_equal(str(b, "status"), "firing");
	assert_rfc3339(str(b, "startsAt"), T0);
	json_decref(b);
	b = sink_json(&s2, 1);
	assert_string_equal(str(b, "rule"), "mem");
	assert_string_equal(str(b, "status"), "resolved");
	assert_rfc3339(str(b, "startsAt"), T0);
	json_decref(b);
	sink_stop(&s1);
	sink_stop(&s2);
}

/* ---- Alertmanager ---- */

static void assert_am_alert(const json_t *al, const char *host)
{
	static const char *const keys[] = { "labels", "annotations", "startsAt", "endsAt",
					    "generatorURL" };
	regex_t name_re, time_re;
	const char *k;
	json_t *v;
	size_t i;
	bool known;

	assert_int_equal(regcomp(&name_re, "^[a-zA-Z_][a-zA-Z0-9_]*$", REG_EXTENDED | REG_NOSUB), 0);
	assert_int_equal(regcomp(&time_re, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:"
				 "[0-9]{2}(\\.[0-9]+)?Z$", REG_EXTENDED | REG_NOSUB), 0);
	/* postableAlert: only the fields of API v2, labels required */
	json_object_foreach((json_t *)al, k, v) {
		known = false;
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			known |= !strcmp(k, keys[i]);
		if (!known)
			fail_msg("\"%s\" is not a field of Alertmanager's postableAlert", k);
	}
	assert_true(json_is_object(json_object_get(al, "labels")));
	json_object_foreach(json_object_get(al, "labels"), k, v) {
		if (regexec(&name_re, k, 0, NULL, 0))
			fail_msg("label name \"%s\" is not valid", k);
		assert_true(json_is_string(v));
	}
	json_object_foreach(json_object_get(al, "annotations"), k, v)
		assert_true(json_is_string(v));
	assert_non_null(json_object_get(json_object_get(al, "labels"), "alertname"));
	assert_non_null(json_object_get(json_object_get(al, "labels"), "severity"));
	assert_string_equal(label(al, "instance"), host);
	assert_true(json_is_string(json_object_get(json_object_get(al, "annotations"), "summary")));
	assert_true(json_is_string(json_object_get(json_object_get(al, "annotations"),
						   "description")));
	assert_int_equal(regexec(&time_re, str(al, "startsAt"), 0, NULL, 0), 0);
	assert_int_equal(regexec(&time_re, str(al, "endsAt"), 0, NULL, 0), 0);
	regfree(&name_re);
	regfree(&time_re);
}

/* POST BASE/api/v2/alerts with an array of alerts; firing ones end in the
 * future and are re-sent each resend period; a resolved one ends now. */
static void test_alertmanager_payload(void **state)
{
	struct post_sink s;
	char base[96];
	const char *const kv[][3] = {
		{ NULL, "alertmanager", base },
		{ NULL, "generator_url", "http://127.0.0.1:9464/api/findings" },
		{ NULL, "resend", "1m" },
		{ "mem", "finding", "memory_growth" },
		{ NULL },
	};
	char host[256];
	struct alerts *a;
	json_t *b, *al;
	size_t i;

	(void)state;
	sink_start(&s, NULL, 0);
	snprintf(base, sizeof(base), "%s/", s.url);     /* a trailing / is fine */
	hostname(host, sizeof(host));
	a = start(kv);
	eval(a, list(finding("memory_growth", "critical", 4242, "grow", "/app"), NULL), T0);
	eval(a, list(finding("memory_growth", "critical", 4242, "grow", "/app"), NULL), T0 + 30);
	eval(a, list(finding("memory_growth", "critical", 4242, "grow", "/app"), NULL), T0 + 61);
	eval(a, list(NULL, NULL), T0 + 90);
	alerts_stop(a, 10);
	/* firing; re-sent at T0 + 61 (not at T0 + 30); resolved */
	assert_int_equal(sink_count(&s), 3);
	for (i = 0; i < sink_count(&s); i++) {
		assert_string_equal(s.req[i].method, "POST");
		assert_string_equal(s.req[i].path, "/api/v2/alerts");
		assert_string_equal(s.req[i].ctype, "application/json");
		b = sink_json(&s, i);
		assert_true(json_is_array(b));
		assert_int_equal(json_array_size(b), 1);
		al = json_array_get(b, 0);
		assert_am_alert(al, host);
		assert_string_equal(label(al, "alertname"), "mem");
		assert_string_equal(label(al, "severity"), "critical");
		assert_string_equal(label(al, "comm"), "grow");
		assert_string_equal(str(json_object_get(al, "annotations"), "summary"), "grow");
		assert_string_equal(str(al, "generatorURL"), "http://127.0.0.1:9464/api/findings");
		assert_rfc3339(str(al, "startsAt"), T0);
		json_decref(b);
	}
	/* the first: ends 4 resend periods on, unless re-sent */
	b = sink_json(&s, 0);
	assert_rfc3339(str(json_array_get(b, 0), "endsAt"), T0 + 240);
	json_decref(b);
	b = sink_json(&s, 1);
	assert_rfc3339(str(json_array_get(b, 0), "endsAt"), T0 + 61 + 240);
	json_decref(b);
	b = sink_json(&s, 2);
	assert_rfc3339(str(json_array_get(b, 0), "endsAt"), T0 + 90);
	json_decref(b);
	sink_stop(&s);
}

/* ---- a dead sink ---- */

/* Connection refused on every attempt: evaluating does not wait for it,
 * the notifications fail or are dropped, and counted; stopping keeps to
 * its deadline (here an absolute time). */
static void test_dead_sink_does_not_block(void **state)
{
	char url[128];
	const char *const kv[][3] = {
		{ NULL, "webhook", url },
		{ NULL, "attempts", "3" },
		{ NULL, "backoff", "50ms" },
		{ NULL, "queue", "8" },
		{ "mem", "finding", "memory_growth" },
		{ "mem", "cooldown", "0" },
		{ NULL },
	};
	struct alerts_stats st, wh;
	struct timespec ts;
	struct alerts *a;
	double t0, dt;
	int i;

	(void)state;
	sink_dead_url(url, sizeof(url));
	a = start(kv);
	t0 = sink_now();
	for (i = 0; i < 100; i++)
		eval(a, list(i % 2 ? NULL : finding("memory_growth", "warning", 1, "x", "/"), NULL),
		     T0 + i);
	dt = sink_now() - t0;
	/* a caller that waited would need 100 x (3 attempts, 2 backoffs of 25..50 ms) */
	assert_dbl_le(dt, 1.0);
	for (t0 = sink_now();; usleep(10000)) {
		alerts_get_stats(a, &st);
		if (st.failed + st.dropped == 100)
			break;
		if (sink_now() - t0 > 20)
			fail_msg("failed %llu + dropped %llu != 100", st.failed, st.dropped);
	}
	assert_int_equal(st.sent, 0);
	assert_true(st.failed >= 1);
	assert_true(st.dropped >= 1);     /* 8 in the queue, not 100 */
	assert_int_equal(st.retried, 2 * st.failed);
	assert_true(alerts_get_sink_stats(a, ALERTS_SINK_WEBHOOK, &wh));
	assert_int_equal(wh.failed, st.failed);
	assert_int_equal(wh.dropped, st.dropped);
	assert_false(alerts_get_sink_stats(a, ALERTS_SINK_ALERTMANAGER, &wh)); /* not set */
	assert_int_equal(wh.sent + wh.failed + wh.dropped, 0);
	assert_string_equal(alerts_sink_name(ALERTS_SINK_ALERTMANAGER), "alertmanager");

	/* more to do, a deadline 0.3 s away as a unix time */
	eval(a, list(finding("memory_growth", "warning", 1, "x", "/"), NULL), T0 + 200);
	clock_gettime(CLOCK_REALTIME, &ts);
	t0 = sink_now();
	alerts_stop(a, (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 + 0.3);
	assert_dbl_le(sink_now() - t0, 2);
}

/* The log says what fires and resolves. */
static char logged[8][256];
static int nlogged;

static void logger(int level, const char *fmt, ...)
{
	va_list ap;

	if (level != 1 || nlogged >= 8)
		return;
	va_start(ap, fmt);
	vsnprintf(logged[nlogged++], sizeof(logged[0]), fmt, ap);
	va_end(ap);
}

static void test_log_lines(void **state)
{
	static const char *const kv[][3] = {
		{ "mem", "finding", "memory_growth" },
		{ NULL },
	};
	struct alerts *a = start(kv);

	(void)state;
	nlogged = 0;
	alerts_set_logger(a, logger);
	eval(a, list(finding("memory_growth", "warning", 1, "grow", "/"), NULL), T0);
	eval(a, list(NULL, NULL), T0 + 60);
	alerts_stop(a, 1);
	assert_int_equal(nlogged, 2);
	assert_string_equal(logged[0], "alert mem firing: grow");
	assert_string_equal(logged[1], "alert mem resolved: grow");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_finding_fires_once_and_resolves),
		cmocka_unit_test(test_finding_severity_and_scope),
		cmocka_unit_test(test_finding_instances),
		cmocka_unit_test(test_cooldown),
		cmocka_unit_test(test_resolved_forgotten),
		cmocka_unit_test(test_metric_for_and_hysteresis),
		cmocka_unit_test(test_metric_pending_resets),
		cmocka_unit_test(test_metric_series_ends),
		cmocka_unit_test(test_reload_keeps_state),
		cmocka_unit_test(test_alertmanager_payload),
		cmocka_unit_test(test_dead_sink_does_not_block),
		cmocka_unit_test(test_log_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
