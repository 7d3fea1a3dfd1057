// SPDX-License-Identifier: GPL-2.0
/*
 * table.c: unwind tables of real binaries (this test's own and the libc
 * it runs with), checked against the test's own frames: a row evaluated
 * with the registers of a running function gives its return address, and
 * a walk with the tables of every mapped file (as the BPF walker does it)
 * goes from a nested function, and from a signal handler through the
 * kernel's signal frame, up to main and the outermost frame.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <gelf.h>
#include <link.h>
#include <signal.h>
#include <sys/uio.h>
#include "unit.h"
#include "symbols/process.h"
#include "symbols/ehframe.h"
#include "unwind/table.h"

#if defined(__x86_64__)

/* ---- the test's own mappings and their tables ---- */

struct mod {
	uint64_t start, end, bias;
	char path[USYM_PATH_MAX];
	struct unwind_table t;
};

static struct mod mods[64];
static size_t nmods;

static Elf *open_elf(const char *path, int *fd)
{
	elf_version(EV_CURRENT);
	if ((*fd = open(path, O_RDONLY)) < 0)
		return NULL;
	return elf_begin(*fd, ELF_C_READ_MMAP, NULL);
}

/* ELF address = address - bias inside a mapping at start of file offset off. */
static bool bias_of(Elf *elf, uint64_t start, uint64_t off, uint64_t *bias)
{
	size_t i, nph;

	if (elf_getphdrnum(elf, &nph))
		return false;
	for (i = 0; i < nph; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD &&
		    (ph.p_offset & ~4095ULL) <= off && off < ph.p_offset + ph.p_filesz) {
			*bias = start - off + ph.p_offset - ph.p_vaddr;
			return true;
		}
	}
	return false;
}

/* Tables for every executable file mapping of this process. */
static int load_mods(void **state)
{
	char line[USYM_PATH_MAX + 128];
	FILE *f = fopen("/proc/self/maps", "r");

	(void)state;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f) && nmods < 64) {
		struct map_entry e;
		struct mod *m = &mods[nmods];
		Elf *elf;
		int fd;

		if (maps_parse_line(line, &e) || !e.exec || e.path[0] != '/')
			continue;
		if (!(elf = open_elf(e.path, &fd)))
			continue;
		if (bias_of(elf, e.start, e.offset, &m->bias) && !unwind_table_build(elf, &m->t)) {
			m->start = e.start;
			m->end = e.end;
			snprintf(m->path, sizeof(m->path), "%s", e.path);
			nmods++;
		}
		elf_end(elf);
		close(fd);
	}
	fclose(f);
	return nmods ? 0 : -1;
}

static int free_mods(void **state)
{
	(void)state;
	while (nmods)
		unwind_table_free(&mods[--nmods].t);
	return 0;
}

static struct mod *mod_of(uint64_t addr)
{
	size_t i;

	for (i = 0; i < nmods; i++)
		if (addr >= mods[i].start && addr < mods[i].end)
			return &mods[i];
	return NULL;
}

static struct mod *mod_named(const char *base)
{
	size_t i;

	for (i = 0; i < nmods; i++) {
		const char *b = strrchr(mods[i].path, '/');

		if (b && !strncmp(b + 1, base, strlen(base)))
			return &mods[i];
	}
	return NULL;
}

/* Memory of this process, read as the BPF walker does (a copy that may
 * fail), not dereferenced. */
static bool peek(uint64_t addr, uint64_t *v)
{
	struct iovec local = { v, sizeof(*v) }, remote = { (void *)(uintptr_t)addr, sizeof(*v) };

	return process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == sizeof(*v);
}

