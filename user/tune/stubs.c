// SPDX-License-Identifier: GPL-2.0
/*
 * Stand-ins for the tuners whose files are not in this tree yet: weak, so
 * that user/tune/<name>.c overrides them when it is. A stub has no
 * callbacks; the registry leaves such a tuner out. Linked into the program
 * only (the Makefile keeps this file out of the unit tests' archives).
 */
#include "tune/tuner.h"

#define STUB(name, tid)                                                                \
	__attribute__((weak)) void tuner_##name(struct tuner *t)                       \
	{                                                                              \
		*t = (struct tuner){.id = (tid)};                                      \
	}

STUB(tcp_buffers, TUNER_TCP_BUFFERS)
STUB(cpu_quota, TUNER_CPU_QUOTA)
STUB(cpu_weight, TUNER_CPU_WEIGHT)
STUB(memory_reclaim, TUNER_MEMORY_RECLAIM)
STUB(dirty_pages, TUNER_DIRTY_PAGES)
STUB(memory_high, TUNER_MEMORY_HIGH)
STUB(protect, TUNER_PROTECT)
STUB(cpuset_rules, TUNER_CPUSET_RULES)
