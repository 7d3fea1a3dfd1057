// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include "collect/devices.h"
#include "collect/proc_sample.h"

static uint64_t delta(uint64_t cur, uint64_t prev)
{
	return cur >= prev ? cur - prev : 0;
}

size_t dev_diff(const struct dev_raw *prev, size_t nprev, const struct dev_raw *cur, size_t ncur,
		struct dev_sample *out)
{
	static const struct pp_dev_stats zero;
	size_t i, j = 0, n = 0;

	for (i = 0; i < ncur; i++) {
		const struct pp_dev_stats *a = &cur[i].st, *b = &zero;
		struct dev_sample *d = &out[n];
		uint32_t lat[PP_HIST_SLOTS], queue[PP_HIST_SLOTS];

		while (j < nprev && prev[j].dev < cur[i].dev)
			j++;
		if (j < nprev && prev[j].dev == cur[i].dev)
			b = &prev[j].st;
		memset(d, 0, sizeof(*d));
		d->dev = cur[i].dev;
		d->read_bytes = delta(a->read_bytes, b->read_bytes);
		d->write_bytes = delta(a->write_bytes, b->write_bytes);
		d->read_ops = delta(a->read_ops, b->read_ops);
		d->write_ops = delta(a->write_ops, b->write_ops);
		d->inflight = a->inflight > 0 ? a->inflight : 0;
		d->inflight_peak = a->inflight_max;
		hist_delta(a->lat_hist, b->lat_hist, lat);
		hist_delta(a->queue_hist, b->queue_hist, queue);
		hist_summarize(lat, PP_HIST_SLOTS, interval_max_us(lat, a->lat_max_ns, b->lat_max_ns),
			       &d->lat_us);
		/* queue maxima are not kept per device: bound by the histogram */
		hist_summarize(queue, PP_HIST_SLOTS, interval_max_us(queue, UINT64_MAX, UINT64_MAX),
			       &d->queue_us);
		dev_name(d->dev, d->name, sizeof(d->name));
		n++;
	}
	return n;
}

void dev_stats_add(struct pp_dev_stats *sum, const struct pp_dev_stats *add)
{
	int i;

	sum->read_bytes += add->read_bytes;
	sum->write_bytes += add->write_bytes;
	sum->read_ops += add->read_ops;
	sum->write_ops += add->write_ops;
	sum->inflight += add->inflight;
	if (add->inflight_max > sum->inflight_max)
		sum->inflight_max = add->inflight_max;
	if (add->lat_max_ns > sum->lat_max_ns)
		sum->lat_max_ns = add->lat_max_ns;
	for (i = 0; i < PP_HIST_SLOTS; i++) {
		sum->lat_hist[i] += add->lat_hist[i];
		sum->queue_hist[i] += add->queue_hist[i];
	}
}

void dev_name(uint32_t dev, char *buf, size_t len)
{
	char fn[96], line[128];
	FILE *f;

	snprintf(buf, len, "%u:%u", DEV_MAJOR(dev), DEV_MINOR(dev));
	snprintf(fn, sizeof(fn), "/sys/dev/block/%u:%u/uevent", DEV_MAJOR(dev), DEV_MINOR(dev));
	f = fopen(fn, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "DEVNAME=", 8)) {
			line[strcspn(line, "\n")] = 0;
			snprintf(buf, len, "%.31s", line + 8);
			break;
		}
	}
	fclose(f);
}
