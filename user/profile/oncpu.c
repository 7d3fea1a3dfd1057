// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "profile/announce.h"
#include "collect/bpfmaps.h"
#include "profile/oncpu.h"
#include "profile/ustacks.h"
#include "profile.skel.h"

#define MAX_CPUS 4096

struct profiler {
	struct profile_bpf *skel;
	struct bpf_link *links[MAX_CPUS];
	int n;
	struct bpf_link *exec_link;   /* re-announce processes that exec */
	struct announcer *ann;        /* tgids sampled for the first time */
	uint64_t *live;               /* stacks of the last drain (stack_ref), sorted */
	size_t nlive;
	struct unwinder *uw;          /* the unwind tables, when user stacks are walked here */
	char notice[320];             /* why DWARF unwinding fell back to frame pointers */
};

static struct ustack_bpf ustack_bpf(struct profile_bpf *s)
{
	return (struct ustack_bpf){ s->maps.unwind_rows, s->maps.unwind_tables,
				    s->maps.unwind_procs, s->maps.ustacks, s->maps.unwind_want,
				    (bool *)&s->rodata->unwind_dwarf,
				    (__u32 *)&s->rodata->unwind_depth };
}

static void configure(struct profile_bpf *s, const struct profiler_opts *o, bool dwarf)
{
	struct ustack_bpf b = ustack_bpf(s);

	FILTER_RODATA_SET(s, o->target, o->target->mode == PP_FILTER_CGROUP ? o->cgroup : NULL);
	s->rodata->prof_mode = o->mode;
	ustacks_configure(&b, &o->ustack, dwarf);
}

/* Open, configure and load the program, with the user stacks walked here
 * (dwarf) or by the kernel. NULL with a reason in err. */
static struct profile_bpf *open_load(const struct profiler_opts *o, bool dwarf, char *err,
				     size_t errlen)
{
	struct profile_bpf *s = profile_bpf__open();

	if (!s) {
		snprintf(err, errlen, "opening the profiler BPF object failed: %s", strerror(errno));
		return NULL;
	}
	configure(s, o, dwarf);
	if (profile_bpf__load(s)) {
		snprintf(err, errlen, "loading the profiler BPF program%s failed: %s",
			 dwarf ? " with the DWARF unwinder" : "", strerror(errno));
		profile_bpf__destroy(s);
		return NULL;
	}
	return s;
}

static bool cpu_online(int cpu)
{
	char fn[64];
	FILE *f;
	int c = '1';

	snprintf(fn, sizeof(fn), "/sys/devices/system/cpu/cpu%d/online", cpu);
	f = fopen(fn, "r");
	if (!f) /* cpu0 often has no such file */
		return true;
	c = fgetc(f);
	fclose(f);
	return c == '1';
}

