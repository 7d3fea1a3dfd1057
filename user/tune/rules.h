/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The config's affinity rules between two cgroups, kept with cpusets:
 *
 *   separate = A B   A and B never share a CPU (anti-affinity)
 *   together = A B   A and B on the same NUMA node (and so the same
 *                    last-level cache where a node is one package)
 *
 * rules_separate: when A's and B's CPUs overlap, each keeps the CPUs only
 * it has and the shared ones are split, the lower half (rounded up) to A
 * and the rest to B; -1 when one of them would be left with no CPU (they
 * share a single CPU and have no other).
 *
 * rules_together: the node holding most of A's CPUs (ties: the lower id)
 * is theirs; B gets its own CPUs on that node, or all of that node's CPUs
 * when it has none there, and that node as its memory node. 0 with *moved
 * false when B's CPUs are all on A's node already; -1 when A's node has no
 * CPU of B's parent set or the host has no NUMA topology.
 */
#ifndef PP_TUNE_RULES_H
#define PP_TUNE_RULES_H

#include <stdbool.h>
#include "tune/cpulist.h"
#include "tune/numa.h"

int rules_separate(const struct cpulist *a, const struct cpulist *b, struct cpulist *na,
		   struct cpulist *nb);

int rules_together(const struct numa_topo *t, const struct cpulist *a, const struct cpulist *b,
		   struct cpulist *nb, int *node, bool *moved);

#endif
