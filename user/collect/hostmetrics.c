// SPDX-License-Identifier: GPL-2.0
/* Parsers for PSI, /proc/stat, /proc/meminfo, /proc/diskstats, cgroup values. */
#include <inttypes.h>
#include <string.h>
#include "collect/hostmetrics.h"

int psi_parse(FILE *f, struct psi_totals *out)
{
	char line[256];

	memset(out, 0, sizeof(*out));
	while (fgets(line, sizeof(line), f)) {
		const char *tot = strstr(line, "total=");
		uint64_t v;

		if (!tot || sscanf(tot, "total=%" SCNu64, &v) != 1)
			continue;
		if (!strncmp(line, "some ", 5)) {
			out->some_us = v;
			out->has_some = true;
		} else if (!strncmp(line, "full ", 5)) {
			out->full_us = v;
			out->has_full = true;
		}
	}
	return out->has_some || out->has_full ? 0 : -1;
}

int cpu_stat_parse(FILE *f, struct cpu_stat *out)
{
	char line[512];
	bool has_cpu = false;

	memset(out, 0, sizeof(*out));
	while (fgets(line, sizeof(line), f)) {
		uint64_t v[8] = {0};
		unsigned long long r;

		if (!strncmp(line, "cpu ", 4)) {
			/* user nice system idle iowait irq softirq steal */
			if (sscanf(line + 4, "%" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64
				   " %" SCNu64 " %" SCNu64 " %" SCNu64,
				   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) < 4)
				return -1;
			out->busy_ticks = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
			has_cpu = true;
		} else if (sscanf(line, "procs_running %llu", &r) == 1) {
			out->procs_running = r;
			out->has_running = true;
		}
	}
	return has_cpu ? 0 : -1;
}

int meminfo_parse(FILE *f, struct mem_info *out)
{
	char line[256];
	unsigned long long kb;
	bool has_total = false;

	memset(out, 0, sizeof(*out));
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "MemTotal: %llu kB", &kb) == 1) {
			out->total_bytes = (uint64_t)kb * 1024;
			has_total = true;
		} else if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1) {
			out->available_bytes = (uint64_t)kb * 1024;
			out->has_available = true;
		}
	}
	return has_total ? 0 : -1;
}

size_t diskstats_parse(FILE *f, struct disk_stat *out, size_t max)
{
	char line[512], name[64];
	size_t n = 0;

	while (n < max && fgets(line, sizeof(line), f)) {
		unsigned int major, minor;
		unsigned long long s[10];

		/* major minor name, then reads rmerged rsect rms writes wmerged
		 * wsect wms inflight io_ticks ... */
		if (sscanf(line, " %u %u %63s %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
			   &major, &minor, name, &s[0], &s[1], &s[2], &s[3], &s[4], &s[5], &s[6],
			   &s[7], &s[8], &s[9]) != 13)
			continue;
		if (strlen(name) >= sizeof(out[n].name))
			continue;
		memcpy(out[n].name, name, strlen(name) + 1);
		out[n].io_ticks_ms = s[9];
		n++;
	}
	return n;
}

int cg_value_parse(FILE *f, uint64_t *out)
{
	char buf[64];
	unsigned long long v;
	char extra;
	int k;

	*out = 0;
	if (!fgets(buf, sizeof(buf), f))
		return -1;
	if (!strncmp(buf, "max", 3) && (buf[3] == '\n' || buf[3] == 0))
		return 0;
	k = sscanf(buf, "%llu%c", &v, &extra);
	if (buf[0] < '0' || buf[0] > '9' || k < 1 || (k == 2 && extra != '\n'))
		return -1;
	if (v >= (1ull << 62))
		return 0;
	*out = v;
	return 1;
}
