// SPDX-License-Identifier: GPL-2.0
/*
 * Memory collector: minor/major faults, RSS, direct-reclaim stalls and OOM
 * kills, per thread group.
 *
 * Faults come from the kernel's own fault accounting (the software perf
 * events PAGE_FAULTS_MIN/MAJ that mm_account_fault() raises next to
 * task->min_flt/maj_flt), so they are architecture independent and match
 * /proc/PID/stat exactly.
 */
#include "common.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 page_size = 4096;
const volatile bool victim_is_task = true; /* mark_victim(task, uid) vs (pid) */

enum { MM_FILE = 0, MM_ANON = 1, MM_SWAP = 2, MM_SHMEM = 3 };

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PP_MAX_PROCS_DEFAULT);
	__type(key, __u32);
	__type(value, struct pp_mem_stats);
} mem_stats SEC(".maps");

/* Threads currently in direct reclaim: tid -> start time. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u64);
} reclaim_start SEC(".maps");

static __always_inline struct pp_mem_stats *mem_of(__u32 tgid)
{
	static const struct pp_mem_stats zero;
	struct pp_mem_stats *ms = lookup_or_init(&mem_stats, &tgid, &zero);

	if (!ms)
		count_event(PP_CNT_MEM_DROPPED);
	return ms;
}

static __always_inline struct pp_mem_stats *current_mem(void)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (!tgid || !task_selected(t, tgid))
		return NULL;
	return mem_of(tgid);
}

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pp_fault_pending);
} fault_pending SEC(".maps");

/*
 * Minor faults come in runs from one process on a CPU: they are counted in
 * this CPU's pending slot (no hash lookup, no atomic), and added to the
 * process's entry when another process faults on this CPU. The entry is
 * created when a run starts, while the process lives; the run's count goes
 * only to an entry that still exists (one user space forgot after the
 * process's exit was reported with its pending count). Readers add the
 * pending counts (struct pp_fault_pending), so nothing is lost or late.
 */
SEC("perf_event")
int fault_min(void *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32, zero = 0;
	struct pp_fault_pending *p = bpf_map_lookup_elem(&fault_pending, &zero);
	struct pp_mem_stats *ms;
	__u64 n;

	if (!p)
		return 0;
	if (p->tgid == tgid && tgid) {
		if (p->selected)
			p->minflt++;
		return 0;
	}
	/* another process: the previous run's count to its entry */
	n = p->minflt;
	p->minflt = 0; /* before the entry grows: a reader may miss a run, never count it twice */
	if (n) {
		__u32 prev = p->tgid;

		ms = bpf_map_lookup_elem(&mem_stats, &prev);
		if (ms)
			__sync_fetch_and_add(&ms->minflt, n);
	}
	p->selected = 0;
	p->tgid = tgid;
	if (!tgid || !task_selected((void *)bpf_get_current_task(), tgid) || !mem_of(tgid))
		return 0;
	p->selected = 1;
	p->minflt = 1;
	return 0;
}

SEC("perf_event")
int fault_maj(void *ctx)
{
	struct pp_mem_stats *ms = current_mem();

	if (ms)
		__sync_fetch_and_add(&ms->majflt, 1);
	return 0;
}

/* Before 6.2 the counters were atomics in struct mm_rss_stat. */
struct mm_rss_stat___old {
	atomic_long_t count[4];
} __attribute__((preserve_access_index));

struct mm_struct___old {
	struct mm_rss_stat___old rss_stat;
} __attribute__((preserve_access_index));

/* file + anon + shmem pages, read the way the rss_stat tracepoint reads them */
static __always_inline __s64 mm_rss_pages(struct mm_struct *mm, bool direct)
{
	if (bpf_core_type_exists(struct mm_rss_stat___old)) {
		struct mm_struct___old *old = (void *)mm;

		return BPF_CORE_READ(old, rss_stat.count[MM_FILE].counter) +
		       BPF_CORE_READ(old, rss_stat.count[MM_ANON].counter) +
		       BPF_CORE_READ(old, rss_stat.count[MM_SHMEM].counter);
	}
	/* percpu_counter since 6.2: the folded count */
	return TREAD(direct, mm, rss_stat[MM_FILE].count) + TREAD(direct, mm, rss_stat[MM_ANON].count) +
	       TREAD(direct, mm, rss_stat[MM_SHMEM].count);
}

/* Per CPU: the address space of the last rss_stat event and the counts seen. */
struct rss_seen {
	__u64 mm;
	__s64 count[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rss_seen);
} rss_last SEC(".maps");

/*
 * rss_stat fires on every change of every RSS counter of every process, but
 * what it reports (and what is read here) is the folded count of a per-CPU
 * counter, which moves only once a CPU's batch (32 pages or more) is folded
 * in. A swap counter's change leaves the RSS alone; an event that shows the same address space with the same count of the
 * counter that changed as the previous event on this CPU cannot change the
 * process's RSS or its peak: it is dropped before any other work, with no
 * loss of precision.
 */
/* One counter's folded count (BTF pointers take constant offsets only). */
static __always_inline __s64 rss_count(struct mm_struct *mm, int member, bool direct)
{
	if (member == MM_FILE)
		return TREAD(direct, mm, rss_stat[MM_FILE].count);
	if (member == MM_ANON)
		return TREAD(direct, mm, rss_stat[MM_ANON].count);
	return TREAD(direct, mm, rss_stat[MM_SHMEM].count);
}

