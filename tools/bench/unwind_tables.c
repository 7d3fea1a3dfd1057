// SPDX-License-Identifier: GPL-2.0
/*
 * unwind_tables FILE...: build the unwind table of each ELF file as
 * perfpilot does (user/unwind/table.c) and print, one line each: the
 * file, FDEs, rows, the table's size in MiB, the build time in ms (the
 * best of 3), and how much the process's peak RSS grew while building it
 * in MiB (only the first file's is its own: tools/bench/unwind runs one
 * file per process). Without a file, the header line alone. For
 * tools/bench/unwind. UNWIND_MAX_ROWS=N builds as an unwinder whose pool
 * holds N rows does (a larger table is given up: "over the limit").
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <gelf.h>
#include "unwind/table.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double peak_mib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss / 1024.0;
}

int main(int argc, char **argv)
{
	const char *mr = getenv("UNWIND_MAX_ROWS");
	size_t max_rows = mr ? strtoul(mr, NULL, 10) : 0;
	int i, k;

	elf_version(EV_CURRENT);
	printf("%-48s %8s %9s %8s %9s %9s\n", "file", "FDEs", "rows", "MiB", "build ms",
	       "+RSS MiB");
	for (i = 1; i < argc; i++) {
		double best = 1e9, before = peak_mib();
		struct unwind_table t = { 0 };
		size_t nfuncs = 0, n = 0;
		bool over = false;

		for (k = 0; k < 3; k++) {
			int fd = open(argv[i], O_RDONLY);
			Elf *elf = fd < 0 ? NULL : elf_begin(fd, ELF_C_READ_MMAP, NULL);
			double t0 = now();
			int rc = elf ? unwind_table_build_cancel(elf, &t, &(bool){ false },
								max_rows ? unwind_rows_within(max_rows) : 0) : -1;

			over = rc && errno == E2BIG;

			if (!rc && now() - t0 < best)
				best = now() - t0;
			if (!rc) {
				nfuncs = t.nfuncs;
				n = t.n;
				unwind_table_free(&t);
			}
			if (elf)
				elf_end(elf);
			if (fd >= 0)
				close(fd);
			if (rc)
				break;
		}
		if (over) {
			printf("%-48s over the limit of %zu rows (+RSS %.1f MiB)\n", argv[i], max_rows,
			       peak_mib() - before);
			continue;
		}
		if (!n) {
			printf("%-48s no unwind information\n", argv[i]);
			continue;
		}
		printf("%-48s %8zu %9zu %8.2f %9.1f %9.1f\n", argv[i], nfuncs, n,
		       n * sizeof(struct pp_unwind_row) / 1048576.0, best * 1e3,
		       peak_mib() - before);
	}
	return 0;
}
