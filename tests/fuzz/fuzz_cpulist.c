// SPDX-License-Identifier: GPL-2.0
/*
 * CPU and node lists as the kernel writes them (tune/cpulist.c: cpuset.cpus,
 * cpuset.mems, Cpus_allowed_list, NUMA node files). A list that parses must
 * format into the canonical form, which parses back to the same set and
 * formats the same again.
 */
#include "fuzz.h"
#include "tune/cpulist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), out[8192], again[8192];
	struct cpulist a, b;

	if (!cpulist_parse(s, &a) && !cpulist_format(&a, out, sizeof(out))) {
		if (cpulist_parse(out, &b) || !cpulist_equal(&a, &b))
			abort();
		if (cpulist_format(&b, again, sizeof(again)) || strcmp(out, again))
			abort();
	}
	free(s);
	return 0;
}
