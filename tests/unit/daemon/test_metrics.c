// SPDX-License-Identifier: GPL-2.0
/* What /metrics shows, given intervals as the recording collects them:
 * names, labels, values and units, the top N, the histogram, the bounds,
 * OpenMetrics, and the values the alerts get. */
#define _GNU_SOURCE
#include <jansson.h>
#include <math.h>
#include "unit.h"
#include "daemon/metrics.h"

static struct proc_sample proc(uint32_t pid, const char *comm, const char *cg, double cpu_s)
{
	struct proc_sample s;

	memset(&s, 0, sizeof(s));
	s.pid = pid;
	s.start_ms = 1000 + pid;
	snprintf(s.comm, sizeof(s.comm), "%s", comm);
	snprintf(s.cgroup, sizeof(s.cgroup), "%s", cg);
	s.oncpu_ns = (uint64_t)(cpu_s * 1e9);
	return s;
}

struct fixture {
	struct proc_sample p[3];
	struct cg_values cg;
	struct host_values host;
	struct dev_sample dev;
	struct interval_data d;
};

/* Three processes (two in /a, one in /b), /a's memory files, the host and
 * one disk, over an interval of `len` s ending at ts. */
static void fixture(struct fixture *f, double ts, double len)
{
	memset(f, 0, sizeof(*f));
	f->p[0] = proc(100, "burn", "/a", 2);
	f->p[0].runq_wait_ns = 100000000;
	f->p[0].nvcsw = 3;
	f->p[0].nivcsw = 40;
	f->p[0].minflt = 7;
	f->p[0].majflt = 1;
	f->p[0].read_bytes = 4096;
	f->p[0].write_bytes = 512;
	f->p[0].tx_bytes = 1000;
	f->p[0].rx_bytes = 2000;
	f->p[0].retrans = 2;
	f->p[0].has_mem = true;
	f->p[0].rss_bytes = 1 << 20;
	f->p[0].runq_hist[0] = 5;   /* [0, 1) us */
	f->p[0].runq_hist[3] = 4;   /* [4, 8) us */
	f->p[0].runq_hist[12] = 1;  /* [2048, 4096) us */
	f->p[1] = proc(200, "idle", "/a", 0);
	f->p[2] = proc(300, "sleepy", "/b", 0.5);
	f->p[2].runq_hist[3] = 2;
	snprintf(f->cg.path, sizeof(f->cg.path), "/a");
	f->cg.has_memory = f->cg.has_limit = true;
	f->cg.memory_bytes = 1e6;
	f->cg.memory_limit_bytes = 2e6;
	f->host.has_busy = f->host.has_available = true;
	f->host.cpu_busy_ns = 3e9;
	f->host.mem_available_bytes = 5e8;
	f->host.psi.cpu = f->host.psi.mem = true;
	f->host.psi.cpu_some_us = 1000;
	f->host.psi.mem_some_us = 250;
	snprintf(f->dev.name, sizeof(f->dev.name), "vda");
	f->dev.read_bytes = 8192;
	f->dev.read_ops = 2;
	f->dev.write_ops = 1;
	f->d = (struct interval_data){ .ts = ts, .length_s = len, .procs = f->p, .nprocs = 3,
				       .cgs = &f->cg, .ncgs = 1, .host = &f->host,
				       .devs = &f->dev, .ndevs = 1 };
}

static const struct metrics_now now = {
	.version = "1.2.3", .self_cpu_s = 0.25, .self_rss_bytes = 12345678,
	.http = { .requests = 10, .unauthorized = 2, .not_found = 1, .errors = 1 },
	.alerts = { .firing = 1, .sent = 4, .failed = 1, .dropped = 0 },
	.sink_on = { [ALERTS_SINK_WEBHOOK] = true },
	.sink = { [ALERTS_SINK_WEBHOOK] = { .sent = 4, .failed = 1, .dropped = 0 } },
};

static char *render(struct metrics *m, enum prom_fmt f)
{
	size_t len = 0;
	char *t = metrics_render(m, f, &now, &len);

	assert_non_null(t);
	assert_int_equal(strlen(t), len);
	return t;
}

