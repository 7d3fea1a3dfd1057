// SPDX-License-Identifier: GPL-2.0
/*
 * Scheduler collector: on-CPU time, run-queue wait (wakeup or preemption to
 * running), voluntary/involuntary switches and migrations, per thread group.
 * On-CPU time and migrations are the kernel's own counters
 * (se.sum_exec_runtime, se.nr_migrations), read when a thread leaves a CPU,
 * at the tick and at its exit: no program runs per migration.
 *
 * Every handler exists twice: as tp_btf (preferred) and raw_tp (fallback for
 * kernels without BTF-typed tracepoints); the loader autoloads one of each.
 *
 * Two sources (the loader loads one): per switch (sched_switch, the tick,
 * wakeups when there is no run_delay), or a task iterator (sched_iter) that
 * user space runs once per interval before reading the maps, with only the
 * fork, exit and free programs attached; there nothing runs per context
 * switch.
 */
#include "common.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by the loader from what it found in the kernel's BTF. */
const volatile bool exit_has_group_dead = false; /* sched_process_exit(p, group_dead) */
const volatile bool follow_children = false;      /* -p ... --children */
/*
 * Run-queue waits from the kernel's own accounting (task->sched_info.run_delay,
 * CONFIG_SCHED_INFO): no wakeup hook needed. Otherwise wakeups are traced.
 */
const volatile bool use_run_delay = false;
/* CLOCK_MONOTONIC when the loader loaded the programs: threads that started
 * later are new, their whole run time and run-queue waits are theirs. */
const volatile __u64 load_ns = 0;
/* sched_source = iterator: sched_iter brings the threads up to date from the
 * kernel's per-task counters (needs use_run_delay); no per-switch program. */
const volatile bool use_iter = false;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PP_MAX_PROCS_DEFAULT);
	__type(key, __u32);
	__type(value, struct pp_sched_stats);
} sched_stats SEC(".maps");

/* Size of `threads`, a power of two (set by the loader). */
const volatile __u32 thread_slots = PP_THREAD_SLOTS_DEFAULT;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PP_THREAD_SLOTS_DEFAULT);
	__type(key, __u32);
	__type(value, struct pp_thread);
} threads SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PP_THREAD_OVERFLOW);
	__type(key, __u32);
	__type(value, struct pp_thread);
} threads_overflow SEC(".maps");

/*
 * What on_exit credited of a thread's se.sum_exec_runtime, until its last
 * switch (sched_source switch: exit_tail_at_switch) or until its task is
 * freed (iterator: sched_process_free, an RCU callback after its release,
 * so after its last switch-out). The kernel brings a running task's sum up
 * to date only now and then (a switch, the tick), and do_exit goes on after
 * the exit tracepoint (files closed, the parent told, the last switch; the
 * memory unmapped too where the tracepoint has group_dead): for a process
 * that lives a millisecond that is a large part of its life, added to its
 * entry then.
 *
 * The mark is kept in the thread's slot of `threads` (exit_task set: the
 * slot stays taken until then, found there by one array lookup), or, when
 * the slot is another thread's, in this LRU map; lru_marks counts what that
 * map may hold, so that a task with no mark (most of the host's) looks only
 * at the array. A mark is the task's by its address (task_key): an exec by
 * a thread other than the leader swaps the two threads' pids (and gives the
 * exec'ing one the leader's start time) before the old leader's last
 * switch, so neither the tid nor the start time tells the two apart then.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, PP_THREAD_OVERFLOW);
	__type(key, __u64);   /* task_key() */
	__type(value, __u64); /* se.sum_exec_runtime credited */
} exit_exec SEC(".maps");

/* Set by the loader: false when nothing would take the marks back (no
 * sched_process_free for the iterator). */
const volatile bool mark_exits = true;

/* marks put in exit_exec and not taken back yet (an evicted one stays
 * counted: the lookups go on, nothing is lost) */
__u64 lru_marks = 0;

/* One word per CPU, to turn a task's address into a number. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} task_addr SEC(".maps");

/* The task's address as a number (opaque_via): the identity of its exit
 * mark while the task exists (until its free), whatever its pid. */
static __always_inline __u64 task_key(struct task_struct *p)
{
	return opaque_via(&task_addr, (__u64)p);
}

/*
 * Mark the exit of thread tid, credited up to exec: in slot (its slot in
 * `threads`) when it is the thread's own entry (own) or free, else in
 * exit_exec.
 */
