// SPDX-License-Identifier: GPL-2.0
/* The output formats of `perfpilot profile` (see prof_format.h). */
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include "formats/prof_format.h"

static const char *const names[] = {
	[FMT_FOLDED] = "folded",
	[FMT_PPROF] = "pprof",
	[FMT_SPEEDSCOPE] = "speedscope",
	[FMT_SVG] = "svg",
};

enum prof_format prof_format_parse(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i] && name && !strcmp(name, names[i]))
			return (enum prof_format)i;
	return FMT_DEFAULT;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcasecmp(s + n - m, suffix);
}

enum prof_format prof_format_for_file(const char *path)
{
	if (!path)
		return FMT_FOLDED;
	if (ends_with(path, ".pb.gz") || ends_with(path, ".pprof"))
		return FMT_PPROF;
	if (ends_with(path, ".json"))
		return FMT_SPEEDSCOPE;
	if (ends_with(path, ".svg"))
		return FMT_SVG;
	return FMT_FOLDED;
}
