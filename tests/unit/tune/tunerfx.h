/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running one tuner against a fixture tree (not a test itself): the host of
 * tunefs.h plus /proc/stat, /proc/vmstat, /proc/pressure/memory and
 * /proc/meminfo, a config with no cooldown, an empty journal, and a context
 * whose clock moves by one second per observe. The test steps the fixture's
 * counters between observes to simulate time; tfx_apply puts a proposal
 * through change_apply, the cycle's write path.
 */
#ifndef PP_TUNERFX_H
#define PP_TUNERFX_H

#include <math.h>
#include "tunefs.h"
#include "tune/change.h"
#include "tune/tuner.h"

#define TFX_HZ 100 /* jiffies per second in the fake /proc/stat */
#define TFX_MAXP 8

struct tfx {
	char root[PATH_MAX];
	char state[PATH_MAX + 8];
	struct hostfs h;
	struct tune_config cfg;
	struct journal j;
	struct tune_ctx c;
	struct tuner t;
	bool started;
	struct proposal p[TFX_MAXP];
	char err[512];
	unsigned long long busy, idle; /* /proc/stat jiffies so far */
	long long stalls;              /* allocstall_normal so far */
};

static inline void tfx_procstat(struct tfx *fx)
{
	char text[512];

	snprintf(text, sizeof(text),
		 "cpu  %llu 0 0 %llu 0 0 0 0 0 0\ncpu0 %llu 0 0 %llu 0 0 0 0 0 0\n"
		 "cpu1 %llu 0 0 %llu 0 0 0 0 0 0\nintr 0\nctxt 0\n",
		 fx->busy, fx->idle, fx->busy / 2, fx->idle / 2, fx->busy - fx->busy / 2,
		 fx->idle - fx->idle / 2);
	tfs_put(fx->root, "proc/stat", text);
}

/* One second of the host's CPU: `busy` CPUs of its 2 busy, the rest idle. */
static inline void tfx_cpu(struct tfx *fx, double busy)
{
	fx->busy += (unsigned long long)(busy * TFX_HZ + 0.5);
	fx->idle += (unsigned long long)((2 - busy) * TFX_HZ + 0.5);
	tfx_procstat(fx);
}

/* /proc/pressure/memory with this some avg10 (total grows with it). */
static inline void tfx_psi(struct tfx *fx, const char *rel, double some_avg10,
			   unsigned long long total)
{
	char text[256];

	snprintf(text, sizeof(text),
		 "some avg10=%.2f avg60=0.00 avg300=0.00 total=%llu\n"
		 "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", some_avg10, total);
	tfs_put(fx->root, rel, text);
}

/* /proc/vmstat with these counters. */
static inline void tfx_vmstat(struct tfx *fx, long long stalls, long long dirty,
			      long long writeback, long long thresh, long long bg)
{
	char text[1024];

	snprintf(text, sizeof(text),
		 "nr_free_pages 100000\nnr_dirty %lld\nnr_writeback %lld\n"
		 "nr_dirty_threshold %lld\nnr_dirty_background_threshold %lld\n"
		 "workingset_refault_anon 0\nworkingset_refault_file 1234\n"
		 "allocstall_dma 0\nallocstall_dma32 0\nallocstall_normal %lld\n"
		 "allocstall_movable 3\nallocstall_device 0\npgscan_direct 0\n",
		 dirty, writeback, thresh, bg, stalls);
	tfs_put(fx->root, "proc/vmstat", text);
}

