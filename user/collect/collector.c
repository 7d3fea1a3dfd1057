// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "collect/bpfmaps.h"
#include "collect/collector.h"
#include "collect/keptbuf.h"
#include "collect/features.h"
#include "sched.skel.h"
#include "mem.skel.h"
#include "io.skel.h"
#include "net.skel.h"

#define MAX_PERF_FDS 4096

struct collector {
	struct sched_bpf *sched;
	struct mem_bpf *mem;
	struct io_bpf *io;
	struct net_bpf *net;
	struct features feat;
	bool raw_tp;
	bool sched_iter;            /* sched_source = iterator in use */
	bool said_no_iter;          /* its fallback was said (once) */
	bool said_iter_failed;      /* a failed run was said (once) */
	bool conns_reader;          /* collector_read_conns has run: it keeps the
				     * connection buffers' high-water marks */
	struct bpf_link *iter_link; /* the task iterator, run per read */
	int stats_fd;
	struct bpf_link *perf_links[MAX_PERF_FDS];
	int nperf;
	struct bpf_link *links[32];
	int nlinks;
	struct pending {
		struct bpf_program *prog;
		const char *tp;
		bool perf;
		__u64 config, period;
	} pend[48];
	int npend;      /* what attach_pending attaches, kept for collector_resume */
	bool paused;    /* collector_pause: only the task iterator's link is held */
	/* the processes' rows, sized once for the maps (collector_read hands
	 * them out until the next read) */
	struct proc_raw *rbuf;
	/* one chunk of a map as read: chunk_len keys (of up to 8 bytes) and
	 * values (of up to chunk_vsize bytes) */
	void *chunk_keys, *chunk_vals;
	size_t chunk_len, chunk_vsize;
	/* and for the connections, from their first read */
	struct pp_sock *sockbuf;
	__u64 *sockkeys;
	struct pp_sock_slot *slotbuf; /* sock_slots as read */
	__u32 *slotkeys;
	struct pp_closed_key *closedkeys;
	/* the maps' sizes in entries (m, i, n: 0 when that collector is off) */
	struct { size_t p, t, m, i, n; } cap;
	/* the most of each that reads used since its pages last went back */
	size_t rhigh, sockhigh, skhigh, ckhigh;
};

static int alloc_buffers(struct collector *c);

/* Entries a chunked map read takes at once (read_chunks()). */
#define READ_CHUNK 256

/* A tracepoint handler that exists as a tp_btf and a raw_tp program. */
struct tp_prog {
	const char *tp;
	struct bpf_program *btf, *raw;
	const char *what; /* what is lost without it */
};

static int online_cpus(bool *mask, int max)
{
	char buf[1024];
	FILE *f = fopen("/sys/devices/system/cpu/online", "r");
	char *p, *save = NULL;
	int n = 0;

	memset(mask, 0, (size_t)max);
	if (!f || !fgets(buf, sizeof(buf), f)) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	for (p = strtok_r(buf, ",\n", &save); p; p = strtok_r(NULL, ",\n", &save)) {
		int a, b;

		if (sscanf(p, "%d-%d", &a, &b) != 2)
			b = a = atoi(p);
		for (; a <= b && a < max; a++, n++)
			mask[a] = true;
	}
	return n;
}

