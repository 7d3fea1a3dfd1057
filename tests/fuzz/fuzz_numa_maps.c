// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/PID/numa_maps (tune/numa.c: numa_parse_pages, the N<id>= fields
 * summed per node), and the advice numa_advise gives for those pages on
 * hosts of two and four nodes (the first byte picks the CPUs the process
 * may use): no node holds a negative count, and advice to move names a
 * node that holds most of the pages.
 */
#include "fuzz.h"
#include "tune/numa.h"

/* nodes of two CPUs each, 1 GiB free, distances 10 (local) and 20 */
static void topo(struct numa_topo *t, int nn)
{
	int i, k;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < nn; i++) {
		t->n[i].id = i;
		cpulist_set(&t->n[i].cpus, 2 * i);
		cpulist_set(&t->n[i].cpus, 2 * i + 1);
		t->n[i].total_kb = 4 << 20;
		t->n[i].free_kb = 1 << 20;
		for (k = 0; k < nn; k++)
			t->n[i].dist[k] = i == k ? 10 : 20;
	}
	t->nn = nn;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct numa_topo two, four;
	int64_t pages[NUMA_MAX_NODES];
	struct numa_advice a;
	struct cpulist cpus;
	char *s = fuzz_string(data, size);
	int i;

	if (!two.nn) {
		topo(&two, 2);
		topo(&four, 4);
	}
	numa_parse_pages(s, pages);
	for (i = 0; i < NUMA_MAX_NODES; i++)
		if (pages[i] < 0)
			abort();
	cpulist_clear(&cpus);
	for (i = 0; i < 8; i++)
		if (!size || (data[0] >> i) & 1)
			cpulist_set(&cpus, i);
	numa_advise(&two, pages, &cpus, 4, &a);
	if (a.move && (a.mem_share < NUMA_MOSTLY || a.mem_share > 1 || a.mem_node < 0))
		abort();
	numa_advise(&four, pages, &cpus, 4, &a);
	if (a.move && (a.mem_share < NUMA_MOSTLY || a.mem_share > 1 || a.mem_node < 0))
		abort();
	free(s);
	return 0;
}
