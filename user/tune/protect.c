// SPDX-License-Identifier: GPL-2.0
/*
 * The protect tuner (tune --protect PID|CGROUP): keep noisy neighbours off
 * a latency-sensitive target's CPUs.
 *
 * Measure: the p99 of the protected processes' run-queue waits (how long a
 * woken thread waits for a CPU), from the scheduler collector's histograms
 * (ctx->sched) merged over the protected processes and the last
 * PROTECT_WINDOW intervals. No p99 with fewer than PROTECT_MIN_WAITS waits.
 *
 * Culprits: the processes on a CPU at least CULPRIT_CPUS of one CPU over
 * the interval, allowed on a CPU the protected may use, in the config's
 * scope (config_process_allowed: what change_apply would let it change),
 * other than the protected, PID 1, kernel threads and perfpilot; the
 * busiest CULPRIT_MAX first. The
 * findings' culprits are found the same way (findings/cpu.c): who used the
 * CPUs while the victim waited.
 *
 * Rule: while the p99 is at least PROTECT_P99_US, the next lever, least
 * intrusive first, all its changes at once; the cycle verifies them on the
 * p99 after the verify window and keeps them or rolls them back; the next
 * lever waits until then:
 *  1. weight: nice 19 for the culprits in the protected's cgroup (of the
 *     cpu controller), and for culprit cgroups elsewhere (not the
 *     protected's, an ancestor of it or a hierarchy's root) cpu.weight or
 *     cpu.shares down to the tunable's min (25, 256);
 *  2. partition: the protected gets CPUs of its own, the highest-numbered
 *     of those it may use, as many as it used (rounded up, at least one)
 *     and never all: the culprits in its cgroup lose them from their
 *     affinity (all threads), the culprit cgroups elsewhere from their
 *     cpuset.cpus; a culprit that would be left with no CPU is left alone;
 *  3. nothing more.
 * NUMA (numa.h), on a host of two nodes or more: when the first protected
 * process's memory is mostly on another node than its CPUs, one line of
 * advice; with `numa = apply` its cpuset (cpuset.cpus, cpuset.mems) moves
 * to that node, once, verified on the share of its pages off the node of
 * its CPUs.
 * Which changes may be made (the process and cgroup allowlist, PID 1,
 * kernel threads, perfpilot itself) is change_apply's (change.h).
 *
 * A protected cgroup's processes are read again each cycle, and with them
 * its CPUs and cgroups (resolve): one that was empty when the tuner
 * started is protected once processes join it. A protected process that
 * exits (every one of them), or a protected cgroup that vanishes, stops
 * the tuner with one line.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "collect/hist.h"
#include "collect/proc_sample.h"
#include "tune/cpulist.h"
#include "tune/hostproc.h"
#include "tune/num.h"
#include "tune/numa.h"
#include "tune/tuner.h"

#define PROTECT_MAX 64         /* processes of the protected target */
#define CULPRIT_MAX 16
#define PROTECT_WINDOW 5       /* intervals merged for the p99 */
#define PROTECT_MIN_WAITS 20
#define PROTECT_P99_US 1000.0  /* 1 ms */
#define CULPRIT_CPUS 0.02       /* a busy host shares its CPUs among many */

enum step { STEP_WEIGHT, STEP_PARTITION, STEP_DONE };

struct culprit {
	int pid;
	uint64_t start;
	char comm[32];
	double cpus;
	char cg_cpu[PATH_MAX];  /* its cgroup of the cpu controller */
	bool same_cg;           /* the protected's */
	char affinity[HOSTFS_VALUE_MAX];
};

