// SPDX-License-Identifier: GPL-2.0
/* prom.c: Prometheus text 0.0.4 and OpenMetrics 1.0 expositions, checked
 * against exact texts and against promtool (Prometheus' own parsers). */
#include <math.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "unit.h"
#include "daemon/prom.h"

/* The text of b (finished), which must have no mistake. */
static char *finish_ok(struct prom_buf *b)
{
	char *s;
	size_t len;

	assert_non_null(b);
	if (prom_error(b))
		fail_msg("unexpected mistake: %s", prom_error(b));
	s = prom_finish(b, &len);
	assert_non_null(s);
	assert_int_equal(len, strlen(s));
	return s;
}

/* Two families, a counter and a gauge, as the daemon writes them. */
static struct prom_buf *two_families(enum prom_fmt f)
{
	struct prom_buf *b = prom_new(f);

	prom_family(b, "perfpilot_cgroup_cpu_seconds", PROM_COUNTER, "seconds", "CPU time of the cgroup's tasks.");
	prom_sample(b, 12.5, "cgroup", "/sys/fs/cgroup/app", NULL);
	prom_sample(b, 3, "cgroup", "/", NULL);
	prom_family(b, "perfpilot_host_memory_available_bytes", PROM_GAUGE, "bytes", "Memory available.");
	prom_sample(b, 8123456789.0, NULL);
	prom_family(b, "perfpilot_build_info", PROM_GAUGE, NULL, NULL);
	prom_sample(b, 1, "version", "1.2.3", NULL);
	return b;
}

static void test_text_format(void **state)
{
	char *s = finish_ok(two_families(PROM_TEXT));

	(void)state;
	assert_string_equal(s,
		"# HELP perfpilot_cgroup_cpu_seconds_total CPU time of the cgroup's tasks.\n"
		"# TYPE perfpilot_cgroup_cpu_seconds_total counter\n"
		"perfpilot_cgroup_cpu_seconds_total{cgroup=\"/sys/fs/cgroup/app\"} 12.5\n"
		"perfpilot_cgroup_cpu_seconds_total{cgroup=\"/\"} 3\n"
		"# HELP perfpilot_host_memory_available_bytes Memory available.\n"
		"# TYPE perfpilot_host_memory_available_bytes gauge\n"
		"perfpilot_host_memory_available_bytes 8123456789\n"
		"# TYPE perfpilot_build_info gauge\n"
		"perfpilot_build_info{version=\"1.2.3\"} 1\n");
	free(s);
}

static void test_openmetrics_format(void **state)
{
	char *s = finish_ok(two_families(PROM_OPENMETRICS));

	(void)state;
	assert_string_equal(s,
		"# TYPE perfpilot_cgroup_cpu_seconds counter\n"
		"# UNIT perfpilot_cgroup_cpu_seconds seconds\n"
		"# HELP perfpilot_cgroup_cpu_seconds CPU time of the cgroup's tasks.\n"
		"perfpilot_cgroup_cpu_seconds_total{cgroup=\"/sys/fs/cgroup/app\"} 12.5\n"
		"perfpilot_cgroup_cpu_seconds_total{cgroup=\"/\"} 3\n"
		"# TYPE perfpilot_host_memory_available_bytes gauge\n"
		"# UNIT perfpilot_host_memory_available_bytes bytes\n"
		"# HELP perfpilot_host_memory_available_bytes Memory available.\n"
		"perfpilot_host_memory_available_bytes 8123456789\n"
		"# TYPE perfpilot_build_info gauge\n"
		"perfpilot_build_info{version=\"1.2.3\"} 1\n"
		"# EOF\n");
	free(s);
}

static void test_empty(void **state)
{
	char *s;

	(void)state;
	s = finish_ok(prom_new(PROM_TEXT));
	assert_string_equal(s, "");
	free(s);
	s = finish_ok(prom_new(PROM_OPENMETRICS));
	assert_string_equal(s, "# EOF\n");
	free(s);
	/* a NULL buffer (prom_new out of memory) is taken everywhere */
	prom_family(NULL, "x", PROM_GAUGE, NULL, NULL);
	prom_sample(NULL, 1, NULL);
	assert_null(prom_error(NULL));
	assert_null(prom_finish(NULL, NULL));
}

/* Label values: backslash, double quote, newline escaped; several labels
 * in the order given; invalid UTF-8 as '?', valid kept. HELP: backslash
 * and newline in both formats, the double quote in OpenMetrics only. */
