// SPDX-License-Identifier: GPL-2.0
/* pprof.c: a small profile encoded, gzipped, and read back field by field. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <zlib.h>
#include "unit.h"
#include "formats/pprof.h"
#include "profile/stackset.h"

/* ---- a minimal profile.proto reader, for the test ---- */

struct field {
	uint32_t num;
	int wire;
	uint64_t v;          /* varint */
	const uint8_t *p;    /* length-delimited */
	size_t len;
};

static uint64_t varint(const uint8_t **p, const uint8_t *end)
{
	uint64_t v = 0;
	int shift = 0;

	for (;;) {
		assert_true(*p < end && shift < 64);
		v |= (uint64_t)(**p & 0x7f) << shift;
		shift += 7;
		if (!(*(*p)++ & 0x80))
			return v;
	}
}

/* The next field of a message; false at its end. */
static bool next(const uint8_t **p, const uint8_t *end, struct field *f)
{
	uint64_t key;

	if (*p >= end)
		return false;
	key = varint(p, end);
	f->num = (uint32_t)(key >> 3);
	f->wire = key & 7;
	if (f->wire == 0) {
		f->v = varint(p, end);
	} else {
		assert_int_equal(f->wire, 2); /* pprof uses nothing else */
		f->len = varint(p, end);
		assert_true(f->len <= (size_t)(end - *p));
		f->p = *p;
		*p += f->len;
	}
	return true;
}

/* A packed (or single unpacked) repeated varint field, appended to v. */
static void packed(const struct field *f, uint64_t *v, size_t *n, size_t max)
{
	const uint8_t *p = f->p, *end = f->p + f->len;

	if (f->wire == 0) {
		assert_true(*n < max);
		v[(*n)++] = f->v;
		return;
	}
	while (p < end) {
		assert_true(*n < max);
		v[(*n)++] = varint(&p, end);
	}
}

#define MAXN 32

struct vt { uint64_t type, unit; };
struct sample { uint64_t loc[MAXN], val[4]; size_t nloc, nval;
		uint64_t lkey[4], lstr[4], lnum[4]; size_t nlabel; };
struct mapping { uint64_t id, start, limit, offset, file, build_id, has_functions; };
struct location { uint64_t id, mapping, address, function; size_t nline; };
struct function { uint64_t id, name, system_name, file; };

struct profile {
	struct vt sample_type[4], period_type;
	size_t nsample_type;
	struct sample s[MAXN];
	size_t ns;
	struct mapping m[MAXN];
	size_t nm;
	struct location l[MAXN];
	size_t nl;
	struct function f[MAXN];
	size_t nf;
	char str[64][64];
	size_t nstr;
	uint64_t time_nanos, duration_nanos, period;
};

static struct vt value_type(const struct field *m)
{
	const uint8_t *p = m->p, *end = m->p + m->len;
	struct vt v = {0};
	struct field f;

	while (next(&p, end, &f))
		if (f.num == 1)
			v.type = f.v;
		else if (f.num == 2)
			v.unit = f.v;
	return v;
}

static void sample(const struct field *m, struct sample *s)
{
	const uint8_t *p = m->p, *end = m->p + m->len, *q, *qend;
	struct field f, g;

	memset(s, 0, sizeof(*s));
	while (next(&p, end, &f)) {
		if (f.num == 1)
			packed(&f, s->loc, &s->nloc, MAXN);
		else if (f.num == 2)
			packed(&f, s->val, &s->nval, 4);
		else if (f.num == 3) {
			assert_true(s->nlabel < 4);
			q = f.p, qend = f.p + f.len;
			while (next(&q, qend, &g))
				if (g.num == 1)
					s->lkey[s->nlabel] = g.v;
				else if (g.num == 2)
					s->lstr[s->nlabel] = g.v;
				else if (g.num == 3)
					s->lnum[s->nlabel] = g.v;
			s->nlabel++;
		}
	}
}

