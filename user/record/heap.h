/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PP_RECORD_HEAP_H
#define PP_RECORD_HEAP_H

#include <stddef.h>

/* Free heap a long-running recorder may leave mapped: about what one
 * interval's symbolizing frees and takes again */
#define HEAP_SLACK_BYTES (4u << 20)
/* and how often at most it gives the rest back */
#define HEAP_TRIM_GAP_S 30.0

/*
 * Give the heap's free pages back to the system, when more than `slack`
 * bytes of it are free and the last time was at least `gap_s` seconds ago
 * (the heap is the process's: one clock for all callers). Trimming after
 * every interval gives back pages that the next interval faults in again;
 * this bounds that work while a burst's free pages still go back within
 * `gap_s`. Returns whether it trimmed.
 */
int heap_give_back(size_t slack, double gap_s);

/* The decision alone: `now` and `last` (the last trim, or a large negative
 * number for none) in seconds, `free_bytes` free in the heap. */
int heap_trim_due(double now, double last, size_t free_bytes, size_t slack, double gap_s);

#endif
