// SPDX-License-Identifier: GPL-2.0
/* perfpilot profile: on-CPU stack sampling, written as folded stacks, pprof,
 * speedscope JSON or an SVG flame graph. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
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
#include "formats/flamegraph.h"
#include "formats/folded.h"
#include "formats/pprof.h"
#include "formats/prof_format.h"
#include "profile/offcpu.h"
#include "profile/build.h"
#include "profile/oncpu.h"
#include "formats/speedscope.h"
#include "profile/stackset.h"
#include "profile/symbolize.h"
#include "collect/watch.h"

#define DEFAULT_HZ 49
#define NAME_LEN 256

struct profile_opts {
	struct watch_opts w; /* target, cgroup, duration */
	unsigned int hz;
	enum pp_prof_mode mode;
	enum prof_format format;
	const char *output;
	char debug_dirs[1024]; /* --debug-dir, colon-separated; "" for the default */
	bool offcpu;           /* --off-cpu */
	bool offcpu_eager;     /* --off-cpu-eager (benchmarks): stacks at every switch */
	uint64_t min_block_ns; /* --min-block-us */
	bool min_block_set;
	struct ustack_opts ustack; /* --unwind, --unwind-depth, --unwind-memory */
	bool ustack_set;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void help(void)
{
	printf("Usage: perfpilot profile [-a | -p PID[,PID...] | -c CGROUP...] [-F HZ] [-d SECONDS]\n"
	       "                         [--off-cpu [--min-block-us N]]\n"
	       "                         [--kernel-only | --user-only] [--debug-dir DIR]\n"
	       "                         [--unwind fp|dwarf|auto] [--unwind-depth N]\n"
	       "                         [--unwind-memory MB]\n"
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
	       "  -c, --cgroup PATH      processes in this cgroup and its descendants (repeat\n"
	       "                         it for several, up to 64, of one hierarchy)\n"
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
	       "      --unwind HOW       how user stacks are walked: dwarf (in the kernel, with\n"
	       "                         unwind tables built from each binary's .eh_frame:\n"
	       "                         programs built without frame pointers, as most\n"
	       "                         distributions' are, get their whole stacks; frame\n"
	       "                         pointers where a binary has no unwind information),\n"
	       "                         fp (frame pointers only, the kernel's walk), or auto\n"
	       "                         (the default: dwarf where the kernel can run it,\n"
	       "                         else fp with a notice)\n"
	       "      --unwind-depth N   user frames at most with dwarf (1 to %d, default %d)\n"
	       "      --unwind-memory MB memory for the unwind tables (default %d); the\n"
	       "                         binaries sampled least recently make room first\n"
	       "  -h, --help             this help\n\n"
	       "Off-CPU profiling shows where threads wait instead of where they run: the\n"
	       "weight of a stack is the time its threads spent blocked there (microseconds\n"
	       "in the folded output). Only blocking counts (sleep, IO, locks, waiting for\n"
	       "data): a thread that is preempted or yields is still runnable, and its wait\n"
	       "for a CPU is run-queue latency, which 'perfpilot stat' reports.\n\n"
	       "      --off-cpu          profile blocked time instead of CPU time\n"
	       "      --min-block-us N   ignore blocks shorter than N microseconds (default %d)\n"
	       "  -F HZ                  with --off-cpu: stacks per second of blocked time, per\n"
	       "                         thread (default %d): every block of at least 1/HZ s is\n"
	       "                         recorded with its exact duration; a shorter block is\n"
	       "                         recorded with probability (its length x HZ) and\n"
	       "                         credited 1/HZ s, so each stack's expected time is its\n"
	       "                         true blocked time, at a fraction of the cost of walking\n"
	       "                         the stacks at every context switch\n"
	       "-a/-p/-c, -d, --kernel-only and --user-only work as for on-CPU profiles.\n"
	       "Blocks that began before the start or had not ended at the end are not counted.\n\n"
	       "Examples:\n"
	       "  perfpilot profile -p 1234 -F 99 -d 10 > out.folded\n"
	       "  perfpilot profile -a -d 30 -o host.svg      # then open host.svg in a browser\n"
	       "  perfpilot profile -a -d 30 -o host.pb.gz && go tool pprof -top host.pb.gz\n"
	       "  perfpilot profile --off-cpu -p 1234 -d 10 -o off.svg\n",
	       DEFAULT_HZ, PP_STACK_DEPTH, USTACK_DEPTH_DEFAULT, USTACK_MEMORY_MB_DEFAULT,
	       PP_OFFCPU_MIN_BLOCK_US_DEFAULT, DEFAULT_HZ);
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
	enum { OPT_KERNEL = 256, OPT_USER, OPT_FORMAT, OPT_OFFCPU, OPT_MIN_BLOCK, OPT_EAGER,
	       OPT_DEBUG_DIR, OPT_UNWIND, OPT_UNWIND_DEPTH, OPT_UNWIND_MEMORY };
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
		{"off-cpu", no_argument, NULL, OPT_OFFCPU},
		{"min-block-us", required_argument, NULL, OPT_MIN_BLOCK},
		{"off-cpu-eager", no_argument, NULL, OPT_EAGER},
		{"unwind", required_argument, NULL, OPT_UNWIND},
		{"unwind-depth", required_argument, NULL, OPT_UNWIND_DEPTH},
		{"unwind-memory", required_argument, NULL, OPT_UNWIND_MEMORY},
		{},
	};
	struct target *t = &o->w.target;
	unsigned long v;
	int c, nsel = 0, nmode = 0;

	memset(o, 0, sizeof(*o));
	o->hz = DEFAULT_HZ;
	o->min_block_ns = PP_OFFCPU_MIN_BLOCK_US_DEFAULT * 1000ULL;
	t->mode = PP_FILTER_ALL;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":ap:c:F:d:o:h", longopts, NULL)) != -1) {
		if (target_option(c, optarg, t, &nsel))
			continue;
		switch (c) {
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
		case OPT_OFFCPU:
			o->offcpu = true;
			break;
		case OPT_MIN_BLOCK:
			if (parse_uint(optarg, 0, 1000000000, &v))
				usage_error("bad --min-block-us '%s': a whole number of microseconds "
					    "from 0 to 1000000000", optarg);
			o->min_block_ns = v * 1000ULL;
			o->min_block_set = true;
			break;
		case OPT_EAGER:
			o->offcpu = o->offcpu_eager = true;
			break;
		case OPT_UNWIND:
			if (ustack_mode_parse(optarg, &o->ustack.mode))
				usage_error("unknown --unwind '%s': use fp, dwarf or auto", optarg);
			break;
		case OPT_UNWIND_DEPTH:
			if (parse_uint(optarg, 1, PP_STACK_DEPTH, &v))
				usage_error("bad --unwind-depth '%s': a number of frames from 1 to %d",
					    optarg, PP_STACK_DEPTH);
			o->ustack.depth = (unsigned int)v;
			o->ustack_set = true;
			break;
		case OPT_UNWIND_MEMORY:
			if (parse_uint(optarg, 1, 4096, &v))
				usage_error("bad --unwind-memory '%s': a number of MB from 1 to 4096",
					    optarg);
			o->ustack.memory_mb = (unsigned int)v;
			o->ustack_set = true;
			break;
		case 'h':
			help();
			exit(0);
		default:
			option_error(c, "profile", argv);
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
	if (o->min_block_set && !o->offcpu)
		usage_error("--min-block-us needs --off-cpu");
	if (o->ustack_set && o->ustack.mode == USTACK_FP)
		usage_error("--unwind-depth and --unwind-memory are for --unwind dwarf or auto");
}

/* A process sampled for the first time: read its symbols while it lives. */
static void on_new_process(void *ctx, uint32_t tgid)
{
	usyms_reload(&((struct symbolizer *)ctx)->u, tgid);
}

/* What run() drives: one of the two profilers. */
struct sampler {
	void *p;
	const char *what;              /* "profiling", "off-CPU profiling" */
	const char *unit;              /* what progress() counts */
	uint64_t (*progress)(void *p); /* shown once a second on a terminal */
	int (*poll_new)(void *p, int timeout_ms, void (*fn)(void *ctx, uint32_t tgid), void *ctx);
};

/* Sample until -d, a signal, or (-p) every target has exited. */
static void run(const struct sampler *s, const struct profile_opts *o, struct symbolizer *sym)
{
	bool tty = isatty(STDERR_FILENO);
	double start = mono_now(), last = 0;

	while (!stop) {
		double t = mono_now() - start;

		if (o->w.duration_s && t >= o->w.duration_s)
			break;
		if (o->w.target.mode == PP_FILTER_PID && !any_alive(&o->w.target))
			break;
		if (tty && t - last >= 1) {
			last = t;
			if (o->w.duration_s)
				fprintf(stderr, "\rperfpilot: %s, %d s left, %" PRIu64 " %s   ", s->what,
					(int)(o->w.duration_s - t + 0.999), s->progress(s->p), s->unit);
			else
				fprintf(stderr, "\rperfpilot: %s (Ctrl-C stops), %" PRIu64 " %s   ",
					s->what, s->progress(s->p), s->unit);
		}
		s->poll_new(s->p, 50, on_new_process, sym);
	}
	if (tty)
		fprintf(stderr, "\r\033[K");
}

/*
 * -o FILE, a regular file (or none yet), is written to a temporary file
 * beside it (FILE.perfpilot-XXXXXX; beside the file a symbolic link points
 * at), renamed over it once complete and removed when anything failed, so
 * that FILE is either the whole profile or untouched (a full disk, a
 * signal). Only a SIGKILL can leave the temporary file behind. Anything
 * else (/dev/null, a FIFO) is written to directly.
 */
static char out_tmp[PATH_MAX], out_path[PATH_MAX];

static FILE *out_open(const char *path)
{
	struct stat sb;
	mode_t mask;
	FILE *f;
	int fd;

	out_tmp[0] = 0;
	snprintf(out_path, sizeof(out_path), "%s", path);
	if (!stat(path, &sb)) {
		if (S_ISDIR(sb.st_mode))
			usage_error("cannot write '%s': it is a directory", path);
		if (!S_ISREG(sb.st_mode)) {
			if (!(f = fopen(path, "w")))
				usage_error("cannot write '%s': %m", path);
			return f;
		}
		if (!realpath(path, out_path)) /* through a symbolic link */
			usage_error("cannot write '%s': %m", path);
	}
	if ((size_t)snprintf(out_tmp, sizeof(out_tmp), "%s.perfpilot-XXXXXX", out_path) >=
	    sizeof(out_tmp))
		usage_error("cannot write '%s': the name is too long", path);
	fd = mkstemp(out_tmp);
	if (fd < 0)
		usage_error("cannot write '%s': %m", path);
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) || !(f = fdopen(fd, "w"))) {
		close(fd);
		unlink(out_tmp);
		usage_error("cannot write '%s': %m", path);
	}
	return f;
}

