// SPDX-License-Identifier: GPL-2.0
/* /proc/PID/maps lines (process.c): maps_parse_line on each line, and the
 * file offset of the addresses of those it accepts. */
#include "fuzz.h"
#include "symbols/process.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size), *line = text, *nl;
	struct map_entry e;
	char path[256];

	do {
		nl = strchr(line, '\n');
		if (nl)
			*nl = 0;
		if (!maps_parse_line(line, &e)) {
			map_file_offset(&e, e.start);
			map_file_offset(&e, e.end - 1);
			map_files_path(1, &e, path, sizeof(path));
		}
		if (nl)
			line = nl + 1;
	} while (nl);
	free(text);
	return 0;
}
