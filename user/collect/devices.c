// SPDX-License-Identifier: GPL-2.0
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "collect/devices.h"
#include "live/output.h"
#include "collect/proc_sample.h"

#define DEV_MAJOR(d) ((d) >> 20)
#define DEV_MINOR(d) ((d) & ((1u << 20) - 1))

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

char *dev_json(const struct dev_sample *d, double ts, double interval_s)
{
	char devno[32];

	snprintf(devno, sizeof(devno), "%u:%u", DEV_MAJOR(d->dev), DEV_MINOR(d->dev));
	return json_line(json_pack("{s:s, s:f, s:f, s:s, s:s, s:I, s:I, s:I, s:I, s:o, s:o, s:I, s:I}",
		      "type", "device", "ts", round(ts * 1000) / 1000,
		      "interval_s", round(interval_s * 1000) / 1000,
		      "device", d->name, "dev", devno,
		      "read_bytes", (json_int_t)d->read_bytes, "write_bytes", (json_int_t)d->write_bytes,
		      "read_ops", (json_int_t)d->read_ops, "write_ops", (json_int_t)d->write_ops,
		      "lat_us", hist_json(&d->lat_us), "queue_us", hist_json(&d->queue_us),
		      "inflight", (json_int_t)d->inflight, "inflight_peak", (json_int_t)d->inflight_peak));
}

/* DEVICE(12) RD_MB/s(8) WR_MB/s(8) R/s(7) W/s(7) LATp50(8) LATp99(8) QUEp99(8) INFL(5) PEAK(5) */
#define DEV_FMT "%-12.12s %8s %8s %7s %7s %8s %8s %8s %4s %4s\n"

void dev_table_header(FILE *f)
{
	fprintf(f, DEV_FMT, "DEVICE", "RD_MB/s", "WR_MB/s", "R/s", "W/s", "LATp50us", "LATp99us",
		"QUEp99us", "INFL", "PEAK");
}

void dev_table_row(FILE *f, const struct dev_sample *d, double interval_s)
{
	char rb[16], wb[16], r[16], w[16], p50[16], p99[16], q99[16], in[16], pk[16];
	double sec = interval_s > 0 ? interval_s : 1;

	fmt_num(rb, sizeof(rb), (double)d->read_bytes / 1e6 / sec, 8);
	fmt_num(wb, sizeof(wb), (double)d->write_bytes / 1e6 / sec, 8);
	fmt_count(r, sizeof(r), (uint64_t)llround((double)d->read_ops / sec));
	fmt_count(w, sizeof(w), (uint64_t)llround((double)d->write_ops / sec));
	fmt_count(p50, sizeof(p50), (uint64_t)llround(d->lat_us.p50));
	fmt_count(p99, sizeof(p99), (uint64_t)llround(d->lat_us.p99));
	fmt_count(q99, sizeof(q99), (uint64_t)llround(d->queue_us.p99));
	fmt_count(in, sizeof(in), (uint64_t)d->inflight);
	fmt_count(pk, sizeof(pk), (uint64_t)d->inflight_peak);
	fprintf(f, DEV_FMT, d->name, rb, wb, r, w, p50, p99, q99, in, pk);
}
