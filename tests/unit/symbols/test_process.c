// SPDX-License-Identifier: GPL-2.0
/* process.c: maps lines, address -> ELF offset -> vaddr, symbols of a real ELF,
 * deleted and replaced files, build IDs and separate debug files. */
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include "unit.h"
#include "symbols/ehframe.h"
#include "symbols/process.h"

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
	assert_true(e.dev_major == 8 && e.dev_minor == 1 && e.inode == 1234);

	assert_int_equal(maps_parse_line("7f0000000000-7f0000021000 rw-p 00000000 00:00 0\n", &e), 0);
	assert_false(e.exec);
	assert_string_equal(e.path, "");

	assert_int_equal(maps_parse_line("7ffd1000-7ffd3000 r-xp 00000000 00:00 0      [vdso]", &e), 0);
	assert_string_equal(e.path, "[vdso]");

	assert_false(e.deleted);

	assert_int_equal(maps_parse_line("400000-401000 r-xp 00000000 fd:00 42 /tmp/my prog (deleted)\n",
					 &e), 0);
	assert_string_equal(e.path, "/tmp/my prog");
	assert_true(e.deleted);
	assert_true(e.dev_major == 0xfd && e.dev_minor == 0 && e.inode == 42);
	/* "(deleted)" inside a name is part of it */
	assert_int_equal(maps_parse_line("400000-401000 r-xp 00000000 fd:00 42 /tmp/x (deleted)y\n",
					 &e), 0);
	assert_string_equal(e.path, "/tmp/x (deleted)y");
	assert_false(e.deleted);

	assert_int_equal(maps_parse_line("garbage\n", &e), -1);
	assert_int_equal(maps_parse_line("2000-1000 r-xp 00000000 00:00 0\n", &e), -1);
	/* upper-case hex, no path, no newline */
	assert_int_equal(maps_parse_line("7F00A000-7F00B000 r-xp 0000A000 FD:0a 99", &e), 0);
	assert_true(e.start == 0x7f00a000ULL && e.end == 0x7f00b000ULL && e.offset == 0xa000);
	assert_true(e.dev_major == 0xfd && e.dev_minor == 0xa && e.inode == 99);
	assert_string_equal(e.path, "");
	/* fields missing, malformed or too large */
	assert_int_equal(maps_parse_line("1000-2000 r-x 0 08:01 7 /x\n", &e), -1);
	assert_int_equal(maps_parse_line("1000-2000 r-xp 0 08:01\n", &e), -1);
	assert_int_equal(maps_parse_line("1000-2000 r-xp 0 08:01 12x /a\n", &e), -1);
	assert_int_equal(maps_parse_line("1000-2000 r-xp 0 0801 7 /a\n", &e), -1);
	assert_int_equal(maps_parse_line("-2000 r-xp 0 08:01 7 /a\n", &e), -1);
	assert_int_equal(maps_parse_line("10000000000000000-20000000000000000 r-xp 0 08:01 7 /a", &e),
			 -1);
	assert_int_equal(maps_parse_line("1000-2000 r-xp 0 100000000:01 7 /a", &e), -1);
	assert_int_equal(maps_parse_line("", &e), -1);
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

/* An inlined function that returns the address of an instruction inside its
 * inlined body (0 where that cannot be written portably). */
static inline __attribute__((always_inline)) uint64_t inlined_probe_body(int *x)
{
	uint64_t pc = 0;

#if defined(__x86_64__)
	__asm__ volatile("lea 0(%%rip), %0" : "=r"(pc));
#endif
	*x += 1;
	__asm__ volatile("" : "+m"(*x));
	return pc;
}

__attribute__((noinline)) uint64_t inline_probe_caller(int *x);
__attribute__((noinline)) uint64_t inline_probe_caller(int *x)
{
	uint64_t pc = inlined_probe_body(x);

	__asm__ volatile("" : "+r"(pc));
	return pc;
}

/* This test binary itself (PIE): the address of a function maps back to its name. */
/* The vDSO's mapping in this process: [*lo, *hi). */
static int own_vdso(uintptr_t *lo, uintptr_t *hi)
{
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");
	int rc = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "[vdso]") && sscanf(line, "%" SCNxPTR "-%" SCNxPTR, lo, hi) == 2)
			rc = 0;
	fclose(f);
	return rc;
}

