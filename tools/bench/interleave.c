// SPDX-License-Identifier: GPL-2.0
/*
 * interleave: what perfpilot's collectors cost a workload, timed second by
 * second. The collectors are loaded once, as 'perfpilot stat -a' loads
 * them (every collector, the scheduler's task iterator run each second),
 * and their programs are detached and attached again in turn
 * (collector_pause, collector_resume) while one workload runs without a
 * break. Each window counts the workload's operations and the CPU time of
 * its processes; neighbouring windows share the host's state (its other
 * guests, its clock speed, the disk's queue), which whole runs minutes
 * apart do not, so their ratio sees a few per cent where whole runs see
 * the noise between them.
 *
 *   interleave [--pairs N] [--window-ms MS] [--settle-ms MS] [--dir DIR]
 *              [--pin] [--check] WORKLOAD
 *
 * WORKLOAD, each in processes of its own that count into shared memory:
 *   pipe  two processes hand a byte back and forth over two pipes (a round
 *         trip: two context switches at least), as 'perf bench sched pipe'
 *   cpu   a serial xorshift chain, no syscalls (a count per 65536 steps)
 *   io    16 KiB O_DIRECT writes, over and over, into a 64 MiB file in DIR
 *         (written once before the windows start)
 *   net   one TCP connection over loopback: 128 KiB writes, read by a
 *         second process (a count per 128 KiB received)
 *
 * Each of N pairs is a window detached and one attached, the order turning
 * each pair; after each switch the harness waits --settle-ms before the
 * window starts. Per pair: the slowdown in time (detached rate / attached
 * rate) and in CPU time per operation (attached / detached). Prints their
 * medians over the pairs with the order statistics that cover them with
 * 95 % or more (distribution-free; from 6 pairs on: fewer cannot, and the
 * coverage printed says what they give), the medians of the pairs run attached
 * first and detached first, and the noise: the spread of the detached
 * windows' rates, and the same ratio between the detached windows of
 * neighbouring pairs (what the method gives when nothing differs). The
 * last line, "result ...", is for scripts (tools/bench/overhead).
 *
 * --check: after each switch, count the harness's own BPF links
 * (/proc/self/fdinfo) and perf events: none but the task iterator's link
 * detached, all of them attached; and with net and io, the bytes the
 * programs counted for the workload in each window: some attached, none
 * detached (the attached windows' sum is printed beside the workload's own
 * count of the same spans). Exit 1 otherwise.
 * (The reads this takes make the times worth nothing.)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include "collect/watch.h"
#include "orderstat.h"

#define IO_BLOCK (16 * 1024)
#define IO_FILE (64ULL << 20)
#define NET_CHUNK (128 * 1024)
#define MAX_KIDS 2

struct shared {
	volatile uint64_t ops;
	volatile int ready;
};

static struct shared *sh;
static pid_t kids[MAX_KIDS];
static int nkids;
static char io_path[4096];
static volatile sig_atomic_t stop;
static bool pin; /* --pin: the workload's i-th process on the i-th CPU allowed */

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double mono(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void nap(double s)
{
	struct timespec t = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};

	while (nanosleep(&t, &t) && errno == EINTR && !stop)
		;
}

static void die(const char *what)
{
	fprintf(stderr, "interleave: %s: %s\n", what, strerror(errno));
	_exit(1);
}

/* ---- the workloads: each body runs in a child until the harness ends -- */

/* The i-th CPU of this process's affinity mask (wrapping around). */
static int nth_cpu(int i)
{
	cpu_set_t s;
	int n = 0, cpu;

	if (sched_getaffinity(0, sizeof(s), &s) || !(n = CPU_COUNT(&s)))
		return -1;
	i %= n;
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &s) && i-- == 0)
			return cpu;
	return -1;
}

static pid_t harness;

static void child_setup(void)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != harness) /* the harness died before the prctl */
		_exit(1);
	if (pin) {
		int cpu = nth_cpu(nkids);
		cpu_set_t s;

		CPU_ZERO(&s);
		if (cpu >= 0)
			CPU_SET(cpu, &s);
		if (cpu < 0 || sched_setaffinity(0, sizeof(s), &s))
			die("pinning the workload (--pin)");
	}
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_DFL);
}

static void spawn(void (*body)(void *), void *arg)
{
	pid_t p = fork();

	if (p < 0)
		die("fork");
	if (p == 0) {
		child_setup();
		body(arg);
		_exit(0);
	}
	kids[nkids++] = p;
}

