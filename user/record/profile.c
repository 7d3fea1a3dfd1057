// SPDX-License-Identifier: GPL-2.0
/* `record --profile`: the on-CPU profiler, symbolized and folded in parts. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "formats/folded.h"
#include "profile/build.h"
#include "record/profile.h"
#include "store/recording.h"

struct record_profile {
	struct profiler *p;
	struct symbolizer sym;
	uint64_t samples_before; /* the sample counter at the last flush */
};

int record_profile_start(struct record_profile **out, const struct watch_opts *w,
			 const struct ustack_opts *u, char *err, size_t errlen)
{
	struct profiler_opts po = { .target = &w->target, .cgroup = &w->cg,
				    .hz = RECORDING_PROFILE_HZ, .mode = PP_PROF_BOTH };
	struct record_profile *p = calloc(1, sizeof(*p));
	size_t i;

	*out = NULL;
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
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

int record_profile_flush(struct record_profile *p, char **folded, unsigned long long *nsamples)
{
	uint64_t cnt[PP_PROF_CNT_MAX];
	struct folded f = {0};
	struct prof_count *pc;
	struct stackset ss;
	size_t n, len = 0;
	FILE *mem;
	int rc;

	*folded = NULL;
	profiler_counters(p->p, cnt);
	*nsamples = cnt[PP_PROF_SAMPLES] - p->samples_before;
	p->samples_before = cnt[PP_PROF_SAMPLES];
	if (profiler_drain(p->p, &pc, &n))
		return -1;
	if (!p->sym.have_k)
		symbolizer_load_kernel(&p->sym);
	usyms_refresh(&p->sym.u);
	ss_init(&ss, SS_ONCPU, RECORDING_PROFILE_HZ);
	rc = oncpu_stackset(p->p, &p->sym, pc, n, &ss) || folded_from_stackset(&ss, &f) ? -1 : 0;
	profiler_forget_stacks(p->p, pc, n);
	free(pc);
	ss_free(&ss);
	/* what the next part needs: the processes alive */
	usyms_forget_exited(&p->sym.u);
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

int record_profile_finish(struct record_profile *p, char **folded, unsigned long long *nsamples)
{
	profiler_detach(p->p);
	return record_profile_flush(p, folded, nsamples);
}

void record_profile_free(struct record_profile *p)
{
	if (!p)
		return;
	if (p->p)
		profiler_close(p->p);
	symbolizer_free(&p->sym);
	free(p);
}
