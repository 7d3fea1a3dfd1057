// SPDX-License-Identifier: GPL-2.0
/* findings: the analysers on hand-built recordings with a known truth. */
#include <math.h>
#include <stdlib.h>
#include "unit.h"
#include "findings_fixture.h"
#include "findings/findings.h"
#include "findings/internal.h"

#define N 10
#define SEC 1e9
#define MiB (1024.0 * 1024.0)

static const struct finding *find_kind(const struct findings *fs, const char *kind)
{
	size_t i;

	for (i = 0; i < fs->n; i++)
		if (!strcmp(fs->f[i].kind, kind))
			return &fs->f[i];
	return NULL;
}

static size_t count_kind(const struct findings *fs, const char *kind)
{
	size_t i, n = 0;

	for (i = 0; i < fs->n; i++)
		n += !strcmp(fs->f[i].kind, kind);
	return n;
}

static bool names_pid(const struct party *p, size_t n, unsigned int pid)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i].pid == pid)
			return true;
	return false;
}

/* A process on the CPU `cpus` of each second, waiting `wait` of it and
 * sleeping `sleeps` times a second. */
static void cpu_proc_sleeps(struct recording *r, unsigned int pid, const char *comm,
			    const char *cg, double cpus, double wait, double sleeps, uint64_t *seed)
{
	double v[N];

	fx_fill(v, N, sleeps, 0.05, seed);
	assert_non_null(fx_proc(r, pid, comm, cg, "sched.nvcsw", v, N));
	fx_fill(v, N, cpus * SEC, 0.05, seed);
	assert_non_null(fx_proc(r, pid, comm, cg, "cpu.oncpu_ns", v, N));
	fx_fill(v, N, wait * SEC, 0.05, seed);
	assert_non_null(fx_proc(r, pid, comm, cg, "sched.runq_wait_ns", v, N));
	fx_fill(v, N, 20 * MiB, 0.001, seed);
	assert_non_null(fx_proc(r, pid, comm, cg, "mem.rss_bytes", v, N));
}

/* The same for a process that never sleeps (a hog). */
static void cpu_proc(struct recording *r, unsigned int pid, const char *comm, const char *cg,
		     double cpus, double wait, uint64_t *seed)
{
	cpu_proc_sleeps(r, pid, comm, cg, cpus, wait, 0, seed);
}

static void host_busy(struct recording *r, double cpus, uint64_t *seed)
{
	double v[N];

	fx_fill(v, N, cpus * SEC, 0.05, seed);
	assert_non_null(fx_series(r, 'h', "host", "host.cpu_busy_ns", v, N));
}

/* the e2e picture: a periodic worker and two busy loops share one of two
 * CPUs; an idle daemon elsewhere */
static void test_cpu_contention(void **state)
{
	struct recording r;
	struct findings fs;
	const struct finding *f;
	uint64_t seed = 1;

	(void)state;
	fx_init(&r, N);
	cpu_proc_sleeps(&r, 100, "periodic", "/", 0.30, 0.35, 100, &seed);
	cpu_proc(&r, 200, "burn", "/", 0.35, 0.62, &seed);
	cpu_proc(&r, 201, "burn", "/", 0.35, 0.63, &seed);
	cpu_proc(&r, 300, "sshd", "/", 0.001, 0.0005, &seed);
	host_busy(&r, 1.0, &seed);
	assert_int_equal(findings_analyze(&r, NULL, &fs), 0);
	f = find_kind(&fs, "cpu_saturation");
	assert_non_null(f);
	assert_int_equal(f->resource, RES_CPU);
	assert_true(f->severity >= SEV_WARNING);
	assert_true(names_pid(f->victims, f->nvictims, 100));
	assert_true(names_pid(f->culprits, f->nculprits, 200));
	assert_true(names_pid(f->culprits, f->nculprits, 201));
	assert_false(names_pid(f->victims, f->nvictims, 300));
	assert_false(names_pid(f->culprits, f->nculprits, 300));
	/* the worker that sleeps and wakes is the victim named first, though
	 * the busy loops wait longer (they always want a CPU); it is no
	 * culprit; its share of runnable time is about 54 % */
	assert_int_equal(f->victims[0].pid, 100);
	assert_dbl_near(f->victims[0].share, 0.54, 0.03);
	assert_int_equal(f->nvictims, 3);
	assert_int_equal(f->nculprits, 2);
	assert_true(f->victims[1].pid == 200 || f->victims[1].pid == 201);
	assert_string_equal(f->ev.metric, "sched.runq_wait_ns");
	assert_string_equal(f->ev.entity, "100");
	assert_int_equal(f->ev.n, N);
	assert_dbl_near(f->ev.end - f->ev.start, N, 1e-9);
	/* one of two CPUs busy: the affinity hint comes first */
	assert_true(f->nrecs >= 1);
	assert_non_null(strstr(f->recs[0].text, "affinity"));
	assert_non_null(strstr(f->summary, "periodic (pid 100) 54%"));
	assert_non_null(strstr(f->summary, "the CPU went to burn"));
	/* renice a busy loop, not the worker */
	for (size_t i = 0; i < f->nrecs; i++)
		if (!strcmp(f->recs[i].action, "renice"))
			assert_true(f->recs[i].pid == 200 || f->recs[i].pid == 201);
	findings_free(&fs);
	recording_free(&r);
}

