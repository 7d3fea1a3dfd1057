/*
 * nofp_threads: two threads started on thread_work(), each calling
 * thread_hot() in a loop for SECONDS while main waits for them. Built at -O2
 * without frame pointers (as distributions build), so that its threads'
 * stacks unwind only with .eh_frame: clone3;start_thread;thread_work;
 * thread_hot, where frame pointers lose the callers of the leaf.
 *
 *   nofp_threads [-w] SECONDS
 *
 *   -w  wait for SIGUSR1 before starting (so a profiler can attach first)
 *
 * Prints one JSON line at the end: pid, seconds, cpu_s, threads.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "workload.h"

#define THREADS 2
#define UNIT 20000

static volatile unsigned long sink;

__attribute__((noinline, noclone)) static unsigned long thread_hot(unsigned long x, long n)
{
	for (long i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		__asm__ volatile("" : "+r"(x));
	}
	return x;
}

static void *thread_work(void *arg)
{
	double end = *(const double *)arg;
	unsigned long x = 88172645463325252UL ^ (unsigned long)pthread_self();

	while (now_seconds() < end)
		x = thread_hot(x, UNIT);
	sink = x;
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[THREADS];
	double seconds, end;
	int wait, i;

	if (parse_wait_seconds(argc, argv, &wait, &seconds))
		goto usage;
	if (wait_for_start(wait))
		return 1;
	end = now_seconds() + seconds;
	for (i = 0; i < THREADS; i++)
		if (pthread_create(&t[i], NULL, thread_work, &end))
			return 1;
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	printf("{\"pid\":%d,\"seconds\":%s,\"cpu_s\":%.3f,\"threads\":%d}\n", getpid(),
	       argv[optind], cpu_seconds(), THREADS);
	return 0;
usage:
	fprintf(stderr, "usage: nofp_threads [-w] SECONDS\n");
	return 2;
}
