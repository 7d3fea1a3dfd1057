// SPDX-License-Identifier: GPL-2.0
/* Processes: mappings, their ELF files, perf maps; naming addresses (process.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "symbols/process.h"

#define DEFAULT_DEBUG_DIR "/usr/lib/debug"

/* A number in base 16 (or 10) at p, at least one digit and at most max: the
 * character after it, or NULL. */
static const char *number(const char *p, unsigned int base, unsigned long long max,
			  unsigned long long *v)
{
	unsigned long long n = 0;
	const char *from = p;

	for (;; p++) {
		unsigned int d;

		if (*p >= '0' && *p <= '9')
			d = (unsigned int)(*p - '0');
		else if (base == 16 && (*p | 0x20) >= 'a' && (*p | 0x20) <= 'f')
			d = (unsigned int)((*p | 0x20) - 'a' + 10);
		else
			break;
		if (n > (max - d) / base)
			return NULL;
		n = n * base + d;
	}
	*v = n;
	return p > from ? p : NULL;
}

/* Parsed by hand, not with sscanf: every line of every process's maps is
 * read this way, and again every few seconds. */
int maps_parse_line(const char *line, struct map_entry *e)
{
	unsigned long long start, end, off, maj, min, inode;
	const char *p = line, *perms;
	size_t len;

	if (!(p = number(p, 16, ~0ULL, &start)) || *p++ != '-' ||
	    !(p = number(p, 16, ~0ULL, &end)) || *p++ != ' ' || end <= start)
		return -1;
	perms = p;
	for (len = 0; len < 4; len++)
		if (!p[len] || p[len] == ' ' || p[len] == '\t' || p[len] == '\n')
			return -1;
	p += 4;
	if (*p++ != ' ' || !(p = number(p, 16, ~0ULL, &off)) || *p++ != ' ' ||
	    !(p = number(p, 16, UINT32_MAX, &maj)) || *p++ != ':' ||
	    !(p = number(p, 16, UINT32_MAX, &min)) || *p++ != ' ' ||
	    !(p = number(p, 10, ~0ULL, &inode)))
		return -1;
	if (*p && *p != ' ' && *p != '\t' && *p != '\n')
		return -1;
	e->start = start;
	e->end = end;
	e->offset = off;
	e->dev_major = (uint32_t)maj;
	e->dev_minor = (uint32_t)min;
	e->inode = inode;
	e->exec = perms[2] == 'x';
	e->deleted = false;
	e->err = 0;
	while (*p == ' ' || *p == '\t')
		p++;
	len = strcspn(p, "\n");
	if (len >= sizeof(e->path))
		len = sizeof(e->path) - 1;
	memcpy(e->path, p, len);
	e->path[len] = '\0';
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

/* The debug search of a file read now: under root (the process's, or ""
 * for the host's), path as the process names it. */
static struct debug_search search_of(struct usyms *u, const char *root, const char *path,
				     size_t *dwarf_left)
{
	*dwarf_left = USYMS_DWARF_MAX - u->dwarf_open;
	return (struct debug_search){ root, path, (const char *const *)u->dirs, u->ndirs,
				      u->no_inlines ? NULL : dwarf_left };
}

/* Read f (its symbols, debug file, DWARF) from path, or from its deferred
 * descriptor; on failure f is left empty but for its identity and err.
 * 0 or -1. */
static int read_file(struct usyms *u, struct elf_file *f, const char *root, const char *path,
		     const char *use)
{
	uint64_t dev = f->dev, ino = f->ino, map_dev = f->map_dev, map_ino = f->map_ino;
	unsigned long used = f->used;
	size_t dwarf_left;
	struct debug_search ds = search_of(u, root, path, &dwarf_left);
	int err;

	/* a function no symbol names is "FILE+0xSTART", from its unwind information */
	f->cfi_label = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	/* the names of the few functions sampled, not all (a library's are
	 * megabytes): read from the file when first asked */
	f->names_lazy = ELF_LAZY_STRTAB_MIN;
	err = use ? elf_file_open(f, use, &ds) : elf_file_read_deferred(f, &ds);
	f->cfi_label = NULL;
	u->dwarf_open = USYMS_DWARF_MAX - dwarf_left;
	if (err) {
		err = f->err ? f->err : EIO;
		elf_file_free(f);
		f->err = err;
	}
	f->dev = dev;
	f->ino = ino;
	f->map_dev = map_dev;
	f->map_ino = map_ino;
	f->used = used;
	return err ? -1 : 0;
}

/* A file found in u, for mapping e: NULL (e->err) if it could not be read. */
static struct elf_file *known(struct elf_file *f, struct map_entry *e)
{
	e->err = f->err;
	return f->ok || f->deferred ? f : NULL;
}

/*
 * The ELF file of a mapping, loaded once per device and inode: through
 * /proc/PID/root/PATH when that is still the mapped file, else (deleted or
 * replaced since) through /proc/PID/map_files. NULL, with e->err, when it
 * cannot be read. A file met again (the same device and inode in the
 * mappings) costs no system call; a new one of a process with the host's
 * root is only opened, and read when a sample first lands in it (most
 * libraries a process maps never are), unless u->eager.
 */
static struct elf_file *elf_for(struct usyms *u, uint32_t pid, struct map_entry *e,
				const char *path, bool host_root)
{
	char root[64], full[USYM_PATH_MAX + 64], mf[96];
	uint64_t map_dev = makedev(e->dev_major, e->dev_minor);
	const char *use = NULL;
	struct elf_file *f, **nf;
	struct stat st;
	size_t i;
	int fd;

	if (!u->dirs && usyms_set_debug_dirs(u, NULL))
		return NULL;
	for (i = 0; e->inode && i < u->nfiles; i++)
		if (u->files[i]->map_ino == e->inode && u->files[i]->map_dev == map_dev)
			return known(u->files[i], e);
	snprintf(root, sizeof(root), "/proc/%u/root", pid);
	snprintf(full, sizeof(full), "%s%s", root, e->path);
	if (host_root)
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
	for (i = 0; i < u->nfiles; i++)
		if (u->files[i]->dev == st.st_dev && u->files[i]->ino == st.st_ino)
			return known(u->files[i], e);
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
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->map_dev = map_dev;
	f->map_ino = e->inode;
	/* later: its path on the host names it (the descriptor holds it
	 * whatever happens to the path) */
	if (!u->eager && host_root && use == full) {
		struct stat fst;

		fd = open(full, O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && !fstat(fd, &fst) && fst.st_dev == st.st_dev && fst.st_ino == st.st_ino &&
		    !elf_file_defer(f, fd, path))
			return f;
		if (fd >= 0)
			close(fd);
	}
	if (read_file(u, f, root, e->path, use)) {
		e->err = f->err;
		return NULL;
	}
	return f;
}

/* A deferred file read now (a sample landed in it). */
static void read_deferred(struct usyms *u, struct elf_file *f)
{
	read_file(u, f, "", f->deferred_path, NULL);
}

static bool vdso_own_name(const char *name)
{
	return !strncmp(name, "__vdso_", 7) || !strncmp(name, "__kernel_", 9);
}

/* The vDSO's own names (__vdso_clock_gettime on x86, __kernel_* on arm64),
 * not their aliases (clock_gettime, at the same address), so that a vDSO
 * frame is not taken for libc's function of the same name. Local functions
 * (the unstripped image's, or those named from .eh_frame) stay. */
static void vdso_names(struct elf_file *f)
{
	size_t i, j, n = 0;

	for (i = 0; i < f->nsyms; i++) {
		bool alias = false;

		/* the names stay in f's pool (freed with it); .eh_frame's have
		 * none yet and are never aliases */
		for (j = 0; !f->syms[i].from_cfi && !vdso_own_name(f->syms[i].name) &&
			    j < f->nsyms && !alias; j++)
			alias = j != i && f->syms[j].addr == f->syms[i].addr &&
				!f->syms[j].from_cfi && vdso_own_name(f->syms[j].name);
		if (!alias)
			f->syms[n++] = f->syms[i];
	}
	f->nsyms = n;
}

/*
 * The kernel's own, unstripped copy of the vDSO, when it matches the running
 * one by build ID: its .symtab names the local functions (the clock readers
 * such as vread_pvclock). Debian's and Ubuntu's kernel packages install it
 * under /lib/modules (or the debug package under /usr/lib/debug).
 */
static struct elf_file *vdso_unstripped(const char *build_id)
{
#if defined(__x86_64__)
	static const char *const names[] = { "vdso64.so" };
#elif defined(__aarch64__)
	static const char *const names[] = { "vdso.so" };
#else
	static const char *const names[] = { "vdso.so" };
#endif
	static const char *const dirs[] = { "/lib/modules/%s/vdso/%s",
					    "/usr/lib/debug/lib/modules/%s/vdso/%s" };
	char path[USYM_PATH_MAX];
	struct utsname un;
	struct elf_file *f;
	size_t i, j;

	if (!*build_id || uname(&un))
		return NULL;
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		for (j = 0; j < sizeof(names) / sizeof(names[0]); j++) {
			snprintf(path, sizeof(path), dirs[i], un.release, names[j]);
			if (access(path, R_OK) || !(f = calloc(1, sizeof(*f))))
				continue;
			f->cfi_label = "[vdso]";
			if (!elf_file_load(f, path) && f->full && !strcmp(f->build_id, build_id))
				return f;
			elf_file_free(f);
			free(f);
		}
	}
	return NULL;
}

