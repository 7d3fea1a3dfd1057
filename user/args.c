// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "args.h"

#define PID_MAX_LIMIT 4194304UL

int parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	unsigned long v;
	char *end;

	if (!s || *s < '0' || *s > '9') /* no sign, no blanks */
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int parse_pid_list(const char *s, uint32_t *pids, size_t max, size_t *n, char *err, size_t errlen)
{
	const char *p = s, *comma;
	char item[32];
	unsigned long v;
	size_t len;

	*n = 0;
	if (!s || !*s) {
		snprintf(err, errlen, "empty PID list");
		return -1;
	}
	for (;;) {
		comma = strchr(p, ',');
		len = comma ? (size_t)(comma - p) : strlen(p);
		if (len == 0 || len >= sizeof(item)) {
			snprintf(err, errlen, "bad PID list '%s': expected numbers separated by commas", s);
			return -1;
		}
		memcpy(item, p, len);
		item[len] = 0;
		if (parse_uint(item, 1, PID_MAX_LIMIT, &v)) {
			snprintf(err, errlen, "bad PID '%s' in '%s'", item, s);
			return -1;
		}
		if (*n >= max) {
			snprintf(err, errlen, "too many PIDs (at most %zu)", max);
			return -1;
		}
		pids[(*n)++] = (uint32_t)v;
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

int parse_seconds(const char *s, double *out)
{
	double v, mult = 1;
	char *end;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !isfinite(v))
		return -1;
	if (!strcmp(end, "") || !strcmp(end, "s"))
		mult = 1;
	else if (!strcmp(end, "ms"))
		mult = 0.001;
	else if (!strcmp(end, "m"))
		mult = 60;
	else if (!strcmp(end, "h"))
		mult = 3600;
	else
		return -1;
	v *= mult;
	if (!(v > 0) || v > 366.0 * 86400)
		return -1;
	*out = v;
	return 0;
}
