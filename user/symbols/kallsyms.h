/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel symbols from /proc/kallsyms: parsing and address lookup. */
#ifndef PP_KALLSYMS_H
#define PP_KALLSYMS_H

#include <stdint.h>
#include <stdio.h>

/* 16 bytes: the name and module are offsets in one text, not pointers (a
 * kernel has some 120,000 text symbols: 24 bytes each were 2.9 MB of an
 * agent's memory, 16 are 1.9 MB) */
struct ksym {
	uint64_t addr;
	uint32_t name;   /* in ksyms.text: read it with ksym_name */
	uint32_t module; /* in ksyms.text, or KSYM_NO_MODULE: ksym_module */
};

#define KSYM_NO_MODULE UINT32_MAX

struct ksyms {
	struct ksym *syms; /* sorted by addr */
	size_t n, cap;
	char *text;        /* the names, '\0' after each, a module's once for
			    * all its symbols */
	size_t len, captext;
};

static inline const char *ksym_name(const struct ksyms *k, const struct ksym *s)
{
	return k->text + s->name;
}

/* The module of s, or NULL for the core kernel. */
static inline const char *ksym_module(const struct ksyms *k, const struct ksym *s)
{
	return s->module == KSYM_NO_MODULE ? NULL : k->text + s->module;
}

/* Read kallsyms-format text (text symbols only). Returns 0 or -1 (memory). */
int ksyms_load(struct ksyms *k, FILE *f);

/* Parse one kallsyms line; 1 if it is a text symbol (name and module are
 * pointers into `line`, which is modified), 0 otherwise. */
int ksyms_parse_line(char *line, uint64_t *addr, char **name, char **module);

/* The symbol containing addr (the nearest at or below), or NULL. */
const struct ksym *ksyms_find(const struct ksyms *k, uint64_t addr);

void ksyms_free(struct ksyms *k);

#endif
