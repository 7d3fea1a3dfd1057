// SPDX-License-Identifier: GPL-2.0
/*
 * A store file (store/), as report and diff load it: the input is written
 * to a file and loaded whole with the integrity check (report), then in
 * steps without it (diff's bounded points, the daemon's reads).
 */
#include <math.h>
#include "fuzz.h"
#include "store/recording.h"
#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_path(data, size, "fuzz.db");
	struct recording r;
	char err[512];

	memset(&r, 0, sizeof(r));
	if (!store_load(path, 0, INFINITY, &r, err, sizeof(err)))
		recording_free(&r);
	memset(&r, 0, sizeof(r));
	if (!store_load_points(path, 0, INFINITY, STORE_LOAD_NO_CHECK, 600, &r, err, sizeof(err)))
		recording_free(&r);
	return 0;
}
