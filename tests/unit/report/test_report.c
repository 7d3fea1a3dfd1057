// SPDX-License-Identifier: GPL-2.0
/* report: the JSON shape of findings, the text and HTML renderers, and the
 * --since / --until windows. */
#include <math.h>
#include <stdlib.h>
#include "unit.h"
#include "findings/findings_fixture.h"
#include "findings/findings.h"
#include "report/report.h"
#include "report/window.h"

#define N 10
#define MiB (1024.0 * 1024.0)

/* a recording with a growing process, a saturated disk, listen overflows */
static void sample(struct recording *r)
{
	double v[N], o[N] = {0, 0, 5, 40, 12, 0, 0, 0, 0, 0};
	size_t i;

	fx_init(r, N);
	for (i = 0; i < N; i++)
		v[i] = 100 * MiB + 4 * MiB * (double)(i + 1) + (i % 2) * 65536.0;
	fx_proc(r, 4242, "grow", "/", "mem.rss_bytes", v, N);
	for (i = 0; i < N; i++)
		v[i] = 0.95e9;
	fx_series(r, 'd', "loop0", "dev.busy_ns", v, N);
	for (i = 0; i < N; i++)
		v[i] = 200 * MiB;
	fx_proc(r, 400, "dio", "/", "io.write_bytes", v, N);
	fx_series(r, 'n', "4026531840", "net.listen_overflows", o, N);
}

static void test_json_shape(void **state)
{
	static const char *const keys[] = {"kind", "severity", "resource", "summary", "evidence",
					   "victims", "culprits", "forecast", "recommendations"};
	struct recording r;
	struct findings fs;
	json_t *j, *arr, *f, *meta;
	size_t i, k, with_fc = 0, without_fc = 0;

	(void)state;
	sample(&r);
	assert_int_equal(findings_analyze(&r, NULL, &fs), 0);
	j = report_json(&r, &fs);
	assert_non_null(j);
	assert_int_equal(json_object_size(j), 2);
	meta = json_object_get(j, "meta");
	assert_true(json_is_object(meta));
	assert_string_equal(json_string_value(json_object_get(meta, "hostname")), "testhost");
	assert_int_equal(json_integer_value(json_object_get(meta, "ncpus")), 2);
	assert_dbl_eq(json_real_value(json_object_get(meta, "duration_s")), 10);
	/* a store of an older perfpilot does not say what observing cost */
	assert_true(json_is_null(json_object_get(meta, "self")));
	arr = json_object_get(j, "findings");
	assert_true(json_is_array(arr));
	assert_int_equal(json_array_size(arr), fs.n);
	assert_true(fs.n >= 3);
	json_array_foreach(arr, i, f) {
		const char *sev = json_string_value(json_object_get(f, "severity"));
		const char *res = json_string_value(json_object_get(f, "resource"));
		json_t *fc = json_object_get(f, "forecast"), *ev = json_object_get(f, "evidence");

		assert_int_equal(json_object_size(f), 9);
		for (k = 0; k < 9; k++)
			assert_non_null(json_object_get(f, keys[k]));
		assert_true(!strcmp(sev, "info") || !strcmp(sev, "warning") ||
			    !strcmp(sev, "critical"));
		assert_true(!strcmp(res, "cpu") || !strcmp(res, "memory") || !strcmp(res, "io") ||
			    !strcmp(res, "network"));
		assert_true(json_is_array(json_object_get(f, "victims")));
		assert_true(json_is_array(json_object_get(f, "culprits")));
		assert_true(json_is_array(json_object_get(f, "recommendations")));
		assert_true(json_array_size(json_object_get(f, "recommendations")) >= 1);
		assert_true(json_is_string(json_object_get(ev, "metric")));
		assert_int_equal(json_array_size(json_object_get(ev, "values")),
				 json_array_size(json_object_get(ev, "t")));
		assert_true(json_real_value(json_object_get(ev, "start")) <
			    json_real_value(json_object_get(ev, "end")));
		if (json_is_null(fc)) {
			without_fc++;
		} else {
			with_fc++;
			assert_dbl_near(json_real_value(json_object_get(fc, "rate_per_s")), 4 * MiB,
					0.2 * MiB);
			assert_true(json_real_value(json_object_get(fc, "eta_s")) > 0);
		}
	}
	assert_int_equal(with_fc, 1);
	assert_true(without_fc >= 2);
	json_decref(j);
	findings_free(&fs);
	recording_free(&r);
}