static void test_escaping(void **state)
{
	struct prom_buf *b;
	char *s;
	int f;

	(void)state;
	for (f = PROM_TEXT; f <= PROM_OPENMETRICS; f++) {
		b = prom_new((enum prom_fmt)f);
		prom_family(b, "perfpilot_process_resident_memory_bytes", PROM_GAUGE, NULL,
			    "Path with \\ and \"quotes\"\nline two");
		prom_sample(b, 4096, "pid", "42", "comm", "a\\b\"c\nd", NULL);
		prom_sample(b, 1, "pid", "7", "comm", "caf\xc3\xa9 worker\xe2\x82", NULL);
		prom_sample(b, 0, "pid", "", "comm", "tab\there", NULL);
		s = finish_ok(b);
		assert_string_equal(s, f == PROM_TEXT ?
			"# HELP perfpilot_process_resident_memory_bytes Path with \\\\ and \"quotes\"\\nline two\n"
			"# TYPE perfpilot_process_resident_memory_bytes gauge\n"
			"perfpilot_process_resident_memory_bytes{pid=\"42\",comm=\"a\\\\b\\\"c\\nd\"} 4096\n"
			"perfpilot_process_resident_memory_bytes{pid=\"7\",comm=\"caf\xc3\xa9 worker??\"} 1\n"
			"perfpilot_process_resident_memory_bytes{pid=\"\",comm=\"tab\there\"} 0\n" :
			"# TYPE perfpilot_process_resident_memory_bytes gauge\n"
			"# HELP perfpilot_process_resident_memory_bytes Path with \\\\ and \\\"quotes\\\"\\nline two\n"
			"perfpilot_process_resident_memory_bytes{pid=\"42\",comm=\"a\\\\b\\\"c\\nd\"} 4096\n"
			"perfpilot_process_resident_memory_bytes{pid=\"7\",comm=\"caf\xc3\xa9 worker??\"} 1\n"
			"perfpilot_process_resident_memory_bytes{pid=\"\",comm=\"tab\there\"} 0\n"
			"# EOF\n");
		free(s);
	}
}

/* The value of one gauge sample as written. */
static void assert_value(double v, const char *want)
{
	struct prom_buf *b = prom_new(PROM_TEXT);
	char *s, *line;

	prom_family(b, "perfpilot_value", PROM_GAUGE, NULL, NULL);
	prom_sample(b, v, NULL);
	s = finish_ok(b);
	line = strstr(s, "\nperfpilot_value ");
	assert_non_null(line);
	line += strlen("\nperfpilot_value ");
	line[strcspn(line, "\n")] = '\0';
	if (strcmp(line, want))
		fail_msg("%.17g written as \"%s\", expected \"%s\"", v, line, want);
	/* what is written reads back as the same double */
	if (isfinite(v) && strtod(line, NULL) != v)
		fail_msg("%.17g written as \"%s\", reads back as %.17g", v, line, strtod(line, NULL));
	free(s);
}

static void test_values(void **state)
{
	(void)state;
	assert_value(0, "0");
	assert_value(-0.0, "0");
	assert_value(1, "1");
	assert_value(1e6, "1000000");
	assert_value(123456789012.0, "123456789012");
	assert_value(-2.5, "-2.5");
	assert_value(0.1, "0.1");
	assert_value(0.1 + 0.2, "0.30000000000000004");
	assert_value(1.0 / 3, "0.3333333333333333");
	assert_value(12.000001, "12.000001");
	assert_value(1234567.5, "1234567.5");
	assert_value(1.5e-7, "1.5e-07");
	assert_value(1e15, "1e+15");
	assert_value(9007199254740992.0, "9007199254740992");
	assert_value(1.7976931348623157e308, "1.7976931348623157e+308");
	assert_value(5e-324, "5e-324");
	assert_value(INFINITY, "+Inf");
	assert_value(-INFINITY, "-Inf");
	assert_value(NAN, "NaN");
}

/* Expect the last call to have been refused as a mistake mentioning
 * `what`, with the text as it was before it. */
#define assert_refused(b, before, what) do {                                  \
		const char *_e = prom_error(b);                                \
		char *_s;                                                      \
		if (!_e)                                                       \
			fail_msg("not refused (%s)", what);                    \
		if (!strstr(_e, what))                                         \
			fail_msg("mistake \"%s\" does not say \"%s\"", _e, what); \
		_s = prom_finish(b, NULL);                                     \
		assert_non_null(_s);                                           \
		assert_string_equal(_s, before);                               \
		free(_s);                                                      \
	} while (0)

static struct prom_buf *with_gauge(void)
{
	struct prom_buf *b = prom_new(PROM_TEXT);

