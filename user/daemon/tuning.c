// SPDX-License-Identifier: GPL-2.0
/* The tuner's cycle, ticked by the daemon's analysis. */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include "daemon/log.h"
#include "daemon/tuning.h"
#include "tune/change.h"
#include "tune/config.h"
#include "tune/cycle.h"
#include "tune/hostfs.h"
#include "tune/journal.h"

#define ADVICE_KEY (PATH_MAX + 640)

struct tuning {
	struct hostfs h;
	struct tune_config cfg;
	struct tune_ctx ctx;
	struct journal j;
	struct tuner tuners[TUNER_COUNT];
	size_t nt;
	struct cycle cy;
	struct cycle_opts co;
	FILE *log;                  /* the cycle's lines, as log lines */
	struct metrics *m;
	bool apply, failed;
	double last;                /* the previous tick */
	char (*said)[ADVICE_KEY];   /* advice logged, as tunable|scope|value */
	size_t nsaid;
	int64_t first_id;           /* the journal entries of this run start here */
	int *state;                 /* their states as last seen, -1: not seen */
	size_t nstate;
};

/* A read-only /proc/sys (a container): advice only. */
static bool procsys_writable(const struct hostfs *h)
{
	char path[PATH_MAX + 16];
	struct statvfs st;

	snprintf(path, sizeof(path), "%s/proc/sys", h->root);
	return !(statvfs(path, &st) == 0 && (st.f_flag & ST_RDONLY));
}

static void open_entries(struct tuning *t)
{
	struct change_report rep = { 0 };
	size_t n = journal_open_count(&t->j);
	char err[512];

	if (!n)
		return;
	if (t->cfg.on_unfinished == UNFINISHED_RESTORE) {
		dlog(DLOG_INFO, "tune: %zu change%s of an earlier run still open in %s; restoring "
		     "(on_unfinished_journal = restore)", n, n == 1 ? "" : "s", t->j.path);
		if (revert_all(&t->h, &t->j, &rep, err, sizeof(err)))
			dlog(DLOG_ERROR, "tune: restoring them failed: %s", err);
		change_report_free(&rep);
		return;
	}
	dlog(DLOG_INFO, "tune: %zu change%s of an earlier run still open in %s (left as they "
	     "are; 'perfpilot tune --revert' restores them)", n, n == 1 ? "" : "s", t->j.path);
}

static void free_tuning(struct tuning *t)
{
	if (t->nt) {
		cycle_free(&t->cy);
		tuners_free(t->tuners, t->nt);
	}
	journal_free(&t->j);
	config_free(&t->cfg);
	if (t->log)
		fclose(t->log);
	free(t->said);
	free(t->state);
	free(t);
}

int tuning_start(struct tuning **out, const struct daemon_config *c, struct metrics *m,
		 char *err, size_t errlen)
{
	struct tuning *t = calloc(1, sizeof(*t));
	const char *path = strcmp(c->tune_config, CONFIG_DEFAULT_PATH) ? c->tune_config : NULL;
	char why[512];

	*out = NULL;
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return TUNING_CONFIG;
	}
	t->m = m;
	hostfs_init(&t->h, NULL);
	if (config_load(&t->cfg, path, why, sizeof(why)) != CONFIG_OK) {
		snprintf(err, errlen, "%s", why);
		config_free(&t->cfg);
		free(t);
		return TUNING_CONFIG;
	}
	if (journal_load(&t->j, c->state_dir, JOURNAL_LOCK, why, sizeof(why))) {
		snprintf(err, errlen, "%s", why);
		config_free(&t->cfg);
		free(t);
		return TUNING_BUSY;
	}
	t->apply = c->tune_apply;
	if (t->apply && !procsys_writable(&t->h)) {
		dlog(DLOG_WARNING, "tune: /proc/sys is read-only here (a container or a read-only "
		     "mount): advice only");
		t->apply = false;
	}
	t->ctx.h = &t->h;
	t->ctx.cfg = &t->cfg;
	t->ctx.j = &t->j;
	t->ctx.ncpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	t->log = dlog_stream(DLOG_INFO);
	t->first_id = t->j.next_id;
	open_entries(t);
	t->nt = tuners_make(&t->ctx, t->tuners, t->log ? t->log : stderr);
	if (!t->nt) {
		snprintf(err, errlen, "no tuner is on in %s; see [tuner NAME] enabled = true in "
			 "docs/tuner.md", t->cfg.file[0] ? t->cfg.file : "the tuner's defaults");
		free_tuning(t);
		return TUNING_CONFIG;
	}
	t->co.apply = t->apply;
	t->co.interval_s = c->every_s;
	t->co.out = t->log ? t->log : stderr;
	cycle_init(&t->cy, &t->ctx, &t->j, t->tuners, t->nt);
	*out = t;
	return TUNING_OK;
}

