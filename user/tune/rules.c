// SPDX-License-Identifier: GPL-2.0
/* separate and together: the cpusets two cgroups should have (rules.h). */
#include <string.h>
#include "tune/rules.h"

int rules_separate(const struct cpulist *a, const struct cpulist *b, struct cpulist *na,
		   struct cpulist *nb)
{
	struct cpulist shared;
	int n, give, i;

	cpulist_and(&shared, a, b);
	n = cpulist_count(&shared);
	cpulist_minus(na, a, &shared);
	cpulist_minus(nb, b, &shared);
	if (!n)
		return 0;
	give = (n + 1) / 2;
	for (i = 0; i < CPULIST_MAX; i++) {
		if (!cpulist_has(&shared, i))
			continue;
		if (give-- > 0)
			cpulist_set(na, i);
		else
			cpulist_set(nb, i);
	}
	/* one shared CPU goes to A: B must have another */
	return cpulist_count(na) && cpulist_count(nb) ? 0 : -1;
}

int rules_together(const struct numa_topo *t, const struct cpulist *a, const struct cpulist *b,
		   struct cpulist *nb, int *node, bool *moved)
{
	struct cpulist on;
	int i, best = -1, c;

	*moved = false;
	*node = -1;
	for (i = 0; i < t->nn; i++) {
		cpulist_and(&on, &t->n[i].cpus, a);
		c = cpulist_count(&on);
		if (c > best) {
			best = c;
			*node = t->n[i].id;
		}
	}
	if (*node < 0 || best <= 0)
		return -1;
	for (i = 0; i < t->nn; i++)
		if (t->n[i].id == *node)
			break;
	if (cpulist_subset(b, &t->n[i].cpus)) {
		*nb = *b;
		return 0;
	}
	cpulist_and(nb, b, &t->n[i].cpus);
	if (!cpulist_count(nb))
		*nb = t->n[i].cpus;
	*moved = true;
	return cpulist_count(nb) ? 0 : -1;
}
