// SPDX-License-Identifier: GPL-2.0
/* Findings: run the analysers, keep the list sorted by severity. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "findings/internal.h"

static const char *const sev_names[] = {"info", "warning", "critical"};
static const char *const res_names[] = {"cpu", "memory", "io", "network"};

const char *severity_name(enum severity s)
{
	return (unsigned int)s < 3 ? sev_names[s] : "?";
}

const char *resource_name(enum resource r)
{
	return (unsigned int)r < 4 ? res_names[r] : "?";
}

static int by_severity(const void *a, const void *b)
{
	const struct finding *x = a, *y = b;

	if (x->severity != y->severity)
		return x->severity > y->severity ? -1 : 1;
	if (x->resource != y->resource)
		return x->resource < y->resource ? -1 : 1;
	return strcmp(x->kind, y->kind);
}

/*
 * The recording without perfpilot's own process: observing has a cost
 * (loading programs, reading symbols), and perfpilot is neither the victim
 * nor the culprit of what it observes; the report shows its cost apart.
 * view shares the series' samples with r, and their array too when none
 * is perfpilot's (a store loaded with STORE_LOAD_NO_SELF): free view->s
 * only when it is not r->s.
 */
static bool is_self(const struct recording *r, const struct series *s)
{
	return r->self_pid && s->kind == ENT_PROC && s->pid == r->self_pid;
}

static int without_self(const struct recording *r, struct recording *view)
{
	size_t i, n = 0;

	*view = *r;
	for (i = 0; i < r->n && !is_self(r, &r->s[i]); i++)
		;
	if (i == r->n)
		return 0; /* nothing to leave out: r's own array */
	view->s = NULL;
	view->n = view->cap = 0;
	if (!(view->s = malloc(r->n * sizeof(*view->s))))
		return -1;
	for (i = 0; i < r->n; i++)
		if (!is_self(r, &r->s[i]))
			view->s[n++] = r->s[i];
	view->n = view->cap = n;
	return 0;
}

int findings_analyze(const struct recording *full, const struct findings_env *env,
		     struct findings *out)
{
	struct recording view, *r = &view;
	static int (*const analysers[])(const struct recording *, const struct findings_env *,
					 struct findings *) = {
		analyze_cpu, analyze_runq, analyze_memory, analyze_hostmem, analyze_io, analyze_net, analyze_pressure,
		analyze_changes, analyze_churn,
	};
	struct findings_env none = {.somaxconn = -1, .tcp_max_syn_backlog = -1};
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!env)
		env = &none;
	if (without_self(full, &view))
		return -1;
	for (i = 0; i < sizeof(analysers) / sizeof(analysers[0]); i++) {
		if (analysers[i](r, env, out)) {
			if (view.s != full->s)
				free(view.s);
			findings_free(out);
			return -1;
		}
	}
	if (view.s != full->s)
		free(view.s);
	/* a stable insertion sort (the lists are short): within a severity
	 * and kind, the analysers' order (worst first) stays */
	for (i = 1; i < out->n; i++) {
		struct finding tmp = out->f[i];
		size_t j = i;

		while (j > 0 && by_severity(&out->f[j - 1], &tmp) > 0) {
			out->f[j] = out->f[j - 1];
			j--;
		}
		out->f[j] = tmp;
	}
	return 0;
}

void findings_free(struct findings *fs)
{
	size_t i;

	for (i = 0; i < fs->n; i++) {
		free(fs->f[i].ev.t);
		free(fs->f[i].ev.v);
	}
	free(fs->f);
	memset(fs, 0, sizeof(*fs));
}
