// SPDX-License-Identifier: GPL-2.0
/* `record --profile`: the on-CPU profiler, symbolized and folded at the end. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "folded.h"
#include "ksyms.h"
#include "profiler.h"
#include "usyms.h"
#include "store/record_profile.h"

#define NAME_LEN 256

struct record_profile {
	struct profiler *p;
	struct ksyms k;
	struct usyms u;
	bool have_k;
};

int record_profile_start(struct record_profile **out, const struct watch_opts *w, char *err,
			 size_t errlen)
{
	struct profiler_opts po = { .target = &w->target, .cgroup = &w->cg,
				    .hz = RECORD_PROFILE_HZ, .mode = PP_PROF_BOTH };
	struct record_profile *p = calloc(1, sizeof(*p));
	size_t i;

	*out = NULL;
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* named processes: their symbols now, in case they exit */
	for (i = 0; i < w->target.npids; i++)
		usyms_preload(&p->u, w->target.pids[i]);
	if (profiler_open(&p->p, &po, err, errlen)) {
		record_profile_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

static void kname(struct record_profile *p, uint64_t ip, char *buf, size_t len)
{
	const struct ksym *k = p->have_k ? ksyms_find(&p->k, ip) : NULL;

	snprintf(buf, len, "%s_[k]", k ? k->name : "[unknown]");
}

/* One stack: user frames then kernel frames, root first. */
static int fold_one(struct record_profile *p, const struct prof_count *pc, struct folded *out)
{
	static uint64_t uips[PP_STACK_DEPTH], kips[PP_STACK_DEPTH];
	static char names[2 * PP_STACK_DEPTH + 1][NAME_LEN];
	static char line[2 * PP_STACK_DEPTH * NAME_LEN + 64];
	const char *frames[2 * PP_STACK_DEPTH + 1];
	char comm[PP_COMM_LEN + 1];
	size_t nu = profiler_stack(p->p, pc->key.ustack, uips);
	size_t nk = profiler_stack(p->p, pc->key.kstack, kips);
	size_t i, n = 0;

	memcpy(comm, pc->key.comm, PP_COMM_LEN);
	comm[PP_COMM_LEN] = '\0';
	if (pc->key.ustack == PP_STACK_LOST)
		snprintf(names[n++], NAME_LEN, "[unknown]");
	for (i = nu; i-- > 0; n++)
		usyms_name(&p->u, pc->key.tgid, uips[i], names[n], NAME_LEN);
	if (pc->key.kstack == PP_STACK_LOST)
		snprintf(names[n++], NAME_LEN, "[unknown]_[k]");
	for (i = nk; i-- > 0; n++)
		kname(p, kips[i], names[n], NAME_LEN);
	if (!n)
		snprintf(names[n++], NAME_LEN, "[unknown]");
	for (i = 0; i < n; i++)
		frames[i] = names[i];
	if (folded_stack(line, sizeof(line), comm, frames, n) < 0)
		return -1;
	return folded_add(out, line, pc->count);
}

int record_profile_finish(struct record_profile *p, char **folded, unsigned long long *nsamples)
{
	uint64_t cnt[PP_PROF_CNT_MAX];
	struct folded f = {0};
	struct prof_count *pc;
	size_t n, i, len = 0;
	FILE *ks, *mem;
	int rc = 0;

	*folded = NULL;
	profiler_detach(p->p);
	profiler_counters(p->p, cnt);
	*nsamples = cnt[PP_PROF_SAMPLES];
	if (profiler_read(p->p, &pc, &n))
		return -1;
	ks = fopen("/proc/kallsyms", "r");
	if (ks) {
		p->have_k = !ksyms_load(&p->k, ks) && p->k.n;
		fclose(ks);
	}
	usyms_refresh(&p->u);
	for (i = 0; i < n && !rc; i++)
		rc = fold_one(p, &pc[i], &f);
	free(pc);
	folded_sort(&f);
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

void record_profile_free(struct record_profile *p)
{
	if (!p)
		return;
	if (p->p)
		profiler_close(p->p);
	usyms_free(&p->u);
	ksyms_free(&p->k);
	free(p);
}