/* the same picture with perfpilot as a third busy loop: it is neither
 * culprit nor victim when the recording names its pid, and is without */
static void test_self_left_out(void **state)
{
	struct recording r;
	struct findings fs;
	const struct finding *f;
	uint64_t seed = 1;

	(void)state;
	fx_init(&r, N);
	cpu_proc_sleeps(&r, 100, "periodic", "/", 0.30, 0.35, 100, &seed);
	cpu_proc(&r, 200, "burn", "/", 0.35, 0.62, &seed);
	cpu_proc(&r, 400, "perfpilot", "/", 0.35, 0.62, &seed);
	host_busy(&r, 1.0, &seed);
	assert_int_equal(findings_analyze(&r, NULL, &fs), 0);
	f = find_kind(&fs, "cpu_saturation");
	assert_non_null(f);
	assert_true(names_pid(f->culprits, f->nculprits, 400) ||
		    names_pid(f->victims, f->nvictims, 400));
	findings_free(&fs);
	r.self_pid = 400;
	assert_int_equal(findings_analyze(&r, NULL, &fs), 0);
	f = find_kind(&fs, "cpu_saturation");
	assert_non_null(f);
	assert_false(names_pid(f->culprits, f->nculprits, 400));
	assert_false(names_pid(f->victims, f->nvictims, 400));
	assert_true(names_pid(f->culprits, f->nculprits, 200));
	for (size_t i = 0; i < fs.n; i++) {
		assert_null(strstr(fs.f[i].summary, "pid 400"));
		assert_false(names_pid(fs.f[i].culprits, fs.f[i].nculprits, 400));
		assert_false(names_pid(fs.f[i].victims, fs.f[i].nvictims, 400));
	}
	/* the recording itself is untouched */
	assert_non_null(rec_find(&r, 'p', "400", "cpu.oncpu_ns"));
	findings_free(&fs);
	recording_free(&r);
}

/* one victim behind one hog in another cgroup: critical, and the exact
 * cgroup change */
static void test_cpu_victim_other_cgroup(void **state)
{
	struct recording r;
	struct findings fs;
	const struct finding *f;
	uint64_t seed = 2;
	size_t i;
	bool cg = false;

	(void)state;
	fx_init(&r, N);
	r.ncpus = 1;
	cpu_proc_sleeps(&r, 10, "db", "/db.slice", 0.30, 0.60, 50, &seed);
	cpu_proc(&r, 11, "batch", "/batch.slice", 0.70, 0.05, &seed);
	host_busy(&r, 1.0, &seed);
	assert_int_equal(findings_analyze(&r, NULL, &fs), 0);
	f = find_kind(&fs, "cpu_saturation");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_CRITICAL);
	assert_int_equal(f->victims[0].pid, 10);
	assert_int_equal(f->culprits[0].pid, 11);
	for (i = 0; i < f->nrecs; i++) {
		if (strcmp(f->recs[i].action, "cgroup"))
			continue;
		assert_string_equal(f->recs[i].path, "/db.slice");
		assert_string_equal(f->recs[i].file, "cpu.weight");
		assert_string_equal(f->recs[i].to, "200");
		cg = true;
	}
	assert_true(cg);
	findings_free(&fs);
	recording_free(&r);
}

/* resident memory growing 4 MiB/s with noise: the rate within 20 % (it is
 * much closer) and a forecast to the host's RAM */
