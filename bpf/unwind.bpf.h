/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the profilers: the current task's user stack walked in the
 * kernel (x86-64), with the unwind tables user space built from each
 * binary's .eh_frame (user/unwind/) where its mapping has one, and with
 * frame pointers where it has none (JIT code, a binary without unwind
 * information, a process not read yet) or where its table has no row for
 * the address (code built without unwind tables), as libdw does. The stack
 * goes to the `ustacks` hash map under a hash of its addresses (compared on
 * a match: two stacks never share a key), for the same symbolization as
 * the kernel's stacks.
 *
 * Bounded for the verifier: bpf_loop over at most unwind_depth frames, a
 * binary search of at most PP_UNWIND_MAP_STEPS steps over the process's
 * mappings (skipped while frames stay in one mapping) and of
 * PP_UNWIND_ROW_STEPS over the few rows the table's index gives for the
 * address (a bucket holds about 4), the walk's state in a per-CPU array,
 * with the rows found last on that CPU (a direct-mapped cache by address:
 * the frames of the hot stacks come back sample after sample).
 * Stack memory is read with bpf_probe_read_user, a window of
 * UW_STACK_WORDS words at a time (most frames are a few words: one read
 * for many frames, not one or two per frame); a page that is not resident
 * ends the walk there.
 */
#ifndef PP_UNWIND_BPF_H
#define PP_UNWIND_BPF_H

/* Set by the loader before load: walk user stacks here (else the kernel's
 * frame-pointer walk of bpf_get_stackid), and how deep. */
const volatile bool unwind_dwarf = false;
const volatile __u32 unwind_depth = PP_STACK_DEPTH;

/* The indexes and rows of every loaded table (sized by user space: the
 * memory limit), written by user space straight into the map's memory. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pp_unwind_row);
} unwind_rows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PP_UNWIND_TABLES_MAX);
	__type(key, __u32);
	__type(value, struct pp_unwind_table);
} unwind_tables SEC(".maps");

/* The binaries whose tables walks asked for (PP_UNWIND_WANT), read by
 * user space in the map's memory. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, PP_UNWIND_WANT_MAX);
	__type(key, __u32);
	__type(value, __u64); /* 8 bytes: a mapped array's stride */
} unwind_want SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PP_UNWIND_PROCS_DEFAULT);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct pp_unwind_proc);
} unwind_procs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PP_PROF_STACKS_DEFAULT);
	__type(key, __u32);
	__type(value, struct pp_ustack);
} ustacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PP_UW_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} unwind_cnt SEC(".maps");

#define UW_STACK_WORDS 128 /* the window of stack read at once: 1 KiB */
/* A table's last_used is written again once it is this old (ns): user
 * space only needs it to evict the least recently used table. */
#define UW_USED_NS (64ULL << 20)

/* A row found before, for the address it was found for (in the table of
 * one load of one binary: gen, unique to it). */
struct uw_rc {
	__u32 vaddr;
	__u32 gen;
	struct pp_unwind_row row;
};

#define UW_RC_SLOTS 512 /* per CPU: 8 KiB */

struct walk {
	__u64 ip, sp, bp;
	__u64 win_lo;  /* the window holds the words at [win_lo, win_lo + 8 * win_n) */
	__u32 win_n;
	__u32 pad;
	__u64 win[UW_STACK_WORDS];
	__u64 hash;
	__u64 now;
	__u32 n;      /* addresses stored */
	__u32 exact;  /* ip is where the frame was stopped, not a return address */
	__u32 frames_table, frames_fp; /* counted once the walk ends */
	__u32 wanted;                  /* frames in a binary whose table is not built yet */
	__u32 clean;  /* stack.ips[k] is 0 for every k >= clean (not cleared per walk:
		       * only what the walk before left past this one's end) */
	struct pp_ustack stack;
	/* the rows the walks on this CPU found last, direct-mapped by address:
	 * a hot stack's frames are the same sample after sample, and a hit
	 * skips the index's bucket and the search of its rows */
	struct uw_rc rc[UW_RC_SLOTS];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct walk);
} unwind_scratch SEC(".maps");

/* What the bpf_loop callback gets (on the caller's stack). */
struct walk_ctx {
	struct walk *w;
	struct pp_unwind_proc *proc; /* the process's mappings, or NULL */
	__u32 last;                  /* the mapping of the frame before (its index) */
};

static __always_inline void uw_count(__u32 which)
{
	percpu_inc(&unwind_cnt, which);
}

static __always_inline void uw_count_n(__u32 which, __u32 n)
{
	__u64 *v;

	if (!n)
		return;
	v = bpf_map_lookup_elem(&unwind_cnt, &which);
	if (v)
		*v += n; /* per-CPU slot: no atomic needed */
}

