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

/* One cycle: the host's, or one target cgroup's with only the cgroup tuners. */
struct scope {
	struct tune_ctx ctx;
	struct tuner tuners[TUNER_COUNT];
	size_t nt;
	struct cycle cy;
	char name[DAEMON_CGROUP_MAX]; /* the cgroup as the config names it, "" the host */
};

struct tuning {
	struct hostfs h;
	struct tune_config cfg;
	struct journal j;
	struct scope *sc;           /* [0] the host, then one per target cgroup */
	size_t nsc, nt;             /* scopes, tuners in all */
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
	size_t i;

	for (i = 0; i < t->nsc; i++) {
		if (!t->sc[i].nt)
			continue;
		cycle_free(&t->sc[i].cy);
		tuners_free(t->sc[i].tuners, t->sc[i].nt);
	}
	free(t->sc);
	journal_free(&t->j);
	config_free(&t->cfg);
	if (t->log)
		fclose(t->log);
	free(t->said);
	free(t->state);
	free(t);
}

/* The context of a cycle: the host's (no cgroup) or that of cgroup arg (added to
 * the allowlist, as `perfpilot tune -c` adds its own). -1 when the cgroup is not there. */
static int scope_ctx(struct tuning *t, struct scope *sc, const char *arg)
{
	char err[800];

	sc->ctx.h = &t->h;
	sc->ctx.cfg = &t->cfg;
	sc->ctx.j = &t->j;
	sc->ctx.ncpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (!arg)
		return 0;
	snprintf(sc->name, sizeof(sc->name), "%s", arg);
	if (tune_ctx_cgroup(&sc->ctx, arg, err, sizeof(err)) ||
	    config_add_cgroup(&t->cfg, sc->ctx.cg_cpu, err, sizeof(err)) ||
	    config_add_cgroup(&t->cfg, sc->ctx.cg_memory, err, sizeof(err))) {
		dlog(DLOG_WARNING, "tune: cgroup %s is left out: %s", arg, err);
		return -1;
	}
	return 0;
}

/* The host's cycle (only the sysctl tuners when there are target cgroups),
 * then one per target cgroup with only the cgroup tuners: none runs twice
 * on one cgroup. */
static int make_scopes(struct tuning *t, const struct tuning_where *w)
{
	FILE *warn = t->log ? t->log : stderr;
	size_t i;

	t->sc = calloc(1 + w->ncgroups, sizeof(*t->sc));
	if (!t->sc)
		return -1;
	scope_ctx(t, &t->sc[0], NULL);
	t->nsc = 1;
	for (i = 0; i < w->ncgroups; i++) {
		struct scope *sc = &t->sc[t->nsc];
		size_t k;

		if (scope_ctx(t, sc, w->cgroups[i])) {
			memset(sc, 0, sizeof(*sc));
			continue;
		}
		for (k = 1; k < t->nsc && strcmp(t->sc[k].ctx.cg_cpu, sc->ctx.cg_cpu); k++)
			;
		if (k < t->nsc) /* the same cgroup named twice: one cycle */
			memset(sc, 0, sizeof(*sc));
		else
			t->nsc++;
	}
	for (i = 0; i < t->nsc; i++) {
		struct scope *sc = &t->sc[i];
		enum tuner_set set = i ? TUNERS_CGROUP : w->ncgroups ? TUNERS_SYSCTL : TUNERS_ALL;

		sc->nt = tuners_make(&sc->ctx, set, sc->tuners, warn);
		if (sc->nt)
			cycle_init(&sc->cy, &sc->ctx, &t->j, sc->tuners, sc->nt);
		t->nt += sc->nt;
	}
	return 0;
}