/* what observing cost: in the JSON meta data and in the text header */
static void test_self_cost(void **state)
{
	struct recording r;
	struct findings fs;
	json_t *j, *self;
	char buf[256], *text = NULL;
	size_t len = 0;
	FILE *out;

	(void)state;
	sample(&r);
	r.self_pid = 777;
	r.self_cpu_s = 0.5;
	r.self_rss_peak_bytes = 31 * MiB;
	assert_int_equal(findings_analyze(&r, NULL, &fs), 0);
	j = report_json(&r, &fs);
	self = json_object_get(json_object_get(j, "meta"), "self");
	assert_true(json_is_object(self));
	assert_int_equal(json_integer_value(json_object_get(self, "pid")), 777);
	assert_dbl_eq(json_real_value(json_object_get(self, "cpu_s")), 0.5);
	assert_dbl_near(json_real_value(json_object_get(self, "cpus")), 0.05, 1e-9);
	assert_dbl_eq(json_real_value(json_object_get(self, "rss_peak_bytes")), 31 * MiB);
	json_decref(j);
	assert_string_equal(report_self_cost(&r, buf, sizeof(buf)),
			    "perfpilot itself (pid 777): 0.50 s of CPU (0.050 CPUs), peak RSS "
			    "31.0 MiB; left out of victims and culprits");
	out = open_memstream(&text, &len);
	report_text(out, &r, &fs);
	fclose(out);
	assert_non_null(strstr(text, buf));
	free(text);
	r.self_pid = 0;
	assert_string_equal(report_self_cost(&r, buf, sizeof(buf)), "");
	findings_free(&fs);
	recording_free(&r);
}

/* the sysctl recommendation carries the tuner's fields */
static void test_json_sysctl(void **state)
{
	struct findings_env env = {.somaxconn = 4096, .tcp_max_syn_backlog = -1};
	struct recording r;
	struct findings fs;
	json_t *j, *rec;
	size_t i;

	(void)state;
	sample(&r);
	assert_int_equal(findings_analyze(&r, &env, &fs), 0);
	for (i = 0; i < fs.n && strcmp(fs.f[i].kind, "listen_overflow"); i++)
		;
	assert_true(i < fs.n);
	j = finding_json(&fs.f[i]);
	rec = json_array_get(json_object_get(j, "recommendations"), 0);
	assert_string_equal(json_string_value(json_object_get(rec, "action")), "sysctl");
	assert_string_equal(json_string_value(json_object_get(rec, "key")), "net.core.somaxconn");
	assert_string_equal(json_string_value(json_object_get(rec, "from")), "4096");
	assert_string_equal(json_string_value(json_object_get(rec, "to")), "8192");
	json_decref(j);
	findings_free(&fs);
	recording_free(&r);
}

static char *render(void (*fn)(FILE *, const struct recording *, const struct findings *),
		    const struct recording *r, const struct findings *fs)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(f, r, fs);
	fclose(f);
	return buf;
}

/* processes folded at load (store.h): in the JSON meta data, in the text
 * header (within 80 columns) and in the HTML page; null and absent when
 * none were */