/* the line is there, whole */
#define assert_line(text, line) do {                                            \
		const char *_t = (text), *_l = (line), *_p = _t;                \
		size_t _n = strlen(_l);                                         \
		while ((_p = strstr(_p, _l)) &&                                 \
		       ((_p != _t && _p[-1] != '\n') || (_p[_n] != '\n')))       \
			_p++;                                                   \
		if (!_p)                                                        \
			fail_msg("no line '%s' in:\n%s", _l, _t);               \
	} while (0)

#define assert_no(text, part) do {                                              \
		if (strstr((text), (part)))                                     \
			fail_msg("'%s' should not be there", (part));           \
	} while (0)

static void test_two_intervals(void **state)
{
	struct metrics *m = metrics_new(20);
	struct fixture f;
	char *t;

	(void)state;
	fixture(&f, 1000, 1);
	metrics_add_interval(m, &f.d);
	fixture(&f, 1001, 1);
	f.p[0].oncpu_ns = 1000000000;
	f.p[0].exited = true;
	f.host.mem_available_bytes = 4e8;
	metrics_add_interval(m, &f.d);
	t = render(m, PROM_TEXT);
	assert_line(t, "# TYPE perfpilot_build_info gauge");
	assert_line(t, "perfpilot_build_info{version=\"1.2.3\"} 1");
	assert_line(t, "# TYPE perfpilot_process_cpu_seconds_total counter");
	assert_line(t, "perfpilot_process_cpu_seconds_total{pid=\"100\",comm=\"burn\"} 3");
	assert_line(t, "perfpilot_process_cpu_seconds_total{pid=\"300\",comm=\"sleepy\"} 1");
	assert_line(t, "perfpilot_process_runqueue_wait_seconds_total{pid=\"100\",comm=\"burn\"} "
		    "0.2");
	assert_line(t, "perfpilot_process_resident_memory_bytes{pid=\"100\",comm=\"burn\"} "
		    "1048576");
	assert_line(t, "perfpilot_process_io_read_bytes_total{pid=\"100\",comm=\"burn\"} 8192");
	assert_line(t, "perfpilot_process_io_write_bytes_total{pid=\"100\",comm=\"burn\"} 1024");
	/* no CPU time: no series */
	assert_no(t, "pid=\"200\"");
	assert_line(t, "perfpilot_cgroup_cpu_seconds_total{cgroup=\"/a\"} 3");
	assert_line(t, "perfpilot_cgroup_cpu_seconds_total{cgroup=\"/b\"} 1");
	assert_line(t, "perfpilot_cgroup_runqueue_wait_seconds_total{cgroup=\"/a\"} 0.2");
	assert_line(t, "perfpilot_cgroup_context_switches_total{cgroup=\"/a\",kind=\"voluntary\"} 6");
	assert_line(t, "perfpilot_cgroup_context_switches_total{cgroup=\"/a\",kind=\"involuntary\"} "
		    "80");
	assert_line(t, "perfpilot_cgroup_page_faults_total{cgroup=\"/a\",kind=\"minor\"} 14");
	assert_line(t, "perfpilot_cgroup_page_faults_total{cgroup=\"/a\",kind=\"major\"} 2");
	assert_line(t, "perfpilot_cgroup_memory_bytes{cgroup=\"/a\"} 1000000");
	assert_line(t, "perfpilot_cgroup_memory_limit_bytes{cgroup=\"/a\"} 2000000");
	assert_no(t, "perfpilot_cgroup_memory_bytes{cgroup=\"/b\"}"); /* not read */
	assert_line(t, "perfpilot_cgroup_io_read_bytes_total{cgroup=\"/a\"} 8192");
	assert_line(t, "perfpilot_cgroup_io_write_bytes_total{cgroup=\"/a\"} 1024");
	assert_line(t, "perfpilot_cgroup_tcp_sent_bytes_total{cgroup=\"/a\"} 2000");
	assert_line(t, "perfpilot_cgroup_tcp_received_bytes_total{cgroup=\"/a\"} 4000");
	assert_line(t, "perfpilot_cgroup_tcp_retransmits_total{cgroup=\"/a\"} 4");
	/* the histogram: slot 0 (< 1 us) and slot 3 ([4, 8) us) twice each
	 * interval; le="4e-06" closes slot 2, le="1.6e-05" slot 4 */
	assert_line(t, "# TYPE perfpilot_cgroup_runqueue_latency_seconds histogram");
	assert_line(t, "perfpilot_cgroup_runqueue_latency_seconds_bucket{cgroup=\"/a\",le=\"4e-06\"} "
		    "10");
	assert_line(t, "perfpilot_cgroup_runqueue_latency_seconds_bucket{cgroup=\"/a\","
		    "le=\"1.6e-05\"} 18");
	assert_line(t, "perfpilot_cgroup_runqueue_latency_seconds_bucket{cgroup=\"/a\","
		    "le=\"0.001024\"} 18");
	assert_line(t, "perfpilot_cgroup_runqueue_latency_seconds_bucket{cgroup=\"/a\","
		    "le=\"0.004096\"} 20");
	assert_line(t, "perfpilot_cgroup_runqueue_latency_seconds_bucket{cgroup=\"/a\",le=\"+Inf\"} "
		    "20");
	assert_line(t, "perfpilot_cgroup_runqueue_latency_seconds_sum{cgroup=\"/a\"} 0.2");
	assert_line(t, "perfpilot_cgroup_runqueue_latency_seconds_count{cgroup=\"/a\"} 20");
	assert_line(t, "perfpilot_cgroup_runqueue_latency_seconds_count{cgroup=\"/b\"} 4");
	assert_line(t, "perfpilot_host_cpu_busy_seconds_total 6");
	assert_line(t, "perfpilot_host_memory_available_bytes 400000000");
	assert_line(t, "perfpilot_host_pressure_stalled_seconds_total{resource=\"cpu\",kind=\"some\"} "
		    "0.002");
	assert_line(t, "perfpilot_host_pressure_stalled_seconds_total{resource=\"memory\","
		    "kind=\"some\"} 0.0005");
	assert_no(t, "resource=\"io\""); /* not read */
	assert_line(t, "perfpilot_disk_read_bytes_total{device=\"vda\"} 16384");
	assert_line(t, "perfpilot_disk_write_bytes_total{device=\"vda\"} 0");
	assert_line(t, "perfpilot_disk_operations_total{device=\"vda\"} 6");
	assert_line(t, "perfpilot_self_cpu_seconds_total 0.25");
	assert_line(t, "perfpilot_self_resident_memory_bytes 12345678");
	assert_line(t, "perfpilot_alerts_firing 1");
	/* one series per configured sink and outcome; none of the sink not set */
	assert_line(t, "perfpilot_notifications_total{sink=\"webhook\",outcome=\"sent\"} 4");
	assert_line(t, "perfpilot_notifications_total{sink=\"webhook\",outcome=\"failed\"} 1");
	assert_line(t, "perfpilot_notifications_total{sink=\"webhook\",outcome=\"dropped\"} 0");
	assert_no(t, "sink=\"alertmanager\"");
	assert_no(t, "perfpilot_notifications_total{outcome=");
	assert_line(t, "perfpilot_http_requests_total{code=\"200\"} 6");
	assert_line(t, "perfpilot_http_requests_total{code=\"401\"} 2");
	assert_line(t, "perfpilot_events_dropped_total{map=\"process_series\"} 0");
	assert_no(t, "# EOF");
	free(t);
	/* the exited process stays 120 s after it was last seen, then goes */
	fixture(&f, 1100, 1);
	f.d.nprocs = 0;
	metrics_add_interval(m, &f.d);
	t = render(m, PROM_TEXT);
	assert_line(t, "perfpilot_process_cpu_seconds_total{pid=\"100\",comm=\"burn\"} 3");
	free(t);
	fixture(&f, 1122, 1);
	f.d.nprocs = 0;
	metrics_add_interval(m, &f.d);
	t = render(m, PROM_TEXT);
	assert_no(t, "pid=\"100\"");
	assert_line(t, "perfpilot_process_cpu_seconds_total{pid=\"300\",comm=\"sleepy\"} 1");
	assert_line(t, "perfpilot_cgroup_cpu_seconds_total{cgroup=\"/a\"} 3");
	free(t);
	metrics_free(m);
}