/* [lo, hi) of a function of this test binary, at run time. */
static bool own_function(const char *name, uint64_t *lo, uint64_t *hi)
{
	struct mod *self = NULL;
	Elf_Scn *scn = NULL;
	bool found = false;
	char exe[USYM_PATH_MAX];
	ssize_t len;
	size_t i;
	Elf *elf;
	int fd;

	if ((len = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) < 0)
		return false;
	exe[len] = '\0';
	for (i = 0; i < nmods; i++)
		if (!strcmp(mods[i].path, exe))
			self = &mods[i];
	if (!self || !(elf = open_elf(exe, &fd)))
		return false;
	while (!found && (scn = elf_nextscn(elf, scn)) != NULL) {
		Elf_Data *d = elf_getdata(scn, NULL);
		GElf_Shdr sh;
		size_t k;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !d)
			continue;
		for (k = 0; k < sh.sh_size / sh.sh_entsize && !found; k++) {
			GElf_Sym s;
			const char *n;

			if (!gelf_getsym(d, (int)k, &s) || GELF_ST_TYPE(s.st_info) != STT_FUNC ||
			    !(n = elf_strptr(elf, sh.sh_link, s.st_name)) || strcmp(n, name))
				continue;
			*lo = s.st_value + self->bias;
			*hi = *lo + s.st_size;
			found = true;
		}
	}
	elf_end(elf);
	close(fd);
	return found;
}

/* libc's own write() (not a sanitizer's interceptor of the same name). */
static uint64_t libc_write(void)
{
	void *h = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
	uint64_t a = h ? (uint64_t)(uintptr_t)dlsym(h, "write") : 0;

	if (h)
		dlclose(h);
	return a;
}

/* ---- the walk, as bpf/unwind.bpf.h does it ---- */

struct walk {
	uint64_t ips[128];
	size_t n;
	bool reached_end;   /* stopped at the outermost frame's row */
	bool signal_frame;  /* went through a signal frame */
};

static void walk(uint64_t ip, uint64_t sp, uint64_t bp, struct walk *w)
{
	bool exact = true;

	memset(w, 0, sizeof(*w));
	while (ip && w->n < 128) {
		uint64_t at = exact ? ip : ip - 1;
		__u64 cfa = 0;
		const struct pp_unwind_row *r;
		struct mod *m;

		w->ips[w->n++] = ip;
		exact = false;
		if (!(m = mod_of(at)) || !(r = unwind_table_find(&m->t, at - m->bias)))
			return;
		if (r->cfa_rule == PP_CFA_END) {
			w->reached_end = true;
			return;
		}
		if (r->cfa_rule == PP_CFA_SIGNAL) {
			if (!peek(sp + PP_SIGFRAME_RBP, &bp) || !peek(sp + PP_SIGFRAME_RIP, &ip) ||
			    !peek(sp + PP_SIGFRAME_RSP, &sp))
				return;
			w->signal_frame = exact = true;
			continue;
		}
		if (!pp_unwind_cfa(r, at, sp, bp, &cfa) || cfa <= sp || !peek(cfa - 8, &ip) ||
		    (r->rbp_off && !peek(cfa + 8 * (int64_t)r->rbp_off, &bp)))
			return;
		sp = cfa;
	}
}

struct regs {
	uint64_t ip, sp, bp;
};

/* The registers at this point of the caller (ip: the instruction after). */
#define CAPTURE(r)                                                                        \
	__asm__ volatile("lea 0(%%rip), %0\n\tmov %%rsp, %1\n\tmov %%rbp, %2"             \
			 : "=r"((r)->ip), "=r"((r)->sp), "=r"((r)->bp) : : "memory")

static bool has_frame_in(const struct walk *w, uint64_t lo, uint64_t hi)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		if (w->ips[i] >= lo && w->ips[i] < hi)
			return true;
	return false;
}

/* ---- tests ---- */

/* What a row gives for a live frame: the frame's return address read at
 * CFA - 8, and the CFA's distance from the stack pointer. */
struct eval {
	uint64_t ra_read, ra, cfa_minus_sp;
	int rule;
};

