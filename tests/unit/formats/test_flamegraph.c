// SPDX-License-Identifier: GPL-2.0
/* flamegraph.c: the SVG's frames, widths, text escaping and pruning. */
#define _GNU_SOURCE
#include <stdlib.h>
#include "unit.h"
#include "formats/flamegraph.h"
#include "formats/folded.h"

#define WIDTH 1000
#define SPAN (WIDTH - 20.0) /* less the 10-pixel margins */

struct frame { char name[128]; double x, w; int y; char fill[32]; };

static char *draw_opts(struct flametree *t, const struct flamegraph_meta *m,
		       const struct flamegraph_opts *o)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	assert_int_equal(flamegraph_svg(t, m, o, f), 0);
	fclose(f);
	return out;
}

static char *draw(struct flametree *t, const struct flamegraph_meta *m)
{
	const struct flamegraph_opts o = { .width = WIDTH, .host = "testhost" };

	return draw_opts(t, m, &o);
}

/* The frames drawn: each <g class="fg-f"> with its title's first line and its
 * rectangle. */
static size_t frames(const char *svg, struct frame *fr, size_t max)
{
	const char *p = svg;
	size_t n = 0;

	while ((p = strstr(p, "<g class=\"fg-f\""))) {
		const char *t = strstr(p, "<title>") + 7, *nl = strchr(t, '\n'), *r = strstr(p, "<rect ");

		assert_true(n < max);
		assert_true(nl - t < 128);
		memcpy(fr[n].name, t, (size_t)(nl - t));
		fr[n].name[nl - t] = '\0';
		assert_int_equal(sscanf(r, "<rect x=\"%lf\" y=\"%d\" width=\"%lf\" height=\"15\" "
					"fill=\"%31[^\"]\"", &fr[n].x, &fr[n].y, &fr[n].w, fr[n].fill), 4);
		n++;
		p = r;
	}
	return n;
}

static const struct frame *find(const struct frame *fr, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(fr[i].name, name))
			return &fr[i];
	fail_msg("no frame %s", name);
	return NULL;
}

static void add(struct flametree *t, const char *a, const char *b, uint64_t w)
{
	const char *p[] = { a, b };

	assert_int_equal(ft_add(t, p, NULL, b ? 2 : 1, w), 0);
}

static void test_frames(void **state)
{
	const struct flamegraph_meta m = { .kind = SS_ONCPU, .period_ns = 10000000, .hz = 100,
					   .start_unix = 1700000000, .duration_s = 3 };
	struct frame fr[16];
	struct flametree t;
	char *svg;
	size_t n;

	(void)state;
	assert_int_equal(ft_init(&t), 0);
	add(&t, "main", "hot_b", 300);
	add(&t, "main", "hot_a", 600);
	add(&t, "main", "hot_c", 100);
	add(&t, "main", "operator<<(a&b, \"c\")", 0); /* weight 0: never drawn */
	assert_int_equal(ft_finish(&t), 0);
	svg = draw(&t, &m);
	assert_true(!strncmp(svg, "<?xml", 5));
	assert_non_null(strstr(svg, "</svg>\n"));
	n = frames(svg, fr, 16);
	assert_int_equal(n, 5); /* all main hot_a hot_b hot_c */
	assert_dbl_near(find(fr, n, "all")->w, SPAN, 0.01);
	assert_dbl_near(find(fr, n, "all")->x, 10, 0.01);
	assert_dbl_near(find(fr, n, "hot_a")->w, 0.6 * SPAN, 0.01);
	assert_dbl_near(find(fr, n, "hot_b")->w, 0.3 * SPAN, 0.01);
	/* children in name order, side by side, one level up */
	assert_dbl_near(find(fr, n, "hot_a")->x, 10, 0.01);
	assert_dbl_near(find(fr, n, "hot_b")->x, 10 + 0.6 * SPAN, 0.01);
	assert_dbl_near(find(fr, n, "hot_c")->x, 10 + 0.9 * SPAN, 0.01);
	assert_int_equal(find(fr, n, "main")->y - find(fr, n, "hot_a")->y, 16);
	/* tooltips: samples, time and percent */
	assert_non_null(strstr(svg, "<title>hot_a\n600 samples, 6.00 s, 60.00%</title>"));
	assert_non_null(strstr(svg, "On-CPU flame graph"));
	assert_non_null(strstr(svg, "1000 samples at 100 Hz"));
	assert_non_null(strstr(svg, "testhost, 2023-11-14 22:13:20 UTC"));
	/* the script and style are inline: nothing is fetched */
	assert_null(strstr(svg, "href"));
	assert_null(strstr(svg, "src="));
	assert_non_null(strstr(svg, "function zoom("));
	assert_non_null(strstr(svg, "function search("));
	free(svg);
	ft_free(&t);
}

