/*
 * nofp_signal: main spins in main_spin() while a timer signal (SIGALRM
 * every 2 ms of real time) runs on_tick(), whose handler_hot() works about
 * 1 ms: about half of the CPU time is spent inside the signal handler, on
 * the stack of main_spin, above the kernel's signal frame. Built at -O2
 * without frame pointers: the handler's stacks unwind only with .eh_frame
 * and the signal trampoline's rule (main;main_spin;__restore_rt;on_tick;
 * handler_hot).
 *
 *   nofp_signal [-w] SECONDS
 *
 *   -w  wait for SIGUSR1 before starting (so a profiler can attach first)
 *
 * Prints one JSON line at the end: pid, seconds, cpu_s, ticks (handler
 * runs).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <unistd.h>
#include "workload.h"

#define HANDLER_UNIT 300000 /* about 1 ms of work */

static volatile unsigned long sink;
static volatile sig_atomic_t ticks;

__attribute__((noinline, noclone)) static unsigned long handler_hot(unsigned long x, long n)
{
	for (long i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		__asm__ volatile("" : "+r"(x));
	}
	return x;
}

static void on_tick(int sig)
{
	(void)sig;
	sink = handler_hot(sink | 1, HANDLER_UNIT);
	ticks = ticks + 1;
}

__attribute__((noinline, noclone)) static unsigned long main_spin(unsigned long x, double end)
{
	while (now_seconds() < end) {
		for (int i = 0; i < 10000; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			__asm__ volatile("" : "+r"(x));
		}
	}
	return x;
}

int main(int argc, char **argv)
{
	struct itimerval it = { { 0, 2000 }, { 0, 2000 } }, off = { { 0, 0 }, { 0, 0 } };
	struct sigaction sa = { .sa_handler = on_tick };
	double seconds;
	int wait;

	if (parse_wait_seconds(argc, argv, &wait, &seconds))
		goto usage;
	if (wait_for_start(wait))
		return 1;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	if (sigaction(SIGALRM, &sa, NULL) || setitimer(ITIMER_REAL, &it, NULL))
		return 1;
	sink ^= main_spin(88172645463325252UL, now_seconds() + seconds);
	setitimer(ITIMER_REAL, &off, NULL);
	printf("{\"pid\":%d,\"seconds\":%s,\"cpu_s\":%.3f,\"ticks\":%d}\n", getpid(), argv[optind],
	       cpu_seconds(), (int)ticks);
	return 0;
usage:
	fprintf(stderr, "usage: nofp_signal [-w] SECONDS\n");
	return 2;
}
