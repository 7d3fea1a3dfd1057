// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "collect/cgroup.h"

/* mountinfo escapes blanks as \040 etc. */
static void unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = 0;
}

int cg_parse_mountinfo(FILE *f, struct cg_mounts *out)
{
	char line[4096];

	out->n = 0;
	while (fgets(line, sizeof(line), f)) {
		char *fields[6] = {0}, *sep, *fstype, *opts, *save = NULL, *tok;
		struct cg_mount *m;
		int i = 0;

		sep = strstr(line, " - ");
		if (!sep)
			continue;
		*sep = 0;
		for (tok = strtok_r(line, " ", &save); tok && i < 6; tok = strtok_r(NULL, " ", &save))
			fields[i++] = tok;
		if (i < 5)
			continue;
		save = NULL;
		fstype = strtok_r(sep + 3, " \n", &save);
		strtok_r(NULL, " \n", &save); /* source */
		opts = strtok_r(NULL, " \n", &save);
		if (!fstype || (strcmp(fstype, "cgroup") && strcmp(fstype, "cgroup2")))
			continue;
		if (out->n >= CG_MAX_MOUNTS)
			break;
		m = &out->m[out->n];
		memset(m, 0, sizeof(*m));
		snprintf(m->path, sizeof(m->path), "%s", fields[4]);
		unescape(m->path);
		m->v2 = !strcmp(fstype, "cgroup2");
		if (!m->v2 && opts) {
			char *o, *s2 = NULL;

			for (o = strtok_r(opts, ",", &s2); o; o = strtok_r(NULL, ",", &s2)) {
				/* mount flags, not controllers */
				static const char *skip[] = {"rw", "ro", "relatime", "noatime",
							     "nodiratime", "strictatime", "noexec",
							     "nosuid", "nodev", "xattr", "clone_children",
							     "noprefix", "cpuset_v2_mode", "favordynmods",
							     "nsdelegate", "memory_recursiveprot",
							     "memory_localevents", NULL};
				bool ignored = false;
				int k;

				if (!strncmp(o, "name=", 5)) {
					snprintf(m->name, sizeof(m->name), "%s", o + 5);
					continue;
				}
				if (!strncmp(o, "release_agent=", 14))
					continue;
				for (k = 0; skip[k]; k++)
					ignored |= !strcmp(o, skip[k]);
				if (ignored)
					continue;
				if (m->controllers[0])
					strncat(m->controllers, ",",
						sizeof(m->controllers) - strlen(m->controllers) - 1);
				strncat(m->controllers, o, sizeof(m->controllers) - strlen(m->controllers) - 1);
			}
		}
		out->n++;
	}
	return 0;
}

/* Is `path` equal to `mnt` or below it? Returns the remainder ("" or "/x"). */
static const char *under(const char *path, const char *mnt)
{
	size_t l = strlen(mnt);

	if (l == 1 && mnt[0] == '/')
		return path;
	if (strncmp(path, mnt, l) || (path[l] && path[l] != '/'))
		return NULL;
	return path + l;
}