static void cpu_body(void *arg)
{
	uint64_t x = 88172645463325252ULL;
	volatile uint64_t sink;

	(void)arg;
	__atomic_add_fetch(&sh->ready, 1, __ATOMIC_SEQ_CST);
	for (;;) {
		for (int i = 0; i < 65536; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
		}
		sink = x;
		(void)sink;
		__atomic_add_fetch(&sh->ops, 1, __ATOMIC_RELAXED);
	}
}

struct pipes {
	int ab[2], ba[2];
};

static void ping_body(void *arg)
{
	struct pipes *p = arg;
	char b = 0;

	__atomic_add_fetch(&sh->ready, 1, __ATOMIC_SEQ_CST);
	for (;;) {
		if (write(p->ab[1], &b, 1) != 1 || read(p->ba[0], &b, 1) != 1)
			_exit(1);
		__atomic_add_fetch(&sh->ops, 1, __ATOMIC_RELAXED);
	}
}

static void pong_body(void *arg)
{
	struct pipes *p = arg;
	char b;

	__atomic_add_fetch(&sh->ready, 1, __ATOMIC_SEQ_CST);
	for (;;)
		if (read(p->ab[0], &b, 1) != 1 || write(p->ba[1], &b, 1) != 1)
			_exit(1);
}

static void io_body(void *arg)
{
	int fd = open(arg, O_WRONLY | O_CREAT | O_TRUNC | O_DIRECT, 0600);
	uint64_t off;
	void *buf;

	if (fd < 0 || posix_memalign(&buf, 4096, IO_BLOCK))
		die("the io workload's file (O_DIRECT)");
	memset(buf, 0x5a, IO_BLOCK);
	for (off = 0; off < IO_FILE; off += IO_BLOCK) /* allocated before counting */
		if (pwrite(fd, buf, IO_BLOCK, (off_t)off) != IO_BLOCK)
			die("writing the io workload's file");
	__atomic_add_fetch(&sh->ready, 1, __ATOMIC_SEQ_CST);
	for (off = 0;; off = (off + IO_BLOCK) % IO_FILE) {
		if (pwrite(fd, buf, IO_BLOCK, (off_t)off) != IO_BLOCK)
			die("writing the io workload's file");
		__atomic_add_fetch(&sh->ops, 1, __ATOMIC_RELAXED);
	}
}

static void recv_body(void *arg)
{
	int c = accept(*(int *)arg, NULL, NULL);
	static char buf[NET_CHUNK];
	uint64_t got = 0;

	if (c < 0)
		die("accept");
	__atomic_add_fetch(&sh->ready, 1, __ATOMIC_SEQ_CST);
	for (;;) {
		ssize_t n = read(c, buf, sizeof(buf));

		if (n <= 0)
			_exit(n < 0);
		got += (uint64_t)n;
		for (; got >= NET_CHUNK; got -= NET_CHUNK)
			__atomic_add_fetch(&sh->ops, 1, __ATOMIC_RELAXED);
	}
}

static void send_body(void *arg)
{
	struct sockaddr_in *a = arg;
	static char buf[NET_CHUNK];
	int s = socket(AF_INET, SOCK_STREAM, 0);

	if (s < 0 || connect(s, (struct sockaddr *)a, sizeof(*a)))
		die("connecting to the receiver");
	memset(buf, 0x5a, sizeof(buf));
	__atomic_add_fetch(&sh->ready, 1, __ATOMIC_SEQ_CST);
	for (;;)
		if (write(s, buf, sizeof(buf)) < 0)
			_exit(1);
}

/* Start the workload's processes; how many report ready. -1: no such. */
static int start_workload(const char *wl, const char *dir)
{
	static struct pipes p;
	static struct sockaddr_in a;
	static int l;

	if (!strcmp(wl, "cpu")) {
		spawn(cpu_body, NULL);
		return 1;
	}
	if (!strcmp(wl, "pipe")) {
		if (pipe(p.ab) || pipe(p.ba))
			die("pipe");
		spawn(ping_body, &p);
		spawn(pong_body, &p);
		return 2;
	}
	if (!strcmp(wl, "io")) {
		snprintf(io_path, sizeof(io_path), "%s/interleave-io.%d", dir, (int)getpid());
		spawn(io_body, io_path);
		return 1;
	}
	if (!strcmp(wl, "net")) {
		socklen_t len = sizeof(a);

		a.sin_family = AF_INET;
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		l = socket(AF_INET, SOCK_STREAM, 0);
		if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
		    getsockname(l, (struct sockaddr *)&a, &len))
			die("a loopback listener");
		spawn(recv_body, &l);
		spawn(send_body, &a);
		close(l);
		return 2;
	}
	return -1;
}

