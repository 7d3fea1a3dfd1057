// SPDX-License-Identifier: GPL-2.0
/* perfpilot diff: compare a recording with a baseline. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "commands.h"
#include "findings/compare.h"
#include "formats/flamegraph.h"
#include "formats/folded.h"
#include "report/diff.h"
#include "store/store.h"

struct diff_opts {
	const char *base, *cur;
	bool json;
	double threshold;
	const char *svg, *folded;
};

static void help(void)
{
	printf("Usage: perfpilot diff BASELINE.db CURRENT.db [--json] [--threshold PCT]\n"
	       "                      [--svg FILE] [--folded FILE]\n\n"
	       "Compares two recordings metric by metric: the host, processes matched by\n"
	       "command name, cgroups by path, disks by name. Each metric's samples (per\n"
	       "second for counters) are compared with the Mann-Whitney U test; a change of at\n"
	       "least PCT %% with p < 0.05 is a change, and a regression when it is for the\n"
	       "worse (more CPU, waiting, memory, latency, retransmits; less free memory).\n"
	       "When both recordings have a profile (record --profile), the profiles are\n"
	       "compared too.\n\n"
	       "  --json            the comparison as JSON\n"
	       "  --threshold PCT   the smallest change that counts (default 10)\n"
	       "  --svg FILE        a differential flame graph: widths from the current\n"
	       "                    profile, red where a frame's share grew, blue where it\n"
	       "                    shrank; click to zoom, hover for both counts\n"
	       "  --folded FILE     the folded diff: \"stack baseline_count current_count\"\n"
	       "  -h, --help        this help\n\n"
	       "Example: perfpilot diff before.db after.db --threshold 5\n");
}

static void parse(int argc, char **argv, struct diff_opts *o)
{
	enum { OPT_JSON = 256, OPT_THRESHOLD, OPT_SVG, OPT_FOLDED };
	static const struct option longopts[] = {
		{"json", no_argument, NULL, OPT_JSON},
		{"threshold", required_argument, NULL, OPT_THRESHOLD},
		{"svg", required_argument, NULL, OPT_SVG},
		{"folded", required_argument, NULL, OPT_FOLDED},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	char *end;
	int c;

	memset(o, 0, sizeof(*o));
	o->threshold = 10;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_THRESHOLD:
			o->threshold = strtod(optarg, &end);
			if (end == optarg || *end || !(o->threshold >= 0 && o->threshold <= 1e6))
				usage_error("bad threshold '%s': a percentage such as 10", optarg);
			break;
		case OPT_SVG:
			o->svg = optarg;
			break;
		case OPT_FOLDED:
			o->folded = optarg;
			break;
		case 'h':
			help();
			exit(0);
		default:
			option_error(c, "diff", argv);
		}
	}
	if (argc - optind != 2)
		usage_error("give two recordings: BASELINE.db CURRENT.db; see 'perfpilot diff --help'");
	o->base = argv[optind];
	o->cur = argv[optind + 1];
}

/*
 * The most steps a recording is compared in: a longer recording is read in
 * steps of several intervals (their sums, the largest percentile), so that
 * diff's memory and time stay bounded however long the recordings are (a
 * 40-minute recording of a host under process churn took 180 MB read
 * interval by interval). Twenty minutes at 1 s are still compared interval
 * by interval; the header says the step otherwise.
 */
#define DIFF_MAX_POINTS 600

static int load(const char *path, struct recording *r)
{
	char err[512];

	memset(r, 0, sizeof(*r));
	if (store_load_points(path, 0, INFINITY, 0, DIFF_MAX_POINTS, r, err, sizeof(err))) {
		fprintf(stderr, "perfpilot: %s: %s\n", path, err);
		return 1;
	}
	return 0;
}

static int write_file(const char *path, const char *what, void (*fn)(FILE *, const void *),
		      const void *arg)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		fprintf(stderr, "perfpilot: cannot write %s %s: %s\n", what, path, strerror(errno));
		return 1;
	}
	fn(f, arg);
	if (fclose(f)) {
		fprintf(stderr, "perfpilot: cannot write %s %s: %s\n", what, path, strerror(errno));
		return 1;
	}
	return 0;
}

static void put_text(FILE *f, const void *s)
{
	fputs(s, f);
}

