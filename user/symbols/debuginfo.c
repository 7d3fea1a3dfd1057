// SPDX-License-Identifier: GPL-2.0
/* Build IDs, debuglinks and the paths of separate debug files (debuginfo.h). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include "symbols/debuginfo.h"

#define NT_GNU_BUILD_ID_TYPE 3

static uint32_t get32(const unsigned char *p, bool big_endian)
{
	if (big_endian)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) / a * a;
}

int note_build_id(const void *buf, size_t len, size_t align, bool big_endian, char *hex,
		  size_t hexlen)
{
	const unsigned char *p = buf;
	size_t off = 0, i;

	if (align != 8)
		align = 4;
	while (off <= len && len - off >= 12) {
		uint32_t namesz = get32(p + off, big_endian);
		uint32_t descsz = get32(p + off + 4, big_endian);
		uint32_t type = get32(p + off + 8, big_endian);
		size_t name = off + 12, desc, next;

		if (namesz > len || descsz > len)
			return -1;
		desc = name + align_up(namesz, align);
		next = desc + align_up(descsz, align);
		if (desc > len || desc + descsz > len)
			return -1;
		if (type == NT_GNU_BUILD_ID_TYPE && namesz == 4 && !memcmp(p + name, "GNU", 4)) {
			if (!descsz || descsz > BUILD_ID_MAX || hexlen < 2 * (size_t)descsz + 1)
				return -1;
			for (i = 0; i < descsz; i++)
				snprintf(hex + 2 * i, 3, "%02x", p[desc + i]);
			return 0;
		}
		if (next > len)
			break;
		off = next;
	}
	return -1;
}

int debuglink_parse(const void *buf, size_t len, bool big_endian, char *name, size_t namelen,
		    uint32_t *crc)
{
	const unsigned char *p = buf;
	const unsigned char *nul = len ? memchr(p, '\0', len) : NULL;
	size_t n, crc_off;

	if (!nul || nul == p)
		return -1;
	n = (size_t)(nul - p);
	crc_off = align_up(n + 1, 4);
	if (crc_off + 4 > len || n >= namelen || memchr(p, '/', n))
		return -1;
	memcpy(name, p, n + 1);
	*crc = get32(p + crc_off, big_endian);
	return 0;
}

int build_id_path(const char *debugdir, const char *hex, char *out, size_t len)
{
	size_t n = strlen(hex);
	int w;

	if (n < 3 || strspn(hex, "0123456789abcdef") != n)
		return -1;
	w = snprintf(out, len, "%s/.build-id/%.2s/%s.debug", debugdir, hex, hex + 2);
	return w < 0 || (size_t)w >= len ? -1 : 0;
}

static size_t add_path(char (*out)[DEBUGLINK_PATH_MAX], size_t n, size_t max, const char *a,
		       const char *b, const char *c)
{
	int w;

	if (n >= max)
		return n;
	w = snprintf(out[n], DEBUGLINK_PATH_MAX, "%s%s%s", a, b, c);
	return w < 0 || w >= DEBUGLINK_PATH_MAX ? n : n + 1;
}

size_t debuglink_paths(const char *const *debugdirs, size_t ndirs, const char *path,
		       const char *link, char (*out)[DEBUGLINK_PATH_MAX], size_t max)
{
	const char *slash = strrchr(path, '/');
	char dir[DEBUGLINK_PATH_MAX];
	size_t n = 0, i, dl;

	if (!slash || !*link || strchr(link, '/'))
		return 0;
	dl = (size_t)(slash - path) + 1; /* with the trailing slash */
	if (dl >= sizeof(dir))
		return 0;
	memcpy(dir, path, dl);
	dir[dl] = '\0';
	if (strcmp(slash + 1, link))
		n = add_path(out, n, max, dir, link, "");
	n = add_path(out, n, max, dir, ".debug/", link);
	for (i = 0; i < ndirs; i++) {
		size_t l = strlen(debugdirs[i]);
		char d[DEBUGLINK_PATH_MAX];

		while (l > 1 && debugdirs[i][l - 1] == '/') /* DEBUGDIR/ + /usr/bin/ */
			l--;
		if (l >= sizeof(d))
			continue;
		memcpy(d, debugdirs[i], l);
		d[l] = '\0';
		n = add_path(out, n, max, strcmp(d, "/") ? d : "", dir, link);
	}
	return n;
}

int debug_file_crc32(int fd, uint32_t *crc)
{
	unsigned char buf[65536];
	uLong c = crc32(0L, Z_NULL, 0);
	off_t pos = 0;
	ssize_t r;

	while ((r = pread(fd, buf, sizeof(buf), pos)) > 0) {
		c = crc32(c, buf, (uInt)r);
		pos += r;
	}
	if (r < 0)
		return -1;
	*crc = (uint32_t)c;
	return 0;
}
