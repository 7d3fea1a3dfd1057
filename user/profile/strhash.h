/* SPDX-License-Identifier: GPL-2.0 */
/* The string hash of the profiler's hash tables (stacks, names, pprof's
 * string table). */
#ifndef PP_STRHASH_H
#define PP_STRHASH_H

#include <stdint.h>

#define FNV1A_INIT 0xcbf29ce484222325ull

/* FNV-1a: h (FNV1A_INIT to start) extended with the bytes of p (NULL adds
 * nothing). */
static inline uint64_t fnv1a(uint64_t h, const char *p)
{
	for (; p && *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
	return h;
}

#endif