static void normalize_rel(const char *in, char *out, size_t len, unsigned int *level)
{
	char tmp[PATH_MAX], *tok, *save = NULL;
	size_t w = 0;

	snprintf(tmp, sizeof(tmp), "%s", in);
	*level = 0;
	out[0] = 0;
	for (tok = strtok_r(tmp, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (!strcmp(tok, "."))
			continue;
		w += (size_t)snprintf(out + w, w < len ? len - w : 0, "/%s", tok);
		(*level)++;
	}
	if (!out[0])
		snprintf(out, len, "/");
}

int cg_split_path(const struct cg_mounts *mounts, const char *arg,
		  struct cg_target *out, char *err, size_t errlen)
{
	const struct cg_mount *best = NULL, *v2 = NULL;
	const char *rest = NULL;
	size_t i, bestlen = 0;

	memset(out, 0, sizeof(*out));
	if (!arg || !*arg) {
		snprintf(err, errlen, "empty cgroup path");
		return -1;
	}
	if (strstr(arg, "/../") || !strncmp(arg, "../", 3) || !strcmp(arg, "..") ||
	    (strlen(arg) >= 3 && !strcmp(arg + strlen(arg) - 3, "/.."))) {
		snprintf(err, errlen, "cgroup path '%s' must not contain '..'", arg);
		return -1;
	}
	for (i = 0; i < mounts->n; i++) {
		const char *r;

		if (mounts->m[i].v2 && !v2)
			v2 = &mounts->m[i];
		if (arg[0] != '/')
			continue;
		r = under(arg, mounts->m[i].path);
		if (r && strlen(mounts->m[i].path) > bestlen) {
			best = &mounts->m[i];
			bestlen = strlen(best->path);
			rest = r;
		}
	}
	if (!best) {
		if (!v2) {
			snprintf(err, errlen, "no cgroup2 mount for '%s': give a path under a cgroup mount "
				 "(see /proc/self/mountinfo)", arg);
			return -1;
		}
		best = v2;
		rest = arg;
	}
	snprintf(out->mount, sizeof(out->mount), "%s", best->path);
	normalize_rel(rest, out->rel, sizeof(out->rel), &out->level);
	if (best->v2) {
		out->hier = PP_CGROUP_V2;
		return 0;
	}
	out->hier = PP_CGROUP_V1;
	if (!best->controllers[0]) {
		snprintf(err, errlen, "cgroup v1 hierarchy %s (name=%s) has no controller to filter on: "
			 "use a path under a controller hierarchy such as /sys/fs/cgroup/cpu",
			 best->path, best->name);
		return -1;
	}
	/* the first controller of a co-mounted hierarchy (cpu,cpuacct -> cpu) */
	snprintf(out->controller, sizeof(out->controller), "%.*s",
		 (int)strcspn(best->controllers, ","), best->controllers);
	return 0;
}

int cg_controller_ssid(FILE *f, const char *controller)
{
	char line[256], name[64];
	int idx = 0;

	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#')
			continue;
		if (sscanf(line, "%63s", name) != 1)
			continue;
		if (!strcmp(name, controller))
			return idx;
		idx++;
	}
	return -1;
}

int cg_resolve(const char *arg, struct cg_target *out, char *err, size_t errlen)
{
	struct cg_mounts mounts;
	char full[PATH_MAX * 2];
	struct stat st;
	FILE *f;

	f = fopen("/proc/self/mountinfo", "r");
	if (!f) {
		snprintf(err, errlen, "cannot read /proc/self/mountinfo: %s", strerror(errno));
		return -1;
	}
	cg_parse_mountinfo(f, &mounts);
	fclose(f);
	if (!mounts.n) {
		snprintf(err, errlen, "no cgroup file system is mounted: mount -t cgroup2 none /sys/fs/cgroup");
		return -1;
	}
	if (cg_split_path(&mounts, arg, out, err, errlen))
		return -1;
	snprintf(full, sizeof(full), "%s%s", out->mount, strcmp(out->rel, "/") ? out->rel : "");
	if (stat(full, &st) || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "cgroup '%s' does not exist (looked at %s)", arg, full);
		return -1;
	}
	out->id = st.st_ino;
	if (out->hier == PP_CGROUP_V1) {
		int ssid;

		f = fopen("/proc/cgroups", "r");
		ssid = f ? cg_controller_ssid(f, out->controller) : -1;
		if (f)
			fclose(f);
		if (ssid < 0) {
			snprintf(err, errlen, "controller '%s' is not in /proc/cgroups", out->controller);
			return -1;
		}
		out->ssid = (unsigned int)ssid;
	}
	return 0;
}

