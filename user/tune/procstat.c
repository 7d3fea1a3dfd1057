// SPDX-License-Identifier: GPL-2.0
/* The host's and cgroups' counters the resource tuners read (procstat.h). */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tune/num.h"
#include "tune/procstat.h"

#define PROCS_MAX (256 * 1024)

/* The number after "KEY", "KEY:" and blanks at p (a line start); -1 if none. */
static int line_value(const char *p, size_t klen, int64_t *out)
{
	char num[32];
	size_t n;

	p += klen;
	if (*p == ':')
		p++;
	if (*p != ' ' && *p != '\t')
		return -1;
	while (*p == ' ' || *p == '\t')
		p++;
	n = strspn(p, "-0123456789");
	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, p, n);
	num[n] = 0;
	return num_parse_i64(num, out);
}

/*
 * The value of the lines whose key (up to blanks or ':') starts with key,
 * summed; exact: the first line whose key equals it. -1 if none.
 */
static int each_line(const char *text, const char *key, bool exact, int64_t *sum)
{
	size_t klen = strlen(key), wlen;
	const char *p = text;
	int64_t v;
	int found = 0;

	*sum = 0;
	while (*p) {
		wlen = strcspn(p, ": \t\n");
		if (wlen >= klen && !strncmp(p, key, klen) && (!exact || wlen == klen) &&
		    !line_value(p, wlen, &v)) {
			*sum = num_sat_add(*sum, v);
			found = 1;
			if (exact)
				return 0;
		}
		p += strcspn(p, "\n");
		if (*p)
			p++;
	}
	return found ? 0 : -1;
}

int procstat_field(const char *text, const char *key, int64_t *out)
{
	int64_t v;

	if (each_line(text, key, true, &v))
		return -1;
	*out = v;
	return 0;
}

/* The first line of a cgroup file as an integer; -1 if it cannot be read. */
static int cg_number(const struct hostfs *h, const char *cg, const char *file, int64_t *v)
{
	char text[64], e[8];

	if (hostfs_cgroup_read_text(h, cg, file, text, sizeof(text), e, sizeof(e)))
		return -1;
	text[strcspn(text, "\n")] = 0;
	return num_parse_i64(text, v);
}

int procstat_cgroup_usage(const struct hostfs *h, const char *cgroup, int64_t *ns, char *err,
			  size_t errlen)
{
	static const char *const v1[] = {"/sys/fs/cgroup/cpu/", "/sys/fs/cgroup/cpu,cpuacct/",
					 "/sys/fs/cgroup/cpuacct,cpu/"};
	char text[2048], twin[PATH_MAX], e[8];
	size_t i, n;
	int64_t v;

	if (!hostfs_cgroup_read_text(h, cgroup, "cpu.stat", text, sizeof(text), e, sizeof(e)) &&
	    !procstat_field(text, "usage_usec", &v)) {
		*ns = num_sat_mul(v, 1000);
		return 0;
	}
	if (!cg_number(h, cgroup, "cpuacct.usage", ns))
		return 0;
	for (i = 0; i < sizeof(v1) / sizeof(v1[0]); i++) {
		n = strlen(v1[i]);
		if (strncmp(cgroup, v1[i], n) ||
		    snprintf(twin, sizeof(twin), "/sys/fs/cgroup/cpuacct/%s", cgroup + n) >=
			    (int)sizeof(twin))
			continue;
		if (!cg_number(h, twin, "cpuacct.usage", ns))
			return 0;
	}
	snprintf(err, errlen, "cgroup %s: no CPU usage (cpu.stat usage_usec, cpuacct.usage)",
		 cgroup);
	return -1;
}

int procstat_field_sum(const char *text, const char *prefix, int64_t *out)
{
	int64_t v;

	if (each_line(text, prefix, false, &v))
		return -1;
	*out = v;
	return 0;
}

/* ---- /proc/stat ---- */

int procstat_cpu_read(const struct hostfs *h, struct procstat_cpu *c, char *err, size_t errlen)
{
	static char text[64 * 1024];

	memset(c, 0, sizeof(*c));
	if (hostfs_read_text(h, "/proc/stat", text, sizeof(text), err, errlen))
		return -1;
	if (procstat_cpu_parse(text, c))
		return snprintf(err, errlen, "%s/proc/stat: no 'cpu' line", h->root), -1;
	return 0;
}

