// SPDX-License-Identifier: GPL-2.0
/*
 * Scheduler collector: on-CPU time, run-queue wait (wakeup or preemption to
 * running), voluntary/involuntary switches and migrations, per thread group.
 *
 * Every handler exists twice: as tp_btf (preferred) and raw_tp (fallback for
 * kernels without BTF-typed tracepoints); the loader autoloads one of each.
 */
#include "common.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by the loader from what it found in the kernel's BTF. */
const volatile bool exit_has_group_dead = false; /* sched_process_exit(p, group_dead) */
const volatile bool follow_children = false;      /* -p ... --children */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PP_MAX_PROCS_DEFAULT);
	__type(key, __u32);
	__type(value, struct pp_sched_stats);
} sched_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PP_MAX_THREADS_DEFAULT);
	__type(key, __u32);
	__type(value, struct pp_thread);
} threads SEC(".maps");

/* Zeroed templates for new entries (too large for the BPF stack). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pp_sched_stats);
} scratch SEC(".maps");

static __always_inline long task_state(struct task_struct *t)
{
	struct task_struct___pre514 {
		long state;
	} __attribute__((preserve_access_index)) *old = (void *)t;

	if (bpf_core_field_exists(t->__state))
		return BPF_CORE_READ(t, __state);
	return BPF_CORE_READ(old, state);
}

static __always_inline struct pp_sched_stats *
proc_stats(struct task_struct *t, __u32 tgid, bool create)
{
	struct pp_sched_stats *st = bpf_map_lookup_elem(&sched_stats, &tgid);
	struct task_struct *leader;
	__u32 zero = 0;

	if (st || !create)
		return st;
	if (BPF_CORE_READ(t, flags) & PF_EXITING)
		return NULL; /* do not resurrect a thread group that is going away */
	st = bpf_map_lookup_elem(&scratch, &zero);
	if (!st)
		return NULL;
	__builtin_memset(st, 0, sizeof(*st));
	leader = BPF_CORE_READ(t, group_leader);
	bpf_probe_read_kernel_str(st->comm, sizeof(st->comm), leader ? leader->comm : t->comm);
	st->cgroup_id = task_cgroup_id(t);
	st->start_ns = bpf_ktime_get_ns();
	bpf_map_update_elem(&sched_stats, &tgid, st, BPF_NOEXIST);
	st = bpf_map_lookup_elem(&sched_stats, &tgid);
	if (!st)
		count_event(PP_CNT_PROC_DROPPED);
	return st;
}

static __always_inline struct pp_thread *thread_state(__u32 tid, __u32 tgid, bool create)
{
	struct pp_thread *th = bpf_map_lookup_elem(&threads, &tid);
	struct pp_thread init = {};

	if (th || !create)
		return th;
	init.tgid = tgid;
	bpf_map_update_elem(&threads, &tid, &init, BPF_NOEXIST);
	th = bpf_map_lookup_elem(&threads, &tid);
	if (!th)
		count_event(PP_CNT_THREAD_DROPPED);
	return th;
}

/* A task became runnable: start its run-queue wait. */
static __always_inline int on_wakeup(struct task_struct *p)
{
	__u32 tid = BPF_CORE_READ(p, pid), tgid = BPF_CORE_READ(p, tgid);
	struct pp_thread *th;

	if (!tid || !task_selected(p, tgid))
		return 0;
	th = thread_state(tid, tgid, true);
	if (th && !th->enq_ts)
		th->enq_ts = bpf_ktime_get_ns();
	return 0;
}

static __always_inline int on_switch(bool preempt, struct task_struct *prev,
				     struct task_struct *next)
{
	__u64 now = bpf_ktime_get_ns();
	__u32 tid, tgid;
	struct pp_sched_stats *st;
	struct pp_thread *th;

	tid = BPF_CORE_READ(prev, pid);
	tgid = BPF_CORE_READ(prev, tgid);
	if (tid && task_selected(prev, tgid)) {
		bool involuntary = preempt || task_state(prev) == 0;

		th = thread_state(tid, tgid, false);
		st = proc_stats(prev, tgid, true);
		if (th) {
			if (th->oncpu_ts && st)
				__sync_fetch_and_add(&st->oncpu_ns, now - th->oncpu_ts);
			th->oncpu_ts = 0;
			/* still runnable: it waits in the run queue from now on */
			if (involuntary)
				th->enq_ts = now;
		}
		if (st) {
			if (involuntary)
				__sync_fetch_and_add(&st->nivcsw, 1);
			else
				__sync_fetch_and_add(&st->nvcsw, 1);
		}
	}

	tid = BPF_CORE_READ(next, pid);
	tgid = BPF_CORE_READ(next, tgid);
	if (!tid || !task_selected(next, tgid))
		return 0;
	th = thread_state(tid, tgid, true);
	if (!th)
		return 0;
	th->oncpu_ts = now;
	if (th->enq_ts) {
		__u64 wait = now - th->enq_ts;

		th->enq_ts = 0;
		st = proc_stats(next, tgid, true);
		if (st) {
			__u32 slot = hist_slot_ns(wait);

			__sync_fetch_and_add(&st->runq_wait_ns, wait);
			if (slot < PP_HIST_SLOTS)
				__sync_fetch_and_add(&st->runq_hist[slot], 1);
			if (wait > st->runq_max_ns)
				st->runq_max_ns = wait;
		}
	}
	return 0;
}