int cg_parse_proc_cgroup(FILE *f, enum pp_cgroup_hier hier, const char *controller,
			 char *path, size_t len)
{
	char line[4096];

	while (fgets(line, sizeof(line), f)) {
		char *c1 = strchr(line, ':'), *c2, *nl;

		if (!c1)
			continue;
		c2 = strchr(c1 + 1, ':');
		if (!c2)
			continue;
		nl = strchr(c2, '\n');
		if (nl)
			*nl = 0;
		*c1 = 0;
		*c2 = 0;
		/* line = hierarchy id, c1 + 1 = controllers, c2 + 1 = path */
		if (hier == PP_CGROUP_V2) {
			if (strcmp(line, "0") || c1[1])
				continue;
		} else {
			char *tok, *save = NULL;
			bool found = false;

			for (tok = strtok_r(c1 + 1, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
				found |= !strcmp(tok, controller);
			if (!found)
				continue;
		}
		snprintf(path, len, "%s", c2 + 1);
		return 0;
	}
	return -1;
}

void cg_view_default(struct cg_view *v)
{
	struct cg_mounts mounts;
	FILE *f;
	size_t i;

	memset(v, 0, sizeof(*v));
	v->hier = PP_CGROUP_V2;
	f = fopen("/proc/self/mountinfo", "r");
	if (!f)
		return;
	cg_parse_mountinfo(f, &mounts);
	fclose(f);
	for (i = 0; i < mounts.n; i++) {
		if (mounts.m[i].v2) {
			snprintf(v->mount, sizeof(v->mount), "%s", mounts.m[i].path);
			return;
		}
	}
}

void cg_path_of_pid(const struct cg_view *v, uint32_t pid, char *path, size_t len)
{
	char fn[64];
	FILE *f;

	snprintf(fn, sizeof(fn), "/proc/%u/cgroup", pid);
	f = fopen(fn, "r");
	if (!f || cg_parse_proc_cgroup(f, v->hier, v->controller, path, len))
		snprintf(path, len, "?");
	if (f)
		fclose(f);
}

/* id -> path cache, rebuilt by walking the hierarchy on a miss */
struct id_path {
	uint64_t id;
	char *path;
};
static struct id_path *cache;
static size_t cache_n, cache_cap;
static size_t walk_prefix;

static int walk_cb(const char *fpath, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)ftw;
	if (type != FTW_D)
		return 0;
	if (cache_n == cache_cap) {
		size_t cap = cache_cap ? cache_cap * 2 : 256;
		struct id_path *n = realloc(cache, cap * sizeof(*n));

		if (!n)
			return 1;
		cache = n;
		cache_cap = cap;
	}
	cache[cache_n].id = sb->st_ino;
	cache[cache_n].path = strdup(fpath[walk_prefix] ? fpath + walk_prefix : "/");
	if (cache[cache_n].path)
		cache_n++;
	return 0;
}

static const char *cache_find(uint64_t id)
{
	size_t i;

	for (i = 0; i < cache_n; i++)
		if (cache[i].id == id)
			return cache[i].path;
	return NULL;
}

int cg_path_of_id(const struct cg_view *v, uint64_t id, char *path, size_t len)
{
	const char *p = cache_find(id);
	size_t i;

	if (!p && v->mount[0]) {
		for (i = 0; i < cache_n; i++)
			free(cache[i].path);
		cache_n = 0;
		walk_prefix = strlen(v->mount);
		nftw(v->mount, walk_cb, 32, FTW_PHYS | FTW_MOUNT);
		p = cache_find(id);
	}
	if (!p)
		return -1;
	snprintf(path, len, "%s", p);
	return 0;
}

int cg_read_line(const char *dir, const char *file, char *buf, size_t len)
{
	char fn[PATH_MAX * 2 + 64];
	FILE *f;
	bool ok;

	snprintf(fn, sizeof(fn), "%s/%s", dir, file);
	f = fopen(fn, "r");
	if (!f)
		return -1;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	return ok ? 0 : -1;
}
