/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tune journal: every value the tuner changes on the host, in a JSON
 * file (STATE_DIR/tune-journal.json, docs/tuner.md) that is written
 * durably before each change and after it: the new text goes to a
 * temporary file in the same directory, is fsync'ed and renamed over the
 * journal, then the directory is fsync'ed. A crash leaves either the old or
 * the new journal, never a mix, and an entry is on disk (state "pending")
 * before its value is written to the host.
 *
 * A missing journal is an empty one; a journal that cannot be read is an
 * error and is never overwritten (the struct stays unusable for saving).
 */
#ifndef PP_TUNE_JOURNAL_H
#define PP_TUNE_JOURNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>
#include "tune/hostfs.h"
#include "tune/tunable.h"

#define JOURNAL_DEFAULT_DIR "/var/lib/perfpilot"
#define JOURNAL_FILE "tune-journal.json"
#define JOURNAL_LOCK_FILE "tune-journal.lock"
#define JOURNAL_FORMAT "perfpilot-tune-journal"
/* 2: process entries (scope "process", keys pid and start); 1 is read too */
#define JOURNAL_VERSION 2

enum journal_state {
	JS_PENDING,       /* journaled, the write may or may not have happened */
	JS_APPLIED,       /* written and read back; being verified */
	JS_KEPT,          /* verified: it helped, it stays */
	JS_ROLLED_BACK,   /* verified: it did not help, the old value is back */
	JS_REVERTED,      /* the old value is back (--revert, exit, restore) */
	JS_ADMIN_CHANGED, /* someone else changed the value since: left alone */
	JS_FAILED,        /* the write was refused or did not read back; old value kept */
	JS_COUNT
};

const char *journal_state_name(enum journal_state s);
int journal_state_parse(const char *name); /* -1 if unknown */
/* pending, applied, kept: perfpilot's value may be on the host now */
bool journal_state_open(enum journal_state s);

struct journal_entry {
	int64_t id;              /* 1, 2, ...: increasing, never reused */
	double time;             /* unix seconds of the change */
	enum tune_scope scope;
	char netns[256];         /* sysctl in another network namespace, "" = null */
	char cgroup[PATH_MAX];   /* cgroup directory, "" = null */
	uint64_t ino;            /* the cgroup's or netns's inode then, 0 = null */
	int pid;                 /* a process's values: its PID, 0 = null */
	uint64_t start;          /* and its start time (clock ticks after boot) */
	char tunable[128];
	char old[HOSTFS_VALUE_MAX]; /* as read before the change */
	char new[HOSTFS_VALUE_MAX]; /* as written */
	char reason[256];
	char finding[64];        /* the finding kind that asked for it */
	char tuner[32];
	enum journal_state state;
	char note[256];          /* why the state (admin_changed, failed), "" = null */
	char metric[64];         /* effect: what was measured, "" = null */
	double before, after;    /* effect: NAN = null */
};

/* An empty entry: zeroes, no effect (before and after NAN). */
void journal_entry_init(struct journal_entry *e);

/* The entry's target, pointing into its strings. */
void journal_entry_target(const struct journal_entry *e, struct tune_target *t);

struct journal {
	char dir[PATH_MAX];
	char path[PATH_MAX];
	struct journal_entry *e; /* oldest first (increasing ids) */
	size_t n, cap;
	int64_t next_id;
	int lock_fd;             /* -1 unless loaded with JOURNAL_LOCK */
	bool loaded;             /* loaded or started empty: may be saved */
};

/* Hold STATE_DIR/tune-journal.lock (flock) until journal_free: one tuner at a time. */
#define JOURNAL_LOCK 1

/*
 * Load STATE_DIR/tune-journal.json (state_dir NULL: JOURNAL_DEFAULT_DIR).
 * A missing file (or directory) gives an empty journal; with JOURNAL_LOCK
 * the directory is created (0700) and the lock taken, failing when another
 * process holds it. -1 with one line in err: unreadable, not JSON, not a
 * journal, a newer version, a malformed entry (the file is left as it is).
 */
int journal_load(struct journal *j, const char *state_dir, int flags, char *err, size_t errlen);
void journal_free(struct journal *j);

/* Write the whole journal durably (temp file, fsync, rename, fsync dir). */
int journal_save(struct journal *j, char *err, size_t errlen);

/*
 * Append e (its id set here, its time too when 0) and save. On failure
 * nothing is added. *id_out (may be NULL) gets the id.
 */
int journal_add(struct journal *j, struct journal_entry *e, int64_t *id_out, char *err,
		size_t errlen);

/* The entry of an id, or NULL. */
struct journal_entry *journal_get(struct journal *j, int64_t id);

/*
 * Set an entry's state and note (NULL: ""), and save. On failure the entry
 * is as it was.
 */
int journal_update(struct journal *j, int64_t id, enum journal_state state, const char *note,
		   char *err, size_t errlen);

/* Set an entry's effect (metric, before, after; NAN = null) and save. */
int journal_set_effect(struct journal *j, int64_t id, const char *metric, double before,
		       double after, char *err, size_t errlen);

/* The i-th newest entry (0 = the newest), NULL past the oldest. */
struct journal_entry *journal_newest(struct journal *j, size_t i);

/* How many entries are still open (pending, applied, kept). */
size_t journal_open_count(const struct journal *j);

/* An entry as a JSON object (the file's form), and as one line on f. */
json_t *journal_entry_json(const struct journal_entry *e);
int journal_entry_write_line(const struct journal_entry *e, FILE *f);

#endif
