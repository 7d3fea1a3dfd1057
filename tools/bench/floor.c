// SPDX-License-Identifier: GPL-2.0
/*
 * floor: attach the empty programs of floor.bpf.o (one per hook perfpilot
 * uses; the minor-fault one on every CPU's software page-fault event),
 * enable the kernel's BPF run-time statistics, wait for SIGINT or SIGTERM,
 * and print each program's runs and mean cost in the format of
 * `perfpilot stat --bpf-stats` ("bpf-prog NAME runs N total_ns N avg_ns X").
 * A hook the kernel does not have is skipped with a note on stderr.
 *
 *   floor FLOOR.BPF.O
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_CPUS 1024

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int silent(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN)
		return vfprintf(stderr, fmt, ap);
	return 0;
}

int main(int argc, char **argv)
{
	struct bpf_link *links[64 + MAX_CPUS];
	struct bpf_object *obj;
	struct bpf_program *p;
	int nlinks = 0, stats_fd, ncpus, cpu;

	if (argc != 2) {
		fprintf(stderr, "usage: floor FLOOR.BPF.O\n");
		return 2;
	}
	libbpf_set_print(silent);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "floor: cannot open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	/* hooks this kernel lacks: not loaded (probed one program at a time) */
	bpf_object__for_each_program(p, obj) {
		const char *sec = bpf_program__section_name(p);

		if (!strncmp(sec, "tp_btf/", 7) &&
		    libbpf_find_vmlinux_btf_id(sec + 7, BPF_TRACE_RAW_TP) < 0) {
			fprintf(stderr, "floor: no tracepoint %s here, skipped\n", sec + 7);
			bpf_program__set_autoload(p, false);
		}
	}
	if (bpf_object__load(obj)) {
		fprintf(stderr, "floor: loading %s failed\n", argv[1]);
		return 1;
	}
	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (stats_fd < 0) {
		fprintf(stderr, "floor: BPF_ENABLE_STATS: %s\n", strerror(errno));
		return 1;
	}
	ncpus = libbpf_num_possible_cpus();
	if (ncpus > MAX_CPUS)
		ncpus = MAX_CPUS;
	bpf_object__for_each_program(p, obj) {
		if (!bpf_program__autoload(p))
			continue;
		if (strcmp(bpf_program__section_name(p), "perf_event")) {
			links[nlinks] = bpf_program__attach(p);
			if (!links[nlinks]) {
				fprintf(stderr, "floor: attaching %s failed\n", bpf_program__name(p));
				continue;
			}
			nlinks++;
			continue;
		}
		for (cpu = 0; cpu < ncpus; cpu++) {
			struct perf_event_attr a = {
				.type = PERF_TYPE_SOFTWARE,
				.size = sizeof(a),
				.config = PERF_COUNT_SW_PAGE_FAULTS_MIN,
				.sample_period = 1,
			};
			int fd = syscall(__NR_perf_event_open, &a, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);

			if (fd < 0)
				continue; /* offline CPU */
			links[nlinks] = bpf_program__attach_perf_event(p, fd);
			if (!links[nlinks]) {
				close(fd);
				continue;
			}
			nlinks++;
		}
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	fprintf(stderr, "floor: attached %d links\n", nlinks);
	while (!stop)
		pause();
	bpf_object__for_each_program(p, obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);

		if (!bpf_program__autoload(p) ||
		    bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &len))
			continue;
		printf("bpf-prog %-28s runs %12llu total_ns %14llu avg_ns %8.1f\n", bpf_program__name(p),
		       (unsigned long long)info.run_cnt, (unsigned long long)info.run_time_ns,
		       info.run_cnt ? (double)info.run_time_ns / info.run_cnt : 0.0);
	}
	while (nlinks > 0)
		bpf_link__destroy(links[--nlinks]);
	bpf_object__close(obj);
	close(stats_fd);
	return 0;
}
