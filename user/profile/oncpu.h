/* SPDX-License-Identifier: GPL-2.0 */
/* Loads and attaches the on-CPU profiler (profile.bpf.c); reads its maps. */
#ifndef PP_ONCPU_H
#define PP_ONCPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "collect/target.h"
#include "collect/cgroup.h"
#include "profile/ustacks.h"

struct profiler_opts {
	const struct target *target;
	const struct cg_target *cgroup; /* when target->mode == PP_FILTER_CGROUP */
	unsigned int hz;                /* samples per second per CPU */
	enum pp_prof_mode mode;
	struct ustack_opts ustack;      /* how user stacks are taken (--unwind) */
};

struct prof_count {
	struct pp_prof_key key;
	uint64_t count;
};

struct profiler;

/* Load, configure and attach to every online CPU. -1 with a reason in err.
 * With --unwind auto, a kernel that cannot run the DWARF unwinder gets
 * frame pointers, and profiler_notice() says why. */
int profiler_open(struct profiler **out, const struct profiler_opts *o, char *err, size_t errlen);

/* Wait up to timeout_ms for processes sampled for the first time (or for
 * the first time since they exec'd) and call fn for each, with its tgid.
 * Returns how many, or -1 (interrupted by a signal, or an error). */
int profiler_poll_new(struct profiler *p, int timeout_ms, void (*fn)(void *ctx, uint32_t tgid),
		      void *ctx);

/* Whether the program with the DWARF unwinder loads here (not attached):
 * 0, or -1 with the reason in err. For doctor. */
int profiler_dwarf_probe(char *err, size_t errlen);

/* Why the user stacks come from frame pointers although DWARF unwinding
 * was asked for (auto), or "". */
const char *profiler_notice(const struct profiler *p);

/* With DWARF unwinding, its one-line summary (ustacks.h); else nothing. */
void profiler_unwind_summary(struct profiler *p, FILE *out);

/* Stop sampling (the maps stay readable). */
void profiler_detach(struct profiler *p);

/* Summed per-CPU counters (PP_PROF_*). */
void profiler_counters(struct profiler *p, uint64_t out[PP_PROF_CNT_MAX]);

/* Every (process, comm, stacks) with its sample count. Caller frees *out. */
int profiler_read(struct profiler *p, struct prof_count **out, size_t *n);

/* The same, and the counts read are deleted from the map (each taken as it
 * is deleted: no sample is counted twice or lost in between), so that the
 * next call returns only what was sampled since. Caller frees *out. */
int profiler_drain(struct profiler *p, struct prof_count **out, size_t *n);

/* Call after each drain, once its stacks are symbolized, with its counts:
 * deletes from the stack map the stacks that the drain before used and
 * this one did not, so that the map holds the stacks of the last two
 * drains, however long the profiler runs. A stack sampled in every drain
 * stays (a hot loop keeps its stack id); a sample that reuses a deleted
 * stack in the instant of its deletion loses its stack (counted as such
 * when it is read). */
void profiler_forget_stacks(struct profiler *p, const struct prof_count *pc, size_t n);

/* The addresses of a stack, innermost first; returns how many (0 if none).
 * walked: a user stack walked by the program (PP_KEY_USTACK_WALKED). */
size_t profiler_stack(struct profiler *p, int32_t id, bool walked, uint64_t ips[PP_STACK_DEPTH]);

void profiler_close(struct profiler *p);

#endif
