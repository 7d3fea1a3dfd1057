// SPDX-License-Identifier: GPL-2.0
/* The profilers' in-kernel counts as symbolized stack sets (see build.h). */
#include <string.h>
#include "profile/build.h"

static uint64_t uips[PP_STACK_DEPTH], kips[PP_STACK_DEPTH];
static uint32_t frames[SYMBOLIZE_MAX_FRAMES];

/* One key whose stacks are already in uips/kips. */
static int add(struct symbolizer *sym, struct stackset *ss, const struct pp_prof_key *key,
	       struct raw_stack *u, struct raw_stack *k, uint64_t count, uint64_t ns)
{
	char comm[PP_COMM_LEN + 1];
	int nf;

	memcpy(comm, key->comm, PP_COMM_LEN);
	comm[PP_COMM_LEN] = '\0';
	nf = symbolize_stack(sym, ss, key->tgid, u, k, frames);
	if (nf < 0)
		return -1;
	return ss_add(ss, key->tgid, comm, frames, (uint32_t)nf, count, ns);
}

int oncpu_stackset(struct profiler *p, struct symbolizer *sym, const struct prof_count *pc,
		   size_t n, struct stackset *ss)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct pp_prof_key *key = &pc[i].key;
		struct raw_stack u = { uips,
				       profiler_stack(p, key->ustack, key->flags & PP_KEY_USTACK_WALKED,
						      uips),
				       key->ustack == PP_STACK_LOST };
		struct raw_stack k = { kips, profiler_stack(p, key->kstack, false, kips),
				       key->kstack == PP_STACK_LOST };

		/* a stack id whose stack is gone (profiler_forget_stacks ran
		 * between the sample and this read) is a lost stack */
		u.lost |= key->ustack >= 0 && !u.n;
		k.lost |= key->kstack >= 0 && !k.n;
		if (add(sym, ss, key, &u, &k, pc[i].count, pc[i].count * ss->period_ns))
			return -1;
	}
	return 0;
}

int offcpu_stackset(struct offcpu *p, struct symbolizer *sym, const struct off_count *oc,
		    size_t n, struct stackset *ss)
{
	size_t i, skip;

	for (i = 0; i < n; i++) {
		const struct pp_prof_key *key = &oc[i].key;
		struct raw_stack u = { uips,
				       offcpu_stack(p, key->ustack, key->flags & PP_KEY_USTACK_WALKED,
						    uips),
				       key->ustack == PP_STACK_LOST };
		struct raw_stack k = { kips, offcpu_stack(p, key->kstack, false, kips),
				       key->kstack == PP_STACK_LOST };

		skip = offcpu_tracer_frames(&sym->k, &sym->b, k.ips, k.n);
		k.ips += skip;
		k.n -= skip;
		if (add(sym, ss, key, &u, &k, oc[i].count, oc[i].ns))
			return -1;
	}
	return 0;
}