/* Only the top N by recent CPU; a process busy long ago ranks below one
 * busy now. */
static void test_top_n(void **state)
{
	struct metrics *m = metrics_new(1);
	struct fixture f;
	char *t;
	int i;

	(void)state;
	fixture(&f, 1000, 1);
	metrics_add_interval(m, &f.d);
	t = render(m, PROM_TEXT);
	assert_line(t, "perfpilot_process_cpu_seconds_total{pid=\"100\",comm=\"burn\"} 2");
	assert_no(t, "pid=\"300\"");
	free(t);
	/* five minutes of /b's process at 0.5 CPU: it passes the 2 s of long ago */
	for (i = 1; i <= 60; i++) {
		fixture(&f, 1000 + 5 * i, 5);
		f.p[2].oncpu_ns = 2500000000ull;
		f.d.procs = &f.p[2];
		f.d.nprocs = 1;
		metrics_add_interval(m, &f.d);
	}
	t = render(m, PROM_TEXT);
	assert_line(t, "perfpilot_process_cpu_seconds_total{pid=\"300\",comm=\"sleepy\"} 150.5");
	assert_no(t, "pid=\"100\"");
	free(t);
	metrics_set_top(m, 0);
	t = render(m, PROM_TEXT);
	assert_no(t, "perfpilot_process_cpu_seconds_total{");
	assert_line(t, "# TYPE perfpilot_process_cpu_seconds_total counter");
	free(t);
	metrics_free(m);
}

