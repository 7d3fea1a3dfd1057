// SPDX-License-Identifier: GPL-2.0
/* A signature of the loaded kernel modules (see kmodules.h). */
#include "symbols/kmodules.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* FNV-1a, 64 bits, over n bytes after h. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--) {
		h ^= *b++;
		h *= 0x100000001b3ull;
	}
	return h;
}

uint64_t kmodules_signature(FILE *f)
{
	char *line = NULL, name[64], state[16];
	uint64_t sig = 0, addr;
	unsigned long size;
	size_t cap = 0;
	int n = 0;

	/* "name size refs users state address [taint]" (refs and users "-"
	 * on kernels that cannot unload modules; users may be a long list):
	 * a module's identity is its name and where it was loaded; a module
	 * unloaded and loaded again elsewhere is another image */
	while (getline(&line, &cap, f) > 0) {
		uint64_t h = 0xcbf29ce484222325ull;

		if (sscanf(line, "%63s %lu %*s %*s %15s %" SCNx64, name, &size, state, &addr) != 4)
			continue;
		h = fnv(h, name, strlen(name));
		h = fnv(h, &addr, sizeof(addr));
		h = fnv(h, &size, sizeof(size));
		sig += h; /* the order of the lines does not matter */
		n++;
	}
	free(line);
	return n ? sig ^ (uint64_t)n : 0;
}

uint64_t kmodules_signature_now(void)
{
	FILE *f = fopen("/proc/modules", "r");
	uint64_t sig;

	if (!f)
		return 0;
	sig = kmodules_signature(f);
	fclose(f);
	return sig;
}
