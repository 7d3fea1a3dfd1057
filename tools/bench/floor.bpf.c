// SPDX-License-Identifier: GPL-2.0
/*
 * The floor for the per-program costs of tools/bench/overhead: an empty
 * program on each hook perfpilot's collectors attach to. What the kernel's
 * BPF statistics report for these is the price of the hook itself (the
 * trampoline or raw tracepoint call, the statistics' own clock reads),
 * which no program body can go below.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

#define EMPTY(name, hook) \
	SEC("tp_btf/" #hook) int BPF_PROG(empty_##name) { return 0; }

EMPTY(sched_switch, sched_switch)
EMPTY(sched_fork, sched_process_fork)
EMPTY(sched_exit, sched_process_exit)
EMPTY(sched_free, sched_process_free)
EMPTY(sched_exec, sched_process_exec)
EMPTY(rss_stat, rss_stat)
EMPTY(io_start, block_io_start)
EMPTY(rq_issue, block_rq_issue)
EMPTY(rq_complete, block_rq_complete)
EMPTY(send_length, sock_send_length)
EMPTY(recv_length, sock_recv_length)
EMPTY(set_state, inet_sock_set_state)
EMPTY(retransmit, tcp_retransmit_skb)
EMPTY(tcp_probe, tcp_probe) /* the RTT program of builds before 549720a, for comparisons */

/* attached by the loader to the software minor-fault event of each CPU */
SEC("perf_event")
int empty_fault_min(void *ctx)
{
	return 0;
}
