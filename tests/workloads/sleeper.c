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
 * (/proc/thread-self/schedstat), nvcsw, nivcsw (getrusage RUSAGE_SELF);
 * and the whole life of the process (its one thread), read at its end:
 * runq_life_ns and timeslices_life (schedstat fields 2 and 3, not deltas),
 * voluntary_ctxt_switches and nonvoluntary_ctxt_switches (/proc/self/status).
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

/* A "Name:\tN" line of /proc/self/status, -1 when missing. */
static long status_field(const char *name)
{
	FILE *f = fopen("/proc/self/status", "r");
	size_t n = strlen(name);
	char line[256];
	long v = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, n) && line[n] == ':') {
			v = atol(line + n + 1);
			break;
		}
	fclose(f);
	return v;
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
	       "\"nvcsw\":%ld,\"nivcsw\":%ld,\"runq_life_ns\":%llu,\"timeslices_life\":%llu,"
	       "\"voluntary_ctxt_switches\":%ld,\"nonvoluntary_ctxt_switches\":%ld}\n",
	       getpid(), count, ms, s1[0] - s0[0], s1[1] - s0[1], s1[2] - s0[2],
	       ru1.ru_nvcsw - ru0.ru_nvcsw, ru1.ru_nivcsw - ru0.ru_nivcsw, s1[1], s1[2],
	       status_field("voluntary_ctxt_switches"), status_field("nonvoluntary_ctxt_switches"));
	return 0;

usage:
	fprintf(stderr, "usage: sleeper [-w] COUNT MS\n");
	return 2;
}
