/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PERFPILOT_KEPTBUF_H
#define PERFPILOT_KEPTBUF_H

#include <stddef.h>

/*
 * Buffers the collector keeps from one read to the next, sized for full
 * maps: their pages are touched only as far as a read fills them, and stay
 * resident after a read that filled more than the ones since (a burst of
 * short-lived processes). keptbuf_used() gives back the pages between what
 * this read used and the most that earlier reads used, once that is at
 * least KEPTBUF_SLACK bytes; *high is the caller's high-water mark (bytes),
 * 0 at first. Returns the bytes given back.
 */
#define KEPTBUF_SLACK (1u << 20)

size_t keptbuf_used(void *buf, size_t size, size_t used, size_t *high);

#endif
