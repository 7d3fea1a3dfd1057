// SPDX-License-Identifier: GPL-2.0
/* perfpilot doctor: what this kernel and host support, and how to fix gaps. */
#include <bpf/btf.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "collect/collector.h"
#include "commands.h"
#include "collect/features.h"
#include "profile/oncpu.h"

enum level { OK, INFO, WARN, FAIL };
static const char *const level_name[] = {"ok", "info", "warn", "fail"};

struct report {
	bool json;
	json_t *arr;
	int worst;
};

static void check(struct report *r, enum level lv, const char *name, const char *fix,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void check(struct report *r, enum level lv, const char *name, const char *fix,
		  const char *fmt, ...)
{
	char detail[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if ((int)lv > r->worst)
		r->worst = lv;
	if (r->json) {
		json_array_append_new(r->arr, json_pack("{s:s, s:s, s:s, s:s}", "check", name, "status",
							 level_name[lv], "detail", detail, "fix",
							 fix ? fix : ""));
		return;
	}
	printf("[%-4s] %-32s %s\n", level_name[lv], name, detail);
	if (fix && lv >= WARN)
		printf("       %-32s fix: %s\n", "", fix);
}

static long read_long(const char *path, long dflt)
{
	FILE *f = fopen(path, "r");
	long v = dflt;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = dflt;
		fclose(f);
	}
	return v;
}

static void check_tracepoints(struct report *r)
{
	static const struct {
		const char *tp, *what;
		bool required;
	} tps[] = {
		{"sched_switch", "on-CPU time, context switches", true},
		{"sched_wakeup", "run-queue latency", true},
		{"sched_wakeup_new", "run-queue latency of new tasks", false},
		{"sched_process_fork", "--children", false},
		{"sched_process_exit", "exit reporting", false},
		{"sched_process_free", "the run time of exiting threads after their exit (iterator)",
		 false},
		{"sched_process_exec", "the run time of threads that exec in place of their leader",
		 false},
		{"rss_stat", "RSS", false},
		{"mm_vmscan_direct_reclaim_begin", "direct reclaim stalls", false},
		{"mm_vmscan_memcg_reclaim_begin", "cgroup-limit reclaim stalls", false},
		{"mark_victim", "OOM kills", false},
		{"block_io_start", "IO attribution to the submitter (else: at insert)", false},
		{"block_rq_issue", "block IO", false},
		{"block_rq_complete", "block IO", false},
		{"sock_send_length", "TCP bytes sent", false},
		{"sock_recv_length", "TCP bytes received", false},
		{"tcp_retransmit_skb", "retransmits", false},
		{"inet_sock_set_state", "connects, accepts, closes", false},
		{"tcp_send_reset", "resets sent", false},
		{"tcp_receive_reset", "resets received", false},
		{"sched_exit_tp", "profile --off-cpu samples blocks (else: stacks walked at every switch)", false},
		{"sched_process_exec", "profile: symbols read again after an exec", false},
	};
	size_t i;

	for (i = 0; i < sizeof(tps) / sizeof(tps[0]); i++) {
		int n = tp_nargs(tps[i].tp);
		char name[64];

		snprintf(name, sizeof(name), "tp %s", tps[i].tp);
		if (n >= 0)
			check(r, OK, name, NULL, "tp_btf, %d args: %s", n, tps[i].what);
		else
			check(r, tps[i].required ? FAIL : WARN, name,
			      "a kernel with this tracepoint (and BTF) is needed for it",
			      "missing: %s unavailable", tps[i].what);
	}
}

static void check_layout(struct report *r, const struct features *f)
{
	struct btf *btf = features_vmlinux_btf();

	check(r, INFO, "sig sched_switch", NULL, "%d args%s", f->sched_switch_nargs,
	      f->sched_switch_nargs >= 4 ? " (with prev_state)" : " (pre-5.18: state read from task)");
	check(r, INFO, "sig sched_process_exit", NULL, "%s",
	      f->exit_has_group_dead ? "(task, group_dead)" : "(task): group exit read from signal->live");
	check(r, INFO, "sig block_rq_issue", NULL, "%s",
	      tp_nargs("block_rq_issue") >= 2 ? "(q, rq): pre-5.11" : "(rq)");
	check(r, INFO, "sig mark_victim", NULL, "%s",
	      f->mark_victim_has_task ? "(task, uid)" : "(pid): OOM victims not filtered by cgroup");
	check(r, INFO, "task state field", NULL, "%s",
	      btf_has_field("task_struct", "__state") ? "task_struct.__state (5.14+)" : "task_struct.state");
	check(r, INFO, "cgroup ancestors", NULL, "%s",
	      btf_has_field("cgroup", "ancestors") ? "cgroup.ancestors[] (6.1+)" : "cgroup.ancestor_ids[]");
	check(r, INFO, "mm rss counters", NULL, "%s",
	      btf && btf__find_by_name_kind(btf, "mm_rss_stat", BTF_KIND_STRUCT) >= 0
		      ? "mm_rss_stat atomics (pre-6.2)" : "percpu_counter (6.2+)");
	check(r, btf_has_field("mm_struct", "owner") ? OK : WARN, "mm owner", "CONFIG_MEMCG=y",
	      "%s", btf_has_field("mm_struct", "owner") ? "mm->owner: RSS changes made by other tasks are attributed"
							: "no mm->owner: RSS updated only from the owning process");
}

static void check_host(struct report *r, const struct features *f)
{
	long paranoid = read_long("/proc/sys/kernel/perf_event_paranoid", -99);

	check(r, f->perf_sw_events ? OK : WARN, "perf software events",
	      "run as root; CONFIG_PERF_EVENTS=y",
	      f->perf_sw_events ? "available: page faults, on-CPU ticks" : "cannot open: no fault counts");
	check(r, INFO, "perf_event_paranoid", NULL, "%ld", paranoid);
	check(r, f->cgroup_v2 ? OK : WARN, "cgroup v2",
	      "mount -t cgroup2 none /sys/fs/cgroup (or boot with systemd.unified_cgroup_hierarchy=1)",
	      "%s", f->cgroup_v2 ? (f->cgroup_v2_controllers ? "mounted, controllers enabled"
							  : "mounted, no controllers (hybrid host)")
				 : "not mounted");
	check(r, INFO, "cgroup v1", NULL, "%s",
	      f->cgroup_v1 ? "controller hierarchies mounted: -c accepts /sys/fs/cgroup/<controller>/..."
			   : "none");
	check(r, f->psi ? OK : WARN, "PSI", "boot with psi=1 (CONFIG_PSI=y)", "%s",
	      f->psi ? "/proc/pressure readable" : "unavailable");
	check(r, INFO, "tracefs", NULL, "%s",
	      f->tracefs ? "mounted" : "not mounted (perfpilot does not need it)");
	check(r, INFO, "bpffs", NULL, "%s",
	      f->bpffs ? "mounted at /sys/fs/bpf" : "not mounted (not needed: nothing is pinned)");
	check(r, INFO, "kprobes", NULL, "%s",
	      f->kprobe_events ? "available" : "not configured (not needed: tracepoints only)");
}

/* The scheduler's task iterator (sched_source = iterator, the daemon's
 * default): loaded is -1 when not tried, else whether it loaded and ran. */
static void check_sched_iter(struct report *r, const struct features *f, int loaded)
{
	const char *fix = "a 5.8+ kernel with CONFIG_SCHED_INFO (task_struct.sched_info.run_delay)";

	if (!f->task_iter || !f->sched_info_run_delay)
		check(r, WARN, "sched iterator", fix, "unavailable (%s): the daemon uses the "
		      "per-switch scheduler programs", !f->task_iter ? "no bpf_iter__task in BTF"
								    : "no sched_info.run_delay");
	else if (loaded < 0)
		check(r, INFO, "sched iterator", NULL, "bpf_iter__task and run_delay in BTF "
		      "(loading not tried: not root)");
	else if (loaded)
		check(r, OK, "sched iterator", NULL, "the task iterator loads and runs: "
		      "sched_source = iterator (the default) needs no program per "
		      "context switch");
	else
		check(r, WARN, "sched iterator", "PERFPILOT_DEBUG=1 shows the verifier log",
		      "refused by this kernel: perfpilot uses the per-switch scheduler programs");
}

static void check_load(struct report *r, const struct features *f)
{
	struct target t = {.mode = PP_FILTER_ALL};
	struct collector_opts co = {.target = &t, .max_procs = 256, .tick_hz = 1,
				    .sched_source = SCHED_SOURCE_ITERATOR};
	struct collector *c;
	char err[512];

	if (geteuid() != 0) {
		check(r, WARN, "load collectors", "run 'sudo perfpilot doctor'",
		      "skipped: not root");
		check_sched_iter(r, f, -1);
		return;
	}
	if (collector_open(&c, &co, err, sizeof(err))) {
		check(r, FAIL, "load collectors", "see the message; PERFPILOT_DEBUG=1 shows the verifier log",
		      "%s", err);
		return;
	}
	check(r, OK, "load collectors", NULL, "scheduler, memory%s%s programs load and attach (%s)",
	      collector_has_io(c) ? ", block IO" : "", collector_has_net(c) ? ", TCP" : "",
	      collector_attach_kind(c));
	check_sched_iter(r, f, collector_sched_source(c) == SCHED_SOURCE_ITERATOR);
	collector_close(c);
}

/* The profiler's user stack walk with unwind tables (profile --unwind). */
static void check_unwind(struct report *r)
{
	char err[512];

	if (geteuid() != 0) {
		check(r, WARN, "unwind tables", "run 'sudo perfpilot doctor'", "skipped: not root");
		return;
	}
	if (profiler_dwarf_probe(err, sizeof(err)))
		check(r, WARN, "unwind tables", "a 5.17+ x86-64 kernel (bpf_loop, bpf_task_pt_regs); "
		      "PERFPILOT_DEBUG=1 shows the verifier log",
		      "user stacks from frame pointers only: %s", err);
	else
		check(r, OK, "unwind tables", NULL, "the profilers walk user stacks with .eh_frame "
		      "(programs without frame pointers get whole stacks)");
}

int cmd_doctor(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct report r = {0};
	struct features f;
	int c, pidns;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		if (c == 'j') {
			r.json = true;
		} else if (c == 'h') {
			printf("Usage: perfpilot doctor [--json]\n\n"
			       "Checks what this kernel and host support (BTF, tracepoints and their\n"
			       "signatures, perf events, cgroups, PSI) and, as root, loads and attaches\n"
			       "the collectors once. Each problem comes with a fix. Exit code: 0 when\n"
			       "everything perfpilot needs works, 1 when something required fails.\n");
			return 0;
		} else {
			usage_error("unknown option '%s'; see 'perfpilot doctor --help'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (r.json)
		r.arr = json_array();
	features_probe(&f);
	check(&r, INFO, "kernel", NULL, "%s", f.kernel);
	check(&r, geteuid() == 0 ? OK : WARN, "privileges", "run as root (sudo)", "%s",
	      geteuid() == 0 ? "root" : "not root: BPF programs cannot be loaded");
	pidns = in_host_pidns();
	check(&r, pidns > 0 ? OK : pidns < 0 ? WARN : FAIL, "pid namespace",
	      "run it in the host's pid namespace (docker run --pid=host, Kubernetes hostPID: true)",
	      "%s", pidns > 0 ? "the host's" : pidns < 0 ? "cannot tell (no /proc/self/ns/pid)" :
	      "another: the BPF programs report the host's pids, which mean other processes here");
	check(&r, f.btf ? OK : FAIL, "kernel BTF",
	      "use a kernel built with CONFIG_DEBUG_INFO_BTF=y (Debian and Ubuntu kernels are)", "%s",
	      f.btf ? "/sys/kernel/btf/vmlinux" : "missing: CO-RE programs cannot be relocated");
	if (f.btf) {
		check_tracepoints(&r);
		check_layout(&r, &f);
	}
	check_host(&r, &f);
	if (f.btf) {
		check_load(&r, &f);
		check_unwind(&r);
	}
	if (r.json) {
		json_t *o = json_pack("{s:o, s:s}", "checks", r.arr, "status",
				      r.worst >= FAIL ? "fail" : r.worst >= WARN ? "warn" : "ok");
		char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);

		puts(s ? s : "{}");
		free(s);
		json_decref(o);
	} else {
		printf("\n%s\n", r.worst >= FAIL ? "perfpilot cannot run here: see the failed checks."
			       : r.worst >= WARN ? "perfpilot runs here, with the limits above."
						 : "perfpilot runs fully here.");
	}
	return r.worst >= FAIL ? 1 : 0;
}
