// SPDX-License-Identifier: GPL-2.0
/* Symbol demangling through libiberty (demangle.h). */
#include <stdlib.h>
#include <string.h>
#include <libiberty/demangle.h>
#include "symbols/demangle.h"

bool demangle_wanted(const char *name)
{
	return name[0] == '_' && (name[1] == 'Z' || name[1] == 'R');
}

void demangle_strip_rust_hash(char *name)
{
	size_t n = strlen(name);

	if (n > 19 && !strncmp(name + n - 19, "::h", 3) &&
	    strspn(name + n - 16, "0123456789abcdef") == 16)
		name[n - 19] = '\0';
}

char *demangle(const char *name)
{
	char *r;

	if (!demangle_wanted(name))
		return NULL;
	/* AUTO: GNU v3 for C++, and Rust's legacy and v0 schemes (hashes are
	 * left out unless DMGL_VERBOSE) */
	r = cplus_demangle(name, DMGL_PARAMS | DMGL_ANSI | DMGL_AUTO);
	if (r)
		demangle_strip_rust_hash(r);
	return r;
}