/*
 * Every function of this process's vDSO has a name, whatever the clock
 * source: an exported one by its symbol (__vdso_clock_gettime, not its alias
 * clock_gettime), a local one (kvm-clock's pvclock reader, absent from
 * .dynsym) as "[vdso]+0xSTART" from .eh_frame, or by the kernel's unstripped
 * image when it is installed; every address inside a function gets the
 * function's one name. The function ranges are checked against .dynsym:
 * each exported function is exactly one FDE.
 */
static void test_vdso_functions(void **state)
{
	uintptr_t base, end;
	struct usyms u = {0};
	struct eh_func *fn;
	size_t nfn, i, nlocal = 0, nexported = 0;
	Elf *elf;

	(void)state;
	if (own_vdso(&base, &end))
		skip(); /* no vDSO on this host */
	elf_version(EV_CURRENT);
	assert_non_null(elf = elf_memory((char *)base, end - base));
	assert_int_equal(ehframe_functions(elf, &fn, &nfn), 0);
	assert_true(nfn > 0);
	for (i = 0; i < nfn; i++) {
		struct usym_info si;
		char want[64], first[128];

		if (i)
			assert_true(fn[i].lo >= fn[i - 1].hi);
		usyms_lookup(&u, (uint32_t)getpid(), base + fn[i].lo, &si);
		if (!si.name)
			fail_msg("vDSO function at 0x%" PRIx64 " unnamed", fn[i].lo);
		snprintf(first, sizeof(first), "%s", si.name);
		snprintf(want, sizeof(want), "[vdso]+0x%" PRIx64, fn[i].lo);
		if (!strcmp(first, want))
			nlocal++;
		else if (!strncmp(first, "[vdso]", 6))
			fail_msg("%s: expected %s", first, want);
		assert_string_not_equal(first, "clock_gettime");
		assert_string_not_equal(first, "gettimeofday");
		usyms_lookup(&u, (uint32_t)getpid(), base + fn[i].hi - 1, &si);
		assert_non_null(si.name);
		assert_string_equal(si.name, first);
	}
	{
		Elf_Scn *scn = NULL;
		GElf_Shdr sh;

		while ((scn = elf_nextscn(elf, scn)) != NULL) {
			Elf_Data *d = elf_getdata(scn, NULL);
			size_t k;

			if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNSYM || !d)
				continue;
			for (k = 0; k < sh.sh_size / sh.sh_entsize; k++) {
				GElf_Sym sym;
				bool exact = false;

				if (!gelf_getsym(d, (int)k, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
				    !sym.st_size)
					continue;
				for (i = 0; i < nfn; i++)
					exact |= fn[i].lo == sym.st_value &&
						 fn[i].hi == sym.st_value + sym.st_size;
				if (!exact)
					fail_msg("%s: no FDE [0x%" PRIx64 ", +%" PRIu64 ")",
						 elf_strptr(elf, sh.sh_link, sym.st_name),
						 (uint64_t)sym.st_value, (uint64_t)sym.st_size);
				nexported++;
			}
		}
	}
	free(fn);
	elf_end(elf);
	usyms_free(&u);
	assert_true(nexported > 0);
	print_message("vDSO: %zu functions in .eh_frame, %zu named from it, %zu exported "
		      "symbols matched\n", nfn, nlocal, nexported);
}

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
	{
		struct usym_info si;
		int x = 0;
		uint64_t pc = inline_probe_caller(&x), off;

		usyms_lookup(&u, (uint32_t)getpid(), addr + 4, &si);
		assert_int_equal(si.ninlined, 0);
		if (pc) { /* inside inlined code: the function, then the inlined one */
			usyms_lookup(&u, (uint32_t)getpid(), pc, &si);
			assert_string_equal(si.name, "inline_probe_caller");
			assert_int_equal(si.ninlined, 1);
			assert_string_equal(si.inlined[0], "inlined_probe_body");
			off = si.offset;
			/* as a caller's return address, pc + 1 is looked up at pc
			 * (and keeps its own offset) */
			usyms_lookup_frame(&u, (uint32_t)getpid(), pc + 1, true, &si);
			assert_int_equal(si.ninlined, 1);
			assert_true(si.offset == off + 1);
			/* with no_inlines (the daemon's default) no DWARF is kept:
			 * the function alone */
			{
				struct usyms lean = { .no_inlines = true };

				usyms_lookup(&lean, (uint32_t)getpid(), pc, &si);
				assert_string_equal(si.name, "inline_probe_caller");
				assert_int_equal(si.ninlined, 0);
				assert_int_equal(lean.dwarf_open, 0);
				usyms_free(&lean);
			}
		}
	}
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

