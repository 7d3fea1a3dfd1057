/* SPDX-License-Identifier: GPL-2.0 */
/* What to watch (-a, -p or -c), as the collectors and profilers take it. */
#ifndef PP_TARGET_H
#define PP_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "perfpilot.h"

#define PP_MAX_PIDS 1024

/* What to watch: -a, -p or -c. */
struct target {
	enum pp_filter_mode mode;
	uint32_t pids[PP_MAX_PIDS];
	size_t npids;
	const char *cgroup; /* the -c argument as given */
	bool children;
};

/* Is any of the target's PIDs still alive? */
bool any_alive(const struct target *t);

#endif
