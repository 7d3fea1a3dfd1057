/*
 * burn: keep THREADS threads busy on the CPU for SECONDS of wall time each,
 * then print the process's own kernel-reported ground truth as one JSON line.
 *
 *   burn [-w] [-t THREADS] SECONDS
 *
 *   -w  wait for SIGUSR1 before burning (so a tracer can be attached by pid
 *       first); the counters printed are deltas since the signal arrived
 *   -t  number of burning threads (default 1, the main thread)
 *
 * Output fields: pid, threads, seconds, oncpu_ns and runq_wait_ns (sum of
 * /proc/thread-self/schedstat fields 1 and 2 over all burning threads),
 * oncpu_life_ns (field 1 at the end, not a delta: each thread's whole life
 * on the CPU, for the main thread from its fork, before the exec, on),
 * timeslices, nvcsw/nivcsw and minflt/majflt (getrusage RUSAGE_SELF),
 * migrations (the kernel's se.nr_migrations of the burning threads, from
 * /proc/thread-self/sched; null without CONFIG_SCHED_DEBUG), and
 * t_start/t_end, the wall-clock (CLOCK_REALTIME) times burning began and ended.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 64

struct sched {
	unsigned long long oncpu_ns, runq_ns, slices;
	long long migrations; /* -1: not known */
};

struct worker {
	pthread_t tid;
	double seconds;
	struct sched before, after;
};

static void die(const char *msg)
{
	fprintf(stderr, "burn: %s: %s\n", msg, strerror(errno));
	exit(1);
}

static void read_sched(struct sched *s)
{
	FILE *f = fopen("/proc/thread-self/schedstat", "r");

	if (!f)
		die("/proc/thread-self/schedstat");
	if (fscanf(f, "%llu %llu %llu", &s->oncpu_ns, &s->runq_ns, &s->slices) != 3)
		die("parse schedstat");
	fclose(f);
	s->migrations = -1;
	f = fopen("/proc/thread-self/sched", "r");
	if (f) {
		char line[256];

		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "se.nr_migrations : %lld", &s->migrations) == 1)
				break;
		fclose(f);
	}
}

static double now_clock(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double now(void)
{
	return now_clock(CLOCK_MONOTONIC);
}

static void *burn(void *arg)
{
	struct worker *w = arg;
	volatile unsigned long sink = 0;
	double end;

	read_sched(&w->before);
	end = now() + w->seconds;
	while (now() < end)
		for (int i = 0; i < 10000; i++)
			sink += i;
	read_sched(&w->after);
	return NULL;
}

int main(int argc, char **argv)
{
	struct worker w[MAX_THREADS];
	struct rusage ru0, ru1;
	struct sched total = { 0, 0, 0, 0 };
	unsigned long long life_ns = 0;
	char migr[32] = "null";
	int wait = 0, nthreads = 1, opt, sig;
	double t_start, t_end;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);

	while ((opt = getopt(argc, argv, "wt:")) != -1) {
		if (opt == 'w')
			wait = 1;
		else if (opt == 't')
			nthreads = atoi(optarg);
		else
			goto usage;
	}
	if (optind != argc - 1 || nthreads < 1 || nthreads > MAX_THREADS)
		goto usage;

	if (wait && sigwait(&set, &sig) != 0)
		die("sigwait");
	getrusage(RUSAGE_SELF, &ru0);
	t_start = now_clock(CLOCK_REALTIME);

	for (int i = 0; i < nthreads; i++) {
		w[i].seconds = atof(argv[optind]);
		if (i > 0 && pthread_create(&w[i].tid, NULL, burn, &w[i]) != 0)
			die("pthread_create");
	}
	burn(&w[0]);
	for (int i = 1; i < nthreads; i++)
		pthread_join(w[i].tid, NULL);
	getrusage(RUSAGE_SELF, &ru1);
	t_end = now_clock(CLOCK_REALTIME);

	for (int i = 0; i < nthreads; i++) {
		total.oncpu_ns += w[i].after.oncpu_ns - w[i].before.oncpu_ns;
		total.runq_ns += w[i].after.runq_ns - w[i].before.runq_ns;
		total.slices += w[i].after.slices - w[i].before.slices;
		life_ns += w[i].after.oncpu_ns;
		if (w[i].before.migrations < 0 || w[i].after.migrations < 0)
			total.migrations = -1;
		else if (total.migrations >= 0)
			total.migrations += w[i].after.migrations - w[i].before.migrations;
	}
	if (total.migrations >= 0)
		snprintf(migr, sizeof(migr), "%lld", total.migrations);
	printf("{\"pid\":%d,\"threads\":%d,\"seconds\":%s,"
	       "\"oncpu_ns\":%llu,\"oncpu_life_ns\":%llu,\"runq_wait_ns\":%llu,\"timeslices\":%llu,"
	       "\"nvcsw\":%ld,\"nivcsw\":%ld,\"minflt\":%ld,\"majflt\":%ld,"
	       "\"migrations\":%s,\"t_start\":%.3f,\"t_end\":%.3f}\n",
	       getpid(), nthreads, argv[optind],
	       total.oncpu_ns, life_ns, total.runq_ns, total.slices,
	       ru1.ru_nvcsw - ru0.ru_nvcsw, ru1.ru_nivcsw - ru0.ru_nivcsw,
	       ru1.ru_minflt - ru0.ru_minflt, ru1.ru_majflt - ru0.ru_majflt,
	       migr, t_start, t_end);
	return 0;

usage:
	fprintf(stderr, "usage: burn [-w] [-t THREADS] SECONDS\n");
	return 2;
}
