/* SPDX-License-Identifier: GPL-2.0 */
/* C++ and Rust symbol names made readable (libiberty's demangler). */
#ifndef PP_DEMANGLE_H
#define PP_DEMANGLE_H

#include <stdbool.h>
#include <stddef.h>

/* Whether name looks mangled (C++ "_Z...", Rust v0 "_R..."). */
bool demangle_wanted(const char *name);

/* The demangled form of name, with parameters for C++ ("ns::f(int)") and
 * without the hash of Rust's legacy scheme ("core::fmt::write"), newly
 * allocated; NULL when name is not mangled or on no memory. */
char *demangle(const char *name);

/* Remove a Rust legacy hash suffix ("::h" and 16 hex digits) from the end
 * of a demangled name, in place. */
void demangle_strip_rust_hash(char *name);

#endif
