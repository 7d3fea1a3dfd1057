/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hostfs: the one place that reads and writes what the tuner changes on the
 * host, sysctls under /proc/sys and cgroup files, always below a root
 * prefix. Root "" is the real host; any other root is a fixture tree (the
 * unit tests build a fake proc/sys and cgroup v1 and v2 directories in a
 * temporary directory).
 *
 * Network namespaces: a sysctl can be read or written in another network
 * namespace, named as `ip netns` does (NAME -> /var/run/netns/NAME) or by a
 * path (/proc/PID/ns/net). On the real host the calling thread enters the
 * namespace with setns(CLONE_NEWNET), does the read or write of
 * /proc/sys/net/..., and returns to its own namespace (a descriptor of
 * /proc/thread-self/ns/net kept across the call) whatever happened; only
 * net.* sysctls are per namespace. In a fixture tree a namespace is a
 * directory at ROOT + its reference (ROOT/var/run/netns/NAME, or
 * ROOT/proc/PID/ns/net) holding its own proc/sys tree: the namespace's
 * net.core.somaxconn is ROOT/var/run/netns/NAME/proc/sys/net/core/somaxconn.
 *
 * Cgroups are named by their directory as on the host (/sys/fs/cgroup/app
 * on v2, /sys/fs/cgroup/cpu/app for v1's cpu controller); v1 or v2 is told
 * by the files in it.
 *
 * Errors: -1 with one line in err naming the file and the reason.
 */
#ifndef PP_TUNE_HOSTFS_H
#define PP_TUNE_HOSTFS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hostfs {
	char root[PATH_MAX]; /* "" = the real host */
	/*
	 * Tests only: called with the file's full path and the value just
	 * before every write; a nonzero return fails the write (with errno as
	 * the hook set it, EIO if it did not). NULL in production.
	 */
	int (*write_hook)(void *arg, const char *path, const char *value);
	void *hook_arg;
};

/* root NULL or "" for the real host; -1 if it is too long. */
int hostfs_init(struct hostfs *h, const char *root);
bool hostfs_is_fixture(const struct hostfs *h);

#define HOSTFS_VALUE_MAX 256
#define HOSTFS_FIELDS 3

/* A value as read: the text and its whitespace-separated fields. */
struct hostfs_value {
	char str[HOSTFS_VALUE_MAX]; /* as read, without the trailing newline */
	int ntok;                   /* how many fields */
	int64_t f[HOSTFS_FIELDS];   /* the first fields as numbers, */
	bool num[HOSTFS_FIELDS];    /* where they are integers ("max" is not) */
};

/* Split s into fields (v->str = s). -1 if s is too long. */
int hostfs_parse_value(const char *s, struct hostfs_value *v);

/* The same fields in the same order: "4096\t131072 6291456" = "4096 131072 6291456". */
bool hostfs_value_equal(const char *a, const char *b);

/* An absolute path without empty, "." or ".." components (a trailing / is fine). */
bool hostfs_clean_path(const char *path);

/*
 * A whole host file below the root (ROOT + path, an absolute path such as
 * /proc/stat) into buf, NUL-terminated; an error when it does not fit.
 */
int hostfs_read_text(const struct hostfs *h, const char *path, char *buf, size_t len,
		     char *err, size_t errlen);

/*
 * Write a value (and a newline, in one write(2)) to an existing host file
 * below the root; a fixture's stand-ins of what the host sets by system
 * calls (hostproc.c) are written so.
 */
int hostfs_write_text(const struct hostfs *h, const char *path, const char *value, char *err,
		      size_t errlen);

/* ---- sysctls: dotted names (net.core.somaxconn), netns NULL = our own ---- */

int hostfs_sysctl_path(const struct hostfs *h, const char *netns, const char *name, char *path,
		       size_t len, char *err, size_t errlen);
int hostfs_sysctl_read(const struct hostfs *h, const char *netns, const char *name,
		       struct hostfs_value *v, char *err, size_t errlen);
