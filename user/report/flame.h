/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Flame graphs drawn as inline SVG from folded stacks, and differential
 * ones: two profiles in one tree, coloured by growth (red) and shrinkage
 * (blue) like Brendan Gregg's difffolded.
 */
#ifndef PP_FLAME_H
#define PP_FLAME_H

#include <stdbool.h>
#include <stdio.h>
#include "folded.h"

struct report_flame {
	char *name;
	double c[2];               /* samples of the two profiles (one: c[0]) */
	struct report_flame *child;  /* first child */
	struct report_flame *next;   /* next sibling */
};

/* Parse "stack count" lines into f (merged, sorted); malformed lines are
 * skipped. -1 on no memory. */
int report_folded_parse(const char *text, struct folded *f);

/* Add the stacks of f into the tree under root, counting into c[which]. */
int report_flame_add(struct report_flame *root, const struct folded *f, int which);

void report_flame_free(struct report_flame *root);

/* An SVG flame graph (root at the bottom) of width w. diff: widths by the
 * second profile, colours by the change of each frame's share. */
void report_flame_svg(FILE *out, const struct report_flame *root, bool diff, int w);

/*
 * "stack base_count current_count" lines for every stack of either
 * profile, sorted by stack (the input of difffolded-style tools). A
 * malloc'ed string, or NULL on no memory.
 */
char *report_folded_diff(const struct folded *base, const struct folded *cur);

/* XML/HTML escaping of text. */
void report_xml_escape(FILE *out, const char *s);

#endif
