// SPDX-License-Identifier: GPL-2.0
/* pprof output: profile.proto, gzip-compressed (see pprof.h). */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "formats/pprof.h"
#include "profile/strhash.h"

/* profile.proto field numbers (github.com/google/pprof proto/profile.proto) */
enum {
	PROFILE_SAMPLE_TYPE = 1,
	PROFILE_SAMPLE = 2,
	PROFILE_MAPPING = 3,
	PROFILE_LOCATION = 4,
	PROFILE_FUNCTION = 5,
	PROFILE_STRING_TABLE = 6,
	PROFILE_TIME_NANOS = 9,
	PROFILE_DURATION_NANOS = 10,
	PROFILE_PERIOD_TYPE = 11,
	PROFILE_PERIOD = 12,
	VALUE_TYPE_TYPE = 1,
	VALUE_TYPE_UNIT = 2,
	SAMPLE_LOCATION_ID = 1,
	SAMPLE_VALUE = 2,
	SAMPLE_LABEL = 3,
	LABEL_KEY = 1,
	LABEL_STR = 2,
	LABEL_NUM = 3,
	MAPPING_ID = 1,
	MAPPING_MEMORY_START = 2,
	MAPPING_MEMORY_LIMIT = 3,
	MAPPING_FILE_OFFSET = 4,
	MAPPING_FILENAME = 5,
	MAPPING_BUILD_ID = 6,
	MAPPING_HAS_FUNCTIONS = 7,
	LOCATION_ID = 1,
	LOCATION_MAPPING_ID = 2,
	LOCATION_ADDRESS = 3,
	LOCATION_LINE = 4,
	LINE_FUNCTION_ID = 1,
	FUNCTION_ID = 1,
	FUNCTION_NAME = 2,
	FUNCTION_SYSTEM_NAME = 3,
	FUNCTION_FILENAME = 4,
};

#define NONE UINT32_MAX

/* The string table: strings interned, index 0 is "". */
struct strtab {
	char **s;
	size_t n, cap;
	uint32_t *tab; /* open addressing: index into s, or NONE */
	size_t size;
};

static int st_grow(struct strtab *t)
{
	size_t size = t->size ? t->size * 2 : 1024, i, h;
	uint32_t *tab = malloc(size * sizeof(*tab));

	if (!tab)
		return -1;
	for (i = 0; i < size; i++)
		tab[i] = NONE;
	for (i = 0; i < t->n; i++) {
		for (h = fnv1a(FNV1A_INIT, t->s[i]) & (size - 1); tab[h] != NONE; h = (h + 1) & (size - 1))
			;
		tab[h] = (uint32_t)i;
	}
	free(t->tab);
	t->tab = tab;
	t->size = size;
	return 0;
}

/* The index of s (NULL is ""), or -1 on no memory. */
static int64_t st_id(struct strtab *t, const char *s)
{
	size_t h;

	if (!s)
		s = "";
	if ((t->n + 1) * 2 > t->size && st_grow(t))
		return -1;
	for (h = fnv1a(FNV1A_INIT, s) & (t->size - 1); t->tab[h] != NONE; h = (h + 1) & (t->size - 1))
		if (!strcmp(t->s[t->tab[h]], s))
			return t->tab[h];
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;
		char **n = realloc(t->s, cap * sizeof(*n));

		if (!n)
			return -1;
		t->s = n;
		t->cap = cap;
	}
	if (!(t->s[t->n] = strdup(s)))
		return -1;
	t->tab[h] = (uint32_t)t->n;
	return (int64_t)t->n++;
}

static void st_free(struct strtab *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->s[i]);
	free(t->s);
	free(t->tab);
}

struct mapping {
	uint32_t file;     /* string index of the file name */
	bool kernel;
	bool unnamed;      /* user frames no symbol named: pprof may symbolize them */
	const char *build_id;
	uint64_t start, limit; /* of the frames' addresses; user: page-aligned at the end */
	int rank;          /* 0 a program, 1 a shared library, 2 the kernel */
	uint64_t weight;   /* of the samples with a frame in it */
	size_t last;       /* the last stack counted in weight, + 1 */
	uint32_t id;       /* mapping ids: by rank, then heaviest first */
};

