/*
 * vdso: a program that spends its time reading the clock, which the kernel
 * serves from the vDSO (code it maps into every process, with no file
 * behind it), for SECONDS of wall time.
 *
 *   vdso [-w] SECONDS
 *
 *   -w  wait for SIGUSR1 before starting (so a profiler can attach first)
 *
 * Prints one JSON line at the end: pid, seconds, calls.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "workload.h"

int main(int argc, char **argv)
{
	unsigned long calls = 0;
	struct timespec ts;
	double seconds, end;
	int wait;

	if (parse_wait_seconds(argc, argv, &wait, &seconds))
		goto usage;
	if (wait_for_start(wait))
		return 1;
	end = now_seconds() + seconds;
	/* the clock read in main, so that its samples are main -> vDSO */
	do {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		calls++;
	} while (ts.tv_sec + ts.tv_nsec / 1e9 < end);
	printf("{\"pid\":%d,\"seconds\":%s,\"cpu_s\":%.3f,\"calls\":%lu}\n", getpid(),
	       argv[optind], cpu_seconds(), calls);
	return 0;
usage:
	fprintf(stderr, "usage: vdso [-w] SECONDS\n");
	return 2;
}
