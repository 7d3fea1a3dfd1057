// SPDX-License-Identifier: GPL-2.0
/* A process's identity, cgroup, nice value and CPU affinity, all threads (hostproc.h). */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include "tune/cpulist.h"
#include "tune/hostfs.h"
#include "tune/hostproc.h"
#include "tune/num.h"

#define PF_KTHREAD_FLAG 0x00200000
#define MAX_THREADS 4096
#define WRITE_PASSES 5

/* Field k (1-based, k >= 3) of a stat line, after the comm's closing parenthesis. */
static int stat_field(const char *after, int k, int64_t *out)
{
	const char *p = after;
	char tok[32];
	size_t n;
	int i;

	for (i = 3; ; i++) {
		while (*p == ' ')
			p++;
		n = strcspn(p, " \n");
		if (!n)
			return -1;
		if (i == k) {
			if (n >= sizeof(tok))
				return -1;
			memcpy(tok, p, n);
			tok[n] = 0;
			return num_parse_i64(tok, out);
		}
		p += n;
	}
}

int hostproc_parse_stat(const char *text, struct hostproc *p, const char **what)
{
	const char *lp, *rp;
	int64_t v;
	size_t n;

	lp = strchr(text, '(');
	rp = strrchr(text, ')');
	if (!lp || !rp || rp < lp)
		return *what = "unexpected content", -1;
	n = (size_t)(rp - lp - 1);
	if (n >= sizeof(p->comm))
		n = sizeof(p->comm) - 1;
	memcpy(p->comm, lp + 1, n);
	p->comm[n] = 0;
	if (stat_field(rp + 1, 4, &v) || v < 0 || v > INT32_MAX)
		return *what = "no parent PID", -1;
	p->ppid = (int)v;
	if (stat_field(rp + 1, 9, &v))
		return *what = "no flags", -1;
	p->kthread = (v & PF_KTHREAD_FLAG) != 0;
	if (stat_field(rp + 1, 22, &v) || v < 0)
		return *what = "no start time", -1;
	p->start = (uint64_t)v;
	return 0;
}

int64_t hostproc_parse_uid(const char *status)
{
	const char *uid = strncmp(status, "Uid:", 4) ? strstr(status, "\nUid:") : status;
	int64_t v;

	if (!uid)
		return -1;
	if (*uid == '\n')
		uid++;
	return sscanf(uid + 4, "%" SCNd64, &v) == 1 && v >= 0 ? v : -1;
}

int hostproc_get(const struct hostfs *h, int pid, struct hostproc *p, char *err, size_t errlen)
{
	char path[64], text[4096];
	const char *what = "";

	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->uid = -1;
	if (pid <= 0)
		return tune_fail(err, errlen, EINVAL, "bad PID %d", pid);
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (hostfs_read_text(h, path, text, sizeof(text), err, errlen)) {
		if (errno == ENOENT || errno == ESRCH)
			return tune_fail(err, errlen, ENOENT, "process %d does not exist", pid);
		return -1;
	}
	if (hostproc_parse_stat(text, p, &what))
		return tune_fail(err, errlen, EINVAL, "%s: %s", path, what);
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (!hostfs_read_text(h, path, text, sizeof(text), err, errlen))
		p->uid = hostproc_parse_uid(text);
	return 0;
}

int hostproc_same(const struct hostfs *h, int pid, uint64_t start, char *err, size_t errlen)
{
	struct hostproc p;

	if (hostproc_get(h, pid, &p, err, errlen))
		return errno == ENOENT ? 1 : -1;
	return p.start == start ? 0 : 1;
}

/* ---- cgroups ---- */

static bool has_controller(const char *list, const char *ctrl)
{
	size_t n = strlen(ctrl);
	const char *p = list;

	while (*p) {
		size_t k = strcspn(p, ",");

		if (k == n && !strncmp(p, ctrl, n))
			return true;
		p += k;
		if (*p)
			p++;
	}
	return false;
}

