// SPDX-License-Identifier: GPL-2.0
/*
 * dispatch: the whole price of a BPF program on a hook, timed, with the
 * kernel's BPF statistics off: an empty program of floor.bpf.o is attached
 * and detached in turn while a loop that fires the hook runs, and the loop's
 * time per event is compared between the two. What the statistics report
 * for a program is its body (plus their own clock reads); this is what the
 * statistics leave out: the tracepoint's call into the program, the
 * trampoline, the RCU and migration guards around it.
 *
 *   dispatch FLOOR.BPF.O PAIRS ITERS
 *
 * Hooks and loops (the events a loop iteration fires):
 *   sock   send and receive 1 byte over a unix socket pair: sock_send_length
 *          and sock_recv_length, one each (both programs attached)
 *   switch two threads on one CPU handing a token over pipes:
 *          sched_switch, twice
 * Each pair: one timed run of ITERS iterations detached and one attached,
 * their order turning each pair (so drift hits both alike). Prints, per
 * hook, the median ns per iteration of each and the median over the pairs
 * of (attached - detached) / events, with the order statistics that cover
 * that median with 95 % or more, and the medians of the pairs that ran
 * attached first and of those that ran detached first (a detach's RCU
 * callbacks, run in the detached half that follows it, would show here);
 * then, from one more run with the statistics on, what they report for the
 * empty programs (stats_ns) and the rest (outside_ns = ns_per_event -
 * stats_ns): what a program's statistics leave out of its cost.
 */
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "orderstat.h"

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int silent(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN)
		return vfprintf(stderr, fmt, ap);
	return 0;
}

/* a CPU this process may run on (the first of its affinity mask) */
static int some_cpu(void)
{
	cpu_set_t s;

	if (sched_getaffinity(0, sizeof(s), &s))
		return 0;
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &s))
			return c;
	return 0;
}

static int the_cpu;

static void pin(int cpu)
{
	cpu_set_t s;

	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	sched_setaffinity(0, sizeof(s), &s);
}

/* ---- the loops: ITERS iterations, their ns ------------------------------ */
static int sv[2];

static double loop_sock(long iters)
{
	char b = 1;
	double t0 = now_ns();

	for (long i = 0; i < iters; i++) {
		if (send(sv[0], &b, 1, 0) != 1 || recv(sv[1], &b, 1, 0) != 1) {
			perror("dispatch: unix socket");
			exit(1);
		}
	}
	return now_ns() - t0;
}

static int ping[2], pong[2];

static void *echo(void *arg)
{
	char b;

	(void)arg;
	pin(the_cpu);
	while (read(ping[0], &b, 1) == 1)
		if (write(pong[1], &b, 1) != 1)
			break;
	return NULL;
}

static double loop_switch(long iters)
{
	char b = 1;
	double t0 = now_ns();

	for (long i = 0; i < iters; i++) {
		if (write(ping[1], &b, 1) != 1 || read(pong[0], &b, 1) != 1) {
			perror("dispatch: pipe");
			exit(1);
		}
	}
	return now_ns() - t0;
}

struct hook {
	const char *name;
	const char *progs[2];
	int events; /* per iteration */
	double (*loop)(long);
};

static const struct hook hooks[] = {
	{"sock", {"empty_send_length", "empty_recv_length"}, 2, loop_sock},
	{"switch", {"empty_sched_switch", NULL}, 2, loop_switch},
};

static int attach(struct bpf_object *obj, const struct hook *h, struct bpf_link **l)
{
	for (int i = 0; i < 2; i++) {
		struct bpf_program *p;

		l[i] = NULL;
		if (!h->progs[i])
			continue;
		p = bpf_object__find_program_by_name(obj, h->progs[i]);
		if (!p || !(l[i] = bpf_program__attach(p))) {
			fprintf(stderr, "dispatch: attaching %s failed\n", h->progs[i]);
			return -1;
		}
	}
	return 0;
}

static void detach(struct bpf_link **l)
{
	for (int i = 0; i < 2; i++)
		if (l[i])
			bpf_link__destroy(l[i]);
}

/* the hook's programs' run time and runs so far (the kernel's statistics) */
static void prog_stats(struct bpf_object *obj, const struct hook *h, double *ns, double *runs)
{
	*ns = *runs = 0;
	for (int i = 0; i < 2; i++) {
		struct bpf_program *p = h->progs[i] ? bpf_object__find_program_by_name(obj, h->progs[i]) : NULL;
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);

		if (p && !bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &len)) {
			*ns += (double)info.run_time_ns;
			*runs += (double)info.run_cnt;
		}
	}
}

/*
 * What the statistics report for the empty programs in one run of the loop
 * with them on: the part of the timed cost they see (the body and some of
 * their own clock reads). -1 when they cannot be turned on.
 */