static __always_inline bool rss_unchanged(struct mm_struct *mm, int member, bool direct)
{
	struct rss_seen *seen;
	__u32 zero = 0;
	__s64 count;

	if (member == MM_SWAP)
		return true; /* swap entries are not resident */
	if (bpf_core_type_exists(struct mm_rss_stat___old) || member < 0 || member > MM_SHMEM)
		return false;
	seen = bpf_map_lookup_elem(&rss_last, &zero);
	if (!seen)
		return false;
	count = rss_count(mm, member, direct);
	if (seen->mm == (__u64)mm) {
		if (seen->count[member & 3] == count)
			return true;
		seen->count[member & 3] = count;
		return false;
	}
	seen->mm = (__u64)mm;
	seen->count[MM_FILE] = TREAD(direct, mm, rss_stat[MM_FILE].count);
	seen->count[MM_ANON] = TREAD(direct, mm, rss_stat[MM_ANON].count);
	seen->count[MM_SHMEM] = TREAD(direct, mm, rss_stat[MM_SHMEM].count);
	return false;
}

static __always_inline int on_rss_stat(struct mm_struct *mm, int member, bool direct)
{
	struct task_struct *cur, *owner = NULL;
	struct pp_mem_stats *ms;
	__s64 pages, bytes;
	__u32 tgid;

	if (!mm || rss_unchanged(mm, member, direct))
		return 0;
	cur = direct ? bpf_get_current_task_btf() : (void *)bpf_get_current_task();
	if (TREAD(direct, cur, mm) == mm) {
		owner = cur;
	} else if (bpf_core_field_exists(mm->owner)) {
		owner = TREAD(direct, mm, owner);
	}
	if (!owner) {
		count_event(PP_CNT_RSS_UNATTRIBUTED);
		return 0;
	}
	tgid = TREAD(direct, owner, tgid);
	if (!tgid || !task_selected(owner, tgid))
		return 0;
	pages = mm_rss_pages(mm, direct);
	bytes = pages > 0 ? pages * page_size : 0;
	ms = mem_of(tgid);
	if (!ms)
		return 0;
	ms->rss_bytes = bytes;
	if (bytes > ms->rss_peak_bytes)
		ms->rss_peak_bytes = bytes;
	return 0;
}

static __always_inline int on_reclaim_begin(void)
{
	__u64 id = bpf_get_current_pid_tgid(), now;
	struct task_struct *t = (void *)bpf_get_current_task();
	__u32 tid = (__u32)id;

	if (!task_selected(t, id >> 32))
		return 0;
	now = bpf_ktime_get_ns();
	bpf_map_update_elem(&reclaim_start, &tid, &now, BPF_ANY);
	return 0;
}

static __always_inline int on_reclaim_end(void)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct pp_mem_stats *ms;
	__u64 *start;

	start = bpf_map_lookup_elem(&reclaim_start, &tid);
	if (!start)
		return 0;
	ms = mem_of(id >> 32);
	if (ms) {
		__sync_fetch_and_add(&ms->reclaim_stall_ns, bpf_ktime_get_ns() - *start);
		__sync_fetch_and_add(&ms->reclaim_count, 1);
	}
	bpf_map_delete_elem(&reclaim_start, &tid);
	return 0;
}

static __always_inline int on_mark_victim(__u64 arg0)
{
	struct pp_mem_stats *ms;
	__u32 tgid;

	if (victim_is_task) {
		struct task_struct *t = (void *)arg0;

		tgid = BPF_CORE_READ(t, tgid);
		if (!task_selected(t, tgid))
			return 0;
	} else {
		/* older kernels pass only the pid; count it unfiltered by cgroup */
		tgid = (__u32)arg0;
		if (filter_mode == PP_FILTER_PID && !bpf_map_lookup_elem(&pid_filter, &tgid))
			return 0;
	}
	ms = mem_of(tgid);
	if (ms)
		__sync_fetch_and_add(&ms->oom_kills, 1);
	return 0;
}

SEC("tp_btf/rss_stat")
int BPF_PROG(rss_stat_btf, struct mm_struct *mm, int member)
{
	return on_rss_stat(mm, member, true);
}

SEC("raw_tp/rss_stat")
int BPF_PROG(rss_stat_raw, struct mm_struct *mm, int member)
{
	return on_rss_stat(mm, member, false);
}

SEC("tp_btf/mm_vmscan_direct_reclaim_begin")
int BPF_PROG(reclaim_begin_btf)
{
	return on_reclaim_begin();
}

SEC("raw_tp/mm_vmscan_direct_reclaim_begin")
int BPF_PROG(reclaim_begin_raw)
{
	return on_reclaim_begin();
}

SEC("tp_btf/mm_vmscan_direct_reclaim_end")
int BPF_PROG(reclaim_end_btf)
{
	return on_reclaim_end();
}

SEC("raw_tp/mm_vmscan_direct_reclaim_end")
int BPF_PROG(reclaim_end_raw)
{
	return on_reclaim_end();
}

/* Reclaim forced by a cgroup's memory limit stalls the task just the same. */
SEC("tp_btf/mm_vmscan_memcg_reclaim_begin")
int BPF_PROG(memcg_reclaim_begin_btf)
{
	return on_reclaim_begin();
}

SEC("raw_tp/mm_vmscan_memcg_reclaim_begin")
int BPF_PROG(memcg_reclaim_begin_raw)
{
	return on_reclaim_begin();
}

SEC("tp_btf/mm_vmscan_memcg_reclaim_end")
int BPF_PROG(memcg_reclaim_end_btf)
{
	return on_reclaim_end();
}

SEC("raw_tp/mm_vmscan_memcg_reclaim_end")
int BPF_PROG(memcg_reclaim_end_raw)
{
	return on_reclaim_end();
}

SEC("tp_btf/mark_victim")
int BPF_PROG(mark_victim_btf, __u64 arg0)
{
	return on_mark_victim(arg0);
}

SEC("raw_tp/mark_victim")
int BPF_PROG(mark_victim_raw, __u64 arg0)
{
	return on_mark_victim(arg0);
}