/* A binary search's state, on the caller's stack: the answer is in
 * [lo, hi). Each search runs in bpf_loop, so that the verifier checks one
 * step rather than every path through all of them. */
struct search {
	__u64 key;
	__u32 lo, hi;
	__u32 first; /* rows: the table's first row */
	__u32 found; /* mappings: the index that holds key, or -1 */
	struct pp_unwind_proc *proc;
};

static long map_step(__u32 i, void *vctx)
{
	struct search *s = vctx;
	__u32 mid = (s->lo + s->hi) / 2;
	struct pp_unwind_map *m;

	if (s->lo >= s->hi || mid >= PP_UNWIND_MAPS_MAX)
		return 1;
	m = &s->proc->maps[mid & (PP_UNWIND_MAPS_MAX - 1)]; /* the mask: for the verifier */
	if (s->key < m->start) {
		s->hi = mid;
	} else if (s->key >= m->end) {
		s->lo = mid + 1;
	} else {
		s->found = mid;
		return 1;
	}
	return 0;
}

/* The mapping holding addr, or NULL: the frame before's when it holds it
 * (the common case: a binary's functions call each other), else a binary
 * search. */
static __always_inline struct pp_unwind_map *uw_find_map(struct pp_unwind_proc *proc, __u64 addr,
							 __u32 *last)
{
	struct search s = { .key = addr, .hi = proc->n, .found = PP_UNWIND_MAPS_MAX, .proc = proc };
	struct pp_unwind_map *m = &proc->maps[*last & (PP_UNWIND_MAPS_MAX - 1)];
	__u32 k;

	if (*last < proc->n && addr >= m->start && addr < m->end)
		return m;
	bpf_loop(PP_UNWIND_MAP_STEPS, map_step, &s, 0);
	k = s.found;
	if (k >= PP_UNWIND_MAPS_MAX)
		return NULL;
	*last = k;
	return &proc->maps[k & (PP_UNWIND_MAPS_MAX - 1)];
}

/* Moves lo past the rows that start at or before the key. */
static long row_step(__u32 i, void *vctx)
{
	struct search *s = vctx;
	__u32 mid = (s->lo + s->hi) / 2, idx = s->first + mid;
	struct pp_unwind_row *r;

	if (s->lo >= s->hi)
		return 1;
	r = bpf_map_lookup_elem(&unwind_rows, &idx);
	if (!r)
		return 1;
	if (r->pc <= s->key)
		s->lo = mid + 1;
	else
		s->hi = mid;
	return s->lo >= s->hi; /* found: no call more to find it out */
}

/* The row of m's table for ELF address vaddr (the last one starting at or
 * before it), or NULL when the mapping's table is gone (evicted) or does
 * not reach back that far: the row cache's, else the index's bucket of
 * vaddr, then a binary search of its few rows (and the row cached). */
static __always_inline struct pp_unwind_row *uw_find_row(struct walk *w, struct pp_unwind_map *m,
							 __u64 vaddr)
{
	__u32 slot = m->table, idx;
	struct pp_unwind_table *t;
	struct search s = { .key = vaddr };
	struct pp_unwind_index *b;
	struct pp_unwind_row *r;
	struct uw_rc *e;
	__u64 k;

	if (slot & PP_UNWIND_WANT) { /* not built yet: ask for it */
		__u32 id = slot & ~PP_UNWIND_WANT;
		__u64 *want = bpf_map_lookup_elem(&unwind_want, &id);

		if (want && !*want)
			*want = 1;
		w->wanted++;
		return NULL;
	}
	t = bpf_map_lookup_elem(&unwind_tables, &slot);
	if (!t || t->gen != m->gen || !t->count || !t->nbuckets || vaddr > 0xffffffffULL ||
	    vaddr < t->base)
		return NULL;
	if (w->now - t->last_used > UW_USED_NS) /* shared by the CPUs: written seldom */
		t->last_used = w->now;
	e = &w->rc[(__u32)(vaddr ^ (vaddr >> 9) ^ (m->gen * 0x9e3779b1u)) & (UW_RC_SLOTS - 1)];
	if (e->vaddr == (__u32)vaddr && e->gen == m->gen) /* gen: never 0 */
		return &e->row;
	k = (vaddr - t->base) >> (t->shift & 31);
	if (k >= t->nbuckets)
		k = t->nbuckets - 1; /* the last bucket: all rows beyond */
	idx = t->first + (__u32)k;
	b = (struct pp_unwind_index *)bpf_map_lookup_elem(&unwind_rows, &idx);
	if (!b)
		return NULL;
	s.first = t->first + t->nbuckets + b->first;
	s.hi = b->n;
	bpf_loop(PP_UNWIND_ROW_STEPS, row_step, &s, 0);
	if (!s.lo)
		return NULL;
	idx = s.first + s.lo - 1;
	r = bpf_map_lookup_elem(&unwind_rows, &idx);
	if (r) {
		e->vaddr = (__u32)vaddr;
		e->gen = m->gen;
		e->row = *r;
	}
	return r;
}

