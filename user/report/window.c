// SPDX-License-Identifier: GPL-2.0
/* --since / --until: parsing times and cutting a recording to a window. */
#define _GNU_SOURCE
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "args.h"
#include "report/window.h"

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

void report_trim(struct recording *r, double since, double until)
{
	double lo = INFINITY, hi = -INFINITY;
	size_t i, k, n;

	for (i = 0; i < r->n; i++) {
		struct series *s = &r->s[i];

		for (k = 0, n = 0; k < s->n; k++) {
			if (s->t[k] < since || s->t[k] > until)
				continue;
			s->t[n] = s->t[k];
			s->v[n++] = s->v[k];
		}
		s->n = n;
		if (n) {
			lo = fmin(lo, s->t[0]);
			hi = fmax(hi, s->t[n - 1]);
		}
	}
	if (lo <= hi) {
		/* the first sample closes an interval that began one earlier */
		r->start = fmax(r->start, lo - (r->interval_s > 0 ? r->interval_s : 0));
		r->end = fmin(r->end, hi);
	} else {
		r->start = fmax(r->start, since);
		r->end = fmax(r->start, fmin(r->end, until));
	}
}
