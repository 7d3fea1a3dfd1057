// SPDX-License-Identifier: GPL-2.0
/* One ELF file's segments, build ID, symbols and debug file (elf.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "symbols/demangle.h"
#include "symbols/ehframe.h"
#include "symbols/elf.h"

int elf_offset_to_vaddr(const struct load_seg *segs, size_t n, uint64_t off, uint64_t *vaddr)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (off >= segs[i].offset && off < segs[i].offset + segs[i].filesz) {
			*vaddr = off - segs[i].offset + segs[i].vaddr;
			return 0;
		}
	}
	return -1;
}

static int cmp_sym(const void *a, const void *b)
{
	const struct elf_sym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->size > y->size ? -1 : x->size < y->size; /* sized ones first */
}

static unsigned int name_fds; /* kept open for names, all files told (ELF_NAME_FDS_MAX) */

/* The string table a symbol table at section sh links to, to read its names
 * from the file fd later: its index in f->strtabs, or -1 to read them now
 * (a small table, no room for another, or no descriptor left). */
static int lazy_strtab(struct elf_file *f, Elf *elf, const GElf_Shdr *sh, int fd)
{
	Elf_Scn *str = elf_getscn(elf, sh->sh_link);
	GElf_Shdr ss;
	size_t i;
	int kept = -1;

	if (!f->names_lazy || fd < 0 || f->nstrtabs == ELF_STRTABS_MAX || !str ||
	    !gelf_getshdr(str, &ss) || ss.sh_type != SHT_STRTAB || ss.sh_size < f->names_lazy)
		return -1;
	for (i = 0; i < f->nfds; i++) { /* fd already kept: the same file */
		struct stat a, b;

		if (!fstat(f->fds[i], &a) && !fstat(fd, &b) && a.st_dev == b.st_dev &&
		    a.st_ino == b.st_ino)
			kept = f->fds[i];
	}
	if (kept < 0) {
		if (f->nfds == 2)
			return -1;
		if (__atomic_add_fetch(&name_fds, 1, __ATOMIC_RELAXED) > ELF_NAME_FDS_MAX) {
			__atomic_sub_fetch(&name_fds, 1, __ATOMIC_RELAXED);
			return -1;
		}
		if ((kept = fcntl(fd, F_DUPFD_CLOEXEC, 0)) < 0) {
			__atomic_sub_fetch(&name_fds, 1, __ATOMIC_RELAXED);
			return -1;
		}
		f->fds[f->nfds++] = kept;
	}
	f->strtabs[f->nstrtabs] = (struct elf_strtab){ ss.sh_offset, ss.sh_size, kept };
	return (int)f->nstrtabs++;
}

/* Add the function symbols of a symbol table section (of the file open at
 * fd, or -1); returns how many, or -1 on no memory. */
static long add_symbols(struct elf_file *f, Elf *elf, Elf_Scn *scn, GElf_Shdr *sh, int fd)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	struct elf_sym *ns;
	size_t i, n, before = f->nsyms;
	int lazy;

	if (!d || !sh->sh_entsize)
		return 0;
	n = sh->sh_size / sh->sh_entsize;
	ns = realloc(f->syms, (f->nsyms + n + 1) * sizeof(*ns));
	if (!ns)
		return -1;
	f->syms = ns;
	lazy = lazy_strtab(f, elf, sh, fd);
	for (i = 0; i < n; i++) {
		GElf_Sym s;
		const char *name;
		int type;

		if (!gelf_getsym(d, (int)i, &s))
			continue;
		type = GELF_ST_TYPE(s.st_info);
		if ((type != STT_FUNC && type != STT_GNU_IFUNC) || s.st_shndx == SHN_UNDEF || !s.st_value)
			continue;
		/* with the names read later, the string table is not touched
		 * now (a C++ library's is megabytes): a name at offset 0 is
		 * the empty one */
		name = lazy >= 0 ? "" : elf_strptr(elf, sh->sh_link, s.st_name);
		if (lazy >= 0 ? !s.st_name : !name || !*name)
			continue;
		ns[f->nsyms] = (struct elf_sym){ .addr = s.st_value,
						 .size = s.st_size > UINT32_MAX ? UINT32_MAX
										 : (uint32_t)s.st_size };
		if (lazy >= 0) {
			ns[f->nsyms].name_off = s.st_name;
			ns[f->nsyms].strtab = (uint8_t)lazy;
		} else {
			ns[f->nsyms].named = 1;
			if (!(ns[f->nsyms].name = strpool_add(&f->names, name)))
				return -1;
		}
		f->nsyms++;
	}
	return (long)(f->nsyms - before);
}