struct protect_state {
	char cgroup[PATH_MAX];          /* a protected cgroup's directory, or "" */
	char name[PATH_MAX + 32];       /* for messages: "pid 123 (app)" or the cgroup */
	int pids[PROTECT_MAX];          /* the protected processes now */
	uint64_t starts[PROTECT_MAX];
	size_t npids;
	char cg_cpu[PATH_MAX];          /* the protected's cgroup of the cpu controller */
	char cg_cpuset[PATH_MAX];
	struct cpulist cpus;            /* the CPUs it may use */
	uint32_t hist[PROTECT_WINDOW][PP_HIST_SLOTS];
	double hdt[PROTECT_WINDOW];     /* each interval's length */
	size_t nhist, hpos;
	double own_cpus;                /* its CPU use, the latest interval */
	struct culprit c[CULPRIT_MAX];
	size_t nc;
	double p99;                     /* us over the window, NAN: too few waits */
	uint64_t waits;
	double started;                 /* the run's first observation */
	enum step step;
	struct numa_topo *topo;         /* NULL: one node or none */
	struct numa_advice numa;        /* for the first protected process, each interval */
	double remote;                  /* its pages off the node of its CPUs, NAN: unknown */
	bool numa_said, numa_done;
};

/* Text into a proposal's field, cut to fit. */
static void say(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

static bool is_pid(const char *s)
{
	int64_t v;

	return isdigit((unsigned char)s[0]) && !num_parse_i64(s, &v) && v > 0 && v <= INT32_MAX;
}

static bool protected_pid(const struct protect_state *s, int pid)
{
	size_t i;

	for (i = 0; i < s->npids; i++)
		if (s->pids[i] == pid)
			return true;
	return false;
}

/*
 * What the protected's levers are measured against, from its first process
 * now: the CPUs it may use and its cgroups of the cpu and cpuset
 * controllers. Each cycle: a protected cgroup that was empty at the start,
 * or whose first process left, gets them from the processes there now.
 * Kept as they were when that process cannot be read (it just exited).
 */
static void resolve(struct protect_state *s, const struct tune_ctx *c)
{
	struct hostfs_value v;
	struct cpulist cl;
	char e[256], cg[PATH_MAX];

	if (!s->npids)
		return;
	if (!hostproc_read(c->h, s->pids[0], "affinity", &v, e, sizeof(e)) &&
	    !cpulist_parse(v.str, &cl) && cpulist_count(&cl))
		s->cpus = cl;
	if (!hostproc_cgroup(c->h, s->pids[0], "cpu", cg, sizeof(cg), e, sizeof(e)))
		snprintf(s->cg_cpu, sizeof(s->cg_cpu), "%s", cg);
	if (!hostproc_cgroup(c->h, s->pids[0], "cpuset", cg, sizeof(cg), e, sizeof(e)))
		snprintf(s->cg_cpuset, sizeof(s->cg_cpuset), "%s", cg);
}

/* The protected processes now (the PIDs still alive, or the cgroup's, read
 * again each cycle: processes that join it later are protected too), and
 * what they run on (resolve). */
static int refresh(struct protect_state *s, const struct tune_ctx *c, char *err, size_t errlen)
{
	char text[65536], e[256], *line, *save = NULL;
	struct hostproc p;
	size_t i, n = 0;
	int64_t v;

	if (!s->cgroup[0]) {
		for (i = 0; i < s->npids; i++)
			if (hostproc_same(c->h, s->pids[i], s->starts[i], e, sizeof(e)) == 0) {
				s->pids[n] = s->pids[i];
				s->starts[n++] = s->starts[i];
			}
		s->npids = n;
		if (!n)
			return snprintf(err, errlen, "the protected %s exited", s->name), -1;
		resolve(s, c);
		return 0;
	}
	if (hostfs_cgroup_read_text(c->h, s->cgroup, "cgroup.procs", text, sizeof(text), e,
				    sizeof(e)))
		return snprintf(err, errlen, "the protected cgroup is gone: %s", e), -1;
	for (line = strtok_r(text, "\n", &save); line && n < PROTECT_MAX;
	     line = strtok_r(NULL, "\n", &save))
		if (!num_parse_i64(line, &v) && v > 0 && v <= INT32_MAX &&
		    !hostproc_get(c->h, (int)v, &p, e, sizeof(e))) {
			s->pids[n] = (int)v;
			s->starts[n++] = p.start;
		}
	s->npids = n;
	resolve(s, c);
	return 0;
}

static int start(struct protect_state *s, const struct tune_ctx *c, char *err, size_t errlen)
{
	struct hostproc p;
	char e[256];
	size_t i;

	s->p99 = NAN;
	for (i = 0; i < c->nprotect; i++) {
		const char *a = c->protect[i];

		if (!is_pid(a)) {
			if (s->cgroup[0])
				return snprintf(err, errlen, "one protected cgroup at a time"), -1;
			snprintf(s->cgroup, sizeof(s->cgroup), "%s", a);
			continue;
		}
		if (s->npids == PROTECT_MAX)
			return snprintf(err, errlen, "too many protected processes"), -1;
		if (hostproc_get(c->h, atoi(a), &p, e, sizeof(e)))
			return snprintf(err, errlen, "%s", e), -1;
		s->pids[s->npids] = p.pid;
		s->starts[s->npids++] = p.start;
	}
	if (s->cgroup[0] && s->npids)
		return snprintf(err, errlen, "protect either processes or one cgroup"), -1;
	if (s->cgroup[0])
		snprintf(s->name, sizeof(s->name), "cgroup %s", s->cgroup);
	else if (!hostproc_get(c->h, s->pids[0], &p, e, sizeof(e)))
		snprintf(s->name, sizeof(s->name), "pid %d (%s)%s", p.pid, p.comm,
			 s->npids > 1 ? " and others" : "");
	cpulist_clear(&s->cpus);
	if (refresh(s, c, err, errlen))
		return -1;
	/* an empty protected cgroup: all CPUs until a process joins it */
	if (!cpulist_count(&s->cpus))
		for (i = 0; i < (size_t)c->ncpus; i++)
			cpulist_set(&s->cpus, (int)i);
	return 0;
}

static int protect_init(struct tuner *t, const struct tune_ctx *c, char *err, size_t errlen)
{
	struct protect_state *s;

	t->state = NULL;
	if (!c->nprotect)
		return 1; /* nothing to protect */
	if (!c->sched || !c->sched->tick)
		return snprintf(err, errlen, "it needs the scheduler collector"), -1;
	s = calloc(1, sizeof(*s));
	if (!s)
		return snprintf(err, errlen, "out of memory"), -1;
	if (start(s, c, err, errlen)) {
		free(s);
		return -1;
	}
	s->topo = calloc(1, sizeof(*s->topo));
	if (s->topo && (numa_read(c->h, s->topo, err, errlen) || s->topo->nn < 2)) {
		free(s->topo); /* one node (or no topology): nothing to advise */
		s->topo = NULL;
	}
	t->state = s;
	return 0;
}

static bool above_or_root(const struct tune_ctx *c, const char *a, const char *b);

/* Where the first protected process's memory is against its CPUs now (numa.h). */
static void numa_check(struct protect_state *s, const struct tune_ctx *c)
{
	int64_t pages[NUMA_MAX_NODES], total = 0;
	struct hostfs_value v;
	struct cpulist cpus;
	char e[256];
	int i;

	memset(&s->numa, 0, sizeof(s->numa));
	s->remote = NAN;
	if (!s->topo || !s->npids || numa_proc_pages(c->h, s->pids[0], pages, e, sizeof(e)) ||
	    hostproc_read(c->h, s->pids[0], "affinity", &v, e, sizeof(e)) ||
	    cpulist_parse(v.str, &cpus))
		return;
	numa_advise(s->topo, pages, &cpus, sysconf(_SC_PAGESIZE) / 1024, &s->numa);
	for (i = 0; i < NUMA_MAX_NODES; i++)
		total += pages[i];
	if (total > 0 && s->numa.cpu_node >= 0)
		s->remote = 1 - (double)pages[s->numa.cpu_node] / (double)total;
	if (s->numa.move && !s->numa_said) {
		struct numa_balancing b;
		char kern[160] = "";

		s->numa_said = true;
		if (!numa_proc_balancing(c->h, s->pids[0], &b, e, sizeof(e)))
			snprintf(kern, sizeof(kern), "; the kernel's NUMA balancing prefers %s%d, "
				 "%lld pages migrated, %lld hinting faults",
				 b.preferred_nid < 0 ? "no node" : "node ",
				 b.preferred_nid < 0 ? 0 : b.preferred_nid,
				 (long long)b.pages_migrated, (long long)b.faults);
		fprintf(stderr, "perfpilot: tune: numa: %s: %s%s%s\n", s->name, s->numa.why, kern,
			c->cfg->numa_apply ? "" : " (numa = apply lets perfpilot do it)");
	}
}

/* numa = apply: the protected's cpuset to the node of its memory. */
static size_t propose_numa(struct protect_state *s, const struct tune_ctx *c,
			   struct proposal *out, size_t max)
{
	struct hostfs_value v;
	char e[256];
	size_t n = 0, k;

	if (!c->cfg->numa_apply || s->numa_done || !s->numa.move || max < 2 ||
	    !s->cg_cpuset[0] || above_or_root(c, s->cg_cpuset, "/-"))
		return 0;
	s->numa_done = true; /* once: its verdict is the cycle's */
	for (k = 0; k < 2; k++) {
		struct proposal *p = &out[n];
		const char *file = k ? "cpuset.mems" : "cpuset.cpus";

		if (hostfs_cgroup_read(c->h, s->cg_cpuset, file, &v, e, sizeof(e)))
			continue;
		memset(p, 0, sizeof(*p));
		p->tuner = TUNER_PROTECT;
		snprintf(p->tunable, sizeof(p->tunable), "%s", file);
		snprintf(p->cgroup, sizeof(p->cgroup), "%s", s->cg_cpuset);
		snprintf(p->current, sizeof(p->current), "%s", v.str);
		snprintf(p->proposed, sizeof(p->proposed), "%s", k ? s->numa.mems : s->numa.cpus);
		p->finding = "numa_remote_memory";
		p->priority = 2;
		say(p->evidence, sizeof(p->evidence), "%s: %s", s->name, s->numa.why);
		say(p->effect, sizeof(p->effect), "the protected runs where its memory is (node %d): "
		    "local accesses instead of distance %d", s->numa.mem_node, s->numa.distance);
		snprintf(p->metric, sizeof(p->metric), "protected_remote_memory_share");
		p->metric_value = s->remote;
		p->lower_is_better = true;
		n++;
	}
	return n;
}

static int by_cpus(const void *a, const void *b)
{
	const struct culprit *x = a, *y = b;

	return x->cpus > y->cpus ? -1 : x->cpus < y->cpus ? 1 : x->pid - y->pid;
}

/* A culprit from one process's sample, or false. */
static bool culprit_of(struct protect_state *s, const struct tune_ctx *c,
		       const struct proc_sample *ps, struct culprit *out)
{
	struct hostfs_value v;
	struct cpulist cl, both;
	struct hostproc p;
	char e[256];

	memset(out, 0, sizeof(*out));
	out->pid = (int)ps->pid;
	out->cpus = c->dt > 0 ? (double)ps->oncpu_ns / 1e9 / c->dt : 0;
	if (out->cpus < CULPRIT_CPUS || out->pid <= 1 || ps->kthread ||
	    out->pid == (int)getpid() || protected_pid(s, out->pid))
		return false;
	if (hostproc_get(c->h, out->pid, &p, e, sizeof(e)) || p.kthread)
		return false;
	out->start = p.start;
	snprintf(out->comm, sizeof(out->comm), "%s", p.comm);
	if (hostproc_cgroup(c->h, out->pid, "cpu", out->cg_cpu, sizeof(out->cg_cpu), e, sizeof(e)))
		out->cg_cpu[0] = 0;
	/* only what change_apply would let it change: the rest takes no slot */
	if (!config_process_allowed(c->cfg, out->pid, p.comm, p.uid, out->cg_cpu))
		return false;
	if (hostproc_read(c->h, out->pid, "affinity", &v, e, sizeof(e)) ||
	    cpulist_parse(v.str, &cl))
		return false;
	cpulist_and(&both, &cl, &s->cpus);
	if (!cpulist_count(&both))
		return false; /* not on the protected's CPUs */
	snprintf(out->affinity, sizeof(out->affinity), "%s", v.str);
	out->same_cg = !strcmp(out->cg_cpu, s->cg_cpu);
	return true;
}

/* The window's length in seconds. */
static double window_s(const struct protect_state *s)
{
	double t = 0;
	size_t i;

	for (i = 0; i < s->nhist; i++)
		t += s->hdt[(s->hpos + PROTECT_WINDOW - 1 - i) % PROTECT_WINDOW];
	return t;
}

static void window_p99(struct protect_state *s)
{
	uint32_t sum[PP_HIST_SLOTS] = {0};
	size_t i, k, at;

	s->waits = 0;
	for (i = 0; i < s->nhist; i++)
		for (k = 0, at = (s->hpos + PROTECT_WINDOW - 1 - i) % PROTECT_WINDOW;
		     k < PP_HIST_SLOTS; k++) {
			sum[k] += s->hist[at][k];
			s->waits += s->hist[at][k];
		}
	s->p99 = s->waits >= PROTECT_MIN_WAITS ? hist_quantile(sum, PP_HIST_SLOTS, 0.99, 0) : NAN;
}

static int protect_observe(struct tuner *t, const struct tune_ctx *c, char *err, size_t errlen)
{
	struct protect_state *s = t->state;
	struct proc_sample *ps = NULL;
	uint32_t *h;
	size_t n = 0, i, k;

	if (!s)
		return 0;
	if (!s->started)
		s->started = c->now;
	if (refresh(s, c, err, errlen))
		return -1;
	if (c->sched->tick(c->sched->arg, &ps, &n))
		return snprintf(err, errlen, "the scheduler collector failed"), -1;
	if (c->dt <= 0) { /* a baseline */
		free(ps);
		return 0;
	}
	h = s->hist[s->hpos];
	memset(h, 0, sizeof(s->hist[0]));
	s->hdt[s->hpos] = c->dt;
	s->hpos = (s->hpos + 1) % PROTECT_WINDOW;
	if (s->nhist < PROTECT_WINDOW)
		s->nhist++;
	s->own_cpus = 0;
	s->nc = 0;
	for (i = 0; i < n; i++) {
		struct culprit cu;

		if (protected_pid(s, (int)ps[i].pid)) {
			for (k = 0; k < PP_HIST_SLOTS; k++)
				h[k] += ps[i].runq_hist[k];
			s->own_cpus += (double)ps[i].oncpu_ns / 1e9 / c->dt;
			continue;
		}
		if (!culprit_of(s, c, &ps[i], &cu))
			continue;
		if (s->nc < CULPRIT_MAX) {
			s->c[s->nc++] = cu;
		} else if (cu.cpus > s->c[CULPRIT_MAX - 1].cpus) {
			s->c[CULPRIT_MAX - 1] = cu;
		}
		qsort(s->c, s->nc, sizeof(s->c[0]), by_cpus);
	}
	free(ps);
	window_p99(s);
	numa_check(s, c);
	return 0;
}

/* A change of this run by this tuner is still pending or being verified. */
static bool verifying(const struct protect_state *s, const struct tune_ctx *c)
{
	size_t i;

	for (i = 0; i < c->j->n; i++) {
		const struct journal_entry *e = &c->j->e[i];

		if (e->time >= s->started - 1 && !strcmp(e->tuner, "protect") &&
		    (e->state == JS_PENDING || e->state == JS_APPLIED))
			return true;
	}
	return false;
}

/*
 * Is cgroup a the protected's b or one of its ancestors, or the root of a
 * hierarchy (its parent directory is no cgroup: no cgroup.procs)?
 */
static bool above_or_root(const struct tune_ctx *c, const char *a, const char *b)
{
	char parent[PATH_MAX], *slash;
	size_t n = strlen(a);

	snprintf(parent, sizeof(parent), "%s", a);
	slash = strrchr(parent, '/');
	if (!slash || slash == parent)
		return true;
	*slash = 0;
	if (!hostfs_cgroup_has(c->h, parent, "cgroup.procs"))
		return true;
	return !*b || (!strncmp(a, b, n) && (b[n] == 0 || b[n] == '/'));
}

static void base(struct protect_state *s, const struct culprit *cu, struct proposal *p,
		 const char *tunable)
{
	memset(p, 0, sizeof(*p));
	p->tuner = TUNER_PROTECT;
	snprintf(p->tunable, sizeof(p->tunable), "%s", tunable);
	p->finding = "runqueue_latency";
	p->priority = 1;
	say(p->evidence, sizeof(p->evidence),
		 "p99 run-queue wait of %s %.2f ms over %.0f s (%llu waits) while %s (pid %d) "
		 "used %.2f CPU on its CPUs", s->name, s->p99 / 1000, window_s(s),
		 (unsigned long long)s->waits, cu->comm, cu->pid, cu->cpus);
	snprintf(p->metric, sizeof(p->metric), "protected_runq_p99_us");
	p->metric_value = s->p99;
	p->lower_is_better = true;
}

static bool seen_cgroup(const struct proposal *out, size_t n, const char *cg)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(out[i].cgroup, cg))
			return true;
	return false;
}

