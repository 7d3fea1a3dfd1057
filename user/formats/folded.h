/* SPDX-License-Identifier: GPL-2.0 */
/* The "folded" stack format: "comm;root;...;leaf count" per line. */
#ifndef PP_FOLDED_H
#define PP_FOLDED_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Join comm and frames (root first) with ';' into buf, without the count.
 * ';' and control characters inside a name become '_', an empty name
 * "[unknown]". Returns the length, or -1 if buf is too small.
 */
int folded_stack(char *buf, size_t len, const char *comm, const char *const *frames, size_t n);

/* Stacks with their counts; equal stacks are merged by folded_sort. */
struct folded {
	struct folded_entry {
		char *stack;
		uint64_t count;
	} *e;
	size_t n, cap;
};

int folded_add(struct folded *f, const char *stack, uint64_t count);

/* Sort by stack and merge duplicates. */
void folded_sort(struct folded *f);

/* Write "stack count" lines. Returns 0 or -1 on a write error. */
int folded_write(const struct folded *f, FILE *out);

void folded_free(struct folded *f);

/*
 * Parse "stack count" lines (the count after the last space, a decimal
 * integer) into f, merged and sorted. Lines with no stack or a count that
 * is not a number are skipped and counted in *bad (may be NULL); empty
 * lines and zero counts are skipped and not counted. Returns 0 or -1 on no
 * memory (f is then freed).
 */
int folded_parse(const char *text, struct folded *f, size_t *bad);

/* The sum of the counts of folded text, as folded_parse would read it,
 * without keeping the stacks; malformed lines counted in *bad (may be NULL). */
uint64_t folded_total(const char *text, size_t *bad);

/*
 * "stack base_count current_count" lines for every stack of either
 * profile (both sorted, as folded_sort leaves them), in stack order: the
 * input of difffolded-style tools. A malloc'ed string, or NULL on no
 * memory.
 */
char *folded_diff(const struct folded *base, const struct folded *cur);

#define PP_FOLDED_MAX_FRAMES 128 /* per stack kind: user and kernel */
#define FOLDED_NAME_LEN 256

struct stackset;

/* The stacks of a profile as merged, sorted folded lines; the count is
 * ss_weight (samples, or microseconds off-CPU). Returns 0 or -1. */
int folded_from_stackset(const struct stackset *ss, struct folded *out);

#endif
