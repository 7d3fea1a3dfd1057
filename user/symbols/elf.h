/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One ELF file's symbols: its load segments (file offset -> ELF address),
 * build ID and function symbols (.symtab, .dynsym), those of its separate
 * debug file when it is stripped (found by build ID or .gnu_debuglink, see
 * debuginfo.h) and its DWARF for inlined functions (inlines.h).
 */
#ifndef PP_ELF_H
#define PP_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "symbols/debuginfo.h"
#include "symbols/inlines.h"
#include "symbols/strpool.h"

/* A PT_LOAD segment: file bytes [offset, offset + filesz) at vaddr. */
struct load_seg {
	uint64_t offset, vaddr, filesz;
};

/* The ELF virtual address of a file offset, through the segment holding it.
 * Returns 0, or -1 when no segment holds it. */
int elf_offset_to_vaddr(const struct load_seg *segs, size_t n, uint64_t off, uint64_t *vaddr);

struct elf_sym {
	uint64_t addr;
	union {
		char *name;        /* named: in the file's pool, or NULL; read it
				    * with elf_sym_name */
		uint64_t name_off; /* not named: where in string table strtab it is */
	};
	uint32_t size;
	uint8_t named : 1;     /* name holds its name (or NULL: none) */
	uint8_t strtab : 2;    /* not named: which of the file's strtabs */
	uint8_t demangled : 1; /* name checked for C++/Rust mangling */
	uint8_t from_cfi : 1;  /* no symbol: "LABEL+0xSTART" from .eh_frame
				* (cfi_label), named only when first asked (name
				* NULL until then) */
};

/* A function only .eh_frame knows: [elf_file.cfi_addr0 + lo, + len). */
struct elf_cfi_fn {
	uint32_t lo, len;
};

/* The symbol made for the idx-th of them, once looked up. */
struct elf_cfi_sym {
	uint32_t idx;
	struct elf_sym *sym;
};

/* A string table whose names are read from the file when first asked
 * (elf_file.names_lazy): where it is, in which open file. */
#define ELF_STRTABS_MAX 3 /* .strtab, .dynstr, and the debug file's .strtab */
struct elf_strtab {
	uint64_t off, size;
	int fd;
};

/* Files whose names are read on demand hold a file descriptor each (two
 * with a debug file) until freed: at most this many in the whole program;
 * beyond it names are read at once. */
#define ELF_NAME_FDS_MAX 192
/* the size of string table worth it: a small one costs little */
#define ELF_LAZY_STRTAB_MIN (16u << 10)

struct elf_file {
	uint64_t dev, ino;
	bool ok;              /* symbols read (possibly none) */
	int err;              /* errno when it could not be read */
	struct load_seg *segs;
	size_t nsegs;
	struct elf_sym *syms; /* sorted by addr */
	size_t nsyms;
	char build_id[BUILD_ID_HEX]; /* hex, "" when it has none */
	bool full;            /* function symbols beyond .dynsym: its own .symtab or a debug file's */
	char *debug_path;     /* the debug file the symbols came from, or NULL */
	char *why;            /* why it is not full (stripped, no debug file...), or NULL */
	struct inlines *inl;  /* its DWARF (or its debug file's), for inlined functions */
	const char *cfi_label; /* set before reading: name the functions that its
				* .eh_frame knows and no symbol covers "LABEL+0xSTART"
				* (the local functions of a stripped file, the vDSO);
				* only read while reading */
	/* the functions only .eh_frame knows (no symbol covers their start),
	 * sorted, 8 bytes each (a stripped binary has 100,000): at cfi_addr0 +
	 * lo; an elf_sym made for one when a lookup lands in it (cfi_syms) */
	struct elf_cfi_fn *cfi;
	size_t ncfi;
	uint64_t cfi_addr0;
	struct elf_cfi_sym *cfi_syms; /* sorted by idx */
	size_t ncfi_syms, capcfi_syms;
	char *cfi_base;       /* cfi_label, kept for naming them */
	size_t names_lazy;    /* set before reading, 0 or a size: the names of
			       * string tables at least that large are read from
			       * the file (kept open) when a symbol is first asked
			       * for, not all at once (most symbols of a library are
			       * never sampled); ELF_LAZY_STRTAB_MIN for a program */
	struct elf_strtab strtabs[ELF_STRTABS_MAX];
	size_t nstrtabs;
	int fds[2];           /* kept open for that: the file, its debug file */
	size_t nfds;
	struct strpool names; /* the symbols' names (those read so far) */
	unsigned long used;   /* the owner's stamp of its last use (struct usyms) */
	/* not read yet (elf_file_defer): its symbols are read from deferred_fd
	 * when first asked for (elf_file_read_deferred) */
	bool deferred;
	int deferred_fd;
	const char *deferred_path; /* its path (the caller's string, kept by it) */
	uint64_t map_dev, map_ino; /* the owner's: the file as /proc/PID/maps names it */
};

/* Where to look for separate debug files, and through which root. */
struct debug_search {
	const char *root;              /* "/proc/PID/root", or "" (the host's); candidates
					* are tried under it, then on the host */
	const char *path;              /* the binary's path under root */
	const char *const *dirs;       /* debug directories (/usr/lib/debug) */
	size_t ndirs;
	size_t *dwarf_left;            /* DWARF files that may still be kept open
					* (for inlined functions), or NULL: none */
};

/* Read the load segments, build ID and function symbols of an ELF file;
 * when it has no .symtab and ds is given, those of its separate debug
 * file. */
int elf_file_open(struct elf_file *f, const char *path, const struct debug_search *ds);

/* The same with no debug file search. */
int elf_file_load(struct elf_file *f, const char *path);

/* Descriptors that deferred files may hold, in the whole program. */
#define ELF_DEFER_FDS_MAX 256

/* Read f later, when its symbols are first asked for (a process maps many
 * files its samples never land in): f keeps fd (open on the file at path,
 * the file itself however it is renamed or deleted) until then. 0, or -1
 * when no descriptor is left for it (ELF_DEFER_FDS_MAX): read it now, and
 * close fd. */
int elf_file_defer(struct elf_file *f, int fd, const char *path);

/* Read a deferred file as elf_file_open would have read it from its path
 * (the debug search ds), and close its descriptor. 0, or -1 (f->err). */
int elf_file_read_deferred(struct elf_file *f, const struct debug_search *ds);

/* The function containing vaddr, or NULL: of its symbols, or one only
 * .eh_frame knows (its elf_sym made then: NULL on no memory). */
const struct elf_sym *elf_file_find(const struct elf_file *f, uint64_t vaddr);

/* A symbol's name (of f's symbols): demangled, or "LABEL+0xSTART" for a
 * function only .eh_frame knows; read from the file when it was not read
 * with the symbols (names_lazy). NULL on no memory or when it cannot be
 * read. */
const char *elf_sym_name(struct elf_file *f, struct elf_sym *s);

/* The memory f takes: itself, its symbols (the table and the names). */
size_t elf_file_bytes(const struct elf_file *f);

void elf_file_free(struct elf_file *f);

/* The same for an ELF image in memory (the vDSO), with no debug file. */
int elf_file_memory(struct elf_file *f, void *image, size_t size);

#endif
