/*
 * inlined: a CPU-bound program whose hot loop is an inlined function.
 * main calls outer_work (not inlined), into which the compiler inlines
 * inner_loop (always_inline): a profiler that reads DWARF shows
 * main -> outer_work -> inner_loop; one that reads only symbols shows
 * main -> outer_work. Runs for SECONDS of wall time.
 *
 *   inlined [-w] SECONDS
 *
 *   -w  wait for SIGUSR1 before starting (so a profiler can attach first)
 *
 * Prints one JSON line at the end: pid, seconds, rounds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "workload.h"

static volatile unsigned long sink;

static inline __attribute__((always_inline)) unsigned long inner_loop(unsigned long x, long n)
{
	for (long i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		__asm__ volatile("" : "+r"(x));
	}
	return x;
}

/* not a leaf (see hot.c): gcc before 14 leaves the frame pointer out of
 * leaf functions */
__attribute__((noinline)) static unsigned long finish(unsigned long x)
{
	__asm__ volatile("" : "+r"(x));
	return x;
}

__attribute__((noinline)) static unsigned long outer_work(unsigned long x, long n)
{
	x = inner_loop(x, n);
	return finish(x);
}

int main(int argc, char **argv)
{
	unsigned long x = 88172645463325252UL, rounds = 0;
	double seconds, end;
	int wait;

	if (parse_wait_seconds(argc, argv, &wait, &seconds))
		goto usage;
	if (wait_for_start(wait))
		return 1;
	end = now_seconds() + seconds;
	while (now_seconds() < end) {
		x = outer_work(x, 1000000);
		rounds++;
	}
	sink = x;
	printf("{\"pid\":%d,\"seconds\":%s,\"cpu_s\":%.3f,\"rounds\":%lu}\n", getpid(),
	       argv[optind], cpu_seconds(), rounds);
	return 0;
usage:
	fprintf(stderr, "usage: inlined [-w] SECONDS\n");
	return 2;
}
