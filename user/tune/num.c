// SPDX-License-Identifier: GPL-2.0
/* Strict number parsing and saturating int64 arithmetic (see num.h). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include "tune/num.h"

int num_parse_i64(const char *s, int64_t *out)
{
	long long v;
	char *end;

	if (!s || !(isdigit((unsigned char)*s) || *s == '-' || *s == '+')) {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno == ERANGE)
		return -1;
	if (end == s || *end || !isdigit((unsigned char)end[-1])) {
		errno = EINVAL;
		return -1;
	}
	*out = (int64_t)v;
	return 0;
}

int num_parse_double(const char *s, double *out)
{
	double v;
	char *end;

	if (!s || !*s || isspace((unsigned char)*s)) {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	v = strtod(s, &end);
	if (errno == ERANGE)
		return -1;
	if (end == s || *end || !isfinite(v)) {
		errno = EINVAL;
		return -1;
	}
	*out = v;
	return 0;
}

int64_t num_sat_add(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return b > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

int64_t num_sat_sub(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_sub_overflow(a, b, &r))
		return b < 0 ? INT64_MAX : INT64_MIN;
	return r;
}

int64_t num_sat_mul(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_mul_overflow(a, b, &r))
		return (a < 0) == (b < 0) ? INT64_MAX : INT64_MIN;
	return r;
}

/* A long double rounded to the nearest int64, saturating. */
static int64_t sat_round(long double r)
{
	/* long double keeps every int64 exactly on x86; the comparisons
	 * against +-2^63 are exact on any IEEE type */
	r = roundl(r);
	if (r >= 9223372036854775808.0L)
		return INT64_MAX;
	if (r < -9223372036854775808.0L)
		return INT64_MIN;
	return (int64_t)r;
}

int64_t num_sat_scale(int64_t a, double f)
{
	if (!isfinite(f) || f <= 0)
		return a;
	return sat_round((long double)a * (long double)f);
}

int64_t num_sat_divide(int64_t a, double f)
{
	if (!isfinite(f) || f <= 0)
		return a;
	return sat_round((long double)a / (long double)f);
}

int64_t num_clamp(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}