/* A name not read with the symbols: from its string table in the file, up
 * to its '\0' (which the table must hold). NULL when it cannot be read. */
static char *read_name(struct elf_file *f, const struct elf_sym *s)
{
	const struct elf_strtab *t = &f->strtabs[s->strtab];
	size_t len = 0, cap = 0, left;
	char *buf = NULL, *out = NULL, *nul;

	if (s->strtab >= f->nstrtabs || s->name_off >= t->size)
		return NULL;
	left = t->size - s->name_off;
	while (left) {
		size_t want = left < 256 ? left : 256;
		ssize_t r;

		if (len + want > cap) {
			size_t ncap = cap ? 2 * cap : 256;
			char *g;

			while (ncap < len + want)
				ncap *= 2;
			if (!(g = realloc(buf, ncap)))
				break;
			buf = g;
			cap = ncap;
		}
		r = pread(t->fd, buf + len, want, (off_t)(t->off + s->name_off + len));
		if (r <= 0)
			break;
		if ((nul = memchr(buf + len, '\0', (size_t)r)) != NULL) {
			out = strpool_addn(&f->names, buf, (size_t)(nul - buf));
			break;
		}
		len += (size_t)r;
		left -= (size_t)r;
	}
	free(buf);
	return out;
}

/* An opened ELF file; elf_end and close when done. */
struct elf_handle {
	int fd;
	Elf *elf;
};

/* The ELF open at fd (which stays the caller's). -1 (errno) if it is none. */
static Elf *elf_of_fd(int fd)
{
	Elf *elf;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return NULL;
	/* mapped, not read: the sections are used where they lie (reading
	 * copied the symbol and string tables and .eh_frame into the heap) */
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		if (elf)
			elf_end(elf);
		errno = ENOEXEC;
		return NULL;
	}
	return elf;
}

static int elf_handle_open(struct elf_handle *h, const char *path)
{
	h->elf = NULL;
	h->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (h->fd < 0)
		return -1;
	if (!(h->elf = elf_of_fd(h->fd))) {
		int e = errno;

		close(h->fd);
		errno = e;
		return -1;
	}
	return 0;
}

static void elf_handle_close(struct elf_handle *h)
{
	elf_end(h->elf);
	close(h->fd);
}

static bool elf_big_endian(Elf *elf)
{
	const char *id = elf_getident(elf, NULL);

	return id && id[EI_DATA] == ELFDATA2MSB;
}

/* The hex build ID from the ELF's note sections, "" when it has none. */
static void read_build_id(Elf *elf, char *hex, size_t len)
{
	Elf_Scn *scn = NULL;

	hex[0] = '\0';
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		d = elf_rawdata(scn, NULL);
		if (d && d->d_buf && !note_build_id(d->d_buf, d->d_size, sh.sh_addralign,
						     elf_big_endian(elf), hex, len))
			return;
	}
	hex[0] = '\0';
}

/* The section named name, or NULL. */
static Elf_Scn *section_named(Elf *elf, const char *name)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		const char *n;

		if (gelf_getshdr(scn, &sh) && (n = elf_strptr(elf, shstrndx, sh.sh_name)) &&
		    !strcmp(n, name))
			return scn;
	}
	return NULL;
}

/* Add the symbols of every table of the given type; how many, or -1. */
static long add_tables(struct elf_file *f, Elf *elf, Elf64_Word type, int fd)
{
	Elf_Scn *scn = NULL;
	long n = 0, r;

	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != type)
			continue;
		if ((r = add_symbols(f, elf, scn, &sh, fd)) < 0)
			return -1;
		n += r;
	}
	return n;
}

/*
 * Whether the debug file at path belongs to f: the same build ID, or (for a
 * debuglink) the CRC32 the binary recorded. 1 if it does and its .symtab
 * was added, 0 if not (why in *mismatch), -1 on no memory.
 */
