/* SPDX-License-Identifier: GPL-2.0 */
/* Loads and attaches the off-CPU profiler (offcpu.bpf.c); reads its maps. */
#ifndef PP_OFFCPU_H
#define PP_OFFCPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "collect/target.h"
#include "collect/cgroup.h"
#include "profile/ustacks.h"
#include "symbols/bpfsyms.h"
#include "symbols/kallsyms.h"

#define PP_OFFCPU_MIN_BLOCK_US_DEFAULT 1

struct offcpu_opts {
	const struct target *target;
	const struct cg_target *cgroup; /* when target->mode == PP_FILTER_CGROUP */
	unsigned int hz;                /* sampling rate of blocked time, per thread */
	uint64_t min_block_ns;          /* shorter blocks are ignored */
	enum pp_prof_mode mode;
	bool eager;                     /* force walking the stacks at every switch */
	struct ustack_opts ustack;      /* how user stacks are taken (--unwind) */
};

struct off_count {
	struct pp_prof_key key;
	uint64_t ns;    /* blocked time credited to the key */
	uint64_t count; /* sampled blocks */
};

struct offcpu;

/* The sampling period of blocked time for a rate of hz per second. */
uint64_t offcpu_period_ns(unsigned int hz);

/*
 * Load, configure and attach: the sampled design when the kernel has the
 * sched_exit_tp tracepoint (6.16+), else (or with o->eager) the eager one. -1 with a reason in err.
 * When the sampled design was wanted but could not be used, *why says why
 * (else it is set to "").
 */
int offcpu_open(struct offcpu **out, const struct offcpu_opts *o, char *why, size_t whylen,
		char *err, size_t errlen);

/* Why the user stacks come from frame pointers although DWARF unwinding
 * was asked for (auto), or "". */
const char *offcpu_notice(const struct offcpu *p);

/* With DWARF unwinding, its one-line summary (ustacks.h); else nothing. */
void offcpu_unwind_summary(struct offcpu *p, FILE *out);

/* Whether the eager design runs. */
bool offcpu_eager(const struct offcpu *p);

/* Stop (the maps stay readable). */
void offcpu_detach(struct offcpu *p);

/* Summed per-CPU counters (PP_OFF_*). */
void offcpu_counters(struct offcpu *p, uint64_t out[PP_OFF_CNT_MAX]);

/* Every (process, comm, stacks) with its blocked time. Caller frees *out. */
int offcpu_read(struct offcpu *p, struct off_count **out, size_t *n);

/* The addresses of a stack, innermost first; returns how many (0 if none).
 * walked: a user stack walked by the program (PP_KEY_USTACK_WALKED). */
size_t offcpu_stack(struct offcpu *p, int32_t id, bool walked, uint64_t ips[PP_STACK_DEPTH]);

/* Wait up to timeout_ms for processes whose stacks were taken for the first
 * time (or the first time since they exec'd) and call fn for each. Returns
 * how many, or -1 (a signal, an error). */
int offcpu_poll_new(struct offcpu *p, int timeout_ms, void (*fn)(void *ctx, uint32_t tgid),
		    void *ctx);

void offcpu_close(struct offcpu *p);

/* How many innermost frames of a kernel stack belong to the tracer itself
 * (the BPF program and the tracepoint code that ran it): they come first
 * in stacks taken from a tracepoint and are not part of what blocked. b
 * (may be NULL): BPF programs loaded after k was read, the tracer's own
 * among them when the kernel's symbols were read before it loaded. */
size_t offcpu_tracer_frames(const struct ksyms *k, const struct bpfsyms *b, const uint64_t *ips,
			    size_t n);

#endif