struct enc {
	const struct stackset *ss;
	struct pb *b;
	struct strtab st;
	struct mapping *maps;
	struct mapping **order; /* maps by id */
	size_t nmaps;
	uint32_t *frame_map; /* per frame: index + 1 into maps, 0 for none */
	uint32_t *comm_loc;  /* per string index: location id of that comm frame, 0 */
	size_t ncomm_loc;
	uint32_t *comms;     /* string indexes of the comm frames, in id order */
	size_t ncomms;
	bool nomem;
};

static uint32_t sid(struct enc *e, const char *s)
{
	int64_t id = st_id(&e->st, s);

	if (id < 0) {
		e->nomem = true;
		return 0;
	}
	return (uint32_t)id;
}

static void value_type(struct enc *e, uint32_t field, const char *type, const char *unit)
{
	size_t m = pb_begin(e->b, field);

	pb_uint(e->b, VALUE_TYPE_TYPE, sid(e, type));
	pb_uint(e->b, VALUE_TYPE_UNIT, sid(e, unit));
	pb_end(e->b, m);
}

/* The mapping file name of a frame: the ELF path (user), "[kernel]" or
 * "[module]" (kernel), NULL when the frame has no known file. */
static const char *map_file(const struct ss_frame *f, char *buf, size_t len)
{
	if (!f->module || !*f->module)
		return NULL;
	if (!f->kernel || f->module[0] == '[')
		return f->module;
	snprintf(buf, len, "[%s]", f->module);
	return buf;
}

/* An address inside the frame's mapping: the file offset (user) or the
 * kernel address. */
static uint64_t frame_address(const struct ss_frame *f)
{
	return f->kernel ? f->addr : f->offset;
}

/*
 * Whether a user frame is one no symbol named: "[unknown]", or named by
 * its file and the start of its function from the unwind information
 * ("hot+0x1189", the file's base name). pprof may name those with the
 * binary (has_functions false in their mapping).
 */
static bool unnamed_frame(const struct ss_frame *f)
{
	const char *base, *p;
	size_t n;

	if (f->kernel || !f->module)
		return false;
	if (!strcmp(f->name, "[unknown]"))
		return true;
	base = strrchr(f->module, '/');
	base = base ? base + 1 : f->module;
	n = strlen(base);
	if (!n || strncmp(f->name, base, n) || strncmp(f->name + n, "+0x", 3))
		return false;
	for (p = f->name + n + 3; isxdigit((unsigned char)*p); p++)
		;
	return p > f->name + n + 3 && !*p;
}

/*
 * Assign every frame its mapping, one per (file, kernel, unnamed). A user
 * file's frames named by a symbol and those not are two mappings of the
 * same file (has_functions true and false), so that pprof's symbolization
 * with the binary (-symbolize=local, PPROF_BINARY_PATH) replaces only the
 * names perfpilot could not give, not its inlined frames.
 */
static int build_mappings(struct enc *e)
{
	const struct stackset *ss = e->ss;
	uint32_t *by_file = NULL; /* string index * 4 + unnamed * 2 + kernel -> mapping id */
	size_t nby = 0, i;
	char buf[256];

	e->frame_map = calloc(ss->nframes ? ss->nframes : 1, sizeof(*e->frame_map));
	/* a mapping per frame at most, and a second one of its file */
	e->maps = calloc(ss->nframes ? 2 * ss->nframes : 1, sizeof(*e->maps));
	if (!e->frame_map || !e->maps)
		return -1;
	for (i = 0; i < ss->nframes; i++) {
		const struct ss_frame *f = &ss->frames[i];
		const char *file = map_file(f, buf, sizeof(buf));
		uint64_t a = frame_address(f);
		struct mapping *m;
		size_t key;

		if (!file)
			continue;
		key = (size_t)sid(e, file) * 4 + unnamed_frame(f) * 2 + f->kernel;
		if (e->nomem)
			break;
		if (key >= nby) {
			size_t n = (key / 4 + 1) * 8; /* whole groups of 4 */
			uint32_t *nb = realloc(by_file, n * sizeof(*nb));

			if (!nb) {
				e->nomem = true;
				break;
			}
			memset(nb + nby, 0, (n - nby) * sizeof(*nb));
			by_file = nb;
			nby = n;
		}
		if (!by_file[key]) {
			m = &e->maps[e->nmaps++];
			m->file = (uint32_t)(key / 4);
			m->kernel = f->kernel;
			m->unnamed = unnamed_frame(f);
			m->start = a;
			m->limit = a + 1;
			by_file[key] = (uint32_t)e->nmaps;
		}
		m = &e->maps[by_file[key] - 1];
		if (!m->build_id && f->build_id && *f->build_id)
			m->build_id = f->build_id;
		if (a < m->start)
			m->start = a;
		if (a >= m->limit)
			m->limit = a + 1;
		e->frame_map[i] = by_file[key];
	}
	/*
	 * A user mapping is the file as if loaded at address 0 (an address is
	 * its file offset): start 0, file offset 0, up to the page past the
	 * last frame. pprof takes an address there for the ELF address at the
	 * same offset, right for the usual layouts (a PIE executable, a shared
	 * library: file offsets and ELF addresses agree). A file's two mappings
	 * span the same pages (pprof merges a file's mappings that touch end to
	 * start).
	 */
	for (i = 0; i < nby && !e->nomem; i += 4) {
		struct mapping *a = by_file[i] ? &e->maps[by_file[i] - 1] : NULL;
		struct mapping *b = by_file[i + 2] ? &e->maps[by_file[i + 2] - 1] : NULL;

		if (b && !a && b->build_id) { /* the build ID goes with the named one */
			a = &e->maps[e->nmaps++];
			*a = *b;
			a->unnamed = false;
		}
		if (a && b && b->limit > a->limit)
			a->limit = b->limit;
		if (a) {
			a->start = 0;
			a->limit = (a->limit + 4095) & ~4095ULL;
		}
		if (b) {
			b->start = 0;
			b->limit = a ? a->limit : (b->limit + 4095) & ~4095ULL;
		}
	}
	free(by_file);
	return e->nomem ? -1 : 0;
}

