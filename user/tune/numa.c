// SPDX-License-Identifier: GPL-2.0
/* NUMA topology, a process's pages per node, numad-style advice (numa.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tune/hostfs.h"
#include "tune/numa.h"
#include "tune/num.h"

#define NODE_DIR "/sys/devices/system/node"

/* "Node 1 MemFree:   123 kB" -> 123 */
static int64_t meminfo_kb(const char *text, const char *key)
{
	const char *p = text;
	long long v;

	while ((p = strstr(p, key))) {
		if (p > text && p[-1] == ' ' && sscanf(p + strlen(key), " %lld", &v) == 1)
			return v;
		p += strlen(key);
	}
	return -1;
}

static int read_node(const struct hostfs *h, int id, struct numa_node *n, char *err,
		     size_t errlen)
{
	char path[128], text[8192], *tok, *save = NULL;
	int64_t d;
	int i = 0;

	memset(n, 0, sizeof(*n));
	n->id = id;
	snprintf(path, sizeof(path), NODE_DIR "/node%d/cpulist", id);
	if (hostfs_read_text(h, path, text, sizeof(text), err, errlen))
		return -1;
	if (cpulist_parse(text, &n->cpus))
		return tune_fail(err, errlen, errno, "%s: not a CPU list", path);
	snprintf(path, sizeof(path), NODE_DIR "/node%d/meminfo", id);
	if (hostfs_read_text(h, path, text, sizeof(text), err, errlen))
		return -1;
	n->total_kb = meminfo_kb(text, "MemTotal:");
	n->free_kb = meminfo_kb(text, "MemFree:");
	if (n->total_kb < 0 || n->free_kb < 0)
		return tune_fail(err, errlen, errno, "%s: no MemTotal and MemFree", path);
	snprintf(path, sizeof(path), NODE_DIR "/node%d/distance", id);
	if (hostfs_read_text(h, path, text, sizeof(text), err, errlen))
		return -1;
	/* one distance per possible node, in node id order */
	for (tok = strtok_r(text, " \t\n", &save); tok && i < NUMA_MAX_NODES;
	     tok = strtok_r(NULL, " \t\n", &save), i++) {
		if (num_parse_i64(tok, &d) || d <= 0 || d > 255)
			return tune_fail(err, errlen, errno, "%s: '%s' is not a distance", path, tok);
		n->dist[i] = (int)d;
	}
	return 0;
}

int numa_read(const struct hostfs *h, struct numa_topo *t, char *err, size_t errlen)
{
	char text[1024];
	struct cpulist online;
	int id;

	memset(t, 0, sizeof(*t));
	if (hostfs_read_text(h, NODE_DIR "/online", text, sizeof(text), err, errlen))
		return errno == ENOENT ? 0 : -1; /* no NUMA */
	if (cpulist_parse(text, &online))
		return tune_fail(err, errlen, errno, NODE_DIR "/online: not a node list");
	for (id = 0; id < NUMA_MAX_NODES; id++) {
		if (!cpulist_has(&online, id))
			continue;
		if (read_node(h, id, &t->n[t->nn], err, errlen))
			return -1;
		t->nn++;
	}
	return 0;
}

const struct numa_node *numa_node(const struct numa_topo *t, int id)
{
	int i;

	for (i = 0; i < t->nn; i++)
		if (t->n[i].id == id)
			return &t->n[i];
	return NULL;
}

void numa_parse_pages(const char *text, int64_t pages[NUMA_MAX_NODES])
{
	const char *p;
	long long id, v;

	memset(pages, 0, NUMA_MAX_NODES * sizeof(*pages));
	/* " N1=123" fields of every mapping */
	for (p = text; (p = strstr(p, " N")); p += 2)
		if (sscanf(p + 2, "%lld=%lld", &id, &v) == 2 && id >= 0 &&
		    id < NUMA_MAX_NODES && v > 0)
			pages[id] = num_sat_add(pages[id], v); /* huge counts saturate */
}

int numa_proc_pages(const struct hostfs *h, int pid, int64_t pages[NUMA_MAX_NODES], char *err,
		    size_t errlen)
{
	char path[64], *text;
	size_t cap = 1 << 22;

	memset(pages, 0, NUMA_MAX_NODES * sizeof(*pages));
	text = malloc(cap);
	if (!text)
		return tune_fail(err, errlen, errno, "out of memory");
	snprintf(path, sizeof(path), "/proc/%d/numa_maps", pid);
	if (hostfs_read_text(h, path, text, cap, err, errlen)) {
		free(text);
		return -1;
	}
	numa_parse_pages(text, pages);
	free(text);
	return 0;
}