static bool dir_exists(const struct hostfs *h, const char *cg)
{
	char e[8];
	uint64_t id;

	return hostfs_clean_path(cg) && !hostfs_cgroup_id(h, cg, &id, e, sizeof(e));
}

int hostproc_cgroup(const struct hostfs *h, int pid, const char *controller, char *out,
		    size_t len, char *err, size_t errlen)
{
	char path[64], text[4096], list[128], v2[PATH_MAX] = "", dir[PATH_MAX];
	char *line, *save = NULL, *c1, *c2;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
	if (hostfs_read_text(h, path, text, sizeof(text), err, errlen)) {
		if (errno == ENOENT || errno == ESRCH)
			return tune_fail(err, errlen, ENOENT, "process %d does not exist", pid);
		return -1;
	}
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		c1 = strchr(line, ':');
		c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2 || c2[1] != '/')
			continue;
		snprintf(list, sizeof(list), "%.*s", (int)(c2 - c1 - 1), c1 + 1);
		if (!list[0]) {
			snprintf(v2, sizeof(v2), "%s", c2 + 1);
			continue;
		}
		if (!has_controller(list, controller))
			continue;
		/* the mount is named by its controllers (cpu,cpuacct) or by the one */
		if (snprintf(dir, sizeof(dir), "/sys/fs/cgroup/%s%s", list,
			     strcmp(c2 + 1, "/") ? c2 + 1 : "") < (int)sizeof(dir) &&
		    dir_exists(h, dir))
			return snprintf(out, len, "%s", dir) < (int)len ? 0 :
			       tune_fail(err, errlen, ENAMETOOLONG, "cgroup path too long");
		if (snprintf(dir, sizeof(dir), "/sys/fs/cgroup/%s%s", controller,
			     strcmp(c2 + 1, "/") ? c2 + 1 : "") < (int)sizeof(dir) &&
		    dir_exists(h, dir))
			return snprintf(out, len, "%s", dir) < (int)len ? 0 :
			       tune_fail(err, errlen, ENAMETOOLONG, "cgroup path too long");
	}
	if (v2[0]) {
		/* pure v2 when the root has cgroup.controllers, else a hybrid's unified */
		if (snprintf(dir, sizeof(dir), "%s%s",
			     hostfs_cgroup_has(h, "/sys/fs/cgroup", "cgroup.controllers") ?
			     "/sys/fs/cgroup" : "/sys/fs/cgroup/unified",
			     strcmp(v2, "/") ? v2 : "") >= (int)sizeof(dir))
			return tune_fail(err, errlen, ENAMETOOLONG, "cgroup path too long");
		if (dir_exists(h, dir))
			return snprintf(out, len, "%s", dir) < (int)len ? 0 :
			       tune_fail(err, errlen, ENAMETOOLONG, "cgroup path too long");
	}
	return tune_fail(err, errlen, ENOENT, "process %d: no %s cgroup found", pid, controller);
}

/* ---- threads ---- */

enum what { W_NICE, W_AFFINITY };

static int what_of(const char *what, enum what *w, char *err, size_t errlen)
{
	if (!strcmp(what, "nice"))
		*w = W_NICE;
	else if (!strcmp(what, "affinity"))
		*w = W_AFFINITY;
	else
		return tune_fail(err, errlen, EINVAL, "not a process value: '%s'", what);
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return x < y ? -1 : x > y;
}

/* The numeric entries of ROOT + dir, ascending; -1 with errno when it cannot be listed. */
static int list_ids(const struct hostfs *h, const char *dir, int *out, size_t max, size_t *n)
{
	char path[PATH_MAX + 64];
	struct dirent *d;
	int64_t v;
	DIR *dp;

	*n = 0;
	snprintf(path, sizeof(path), "%s%s", h->root, dir);
	dp = opendir(path);
	if (!dp)
		return -1;
	while ((d = readdir(dp)) && *n < max)
		if (isdigit((unsigned char)d->d_name[0]) && !num_parse_i64(d->d_name, &v) &&
		    v > 0 && v <= INT32_MAX)
			out[(*n)++] = (int)v;
	closedir(dp);
	qsort(out, *n, sizeof(*out), cmp_int);
	return 0;
}