	prom_family(b, "perfpilot_ok", PROM_GAUGE, NULL, NULL);
	return b;
}

#define OK_TEXT "# TYPE perfpilot_ok gauge\n"

static void test_names_refused(void **state)
{
	static const char *const bad_metric[] = {
		"", "perfpilot-cpu", "Perfpilot_cpu", "perfpilotCpu", "perfpilot:cpu_seconds",
		"_perfpilot", "9perfpilot", "perfpilot cpu", "perfpilot_cpu\n",
	};
	static const char *const bad_label[] = { "", "1a", "_a", "__name__", "a-b", "a b", "\xc3\xa9" };
	struct prom_buf *b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_metric) / sizeof(bad_metric[0]); i++) {
		b = with_gauge();
		prom_family(b, bad_metric[i], PROM_GAUGE, NULL, "help");
		prom_sample(b, 1, NULL); /* dropped with its family, not a second mistake */
		assert_refused(b, OK_TEXT, "snake_case");
	}
	b = with_gauge();
	prom_family(b, NULL, PROM_GAUGE, NULL, NULL);
	assert_refused(b, OK_TEXT, "(null)");
	for (i = 0; i < sizeof(bad_label) / sizeof(bad_label[0]); i++) {
		b = with_gauge();
		prom_sample(b, 1, "pid", "1", bad_label[i], "x", NULL);
		assert_refused(b, OK_TEXT, "label name");
	}
	b = with_gauge();
	prom_sample(b, 1, "pid", "1", "pid", "2", NULL);
	assert_refused(b, OK_TEXT, "label pid twice");
	b = with_gauge();
	prom_sample(b, 1, "comm", (const char *)NULL, NULL);
	assert_refused(b, OK_TEXT, "label comm has no value");
	/* the suffixes of sample names, and a counter given with _total */
	b = with_gauge();
	prom_family(b, "perfpilot_cpu_seconds_total", PROM_COUNTER, "seconds", NULL);
	assert_refused(b, OK_TEXT, "ends in _total, a suffix of sample names (a counter's name goes without it");
	b = with_gauge();
	prom_family(b, "perfpilot_requests_total", PROM_GAUGE, NULL, NULL);
	assert_refused(b, OK_TEXT, "ends in _total");
	b = with_gauge();
	prom_family(b, "perfpilot_queue_count", PROM_GAUGE, NULL, NULL);
	assert_refused(b, OK_TEXT, "ends in _count");
	b = with_gauge();
	prom_family(b, "perfpilot_latency_seconds_bucket", PROM_HISTOGRAM, NULL, NULL);
	assert_refused(b, OK_TEXT, "ends in _bucket");
	/* a unit that is not the name's suffix */
	b = with_gauge();
	prom_family(b, "perfpilot_memory_bytes", PROM_GAUGE, "seconds", NULL);
	assert_refused(b, OK_TEXT, "does not end in its unit \"_seconds\"");
	b = with_gauge();
	prom_family(b, "perfpilot_cpuseconds", PROM_COUNTER, "seconds", NULL);
	assert_refused(b, OK_TEXT, "does not end in its unit");
	b = with_gauge();
	prom_family(b, "seconds", PROM_COUNTER, "seconds", NULL);
	assert_refused(b, OK_TEXT, "does not end in its unit");
	/* a family twice, whatever its type */
	b = with_gauge();
	prom_family(b, "perfpilot_ok", PROM_COUNTER, NULL, NULL);
	assert_refused(b, OK_TEXT, "second family");
	/* no such type */
	b = with_gauge();
	prom_family(b, "perfpilot_x", (enum prom_type)7, NULL, NULL);
	assert_refused(b, OK_TEXT, "no type 7");
}

static void test_samples_refused(void **state)
{
	static const double le[] = { 1, 2 };
	static const unsigned long long cum[] = { 1, 2 };
	struct prom_buf *b;

	(void)state;
	b = prom_new(PROM_TEXT);
	prom_sample(b, 1, NULL);
	assert_refused(b, "", "before any metric family");
	b = with_gauge();
	prom_histogram(b, le, cum, 2, 3, 2, NULL);
	assert_refused(b, OK_TEXT, "samples go through prom_sample");
	b = prom_new(PROM_TEXT);
	prom_family(b, "perfpilot_x_seconds", PROM_HISTOGRAM, "seconds", NULL);
	prom_sample(b, 1, NULL);
	assert_refused(b, "# TYPE perfpilot_x_seconds histogram\n", "samples go through prom_histogram");
	b = prom_new(PROM_TEXT);
	prom_family(b, "perfpilot_x", PROM_COUNTER, NULL, NULL);
	prom_sample(b, -1, NULL);
	assert_refused(b, "# TYPE perfpilot_x_total counter\n", "negative or NaN");
	b = prom_new(PROM_TEXT);
	prom_family(b, "perfpilot_x", PROM_COUNTER, NULL, NULL);
	prom_sample(b, NAN, NULL);
	assert_refused(b, "# TYPE perfpilot_x_total counter\n", "negative or NaN");
}

