/* SPDX-License-Identifier: GPL-2.0 */
/* What to watch (-a, -p or -c), as the collectors and profilers take it. */
#ifndef PP_TARGET_H
#define PP_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "perfpilot.h"

#define PP_MAX_PIDS 1024
#define PP_TARGET_CGROUP_MAX 256 /* a -c cgroup's path in its hierarchy */

/* One -c cgroup, resolved (watch_validate): its kernfs id and depth for the
 * in-kernel filter, its path in its hierarchy ("/" for the root) for the
 * checks in user space. */
struct target_cgroup {
	uint64_t id;
	unsigned int level;
	char rel[PP_TARGET_CGROUP_MAX];
};

/* What to watch: -a, -p or -c (one or more cgroups, all of one hierarchy). */
struct target {
	enum pp_filter_mode mode;
	uint32_t pids[PP_MAX_PIDS];
	size_t npids;
	const char *cgroups[PP_MAX_CGROUPS]; /* the -c arguments as given */
	size_t ncgroups;
	struct target_cgroup cg[PP_MAX_CGROUPS]; /* resolved: ncgroups of them */
	bool children;
};

/* Is a cgroup path (in the targets' hierarchy) one of the -c cgroups or
 * under one? */
bool target_has_cgroup(const struct target *t, const char *path);

/* Is any of the target's PIDs still alive? */
bool any_alive(const struct target *t);

#endif