static void test_memory_growth(void **state)
{
	struct recording r;
	struct findings fs;
	const struct finding *f;
	double v[N], rate = 4 * MiB, eta;
	uint64_t seed = 3;
	size_t i;

	(void)state;
	fx_init(&r, N);
	for (i = 0; i < N; i++)
		v[i] = 100 * MiB + rate * (double)(i + 1) + 0.3 * MiB * (2 * unit_rand01(&seed) - 1);
	fx_proc(&r, 4242, "grow", "/", "mem.rss_bytes", v, N);
	fx_fill(v, N, 50 * MiB, 0.0001, &seed);
	fx_proc(&r, 1, "init", "/", "mem.rss_bytes", v, N);
	assert_int_equal(findings_analyze(&r, NULL, &fs), 0);
	f = find_kind(&fs, "memory_growth");
	assert_non_null(f);
	assert_int_equal(f->resource, RES_MEMORY);
	assert_int_equal(f->victims[0].pid, 4242);
	assert_int_equal(f->culprits[0].pid, 4242);
	assert_dbl_near(f->culprits[0].value, rate, 0.2 * rate);
	assert_dbl_near(f->culprits[0].value, rate, 0.05 * rate);
	assert_true(f->has_forecast);
	assert_dbl_near(f->fc.rate, rate, 0.05 * rate);
	eta = (r.mem_total_bytes - (100 * MiB + rate * N)) / rate;
	assert_dbl_near(f->fc.eta, eta, 0.1 * eta);
	assert_true(f->fc.eta_lo <= f->fc.eta && f->fc.eta <= f->fc.eta_hi);
	assert_dbl_eq(f->fc_limit, r.mem_total_bytes);
	/* 2000 s away at most 360 x 10 s: critical (under an hour) */
	assert_int_equal(f->severity, SEV_CRITICAL);
	/* the flat process is not growing */
	for (i = 0; i < fs.n; i++)
		if (!strcmp(fs.f[i].kind, "memory_growth"))
			assert_int_not_equal(fs.f[i].victims[0].pid, 1);
	findings_free(&fs);
	recording_free(&r);
}

/* growth toward a cgroup limit forecasts to that limit */
static void test_memory_growth_cgroup_limit(void **state)
{
	struct recording r;
	struct findings fs;
	const struct finding *f;
	double v[N], lim[N];
	size_t i;

	(void)state;
	fx_init(&r, N);
	for (i = 0; i < N; i++) {
		v[i] = 100 * MiB + 2 * MiB * (double)i + (i % 2 ? 0.1 : -0.1) * MiB;
		lim[i] = 200 * MiB;
	}
	fx_series(&r, 'c', "/app", "cg.memory_limit_bytes", lim, N);
	fx_proc(&r, 77, "leaky", "/app", "mem.rss_bytes", v, N);
	assert_int_equal(findings_analyze(&r, NULL, &fs), 0);
	f = find_kind(&fs, "memory_growth");
	assert_non_null(f);
	assert_dbl_eq(f->fc_limit, 200 * MiB);
	assert_true(f->has_forecast);
	/* 82 MiB left at 2 MiB/s */
	assert_dbl_near(f->fc.eta, 41, 6);
	assert_non_null(strstr(f->fc_limit_name, "cgroup"));
	findings_free(&fs);
	recording_free(&r);
}

/* a burst that stops is not steady growth */
static void test_memory_plateau_is_not_growth(void **state)
{
	struct recording r;
	struct findings fs;
	double v[20];
	size_t i;

	(void)state;
	fx_init(&r, 20);
	for (i = 0; i < 20; i++)
		v[i] = (i < 5 ? 100 + 20.0 * (double)i : 200) * MiB + (i % 3) * 4096.0;
	fx_proc(&r, 5, "warm", "/", "mem.rss_bytes", v, 20);
	assert_int_equal(findings_analyze(&r, NULL, &fs), 0);
	assert_null(find_kind(&fs, "memory_growth"));
	findings_free(&fs);
	recording_free(&r);
}

static void io_proc(struct recording *r, unsigned int pid, const char *comm, double wbps,
		    double rbps, uint64_t *seed)
{
	double v[N];

	fx_fill(v, N, wbps, 0.05, seed);
	fx_proc(r, pid, comm, "/", "io.write_bytes", v, N);
	fx_fill(v, N, rbps, 0.05, seed);
	fx_proc(r, pid, comm, "/", "io.read_bytes", v, N);
}

/* a disk busy nearly all the time, with one heavy writer */
static void test_io_saturation(void **state)
{
	struct recording r;
	struct findings fs;
	const struct finding *f;
	double v[N];
	uint64_t seed = 4;

	(void)state;
	fx_init(&r, N);
	io_proc(&r, 400, "dio", 200 * MiB, 0, &seed);
	io_proc(&r, 401, "cat", 0, 1 * MiB, &seed);
	fx_fill(v, N, 0.95 * SEC, 0.03, &seed);
	fx_series(&r, 'd', "loop0", "dev.busy_ns", v, N);
	assert_int_equal(findings_analyze(&r, NULL, &fs), 0);
	f = find_kind(&fs, "io_saturation");
	assert_non_null(f);
	assert_int_equal(f->resource, RES_IO);
	assert_true(f->severity >= SEV_WARNING);
	assert_int_equal(f->culprits[0].pid, 400);
	assert_dbl_near(f->culprits[0].value, 200 * MiB * N, 0.06 * 200 * MiB * N);
	assert_non_null(strstr(f->summary, "loop0"));
	assert_non_null(strstr(f->summary, "dio"));
	assert_null(find_kind(&fs, "heavy_io"));
	findings_free(&fs);
	recording_free(&r);
}