/* A child forked from this process maps the same files at the same paths:
 * its mappings' paths are those of this process's, kept once. */
static void test_paths_once(void **state)
{
	struct usyms u = {0};
	struct usym_info a, b;
	uint64_t addr = (uint64_t)(uintptr_t)&usyms_probe_function;
	size_t npaths;
	pid_t child;
	int status;

	(void)state;
	usyms_lookup(&u, (uint32_t)getpid(), addr, &a);
	assert_non_null(a.module);
	assert_string_equal(a.name, "usyms_probe_function");
	npaths = u.npaths;
	assert_true(npaths >= 1);
	child = fork();
	assert_true(child >= 0);
	if (!child) {
		pause();
		_exit(0);
	}
	usyms_lookup(&u, (uint32_t)child, addr, &b);
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	assert_non_null(b.module);
	assert_ptr_equal(a.module, b.module); /* the same string */
	assert_string_equal(b.name, "usyms_probe_function");
	assert_int_equal(u.npaths, npaths); /* none new */
	usyms_free(&u);
}

/* Deleted or replaced: the path is trusted only for the same device and
 * inode; map_files names the mapping itself. */
static void test_deleted_replaced(void **state)
{
	struct map_entry e;
	char buf[96];

	(void)state;
	assert_int_equal(maps_parse_line("7f12a000-7f12b000 r-xp 00001000 fd:01 4242 /opt/hot (deleted)",
					 &e), 0);
	assert_true(map_entry_same_file(&e, makedev(0xfd, 1), 4242));
	assert_false(map_entry_same_file(&e, makedev(0xfd, 1), 4243)); /* replaced */
	assert_false(map_entry_same_file(&e, makedev(0xfd, 2), 4242)); /* another fs */
	map_files_path(1234, &e, buf, sizeof(buf));
	assert_string_equal(buf, "/proc/1234/map_files/7f12a000-7f12b000");
}

/* Run a shell command; the test fails if it does. */
static void sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

static const struct elf_sym *sym_named(const struct elf_file *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->nsyms; i++)
		if (f->syms[i].name && !strcmp(f->syms[i].name, name))
			return &f->syms[i];
	return NULL;
}

/* A stripped copy of this binary read with a label: the functions only
 * .eh_frame knows have no name until one is asked for, then "LABEL+0xSTART"
 * with START the function's real start (the unstripped symbol's address),
 * the same string when asked again. */
static void test_cfi_names_lazy(void **state)
{
	char dir[] = "/tmp/pp-cfi-XXXXXX", bin[64], self_path[256], want_name[64];
	struct elf_file self = {0}, f = {0};
	const struct elf_sym *want;
	struct elf_sym *s;
	const char *name;
	size_t i, unnamed = 0;

	(void)state;
	memset(self_path, 0, sizeof(self_path));
	assert_true(readlink("/proc/self/exe", self_path, sizeof(self_path) - 1) > 0);
	assert_non_null(mkdtemp(dir));
	snprintf(bin, sizeof(bin), "%s/t", dir);
	sh("cp %s %s && strip --strip-all %s", self_path, bin, bin);
	assert_int_equal(elf_file_load(&self, "/proc/self/exe"), 0);
	want = sym_named(&self, "usyms_probe_function");
	assert_non_null(want);

	f.cfi_label = "t";
	assert_int_equal(elf_file_open(&f, bin, NULL), 0);
	f.cfi_label = NULL; /* read only while reading: the file keeps its own copy */
	assert_true(f.ncfi > 10);
	for (i = 0; i < f.nsyms; i++)
		unnamed += f.syms[i].from_cfi;
	assert_int_equal(unnamed, 0); /* kept apart, 8 bytes each */
	assert_int_equal(f.ncfi_syms, 0); /* none made a symbol yet */
	s = (struct elf_sym *)elf_file_find(&f, want->addr + 1);
	assert_non_null(s);
	assert_true(s->from_cfi);
	assert_true(s->addr == want->addr);
	name = elf_sym_name(&f, s);
	snprintf(want_name, sizeof(want_name), "t+0x%llx", (unsigned long long)want->addr);
	assert_string_equal(name, want_name);
	assert_ptr_equal(elf_sym_name(&f, s), name); /* kept */
	assert_ptr_equal(elf_file_find(&f, want->addr), s); /* the same symbol */
	/* the one asked for is the only one made a symbol */
	assert_int_equal(f.ncfi_syms, 1);
	elf_file_free(&f);
	elf_file_free(&self);
	sh("rm -rf %s", dir);
}

