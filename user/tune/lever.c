// SPDX-License-Identifier: GPL-2.0
/* The levers of --protect: nice, affinity, cpuset.cpus, cpuset.mems (lever.h). */
#include <stdio.h>
#include <string.h>
#include "tune/cpulist.h"
#include "tune/hostfs.h"
#include "tune/lever.h"
#include "tune/num.h"

const struct lever_info lever_table[LEVER_COUNT] = {
	[LEVER_NICE] = {"nice", TUNE_PROCESS, false, -20, 19},
	[LEVER_AFFINITY] = {"affinity", TUNE_PROCESS, true, 0, 0},
	[LEVER_CPUSET_CPUS] = {"cpuset.cpus", TUNE_CGROUP, true, 0, 0},
	[LEVER_CPUSET_MEMS] = {"cpuset.mems", TUNE_CGROUP, true, 0, 0},
};

const struct lever_info *lever_find(const char *name)
{
	size_t i;

	for (i = 0; name && i < LEVER_COUNT; i++)
		if (!strcmp(lever_table[i].name, name))
			return &lever_table[i];
	return NULL;
}

size_t lever_index(const struct lever_info *l)
{
	return (size_t)(l - lever_table);
}

int lever_value(const struct lever_info *l, const char *value, char *out, size_t len, char *err,
		size_t errlen)
{
	struct cpulist cl;
	int64_t v;

	if (!l->list) {
		if (num_parse_i64(value, &v) || v < l->min || v > l->max) {
			snprintf(err, errlen, "'%s' is not a %s value (%lld to %lld)", value, l->name,
				 (long long)l->min, (long long)l->max);
			return -1;
		}
		snprintf(out, len, "%lld", (long long)v);
		return 0;
	}
	if (cpulist_parse(value, &cl)) {
		snprintf(err, errlen, "'%s' is not a %s list (such as 0-3,8)", value,
			 strcmp(l->name, "cpuset.mems") ? "CPU" : "node");
		return -1;
	}
	if (!cpulist_count(&cl)) {
		snprintf(err, errlen, "%s would be left empty: refused (nothing is left with no %s)",
			 l->name, strcmp(l->name, "cpuset.mems") ? "CPU" : "memory node");
		return -1;
	}
	if (cpulist_format(&cl, out, len)) {
		snprintf(err, errlen, "%s: the list is too long", l->name);
		return -1;
	}
	return 0;
}

bool lever_value_equal(const struct lever_info *l, const char *a, const char *b)
{
	if (l->list) {
		struct cpulist x, y;

		/* "mixed: ..." or other text is equal only to itself */
		if (cpulist_parse(a, &x) || cpulist_parse(b, &y))
			return hostfs_value_equal(a, b);
		return cpulist_equal(&x, &y);
	}
	return hostfs_value_equal(a, b);
}

bool tune_value_equal(const char *tunable, const char *a, const char *b)
{
	const struct lever_info *l = lever_find(tunable);

	return l ? lever_value_equal(l, a, b) : hostfs_value_equal(a, b);
}