/* Step 1: nice 19 in the protected's cgroup, the min weight for other cgroups. */
static size_t propose_weight(struct protect_state *s, const struct tune_ctx *c,
			     struct proposal *out, size_t max)
{
	const struct tunable_conf *tc;
	struct hostfs_value v;
	char e[256];
	size_t i, n = 0;
	int64_t cur;

	for (i = 0; i < s->nc && n < max; i++) {
		struct culprit *cu = &s->c[i];
		struct proposal *p = &out[n];

		if (cu->same_cg || !cu->cg_cpu[0]) {
			if (hostproc_read(c->h, cu->pid, "nice", &v, e, sizeof(e)) ||
			    !v.ntok || !v.num[0] || v.f[0] >= 19)
				continue;
			base(s, cu, p, "nice");
			p->pid = cu->pid;
			p->start = cu->start;
			snprintf(p->current, sizeof(p->current), "%s", v.str);
			snprintf(p->proposed, sizeof(p->proposed), "19");
			say(p->effect, sizeof(p->effect),
				 "%s (pid %d) at nice 19: the scheduler gives the protected's "
				 "wake-ups the CPU first (its p99 wait should fall)", cu->comm,
				 cu->pid);
			n++;
			continue;
		}
		if (above_or_root(c, cu->cg_cpu, s->cg_cpu) || seen_cgroup(out, n, cu->cg_cpu))
			continue;
		base(s, cu, p, hostfs_cgroup_has(c->h, cu->cg_cpu, "cpu.weight") ? "cpu.weight" :
			       "cpu.shares");
		tc = config_tunable(c->cfg, p->tunable);
		if (!tc || hostfs_cgroup_read(c->h, cu->cg_cpu, p->tunable, &v, e, sizeof(e)) ||
		    !v.ntok || !v.num[0] || (cur = v.f[0]) <= tc->min)
			continue;
		snprintf(p->cgroup, sizeof(p->cgroup), "%s", cu->cg_cpu);
		snprintf(p->current, sizeof(p->current), "%s", v.str);
		snprintf(p->proposed, sizeof(p->proposed), "%lld", (long long)tc->min);
		say(p->effect, sizeof(p->effect),
			 "%s %lld -> %lld: the culprit's cgroup gets a smaller CPU share against "
			 "the protected's", p->tunable, (long long)cur, (long long)tc->min);
		n++;
	}
	return n;
}