static void test_escaped(void **state)
{
	const struct flamegraph_meta m = { .kind = SS_ONCPU, .period_ns = 1000000, .hz = 1000 };
	struct frame fr[8];
	struct flametree t;
	char *svg, *p;
	size_t n;

	(void)state;
	assert_int_equal(ft_init(&t), 0);
	add(&t, "std::ostream& operator<<(a&, \"b\") 'c'", NULL, 5);
	add(&t, "bad\xff\x01name", NULL, 5);
	assert_int_equal(ft_finish(&t), 0);
	svg = draw(&t, &m);
	n = frames(svg, fr, 8);
	assert_int_equal(n, 3);
	find(fr, n, "std::ostream&amp; operator&lt;&lt;(a&amp;, &quot;b&quot;) &apos;c&apos;");
	find(fr, n, "bad??name");
	assert_null(strstr(svg, "<<("));
	assert_null(strstr(svg, "\xff"));
	/* only the style's and the script's CDATA sections end */
	p = strstr(svg, "]]>");
	assert_non_null(p);
	p = strstr(p + 3, "]]>");
	assert_non_null(p);
	assert_null(strstr(p + 3, "]]>"));
	free(svg);
	ft_free(&t);
}

/* frames under 0.1 pixel are left out; their weight stays in the parent */
static void test_pruned(void **state)
{
	const struct flamegraph_meta m = { .kind = SS_OFFCPU, .events = 3 };
	struct frame fr[8];
	struct flametree t;
	char *svg;
	size_t n;

	(void)state;
	assert_int_equal(ft_init(&t), 0);
	add(&t, "sleeper", "nanosleep", 1000000);
	add(&t, "sleeper", "tiny", 100); /* 0.098 px */
	assert_int_equal(ft_finish(&t), 0);
	svg = draw(&t, &m);
	n = frames(svg, fr, 8);
	assert_int_equal(n, 3);
	assert_null(strstr(svg, "tiny"));
	assert_dbl_near(find(fr, n, "sleeper")->w, SPAN, 0.01);
	assert_non_null(strstr(svg, "1 frame narrower than 0.1 px not drawn (0.01% of the total)"));
	/* off-CPU: blocked time from microseconds */
	assert_non_null(strstr(svg, "<title>nanosleep\n1.00 s blocked, 99.99%</title>"));
	assert_non_null(strstr(svg, "Off-CPU flame graph"));
	assert_non_null(strstr(svg, "blocked in 3 sampled events"));
	free(svg);
	ft_free(&t);
}

static void test_empty(void **state)
{
	const struct flamegraph_meta m = { .kind = SS_ONCPU, .period_ns = 1000000, .hz = 1000 };
	struct flametree t;
	char *svg;

	(void)state;
	assert_int_equal(ft_init(&t), 0);
	assert_int_equal(ft_finish(&t), 0);
	svg = draw(&t, &m);
	assert_non_null(strstr(svg, "no samples"));
	assert_null(strstr(svg, "<g class=\"fg-f\""));
	assert_non_null(strstr(svg, "</svg>\n"));
	free(svg);
	ft_free(&t);
}

/* a differential graph: widths from the current profile, red where a
 * frame's share grew, blue where it shrank, both weights in the tooltip */