static void stop_workload(void)
{
	for (int i = 0; i < nkids; i++)
		kill(kids[i], SIGKILL);
	for (int i = 0; i < nkids; i++)
		waitpid(kids[i], NULL, 0);
	nkids = 0;
	if (io_path[0])
		unlink(io_path);
	io_path[0] = 0;
}

/* Has one of the workload's processes ended? (A dead end of the pipe or
 * the stream would leave the other waiting: windows without a count.) */
static bool workload_died(void)
{
	for (int i = 0; i < nkids; i++) {
		int st;

		if (waitpid(kids[i], &st, WNOHANG) == kids[i]) {
			fprintf(stderr, "interleave: the workload's process %d %s %d\n", (int)kids[i],
				WIFEXITED(st) ? "exited with status" : "was killed by signal",
				WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
			kids[i] = kids[--nkids]; /* reaped: not to be killed or waited for */
			return true;
		}
	}
	return false;
}

/* The workload's processes' CPU time so far, ns (each is one thread). */
static double kids_cpu_ns(void)
{
	double sum = 0;

	for (int i = 0; i < nkids; i++) {
		char path[64];
		unsigned long long ns;
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)kids[i]);
		f = fopen(path, "r");
		if (!f || fscanf(f, "%llu", &ns) != 1) {
			fprintf(stderr, "interleave: the workload's process %d is gone\n", (int)kids[i]);
			if (f)
				fclose(f);
			stop_workload();
			exit(1);
		}
		fclose(f);
		sum += (double)ns;
	}
	return sum;
}

/* This process's BPF links: all of them, those of the task iterator, and
 * its perf events (the software events the fault and tick programs are
 * attached to). */
static void count_links(int *all, int *iter, int *perf)
{
	DIR *d = opendir("/proc/self/fdinfo");
	struct dirent *e;

	*all = *iter = *perf = 0;
	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[300], line[256], target[64];
		bool link = false;
		ssize_t n;
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		if (n > 0) {
			target[n] = 0;
			if (!strcmp(target, "anon_inode:[perf_event]"))
				*perf += 1;
		}
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%s", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			if (!strncmp(line, "link_type:", 10)) {
				link = true;
				*all += 1;
				if (strstr(line, "iter"))
					*iter += 1;
			}
			if (link)
				break;
		}
		fclose(f);
	}
	closedir(d);
}

/* What perfpilot's programs counted for the workload's processes so far:
 * TCP bytes sent and received, block IO bytes written (nothing is counted
 * for the pipe and cpu workloads but by the task iterator, which stays). */
static uint64_t kids_counted(struct watch *w)
{
	struct proc_raw *rows;
	uint64_t sum = 0;
	size_t n;

	if (collector_read(w->col, &rows, &n)) {
		fprintf(stderr, "interleave: reading the collectors' maps failed\n");
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < nkids; k++)
			if (rows[i].pid == (uint32_t)kids[k])
				sum += rows[i].net.tx_bytes + rows[i].net.rx_bytes + rows[i].io.write_bytes;
	return sum;
}

struct window {
	double rate;   /* operations per second */
	double cpu_op; /* CPU ns per operation */
};

/* One window: `ms` of the workload, with the collectors' per-second read
 * while attached (as 'perfpilot stat' without -i). */
static struct window run_window(struct watch *w, bool attached, double ms, double *next_sync)
{
	double t0 = mono(), c0 = kids_cpu_ns(), end = t0 + ms / 1000, t1, c1;
	uint64_t o0 = __atomic_load_n(&sh->ops, __ATOMIC_RELAXED), o1;
	struct window r;

