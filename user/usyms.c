// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "demangle.h"
#include "usyms.h"

#define DEFAULT_DEBUG_DIR "/usr/lib/debug"

int maps_parse_line(const char *line, struct map_entry *e)
{
	char perms[8];
	unsigned long long start, end, off, inode;
	unsigned int maj, min;
	int pos = 0;
	size_t len;
	const char *p;

	memset(e, 0, sizeof(*e));
	if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu%n", &start, &end, perms, &off, &maj, &min,
		   &inode, &pos) != 7 || end <= start || strlen(perms) != 4)
		return -1;
	e->start = start;
	e->end = end;
	e->offset = off;
	e->dev_major = maj;
	e->dev_minor = min;
	e->inode = inode;
	e->exec = perms[2] == 'x';
	p = line + pos;
	while (*p == ' ' || *p == '\t')
		p++;
	len = strcspn(p, "\n");
	if (len >= sizeof(e->path))
		len = sizeof(e->path) - 1;
	memcpy(e->path, p, len);
	e->path[len] = '\0';
	len = strlen(e->path);
	if (len > 10 && !strcmp(e->path + len - 10, " (deleted)")) {
		e->path[len - 10] = '\0';
		e->deleted = true;
	}
	return 0;
}

bool map_entry_same_file(const struct map_entry *e, dev_t dev, ino_t ino)
{
	return major(dev) == e->dev_major && minor(dev) == e->dev_minor && ino == e->inode;
}

void map_files_path(uint32_t pid, const struct map_entry *e, char *buf, size_t len)
{
	snprintf(buf, len, "/proc/%u/map_files/%" PRIx64 "-%" PRIx64, pid, e->start, e->end);
}

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

/* Add the function symbols of a symbol table section; returns how many, or
 * -1 on no memory. */
static long add_symbols(struct elf_file *f, Elf *elf, Elf_Scn *scn, GElf_Shdr *sh)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	struct elf_sym *ns;
	size_t i, n, before = f->nsyms;

	if (!d || !sh->sh_entsize)
		return 0;
	n = sh->sh_size / sh->sh_entsize;
	ns = realloc(f->syms, (f->nsyms + n + 1) * sizeof(*ns));
	if (!ns)
		return -1;
	f->syms = ns;
	for (i = 0; i < n; i++) {
		GElf_Sym s;
		const char *name;
		int type;

		if (!gelf_getsym(d, (int)i, &s))
			continue;
		type = GELF_ST_TYPE(s.st_info);
		if ((type != STT_FUNC && type != STT_GNU_IFUNC) || s.st_shndx == SHN_UNDEF || !s.st_value)
			continue;
		name = elf_strptr(elf, sh->sh_link, s.st_name);
		if (!name || !*name)
			continue;
		ns[f->nsyms] = (struct elf_sym){ s.st_value, s.st_size, strdup(name), false };
		if (!ns[f->nsyms].name)
			return -1;
		f->nsyms++;
	}
	return (long)(f->nsyms - before);
}

/* An opened ELF file; elf_end and close when done. */
struct elf_handle {
	int fd;
	Elf *elf;
};

