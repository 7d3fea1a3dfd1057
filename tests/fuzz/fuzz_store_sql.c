// SPDX-License-Identifier: GPL-2.0
/*
 * A store that SQL changed after record wrote it (store/): the input is SQL
 * run on a copy of a small store the writer made (store_write.c), then the
 * store is loaded as report and diff load it. Bytes mutated at random
 * rarely make a valid SQLite file; SQL makes wrong schemas, wrong types,
 * NULLs, huge and negative values, missing rows and duplicates.
 * Statements that reach outside the file (ATTACH, VACUUM INTO, pragmas but
 * user_version) are refused, and each input gets a bounded number of steps.
 */
#include "fuzz.h"
#include <math.h>
#include <sqlite3.h>
#include "store/recording.h"
#include "store/store.h"

static uint8_t *tmpl;
static size_t tmpl_len;

static void put(struct store *st, char kind, const char *name, const char *metric, double v)
{
	const struct store_entity e = {
		.kind = kind, .name = name, .pid = kind == 'p' ? 4242 : 0,
		.comm = kind == 'p' ? "busy" : NULL, .cgroup = kind == 'p' ? "/a.slice" : NULL,
		.start_ms = kind == 'p' ? 1700000000000 : 0, .ppid = kind == 'p' ? 1 : 0,
		.pcomm = kind == 'p' ? "init" : NULL,
	};

	if (store_put(st, &e, metric, v))
		abort();
}

/* The template: a few intervals of a host, a process, a cgroup, a disk and
 * a profile, written by the store's writer; kept in memory. */
static void make_template(void)
{
	const struct store_meta m = { .hostname = "fuzz", .kernel = "6.1", .target = "-a",
				      .ncpus = 2, .mem_total_bytes = 8e9, .interval_s = 1,
				      .start = 1700000000, .profile_hz = 99 };
	const char *path = fuzz_path(NULL, 0, "fuzz.db");
	struct store *st;
	char err[256];
	FILE *f;

	if (store_open(&st, path, err, sizeof(err)) || store_set_meta(st, &m))
		abort();
	for (int i = 1; i <= 6; i++) {
		if (store_interval_begin(st, 1700000000 + i, 1))
			abort();
		put(st, 'h', "host", "host.cpu_busy_ns", 6e8 + i);
		put(st, 'h', "host.runnable", "host.runnable", i % 3);
		put(st, 'p', "4242", "cpu.oncpu_ns", 2e7 * i);
		put(st, 'p', "4242", "sched.runq_wait_ns", 1e6);
		put(st, 'p', "4242", "sched.runq_p99_us", 400 + i);
		put(st, 'p', "4242", "mem.rss_bytes", 5e7 + 4096 * i);
		put(st, 'c', "/a.slice", "cg.memory_bytes", 5e8);
		put(st, 'd', "vda", "dev.write_bytes", 2e6);
		if (store_interval_end(st))
			abort();
	}
	if (store_put_profile(st, 1700000001, 1700000006, "busy;main;work 40\nbusy;main 2\n") ||
	    store_close(st))
		abort();
	f = fopen(path, "rb");
	if (!f || fseek(f, 0, SEEK_END) || (long)(tmpl_len = (size_t)ftell(f)) < 0)
		abort();
	rewind(f);
	if (!(tmpl = malloc(tmpl_len)) || fread(tmpl, 1, tmpl_len, f) != tmpl_len)
		abort();
	fclose(f);
}

static int only_the_file(void *arg, int action, const char *a, const char *b, const char *db,
			 const char *trigger)
{
	(void)arg, (void)b, (void)db, (void)trigger;
	switch (action) {
	case SQLITE_ATTACH:
	case SQLITE_DETACH:
		return SQLITE_DENY;
	case SQLITE_PRAGMA:
		return a && !sqlite3_stricmp(a, "user_version") ? SQLITE_OK : SQLITE_DENY;
	default:
		return SQLITE_OK;
	}
}

static int enough(void *steps)
{
	return ++*(int *)steps > 2000;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	make_template();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_path(tmpl, tmpl_len, "fuzz.db");
	char *sql = fuzz_string(data, size), err[512];
	struct recording r;
	sqlite3 *db;
	int steps = 0;

	if (strcasestr(sql, "vacuum") || strcasestr(sql, "attach") || strcasestr(sql, "load_ext")) {
		free(sql);
		return -1; /* not kept in the corpus */
	}
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		abort();
	sqlite3_set_authorizer(db, only_the_file, NULL);
	sqlite3_progress_handler(db, 1000, enough, &steps);
	sqlite3_limit(db, SQLITE_LIMIT_LENGTH, 1 << 20);
	sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	free(sql);

	memset(&r, 0, sizeof(r));
	if (!store_load(path, 0, INFINITY, &r, err, sizeof(err)))
		recording_free(&r);
	memset(&r, 0, sizeof(r));
	if (!store_load_points(path, 0, INFINITY, STORE_LOAD_NO_CHECK, 600, &r, err, sizeof(err)))
		recording_free(&r);
	return 0;
}
