// SPDX-License-Identifier: GPL-2.0
/*
 * tools/bench/mkstore: write a synthetic store through the store's writer
 * (store_open, store_put, ...), as perfpilot record would, to measure what
 * report and diff cost on long recordings and under churn
 * (tools/bench/scale). Deterministic: the same options give the same store.
 *
 *   mkstore steady FILE [--procs N] [--busy N] [--intervals N] [--step S]
 *                       [--rollup AGE1,AGE2|default]
 *   mkstore churn FILE [--intervals N] [--rate N] [--life N] [--base N]
 *                      [--rollup AGE1,AGE2|default]
 *
 * steady: a host whose processes all live throughout; the first --busy
 *   write on-CPU time, run-queue wait and p99, both switch counts every
 *   interval, faults every third and an RSS that grows every minute; the
 *   others wake every 10 intervals (on-CPU time and a switch). Plus the
 *   host, 8 cgroups and a disk. Defaults: 200 processes, 20 busy, 86400
 *   intervals of 1 s (a day).
 * churn: --base steady busy processes, and --rate new processes every
 *   interval that live 1 to --life intervals each (on-CPU time, switches,
 *   faults, RSS), with wrapping PIDs. Defaults: 2400 intervals (40 minutes
 *   at 1 s), 50 a second living up to 4 intervals, 20 base processes.
 *
 * --rollup: roll the store up as it is written (store_rollup, as record
 * does), with the default ages or these (seconds): every 600 intervals,
 * everything due, so that a week takes the writing of a week and the
 * rollups of it but never holds more than its recent hours as recorded.
 *
 * The store ends now (its last interval at the current time).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "store/rollup.h"
#include "store/store.h"

struct opts {
	const char *mode, *path;
	long procs, busy, intervals, rate, life, base;
	double step;
	struct rollup_policy rollup; /* ntiers 0: none */
};

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double jitter(double v)
{
	return v * (0.5 + (double)(rnd() % 1000) / 1000.0);
}

static void die(struct store *st, const char *what)
{
	fprintf(stderr, "mkstore: %s: %s\n", what, st ? store_error(st) : "");
	exit(1);
}

static void put(struct store *st, const struct store_entity *e, const char *m, double v)
{
	if (store_put(st, e, m, v))
		die(st, "store_put");
}

