/*
 * sleeper: mostly idle; sleep COUNT times for MS milliseconds each, then print
 * the kernel's own accounting as one JSON line.  Every sleep is one voluntary
 * context switch and one wakeup (one run-queue latency sample).
 *
 *   sleeper [-w] COUNT MS
 *
 *   -w  wait for SIGUSR1 first; counters are deltas since then
 *
 * Output fields: pid, count, ms, oncpu_ns, runq_wait_ns, timeslices
 * (/proc/thread-self/schedstat), nvcsw, nivcsw (getrusage RUSAGE_SELF).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include "workload.h"

static void die(const char *msg)
{
	fprintf(stderr, "sleeper: %s: %s\n", msg, strerror(errno));
	exit(1);
}

static void read_sched(unsigned long long v[3])
{
	FILE *f = fopen("/proc/thread-self/schedstat", "r");

	if (!f)
		die("/proc/thread-self/schedstat");
	if (fscanf(f, "%llu %llu %llu", &v[0], &v[1], &v[2]) != 3)
		die("parse schedstat");
	fclose(f);
}

int main(int argc, char **argv)
{
	unsigned long long s0[3], s1[3];
	struct rusage ru0, ru1;
	int wait, count;
	long ms;

	if (parse_wait_option(argc, argv, &wait) != argc - 2)
		goto usage;
	count = atoi(argv[optind]);
	ms = atol(argv[optind + 1]);
	if (count < 0 || ms < 0)
		goto usage;

	if (wait_for_start(wait))
		die("sigwait");
	read_sched(s0);
	getrusage(RUSAGE_SELF, &ru0);

	for (int i = 0; i < count; i++) {
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

		sleep_fully(ts);
	}

	getrusage(RUSAGE_SELF, &ru1);
	read_sched(s1);
	printf("{\"pid\":%d,\"count\":%d,\"ms\":%ld,\"oncpu_ns\":%llu,"
	       "\"runq_wait_ns\":%llu,\"timeslices\":%llu,"
	       "\"nvcsw\":%ld,\"nivcsw\":%ld}\n",
	       getpid(), count, ms, s1[0] - s0[0], s1[1] - s0[1], s1[2] - s0[2],
	       ru1.ru_nvcsw - ru0.ru_nvcsw, ru1.ru_nivcsw - ru0.ru_nivcsw);
	return 0;

usage:
	fprintf(stderr, "usage: sleeper [-w] COUNT MS\n");
	return 2;
}