static __always_inline void mark_exit(struct pp_thread *slot, bool own, struct task_struct *p,
				      __u32 tid, __u32 tgid, __u64 exec)
{
	__u64 task;

	if (!mark_exits) {
		if (slot && own)
			slot->tid = 0; /* frees the slot (zeroed by the next owner) */
		return;
	}
	task = task_key(p);
	if (slot && task) {
		if (own) {
			slot->last_exec = exec;
			slot->exit_task = task;
			return;
		}
		/* tid and tgid are one word (tid the low half): claimed here
		 * when it is free, else another thread took it meanwhile */
		__u64 *ids = (__u64 *)&slot->tid, was = *ids;

		if (!(__u32)was &&
		    __sync_val_compare_and_swap(ids, was, (__u64)tgid << 32 | tid) == was) {
			/* the rest is stale (zeroed by the next owner) */
			slot->last_exec = exec;
			slot->exit_task = task;
			return;
		}
	}
	if (slot && own)
		slot->tid = 0;
	if (task && !bpf_map_update_elem(&exit_exec, &task, &exec, BPF_ANY))
		__sync_fetch_and_add(&lru_marks, 1);
}

/* Zeroed templates for new entries (too large for the BPF stack). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pp_sched_stats);
} scratch SEC(".maps");

struct task_struct___pre55 {
	__u64 real_start_time;
} __attribute__((preserve_access_index));

/* The leader's start since boot: start_boottime, real_start_time before 5.5. */
static __always_inline __u64 start_boottime_of(struct task_struct *leader, bool direct)
{
	if (bpf_core_field_exists(leader->start_boottime))
		return TREAD(direct, leader, start_boottime);
	return BPF_CORE_READ((struct task_struct___pre55 *)leader, real_start_time);
}

/*
 * A task's name into dst (PP_COMM_LEN bytes, 8-aligned). BTF pointers load
 * it as two words (the kernel pads comm with NULs: strscpy_pad), which is
 * what bpf_probe_read_kernel_str gives into a zeroed buffer, without a
 * helper call.
 */
static __always_inline void copy_comm(char *dst, struct task_struct *t, bool direct)
{
	if (direct && bpf_core_field_size(t->comm) == PP_COMM_LEN) {
		__u64 *d = (__u64 *)dst;

		d[0] = *(__u64 *)&t->comm[0];
		d[1] = *(__u64 *)&t->comm[8];
		return;
	}
	bpf_probe_read_kernel_str(dst, PP_COMM_LEN, t->comm);
}

/*
 * The pointers a new process entry is made from. Read once, where a program
 * starts: with BTF-typed pointers the verifier checks every pointer loaded
 * from a kernel struct against the kernel's BTF by name (a linear search),
 * once per state that reaches the load, and sched_process_exit reaches the
 * template in a dozen states: reading them inside it took the verifier about
 * a second at every start (0.07 s read here).
 */
struct proc_links {
	struct task_struct *leader; /* never NULL: the task itself without one */
	struct task_struct *parent;
	__u64 v2_cgroup_id;         /* the cgroup v2 id (direct reads only) */
};

static __always_inline void proc_links_of(struct task_struct *t, bool direct, struct proc_links *l)
{
	struct task_struct *leader = TREAD(direct, t, group_leader);

	if (!leader)
		leader = t;
	l->leader = leader;
	l->parent = TREAD(direct, leader, real_parent);
	l->v2_cgroup_id = 0;
	if (direct && cgroup_hier == PP_CGROUP_V2) {
		struct cgroup *cg = t->cgroups ? t->cgroups->dfl_cgrp : NULL;

		l->v2_cgroup_id = cg && cg->kn ? cg->kn->id : 0;
	}
}

/* A new process entry for t's thread group, with its name, cgroup, start
 * and parent, in this CPU's scratch slot (not in the map yet). */
static __always_inline struct pp_sched_stats *proc_template(struct task_struct *t, bool direct,
							    const struct proc_links *l)
{
	struct task_struct *leader = l->leader, *parent = l->parent;
	struct pp_sched_stats *st;
	__u32 zero = 0;

	st = bpf_map_lookup_elem(&scratch, &zero);
	if (!st)
		return NULL;
	__builtin_memset(st, 0, sizeof(*st));
	copy_comm(st->comm, leader, direct);
	if (direct && cgroup_hier == PP_CGROUP_V2)
		st->cgroup_id = l->v2_cgroup_id;
	else
		st->cgroup_id = task_cgroup_id(t);
	st->start_ns = TREAD(direct, leader, start_time);
	st->start_boot_ns = start_boottime_of(leader, direct);
	if (parent) {
		st->ppid = TREAD(direct, parent, tgid);
		copy_comm(st->pcomm, parent, direct);
	}
	if (TREAD(direct, t, flags) & PF_KTHREAD)
		st->flags |= PP_PROC_KTHREAD;
	return st;
}

