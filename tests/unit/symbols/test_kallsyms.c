// SPDX-License-Identifier: GPL-2.0
/* kallsyms.c: /proc/kallsyms parsing and address lookup. */
#include <stdio.h>
#include <stdlib.h>
#include "unit.h"
#include "symbols/kallsyms.h"

static const char *kallsyms =
	"ffffffff81000000 T _stext\n"
	"ffffffff81001000 T do_syscall_64\n"
	"ffffffff81001000 D some_data\n"
	"ffffffff81002000 t local_helper\n"
	"0000000000000000 T zeroed_out\n"
	"ffffffffc0100000 t ext4_read\t[ext4]\n"
	"ffffffff81003000 W weak_fn\n"
	"ffffffff81004000 b bss_thing\n"
	"not a line\n"
	"ffffffffc0000000 T first_mod_fn [xfs]\n";

static void load(struct ksyms *k, const char *text)
{
	FILE *f = unit_text(text);

	assert_non_null(f);
	assert_int_equal(ksyms_load(k, f), 0);
	fclose(f);
}

static void test_parse_line(void **state)
{
	char l1[] = "ffffffff81001000 T do_syscall_64\n";
	char l2[] = "ffffffffc0100000 t ext4_read\t[ext4]\n";
	char l3[] = "ffffffff81001000 D some_data\n";
	char l4[] = "0000000000000000 T hidden\n";
	char l5[] = "garbage\n";
	uint64_t a;
	char *name, *mod;

	(void)state;
	assert_int_equal(ksyms_parse_line(l1, &a, &name, &mod), 1);
	assert_true(a == 0xffffffff81001000ULL);
	assert_string_equal(name, "do_syscall_64");
	assert_null(mod);
	assert_int_equal(ksyms_parse_line(l2, &a, &name, &mod), 1);
	assert_string_equal(name, "ext4_read");
	assert_non_null(mod);
	assert_string_equal(mod, "ext4");
	assert_int_equal(ksyms_parse_line(l3, &a, &name, &mod), 0); /* data */
	assert_int_equal(ksyms_parse_line(l4, &a, &name, &mod), 0); /* kptr_restrict */
	assert_int_equal(ksyms_parse_line(l5, &a, &name, &mod), 0);
}

static void test_load_keeps_text_sorted(void **state)
{
	struct ksyms k;
	size_t i;

	(void)state;
	load(&k, kallsyms);
	assert_int_equal(k.n, 6);
	for (i = 1; i < k.n; i++)
		assert_true(ksym_addr(&k, &k.syms[i - 1]) <= ksym_addr(&k, &k.syms[i]));
	ksyms_free(&k);
}

static void test_find(void **state)
{
	struct ksyms k;
	const struct ksym *s;

	(void)state;
	load(&k, kallsyms);
	assert_null(ksyms_find(&k, 0xffffffff80ffffffULL));
	s = ksyms_find(&k, 0xffffffff81000000ULL);
	assert_non_null(s);
	assert_string_equal(ksym_name(&k, s), "_stext");
	assert_null(ksym_module(&k, s)); /* the core kernel's */
	s = ksyms_find(&k, 0xffffffff81001fffULL);
	assert_string_equal(ksym_name(&k, s), "do_syscall_64");
	s = ksyms_find(&k, 0xffffffff81002010ULL);
	assert_string_equal(ksym_name(&k, s), "local_helper");
	s = ksyms_find(&k, 0xffffffff81003000ULL);
	assert_string_equal(ksym_name(&k, s), "weak_fn");
	s = ksyms_find(&k, 0xffffffffc0100042ULL);
	assert_string_equal(ksym_name(&k, s), "ext4_read");
	assert_string_equal(ksym_module(&k, s), "ext4");
	s = ksyms_find(&k, 0xffffffffc00000ffULL);
	assert_string_equal(ksym_name(&k, s), "first_mod_fn");
	assert_string_equal(ksym_module(&k, s), "xfs");
	ksyms_free(&k);
}

