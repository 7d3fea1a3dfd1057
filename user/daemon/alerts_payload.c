// SPDX-License-Identifier: GPL-2.0
/* The webhook's JSON and Alertmanager's alerts (alerts_payload.h). */
#define _GNU_SOURCE
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "daemon/alerts_payload.h"

void alerts_rfc3339(double t, char *buf, size_t len)
{
	double whole = floor(t);
	time_t s = (time_t)whole;
	int ms = (int)llround((t - whole) * 1000);
	struct tm tm;

	if (ms >= 1000) {
		s++;
		ms -= 1000;
	}
	if (!isfinite(t) || !gmtime_r(&s, &tm)) {
		snprintf(buf, len, "1970-01-01T00:00:00.000Z");
		return;
	}
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void fnv(uint64_t *h, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		*h ^= (unsigned char)s[i];
		*h *= 1099511628211ULL;
	}
}

void alerts_fingerprint(const json_t *labels, char out[17])
{
	size_t n = json_object_size(labels), i = 0;
	const char **keys = calloc(n ? n : 1, sizeof(*keys));
	uint64_t h = 14695981039346656037ULL;
	const char *k, *v;
	const json_t *val;

	json_object_foreach((json_t *)labels, k, val) {
		if (keys && i < n)
			keys[i++] = k;
	}
	if (keys)
		qsort(keys, i, sizeof(*keys), cmp_str);
	for (n = 0; keys && n < i; n++) {
		v = json_string_value(json_object_get(labels, keys[n]));
		fnv(&h, keys[n], strlen(keys[n]));
		fnv(&h, "\xff", 1);
		fnv(&h, v ? v : "", v ? strlen(v) : 0);
		fnv(&h, "\xff", 1);
	}
	free(keys);
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

static json_t *time_json(double t)
{
	char buf[40];

	if (isnan(t))
		return json_null();
	alerts_rfc3339(t, buf, sizeof(buf));
	return json_string(buf);
}

static json_t *num_json(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

json_t *alerts_finding_brief(const json_t *finding)
{
	json_t *f = json_deep_copy(finding), *ev;

	if (!f)
		return NULL;
	ev = json_object_get(f, "evidence");
	if (json_is_object(ev)) {
		json_object_del(ev, "t");
		json_object_del(ev, "values");
	}
	return f;
}

static json_t *annotations(const struct alert_note *n)
{
	return json_pack("{s:s, s:s}", "summary", n->summary ? n->summary : "", "description",
			 n->description ? n->description : "");
}

char *alerts_webhook_body(const struct alert_note *n)
{
	json_t *o, *m;
	char *s;

	o = json_pack("{s:i, s:s, s:s, s:s, s:O, s:o, s:o, s:o, s:s, s:s}", "version",
		      ALERTS_WEBHOOK_VERSION, "status", n->status, "rule", n->rule,
		      "fingerprint", n->fingerprint, "labels", n->labels, "annotations",
		      annotations(n), "startsAt", time_json(n->starts_at), "endsAt",
		      time_json(n->ends_at), "hostname", n->hostname ? n->hostname : "", "on",
		      n->metric ? "metric" : "finding");
	if (!o)
		return NULL;
	if (n->metric) {
		m = json_pack("{s:s, s:O, s:o, s:s, s:o, s:o, s:o}", "name", n->metric, "labels",
			      n->metric_labels, "value", num_json(n->value), "op", n->op,
			      "threshold", num_json(n->threshold), "clear", num_json(n->clear),
			      "for_s", num_json(n->for_s));
		json_object_set_new(o, "metric", m ? m : json_null());
	} else {
		json_object_set_new(o, "finding",
				    n->finding ? alerts_finding_brief(n->finding) : json_null());
	}
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return s;
}

json_t *alerts_am_alert(const struct alert_note *n, const char *generator_url)
{
	json_t *a;

	a = json_pack("{s:O, s:o, s:o}", "labels", n->labels, "annotations", annotations(n),
		      "startsAt", time_json(n->starts_at));
	if (!a)
		return NULL;
	if (!isnan(n->ends_at))
		json_object_set_new(a, "endsAt", time_json(n->ends_at));
	if (generator_url)
		json_object_set_new(a, "generatorURL", json_string(generator_url));
	return a;
}
