// SPDX-License-Identifier: GPL-2.0
/*
 * On-CPU profiler: a perf_event program on the software cpu-clock event of
 * every online CPU. Each sample of a selected task stores its kernel and
 * user stacks in a stack-trace map and counts one hit for
 * (tgid, comm, user stack id, kernel stack id). User space reads the counts
 * and symbolizes the stacks once, at the end.
 *
 * The first sample of a process (and the first after it exec'd) also sends
 * its tgid to user space through a ring buffer, so that its mappings and
 * symbols are read while it still lives: short-lived processes keep their
 * names.
 */
#include "common.bpf.h"

#define EFAULT 14

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 prof_mode = PP_PROF_BOTH;

#include "announce.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, PP_PROF_STACKS_DEFAULT);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, PP_STACK_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PP_PROF_KEYS_DEFAULT);
	__type(key, struct pp_prof_key);
	__type(value, __u64);
} prof_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PP_PROF_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} prof_cnt SEC(".maps");

static __always_inline void prof_count(__u32 which)
{
	__u64 *v = bpf_map_lookup_elem(&prof_cnt, &which);

	if (v)
		*v += 1;
}

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
	prof_count(PP_PROF_STACK_ERR);
	return PP_STACK_LOST;
}

SEC("perf_event")
int profile_sample(struct bpf_perf_event_data *ctx)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	__u64 id = bpf_get_current_pid_tgid();
	struct pp_prof_key key = {};
	__u64 one = 1, *cnt;

	if ((__u32)id == 0) /* the idle task */
		return 0;
	key.tgid = (__u32)(id >> 32);
	if (!task_selected(t, key.tgid))
		return 0;
	prof_count(PP_PROF_SAMPLES);
	announce(t, key.tgid);
	key.ustack = prof_mode == PP_PROF_KERNEL ? PP_STACK_NONE : stack_of(ctx, BPF_F_USER_STACK);
	key.kstack = prof_mode == PP_PROF_USER ? PP_STACK_NONE : stack_of(ctx, 0);
	if ((prof_mode == PP_PROF_KERNEL && key.kstack == PP_STACK_NONE) ||
	    (prof_mode == PP_PROF_USER && key.ustack == PP_STACK_NONE)) {
		prof_count(PP_PROF_SKIPPED);
		return 0;
	}
	bpf_get_current_comm(key.comm, sizeof(key.comm));
	cnt = bpf_map_lookup_elem(&prof_counts, &key);
	if (cnt) {
		__sync_fetch_and_add(cnt, 1);
		return 0;
	}
	if (bpf_map_update_elem(&prof_counts, &key, &one, BPF_NOEXIST)) {
		cnt = bpf_map_lookup_elem(&prof_counts, &key); /* raced with another CPU */
		if (cnt)
			__sync_fetch_and_add(cnt, 1);
		else
			prof_count(PP_PROF_MAP_FULL);
	}
	return 0;
}