/* The word of user memory at addr (8-byte aligned): from the window, else
 * the window read again from addr on (its size, else up to the end of
 * addr's page: the stack's top may be the end of its mapping). 0, or -1
 * when it cannot be read. */
static __always_inline int uw_word(struct walk *w, __u64 addr, __u64 *out)
{
	__u64 off = (addr - w->win_lo) >> 3;
	__u32 n;

	if (addr & 7)
		return bpf_probe_read_user(out, sizeof(*out), (void *)addr) ? -1 : 0;
	if (addr >= w->win_lo && off < w->win_n) {
		*out = w->win[off & (UW_STACK_WORDS - 1)];
		return 0;
	}
	w->win_lo = addr;
	w->win_n = 0;
	if (bpf_probe_read_user(w->win, sizeof(w->win), (void *)addr)) {
		n = (__u32)((4096 - (addr & 4095)) >> 3); /* 1..512 words */
		if (n > UW_STACK_WORDS)
			n = UW_STACK_WORDS;
		if (!n || bpf_probe_read_user(w->win, n * 8, (void *)addr))
			return -1;
		w->win_n = n;
	} else {
		w->win_n = UW_STACK_WORDS;
	}
	*out = w->win[0];
	return 0;
}

/* One frame: store its address, find its caller's registers. 0 to go on,
 * 1 to stop (bpf_loop's convention). */
static long uw_step(__u32 i, void *vctx)
{
	struct walk_ctx *c = vctx;
	struct walk *w = c->w;
	struct pp_unwind_map *m = NULL;
	struct pp_unwind_row *r = NULL;
	__u64 ip = w->ip, at, cfa, regs[2];
	__u32 n = w->n;

	if (!ip || n >= PP_STACK_DEPTH)
		return 1;
	w->stack.ips[n] = ip;
	w->n = n + 1;
	w->hash = (w->hash ^ ip) * 0x100000001b3ULL;
	if (w->n >= unwind_depth) {
		uw_count(PP_UW_TRUNCATED);
		return 1;
	}
	at = w->exact ? ip : ip - 1; /* a return address: the call is before it */
	w->exact = 0;
	if (c->proc)
		m = uw_find_map(c->proc, at, &c->last);
	if (m) {
		__u32 wanted = w->wanted;

		r = uw_find_row(w, m, at - m->bias);
		if (r && r->cfa_rule == PP_CFA_NONE)
			r = NULL;
		if (!r && wanted == w->wanted) /* code its table does not cover (or evicted) */
			uw_count(PP_UW_NO_INFO);
	}
	if (!r) { /* frame pointers: the caller's rbp at rbp, its return address above */
		if (!w->bp || (w->bp & 7) || w->bp < w->sp || uw_word(w, w->bp, &regs[0]) ||
		    uw_word(w, w->bp + 8, &regs[1])) {
			uw_count(PP_UW_FP_END);
			return 1;
		}
		w->frames_fp++;
		w->sp = w->bp + 16;
		w->bp = regs[0];
		w->ip = regs[1];
		return 0;
	}
	switch (r->cfa_rule) {
	case PP_CFA_END:
		uw_count(PP_UW_END);
		return 1;
	case PP_CFA_SIGNAL: { /* the interrupted registers, in the signal frame */
		__u64 sig[(PP_SIGFRAME_RIP - PP_SIGFRAME_RBP) / 8 + 1];

		if (bpf_probe_read_user(sig, sizeof(sig), (void *)(w->sp + PP_SIGFRAME_RBP))) {
			uw_count(PP_UW_READ_ERR);
			return 1;
		}
		w->frames_table++;
		w->bp = sig[0];
		w->sp = sig[(PP_SIGFRAME_RSP - PP_SIGFRAME_RBP) / 8];
		w->ip = sig[(PP_SIGFRAME_RIP - PP_SIGFRAME_RBP) / 8];
		w->exact = 1;
		return 0;
	}
	}
	if (!pp_unwind_cfa(r, at, w->sp, w->bp, &cfa)) {
		uw_count(PP_UW_UNSUPPORTED);
		return 1;
	}
	if (cfa <= w->sp) {
		uw_count(PP_UW_READ_ERR);
		return 1;
	}
	/* rbp first: below the return address, it is then in the same window */
	if ((r->rbp_off && uw_word(w, cfa + 8 * (__s64)r->rbp_off, &w->bp)) ||
	    uw_word(w, cfa - 8, &w->ip)) {
		uw_count(PP_UW_READ_ERR);
		return 1;
	}
	w->frames_table++;
	w->sp = cfa;
	return 0;
}

