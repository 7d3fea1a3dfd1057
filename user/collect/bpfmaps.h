/* SPDX-License-Identifier: GPL-2.0 */
/* Small readers and writers of BPF maps shared by the loaders
 * (collect/collector.c, profile/oncpu.c, profile/offcpu.c). Each takes the
 * map's file descriptor. */
#ifndef PP_BPFMAPS_H
#define PP_BPFMAPS_H

#include <stddef.h>
#include <stdint.h>
#include "collect/target.h"
#include "collect/cgroup.h"
#include "perfpilot.h"

/* libbpf's messages only with PERFPILOT_DEBUG set (warnings, on stderr). */
void bpfmaps_quiet_libbpf(void);

/* Slots 0..n-1 of a per-CPU array of __u64, each summed over every possible
 * CPU. Slots that cannot be read stay 0 (all of them without memory). */
void percpu_array_sum(int fd, uint64_t *out, uint32_t n);

/* The addresses of stack `id` of a stack-trace map, innermost first, the
 * rest of ips zeroed; returns how many (0 if id < 0 or no such stack). */
size_t stack_ips(int fd, int32_t id, uint64_t ips[PP_STACK_DEPTH]);

/* Every entry of a hash map keyed by struct pp_prof_key, at most max:
 * each value is read into val (value-sized) and fn(ctx, i, key, val) called
 * with i counting from 0. An entry deleted meanwhile is skipped. Returns
 * how many. */
size_t prof_keys_walk(int fd, size_t max, void *val,
		      void (*fn)(void *ctx, size_t i, const struct pp_prof_key *key,
				 const void *val),
		      void *ctx);

/*
 * Delete the n __u32 keys from a hash map: in batches (one system call for
 * all of them, and one more past each key that is not there), or one by one
 * where the kernel has no batch delete (before 5.6). Returns how many were
 * deleted; keys not in the map are skipped.
 */
size_t map_delete_keys(int fd, const uint32_t *keys, size_t n);

/* Put the -p processes of t in a PID filter map (key __u32, value __u8 1).
 * -1 with a reason in err. */
int pid_filter_fill(int fd, const struct target *t, char *err, size_t errlen);

/* Put the ids of the -c cgroups of t in a cgroup filter map (key __u64,
 * value __u8 1) when there are several (PP_FILTER_CGROUPS). -1 with a
 * reason in err. */
int cgroup_filter_fill(int fd, const struct target *t, char *err, size_t errlen);

/* The in-kernel filter's read-only settings (bpf/common.bpf.h): the mode,
 * and the cgroup (hierarchy, controller, level, id) to select with one -c,
 * or the depths of the cgroups of several -c (mode PP_FILTER_CGROUPS, their
 * ids in the cgroup_filter map); the hierarchy and controller are set
 * whenever cg is given (the collectors read cgroups of that hierarchy). */
struct filter_rodata {
	__u32 *mode, *hier, *ssid, *level;
	__u64 *id;
	__u32 *nlevels, *levels; /* levels[PP_MAX_CGROUP_LEVELS] */
};

void filter_rodata_set(const struct filter_rodata *r, const struct target *t,
		       const struct cg_target *cg);

/* filter_rodata_set on a skeleton's rodata. */
#define FILTER_RODATA_SET(skel, t, cg)                                                     \
	filter_rodata_set(&(struct filter_rodata){ &(skel)->rodata->filter_mode,           \
			  &(skel)->rodata->cgroup_hier, &(skel)->rodata->cgroup_ssid,       \
			  &(skel)->rodata->cgroup_level, &(skel)->rodata->cgroup_target_id, \
			  &(skel)->rodata->cgroup_nlevels,                                  \
			  (__u32 *)(skel)->rodata->cgroup_levels },                         \
			  (t), (cg))

#endif
