/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The levers of `tune --protect` beside the tunables of tunable.h: values
 * that are not stepped within bounds but set, each journaled and restored
 * like a tunable's:
 *
 *   nice         a process's nice value, all its threads (-20 .. 19)
 *   affinity     a process's CPU affinity, all its threads (a CPU list)
 *   cpuset.cpus  a cgroup's CPUs (v1 cpuset controller or v2)
 *   cpuset.mems  a cgroup's memory nodes
 *
 * A process is the PID with its start time (hostproc.h): a PID reused by
 * another process is never touched. A list is written in the kernel's
 * canonical form and compared as a set ("0,1" is "0-1"); a new list is
 * never empty (nothing is left with no CPU or no memory node), though an
 * empty v2 cpuset (its parent's CPUs) is restored as it was.
 */
#ifndef PP_TUNE_LEVER_H
#define PP_TUNE_LEVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "tune/tunable.h"

enum lever_id { LEVER_NICE, LEVER_AFFINITY, LEVER_CPUSET_CPUS, LEVER_CPUSET_MEMS, LEVER_COUNT };

struct lever_info {
	const char *name;
	enum tune_scope scope;  /* TUNE_PROCESS or TUNE_CGROUP */
	bool list;              /* a CPU or node list, else an integer */
	int64_t min, max;       /* an integer's range */
};

extern const struct lever_info lever_table[LEVER_COUNT];
const struct lever_info *lever_find(const char *name);
size_t lever_index(const struct lever_info *l);

/*
 * A value to write: the integer within its range, or a non-empty list, in
 * canonical form into out. -1 with the reason in err otherwise.
 */
int lever_value(const struct lever_info *l, const char *value, char *out, size_t len, char *err,
		size_t errlen);

/* Equal values: as sets for lists, as fields otherwise (hostfs_value_equal). */
bool lever_value_equal(const struct lever_info *l, const char *a, const char *b);

/* A tunable's or a lever's values: the comparison restores and verdicts use. */
bool tune_value_equal(const char *tunable, const char *a, const char *b);

#endif
