/*
 * wakeup: a latency-sensitive worker that wakes every PERIOD_US (default
 * 1000) and works BURST_US (default 300) of its own CPU time, for SECONDS,
 * measuring its own wake-up delay each time: how late it runs after the
 * absolute time its timer was set for (clock_nanosleep TIMER_ABSTIME).
 * Every REPORT seconds (default 1) it prints one JSON line of the delays
 * of that window; the protected process of the noisy-neighbour tests.
 *
 *   wakeup [-p PERIOD_US] [-b BURST_US] [-r REPORT_S] SECONDS
 *
 * Output, one line per window: t (unix seconds at its end), wakeups, p50_us,
 * p99_us, max_us (the delays, microseconds).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_SAMPLES 200000

static double now(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void work(double us)
{
	volatile unsigned long sink = 0;
	double end = now(CLOCK_THREAD_CPUTIME_ID) + us / 1e6;

	while (now(CLOCK_THREAD_CPUTIME_ID) < end)
		for (int i = 0; i < 200; i++)
			sink += i;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double quantile(double *v, size_t n, double q)
{
	size_t i;

	if (!n)
		return 0;
	i = (size_t)(q * (double)(n - 1) + 0.5);
	return v[i < n ? i : n - 1];
}

static void report(double *d, size_t n)
{
	qsort(d, n, sizeof(*d), cmp);
	printf("{\"t\":%.3f,\"wakeups\":%zu,\"p50_us\":%.1f,\"p99_us\":%.1f,\"max_us\":%.1f}\n",
	       now(CLOCK_REALTIME), n, quantile(d, n, 0.5), quantile(d, n, 0.99),
	       n ? d[n - 1] : 0);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	double period = 1000, burst = 300, every = 1, seconds, t0, next, window_end;
	static double delays[MAX_SAMPLES];
	size_t n = 0;
	int opt;

	while ((opt = getopt(argc, argv, "p:b:r:")) != -1) {
		if (opt == 'p')
			period = atof(optarg);
		else if (opt == 'b')
			burst = atof(optarg);
		else if (opt == 'r')
			every = atof(optarg);
		else
			goto usage;
	}
	if (optind != argc - 1 || period <= 0 || burst < 0 || burst >= period || every <= 0)
		goto usage;
	seconds = atof(argv[optind]);
	if (seconds <= 0)
		goto usage;
	t0 = next = now(CLOCK_MONOTONIC);
	window_end = t0 + every;
	while (next < t0 + seconds) {
		struct timespec ts;
		double t;

		next += period / 1e6;
		ts.tv_sec = (time_t)next;
		ts.tv_nsec = (long)((next - (double)ts.tv_sec) * 1e9);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
		t = now(CLOCK_MONOTONIC);
		if (n < MAX_SAMPLES)
			delays[n++] = (t - next) * 1e6;
		if (t - next > period / 1e6)
			next = t; /* behind: the next period starts now */
		work(burst);
		if (t >= window_end) {
			report(delays, n);
			n = 0;
			window_end += every;
		}
	}
	return 0;

usage:
	fprintf(stderr, "usage: wakeup [-p PERIOD_US] [-b BURST_US] [-r REPORT_S] SECONDS\n");
	return 2;
}