	while (!stop) {
		double now = mono(), until = end;

		if (now >= end)
			break;
		if (attached && *next_sync <= now) {
			collector_sync(w->col);
			*next_sync = now + 1;
		}
		if (attached && *next_sync < until)
			until = *next_sync;
		nap(until - now);
	}
	t1 = mono();
	c1 = kids_cpu_ns();
	o1 = __atomic_load_n(&sh->ops, __ATOMIC_RELAXED);
	r.rate = (double)(o1 - o0) / (t1 - t0);
	r.cpu_op = o1 > o0 ? (c1 - c0) / (double)(o1 - o0) : 0;
	return r;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: interleave [--pairs N] [--window-ms MS] [--settle-ms MS] [--dir DIR] [--pin]\n"
		"                  [--check] pipe|cpu|io|net\n"
		"Times perfpilot's collectors (as 'perfpilot stat -a') attached and detached in turn,\n"
		"second by second, while one workload runs; see tools/bench/interleave.c.\n"
		"  --pairs N       pairs of windows (default 31, 3-1000)\n"
		"  --window-ms MS  length of a window (default 1000, 100-60000)\n"
		"  --settle-ms MS  wait after each switch before a window (default 300)\n"
		"  --dir DIR       where the io workload writes (default /var/tmp; a block device)\n"
		"  --pin           the workload's first process on the first CPU allowed, its\n"
		"                  second (pipe, net) on the second\n"
		"  --check         check the harness's BPF links after each switch\n");
}

