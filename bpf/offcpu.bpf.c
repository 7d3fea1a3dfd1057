// SPDX-License-Identifier: GPL-2.0
/*
 * Off-CPU profiler: time that selected threads spend blocked, with the stack
 * where they blocked, aggregated in the kernel per
 * (tgid, comm, user stack id, kernel stack id).
 *
 * Sampled design (the default): sched_switch only stores the switch-out
 * time of a thread that blocks, and at its switch-in decides whether this
 * block is sampled:
 *   - a block of at least one period (1e9 / -F ns) is always sampled and
 *     credited with its exact duration;
 *   - a shorter block of d ns is sampled with probability d / period and
 *     credited with one period,
 * so every stack's expected blocked time is its true blocked time, and a
 * thread costs at most about F stack walks per second of blocked time. The
 * stacks of a sampled block are taken right after the switch, in the
 * context of the switched-in thread itself, from the sched_exit_tp
 * tracepoint at the end of __schedule (Linux 6.16 and later): its kernel
 * stack is still the one it blocked in, and its user stack is readable.
 *
 * Eager design (the fallback on kernels without sched_exit_tp, or forced):
 * both stacks are walked at every switch-out of a selected blocking
 * thread, and every block is credited at its switch-in, as libbpf-tools
 * offcputime does. Exact, and several times more costly.
 *
 * Only threads that leave the CPU blocked (not TASK_RUNNING, not
 * preempted) count: a preempted thread waits for a CPU, which is run-queue
 * latency (perfpilot stat), not off-CPU time.
 */
#include "common.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by the loader before load. */
const volatile __u32 prof_mode = PP_PROF_BOTH;
const volatile __u64 min_block_ns = 1000;
const volatile __u64 period_ns = 1000000000ULL / 49; /* below 2^32 */
const volatile bool eager = false;
const volatile __u32 thread_slots = PP_THREAD_SLOTS_DEFAULT; /* a power of two */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PP_PROF_KEYS_DEFAULT);
	__type(key, struct pp_prof_key);
	__type(value, struct pp_offcpu_val);
} off_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PP_THREAD_SLOTS_DEFAULT);
	__type(key, __u32);
	__type(value, struct pp_offcpu_thread);
} off_threads SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PP_OFF_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} off_cnt SEC(".maps");

/* Per CPU: the thread being switched in has a sampled block waiting for its
 * stacks. Spares the common case (nothing to do) the thread lookup. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} armed SEC(".maps");

static __always_inline void off_count(__u32 which)
{
	percpu_inc(&off_cnt, which);
}

static __always_inline void count_stack_lost(void)
{
	off_count(PP_OFF_STACK_ERR);
}

#include "announce.bpf.h"
#include "stacks.bpf.h"

static __always_inline struct pp_offcpu_thread *slot_of(__u32 tid)
{
	__u32 idx = tid & (thread_slots - 1);

	return bpf_map_lookup_elem(&off_threads, &idx);
}

/* The current thread's stacks, as --kernel-only / --user-only ask, and
 * its process announced. False when it has none of the kind asked for
 * (counted). */
static __always_inline bool stacks_or_skip(void *ctx, __s32 *ustack, __s32 *kstack)
{
	if (!take_stacks(ctx, false, ustack, kstack)) { /* in the kernel: switching out */
		off_count(PP_OFF_SKIPPED);
		return false;
	}
	announce((struct task_struct *)bpf_get_current_task(),
		 (__u32)(bpf_get_current_pid_tgid() >> 32));
	return true;
}

/* Add ns of blocked time and one sampled block to the key's entry. */
static __always_inline void credit(const struct pp_prof_key *key, __u64 ns)
{
	struct pp_offcpu_val *v = bpf_map_lookup_elem(&off_counts, key);
	struct pp_offcpu_val init = { .ns = ns, .count = 1 };

	if (!v) {
		if (!bpf_map_update_elem(&off_counts, key, &init, BPF_NOEXIST))
			return;
		v = bpf_map_lookup_elem(&off_counts, key); /* raced with another CPU */
		if (!v) {
			off_count(PP_OFF_MAP_FULL);
			return;
		}
	}
	__sync_fetch_and_add(&v->ns, ns);
	__sync_fetch_and_add(&v->count, 1);
}