size_t hostproc_list(const struct hostfs *h, int *out, size_t max)
{
	size_t n;

	return list_ids(h, "/proc", out, max, &n) ? 0 : n;
}

static int threads(const struct hostfs *h, int pid, int *tids, size_t *n, char *err,
		   size_t errlen)
{
	char dir[64];

	snprintf(dir, sizeof(dir), "/proc/%d/task", pid);
	if (list_ids(h, dir, tids, MAX_THREADS, n) || !*n)
		return tune_fail(err, errlen, ENOENT, "process %d does not exist", pid);
	return 0;
}

/* One thread's value as text; 1 when the thread is gone (exited meanwhile). */
static int thread_read(const struct hostfs *h, int pid, int tid, enum what w, char *out,
		       size_t len, char *err, size_t errlen)
{
	char path[96];
	size_t n;

	if (hostfs_is_fixture(h)) {
		snprintf(path, sizeof(path), "/proc/%d/task/%d/%s", pid, tid,
			 w == W_NICE ? "nice" : "affinity");
		if (hostfs_read_text(h, path, out, len, err, errlen))
			return errno == ENOENT ? 1 : -1;
		n = strlen(out);
		while (n && (out[n - 1] == '\n' || out[n - 1] == ' '))
			out[--n] = 0;
		return 0;
	}
	if (w == W_NICE) {
		int v;

		errno = 0;
		v = getpriority(PRIO_PROCESS, (id_t)tid);
		if (v == -1 && errno)
			return errno == ESRCH ? 1 :
			       tune_fail(err, errlen, errno, "nice of thread %d: %s", tid, strerror(errno));
		snprintf(out, len, "%d", v);
		return 0;
	}
	{
		struct cpulist cl;
		cpu_set_t set;
		int i;

		if (sched_getaffinity(tid, sizeof(set), &set))
			return errno == ESRCH ? 1 :
			       tune_fail(err, errlen, errno, "affinity of thread %d: %s", tid,
				    strerror(errno));
		cpulist_clear(&cl);
		for (i = 0; i < CPU_SETSIZE && i < CPULIST_MAX; i++)
			if (CPU_ISSET(i, &set))
				cpulist_set(&cl, i);
		if (cpulist_format(&cl, out, len))
			return tune_fail(err, errlen, EINVAL, "affinity of thread %d: too long", tid);
		return 0;
	}
}

/* Set one thread; 1 when it is gone. */
static int thread_write(const struct hostfs *h, int pid, int tid, enum what w, const char *value,
			char *err, size_t errlen)
{
	char path[96];

	if (hostfs_is_fixture(h)) {
		snprintf(path, sizeof(path), "/proc/%d/task/%d/%s", pid, tid,
			 w == W_NICE ? "nice" : "affinity");
		if (hostfs_write_text(h, path, value, err, errlen))
			return errno == ENOENT ? 1 : -1;
		return 0;
	}
	if (w == W_NICE) {
		int64_t v;

		if (num_parse_i64(value, &v) || v < -20 || v > 19)
			return tune_fail(err, errlen, EINVAL, "bad nice value '%s'", value);
		if (setpriority(PRIO_PROCESS, (id_t)tid, (int)v))
			return errno == ESRCH ? 1 :
			       tune_fail(err, errlen, errno, "setting nice %s on thread %d of %d: %s",
				    value, tid, pid, strerror(errno));
		return 0;
	}
	{
		struct cpulist cl;
		cpu_set_t set;
		int i;

		if (cpulist_parse(value, &cl) || !cpulist_count(&cl))
			return tune_fail(err, errlen, EINVAL, "bad CPU list '%s'", value);
		CPU_ZERO(&set);
		for (i = 0; i < CPU_SETSIZE && i < CPULIST_MAX; i++)
			if (cpulist_has(&cl, i))
				CPU_SET(i, &set);
		if (sched_setaffinity(tid, sizeof(set), &set))
			return errno == ESRCH ? 1 :
			       tune_fail(err, errlen, errno, "setting CPUs %s on thread %d of %d: %s",
				    value, tid, pid, strerror(errno));
		return 0;
	}
}

