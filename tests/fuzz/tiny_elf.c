// SPDX-License-Identifier: GPL-2.0
/*
 * The source of the small ELF files of corpus/fuzz_elf, fuzz_inlines and
 * fuzz_unwind (2.5 KB: no libc, no page alignment), an inlined function in
 * its DWARF, a build ID and .eh_frame:
 *   gcc -O2 -g -nostdlib -static -Wl,--build-id -Wl,-N -Wl,-z,noseparate-code \
 *       -o tiny tiny_elf.c && objcopy -R .comment tiny
 *   objcopy --only-keep-debug tiny tiny.debug
 *   objcopy --strip-all --add-gnu-debuglink=tiny.debug tiny tiny.stripped
 *   gcc -O2 -g -c -o tiny.o tiny_elf.c
 */
static inline __attribute__((always_inline)) int sq(int x)
{
	return x * x;
}

int f(int a)
{
	return sq(a) + 1;
}

void _start(void)
{
	volatile int r = f(3);

	(void)r;
	for (;;)
		;
}
