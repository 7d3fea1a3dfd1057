// SPDX-License-Identifier: GPL-2.0
/* capacity/rows.c and output.c: the rows of a recording built by hand. */
#include <math.h>
#include <jansson.h>
#include "unit.h"
#include "capacity/capacity.h"
#include "capacity/output.h"

#define MIB (1024.0 * 1024.0)
#define N 30

static const struct cap_row *find(const struct cap_table *t, enum cap_scope s, const char *name,
				  enum cap_resource res)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->r[i].scope == s && !strcmp(t->r[i].name, name) && t->r[i].resource == res)
			return &t->r[i];
	return NULL;
}

/* A host of 4 CPUs and 8 GiB; /app grows 5 MiB/s towards its 400 MiB
 * limit and uses 0.5 CPU; /idle uses 64 MiB without a limit; disk sda is
 * busy 30 % of the time. */
static void build(struct recording *r)
{
	double t[N], busy[N], avail[N], cpu[N], mem[N], lim[N], idle[N], dev[N];
	size_t i;

	memset(r, 0, sizeof(*r));
	r->interval_s = 1;
	r->ncpus = 4;
	r->mem_total_bytes = 8192 * MIB;
	r->start = 1000;
	r->end = 1000 + N;
	for (i = 0; i < N; i++) {
		t[i] = 1001 + (double)i;
		busy[i] = (1.0 + 0.1 * (double)(i % 3)) * 1e9; /* 1.0 .. 1.2 CPUs */
		avail[i] = 6144 * MIB;
		cpu[i] = (i % 2 ? 0.4 : 0.6) * 1e9;
		mem[i] = 100 * MIB + 5 * MIB * (double)i + (i % 2 ? 0.3 : -0.3) * MIB;
		lim[i] = 400 * MIB;
		idle[i] = 64 * MIB;
		dev[i] = 0.3e9;
	}
	assert_non_null(rec_add(r, ENT_HOST, "host", "host.cpu_busy_ns", t, busy, N));
	assert_non_null(rec_add(r, ENT_HOST, "host", "host.mem_available_bytes", t, avail, N));
	assert_non_null(rec_add(r, ENT_CGROUP, "/app", "cg.memory_bytes", t, mem, N));
	assert_non_null(rec_add(r, ENT_CGROUP, "/app", "cg.memory_limit_bytes", t, lim, N));
	assert_non_null(rec_add(r, ENT_CGROUP, "/app", "cpu.oncpu_ns", t, cpu, N));
	assert_non_null(rec_add(r, ENT_CGROUP, "/idle", "cg.memory_bytes", t, idle, N));
	assert_non_null(rec_add(r, ENT_DEV, "sda", "dev.busy_ns", t, dev, N));
}

