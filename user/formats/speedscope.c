// SPDX-License-Identifier: GPL-2.0
/* speedscope output (see speedscope.h). */
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "formats/speedscope.h"
#include "formats/textclean.h"

#define SCHEMA "https://www.speedscope.app/file-format-schema.json"

/* Append to arr; false when out of memory. */
static bool push(json_t *arr, json_t *v)
{
	return v && !json_array_append_new(arr, v);
}

static json_t *frame(const char *name, const char *file)
{
	char clean[512];
	json_t *f = json_object();

	if (!f)
		return NULL;
	text_clean(clean, sizeof(clean), name);
	if (json_object_set_new(f, "name", json_string(clean)))
		goto fail;
	if (file) {
		text_clean(clean, sizeof(clean), file);
		if (json_object_set_new(f, "file", json_string(clean)))
			goto fail;
	}
	return f;
fail:
	json_decref(f);
	return NULL;
}

/* shared.frames: the stack set's frames (same indexes), then one per comm.
 * comm_of[i] is the frame index of stack i's root. */
static json_t *frames(const struct stackset *ss, size_t *comm_of)
{
	json_t *arr = json_array();
	size_t *first = calloc(ss->nstacks ? ss->nstacks : 1, sizeof(*first));
	char label[512];
	size_t i, j, ncomms = 0;

	if (!arr || !first)
		goto fail;
	for (i = 0; i < ss->nframes; i++) {
		ss_frame_label(&ss->frames[i], label, sizeof(label));
		if (!push(arr, frame(label, ss->frames[i].module)))
			goto fail;
	}
	/* comms: a few hundred at most, found by a scan of those seen so far
	 * (first[] holds the first stack of each) */
	for (i = 0; i < ss->nstacks; i++) {
		const char *comm = ss->stacks[i].comm;

		for (j = 0; j < ncomms && strcmp(ss->stacks[first[j]].comm, comm); j++)
			;
		comm_of[i] = ss->nframes + j;
		if (j < ncomms)
			continue;
		first[ncomms++] = i;
		if (!push(arr, frame(*comm ? comm : "[unknown]", NULL)))
			goto fail;
	}
	free(first);
	return arr;
fail:
	free(first);
	json_decref(arr);
	return NULL;
}

static json_t *profile(const struct stackset *ss, const size_t *comm_of)
{
	json_t *p, *samples = json_array(), *weights = json_array();
	uint64_t total;
	size_t i, j;

	ss_totals(ss, NULL, &total);
	p = json_pack("{s:s, s:s, s:s, s:i, s:I}", "type", "sampled", "name",
		      ss->kind == SS_OFFCPU ? "off-CPU time" : "on-CPU time", "unit", "nanoseconds",
		      "startValue", 0, "endValue", (json_int_t)total);
	if (!p || !samples || !weights)
		goto fail;
	for (i = 0; i < ss->nstacks; i++) {
		const struct ss_stack *st = &ss->stacks[i];
		json_t *s = json_array();

		if (!push(samples, s) || !push(s, json_integer((json_int_t)comm_of[i])))
			goto fail;
		for (j = 0; j < st->n; j++)
			if (!push(s, json_integer(st->frames[j])))
				goto fail;
		if (!push(weights, json_integer((json_int_t)st->value_ns)))
			goto fail;
	}
	if (json_object_set_new(p, "samples", samples) || json_object_set_new(p, "weights", weights)) {
		samples = weights = NULL; /* set_new has taken them, even on failure */
		goto fail;
	}
	return p;
fail:
	json_decref(samples);
	json_decref(weights);
	json_decref(p);
	return NULL;
}

json_t *speedscope_json(const struct stackset *ss)
{
	size_t *comm_of = calloc(ss->nstacks ? ss->nstacks : 1, sizeof(*comm_of));
	json_t *fr, *prof;

	if (!comm_of)
		return NULL;
	fr = frames(ss, comm_of);
	prof = fr ? profile(ss, comm_of) : NULL;
	free(comm_of);
	if (!fr || !prof) {
		json_decref(fr);
		return NULL;
	}
	/* "o" takes the references, and drops them when packing fails */
	return json_pack("{s:s, s:{s:o}, s:[o], s:s, s:i, s:s}", "$schema", SCHEMA, "shared",
			 "frames", fr, "profiles", prof, "name",
			 ss->kind == SS_OFFCPU ? "perfpilot off-CPU profile" : "perfpilot on-CPU profile",
			 "activeProfileIndex", 0, "exporter", "perfpilot");
}

int speedscope_write(const struct stackset *ss, FILE *out)
{
	json_t *root = speedscope_json(ss);
	int rc = -1;

	if (root && !json_dumpf(root, out, JSON_COMPACT) && fputc('\n', out) != EOF)
		rc = fflush(out) ? -1 : 0;
	json_decref(root);
	return rc;
}
