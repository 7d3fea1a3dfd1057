/*
 * periodic: a worker that needs BURST ms of CPU every PERIOD ms (by
 * default 5 of 10: half a CPU), run for SECONDS; then prints its ground
 * truth as one JSON line. On a CPU shared with busy loops it falls behind
 * and waits in the run queue: the victim of the CPU-saturation tests.
 *
 *   periodic [-w] [-b BURST_MS] [-p PERIOD_MS] SECONDS
 *
 *   -w  wait for SIGUSR1 before starting (so a tracer can attach by pid)
 *
 * Output fields: pid, periods (started), late (periods that began after
 * their deadline), oncpu_ns and runq_wait_ns (/proc/self/schedstat deltas),
 * t_start, t_end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void die(const char *msg)
{
	fprintf(stderr, "periodic: %s: %s\n", msg, strerror(errno));
	exit(1);
}

static double now(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void schedstat(unsigned long long *oncpu, unsigned long long *runq)
{
	FILE *f = fopen("/proc/self/schedstat", "r");

	if (!f || fscanf(f, "%llu %llu", oncpu, runq) != 2)
		die("/proc/self/schedstat");
	fclose(f);
}

/* Burn `ms` of this thread's CPU time. */
static void work(double ms)
{
	volatile unsigned long sink = 0;
	double end = now(CLOCK_THREAD_CPUTIME_ID) + ms / 1000;

	while (now(CLOCK_THREAD_CPUTIME_ID) < end)
		for (int i = 0; i < 1000; i++)
			sink += i;
}

int main(int argc, char **argv)
{
	double burst = 5, period = 10, seconds, t0, next, t_start;
	unsigned long long on0, rq0, on1, rq1;
	unsigned long periods = 0, late = 0;
	int wait = 0, opt, sig;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	while ((opt = getopt(argc, argv, "wb:p:")) != -1) {
		if (opt == 'w')
			wait = 1;
		else if (opt == 'b')
			burst = atof(optarg);
		else if (opt == 'p')
			period = atof(optarg);
		else
			goto usage;
	}
	if (optind != argc - 1 || burst <= 0 || period <= burst)
		goto usage;
	seconds = atof(argv[optind]);
	if (seconds <= 0)
		goto usage;
	if (wait && sigwait(&set, &sig) != 0)
		die("sigwait");
	schedstat(&on0, &rq0);
	t_start = now(CLOCK_REALTIME);
	t0 = next = now(CLOCK_MONOTONIC);
	while (now(CLOCK_MONOTONIC) < t0 + seconds) {
		double t = now(CLOCK_MONOTONIC);

		if (t > next + period / 1000) {
			/* behind: skip to the next period boundary */
			late++;
			next += period / 1000 * (double)(unsigned long)((t - next) / (period / 1000));
		}
		periods++;
		work(burst);
		next += period / 1000;
		{
			struct timespec ts = { (time_t)next, (long)((next - (time_t)next) * 1e9) };

			while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
				;
		}
	}
	schedstat(&on1, &rq1);
	printf("{\"pid\":%d,\"periods\":%lu,\"late\":%lu,\"oncpu_ns\":%llu,"
	       "\"runq_wait_ns\":%llu,\"t_start\":%.3f,\"t_end\":%.3f}\n", getpid(), periods,
	       late, on1 - on0, rq1 - rq0, t_start, now(CLOCK_REALTIME));
	return 0;

usage:
	fprintf(stderr, "usage: periodic [-w] [-b BURST_MS] [-p PERIOD_MS] SECONDS\n");
	return 2;
}
