/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types shared by the BPF programs (bpf/) and the user-space side (user/).
 * Everything here must compile both with vmlinux.h (BPF) and with the libc
 * headers (user space), so only fixed-width kernel types are used.
 */
#ifndef PERFPILOT_H
#define PERFPILOT_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define PP_COMM_LEN 16

/* log2 histogram of microseconds: slot i counts values in [2^(i-1), 2^i) us,
 * slot 0 counts values below 1 us. */
#define PP_HIST_SLOTS 32

/*
 * The slot of a value in nanoseconds: floor(log2(ns / 1000)) + 1, 0 below
 * 1 us, the last slot for everything above it. Without a division (a
 * 64-bit divide is the dearest instruction of the BPF hot paths): with
 * r = floor(log2(ns)), ns / 1000 lies in [2^(r-10), 2^(r-8)), so the slot
 * is r - 9 or r - 8, told apart by one comparison. Shared by the BPF
 * programs and the tests.
 */
static inline __u32 pp_hist_slot_ns(__u64 ns)
{
	__u64 v = ns;
	__u32 r = 0;

	if (ns < 1000)
		return 0;
	if (ns >= (1ULL << 40)) /* above 2^30 us: the last slot */
		return PP_HIST_SLOTS - 1;
	if (v >= (1ULL << 32)) { v >>= 32; r += 32; }
	if (v >= (1ULL << 16)) { v >>= 16; r += 16; }
	if (v >= (1ULL << 8)) { v >>= 8; r += 8; }
	if (v >= (1ULL << 4)) { v >>= 4; r += 4; }
	if (v >= (1ULL << 2)) { v >>= 2; r += 2; }
	if (v >= (1ULL << 1)) { r += 1; }
	/* 9 <= r <= 39 here */
	r = ns >= (1000ULL << (r - 9)) ? r - 8 : r - 9;
	return r < PP_HIST_SLOTS ? r : PP_HIST_SLOTS - 1;
}

/* Default capacities; user space may resize the maps before load. */
#define PP_MAX_PROCS_DEFAULT   8192
#define PP_THREAD_SLOTS_DEFAULT 65536 /* power of two */
#define PP_THREAD_OVERFLOW     8192
#define PP_MAX_FILTER          4096
#define PP_MAX_CGROUPS         64   /* -c cgroups at most (the cgroup_filter map) */
#define PP_MAX_CGROUP_LEVELS   8    /* distinct depths among them at most */

/* How the collectors select tasks (in the kernel). */
enum pp_filter_mode {
	PP_FILTER_ALL = 0,    /* every task on the host */
	PP_FILTER_PID = 1,    /* tgid present in the pid_filter map */
	PP_FILTER_CGROUP = 2, /* task's cgroup is the target or a descendant */
	PP_FILTER_CGROUPS = 3, /* in the kernel only: under any cgroup of the
				* cgroup_filter map (several -c) */
};

/* Which cgroup hierarchy a task's cgroup is read from. */
enum pp_cgroup_hier {
	PP_CGROUP_V2 = 0, /* task->cgroups->dfl_cgrp */
	PP_CGROUP_V1 = 1, /* task->cgroups->subsys[ssid]->cgroup */
};

/* Global counters, one slot each in the per-CPU `counters` array. */
enum pp_counter {
	PP_CNT_PROC_DROPPED = 0,   /* process entry could not be created (map full) */
	PP_CNT_THREAD_DROPPED = 1, /* thread entry could not be created (map full) */
	PP_CNT_MEM_DROPPED = 2,    /* memory entry could not be created (map full) */
	PP_CNT_RSS_UNATTRIBUTED = 3, /* rss_stat for an mm with no known owner */
	PP_CNT_IO_DROPPED = 4,     /* IO entry (process, request or device) not created */
	PP_CNT_NET_DROPPED = 5,    /* TCP entry (process or connection) not created */
	PP_CNT_NET_UNATTRIBUTED = 6, /* TCP event on a connection with no known owner */
	PP_CNT_EXIT_TAIL_LATE = 7, /* a thread's run time after its exit tracepoint came
				    * after its process's entry was read and removed */
	PP_CNT_MAX = 8,
};

