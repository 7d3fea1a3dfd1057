// SPDX-License-Identifier: GPL-2.0
/* `record --profile`: the on-CPU profiler, symbolized and folded at the end
 * (or drained every interval and folded every period). */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "formats/folded.h"
#include "profile/build.h"
#include "record/profile.h"
#include "store/recording.h"

struct record_profile {
	struct profiler *p;
	struct symbolizer sym;
	unsigned int hz;
	struct folded kept;          /* drained stacks since the last flush */
	size_t kept_merged;          /* distinct stacks after the last merge */
	bool k_tried;                /* kernel symbols read (or tried) */
	unsigned long long resets;   /* symbol caches dropped for their bound */
	time_t reset_at;             /* when they were last dropped */
};

/* Symbols are read afresh this often (libraries loaded since) */
#define SYMBOLS_MAX_AGE_S 600

int record_profile_start(struct record_profile **out, const struct watch_opts *w,
			 unsigned int hz, const struct ustack_opts *u, bool inlines, char *err,
			 size_t errlen)
{
	struct profiler_opts po = { .target = &w->target, .cgroup = &w->cg,
				    .hz = hz ? hz : RECORDING_PROFILE_HZ, .mode = PP_PROF_BOTH };
	struct record_profile *p = calloc(1, sizeof(*p));
	size_t i;

	*out = NULL;
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	p->hz = po.hz;
	p->reset_at = time(NULL);
	p->sym.u.no_inlines = !inlines;
	if (u)
		po.ustack = *u;
	/* named processes: their symbols now, in case they exit */
	for (i = 0; i < w->target.npids; i++)
		usyms_preload(&p->sym.u, w->target.pids[i]);
	if (profiler_open(&p->p, &po, err, errlen)) {
		record_profile_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

const char *record_profile_notice(const struct record_profile *p)
{
	return profiler_notice(p->p);
}

static void on_new_process(void *ctx, uint32_t tgid)
{
	usyms_reload(&((struct symbolizer *)ctx)->u, tgid);
}

void record_profile_wait(struct record_profile *p, int timeout_ms)
{
	profiler_poll_new(p->p, timeout_ms, on_new_process, &p->sym);
}

int record_profile_finish(struct record_profile *p, char **folded, unsigned long long *nsamples)
{
	uint64_t cnt[PP_PROF_CNT_MAX];
	struct folded f = {0};
	struct prof_count *pc;
	struct stackset ss;
	size_t n, len = 0;
	FILE *mem;
	int rc;

	*folded = NULL;
	profiler_detach(p->p);
	profiler_counters(p->p, cnt);
	*nsamples = cnt[PP_PROF_SAMPLES];
	if (profiler_read(p->p, &pc, &n))
		return -1;
	symbolizer_load_kernel(&p->sym);
	usyms_refresh(&p->sym.u);
	ss_init(&ss, SS_ONCPU, p->hz);
	rc = oncpu_stackset(p->p, &p->sym, pc, n, &ss) || folded_from_stackset(&ss, &f) ? -1 : 0;
	free(pc);
	ss_free(&ss);
	mem = open_memstream(folded, &len);
	if (!mem || rc || folded_write(&f, mem))
		rc = -1;
	if (mem && fclose(mem))
		rc = -1;
	folded_free(&f);
	if (rc) {
		free(*folded);
		*folded = NULL;
	}
	return rc;
}

/* Drop the processes' symbols when there are too many or they are old;
 * those still sampled are read again at their next sample. */
static void bound_symbols(struct record_profile *p)
{
	time_t now = time(NULL);

	if (p->sym.u.nprocs <= RECORD_PROFILE_MAX_PROCS &&
	    p->sym.u.nfiles <= RECORD_PROFILE_MAX_PROCS && now - p->reset_at < SYMBOLS_MAX_AGE_S)
		return;
	bool no_inlines = p->sym.u.no_inlines; /* a setting, not a symbol */

	usyms_free(&p->sym.u);
	memset(&p->sym.u, 0, sizeof(p->sym.u));
	p->sym.u.no_inlines = no_inlines;
	p->reset_at = now;
	p->resets++;
}

int record_profile_drain(struct record_profile *p, struct stackset *ss)
{
	struct prof_count *pc;
	size_t n;
	int rc;

	ss_init(ss, SS_ONCPU, p->hz);
	/* the processes announced since the last nap first (one that exec'd
	 * is read again), so that no stack is named from an old image */
	profiler_poll_new(p->p, 0, on_new_process, &p->sym);
	if (profiler_drain(p->p, &pc, &n))
		return -1;
	if (!p->k_tried)
		symbolizer_load_kernel(&p->sym);
	else
		symbolizer_refresh_kernel(&p->sym); /* modules or programs loaded since */
	p->k_tried = true;
	rc = oncpu_stackset(p->p, &p->sym, pc, n, ss);
	profiler_forget_stacks(p->p, pc, n);
	free(pc);
	bound_symbols(p);
	return rc;
}

int record_profile_keep(struct record_profile *p, const struct stackset *ss)
{
	struct folded f = {0};
	size_t i;
	int rc = 0;

	if (folded_from_stackset(ss, &f))
		return -1;
	for (i = 0; i < f.n && !rc; i++)
		rc = folded_add(&p->kept, f.e[i].stack, f.e[i].count);
	folded_free(&f);
	/* merge equal stacks now and then, so that what is kept stays small */
	if (p->kept.n > 2 * p->kept_merged + 1024) {
		folded_sort(&p->kept);
		p->kept_merged = p->kept.n;
	}
	return rc;
}

int record_profile_flush(struct record_profile *p, char **folded)
{
	size_t len = 0;
	FILE *mem;
	int rc = 0;

	folded_sort(&p->kept);
	mem = open_memstream(folded, &len);
	if (!mem)
		return -1;
	if (folded_write(&p->kept, mem))
		rc = -1;
	if (fclose(mem) || rc) {
		free(*folded);
		*folded = NULL;
		return -1;
	}
	folded_free(&p->kept);
	memset(&p->kept, 0, sizeof(p->kept));
	p->kept_merged = 0;
	/* what the next part needs: the processes alive */
	usyms_forget_exited(&p->sym.u);
	return 0;
}

void record_profile_get_stats(struct record_profile *p, struct record_profile_stats *st)
{
	uint64_t cnt[PP_PROF_CNT_MAX];

	profiler_counters(p->p, cnt);
	st->samples = cnt[PP_PROF_SAMPLES];
	st->lost_counts = cnt[PP_PROF_MAP_FULL];
	st->lost_stacks = cnt[PP_PROF_STACK_ERR];
	st->symbol_resets = p->resets;
}

void record_profile_free(struct record_profile *p)
{
	if (!p)
		return;
	folded_free(&p->kept);
	if (p->p)
		profiler_close(p->p);
	symbolizer_free(&p->sym);
	free(p);
}
