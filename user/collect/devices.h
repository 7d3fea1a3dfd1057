/* SPDX-License-Identifier: GPL-2.0 */
/* Per-disk block IO: interval differences and names. */
#ifndef PP_DEVICES_H
#define PP_DEVICES_H

#include <stddef.h>
#include <stdint.h>
#include "collect/hist.h"
#include "perfpilot.h"

/* The major and minor numbers of a PP_DEV_MKDEV device number. */
#define DEV_MAJOR(d) ((d) >> 20)
#define DEV_MINOR(d) ((d) & ((1u << 20) - 1))

struct dev_raw {
	uint32_t dev; /* PP_DEV_MKDEV(major, minor) */
	struct pp_dev_stats st;
};

struct dev_sample {
	uint32_t dev;
	char name[32];
	uint64_t read_bytes, write_bytes, read_ops, write_ops;
	int64_t inflight, inflight_peak;
	struct hist_summary lat_us, queue_us;
};

/* Interval differences of two snapshots sorted by dev; returns the count. */
size_t dev_diff(const struct dev_raw *prev, size_t nprev, const struct dev_raw *cur, size_t ncur,
		struct dev_sample *out);

/* Add a disk's counters from one CPU's slot (or another source) to sum:
 * counts and histograms added, the maxima kept; in flight added. */
void dev_stats_add(struct pp_dev_stats *sum, const struct pp_dev_stats *add);

/* "vda" from /sys/dev/block/MAJ:MIN/uevent, else "MAJ:MIN". */
void dev_name(uint32_t dev, char *buf, size_t len);

#endif
