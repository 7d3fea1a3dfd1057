/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The profilers' announcements (bpf/announce.bpf.h): the tgids of processes
 * sampled for the first time, read from their ring buffer so that their
 * symbols can be read while they still run.
 */
#ifndef PP_ANNOUNCE_H
#define PP_ANNOUNCE_H

#include <stdint.h>

struct announcer;

/* Read the ring buffer map map_fd; NULL (errno set) on failure. */
struct announcer *announcer_new(int map_fd);

/* Wait up to timeout_ms and call fn for each tgid announced. A NULL
 * announcer just sleeps. Returns how many, or -1 (a signal, an error). */
int announcer_poll(struct announcer *a, int timeout_ms, void (*fn)(void *ctx, uint32_t tgid),
		   void *ctx);

void announcer_free(struct announcer *a);

#endif
