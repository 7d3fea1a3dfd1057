/* SPDX-License-Identifier: GPL-2.0 */
/* Renderers of a comparison of two recordings (perfpilot diff). */
#ifndef PP_REPORT_DIFF_H
#define PP_REPORT_DIFF_H

#include <jansson.h>
#include <stdio.h>
#include "findings/compare.h"

/* The profile part of a diff: folded diff text and the stacks that grew. */
struct profile_diff {
	char *folded;        /* "stack base current" lines, or NULL */
	double base_total, cur_total;
};

/* {"baseline": meta, "current": meta, "threshold_pct", "alpha",
 *  "regressions", "metrics": [...], "processes": {...}, "profile"} */
json_t *diff_json(const struct recording *base, const struct recording *cur,
		  const struct comparison *c, const struct profile_diff *pd);

void diff_text(FILE *out, const struct recording *base, const struct recording *cur,
	       const struct comparison *c, const struct profile_diff *pd);

#endif
