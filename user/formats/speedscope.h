/* SPDX-License-Identifier: GPL-2.0 */
/*
 * speedscope output: the JSON file format of https://www.speedscope.app
 * (file-format-schema.json). One "sampled" profile for all processes, each
 * stack under a root frame named after the thread (comm), as in the folded
 * output, so that totals per process show as the root's children. Weights
 * are nanoseconds: CPU time (samples x period) on-CPU, blocked time
 * off-CPU. Frames are named as in the folded output (kernel frames _[k]),
 * with their file.
 */
#ifndef PP_SPEEDSCOPE_H
#define PP_SPEEDSCOPE_H

#include <stdio.h>
#include <jansson.h>
#include "profile/stackset.h"

/* The profile as a speedscope JSON object (new reference), or NULL on no
 * memory. */
json_t *speedscope_json(const struct stackset *ss);

/* The profile as speedscope JSON to out. Returns 0 or -1. */
int speedscope_write(const struct stackset *ss, FILE *out);

#endif