__attribute__((noinline)) static void evaluate(const struct regs *r, uint64_t ra, struct eval *e)
{
	const struct pp_unwind_row *row;
	struct mod *m;
	__u64 cfa = 0;

	e->ra = ra;
	e->rule = -1;
	if (!(m = mod_of(r->ip)) || !(row = unwind_table_find(&m->t, r->ip - m->bias)))
		return;
	e->rule = row->cfa_rule;
	if (pp_unwind_cfa(row, r->ip, r->sp, r->bp, &cfa) && peek(cfa - 8, &e->ra_read))
		e->cfa_minus_sp = cfa - r->sp;
}

/* A function with a frame of its own, evaluated while it runs. */
__attribute__((noinline)) static uint64_t known_frame(struct eval *e, int n)
{
	volatile char buf[200];
	struct regs r;

	buf[n % 200] = (char)n;
	CAPTURE(&r);
	evaluate(&r, (uint64_t)__builtin_return_address(0), e);
	return (uint64_t)buf[n % 200];
}

/* The row of a running function, evaluated with its registers where they
 * were captured, finds its return address at CFA - 8. */
static void test_row_against_known_frame(void **state)
{
	struct eval e = {0};

	(void)state;
	known_frame(&e, 7);
	assert_true(e.rule == PP_CFA_RSP || e.rule == PP_CFA_RBP);
	assert_true(e.cfa_minus_sp >= 200 + 8); /* the buffer is in the frame */
	assert_int_equal(e.ra_read, e.ra);
}

/* Every function of this binary that the symbol table sizes begins with the
 * rule of a function's first instruction: CFA = rsp + 8, rbp unchanged. */
static void test_own_function_entries(void **state)
{
	char exe[USYM_PATH_MAX];
	struct mod *self = NULL;
	Elf_Scn *scn = NULL;
	size_t i, nsym = 0, entry = 0;
	ssize_t len;
	Elf *elf;
	int fd;

	(void)state;
	assert_true((len = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) > 0);
	exe[len] = '\0';
	for (i = 0; i < nmods; i++)
		if (!strcmp(mods[i].path, exe))
			self = &mods[i];
	assert_non_null(self);
	assert_string_equal(self->t.source, ".eh_frame");
	assert_true(self->t.nfuncs >= 10);
	for (i = 1; i < self->t.n; i++)
		assert_true(self->t.rows[i].pc > self->t.rows[i - 1].pc);
	assert_non_null(elf = open_elf(exe, &fd));
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		Elf_Data *d = elf_getdata(scn, NULL);
		GElf_Shdr sh;
		size_t k;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !d)
			continue;
		for (k = 0; k < sh.sh_size / sh.sh_entsize; k++) {
			const struct pp_unwind_row *r;
			GElf_Sym s;

			if (!gelf_getsym(d, (int)k, &s) || GELF_ST_TYPE(s.st_info) != STT_FUNC ||
			    !s.st_size || s.st_shndx == SHN_UNDEF)
				continue;
			nsym++;
			r = unwind_table_find(&self->t, s.st_value);
			entry += r && r->cfa_rule == PP_CFA_RSP && r->cfa_off == 8 && !r->rbp_off;
		}
	}
	elf_end(elf);
	close(fd);
	print_message("%zu rows, %zu FDEs; %zu of %zu sized functions begin with CFA = rsp + 8\n",
		      self->t.n, self->t.nfuncs, entry, nsym);
	assert_true(nsym >= 10);
	assert_true(entry * 100 >= nsym * 95); /* the C runtime's hand-written ones may not */
}

/* libc: an exported function's entry, its PLT's DWARF expression, the
 * signal trampoline and the outermost frames of a thread (clone). */
