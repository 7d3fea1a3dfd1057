// SPDX-License-Identifier: GPL-2.0
/* Stacks merged into a flame graph's tree (see flametree.h). */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include "formats/flametree.h"
#include "profile/strhash.h"

#define EMPTY UINT32_MAX

static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h;
}

static uint32_t *new_table(size_t size)
{
	uint32_t *t = malloc(size * sizeof(*t));
	size_t i;

	if (t)
		for (i = 0; i < size; i++)
			t[i] = EMPTY;
	return t;
}

static uint64_t child_hash(uint32_t parent, uint32_t name)
{
	return mix((uint64_t)parent << 32 | name);
}

static int grow_names(struct flametree *t)
{
	size_t size = t->ntabsize ? t->ntabsize * 2 : 1024, i, h;
	uint32_t *tab = new_table(size);

	if (!tab)
		return -1;
	for (i = 0; i < t->nnames; i++) {
		for (h = fnv1a(FNV1A_INIT, t->names[i]) & (size - 1); tab[h] != EMPTY; h = (h + 1) & (size - 1))
			;
		tab[h] = (uint32_t)i;
	}
	free(t->ntab);
	t->ntab = tab;
	t->ntabsize = size;
	return 0;
}

static int grow_children(struct flametree *t)
{
	size_t size = t->ctabsize ? t->ctabsize * 2 : 1024, i, h;
	uint32_t *tab = new_table(size);

	if (!tab)
		return -1;
	for (i = 1; i < t->nn; i++) {
		h = child_hash(t->n[i].parent, t->n[i].name) & (size - 1);
		while (tab[h] != EMPTY)
			h = (h + 1) & (size - 1);
		tab[h] = (uint32_t)i;
	}
	free(t->ctab);
	t->ctab = tab;
	t->ctabsize = size;
	return 0;
}

static int64_t intern(struct flametree *t, const char *name)
{
	size_t h;

	if ((t->nnames + 1) * 2 > t->ntabsize && grow_names(t))
		return -1;
	for (h = fnv1a(FNV1A_INIT, name) & (t->ntabsize - 1); t->ntab[h] != EMPTY; h = (h + 1) & (t->ntabsize - 1))
		if (!strcmp(t->names[t->ntab[h]], name))
			return t->ntab[h];
	if (t->nnames == t->capnames) {
		size_t cap = t->capnames ? t->capnames * 2 : 256;
		char **n = realloc(t->names, cap * sizeof(*n));

		if (!n)
			return -1;
		t->names = n;
		t->capnames = cap;
	}
	if (!(t->names[t->nnames] = strdup(name)))
		return -1;
	t->ntab[h] = (uint32_t)t->nnames;
	return (int64_t)t->nnames++;
}

/* A new node; -1 on no memory. */
static int64_t new_node(struct flametree *t, uint32_t parent, uint32_t name, uint8_t kind)
{
	struct ft_node *n;

	if (t->nn == t->capn) {
		size_t cap = t->capn ? t->capn * 2 : 1024;
		struct ft_node *nn = realloc(t->n, cap * sizeof(*nn));

		if (!nn)
			return -1;
		t->n = nn;
		t->capn = cap;
	}
	n = &t->n[t->nn];
	memset(n, 0, sizeof(*n));
	n->name = name;
	n->parent = parent;
	n->depth = t->nn ? t->n[parent].depth + 1 : 0;
	n->kind = kind;
	if (n->depth > t->maxdepth)
		t->maxdepth = n->depth;
	return (int64_t)t->nn++;
}

int ft_init(struct flametree *t)
{
	int64_t name;

	memset(t, 0, sizeof(*t));
	if ((name = intern(t, "all")) < 0 || new_node(t, 0, (uint32_t)name, FT_ROOT) < 0) {
		ft_free(t);
		return -1;
	}
	return 0;
}

