/* SPDX-License-Identifier: GPL-2.0 */
/* What this kernel and host support, probed at start-up. */
#ifndef PP_FEATURES_H
#define PP_FEATURES_H

#include <stdbool.h>

struct btf;

struct features {
	bool btf;              /* /sys/kernel/btf/vmlinux present and parsed */
	char kernel[128];      /* uname -r */
	bool tracefs;          /* tracefs mounted (classic tracepoints, kprobes) */
	bool bpffs;            /* /sys/fs/bpf is a bpf file system */
	bool kprobe_events;    /* kprobes configured */
	bool psi;              /* /proc/pressure/cpu readable */
	bool cgroup_v2;        /* a cgroup2 mount exists */
	bool cgroup_v1;        /* a cgroup v1 controller mount exists */
	bool cgroup_v2_controllers; /* the cgroup2 mount has controllers enabled */
	bool perf_sw_events;   /* software perf events can be opened */
	/* tracepoint signatures, from the btf_trace_* typedefs */
	bool exit_has_group_dead;   /* sched_process_exit(p, group_dead) */
	bool mark_victim_has_task;  /* mark_victim(task, uid) vs (pid) */
	int sched_switch_nargs;
	bool retransmit_has_err;   /* tcp_retransmit_skb(sk, skb, err): also failed ones */
	bool sched_info_run_delay; /* task_struct.sched_info.run_delay (CONFIG_SCHED_INFO) */
	bool task_iter;            /* BPF task iterators (struct bpf_iter__task, 5.8+) */
};

/* Fill `f`; never fails (missing pieces are false). */
void features_probe(struct features *f);

/* The kernel's BTF, or NULL (owned by the features module, do not free). */
struct btf *features_vmlinux_btf(void);

/* Free the BTF loaded by the probes (it is loaded again on demand). */
void features_release(void);

/* Number of arguments of tracepoint `tp` (as seen by BPF), -1 if unknown. */
int tp_nargs(const char *tp);

/* Does struct `type` have member `field` in the kernel's BTF? */
bool btf_has_field(const char *type, const char *field);

#endif
