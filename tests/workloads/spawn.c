/*
 * spawn: start PROGRAM [ARGS] (default /bin/true) over and over for SECONDS
 * of wall time, JOBS children at a time, waiting for each; then print what
 * it did as one JSON line. A host's process churn: the children live a few
 * milliseconds each, and the pids wrap when there are enough of them.
 *
 *   spawn [-w] [-j JOBS] [-b THREADS] SECONDS [PROGRAM [ARG...]]
 *
 *   -w  wait for SIGUSR1 before starting (a tracer attaches by pid first)
 *   -j  children running at once (default 1)
 *   -b  after each child, start and join this many threads, which take
 *       pids (thread ids) from the same space: the pids wrap sooner
 *
 * Output fields: pid, jobs, seconds (as run), spawned (children started),
 * failed (children that did not exit 0), children_cpu_ns (their user and
 * system time, getrusage RUSAGE_CHILDREN), wraps (times a child's pid was
 * below the previous child's: the kernel's pids wrapped), t_start/t_end
 * (CLOCK_REALTIME, unix seconds).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "workload.h"

extern char **environ;

static double wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *nothing(void *arg)
{
	return arg;
}

/* Take n thread ids: start and join n threads, a few at a time. */
static void burn_ids(int n)
{
	pthread_t t[16];
	int i, k;

	for (i = 0; i < n; i += k) {
		for (k = 0; k < 16 && i + k < n; k++)
			if (pthread_create(&t[k], NULL, nothing, NULL))
				break;
		for (int j = 0; j < k; j++)
			pthread_join(t[j], NULL);
		if (!k)
			break;
	}
}

int main(int argc, char **argv)
{
	char *const dflt[] = { "/bin/true", NULL };
	char *const *args = dflt;
	int burn = 0;
	unsigned long long spawned = 0, failed = 0, wraps = 0;
	int wait = 0, jobs = 1, opt, running = 0, status;
	double seconds, t0, t_start, end;
	pid_t last = 0, pid;
	struct rusage ru;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	while ((opt = getopt(argc, argv, "+wj:b:")) != -1) {
		if (opt == 'w')
			wait = 1;
		else if (opt == 'j')
			jobs = atoi(optarg);
		else if (opt == 'b')
			burn = atoi(optarg);
		else
			goto usage;
	}
	if (optind >= argc || jobs < 1 || jobs > 64 || burn < 0 ||
	    (seconds = atof(argv[optind])) <= 0)
		goto usage;
	if (optind + 1 < argc)
		args = argv + optind + 1;
	if (wait_for_start(wait)) {
		fprintf(stderr, "spawn: sigwait: %s\n", strerror(errno));
		return 1;
	}
	t_start = wall();
	t0 = now_seconds();
	end = t0 + seconds;
	for (;;) {
		while (running < jobs && now_seconds() < end) {
			if (posix_spawn(&pid, args[0], NULL, NULL, args, environ)) {
				failed++;
				break;
			}
			spawned++;
			running++;
			if (pid < last)
				wraps++;
			last = pid;
			burn_ids(burn);
		}
		if (!running)
			break;
		if (waitpid(-1, &status, 0) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		running--;
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			failed++;
	}
	getrusage(RUSAGE_CHILDREN, &ru);
	printf("{\"pid\":%d,\"jobs\":%d,\"seconds\":%.3f,\"spawned\":%llu,\"failed\":%llu,"
	       "\"children_cpu_ns\":%.0f,\"wraps\":%llu,\"t_start\":%.3f,\"t_end\":%.3f}\n",
	       (int)getpid(), jobs, now_seconds() - t0, spawned, failed,
	       ((double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec) * 1e9 +
		       ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) * 1e3,
	       wraps, t_start, wall());
	return 0;
usage:
	fprintf(stderr, "usage: spawn [-w] [-j JOBS] [-b THREADS] SECONDS [PROGRAM [ARG...]]\n");
	return 2;
}