static double stats_seen(struct bpf_object *obj, const struct hook *h, long iters)
{
	double ns0, runs0, ns1, runs1;
	struct bpf_link *l[2];
	int fd = bpf_enable_stats(BPF_STATS_RUN_TIME);

	if (fd < 0)
		return -1;
	if (attach(obj, h, l)) {
		close(fd);
		return -1;
	}
	prog_stats(obj, h, &ns0, &runs0);
	h->loop(iters);
	prog_stats(obj, h, &ns1, &runs1);
	detach(l);
	close(fd);
	return runs1 > runs0 ? (ns1 - ns0) / (runs1 - runs0) : -1;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *p;
	int pairs, k;
	long iters;

	if (argc != 4 || (pairs = atoi(argv[2])) < 3 || (iters = atol(argv[3])) < 1) {
		fprintf(stderr, "usage: dispatch FLOOR.BPF.O PAIRS(>=3) ITERS\n");
		return 2;
	}
	libbpf_set_print(silent);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "dispatch: cannot open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	/* only the programs timed here */
	bpf_object__for_each_program(p, obj) {
		bool want = false;

		for (size_t h = 0; h < sizeof(hooks) / sizeof(hooks[0]); h++)
			for (int i = 0; i < 2; i++)
				if (hooks[h].progs[i] && !strcmp(bpf_program__name(p), hooks[h].progs[i]))
					want = true;
		if (want && libbpf_find_vmlinux_btf_id(bpf_program__section_name(p) + 7, BPF_TRACE_RAW_TP) < 0) {
			fprintf(stderr, "dispatch: no tracepoint %s on this kernel\n",
				bpf_program__section_name(p) + 7);
			return 1;
		}
		bpf_program__set_autoload(p, want);
	}
	if (bpf_object__load(obj)) {
		fprintf(stderr, "dispatch: loading %s failed\n", argv[1]);
		return 1;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) || pipe(ping) || pipe(pong)) {
		perror("dispatch: socketpair/pipe");
		return 1;
	}
	pthread_t th;

	the_cpu = some_cpu();
	if (pthread_create(&th, NULL, echo, NULL)) {
		fprintf(stderr, "dispatch: pthread_create failed\n");
		return 1;
	}
	pin(the_cpu); /* the loops and the echo thread on one CPU: every hand-over a switch */
	printf("%-7s %6s %7s %12s %12s %13s %17s %15s %9s %11s\n", "hook", "pairs", "events", "detached_ns",
	       "attached_ns", "ns_per_event", "95% CI", "by order", "stats_ns", "outside_ns");
	for (size_t h = 0; h < sizeof(hooks) / sizeof(hooks[0]); h++) {
		double *off = calloc(pairs, sizeof(double)), *on = calloc(pairs, sizeof(double));
		double *d = calloc(pairs, sizeof(double)), *o[2];
		int no[2] = {0, 0};

		o[0] = calloc(pairs, sizeof(double));
		o[1] = calloc(pairs, sizeof(double));
		struct bpf_link *l[2];

		if (!off || !on || !d || !o[0] || !o[1])
			return 1;
		hooks[h].loop(iters / 10 + 1); /* warm */
		for (k = 0; k < pairs; k++) {
			for (int half = 0; half < 2; half++) {
				bool attached = (half == 0) == (k % 2 == 1);

				if (attached && attach(obj, &hooks[h], l))
					return 1;
				double ns = hooks[h].loop(iters) / (double)iters;

				if (attached) {
					detach(l);
					on[k] = ns;
				} else {
					off[k] = ns;
				}
			}
			d[k] = (on[k] - off[k]) / hooks[h].events;
			o[k % 2][no[k % 2]++] = d[k]; /* [1]: attached first */
		}
		qsort(off, pairs, sizeof(double), cmp_double);
		qsort(on, pairs, sizeof(double), cmp_double);
		qsort(d, pairs, sizeof(double), cmp_double);
		int r = ci_rank(pairs);
		double med = pairs % 2 ? d[pairs / 2] : (d[pairs / 2 - 1] + d[pairs / 2]) / 2;

		qsort(o[0], no[0], sizeof(double), cmp_double);
		qsort(o[1], no[1], sizeof(double), cmp_double);
		double seen = stats_seen(obj, &hooks[h], iters);

		printf("%-7s %6d %7d %12.1f %12.1f %13.1f %8.1f-%-8.1f %7.1f/%-7.1f", hooks[h].name, pairs,
		       hooks[h].events, off[pairs / 2], on[pairs / 2], med, d[r - 1], d[pairs - r],
		       o[1][no[1] / 2], o[0][no[0] / 2]);
		if (seen >= 0)
			printf(" %9.1f %11.1f\n", seen, med - seen);
		else
			printf(" %9s %11s\n", "-", "-");
		fflush(stdout);
		free(off);
		free(on);
		free(d);
		free(o[0]);
		free(o[1]);
	}
	close(ping[1]);
	pthread_join(th, NULL);
	bpf_object__close(obj);
	return 0;
}
