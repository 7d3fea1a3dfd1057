// SPDX-License-Identifier: GPL-2.0
/* usyms.c: maps lines, address -> ELF offset -> vaddr, symbols of a real ELF. */
#include <stdlib.h>
#include <unistd.h>
#include "unit.h"
#include "usyms.h"

static void test_maps_line(void **state)
{
	struct map_entry e;

	(void)state;
	assert_int_equal(maps_parse_line("55d0c0a01000-55d0c0a02000 r-xp 00001000 08:01 1234   "
					 "/usr/bin/hot\n", &e), 0);
	assert_true(e.start == 0x55d0c0a01000ULL && e.end == 0x55d0c0a02000ULL);
	assert_true(e.offset == 0x1000);
	assert_true(e.exec);
	assert_string_equal(e.path, "/usr/bin/hot");

	assert_int_equal(maps_parse_line("7f0000000000-7f0000021000 rw-p 00000000 00:00 0\n", &e), 0);
	assert_false(e.exec);
	assert_string_equal(e.path, "");

	assert_int_equal(maps_parse_line("7ffd1000-7ffd3000 r-xp 00000000 00:00 0      [vdso]", &e), 0);
	assert_string_equal(e.path, "[vdso]");

	assert_int_equal(maps_parse_line("400000-401000 r-xp 00000000 fd:00 42 /tmp/my prog (deleted)\n",
					 &e), 0);
	assert_string_equal(e.path, "/tmp/my prog");

	assert_int_equal(maps_parse_line("garbage\n", &e), -1);
	assert_int_equal(maps_parse_line("2000-1000 r-xp 00000000 00:00 0\n", &e), -1);
}

static void test_offset_to_vaddr(void **state)
{
	/* a typical PIE: text at file offset 0x1000 loaded at vaddr 0x1000,
	 * data at offset 0x2db8 loaded at 0x3db8 */
	const struct load_seg segs[] = {
		{ 0x0, 0x0, 0x628 },
		{ 0x1000, 0x1000, 0x2b5 },
		{ 0x2db8, 0x3db8, 0x260 },
	};
	struct map_entry text = { .start = 0x55d0c0a01000ULL, .end = 0x55d0c0a02000ULL,
				  .offset = 0x1000, .exec = true };
	/* a shared library whose text is at vaddr 0x28000 + the same offset */
	const struct load_seg lib[] = { { 0x0, 0x0, 0x26000 }, { 0x26000, 0x27000, 0x15000 } };
	struct map_entry ltext = { .start = 0x7f1234528000ULL, .end = 0x7f123453d000ULL,
				   .offset = 0x26000, .exec = true };
	uint64_t v = 0;

	(void)state;
	assert_true(map_file_offset(&text, 0x55d0c0a011c9ULL) == 0x11c9);
	assert_int_equal(elf_offset_to_vaddr(segs, 3, 0x11c9, &v), 0);
	assert_true(v == 0x11c9);
	assert_int_equal(elf_offset_to_vaddr(segs, 3, 0x2e00, &v), 0);
	assert_true(v == 0x3e00);
	assert_int_equal(elf_offset_to_vaddr(segs, 3, 0x1500, &v), -1); /* in no segment */
	assert_int_equal(elf_offset_to_vaddr(segs, 0, 0x10, &v), -1);

	assert_true(map_file_offset(&ltext, 0x7f1234528010ULL) == 0x26010);
	assert_int_equal(elf_offset_to_vaddr(lib, 2, 0x26010, &v), 0);
	assert_true(v == 0x27010);
}

__attribute__((noinline)) int usyms_probe_function(int x);
__attribute__((noinline)) int usyms_probe_function(int x)
{
	__asm__ volatile("" : "+r"(x));
	return x * 3 + 1;
}

/* This test binary itself (PIE): the address of a function maps back to its name. */
static void test_own_binary(void **state)
{
	struct usyms u = {0};
	struct elf_file f = {0};
	const struct elf_sym *s;
	char name[256];
	uint64_t addr = (uint64_t)(uintptr_t)&usyms_probe_function;

	(void)state;
	assert_int_equal(usyms_probe_function(1), 4);
	usyms_name(&u, (uint32_t)getpid(), addr + 4, name, sizeof(name));
	assert_string_equal(name, "usyms_probe_function");
	usyms_name(&u, (uint32_t)getpid(), 16, name, sizeof(name)); /* no mapping */
	assert_string_equal(name, "[unknown]");
	/* a libc function through .dynsym of a shared library */
	usyms_name(&u, (uint32_t)getpid(), (uint64_t)(uintptr_t)&qsort, name, sizeof(name));
	assert_true(strstr(name, "qsort") != NULL || strstr(name, "[unknown] (libc") == name);
	usyms_free(&u);

	assert_int_equal(elf_file_load(&f, "/proc/self/exe"), 0);
	assert_true(f.nsegs > 0);
	assert_true(f.nsyms > 0);
	s = elf_file_find(&f, 0); /* below every symbol */
	assert_null(s);
	elf_file_free(&f);
	assert_int_equal(elf_file_load(&f, "/nonexistent/binary"), -1);
	elf_file_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_maps_line),
		cmocka_unit_test(test_offset_to_vaddr),
		cmocka_unit_test(test_own_binary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