static int try_debug_file(struct elf_file *f, const char *path, const uint32_t *crc,
			  bool *mismatch)
{
	char id[BUILD_ID_HEX];
	struct elf_handle h;
	uint32_t c;
	long n;
	bool match;

	if (elf_handle_open(&h, path))
		return 0;
	read_build_id(h.elf, id, sizeof(id));
	if (*f->build_id && *id)
		match = !strcmp(id, f->build_id);
	else
		match = crc && !debug_file_crc32(h.fd, &c) && c == *crc;
	if (!match) {
		*mismatch = true;
		elf_handle_close(&h);
		return 0;
	}
	n = add_tables(f, h.elf, SHT_SYMTAB, h.fd);
	elf_handle_close(&h);
	if (n < 0)
		return -1;
	if (!n) {
		*mismatch = true; /* a debug file without symbols */
		return 0;
	}
	return (f->debug_path = strdup(path)) ? 1 : -1;
}

static int set_why(struct elf_file *f, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&f->why, fmt, ap);
	va_end(ap);
	if (r < 0)
		f->why = NULL;
	return r < 0 ? -1 : 0;
}

#define DEBUG_HINT "install its -dbgsym package or pass --debug-dir"

/* A candidate debug file under the process's root, then (for a process in
 * another mount namespace) on the host: --debug-dir names host paths, and a
 * matching build ID or CRC makes either right. */
static int try_debug_path(struct elf_file *f, const struct debug_search *ds, const char *path,
			  const uint32_t *crc, bool *mismatch)
{
	char full[2 * DEBUGLINK_PATH_MAX];
	int r;

	snprintf(full, sizeof(full), "%s%s", ds->root, path);
	r = try_debug_file(f, full, crc, mismatch);
	if (!r && *ds->root)
		r = try_debug_file(f, path, crc, mismatch);
	return r;
}

/* A stripped ELF: its symbols from a separate debug file, looked up by
 * build ID then by .gnu_debuglink. 0, or -1 on no memory. */
static int find_debug_file(struct elf_file *f, Elf *elf, const struct debug_search *ds)
{
	char link[256], (*cand)[DEBUGLINK_PATH_MAX];
	bool mismatch = false, have_link = false;
	Elf_Scn *scn;
	Elf_Data *d;
	uint32_t crc = 0;
	size_t i, n;
	int r;

	for (i = 0; *f->build_id && i < ds->ndirs; i++) {
		char rel[DEBUGLINK_PATH_MAX];

		if (build_id_path(ds->dirs[i], f->build_id, rel, sizeof(rel)))
			continue;
		if ((r = try_debug_path(f, ds, rel, NULL, &mismatch)) != 0)
			return r < 0 ? -1 : 0;
	}
	scn = section_named(elf, ".gnu_debuglink");
	d = scn ? elf_rawdata(scn, NULL) : NULL;
	if (d && d->d_buf && !debuglink_parse(d->d_buf, d->d_size, elf_big_endian(elf), link,
					      sizeof(link), &crc)) {
		have_link = true;
		n = ds->ndirs + 2;
		if (!(cand = calloc(n, sizeof(*cand))))
			return -1;
		n = debuglink_paths(ds->dirs, ds->ndirs, ds->path, link, cand, n);
		for (i = 0, r = 0; i < n && !r; i++)
			r = try_debug_path(f, ds, cand[i], &crc, &mismatch);
		free(cand);
		if (r)
			return r < 0 ? -1 : 0;
	}
	if (mismatch)
		return set_why(f, "stripped, and its debug file does not match it (build ID or CRC)");
	/* Debian names debug links after the build ID: say it once */
	if (have_link && (!*f->build_id || strncmp(link, f->build_id + 2, strlen(f->build_id) - 2)))
		return set_why(f, "stripped, debug file %s not found: " DEBUG_HINT, link);
	if (*f->build_id)
		return set_why(f, "stripped, no debug file found for build ID %s: " DEBUG_HINT,
			       f->build_id);
	return set_why(f, "stripped, no debug file found: " DEBUG_HINT);
}

/* Segments, build ID and symbols of an opened ELF (at path, or in memory
 * when path is NULL); its debug file's too when ds is given. */
static int cmp_cfi(const void *a, const void *b)
{
	const struct elf_cfi_fn *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return x->len > y->len ? -1 : x->len < y->len; /* sized ones first */
}