/* More processes than the table holds: the idlest go, and are counted. */
static void test_bounded(void **state)
{
	size_t n = METRICS_MAX_PROCS + 10, i, lines = 0;
	struct proc_sample *p = calloc(n, sizeof(*p));
	struct interval_data d = { .ts = 1000, .length_s = 1, .procs = p, .nprocs = n };
	struct metrics *m = metrics_new(100000);
	char *t, *s, line[64];

	(void)state;
	for (i = 0; i < n; i++)
		p[i] = proc((uint32_t)(i + 1), "w", "/c", 0.001 * (double)(i + 1));
	metrics_add_interval(m, &d);
	t = render(m, PROM_TEXT);
	for (s = t; (s = strstr(s, "perfpilot_process_cpu_seconds_total{")); s++)
		lines++;
	assert_int_equal(lines, METRICS_MAX_PROCS);
	snprintf(line, sizeof(line), "perfpilot_events_dropped_total{map=\"process_series\"} 10");
	assert_line(t, line);
	/* the busiest stayed */
	snprintf(line, sizeof(line), "{pid=\"%zu\",comm=\"w\"}", n);
	assert_non_null(strstr(t, line));
	free(t);
	free(p);
	metrics_free(m);
}

static void test_named_and_escaping(void **state)
{
	struct metrics *m = metrics_new(5);
	json_t *fs = json_loads("[{\"kind\":\"memory_growth\",\"severity\":\"warning\"},"
				"{\"kind\":\"memory_growth\",\"severity\":\"warning\"},"
				"{\"kind\":\"cpu_saturation\",\"severity\":\"critical\"}]", 0, NULL);
	struct proc_sample p = proc(7, "a\"b\\c", "/x", 1);
	struct interval_data d = { .ts = 10, .length_s = 2, .procs = &p, .nprocs = 1 };
	char *t;

	(void)state;
	assert_non_null(fs);
	metrics_add_interval(m, &d);
	metrics_set_findings(m, fs);
	metrics_tuner_count(m, "net.core.somaxconn", "applied");
	metrics_tuner_count(m, "net.core.somaxconn", "applied");
	metrics_tuner_count(m, "net.core.somaxconn", "kept");
	metrics_set_dropped(m, "prof_counts", 12);
	metrics_set_bpf_prog(m, "sched_switch_btf", 1000, 250000000);
	metrics_set_store(m, 65536, 42);
	metrics_set_store_writes(m, 3, 5, 2);
	t = render(m, PROM_TEXT);
	assert_line(t, "perfpilot_process_cpu_seconds_total{pid=\"7\",comm=\"a\\\"b\\\\c\"} 1");
	assert_line(t, "# TYPE perfpilot_findings gauge");
	assert_line(t, "perfpilot_findings{kind=\"memory_growth\",severity=\"warning\"} 2");
	assert_line(t, "perfpilot_findings{kind=\"cpu_saturation\",severity=\"critical\"} 1");
	assert_line(t, "perfpilot_tuner_changes_total{tunable=\"net.core.somaxconn\","
		    "outcome=\"applied\"} 2");
	assert_line(t, "perfpilot_tuner_changes_total{tunable=\"net.core.somaxconn\","
		    "outcome=\"kept\"} 1");
	assert_line(t, "perfpilot_events_dropped_total{map=\"prof_counts\"} 12");
	assert_line(t, "perfpilot_bpf_program_runs_total{program=\"sched_switch_btf\"} 1000");
	assert_line(t, "perfpilot_bpf_program_run_seconds_total{program=\"sched_switch_btf\"} 0.25");
	assert_line(t, "perfpilot_store_bytes 65536");
	assert_line(t, "perfpilot_store_intervals_total 42");
	assert_line(t, "perfpilot_store_write_failures_total 3");
	assert_line(t, "perfpilot_store_pending_intervals 5");
	assert_line(t, "perfpilot_store_dropped_intervals_total 2");
	free(t);
	/* a new analysis replaces the findings */
	json_decref(fs);
	fs = json_array();
	metrics_set_findings(m, fs);
	t = render(m, PROM_TEXT);
	assert_line(t, "# TYPE perfpilot_findings gauge");
	assert_no(t, "perfpilot_findings{");
	free(t);
	json_decref(fs);
	metrics_free(m);
}

