/* SPDX-License-Identifier: GPL-2.0 */
/* Shared helpers for the cmocka unit tests (not a test itself). */
#ifndef PP_UNIT_H
#define PP_UNIT_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <limits.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <sqlite3.h>

/* Tests marked with this comment fail because of a bug in the tool, not in
 * the test; see the comment above each of them. Search for "TOOL BUG". */

#define assert_dbl_eq(a, b) do {                                              \
		double _a = (a), _b = (b);                                     \
		if (!(_a == _b))                                               \
			fail_msg("%s = %.17g, expected %.17g", #a, _a, _b);    \
	} while (0)

#define assert_dbl_near(a, b, eps) do {                                       \
		double _a = (a), _b = (b), _e = (eps);                         \
		if (!(_a >= _b - _e && _a <= _b + _e))                         \
			fail_msg("%s = %.17g, expected %.17g +- %g", #a, _a, _b, _e); \
	} while (0)

#define assert_dbl_in(v, lo, hi) do {                                         \
		double _v = (v), _l = (lo), _h = (hi);                         \
		if (!(_v >= _l && _v <= _h))                                   \
			fail_msg("%s = %.17g, not in [%.17g, %.17g]", #v, _v, _l, _h); \
	} while (0)

#define assert_dbl_le(a, b) do {                                              \
		double _a = (a), _b = (b);                                     \
		if (!(_a <= _b))                                               \
			fail_msg("%s = %.17g > %s = %.17g", #a, _a, #b, _b);   \
	} while (0)

/* A page or SVG fetches nothing: no src=, href or https: (a macro: failures
 * name the line) */
#define assert_self_contained(s) do {                                         \
		const char *_s = (s);                                          \
		assert_null(strstr(_s, "src="));                               \
		assert_null(strstr(_s, "href"));                               \
		assert_null(strstr(_s, "https:"));                             \
	} while (0)

/* A FILE* reading a string (fmemopen does not accept size 0). */
static inline FILE *unit_text(const char *s)
{
	size_t n = strlen(s);

	return n ? fmemopen((void *)s, n, "r") : fopen("/dev/null", "r");
}

/* A new empty file /tmp/pp-test-TAG-XXXXXX; its name in buf. */
static inline void unit_tmp_file(char *buf, size_t len, const char *tag)
{
	int fd;

	snprintf(buf, len, "/tmp/pp-test-%s-XXXXXX", tag);
	fd = mkstemp(buf);
	assert_true(fd >= 0);
	close(fd);
}

/* A fresh temporary file name, with no file behind it yet. */
static inline void unit_tmp_name(char *buf, size_t len, const char *tag)
{
	unit_tmp_file(buf, len, tag);
	unlink(buf);
}

/* The first column of the first row of an SQL query on an SQLite file
 * (a count, a pragma), or -1 when it returns no row. */
static inline long long unit_sql_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	long long n = -1;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}

/* Fixture trees (cgroup or /proc stand-ins): text into root+rel/file, the
 * directory root+rel, and the whole tree removed. */
static inline void unit_fx_put(const char *root, const char *rel, const char *file, const char *text)
{
	char fn[PATH_MAX];
	FILE *f;

	assert_true((size_t)snprintf(fn, sizeof(fn), "%s%s/%s", root, rel, file) < sizeof(fn));
	f = fopen(fn, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static inline void unit_fx_dir(const char *root, const char *rel)
{
	char fn[PATH_MAX];

	assert_true((size_t)snprintf(fn, sizeof(fn), "%s%s", root, rel) < sizeof(fn));
	assert_true(!mkdir(fn, 0755) || errno == EEXIST);
}

static inline void unit_rm_tree(const char *root)
{
	char cmd[PATH_MAX + 16];

	assert_true((size_t)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root) < sizeof(cmd));
	assert_int_equal(system(cmd), 0);
}

/* Remove an SQLite file and its -wal and -shm files. */
static inline void unit_rm_sqlite(const char *path)
{
	char fn[512];

	unlink(path);
	snprintf(fn, sizeof(fn), "%s-wal", path);
	unlink(fn);
	snprintf(fn, sizeof(fn), "%s-shm", path);
	unlink(fn);
}

/* Deterministic PRNG (xorshift64*), so that failures reproduce. */
static inline uint64_t unit_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 2685821657736338717ULL;
}

/* Uniform in [0, 1). */
static inline double unit_rand01(uint64_t *state)
{
	return (double)(unit_rand(state) >> 11) * (1.0 / 9007199254740992.0);
}

#endif