/* The process entry made from its template (l: the task's links, read). */
static __always_inline struct pp_sched_stats *proc_insert(struct task_struct *t, __u32 tgid, bool direct,
							  const struct proc_links *l)
{
	struct pp_sched_stats *st = proc_template(t, direct, l);

	if (!st)
		return NULL;
	bpf_map_update_elem(&sched_stats, &tgid, st, BPF_NOEXIST);
	st = bpf_map_lookup_elem(&sched_stats, &tgid);
	if (!st)
		count_event(PP_CNT_PROC_DROPPED);
	return st;
}

/* The process entry; created when missing. */
static __always_inline struct pp_sched_stats *proc_entry(struct task_struct *t, __u32 tgid, bool direct)
{
	struct pp_sched_stats *st = bpf_map_lookup_elem(&sched_stats, &tgid);
	struct proc_links l;

	if (st)
		return st;
	proc_links_of(t, direct, &l);
	return proc_insert(t, tgid, direct, &l);
}

/*
 * A thread that started after the programs were loaded and is still in its
 * first slice on a CPU (sched_info.pcount counts switch-ins): none of its run
 * time or run-queue waits can have been seen yet.
 */
static __always_inline bool thread_is_new(struct task_struct *t, bool direct)
{
	if (use_iter) /* everything it did is in the kernel's counters */
		return TREAD(direct, t, start_time) >= load_ns;
	return TREAD(direct, t, start_time) >= load_ns && TREAD(direct, t, sched_info.pcount) <= 1;
}

/* Find the thread's entry, creating it if the filter selects the task;
 * may_be_new: counted from its start when it started after the programs
 * were loaded (else from now). */
static __always_inline struct pp_thread *thread_entry_from(struct task_struct *t, __u32 tid,
							   bool direct, bool may_be_new)
{
	__u32 idx = tid & (thread_slots - 1), tgid;
	struct pp_thread *th = bpf_map_lookup_elem(&threads, &idx);
	struct pp_thread init = {};

	if (!th || !tid)
		return NULL;
	if (th->tid == tid) {
		if (!th->exit_task)
			return th;
		if (th->exit_task == task_key(t))
			return NULL; /* exited: its slot holds its mark */
	}
	tgid = TREAD(direct, t, tgid);
	/* its entry may be in the overflow table, made while another thread
	 * held the slot, also once that one has gone and freed it (an unselected
	 * thread, which has none, is turned away before the lookup) */
	if (!th->tid && !task_selected(t, tgid))
		return NULL;
	{
		struct pp_thread *o = bpf_map_lookup_elem(&threads_overflow, &tid);

		if (o)
			return o;
	}
	if (th->tid && !task_selected(t, tgid))
		return NULL;
	if (TREAD(direct, t, flags) & PF_EXITING)
		return NULL; /* do not resurrect a thread that is going away */
	if (!proc_entry(t, tgid, direct))
		return NULL;
	if (use_run_delay && may_be_new && thread_is_new(t, direct)) {
		/* in its first slice: all its time and its one wait are to come
		 * (iterator: all its life is in its counters, bases 0) */
		init.oncpu_ts = 1;
	} else {
		if (use_run_delay)
			init.last_run_delay = TREAD(direct, t, sched_info.run_delay);
		init.last_exec = TREAD(direct, t, se.sum_exec_runtime);
		init.migr_base = TREAD(direct, t, se.nr_migrations);
		if (use_iter) {
			init.last_pcount = TREAD(direct, t, sched_info.pcount);
			init.nvcsw_base = TREAD(direct, t, nvcsw);
			init.nivcsw_base = TREAD(direct, t, nivcsw);
		}
	}
	if (!th->tid) {
		__builtin_memset(th, 0, sizeof(*th));
		th->oncpu_ts = init.oncpu_ts;
		th->last_run_delay = init.last_run_delay;
		th->last_exec = init.last_exec;
		th->migr_base = init.migr_base;
		th->last_pcount = init.last_pcount;
		th->nvcsw_base = init.nvcsw_base;
		th->nivcsw_base = init.nivcsw_base;
		th->tgid = tgid;
		th->tid = tid;
		return th;
	}
	/* the slot belongs to another live thread */
	init.tid = tid;
	init.tgid = tgid;
	bpf_map_update_elem(&threads_overflow, &tid, &init, BPF_NOEXIST);
	th = bpf_map_lookup_elem(&threads_overflow, &tid);
	if (!th)
		count_event(PP_CNT_THREAD_DROPPED);
	return th;
}

static __always_inline struct pp_thread *thread_entry(struct task_struct *t, __u32 tid, bool direct)
{
	return thread_entry_from(t, tid, direct, true);
}

