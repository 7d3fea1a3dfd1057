// SPDX-License-Identifier: GPL-2.0
/* flametree.c: merging stacks, sorted children, pruning. */
#include <stdlib.h>
#include "unit.h"
#include "formats/flametree.h"
#include "formats/folded.h"
#include "profile/stackset.h"

#define PATH(...) ((const char *const[]){ __VA_ARGS__ }), \
	(sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *))

static void add(struct flametree *t, const char *const *names, size_t n, uint64_t w)
{
	assert_int_equal(ft_add(t, names, NULL, n, w), 0);
}

static const struct ft_node *node(const struct flametree *t, const char *const *path, size_t n)
{
	int64_t id = ft_find(t, path, n);

	if (id < 0)
		fail_msg("no node at %s... (%zu deep)", n ? path[0] : "", n);
	return &t->n[id];
}

static void build(struct flametree *t)
{
	assert_int_equal(ft_init(t), 0);
	add(t, PATH("x"), 4);
	add(t, PATH("a", "b", "c"), 3);
	add(t, PATH("a", "b"), 2);
	add(t, PATH("a", "d"), 1);
	add(t, PATH("a", "b", "c"), 0);
	assert_int_equal(ft_finish(t), 0);
}

static void test_merge(void **state)
{
	struct flametree t;

	(void)state;
	build(&t);
	assert_int_equal(t.nn, 6); /* all, x, a, b, c, d */
	assert_string_equal(ft_name(&t, &t.n[0]), "all");
	assert_int_equal(t.n[0].value, 10);
	assert_int_equal(t.n[0].self, 0);
	assert_int_equal(node(&t, PATH("a"))->value, 6);
	assert_int_equal(node(&t, PATH("a"))->self, 0);
	assert_int_equal(node(&t, PATH("a", "b"))->value, 5);
	assert_int_equal(node(&t, PATH("a", "b"))->self, 2);
	assert_int_equal(node(&t, PATH("a", "b", "c"))->value, 3);
	assert_int_equal(node(&t, PATH("a", "b", "c"))->depth, 3);
	assert_int_equal(node(&t, PATH("a", "d"))->value, 1);
	assert_int_equal(node(&t, PATH("x"))->self, 4);
	assert_int_equal(t.maxdepth, 3);
	assert_int_equal(ft_find(&t, PATH("b")), -1); /* only under a */
	assert_int_equal(ft_find(&t, NULL, 0), 0);
	ft_free(&t);
}

/* the same name under two parents is two nodes; one name once per parent */
static void test_same_name(void **state)
{
	struct flametree t;

	(void)state;
	assert_int_equal(ft_init(&t), 0);
	add(&t, PATH("main", "f", "f"), 2);
	add(&t, PATH("main", "g", "f"), 5);
	add(&t, PATH("main", "f"), 1);
	assert_int_equal(ft_finish(&t), 0);
	assert_int_equal(t.nn, 6); /* all main f f g f */
	assert_int_equal(node(&t, PATH("main", "f"))->value, 3);
	assert_int_equal(node(&t, PATH("main", "f", "f"))->value, 2);
	assert_int_equal(node(&t, PATH("main", "g", "f"))->value, 5);
	assert_int_equal(t.nnames, 4); /* all main f g */
	ft_free(&t);
}

static void test_sorted(void **state)
{
	struct flametree t;
	const struct ft_node *r;

	(void)state;
	assert_int_equal(ft_init(&t), 0);
	add(&t, PATH("b"), 1);
	add(&t, PATH("a", "z"), 1);
	add(&t, PATH("C"), 1);
	add(&t, PATH("a", "m"), 1);
	add(&t, PATH("_x"), 1);
	assert_int_equal(ft_finish(&t), 0);
	r = &t.n[0];
	assert_int_equal(r->nchild, 4);
	/* byte order, as flamegraph.pl sorts the folded lines */
	assert_string_equal(ft_name(&t, &t.n[t.kids[r->child + 0]]), "C");
	assert_string_equal(ft_name(&t, &t.n[t.kids[r->child + 1]]), "_x");
	assert_string_equal(ft_name(&t, &t.n[t.kids[r->child + 2]]), "a");
	assert_string_equal(ft_name(&t, &t.n[t.kids[r->child + 3]]), "b");
	r = node(&t, PATH("a"));
	assert_int_equal(r->nchild, 2);
	assert_string_equal(ft_name(&t, &t.n[t.kids[r->child]]), "m");
	assert_string_equal(ft_name(&t, &t.n[t.kids[r->child + 1]]), "z");
	ft_free(&t);
}

