// SPDX-License-Identifier: GPL-2.0
/* The tune journal: load, durable save, entries (journal.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "tune/hostfs.h"
#include "tune/journal.h"

static const char *const state_names[JS_COUNT] = {
	[JS_PENDING] = "pending",
	[JS_APPLIED] = "applied",
	[JS_KEPT] = "kept",
	[JS_ROLLED_BACK] = "rolled_back",
	[JS_REVERTED] = "reverted",
	[JS_ADMIN_CHANGED] = "admin_changed",
	[JS_FAILED] = "failed",
};

const char *journal_state_name(enum journal_state s)
{
	return (unsigned)s < JS_COUNT ? state_names[s] : "?";
}

int journal_state_parse(const char *name)
{
	return tune_name_index(state_names, JS_COUNT, name);
}

bool journal_state_open(enum journal_state s)
{
	return s == JS_PENDING || s == JS_APPLIED || s == JS_KEPT;
}

void journal_entry_init(struct journal_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->before = NAN;
	e->after = NAN;
}

void journal_entry_target(const struct journal_entry *e, struct tune_target *t)
{
	t->scope = e->scope;
	t->netns = e->netns[0] ? e->netns : NULL;
	t->cgroup = e->cgroup[0] ? e->cgroup : NULL;
	t->tunable = e->tunable;
	t->pid = e->pid;
	t->start = e->start;
}

/* ---- JSON form ---- */

static json_t *str_or_null(const char *s)
{
	return s[0] ? json_string(s) : json_null();
}

static json_t *num_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

json_t *journal_entry_json(const struct journal_entry *e)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_integer(e->id));
	json_object_set_new(o, "time", json_real(e->time));
	json_object_set_new(o, "scope", json_string(tune_scope_name(e->scope)));
	json_object_set_new(o, "netns", str_or_null(e->netns));
	json_object_set_new(o, "cgroup", str_or_null(e->cgroup));
	json_object_set_new(o, "ino", e->ino ? json_integer((json_int_t)e->ino) : json_null());
	json_object_set_new(o, "pid", e->pid ? json_integer(e->pid) : json_null());
	json_object_set_new(o, "start", e->pid ? json_integer((json_int_t)e->start) : json_null());
	json_object_set_new(o, "tunable", json_string(e->tunable));
	json_object_set_new(o, "old", json_string(e->old));
	json_object_set_new(o, "new", json_string(e->new));
	json_object_set_new(o, "reason", json_string(e->reason));
	json_object_set_new(o, "finding", str_or_null(e->finding));
	json_object_set_new(o, "state", json_string(journal_state_name(e->state)));
	json_object_set_new(o, "note", str_or_null(e->note));
	json_object_set_new(o, "effect",
			    json_pack("{s:o, s:o, s:o}", "metric", str_or_null(e->metric),
				      "before", num_or_null(e->before),
				      "after", num_or_null(e->after)));
	json_object_set_new(o, "tuner", str_or_null(e->tuner));
	return o;
}

int journal_entry_write_line(const struct journal_entry *e, FILE *f)
{
	json_t *o = journal_entry_json(e);
	int rc = json_dumpf(o, f, JSON_COMPACT);

	json_decref(o);
	if (rc || fputc('\n', f) == EOF)
		return -1;
	return 0;
}

/* A string member into buf; null allowed when nullable ("" then). */
static int get_str(json_t *o, const char *key, bool nullable, char *buf, size_t len,
		   const char **why)
{
	json_t *v = json_object_get(o, key);

	if (nullable && json_is_null(v)) {
		buf[0] = 0;
		return 0;
	}
	if (!json_is_string(v)) {
		*why = nullable ? "a string or null" : "a string";
		return -1;
	}
	if (json_string_length(v) >= len || strlen(json_string_value(v)) != json_string_length(v)) {
		*why = "a shorter string";
		return -1;
	}
	strcpy(buf, json_string_value(v));
	return 0;
}

static int get_num(json_t *o, const char *key, bool nullable, double *out, const char **why)
{
	json_t *v = json_object_get(o, key);

	if (nullable && json_is_null(v)) {
		*out = NAN;
		return 0;
	}
	if (!json_is_number(v)) {
		*why = nullable ? "a number or null" : "a number";
		return -1;
	}
	*out = json_number_value(v);
	return 0;
}

