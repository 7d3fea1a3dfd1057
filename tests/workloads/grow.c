/*
 * grow: grow the resident set at a fixed rate, touching fresh pages every
 * 100 ms, then print what it did as one JSON line (the ground truth for the
 * memory-growth tests).
 *
 *   grow [-w] [-r MIB_PER_S] SECONDS
 *
 *   -w  wait for SIGUSR1 before growing (so a tracer can attach by pid)
 *   -r  growth rate in MiB per second (default 8)
 *
 * Output fields: pid, rate_bytes_per_s (asked), measured_bytes_per_s (the
 * resident set's growth from /proc/self/statm over the run), rss_start,
 * rss_end (bytes), seconds, t_start, t_end (CLOCK_REALTIME).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define STEP_S 0.1

static void die(const char *msg)
{
	fprintf(stderr, "grow: %s: %s\n", msg, strerror(errno));
	exit(1);
}

static double now(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double rss(void)
{
	unsigned long size, res;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f || fscanf(f, "%lu %lu", &size, &res) != 2)
		die("/proc/self/statm");
	fclose(f);
	return (double)res * (double)sysconf(_SC_PAGESIZE);
}

static void sleep_until(double t)
{
	struct timespec ts = { (time_t)t, (long)((t - (time_t)t) * 1e9) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

int main(int argc, char **argv)
{
	double rate = 8, seconds, t0, t_start, r0, r1, step_bytes;
	long page = sysconf(_SC_PAGESIZE);
	int wait = 0, opt, sig;
	size_t total, done = 0;
	sigset_t set;
	char *mem;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	while ((opt = getopt(argc, argv, "wr:")) != -1) {
		if (opt == 'w')
			wait = 1;
		else if (opt == 'r')
			rate = atof(optarg);
		else
			goto usage;
	}
	if (optind != argc - 1 || rate <= 0 || rate > 1024)
		goto usage;
	seconds = atof(argv[optind]);
	if (seconds <= 0 || seconds > 3600)
		goto usage;
	total = (size_t)(rate * 1048576 * seconds) + (size_t)page;
	mem = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap");
	if (wait && sigwait(&set, &sig) != 0)
		die("sigwait");
	step_bytes = rate * 1048576 * STEP_S;
	r0 = rss();
	t_start = now(CLOCK_REALTIME);
	t0 = now(CLOCK_MONOTONIC);
	for (int k = 1; k <= (int)(seconds / STEP_S + 0.5); k++) {
		size_t want = (size_t)(step_bytes * k);

		if (want > total)
			want = total;
		for (; done < want; done += (size_t)page)
			mem[done] = 1;
		sleep_until(t0 + k * STEP_S);
	}
	r1 = rss();
	printf("{\"pid\":%d,\"rate_bytes_per_s\":%.0f,\"measured_bytes_per_s\":%.0f,"
	       "\"rss_start\":%.0f,\"rss_end\":%.0f,\"seconds\":%s,\"t_start\":%.3f,"
	       "\"t_end\":%.3f}\n", getpid(), rate * 1048576,
	       (r1 - r0) / (now(CLOCK_MONOTONIC) - t0), r0, r1, argv[optind], t_start,
	       now(CLOCK_REALTIME));
	fflush(stdout);
	return 0;

usage:
	fprintf(stderr, "usage: grow [-w] [-r MIB_PER_S] SECONDS\n");
	return 2;
}