static void decode(const uint8_t *buf, size_t len, struct profile *pr)
{
	const uint8_t *p = buf, *end = buf + len, *q, *qend;
	struct field f, g;

	memset(pr, 0, sizeof(*pr));
	while (next(&p, end, &f)) {
		q = f.p, qend = f.p + f.len;
		switch (f.num) {
		case 1:
			pr->sample_type[pr->nsample_type++] = value_type(&f);
			break;
		case 2:
			assert_true(pr->ns < MAXN);
			sample(&f, &pr->s[pr->ns++]);
			break;
		case 3: {
			struct mapping *m = &pr->m[pr->nm++];

			while (next(&q, qend, &g)) {
				uint64_t *fld[] = { NULL, &m->id, &m->start, &m->limit, &m->offset,
						    &m->file, &m->build_id, &m->has_functions };
				if (g.num >= 1 && g.num <= 7)
					*fld[g.num] = g.v;
			}
			break;
		}
		case 4: {
			struct location *l = &pr->l[pr->nl++];

			while (next(&q, qend, &g)) {
				if (g.num == 1)
					l->id = g.v;
				else if (g.num == 2)
					l->mapping = g.v;
				else if (g.num == 3)
					l->address = g.v;
				else if (g.num == 4) {
					const uint8_t *r = g.p, *rend = g.p + g.len;
					struct field h;

					l->nline++;
					while (next(&r, rend, &h))
						if (h.num == 1)
							l->function = h.v;
				}
			}
			break;
		}
		case 5: {
			struct function *fn = &pr->f[pr->nf++];

			while (next(&q, qend, &g)) {
				if (g.num == 1)
					fn->id = g.v;
				else if (g.num == 2)
					fn->name = g.v;
				else if (g.num == 3)
					fn->system_name = g.v;
				else if (g.num == 4)
					fn->file = g.v;
			}
			break;
		}
		case 6:
			assert_true(pr->nstr < 64 && f.len < 64);
			memcpy(pr->str[pr->nstr], f.p, f.len);
			pr->str[pr->nstr++][f.len] = '\0';
			break;
		case 9:
			pr->time_nanos = f.v;
			break;
		case 10:
			pr->duration_nanos = f.v;
			break;
		case 11:
			pr->period_type = value_type(&f);
			break;
		case 12:
			pr->period = f.v;
			break;
		default:
			fail_msg("unexpected field %u", f.num);
		}
	}
}

static const char *S(const struct profile *pr, uint64_t i)
{
	assert_true(i < pr->nstr);
	return pr->str[i];
}

static const struct location *loc(const struct profile *pr, uint64_t id)
{
	size_t i;

	for (i = 0; i < pr->nl; i++)
		if (pr->l[i].id == id)
			return &pr->l[i];
	fail_msg("no location %llu", (unsigned long long)id);
	return NULL;
}

static const struct mapping *map(const struct profile *pr, uint64_t id)
{
	size_t i;

	for (i = 0; i < pr->nm; i++)
		if (pr->m[i].id == id)
			return &pr->m[i];
	fail_msg("no mapping %llu", (unsigned long long)id);
	return NULL;
}

/* A location's function name. */
static const char *loc_name(const struct profile *pr, uint64_t id)
{
	const struct location *l = loc(pr, id);
	size_t i;

	assert_int_equal(l->nline, 1);
	for (i = 0; i < pr->nf; i++)
		if (pr->f[i].id == l->function)
			return S(pr, pr->f[i].name);
	fail_msg("no function %llu", (unsigned long long)l->function);
	return NULL;
}

/* The names of a sample's locations, leaf first, joined with ';'. */
static void sample_names(const struct profile *pr, const struct sample *s, char *buf, size_t len)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < s->nloc; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? ";" : "", loc_name(pr, s->loc[i]));
}

/* ---- the profile under test ---- */

enum { F_MAIN, F_HOT, F_READ, F_SYSCALL, F_EXT4, F_UNKNOWN };

static void make_profile(struct stackset *ss, enum ss_kind kind)
{
	const uint32_t a[] = { F_MAIN, F_HOT };
	const uint32_t b[] = { F_MAIN, F_READ, F_SYSCALL, F_EXT4 };
	const uint32_t c[] = { F_UNKNOWN };

	ss_init(ss, kind, 100);
	ss->start_unix = 1700000000.5;
	ss->duration_s = 2.25;
	assert_int_equal(ss_frame(ss, "main", "/bin/prog", "abcd", 0x555555001000, 0x1000, false), F_MAIN);
	assert_int_equal(ss_frame(ss, "hot_a", "/bin/prog", "abcd", 0x555555001100, 0x1100, false), F_HOT);
	assert_int_equal(ss_frame(ss, "read", "/lib/libc.so.6", NULL, 0x7f0000002000, 0x2000, false), F_READ);
	assert_int_equal(ss_frame(ss, "do_syscall_64", "[kernel]", NULL, 0xffffffff81000010, 0, true), F_SYSCALL);
	assert_int_equal(ss_frame(ss, "ext4_read", "ext4", NULL, 0xffffffffc0001000, 0, true), F_EXT4);
	assert_int_equal(ss_frame(ss, "[unknown]", "/lib/libc.so.6", NULL, 0x7f0000003000, 0x3000, false), F_UNKNOWN);
	assert_int_equal(ss_add(ss, 10, "prog", a, 2, 3, 30000000), 0);
	assert_int_equal(ss_add(ss, 10, "prog", b, 4, 2, 20000000), 0);
	assert_int_equal(ss_add(ss, 11, "other", c, 1, 1, 10000000), 0);
}

