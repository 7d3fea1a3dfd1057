// SPDX-License-Identifier: GPL-2.0
/* A cgroup target of the tuner (-c, the daemon's targets): its cpu and memory directories. */
#include <stdio.h>
#include <string.h>
#include "tune/cycle.h"

int tune_ctx_cgroup(struct tune_ctx *ctx, const char *arg, char *err, size_t errlen)
{
	char path[PATH_MAX], other[PATH_MAX], e[512];
	const char *rest;
	uint64_t id;

	if (arg[0] == '/')
		snprintf(path, sizeof(path), "%s", arg);
	else
		snprintf(path, sizeof(path), "/sys/fs/cgroup/%s", arg);
	if (!hostfs_clean_path(path)) {
		snprintf(err, errlen, "bad cgroup '%s': give its directory, such as "
			 "/sys/fs/cgroup/app", arg);
		return -1;
	}
	if (hostfs_cgroup_id(ctx->h, path, &id, e, sizeof(e))) {
		snprintf(err, errlen, "%s; check the path (v1: /sys/fs/cgroup/cpu/NAME)", e);
		return -1;
	}
	snprintf(ctx->cg_cpu, sizeof(ctx->cg_cpu), "%s", path);
	snprintf(ctx->cg_memory, sizeof(ctx->cg_memory), "%s", path);
	/* v1: the same group under the other controller, when it exists */
	if (!strncmp(path, "/sys/fs/cgroup/memory/", 22)) {
		rest = path + 22;
		snprintf(other, sizeof(other), "/sys/fs/cgroup/cpu/%s", rest);
		if (!hostfs_cgroup_id(ctx->h, other, &id, e, sizeof(e)))
			snprintf(ctx->cg_cpu, sizeof(ctx->cg_cpu), "%s", other);
	} else if (!strncmp(path, "/sys/fs/cgroup/cpu", 18) && (rest = strchr(path + 15, '/'))) {
		snprintf(other, sizeof(other), "/sys/fs/cgroup/memory%s", rest);
		if (!hostfs_cgroup_id(ctx->h, other, &id, e, sizeof(e)))
			snprintf(ctx->cg_memory, sizeof(ctx->cg_memory), "%s", other);
	}
	return 0;
}
