/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the profilers: the first time a process is sampled (and the
 * first time after it exec'd), its tgid goes to user space through a ring
 * buffer, so that its symbols are read while it still runs. The including
 * program defines `prof_mode` (enum pp_prof_mode) first.
 */
#ifndef PP_ANNOUNCE_BPF_H
#define PP_ANNOUNCE_BPF_H

/* Processes already announced to user space. LRU: one evicted is announced
 * again, which only costs a re-read. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u8);
} seen_tgids SEC(".maps");

/* tgids of processes sampled for the first time, for user space. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} new_tgids SEC(".maps");

/* Tell user space about a process the first time it is sampled (user
 * stacks only: kernel threads and --kernel-only need no user symbols). */
static __always_inline void announce(struct task_struct *t, __u32 tgid)
{
	__u8 one = 1;

	if (prof_mode == PP_PROF_KERNEL || (BPF_CORE_READ(t, flags) & PF_KTHREAD) ||
	    bpf_map_lookup_elem(&seen_tgids, &tgid))
		return;
	if (bpf_map_update_elem(&seen_tgids, &tgid, &one, BPF_NOEXIST))
		return; /* another CPU announced it */
	if (bpf_ringbuf_output(&new_tgids, &tgid, sizeof(tgid), 0))
		bpf_map_delete_elem(&seen_tgids, &tgid); /* buffer full: the next sample retries */
}

/* A process that execs has a new image: announce it again. */
SEC("raw_tp/sched_process_exec") /* raw_tp: no BTF tracepoint support needed */
int BPF_PROG(announce_exec, struct task_struct *p)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);

	/* most processes that exec were never sampled: a lookup is cheaper
	 * than a delete, which takes the LRU's locks */
	if (bpf_map_lookup_elem(&seen_tgids, &tgid))
		bpf_map_delete_elem(&seen_tgids, &tgid);
	return 0;
}

#endif