static void test_prune(void **state)
{
	struct flametree t;

	(void)state;
	build(&t);
	ft_prune(&t, 2);
	assert_true(node(&t, PATH("a", "d"))->pruned);
	assert_false(node(&t, PATH("a", "b", "c"))->pruned);
	assert_int_equal(t.pruned_nodes, 1);
	assert_int_equal(t.pruned_value, 1);
	/* the parent keeps the pruned weight */
	assert_int_equal(node(&t, PATH("a"))->value, 6);

	ft_prune(&t, 4);
	assert_true(node(&t, PATH("a", "b", "c"))->pruned);
	assert_false(node(&t, PATH("a", "b"))->pruned);
	assert_int_equal(t.pruned_nodes, 2);
	assert_int_equal(t.pruned_value, 4);

	/* a pruned subtree counts its top once, and every node in it */
	ft_prune(&t, 6);
	assert_false(node(&t, PATH("a"))->pruned);
	assert_true(node(&t, PATH("a", "b"))->pruned);
	assert_true(node(&t, PATH("x"))->pruned);
	assert_int_equal(t.pruned_nodes, 4);    /* x b c d */
	assert_int_equal(t.pruned_value, 10);   /* x 4 + b 5 + d 1 */

	ft_prune(&t, 0);
	assert_int_equal(t.pruned_nodes, 0);
	assert_int_equal(t.pruned_value, 0);
	ft_free(&t);
}

/* Random stacks: every node's value is its self plus its children's. */
static void test_random_sums(void **state)
{
	static const char *const names[] = { "a", "b", "c", "d", "e", "f" };
	struct flametree t;
	uint64_t seed = 42, total = 0, sum;
	const char *path[12];
	size_t i, j, n;

	(void)state;
	assert_int_equal(ft_init(&t), 0);
	for (i = 0; i < 5000; i++) {
		uint64_t w = unit_rand(&seed) % 100;

		n = unit_rand(&seed) % 12;
		for (j = 0; j < n; j++)
			path[j] = names[unit_rand(&seed) % 6];
		add(&t, path, n, w);
		total += w;
	}
	assert_int_equal(ft_finish(&t), 0);
	assert_int_equal(t.n[0].value, total);
	for (i = 0; i < t.nn; i++) {
		const struct ft_node *p = &t.n[i];

		sum = p->self;
		for (j = 0; j < p->nchild; j++) {
			const struct ft_node *c = &t.n[t.kids[p->child + j]];

			assert_int_equal(c->parent, i);
			assert_int_equal(c->depth, p->depth + 1);
			if (j)
				assert_true(strcmp(ft_name(&t, &t.n[t.kids[p->child + j - 1]]),
						   ft_name(&t, c)) < 0);
			sum += c->value;
		}
		assert_int_equal(sum, p->value);
	}
	ft_free(&t);
}

