/* SPDX-License-Identifier: GPL-2.0 */
/* The output formats of `perfpilot profile`, by name or by file name. */
#ifndef PP_PROF_FORMAT_H
#define PP_PROF_FORMAT_H

enum prof_format {
	FMT_DEFAULT = 0, /* not chosen: from the -o file name, else folded */
	FMT_FOLDED,
	FMT_PPROF,
	FMT_SPEEDSCOPE,
	FMT_SVG,
};

/* "folded", "pprof", "speedscope" or "svg"; FMT_DEFAULT for anything else. */
enum prof_format prof_format_parse(const char *name);

/* The format a file name asks for (case-insensitive): .pb.gz and .pprof
 * pprof, .json (such as .speedscope.json) speedscope, .svg svg; anything
 * else, and NULL (stdout), folded. */
enum prof_format prof_format_for_file(const char *path);

#endif
