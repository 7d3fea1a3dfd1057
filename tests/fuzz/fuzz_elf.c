// SPDX-License-Identifier: GPL-2.0
/*
 * An ELF file as the symbolizer reads a process's mapped files (elf.c): its
 * program headers, build ID, .symtab/.dynsym, .gnu_debuglink (the debug
 * file searched for beside it, in its own directory) and the functions of
 * its .eh_frame that no symbol covers; then the same image from memory, as
 * the vDSO is read, and lookups of every symbol found, named (names read
 * from the file on demand in the first).
 */
#include "fuzz.h"
#include "symbols/elf.h"

static void lookups(struct elf_file *f)
{
	for (size_t i = 0; i < f->nsyms && i < 256; i++) {
		struct elf_sym *s = (struct elf_sym *)elf_file_find(f, f->syms[i].addr);

		if (s) /* read from the file when not read with the symbols */
			elf_sym_name(f, s);
		elf_file_find(f, f->syms[i].addr + f->syms[i].size);
	}
	for (size_t i = 0; i < f->ncfi && i < 256; i++) {
		struct elf_sym *s = (struct elf_sym *)elf_file_find(f, f->cfi_addr0 + f->cfi[i].lo);

		if (s)
			elf_sym_name(f, s);
	}
	for (size_t i = 0; i < f->nsegs; i++) {
		uint64_t vaddr;

		elf_offset_to_vaddr(f->segs, f->nsegs, f->segs[i].offset, &vaddr);
	}
	elf_file_find(f, 0);
	elf_file_find(f, UINT64_MAX);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_path(data, size, "a.out");
	const char *const dirs[] = { fuzz_dir };
	const struct debug_search ds = { .root = "", .path = path, .dirs = dirs, .ndirs = 1 };
	/* names read on demand from any string table (as a program reads the
	 * large ones) */
	struct elf_file f = { .cfi_label = "fuzz", .names_lazy = 1 };
	void *image;

	if (!elf_file_open(&f, path, &ds))
		lookups(&f);
	elf_file_free(&f);

	image = malloc(size ? size : 1);
	if (!image)
		abort();
	memcpy(image, data, size);
	f = (struct elf_file){ .cfi_label = "vdso" };
	if (!elf_file_memory(&f, image, size))
		lookups(&f);
	elf_file_free(&f);
	free(image);
	return 0;
}
