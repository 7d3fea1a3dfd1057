// cxxhot: a C++ hot loop in a member function of a class template, for the
// demangling tests (built by the end-to-end test itself when g++ is there).
//
//   cxxhot [-w] SECONDS      -w: wait for SIGUSR1 before starting
//
// Spends its time in pp::Spinner<unsigned long>::spin(unsigned long, long).
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <unistd.h>

namespace pp {
template <typename T> struct Spinner {
	__attribute__((noinline)) T spin(T x, long n);
};

__attribute__((noinline)) static unsigned long finish(unsigned long x)
{
	__asm__ volatile("" : "+r"(x));
	return x;
}

template <typename T> T Spinner<T>::spin(T x, long n)
{
	for (long i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		__asm__ volatile("" : "+r"(x));
	}
	return finish(x);
}
} // namespace pp

static double now()
{
	timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	pp::Spinner<unsigned long> s;
	unsigned long x = 88172645463325252UL;
	bool wait = argc > 1 && argv[1][0] == '-' && argv[1][1] == 'w';
	double seconds = argc > 1 + wait ? atof(argv[1 + wait]) : 0, end;
	sigset_t set;
	int sig;

	if (seconds <= 0) {
		fprintf(stderr, "usage: cxxhot [-w] SECONDS\n");
		return 2;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, nullptr);
	if (wait && sigwait(&set, &sig) != 0)
		return 1;
	end = now() + seconds;
	while (now() < end)
		x = s.spin(x, 1000000);
	printf("{\"pid\":%d,\"seconds\":%s,\"x\":%lu}\n", getpid(), argv[1 + wait], x);
	return 0;
}
