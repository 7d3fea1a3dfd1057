/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space symbols: a process's executable mappings (/proc/PID/maps),
 * address -> file offset -> ELF virtual address (any load address: PIE,
 * shared libraries), and the ELF's .symtab/.dynsym functions. Binaries are
 * read through /proc/PID/root so those in containers are found.
 */
#ifndef PP_USYMS_H
#define PP_USYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define USYM_PATH_MAX 512

struct map_entry {
	uint64_t start, end, offset;
	bool exec;
	char path[USYM_PATH_MAX]; /* "" for anonymous mappings */
};

/* Parse one /proc/PID/maps line. Returns 0, or -1 if it is malformed.
 * A " (deleted)" suffix is removed from the path. */
int maps_parse_line(const char *line, struct map_entry *e);

/* A PT_LOAD segment: file bytes [offset, offset + filesz) at vaddr. */
struct load_seg {
	uint64_t offset, vaddr, filesz;
};

/* File offset of addr inside mapping e. */
static inline uint64_t map_file_offset(const struct map_entry *e, uint64_t addr)
{
	return addr - e->start + e->offset;
}

/* The ELF virtual address of a file offset, through the segment holding it.
 * Returns 0, or -1 when no segment holds it. */
int elf_offset_to_vaddr(const struct load_seg *segs, size_t n, uint64_t off, uint64_t *vaddr);

struct elf_sym {
	uint64_t addr, size;
	char *name;
};

struct elf_file {
	uint64_t dev, ino;
	bool ok;              /* symbols read (possibly none) */
	struct load_seg *segs;
	size_t nsegs;
	struct elf_sym *syms; /* sorted by addr */
	size_t nsyms;
};

/* Read the load segments and function symbols of an ELF file. */
int elf_file_load(struct elf_file *f, const char *path);

/* The function containing vaddr, or NULL. */
const struct elf_sym *elf_file_find(const struct elf_file *f, uint64_t vaddr);

void elf_file_free(struct elf_file *f);

/* All executable mappings of one process, with their ELF files. */
struct proc_syms {
	uint32_t pid;
	bool ok;           /* mappings read */
	struct map_entry *maps;
	struct elf_file **elf; /* per mapping, NULL if unreadable */
	size_t n;
};

/* ELF files shared between processes, by device and inode. */
struct usyms {
	struct elf_file **files;
	size_t nfiles;
	struct proc_syms *procs;
	size_t nprocs;
};

/* What is known about one user address. Pointers stay valid until
 * usyms_free (or usyms_refresh). */
struct usym_info {
	const char *name;     /* function, or NULL when unknown */
	const char *module;   /* the mapped file's path, or NULL (anonymous) */
	const char *build_id; /* hex GNU build ID of module, or NULL */
	uint64_t offset;      /* file offset of the address inside module */
};

void usyms_lookup(struct usyms *u, uint32_t pid, uint64_t addr, struct usym_info *out);

/* Symbolize one user address of a process into buf: the function name, or
 * "[unknown] (file)" inside a mapping without a symbol for it, or
 * "[unknown]". */
void usyms_name(struct usyms *u, uint32_t pid, uint64_t addr, char *buf, size_t len);

/* Read a process's mappings and ELF files now, so that they can be
 * symbolized after it has exited. */
void usyms_preload(struct usyms *u, uint32_t pid);

/* Re-read the mappings of the processes read so far that are still alive
 * (libraries loaded since); those that exited keep what was read. */
void usyms_refresh(struct usyms *u);

void usyms_free(struct usyms *u);

#endif
