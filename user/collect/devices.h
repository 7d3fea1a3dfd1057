/* SPDX-License-Identifier: GPL-2.0 */
/* Per-disk block IO: interval differences and names. */
#ifndef PP_DEVICES_H
#define PP_DEVICES_H

#include <stddef.h>
#include <stdint.h>
#include "collect/hist.h"
#include "perfpilot.h"

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

/* "vda" from /sys/dev/block/MAJ:MIN/uevent, else "MAJ:MIN". */
void dev_name(uint32_t dev, char *buf, size_t len);

/* One JSON line (type "device"), malloc'd. */
char *dev_json(const struct dev_sample *d, double ts, double interval_s);

/* The device table (fits 80 columns). */
void dev_table_header(FILE *f);
void dev_table_row(FILE *f, const struct dev_sample *d, double interval_s);

#endif