static bool same_value(enum what w, const char *a, const char *b)
{
	return w == W_AFFINITY ? cpulist_text_equal(a, b) : hostfs_value_equal(a, b);
}

int hostproc_read(const struct hostfs *h, int pid, const char *what, struct hostfs_value *v,
		  char *err, size_t errlen)
{
	char first[HOSTFS_VALUE_MAX] = "", cur[HOSTFS_VALUE_MAX], out[HOSTFS_VALUE_MAX];
	int *tids, first_tid = 0, rc;
	size_t n, i;
	enum what w = W_NICE;

	if (what_of(what, &w, err, errlen))
		return -1;
	tids = malloc(MAX_THREADS * sizeof(*tids));
	if (!tids)
		return tune_fail(err, errlen, ENOMEM, "out of memory");
	if (threads(h, pid, tids, &n, err, errlen)) {
		free(tids);
		return -1;
	}
	snprintf(out, sizeof(out), "?");
	for (i = 0; i < n; i++) {
		rc = thread_read(h, pid, tids[i], w, cur, sizeof(cur), err, errlen);
		if (rc > 0)
			continue;
		if (rc < 0) {
			free(tids);
			return -1;
		}
		if (!first_tid) {
			first_tid = tids[i];
			snprintf(first, sizeof(first), "%s", cur);
			snprintf(out, sizeof(out), "%s", cur);
		} else if (!same_value(w, first, cur)) {
			if (snprintf(out, sizeof(out), "mixed: thread %d %.100s, thread %d %.100s",
				     first_tid, first, tids[i], cur) >= (int)sizeof(out))
				out[sizeof(out) - 1] = 0;
			break;
		}
	}
	free(tids);
	if (!first_tid)
		return tune_fail(err, errlen, ENOENT, "process %d does not exist", pid);
	hostfs_parse_value(out, v);
	return 0;
}

int hostproc_write(const struct hostfs *h, int pid, const char *what, const char *value,
		   char *err, size_t errlen)
{
	char cur[HOSTFS_VALUE_MAX];
	int *tids, pass, rc, set;
	size_t n, i, alive;
	enum what w = W_NICE;

	if (what_of(what, &w, err, errlen))
		return -1;
	tids = malloc(MAX_THREADS * sizeof(*tids));
	if (!tids)
		return tune_fail(err, errlen, ENOMEM, "out of memory");
	for (pass = 0; pass < WRITE_PASSES; pass++) {
		if (threads(h, pid, tids, &n, err, errlen))
			goto fail;
		for (i = 0, set = 0, alive = 0; i < n; i++) {
			rc = thread_read(h, pid, tids[i], w, cur, sizeof(cur), err, errlen);
			if (rc < 0)
				goto fail;
			if (rc > 0)
				continue;
			alive++;
			if (same_value(w, cur, value))
				continue;
			rc = thread_write(h, pid, tids[i], w, value, err, errlen);
			if (rc < 0)
				goto fail;
			set += rc == 0;
		}
		if (!alive) {
			tune_fail(err, errlen, ENOENT, "process %d does not exist", pid);
			goto fail;
		}
		if (!set) { /* a pass that found every thread at the value */
			free(tids);
			return 0;
		}
	}
	tune_fail(err, errlen, EAGAIN, "process %d: its threads keep starting with the old %s", pid,
	     what);
fail:
	free(tids);
	return -1;
}