/* The differential flame graph of the two profiles. */
struct diff_graph {
	struct flametree t;
	double start_unix, duration_s;
};

static void put_svg(FILE *f, const void *arg)
{
	struct diff_graph *g = (struct diff_graph *)arg;
	const struct flamegraph_meta m = { .kind = SS_ONCPU, .diff = true,
					   .start_unix = g->start_unix, .duration_s = g->duration_s };

	flamegraph_svg(&g->t, &m, NULL, f);
}

/* Parse a recording's profile; malformed lines are skipped with a warning. */
static int parse_profile(const struct recording *r, const char *path, struct folded *f)
{
	size_t bad = 0;

	if (folded_parse(r->folded, f, &bad))
		return -1;
	if (bad)
		fprintf(stderr, "perfpilot: %s: %zu malformed line%s of its profile skipped\n", path,
			bad, bad == 1 ? "" : "s");
	return 0;
}

/* Compare the profiles: folded diff text and the merged tree (widths from
 * the current profile, baseline weights beside them). */
static int profiles(const struct diff_opts *o, const struct recording *a,
		    const struct recording *b, struct profile_diff *pd, struct diff_graph *g)
{
	struct folded fa = {0}, fb = {0};
	int rc = -1;

	if (!a->folded || !b->folded)
		return 0;
	if (!o->json && !o->svg && !o->folded) {
		/* the text says only how many samples each has */
		pd->base_total = (double)folded_total(a->folded, NULL);
		pd->cur_total = (double)folded_total(b->folded, NULL);
		return (pd->folded = strdup("")) ? 0 : -1;
	}
	g->start_unix = b->start;
	g->duration_s = b->end - b->start;
	if (!parse_profile(a, o->base, &fa) && !parse_profile(b, o->cur, &fb) &&
	    (pd->folded = folded_diff(&fa, &fb)) && !ft_from_folded(&g->t, &fb, &fa)) {
		pd->base_total = (double)g->t.n[0].base;
		pd->cur_total = (double)g->t.n[0].value;
		rc = 0;
	}
	folded_free(&fa);
	folded_free(&fb);
	return rc;
}

static int output(const struct diff_opts *o, const struct recording *a, const struct recording *b,
		  const struct comparison *c, const struct profile_diff *pd,
		  const struct diff_graph *g)
{
	if (o->json) {
		json_t *j = diff_json(a, b, c, pd);

		if (!j || json_dumpf(j, stdout, JSON_INDENT(2)) || fputc('\n', stdout) == EOF) {
			json_decref(j);
			fprintf(stderr, "perfpilot: cannot write the JSON diff\n");
			return 1;
		}
		json_decref(j);
	} else {
		diff_text(stdout, a, b, c, pd);
	}
	if (o->folded && write_file(o->folded, "the folded diff", put_text, pd->folded))
		return 1;
	if (o->svg && write_file(o->svg, "the flame graph", put_svg, g))
		return 1;
	return fflush(stdout) ? 1 : 0;
}

int cmd_diff(int argc, char **argv)
{
	struct profile_diff pd = {0};
	struct diff_graph g = {0};
	struct recording a, b;
	struct comparison c;
	struct diff_opts o;
	int rc = 1;

	parse(argc, argv, &o);
	if (ft_init(&g.t)) {
		fprintf(stderr, "perfpilot: out of memory\n");
		return 1;
	}
	if (load(o.base, &a)) {
		ft_free(&g.t);
		return 1;
	}
	if (load(o.cur, &b)) {
		ft_free(&g.t);
		recording_free(&a);
		return 1;
	}
	if ((o.svg || o.folded) && (!a.folded || !b.folded)) {
		fprintf(stderr, "perfpilot: --svg and --folded need a profile in both recordings; "
			"record them with --profile\n");
		goto out;
	}
	if (compare_recordings(&a, &b, o.threshold, &c)) {
		fprintf(stderr, "perfpilot: out of memory while comparing the recordings\n");
		goto out;
	}
	if (profiles(&o, &a, &b, &pd, &g))
		fprintf(stderr, "perfpilot: out of memory while comparing the profiles\n");
	else
		rc = output(&o, &a, &b, &c, &pd, &g);
	comparison_free(&c);
out:
	free(pd.folded);
	ft_free(&g.t);
	recording_free(&a);
	recording_free(&b);
	return rc;
}
