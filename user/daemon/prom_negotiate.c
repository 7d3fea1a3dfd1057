// SPDX-License-Identifier: GPL-2.0
/* Which exposition format a scraper asks for, and its Content-Type (see
 * prom.h). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "daemon/prom.h"

static const char *skip_space(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* A token or quoted string of an Accept header at p, into buf (cut to
 * fit); returns what follows it */
static const char *header_word(const char *p, char *buf, size_t len, const char *stops)
{
	size_t n = 0;
	bool quoted = *p == '"';

	if (quoted)
		p++;
	for (; *p && (quoted ? *p != '"' : !strchr(stops, *p)); p++) {
		if (quoted && *p == '\\' && p[1])
			p++;
		if (n + 1 < len)
			buf[n++] = *p;
	}
	if (quoted && *p == '"')
		p++;
	while (n && (buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		n--;
	buf[n] = '\0';
	return p;
}

enum prom_fmt prom_negotiate(const char *accept)
{
	char type[64], name[32], value[32], version[32];
	double q, q_om = 0, q_text = 0;
	const char *p = accept ? accept : "";

	while (*p) {
		p = header_word(skip_space(p), type, sizeof(type), ",; \t");
		q = 1;
		version[0] = '\0';
		for (p = skip_space(p); *p == ';'; p = skip_space(p)) {
			p = header_word(skip_space(p + 1), name, sizeof(name), "=,; \t");
			value[0] = '\0';
			p = skip_space(p);
			if (*p == '=')
				p = header_word(skip_space(p + 1), value, sizeof(value), ",; \t");
			if (!strcasecmp(name, "q"))
				q = strtod(value, NULL);
			else if (!strcasecmp(name, "version"))
				snprintf(version, sizeof(version), "%s", value);
		}
		while (*p && *p != ',')
			p++; /* whatever does not parse, up to the next range */
		if (*p == ',')
			p++;
		if (!(q > 0))
			continue;
		if (!strcasecmp(type, "application/openmetrics-text") &&
		    (!version[0] || !strcmp(version, "1.0.0") || !strcmp(version, "0.0.1")))
			q_om = q > q_om ? q : q_om;
		else if (!strcasecmp(type, "text/plain") || !strcasecmp(type, "text/*") || !strcmp(type, "*/*"))
			q_text = q > q_text ? q : q_text;
	}
	return q_om > 0 && q_om >= q_text ? PROM_OPENMETRICS : PROM_TEXT;
}

const char *prom_content_type(enum prom_fmt f)
{
	if (f == PROM_OPENMETRICS)
		return "application/openmetrics-text; version=1.0.0; charset=utf-8";
	return "text/plain; version=0.0.4; charset=utf-8";
}
