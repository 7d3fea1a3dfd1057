// SPDX-License-Identifier: GPL-2.0
/* ehframe.c: function ranges from .eh_frame, checked against the sizes of
 * the function symbols of this test's own binary (gcc writes one FDE per
 * function, with the function's exact range), and on broken input. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <stdlib.h>
#include <unistd.h>
#include "unit.h"
#include "symbols/ehframe.h"

static void test_own_binary(void **state)
{
	struct eh_func *fn;
	size_t nfn, i, k, nsym = 0, exact = 0;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	Elf *elf;
	int fd;

	(void)state;
	elf_version(EV_CURRENT);
	assert_true((fd = open("/proc/self/exe", O_RDONLY)) >= 0);
	assert_non_null(elf = elf_begin(fd, ELF_C_READ, NULL));
	assert_int_equal(ehframe_functions(elf, &fn, &nfn), 0);
	assert_true(nfn >= 4);
	for (i = 1; i < nfn; i++)
		assert_true(fn[i].lo >= fn[i - 1].hi && fn[i].hi > fn[i].lo);
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		Elf_Data *d = elf_getdata(scn, NULL);

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !d)
			continue;
		for (k = 0; k < sh.sh_size / sh.sh_entsize; k++) {
			GElf_Sym s;
			size_t lo = 0, hi = nfn;

			if (!gelf_getsym(d, (int)k, &s) || GELF_ST_TYPE(s.st_info) != STT_FUNC ||
			    !s.st_size || s.st_shndx == SHN_UNDEF)
				continue;
			nsym++;
			while (hi - lo > 1) { /* the last range starting at or before it */
				size_t mid = lo + (hi - lo) / 2;

				if (fn[mid].lo <= s.st_value)
					lo = mid;
				else
					hi = mid;
			}
			exact += fn[lo].lo == s.st_value && fn[lo].hi == s.st_value + s.st_size;
		}
	}
	print_message("%zu FDEs; %zu of %zu sized function symbols match one exactly\n", nfn,
		      exact, nsym);
	assert_true(nsym >= 4);
	/* the C runtime's few hand-written functions may have none */
	assert_true(exact * 100 >= nsym * 95);
	free(fn);
	elf_end(elf);
	close(fd);
}

/* no .eh_frame, a truncated one, garbage: -1 or what could be read, never a
 * crash (the sanitizer build runs this) */
static void test_bad_input(void **state)
{
	static const unsigned char junk[4096] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };
	unsigned char *copy;
	struct eh_func *fn;
	size_t nfn, size, i;
	Elf *elf;
	FILE *f;

	(void)state;
	elf_version(EV_CURRENT);
	assert_non_null(elf = elf_memory((char *)junk, sizeof(junk)));
	assert_int_equal(ehframe_functions(elf, &fn, &nfn), -1);
	assert_null(fn);
	assert_int_equal(nfn, 0);
	elf_end(elf);
	/* this binary with its .eh_frame overwritten by a byte pattern */
	assert_non_null(f = fopen("/proc/self/exe", "rb"));
	fseek(f, 0, SEEK_END);
	size = (size_t)ftell(f);
	rewind(f);
	assert_non_null(copy = malloc(size));
	assert_int_equal(fread(copy, 1, size, f), size);
	fclose(f);
	assert_non_null(elf = elf_memory((char *)copy, size));
	{
		Elf_Scn *scn = NULL;
		GElf_Shdr sh;
		size_t shstrndx;

		assert_int_equal(elf_getshdrstrndx(elf, &shstrndx), 0);
		while ((scn = elf_nextscn(elf, scn)) != NULL) {
			const char *name;

			if (gelf_getshdr(scn, &sh) && (name = elf_strptr(elf, shstrndx, sh.sh_name)) &&
			    !strcmp(name, ".eh_frame"))
				for (i = 16; i < sh.sh_size; i++)
					copy[sh.sh_offset + i] = (unsigned char)(i * 37);
		}
	}
	elf_end(elf);
	assert_non_null(elf = elf_memory((char *)copy, size));
	if (!ehframe_functions(elf, &fn, &nfn)) {
		for (i = 1; i < nfn; i++)
			assert_true(fn[i].lo >= fn[i - 1].lo);
		free(fn);
	}
	elf_end(elf);
	free(copy);
}

/* The first CIE of this binary's .eh_frame (gcc's "zR": its initial
 * instructions at byte 17) made to name register 33554375: libdw would
 * clear 500 MB for each frame it computes, so the section is refused. */
static void test_big_register(void **state)
{
	static const unsigned char insns[] = { 0x05, 0xc7, 0xff, 0xff, 0x0f, 0x01, 0x00 };
	unsigned char *copy;
	struct eh_func *fn;
	size_t nfn, size, shstrndx;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	Elf *elf;
	FILE *f;
	bool done = false;

	(void)state;
	elf_version(EV_CURRENT);
	assert_non_null(f = fopen("/proc/self/exe", "rb"));
	fseek(f, 0, SEEK_END);
	size = (size_t)ftell(f);
	rewind(f);
	assert_non_null(copy = malloc(size));
	assert_int_equal(fread(copy, 1, size, f), size);
	fclose(f);
	assert_non_null(elf = elf_memory((char *)copy, size));
	assert_int_equal(ehframe_functions(elf, &fn, &nfn), 0);
	free(fn);
	assert_int_equal(elf_getshdrstrndx(elf, &shstrndx), 0);
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		const char *name;

		if (gelf_getshdr(scn, &sh) && (name = elf_strptr(elf, shstrndx, sh.sh_name)) &&
		    !strcmp(name, ".eh_frame")) {
			unsigned char *cie = copy + sh.sh_offset;

			assert_memory_equal(cie + 9, "zR", 3);
			assert_memory_equal(cie + 17, "\x0c\x07\x08\x90\x01", 5);
			memcpy(cie + 17, insns, sizeof(insns));
			done = true;
		}
	}
	assert_true(done);
	elf_end(elf);
	assert_non_null(elf = elf_memory((char *)copy, size));
	errno = 0;
	assert_int_equal(ehframe_functions(elf, &fn, &nfn), -1);
	assert_int_equal(errno, EINVAL);
	assert_null(fn);
	assert_int_equal(nfn, 0);
	elf_end(elf);
	free(copy);
}

/* The starts in .eh_frame_hdr's table are those of the FDEs, sorted: the
 * same functions, none of .eh_frame read. */
static void test_hdr_starts(void **state)
{
	struct eh_func *fn;
	uint64_t *st;
	size_t nfn, nst, i, j = 0, found = 0;
	Elf *elf;
	int fd;

	(void)state;
	elf_version(EV_CURRENT);
	assert_true((fd = open("/proc/self/exe", O_RDONLY)) >= 0);
	assert_non_null(elf = elf_begin(fd, ELF_C_READ_MMAP, NULL));
	assert_int_equal(ehframe_functions(elf, &fn, &nfn), 0);
	assert_int_equal(ehframe_hdr_starts(elf, &st, &nst), 0);
	assert_true(nst >= nfn); /* empty FDEs too */
	for (i = 1; i < nst; i++)
		assert_true(st[i] >= st[i - 1]);
	for (i = 0; i < nfn; i++) { /* every FDE's start is in the table */
		while (j < nst && st[j] < fn[i].lo)
			j++;
		found += j < nst && st[j] == fn[i].lo;
	}
	assert_int_equal(found, nfn);
	free(st);
	free(fn);
	elf_end(elf);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_own_binary),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_hdr_starts),
		cmocka_unit_test(test_big_register),
	};

	return cmocka_run_group_tests_name("ehframe", tests, NULL, NULL);
}