static void test_openmetrics(void **state)
{
	struct metrics *m = metrics_new(5);
	struct fixture f;
	size_t len;
	char *t;

	(void)state;
	fixture(&f, 1000, 1);
	metrics_add_interval(m, &f.d);
	t = render(m, PROM_OPENMETRICS);
	len = strlen(t);
	assert_true(len > 6 && !strcmp(t + len - 6, "# EOF\n"));
	assert_line(t, "# TYPE perfpilot_process_cpu_seconds counter");
	assert_line(t, "# UNIT perfpilot_process_cpu_seconds seconds");
	assert_line(t, "perfpilot_process_cpu_seconds_total{pid=\"100\",comm=\"burn\"} 2");
	assert_line(t, "# TYPE perfpilot_cgroup_memory_bytes gauge");
	assert_line(t, "# UNIT perfpilot_cgroup_memory_bytes bytes");
	assert_line(t, "perfpilot_cgroup_runqueue_latency_seconds_bucket{cgroup=\"/a\",le=\"4e-06\"} "
		    "5");
	assert_no(t, "perfpilot_process_cpu_seconds_total counter");
	free(t);
	assert_int_equal(prom_negotiate("application/openmetrics-text;version=1.0.0,text/plain;"
					"version=0.0.4;q=0.5"), PROM_OPENMETRICS);
	assert_int_equal(prom_negotiate("text/plain"), PROM_TEXT);
	assert_int_equal(prom_negotiate(""), PROM_TEXT);
	metrics_free(m);
}

/* The alerts get counters as rates over the last interval. */
static void test_alert_values(void **state)
{
	struct metrics *m = metrics_new(5);
	struct alert_metric *v;
	struct fixture f;
	size_t n, i;
	bool cpu = false, mem = false, faults = false, psi = false;

	(void)state;
	fixture(&f, 1000, 1);
	metrics_add_interval(m, &f.d);
	fixture(&f, 1002, 2);
	f.p[0].oncpu_ns = 1000000000; /* 0.5 CPU over 2 s */
	metrics_add_interval(m, &f.d);
	n = metrics_alert_values(m, &v);
	assert_true(n > 20);
	for (i = 0; i < n; i++) {
		if (!strcmp(v[i].name, "perfpilot_process_cpu_seconds_total") &&
		    !strcmp(v[i].labels, "pid=\"100\",comm=\"burn\"")) {
			assert_dbl_near(v[i].value, 0.5, 1e-9);
			cpu = true;
		}
		if (!strcmp(v[i].name, "perfpilot_cgroup_memory_bytes") &&
		    !strcmp(v[i].labels, "cgroup=\"/a\"")) {
			assert_dbl_eq(v[i].value, 1e6);
			mem = true;
		}
		if (!strcmp(v[i].name, "perfpilot_cgroup_page_faults_total") &&
		    !strcmp(v[i].labels, "cgroup=\"/a\",kind=\"minor\"")) {
			assert_dbl_near(v[i].value, 3.5, 1e-9);
			faults = true;
		}
		if (!strcmp(v[i].name, "perfpilot_host_pressure_stalled_seconds_total") &&
		    !strcmp(v[i].labels, "resource=\"cpu\",kind=\"some\"")) {
			assert_dbl_near(v[i].value, 0.0005, 1e-12);
			psi = true;
		}
	}
	assert_true(cpu && mem && faults && psi);
	metrics_alert_values_free(v, n);
	metrics_free(m);
}

