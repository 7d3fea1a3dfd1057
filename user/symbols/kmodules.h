/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which kernel modules are loaded, and where: a signature of /proc/modules
 * (each module's name and address; not its reference counts, which move
 * all the time), so that a profiler which stays on reads /proc/kallsyms
 * again when a module was loaded or unloaded since, and names the new
 * module's functions instead of the nearest older symbol.
 */
#ifndef PP_KMODULES_H
#define PP_KMODULES_H

#include <stdint.h>
#include <stdio.h>

/* The signature of a /proc/modules text: 0 for none (no modules, or a
 * kernel without them). Lines that are not a module's are skipped. */
uint64_t kmodules_signature(FILE *f);

/* The signature of /proc/modules now (0 when it cannot be read). */
uint64_t kmodules_signature_now(void);

#endif