int procstat_cpu_parse(const char *text, struct procstat_cpu *c)
{
	unsigned long long f[10] = {0};
	const char *p;
	int i, n;

	memset(c, 0, sizeof(*c));
	n = sscanf(text, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &f[0], &f[1],
		   &f[2], &f[3], &f[4], &f[5], &f[6], &f[7], &f[8], &f[9]);
	if (n < 4)
		return -1;
	/* guest and guest_nice (8, 9) are inside user and nice already */
	for (i = 0; i < n && i < 8; i++)
		c->total += f[i];
	c->idle = f[3] + (n > 4 ? f[4] : 0);
	c->nice = f[1];
	for (p = text; (p = strstr(p, "\ncpu")); p++)
		if (isdigit((unsigned char)p[4]))
			c->ncpus++;
	if (c->ncpus == 0)
		c->ncpus = 1;
	return 0;
}

double procstat_cpu_idle(const struct procstat_cpu *a, const struct procstat_cpu *b)
{
	if (b->total <= a->total || b->idle < a->idle)
		return -1;
	return (double)(b->idle - a->idle) / (double)(b->total - a->total) * b->ncpus;
}

double procstat_cpu_nice(const struct procstat_cpu *a, const struct procstat_cpu *b)
{
	if (b->total <= a->total || b->nice < a->nice)
		return -1;
	return (double)(b->nice - a->nice) / (double)(b->total - a->total) * b->ncpus;
}

double procstat_cpu_busy(const struct procstat_cpu *a, const struct procstat_cpu *b)
{
	double idle = procstat_cpu_idle(a, b);

	return idle < 0 ? -1 : b->ncpus - idle;
}

/* ---- PSI ---- */

/* One "some ..." or "full ..." line at p into avg10 and total. */
static int psi_line(const char *p, double *avg10, uint64_t *total)
{
	unsigned long long t;
	const char *a = strstr(p, "avg10="), *s = strstr(p, "total="), *eol = strchr(p, '\n');

	if (!eol)
		eol = p + strlen(p);
	if (!a || !s || a > eol || s > eol || sscanf(a, "avg10=%lf", avg10) != 1 ||
	    sscanf(s, "total=%llu", &t) != 1)
		return -1;
	*total = t;
	return 0;
}

int procstat_psi_parse(const char *text, struct procstat_psi *p)
{
	const char *full;

	memset(p, 0, sizeof(*p));
	if (strncmp(text, "some ", 5) || psi_line(text, &p->some_avg10, &p->some_total))
		return -1;
	full = strstr(text, "\nfull ");
	if (full) {
		if (psi_line(full + 1, &p->full_avg10, &p->full_total))
			return -1;
		p->has_full = true;
	}
	return 0;
}

int procstat_psi_read(const struct hostfs *h, const char *name, struct procstat_psi *p,
		      char *err, size_t errlen)
{
	char rel[64], text[512];

	snprintf(rel, sizeof(rel), "/proc/pressure/%s", name);
	if (hostfs_read_text(h, rel, text, sizeof(text), err, errlen))
		return -1;
	if (procstat_psi_parse(text, p))
		return snprintf(err, errlen, "%s%s: not a pressure file", h->root, rel), -1;
	return 0;
}

int procstat_cgroup_psi(const struct hostfs *h, const char *cgroup, const char *file,
			struct procstat_psi *p, char *err, size_t errlen)
{
	char text[512];

	if (hostfs_cgroup_read_text(h, cgroup, file, text, sizeof(text), err, errlen))
		return -1;
	if (procstat_psi_parse(text, p))
		return snprintf(err, errlen, "%s/%s: not a pressure file", cgroup, file), -1;
	return 0;
}

/* ---- threads ---- */