/* A task became runnable: start its run-queue wait. */
static __always_inline int on_wakeup(struct task_struct *p, bool direct)
{
	struct pp_thread *th = thread_entry(p, TREAD(direct, p, pid), direct);

	if (th && !th->enq_ts)
		th->enq_ts = bpf_ktime_get_ns();
	return 0;
}

static __always_inline void add_wait(struct pp_thread *th, __u64 wait)
{
	__u32 slot = hist_slot_ns(wait);

	th->runq_wait_ns += wait;
	if (slot < PP_HIST_SLOTS)
		th->runq_hist[slot]++;
	if (wait > th->runq_max_ns)
		th->runq_max_ns = wait;
}

/* n waits of their mean each (pp_mean_waits): the iterator's view of run_delay. */
static __always_inline void add_mean_waits(struct pp_thread *th, __u64 d, __u64 n)
{
	pp_add_mean_waits(th->runq_hist, &th->runq_wait_ns, &th->runq_max_ns, d, n);
}

/* The kernel's count of the thread's migrations (set_task_cpu() to another
 * CPU, what sched_migrate_task reports), as of now. */
static __always_inline void take_migrations(struct pp_thread *th, struct task_struct *t, bool direct)
{
	th->migrations = TREAD(direct, t, se.nr_migrations) - th->migr_base;
}

/* What an exited thread ran since on_exit credited it (credited), to its
 * process's entry (gone already when user space read the exit first:
 * counted). */
static __always_inline void add_tail(__u32 tgid, __u64 exec, __u64 credited)
{
	struct pp_sched_stats *st = bpf_map_lookup_elem(&sched_stats, &tgid);

	if (!st)
		count_event(PP_CNT_EXIT_TAIL_LATE);
	else if (exec > credited)
		__sync_fetch_and_add(&st->oncpu_ns, exec - credited);
}

/* task_struct.__state of a task at its last switch (do_task_dead) */
#define PP_TASK_DEAD 0x80

/* task_struct.policy of the fair class (uapi/linux/sched.h; vmlinux.h has
 * no macros): the class that keeps se.prev_sum_exec_runtime */
#define PP_SCHED_NORMAL 0
#define PP_SCHED_BATCH 3
#define PP_SCHED_IDLE 5

/*
 * The slot holding the exit mark of the task at `task` (tid, tgid now): its
 * thread's, or, when an exec by another thread of its group gave it that
 * thread's pid, the slot of its old pid, the leader's (tgid).
 */
static __always_inline struct pp_thread *mark_slot(__u32 tid, __u32 tgid, __u64 task)
{
	__u32 idx = tid & (thread_slots - 1);
	struct pp_thread *m = bpf_map_lookup_elem(&threads, &idx);

	if (m && m->tid && m->exit_task == task)
		return m;
	if (tgid == tid)
		return NULL;
	idx = tgid & (thread_slots - 1);
	m = bpf_map_lookup_elem(&threads, &idx);
	return m && m->tid && m->exit_task == task ? m : NULL;
}

/* What the exited task at `task` ran since its mark (exec: its sum now),
 * to its process; end: the mark is taken back. */
static __always_inline void take_tail(__u32 tid, __u32 tgid, __u64 task, __u64 exec, bool end)
{
	struct pp_thread *m;
	__u64 *at;

	if (!task)
		return;
	m = mark_slot(tid, tgid, task);
	if (m) {
		if (exec > m->last_exec) {
			add_tail(m->tgid, exec, m->last_exec);
			m->last_exec = exec;
		}
		if (end)
			m->tid = 0; /* frees the slot (zeroed by the next owner) */
		return;
	}
	if (!lru_marks)
		return;
	at = bpf_map_lookup_elem(&exit_exec, &task);
	if (!at)
		return;
	if (exec > *at) {
		add_tail(tgid, exec, *at);
		*at = exec;
	}
	if (end && !bpf_map_delete_elem(&exit_exec, &task))
		__sync_fetch_and_sub(&lru_marks, 1);
}

/*
 * sched_source = switch: a thread leaving a CPU after its exit tracepoint
 * (do_exit goes on: files closed, the parent told, its memory unmapped) has
 * its exit marked (mark_exit); what it ran since is added to its process
 * here, where its counters are hot, and its last switch (TASK_DEAD, not a
 * preemption: it never runs again) ends the mark. No program runs per
 * freed task.
 */