static int attach_cpus(struct profiler *p, unsigned int hz, char *err, size_t errlen)
{
	int cpu, ncpu = libbpf_num_possible_cpus();

	if (ncpu <= 0) {
		snprintf(err, errlen, "cannot read the number of CPUs");
		return -1;
	}
	for (cpu = 0; cpu < ncpu && cpu < MAX_CPUS; cpu++) {
		struct perf_event_attr a = {
			.type = PERF_TYPE_SOFTWARE,
			.size = sizeof(a),
			.config = PERF_COUNT_SW_CPU_CLOCK,
			.sample_period = 1000000000ULL / hz, /* cpu-clock counts nanoseconds */
		};
		int fd;

		if (!cpu_online(cpu))
			continue;
		fd = (int)syscall(__NR_perf_event_open, &a, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
		if (fd < 0) {
			if (errno == ENODEV) /* went offline meanwhile */
				continue;
			snprintf(err, errlen, "perf_event_open(cpu-clock) on CPU %d: %s", cpu,
				 strerror(errno));
			return -1;
		}
		p->links[p->n] = bpf_program__attach_perf_event(p->skel->progs.profile_sample, fd);
		if (!p->links[p->n]) {
			snprintf(err, errlen, "attaching the profiler to CPU %d: %s", cpu, strerror(errno));
			close(fd);
			return -1;
		}
		p->n++;
	}
	return 0;
}

int profiler_poll_new(struct profiler *p, int timeout_ms, void (*fn)(void *ctx, uint32_t tgid),
		      void *ctx)
{
	return ustacks_poll(p->ann, p->uw, timeout_ms, fn, ctx);
}

int profiler_open(struct profiler **out, const struct profiler_opts *o, char *err, size_t errlen)
{
	struct profiler *p = calloc(1, sizeof(*p));
	bool dwarf;

	*out = NULL;
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	bpfmaps_quiet_libbpf();
	if (ustacks_plan(&o->ustack, o->mode, &dwarf, p->notice, sizeof(p->notice), err, errlen))
		goto fail;
	p->skel = open_load(o, dwarf, err, errlen);
	if (!p->skel && dwarf && ustacks_fall_back(&o->ustack, err, p->notice, sizeof(p->notice))) {
		dwarf = false;
		p->skel = open_load(o, false, err, errlen);
	}
	if (!p->skel)
		goto fail;
	if (o->target->mode == PP_FILTER_PID &&
	    pid_filter_fill(bpf_map__fd(p->skel->maps.pid_filter), o->target, err, errlen))
		goto fail;
	if (cgroup_filter_fill(bpf_map__fd(p->skel->maps.cgroup_filter), o->target, err, errlen))
		goto fail;
	if (dwarf) {
		struct ustack_bpf b = ustack_bpf(p->skel);

		p->uw = ustacks_unwinder(&b, o->target);
		if (!p->uw) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
	}
	p->ann = announcer_new(bpf_map__fd(p->skel->maps.new_tgids));
	if (!p->ann) {
		snprintf(err, errlen, "creating the profiler's ring buffer failed: %s", strerror(errno));
		goto fail;
	}
	/* without it, a process that execs keeps the
	 * symbols of its first image until the end of the run */
	p->exec_link = bpf_program__attach(p->skel->progs.announce_exec);
	if (attach_cpus(p, o->hz, err, errlen))
		goto fail;
	*out = p;
	return 0;
fail:
	profiler_close(p);
	return -1;
}

int profiler_dwarf_probe(char *err, size_t errlen)
{
	struct target t = { .mode = PP_FILTER_ALL };
	struct profiler_opts o = { .target = &t, .hz = 1, .mode = PP_PROF_BOTH,
				   .ustack = { .mode = USTACK_DWARF, .memory_mb = 1 } };
	struct profile_bpf *s;
	const char *why;

	if (!ustacks_dwarf_possible(&why)) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	bpfmaps_quiet_libbpf();
	if (!(s = open_load(&o, true, err, errlen)))
		return -1;
	profile_bpf__destroy(s);
	return 0;
}

void profiler_detach(struct profiler *p)
{
	int i;

	/* a perf event's link owns its fd: destroying it closes the event */
	for (i = 0; i < p->n; i++)
		bpf_link__destroy(p->links[i]);
	p->n = 0;
	unwinder_stop(p->uw);
}

void profiler_counters(struct profiler *p, uint64_t out[PP_PROF_CNT_MAX])
{
	percpu_array_sum(bpf_map__fd(p->skel->maps.prof_cnt), out, PP_PROF_CNT_MAX);
}

const char *profiler_notice(const struct profiler *p)
{
	return p->notice;
}

void profiler_unwind_summary(struct profiler *p, FILE *out)
{
	ustacks_summary(out, p->uw, p->skel->maps.unwind_cnt);
}

static void put_count(void *ctx, size_t i, const struct pp_prof_key *key, const void *val)
{
	struct prof_count *r = ctx;

	r[i].key = *key;
	r[i].count = *(const __u64 *)val;
}

int profiler_read(struct profiler *p, struct prof_count **out, size_t *n)
{
	size_t cap = bpf_map__max_entries(p->skel->maps.prof_counts);
	struct prof_count *r = calloc(cap ? cap : 1, sizeof(*r));
	__u64 v;

	*out = NULL;
	*n = 0;
	if (!r)
		return -1;
	*n = prof_keys_walk(bpf_map__fd(p->skel->maps.prof_counts), cap, &v, put_count, r);
	*out = r;
	return 0;
}

int profiler_drain(struct profiler *p, struct prof_count **out, size_t *n)
{
	int fd = bpf_map__fd(p->skel->maps.prof_counts);
	size_t cap = bpf_map__max_entries(p->skel->maps.prof_counts), i, k = 0, nkeys = 0;
	struct prof_count *r = calloc(cap ? cap : 1, sizeof(*r));
	struct pp_prof_key key, *prev = NULL;
	__u64 v;

	*out = NULL;
	*n = 0;
	if (!r)
		return -1;
	/* the keys first (a walk from a deleted key would start over), then
	 * each count taken and deleted at once */
	while (nkeys < cap && !bpf_map_get_next_key(fd, prev, &r[nkeys].key)) {
		key = r[nkeys++].key;
		prev = &key;
	}
	for (i = 0; i < nkeys; i++) {
		if (bpf_map_lookup_and_delete_elem(fd, &r[i].key, &v))
			continue;
		r[k].key = r[i].key;
		r[k++].count = v;
	}
	*out = r;
	*n = k;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* A stack of a count: its id, and which map holds it (bit 32: the walked
 * user stacks of the unwind tables). */
static uint64_t stack_ref(int32_t id, bool walked)
{
	return (walked ? 1ULL << 32 : 0) | (uint32_t)id;
}

void profiler_forget_stacks(struct profiler *p, const struct prof_count *pc, size_t n)
{
	int fd = bpf_map__fd(p->skel->maps.stacks), ufd = bpf_map__fd(p->skel->maps.ustacks);
	uint64_t *now = malloc((2 * n + 1) * sizeof(*now));
	size_t i, k = 0, m = 0;

	if (!now)
		return;
	for (i = 0; i < n; i++) {
		if (pc[i].key.ustack >= 0)
			now[k++] = stack_ref(pc[i].key.ustack, pc[i].key.flags & PP_KEY_USTACK_WALKED);
		if (pc[i].key.kstack >= 0)
			now[k++] = stack_ref(pc[i].key.kstack, false);
	}
	qsort(now, k, sizeof(*now), cmp_u64);
	for (i = 0; i < k; i++) /* unique */
		if (!m || now[m - 1] != now[i])
			now[m++] = now[i];
	/* the stacks of the drain before that this one did not see: those
	 * still sampled stay, so that a sample between the drain and this call
	 * never finds its stack gone */
	for (i = 0; i < p->nlive; i++) {
		__u32 id = (__u32)p->live[i];

		if (!bsearch(&p->live[i], now, m, sizeof(*now), cmp_u64))
			bpf_map_delete_elem(p->live[i] >> 32 ? ufd : fd, &id);
	}
	free(p->live);
	p->live = now;
	p->nlive = m;
}

size_t profiler_stack(struct profiler *p, int32_t id, bool walked, uint64_t ips[PP_STACK_DEPTH])
{
	return stack_ips(bpf_map__fd(walked ? p->skel->maps.ustacks : p->skel->maps.stacks), id, ips);
}

void profiler_close(struct profiler *p)
{
	if (!p)
		return;
	profiler_detach(p);
	bpf_link__destroy(p->exec_link);
	announcer_free(p->ann);
	unwinder_free(p->uw);
	profile_bpf__destroy(p->skel);
	free(p->live);
	free(p);
}