/* the same writer without device series: heavy IO, naming it */
static void test_heavy_io(void **state)
{
	struct recording r;
	struct findings fs;
	const struct finding *f;
	uint64_t seed = 5;

	(void)state;
	fx_init(&r, N);
	io_proc(&r, 401, "cat", 0, 1 * MiB, &seed);
	io_proc(&r, 400, "dio", 100 * MiB, 0, &seed);
	assert_int_equal(findings_analyze(&r, NULL, &fs), 0);
	f = find_kind(&fs, "heavy_io");
	assert_non_null(f);
	assert_int_equal(f->resource, RES_IO);
	assert_int_equal(f->nculprits, 1);
	assert_int_equal(f->culprits[0].pid, 400);
	assert_string_equal(f->ev.metric, "io.write_bytes");
	findings_free(&fs);
	recording_free(&r);
}

/* listen overflows: the exact sysctl change from the host's value */
static void test_listen_overflow(void **state)
{
	struct findings_env env = {.somaxconn = 4096, .tcp_max_syn_backlog = 512};
	struct recording r;
	struct findings fs;
	const struct finding *f;
	double v[N] = {0, 0, 5, 40, 12, 0, 0, 0, 0, 0};

	(void)state;
	fx_init(&r, N);
	fx_series(&r, 'n', "4026531840", "net.listen_overflows", v, N);
	assert_int_equal(findings_analyze(&r, &env, &fs), 0);
	f = find_kind(&fs, "listen_overflow");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_WARNING);
	assert_int_equal(f->resource, RES_NETWORK);
	assert_string_equal(f->recs[0].action, "sysctl");
	assert_string_equal(f->recs[0].key, "net.core.somaxconn");
	assert_string_equal(f->recs[0].from, "4096");
	assert_string_equal(f->recs[0].to, "8192");
	findings_free(&fs);
	/* the host's value unknown: no "from" */
	assert_int_equal(findings_analyze(&r, NULL, &fs), 0);
	f = find_kind(&fs, "listen_overflow");
	assert_non_null(f);
	assert_string_equal(f->recs[0].from, "");
	findings_free(&fs);
	recording_free(&r);
}

/* CPU of a process going from 0.2 to 0.8 CPUs at sample 15 of 30 */
static void test_level_shift(void **state)
{
	struct recording r;
	struct findings fs;
	const struct finding *f;
	double v[30];
	uint64_t seed = 6;
	size_t i;

	(void)state;
	fx_init(&r, 30);
	for (i = 0; i < 30; i++)
		v[i] = (i < 15 ? 0.2 : 0.8) * SEC * (1 + 0.05 * (2 * unit_rand01(&seed) - 1));
	fx_proc(&r, 31, "worker", "/", "cpu.oncpu_ns", v, 30);
	assert_int_equal(findings_analyze(&r, NULL, &fs), 0);
	f = find_kind(&fs, "level_shift");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_INFO);
	assert_int_equal(f->culprits[0].pid, 31);
	assert_non_null(strstr(f->summary, "0.20 to 0.80 CPUs"));
	/* sample 15 ends at T0 + 16, so the new level began at T0 + 15 */
	assert_non_null(strstr(f->summary, "12:00:15"));
	findings_free(&fs);
	recording_free(&r);
}

/* a quiet host: small noisy CPU use, little waiting, flat memory, a bit of
 * IO and pressure. No warning or critical, over many random recordings. */
static void quiet(struct recording *r, uint64_t *seed)
{
	double v[N];
	unsigned int p;

	fx_init(r, N);
	for (p = 1; p <= 30; p++) {
		char comm[16];
		double cpu = 0.02 * unit_rand01(seed);

		snprintf(comm, sizeof(comm), "d%u", p);
		fx_fill(v, N, cpu * SEC, 0.9, seed);
		fx_proc(r, p, comm, "/system.slice", "cpu.oncpu_ns", v, N);
		fx_fill(v, N, cpu * 0.1 * SEC, 0.9, seed);
		fx_proc(r, p, comm, "/system.slice", "sched.runq_wait_ns", v, N);
		fx_fill(v, N, (10 + 50 * unit_rand01(seed)) * MiB, 0.002, seed);
		fx_proc(r, p, comm, "/system.slice", "mem.rss_bytes", v, N);
		fx_fill(v, N, 64 * 1024 * unit_rand01(seed), 0.9, seed);
		fx_proc(r, p, comm, "/system.slice", "io.write_bytes", v, N);
		fx_fill(v, N, 1000 * unit_rand01(seed), 0.9, seed);
		fx_proc(r, p, comm, "/system.slice", "io.lat_p99_us", v, N);
		fx_fill(v, N, 1000 * unit_rand01(seed), 0.9, seed);
		fx_proc(r, p, comm, "/system.slice", "sched.runq_p99_us", v, N);
	}
	fx_fill(v, N, 0.1 * SEC, 0.5, seed);
	fx_series(r, 'h', "host", "host.cpu_busy_ns", v, N);
	fx_fill(v, N, 5000, 0.9, seed);
	fx_series(r, 'h', "host", "psi.cpu.some_us", v, N);
	fx_fill(v, N, 1000, 0.9, seed);
	fx_series(r, 'h', "host", "psi.io.some_us", v, N);
	fx_fill(v, N, 0.02 * SEC, 0.9, seed);
	fx_series(r, 'd', "sda", "dev.busy_ns", v, N);
	fx_fill(v, N, 7.5 * 1024 * MiB, 0.001, seed);
	fx_series(r, 'h', "host", "host.mem_available_bytes", v, N);
}

