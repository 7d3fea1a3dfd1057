/* SPDX-License-Identifier: GPL-2.0 */
/*
 * JIT perf map files (/tmp/perf-PID.map): one "START SIZE name" line per
 * function, START and SIZE in hex with or without 0x, as written by
 * `node --perf-basic-prof`, the JVM's perf-map agents and the Erlang VM's
 * `+JPperf true`.
 */
#ifndef PP_PERFMAP_H
#define PP_PERFMAP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PERFMAP_NAME_MAX 1024

/* Parse one line. Returns 0 and fills start, size and name (the rest of the
 * line, which may hold spaces); 1 for a blank line; -1 when it is malformed
 * (no hex start or size, a zero size, a wrapping range, no name). */
int perfmap_parse_line(const char *line, uint64_t *start, uint64_t *size, char *name,
		       size_t len);

struct perfmap_sym {
	uint64_t start, size;
	size_t line; /* in the file, from 1 */
	char *name;
};

struct perfmap {
	struct perfmap_sym *syms; /* sorted by start */
	size_t n;
	size_t malformed;         /* lines that could not be parsed */
};

/* Read a whole map file. Later lines for the same start win (a JIT that
 * reuses an address writes the new name after the old). 0, or -1 on no
 * memory. */
int perfmap_load(struct perfmap *m, FILE *f);

/* The function holding addr, or NULL. */
const struct perfmap_sym *perfmap_find(const struct perfmap *m, uint64_t addr);

void perfmap_free(struct perfmap *m);

#endif
