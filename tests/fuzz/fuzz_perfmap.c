// SPDX-License-Identifier: GPL-2.0
/* A JIT's /tmp/perf-PID.map (perfmap.c): perfmap_load, then lookups. */
#include "fuzz.h"
#include "symbols/perfmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct perfmap m = {0};
	FILE *f = fuzz_stream(data, size);

	if (!perfmap_load(&m, f)) {
		for (size_t i = 0; i < m.n; i++) {
			perfmap_find(&m, m.syms[i].start);
			perfmap_find(&m, m.syms[i].start + m.syms[i].size - 1);
			perfmap_find(&m, m.syms[i].start + m.syms[i].size);
		}
		perfmap_find(&m, 0);
		perfmap_find(&m, UINT64_MAX);
	}
	perfmap_free(&m);
	fclose(f);
	return 0;
}
