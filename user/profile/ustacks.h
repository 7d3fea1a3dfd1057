/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How the profilers take user stacks (--unwind): with frame pointers (the
 * kernel's walk, bpf_get_stackid), or walked in the BPF program with the
 * binaries' unwind tables from .eh_frame (bpf/unwind.bpf.h, unwind/), or
 * the latter where the kernel can run it (auto). Shared by the on-CPU and
 * off-CPU profilers: the settings of a BPF object before load, the
 * unwinder that fills its maps after, the summary line.
 */
#ifndef PP_USTACKS_H
#define PP_USTACKS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <bpf/libbpf.h>
#include "collect/target.h"
#include "unwind/unwinder.h"

enum ustack_mode {
	USTACK_AUTO = 0, /* dwarf where the kernel can, else fp with a notice */
	USTACK_FP,
	USTACK_DWARF,
};

#define USTACK_DEPTH_DEFAULT PP_STACK_DEPTH
#define USTACK_MEMORY_MB_DEFAULT 16

struct ustack_opts {
	enum ustack_mode mode;
	unsigned int depth;     /* user frames at most (dwarf), 1..PP_STACK_DEPTH; 0: default */
	unsigned int memory_mb; /* for the tables' rows (dwarf); 0: default */
};

/* "fp", "dwarf", "auto": 0, or -1. */
int ustack_mode_parse(const char *s, enum ustack_mode *m);

/* The pieces of unwind.bpf.h in one opened BPF object. */
struct ustack_bpf {
	struct bpf_map *rows, *tables, *procs, *ustacks, *want;
	bool *dwarf;     /* its rodata */
	__u32 *depth;
};

/* Before load: walk user stacks in the program (dwarf) or not; without it
 * the walker's maps are made as small as they go. */
void ustacks_configure(const struct ustack_bpf *b, const struct ustack_opts *o, bool dwarf);

/* Before the first load: whether to walk user stacks in the program
 * (*dwarf). With --unwind auto where the walk cannot run at all, notice
 * says why (else it is ""); with --unwind dwarf there, -1 and err says
 * why. 0 otherwise. */
int ustacks_plan(const struct ustack_opts *o, enum pp_prof_mode mode, bool *dwarf, char *notice,
		 size_t nlen, char *err, size_t errlen);

/* The load with the walk failed (err): whether to load again without it
 * (--unwind auto), with notice saying why. */
bool ustacks_fall_back(const struct ustack_opts *o, const char *err, char *notice, size_t nlen);

/* After a dwarf load: the unwinder that fills the maps, with the processes
 * named (-p) loaded, its worker started (new processes go to
 * unwinder_queue). NULL on no memory. */
struct unwinder *ustacks_unwinder(const struct ustack_bpf *b, const struct target *t);

struct announcer;

/* announcer_poll (announce.h), each process announced queued for its
 * unwind tables (when u is not NULL) before fn sees it. */
int ustacks_poll(struct announcer *a, struct unwinder *u, int timeout_ms,
		 void (*fn)(void *ctx, uint32_t tgid), void *ctx);

/* Whether the walk can run here at all (x86-64, as the tables are); else
 * why not. */
bool ustacks_dwarf_possible(const char **why);

/* The unwinder's tables and the walker's counters (PP_UW_*, the per-CPU
 * array cnt), one "perfpilot: user stacks: ..." line; nothing without an
 * unwinder. */
void ustacks_summary(FILE *out, struct unwinder *u, const struct bpf_map *cnt);

#endif
