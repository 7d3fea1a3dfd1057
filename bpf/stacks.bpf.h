/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the profilers: the stack-trace map and taking the current
 * task's stacks as --kernel-only / --user-only ask, the user stack walked
 * with the unwind tables when the loader asks for it (unwind.bpf.h). The
 * including program defines `prof_mode` (enum pp_prof_mode) and
 * count_stack_lost() (one more stack that could not be stored, in its own
 * counters) first.
 */
#ifndef PP_STACKS_BPF_H
#define PP_STACKS_BPF_H

#define EFAULT 14

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, PP_PROF_STACKS_DEFAULT);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, PP_STACK_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

/* Stack id; PP_STACK_NONE when there is none of this kind (-EFAULT: no
 * kernel frames for a sample taken in user mode, no user frames in a kernel
 * thread); PP_STACK_LOST, counted, when it could not be stored (-EEXIST:
 * another stack in its hash bucket; -ENOMEM: map full). */
static __always_inline __s32 stack_of(void *ctx, __u64 flags)
{
	long id = bpf_get_stackid(ctx, &stacks, flags);

	if (id >= 0)
		return (__s32)id;
	if (id == -EFAULT)
		return PP_STACK_NONE;
	count_stack_lost();
	return PP_STACK_LOST;
}

#include "unwind.bpf.h"

/* Whether user stacks are walked here (their ids are keys of `ustacks`):
 * the loader asked for it, and the kernel has the helpers (else this code
 * is left out at load time). */
static __always_inline bool walk_user_stacks(void)
{
	return unwind_dwarf && bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_loop) &&
	       bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_task_pt_regs);
}

/* The pp_prof_key flags of the stacks take_stacks gives. */
static __always_inline __u32 stack_flags(void)
{
	return walk_user_stacks() ? PP_KEY_USTACK_WALKED : 0;
}

/* The current task's stacks, as prof_mode asks. False when it has none of
 * the kind asked for (for the caller to count as skipped). in_user: ctx's
 * registers are the task's in user mode (a sample taken there), so it has
 * no kernel stack: the helper, which would say so (-EFAULT) after setting
 * up a callchain buffer, is not called. */
static __always_inline bool take_stacks(void *ctx, bool in_user, __s32 *ustack, __s32 *kstack)
{
	if (prof_mode == PP_PROF_KERNEL)
		*ustack = PP_STACK_NONE;
	else if (walk_user_stacks())
		*ustack = uw_user_stack(ctx);
	else
		*ustack = stack_of(ctx, BPF_F_USER_STACK);
	*kstack = prof_mode == PP_PROF_USER || in_user ? PP_STACK_NONE : stack_of(ctx, 0);
	return !((prof_mode == PP_PROF_KERNEL && *kstack == PP_STACK_NONE) ||
		 (prof_mode == PP_PROF_USER && *ustack == PP_STACK_NONE));
}

#endif
