/*
 * jit: code in an anonymous executable mapping, named by a perf map file,
 * as a JIT compiler does it. Copies a small hand-written x86-64 loop (with
 * a frame-pointer prologue, so stacks unwind through it) into an anonymous
 * PROT_EXEC mapping, writes /tmp/perf-PID.map naming it jit_hot_loop, and
 * calls it for SECONDS of wall time. The map file is removed at exit.
 *
 *   jit [-w] [-m] [-l] SECONDS
 *
 *   -w  wait for SIGUSR1 before starting (so a profiler can attach first)
 *   -m  also write two malformed lines into the map file
 *   -l  late code: after half the time, emit a second copy, append it to the
 *       map as jit_late_loop and call that instead; leave the map file
 *       behind at exit (as node does)
 *
 * Prints one JSON line at the end: pid, seconds, rounds, addr, map.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include "workload.h"

#if defined(__x86_64__)
/*
 * uint64_t jit_hot_loop(uint64_t n): sums n, n-1, ..., 1 (n > 0)
 *   0: 55          push %rbp
 *   1: 48 89 e5    mov  %rsp,%rbp
 *   4: 31 c0       xor  %eax,%eax
 *   6: 48 01 f8    add  %rdi,%rax      <- loop
 *   9: 48 ff cf    dec  %rdi
 *   c: 75 f8       jne  6
 *   e: 5d          pop  %rbp
 *   f: c3          ret
 */
static const unsigned char code[] = {
	0x55, 0x48, 0x89, 0xe5, 0x31, 0xc0, 0x48, 0x01, 0xf8,
	0x48, 0xff, 0xcf, 0x75, 0xf8, 0x5d, 0xc3,
};
#endif

static char map_path[64];

static void remove_map(void)
{
	if (*map_path)
		unlink(map_path);
}

static void on_term(int sig)
{
	(void)sig;
	remove_map();
	_exit(143);
}

int main(int argc, char **argv)
{
	int wait = 0, bad = 0, late = 0, opt;
	unsigned long rounds = 0;
	volatile uint64_t sink = 0;
	double seconds, end;
	sigset_t set;
	FILE *f;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	while ((opt = getopt(argc, argv, "wml")) != -1) {
		if (opt == 'w')
			wait = 1;
		else if (opt == 'm')
			bad = 1;
		else if (opt == 'l')
			late = 1;
		else
			goto usage;
	}
	if (optind != argc - 1 || (seconds = atof(argv[optind])) <= 0)
		goto usage;
#if defined(__x86_64__)
	{
		uint64_t (*fn)(uint64_t);
		void *mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (mem == MAP_FAILED || (memcpy(mem, code, sizeof(code)),
					  mprotect(mem, 4096, PROT_READ | PROT_EXEC))) {
			perror("jit: mmap");
			return 1;
		}
		snprintf(map_path, sizeof(map_path), "/tmp/perf-%d.map", getpid());
		if (!late) {
			signal(SIGTERM, on_term);
			signal(SIGINT, on_term);
			atexit(remove_map);
		}
		if (!(f = fopen(map_path, "w"))) {
			perror("jit: map file");
			return 1;
		}
		/* a JIT writes one line per function it emits; perf's format */
		fprintf(f, "%lx %zx jit_hot_loop\n", (unsigned long)(uintptr_t)mem, sizeof(code));
		if (bad)
			fprintf(f, "this is not a perf map line\n0x1000 zz bad_size\n");
		fclose(f);
		fn = (uint64_t (*)(uint64_t))mem;
		if (wait_for_start(wait))
			return 1;
		end = now_seconds() + (late ? seconds / 2 : seconds);
		while (now_seconds() < end) {
			sink += fn(2000000);
			rounds++;
		}
		if (late) {
			char *second = (char *)mem + 2048;

			if (mprotect(mem, 4096, PROT_READ | PROT_WRITE))
				return 1;
			memcpy(second, code, sizeof(code));
			if (mprotect(mem, 4096, PROT_READ | PROT_EXEC) || !(f = fopen(map_path, "a")))
				return 1;
			fprintf(f, "%lx %zx jit_late_loop\n", (unsigned long)(uintptr_t)second,
				sizeof(code));
			fclose(f);
			fn = (uint64_t (*)(uint64_t))second;
			end = now_seconds() + seconds / 2;
			while (now_seconds() < end) {
				sink += fn(2000000);
				rounds++;
			}
		}
		printf("{\"pid\":%d,\"seconds\":%s,\"cpu_s\":%.3f,\"rounds\":%lu,\"addr\":\"%p\",\"map\":\"%s\"}\n",
		       getpid(), argv[optind], cpu_seconds(), rounds, mem, map_path);
		return 0;
	}
#else
	(void)wait;
	(void)bad;
	(void)late;
	(void)sig;
	(void)rounds;
	(void)sink;
	(void)end;
	(void)f;
	(void)now;
	(void)on_term;
	fprintf(stderr, "jit: x86-64 only\n");
	return 3;
#endif
usage:
	fprintf(stderr, "usage: jit [-w] [-m] [-l] SECONDS\n");
	return 2;
}
