// SPDX-License-Identifier: GPL-2.0
/* Flame graphs and differential flame graphs as inline SVG. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "report/flame.h"

#define ROW 16
#define MIN_PX 0.5

void report_xml_escape(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '&': fputs("&amp;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\t')
				fputc(*s, out);
		}
	}
}

int report_folded_parse(const char *text, struct folded *f)
{
	const char *p = text;

	memset(f, 0, sizeof(*f));
	while (p && *p) {
		const char *eol = strchr(p, '\n'), *sp;
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char *line = strndup(p, len), *end;
		unsigned long long c;

		if (!line)
			return -1;
		sp = strrchr(line, ' ');
		if (sp && sp != line) {
			c = strtoull(sp + 1, &end, 10);
			if (end != sp + 1 && !*end && c > 0) {
				line[sp - line] = 0;
				if (folded_add(f, line, c)) {
					free(line);
					return -1;
				}
			}
		}
		free(line);
		p = eol ? eol + 1 : NULL;
	}
	folded_sort(f);
	return 0;
}

static struct report_flame *child_of(struct report_flame *n, const char *name, size_t len)
{
	struct report_flame *c, **tail = &n->child;

	for (c = n->child; c; c = c->next) {
		if (strlen(c->name) == len && !strncmp(c->name, name, len))
			return c;
		tail = &c->next;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->name = strndup(name, len);
	if (!c->name) {
		free(c);
		return NULL;
	}
	*tail = c;
	return c;
}

int report_flame_add(struct report_flame *root, const struct folded *f, int which)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		const char *p = f->e[i].stack;
		struct report_flame *n = root;

		root->c[which] += (double)f->e[i].count;
		while (*p) {
			const char *semi = strchr(p, ';');
			size_t len = semi ? (size_t)(semi - p) : strlen(p);

			n = child_of(n, p, len);
			if (!n)
				return -1;
			n->c[which] += (double)f->e[i].count;
			p += len + (semi ? 1 : 0);
		}
	}
	return 0;
}

void report_flame_free(struct report_flame *root)
{
	struct report_flame *c, *next;

	if (!root)
		return;
	for (c = root->child; c; c = next) {
		next = c->next;
		report_flame_free(c);
		free(c->name);
		free(c);
	}
	root->child = NULL;
}

static unsigned int hash(const char *s)
{
	unsigned int h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void colour(const struct report_flame *n, const struct report_flame *root, bool diff,
		   char *buf, size_t len)
{
	if (diff) {
		double a = root->c[0] > 0 ? n->c[0] / root->c[0] : 0;
		double b = root->c[1] > 0 ? n->c[1] / root->c[1] : 0;
		double d = b - a, m = fmax(a, b), k;

		k = m > 0 ? fmin(1, fabs(d) / m) : 0;
		if (d > 0)
			snprintf(buf, len, "rgb(255,%d,%d)", (int)(230 - 180 * k), (int)(230 - 180 * k));
		else
			snprintf(buf, len, "rgb(%d,%d,255)", (int)(230 - 180 * k), (int)(230 - 180 * k));
		return;
	}
	unsigned int h = hash(n->name);
	snprintf(buf, len, "rgb(%u,%u,%u)", 205 + h % 50, 80 + (h >> 8) % 130, (h >> 16) % 55);
}

static int depth(const struct report_flame *n)
{
	const struct report_flame *c;
	int d = 0;

	for (c = n->child; c; c = c->next) {
		int k = depth(c);

		if (k > d)
			d = k;
	}
	return d + 1;
}

struct draw {
	FILE *out;
	const struct report_flame *root;
	bool diff;
	int w, height;
	double scale; /* px per sample */
};

static void node(const struct draw *d, const struct report_flame *n, double x, int level)
{
	const struct report_flame *c;
	int idx = d->diff ? 1 : 0;
	double wpx = n->c[idx] * d->scale, cx = x;
	char fill[32];
	int y = d->height - (level + 1) * ROW, chars;

	if (wpx < MIN_PX)
		return;
	colour(n, d->root, d->diff, fill, sizeof(fill));
	fprintf(d->out, "<g><title>");
	report_xml_escape(d->out, n->name);
	if (d->diff)
		fprintf(d->out, " (%.0f -> %.0f samples, %.2f%% -> %.2f%%)", n->c[0], n->c[1],
			d->root->c[0] > 0 ? 100 * n->c[0] / d->root->c[0] : 0,
			d->root->c[1] > 0 ? 100 * n->c[1] / d->root->c[1] : 0);
	else
		fprintf(d->out, " (%.0f samples, %.2f%%)", n->c[0],
			d->root->c[0] > 0 ? 100 * n->c[0] / d->root->c[0] : 0);
	fprintf(d->out, "</title><rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
		"fill=\"%s\" rx=\"2\"/>", x, y, wpx, ROW - 1, fill);
	chars = (int)(wpx / 7);
	if (chars >= 3) {
		fprintf(d->out, "<text x=\"%.1f\" y=\"%d\">", x + 3, y + ROW - 4);
		if ((int)strlen(n->name) <= chars) {
			report_xml_escape(d->out, n->name);
		} else {
			char *s = strndup(n->name, (size_t)chars - 2);

			if (s)
				report_xml_escape(d->out, s);
			fputs("..", d->out);
			free(s);
		}
		fputs("</text>", d->out);
	}
	fputs("</g>\n", d->out);
	for (c = n->child; c; c = c->next) {
		node(d, c, cx, level + 1);
		cx += c->c[idx] * d->scale;
	}
}

void report_flame_svg(FILE *out, const struct report_flame *root, bool diff, int w)
{
	struct draw d = {.out = out, .root = root, .diff = diff, .w = w};
	const struct report_flame *c;
	double total = root->c[diff ? 1 : 0], x = 0;

	d.height = depth(root) * ROW;
	d.scale = total > 0 ? w / total : 0;
	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"font-family=\"monospace\" font-size=\"11\">\n", w, d.height);
	for (c = root->child; c; c = c->next) {
		node(&d, c, x, 0);
		x += c->c[diff ? 1 : 0] * d.scale;
	}
	fputs("</svg>\n", out);
}

char *report_folded_diff(const struct folded *a, const struct folded *b)
{
	char *buf = NULL;
	size_t len = 0, i = 0, k = 0;
	FILE *out = open_memstream(&buf, &len);

	if (!out)
		return NULL;
	/* both are sorted by stack (folded_sort): merge them */
	while (i < a->n || k < b->n) {
		int cmp = i >= a->n ? 1 : k >= b->n ? -1 : strcmp(a->e[i].stack, b->e[k].stack);

		if (cmp < 0) {
			fprintf(out, "%s %llu 0\n", a->e[i].stack, (unsigned long long)a->e[i].count);
			i++;
		} else if (cmp > 0) {
			fprintf(out, "%s 0 %llu\n", b->e[k].stack, (unsigned long long)b->e[k].count);
			k++;
		} else {
			fprintf(out, "%s %llu %llu\n", a->e[i].stack, (unsigned long long)a->e[i].count,
				(unsigned long long)b->e[k].count);
			i++;
			k++;
		}
	}
	if (fclose(out)) {
		free(buf);
		return NULL;
	}
	return buf;
}
