/*
 * hot: a CPU-bound program with a known profile. main calls hot_a, hot_b and
 * hot_c in turn with 6, 3 and 1 units of the same work, so they take about
 * 60 %, 30 % and 10 % of its CPU time, for SECONDS of wall time. Built with
 * frame pointers so that stacks unwind as main -> hot_X.
 *
 *   hot [-w] SECONDS
 *
 *   -w  wait for SIGUSR1 before starting (so a profiler can attach first)
 *
 * Prints one JSON line at the end: pid, seconds, rounds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "workload.h"

#define UNIT 200000 /* iterations of one work unit (well under a millisecond) */

static volatile unsigned long sink;

static unsigned long work(unsigned long x, long n)
{
	for (long i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		__asm__ volatile("" : "+r"(x));
	}
	return x;
}

/*
 * Each hot function is its own copy of the loop, and calls finish() so that
 * it is not a leaf: gcc before 14 leaves the frame pointer out of leaf
 * functions even with -mno-omit-leaf-frame-pointer, and a sample inside such
 * a function would unwind past its caller.
 */
__attribute__((noinline)) static unsigned long finish(unsigned long x)
{
	__asm__ volatile("" : "+r"(x));
	return x;
}

/* Three functions with the same body, so that their shares of the CPU are
 * the shares of the iterations main gives them. */
#define HOT_FUNCTION(name)                                                     \
	__attribute__((noinline)) static unsigned long name(unsigned long x, long n) \
	{                                                                      \
		for (long i = 0; i < n; i++) {                                 \
			x ^= x << 13;                                          \
			x ^= x >> 7;                                           \
			x ^= x << 17;                                          \
			__asm__ volatile("" : "+r"(x));                        \
		}                                                              \
		return finish(x);                                              \
	}

HOT_FUNCTION(hot_a)
HOT_FUNCTION(hot_b)
HOT_FUNCTION(hot_c)

int main(int argc, char **argv)
{
	unsigned long x = 88172645463325252UL, rounds = 0;
	double seconds, end;
	int wait;

	if (parse_wait_seconds(argc, argv, &wait, &seconds))
		goto usage;
	if (wait_for_start(wait))
		return 1;
	x = work(x, 1000);
	end = now_seconds() + seconds;
	while (now_seconds() < end) {
		x = hot_a(x, 6 * UNIT);
		x = hot_b(x, 3 * UNIT);
		x = hot_c(x, 1 * UNIT);
		rounds++;
	}
	sink = x;
	printf("{\"pid\":%d,\"seconds\":%s,\"cpu_s\":%.3f,\"rounds\":%lu}\n", getpid(),
	       argv[optind], cpu_seconds(), rounds);
	return 0;
usage:
	fprintf(stderr, "usage: hot [-w] SECONDS\n");
	return 2;
}