/* The names of a large string table read from the file when first asked
 * (names_lazy): every symbol gets the name it has when all are read at
 * once, only those asked for are kept, and the file is closed with it. */
static void test_names_from_file(void **state)
{
	struct elf_file eager = {0}, lazy = {0};
	const struct elf_sym *want;
	struct elf_sym *s;
	const char *name;
	size_t i, j, asked = 0;
	int fd;

	(void)state;
	assert_int_equal(elf_file_load(&eager, "/proc/self/exe"), 0);
	want = sym_named(&eager, "usyms_probe_function");
	assert_non_null(want);
	lazy.names_lazy = 1; /* any size: this binary's names are a few KB */
	assert_int_equal(elf_file_open(&lazy, "/proc/self/exe", NULL), 0);
	assert_int_equal(lazy.nsyms, eager.nsyms);
	assert_true(lazy.nstrtabs >= 1);
	assert_int_equal(lazy.nfds, 1);
	fd = lazy.fds[0];
	assert_int_equal(lazy.names.bytes, 0); /* none read yet */
	s = (struct elf_sym *)elf_file_find(&lazy, want->addr);
	assert_non_null(s);
	assert_false(s->named);
	name = elf_sym_name(&lazy, s);
	assert_string_equal(name, "usyms_probe_function");
	assert_ptr_equal(elf_sym_name(&lazy, s), name); /* kept */
	for (i = 0; i < lazy.nsyms; i++) {
		bool found = false;

		asked += !lazy.syms[i].named;
		name = elf_sym_name(&lazy, &lazy.syms[i]);
		assert_non_null(name);
		for (j = 0; j < eager.nsyms && !found; j++)
			found = eager.syms[j].addr == lazy.syms[i].addr &&
				!strcmp(elf_sym_name(&eager, &eager.syms[j]), name);
		assert_true(found);
	}
	assert_int_equal(asked, lazy.nsyms - 1); /* only the one asked for was read */
	elf_file_free(&lazy);
	assert_int_equal(fcntl(fd, F_GETFD), -1); /* closed */
	elf_file_free(&eager);
}

/* This test binary stripped, its symbols in a debug file found by build ID,
 * then by .gnu_debuglink, then not at all. */