static int cmp_rank(const void *a, const void *b)
{
	const struct mapping *x = *(const struct mapping *const *)a, *y = *(const struct mapping *const *)b;

	if (x->rank != y->rank)
		return x->rank - y->rank;
	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	return x->file < y->file ? -1 : x->file > y->file;
}

/* A shared library's file name: "libc.so.6", "libfoo.so", "ld-linux.so.2". */
static bool is_library(const char *path)
{
	const char *base = strrchr(path, '/'), *so;

	base = base ? base + 1 : path;
	so = strstr(base, ".so");
	return so && (!so[3] || so[3] == '.' || so[3] == '_' || so[3] == '-');
}

/*
 * Number the mappings: programs first, then shared libraries, then the
 * kernel, each by the weight of the samples with a frame in them, heaviest
 * first. pprof takes the first mapping for the main binary (its "File:"
 * line), which then is the program the profile is mostly about.
 */
static int order_mappings(struct enc *e)
{
	const struct stackset *ss = e->ss;
	struct mapping **by = malloc((e->nmaps ? e->nmaps : 1) * sizeof(*by));
	size_t i, j;

	if (!by)
		return -1;
	e->order = by;
	for (i = 0; i < ss->nstacks; i++) {
		const struct ss_stack *st = &ss->stacks[i];

		for (j = 0; j < st->n; j++) {
			uint32_t m = e->frame_map[st->frames[j]];

			/* each mapping once per stack */
			if (m && e->maps[m - 1].last != i + 1) {
				e->maps[m - 1].last = i + 1;
				e->maps[m - 1].weight += st->value_ns;
			}
		}
	}
	for (i = 0; i < e->nmaps; i++) {
		struct mapping *m = &e->maps[i];

		m->rank = m->kernel ? 2 : is_library(e->st.s[m->file]) ? 1 : 0;
		by[i] = m;
	}
	qsort(by, e->nmaps, sizeof(*by), cmp_rank);
	for (i = 0; i < e->nmaps; i++)
		by[i]->id = (uint32_t)i + 1;
	return 0;
}

/* The location id of the root frame named comm (after the frames' ids). */
static uint32_t comm_location(struct enc *e, const char *comm)
{
	uint32_t s = sid(e, *comm ? comm : "[unknown]");

	if (e->nomem)
		return 0;
	if (s >= e->ncomm_loc) {
		size_t n = (s + 1) * 2;
		uint32_t *nc = realloc(e->comm_loc, n * sizeof(*nc));
		uint32_t *nl = realloc(e->comms, n * sizeof(*nl));

		if (nc)
			e->comm_loc = nc;
		if (nl)
			e->comms = nl;
		if (!nc || !nl) {
			e->nomem = true;
			return 0;
		}
		memset(nc + e->ncomm_loc, 0, (n - e->ncomm_loc) * sizeof(*nc));
		e->ncomm_loc = n;
	}
	if (!e->comm_loc[s]) {
		e->comms[e->ncomms++] = s;
		e->comm_loc[s] = (uint32_t)(e->ss->nframes + e->ncomms);
	}
	return e->comm_loc[s];
}