/*
 * The functions of .eh_frame from .eh_frame_hdr's table of their starts,
 * each up to the next one's start (the last, to the end of its segment):
 * no FDE parsed (its instructions checked), which for a large stripped
 * binary was most of the time reading its symbols took. 0, or -1 (no
 * such table: read .eh_frame itself).
 */
static int cfi_starts(const struct elf_file *f, Elf *elf, struct eh_func **out, size_t *n)
{
	uint64_t *st, end = 0;
	size_t ns, i, k = 0;

	if (ehframe_hdr_starts(elf, &st, &ns))
		return -1;
	if (!ns || !(*out = malloc(ns * sizeof(**out)))) {
		free(st);
		*out = NULL;
		*n = 0;
		return ns ? -1 : 0;
	}
	for (i = 0; i < f->nsegs; i++) /* the segment of the last start */
		if (st[ns - 1] >= f->segs[i].vaddr &&
		    st[ns - 1] < f->segs[i].vaddr + f->segs[i].filesz)
			end = f->segs[i].vaddr + f->segs[i].filesz;
	for (i = 0; i < ns; i++) {
		uint64_t hi = i + 1 < ns ? st[i + 1] : end;

		if (hi > st[i]) /* not empty, nor out of order */
			(*out)[k++] = (struct eh_func){ st[i], hi };
	}
	free(st);
	*n = k;
	return 0;
}

/*
 * Name the functions that .eh_frame describes and no symbol covers:
 * "LABEL+0xSTART", START being where the function begins (its FDE's initial
 * location), so that all its samples share one frame. Kept apart from the
 * symbols, 8 bytes each (f->cfi); f->syms must be sorted. -1 on no memory.
 */
static int name_cfi_functions(struct elf_file *f, Elf *elf)
{
	struct elf_file sorted = *f; /* the symbols only */
	struct eh_func *fn;
	size_t i, nfn;
	uint64_t lo = UINT64_MAX;
	int rc = 0;

	if (cfi_starts(f, elf, &fn, &nfn) && ehframe_functions(elf, &fn, &nfn))
		return 0; /* no .eh_frame: nothing more to name */
	sorted.ncfi = 0;
	for (i = 0; i < nfn; i++)
		if (fn[i].lo < lo)
			lo = fn[i].lo;
	if (nfn && !(f->cfi = malloc(nfn * sizeof(*f->cfi))))
		rc = -1;
	if (nfn && !rc && !(f->cfi_base = strpool_add(&f->names, f->cfi_label)))
		rc = -1;
	f->cfi_addr0 = lo;
	for (i = 0; i < nfn && !rc; i++) {
		uint64_t len = fn[i].hi - fn[i].lo;

		/* beyond 4 GiB of the first (no real file): not named */
		if (fn[i].lo - lo > UINT32_MAX || elf_file_find(&sorted, fn[i].lo))
			continue;
		/* named when a sample lands in it: most never are */
		f->cfi[f->ncfi++] = (struct elf_cfi_fn){ (uint32_t)(fn[i].lo - lo),
							 len > UINT32_MAX ? UINT32_MAX
									  : (uint32_t)len };
	}
	free(fn);
	if (!f->ncfi) {
		free(f->cfi);
		f->cfi = NULL;
	} else if (f->ncfi < nfn) { /* give back the room symbols made unneeded */
		struct elf_cfi_fn *g = realloc(f->cfi, f->ncfi * sizeof(*g));

		if (g)
			f->cfi = g;
	}
	if (f->ncfi)
		qsort(f->cfi, f->ncfi, sizeof(*f->cfi), cmp_cfi);
	return rc;
}

