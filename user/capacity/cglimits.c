// SPDX-License-Identifier: GPL-2.0
/* Capacity: a cgroup's CPU and memory limits from its hierarchy (cglimits.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "capacity/cglimits.h"
#include "collect/cgroup.h"

/* A whole non-negative or -1 number of text (spaces around allowed). */
static int number(const char *s, long long *out)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	errno = 0;
	*out = strtoll(s, &end, 10);
	if (end == s || errno)
		return -1;
	while (*end == ' ' || *end == '\t' || *end == '\n')
		end++;
	return *end ? -1 : 0;
}

int cap_parse_cpu_max(const char *text, double *cores)
{
	char q[32], p[32], extra[2];
	long long quota, period;

	if (sscanf(text, "%31s %31s %1s", q, p, extra) != 2 || number(p, &period) || period <= 0)
		return -1;
	if (!strcmp(q, "max"))
		return 0;
	if (number(q, &quota) || quota <= 0)
		return -1;
	*cores = (double)quota / (double)period;
	return 1;
}

int cap_parse_cfs(const char *quota, const char *period, double *cores)
{
	long long q, p;

	if (number(quota, &q) || number(period, &p) || p <= 0 || (q <= 0 && q != -1))
		return -1;
	if (q == -1)
		return 0;
	*cores = (double)q / (double)p;
	return 1;
}

int cap_parse_mem_limit(const char *text, double *bytes)
{
	char w[32], extra[2];
	unsigned long long v;
	char *end;

	if (sscanf(text, "%31s %1s", w, extra) != 1)
		return -1;
	if (!strcmp(w, "max"))
		return 0;
	errno = 0;
	v = strtoull(w, &end, 10);
	if (*end || errno || w[0] == '-')
		return -1;
	if (v >= (1ULL << 62))
		return 0;
	*bytes = (double)v;
	return 1;
}

static bool is_dir(const char *p)
{
	struct stat st;

	return !stat(p, &st) && S_ISDIR(st.st_mode);
}

/* dir = mount + rel ("/" the root itself) */
static void join(char *dir, size_t len, const char *mount, const char *rel)
{
	snprintf(dir, len, "%s%s", mount, strcmp(rel, "/") ? rel : "");
}

/* The parent of rel in place ("/a/b" -> "/a" -> "/"); false at the root. */
static bool up(char *rel)
{
	char *s = strrchr(rel, '/');

	if (!s || !strcmp(rel, "/"))
		return false;
	if (s == rel)
		s[1] = '\0';
	else
		*s = '\0';
	return true;
}

static void cpu_limit(const struct cap_hier *h, const char *rel, struct cap_limit *out)
{
	char at[PATH_MAX], dir[PATH_MAX * 2], a[64], b[64];
	double c;
	int k;

	snprintf(at, sizeof(at), "%s", rel);
	do {
		join(dir, sizeof(dir), h->cpu_mount, at);
		if (h->v2)
			k = cg_read_line(dir, "cpu.max", a, sizeof(a)) ? 0 : cap_parse_cpu_max(a, &c);
		else
			k = cg_read_line(dir, "cpu.cfs_quota_us", a, sizeof(a)) ||
			    cg_read_line(dir, "cpu.cfs_period_us", b, sizeof(b)) ? 0 :
			    cap_parse_cfs(a, b, &c);
		if (k == 1 && !(c >= out->cpu_cores)) {
			out->cpu_cores = c;
			snprintf(out->cpu_src, sizeof(out->cpu_src), "%s of %.120s",
				 h->v2 ? "cpu.max" : "cpu.cfs_quota_us/cpu.cfs_period_us", at);
		}
	} while (up(at));
}

static void mem_limit(const struct cap_hier *h, const char *rel, struct cap_limit *out)
{
	const char *file = h->v2 ? "memory.max" : "memory.limit_in_bytes";
	char at[PATH_MAX], dir[PATH_MAX * 2], a[64];
	double m;

	snprintf(at, sizeof(at), "%s", rel);
	do {
		join(dir, sizeof(dir), h->mem_mount, at);
		if (!cg_read_line(dir, file, a, sizeof(a)) && cap_parse_mem_limit(a, &m) == 1 &&
		    !(m >= out->mem_bytes)) {
			out->mem_bytes = m;
			snprintf(out->mem_src, sizeof(out->mem_src), "%s of %.120s", file, at);
		}
	} while (up(at));
}

int cap_read_limits(const struct cap_hier *h, const char *rel, struct cap_limit *out,
		    char *err, size_t errlen)
{
	char dir[PATH_MAX * 2];
	bool cpu, mem;

	memset(out, 0, sizeof(*out));
	out->path = rel;
	out->cpu_cores = out->mem_bytes = NAN;
	if (rel[0] != '/') {
		snprintf(err, errlen, "cgroup path '%s' does not start with /", rel);
		return -1;
	}
	cpu = h->cpu_mount && h->cpu_mount[0];
	mem = h->mem_mount && h->mem_mount[0];
	if (cpu) {
		join(dir, sizeof(dir), h->cpu_mount, rel);
		cpu = is_dir(dir);
	}
	if (mem) {
		join(dir, sizeof(dir), h->mem_mount, rel);
		mem = is_dir(dir);
	}
	if (!cpu && !mem) {
		snprintf(err, errlen, "no cgroup %s under %s%s%s (gone, or another hierarchy)", rel,
			 h->cpu_mount && h->cpu_mount[0] ? h->cpu_mount : "",
			 h->mem_mount && h->mem_mount[0] && !h->v2 ? " or " : "",
			 h->mem_mount && !h->v2 ? h->mem_mount : "");
		return -1;
	}
	if (cpu)
		cpu_limit(h, rel, out);
	if (mem)
		mem_limit(h, rel, out);
	return 0;
}

int cap_host_hier(bool v1, struct cap_hier *h, char *cpu_buf, char *mem_buf)
{
	struct cg_mounts m;
	size_t i;
	FILE *f;
	int rc;

	memset(h, 0, sizeof(*h));
	cpu_buf[0] = mem_buf[0] = '\0';
	f = fopen("/proc/self/mountinfo", "r");
	if (!f)
		return -1;
	rc = cg_parse_mountinfo(f, &m);
	fclose(f);
	if (rc < 0)
		return -1;
	for (i = 0; i < m.n; i++) {
		const char *c = m.m[i].controllers;

		if (!v1 && m.m[i].v2) {
			snprintf(cpu_buf, PATH_MAX, "%s", m.m[i].path);
			snprintf(mem_buf, PATH_MAX, "%s", m.m[i].path);
			h->v2 = true;
			break;
		}
		if (v1 && !m.m[i].v2) {
			char list[160];

			snprintf(list, sizeof(list), ",%s,", c);
			if (strstr(list, ",cpu,"))
				snprintf(cpu_buf, PATH_MAX, "%s", m.m[i].path);
			if (strstr(list, ",memory,"))
				snprintf(mem_buf, PATH_MAX, "%s", m.m[i].path);
		}
	}
	h->cpu_mount = cpu_buf;
	h->mem_mount = mem_buf;
	return cpu_buf[0] || mem_buf[0] ? 0 : -1;
}
