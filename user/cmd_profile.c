// SPDX-License-Identifier: GPL-2.0
/* perfpilot profile: on-CPU stack sampling, written as folded stacks, pprof,
 * speedscope JSON or an SVG flame graph. */
#define _GNU_SOURCE
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "commands.h"
#include "flamegraph.h"
#include "folded.h"
#include "pprof.h"
#include "prof_format.h"
#include "profiler.h"
#include "speedscope.h"
#include "stackset.h"
#include "symbolize.h"
#include "watch.h"

#define DEFAULT_HZ 49
#define NAME_LEN 256

struct profile_opts {
	struct watch_opts w; /* target, cgroup, duration */
	unsigned int hz;
	enum pp_prof_mode mode;
	enum prof_format format;
	const char *output;
	char debug_dirs[1024]; /* --debug-dir, colon-separated; "" for the default */
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void help(void)
{
	printf("Usage: perfpilot profile [-a | -p PID[,PID...] | -c CGROUP] [-F HZ] [-d SECONDS]\n"
	       "                         [--kernel-only | --user-only] [--debug-dir DIR]\n"
	       "                         [--format folded|pprof|speedscope|svg] [-o FILE]\n\n"
	       "Samples on-CPU stacks (kernel and user) on every CPU, counts them in the kernel,\n"
	       "names their frames and writes them out. Stops after -d, on Ctrl-C, or (-p) when\n"
	       "every named process has exited.\n\n"
	       "User frames are named from the ELF symbols of each process's files (read\n"
	       "while it runs, so processes that exit keep their names), from separate debug\n"
	       "files of stripped binaries, and for JIT code from /tmp/perf-PID.map; C++ and\n"
	       "Rust names are demangled. What could not be named is listed on stderr.\n\n"
	       "  -a, --all              the whole host (default)\n"
	       "  -p, --pid PID[,PID]    only these processes\n"
	       "  -c, --cgroup PATH      processes in this cgroup and its descendants\n"
	       "  -F, --frequency HZ     samples per second per CPU (default %d, at most 10000)\n"
	       "  -d, --duration SECONDS stop after this long (10, 1.5, 500ms, 2m)\n"
	       "      --kernel-only      kernel stacks only (samples in user mode are skipped)\n"
	       "      --user-only        user stacks only (samples with no user stack are skipped)\n"
	       "      --format FORMAT    folded, pprof, speedscope or svg; without --format the\n"
	       "                         -o file name picks it (else folded):\n"
	       "                         folded      \"comm;root;...;leaf count\" lines, kernel\n"
	       "                                     frames marked _[k] (for flamegraph.pl)\n"
	       "                         pprof       gzipped profile.proto for go tool pprof\n"
	       "                                     (.pb.gz, .pprof)\n"
	       "                         speedscope  speedscope's JSON file format (.json)\n"
	       "                         svg         an interactive flame graph: click to zoom,\n"
	       "                                     search, tooltips; works offline (.svg)\n"
	       "  -o, --output FILE      write to FILE instead of stdout\n"
	       "      --debug-dir DIR    where separate debug files of stripped binaries are\n"
	       "                         (by build ID: DIR/.build-id/xx/rest.debug, and by\n"
	       "                         .gnu_debuglink: DIR/<binary's dir>/<link>), searched\n"
	       "                         before /usr/lib/debug; repeat it or separate with ':'\n"
	       "  -h, --help             this help\n\n"
	       "Examples:\n"
	       "  perfpilot profile -p 1234 -F 99 -d 10 > out.folded\n"
	       "  perfpilot profile -a -d 30 -o host.svg      # then open host.svg in a browser\n"
	       "  perfpilot profile -a -d 30 -o host.pb.gz && go tool pprof -top host.pb.gz\n",
	       DEFAULT_HZ);
}

/* --debug-dir: one directory or several separated by ':', each existing. */
static void add_debug_dirs(struct profile_opts *o, const char *list)
{
	const char *p = list;
	struct stat st;

	if (strlen(o->debug_dirs) + strlen(list) + 2 > sizeof(o->debug_dirs))
		usage_error("--debug-dir: too long (all of them together under %zu characters)",
			    sizeof(o->debug_dirs) - 1);
	do {
		char d[sizeof(o->debug_dirs)];
		size_t n = strcspn(p, ":");

		memcpy(d, p, n);
		d[n] = '\0';
		if (!n || stat(d, &st) || !S_ISDIR(st.st_mode))
			usage_error("--debug-dir '%s': no such directory", d);
		p += n;
	} while (*p++ == ':');
	if (*o->debug_dirs)
		strcat(o->debug_dirs, ":");
	strcat(o->debug_dirs, list);
}

static void parse(int argc, char **argv, struct profile_opts *o)
{
	enum { OPT_KERNEL = 256, OPT_USER, OPT_FORMAT, OPT_DEBUG_DIR = 300 };
	static const struct option longopts[] = {
		{"all", no_argument, NULL, 'a'},
		{"pid", required_argument, NULL, 'p'},
		{"cgroup", required_argument, NULL, 'c'},
		{"frequency", required_argument, NULL, 'F'},
		{"duration", required_argument, NULL, 'd'},
		{"kernel-only", no_argument, NULL, OPT_KERNEL},
		{"user-only", no_argument, NULL, OPT_USER},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"output", required_argument, NULL, 'o'},
		{"debug-dir", required_argument, NULL, OPT_DEBUG_DIR},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct target *t = &o->w.target;
	unsigned long v;
	char err[256];
	int c, nsel = 0, nmode = 0;

	memset(o, 0, sizeof(*o));
	o->hz = DEFAULT_HZ;
	t->mode = PP_FILTER_ALL;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":ap:c:F:d:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			nsel++;
			t->mode = PP_FILTER_ALL;
			break;
		case 'p':
			nsel++;
			t->mode = PP_FILTER_PID;
			if (parse_pid_list(optarg, t->pids, PP_MAX_PIDS, &t->npids, err, sizeof(err)))
				usage_error("%s", err);
			break;
		case 'c':
			nsel++;
			t->mode = PP_FILTER_CGROUP;
			t->cgroup = optarg;
			break;
		case 'F':
			if (parse_uint(optarg, 1, 10000, &v))
				usage_error("bad frequency '%s': a number of Hz from 1 to 10000", optarg);
			o->hz = (unsigned int)v;
			break;
		case 'd':
			if (parse_seconds(optarg, &o->w.duration_s))
				usage_error("bad duration '%s': use seconds such as 10, 1.5, 500ms, 2m", optarg);
			break;
		case OPT_KERNEL:
			nmode++;
			o->mode = PP_PROF_KERNEL;
			break;
		case OPT_USER:
			nmode++;
			o->mode = PP_PROF_USER;
			break;
		case OPT_FORMAT:
			if ((o->format = prof_format_parse(optarg)) == FMT_DEFAULT)
				usage_error("unknown format '%s': use folded, pprof, speedscope or svg", optarg);
			break;
		case 'o':
			o->output = optarg;
			break;
		case OPT_DEBUG_DIR:
			add_debug_dirs(o, optarg);
			break;
		case 'h':
			help();
			exit(0);
		case ':':
			usage_error("option '%s' needs a value; see 'perfpilot profile --help'",
				    argv[optind - 1]);
		default:
			usage_error("unknown option '%s'; see 'perfpilot profile --help'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'; see 'perfpilot profile --help'", argv[optind]);
	if (nsel > 1)
		usage_error("choose one of -a, -p and -c");
	if (nmode > 1)
		usage_error("choose one of --kernel-only and --user-only");
	if (o->format == FMT_DEFAULT)
		o->format = prof_format_for_file(o->output);
	if (o->format == FMT_PPROF && !o->output && isatty(STDOUT_FILENO))
		usage_error("pprof output is binary: give -o FILE or redirect stdout");
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A process sampled for the first time: read its symbols while it lives. */
static void on_new_process(void *ctx, uint32_t tgid)
{
	usyms_reload(&((struct symbolizer *)ctx)->u, tgid);
}

/* Sample until -d, a signal, or (-p) every target has exited. */
static void run(struct profiler *p, const struct profile_opts *o, struct symbolizer *sym)
{
	bool tty = isatty(STDERR_FILENO);
	double start = now(), last = 0;
	uint64_t cnt[PP_PROF_CNT_MAX];

	while (!stop) {
		double t = now() - start;

		if (o->w.duration_s && t >= o->w.duration_s)
			break;
		if (o->w.target.mode == PP_FILTER_PID && !any_alive(&o->w.target))
			break;
		if (tty && t - last >= 1) {
			last = t;
			profiler_counters(p, cnt);
			if (o->w.duration_s)
				fprintf(stderr, "\rperfpilot: profiling, %d s left, %" PRIu64 " samples   ",
					(int)(o->w.duration_s - t + 0.999), cnt[PP_PROF_SAMPLES]);
			else
				fprintf(stderr, "\rperfpilot: profiling (Ctrl-C stops), %" PRIu64 " samples   ",
					cnt[PP_PROF_SAMPLES]);
		}
		profiler_poll_new(p, 50, on_new_process, sym);
	}
	if (tty)
		fprintf(stderr, "\r\033[K");
}

/* The samples as a symbolized stack set. */
static int build(struct profiler *p, struct symbolizer *sym, const struct prof_count *pc, size_t n,
		 struct stackset *ss)
{
	static uint64_t uips[PP_STACK_DEPTH], kips[PP_STACK_DEPTH];
	static uint32_t frames[2 * PP_STACK_DEPTH + 2];
	char comm[PP_COMM_LEN + 1];
	size_t i;
	int nf;

	for (i = 0; i < n; i++) {
		struct raw_stack u = { uips, profiler_stack(p, pc[i].key.ustack, uips),
				       pc[i].key.ustack == PP_STACK_LOST };
		struct raw_stack k = { kips, profiler_stack(p, pc[i].key.kstack, kips),
				       pc[i].key.kstack == PP_STACK_LOST };

		memcpy(comm, pc[i].key.comm, PP_COMM_LEN);
		comm[PP_COMM_LEN] = '\0';
		nf = symbolize_stack(sym, ss, pc[i].key.tgid, &u, &k, frames);
		if (nf < 0 || ss_add(ss, pc[i].key.tgid, comm, frames, (uint32_t)nf, pc[i].count,
				     pc[i].count * ss->period_ns))
			return -1;
	}
	return 0;
}

static int write_profile(const struct stackset *ss, enum prof_format fmt, FILE *out)
{
	struct folded f = {0};
	int rc = -1;

	switch (fmt) {
	case FMT_DEFAULT:
	case FMT_FOLDED:
		if (!folded_from_stackset(ss, &f))
			rc = folded_write(&f, out);
		folded_free(&f);
		break;
	case FMT_PPROF:
		rc = pprof_write(ss, out);
		break;
	case FMT_SPEEDSCOPE:
		rc = speedscope_write(ss, out);
		break;
	case FMT_SVG:
		rc = flamegraph_write(ss, NULL, out);
		break;
	}
	return rc;
}

static int report(struct profiler *p, const struct profile_opts *o, struct symbolizer *sym,
		  double started, FILE *out)
{
	struct stackset ss;
	struct prof_count *pc;
	uint64_t cnt[PP_PROF_CNT_MAX];
	size_t n, i, gone = 0;
	int rc = 0;

	profiler_counters(p, cnt);
	if (profiler_read(p, &pc, &n)) {
		fprintf(stderr, "perfpilot: reading the samples failed\n");
		return 1;
	}
	if (o->mode != PP_PROF_USER)
		symbolizer_load_kernel(sym);
	usyms_refresh(&sym->u);
	ss_init(&ss, SS_ONCPU, o->hz);
	ss.start_unix = started;
	ss.duration_s = wall_now() - started;
	if (build(p, sym, pc, n, &ss)) {
		fprintf(stderr, "perfpilot: out of memory while symbolizing\n");
		rc = 1;
	} else if (write_profile(&ss, o->format, out)) {
		fprintf(stderr, "perfpilot: writing the output failed\n");
		rc = 1;
	}
	for (i = 0; i < sym->u.nprocs; i++)
		gone += !sym->u.procs[i].ok;
	fprintf(stderr, "perfpilot: %" PRIu64 " samples, %zu stacks; lost: %" PRIu64
		" (counts map full), %" PRIu64 " stacks not stored (shown as [unknown]: stack map "
		"full or hash collision)",
		cnt[PP_PROF_SAMPLES], ss.nstacks, cnt[PP_PROF_MAP_FULL], cnt[PP_PROF_STACK_ERR]);
	if (cnt[PP_PROF_SKIPPED])
		fprintf(stderr, ", %" PRIu64 " skipped (%s)", cnt[PP_PROF_SKIPPED],
			o->mode == PP_PROF_KERNEL ? "in user mode" : "no user stack");
	fputc('\n', stderr);
	if (gone)
		fprintf(stderr, "perfpilot: %zu processes exited before their stacks were symbolized: "
			"their user frames show as [unknown]\n", gone);
	usyms_report(&sym->u, stderr);
	if (o->mode != PP_PROF_USER && !sym->have_k)
		fprintf(stderr, "perfpilot: /proc/kallsyms unreadable: kernel frames show as [unknown]_[k]\n");
	ss_free(&ss);
	free(pc);
	return rc;
}

int cmd_profile(int argc, char **argv)
{
	struct profile_opts o;
	struct profiler_opts po;
	struct symbolizer sym = {0};
	struct profiler *p;
	struct sigaction sa;
	size_t i;
	char err[512];
	FILE *out = stdout;
	double started;
	int rc;

	parse(argc, argv, &o);
	watch_validate(&o.w);
	if (o.output && !(out = fopen(o.output, "w")))
		usage_error("cannot write '%s': %m", o.output);
	po = (struct profiler_opts){ .target = &o.w.target, .cgroup = &o.w.cg, .hz = o.hz,
				     .mode = o.mode };
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (usyms_set_debug_dirs(&sym.u, o.debug_dirs))
		usage_error("out of memory");
	/* named processes: their symbols are read now, in case they exit */
	for (i = 0; i < o.w.target.npids; i++)
		usyms_preload(&sym.u, o.w.target.pids[i]);
	if (profiler_open(&p, &po, err, sizeof(err))) {
		symbolizer_free(&sym);
		fprintf(stderr, "perfpilot: %s\n", err);
		if (out != stdout)
			fclose(out);
		return 1;
	}
	started = wall_now();
	run(p, &o, &sym);
	profiler_detach(p);
	rc = report(p, &o, &sym, started, out);
	profiler_close(p);
	symbolizer_free(&sym);
	if (out != stdout && fclose(out))
		rc = 1;
	return rc;
}
