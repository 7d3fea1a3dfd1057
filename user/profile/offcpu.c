// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "profile/announce.h"
#include "collect/bpfmaps.h"
#include "profile/offcpu.h"
#include "profile/ustacks.h"
#include "offcpu.skel.h"

struct offcpu {
	struct offcpu_bpf *skel;
	struct announcer *ann; /* tgids sampled for the first time */
	bool eager;
	struct unwinder *uw;   /* the unwind tables, when user stacks are walked here */
	char notice[320];      /* why DWARF unwinding fell back to frame pointers */
};

uint64_t offcpu_period_ns(unsigned int hz)
{
	return hz ? 1000000000ULL / hz : 1000000000ULL;
}

static struct ustack_bpf ustack_bpf(struct offcpu_bpf *s)
{
	return (struct ustack_bpf){ s->maps.unwind_rows, s->maps.unwind_tables,
				    s->maps.unwind_procs, s->maps.ustacks, s->maps.unwind_want,
				    (bool *)&s->rodata->unwind_dwarf,
				    (__u32 *)&s->rodata->unwind_depth };
}

static void configure(struct offcpu_bpf *s, const struct offcpu_opts *o, bool eager, bool dwarf)
{
	struct ustack_bpf b = ustack_bpf(s);

	FILTER_RODATA_SET(s, o->target, o->target->mode == PP_FILTER_CGROUP ? o->cgroup : NULL);
	s->rodata->prof_mode = o->mode;
	s->rodata->min_block_ns = o->min_block_ns;
	s->rodata->period_ns = offcpu_period_ns(o->hz);
	s->rodata->eager = eager;
	s->rodata->thread_slots = bpf_map__max_entries(s->maps.off_threads);
	ustacks_configure(&b, &o->ustack, dwarf);
}

/* One attempt: the sampled or the eager design, sched_switch as tp_btf or
 * raw_tp, user stacks walked here (dwarf) or by the kernel. */
static struct offcpu_bpf *try_open(const struct offcpu_opts *o, bool eager, bool raw, bool dwarf,
				   char *err, size_t errlen)
{
	struct offcpu_bpf *s = offcpu_bpf__open();
	const char *what = eager ? (dwarf ? "sched_switch, DWARF unwinder" : "sched_switch")
				 : (dwarf ? "sched_switch and sched_exit_tp, DWARF unwinder"
					  : "sched_switch and sched_exit_tp");

	if (!s) {
		snprintf(err, errlen, "opening the off-CPU BPF object failed: %s", strerror(errno));
		return NULL;
	}
	configure(s, o, eager, dwarf);
	bpf_program__set_autoload(s->progs.offcpu_switch_btf, !raw);
	bpf_program__set_autoload(s->progs.offcpu_switch_raw, raw);
	bpf_program__set_autoload(s->progs.offcpu_resumed_btf, !eager && !raw);
	bpf_program__set_autoload(s->progs.offcpu_resumed_raw, !eager && raw);
	if (offcpu_bpf__load(s)) {
		snprintf(err, errlen, "loading the off-CPU programs (%s, %s) failed: %s", what,
			 raw ? "raw_tp" : "tp_btf", strerror(errno));
		goto fail;
	}
	if (o->target->mode == PP_FILTER_PID &&
	    pid_filter_fill(bpf_map__fd(s->maps.pid_filter), o->target, err, errlen))
		goto fail;
	if (cgroup_filter_fill(bpf_map__fd(s->maps.cgroup_filter), o->target, err, errlen))
		goto fail;
	if (offcpu_bpf__attach(s)) {
		snprintf(err, errlen, "attaching the off-CPU programs (%s, %s) failed: %s", what,
			 raw ? "raw_tp" : "tp_btf", strerror(errno));
		goto fail;
	}
	return s;
fail:
	offcpu_bpf__destroy(s);
	return NULL;
}

/* The first design that loads and attaches (sampled, else eager; tp_btf,
 * else raw_tp) into p, with the user stacks walked here or not. *why and
 * err as offcpu_open's. */
static void open_design(struct offcpu *p, const struct offcpu_opts *o, bool dwarf, char *why,
			size_t whylen, char *err, size_t errlen)
{
	char first[256] = "";
	int eager, raw;

	for (eager = o->eager; eager <= 1 && !p->skel; eager++) {
		for (raw = 0; raw <= 1 && !p->skel; raw++) {
			p->skel = try_open(o, eager, raw, dwarf, err, errlen);
			if (!first[0])
				snprintf(first, sizeof(first), "%s", err);
		}
		if (!p->skel && !eager)
			snprintf(why, whylen, "%s", first);
		p->eager = eager;
	}
	if (!p->skel)
		snprintf(err, errlen, "%s", first); /* the first attempt says most */
}

