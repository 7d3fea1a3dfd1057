/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NUMA for --protect: the host's topology from /sys (nodes, their CPUs,
 * memory and distances) and where a process's memory sits
 * (/proc/PID/numa_maps), and numad-style advice: a process whose memory is
 * mostly on another node than the CPUs it runs on is best moved to the
 * node of its memory, when that node has the CPUs and free memory for it.
 *
 * All reads go through hostfs (below its root): the unit tests give trees
 * of two and four nodes. A host without /sys/devices/system/node (no NUMA)
 * reads as no node at all, and gets no advice.
 *
 * Advice (numa_advise), for a process with memory pages per node and the
 * CPUs it may run on:
 *  1. its CPU node is the node holding most of those CPUs; its memory node
 *     the node holding most of its pages (ties: the lower id);
 *  2. no advice with fewer than NUMA_MIN_PAGES pages, with one node, or when
 *     its memory node is its CPU node;
 *  3. no advice unless the memory node holds at least NUMA_MOSTLY of its
 *     pages;
 *  4. no advice when the memory node has no CPU or less free memory than
 *     the pages on other nodes (the rest would have to move there);
 *  5. else: move it to the memory node, cpuset.cpus = that node's CPUs and
 *     cpuset.mems = the node; the distance from its CPU node to its memory
 *     node is what each remote access costs (10 = local).
 */
#ifndef PP_TUNE_NUMA_H
#define PP_TUNE_NUMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "tune/cpulist.h"
#include "tune/hostfs.h"

#define NUMA_MAX_NODES 64
#define NUMA_MIN_PAGES 256    /* 1 MiB of 4 KiB pages */
#define NUMA_MOSTLY 0.6

struct numa_node {
	int id;
	struct cpulist cpus;
	int64_t total_kb, free_kb;
	int dist[NUMA_MAX_NODES]; /* by node id; 0: unknown */
};

struct numa_topo {
	struct numa_node n[NUMA_MAX_NODES];
	int nn;
};

/* The online nodes; nn 0 on a host without NUMA. -1 with err when a file is malformed. */
int numa_read(const struct hostfs *h, struct numa_topo *t, char *err, size_t errlen);
const struct numa_node *numa_node(const struct numa_topo *t, int id);

/* The N<id>= fields of numa_maps text summed per node id into pages. */
void numa_parse_pages(const char *text, int64_t pages[NUMA_MAX_NODES]);

/* A process's resident pages per node id (the N<id>= fields of numa_maps summed). */
int numa_proc_pages(const struct hostfs *h, int pid, int64_t pages[NUMA_MAX_NODES], char *err,
		    size_t errlen);

/*
 * The kernel's NUMA balancing for a process (/proc/PID/sched, with
 * CONFIG_NUMA_BALANCING): the node it prefers (-1: none), the pages it
 * migrated and the NUMA hinting faults it took. -1 when the file has none
 * of these lines.
 */
struct numa_balancing {
	int preferred_nid;
	int64_t pages_migrated, faults;
};
int numa_proc_balancing(const struct hostfs *h, int pid, struct numa_balancing *b, char *err,
			size_t errlen);
/* The same from the text of /proc/PID/sched: 0, or -1 without its lines. */
int numa_parse_balancing(const char *text, struct numa_balancing *b);

struct numa_advice {
	bool move;            /* the rule fires */
	int cpu_node, mem_node;
	double mem_share;     /* of its pages on the memory node */
	int distance;         /* from its CPU node to its memory node */
	char cpus[128];       /* cpuset.cpus to write, when move */
	char mems[32];        /* cpuset.mems to write */
	char why[256];        /* one sentence, also when it does not move */
};

void numa_advise(const struct numa_topo *t, const int64_t pages[NUMA_MAX_NODES],
		 const struct cpulist *cpus, int64_t page_kb, struct numa_advice *a);

#endif
