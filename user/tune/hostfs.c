// SPDX-License-Identifier: GPL-2.0
/* hostfs: reads and writes of sysctls and cgroup files below a root (hostfs.h). */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tune/hostfs.h"
#include "tune/num.h"

#define NETNS_RUN_DIR "/var/run/netns/"
#define TEXT_MAX 4096

int hostfs_init(struct hostfs *h, const char *root)
{
	memset(h, 0, sizeof(*h));
	if (!root)
		return 0;
	if (strlen(root) >= sizeof(h->root) - 1024)
		return -1;
	strcpy(h->root, root);
	/* "/" and "dir/" are the same roots as "" and "dir" */
	while (h->root[0] && h->root[strlen(h->root) - 1] == '/')
		h->root[strlen(h->root) - 1] = 0;
	return 0;
}

bool hostfs_is_fixture(const struct hostfs *h)
{
	return h->root[0] != 0;
}

int tune_fail(char *err, size_t errlen, int e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	errno = e;
	return -1;
}

/* ---- values ---- */

int hostfs_parse_value(const char *s, struct hostfs_value *v)
{
	const char *p = s;
	char tok[32];
	size_t n;

	memset(v, 0, sizeof(*v));
	if (strlen(s) >= sizeof(v->str))
		return -1;
	strcpy(v->str, s);
	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			return 0;
		n = strcspn(p, " \t\n");
		if (v->ntok < HOSTFS_FIELDS && n < sizeof(tok)) {
			memcpy(tok, p, n);
			tok[n] = 0;
			v->num[v->ntok] = num_parse_i64(tok, &v->f[v->ntok]) == 0;
		}
		v->ntok++;
		p += n;
	}
}

bool hostfs_value_equal(const char *a, const char *b)
{
	size_t na, nb;

	for (;;) {
		while (isspace((unsigned char)*a))
			a++;
		while (isspace((unsigned char)*b))
			b++;
		if (!*a || !*b)
			return !*a && !*b;
		na = strcspn(a, " \t\n");
		nb = strcspn(b, " \t\n");
		if (na != nb || memcmp(a, b, na))
			return false;
		a += na;
		b += nb;
	}
}

/* ---- paths ---- */

bool hostfs_clean_path(const char *p)
{
	const char *c = p;
	size_t n;

	if (*p != '/')
		return false;
	while (*c == '/') {
		c++;
		n = strcspn(c, "/");
		if (n == 0 ? c[0] != 0 : (n == 1 && c[0] == '.') || (n == 2 && !strncmp(c, "..", 2)))
			return false;
		c += n;
	}
	return true;
}

static int join(const struct hostfs *h, const char *a, const char *b, const char *c,
		char *out, size_t len, char *err, size_t errlen)
{
	int n = snprintf(out, len, "%s%s%s%s", h->root, a, b ? b : "", c ? c : "");

	if (n < 0 || (size_t)n >= len)
		return tune_fail(err, errlen, ENAMETOOLONG, "path too long: %s%s%s%s", h->root, a,
			    b ? b : "", c ? c : "");
	return 0;
}

/* net.core.somaxconn -> net/core/somaxconn (a '/' in a name stands for a '.') */
static int sysctl_rel(const char *name, char *out, size_t len, char *err, size_t errlen)
{
	size_t i, n = strlen(name);

	if (n == 0 || n + 2 > len)
		return tune_fail(err, errlen, EINVAL, "bad sysctl name '%s'", name);
	out[0] = '/';
	for (i = 0; i < n; i++) {
		if (isspace((unsigned char)name[i]) || !isprint((unsigned char)name[i]))
			return tune_fail(err, errlen, EINVAL, "bad sysctl name '%s'", name);
		out[i + 1] = name[i] == '.' ? '/' : name[i] == '/' ? '.' : name[i];
	}
	out[n + 1] = 0;
	if (!hostfs_clean_path(out) || out[n] == '/')
		return tune_fail(err, errlen, EINVAL, "bad sysctl name '%s'", name);
	return 0;
}

