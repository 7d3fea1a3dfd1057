/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An interactive SVG flame graph, self-contained: the frames as rectangles
 * (width = weight, stacks merged by flametree), coloured by kind (user: warm,
 * kernel: orange, JIT: green, unknown: grey, thread: blue), with a tooltip
 * per frame, click to zoom, reset zoom, and search (a regular expression;
 * matches in magenta and their share of the total). No external resources:
 * it opens in any browser without a network. A differential graph draws
 * the widths of the current profile and colours each frame by the change
 * of its share since the baseline (ft_node.base): red grew, blue shrank.
 * The same SVG works as a file of its own and as an <svg> element inside
 * an HTML page: its style and script only touch their own graph.
 */
#ifndef PP_FLAMEGRAPH_H
#define PP_FLAMEGRAPH_H

#include <stdbool.h>
#include <stdio.h>
#include "formats/flametree.h"
#include "profile/stackset.h"

struct flamegraph_opts {
	const char *title;  /* NULL: "On-CPU flame graph" or "Off-CPU flame graph" */
	const char *host;   /* NULL: this host's name */
	unsigned int width; /* pixels; 0: 1200 */
	double min_px;      /* frames narrower than this are not drawn; 0: 0.1 */
	bool embedded;      /* inside an HTML page: no XML declaration */
	const char *id;     /* the <svg>'s id, unique in its page; NULL: "flamegraph" */
};

/* What the weights of a tree are, for the titles and tooltips. */
struct flamegraph_meta {
	enum ss_kind kind;   /* weights: samples (on-CPU) or microseconds (off-CPU) */
	uint64_t period_ns;  /* on-CPU: time per sample; 0: not known */
	uint64_t events;     /* off-CPU: blocking events */
	unsigned int hz;
	double start_unix, duration_s; /* 0: not known */
	bool diff;           /* differential: the tree has baseline weights */
};

/* Draw a finished tree (ft_finish; ft_prune is done here). Returns 0 or -1
 * on a write error. */
int flamegraph_svg(struct flametree *t, const struct flamegraph_meta *m,
		   const struct flamegraph_opts *o, FILE *out);

/* A stack set as a flame graph; o may be NULL. Returns 0 or -1. */
int flamegraph_write(const struct stackset *ss, const struct flamegraph_opts *o, FILE *out);

#endif