int offcpu_open(struct offcpu **out, const struct offcpu_opts *o, char *why, size_t whylen,
		char *err, size_t errlen)
{
	struct offcpu *p = calloc(1, sizeof(*p));
	bool dwarf;

	*out = NULL;
	why[0] = '\0';
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	bpfmaps_quiet_libbpf();
	if (ustacks_plan(&o->ustack, o->mode, &dwarf, p->notice, sizeof(p->notice), err, errlen)) {
		free(p);
		return -1;
	}
	open_design(p, o, dwarf, why, whylen, err, errlen);
	if (!p->skel && dwarf && ustacks_fall_back(&o->ustack, err, p->notice, sizeof(p->notice))) {
		dwarf = false;
		why[0] = '\0';
		open_design(p, o, false, why, whylen, err, errlen);
	}
	if (!p->skel) {
		free(p);
		return -1;
	}
	if (dwarf) {
		struct ustack_bpf b = ustack_bpf(p->skel);

		p->uw = ustacks_unwinder(&b, o->target);
		if (!p->uw) {
			snprintf(err, errlen, "out of memory");
			offcpu_close(p);
			return -1;
		}
	}
	p->ann = announcer_new(bpf_map__fd(p->skel->maps.new_tgids));
	if (!p->ann) {
		snprintf(err, errlen, "creating the off-CPU ring buffer failed: %s", strerror(errno));
		offcpu_close(p);
		return -1;
	}
	*out = p;
	return 0;
}

const char *offcpu_notice(const struct offcpu *p)
{
	return p->notice;
}

void offcpu_unwind_summary(struct offcpu *p, FILE *out)
{
	ustacks_summary(out, p->uw, p->skel->maps.unwind_cnt);
}

int offcpu_poll_new(struct offcpu *p, int timeout_ms, void (*fn)(void *ctx, uint32_t tgid),
		    void *ctx)
{
	return ustacks_poll(p->ann, p->uw, timeout_ms, fn, ctx);
}

bool offcpu_eager(const struct offcpu *p)
{
	return p->eager;
}

void offcpu_detach(struct offcpu *p)
{
	struct bpf_link **l[] = { &p->skel->links.offcpu_switch_btf,
				  &p->skel->links.offcpu_switch_raw,
				  &p->skel->links.offcpu_resumed_btf,
				  &p->skel->links.offcpu_resumed_raw };
	size_t i;

	for (i = 0; i < sizeof(l) / sizeof(l[0]); i++) {
		bpf_link__destroy(*l[i]);
		*l[i] = NULL;
	}
	unwinder_stop(p->uw);
}

void offcpu_counters(struct offcpu *p, uint64_t out[PP_OFF_CNT_MAX])
{
	percpu_array_sum(bpf_map__fd(p->skel->maps.off_cnt), out, PP_OFF_CNT_MAX);
}

static void put_count(void *ctx, size_t i, const struct pp_prof_key *key, const void *val)
{
	const struct pp_offcpu_val *v = val;
	struct off_count *r = ctx;

	r[i].key = *key;
	r[i].ns = v->ns;
	r[i].count = v->count;
}

int offcpu_read(struct offcpu *p, struct off_count **out, size_t *n)
{
	size_t cap = bpf_map__max_entries(p->skel->maps.off_counts);
	struct off_count *r = calloc(cap ? cap : 1, sizeof(*r));
	struct pp_offcpu_val v;

	*out = NULL;
	*n = 0;
	if (!r)
		return -1;
	*n = prof_keys_walk(bpf_map__fd(p->skel->maps.off_counts), cap, &v, put_count, r);
	*out = r;
	return 0;
}

size_t offcpu_stack(struct offcpu *p, int32_t id, bool walked, uint64_t ips[PP_STACK_DEPTH])
{
	return stack_ips(bpf_map__fd(walked ? p->skel->maps.ustacks : p->skel->maps.stacks), id, ips);
}

size_t offcpu_tracer_frames(const struct ksyms *k, const struct bpfsyms *b, const uint64_t *ips,
			    size_t n)
{
	static const char *const tracer[] = { "bpf_prog_", "bpf_trace_run", "__bpf_trace_",
					      "__traceiter_" };
	size_t i, j;

	for (i = 0; i < n; i++) {
		const struct ksym *s;

		if (b && bpfsyms_find(b, ips[i]))
			continue; /* a BPF program's image */
		s = ksyms_find(k, ips[i]);

		for (j = 0; s && j < sizeof(tracer) / sizeof(tracer[0]); j++)
			if (!strncmp(ksym_name(k, s), tracer[j], strlen(tracer[j])))
				break;
		if (!s || j == sizeof(tracer) / sizeof(tracer[0]))
			break;
	}
	return i;
}

void offcpu_close(struct offcpu *p)
{
	if (!p)
		return;
	unwinder_free(p->uw);
	offcpu_bpf__destroy(p->skel);
	announcer_free(p->ann);
	free(p);
}