static int perf_open(__u32 type, __u64 config, __u64 period, int cpu)
{
	struct perf_event_attr a = {
		.type = type,
		.size = sizeof(a),
		.config = config,
		.sample_period = period,
	};

	return (int)syscall(__NR_perf_event_open, &a, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

/* Open one software event per online CPU and attach `prog` to each. */
static int attach_per_cpu_now(struct collector *c, struct bpf_program *prog, __u64 config,
			      __u64 period, char *err, size_t errlen)
{
	static bool mask[MAX_PERF_FDS];
	int cpu, ncpu = libbpf_num_possible_cpus();

	if (ncpu <= 0 || online_cpus(mask, MAX_PERF_FDS) <= 0) {
		snprintf(err, errlen, "cannot read the list of online CPUs");
		return -1;
	}
	for (cpu = 0; cpu < ncpu && cpu < MAX_PERF_FDS; cpu++) {
		int fd;

		if (!mask[cpu])
			continue;
		if (c->nperf >= MAX_PERF_FDS) {
			snprintf(err, errlen, "too many CPUs");
			return -1;
		}
		fd = perf_open(PERF_TYPE_SOFTWARE, config, period, cpu);
		if (fd < 0) {
			snprintf(err, errlen, "perf_event_open(software %llu) on CPU %d: %s",
				 (unsigned long long)config, cpu, strerror(errno));
			return -1;
		}
		c->perf_links[c->nperf] = bpf_program__attach_perf_event(prog, fd);
		if (!c->perf_links[c->nperf]) {
			snprintf(err, errlen, "attach %s to CPU %d: %s", bpf_program__name(prog), cpu,
				 strerror(errno));
			close(fd);
			return -1;
		}
		c->nperf++;
	}
	return 0;
}

/* Enable the right variant of each handler; returns how many are usable. */
static int choose(struct tp_prog *tps, int n, bool raw_tp, bool verbose)
{
	int i, usable = 0;

	for (i = 0; i < n; i++) {
		bool exists = tp_nargs(tps[i].tp) >= 0;

		bpf_program__set_autoload(tps[i].btf, exists && !raw_tp);
		bpf_program__set_autoload(tps[i].raw, exists && raw_tp);
		if (exists)
			usable++;
		else
			fprintf(stderr, "perfpilot: tracepoint %s missing in this kernel: %s unavailable\n",
				tps[i].tp, tps[i].what);
		if (verbose && exists)
			fprintf(stderr, "perfpilot: %s via %s\n", tps[i].tp, raw_tp ? "raw_tp" : "tp_btf");
	}
	return usable;
}

static int attach_tp_now(struct collector *c, struct bpf_program *p, const char *tp, char *err,
			 size_t errlen)
{
	struct bpf_link *l;

	if (c->nlinks >= (int)(sizeof(c->links) / sizeof(c->links[0]))) {
		snprintf(err, errlen, "internal: too many links");
		return -1;
	}
	l = bpf_program__attach(p);
	if (!l) {
		snprintf(err, errlen, "attaching %s (%s) failed: %s", tp, c->raw_tp ? "raw_tp" : "tp_btf",
			 strerror(errno));
		return -1;
	}
	c->links[c->nlinks++] = l;
	return 0;
}

/*
 * Attachments wait until every collector is loaded, so that all of them
 * start counting at the same moment (and loading the later ones, which
 * takes a while, is not counted by the earlier ones).
 */
static int defer(struct collector *c, struct bpf_program *p, const char *tp, bool perf,
		 __u64 config, __u64 period, char *err, size_t errlen)
{
	struct pending *x;

	if (c->npend >= (int)(sizeof(c->pend) / sizeof(c->pend[0]))) {
		snprintf(err, errlen, "internal: too many programs");
		return -1;
	}
	x = &c->pend[c->npend++];
	x->prog = p;
	x->tp = tp;
	x->perf = perf;
	x->config = config;
	x->period = period;
	return 0;
}

static int attach_tps(struct collector *c, struct tp_prog *tps, int n, char *err, size_t errlen)
{
	int i;

	for (i = 0; i < n; i++) {
		struct bpf_program *p = c->raw_tp ? tps[i].raw : tps[i].btf;

		if (bpf_program__autoload(p) && defer(c, p, tps[i].tp, false, 0, 0, err, errlen))
			return -1;
	}
	return 0;
}

static int attach_per_cpu(struct collector *c, struct bpf_program *prog, __u64 config,
			  __u64 period, char *err, size_t errlen)
{
	return defer(c, prog, bpf_program__name(prog), true, config, period, err, errlen);
}

static int attach_pending(struct collector *c, char *err, size_t errlen)
{
	int i;

	for (i = 0; i < c->npend; i++) {
		struct pending *x = &c->pend[i];

		if (x->perf ? attach_per_cpu_now(c, x->prog, x->config, x->period, err, errlen)
			    : attach_tp_now(c, x->prog, x->tp, err, errlen))
			return -1;
	}
	return 0;
}

/* Every link but the task iterator's: the perf events' and the hooks'. */
static void detach_all(struct collector *c)
{
	int i;

	/* a perf event's link owns its fd: destroying it closes the event */
	for (i = 0; i < c->nperf; i++)
		bpf_link__destroy(c->perf_links[i]);
	c->nperf = 0;
	for (i = 0; i < c->nlinks; i++)
		bpf_link__destroy(c->links[i]);
	c->nlinks = 0;
}

void collector_pause(struct collector *c)
{
	if (c->paused)
		return;
	detach_all(c);
	c->paused = true;
}

int collector_resume(struct collector *c, char *err, size_t errlen)
{
	if (!c->paused)
		return 0;
	if (attach_pending(c, err, errlen)) {
		detach_all(c); /* all or nothing: still paused */
		return -1;
	}
	c->paused = false;
	return 0;
}

/* The filter settings every object has in its .rodata (common.bpf.h). */
#define FILTER_SETUP(o, skel) FILTER_RODATA_SET(skel, (o)->target, (o)->cgroup)

/* One PID filter, one cgroup filter and one set of counters for all
 * collectors: the scheduler's. */
static int share_maps(struct collector *c, struct bpf_map *pid_filter, struct bpf_map *cgroup_filter,
		      struct bpf_map *counters, char *err, size_t errlen)
{
	if (bpf_map__reuse_fd(pid_filter, bpf_map__fd(c->sched->maps.pid_filter)) ||
	    bpf_map__reuse_fd(cgroup_filter, bpf_map__fd(c->sched->maps.cgroup_filter)) ||
	    bpf_map__reuse_fd(counters, bpf_map__fd(c->sched->maps.counters))) {
		snprintf(err, errlen, "sharing maps between collectors failed: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Threads on the host now: the second number of /proc/loadavg's "r/t". */
static unsigned int host_threads(void)
{
	unsigned int running = 0, total = 0;
	FILE *f = fopen("/proc/loadavg", "r");

	if (f) {
		if (fscanf(f, "%*f %*f %*f %u/%u", &running, &total) != 2)
			total = 0;
		fclose(f);
	}
	return total;
}

/*
 * Slots of the direct-mapped thread array: a power of two, four times the
 * threads alive now (few collisions, room to grow), at least 4096; or the
 * user's --max-threads rounded up.
 */
unsigned int thread_slots_for(unsigned int nthreads, unsigned int requested)
{
	unsigned long want = requested ? requested : (unsigned long)nthreads * 4;
	unsigned int slots = 4096;

	while (slots < want && slots < (1u << 22))
		slots <<= 1;
	return slots;
}

/* Can the iterator be used? Says once, on stderr, why not. */
static bool iter_usable(struct collector *c, const struct collector_opts *o)
{
	const char *why = NULL;

	if (o->sched_source != SCHED_SOURCE_ITERATOR)
		return false;
	if (!c->feat.task_iter)
		why = "no BPF task iterator in this kernel (bpf_iter__task)";
	else if (!c->feat.sched_info_run_delay)
		why = "no task_struct.sched_info.run_delay (CONFIG_SCHED_INFO)";
	if (why && !c->said_no_iter) {
		fprintf(stderr, "perfpilot: sched_source iterator unavailable: %s; scheduler "
			"statistics from the per-switch programs\n", why);
		c->said_no_iter = true;
	}
	return !why;
}

/*
 * Run the task iterator once: it brings every thread's entry up to date
 * from the kernel's counters. Nothing is written to the seq file, so one
 * read() walks all tasks and returns 0; EAGAIN after a million tasks
 * without output, read on.
 */
static int run_iter(struct collector *c)
{
	char buf[64];
	ssize_t n;
	int fd, i, rc = 0, e = 0;

	if (!c->iter_link)
		return 0;
	fd = bpf_iter_create(bpf_link__fd(c->iter_link));
	if (fd < 0)
		return -1;
	for (i = 0; i < 64; i++) {
		n = read(fd, buf, sizeof(buf));
		if (n == 0)
			break;
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			e = errno;
			rc = -1;
			break;
		}
	}
	close(fd);
	errno = e;
	return rc;
}

static int open_sched_as(struct collector *c, const struct collector_opts *o, bool iter,
			 char *err, size_t errlen)
{
	struct sched_bpf *s = sched_bpf__open();
	struct tp_prog tps[6];
	int ntps;

	if (!s) {
		snprintf(err, errlen, "cannot open the scheduler BPF object: %s", strerror(errno));
		return -1;
	}
	c->sched = s;
	c->sched_iter = iter;
	/* migrations: the kernel's se.nr_migrations, read at switch-out. The
	 * program that takes an exiting thread's last run time is attached
	 * before sched_process_exit, which marks it: none is left marked */
	ntps = 0;
	if (iter) {
		/* nothing per switch: the iterator reads the kernel's counters;
		 * what an exiting thread ran after its exit tracepoint is taken
		 * when its task is freed */
		tps[ntps++] = (struct tp_prog){"sched_process_free", s->progs.sched_free_btf,
					       s->progs.sched_free_raw,
					       "the run time of exiting threads after their exit"};
		bpf_program__set_autoload(s->progs.sched_switch_btf, false);
		bpf_program__set_autoload(s->progs.sched_switch_raw, false);
		bpf_program__set_autoload(s->progs.sched_wakeup_btf, false);
		bpf_program__set_autoload(s->progs.sched_wakeup_raw, false);
		bpf_program__set_autoload(s->progs.sched_wakeup_new_btf, false);
		bpf_program__set_autoload(s->progs.sched_wakeup_new_raw, false);
		bpf_program__set_autoload(s->progs.oncpu_tick, false);
	} else {
		/* an exiting thread's switches take what it ran after its exit
		 * tracepoint: no program per freed task */
		tps[ntps++] = (struct tp_prog){"sched_switch", s->progs.sched_switch_btf,
					       s->progs.sched_switch_raw,
					       "on-CPU time and context switches"};
		tps[ntps++] = (struct tp_prog){"sched_wakeup", s->progs.sched_wakeup_btf,
					       s->progs.sched_wakeup_raw,
					       "run-queue latency after wakeups"};
		tps[ntps++] = (struct tp_prog){"sched_wakeup_new", s->progs.sched_wakeup_new_btf,
					       s->progs.sched_wakeup_new_raw,
					       "run-queue latency of new tasks"};
		bpf_program__set_autoload(s->progs.sched_iter, false);
		bpf_program__set_autoload(s->progs.sched_free_btf, false);
		bpf_program__set_autoload(s->progs.sched_free_raw, false);
		if (tp_nargs("sched_switch") < 0) {
			snprintf(err, errlen, "this kernel's BTF has no sched_switch tracepoint: "
				 "run 'perfpilot doctor'");
			return -1;
		}
	}
	/* a fork matters only to --children (the new process joins the PID
	 * filter): no program per fork without it */
	if (o->target->children) {
		tps[ntps++] = (struct tp_prog){"sched_process_fork", s->progs.sched_fork_btf,
					       s->progs.sched_fork_raw, "--children"};
	} else {
		bpf_program__set_autoload(s->progs.sched_fork_btf, false);
		bpf_program__set_autoload(s->progs.sched_fork_raw, false);
	}
	tps[ntps++] = (struct tp_prog){"sched_process_exit", s->progs.sched_exit_btf,
				       s->progs.sched_exit_raw, "exit reporting"};
	tps[ntps++] = (struct tp_prog){"sched_process_exec", s->progs.sched_exec_btf,
				       s->progs.sched_exec_raw,
				       "the run time of threads that exec in place of their leader"};
	choose(tps, ntps, c->raw_tp, o->verbose);
	if (o->verbose)
		fprintf(stderr, "perfpilot: scheduler statistics from %s\n",
			iter ? "a task iterator run every interval (sched_source iterator)"
			     : "programs on every context switch (sched_source switch)");
	FILTER_SETUP(o, s);
	s->rodata->exit_has_group_dead = c->feat.exit_has_group_dead;
	/* the kernel keeps run-queue waits itself: no need to trace wakeups */
	s->rodata->use_run_delay = c->feat.sched_info_run_delay;
	s->rodata->use_iter = iter;
	/* the iterator takes an exiting thread's last run time at its free */
	s->rodata->mark_exits = !iter || tp_nargs("sched_process_free") >= 0;
	{
		struct timespec now;

		clock_gettime(CLOCK_MONOTONIC, &now); /* task_struct.start_time's clock */
		s->rodata->load_ns = (__u64)now.tv_sec * 1000000000ULL + (__u64)now.tv_nsec;
	}
	if (!iter && c->feat.sched_info_run_delay) {
		bpf_program__set_autoload(s->progs.sched_wakeup_btf, false);
		bpf_program__set_autoload(s->progs.sched_wakeup_raw, false);
		bpf_program__set_autoload(s->progs.sched_wakeup_new_btf, false);
		bpf_program__set_autoload(s->progs.sched_wakeup_new_raw, false);
	}
	s->rodata->follow_children = o->target->children;
	bpf_map__set_max_entries(s->maps.sched_stats, o->max_procs);
	{
		__u32 slots = thread_slots_for(host_threads(), o->max_threads);

		bpf_map__set_max_entries(s->maps.threads, slots);
		s->rodata->thread_slots = slots;
	}
	if (sched_bpf__load(s)) {
		snprintf(err, errlen, "loading the scheduler BPF programs%s failed: %s",
			 iter ? " (with the task iterator)" : "", strerror(errno));
		return -1;
	}
	if (iter) {
		/* an iterator's link runs nothing until read (run_iter) */
		c->iter_link = bpf_program__attach_iter(s->progs.sched_iter, NULL);
		if (!c->iter_link) {
			snprintf(err, errlen, "attaching the scheduler task iterator failed: %s",
				 strerror(errno));
			return -1;
		}
	}
	if (attach_tps(c, tps, ntps, err, errlen))
		return -1;
	if (iter) /* sum_exec_runtime of running tasks: the kernel updates it at each tick */
		return 0;
	return attach_per_cpu(c, s->progs.oncpu_tick, PERF_COUNT_SW_CPU_CLOCK,
			      1000000000ULL / (o->tick_hz ? o->tick_hz : 10), err, errlen);
}

/* The scheduler collector: the iterator when asked for and usable; when it
 * does not load, the per-switch programs, said in one line. */
static int open_sched(struct collector *c, const struct collector_opts *o, char *err, size_t errlen)
{
	int mark = c->npend;

	if (iter_usable(c, o)) {
		if (!open_sched_as(c, o, true, err, errlen))
			return 0;
		if (!c->said_no_iter)
			fprintf(stderr, "perfpilot: sched_source iterator unavailable: %s; scheduler "
				"statistics from the per-switch programs\n", err);
		c->said_no_iter = true;
		c->npend = mark;
		bpf_link__destroy(c->iter_link);
		c->iter_link = NULL;
		sched_bpf__destroy(c->sched);
		c->sched = NULL;
	}
	return open_sched_as(c, o, false, err, errlen);
}

static int open_mem(struct collector *c, const struct collector_opts *o, char *err, size_t errlen)
{
	struct mem_bpf *m = mem_bpf__open();
	struct tp_prog tps[5];

	if (!m) {
		snprintf(err, errlen, "cannot open the memory BPF object: %s", strerror(errno));
		return -1;
	}
	c->mem = m;
	tps[0] = (struct tp_prog){"rss_stat", m->progs.rss_stat_btf, m->progs.rss_stat_raw, "RSS"};
	tps[1] = (struct tp_prog){"mm_vmscan_direct_reclaim_begin", m->progs.reclaim_begin_btf,
				  m->progs.reclaim_begin_raw, "direct reclaim stalls"};
	tps[2] = (struct tp_prog){"mm_vmscan_direct_reclaim_end", m->progs.reclaim_end_btf,
				  m->progs.reclaim_end_raw, "direct reclaim stalls"};
	tps[3] = (struct tp_prog){"mm_vmscan_memcg_reclaim_begin", m->progs.memcg_reclaim_begin_btf,
				  m->progs.memcg_reclaim_begin_raw, "cgroup-limit reclaim stalls"};
	tps[4] = (struct tp_prog){"mm_vmscan_memcg_reclaim_end", m->progs.memcg_reclaim_end_btf,
				  m->progs.memcg_reclaim_end_raw, "cgroup-limit reclaim stalls"};
	choose(tps, 5, c->raw_tp, o->verbose);
	{
		struct tp_prog v = {"mark_victim", m->progs.mark_victim_btf, m->progs.mark_victim_raw,
				    "OOM kill counts"};

		choose(&v, 1, c->raw_tp, o->verbose);
		FILTER_SETUP(o, m);
		m->rodata->page_size = (__u32)sysconf(_SC_PAGESIZE);
		m->rodata->victim_is_task = c->feat.mark_victim_has_task;
		bpf_map__set_max_entries(m->maps.mem_stats, o->max_procs);
		/* one filter and one set of counters for all collectors */
		if (share_maps(c, m->maps.pid_filter, m->maps.cgroup_filter, m->maps.counters, err,
		       errlen))
		return -1;
		if (mem_bpf__load(m)) {
			snprintf(err, errlen, "loading the memory BPF programs failed: %s", strerror(errno));
			return -1;
		}
		if (attach_tps(c, tps, 5, err, errlen) || attach_tps(c, &v, 1, err, errlen))
			return -1;
	}
	if (!c->feat.perf_sw_events) {
		fprintf(stderr, "perfpilot: software perf events unavailable: page fault counts disabled\n");
		return 0;
	}
	if (attach_per_cpu(c, m->progs.fault_min, PERF_COUNT_SW_PAGE_FAULTS_MIN, 1, err, errlen) ||
	    attach_per_cpu(c, m->progs.fault_maj, PERF_COUNT_SW_PAGE_FAULTS_MAJ, 1, err, errlen))
		return -1;
	return 0;
}

static int open_io(struct collector *c, const struct collector_opts *o, char *err, size_t errlen)
{
	struct io_bpf *b = io_bpf__open();
	struct tp_prog tps[4];
	int n = 0;

	if (!b) {
		snprintf(err, errlen, "cannot open the block IO BPF object: %s", strerror(errno));
		return -1;
	}
	c->io = b;
	if (tp_nargs("block_rq_issue") < 0 || tp_nargs("block_rq_complete") < 0) {
		snprintf(err, errlen, "no block_rq_issue/complete tracepoints");
		return -1;
	}
	/* the submitter's context: block_io_start (6.5+), else the insert */
	if (tp_nargs("block_io_start") >= 0) {
		tps[n++] = (struct tp_prog){"block_io_start", b->progs.io_start_btf, b->progs.io_start_raw,
					    "IO attribution to the submitter"};
		bpf_program__set_autoload(b->progs.rq_insert_btf, false);
		bpf_program__set_autoload(b->progs.rq_insert_raw, false);
	} else {
		tps[n++] = (struct tp_prog){"block_rq_insert", b->progs.rq_insert_btf,
					    b->progs.rq_insert_raw, "IO queue time"};
		bpf_program__set_autoload(b->progs.io_start_btf, false);
		bpf_program__set_autoload(b->progs.io_start_raw, false);
	}
	tps[n++] = (struct tp_prog){"block_rq_issue", b->progs.rq_issue_btf, b->progs.rq_issue_raw,
				    "IO device latency"};
	tps[n++] = (struct tp_prog){"block_rq_complete", b->progs.rq_complete_btf,
				    b->progs.rq_complete_raw, "IO completion"};
	choose(tps, n, c->raw_tp, o->verbose);
	FILTER_SETUP(o, b);
	/* the request argument moved when the queue argument was dropped (5.11) */
	b->rodata->rq_tp_has_queue = tp_nargs("block_rq_issue") >= 2;
	bpf_map__set_max_entries(b->maps.io_stats, o->max_procs);
	if (share_maps(c, b->maps.pid_filter, b->maps.cgroup_filter, b->maps.counters, err,
		       errlen))
		return -1;
	if (io_bpf__load(b)) {
		snprintf(err, errlen, "loading the block IO BPF programs failed: %s", strerror(errno));
		return -1;
	}
	return attach_tps(c, tps, n, err, errlen);
}

static int open_net(struct collector *c, const struct collector_opts *o, char *err, size_t errlen)
{
	struct net_bpf *b = net_bpf__open();
	struct tp_prog tps[6];

	if (!b) {
		snprintf(err, errlen, "cannot open the TCP BPF object: %s", strerror(errno));
		return -1;
	}
	c->net = b;
	tps[0] = (struct tp_prog){"sock_send_length", b->progs.send_length_btf, b->progs.send_length_raw,
				  "TCP bytes sent"};
	tps[1] = (struct tp_prog){"sock_recv_length", b->progs.recv_length_btf, b->progs.recv_length_raw,
				  "TCP bytes received"};
	tps[2] = (struct tp_prog){"tcp_retransmit_skb", b->progs.retransmit_btf, b->progs.retransmit_raw,
				  "retransmits"};
	tps[3] = (struct tp_prog){"tcp_send_reset", b->progs.send_reset_btf, b->progs.send_reset_raw,
				  "resets sent"};
	tps[4] = (struct tp_prog){"tcp_receive_reset", b->progs.receive_reset_btf,
				  b->progs.receive_reset_raw, "resets received"};
	tps[5] = (struct tp_prog){"inet_sock_set_state", b->progs.set_state_btf, b->progs.set_state_raw,
				  "connects, accepts, closes"};
	choose(tps, 6, c->raw_tp, o->verbose);
	FILTER_SETUP(o, b);
	b->rodata->retransmit_has_err = c->feat.retransmit_has_err;
	bpf_map__set_max_entries(b->maps.net_stats, o->max_procs);
	if (share_maps(c, b->maps.pid_filter, b->maps.cgroup_filter, b->maps.counters, err,
		       errlen))
		return -1;
	if (net_bpf__load(b)) {
		snprintf(err, errlen, "loading the TCP BPF programs failed: %s", strerror(errno));
		return -1;
	}
	return attach_tps(c, tps, 6, err, errlen);
}

static void teardown(struct collector *c)
{
	detach_all(c);
	c->npend = 0;
	c->paused = false;
	bpf_link__destroy(c->iter_link);
	c->iter_link = NULL;
	net_bpf__destroy(c->net);
	io_bpf__destroy(c->io);
	mem_bpf__destroy(c->mem);
	sched_bpf__destroy(c->sched);
	c->net = NULL;
	c->io = NULL;
	c->mem = NULL;
	c->sched = NULL;
}

static int open_all(struct collector *c, const struct collector_opts *o, char *err, size_t errlen)
{
	char merr[256];
	int mark;

	if (open_sched(c, o, err, errlen))
		return -1;
	if (o->target->mode == PP_FILTER_PID &&
	    pid_filter_fill(bpf_map__fd(c->sched->maps.pid_filter), o->target, err, errlen))
		return -1;
	if (cgroup_filter_fill(bpf_map__fd(c->sched->maps.cgroup_filter), o->target, err, errlen))
		return -1;
	mark = c->npend;
	if (open_mem(c, o, merr, sizeof(merr))) {
		/* the scheduler numbers are still worth having */
		fprintf(stderr, "perfpilot: memory statistics unavailable: %s\n", merr);
		c->npend = mark;
		mem_bpf__destroy(c->mem);
		c->mem = NULL;
	}
	mark = c->npend;
	if (open_io(c, o, merr, sizeof(merr))) {
		fprintf(stderr, "perfpilot: block IO statistics unavailable: %s\n", merr);
		c->npend = mark;
		io_bpf__destroy(c->io);
		c->io = NULL;
	}
	mark = c->npend;
	if (open_net(c, o, merr, sizeof(merr))) {
		fprintf(stderr, "perfpilot: TCP statistics unavailable: %s\n", merr);
		c->npend = mark;
		net_bpf__destroy(c->net);
		c->net = NULL;
	}
	if (o->before_attach)
		o->before_attach(c, o->before_attach_arg);
	if (attach_pending(c, err, errlen))
		return -1;
	/* the bases of the threads running now (exits are traced from here) */
	if (run_iter(c)) {
		snprintf(err, errlen, "running the scheduler task iterator failed: %s",
			 strerror(errno));
		return -1;
	}
	return 0;
}

int collector_open(struct collector **out, const struct collector_opts *o,
		   char *err, size_t errlen)
{
	struct collector *c = calloc(1, sizeof(*c));

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	c->stats_fd = -1;
	bpfmaps_quiet_libbpf();
	features_probe(&c->feat);
	if (!c->feat.btf) {
		snprintf(err, errlen, "kernel BTF (/sys/kernel/btf/vmlinux) not found: perfpilot needs "
			 "CONFIG_DEBUG_INFO_BTF=y; see 'perfpilot doctor'");
		free(c);
		return -1;
	}
	c->raw_tp = o->attach == ATTACH_RAW_TP;
	if (open_all(c, o, err, errlen)) {
		if (c->raw_tp) {
			teardown(c);
			free(c);
			return -1;
		}
		/* tp_btf refused: try the raw tracepoints before giving up */
		fprintf(stderr, "perfpilot: %s; retrying with raw_tp\n", err);
		teardown(c);
		c->raw_tp = true;
		if (open_all(c, o, err, errlen)) {
			teardown(c);
			free(c);
			return -1;
		}
	}
	if (alloc_buffers(c)) {
		snprintf(err, errlen, "out of memory for the read buffers");
		teardown(c);
		free(c);
		return -1;
	}
	if (o->bpf_stats) {
		c->stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
		if (c->stats_fd < 0)
			fprintf(stderr, "perfpilot: cannot enable BPF run-time stats: %s\n", strerror(errno));
	}
	features_release(); /* the kernel's BTF is large; libbpf has its own copy */
	*out = c;
	return 0;
}

enum sched_source collector_sched_source(const struct collector *c)
{
	return c->sched_iter ? SCHED_SOURCE_ITERATOR : SCHED_SOURCE_SWITCH;
}

const char *collector_attach_kind(const struct collector *c)
{
	return c->raw_tp ? "raw_tp" : "tp_btf";
}

static int cmp_raw(const void *a, const void *b)
{
	const struct proc_raw *x = a, *y = b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static struct proc_raw *find_raw(struct proc_raw *v, size_t n, uint32_t pid)
{
	struct proc_raw key = {.pid = pid};

	return bsearch(&key, v, n, sizeof(*v), cmp_raw);
}

/*
 * Read a whole hash map: batched when the kernel supports it, one key at a
 * time otherwise. Returns the number of entries copied into keys/vals.
 */
static size_t dump_map_k(int fd, size_t cap, void *keys, size_t ksize, void *vals, size_t vsize);

static size_t dump_map(int fd, size_t cap, __u32 *keys, void *vals, size_t vsize)
{
	return dump_map_k(fd, cap, keys, sizeof(*keys), vals, vsize);
}

static size_t dump_map64(int fd, size_t cap, __u64 *keys, void *vals, size_t vsize)
{
	return dump_map_k(fd, cap, keys, sizeof(*keys), vals, vsize);
}

static size_t dump_map_k(int fd, size_t cap, void *keys, size_t ksize, void *vals, size_t vsize)
{
	DECLARE_LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u64 batch, *in = NULL;
	__u32 count;
	size_t n = 0;
	int err;

	while (n < cap) {
		count = (__u32)(cap - n);
		err = bpf_map_lookup_batch(fd, in, &batch, (char *)keys + n * ksize,
					   (char *)vals + n * vsize, &count, &opts);
		if (err && errno != ENOENT) {
			if (n == 0 && in == NULL)
				goto one_by_one;
			break;
		}
		n += count;
		if (err) /* ENOENT: that was the last batch */
			break;
		in = &batch;
	}
	return n;

one_by_one:
	{
		/* keys up to 32 bytes (a closed connection's is 16) */
		unsigned char key[32] = {0}, next[32] = {0};
		void *prev = NULL;

		n = 0;
		if (ksize > sizeof(key))
			return 0;
		while (n < cap && !bpf_map_get_next_key(fd, prev, next)) {
			memcpy(key, next, ksize);
			prev = key;
			if (bpf_map_lookup_elem(fd, key, (char *)vals + n * vsize))
				continue;
			memcpy((char *)keys + n * ksize, key, ksize);
			n++;
		}
	}
	return n;
}

/*
 * Read a map in chunks of c->chunk_len entries, batched when the kernel
 * supports it, one key at a time otherwise: fn(ctx, keys, vals, n) for each
 * chunk, n keys of ksize bytes and values of vsize bytes side by side; at
 * most cap entries. The buffers stay a chunk long whatever the map's size:
 * a burst of short-lived processes fills the maps, and reading them whole
 * kept a copy of each the size of the burst. Returns how many entries.
 */
typedef void (*chunk_fn)(void *ctx, const void *keys, const void *vals, size_t n);

/* Twice the chunk: a hash bucket held more entries than one chunk. */
static int chunk_grow(struct collector *c)
{
	size_t len = c->chunk_len * 2;
	void *k = realloc(c->chunk_keys, len * sizeof(__u64)), *v;

	if (!k)
		return -1;
	c->chunk_keys = k;
	v = realloc(c->chunk_vals, len * c->chunk_vsize);
	if (!v)
		return -1;
	c->chunk_vals = v;
	c->chunk_len = len;
	return 0;
}

static size_t read_one_by_one(struct collector *c, int fd, size_t cap, size_t ksize, size_t vsize,
			      chunk_fn fn, void *ctx)
{
	__u64 key = 0, next = 0;
	void *prev = NULL;
	size_t n = 0, k = 0;

	while (n < cap && !bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, (char *)c->chunk_vals + k * vsize))
			continue; /* deleted meanwhile */
		memcpy((char *)c->chunk_keys + k * ksize, &key, ksize);
		n++;
		if (++k == c->chunk_len) {
			fn(ctx, c->chunk_keys, c->chunk_vals, k);
			k = 0;
		}
	}
	if (k)
		fn(ctx, c->chunk_keys, c->chunk_vals, k);
	return n;
}

static size_t read_chunks(struct collector *c, int fd, size_t cap, size_t ksize, size_t vsize,
			  chunk_fn fn, void *ctx)
{
	DECLARE_LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u64 batch, *in = NULL;
	__u32 count;
	size_t n = 0;
	int err;

	while (n < cap) {
		count = (__u32)(cap - n < c->chunk_len ? cap - n : c->chunk_len);
		err = bpf_map_lookup_batch(fd, in, &batch, c->chunk_keys, c->chunk_vals, &count,
					   &opts);
		if (err && errno == ENOSPC && c->chunk_len < cap - n && !chunk_grow(c))
			continue; /* nothing read: the next bucket is larger than a chunk */
		if (err && errno != ENOENT) {
			if (n == 0 && in == NULL)
				return read_one_by_one(c, fd, cap, ksize, vsize, fn, ctx);
			break;
		}
		if (count)
			fn(ctx, c->chunk_keys, c->chunk_vals, count);
		n += count;
		if (err) /* ENOENT: that was the last batch */
			break;
		in = &batch;
	}
	return n;
}

/* Add a live thread's counters to its process. */
static void add_thread(struct pp_sched_stats *st, const struct pp_thread *th)
{
	int i;

	st->oncpu_ns += th->oncpu_ns;
	st->runq_wait_ns += th->runq_wait_ns;
	st->nvcsw += th->nvcsw;
	st->nivcsw += th->nivcsw;
	st->migrations += th->migrations;
	if (th->runq_max_ns > st->runq_max_ns)
		st->runq_max_ns = th->runq_max_ns;
	for (i = 0; i < PP_HIST_SLOTS; i++)
		st->runq_hist[i] += th->runq_hist[i];
}

static int alloc_buffers(struct collector *c)
{
	size_t v = sizeof(struct pp_sched_stats);

	v = sizeof(struct pp_thread) > v ? sizeof(struct pp_thread) : v;
	v = sizeof(struct pp_mem_stats) > v ? sizeof(struct pp_mem_stats) : v;
	v = sizeof(struct pp_io_stats) > v ? sizeof(struct pp_io_stats) : v;
	v = sizeof(struct pp_net_stats) > v ? sizeof(struct pp_net_stats) : v;
	c->cap.p = bpf_map__max_entries(c->sched->maps.sched_stats);
	c->cap.t = bpf_map__max_entries(c->sched->maps.threads) +
		   bpf_map__max_entries(c->sched->maps.threads_overflow);
	c->cap.m = c->mem ? bpf_map__max_entries(c->mem->maps.mem_stats) : 0;
	c->cap.i = c->io ? bpf_map__max_entries(c->io->maps.io_stats) : 0;
	c->cap.n = c->net ? bpf_map__max_entries(c->net->maps.net_stats) : 0;
	c->rbuf = calloc(c->cap.p + c->cap.m + c->cap.i + c->cap.n, sizeof(*c->rbuf));
	c->chunk_len = READ_CHUNK;
	c->chunk_vsize = v;
	c->chunk_keys = malloc(c->chunk_len * sizeof(__u64));
	c->chunk_vals = malloc(c->chunk_len * v);
	return c->rbuf && c->chunk_keys && c->chunk_vals ? 0 : -1;
}

/* The process pid among v[0..n), of which v[0..np) are sorted (the rest,
 * processes only the memory, IO or TCP maps have, are not). */
static struct proc_raw *find_any(struct proc_raw *v, size_t np, size_t n, uint32_t pid)
{
	struct proc_raw *r = find_raw(v, np, pid);
	size_t i;

	for (i = np; !r && i < n; i++)
		if (v[i].pid == pid)
			r = &v[i];
	return r;
}

/*
 * Add the block IO that processes counted in their slots on each CPU
 * (struct pp_io_slot) to their io_stats entries read into v[0..n): a slot
 * counts for the entry of the same tgid and start. A slot is taken over
 * only once its holder's entry is gone, so what a slot held is never
 * missed by a reader that found the entry.
 */
static void add_io_slots(struct collector *c, struct proc_raw *v, size_t np, size_t n)
{
	int ncpu = libbpf_num_possible_cpus(), cpu, fd = bpf_map__fd(c->io->maps.io_slots);
	struct pp_io_slot *s;
	__u32 k;

	if (ncpu <= 0)
		return;
	s = calloc((size_t)ncpu, sizeof(*s));
	if (!s)
		return;
	for (k = 0; k < PP_IO_SLOTS; k++) {
		if (bpf_map_lookup_elem(fd, &k, s))
			continue;
		for (cpu = 0; cpu < ncpu; cpu++) {
			struct proc_raw *r;

			if (!s[cpu].tgid)
				continue;
			r = find_any(v, np, n, s[cpu].tgid);
			if (r && r->has_io && r->io.start_ns == s[cpu].st.start_ns)
				io_stats_add(&r->io, &s[cpu].st);
		}
	}
	free(s);
}

/*
 * Add each CPU's minor faults not yet in mem_stats (struct pp_fault_pending)
 * to the processes read from it, v[0..n) (v[0..np) sorted). Read after mem_stats: a run moved
 * in between is missed this once (and read next time), never counted twice.
 */
static void add_pending_faults(struct collector *c, struct proc_raw *v, size_t np, size_t n)
{
	int ncpu = libbpf_num_possible_cpus(), cpu;
	struct pp_fault_pending *p;
	__u32 zero = 0;

	if (ncpu <= 0)
		return;
	p = calloc((size_t)ncpu, sizeof(*p));
	if (!p)
		return;
	if (bpf_map_lookup_elem(bpf_map__fd(c->mem->maps.fault_pending), &zero, p)) {
		free(p);
		return;
	}
	for (cpu = 0; cpu < ncpu; cpu++) {
		if (!p[cpu].selected || !p[cpu].minflt)
			continue;
		struct proc_raw *r = find_any(v, np, n, p[cpu].tgid);

		if (r && r->has_mem)
			r->mem.minflt += p[cpu].minflt;
	}
	free(p);
}

/*
 * After a burst of processes the rows (megabytes sized for full maps) stay
 * resident as far as the burst filled them: the pages beyond what this
 * read used go back once that is a megabyte or more.
 */
static void give_back_read(struct collector *c, size_t cnt)
{
	keptbuf_used(c->rbuf, (c->cap.p + c->cap.m + c->cap.i + c->cap.n) * sizeof(*c->rbuf),
		     cnt * sizeof(*c->rbuf), &c->rhigh);
}

/*
 * The row of pid among v[0..ns) (sorted by pid), else a new one at v[*cnt]
 * (NULL when all cap rows are taken). A process that has no scheduler
 * entry gets its row from the first of the other maps that has it; the
 * maps after that one find it once sort_rows() has sorted it in.
 */
static struct proc_raw *row_of(struct proc_raw *v, size_t ns, size_t *cnt, size_t cap, uint32_t pid)
{
	struct proc_raw *r = find_raw(v, ns, pid);

	if (r)
		return r;
	if (*cnt >= cap)
		return NULL;
	r = &v[(*cnt)++];
	memset(r, 0, sizeof(*r));
	r->pid = pid;
	return r;
}

/* v[0..cnt) sorted by pid again after rows were added; the new sorted count */
static size_t sort_rows(struct proc_raw *v, size_t ns, size_t cnt)
{
	if (cnt > ns)
		qsort(v, cnt, sizeof(*v), cmp_raw);
	return cnt;
}

/* The connection buffers, kept from one read to the next: allocated and
 * cleared every interval, these megabytes cost more than reading the maps. */
static int sock_buffers(struct collector *c, size_t cap, size_t ccap)
{
	if (c->sockbuf)
		return 0;
	c->sockbuf = malloc((cap + ccap) * sizeof(*c->sockbuf));
	c->sockkeys = malloc(cap * sizeof(*c->sockkeys));
	c->closedkeys = malloc(ccap * sizeof(*c->closedkeys));
	c->slotbuf = malloc(PP_SOCK_SLOTS * sizeof(*c->slotbuf));
	c->slotkeys = malloc(PP_SOCK_SLOTS * sizeof(*c->slotkeys));
	if (c->sockbuf && c->sockkeys && c->closedkeys && c->slotbuf && c->slotkeys)
		return 0;
	free(c->sockbuf);
	free(c->sockkeys);
	free(c->closedkeys);
	free(c->slotbuf);
	free(c->slotkeys);
	c->sockbuf = NULL;
	c->sockkeys = NULL;
	c->closedkeys = NULL;
	c->slotbuf = NULL;
	c->slotkeys = NULL;
	return -1;
}

/* The live connections' capacity: the slots and the hash. */
static size_t socks_cap(const struct collector *c)
{
	return PP_SOCK_SLOTS + bpf_map__max_entries(c->net->maps.socks);
}

/* The live connections, those in a slot then those in the hash: their
 * sockets' addresses into c->sockkeys, their entries into c->sockbuf (room
 * for socks_cap). How many. */
static size_t dump_socks(struct collector *c)
{
	size_t n, i, got = 0;

	n = dump_map(bpf_map__fd(c->net->maps.sock_slots), PP_SOCK_SLOTS, c->slotkeys, c->slotbuf,
		     sizeof(*c->slotbuf));
	for (i = 0; i < n; i++) {
		if (!c->slotbuf[i].sk)
			continue; /* free */
		c->sockkeys[got] = c->slotbuf[i].sk;
		c->sockbuf[got++] = c->slotbuf[i].s;
	}
	return got + dump_map64(bpf_map__fd(c->net->maps.socks),
				bpf_map__max_entries(c->net->maps.socks), c->sockkeys + got,
				c->sockbuf + got, sizeof(*c->sockbuf));
}

/*
 * Each live connection's bytes not yet flushed to its owner's entry, added
 * to the owner's row. An owner without a row was forgotten (exited and
 * reported with these bytes): skipped. Closed connections were flushed.
 */
static void add_unflushed(struct collector *c, struct proc_raw *v, size_t nrows)
{
	size_t cap = socks_cap(c);
	size_t ccap = bpf_map__max_entries(c->net->maps.closed_socks), got, i;
	struct proc_raw *r;

	if (sock_buffers(c, cap, ccap))
		return;
	got = dump_socks(c);
	for (i = 0; i < got; i++) {
		const struct pp_sock *s = &c->sockbuf[i];

		if (!s->tgid || (s->tx_bytes == s->tx_flushed && s->rx_bytes == s->rx_flushed))
			continue;
		r = find_raw(v, nrows, s->tgid);
		if (!r)
			continue;
		r->net.tx_bytes += s->tx_bytes - s->tx_flushed;
		r->net.rx_bytes += s->rx_bytes - s->rx_flushed;
		r->has_net = true;
	}
	/* the pages go back here only when nothing reads the connections:
	 * collector_read_conns, after this read, fills the live ones and the
	 * closed ones behind them; given back here at every interval, the
	 * closed ones' pages would be faulted in again at every interval */
	if (c->conns_reader)
		return;
	keptbuf_used(c->sockbuf, (cap + ccap) * sizeof(*c->sockbuf), got * sizeof(*c->sockbuf),
		     &c->sockhigh);
	keptbuf_used(c->sockkeys, cap * sizeof(*c->sockkeys), got * sizeof(*c->sockkeys), &c->skhigh);
}

/* The rows being built by collector_read: v[0..np) sorted by pid, then
 * rows only a later map has; room for cap. */
struct rows {
	struct proc_raw *v;
	size_t np, cnt, cap;
};

static void take_sched(void *ctx, const void *keys, const void *vals, size_t n)
{
	const struct pp_sched_stats *st = vals;
	const __u32 *k = keys;
	struct rows *r = ctx;
	size_t i;

	for (i = 0; i < n && r->cnt < r->cap; i++) {
		struct proc_raw *p = &r->v[r->cnt++];

		memset(p, 0, sizeof(*p));
		p->pid = k[i];
		p->has_sched = true;
		p->sched = st[i];
	}
}

static void take_threads(void *ctx, const void *keys, const void *vals, size_t n)
{
	const struct pp_thread *t = vals;
	struct rows *r = ctx;
	size_t i;

	(void)keys;
	for (i = 0; i < n; i++) {
		struct proc_raw *p;

		if (!t[i].tid || t[i].exit_task)
			continue; /* free slot, or an exited thread's (folded) */
		p = find_raw(r->v, r->np, t[i].tgid);
		if (p) /* a thread whose process entry is gone is being torn down */
			add_thread(&p->sched, &t[i]);
	}
}

/* The entries of the memory, IO or TCP map: each into its process's row
 * (a new row for a process the scheduler's map does not have), the
 * row's field at off (size bytes) and its flag at has. */
struct take {
	struct rows *r;
	size_t off, size, has;
};

static void take_stats(void *ctx, const void *keys, const void *vals, size_t n)
{
	const struct take *t = ctx;
	const __u32 *k = keys;
	size_t i;

	for (i = 0; i < n; i++) {
		struct rows *r = t->r;
		struct proc_raw *p = row_of(r->v, r->np, &r->cnt, r->cap, k[i]);

		if (!p)
			return;
		memcpy((char *)p + t->off, (const char *)vals + i * t->size, t->size);
		*(bool *)((char *)p + t->has) = true;
	}
}

#define TAKE(rows, field, flag)                                                          \
	(&(struct take){ (rows), offsetof(struct proc_raw, field),                         \
			 sizeof(((struct proc_raw *)0)->field), offsetof(struct proc_raw, flag) })

bool collector_sync(struct collector *c)
{
	if (!c->iter_link)
		return false;
	if (run_iter(c) && !c->said_iter_failed) {
		fprintf(stderr, "perfpilot: running the scheduler task iterator failed: %s; "
			"running threads are not brought up to date\n", strerror(errno));
		c->said_iter_failed = true;
	}
	return true;
}

int collector_read(struct collector *c, struct proc_raw **out, size_t *n)
{
	struct rows r = { .v = c->rbuf, .cap = c->cap.p + c->cap.m + c->cap.i + c->cap.n };
	size_t nt;

	/* iterator: the threads up to date now (exits fold into sched_stats,
	 * read next); should it fail, the maps are read as they are (what
	 * exits folded), said once */
	collector_sync(c);
	read_chunks(c, bpf_map__fd(c->sched->maps.sched_stats), c->cap.p, sizeof(__u32),
		    sizeof(struct pp_sched_stats), take_sched, &r);
	r.np = sort_rows(r.v, 0, r.cnt);
	nt = read_chunks(c, bpf_map__fd(c->sched->maps.threads), c->cap.t, sizeof(__u32),
			 sizeof(struct pp_thread), take_threads, &r);
	read_chunks(c, bpf_map__fd(c->sched->maps.threads_overflow), c->cap.t - nt, sizeof(__u32),
		    sizeof(struct pp_thread), take_threads, &r);
	if (c->mem) {
		read_chunks(c, bpf_map__fd(c->mem->maps.mem_stats), c->cap.m, sizeof(__u32),
			    sizeof(struct pp_mem_stats), take_stats, TAKE(&r, mem, has_mem));
		r.np = sort_rows(r.v, r.np, r.cnt);
		add_pending_faults(c, r.v, r.np, r.cnt);
	}
	if (c->io) {
		read_chunks(c, bpf_map__fd(c->io->maps.io_stats), c->cap.i, sizeof(__u32),
			    sizeof(struct pp_io_stats), take_stats, TAKE(&r, io, has_io));
		r.np = sort_rows(r.v, r.np, r.cnt);
		add_io_slots(c, r.v, r.np, r.cnt);
	}
	if (c->net) {
		read_chunks(c, bpf_map__fd(c->net->maps.net_stats), c->cap.n, sizeof(__u32),
			    sizeof(struct pp_net_stats), take_stats, TAKE(&r, net, has_net));
		r.np = sort_rows(r.v, r.np, r.cnt);
		add_unflushed(c, r.v, r.np); /* after the per-process entries: see sock_flush() */
	}
	*out = r.v;
	*n = r.cnt;
	give_back_read(c, r.cnt);
	return 0;
}

static int cmp_dev(const void *a, const void *b)
{
	const struct dev_raw *x = a, *y = b;

	return x->dev < y->dev ? -1 : x->dev > y->dev;
}

/*
 * The disks with a slot (struct pp_dev_slot: their counters summed over the
 * CPUs of dev_pcpu) into v, from v[0]; returns how many.
 */
static size_t read_dev_slots(struct collector *c, struct dev_raw *v)
{
	int ncpu = libbpf_num_possible_cpus(), cpu;
	int sfd = bpf_map__fd(c->io->maps.dev_slots), pfd = bpf_map__fd(c->io->maps.dev_pcpu);
	struct pp_dev_stats *pc;
	struct pp_dev_slot ds;
	size_t n = 0;
	__u32 k;

	if (ncpu <= 0 || !(pc = calloc((size_t)ncpu, sizeof(*pc))))
		return 0;
	for (k = 0; k < PP_DEV_SLOTS; k++) {
		if (bpf_map_lookup_elem(sfd, &k, &ds) || !ds.dev || bpf_map_lookup_elem(pfd, &k, pc))
			continue;
		memset(&v[n], 0, sizeof(v[n]));
		v[n].dev = (uint32_t)ds.dev;
		for (cpu = 0; cpu < ncpu; cpu++)
			dev_stats_add(&v[n].st, &pc[cpu]);
		v[n].st.inflight = ds.inflight;
		v[n].st.inflight_max = ds.inflight_max;
		n++;
	}
	free(pc);
	return n;
}

int collector_read_devices(struct collector *c, struct dev_raw **out, size_t *n)
{
	size_t cap, i, j, got;
	struct pp_dev_stats *vals;
	struct dev_raw *v;
	__u32 *keys;

	*out = NULL;
	*n = 0;
	if (!c->io)
		return 0;
	cap = bpf_map__max_entries(c->io->maps.dev_stats);
	vals = calloc(cap, sizeof(*vals));
	keys = calloc(cap, sizeof(*keys));
	v = calloc(cap + PP_DEV_SLOTS, sizeof(*v));
	if (!vals || !keys || !v) {
		free(vals);
		free(keys);
		free(v);
		return -1;
	}
	got = read_dev_slots(c, v);
	j = dump_map(bpf_map__fd(c->io->maps.dev_stats), cap, keys, vals, sizeof(*vals));
	for (i = 0; i < j; i++) {
		v[got + i].dev = keys[i];
		v[got + i].st = vals[i];
	}
	got += j;
	qsort(v, got, sizeof(*v), cmp_dev);
	/* a disk is in a slot or in the hash, never both; merged if it were */
	for (i = j = 0; i < got; i++) {
		if (j && v[j - 1].dev == v[i].dev)
			dev_stats_add(&v[j - 1].st, &v[i].st);
		else
			v[j++] = v[i];
	}
	free(vals);
	free(keys);
	*out = v;
	*n = j;
	return 0;
}

int collector_read_conns(struct collector *c, struct conn_raw **out, size_t *n)
{
	size_t cap, ccap, i, got, gotc;
	struct conn_raw *v;
	int cfd;

	*out = NULL;
	*n = 0;
	if (!c->net)
		return 0;
	cfd = bpf_map__fd(c->net->maps.closed_socks);
	cap = socks_cap(c);
	ccap = bpf_map__max_entries(c->net->maps.closed_socks);
	if (sock_buffers(c, cap, ccap))
		return -1;
	c->conns_reader = true;
	got = dump_socks(c);
	gotc = dump_map_k(cfd, ccap, c->closedkeys, sizeof(*c->closedkeys), c->sockbuf + got,
			  sizeof(*c->sockbuf));
	v = malloc((got + gotc ? got + gotc : 1) * sizeof(*v));
	if (!v)
		return -1;
	for (i = 0; i < got; i++) {
		memset(&v[i], 0, sizeof(v[i]));
		v[i].key = c->sockkeys[i];
		v[i].s = c->sockbuf[i];
	}
	for (i = 0; i < gotc; i++) {
		memset(&v[got + i], 0, sizeof(v[got + i]));
		v[got + i].key = c->closedkeys[i].sk;
		v[got + i].s = c->sockbuf[got + i];
		/* a closed connection is reported once, then dropped */
		bpf_map_delete_elem(cfd, &c->closedkeys[i]);
	}
	{
		__u32 zero = 0;

		/* room again */
		bpf_map_update_elem(bpf_map__fd(c->net->maps.closed_full), &zero, &zero, BPF_ANY);
	}
	keptbuf_used(c->sockbuf, (cap + ccap) * sizeof(*c->sockbuf), (got + gotc) * sizeof(*c->sockbuf),
		     &c->sockhigh);
	keptbuf_used(c->sockkeys, cap * sizeof(*c->sockkeys), got * sizeof(*c->sockkeys), &c->skhigh);
	keptbuf_used(c->closedkeys, ccap * sizeof(*c->closedkeys), gotc * sizeof(*c->closedkeys),
		     &c->ckhigh);
	*out = v;
	*n = got + gotc;
	return 0;
}

size_t collector_read_listeners(struct collector *c, struct listen_owner *out, size_t max)
{
	struct pp_listen_key key, next, *prev = NULL;
	struct pp_listener l;
	size_t n = 0;
	int fd;

	if (!c->net)
		return 0;
	fd = bpf_map__fd(c->net->maps.listeners);
	while (n < max && !bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &l))
			continue;
		out[n].netns = key.netns;
		out[n].port = (uint16_t)key.port;
		out[n].pid = l.tgid;
		out[n].backlog = l.backlog;
		n++;
	}
	return n;
}

int collector_add_listener(struct collector *c, uint32_t netns, uint16_t port, uint32_t pid,
			   uint32_t backlog)
{
	struct pp_listen_key key = {.netns = netns, .port = port};
	struct pp_listener l = {.tgid = pid, .backlog = backlog};

	if (!c->net)
		return -1;
	/* BPF_NOEXIST: a listen() seen since the start knows better */
	return bpf_map_update_elem(bpf_map__fd(c->net->maps.listeners), &key, &l, BPF_NOEXIST);
}

bool collector_has_net(const struct collector *c)
{
	return c->net != NULL;
}

bool collector_has_io(const struct collector *c)
{
	return c->io != NULL;
}

/* The pids of the rows gone that the map at `off` (has_mem...) may hold
 * (has_net is also set by connections' bytes not flushed yet: then the
 * pid is not in the map, and the batch goes on past it). */
static size_t gone_keys(const struct proc_raw *rows, const bool *gone, size_t n, size_t off,
			uint32_t *keys)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (gone[i] && *(const bool *)((const char *)&rows[i] + off))
			keys[k++] = rows[i].pid;
	return k;
}

