/* SPDX-License-Identifier: GPL-2.0 */
/* Turn raw stacks (addresses) into interned frames of a stackset. */
#ifndef PP_SYMBOLIZE_H
#define PP_SYMBOLIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "symbols/bpfsyms.h"
#include "symbols/kallsyms.h"
#include "perfpilot.h"
#include "profile/stackset.h"
#include "symbols/process.h"

struct symbolizer {
	struct ksyms k;
	struct usyms u;
	struct bpfsyms b; /* BPF programs loaded after k was read */
	bool have_k;   /* kernel symbols loaded */
	uint64_t modsig;    /* the modules when k was read (kmodules.h) */
	double k_read_at;   /* when k was read (monotonic seconds) */
};

/* symbolizer_refresh_kernel reads the kernel's symbols again at most this
 * often (seconds): a read takes about 0.1 s of CPU, and a host that loads
 * and unloads modules all the time should not pay it every interval. */
#define SYMBOLIZER_KERNEL_REREAD_S 60.0

/* Read /proc/kallsyms (again: what was read before goes once the new read
 * succeeds). Returns 0, or -1 when it is unreadable (kernel frames then
 * show as [unknown]_[k], or keep the symbols read before). */
int symbolizer_load_kernel(struct symbolizer *s);

/* Name the BPF programs loaded since the kernel's symbols were read (for a
 * profiler that stays on: a few system calls when nothing was loaded).
 * How many images were added, or -1. */
int symbolizer_update_bpf(struct symbolizer *s);

/* For a profiler that stays on, at each interval: read the kernel's
 * symbols again when kernel modules were loaded or unloaded since (at most
 * every SYMBOLIZER_KERNEL_REREAD_S), else name the BPF programs loaded
 * since (symbolizer_update_bpf). 1 when the symbols were read again, 0
 * when not, -1 when they could not be. */
int symbolizer_refresh_kernel(struct symbolizer *s);

/* For a profile that read the kernel's symbols before sampling, at its
 * end: the same, without the wait (a module changed: all read again; else
 * the BPF programs loaded since), or a first read. Code gone meanwhile (an
 * unloaded program) keeps its name unless everything was read again.
 * 0, or -1 when the symbols could not be read. */
int symbolizer_catch_up_kernel(struct symbolizer *s);

/* A raw stack: addresses innermost first, as the kernel returns them. */
struct raw_stack {
	const uint64_t *ips;
	size_t n;
	bool lost; /* the stack existed but could not be stored */
};

#define SYMBOLIZE_MAX_FRAMES (2 * PP_STACK_DEPTH + 2)

/*
 * Intern the frames of one sample into ss: user frames then kernel frames,
 * root first, into out[] (room for SYMBOLIZE_MAX_FRAMES). A user address in
 * inlined code gives its function's frame and then the inlined functions'
 * (as far as out has room). A lost stack is one "[unknown]" frame; an empty
 * sample one "[unknown]". Returns the number of frames, or -1 on no memory.
 */
int symbolize_stack(struct symbolizer *s, struct stackset *ss, uint32_t pid,
		    const struct raw_stack *user, const struct raw_stack *kernel, uint32_t *out);

void symbolizer_free(struct symbolizer *s);

#endif