static void report(const char *name, double *v, int n, double *first_on, int non, double *first_off,
		   int noff, const char *unit)
{
	int r = ci_rank(n);
	double med = median_sort(v, n);

	printf("%-22s %8.4f  %8.4f-%-8.4f  %8.4f / %-8.4f %s\n", name, med, v[r - 1], v[n - r],
	       non ? median_sort(first_on, non) : 0, noff ? median_sort(first_off, noff) : 0, unit);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"pairs", required_argument, NULL, 'n'},  {"window-ms", required_argument, NULL, 'w'},
		{"settle-ms", required_argument, NULL, 's'}, {"dir", required_argument, NULL, 'd'},
		{"check", no_argument, NULL, 'c'},        {"pin", no_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	int pairs = 31, nready, c, bad = 0, links_on = -1, iter_links = 0;
	uint64_t checked_bytes[2] = {0, 0}; /* --check: counted detached, attached */
	uint64_t own_bytes[2] = {0, 0};     /* and the workload's own count of them */
	int links_off = 0, perf_on = 0, perf_off = 0; /* --check: the most seen detached */
	double window_ms = 1000, settle_ms = 300, next_sync = 0;
	const char *dir = "/var/tmp", *wl;
	bool check = false, tty = isatty(STDERR_FILENO);
	struct watch_opts wo = {0};
	struct watch w;
	struct sigaction sa = {.sa_handler = on_signal};
	char err[256];

	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'n': pairs = atoi(optarg); break;
		case 'w': window_ms = atof(optarg); break;
		case 's': settle_ms = atof(optarg); break;
		case 'd': dir = optarg; break;
		case 'c': check = true; break;
		case 'p': pin = true; break;
		case 'h': usage(stdout); return 0;
		default:
			fprintf(stderr, "interleave: unknown option or missing value: %s (--help)\n",
				argv[optind - 1]);
			return 2;
		}
	}
	const char *bad_arg = optind != argc - 1 ? "name one workload: pipe, cpu, io or net"
			      : pairs < 3 || pairs > 1000 ? "--pairs: 3 to 1000"
			      : !(window_ms >= 100 && window_ms <= 60000) ? "--window-ms: 100 to 60000"
			      : !(settle_ms >= 0 && settle_ms <= 60000) ? "--settle-ms: 0 to 60000"
									 : NULL;
	if (bad_arg) {
		fprintf(stderr, "interleave: %s (--help)\n", bad_arg);
		return 2;
	}
	wl = argv[optind];
	if (strcmp(wl, "pipe") && strcmp(wl, "cpu") && strcmp(wl, "io") && strcmp(wl, "net")) {
		fprintf(stderr, "interleave: unknown workload '%s': pipe, cpu, io or net\n", wl);
		return 2;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "interleave: needs root to load BPF programs: run it with sudo\n");
		return 1;
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		die("mmap");
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	/* the collectors first: their start-up (loading, the first read of
	 * /proc) is not the workload's */
	wo.target.mode = PP_FILTER_ALL;
	wo.max_procs = PP_MAX_PROCS_DEFAULT;
	wo.sched_source = SCHED_SOURCE_ITERATOR;
	watch_start(&w, &wo);
	collector_pause(w.col);

	harness = getpid();
	nready = start_workload(wl, dir);
	for (double t = mono(); __atomic_load_n(&sh->ready, __ATOMIC_SEQ_CST) < nready; nap(0.01))
		if (stop || workload_died() || mono() - t > 120) {
			fprintf(stderr, "interleave: the %s workload did not start%s\n", wl,
				!strcmp(wl, "io") ? " (O_DIRECT writes in --dir on a block device?)" : "");
			stop_workload();
			watch_stop(&w, false);
			return 1;
		}
	/* the io workload's file: gone from the directory from now on (its
	 * writer's descriptor keeps it), whatever ends the harness */
	if (io_path[0]) {
		unlink(io_path);
		io_path[0] = 0;
	}
	nap(1); /* warm */

	double *t_ratio = calloc((size_t)pairs, sizeof(double));
	double *c_ratio = calloc((size_t)pairs, sizeof(double));
	double *t_on1 = calloc((size_t)pairs, sizeof(double)), *t_off1 = calloc((size_t)pairs, sizeof(double));
	double *c_on1 = calloc((size_t)pairs, sizeof(double)), *c_off1 = calloc((size_t)pairs, sizeof(double));
	double *off_rate = calloc((size_t)pairs, sizeof(double));
	double *aa = calloc((size_t)pairs, sizeof(double));
	double *on_rate = calloc((size_t)pairs, sizeof(double));
	int non = 0, noff = 0, k;

	if (!t_ratio || !c_ratio || !t_on1 || !t_off1 || !c_on1 || !c_off1 || !off_rate || !aa || !on_rate)
		die("calloc");
	fprintf(stderr, "interleave: %s, %d pairs of %.0f ms windows\n", wl, pairs, window_ms);
	for (k = 0; k < pairs && !stop; k++) {
		struct window win[2]; /* [0] detached, [1] attached */

		for (int half = 0; half < 2 && !stop; half++) {
			bool attached = (half == 0) == (k % 2 == 1);

			if (attached) {
				if (collector_resume(w.col, err, sizeof(err))) {
					fprintf(stderr, "interleave: %s\n", err);
					bad = 1;
					stop = 1;
					break;
				}
				next_sync = mono() + settle_ms / 1000; /* the first read at the window's start */
			} else {
				collector_pause(w.col);
			}
			if (check) {
				int all, it, perf;

				count_links(&all, &it, &perf);
				if (attached && links_on < 0)
					links_on = all, iter_links = it, perf_on = perf;
				if (!attached && all > links_off)
					links_off = all;
				if (!attached && perf > perf_off)
					perf_off = perf;
				if (attached ? all != links_on || all <= it || perf != perf_on
					     : all != it || perf) {
					fprintf(stderr, "interleave: check: %s, %d BPF links (%d of the iterator), "
						"%d perf events\n", attached ? "attached" : "detached", all, it, perf);
					bad = 1;
				}
			}
			nap(settle_ms / 1000);
			uint64_t counted = check ? kids_counted(&w) : 0;
			uint64_t own = __atomic_load_n(&sh->ops, __ATOMIC_RELAXED);

			win[attached] = run_window(&w, attached, window_ms, &next_sync);
			if (!stop && (workload_died() || win[attached].rate <= 0)) {
				fprintf(stderr, "interleave: the %s workload counted nothing in a %s window\n",
					wl, attached ? "attached" : "detached");
				bad = 1;
				stop = 1;
			}
			if (check && (!strcmp(wl, "net") || !strcmp(wl, "io"))) {
				/* bytes in flight at a switch are done within the settle time */
				counted = kids_counted(&w) - counted;
				/* the workload's own count over the same span: a 16 KiB
				 * write, or 128 KiB received (and as much sent: both ends
				 * are counted) */
				own = (__atomic_load_n(&sh->ops, __ATOMIC_RELAXED) - own) *
				      (!strcmp(wl, "io") ? IO_BLOCK : 2ULL * NET_CHUNK);
				if (attached ? counted == 0 : counted != 0) {
					fprintf(stderr, "interleave: check: %s, the programs counted %llu bytes "
						"of the workload in a window\n", attached ? "attached" : "detached",
						(unsigned long long)counted);
					bad = 1;
				}
				checked_bytes[attached] += counted;
				own_bytes[attached] += own;
			}
		}
		if (stop)
			break;
		t_ratio[k] = win[0].rate / win[1].rate;
		c_ratio[k] = win[0].cpu_op > 0 ? win[1].cpu_op / win[0].cpu_op : 0;
		off_rate[k] = win[0].rate;
		on_rate[k] = win[1].rate;
		if (k % 2) {
			t_on1[non] = t_ratio[k];
			c_on1[non++] = c_ratio[k];
		} else {
			t_off1[noff] = t_ratio[k];
			c_off1[noff++] = c_ratio[k];
		}
		if (tty)
			fprintf(stderr, "\rinterleave: pair %d/%d", k + 1, pairs);
	}
	if (tty)
		fprintf(stderr, "\n");
	/* what was measured: the iterator, or its fallback to the per-switch
	 * programs; tp_btf, or raw_tp */
	const char *source = sched_source_name(collector_sched_source(w.col));
	const char *kind = collector_attach_kind(w.col);

	collector_pause(w.col);
	stop_workload();
	watch_stop(&w, false);
	if (k < pairs) {
		fprintf(stderr, "interleave: stopped after %d of %d pairs\n", k, pairs);
		return 1;
	}
	if (check)
		printf("check: %d BPF links attached (%d of them the task iterator's), %d detached; "
		       "perf events %d attached, %d detached; "
		       "the workload's bytes counted attached %llu (its own count %llu), detached %llu "
		       "(its own count %llu): %s\n",
		       links_on, iter_links, links_off, perf_on, perf_off, (unsigned long long)checked_bytes[1],
		       (unsigned long long)own_bytes[1], (unsigned long long)checked_bytes[0],
		       (unsigned long long)own_bytes[0], bad ? "FAILED" : "ok");

	/* neighbouring detached windows: the ratio when nothing differs */
	for (k = 0; k + 1 < pairs; k++)
		aa[k] = off_rate[k] / off_rate[k + 1];
	double on_med = median_sort(on_rate, pairs);
	double aa_lo, aa_hi, aa_med;
	int r = ci_rank(pairs - 1);

	aa_med = median_sort(aa, pairs - 1);
	aa_lo = aa[r - 1];
	aa_hi = aa[pairs - 1 - r];
	double off_med = median_sort(off_rate, pairs);
	double spread = (off_rate[pairs - 1] - off_rate[0]) / off_med;

	printf("workload %s: %d pairs of %.0f ms windows (settle %.0f ms), ops/s detached %.1f, "
	       "attached %.1f (medians); sched_source %s, %s\n", wl, pairs, window_ms, settle_ms,
	       off_med, on_med, source, kind);
	printf("%-22s %8s  %-17s  %-19s\n", "per pair", "median", "CI", "on-first / off-first");
	report("time (off/on rate)", t_ratio, pairs, t_on1, non, t_off1, noff, "");
	report("CPU per op (on/off)", c_ratio, pairs, c_on1, non, c_off1, noff, "");
	printf("noise: detached windows' rate spread %.1f %% (max-min)/median; neighbouring detached "
	       "windows' ratio %.4f (%.4f-%.4f: order statistics %d and %d of %d; the ratios share "
	       "windows, so their coverage is approximate)\n", 100 * spread, aa_med, aa_lo, aa_hi, r,
	       pairs - r, pairs - 1);
	int rr = ci_rank(pairs);
	double t_med = median_sort(t_ratio, pairs), c_med = median_sort(c_ratio, pairs);
	double on1 = median_sort(t_on1, non), off1 = median_sort(t_off1, noff);

	printf("CI: the order statistics %d and %d of %d pairs, covering the median with %.1f %% "
	       "(distribution-free)\n", rr, pairs + 1 - rr, pairs, 100 * ci_coverage(pairs, rr));

	printf("result workload=%s sched_source=%s attach=%s pairs=%d time=%.4f time_lo=%.4f time_hi=%.4f cpu=%.4f cpu_lo=%.4f "
	       "cpu_hi=%.4f spread=%.4f aa=%.4f aa_lo=%.4f aa_hi=%.4f on_first=%.4f off_first=%.4f\n",
	       wl, source, kind, pairs, t_med, t_ratio[rr - 1], t_ratio[pairs - rr], c_med, c_ratio[rr - 1],
	       c_ratio[pairs - rr], spread, aa_med, aa_lo, aa_hi, on1, off1);
	return bad;
}
