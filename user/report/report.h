/* SPDX-License-Identifier: GPL-2.0 */
/* Renderers of findings: text for people, JSON for machines, an HTML page. */
#ifndef PP_REPORT_H
#define PP_REPORT_H

#include <jansson.h>
#include <stdio.h>
#include "findings/findings.h"
#include "store/recording.h"

/* {"meta": {...}, "findings": [...]}; NULL on no memory. */
json_t *report_json(const struct recording *r, const struct findings *fs);
json_t *report_meta_json(const struct recording *r);
json_t *finding_json(const struct finding *f);

/* A number for JSON: null when it is not finite. */
json_t *report_json_num(double v);
/* An entity kind's name in JSON: "host", "process", "cgroup", ... */
const char *report_kind_name(char k);

/* The findings for people, most severe first, lines of at most 80 columns. */
void report_text(FILE *out, const struct recording *r, const struct findings *fs);

/* One self-contained HTML page: findings, charts of the key series, the
 * profile as a flame graph. */
void report_html(FILE *out, const struct recording *r, const struct findings *fs);

/* The HTML report's capacity section (html_capacity.c): perfpilot
 * capacity's table, and a chart of each resource running out (its use, its
 * limit and the trend's line to it). */
void report_html_capacity(FILE *out, const struct recording *r);

/* What observing cost, for the header of every report: "perfpilot itself
 * (pid N): 1.20 s of CPU (0.02 CPUs), peak RSS 31 MiB; left out of victims
 * and culprits". "" when the store does not say (an older perfpilot). */
const char *report_self_cost(const struct recording *r, char *buf, size_t len);

/* The recording's interval for the header of a report: "1 s intervals",
 * or for a long window read in steps (store.h) "1 s intervals, read in 6 s
 * steps". */
const char *report_intervals(const struct recording *r, char *buf, size_t len);

/* The processes store_load folded into groups (store.h), for the header of
 * a report: "479,968 of 480,020 processes (each seen 4 s or less, none
 * among the top by a resource) folded into 1 group by command, parent and
 * cgroup"; "" when none were. */
const char *report_folded(const struct recording *r, char *buf, size_t len);

/* A value with its unit for people: "1.2 s", "3.4 MiB", "12 %" ... */
const char *report_value(double v, const char *unit, char *buf, size_t len);

#endif