static __always_inline void exit_tail_at_switch(struct task_struct *prev, __u32 tid, bool preempt,
						bool direct)
{
	if (!(TREAD(direct, prev, flags) & PF_EXITING))
		return;
	take_tail(tid, TREAD(direct, prev, tgid), task_key(prev),
		  TREAD(direct, prev, se.sum_exec_runtime),
		  !preempt && (task_state(prev, direct) & PP_TASK_DEAD));
}

/*
 * With the kernel's run_delay only the task leaving the CPU is looked at:
 * between two of its switch-outs it was switched in exactly once, so the
 * growth of its run_delay is the one wait that ended then, and its
 * sum_exec_runtime the time it ran since. The task coming in is not touched
 * (one entry per switch instead of two, and no clock read). A thread is
 * first seen when it leaves a CPU (or by the tick, or at its exit); a new
 * one is counted from its start (thread_is_new), a thread already running
 * when perfpilot started from that first sight on.
 */
static __always_inline int on_switch_rd(bool preempt, struct task_struct *prev, bool direct)
{
	__u32 tid = TREAD(direct, prev, pid);
	struct pp_thread *th = thread_entry(prev, tid, direct);
	__u64 exec, rd;

	if (!th) {
		exit_tail_at_switch(prev, tid, preempt, direct);
		return 0;
	}
	exec = TREAD(direct, prev, se.sum_exec_runtime);
	if (exec > th->last_exec)
		th->oncpu_ns += exec - th->last_exec;
	th->last_exec = exec;
	take_migrations(th, prev, direct);
	rd = TREAD(direct, prev, sched_info.run_delay);
	if (th->oncpu_ts) /* this slice's switch-in happened while watched */
		add_wait(th, rd > th->last_run_delay ? rd - th->last_run_delay : 0);
	th->last_run_delay = rd;
	th->oncpu_ts = 1;
	if (preempt || task_state(prev, direct) == 0)
		th->nivcsw++;
	else
		th->nvcsw++;
	return 0;
}

/*
 * sched_source = iterator: bring the thread up to date from the kernel's
 * own per-task counters, what on_switch_rd accumulates switch by switch.
 * On-CPU time, run-queue wait total, switch counts and migrations are
 * exact; the waits of one thread since the last look go into the histogram
 * and the maximum at their mean (add_mean_waits). The kernel counts a
 * switch-out while preempted or still runnable as involuntary (nivcsw), as
 * on_switch_rd does. Runs in the iterator (user space's CPU, once per
 * interval) and at the thread's exit (the iterator leaves exiting threads
 * to on_exit); another CPU may run the thread meanwhile: its counters only
 * grow, what it adds after they were read is taken next time.
 */
static __always_inline void sync_thread(struct pp_thread *th, struct task_struct *t, bool direct)
{
	__u64 exec = TREAD(direct, t, se.sum_exec_runtime);
	__u64 rd = TREAD(direct, t, sched_info.run_delay);
	__u64 pc = TREAD(direct, t, sched_info.pcount);
	__u64 nv = TREAD(direct, t, nvcsw), niv = TREAD(direct, t, nivcsw);

	if (exec > th->last_exec)
		th->oncpu_ns += exec - th->last_exec;
	th->last_exec = exec;
	take_migrations(th, t, direct);
	add_mean_waits(th, rd > th->last_run_delay ? rd - th->last_run_delay : 0,
		       pc > th->last_pcount ? pc - th->last_pcount : 0);
	th->last_run_delay = rd;
	th->last_pcount = pc;
	th->nvcsw = nv > th->nvcsw_base ? nv - th->nvcsw_base : 0;
	th->nivcsw = niv > th->nivcsw_base ? niv - th->nivcsw_base : 0;
}

static __always_inline int on_switch(bool preempt, struct task_struct *prev,
				     struct task_struct *next, bool direct)
{
	__u32 tid = TREAD(direct, prev, pid);
	__u64 now = bpf_ktime_get_ns();
	struct pp_thread *th;

	th = thread_entry(prev, tid, direct);
	if (!th)
		exit_tail_at_switch(prev, tid, preempt, direct);
	else {
		bool involuntary = preempt || task_state(prev, direct) == 0;

		/*
		 * On-CPU time is the kernel's own: se.sum_exec_runtime, brought up
		 * to date before the switch. A missed switch-in costs nothing.
		 */
		__u64 exec = TREAD(direct, prev, se.sum_exec_runtime);

		if (exec > th->last_exec)
			th->oncpu_ns += exec - th->last_exec;
		th->last_exec = exec;
		take_migrations(th, prev, direct);
		th->oncpu_ts = 0;
		if (involuntary) {
			th->nivcsw++;
			th->enq_ts = now; /* still runnable: it waits from now on */
		} else {
			th->nvcsw++;
		}
	}