static void test_libc_rows(void **state)
{
	struct sigaction sa = { .sa_handler = SIG_IGN }, old;
	const struct pp_unwind_row *r;
	size_t i, shstrndx, plt = 0, signal = 0, end = 0;
	struct mod *libc;
	Elf_Scn *scn = NULL;
	__u64 cfa = 0;
	Elf *elf;
	int fd;

	(void)state;
	assert_non_null(libc = mod_named("libc.so"));
	print_message("%s: %zu rows, %zu FDEs, %zu unsupported\n", libc->path, libc->t.n,
		      libc->t.nfuncs, libc->t.unsupported);
	assert_true(libc->t.nfuncs >= 1000);
	assert_true(libc->t.unsupported * 1000 <= libc->t.n); /* nearly every rule is one */
	r = unwind_table_find(&libc->t, libc_write() - libc->bias);
	assert_non_null(r);
	assert_int_equal(r->cfa_rule, PP_CFA_RSP);
	assert_int_equal(r->cfa_off, 8);
	for (i = 0; i < libc->t.n; i++) {
		plt += libc->t.rows[i].cfa_rule == PP_CFA_PLT;
		signal += libc->t.rows[i].cfa_rule == PP_CFA_SIGNAL;
		end += libc->t.rows[i].cfa_rule == PP_CFA_END;
	}
	assert_int_equal(signal, 1); /* __restore_rt */
	assert_true(end >= 1);       /* clone's child, clone3's */
	/* the trampoline the kernel returns to from a handler: sigaction gives it */
	assert_int_equal(sigaction(SIGUSR2, &sa, NULL), 0);
	assert_int_equal(sigaction(SIGUSR2, NULL, &old), 0);
	r = unwind_table_find(&libc->t, (uint64_t)(uintptr_t)old.sa_restorer - libc->bias);
	assert_non_null(r);
	assert_int_equal(r->cfa_rule, PP_CFA_SIGNAL);
	/* libc's .plt: its entries (after the first, PLT0) have the expression */
	assert_non_null(elf = open_elf(libc->path, &fd));
	assert_int_equal(elf_getshdrstrndx(elf, &shstrndx), 0);
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(elf, shstrndx, sh.sh_name)) ||
		    strcmp(name, ".plt") || sh.sh_size < 32)
			continue;
		assert_true(plt >= 1);
		r = unwind_table_find(&libc->t, sh.sh_addr + 16);
		assert_non_null(r);
		assert_int_equal(r->cfa_rule, PP_CFA_PLT);
		assert_int_equal(r->cfa_off, 11);
		/* jmp *GOT (bytes 0-5): nothing pushed yet; after push $index: 8 more */
		assert_true(pp_unwind_cfa(r, sh.sh_addr + 16 + 2, 0x1000, 0, &cfa));
		assert_int_equal(cfa, 0x1008);
		assert_true(pp_unwind_cfa(r, sh.sh_addr + 16 + 11, 0x1000, 0, &cfa));
		assert_int_equal(cfa, 0x1010);
	}
	elf_end(elf);
	close(fd);
}

/* The index's answer (what the BPF walker finds) equals the table's for
 * every address of libc's and around each row, before the first and past
 * the last; a bucket holds few rows. And a small table of its own. */
static void check_index(const struct unwind_table *t)
{
	struct pp_unwind_index *idx;
	uint32_t nb, base, i, most = 0;
	uint8_t shift;
	uint64_t a;
	size_t k;

	assert_int_equal(unwind_index_build(t, &idx, &nb, &base, &shift), 0);
	assert_true(nb >= 1 && nb <= (t->n + 3) / 4 + 1);
	for (i = 0; i < nb; i++)
		most = idx[i].n > most ? idx[i].n : most;
	for (k = 0; k < t->n; k++) {
		for (a = t->rows[k].pc ? t->rows[k].pc - 1 : 0; a <= (uint64_t)t->rows[k].pc + 1; a++)
			assert_ptr_equal(unwind_index_find(t, idx, nb, base, shift, a),
					 unwind_table_find(t, a));
	}
	for (a = 0; a < 64; a++)
		assert_ptr_equal(unwind_index_find(t, idx, nb, base, shift, base + (a << 20)),
				 unwind_table_find(t, base + (a << 20)));
	assert_null(unwind_index_find(t, idx, nb, base, shift, t->rows[0].pc - 1));
	print_message("%zu rows: %u buckets of %u bytes, at most %u rows in one\n", t->n, nb,
		      1u << shift, most);
	free(idx);
}

