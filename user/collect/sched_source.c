// SPDX-License-Identifier: GPL-2.0
/* The names of the scheduler collector's sources (--sched-source, the
 * daemon's sched_source). */
#include <string.h>
#include "collect/collector.h"

int sched_source_parse(const char *s, enum sched_source *out)
{
	if (!s)
		return -1;
	if (!strcmp(s, "switch")) {
		*out = SCHED_SOURCE_SWITCH;
		return 0;
	}
	if (!strcmp(s, "iterator")) {
		*out = SCHED_SOURCE_ITERATOR;
		return 0;
	}
	return -1;
}

const char *sched_source_name(enum sched_source s)
{
	return s == SCHED_SOURCE_ITERATOR ? "iterator" : "switch";
}