static int elf_file_read(struct elf_file *f, Elf *elf, int fd, const char *path,
			 const struct debug_search *ds)
{
	size_t i, nph;
	long n;

	if (elf_getphdrnum(elf, &nph)) {
		f->err = ENOEXEC;
		return -1;
	}
	f->err = ENOMEM;
	for (i = 0; i < nph; i++) {
		GElf_Phdr ph;
		struct load_seg *ns;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		ns = realloc(f->segs, (f->nsegs + 1) * sizeof(*ns));
		if (!ns)
			return -1;
		f->segs = ns;
		ns[f->nsegs++] = (struct load_seg){ ph.p_offset, ph.p_vaddr, ph.p_filesz };
	}
	read_build_id(elf, f->build_id, sizeof(f->build_id));
	if ((n = add_tables(f, elf, SHT_SYMTAB, fd)) < 0)
		return -1;
	f->full = n > 0;
	if (add_tables(f, elf, SHT_DYNSYM, fd) < 0)
		return -1;
	if (!f->full && ds && path) {
		if (find_debug_file(f, elf, ds))
			return -1;
		f->full = f->debug_path != NULL;
	}
	if (ds && path && ds->dwarf_left && *ds->dwarf_left) {
		Elf_Scn *di = section_named(elf, ".debug_info");
		GElf_Shdr sh;

		if (di && gelf_getshdr(di, &sh) && sh.sh_type != SHT_NOBITS)
			f->inl = inlines_open(path);
		else if (f->debug_path)
			f->inl = inlines_open(f->debug_path);
		*ds->dwarf_left -= f->inl != NULL;
	}
	if (f->nsyms) {
		/* add_symbols made room for every entry of the tables, functions or not */
		struct elf_sym *ns = realloc(f->syms, f->nsyms * sizeof(*ns));

		if (ns)
			f->syms = ns;
		qsort(f->syms, f->nsyms, sizeof(*f->syms), cmp_sym);
	}
	if (f->cfi_label && name_cfi_functions(f, elf))
		return -1;
	f->ok = true;
	f->err = 0;
	return 0;
}

int elf_file_open(struct elf_file *f, const char *path, const struct debug_search *ds)
{
	struct elf_handle h;
	int rc;

	if (elf_handle_open(&h, path)) {
		f->err = errno;
		return -1;
	}
	rc = elf_file_read(f, h.elf, h.fd, path, ds);
	elf_handle_close(&h);
	return rc;
}

static unsigned int defer_fds; /* held by deferred files, all files told */

int elf_file_defer(struct elf_file *f, int fd, const char *path)
{
	if (__atomic_add_fetch(&defer_fds, 1, __ATOMIC_RELAXED) > ELF_DEFER_FDS_MAX) {
		__atomic_sub_fetch(&defer_fds, 1, __ATOMIC_RELAXED);
		return -1;
	}
	f->deferred = true;
	f->deferred_fd = fd;
	f->deferred_path = path;
	return 0;
}

static void undefer(struct elf_file *f)
{
	if (!f->deferred)
		return;
	close(f->deferred_fd);
	__atomic_sub_fetch(&defer_fds, 1, __ATOMIC_RELAXED);
	f->deferred = false;
	f->deferred_fd = -1;
}

int elf_file_read_deferred(struct elf_file *f, const struct debug_search *ds)
{
	const char *path = f->deferred_path;
	Elf *elf;
	int rc = -1;

	if (!f->deferred)
		return f->ok ? 0 : -1;
	if (!(elf = elf_of_fd(f->deferred_fd)))
		f->err = errno;
	else {
		rc = elf_file_read(f, elf, f->deferred_fd, path, ds);
		elf_end(elf);
	}
	undefer(f); /* lazy names keep a descriptor of their own */
	return rc;
}

int elf_file_load(struct elf_file *f, const char *path)
{
	return elf_file_open(f, path, NULL);
}

int elf_file_memory(struct elf_file *f, void *image, size_t size)
{
	Elf *elf;
	int rc;

	if (elf_version(EV_CURRENT) == EV_NONE || !(elf = elf_memory(image, size)))
		return -1;
	rc = elf_kind(elf) == ELF_K_ELF ? elf_file_read(f, elf, -1, NULL, NULL) : -1;
	elf_end(elf);
	return rc;
}