static void encode(const struct stackset *ss, struct profile *pr)
{
	struct pb b = {0};

	assert_int_equal(pprof_encode(ss, &b), 0);
	decode(b.p, b.n, pr);
	pb_free(&b);
}

static void test_types_and_strings(void **state)
{
	static struct profile pr;
	struct stackset ss;

	(void)state;
	make_profile(&ss, SS_ONCPU);
	encode(&ss, &pr);
	assert_true(pr.nstr > 0);
	assert_string_equal(pr.str[0], "");
	assert_int_equal(pr.nsample_type, 2);
	assert_string_equal(S(&pr, pr.sample_type[0].type), "samples");
	assert_string_equal(S(&pr, pr.sample_type[0].unit), "count");
	assert_string_equal(S(&pr, pr.sample_type[1].type), "cpu");
	assert_string_equal(S(&pr, pr.sample_type[1].unit), "nanoseconds");
	assert_string_equal(S(&pr, pr.period_type.type), "cpu");
	assert_string_equal(S(&pr, pr.period_type.unit), "nanoseconds");
	assert_int_equal(pr.period, 10000000);
	assert_int_equal(pr.time_nanos, 1700000000500000000ull);
	assert_int_equal(pr.duration_nanos, 2250000000ull);
	ss_free(&ss);

	make_profile(&ss, SS_OFFCPU);
	encode(&ss, &pr);
	assert_string_equal(S(&pr, pr.sample_type[0].type), "samples");
	assert_string_equal(S(&pr, pr.sample_type[1].type), "off-cpu");
	assert_string_equal(S(&pr, pr.sample_type[1].unit), "nanoseconds");
	ss_free(&ss);
}

static void test_samples(void **state)
{
	static struct profile pr;
	struct stackset ss;
	char names[512];

	(void)state;
	make_profile(&ss, SS_ONCPU);
	encode(&ss, &pr);
	assert_int_equal(pr.ns, 3);
	/* leaf first, the thread's name as the root */
	sample_names(&pr, &pr.s[0], names, sizeof(names));
	assert_string_equal(names, "hot_a;main;prog");
	sample_names(&pr, &pr.s[1], names, sizeof(names));
	assert_string_equal(names, "ext4_read;do_syscall_64;read;main;prog");
	sample_names(&pr, &pr.s[2], names, sizeof(names));
	assert_string_equal(names, "[unknown in libc.so.6];other");
	assert_int_equal(pr.s[0].nval, 2);
	assert_int_equal(pr.s[0].val[0], 3);
	assert_int_equal(pr.s[0].val[1], 30000000);
	assert_int_equal(pr.s[1].val[0], 2);
	assert_int_equal(pr.s[2].val[1], 10000000);
	/* labels: comm (a string), pid (a number) */
	assert_int_equal(pr.s[2].nlabel, 2);
	assert_string_equal(S(&pr, pr.s[2].lkey[0]), "comm");
	assert_string_equal(S(&pr, pr.s[2].lstr[0]), "other");
	assert_string_equal(S(&pr, pr.s[2].lkey[1]), "pid");
	assert_int_equal(pr.s[2].lnum[1], 11);
	/* the same frame is the same location in every sample */
	assert_int_equal(pr.s[0].loc[1], pr.s[1].loc[3]);
	assert_int_equal(pr.s[0].loc[2], pr.s[1].loc[4]);
	ss_free(&ss);
}

