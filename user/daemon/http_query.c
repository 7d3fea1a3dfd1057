// SPDX-License-Identifier: GPL-2.0
/* Values of a request's query string (see http.h). */
#include <string.h>
#include "daemon/http.h"

static int hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* s[0..n) percent- and '+'-decoded into out (len bytes): its length, or -1
 * when it does not fit or decodes to a NUL */
static int url_decode(const char *s, size_t n, char *out, size_t len)
{
	size_t i, o = 0;
	char c;

	for (i = 0; i < n; i++) {
		c = s[i];
		if (c == '+')
			c = ' ';
		else if (c == '%' && i + 2 < n && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
			c = (char)(hex(s[i + 1]) * 16 + hex(s[i + 2]));
			i += 2;
		}
		if (!c || o + 1 >= len)
			return -1;
		out[o++] = c;
	}
	if (!len)
		return -1;
	out[o] = '\0';
	return (int)o;
}

int http_query_get(const char *query, const char *key, char *val, size_t len)
{
	char name[128];
	const char *p = query, *end, *eq;

	if (!query || !key)
		return -1;
	while (*p) {
		end = p + strcspn(p, "&");
		eq = memchr(p, '=', (size_t)(end - p));
		if (url_decode(p, (size_t)((eq ? eq : end) - p), name, sizeof(name)) >= 0 && !strcmp(name, key))
			return eq ? url_decode(eq + 1, (size_t)(end - eq - 1), val, len) : url_decode("", 0, val, len);
		p = *end ? end + 1 : end;
	}
	return -1;
}
