/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pieces every perfpilot BPF object shares: the task filter (evaluated in the
 * kernel), the drop counters and small CO-RE helpers.
 *
 * All kernel memory is read with BPF_CORE_READ so the same program body works
 * when attached as tp_btf (BTF pointers) and as raw_tp (plain u64 arguments).
 */
#ifndef PP_COMMON_BPF_H
#define PP_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "perfpilot.h"

#define PF_EXITING 0x00000004
#define PF_KTHREAD 0x00200000

/* Filter configuration, set by the loader before load. */
const volatile __u32 filter_mode = PP_FILTER_ALL;
const volatile __u32 cgroup_hier = PP_CGROUP_V2;
const volatile __u32 cgroup_ssid = 0;       /* v1 controller index */
const volatile __u32 cgroup_level = 0;      /* depth of the target cgroup */
const volatile __u64 cgroup_target_id = 0;  /* kernfs id of the target */
/* PP_FILTER_CGROUPS: the depths of the targets (ascending, distinct), whose
 * ids are the keys of cgroup_filter */
const volatile __u32 cgroup_nlevels = 0;
const volatile __u32 cgroup_levels[PP_MAX_CGROUP_LEVELS] = {};

/* Thread groups selected in PP_FILTER_PID mode (shared between objects). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PP_MAX_FILTER);
	__type(key, __u32);
	__type(value, __u8);
} pid_filter SEC(".maps");

/* The target cgroups' ids in PP_FILTER_CGROUPS mode (shared between
 * objects). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PP_MAX_CGROUPS);
	__type(key, __u64);
	__type(value, __u8);
} cgroup_filter SEC(".maps");

/* Drop and anomaly counters (shared between objects). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PP_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* One more in slot `which` of a per-CPU array of __u64 counters. */
static __always_inline void percpu_inc(void *map, __u32 which)
{
	__u64 *v = bpf_map_lookup_elem(map, &which);

	if (v)
		*v += 1; /* per-CPU slot: no atomic needed */
}

static __always_inline void count_event(__u32 which)
{
	percpu_inc(&counters, which);
}

/*
 * Field reads: tp_btf programs get BTF-typed pointers and load fields
 * directly; raw_tp programs must go through bpf_probe_read_kernel. `direct`
 * is a compile-time constant in every caller, so one branch disappears.
 */
#define TREAD(direct, t, field) ((direct) ? (t)->field : BPF_CORE_READ(t, field))

struct task_struct___pre514 {
	long state;
} __attribute__((preserve_access_index));

/* The task's state (0: runnable), under its name before and since 5.14. */
static __always_inline long task_state(struct task_struct *t, bool direct)
{
	if (bpf_core_field_exists(t->__state))
		return TREAD(direct, t, __state);
	return BPF_CORE_READ((struct task_struct___pre514 *)t, state);
}

/* Kernels before 6.1 kept ancestor ids instead of ancestor pointers. */
struct cgroup___old {
	int level;
	__u64 ancestor_ids[];
} __attribute__((preserve_access_index));

/* The task's cgroup in the hierarchy perfpilot reports and filters on. */
static __always_inline struct cgroup *task_cgroup(struct task_struct *t)
{
	struct css_set *cset = BPF_CORE_READ(t, cgroups);
	struct cgroup_subsys_state *css = NULL;
	struct cgroup_subsys_state **slot;
	__u32 ssid = cgroup_ssid;

	if (!cset)
		return NULL;
	if (cgroup_hier == PP_CGROUP_V2)
		return BPF_CORE_READ(cset, dfl_cgrp);
	if (ssid >= 16)
		return NULL;
	slot = __builtin_preserve_access_index(&cset->subsys[0]);
	bpf_probe_read_kernel(&css, sizeof(css), slot + ssid);
	return css ? BPF_CORE_READ(css, cgroup) : NULL;
}

static __always_inline __u64 cgroup_id_of(struct cgroup *cg)
{
	return cg ? BPF_CORE_READ(cg, kn, id) : 0;
}

static __always_inline __u64 task_cgroup_id(struct task_struct *t)
{
	return cgroup_id_of(task_cgroup(t));
}

/* The id of cg's ancestor at depth lvl (cg itself at its own depth); the
 * caller checked that cg is that deep. */