/* One entry from its JSON object; the key at fault in *key. */
static int entry_from_json(json_t *o, struct journal_entry *e, const char **key, const char **why)
{
	char scope[16], state[32];
	json_t *v, *eff;
	int s;

	journal_entry_init(e);
	*why = "an integer";
	v = json_object_get(o, *key = "id");
	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return -1;
	e->id = json_integer_value(v);
	if (get_num(o, *key = "time", false, &e->time, why) ||
	    get_str(o, *key = "scope", false, scope, sizeof(scope), why) ||
	    get_str(o, *key = "netns", true, e->netns, sizeof(e->netns), why) ||
	    get_str(o, *key = "cgroup", true, e->cgroup, sizeof(e->cgroup), why) ||
	    get_str(o, *key = "tunable", false, e->tunable, sizeof(e->tunable), why) ||
	    get_str(o, *key = "old", false, e->old, sizeof(e->old), why) ||
	    get_str(o, *key = "new", false, e->new, sizeof(e->new), why) ||
	    get_str(o, *key = "reason", false, e->reason, sizeof(e->reason), why) ||
	    get_str(o, *key = "finding", true, e->finding, sizeof(e->finding), why) ||
	    get_str(o, *key = "state", false, state, sizeof(state), why) ||
	    get_str(o, *key = "note", true, e->note, sizeof(e->note), why) ||
	    get_str(o, *key = "tuner", true, e->tuner, sizeof(e->tuner), why))
		return -1;
	*why = "an integer or null";
	v = json_object_get(o, *key = "ino");
	if (!json_is_null(v) && (!json_is_integer(v) || json_integer_value(v) < 0))
		return -1;
	e->ino = json_is_integer(v) ? (uint64_t)json_integer_value(v) : 0;
	*why = "\"sysctl\", \"cgroup\" or \"process\"";
	*key = "scope";
	s = tune_scope_parse(scope);
	if (s < 0)
		return -1;
	e->scope = (enum tune_scope)s;
	*why = e->scope == TUNE_CGROUP ? "a cgroup path" : "null in a sysctl or process entry";
	*key = "cgroup";
	if ((e->scope == TUNE_CGROUP) != (e->cgroup[0] != 0))
		return -1;
	/* pid and start: version 2, absent (null) in version 1 */
	*why = e->scope == TUNE_PROCESS ? "a PID" : "null outside a process entry";
	v = json_object_get(o, *key = "pid");
	if (v && !json_is_null(v) &&
	    (!json_is_integer(v) || json_integer_value(v) <= 0 || json_integer_value(v) > INT32_MAX))
		return -1;
	e->pid = json_is_integer(v) ? (int)json_integer_value(v) : 0;
	if ((e->scope == TUNE_PROCESS) != (e->pid != 0))
		return -1;
	*why = "an integer or null";
	v = json_object_get(o, *key = "start");
	if (v && !json_is_null(v) && (!json_is_integer(v) || json_integer_value(v) < 0))
		return -1;
	e->start = json_is_integer(v) ? (uint64_t)json_integer_value(v) : 0;
	*why = "a known state";
	*key = "state";
	s = journal_state_parse(state);
	if (s < 0)
		return -1;
	e->state = (enum journal_state)s;
	*key = "effect";
	eff = json_object_get(o, "effect");
	if (!json_is_object(eff) ||
	    get_str(eff, "metric", true, e->metric, sizeof(e->metric), why) ||
	    get_num(eff, "before", true, &e->before, why) ||
	    get_num(eff, "after", true, &e->after, why)) {
		*why = "{\"metric\": string or null, \"before\" and \"after\": number or null}";
		return -1;
	}
	return 0;
}

/* ---- load ---- */

static int take_lock(struct journal *j, char *err, size_t errlen)
{
	char path[PATH_MAX + 32];

	if (mkdir(j->dir, 0700) && errno != EEXIST)
		return tune_fail(err, errlen, errno, "cannot create state directory %s: %s", j->dir,
			    strerror(errno));
	snprintf(path, sizeof(path), "%s/" JOURNAL_LOCK_FILE, j->dir);
	j->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (j->lock_fd < 0)
		return tune_fail(err, errlen, errno, "%s: %s", path, strerror(errno));
	if (flock(j->lock_fd, LOCK_EX | LOCK_NB)) {
		int e = errno;

		close(j->lock_fd);
		j->lock_fd = -1;
		if (e == EWOULDBLOCK)
			return tune_fail(err, errlen, errno, "%s: another perfpilot tune is running", path);
		return tune_fail(err, errlen, errno, "%s: %s", path, strerror(e));
	}
	return 0;
}

