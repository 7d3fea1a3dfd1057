// SPDX-License-Identifier: GPL-2.0
/*
 * The bytes of a note section and of a .gnu_debuglink (debuginfo.c), as an
 * ELF file holds them: the first byte picks the alignment and byte order,
 * the rest is the section. The build ID found and the debuglink's name then
 * make the paths searched for the debug file.
 */
#include "fuzz.h"
#include "symbols/debuginfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t aligns[] = { 0, 1, 4, 8 };
	static char paths[8][DEBUGLINK_PATH_MAX];
	const char *const dirs[] = { "/usr/lib/debug", "/opt/debug" };
	char hex[BUILD_ID_HEX], name[256], out[PATH_MAX];
	bool big;
	uint32_t crc;
	size_t align;

	if (!size)
		return 0;
	align = aligns[data[0] & 3];
	big = data[0] & 4;
	data++;
	size--;
	if (!note_build_id(data, size, align, big, hex, sizeof(hex)))
		build_id_path("/usr/lib/debug", hex, out, sizeof(out));
	if (!debuglink_parse(data, size, big, name, sizeof(name), &crc))
		debuglink_paths(dirs, 2, "/usr/bin/prog", name, paths, 8);
	/* a short hex, and a link name beside the binary's own */
	note_build_id(data, size, align, big, hex, 5);
	if (!debuglink_parse(data, size, big, name, 8, &crc))
		debuglink_paths(dirs, 2, name, name, paths, 3);
	return 0;
}
