/*
 * offcpu: a program with a known off-CPU profile. Three threads block in
 * known functions for SECONDS of wall time:
 *
 *   sleepy  sleepy() sleeps 50 ms at a time
 *   piper   pipe_wait() blocks reading a pipe that main writes every 75 ms,
 *           then nap() sleeps 25 ms: about 50 ms in pipe_wait and 25 ms in
 *           nap per round
 *   ticker  tick() sleeps 1 ms at a time (blocks shorter than a sampling
 *           period)
 *
 * Each function makes its system call itself (inline, no libc wrapper) and
 * everything is built with frame pointers, so that a user stack taken while
 * the thread is blocked unwinds as thread -> function.
 *
 *   offcpu [-w] SECONDS
 *
 *   -w  wait for SIGUSR1 before starting (so a profiler can attach first)
 *
 * Prints one JSON line at the end: pid, seconds, and for each function the
 * wall time spent in its blocking calls (ns) and their number.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MS 1000000L

struct fn_time {
	unsigned long long ns, calls;
};

static struct fn_time t_sleepy, t_pipe, t_nap, t_tick;
static volatile int stop;
static int pipefd[2];

static inline __attribute__((always_inline)) long sys3(long n, long a, long b, long c)
{
#if defined(__x86_64__)
	long r;

	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return r;
#elif defined(__aarch64__)
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;

	__asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
	return x0;
#else
	return syscall(n, a, b, c);
#endif
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* The blocking functions: each is the innermost user frame while it blocks. */
__attribute__((noinline)) static void sleepy(void)
{
	struct timespec ts = { 0, 50 * MS };
	unsigned long long t0 = now_ns();

	sys3(SYS_nanosleep, (long)&ts, 0, 0);
	t_sleepy.ns += now_ns() - t0;
	t_sleepy.calls++;
}

__attribute__((noinline)) static void nap(void)
{
	struct timespec ts = { 0, 25 * MS };
	unsigned long long t0 = now_ns();

	sys3(SYS_nanosleep, (long)&ts, 0, 0);
	t_nap.ns += now_ns() - t0;
	t_nap.calls++;
}

__attribute__((noinline)) static void tick(void)
{
	struct timespec ts = { 0, 1 * MS };
	unsigned long long t0 = now_ns();

	sys3(SYS_nanosleep, (long)&ts, 0, 0);
	t_tick.ns += now_ns() - t0;
	t_tick.calls++;
}

__attribute__((noinline)) static void pipe_wait(void)
{
	unsigned long long t0 = now_ns();
	char c;

	sys3(SYS_read, pipefd[0], (long)&c, 1);
	t_pipe.ns += now_ns() - t0;
	t_pipe.calls++;
}

static void *sleepy_main(void *arg)
{
	(void)arg;
	while (!stop)
		sleepy();
	return NULL;
}

static void *piper_main(void *arg)
{
	(void)arg;
	for (;;) {
		pipe_wait();
		if (stop)
			break;
		nap();
	}
	return NULL;
}

static void *ticker_main(void *arg)
{
	(void)arg;
	while (!stop)
		tick();
	return NULL;
}

static void start(pthread_t *t, const char *name, void *(*fn)(void *))
{
	int e = pthread_create(t, NULL, fn, NULL);

	if (e) {
		fprintf(stderr, "offcpu: pthread_create: %s\n", strerror(e));
		exit(1);
	}
	pthread_setname_np(*t, name);
}

static void json_fn(const char *name, const struct fn_time *t)
{
	printf(",\"%s_ns\":%llu,\"%s_calls\":%llu", name, t->ns, name, t->calls);
}

int main(int argc, char **argv)
{
	struct timespec round = { 0, 75 * MS };
	unsigned long long end;
	int wait = 0, opt, sig;
	double seconds;
	pthread_t th[3];
	sigset_t set;
	int i;

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
	if (pipe(pipefd)) {
		fprintf(stderr, "offcpu: pipe: %s\n", strerror(errno));
		return 1;
	}
	if (wait && sigwait(&set, &sig) != 0)
		return 1;
	end = now_ns() + (unsigned long long)(seconds * 1e9);
	start(&th[0], "sleepy", sleepy_main);
	start(&th[1], "piper", piper_main);
	start(&th[2], "ticker", ticker_main);
	while (now_ns() < end) {
		nanosleep(&round, NULL);
		if (write(pipefd[1], "x", 1) != 1)
			return 1;
	}
	stop = 1;
	if (write(pipefd[1], "x", 1) != 1) /* the reader may be waiting */
		return 1;
	for (i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	printf("{\"pid\":%d,\"seconds\":%s", getpid(), argv[optind]);
	json_fn("sleepy", &t_sleepy);
	json_fn("pipe_wait", &t_pipe);
	json_fn("nap", &t_nap);
	json_fn("tick", &t_tick);
	printf("}\n");
	return 0;
usage:
	fprintf(stderr, "usage: offcpu [-w] SECONDS\n");
	return 2;
}