static void test_rows(void **state)
{
	const struct cap_row *w;
	struct recording r;
	struct cap_table t;
	struct cap_opts o;
	double last = 100 * MIB + 5 * MIB * (N - 1);

	(void)state;
	build(&r);
	cap_opts_default(&o);
	assert_int_equal(capacity_analyze(&r, &o, NULL, 0, &t), 0);
	assert_int_equal(t.n, 6); /* host cpu, memory; /app cpu, memory; /idle memory; sda */

	w = find(&t, CAP_HOST, "host", CAP_CPU);
	assert_non_null(w);
	assert_dbl_eq(w->limit, 4);
	assert_dbl_near(w->peak, 1.2, 1e-9);
	assert_true(w->used >= 1.0 && w->used <= 1.2);
	assert_true(isnan(w->tr.exhaustion_s));

	w = find(&t, CAP_HOST, "host", CAP_MEMORY);
	assert_non_null(w);
	assert_dbl_eq(w->used, 2048 * MIB);
	assert_dbl_eq(w->limit, 8192 * MIB);
	assert_dbl_eq(w->recommended, ceil(2048 * 1.15) * MIB);

	w = find(&t, CAP_CGROUP, "/app", CAP_MEMORY);
	assert_non_null(w);
	assert_dbl_eq(w->limit, 400 * MIB);
	assert_dbl_near(w->tr.rate, 5 * MIB, 0.1 * MIB);
	/* (400 - 245) MiB at 5 MiB/s: 31 s */
	assert_dbl_near(w->tr.exhaustion_s, (400 * MIB - last) / (5 * MIB), 2);
	assert_dbl_near(w->peak, last + 0.3 * MIB, 0.31 * MIB);
	assert_non_null(strstr(w->evidence, "cg.memory_bytes"));

	/* no quota known: the host's CPUs */
	w = find(&t, CAP_CGROUP, "/app", CAP_CPU);
	assert_non_null(w);
	assert_dbl_eq(w->limit, 4);
	assert_non_null(strstr(w->limit_src, "host's 4 CPUs"));
	assert_dbl_near(w->p95, 0.6, 1e-9);
	assert_dbl_near(w->recommended, 0.69, 1e-9); /* 0.6 * 1.15 */
	assert_true(isnan(w->tr.exhaustion_s));

	/* no memory limit: the host's RAM, and not growing */
	w = find(&t, CAP_CGROUP, "/idle", CAP_MEMORY);
	assert_non_null(w);
	assert_dbl_eq(w->limit, 8192 * MIB);
	assert_non_null(strstr(w->limit_src, "host's RAM"));
	assert_true(isnan(w->tr.exhaustion_s));
	assert_null(find(&t, CAP_CGROUP, "/idle", CAP_CPU));

	w = find(&t, CAP_DISK, "sda", CAP_DISK_BUSY);
	assert_non_null(w);
	assert_dbl_near(w->used, 0.3, 1e-9);
	assert_dbl_eq(w->limit, 1);
	assert_true(isnan(w->recommended));
	cap_table_free(&t);
	recording_free(&r);
}

/* Limits from the host (capacity --live) replace what the store lacks. */
static void test_host_limits(void **state)
{
	struct cap_limit l = { .path = "/app", .cpu_cores = 0.5, .mem_bytes = 300 * MIB };
	const struct cap_row *w;
	struct recording r;
	struct cap_table t;
	struct cap_opts o;
	double last = 100 * MIB + 5 * MIB * (N - 1);

	(void)state;
	build(&r);
	cap_opts_default(&o);
	snprintf(l.cpu_src, sizeof(l.cpu_src), "cpu.max of /app");
	snprintf(l.mem_src, sizeof(l.mem_src), "memory.max of /");
	assert_int_equal(capacity_analyze(&r, &o, &l, 1, &t), 0);
	w = find(&t, CAP_CGROUP, "/app", CAP_CPU);
	assert_dbl_eq(w->limit, 0.5);
	assert_string_equal(w->limit_src, "cpu.max of /app");
	/* the smaller of the stored and the host's memory limits */
	w = find(&t, CAP_CGROUP, "/app", CAP_MEMORY);
	assert_dbl_eq(w->limit, 300 * MIB);
	assert_dbl_near(w->tr.exhaustion_s, (300 * MIB - last) / (5 * MIB), 2);
	cap_table_free(&t);
	recording_free(&r);
}

/* A CPU quota the store recorded is the cgroup's CPU limit; 0 is none (the
 * host's CPUs); a limit read from the host (--live) comes first. */
