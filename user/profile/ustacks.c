// SPDX-License-Identifier: GPL-2.0
/* How the profilers take user stacks (ustacks.h). */
#include <inttypes.h>
#include <string.h>
#include <bpf/bpf.h>
#include "collect/bpfmaps.h"
#include "profile/announce.h"
#include "profile/ustacks.h"

/* Re-read the unwinder's processes this often (libraries loaded since,
 * tables evicted). */
#define USTACK_REFRESH_S 2.0

int ustack_mode_parse(const char *s, enum ustack_mode *m)
{
	if (!strcmp(s, "auto"))
		*m = USTACK_AUTO;
	else if (!strcmp(s, "fp"))
		*m = USTACK_FP;
	else if (!strcmp(s, "dwarf"))
		*m = USTACK_DWARF;
	else
		return -1;
	return 0;
}

void ustacks_configure(const struct ustack_bpf *b, const struct ustack_opts *o, bool dwarf)
{
	uint64_t mb = o->memory_mb ? o->memory_mb : USTACK_MEMORY_MB_DEFAULT;

	*b->dwarf = dwarf;
	*b->depth = o->depth ? o->depth : USTACK_DEPTH_DEFAULT;
	if (dwarf) {
		bpf_map__set_max_entries(b->rows, (uint32_t)(mb * 1024 * 1024 /
							     sizeof(struct pp_unwind_row)));
		return;
	}
	bpf_map__set_max_entries(b->rows, 1);
	bpf_map__set_max_entries(b->tables, 1);
	bpf_map__set_max_entries(b->procs, 1);
	bpf_map__set_max_entries(b->ustacks, 1);
	bpf_map__set_max_entries(b->want, 1);
}

int ustacks_plan(const struct ustack_opts *o, enum pp_prof_mode mode, bool *dwarf, char *notice,
		 size_t nlen, char *err, size_t errlen)
{
	const char *why = NULL;

	notice[0] = '\0';
	*dwarf = o->mode != USTACK_FP && mode != PP_PROF_KERNEL && ustacks_dwarf_possible(&why);
	if (*dwarf || o->mode == USTACK_FP || mode == PP_PROF_KERNEL)
		return 0;
	if (!why)
		why = "not supported here";
	if (o->mode == USTACK_DWARF) {
		snprintf(err, errlen, "--unwind dwarf: %s", why);
		return -1;
	}
	snprintf(notice, nlen, "DWARF unwinding unavailable (%s): user stacks from frame pointers",
		 why);
	return 0;
}

bool ustacks_fall_back(const struct ustack_opts *o, const char *err, char *notice, size_t nlen)
{
	if (o->mode != USTACK_AUTO)
		return false;
	snprintf(notice, nlen, "DWARF unwinding unavailable (%.200s): user stacks from frame "
		 "pointers", err);
	return true;
}

struct unwinder *ustacks_unwinder(const struct ustack_bpf *b, const struct target *t)
{
	struct unwinder_maps m = { bpf_map__fd(b->rows), bpf_map__fd(b->tables),
				   bpf_map__fd(b->procs), bpf_map__max_entries(b->rows),
				   bpf_map__fd(b->want) };
	struct unwinder *u = unwinder_new(&m);
	size_t i;

	for (i = 0; u && t->mode == PP_FILTER_PID && i < t->npids; i++)
		unwinder_add(u, t->pids[i]);
	if (u)
		unwinder_start(u, USTACK_REFRESH_S);
	return u;
}

struct new_ctx {
	struct unwinder *u;
	void (*fn)(void *ctx, uint32_t tgid);
	void *ctx;
};

static void on_new(void *vctx, uint32_t tgid)
{
	struct new_ctx *c = vctx;

	if (c->u)
		unwinder_queue(c->u, tgid);
	if (c->fn)
		c->fn(c->ctx, tgid);
}

int ustacks_poll(struct announcer *a, struct unwinder *u, int timeout_ms,
		 void (*fn)(void *ctx, uint32_t tgid), void *ctx)
{
	struct new_ctx c = { u, fn, ctx };

	return announcer_poll(a, timeout_ms, on_new, &c);
}

bool ustacks_dwarf_possible(const char **why)
{
#if defined(__x86_64__)
	*why = NULL;
	return true;
#else
	*why = "the unwind tables are for x86-64 only";
	return false;
#endif
}

void ustacks_summary(FILE *out, struct unwinder *u, const struct bpf_map *cnt_map)
{
	uint64_t cnt[PP_UW_CNT_MAX];
	struct unwinder_stats s;

	if (!u)
		return;
	percpu_array_sum(bpf_map__fd(cnt_map), cnt, PP_UW_CNT_MAX);
	unwinder_stats(u, &s);
	fprintf(out, "perfpilot: user stacks: %" PRIu64 " walked with unwind tables, %" PRIu64
		" reached their outermost frame; stopped: %" PRIu64 " where frame pointers gave no "
		"caller, %" PRIu64 " rule not supported, %" PRIu64 " stack unreadable or bad, %" PRIu64
		" depth limit; %" PRIu64 " frames from tables, %"
		PRIu64 " from frame pointers (%" PRIu64 " in a file with a table that does not cover "
		"them); %" PRIu64 " not stored; %" PRIu64 " frames in a binary whose table was not "
		"built yet; tables: %zu binaries, %.1f of %.1f MiB, built in "
		"%.2f s, %zu evicted (%zu asked for again too soon), %zu over the limit, %zu without unwind information, %zu files "
		"sharing another's table by build ID, %zu built when a walk landed in them, %zu not built (no walk landed there)",
		cnt[PP_UW_WALKS], cnt[PP_UW_END], cnt[PP_UW_FP_END], cnt[PP_UW_UNSUPPORTED],
		cnt[PP_UW_READ_ERR],
		cnt[PP_UW_TRUNCATED], cnt[PP_UW_FRAMES_TABLE], cnt[PP_UW_FRAMES_FP],
		cnt[PP_UW_NO_INFO], cnt[PP_UW_LOST], cnt[PP_UW_WANTED], s.loaded,
		s.rows * sizeof(struct pp_unwind_row) / 1048576.0,
		s.rows_max * sizeof(struct pp_unwind_row) / 1048576.0, s.build_s, s.evicted, s.held_back,
		s.too_big, s.no_info, s.shared, s.on_demand, s.not_asked);
	if (s.procs_dropped || s.maps_dropped)
		fprintf(out, ", %zu processes and %zu mappings not loaded (maps full)",
			s.procs_dropped, s.maps_dropped);
	fputc('\n', out);
}