static void test_debug_file(void **state)
{
	char dir[] = "/tmp/pp-usyms-XXXXXX", bin[64], ddir[64], byid[512], self_path[256];
	const char *dirs[1];
	struct debug_search ds;
	struct elf_file self = {0}, f = {0};
	const struct elf_sym *want, *got;

	(void)state;
	memset(self_path, 0, sizeof(self_path));
	assert_true(readlink("/proc/self/exe", self_path, sizeof(self_path) - 1) > 0);
	assert_non_null(mkdtemp(dir));
	snprintf(bin, sizeof(bin), "%s/bin/t", dir);
	snprintf(ddir, sizeof(ddir), "%s/dbg", dir);
	dirs[0] = ddir;
	size_t dwarf_left = 4;
	uint64_t pc, pc_vaddr = 0;
	const char *inl[USYM_INLINE_MAX];
	int x = 0;

	ds = (struct debug_search){ "", bin, dirs, 1, &dwarf_left };
	assert_int_equal(elf_file_load(&self, "/proc/self/exe"), 0);
	assert_int_equal(strlen(self.build_id), 40); /* gcc's default sha1 build ID */
	assert_true(self.full);
	want = sym_named(&self, "usyms_probe_function");
	assert_non_null(want);
	pc = inline_probe_caller(&x);
#if defined(__x86_64__)
	assert_true(pc != 0);
#endif
	got = sym_named(&self, "inline_probe_caller");
	assert_non_null(got);
	if (pc) /* the same place in the ELF's addresses */
		pc_vaddr = pc - (uint64_t)(uintptr_t)&inline_probe_caller + got->addr;
	snprintf(byid, sizeof(byid), "%s/.build-id/%.2s/%s.debug", ddir, self.build_id,
		 self.build_id + 2);

	sh("mkdir -p %s/bin/.debug %s/.build-id/%.2s && cp %s %s", dir, ddir, self.build_id,
	   self_path, bin);
	sh("cd %s/bin && objcopy --only-keep-debug t t.debug && strip --strip-all t && "
	   "objcopy --add-gnu-debuglink=t.debug t && mv t.debug %s", dir, byid);
	/* the build ID survives stripping; the symbols do not */
	assert_int_equal(elf_file_open(&f, bin, NULL), 0);
	assert_string_equal(f.build_id, self.build_id);
	assert_false(f.full);
	assert_null(sym_named(&f, "usyms_probe_function"));
	elf_file_free(&f);

	/* by build ID in the debug dir */
	assert_int_equal(elf_file_open(&f, bin, &ds), 0);
	assert_true(f.full);
	assert_string_equal(f.debug_path, byid);
	got = sym_named(&f, "usyms_probe_function");
	assert_non_null(got);
	assert_true(got->addr == want->addr && got->size == want->size);
	assert_ptr_equal(elf_file_find(&f, want->addr + 2), got);
	assert_null(f.why);
	/* the debug file's DWARF gives the inlined function */
	assert_non_null(f.inl);
	assert_int_equal(dwarf_left, 3);
	if (pc_vaddr) {
		unsigned long hits, misses;

		assert_int_equal(inlines_at(f.inl, pc_vaddr, inl, USYM_INLINE_MAX), 1);
		assert_string_equal(inl[0], "inlined_probe_body");
		assert_int_equal(inlines_at(f.inl, want->addr, inl, USYM_INLINE_MAX), 0);
		/* asked again: the same answers, from the kept ones */
		inl[0] = NULL;
		assert_int_equal(inlines_at(f.inl, pc_vaddr, inl, USYM_INLINE_MAX), 1);
		assert_string_equal(inl[0], "inlined_probe_body");
		assert_int_equal(inlines_at(f.inl, want->addr, inl, USYM_INLINE_MAX), 0);
		assert_int_equal(inlines_at(f.inl, pc_vaddr, inl, 1), 1);
		inlines_cache_stats(f.inl, &hits, &misses);
		assert_int_equal(misses, 2);
		assert_int_equal(hits, 3);
	}
	elf_file_free(&f);

	/* by .gnu_debuglink, in .debug/ next to it */
	sh("mv %s %s/bin/.debug/t.debug", byid, dir);
	assert_int_equal(elf_file_open(&f, bin, &ds), 0);
	assert_true(f.full);
	assert_non_null(f.debug_path);
	assert_non_null(strstr(f.debug_path, "/bin/.debug/t.debug"));
	got = sym_named(&f, "usyms_probe_function");
	assert_true(got && got->addr == want->addr);
	elf_file_free(&f);

	/* another binary's debug file under that name: refused */
	sh("cd %s/bin && cp %s other && objcopy --remove-section=.note.gnu.build-id other 2>/dev/null && "
	   "objcopy --only-keep-debug other .debug/t.debug 2>/dev/null", dir, self_path);
	assert_int_equal(elf_file_open(&f, bin, &ds), 0);
	assert_false(f.full);
	assert_null(f.debug_path);
	assert_non_null(f.why);
	assert_non_null(strstr(f.why, "does not match"));
	elf_file_free(&f);

	/* nowhere: why says so, and names the debuglink */
	sh("rm -f %s/bin/.debug/t.debug", dir);
	assert_int_equal(elf_file_open(&f, bin, &ds), 0);
	assert_false(f.full);
	assert_null(f.debug_path);
	assert_non_null(f.why);
	assert_non_null(strstr(f.why, "t.debug not found"));
	assert_non_null(strstr(f.why, "--debug-dir"));
	elf_file_free(&f);
	elf_file_free(&self);
	sh("rm -rf %s", dir);
}