#define PP_PROC_EXITED 0x1u  /* the whole thread group has exited */
#define PP_PROC_KTHREAD 0x2u /* a kernel thread */

/* Per-process (thread group) scheduler statistics, keyed by tgid.
 * Counters are cumulative since the entry was created; user space takes
 * differences between reads. */
struct pp_sched_stats {
	__u64 oncpu_ns;
	__u64 runq_wait_ns;
	__u64 runq_max_ns;  /* largest single wait since creation */
	__u64 nvcsw;
	__u64 nivcsw;
	__u64 migrations;
	__u64 cgroup_id;    /* cgroup id in the reported hierarchy */
	__u64 start_ns;     /* the process's start, monotonic ns (task->start_time) */
	__u64 start_boot_ns; /* the same since boot (start_boottime): with the pid,
			      * the process's identity (/proc/PID/stat starttime) */
	__u64 exit_ns;      /* when the thread group exited (monotonic ns), or 0 */
	__u32 flags;        /* PP_PROC_* */
	__u32 ppid;         /* the parent's tgid when the entry was created */
	char comm[PP_COMM_LEN];
	char pcomm[PP_COMM_LEN]; /* the parent's name then */
	__u32 runq_hist[PP_HIST_SLOTS];
};

/* Per-process memory statistics, keyed by tgid. */
struct pp_mem_stats {
	__u64 minflt;
	__u64 majflt;
	__s64 rss_bytes;      /* anon+file+shmem at the last rss_stat event */
	__s64 rss_peak_bytes; /* largest rss_bytes seen */
	__u64 reclaim_stall_ns;
	__u64 reclaim_count;
	__u64 oom_kills;      /* times this process was chosen as OOM victim */
};

/*
 * The slot of a key in a direct-mapped table of 2^bits slots (Fibonacci
 * hashing: the top bits of key * 2^32 / phi, so that consecutive pids
 * spread over the table).
 */
static inline __u32 pp_slot_of(__u32 key, unsigned int bits)
{
	return (__u32)(key * 2654435761u) >> (32 - bits);
}

/*
 * Minor faults not yet added to mem_stats, one per CPU (a per-CPU array of
 * one element): the faults of the process that last faulted on that CPU.
 * They are added to its entry when another process faults there; readers
 * add the pending counts of processes whose entry they found (read the
 * entries first, then these).
 */
struct pp_fault_pending {
	__u32 tgid;
	__u32 selected; /* the filter selected tgid (its entry exists) */
	__u64 minflt;
};

/*
 * Per-thread state and counters. The hot path touches only the entries of
 * the two threads being switched. Entries live in a direct-mapped array
 * indexed by tid modulo its size (a lookup the verifier inlines); the rare
 * thread whose slot is taken by another live thread goes to an overflow hash.
 * User space sums the threads of a process; an exiting thread folds its
 * counters into the process entry (struct pp_sched_stats) and frees its
 * slot. Only the CPU a thread runs on updates its counters: no atomics.
 */
struct pp_thread {
	__u32 tid;        /* owner of the slot, 0 when free */
	__u32 tgid;
	/* nonzero: the thread has exited and its counters are folded into its
	 * process; the slot keeps last_exec (se.sum_exec_runtime as credited
	 * at the exit) until its last switch or its task's free, and this is
	 * the task's address, to know it then. Readers skip such a slot.
	 * Beside tid: every switch looks at both. */
	__u64 exit_task;
	__u64 oncpu_ts;   /* when it was switched in, 0 when off CPU (with run_delay:
			   * 1 when its next switch-out ends one whole wait) */
	__u64 last_exec;  /* the kernel's se.sum_exec_runtime when last credited */
	__u64 enq_ts;     /* when it became runnable, 0 when not waiting */
	__u64 last_run_delay; /* the kernel's sched_info.run_delay at the last switch-out */
	__u64 migr_base;  /* the kernel's se.nr_migrations when first seen (0: a new thread) */
	__u64 oncpu_ns;
	__u64 runq_wait_ns;
	__u64 runq_max_ns;
	__u64 nvcsw;
	__u64 nivcsw;
	__u64 migrations; /* se.nr_migrations - migr_base when last seen */
	__u32 runq_hist[PP_HIST_SLOTS];
	/* sched_source = iterator (no per-switch program): the kernel's own
	 * per-task counters when the thread was first seen (0: a thread started
	 * after the programs were loaded); nvcsw/nivcsw above are the task's
	 * minus these */
	__u64 nvcsw_base;
	__u64 nivcsw_base;
	__u64 last_pcount; /* sched_info.pcount (switch-ins) at the last look */
};