static int add_thread(struct procstat_threads *ts, pid_t tid, uint64_t run, uint64_t wait)
{
	struct procstat_thread *n;

	if (ts->n == ts->cap) {
		size_t cap = ts->cap ? ts->cap * 2 : 64;

		n = realloc(ts->t, cap * sizeof(*n));
		if (!n)
			return -1;
		ts->t = n;
		ts->cap = cap;
	}
	ts->t[ts->n++] = (struct procstat_thread){.tid = tid, .run_ns = run, .wait_ns = wait};
	return 0;
}

/* ROOT/proc/PID/REL/schedstat: 0, 1 when gone (the thread exited), -1 on no memory. */
static int read_schedstat(const struct hostfs *h, const char *rel, pid_t tid,
			  struct procstat_threads *ts)
{
	unsigned long long run, wait;
	char text[128], err[8];

	if (hostfs_read_text(h, rel, text, sizeof(text), err, sizeof(err)) ||
	    sscanf(text, "%llu %llu", &run, &wait) != 2)
		return 1;
	return add_thread(ts, tid, run, wait) ? -1 : 0;
}

static int process_threads(const struct hostfs *h, pid_t pid, struct procstat_threads *ts)
{
	char rel[96], dir[PATH_MAX];
	struct dirent *d;
	int64_t tid;
	DIR *dp;
	int rc = 0;

	if (snprintf(dir, sizeof(dir), "%s/proc/%d/task", h->root, (int)pid) >= (int)sizeof(dir))
		return 0;
	dp = opendir(dir);
	if (!dp) {
		snprintf(rel, sizeof(rel), "/proc/%d/schedstat", (int)pid);
		return read_schedstat(h, rel, pid, ts) < 0 ? -1 : 0;
	}
	while (rc >= 0 && (d = readdir(dp))) {
		if (num_parse_i64(d->d_name, &tid) || tid <= 0 || tid > INT32_MAX)
			continue;
		snprintf(rel, sizeof(rel), "/proc/%d/task/%d/schedstat", (int)pid, (int)tid);
		rc = read_schedstat(h, rel, (pid_t)tid, ts);
	}
	closedir(dp);
	return rc < 0 ? -1 : 0;
}

static int by_tid(const void *a, const void *b)
{
	pid_t x = ((const struct procstat_thread *)a)->tid;
	pid_t y = ((const struct procstat_thread *)b)->tid;

	return (x > y) - (x < y);
}

int procstat_cgroup_threads(const struct hostfs *h, const char *cgroup,
			    struct procstat_threads *ts, char *err, size_t errlen)
{
	char *text = malloc(PROCS_MAX), *p, *end;
	long pid;

	ts->n = 0;
	if (!text)
		return snprintf(err, errlen, "out of memory"), -1;
	if (hostfs_cgroup_read_text(h, cgroup, "cgroup.procs", text, PROCS_MAX, err, errlen)) {
		free(text);
		return -1;
	}
	for (p = text; *p; p = end) {
		errno = 0;
		pid = strtol(p, &end, 10);
		if (end == p)
			break;
		if (errno || pid <= 0 || pid > INT32_MAX)
			continue;
		if (process_threads(h, (pid_t)pid, ts)) {
			free(text);
			return snprintf(err, errlen, "out of memory"), -1;
		}
	}
	free(text);
	if (ts->n)
		qsort(ts->t, ts->n, sizeof(*ts->t), by_tid);
	return 0;
}

void procstat_threads_delta(const struct procstat_threads *a, const struct procstat_threads *b,
			    uint64_t *run_ns, uint64_t *wait_ns)
{
	const struct procstat_thread *o;
	size_t i;

	*run_ns = *wait_ns = 0;
	for (i = 0; i < b->n; i++) {
		o = a->n ? bsearch(&b->t[i], a->t, a->n, sizeof(*a->t), by_tid) : NULL;
		if (!o || b->t[i].run_ns < o->run_ns || b->t[i].wait_ns < o->wait_ns)
			continue; /* new, or a new thread behind a reused tid */
		*run_ns += b->t[i].run_ns - o->run_ns;
		*wait_ns += b->t[i].wait_ns - o->wait_ns;
	}
}

void procstat_threads_free(struct procstat_threads *ts)
{
	free(ts->t);
	memset(ts, 0, sizeof(*ts));
}