static void test_from_stackset(void **state)
{
	struct stackset ss;
	struct flametree t;
	uint32_t f[5];
	const struct ft_node *n;

	(void)state;
	ss_init(&ss, SS_OFFCPU, 0);
	f[0] = (uint32_t)ss_frame(&ss, "main", "/bin/prog", NULL, 1, 1, false);
	f[1] = (uint32_t)ss_frame(&ss, "LazyCompile:foo", "/tmp/perf-77.map", NULL, 2, 0, false);
	f[2] = (uint32_t)ss_frame(&ss, "[unknown]", "/lib/libc.so.6", NULL, 3, 3, false);
	f[3] = (uint32_t)ss_frame(&ss, "schedule", "[kernel]", NULL, 4, 0, true);
	f[4] = (uint32_t)ss_frame(&ss, "[unknown]", NULL, NULL, 0, 0, false);
	assert_int_equal(ss_add(&ss, 1, "node", f, 4, 2, 3000000), 0);  /* 3000 us */
	assert_int_equal(ss_add(&ss, 2, "node", f, 2, 1, 500000), 0);   /* 500 us */
	assert_int_equal(ss_add(&ss, 3, "", f + 4, 1, 1, 1000), 0);
	assert_int_equal(ft_init(&t), 0);
	assert_int_equal(ft_from_stackset(&t, &ss), 0);
	/* off-CPU weights are microseconds */
	assert_int_equal(t.n[0].value, 3501);
	n = node(&t, PATH("node", "main", "LazyCompile:foo", "[unknown] (libc.so.6)", "schedule_[k]"));
	assert_int_equal(n->value, 3000);
	assert_int_equal(n->kind, FT_KERNEL);
	assert_int_equal(node(&t, PATH("node"))->kind, FT_COMM);
	assert_int_equal(node(&t, PATH("node"))->value, 3500);
	assert_int_equal(node(&t, PATH("node", "main"))->kind, FT_USER);
	assert_int_equal(node(&t, PATH("node", "main", "LazyCompile:foo"))->kind, FT_JIT);
	assert_int_equal(node(&t, PATH("node", "main", "LazyCompile:foo"))->self, 500);
	assert_int_equal(node(&t, PATH("node", "main", "LazyCompile:foo", "[unknown] (libc.so.6)"))->kind,
			 FT_UNKNOWN);
	assert_int_equal(node(&t, PATH("[unknown]", "[unknown]"))->value, 1);
	assert_int_equal(t.n[0].kind, FT_ROOT);
	ft_free(&t);
	ss_free(&ss);
}

/* the kinds of folded frames, from their labels */
static void test_label_kind(void **state)
{
	(void)state;
	assert_int_equal(ft_label_kind("schedule_[k]"), FT_KERNEL);
	assert_int_equal(ft_label_kind("_[k]"), FT_USER);
	assert_int_equal(ft_label_kind("[unknown]"), FT_UNKNOWN);
	assert_int_equal(ft_label_kind("[unknown] (libc.so.6)"), FT_UNKNOWN);
	assert_int_equal(ft_label_kind("[unknown]x"), FT_USER);
	assert_int_equal(ft_label_kind("main"), FT_USER);
}

/* a stack set and its folded text make the same tree (but for JIT frames,
 * which the folded labels do not tell apart) */
