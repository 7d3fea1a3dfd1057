// SPDX-License-Identifier: GPL-2.0
/* The tuner's config file (tune/config.c): config_parse, then the lookups
 * the tuner makes of what it read. */
#include "fuzz.h"
#include "tune/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tune_config c;
	FILE *f = fuzz_stream(data, size);
	char err[256];

	config_defaults(&c);
	if (!config_parse(&c, f, "fuzz.conf", err, sizeof(err))) {
		config_cgroup_allowed(&c, "/system.slice/x.service");
		config_allows(&c, "cpu_weight");
		config_cooldown(&c, "cpu_weight");
		config_verify_window(&c, "dirty_pages");
		config_tunable(&c, "tcp_buffers");
	}
	config_free(&c);
	fclose(f);
	return 0;
}