/* The symbol made for f->cfi[idx] (made now if not yet), or NULL. */
static struct elf_sym *cfi_sym(struct elf_file *f, size_t idx)
{
	size_t lo = 0, hi = f->ncfi_syms;
	struct elf_sym *s;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (f->cfi_syms[mid].idx < idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < f->ncfi_syms && f->cfi_syms[lo].idx == idx)
		return f->cfi_syms[lo].sym;
	if (f->ncfi_syms == f->capcfi_syms) {
		size_t cap = f->capcfi_syms ? 2 * f->capcfi_syms : 16;
		struct elf_cfi_sym *g = realloc(f->cfi_syms, cap * sizeof(*g));

		if (!g)
			return NULL;
		f->cfi_syms = g;
		f->capcfi_syms = cap;
	}
	if (!(s = calloc(1, sizeof(*s))))
		return NULL;
	*s = (struct elf_sym){ .addr = f->cfi_addr0 + f->cfi[idx].lo,
			       .size = f->cfi[idx].len,
			       .demangled = true,
			       .from_cfi = true };
	memmove(&f->cfi_syms[lo + 1], &f->cfi_syms[lo], (f->ncfi_syms - lo) * sizeof(*f->cfi_syms));
	f->cfi_syms[lo] = (struct elf_cfi_sym){ (uint32_t)idx, s };
	f->ncfi_syms++;
	return s;
}

const struct elf_sym *elf_file_find(const struct elf_file *f, uint64_t vaddr)
{
	const struct elf_sym *s = NULL;
	size_t lo, hi;

	if (f->nsyms && vaddr >= f->syms[0].addr) {
		lo = 0;
		hi = f->nsyms;
		while (hi - lo > 1) {
			size_t mid = lo + (hi - lo) / 2;

			if (f->syms[mid].addr <= vaddr)
				lo = mid;
			else
				hi = mid;
		}
		/* the first of the symbols at that address: the sized one */
		while (lo > 0 && f->syms[lo - 1].addr == f->syms[lo].addr)
			lo--;
		s = &f->syms[lo];
	}
	/* a function only .eh_frame knows that starts after that symbol */
	if (f->ncfi && vaddr >= f->cfi_addr0 && vaddr - f->cfi_addr0 >= f->cfi[0].lo) {
		uint64_t off = vaddr - f->cfi_addr0;
		const struct elf_cfi_fn *c;

		lo = 0;
		hi = f->ncfi;
		while (hi - lo > 1) {
			size_t mid = lo + (hi - lo) / 2;

			if (f->cfi[mid].lo <= off)
				lo = mid;
			else
				hi = mid;
		}
		while (lo > 0 && f->cfi[lo - 1].lo == f->cfi[lo].lo)
			lo--;
		c = &f->cfi[lo];
		if (!s || f->cfi_addr0 + c->lo > s->addr) {
			if (c->len && off >= (uint64_t)c->lo + c->len)
				return NULL;
			/* a cache of the names asked for: f is const to its callers */
			return cfi_sym((struct elf_file *)f, lo);
		}
	}
	if (s && s->size && vaddr >= s->addr + s->size)
		return NULL;
	return s;
}

const char *elf_sym_name(struct elf_file *f, struct elf_sym *s)
{
	if (s->from_cfi && !s->name && f->cfi_base) {
		char name[300];

		snprintf(name, sizeof(name), "%s+0x%llx", f->cfi_base, (unsigned long long)s->addr);
		s->name = strpool_add(&f->names, name);
		s->named = 1;
	} else if (!s->named && !s->from_cfi) {
		char *name = read_name(f, s);

		s->name = name; /* NULL: unreadable (none), not tried again */
		s->named = 1;
	}
	if (s->name && !s->demangled) {
		char *d = demangle(s->name);

		s->demangled = true;
		if (d) {
			char *kept = strpool_add(&f->names, d);

			free(d);
			if (kept)
				s->name = kept;
		}
	}
	return s->name;
}

size_t elf_file_bytes(const struct elf_file *f)
{
	return sizeof(*f) + f->nsyms * sizeof(*f->syms) + f->names.bytes + f->nsegs * sizeof(*f->segs) +
	       f->ncfi * sizeof(*f->cfi) +
	       f->ncfi_syms * (sizeof(*f->cfi_syms) + sizeof(struct elf_sym));
}

void elf_file_free(struct elf_file *f)
{
	size_t i;

	undefer(f);
	for (i = 0; i < f->nfds; i++) {
		close(f->fds[i]);
		__atomic_sub_fetch(&name_fds, 1, __ATOMIC_RELAXED);
	}
	for (i = 0; i < f->ncfi_syms; i++)
		free(f->cfi_syms[i].sym);
	free(f->cfi_syms);
	free(f->cfi);
	strpool_free(&f->names);
	free(f->syms);
	free(f->segs);
	free(f->debug_path);
	free(f->why);
	inlines_close(f->inl);
	memset(f, 0, sizeof(*f));
}

