// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include "collect/target.h"

/* Running, sleeping or stopped: not gone and not a zombie. */
static bool alive(uint32_t pid)
{
	char fn[64], buf[512], *p;
	FILE *f;
	bool ok = false;

	snprintf(fn, sizeof(fn), "/proc/%u/stat", pid);
	f = fopen(fn, "r");
	if (!f)
		return false;
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) != NULL)
		ok = p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
	fclose(f);
	return ok;
}

bool any_alive(const struct target *t)
{
	size_t i;

	for (i = 0; i < t->npids; i++)
		if (alive(t->pids[i]))
			return true;
	return false;
}

bool target_has_cgroup(const struct target *t, const char *path)
{
	size_t i, len;

	for (i = 0; i < t->ncgroups; i++) {
		const char *rel = t->cg[i].rel;

		len = strlen(rel);
		if (!strcmp(rel, "/") ||
		    (!strncmp(path, rel, len) && (path[len] == 0 || path[len] == '/')))
			return true;
	}
	return false;
}
