/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BPF programs loaded after /proc/kallsyms was read: their JIT images'
 * addresses and names, from the kernel's program information (one program
 * at a time, by id), so that a profiler which stays on names them without
 * reading all the kernel's symbols again. Names as /proc/kallsyms gives
 * them: bpf_prog_<tag>_<name>.
 */
#ifndef PP_BPFSYMS_H
#define PP_BPFSYMS_H

#include <stddef.h>
#include <stdint.h>

#define BPFSYM_NAME_LEN 48 /* "bpf_prog_" + 16 hex digits + "_" + 15 + NUL */
#define BPFSYMS_MAX 4096   /* images kept; beyond, the table starts again */

struct bpfsym {
	uint64_t addr;
	uint32_t len;
	char name[BPFSYM_NAME_LEN];
};

struct bpfsyms {
	struct bpfsym *v; /* sorted by address, none overlapping */
	size_t n, cap;
	uint32_t last_id; /* the newest program already known */
	size_t resets;    /* times the table was full and started again */
};

/* Add one image [addr, addr + len): images it overlaps (unloaded programs
 * whose memory it reuses) go. 0, or -1 on no memory. */
int bpfsyms_add(struct bpfsyms *b, uint64_t addr, uint32_t len, const char *name);

/* The name of the image holding addr, or NULL. */
const char *bpfsyms_find(const struct bpfsyms *b, uint64_t addr);

/* Every program loaded until now is known (its symbols were just read
 * from /proc/kallsyms): only newer ones will be added. */
void bpfsyms_mark(struct bpfsyms *b);

/* Add the programs loaded since the last mark or scan: how many images,
 * or -1 when the kernel refused (then nothing changed). */
int bpfsyms_scan(struct bpfsyms *b);

void bpfsyms_free(struct bpfsyms *b);

#endif
