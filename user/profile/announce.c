// SPDX-License-Identifier: GPL-2.0
/* The profilers' announcements of new processes (see announce.h). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "profile/announce.h"

struct announcer {
	struct ring_buffer *rb;
	void (*fn)(void *ctx, uint32_t tgid);
	void *ctx;
};

static int on_tgid(void *ctx, void *data, size_t len)
{
	struct announcer *a = ctx;
	uint32_t tgid;

	if (len < sizeof(tgid) || !a->fn)
		return 0;
	memcpy(&tgid, data, sizeof(tgid));
	a->fn(a->ctx, tgid);
	return 0;
}

struct announcer *announcer_new(int map_fd)
{
	struct announcer *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->rb = ring_buffer__new(map_fd, on_tgid, a, NULL);
	if (!a->rb) {
		free(a);
		return NULL;
	}
	return a;
}

int announcer_poll(struct announcer *a, int timeout_ms, void (*fn)(void *ctx, uint32_t tgid),
		   void *ctx)
{
	int r;

	if (!a) {
		usleep((useconds_t)timeout_ms * 1000);
		return 0;
	}
	a->fn = fn;
	a->ctx = ctx;
	r = ring_buffer__poll(a->rb, timeout_ms);
	a->fn = NULL;
	return r < 0 ? -1 : r;
}

void announcer_free(struct announcer *a)
{
	if (!a)
		return;
	ring_buffer__free(a->rb);
	free(a);
}