static void test_quiet_host(void **state)
{
	uint64_t seed = 7;
	int k;

	(void)state;
	for (k = 0; k < 50; k++) {
		struct recording r;
		struct findings fs;
		size_t i;

		quiet(&r, &seed);
		assert_int_equal(findings_analyze(&r, NULL, &fs), 0);
		for (i = 0; i < fs.n; i++)
			if (fs.f[i].severity >= SEV_WARNING)
				fail_msg("quiet recording %d: %s %s: %s", k,
					 severity_name(fs.f[i].severity), fs.f[i].kind,
					 fs.f[i].summary);
		findings_free(&fs);
		recording_free(&r);
	}
}

/* an empty recording: no findings, no crash */
static void test_empty(void **state)
{
	struct recording r;
	struct findings fs;

	(void)state;
	fx_init(&r, 0);
	assert_int_equal(findings_analyze(&r, NULL, &fs), 0);
	assert_int_equal(fs.n, 0);
	findings_free(&fs);
	recording_free(&r);
}

/* most severe first */
static void test_sorted_by_severity(void **state)
{
	struct recording r;
	struct findings fs;
	double v[N];
	uint64_t seed = 8;
	size_t i;

	(void)state;
	fx_init(&r, N);
	cpu_proc(&r, 10, "db", "/", 0.30, 0.60, &seed);         /* critical */
	cpu_proc(&r, 11, "batch", "/", 0.70, 0.05, &seed);
	io_proc(&r, 12, "dio", 100 * MiB, 0, &seed);              /* info */
	fx_fill(v, N, 3, 0.1, &seed);
	fx_series(&r, 'n', "1", "net.listen_overflows", v, N);    /* warning */
	assert_int_equal(findings_analyze(&r, NULL, &fs), 0);
	assert_true(fs.n >= 3);
	for (i = 1; i < fs.n; i++)
		assert_true(fs.f[i - 1].severity >= fs.f[i].severity);
	assert_int_equal(fs.f[0].severity, SEV_CRITICAL);
	findings_free(&fs);
	recording_free(&r);
}

/* host PSI: a warning for a whole-host recording, only info (and said so)
 * for a recording of some processes */
static void test_pressure(void **state)
{
	struct recording r;
	struct findings fs;
	const struct finding *f;
	uint64_t seed = 9;
	double v[N];

	(void)state;
	fx_init(&r, N);
	fx_fill(v, N, 300000, 0.1, &seed); /* 30 % of each second */
	fx_series(&r, 'h', "host", "psi.cpu.some_us", v, N);
	cpu_proc(&r, 5, "hog", "/", 0.9, 0.01, &seed);
	assert_int_equal(findings_analyze(&r, NULL, &fs), 0);
	f = find_kind(&fs, "cpu_pressure");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_WARNING);
	assert_int_equal(f->culprits[0].pid, 5);
	assert_null(strstr(f->summary, "only part"));
	findings_free(&fs);
	snprintf(r.target, sizeof(r.target), "-p 5");
	assert_int_equal(findings_analyze(&r, NULL, &fs), 0);
	f = find_kind(&fs, "cpu_pressure");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_INFO);
	assert_non_null(strstr(f->summary, "only part of the host"));
	findings_free(&fs);
	recording_free(&r);
}

/* an OOM kill is critical; reclaim stalls of 6 % a warning */
static void test_oom_and_stalls(void **state)
{
	struct recording r;
	struct findings fs;
	const struct finding *f;
	double k[N] = {0, 0, 0, 1, 0, 0, 0, 0, 0, 0}, v[N];
	uint64_t seed = 10;

	(void)state;
	fx_init(&r, N);
	fx_proc(&r, 66, "victim", "/", "mem.oom_kills", k, N);
	fx_fill(v, N, 0.06e9, 0.1, &seed);
	fx_proc(&r, 67, "stalled", "/", "mem.reclaim_stall_ns", v, N);
	fx_fill(v, N, 2000 * MiB, 0.001, &seed);
	fx_proc(&r, 68, "big", "/", "mem.rss_bytes", v, N);
	assert_int_equal(findings_analyze(&r, NULL, &fs), 0);
	f = find_kind(&fs, "oom_kill");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_CRITICAL);
	assert_int_equal(f->victims[0].pid, 66);
	assert_int_equal(f->culprits[0].pid, 68);
	f = find_kind(&fs, "reclaim_stalls");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_WARNING);
	assert_int_equal(f->victims[0].pid, 67);
	assert_dbl_near(f->victims[0].share, 0.06, 0.01);
	assert_int_equal(fs.f[0].severity, SEV_CRITICAL);
	findings_free(&fs);
	recording_free(&r);
}