/* The first mistake stays; what is valid around it is written. */
static void test_first_mistake_stays(void **state)
{
	struct prom_buf *b = prom_new(PROM_TEXT);
	char *s;

	(void)state;
	prom_family(b, "perfpilot_a", PROM_GAUGE, NULL, NULL);
	prom_sample(b, 1, "BAD-NAME", "x", NULL);
	prom_sample(b, 2, "ok", "y", NULL);
	prom_family(b, "bad:name", PROM_GAUGE, NULL, NULL);
	prom_sample(b, 3, NULL);
	prom_family(b, "perfpilot_b", PROM_GAUGE, NULL, NULL);
	prom_sample(b, 4, NULL);
	assert_non_null(strstr(prom_error(b), "BAD-NAME"));
	s = prom_finish(b, NULL);
	assert_string_equal(s,
		"# TYPE perfpilot_a gauge\n"
		"perfpilot_a{ok=\"y\"} 2\n"
		"# TYPE perfpilot_b gauge\n"
		"perfpilot_b 4\n");
	free(s);
}

static void test_histogram(void **state)
{
	static const double le[] = { 0.0001, 0.001, 0.01, 0.1, 1 };
	static const unsigned long long cum[] = { 1, 5, 9, 10, 10 };
	struct prom_buf *b;
	char *s;
	int f;

	(void)state;
	for (f = PROM_TEXT; f <= PROM_OPENMETRICS; f++) {
		b = prom_new((enum prom_fmt)f);
		prom_family(b, "perfpilot_cgroup_runqueue_latency_seconds", PROM_HISTOGRAM, "seconds",
			    "Run-queue latency.");
		prom_histogram(b, le, cum, 5, 0.0421, 11, "cgroup", "/app", NULL);
		prom_histogram(b, le, cum, 0, 0, 0, "cgroup", "/idle", NULL);
		s = finish_ok(b);
		assert_string_equal(s, f == PROM_TEXT ?
			"# HELP perfpilot_cgroup_runqueue_latency_seconds Run-queue latency.\n"
			"# TYPE perfpilot_cgroup_runqueue_latency_seconds histogram\n"
			"perfpilot_cgroup_runqueue_latency_seconds_bucket{cgroup=\"/app\",le=\"0.0001\"} 1\n"
			"perfpilot_cgroup_runqueue_latency_seconds_bucket{cgroup=\"/app\",le=\"0.001\"} 5\n"
			"perfpilot_cgroup_runqueue_latency_seconds_bucket{cgroup=\"/app\",le=\"0.01\"} 9\n"
			"perfpilot_cgroup_runqueue_latency_seconds_bucket{cgroup=\"/app\",le=\"0.1\"} 10\n"
			"perfpilot_cgroup_runqueue_latency_seconds_bucket{cgroup=\"/app\",le=\"1\"} 10\n"
			"perfpilot_cgroup_runqueue_latency_seconds_bucket{cgroup=\"/app\",le=\"+Inf\"} 11\n"
			"perfpilot_cgroup_runqueue_latency_seconds_sum{cgroup=\"/app\"} 0.0421\n"
			"perfpilot_cgroup_runqueue_latency_seconds_count{cgroup=\"/app\"} 11\n"
			"perfpilot_cgroup_runqueue_latency_seconds_bucket{cgroup=\"/idle\",le=\"+Inf\"} 0\n"
			"perfpilot_cgroup_runqueue_latency_seconds_sum{cgroup=\"/idle\"} 0\n"
			"perfpilot_cgroup_runqueue_latency_seconds_count{cgroup=\"/idle\"} 0\n" :
			"# TYPE perfpilot_cgroup_runqueue_latency_seconds histogram\n"
			"# UNIT perfpilot_cgroup_runqueue_latency_seconds seconds\n"
			"# HELP perfpilot_cgroup_runqueue_latency_seconds Run-queue latency.\n"
			"perfpilot_cgroup_runqueue_latency_seconds_bucket{cgroup=\"/app\",le=\"0.0001\"} 1\n"
			"perfpilot_cgroup_runqueue_latency_seconds_bucket{cgroup=\"/app\",le=\"0.001\"} 5\n"
			"perfpilot_cgroup_runqueue_latency_seconds_bucket{cgroup=\"/app\",le=\"0.01\"} 9\n"
			"perfpilot_cgroup_runqueue_latency_seconds_bucket{cgroup=\"/app\",le=\"0.1\"} 10\n"
			"perfpilot_cgroup_runqueue_latency_seconds_bucket{cgroup=\"/app\",le=\"1.0\"} 10\n"
			"perfpilot_cgroup_runqueue_latency_seconds_bucket{cgroup=\"/app\",le=\"+Inf\"} 11\n"
			"perfpilot_cgroup_runqueue_latency_seconds_sum{cgroup=\"/app\"} 0.0421\n"
			"perfpilot_cgroup_runqueue_latency_seconds_count{cgroup=\"/app\"} 11\n"
			"perfpilot_cgroup_runqueue_latency_seconds_bucket{cgroup=\"/idle\",le=\"+Inf\"} 0\n"
			"perfpilot_cgroup_runqueue_latency_seconds_sum{cgroup=\"/idle\"} 0\n"
			"perfpilot_cgroup_runqueue_latency_seconds_count{cgroup=\"/idle\"} 0\n"
			"# EOF\n");
		free(s);
	}
}

