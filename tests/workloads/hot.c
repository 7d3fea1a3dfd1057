/*
 * hot: a CPU-bound program with a known profile. main calls hot_a, hot_b and
 * hot_c in turn with 6, 3 and 1 units of the same work, so they take about
 * 60 %, 30 % and 10 % of its CPU time, for SECONDS of wall time. Built with
 * frame pointers so that stacks unwind as main -> hot_X, and a second time
 * as hot_nofp at -O2 without them (as distributions build), whose stacks
 * unwind only with its .eh_frame.
 *
 *   hot [-w] SECONDS
 *
 *   -w  wait for SIGUSR1 before starting (so a profiler can attach first)
 *
 * Prints one JSON line at the end: pid, seconds, cpu_s, rounds, and
 * a_pct, b_pct, c_pct: each function's share of the three functions' CPU
 * time, measured with the thread's CPU clock around each call (the truth
 * the profiler's shares are compared with: close to 60/30/10, but the
 * caches and the CPU's frequency decide the exact split).
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
 * the shares of the iterations main gives them (noclone: at -O2, in the
 * build without frame pointers, gcc would otherwise specialise each for its
 * constant n under another name). */
#define HOT_FUNCTION(name)                                                     \
	__attribute__((noinline, noclone)) static unsigned long name(unsigned long x, long n) \
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

static double thread_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned long x = 88172645463325252UL, rounds = 0;
	double seconds, end, t0, t1, t2, t3, a = 0, b = 0, c = 0, sum;
	int wait;

	if (parse_wait_seconds(argc, argv, &wait, &seconds))
		goto usage;
	if (wait_for_start(wait))
		return 1;
	x = work(x, 1000);
	end = now_seconds() + seconds;
	while (now_seconds() < end) {
		t0 = thread_cpu();
		x = hot_a(x, 6 * UNIT);
		t1 = thread_cpu();
		x = hot_b(x, 3 * UNIT);
		t2 = thread_cpu();
		x = hot_c(x, 1 * UNIT);
		t3 = thread_cpu();
		a += t1 - t0;
		b += t2 - t1;
		c += t3 - t2;
		rounds++;
	}
	sink = x;
	sum = a + b + c > 0 ? a + b + c : 1;
	printf("{\"pid\":%d,\"seconds\":%s,\"cpu_s\":%.3f,\"rounds\":%lu,"
	       "\"a_pct\":%.1f,\"b_pct\":%.1f,\"c_pct\":%.1f}\n", getpid(), argv[optind],
	       cpu_seconds(), rounds, 100 * a / sum, 100 * b / sum, 100 * c / sum);
	return 0;
usage:
	fprintf(stderr, "usage: hot [-w] SECONDS\n");
	return 2;
}