static void test_folded(void **state)
{
	struct recording r;
	struct findings fs;
	json_t *j, *folded;
	char buf[256], *text, *line, *save = NULL;

	(void)state;
	sample(&r);
	assert_int_equal(findings_analyze(&r, NULL, &fs), 0);
	j = report_json(&r, &fs);
	assert_true(json_is_null(json_object_get(json_object_get(j, "meta"), "folded")));
	json_decref(j);
	assert_string_equal(report_folded(&r, buf, sizeof(buf)), "");
	r.procs = 480020;
	r.procs_folded = 479968;
	r.fold_groups = 1;
	r.fold_life_s = 4;
	j = report_json(&r, &fs);
	folded = json_object_get(json_object_get(j, "meta"), "folded");
	assert_int_equal(json_integer_value(json_object_get(folded, "processes")), 479968);
	assert_int_equal(json_integer_value(json_object_get(folded, "of")), 480020);
	assert_int_equal(json_integer_value(json_object_get(folded, "groups")), 1);
	assert_dbl_eq(json_real_value(json_object_get(folded, "max_life_s")), 4);
	json_decref(j);
	assert_string_equal(report_folded(&r, buf, sizeof(buf)),
			    "479,968 of 480,020 processes (each seen 4 s or less, none among the "
			    "top by a resource) folded into 1 group by command, parent and cgroup");
	text = render(report_text, &r, &fs);
	assert_non_null(strstr(text, "479,968 of 480,020 processes (each seen 4 s or less"));
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t c = 0;
		const char *p;

		for (p = line; *p; p++)
			c += ((unsigned char)*p & 0xc0) != 0x80;
		if (c > 80)
			fail_msg("line of %zu columns: '%s'", c, line);
	}
	free(text);
	text = render(report_html, &r, &fs);
	assert_non_null(strstr(text, "folded into 1 group by command, parent and cgroup"));
	free(text);
	findings_free(&fs);
	recording_free(&r);
}

/* text: most severe first, no line wider than 80 columns */
static void test_text(void **state)
{
	struct recording r;
	struct findings fs;
	char *out, *line, *save = NULL;
	const char *crit, *warn;

	(void)state;
	sample(&r);
	assert_int_equal(findings_analyze(&r, NULL, &fs), 0);
	out = render(report_text, &r, &fs);
	crit = strstr(out, "CRITICAL  memory   memory_growth");
	warn = strstr(out, "WARNING ");
	assert_non_null(crit);
	assert_non_null(warn);
	assert_true(crit < warn);
	assert_non_null(strstr(out, "grow (pid 4242)"));
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t c = 0;
		const char *p;

		for (p = line; *p; p++)
			c += ((unsigned char)*p & 0xc0) != 0x80;
		if (c > 80)
			fail_msg("line of %zu columns: '%s'", c, line);
	}
	free(out);
	findings_free(&fs);
	recording_free(&r);
}

/* HTML: self-contained (nothing fetched), charts, the flame graph or the
 * note that there is no profile */
static void test_html(void **state)
{
	struct recording r;
	struct findings fs;
	char *out;

	(void)state;
	sample(&r);
	assert_int_equal(findings_analyze(&r, NULL, &fs), 0);
	out = render(report_html, &r, &fs);
	assert_non_null(strstr(out, "<!DOCTYPE html>"));
	assert_non_null(strstr(out, "</html>"));
	assert_self_contained(out);
	assert_non_null(strstr(out, "<polyline"));
	assert_non_null(strstr(out, "No profile was recorded"));
	free(out);
	r.folded = strdup("grow;main;alloc<T> 30\ngrow;main;touch 10\nnot a stack\n");
	out = render(report_html, &r, &fs);
	assert_null(strstr(out, "No profile was recorded"));
	/* the interactive flame graph, inline: 49 Hz samples of 20.4 ms */
	assert_non_null(strstr(out, "<title>alloc&lt;T&gt;\n30 samples, 612.2 ms, 75.00%</title>"));
	assert_non_null(strstr(out, "<title>main\n40 samples, 816.3 ms, 100.00%</title>"));
	assert_non_null(strstr(out, "<svg version=\"1.1\" id=\"profile\" class=\"flamegraph\""));
	assert_non_null(strstr(out, "function zoom("));
	assert_null(strstr(out, "<?xml"));
	assert_non_null(strstr(out, "1 malformed line of the stored profile skipped"));
	assert_self_contained(out);
	free(out);
	findings_free(&fs);
	recording_free(&r);
}