static void test_index(void **state)
{
	struct mod *libc;
	struct unwind_table t = {0};
	struct pp_unwind_row rows[] = {
		{ .pc = 0x1000, .cfa_rule = PP_CFA_RSP, .cfa_off = 8 },
		{ .pc = 0x1001, .cfa_rule = PP_CFA_RSP, .cfa_off = 16 },
		{ .pc = 0x1040, .cfa_rule = PP_CFA_RSP, .cfa_off = 8 },
		{ .pc = 0x1800, .cfa_rule = PP_CFA_NONE },
		{ .pc = 0x9000, .cfa_rule = PP_CFA_RSP, .cfa_off = 8 },
		{ .pc = 0x9010, .cfa_rule = PP_CFA_NONE },
	};

	(void)state;
	t.rows = rows;
	t.n = sizeof(rows) / sizeof(rows[0]);
	check_index(&t);
	t.n = 1;
	check_index(&t);
	assert_non_null(libc = mod_named("libc.so"));
	check_index(&libc->t);
}

__attribute__((noinline)) static void walk_here(struct walk *w)
{
	struct regs r;

	CAPTURE(&r);
	walk(r.ip, r.sp, r.bp, w);
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) static void nested(struct walk *w, int depth)
{
	if (depth)
		nested(w, depth - 1);
	else
		walk_here(w);
	__asm__ volatile("" ::: "memory");
}

/* From a nested function through cmocka and libc's start code to _start. */
static void test_walk_to_main(void **state)
{
	uint64_t lo, hi, nlo, nhi;
	struct walk w;

	(void)state;
	nested(&w, 5);
	assert_true(own_function("main", &lo, &hi));
	assert_true(own_function("nested", &nlo, &nhi));
	print_message("%zu frames, outermost reached: %d\n", w.n, w.reached_end);
	assert_true(w.n >= 9);
	assert_true(has_frame_in(&w, lo, hi));
	assert_true(has_frame_in(&w, nlo, nhi));
	assert_true(w.reached_end);
}

static struct walk in_handler;

static void on_usr1(int sig)
{
	(void)sig;
	walk_here(&in_handler);
}

__attribute__((noinline)) static void raise_usr1(void)
{
	raise(SIGUSR1);
	__asm__ volatile("" ::: "memory");
}

/* From a signal handler: through __restore_rt and the kernel's signal frame
 * back to the function that raised it, and on to _start. */
static void test_walk_from_signal_handler(void **state)
{
	struct sigaction sa = { .sa_handler = on_usr1 }, old;
	uint64_t lo, hi, rlo, rhi;

	(void)state;
	assert_int_equal(sigaction(SIGUSR1, &sa, &old), 0);
	raise_usr1();
	sigaction(SIGUSR1, &old, NULL);
	assert_true(own_function("main", &lo, &hi));
	assert_true(own_function("raise_usr1", &rlo, &rhi));
	print_message("%zu frames, through a signal frame: %d, outermost reached: %d\n",
		      in_handler.n, in_handler.signal_frame, in_handler.reached_end);
	assert_true(in_handler.signal_frame);
	assert_true(has_frame_in(&in_handler, rlo, rhi));
	assert_true(has_frame_in(&in_handler, lo, hi));
	assert_true(in_handler.reached_end);
}

#endif /* __x86_64__ */

/* Not x86-64, no call frame information, garbage: -1 or a table of rows in
 * order, never a crash (the sanitizer build runs this). */
