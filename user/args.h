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

/* A time as given: absolute (unix seconds) or relative to the recording's
 * end ("-10m") or start ("+30s"). */
struct time_arg {
	bool set;
	char rel;     /* 0 absolute, '-' from the end, '+' from the start */
	double value; /* unix seconds, or seconds of offset */
};

/*
 * "1764590400", "1764590400.5", "2026-12-01T12:00:00Z" (also with a space,
 * without seconds, with +HH:MM, or without a zone: local time), "-10m",
 * "+30s". Returns 0, or -1 when s is none of these.
 */
int time_arg_parse(const char *s, struct time_arg *out);

/* The absolute time of an argument for a recording from start to end. */
double time_arg_resolve(const struct time_arg *a, double start, double end, double dflt);

#endif