static void test_folded_same_tree(void **state)
{
	struct stackset ss;
	struct flametree a, b;
	struct folded f = {0};
	uint32_t fr[4];
	size_t i;

	(void)state;
	ss_init(&ss, SS_ONCPU, 99);
	fr[0] = (uint32_t)ss_frame(&ss, "main", "/bin/prog", NULL, 1, 1, false);
	fr[1] = (uint32_t)ss_frame(&ss, "[unknown]", "/lib/libc.so.6", NULL, 3, 3, false);
	fr[2] = (uint32_t)ss_frame(&ss, "do_syscall_64", "[kernel]", NULL, 4, 0, true);
	fr[3] = (uint32_t)ss_frame(&ss, "work", "/bin/prog", NULL, 5, 5, false);
	assert_int_equal(ss_add(&ss, 1, "prog", fr, 3, 7, 0), 0);
	assert_int_equal(ss_add(&ss, 1, "prog", fr, 1, 2, 0), 0);
	assert_int_equal(ss_add(&ss, 2, "other", fr + 3, 1, 5, 0), 0);
	assert_int_equal(ss_add(&ss, 2, "prog", fr, 3, 1, 0), 0);
	assert_int_equal(folded_from_stackset(&ss, &f), 0);
	assert_int_equal(ft_init(&a), 0);
	assert_int_equal(ft_from_stackset(&a, &ss), 0);
	assert_int_equal(ft_init(&b), 0);
	assert_int_equal(ft_from_folded(&b, &f, NULL), 0);
	assert_int_equal(a.nn, b.nn);
	assert_int_equal(b.n[0].value, 15);
	for (i = 0; i < a.nn; i++) {
		const char *path[8];
		const struct ft_node *x = &a.n[i], *y;
		uint32_t k = (uint32_t)i, d = x->depth;
		int64_t id;

		assert_true(d < 8);
		for (; k; k = a.n[k].parent)
			path[--d] = ft_name(&a, &a.n[k]);
		id = ft_find(&b, path, x->depth);
		assert_true(id >= 0);
		y = &b.n[id];
		assert_string_equal(ft_name(&a, x), ft_name(&b, y));
		assert_int_equal(x->value, y->value);
		assert_int_equal(x->self, y->self);
		assert_int_equal(x->kind, y->kind);
		assert_int_equal(x->nchild, y->nchild);
		assert_int_equal(y->base, 0);
	}
	assert_int_equal(node(&b, PATH("prog", "main", "[unknown] (libc.so.6)", "do_syscall_64_[k]"))->kind,
			 FT_KERNEL);
	assert_int_equal(node(&b, PATH("other"))->kind, FT_COMM);
	ft_free(&a);
	ft_free(&b);
	folded_free(&f);
	ss_free(&ss);
}

/* a differential tree: widths from the current profile, the baseline's
 * weights beside them; a frame only in the baseline has no width */
static void test_folded_baseline(void **state)
{
	struct folded cur, base;
	struct flametree t;

	(void)state;
	assert_int_equal(folded_parse("app;main;b 30\napp;main;c 30\napp;;d_[k] 2\n", &cur, NULL), 0);
	assert_int_equal(folded_parse("app;main;a 15\napp;main;b 30\n", &base, NULL), 0);
	assert_int_equal(ft_init(&t), 0);
	assert_int_equal(ft_from_folded(&t, &cur, &base), 0);
	assert_int_equal(t.n[0].value, 62);
	assert_int_equal(t.n[0].base, 45);
	assert_int_equal(node(&t, PATH("app", "main"))->value, 60);
	assert_int_equal(node(&t, PATH("app", "main"))->base, 45);
	assert_int_equal(node(&t, PATH("app", "main", "a"))->value, 0);
	assert_int_equal(node(&t, PATH("app", "main", "a"))->base, 15);
	assert_int_equal(node(&t, PATH("app", "main", "a"))->self, 0);
	assert_int_equal(node(&t, PATH("app", "main", "b"))->base, 30);
	assert_int_equal(node(&t, PATH("app", "main", "b"))->self, 30);
	assert_int_equal(node(&t, PATH("app", "main", "c"))->base, 0);
	/* an empty frame is an unknown one */
	assert_int_equal(node(&t, PATH("app", "[unknown]"))->kind, FT_UNKNOWN);
	assert_int_equal(node(&t, PATH("app", "[unknown]", "d_[k]"))->kind, FT_KERNEL);
	/* the baseline-only frame falls under any pruning threshold */
	ft_prune(&t, 1);
	assert_true(node(&t, PATH("app", "main", "a"))->pruned);
	assert_false(node(&t, PATH("app", "main", "c"))->pruned);
	ft_free(&t);
	folded_free(&cur);
	folded_free(&base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_same_name),
		cmocka_unit_test(test_sorted),
		cmocka_unit_test(test_prune),
		cmocka_unit_test(test_random_sums),
		cmocka_unit_test(test_from_stackset),
		cmocka_unit_test(test_label_kind),
		cmocka_unit_test(test_folded_same_tree),
		cmocka_unit_test(test_folded_baseline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