static __always_inline __u64 cgroup_ancestor_id(struct cgroup *cg, __u32 lvl)
{
	__u64 id = 0;

	if (bpf_core_field_exists(cg->ancestors)) {
		struct cgroup **slot = __builtin_preserve_access_index(&cg->ancestors[0]);
		struct cgroup *anc = NULL;

		bpf_probe_read_kernel(&anc, sizeof(anc), slot + lvl);
		id = cgroup_id_of(anc);
	} else {
		struct cgroup___old *old = (void *)cg;
		__u64 *slot = __builtin_preserve_access_index(&old->ancestor_ids[0]);

		bpf_probe_read_kernel(&id, sizeof(id), slot + lvl);
	}
	return id;
}

/* Is `cg` the target cgroup or one of its descendants? */
static __always_inline bool cgroup_under_target(struct cgroup *cg)
{
	__u32 lvl = cgroup_level;

	if (!cg || BPF_CORE_READ(cg, level) < (int)lvl || lvl > 255)
		return false;
	return cgroup_ancestor_id(cg, lvl) == cgroup_target_id;
}

/* Is `cg` one of the target cgroups or a descendant of one? Its ancestor
 * at each depth a target has is looked up in cgroup_filter: one lookup for
 * targets all at one depth (siblings), at most PP_MAX_CGROUP_LEVELS. */
static __always_inline bool cgroup_under_targets(struct cgroup *cg)
{
	int level, i;

	if (!cg)
		return false;
	level = BPF_CORE_READ(cg, level);
#pragma unroll
	for (i = 0; i < PP_MAX_CGROUP_LEVELS; i++) {
		__u32 lvl = cgroup_levels[i];
		__u64 id;

		if (i >= (int)cgroup_nlevels || (int)lvl > level || lvl > 255)
			break; /* ascending: deeper than cg from here on */
		id = cgroup_ancestor_id(cg, lvl);
		if (bpf_map_lookup_elem(&cgroup_filter, &id))
			return true;
	}
	return false;
}

/* The in-kernel filter: should events of this task be counted? filter_mode
 * is a constant of the loaded program: the verifier drops the other
 * branches, so each mode costs only its own test. */
static __always_inline bool task_selected(struct task_struct *t, __u32 tgid)
{
	if (filter_mode == PP_FILTER_ALL)
		return true;
	if (filter_mode == PP_FILTER_PID)
		return bpf_map_lookup_elem(&pid_filter, &tgid) != NULL;
	if (filter_mode == PP_FILTER_CGROUP)
		return cgroup_under_target(task_cgroup(t));
	return cgroup_under_targets(task_cgroup(t));
}

/* Index of the log2 histogram slot for a value in nanoseconds. */
static __always_inline __u32 hist_slot_ns(__u64 ns)
{
	return pp_hist_slot_ns(ns);
}

/*
 * v as a number the verifier does not follow, through `scratch` (a per-CPU
 * array of one __u64): what is loaded from a map value is any number. A
 * BTF-typed pointer allows no arithmetic (the verifier keeps its type on
 * the stack; loaders with CAP_PERFMON may store pointers in a map), and
 * paths that computed a value differently (its branches) merge after it
 * instead of multiplying the paths the verifier walks through the rest of
 * the program. 0 if the scratch word is missing.
 */
static __always_inline __u64 opaque_via(void *scratch, __u64 v)
{
	__u32 zero = 0;
	__u64 *w = bpf_map_lookup_elem(scratch, &zero);

	if (!w)
		return 0;
	*w = v;
	return *(volatile __u64 *)w;
}

/* The slot, among 1 << bits, of an object's kernel address: objects come
 * from slab or tag-set pages, so the address bits above the cache line are
 * mixed (pp_slot_of, Fibonacci hashing). */
static __always_inline __u32 addr_slot_of(__u64 addr, unsigned int bits)
{
	return pp_slot_of((__u32)(addr >> 6), bits);
}

/* Look up a map entry, creating it zeroed when missing. NULL when full. */
static __always_inline void *lookup_or_init(void *map, const void *key, const void *init)
{
	void *v = bpf_map_lookup_elem(map, key);

	if (v)
		return v;
	bpf_map_update_elem(map, key, init, BPF_NOEXIST);
	return bpf_map_lookup_elem(map, key);
}

#endif /* PP_COMMON_BPF_H */
