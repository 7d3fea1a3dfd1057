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

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 prof_mode = PP_PROF_BOTH;

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
	percpu_inc(&prof_cnt, which);
}

static __always_inline void count_stack_lost(void)
{
	prof_count(PP_PROF_STACK_ERR);
}

#include "announce.bpf.h"
#include "stacks.bpf.h"

/* Whether the sample interrupted the task in user mode (x86: the privilege
 * level of the saved code segment); false elsewhere (the helper decides). */
static __always_inline bool sample_in_user(struct bpf_perf_event_data *ctx)
{
#if defined(__TARGET_ARCH_x86)
	/* the context's registers are read 8 bytes at a time: cs's whole slot */
	return (*(volatile const __u64 *)&ctx->regs.cs & 3) == 3;
#else
	return false;
#endif
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
	if (!take_stacks(ctx, sample_in_user(ctx), &key.ustack, &key.kstack)) {
		prof_count(PP_PROF_SKIPPED);
		return 0;
	}
	key.flags = stack_flags();
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
