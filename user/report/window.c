// SPDX-License-Identifier: GPL-2.0
/* report --since / --until: cutting a recording to a window of time. */
#include <math.h>
#include <string.h>
#include "report/window.h"

void report_trim(struct recording *r, double since, double until)
{
	double lo = INFINITY, hi = -INFINITY;
	size_t i, k, n;

	for (i = 0; i < r->n; i++) {
		struct series *s = &r->s[i];

		/* times ascend: the window is one run, from k */
		for (k = 0; k < s->n && s->t[k] < since; k++)
			;
		for (n = 0; k + n < s->n && s->t[k + n] <= until; n++)
			;
		if (k) {
			memmove(s->v, s->v + k, n * sizeof(*s->v));
			if (s->t_shared)
				s->t += k; /* the recording's times: not moved */
			else
				memmove(s->t, s->t + k, n * sizeof(*s->t));
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
