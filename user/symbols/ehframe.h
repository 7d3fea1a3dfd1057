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

/*
 * Where each function .eh_frame describes begins, from the sorted table of
 * .eh_frame_hdr (no FDE read: a few bytes a function), in *out (*n of
 * them, ascending; the caller frees *out). 0, or -1 when there is no such
 * table or it is not in the form linkers write (4-byte offsets from the
 * section), or no memory.
 */
int ehframe_hdr_starts(Elf *elf, uint64_t **out, size_t *n);

/* The same from .debug_frame when debug_frame is set (its FDEs hold
 * absolute addresses), else from .eh_frame. */
int cfi_functions(Elf *elf, bool debug_frame, struct eh_func **out, size_t *n);

/* A CIE as cfi_fdes gives it: what its FDEs' instructions need. */
/* A bounded little- or big-endian reader over CFI bytes (an entry, its
 * instructions): false when what is asked runs past end. */
struct cfi_cursor {
	const uint8_t *p, *end;
	bool big;
	int addr_size;
};

bool cfi_read_uint(struct cfi_cursor *c, int size, uint64_t *v);

/* An unsigned or signed LEB128 number. */
bool cfi_read_leb(struct cfi_cursor *c, bool is_signed, uint64_t *v);

struct cfi_cie {
	const uint8_t *ins, *ins_end; /* its initial instructions */
	uint64_t code_align;
	int64_t data_align;
	uint64_t ra;      /* the return address register */
	bool signal;      /* 'S': a signal trampoline's frame */
	bool aug_len;     /* 'z': its FDEs' instructions follow a LEB128 length of data */
};

/* One FDE: its range and its instructions (after its augmentation data),
 * inside the ELF's section data (valid as long as elf is). */
struct cfi_fde {
	uint64_t lo, hi;
	const uint8_t *ins, *ins_end;
	uint32_t cie; /* index in the cies */
};

/* The size in bytes of elf's .eh_frame (debug_frame: .debug_frame), 0 when
 * it has none. */
size_t cfi_section_size(Elf *elf, bool debug_frame);

/*
 * The FDEs of elf's .eh_frame (debug_frame: .debug_frame) with their
 * instructions, sorted by lo, and their CIEs (the caller frees both).
 * Left out as by cfi_functions. 0 (also with none), or -1 when there is no
 * such section or no memory.
 */
int cfi_fdes(Elf *elf, bool debug_frame, struct cfi_fde **fdes, size_t *n, struct cfi_cie **cies,
	     size_t *ncies);

#endif
