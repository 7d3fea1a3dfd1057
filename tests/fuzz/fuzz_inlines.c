// SPDX-License-Identifier: GPL-2.0
/*
 * The DWARF of inlined functions through libdw (inlines.c): open an ELF
 * file's DWARF and ask which functions are inlined at its functions'
 * addresses (from its symbols, read by elf.c) and at a few more.
 */
#include "fuzz.h"
#include "symbols/elf.h"
#include "symbols/inlines.h"

static void ask(struct inlines *d, uint64_t vaddr)
{
	const char *names[16];

	inlines_at(d, vaddr, names, 16);
	inlines_at(d, vaddr, names, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_path(data, size, "a.out");
	struct elf_file f = {0};
	struct inlines *d = inlines_open(path);

	if (!d)
		return 0;
	if (!elf_file_load(&f, path))
		for (size_t i = 0; i < f.nsyms && i < 64; i++) {
			ask(d, f.syms[i].addr);
			ask(d, f.syms[i].addr + f.syms[i].size / 2);
		}
	elf_file_free(&f);
	for (uint64_t a = 0; a < 0x3000; a += 0x400)
		ask(d, a);
	ask(d, UINT64_MAX);
	inlines_close(d);
	return 0;
}