void collector_forget(struct collector *c, const struct proc_raw *rows, const bool *gone,
		      size_t n)
{
	const struct { struct bpf_map *map; size_t off; } maps[] = {
		{ c->sched->maps.sched_stats, offsetof(struct proc_raw, has_sched) },
		{ c->mem ? c->mem->maps.mem_stats : NULL, offsetof(struct proc_raw, has_mem) },
		{ c->io ? c->io->maps.io_stats : NULL, offsetof(struct proc_raw, has_io) },
		{ c->net ? c->net->maps.net_stats : NULL, offsetof(struct proc_raw, has_net) },
	};
	uint32_t *keys = malloc((n ? n : 1) * sizeof(*keys));
	size_t i, k;

	for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		if (!maps[i].map)
			continue;
		if (!keys) { /* no memory: one call per process */
			for (k = 0; k < n; k++)
				if (gone[k])
					bpf_map_delete_elem(bpf_map__fd(maps[i].map), &rows[k].pid);
			continue;
		}
		k = gone_keys(rows, gone, n, maps[i].off, keys);
		if (k)
			map_delete_keys(bpf_map__fd(maps[i].map), keys, k);
	}
	free(keys);
}

void collector_counters(struct collector *c, uint64_t out[PP_CNT_MAX])
{
	percpu_array_sum(bpf_map__fd(c->sched->maps.counters), out, PP_CNT_MAX);
}

