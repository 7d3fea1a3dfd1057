/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel symbols from /proc/kallsyms: parsing and address lookup. */
#ifndef PP_KALLSYMS_H
#define PP_KALLSYMS_H

#include <stdint.h>
#include <stdio.h>

/*
 * 8 bytes: the address as an offset from its segment's base, the name as
 * an offset in one text (a kernel has some 120,000 text symbols: 24 bytes
 * each with pointers were 2.9 MB of an agent's memory, 16 with a 64-bit
 * address and a module offset 1.9 MB, 8 are 0.97 MB).
 */
struct ksym {
	uint32_t off;  /* from the base of its segment: read it with ksym_addr */
	uint32_t name; /* in ksyms.text: read it with ksym_name */
};

/* A run of symbols (sorted by address) of one module, within 4 GiB of the
 * first: its symbols are syms[first] up to the next segment's first. */
struct kseg {
	uint64_t base;   /* the address of syms[first] */
	uint32_t first;
	uint32_t module; /* in ksyms.text, or KSYM_NO_MODULE */
};

#define KSYM_NO_MODULE UINT32_MAX

struct ksyms {
	struct ksym *syms; /* sorted by address */
	size_t n;
	struct kseg *segs; /* sorted by base (and first) */
	size_t nsegs;
	char *text;        /* the names, '\0' after each, a module's once for
			    * all its symbols */
	size_t len, captext;
};

static inline const char *ksym_name(const struct ksyms *k, const struct ksym *s)
{
	return k->text + s->name;
}

/* The address of s. */
uint64_t ksym_addr(const struct ksyms *k, const struct ksym *s);

/* The module of s, or NULL for the core kernel. */
const char *ksym_module(const struct ksyms *k, const struct ksym *s);

/* Read kallsyms-format text (text symbols only). Returns 0 or -1 (memory). */
int ksyms_load(struct ksyms *k, FILE *f);

/* Parse one kallsyms line; 1 if it is a text symbol (name and module are
 * pointers into `line`, which is modified), 0 otherwise. */
int ksyms_parse_line(char *line, uint64_t *addr, char **name, char **module);

/* The symbol containing addr (the nearest at or below), or NULL. */
const struct ksym *ksyms_find(const struct ksyms *k, uint64_t addr);

void ksyms_free(struct ksyms *k);

#endif
