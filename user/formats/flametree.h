/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stacks merged into a tree, as a flame graph draws them: node 0 is the root
 * ("all"), each stack adds its weight to every node on its path, children
 * are sorted by name (as flamegraph.pl orders them), and nodes too narrow to
 * draw can be pruned while their weight stays in their parent's total.
 * A differential tree carries a second weight per node, the baseline's:
 * the widths stay the current profile's (value), base says what it was.
 */
#ifndef PP_FLAMETREE_H
#define PP_FLAMETREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct stackset;

enum ft_kind {
	FT_USER = 0,
	FT_KERNEL,
	FT_UNKNOWN, /* a frame with no name */
	FT_JIT,     /* named from a perf map file */
	FT_COMM,    /* the thread's name, the root of its stacks */
	FT_ROOT,    /* node 0 */
};

struct ft_node {
	uint32_t name;   /* index into flametree.names */
	uint32_t parent; /* node 0 is its own parent */
	uint32_t depth;  /* 0 for the root */
	uint32_t child;  /* after ft_finish: its children are kids[child .. child + nchild) */
	uint32_t nchild;
	uint8_t kind;    /* enum ft_kind */
	bool pruned;     /* by ft_prune: too narrow, not drawn (nor its descendants) */
	uint64_t value;  /* weight of the stacks through this node */
	uint64_t self;   /* weight of the stacks ending here */
	uint64_t base;   /* differential: the baseline's weight through this node */
};

struct flametree {
	struct ft_node *n;
	size_t nn, capn;
	char **names;
	size_t nnames, capnames;
	uint32_t *ntab;  /* name interning: open addressing over names */
	size_t ntabsize;
	uint32_t *ctab;  /* (parent, name) -> child, open addressing */
	size_t ctabsize;
	uint32_t *kids;  /* after ft_finish */
	uint32_t maxdepth;
	uint64_t pruned_value; /* weight of the pruned subtrees (their tops) */
	size_t pruned_nodes;   /* nodes pruned, all of them */
};

/* An empty tree: the root, named "all". Returns 0 or -1 on no memory. */
int ft_init(struct flametree *t);

/* Add a stack: n frames, root first, with their kinds (NULL: all FT_USER).
 * Equal names under one parent are one node (the first kind stays).
 * Returns 0 or -1 on no memory. */
int ft_add(struct flametree *t, const char *const *names, const uint8_t *kinds, size_t n,
	   uint64_t weight);

/* Add a stack of the baseline profile: its weight goes to base, value
 * stays (a node only in the baseline has value 0). */
int ft_add_baseline(struct flametree *t, const char *const *names, const uint8_t *kinds, size_t n,
		    uint64_t weight);

/* Sort every node's children by name (byte order). Call after the last
 * ft_add. Returns 0 or -1 on no memory. */
int ft_finish(struct flametree *t);

/* Mark nodes whose value is below min_value as pruned (with everything
 * under them); their weight stays in their parents' values and is counted
 * in pruned_value. Call after ft_finish. */
void ft_prune(struct flametree *t, uint64_t min_value);

/* The node at the end of a path of names from the root (the root itself
 * for n == 0), or -1. */
int64_t ft_find(const struct flametree *t, const char *const *path, size_t n);

static inline const char *ft_name(const struct flametree *t, const struct ft_node *n)
{
	return t->names[n->name];
}

/* Trees from profiles (flametree_load.c). */

/* A stack set as a tree: each stack under a node named after its comm,
 * frames labelled as in the folded output, weights ss_weight. Calls
 * ft_finish. Returns 0 or -1. */
int ft_from_stackset(struct flametree *t, const struct stackset *ss);

/* The kind of a stack set frame: kernel, unknown, JIT (its file is a perf
 * map, /tmp/perf-PID.map, or "[jit]") or user. */
struct ss_frame;
enum ft_kind ft_frame_kind(const struct ss_frame *f);

/* The kind of a frame of a folded stack, from its label: kernel when it
 * ends in "_[k]", unknown when it is "[unknown]" or "[unknown] (file)",
 * user otherwise (the label does not tell JIT code apart). */
enum ft_kind ft_label_kind(const char *label);

/*
 * Folded stacks as a tree (t from ft_init): the first frame of each stack
 * is the thread's name (FT_COMM), an empty frame "[unknown]". The weights
 * are cur's; base, when not NULL, gives each node its baseline weight for
 * a differential graph. Calls ft_finish. Returns 0 or -1 on no memory.
 */
struct folded;
int ft_from_folded(struct flametree *t, const struct folded *cur, const struct folded *base);

void ft_free(struct flametree *t);

#endif