static void label(struct enc *e, const char *key, const char *str, int64_t num)
{
	size_t m = pb_begin(e->b, SAMPLE_LABEL);

	pb_uint(e->b, LABEL_KEY, sid(e, key));
	if (str)
		pb_uint(e->b, LABEL_STR, sid(e, str));
	else
		pb_uint(e->b, LABEL_NUM, (uint64_t)num);
	pb_end(e->b, m);
}

static int write_samples(struct enc *e)
{
	const struct stackset *ss = e->ss;
	uint64_t *locs = NULL, vals[2];
	size_t cap = 0, i, j, m;

	for (i = 0; i < ss->nstacks && !e->nomem; i++) {
		const struct ss_stack *st = &ss->stacks[i];

		if (st->n + 1 > cap) {
			uint64_t *nl = realloc(locs, (st->n + 1) * sizeof(*nl));

			if (!nl) {
				free(locs);
				return -1;
			}
			locs = nl;
			cap = st->n + 1;
		}
		/* pprof lists the leaf first */
		for (j = 0; j < st->n; j++)
			locs[j] = st->frames[st->n - 1 - j] + 1ull;
		locs[st->n] = comm_location(e, st->comm);
		vals[0] = st->count;
		vals[1] = st->value_ns;
		m = pb_begin(e->b, PROFILE_SAMPLE);
		pb_packed(e->b, SAMPLE_LOCATION_ID, locs, st->n + 1);
		pb_packed(e->b, SAMPLE_VALUE, vals, 2);
		label(e, "comm", *st->comm ? st->comm : "[unknown]", 0);
		label(e, "pid", NULL, st->pid);
		pb_end(e->b, m);
	}
	free(locs);
	return e->nomem ? -1 : 0;
}

/* In id order: pprof keeps the order of the message. */
static void write_mappings(struct enc *e)
{
	size_t i, m;

	for (i = 0; i < e->nmaps; i++) {
		const struct mapping *mp = e->order[i];

		m = pb_begin(e->b, PROFILE_MAPPING);
		pb_uint(e->b, MAPPING_ID, mp->id);
		pb_uint(e->b, MAPPING_MEMORY_START, mp->start);
		pb_uint(e->b, MAPPING_MEMORY_LIMIT, mp->limit);
		pb_uint(e->b, MAPPING_FILE_OFFSET, 0);
		pb_uint(e->b, MAPPING_FILENAME, mp->file);
		/* not on a mapping for pprof to symbolize: go tool pprof reads no
		 * build IDs (its files have none), so that it would refuse every
		 * file for one (a build-id mismatch); it finds the binary by its
		 * file name (PPROF_BINARY_PATH/NAME). The file's other mapping,
		 * of the named frames, has it. */
		if (mp->build_id && !mp->unnamed)
			pb_uint(e->b, MAPPING_BUILD_ID, sid(e, mp->build_id));
		pb_uint(e->b, MAPPING_HAS_FUNCTIONS, !mp->unnamed);
		pb_end(e->b, m);
	}
}

static void location(struct enc *e, uint64_t id, uint32_t mapping, uint64_t addr)
{
	size_t m = pb_begin(e->b, PROFILE_LOCATION), l;

	pb_uint(e->b, LOCATION_ID, id);
	if (mapping) {
		pb_uint(e->b, LOCATION_MAPPING_ID, mapping);
		pb_uint(e->b, LOCATION_ADDRESS, addr);
	}
	l = pb_begin(e->b, LOCATION_LINE);
	pb_uint(e->b, LINE_FUNCTION_ID, id);
	pb_end(e->b, l);
	pb_end(e->b, m);
}

static void function(struct enc *e, uint64_t id, uint32_t name, uint32_t file)
{
	size_t m = pb_begin(e->b, PROFILE_FUNCTION);

	pb_uint(e->b, FUNCTION_ID, id);
	pb_uint(e->b, FUNCTION_NAME, name);
	pb_uint(e->b, FUNCTION_SYSTEM_NAME, name);
	if (file)
		pb_uint(e->b, FUNCTION_FILENAME, file);
	pb_end(e->b, m);
}

