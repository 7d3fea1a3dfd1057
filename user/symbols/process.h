/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space symbols: a process's executable mappings (/proc/PID/maps),
 * address -> file offset -> ELF virtual address (any load address: PIE,
 * shared libraries), and the ELF's .symtab/.dynsym functions. Binaries are
 * read through /proc/PID/root so those in containers are found, deleted or
 * replaced ones through /proc/PID/map_files. Stripped binaries get their
 * symbols from a separate debug file (by build ID or .gnu_debuglink, see
 * debuginfo.h); JIT code from /tmp/perf-PID.map (perfmap.h). A file is
 * opened when a process that maps it is read, and its symbols read when a
 * lookup first lands in it (elf_file_defer: most libraries a process maps
 * are never sampled); one met again (the same device and inode in
 * /proc/PID/maps) costs no system call.
 */
#ifndef PP_SYMBOLS_PROCESS_H
#define PP_SYMBOLS_PROCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "symbols/elf.h"
#include "symbols/perfmap.h"

#define USYM_PATH_MAX 512

struct map_entry {
	uint64_t start, end, offset;
	uint32_t dev_major, dev_minor;
	uint64_t inode;
	bool exec;
	bool deleted;             /* the path had " (deleted)" */
	int err;                  /* errno when its file could not be read */
	char path[USYM_PATH_MAX]; /* "" for anonymous mappings */
};

/* Parse one /proc/PID/maps line. Returns 0, or -1 if it is malformed.
 * A " (deleted)" suffix is removed from the path (and sets deleted). */
int maps_parse_line(const char *line, struct map_entry *e);

/* Whether the file a stat() returned is the one mapped (same device and
 * inode): not so when the path now names another (replaced) file. */
bool map_entry_same_file(const struct map_entry *e, dev_t dev, ino_t ino);

/* /proc/PID/map_files/START-END: the mapped file itself, even deleted or
 * replaced, while the process lives. */
void map_files_path(uint32_t pid, const struct map_entry *e, char *buf, size_t len);

/* File offset of addr inside mapping e. */
static inline uint64_t map_file_offset(const struct map_entry *e, uint64_t addr)
{
	return addr - e->start + e->offset;
}

/* An executable mapping of a process as the symbolizer keeps it: its path
 * once for all processes (struct usyms' paths), not a map_entry's 512
 * bytes each (a host's processes have thousands of mappings). */
struct usym_map {
	uint64_t start, end, offset;
	const char *path; /* "" for anonymous mappings */
	int err;          /* errno when its file could not be read */
	bool deleted;     /* the path had " (deleted)" */
};

/* All executable mappings of one process, with their ELF files. */
struct proc_syms {
	uint32_t pid;
	bool ok;           /* mappings read */
	struct usym_map *maps;
	struct elf_file **elf; /* per mapping, NULL if unreadable */
	size_t n;
	struct perfmap *jit;   /* its perf map, or NULL */
	char *jit_path;        /* where that was read, as the process sees it */
	uid_t uid;             /* its owner: perf maps must be its or root's */
	bool jit_on_host;      /* its map is the host's /tmp/perf-PID.map */
};

#define USYMS_PROBLEMS_MAX 6

#define USYMS_DWARF_MAX 256 /* DWARF files kept open (file descriptors) */
#define USYMS_IDLE_FILES_MAX 64 /* files no process read holds, kept for the next */
#define USYMS_IDLE_BYTES_MAX (8u << 20) /* and at most this much of their symbols */

/* ELF files shared between processes, by device and inode. */
struct usyms {
	struct elf_file **files;
	size_t nfiles;
	struct proc_syms *procs;
	size_t nprocs;
	char **dirs;           /* debug directories, /usr/lib/debug last */
	size_t ndirs;
	/* what could not be named, one line each, distinct */
	char *problems[USYMS_PROBLEMS_MAX];
	size_t nproblems, more_problems;
	size_t dwarf_open;     /* DWARF files open */
	bool eager;            /* read every file a process maps when it is read,
				* not when a sample first lands in it */
	bool no_inlines;       /* keep no DWARF: frames without the functions
				* inlined into them (an agent's memory: the DWARF
				* of a host's libraries is tens of MB) */
	unsigned long tick;    /* counts usyms_forget_exited calls (elf_file.used) */
	unsigned long files_dropped;
	size_t idle_bytes_max; /* 0: USYMS_IDLE_BYTES_MAX */
	/* the mappings' paths, each once: a set (open addressing) of strings
	 * in a pool, kept until usyms_free */
	struct strpool paths;
	const char **path_set;
	size_t npaths, cappaths;
	struct elf_file *vdso; /* the vDSO's symbols (perfpilot's own copy) */
	uint64_t vdso_size;
	bool vdso_tried;
};

/* The debug directories, colon-separated, searched in that order and then
 * /usr/lib/debug. Returns 0, or -1 on no memory. */
int usyms_set_debug_dirs(struct usyms *u, const char *list);

#define USYM_INLINE_MAX 8

/* What is known about one user address. Pointers stay valid until
 * usyms_free (or usyms_refresh). */
struct usym_info {
	const char *name;     /* function, or NULL when unknown */
	const char *module;   /* the mapped file's path, or NULL (anonymous) */
	const char *build_id; /* hex GNU build ID of module, or NULL */
	uint64_t offset;      /* file offset of the address inside module */
	/* functions inlined at the address (from DWARF), outermost first: the
	 * frames under name */
	const char *inlined[USYM_INLINE_MAX];
	size_t ninlined;
};

void usyms_lookup(struct usyms *u, uint32_t pid, uint64_t addr, struct usym_info *out);

/* The same for a frame of a stack: for a caller's frame (a return address)
 * the function and inlined ones are those of the call, at addr - 1. */
void usyms_lookup_frame(struct usyms *u, uint32_t pid, uint64_t addr, bool caller,
			struct usym_info *out);

/* Symbolize one user address of a process into buf: the function name, or
 * "[unknown] (file)" inside a mapping without a symbol for it, or
 * "[unknown]". */
void usyms_name(struct usyms *u, uint32_t pid, uint64_t addr, char *buf, size_t len);

/* Read a process's mappings now and open its ELF files (read now with
 * eager, else when a lookup first lands in one), so that they can be
 * symbolized after it has exited. */
void usyms_preload(struct usyms *u, uint32_t pid);

/* The same, and re-read them if the process was read before (it may have
 * exec'd a new image or loaded libraries); kept if it is gone. */
void usyms_reload(struct usyms *u, uint32_t pid);

/* Write the problems met while naming frames, one "perfpilot: ..." line
 * each (files without symbols or unreadable, malformed perf map lines). */
void usyms_report(const struct usyms *u, FILE *out);

/* Re-read the mappings of the processes read so far that are still alive
 * (libraries loaded since); those that exited keep what was read. */
void usyms_refresh(struct usyms *u);

/* Forget the mappings of the processes read so far that have exited (a
 * long recording symbolizes in parts, so that what it holds follows the
 * processes alive, not all it has seen), and the ELF files beyond the
 * USYMS_IDLE_FILES_MAX most recently used that no process left holds (a
 * build host runs new binaries all day). Returns how many processes were
 * forgotten; files_dropped counts the files. */
size_t usyms_forget_exited(struct usyms *u);

void usyms_free(struct usyms *u);

#endif
