/*
 * touchmem: map MIB MiB of fresh anonymous memory (no transparent huge pages),
 * write one byte to every page, print the kernel's own accounting as one JSON
 * line, then stay alive HOLD_SECONDS so the resident set can be observed.
 *
 *   touchmem [-w] MIB HOLD_SECONDS
 *
 *   -w  wait for SIGUSR1 before mapping; counters are deltas since then
 *
 * Output fields: pid, mib, pages (pages touched), minflt/majflt (getrusage
 * RUSAGE_SELF, since the start), rss_bytes (/proc/self/statm resident),
 * hwm_bytes (VmHWM from /proc/self/status).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include "workload.h"

static void die(const char *msg)
{
	fprintf(stderr, "touchmem: %s: %s\n", msg, strerror(errno));
	exit(1);
}

static unsigned long long vm_hwm_bytes(void)
{
	char line[256];
	unsigned long long kib = 0;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		die("/proc/self/status");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %llu kB", &kib) == 1)
			break;
	fclose(f);
	return kib * 1024;
}

int main(int argc, char **argv)
{
	struct rusage ru0, ru1;
	unsigned long long size, resident = 0, hwm;
	long page = sysconf(_SC_PAGESIZE);
	double hold;
	int wait;
	char *p;
	FILE *f;

	if (parse_wait_option(argc, argv, &wait) != argc - 2)
		goto usage;
	size = strtoull(argv[optind], NULL, 10) << 20;
	hold = atof(argv[optind + 1]);
	if (size == 0)
		goto usage;

	if (wait_for_start(wait))
		die("sigwait");
	getrusage(RUSAGE_SELF, &ru0);

	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap");
	if (madvise(p, size, MADV_NOHUGEPAGE) != 0)
		die("madvise");
	for (unsigned long long off = 0; off < size; off += page)
		p[off] = 1;

	getrusage(RUSAGE_SELF, &ru1);
	f = fopen("/proc/self/statm", "r");
	if (!f || fscanf(f, "%*u %llu", &resident) != 1)
		die("/proc/self/statm");
	fclose(f);
	hwm = vm_hwm_bytes();

	printf("{\"pid\":%d,\"mib\":%llu,\"pages\":%llu,\"minflt\":%ld,"
	       "\"majflt\":%ld,\"rss_bytes\":%llu,\"hwm_bytes\":%llu}\n",
	       getpid(), size >> 20, size / page,
	       ru1.ru_minflt - ru0.ru_minflt, ru1.ru_majflt - ru0.ru_majflt,
	       resident * page, hwm);
	fflush(stdout);

	if (hold > 0) {
		struct timespec ts = { (time_t)hold,
				       (long)((hold - (time_t)hold) * 1e9) };

		sleep_fully(ts);
	}
	return 0;

usage:
	fprintf(stderr, "usage: touchmem [-w] MIB HOLD_SECONDS\n");
	return 2;
}
