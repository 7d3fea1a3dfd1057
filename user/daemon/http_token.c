// SPDX-License-Identifier: GPL-2.0
/* The endpoint's bearer token, read from a file only its owner can read
 * (see http.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "daemon/http.h"

#define MAKE_TOKEN "head -c 32 /dev/urandom | base64"

int http_read_token_file(const char *path, char *tok, size_t len, char *err, size_t errlen)
{
	char buf[HTTP_TOKEN_MAX + 3]; /* room for CRLF, and one byte too many */
	size_t n = 0, i;
	struct stat st;
	ssize_t r;
	int fd, e;

	/* O_NONBLOCK: a FIFO in its place does not hang the start */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		e = errno;
		if (e == ENOENT)
			snprintf(err, errlen, "%s: no such token file: write a token into it (e.g. umask 077; "
				 MAKE_TOKEN " > %s)", path, path);
		else if (e == EACCES)
			snprintf(err, errlen, "%s: permission denied: the daemon must run as the token file's owner or root",
				 path);
		else
			snprintf(err, errlen, "%s: cannot open the token file: %s", path, strerror(e));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file: give the file that holds the token", path);
		goto fail;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		snprintf(err, errlen, "%s: owned by uid %u, neither root nor the user the daemon runs as (uid %u): chown root %s",
			 path, (unsigned)st.st_uid, (unsigned)geteuid(), path);
		goto fail;
	}
	if (st.st_mode & 077) {
		snprintf(err, errlen, "%s: mode %04o lets group or others read or change it: chmod 600 %s", path,
			 (unsigned)(st.st_mode & 07777), path);
		goto fail;
	}
	while (n < sizeof(buf) && (r = read(fd, buf + n, sizeof(buf) - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "%s: cannot read the token file: %s", path, strerror(errno));
			goto fail;
		}
		n += (size_t)r;
	}
	close(fd);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	if (!n) {
		snprintf(err, errlen, "%s: empty: write a token into it (e.g. " MAKE_TOKEN " > %s)", path, path);
		goto wipe;
	}
	if (n > HTTP_TOKEN_MAX || n >= len) {
		snprintf(err, errlen, "%s: the token is longer than %zu bytes", path,
			 len - 1 < HTTP_TOKEN_MAX ? len - 1 : (size_t)HTTP_TOKEN_MAX);
		goto wipe;
	}
	for (i = 0; i < n; i++) {
		if (buf[i] <= ' ' || buf[i] > '~') {
			snprintf(err, errlen, "%s: byte %zu of the token is a space, a line break, a control character or "
				 "not ASCII: a token is one line of printable ASCII (e.g. from " MAKE_TOKEN ")", path, i + 1);
			goto wipe;
		}
	}
	memcpy(tok, buf, n);
	tok[n] = '\0';
	explicit_bzero(buf, sizeof(buf));
	return 0;
fail:
	close(fd);
wipe:
	explicit_bzero(buf, sizeof(buf));
	return -1;
}