/* The protected's own CPUs: as many as it used (at least one), never all it may use. */
static bool own_cpus(const struct protect_state *s, struct cpulist *own)
{
	int want = (int)ceil(s->own_cpus), have = cpulist_count(&s->cpus), i;

	cpulist_clear(own);
	if (want < 1)
		want = 1;
	if (want > have - 1)
		want = have - 1;
	for (i = CPULIST_MAX - 1; i >= 0 && want > 0; i--)
		if (cpulist_has(&s->cpus, i)) {
			cpulist_set(own, i);
			want--;
		}
	return cpulist_count(own) > 0;
}

/* Step 2: the culprits off the protected's own CPUs. */
static size_t propose_partition(struct protect_state *s, const struct tune_ctx *c,
				struct proposal *out, size_t max)
{
	struct cpulist own, cl, rest;
	struct hostfs_value v;
	char e[256], cg[PATH_MAX], ownstr[128], val[HOSTFS_VALUE_MAX];
	size_t i, n = 0;

	if (!own_cpus(s, &own) || cpulist_format(&own, ownstr, sizeof(ownstr)))
		return 0;
	for (i = 0; i < s->nc && n < max; i++) {
		struct culprit *cu = &s->c[i];
		struct proposal *p = &out[n];

		if (cu->same_cg || !cu->cg_cpu[0]) {
			if (cpulist_parse(cu->affinity, &cl))
				continue;
			cpulist_minus(&rest, &cl, &own);
			if (!cpulist_count(&rest) || cpulist_equal(&rest, &cl) ||
			    cpulist_format(&rest, val, sizeof(val)))
				continue;
			base(s, cu, p, "affinity");
			p->pid = cu->pid;
			p->start = cu->start;
			p->priority = 2;
			snprintf(p->current, sizeof(p->current), "%s", cu->affinity);
			snprintf(p->proposed, sizeof(p->proposed), "%s", val);
			say(p->effect, sizeof(p->effect),
				 "%s (pid %d) runs on CPUs %s (all its threads; new threads "
				 "inherit), leaving CPU %s to the protected", cu->comm, cu->pid, val,
				 ownstr);
			n++;
			continue;
		}
		if (hostproc_cgroup(c->h, cu->pid, "cpuset", cg, sizeof(cg), e, sizeof(e)) ||
		    above_or_root(c, cg, s->cg_cpuset) || seen_cgroup(out, n, cg) ||
		    hostfs_cgroup_read(c->h, cg, "cpuset.cpus", &v, e, sizeof(e)))
			continue;
		if (!v.ntok && hostfs_cgroup_read(c->h, cg, "cpuset.cpus.effective", &v, e,
						  sizeof(e)))
			continue; /* v2: "" is its parent's CPUs */
		if (cpulist_parse(v.str, &cl))
			continue;
		cpulist_minus(&rest, &cl, &own);
		if (!cpulist_count(&rest) || cpulist_equal(&rest, &cl) ||
		    cpulist_format(&rest, val, sizeof(val)))
			continue;
		base(s, cu, p, "cpuset.cpus");
		p->priority = 2;
		snprintf(p->cgroup, sizeof(p->cgroup), "%s", cg);
		if (hostfs_cgroup_read(c->h, cg, "cpuset.cpus", &v, e, sizeof(e)))
			continue;
		snprintf(p->current, sizeof(p->current), "%s", v.str);
		snprintf(p->proposed, sizeof(p->proposed), "%s", val);
		say(p->effect, sizeof(p->effect),
			 "the culprit's cpuset gets CPUs %s, leaving CPU %s to the protected", val,
			 ownstr);
		n++;
	}
	return n;
}

