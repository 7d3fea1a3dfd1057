/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inlined functions at an address, from an ELF's DWARF (libdw): the chain
 * of DW_TAG_inlined_subroutine scopes holding it, so that a sample inside
 * code the compiler inlined shows the inlined function under its caller.
 */
#ifndef PP_INLINES_H
#define PP_INLINES_H

#include <stddef.h>
#include <stdint.h>

struct inlines;

/* Open the DWARF of the ELF file at path; NULL when it has none (no
 * .debug_info) or cannot be read. The file stays open until inlines_close,
 * so that it can be read after a process that mapped it has gone. */
struct inlines *inlines_open(const char *path);

/* The functions inlined at ELF address vaddr, outermost (the one inlined
 * into the real function) first, at most max. The names stay valid until
 * inlines_close. Returns how many. The answers of recent lookups are kept
 * (a few hundred addresses). */
size_t inlines_at(struct inlines *d, uint64_t vaddr, const char **names, size_t max);

/* How many lookups the kept answers served, and how many went to DWARF. */
void inlines_cache_stats(const struct inlines *d, unsigned long *hits, unsigned long *misses);

void inlines_close(struct inlines *d);

#endif