static void test_stored_quota(void **state)
{
	struct cap_limit l = { .path = "/app", .cpu_cores = 0.25, .mem_bytes = NAN };
	double t[N], q[N];
	const struct cap_row *w;
	struct recording r;
	struct cap_table tb;
	struct cap_opts o;
	size_t i;

	(void)state;
	build(&r);
	for (i = 0; i < N; i++) {
		t[i] = 1001 + (double)i;
		q[i] = i < N / 2 ? 2.0 : 0.75; /* lowered half way */
	}
	assert_non_null(rec_add(&r, ENT_CGROUP, "/app", "cg.cpu_limit_cores", t, q, N));
	for (i = 0; i < N; i++)
		q[i] = 0;
	assert_non_null(rec_add(&r, ENT_CGROUP, "/idle", "cg.cpu_limit_cores", t, q, N));
	assert_non_null(rec_add(&r, ENT_CGROUP, "/idle", "cpu.oncpu_ns", t, q, N));
	cap_opts_default(&o);
	assert_int_equal(capacity_analyze(&r, &o, NULL, 0, &tb), 0);
	w = find(&tb, CAP_CGROUP, "/app", CAP_CPU);
	assert_non_null(w);
	assert_dbl_eq(w->limit, 0.75);
	assert_non_null(strstr(w->limit_src, "CPU quota recorded"));
	assert_non_null(strstr(w->limit_src, "at the end of the window"));
	w = find(&tb, CAP_CGROUP, "/idle", CAP_CPU);
	assert_non_null(w);
	assert_dbl_eq(w->limit, 4);
	assert_non_null(strstr(w->limit_src, "no CPU quota on it or its parents"));
	cap_table_free(&tb);
	snprintf(l.cpu_src, sizeof(l.cpu_src), "cpu.max of /app");
	assert_int_equal(capacity_analyze(&r, &o, &l, 1, &tb), 0);
	w = find(&tb, CAP_CGROUP, "/app", CAP_CPU);
	assert_dbl_eq(w->limit, 0.25);
	assert_string_equal(w->limit_src, "cpu.max of /app");
	cap_table_free(&tb);
	recording_free(&r);
}

static void test_json(void **state)
{
	struct recording r;
	struct cap_table t;
	struct cap_opts o;
	json_t *j, *rows, *row;
	size_t i, found = 0;

	(void)state;
	build(&r);
	cap_opts_default(&o);
	o.horizon_s = 60;
	assert_int_equal(capacity_analyze(&r, &o, NULL, 0, &t), 0);
	j = capacity_json(&t, "x.db");
	assert_non_null(j);
	rows = json_object_get(j, "rows");
	assert_int_equal(json_array_size(rows), t.n);
	json_array_foreach(rows, i, row) {
		const char *keys[] = { "scope", "name", "resource", "used", "limit", "peak", "p95",
				       "growth_per_s", "exhaustion_s", "recommended_limit" };
		size_t k;

		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			assert_non_null(json_object_get(row, keys[k]));
		if (!strcmp(json_string_value(json_object_get(row, "name")), "/idle")) {
			assert_true(json_is_null(json_object_get(row, "exhaustion_s")));
			found++;
		}
		if (!strcmp(json_string_value(json_object_get(row, "name")), "/app") &&
		    !strcmp(json_string_value(json_object_get(row, "resource")), "memory")) {
			assert_true(json_is_real(json_object_get(row, "exhaustion_s")));
			/* the horizon: (peak + 5 MiB/s * 60 s) * 1.15 */
			assert_true(json_real_value(json_object_get(row, "recommended_limit")) >
				    (245 + 300) * 1.15 * MIB);
			found++;
		}
	}
	assert_int_equal(found, 2);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "meta"),
							      "source")), "x.db");
	json_decref(j);
	cap_table_free(&t);
	recording_free(&r);
}

/* An interval that ran late holds more on-CPU time: per second of its own
 * length, 2 s of CPU over 2 s is one CPU, not two. */
static void test_late_interval(void **state)
{
	double t[10], busy[10];
	const struct cap_row *w;
	struct recording r;
	struct cap_table tb;
	struct cap_opts o;
	size_t i;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.interval_s = 1;
	r.ncpus = 2;
	for (i = 0; i < 10; i++) {
		t[i] = 100 + (double)i + (i >= 5); /* the sixth came 2 s after the fifth */
		busy[i] = i == 5 ? 2e9 : 1e9;
	}
	assert_non_null(rec_add(&r, ENT_HOST, "host", "host.cpu_busy_ns", t, busy, 10));
	cap_opts_default(&o);
	assert_int_equal(capacity_analyze(&r, &o, NULL, 0, &tb), 0);
	w = find(&tb, CAP_HOST, "host", CAP_CPU);
	assert_non_null(w);
	assert_dbl_near(w->peak, 1, 1e-9);
	assert_dbl_near(w->used, 1, 1e-9);
	cap_table_free(&tb);
	recording_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_host_limits),
		cmocka_unit_test(test_stored_quota),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_late_interval),
	};

	return cmocka_run_group_tests_name("capacity_rows", tests, NULL, NULL);
}