static size_t protect_propose(struct tuner *t, const struct tune_ctx *c, struct proposal *out,
			      size_t max)
{
	struct protect_state *s = t->state;
	size_t n = 0;

	if (!s || verifying(s, c))
		return 0;
	n = propose_numa(s, c, out, max);
	if (n || isnan(s->p99) || s->p99 < PROTECT_P99_US || !s->nc)
		return n;
	while (!n && s->step != STEP_DONE) {
		n = s->step == STEP_WEIGHT ? propose_weight(s, c, out, max) :
		    propose_partition(s, c, out, max);
		s->step++;
	}
	if (n)
		s->nhist = 0; /* the verdict's p99 from intervals after the changes only */
	return n;
}

static double protect_measure(struct tuner *t, const struct tune_ctx *c,
			      const struct proposal *p)
{
	struct protect_state *s = t->state;

	(void)c;
	if (s && p && !strcmp(p->metric, "protected_remote_memory_share"))
		return s->remote;
	return s ? s->p99 : NAN;
}

static void protect_fini(struct tuner *t)
{
	struct protect_state *s = t->state;

	if (s)
		free(s->topo);
	free(t->state);
	t->state = NULL;
}

void tuner_protect(struct tuner *t)
{
	memset(t, 0, sizeof(*t));
	t->id = TUNER_PROTECT;
	t->init = protect_init;
	t->observe = protect_observe;
	t->propose = protect_propose;
	t->measure = protect_measure;
	t->fini = protect_fini;
}
