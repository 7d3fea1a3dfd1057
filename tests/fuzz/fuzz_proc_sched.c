// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/PID/sched (tune/numa.c: numa_parse_balancing, the kernel's NUMA
 * balancing lines "numa_preferred_nid : N" and the pages and faults beside
 * it): a preferred node is -1 or a node id below NUMA_MAX_NODES.
 */
#include "fuzz.h"
#include "tune/numa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	struct numa_balancing b;

	if (!numa_parse_balancing(s, &b) &&
	    (b.preferred_nid < -1 || b.preferred_nid >= NUMA_MAX_NODES))
		abort();
	free(s);
	return 0;
}
