// SPDX-License-Identifier: GPL-2.0
/* Inlined functions from DWARF (inlines.h). */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "symbols/inlines.h"

/*
 * The answers of the last lookups, direct-mapped by address: a profile
 * asks for the same hot addresses interval after interval, and a libdw
 * lookup walks the compile unit's tree (a third of `record -a --profile`'s
 * CPU time on a busy host before this cache).
 */
#define INLINES_CACHE 256         /* entries, a power of two */
#define INLINES_CACHE_NAMES 8     /* names an entry keeps (lookups of more pass by) */

struct inl_entry {
	uint64_t vaddr;
	bool valid;
	unsigned char n;
	const char *names[INLINES_CACHE_NAMES];
};

struct inlines {
	int fd;
	Dwarf *dw;
	struct inl_entry *cache; /* INLINES_CACHE of them, from the first lookup */
	unsigned long hits, misses;
};

struct inlines *inlines_open(const char *path)
{
	struct inlines *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (d->fd < 0 || !(d->dw = dwarf_begin(d->fd, DWARF_C_READ))) {
		if (d->fd >= 0)
			close(d->fd);
		free(d);
		return NULL;
	}
	return d;
}

/* The name of an inlined subroutine: its own, or its abstract origin's. */
static const char *scope_name(Dwarf_Die *die)
{
	Dwarf_Attribute a;

	return dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &a));
}

/*
 * The DIEs are walked here rather than through dwarf_getscopes, which
 * leaks its array inside libdw when it meets malformed DWARF (found by
 * tests/fuzz/fuzz_inlines) and a daemon reads the DWARF of any process.
 * Nesting deeper than this is not followed (real programs stay far below;
 * a malformed file loses its inner names, or loops through its imports).
 */
#define INLINES_MAX_DEPTH 64

/* The scopes with no addresses of their own that may hold functions
 * (C++ namespaces and classes, Fortran modules), and the partial units
 * that dwz moves DIEs into (DW_TAG_imported_unit, followed to its unit). */
static bool holds_functions(Dwarf_Die *die, Dwarf_Die *into)
{
	Dwarf_Attribute a;

	switch (dwarf_tag(die)) {
	case DW_TAG_namespace:
	case DW_TAG_module:
	case DW_TAG_class_type:
	case DW_TAG_structure_type:
	case DW_TAG_union_type:
		*into = *die;
		return true;
	case DW_TAG_imported_unit:
		return dwarf_formref_die(dwarf_attr(die, DW_AT_import, &a), into) != NULL;
	default:
		return false;
	}
}

/*
 * The innermost inlined subroutine around vaddr among parent's
 * descendants into names[0] (*k = 1), when max allows one. Returns whether
 * a DIE holding vaddr was found (the function, even with nothing inlined
 * there).
 */
static bool walk(Dwarf_Die *parent, uint64_t vaddr, const char **names, size_t *k, size_t max,
		 int depth)
{
	Dwarf_Die child, inner;

	if (depth >= INLINES_MAX_DEPTH || dwarf_child(parent, &child) != 0)
		return false;
	do {
		if (dwarf_haspc(&child, vaddr) > 0) {
			/* the innermost only, as dwarf_getscopes answered: its
			 * scopes stop at the innermost inlined instance */
			if (dwarf_tag(&child) == DW_TAG_inlined_subroutine && max) {
				const char *name = scope_name(&child);

				names[0] = name ? name : "[unknown]";
				*k = 1;
			}
			walk(&child, vaddr, names, k, max, depth + 1);
			return true;
		}
		if (holds_functions(&child, &inner) &&
		    walk(&inner, vaddr, names, k, max, depth + 1))
			return true;
	} while (dwarf_siblingof(&child, &child) == 0);
	return false;
}

static size_t lookup(struct inlines *d, uint64_t vaddr, const char **names, size_t max)
{
	Dwarf_Die cu;
	size_t k = 0;

	if (!dwarf_addrdie(d->dw, vaddr, &cu))
		return 0;
	walk(&cu, vaddr, names, &k, max, 0);
	return k;
}

size_t inlines_at(struct inlines *d, uint64_t vaddr, const char **names, size_t max)
{
	struct inl_entry *e;
	size_t k;

	if (!d || !max)
		return 0;
	if (max > INLINES_CACHE_NAMES)
		return lookup(d, vaddr, names, max);
	if (!d->cache && !(d->cache = calloc(INLINES_CACHE, sizeof(*d->cache))))
		return lookup(d, vaddr, names, max);
	e = &d->cache[(vaddr * 0x9E3779B97F4A7C15ULL) >> 56 & (INLINES_CACHE - 1)];
	if (e->valid && e->vaddr == vaddr) {
		d->hits++;
		k = e->n < max ? e->n : max;
		memcpy(names, e->names, k * sizeof(*names));
		return k;
	}
	d->misses++;
	k = lookup(d, vaddr, e->names, INLINES_CACHE_NAMES);
	e->vaddr = vaddr;
	e->n = (unsigned char)k;
	e->valid = true;
	k = k < max ? k : max;
	memcpy(names, e->names, k * sizeof(*names));
	return k;
}

void inlines_cache_stats(const struct inlines *d, unsigned long *hits, unsigned long *misses)
{
	*hits = d ? d->hits : 0;
	*misses = d ? d->misses : 0;
}

void inlines_close(struct inlines *d)
{
	if (!d)
		return;
	dwarf_end(d->dw);
	close(d->fd);
	free(d->cache);
	free(d);
}
