// SPDX-License-Identifier: GPL-2.0
/*
 * The unwind table of an ELF file (unwind/table.c) from its .eh_frame and
 * .debug_frame, its index for the BPF walker and lookups through both; and
 * the FDE ranges that symbols/ehframe.c reads from the same sections.
 */
#include <libelf.h>
#include "fuzz.h"
#include "symbols/ehframe.h"
#include "unwind/table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct unwind_table t = {0};
	struct pp_unwind_index *idx;
	struct eh_func *funcs;
	uint32_t nb, base;
	uint8_t shift;
	size_t n;
	void *image;
	Elf *elf;

	if (elf_version(EV_CURRENT) == EV_NONE)
		abort();
	image = malloc(size ? size : 1);
	if (!image)
		abort();
	memcpy(image, data, size);
	elf = elf_memory(image, size);
	if (!elf)
		goto out;
	if (!unwind_table_build(elf, &t)) {
		if (!unwind_index_build(&t, &idx, &nb, &base, &shift)) {
			for (size_t i = 0; i < t.n && i < 512; i++) {
				unwind_index_find(&t, idx, nb, base, shift, t.rows[i].pc);
				unwind_index_find(&t, idx, nb, base, shift, t.rows[i].pc - 1);
			}
			unwind_index_find(&t, idx, nb, base, shift, UINT64_MAX);
			free(idx);
		}
		unwind_table_find(&t, 0);
		unwind_table_find(&t, UINT64_MAX);
	}
	unwind_table_free(&t);
	if (!ehframe_functions(elf, &funcs, &n))
		free(funcs);
	if (!cfi_functions(elf, true, &funcs, &n))
		free(funcs);
	elf_end(elf);
out:
	free(image);
	return 0;
}
