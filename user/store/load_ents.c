// SPDX-License-Identifier: GPL-2.0
/* The loader's entities: strings of the recording stored once each, ids to
 * indexes, and the names of the processes kept on their own; its SQLite
 * errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store/load_int.h"

static size_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (size_t)h;
}

static int grow(struct ld_strs *t)
{
	size_t n = t->nslots ? t->nslots * 2 : 256, i, h;
	const char **slot = calloc(n, sizeof(*slot));

	if (!slot)
		return -1;
	for (i = 0; i < t->nslots; i++) {
		if (!t->slot[i])
			continue;
		for (h = hash_str(t->slot[i]) & (n - 1); slot[h]; h = (h + 1) & (n - 1))
			;
		slot[h] = t->slot[i];
	}
	free(t->slot);
	t->slot = slot;
	t->nslots = n;
	return 0;
}

const char *ld_intern(struct ld_strs *t, struct recording *r, const char *s)
{
	size_t h;

	if (!s[0])
		return "";
	/* entities come in id order: neighbours often share their names */
	for (h = 0; h < LD_STRS_RECENT; h++)
		if (t->recent[h] && !strcmp(t->recent[h], s))
			return t->recent[h];
	if ((t->n + 1) * 2 > t->nslots && grow(t))
		return NULL;
	for (h = hash_str(s) & (t->nslots - 1); t->slot[h]; h = (h + 1) & (t->nslots - 1))
		if (!strcmp(t->slot[h], s))
			break;
	if (!t->slot[h]) {
		if (!(t->slot[h] = rec_str(r, s)))
			return NULL;
		t->n++;
	}
	t->recent[t->next++ % LD_STRS_RECENT] = t->slot[h];
	return t->slot[h];
}

void ld_strs_free(struct ld_strs *t)
{
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

int ld_proc_names(struct ld_ent *ents, size_t n, struct recording *r)
{
	char name[64];
	size_t i;

	for (i = 0; i < n; i++) {
		struct ld_ent *e = &ents[i];

		if (e->kind != ENT_PROC || e->group || e->name)
			continue;
		recording_proc_key(e->pid, e->start_ms, name, sizeof(name));
		if (!(e->name = rec_str(r, name)))
			return -1;
	}
	return 0;
}

int ld_ids_build(struct ld_ids *x, const struct ld_ent *ents, size_t n)
{
	size_t i;

	int64_t lo, hi;

	memset(x, 0, sizeof(*x));
	if (!n)
		return 0;
	/* the ids come sorted (ORDER BY id), but not from a damaged file that
	 * is read without the integrity check: the range is taken from all */
	for (lo = hi = ents[0].id, i = 1; i < n; i++) {
		lo = ents[i].id < lo ? ents[i].id : lo;
		hi = ents[i].id > hi ? ents[i].id : hi;
	}
	if ((uint64_t)hi - (uint64_t)lo >= 4 * n + 1024)
		return 0; /* sparse ids (a store pruned a lot): binary search */
	x->base = lo;
	x->range = (size_t)((uint64_t)hi - (uint64_t)lo) + 1;
	x->map = calloc(x->range, sizeof(*x->map));
	if (!x->map)
		return -1;
	for (i = 0; i < n; i++)
		x->map[ents[i].id - x->base] = (uint32_t)i + 1;
	return 0;
}

ssize_t ld_ids_find(const struct ld_ids *x, const struct ld_ent *ents, size_t n, int64_t id)
{
	size_t lo = 0, hi = n;

	if (x->map) {
		if (id < x->base || (uint64_t)(id - x->base) >= x->range)
			return -1;
		return (ssize_t)x->map[id - x->base] - 1;
	}
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (ents[mid].id == id)
			return (ssize_t)mid;
		if (ents[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

void ld_ids_free(struct ld_ids *x)
{
	free(x->map);
	memset(x, 0, sizeof(*x));
}

int ld_db_fail(sqlite3 *db, const char *what, char *err, size_t errlen)
{
	int rc = sqlite3_errcode(db) & 0xff;

	if (rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB || rc == SQLITE_IOERR)
		snprintf(err, errlen, "the store is damaged (truncated or corrupt) while %s: %s",
			 what, sqlite3_errmsg(db));
	else
		snprintf(err, errlen, "%s: %s", what, sqlite3_errmsg(db));
	return -1;
}
