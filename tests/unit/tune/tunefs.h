/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fixture trees for the tuner's unit tests (not a test itself): a temporary
 * root holding a fake proc/sys, cgroup v1 and v2 directories and network
 * namespaces as hostfs sees them in a fixture tree (user/tune/hostfs.h).
 */
#ifndef PP_TUNEFS_H
#define PP_TUNEFS_H

/* the test defines _GNU_SOURCE before its first include (nftw) */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <sys/stat.h>
#include "../unit.h"

/* A new empty directory /tmp/pp-tune-TAG-XXXXXX; its path in buf. */
static inline void tfs_mkroot(char *buf, size_t len, const char *tag)
{
	snprintf(buf, len, "/tmp/pp-tune-%s-XXXXXX", tag);
	assert_non_null(mkdtemp(buf));
}

/* mkdir -p of ROOT/REL. */
static inline void tfs_mkdir(const char *root, const char *rel)
{
	char path[2 * PATH_MAX], *p;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (p = path + strlen(root) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
		*p = '/';
	}
	assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
}

/* ROOT/REL with this content, its directories made. */
static inline void tfs_put(const char *root, const char *rel, const char *content)
{
	char path[2 * PATH_MAX], dir[PATH_MAX], *slash;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s", rel);
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = 0;
		tfs_mkdir(root, dir);
	}
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	assert_int_equal(fclose(f), 0);
}

/* The content of ROOT/REL (a static buffer), or NULL when it is missing. */
static inline const char *tfs_get(const char *root, const char *rel)
{
	static char buf[8192];
	char path[2 * PATH_MAX];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

static inline bool tfs_exists(const char *root, const char *rel)
{
	char path[2 * PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return access(path, F_OK) == 0;
}

static inline int tfs_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* rm -rf ROOT */
static inline void tfs_rmroot(const char *root)
{
	nftw(root, tfs_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/*
 * A host: proc/sys with the tuner's sysctls at common defaults, a cgroup v2
 * tree (sys/fs/cgroup/app) and a v1 tree (sys/fs/cgroup/{cpu,memory}/app).
 */
static inline void tfs_host(const char *root)
{
	tfs_put(root, "proc/sys/net/core/somaxconn", "4096\n");
	tfs_put(root, "proc/sys/net/core/rmem_max", "212992\n");
	tfs_put(root, "proc/sys/net/ipv4/tcp_max_syn_backlog", "512\n");
	tfs_put(root, "proc/sys/net/ipv4/tcp_rmem", "4096\t131072\t6291456\n");
	tfs_put(root, "proc/sys/net/ipv4/tcp_wmem", "4096\t16384\t4194304\n");
	tfs_put(root, "proc/sys/vm/min_free_kbytes", "67584\n");
	tfs_put(root, "proc/sys/vm/watermark_scale_factor", "10\n");
	tfs_put(root, "proc/sys/vm/dirty_background_ratio", "10\n");
	tfs_put(root, "proc/sys/vm/dirty_ratio", "20\n");
	tfs_put(root, "sys/fs/cgroup/app/cpu.max", "max 100000\n");
	tfs_put(root, "sys/fs/cgroup/app/cpu.weight", "100\n");
	tfs_put(root, "sys/fs/cgroup/app/memory.high", "max\n");
	tfs_put(root, "sys/fs/cgroup/app/cpu.stat",
		"usage_usec 9000000\nuser_usec 6000000\nsystem_usec 3000000\n"
		"nr_periods 50\nnr_throttled 10\nthrottled_usec 12345\n"
		"nr_bursts 0\nburst_usec 0\n");
	tfs_put(root, "sys/fs/cgroup/cpu/app/cpu.cfs_quota_us", "-1\n");
	tfs_put(root, "sys/fs/cgroup/cpu/app/cpu.cfs_period_us", "100000\n");
	tfs_put(root, "sys/fs/cgroup/cpu/app/cpu.shares", "1024\n");
	tfs_put(root, "sys/fs/cgroup/cpu/app/cpu.stat",
		"nr_periods 70\nnr_throttled 7\nthrottled_time 5000000000\n");
	tfs_put(root, "sys/fs/cgroup/memory/app/memory.limit_in_bytes",
		"9223372036854771712\n");
	tfs_put(root, "sys/fs/cgroup/memory/app/memory.soft_limit_in_bytes",
		"9223372036854771712\n");
}

/*
 * A process as hostproc.c sees it in a fixture tree: proc/PID/stat (comm,
 * flags, start time), status (uid), cgroup (the v1 cpu and cpuset
 * controllers' and the v2 group), and threads PID and PID+1 .. PID+n-1,
 * each with its nice and affinity files.
 */
static inline void tfs_proc(const char *root, int pid, const char *comm, unsigned long long start,
			    unsigned int flags, int uid, int nthreads, const char *nice,
			    const char *affinity, const char *cgroup)
{
	char rel[128], text[512];
	int i;

	snprintf(rel, sizeof(rel), "proc/%d/stat", pid);
	snprintf(text, sizeof(text), "%d (%s) S 1 %d %d 0 -1 %u 10 0 0 0 500 20 0 0 20 0 %d 0 "
		 "%llu 1000000 100 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0\n", pid,
		 comm, pid, pid, flags, nthreads, start);
	tfs_put(root, rel, text);
	snprintf(rel, sizeof(rel), "proc/%d/status", pid);
	snprintf(text, sizeof(text), "Name:\t%s\nState:\tS (sleeping)\nUid:\t%d\t%d\t%d\t%d\n",
		 comm, uid, uid, uid, uid);
	tfs_put(root, rel, text);
	snprintf(rel, sizeof(rel), "proc/%d/cgroup", pid);
	snprintf(text, sizeof(text), "4:cpuset:%s\n3:cpu,cpuacct:%s\n0::%s\n", cgroup, cgroup,
		 cgroup);
	tfs_put(root, rel, text);
	for (i = 0; i < nthreads; i++) {
		snprintf(rel, sizeof(rel), "proc/%d/task/%d/nice", pid, pid + i);
		snprintf(text, sizeof(text), "%s\n", nice);
		tfs_put(root, rel, text);
		snprintf(rel, sizeof(rel), "proc/%d/task/%d/affinity", pid, pid + i);
		snprintf(text, sizeof(text), "%s\n", affinity);
		tfs_put(root, rel, text);
	}
}

#endif
