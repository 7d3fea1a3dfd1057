/* SPDX-License-Identifier: GPL-2.0 */
/* Finding cgroups: mounts, -c path resolution, a process's cgroup, id -> path. */
#ifndef PP_CGROUP_H
#define PP_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <limits.h>
#include "perfpilot.h"

#define CG_MAX_MOUNTS 32

struct cg_mount {
	char path[PATH_MAX];   /* where it is mounted */
	bool v2;
	char controllers[128]; /* v1: comma-separated controllers, e.g. "cpu,cpuacct" */
	char name[64];         /* v1 named hierarchy (name=systemd) */
};

struct cg_mounts {
	struct cg_mount m[CG_MAX_MOUNTS];
	size_t n;
};

/* Parse /proc/self/mountinfo content for cgroup and cgroup2 mounts. */
int cg_parse_mountinfo(FILE *f, struct cg_mounts *out);

/* The first line of dir/file (a cgroup's control file) into buf, newline
 * kept; -1 when it cannot be read. */
int cg_read_line(const char *dir, const char *file, char *buf, size_t len);

/* The resolved -c target. */
struct cg_target {
	enum pp_cgroup_hier hier;
	unsigned int ssid;       /* v1 controller index (line order in /proc/cgroups) */
	char controller[32];     /* v1 controller name */
	char mount[PATH_MAX];    /* mount point of the hierarchy */
	char rel[PATH_MAX];      /* path inside the hierarchy, "/" for the root */
	unsigned int level;      /* depth of rel: 0 for the root */
	uint64_t id;             /* kernfs id (inode number) */
};

/*
 * Split `arg` into hierarchy + relative path using the mounts, without
 * touching the file system: a path under a mount point belongs to that
 * mount; anything else is taken relative to the cgroup2 mount. Sets hier,
 * controller, mount, rel, level. -1 with a message in err.
 */
int cg_split_path(const struct cg_mounts *mounts, const char *arg,
		  struct cg_target *out, char *err, size_t errlen);

/* Index of a controller in /proc/cgroups content (its ssid), or -1. */
int cg_controller_ssid(FILE *proc_cgroups, const char *controller);

/* Resolve a -c argument on this host (reads mountinfo, /proc/cgroups, stat). */
int cg_resolve(const char *arg, struct cg_target *out, char *err, size_t errlen);

/*
 * From /proc/PID/cgroup content, the path in the v2 hierarchy (hier V2) or
 * the v1 hierarchy holding `controller`. 0 on success.
 */
int cg_parse_proc_cgroup(FILE *f, enum pp_cgroup_hier hier, const char *controller,
			 char *path, size_t len);

/* The reporting hierarchy: v2 unless a v1 target was given. */
struct cg_view {
	enum pp_cgroup_hier hier;
	char controller[32];
	char mount[PATH_MAX];
};
void cg_view_default(struct cg_view *v);

/* A process's cgroup path in the view; "?" when it cannot be read. */
void cg_path_of_pid(const struct cg_view *v, uint32_t pid, char *path, size_t len);

/* A cgroup's path from its id, by walking the hierarchy (cached). */
int cg_path_of_id(const struct cg_view *v, uint64_t id, char *path, size_t len);

#endif