/*
 * The task iterator sees a thread's run-queue waits only as the kernel's
 * sums: since its last look, n more switch-ins (sched_info.pcount) and d
 * more ns of waiting (sched_info.run_delay). They are counted as n waits of
 * their mean d/n each (the one precision the per-switch programs have and
 * the iterator has not: the spread of one thread's waits within one
 * interval); run_delay that grew without a switch-in (a queued task taken
 * off its run queue) counts as one wait. Returns the number of waits and
 * their mean in *mean.
 */
static inline __u64 pp_mean_waits(__u64 d, __u64 n, __u64 *mean)
{
	if (!n)
		n = d ? 1 : 0;
	*mean = n ? d / n : 0;
	return n;
}

/* Those waits into a thread's counters: d into *wait_ns, n waits in the
 * histogram slot of their mean, the mean into *max_ns if larger. */
static inline void pp_add_mean_waits(__u32 *hist, __u64 *wait_ns, __u64 *max_ns, __u64 d,
				     __u64 n)
{
	__u64 mean;
	__u32 slot;

	n = pp_mean_waits(d, n, &mean);
	if (!n)
		return;
	slot = pp_hist_slot_ns(mean);
	*wait_ns += d;
	if (slot < PP_HIST_SLOTS)
		hist[slot] += (__u32)n;
	if (mean > *max_ns)
		*max_ns = mean;
}

/* Per-process block IO, keyed by tgid of the submitting process. */
struct pp_io_stats {
	__u64 read_bytes;
	__u64 write_bytes;
	__u64 read_ops;
	__u64 write_ops;
	__u64 lat_max_ns;    /* device time, issue to completion */
	__u64 queue_max_ns;  /* time before issue */
	__u32 lat_hist[PP_HIST_SLOTS];
	__u32 queue_hist[PP_HIST_SLOTS];
	__u64 start_ns;      /* the process's start (its leader's start_time, monotonic
			      * ns): with the tgid, whose counters these are */
};

/*
 * A process's block IO counted on one CPU (io.bpf.c): a per-CPU array of
 * PP_IO_SLOTS, the slot chosen by the tgid (pp_slot_of). The process
 * that holds a slot adds there without a hash lookup or an atomic; one
 * whose slot another process holds adds to its io_stats entry. A slot is
 * taken over only once its holder's io_stats entry is gone (user space
 * removed it after reporting the exit). Readers add to each io_stats entry
 * the slots, on every CPU, of the same tgid and st.start_ns.
 */
#define PP_IO_SLOTS_BITS 6
#define PP_IO_SLOTS (1u << PP_IO_SLOTS_BITS)

struct pp_io_slot {
	__u32 tgid; /* holder, 0 while free */
	__u32 pad;
	struct pp_io_stats st; /* st.start_ns: the holder's start */
};

/* Per-device block IO, keyed by the disk's dev_t (major << 20 | minor). */
struct pp_dev_stats {
	__u64 read_bytes;
	__u64 write_bytes;
	__u64 read_ops;
	__u64 write_ops;
	__s64 inflight;      /* issued, not completed, now */
	__s64 inflight_max;  /* largest since the last reset by user space */
	__u64 lat_max_ns;
	__u32 lat_hist[PP_HIST_SLOTS];
	__u32 queue_hist[PP_HIST_SLOTS];
};