static double mono(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Time spent in store_rollup, and what it merged. */
static double rollup_s;
static struct rollup_stats rollup_sum;

/* After interval i (ending at ts): every 600 intervals, what is due. */
static void roll_up(struct store *st, const struct opts *o, long i, double ts)
{
	struct rollup_stats rs;
	double t;

	if (!o->rollup.ntiers || (i + 1) % 600)
		return;
	t = mono();
	if (store_rollup(st, &o->rollup, ts, 1e6, &rs))
		die(st, "store_rollup");
	rollup_s += mono() - t;
	rollup_sum.steps += rs.steps;
	rollup_sum.intervals += rs.intervals;
	rollup_sum.samples_in += rs.samples_in;
	rollup_sum.samples_out += rs.samples_out;
	rollup_sum.stats_out += rs.stats_out;
}

static const char *cgroups[] = {
	"/system.slice/a.service", "/system.slice/b.service", "/system.slice/c.service",
	"/system.slice/d.service", "/user.slice/user-0.slice", "/user.slice/user-1000.slice",
	"/batch.slice/job.scope", "/web.slice/web.service",
};
#define NCG (sizeof(cgroups) / sizeof(cgroups[0]))

static void put_host(struct store *st, long i, double step)
{
	struct store_entity h = { .kind = 'h', .name = "host" };
	struct store_entity d = { .kind = 'd', .name = "vda" };
	size_t c;

	put(st, &h, "host.cpu_busy_ns", jitter(0.6e9 * step));
	put(st, &h, "psi.cpu.some_us", jitter(20000 * step));
	put(st, &h, "psi.memory.some_us", i % 7 ? 0 : jitter(300));
	put(st, &h, "host.mem_available_bytes", 8e9 - (double)(i / 60) * 4096);
	put(st, &h, "host.runnable", (double)(1 + i % 3));
	put(st, &d, "dev.write_bytes", jitter(2e6 * step));
	put(st, &d, "dev.read_bytes", i % 5 ? 0 : jitter(1e5));
	put(st, &d, "dev.ops", jitter(200 * step));
	put(st, &d, "dev.busy_ns", jitter(5e7 * step));
	put(st, &d, "dev.lat_p99_us", jitter(800));
	for (c = 0; c < NCG; c++) {
		struct store_entity e = { .kind = 'c', .name = cgroups[c] };

		put(st, &e, "cpu.oncpu_ns", jitter(0.07e9 * step));
		put(st, &e, "sched.nvcsw", jitter(300 * step));
		put(st, &e, "cg.memory_bytes", 5e8 + (double)(c * 1000 + (size_t)(i / 60) * 4096));
		put(st, &e, "psi.cpu.some_us", jitter(2000 * step));
	}
}

/* A busy process's interval; rss grows a page a minute. */
static void put_busy(struct store *st, const struct store_entity *e, long i, double step)
{
	put(st, e, "cpu.oncpu_ns", jitter(0.02e9 * step));
	put(st, e, "sched.runq_wait_ns", jitter(1e6 * step));
	put(st, e, "sched.runq_p99_us", jitter(400));
	put(st, e, "sched.nvcsw", jitter(50 * step));
	put(st, e, "sched.nivcsw", jitter(5 * step));
	put(st, e, "mem.minflt", i % 3 ? 0 : jitter(100));
	put(st, e, "mem.rss_bytes", 5e7 + (double)(i / 60) * 4096);
}

static void meta(struct store *st, const struct opts *o, double start)
{
	struct store_meta m = {
		.hostname = "synthetic", .kernel = "6.1.0", .target = "-a", .ncpus = 8,
		.mem_total_bytes = 16e9, .interval_s = o->step, .start = start,
	};

	if (store_set_meta(st, &m))
		die(st, "store_set_meta");
}

static void steady(struct store *st, const struct opts *o, double t0)
{
	char names[o->procs][24], comms[o->procs][24];
	long i, p;

	for (p = 0; p < o->procs; p++) {
		snprintf(names[p], sizeof(names[p]), "%ld", 1000 + p);
		snprintf(comms[p], sizeof(comms[p]), "%s%ld", p < o->busy ? "busy" : "idle", p);
	}
	for (i = 0; i < o->intervals; i++) {
		if (store_interval_begin(st, t0 + (double)(i + 1) * o->step, o->step))
			die(st, "store_interval_begin");
		put_host(st, i, o->step);
		for (p = 0; p < o->procs; p++) {
			struct store_entity e = {
				.kind = 'p', .name = names[p], .pid = (uint32_t)(1000 + p),
				.comm = comms[p], .cgroup = cgroups[p % NCG],
				.start_ms = (int64_t)(t0 * 1000) - 3600000 + p * 10, .ppid = 1,
				.pcomm = "systemd",
			};

			if (p < o->busy) {
				put_busy(st, &e, i, o->step);
			} else if ((i + p) % 10 == 0) {
				put(st, &e, "cpu.oncpu_ns", jitter(2e5));
				put(st, &e, "sched.nvcsw", 1);
				put(st, &e, "mem.rss_bytes", 8e6 + (double)p * 4096);
			}
		}
		if (store_interval_end(st))
			die(st, "store_interval_end");
		roll_up(st, o, i, t0 + (double)(i + 1) * o->step);
	}
}

struct live {
	uint32_t pid;
	int64_t start_ms;
	long until;              /* its last interval */
	char name[24];
};

static void churn(struct store *st, const struct opts *o, double t0)
{
	long n = o->rate * o->life, i, k, base;
	struct live *ps = calloc((size_t)n, sizeof(*ps));
	uint32_t next_pid = 5000;

	if (!ps)
		die(NULL, "out of memory");
	for (i = 0; i < o->intervals; i++) {
		double ts = t0 + (double)(i + 1) * o->step;
		long born = 0;

		if (store_interval_begin(st, ts, o->step))
			die(st, "store_interval_begin");
		put_host(st, i, o->step);
		for (base = 0; base < o->base; base++) {
			char name[24];
			struct store_entity e = {
				.kind = 'p', .name = name, .pid = (uint32_t)(1000 + base),
				.comm = "server", .cgroup = cgroups[base % NCG],
				.start_ms = (int64_t)(t0 * 1000) - 3600000, .ppid = 1,
				.pcomm = "systemd",
			};

			snprintf(name, sizeof(name), "%ld", 1000 + base);
			put_busy(st, &e, i, o->step);
		}
		for (k = 0; k < n; k++) {
			struct live *p = &ps[k];
			struct store_entity e = {
				.kind = 'p', .comm = "worker", .cgroup = "/batch.slice/job.scope",
				.ppid = 1000, .pcomm = "server",
			};

			if ((!p->pid || p->until < i) && born < o->rate) {
				p->pid = next_pid;
				next_pid = next_pid >= 32767 ? 5000 : next_pid + 1;
				p->start_ms = (int64_t)((ts - o->step) * 1000) + (int64_t)(rnd() % 900);
				p->until = i + (long)(rnd() % (uint64_t)o->life);
				snprintf(p->name, sizeof(p->name), "%u", p->pid);
				born++;
			}
			if (!p->pid || p->until < i)
				continue;
			e.name = p->name;
			e.pid = p->pid;
			e.start_ms = p->start_ms;
			e.gone = p->until == i;
			put(st, &e, "cpu.oncpu_ns", jitter(3e6));
			put(st, &e, "sched.nvcsw", jitter(10));
			put(st, &e, "mem.minflt", jitter(300));
			put(st, &e, "mem.rss_bytes", jitter(4e6));
		}
		if (store_interval_end(st))
			die(st, "store_interval_end");
		roll_up(st, o, i, ts);
	}
	free(ps);
}

/* --rollup default, or AGE1,AGE2 in seconds */
static void rollup_arg(const char *s, struct rollup_policy *p)
{
	char err[200];
	double a1, a2;

	if (!strcmp(s, "default")) {
		rollup_policy_default(p);
		return;
	}
	if (sscanf(s, "%lf,%lf", &a1, &a2) != 2 || rollup_policy_ages(p, a1, a2, err, sizeof(err))) {
		fprintf(stderr, "mkstore: bad --rollup '%s': default, or two ages in seconds\n", s);
		exit(2);
	}
}

static long num(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*end || v < 0) {
		fprintf(stderr, "mkstore: bad number '%s'\n", s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	struct opts o = { .procs = 200, .busy = 20, .intervals = 86400, .rate = 50, .life = 4,
			  .base = 20, .step = 1 };
	struct store *st;
	char err[512];
	double t0;
	int i;

	if (argc < 3 || (strcmp(argv[1], "steady") && strcmp(argv[1], "churn"))) {
		fprintf(stderr, "usage: mkstore steady|churn FILE [--procs N] [--busy N] "
			"[--intervals N] [--step S] [--rate N] [--life N] [--base N] "
			"[--rollup AGE1,AGE2|default]\n");
		return 2;
	}
	o.mode = argv[1];
	o.path = argv[2];
	if (!strcmp(o.mode, "churn"))
		o.intervals = 2400;
	for (i = 3; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--procs"))
			o.procs = num(argv[i + 1]);
		else if (!strcmp(argv[i], "--busy"))
			o.busy = num(argv[i + 1]);
		else if (!strcmp(argv[i], "--intervals"))
			o.intervals = num(argv[i + 1]);
		else if (!strcmp(argv[i], "--step"))
			o.step = (double)num(argv[i + 1]);
		else if (!strcmp(argv[i], "--rate"))
			o.rate = num(argv[i + 1]);
		else if (!strcmp(argv[i], "--life"))
			o.life = num(argv[i + 1]) ? num(argv[i + 1]) : 1;
		else if (!strcmp(argv[i], "--base"))
			o.base = num(argv[i + 1]);
		else if (!strcmp(argv[i], "--rollup"))
			rollup_arg(argv[i + 1], &o.rollup);
		else
			break;
	}
	if (i < argc || o.step <= 0 || !o.intervals) {
		fprintf(stderr, "mkstore: bad arguments\n");
		return 2;
	}
	t0 = (double)time(NULL) - (double)o.intervals * o.step;
	if (store_open(&st, o.path, err, sizeof(err))) {
		fprintf(stderr, "mkstore: %s: %s\n", o.path, err);
		return 1;
	}
	meta(st, &o, t0);
	if (!strcmp(o.mode, "steady"))
		steady(st, &o, t0);
	else
		churn(st, &o, t0);
	printf("%s: %ld intervals, %ld in the store, %.1f MB\n", o.path, o.intervals,
	       store_intervals(st), store_bytes(st) / 1e6);
	if (o.rollup.ntiers)
		printf("rollups: %.1f s, %lu steps of %lu intervals, %lu samples into %lu and "
		       "%lu stats\n", rollup_s, rollup_sum.steps, rollup_sum.intervals,
		       rollup_sum.samples_in, rollup_sum.samples_out, rollup_sum.stats_out);
	return store_close(st) ? 1 : 0;
}