static inline void tfx_setup(struct tfx *fx, const char *tag, void (*ctor)(struct tuner *))
{
	memset(fx, 0, sizeof(*fx));
	tfs_mkroot(fx->root, sizeof(fx->root), tag);
	tfs_host(fx->root);
	fx->busy = 1000;
	fx->idle = 1000;
	tfx_procstat(fx);
	tfx_vmstat(fx, 0, 100, 0, 100000, 50000);
	tfx_psi(fx, "proc/pressure/memory", 0, 0);
	tfs_put(fx->root, "proc/meminfo", "MemTotal:       16777216 kB\nMemFree: 1000 kB\n");
	snprintf(fx->state, sizeof(fx->state), "%s/state", fx->root);
	assert_int_equal(hostfs_init(&fx->h, fx->root), 0);
	config_defaults(&fx->cfg);
	fx->cfg.cooldown_s = 0;
	assert_int_equal(journal_load(&fx->j, fx->state, JOURNAL_LOCK, fx->err, sizeof(fx->err)),
			 0);
	fx->c.h = &fx->h;
	fx->c.cfg = &fx->cfg;
	fx->c.j = &fx->j;
	fx->c.ncpus = 2;
	fx->c.now = 1000000;
	ctor(&fx->t);
}

/* -c: the cgroup's cpu and memory directories (v2: the same). */
static inline void tfx_cgroup(struct tfx *fx, const char *cpu, const char *memory)
{
	snprintf(fx->c.cg_cpu, sizeof(fx->c.cg_cpu), "%s", cpu ? cpu : "");
	snprintf(fx->c.cg_memory, sizeof(fx->c.cg_memory), "%s", memory ? memory : "");
	if (cpu)
		assert_int_equal(config_add_cgroup(&fx->cfg, cpu, fx->err, sizeof(fx->err)), 0);
	if (memory && (!cpu || strcmp(cpu, memory)))
		assert_int_equal(config_add_cgroup(&fx->cfg, memory, fx->err, sizeof(fx->err)),
				 0);
}

/* A config text on top of the defaults. */
static inline void tfx_config(struct tfx *fx, const char *text)
{
	FILE *f = unit_text(text);

	if (config_parse(&fx->cfg, f, "test.conf", fx->err, sizeof(fx->err)) != CONFIG_OK)
		fail_msg("config: %s", fx->err);
	fclose(f);
}

static inline int tfx_init(struct tfx *fx)
{
	int rc = fx->t.init(&fx->t, &fx->c, fx->err, sizeof(fx->err));

	fx->started = rc == 0;
	return rc;
}

/* The tuner's observe after one second; the init first when not done. */
static inline int tfx_observe(struct tfx *fx)
{
	if (!fx->started && tfx_init(fx))
		fail_msg("init: %s", fx->err);
	fx->c.now += 1;
	fx->c.dt = 1;
	return fx->t.observe(&fx->t, &fx->c, fx->err, sizeof(fx->err));
}

#define TFX_OBSERVE(fx) do {                                                          \
		if (tfx_observe(fx))                                                   \
			fail_msg("observe: %s", (fx)->err);                            \
	} while (0)

static inline size_t tfx_propose(struct tfx *fx)
{
	memset(fx->p, 0, sizeof(fx->p));
	return fx->t.propose(&fx->t, &fx->c, fx->p, TFX_MAXP);
}

/* Put proposal p through change_apply as the cycle does; its journal id. */
static inline int64_t tfx_apply(struct tfx *fx, const struct proposal *p)
{
	struct change_request rq = {
		.value = p->proposed, .reason = p->evidence, .finding = p->finding,
		.tuner = tuner_name(p->tuner), .metric = p->metric,
		.metric_before = p->metric_value, .now = fx->c.now,
	};
	int64_t id = -1;

	proposal_target(p, &rq.target);
	if (change_apply(&fx->h, &fx->j, &fx->cfg, &rq, &id, fx->err, sizeof(fx->err)) !=
	    CHANGE_OK)
		fail_msg("change_apply %s=%s: %s", p->tunable, p->proposed, fx->err);
	return id;
}

/* A one-line error that names what: no newline, mentions `what`. */
static inline void tfx_one_line(const char *err, const char *what)
{
	assert_null(strchr(err, '\n'));
	if (!strstr(err, what))
		fail_msg("'%s' does not name %s", err, what);
}

static inline void tfx_teardown(struct tfx *fx)
{
	if (fx->started && fx->t.fini)
		fx->t.fini(&fx->t);
	journal_free(&fx->j);
	config_free(&fx->cfg);
	tfs_rmroot(fx->root);
}

#endif