/* perfpilot's own copy of the vDSO, read from its memory: the same image
 * the kernel maps into every (64-bit) process. Its .dynsym names only the
 * exported functions; the local ones are named from .eh_frame. */
static struct elf_file *vdso_mapped(uint64_t *size_out)
{
	char line[USYM_PATH_MAX + 128];
	struct elf_file *f = NULL;
	uint64_t size = 0;
	FILE *maps;
	void *copy;

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
	if ((f = calloc(1, sizeof(*f))) != NULL) {
		f->cfi_label = "[vdso]";
		if (elf_file_memory(f, copy, size)) {
			elf_file_free(f);
			free(f);
			f = NULL;
		}
	}
	free(copy);
	*size_out = size;
	return f;
}

/* The vDSO's symbols for the frames of every process (read once). */
static struct elf_file *vdso_for(struct usyms *u, const struct map_entry *e)
{
	struct elf_file *full;

	if (!u->vdso_tried) {
		u->vdso_tried = true;
		u->vdso = vdso_mapped(&u->vdso_size);
		if (u->vdso && (full = vdso_unstripped(u->vdso->build_id)) != NULL) {
			elf_file_free(u->vdso);
			free(u->vdso);
			u->vdso = full;
		}
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
static void perfmap_for(struct proc_syms *p, bool host_root)
{
	uint32_t nspid = ns_pid(p->pid);
	struct stat proc;
	char fn[96];

	snprintf(fn, sizeof(fn), "/proc/%u", p->pid);
	if (stat(fn, &proc))
		return;
	p->uid = proc.st_uid;
	/* where the map is once the process is gone (/proc/PID/root with it) */
	p->jit_on_host = nspid == p->pid && host_root;
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

static uint64_t path_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ULL;
	return h;
}

/* path, kept once in u (NULL on no memory). */
static const char *intern_path(struct usyms *u, const char *path)
{
	size_t i, mask;
	const char *kept;

	if (!*path)
		return "";
	if (2 * (u->npaths + 1) > u->cappaths) { /* at most half full */
		size_t cap = u->cappaths ? 2 * u->cappaths : 256;
		const char **set = calloc(cap, sizeof(*set));

		if (!set)
			return NULL;
		for (i = 0; i < u->cappaths; i++) {
			size_t h;

			if (!u->path_set[i])
				continue;
			for (h = path_hash(u->path_set[i]) & (cap - 1); set[h]; h = (h + 1) & (cap - 1))
				;
			set[h] = u->path_set[i];
		}
		free(u->path_set);
		u->path_set = set;
		u->cappaths = cap;
	}
	mask = u->cappaths - 1;
	for (i = path_hash(path) & mask; u->path_set[i]; i = (i + 1) & mask)
		if (!strcmp(u->path_set[i], path))
			return u->path_set[i];
	if (!(kept = strpool_add(&u->paths, path)))
		return NULL;
	u->path_set[i] = kept;
	u->npaths++;
	return kept;
}

static void proc_load(struct usyms *u, struct proc_syms *p)
{
	char fn[64], line[USYM_PATH_MAX + 128];
	bool host_root;
	FILE *f;

	snprintf(fn, sizeof(fn), "/proc/%u/maps", p->pid);
	f = fopen(fn, "r");
	if (!f)
		return;
	snprintf(fn, sizeof(fn), "/proc/%u/root", p->pid);
	host_root = same_root(fn); /* once for all its mappings */
	while (fgets(line, sizeof(line), f)) {
		struct map_entry e;
		struct usym_map *nm;
		struct elf_file **ne;
		const char *path;

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
		if (!(path = intern_path(u, e.path)))
			break;
		if (e.path[0] == '/')
			p->elf[p->n] = elf_for(u, p->pid, &e, path, host_root);
		else
			p->elf[p->n] = strcmp(e.path, "[vdso]") ? NULL : vdso_for(u, &e);
		p->maps[p->n] = (struct usym_map){ e.start, e.end, e.offset, path, e.err, e.deleted };
		p->n++;
	}
	fclose(f);
	p->ok = p->n > 0; /* an exited process (or a zombie) has no mappings */
	if (p->ok)
		perfmap_for(p, host_root);
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

static int by_use(const void *a, const void *b)
{
	const struct elf_file *x = *(struct elf_file *const *)a, *y = *(struct elf_file *const *)b;

	return x->used < y->used ? -1 : x->used > y->used;
}

/* Drop the least recently used files that no process holds, beyond
 * USYMS_IDLE_FILES_MAX of them or idle_bytes_max of their symbols (a build
 * host runs compilers whose symbols are megabytes each). */
static void forget_idle_files(struct usyms *u)
{
	size_t i, j, idle = 0, drop, k = 0, bytes = 0;
	size_t bytes_max = u->idle_bytes_max ? u->idle_bytes_max : USYMS_IDLE_BYTES_MAX;
	struct elf_file **v;

	u->tick++;
	for (i = 0; i < u->nprocs; i++)
		for (j = 0; j < u->procs[i].n; j++)
			if (u->procs[i].elf && u->procs[i].elf[j])
				u->procs[i].elf[j]->used = u->tick;
	for (i = 0; i < u->nfiles; i++) {
		if (u->files[i]->used == u->tick)
			continue;
		idle++;
		bytes += elf_file_bytes(u->files[i]);
	}
	if (idle <= USYMS_IDLE_FILES_MAX && bytes <= bytes_max)
		return;
	v = malloc(idle * sizeof(*v));
	if (!v)
		return;
	for (i = 0; i < u->nfiles; i++)
		if (u->files[i]->used != u->tick)
			v[k++] = u->files[i];
	qsort(v, k, sizeof(*v), by_use);
	/* the oldest go until what is left fits: mark them, then compact */
	for (drop = 0; drop < k && (idle - drop > USYMS_IDLE_FILES_MAX || bytes > bytes_max);
	     drop++) {
		bytes -= elf_file_bytes(v[drop]);
		v[drop]->used = (unsigned long)-1;
	}
	for (i = 0, k = 0; i < u->nfiles; i++) {
		struct elf_file *f = u->files[i];

		if (f->used != (unsigned long)-1) {
			u->files[k++] = f;
			continue;
		}
		if (f->inl && u->dwarf_open)
			u->dwarf_open--;
		elf_file_free(f);
		free(f);
		u->files_dropped++;
	}
	u->nfiles = k;
	free(v);
}

size_t usyms_forget_exited(struct usyms *u)
{
	char path[32];
	size_t i, k = 0, gone = 0;

	for (i = 0; i < u->nprocs; i++) {
		snprintf(path, sizeof(path), "/proc/%u", u->procs[i].pid);
		if (access(path, F_OK) && errno == ENOENT) {
			proc_clear(&u->procs[i]);
			gone++;
			continue;
		}
		u->procs[k++] = u->procs[i];
	}
	u->nprocs = k;
	forget_idle_files(u);
	return gone;
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

/* Why a frame inside mapping e (file f, maybe NULL) has no name. */
static void note_unnamed(struct usyms *u, const struct proc_syms *p, const struct usym_map *e,
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
		struct usym_map *e = &p->maps[i];

		if (at < e->start || at >= e->end)
			continue;
		out->module = *e->path ? e->path : NULL;
		out->offset = addr - e->start + e->offset; /* in the file */
		f = p->elf[i]; /* a file's, or the vDSO's */
		if (f && f->deferred)
			read_deferred(u, f);
		if (f && !f->ok) { /* read now, and unreadable */
			e->err = f->err;
			f = NULL;
		}
		out->build_id = f && *f->build_id ? f->build_id : NULL;
		if (f && !elf_offset_to_vaddr(f->segs, f->nsegs, at - e->start + e->offset, &vaddr)) {
			struct elf_sym *s = (struct elf_sym *)elf_file_find(f, vaddr);

			if (s) {
				out->name = elf_sym_name(f, s);
				out->ninlined = inlines_at(f->inl, vaddr, out->inlined, USYM_INLINE_MAX);
				if (s->from_cfi) /* named by its file and start only: say why */
					note_unnamed(u, p, e, f);
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
		note_unnamed(u, p, &p->maps[i],
			     p->elf[i] && p->elf[i]->ok ? p->elf[i] : NULL);
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
	free(u->path_set);
	strpool_free(&u->paths);
	memset(u, 0, sizeof(*u));
}