/* This process's own perf map: an anonymous executable mapping and an
 * address outside every mapping are named from it; malformed lines are
 * reported. */
static void test_jit_map(void **state)
{
	char fn[64], name[128], *rep = NULL;
	struct usyms u = {0};
	size_t replen = 0;
	uint64_t base;
	void *mem = mmap(NULL, 8192, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	FILE *f, *out;

	(void)state;
	assert_true(mem != MAP_FAILED);
	base = (uint64_t)(uintptr_t)mem;
	snprintf(fn, sizeof(fn), "/tmp/perf-%d.map", getpid());
	f = fopen(fn, "w");
	assert_non_null(f);
	fprintf(f, "%" PRIx64 " 40 jit_one\n0x%" PRIx64 " 0x20 LazyCompile:~two app.js:1\n"
		"not a line\n10 10 below_all_mappings\n", base, base + 0x1000);
	fclose(f);
	usyms_name(&u, (uint32_t)getpid(), base + 0x3f, name, sizeof(name));
	assert_string_equal(name, "jit_one");
	usyms_name(&u, (uint32_t)getpid(), base + 0x1010, name, sizeof(name));
	assert_string_equal(name, "LazyCompile:~two app.js:1");
	usyms_name(&u, (uint32_t)getpid(), 0x15, name, sizeof(name));
	assert_string_equal(name, "below_all_mappings");
	usyms_name(&u, (uint32_t)getpid(), base + 0x40, name, sizeof(name)); /* past jit_one */
	assert_string_equal(name, "[unknown]");
	out = open_memstream(&rep, &replen);
	assert_non_null(out);
	usyms_report(&u, out);
	fclose(out);
	snprintf(fn, sizeof(fn), "1 malformed lines in /tmp/perf-%d.map", getpid());
	assert_non_null(strstr(rep, fn));
	snprintf(fn, sizeof(fn), "that /tmp/perf-%d.map does not name", getpid());
	assert_non_null(strstr(rep, fn));
	free(rep);
	usyms_free(&u);
	snprintf(fn, sizeof(fn), "/tmp/perf-%d.map", getpid());
	unlink(fn);
	munmap(mem, 8192);
}

/* Problems are reported once each, at most USYMS_PROBLEMS_MAX lines plus a
 * count of the rest. */
static void test_problem_lines(void **state)
{
	struct usyms u = {0};
	struct map_entry me;
	char path[64];
	char *rep = NULL;
	size_t replen = 0, lines = 0, i;
	FILE *out;

	(void)state;
	assert_int_equal(usyms_set_debug_dirs(&u, "/a::/b/"), 0);
	assert_int_equal(u.ndirs, 3);
	assert_string_equal(u.dirs[0], "/a");
	assert_string_equal(u.dirs[1], "/b/");
	assert_string_equal(u.dirs[2], "/usr/lib/debug");
	assert_int_equal(usyms_set_debug_dirs(&u, "/usr/lib/debug"), 0);
	assert_int_equal(u.ndirs, 1);
	/* a mapping whose file cannot be read, looked up many times */
	u.procs = calloc(1, sizeof(*u.procs));
	u.nprocs = 1;
	u.procs[0].pid = 1;
	u.procs[0].ok = true;
	u.procs[0].n = 1;
	u.procs[0].maps = calloc(1, sizeof(*u.procs[0].maps));
	u.procs[0].elf = calloc(1, sizeof(*u.procs[0].elf));
	assert_int_equal(maps_parse_line("1000-2000 r-xp 0 08:01 7 /gone/prog (deleted)", &me), 0);
	assert_true(me.deleted);
	u.procs[0].maps[0] = (struct usym_map){ me.start, me.end, me.offset, "/gone/prog",
						2 /* ENOENT */, me.deleted };
	for (i = 0; i < 3; i++) {
		char name[64];

		usyms_name(&u, 1, 0x1800, name, sizeof(name));
		assert_string_equal(name, "[unknown] (prog)");
	}
	out = open_memstream(&rep, &replen);
	usyms_report(&u, out);
	fclose(out);
	assert_string_equal(rep, "perfpilot: cannot read /gone/prog (deleted): No such file or directory\n");
	free(rep);
	for (i = 0; i < USYMS_PROBLEMS_MAX + 3; i++) { /* distinct mappings */
		char name[64];

		snprintf(path, sizeof(path), "/gone/p%zu", i);
		u.procs[0].maps[0].path = path;
		usyms_name(&u, 1, 0x1800, name, sizeof(name));
	}
	out = open_memstream(&rep, &replen);
	usyms_report(&u, out);
	fclose(out);
	for (i = 0; i < replen; i++)
		lines += rep[i] == '\n';
	assert_int_equal(lines, USYMS_PROBLEMS_MAX + 1);
	assert_non_null(strstr(rep, "and 4 more"));
	free(rep);
	usyms_free(&u);
}

/* Processes of 80 distinct binaries (copies of sleep), read, then killed:
 * forgetting the exited drops every one of them and all but the
 * USYMS_IDLE_FILES_MAX most recently used files; a live process and its
 * files stay, and its addresses are still named. */
static void test_forget_exited(void **state)
{
	enum { N = 80 };
	struct usyms u = {0};
	char dir[] = "/tmp/pp-forget.XXXXXX", path[64], name[128];
	pid_t pids[N], self = getpid();
	size_t i, files_before;
	int st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	for (i = 0; i < N; i++) {
		snprintf(path, sizeof(path), "%s/s%zu", dir, i);
		sh("cp /bin/sleep %s", path);
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (!pids[i]) {
			execl(path, path, "30", (char *)NULL);
			_exit(127);
		}
	}
	usleep(300 * 1000); /* let them exec */
	usyms_preload(&u, (uint32_t)self);
	for (i = 0; i < N; i++)
		usyms_preload(&u, (uint32_t)pids[i]);
	assert_int_equal(u.nprocs, N + 1);
	files_before = u.nfiles;
	assert_true(files_before >= N); /* one per copy, plus the shared libraries */
	for (i = 0; i < N; i++) {
		kill(pids[i], SIGKILL);
		waitpid(pids[i], &st, 0);
	}
	assert_int_equal(usyms_forget_exited(&u), N);
	assert_int_equal(u.nprocs, 1);
	assert_int_equal(u.procs[0].pid, (uint32_t)self);
	/* what this process holds, plus at most the idle ones kept */
	assert_true(u.nfiles <= files_before - u.files_dropped);
	assert_true(u.files_dropped >= files_before - USYMS_IDLE_FILES_MAX - u.procs[0].n);
	assert_true(u.files_dropped > 0);
	usyms_name(&u, (uint32_t)self, (uint64_t)(uintptr_t)&test_forget_exited, name, sizeof(name));
	assert_string_equal(name, "test_forget_exited");
	/* a second call has nothing more to drop */
	assert_int_equal(usyms_forget_exited(&u), 0);
	usyms_free(&u);
	sh("rm -rf %s", dir);
}

/* Idle files are kept within a byte budget too: with room for none, every
 * file no process holds goes, and what this process holds stays. */
static void test_forget_idle_bytes(void **state)
{
	enum { N = 6 };
	struct usyms u = {0};
	char dir[] = "/tmp/pp-forget.XXXXXX", path[64], name[128];
	pid_t pids[N], self = getpid();
	size_t i, j, idle_bytes = 0;
	int st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	for (i = 0; i < N; i++) {
		snprintf(path, sizeof(path), "%s/s%zu", dir, i);
		sh("cp /bin/sleep %s", path);
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (!pids[i]) {
			execl(path, path, "30", (char *)NULL);
			_exit(127);
		}
	}
	usleep(300 * 1000);
	usyms_preload(&u, (uint32_t)self);
	for (i = 0; i < N; i++)
		usyms_preload(&u, (uint32_t)pids[i]);
	u.idle_bytes_max = 1; /* nothing idle fits */
	for (i = 0; i < N; i++) {
		kill(pids[i], SIGKILL);
		waitpid(pids[i], &st, 0);
	}
	assert_int_equal(usyms_forget_exited(&u), N);
	for (i = 0; i < u.nfiles; i++) {
		bool held = false;

		for (j = 0; j < u.procs[0].n; j++)
			held |= u.procs[0].elf && u.procs[0].elf[j] == u.files[i];
		if (!held)
			idle_bytes += elf_file_bytes(u.files[i]);
	}
	assert_true(idle_bytes <= 1);
	assert_true(u.files_dropped >= N); /* every copy of sleep */
	usyms_name(&u, (uint32_t)self, (uint64_t)(uintptr_t)&test_forget_idle_bytes, name,
		   sizeof(name));
	assert_string_equal(name, "test_forget_idle_bytes");
	usyms_free(&u);
	sh("rm -rf %s", dir);
}

/* Where path is loaded in process pid: its mapping at file offset 0. */
static uint64_t base_of(pid_t pid, const char *path)
{
	char fn[64], line[USYM_PATH_MAX + 128];
	uint64_t base = 0;
	FILE *f;

	snprintf(fn, sizeof(fn), "/proc/%d/maps", (int)pid);
	assert_non_null(f = fopen(fn, "r"));
	while (!base && fgets(line, sizeof(line), f)) {
		struct map_entry e;

		if (!maps_parse_line(line, &e) && !e.offset && !strcmp(e.path, path))
			base = e.start;
	}
	fclose(f);
	return base;
}

/* The files a process maps are opened when it is read, and each read when
 * a lookup first lands in it: those no sample lands in never are. The
 * descriptor holds the file: deleted, its process gone, it is still read. */
static void test_deferred(void **state)
{
	char dir[] = "/tmp/pp-defer-XXXXXX", bin[64], self[256], link[256];
	uint64_t addr = (uint64_t)(uintptr_t)&usyms_probe_function, self_base, child_base = 0;
	struct usyms u = {0};
	struct usym_info si;
	size_t i, deferred = 0, read = 0;
	ssize_t n;
	pid_t child;
	int status;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(bin, sizeof(bin), "%s/copy", dir);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	assert_true(n > 0);
	self[n] = '\0';
	sh("cp %s %s", self, bin);
	child = fork();
	assert_true(child >= 0);
	if (!child) {
		execl(bin, bin, "--pause", (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 300 && !child_base; i++) { /* until it runs the copy */
		char fn[64];

		snprintf(fn, sizeof(fn), "/proc/%d/exe", (int)child);
		n = readlink(fn, link, sizeof(link) - 1);
		if (n > 0 && (link[n] = '\0', !strcmp(link, bin)))
			child_base = base_of(child, bin);
		else
			usleep(10000);
	}
	assert_true(child_base != 0);
	self_base = base_of(getpid(), self);
	assert_true(self_base != 0);
	usyms_preload(&u, (uint32_t)child);
	for (i = 0; i < u.nfiles; i++) {
		deferred += u.files[i]->deferred;
		read += u.files[i]->ok;
	}
	assert_true(deferred >= 2); /* the copy, libc... */
	assert_int_equal(read, 0);
	assert_int_equal(unlink(bin), 0);
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	usyms_lookup(&u, (uint32_t)child, child_base + (addr - self_base) + 4, &si);
	assert_non_null(si.name);
	assert_string_equal(si.name, "usyms_probe_function");
	for (i = 0, read = 0; i < u.nfiles; i++)
		read += u.files[i]->ok;
	assert_int_equal(read, 1); /* that file alone */
	/* read eagerly, every file at once */
	usyms_free(&u);
	u = (struct usyms){ .eager = true };
	usyms_preload(&u, (uint32_t)getpid());
	for (i = 0, read = 0, deferred = 0; i < u.nfiles; i++) {
		deferred += u.files[i]->deferred;
		read += u.files[i]->ok;
	}
	assert_int_equal(deferred, 0);
	assert_true(read >= 2);
	usyms_free(&u);
	rmdir(dir);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--pause")) { /* test_deferred's child */
		pause();
		return 0;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_maps_line),
		cmocka_unit_test(test_offset_to_vaddr),
		cmocka_unit_test(test_own_binary),
		cmocka_unit_test(test_paths_once),
		cmocka_unit_test(test_vdso_functions),
		cmocka_unit_test(test_deleted_replaced),
		cmocka_unit_test(test_debug_file),
		cmocka_unit_test(test_cfi_names_lazy),
		cmocka_unit_test(test_names_from_file),
		cmocka_unit_test(test_jit_map),
		cmocka_unit_test(test_problem_lines),
		cmocka_unit_test(test_forget_exited),
		cmocka_unit_test(test_forget_idle_bytes),
		cmocka_unit_test(test_deferred),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
