// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

/* The zone suffix of an ISO time: "Z", "+HH:MM", "+HHMM", "-HH"; seconds
 * east of UTC in *off. -1 when it is not one. */
static int zone(const char *s, long *off)
{
	int h = 0, m = 0, n = 0;

	if (!strcmp(s, "Z") || !strcmp(s, "z")) {
		*off = 0;
		return 0;
	}
	if ((s[0] != '+' && s[0] != '-') ||
	    (sscanf(s + 1, "%2d:%2d%n", &h, &m, &n) != 2 &&
	     sscanf(s + 1, "%2d%2d%n", &h, &m, &n) != 2 && sscanf(s + 1, "%2d%n", &h, &n) != 1))
		return -1;
	if (s[1 + n] || h > 23 || m > 59)
		return -1;
	*off = (s[0] == '-' ? -1 : 1) * (h * 3600L + m * 60L);
	return 0;
}

static int iso(const char *s, double *out)
{
	struct tm tm = {0};
	const char *p;
	double frac = 0;
	long off = 0;
	time_t t;

	p = strptime(s, "%Y-%m-%dT%H:%M", &tm);
	if (!p)
		p = strptime(s, "%Y-%m-%d %H:%M", &tm);
	if (!p)
		return -1;
	if (*p == ':') {
		char *end;

		if (!isdigit((unsigned char)p[1]))
			return -1;
		frac = strtod(p + 1, &end);
		if (frac >= 61)
			return -1;
		p = end;
	}
	if (*p) {
		if (zone(p, &off))
			return -1;
		t = timegm(&tm);
		*out = (double)t - off + frac;
		return 0;
	}
	tm.tm_isdst = -1;
	t = mktime(&tm);
	*out = (double)t + frac;
	return 0;
}

int time_arg_parse(const char *s, struct time_arg *out)
{
	char *end;
	double v;

	memset(out, 0, sizeof(*out));
	if (!s || !*s)
		return -1;
	if (s[0] == '-' || s[0] == '+') {
		if (parse_seconds(s + 1, &v))
			return -1;
		out->set = true;
		out->rel = s[0];
		out->value = v;
		return 0;
	}
	v = strtod(s, &end);
	if (end != s && !*end && isfinite(v) && v >= 0 && !strchr(s, '-')) {
		out->set = true;
		out->value = v;
		return 0;
	}
	if (iso(s, &v))
		return -1;
	out->set = true;
	out->value = v;
	return 0;
}

double time_arg_resolve(const struct time_arg *a, double start, double end, double dflt)
{
	if (!a->set)
		return dflt;
	if (a->rel == '-')
		return end - a->value;
	if (a->rel == '+')
		return start + a->value;
	return a->value;
}