/* 20 retransmitted segments a second: a warning naming who retransmits */
static void test_retransmits(void **state)
{
	struct recording r;
	struct findings fs;
	const struct finding *f;
	double v[N];
	uint64_t seed = 11;

	(void)state;
	fx_init(&r, N);
	fx_fill(v, N, 20, 0.2, &seed);
	fx_series(&r, 'n', "4026531840", "net.retrans_segs", v, N);
	fx_proc(&r, 80, "client", "/", "net.retrans", v, N);
	fx_fill(v, N, 0.5, 0.2, &seed);
	fx_proc(&r, 81, "other", "/", "net.retrans", v, N);
	assert_int_equal(findings_analyze(&r, NULL, &fs), 0);
	f = find_kind(&fs, "network_retransmits");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_WARNING);
	assert_int_equal(f->victims[0].pid, 80);
	assert_int_equal(f->nvictims, 2);
	findings_free(&fs);
	recording_free(&r);
}

/* one 50 ms latency spike in a disk running at 0.5 ms */
static void test_anomaly(void **state)
{
	struct recording r;
	struct findings fs;
	const struct finding *f;
	double v[30];
	uint64_t seed = 12;

	(void)state;
	fx_init(&r, 30);
	fx_fill(v, 30, 500, 0.1, &seed);
	v[20] = 50000;
	fx_series(&r, 'd', "sda", "dev.lat_p99_us", v, 30);
	assert_int_equal(findings_analyze(&r, NULL, &fs), 0);
	f = find_kind(&fs, "anomaly");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_INFO);
	assert_int_equal(f->resource, RES_IO);
	assert_non_null(strstr(f->summary, "50.0 ms"));
	assert_non_null(strstr(f->summary, "12:00:21"));
	findings_free(&fs);
	recording_free(&r);
}

/*
 * Run-queue p99 of idle processes and kernel threads moving between 0 and
 * 4 ms on a busy host is noise, not news (no finding, and no absurd
 * score); one process with three spikes of 30 ms or more is one finding
 * that counts them, with a bounded score.
 */
static void test_anomaly_noise_and_groups(void **state)
{
	struct recording r;
	struct findings fs;
	const struct finding *f;
	double v[60];
	size_t i, n = 0;
	unsigned int pid;
	uint64_t seed = 5;

	(void)state;
	fx_init(&r, 60);
	for (pid = 10; pid < 16; pid++) {
		for (i = 0; i < 60; i++)
			v[i] = 0;
		v[20 + pid] = 1300;   /* the 1.3 ms jump from 0 */
		v[40 + pid % 3] = 4000; /* and a 4 ms one */
		fx_proc(&r, pid, pid < 13 ? "kworker/0:1" : "idle-daemon", "/",
			"sched.runq_p99_us", v, 60);
	}
	assert_int_equal(findings_analyze(&r, NULL, &fs), 0);
	assert_null(find_kind(&fs, "anomaly"));
	findings_free(&fs);
	fx_fill(v, 60, 300, 0.1, &seed);
	v[25] = 30000;
	v[40] = 45000;
	v[50] = 32000;
	fx_proc(&r, 50, "db", "/", "sched.runq_p99_us", v, 60);
	assert_int_equal(findings_analyze(&r, NULL, &fs), 0);
	for (i = 0; i < fs.n; i++) {
		if (strcmp(fs.f[i].kind, "anomaly"))
			continue;
		f = &fs.f[i];
		n++;
		assert_non_null(strstr(f->summary, "db (pid 50) jumped to 45.0 ms at 12:00:41"));
		assert_non_null(strstr(f->summary, "3 spikes in all"));
		assert_int_equal(f->victims[0].pid, 50);
	}
	assert_int_equal(n, 1);
	findings_free(&fs);
	recording_free(&r);
}

/* the host's available memory falling 50 MiB/s while one process grows:
 * a forecast to zero, the grower as culprit */
