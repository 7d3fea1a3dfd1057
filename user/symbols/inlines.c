// SPDX-License-Identifier: GPL-2.0
/* Inlined functions from DWARF (inlines.h). */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include "symbols/inlines.h"

struct inlines {
	int fd;
	Dwarf *dw;
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

size_t inlines_at(struct inlines *d, uint64_t vaddr, const char **names, size_t max)
{
	Dwarf_Die cu, *scopes = NULL;
	size_t k = 0;
	int n, i;

	if (!d || !max || !dwarf_addrdie(d->dw, vaddr, &cu))
		return 0;
	n = dwarf_getscopes(&cu, vaddr, &scopes);
	/* scopes[0] is the innermost; the CU the outermost */
	for (i = n - 1; i >= 0 && k < max; i--) {
		const char *name;

		if (dwarf_tag(&scopes[i]) != DW_TAG_inlined_subroutine)
			continue;
		name = scope_name(&scopes[i]);
		names[k++] = name ? name : "[unknown]";
	}
	free(scopes);
	return k;
}

void inlines_close(struct inlines *d)
{
	if (!d)
		return;
	dwarf_end(d->dw);
	close(d->fd);
	free(d);
}
