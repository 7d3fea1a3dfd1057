/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An ELF file's unwind table for the BPF stack walker: its call frame
 * information (.eh_frame, and .debug_frame for the functions that
 * .eh_frame leaves out: objects built without unwind tables but with -g)
 * as rows of struct
 * pp_unwind_row (include/perfpilot.h), one per address range with the same
 * rules, sorted by address. .eh_frame's FDEs are read here, each FDE's
 * instructions run once producing its rows; .debug_frame's with libdw's
 * CFI interpreter (dwarf_cfi_addrframe) at every change of the rules; what
 * a row cannot express becomes PP_CFA_UNSUPPORTED (the walker stops there),
 * except the two DWARF expressions every x86-64 program meets: the PLT's
 * and the signal trampoline's.
 */
#ifndef PP_UNWIND_TABLE_H
#define PP_UNWIND_TABLE_H

#include <libelf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "perfpilot.h"

struct unwind_table {
	struct pp_unwind_row *rows;
	size_t n, cap;
	size_t nfuncs;      /* FDEs read */
	size_t unsupported; /* rows with a rule the walker cannot follow */
	const char *source; /* ".eh_frame", ".debug_frame" or ".eh_frame+.debug_frame" */
	size_t max_rows;    /* while building: 0, or stop beyond this many rows */
	bool over;          /* while building: stopped at max_rows */
};

/*
 * Build the table of an ELF file (x86-64). Addresses are its ELF virtual
 * addresses; the last row of each function that the next one does not
 * start at is a PP_CFA_NONE row at its end. 0, or -1 when the file has no
 * call frame information (or none for x86-64, or addresses beyond 4 GiB),
 * or no memory (errno ENOMEM); t is then empty.
 */
int unwind_table_build(Elf *elf, struct unwind_table *t);

/* The same, given up (-1, errno ECANCELED) once *cancel is set (checked
 * every 256 functions: a large binary takes a good part of a second), or
 * (-1, errno E2BIG) as soon as the table would take more than max_rows
 * rows (0: no limit): the FDEs alone are more, or the rows grow past it.
 * The rows' memory then stays within the room the caller has (libLLVM's
 * 949,000 rows took 19 MiB of peak memory to build, for a 4 MiB pool). */
int unwind_table_build_cancel(Elf *elf, struct unwind_table *t, const bool *cancel,
			      size_t max_rows);

/* The same with libdw's CFI interpreter for .eh_frame too (the reference
 * the unit tests compare unwind_table_build with; it costs several times
 * more). */
int unwind_table_build_libdw(Elf *elf, struct unwind_table *t);

/* The row for ELF address vaddr (the last one starting at or before it),
 * or NULL when it is before the first: what the BPF walker looks up. */
const struct pp_unwind_row *unwind_table_find(const struct unwind_table *t, uint64_t vaddr);

/* The most rows a table may have for it and its index (at most one bucket
 * per 4 rows) to fit in pool_rows: the max_rows to build it with. A table
 * whose index is smaller (one bucket per 8 rows is common) and would have
 * fit with up to 0.89 x pool_rows rows is given up too. */
size_t unwind_rows_within(size_t pool_rows);

/*
 * The index of t's rows for the BPF walker (struct pp_unwind_index): the
 * buckets from *base (the first row's address, rounded down), 1 << *shift
 * bytes each, the smallest shift (at least 4) that makes at most one
 * bucket per 4 rows. *nb buckets, malloc'd; -1 when t has no rows or no
 * memory.
 */
int unwind_index_build(const struct unwind_table *t, struct pp_unwind_index **idx, uint32_t *nb,
		       uint32_t *base, uint8_t *shift);

/* The row for vaddr found through the index, as the BPF walker finds it
 * (unwind_table_find's answer). */
const struct pp_unwind_row *unwind_index_find(const struct unwind_table *t,
					      const struct pp_unwind_index *idx, uint32_t nb,
					      uint32_t base, uint8_t shift, uint64_t vaddr);

void unwind_table_free(struct unwind_table *t);

#endif