static void test_mappings(void **state)
{
	static struct profile pr;
	struct stackset ss;
	const struct mapping *m;
	const struct location *l;
	size_t i;

	(void)state;
	make_profile(&ss, SS_ONCPU);
	encode(&ss, &pr);
	assert_int_equal(pr.nm, 5);
	/* ids: programs, libraries, the kernel, each by the weight of the
	 * samples through them; in message order (pprof's main binary is the
	 * first) */
	for (i = 0; i < pr.nm; i++)
		assert_int_equal(pr.m[i].id, i + 1);
	assert_string_equal(S(&pr, pr.m[0].file), "/bin/prog");
	assert_string_equal(S(&pr, pr.m[0].build_id), "abcd");
	assert_string_equal(S(&pr, pr.m[1].file), "/lib/libc.so.6");
	assert_int_equal(pr.m[1].build_id, 0);
	/* libc's unnamed frame: a mapping of its own, for pprof to symbolize,
	 * over the same pages as the named ones' (never end to start: pprof
	 * would merge the two) */
	assert_string_equal(S(&pr, pr.m[2].file), "/lib/libc.so.6");
	assert_int_equal(pr.m[2].has_functions, 0);
	assert_int_equal(pr.m[2].start, 0);
	assert_int_equal(pr.m[1].start, 0);
	assert_int_equal(pr.m[2].limit, pr.m[1].limit);
	assert_int_equal(pr.m[1].limit, 0x4000);
	assert_string_equal(S(&pr, pr.m[3].file), "[kernel]"); /* 20 ms, as [ext4]: first seen */
	assert_string_equal(S(&pr, pr.m[4].file), "[ext4]");
	for (i = 0; i < pr.nm; i++)
		assert_int_equal(pr.m[i].has_functions, i != 2);

	/* user addresses are file offsets in a mapping from 0, file offset 0,
	 * to the page past the last frame (the file as if loaded at 0) */
	l = loc(&pr, pr.s[0].loc[0]);
	m = map(&pr, l->mapping);
	assert_string_equal(S(&pr, m->file), "/bin/prog");
	assert_int_equal(l->address, 0x1100);
	assert_int_equal(m->start, 0);
	assert_int_equal(m->offset, 0);
	assert_int_equal(m->limit, 0x2000);
	l = loc(&pr, pr.s[2].loc[0]);
	assert_string_equal(loc_name(&pr, pr.s[2].loc[0]), "[unknown in libc.so.6]");
	assert_int_equal(l->mapping, pr.m[2].id);
	assert_int_equal(l->address, 0x3000);
	/* kernel addresses as they are, inside their mapping */
	l = loc(&pr, pr.s[1].loc[1]);
	m = map(&pr, l->mapping);
	assert_string_equal(S(&pr, m->file), "[kernel]");
	assert_int_equal(l->address, 0xffffffff81000010);
	assert_true(m->start <= l->address && l->address < m->limit);
	/* the thread's frame has no mapping */
	assert_int_equal(loc(&pr, pr.s[0].loc[2])->mapping, 0);
	/* functions: the file name of user frames */
	for (i = 0; i < pr.nf; i++)
		if (!strcmp(S(&pr, pr.f[i].name), "hot_a")) {
			assert_string_equal(S(&pr, pr.f[i].file), "/bin/prog");
			assert_string_equal(S(&pr, pr.f[i].system_name), "hot_a");
		}
	ss_free(&ss);
}

/* a stripped binary's functions named FILE+0xSTART from its unwind
 * information (and only those) are in a mapping without functions, which
 * go tool pprof symbolizes with the unstripped binary; a name that merely
 * looks alike, or another file's, is not */
static void test_unnamed_mapping(void **state)
{
	static struct profile pr;
	struct stackset ss;
	uint32_t f[5];
	size_t i, without = 0;

	(void)state;
	ss_init(&ss, SS_ONCPU, 99);
	f[0] = (uint32_t)ss_frame(&ss, "__libc_start_call_main", "/lib/libc.so.6", "beef", 5, 0x27000, false);
	f[1] = (uint32_t)ss_frame(&ss, "hot_nofp+0x1190", "/s/hot_nofp", "c0de", 6, 0x11a3, false);
	f[2] = (uint32_t)ss_frame(&ss, "hot_nofp+0x12a0", "/s/hot_nofp", "c0de", 7, 0x12b0, false);
	f[3] = (uint32_t)ss_frame(&ss, "hot_nofp+0x12z0", "/s/hot_nofp", "c0de", 8, 0x1300, false);
	f[4] = (uint32_t)ss_frame(&ss, "other+0x10", "/s/hot_nofp", "c0de", 9, 0x1310, false);
	assert_int_equal(ss_add(&ss, 1, "hot_nofp", f, 5, 1, 10), 0);
	encode(&ss, &pr);
	assert_int_equal(pr.nm, 3);
	for (i = 0; i < pr.nm; i++) {
		const struct mapping *m = &pr.m[i];

		if (!strcmp(S(&pr, m->file), "/s/hot_nofp")) {
			assert_int_equal(m->start, 0);
			assert_int_equal(m->limit, 0x2000);
			assert_int_equal(m->offset, 0);
			/* no build ID where pprof is to find the binary by name */
			if (m->has_functions)
				assert_string_equal(S(&pr, m->build_id), "c0de");
			else
				assert_int_equal(m->build_id, 0);
			without += !m->has_functions;
		} else {
			assert_int_equal(m->has_functions, 1);
		}
	}
	assert_int_equal(without, 1);
	for (i = 0; i < 5; i++) {
		const struct location *l = loc(&pr, pr.s[0].loc[4 - i]); /* leaf first */

		assert_int_equal(map(&pr, l->mapping)->has_functions, !(i == 1 || i == 2));
	}
	assert_int_equal(loc(&pr, pr.s[0].loc[3])->address, 0x11a3);
	ss_free(&ss);

	/* only unnamed frames of a file: its build ID still in the profile,
	 * on a mapping of it without locations */
	ss_init(&ss, SS_ONCPU, 99);
	f[0] = (uint32_t)ss_frame(&ss, "hot_nofp+0x1190", "/s/hot_nofp", "c0de", 6, 0x11a3, false);
	assert_int_equal(ss_add(&ss, 1, "hot_nofp", f, 1, 1, 10), 0);
	encode(&ss, &pr);
	assert_int_equal(pr.nm, 2);
	assert_int_equal(pr.m[0].file, pr.m[1].file);
	assert_int_equal(pr.m[0].has_functions + pr.m[1].has_functions, 1);
	assert_string_equal(S(&pr, pr.m[pr.m[0].has_functions ? 0 : 1].build_id), "c0de");
	assert_int_equal(map(&pr, loc(&pr, pr.s[0].loc[0])->mapping)->has_functions, 0);
	ss_free(&ss);
}