static void test_bad_input(void **state)
{
	static const unsigned char junk[4096] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };
	struct unwind_table t;
	unsigned char *copy;
	size_t size, i, shstrndx;
	Elf_Scn *scn = NULL;
	Elf *elf;
	FILE *f;

	(void)state;
	elf_version(EV_CURRENT);
	assert_non_null(elf = elf_memory((char *)junk, sizeof(junk)));
	assert_int_equal(unwind_table_build(elf, &t), -1);
	assert_null(t.rows);
	elf_end(elf);
	assert_non_null(f = fopen("/proc/self/exe", "rb"));
	fseek(f, 0, SEEK_END);
	size = (size_t)ftell(f);
	rewind(f);
	assert_non_null(copy = malloc(size));
	assert_int_equal(fread(copy, 1, size, f), size);
	fclose(f);
	/* the instructions of every CIE and FDE overwritten by a byte pattern */
	assert_non_null(elf = elf_memory((char *)copy, size));
	assert_int_equal(elf_getshdrstrndx(elf, &shstrndx), 0);
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		const char *name;

		if (gelf_getshdr(scn, &sh) && (name = elf_strptr(elf, shstrndx, sh.sh_name)) &&
		    !strcmp(name, ".eh_frame"))
			for (i = 16; i < sh.sh_size; i++)
				copy[sh.sh_offset + i] = (unsigned char)(i * 37);
	}
	elf_end(elf);
	assert_non_null(elf = elf_memory((char *)copy, size));
	if (!unwind_table_build(elf, &t)) {
		for (i = 1; i < t.n; i++)
			assert_true(t.rows[i].pc > t.rows[i - 1].pc);
		unwind_table_free(&t);
	}
	elf_end(elf);
	free(copy);
}


/* ---- the FDE reader against libdw's interpreter ---- */

/* Both builds of path's table: the same rows, row for row. */
static void compare_with_libdw(const char *path)
{
	struct unwind_table a, b;
	Elf *elf;
	size_t i;
	int fd;

	if (!(elf = open_elf(path, &fd))) {
		print_message("skipped %s: not here\n", path);
		return;
	}
	assert_int_equal(unwind_table_build(elf, &a), 0);
	assert_int_equal(unwind_table_build_libdw(elf, &b), 0);
	assert_int_equal(a.nfuncs, b.nfuncs);
	for (i = 0; i < a.n && i < b.n; i++) {
		if (memcmp(&a.rows[i], &b.rows[i], sizeof(a.rows[i])))
			print_message("%s: row %zu: pc %#x rule %u off %u rbp %d, libdw: pc %#x rule %u "
				      "off %u rbp %d\n",
				      path, i, a.rows[i].pc, a.rows[i].cfa_rule, a.rows[i].cfa_off,
				      a.rows[i].rbp_off, b.rows[i].pc, b.rows[i].cfa_rule,
				      b.rows[i].cfa_off, b.rows[i].rbp_off);
		assert_memory_equal(&a.rows[i], &b.rows[i], sizeof(a.rows[i]));
	}
	assert_int_equal(a.n, b.n);
	assert_int_equal(a.unsupported, b.unsupported);
	assert_string_equal(a.source, b.source);
	unwind_table_free(&a);
	unwind_table_free(&b);
	elf_end(elf);
	close(fd);
}

/* A limit on the rows: at the table's own size it is the same table; one
 * row less, or fewer rows than it has functions, and it is given up with
 * E2BIG (the caller's pool could not hold it) */
