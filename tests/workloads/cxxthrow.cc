// cxxthrow: C++ that throws and catches an exception every fourth call, so
// that a good part of its time is spent in the C++ runtime's unwinder
// (libstdc++'s __cxa_throw, libgcc's _Unwind_RaiseException), and the rest
// in check(). Built by the end-to-end test itself, at -O2 without frame
// pointers, when g++ is there: its stacks (main;run;check;__cxa_throw;...)
// unwind only with the .eh_frame of the program and of both libraries.
//
//   cxxthrow [-w] SECONDS      -w: wait for SIGUSR1 before starting
//
// Prints one JSON line at the end: pid, seconds, cpu_s, thrown.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <unistd.h>

namespace cx {
struct Odd : std::exception {
	unsigned long v;
	explicit Odd(unsigned long x) : v(x) {}
};

__attribute__((noinline, noclone)) unsigned long check(unsigned long x, long i)
{
	for (long k = 0; k < 2000; k++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		__asm__ volatile("" : "+r"(x));
	}
	if ((i & 3) == 0)
		throw Odd(x);
	return x;
}

double now()
{
	timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

unsigned long thrown;

__attribute__((noinline, noclone)) unsigned long run(double end)
{
	unsigned long x = 88172645463325252UL;

	for (long i = 0; now() < end; i++) {
		try {
			x = check(x, i);
		} catch (const Odd &e) {
			x ^= e.v + 1;
			thrown++;
		}
	}
	return x;
}
} // namespace cx

int main(int argc, char **argv)
{
	bool wait = argc > 1 && argv[1][0] == '-' && argv[1][1] == 'w';
	double seconds = argc > 1 + wait ? atof(argv[1 + wait]) : 0;
	volatile unsigned long sink;
	sigset_t set;
	timespec cpu;
	int sig;

	if (seconds <= 0) {
		fprintf(stderr, "usage: cxxthrow [-w] SECONDS\n");
		return 2;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, nullptr);
	if (wait && sigwait(&set, &sig))
		return 1;
	sink = cx::run(cx::now() + seconds);
	(void)sink;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
	printf("{\"pid\":%d,\"seconds\":%s,\"cpu_s\":%.3f,\"thrown\":%lu}\n", getpid(),
	       argv[1 + wait], cpu.tv_sec + cpu.tv_nsec / 1e9, cx::thrown);
	return 0;
}
