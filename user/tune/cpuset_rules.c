// SPDX-License-Identifier: GPL-2.0
/*
 * The cpuset rules tuner: the config's `separate = A B` and `together = A
 * B` (rules.h), checked every interval and kept with the cgroups'
 * cpuset.cpus (and cpuset.mems for together), each change journaled and
 * verified like any other.
 *
 *  - separate: when A's and B's CPUs (cpuset.cpus, or the effective list
 *    when it is empty) overlap, each keeps the CPUs only it has and the
 *    shared ones are split (rules_separate); metric: the CPUs they share
 *    (lower is better, 0 once kept apart). Two cgroups sharing their only
 *    CPU are left, with one line.
 *  - together: when B has CPUs outside the NUMA node holding most of A's,
 *    B gets its CPUs on that node (or the node's) and the node as its
 *    memory (rules_together); metric: B's CPUs outside A's node. Always
 *    true on a host with one node.
 *
 * A rule's cgroup that vanishes stops the tuner with one line naming it.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tune/rules.h"
#include "tune/tuner.h"

/* Text into a proposal's field, cut to fit. */
static void say(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

struct rule_state {
	struct cpulist a, b;   /* the latest CPUs of A and B */
	double metric;         /* shared CPUs (separate) or B's CPUs off A's node */
	bool said;             /* could not be kept: said once */
};

struct rules_state {
	struct numa_topo topo;
	struct rule_state *r;
	size_t n;
};

/* A cgroup's CPUs: cpuset.cpus, or its effective CPUs when that is empty (v2). */
static int cgroup_cpus(const struct hostfs *h, const char *cg, struct cpulist *out, char *err,
		       size_t errlen)
{
	struct hostfs_value v;

	if (hostfs_cgroup_read(h, cg, "cpuset.cpus", &v, err, errlen))
		return -1;
	if (!v.ntok && hostfs_cgroup_read(h, cg, hostfs_cgroup_has(h, cg, "cpuset.cpus.effective") ?
					  "cpuset.cpus.effective" : "cpuset.effective_cpus", &v,
					  err, errlen))
		return -1;
	if (cpulist_parse(v.str, out))
		return snprintf(err, errlen, "%s/cpuset.cpus: '%s' is not a CPU list", cg, v.str), -1;
	return 0;
}

static int rules_init(struct tuner *t, const struct tune_ctx *c, char *err, size_t errlen)
{
	struct rules_state *s;

	t->state = NULL;
	if (!c->cfg->nrules)
		return 1;
	s = calloc(1, sizeof(*s));
	if (s)
		s->r = calloc(c->cfg->nrules, sizeof(*s->r));
	if (!s || !s->r) {
		free(s);
		return snprintf(err, errlen, "out of memory"), -1;
	}
	s->n = c->cfg->nrules;
	if (numa_read(c->h, &s->topo, err, errlen)) {
		free(s->r);
		free(s);
		return -1;
	}
	t->state = s;
	return 0;
}

/* B's CPUs outside the node holding most of A's. */
static double off_node(const struct rules_state *s, const struct rule_state *r)
{
	struct cpulist nb;
	bool moved;
	int node;

	if (s->topo.nn < 2 || rules_together(&s->topo, &r->a, &r->b, &nb, &node, &moved) || !moved)
		return 0;
	cpulist_minus(&nb, &r->b, &numa_node(&s->topo, node)->cpus);
	return cpulist_count(&nb);
}

static int rules_observe(struct tuner *t, const struct tune_ctx *c, char *err, size_t errlen)
{
	struct rules_state *s = t->state;
	struct cpulist both;
	char e[512];
	size_t i;

	for (i = 0; s && i < s->n; i++) {
		const struct cpuset_rule *ru = &c->cfg->rules[i];
		struct rule_state *r = &s->r[i];

		if (cgroup_cpus(c->h, ru->a, &r->a, e, sizeof(e)) ||
		    cgroup_cpus(c->h, ru->b, &r->b, e, sizeof(e)))
			return snprintf(err, errlen, "the rule of %s:%d: %s", c->cfg->file, ru->line, e),
			       -1;
		cpulist_and(&both, &r->a, &r->b);
		r->metric = ru->kind == RULE_SEPARATE ? cpulist_count(&both) : off_node(s, r);
	}
	return 0;
}

static void fill(struct proposal *p, const struct cpuset_rule *ru, const struct rule_state *r,
		 const char *cg, const char *tunable, const struct cpulist *cur,
		 const char *proposed, const char *file)
{
	memset(p, 0, sizeof(*p));
	p->tuner = TUNER_CPUSET_RULES;
	snprintf(p->cgroup, sizeof(p->cgroup), "%s", cg);
	snprintf(p->tunable, sizeof(p->tunable), "%s", tunable);
	if (cur)
		cpulist_format(cur, p->current, sizeof(p->current));
	snprintf(p->proposed, sizeof(p->proposed), "%s", proposed);
	p->finding = ru->kind == RULE_SEPARATE ? "rule_separate" : "rule_together";
	p->priority = 1;
	say(p->evidence, sizeof(p->evidence), "%s:%d: %s %s %s: %.0f %s", file, ru->line, ru->kind == RULE_SEPARATE ? "separate" : "together", ru->a, ru->b,
		 r->metric, ru->kind == RULE_SEPARATE ? "CPUs shared" : "CPUs off the node");
	snprintf(p->effect, sizeof(p->effect), "%s", ru->kind == RULE_SEPARATE ?
		 "the two cgroups on CPUs of their own" : "both cgroups on one NUMA node");
	snprintf(p->metric, sizeof(p->metric), "%s",
		 ru->kind == RULE_SEPARATE ? "rule_shared_cpus" : "rule_cpus_off_node");
	p->metric_value = r->metric;
	p->lower_is_better = true;
}

static size_t rules_propose(struct tuner *t, const struct tune_ctx *c, struct proposal *out,
			    size_t max)
{
	struct rules_state *s = t->state;
	struct cpulist na, nb;
	char v[HOSTFS_VALUE_MAX];
	size_t i, n = 0;
	bool moved;
	int node;

	for (i = 0; s && i < s->n && n + 2 <= max; i++) {
		const struct cpuset_rule *ru = &c->cfg->rules[i];
		struct rule_state *r = &s->r[i];

		if (r->metric <= 0)
			continue;
		if (ru->kind == RULE_SEPARATE) {
			if (rules_separate(&r->a, &r->b, &na, &nb)) {
				if (!r->said)
					fprintf(stderr, "perfpilot: tune: cannot keep %s and %s apart: "
						"they share their only CPU\n", ru->a, ru->b);
				r->said = true;
				continue;
			}
			if (!cpulist_equal(&na, &r->a) && !cpulist_format(&na, v, sizeof(v)))
				fill(&out[n++], ru, r, ru->a, "cpuset.cpus", &r->a, v, c->cfg->file);
			if (!cpulist_equal(&nb, &r->b) && !cpulist_format(&nb, v, sizeof(v)))
				fill(&out[n++], ru, r, ru->b, "cpuset.cpus", &r->b, v, c->cfg->file);
			continue;
		}
		if (rules_together(&s->topo, &r->a, &r->b, &nb, &node, &moved) || !moved ||
		    cpulist_format(&nb, v, sizeof(v)))
			continue;
		fill(&out[n++], ru, r, ru->b, "cpuset.cpus", &r->b, v, c->cfg->file);
		snprintf(v, sizeof(v), "%d", node);
		fill(&out[n++], ru, r, ru->b, "cpuset.mems", NULL, v, c->cfg->file);
		{
			struct hostfs_value m;
			char e[256];

			if (!hostfs_cgroup_read(c->h, ru->b, "cpuset.mems", &m, e, sizeof(e)))
				snprintf(out[n - 1].current, sizeof(out[n - 1].current), "%s", m.str);
		}
	}
	return n;
}

/* The metric of the rule a proposal's cgroup belongs to. */
static double rules_measure(struct tuner *t, const struct tune_ctx *c, const struct proposal *p)
{
	struct rules_state *s = t->state;
	size_t i;

	for (i = 0; s && i < s->n; i++)
		if (!strcmp(c->cfg->rules[i].a, p->cgroup) || !strcmp(c->cfg->rules[i].b, p->cgroup))
			return s->r[i].metric;
	return NAN;
}

static void rules_fini(struct tuner *t)
{
	struct rules_state *s = t->state;

	if (s)
		free(s->r);
	free(s);
	t->state = NULL;
}

void tuner_cpuset_rules(struct tuner *t)
{
	memset(t, 0, sizeof(*t));
	t->id = TUNER_CPUSET_RULES;
	t->init = rules_init;
	t->observe = rules_observe;
	t->propose = rules_propose;
	t->measure = rules_measure;
	t->fini = rules_fini;
}