/* The le values of a histogram with these bounds, space-separated. */
static void bounds_as_written(enum prom_fmt f, const double *le, size_t n, char *out, size_t len)
{
	unsigned long long cum[32] = { 0 };
	struct prom_buf *b = prom_new(f);
	char *s, *p, *q;
	size_t used = 0;

	assert_true(n <= 32);
	prom_family(b, "perfpilot_h", PROM_HISTOGRAM, NULL, NULL);
	prom_histogram(b, le, cum, n, 0, 0, NULL);
	s = finish_ok(b);
	out[0] = '\0';
	for (p = s; (p = strstr(p, "le=\"")); p = q) {
		p += 4;
		q = strchr(p, '"');
		used += (size_t)snprintf(out + used, len - used, "%s%.*s", used ? " " : "", (int)(q - p), p);
		assert_true(used < len);
	}
	free(s);
}

/* OpenMetrics' canonical numbers for le, its own examples: Go's %g with
 * ".0" when there is neither a point nor an exponent; the text format as
 * Go's client writes it, without the ".0". */
static void test_histogram_bounds(void **state)
{
	static const double small[] = { 0.0, 0.001, 0.002, 0.01, 0.1, 0.9, 0.95, 0.99, 0.999, 1.0, 1.7, 10.0 };
	static const double pow10[] = { 1e-10, 1e-09, 1e-05, 0.0001, 0.1, 1.0, 100000.0, 1e+06, 1e+10 };
	static const double other[] = { -5, -0.5, 2.5e-7, 0.25, 123456.789, 1234567 };
	char buf[512];

	(void)state;
	bounds_as_written(PROM_OPENMETRICS, small, 12, buf, sizeof(buf));
	assert_string_equal(buf, "0.0 0.001 0.002 0.01 0.1 0.9 0.95 0.99 0.999 1.0 1.7 10.0 +Inf");
	bounds_as_written(PROM_OPENMETRICS, pow10, 9, buf, sizeof(buf));
	assert_string_equal(buf, "1e-10 1e-09 1e-05 0.0001 0.1 1.0 100000.0 1e+06 1e+10 +Inf");
	bounds_as_written(PROM_TEXT, small, 12, buf, sizeof(buf));
	assert_string_equal(buf, "0 0.001 0.002 0.01 0.1 0.9 0.95 0.99 0.999 1 1.7 10 +Inf");
	bounds_as_written(PROM_TEXT, pow10, 9, buf, sizeof(buf));
	assert_string_equal(buf, "1e-10 1e-09 1e-05 0.0001 0.1 1 100000 1e+06 1e+10 +Inf");
	bounds_as_written(PROM_TEXT, other, 6, buf, sizeof(buf));
	assert_string_equal(buf, "-5 -0.5 2.5e-07 0.25 123456.789 1.234567e+06 +Inf");
	bounds_as_written(PROM_OPENMETRICS, other, 6, buf, sizeof(buf));
	assert_string_equal(buf, "-5.0 -0.5 2.5e-07 0.25 123456.789 1.234567e+06 +Inf");
}

/* Negative bounds: OpenMetrics leaves the sum out (it would not be a
 * counter), the text format keeps it. */