static void test_max_rows(void **state)
{
	struct unwind_table full, t;
	bool no = false;
	Elf *elf;
	int fd;

	(void)state;
	if (!(elf = open_elf("/proc/self/exe", &fd)))
		skip();
	assert_int_equal(unwind_table_build(elf, &full), 0);
	assert_true(full.n > full.nfuncs && full.nfuncs > 10);
	/* a compiler whose tables are sparser than the size check assumes
	 * (fewer rows a byte of .eh_frame) has it given up by size: that
	 * check, not this one, is then what runs */
	if ((double)full.n < (double)cfi_section_size(elf, false) * 0.12) {
		unwind_table_free(&full);
		elf_end(elf);
		close(fd);
		skip();
	}
	assert_int_equal(unwind_table_build_cancel(elf, &t, &no, full.n), 0);
	assert_int_equal(t.n, full.n);
	assert_memory_equal(t.rows, full.rows, full.n * sizeof(*full.rows));
	assert_false(t.over);
	unwind_table_free(&t);
	errno = 0;
	assert_int_equal(unwind_table_build_cancel(elf, &t, &no, full.n - 1), -1);
	assert_int_equal(errno, E2BIG);
	assert_null(t.rows);
	errno = 0;
	assert_int_equal(unwind_table_build_cancel(elf, &t, &no, full.nfuncs / 2), -1);
	assert_int_equal(errno, E2BIG);
	assert_int_equal(t.n, 0);
	unwind_table_free(&full);
	elf_end(elf);
	close(fd);
}

/* The build's cap leaves room for the index: a table within it always fits
 * the pool with its index, and one whose rows and index do not fit is
 * over it (given up while built, not after). */
static void test_rows_within(void **state)
{
	struct pp_unwind_index *idx;
	struct unwind_table full;
	uint32_t nb, base;
	uint8_t shift;
	size_t r, n;
	Elf *elf;
	int fd;

	(void)state;
	for (r = 0; r < 5000; r++) { /* the largest that fits by the bound */
		n = unwind_rows_within(r);
		assert_true(n + (n + 3) / 4 <= r);
		assert_true(n + 1 + (n + 4) / 4 > r);
	}
	assert_int_equal(unwind_rows_within(524288), 419430);
	if (!(elf = open_elf("/proc/self/exe", &fd)))
		skip();
	assert_int_equal(unwind_table_build(elf, &full), 0);
	assert_int_equal(unwind_index_build(&full, &idx, &nb, &base, &shift), 0);
	assert_true(nb <= (full.n + 3) / 4);
	/* a pool one row short of the table and its index: over the cap */
	assert_true(unwind_rows_within(full.n + nb - 1) < full.n);
	/* a pool the bound says it fits: within, and it does fit */
	r = full.n + (full.n + 3) / 4;
	assert_true(unwind_rows_within(r) >= full.n);
	assert_true(full.n + nb <= r);
	free(idx);
	unwind_table_free(&full);
	elf_end(elf);
	close(fd);
}

static void test_same_rows_as_libdw(void **state)
{
	static const char *const paths[] = {
		"/proc/self/exe",
		"/usr/bin/bash",
		"/usr/bin/ls",
		"/lib/x86_64-linux-gnu/libc.so.6",
		"/lib64/ld-linux-x86-64.so.2",
		"/lib/x86_64-linux-gnu/libm.so.6",
		"/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
		"/usr/lib/x86_64-linux-gnu/libdw.so.1",
		"/usr/lib/x86_64-linux-gnu/libcrypto.so.3",
		"/usr/bin/redis-server",
		"/usr/lib/gcc/x86_64-linux-gnu/12/cc1",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		compare_with_libdw(paths[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#if defined(__x86_64__)
		cmocka_unit_test(test_row_against_known_frame),
		cmocka_unit_test(test_own_function_entries),
		cmocka_unit_test(test_libc_rows),
		cmocka_unit_test(test_index),
		cmocka_unit_test(test_walk_to_main),
		cmocka_unit_test(test_walk_from_signal_handler),
		cmocka_unit_test(test_max_rows),
		cmocka_unit_test(test_rows_within),
		cmocka_unit_test(test_same_rows_as_libdw),
#endif
		cmocka_unit_test(test_bad_input),
	};

#if defined(__x86_64__)
	return cmocka_run_group_tests_name("unwind table", tests, load_mods, free_mods);
#else
	return cmocka_run_group_tests_name("unwind table", tests, NULL, NULL);
#endif
}