/* The child of parent named name, made when missing; -1 on no memory. */
static int64_t child(struct flametree *t, uint32_t parent, const char *name, uint8_t kind)
{
	int64_t id = intern(t, name), c;
	size_t h;

	if (id < 0)
		return -1;
	if ((t->nn + 1) * 2 > t->ctabsize && grow_children(t))
		return -1;
	h = child_hash(parent, (uint32_t)id) & (t->ctabsize - 1);
	for (; t->ctab[h] != EMPTY; h = (h + 1) & (t->ctabsize - 1)) {
		const struct ft_node *n = &t->n[t->ctab[h]];

		if (n->parent == parent && n->name == (uint32_t)id)
			return t->ctab[h];
	}
	if ((c = new_node(t, parent, (uint32_t)id, kind)) < 0)
		return -1;
	t->ctab[h] = (uint32_t)c;
	return c;
}

static int add(struct flametree *t, const char *const *names, const uint8_t *kinds, size_t n,
	       uint64_t weight, bool baseline)
{
	uint32_t node = 0;
	size_t i;
	int64_t c;

	for (i = 0; i < n; i++) {
		if ((c = child(t, node, names[i] ? names[i] : "[unknown]", kinds ? kinds[i] : FT_USER)) < 0)
			return -1;
		node = (uint32_t)c;
	}
	/* walk back up: every node on the path carries the weight */
	if (!baseline)
		t->n[node].self += weight;
	for (;;) {
		if (baseline)
			t->n[node].base += weight;
		else
			t->n[node].value += weight;
		if (!node)
			break;
		node = t->n[node].parent;
	}
	return 0;
}

int ft_add(struct flametree *t, const char *const *names, const uint8_t *kinds, size_t n,
	   uint64_t weight)
{
	return add(t, names, kinds, n, weight, false);
}

int ft_add_baseline(struct flametree *t, const char *const *names, const uint8_t *kinds, size_t n,
		    uint64_t weight)
{
	return add(t, names, kinds, n, weight, true);
}

static int cmp_kids(const void *a, const void *b, void *arg)
{
	const struct flametree *t = arg;
	const struct ft_node *x = &t->n[*(const uint32_t *)a], *y = &t->n[*(const uint32_t *)b];

	if (x->parent != y->parent)
		return x->parent < y->parent ? -1 : 1;
	return strcmp(t->names[x->name], t->names[y->name]);
}

int ft_finish(struct flametree *t)
{
	size_t i;

	free(t->kids);
	t->kids = malloc((t->nn ? t->nn : 1) * sizeof(*t->kids));
	if (!t->kids)
		return -1;
	for (i = 1; i < t->nn; i++)
		t->kids[i - 1] = (uint32_t)i;
	qsort_r(t->kids, t->nn - 1, sizeof(*t->kids), cmp_kids, t);
	for (i = 0; i < t->nn; i++)
		t->n[i].nchild = 0;
	for (i = 0; i + 1 < t->nn; i++) {
		struct ft_node *p = &t->n[t->n[t->kids[i]].parent];

		if (!p->nchild++)
			p->child = (uint32_t)i;
	}
	return 0;
}

void ft_prune(struct flametree *t, uint64_t min_value)
{
	size_t i;

	t->pruned_value = 0;
	t->pruned_nodes = 0;
	/* parents come before their children in node order */
	for (i = 1; i < t->nn; i++) {
		struct ft_node *n = &t->n[i];
		bool parent_pruned = t->n[n->parent].pruned;

		n->pruned = parent_pruned || n->value < min_value;
		if (!n->pruned)
			continue;
		t->pruned_nodes++;
		if (!parent_pruned)
			t->pruned_value += n->value;
	}
}

int64_t ft_find(const struct flametree *t, const char *const *path, size_t n)
{
	uint32_t node = 0, i, k;
	size_t d;

	for (d = 0; d < n; d++) {
		const struct ft_node *p = &t->n[node];

		for (i = 0, k = EMPTY; i < p->nchild; i++) {
			uint32_t c = t->kids[p->child + i];

			if (!strcmp(t->names[t->n[c].name], path[d])) {
				k = c;
				break;
			}
		}
		if (k == EMPTY)
			return -1;
		node = k;
	}
	return node;
}

void ft_free(struct flametree *t)
{
	size_t i;

	for (i = 0; i < t->nnames; i++)
		free(t->names[i]);
	free(t->names);
	free(t->n);
	free(t->ntab);
	free(t->ctab);
	free(t->kids);
	memset(t, 0, sizeof(*t));
}