/*
 * Disks with a slot of their own (io.bpf.c): PP_DEV_SLOTS, the slot chosen
 * by the disk's number (pp_slot_of) and claimed for good by the first
 * disk that lands in it. The slot keeps the requests in flight (shared by
 * the CPUs that issue and complete them); the counters are the same slot of
 * a per-CPU array of struct pp_dev_stats (inflight fields unused there),
 * which readers sum. A disk whose slot another disk holds is counted in the
 * dev_stats hash instead.
 */
#define PP_DEV_SLOTS_BITS 6
#define PP_DEV_SLOTS (1u << PP_DEV_SLOTS_BITS)

struct pp_dev_slot {
	__u64 dev;          /* the disk's dev_t (PP_DEV_MKDEV), 0 while free */
	__s64 inflight;     /* issued, not completed, now */
	__s64 inflight_max; /* largest since the slot was claimed */
};

/* A request between its start and its completion, keyed by its address. */
struct pp_rq {
	__u64 start_ts;  /* submitted (block_io_start or insert) */
	__u64 issue_ts;  /* handed to the driver */
	__u64 pstart;    /* the submitter's start (struct pp_io_stats.start_ns) */
	__u32 tgid;      /* submitter, 0 when not selected by the filter */
	__u32 dev;
	__u32 bytes;     /* its size when it started */
	__u32 op;        /* its REQ_OP_* (PP_REQ_READ, PP_REQ_WRITE, ...) */
};

/* Per-process TCP, keyed by tgid of the socket's owner. The byte counts
 * hold what the process's connections flushed (when the connection closed
 * or changed owner, or moved data without a connection entry); user space
 * adds the rest from the live connections it owns (struct pp_sock). */
struct pp_net_stats {
	__u64 tx_bytes;
	__u64 rx_bytes;
	__u64 retrans;
	__u64 resets;
	__u64 connects;     /* active opens that reached ESTABLISHED */
	__u64 accepts;      /* passive opens, counted for the listener's owner */
	__u64 closes;
	__u64 rtt_max_us;
	__u32 rtt_hist[PP_HIST_SLOTS]; /* smoothed RTT samples (at send/recv), log2 us */
};

#define PP_SOCK_CLOSED 0x1u

/* A TCP connection, keyed by its struct sock address. What each send or
 * receive reads and writes comes first: with the slot's key, one cache
 * line (struct pp_sock_slot). */
struct pp_sock {
	__u32 tgid;        /* owner: the process that connected, listened or used it */
	__u8 flags;        /* PP_SOCK_*: set at the close (softirq) */
	__u8 named;        /* comm holds the owner's name (set in process context:
			    * its own byte, so that the two never race) */
	__u16 family;      /* AF_INET or AF_INET6 */
	__u64 tx_bytes;
	__u64 rx_bytes;
	__u32 srtt_us;     /* last smoothed RTT */
	__u32 rtt_tick;    /* jiffies (low 32 bits) when it was read */
	__u32 netns;       /* network namespace inode number */
	__u16 sport, dport; /* host byte order */
	__u8 saddr[16], daddr[16];
	/* of the bytes, those already added to the owner's pp_net_stats: the
	 * rest, tx_bytes - tx_flushed, is the owner's too (user space adds it) */
	__u64 tx_flushed;
	__u64 rx_flushed;
	__u64 retrans;
	__u64 start_ns;    /* when perfpilot first saw it */
	__u64 close_ns;
	char comm[PP_COMM_LEN]; /* the owner's name when it was set */
};

/*
 * The live connections: each in a slot of a direct-mapped array chosen by
 * its socket's address (an array lookup, which the verifier inlines), or,
 * when another connection holds that slot, in a hash keyed by the address.
 * Free slots have sk 0.
 */
#define PP_SOCK_SLOTS_BITS 10
#define PP_SOCK_SLOTS (1u << PP_SOCK_SLOTS_BITS)

struct pp_sock_slot {
	__u64 sk; /* the socket's address, 0 when free */
	struct pp_sock s;
	__u64 pad[7]; /* to whole cache lines (the map's elements start on a
		       * page): a send or receive touches the first line only */
};

