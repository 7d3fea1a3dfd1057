/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the libFuzzer harnesses share: the input as a stream, a C string or
 * a file, for parsers that take a FILE *, a line or a path. A harness
 * defines LLVMFuzzerTestOneInput and includes only this and the headers of
 * the code it fuzzes.
 */
#ifndef PP_FUZZ_H
#define PP_FUZZ_H

#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a NUL-terminated string (it may hold more NULs), malloc'd. */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = 0;
	return s;
}

/* The input as a stream to read (fclose it), as a parser reads a file of
 * /proc; an empty input is an empty stream. Reads only, in place. */
static inline FILE *fuzz_stream(const uint8_t *data, size_t size)
{
	static char none[1];
	FILE *f = fmemopen(size ? (void *)data : none, size, "r");

	if (!f)
		abort();
	return f;
}

/* The directory of fuzz_path's file and the file, removed at exit with
 * what a reader put beside it (SQLite's -wal, -shm, -journal). */
static char fuzz_dir[256], fuzz_file[300];

static inline void fuzz_cleanup(void)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	char p[320];

	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", fuzz_file, sfx[i]);
		unlink(p);
	}
	rmdir(fuzz_dir);
}

/* The input in a file, for a parser that opens a path: one file per
 * process in a directory of its own (under TMPDIR), rewritten for each
 * input. Its path. */
static inline const char *fuzz_path(const uint8_t *data, size_t size, const char *name)
{
	static int fd = -1;

	if (fd < 0) {
		const char *tmp = getenv("TMPDIR");

		snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/pp-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(fuzz_dir))
			abort();
		snprintf(fuzz_file, sizeof(fuzz_file), "%s/%s", fuzz_dir, name);
		fd = open(fuzz_file, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0)
			abort();
		atexit(fuzz_cleanup);
	}
	if (ftruncate(fd, 0) || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();
	return fuzz_file;
}

#endif
