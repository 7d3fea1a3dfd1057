/*
 * threadexec: a process whose second thread calls exec, as a Go program's
 * syscall.Exec often does. The kernel ends the other threads, the leader
 * among them, gives the exec'ing thread the leader's pid (and its start
 * time) and releases the old leader.
 *
 *   threadexec [-w] LEADER_S THREAD_S AFTER_S
 *       the leader burns LEADER_S seconds of CPU, then starts a thread that
 *       burns THREAD_S and execs this program again, which burns AFTER_S
 *       and prints one JSON line: its pid and the whole process's CPU time
 *       (CLOCK_PROCESS_CPUTIME_ID: every thread's, the ended ones' too),
 *       the ground truth
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "workload.h"

static double thread_s, after_s;
static char **args;

static void burn(double seconds)
{
	double end = cpu_seconds() + seconds;
	volatile unsigned long x = 1;

	while (cpu_seconds() < end)
		for (int i = 0; i < 100000; i++)
			x = x * 6364136223846793005UL + 1442695040888963407UL;
}

static void *exec_from_thread(void *arg)
{
	char a[32];

	(void)arg;
	burn(thread_s);
	snprintf(a, sizeof(a), "%.6f", after_s);
	execl("/proc/self/exe", args[0], "--after", a, (char *)NULL);
	perror("threadexec: exec");
	exit(1);
}

int main(int argc, char **argv)
{
	pthread_t t;
	int wait, i;

	if (argc == 3 && !strcmp(argv[1], "--after")) {
		burn(atof(argv[2]));
		printf("{\"pid\":%d,\"cpu_ns\":%.0f}\n", getpid(), cpu_seconds() * 1e9);
		return 0;
	}
	i = parse_wait_option(argc, argv, &wait);
	if (i < 0 || argc - i != 3) {
		fprintf(stderr, "usage: threadexec [-w] LEADER_S THREAD_S AFTER_S\n");
		return 2;
	}
	thread_s = atof(argv[i + 1]);
	after_s = atof(argv[i + 2]);
	args = argv;
	if (wait_for_start(wait))
		return 1;
	burn(atof(argv[i]));
	if (pthread_create(&t, NULL, exec_from_thread, NULL))
		return 1;
	pthread_join(t, NULL); /* the exec ends this thread */
	return 1;
}