/* A closed connection waiting to be reported: its socket and when it began
 * (a socket's memory is soon reused by another connection). */
struct pp_closed_key {
	__u64 sk;
	__u64 start_ns;
};

/* A listening socket's owner and its listen() backlog. */
struct pp_listener {
	__u32 tgid;
	__u32 backlog;
};

/* A listening socket's owner, keyed by netns and local port. */
struct pp_listen_key {
	__u32 netns;
	__u32 port;
};

#define PP_DEV_MKDEV(major, minor) (((__u32)(major) << 20) | (__u32)(minor))

/* ---- on-CPU profiler (profile.bpf.c) ---- */

#define PP_STACK_DEPTH 127        /* PERF_MAX_STACK_DEPTH */
#define PP_PROF_STACKS_DEFAULT 16384
#define PP_PROF_KEYS_DEFAULT 16384

/* What the profiler takes: both stacks, or only one kind. */
enum pp_prof_mode {
	PP_PROF_BOTH = 0,
	PP_PROF_KERNEL = 1, /* kernel stacks only; samples in user mode skipped */
	PP_PROF_USER = 2,   /* user stacks only; samples with no user stack skipped */
};

/* Profiler counters, slots of the per-CPU `prof_cnt` array. */
enum pp_prof_counter {
	PP_PROF_SAMPLES = 0,   /* samples of selected tasks */
	PP_PROF_MAP_FULL = 1,  /* sample lost: the counts map was full */
	PP_PROF_STACK_ERR = 2, /* a stack could not be stored (stack map full or collision) */
	PP_PROF_SKIPPED = 3,   /* not of the kind asked for (--kernel-only/--user-only) */
	PP_PROF_CNT_MAX = 4,
};

#define PP_STACK_NONE (-1) /* no stack of this kind (user mode, kernel thread) */
#define PP_STACK_LOST (-2) /* the stack could not be stored (counted) */

/* pp_prof_key.flags: the user stack was walked by the BPF program with the
 * unwind tables (bpf/unwind.bpf.h), and ustack is a key of its `ustacks`
 * map rather than of the stack-trace map. */
#define PP_KEY_USTACK_WALKED 0x1u

/* Sample counts are aggregated in the kernel per this key; stack ids are
 * keys of the stack-trace map (or, with PP_KEY_USTACK_WALKED, the user
 * stack's of the `ustacks` map) or PP_STACK_NONE / PP_STACK_LOST. */
struct pp_prof_key {
	__u32 tgid;
	__s32 ustack;
	__s32 kstack;
	__u32 flags;  /* PP_KEY_* */
	char comm[PP_COMM_LEN];
};

/* ---- user stacks unwound with .eh_frame (bpf/unwind.bpf.h, user/unwind/) ---- */

/*
 * How to find a frame's caller (x86-64), one row per address range of an
 * ELF file, built from its .eh_frame: the canonical frame address (CFA, the
 * stack pointer before the call), the return address always at CFA - 8,
 * and where the caller's rbp was saved. A row applies from its pc up to the
 * next row's.
 */
enum pp_cfa_rule {
	PP_CFA_NONE = 0,   /* no unwind information here (between functions): frame pointers */
	PP_CFA_RSP = 1,    /* CFA = rsp + cfa_off */
	PP_CFA_RBP = 2,    /* CFA = rbp + cfa_off */
	PP_CFA_PLT = 3,    /* a PLT entry: CFA = rsp + 8, + 8 when (rip & 15) >= cfa_off */
	PP_CFA_SIGNAL = 4, /* the signal trampoline (__restore_rt): the interrupted
			    * registers are in the ucontext at rsp (PP_SIGFRAME_*) */
	PP_CFA_END = 5,    /* the outermost frame (return address undefined: _start,
			    * a thread's clone) */
	PP_CFA_UNSUPPORTED = 6, /* a rule the table cannot express (a DWARF
				 * expression, another register): stop */
};