/* prev leaves the CPU (current == prev). */
static __always_inline void switch_out(void *ctx, bool preempt, struct task_struct *prev,
				       bool direct, __u64 now)
{
	__u32 tid = TREAD(direct, prev, pid), tgid;
	struct pp_offcpu_thread *th;

	if (!tid || preempt || task_state(prev, direct) == 0)
		return; /* the idle task, or still runnable: it waits for a CPU */
	th = slot_of(tid);
	if (!th)
		return;
	if (TREAD(direct, prev, flags) & PF_EXITING) {
		if (th->tid == tid) /* its last switch: free the slot */
			__builtin_memset(th, 0, sizeof(*th));
		return;
	}
	if (th->tid == tid && !th->tgid)
		return; /* not selected: the filter ran when it first blocked */
	if (th->tid != tid) {
		tgid = TREAD(direct, prev, tgid);
		if (!task_selected(prev, tgid)) {
			if (!th->tid || !th->tgid) { /* a free slot, or another one's like this */
				__builtin_memset(th, 0, sizeof(*th));
				th->tid = tid;
			}
			return;
		}
		if (th->tid && th->ts)
			off_count(PP_OFF_EVICTED);
		th->tid = tid;
		th->tgid = tgid;
		th->pending = 0;
	} else if (th->ts) {
		/* blocked again, yet no sched_switch showed it resuming (some
		 * kernels do not trace every switch-in): that block is lost */
		off_count(PP_OFF_UNTRACED);
	}
	th->ts = now;
	if (eager && !stacks_or_skip(ctx, &th->ustack, &th->kstack))
		th->ts = 0;
}

/* next is about to run (current is still prev). */
static __always_inline void switch_in(struct task_struct *next, bool direct, __u64 now)
{
	__u32 tid = TREAD(direct, next, pid);
	struct pp_offcpu_thread *th = slot_of(tid);
	struct pp_prof_key key = {};
	__u64 d;

	if (!th || !th->ts || th->tid != tid || !tid)
		return;
	d = now - th->ts;
	th->ts = 0;
	if (d < min_block_ns)
		return;
	off_count(PP_OFF_BLOCKS);
	if (eager) {
		key.tgid = th->tgid;
		key.ustack = th->ustack;
		key.kstack = th->kstack;
		key.flags = stack_flags();
		bpf_probe_read_kernel_str(key.comm, sizeof(key.comm), next->comm);
		off_count(PP_OFF_SAMPLED);
		credit(&key, d);
		return;
	}
	d = pp_offcpu_credit(d, period_ns, d < period_ns ? bpf_get_prandom_u32() : 0);
	if (d) {
		__u32 zero = 0, *arm = bpf_map_lookup_elem(&armed, &zero);

		th->pending += d; /* its stacks are taken once it runs */
		if (arm)
			*arm = 1;
	}
}

static __always_inline int on_switch(void *ctx, bool preempt, struct task_struct *prev,
				     struct task_struct *next, bool direct)
{
	__u64 now = bpf_ktime_get_ns();

	switch_out(ctx, preempt, prev, direct, now);
	switch_in(next, direct, now);
	return 0;
}

/* The end of __schedule, as the thread that was switched in: its kernel
 * stack still shows where it blocked, and its user stack is readable. */
static __always_inline int on_resumed(void *ctx, bool is_switch)
{
	__u32 zero = 0, tid, *arm = bpf_map_lookup_elem(&armed, &zero);
	struct pp_offcpu_thread *th;
	struct pp_prof_key key = {};
	__u64 ns;

	if (!is_switch || !arm || !*arm)
		return 0;
	*arm = 0;
	tid = (__u32)bpf_get_current_pid_tgid();
	th = slot_of(tid);
	if (!th || !th->pending || th->tid != tid)
		return 0;
	ns = th->pending;
	th->pending = 0;
	if (!stacks_or_skip(ctx, &key.ustack, &key.kstack))
		return 0;
	off_count(PP_OFF_SAMPLED);
	key.tgid = th->tgid;
	key.flags = stack_flags();
	bpf_get_current_comm(key.comm, sizeof(key.comm));
	credit(&key, ns);
	return 0;
}

SEC("tp_btf/sched_exit_tp")
int BPF_PROG(offcpu_resumed_btf, bool is_switch)
{
	return on_resumed(ctx, is_switch);
}

SEC("raw_tp/sched_exit_tp")
int BPF_PROG(offcpu_resumed_raw, bool is_switch)
{
	return on_resumed(ctx, is_switch);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(offcpu_switch_btf, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	return on_switch(ctx, preempt, prev, next, true);
}

SEC("raw_tp/sched_switch")
int BPF_PROG(offcpu_switch_raw, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	return on_switch(ctx, preempt, prev, next, false);
}