static void test_memory_decline(void **state)
{
	struct recording r;
	struct findings fs;
	const struct finding *f;
	double avail[20], rss[20], eta;
	size_t i;

	(void)state;
	fx_init(&r, 20);
	for (i = 0; i < 20; i++) {
		avail[i] = 10240 * MiB - 50 * MiB * (double)i + (i % 2 ? 1 : -1) * MiB;
		rss[i] = 100 * MiB + 50 * MiB * (double)i;
	}
	fx_series(&r, 'h', "host", "host.mem_available_bytes", avail, 20);
	fx_proc(&r, 90, "hog", "/", "mem.rss_bytes", rss, 20);
	assert_int_equal(findings_analyze(&r, NULL, &fs), 0);
	f = find_kind(&fs, "memory_decline");
	assert_non_null(f);
	assert_true(f->has_forecast);
	eta = (10240 - 50 * 19) / 50.0;
	assert_dbl_near(f->fc.eta, eta, 0.05 * eta);
	assert_dbl_near(f->fc.rate, -50 * MiB, 2 * MiB);
	assert_int_equal(f->severity, SEV_CRITICAL);
	assert_int_equal(f->culprits[0].pid, 90);
	assert_dbl_near(f->culprits[0].value, 950 * MiB, 1);
	findings_free(&fs);
	/* a partial recording: informational */
	snprintf(r.target, sizeof(r.target), "-p 90");
	assert_int_equal(findings_analyze(&r, NULL, &fs), 0);
	f = find_kind(&fs, "memory_decline");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_INFO);
	findings_free(&fs);
	/* page cache breathing: down and up again is no decline */
	for (i = 0; i < 20; i++)
		avail[i] = 10240 * MiB - 200 * MiB * (double)(i < 10 ? i : 20 - i);
	recording_free(&r);
	fx_init(&r, 20);
	fx_series(&r, 'h', "host", "host.mem_available_bytes", avail, 20);
	assert_int_equal(findings_analyze(&r, NULL, &fs), 0);
	assert_null(find_kind(&fs, "memory_decline"));
	findings_free(&fs);
	recording_free(&r);
}

/* runnable tasks rising from 1 to about 3.5 on 4 CPUs in 20 s: a forecast
 * to one task per CPU */
static void test_runqueue_growth(void **state)
{
	struct recording r;
	struct findings fs;
	const struct finding *f;
	double v[20];
	size_t i;

	(void)state;
	fx_init(&r, 20);
	r.ncpus = 4;
	for (i = 0; i < 20; i++)
		v[i] = floor(1 + 0.13 * (double)i + (i % 2) * 0.5);
	fx_series(&r, 'h', "host", "host.runnable", v, 20);
	assert_int_equal(findings_analyze(&r, NULL, &fs), 0);
	f = find_kind(&fs, "runqueue_growth");
	assert_non_null(f);
	assert_int_equal(f->resource, RES_CPU);
	assert_dbl_eq(f->fc_limit, 4);
	assert_true(f->has_forecast);
	/* about 0.13 tasks/s, the line at about 3.5 at the end: some 4 s */
	assert_dbl_in(f->fc.eta, 1, 15);
	assert_int_equal(f->severity, SEV_WARNING);
	findings_free(&fs);
	/* flat with noise: nothing */
	for (i = 0; i < 20; i++)
		v[i] = 2 + (double)(i % 3);
	recording_free(&r);
	fx_init(&r, 20);
	fx_series(&r, 'h', "host", "host.runnable", v, 20);
	assert_int_equal(findings_analyze(&r, NULL, &fs), 0);
	assert_null(find_kind(&fs, "runqueue_growth"));
	findings_free(&fs);
	recording_free(&r);
}

/* Score for test_top_procs: the sum, its share of 100, none left out but 0. */
static bool sum_score(const struct recording *r, const struct series *s, const void *ctx,
		      double *value, double *share)
{
	(void)r;
	assert_int_equal(*(const int *)ctx, 42);
	*value = fnd_sum(s, 0, INFINITY);
	*share = *value / 100;
	return *value > 0;
}

/* fnd_top_procs: only processes' series of the metric, scored ones, the
 * largest first (ties by pid), at most top, as victims or culprits. */
/* A group of short-lived processes (record's 'g' entities): rate, CPU and
 * the parent as culprit. */
static struct series *churn_group(struct recording *r, const char *comm, unsigned int ppid,
				  double per_s, double cpus, uint64_t *seed)
{
	char ent[64];
	double v[N];
	struct series *s;

	snprintf(ent, sizeof(ent), "%s|spawner|/ci", comm);
	fx_fill(v, N, per_s, 0.1, seed);
	s = fx_series(r, 'g', ent, "group.started", v, N);
	assert_non_null(s);
	s->pid = ppid;
	assert_int_equal(rec_set_names(r, s, comm, "/ci", "spawner"), 0);
	fx_fill(v, N, cpus * SEC, 0.05, seed);
	assert_non_null(fx_series(r, 'g', ent, "cpu.oncpu_ns", v, N));
	fx_fill(v, N, 2000, 0.05, seed);
	assert_non_null(fx_series(r, 'g', ent, "group.life_p50_us", v, N));
	return s;
}

