/*
 * Helpers the test workloads share: their clock, their "-w" option (wait for
 * SIGUSR1 before starting, so that a tracer can attach by pid first) and
 * sleeps that signals do not cut short. Each workload is built on its own
 * from one .c file, so everything here is static inline.
 */
#ifndef PP_WORKLOAD_H
#define PP_WORKLOAD_H

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* The monotonic clock in seconds. */
static inline double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The CPU time this process has used, in seconds: what a profiler's sample
 * count of it is checked against (samples = CPU seconds x frequency). */
static inline double cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Block SIGUSR1 (one sent early then waits for wait_for_start) and parse
 * the only option, -w, into *wait. The index of the first operand, or -1
 * on an unknown option.
 */
static inline int parse_wait_option(int argc, char **argv, int *wait)
{
	sigset_t set;
	int opt;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	*wait = 0;
	while ((opt = getopt(argc, argv, "w")) != -1) {
		if (opt != 'w')
			return -1;
		*wait = 1;
	}
	return optind;
}

/* The command line "[-w] SECONDS", SECONDS above 0: 0, or -1 when it is
 * not that. */
static inline int parse_wait_seconds(int argc, char **argv, int *wait, double *seconds)
{
	if (parse_wait_option(argc, argv, wait) != argc - 1)
		return -1;
	*seconds = atof(argv[argc - 1]);
	return *seconds > 0 ? 0 : -1;
}

/* With -w, wait for SIGUSR1 (blocked by parse_wait_option). 0, or -1 when
 * sigwait fails. */
static inline int wait_for_start(int wait)
{
	sigset_t set;
	int sig;

	if (!wait)
		return 0;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	return sigwait(&set, &sig) != 0 ? -1 : 0;
}

/* Sleep for ts, through signals that interrupt it. */
static inline void sleep_fully(struct timespec ts)
{
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

#endif