int tuning_start(struct tuning **out, const struct daemon_config *c,
		 const struct tuning_where *w, struct metrics *m, char *err, size_t errlen)
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
	if (hostfs_init(&t->h, w->root)) {
		snprintf(err, errlen, "the root %s: path too long", w->root);
		free(t);
		return TUNING_CONFIG;
	}
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
	t->log = dlog_stream(DLOG_INFO);
	t->first_id = t->j.next_id;
	open_entries(t);
	if (make_scopes(t, w)) {
		snprintf(err, errlen, "out of memory");
		free_tuning(t);
		return TUNING_CONFIG;
	}
	if (!t->nt) {
		snprintf(err, errlen, "no tuner is on in %s; see [tuner NAME] enabled = true in "
			 "docs/tuner.md", t->cfg.file[0] ? t->cfg.file : "the tuner's defaults");
		free_tuning(t);
		return TUNING_CONFIG;
	}
	t->co.apply = t->apply;
	t->co.interval_s = c->every_s;
	t->co.out = t->log ? t->log : stderr;
	*out = t;
	return TUNING_OK;
}

/* New advice: logged once and counted; the set said is what is proposed now. */
static void advice(struct tuning *t)
{
	char (*now)[ADVICE_KEY];
	char scope[PATH_MAX + 16];
	size_t i, k, n = 0, s;

	for (s = 0; s < t->nsc; s++)
		n += t->sc[s].nt ? t->sc[s].cy.nadvice : 0;
	now = calloc(n + 1, sizeof(*now));
	if (!now)
		return;
	n = 0;
	for (s = 0; s < t->nsc; s++) {
		for (i = 0; t->sc[s].nt && i < t->sc[s].cy.nadvice; i++, n++) {
			const struct proposal *p = &t->sc[s].cy.advice[i];

			proposal_scope(p, scope, sizeof(scope));
			snprintf(now[n], ADVICE_KEY, "%s|%s|%s", p->tunable, scope, p->proposed);
			for (k = 0; k < t->nsaid && strcmp(t->said[k], now[n]); k++)
				;
			if (k < t->nsaid)
				continue;
			dlog(DLOG_INFO, "tune: advice: %s in %s: %s -> %s (%s: %s)", p->tunable,
			     scope, p->current, p->proposed, p->finding ? p->finding : "-",
			     p->evidence);
			metrics_tuner_count(t->m, p->tunable, "proposed");
		}
	}
	free(t->said);
	t->said = now;
	t->nsaid = n;
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

/* "a, b on the host; c on /sys/fs/cgroup/x; ..." */
const char *tuning_describe(const struct tuning *t, char *buf, size_t len)
{
	size_t s, i, o = 0;

	buf[0] = 0;
	for (s = 0; s < t->nsc && o < len; s++) {
		const struct scope *sc = &t->sc[s];

		if (!sc->nt)
			continue;
		for (i = 0; i < sc->nt && o < len; i++)
			o += (size_t)snprintf(buf + o, len - o, "%s%s", o && !i ? "; " : i ? ", " : "",
					      tuner_name(sc->tuners[i].id));
		if (o < len)
			o += (size_t)snprintf(buf + o, len - o, " on %s",
					      sc->name[0] ? sc->name : "the host");
	}
	return buf;
}

void tuning_say(const struct tuning *t)
{
	char what[1024];

	dlog(DLOG_INFO, "tune: %zu tuner%s on (%s), %s, journal %s", t->nt, t->nt == 1 ? "" : "s",
	     tuning_describe(t, what, sizeof(what)),
	     t->apply ? "applying changes" : "advice only", t->j.path);
}

void tuning_tick(struct tuning *t, double now)
{
	double dt;
	size_t s;

	if (!t || t->failed)
		return;
	dt = t->last ? now - t->last : t->co.interval_s;
	t->last = now;
	for (s = 0; s < t->nsc && !t->failed; s++) {
		if (!t->sc[s].nt || !cycle_tick(&t->sc[s].cy, &t->co, now, dt))
			continue;
		dlog(DLOG_ERROR, "tune: %s; the tuner stops until the daemon restarts or reloads",
		     t->sc[s].cy.err);
		t->failed = true;
	}
	if (t->apply)
		outcomes(t);
	else
		advice(t);
}

void tuning_stop(struct tuning *t)
{
	size_t s;

	if (!t)
		return;
	if (t->apply && !t->failed) {
		for (s = 0; s < t->nsc; s++)
			if (t->sc[s].nt)
				cycle_end(&t->sc[s].cy, &t->co, t->cfg.revert_on_exit);
		outcomes(t);
	}
	free_tuning(t);
}