/* a "__pfx_" padding symbol and its function share their name's text */
static void test_pfx_shares_text(void **state)
{
	static const char *text =
		"ffffffff81000ff0 t __pfx_do_syscall_64\n"
		"ffffffff81001000 T do_syscall_64\n"
		"ffffffff81001ff0 t __pfx_other\n"
		"ffffffff81002000 t not_other\n"
		"ffffffffc0000ff0 t __pfx_mod_fn\t[xfs]\n"
		"ffffffffc0001000 t mod_fn\t[ext4]\n"
		"ffffffffc0001ff0 t __pfx_xfs_fn\t[xfs]\n"
		"ffffffffc0002000 t xfs_fn\t[xfs]\n";
	struct ksyms k;
	const struct ksym *s;

	(void)state;
	load(&k, text);
	assert_int_equal(k.n, 8);
	s = ksyms_find(&k, 0xffffffff81000ff8ULL);
	assert_string_equal(ksym_name(&k, s), "__pfx_do_syscall_64");
	s = ksyms_find(&k, 0xffffffff81001008ULL);
	assert_string_equal(ksym_name(&k, s), "do_syscall_64");
	assert_null(ksym_module(&k, s));
	s = ksyms_find(&k, 0xffffffff81001ff0ULL);
	assert_string_equal(ksym_name(&k, s), "__pfx_other");
	s = ksyms_find(&k, 0xffffffff81002000ULL);
	assert_string_equal(ksym_name(&k, s), "not_other");
	/* the same name in another module is not shared */
	s = ksyms_find(&k, 0xffffffffc0001000ULL);
	assert_string_equal(ksym_name(&k, s), "mod_fn");
	assert_string_equal(ksym_module(&k, s), "ext4");
	s = ksyms_find(&k, 0xffffffffc0002000ULL);
	assert_string_equal(ksym_name(&k, s), "xfs_fn");
	assert_string_equal(ksym_module(&k, s), "xfs");
	/* text: the three "__pfx_" names, not_other, mod_fn, the two modules;
	 * do_syscall_64 and xfs_fn are tails of their "__pfx_" names */
	assert_int_equal(k.len, sizeof("__pfx_do_syscall_64") + sizeof("__pfx_other") +
				sizeof("not_other") + sizeof("xfs") + sizeof("__pfx_mod_fn") +
				sizeof("ext4") + sizeof("mod_fn") + sizeof("xfs") +
				sizeof("__pfx_xfs_fn"));
	ksyms_free(&k);
}

/* segments: a new one where the module changes or past 4 GiB from the
 * base; lookups across and between them */
static void test_segments(void **state)
{
	static const char *text =
		"0000000100000000 T low\n"
		"0000000100000100 T low2\n"
		"0000000600000000 T far\n"          /* 5 GiB above: a segment of its own */
		"0000000600000010 t in_mod\t[m1]\n"
		"0000000600000020 t in_mod2\t[m1]\n"
		"0000000600000030 T core_again\n";
	struct ksyms k;
	size_t i;

	(void)state;
	load(&k, text);
	assert_int_equal(k.n, 6);
	assert_int_equal(k.nsegs, 4);
	assert_string_equal(ksym_name(&k, ksyms_find(&k, 0x100000050ULL)), "low");
	/* in the 5-GiB gap: the nearest below, the lower segment's last */
	assert_string_equal(ksym_name(&k, ksyms_find(&k, 0x3ffffffffULL)), "low2");
	assert_string_equal(ksym_name(&k, ksyms_find(&k, 0x600000008ULL)), "far");
	assert_null(ksym_module(&k, ksyms_find(&k, 0x600000008ULL)));
	assert_string_equal(ksym_name(&k, ksyms_find(&k, 0x600000028ULL)), "in_mod2");
	assert_string_equal(ksym_module(&k, ksyms_find(&k, 0x600000028ULL)), "m1");
	assert_string_equal(ksym_name(&k, ksyms_find(&k, UINT64_MAX)), "core_again");
	assert_null(ksym_module(&k, ksyms_find(&k, UINT64_MAX)));
	assert_true(ksym_addr(&k, ksyms_find(&k, 0x600000031ULL)) == 0x600000030ULL);
	for (i = 0; i < k.n; i++)
		assert_ptr_equal(ksyms_find(&k, ksym_addr(&k, &k.syms[i])), &k.syms[i]);
	ksyms_free(&k);
}

/* random symbols at distinct addresses (shuffled, some in modules): each
 * lookup names the nearest at or below, as a linear search does */
static void test_find_matches_linear_search(void **state)
{
	enum { N = 3000 };
	static uint64_t addr[N];
	char *text = malloc((size_t)N * 64), *p = text;
	struct ksyms k;
	uint64_t x = 88172645463325252ULL;
	size_t i, j, best;

	(void)state;
	assert_non_null(text);
	for (i = 0; i < N; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		/* distinct: the index in the low bits; a few GiB of spread */
		addr[i] = 0xffff000000000000ULL + ((x % (1ULL << 34)) & ~0xfffULL) + i;
		p += sprintf(p, "%016llx t s%zu%s\n", (unsigned long long)addr[i], i,
			     x % 5 == 0 ? "\t[mod]" : "");
	}
	load(&k, text);
	assert_int_equal(k.n, N);
	for (j = 0; j < 4 * N; j++) {
		uint64_t q;
		char want[32];

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		q = j % 2 ? addr[x % N] + (x >> 40) % 4096 : 0xffff000000000000ULL + x % (1ULL << 34);
		for (i = 0, best = N; i < N; i++)
			if (addr[i] <= q && (best == N || addr[i] > addr[best]))
				best = i;
		if (best == N) {
			assert_null(ksyms_find(&k, q));
			continue;
		}
		snprintf(want, sizeof(want), "s%zu", best);
		assert_string_equal(ksym_name(&k, ksyms_find(&k, q)), want);
	}
	ksyms_free(&k);
	free(text);
}

static void test_empty(void **state)
{
	struct ksyms k;

	(void)state;
	load(&k, "");
	assert_int_equal(k.n, 0);
	assert_null(ksyms_find(&k, 0xffffffff81000000ULL));
	ksyms_free(&k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_line),
		cmocka_unit_test(test_load_keeps_text_sorted),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_pfx_shares_text),
		cmocka_unit_test(test_segments),
		cmocka_unit_test(test_find_matches_linear_search),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
