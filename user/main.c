// SPDX-License-Identifier: GPL-2.0
/* perfpilot: eBPF profiler and auto-tuner for Linux hosts. */
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "commands.h"

#include "version.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: perfpilot COMMAND [options]\n\n"
		"Commands:\n"
		"  stat     per-process CPU, run queue, memory, block IO and TCP (summary or\n"
		"           intervals); per cgroup, per disk, per connection\n"
		"  top      live, sortable terminal view of the same\n"
		"  profile  on-CPU and off-CPU stacks: folded, pprof, speedscope, SVG flame graph\n"
		"  record   write the stats of a target over time to a store (SQLite)\n"
		"  report   findings from a store: bottlenecks, culprits, trends, forecasts\n"
		"  diff     compare a recording with a baseline\n"
		"  capacity per host, cgroup and resource: used, peak, growth, time until the\n"
		"           limit is reached and a recommended limit\n"
		"  tune     propose sysctl and cgroup changes; with --apply make them, verify,\n"
		"           keep or roll back (journaled, reversible with --revert)\n"
		"  daemon   all of it, always on: record, analyse and tune continuously; serve\n"
		"           Prometheus metrics, the findings and pprof profiles over HTTP\n"
		"  doctor   what this kernel and host support, and how to fix what is missing\n\n"
		"Run 'perfpilot COMMAND --help' for the options of a command.\n"
		"Example: sudo perfpilot stat -a -d 10\n");
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	/* One heap for all threads: perfpilot's few threads (the unwinder's
	 * worker, the daemon's HTTP and analysis) allocate little and seldom
	 * at once, and an arena of their own each kept 9-11 MB resident in a
	 * daemon */
	mallopt(M_ARENA_MAX, 1);
	/* Blocks of 128 KiB and more in mappings of their own, given back when
	 * freed: reading a large ELF file's symbol table, the analysis's window
	 * of the store, grew the heap with transient blocks that then held
	 * other data (glibc's own threshold rises to 32 MB after the first
	 * such block is freed) */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	if (!cmd) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
		printf("perfpilot %s\n", PERFPILOT_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "stat"))
		return cmd_stat(argc - 1, argv + 1);
	if (!strcmp(cmd, "top"))
		return cmd_top(argc - 1, argv + 1);
	if (!strcmp(cmd, "profile"))
		return cmd_profile(argc - 1, argv + 1);
	if (!strcmp(cmd, "record"))
		return cmd_record(argc - 1, argv + 1);
	if (!strcmp(cmd, "report"))
		return cmd_report(argc - 1, argv + 1);
	if (!strcmp(cmd, "diff"))
		return cmd_diff(argc - 1, argv + 1);
	if (!strcmp(cmd, "capacity"))
		return cmd_capacity(argc - 1, argv + 1);
	if (!strcmp(cmd, "tune"))
		return cmd_tune(argc - 1, argv + 1);
	if (!strcmp(cmd, "daemon"))
		return cmd_daemon(argc - 1, argv + 1);
	if (!strcmp(cmd, "doctor"))
		return cmd_doctor(argc - 1, argv + 1);
	usage_error("unknown command '%s'; try 'perfpilot --help'", cmd);
}