struct pp_unwind_row {
	__u32 pc;      /* ELF virtual address where the row begins */
	__u16 cfa_off; /* see pp_cfa_rule */
	__u8 cfa_rule; /* enum pp_cfa_rule */
	__s8 rbp_off;  /* the caller's rbp is saved at CFA + 8 * rbp_off; 0: rbp unchanged */
};

/* Where the kernel's x86-64 signal frame (struct rt_sigframe, after its
 * return address) keeps the interrupted registers, from the stack pointer
 * the trampoline runs with: the ucontext's uc_mcontext (struct sigcontext)
 * begins 40 bytes in. */
#define PP_SIGFRAME_RBP (40 + 80)
#define PP_SIGFRAME_RSP (40 + 120)
#define PP_SIGFRAME_RIP (40 + 128)

/*
 * The CFA of a frame at address ip (vaddr its ELF address) with stack
 * pointer sp and frame pointer bp, by row r; false for the rules that give
 * none (NONE, END, UNSUPPORTED, SIGNAL: the walker handles those). Shared by
 * the BPF walker and the tests of the tables.
 */
static inline int pp_unwind_cfa(const struct pp_unwind_row *r, __u64 ip, __u64 sp, __u64 bp,
				__u64 *cfa)
{
	switch (r->cfa_rule) {
	case PP_CFA_RSP:
		*cfa = sp + r->cfa_off;
		return 1;
	case PP_CFA_RBP:
		*cfa = bp + r->cfa_off;
		return 1;
	case PP_CFA_PLT: /* mappings are page-aligned: ip & 15 is the ELF address's */
		*cfa = sp + 8 + ((ip & 15) >= r->cfa_off ? 8 : 0);
		return 1;
	default:
		return 0;
	}
}

/* One table in the `unwind_rows` array: its index, nbuckets elements
 * from first (struct pp_unwind_index), then its rows, count of them,
 * sorted by pc. Bucket b of the index covers the ELF addresses from base +
 * (b << shift) up to the next bucket's (the last one all beyond), and
 * says which rows to search for an address there: a binary search of a few
 * rows, not of the whole table. A slot whose gen differs from a mapping's
 * holds another binary's table now (the mapping's was evicted). */
struct pp_unwind_table {
	__u32 first;
	__u32 count;
	__u32 gen;
	__u32 nbuckets;
	__u64 last_used; /* bpf_ktime_get_ns() of the latest walk that used it */
	__u32 base;
	__u8 shift;
	__u8 pad[3];
};

/* A bucket of a table's index (in `unwind_rows`, the size of a row): its
 * rows are [first, first + n) of the table's rows, from the one that
 * covers the bucket's start (or the table's first) to the last that starts
 * inside it. */
struct pp_unwind_index {
	__u32 first;
	__u32 n;
};

#define PP_UNWIND_TABLES_MAX 4096
#define PP_UNWIND_NO_TABLE 0xffffffffu
/* pp_unwind_map.table of a mapping whose binary's table is not built yet:
 * this bit and the binary's id (< PP_UNWIND_WANT_MAX). The walker sets
 * `unwind_want`[id] and goes on with frame pointers; user space builds
 * the tables asked for (only those of the binaries walks land in). */
#define PP_UNWIND_WANT 0x80000000u
#define PP_UNWIND_WANT_MAX 65536

/* One executable mapping of a process that has an unwind table. */
struct pp_unwind_map {
	__u64 start, end; /* its addresses */
	__u64 bias;       /* ELF virtual address = address - bias */
	__u32 table;      /* slot in `unwind_tables` */
	__u32 gen;        /* that slot's gen when this was written */
};

#define PP_UNWIND_MAPS_MAX 128 /* a power of two: the binary search's steps */
#define PP_UNWIND_MAP_STEPS 8  /* log2(PP_UNWIND_MAPS_MAX) + 1 */
#define PP_UNWIND_ROW_STEPS 25 /* tables of up to 2^24 rows */

/* A process's mappings with tables, sorted by start, keyed by tgid. */
struct pp_unwind_proc {
	__u32 n;
	__u32 pad;
	struct pp_unwind_map maps[PP_UNWIND_MAPS_MAX];
};