	th = thread_entry(next, TREAD(direct, next, pid), direct);
	if (!th)
		return 0;
	th->oncpu_ts = now;
	if (th->enq_ts) {
		add_wait(th, now - th->enq_ts);
		th->enq_ts = 0;
	}
	return 0;
}

static __always_inline int on_fork(struct task_struct *parent, struct task_struct *child, bool direct)
{
	__u32 ptgid = TREAD(direct, parent, tgid), ctgid = TREAD(direct, child, tgid);
	__u8 one = 1;

	if (!follow_children || ptgid == ctgid)
		return 0;
	if (bpf_map_lookup_elem(&pid_filter, &ptgid))
		bpf_map_update_elem(&pid_filter, &ctgid, &one, BPF_ANY);
	return 0;
}

/* Fold an exiting thread's counters into its process entry. */
static __always_inline void fold_thread(struct pp_sched_stats *st, struct pp_thread *th, __u64 exec)
{
	int i;

	if (exec > th->last_exec)
		th->oncpu_ns += exec - th->last_exec;
	__sync_fetch_and_add(&st->oncpu_ns, th->oncpu_ns);
	__sync_fetch_and_add(&st->runq_wait_ns, th->runq_wait_ns);
	__sync_fetch_and_add(&st->nvcsw, th->nvcsw);
	__sync_fetch_and_add(&st->nivcsw, th->nivcsw);
	__sync_fetch_and_add(&st->migrations, th->migrations);
	if (th->runq_max_ns > st->runq_max_ns)
		st->runq_max_ns = th->runq_max_ns;
	for (i = 0; i < PP_HIST_SLOTS; i++)
		if (th->runq_hist[i])
			__sync_fetch_and_add(&st->runq_hist[i], th->runq_hist[i]);
}

/* The whole thread group is gone: the name after any exec (for a process
 * user space never saw) and the time. */
static __always_inline void mark_exited(struct pp_sched_stats *st, struct task_struct *p, bool direct)
{
	copy_comm(st->comm, p, direct);
	st->exit_ns = bpf_ktime_get_ns();
	st->flags |= PP_PROC_EXITED;
}

