/*
 * ramp: one thread whose CPU demand ramps up, holds, then drops: every
 * PERIOD ms it needs BURST ms of CPU, BURST going from FROM to TO ms over
 * RAMP s, staying at TO for HOLD s, then LOW ms until SECONDS have passed
 * (by default 10 -> 90 ms per 100 ms over 30 s, 10 s at 90, then 10: the
 * CPU quota scaling scenario). A period that starts after its deadline is
 * skipped (counted as late): the demand does not pile up. Then prints its
 * ground truth as one JSON line.
 *
 *   ramp [-w] [-p PERIOD_MS] [-f FROM_MS] [-t TO_MS] [-r RAMP_S] [-H HOLD_S]
 *        [-l LOW_MS] SECONDS
 *
 *   -w  wait for SIGUSR1 before starting
 *
 * Output fields: pid, periods, late, t_start (CLOCK_REALTIME when the ramp
 * began), and per phase (ramp, hold, low) want_s (the CPU seconds its
 * bursts asked for: the nominal demand over the phase's wall time) and
 * got_s (the CPU seconds the thread got in it), so a test can tell a host
 * too busy to give it its demand.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include "workload.h"

static double thread_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Burn `ms` of this thread's CPU time. */
static void work(double ms)
{
	volatile unsigned long sink = 0;
	double end = thread_cpu() + ms / 1000;

	while (thread_cpu() < end)
		for (int i = 0; i < 1000; i++)
			sink += i;
}

enum { RAMP, HOLD, LOW, PHASES };

int main(int argc, char **argv)
{
	double period = 100, from = 10, to = 90, ramp = 30, hold = 10, low = 10, seconds;
	double t0, t, next, burst, cpu_at[PHASES + 1] = {0}, want[PHASES], wall[PHASES];
	static const char *const names[PHASES] = {"ramp", "hold", "low"};
	unsigned long periods = 0, late = 0;
	struct timespec real;
	int wait = 0, opt, ph, cur = RAMP;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	while ((opt = getopt(argc, argv, "wp:f:t:r:H:l:")) != -1) {
		switch (opt) {
		case 'w': wait = 1; break;
		case 'p': period = atof(optarg); break;
		case 'f': from = atof(optarg); break;
		case 't': to = atof(optarg); break;
		case 'r': ramp = atof(optarg); break;
		case 'H': hold = atof(optarg); break;
		case 'l': low = atof(optarg); break;
		default: goto usage;
		}
	}
	if (optind != argc - 1 || period <= 0 || from < 0 || to < 0 || low < 0 || ramp <= 0 ||
	    hold < 0 || from >= period || to >= period || low >= period)
		goto usage;
	seconds = atof(argv[optind]);
	if (seconds <= 0)
		goto usage;
	if (wait_for_start(wait))
		return 1;
	clock_gettime(CLOCK_REALTIME, &real);
	t0 = next = now_seconds();
	cpu_at[RAMP] = thread_cpu();
	while ((t = now_seconds()) < t0 + seconds) {
		double el = t - t0;

		ph = el < ramp ? RAMP : el < ramp + hold ? HOLD : LOW;
		while (cur < ph)
			cpu_at[++cur] = thread_cpu();
		if (t > next + period / 1000) {
			/* behind: skip to the period boundary we are in */
			late++;
			next += period / 1000 * (double)(unsigned long)((t - next) / (period / 1000));
		}
		burst = ph == RAMP ? from + (to - from) * el / ramp : ph == HOLD ? to : low;
		periods++;
		work(burst);
		next += period / 1000;
		{
			struct timespec ts = {(time_t)next, (long)((next - (time_t)next) * 1e9)};

			while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
				;
		}
	}
	while (cur < PHASES)
		cpu_at[++cur] = thread_cpu();
	/* the nominal demand of each phase over the wall time it had */
	wall[RAMP] = seconds < ramp ? seconds : ramp;
	wall[HOLD] = seconds <= ramp ? 0 : seconds < ramp + hold ? seconds - ramp : hold;
	wall[LOW] = seconds > ramp + hold ? seconds - ramp - hold : 0;
	want[RAMP] = wall[RAMP] * (from + (to - from) * wall[RAMP] / ramp / 2) / period;
	want[HOLD] = wall[HOLD] * to / period;
	want[LOW] = wall[LOW] * low / period;
	printf("{\"pid\":%d,\"periods\":%lu,\"late\":%lu,\"t_start\":%.3f", getpid(), periods, late,
	       real.tv_sec + real.tv_nsec / 1e9);
	for (ph = 0; ph < PHASES; ph++)
		printf(",\"%s\":{\"wall_s\":%.3f,\"want_s\":%.3f,\"got_s\":%.3f}", names[ph], wall[ph],
		       want[ph], cpu_at[ph + 1] - cpu_at[ph]);
	printf("}\n");
	return 0;

usage:
	fprintf(stderr, "usage: ramp [-w] [-p PERIOD_MS] [-f FROM_MS] [-t TO_MS] [-r RAMP_S] "
		"[-H HOLD_S] [-l LOW_MS] SECONDS\n");
	return 2;
}
