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

/* Default capacities; user space may resize the maps before load. */
#define PP_MAX_PROCS_DEFAULT   8192
#define PP_THREAD_SLOTS_DEFAULT 65536 /* power of two */
#define PP_THREAD_OVERFLOW     8192
#define PP_MAX_FILTER          4096

/* How the collectors select tasks (in the kernel). */
enum pp_filter_mode {
	PP_FILTER_ALL = 0,    /* every task on the host */
	PP_FILTER_PID = 1,    /* tgid present in the pid_filter map */
	PP_FILTER_CGROUP = 2, /* task's cgroup is the target or a descendant */
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
	__u64 oncpu_ts;   /* when it was switched in, 0 when off CPU */
	__u64 last_exec;  /* the kernel's se.sum_exec_runtime when last credited */
	__u64 enq_ts;     /* when it became runnable, 0 when not waiting */
	__u64 last_run_delay; /* the kernel's sched_info.run_delay at the last switch-out */
	__u64 oncpu_ns;
	__u64 runq_wait_ns;
	__u64 runq_max_ns;
	__u64 nvcsw;
	__u64 nivcsw;
	__u64 migrations;
	__u32 runq_hist[PP_HIST_SLOTS];
};

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

/* A request between its start and its completion, keyed by its address. */
struct pp_rq {
	__u64 start_ts;  /* submitted (block_io_start or insert) */
	__u64 issue_ts;  /* handed to the driver */
	__u32 tgid;      /* submitter, 0 when not selected by the filter */
	__u32 dev;
};

/* Per-process TCP, keyed by tgid of the socket's owner. */
struct pp_net_stats {
	__u64 tx_bytes;
	__u64 rx_bytes;
	__u64 retrans;
	__u64 resets;
	__u64 connects;     /* active opens that reached ESTABLISHED */
	__u64 accepts;      /* passive opens, counted for the listener's owner */
	__u64 closes;
	__u64 rtt_max_us;
	__u32 rtt_hist[PP_HIST_SLOTS]; /* smoothed RTT samples (tcp_probe), log2 us */
};

#define PP_SOCK_CLOSED 0x1u

/* A TCP connection, keyed by its struct sock address. */
struct pp_sock {
	__u32 tgid;        /* owner: the process that connected, listened or used it */
	__u32 netns;       /* network namespace inode number */
	__u16 family;      /* AF_INET or AF_INET6 */
	__u16 sport, dport; /* host byte order */
	__u16 flags;       /* PP_SOCK_* */
	__u8 saddr[16], daddr[16];
	__u64 tx_bytes;
	__u64 rx_bytes;
	__u64 retrans;
	__u32 srtt_us;     /* last smoothed RTT */
	__u32 pad;
	__u64 start_ns;    /* when perfpilot first saw it */
	__u64 close_ns;
	char comm[PP_COMM_LEN]; /* the owner's name when it was set */
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

/* Sample counts are aggregated in the kernel per this key; stack ids are
 * keys of the stack-trace map or PP_STACK_NONE / PP_STACK_LOST. */
struct pp_prof_key {
	__u32 tgid;
	__s32 ustack;
	__s32 kstack;
	__u32 pad;
	char comm[PP_COMM_LEN];
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
