/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CPU and memory-node lists as the kernel writes them ("0-3,8,10-11": a
 * cpuset's cpuset.cpus and cpuset.mems, a thread's Cpus_allowed_list) and
 * sets of them. A set holds CPUs (or nodes) 0 to CPULIST_MAX - 1.
 *
 * cpulist_parse accepts what the kernel accepts: numbers and ranges A-B
 * (A <= B) separated by commas, blanks around them ignored, "" the empty
 * set; anything else is -1. cpulist_format writes the kernel's canonical
 * form: ascending, ranges of two or more as A-B, "" for the empty set, so
 * that a value written reads back the same.
 */
#ifndef PP_TUNE_CPULIST_H
#define PP_TUNE_CPULIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CPULIST_MAX 1024

struct cpulist {
	uint64_t bits[CPULIST_MAX / 64];
};

void cpulist_clear(struct cpulist *s);
void cpulist_set(struct cpulist *s, int cpu);
bool cpulist_has(const struct cpulist *s, int cpu);
int cpulist_count(const struct cpulist *s);
bool cpulist_equal(const struct cpulist *a, const struct cpulist *b);
/* a without b (a & ~b), and a and b (a & b) */
void cpulist_minus(struct cpulist *out, const struct cpulist *a, const struct cpulist *b);
void cpulist_and(struct cpulist *out, const struct cpulist *a, const struct cpulist *b);
/* every member of a is in b */
bool cpulist_subset(const struct cpulist *a, const struct cpulist *b);

/* 0, or -1 when s is not a list (a malformed or reversed range, a CPU >= CPULIST_MAX). */
int cpulist_parse(const char *s, struct cpulist *out);
/* The canonical text; -1 when it does not fit in len. */
int cpulist_format(const struct cpulist *s, char *out, size_t len);
/* The same set, however written ("0,1,2" and "0-2"); false when either is not a list. */
bool cpulist_text_equal(const char *a, const char *b);

#endif