/* The file that stands for a namespace: /var/run/netns/NAME or the path. */
static int netns_ref(const char *netns, char *out, size_t len, char *err, size_t errlen)
{
	int n;

	if (!*netns || !strcmp(netns, ".") || !strcmp(netns, ".."))
		return tune_fail(err, errlen, EINVAL, "bad network namespace '%s'", netns);
	if (strchr(netns, '/')) {
		if (!hostfs_clean_path(netns))
			return tune_fail(err, errlen, EINVAL,
				    "bad network namespace '%s': a name or an absolute path", netns);
		n = snprintf(out, len, "%s", netns);
	} else {
		n = snprintf(out, len, NETNS_RUN_DIR "%s", netns);
	}
	if (n < 0 || (size_t)n >= len)
		return tune_fail(err, errlen, ENAMETOOLONG, "network namespace name too long");
	return 0;
}

int hostfs_sysctl_path(const struct hostfs *h, const char *netns, const char *name, char *path,
		       size_t len, char *err, size_t errlen)
{
	char rel[PATH_MAX], ns[PATH_MAX];

	if (sysctl_rel(name, rel, sizeof(rel), err, errlen))
		return -1;
	if (netns && strncmp(name, "net.", 4))
		return tune_fail(err, errlen, EINVAL,
			    "%s is not per network namespace (only net.* sysctls are)", name);
	if (netns && hostfs_is_fixture(h)) {
		if (netns_ref(netns, ns, sizeof(ns), err, errlen))
			return -1;
		return join(h, ns, "/proc/sys", rel, path, len, err, errlen);
	}
	return join(h, "/proc/sys", rel, NULL, path, len, err, errlen);
}

/* ---- entering a network namespace (the real host only) ---- */

struct ns_guard {
	int saved; /* our own namespace while inside another, else -1 */
};