/* Close -o's file and put the temporary one in place (rc 0), or remove
 * it. The exit code: rc, or 1 after one line saying what failed. */
static int out_close(FILE *f, const char *path, int rc)
{
	int err = 0;

	if (fflush(f) || ferror(f))
		err = errno ? errno : EIO;
	if (fclose(f) && !err)
		err = errno;
	if (!rc && err) {
		fprintf(stderr, "perfpilot: writing %s failed: %s%s\n", path, strerror(err),
			out_tmp[0] ? "; it is left as it was" : "");
		rc = 1;
	}
	if (!out_tmp[0])
		return rc;
	if (!rc && rename(out_tmp, out_path)) {
		fprintf(stderr, "perfpilot: writing %s failed: %s\n", path, strerror(errno));
		rc = 1;
	}
	if (rc)
		unlink(out_tmp);
	return rc;
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

/*
 * The kernel's symbols, unless --user-only: read before sampling starts
 * (kernel_symbols_first), so that code gone by the end (a BPF program
 * unloaded, its process exited) is still named; at the end only what
 * changed is read: the BPF programs loaded since, or everything again when
 * a module came or went.
 */
static void kernel_symbols_first(const struct profile_opts *o, struct symbolizer *sym)
{
	if (o->mode != PP_PROF_USER)
		symbolizer_load_kernel(sym);
}

static void kernel_symbols_last(const struct profile_opts *o, struct symbolizer *sym)
{
	if (o->mode != PP_PROF_USER)
		symbolizer_catch_up_kernel(sym);
}

/* Ready to name the frames of the counts just read: the kernel's symbols
 * (unless --user-only), the processes' latest ones, an empty stack set. */
static void stackset_begin(struct stackset *ss, enum ss_kind kind, const struct profile_opts *o,
			   struct symbolizer *sym, double started)
{
	kernel_symbols_last(o, sym);
	usyms_refresh(&sym->u);
	ss_init(ss, kind, o->hz);
	ss->start_unix = started;
	ss->duration_s = wall_now() - started;
}

/* Write the stack set filled with `built` (0, or -1: out of memory).
 * 0, or 1 after saying what failed. */
static int stackset_write(int built, const struct stackset *ss, const struct profile_opts *o,
			  FILE *out)
{
	if (built) {
		fprintf(stderr, "perfpilot: out of memory while symbolizing\n");
		return 1;
	}
	errno = 0;
	if (write_profile(ss, o->format, out)) {
		if (o->output)
			fprintf(stderr, "perfpilot: writing %s failed: %s%s\n", o->output,
				strerror(errno ? errno : EIO),
				out_tmp[0] ? "; it is left as it was" : "");
		else
			fprintf(stderr, "perfpilot: writing the output failed\n");
		return 1;
	}
	return 0;
}

/* After the summary line: what could not be named, and the files and perf
 * maps that could not be read. */
static void report_unnamed(const struct profile_opts *o, const struct symbolizer *sym)
{
	size_t i, gone = 0;

	for (i = 0; i < sym->u.nprocs; i++)
		gone += !sym->u.procs[i].ok;
	if (gone)
		fprintf(stderr, "perfpilot: %zu processes exited before their stacks were symbolized: "
			"their user frames show as [unknown]\n", gone);
	usyms_report(&sym->u, stderr);
	if (o->mode != PP_PROF_USER && !sym->have_k)
		fprintf(stderr, "perfpilot: /proc/kallsyms unreadable: kernel frames show as [unknown]_[k]\n");
}

static uint64_t progress_oncpu(void *p)
{
	uint64_t cnt[PP_PROF_CNT_MAX];

	profiler_counters(p, cnt);
	return cnt[PP_PROF_SAMPLES];
}

static int poll_oncpu(void *p, int timeout_ms, void (*fn)(void *ctx, uint32_t tgid), void *ctx)
{
	return profiler_poll_new(p, timeout_ms, fn, ctx);
}

static int report(struct profiler *p, const struct profile_opts *o, struct symbolizer *sym,
		  double started, FILE *out)
{
	struct stackset ss;
	struct prof_count *pc;
	uint64_t cnt[PP_PROF_CNT_MAX];
	size_t n;
	int rc;

	profiler_counters(p, cnt);
	if (profiler_read(p, &pc, &n)) {
		fprintf(stderr, "perfpilot: reading the samples failed\n");
		return 1;
	}
	stackset_begin(&ss, SS_ONCPU, o, sym, started);
	rc = stackset_write(oncpu_stackset(p, sym, pc, n, &ss), &ss, o, out);
	fprintf(stderr, "perfpilot: %" PRIu64 " samples, %zu stacks; lost: %" PRIu64
		" (counts map full), %" PRIu64 " stacks not stored (shown as [unknown]: stack map "
		"full or hash collision)",
		cnt[PP_PROF_SAMPLES], ss.nstacks, cnt[PP_PROF_MAP_FULL], cnt[PP_PROF_STACK_ERR]);
	if (cnt[PP_PROF_SKIPPED])
		fprintf(stderr, ", %" PRIu64 " skipped (%s)", cnt[PP_PROF_SKIPPED],
			o->mode == PP_PROF_KERNEL ? "in user mode" : "no user stack");
	fputc('\n', stderr);
	profiler_unwind_summary(p, stderr);
	report_unnamed(o, sym);
	ss_free(&ss);
	free(pc);
	return rc;
}

/* ---- off-CPU: the same target, symbols and writers; its own sampler ---- */

static uint64_t progress_offcpu(void *p)
{
	uint64_t cnt[PP_OFF_CNT_MAX];

	offcpu_counters(p, cnt);
	return cnt[PP_OFF_BLOCKS];
}

static int poll_offcpu(void *p, int timeout_ms, void (*fn)(void *ctx, uint32_t tgid), void *ctx)
{
	return offcpu_poll_new(p, timeout_ms, fn, ctx);
}

/* The blocked time as a symbolized stack set (count: sampled blocks). */
static int report_offcpu(struct offcpu *p, const struct profile_opts *o, struct symbolizer *sym,
			 double started, FILE *out)
{
	struct stackset ss;
	struct off_count *oc;
	uint64_t cnt[PP_OFF_CNT_MAX], total_ns = 0, events = 0;
	size_t n;
	char how[64];
	int rc;

	offcpu_counters(p, cnt);
	if (offcpu_read(p, &oc, &n)) {
		fprintf(stderr, "perfpilot: reading the off-CPU samples failed\n");
		return 1;
	}
	stackset_begin(&ss, SS_OFFCPU, o, sym, started);
	rc = stackset_write(offcpu_stackset(p, sym, oc, n, &ss), &ss, o, out);
	ss_totals(&ss, &events, &total_ns);
	if (offcpu_eager(p))
		snprintf(how, sizeof(how), "eager: every block");
	else
		snprintf(how, sizeof(how), "sampled at %u Hz of blocked time", o->hz);
	fprintf(stderr, "perfpilot: off-CPU: %" PRIu64 " blocks of at least %" PRIu64 " us, %"
		PRIu64 " with stacks (%s), %.3f s blocked in %zu stacks; lost: %" PRIu64
		" (counts map full), %" PRIu64 " stacks not stored (shown as [unknown]), %" PRIu64
		" blocks not measured (thread slot taken)",
		cnt[PP_OFF_BLOCKS], o->min_block_ns / 1000, cnt[PP_OFF_SAMPLED],
		how,
		total_ns / 1e9, ss.nstacks, cnt[PP_OFF_MAP_FULL], cnt[PP_OFF_STACK_ERR],
		cnt[PP_OFF_EVICTED]);
	if (cnt[PP_OFF_SKIPPED])
		fprintf(stderr, ", %" PRIu64 " skipped (%s)", cnt[PP_OFF_SKIPPED],
			o->mode == PP_PROF_KERNEL ? "no kernel stack" : "no user stack");
	if (cnt[PP_OFF_UNTRACED])
		fprintf(stderr, ", %" PRIu64 " blocks not measured (the kernel did not trace their "
			"end)", cnt[PP_OFF_UNTRACED]);
	fputc('\n', stderr);
	offcpu_unwind_summary(p, stderr);
	report_unnamed(o, sym);
	ss_free(&ss);
	free(oc);
	return rc;
}

static int profile_offcpu(const struct profile_opts *o, struct symbolizer *sym, FILE *out)
{
	struct offcpu_opts oo = { .target = &o->w.target, .cgroup = &o->w.cg, .hz = o->hz,
				  .min_block_ns = o->min_block_ns, .mode = o->mode,
				  .eager = o->offcpu_eager, .ustack = o->ustack };
	struct offcpu *p;
	struct sampler s;
	char why[256], err[512];
	double started;
	int rc;

	if (offcpu_open(&p, &oo, why, sizeof(why), err, sizeof(err))) {
		fprintf(stderr, "perfpilot: %s\n", err);
		return 1;
	}
	if (why[0])
		fprintf(stderr, "perfpilot: sampled off-CPU profiling unavailable (%s); walking the "
			"stacks at every context switch instead, which is slower\n", why);
	if (*offcpu_notice(p))
		fprintf(stderr, "perfpilot: %s\n", offcpu_notice(p));
	s = (struct sampler){ p, "off-CPU profiling", "blocks", progress_offcpu, poll_offcpu };
	started = wall_now();
	run(&s, o, sym);
	offcpu_detach(p);
	rc = report_offcpu(p, o, sym, started, out);
	offcpu_close(p);
	return rc;
}

int cmd_profile(int argc, char **argv)
{
	struct profile_opts o;
	struct profiler_opts po;
	struct symbolizer sym = {0};
	struct profiler *p;
	struct sampler s;
	struct sigaction sa;
	size_t i;
	char err[512];
	FILE *out = stdout;
	double started;
	int rc;

	parse(argc, argv, &o);
	watch_validate(&o.w);
	po = (struct profiler_opts){ .target = &o.w.target, .cgroup = &o.w.cg, .hz = o.hz,
				     .mode = o.mode, .ustack = o.ustack };
	/* before -o's temporary file exists: a signal from here on ends the
	 * sampling (at once while loading), and the profile is still written;
	 * SIGHUP (the terminal closed) as SIGINT */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (usyms_set_debug_dirs(&sym.u, o.debug_dirs))
		usage_error("out of memory");
	if (o.output)
		out = out_open(o.output);
	/* named processes: their symbols are read now, in case they exit */
	for (i = 0; i < o.w.target.npids; i++)
		usyms_preload(&sym.u, o.w.target.pids[i]);
	kernel_symbols_first(&o, &sym);
	if (o.offcpu) {
		rc = profile_offcpu(&o, &sym, out);
		symbolizer_free(&sym);
		if (out != stdout)
			rc = out_close(out, o.output, rc);
		return rc;
	}
	if (profiler_open(&p, &po, err, sizeof(err))) {
		symbolizer_free(&sym);
		fprintf(stderr, "perfpilot: %s\n", err);
		if (out != stdout)
			out_close(out, o.output, 1);
		return 1;
	}
	if (*profiler_notice(p))
		fprintf(stderr, "perfpilot: %s\n", profiler_notice(p));
	s = (struct sampler){ p, "profiling", "samples", progress_oncpu, poll_oncpu };
	started = wall_now();
	run(&s, &o, &sym);
	profiler_detach(p);
	rc = report(p, &o, &sym, started, out);
	profiler_close(p);
	symbolizer_free(&sym);
	if (out != stdout)
		rc = out_close(out, o.output, rc);
	return rc;
}
