// SPDX-License-Identifier: GPL-2.0
/* perfpilot record's last step: analyse the store and keep the findings. */
#define _GNU_SOURCE
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "report/report.h"
#include "record/findings.h"
#include "store/store_findings.h"
#include "collect/watch.h"

static long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

void record_findings_env(const struct recording *r, struct findings_env *env)
{
	char host[64] = "";

	env->somaxconn = -1;
	env->tcp_max_syn_backlog = -1;
	gethostname(host, sizeof(host) - 1);
	if (r->hostname[0] && strcmp(r->hostname, host))
		return;
	env->somaxconn = read_long("/proc/sys/net/core/somaxconn");
	env->tcp_max_syn_backlog = read_long("/proc/sys/net/ipv4/tcp_max_syn_backlog");
}

/* fs as the store's strings; the JSON texts are allocated into json[]. */
static int to_store(const struct findings *fs, struct store_finding *sf, char **json)
{
	size_t i;

	for (i = 0; i < fs->n; i++) {
		const struct finding *f = &fs->f[i];
		json_t *j = finding_json(f);

		json[i] = j ? json_dumps(j, JSON_COMPACT) : NULL;
		json_decref(j);
		if (!json[i])
			return -1;
		sf[i] = (struct store_finding){ f->kind, severity_name(f->severity),
						resource_name(f->resource), f->summary, json[i] };
	}
	return 0;
}

static int store_them(struct store *st, const struct recording *r, const struct findings *fs,
		      char *err, size_t errlen)
{
	struct store_finding *sf = calloc(fs->n + 1, sizeof(*sf));
	char **json = calloc(fs->n + 1, sizeof(*json));
	size_t i;
	int rc = -1;

	if (!sf || !json || to_store(fs, sf, json))
		snprintf(err, errlen, "out of memory");
	else if (store_put_findings(st, wall_now(), r->start, r->end, sf, fs->n))
		snprintf(err, errlen, "%s", store_error(st));
	else
		rc = 0;
	for (i = 0; json && i < fs->n; i++)
		free(json[i]);
	free(json);
	free(sf);
	return rc;
}

int record_findings(struct store *st, const char *path, size_t *n, char *err, size_t errlen)
{
	struct recording r;
	struct findings fs;
	struct findings_env env;
	char why[512];
	int rc;

	*n = 0;
	if (store_load_flags(path, 0, INFINITY, STORE_LOAD_NO_PROFILE, &r, why, sizeof(why))) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	record_findings_env(&r, &env);
	if (findings_analyze(&r, &env, &fs)) {
		recording_free(&r);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rc = store_them(st, &r, &fs, err, errlen);
	if (!rc)
		*n = fs.n;
	findings_free(&fs);
	recording_free(&r);
	return rc;
}