int hostfs_sysctl_write(const struct hostfs *h, const char *netns, const char *name,
			const char *value, char *err, size_t errlen);

/*
 * The identity of a network namespace (the inode of its nsfs file; in a
 * fixture tree of its directory), to tell a namespace from a later one
 * behind the same name or path. -1 when it does not exist (errno ENOENT).
 */
int hostfs_netns_id(const struct hostfs *h, const char *netns, uint64_t *id, char *err,
		    size_t errlen);

/*
 * A file of a namespace's own /proc/net ("/proc/net/netstat"), whole, into
 * buf: on the real host read inside the namespace (netns NULL: our own); in
 * a fixture tree ROOT + the namespace's reference + file.
 */
int hostfs_netns_read_text(const struct hostfs *h, const char *netns, const char *file,
			   char *buf, size_t len, char *err, size_t errlen);

/*
 * Call fn(arg) with the calling thread inside the namespace (netns NULL, or
 * a fixture tree: where it is) and return there after; fn's result, or -1
 * with err when the namespace cannot be entered. fn must not write to the
 * host: sockets it makes stay in the namespace (sock_diag).
 */
int hostfs_netns_run(const struct hostfs *h, const char *netns, int (*fn)(void *arg), void *arg,
		     char *err, size_t errlen);

/* ---- cgroup files ---- */

/* The cgroup's directory inode; -1 (errno ENOENT) when it is gone. */
int hostfs_cgroup_id(const struct hostfs *h, const char *cgroup, uint64_t *id, char *err,
		     size_t errlen);
bool hostfs_cgroup_has(const struct hostfs *h, const char *cgroup, const char *file);
int hostfs_cgroup_read(const struct hostfs *h, const char *cgroup, const char *file,
		       struct hostfs_value *v, char *err, size_t errlen);
/* A whole multi-line file (cpu.stat) into buf, NUL-terminated. */
int hostfs_cgroup_read_text(const struct hostfs *h, const char *cgroup, const char *file,
			    char *buf, size_t len, char *err, size_t errlen);
int hostfs_cgroup_write(const struct hostfs *h, const char *cgroup, const char *file,
			const char *value, char *err, size_t errlen);

/* ---- the CPU quota of a cgroup, v1 or v2 ---- */

enum hostfs_cg_version { HOSTFS_CG_V1 = 1, HOSTFS_CG_V2 = 2 };

struct hostfs_cpu_quota {
	enum hostfs_cg_version version;
	bool unlimited;     /* cpu.max "max ..." or cpu.cfs_quota_us -1 */
	int64_t quota_us;   /* -1 when unlimited */
	int64_t period_us;
};

/* v2 when cpu.max exists, v1 when cpu.cfs_quota_us does, else -1. */
int hostfs_cpu_quota_get(const struct hostfs *h, const char *cgroup, struct hostfs_cpu_quota *q,
			 char *err, size_t errlen);

/*
 * The file and value that set the quota to quota_us (< 0: unlimited) with
 * the period kept: cpu.max "20000 100000" or cpu.cfs_quota_us "20000".
 */
void hostfs_cpu_quota_format(const struct hostfs_cpu_quota *q, int64_t quota_us,
			     const char **file, char *value, size_t len);
int hostfs_cpu_quota_set(const struct hostfs *h, const char *cgroup, int64_t quota_us,
			 char *err, size_t errlen);

/* cpu.stat normalised: v2 throttled_usec and v1 throttled_time (ns) -> ns. */
struct hostfs_cpu_throttle {
	int64_t periods, throttled_periods, throttled_ns;
};
int hostfs_cpu_throttle_get(const struct hostfs *h, const char *cgroup,
			    struct hostfs_cpu_throttle *t, char *err, size_t errlen);

/*
 * Set err (errlen bytes) from a format and errno to e, and return -1: how
 * the tuner's readers and writers of the host fail (errno e, err the line
 * for the user). Pass errno as e to leave it as it is.
 */
int tune_fail(char *err, size_t errlen, int e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
