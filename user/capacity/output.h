/* SPDX-License-Identifier: GPL-2.0 */
/* Capacity rows as text (a table, then each row's evidence) and as JSON. */
#ifndef PP_CAPACITY_OUTPUT_H
#define PP_CAPACITY_OUTPUT_H

#include <jansson.h>
#include <stdio.h>
#include "capacity/capacity.h"

/* {"meta": {"since", "until", "horizon_s", "source"}, "rows": [{scope, name,
 * resource, unit, used, limit, limit_source, peak, p95, growth_per_s,
 * growth_per_s_lo, growth_per_s_hi, growth_significant, exhaustion_s,
 * exhaustion_s_lo, exhaustion_s_hi, exhaustion_note, recommended_limit,
 * samples, since, until, evidence}, ...]}; NULL on no memory. Unknown
 * numbers are null. */
json_t *capacity_json(const struct cap_table *t, const char *source);

/* The table for people: one line per row, then the evidence. */
void capacity_text(FILE *f, const struct cap_table *t, const char *source);

#endif