static __always_inline int on_exit(__u64 *ctx, struct task_struct *p, bool direct)
{
	__u32 tid = TREAD(direct, p, pid), tgid = TREAD(direct, p, tgid);
	struct pp_sched_stats *st = bpf_map_lookup_elem(&sched_stats, &tgid);
	__u32 idx = tid & (thread_slots - 1);
	struct pp_thread *tslot = bpf_map_lookup_elem(&threads, &idx), *th = tslot;
	bool group_dead, in_overflow = false;
	struct proc_links l;

	proc_links_of(p, direct, &l);

	/* thread_find, knowing which table holds the entry: the overflow table
	 * also when the slot is free (its holder gone since) */
	if (th && (!tid || th->tid != tid || th->exit_task)) {
		th = tid ? bpf_map_lookup_elem(&threads_overflow, &tid) : NULL;
		in_overflow = th != NULL;
	}

	if (exit_has_group_dead)
		group_dead = (bool)ctx[1];
	else
		group_dead = BPF_CORE_READ(p, signal, live.counter) == 0;

	if (!th && use_run_delay && tid && thread_is_new(p, direct) && task_selected(p, tgid)) {
		/* a new thread that exits in its first slice: never seen leaving a
		 * CPU, its whole run time and its one wait are folded here */
		__u64 rd = TREAD(direct, p, sched_info.run_delay);
		__u64 exec = TREAD(direct, p, se.sum_exec_runtime);
		__u64 migr = TREAD(direct, p, se.nr_migrations);
		__u64 nv = 0, niv = 0, waits = 1, mean = rd;
		__u32 slot;

		if (use_iter) {
			/* its whole life: all its switches, its waits at their mean */
			nv = TREAD(direct, p, nvcsw);
			niv = TREAD(direct, p, nivcsw);
			waits = pp_mean_waits(rd, TREAD(direct, p, sched_info.pcount), &mean);
		}
		slot = hist_slot_ns(mean);

		if (!st) {
			/* most such threads are a short-lived process's only one:
			 * its entry is made whole here and inserted once (no
			 * second lookup, no atomics) */
			struct pp_sched_stats *n = proc_template(p, direct, &l);

			if (n) {
				n->oncpu_ns = exec;
				n->migrations = migr;
				n->runq_wait_ns = rd;
				n->runq_max_ns = mean;
				n->nvcsw = nv;
				n->nivcsw = niv;
				if (slot < PP_HIST_SLOTS && waits)
					n->runq_hist[slot] = (__u32)waits;
				if (group_dead)
					mark_exited(n, p, direct);
				if (!bpf_map_update_elem(&sched_stats, &tgid, n, BPF_NOEXIST)) {
					mark_exit(tslot, false, p, tid, tgid, exec);
					goto out;
				}
				/* another thread of the group made it meanwhile, or full */
				st = bpf_map_lookup_elem(&sched_stats, &tgid);
				if (!st)
					count_event(PP_CNT_PROC_DROPPED);
			}
		}
		if (st) {
			mark_exit(tslot, false, p, tid, tgid, exec);
			__sync_fetch_and_add(&st->oncpu_ns, exec);
			__sync_fetch_and_add(&st->migrations, migr);
			__sync_fetch_and_add(&st->runq_wait_ns, rd);
			if (nv)
				__sync_fetch_and_add(&st->nvcsw, nv);
			if (niv)
				__sync_fetch_and_add(&st->nivcsw, niv);
			if (slot < PP_HIST_SLOTS && waits)
				__sync_fetch_and_add(&st->runq_hist[slot], (__u32)waits);
			if (mean > st->runq_max_ns)
				st->runq_max_ns = mean;
		}
	} else if (!th && tid && (st || group_dead) && task_selected(p, tgid)) {
		/*
		 * A thread never seen leaving a CPU while watched: one there before
		 * the programs that ran from a wakeup to its exit in one slice (or
		 * a later one whose first switch-out came after PF_EXITING). What
		 * it ran while watched: since its start when it started after the
		 * load; else at most its current slice (sum_exec_runtime since its
		 * switch-in, which only the fair class keeps: nothing for others),
		 * capped at the time since the load. Its waits and switches before
		 * are unknown. The last thread of a process gets it an entry all
		 * the same (marked exited below), so that what else the process
		 * did (connections, IO) is reported with its exit instead of being
		 * taken for a late event of a process gone; another thread adds to
		 * an entry only if there is one (else one made now might never be
		 * marked exited: the group's last exit may have been reported).
		 */
		__u64 exec = TREAD(direct, p, se.sum_exec_runtime);
		__u64 since = bpf_ktime_get_ns() - load_ns;
		__u64 ran = 0;

		if (TREAD(direct, p, start_time) >= load_ns) {
			ran = exec;
		} else {
			__u32 pol = TREAD(direct, p, policy);

			if (pol == PP_SCHED_NORMAL || pol == PP_SCHED_BATCH || pol == PP_SCHED_IDLE) {
				__u64 from = TREAD(direct, p, se.prev_sum_exec_runtime);

				ran = exec > from ? exec - from : 0;
			}
		}
		if (!st)
			st = proc_insert(p, tgid, direct, &l);
		if (st) {
			__sync_fetch_and_add(&st->oncpu_ns, ran < since ? ran : since);
			mark_exit(tslot, false, p, tid, tgid, exec);
		}
	}
	if (th) {
		if (use_iter) /* what it did since the iterator's last look */
			sync_thread(th, p, direct);
		else
			take_migrations(th, p, direct);
		if (st) {
			__u64 exec = TREAD(direct, p, se.sum_exec_runtime);

			fold_thread(st, th, exec);
			/* its own slot becomes the mark (taken until the free) */
			mark_exit(tslot, !in_overflow, p, tid, tgid, exec);
		} else if (!in_overflow) {
			th->tid = 0; /* frees the slot (zeroed by the next owner) */
		}
		if (in_overflow)
			bpf_map_delete_elem(&threads_overflow, &tid);
	}
	if (!group_dead)
		return 0;
	if (st)
		mark_exited(st, p, direct);
out:
	if (group_dead && filter_mode == PP_FILTER_PID && follow_children)
		bpf_map_delete_elem(&pid_filter, &tgid);
	return 0;
}

/*
 * An exec by a thread other than its group's leader: the kernel has ended
 * the other threads and given this one the leader's pid (and start time).
 * Its entry under its old pid is folded into its process now, as at an
 * exit, and one made under its new pid from the kernel's counters as they
 * are: else what it ran since its last look would be lost, and, with the
 * iterator, the thread (new by its borrowed start time) would count its
 * whole life again.
 */
