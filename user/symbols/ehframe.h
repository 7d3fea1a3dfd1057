/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The functions an ELF image's .eh_frame describes: one address range per
 * FDE (its initial location and length), walked with libdw's CFI entry
 * reader. A stripped image (the vDSO) names only its exported functions;
 * its .eh_frame still knows where each local function begins and ends.
 */
#ifndef PP_EHFRAME_H
#define PP_EHFRAME_H

#include <libelf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct eh_func {
	uint64_t lo, hi; /* [lo, hi), ELF virtual addresses */
};

/*
 * The FDE ranges of elf's .eh_frame, sorted by lo, in *out (*n of them; the
 * caller frees *out). FDEs whose pointer encoding is not one a linker
 * writes for .eh_frame (absolute or pc-relative, fixed size or LEB128) are
 * left out, and so are empty ones. 0 (also with none), or -1 when there is
 * no .eh_frame, no memory, or call frame instructions that name a register
 * beyond any machine's (or that cannot be read): then the section is not to
 * be handed to libdw's CFI interpreter (errno EINVAL).
 */
int ehframe_functions(Elf *elf, struct eh_func **out, size_t *n);

/* The same from .debug_frame when debug_frame is set (its FDEs hold
 * absolute addresses), else from .eh_frame. */
int cfi_functions(Elf *elf, bool debug_frame, struct eh_func **out, size_t *n);

#endif
