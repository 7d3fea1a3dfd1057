/* SPDX-License-Identifier: GPL-2.0 */
/* The profilers' in-kernel counts as symbolized stack sets. */
#ifndef PP_PROFILE_BUILD_H
#define PP_PROFILE_BUILD_H

#include <stddef.h>
#include "profile/offcpu.h"
#include "profile/oncpu.h"
#include "profile/stackset.h"
#include "profile/symbolize.h"

/* On-CPU samples: count = samples, value_ns = samples x period. 0 or -1
 * (no memory). */
int oncpu_stackset(struct profiler *p, struct symbolizer *sym, const struct prof_count *pc,
		   size_t n, struct stackset *ss);

/* Off-CPU blocks: count = sampled blocks, value_ns = blocked time; the
 * tracer's own innermost kernel frames are dropped. 0 or -1 (no memory). */
int offcpu_stackset(struct offcpu *p, struct symbolizer *sym, const struct off_count *oc,
		    size_t n, struct stackset *ss);

#endif