/* a program comes first even when a library or the kernel weighs more */
static void test_main_binary(void **state)
{
	static struct profile pr;
	struct stackset ss;
	uint32_t f[3];

	(void)state;
	ss_init(&ss, SS_OFFCPU, 0);
	f[0] = (uint32_t)ss_frame(&ss, "nanosleep", "/usr/lib/libc.so.6", NULL, 1, 1, false);
	f[1] = (uint32_t)ss_frame(&ss, "schedule", "[kernel]", NULL, 2, 0, true);
	f[2] = (uint32_t)ss_frame(&ss, "main", "/usr/bin/sleeper", NULL, 3, 3, false);
	assert_int_equal(ss_add(&ss, 1, "sleeper", f, 2, 9, 900), 0);
	assert_int_equal(ss_add(&ss, 1, "sleeper", f + 2, 1, 1, 100), 0);
	assert_int_equal(ss_add(&ss, 2, "x", f, 1, 1, 50), 0);
	encode(&ss, &pr);
	assert_int_equal(pr.nm, 3);
	assert_string_equal(S(&pr, pr.m[0].file), "/usr/bin/sleeper");
	assert_string_equal(S(&pr, pr.m[1].file), "/usr/lib/libc.so.6");
	assert_string_equal(S(&pr, pr.m[2].file), "[kernel]");
	ss_free(&ss);
}

static void test_empty(void **state)
{
	static struct profile pr;
	struct stackset ss;

	(void)state;
	ss_init(&ss, SS_ONCPU, 49);
	encode(&ss, &pr);
	assert_int_equal(pr.ns, 0);
	assert_int_equal(pr.nsample_type, 2);
	assert_string_equal(pr.str[0], "");
	ss_free(&ss);
}

/* gzip magic, and the compressed bytes inflate to the encoded message */
static void test_gzip(void **state)
{
	struct stackset ss;
	struct pb b = {0};
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	uint8_t *plain;
	z_stream z;

	(void)state;
	assert_non_null(f);
	make_profile(&ss, SS_ONCPU);
	assert_int_equal(pprof_write(&ss, f), 0);
	fclose(f);
	assert_true(len > 18);
	assert_int_equal((uint8_t)out[0], 0x1f);
	assert_int_equal((uint8_t)out[1], 0x8b);
	assert_int_equal((uint8_t)out[2], 8); /* deflate */

	assert_int_equal(pprof_encode(&ss, &b), 0);
	plain = malloc(b.n + 16);
	memset(&z, 0, sizeof(z));
	assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
	z.next_in = (Bytef *)out;
	z.avail_in = (uInt)len;
	z.next_out = plain;
	z.avail_out = (uInt)b.n + 16;
	assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
	assert_int_equal(z.total_out, b.n);
	assert_memory_equal(plain, b.p, b.n);
	inflateEnd(&z);
	free(plain);
	free(out);
	pb_free(&b);
	ss_free(&ss);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types_and_strings),
		cmocka_unit_test(test_samples),
		cmocka_unit_test(test_mappings),
		cmocka_unit_test(test_main_binary),
		cmocka_unit_test(test_unnamed_mapping),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_gzip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