static int ns_enter(const struct hostfs *h, const char *netns, struct ns_guard *g, char *err,
		    size_t errlen)
{
	char ref[PATH_MAX];
	int fd, e;

	g->saved = -1;
	if (!netns || hostfs_is_fixture(h))
		return 0;
	if (netns_ref(netns, ref, sizeof(ref), err, errlen))
		return -1;
	fd = open(ref, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return tune_fail(err, errlen, errno, "network namespace %s: %s", netns, strerror(errno));
	g->saved = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (g->saved < 0) {
		e = errno;
		close(fd);
		return tune_fail(err, errlen, e, "/proc/thread-self/ns/net: %s", strerror(e));
	}
	if (setns(fd, CLONE_NEWNET)) {
		e = errno;
		close(fd);
		close(g->saved);
		g->saved = -1;
		return tune_fail(err, errlen, e, "entering network namespace %s: %s", netns,
			    strerror(e));
	}
	close(fd);
	return 0;
}

/*
 * Back to our own namespace. Should that ever fail, the thread would go on
 * writing the host's sysctls into a foreign namespace: stop instead.
 */
static void ns_leave(struct ns_guard *g)
{
	int e = errno;

	if (g->saved < 0)
		return;
	if (setns(g->saved, CLONE_NEWNET)) {
		fprintf(stderr, "perfpilot: cannot return to its own network namespace: %s\n",
			strerror(errno));
		abort();
	}
	close(g->saved);
	g->saved = -1;
	errno = e;
}

int hostfs_netns_id(const struct hostfs *h, const char *netns, uint64_t *id, char *err,
		    size_t errlen)
{
	char ref[PATH_MAX], path[PATH_MAX];
	struct stat st;

	if (netns_ref(netns, ref, sizeof(ref), err, errlen) ||
	    join(h, ref, NULL, NULL, path, sizeof(path), err, errlen))
		return -1;
	if (stat(path, &st))
		return tune_fail(err, errlen, errno, "network namespace %s: %s", netns,
			    strerror(errno));
	*id = st.st_ino;
	return 0;
}

/* ---- files ---- */

/* A whole small file into buf; "too long" when it does not fit. */
static int read_file(const char *path, char *buf, size_t len, char *err, size_t errlen)
{
	size_t n = 0;
	ssize_t r;
	int fd, e;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return tune_fail(err, errlen, errno, "%s: %s", path, strerror(errno));
	for (;;) {
		r = read(fd, buf + n, len - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = errno;
			close(fd);
			return tune_fail(err, errlen, e, "reading %s: %s", path, strerror(e));
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n == len - 1) {
			close(fd);
			return tune_fail(err, errlen, EFBIG, "%s: longer than %zu bytes", path, len - 1);
		}
	}
	close(fd);
	buf[n] = 0;
	return 0;
}

int hostfs_read_text(const struct hostfs *h, const char *path, char *buf, size_t len,
		     char *err, size_t errlen)
{
	char full[PATH_MAX];

	if (!hostfs_clean_path(path))
		return tune_fail(err, errlen, EINVAL, "bad path '%s'", path);
	if (join(h, path, NULL, NULL, full, sizeof(full), err, errlen))
		return -1;
	return read_file(full, buf, len, err, errlen);
}

static int write_value(const struct hostfs *h, const char *path, const char *value,
		       bool allow_empty, char *err, size_t errlen);

int hostfs_write_text(const struct hostfs *h, const char *path, const char *value, char *err,
		      size_t errlen)
{
	char full[PATH_MAX];

	if (!hostfs_clean_path(path))
		return tune_fail(err, errlen, EINVAL, "bad path '%s'", path);
	if (join(h, path, NULL, NULL, full, sizeof(full), err, errlen))
		return -1;
	return write_value(h, full, value, false, err, errlen);
}

static int read_value(const char *path, struct hostfs_value *v, char *err, size_t errlen)
{
	char buf[HOSTFS_VALUE_MAX];
	size_t n;

	if (read_file(path, buf, sizeof(buf), err, errlen))
		return -1;
	n = strlen(buf);
	while (n && buf[n - 1] == '\n')
		buf[--n] = 0;
	hostfs_parse_value(buf, v); /* fits: read_file kept it shorter */
	return 0;
}

/*
 * Write value and a newline in one write(2), as `echo value > path` does.
 * Never creates a file: a missing sysctl or cgroup file is an error. An
 * empty value only where allowed (a v2 cpuset's "": its parent's CPUs).
 */
static int write_value(const struct hostfs *h, const char *path, const char *value,
		       bool allow_empty, char *err, size_t errlen)
{
	char buf[HOSTFS_VALUE_MAX + 1];
	size_t n = strlen(value);
	ssize_t w;
	int fd, e;

	if ((n == 0 && !allow_empty) || n >= HOSTFS_VALUE_MAX || strchr(value, '\n'))
		return tune_fail(err, errlen, EINVAL, "%s: refusing to write '%s'", path, value);
	memcpy(buf, value, n);
	buf[n++] = '\n';
	if (h->write_hook) {
		errno = EIO;
		if (h->write_hook(h->hook_arg, path, value))
			return tune_fail(err, errlen, errno, "writing '%s' to %s: %s", value, path,
				    strerror(errno));
	}
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return tune_fail(err, errlen, errno, "%s: %s", path, strerror(errno));
	do
		w = write(fd, buf, n);
	while (w < 0 && errno == EINTR);
	e = errno;
	if (close(fd) && w >= 0) {
		w = -1;
		e = errno;
	}
	if (w < 0)
		return tune_fail(err, errlen, e, "writing '%s' to %s: %s", value, path, strerror(e));
	if ((size_t)w != n)
		return tune_fail(err, errlen, EIO, "writing '%s' to %s: short write", value, path);
	return 0;
}

/* ---- sysctls ---- */

/* Read one sysctl into v, or write value to it, inside its namespace. */
static int sysctl_io(const struct hostfs *h, const char *netns, const char *name,
		     struct hostfs_value *v, const char *value, char *err, size_t errlen)
{
	struct ns_guard g;
	char path[PATH_MAX];
	int rc;

	if (hostfs_sysctl_path(h, netns, name, path, sizeof(path), err, errlen) ||
	    ns_enter(h, netns, &g, err, errlen))
		return -1;
	rc = value ? write_value(h, path, value, false, err, errlen) :
		     read_value(path, v, err, errlen);
	ns_leave(&g);
	if (rc && errno == ENOENT)
		tune_fail(err, errlen, ENOENT, "no sysctl %s (%s: not found)", name, path);
	return rc;
}

int hostfs_sysctl_read(const struct hostfs *h, const char *netns, const char *name,
		       struct hostfs_value *v, char *err, size_t errlen)
{
	return sysctl_io(h, netns, name, v, NULL, err, errlen);
}

int hostfs_sysctl_write(const struct hostfs *h, const char *netns, const char *name,
			const char *value, char *err, size_t errlen)
{
	return sysctl_io(h, netns, name, NULL, value, err, errlen);
}

/* ---- cgroups ---- */

static bool clean_file_name(const char *f)
{
	return *f && !strchr(f, '/') && strcmp(f, ".") && strcmp(f, "..");
}

static int cgroup_path(const struct hostfs *h, const char *cgroup, const char *file, char *out,
		       size_t len, char *err, size_t errlen)
{
	if (!hostfs_clean_path(cgroup))
		return tune_fail(err, errlen, EINVAL, "bad cgroup '%s': an absolute directory path",
			    cgroup);
	if (file && !clean_file_name(file))
		return tune_fail(err, errlen, EINVAL, "bad cgroup file name '%s'", file);
	return join(h, cgroup, file ? "/" : NULL, file, out, len, err, errlen);
}

int hostfs_cgroup_id(const struct hostfs *h, const char *cgroup, uint64_t *id, char *err,
		     size_t errlen)
{
	char path[PATH_MAX];
	struct stat st;

	if (cgroup_path(h, cgroup, NULL, path, sizeof(path), err, errlen))
		return -1;
	if (stat(path, &st))
		return tune_fail(err, errlen, errno, "cgroup %s: %s", cgroup, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return tune_fail(err, errlen, ENOTDIR, "cgroup %s: not a directory", cgroup);
	*id = st.st_ino;
	return 0;
}

bool hostfs_cgroup_has(const struct hostfs *h, const char *cgroup, const char *file)
{
	char path[PATH_MAX], err[8];

	return !cgroup_path(h, cgroup, file, path, sizeof(path), err, sizeof(err)) &&
	       access(path, F_OK) == 0;
}

/* A clearer message for a missing cgroup file: the cgroup or only the file. */
static void cgroup_missing(const struct hostfs *h, const char *cgroup, const char *file,
			   char *err, size_t errlen)
{
	uint64_t id;
	char e2[8];

	if (hostfs_cgroup_id(h, cgroup, &id, e2, sizeof(e2)))
		tune_fail(err, errlen, ENOENT, "cgroup %s does not exist", cgroup);
	else
		tune_fail(err, errlen, ENOENT, "cgroup %s has no %s (controller not enabled there?)",
		     cgroup, file);
}

/* One cgroup file: read as a value (v), read whole (buf), or written (value). */
struct cg_op {
	struct hostfs_value *v;
	char *buf;
	size_t len;
	const char *value;
};

static int cgroup_io(const struct hostfs *h, const char *cgroup, const char *file,
		     const struct cg_op *op, char *err, size_t errlen)
{
	char path[PATH_MAX];
	int rc;

	if (cgroup_path(h, cgroup, file, path, sizeof(path), err, errlen))
		return -1;
	if (op->value)
		rc = write_value(h, path, op->value, !strncmp(file, "cpuset.", 7), err, errlen);
	else if (op->buf)
		rc = read_file(path, op->buf, op->len, err, errlen);
	else
		rc = read_value(path, op->v, err, errlen);
	if (rc && errno == ENOENT)
		cgroup_missing(h, cgroup, file, err, errlen);
	return rc;
}

int hostfs_cgroup_read(const struct hostfs *h, const char *cgroup, const char *file,
		       struct hostfs_value *v, char *err, size_t errlen)
{
	return cgroup_io(h, cgroup, file, &(struct cg_op){.v = v}, err, errlen);
}

int hostfs_cgroup_read_text(const struct hostfs *h, const char *cgroup, const char *file,
			    char *buf, size_t len, char *err, size_t errlen)
{
	return cgroup_io(h, cgroup, file, &(struct cg_op){.buf = buf, .len = len}, err, errlen);
}

int hostfs_cgroup_write(const struct hostfs *h, const char *cgroup, const char *file,
			const char *value, char *err, size_t errlen)
{
	return cgroup_io(h, cgroup, file, &(struct cg_op){.value = value}, err, errlen);
}

/* ---- CPU quota and throttling ---- */

static int cpu_version(const struct hostfs *h, const char *cgroup, enum hostfs_cg_version *ver,
		       char *err, size_t errlen)
{
	uint64_t id;

	if (hostfs_cgroup_id(h, cgroup, &id, err, errlen))
		return -1;
	if (hostfs_cgroup_has(h, cgroup, "cpu.max"))
		*ver = HOSTFS_CG_V2;
	else if (hostfs_cgroup_has(h, cgroup, "cpu.cfs_quota_us"))
		*ver = HOSTFS_CG_V1;
	else
		return tune_fail(err, errlen, ENOENT,
			    "cgroup %s has no CPU bandwidth control (neither cpu.max nor "
			    "cpu.cfs_quota_us)", cgroup);
	return 0;
}

/* One integer field of a file as read, with a message naming it. */
static int int_field(const struct hostfs_value *v, int i, const char *cgroup, const char *file,
		     int64_t *out, char *err, size_t errlen)
{
	if (i >= v->ntok || i >= HOSTFS_FIELDS || !v->num[i])
		return tune_fail(err, errlen, EINVAL, "%s/%s: unexpected content '%s'", cgroup, file,
			    v->str);
	*out = v->f[i];
	return 0;
}

int hostfs_cpu_quota_get(const struct hostfs *h, const char *cgroup, struct hostfs_cpu_quota *q,
			 char *err, size_t errlen)
{
	struct hostfs_value v;

	memset(q, 0, sizeof(*q));
	if (cpu_version(h, cgroup, &q->version, err, errlen))
		return -1;
	if (q->version == HOSTFS_CG_V2) {
		if (hostfs_cgroup_read(h, cgroup, "cpu.max", &v, err, errlen))
			return -1;
		if (v.ntok != 2 || int_field(&v, 1, cgroup, "cpu.max", &q->period_us, err, errlen))
			return tune_fail(err, errlen, EINVAL, "%s/cpu.max: unexpected content '%s'",
				    cgroup, v.str);
		if (!v.num[0] && !strncmp(v.str, "max", 3) && isspace((unsigned char)v.str[3])) {
			q->unlimited = true;
			q->quota_us = -1;
			return 0;
		}
		return int_field(&v, 0, cgroup, "cpu.max", &q->quota_us, err, errlen);
	}
	if (hostfs_cgroup_read(h, cgroup, "cpu.cfs_quota_us", &v, err, errlen) ||
	    int_field(&v, 0, cgroup, "cpu.cfs_quota_us", &q->quota_us, err, errlen) ||
	    hostfs_cgroup_read(h, cgroup, "cpu.cfs_period_us", &v, err, errlen) ||
	    int_field(&v, 0, cgroup, "cpu.cfs_period_us", &q->period_us, err, errlen))
		return -1;
	q->unlimited = q->quota_us < 0;
	if (q->unlimited)
		q->quota_us = -1;
	return 0;
}

void hostfs_cpu_quota_format(const struct hostfs_cpu_quota *q, int64_t quota_us,
			     const char **file, char *value, size_t len)
{
	if (q->version == HOSTFS_CG_V2) {
		*file = "cpu.max";
		if (quota_us < 0)
			snprintf(value, len, "max %lld", (long long)q->period_us);
		else
			snprintf(value, len, "%lld %lld", (long long)quota_us,
				 (long long)q->period_us);
	} else {
		*file = "cpu.cfs_quota_us";
		snprintf(value, len, "%lld", (long long)(quota_us < 0 ? -1 : quota_us));
	}
}

int hostfs_cpu_quota_set(const struct hostfs *h, const char *cgroup, int64_t quota_us,
			 char *err, size_t errlen)
{
	struct hostfs_cpu_quota q;
	char value[64];
	const char *file;

	if (hostfs_cpu_quota_get(h, cgroup, &q, err, errlen))
		return -1;
	hostfs_cpu_quota_format(&q, quota_us, &file, value, sizeof(value));
	return hostfs_cgroup_write(h, cgroup, file, value, err, errlen);
}

/* The value of "key N" lines of a stat file; -1 when the key is missing. */
static int stat_field(const char *text, const char *key, int64_t *out)
{
	size_t klen = strlen(key), n;
	const char *p = text;
	char num[32];

	while (*p) {
		n = strcspn(p, "\n");
		if (n > klen && !strncmp(p, key, klen) && p[klen] == ' ' &&
		    n - klen - 1 < sizeof(num)) {
			memcpy(num, p + klen + 1, n - klen - 1);
			num[n - klen - 1] = 0;
			return num_parse_i64(num, out);
		}
		p += n;
		if (*p)
			p++;
	}
	return -1;
}

int hostfs_cpu_throttle_get(const struct hostfs *h, const char *cgroup,
			    struct hostfs_cpu_throttle *t, char *err, size_t errlen)
{
	enum hostfs_cg_version ver;
	const char *tkey;
	char text[TEXT_MAX];
	int64_t tv;

	memset(t, 0, sizeof(*t));
	if (cpu_version(h, cgroup, &ver, err, errlen) ||
	    hostfs_cgroup_read_text(h, cgroup, "cpu.stat", text, sizeof(text), err, errlen))
		return -1;
	tkey = ver == HOSTFS_CG_V2 ? "throttled_usec" : "throttled_time";
	if (stat_field(text, "nr_periods", &t->periods) ||
	    stat_field(text, "nr_throttled", &t->throttled_periods) ||
	    stat_field(text, tkey, &tv))
		return tune_fail(err, errlen, EINVAL,
			    "%s/cpu.stat: no nr_periods, nr_throttled and %s", cgroup, tkey);
	t->throttled_ns = ver == HOSTFS_CG_V2 ? num_sat_mul(tv, 1000) : tv;
	return 0;
}

/* ---- reading a network namespace's own /proc/net files ---- */

int hostfs_netns_read_text(const struct hostfs *h, const char *netns, const char *file,
			   char *buf, size_t len, char *err, size_t errlen)
{
	char path[PATH_MAX], ns[PATH_MAX];
	struct ns_guard g;
	int rc;

	if (strncmp(file, "/proc/net/", 10) || !hostfs_clean_path(file))
		return tune_fail(err, errlen, EINVAL, "bad /proc/net file '%s'", file);
	if (hostfs_is_fixture(h)) {
		if (netns && netns_ref(netns, ns, sizeof(ns), err, errlen))
			return -1;
		if (join(h, netns ? ns : "", file, NULL, path, sizeof(path), err, errlen))
			return -1;
		return read_file(path, buf, len, err, errlen);
	}
	/* /proc/net follows the process's namespace, thread-self the thread's */
	snprintf(path, sizeof(path), "/proc/thread-self/net/%s", file + 10);
	if (ns_enter(h, netns, &g, err, errlen))
		return -1;
	rc = read_file(path, buf, len, err, errlen);
	ns_leave(&g);
	return rc;
}

int hostfs_netns_run(const struct hostfs *h, const char *netns, int (*fn)(void *arg), void *arg,
		     char *err, size_t errlen)
{
	struct ns_guard g;
	int rc;

	if (ns_enter(h, netns, &g, err, errlen))
		return -1;
	rc = fn(arg);
	ns_leave(&g);
	return rc;
}