static __always_inline int on_migrate(struct task_struct *p)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);
	struct pp_sched_stats *st;

	if (!BPF_CORE_READ(p, pid) || !task_selected(p, tgid))
		return 0;
	st = proc_stats(p, tgid, true);
	if (st)
		__sync_fetch_and_add(&st->migrations, 1);
	return 0;
}

static __always_inline int on_fork(struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = BPF_CORE_READ(parent, tgid), ctgid = BPF_CORE_READ(child, tgid);
	__u8 one = 1;

	if (!follow_children || ptgid == ctgid)
		return 0;
	if (bpf_map_lookup_elem(&pid_filter, &ptgid))
		bpf_map_update_elem(&pid_filter, &ctgid, &one, BPF_ANY);
	return 0;
}

static __always_inline int on_exit(__u64 *ctx, struct task_struct *p)
{
	__u32 tid = BPF_CORE_READ(p, pid), tgid = BPF_CORE_READ(p, tgid);
	struct pp_sched_stats *st;
	struct pp_thread *th;
	bool group_dead;

	th = bpf_map_lookup_elem(&threads, &tid);
	if (th) {
		/* account the slice up to now; the final switch finds no entry */
		st = bpf_map_lookup_elem(&sched_stats, &tgid);
		if (st && th->oncpu_ts)
			__sync_fetch_and_add(&st->oncpu_ns, bpf_ktime_get_ns() - th->oncpu_ts);
		bpf_map_delete_elem(&threads, &tid);
	}
	if (exit_has_group_dead)
		group_dead = (bool)ctx[1];
	else
		group_dead = BPF_CORE_READ(p, signal, live.counter) == 0;
	if (!group_dead)
		return 0;
	st = bpf_map_lookup_elem(&sched_stats, &tgid);
	if (st) {
		/* the name after any exec, for a process user space never saw */
		bpf_probe_read_kernel_str(st->comm, sizeof(st->comm), p->comm);
		st->exit_ns = bpf_ktime_get_ns();
		st->flags |= PP_PROC_EXITED;
	}
	if (filter_mode == PP_FILTER_PID && follow_children)
		bpf_map_delete_elem(&pid_filter, &tgid);
	return 0;
}

/*
 * Credit the running task's slice so far, so that a task that never leaves
 * the CPU still shows its time in every interval. Runs from a low-rate
 * per-CPU software timer event.
 */
SEC("perf_event")
int oncpu_tick(void *ctx)
{
	__u64 id = bpf_get_current_pid_tgid(), now;
	__u32 tid = (__u32)id, tgid = id >> 32;
	struct pp_sched_stats *st;
	struct pp_thread *th;

	if (!tid)
		return 0;
	th = bpf_map_lookup_elem(&threads, &tid);
	if (!th || !th->oncpu_ts)
		return 0;
	st = bpf_map_lookup_elem(&sched_stats, &tgid);
	now = bpf_ktime_get_ns();
	if (st)
		__sync_fetch_and_add(&st->oncpu_ns, now - th->oncpu_ts);
	th->oncpu_ts = now;
	return 0;
}

/* tp_btf variants */
SEC("tp_btf/sched_switch")
int BPF_PROG(sched_switch_btf, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	return on_switch(preempt, prev, next);
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(sched_wakeup_btf, struct task_struct *p)
{
	return on_wakeup(p);
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(sched_wakeup_new_btf, struct task_struct *p)
{
	return on_wakeup(p);
}

SEC("tp_btf/sched_migrate_task")
int BPF_PROG(sched_migrate_btf, struct task_struct *p)
{
	return on_migrate(p);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(sched_fork_btf, struct task_struct *parent, struct task_struct *child)
{
	return on_fork(parent, child);
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(sched_exit_btf, struct task_struct *p)
{
	return on_exit(ctx, p);
}

/* raw_tp variants: same bodies, untyped arguments */
SEC("raw_tp/sched_switch")
int BPF_PROG(sched_switch_raw, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	return on_switch(preempt, prev, next);
}

SEC("raw_tp/sched_wakeup")
int BPF_PROG(sched_wakeup_raw, struct task_struct *p)
{
	return on_wakeup(p);
}

SEC("raw_tp/sched_wakeup_new")
int BPF_PROG(sched_wakeup_new_raw, struct task_struct *p)
{
	return on_wakeup(p);
}

SEC("raw_tp/sched_migrate_task")
int BPF_PROG(sched_migrate_raw, struct task_struct *p)
{
	return on_migrate(p);
}

SEC("raw_tp/sched_process_fork")
int BPF_PROG(sched_fork_raw, struct task_struct *parent, struct task_struct *child)
{
	return on_fork(parent, child);
}

SEC("raw_tp/sched_process_exit")
int BPF_PROG(sched_exit_raw, struct task_struct *p)
{
	return on_exit(ctx, p);
}