/*
 * A function name: kernel frames are told apart by their mapping, not a
 * suffix; an unknown user frame in a known file is "[unknown in libc.so.6]"
 * (not "[unknown] (libc.so.6)": pprof's default demangling cuts what is
 * between parentheses).
 */
static void frame_name(const struct ss_frame *f, char *buf, size_t len)
{
	const char *base = f->module ? strrchr(f->module, '/') : NULL;

	base = base ? base + 1 : f->module;
	if (!f->kernel && !strcmp(f->name, "[unknown]") && base && *base)
		snprintf(buf, len, "[unknown in %s]", base);
	else
		snprintf(buf, len, "%s", f->name);
}

/* One location and one function per frame (id = frame index + 1), then
 * one per comm root frame. */
static void write_locations(struct enc *e)
{
	const struct stackset *ss = e->ss;
	char buf[512];
	size_t i;

	for (i = 0; i < ss->nframes; i++)
		location(e, i + 1, e->frame_map[i] ? e->maps[e->frame_map[i] - 1].id : 0,
			 frame_address(&ss->frames[i]));
	for (i = 0; i < e->ncomms; i++)
		location(e, ss->nframes + i + 1, 0, 0);
	for (i = 0; i < ss->nframes; i++) {
		const struct ss_frame *f = &ss->frames[i];

		frame_name(f, buf, sizeof(buf));
		function(e, i + 1, sid(e, buf), f->module ? sid(e, f->module) : 0);
	}
	for (i = 0; i < e->ncomms; i++)
		function(e, ss->nframes + i + 1, e->comms[i], 0);
}

int pprof_encode(const struct stackset *ss, struct pb *out)
{
	struct enc e = { .ss = ss, .b = out };
	bool off = ss->kind == SS_OFFCPU;
	size_t i;
	int rc = -1;

	sid(&e, ""); /* string_table[0] */
	value_type(&e, PROFILE_SAMPLE_TYPE, "samples", "count");
	value_type(&e, PROFILE_SAMPLE_TYPE, off ? "off-cpu" : "cpu", "nanoseconds");
	if (build_mappings(&e) || order_mappings(&e) || write_samples(&e))
		goto out;
	write_mappings(&e);
	write_locations(&e);
	pb_uint(out, PROFILE_TIME_NANOS, (uint64_t)(ss->start_unix * 1e9));
	pb_uint(out, PROFILE_DURATION_NANOS, (uint64_t)(ss->duration_s * 1e9));
	value_type(&e, PROFILE_PERIOD_TYPE, off ? "off-cpu" : "cpu", "nanoseconds");
	pb_uint(out, PROFILE_PERIOD, off ? 0 : ss->period_ns); /* off-CPU: no fixed period */
	/* last, when every string is in the table */
	for (i = 0; i < e.st.n; i++)
		pb_string(out, PROFILE_STRING_TABLE, e.st.s[i]);
	rc = e.nomem || out->err ? -1 : 0;
out:
	st_free(&e.st);
	free(e.maps);
	free(e.order);
	free(e.frame_map);
	free(e.comm_loc);
	free(e.comms);
	return rc;
}

int pprof_gzip(const void *data, size_t len, FILE *out)
{
	unsigned char buf[65536];
	z_stream z;
	int zr;

	memset(&z, 0, sizeof(z));
	/* windowBits 15 + 16: a gzip header and trailer around the deflate data */
	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	z.next_in = (Bytef *)data;
	z.avail_in = (uInt)len;
	do {
		z.next_out = buf;
		z.avail_out = sizeof(buf);
		zr = deflate(&z, Z_FINISH);
		if (zr == Z_STREAM_ERROR ||
		    fwrite(buf, 1, sizeof(buf) - z.avail_out, out) != sizeof(buf) - z.avail_out) {
			deflateEnd(&z);
			return -1;
		}
	} while (zr != Z_STREAM_END);
	deflateEnd(&z);
	return fflush(out) ? -1 : 0;
}

int pprof_write(const struct stackset *ss, FILE *out)
{
	struct pb b = {0};
	int rc = -1;

	if (!pprof_encode(ss, &b))
		rc = pprof_gzip(b.p, b.n, out);
	pb_free(&b);
	return rc;
}