static int grow(struct journal *j)
{
	struct journal_entry *ne;
	size_t cap;

	if (j->n < j->cap)
		return 0;
	cap = j->cap ? j->cap * 2 : 16;
	ne = realloc(j->e, cap * sizeof(*ne));
	if (!ne)
		return -1;
	j->e = ne;
	j->cap = cap;
	return 0;
}

static int parse_root(struct journal *j, json_t *root, char *err, size_t errlen)
{
	json_t *v, *entries, *o;
	const char *key, *why;
	size_t i;

	v = json_object_get(root, "format");
	if (!json_is_object(root) || !json_is_string(v) ||
	    strcmp(json_string_value(v), JOURNAL_FORMAT))
		return tune_fail(err, errlen, errno, "not a perfpilot tune journal (no \"format\": \"%s\")",
			    JOURNAL_FORMAT);
	v = json_object_get(root, "version");
	if (!json_is_integer(v) || json_integer_value(v) < 1)
		return tune_fail(err, errlen, errno, "no valid \"version\"");
	if (json_integer_value(v) > JOURNAL_VERSION)
		return tune_fail(err, errlen, errno, "version %lld, written by a newer perfpilot (this one reads %d)",
			    (long long)json_integer_value(v), JOURNAL_VERSION);
	v = json_object_get(root, "next_id");
	entries = json_object_get(root, "entries");
	if (!json_is_integer(v) || json_integer_value(v) < 1 || !json_is_array(entries))
		return tune_fail(err, errlen, errno, "no \"next_id\" or \"entries\"");
	j->next_id = json_integer_value(v);
	json_array_foreach(entries, i, o) {
		if (grow(j))
			return tune_fail(err, errlen, errno, "out of memory");
		if (!json_is_object(o))
			return tune_fail(err, errlen, errno, "entry %zu is not an object", i + 1);
		if (entry_from_json(o, &j->e[j->n], &key, &why))
			return tune_fail(err, errlen, errno, "entry %zu: \"%s\" is not %s", i + 1, key, why);
		if (j->n && j->e[j->n].id <= j->e[j->n - 1].id)
			return tune_fail(err, errlen, errno, "entry %zu: id %lld out of order", i + 1,
				    (long long)j->e[j->n].id);
		if (j->e[j->n].id >= j->next_id)
			j->next_id = j->e[j->n].id + 1;
		j->n++;
	}
	return 0;
}

int journal_load(struct journal *j, const char *state_dir, int flags, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root;
	char why[256];
	int n;

	memset(j, 0, sizeof(*j));
	j->lock_fd = -1;
	j->next_id = 1;
	if (!state_dir || !*state_dir)
		state_dir = JOURNAL_DEFAULT_DIR;
	n = snprintf(j->dir, sizeof(j->dir), "%s", state_dir);
	if (n < 0 || (size_t)n >= sizeof(j->dir) ||
	    snprintf(j->path, sizeof(j->path), "%s/%s", state_dir, JOURNAL_FILE) >=
		    (int)sizeof(j->path))
		return tune_fail(err, errlen, errno, "state directory name too long");
	if ((flags & JOURNAL_LOCK) && take_lock(j, err, errlen))
		return -1;
	if (access(j->path, F_OK) && errno == ENOENT) {
		j->loaded = true;
		return 0;
	}
	root = json_load_file(j->path, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		if (access(j->path, R_OK))
			tune_fail(err, errlen, errno, "%s: %s", j->path, strerror(errno));
		else
			tune_fail(err, errlen, errno,
			     "%s: corrupt tune journal (line %d, column %d: %s); it is left as it "
			     "is: move it away to start a new one", j->path, jerr.line,
			     jerr.column, jerr.text);
		journal_free(j);
		return -1;
	}
	if (parse_root(j, root, why, sizeof(why))) {
		tune_fail(err, errlen, errno, "%s: corrupt tune journal: %s; it is left as it is: move it "
		     "away to start a new one", j->path, why);
		json_decref(root);
		journal_free(j);
		return -1;
	}
	json_decref(root);
	j->loaded = true;
	return 0;
}

void journal_free(struct journal *j)
{
	free(j->e);
	j->e = NULL;
	j->n = j->cap = 0;
	if (j->lock_fd >= 0)
		close(j->lock_fd);
	j->lock_fd = -1;
	j->loaded = false;
}

/* ---- save ---- */