static void test_histogram_negative_bounds(void **state)
{
	static const double le[] = { -1, 0, 1 };
	static const unsigned long long cum[] = { 1, 1, 2 };
	struct prom_buf *b;
	char *s;

	(void)state;
	b = prom_new(PROM_OPENMETRICS);
	prom_family(b, "perfpilot_drift_seconds", PROM_HISTOGRAM, "seconds", NULL);
	prom_histogram(b, le, cum, 3, -0.5, 2, NULL);
	s = finish_ok(b);
	assert_null(strstr(s, "_sum"));
	assert_non_null(strstr(s, "perfpilot_drift_seconds_count 2\n"));
	free(s);
	b = prom_new(PROM_TEXT);
	prom_family(b, "perfpilot_drift_seconds", PROM_HISTOGRAM, "seconds", NULL);
	prom_histogram(b, le, cum, 3, -0.5, 2, NULL);
	s = finish_ok(b);
	assert_non_null(strstr(s, "perfpilot_drift_seconds_sum -0.5\n"));
	free(s);
}

#define HIST_TEXT "# TYPE perfpilot_h_seconds histogram\n"

static struct prom_buf *with_histogram(void)
{
	struct prom_buf *b = prom_new(PROM_TEXT);

	prom_family(b, "perfpilot_h_seconds", PROM_HISTOGRAM, "seconds", NULL);
	return b;
}

static void test_histogram_refused(void **state)
{
	static const double le[] = { 0.1, 0.2, 0.3 }, unsorted[] = { 0.1, 0.3, 0.2 }, twice[] = { 0.1, 0.1, 0.3 };
	static const double inf[] = { 0.1, 0.2, INFINITY }, nan[] = { 0.1, NAN, 0.3 };
	static const unsigned long long cum[] = { 1, 2, 3 }, down[] = { 2, 1, 3 };
	struct prom_buf *b;

	(void)state;
	b = with_histogram();
	prom_histogram(b, unsorted, cum, 3, 1, 3, NULL);
	assert_refused(b, HIST_TEXT, "not above the one before");
	b = with_histogram();
	prom_histogram(b, twice, cum, 3, 1, 3, NULL);
	assert_refused(b, HIST_TEXT, "not above the one before");
	b = with_histogram();
	prom_histogram(b, inf, cum, 3, 1, 3, NULL);
	assert_refused(b, HIST_TEXT, "not finite");
	b = with_histogram();
	prom_histogram(b, nan, cum, 3, 1, 3, NULL);
	assert_refused(b, HIST_TEXT, "not finite");
	b = with_histogram();
	prom_histogram(b, le, down, 3, 1, 3, NULL);
	assert_refused(b, HIST_TEXT, "not cumulative");
	b = with_histogram();
	prom_histogram(b, le, cum, 3, 1, 2, NULL); /* count below the last bucket */
	assert_refused(b, HIST_TEXT, "not cumulative");
	b = with_histogram();
	prom_histogram(b, le, cum, 3, NAN, 3, NULL);
	assert_refused(b, HIST_TEXT, "sum nan is negative or NaN");
	b = with_histogram();
	prom_histogram(b, le, cum, 3, -1, 3, NULL);
	assert_refused(b, HIST_TEXT, "negative");
	b = with_histogram();
	prom_histogram(b, le, cum, 3, 1, 3, "cgroup", "/a", "le", "0.5", NULL);
	assert_refused(b, HIST_TEXT, "may not be named le");
}

