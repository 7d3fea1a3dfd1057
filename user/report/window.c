// SPDX-License-Identifier: GPL-2.0
/* report --since / --until: cutting a recording to a window of time. */
#include <math.h>
#include "report/window.h"

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
