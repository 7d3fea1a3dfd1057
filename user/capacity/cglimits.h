/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The limits that apply to a cgroup, read from its hierarchy (v2:
 * cpu.max, memory.max; v1: cpu.cfs_quota_us / cpu.cfs_period_us,
 * memory.limit_in_bytes), the smallest of the cgroup's and its
 * ancestors'. The parsers are pure; the readers take the mount points, so
 * that tests run them on fixture trees.
 */
#ifndef PP_CAPACITY_CGLIMITS_H
#define PP_CAPACITY_CGLIMITS_H

#include <stdbool.h>
#include <stddef.h>
#include "capacity/capacity.h"

/* cpu.max ("QUOTA PERIOD" or "max PERIOD"): 1 with the cores, 0 for no
 * limit, -1 when malformed. */
int cap_parse_cpu_max(const char *text, double *cores);

/* v1: cpu.cfs_quota_us and cpu.cfs_period_us (quota -1: no limit); the
 * same returns. */
int cap_parse_cfs(const char *quota, const char *period, double *cores);

/* memory.max or memory.limit_in_bytes: 1 with the bytes, 0 for no limit
 * ("max", or v1's huge "unlimited" of at least 2^62), -1 when malformed. */
int cap_parse_mem_limit(const char *text, double *bytes);

/* Where a cgroup's files are: v2 has both in one mount; v1 each in the
 * mount of its controller (NULL or "": that controller is not mounted). */
struct cap_hier {
	bool v2;
	const char *cpu_mount;
	const char *mem_mount;
};

/*
 * The limits of the cgroup at rel ("/a/b") into out (path = rel, the
 * caller's string): NAN where none applies. -1 with a one-line reason
 * when the cgroup does not exist in any of the mounts.
 */
int cap_read_limits(const struct cap_hier *h, const char *rel, struct cap_limit *out,
		    char *err, size_t errlen);

/* The hierarchies of this host (/proc/self/mountinfo): v2 unless v1 is
 * asked for (a v1 -c target) and mounted. Mount paths go into the
 * buffers (PATH_MAX each). -1 when neither is mounted. */
int cap_host_hier(bool v1, struct cap_hier *h, char *cpu_buf, char *mem_buf);

#endif