#define PP_UNWIND_PROCS_DEFAULT 8192
#define PP_UNWIND_ROWS_DEFAULT (1u << 21) /* 16 MiB of rows */

/* A user stack walked by the BPF program: the same layout as a value of
 * the stack-trace map (addresses innermost first, zero after the last). */
struct pp_ustack {
	__u64 ips[PP_STACK_DEPTH];
};

/* Counters of the BPF walker, slots of the per-CPU `unwind_cnt` array. */
enum pp_unwind_counter {
	PP_UW_WALKS = 0,       /* user stacks walked */
	PP_UW_FRAMES_TABLE = 1, /* frames whose caller came from an unwind table */
	PP_UW_FRAMES_FP = 2,   /* frames whose caller came from frame pointers (no table, or
				* no row) */
	PP_UW_END = 3,         /* walks that reached the outermost frame */
	PP_UW_NO_INFO = 4,     /* frames at an address their file's table does not cover (or
				* whose table was evicted): walked on with frame pointers */
	PP_UW_UNSUPPORTED = 5, /* walks stopped at a rule the table cannot express */
	PP_UW_READ_ERR = 6,    /* walks stopped: stack memory unreadable (or not paged in), or
				* a frame whose CFA is not above its stack pointer */
	PP_UW_TRUNCATED = 7,   /* walks that reached the depth limit */
	PP_UW_LOST = 8,        /* walked stacks not stored (map full, or 4 collisions) */
	PP_UW_FP_END = 9,      /* walks that ended where frame pointers gave no caller */
	PP_UW_WANTED = 10,     /* frames in a binary whose table was not built yet (asked for):
				* walked on with frame pointers */
	PP_UW_CNT_MAX = 11,
};

/* ---- off-CPU profiler (offcpu.bpf.c) ---- */

/* Off-CPU counters, slots of the per-CPU `off_cnt` array. */
enum pp_off_counter {
	PP_OFF_BLOCKS = 0,    /* blocks of selected threads at least --min-block-us long */
	PP_OFF_SAMPLED = 1,   /* blocks whose stack was taken */
	PP_OFF_STACK_ERR = 2, /* a stack could not be stored (stack map full or collision) */
	PP_OFF_MAP_FULL = 3,  /* a sampled block lost: the counts map was full */
	PP_OFF_EVICTED = 4,   /* a block not measured: another thread took its slot */
	PP_OFF_SKIPPED = 5,   /* not of the kind asked for (--kernel-only/--user-only) */
	PP_OFF_UNTRACED = 6,  /* a block lost: sched_switch never showed the thread resuming */
	PP_OFF_CNT_MAX = 7,
};

/*
 * Per-thread off-CPU state in a direct-mapped array indexed by tid modulo
 * its size; a selected thread that finds its slot held by another takes it
 * over (the other's block in progress is counted as evicted).
 */
struct pp_offcpu_thread {
	__u32 tid;      /* owner of the slot, 0 when free */
	__u32 tgid;     /* 0: the owner is not selected (the filter runs once) */
	__u64 ts;       /* when it was switched out blocked, 0 when not blocked */
	__u64 pending;  /* blocked ns to credit to its stack at the next switch-in */
	__s32 ustack;   /* eager mode: the stacks taken at switch-out */
	__s32 kstack;
};

/* Blocked time and sampled blocks, aggregated in the kernel per pp_prof_key. */
struct pp_offcpu_val {
	__u64 ns;
	__u64 count;
};

/*
 * The blocked time credited to one block of d ns under a sampling period of
 * `period` ns (below 2^32), given r uniform in [0, 2^32): a block of at least
 * one period is always sampled and credited exactly (d); a shorter one is
 * sampled with probability d / period (r / 2^32 < d / period) and then
 * credited one period, else not at all (0). Either way the expected credit
 * is d, so every stack's expected blocked time is its true blocked time.
 */
static inline __u64 pp_offcpu_credit(__u64 d, __u64 period, __u32 r)
{
	if (d >= period)
		return d;
	return (__u64)r * period < d << 32 ? period : 0;
}

#endif /* PERFPILOT_H */