/* The capacity rows of an analysis: a series where the value is known,
 * replaced by the next analysis. */
static void test_capacity(void **state)
{
	struct metrics *m = metrics_new(10);
	json_t *rows = json_loads(
		"[{\"scope\": \"cgroup\", \"name\": \"/app\", \"resource\": \"memory\","
		"  \"exhaustion_s\": 61.5, \"recommended_limit\": 482344960},"
		" {\"scope\": \"host\", \"name\": \"host\", \"resource\": \"cpu\","
		"  \"exhaustion_s\": null, \"recommended_limit\": 1.25},"
		" {\"scope\": \"disk\", \"name\": \"sda\", \"resource\": \"disk_busy\","
		"  \"exhaustion_s\": 3000, \"recommended_limit\": null}]", 0, NULL);
	struct alert_metric *v;
	size_t n, i, exh = 0, rec = 0;
	char *t;

	(void)state;
	assert_non_null(rows);
	metrics_set_capacity(m, rows);
	t = render(m, PROM_TEXT);
	assert_line(t, "# TYPE perfpilot_capacity_exhaustion_seconds gauge");
	assert_line(t, "perfpilot_capacity_exhaustion_seconds{scope=\"cgroup\",name=\"/app\","
		    "resource=\"memory\"} 61.5");
	assert_line(t, "perfpilot_capacity_exhaustion_seconds{scope=\"disk\",name=\"sda\","
		    "resource=\"disk_busy\"} 3000");
	assert_no(t, "perfpilot_capacity_exhaustion_seconds{scope=\"host\"");
	assert_line(t, "perfpilot_capacity_recommended_limit{scope=\"cgroup\",name=\"/app\","
		    "resource=\"memory\"} 482344960");
	assert_line(t, "perfpilot_capacity_recommended_limit{scope=\"host\",name=\"host\","
		    "resource=\"cpu\"} 1.25");
	assert_no(t, "perfpilot_capacity_recommended_limit{scope=\"disk\"");
	free(t);
	/* and for the daemon's own metric rules */
	n = metrics_alert_values(m, &v);
	for (i = 0; i < n; i++) {
		if (!strcmp(v[i].name, "perfpilot_capacity_exhaustion_seconds")) {
			assert_string_not_equal(v[i].labels, "scope=\"host\",name=\"host\","
						"resource=\"cpu\"");
			if (!strcmp(v[i].labels, "scope=\"cgroup\",name=\"/app\",resource=\"memory\"")) {
				assert_dbl_eq(v[i].value, 61.5);
				exh++;
			}
		}
		if (!strcmp(v[i].name, "perfpilot_capacity_recommended_limit") &&
		    !strcmp(v[i].labels, "scope=\"host\",name=\"host\",resource=\"cpu\"")) {
			assert_dbl_eq(v[i].value, 1.25);
			rec++;
		}
	}
	assert_int_equal(exh, 1);
	assert_int_equal(rec, 1);
	metrics_alert_values_free(v, n);
	json_decref(rows);
	rows = json_array();
	metrics_set_capacity(m, rows);
	t = render(m, PROM_TEXT);
	assert_line(t, "# TYPE perfpilot_capacity_exhaustion_seconds gauge");
	assert_no(t, "perfpilot_capacity_exhaustion_seconds{");
	free(t);
	json_decref(rows);
	metrics_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_intervals),
		cmocka_unit_test(test_top_n),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_named_and_escaping),
		cmocka_unit_test(test_openmetrics),
		cmocka_unit_test(test_alert_values),
		cmocka_unit_test(test_capacity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
