// SPDX-License-Identifier: GPL-2.0
/* The daemon's config file (daemon/config.c) as the daemon loads it at
 * start and on SIGHUP: daemon_config_load of the file, then a reload. */
#include "fuzz.h"
#include "daemon/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_path(data, size, "perfpilot.conf");
	const struct daemon_overrides ov = {0};
	struct daemon_config c, next;
	char err[512];

	if (daemon_config_load(&c, path, &ov, err, sizeof(err)) == DCONFIG_BAD)
		return 0;
	if (!daemon_config_reload(&c, &next, NULL, &ov, err, sizeof(err)))
		daemon_config_free(&next);
	daemon_config_free(&c);
	return 0;
}
