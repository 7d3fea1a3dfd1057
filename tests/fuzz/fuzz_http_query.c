// SPDX-License-Identifier: GPL-2.0
/*
 * What a client of the daemon's HTTP endpoint sends that the daemon parses
 * itself (daemon/http_query.c, prom_negotiate.c): the input is a query
 * string and an Accept header, split at the first NUL; the values of the
 * profile's keys are decoded into buffers of the endpoints' sizes and of
 * one byte, the format is negotiated.
 */
#include "fuzz.h"
#include "daemon/http.h"
#include "daemon/prom.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "seconds", "pid", "cgroup", "", "a=b" };
	char *query = fuzz_string(data, size), v[4096 + 8], one[1];
	const char *accept = query + strlen(query) + (strlen(query) < size);

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		http_query_get(query, keys[i], v, sizeof(v));
		http_query_get(query, keys[i], one, sizeof(one));
	}
	prom_content_type(prom_negotiate(accept));
	prom_negotiate(query);
	free(query);
	return 0;
}