static void test_trim(void **state)
{
	struct recording r;
	const struct series *s;

	(void)state;
	sample(&r);
	report_trim(&r, FX_T0 + 3, FX_T0 + 6);
	s = rec_find(&r, 'p', "4242", "mem.rss_bytes");
	assert_non_null(s);
	assert_int_equal(s->n, 4);
	assert_dbl_eq(s->t[0], FX_T0 + 3);
	assert_dbl_eq(s->t[3], FX_T0 + 6);
	assert_dbl_eq(s->v[0], 100 * MiB + 12 * MiB);
	assert_dbl_eq(r.start, FX_T0 + 2);
	assert_dbl_eq(r.end, FX_T0 + 6);
	report_trim(&r, FX_T0 + 100, FX_T0 + 200);
	assert_int_equal(s->n, 0);
	recording_free(&r);
}

static char *render_capacity(const struct recording *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	report_html_capacity(f, r);
	fclose(f);
	return buf;
}

/* The capacity section: a table row per resource, and a chart (use, limit,
 * trend) only for a resource that runs out: a cgroup growing 2 MiB/s
 * towards 200 MiB is charted, a flat one is not */
static void test_html_capacity(void **state)
{
	double t[30], v[30], lim[30], flat[30];
	struct recording r;
	char *out;
	size_t i;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.interval_s = 1;
	r.ncpus = 2;
	r.mem_total_bytes = 4096.0 * 1048576;
	for (i = 0; i < 30; i++) {
		t[i] = 100 + (double)i;
		v[i] = (100 + 2 * (double)i + (i % 2 ? 0.2 : -0.2)) * 1048576;
		lim[i] = 200.0 * 1048576;
		flat[i] = 50.0 * 1048576;
	}
	assert_non_null(rec_add(&r, ENT_CGROUP, "/grows", "cg.memory_bytes", t, v, 30));
	assert_non_null(rec_add(&r, ENT_CGROUP, "/grows", "cg.memory_limit_bytes", t, lim, 30));
	assert_non_null(rec_add(&r, ENT_CGROUP, "/flat", "cg.memory_bytes", t, flat, 30));
	out = render_capacity(&r);
	assert_non_null(strstr(out, "<h2>Capacity</h2>"));
	assert_non_null(strstr(out, "<td>/grows</td><td>memory</td>"));
	assert_non_null(strstr(out, "<td>/flat</td><td>memory</td>"));
	/* (200 - 158) MiB at 2 MiB/s: 21 s, the chart of /grows only */
	assert_non_null(strstr(out, "cgroup /grows memory: limit in 21 s"));
	assert_null(strstr(out, "cgroup /flat memory: limit"));
	assert_non_null(strstr(out, "<title>trend</title>"));
	assert_self_contained(out);
	free(out);
	/* nothing growing: the table and a line saying so */
	recording_free(&r);
	memset(&r, 0, sizeof(r));
	r.interval_s = 1;
	assert_non_null(rec_add(&r, ENT_CGROUP, "/flat", "cg.memory_bytes", t, flat, 30));
	out = render_capacity(&r);
	assert_non_null(strstr(out, "No resource is growing towards its limit."));
	assert_null(strstr(out, "<polyline"));
	free(out);
	recording_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_shape),
		cmocka_unit_test(test_json_sysctl),
		cmocka_unit_test(test_self_cost),
		cmocka_unit_test(test_folded),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_html_capacity),
		cmocka_unit_test(test_trim),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
