/*
 * vdso: a program that spends its time reading the clock, which the kernel
 * serves from the vDSO (code it maps into every process, with no file
 * behind it), for SECONDS of wall time.
 *
 *   vdso [-w] SECONDS
 *
 *   -w  wait for SIGUSR1 before starting (so a profiler can attach first)
 *
 * Prints one JSON line at the end: pid, seconds, calls.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	unsigned long calls = 0;
	int wait = 0, opt, sig;
	struct timespec ts;
	double seconds, end;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	while ((opt = getopt(argc, argv, "w")) != -1) {
		if (opt != 'w')
			goto usage;
		wait = 1;
	}
	if (optind != argc - 1 || (seconds = atof(argv[optind])) <= 0)
		goto usage;
	if (wait && sigwait(&set, &sig) != 0)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	end = ts.tv_sec + ts.tv_nsec / 1e9 + seconds;
	do {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		calls++;
	} while (ts.tv_sec + ts.tv_nsec / 1e9 < end);
	printf("{\"pid\":%d,\"seconds\":%s,\"calls\":%lu}\n", getpid(), argv[optind], calls);
	return 0;
usage:
	fprintf(stderr, "usage: vdso [-w] SECONDS\n");
	return 2;
}