typedef void (*prog_stat_fn)(void *arg, const char *prog, uint64_t runs, uint64_t run_ns);

static void obj_stats(struct bpf_object *obj, prog_stat_fn fn, void *arg)
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(p);

		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
			continue;
		fn(arg, bpf_program__name(p), info.run_cnt, info.run_time_ns);
	}
}

void collector_prog_stats(struct collector *c, prog_stat_fn fn, void *arg)
{
	if (c->stats_fd < 0)
		return;
	obj_stats(c->sched->obj, fn, arg);
	if (c->mem)
		obj_stats(c->mem->obj, fn, arg);
	if (c->io)
		obj_stats(c->io->obj, fn, arg);
	if (c->net)
		obj_stats(c->net->obj, fn, arg);
}

static void print_stat(void *arg, const char *prog, uint64_t runs, uint64_t run_ns)
{
	fprintf(arg, "bpf-prog %-28s runs %12llu total_ns %14llu avg_ns %8.1f\n", prog,
		(unsigned long long)runs, (unsigned long long)run_ns,
		runs ? (double)run_ns / (double)runs : 0.0);
}

void collector_print_prog_stats(struct collector *c, FILE *f)
{
	collector_prog_stats(c, print_stat, f);
}

void collector_close(struct collector *c)
{
	if (!c)
		return;
	teardown(c);
	if (c->stats_fd >= 0)
		close(c->stats_fd);
	free(c->rbuf);
	free(c->chunk_keys);
	free(c->chunk_vals);
	free(c->sockbuf);
	free(c->sockkeys);
	free(c->closedkeys);
	free(c->slotbuf);
	free(c->slotkeys);
	free(c);
}
