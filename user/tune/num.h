/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Numbers for the tuner: strict int64 and double parsing (the whole string,
 * with overflow checks) and saturating int64 arithmetic, so that no value
 * read from the host or a config file can wrap around.
 */
#ifndef PP_TUNE_NUM_H
#define PP_TUNE_NUM_H

#include <stdint.h>

/*
 * A decimal integer, optionally signed, that is the whole of s (no blanks,
 * no trailing text) and fits an int64. 0, or -1 (errno ERANGE on overflow,
 * EINVAL otherwise) leaving *out alone.
 */
int num_parse_i64(const char *s, int64_t *out);

/* A finite decimal number that is the whole of s. 0 or -1. */
int num_parse_double(const char *s, double *out);

/* a + b, a - b and a * b, clamped to [INT64_MIN, INT64_MAX]. */
int64_t num_sat_add(int64_t a, int64_t b);
int64_t num_sat_sub(int64_t a, int64_t b);
int64_t num_sat_mul(int64_t a, int64_t b);

/*
 * a * f and a / f rounded to the nearest integer (halves away from 0) and
 * clamped to the int64 range, for a finite f > 0 (else a).
 */
int64_t num_sat_scale(int64_t a, double f);
int64_t num_sat_divide(int64_t a, double f);

/* v clamped to [lo, hi] (lo <= hi). */
int64_t num_clamp(int64_t v, int64_t lo, int64_t hi);

#endif
