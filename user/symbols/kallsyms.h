/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel symbols from /proc/kallsyms: parsing and address lookup. */
#ifndef PP_KALLSYMS_H
#define PP_KALLSYMS_H

#include <stdint.h>
#include <stdio.h>
#include "symbols/strpool.h"

struct ksym {
	uint64_t addr;
	char *name;
	char *module; /* NULL for the core kernel */
};

/* The names live in chunks of text that never move (a kernel has some
 * 100,000 text symbols: one allocation each cost more than the names), a
 * module's name once for all its symbols. */
struct ksyms {
	struct ksym *syms; /* sorted by addr */
	size_t n, cap;
	struct strpool names;
};

/* Read kallsyms-format text (text symbols only). Returns 0 or -1 (memory). */
int ksyms_load(struct ksyms *k, FILE *f);

/* Parse one kallsyms line; 1 if it is a text symbol (name and module are
 * pointers into `line`, which is modified), 0 otherwise. */
int ksyms_parse_line(char *line, uint64_t *addr, char **name, char **module);

/* The symbol containing addr (the nearest at or below), or NULL. */
const struct ksym *ksyms_find(const struct ksyms *k, uint64_t addr);

void ksyms_free(struct ksyms *k);

#endif