/* "key   :   value" of /proc/PID/sched; -1 when missing */
static int sched_field(const char *text, const char *key, int64_t *out)
{
	const char *p = text;
	size_t n = strlen(key);
	long long v;

	while ((p = strstr(p, key))) {
		if ((p == text || p[-1] == '\n') && (p[n] == ' ' || p[n] == ':') &&
		    sscanf(p + n, " : %lld", &v) == 1) {
			*out = v;
			return 0;
		}
		p += n;
	}
	return -1;
}

int numa_parse_balancing(const char *text, struct numa_balancing *b)
{
	int64_t nid;

	memset(b, 0, sizeof(*b));
	b->preferred_nid = -1;
	if (sched_field(text, "numa_preferred_nid", &nid))
		return -1;
	b->preferred_nid = nid >= 0 && nid < NUMA_MAX_NODES ? (int)nid : -1;
	sched_field(text, "numa_pages_migrated", &b->pages_migrated);
	sched_field(text, "total_numa_faults", &b->faults);
	return 0;
}

int numa_proc_balancing(const struct hostfs *h, int pid, struct numa_balancing *b, char *err,
			size_t errlen)
{
	char path[64], text[8192];

	memset(b, 0, sizeof(*b));
	b->preferred_nid = -1;
	snprintf(path, sizeof(path), "/proc/%d/sched", pid);
	if (hostfs_read_text(h, path, text, sizeof(text), err, errlen))
		return -1;
	if (numa_parse_balancing(text, b))
		return tune_fail(err, errlen, EINVAL, "%s: no NUMA balancing fields", path);
	return 0;
}

void numa_advise(const struct numa_topo *t, const int64_t pages[NUMA_MAX_NODES],
		 const struct cpulist *cpus, int64_t page_kb, struct numa_advice *a)
{
	const struct numa_node *mem;
	struct cpulist both;
	int64_t total = 0, best = -1;
	int i, most = -1, c;

	memset(a, 0, sizeof(*a));
	a->cpu_node = a->mem_node = -1;
	for (i = 0; i < t->nn; i++) {
		cpulist_and(&both, &t->n[i].cpus, cpus);
		c = cpulist_count(&both);
		if (c > most) {
			most = c;
			a->cpu_node = t->n[i].id;
		}
		total = num_sat_add(total, pages[t->n[i].id]);
		if (pages[t->n[i].id] > best) {
			best = pages[t->n[i].id];
			a->mem_node = t->n[i].id;
		}
	}
	if (t->nn < 2) {
		snprintf(a->why, sizeof(a->why), "one NUMA node: nothing to move");
		return;
	}
	if (total < NUMA_MIN_PAGES) {
		snprintf(a->why, sizeof(a->why), "%lld pages: too little memory to tell",
			 (long long)total);
		return;
	}
	a->mem_share = (double)best / (double)total;
	mem = numa_node(t, a->mem_node);
	a->distance = numa_node(t, a->cpu_node)->dist[a->mem_node];
	if (a->mem_node == a->cpu_node) {
		snprintf(a->why, sizeof(a->why), "%.0f%% of its memory is on node %d, where it runs",
			 a->mem_share * 100, a->mem_node);
		return;
	}
	if (a->mem_share < NUMA_MOSTLY) {
		snprintf(a->why, sizeof(a->why), "its memory is spread: at most %.0f%% on one node "
			 "(node %d)", a->mem_share * 100, a->mem_node);
		return;
	}
	if (!cpulist_count(&mem->cpus)) {
		snprintf(a->why, sizeof(a->why), "node %d, which holds %.0f%% of its memory, has no "
			 "CPU", a->mem_node, a->mem_share * 100);
		return;
	}
	if (mem->free_kb < num_sat_mul(total - best, page_kb)) {
		snprintf(a->why, sizeof(a->why), "node %d holds %.0f%% of its memory but has %lld kB "
			 "free, less than the %lld kB on other nodes", a->mem_node,
			 a->mem_share * 100, (long long)mem->free_kb,
			 (long long)num_sat_mul(total - best, page_kb));
		return;
	}
	a->move = true;
	cpulist_format(&mem->cpus, a->cpus, sizeof(a->cpus));
	snprintf(a->mems, sizeof(a->mems), "%d", a->mem_node);
	snprintf(a->why, sizeof(a->why), "%.0f%% of its memory is on node %d but it runs on node "
		 "%d (distance %d, local 10): move it to node %d (CPUs %s)", a->mem_share * 100,
		 a->mem_node, a->cpu_node, a->distance, a->mem_node, a->cpus);
}
