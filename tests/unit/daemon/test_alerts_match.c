// SPDX-License-Identifier: GPL-2.0
/* What a rule matches: label text, metric series, findings and their entities. */
#define _GNU_SOURCE
#include <math.h>
#include "unit.h"
#include "daemon/alerts_match.h"

static struct alerts_config *config(const char *const (*kv)[3])
{
	struct alerts_config *c = alerts_config_new();
	char err[256];

	for (; (*kv)[0]; kv++)
		if (alerts_config_add(c, (*kv)[0], (*kv)[1], (*kv)[2], err, sizeof(err)))
			fail_msg("%s: %s", (*kv)[1], err);
	assert_int_equal(alerts_config_check(c, err, sizeof(err)), 0);
	return c;
}

static json_t *parse(const char *s)
{
	json_error_t e;
	json_t *j = json_loads(s, 0, &e);

	if (!j)
		fail_msg("bad test JSON: %s", e.text);
	return j;
}

static void test_labels(void **state)
{
	struct alert_labels l;

	(void)state;
	assert_int_equal(alerts_labels_parse("cgroup=\"/a\\\"b\\\\c\",kind=\"minor\"", &l), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(alerts_labels_get(&l, "cgroup"), "/a\"b\\c");
	assert_string_equal(alerts_labels_get(&l, "kind"), "minor");
	assert_null(alerts_labels_get(&l, "pid"));
	alerts_labels_free(&l);
	assert_int_equal(alerts_labels_parse("a=\"x\\ny\"", &l), 0);
	assert_string_equal(alerts_labels_get(&l, "a"), "x\ny");
	alerts_labels_free(&l);
	assert_int_equal(alerts_labels_parse("", &l), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(alerts_labels_parse(NULL, &l), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(alerts_labels_parse("a=\"\"", &l), 0);
	assert_string_equal(alerts_labels_get(&l, "a"), "");
	alerts_labels_free(&l);
	/* malformed */
	assert_int_equal(alerts_labels_parse("a=x", &l), -1);
	assert_int_equal(alerts_labels_parse("a=\"x", &l), -1);
	assert_int_equal(alerts_labels_parse("a=\"x\"b=\"y\"", &l), -1);
	assert_int_equal(alerts_labels_parse("=\"x\"", &l), -1);
	assert_int_equal(alerts_labels_parse("a=\"\\q\"", &l), -1);
	assert_int_equal(l.n, 0);
}

static void test_metric_rules(void **state)
{
	static const char *const kv[][3] = {
		{ "cpu", "metric", "perfpilot_cgroup_cpu_seconds_total" },
		{ "cpu", "match", "cgroup=/app/* kind=minor" },
		{ "cpu", "above", "0.9" },
		{ "cpu", "clear", "0.7" },
		{ "low", "metric", "perfpilot_host_memory_available_bytes" },
		{ "low", "below", "100" },
		{ NULL },
	};
	struct alerts_config *c = config(kv);
	const struct alert_rule *cpu = alerts_config_rule(c, "cpu"), *low = alerts_config_rule(c, "low");
	struct alert_labels l;

	(void)state;
	assert_int_equal(alerts_labels_parse("cgroup=\"/app/web\",kind=\"minor\"", &l), 0);
	assert_true(alerts_metric_matches(cpu, "perfpilot_cgroup_cpu_seconds_total", &l));
	assert_false(alerts_metric_matches(cpu, "perfpilot_cgroup_memory_bytes", &l));
	assert_false(alerts_metric_matches(low, "perfpilot_cgroup_cpu_seconds_total", &l));
	alerts_labels_free(&l);
	assert_int_equal(alerts_labels_parse("cgroup=\"/other\",kind=\"minor\"", &l), 0);
	assert_false(alerts_metric_matches(cpu, "perfpilot_cgroup_cpu_seconds_total", &l));
	alerts_labels_free(&l);
	/* a label the series lacks matches no pattern */
	assert_int_equal(alerts_labels_parse("cgroup=\"/app/web\"", &l), 0);
	assert_false(alerts_metric_matches(cpu, "perfpilot_cgroup_cpu_seconds_total", &l));
	alerts_labels_free(&l);
	/* without match: every series of the metric */
	assert_true(alerts_metric_matches(low, "perfpilot_host_memory_available_bytes", &l));

	assert_true(alerts_metric_holds(cpu, 0.91));
	assert_false(alerts_metric_holds(cpu, 0.9));
	assert_false(alerts_metric_holds(cpu, NAN));
	assert_false(alerts_metric_cleared(cpu, 0.8));    /* between clear and the threshold */
	assert_true(alerts_metric_cleared(cpu, 0.7));
	assert_true(alerts_metric_cleared(cpu, NAN));
	assert_true(alerts_metric_holds(low, 99));
	assert_false(alerts_metric_holds(low, 100));
	assert_true(alerts_metric_cleared(low, 100));     /* clear defaults to the threshold */
	assert_false(alerts_metric_cleared(low, 99.5));
	alerts_config_free(c);
}

static const char *finding_json =
	"{\"kind\":\"memory_growth\",\"severity\":\"warning\",\"resource\":\"memory\","
	"\"summary\":\"grow grows\",\"evidence\":{\"metric\":\"mem.rss_bytes\","
	"\"entity_kind\":\"process\",\"entity\":\"4242\",\"t\":[1,2],\"values\":[3,4]},"
	"\"victims\":[{\"kind\":\"process\",\"pid\":4242,\"comm\":\"grow\","
	"\"process_start\":1700000000.25,\"cgroup\":\"/app/web\",\"metric\":\"m\"},"
	"{\"kind\":\"process\",\"pid\":7,\"comm\":\"postgres\",\"process_start\":null,"
	"\"cgroup\":\"/db\"},{\"kind\":\"cgroup\",\"cgroup\":\"/apple\"}],"
	"\"culprits\":[],\"forecast\":null,\"recommendations\":[]}";

static void test_finding_entities(void **state)
{
	static const char *const kv[][3] = {
		{ "any", "finding", "*" },
		{ "any", "severity", "info" },
		{ "mem", "finding", "memory_growth" },
		{ "crit", "finding", "memory_growth" },
		{ "crit", "severity", "critical" },
		{ "cpu", "finding", "cpu_saturation" },
		{ "pg", "finding", "*" },
		{ "pg", "scope", "comm=postgres" },
		{ "app", "finding", "*" },
		{ "app", "scope", "/sys/fs/cgroup/app" },
		{ "nobody", "finding", "*" },
		{ "nobody", "scope", "comm=nginx" },
		{ NULL },
	};
	struct alerts_config *c = config(kv);
	struct alert_entity e[8];
	json_t *f = parse(finding_json);
	size_t n;

	(void)state;
	n = alerts_finding_entities(alerts_config_rule(c, "any"), f, e, 8);
	assert_int_equal(n, 3);
	assert_string_equal(e[0].key, "process:4242@1700000000.250");
	assert_string_equal(json_string_value(json_object_get(e[0].labels, "pid")), "4242");
	assert_string_equal(json_string_value(json_object_get(e[0].labels, "comm")), "grow");
	assert_string_equal(json_string_value(json_object_get(e[0].labels, "cgroup")), "/app/web");
	/* no start: the pid and the command */
	assert_string_equal(e[1].key, "process:7:postgres");
	assert_string_equal(e[2].key, "cgroup:/apple");
	assert_null(json_object_get(e[2].labels, "pid"));
	alerts_entities_free(e, n);

	n = alerts_finding_entities(alerts_config_rule(c, "mem"), f, e, 1);
	assert_int_equal(n, 1);                  /* at most max */
	alerts_entities_free(e, n);
	/* below the minimum severity, another kind */
	assert_int_equal(alerts_finding_entities(alerts_config_rule(c, "crit"), f, e, 8), 0);
	assert_int_equal(alerts_finding_entities(alerts_config_rule(c, "cpu"), f, e, 8), 0);
	/* scopes: the victims that match, and only them */
	n = alerts_finding_entities(alerts_config_rule(c, "pg"), f, e, 8);
	assert_int_equal(n, 1);
	assert_string_equal(e[0].key, "process:7:postgres");
	alerts_entities_free(e, n);
	n = alerts_finding_entities(alerts_config_rule(c, "app"), f, e, 8);
	assert_int_equal(n, 1);                  /* /app/web, not /apple */
	assert_string_equal(e[0].key, "process:4242@1700000000.250");
	alerts_entities_free(e, n);
	assert_int_equal(alerts_finding_entities(alerts_config_rule(c, "nobody"), f, e, 8), 0);

	/* a finding without a severity we know matches nothing */
	json_object_set_new(f, "severity", json_string("fatal"));
	assert_int_equal(alerts_finding_entities(alerts_config_rule(c, "any"), f, e, 8), 0);
	json_decref(f);
	alerts_config_free(c);
}

/* Without victims: the evidence's entity, and no scope matches it. */
static void test_finding_without_victims(void **state)
{
	static const char *const kv[][3] = {
		{ "q", "finding", "runqueue_growth" },
		{ "q", "severity", "info" },
		{ "s", "finding", "runqueue_growth" },
		{ "s", "severity", "info" },
		{ "s", "scope", "/" },
		{ NULL },
	};
	struct alerts_config *c = config(kv);
	json_t *f = parse("{\"kind\":\"runqueue_growth\",\"severity\":\"info\","
			  "\"evidence\":{\"entity_kind\":\"host\",\"entity\":\"host\"},"
			  "\"victims\":[],\"culprits\":[{\"kind\":\"process\",\"pid\":1}]}");
	struct alert_entity e[8];
	size_t n;

	(void)state;
	n = alerts_finding_entities(alerts_config_rule(c, "q"), f, e, 8);
	assert_int_equal(n, 1);
	assert_string_equal(e[0].key, "host:host");
	assert_string_equal(json_string_value(json_object_get(e[0].labels, "entity_kind")), "host");
	alerts_entities_free(e, n);
	assert_int_equal(alerts_finding_entities(alerts_config_rule(c, "s"), f, e, 8), 0);
	json_decref(f);
	alerts_config_free(c);
}

static void test_cgroup_in(void **state)
{
	(void)state;
	assert_true(alerts_cgroup_in("/app", "/app"));
	assert_true(alerts_cgroup_in("/app/web", "/app"));
	assert_false(alerts_cgroup_in("/apple", "/app"));
	assert_false(alerts_cgroup_in("/", "/app"));
	assert_true(alerts_cgroup_in("/anything", "/"));
	assert_false(alerts_cgroup_in("", "/"));
	assert_false(alerts_cgroup_in(NULL, "/"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_metric_rules),
		cmocka_unit_test(test_finding_entities),
		cmocka_unit_test(test_finding_without_victims),
		cmocka_unit_test(test_cgroup_in),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