static int write_all(int fd, const char *s, size_t n)
{
	ssize_t w;

	while (n) {
		w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* text -> a temp file in dir, fsync, rename over path, fsync dir */
static int replace_durably(const char *dir, const char *path, const char *text, char *err,
			   size_t errlen)
{
	char tmp[PATH_MAX + 32];
	int fd, dfd, e;

	if (mkdir(dir, 0700) && errno != EEXIST)
		return tune_fail(err, errlen, errno, "cannot create state directory %s: %s", dir,
			    strerror(errno));
	snprintf(tmp, sizeof(tmp), "%s/." JOURNAL_FILE ".XXXXXX", dir);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return tune_fail(err, errlen, errno, "cannot write in %s: %s", dir, strerror(errno));
	if (write_all(fd, text, strlen(text)) || fsync(fd)) {
		e = errno;
		close(fd);
		unlink(tmp);
		return tune_fail(err, errlen, errno, "writing %s: %s", tmp, strerror(e));
	}
	if (close(fd) || rename(tmp, path)) {
		e = errno;
		unlink(tmp);
		return tune_fail(err, errlen, errno, "replacing %s: %s", path, strerror(e));
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd)) {
		e = errno;
		if (dfd >= 0)
			close(dfd);
		return tune_fail(err, errlen, errno, "syncing %s: %s", dir, strerror(e));
	}
	close(dfd);
	return 0;
}

int journal_save(struct journal *j, char *err, size_t errlen)
{
	json_t *root, *arr;
	char *text;
	size_t i;
	int rc;

	if (!j->loaded)
		return tune_fail(err, errlen, errno, "the tune journal was not loaded: not saving over it");
	arr = json_array();
	for (i = 0; i < j->n; i++)
		json_array_append_new(arr, journal_entry_json(&j->e[i]));
	root = json_pack("{s:s, s:i, s:I, s:o}", "format", JOURNAL_FORMAT, "version",
			 JOURNAL_VERSION, "next_id", (json_int_t)j->next_id, "entries", arr);
	text = root ? json_dumps(root, JSON_INDENT(1)) : NULL;
	json_decref(root);
	if (!text)
		return tune_fail(err, errlen, errno, "out of memory");
	rc = replace_durably(j->dir, j->path, text, err, errlen);
	free(text);
	return rc;
}

/* ---- entries ---- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int journal_add(struct journal *j, struct journal_entry *e, int64_t *id_out, char *err,
		size_t errlen)
{
	if (!j->loaded)
		return tune_fail(err, errlen, errno, "the tune journal was not loaded");
	if (grow(j))
		return tune_fail(err, errlen, errno, "out of memory");
	e->id = j->next_id;
	if (e->time == 0)
		e->time = now_s();
	j->e[j->n++] = *e;
	j->next_id++;
	if (journal_save(j, err, errlen)) {
		j->n--;
		j->next_id--;
		return -1;
	}
	if (id_out)
		*id_out = e->id;
	return 0;
}

struct journal_entry *journal_get(struct journal *j, int64_t id)
{
	size_t lo = 0, hi = j->n, mid;

	while (lo < hi) { /* ids increase */
		mid = lo + (hi - lo) / 2;
		if (j->e[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < j->n && j->e[lo].id == id ? &j->e[lo] : NULL;
}

/* Save after changing *e; put back `was` when that fails. */
static int save_or_undo(struct journal *j, struct journal_entry *e,
			const struct journal_entry *was, char *err, size_t errlen)
{
	if (journal_save(j, err, errlen)) {
		*e = *was;
		return -1;
	}
	return 0;
}

int journal_update(struct journal *j, int64_t id, enum journal_state state, const char *note,
		   char *err, size_t errlen)
{
	struct journal_entry *e = journal_get(j, id), was;

	if (!e)
		return tune_fail(err, errlen, errno, "no journal entry %lld", (long long)id);
	was = *e;
	e->state = state;
	snprintf(e->note, sizeof(e->note), "%s", note ? note : "");
	return save_or_undo(j, e, &was, err, errlen);
}

int journal_set_effect(struct journal *j, int64_t id, const char *metric, double before,
		       double after, char *err, size_t errlen)
{
	struct journal_entry *e = journal_get(j, id), was;

	if (!e)
		return tune_fail(err, errlen, errno, "no journal entry %lld", (long long)id);
	was = *e;
	snprintf(e->metric, sizeof(e->metric), "%s", metric ? metric : "");
	e->before = before;
	e->after = after;
	return save_or_undo(j, e, &was, err, errlen);
}

struct journal_entry *journal_newest(struct journal *j, size_t i)
{
	return i < j->n ? &j->e[j->n - 1 - i] : NULL;
}

size_t journal_open_count(const struct journal *j)
{
	size_t i, n = 0;

	for (i = 0; i < j->n; i++)
		n += journal_state_open(j->e[i].state);
	return n;
}