/* Whether the stored stack s is the walked one. */
static __always_inline bool uw_same(const struct pp_ustack *s, const struct walk *w)
{
	__u32 i;

	for (i = 0; i < PP_STACK_DEPTH; i++) {
		if (s->ips[i] != w->stack.ips[i])
			return false;
		if (!s->ips[i])
			break;
	}
	return true;
}

/* Store the walked stack; its key, or PP_STACK_LOST (counted). */
static __always_inline __s32 uw_store(struct walk *w)
{
	__u32 key, k;

	for (k = 0; k < 4; k++) {
		struct pp_ustack *s;

		key = (__u32)((w->hash >> (k * 8)) ^ (w->hash >> 40)) & 0x7fffffff;
		s = bpf_map_lookup_elem(&ustacks, &key);
		if (!s) {
			if (!bpf_map_update_elem(&ustacks, &key, &w->stack, BPF_NOEXIST))
				return (__s32)key;
			s = bpf_map_lookup_elem(&ustacks, &key); /* another CPU stored one */
			if (!s)
				break; /* full */
		}
		if (uw_same(s, w))
			return (__s32)key;
	}
	uw_count(PP_UW_LOST);
	count_stack_lost();
	return PP_STACK_LOST;
}

/* Clears the addresses the walk before left past this walk's last. */
static long clear_step(__u32 i, void *vctx)
{
	struct walk *w = ((struct walk_ctx *)vctx)->w;
	__u64 k = (__u64)w->n + i;

	barrier_var(k); /* one register, checked and used (for the verifier) */
	if (k >= w->clean || k >= PP_STACK_DEPTH)
		return 1;
	w->stack.ips[k] = 0;
	return 0;
}

static long hash_step(__u32 i, void *vctx)
{
	struct walk *w = ((struct walk_ctx *)vctx)->w;

	if (i >= PP_STACK_DEPTH || !w->stack.ips[i])
		return 1;
	w->hash = (w->hash ^ w->stack.ips[i]) * 0x100000001b3ULL;
	return 0;
}

#define USER32_CS 0x23 /* the code segment of a 32-bit task in user mode (__USER32_CS) */

/* The current task's user stack, walked here: its key in `ustacks`,
 * PP_STACK_NONE for a kernel thread, PP_STACK_LOST when it could not be
 * stored. A 32-bit task's (the tables are x86-64's, its frames 4 bytes
 * wide) is the kernel's frame-pointer walk, stored the same way. */
static __always_inline __s32 uw_user_stack(void *ctx)
{
	struct task_struct *t = bpf_get_current_task_btf();
	__u32 zero = 0, tgid = (__u32)(bpf_get_current_pid_tgid() >> 32);
	struct walk_ctx c = {};
	struct pt_regs *regs;
	struct walk *w;

	if (t->flags & PF_KTHREAD)
		return PP_STACK_NONE;
	w = bpf_map_lookup_elem(&unwind_scratch, &zero);
	if (!w)
		return PP_STACK_LOST;
	regs = (struct pt_regs *)bpf_task_pt_regs(t); /* BTF-typed: read directly */
	w->ip = regs->ip;
	w->sp = regs->sp;
	w->bp = regs->bp;
	if (!w->ip)
		return PP_STACK_NONE;
	w->hash = 0xcbf29ce484222325ULL;
	w->now = bpf_ktime_get_ns();
	w->n = 0;
	w->exact = 1;
	w->frames_table = w->frames_fp = w->wanted = 0;
	w->win_lo = 0;
	w->win_n = 0;
	c.w = w;
	if (regs->cs == USER32_CS) {
		/* (the helper zeroes the buffer past the frames it stores) */
		w->clean = PP_STACK_DEPTH;
		if (bpf_get_stack(ctx, w->stack.ips, sizeof(w->stack.ips), BPF_F_USER_STACK) <= 0)
			return PP_STACK_NONE;
		bpf_loop(PP_STACK_DEPTH, hash_step, &c, 0);
	} else {
		c.proc = bpf_map_lookup_elem(&unwind_procs, &tgid);
		uw_count(PP_UW_WALKS);
		bpf_loop(PP_STACK_DEPTH, uw_step, &c, 0);
		uw_count_n(PP_UW_FRAMES_TABLE, w->frames_table);
		uw_count_n(PP_UW_FRAMES_FP, w->frames_fp);
		uw_count_n(PP_UW_WANTED, w->wanted);
		/* zero after the last address (the stack's end for uw_same and
		 * in the stored value), not the whole stack before the walk */
		if (w->clean > w->n)
			bpf_loop(PP_STACK_DEPTH, clear_step, &c, 0);
		w->clean = w->n;
	}
	return uw_store(w);
}

#endif