static void test_process_churn(void **state)
{
	uint64_t seed = 17;
	struct recording r;
	struct findings fs;
	const struct finding *f;

	(void)state;
	fx_init(&r, N);
	cpu_proc(&r, 300, "spawner", "/ci", 0.3, 0.01, &seed);
	churn_group(&r, "true", 300, 300, 0.9, &seed);    /* 45 % of 2 CPUs */
	churn_group(&r, "date", 300, 2, 0.5, &seed);      /* costly, but 2 a second */
	churn_group(&r, "echo", 300, 100, 0.05, &seed);   /* many, but cheap */
	assert_int_equal(findings_analyze(&r, NULL, &fs), 0);
	f = find_kind(&fs, "process_churn");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_WARNING);
	assert_int_equal(f->nculprits, 1);
	assert_int_equal(f->culprits[0].pid, 300);
	assert_string_equal(f->culprits[0].comm, "spawner");
	assert_dbl_near(f->culprits[0].value, 300.0 * N, 0.1 * 300 * N);
	assert_dbl_near(f->culprits[0].share, 0.9, 0.05);
	assert_non_null(strstr(f->summary, "short-lived processes of true"));
	assert_non_null(strstr(f->summary, "started by spawner (pid 300)"));
	assert_non_null(strstr(f->summary, "2.0 ms"));
	assert_string_equal(f->ev.metric, "group.started");
	assert_int_equal(f->ev.kind, 'g');
	assert_true(f->nrecs >= 1);
	/* only that one: the others are too rare or too cheap */
	assert_int_equal(count_kind(&fs, "process_churn"), 1);
	findings_free(&fs);
	recording_free(&r);
}

static void test_top_procs(void **state)
{
	static const unsigned int pids[] = { 30, 10, 20, 40, 50, 60, 70 };
	static const double sums[] = { 6, 9, 6, 0, 3, 2, 1 };
	static const unsigned int want[] = { 10, 20, 30, 50, 60 };
	const int ctx = 42;
	struct findings fs = { 0 };
	struct recording r;
	struct finding *f;
	double v[2], big[2] = { 500, 500 };
	size_t i;

	(void)state;
	fx_init(&r, 2);
	for (i = 0; i < sizeof(pids) / sizeof(pids[0]); i++) {
		v[0] = v[1] = sums[i] / 2;
		fx_proc(&r, pids[i], "w", "/", "m.count", v, 2);
	}
	fx_series(&r, 'c', "/big", "m.count", big, 2);        /* not a process */
	fx_proc(&r, 80, "w", "/", "other.count", big, 2);   /* another metric */
	f = fnd_add(&fs, "test", SEV_INFO, RES_CPU);
	assert_non_null(f);
	fnd_top_procs(&r, f, FND_VICTIM, "m.count", "count", 5, sum_score, &ctx);
	assert_int_equal(f->nculprits, 0);
	assert_int_equal(f->nvictims, 5);
	for (i = 0; i < 5; i++) {
		assert_int_equal(f->victims[i].pid, want[i]);
		assert_string_equal(f->victims[i].metric, "m.count");
		assert_string_equal(f->victims[i].unit, "count");
		assert_dbl_eq(f->victims[i].share, f->victims[i].value / 100);
	}
	assert_dbl_eq(f->victims[0].value, 9);
	assert_dbl_eq(f->victims[4].value, 2);
	fnd_top_procs(&r, f, FND_CULPRIT, "m.count", "count", 2, sum_score, &ctx);
	assert_int_equal(f->nvictims, 5);
	assert_int_equal(f->nculprits, 2);
	assert_int_equal(f->culprits[0].pid, 10);
	assert_int_equal(f->culprits[1].pid, 20);
	findings_free(&fs);
	recording_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpu_contention),
		cmocka_unit_test(test_cpu_victim_other_cgroup),
		cmocka_unit_test(test_memory_growth),
		cmocka_unit_test(test_memory_growth_cgroup_limit),
		cmocka_unit_test(test_memory_plateau_is_not_growth),
		cmocka_unit_test(test_io_saturation),
		cmocka_unit_test(test_heavy_io),
		cmocka_unit_test(test_listen_overflow),
		cmocka_unit_test(test_level_shift),
		cmocka_unit_test(test_quiet_host),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_sorted_by_severity),
		cmocka_unit_test(test_pressure),
		cmocka_unit_test(test_oom_and_stalls),
		cmocka_unit_test(test_retransmits),
		cmocka_unit_test(test_anomaly),
		cmocka_unit_test(test_anomaly_noise_and_groups),
		cmocka_unit_test(test_self_left_out),
		cmocka_unit_test(test_memory_decline),
		cmocka_unit_test(test_runqueue_growth),
		cmocka_unit_test(test_top_procs),
		cmocka_unit_test(test_process_churn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
