/* SPDX-License-Identifier: GPL-2.0 */
/* Command-line values shared by the subcommands, and their parsers. */
#ifndef PP_ARGS_H
#define PP_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * "123,456" -> pids. Returns 0, or -1 with a message in err: empty items,
 * non-numbers, zero, values above the kernel's pid limit (4194304), more than
 * `max` entries.
 */
int parse_pid_list(const char *s, uint32_t *pids, size_t max, size_t *n, char *err, size_t errlen);

/* "10", "1.5", "250ms", "10s", "2m", "1h" -> seconds (> 0). -1 on error. */
int parse_seconds(const char *s, double *out);

/* Positive integer within [min, max]. -1 on error. */
int parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out);

#endif