static void test_diff(void **state)
{
	const struct flamegraph_meta m = { .kind = SS_ONCPU, .diff = true };
	struct folded base, cur;
	struct frame fr[8];
	struct flametree t;
	char *svg;
	size_t n;

	(void)state;
	assert_int_equal(folded_parse("app;main;a 10\napp;main;b 30\nbad line\napp;main;a 5\n",
				      &base, NULL), 0);
	assert_int_equal(folded_parse("app;main;b 30\napp;main;c 30\n", &cur, NULL), 0);
	assert_int_equal(ft_init(&t), 0);
	assert_int_equal(ft_from_folded(&t, &cur, &base), 0);
	svg = draw(&t, &m);
	n = frames(svg, fr, 8);
	/* a is gone from the current profile: no width, not drawn */
	assert_int_equal(n, 5); /* all app main b c */
	assert_null(strstr(svg, "<title>a\n"));
	assert_dbl_near(find(fr, n, "b")->x, 10, 0.01);
	assert_dbl_near(find(fr, n, "b")->w, SPAN / 2, 0.01);
	assert_dbl_near(find(fr, n, "c")->x, 10 + SPAN / 2, 0.01);
	assert_dbl_near(find(fr, n, "c")->w, SPAN / 2, 0.01);
	assert_dbl_near(find(fr, n, "app")->w, SPAN, 0.01);
	/* c is new: its share grew from 0 to 50 %, the reddest; b went from
	 * 67 % to 50 %: a quarter of its share lost, pale blue */
	assert_non_null(strstr(svg, "<title>c\nbaseline 0 samples (0.00%), current 30 samples "
				    "(50.00%), share +50.00 points</title>"));
	assert_string_equal(find(fr, n, "c")->fill, "rgb(255,50,50)");
	assert_non_null(strstr(svg, "<title>b\nbaseline 30 samples (66.67%), current 30 samples "
				    "(50.00%), share -16.67 points</title>"));
	assert_string_equal(find(fr, n, "b")->fill, "rgb(185,185,255)");
	/* the whole profile did not change its share: grey */
	assert_non_null(strstr(svg, "<title>app\nbaseline 45 samples (100.00%), current 60 samples "
				    "(100.00%), share +0.00 points</title>"));
	assert_string_equal(find(fr, n, "app")->fill, "rgb(225,225,225)");
	assert_string_equal(find(fr, n, "main")->fill, "rgb(225,225,225)");
	assert_non_null(strstr(svg, "Differential flame graph"));
	assert_non_null(strstr(svg, "the current profile, 60 samples."));
	assert_non_null(strstr(svg, "since the baseline (45 samples)"));
	assert_non_null(strstr(svg, ">1 frame only in the baseline</text>"));
	assert_null(strstr(svg, "narrower"));
	assert_non_null(strstr(svg, "function zoom("));
	free(svg);
	ft_free(&t);
	folded_free(&base);
	folded_free(&cur);
}

/* inside an HTML page: no XML declaration, ids from the caller, the style
 * scoped to the graph and the script looking only inside its own <svg> */
static void test_embedded(void **state)
{
	const struct flamegraph_meta m = { .kind = SS_ONCPU };
	const struct flamegraph_opts o = { .width = WIDTH, .host = "h", .embedded = true,
					   .id = "prof\"1<" };
	struct flametree t;
	char *svg, *p;

	(void)state;
	assert_int_equal(ft_init(&t), 0);
	add(&t, "main", "work", 3);
	assert_int_equal(ft_finish(&t), 0);
	svg = draw_opts(&t, &m, &o);
	assert_true(!strncmp(svg, "<svg version=\"1.1\" id=\"prof1\" class=\"flamegraph\"", 46));
	assert_non_null(strstr(svg, "<linearGradient id=\"prof1-bg\""));
	assert_non_null(strstr(svg, "fill=\"url(#prof1-bg)\""));
	assert_null(strstr(svg, "<?xml"));
	assert_null(strstr(svg, "getElementById"));
	assert_non_null(strstr(svg, "document.currentScript"));
	/* every style rule is under .flamegraph */
	for (p = strstr(svg, "<![CDATA[\n"); p && *p != ']'; p = strchr(p, '\n') + 1)
		if (p[-1] == '\n' && strncmp(p, "]]>", 3))
			assert_true(!strncmp(p, ".flamegraph ", 12));
	/* no period, no duration: samples only */
	assert_non_null(strstr(svg, "<title>work\n3 samples, 100.00%</title>"));
	assert_non_null(strstr(svg, ">3 samples; h</text>"));
	free(svg);
	ft_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frames),
		cmocka_unit_test(test_escaped),
		cmocka_unit_test(test_pruned),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_embedded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
