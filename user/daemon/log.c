// SPDX-License-Identifier: GPL-2.0
/* The daemon's log lines on stderr. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "daemon/log.h"

static const char *const names[] = { "debug", "info", "warning", "error" };
static atomic_int threshold = DLOG_INFO;

void dlog_set_level(int level)
{
	if (level >= DLOG_DEBUG && level <= DLOG_ERROR)
		atomic_store(&threshold, level);
}

int dlog_get_level(void)
{
	return atomic_load(&threshold);
}

int dlog_level_parse(const char *name)
{
	int i;

	for (i = DLOG_DEBUG; i <= DLOG_ERROR; i++)
		if (!strcmp(name, names[i]))
			return i;
	return -1;
}

const char *dlog_level_name(int level)
{
	return level >= DLOG_DEBUG && level <= DLOG_ERROR ? names[level] : "info";
}

/* One line: "LEVEL: text", newlines inside the text turned into spaces. */
static void emit(int level, const char *text)
{
	char line[2048];
	size_t n, i, start;
	ssize_t w;

	n = (size_t)snprintf(line, sizeof(line) - 1, "%s: ", dlog_level_name(level));
	start = n;
	for (i = 0; text[i] && n < sizeof(line) - 2; i++)
		line[n++] = text[i] == '\n' || text[i] == '\r' ? ' ' : text[i];
	while (n > start && line[n - 1] == ' ')
		n--;
	line[n++] = '\n';
	for (i = 0; i < n; i += (size_t)w) {
		w = write(STDERR_FILENO, line + i, n - i);
		if (w <= 0)
			return;
	}
}

void dlog(int level, const char *fmt, ...)
{
	char text[1800];
	va_list ap;

	if (level < atomic_load(&threshold))
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	emit(level, text);
}

/* dlog_stream: the text written so far, cut into lines */
struct sink {
	int level;
	char buf[2048];
	size_t n;
};

static void sink_line(struct sink *s)
{
	const char *p = s->buf;

	s->buf[s->n] = 0;
	if (!strncmp(p, "perfpilot: ", 11))
		p += 11;
	if (*p && s->level >= atomic_load(&threshold))
		emit(s->level, p);
	s->n = 0;
}

static ssize_t sink_write(void *cookie, const char *data, size_t len)
{
	struct sink *s = cookie;
	size_t i;

	for (i = 0; i < len; i++) {
		if (data[i] == '\n' || s->n == sizeof(s->buf) - 1)
			sink_line(s);
		if (data[i] != '\n')
			s->buf[s->n++] = data[i];
	}
	return (ssize_t)len;
}

static int sink_close(void *cookie)
{
	struct sink *s = cookie;

	if (s->n)
		sink_line(s);
	free(s);
	return 0;
}

FILE *dlog_stream(int level)
{
	cookie_io_functions_t io = { .write = sink_write, .close = sink_close };
	struct sink *s = calloc(1, sizeof(*s));
	FILE *f;

	if (!s)
		return NULL;
	s->level = level;
	f = fopencookie(s, "w", io);
	if (!f) {
		free(s);
		return NULL;
	}
	setvbuf(f, NULL, _IOLBF, 0);
	return f;
}
