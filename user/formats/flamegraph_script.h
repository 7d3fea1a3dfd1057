/* SPDX-License-Identifier: GPL-2.0 */
/* The style sheet and the script of the SVG flame graph (flamegraph.c). */
#ifndef PP_FLAMEGRAPH_SCRIPT_H
#define PP_FLAMEGRAPH_SCRIPT_H

/* Rules scoped to an <svg class="flamegraph">, so that the graph can sit
 * inside an HTML page without styling the rest of it. */
extern const char flamegraph_style[];

/*
 * The body of a function run as the graph's <script> is parsed (the
 * caller wraps it: "(function () { var FG = {...}; BODY })();"). FG holds
 * the layout: width, pad, fontw (pixels per character), total (the root's
 * weight), match (the colour of search hits). Each frame is
 * <g class="fg-f" fg:x fg:w> in weight units with a <title> ("name\nstats"),
 * a <rect> and a <text>. Everything is looked up inside the script's own
 * <svg>, by class, so that several graphs fit in one page.
 */
extern const char flamegraph_script[];

#endif