static void test_negotiate(void **state)
{
	(void)state;
	assert_int_equal(prom_negotiate(NULL), PROM_TEXT);
	assert_int_equal(prom_negotiate(""), PROM_TEXT);
	assert_int_equal(prom_negotiate("*/*"), PROM_TEXT);
	assert_int_equal(prom_negotiate("text/plain"), PROM_TEXT);
	assert_int_equal(prom_negotiate("text/plain;version=0.0.4"), PROM_TEXT);
	assert_int_equal(prom_negotiate("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
			 PROM_TEXT);
	/* what Prometheus 2 sends */
	assert_int_equal(prom_negotiate("application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
					"version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"),
			 PROM_OPENMETRICS);
	assert_int_equal(prom_negotiate("application/openmetrics-text; version=1.0.0; charset=utf-8"),
			 PROM_OPENMETRICS);
	assert_int_equal(prom_negotiate("application/openmetrics-text"), PROM_OPENMETRICS);
	assert_int_equal(prom_negotiate("Application/OpenMetrics-Text; Version=\"0.0.1\""), PROM_OPENMETRICS);
	assert_int_equal(prom_negotiate("  text/plain ; q=0.3 , application/openmetrics-text ; q=0.3"),
			 PROM_OPENMETRICS);
	/* a version we do not write, refused, or preferred less than text */
	assert_int_equal(prom_negotiate("application/openmetrics-text;version=2.0.0"), PROM_TEXT);
	assert_int_equal(prom_negotiate("application/openmetrics-text;q=0,*/*"), PROM_TEXT);
	assert_int_equal(prom_negotiate("application/openmetrics-text;q=0.5,text/plain;version=0.0.4"), PROM_TEXT);
	assert_int_equal(prom_negotiate("text/plain;q=0.9,application/openmetrics-text;q=0.5"), PROM_TEXT);
	assert_int_equal(prom_negotiate("application/openmetrics-text;q=0.5,text/*;q=0.6"), PROM_TEXT);
	/* nonsense is not OpenMetrics */
	assert_int_equal(prom_negotiate(";;;,,,=\"x,"), PROM_TEXT);
	assert_int_equal(prom_negotiate("application/openmetrics-text-extra"), PROM_TEXT);
}

static void test_content_type(void **state)
{
	(void)state;
	assert_string_equal(prom_content_type(PROM_TEXT), "text/plain; version=0.0.4; charset=utf-8");
	assert_string_equal(prom_content_type(PROM_OPENMETRICS),
			    "application/openmetrics-text; version=1.0.0; charset=utf-8");
}

/* promtool's path, or NULL when it is not installed. */
static const char *promtool(void)
{
	static char path[256];
	const char *env = getenv("PATH");
	char dirs[4096], *dir, *save = NULL;

	snprintf(dirs, sizeof(dirs), "%s", env ? env : "/usr/bin:/bin");
	for (dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		snprintf(path, sizeof(path), "%s/promtool", dir);
		if (!access(path, X_OK))
			return path;
	}
	return NULL;
}

/* Run the shell command cmd with `input` on its stdin; its stdout and
 * stderr in out; returns its exit code. */
static int run_with_input(const char *cmd, const char *input, char *out, size_t len)
{
	char in_file[64], out_file[64], line[1024];
	FILE *f;
	size_t n;
	int status;

	unit_tmp_file(in_file, sizeof(in_file), "prom-in");
	unit_tmp_file(out_file, sizeof(out_file), "prom-out");
	f = fopen(in_file, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(input, 1, strlen(input), f), strlen(input));
	assert_int_equal(fclose(f), 0);
	snprintf(line, sizeof(line), "%s <%s >%s 2>&1", cmd, in_file, out_file);
	status = system(line);
	f = fopen(out_file, "r");
	assert_non_null(f);
	n = fread(out, 1, len - 1, f);
	out[n] = '\0';
	fclose(f);
	unlink(in_file);
	unlink(out_file);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* An exposition with a family of each kind, labels that need escaping
 * and a counter, gauge and histogram as the daemon exports them. */
static char *daemon_like(enum prom_fmt f, bool abbreviated_unit)
{
	static const double le[] = { 1e-5, 1e-4, 0.001, 0.01, 0.1, 1 };
	static const unsigned long long cum[] = { 3, 40, 90, 99, 100, 100 };
	struct prom_buf *b = prom_new(f);

	prom_family(b, "perfpilot_build_info", PROM_GAUGE, NULL, "perfpilot's version.");
	prom_sample(b, 1, "version", "0.9.0", NULL);
	prom_family(b, "perfpilot_process_cpu_seconds", PROM_COUNTER, "seconds", "CPU time of a top process.");
	prom_sample(b, 12.25, "pid", "42", "comm", "we\"ird\\name\n", NULL);
	prom_sample(b, 0.5, "pid", "43", "comm", "caf\xc3\xa9", NULL);
	prom_family(b, "perfpilot_cgroup_runqueue_latency_seconds", PROM_HISTOGRAM, "seconds",
		    "Time runnable tasks waited for a CPU.");
	prom_histogram(b, le, cum, 6, 0.0421, 100, "cgroup", "/sys/fs/cgroup/app.slice", NULL);
	prom_family(b, "perfpilot_cgroup_memory_bytes", PROM_GAUGE, "bytes", "Memory charged to the cgroup.");
	prom_sample(b, 123456789, "cgroup", "/sys/fs/cgroup/app.slice", NULL);
	prom_family(b, "perfpilot_findings", PROM_GAUGE, NULL, "Current findings.");
	prom_sample(b, 2, "kind", "memory_growth", "severity", "warning", NULL);
	prom_family(b, "perfpilot_host_pressure_stalled_seconds", PROM_COUNTER, "seconds", "PSI stall time.");
	prom_sample(b, 1.5e-6, "resource", "cpu", "kind", "some", NULL);
	prom_sample(b, INFINITY, "resource", "io", "kind", "full", NULL);
	if (abbreviated_unit) { /* a convention promtool knows: base units */
		prom_family(b, "perfpilot_self_resident_memory_mb", PROM_GAUGE, NULL, "RSS in MiB.");
		prom_sample(b, 12, NULL);
	}
	return finish_ok(b);
}

/* promtool check metrics (client_golang's linter over the text parser):
 * no problem in what the writer makes; a convention broken on purpose is
 * reported, so the check can fail. */
static void test_promtool_check_metrics(void **state)
{
	const char *tool = promtool();
	char cmd[512], out[8192], *s;
	int rc;

	(void)state;
	if (!tool) {
		print_message("promtool is not installed (Debian: prometheus): skipped\n");
		skip();
	}
	snprintf(cmd, sizeof(cmd), "%s check metrics", tool);
	s = daemon_like(PROM_TEXT, false);
	rc = run_with_input(cmd, s, out, sizeof(out));
	if (rc != 0 || out[0])
		fail_msg("promtool check metrics: exit %d:\n%s\non:\n%s", rc, out, s);
	free(s);
	s = daemon_like(PROM_TEXT, true);
	rc = run_with_input(cmd, s, out, sizeof(out));
	assert_int_not_equal(rc, 0);
	if (!strstr(out, "perfpilot_self_resident_memory_mb metric names should not contain abbreviated units"))
		fail_msg("promtool check metrics: exit %d, said:\n%s", rc, out);
	free(s);
}

/* Every sample line of an exposition with a timestamp appended, as
 * promtool's OpenMetrics importer wants them. */
static char *with_timestamps(const char *s)
{
	char *out = malloc(strlen(s) * 2 + 1), *o = out;
	const char *eol;

	assert_non_null(out);
	for (; *s; s = eol + 1) {
		eol = strchr(s, '\n');
		assert_non_null(eol);
		memcpy(o, s, (size_t)(eol - s));
		o += eol - s;
		if (*s != '#')
			o += sprintf(o, " 1700000000");
		*o++ = '\n';
	}
	*o = '\0';
	return out;
}

/* OpenMetrics through Prometheus' own OpenMetrics parser (promtool tsdb
 * create-blocks-from openmetrics): the writer's text is taken whole; the
 * same text without its "# EOF" is refused. */
static void test_promtool_openmetrics(void **state)
{
	const char *tool = promtool();
	char dir[] = "/tmp/pp-test-om-XXXXXX", cmd[512], out[8192], *s, *ts;
	int rc;

	(void)state;
	if (!tool) {
		print_message("promtool is not installed (Debian: prometheus): skipped\n");
		skip();
	}
	assert_non_null(mkdtemp(dir));
	s = daemon_like(PROM_OPENMETRICS, false);
	ts = with_timestamps(s);
	snprintf(cmd, sizeof(cmd), "%s tsdb create-blocks-from openmetrics /dev/stdin %s/ok", tool, dir);
	rc = run_with_input(cmd, ts, out, sizeof(out));
	if (rc != 0)
		fail_msg("promtool refused the OpenMetrics text: exit %d:\n%s\non:\n%s", rc, out, ts);
	free(ts);
	*strstr(s, "# EOF\n") = '\0';
	ts = with_timestamps(s);
	snprintf(cmd, sizeof(cmd), "%s tsdb create-blocks-from openmetrics /dev/stdin %s/bad", tool, dir);
	rc = run_with_input(cmd, ts, out, sizeof(out));
	assert_int_not_equal(rc, 0);
	if (!strstr(out, "data does not end with # EOF"))
		fail_msg("promtool said:\n%s", out);
	free(ts);
	free(s);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_format),
		cmocka_unit_test(test_openmetrics_format),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_names_refused),
		cmocka_unit_test(test_samples_refused),
		cmocka_unit_test(test_first_mistake_stays),
		cmocka_unit_test(test_histogram),
		cmocka_unit_test(test_histogram_bounds),
		cmocka_unit_test(test_histogram_negative_bounds),
		cmocka_unit_test(test_histogram_refused),
		cmocka_unit_test(test_negotiate),
		cmocka_unit_test(test_content_type),
		cmocka_unit_test(test_promtool_check_metrics),
		cmocka_unit_test(test_promtool_openmetrics),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
