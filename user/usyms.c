// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "usyms.h"

int maps_parse_line(const char *line, struct map_entry *e)
{
	char perms[8];
	unsigned long long start, end, off;
	unsigned long inode;
	int pos = 0;
	size_t len;
	const char *p;

	memset(e, 0, sizeof(*e));
	if (sscanf(line, "%llx-%llx %7s %llx %*x:%*x %lu%n", &start, &end, perms, &off, &inode,
		   &pos) != 5 || end <= start || strlen(perms) != 4)
		return -1;
	e->start = start;
	e->end = end;
	e->offset = off;
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
	if (len > 10 && !strcmp(e->path + len - 10, " (deleted)"))
		e->path[len - 10] = '\0';
	return 0;
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

static int add_symbols(struct elf_file *f, Elf *elf, Elf_Scn *scn, GElf_Shdr *sh)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	struct elf_sym *ns;
	size_t i, n;

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
		ns[f->nsyms].addr = s.st_value;
		ns[f->nsyms].size = s.st_size;
		ns[f->nsyms].name = strdup(name);
		if (!ns[f->nsyms].name)
			return -1;
		f->nsyms++;
	}
	return 0;
}

int elf_file_load(struct elf_file *f, const char *path)
{
	Elf *elf;
	Elf_Scn *scn = NULL;
	size_t i, nph;
	int fd, rc = -1;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || elf_getphdrnum(elf, &nph))
		goto out;
	for (i = 0; i < nph; i++) {
		GElf_Phdr ph;
		struct load_seg *ns;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		ns = realloc(f->segs, (f->nsegs + 1) * sizeof(*ns));
		if (!ns)
			goto out;
		f->segs = ns;
		ns[f->nsegs++] = (struct load_seg){ ph.p_offset, ph.p_vaddr, ph.p_filesz };
	}
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM))
			continue;
		if (add_symbols(f, elf, scn, &sh))
			goto out;
	}
	if (f->nsyms)
		qsort(f->syms, f->nsyms, sizeof(*f->syms), cmp_sym);
	f->ok = true;
	rc = 0;
out:
	if (elf)
		elf_end(elf);
	close(fd);
	return rc;
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
	memset(f, 0, sizeof(*f));
}

/* The ELF file behind /proc/PID/root/PATH, loaded once per device and inode. */
static struct elf_file *elf_for(struct usyms *u, uint32_t pid, const char *path)
{
	char full[USYM_PATH_MAX + 64];
	struct elf_file *f, **nf;
	struct stat st;
	size_t i;

	snprintf(full, sizeof(full), "/proc/%u/root%s", pid, path);
	if (stat(full, &st))
		return NULL;
	for (i = 0; i < u->nfiles; i++)
		if (u->files[i]->dev == st.st_dev && u->files[i]->ino == st.st_ino)
			return u->files[i]->ok ? u->files[i] : NULL;
	f = calloc(1, sizeof(*f));
	nf = realloc(u->files, (u->nfiles + 1) * sizeof(*nf));
	if (!f || !nf) {
		free(f);
		if (nf)
			u->files = nf;
		return NULL;
	}
	u->files = nf;
	u->files[u->nfiles++] = f;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	if (elf_file_load(f, full)) {
		elf_file_free(f);
		f->dev = st.st_dev;
		f->ino = st.st_ino;
		return NULL;
	}
	return f;
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
		p->elf[p->n] = e.path[0] == '/' ? elf_for(u, p->pid, e.path) : NULL;
		p->n++;
	}
	fclose(f);
	p->ok = p->n > 0; /* an exited process (or a zombie) has no mappings */
}

static struct proc_syms *proc_for(struct usyms *u, uint32_t pid);

void usyms_preload(struct usyms *u, uint32_t pid)
{
	proc_for(u, pid);
}

void usyms_refresh(struct usyms *u)
{
	size_t i;

	for (i = 0; i < u->nprocs; i++) {
		struct proc_syms fresh = { .pid = u->procs[i].pid };

		proc_load(u, &fresh);
		if (!fresh.ok) { /* gone: keep what was read before */
			free(fresh.maps);
			free(fresh.elf);
			continue;
		}
		free(u->procs[i].maps);
		free(u->procs[i].elf);
		u->procs[i] = fresh;
	}
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

void usyms_lookup(struct usyms *u, uint32_t pid, uint64_t addr, struct usym_info *out)
{
	struct proc_syms *p = proc_for(u, pid);
	const struct elf_sym *s;
	uint64_t vaddr;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!p)
		return;
	for (i = 0; i < p->n; i++) {
		const struct map_entry *e = &p->maps[i];

		if (addr < e->start || addr >= e->end)
			continue;
		out->module = *e->path ? e->path : NULL;
		out->offset = map_file_offset(e, addr);
		if (p->elf[i] && !elf_offset_to_vaddr(p->elf[i]->segs, p->elf[i]->nsegs,
						      out->offset, &vaddr) &&
		    (s = elf_file_find(p->elf[i], vaddr)) != NULL)
			out->name = s->name;
		return;
	}
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

void usyms_free(struct usyms *u)
{
	size_t i;

	for (i = 0; i < u->nfiles; i++) {
		elf_file_free(u->files[i]);
		free(u->files[i]);
	}
	for (i = 0; i < u->nprocs; i++) {
		free(u->procs[i].maps);
		free(u->procs[i].elf);
	}
	free(u->files);
	free(u->procs);
	memset(u, 0, sizeof(*u));
}
