/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A symbolized profile in memory: stacks of named frames with their weights.
 * The profiler fills it (on-CPU sample counts, or off-CPU blocked time); the
 * writers (folded, pprof, speedscope, SVG flame graph) read it. Frames are
 * interned: equal (name, module, kernel) frames share one index.
 */
#ifndef PP_STACKSET_H
#define PP_STACKSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ss_kind {
	SS_ONCPU = 0,  /* weights: samples; value_ns = samples x sampling period */
	SS_OFFCPU = 1, /* weights: blocked time; count = sampled blocking events */
};

struct ss_frame {
	char *name;     /* function name (demangled), or "[unknown]" */
	char *module;   /* the ELF file (user), "[kernel]" or a kernel module name;
			   NULL when not known */
	char *build_id; /* hex GNU build ID of module, or NULL */
	uint64_t addr;  /* one address seen for this frame (the first) */
	uint64_t offset; /* addr as a file offset inside module (user frames), or 0 */
	bool kernel;
};

struct ss_stack {
	uint32_t pid;
	char comm[16];
	uint32_t *frames; /* indexes into stackset.frames, root (outermost) first */
	uint32_t n;
	uint64_t count;   /* samples (on-CPU) or sampled blocking events (off-CPU) */
	uint64_t value_ns; /* CPU time (on-CPU) or blocked time (off-CPU) */
};

struct stackset {
	enum ss_kind kind;
	unsigned int hz;       /* sampling frequency (on-CPU) */
	uint64_t period_ns;    /* 1e9 / hz */
	double start_unix;     /* when the profile began, unix seconds */
	double duration_s;
	struct ss_frame *frames;
	size_t nframes, capframes;
	struct ss_stack *stacks;
	size_t nstacks, capstacks;
	/* frame index: open-addressing hash over (name, module, kernel) */
	uint32_t *ftab;
	size_t ftabsize;
};

void ss_init(struct stackset *s, enum ss_kind kind, unsigned int hz);

/* The index of the frame, interned. module and build_id may be NULL.
 * Returns -1 on no memory. */
int64_t ss_frame(struct stackset *s, const char *name, const char *module, const char *build_id,
		 uint64_t addr, uint64_t offset, bool kernel);

/* Add a stack (frames root first). Stacks are not merged here; writers
 * that need merged stacks merge them. Returns 0 or -1 on no memory. */
int ss_add(struct stackset *s, uint32_t pid, const char *comm, const uint32_t *frames, uint32_t n,
	   uint64_t count, uint64_t value_ns);

/* Sum of count and of value_ns over all stacks. */
void ss_totals(const struct stackset *s, uint64_t *count, uint64_t *value_ns);

/* The weight a flame graph shows for a stack: samples (on-CPU) or
 * microseconds of blocked time (off-CPU). */
uint64_t ss_weight(const struct stackset *s, const struct ss_stack *st);

/* A frame's display name: name, with "_[k]" appended for kernel frames;
 * an unknown user frame inside a known file is "[unknown] (file)". */
void ss_frame_label(const struct ss_frame *f, char *buf, size_t len);

void ss_free(struct stackset *s);

#endif
