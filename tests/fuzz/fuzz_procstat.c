// SPDX-License-Identifier: GPL-2.0
/*
 * What the tuner reads of /proc about a process and the host, each fed the
 * input as text: /proc/PID/stat (tune/hostproc.c: its comm between the
 * first '(' and the last ')', parent, flags, start time) and status (its
 * uid), /proc/stat, PSI files and "key value" files (tune/procstat.c). A
 * stat line that parses gives a comm that fits and a parent that is a PID;
 * one that does not says what it lacks.
 */
#include "fuzz.h"
#include "tune/hostproc.h"
#include "tune/procstat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	struct procstat_cpu a, b;
	struct procstat_psi psi;
	struct hostproc p;
	const char *what = NULL;
	int64_t v;

	memset(&p, 0, sizeof(p));
	if (!hostproc_parse_stat(s, &p, &what)) {
		if (strnlen(p.comm, sizeof(p.comm)) == sizeof(p.comm) || p.ppid < 0)
			abort();
	} else if (!what) {
		abort();
	}
	if (hostproc_parse_uid(s) < -1)
		abort();
	if (!procstat_cpu_parse(s, &a)) {
		if (a.ncpus < 1)
			abort();
		b = a;
		b.total += 100;
		b.idle += 50;
		b.nice += 10;
		(void)procstat_cpu_busy(&a, &b);
		(void)procstat_cpu_nice(&a, &b);
	}
	(void)procstat_psi_parse(s, &psi);
	(void)procstat_field(s, "MemTotal", &v);
	(void)procstat_field_sum(s, "allocstall", &v);
	free(s);
	return 0;
}