static int elf_handle_open(struct elf_handle *h, const char *path)
{
	h->elf = NULL;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -1;
	h->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (h->fd < 0)
		return -1;
	h->elf = elf_begin(h->fd, ELF_C_READ, NULL);
	if (!h->elf || elf_kind(h->elf) != ELF_K_ELF) {
		if (h->elf)
			elf_end(h->elf);
		close(h->fd);
		errno = ENOEXEC;
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
static long add_tables(struct elf_file *f, Elf *elf, Elf64_Word type)
{
	Elf_Scn *scn = NULL;
	long n = 0, r;

	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != type)
			continue;
		if ((r = add_symbols(f, elf, scn, &sh)) < 0)
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
	n = add_tables(f, h.elf, SHT_SYMTAB);
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
	char full[DEBUGLINK_PATH_MAX + USYM_PATH_MAX];
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
static int elf_file_read(struct elf_file *f, Elf *elf, const char *path,
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
	if ((n = add_tables(f, elf, SHT_SYMTAB)) < 0)
		return -1;
	f->full = n > 0;
	if (add_tables(f, elf, SHT_DYNSYM) < 0)
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
	if (f->nsyms)
		qsort(f->syms, f->nsyms, sizeof(*f->syms), cmp_sym);
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
	rc = elf_file_read(f, h.elf, path, ds);
	elf_handle_close(&h);
	return rc;
}

int elf_file_load(struct elf_file *f, const char *path)
{
	return elf_file_open(f, path, NULL);
}

const struct elf_sym *elf_file_find(const struct elf_file *f, uint64_t vaddr)
{
	size_t lo = 0, hi = f->nsyms;
	const struct elf_sym *s;

	if (!f->nsyms || vaddr < f->syms[0].addr)
		return NULL;
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
	if (s->size && vaddr >= s->addr + s->size)
		return NULL;
	return s;
}

void elf_file_free(struct elf_file *f)
{
	size_t i;

	for (i = 0; i < f->nsyms; i++)
		free(f->syms[i].name);
	free(f->syms);
	free(f->segs);
	free(f->debug_path);
	free(f->why);
	inlines_close(f->inl);
	memset(f, 0, sizeof(*f));
}

static int add_debug_dir(struct usyms *u, const char *d, size_t n)
{
	char **nd;
	size_t i;

	for (i = 0; i < u->ndirs; i++)
		if (strlen(u->dirs[i]) == n && !strncmp(u->dirs[i], d, n))
			return 0;
	nd = realloc(u->dirs, (u->ndirs + 1) * sizeof(*nd));
	if (!nd)
		return -1;
	u->dirs = nd;
	if (!(u->dirs[u->ndirs] = strndup(d, n)))
		return -1;
	u->ndirs++;
	return 0;
}

int usyms_set_debug_dirs(struct usyms *u, const char *list)
{
	const char *p = list ? list : "";
	size_t i;

	for (i = 0; i < u->ndirs; i++)
		free(u->dirs[i]);
	free(u->dirs);
	u->dirs = NULL;
	u->ndirs = 0;
	while (*p) {
		size_t n = strcspn(p, ":");

		if (n && add_debug_dir(u, p, n))
			return -1;
		p += n + (p[n] == ':');
	}
	return add_debug_dir(u, DEFAULT_DEBUG_DIR, strlen(DEFAULT_DEBUG_DIR));
}

/* Remember one problem line (distinct ones, at most USYMS_PROBLEMS_MAX). */
static void note_problem(struct usyms *u, const char *fmt, ...)
{
	va_list ap;
	char *m;
	size_t i;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&m, fmt, ap);
	va_end(ap);
	if (r < 0)
		return;
	for (i = 0; i < u->nproblems; i++) {
		if (!strcmp(u->problems[i], m)) {
			free(m);
			return;
		}
	}
	if (u->nproblems == USYMS_PROBLEMS_MAX) {
		u->more_problems++;
		free(m);
		return;
	}
	u->problems[u->nproblems++] = m;
}

/* Whether a process's root directory is the host's. */
static bool same_root(const char *root)
{
	struct stat a, b;

	return !stat(root, &a) && !stat("/", &b) && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/*
 * The ELF file of a mapping, loaded once per device and inode: through
 * /proc/PID/root/PATH when that is still the mapped file, else (deleted or
 * replaced since) through /proc/PID/map_files. NULL, with e->err, when it
 * cannot be read.
 */
static struct elf_file *elf_for(struct usyms *u, uint32_t pid, struct map_entry *e)
{
	char root[64], full[USYM_PATH_MAX + 64], mf[96];
	const char *use = NULL;
	struct debug_search ds;
	struct elf_file *f, **nf;
	size_t i, dwarf_left;
	struct stat st;
	int err;

	if (!u->dirs && usyms_set_debug_dirs(u, NULL))
		return NULL;
	snprintf(root, sizeof(root), "/proc/%u/root", pid);
	snprintf(full, sizeof(full), "%s%s", root, e->path);
	if (same_root(root))
		*root = '\0'; /* the host's: debug files are looked up once */
	if (e->deleted)
		e->err = ENOENT;
	else if (stat(full, &st))
		e->err = errno;
	else if (map_entry_same_file(e, st.st_dev, st.st_ino))
		use = full;
	else
		e->err = ESTALE; /* another file at that path now */
	if (!use) {
		map_files_path(pid, e, mf, sizeof(mf));
		if (!stat(mf, &st))
			use = mf;
		/* some file systems (overlayfs, btrfs) number devices differently
		 * in maps and stat: the same inode is the same file */
		else if (!e->deleted && !stat(full, &st) && st.st_ino == e->inode)
			use = full;
	}
	if (!use)
		return NULL;
	e->err = 0;
	for (i = 0; i < u->nfiles; i++) {
		if (u->files[i]->dev == st.st_dev && u->files[i]->ino == st.st_ino) {
			e->err = u->files[i]->err;
			return u->files[i]->ok ? u->files[i] : NULL;
		}
	}
	f = calloc(1, sizeof(*f));
	nf = realloc(u->files, (u->nfiles + 1) * sizeof(*nf));
	if (!f || !nf) {
		free(f);
		if (nf)
			u->files = nf;
		e->err = ENOMEM;
		return NULL;
	}
	u->files = nf;
	u->files[u->nfiles++] = f;
	ds = (struct debug_search){ root, e->path, (const char *const *)u->dirs, u->ndirs,
				    &dwarf_left };
	dwarf_left = USYMS_DWARF_MAX - u->dwarf_open;
	err = elf_file_open(f, use, &ds);
	u->dwarf_open = USYMS_DWARF_MAX - dwarf_left;
	if (err) {
		err = f->err ? f->err : EIO;
		elf_file_free(f);
		f->dev = st.st_dev;
		f->ino = st.st_ino;
		f->err = e->err = err;
		return NULL;
	}
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	return f;
}

/* The vDSO's own names (__vdso_clock_gettime on x86, __kernel_* on arm64),
 * not their aliases (clock_gettime), so that a vDSO frame is not taken for
 * libc's function of the same name. */
static void vdso_names(struct elf_file *f)
{
	size_t i, n = 0;

	for (i = 0; i < f->nsyms; i++)
		n += !strncmp(f->syms[i].name, "__vdso_", 7) || !strncmp(f->syms[i].name, "__kernel_", 9);
	if (!n)
		return;
	for (i = 0, n = 0; i < f->nsyms; i++) {
		if (strncmp(f->syms[i].name, "__vdso_", 7) && strncmp(f->syms[i].name, "__kernel_", 9))
			free(f->syms[i].name);
		else
			f->syms[n++] = f->syms[i];
	}
	f->nsyms = n;
}

/* The vDSO: the kernel maps the same image into every (64-bit) process, so
 * perfpilot's own, read from its memory, names the frames of all of them. */
static struct elf_file *vdso_for(struct usyms *u, const struct map_entry *e)
{
	char line[USYM_PATH_MAX + 128];
	uint64_t size = 0;
	FILE *maps;
	void *copy;
	Elf *elf;

	if (!u->vdso_tried) {
		u->vdso_tried = true;
		if (!(maps = fopen("/proc/self/maps", "re")))
			return NULL;
		while (fgets(line, sizeof(line), maps)) {
			struct map_entry m;

			if (!maps_parse_line(line, &m) && !strcmp(m.path, "[vdso]") &&
			    m.start == getauxval(AT_SYSINFO_EHDR))
				size = m.end - m.start;
		}
		fclose(maps);
		if (!size || !(copy = malloc(size)))
			return NULL;
		memcpy(copy, (const void *)(uintptr_t)getauxval(AT_SYSINFO_EHDR), size);
		elf = elf_version(EV_CURRENT) != EV_NONE ? elf_memory(copy, size) : NULL;
		if (elf && (u->vdso = calloc(1, sizeof(*u->vdso))) != NULL &&
		    elf_file_read(u->vdso, elf, NULL, NULL)) {
			elf_file_free(u->vdso);
			free(u->vdso);
			u->vdso = NULL;
		}
		if (elf)
			elf_end(elf);
		free(copy);
		u->vdso_size = size;
		if (u->vdso)
			vdso_names(u->vdso);
	}
	/* another size: another image (a 32-bit process's) */
	return u->vdso && e->end - e->start == u->vdso_size ? u->vdso : NULL;
}

/* The pid of a process inside its own PID namespace (NSpid), or pid. */
static uint32_t ns_pid(uint32_t pid)
{
	char fn[64], line[256];
	uint32_t r = pid;
	FILE *f;

	snprintf(fn, sizeof(fn), "/proc/%u/status", pid);
	if (!(f = fopen(fn, "r")))
		return pid;
	while (fgets(line, sizeof(line), f)) {
		char *p, *end;

		if (strncmp(line, "NSpid:", 6))
			continue;
		for (p = line + 6; *p; p = end) { /* the last field: the innermost namespace */
			unsigned long v = strtoul(p, &end, 10);

			if (end == p)
				break;
			r = (uint32_t)v;
		}
		break;
	}
	fclose(f);
	return r;
}

/* Load the perf map at path into p (replacing what it had) if root or the
 * process's user owns it: another user could otherwise name its code.
 * Shown as /tmp/perf-SHOWN.map. Returns 0, or -1. */
static int perfmap_read(struct proc_syms *p, const char *path, uint32_t shown)
{
	struct perfmap *m;
	struct stat st;
	char *shown_path;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	if (fstat(fileno(f), &st) || (st.st_uid && st.st_uid != p->uid) ||
	    !(m = calloc(1, sizeof(*m)))) {
		fclose(f);
		return -1;
	}
	if (perfmap_load(m, f) || asprintf(&shown_path, "/tmp/perf-%u.map", shown) < 0) {
		perfmap_free(m);
		free(m);
		fclose(f);
		return -1;
	}
	fclose(f);
	if (p->jit)
		perfmap_free(p->jit);
	free(p->jit);
	free(p->jit_path);
	p->jit = m;
	p->jit_path = shown_path;
	return 0;
}

/* The JIT perf map of a live process: /tmp/perf-NSPID.map in its mount
 * namespace (NSpid: its pid in its own PID namespace), else
 * /tmp/perf-PID.map on the host. */
static void perfmap_for(struct proc_syms *p)
{
	uint32_t nspid = ns_pid(p->pid);
	struct stat proc;
	char fn[96];

	snprintf(fn, sizeof(fn), "/proc/%u", p->pid);
	if (stat(fn, &proc))
		return;
	p->uid = proc.st_uid;
	snprintf(fn, sizeof(fn), "/proc/%u/root", p->pid);
	/* where the map is once the process is gone (/proc/PID/root with it) */
	p->jit_on_host = nspid == p->pid && same_root(fn);
	snprintf(fn, sizeof(fn), "/proc/%u/root/tmp/perf-%u.map", p->pid, nspid);
	if (!perfmap_read(p, fn, nspid))
		return;
	snprintf(fn, sizeof(fn), "/tmp/perf-%u.map", p->pid);
	if (!perfmap_read(p, fn, p->pid))
		p->jit_on_host = true;
}

static void proc_clear(struct proc_syms *p)
{
	free(p->maps);
	free(p->elf);
	if (p->jit)
		perfmap_free(p->jit);
	free(p->jit);
	free(p->jit_path);
	p->maps = NULL;
	p->elf = NULL;
	p->jit = NULL;
	p->jit_path = NULL;
	p->n = 0;
	p->ok = false;
}

static void proc_load(struct usyms *u, struct proc_syms *p)
{
	char fn[64], line[USYM_PATH_MAX + 128];
	FILE *f;

	snprintf(fn, sizeof(fn), "/proc/%u/maps", p->pid);
	f = fopen(fn, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		struct map_entry e, *nm;
		struct elf_file **ne;

		if (maps_parse_line(line, &e) || !e.exec)
			continue;
		nm = realloc(p->maps, (p->n + 1) * sizeof(*nm));
		if (!nm)
			break;
		p->maps = nm;
		ne = realloc(p->elf, (p->n + 1) * sizeof(*ne));
		if (!ne)
			break;
		p->elf = ne;
		p->maps[p->n] = e;
		if (e.path[0] == '/')
			p->elf[p->n] = elf_for(u, p->pid, &p->maps[p->n]);
		else
			p->elf[p->n] = strcmp(e.path, "[vdso]") ? NULL : vdso_for(u, &e);
		p->n++;
	}
	fclose(f);
	p->ok = p->n > 0; /* an exited process (or a zombie) has no mappings */
	if (p->ok)
		perfmap_for(p);
}

static struct proc_syms *proc_for(struct usyms *u, uint32_t pid);

void usyms_preload(struct usyms *u, uint32_t pid)
{
	proc_for(u, pid);
}

/* Read a known process again; keep what was read if it is gone. */
static void proc_reload(struct usyms *u, struct proc_syms *p)
{
	struct proc_syms fresh = { .pid = p->pid };

	char fn[64];

	proc_load(u, &fresh);
	if (!fresh.ok) {
		proc_clear(&fresh);
		/* a JIT's map often outlives it, with what it emitted since */
		snprintf(fn, sizeof(fn), "/tmp/perf-%u.map", p->pid);
		if (p->jit_on_host)
			perfmap_read(p, fn, p->pid);
		return;
	}
	proc_clear(p);
	*p = fresh;
}

void usyms_reload(struct usyms *u, uint32_t pid)
{
	size_t i;

	for (i = 0; i < u->nprocs; i++) {
		if (u->procs[i].pid == pid) {
			proc_reload(u, &u->procs[i]);
			return;
		}
	}
	proc_for(u, pid);
}

void usyms_refresh(struct usyms *u)
{
	size_t i;

	for (i = 0; i < u->nprocs; i++)
		proc_reload(u, &u->procs[i]);
}

static struct proc_syms *proc_for(struct usyms *u, uint32_t pid)
{
	struct proc_syms *np;
	size_t i;

	for (i = 0; i < u->nprocs; i++)
		if (u->procs[i].pid == pid)
			return &u->procs[i];
	np = realloc(u->procs, (u->nprocs + 1) * sizeof(*np));
	if (!np)
		return NULL;
	u->procs = np;
	memset(&np[u->nprocs], 0, sizeof(*np));
	np[u->nprocs].pid = pid;
	proc_load(u, &np[u->nprocs]);
	return &u->procs[u->nprocs++];
}

/* The (demangled) name of a symbol. */
static const char *sym_name(struct elf_sym *s)
{
	if (!s->demangled) {
		char *d = demangle(s->name);

		s->demangled = true;
		if (d) {
			free(s->name);
			s->name = d;
		}
	}
	return s->name;
}

/* Why a frame inside mapping e (file f, maybe NULL) has no name. */
static void note_unnamed(struct usyms *u, const struct proc_syms *p, const struct map_entry *e,
			 const struct elf_file *f)
{
	const char *del = e->deleted ? " (deleted)" : "";

	if (!*e->path && p->jit)
		note_problem(u, "JIT or anonymous code in pid %u that %s does not name", p->pid,
			     p->jit_path);
	else if (!*e->path)
		note_problem(u, "JIT or anonymous code in pid %u and no /tmp/perf-%u.map for it",
			     p->pid, p->pid);
	else if (*e->path != '/')
		return; /* [vdso] and the like */
	else if (!f)
		note_problem(u, "cannot read %s%s: %s", e->path, del, strerror(e->err ? e->err : ENOENT));
	else if (f->why)
		note_problem(u, "no symbols for %s (%s)", e->path, f->why);
}

void usyms_lookup(struct usyms *u, uint32_t pid, uint64_t addr, struct usym_info *out)
{
	usyms_lookup_frame(u, pid, addr, false, out);
}

void usyms_lookup_frame(struct usyms *u, uint32_t pid, uint64_t addr, bool caller,
			struct usym_info *out)
{
	struct proc_syms *p = proc_for(u, pid);
	uint64_t at = caller && addr ? addr - 1 : addr; /* inside the call */
	const struct perfmap_sym *j;
	struct elf_file *f;
	uint64_t vaddr;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!p)
		return;
	for (i = 0; i < p->n; i++) {
		const struct map_entry *e = &p->maps[i];

		if (at < e->start || at >= e->end)
			continue;
		out->module = *e->path ? e->path : NULL;
		out->offset = map_file_offset(e, addr);
		f = p->elf[i]; /* a file's, or the vDSO's */
		out->build_id = f && *f->build_id ? f->build_id : NULL;
		if (f && !elf_offset_to_vaddr(f->segs, f->nsegs, map_file_offset(e, at), &vaddr)) {
			struct elf_sym *s = (struct elf_sym *)elf_file_find(f, vaddr);

			if (s) {
				out->name = sym_name(s);
				out->ninlined = inlines_at(f->inl, vaddr, out->inlined, USYM_INLINE_MAX);
				return;
			}
		}
		break;
	}
	/* anonymous memory, or a file that is no ELF (a JIT's memfd): the perf
	 * map, if the process wrote one */
	if (p->jit && (j = perfmap_find(p->jit, at)) != NULL) {
		out->name = j->name;
		return;
	}
	if (i < p->n)
		note_unnamed(u, p, &p->maps[i], p->elf[i]);
}

void usyms_name(struct usyms *u, uint32_t pid, uint64_t addr, char *buf, size_t len)
{
	struct usym_info si;
	const char *base;

	usyms_lookup(u, pid, addr, &si);
	if (si.name) {
		snprintf(buf, len, "%s", si.name);
		return;
	}
	base = si.module ? strrchr(si.module, '/') : NULL;
	base = base ? base + 1 : si.module;
	if (base && *base)
		snprintf(buf, len, "[unknown] (%s)", base);
	else
		snprintf(buf, len, "[unknown]");
}

void usyms_report(const struct usyms *u, FILE *out)
{
	size_t i;

	for (i = 0; i < u->nprocs; i++)
		if (u->procs[i].jit && u->procs[i].jit->malformed)
			fprintf(out, "perfpilot: %zu malformed lines in %s (skipped)\n",
				u->procs[i].jit->malformed, u->procs[i].jit_path);
	for (i = 0; i < u->nproblems; i++)
		fprintf(out, "perfpilot: %s\n", u->problems[i]);
	if (u->more_problems)
		fprintf(out, "perfpilot: and %zu more files or processes whose frames could not be named\n",
			u->more_problems);
}

void usyms_free(struct usyms *u)
{
	size_t i;

	for (i = 0; i < u->nfiles; i++) {
		elf_file_free(u->files[i]);
		free(u->files[i]);
	}
	for (i = 0; i < u->nprocs; i++)
		proc_clear(&u->procs[i]);
	for (i = 0; i < u->ndirs; i++)
		free(u->dirs[i]);
	for (i = 0; i < u->nproblems; i++)
		free(u->problems[i]);
	if (u->vdso)
		elf_file_free(u->vdso);
	free(u->vdso);
	free(u->dirs);
	free(u->files);
	free(u->procs);
	memset(u, 0, sizeof(*u));
}