/* New advice: logged once and counted; the set said is what is proposed now. */
static void advice(struct tuning *t)
{
	char (*now)[ADVICE_KEY] = calloc(t->cy.nadvice + 1, sizeof(*now));
	char scope[PATH_MAX + 16];
	size_t i, k;

	if (!now)
		return;
	for (i = 0; i < t->cy.nadvice; i++) {
		const struct proposal *p = &t->cy.advice[i];

		proposal_scope(p, scope, sizeof(scope));
		snprintf(now[i], ADVICE_KEY, "%s|%s|%s", p->tunable, scope, p->proposed);
		for (k = 0; k < t->nsaid && strcmp(t->said[k], now[i]); k++)
			;
		if (k < t->nsaid)
			continue;
		dlog(DLOG_INFO, "tune: advice: %s in %s: %s -> %s (%s: %s)", p->tunable, scope,
		     p->current, p->proposed, p->finding ? p->finding : "-", p->evidence);
		metrics_tuner_count(t->m, p->tunable, "proposed");
	}
	free(t->said);
	t->said = now;
	t->nsaid = t->cy.nadvice;
}

static bool was_applied(int s)
{
	return s == JS_APPLIED || s == JS_KEPT || s == JS_ROLLED_BACK || s == JS_REVERTED ||
	       s == JS_ADMIN_CHANGED;
}

/* The journal entries of this run: count each step once. */
static void outcomes(struct tuning *t)
{
	size_t i, k;

	for (i = 0; i < t->j.n; i++) {
		const struct journal_entry *e = &t->j.e[i];
		int old;

		if (e->id < t->first_id)
			continue;
		k = (size_t)(e->id - t->first_id);
		if (k >= t->nstate) {
			int *s = realloc(t->state, (k + 16) * sizeof(*s));

			if (!s)
				return;
			for (; t->nstate < k + 16; t->nstate++)
				s[t->nstate] = -1;
			t->state = s;
		}
		old = t->state[k];
		if (old == (int)e->state)
			continue;
		if (was_applied(e->state) && !was_applied(old))
			metrics_tuner_count(t->m, e->tunable, "applied");
		if (e->state == JS_KEPT)
			metrics_tuner_count(t->m, e->tunable, "kept");
		if ((e->state == JS_ROLLED_BACK || e->state == JS_REVERTED) &&
		    old != JS_ROLLED_BACK && old != JS_REVERTED)
			metrics_tuner_count(t->m, e->tunable, "reverted");
		t->state[k] = (int)e->state;
	}
}

void tuning_say(const struct tuning *t)
{
	dlog(DLOG_INFO, "tune: %zu tuner%s on, %s, journal %s", t->nt, t->nt == 1 ? "" : "s",
	     t->apply ? "applying changes" : "advice only", t->j.path);
}

void tuning_tick(struct tuning *t, double now)
{
	double dt;

	if (!t || t->failed)
		return;
	dt = t->last ? now - t->last : t->co.interval_s;
	t->last = now;
	if (cycle_tick(&t->cy, &t->co, now, dt)) {
		dlog(DLOG_ERROR, "tune: %s; the tuner stops until the daemon restarts or reloads",
		     t->cy.err);
		t->failed = true;
	}
	if (t->apply)
		outcomes(t);
	else
		advice(t);
}

void tuning_stop(struct tuning *t)
{
	if (!t)
		return;
	if (t->apply && !t->failed) {
		cycle_end(&t->cy, &t->co, t->cfg.revert_on_exit);
		outcomes(t);
	}
	free_tuning(t);
}
