// SPDX-License-Identifier: GPL-2.0
/*
 * The cgroup limit files capacity --live reads (capacity/cglimits.c). The
 * input is up to four parts split at NULs: cpu.max, cpu.cfs_quota_us,
 * cpu.cfs_period_us and memory.max (or memory.limit_in_bytes); each is
 * parsed as its reader parses it, and a limit that parses must be a
 * positive finite number.
 */
#include <math.h>
#include "fuzz.h"
#include "capacity/cglimits.h"

/* The next part of the input, at most up to the next NUL. */
static const uint8_t *part(const uint8_t **data, size_t *size, size_t *len)
{
	const uint8_t *p = *data, *nul = memchr(p, 0, *size);

	*len = nul ? (size_t)(nul - p) : *size;
	*data += *len + (nul != NULL);
	*size -= *len + (nul != NULL);
	return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s[4];
	double x;
	size_t i, len;

	for (i = 0; i < 4; i++) {
		const uint8_t *p = part(&data, &size, &len);

		s[i] = fuzz_string(p, len);
	}
	if (cap_parse_cpu_max(s[0], &x) == 1 && !(isfinite(x) && x > 0))
		abort();
	if (cap_parse_cfs(s[1], s[2], &x) == 1 && !(isfinite(x) && x > 0))
		abort();
	if (cap_parse_mem_limit(s[3], &x) == 1 && !(isfinite(x) && x >= 0))
		abort();
	for (i = 0; i < 4; i++)
		free(s[i]);
	return 0;
}