static __always_inline int on_exec(struct task_struct *p, __u32 old_pid, bool direct)
{
	__u32 tid = TREAD(direct, p, pid), tgid, idx = old_pid & (thread_slots - 1);
	struct pp_sched_stats *st;
	bool in_overflow = false;
	struct pp_thread *th;

	if (old_pid == tid || !old_pid)
		return 0;
	th = bpf_map_lookup_elem(&threads, &idx);
	if (th && (th->tid != old_pid || th->exit_task)) {
		th = bpf_map_lookup_elem(&threads_overflow, &old_pid);
		in_overflow = th != NULL;
	}
	if (!th)
		return 0; /* not watched, or never seen */
	tgid = TREAD(direct, p, tgid);
	if (use_iter)
		sync_thread(th, p, direct);
	else
		take_migrations(th, p, direct);
	st = bpf_map_lookup_elem(&sched_stats, &tgid);
	if (st)
		fold_thread(st, th, TREAD(direct, p, se.sum_exec_runtime));
	if (in_overflow)
		bpf_map_delete_elem(&threads_overflow, &old_pid);
	else
		th->tid = 0; /* frees the slot (zeroed by the next owner) */
	thread_entry_from(p, tid, direct, false);
	return 0;
}

/* sched_source = iterator: the task is freed, after its last switch-out. */
static __always_inline int on_free(struct task_struct *p, bool direct)
{
	take_tail(TREAD(direct, p, pid), TREAD(direct, p, tgid), task_key(p),
		  TREAD(direct, p, se.sum_exec_runtime), true);
	return 0;
}

/*
 * Credit the running task's time so far (as of the kernel's last update),
 * so that a task that never leaves the CPU still shows its time in every
 * interval. Runs from a low-rate per-CPU software timer event.
 */
SEC("perf_event")
int oncpu_tick(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct pp_thread *th;
	__u64 exec;

	if (!tid)
		return 0;
	th = thread_entry(t, tid, false); /* created here if its switch-in was missed */
	if (!th)
		return 0;
	exec = BPF_CORE_READ(t, se.sum_exec_runtime);
	if (exec > th->last_exec)
		th->oncpu_ns += exec - th->last_exec;
	th->last_exec = exec;
	take_migrations(th, t, false);
	return 0;
}

/*
 * sched_source = iterator: every thread of the host (bpf_iter__task visits
 * each task, threads included), once per interval, run by user space just
 * before it reads the maps (and once at start, to take the bases of the
 * threads already running). Writes nothing to the seq file.
 */
SEC("iter/task")
int sched_iter(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct pp_thread *th;

	if (!t)
		return 0;
	/* an exiting thread is folded by on_exit: left alone here, the two do
	 * not add the same delta on two CPUs at once */
	if (t->flags & PF_EXITING)
		return 0;
	th = thread_entry(t, t->pid, true);
	if (th)
		sync_thread(th, t, true);
	return 0;
}

/* tp_btf variants */
SEC("tp_btf/sched_switch")
int BPF_PROG(sched_switch_btf, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	if (use_run_delay)
		return on_switch_rd(preempt, prev, true);
	return on_switch(preempt, prev, next, true);
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(sched_wakeup_btf, struct task_struct *p)
{
	return on_wakeup(p, true);
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(sched_wakeup_new_btf, struct task_struct *p)
{
	return on_wakeup(p, true);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(sched_fork_btf, struct task_struct *parent, struct task_struct *child)
{
	return on_fork(parent, child, true);
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(sched_exit_btf, struct task_struct *p)
{
	return on_exit(ctx, p, true);
}

SEC("tp_btf/sched_process_free")
int BPF_PROG(sched_free_btf, struct task_struct *p)
{
	return on_free(p, true);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(sched_exec_btf, struct task_struct *p, pid_t old_pid)
{
	return on_exec(p, (__u32)old_pid, true);
}

/* raw_tp variants: same bodies, untyped arguments */
SEC("raw_tp/sched_switch")
int BPF_PROG(sched_switch_raw, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	if (use_run_delay)
		return on_switch_rd(preempt, prev, false);
	return on_switch(preempt, prev, next, false);
}

SEC("raw_tp/sched_wakeup")
int BPF_PROG(sched_wakeup_raw, struct task_struct *p)
{
	return on_wakeup(p, false);
}

SEC("raw_tp/sched_wakeup_new")
int BPF_PROG(sched_wakeup_new_raw, struct task_struct *p)
{
	return on_wakeup(p, false);
}

SEC("raw_tp/sched_process_fork")
int BPF_PROG(sched_fork_raw, struct task_struct *parent, struct task_struct *child)
{
	return on_fork(parent, child, false);
}

SEC("raw_tp/sched_process_exit")
int BPF_PROG(sched_exit_raw, struct task_struct *p)
{
	return on_exit(ctx, p, false);
}

SEC("raw_tp/sched_process_free")
int BPF_PROG(sched_free_raw, struct task_struct *p)
{
	return on_free(p, false);
}

SEC("raw_tp/sched_process_exec")
int BPF_PROG(sched_exec_raw, struct task_struct *p, pid_t old_pid)
{
	return on_exec(p, (__u32)old_pid, false);
}
